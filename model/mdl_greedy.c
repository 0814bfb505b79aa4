/* Constructive heuristics: first-fit decreasing (the baseline every paper reports) and
 * the lowest-resulting-peak rule the search starts from. */
#include <math.h>
#include <stdlib.h>

#include "model/mdl_sol.h"

/* Each item in order into the first bin where it fits, else a new bin. */
void
mdl_greedy_ffd(struct mdl_sol *s, const uint32_t *order)
{
    for (size_t q = 0; q < s->p->n; q++) {
        size_t i = order[q], b = 0;
        while (b < s->k && !mdl_sol_fits(s, b, i))
            b++;
        if (b == s->k)
            mdl_sol_add_bin(s);
        mdl_sol_put(s, i, b);
    }
}

/* The allowed bin whose peak after adding i is lowest; with need_fit only bins where
 * i fits. Returns MDL_NONE when there is none. */
static uint32_t
lowest_peak_bin(struct mdl_sol *s, size_t i, int need_fit, mdl_allow_fn allow, void *ctx)
{
    double best = INFINITY;
    uint32_t bb = MDL_NONE;
    for (size_t b = 0; b < s->k; b++) {
        if (allow && !allow(ctx, i, (uint32_t)b, s->bin))
            continue;
        double pk = mdl_sol_peak_with(s, b, i, best);
        if (pk < best && (!need_fit || mdl_sol_fits(s, b, i))) {
            best = pk;
            bb = (uint32_t)b;
        }
    }
    return bb;
}

void
mdl_greedy_peak(struct mdl_sol *s, const uint32_t *order, size_t m, int open,
                mdl_allow_fn allow, void *ctx)
{
    for (size_t q = 0; q < m; q++) {
        size_t i = order[q];
        uint32_t b = lowest_peak_bin(s, i, open, allow, ctx);
        if (b == MDL_NONE)
            b = (uint32_t)mdl_sol_add_bin(s);
        mdl_sol_put(s, i, b);
    }
}

/* The baseline on its own, for callers outside the search. */
size_t
mdl_vbp_ffd(const struct mdl_vbp *p, uint32_t *assign)
{
    struct mdl_sol s;
    double *key = ks_xmalloc((p->n ? p->n : 1) * sizeof *key);
    mdl_item_keys(p, 0, key);
    uint32_t *order = mdl_order_desc(key, p->n);
    mdl_sol_init(&s, p, 0);
    mdl_greedy_ffd(&s, order);
    for (size_t i = 0; i < p->n; i++)
        assign[i] = s.bin[i];
    size_t k = s.k;
    mdl_sol_fini(&s);
    free(order);
    free(key);
    return k;
}
