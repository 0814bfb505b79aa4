/* Packing state: loads, overflow costs, member lists (see mdl_sol.h). */
#include "model/mdl_sol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Cells scanned between early-exit tests: long enough for the compiler to vectorize
 * the inner loop, short enough to stop soon after the limit is crossed. */
#define CHUNK 64
/* Steps per block of the block maxima that let cost scans skip stretches of time where
 * a bin plus an item stays within capacity. */
#define BLK 16
/* Every cell over capacity costs this share of the capacity on top of its excess, so
 * the search also counts overloaded steps: otherwise a last overload of 0.01 MHz looks
 * as good as done and nothing pushes it out. */
#define OVER_CELL 1e-3

static size_t
nblk(const struct mdl_vbp *p)
{
    return (p->nsteps + BLK - 1) / BLK;
}

/* Block maxima of a row of nres * nsteps values into out (nres * nblk). */
static void
block_max_d(const struct mdl_vbp *p, const double *row, double *out)
{
    size_t nb = nblk(p);
    for (size_t r = 0; r < p->nres; r++)
        for (size_t k = 0; k < nb; k++) {
            size_t t0 = k * BLK, t1 = t0 + BLK < p->nsteps ? t0 + BLK : p->nsteps;
            double m = 0;
            for (size_t t = t0; t < t1; t++)
                m = row[r * p->nsteps + t] > m ? row[r * p->nsteps + t] : m;
            out[r * nb + k] = m;
        }
}

static const float *
zero_row(const struct mdl_sol *s)
{
    return s->zero;
}

/* Room for at least need bins; new bins are empty, with weight 1 when weights are on.
 * Bins are only ever added (compact rebuilds the solution), so indices stay stable
 * for the member lists and the tabu marks of the search. */
static void
grow_bins(struct mdl_sol *s, size_t need)
{
    if (need <= s->kcap)
        return;
    size_t dim = s->p->dim, ncap = s->kcap ? s->kcap : 4;
    while (ncap < need)
        ncap *= 2;
    s->load = ks_xrealloc(s->load, ncap * dim * sizeof *s->load);
    memset(s->load + s->kcap * dim, 0, (ncap - s->kcap) * dim * sizeof *s->load);
    s->cost = ks_xrealloc(s->cost, ncap * sizeof *s->cost);
    s->bpeak = ks_xrealloc(s->bpeak, ncap * s->p->nres * sizeof *s->bpeak);
    size_t nbb = s->p->nres * nblk(s->p);
    s->bmax = ks_xrealloc(s->bmax, ncap * nbb * sizeof *s->bmax);
    memset(s->bmax + s->kcap * nbb, 0, (ncap - s->kcap) * nbb * sizeof *s->bmax);
    memset(s->bpeak + s->kcap * s->p->nres, 0, (ncap - s->kcap) * s->p->nres * sizeof *s->bpeak);
    if (s->wt) {
        s->wt = ks_xrealloc(s->wt, ncap * dim * sizeof *s->wt);
        for (size_t j = s->kcap * dim; j < ncap * dim; j++)
            s->wt[j] = 1;
    }
    s->mem = ks_xrealloc(s->mem, ncap * sizeof *s->mem);
    s->cnt = ks_xrealloc(s->cnt, ncap * sizeof *s->cnt);
    s->mcap = ks_xrealloc(s->mcap, ncap * sizeof *s->mcap);
    for (size_t b = s->kcap; b < ncap; b++) {
        s->cost[b] = 0;
        s->mem[b] = NULL;
        s->cnt[b] = s->mcap[b] = 0;
    }
    s->kcap = ncap;
}

/* k empty bins, every item unplaced. Item peaks and block maxima are computed here
 * once: they only depend on the problem. */
void
mdl_sol_init(struct mdl_sol *s, const struct mdl_vbp *p, size_t k)
{
    memset(s, 0, sizeof *s);
    s->p = p;
    s->bin = ks_xmalloc((p->n ? p->n : 1) * sizeof *s->bin);
    s->pos = ks_xmalloc((p->n ? p->n : 1) * sizeof *s->pos);
    s->zero = ks_xcalloc(p->dim ? p->dim : 1, sizeof *s->zero);
    s->ones = ks_xmalloc((p->dim ? p->dim : 1) * sizeof *s->ones);
    s->ipeak = ks_xcalloc((p->n ? p->n : 1) * p->nres, sizeof *s->ipeak);
    s->imax = ks_xmalloc((p->n ? p->n : 1) * p->nres * nblk(p) * sizeof *s->imax);
    double *row = ks_xmalloc((p->dim ? p->dim : 1) * sizeof *row);
    for (size_t i = 0; i < p->n; i++) {
        for (size_t j = 0; j < p->dim; j++)
            row[j] = mdl_vbp_row(p, i)[j];
        block_max_d(p, row, s->imax + i * p->nres * nblk(p));
    }
    free(row);
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; j < p->dim; j++) {
            double *pk = &s->ipeak[i * p->nres + j / p->nsteps], v = mdl_vbp_row(p, i)[j];
            *pk = v > *pk ? v : *pk;
        }
    for (size_t j = 0; j < p->dim; j++)
        s->ones[j] = 1;
    for (size_t i = 0; i < p->n; i++)
        s->bin[i] = MDL_NONE;
    grow_bins(s, k ? k : 1);
    s->k = k;
}

void
mdl_sol_reset(struct mdl_sol *s, size_t k)
{
    const struct mdl_vbp *p = s->p;
    size_t nbb = p->nres * nblk(p);
    memset(s->load, 0, s->kcap * p->dim * sizeof *s->load);
    memset(s->bmax, 0, s->kcap * nbb * sizeof *s->bmax);
    memset(s->bpeak, 0, s->kcap * p->nres * sizeof *s->bpeak);
    for (size_t b = 0; b < s->kcap; b++) {
        s->cost[b] = 0;
        s->cnt[b] = 0;
    }
    for (size_t i = 0; i < p->n; i++)
        s->bin[i] = MDL_NONE;
    free(s->wt);
    s->wt = NULL;
    s->total = 0;
    grow_bins(s, k ? k : 1);
    s->k = k;
}

void
mdl_sol_fini(struct mdl_sol *s)
{
    for (size_t b = 0; b < s->kcap; b++)
        free(s->mem[b]);
    free(s->mem);
    free(s->cnt);
    free(s->mcap);
    free(s->bin);
    free(s->pos);
    free(s->load);
    free(s->cost);
    free(s->zero);
    free(s->ones);
    free(s->ipeak);
    free(s->bpeak);
    free(s->imax);
    free(s->bmax);
    free(s->wt);
    memset(s, 0, sizeof *s);
}

/* dst becomes a copy of src's placement (loads recomputed from the demands, which also
 * sheds the drift of many incremental updates); dst keeps its own work count. */
void
mdl_sol_copy(struct mdl_sol *dst, const struct mdl_sol *src)
{
    double work = dst->work;
    if (dst->p == src->p) {
        mdl_sol_reset(dst, src->k);
    } else {
        mdl_sol_fini(dst);
        mdl_sol_init(dst, src->p, src->k);
    }
    for (size_t i = 0; i < src->p->n; i++)
        if (src->bin[i] != MDL_NONE)
            mdl_sol_put(dst, i, src->bin[i]);
    dst->work = work;
}

size_t
mdl_sol_add_bin(struct mdl_sol *s)
{
    grow_bins(s, s->k + 1);
    return s->k++;
}

/* Recompute bin b's cost after its load changed. */
static void
refresh_cost(struct mdl_sol *s, size_t b)
{
    double c = mdl_sol_cost_with(s, b, MDL_NONE, MDL_NONE, INFINITY);
    s->total += c - s->cost[b];
    s->cost[b] = c;
}

/* Per-resource peak of bin b: a resource whose peak plus the item's peak stays within
 * capacity adds no overflow, so the cost scans skip it. */
static void
refresh_peaks(struct mdl_sol *s, size_t b)
{
    const struct mdl_vbp *p = s->p;
    const size_t nb = nblk(p);
    double *bm = s->bmax + b * p->nres * nb;
    block_max_d(p, s->load + b * p->dim, bm);
    for (size_t r = 0; r < p->nres; r++) { /* the blocks cover every step */
        double m = 0;
        for (size_t k = r * nb; k < (r + 1) * nb; k++)
            m = bm[k] > m ? bm[k] : m;
        s->bpeak[b * p->nres + r] = m;
    }
}

/* Place item i (unplaced) in bin b: loads, peaks, member list and cost follow. O(dim). */
void
mdl_sol_put(struct mdl_sol *s, size_t i, size_t b)
{
    const size_t dim = s->p->dim;
    const float *x = mdl_vbp_row(s->p, i);
    double *l = s->load + b * dim;
    for (size_t j = 0; j < dim; j++)
        l[j] += x[j];
    s->work += (double)dim;
    s->mem[b] = ks_xgrow(s->mem[b], &s->mcap[b], s->cnt[b] + 1, sizeof **s->mem);
    s->pos[i] = (uint32_t)s->cnt[b];
    s->mem[b][s->cnt[b]++] = (uint32_t)i;
    s->bin[i] = (uint32_t)b;
    refresh_peaks(s, b);
    refresh_cost(s, b);
}

/* Remove item i from its bin; the member list keeps no order (swap with the last). */
void
mdl_sol_take(struct mdl_sol *s, size_t i)
{
    const size_t dim = s->p->dim, b = s->bin[i];
    const float *x = mdl_vbp_row(s->p, i);
    double *l = s->load + b * dim;
    for (size_t j = 0; j < dim; j++)
        l[j] -= x[j];
    s->work += (double)dim;
    uint32_t last = s->mem[b][--s->cnt[b]];
    s->mem[b][s->pos[i]] = last;
    s->pos[last] = s->pos[i];
    s->bin[i] = MDL_NONE;
    if (s->cnt[b] == 0) /* an empty bin has no load: wipe the float drift */
        memset(l, 0, dim * sizeof *l);
    refresh_peaks(s, b);
    refresh_cost(s, b);
}

void
mdl_sol_weights(struct mdl_sol *s, int on)
{
    free(s->wt);
    s->wt = NULL;
    if (on) {
        s->wt = ks_xmalloc(s->kcap * s->p->dim * sizeof *s->wt);
        for (size_t j = 0; j < s->kcap * s->p->dim; j++)
            s->wt[j] = 1;
    }
    s->total = 0;
    for (size_t b = 0; b < s->k; b++)
        s->total += s->cost[b] = mdl_sol_cost_with(s, b, MDL_NONE, MDL_NONE, INFINITY);
}

/* Only bins with a cost have cells to raise, and a bin without one keeps its cost (its
 * loads and weights do not change); within a bin, a resource whose peak and a block
 * whose maximum stay within capacity have no cell over it. The same cells as a scan of
 * every cell of every bin, at a fraction of the work (it was half of a plan's time). */
void
mdl_sol_bump_weights(struct mdl_sol *s)
{
    const struct mdl_vbp *p = s->p;
    const size_t T = p->nsteps, nb = nblk(p);
    s->total = 0;
    for (size_t b = 0; b < s->k; b++) {
        if (!(s->cost[b] > 0)) {
            s->total += s->cost[b];
            continue;
        }
        const double *l = s->load + b * p->dim, *bm = s->bmax + b * p->nres * nb;
        double *w = s->wt + b * p->dim;
        for (size_t r = 0; r < p->nres; r++) {
            const double cap = p->cap[r];
            if (s->bpeak[b * p->nres + r] <= cap)
                continue;
            for (size_t k = 0; k < nb; k++) {
                if (bm[r * nb + k] <= cap)
                    continue;
                size_t t1 = (k + 1) * BLK < T ? (k + 1) * BLK : T;
                for (size_t t = r * T + k * BLK; t < r * T + t1; t++)
                    w[t] += l[t] > cap;
            }
        }
        s->total += s->cost[b] = mdl_sol_cost_with(s, b, MDL_NONE, MDL_NONE, INFINITY);
    }
}

/* Rebuilt rather than shifted in place: bins, weights and member lists all move, and
 * this runs once per improved packing, not per move. */
void
mdl_sol_compact(struct mdl_sol *s)
{
    uint32_t *map = ks_xmalloc((s->k ? s->k : 1) * sizeof *map);
    size_t k = 0;
    for (size_t b = 0; b < s->k; b++)
        map[b] = s->cnt[b] ? (uint32_t)k++ : MDL_NONE;
    uint32_t *bin = ks_xmalloc((s->p->n ? s->p->n : 1) * sizeof *bin);
    for (size_t i = 0; i < s->p->n; i++)
        bin[i] = s->bin[i] == MDL_NONE ? MDL_NONE : map[s->bin[i]];
    double work = s->work;
    const struct mdl_vbp *p = s->p;
    mdl_sol_reset(s, k);
    for (size_t i = 0; i < p->n; i++)
        if (bin[i] != MDL_NONE)
            mdl_sol_put(s, i, bin[i]);
    s->work = work;
    free(map);
    free(bin);
}

double
mdl_sol_cost_with(struct mdl_sol *s, size_t b, uint32_t add, uint32_t sub, double limit)
{
    const struct mdl_vbp *p = s->p;
    const size_t T = p->nsteps, nb = nblk(p);
    const float *a = add == MDL_NONE ? zero_row(s) : mdl_vbp_row(p, add);
    const float *d = sub == MDL_NONE ? zero_row(s) : mdl_vbp_row(p, sub);
    const double *l = s->load + b * p->dim;
    const double *w = s->wt ? s->wt + b * p->dim : s->ones;
    const double *bm = s->bmax + b * p->nres * nb;
    const double *am = add == MDL_NONE ? NULL : s->imax + add * p->nres * nb;
    double cost = 0;
    s->work += 16; /* call overhead, so tiny dimensions still count */
    for (size_t r = 0; r < p->nres; r++) {
        const double cap = p->cap[r], inv = 1.0 / cap, pen = cap * OVER_CELL;
        double over = 0;
        size_t cnt = 0, o = r * T;
        /* Nothing can be over capacity on this resource: skip its steps. */
        double top = s->bpeak[b * p->nres + r] + (am ? s->ipeak[add * p->nres + r] : 0);
        if (top <= cap)
            continue;
        for (size_t k = 0; k < nb; k++) {
            /* Removing an item only lowers loads: the bin's and the added item's block
             * maxima bound the block from above. */
            if (bm[r * nb + k] + (am ? am[r * nb + k] : 0) <= cap)
                continue;
            size_t t0 = k * BLK, t1 = t0 + BLK < T ? t0 + BLK : T;
            for (size_t t = t0; t < t1; t++) {
                double e = l[o + t] + (double)a[o + t] - (double)d[o + t] - cap;
                over += e > 0 ? (e + pen) * w[o + t] : 0;
                cnt += e > 0;
            }
            s->work += (double)(t1 - t0);
            if (cnt > p->allow_over && cost + over * inv > limit)
                return cost + over * inv;
        }
        cost += cnt > p->allow_over ? over * inv : 0;
    }
    return cost;
}

double
mdl_sol_delta_add(struct mdl_sol *s, size_t b, size_t i, double limit)
{
    const struct mdl_vbp *p = s->p;
    if (p->allow_over) /* the count rule is not additive: take the difference of costs */
        return mdl_sol_cost_with(s, b, (uint32_t)i, MDL_NONE, limit + s->cost[b]) - s->cost[b];
    const size_t T = p->nsteps, nb = nblk(p);
    const float *x = mdl_vbp_row(p, i);
    const double *l = s->load + b * p->dim;
    const double *w = s->wt ? s->wt + b * p->dim : s->ones;
    const double *bm = s->bmax + b * p->nres * nb, *im = s->imax + i * p->nres * nb;
    double delta = 0;
    s->work += 16;
    for (size_t r = 0; r < p->nres; r++) {
        const double cap = p->cap[r], inv = 1.0 / cap, pen = cap * OVER_CELL;
        size_t o = r * T;
        if (s->bpeak[b * p->nres + r] + s->ipeak[i * p->nres + r] <= cap)
            continue; /* the item fits under the bin's peak headroom on r */
        for (size_t k = 0; k < nb; k++) {
            if (bm[r * nb + k] + im[r * nb + k] <= cap)
                continue;
            size_t t0 = k * BLK, t1 = t0 + BLK < T ? t0 + BLK : T;
            double d = 0;
            for (size_t t = t0; t < t1; t++) {
                double before = l[o + t] - cap, after = before + (double)x[o + t];
                d += ((after > 0 ? after + pen : 0) - (before > 0 ? before + pen : 0)) * w[o + t];
            }
            s->work += (double)(t1 - t0);
            delta += d * inv;
            if (delta > limit)
                return delta;
        }
    }
    return delta;
}

/* Chunk [t0, t1) of resource r: an upper bound on bin + item from the block maxima
 * (l <= bmax, x <= imax, and rounding is monotone, so l + x <= bmax + imax). */
static double
chunk_bound(const double *bm, const double *im, size_t nb, size_t r, size_t t0, size_t t1)
{
    double ub = 0;
    for (size_t k = r * nb + t0 / BLK; k < r * nb + (t1 + BLK - 1) / BLK; k++)
        ub = bm[k] + im[k] > ub ? bm[k] + im[k] : ub;
    return ub;
}

static double
chunk_max(const double *l, const float *x, size_t t0, size_t t1)
{
    double m = 0;
    for (size_t t = t0; t < t1; t++) {
        double v = l[t] + (double)x[t];
        m = v > m ? v : m;
    }
    return m;
}

/* The plain scan goes chunk by chunk in time order and stops at the first chunk whose
 * maximum reaches limit. Here a chunk whose bound stays under limit cannot be that
 * chunk and is passed over in the first pass; when nothing stops it, the second pass
 * takes the passed-over chunks that can still raise the peak. The same value and the
 * same work count (the cells the plain scan touches) as the plain scan, so the search
 * that spends its budget in work follows the same path. */
double
mdl_sol_peak_with(struct mdl_sol *s, size_t b, size_t i, double limit)
{
    const struct mdl_vbp *p = s->p;
    const size_t T = p->nsteps, nb = nblk(p);
    const float *x = mdl_vbp_row(p, i);
    const double *l = s->load + b * p->dim;
    const double *bm = s->bmax + b * p->nres * nb, *im = s->imax + i * p->nres * nb;
    double peak = 0;
    for (size_t r = 0; r < p->nres; r++) {
        const double inv = 1.0 / p->cap[r];
        size_t o = r * T;
        for (size_t t0 = 0; t0 < T; t0 += CHUNK) {
            size_t t1 = t0 + CHUNK < T ? t0 + CHUNK : T;
            s->work += (double)(t1 - t0);
            if (chunk_bound(bm, im, nb, r, t0, t1) * inv < limit)
                continue;
            double m = chunk_max(l + o, x + o, t0, t1);
            peak = m * inv > peak ? m * inv : peak;
            if (peak >= limit)
                return peak;
        }
    }
    for (size_t r = 0; r < p->nres; r++) {
        const double inv = 1.0 / p->cap[r];
        size_t o = r * T;
        for (size_t t0 = 0; t0 < T; t0 += CHUNK) {
            size_t t1 = t0 + CHUNK < T ? t0 + CHUNK : T;
            double ub = chunk_bound(bm, im, nb, r, t0, t1) * inv;
            if (ub < limit && ub > peak) {
                double m = chunk_max(l + o, x + o, t0, t1);
                peak = m * inv > peak ? m * inv : peak;
            }
        }
    }
    return peak;
}

/* A limit of 0 stops the cost scan at the first block with an overflow. */
int
mdl_sol_fits(struct mdl_sol *s, size_t b, size_t i)
{
    return mdl_sol_cost_with(s, b, (uint32_t)i, MDL_NONE, 0) <= 0;
}

/* Sizes are normalized per resource so that MHz and MiB weigh alike. */
void
mdl_item_keys(const struct mdl_vbp *p, int kind, double *key)
{
    for (size_t i = 0; i < p->n; i++) {
        const float *x = mdl_vbp_row(p, i);
        double k = 0;
        for (size_t r = 0; r < p->nres; r++) {
            double peak = 0, sum = 0;
            for (size_t t = 0; t < p->nsteps; t++) {
                double v = x[r * p->nsteps + t];
                peak = v > peak ? v : peak;
                sum += v;
            }
            double v = kind == 2 ? sum / (double)p->nsteps / p->cap[r] : peak / p->cap[r];
            k = kind == 1 ? (v > k ? v : k) : k + v;
        }
        key[i] = k;
    }
}

static int
cmp_key(const void *a, const void *b, void *ctx)
{
    const double *key = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    double x = key[i], y = key[j];
    return x < y ? 1 : x > y ? -1 : (i > j) - (i < j);
}

/* Ties by index keep the order, and so the whole search, reproducible. */
uint32_t *
mdl_order_desc(const double *key, size_t n)
{
    uint32_t *o = ks_xmalloc((n ? n : 1) * sizeof *o);
    for (size_t i = 0; i < n; i++)
        o[i] = (uint32_t)i;
    qsort_r(o, n, sizeof *o, cmp_key, (void *)key);
    return o;
}
