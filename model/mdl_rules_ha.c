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
};

static int
fail_allow(void *ctx, size_t item, uint32_t bin, const uint32_t *assign)
{
    const struct fail_ctx *f = ctx;
    return !f->down[bin] && mdl_rules_allow((void *)f->z, item, bin, assign);
}

/* Fail bin h of s: 1 when its units re-place on the others, rules kept, in the order of
 * key (largest first). s is restored. */
static int
fail_order(struct mdl_sol *s, const struct mdl_rzone *z, uint32_t h, uint8_t *down,
           const double *key)
{
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
    struct fail_ctx f = {z, down};
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
fail_one(struct mdl_sol *s, const struct mdl_rzone *z, uint32_t h, uint8_t *down,
         const double *key)
{
    if (fail_order(s, z, h, down, key))
        return 1;
    double *k2 = ks_xmalloc((z->nu ? z->nu : 1) * sizeof *k2);
    for (size_t l = 0; l < z->nu; l++)
        k2[l] = key[l] + (z->coff[l + 1] > z->coff[l] ? 1e6 : 0);
    int ok = fail_order(s, z, h, down, k2);
    free(k2);
    return ok;
}

long
mdl_rules_failover(const struct mdl_rules_run *rr, size_t zi, const uint32_t *assign,
                   const uint32_t *host_zone, size_t nhosts)
{
    const struct mdl_rzone *z = &rr->z[zi];
    if (!z->nu || z->coff[z->nu] == 0 || !host_zone)
        return -2; /* nothing to keep apart in this zone */
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
    long bad = -1;
    for (uint32_t h = 0; h < nb && bad < 0; h++)
        if (s.cnt[h] && !fail_one(&s, z, h, down, key))
            bad = global[h];
    free(down);
    free(key);
    free(placed);
    free(local);
    free(global);
    mdl_sol_fini(&s);
    return bad;
}
