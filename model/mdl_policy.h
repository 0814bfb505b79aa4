/*
 * mdl_policy: the planning policy, from flags and an INI file with the same keys.
 *
 * Keys (INI: `key = value`, any or no section; flags: `--key value`):
 *   model, percentile, headroom, ha, cpu-overcommit, mem-overcommit, hv-cpu-pct,
 *   hv-mem-MiB, step, ports, ports-file, licences, years, power-price, pue,
 *   switch-port-price, rack-unit-price, source-watts-idle, source-watts-max,
 *   source-upkeep, source-price, source-life-years, source-rack-U, support-pct,
 *   warranty-years, os-per-server, os-per-guest, licence-maint-pct,
 *   subscription-per-socket, admin-hours, admin-hour-price, migration-hours, seed,
 *   effort, packer, smt-yield, cpu-perf-assumed.
 * The defaults are in mdl_policy_defaults; the ones that are assumptions (prices of
 * power, rack space, switch ports, the status quo's servers) are listed as such in
 * docs/model.md and written to policy.csv with every plan.
 */
#ifndef MDL_POLICY_H
#define MDL_POLICY_H

#include <stdint.h>

#include "core/ks_util.h"
#include "model/mdl_vbp.h"

struct mdl_rules;
struct mdl_demand;
struct mdl_cpu_table;
struct mdl_margin;
struct mdl_zone_memo;

struct mdl_policy {
    char *model;          /* NULL: choose over the catalog */
    double percentile;    /* 0-100 of each host's summed series; 100 = every step */
    double headroom_pct;  /* capacity kept free */
    int ha;               /* host failures to survive (spare hosts) */
    double cpu_overcommit, mem_overcommit; /* allocation planning: capacity x ratio */
    double hv_cpu_pct, hv_mem_MiB;         /* hypervisor overhead per host */
    double step_s;        /* resample step, 0 = the data's own */
    char *ports;          /* port template name */
    char *ports_file;     /* custom port rules (overrides ports) */
    char *licences;       /* licence rules CSV, NULL = none */
    double years, power_price_per_kWh, pue;
    double switch_port_price, rack_unit_price_per_year;
    double source_watts_idle, source_watts_max, source_upkeep_per_year;
    /* Total cost of ownership (mdl_cost.h; defaults and their sources: docs/model.md). */
    double source_price;        /* like-for-like replacement price of one source server */
    double source_life_years;   /* refresh cycle; 0 = no refresh counted */
    double source_rack_U;       /* rack units per source server */
    double support_pct;         /* support contract per year, % of the hardware price */
    double warranty_years;      /* years a new box needs no support contract */
    double os_per_server;       /* OS licence cost per physical server and year */
    double os_per_guest;        /* the same per guest after consolidation; NaN = as above */
    double licence_maint_pct;   /* yearly maintenance (SA, SnS), % of licence capex */
    double subscription_per_socket; /* yearly hypervisor subscription per populated socket */
    double admin_hours;         /* hardware admin hours per physical box and year */
    double admin_hour_price;    /* cost of one admin hour */
    double migration_hours;     /* one-off labour per source moved (P2V) */
    uint64_t seed;
    double effort;
    enum mdl_packer packer;
    const struct mdl_rules *rules; /* placement rules (borrowed, outlive the plan); NULL none */
    /* The dataset's demand under this policy, built already (borrowed; NULL: the plan
     * builds it): the rules' cost re-plans share the first plan's instead of building the
     * same series again. Copied, never changed. */
    const struct mdl_demand *demand;
    /* Only the host count is wanted (a rule's cost re-plan): the peak-sizing comparison
     * and the rules' outcome, which need a packing of their own or failovers, are left
     * out of the plan (peak_sizing_hosts 0, rules NULL). */
    int hosts_only;
    /* Zone packings of the plan a rule-cost re-plan costs (borrowed; NULL: none): a zone
     * the left-out rule does not touch is the same problem, and takes that packing. */
    const struct mdl_zone_memo *zone_memo;
    /* Warm start (a sweep's next setting, mdl_risk_sweep): the host of every entity of
     * the same dataset in an earlier plan (its host_of, -1 = not placed; borrowed, as
     * many entries as the dataset has entities); NULL: packed from scratch. Without
     * placement rules only (with them it is ignored). */
    const long *warm_host_of;
    /* CPU normalization (model/mdl_cpu.h, docs/model.md). */
    double smt_yield;        /* a second hardware thread's share of a core, both sides */
    double cpu_perf_assumed; /* rating of a source whose CPU the table does not know */
    const struct mdl_cpu_table *cpu_ratings; /* borrowed; NULL: no table */
    /* Size for risk (model/mdl_risk_size.h): per-entity margins added to every step of
     * the packed demand, for the dataset being planned (borrowed); NULL: none. */
    const struct mdl_margin *margin;
    /* Progress of long work (may be NULL): "host model 3 of 14", "rule costs: 2 of 9
     * re-plans"; what NULL: done, before a caller prints results. Called from the
     * planning thread, or under a lock from the rules' re-plan workers; never from two
     * threads at once. */
    void (*progress)(void *ctx, const char *what);
    void *progress_ctx;
};

void mdl_policy_defaults(struct mdl_policy *p);
void mdl_policy_fini(struct mdl_policy *p);
/* Set one key (flag name without "--"); errors say which key and value. */
int mdl_policy_set(struct mdl_policy *p, const char *key, const char *val, struct ks_err *err);
/* Apply an INI file; errors name file and line. */
int mdl_policy_read(const char *path, struct mdl_policy *p, struct ks_err *err);
/* Every key with its effective value, in a fixed order, for policy.csv: calls
 * put(ctx, key, value) once per key. */
void mdl_policy_each(const struct mdl_policy *p, void (*put)(void *ctx, const char *k,
                                                             const char *v),
                     void *ctx);
const char *mdl_packer_name(enum mdl_packer k);

#endif
