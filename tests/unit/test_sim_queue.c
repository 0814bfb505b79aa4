/*
 * simulate: the closed forms of queueing theory (shared/reference.md, "Closed forms a
 * simulator must reproduce"). Each test runs >= 30 independent replications with the
 * warm-up deleted and asserts that the analytic value lies inside the 99% Student-t
 * confidence interval of the replication means.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "simulate/sim_config.h"
#include "simulate/sim_run.h"

static struct sim_config *
cfg(const char *text)
{
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    int rc = sim_config_read_string(text, "test.ini", &c, &err);
    if (rc < 0)
        fail_msg("config: %s", err.msg);
    return c;
}

static struct sim_result *
run(const struct sim_config *c, int threads)
{
    struct sim_result *r = NULL;
    struct sim_run_opts o = {.threads = threads};
    struct ks_err err = {0};
    assert_int_equal(sim_run(c, &o, &r, &err), 0);
    return r;
}

/* 99% CI of a per-replication value (selected by get) must contain want. */
static void
assert_ci99(const struct sim_result *r, size_t wl, double (*get)(const struct sim_wl_rep *),
            double want, const char *what)
{
    double v[1024], mean, half;
    size_t n = r->nrep < 1024 ? r->nrep : 1024;
    for (size_t k = 0; k < n; k++)
        v[k] = get(&r->rep[k].wl[wl]);
    sim_ci(v, n, 0.99, &mean, &half);
    print_message("  %-28s analytic %10.4f  sim %10.4f +- %.4f (99%%, %zu reps)\n", what, want,
                  mean, half, n);
    if (!(fabs(mean - want) <= half))
        fail_msg("%s: analytic %g outside %g +- %g", what, want, mean, half);
}

static double get_w_ms(const struct sim_wl_rep *w) { return w->lat_mean_ns / 1e6; }
static double get_p99_ms(const struct sim_wl_rep *w) { return w->lat_pct_ns[2] / 1e6; }

/* One generic device with the given servers, service and arrival process. */
static struct sim_result *
queue_run(const char *service, int servers, const char *arrival, double dur_s, int reps)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[sim]\nduration_s = %g\nwarmup_s = 2\nreplications = %d\nseed = 7\n"
             "[device d]\nkind = generic\nservers = %d\nservice = %s\n"
             "[workload w]\ndevice = d\narrival = %s\n",
             dur_s, reps, servers, service, arrival);
    struct sim_config *c = cfg(text);
    struct sim_result *r = run(c, 0);
    sim_config_free(c);
    return r;
}

static void
test_mm1(void **state)
{
    (void)state;
    struct sim_result *r = queue_run("exp:1ms", 1, "poisson:800/s", 60, 30);
    assert_ci99(r, 0, get_w_ms, 5.0, "M/M/1 W (ms)");
    assert_ci99(r, 0, get_p99_ms, log(100) * 5.0, "M/M/1 p99 (ms)");
    sim_result_free(r);
}

static void
test_md1(void **state)
{
    (void)state;
    struct sim_result *r = queue_run("det:1ms", 1, "poisson:800/s", 60, 30);
    assert_ci99(r, 0, get_w_ms, 3.0, "M/D/1 W (ms)");
    sim_result_free(r);
}

static void
test_mg1_hyperexp(void **state)
{
    (void)state;
    /* Pollaczek-Khinchine: W = E[S] + lambda E[S^2] / (2 (1 - rho)), E[S^2] = (1 + cv2)
     * E[S]^2 = 5 ms^2: W = 1 + 0.8 * 5 / 0.4 = 11 ms. */
    struct sim_result *r = queue_run("hyperexp:mean=1ms,cv2=4", 1, "poisson:800/s", 120, 30);
    assert_ci99(r, 0, get_w_ms, 11.0, "M/G/1 H2 W (ms)");
    sim_result_free(r);
}

static void
test_mmc_erlang_c(void **state)
{
    (void)state;
    /* c = 2, a = lambda/mu = 1.6, rho = 0.8. */
    double a = 1.6, rho = 0.8, top = a * a / 2 / (1 - rho);
    double C = top / (1 + a + top), W = C / (2 * 1.0 - 1.6) + 1.0;
    assert_true(fabs(W - 2.7778) < 1e-3); /* the worked example of reference.md */
    struct sim_result *r = queue_run("exp:1ms", 2, "poisson:1600/s", 60, 30);
    assert_ci99(r, 0, get_w_ms, W, "M/M/2 W (ms)");
    sim_result_free(r);
}

static void
test_dd1_fixed_arrivals(void **state)
{
    (void)state;
    /* D/D/1 at rho = 0.8: nobody ever waits; every sojourn is the 1 ms service. */
    struct sim_result *r = queue_run("det:1ms", 1, "fixed:800/s", 10, 3);
    assert_true(r->sum[0].lat_mean_ns == 1e6);
    assert_true(r->sum[0].lat_ci95_ns == 0);
    assert_true(fabs(r->sum[0].thr_per_s - 800) < 0.2);
    sim_result_free(r);
}

static void
test_jackson_feedback(void **state)
{
    (void)state;
    /* External 300/s into A, then B; after B back to A with p = 0.5. Each station sees
     * 600/s; A: mu = 1000/s, B: mu = 1500/s. Mean visits 2: W = 2 (1/400 + 1/900) s. */
    const char *text = "[sim]\nduration_s = 60\nwarmup_s = 2\nreplications = 30\nseed = 3\n"
                       "[device A]\nservice = exp:1ms\n"
                       "[device B]\nservice = exp:666.6667us\n"
                       "[workload w]\ndevice = A,B\nfeedback_pct = 50\n"
                       "arrival = poisson:300/s\n";
    struct sim_config *c = cfg(text);
    struct sim_result *r = run(c, 0);
    assert_ci99(r, 0, get_w_ms, 2e3 * (1.0 / 400 + 1.0 / 900), "Jackson A<->B W (ms)");
    /* Utilizations: rho_A = 0.6, rho_B = 0.4 (the last two resources). */
    assert_true(fabs(r->res_util[r->nres - 2] - 0.6) < 0.01);
    assert_true(fabs(r->res_util[r->nres - 1] - 0.4) < 0.01);
    sim_result_free(r);
    sim_config_free(c);
}

static void
test_little_sample_path(void **state)
{
    (void)state;
    /* Arrivals stop at duration_s and the run drains: the path starts and ends empty,
     * so integral of N(t) equals the sum of sojourn times exactly (integer ns). */
    const char *text = "[sim]\nduration_s = 20\nwarmup_s = 0\ndrain = true\nseed = 11\n"
                       "[device d]\nservers = 3\nservice = lognormal:mean=2ms,cv=1.5\n"
                       "[workload w]\ndevice = d\narrival = poisson:1200/s\n";
    struct sim_config *c = cfg(text);
    struct sim_rep rep = {0};
    rep.util = calloc(sim_nres(c), sizeof *rep.util);
    rep.wl = calloc(1, sizeof *rep.wl);
    sim_replicate(c, 11, 0, &rep, NULL);
    const struct sim_wl_rep *w = &rep.wl[0];
    assert_true(w->completed > 20000);
    assert_int_equal(w->completed, w->arrived);
    assert_true(w->area_ns == w->sum_w_ns);
    double T = (double)rep.end_ns, L = (double)w->area_ns / T;
    double lw = (double)w->completed / T * ((double)w->sum_w_ns / (double)w->completed);
    print_message("  Little: L = %.12f, lambda W = %.12f\n", L, lw);
    assert_true(fabs(L - lw) <= 1e-12 * L);
    free(rep.util);
    free(rep.wl);
    sim_config_free(c);
}

static void
test_threads_identical(void **state)
{
    (void)state;
    const char *text = "[sim]\nduration_s = 5\nwarmup_s = 1\nreplications = 7\nseed = 5\n"
                       "[iommu]\nenabled = true\n"
                       "[device n]\nkind = nic\ncoalesce = 4\ncoalesce_us = 20\n"
                       "[vm v]\nmode = virtio\nvcpus = 2\n"
                       "[workload a]\nvm = v\ndevice = n\narrival = poisson:20000/s\n"
                       "size = 9000\npages = 512\naccess = zipf:1.1\n"
                       "[workload b]\ndevice = n\narrival = closed:iodepth=4\n"
                       "think = exp:200us\n";
    struct sim_config *c = cfg(text);
    struct sim_result *r1 = run(c, 1), *r3 = run(c, 3);
    for (size_t k = 0; k < r1->nrep; k++)
        assert_memory_equal(r1->rep[k].wl, r3->rep[k].wl, c->nwl * sizeof *r1->rep[k].wl);
    assert_memory_equal(r1->sum, r3->sum, c->nwl * sizeof *r1->sum);
    assert_memory_equal(r1->hist[0].c, r3->hist[0].c, SIM_HIST_NB * sizeof(uint64_t));
    assert_true(r1->sum[0].completed > 0 && r1->sum[1].completed > 0);
    sim_result_free(r1);
    sim_result_free(r3);
    sim_config_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mm1),
        cmocka_unit_test(test_md1),
        cmocka_unit_test(test_mg1_hyperexp),
        cmocka_unit_test(test_mmc_erlang_c),
        cmocka_unit_test(test_dd1_fixed_arrivals),
        cmocka_unit_test(test_jackson_feedback),
        cmocka_unit_test(test_little_sample_path),
        cmocka_unit_test(test_threads_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
