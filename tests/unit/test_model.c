/* model: bounds, the packing engine, catalog/policy/ports/licences, HA check. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model/mdl_catalog.h"
#include "model/mdl_licence.h"
#include "model/mdl_plan.h"
#include "model/mdl_policy.h"
#include "model/mdl_ports.h"
#include "model/mdl_sol.h"
#include "model/mdl_stats.h"
#include "model/mdl_vbp.h"
#include "tests/unit/test_util.h"

/* A 1-D problem from integer weights. */
static struct mdl_vbp *
one_d(const double *w, size_t n, double cap)
{
    struct mdl_vbp *p = mdl_vbp_new(n, 1, 1, &cap);
    for (size_t i = 0; i < n; i++)
        mdl_vbp_set_item(p, i, &w[i]);
    return p;
}

/* The lowest-peak greedy's scan as it was written first: 64-step chunks in time order,
 * stopping at the first whose maximum reaches limit; *cells = the cells touched. */
static double
plain_peak_with(const struct mdl_sol *s, size_t b, size_t i, double limit, double *cells)
{
    const struct mdl_vbp *p = s->p;
    const float *x = mdl_vbp_row(p, i);
    const double *l = s->load + b * p->dim;
    double peak = 0;
    *cells = 0;
    for (size_t r = 0; r < p->nres; r++)
        for (size_t t0 = 0; t0 < p->nsteps; t0 += 64) {
            size_t t1 = t0 + 64 < p->nsteps ? t0 + 64 : p->nsteps;
            double m = 0;
            for (size_t t = t0; t < t1; t++) {
                double v = l[r * p->nsteps + t] + (double)x[r * p->nsteps + t];
                m = v > m ? v : m;
            }
            *cells += (double)(t1 - t0);
            double inv = 1.0 / p->cap[r];
            peak = m * inv > peak ? m * inv : peak;
            if (peak >= limit)
                return peak;
        }
    return peak;
}

/* mdl_sol_peak_with skips chunks by their block maxima: the same value and the same
 * work as the plain scan for every bin, item and limit (the search's budget is counted
 * in that work, so a different count would change plans). Spiky random series over a
 * step count that is no multiple of a block or a chunk. */
static void
test_peak_with_pruned(void **state)
{
    (void)state;
    const size_t n = 14, T = 203;
    double cap[2] = {1000, 500}, row[2 * 203];
    struct mdl_vbp *p = mdl_vbp_new(n, 2, T, cap);
    uint64_t z = 12345;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < 2 * T; j++) {
            z = z * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(z >> 11) * 0x1.0p-53;
            row[j] = (u < 0.05 ? 300 : 40) * u + (j % T < 100 ? 20 : 0);
        }
        mdl_vbp_set_item(p, i, row);
    }
    struct mdl_sol s;
    mdl_sol_init(&s, p, 3);
    for (size_t i = 0; i < 9; i++)
        mdl_sol_put(&s, i, i % 3);
    int checked = 0, stopped = 0;
    for (size_t b = 0; b < 3; b++)
        for (size_t i = 9; i < n; i++) {
            double cells, exact = plain_peak_with(&s, b, i, INFINITY, &cells);
            double limits[] = {INFINITY, exact, exact * 1.001, exact * 0.999, exact * 0.5, 0};
            for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
                double w0 = s.work, want = plain_peak_with(&s, b, i, limits[k], &cells);
                double got = mdl_sol_peak_with(&s, b, i, limits[k]);
                assert_true(got == want);
                assert_true(s.work - w0 == cells);
                checked++;
                stopped += cells < (double)(2 * T);
            }
        }
    assert_int_equal(checked, 3 * 5 * 6);
    assert_true(stopped > 0); /* some limits stop the scan early, some do not */
    mdl_sol_fini(&s);
    mdl_vbp_free(p);
}

static void
test_l2_beats_continuous(void **state)
{
    (void)state;
    /* Three items over half the capacity need three bins; the sum says two. */
    double w[] = {6, 6, 6};
    struct mdl_vbp *p = one_d(w, 3, 10);
    assert_int_equal(mdl_vbp_lb_sum(p), 2);
    assert_int_equal(mdl_l2_bound(w, 3, 10), 3);
    assert_int_equal(mdl_vbp_lower_bound(p), 3);
    mdl_vbp_free(p);
    /* Items 4 and 6 pair up: L2 must not overshoot the optimum 3. */
    double v[] = {6, 6, 6, 4, 4, 4};
    assert_int_equal(mdl_l2_bound(v, 6, 10), 3);
}

static void
test_bound_per_step(void **state)
{
    (void)state;
    /* Two steps: the sums are 30 at step 0 and 12 at step 1, capacity 10. */
    double cap[2] = {10, 100};
    struct mdl_vbp *p = mdl_vbp_new(3, 2, 2, cap);
    double rows[3][4] = {{10, 4, 1, 1}, {10, 4, 1, 1}, {10, 4, 1, 1}};
    for (int i = 0; i < 3; i++)
        mdl_vbp_set_item(p, i, rows[i]);
    assert_int_equal(mdl_vbp_lb_sum(p), 3);
    mdl_vbp_free(p);
}

static void
test_round_up_float(void **state)
{
    (void)state;
    double v = 0.1;
    float f = mdl_round_up_float(v);
    assert_true((double)f >= v);
    assert_true(mdl_round_up_float(2600) == 2600.0f);
}

/* Items whose peaks fall at different steps share a bin: the time-aware packing. */
static void
test_complementary_peaks(void **state)
{
    (void)state;
    double cap[1] = {10};
    struct mdl_vbp *p = mdl_vbp_new(4, 1, 2, cap);
    double a[2] = {9, 1}, b[2] = {1, 9};
    mdl_vbp_set_item(p, 0, a);
    mdl_vbp_set_item(p, 1, a);
    mdl_vbp_set_item(p, 2, b);
    mdl_vbp_set_item(p, 3, b);
    uint32_t as[4];
    struct mdl_vbp_result res;
    struct mdl_vbp_opts o = {.seed = 1};
    assert_int_equal(mdl_vbp_solve(p, &o, as, &res, NULL, NULL), 0);
    assert_int_equal(res.nbins, 2);
    assert_int_equal(res.lower_bound, 2);
    struct mdl_vbp_check chk;
    mdl_vbp_check(p, as, res.nbins, &chk);
    assert_int_equal(chk.bins_over, 0);
    assert_true(as[0] != as[1]); /* two peaks at step 0 never share */
    mdl_vbp_free(p);
}

/* A 1-D instance where FFD is one bin off the optimum: the search must close it, and
 * the same seed must give the same placement. */
static void
test_search_beats_ffd_and_repeats(void **state)
{
    (void)state;
    /* Optimum 3 bins of 100: {45,35,20}, {40,35,25}, {40,30,30}; FFD uses 4. */
    double w[] = {45, 40, 40, 35, 35, 30, 30, 25, 20};
    struct mdl_vbp *p = one_d(w, 9, 100);
    uint32_t a1[9], a2[9], f[9];
    size_t ffd = mdl_vbp_ffd(p, f);
    struct mdl_vbp_result r1, r2;
    struct mdl_vbp_opts o = {.seed = 7};
    assert_int_equal(mdl_vbp_solve(p, &o, a1, &r1, NULL, NULL), 0);
    assert_int_equal(mdl_vbp_solve(p, &o, a2, &r2, NULL, NULL), 0);
    assert_int_equal(ffd, 4);
    assert_int_equal(r1.ffd_bins, 4);
    assert_int_equal(r1.nbins, 3);
    assert_memory_equal(a1, a2, sizeof a1);
    struct mdl_vbp_check chk;
    mdl_vbp_check(p, a1, r1.nbins, &chk);
    assert_int_equal(chk.bins_over, 0);
    assert_true(chk.worst_pct <= 100);
    mdl_vbp_free(p);
}

static void
test_item_too_big(void **state)
{
    (void)state;
    double w[] = {5, 12};
    struct mdl_vbp *p = one_d(w, 2, 10);
    uint32_t a[2];
    size_t bad = 99;
    struct mdl_vbp_result r;
    struct mdl_vbp_opts o = {0};
    struct ks_err err = {0};
    assert_int_equal(mdl_vbp_solve(p, &o, a, &r, &bad, &err), -ERANGE);
    assert_int_equal(bad, 1);
    assert_non_null(strstr(err.msg, "item 1 needs 12"));
    mdl_vbp_free(p);
}

static void
test_percentile_allows_steps(void **state)
{
    (void)state;
    /* Two items that overflow together at one step of ten: with one step allowed
     * over capacity they share a bin; with none they do not. */
    double cap[1] = {10};
    struct mdl_vbp *p = mdl_vbp_new(2, 1, 10, cap);
    double a[10] = {6, 5, 5, 5, 5, 5, 5, 5, 5, 5};
    mdl_vbp_set_item(p, 0, a);
    mdl_vbp_set_item(p, 1, a);
    uint32_t as[2];
    struct mdl_vbp_result r;
    struct mdl_vbp_opts o = {.seed = 1};
    assert_int_equal(mdl_vbp_solve(p, &o, as, &r, NULL, NULL), 0);
    assert_int_equal(r.nbins, 2);
    assert_int_equal(mdl_vbp_lb_sum(p), 2);
    p->allow_over = 1;
    assert_int_equal(mdl_vbp_lb_sum(p), 1); /* the one step over may be the peak */
    assert_int_equal(mdl_vbp_solve(p, &o, as, &r, NULL, NULL), 0);
    assert_int_equal(r.nbins, 1);
    mdl_vbp_free(p);
}

static void
test_vbp_read(void **state)
{
    (void)state;
    char *d = tu_tmpdir(), path[4200];
    tu_write(d, "ok.vbp", "2\n10 20\n2\n5 10 2\n3 4 1\n");
    snprintf(path, sizeof path, "%s/ok.vbp", d);
    struct mdl_vbp *p;
    struct ks_err err = {0};
    assert_int_equal(mdl_vbp_read(path, &p, &err), 0);
    assert_int_equal(p->n, 3);
    assert_int_equal(p->nres, 2);
    assert_true(mdl_vbp_row(p, 1)[1] == 10 && mdl_vbp_row(p, 2)[0] == 3);
    mdl_vbp_free(p);
    tu_write(d, "bad.vbp", "2\n10 20\n2\n5 10 2\n3 x 1\n");
    snprintf(path, sizeof path, "%s/bad.vbp", d);
    assert_true(mdl_vbp_read(path, &p, &err) < 0);
    assert_non_null(strstr(err.msg, "bad.vbp:5"));
    ks_err_clear(&err);
    tu_write(d, "big.vbp", "1\n10\n1\n11 1\n");
    snprintf(path, sizeof path, "%s/big.vbp", d);
    assert_true(mdl_vbp_read(path, &p, &err) < 0);
    assert_non_null(strstr(err.msg, "exceeds capacity"));
    tu_rmrf(d);
    free(d);
}

static const char *CAT_HDR = "model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,"
                             "nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,"
                             "perf_per_core\n";

static int
read_cat(const char *body, struct mdl_catalog **c, struct ks_err *err)
{
    char *d = tu_tmpdir(), path[4200];
    tu_write(d, "cat.csv", body);
    snprintf(path, sizeof path, "%s/cat.csv", d);
    int rc = mdl_catalog_read(path, c, err);
    tu_rmrf(d);
    free(d);
    return rc;
}

static void
test_catalog(void **state)
{
    (void)state;
    char buf[2048];
    struct mdl_catalog *c;
    struct ks_err err = {0};
    snprintf(buf, sizeof buf, "%sbig,4,6,1,2660,128,6,1,4,38000,480,900,1\n", CAT_HDR);
    assert_int_equal(read_cat(buf, &c, &err), 0);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->m[0].min_sockets, 4);
    assert_true(mdl_model_cpu_MHz(&c->m[0], 4, 0.25) == 4 * 6 * 2660.0);
    mdl_catalog_free(c);
    /* A missing column names the file, line 1 and the column. */
    assert_true(read_cat("model,sockets\nx,1\n", &c, &err) < 0);
    assert_non_null(strstr(err.msg, "cat.csv:1: missing column 'cores_per_socket'"));
    ks_err_clear(&err);
    /* Zero capacity is refused with its line and column. */
    snprintf(buf, sizeof buf, "%sok,1,4,1,2600,64,6,1,1,1,1,2,1\nzero,1,4,1,0,64,6,1,1,1,1,2,1\n",
             CAT_HDR);
    assert_true(read_cat(buf, &c, &err) < 0);
    assert_non_null(strstr(err.msg, "cat.csv:3: column 'core_MHz' is 0"));
    ks_err_clear(&err);
    snprintf(buf, sizeof buf, "%sx,1,4,1,fast,64,6,1,1,1,1,2,1\n", CAT_HDR);
    assert_true(read_cat(buf, &c, &err) < 0);
    assert_non_null(strstr(err.msg, "'fast' is not a number"));
}

static void
test_policy(void **state)
{
    (void)state;
    struct mdl_policy p;
    struct ks_err err = {0};
    char *d = tu_tmpdir(), path[4200];
    mdl_policy_defaults(&p);
    assert_true(p.percentile == 100 && p.headroom_pct == 20 && p.ha == 1);
    tu_write(d, "p.ini", "[plan]\nheadroom = 30\nha = 2\nports = vsphere\n");
    snprintf(path, sizeof path, "%s/p.ini", d);
    assert_int_equal(mdl_policy_read(path, &p, &err), 0);
    assert_true(p.headroom_pct == 30 && p.ha == 2);
    assert_string_equal(p.ports, "vsphere");
    /* A flag applied after the file wins. */
    assert_int_equal(mdl_policy_set(&p, "headroom", "10", &err), 0);
    assert_true(p.headroom_pct == 10);
    tu_write(d, "bad.ini", "headroom = 30\n\nfrobs = 2\n");
    snprintf(path, sizeof path, "%s/bad.ini", d);
    assert_true(mdl_policy_read(path, &p, &err) < 0);
    assert_non_null(strstr(err.msg, "bad.ini:3"));
    assert_non_null(strstr(err.msg, "frobs"));
    ks_err_clear(&err);
    assert_true(mdl_policy_set(&p, "percentile", "101", &err) < 0);
    mdl_policy_fini(&p);
    tu_rmrf(d);
    free(d);
}

static void
test_ports(void **state)
{
    (void)state;
    struct mdl_ports t;
    int out[MDL_NROLES];
    assert_int_equal(mdl_ports_builtin("hyperv-cluster", &t, NULL), 0);
    assert_int_equal(mdl_ports_min_total(&t), 5);
    /* 2,500 Mbit/s of VM traffic on 1 Gbit/s links with 20% kept free: 4 VM ports. */
    assert_int_equal(mdl_ports_for_host(&t, 2500, 1, 20, out), 8);
    assert_int_equal(out[MDL_VM_NETWORK], 4);
    assert_int_equal(out[MDL_STORAGE], 2);
    assert_int_equal(mdl_ports_for_host(&t, 0, 1, 20, out), 5);
    assert_int_equal(mdl_ports_builtin("vsphere", &t, NULL), 0);
    assert_int_equal(mdl_ports_min_total(&t), 6);
    assert_true(mdl_ports_builtin("token-ring", &t, NULL) < 0);
}

static void
test_licence_units(void **state)
{
    (void)state;
    struct mdl_lic_rule core = {"dc", MDL_LIC_CORE, 1, 16, 8, 1};
    struct mdl_lic_rule guests = {"ent", MDL_LIC_GUESTS, 1, 0, 0, 4};
    struct mdl_lic_rule sock = {"hv", MDL_LIC_SOCKET, 1, 0, 0, 1};
    assert_true(mdl_lic_units(&core, 1, 4, 0) == 16);  /* host minimum */
    assert_true(mdl_lic_units(&core, 2, 4, 0) == 16);  /* 8 per CPU x 2 */
    assert_true(mdl_lic_units(&core, 4, 6, 0) == 32);  /* 8 per CPU x 4 */
    assert_true(mdl_lic_units(&core, 2, 12, 0) == 24);
    assert_true(mdl_lic_units(&guests, 2, 4, 9) == 3);
    assert_true(mdl_lic_units(&guests, 2, 4, 0) == 1);
    assert_true(mdl_lic_units(&sock, 3, 4, 10) == 3);
}

static void
test_ha_check(void **state)
{
    (void)state;
    double w[] = {6, 6, 3};
    struct mdl_vbp *p = one_d(w, 3, 10);
    uint32_t a[3] = {0, 1, 1};
    size_t sets, bad;
    int exh;
    /* Two hosts (6 | 6+3): failing either leaves 9 or 6 to fit beside 6: no. */
    assert_int_equal(mdl_ha_check(p, a, 2, 1, 1, 100, &sets, &exh, &bad), 0);
    /* With an empty spare every single failure re-places. */
    assert_int_equal(mdl_ha_check(p, a, 3, 1, 1, 100, &sets, &exh, &bad), 1);
    assert_int_equal(sets, 3);
    assert_int_equal(exh, 1);
    /* Two failures out of three hosts cannot be carried by one. */
    assert_int_equal(mdl_ha_check(p, a, 3, 2, 1, 100, &sets, &exh, &bad), 0);
    /* Sampling kicks in above max_sets and still covers every host. */
    uint32_t b[3] = {0, 1, 2};
    assert_int_equal(mdl_ha_check(p, b, 6, 2, 1, 5, &sets, &exh, &bad), 1);
    assert_int_equal(exh, 0);
    assert_true(sets >= 6);
    mdl_vbp_free(p);
}

/* The selection behind peak sizing and per-source needs gives exactly what sorting
 * gave (ks_percentile, a sorted copy), on series with many ties, both ends, and every
 * length from 1: the plans must not move by a bit. */
static void
test_series_percentile_matches_sort(void **state)
{
    (void)state;
    static const double ps[] = {0, 0.1, 1, 25, 50, 95, 99, 99.9, 100};
    uint64_t seed = 7;
    double x[300], a[300], b[300];
    for (size_t n = 1; n <= 300; n += n < 40 ? 1 : 13) {
        for (int shape = 0; shape < 3; shape++) {
            for (size_t t = 0; t < n; t++) { /* distinct, few levels (ties), sorted */
                double u = (double)(ks_splitmix64(&seed) >> 11) * 0x1.0p-53;
                x[t] = shape == 0 ? u * 1000 : shape == 1 ? floor(u * 4) : (double)t;
            }
            for (size_t k = 0; k < sizeof ps / sizeof *ps; k++) {
                memcpy(a, x, n * sizeof *x);
                double want = ks_percentile(a, n, ps[k]); /* a is now sorted */
                assert_true(mdl_series_percentile(x, n, ps[k], b) == want);
                for (size_t over = 0; over < n; over += 1 + n / 7)
                    assert_true(mdl_series_nth_largest(x, n, over, b) == a[n - 1 - over]);
            }
        }
    }
    x[0] = 3, x[1] = NAN, x[2] = 1; /* a gap: the general routine, NaN left out */
    assert_true(mdl_series_percentile(x, 3, 100, b) == 3);
    assert_true(mdl_series_percentile(x, 3, 50, b) == 2);
}

/* ---- Warm start (a sweep's next setting starts from the last placement): the start
 * is repaired to a valid packing and never ends with more bins than the cold search at
 * the same capacity, on cases small enough to know the optimum. */

/* Every item in a bin below nbins, and no bin over capacity. */
static void
assert_valid(const struct mdl_vbp *p, const uint32_t *a, size_t nbins)
{
    for (size_t i = 0; i < p->n; i++)
        assert_true(a[i] < nbins);
    struct mdl_vbp_check chk;
    mdl_vbp_check(p, a, nbins, &chk);
    assert_int_equal(chk.bins_over, 0);
}

/* Optimum 3 bins of 100: {45,35,20}, {40,35,25}, {40,30,30}. A start with every item in
 * one bin (ids need not start at 0) and one item without a bin overflows by 200: the
 * repair must spread it to a valid packing no larger than the cold search's. */
static void
test_warm_repairs_overflow(void **state)
{
    (void)state;
    double w[] = {45, 40, 40, 35, 35, 30, 30, 25, 20};
    struct mdl_vbp *p = one_d(w, 9, 100);
    uint32_t start[9], cold[9], warm[9], again[9];
    for (size_t i = 0; i < 9; i++)
        start[i] = 7;
    start[8] = UINT32_MAX;
    struct mdl_vbp_opts oc = {.seed = 3}, ow = {.seed = 3, .start = start};
    struct mdl_vbp_result rc, rw, r2;
    assert_int_equal(mdl_vbp_solve(p, &oc, cold, &rc, NULL, NULL), 0);
    assert_int_equal(mdl_vbp_solve(p, &ow, warm, &rw, NULL, NULL), 0);
    assert_int_equal(rc.nbins, 3);
    assert_valid(p, warm, rw.nbins);
    assert_true(rw.nbins <= rc.nbins);
    assert_int_equal(rw.nbins, 3); /* the bound: nothing less is possible */
    assert_int_equal(rw.ffd_bins, 0); /* the baselines are not run from a warm start */
    /* Deterministic, as the cold search is. */
    assert_int_equal(mdl_vbp_solve(p, &ow, again, &r2, NULL, NULL), 0);
    assert_memory_equal(warm, again, sizeof warm);
    mdl_vbp_free(p);
}

/* Time-aware, as a headroom sweep: six items over two steps, three busy at step 0 and
 * three at step 1; the capacity-10 plan needs 2 bins (19 units at step 0). At capacity 6
 * item 0 (6 at step 0) and item 3 (6 at step 1) cannot share a bin with anything, so the
 * capacity-10 placement overflows, and the optimum is 4 (the bound: 19 units at step 0):
 * {0}, {3}, {1,5}, {2,4}. */
static void
test_warm_from_larger_capacity(void **state)
{
    (void)state;
    double rows[6][2] = {{6, 1}, {5, 2}, {4, 1}, {1, 6}, {2, 5}, {1, 4}};
    double cap = 10;
    struct mdl_vbp *p = mdl_vbp_new(6, 1, 2, &cap);
    for (size_t i = 0; i < 6; i++)
        mdl_vbp_set_item(p, i, rows[i]);
    uint32_t at10[6], cold[6], warm[6];
    struct mdl_vbp_opts oc = {.seed = 1}, ow = {.seed = 1, .start = at10};
    struct mdl_vbp_result r10, rc, rw;
    assert_int_equal(mdl_vbp_solve(p, &oc, at10, &r10, NULL, NULL), 0);
    assert_int_equal(r10.nbins, 2);
    p->cap[0] = 6; /* re-capacitated: the capacity-10 placement now overflows */
    struct mdl_vbp_check chk;
    mdl_vbp_check(p, at10, r10.nbins, &chk);
    assert_true(chk.bins_over > 0);
    assert_int_equal(mdl_vbp_solve(p, &oc, cold, &rc, NULL, NULL), 0);
    assert_int_equal(mdl_vbp_solve(p, &ow, warm, &rw, NULL, NULL), 0);
    assert_valid(p, cold, rc.nbins);
    assert_valid(p, warm, rw.nbins);
    assert_int_equal(rc.nbins, 4);
    assert_true(rw.nbins <= rc.nbins);
    assert_int_equal(rw.nbins, 4);
    mdl_vbp_free(p);
}

/* A start that already holds is never made worse: an optimal one stays optimal. */
static void
test_warm_valid_start_kept(void **state)
{
    (void)state;
    double w[] = {45, 40, 40, 35, 35, 30, 30, 25, 20};
    uint32_t start[] = {10, 20, 30, 10, 20, 30, 30, 20, 10}; /* the optimum above */
    struct mdl_vbp *p = one_d(w, 9, 100);
    uint32_t warm[9];
    struct mdl_vbp_opts ow = {.seed = 5, .start = start};
    struct mdl_vbp_result rw;
    assert_int_equal(mdl_vbp_solve(p, &ow, warm, &rw, NULL, NULL), 0);
    assert_int_equal(rw.nbins, 3);
    assert_valid(p, warm, rw.nbins);
    mdl_vbp_free(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peak_with_pruned),
        cmocka_unit_test(test_l2_beats_continuous),
        cmocka_unit_test(test_bound_per_step),
        cmocka_unit_test(test_round_up_float),
        cmocka_unit_test(test_complementary_peaks),
        cmocka_unit_test(test_search_beats_ffd_and_repeats),
        cmocka_unit_test(test_item_too_big),
        cmocka_unit_test(test_percentile_allows_steps),
        cmocka_unit_test(test_vbp_read),
        cmocka_unit_test(test_catalog),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_licence_units),
        cmocka_unit_test(test_ha_check),
        cmocka_unit_test(test_series_percentile_matches_sort),
        cmocka_unit_test(test_warm_repairs_overflow),
        cmocka_unit_test(test_warm_from_larger_capacity),
        cmocka_unit_test(test_warm_valid_start_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
