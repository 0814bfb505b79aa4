/*
 * Zone packings remembered by the plan and reused by its rule-cost re-plans.
 *
 * A re-plan without one rule changes only the zones that rule touches: the other zones
 * are the same packing problem (same units and series, capacity, conflicts, pins, soft
 * pairs, bound, seed and effort) and the search is deterministic, so packing them again
 * gives the packing the plan already found. The plan keeps each zone packing under a
 * key over all of those inputs (XXH3, 128 bits); a re-plan whose zone has that key
 * takes the packing instead of searching again. On 1,000 servers x 14 days the big
 * unzoned zone with a soft-affinity merge was one third of the run, packed twice.
 */
#include <stdlib.h>
#include <string.h>

#include "core/ks_manifest.h"
#include "model/mdl_rules_int.h"
#include "model/mdl_rules_run.h"
#include "model/mdl_stats.h"

/* The key needs libxxhash (core/ks_manifest.h): without it a plan keys nothing and its
 * re-plans pack every zone again (same answer, slower). */

struct memo_entry {
    uint64_t key[2];
    size_t nu;
    uint32_t *assign; /* nu */
    size_t nominal, nbins;
    struct mdl_vbp_result res;
    int ha_ok, ha_exhaustive;
    size_t ha_sets;
};

struct mdl_zone_memo {
    struct memo_entry *e;
    size_t n, cap;
};

int
mdl_rules_zone_key(const struct mdl_rzone *z, const struct mdl_vbp_opts *o, int ha, uint64_t key[2])
{
    struct ks_hash128 st;
    if (ks_hash128_begin(&st) < 0)
        return -1;
    const struct mdl_vbp *p = z->vbp;
    /* Sizes first: the arrays after them are then read unambiguously. */
    size_t hdr[] = {z->nu,          p->n,           p->nres,          p->nsteps,
                    p->allow_over,  z->lb,          z->npinned,       z->pmask != NULL,
                    z->coff[z->nu], z->soff[z->nu], (size_t)o->packer};
    ks_hash128_add(&st, hdr, sizeof hdr);
    ks_hash128_add(&st, p->cap, p->nres * sizeof *p->cap);
    double f[] = {o->effort, o->work, o->time_limit_s, z->soft_scale};
    ks_hash128_add(&st, f, sizeof f);
    ks_hash128_add(&st, &o->seed, sizeof o->seed);
    ks_hash128_add(&st, &ha, sizeof ha);
    ks_hash128_add(&st, p->dem, p->n * p->dim * sizeof *p->dem);
    ks_hash128_add(&st, z->coff, (z->nu + 1) * sizeof *z->coff);
    ks_hash128_add(&st, z->conf, z->coff[z->nu] * sizeof *z->conf);
    ks_hash128_add(&st, z->soff, (z->nu + 1) * sizeof *z->soff);
    ks_hash128_add(&st, z->sadj, z->soff[z->nu] * sizeof *z->sadj);
    ks_hash128_add(&st, z->sw, z->soff[z->nu] * sizeof *z->sw);
    ks_hash128_add(&st, z->pinned, z->npinned * sizeof *z->pinned);
    if (z->pmask)
        ks_hash128_add(&st, z->pmask, z->nu * sizeof *z->pmask);
    ks_hash128_end(&st, key);
    return 0;
}

int
mdl_zone_memo_get(const struct mdl_zone_memo *m, const uint64_t key[2], size_t nu,
                  struct mdl_eval *ez)
{
    for (size_t k = 0; m && k < m->n; k++) {
        const struct memo_entry *x = &m->e[k];
        if (x->key[0] != key[0] || x->key[1] != key[1] || x->nu != nu)
            continue;
        ez->assign = ks_xmalloc((nu ? nu : 1) * sizeof *ez->assign);
        memcpy(ez->assign, x->assign, nu * sizeof *ez->assign);
        ez->nominal = x->nominal;
        ez->nbins = x->nbins;
        ez->res = x->res;
        ez->ha_ok = x->ha_ok;
        ez->ha_exhaustive = x->ha_exhaustive;
        ez->ha_sets = x->ha_sets;
        return 1;
    }
    return 0;
}

void
mdl_zone_memo_put(struct mdl_zone_memo **mp, const uint64_t key[2], size_t nu,
                  const struct mdl_eval *ez)
{
    if (!*mp)
        *mp = ks_xcalloc(1, sizeof **mp);
    struct mdl_zone_memo *m = *mp;
    m->e = ks_xgrow(m->e, &m->cap, m->n + 1, sizeof *m->e);
    struct memo_entry *x = &m->e[m->n++];
    *x = (struct memo_entry){.key = {key[0], key[1]},
                             .nu = nu,
                             .nominal = ez->nominal,
                             .nbins = ez->nbins,
                             .res = ez->res,
                             .ha_ok = ez->ha_ok,
                             .ha_exhaustive = ez->ha_exhaustive,
                             .ha_sets = ez->ha_sets};
    x->assign = ks_xmalloc((nu ? nu : 1) * sizeof *x->assign);
    memcpy(x->assign, ez->assign, nu * sizeof *x->assign);
}

void
mdl_zone_memo_free(struct mdl_zone_memo *m)
{
    if (!m)
        return;
    for (size_t k = 0; k < m->n; k++)
        free(m->e[k].assign);
    free(m->e);
    free(m);
}

void
mdl_rules_memo(struct mdl_rules_run *rr, const struct mdl_zone_memo *in, int record)
{
    rr->memo_in = in;
    rr->memo_record = record;
}

struct mdl_zone_memo *
mdl_rules_memo_take(struct mdl_rules_run *rr)
{
    struct mdl_zone_memo *m = rr->memo_out;
    rr->memo_out = NULL;
    return m;
}
