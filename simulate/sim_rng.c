/*
 * sim_rng: xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64, and the
 * distributions of the config. Written here rather than taken from GSL because the
 * generator sits in the innermost loop and a stream must be a plain value that a
 * replication can own on its stack.
 */
#include "simulate/sim_rng.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_csv.h"


void
sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t rep, uint64_t stream)
{
    /* Mix the three coordinates through splitmix so nearby seeds give unrelated
     * streams; then fill the state from the mixed value. */
    uint64_t x = seed;
    uint64_t h = ks_splitmix64(&x);
    x = h ^ (rep * 0xd1b54a32d192ed03ULL);
    h = ks_splitmix64(&x);
    x = h ^ (stream * 0x8cb92ba72f3d8dd7ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = ks_splitmix64(&x);
}

uint64_t
sim_rng_u64(struct sim_rng *r)
{
    return ks_xoshiro256ss(r->s);
}

double
sim_rng_unif(struct sim_rng *r)
{
    /* 53 random bits, shifted half a step off zero: (k + 0.5) / 2^53. */
    return ((double)(sim_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

double
sim_rng_exp(struct sim_rng *r, double mean)
{
    return -mean * log(sim_rng_unif(r));
}

double
sim_rng_normal(struct sim_rng *r)
{
    for (;;) {
        double u = 2 * sim_rng_unif(r) - 1, v = 2 * sim_rng_unif(r) - 1;
        double s = u * u + v * v;
        if (s < 1 && s > 0)
            return u * sqrt(-2 * log(s) / s);
    }
}

/* One sample, ns. Lognormal: exp(mu + sigma Z) with sigma^2 = ln(1 + cv^2) and
 * mu = ln(mean) - sigma^2 / 2, so the mean and cv are the configured ones.
 * Hyperexponential: phase 1 with probability p1, else phase 2 (see parse_twoparam). */
double
sim_dist_sample(const struct sim_dist *d, struct sim_rng *r)
{
    switch (d->kind) {
    case SIM_D_EXP:
        return sim_rng_exp(r, d->mean_ns);
    case SIM_D_DET:
        return d->mean_ns;
    case SIM_D_UNIF:
        return d->a + (d->b - d->a) * sim_rng_unif(r);
    case SIM_D_LOGN:
        return exp(d->a + d->b * sim_rng_normal(r));
    case SIM_D_HYPER:
        return sim_rng_exp(r, sim_rng_unif(r) < d->a ? d->b : d->c);
    case SIM_D_EMP:
        return d->v[sim_rng_u64(r) % d->nv];
    }
    return d->mean_ns;
}

/* Second moments, for the Pollaczek-Khinchine checks: exp 2m^2, det m^2, uniform
 * (a^2 + ab + b^2)/3, lognormal exp(2 mu + 2 sigma^2), H2 2 (p1 m1^2 + p2 m2^2). */
double
sim_dist_m2(const struct sim_dist *d)
{
    double m = d->mean_ns, s2 = 0;
    switch (d->kind) {
    case SIM_D_EXP:
        return 2 * m * m;
    case SIM_D_DET:
        return m * m;
    case SIM_D_UNIF:
        return (d->a * d->a + d->a * d->b + d->b * d->b) / 3;
    case SIM_D_LOGN:
        return exp(2 * d->a + 2 * d->b * d->b);
    case SIM_D_HYPER:
        return 2 * (d->a * d->b * d->b + (1 - d->a) * d->c * d->c);
    case SIM_D_EMP:
        for (size_t i = 0; i < d->nv; i++)
            s2 += d->v[i] * d->v[i];
        return s2 / (double)d->nv;
    }
    return m * m;
}

/* Why median and p999: SSD data sheets state a typical latency and a "quality of
 * service" percentile, not a mean and a spread. Matching those two quantiles fixes both
 * lognormal parameters (ln X is normal, and quantiles map through exp). */
int
sim_dist_lognormal_q(struct sim_dist *d, double median_ns, double p999_ns, struct ks_err *err)
{
    memset(d, 0, sizeof *d);
    if (!(median_ns > 0) || !(p999_ns >= median_ns) || !isfinite(p999_ns))
        return ks_errf(err, -EINVAL, "median %g ns and p999 %g ns: need 0 < median <= p999",
                       median_ns, p999_ns);
    d->kind = SIM_D_LOGN;
    d->a = log(median_ns);
    d->b = log(p999_ns / median_ns) / SIM_Z999;
    d->mean_ns = median_ns * exp(d->b * d->b / 2);
    return 0;
}

void
sim_dist_det(struct sim_dist *d, double ns)
{
    memset(d, 0, sizeof *d);
    d->kind = SIM_D_DET;
    d->mean_ns = ns;
}

void
sim_dist_fini(struct sim_dist *d)
{
    if (d && d->kind == SIM_D_EMP)
        free(d->v);
    if (d)
        d->v = NULL, d->nv = 0;
}

/* ---- parsing ------------------------------------------------------------------- */

/* Split "12.5us" into a number and the unit that follows it. */
/* strtod, then the unit text after optional spaces. */
static int
split_num(const char *s, double *v, const char **unit)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || errno || !isfinite(*v))
        return -EINVAL;
    while (*end == ' ')
        end++;
    *unit = end;
    return 0;
}

struct unit {
    const char *u;
    double f;
};

/* A number followed by one of the units of a table (scaled by its factor). */
static int
parse_with_units(const char *s, const struct unit *units, size_t n, double *out)
{
    double v;
    const char *u;
    if (split_num(s, &v, &u) < 0)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(u, units[i].u) == 0) {
            *out = v * units[i].f;
            return 0;
        }
    return -EINVAL;
}

int
sim_parse_time_ns(const char *s, double *ns)
{
    static const struct unit units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    return parse_with_units(s, units, sizeof units / sizeof units[0], ns);
}

int
sim_parse_bytes(const char *s, double *bytes)
{
    static const struct unit units[] = {{"", 1},    {"B", 1},      {"KB", 1e3},
                                        {"KiB", 1024}, {"MB", 1e6}, {"MiB", 1048576}};
    return parse_with_units(s, units, sizeof units / sizeof units[0], bytes);
}

/* Find "name=" in a comma-separated parameter list and parse its value as a time
 * (is_time) or a plain number. */
static int
param(const char *args, const char *name, int is_time, double *out)
{
    size_t nl = strlen(name);
    for (const char *p = args; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, name, nl) != 0 || p[nl] != '=')
            continue;
        const char *v = p + nl + 1;
        size_t len = strcspn(v, ",");
        char buf[64];
        if (len >= sizeof buf)
            return -EINVAL;
        memcpy(buf, v, len);
        buf[len] = '\0';
        if (is_time)
            return sim_parse_time_ns(buf, out);
        return ks_parse_double(buf, out);
    }
    return -ENOENT;
}

static int
read_empirical(const char *path, const char *base_dir, struct sim_dist *d, struct ks_err *err);

/* uniform:min=,max= / lognormal:mean=,cv= / hyperexp:mean=,cv2=. For H2 with balanced
 * means (p1/mu1 = p2/mu2), p1 = (1 + sqrt((cv2 - 1)/(cv2 + 1))) / 2 and the phase
 * means are mean / (2 p1) and mean / (2 p2). Why: p1 m1 = p2 m2 = mean / 2 fixes the
 * mean, and E[S^2] = 2 (p1 m1^2 + p2 m2^2) = (1 + cv2) mean^2 then reduces to a
 * quadratic in p1 whose root above 1/2 is the one above (test_distributions checks
 * the sampled mean and cv2). */
static int
parse_twoparam(enum sim_dist_kind k, const char *args, struct sim_dist *d, struct ks_err *err)
{
    double x, y;
    const char *n1 = k == SIM_D_UNIF ? "min" : "mean";
    const char *n2 = k == SIM_D_UNIF ? "max" : k == SIM_D_LOGN ? "cv" : "cv2";
    if (param(args, n1, 1, &x) < 0 || param(args, n2, k == SIM_D_UNIF, &y) < 0)
        return ks_errf(err, -EINVAL, "needs %s=TIME,%s=%s", n1, n2,
                       k == SIM_D_UNIF ? "TIME" : "NUMBER");
    if (x < 0 || y < 0 || (k == SIM_D_UNIF && y < x) || (k == SIM_D_HYPER && y < 1))
        return ks_errf(err, -EINVAL, "parameters out of range%s",
                       k == SIM_D_HYPER ? " (cv2 must be >= 1)" : "");
    d->kind = k;
    if (k == SIM_D_UNIF) {
        d->a = x, d->b = y, d->mean_ns = (x + y) / 2;
    } else if (k == SIM_D_LOGN) {
        double s2 = log(1 + y * y);
        d->mean_ns = x, d->b = sqrt(s2), d->a = log(x) - s2 / 2;
    } else {
        /* Two-phase hyperexponential with balanced means: p1/mu1 = p2/mu2. */
        double p1 = 0.5 * (1 + sqrt((y - 1) / (y + 1)));
        d->mean_ns = x, d->a = p1, d->b = x / (2 * p1), d->c = x / (2 * (1 - p1));
    }
    return 0;
}

/* lognormal:median=TIME,p999=TIME (both required, p999 >= median > 0). */
static int
parse_lognormal_q(const char *args, struct sim_dist *d, struct ks_err *err)
{
    double med, p999;
    if (param(args, "median", 1, &med) < 0 || param(args, "p999", 1, &p999) < 0)
        return ks_errf(err, -EINVAL, "needs median=TIME,p999=TIME");
    return sim_dist_lognormal_q(d, med, p999, err);
}

/* KIND:PARAMS -> distribution; the kind is matched by its exact length so that
 * "exponential:" or "det2:" are unknown rather than misread. */
int
sim_dist_parse(const char *text, const char *base_dir, struct sim_dist *d, struct ks_err *err)
{
    memset(d, 0, sizeof *d);
    const char *colon = strchr(text, ':');
    if (!colon)
        return ks_errf(err, -EINVAL, "'%s' is not KIND:PARAMS (exp, det, uniform, "
                       "lognormal, hyperexp, empirical)", text);
    size_t kl = (size_t)(colon - text);
    const char *args = colon + 1;
    double v;
    if (kl == 3 && (strncmp(text, "exp", 3) == 0 || strncmp(text, "det", 3) == 0)) {
        if (sim_parse_time_ns(args, &v) < 0 || v < 0)
            return ks_errf(err, -EINVAL, "'%s': needs a time >= 0 with a unit (85us)", text);
        d->kind = text[0] == 'e' ? SIM_D_EXP : SIM_D_DET;
        d->mean_ns = v;
        return 0;
    }
    if (kl == 7 && strncmp(text, "uniform", kl) == 0)
        return parse_twoparam(SIM_D_UNIF, args, d, err);
    if (kl == 9 && strncmp(text, "lognormal", kl) == 0)
        return param(args, "median", 1, &v) == -ENOENT ? parse_twoparam(SIM_D_LOGN, args, d, err)
                                                        : parse_lognormal_q(args, d, err);
    if (kl == 8 && strncmp(text, "hyperexp", kl) == 0)
        return parse_twoparam(SIM_D_HYPER, args, d, err);
    if (kl == 9 && strncmp(text, "empirical", kl) == 0)
        return read_empirical(args, base_dir, d, err);
    return ks_errf(err, -EINVAL, "unknown distribution '%.*s'", (int)kl, text);
}

/* The unit of an empirical column, from its header name (value_us -> 1e3). */
static double
column_unit(const char *name)
{
    const char *u = strrchr(name, '_');
    double ns;
    if (!u)
        return 0;
    char buf[8];
    snprintf(buf, sizeof buf, "1%s", u + 1);
    return sim_parse_time_ns(buf, &ns) == 0 ? ns : 0;
}

/* One-column CSV whose header names the unit: value_ns, value_us, value_ms, value_s. */
static int
read_empirical(const char *path, const char *base_dir, struct sim_dist *d, struct ks_err *err)
{
    char *full = path[0] == '/' || !base_dir ? ks_xstrdup(path)
                                             : ks_xasprintf("%s/%s", base_dir, path);
    struct ks_csv_reader *r;
    const struct ks_csv_row *row;
    int rc = ks_csv_open(full, ',', &r, err);
    free(full);
    if (rc < 0)
        return rc;
    double unit = 0, sum = 0;
    size_t cap = 0;
    d->kind = SIM_D_EMP;
    while ((rc = ks_csv_next(r, &row, err)) > 0) {
        if (unit == 0) {
            if ((unit = column_unit(row->f[0])) == 0) {
                rc = ks_errf(err, -EINVAL, "%s:%lu: header must be value_ns, value_us, "
                             "value_ms or value_s", ks_csv_name(r), row->line);
                break;
            }
            continue;
        }
        double v;
        if (ks_parse_double(row->f[0], &v) < 0 || v < 0) {
            rc = ks_errf(err, -EINVAL, "%s:%lu: '%s' is not a time >= 0", ks_csv_name(r),
                         row->line, row->f[0]);
            break;
        }
        d->v = ks_xgrow(d->v, &cap, d->nv + 1, sizeof *d->v);
        d->v[d->nv++] = v * unit;
        sum += v * unit;
    }
    ks_csv_close(r);
    if (rc == 0 && d->nv == 0)
        rc = ks_errf(err, -EINVAL, "%s: no values", path);
    if (rc < 0) {
        sim_dist_fini(d);
        return rc;
    }
    d->mean_ns = sum / (double)d->nv;
    return 0;
}
