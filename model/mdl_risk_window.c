/* Time windows of a dataset: parsing, spans, default and rolling splits, and the
 * sub-dataset of one window (see mdl_risk.h). */
#include "model/mdl_risk.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const mdl_risk_res[MDL_RISK_NRES] = {"cpu", "mem"};

/* Two or more digits of s[0..n) as an int, or -1. */
static int
digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* YYYY-MM-DD[THH:MM[Z]] (UTC either way; the Z is how plans write their windows);
 * *has_time says whether the time part was given. */
static int
parse_date(const char *s, double *out, int *has_time)
{
    size_t n = strlen(s);
    if (n == 17 && s[16] == 'Z')
        n = 16;
    if (n != 10 && n != 16)
        return -EINVAL;
    if (s[4] != '-' || s[7] != '-' || (n == 16 && (s[10] != 'T' || s[13] != ':')))
        return -EINVAL;
    struct tm tm = {0};
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int hh = n == 16 ? digits(s + 11, 2) : 0, mm = n == 16 ? digits(s + 14, 2) : 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh < 0 || hh > 23 || mm < 0 ||
        mm > 59)
        return -EINVAL;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    time_t t = timegm(&tm);
    /* timegm normalizes 2011-02-30 to March: refuse dates that do not exist. */
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d || back.tm_mon != mo - 1)
        return -EINVAL;
    *out = (double)t;
    *has_time = n == 16;
    return 0;
}

int
mdl_time_parse(const char *s, int is_end, double *out)
{
    long v;
    int has_time = 1;
    if (strchr(s, '-') == NULL) {
        if (ks_parse_long(s, &v) < 0 || v < 0)
            return -EINVAL;
        *out = (double)v;
        return 0;
    }
    if (parse_date(s, out, &has_time) < 0)
        return -EINVAL;
    if (is_end && !has_time)
        *out += 86400; /* a date-only end covers its whole day */
    return 0;
}

int
mdl_window_parse(const char *s, struct mdl_window *w, struct ks_err *err)
{
    const char *dots = strstr(s, "..");
    if (!dots)
        return ks_errf(err, -EINVAL, "window '%s': want FROM..TO (YYYY-MM-DD[THH:MM] UTC or "
                                     "UNIX seconds)", s);
    char *from = ks_xstrndup(s, (size_t)(dots - s));
    int rc = mdl_time_parse(from, 0, &w->from_s);
    if (rc < 0)
        ks_errf(err, -EINVAL, "window '%s': '%s' is not YYYY-MM-DD[THH:MM] or UNIX seconds",
                s, from);
    else if ((rc = mdl_time_parse(dots + 2, 1, &w->to_s)) < 0)
        ks_errf(err, -EINVAL, "window '%s': '%s' is not YYYY-MM-DD[THH:MM] or UNIX seconds",
                s, dots + 2);
    else if (w->to_s <= w->from_s)
        rc = ks_errf(err, -EINVAL, "window '%s': TO is not after FROM", s);
    free(from);
    return rc;
}

const char *
mdl_time_fmt(char *buf, size_t n, double t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%MZ", &tm);
    return buf;
}

const char *
mdl_window_fmt(char *buf, size_t n, const struct mdl_window *w)
{
    char a[32], b[32];
    mdl_time_fmt(a, sizeof a, w->from_s);
    mdl_time_fmt(b, sizeof b, w->to_s);
    snprintf(buf, n, "%s..%s", a, b);
    return buf;
}

int
mdl_dataset_span(const struct ks_dataset *ds, double *from_s, double *to_s, struct ks_err *err)
{
    const struct ks_samples *s = &ds->s;
    if (!ds->has_samples || s->nrows == 0)
        return ks_errf(err, -ENOENT, "the dataset has no samples: a backtest needs time "
                                     "series");
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < s->nrows; r++) {
        double iv = isnan(s->interval_s[r]) ? 0 : s->interval_s[r];
        lo = fmin(lo, s->time[r] - iv);
        hi = fmax(hi, s->time[r]);
    }
    *from_s = lo;
    *to_s = hi;
    return 0;
}

/* Span in whole days for messages. */
static double
days(double a, double b)
{
    return (b - a) / 86400;
}

int
mdl_risk_default_split(const struct ks_dataset *ds, struct mdl_window *train,
                       struct mdl_window *test, struct ks_err *err)
{
    double a, b;
    int rc = mdl_dataset_span(ds, &a, &b, err);
    if (rc < 0)
        return rc;
    if (b - a < 2 * MDL_WEEK_S)
        return ks_errf(err, -ERANGE, "the data spans %.1f days: the default split (train on "
                                     "all but the last week, test on the last) needs 14; give "
                                     "--train FROM..TO and --test FROM..TO", days(a, b));
    *train = (struct mdl_window){a, b - MDL_WEEK_S};
    *test = (struct mdl_window){b - MDL_WEEK_S, b};
    return 0;
}

int
mdl_risk_rolling_folds(const struct ks_dataset *ds, struct mdl_window **folds,
                       struct ks_err *err)
{
    double a, b;
    int rc = mdl_dataset_span(ds, &a, &b, err);
    if (rc < 0)
        return rc;
    /* A second of slack: spans computed from interval_s may miss a week by rounding. */
    int n = (int)floor((b - a + 1) / MDL_WEEK_S) - 1;
    if (n < 1)
        return ks_errf(err, -ERANGE, "the data spans %.1f days: rolling backtests need at "
                                     "least two whole weeks", days(a, b));
    *folds = ks_xmalloc((size_t)n * 2 * sizeof **folds);
    for (int k = 0; k < n; k++) {
        double s = a + k * MDL_WEEK_S;
        (*folds)[2 * k] = (struct mdl_window){s, s + MDL_WEEK_S};
        (*folds)[2 * k + 1] = (struct mdl_window){s + MDL_WEEK_S, s + 2 * MDL_WEEK_S};
    }
    return n;
}

/* Demand columns grown by scale (see mdl_dataset_window). */
static void
scale_metrics(double *met, double scale)
{
    static const enum ks_metric grow[] = {KS_CPU_PCT, KS_CPU_MHZ, KS_MEM_USED_MIB,
                                          KS_NET_RX_KIBPS, KS_NET_TX_KIBPS};
    for (size_t k = 0; k < sizeof grow / sizeof *grow; k++)
        met[grow[k]] *= scale;
}

static int
in_window(const struct mdl_window *w, double t)
{
    return t > w->from_s && t <= w->to_s;
}

/* Inventory rows of the entities with a sample in w (every entity with keep_all);
 * map[e] = new index or UINT32_MAX. */
static void
copy_present(struct ks_dataset *o, const struct ks_dataset *ds, const struct mdl_window *w,
             double scale, int keep_all, uint32_t *map)
{
    size_t nent = ks_dataset_nent(ds);
    char *seen = ks_xcalloc(nent ? nent : 1, 1);
    for (size_t r = 0; r < ds->s.nrows; r++)
        if (in_window(w, ds->s.time[r]))
            seen[ds->s.ent[r]] = 1;
    if (keep_all)
        memset(seen, 1, nent);
    for (size_t e = 0; e < nent; e++) {
        map[e] = UINT32_MAX;
        if (!seen[e])
            continue;
        size_t ne = ks_dataset_add_entity(o, ks_dataset_entity(ds, e), ks_table_get(&ds->inv, e, 1));
        for (size_t c = 2; c < ds->inv.ncols; c++)
            ks_inv_set(o, ne, ds->inv.cols[c], ks_table_get(&ds->inv, e, (int)c));
        double mem = ks_inv_num(ds, e, "mem_MiB");
        if (scale != 1 && !isnan(mem))
            ks_inv_set_num(o, ne, "mem_MiB", mem * scale);
        map[e] = (uint32_t)ne;
    }
    free(seen);
}

/* The flows of the window (their time in it): soft-affinity weights of a window's plan
 * come from the traffic of that window, as a whole-dataset plan's come from all of it.
 * keep_all copies every row (a whole-dataset copy keeps rows without a time too). */
static void
copy_flows(struct ks_dataset *o, const struct ks_dataset *ds, const struct mdl_window *w,
           int keep_all)
{
    const struct ks_table *f = &ds->flows;
    int ct = ks_table_col(f, "time");
    if (f->ncols == 0 || (ct < 0 && !keep_all))
        return;
    ks_table_init(&o->flows, (const char *const *)f->cols, f->ncols);
    for (size_t r = 0; r < f->nrows; r++) {
        double t = ct < 0 ? NAN : ks_table_num(f, r, "time");
        if (!keep_all && (isnan(t) || !in_window(w, t)))
            continue;
        size_t row = ks_table_add_row(&o->flows);
        for (size_t c = 0; c < f->ncols; c++)
            ks_table_set(&o->flows, row, (int)c, ks_table_get(f, r, (int)c));
    }
}

/* The samples of ds in w, scaled; keep_all keeps every entity (in ds's order) and
 * an empty result, else only those with a sample in w, and none is an error. */
static int
window_copy(const struct ks_dataset *ds, const struct mdl_window *w, double scale,
            int keep_all, const char *what, struct ks_dataset **out, struct ks_err *err)
{
    size_t nent = ks_dataset_nent(ds);
    uint32_t *map = ks_xmalloc((nent ? nent : 1) * sizeof *map);
    struct ks_dataset *o = ks_dataset_new();
    copy_present(o, ds, w, scale, keep_all, map);
    o->has_samples = keep_all ? ds->has_samples : 1;
    double met[KS_NMETRIC];
    for (size_t r = 0; r < ds->s.nrows; r++) {
        if (!in_window(w, ds->s.time[r]))
            continue;
        for (int m = 0; m < KS_NMETRIC; m++)
            met[m] = ks_samples_get(&ds->s, r, m);
        if (scale != 1)
            scale_metrics(met, scale);
        ks_samples_append(&o->s, ds->s.time[r], map[ds->s.ent[r]], ds->s.interval_s[r], met);
    }
    free(map);
    copy_flows(o, ds, w, keep_all);
    if (o->s.nrows == 0 && !keep_all) {
        char wb[64], sb[64];
        double a = 0, b = 0;
        mdl_dataset_span(ds, &a, &b, NULL);
        ks_dataset_free(o);
        return ks_errf(err, -ERANGE, "the %s window %s holds no sample: the data spans %s",
                       what, mdl_window_fmt(wb, sizeof wb, w),
                       mdl_window_fmt(sb, sizeof sb, &(struct mdl_window){a, b}));
    }
    *out = o;
    return 0;
}

int
mdl_dataset_window(const struct ks_dataset *ds, const struct mdl_window *w, double scale,
                   const char *what, struct ks_dataset **out, struct ks_err *err)
{
    return window_copy(ds, w, scale, 0, what, out, err);
}

struct ks_dataset *
mdl_dataset_scaled(const struct ks_dataset *ds, double scale)
{
    struct ks_dataset *o = NULL;
    window_copy(ds, &(struct mdl_window){-INFINITY, INFINITY}, scale, 1, "whole", &o, NULL);
    return o;
}
