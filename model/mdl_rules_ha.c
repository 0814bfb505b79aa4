/*
 * Do the hard rules survive a failover? The planner's N+k check (mdl_ha.c) re-places a
 * failed host's VMs by capacity alone. Here each host of a zone is failed in turn and
 * its units re-placed on the zone's other hosts keeping capacity and the anti-affinity
 * and pin conflicts, in three tries, cheapest first:
 *   1. an empty host of the zone (its HA spare, same model) takes them all: the units
 *      shared the failed host, so they conflict with nothing there;
 *   2. greedy, largest first (then the units with conflicts first), lowest peak;
 *   3. a depth-first search over the failed host's units (most constrained first) with a
 *      budget of FAIL_BUDGET placements: it finds a rule-keeping placement whenever one
 *      exists and the budget is not spent.
 * When all fail, the plan cannot keep the rules after that failure (as far as the budget
 * looked), and the notes name the VM that found no host and the VMs it conflicts with.
 * Only single-host failures are tried (a zone has few hosts; k-subsets would multiply
 * the work for little more information).
 */
#include <stdio.h>
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
    const uint32_t *global; /* per zone host: its plan host */
    const struct mdl_rules_run *rr; /* for the names in the notes */
};

/* Placements the depth-first search may try per failed host before it gives up. */
#define FAIL_BUDGET 20000

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

/* The greedy re-placement of the m units of the failed host (taken out of s already)
 * in the order of key (largest first): 1 when no new bin was needed. s is restored. */
static int
fail_greedy(struct mdl_sol *s, const struct fail_ctx *f0, uint32_t *moved, size_t m,
            const double *key)
{
    size_t nbins = s->k;
    for (size_t x = 1; x < m; x++) /* largest first */
        for (size_t y = x; y > 0 && key[moved[y]] > key[moved[y - 1]]; y--) {
            uint32_t t = moved[y];
            moved[y] = moved[y - 1];
            moved[y - 1] = t;
        }
    struct fail_ctx f = *f0;
    mdl_greedy_peak(s, moved, m, 1, fail_allow, &f); /* a new bin = no room kept the rules */
    int ok = s->k == nbins;
    for (size_t q = 0; q < m; q++)
        mdl_sol_take(s, moved[q]);
    s->k = nbins;
    return ok;
}

/* 1. Every unit of the failed host on one empty host (its spare): they shared a host
 * already, so only room and pin sets can refuse it. s is restored. */
static int
fail_spare(struct mdl_sol *s, const struct fail_ctx *f, const uint32_t *moved, size_t m)
{
    int ok = 0;
    for (uint32_t b = 0; b < s->k && !ok; b++) {
        if (s->cnt[b] || f->down[b])
            continue;
        size_t q = 0;
        while (q < m && fail_allow((void *)f, moved[q], b, s->bin) && mdl_sol_fits(s, b, moved[q]))
            mdl_sol_put(s, moved[q++], b);
        ok = q == m;
        while (q-- > 0)
            mdl_sol_take(s, moved[q]);
    }
    return ok;
}

/* A name for local unit l of the zone: its first source's entity, as a rule names it
 * (every unit with a conflict is a rule's member); NULL when no rule names it. */
static const char *
unit_name(const struct fail_ctx *f, uint32_t l)
{
    const struct mdl_rules_run *rr = f->rr;
    uint32_t gu = f->z->unit[l];
    for (size_t q = 0; q < rr->n; q++) {
        if (rr->unit_of[q] != gu)
            continue;
        for (size_t k = 0; k < rr->rs->n; k++)
            for (size_t m = 0; m < rr->rs->r[k].nent; m++)
                if (rr->rs->r[k].ent[m] == rr->ent[q])
                    return rr->rs->r[k].names[m];
    }
    return NULL;
}

/* Why unit u found no host in state s: the hosts with room that hold a unit it conflicts
 * with, and which; or that no surviving host has room. */
static void
fail_why(struct mdl_sol *s, const struct fail_ctx *f, uint32_t u, uint32_t h, char *why,
         size_t len)
{
    const struct mdl_rzone *z = f->z;
    const char *nu = unit_name(f, u);
    size_t n = (size_t)snprintf(why, len, "%s (from host%02u) finds no host", nu ? nu : "a VM",
                                f->global[h] + 1);
    int any = 0;
    for (uint32_t b = 0; b < s->k && b < f->nb && n < len; b++) {
        if (f->down[b] || !mdl_sol_fits(s, b, u) || fail_allow((void *)f, u, b, s->bin))
            continue;
        uint32_t c = MDL_NONE;
        for (uint32_t k = z->coff[u]; k < z->coff[u + 1] && c == MDL_NONE; k++)
            c = s->bin[z->conf[k]] == b ? z->conf[k] : MDL_NONE;
        const char *nc = c != MDL_NONE ? unit_name(f, c) : NULL;
        n += (size_t)snprintf(why + n, len - n, "%s host%02u has room but holds %s",
                              any++ ? "," : ":", f->global[b] + 1, nc ? nc : "a conflicting VM");
    }
    if (!any && n < len)
        snprintf(why + n, len - n, ": no other host of the zone has room");
}

/* 3. Depth-first over the units in order: every host that allows and fits each, the
 * empty hosts tried once (alike without pin sets). 1 when all are placed; d->budget
 * placements at most; the deepest dead end's reason in d->why. s is restored. */
struct fail_dfs {
    struct mdl_sol *s;
    const struct fail_ctx *f;
    const uint32_t *order;
    size_t m, deepest;
    uint32_t h;
    long budget;
    char *why;
    size_t why_len;
};

static int
fail_dfs(struct fail_dfs *d, size_t q)
{
    if (q == d->m)
        return 1;
    struct mdl_sol *s = d->s;
    uint32_t u = d->order[q];
    int empty_tried = 0;
    for (uint32_t b = 0; b < s->k && d->budget > 0; b++) {
        if (!s->cnt[b] && !d->f->set && empty_tried)
            continue;
        if (!fail_allow((void *)d->f, u, b, s->bin) || !mdl_sol_fits(s, b, u))
            continue;
        empty_tried |= !s->cnt[b];
        d->budget--;
        mdl_sol_put(s, u, b);
        int ok = fail_dfs(d, q + 1);
        mdl_sol_take(s, u);
        if (ok)
            return 1;
    }
    if (d->why && q >= d->deepest) {
        d->deepest = q;
        fail_why(s, d->f, u, d->h, d->why, d->why_len);
    }
    return 0;
}

/* Fail bin h of s: 1 when its units re-place on the others keeping the rules (spare,
 * greedy, then the search); else 0 and why. s is restored. */
static int
fail_one(struct mdl_sol *s, const struct fail_ctx *f, uint32_t h, const double *key, char *why,
         size_t why_len)
{
    const struct mdl_rzone *z = f->z;
    uint8_t *down = (uint8_t *)f->down;
    size_t m = 0;
    uint32_t *moved = ks_xmalloc((z->nu ? z->nu : 1) * sizeof *moved);
    double *k2 = ks_xmalloc((z->nu ? z->nu : 1) * sizeof *k2);
    for (size_t l = 0; l < z->nu; l++) {
        if (s->bin[l] == h)
            moved[m++] = (uint32_t)l;
        /* conflicts first, largest first among them: the constrained ones go while
         * every survivor is still open */
        k2[l] = key[l] + (z->coff[l + 1] > z->coff[l] ? 1e6 : 0);
    }
    for (size_t q = 0; q < m; q++)
        mdl_sol_take(s, moved[q]);
    down[h] = 1;
    int ok = fail_spare(s, f, moved, m) || fail_greedy(s, f, moved, m, key) ||
             fail_greedy(s, f, moved, m, k2); /* the last leaves moved in k2's order */
    if (!ok) {
        struct fail_dfs d = {.s = s, .f = f, .order = moved, .m = m, .h = h,
                             .budget = FAIL_BUDGET, .why = why, .why_len = why_len};
        ok = fail_dfs(&d, 0);
    }
    down[h] = 0;
    for (size_t q = 0; q < m; q++)
        mdl_sol_put(s, moved[q], h);
    free(k2);
    free(moved);
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
                   const uint32_t *host_zone, size_t nhosts, uint64_t set, char *why,
                   size_t why_len)
{
    if (why && why_len)
        why[0] = 0;
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
    struct fail_ctx f = {z, down, label, nb, set, global, rr};
    long bad = -1;
    for (uint32_t h = 0; h < nb && bad < 0; h++)
        if (s.cnt[h] && (!set || (label[h] & set)) && !fail_one(&s, &f, h, key, why, why_len))
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
