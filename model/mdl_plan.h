/*
 * mdl_plan: dataset + host catalog + policy -> consolidation plan (kasane plan).
 *
 *   mdl_demand_build  the dataset on a time grid -> per-source CPU/memory/network series
 *   mdl_plan_run      every catalog model and socket population: lower bound, packing,
 *                     HA spares checked by failing hosts, ports, licences, cost; the
 *                     cheapest over the policy's years wins
 *   mdl_plan_write    the plan directory (docs/formats.md, PLAN-CONTRACT)
 * Nothing here prints: the CLI formats the summary from struct mdl_plan.
 */
#ifndef MDL_PLAN_H
#define MDL_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/ks_dataset.h"
#include "model/mdl_catalog.h"
#include "model/mdl_cost.h"
#include "model/mdl_licence.h"
#include "model/mdl_policy.h"
#include "model/mdl_ports.h"

/* The sample columns kasane plan reads (ks_dataset_read_keep): CPU and memory for the
 * demand (mdl_demand.c, mdl_risk_window.c, mdl_cost_estate.c), network for the NIC
 * check, disk throughput and IOPS for --storage. The other 7 are checked, not stored. */
#define MDL_PLAN_METRICS                                                                           \
    (1u << KS_CPU_PCT | 1u << KS_CPU_MHZ | 1u << KS_MEM_USED_MIB | 1u << KS_NET_RX_KIBPS |         \
     1u << KS_NET_TX_KIBPS | 1u << KS_DISK_READ_KIBPS | 1u << KS_DISK_WRITE_KIBPS |                \
     1u << KS_DISK_READ_IOPS | 1u << KS_DISK_WRITE_IOPS)

struct mdl_rules_result;
struct mdl_zone_memo;
struct mdl_cpu_row;

/* Demand of the sources on one time grid; series are row-major n x T doubles. */
struct mdl_demand {
    size_t nent;          /* dataset entities */
    size_t n;             /* sources to place */
    uint32_t *ent;        /* n: dataset entity of each source */
    size_t T;             /* steps (1 when planned by allocation) */
    double step_s, t0;
    double *cpu_MHz, *mem_MiB, *net_Mbps; /* n * T each; net_Mbps NULL when unmeasured */
    double *src_util;     /* n: mean CPU busy share 0-1 of the source server, NaN unknown */
    int by_allocation;    /* inventory-only: cores x core_MHz and mem_MiB, T = 1 */
    size_t nan_gaps;      /* sources with unknown steps filled at their own percentile */
    /* CPU normalization (mdl_cpu.h): cpu_MHz above is in reference MHz already. */
    double *cpu_perf;          /* nent: each source's rating (NaN: not a source) */
    unsigned char *cpu_origin; /* nent: enum mdl_cpu_origin */
    const struct mdl_cpu_row **cpu_row; /* nent: the table row that matched, or NULL (borrowed) */
    size_t cpu_assumed;        /* sources planned on the policy's assumed rating */
};
int mdl_demand_build(const struct ks_dataset *ds, const struct mdl_policy *pol,
                     struct mdl_demand *d, struct ks_err *err);
void mdl_demand_fini(struct mdl_demand *d);
/* A deep copy of from into to (fini it as any demand): what a re-plan of the same dataset
 * and demand policy would build again (the rules' cost re-plans share one). */
void mdl_demand_copy(const struct mdl_demand *from, struct mdl_demand *to);
/* The most any one host of the catalog can carry per resource (CPU MHz, memory MiB,
 * network Mbit/s) and the model that does (NULL: resource not limited). */
struct mdl_demand_limit {
    double max[3];
    const char *model[3];
};
/* A source whose demand at any step exceeds lim (no host could carry it, whatever the
 * packing): -ERANGE naming dataset, entity, resource, value, step time and the model
 * limit. Run before any bound or packing, which would otherwise step through absurd
 * host counts one at a time. */
int mdl_demand_check(const struct mdl_demand *d, const struct ks_dataset *ds, const char *dataset,
                     const struct mdl_demand_limit *lim, struct ks_err *err);

/* One target host of the chosen plan. Percentages are of the usable capacity (after
 * hypervisor overhead, before headroom). */
struct mdl_host {
    size_t vms;
    int ha_spare;
    double cpu_cap_MHz, mem_cap_MiB;
    double cpu_peak_pct, cpu_p95_pct, mem_peak_pct, mem_p95_pct;
    double net_peak_Mbps, net_p95_Mbps;
    double cpu_mean_raw;  /* mean CPU busy share of the raw capacity, 0-1 (power model) */
    int ports[MDL_NROLES], ports_total;
};

/* One catalog model with one socket population, as evaluated. */
struct mdl_choice {
    size_t model;
    int sockets;
    size_t hosts, spares, lower_bound, peak_hosts;
    double capex, capex_hosts, capex_licences, capex_switch_ports, opex_per_year;
    double total_cost;
    int eligible, packed, chosen;
    char reason[200];
};

struct mdl_lic_line {
    char *rule;
    enum mdl_lic_kind kind;
    double units, unit_price, cost;
};

struct mdl_plan {
    struct mdl_policy pol;      /* effective policy (owned copy) */
    char *dataset;
    const struct mdl_catalog *cat; /* borrowed: must outlive the plan */
    size_t nent;
    char **ent_names;           /* nent, owned */
    long *host_of;              /* nent: host index, -1 = not placed (kept physical) */
    size_t sources;
    size_t nhosts, spares;      /* nhosts includes the spares (the last ones) */
    struct mdl_host *hosts;
    size_t nchoices, chosen;
    struct mdl_choice *choices;
    size_t nlic;
    struct mdl_lic_line *lic;
    struct mdl_ports ports;
    size_t lower_bound, peak_sizing_hosts, steps, switch_ports, nan_gaps;
    double step_s, gap_pct, status_quo_opex, savings, payback_months, elapsed_s;
    char peak_basis[64];
    double pack_cap[2];         /* the chosen hosts' packing capacity (CPU MHz, memory MiB) */
    size_t allow_over;          /* steps a host may exceed it (the percentile policy) */
    int by_allocation, ha_verified;
    size_t ha_subsets;          /* failure sets checked */
    int ha_exhaustive;          /* 1: every k-subset; 0: every single host + a sample */
    struct mdl_vbp_result pack; /* the chosen packing's figures */
    struct mdl_rules_result *rules; /* placement rules' outcome (mdl_rules.h), NULL none */
    /* Every zone packing the plan made with rules, owned, for its rule-cost re-plans
     * (mdl_rules_costs; pol.zone_memo); NULL without rules. */
    struct mdl_zone_memo *zone_memo;
    struct mdl_tco tco;         /* cost lines per year, both sides (tco.csv) */
    /* Each entity's CPU rating (mdl_cpu.h), nent long, owned; NaN / NULL: not a source.
     * cpu_row points into pol.cpu_ratings, which must outlive the plan. */
    double *cpu_perf;
    unsigned char *cpu_origin;
    const struct mdl_cpu_row **cpu_row;
    size_t cpu_assumed;         /* sources planned on pol.cpu_perf_assumed */
};

int mdl_plan_run(const struct ks_dataset *ds, const char *dataset_name,
                 const struct mdl_policy *pol, const struct mdl_catalog *cat,
                 struct mdl_plan **out, struct ks_err *err);
int mdl_plan_write(const struct mdl_plan *plan, const char *dir, struct ks_err *err);
void mdl_plan_free(struct mdl_plan *plan);
/* dir/cpu_ratings.csv: every source's CPU (cpu_model, cores, threads, core_MHz from ds,
 * the dataset the plan was made from), its rating and where that came from. */
int mdl_plan_write_ratings(const struct mdl_plan *plan, const struct ks_dataset *ds,
                           const char *dir, struct ks_err *err);
/* summary.csv's key,value rows in their contract order (then a few extra keys), for
 * the writer and for the CLI's human summary. */
void mdl_plan_summary(const struct mdl_plan *plan,
                      void (*put)(void *ctx, const char *key, const char *value), void *ctx);
/* The chosen choice and its model. */
const struct mdl_choice *mdl_plan_choice(const struct mdl_plan *plan);
const struct mdl_model *mdl_plan_model(const struct mdl_plan *plan);
/* The model of plan host h (a zone with its own host model, docs/rules.md, else the
 * chosen one) and its socket population in *sockets. */
const struct mdl_model *mdl_plan_host_model(const struct mdl_plan *plan, size_t h,
                                            int *sockets);

/* N+k check (mdl_ha.c): fail every k-subset of the nbins bins when there are at most
 * max_sets of them, else every single bin plus max_sets seeded random k-subsets; the
 * failed bins' items are re-placed on the survivors (largest first, lowest resulting
 * peak, must fit). Returns 1 when every set re-placed; *checked counts the sets and
 * *exhaustive says which way was taken; *bad_bin names a failed bin of the first set
 * that did not re-place. */
int mdl_ha_check(const struct mdl_vbp *p, const uint32_t *assign, size_t nbins, int k,
                 uint64_t seed, size_t max_sets, size_t *checked, int *exhaustive,
                 size_t *bad_bin);

#endif
