/*
 * Soft affinity where it is free: each group of units joined by soft-affinity pairs
 * (heaviest first) is tried as one packing item; the zone is packed again, and the
 * merge is kept when the packing needs no more hosts than before.
 *
 * Why not only moves after packing: the search packs every host to the edge of its
 * capacity (that is what reaching the lower bound means), so afterwards almost nothing
 * can move. Packing the group as one item lets the search build around it instead.
 * Each try is one packing of the zone at a quarter of the effort, and at most
 * MAX_TRIES groups are tried per zone and host choice; the move pass after it
 * (mdl_rules_pack.c) handles the rest.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/mdl_rules_int.h"
#include "model/mdl_stats.h"

#define MAX_TRIES 6

/* ---- A zone with some of its units merged ------------------------------------------ */

/* Directed edges l -> k of a CSR graph, mapped through map and without self-loops, as
 * a new CSR graph over nm nodes. */
static void
remap_csr(const uint32_t *off, const uint32_t *adj, const double *w, size_t nu,
          const uint32_t *map, size_t nm, uint32_t **noff, uint32_t **nadj, double **nw)
{
    *noff = ks_xcalloc(nm + 1, sizeof **noff);
    for (size_t l = 0; l < nu; l++)
        for (uint32_t k = off[l]; k < off[l + 1]; k++)
            if (map[l] != map[adj[k]])
                (*noff)[map[l] + 1]++;
    for (size_t m = 0; m < nm; m++)
        (*noff)[m + 1] += (*noff)[m];
    uint32_t *fill = ks_xmalloc((nm + 1) * sizeof *fill);
    memcpy(fill, *noff, (nm + 1) * sizeof *fill);
    size_t ne = (*noff)[nm];
    *nadj = ks_xmalloc((ne ? ne : 1) * sizeof **nadj);
    if (nw)
        *nw = ks_xmalloc((ne ? ne : 1) * sizeof **nw);
    for (size_t l = 0; l < nu; l++)
        for (uint32_t k = off[l]; k < off[l + 1]; k++) {
            uint32_t a = map[l], b = map[adj[k]];
            if (a == b)
                continue;
            if (nw)
                (*nw)[fill[a]] = w[k];
            (*nadj)[fill[a]++] = b;
        }
    free(fill);
}

static void
derive(const struct mdl_rzone *z, const uint32_t *map, size_t nm, struct mdl_rzone *d)
{
    const struct mdl_vbp *p = z->vbp;
    memset(d, 0, sizeof *d);
    d->nu = nm;
    d->vbp = mdl_vbp_new(nm, p->nres, p->nsteps, p->cap);
    d->vbp->allow_over = p->allow_over;
    double *sum = ks_xcalloc(nm * p->dim + 1, sizeof *sum);
    for (size_t l = 0; l < z->nu; l++) {
        const float *x = mdl_vbp_row(p, l);
        double *s = sum + (size_t)map[l] * p->dim;
        for (size_t j = 0; j < p->dim; j++)
            s[j] += x[j];
    }
    for (size_t m = 0; m < nm; m++)
        mdl_vbp_set_item(d->vbp, m, sum + m * p->dim);
    free(sum);
    remap_csr(z->coff, z->conf, NULL, z->nu, map, nm, &d->coff, &d->conf, NULL);
    remap_csr(z->soff, z->sadj, z->sw, z->nu, map, nm, &d->soff, &d->sadj, &d->sw);
    d->soft_scale = z->soft_scale;
    d->lb = z->lb;
}

static void
derived_fini(struct mdl_rzone *d)
{
    mdl_vbp_free(d->vbp);
    free(d->coff);
    free(d->conf);
    free(d->soff);
    free(d->sadj);
    free(d->sw);
}

/* Does item i fit an empty bin (at most allow_over steps over per resource)? */
static int
fits_empty(const struct mdl_vbp *p, size_t i)
{
    const float *x = mdl_vbp_row(p, i);
    for (size_t r = 0; r < p->nres; r++) {
        size_t over = 0;
        for (size_t t = 0; t < p->nsteps; t++)
            over += x[r * p->nsteps + t] > p->cap[r];
        if (over > p->allow_over)
            return 0;
    }
    return 1;
}

/* ---- Groups ------------------------------------------------------------------------ */

static uint32_t
root(uint32_t *up, uint32_t x)
{
    while (up[x] != x)
        x = up[x] = up[up[x]];
    return x;
}

/* Soft components: comp[l] = root; weight[root] = the weight inside it. */
static void
components(const struct mdl_rzone *z, uint32_t *comp, double *weight)
{
    for (size_t l = 0; l < z->nu; l++)
        comp[l] = (uint32_t)l;
    for (size_t l = 0; l < z->nu; l++)
        for (uint32_t k = z->soff[l]; k < z->soff[l + 1]; k++) {
            uint32_t a = root(comp, (uint32_t)l), b = root(comp, z->sadj[k]);
            if (a != b)
                comp[a > b ? a : b] = a < b ? a : b;
        }
    for (size_t l = 0; l < z->nu; l++) {
        comp[l] = root(comp, (uint32_t)l);
        weight[l] = 0;
    }
    for (size_t l = 0; l < z->nu; l++)
        for (uint32_t k = z->soff[l]; k < z->soff[l + 1]; k++)
            weight[comp[l]] += z->sw[k];
}

/* map with every unit of component c merged, renumbered 0..; returns the count, or 0
 * when two of the units to merge conflict (they may never share a host). */
static size_t
merge_map(const struct mdl_rzone *z, const uint32_t *map, const uint32_t *comp, uint32_t c,
          uint32_t *out)
{
    size_t nm = 0, nu = z->nu;
    uint32_t *id = ks_xmalloc((nu ? nu : 1) * sizeof *id), target = UINT32_MAX;
    for (size_t l = 0; l < nu; l++)
        id[l] = UINT32_MAX;
    for (size_t l = 0; l < nu; l++)
        if (comp[l] == c && target == UINT32_MAX)
            target = map[l];
    for (size_t l = 0; l < nu; l++) {
        uint32_t old = comp[l] == c ? target : map[l];
        if (id[old] == UINT32_MAX)
            id[old] = (uint32_t)nm++;
        out[l] = id[old];
    }
    for (size_t l = 0; l < nu && nm; l++)
        for (uint32_t k = z->coff[l]; k < z->coff[l + 1]; k++)
            if (out[l] == out[z->conf[k]])
                nm = 0;
    free(id);
    return nm;
}

/* Pack the zone with units merged by map; 1 and ez replaced when no more hosts. */
static int
try_merge(const struct mdl_rzone *z, const uint32_t *map, size_t nm, struct mdl_eval *ez,
          const struct mdl_vbp_opts *o, struct ks_err *err)
{
    struct mdl_rzone d;
    derive(z, map, nm, &d);
    int rc = 0;
    for (size_t m = 0; m < nm && rc == 0; m++)
        rc = fits_empty(d.vbp, m) ? 0 : 1;
    if (rc == 0) {
        struct mdl_vbp_opts od = *o;
        struct mdl_eval e2;
        mdl_eval_init(&e2);
        od.rule_ctx = &d;
        od.allow = d.coff[nm] ? mdl_rules_allow : NULL;
        od.penalty = d.soff[nm] ? mdl_rules_penalty : NULL;
        od.effort = (o->effort > 0 ? o->effort : 1) / 4;
        rc = mdl_eval_pack(&e2, d.vbp, &od, err);
        if (rc == 0 && e2.nominal <= ez->nominal) {
            for (size_t l = 0; l < z->nu; l++)
                ez->assign[l] = e2.assign[map[l]];
            ez->nominal = ez->nbins = ez->res.nbins = e2.nominal;
            rc = 1;
        } else {
            rc = rc < 0 ? rc : 0;
        }
        mdl_eval_fini(&e2);
    } else {
        rc = 0;
    }
    derived_fini(&d);
    return rc;
}

int
mdl_rules_soft_merge(const struct mdl_rzone *z, struct mdl_eval *ez,
                     const struct mdl_vbp_opts *o, struct ks_err *err)
{
    size_t nu = z->nu ? z->nu : 1;
    uint32_t *comp = ks_xmalloc(nu * sizeof *comp), *map = ks_xmalloc(nu * sizeof *map);
    uint32_t *trial = ks_xmalloc(nu * sizeof *trial);
    double *weight = ks_xmalloc(nu * sizeof *weight);
    components(z, comp, weight);
    for (size_t l = 0; l < z->nu; l++)
        map[l] = (uint32_t)l;
    int rc = 0;
    for (int tries = 0; tries < MAX_TRIES && rc >= 0; tries++) {
        /* The heaviest component not tried yet (its weight is zeroed once tried). */
        size_t c = 0;
        for (size_t l = 1; l < z->nu; l++)
            c = weight[l] > weight[c] ? l : c;
        if (z->nu == 0 || weight[c] <= 0)
            break;
        weight[c] = 0;
        size_t nm = merge_map(z, map, comp, (uint32_t)c, trial);
        if (nm && (rc = try_merge(z, trial, nm, ez, o, err)) == 1)
            memcpy(map, trial, z->nu * sizeof *map);
    }
    free(comp);
    free(map);
    free(trial);
    free(weight);
    return rc < 0 ? rc : 0;
}
