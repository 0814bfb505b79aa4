/*
 * How each rule fared in the chosen plan, checked from the placement itself (not from
 * what the packer meant to do), and its files: rules.csv, zones.csv, summary keys.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ks_table.h"
#include "model/mdl_plan.h"
#include "model/mdl_rules_int.h"
#include "model/mdl_rules_run.h"

void
mdl_rules_result_free(struct mdl_rules_result *res)
{
    if (!res)
        return;
    free(res->out);
    free(res->zone);
    free(res->host_zone);
    free(res);
}

/* Distinct hosts among the rule's members' hosts (-1, physical, not counted). */
static size_t
distinct_hosts(const struct mdl_rule *r, const long *host_of)
{
    size_t d = 0;
    for (size_t m = 0; m < r->nent; m++) {
        long h = host_of[r->ent[m]];
        size_t k = 0;
        while (k < m && host_of[r->ent[k]] != h)
            k++;
        d += h >= 0 && k == m;
    }
    return d;
}

static void
anti_out(const struct mdl_rules_result *res, const struct mdl_rule *r, const struct mdl_plan *pl,
         struct mdl_rule_out *o)
{
    size_t d = distinct_hosts(r, pl->host_of), z = res->host_zone && d
                                                      ? res->host_zone[pl->host_of[r->ent[0]]]
                                                      : 0;
    o->honoured = d == r->nent;
    int n = snprintf(o->notes, sizeof o->notes, "%zu members on %zu hosts", r->nent, d);
    long bad = res->zone[z].failover_conflict; /* a pin set's own verdict is its own */
    if (pl->pol.ha <= 0 || !o->honoured || bad == -2)
        return;
    if (bad < 0)
        snprintf(o->notes + n, sizeof o->notes - (size_t)n, "; kept after the failure of any "
                 "one host (each failed and re-placed)");
    else
        snprintf(o->notes + n, sizeof o->notes - (size_t)n, "; NOT kept after host%02ld fails: "
                 "%.150s", bad + 1, res->zone[z].failover_why);
}

/* A pin set: which host of the set each member got ("db01 on host02, ..."), and whether
 * a failover keeps the members inside the set. */
static void
pinset_out(const struct mdl_rule *r, const struct mdl_plan *pl, struct mdl_rule_out *o)
{
    size_t n = 0, cap = sizeof o->notes;
    o->honoured = 1;
    for (size_t m = 0; m < r->nent; m++) {
        long h = pl->host_of[r->ent[m]];
        int in = 0;
        for (size_t i = 0; i < r->npin && h >= 0; i++)
            in |= r->pin_hosts[i] == (size_t)h;
        o->honoured &= in;
        if (n < cap && h >= 0)
            n += (size_t)snprintf(o->notes + n, cap - n, "%s%s on host%02ld", m ? ", " : "",
                                  r->names[m], h + 1);
        else if (n < cap)
            n += (size_t)snprintf(o->notes + n, cap - n, "%s%s not placed", m ? ", " : "",
                                  r->names[m]);
    }
    long bad = o->failover_break;
    if (n >= cap || pl->pol.ha <= 0 || !o->honoured || bad == -2)
        return;
    if (bad < 0)
        snprintf(o->notes + n, cap - n, "; failover keeps the set: kept after the failure of "
                 "any one host");
    else
        snprintf(o->notes + n, cap - n, "; NOT kept after host%02ld fails: the set's other "
                 "hosts lack room for its members", bad + 1);
}

static void
soft_out(const struct mdl_rules_run *rr, size_t k, const struct mdl_plan *pl,
         struct mdl_rule_out *o)
{
    const struct mdl_soft_pairs *sp = &rr->soft[k];
    for (size_t i = 0; i < sp->n; i++) {
        o->total_bytes += sp->w[i];
        if (pl->host_of[rr->ent[sp->a[i]]] != pl->host_of[rr->ent[sp->b[i]]])
            o->cross_bytes += sp->w[i];
    }
    size_t d = distinct_hosts(&rr->rs->r[k], pl->host_of), apart = 0;
    for (size_t i = 0; i < sp->n; i++) /* pairs in different zones can never share a host */
        apart += rr->unit_zone[rr->unit_of[sp->a[i]]] != rr->unit_zone[rr->unit_of[sp->b[i]]];
    o->honoured = d <= 1;
    /* Flow bytes in the largest binary unit the total fills: twelve-digit byte counts
     * are unreadable in a table cell (the exact figures are summary.csv's
     * soft_affinity_*_bytes). */
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    double scale = 1;
    while (sp->from_flows && u < 4 && o->total_bytes >= scale * 1024)
        scale *= 1024, u++;
    int dec = u > 0; /* a weight or a byte count is whole */
    int n = snprintf(o->notes, sizeof o->notes,
                     "members on %zu host(s); %.*f of %.*f %s%s across hosts (%.0f%%)", d, dec,
                     o->cross_bytes / scale, dec, o->total_bytes / scale,
                     sp->from_flows ? units[u] : "weight", sp->from_flows ? " (flows.csv)" : "",
                     o->total_bytes > 0 ? o->cross_bytes / o->total_bytes * 100 : 0.0);
    if (apart)
        snprintf(o->notes + n, sizeof o->notes - (size_t)n, "; %zu pair(s) in different zones",
                 apart);
}

static void
zone_out(const struct mdl_rules_result *res, const struct mdl_rule *r, const struct mdl_plan *pl,
         struct mdl_rule_out *o)
{
    o->honoured = 1;
    for (size_t m = 0; m < r->nent; m++) {
        long h = pl->host_of[r->ent[m]];
        o->honoured &= h >= 0 && res->host_zone && res->host_zone[h] == r->zone;
    }
    const struct mdl_zone_out *z = &res->zone[r->zone];
    snprintf(o->notes, sizeof o->notes, "zone %s: %zu sources on %zu hosts (%zu HA spare), "
             "lower bound %zu, %zu switch ports", r->target, z->sources, z->hosts, z->spares,
             z->lower_bound, z->switch_ports);
}

/* A rule re-bound to a window that lacks some of its members says so (mdl_rules_rebind):
 * skipped when too few are left, else which members it kept without. */
static int
window_out(const struct mdl_rules *rs, const struct mdl_rule *r, struct mdl_rule_out *o)
{
    if (r->skipped) {
        o->honoured = -1;
        snprintf(o->notes, sizeof o->notes, "skipped: too few members with a sample in the "
                 "%s (absent: %.120s)", rs->window, r->absent);
        return 1;
    }
    size_t n = strlen(o->notes);
    if (r->absent)
        snprintf(o->notes + n, sizeof o->notes - n, "; kept without %.100s (no sample in the "
                 "%s)", r->absent, rs->window);
    return 0;
}

static void
rule_out(const struct mdl_rules_result *res, const struct mdl_rules_run *rr, size_t k,
         const struct mdl_plan *pl)
{
    const struct mdl_rule *r = &rr->rs->r[k];
    struct mdl_rule_out *o = &res->out[k];
    size_t d = distinct_hosts(r, pl->host_of);
    o->hosts_without = NAN;
    if (r->skipped) {
        window_out(rr->rs, r, o);
        return;
    }
    switch (r->type) {
    case MDL_RULE_ANTI:
        anti_out(res, r, pl, o);
        break;
    case MDL_RULE_AFFINITY:
        o->honoured = d == 1;
        snprintf(o->notes, sizeof o->notes, "%zu members on %zu host(s)", r->nent, d);
        break;
    case MDL_RULE_SOFT:
        soft_out(rr, k, pl, o);
        break;
    case MDL_RULE_ZONE:
        zone_out(res, r, pl, o);
        break;
    case MDL_RULE_PIN:
        if (r->npin > 1) {
            pinset_out(r, pl, o);
            break;
        }
        o->honoured = 1;
        for (size_t m = 0; m < r->nent; m++)
            o->honoured &= pl->host_of[r->ent[m]] == (long)r->pin_host;
        snprintf(o->notes, sizeof o->notes, "on host%02zu", r->pin_host + 1);
        break;
    default:
        o->honoured = d == 0;
        snprintf(o->notes, sizeof o->notes, "%zu entit%s kept physical (not packed)", r->nent,
                 r->nent == 1 ? "y" : "ies");
        break;
    }
    window_out(rr->rs, r, o);
}

/* Each pin set's own failover verdict; a zone whose conflicts survive every failure
 * but one of whose sets does not gets that set's host as its verdict. */
static void
set_failovers(struct mdl_rules_result *res, const struct mdl_rules_run *rr,
              const struct mdl_plan *pl, const struct mdl_eval *best)
{
    for (size_t k = 0; k < rr->rs->n; k++) {
        const struct mdl_rule *r = &rr->rs->r[k];
        long brk = -2;
        size_t z = 0;
        for (size_t q = 0; q < rr->n && r->nent; q++)
            z = rr->ent[q] == r->ent[0] ? rr->unit_zone[rr->unit_of[q]] : z;
        if (mdl_rule_pinset(r) && !r->disabled && r->nent && pl->pol.ha > 0)
            brk = mdl_rules_failover(rr, z, best->assign, best->host_zone, pl->nhosts,
                                     r->pin_mask, NULL, 0);
        res->out[k].failover_break = brk;
        long *zb = &res->zone[z].failover_break;
        *zb = brk >= 0 && *zb < 0 ? brk : brk == -1 && *zb == -2 ? -1 : *zb;
    }
}

static void
zone_figures(struct mdl_rules_result *res, struct mdl_rules_run *rr, const struct mdl_plan *pl,
             const struct mdl_eval *best, size_t allow_over)
{
    struct mdl_vbp cap = {.nres = 2, .allow_over = allow_over};
    cap.cap[0] = best->pack_cap[0];
    cap.cap[1] = best->pack_cap[1];
    mdl_rules_lower_bound(rr, &cap);
    for (size_t z = 0; z < rr->nzones; z++) {
        res->zone[z].lower_bound = rr->z[z].lb;
        res->zone[z].model = rr->z[z].model;
        res->zone[z].sockets = rr->z[z].sockets;
    }
    for (size_t h = 0; h < pl->nhosts && res->host_zone; h++) {
        struct mdl_zone_out *z = &res->zone[res->host_zone[h]];
        z->hosts++;
        z->spares += pl->hosts[h].ha_spare != 0;
        z->switch_ports += (size_t)pl->hosts[h].ports_total;
    }
    for (size_t q = 0; q < rr->n; q++)
        res->zone[rr->unit_zone[rr->unit_of[q]]].sources++;
    for (size_t z = 0; z < rr->nzones; z++)
        res->zone[z].failover_break =
            pl->pol.ha > 0 ? mdl_rules_failover(rr, z, best->assign, best->host_zone,
                                                pl->nhosts, 0, res->zone[z].failover_why,
                                                sizeof res->zone[z].failover_why)
                           : -2;
    for (size_t z = 0; z < rr->nzones; z++)
        res->zone[z].failover_conflict = res->zone[z].failover_break;
    set_failovers(res, rr, pl, best);
}

struct mdl_rules_result *
mdl_rules_result_new(struct mdl_rules_run *rr, const struct mdl_plan *pl,
                     const struct mdl_eval *best, size_t allow_over)
{
    struct mdl_rules_result *res = ks_xcalloc(1, sizeof *res);
    res->rules = rr->rs;
    res->out = ks_xcalloc(rr->rs->n ? rr->rs->n : 1, sizeof *res->out);
    res->zone = ks_xcalloc(rr->nzones, sizeof *res->zone);
    res->nhosts = pl->nhosts;
    res->hosts_without_all = NAN;
    if (best->host_zone) {
        res->host_zone = ks_xmalloc((pl->nhosts ? pl->nhosts : 1) * sizeof *res->host_zone);
        memcpy(res->host_zone, best->host_zone, pl->nhosts * sizeof *res->host_zone);
    }
    zone_figures(res, rr, pl, best, allow_over);
    /* Kept physical by an exclude rule (hypervisor hosts are never placed either). */
    uint8_t *seen = ks_xcalloc(pl->nent ? pl->nent : 1, 1);
    for (size_t k = 0; k < rr->rs->n; k++)
        for (size_t m = 0; rr->rs->r[k].type == MDL_RULE_EXCLUDE && m < rr->rs->r[k].nent; m++) {
            uint32_t e = rr->rs->r[k].ent[m];
            res->excluded += !seen[e] && pl->host_of[e] < 0;
            seen[e] = 1;
        }
    free(seen);
    for (size_t k = 0; k < rr->rs->n; k++) {
        rule_out(res, rr, k, pl);
        res->soft_cross_bytes += res->out[k].cross_bytes;
        res->soft_total_bytes += res->out[k].total_bytes;
    }
    return res;
}

/* ---- Files ---------------------------------------------------------------------------- */

typedef void (*put_fn)(void *ctx, const char *key, const char *value);

static void
num(put_fn put, void *ctx, const char *k, double v)
{
    char b[KS_NUMBUF];
    put(ctx, k, ks_fmt_double(b, v));
}

/* yes / no / - (nothing to keep apart, or no HA) */
static const char *
failover_text(long brk)
{
    return brk == -2 ? "-" : brk < 0 ? "yes" : "no";
}

static const char *
zone_key_name(const struct mdl_rules *rs, size_t z)
{
    return z ? rs->zones[z] : "unzoned";
}

void
mdl_rules_summary(const struct mdl_plan *pl, put_fn put, void *ctx)
{
    const struct mdl_rules_result *res = pl->rules;
    const struct mdl_rules *rs = res->rules;
    size_t honoured = 0, zones = 0, skipped = 0;
    for (size_t k = 0; k < rs->n; k++)
        honoured += res->out[k].honoured == 1;
    mdl_rules_absent(rs, &skipped);
    num(put, ctx, "rules", (double)rs->n);
    num(put, ctx, "rules_honoured", (double)honoured);
    if (rs->window) /* planned on a window (a backtest): rules with no member there */
        num(put, ctx, "rules_skipped", (double)skipped);
    num(put, ctx, "hosts_without_rules", res->hosts_without_all);
    num(put, ctx, "rules_cost_hosts", (double)pl->nhosts - res->hosts_without_all);
    num(put, ctx, "excluded_entities", (double)res->excluded);
    num(put, ctx, "soft_affinity_cross_bytes", res->soft_cross_bytes);
    num(put, ctx, "soft_affinity_total_bytes", res->soft_total_bytes);
    long brk = -2;
    for (size_t z = 0; z < rs->nzones; z++) {
        zones += res->zone[z].sources > 0;
        long b = res->zone[z].failover_break;
        brk = b >= 0 ? b : (b == -1 && brk == -2 ? -1 : brk);
    }
    put(ctx, "rules_kept_after_failover", failover_text(brk));
    num(put, ctx, "zones", (double)zones);
    for (size_t z = 0; z < rs->nzones && rs->nzones > 1; z++) {
        const struct mdl_zone_out *zo = &res->zone[z];
        char key[160];
        if (!zo->sources)
            continue;
        const char *nm = zone_key_name(rs, z);
        snprintf(key, sizeof key, "zone_%s_hosts", nm);
        num(put, ctx, key, (double)zo->hosts);
        snprintf(key, sizeof key, "zone_%s_lower_bound_hosts", nm);
        num(put, ctx, key, (double)zo->lower_bound);
        snprintf(key, sizeof key, "zone_%s_switch_ports", nm);
        num(put, ctx, key, (double)zo->switch_ports);
        snprintf(key, sizeof key, "zone_%s_model", nm); /* its own, or the plan's */
        put(ctx, key, zo->model >= 0 ? pl->cat->m[zo->model].name : mdl_plan_model(pl)->name);
    }
}

static int
write_rules_csv(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"rule", "type", "members", "target", "line", "honoured",
                                       "hosts", "hosts_without", "cost_hosts", "notes"};
    const struct mdl_rules *rs = pl->rules->rules;
    struct ks_table t;
    ks_table_init(&t, cols, 10);
    for (size_t k = 0; k < rs->n; k++) {
        const struct mdl_rule *r = &rs->r[k];
        const struct mdl_rule_out *o = &pl->rules->out[k];
        size_t row = ks_table_add_row(&t);
        ks_table_set(&t, row, 0, r->name);
        ks_table_set(&t, row, 1, mdl_rule_type_name(r->type));
        ks_table_set(&t, row, 2, r->members);
        ks_table_set(&t, row, 3, r->target);
        ks_table_set_num(&t, row, 4, (double)r->line);
        ks_table_set(&t, row, 5, o->honoured < 0 ? "skipped" : o->honoured ? "yes" : "no");
        ks_table_set_num(&t, row, 6, (double)pl->nhosts);
        ks_table_set_num(&t, row, 7, o->hosts_without);
        ks_table_set_num(&t, row, 8, (double)pl->nhosts - o->hosts_without);
        ks_table_set(&t, row, 9, o->notes);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/rules.csv", dir);
    int rc = ks_table_write_sheet(&t, path, err);
    ks_table_fini(&t);
    return rc;
}

static int
write_zones_csv(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"zone", "sources", "hosts", "ha_spares",
                                       "lower_bound_hosts", "switch_ports",
                                       "failover_keeps_rules", "host_model"};
    const struct mdl_rules *rs = pl->rules->rules;
    struct ks_table t;
    ks_table_init(&t, cols, 8);
    for (size_t z = 0; z < rs->nzones; z++) {
        const struct mdl_zone_out *zo = &pl->rules->zone[z];
        if (!zo->sources)
            continue;
        size_t row = ks_table_add_row(&t);
        double v[] = {(double)zo->sources, (double)zo->hosts, (double)zo->spares,
                      (double)zo->lower_bound, (double)zo->switch_ports};
        ks_table_set(&t, row, 0, zone_key_name(rs, z));
        for (int c = 0; c < 5; c++)
            ks_table_set_num(&t, row, c + 1, v[c]);
        ks_table_set(&t, row, 6, failover_text(zo->failover_break));
        ks_table_set(&t, row, 7, zo->model >= 0 ? pl->cat->m[zo->model].name
                                                : mdl_plan_model(pl)->name);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/zones.csv", dir);
    int rc = ks_table_write_sheet(&t, path, err);
    ks_table_fini(&t);
    return rc;
}

int
mdl_rules_write(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    if (!pl->rules) { /* a plan without rules must not show an earlier plan's */
        char path[4096];
        snprintf(path, sizeof path, "%s/rules.csv", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/zones.csv", dir);
        unlink(path);
        return 0;
    }
    int rc = write_rules_csv(pl, dir, err);
    return rc < 0 ? rc : write_zones_csv(pl, dir, err);
}
