/*
 * sim_stats: latency histograms and the statistics across replications.
 *
 * The histogram is log-bucketed (HDR style): values below 2^SUB are counted exactly,
 * above that every power-of-two range is cut into 2^SUB equal sub-buckets, so a bucket
 * spans at most 1/2^SUB of its lower edge. Reporting the bucket midpoint bounds the
 * relative error of any percentile by 1/2^(SUB+1) = 0.2% with SUB = 8, over the whole
 * uint64 range of nanoseconds, in a fixed 128 KiB per histogram.
 *
 * Across replications: the mean of the replication means with a Student-t confidence
 * interval (R - 1 degrees of freedom, gsl_cdf_tdist_Pinv), as the classic method of
 * independent replications prescribes; for a mean per completion (latency), whose
 * replications differ in their number of completions, the ratio estimator with a
 * delta-method interval (sim_ci_ratio).
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/ks_util.h"

#define SIM_HIST_SUB 8
#define SIM_HIST_NB ((64 - SIM_HIST_SUB + 1) << SIM_HIST_SUB)

struct sim_hist {
    uint64_t n;
    uint64_t *c; /* owned: SIM_HIST_NB counts */
};

void sim_hist_init(struct sim_hist *h);
void sim_hist_fini(struct sim_hist *h);
void sim_hist_add(struct sim_hist *h, uint64_t v_ns);
void sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src);
/* p-th percentile (0 < p < 100) as the midpoint of the bucket holding the
 * ceil(p/100 * n)-th smallest value; NaN if empty. */
double sim_hist_pct(const struct sim_hist *h, double p);
/* Bucket index of a value and the bucket's [lo, hi) bounds (for tests). */
size_t sim_hist_bucket(uint64_t v);
void sim_hist_bounds(size_t b, uint64_t *lo, uint64_t *hi);

/* Mean and half-width of the two-sided confidence interval at level conf (0.95, 0.99)
 * of n values, Student t with n - 1 degrees of freedom. Half-width NaN when n < 2. */
void sim_ci(const double *v, size_t n, double conf, double *mean, double *half);
/* Ratio estimator over n replications' pairs (sum of latencies s[k], completions c[k]):
 * R = sum s / sum c, and the half-width of its interval at level conf from the delta
 * method: residuals d_k = s_k - R c_k, se = sqrt(sum d_k^2 / (n - 1) / n) / mean c,
 * Student t on n - 1 degrees of freedom. Unlike the mean of the ratios s_k / c_k it
 * weighs each replication by its completions, so it carries no bias from their
 * correlation with the replication's mean. Ratio NaN when sum c = 0; half-width NaN
 * when fewer than 2 pairs have completions. */
void sim_ci_ratio(const double *s, const double *c, size_t n, double conf, double *ratio,
                  double *half);
/* The output series of one workload in one replication, in completion order, kept as
 * batch means for MSER-5 warm-up detection (White 1997; Franklin and White 2008): batches
 * of 5 observations, their count capped at SIM_SERIES_CAP by merging neighbours (the
 * batch size then doubles, MSER-10, -20, ...), so memory stays fixed on long runs. */
#define SIM_SERIES_CAP 8192

struct sim_series {
    double *sum;      /* owned: cap batch sums */
    uint64_t *end_ns; /* owned: completion time of each batch's last observation */
    size_t m, cap;    /* full batches */
    uint64_t per;     /* observations per batch (5, 10, ...) */
    uint64_t fill;    /* observations in the batch being filled */
    double acc;
};

void sim_series_init(struct sim_series *s);
void sim_series_fini(struct sim_series *s);
void sim_series_add(struct sim_series *s, uint64_t t_ns, double v);
/* MSER truncation: the d (0 <= d <= m / 2) minimizing the squared standard error of the
 * mean of batches d .. m - 1, sum (Z_i - mean_d)^2 / (m - d)^2; returns the time of the
 * end of batch d - 1 (0 when d = 0 or fewer than 10 batches: nothing to detect). */
uint64_t sim_series_mser(const struct sim_series *s);

/* A precision target as written in a config or on the command line: "5%" or "5" (per
 * cent of the mean, 0 < p < 100) into a fraction (0.05); "0" or "off" is 0 (no target).
 * -EINVAL with a message naming the value. */
int sim_precision_parse(const char *v, double *out, struct ks_err *err);

/* Load GSL, which sim_ci's t quantile comes from (dlopened on first use, once per
 * process). 0, or -ENOTSUP with a message naming the library and its package: then
 * sim_ci's half-widths are NaN, so sim_run checks this before it starts. */
int sim_stats_load(struct ks_err *err);

#endif
