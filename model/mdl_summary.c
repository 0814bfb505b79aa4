/* summary.csv rows of a plan (see mdl_plan_summary in mdl_plan.h). */
#include <math.h>
#include <stdio.h>

#include "model/mdl_cpu.h"
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

/* The cost lines over the horizon, each side (tco.csv has them per year), and the
 * cost figures of the policy they rest on (docs/model.md "Cost" gives each a source). */
static void
tco(const struct mdl_plan *pl, put_fn put, void *ctx)
{
    static const char *const side_name[2] = {"status_quo", "consolidated"};
    const struct mdl_cost_side *side[2] = {&pl->tco.sq, &pl->tco.plan};
    char k[64];
    for (int s = 0; s < 2; s++) {
        for (int l = 0; l < MDL_COST_NLINES; l++) {
            snprintf(k, sizeof k, "%s_%s_total", side_name[s], mdl_cost_line_name(l));
            round2(put, ctx, k, side[s]->line[l]);
        }
        snprintf(k, sizeof k, "%s_total", side_name[s]);
        round2(put, ctx, k, side[s]->total);
    }
    round2(put, ctx, "savings_total", pl->tco.sq.total - pl->tco.plan.total);
    round2(put, ctx, "migration_cost", pl->tco.plan.y[0][MDL_COST_ADMIN]);
    num(put, ctx, "breakeven_month", ceil(pl->tco.payback_months));
    /* What the status quo counts, by kind of source (mdl_cost_estate.h). */
    num(put, ctx, "status_quo_physical", (double)pl->tco.basis.physical);
    num(put, ctx, "status_quo_vms", (double)pl->tco.basis.vms);
    num(put, ctx, "status_quo_hosts", (double)pl->tco.basis.hosts);
    num(put, ctx, "status_quo_vms_no_host", (double)pl->tco.basis.vms_no_host);
    const struct mdl_policy *p = &pl->pol;
    const struct {
        const char *key;
        double v;
    } figs[] = {
        {"source_watts_idle", p->source_watts_idle}, {"source_watts_max", p->source_watts_max},
        {"source_price", p->source_price},           {"source_life_years", p->source_life_years},
        {"source_rack_U", p->source_rack_U},         {"source_upkeep", p->source_upkeep_per_year},
        {"support_pct", p->support_pct},             {"warranty_years", p->warranty_years},
        {"os_per_server", p->os_per_server},
        {"os_per_guest", isnan(p->os_per_guest) ? p->os_per_server : p->os_per_guest},
        {"licence_maint_pct", p->licence_maint_pct},
        {"subscription_per_socket", p->subscription_per_socket},
        {"admin_hours", p->admin_hours},             {"admin_hour_price", p->admin_hour_price},
        {"migration_hours", p->migration_hours},     {"rack_unit_price", p->rack_unit_price_per_year},
        {"switch_port_price", p->switch_port_price},
    };
    for (size_t i = 0; i < sizeof figs / sizeof *figs; i++)
        num(put, ctx, figs[i].key, figs[i].v);
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
    put(ctx, "cpu_ratings", p->cpu_ratings ? p->cpu_ratings->origin : "none");
    num(put, ctx, "cpu_assumed_sources", (double)pl->cpu_assumed);
    put(ctx, "ha_check", pl->pol.ha <= 0 ? "none"
                         : pl->ha_exhaustive ? "every failure set"
                                             : "every host with sampled sets");
    num(put, ctx, "ha_failure_sets_checked", (double)pl->ha_subsets);
    num(put, ctx, "ffd_hosts", (double)pl->pack.ffd_bins);
    num(put, ctx, "greedy_hosts", (double)pl->pack.greedy_bins);
    round2(put, ctx, "total_cost", mdl_plan_choice(pl)->total_cost);
    tco(pl, put, ctx);
    if (pl->rules) /* placement rules (issue 13) */
        mdl_rules_summary(pl, put, ctx);
}
