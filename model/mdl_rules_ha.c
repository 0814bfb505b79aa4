/*
 * Do the hard rules survive a failover? The planner's N+k check (mdl_ha.c) re-places a
 * failed host's VMs by capacity alone. Here each host of a zone is failed in turn and
 * its units re-placed on the zone's other hosts (largest first, lowest resulting peak,
 * must fit) with the anti-affinity and pin conflicts as well: when that fails, the
 * plan cannot keep the rules after that failure, and the rules' notes say so.
 * Only single-host failures are tried (a zone has few hosts; k-subsets would multiply
 * the work for little more information).
 */
#include <stdlib.h>
#include <string.h>

#include "model/mdl_rules_int.h"
#include "model/mdl_rules_run.h"
#include "model/mdl_sol.h"

struct fail_ctx {
    const struct mdl_rzone *z;
    const uint8_t *down;
    const uint64_t *label; /* per zone host: its bit in the rules' pin_list, 0 none */
    size_t nb;
    uint64_t set;          /* 0: keep the conflicts; else the pin set to keep */
};

/* set 0: the conflicts kept (a one-host pin cannot be kept when its host fails: its
 * unit goes anywhere). set != 0: the units pinned to that set move only to another host
 * of it, by capacity, everything else by capacity alone (one rule's own verdict). */
static int
fail_allow(void *ctx, size_t item, uint32_t bin, const uint32_t *assign)
{
    const struct fail_ctx *f = ctx;
    if (f->down[bin])
        return 0;
    if (!f->set)
        return mdl_rules_apart(f->z, item, bin, assign);
    return f->z->pmask[item] != f->set || (bin < f->nb && (f->label[bin] & f->set));
}

/* Fail bin h of s: 1 when its units re-place on the others, rules kept, in the order of
 * key (largest first). s is restored. */
static int
fail_order(struct mdl_sol *s, const struct fail_ctx *f0, uint32_t h, const double *key)
{
    const struct mdl_rzone *z = f0->z;
    uint8_t *down = (uint8_t *)f0->down;
    size_t nbins = s->k, m = 0;
    uint32_t *moved = ks_xmalloc((z->nu ? z->nu : 1) * sizeof *moved);
    for (size_t l = 0; l < z->nu; l++)
        if (s->bin[l] == h)
            moved[m++] = (uint32_t)l;
    for (size_t q = 0; q < m; q++)
        mdl_sol_take(s, moved[q]);
    for (size_t x = 1; x < m; x++) /* largest first */
        for (size_t y = x; y > 0 && key[moved[y]] > key[moved[y - 1]]; y--) {
            uint32_t t = moved[y];
            moved[y] = moved[y - 1];
            moved[y - 1] = t;
        }
    struct fail_ctx f = *f0;
    down[h] = 1;
    mdl_greedy_peak(s, moved, m, 1, fail_allow, &f); /* a new bin = no room kept the rules */
    int ok = s->k == nbins;
    down[h] = 0;
    for (size_t q = 0; q < m; q++) {
        mdl_sol_take(s, moved[q]);
        mdl_sol_put(s, moved[q], h);
    }
    s->k = nbins;
    free(moved);
    return ok;
}

/* Largest first; when that fails, the units with conflicts first (largest first among
 * them), which places the constrained ones while every survivor is still open. */
static int
fail_one(struct mdl_sol *s, const struct fail_ctx *f, uint32_t h, const double *key)
{
    const struct mdl_rzone *z = f->z;
    if (fail_order(s, f, h, key))
        return 1;
    double *k2 = ks_xmalloc((z->nu ? z->nu : 1) * sizeof *k2);
    for (size_t l = 0; l < z->nu; l++)
        k2[l] = key[l] + (z->coff[l + 1] > z->coff[l] ? 1e6 : 0);
    int ok = fail_order(s, f, h, k2);
    free(k2);
    return ok;
}

/* Does the zone have a unit pinned to exactly `set`? */
static int
has_set(const struct mdl_rzone *z, uint64_t set)
{
    for (uint32_t q = 0; q < z->npinned; q++)
        if (z->pmask[z->pinned[q]] == set)
            return 1;
    return 0;
}

long
mdl_rules_failover(const struct mdl_rules_run *rr, size_t zi, const uint32_t *assign,
                   const uint32_t *host_zone, size_t nhosts, uint64_t set)
{
    const struct mdl_rzone *z = &rr->z[zi];
    if (!z->nu || !host_zone || (set ? !has_set(z, set) : z->coff[z->nu] == 0))
        return -2; /* nothing to keep apart (or no unit of that set) in this zone */
    uint32_t *local = ks_xmalloc((nhosts ? nhosts : 1) * sizeof *local);
    uint32_t *global = ks_xmalloc((nhosts ? nhosts : 1) * sizeof *global);
    size_t nb = 0;
    for (size_t h = 0; h < nhosts; h++)
        if (host_zone[h] == zi) {
            global[nb] = (uint32_t)h;
            local[h] = (uint32_t)nb++;
        }
    struct mdl_sol s;
    mdl_sol_init(&s, z->vbp, nb);
    uint8_t *placed = ks_xcalloc(z->nu, 1);
    for (size_t q = 0; q < rr->n; q++) {
        uint32_t u = rr->unit_of[q];
        if (rr->unit_zone[u] == zi && !placed[rr->unit_local[u]]++)
            mdl_sol_put(&s, rr->unit_local[u], local[assign[q]]);
    }
    double *key = ks_xmalloc(z->nu * sizeof *key);
    mdl_item_keys(z->vbp, 0, key);
    uint8_t *down = ks_xcalloc(nb + z->nu + 1, 1);
    uint64_t *label = ks_xcalloc(nb ? nb : 1, sizeof *label);
    for (size_t b = 0; b < nb; b++)
        for (size_t i = 0; i < rr->rs->npin_list && i < 64; i++)
            label[b] |= rr->rs->pin_list[i] == global[b] ? (uint64_t)1 << i : 0;
    struct fail_ctx f = {z, down, label, nb, set};
    long bad = -1;
    for (uint32_t h = 0; h < nb && bad < 0; h++)
        if (s.cnt[h] && (!set || (label[h] & set)) && !fail_one(&s, &f, h, key))
            bad = global[h];
    free(label);
    free(down);
    free(key);
    free(placed);
    free(local);
    free(global);
    mdl_sol_fini(&s);
    return bad;
}
