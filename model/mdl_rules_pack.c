/*
 * Packing with rules: one packing per zone through the engine's rule hooks, a pass that
 * pulls soft-affinity members together, HA spares per zone, pinned hosts renamed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/mdl_rules_int.h"
#include "model/mdl_rules_run.h"
#include "model/mdl_sol.h"

/* ---- Hooks (ctx = the zone) --------------------------------------------------------- */

/* Conflicts: no unit that conflicts with `item` may already be in `bin`. */
int
mdl_rules_apart(const struct mdl_rzone *z, size_t item, uint32_t bin, const uint32_t *assign)
{
    for (uint32_t k = z->coff[item]; k < z->coff[item + 1]; k++)
        if (assign[z->conf[k]] == bin)
            return 0;
    return 1;
}

/* Pin sets: with `item` in `bin`, every bin holding pinned units must still get a host
 * named by all of them, each bin a different one (a bipartite matching over at most 64
 * hosts; the zone's pinned units are few, so this is cheap next to a move scan). */
static int
pins_matchable(const struct mdl_rzone *z, size_t item, uint32_t bin, const uint32_t *assign)
{
    uint32_t bins[64];
    uint64_t mask[64];
    int owner[64];
    size_t nb = 0;
    for (uint32_t q = 0; q < z->npinned; q++) {
        uint32_t l = z->pinned[q], b = l == item ? bin : assign[l], x = 0;
        if (b == MDL_NONE)
            continue;
        while (x < nb && bins[x] != b)
            x++;
        if (x == nb) {
            if (nb == 64) /* more bins than a mask has hosts */
                return 0;
            bins[nb] = b;
            mask[nb++] = ~(uint64_t)0;
        }
        if (!(mask[x] &= z->pmask[l]))
            return 0;
    }
    return mdl_rules_pin_match(mask, nb, owner);
}

/* Hard rules: the conflicts, and the pin sets when the zone has one. */
int
mdl_rules_allow(void *ctx, size_t item, uint32_t bin, const uint32_t *assign)
{
    const struct mdl_rzone *z = ctx;
    if (!mdl_rules_apart(z, item, bin, assign))
        return 0;
    return !z->npinned || !z->pmask[item] || pins_matchable(z, item, bin, assign);
}

/* Soft affinity: the weight of the item's pairs that end up split, minus before. */
static double
soft_delta(const struct mdl_rzone *z, size_t item, uint32_t from, uint32_t to,
           const uint32_t *assign)
{
    double d = 0;
    for (uint32_t k = z->soff[item]; k < z->soff[item + 1]; k++) {
        uint32_t b = assign[z->sadj[k]];
        d += z->sw[k] * ((b != to) - (from != MDL_NONE && b != from));
    }
    return d;
}

double
mdl_rules_penalty(void *ctx, size_t item, uint32_t from, uint32_t to, const uint32_t *assign)
{
    const struct mdl_rzone *z = ctx;
    return soft_delta(z, item, from, to, assign) * z->soft_scale;
}

/* ---- Checks before packing ------------------------------------------------------------ */

/* The (allow_over+1)-th largest step of resource r of a unit's series. */
static double
unit_need(const struct mdl_vbp *p, size_t l, size_t r, size_t allow_over, double *buf)
{
    const float *x = mdl_vbp_row(p, l) + r * p->nsteps;
    for (size_t t = 0; t < p->nsteps; t++)
        buf[t] = x[t];
    qsort(buf, p->nsteps, sizeof *buf, ks_cmp_double);
    size_t a = allow_over < p->nsteps ? allow_over : p->nsteps - 1;
    return buf[p->nsteps - 1 - a];
}

/* The rule that made unit u a group (the first affinity or pin rule with a member in it). */
static const struct mdl_rule *
unit_rule(const struct mdl_rules_run *rr, size_t u)
{
    for (size_t k = 0; k < rr->rs->n; k++) {
        const struct mdl_rule *r = &rr->rs->r[k];
        if (r->disabled || (r->type != MDL_RULE_AFFINITY && r->type != MDL_RULE_PIN))
            continue;
        for (size_t q = 0; q < rr->n; q++)
            if (rr->unit_of[q] == u)
                for (size_t m = 0; m < r->nent; m++)
                    if (r->ent[m] == rr->ent[q])
                        return r;
    }
    return NULL;
}

int
mdl_rules_fit_check(struct mdl_rules_run *rr, const double (*caps)[2], size_t ncaps,
                    size_t allow_over, struct ks_err *err)
{
    struct mdl_probs pb = {.path = rr->rs->path};
    size_t *size = ks_xcalloc(rr->nunits ? rr->nunits : 1, sizeof *size);
    for (size_t q = 0; q < rr->n; q++)
        size[rr->unit_of[q]]++;
    free(rr->group_need);
    rr->group_need = ks_xmalloc((rr->nunits ? rr->nunits : 1) * 2 * sizeof *rr->group_need);
    for (size_t u = 0; u < rr->nunits * 2; u++)
        rr->group_need[u] = NAN;
    for (size_t zi = 0; zi < rr->nzones; zi++) {
        const struct mdl_rzone *z = &rr->z[zi];
        double *buf = ks_xmalloc((z->vbp->nsteps ? z->vbp->nsteps : 1) * sizeof *buf);
        for (size_t l = 0; l < z->nu; l++) {
            /* A single source: the planner names it if it fits nowhere. */
            const struct mdl_rule *r = size[z->unit[l]] > 1 ? unit_rule(rr, z->unit[l]) : NULL;
            if (!r)
                continue;
            double cpu = unit_need(z->vbp, l, 0, allow_over, buf);
            double mem = unit_need(z->vbp, l, 1, allow_over, buf);
            if (z->model < 0) { /* screened per host choice (mdl_rules_screen) */
                rr->group_need[z->unit[l] * 2] = cpu;
                rr->group_need[z->unit[l] * 2 + 1] = mem;
            }
            const double(*cz)[2] = z->model >= 0 ? (const double(*)[2])z->cap : caps;
            size_t c = 0, nc = z->model >= 0 ? 1 : ncaps;
            while (c < nc && (cpu > cz[c][0] || mem > cz[c][1]))
                c++;
            if (c == nc)
                mdl_probs_add(&pb, r->line, "%s '%s': its members together need %.0f MHz "
                              "and %.0f MiB, more than any host can carry",
                              mdl_rule_type_name(r->type), r->name, cpu, mem);
        }
        free(buf);
    }
    free(size);
    return mdl_probs_fail(&pb, "for the hosts of the catalog", err);
}

int
mdl_rules_screen(const struct mdl_rules_run *rr, const double pack[2], char *reason, size_t len)
{
    for (size_t u = 0; rr->group_need && u < rr->nunits; u++) {
        double cpu = rr->group_need[u * 2], mem = rr->group_need[u * 2 + 1];
        if (!(cpu > pack[0] || mem > pack[1])) /* NaN: not a group on the plan's model */
            continue;
        const struct mdl_rule *r = unit_rule(rr, u);
        snprintf(reason, len, "%s rule '%s' (%s:%lu): its members together need %.0f MHz "
                 "and %.0f MiB > host %.0f MHz, %.0f MiB", mdl_rule_type_name(r->type),
                 r->name, rr->rs->path, r->line, cpu, mem, pack[0], pack[1]);
        return 1;
    }
    return 0;
}

size_t
mdl_rules_lower_bound(struct mdl_rules_run *rr, const struct mdl_vbp *p)
{
    size_t lb = 0;
    for (size_t zi = 0; zi < rr->nzones; zi++) {
        struct mdl_rzone *z = &rr->z[zi];
        z->vbp->cap[0] = z->model >= 0 ? z->cap[0] : p->cap[0];
        z->vbp->cap[1] = z->model >= 0 ? z->cap[1] : p->cap[1];
        z->vbp->allow_over = p->allow_over;
        z->lb = z->nu ? mdl_vbp_lower_bound(z->vbp) : 0;
        z->lb = z->clique > z->lb ? z->clique : z->lb;
        lb += z->lb;
    }
    return lb;
}

/* ---- Soft-affinity pass ---------------------------------------------------------------- */

static int
soft_neighbours(const struct mdl_rzone *z, size_t u, size_t w)
{
    for (uint32_t k = z->soff[u]; k < z->soff[u + 1]; k++)
        if (z->sadj[k] == w)
            return 1;
    return 0;
}

/* Where w (in bin b) can go when u (from bin a) takes its place in b: the bin whose
 * soft-cost change is lowest among those with room (a itself, with u gone, is a swap). */
static uint32_t
eject_to(const struct mdl_rzone *z, struct mdl_sol *s, size_t u, uint32_t w, uint32_t b,
         double *d)
{
    uint32_t a = s->bin[u], best_c = MDL_NONE;
    *d = INFINITY;
    for (uint32_t c = 0; c < s->k; c++) {
        if (c == b || !mdl_rules_allow((void *)z, w, c, s->bin))
            continue;
        double dc = soft_delta(z, w, b, c, s->bin);
        if (dc >= *d)
            continue;
        if (c == a ? mdl_sol_cost_with(s, a, w, (uint32_t)u, 0) > 0 : !mdl_sol_fits(s, c, w))
            continue;
        *d = dc;
        best_c = c;
    }
    return best_c;
}

/* The best way to make room for u in bin b: a unit w of b that moves elsewhere (*to)
 * so that b keeps within capacity; *gain receives the soft-cost change of both moves.
 * MDL_NONE if there is none that lowers the soft cost. */
static uint32_t
best_eject(const struct mdl_rzone *z, struct mdl_sol *s, size_t u, uint32_t b, double *gain,
           uint32_t *to)
{
    uint32_t a = s->bin[u], best_w = MDL_NONE;
    double d_u = soft_delta(z, u, a, b, s->bin), dw;
    *gain = -1e-9;
    if (d_u >= *gain || !mdl_rules_allow((void *)z, u, b, s->bin))
        return MDL_NONE;
    for (size_t q = 0; q < s->cnt[b]; q++) {
        uint32_t w = s->mem[b][q];
        /* Moving two neighbours at once would make the sum inexact: skip. */
        if (soft_neighbours(z, u, w) || mdl_sol_cost_with(s, b, (uint32_t)u, w, 0) > 0)
            continue;
        uint32_t c = eject_to(z, s, u, w, b, &dw);
        if (c != MDL_NONE && d_u + dw < *gain) {
            *gain = d_u + dw;
            best_w = w;
            *to = c;
        }
    }
    return best_w;
}

/* Improve unit u: the best move to a neighbour's bin, or into it by moving another unit
 * out of the way (an ejection chain of length one). */
static int
soft_improve(const struct mdl_rzone *z, struct mdl_sol *s, size_t u)
{
    uint32_t from = s->bin[u], best_b = MDL_NONE, best_w = MDL_NONE, best_c = 0, c = 0;
    double best = -1e-9, g;
    for (uint32_t k = z->soff[u]; k < z->soff[u + 1]; k++) {
        uint32_t b = s->bin[z->sadj[k]];
        if (b == from)
            continue;
        double d = soft_delta(z, u, from, b, s->bin);
        if (d < best && mdl_rules_allow((void *)z, u, b, s->bin) && mdl_sol_fits(s, b, u))
            best = d, best_b = b, best_w = MDL_NONE;
        uint32_t w = best_eject(z, s, u, b, &g, &c);
        if (w != MDL_NONE && g < best)
            best = g, best_b = b, best_w = w, best_c = c;
    }
    if (best_b == MDL_NONE)
        return 0;
    mdl_sol_take(s, u);
    if (best_w != MDL_NONE) {
        mdl_sol_take(s, best_w);
        mdl_sol_put(s, best_w, best_c);
    }
    mdl_sol_put(s, u, best_b);
    return 1;
}

/* Move (or swap) units to the host of a neighbour while that keeps more weight together,
 * the hosts have room and the hard rules allow it. The search already weighed the penalty; this
 * pass finishes the job on a packing whose overflow is zero. */
static void
soft_pass(struct mdl_rzone *z, struct mdl_eval *ez)
{
    struct mdl_sol s;
    mdl_sol_init(&s, z->vbp, ez->nominal);
    for (size_t l = 0; l < z->nu; l++)
        mdl_sol_put(&s, l, ez->assign[l]);
    for (int pass = 0, moved = 1; pass < 4 && moved; pass++) {
        moved = 0;
        for (size_t u = 0; u < z->nu; u++)
            moved |= soft_improve(z, &s, u);
    }
    mdl_sol_compact(&s);
    for (size_t l = 0; l < z->nu; l++)
        ez->assign[l] = s.bin[l];
    ez->nominal = ez->nbins = ez->res.nbins = s.k;
    mdl_sol_fini(&s);
}

/* ---- Packing ---------------------------------------------------------------------------- */

/* A zone's packing with its spares; taken from rr's memo when the zone is a problem
 * packed before (mdl_rules_memo.c). */
static int
pack_zone(struct mdl_rules_run *rr, struct mdl_rzone *z, struct mdl_eval *ez,
          const struct mdl_vbp_opts *o, int ha, struct ks_err *err)
{
    uint64_t key[2];
    int keyed = (rr->memo_in || rr->memo_record) && mdl_rules_zone_key(z, o, ha, key) == 0;
    if (keyed && rr->memo_in && mdl_zone_memo_get(rr->memo_in, key, z->nu, ez))
        return 0;
    struct mdl_vbp_opts oz = *o;
    oz.min_bins = z->lb;
    oz.rule_ctx = z;
    oz.allow = z->coff[z->nu] || z->npinned ? mdl_rules_allow : NULL;
    oz.penalty = z->soff[z->nu] ? mdl_rules_penalty : NULL;
    int rc = mdl_eval_pack(ez, z->vbp, &oz, err);
    if (rc == 0 && z->soff[z->nu])
        rc = mdl_rules_soft_merge(z, ez, &oz, err);
    if (rc < 0)
        return rc;
    if (z->soff[z->nu])
        soft_pass(z, ez);
    mdl_eval_ha(ez, z->vbp, ha, o->seed);
    /* A search the CPU safety stop cut short may not repeat: not one to reuse. */
    if (keyed && rr->memo_record && !ez->res.timed_out)
        mdl_zone_memo_put(&rr->memo_out, key, z->nu, ez);
    return 0;
}

static void
add_result(struct mdl_vbp_result *to, const struct mdl_vbp_result *r)
{
    to->nbins += r->nbins;
    to->lower_bound += r->lower_bound;
    to->ffd_bins += r->ffd_bins;
    to->greedy_bins += r->greedy_bins;
    to->work += r->work;
    to->elapsed_s += r->elapsed_s;
    to->timed_out |= r->timed_out;
}

/* Zone packings -> one evaluation: nominal hosts zone by zone, then spares likewise. */
static void
merge(struct mdl_rules_run *rr, struct mdl_eval *e, struct mdl_eval *ez)
{
    size_t nominal = 0, nbins = 0, off = 0, soff = 0;
    for (size_t zi = 0; zi < rr->nzones; zi++) {
        nominal += ez[zi].nominal;
        nbins += ez[zi].nbins;
    }
    e->assign = ks_xmalloc((rr->n ? rr->n : 1) * sizeof *e->assign);
    e->host_zone = ks_xmalloc((nbins ? nbins : 1) * sizeof *e->host_zone);
    e->nominal = nominal;
    e->nbins = nbins;
    e->ha_ok = e->ha_exhaustive = 1;
    for (size_t zi = 0; zi < rr->nzones; zi++) {
        const struct mdl_eval *z = &ez[zi];
        size_t spares = z->nbins - z->nominal;
        for (size_t b = 0; b < z->nominal; b++)
            e->host_zone[off + b] = (uint32_t)zi;
        for (size_t b = 0; b < spares; b++)
            e->host_zone[nominal + soff + b] = (uint32_t)zi;
        for (size_t q = 0; q < rr->n; q++)
            if (rr->unit_zone[rr->unit_of[q]] == zi)
                e->assign[q] = (uint32_t)off + z->assign[rr->unit_local[rr->unit_of[q]]];
        add_result(&e->res, &z->res);
        e->ha_ok &= rr->z[zi].nu == 0 || z->ha_ok;
        e->ha_exhaustive &= rr->z[zi].nu == 0 || z->ha_exhaustive;
        e->ha_sets += z->ha_sets;
        off += z->nominal;
        soff += spares;
    }
}

/* Nominal hosts of zone zi. */
static size_t
zone_count(const struct mdl_eval *e, size_t zi)
{
    size_t n = 0;
    for (size_t b = 0; b < e->nominal; b++)
        n += e->host_zone[b] == zi;
    return n;
}

/* The plan hosts named in zone rules go to the zone's hosts (those not pinned), in order.
 * 1 (reason) when a name is past the plan or the zone has fewer hosts than names. */
static int
zone_labels(const struct mdl_rules_run *rr, const struct mdl_eval *e, uint32_t *to,
            uint8_t *taken, char *reason, size_t len)
{
    size_t N = e->nominal;
    for (size_t zi = 0; zi < rr->nzones; zi++) {
        const struct mdl_rzone *z = &rr->z[zi];
        size_t b = 0;
        for (size_t k = 0; k < z->nhosts; k++) {
            size_t L = z->hosts[k];
            if (L < N && taken[L])
                continue; /* a pin of this zone has it already */
            while (b < N && (to[b] != UINT32_MAX || e->host_zone[b] != zi))
                b++;
            if (L >= N || b == N) {
                snprintf(reason, len, "the rules name host%02zu for zone %s, but this model "
                         "needs %zu host(s) there and %zu in all (%s)", L + 1,
                         rr->rs->zones[zi], zone_count(e, zi), N, rr->rs->path);
                return 1;
            }
            to[b] = (uint32_t)L;
            taken[L] = 1;
        }
    }
    return 0;
}

static size_t
bits(uint64_t m)
{
    size_t n = 0;
    for (; m; m &= m - 1)
        n++;
    return n;
}

/* Why the pin sets could not be labelled: the first set rule whose members sit on more
 * hosts than its target has free inside the plan, else the sets together. */
static void
set_reason(const struct mdl_rules_run *rr, const struct mdl_eval *e, uint64_t usable,
           char *reason, size_t len)
{
    uint8_t *on = ks_xcalloc(e->nbins ? e->nbins : 1, 1);
    for (size_t k = 0; k < rr->rs->n; k++) {
        const struct mdl_rule *r = &rr->rs->r[k];
        size_t used = 0;
        if (!mdl_rule_pinset(r) || r->disabled)
            continue;
        memset(on, 0, e->nbins ? e->nbins : 1);
        for (size_t q = 0; q < rr->n; q++)
            for (size_t m = 0; m < r->nent; m++)
                if (r->ent[m] == rr->ent[q] && !on[e->assign[q]]++)
                    used++;
        if (used > bits(r->pin_mask & usable)) {
            snprintf(reason, len, "pin '%s': its members need %zu hosts of this model, more "
                     "than the %zu of its target %s free among the plan's %zu hosts (%s:%lu)",
                     r->name, used, bits(r->pin_mask & usable), r->target, e->nominal,
                     rr->rs->path, r->line);
            free(on);
            return;
        }
    }
    free(on);
    snprintf(reason, len, "the pin sets cannot each get a distinct host of their targets "
             "among this model's %zu hosts (%s)", e->nominal, rr->rs->path);
}

/* Bins holding units pinned to a set get distinct hosts of their sets: a matching over
 * the hosts inside the plan that no one-host pin took. A bin a one-host pin labelled
 * already must be named by its set units too. 1 (reason) when that cannot be done. */
static int
set_labels(const struct mdl_rules_run *rr, const struct mdl_eval *e, uint32_t *to,
           uint8_t *taken, char *reason, size_t len)
{
    const struct mdl_rules *rs = rr->rs;
    size_t N = e->nominal, nb = 0, nfree = 0;
    uint64_t usable = 0, bmask[64], mask[64];
    uint32_t bins[64];
    int owner[64], rc = 0;
    for (size_t i = 0; i < rs->npin_list && i < 64; i++)
        usable |= rs->pin_list[i] < N && !taken[rs->pin_list[i]] ? (uint64_t)1 << i : 0;
    for (size_t q = 0; q < rr->n && rc == 0; q++) { /* the bins of set units, their ANDs */
        uint32_t u = rr->unit_of[q], b = e->assign[q], x = 0;
        if (rr->unit_pin[u] >= 0 || !rr->unit_mask[u] || b >= N)
            continue;
        while (x < nb && bins[x] != b)
            x++;
        rc = x == 64; /* more bins than a mask has hosts */
        if (x == nb && rc == 0) {
            bins[nb] = b;
            bmask[nb++] = ~(uint64_t)0;
        }
        if (rc == 0)
            bmask[x] &= rr->unit_mask[u];
    }
    for (size_t x = 0; x < nb && rc == 0; x++) {
        uint32_t b = bins[x];
        if (to[b] == UINT32_MAX) {
            bins[nfree] = b;
            mask[nfree++] = bmask[x] & usable;
            continue;
        }
        size_t i = 0; /* labelled by a one-host pin: its host must be in the set too */
        while (i < rs->npin_list && rs->pin_list[i] != to[b])
            i++;
        rc = i >= 64 || !(bmask[x] >> i & 1);
    }
    if (rc == 0 && !mdl_rules_pin_match(mask, nfree, owner))
        rc = 1;
    for (int h = 0; h < 64 && rc == 0; h++)
        if (owner[h] >= 0) {
            to[bins[owner[h]]] = (uint32_t)rs->pin_list[h];
            taken[rs->pin_list[h]] = 1;
        }
    if (rc)
        set_reason(rr, e, usable, reason, len);
    return rc;
}

/* Renumber the hosts carrying VMs so that each pinned unit's host gets its name. */
static int
relabel(struct mdl_rules_run *rr, struct mdl_eval *e, char *reason, size_t len)
{
    size_t N = e->nominal;
    uint32_t *to = ks_xmalloc((N ? N : 1) * sizeof *to);
    uint8_t *taken = ks_xcalloc(N ? N : 1, 1);
    int rc = 0;
    for (size_t b = 0; b < N; b++)
        to[b] = UINT32_MAX;
    for (size_t q = 0; q < rr->n && rc == 0; q++) {
        long pin = rr->unit_pin[rr->unit_of[q]];
        if (pin < 0)
            continue;
        if ((size_t)pin >= N) {
            snprintf(reason, len, "pinned host host%02ld, but this model needs only %zu hosts "
                     "(%s)", pin + 1, N, rr->rs->path);
            rc = 1;
        } else if ((taken[pin] || to[e->assign[q]] != UINT32_MAX) &&
                   to[e->assign[q]] != (uint32_t)pin) {
            /* Only when rules left out for a re-plan join what the checks kept apart. */
            snprintf(reason, len, "host%02ld and another pin on one host (%s)", pin + 1,
                     rr->rs->path);
            rc = 1;
        } else {
            to[e->assign[q]] = (uint32_t)pin;
            taken[pin] = 1;
        }
    }
    if (rc == 0 && rr->rs->pin_sets)
        rc = set_labels(rr, e, to, taken, reason, len);
    if (rc == 0)
        rc = zone_labels(rr, e, to, taken, reason, len);
    for (size_t b = 0, next = 0; b < N && rc == 0; b++) {
        if (to[b] != UINT32_MAX)
            continue;
        while (taken[next])
            next++;
        to[b] = (uint32_t)next;
        taken[next] = 1;
    }
    if (rc == 0) {
        uint32_t *hz = ks_xmalloc((N ? N : 1) * sizeof *hz);
        for (size_t b = 0; b < N; b++)
            hz[to[b]] = e->host_zone[b];
        memcpy(e->host_zone, hz, N * sizeof *hz);
        for (size_t q = 0; q < rr->n; q++)
            e->assign[q] = e->assign[q] < N ? to[e->assign[q]] : e->assign[q];
        free(hz);
    }
    free(to);
    free(taken);
    return rc;
}

/* The engine's bound on the units that may only use hosts of set S (their masks inside
 * it), on zone z's capacity. */
static size_t
set_bound(const struct mdl_rzone *z, uint64_t S)
{
    size_t n = 0, dim = z->vbp->dim;
    for (uint32_t q = 0; q < z->npinned; q++)
        n += !(z->pmask[z->pinned[q]] & ~S);
    struct mdl_vbp *sub = mdl_vbp_new(n, z->vbp->nres, z->vbp->nsteps, z->vbp->cap);
    double *row = ks_xmalloc((dim ? dim : 1) * sizeof *row);
    sub->allow_over = z->vbp->allow_over;
    for (uint32_t q = 0, i = 0; q < z->npinned; q++) {
        if (z->pmask[z->pinned[q]] & ~S)
            continue;
        const float *x = mdl_vbp_row(z->vbp, z->pinned[q]);
        for (size_t j = 0; j < dim; j++)
            row[j] = x[j];
        mdl_vbp_set_item(sub, i++, row);
    }
    size_t lb = n ? mdl_vbp_lower_bound(sub) : 0;
    free(row);
    mdl_vbp_free(sub);
    return lb;
}

/* Before packing: a pin set whose members cannot fit its hosts even by the bound makes
 * this host choice ineligible at once (the search would only thrash against the allow
 * hook). 1 with reason, else 0. */
static int
sets_fit(const struct mdl_rules_run *rr, char *reason, size_t len)
{
    for (size_t k = 0; k < rr->rs->n; k++) {
        const struct mdl_rule *r = &rr->rs->r[k];
        if (!mdl_rule_pinset(r) || r->disabled || !r->nent)
            continue;
        for (size_t zi = 0; zi < rr->nzones; zi++) {
            const struct mdl_rzone *z = &rr->z[zi];
            size_t lb = z->npinned ? set_bound(z, r->pin_mask) : 0;
            if (lb > bits(r->pin_mask)) {
                snprintf(reason, len, "pin '%s': its members need at least %zu hosts of this "
                         "model, more than the %zu of its target %s (%s:%lu)", r->name, lb,
                         bits(r->pin_mask), r->target, rr->rs->path, r->line);
                return 1;
            }
        }
    }
    return 0;
}

int
mdl_rules_pack(struct mdl_rules_run *rr, struct mdl_eval *e, const struct mdl_vbp *p,
               const struct mdl_vbp_opts *o, int ha, char *reason, size_t reason_len,
               struct ks_err *err)
{
    struct mdl_eval *ez = ks_xcalloc(rr->nzones, sizeof *ez);
    int rc = 0;
    mdl_rules_lower_bound(rr, p); /* sets every zone's capacity and bound */
    if (rr->rs->pin_sets && sets_fit(rr, reason, reason_len)) {
        free(ez);
        return 1;
    }
    for (size_t zi = 0; zi < rr->nzones && rc == 0; zi++) {
        mdl_eval_init(&ez[zi]);
        if (rr->z[zi].nu)
            rc = pack_zone(rr, &rr->z[zi], &ez[zi], o, ha, err);
    }
    if (rc == 0) {
        merge(rr, e, ez);
        rc = relabel(rr, e, reason, reason_len);
    }
    for (size_t zi = 0; zi < rr->nzones; zi++)
        mdl_eval_fini(&ez[zi]);
    free(ez);
    return rc;
}
