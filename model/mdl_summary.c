/* summary.csv rows of a plan (see mdl_plan_summary in mdl_plan.h). */
#include <math.h>
#include <stdio.h>

#include "model/mdl_plan.h"
#include "model/mdl_rules.h"

typedef void (*put_fn)(void *ctx, const char *key, const char *value);

static void
num(put_fn put, void *ctx, const char *k, double v)
{
    char b[KS_NUMBUF];
    put(ctx, k, ks_fmt_double(b, v));
}

/* Money and percentages rounded for people; the exact figures are in models.csv. */
static void
round2(put_fn put, void *ctx, const char *k, double v)
{
    num(put, ctx, k, isnan(v) ? v : round(v * 100) / 100);
}

/* The sizing keys, in the contract's order. */
static void
sizing(const struct mdl_plan *pl, put_fn put, void *ctx)
{
    const struct mdl_policy *p = &pl->pol;
    const struct mdl_choice *c = mdl_plan_choice(pl);
    const struct mdl_model *m = mdl_plan_model(pl);
    put(ctx, "dataset", pl->dataset);
    num(put, ctx, "sources", (double)pl->sources);
    num(put, ctx, "hosts", (double)pl->nhosts);
    num(put, ctx, "ha_spares", (double)pl->spares);
    put(ctx, "host_model", m->name);
    round2(put, ctx, "consolidation_ratio", (double)pl->sources / (double)pl->nhosts);
    num(put, ctx, "lower_bound_hosts", (double)pl->lower_bound);
    round2(put, ctx, "gap_pct", pl->gap_pct);
    num(put, ctx, "peak_sizing_hosts", (double)pl->peak_sizing_hosts);
    put(ctx, "peak_sizing_basis", pl->peak_basis);
    num(put, ctx, "percentile", p->percentile);
    num(put, ctx, "headroom_pct", p->headroom_pct);
    num(put, ctx, "cpu_overcommit", p->cpu_overcommit > 0 ? p->cpu_overcommit : NAN);
    num(put, ctx, "mem_overcommit", p->mem_overcommit > 0 ? p->mem_overcommit : NAN);
    num(put, ctx, "hv_cpu_pct", p->hv_cpu_pct);
    num(put, ctx, "hv_mem_MiB", p->hv_mem_MiB);
    num(put, ctx, "step_s", pl->by_allocation ? NAN : pl->step_s);
    num(put, ctx, "steps", (double)pl->steps);
    num(put, ctx, "sockets", c->sockets);
    num(put, ctx, "cores", (double)c->sockets * m->cores_per_socket);
    num(put, ctx, "nic_ports", m->nic_ports);
    num(put, ctx, "switch_ports", (double)pl->switch_ports);
    put(ctx, "port_template", p->ports_file ? p->ports_file : pl->ports.name);
}

/* The money keys, in the contract's order. */
static void
money(const struct mdl_plan *pl, put_fn put, void *ctx)
{
    const struct mdl_policy *p = &pl->pol;
    const struct mdl_choice *c = mdl_plan_choice(pl);
    round2(put, ctx, "capex", c->capex);
    round2(put, ctx, "capex_hosts", c->capex_hosts);
    round2(put, ctx, "capex_licences", c->capex_licences);
    round2(put, ctx, "capex_switch_ports", c->capex_switch_ports);
    round2(put, ctx, "opex_per_year", c->opex_per_year);
    round2(put, ctx, "status_quo_opex_per_year", pl->status_quo_opex);
    round2(put, ctx, "savings_per_year", pl->savings);
    round2(put, ctx, "payback_months", pl->payback_months);
    num(put, ctx, "years", p->years);
    num(put, ctx, "power_price_per_kWh", p->power_price_per_kWh);
    num(put, ctx, "pue", p->pue);
}

void
mdl_plan_summary(const struct mdl_plan *pl, put_fn put, void *ctx)
{
    const struct mdl_policy *p = &pl->pol;
    char b[64];
    sizing(pl, put, ctx);
    money(pl, put, ctx);
    put(ctx, "ha_verified", pl->ha_verified ? "yes" : "no");
    put(ctx, "planned_by", pl->by_allocation ? "allocation" : "time_series");
    num(put, ctx, "nan_gaps_entities", (double)pl->nan_gaps);
    snprintf(b, sizeof b, "%llu", (unsigned long long)p->seed);
    put(ctx, "seed", b);
    put(ctx, "packer", mdl_packer_name(p->packer));
    num(put, ctx, "elapsed_s", round(pl->elapsed_s * 1000) / 1000);
    /* Extra keys (readers ignore what they do not know). */
    put(ctx, "ha_check", pl->pol.ha <= 0 ? "none"
                         : pl->ha_exhaustive ? "every failure set"
                                             : "every host with sampled sets");
    num(put, ctx, "ha_failure_sets_checked", (double)pl->ha_subsets);
    num(put, ctx, "ffd_hosts", (double)pl->pack.ffd_bins);
    num(put, ctx, "greedy_hosts", (double)pl->pack.greedy_bins);
    round2(put, ctx, "total_cost", mdl_plan_choice(pl)->total_cost);
    if (pl->rules) /* placement rules (issue 13) */
        mdl_rules_summary(pl, put, ctx);
}
