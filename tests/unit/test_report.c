/* Unit tests of the report module: formatting, golden gnuplot scripts, plan binding,
 * recomputed host series, heatmap downsampling and sim results reading. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sys/stat.h>

#include "core/ks_dataset.h"
#include "report/rpt_chart.h"
#include "report/rpt_estate.h"
#include "report/rpt_plan.h"
#include "report/rpt_sim.h"
#include "report/rpt_util.h"
#include "test_util.h"

static char *
fixture(const char *rel)
{
    return ks_xasprintf("%s/tests/fixtures/report/%s", tu_root(), rel);
}

static void
test_fmt(void **state)
{
    (void)state;
    char b[RPT_NUMBUF];
    assert_string_equal(rpt_fmt_group(b, 1234567.26, 1), "1,234,567.3");
    assert_string_equal(rpt_fmt_group(b, -1234, 0), "-1,234");
    assert_string_equal(rpt_fmt_group(b, 999, 0), "999");
    assert_string_equal(rpt_fmt_group(b, -0.2, 0), "0");
    assert_string_equal(rpt_fmt_group(b, NAN, 2), "n/a");
    assert_string_equal(rpt_fmt_auto(b, 89160), "89,160");
    assert_string_equal(rpt_fmt_auto(b, 1.6), "1.6");
    assert_string_equal(rpt_fmt_auto(b, 33.751), "33.8");
    assert_string_equal(rpt_fmt_auto(b, 1234.5), "1,234"); /* printf rounds half to even */
}

static void
test_stars(void **state)
{
    (void)state;
    /* Azure Migrate's bands: 0-20% 1 star ... 81-100% 5 stars. */
    assert_int_equal(rpt_stars(0), 1);
    assert_int_equal(rpt_stars(20), 1);
    assert_int_equal(rpt_stars(20.5), 2);
    assert_int_equal(rpt_stars(40), 2);
    assert_int_equal(rpt_stars(60), 3);
    assert_int_equal(rpt_stars(80), 4);
    assert_int_equal(rpt_stars(80.1), 5);
    assert_int_equal(rpt_stars(100), 5);
    assert_int_equal(rpt_stars(NAN), 1);
}

/* ks_percentile_select (selection) gives ks_percentile's value (a sort) bit for bit: sizes 1 to
 * 300, many ties (values on a coarse grid, as rounded CPU % are), sorted and reversed
 * inputs, and the percentiles the report asks for plus the ends and odd ones. */
static void
test_percentile_select(void **state)
{
    (void)state;
    static const double ps[] = {0, 0.5, 10, 25, 50, 90, 95, 99, 99.9, 100, -5, 130};
    unsigned long seed = 7;
    for (size_t n = 1; n <= 300; n += n < 20 ? 1 : 17)
        for (int shape = 0; shape < 4; shape++) {
            double *a = ks_xmalloc(n * sizeof *a), *b = ks_xmalloc(n * sizeof *b);
            for (size_t p = 0; p < sizeof ps / sizeof *ps; p++) {
                for (size_t k = 0; k < n; k++) {
                    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                    double r = (double)(seed >> 40) / (double)(1UL << 24);
                    a[k] = shape == 0 ? r * 1e4 : shape == 1 ? floor(r * 5) /* ties */
                         : shape == 2 ? (double)k : (double)(n - k);
                    b[k] = a[k];
                }
                double want = ks_percentile(a, n, ps[p]), got = ks_percentile_select(b, n, ps[p]);
                assert_memory_equal(&want, &got, sizeof want);
            }
            free(a);
            free(b);
        }
    assert_true(isnan(ks_percentile_select(NULL, 0, 50)));
}

/* A generated script against tests/golden/report/NAME.gp (tu_golden). */
static void
golden(const char *name, char *script)
{
    char rel[256];
    snprintf(rel, sizeof rel, "report/%s.gp", name);
    tu_golden(rel, script);
    /* Both terminals always named: without one gnuplot draws nothing. */
    assert_non_null(strstr(script, "set terminal svg"));
    assert_non_null(strstr(script, "set terminal pngcairo"));
    free(script);
}

static void
test_golden_heatmap(void **state)
{
    (void)state;
    const double v[] = {10, 20, NAN, 95, 0, 5, 50, 60, 70};
    const char *rows[] = {"db'01", "web_02", "idle03"};
    struct rpt_heatmap h = {.name = "estate_heatmap", .title = "CPU of every server",
                            .cblabel = "CPU utilization (%)", .nrows = 3, .ncols = 3,
                            .t0 = 1767229200, .step_s = 3600, .v = v, .rows = rows,
                            .zmax = 100};
    golden("heatmap", rpt_gp_heatmap(&h));
}

static void
test_golden_stack(void **state)
{
    (void)state;
    const double t[] = {1767229200, 1767232800, 1767236400, 1767240000};
    const double v[] = {10, 12, 11, 9, 5, NAN, 7, 8}; /* two layers; NaN stacks as 0 */
    const char *layers[] = {"db01", "3 other VMs"};
    struct rpt_stack s = {.name = "host_1", .title = "host01: CPU demand",
                          .ylabel = "CPU demand (GHz)", .nlayers = 2, .npts = 4,
                          .layers = layers, .t = t, .v = v, .cap = 56.16, .limit = 44.928,
                          .cap_label = "usable capacity", .limit_label = "planning limit"};
    golden("stack", rpt_gp_stack(&s));
}

static void
test_golden_bars(void **state)
{
    (void)state;
    const char *cats[] = {"host01", "host\"02"};
    const char *sers[] = {"peak of the sum", "sum of the peaks"};
    const double v[] = {74.5, 74.4, 113.2, 98.1};
    struct rpt_bars b = {.name = "peak_sizing", .title = "Peak sizing", .ylabel = "% of capacity",
                         .ncat = 2, .nser = 2, .cats = cats, .sers = sers, .v = v, .hline = 100,
                         .hline_label = "usable capacity"};
    golden("bars", rpt_gp_bars(&b));
    b.logy = 1;
    b.hline = NAN;
    b.name = "sim_latency";
    golden("bars_log", rpt_gp_bars(&b));
    /* Past RPT_BARS_LABELLED hosts the labels go and the axis is named instead. */
    const char *many[RPT_BARS_LABELLED + 1];
    double mv[2 * (RPT_BARS_LABELLED + 1)];
    for (size_t i = 0; i < RPT_BARS_LABELLED + 1; i++) {
        many[i] = "h";
        mv[i] = 100 - (double)i;
        mv[RPT_BARS_LABELLED + 1 + i] = 120 - (double)i;
    }
    struct rpt_bars m = {.name = "peak_sizing", .title = "Peak sizing", .ylabel = "%",
                         .xlabel_many = "31 hosts", .ncat = RPT_BARS_LABELLED + 1, .nser = 2,
                         .cats = many, .sers = sers, .v = mv, .hline = 100,
                         .hline_label = "usable capacity"};
    char *script = rpt_gp_bars(&m);
    assert_null(strstr(script, "xtic(1)"));
    assert_non_null(strstr(script, "unset xtics\nset xlabel '31 hosts'"));
    golden("bars_many", script);
}

static void
test_golden_lines(void **state)
{
    (void)state;
    const double x[] = {0, 1, 2};
    const double v[] = {0, 41.5, 83, 89.16, 98.96, 108.76};
    const char *sers[] = {"status quo", "consolidated"};
    struct rpt_lines l = {.name = "cost_horizon", .title = "Cumulative cost",
                          .xlabel = "years", .ylabel = "cost (thousands)", .npts = 3, .nser = 2,
                          .x = x, .sers = sers, .v = v, .vline = 2.8125,
                          .vline_label = "payback: 33.8 months"};
    golden("lines", rpt_gp_lines(&l));
}

static void
test_gp_available(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    assert_false(rpt_gp_available(d));
    assert_false(rpt_gp_available(""));
    tu_write(d, "gnuplot", "#!/bin/sh\n");
    char *p = ks_xasprintf("%s/gnuplot", d);
    assert_int_equal(chmod(p, 0755), 0);
    char *path = ks_xasprintf("/nonexistent:%s", d);
    assert_true(rpt_gp_available(path));
    free(path);
    free(p);
    tu_rmrf(d);
    free(d);
}

/* ---- plan binding and recomputation on the fixture ----------------------------------- */

struct fx {
    struct ks_dataset *ds;
    struct rpt_plan plan;
    long *ent_host;
};

static void
fx_load(struct fx *f, const char *plan_rel)
{
    struct ks_err err = {0};
    char *ds = fixture("basic/dataset"), *plan = fixture(plan_rel);
    assert_int_equal(ks_dataset_read(ds, &f->ds, &err), 0);
    assert_int_equal(rpt_plan_read(plan, &f->plan, &err), 0);
    f->ent_host = ks_xmalloc(ks_dataset_nent(f->ds) * sizeof *f->ent_host);
    free(ds);
    free(plan);
}

static void
fx_free(struct fx *f)
{
    ks_dataset_free(f->ds);
    rpt_plan_fini(&f->plan);
    free(f->ent_host);
}

static void
test_bind_ok_and_recompute(void **state)
{
    (void)state;
    struct fx f;
    struct ks_err err = {0};
    struct rpt_estate e;
    fx_load(&f, "basic/plan");
    assert_int_equal(rpt_plan_bind(&f.plan, f.ds, "ds", f.ent_host, &err), 0);
    assert_int_equal(rpt_estate_build(f.ds, f.ent_host, f.plan.hosts.nrows, 100, NULL, &e, &err), 0);
    assert_int_equal(e.g.nsteps, 96);
    size_t total = 0;
    for (size_t h = 0; h < f.plan.hosts.nrows; h++) {
        /* The fixture generator summed the samples itself (awk): the report's
         * recomputation must land on the same peak, to hosts.csv's 0.1 rounding. */
        double cap = ks_table_num(&f.plan.hosts, h, "cpu_capacity_MHz");
        double want = ks_table_num(&f.plan.hosts, h, "cpu_peak_pct");
        assert_true(fabs(e.host_peak_mhz[h] / cap * 100 - want) <= 0.051);
        assert_int_equal(e.host_nvm[h], (size_t)ks_table_num(&f.plan.hosts, h, "vms"));
        assert_true(e.host_sum_peaks_mhz[h] >= e.host_peak_mhz[h]);
        total += e.host_nvm[h];
    }
    assert_int_equal(total, 10);
    /* app01 reports from noon only and misses every 5th step: 48 - 9 of 96 windows. */
    long app = ks_dataset_find(f.ds, "app01");
    assert_true(fabs(e.st[app].cover_pct - 100.0 * 39 / 96) < 1e-9);
    assert_int_equal(e.st[app].stars, 3);
    assert_int_equal(e.st[ks_dataset_find(f.ds, "db01")].stars, 5);
    rpt_estate_fini(&e);
    fx_free(&f);
}

static void
test_bind_foreign_plan(void **state)
{
    (void)state;
    struct fx f;
    struct ks_err err = {0};
    fx_load(&f, "foreign_plan");
    assert_int_equal(rpt_plan_bind(&f.plan, f.ds, "ds", f.ent_host, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "placement.csv:2: column 'entity': 'mail01' is not in dataset ds"));
    assert_non_null(strstr(err.msg, "another dataset"));
    fx_free(&f);
}

static void
test_bind_missing_and_twice(void **state)
{
    (void)state;
    struct fx f;
    struct ks_err err = {0};
    fx_load(&f, "basic/plan");
    /* Drop the last placement row: that entity is not placed. */
    f.plan.placement.nrows--;
    assert_int_equal(rpt_plan_bind(&f.plan, f.ds, "ds", f.ent_host, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "entity 'app01' of dataset ds is not placed"));
    /* Place row 1's entity twice. */
    f.plan.placement.nrows++;
    ks_err_clear(&err);
    int c = ks_table_col(&f.plan.placement, "entity");
    ks_table_set(&f.plan.placement, 1, c, "web01");
    assert_int_equal(rpt_plan_bind(&f.plan, f.ds, "ds", f.ent_host, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "placement.csv:3: column 'entity': 'web01' is placed twice"));
    /* A host hosts.csv does not know. */
    ks_table_set(&f.plan.placement, 1, c, "web02");
    ks_table_set(&f.plan.placement, 1, ks_table_col(&f.plan.placement, "host"), "host99");
    ks_err_clear(&err);
    assert_int_equal(rpt_plan_bind(&f.plan, f.ds, "ds", f.ent_host, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "'host99' is not in hosts.csv"));
    fx_free(&f);
}

static void
test_plan_missing_file(void **state)
{
    (void)state;
    struct rpt_plan p;
    struct ks_err err = {0};
    char *d = tu_tmpdir();
    tu_write(d, "placement.csv", "entity,host,host_model\n");
    assert_true(rpt_plan_read(d, &p, &err) < 0);
    assert_non_null(strstr(err.msg, "hosts.csv"));
    ks_err_clear(&err);
    assert_true(rpt_plan_read("/nonexistent/plan", &p, &err) < 0);
    assert_non_null(strstr(err.msg, "no such plan directory"));
    tu_rmrf(d);
    free(d);
}

static void
test_heat_downsample(void **state)
{
    (void)state;
    struct fx f;
    struct ks_err err = {0};
    struct rpt_estate e;
    struct rpt_heat h;
    fx_load(&f, "basic/plan");
    assert_int_equal(rpt_plan_bind(&f.plan, f.ds, "ds", f.ent_host, &err), 0);
    assert_int_equal(rpt_estate_build(f.ds, f.ent_host, f.plan.hosts.nrows, 100, NULL, &e, &err), 0);
    rpt_heat_build(&e, 3600, &h);
    assert_int_equal(h.ncols, 24);
    assert_int_equal(h.nrows, 10);
    assert_true(h.step_s == 3600);
    /* Rows busiest first; each cell is the max of its four 15-minute windows. */
    for (size_t r = 1; r < h.nrows; r++)
        assert_true(e.st[h.row_ent[r - 1]].cpu_mean_pct >= e.st[h.row_ent[r]].cpu_mean_pct ||
                    isnan(e.st[h.row_ent[r]].cpu_mean_pct));
    size_t ent = h.row_ent[0];
    for (size_t c = 0; c < h.ncols; c++) {
        double mx = -1;
        for (size_t k = c * 4; k < c * 4 + 4; k++)
            mx = fmax(mx, e.pct[ent * 96 + k]);
        assert_true(h.v[c] == mx);
    }
    rpt_heat_fini(&h);
    rpt_estate_fini(&e);
    fx_free(&f);
}

static void
test_sim_read(void **state)
{
    (void)state;
    struct ks_table t;
    struct ks_err err = {0};
    char *p = fixture("sim_unknown_cols.csv");
    assert_int_equal(rpt_sim_read(p, &t, &err), 0);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(ks_table_str(&t, 1, "operator_note"), "with a comma, quoted");
    ks_table_fini(&t);
    free(p);
    char *d = tu_tmpdir();
    tu_write(d, "bad.csv", "workload,lat_p99_us\nrandread,12\nseq,fast\n");
    p = ks_xasprintf("%s/bad.csv", d);
    assert_true(rpt_sim_read(p, &t, &err) < 0);
    assert_non_null(strstr(err.msg, "bad.csv:3: column 'lat_p99_us': 'fast' is not a number"));
    ks_err_clear(&err);
    tu_write(d, "bad.csv", "name,lat_p99_us\nrandread,12\n");
    assert_true(rpt_sim_read(p, &t, &err) < 0);
    assert_non_null(strstr(err.msg, "missing column 'workload'"));
    free(p);
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt),
        cmocka_unit_test(test_stars),
        cmocka_unit_test(test_percentile_select),
        cmocka_unit_test(test_golden_heatmap),
        cmocka_unit_test(test_golden_stack),
        cmocka_unit_test(test_golden_bars),
        cmocka_unit_test(test_golden_lines),
        cmocka_unit_test(test_gp_available),
        cmocka_unit_test(test_bind_ok_and_recompute),
        cmocka_unit_test(test_bind_foreign_plan),
        cmocka_unit_test(test_bind_missing_and_twice),
        cmocka_unit_test(test_plan_missing_file),
        cmocka_unit_test(test_heat_downsample),
        cmocka_unit_test(test_sim_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
