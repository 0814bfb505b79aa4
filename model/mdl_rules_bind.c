/*
 * Binding rules to a planning run: excluded sources dropped, units (sources that must
 * share a host) merged, one packing problem per zone with its conflict and soft-affinity
 * graphs, and soft weights from flows.csv.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_table.h"
#include "model/mdl_catalog.h"
#include "model/mdl_rules_int.h"
#include "model/mdl_rules_run.h"

void
mdl_rules_exclude(const struct mdl_rules *rs, struct mdl_demand *d)
{
    uint8_t *out = ks_xcalloc(d->nent ? d->nent : 1, 1);
    for (size_t k = 0; k < rs->n; k++)
        if (rs->r[k].type == MDL_RULE_EXCLUDE && !rs->r[k].disabled)
            for (size_t m = 0; m < rs->r[k].nent; m++)
                out[rs->r[k].ent[m]] = 1;
    size_t T = d->T, w = 0;
    for (size_t q = 0; q < d->n; q++) {
        if (out[d->ent[q]])
            continue;
        /* Compact in place: w <= q, so rows move towards the front only. */
        d->ent[w] = d->ent[q];
        d->src_util[w] = d->src_util[q];
        memmove(d->cpu_MHz + w * T, d->cpu_MHz + q * T, T * sizeof *d->cpu_MHz);
        memmove(d->mem_MiB + w * T, d->mem_MiB + q * T, T * sizeof *d->mem_MiB);
        if (d->net_Mbps)
            memmove(d->net_Mbps + w * T, d->net_Mbps + q * T, T * sizeof *d->net_Mbps);
        w++;
    }
    d->n = w;
    free(out);
}

/* ---- Units -------------------------------------------------------------------------- */

/* Pin mask of each entity (one-host pins and sets alike), all 0 without a pin set:
 * then the one-host pins are kept as before, by merging and conflicts alone. */
static uint64_t *
entity_masks(const struct mdl_rules *rs, size_t nent)
{
    uint64_t *mask = ks_xcalloc(nent ? nent : 1, sizeof *mask);
    for (size_t k = 0; k < rs->n && rs->pin_sets; k++)
        if (rs->r[k].type == MDL_RULE_PIN && !rs->r[k].disabled)
            for (size_t m = 0; m < rs->r[k].nent; m++)
                mask[rs->r[k].ent[m]] = rs->r[k].pin_mask;
    return mask;
}

static void
make_units(struct mdl_rules_run *rr)
{
    uint32_t *rep = mdl_rules_together(rr->rs, rr->nent);
    size_t *zone = mdl_rules_entity_zones(rr->rs, rr->nent);
    long *pin = mdl_rules_entity_pins(rr->rs, rr->nent);
    uint64_t *mask = entity_masks(rr->rs, rr->nent);
    uint32_t *unit_of_rep = ks_xmalloc((rr->nent ? rr->nent : 1) * sizeof *unit_of_rep);
    size_t n = rr->n ? rr->n : 1;
    for (size_t e = 0; e < rr->nent; e++)
        unit_of_rep[e] = UINT32_MAX;
    rr->unit_of = ks_xmalloc(n * sizeof *rr->unit_of);
    rr->unit_zone = ks_xcalloc(n, sizeof *rr->unit_zone);
    rr->unit_local = ks_xcalloc(n, sizeof *rr->unit_local);
    rr->unit_pin = ks_xmalloc(n * sizeof *rr->unit_pin);
    rr->unit_mask = ks_xcalloc(n, sizeof *rr->unit_mask);
    for (size_t q = 0; q < rr->n; q++) {
        uint32_t e = rr->ent[q], r = rep[e];
        if (unit_of_rep[r] == UINT32_MAX) {
            unit_of_rep[r] = (uint32_t)rr->nunits;
            rr->unit_pin[rr->nunits++] = -1;
        }
        uint32_t u = rr->unit_of[q] = unit_of_rep[r];
        /* Members agree (checked); without a rule in a re-plan, the highest zone wins. */
        rr->unit_zone[u] = zone[e] > rr->unit_zone[u] ? (uint32_t)zone[e] : rr->unit_zone[u];
        rr->unit_pin[u] = pin[e] >= 0 ? pin[e] : rr->unit_pin[u];
        rr->unit_mask[u] = mask[e] ? mask[e] : rr->unit_mask[u];
    }
    free(mask);
    free(unit_of_rep);
    free(rep);
    free(zone);
    free(pin);
}

/* The zone's pinned units when one of them is pinned to a set (a set unit: pinned,
 * but to no single host); else the zone needs no matching and keeps npinned 0. */
static void
zone_pins(const struct mdl_rules_run *rr, struct mdl_rzone *z)
{
    int sets = 0;
    for (size_t l = 0; l < z->nu; l++)
        sets |= rr->unit_mask[z->unit[l]] && rr->unit_pin[z->unit[l]] < 0;
    if (!sets)
        return;
    z->pmask = ks_xcalloc(z->nu, sizeof *z->pmask);
    z->pinned = ks_xmalloc(z->nu * sizeof *z->pinned);
    for (size_t l = 0; l < z->nu; l++)
        if ((z->pmask[l] = rr->unit_mask[z->unit[l]]) != 0)
            z->pinned[z->npinned++] = (uint32_t)l;
}

/* Each zone's units and their summed series. */
static void
make_zone_problems(struct mdl_rules_run *rr, const struct mdl_vbp *p)
{
    rr->z = ks_xcalloc(rr->nzones, sizeof *rr->z);
    for (size_t u = 0; u < rr->nunits; u++) {
        struct mdl_rzone *z = &rr->z[rr->unit_zone[u]];
        z->unit = ks_xrealloc(z->unit, (z->nu + 1) * sizeof *z->unit);
        rr->unit_local[u] = (uint32_t)z->nu;
        z->unit[z->nu++] = (uint32_t)u;
    }
    double *sum = ks_xcalloc(rr->nunits ? rr->nunits * p->dim : 1, sizeof *sum);
    for (size_t q = 0; q < rr->n; q++) {
        double *s = sum + (size_t)rr->unit_of[q] * p->dim;
        const float *x = mdl_vbp_row(p, q);
        for (size_t j = 0; j < p->dim; j++)
            s[j] += x[j];
    }
    for (size_t zi = 0; zi < rr->nzones; zi++) {
        struct mdl_rzone *z = &rr->z[zi];
        z->model = -1;
        z->vbp = mdl_vbp_new(z->nu, p->nres, p->nsteps, p->cap);
        for (size_t l = 0; l < z->nu; l++)
            mdl_vbp_set_item(z->vbp, l, sum + (size_t)z->unit[l] * p->dim);
        zone_pins(rr, z);
    }
    free(sum);
}

/* ---- Graphs (CSR over a zone's local unit ids) --------------------------------------- */

struct edges {
    size_t n, cap;
    uint32_t *a, *b;
    double *w;
};

static void
edge_add(struct edges *E, uint32_t a, uint32_t b, double w)
{
    if (E->n == E->cap) {
        E->cap = E->cap ? E->cap * 2 : 64;
        E->a = ks_xrealloc(E->a, E->cap * sizeof *E->a);
        E->b = ks_xrealloc(E->b, E->cap * sizeof *E->b);
        E->w = ks_xrealloc(E->w, E->cap * sizeof *E->w);
    }
    E->a[E->n] = a;
    E->b[E->n] = b;
    E->w[E->n++] = w;
}

/* Both directions of every edge whose units sit in zone zi, as CSR arrays. */
static void
csr(const struct mdl_rules_run *rr, size_t zi, const struct edges *E, uint32_t **off,
    uint32_t **adj, double **wt)
{
    const struct mdl_rzone *z = &rr->z[zi];
    *off = ks_xcalloc(z->nu + 1, sizeof **off);
    for (size_t k = 0; k < E->n; k++)
        if (rr->unit_zone[E->a[k]] == zi) {
            (*off)[rr->unit_local[E->a[k]] + 1]++;
            (*off)[rr->unit_local[E->b[k]] + 1]++;
        }
    for (size_t l = 0; l < z->nu; l++)
        (*off)[l + 1] += (*off)[l];
    size_t m = (*off)[z->nu];
    uint32_t *fill = ks_xmalloc((z->nu + 1) * sizeof *fill);
    memcpy(fill, *off, (z->nu + 1) * sizeof *fill);
    *adj = ks_xmalloc((m ? m : 1) * sizeof **adj);
    if (wt)
        *wt = ks_xmalloc((m ? m : 1) * sizeof **wt);
    for (size_t k = 0; k < E->n; k++) {
        if (rr->unit_zone[E->a[k]] != zi)
            continue;
        uint32_t a = rr->unit_local[E->a[k]], b = rr->unit_local[E->b[k]];
        if (wt)
            (*wt)[fill[a]] = (*wt)[fill[b]] = E->w[k];
        (*adj)[fill[a]++] = b;
        (*adj)[fill[b]++] = a;
    }
    free(fill);
}

/* Conflicts: anti-affinity members, and units pinned to different hosts. */
static void
conflicts(struct mdl_rules_run *rr, const uint32_t *src_of_ent)
{
    struct edges E = {0};
    size_t *clique = ks_xcalloc(rr->nzones, sizeof *clique);
    uint32_t *seen = ks_xcalloc(rr->nunits ? rr->nunits : 1, sizeof *seen);
    for (size_t k = 0; k < rr->rs->n; k++) {
        const struct mdl_rule *r = &rr->rs->r[k];
        if (r->disabled || r->type != MDL_RULE_ANTI)
            continue;
        size_t *cnt = ks_xcalloc(rr->nzones, sizeof *cnt);
        for (size_t x = 0; x < r->nent; x++) {
            uint32_t qa = src_of_ent[r->ent[x]];
            if (qa == UINT32_MAX)
                continue;
            uint32_t ua = rr->unit_of[qa];
            if (seen[ua] != k + 1) /* distinct units per zone: hosts this group needs */
                cnt[rr->unit_zone[ua]]++, seen[ua] = (uint32_t)k + 1;
            for (size_t y = x + 1; y < r->nent; y++) {
                uint32_t qb = src_of_ent[r->ent[y]];
                if (qb != UINT32_MAX && rr->unit_of[qb] != ua &&
                    rr->unit_zone[rr->unit_of[qb]] == rr->unit_zone[ua])
                    edge_add(&E, ua, rr->unit_of[qb], 1);
            }
        }
        for (size_t z = 0; z < rr->nzones; z++)
            clique[z] = cnt[z] > clique[z] ? cnt[z] : clique[z];
        free(cnt);
    }
    size_t *npin = ks_xcalloc(rr->nzones, sizeof *npin);
    for (size_t a = 0; a < rr->nunits; a++) {
        if (rr->unit_pin[a] < 0)
            continue;
        npin[rr->unit_zone[a]]++;
        for (size_t b = a + 1; b < rr->nunits; b++)
            if (rr->unit_pin[b] >= 0 && rr->unit_pin[b] != rr->unit_pin[a] &&
                rr->unit_zone[a] == rr->unit_zone[b])
                edge_add(&E, (uint32_t)a, (uint32_t)b, 1);
    }
    /* A set unit and a pinned unit whose hosts it does not name can never share one. */
    for (size_t a = 0; a < rr->nunits; a++)
        for (size_t b = 0; rr->unit_mask[a] && rr->unit_pin[a] < 0 && b < rr->nunits; b++)
            if (b != a && rr->unit_mask[b] && !(rr->unit_mask[a] & rr->unit_mask[b]) &&
                (rr->unit_pin[b] >= 0 || b > a) && rr->unit_zone[a] == rr->unit_zone[b])
                edge_add(&E, (uint32_t)a, (uint32_t)b, 1);
    for (size_t z = 0; z < rr->nzones; z++) {
        rr->z[z].clique = clique[z] > npin[z] ? clique[z] : npin[z];
        csr(rr, z, &E, &rr->z[z].coff, &rr->z[z].conf, NULL);
    }
    free(npin);
    free(seen);
    free(clique);
    free(E.a);
    free(E.b);
    free(E.w);
}

/* ---- Soft affinity weights ------------------------------------------------------------ */

static void
pair_key(char *buf, size_t n, uint32_t a, uint32_t b)
{
    snprintf(buf, n, "%u,%u", a < b ? a : b, a < b ? b : a);
}

/* Bytes between every pair registered in pairs (key -> index into bytes). */
static void
flow_bytes(const struct ks_dataset *ds, const struct ks_map *pairs, double *bytes)
{
    const struct ks_table *f = &ds->flows;
    int cs = ks_table_col(f, "src"), cd = ks_table_col(f, "dst");
    if (f->ncols == 0 || cs < 0 || cd < 0)
        return;
    struct ks_map ep;
    ks_dataset_addr_map(ds, &ep);
    char key[64];
    for (size_t r = 0; r < f->nrows; r++) {
        uint32_t a, b, ix;
        const char *s = ks_table_get(f, r, cs), *d = ks_table_get(f, r, cd);
        double by = ks_table_num(f, r, "bytes");
        if (!s || !d || isnan(by) || !ks_map_get(&ep, s, &a) || !ks_map_get(&ep, d, &b))
            continue;
        pair_key(key, sizeof key, a, b);
        if (ks_map_get(pairs, key, &ix))
            bytes[ix] += by;
    }
    ks_map_fini(&ep);
}

/* Every pair of every soft rule, weighted. */
static void
soft_pairs(struct mdl_rules_run *rr, const struct ks_dataset *ds, const uint32_t *src_of_ent)
{
    struct ks_map pairs;
    ks_map_init(&pairs);
    size_t np = 0, cap = 0;
    double *bytes = NULL;
    char key[64];
    rr->soft = ks_xcalloc(rr->rs->n ? rr->rs->n : 1, sizeof *rr->soft);
    for (size_t k = 0; k < rr->rs->n; k++) {
        const struct mdl_rule *r = &rr->rs->r[k];
        struct mdl_soft_pairs *sp = &rr->soft[k];
        if (r->disabled || r->type != MDL_RULE_SOFT)
            continue;
        size_t m = r->nent * (r->nent - 1) / 2 + 1;
        sp->a = ks_xmalloc(m * sizeof *sp->a);
        sp->b = ks_xmalloc(m * sizeof *sp->b);
        sp->w = ks_xmalloc(m * sizeof *sp->w);
        for (size_t x = 0; x < r->nent; x++)
            for (size_t y = x + 1; y < r->nent; y++) {
                uint32_t qa = src_of_ent[r->ent[x]], qb = src_of_ent[r->ent[y]];
                if (qa == UINT32_MAX || qb == UINT32_MAX || qa == qb)
                    continue;
                sp->a[sp->n] = qa;
                sp->b[sp->n++] = qb;
                pair_key(key, sizeof key, r->ent[x], r->ent[y]);
                if (!ks_map_get(&pairs, key, &(uint32_t){0})) {
                    bytes = ks_xgrow(bytes, &cap, np + 1, sizeof *bytes);
                    bytes[np] = 0;
                    ks_map_put(&pairs, key, (uint32_t)np++);
                }
            }
    }
    flow_bytes(ds, &pairs, bytes);
    for (size_t k = 0; k < rr->rs->n; k++) {
        struct mdl_soft_pairs *sp = &rr->soft[k];
        const struct mdl_rule *r = &rr->rs->r[k];
        double total = 0;
        for (size_t i = 0; i < sp->n; i++) {
            uint32_t ix;
            pair_key(key, sizeof key, rr->ent[sp->a[i]], rr->ent[sp->b[i]]);
            ks_map_get(&pairs, key, &ix);
            total += sp->w[i] = bytes[ix];
        }
        /* The rule's weight when given; flows when they say something; else 1 a pair. */
        sp->from_flows = isnan(r->weight) && total > 0;
        for (size_t i = 0; i < sp->n && !sp->from_flows; i++)
            sp->w[i] = isnan(r->weight) ? 1 : r->weight;
    }
    free(bytes);
    ks_map_fini(&pairs);
}

/* The soft pairs as unit-level graphs per zone (pairs already sharing a unit drop out). */
static void
soft_graphs(struct mdl_rules_run *rr)
{
    struct edges E = {0};
    for (size_t k = 0; k < rr->rs->n; k++) {
        const struct mdl_soft_pairs *sp = &rr->soft[k];
        for (size_t i = 0; i < sp->n; i++) {
            uint32_t ua = rr->unit_of[sp->a[i]], ub = rr->unit_of[sp->b[i]];
            if (ua != ub && rr->unit_zone[ua] == rr->unit_zone[ub] && sp->w[i] > 0)
                edge_add(&E, ua, ub, sp->w[i]);
        }
    }
    for (size_t zi = 0; zi < rr->nzones; zi++) {
        struct mdl_rzone *z = &rr->z[zi];
        csr(rr, zi, &E, &z->soff, &z->sadj, &z->sw);
        double wmax = 0;
        for (size_t j = 0; j < z->soff[z->nu]; j++)
            wmax = z->sw[j] > wmax ? z->sw[j] : wmax;
        /* Overflow costs are fractions of a host: a pair's weight stays a tie-breaker. */
        z->soft_scale = wmax > 0 ? 0.01 / wmax : 0;
    }
    free(E.a);
    free(E.b);
    free(E.w);
}

void
mdl_rules_bind(const struct mdl_rules *rs, const struct ks_dataset *ds,
               const struct mdl_demand *d, const struct mdl_vbp *p, struct mdl_rules_run **out)
{
    struct mdl_rules_run *rr = ks_xcalloc(1, sizeof *rr);
    rr->rs = rs;
    rr->n = d->n;
    rr->nent = d->nent;
    rr->nzones = rs->nzones;
    rr->ent = ks_xmalloc((d->n ? d->n : 1) * sizeof *rr->ent);
    memcpy(rr->ent, d->ent, d->n * sizeof *rr->ent);
    uint32_t *src_of_ent = ks_xmalloc((d->nent ? d->nent : 1) * sizeof *src_of_ent);
    for (size_t e = 0; e < d->nent; e++)
        src_of_ent[e] = UINT32_MAX;
    for (size_t q = 0; q < d->n; q++)
        src_of_ent[d->ent[q]] = (uint32_t)q;
    make_units(rr);
    make_zone_problems(rr, p);
    conflicts(rr, src_of_ent);
    for (size_t k = 0; k < rs->n; k++) { /* the plan hosts named for each zone */
        const struct mdl_rule *r = &rs->r[k];
        struct mdl_rzone *z = &rr->z[r->zone];
        if (r->disabled || r->type != MDL_RULE_ZONE || !r->nhosts)
            continue;
        z->hosts = ks_xrealloc(z->hosts, (z->nhosts + r->nhosts) * sizeof *z->hosts);
        memcpy(z->hosts + z->nhosts, r->hosts, r->nhosts * sizeof *z->hosts);
        z->nhosts += r->nhosts;
    }
    soft_pairs(rr, ds, src_of_ent);
    soft_graphs(rr);
    free(src_of_ent);
    *out = rr;
}

void
mdl_rules_run_free(struct mdl_rules_run *rr)
{
    if (!rr)
        return;
    for (size_t zi = 0; zi < rr->nzones && rr->z; zi++) {
        struct mdl_rzone *z = &rr->z[zi];
        free(z->unit);
        mdl_vbp_free(z->vbp);
        free(z->coff);
        free(z->conf);
        free(z->soff);
        free(z->sadj);
        free(z->sw);
        free(z->hosts);
        free(z->pmask);
        free(z->pinned);
    }
    for (size_t k = 0; k < rr->rs->n && rr->soft; k++) {
        free(rr->soft[k].a);
        free(rr->soft[k].b);
        free(rr->soft[k].w);
    }
    free(rr->soft);
    mdl_zone_memo_free(rr->memo_out);
    free(rr->z);
    free(rr->ent);
    free(rr->unit_of);
    free(rr->unit_zone);
    free(rr->unit_local);
    free(rr->unit_pin);
    free(rr->unit_mask);
    free(rr->group_need);
    free(rr);
}

/* ---- Zones with a host model of their own ------------------------------------------------ */

int
mdl_rules_zone_models(const struct mdl_rules *rs, const struct mdl_catalog *cat, long *model,
                      struct ks_err *err)
{
    struct mdl_probs pb = {.path = rs->path};
    for (size_t z = 0; z < rs->nzones; z++) {
        const char *name = rs->zone_model ? rs->zone_model[z] : NULL;
        model[z] = name ? mdl_catalog_find(cat, name) : -1;
        if (name && model[z] < 0)
            mdl_probs_add(&pb, rs->zone_model_line[z], "column 'model': zone %s: no host model "
                          "'%s' in the catalog", rs->zones[z], name);
    }
    return mdl_probs_fail(&pb, "file", err);
}

void
mdl_rules_zone_fix(struct mdl_rules_run *rr, size_t zi, long model, int sockets,
                   const double cap[2])
{
    struct mdl_rzone *z = &rr->z[zi];
    z->model = model;
    z->sockets = sockets;
    z->cap[0] = cap[0];
    z->cap[1] = cap[1];
}

size_t
mdl_rules_nzones(const struct mdl_rules_run *rr)
{
    return rr->nzones;
}

size_t
mdl_rules_source_zone(const struct mdl_rules_run *rr, size_t q)
{
    return rr->unit_zone[rr->unit_of[q]];
}

long
mdl_rules_zone_model(const struct mdl_rules_run *rr, size_t zi, int *sockets)
{
    if (sockets)
        *sockets = rr->z[zi].sockets;
    return rr->z[zi].model;
}

size_t
mdl_rules_fixed_bound(const struct mdl_rules_run *rr)
{
    size_t n = 0;
    for (size_t zi = 0; zi < rr->nzones; zi++)
        n += rr->z[zi].model >= 0 ? rr->z[zi].lb : 0;
    return n;
}
