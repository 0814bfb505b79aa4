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

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "core/ks_dl.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */
#include "model/mdl_rules_int.h"
#include "model/mdl_rules_run.h"
#include "model/mdl_stats.h"

/* libxxhash is loaded on use (core/ks_dl.h), as for the manifests: without it a plan
 * keys nothing and its re-plans pack every zone again (same answer, slower). */
#define XX_FUNCS(X) X(XXH3_128bits_reset) X(XXH3_128bits_update) X(XXH3_128bits_digest)
static struct xx_api {
    XX_FUNCS(KS_DL_FIELD)
} xx; /* filled once per process by ks_dl_load, read-only afterwards */
#define XX_SYM(f) KS_DL_ENTRY(struct xx_api, f)
static const struct ks_dl_sym xx_syms[] = {XX_FUNCS(XX_SYM)};
static struct ks_dl_lib xx_lib =
    KS_DL_LIB(KS_SO_XXHASH, "KASANE_XXHASH_SO", KS_PKG_XXHASH, &xx, xx_syms, NULL);

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

static void
add(XXH3_state_t *st, const void *p, size_t len)
{
    if (len)
        xx.XXH3_128bits_update(st, p, len);
}

int
mdl_rules_zone_key(const struct mdl_rzone *z, const struct mdl_vbp_opts *o, int ha, uint64_t key[2])
{
    struct ks_err err = {0};
    if (ks_dl_load(&xx_lib, &err) < 0)
        return -1;
    const struct mdl_vbp *p = z->vbp;
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    xx.XXH3_128bits_reset(&st);
    /* Sizes first: the arrays after them are then read unambiguously. */
    size_t hdr[] = {z->nu,          p->n,           p->nres,          p->nsteps,
                    p->allow_over,  z->lb,          z->npinned,       z->pmask != NULL,
                    z->coff[z->nu], z->soff[z->nu], (size_t)o->packer};
    add(&st, hdr, sizeof hdr);
    add(&st, p->cap, p->nres * sizeof *p->cap);
    double f[] = {o->effort, o->work, o->time_limit_s, z->soft_scale};
    add(&st, f, sizeof f);
    add(&st, &o->seed, sizeof o->seed);
    add(&st, &ha, sizeof ha);
    add(&st, p->dem, p->n * p->dim * sizeof *p->dem);
    add(&st, z->coff, (z->nu + 1) * sizeof *z->coff);
    add(&st, z->conf, z->coff[z->nu] * sizeof *z->conf);
    add(&st, z->soff, (z->nu + 1) * sizeof *z->soff);
    add(&st, z->sadj, z->soff[z->nu] * sizeof *z->sadj);
    add(&st, z->sw, z->soff[z->nu] * sizeof *z->sw);
    add(&st, z->pinned, z->npinned * sizeof *z->pinned);
    if (z->pmask)
        add(&st, z->pmask, z->nu * sizeof *z->pmask);
    XXH128_hash_t h = xx.XXH3_128bits_digest(&st);
    key[0] = h.low64;
    key[1] = h.high64;
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
