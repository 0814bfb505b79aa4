/* Unit tests of sizing for risk (model/mdl_risk_size.c, docs/risk.md "Sizing for risk"):
 * on a room of steady VMs and VMs idle but for a three-hour spike at their own hour (the
 * PlanetLab pattern: spikes that miss each other in training may meet later), every
 * host's tail, peak and margin are recomputed here from the data and the placement, and
 * a replay on a day where every spike comes at once loads the risk-sized plan's worst
 * host less than the plan without margins does. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/mdl_risk_size.h"
#include "tests/unit/test_risk_fx.h"

#define T0 1700006400.0 /* a Monday 00:00 UTC */
#define HOURS 48
#define NSPIKY 10
#define NSTEADY 4
#define N (NSPIKY + NSTEADY)

/* CPU MHz of VM e at hour h; all_at_once: every spike at hour 10 (the test day). */
static double
cpu(size_t e, size_t h, int all_at_once)
{
    if (e >= NSPIKY)
        return 1500;
    size_t at = all_at_once ? 10 : 2 + e * 4; /* hours 2..41, three long */
    return h >= at && h < at + 3 ? 1900 : 150;
}

static struct ks_dataset *
make_ds(size_t hours, int all_at_once)
{
    static const char *const names[N] = {"s0", "s1", "s2", "s3", "s4", "s5", "s6",
                                         "s7", "s8", "s9", "w0", "w1", "w2", "w3"};
    struct ks_dataset *ds = ks_dataset_new();
    for (size_t e = 0; e < N; e++) {
        ks_dataset_add_entity(ds, names[e], "vm");
        ks_inv_set_num(ds, e, "cores", 2);
        ks_inv_set_num(ds, e, "core_MHz", 1000);
        ks_inv_set_num(ds, e, "mem_MiB", 1024);
    }
    ds->has_samples = 1;
    double m[KS_NMETRIC];
    for (size_t h = 0; h < hours; h++)
        for (size_t e = 0; e < N; e++) {
            for (int k = 0; k < KS_NMETRIC; k++)
                m[k] = NAN;
            m[KS_CPU_MHZ] = cpu(e, h, all_at_once);
            m[KS_MEM_USED_MIB] = 512;
            ks_samples_append(&ds->s, T0 + 3600.0 * (double)(h + 1), (uint32_t)e, 3600, m);
        }
    return ds;
}

static void
test_size_for_risk(void **state)
{
    struct fx *f = *state;
    struct ks_err err = {0};
    const struct mdl_catalog *cat = f->cat;
    const struct mdl_policy pol = f->pol;
    struct ks_dataset *ds = make_ds(HOURS, 0);
    struct mdl_window tw = {T0, T0 + HOURS * 3600.0};
    struct mdl_risk_size z;
    struct mdl_plan *pl = NULL, *plain = NULL;
    assert_int_equal(mdl_risk_size(ds, &tw, "t", &pol, cat, 0.1, &z, &pl, &err), 0);
    assert_int_equal(mdl_plan_run(ds, "t", &pol, cat, &plain, &err), 0);
    assert_int_equal(z.nhosts, pl->nhosts);
    /* The fit part is the first 36 hours, the held-back part the last 12. */
    assert_true(z.fit.to_s == T0 + 36 * 3600.0 && z.hold.from_s == z.fit.to_s);

    /* Each host recomputed: its sum's mean and peak; the tail is at or above the peak
     * and below the sum of its members' own peaks; the margin follows its definition. */
    int some_margin = 0;
    for (size_t h = 0; h < pl->nhosts; h++) {
        double mean = 0, peak = 0, peaks = 0;
        for (size_t t = 0; t < HOURS; t++) {
            double L = 0;
            for (size_t e = 0; e < N; e++)
                L += pl->host_of[e] == (long)h ? cpu(e, t, 0) : 0;
            mean += L / HOURS;
            peak = fmax(peak, L);
        }
        for (size_t e = 0; e < N; e++)
            peaks += pl->host_of[e] == (long)h ? (e < NSPIKY ? 1900 : 1500) : 0;
        const struct mdl_risk_size_host *H = &z.h[h];
        assert_true(fabs(H->peak[0] - peak) < 1e-6);
        assert_true(H->tail[0] >= peak - 1e-6 && H->tail[0] <= peaks + 1e-6);
        double want = fmax(0, mean + z.kappa[0] * (H->tail[0] - mean) - peak);
        assert_true(fabs(H->margin[0] - want) < 1e-6 * fmax(1, want));
        assert_true(H->margin[1] == 0); /* memory is constant: no margin */
        some_margin |= H->margin[0] > 0;
    }
    assert_true(some_margin);
    assert_true(pl->nhosts >= plain->nhosts);

    /* The day the spikes meet: the risk-sized plan overloads fewer host-steps. */
    struct ks_dataset *day = make_ds(24, 1);
    struct mdl_risk rs, rp;
    assert_int_equal(mdl_risk_backtest(pl, day, &rs, &err), 0);
    assert_int_equal(mdl_risk_backtest(plain, day, &rp, &err), 0);
    assert_true(rp.share_pct[0] > 0);
    assert_true(rs.worst_pct < rp.worst_pct);
    mdl_risk_fini(&rs);
    mdl_risk_fini(&rp);
    ks_dataset_free(day);

    mdl_plan_free(pl);
    mdl_plan_free(plain);
    mdl_risk_size_fini(&z);
    ks_dataset_free(ds);
}

/* A training window too short to hold back a quarter of it: an error saying so. */
static void
test_size_too_short(void **state)
{
    struct fx *f = *state;
    struct ks_err err = {0};
    struct ks_dataset *ds = make_ds(12, 0);
    struct mdl_window tw = {T0, T0 + 12 * 3600.0};
    struct mdl_risk_size z;
    struct mdl_plan *pl = NULL;
    assert_int_equal(mdl_risk_size(ds, &tw, "t", &f->pol, f->cat, 0.1, &z, &pl, &err),
                     -ERANGE);
    assert_non_null(strstr(err.msg, "too short"));
    assert_null(pl);
    mdl_risk_size_fini(&z);
    ks_dataset_free(ds);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_size_for_risk, risk_setup, risk_teardown),
        cmocka_unit_test_setup_teardown(test_size_too_short, risk_setup, risk_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
