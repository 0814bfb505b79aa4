/* sim_stats: log-bucketed histogram and Student-t intervals (see sim_stats.h). */
#include "simulate/sim_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/ks_dl.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */
#include "core/ks_util.h"

/* GSL (libgsl.so.27, which pulls libgslcblas.so.0) is loaded for the t quantile, not
 * linked: one function of it cost every kasane process 1.1 MiB of resident memory and
 * 0.2 ms per start, the collector's included (core/ks_dl.h). KASANE_GSL_SO replaces
 * its name (a test hook). Filled once per process, read-only afterwards. */
#define GSL_FUNCS(X) X(gsl_cdf_tdist_Pinv)
static struct gsl_api {
    GSL_FUNCS(KS_DL_FIELD)
} gsl;
#define GSL_SYM(f) KS_DL_ENTRY(struct gsl_api, f)
static const struct ks_dl_sym gsl_syms[] = {GSL_FUNCS(GSL_SYM)};
static struct ks_dl_lib gsl_lib =
    KS_DL_LIB(KS_SO_GSL, "KASANE_GSL_SO", KS_PKG_GSL, &gsl, gsl_syms, NULL);

int
sim_stats_load(struct ks_err *err)
{
    int rc = ks_dl_load(&gsl_lib, err);
    if (rc < 0)
        ks_err_prefix(err, "confidence intervals need GSL: ");
    return rc;
}

void
sim_hist_init(struct sim_hist *h)
{
    h->n = 0;
    h->c = ks_xcalloc(SIM_HIST_NB, sizeof *h->c);
}

void
sim_hist_fini(struct sim_hist *h)
{
    free(h->c);
    h->c = NULL;
    h->n = 0;
}

/* Values below 2^SUB have a bucket each. Above, with e the position of the top bit,
 * the next SUB bits pick one of 2^SUB sub-buckets of the octave [2^e, 2^(e+1)):
 * octave e starts at bucket (e - SUB + 1) * 2^SUB, right after the exact ones. */
size_t
sim_hist_bucket(uint64_t v)
{
    if (v < (1u << SIM_HIST_SUB))
        return (size_t)v;
    /* e >= SUB: the top SUB+1 bits of v select the bucket within its octave. */
    int e = 63 - __builtin_clzll(v);
    size_t sub = (size_t)(v >> (e - SIM_HIST_SUB)) & ((1u << SIM_HIST_SUB) - 1);
    return ((size_t)(e - SIM_HIST_SUB + 1) << SIM_HIST_SUB) + sub;
}

/* Inverse of sim_hist_bucket: the bucket's [lo, hi). */
void
sim_hist_bounds(size_t b, uint64_t *lo, uint64_t *hi)
{
    if (b < (1u << SIM_HIST_SUB)) {
        *lo = b;
        *hi = b + 1;
        return;
    }
    int e = (int)(b >> SIM_HIST_SUB) + SIM_HIST_SUB - 1;
    uint64_t sub = b & ((1u << SIM_HIST_SUB) - 1);
    uint64_t w = 1ULL << (e - SIM_HIST_SUB);
    *lo = (1ULL << e) + sub * w;
    *hi = *lo + w; /* wraps to 0 for the very last bucket; callers use lo + w/2 */
}

void
sim_hist_add(struct sim_hist *h, uint64_t v_ns)
{
    h->c[sim_hist_bucket(v_ns)]++;
    h->n++;
}

void
sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src)
{
    for (size_t i = 0; i < SIM_HIST_NB; i++)
        dst->c[i] += src->c[i];
    dst->n += src->n;
}

/* Nearest-rank percentile: the bucket where the cumulative count first reaches
 * ceil(p n / 100); its midpoint is within half a bucket width of every value in it. */
double
sim_hist_pct(const struct sim_hist *h, double p)
{
    if (h->n == 0)
        return ks_nan();
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->n), seen = 0;
    if (rank < 1)
        rank = 1;
    for (size_t b = 0; b < SIM_HIST_NB; b++) {
        seen += h->c[b];
        if (seen >= rank) {
            uint64_t lo, hi;
            sim_hist_bounds(b, &lo, &hi);
            /* Exact buckets hold one integer: report it, not lo + 0.5. */
            return b < (1u << SIM_HIST_SUB) ? (double)lo : (double)lo + (double)(hi - lo) / 2;
        }
    }
    return ks_nan();
}

/* Sample mean and t-interval half-width; the sample standard deviation uses n - 1. */
void
sim_ci(const double *v, size_t n, double conf, double *mean, double *half)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    *mean = n ? s / (double)n : ks_nan();
    if (n < 2) {
        *half = ks_nan();
        return;
    }
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - *mean) * (v[i] - *mean);
    double sd = sqrt(ss / (double)(n - 1));
    struct ks_err e = {0};
    if (sim_stats_load(&e) < 0) { /* sim_run refused to start: only a direct caller */
        *half = ks_nan();
        return;
    }
    *half = gsl.gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)(n - 1)) * sd / sqrt((double)n);
}
