/* The plan directory (PLAN-CONTRACT: placement, hosts, summary, models, licences, ports,
 * policy; tco.csv), each file written atomically through ks_table. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/ks_csv.h"
#include "core/ks_table.h"
#include "model/mdl_cpu.h"
#include "model/mdl_plan.h"
#include "model/mdl_rules.h"

/* dir/name atomically and spreadsheet-safe (ks_table_write_sheet: names opening as
 * formulas get a ' prefix, which the plan readers strip); t is freed either way. */
static int
write_table(struct ks_table *t, const char *dir, const char *name, struct ks_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = ks_table_write_sheet(t, path, err);
    ks_table_fini(t);
    return rc;
}

static void
host_name(char *buf, size_t n, size_t h)
{
    snprintf(buf, n, "host%02zu", h + 1);
}

/* Every dataset entity once, in inventory order; sources not placed (hypervisor hosts)
 * are `-` / physical (PLAN-CONTRACT). */
static int
write_placement(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"entity", "host", "host_model"};
    struct ks_table t;
    char hn[32];
    ks_table_init(&t, cols, 3);
    for (size_t e = 0; e < pl->nent; e++) {
        size_t r = ks_table_add_row(&t);
        ks_table_set(&t, r, 0, pl->ent_names[e]);
        if (pl->host_of[e] < 0) {
            ks_table_set(&t, r, 1, "-");
            ks_table_set(&t, r, 2, "physical");
            continue;
        }
        host_name(hn, sizeof hn, (size_t)pl->host_of[e]);
        ks_table_set(&t, r, 1, hn);
        int s;
        ks_table_set(&t, r, 2, mdl_plan_host_model(pl, (size_t)pl->host_of[e], &s)->name);
    }
    return write_table(&t, dir, "placement.csv", err);
}

/* cpu_ratings.csv: each source's CPU, the rating it was planned with and where that came
 * from (model/mdl_cpu.h): inventory cpu_perf, the rating table's row, or the policy's
 * assumption for a CPU the table does not know. */
int
mdl_plan_write_ratings(const struct mdl_plan *pl, const struct ks_dataset *ds, const char *dir,
                       struct ks_err *err)
{
    static const char *const cols[] = {"entity", "cpu_model", "cores", "threads", "core_MHz",
                                       "cpu_perf", "rating", "rated_as", "source"};
    struct ks_table t;
    ks_table_init(&t, cols, 9);
    for (size_t e = 0; e < pl->nent; e++) {
        if (!pl->cpu_perf || isnan(pl->cpu_perf[e]))
            continue;
        size_t r = ks_table_add_row(&t);
        ks_table_set(&t, r, 0, pl->ent_names[e]);
        for (int c = 1; c <= 4; c++)
            ks_table_set(&t, r, c, ks_inv_str(ds, e, cols[c]));
        ks_table_set_num(&t, r, 5, pl->cpu_perf[e]);
        ks_table_set(&t, r, 6, mdl_cpu_origin_name(pl->cpu_origin[e]));
        const struct mdl_cpu_row *row = pl->cpu_row[e];
        ks_table_set(&t, r, 7, row ? row->cpu : NULL);
        ks_table_set(&t, r, 8, pl->cpu_origin[e] == MDL_CPU_INVENTORY ? "inventory.csv cpu_perf"
                               : row ? row->source
                                     : "assumed: --cpu-perf-assumed (docs/model.md)");
    }
    return write_table(&t, dir, "cpu_ratings.csv", err);
}

/* Utilization columns are % of the usable capacity: after hypervisor overhead, before
 * headroom, so a plan with 20% headroom shows peaks up to 80%. */
static int
write_hosts(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {
        "host", "host_model", "sockets", "cores", "vms", "cpu_capacity_MHz", "mem_capacity_MiB",
        "cpu_peak_pct", "cpu_p95_pct", "mem_peak_pct", "mem_p95_pct", "net_peak_Mbps",
        "net_p95_Mbps", "nic_ports", "ha_spare"};
    struct ks_table t;
    char hn[32];
    ks_table_init(&t, cols, 15);
    for (size_t h = 0; h < pl->nhosts; h++) {
        const struct mdl_host *H = &pl->hosts[h];
        int s;
        const struct mdl_model *m = mdl_plan_host_model(pl, h, &s);
        size_t r = ks_table_add_row(&t);
        double v[] = {s, (double)s * m->cores_per_socket, (double)H->vms, H->cpu_cap_MHz,
                      H->mem_cap_MiB, H->cpu_peak_pct, H->cpu_p95_pct, H->mem_peak_pct,
                      H->mem_p95_pct, H->net_peak_Mbps, H->net_p95_Mbps, H->ports_total,
                      H->ha_spare};
        host_name(hn, sizeof hn, h);
        ks_table_set(&t, r, 0, hn);
        ks_table_set(&t, r, 1, m->name);
        for (int c = 0; c < 13; c++)
            ks_table_set_num(&t, r, c + 2, v[c]);
    }
    return write_table(&t, dir, "hosts.csv", err);
}

/* Money is left empty for choices that were not costed (ineligible, or pruned by
 * their bound), rather than written as 0. */
static int
write_models(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"host_model", "sockets", "hosts", "capex",
                                       "opex_per_year", "total_cost", "eligible", "reason",
                                       "chosen", "lower_bound_hosts"};
    struct ks_table t;
    ks_table_init(&t, cols, 10);
    for (size_t k = 0; k < pl->nchoices; k++) {
        const struct mdl_choice *c = &pl->choices[k];
        size_t r = ks_table_add_row(&t);
        int costed = c->eligible && c->packed;
        ks_table_set(&t, r, 0, pl->cat->m[c->model].name);
        ks_table_set_num(&t, r, 1, c->sockets);
        ks_table_set_num(&t, r, 2, c->hosts ? (double)c->hosts : NAN);
        ks_table_set_num(&t, r, 3, costed ? c->capex : NAN);
        ks_table_set_num(&t, r, 4, costed ? c->opex_per_year : NAN);
        ks_table_set_num(&t, r, 5, costed ? c->total_cost : NAN);
        ks_table_set_num(&t, r, 6, c->eligible);
        ks_table_set(&t, r, 7, c->reason[0] ? c->reason : NULL);
        ks_table_set_num(&t, r, 8, c->chosen);
        ks_table_set_num(&t, r, 9, c->lower_bound ? (double)c->lower_bound : NAN);
    }
    return write_table(&t, dir, "models.csv", err);
}

static int
write_licences(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"rule", "kind", "units", "unit_price", "cost"};
    struct ks_table t;
    ks_table_init(&t, cols, 5);
    for (size_t k = 0; k < pl->nlic; k++) {
        size_t r = ks_table_add_row(&t);
        ks_table_set(&t, r, 0, pl->lic[k].rule);
        ks_table_set(&t, r, 1, mdl_lic_kind_name(pl->lic[k].kind));
        ks_table_set_num(&t, r, 2, pl->lic[k].units);
        ks_table_set_num(&t, r, 3, pl->lic[k].unit_price);
        ks_table_set_num(&t, r, 4, pl->lic[k].cost);
    }
    return write_table(&t, dir, "licences.csv", err);
}

static int
write_ports(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"host", "heartbeat", "management", "vm_network",
                                       "storage", "total"};
    struct ks_table t;
    char hn[32];
    ks_table_init(&t, cols, 6);
    for (size_t h = 0; h < pl->nhosts; h++) {
        size_t r = ks_table_add_row(&t);
        host_name(hn, sizeof hn, h);
        ks_table_set(&t, r, 0, hn);
        for (int k = 0; k < MDL_NROLES; k++)
            ks_table_set_num(&t, r, k + 1, pl->hosts[h].ports[k]);
        ks_table_set_num(&t, r, 5, pl->hosts[h].ports_total);
    }
    return write_table(&t, dir, "ports.csv", err);
}

static void
put_kv(void *ctx, const char *k, const char *v)
{
    struct ks_table *t = ctx;
    size_t r = ks_table_add_row(t);
    ks_table_set(t, r, 0, k);
    ks_table_set(t, r, 1, v[0] ? v : NULL);
}

static int
write_summary(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"key", "value"};
    struct ks_table t;
    ks_table_init(&t, cols, 2);
    mdl_plan_summary(pl, put_kv, &t);
    return write_table(&t, dir, "summary.csv", err);
}

static int
write_policy(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"key", "value"};
    struct ks_table t;
    ks_table_init(&t, cols, 2);
    mdl_policy_each(&pl->pol, put_kv, &t);
    return write_table(&t, dir, "policy.csv", err);
}

/* Files are written one by one, each atomically; a failure stops at the first error
 * (a reader that finds summary.csv can rely on placement.csv and hosts.csv). */
int
mdl_plan_write(const struct mdl_plan *pl, const char *dir, struct ks_err *err)
{
    int rc = ks_mkdir_p(dir, err);
    if (rc == 0)
        rc = write_placement(pl, dir, err);
    if (rc == 0)
        rc = write_hosts(pl, dir, err);
    if (rc == 0)
        rc = write_summary(pl, dir, err);
    if (rc == 0)
        rc = write_models(pl, dir, err);
    if (rc == 0)
        rc = write_licences(pl, dir, err);
    if (rc == 0)
        rc = write_ports(pl, dir, err);
    if (rc == 0)
        rc = write_policy(pl, dir, err);
    if (rc == 0) /* cost lines per year, status quo and consolidated */
        rc = mdl_cost_write(&pl->tco, dir, err);
    if (rc == 0) /* placement rules: rules.csv, zones.csv (or stale ones removed) */
        rc = mdl_rules_write(pl, dir, err);
    return rc;
}
