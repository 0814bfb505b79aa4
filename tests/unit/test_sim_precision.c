/*
 * simulate: statistics across replications: the ratio estimator of the mean latency,
 * the precision target (a first stage sizes the final count, which is then run), a
 * sanity check of its coverage on an M/M/1 queue at rho = 0.9, the intervals on
 * percentiles and the low_samples flag.
 *
 * Coverage: many independent runs (base seeds 1..N), each with the precision target;
 * the share whose 95% interval holds the closed-form mean W = 1 / (mu - lambda) is the
 * coverage, which should be 95%. make check runs a small version (N = 60 at 10%);
 * KASANE_COVERAGE_RUNS=N and KASANE_COVERAGE_PCT=P run a larger one (bench/bench_sim.sh
 * runs 400 at 5% with the binary; docs/sim.md "Coverage" has 1,200).
 */
#include <errno.h>
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
#include "simulate/sim_csv.h"
#include "simulate/sim_rng.h"
#include "simulate/sim_run.h"
#include "simulate/sim_stats.h"
#include "test_sim_util.h"

/* M/M/1, lambda 900/s, mean service 1 ms: W = 1 / (1000 - 900) s = 10 ms. Replications
 * of 5 s with 1 s of warm-up deleted (the relaxation time at rho 0.9 is
 * 1 / (mu (1 - sqrt(rho))^2) = 0.38 s). */
#define MM1_09                                                                                     \
    "[sim]\nduration_s = 5\nwarmup_s = 1\nreplications = 5\nmax_replications = 2000\n"             \
    "[device d]\nservers = 1\nservice = exp:1ms\n"                                                 \
    "[workload w]\ndevice = d\narrival = poisson:900/s\n"

static long
env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : dflt;
}

/* The widest 95% half-width relative to its mean over the (one) workload's mean latency
 * and throughput: what the precision target is judged on. */
static double
widest(const struct sim_result *r)
{
    const struct sim_wl_sum *s = &r->sum[0];
    return fmax(s->thr_ci95 / s->thr_per_s, s->lat_ci95_ns / s->lat_mean_ns);
}

static void
test_coverage_mm1_rho09(void **state)
{
    (void)state;
    long runs = env_long("KASANE_COVERAGE_RUNS", 60);
    double pct = (double)env_long("KASANE_COVERAGE_PCT", 10);
    struct sim_config *c = cfg(MM1_09);
    const double W_ns = 1e7;
    long covered = 0, met = 0, reps = 0;
    for (long k = 0; k < runs; k++) {
        struct sim_result *r = NULL;
        struct ks_err err = {0};
        struct sim_run_opts o = {.seed_set = 1,
                                 .seed = (uint64_t)(1000 + k),
                                 .precision_set = 1,
                                 .precision = pct / 100};
        assert_int_equal(sim_run(c, &o, &r, &err), 0);
        const struct sim_wl_sum *s = &r->sum[0];
        covered += fabs(s->lat_mean_ns - W_ns) <= s->lat_ci95_ns;
        met += r->precision_met;
        reps += (long)r->nrep;
        /* met is what the final interval says, not what the first stage predicted. */
        assert_true(r->precision_met == (widest(r) <= pct / 100 / (1 + pct / 100)));
        assert_true(r->precision_achieved == widest(r));
        sim_result_free(r);
    }
    double cov = (double)covered / (double)runs;
    /* Binomial standard error of the estimate: with 60 runs sqrt(.95 x .05 / 60) = 2.8
     * points, so the small run asserts 3 standard errors below 95%; a full run
     * (>= 300 runs) asserts the acceptance figure, 94%. */
    double floor = runs >= 300 ? 0.94 : 0.95 - 3 * sqrt(0.95 * 0.05 / (double)runs);
    print_message("  coverage at rho 0.9, precision %g%%: %ld / %ld = %.1f%% (floor %.1f%%), "
                  "%.1f replications per run, met in %ld\n",
                  pct, covered, runs, 100 * cov, 100 * floor, (double)reps / (double)runs, met);
    assert_true(cov >= floor);
    sim_config_free(c);
}

/* The ratio estimator by hand on four pairs (sum of latencies, completions):
 * (10, 2), (30, 4), (20, 5), (12, 3). R = 72 / 14 = 5.142857; residuals S - R C =
 * -2/7, 66/7, -40/7, -24/7 (they sum to 0), sum of squares 6536/49 = 133.3878;
 * se = sqrt(133.3878 / 3 / 4) / (14 / 4) = 0.952575; t(0.975, 3) = 3.182446:
 * half-width 3.031520. The mean of the ratios (5, 7.5, 4, 4) would be 5.125. */
static void
test_ratio_estimator(void **state)
{
    (void)state;
    const double s[] = {10, 30, 20, 12}, c[] = {2, 4, 5, 3};
    double R, h;
    sim_ci_ratio(s, c, 4, 0.95, &R, &h);
    assert_true(fabs(R - 36.0 / 7) < 1e-12);
    assert_true(fabs(h - 3.031520) < 1e-5);
    /* A replication without completions adds nothing to either sum but counts in n:
     * se = sqrt(133.3878 / 4 / 5) / (14 / 5) = 0.922327, t(0.975, 4) = 2.776445. */
    const double s0[] = {10, 30, 0, 20, 12}, c0[] = {2, 4, 0, 5, 3};
    sim_ci_ratio(s0, c0, 5, 0.95, &R, &h);
    assert_true(fabs(R - 36.0 / 7) < 1e-12);
    assert_true(fabs(h - 2.560790) < 1e-5);
    /* One pair: a ratio, no interval; one pair with completions among several: the
     * residuals are all 0, still no interval; no completions at all: neither. */
    sim_ci_ratio(s, c, 1, 0.95, &R, &h);
    assert_true(R == 5 && isnan(h));
    sim_ci_ratio(s0 + 1, c0 + 1, 2, 0.95, &R, &h);
    assert_true(R == 7.5 && isnan(h));
    sim_ci_ratio(s0 + 2, c0 + 2, 1, 0.95, &R, &h);
    assert_true(isnan(R) && isnan(h));
}

/* sim_run's mean latency is that estimator over its replications: total latency over
 * total completions, not the mean of the replications' means. */
static void
test_lat_mean_is_ratio(void **state)
{
    (void)state;
    struct sim_config *c = cfg(MM1_09);
    struct sim_result *r = NULL;
    struct ks_err err = {0};
    struct sim_run_opts o = {.replications = 8, .threads = 1};
    assert_int_equal(sim_run(c, &o, &r, &err), 0);
    double S = 0, C = 0, mom = 0;
    for (size_t k = 0; k < r->nrep; k++) {
        S += (double)r->rep[k].wl[0].sum_w_ns;
        C += (double)r->rep[k].wl[0].completed;
        mom += r->rep[k].wl[0].lat_mean_ns / (double)r->nrep;
    }
    assert_true(r->sum[0].lat_mean_ns == S / C);
    assert_true(r->sum[0].lat_mean_ns != mom);
    sim_result_free(r);
    sim_config_free(c);
}

/* A target the cap cannot reach is reported as not met, with what was reached. */
static void
test_precision_cap(void **state)
{
    (void)state;
    struct sim_config *c = cfg(MM1_09);
    struct sim_result *r = NULL;
    struct ks_err err = {0};
    struct sim_run_opts o = {.precision_set = 1, .precision = 0.001, .max_replications = 12};
    assert_int_equal(sim_run(c, &o, &r, &err), 0);
    assert_int_equal(r->nrep, 12);
    assert_false(r->precision_met);
    assert_true(r->precision_achieved > 0.001 && r->precision_achieved < 0.5);
    sim_result_free(r);
    /* A cap below the first stage is a usage error. */
    o.replications = 20;
    assert_int_equal(sim_run(c, &o, &r, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "max_replications"));
    sim_config_free(c);
}

/* Stages add replications k = n0 .. n1 - 1 with streams (seed, k): the staged result is
 * the fixed-count run of the same final count, bit for bit. */
static void
test_precision_same_as_fixed(void **state)
{
    (void)state;
    struct sim_config *c = cfg(MM1_09);
    struct sim_result *a = NULL, *b = NULL;
    struct ks_err err = {0};
    struct sim_run_opts o = {.precision_set = 1, .precision = 0.08, .threads = 2};
    assert_int_equal(sim_run(c, &o, &a, &err), 0);
    assert_true(a->nrep > 5);
    struct sim_run_opts f = {.replications = (int)a->nrep, .threads = 1};
    assert_int_equal(sim_run(c, &f, &b, &err), 0);
    assert_true(a->sum[0].lat_mean_ns == b->sum[0].lat_mean_ns);
    assert_true(a->sum[0].lat_ci95_ns == b->sum[0].lat_ci95_ns);
    assert_true(a->sum[0].lat_pct_ns[2] == b->sum[0].lat_pct_ns[2]);
    assert_true(a->sum[0].completed == b->sum[0].completed);
    sim_result_free(a);
    sim_result_free(b);
    sim_config_free(c);
}

/* Two stages: a first of 20 replications, then exactly the count its widest
 * half-width h asks for, 20 (h / g)^2 with g = P / (1 + P), whatever the final interval
 * then says (met or not): the count depends on the first stage only. Checked against
 * fixed-count runs of 20 and of the final count, on seeds whose first stage falls short
 * (the usual case at 5%) and one whose first stage already meets a loose 40%. */
static void
test_precision_two_stages(void **state)
{
    (void)state;
    struct sim_config *c = cfg(MM1_09);
    const double P = 0.05, g = P / (1 + P);
    int met = 0, short_of = 0;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        struct sim_result *a = NULL, *f20 = NULL, *fn = NULL;
        struct ks_err err = {0};
        struct sim_run_opts o = {.seed_set = 1, .seed = seed, .precision_set = 1, .precision = P};
        assert_int_equal(sim_run(c, &o, &a, &err), 0);
        struct sim_run_opts o20 = {.seed_set = 1, .seed = seed, .replications = 20};
        assert_int_equal(sim_run(c, &o20, &f20, &err), 0);
        double h = widest(f20);
        assert_true(h > g); /* 20 replications of 5 s: about 11% */
        assert_int_equal(a->nrep, (size_t)ceil(20 * h * h / (g * g)));
        struct sim_run_opts on = {.seed_set = 1, .seed = seed, .replications = (int)a->nrep};
        assert_int_equal(sim_run(c, &on, &fn, &err), 0);
        assert_true(a->precision_achieved == widest(fn));
        assert_true(a->sum[0].lat_mean_ns == fn->sum[0].lat_mean_ns);
        assert_int_equal(a->precision_met, widest(fn) <= g);
        /* Short of it: the count the final interval asks for, as the summary prints it. */
        double hf = widest(fn);
        size_t want = a->precision_met ? 0 : (size_t)ceil((double)a->nrep * hf * hf / (g * g));
        assert_int_equal(a->precision_wanted, want);
        assert_true(a->precision_met || a->precision_wanted > a->nrep);
        met += a->precision_met;
        short_of += !a->precision_met;
        sim_result_free(a);
        sim_result_free(f20);
        sim_result_free(fn);
    }
    print_message("  two stages at 5%%: met in %d of 6 seeds, NOT met in %d\n", met, short_of);
    /* A loose target the first stage meets: no second stage. */
    struct sim_result *r = NULL;
    struct ks_err err = {0};
    struct sim_run_opts o = {.seed_set = 1, .seed = 1, .precision_set = 1, .precision = 0.4};
    assert_int_equal(sim_run(c, &o, &r, &err), 0);
    assert_int_equal(r->nrep, 20);
    assert_true(r->precision_met);
    sim_result_free(r);
    sim_config_free(c);
}

/* Percentile intervals: M/M/1's sojourn time is Exp(mu - lambda), so p99 = ln(100) x W
 * = 46.05 ms must lie in the p99's 99%-ish interval (the 95% half-width x 1.5). And a
 * workload with fewer than 1,000 completions is flagged; one with more is not. */
static void
test_percentile_ci_and_low_samples(void **state)
{
    (void)state;
    struct sim_config *c = cfg(MM1_09);
    struct sim_result *r = NULL;
    struct ks_err err = {0};
    struct sim_run_opts o = {.replications = 40};
    assert_int_equal(sim_run(c, &o, &r, &err), 0);
    const struct sim_wl_sum *s = &r->sum[0];
    double p99 = log(100) * 1e7;
    print_message("  p99 %.3f ms +- %.3f (closed form %.3f), p50 +- %.3f ms\n",
                  s->lat_pct_ns[2] / 1e6, s->lat_pct_ci95_ns[2] / 1e6, p99 / 1e6,
                  s->lat_pct_ci95_ns[0] / 1e6);
    assert_true(s->lat_pct_ci95_ns[2] > 0 && s->lat_pct_ci95_ns[2] < 0.1 * p99);
    assert_true(fabs(s->lat_pct_ns[2] - p99) <= 1.5 * s->lat_pct_ci95_ns[2]);
    assert_false(s->low_samples);
    sim_result_free(r);
    sim_config_free(c);
    /* 6/s for 4 s x 5 replications: ~120 completions. */
    c = cfg("[sim]\nduration_s = 5\nwarmup_s = 1\nreplications = 5\n"
            "[device d]\nservers = 1\nservice = exp:1ms\n"
            "[workload slow]\ndevice = d\narrival = poisson:6/s\n"
            "[workload busy]\ndevice = d\narrival = poisson:300/s\n");
    assert_int_equal(sim_run(c, NULL, &r, &err), 0);
    assert_true(r->sum[0].low_samples && r->sum[0].completed < SIM_LOW_SAMPLES);
    assert_false(r->sum[1].low_samples);
    /* The CSV carries the flag and the intervals. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sim_csv_write(f, c, r);
    fclose(f);
    assert_non_null(strstr(buf, ",lat_p50_ci95_us,lat_p99_ci95_us,low_samples\n"));
    assert_non_null(strstr(buf, ",yes\nbusy,")); /* slow: low_samples = yes */
    free(buf);
    sim_result_free(r);
    sim_config_free(c);
}

/* MSER-5 on a series with a known transient: 500 observations at 100, then 10 +- 1; the
 * truncation lands at the transient's end (observation 500 = batch 100), and a long
 * series keeps its batch count capped by doubling the batch size. */
static void
test_mser5(void **state)
{
    (void)state;
    struct sim_series s;
    struct sim_rng r;
    sim_rng_seed(&r, 3, 0, 0);
    sim_series_init(&s);
    for (uint64_t i = 1; i <= 5000; i++)
        sim_series_add(&s, i, i <= 500 ? 100 : 9 + 2 * sim_rng_unif(&r));
    uint64_t t = sim_series_mser(&s);
    print_message("  MSER-5 truncation at observation %llu (transient ends at 500)\n",
                  (unsigned long long)t);
    assert_true(t >= 500 && t <= 510);
    sim_series_fini(&s);
    /* No transient: nothing (or next to nothing) deleted. */
    sim_series_init(&s);
    for (uint64_t i = 1; i <= 5000; i++)
        sim_series_add(&s, i, 10);
    assert_true(sim_series_mser(&s) == 0);
    sim_series_fini(&s);
    sim_series_init(&s);
    for (uint64_t i = 1; i <= 1000000; i++)
        sim_series_add(&s, i, 1);
    assert_true(s.m <= SIM_SERIES_CAP && s.m * s.per + s.fill == 1000000 && s.per > 5);
    sim_series_fini(&s);
}

/* Without warmup_s MSER-5 picks the warm-up of M/M/1 at rho 0.9 from an empty start
 * (relaxation time 0.38 s); an explicit warmup_s is used as given. */
static void
test_warmup_auto_and_explicit(void **state)
{
    (void)state;
    struct sim_config *c = cfg("[sim]\nduration_s = 5\nreplications = 4\n"
                               "[device d]\nservers = 1\nservice = exp:1ms\n"
                               "[workload w]\ndevice = d\narrival = poisson:900/s\n");
    struct sim_result *r = NULL;
    struct ks_err err = {0};
    assert_int_equal(sim_run(c, NULL, &r, &err), 0);
    print_message("  MSER-5 warm-up %.3f s\n", r->warmup_s);
    assert_true(r->warmup_mser && r->warmup_s > 0 && r->warmup_s <= 2.5);
    sim_result_free(r);
    sim_config_free(c);
    c = cfg(MM1_09);
    assert_int_equal(sim_run(c, NULL, &r, &err), 0);
    assert_true(!r->warmup_mser && r->warmup_s == 1);
    sim_result_free(r);
    sim_config_free(c);
}

/* The key and the option share one parser. */
static void
test_precision_parse(void **state)
{
    (void)state;
    double x;
    struct ks_err err = {0};
    assert_int_equal(sim_precision_parse("5%", &x, &err), 0);
    assert_true(fabs(x - 0.05) < 1e-12);
    assert_int_equal(sim_precision_parse("2.5", &x, &err), 0);
    assert_true(fabs(x - 0.025) < 1e-12);
    assert_int_equal(sim_precision_parse("off", &x, &err), 0);
    assert_true(x == 0);
    assert_int_equal(sim_precision_parse("150%", &x, &err), -EINVAL);
    assert_int_equal(sim_precision_parse("-1%", &x, &err), -EINVAL);
    assert_int_equal(sim_precision_parse("%", &x, &err), -EINVAL);
    assert_int_equal(sim_precision_parse("1e308", &x, &err), -EINVAL);
    assert_int_equal(sim_precision_parse("5;rm -rf /\n%", &x, &err), -EINVAL);
    struct sim_config *c = NULL;
    memset(&err, 0, sizeof err); /* the first error message is kept */
    assert_true(sim_config_read_string("[sim]\nprecision = 12x\n", "p.ini", &c, &err) < 0);
    assert_non_null(strstr(err.msg, "p.ini:2"));
    assert_non_null(strstr(err.msg, "precision"));
    assert_true(sim_config_read_string("[sim]\nprecision = 5%\nmax_replications = 50\n", "p.ini",
                                       &c, &err) == 0);
    assert_true(fabs(c->precision - 0.05) < 1e-12 && c->max_replications == 50);
    sim_config_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precision_parse),
        cmocka_unit_test(test_ratio_estimator),
        cmocka_unit_test(test_lat_mean_is_ratio),
        cmocka_unit_test(test_mser5),
        cmocka_unit_test(test_warmup_auto_and_explicit),
        cmocka_unit_test(test_percentile_ci_and_low_samples),
        cmocka_unit_test(test_precision_cap),
        cmocka_unit_test(test_precision_same_as_fixed),
        cmocka_unit_test(test_precision_two_stages),
        cmocka_unit_test(test_coverage_mm1_rho09),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
