/*
 * mdl_sol: a packing in progress, shared by the constructive heuristics (mdl_greedy.c)
 * and the local search (mdl_search.c). Internal to model/.
 *
 * A solution holds k bins, the bin of each item (MDL_NONE = unplaced), each bin's load
 * (k x dim doubles, updated incrementally), its overflow cost and its member list. The
 * overflow cost of a bin is, per resource whose over-capacity steps exceed allow_over,
 * the summed excess divided by the capacity (so resources weigh alike); 0 = the bin
 * holds. The search drives the summed cost to 0.
 */
#ifndef MDL_SOL_H
#define MDL_SOL_H

#include "model/mdl_vbp.h"

#define MDL_NONE UINT32_MAX

struct mdl_sol {
    const struct mdl_vbp *p;
    size_t k, kcap;      /* bins in use, bins allocated */
    uint32_t *bin;       /* n: bin of each item */
    uint32_t *pos;       /* n: index of the item in its bin's member list */
    double *load;        /* kcap * dim */
    double *cost;        /* kcap: overflow cost of each bin */
    uint32_t **mem;      /* kcap member lists */
    size_t *cnt, *mcap;  /* members, allocated */
    double total;        /* summed cost */
    double work;         /* demand cells touched (the deterministic effort count) */
    float *zero;         /* dim zeros: the demand of "no item" */
    double *ones;        /* dim ones: the weights when none are set */
    double *bpeak;       /* kcap * nres: highest load of each bin per resource */
    double *ipeak;       /* n * nres: highest demand of each item per resource */
    double *bmax, *imax; /* the same per block of 16 steps: kcap resp. n x nres x blocks */
    double *wt;          /* kcap * dim weights of the overflow cells, or NULL (all 1) */
};

void mdl_sol_init(struct mdl_sol *s, const struct mdl_vbp *p, size_t k);
/* k empty bins, every item unplaced, the work count kept: init without recomputing the
 * item peaks and block maxima, which only depend on the problem (a search restarts
 * many times; recomputing them was a tenth of a sweep's CPU time). */
void mdl_sol_reset(struct mdl_sol *s, size_t k);
void mdl_sol_fini(struct mdl_sol *s);
void mdl_sol_copy(struct mdl_sol *dst, const struct mdl_sol *src);
/* Add an empty bin; returns its index. */
size_t mdl_sol_add_bin(struct mdl_sol *s);
void mdl_sol_put(struct mdl_sol *s, size_t i, size_t b);
void mdl_sol_take(struct mdl_sol *s, size_t i);
/* Weighted overflow (breakout): on = 1 starts every cell's weight at 1, on = 0 drops
 * the weights; either way the costs are recomputed. */
void mdl_sol_weights(struct mdl_sol *s, int on);
/* Add 1 to the weight of every cell over capacity, recompute costs: a local minimum
 * of the weighted overflow stops being one. */
void mdl_sol_bump_weights(struct mdl_sol *s);
/* Drop empty bins and renumber the rest in order. */
void mdl_sol_compact(struct mdl_sol *s);

/* Overflow cost of bin b with item `add` added and item `sub` removed (either may be
 * MDL_NONE). Stops early once the cost exceeds limit (the result is then > limit). */
double mdl_sol_cost_with(struct mdl_sol *s, size_t b, uint32_t add, uint32_t sub,
                         double limit);
/* Cost increase of bin b when item i is added; each step adds a non-negative amount,
 * so the scan stops as soon as the sum exceeds limit (the result is then > limit). */
double mdl_sol_delta_add(struct mdl_sol *s, size_t b, size_t i, double limit);
/* Highest load/capacity over the bin's cells with item i added; stops early once it
 * reaches limit. */
double mdl_sol_peak_with(struct mdl_sol *s, size_t b, size_t i, double limit);
/* Does item i fit bin b (cost stays 0)? Exits at the first violating cell when
 * allow_over is 0. */
int mdl_sol_fits(struct mdl_sol *s, size_t b, size_t i);

/* Item sizes for ordering: key 0 summed normalized peaks, 1 largest normalized peak,
 * 2 summed normalized means. */
void mdl_item_keys(const struct mdl_vbp *p, int kind, double *key);
/* Items ordered by key descending (ties by index). Caller frees. */
uint32_t *mdl_order_desc(const double *key, size_t n);

/* Constructive heuristics. */
void mdl_greedy_ffd(struct mdl_sol *s, const uint32_t *order);
/* Each of the m items in order, to the open bin where the resulting peak is lowest and it
 * fits; a new bin when none fits (open = 1), or, with a fixed bin count (open = 0),
 * to the bin with the lowest resulting peak even if it overflows. */
void mdl_greedy_peak(struct mdl_sol *s, const uint32_t *order, size_t m, int open,
                     mdl_allow_fn allow, void *ctx);

/* Deterministic generator (splitmix64). */
static inline uint64_t
mdl_rand(uint64_t *st)
{
    return ks_splitmix64(st);
}
static inline size_t
mdl_rand_below(uint64_t *st, size_t n)
{
    return n ? (size_t)(mdl_rand(st) % n) : 0;
}

#endif
