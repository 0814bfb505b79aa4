/*
 * Planning: every catalog model and socket population, packed, checked and costed;
 * the cheapest over the policy's years wins (see mdl_plan.h).
 *
 * Choices are evaluated cheapest lower-bound cost first, and a choice whose cost at
 * its lower bound of hosts already exceeds the best total found is not packed (it is
 * listed with that reason): the winner is the same, at a fraction of the packing.
 */
#include "model/mdl_plan.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/mdl_cost.h"
#include "model/mdl_cost_estate.h"
#include "model/mdl_risk_size.h"
#include "model/mdl_rules_run.h"
#include "model/mdl_stats.h"

struct run {
    const struct ks_dataset *ds;
    const struct mdl_policy *pol;
    const struct mdl_catalog *cat;
    struct mdl_demand d;
    struct mdl_vbp *vbp;        /* the sources' series; capacity set per choice */
    struct mdl_licences lic;
    struct mdl_ports ports;
    double *need;               /* n x 2: what each source needs of a bin (cpu, mem) */
    double best_total;
    struct mdl_eval best;       /* the winner's packing and figures */
    struct mdl_plan *plan;
    struct mdl_rules_run *rr;   /* placement rules bound to this run, NULL = none */
};

/* Capacity of a host of model m with s sockets: usable (after hypervisor overhead)
 * and for packing (after headroom; allocation planning also applies overcommit). */
static void
capacity(const struct run *r, const struct mdl_model *m, int s, double usable[2], double pack[2])
{
    const struct mdl_policy *pol = r->pol;
    usable[0] = mdl_model_cpu_MHz(m, s, pol->smt_yield) * (1 - pol->hv_cpu_pct / 100);
    usable[1] = m->mem_GiB * 1024 - pol->hv_mem_MiB;
    double f = 1 - pol->headroom_pct / 100;
    pack[0] = usable[0] * f;
    pack[1] = usable[1] * f;
    if (r->d.by_allocation) {
        pack[0] *= pol->cpu_overcommit > 0 ? pol->cpu_overcommit : 1;
        pack[1] *= pol->mem_overcommit > 0 ? pol->mem_overcommit : 1;
    }
}

/* Steps per resource a host may exceed its capacity under the percentile policy:
 * the P-th percentile (linear interpolation) of T values stays <= capacity when at
 * most T - 1 - ceil(P/100 (T-1)) of them are above it. */
static size_t
allow_over(double pct, size_t T)
{
    if (pct >= 100 || T < 2)
        return 0;
    double h = ceil(pct / 100 * (double)(T - 1));
    return (size_t)((double)(T - 1) - h);
}

/* What each source needs of one bin: its (allow_over+1)-th largest step. */
static void
compute_needs(struct run *r)
{
    size_t T = r->d.T, a = r->vbp->allow_over;
    double *buf = ks_xmalloc(T * sizeof *buf);
    r->need = ks_xmalloc(r->d.n * 2 * sizeof *r->need);
    for (size_t q = 0; q < r->d.n; q++)
        for (int k = 0; k < 2; k++) {
            const double *x = (k ? r->d.mem_MiB : r->d.cpu_MHz) + q * T;
            double top = x[0]; /* a = 0 (no step allowed over): the maximum, no sort */
            for (size_t t = 1; a == 0 && t < T; t++)
                top = x[t] > top ? x[t] : top;
            if (a > 0)
                top = mdl_series_nth_largest(x, T, a, buf);
            r->need[q * 2 + k] = top;
        }
    free(buf);
}

static int zone_models_setup(struct run *r, struct ks_err *err);

/* ---- Placement rules (issue 13): bind them, check groups fit some host -------------- */
static int
rules_setup(struct run *r, struct ks_err *err)
{
    mdl_rules_bind(r->pol->rules, r->ds, &r->d, r->vbp, &r->rr);
    /* A plan of record remembers its zone packings; its cost re-plans reuse them. */
    mdl_rules_memo(r->rr, r->pol->zone_memo, !r->pol->hosts_only);
    int rc = zone_models_setup(r, err);
    if (rc < 0)
        return rc;
    long only = r->pol->model ? mdl_catalog_find(r->cat, r->pol->model) : -1;
    size_t cap = 0, n = 0;
    double (*caps)[2] = NULL, usable[2];
    for (size_t i = 0; i < r->cat->n; i++)
        for (int s = r->cat->m[i].min_sockets; s <= r->cat->m[i].sockets; s++) {
            if (r->pol->model && (long)i != only)
                continue;
            caps = ks_xgrow(caps, &cap, n + 1, sizeof *caps);
            capacity(r, &r->cat->m[i], s, usable, caps[n++]);
        }
    rc = mdl_rules_fit_check(r->rr, (const double(*)[2])caps, n, r->vbp->allow_over, err);
    free(caps);
    return rc;
}

/* ---- end of placement rules ---------------------------------------------------------- */

/* The most one host of any catalog model (all sockets) can carry: CPU and memory raw or
 * as packed (overcommit may raise the latter above the former), network its NICs. Every
 * model counts, not only --model's, since a zone may run its own model. */
static void
demand_limit(const struct run *r, struct mdl_demand_limit *lim)
{
    memset(lim, 0, sizeof *lim);
    for (size_t i = 0; i < r->cat->n; i++) {
        const struct mdl_model *m = &r->cat->m[i];
        double usable[2], pack[2], v[3];
        capacity(r, m, m->sockets, usable, pack);
        v[0] = fmax(mdl_model_cpu_MHz(m, m->sockets, r->pol->smt_yield), pack[0]);
        v[1] = fmax(m->mem_GiB * 1024, pack[1]);
        v[2] = m->nic_ports * m->nic_Gbps * 1000;
        for (int k = 0; k < 3; k++)
            if (v[k] > lim->max[k]) {
                lim->max[k] = v[k];
                lim->model[k] = m->name;
            }
    }
}

/* Size for risk (mdl_risk_size.h): source q's margins added to every step of its packed
 * row (2 x T: CPU then memory), or to its needs when row is NULL. The demand itself (and
 * so every figure of hosts.csv) stays as measured. */
static void
add_margin(struct run *r, size_t q, double *row)
{
    const struct mdl_margin *m = r->pol->margin;
    size_t e = r->d.ent[q], T = r->d.T;
    if (!m || e >= m->nent)
        return;
    for (int k = 0; k < 2; k++) {
        double a = m->add[e * MDL_RISK_NRES + (size_t)k];
        if (!row)
            r->need[q * 2 + (size_t)k] += a;
        for (size_t t = 0; row && t < T; t++)
            row[(size_t)k * T + t] += a;
    }
}

/* Demand series, the packing problem (capacity filled in per choice), the per-source
 * needs for screening, the port template and the licence rules. */
static int
setup(struct run *r, struct ks_err *err)
{
    const struct mdl_policy *pol = r->pol;
    int rc = 0;
    if (pol->demand) /* built once by the caller for this dataset and demand policy */
        mdl_demand_copy(pol->demand, &r->d);
    else
        rc = mdl_demand_build(r->ds, pol, &r->d, err);
    if (rc < 0)
        return rc;
    if (pol->rules) /* excluded entities stay physical: not sources */
        mdl_rules_exclude(pol->rules, &r->d);
    struct mdl_demand_limit lim;
    demand_limit(r, &lim);
    rc = mdl_demand_check(&r->d, r->ds, r->plan->dataset, &lim, err);
    if (rc < 0)
        return rc;
    double cap[2] = {1, 1};
    r->vbp = mdl_vbp_new(r->d.n, 2, r->d.T, cap);
    r->vbp->allow_over = allow_over(pol->percentile, r->d.T);
    double *row = ks_xmalloc(2 * r->d.T * sizeof *row);
    for (size_t q = 0; q < r->d.n; q++) {
        memcpy(row, r->d.cpu_MHz + q * r->d.T, r->d.T * sizeof *row);
        memcpy(row + r->d.T, r->d.mem_MiB + q * r->d.T, r->d.T * sizeof *row);
        add_margin(r, q, row);
        mdl_vbp_set_item(r->vbp, q, row);
    }
    free(row);
    compute_needs(r);
    for (size_t q = 0; q < r->d.n; q++) /* a source needs its margin too */
        add_margin(r, q, NULL);
    if (pol->ports_file)
        rc = mdl_ports_read(pol->ports_file, &r->ports, err);
    else
        rc = mdl_ports_builtin(pol->ports ? pol->ports : "hyperv-cluster", &r->ports, err);
    if (rc == 0 && pol->licences)
        rc = mdl_licences_read(pol->licences, &r->lic, err);
    if (rc == 0 && pol->rules) /* after the ports: a zone's own model is screened on them */
        rc = rules_setup(r, err);
    return rc;
}

/* The model a source's zone is packed on: its own (catalog index), or -1 the plan's. */
static long
src_zone_model(const struct run *r, size_t q)
{
    return r->rr ? mdl_rules_zone_model(r->rr, mdl_rules_source_zone(r->rr, q), NULL) : -1;
}

/* The first source packed on `model` (-1: the plan's choice) that does not fit an empty
 * host with capacity pack, or -1. */
static long
too_big(const struct run *r, const double pack[2], long model)
{
    for (size_t q = 0; q < r->d.n; q++)
        if (src_zone_model(r, q) == model &&
            (r->need[q * 2] > pack[0] || r->need[q * 2 + 1] > pack[1]))
            return (long)q;
    return -1;
}

static const char *
src_name(const struct run *r, size_t q)
{
    return ks_dataset_entity(r->ds, r->d.ent[q]);
}

/* Why source q does not fit an empty host of capacity pack. Numbers in the compact
 * form: a demand of 1e308 MHz from a broken file is not 309 digits. */
static void
too_big_why(const struct run *r, size_t q, const double pack[2], char *buf, size_t len)
{
    char n[4][KS_NUMBUF];
    snprintf(buf, len, "'%s' needs %s MHz and %s MiB > host %s MHz, %s MiB", src_name(r, q),
             ks_fmt_whole(n[0], r->need[q * 2]), ks_fmt_whole(n[1], r->need[q * 2 + 1]),
             ks_fmt_whole(n[2], pack[0]), ks_fmt_whole(n[3], pack[1]));
}

/* Zones with a host model of their own (rules column `model`): looked up in the catalog,
 * their capacity fixed in the rules run, and screened once (a source too big for it, or
 * too few NIC ports for the template, is an error naming the rule: no choice of the
 * plan's model can help). */
static int
zone_models_setup(struct run *r, struct ks_err *err)
{
    const struct mdl_rules *rs = r->pol->rules;
    long *zm = ks_xmalloc(rs->nzones * sizeof *zm);
    int rc = mdl_rules_zone_models(rs, r->cat, zm, err);
    for (size_t zi = 0; zi < rs->nzones && rc == 0; zi++) {
        if (zm[zi] < 0)
            continue;
        const struct mdl_model *m = &r->cat->m[zm[zi]];
        double usable[2], pack[2];
        char why[300] = "";
        capacity(r, m, m->sockets, usable, pack);
        mdl_rules_zone_fix(r->rr, zi, zm[zi], m->sockets, pack);
        long big = too_big(r, pack, zm[zi]);
        if (usable[0] <= 0 || usable[1] <= 0)
            snprintf(why, sizeof why, "hypervisor overhead leaves no capacity");
        else if (m->nic_ports < mdl_ports_min_total(&r->ports))
            snprintf(why, sizeof why, "nic_ports %d < template %d", m->nic_ports,
                     mdl_ports_min_total(&r->ports));
        else if (big >= 0)
            too_big_why(r, (size_t)big, pack, why, sizeof why);
        if (why[0])
            rc = ks_errf(err, -EINVAL, "%s:%lu: column 'model': zone %s: host model '%s' "
                         "cannot carry it: %s", rs->path, rs->zone_model_line[zi],
                         rs->zones[zi], m->name, why);
    }
    free(zm);
    return rc;
}

/* Screen a choice before packing; 0 = go on, else c->reason says why not. */
static int
screen(struct run *r, struct mdl_choice *c, const double usable[2], const double pack[2])
{
    const struct mdl_model *m = &r->cat->m[c->model];
    int minp = mdl_ports_min_total(&r->ports);
    long big;
    if (usable[0] <= 0 || usable[1] <= 0)
        snprintf(c->reason, sizeof c->reason, "hypervisor overhead leaves no capacity");
    else if (m->nic_ports < minp)
        snprintf(c->reason, sizeof c->reason, "nic_ports %d < template %d", m->nic_ports, minp);
    else if ((big = too_big(r, pack, -1)) >= 0)
        too_big_why(r, (size_t)big, pack, c->reason, sizeof c->reason);
    else if (r->rr && mdl_rules_screen(r->rr, pack, c->reason, sizeof c->reason))
        ; /* an affinity group too big for this host: the reason names the rule */
    else
        return 0;
    return -1;
}

/* The model of host h of packing e under choice c: its zone's own (placement rules,
 * *s its sockets), or the choice's. e NULL: the choice's. */
static const struct mdl_model *
host_model(const struct run *r, const struct mdl_choice *c, const struct mdl_eval *e, size_t h,
           int *s)
{
    long zm = r->rr && e && e->host_zone ? mdl_rules_zone_model(r->rr, e->host_zone[h], s) : -1;
    if (zm >= 0)
        return &r->cat->m[zm];
    *s = c->sockets;
    return &r->cat->m[c->model];
}

/* Licences of every host of one evaluated packing (spares included: they run the
 * guests after a failure), each on its own model. */
static void
licence_cost(const struct run *r, const struct mdl_eval *e, struct mdl_choice *c)
{
    c->capex_licences = 0;
    for (size_t k = 0; k < r->lic.n; k++)
        for (size_t h = 0; h < e->nbins; h++) {
            int s;
            const struct mdl_model *m = host_model(r, c, e, h, &s);
            c->capex_licences += r->lic.r[k].unit_price *
                                 mdl_lic_units(&r->lic.r[k], s, m->cores_per_socket,
                                               e->hosts[h].vms);
        }
}

/* The consolidated side of the cost comparison (mdl_cost.h) for nhosts hosts of a
 * choice whose capex parts are set; util NULL: idle hosts (a lower bound). e (may be
 * NULL: all hosts of the choice's model) gives each host's model. */
static void
cost_side(const struct run *r, const struct mdl_choice *c, const struct mdl_eval *e,
          size_t nhosts, const double *util, struct mdl_cost_side *s)
{
    struct mdl_cost_hosts in = {
        .m = &r->cat->m[c->model], .sockets = c->sockets, .nhosts = nhosts, .util = util,
        .guests = r->d.n, .capex_hosts = c->capex_hosts,
        .capex_switch_ports = c->capex_switch_ports, .capex_licences = c->capex_licences};
    const struct mdl_model **hm = NULL;
    int *hs = NULL;
    if (e && r->rr && e->host_zone) { /* zones with their own host model */
        hm = ks_xmalloc((nhosts ? nhosts : 1) * sizeof *hm);
        hs = ks_xmalloc((nhosts ? nhosts : 1) * sizeof *hs);
        for (size_t h = 0; h < nhosts; h++)
            hm[h] = host_model(r, c, e, h, &hs[h]);
    }
    mdl_cost_consolidated_mixed(&in, hm, hs, r->pol, s);
    free(hm);
    free(hs);
}

/* Capex, opex and the total over the policy's years of one evaluated packing. */
static void
cost_choice(const struct run *r, const struct mdl_eval *e, struct mdl_choice *c)
{
    c->capex_hosts = 0;
    for (size_t h = 0; h < e->nbins; h++) {
        int s;
        const struct mdl_model *m = host_model(r, c, e, h, &s);
        c->capex_hosts += mdl_model_price(m, s);
    }
    licence_cost(r, e, c);
    c->capex_switch_ports = (double)e->switch_ports * r->pol->switch_port_price;
    c->capex = c->capex_hosts + c->capex_licences + c->capex_switch_ports;
    double *util = ks_xmalloc((e->nbins ? e->nbins : 1) * sizeof *util);
    for (size_t h = 0; h < e->nbins; h++)
        util[h] = e->hosts[h].cpu_mean_raw;
    struct mdl_cost_side s;
    cost_side(r, c, e, e->nbins, util, &s);
    c->opex_per_year = s.running_per_year;
    c->total_cost = c->capex + c->opex_per_year * r->pol->years;
    free(util);
}

/* Hosts of zones with their own model: capacity, utilization and ports on that model
 * (mdl_eval_stats and mdl_eval_ports take one model for all hosts: they run again per
 * such zone, and that zone's hosts are taken from the run). */
static void
zone_model_stats(const struct run *r, struct mdl_eval *e)
{
    for (size_t zi = 0; r->rr && e->host_zone && zi < mdl_rules_nzones(r->rr); zi++) {
        int s;
        long zm = mdl_rules_zone_model(r->rr, zi, &s);
        if (zm < 0)
            continue;
        const struct mdl_model *m = &r->cat->m[zm];
        double usable[2], pack[2];
        capacity(r, m, s, usable, pack);
        struct mdl_eval t; /* borrows e's assignment; only t.hosts is its own */
        mdl_eval_init(&t);
        t.assign = e->assign;
        t.nbins = e->nbins;
        t.nominal = e->nominal;
        mdl_eval_stats(&t, &r->d, usable, mdl_model_cpu_MHz(m, s, r->pol->smt_yield));
        mdl_eval_ports(&t, &r->ports, m->nic_Gbps, r->pol->headroom_pct);
        for (size_t h = 0; h < e->nbins; h++)
            if (e->host_zone[h] == zi)
                e->hosts[h] = t.hosts[h];
        free(t.hosts);
    }
    e->switch_ports = 0;
    for (size_t h = 0; h < e->nbins; h++)
        e->switch_ports += (size_t)e->hosts[h].ports_total;
}

/* A host whose ports exceed its model's NIC ports: 1 and c->reason, else 0. */
static int
nic_short(const struct run *r, const struct mdl_eval *e, struct mdl_choice *c)
{
    for (size_t h = 0; h < e->nbins; h++) {
        int s;
        const struct mdl_model *m = host_model(r, c, e, h, &s);
        if (e->hosts[h].ports_total > m->nic_ports) {
            snprintf(c->reason, sizeof c->reason, "nic_ports %d < %d needed for peak VM "
                     "traffic%s%s", m->nic_ports, e->hosts[h].ports_total,
                     m != &r->cat->m[c->model] ? " on zone host model " : "",
                     m != &r->cat->m[c->model] ? m->name : "");
            return 1;
        }
    }
    return 0;
}

/* Pack, add and check spares, size ports; fills e and c. 0, or -1 (c->reason). */
static int
pack_choice(struct run *r, struct mdl_choice *c, const double usable[2], struct mdl_eval *e,
            struct ks_err *err)
{
    const struct mdl_model *m = &r->cat->m[c->model];
    struct mdl_vbp_opts o = {.seed = r->pol->seed, .packer = r->pol->packer,
                             .effort = r->pol->effort};
    uint32_t *start = NULL;
    if (r->pol->warm_host_of && !r->rr) { /* the earlier plan's hosts as the start */
        start = ks_xmalloc((r->d.n ? r->d.n : 1) * sizeof *start);
        for (size_t q = 0; q < r->d.n; q++) {
            long h = r->pol->warm_host_of[r->d.ent[q]];
            start[q] = h >= 0 ? (uint32_t)h : UINT32_MAX;
        }
        o.start = start;
    }
    int rc = r->rr ? mdl_rules_pack(r->rr, e, r->vbp, &o, r->pol->ha, c->reason,
                                    sizeof c->reason, err)
                   : mdl_eval_pack(e, r->vbp, &o, err);
    free(start);
    if (rc != 0)
        return rc;
    c->hosts = e->nominal;
    if (!r->rr) /* with rules, every zone has its own spares (mdl_rules_pack) */
        mdl_eval_ha(e, r->vbp, r->pol->ha, r->pol->seed);
    mdl_eval_stats(e, &r->d, usable, mdl_model_cpu_MHz(m, c->sockets, r->pol->smt_yield));
    mdl_eval_ports(e, &r->ports, m->nic_Gbps, r->pol->headroom_pct);
    zone_model_stats(r, e);
    c->hosts = e->nbins;
    c->spares = e->nbins - e->nominal;
    c->packed = 1;
    if (nic_short(r, e, c))
        return 1;
    cost_choice(r, e, c);
    return 0;
}

/* Lower-bound cost of a choice: its bound of hosts plus spares, hosts only. */
static double
bound_cost(const struct run *r, const struct mdl_choice *c)
{
    const struct mdl_model *m = &r->cat->m[c->model];
    /* Hosts of zones with their own model cost what they cost on any choice: left out,
     * which keeps this a lower bound of the choice's own part. */
    size_t fixed = r->rr ? mdl_rules_fixed_bound(r->rr) : 0;
    size_t hosts = (c->lower_bound > fixed ? c->lower_bound - fixed : 0) + (size_t)r->pol->ha;
    struct mdl_choice b = {.model = c->model, .sockets = c->sockets,
                           .capex_hosts = (double)hosts * mdl_model_price(m, c->sockets)};
    struct mdl_cost_side s;
    cost_side(r, &b, NULL, hosts, NULL, &s); /* idle, no licences, no ports: a lower bound */
    return b.capex_hosts + s.running_per_year * r->pol->years;
}

/* One model x socket population: screen, bound, maybe prune, pack, check, cost; the
 * cheapest so far is kept in r->best. Returns 0, or a negative error (not a mere
 * ineligibility, which is recorded in c->reason). */
static int
eval_choice(struct run *r, struct mdl_choice *c, struct ks_err *err)
{
    const struct mdl_model *m = &r->cat->m[c->model];
    double usable[2], pack[2];
    capacity(r, m, c->sockets, usable, pack);
    if (screen(r, c, usable, pack) < 0)
        return 0;
    r->vbp->cap[0] = pack[0];
    r->vbp->cap[1] = pack[1];
    c->lower_bound = r->rr ? mdl_rules_lower_bound(r->rr, r->vbp) : mdl_vbp_lower_bound(r->vbp);
    /* Only once a winner exists: a bound cost that overflowed to inf must not prune
     * every choice and leave no plan at all. */
    if (r->best.assign && bound_cost(r, c) >= r->best_total) {
        c->eligible = 1;
        c->hosts = c->lower_bound + (size_t)r->pol->ha;
        snprintf(c->reason, sizeof c->reason,
                 "not packed: even at its lower bound of %zu hosts it costs %.0f over the "
                 "horizon, no less than the best so far (%.0f)",
                 c->hosts, bound_cost(r, c), r->best_total);
        return 0;
    }
    struct mdl_eval e;
    mdl_eval_init(&e);
    int rc = pack_choice(r, c, usable, &e, err);
    c->eligible = rc == 0;
    if (rc == 0 && (!r->best.assign || c->total_cost < r->best_total)) {
        r->best_total = c->total_cost;
        mdl_eval_fini(&r->best);
        r->best = e;
        r->best.choice = (size_t)(c - r->plan->choices);
        r->best.pack_cap[0] = pack[0];
        r->best.pack_cap[1] = pack[1];
        r->best.usable[0] = usable[0];
        r->best.usable[1] = usable[1];
    } else {
        mdl_eval_fini(&e);
    }
    return rc < 0 ? rc : 0;
}

/* ---- Choices ------------------------------------------------------------------------ */

/* Every model (or the one --model names) with every socket population it allows. */
static void
list_choices(struct run *r)
{
    struct mdl_plan *pl = r->plan;
    long only = r->pol->model ? mdl_catalog_find(r->cat, r->pol->model) : -1;
    size_t cap = 0;
    for (size_t i = 0; i < r->cat->n; i++) {
        const struct mdl_model *m = &r->cat->m[i];
        if (r->pol->model && (long)i != only)
            continue;
        for (int s = m->min_sockets; s <= m->sockets; s++) {
            pl->choices = ks_xgrow(pl->choices, &cap, pl->nchoices + 1, sizeof *pl->choices);
            struct mdl_choice *c = &pl->choices[pl->nchoices++];
            memset(c, 0, sizeof *c);
            c->model = i;
            c->sockets = s;
        }
    }
}

/* Choices in order of their cheapest conceivable cost (hosts at the continuous bound
 * of an unrestricted packing), so the pruning in eval_choice bites early. */
static void
order_choices(struct run *r, size_t *order)
{
    struct mdl_plan *pl = r->plan;
    double *key = ks_xmalloc((pl->nchoices ? pl->nchoices : 1) * sizeof *key);
    for (size_t k = 0; k < pl->nchoices; k++) {
        struct mdl_choice *c = &pl->choices[k];
        double usable[2], pack[2];
        capacity(r, &r->cat->m[c->model], c->sockets, usable, pack);
        order[k] = k;
        key[k] = INFINITY; /* no capacity: screened out later, last in line */
        if (!(pack[0] > 0 && pack[1] > 0))
            continue;
        r->vbp->cap[0] = pack[0];
        r->vbp->cap[1] = pack[1];
        c->lower_bound = mdl_vbp_lb_sum(r->vbp);
        key[k] = bound_cost(r, c);
    }
    for (size_t x = 1; x < pl->nchoices; x++)
        for (size_t y = x; y > 0 && key[order[y]] < key[order[y - 1]]; y--) {
            size_t t = order[y];
            order[y] = order[y - 1];
            order[y - 1] = t;
        }
    free(key);
}

/* No choice could carry some source: name the largest one and what it needs. */
static int
nothing_fits(struct run *r, struct ks_err *err)
{
    struct mdl_plan *pl = r->plan;
    for (size_t k = 0; k < pl->nchoices; k++)
        if (pl->choices[k].eligible)
            return 0;
    if (pl->nchoices == 0)
        return ks_errf(err, -EINVAL, "no host model '%s' in the catalog",
                       r->pol->model ? r->pol->model : "");
    /* The biggest host is the one whose refusal tells the user most. */
    size_t big = 0;
    for (size_t k = 1; k < pl->nchoices; k++) {
        const struct mdl_model *a = &r->cat->m[pl->choices[k].model];
        const struct mdl_model *b = &r->cat->m[pl->choices[big].model];
        if (mdl_model_cpu_MHz(a, pl->choices[k].sockets, pl->pol.smt_yield) * a->mem_GiB >
            mdl_model_cpu_MHz(b, pl->choices[big].sockets, pl->pol.smt_yield) * b->mem_GiB)
            big = k;
    }
    return ks_errf(err, -ERANGE, "no host model can carry this estate; the largest, %s with "
                   "%d socket(s): %s",
                   r->cat->m[pl->choices[big].model].name, pl->choices[big].sockets,
                   pl->choices[big].reason);
}

/* Peak-based sizing of the winner's model: each source reduced to one scalar per
 * resource (its peak, or its percentile), times (1 + headroom), packed on the usable
 * capacity, the way commercial sizing tools do it, plus the same HA spares (policy
 * `ha`) as the plan; placement rules are left out (compare with the plan made without
 * them, hosts_without_rules). Without the spares a plan with N+1 read as larger than
 * peak sizing although it needs fewer hosts. */
static size_t
peak_sizing(struct run *r)
{
    size_t T = r->d.T, n = r->d.n;
    struct mdl_vbp *p = mdl_vbp_new(n, 2, 1, r->best.usable);
    double *buf = ks_xmalloc(T * sizeof *buf), f = 1 + r->pol->headroom_pct / 100, v[2];
    for (size_t q = 0; q < n; q++) {
        for (int k = 0; k < 2; k++) {
            const double *x = (k ? r->d.mem_MiB : r->d.cpu_MHz) + q * T;
            v[k] = mdl_series_percentile(x, T, r->pol->percentile, buf) * f;
            /* A source whose scaled peak exceeds a host still needs a host of its own. */
            v[k] = v[k] > r->best.usable[k] ? r->best.usable[k] : v[k];
        }
        mdl_vbp_set_item(p, q, v);
    }
    uint32_t *a = ks_xmalloc((n ? n : 1) * sizeof *a);
    struct mdl_vbp_opts o = {.seed = r->pol->seed, .packer = r->pol->packer,
                             .effort = r->pol->effort};
    struct mdl_vbp_result res = {0};
    mdl_vbp_solve(p, &o, a, &res, NULL, NULL);
    snprintf(r->plan->peak_basis, sizeof r->plan->peak_basis, "%s x %g",
             r->pol->percentile >= 100 ? "peak" : "p", f);
    if (r->pol->percentile < 100)
        snprintf(r->plan->peak_basis, sizeof r->plan->peak_basis, "p%g x %g",
                 r->pol->percentile, f);
    free(a);
    free(buf);
    mdl_vbp_free(p);
    return res.nbins + (res.nbins && r->pol->ha > 0 ? (size_t)r->pol->ha : 0);
}

/* ---- The plan ------------------------------------------------------------------------ */

/* Copy the winner's packing and figures into the plan the writer and the CLI read. */
static void
fill_plan(struct run *r)
{
    struct mdl_plan *pl = r->plan;
    const struct mdl_eval *e = &r->best;
    struct mdl_choice *c = &pl->choices[e->choice];
    c->chosen = 1;
    pl->chosen = e->choice;
    pl->nhosts = e->nbins;
    pl->spares = e->nbins - e->nominal;
    pl->hosts = ks_xmalloc((e->nbins ? e->nbins : 1) * sizeof *pl->hosts);
    memcpy(pl->hosts, e->hosts, e->nbins * sizeof *pl->hosts);
    for (size_t q = 0; q < r->d.n; q++)
        pl->host_of[r->d.ent[q]] = e->assign[q];
    pl->lower_bound = c->lower_bound;
    pl->gap_pct = c->lower_bound ? ((double)e->nominal - (double)c->lower_bound) /
                                       (double)c->lower_bound * 100
                                 : 0;
    pl->switch_ports = e->switch_ports;
    pl->ha_verified = e->ha_ok;
    pl->ha_subsets = e->ha_sets;
    pl->ha_exhaustive = e->ha_exhaustive;
    pl->pack = e->res;
    for (size_t k = 0; k < r->lic.n; k++) {
        const struct mdl_lic_rule *lr = &r->lic.r[k];
        struct mdl_lic_line *l = &pl->lic[pl->nlic++];
        l->rule = ks_xstrdup(lr->name);
        l->kind = lr->kind;
        l->unit_price = lr->unit_price;
        for (size_t h = 0; h < e->nbins; h++) {
            int s;
            const struct mdl_model *m = host_model(r, c, e, h, &s);
            l->units += mdl_lic_units(lr, s, m->cores_per_socket, e->hosts[h].vms);
        }
        l->cost = l->units * l->unit_price;
    }
    double *util = ks_xmalloc((e->nbins ? e->nbins : 1) * sizeof *util);
    for (size_t h = 0; h < e->nbins; h++)
        util[h] = e->hosts[h].cpu_mean_raw;
    cost_side(r, c, e, e->nbins, util, &pl->tco.plan); /* tco.sq: status_quo() */
    free(util);
    pl->tco.payback_months = mdl_cost_breakeven_months(&pl->tco.sq, &pl->tco.plan);
    pl->status_quo_opex = pl->tco.sq.running_per_year;
    pl->savings = pl->status_quo_opex - c->opex_per_year;
    pl->payback_months = pl->tco.payback_months;
}

/* The status quo's side of the cost comparison: the sources as they are, by kind
 * (a VM is its share of its host: mdl_cost_estate.h). */
static int
status_quo(struct run *r, struct ks_err *err)
{
    struct mdl_cost_estate est;
    int rc = mdl_cost_estate_build(r->ds, r->d.ent, r->d.n, r->d.src_util, &est, err);
    if (rc == 0) {
        mdl_cost_status_quo_estate(&est, r->pol, &r->plan->tco.sq);
        r->plan->tco.basis = est.basis;
    }
    mdl_cost_estate_fini(&est);
    return rc;
}

/* The plan owns copies of everything it prints, so the dataset may go first; only the
 * catalog is borrowed (model names). */
static struct mdl_plan *
plan_new(const struct ks_dataset *ds, const char *name, const struct mdl_policy *pol,
         const struct mdl_catalog *cat)
{
    struct mdl_plan *pl = ks_xcalloc(1, sizeof *pl);
    pl->pol = *pol;
    pl->pol.model = pol->model ? ks_xstrdup(pol->model) : NULL;
    pl->pol.ports = pol->ports ? ks_xstrdup(pol->ports) : NULL;
    pl->pol.ports_file = pol->ports_file ? ks_xstrdup(pol->ports_file) : NULL;
    pl->pol.licences = pol->licences ? ks_xstrdup(pol->licences) : NULL;
    pl->dataset = ks_xstrdup(name);
    pl->cat = cat;
    pl->nent = ks_dataset_nent(ds);
    pl->ent_names = ks_xmalloc((pl->nent ? pl->nent : 1) * sizeof *pl->ent_names);
    pl->host_of = ks_xmalloc((pl->nent ? pl->nent : 1) * sizeof *pl->host_of);
    for (size_t e = 0; e < pl->nent; e++) {
        pl->ent_names[e] = ks_xstrdup(ks_dataset_entity(ds, e));
        pl->host_of[e] = -1;
    }
    return pl;
}

/* Evaluate every choice in bound order; fails when none is eligible. */
static int
choose(struct run *r, struct ks_err *err)
{
    struct mdl_plan *pl = r->plan;
    list_choices(r);
    size_t *order = ks_xmalloc((pl->nchoices ? pl->nchoices : 1) * sizeof *order);
    order_choices(r, order);
    int rc = 0;
    r->best_total = INFINITY;
    for (size_t k = 0; k < pl->nchoices && rc == 0; k++) {
        if (r->pol->progress) {
            const struct mdl_choice *c = &pl->choices[order[k]];
            char what[200];
            snprintf(what, sizeof what, "host model %zu of %zu (%s, %d socket%s)", k + 1,
                     pl->nchoices, r->cat->m[c->model].name, c->sockets,
                     c->sockets == 1 ? "" : "s");
            r->pol->progress(r->pol->progress_ctx, what);
        }
        rc = eval_choice(r, &pl->choices[order[k]], err);
    }
    free(order);
    return rc < 0 ? rc : nothing_fits(r, err);
}

/* The sources packed on model `model` (-1: the plan's) checked against its packing
 * capacity: mdl_eval_verify over a demand that holds those sources only. */
static int
verify_group(const struct run *r, long model, const double pack[2], struct ks_err *err)
{
    size_t T = r->d.T, n = 0;
    struct mdl_demand sub = {.T = T};
    struct mdl_eval t = r->best; /* shallow: only assign is replaced */
    sub.cpu_MHz = ks_xmalloc((r->d.n ? r->d.n : 1) * T * sizeof *sub.cpu_MHz);
    sub.mem_MiB = ks_xmalloc((r->d.n ? r->d.n : 1) * T * sizeof *sub.mem_MiB);
    t.assign = ks_xmalloc((r->d.n ? r->d.n : 1) * sizeof *t.assign);
    for (size_t q = 0; q < r->d.n; q++) {
        if (src_zone_model(r, q) != model)
            continue;
        memcpy(sub.cpu_MHz + n * T, r->d.cpu_MHz + q * T, T * sizeof *sub.cpu_MHz);
        memcpy(sub.mem_MiB + n * T, r->d.mem_MiB + q * T, T * sizeof *sub.mem_MiB);
        t.assign[n++] = r->best.assign[q];
    }
    sub.n = n;
    int rc = mdl_eval_verify(&t, &sub, pack, r->vbp->allow_over, err);
    free(t.assign);
    free(sub.cpu_MHz);
    free(sub.mem_MiB);
    return rc;
}

/* Every host-step in double against its host's packing capacity (zones with their own
 * host model against theirs). */
static int
verify(const struct run *r, struct ks_err *err)
{
    size_t nz = r->rr ? mdl_rules_nzones(r->rr) : 0;
    int fixed = 0, rc = 0;
    for (size_t zi = 0; zi < nz; zi++)
        fixed |= mdl_rules_zone_model(r->rr, zi, NULL) >= 0;
    if (!fixed)
        return mdl_eval_verify(&r->best, &r->d, r->best.pack_cap, r->vbp->allow_over, err);
    rc = verify_group(r, -1, r->best.pack_cap, err);
    for (size_t zi = 0; zi < nz && rc == 0; zi++) {
        int s;
        long zm = mdl_rules_zone_model(r->rr, zi, &s);
        double usable[2], pack[2];
        if (zm < 0)
            continue;
        capacity(r, &r->cat->m[zm], s, usable, pack);
        rc = verify_group(r, zm, pack, err);
    }
    return rc;
}

/* Nothing is returned unless every host-step was re-checked in double (exactness of the
 * plan does not rest on the engine's float rows alone). */
int
mdl_plan_run(const struct ks_dataset *ds, const char *dataset_name, const struct mdl_policy *pol,
             const struct mdl_catalog *cat, struct mdl_plan **out, struct ks_err *err)
{
    double t0 = ks_mono_s(), ph[2];
    ks_phase(NULL, ph);
    struct run r = {.ds = ds, .pol = pol, .cat = cat};
    mdl_eval_init(&r.best);
    *out = NULL;
    r.plan = plan_new(ds, dataset_name, pol, cat);
    int rc = setup(&r, err);
    ks_phase("plan setup (demand grid, packing rows)", ph);
    if (rc == 0)
        rc = status_quo(&r, err);
    ks_phase("plan status quo", ph);
    if (rc == 0)
        rc = choose(&r, err);
    ks_phase("plan search (every host model, HA spares included)", ph);
    if (rc == 0)
        rc = verify(&r, err);
    ks_phase("plan verify", ph);
    if (rc == 0) {
        struct mdl_plan *pl = r.plan;
        pl->lic = ks_xcalloc(r.lic.n ? r.lic.n : 1, sizeof *pl->lic);
        fill_plan(&r);
        pl->ports = r.ports;
        pl->sources = r.d.n;
        pl->steps = r.d.T;
        pl->step_s = r.d.step_s;
        pl->by_allocation = r.d.by_allocation;
        pl->nan_gaps = r.d.nan_gaps;
        pl->cpu_perf = r.d.cpu_perf, r.d.cpu_perf = NULL;
        pl->cpu_origin = r.d.cpu_origin, r.d.cpu_origin = NULL;
        pl->cpu_row = r.d.cpu_row, r.d.cpu_row = NULL;
        pl->cpu_assumed = r.d.cpu_assumed;
        pl->pack_cap[0] = r.best.pack_cap[0];
        pl->pack_cap[1] = r.best.pack_cap[1];
        pl->allow_over = r.vbp->allow_over;
        pl->peak_sizing_hosts = pol->hosts_only ? 0 : peak_sizing(&r);
        if (r.rr && !pol->hosts_only)
            pl->rules = mdl_rules_result_new(r.rr, pl, &r.best, r.vbp->allow_over);
        if (r.rr)
            pl->zone_memo = mdl_rules_memo_take(r.rr);
        pl->elapsed_s = ks_mono_s() - t0;
        *out = pl;
        ks_phase("plan fill (peak sizing, rules)", ph);
    } else {
        mdl_plan_free(r.plan);
    }
    mdl_eval_fini(&r.best);
    mdl_rules_run_free(r.rr);
    mdl_licences_fini(&r.lic);
    mdl_vbp_free(r.vbp);
    mdl_demand_fini(&r.d);
    free(r.need);
    return rc;
}

void
mdl_plan_free(struct mdl_plan *pl)
{
    if (!pl)
        return;
    mdl_policy_fini(&pl->pol);
    free(pl->dataset);
    for (size_t e = 0; e < pl->nent; e++)
        free(pl->ent_names[e]);
    free(pl->ent_names);
    free(pl->host_of);
    free(pl->cpu_perf);
    free(pl->cpu_origin);
    free(pl->cpu_row);
    free(pl->hosts);
    free(pl->choices);
    for (size_t k = 0; k < pl->nlic; k++)
        free(pl->lic[k].rule);
    free(pl->lic);
    mdl_rules_result_free(pl->rules);
    mdl_zone_memo_free(pl->zone_memo);
    free(pl);
}

const struct mdl_choice *
mdl_plan_choice(const struct mdl_plan *pl)
{
    return &pl->choices[pl->chosen];
}

const struct mdl_model *
mdl_plan_model(const struct mdl_plan *pl)
{
    return &pl->cat->m[pl->choices[pl->chosen].model];
}

const struct mdl_model *
mdl_plan_host_model(const struct mdl_plan *pl, size_t h, int *sockets)
{
    const struct mdl_rules_result *res = pl->rules;
    if (res && res->host_zone && h < res->nhosts && res->zone[res->host_zone[h]].model >= 0) {
        *sockets = res->zone[res->host_zone[h]].sockets;
        return &pl->cat->m[res->zone[res->host_zone[h]].model];
    }
    *sockets = pl->choices[pl->chosen].sockets;
    return mdl_plan_model(pl);
}
