/*
 * sim_rng: seeded random streams and the service/arrival distributions.
 *
 * Every replication, and every stream inside it (one per workload arrival process, one
 * per device service, ...), has its own xoshiro256** generator seeded through
 * splitmix64 from (seed, replication, stream id). A replication therefore depends only
 * on those three numbers: results are identical whatever the thread count and whatever
 * order replications run in, and adding a workload does not perturb the others.
 *
 * Distributions are values (struct sim_dist) parsed from the config's text form:
 *   exp:1ms   det:85us   uniform:min=10us,max=1ms   lognormal:mean=85us,cv=0.5
 *   lognormal:median=110us,p999=300us   hyperexp:mean=1ms,cv2=4   empirical:FILE.csv
 * The second lognormal form is fitted to a data sheet's typical latency (taken as the
 * median) and its 99.9% quality-of-service figure (sim_dist_lognormal_q).
 * Times take a unit (ns, us, ms, s). Samples are returned in nanoseconds as doubles;
 * the engine rounds them to its integer clock.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "core/ks_util.h"

struct sim_rng {
    uint64_t s[4];
};

/* Stream `stream` of replication `rep` for a run seeded with `seed`. */
void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t rep, uint64_t stream);
uint64_t sim_rng_u64(struct sim_rng *r);
/* Uniform on the open interval (0, 1): never 0, so log() is always finite. */
double sim_rng_unif(struct sim_rng *r);
/* Exponential with the given mean. */
double sim_rng_exp(struct sim_rng *r, double mean);
/* Standard normal (Marsaglia polar method; the spare value is dropped so a stream's
 * position depends only on the number of calls). */
double sim_rng_normal(struct sim_rng *r);

enum sim_dist_kind { SIM_D_EXP, SIM_D_DET, SIM_D_UNIF, SIM_D_LOGN, SIM_D_HYPER, SIM_D_EMP };

struct sim_dist {
    enum sim_dist_kind kind;
    double mean_ns;     /* every kind: the mean */
    double a, b;        /* unif: min,max; logn: mu,sigma; hyper: p1, mean1 (mean2 in c) */
    double c;
    double *v;          /* empirical: values in ns (shared, owned by the config) */
    size_t nv;
};

/* Parse a distribution of times. base_dir resolves a relative empirical CSV path.
 * Returns 0 or -EINVAL with a message (the caller adds file, line and key). */
int sim_dist_parse(const char *text, const char *base_dir, struct sim_dist *d,
                   struct ks_err *err);
/* A constant time (det). */
void sim_dist_det(struct sim_dist *d, double ns);
/* z with P(Z <= z) = 0.999 for a standard normal (gsl_cdf_ugaussian_Pinv(0.999); a
 * constant here because GSL is loaded lazily, see sim_stats.c). */
#define SIM_Z999 3.090232306167813
/* Lognormal with the given median and 99.9th percentile (ns): mu = ln(median),
 * sigma = ln(p999 / median) / z(0.999), mean = median exp(sigma^2 / 2). p999 == median
 * gives sigma 0, a constant. -EINVAL with a message when median <= 0 or p999 < median. */
int sim_dist_lognormal_q(struct sim_dist *d, double median_ns, double p999_ns,
                         struct ks_err *err);
double sim_dist_sample(const struct sim_dist *d, struct sim_rng *r);
/* E[X^2] in ns^2 (used by tests and the docs' closed forms). */
double sim_dist_m2(const struct sim_dist *d);
void sim_dist_fini(struct sim_dist *d);

/* "85us" -> 85000 (ns). A bare number is an error: a time needs its unit. */
int sim_parse_time_ns(const char *s, double *ns);
/* "4KiB", "1500", "64KB", "1MiB" -> bytes. */
int sim_parse_bytes(const char *s, double *bytes);

#endif
