/*
 * simulate: the engine's parts: event-list order (FIFO ties) for both list
 * implementations, histogram error bound, distributions, configuration errors.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "simulate/sim_config.h"
#include "simulate/sim_evl.h"
#include "simulate/sim_rng.h"
#include "simulate/sim_stats.h"
#include "tests/unit/test_util.h"

/* ---- event lists ----------------------------------------------------------------- */

#define NEV 5000

struct list_ops {
    void *q;
    void (*push)(void *, struct sim_ev *, uint64_t);
    struct sim_ev *(*pop)(void *);
};

static void h_push(void *q, struct sim_ev *e, uint64_t t) { sim_heap4_push(q, e, t); }
static struct sim_ev *h_pop(void *q) { return sim_heap4_pop(q); }
static void c_push(void *q, struct sim_ev *e, uint64_t t) { sim_calq_push(q, e, t); }
static struct sim_ev *c_pop(void *q) { return sim_calq_pop(q); }
static void l_push(void *q, struct sim_ev *e, uint64_t t) { sim_ladq_push(q, e, t); }
static struct sim_ev *l_pop(void *q) { return sim_ladq_pop(q); }

/* Hold model with many ties: every pop must be >= the previous (time, then push order),
 * and the kind field records the push order so FIFO among equal times is checked. */
static void
hold_check(const struct list_ops *L, uint64_t *trace)
{
    static struct sim_ev ev[NEV];
    struct sim_rng r;
    sim_rng_seed(&r, 1, 2, 3);
    int pushed = 0;
    for (int i = 0; i < NEV / 2; i++, pushed++) {
        ev[i].kind = pushed;
        L->push(L->q, &ev[i], sim_rng_u64(&r) % 50); /* coarse times: many ties */
    }
    uint64_t last_t = 0;
    int last_kind = -1;
    for (int k = 0; k < 20 * NEV; k++) {
        struct sim_ev *e = L->pop(L->q);
        assert_non_null(e);
        assert_true(e->t_ns > last_t || (e->t_ns == last_t && e->kind > last_kind));
        last_t = e->t_ns;
        last_kind = e->kind;
        trace[k] = e->t_ns * 1000003u + (uint64_t)e->kind;
        e->kind = pushed++;
        /* Mostly near-future events, sometimes a far one, sometimes the same time. */
        uint64_t u = sim_rng_u64(&r) % 100;
        L->push(L->q, e, last_t + (u < 10 ? 0 : u < 95 ? u : 100000 + u));
    }
    while (L->pop(L->q))
        ;
}

static void
test_evl_order_fifo(void **state)
{
    (void)state;
    struct sim_heap4 h;
    struct sim_calq c;
    struct sim_ladq l;
    sim_heap4_init(&h);
    sim_calq_init(&c);
    sim_ladq_init(&l);
    struct list_ops lh = {&h, h_push, h_pop}, lc = {&c, c_push, c_pop}, ll = {&l, l_push, l_pop};
    uint64_t *th = malloc(20 * NEV * sizeof *th), *tc = malloc(20 * NEV * sizeof *tc);
    uint64_t *tl = malloc(20 * NEV * sizeof *tl);
    hold_check(&lh, th);
    hold_check(&lc, tc);
    hold_check(&ll, tl);
    /* Same pushes, same order out: the three lists are interchangeable. */
    assert_memory_equal(th, tc, 20 * NEV * sizeof *th);
    assert_memory_equal(th, tl, 20 * NEV * sizeof *th);
    assert_null(sim_heap4_pop(&h));
    assert_null(sim_calq_pop(&c));
    assert_null(sim_ladq_pop(&l));
    free(th);
    free(tc);
    free(tl);
    sim_heap4_fini(&h);
    sim_calq_fini(&c);
    sim_ladq_fini(&l);
}

/* Lists that grow to ~10^4 and shrink to empty again (resizes both ways) under a mix of
 * zero, nanosecond, millisecond and far gaps must pop identically. */
static void
test_evl_grow_shrink_same_order(void **state)
{
    (void)state;
    enum { N = 12000 };
    static struct sim_ev e1[N], e2[N], e3[N];
    static struct sim_ev *f1[N], *f2[N], *f3[N];
    struct sim_heap4 h;
    struct sim_calq c;
    struct sim_ladq l;
    struct sim_rng r;
    sim_heap4_init(&h);
    sim_calq_init(&c);
    sim_ladq_init(&l);
    sim_rng_seed(&r, 1, 1, 1);
    int n = 0, nf = 0;
    for (int i = 0; i < N; i++, nf++) {
        f1[nf] = &e1[i], f2[nf] = &e2[i], f3[nf] = &e3[i];
        e1[i].kind = e2[i].kind = e3[i].kind = i;
    }
    uint64_t now = 0;
    for (long k = 0; k < 400000; k++) {
        int grow = (k / 40000) % 2 == 0;
        if (n == 0 || (nf > 0 && sim_rng_u64(&r) % 1000 < (grow ? 600u : 400u))) {
            uint64_t v = sim_rng_u64(&r) % 100, x = sim_rng_u64(&r);
            uint64_t d = v < 20 ? 0 : v < 60 ? x % 700 : v < 90 ? 1000000 + x % 1000000
                                                                : x % 50000000;
            nf--;
            sim_heap4_push(&h, f1[nf], now + d);
            sim_calq_push(&c, f2[nf], now + d);
            sim_ladq_push(&l, f3[nf], now + d);
            n++;
        } else {
            struct sim_ev *a = sim_heap4_pop(&h), *b = sim_calq_pop(&c), *e = sim_ladq_pop(&l);
            n--;
            assert_int_equal(a->kind, b->kind);
            assert_int_equal(a->kind, e->kind);
            assert_true(a->t_ns == b->t_ns && a->t_ns == e->t_ns && a->t_ns >= now);
            now = a->t_ns;
            f1[nf] = a, f2[nf] = b, f3[nf] = e;
            nf++;
        }
    }
    sim_heap4_fini(&h);
    sim_calq_fini(&c);
    sim_ladq_fini(&l);
}

/* The ladder queue against the heap, pop for pop, on the gap distributions that defeat
 * a calendar queue (docs/sim.md, "Event list"): uniform random, "camel" (90% ~100 ns,
 * 10% ~1 s), triangular, all events due at once, and gaps on a coarse grid (8 values:
 * buckets of ties at several times, whose chains hold ascending and descending runs for
 * Bottom's natural merge sort); the list first grows to NL, then holds, so Top, rungs,
 * Bottom and its spills are all exercised. */
enum { G_RANDOM, G_CAMEL, G_TRI, G_EQUAL, G_GRID, G_NDIST };

static uint64_t
gap_ns(int dist, struct sim_rng *r)
{
    double u = sim_rng_unif(r);
    switch (dist) {
    case G_RANDOM:
        return sim_rng_u64(r) % 10000000;
    case G_CAMEL:
        return u < 0.9 ? sim_rng_u64(r) % 200 : 900000000 + sim_rng_u64(r) % 200000000;
    case G_TRI:
        return (uint64_t)(1.5e6 * sqrt(u));
    case G_GRID:
        return (sim_rng_u64(r) % 8) * 1000;
    default:
        return 0;
    }
}

static void
test_evl_ladder_like_heap(void **state)
{
    (void)state;
    enum { NL = 20000, HOLDS = 100000 };
    static struct sim_ev e1[NL], e2[NL];
    for (int dist = 0; dist < G_NDIST; dist++) {
        struct sim_heap4 h;
        struct sim_ladq l;
        struct sim_rng r;
        sim_heap4_init(&h);
        sim_ladq_init(&l);
        sim_rng_seed(&r, 7, (uint64_t)dist, 0);
        for (int i = 0; i < NL; i++) {
            uint64_t t = gap_ns(dist, &r);
            e1[i].kind = e2[i].kind = i;
            sim_heap4_push(&h, &e1[i], t);
            sim_ladq_push(&l, &e2[i], t);
        }
        for (int k = 0; k < HOLDS; k++) {
            struct sim_ev *a = sim_heap4_pop(&h), *b = sim_ladq_pop(&l);
            assert_int_equal(a->kind, b->kind);
            assert_true(a->t_ns == b->t_ns);
            uint64_t t = a->t_ns + gap_ns(dist, &r);
            sim_heap4_push(&h, a, t);
            sim_ladq_push(&l, b, t);
        }
        for (int i = 0; i < NL; i++) {
            struct sim_ev *a = sim_heap4_pop(&h), *b = sim_ladq_pop(&l);
            assert_int_equal(a->kind, b->kind);
        }
        assert_null(sim_ladq_pop(&l));
        sim_heap4_fini(&h);
        sim_ladq_fini(&l);
    }
}

/* ---- histogram ------------------------------------------------------------------- */

static void
test_hist_relative_error(void **state)
{
    (void)state;
    struct sim_rng r;
    sim_rng_seed(&r, 4, 0, 0);
    for (int i = 0; i < 200000; i++) {
        uint64_t v = sim_rng_u64(&r) >> (sim_rng_u64(&r) % 64);
        uint64_t lo, hi;
        size_t b = sim_hist_bucket(v);
        assert_true(b < SIM_HIST_NB);
        sim_hist_bounds(b, &lo, &hi);
        assert_true(v >= lo && (v - lo) < hi - lo);
        /* A bucket is at most 1/256 of its lower edge wide. */
        assert_true((double)(hi - lo) <= (double)lo / 256.0 + 1.0);
    }
    /* Percentiles of 1..100000 ns: within 0.2% of the exact order statistic. */
    struct sim_hist h;
    sim_hist_init(&h);
    for (uint64_t v = 1; v <= 100000; v++)
        sim_hist_add(&h, v);
    const double p[] = {50, 90, 99, 99.9};
    for (int i = 0; i < 4; i++) {
        double exact = p[i] * 1000, got = sim_hist_pct(&h, p[i]);
        assert_true(fabs(got - exact) <= exact / 512 + 1);
    }
    assert_true(sim_hist_pct(&h, 0.001) == 1);
    sim_hist_fini(&h);
}

static void
test_ci_student_t(void **state)
{
    (void)state;
    /* 1..5: mean 3, sd 1.5811; t(0.975, 4) = 2.7764: half-width 1.9632. */
    const double v[] = {1, 2, 3, 4, 5};
    double m, h;
    sim_ci(v, 5, 0.95, &m, &h);
    assert_true(fabs(m - 3) < 1e-12);
    assert_true(fabs(h - 1.9632) < 1e-3);
    sim_ci(v, 1, 0.95, &m, &h);
    assert_true(isnan(h));
}

/* ---- distributions ------------------------------------------------------------- */

static void
moments(const char *spec, const char *dir, double *mean, double *cv2, struct sim_dist *d)
{
    struct ks_err err = {0};
    if (sim_dist_parse(spec, dir, d, &err) < 0)
        fail_msg("%s: %s", spec, err.msg);
    struct sim_rng r;
    sim_rng_seed(&r, 77, 0, 1);
    double s = 0, ss = 0;
    const int n = 400000;
    for (int i = 0; i < n; i++) {
        double x = sim_dist_sample(d, &r);
        assert_true(x >= 0);
        s += x;
        ss += x * x;
    }
    *mean = s / n;
    *cv2 = (ss / n - *mean * *mean) / (*mean * *mean);
}

static void
test_distributions(void **state)
{
    (void)state;
    const struct { const char *spec; double mean, cv2; } cases[] = {
        {"exp:1ms", 1e6, 1},
        {"det:85us", 85e3, 0},
        {"uniform:min=10us,max=30us", 20e3, 1.0 / 12}, /* var = (b - a)^2 / 12 */
        {"lognormal:mean=85us,cv=0.5", 85e3, 0.25},
        {"hyperexp:mean=1ms,cv2=4", 1e6, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sim_dist d;
        double m, cv2;
        moments(cases[i].spec, NULL, &m, &cv2, &d);
        print_message("  %-28s mean %.4g (want %.4g), cv2 %.3f (want %.3f)\n", cases[i].spec,
                      m, cases[i].mean, cv2, cases[i].cv2);
        assert_true(fabs(m - cases[i].mean) < 0.01 * cases[i].mean);
        assert_true(fabs(cv2 - cases[i].cv2) < 0.05 * cases[i].cv2 + 1e-9);
        /* The analytic second moment agrees with the parameters. */
        assert_true(fabs(sim_dist_m2(&d) - (1 + cases[i].cv2) * m * m) <
                    0.03 * (1 + cases[i].cv2) * m * m);
        sim_dist_fini(&d);
    }
}

static void
test_empirical_csv(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    tu_write(dir, "svc.csv", "value_us\n10\n20\n30\n40\n");
    tu_write(dir, "bad.csv", "value_us\n10\nten\n");
    tu_write(dir, "unit.csv", "value\n10\n");
    struct sim_dist d;
    double m, cv2;
    moments("empirical:svc.csv", dir, &m, &cv2, &d);
    assert_true(d.nv == 4 && d.mean_ns == 25e3);
    assert_true(fabs(m - 25e3) < 250);
    sim_dist_fini(&d);
    struct ks_err err = {0};
    assert_true(sim_dist_parse("empirical:bad.csv", dir, &d, &err) < 0);
    assert_non_null(strstr(err.msg, "bad.csv:3"));
    memset(&err, 0, sizeof err);
    assert_true(sim_dist_parse("empirical:unit.csv", dir, &d, &err) < 0);
    assert_non_null(strstr(err.msg, "value_us"));
    tu_rmrf(dir);
    free(dir);
}

/* ---- configuration errors --------------------------------------------------------- */

static void
expect_cfg_error(const char *text, const char *want)
{
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    assert_true(sim_config_read_string(text, "t.ini", &c, &err) < 0);
    assert_null(c);
    if (!strstr(err.msg, want))
        fail_msg("want '%s' in '%s'", want, err.msg);
}

static void
test_config_errors(void **state)
{
    (void)state;
    expect_cfg_error("[sim]\nduration_s = 5\nbogus = 1\n", "t.ini:3: [sim] bogus: unknown key");
    expect_cfg_error("[simulation]\nx = 1\n", "t.ini:2: [simulation] x: unknown section");
    expect_cfg_error("[device d]\nservice = gamma:1ms\n",
                     "t.ini:2: [device d] service: unknown distribution 'gamma'");
    expect_cfg_error("[device d]\nservice = exp:1\n", "t.ini:2: [device d] service:");
    expect_cfg_error("[device d]\nservice = exp:1ms\n[workload w]\ndevice = d\n"
                     "arrival = poisson:-5/s\n",
                     "t.ini:5: [workload w] arrival: 'poisson:-5/s': rate must be positive");
    expect_cfg_error("[device d]\nservice = exp:1ms\n[workload w]\narrival = poisson:5/s\n"
                     "device = e\n",
                     "t.ini:5: [workload w] device: unknown device 'e'");
    expect_cfg_error("[device d]\nservice = exp:1ms\n[workload w]\ndevice = d\nvm = nope\n"
                     "arrival = poisson:5/s\n",
                     "t.ini:5: [workload w] vm: unknown vm 'nope'");
    expect_cfg_error("[vm v]\nmode = hvm\n", "t.ini:2: [vm v] mode: unknown value 'hvm'");
    expect_cfg_error("[host]\ncores = -2\n", "t.ini:2: [host] cores: -2 is out of range");
    expect_cfg_error("[device d]\nkind = generic\n", "[device d] service: missing");
    expect_cfg_error("[sim]\nduration_s\n", "t.ini:2: syntax error");
    expect_cfg_error("[iommu]\niotlb_entries = 64\niotlb_ways = 5\n", "does not divide");
    /* The first error wins even when later lines are bad too. */
    expect_cfg_error("[sim]\nseed = x\nfoo = 1\n", "t.ini:2: [sim] seed:");
}

static void
test_config_ok(void **state)
{
    (void)state;
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    int rc = sim_config_read_string(
        "; comment\n[sim]\nduration_s = 2\n[host]\ncores = 4\ncore_GHz = 3\n"
        "[device ssd0]\nkind = ssd\n[device disk]\nkind = hdd\n"
        "[vm a]\nvcpus = 2\nmode = xen-pv\n"
        "[workload w]\nvm = a\ndevice = ssd0\narrival = closed:iodepth=32\nsize = 64KiB\n"
        "read_pct = 70\npages = 100\naccess = zipf:1.2\n",
        "ok.ini", &c, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(c->cores, 4);
    assert_int_equal(c->dev[0].servers, 4);
    assert_true(c->dev[0].service.mean_ns == 85e3);
    assert_true(c->dev[1].seek.mean_ns == 7.4e6);
    assert_int_equal(c->wl[0].iodepth, 32);
    assert_true(c->wl[0].size_B == 65536);
    assert_true(fabs(c->wl[0].zipf_cdf[99] - 1) < 1e-12);
    assert_int_equal(c->vm[0].mode, SIM_XENPV);
    sim_config_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evl_order_fifo),
        cmocka_unit_test(test_evl_grow_shrink_same_order),
        cmocka_unit_test(test_evl_ladder_like_heap),
        cmocka_unit_test(test_hist_relative_error),
        cmocka_unit_test(test_ci_student_t),      cmocka_unit_test(test_distributions),
        cmocka_unit_test(test_empirical_csv),     cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_config_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
