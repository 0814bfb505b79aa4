/*
 * simulate: the calibration cases of docs/sim.md ("Calibration"), from
 * datasets/sim/calib/cases.csv: each row names a published figure, the configuration
 * that reproduces it, the workload and metric compared, the tolerance and whether the
 * figure was fitted (parameters were solved from it) or is a prediction. Every case runs;
 * a figure outside its tolerance fails the test (a fitted one drifting means a model
 * change moved a calibrated result; a prediction's tolerance is its stated error bound).
 *
 * Metrics: line_pct (throughput over the NIC's frame rate at line rate), rel_pct:W
 * (throughput over workload W's), goodput_Gbps (frames/s x 1,448 B of TCP payload),
 * exits_per_s.
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
#include "simulate/sim_run.h"
#include "tests/unit/test_sim_util.h"

#define MAX_CASES 64

struct calib_case {
    char name[128], config[128], workload[64], metric[64], role[16];
    double published, tol;
};

static int
read_cases(const char *path, struct calib_case *cs)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: cannot open", path);
    char line[2048];
    int n = 0;
    if (!fgets(line, sizeof line, f))
        fail_msg("%s: empty", path);
    while (n < MAX_CASES && fgets(line, sizeof line, f)) {
        struct calib_case *c = &cs[n];
        if (sscanf(line, "%127[^,],%127[^,],%63[^,],%63[^,],%lf,%lf,%15[^,],", c->name, c->config,
                   c->workload, c->metric, &c->published, &c->tol, c->role) != 7)
            fail_msg("%s: line %d does not read as a case", path, n + 2);
        n++;
    }
    fclose(f);
    return n;
}

static size_t
wl_index(const struct sim_config *c, const char *name)
{
    for (size_t i = 0; i < c->nwl; i++)
        if (strcmp(c->wl[i].name, name) == 0)
            return i;
    fail_msg("%s has no workload %s", c->path, name);
    return 0;
}

/* The case's metric from a finished run. */
static double
metric(const struct calib_case *k, const struct sim_config *c, const struct sim_result *r)
{
    size_t i = wl_index(c, k->workload);
    const struct sim_wl_sum *s = &r->sum[i];
    if (strcmp(k->metric, "line_pct") == 0) {
        const struct sim_device *d = &c->dev[c->wl[i].dev[0]];
        return 100 * s->thr_per_s * sim_nic_wire_ns(d, c->wl[i].size_B) / 1e9;
    }
    if (strncmp(k->metric, "rel_pct:", 8) == 0)
        return 100 * s->thr_per_s / r->sum[wl_index(c, k->metric + 8)].thr_per_s;
    if (strcmp(k->metric, "goodput_Gbps") == 0)
        return s->thr_per_s * 1448 * 8 / 1e9;
    if (strcmp(k->metric, "exits_per_s") == 0)
        return s->exits_per_op * s->thr_per_s;
    fail_msg("unknown metric %s", k->metric);
    return 0;
}

static void
test_calibration_cases(void **state)
{
    (void)state;
    const char *root = getenv("KASANE_ROOT") ? getenv("KASANE_ROOT") : ".";
    static struct calib_case cs[MAX_CASES];
    char *path = ks_xasprintf("%s/datasets/sim/calib/cases.csv", root);
    int n = read_cases(path, cs), fitted = 0, predicted = 0, bad = 0;
    free(path);
    struct sim_config *c = NULL;
    struct sim_result *r = NULL;
    const char *loaded = "";
    for (int k = 0; k < n; k++) {
        if (strcmp(loaded, cs[k].config) != 0) { /* cases of one config are adjacent */
            sim_result_free(r);
            sim_config_free(c);
            char *p = ks_xasprintf("%s/%s", root, cs[k].config);
            struct ks_err err = {0};
            if (sim_config_read(p, &c, &err) < 0)
                fail_msg("%s", err.msg);
            free(p);
            r = run(c);
            loaded = cs[k].config;
        }
        double v = metric(&cs[k], c, r), e = v - cs[k].published;
        int ok = fabs(e) <= cs[k].tol;
        print_message("  %-9s %-48s published %9.2f  simulated %9.2f  error %+8.2f (tol %g)%s\n",
                      cs[k].role, cs[k].name, cs[k].published, v, e, cs[k].tol, ok ? "" : "  OUT");
        fitted += strcmp(cs[k].role, "fitted") == 0;
        predicted += strcmp(cs[k].role, "predicted") == 0;
        bad += !ok;
    }
    sim_result_free(r);
    sim_config_free(c);
    assert_true(fitted >= 3 && predicted >= 3 && fitted + predicted == n);
    assert_int_equal(bad, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calibration_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
