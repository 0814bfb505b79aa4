/*
 * mdl_vbp: the vector bin packing engine behind `kasane plan`.
 *
 * One engine serves two kinds of problem:
 *   - classic vector bin packing (`.vbp` files): nres resources, 1 time step;
 *   - time-aware consolidation: nres resources (CPU MHz, memory MiB) x nsteps time steps.
 * An item's demand is one row of nres * nsteps floats, resource-major
 * (dem[r * nsteps + t]); every bin has the same capacity cap[r] at every step. A bin
 * holds when, for every resource, the number of steps where its summed load exceeds
 * cap[r] is at most allow_over (0 = every step must hold; > 0 implements the
 * P-th-percentile policy of the planner).
 *
 * Demands are floats to halve the memory of large estates (10,000 VMs x 2,016 steps x
 * 2 resources = 161 MB); loads are summed in double. mdl_vbp_set_item rounds each
 * value up to the next float, so a placement that holds on the floats also holds on
 * the original doubles; integer demands (all .vbp files) are exact.
 *
 * The solver (mdl_search.c) is deterministic for a given seed: its effort is counted
 * in work units (demand cells touched), not seconds. A wall-clock limit exists only as
 * a safety stop and is reported when it fires.
 *
 * Room for later features (issues 12 and 13), without rewriting the search:
 *   - hard placement rules (anti-affinity, zones, pinning): the `allow` hook is asked
 *     before every placement, move and swap, so rules hold by construction;
 *   - soft rules (affinity): the `penalty` hook adds a cost to every move the search
 *     weighs;
 *   - backtests and sweeps: mdl_vbp_check replays any placement against another
 *     problem with the same items (other data, other capacity) and counts overloads;
 *     a problem can be re-capacitated (set cap[], allow_over) and solved again.
 */
#ifndef MDL_VBP_H
#define MDL_VBP_H

#include <stddef.h>
#include <stdint.h>

#include "core/ks_util.h"

#define MDL_MAXRES 16

/* A packing problem. Plain struct: fill it with mdl_vbp_new + mdl_vbp_set_item. */
struct mdl_vbp {
    size_t n;              /* items */
    size_t nres, nsteps;   /* resources, time steps (1 for .vbp) */
    size_t dim;            /* nres * nsteps: length of one demand row */
    double cap[MDL_MAXRES]; /* capacity of every bin per resource, > 0 */
    size_t allow_over;     /* steps per resource and bin allowed over capacity */
    float *dem;            /* n * dim, owned */
};

struct mdl_vbp *mdl_vbp_new(size_t n, size_t nres, size_t nsteps, const double *cap);
void mdl_vbp_free(struct mdl_vbp *p);
static inline float *
mdl_vbp_row(const struct mdl_vbp *p, size_t i)
{
    return p->dem + i * p->dim;
}
/* Copy an item's demand (dim doubles, NaN not allowed), each rounded up to a float. */
void mdl_vbp_set_item(struct mdl_vbp *p, size_t i, const double *dem);
/* Round one value up to the nearest float not below it. */
float mdl_round_up_float(double v);

/* Read a VPSolver .vbp file (line 1 d; line 2 capacities; line 3 m; m lines
 * "w_1 .. w_d demand"); items are expanded in file order. Errors name file and line. */
int mdl_vbp_read(const char *path, struct mdl_vbp **out, struct ks_err *err);

/* ---- Bounds ------------------------------------------------------------------------ */

/* Continuous bound: max over resources and steps of ceil(summed demand / capacity),
 * and at least 1 when n > 0. With allow_over = A > 0: the least k such that the
 * (kA+1)-th largest step sum fits k bins (at most kA steps can see a bin over). */
size_t mdl_vbp_lb_sum(const struct mdl_vbp *p);
/* Martello-Toth L2 of one dimension (weights w, n of them, capacity cap). */
size_t mdl_l2_bound(const double *w, size_t n, double cap);
/* Best bound the engine knows: lb_sum, and L2 on every single dimension when
 * allow_over == 0 and n * dim is small enough to afford it. */
size_t mdl_vbp_lower_bound(const struct mdl_vbp *p);

/* ---- Solving ------------------------------------------------------------------------ */

/* Hard rule: may item go into bin, given the current assignment (bin of every item,
 * UINT32_MAX = unplaced)? Return nonzero to allow. */
typedef int (*mdl_allow_fn)(void *ctx, size_t item, uint32_t bin, const uint32_t *assign);
/* Soft rule: extra cost of moving item from bin `from` (UINT32_MAX = unplaced) to `to`. */
typedef double (*mdl_penalty_fn)(void *ctx, size_t item, uint32_t from, uint32_t to,
                                 const uint32_t *assign);

enum mdl_packer { MDL_PACK_SEARCH, MDL_PACK_FFD, MDL_PACK_GREEDY };

struct mdl_vbp_opts {
    uint64_t seed;
    enum mdl_packer packer;  /* SEARCH (default), or a baseline alone */
    double effort;           /* multiplies the automatic work budget; 0 = 1 */
    double work;             /* explicit work budget in demand cells; 0 = automatic */
    double time_limit_s;     /* safety stop in process CPU seconds; 0 = none */
    size_t min_bins;         /* a bound from outside (e.g. rules); 0 = none */
    mdl_allow_fn allow;      /* NULL = everything allowed */
    mdl_penalty_fn penalty;  /* NULL = no soft cost (not used by the baselines) */
    void *rule_ctx;
    /* Warm start (a sweep's next setting): a bin for every item from an earlier packing
     * of the same items, any numbering, UINT32_MAX = none (borrowed, n long; NULL = cold
     * start). The packing is repaired to hold at this problem's capacity instead of
     * rebuilt: see mdl_vbp_solve. Only with the SEARCH packer and without an allow hook
     * (rules); ignored otherwise. */
    const uint32_t *start;
};

struct mdl_vbp_result {
    size_t nbins;       /* bins used (nonempty), numbered 0 .. nbins-1 */
    size_t lower_bound;
    size_t ffd_bins;    /* first-fit-decreasing baseline */
    size_t greedy_bins; /* lowest-peak best-fit baseline */
    double work;        /* demand cells touched */
    double elapsed_s;   /* wall clock */
    double cpu_s;       /* process CPU time (what the safety stop counts) */
    int timed_out;      /* the safety stop fired: the run may not repeat */
};

/* Pack every item; assign[i] receives the bin of item i. Fails with -ERANGE (and
 * *bad_item set when non-NULL) if an item does not fit an empty bin, naming the item
 * index, resource and demand in err.
 * With o->start the baselines are not run (ffd_bins and greedy_bins are 0): the start is
 * made to hold first (items are taken out of its overflowing bins, the biggest culprit
 * first, and put back where the resulting peak is lowest, in a new bin when none has
 * room), so the result never has more bins than that repaired start; the search then
 * tries fewer bins from the start's placement (not from scratch) and descends as usual,
 * on half the work budget (the half a cold search spends on its baselines and first
 * constructions, docs/model.md). */
int mdl_vbp_solve(const struct mdl_vbp *p, const struct mdl_vbp_opts *o, uint32_t *assign,
                  struct mdl_vbp_result *res, size_t *bad_item, struct ks_err *err);

/* First-fit decreasing (items by summed normalized peak), the baseline. Returns bins. */
size_t mdl_vbp_ffd(const struct mdl_vbp *p, uint32_t *assign);

/* ---- Checking a placement ----------------------------------------------------------- */

struct mdl_vbp_check {
    size_t bins_over;   /* bins breaking the allow_over rule on some resource */
    size_t cells_over;  /* bin x resource x step cells over capacity */
    size_t cells;       /* bin x resource x step cells in all */
    double worst_pct;   /* highest load as % of capacity over all cells */
    size_t first_bin, first_res, first_step; /* first violation (if bins_over) */
};
/* Recompute every bin's load from the demands (double sums) and check it. Items with
 * assign[i] >= nbins are ignored (not placed). Replaying a placement on another
 * problem with the same items is a backtest. */
void mdl_vbp_check(const struct mdl_vbp *p, const uint32_t *assign, size_t nbins,
                   struct mdl_vbp_check *out);

#endif
