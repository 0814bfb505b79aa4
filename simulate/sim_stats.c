/* sim_stats: log-bucketed histogram and Student-t intervals (see sim_stats.h). */
#include "simulate/sim_stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/ks_dl.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */
#include "core/ks_ini.h"
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

/* The t quantile for a two-sided interval at level conf on df degrees of freedom; NaN
 * without GSL (sim_run refused to start: only a direct caller gets here). */
static double
t_quantile(double conf, size_t df)
{
    struct ks_err e = {0};
    if (sim_stats_load(&e) < 0)
        return ks_nan();
    return gsl.gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)df);
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
    *half = t_quantile(conf, n - 1) * sd / sqrt((double)n);
}

void
sim_ci_ratio(const double *s, const double *c, size_t n, double conf, double *ratio, double *half)
{
    double ss = 0, cs = 0, dd = 0;
    size_t nc = 0;
    for (size_t k = 0; k < n; k++) {
        ss += s[k];
        cs += c[k];
        nc += c[k] > 0;
    }
    *ratio = cs > 0 ? ss / cs : ks_nan();
    *half = ks_nan();
    /* With a single pair that has completions every residual is 0: a half-width of 0
     * would claim any precision. */
    if (nc < 2)
        return;
    for (size_t k = 0; k < n; k++) {
        double d = s[k] - *ratio * c[k];
        dd += d * d;
    }
    double se = sqrt(dd / (double)(n - 1) / (double)n) / (cs / (double)n);
    *half = t_quantile(conf, n - 1) * se;
}

int
sim_precision_parse(const char *v, double *out, struct ks_err *err)
{
    char buf[64];
    size_t n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n > 0 && v[n - 1] == '%')
        n--;
    if (strcmp(v, "off") == 0) {
        *out = 0;
        return 0;
    }
    double x;
    if (n == 0 || n >= sizeof buf)
        return ks_errf(err, -EINVAL, "'%s' is not a precision (write it as 5%%)", v);
    memcpy(buf, v, n);
    buf[n] = '\0';
    if (ks_ini_parse_num(buf, 0, 99.999, &x) < 0)
        return ks_errf(err, -EINVAL, "'%s' is not a precision between 0%% and 100%%", v);
    *out = x / 100;
    return 0;
}

void
sim_series_init(struct sim_series *s)
{
    memset(s, 0, sizeof *s);
    s->cap = SIM_SERIES_CAP;
    s->per = 5;
    s->sum = ks_xmalloc(s->cap * sizeof *s->sum);
    s->end_ns = ks_xmalloc(s->cap * sizeof *s->end_ns);
}

void
sim_series_fini(struct sim_series *s)
{
    free(s->sum);
    free(s->end_ns);
    memset(s, 0, sizeof *s);
}

/* Full: merge neighbouring batches, halving their count and doubling their size. */
static void
series_halve(struct sim_series *s)
{
    for (size_t i = 0; i < s->m / 2; i++) {
        s->sum[i] = s->sum[2 * i] + s->sum[2 * i + 1];
        s->end_ns[i] = s->end_ns[2 * i + 1];
    }
    s->m /= 2;
    s->per *= 2;
}

void
sim_series_add(struct sim_series *s, uint64_t t_ns, double v)
{
    s->acc += v;
    if (++s->fill < s->per)
        return;
    if (s->m == s->cap) {
        series_halve(s); /* the batch being filled now needs twice as many */
        return;
    }
    s->sum[s->m] = s->acc;
    s->end_ns[s->m++] = t_ns;
    s->acc = 0;
    s->fill = 0;
}

uint64_t
sim_series_mser(const struct sim_series *s)
{
    if (s->m < 10)
        return 0;
    /* Suffix sums of the batch means and their squares, from the end down to d. */
    double s1 = 0, s2 = 0, best = INFINITY;
    size_t bestd = 0, m = s->m;
    double per = (double)s->per;
    for (size_t i = m; i-- > 0;) {
        double z = s->sum[i] / per;
        s1 += z;
        s2 += z * z;
        if (i > m / 2)
            continue;
        double k = (double)(m - i), ss = s2 - s1 * s1 / k;
        double stat = ss / (k * k);
        if (stat <= best) { /* ties: the smaller d, reached last */
            best = stat;
            bestd = i;
        }
    }
    return bestd ? s->end_ns[bestd - 1] : 0;
}
