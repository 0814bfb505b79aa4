/* Unit tests of plan risk (model/mdl_risk*.c) and its chart (report/rpt_risk_chart.c):
 * instants and windows, sub-datasets of a window, a backtest with hand-computed
 * overloads, growth months, sweep specs, the golden sweep chart. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "model/mdl_risk.h"
#include "report/rpt_risk.h"
#include "test_util.h"

static void
test_time_parse(void **state)
{
    (void)state;
    double t;
    assert_int_equal(mdl_time_parse("2011-03-03", 0, &t), 0);
    assert_true(t == 1299110400);
    assert_int_equal(mdl_time_parse("2011-03-03", 1, &t), 0); /* end of that day */
    assert_true(t == 1299110400 + 86400);
    assert_int_equal(mdl_time_parse("2011-03-03T06:30", 1, &t), 0);
    assert_true(t == 1299110400 + 6.5 * 3600);
    assert_int_equal(mdl_time_parse("1299110400", 0, &t), 0);
    assert_true(t == 1299110400);
    assert_int_equal(mdl_time_parse("2011-02-30", 0, &t), -EINVAL); /* no such day */
    assert_int_equal(mdl_time_parse("2011-3-3", 0, &t), -EINVAL);
    assert_int_equal(mdl_time_parse("2011-03-03T25:00", 0, &t), -EINVAL);
    assert_int_equal(mdl_time_parse("soon", 0, &t), -EINVAL);
    assert_int_equal(mdl_time_parse("", 0, &t), -EINVAL);
}

static void
test_window_parse(void **state)
{
    (void)state;
    struct mdl_window w;
    struct ks_err err = {0};
    char b[64];
    assert_int_equal(mdl_window_parse("2011-03-03..2011-03-03", &w, &err), 0);
    assert_string_equal(mdl_window_fmt(b, sizeof b, &w), "2011-03-03T00:00Z..2011-03-04T00:00Z");
    assert_int_equal(mdl_window_parse("100..50", &w, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "TO is not after FROM"));
    ks_err_clear(&err);
    assert_int_equal(mdl_window_parse("2011-03-03", &w, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "FROM..TO"));
}

static void
test_sweep_parse(void **state)
{
    (void)state;
    struct mdl_sweep_dim d;
    struct ks_err err = {0};
    assert_int_equal(mdl_sweep_parse("headroom=0:40:5", &d, &err), 0);
    assert_string_equal(d.key, "headroom");
    assert_true(d.from == 0 && d.to == 40 && d.step == 5);
    assert_int_equal(mdl_sweep_parse("percentile=90:100:1", &d, &err), 0);
    assert_int_equal(mdl_sweep_parse("headroom=0:40", &d, &err), -EINVAL);
    assert_int_equal(mdl_sweep_parse("headroom=0:40:0", &d, &err), -EINVAL);
    assert_int_equal(mdl_sweep_parse("ha=0:2:1", &d, &err), -EINVAL);
    assert_int_equal(mdl_sweep_parse("headroom=0:1000:0.001", &d, &err), -EINVAL);
}

/* Four hourly steps per VM; v[e][t] CPU MHz, memory 100 MiB throughout. */
static struct ks_dataset *
tiny(const char *const *names, size_t n, const double (*v)[4], double t0)
{
    struct ks_dataset *ds = ks_dataset_new();
    for (size_t e = 0; e < n; e++) {
        ks_dataset_add_entity(ds, names[e], "vm");
        ks_inv_set_num(ds, e, "cores", 2);
        ks_inv_set_num(ds, e, "core_MHz", 1000);
        ks_inv_set_num(ds, e, "mem_MiB", 512);
    }
    ds->has_samples = 1;
    double m[KS_NMETRIC];
    for (size_t t = 0; t < 4; t++)
        for (size_t e = 0; e < n; e++) {
            for (int k = 0; k < KS_NMETRIC; k++)
                m[k] = NAN;
            m[KS_CPU_MHZ] = v[e][t];
            m[KS_MEM_USED_MIB] = 100;
            ks_samples_append(&ds->s, t0 + 3600.0 * (double)(t + 1), (uint32_t)e, 3600, m);
        }
    return ds;
}

static void
test_window_subset(void **state)
{
    (void)state;
    static const char *const names[] = {"a", "b"};
    static const double v[2][4] = {{1, 2, 3, 4}, {5, 6, 7, 8}};
    struct ks_dataset *ds = tiny(names, 2, v, 0), *w = NULL;
    struct ks_err err = {0};
    /* (3600, 7200]: the second step only, demand doubled. */
    assert_int_equal(mdl_dataset_window(ds, &(struct mdl_window){3600, 7200}, 2, "test", &w, &err), 0);
    assert_int_equal(w->s.nrows, 2);
    assert_true(ks_samples_get(&w->s, 0, KS_CPU_MHZ) == 4);
    assert_true(ks_samples_get(&w->s, 1, KS_MEM_USED_MIB) == 200);
    assert_true(ks_inv_num(w, 0, "mem_MiB") == 1024);
    ks_dataset_free(w);
    assert_int_equal(mdl_dataset_window(ds, &(struct mdl_window){1e9, 2e9}, 1, "test", &w, &err),
                     -ERANGE);
    assert_non_null(strstr(err.msg, "holds no sample"));
    ks_dataset_free(ds);
}

/* A hand-made plan: one host of 1000 MHz / 1000 MiB carrying a, b and d. */
static struct mdl_plan *
hand_plan(void)
{
    static const char *const names[] = {"a", "b", "d"};
    struct mdl_plan *pl = ks_xcalloc(1, sizeof *pl);
    mdl_policy_defaults(&pl->pol);
    pl->nent = 3;
    pl->ent_names = ks_xmalloc(3 * sizeof *pl->ent_names);
    pl->host_of = ks_xmalloc(3 * sizeof *pl->host_of);
    for (size_t e = 0; e < 3; e++) {
        pl->ent_names[e] = ks_xstrdup(names[e]);
        pl->host_of[e] = 0;
    }
    pl->nhosts = 1;
    pl->hosts = ks_xcalloc(1, sizeof *pl->hosts);
    pl->hosts[0].cpu_cap_MHz = 1000;
    pl->hosts[0].mem_cap_MiB = 1000;
    return pl;
}

static void
test_backtest(void **state)
{
    (void)state;
    /* Sums of a + b: 900, 1100, 1100, 200 MHz -> 2 of 4 steps over, a run of 2, worst
     * 110%; c is not in the plan, d (placed) is not in the test window. */
    static const char *const names[] = {"a", "b", "c"};
    static const double v[3][4] = {{400, 600, 700, 100}, {500, 500, 400, 100}, {9, 9, 9, 9}};
    struct ks_dataset *ds = tiny(names, 3, v, 0);
    struct mdl_plan *pl = hand_plan();
    struct mdl_risk r;
    struct ks_err err = {0};
    assert_int_equal(mdl_risk_backtest(pl, ds, &r, &err), 0);
    assert_int_equal(r.steps, 4);
    assert_int_equal(r.over[0], 2);
    assert_int_equal(r.over[1], 0);
    assert_true(fabs(r.share_pct[0] - 50) < 1e-9);
    assert_true(fabs(r.worst_pct - 110) < 1e-9);
    assert_int_equal(r.longest_run, 2);
    assert_int_equal(r.h[0].vms, 2);
    assert_int_equal(r.common, 2);
    assert_string_equal(r.h[0].top_vms, "a;b"); /* worst step 1: a 600, b 500 */
    assert_int_equal(r.nmiss_train, 1);
    assert_string_equal(r.miss_train[0], "c");
    assert_int_equal(r.nmiss_test, 1);
    assert_string_equal(r.miss_test[0], "d");
    /* Growth: the 900 MHz steps cross 1000 once f > 1.111; at 10%/year that is after
     * 12 x ln(1.1111)/ln(1.1) = 13.26 months, so the plan holds 13 (target 50%). */
    assert_int_equal(mdl_risk_holds_months(&r, 10, 50, 240), 13);
    assert_int_equal(mdl_risk_holds_months(&r, 10, 10, 240), -1);
    assert_int_equal(mdl_risk_holds_months(&r, 0, 50, 240), 240);
    assert_true(fabs(mdl_risk_share_at(&r, 0.5)) < 1e-12);
    mdl_risk_fini(&r);
    mdl_plan_free(pl);
    ks_dataset_free(ds);
}

static void
test_backtest_no_common(void **state)
{
    (void)state;
    static const char *const names[] = {"x"};
    static const double v[1][4] = {{1, 1, 1, 1}};
    struct ks_dataset *ds = tiny(names, 1, v, 0);
    struct mdl_plan *pl = hand_plan();
    struct mdl_risk r;
    struct ks_err err = {0};
    assert_int_equal(mdl_risk_backtest(pl, ds, &r, &err), -ERANGE);
    assert_non_null(strstr(err.msg, "no entity in common"));
    mdl_risk_fini(&r);
    mdl_plan_free(pl);
    ks_dataset_free(ds);
}

/* One VM sampled hourly over `days` days from time 0. */
static struct ks_dataset *
hourly(int days)
{
    struct ks_dataset *ds = ks_dataset_new();
    ks_dataset_add_entity(ds, "a", "vm");
    ds->has_samples = 1;
    double m[KS_NMETRIC];
    for (int k = 0; k < KS_NMETRIC; k++)
        m[k] = NAN;
    m[KS_CPU_MHZ] = m[KS_MEM_USED_MIB] = 1;
    for (int h = 1; h <= days * 24; h++)
        ks_samples_append(&ds->s, 3600.0 * h, 0, 3600, m);
    return ds;
}

static void
test_splits(void **state)
{
    (void)state;
    struct ks_err err = {0};
    struct mdl_window tr, te, *f = NULL;
    struct ks_dataset *ds = hourly(21);
    assert_int_equal(mdl_risk_default_split(ds, &tr, &te, &err), 0);
    assert_true(tr.from_s == 0 && tr.to_s == 14 * 86400);
    assert_true(te.from_s == 14 * 86400 && te.to_s == 21 * 86400);
    /* Three weeks: train 1 -> test 2, train 2 -> test 3. */
    assert_int_equal(mdl_risk_rolling_folds(ds, &f, &err), 2);
    assert_true(f[2].from_s == 7 * 86400 && f[3].to_s == 21 * 86400);
    free(f);
    ks_dataset_free(ds);
    ds = hourly(13);
    assert_int_equal(mdl_risk_default_split(ds, &tr, &te, &err), -ERANGE);
    assert_non_null(strstr(err.msg, "needs 14"));
    ks_err_clear(&err);
    assert_int_equal(mdl_risk_rolling_folds(ds, &f, &err), -ERANGE);
    ks_dataset_free(ds);
}

static void
test_golden_chart(void **state)
{
    (void)state;
    static const double hosts[] = {10, 11, 13}, cpu[] = {1.15, 0.16, 0}, mem[] = {0, 0, NAN};
    static const char *const labels[] = {"headroom=0", "headroom=10", "headroom=20"};
    struct rpt_risk_curve c = {.name = "risk_sweep", .title = "Hosts against 'risk'",
                               .npts = 3, .hosts = hosts, .cpu = cpu, .mem = mem,
                               .labels = labels, .target_pct = 0.1, .advice = 2};
    char *script = rpt_gp_risk(&c);
    tu_golden("risk/risk_sweep.gp", script);
    assert_non_null(strstr(script, "set terminal svg"));
    assert_non_null(strstr(script, "set terminal pngcairo"));
    assert_non_null(strstr(script, "'Hosts against ''risk'''")); /* quote escaped */
    free(script);
}

/* The curve runs by host count, riskiest first at one count, whatever the sweep order;
 * a tic per host while the counts are few. */
static void
test_chart_order(void **state)
{
    (void)state;
    static const double hosts[] = {8, 8, 8, 9}, cpu[] = {0.68, 0, 0.17, 0}, mem[] = {0, 0, 0, 0};
    static const char *const labels[] = {"h=20", "h=25", "h=30", "h=35"};
    struct rpt_risk_curve c = {.name = "risk_sweep", .title = "t", .npts = 4, .hosts = hosts,
                               .cpu = cpu, .mem = mem, .labels = labels, .target_pct = 0.1,
                               .advice = 1};
    char *script = rpt_gp_risk(&c);
    const char *a = strstr(script, "\"h=20\""), *b = strstr(script, "\"h=30\""),
               *d = strstr(script, "\"h=25\""), *e = strstr(script, "\"h=35\"");
    assert_true(a && b && d && e);
    assert_true(a < b && b < d && d < e);
    assert_non_null(strstr(script, "set xtics 1\n"));
    free(script);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse),      cmocka_unit_test(test_chart_order),      cmocka_unit_test(test_window_parse),
        cmocka_unit_test(test_sweep_parse),     cmocka_unit_test(test_window_subset),
        cmocka_unit_test(test_backtest),        cmocka_unit_test(test_backtest_no_common),
        cmocka_unit_test(test_splits),          cmocka_unit_test(test_golden_chart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
