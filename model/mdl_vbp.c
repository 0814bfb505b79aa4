/* Packing problems: construction, .vbp reading, lower bounds, FFD, checking. */
#include "model/mdl_vbp.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_csv.h"

/* Demands start at zero; capacities are copied (at most MDL_MAXRES resources). */
struct mdl_vbp *
mdl_vbp_new(size_t n, size_t nres, size_t nsteps, const double *cap)
{
    struct mdl_vbp *p = ks_xcalloc(1, sizeof *p);
    p->n = n;
    p->nres = nres;
    p->nsteps = nsteps;
    p->dim = nres * nsteps;
    for (size_t r = 0; r < nres && r < MDL_MAXRES; r++)
        p->cap[r] = cap[r];
    size_t cells = n * p->dim;
    p->dem = ks_xcalloc_huge(cells ? cells : 1, sizeof *p->dem); /* 645 MB at 10,000 x 4,032 */
    return p;
}

void
mdl_vbp_free(struct mdl_vbp *p)
{
    if (!p)
        return;
    free(p->dem);
    free(p);
}

/* (float)v rounds to nearest; one step up when that went below v keeps every packing
 * that holds on floats valid on the doubles. */
float
mdl_round_up_float(double v)
{
    if (v > FLT_MAX) /* out of float range: the conversion would be undefined */
        return INFINITY;
    float f = (float)v;
    if ((double)f < v)
        f = nextafterf(f, INFINITY);
    return f;
}

void
mdl_vbp_set_item(struct mdl_vbp *p, size_t i, const double *dem)
{
    float *row = mdl_vbp_row(p, i);
    for (size_t j = 0; j < p->dim; j++)
        row[j] = mdl_round_up_float(dem[j]);
}

/* ---- .vbp reader: whitespace-separated integers, comments not allowed ---------------- */

/* Most items a .vbp file may expand to (the largest published instances have ~10^4;
 * 10^7 items of 16 resources is 640 MB of demands). */
#define VBP_MAX_ITEMS 1e7
/* Largest capacity: weights up to it convert to float without overflow, and sums of
 * 1e7 of them stay finite in double. */
#define VBP_MAX_CAP 1e30

struct tok {
    FILE *f;
    const char *path;
    unsigned long line;
};

/* Next number; returns 0, or an error naming the line. */
static int
next_num(struct tok *t, double *out, const char *what, struct ks_err *err)
{
    int c;
    while ((c = fgetc(t->f)) != EOF && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
        if (c == '\n')
            t->line++;
    if (c == EOF)
        return ks_errf(err, -EINVAL, "%s:%lu: missing %s (end of file)", t->path, t->line,
                       what);
    char buf[64];
    size_t n = 0;
    while (c != EOF && !(c == ' ' || c == '\t' || c == '\r' || c == '\n') && n + 1 < sizeof buf) {
        buf[n++] = (char)c;
        c = fgetc(t->f);
    }
    buf[n] = 0;
    if (c != EOF)
        ungetc(c, t->f);
    if (ks_parse_double(buf, out) < 0 || *out < 0)
        return ks_errf(err, -EINVAL, "%s:%lu: %s '%s' is not a non-negative number", t->path,
                       t->line, what, buf);
    return 0;
}

static int
read_types(struct tok *t, size_t d, double *cap, double **types, size_t *m,
           struct ks_err *err)
{
    double v;
    int rc = next_num(t, &v, "number of item types", err);
    if (rc < 0)
        return rc;
    /* Counts are whole and bounded before any size_t conversion or allocation: a
     * count of 1e30 would overflow both (found by tests/fuzz/fuzz_model). */
    if (v != floor(v) || v > VBP_MAX_ITEMS)
        return ks_errf(err, -EINVAL, "%s:%lu: number of item types %g is not a whole number "
                       "up to %.0f", t->path, t->line, v, VBP_MAX_ITEMS);
    *m = (size_t)v;
    *types = ks_xmalloc((*m ? *m : 1) * (d + 1) * sizeof **types);
    double items = 0;
    for (size_t i = 0; i < *m * (d + 1); i++) {
        if ((rc = next_num(t, &(*types)[i], i % (d + 1) == d ? "demand" : "weight", err)) < 0)
            return rc;
        size_t r = i % (d + 1);
        double dem = (*types)[i];
        if (r == d && (dem != floor(dem) || (items += dem) > VBP_MAX_ITEMS))
            return ks_errf(err, -EINVAL, "%s:%lu: demand %g is not a whole number, or the "
                           "items add up to more than %.0f", t->path, t->line, dem,
                           VBP_MAX_ITEMS);
        if (r < d && (*types)[i] > cap[r])
            return ks_errf(err, -ERANGE, "%s:%lu: weight %g of resource %zu exceeds capacity %g",
                           t->path, t->line, (*types)[i], r + 1, cap[r]);
    }
    return 0;
}

static struct mdl_vbp *
expand_types(size_t d, const double *cap, const double *types, size_t m)
{
    size_t n = 0;
    for (size_t i = 0; i < m; i++)
        n += (size_t)types[i * (d + 1) + d];
    struct mdl_vbp *p = mdl_vbp_new(n, d, 1, cap);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t c = 0; c < (size_t)types[i * (d + 1) + d]; c++)
            mdl_vbp_set_item(p, k++, types + i * (d + 1));
    return p;
}

/* Items are expanded type by type in file order: item indices match the order the
 * benchmark literature uses for `item,bin` output. */
int
mdl_vbp_read(const char *path, struct mdl_vbp **out, struct ks_err *err)
{
    struct tok t = {fopen(path, "r"), path, 1};
    *out = NULL;
    if (!t.f)
        return ks_errf(err, -errno, "%s: cannot open: %s", path, strerror(errno));
    double v, cap[MDL_MAXRES], *types = NULL;
    size_t d = 0, m = 0;
    int rc = next_num(&t, &v, "dimension", err);
    if (rc == 0 && (v < 1 || v > MDL_MAXRES))
        rc = ks_errf(err, -EINVAL, "%s:%lu: dimension %g outside 1..%d", path, t.line, v,
                     MDL_MAXRES);
    d = rc == 0 ? (size_t)v : 0;
    for (size_t r = 0; rc == 0 && r < d; r++)
        if ((rc = next_num(&t, &cap[r], "capacity", err)) == 0 && cap[r] <= 0)
            rc = ks_errf(err, -EINVAL, "%s:%lu: capacity of resource %zu is 0", path, t.line,
                         r + 1);
        else if (rc == 0 && cap[r] > VBP_MAX_CAP) /* weights are kept as floats */
            rc = ks_errf(err, -EINVAL, "%s:%lu: capacity %g of resource %zu is above %g", path,
                         t.line, cap[r], r + 1, VBP_MAX_CAP);
    if (rc == 0)
        rc = read_types(&t, d, cap, &types, &m, err);
    fclose(t.f);
    if (rc == 0)
        *out = expand_types(d, cap, types, m);
    free(types);
    return rc;
}

/* ---- Lower bounds ------------------------------------------------------------------- */

static int
cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* ceil(x) forgiving float noise: 20.0000000001 bins of load still needs only 20 bins
 * when the noise comes from summing floats in double. */
static size_t
ceil_tol(double x)
{
    double c = ceil(x - 1e-9);
    /* Saturate instead of an undefined conversion; the planner refuses such demand
     * before it asks for a bound, a .vbp file cannot get near it. */
    return c > 0 ? c < 1e18 ? (size_t)c : (size_t)1e18 : 0;
}

/* O(n x dim): one pass summing every cell. */
/* Bound of one resource from its step sums (sorted here). With k bins each allowed
 * over capacity on at most A steps, at most kA steps see any bin over, so among the
 * kA + 1 largest step sums one is carried within capacity: k x cap >= S[kA] (0-based,
 * descending). The least such k is the bound; A = 0 gives ceil(max S / cap). */
static size_t
over_bound(double *S, size_t T, double cap, size_t A)
{
    qsort(S, T, sizeof *S, cmp_desc);
    /* Past K0 = ceil((T-1)/A) steps the index stays at T-1, so the answer there is
     * max(K0, ceil(S[T-1]/cap)) in closed form: the loop runs at most K0 <= T times
     * however large the demand (stepping k up to a bound of 1e10 hosts took minutes). */
    size_t K0 = A ? (T - 1 + A - 1) / A : 0;
    for (size_t k = 1; k < K0; k++)
        if (ceil_tol(S[k * A] / cap) <= k)
            return k;
    size_t last = ceil_tol(S[A ? T - 1 : 0] / cap);
    K0 = K0 > 1 ? K0 : 1;
    return last > K0 ? last : K0;
}

size_t
mdl_vbp_lb_sum(const struct mdl_vbp *p)
{
    if (p->n == 0)
        return 0;
    double *sum = ks_xcalloc(p->dim, sizeof *sum);
    for (size_t i = 0; i < p->n; i++) {
        const float *x = mdl_vbp_row(p, i);
        for (size_t j = 0; j < p->dim; j++)
            sum[j] += x[j];
    }
    size_t lb = 1;
    for (size_t r = 0; r < p->nres; r++) {
        size_t b = over_bound(sum + r * p->nsteps, p->nsteps, p->cap[r], p->allow_over);
        lb = b > lb ? b : lb;
    }
    free(sum);
    return lb;
}

/* L2 (Martello and Toth 1990): for each threshold K in [0, C/2], items above C-K each
 * need a bin, items in (C/2, C-K] too, and items in [K, C/2] can only fill what the
 * latter leave free. Evaluated at K = 0 and every distinct weight <= C/2. */
/* L2 when no item exceeds cap/2 and none is negative: every threshold then counts no
 * large item, and its sum of the items >= K is a prefix of the descending order, never
 * above the whole sum (adding a non-negative double never lowers a sum), so K = 0 wins:
 * ceil(sum / cap). The sum is taken in input order; only when its ceiling sits within
 * float noise of a step is it summed again in the loop's order, so the answer is the
 * loop's to the last bit. O(n) instead of O(n^2). 1 with *out set, 0 when it cannot tell. */
static int
l2_small_items(const double *w, size_t n, double cap, size_t *out)
{
    double s = 0;
    if (!(cap > 0))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!(w[i] >= 0 && w[i] <= cap / 2))
            return 0;
        s += w[i];
    }
    /* Two orders of summing n doubles differ by at most about 2n ulps of the sum. */
    double x = s / cap, f = floor(x), tol = 1e-6 + 4e-16 * (double)n * x;
    if (x - f < tol || f + 1 - x < tol)
        return 0; /* near a step: let the loop's own summation order decide */
    *out = ceil_tol(x);
    return 1;
}

size_t
mdl_l2_bound(const double *w, size_t n, double cap)
{
    if (n == 0)
        return 0;
    size_t fast;
    if (l2_small_items(w, n, cap, &fast))
        return fast;
    double *v = ks_xmalloc(n * sizeof *v);
    memcpy(v, w, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_desc);
    size_t best = 0;
    for (size_t q = n + 1; q-- > 0;) {
        double K = q == n ? 0 : v[q];
        if (K > cap / 2 || (q < n && q + 1 < n && v[q + 1] == K))
            continue;
        size_t n1 = 0, n2 = 0;
        double s2 = 0, s3 = 0;
        for (size_t i = 0; i < n; i++) {
            if (v[i] > cap - K)
                n1++;
            else if (v[i] > cap / 2)
                n2++, s2 += v[i];
            else if (v[i] >= K)
                s3 += v[i];
        }
        double free2 = (double)n2 * cap - s2, rest = s3 - free2;
        size_t b = n1 + n2 + (rest > 0 ? ceil_tol(rest / cap) : 0);
        best = b > best ? b : best;
    }
    free(v);
    return best;
}

size_t
mdl_vbp_lower_bound(const struct mdl_vbp *p)
{
    size_t lb = mdl_vbp_lb_sum(p);
    /* L2 costs O(n^2) per dimension here: worth it for benchmark-sized problems, where
     * it closes most of the gap; on long series the continuous bound dominates. */
    if (p->allow_over || p->n * p->n * p->dim > 4e8)
        return lb;
    double *w = ks_xmalloc((p->n ? p->n : 1) * sizeof *w);
    for (size_t j = 0; j < p->dim; j++) {
        for (size_t i = 0; i < p->n; i++)
            w[i] = mdl_vbp_row(p, i)[j];
        size_t b = mdl_l2_bound(w, p->n, p->cap[j / p->nsteps]);
        lb = b > lb ? b : lb;
    }
    free(w);
    return lb;
}

/* ---- Checking ----------------------------------------------------------------------- */

static void
check_bin(const struct mdl_vbp *p, size_t b, const double *load, struct mdl_vbp_check *c)
{
    int bad = 0;
    for (size_t r = 0; r < p->nres; r++) {
        size_t over = 0, first = 0;
        for (size_t t = 0; t < p->nsteps; t++) {
            double v = load[r * p->nsteps + t], pct = v / p->cap[r] * 100;
            c->worst_pct = pct > c->worst_pct ? pct : c->worst_pct;
            if (v > p->cap[r] && over++ == 0)
                first = t;
        }
        c->cells_over += over;
        if (over > p->allow_over && !bad++ && c->bins_over == 0) {
            c->first_bin = b;
            c->first_res = r;
            c->first_step = first;
        }
    }
    c->bins_over += bad > 0;
}

/* Loads rebuilt from scratch in double, so the check shares nothing with the
 * engine's incremental state. */
void
mdl_vbp_check(const struct mdl_vbp *p, const uint32_t *assign, size_t nbins,
              struct mdl_vbp_check *out)
{
    memset(out, 0, sizeof *out);
    double *load = ks_xcalloc((nbins ? nbins : 1) * p->dim, sizeof *load);
    for (size_t i = 0; i < p->n; i++) {
        if (assign[i] >= nbins)
            continue;
        double *l = load + (size_t)assign[i] * p->dim;
        const float *x = mdl_vbp_row(p, i);
        for (size_t j = 0; j < p->dim; j++)
            l[j] += x[j];
    }
    for (size_t b = 0; b < nbins; b++)
        check_bin(p, b, load + b * p->dim, out);
    out->cells = nbins * p->dim;
    free(load);
}
