/*
 * mdl_storage_out: the storage files of a plan directory and the simulator config.
 *
 *   storage.csv          key,value summary (keys in docs/storage.md, in this order)
 *   storage_options.csv  every configuration evaluated, both sites, eligible/reason/chosen
 *   storage_series.csv   the summed series the sizing used, for the report's charts
 *
 * Numbers are written with ks_fmt_double (shortest exact text, NaN empty), so a reader
 * gets back exactly the values the planner used.
 */
#include "model/mdl_storage_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_csv.h"
#include "core/ks_table.h"

/* One key,value row; the table copies both strings. */
static void
kv(struct ks_table *t, const char *key, const char *val)
{
    size_t r = ks_table_add_row(t);
    ks_table_set(t, r, 0, key);
    ks_table_set(t, r, 1, val);
}

/* A number row: shortest exact text, NaN (unknown, not applicable) as empty. */
static void
kvn(struct ks_table *t, const char *key, double v)
{
    char b[KS_NUMBUF];
    kv(t, key, ks_fmt_double(b, v));
}

/* What the estate asks for: the summed series reduced, and the capacity. Keys say p95
 * whatever the percentile (the report looks them up by name); `percentile` and
 * `sizing_basis` say what was used. */
static void
put_demand(struct ks_table *t, const struct mdl_storage_plan *sp)
{
    const struct mdl_storage_policy *p = &sp->pol;
    char b[64];
    kv(t, "catalog", sp->cat->dir);
    kvn(t, "percentile", p->percentile);
    snprintf(b, sizeof b, "%s x %g", p->size_on_peak ? "peak" : "p95", 1 + p->headroom_pct / 100);
    if (!p->size_on_peak && p->percentile != 95)
        snprintf(b, sizeof b, "p%g x %g", p->percentile, 1 + p->headroom_pct / 100);
    kv(t, "sizing_basis", b);
    kvn(t, "headroom_pct", p->headroom_pct);
    kvn(t, "entities", (double)sp->nent);
    kvn(t, "steps", (double)sp->nsteps);
    kvn(t, "step_s", sp->step_s);
    kvn(t, "nan_cells", (double)sp->nan_cells);
    /* measured, estimated from KiB/s, or none: the report must show which. */
    kv(t, "iops_basis", sp->iops_basis);
    kvn(t, "iops_p95", sp->iops_pct);
    kvn(t, "iops_peak", sp->iops_peak);
    kvn(t, "read_pct", sp->read_pct);
    kvn(t, "throughput_p95_MiBps", sp->MiBps_pct);
    kvn(t, "throughput_peak_MiBps", sp->MiBps_peak);
    /* The sizing point with headroom: what the array heads must take. */
    kvn(t, "frontend_iops_needed", sp->fe_iops_need);
    kvn(t, "frontend_MBps_needed", sp->fe_MBps_need);
    /* Today's capacity, then grown over the horizon with free space on top. */
    kvn(t, "used_GiB", sp->used_GiB);
    kvn(t, "provisioned_GiB", sp->provisioned_GiB);
    kv(t, "capacity_basis", sp->capacity_basis);
    kvn(t, "growth_pct_per_year", p->growth_pct_per_year);
    kvn(t, "years", p->years);
    kvn(t, "capacity_headroom_pct", p->capacity_headroom_pct);
    kvn(t, "capacity_needed_GiB", sp->capacity_needed_GiB);
}

/* The chosen configuration's rows; suffix "" for the I/O tier, "2" for the capacity tier. */
static void
put_tier(struct ks_table *t, const struct mdl_array_catalog *cat, const struct mdl_storage_tier *tr,
         const char *sfx)
{
    char k[32];
    int on = tr->drive >= 0;
#define KEY(name) (snprintf(k, sizeof k, "%s%s", name, sfx), k)
    kv(t, KEY("drive"), on ? cat->drive[tr->drive].name : "");
    kv(t, KEY("raid"), on ? cat->raid[tr->raid].name : "");
    kvn(t, KEY("drives"), on ? (double)tr->drives : ks_nan());
    kvn(t, KEY("raid_groups"), on ? (double)tr->groups : ks_nan());
    kvn(t, KEY("spares"), on ? (double)tr->spares : ks_nan());
    kvn(t, KEY("tier_usable_GiB"), on ? tr->usable_GiB : ks_nan());
#undef KEY
}

/* Index of the cheapest eligible configuration not in skip[0..2], or -1. */
static long
cheapest_except(const struct mdl_storage_plan *sp, const long skip[3])
{
    long best = -1;
    for (size_t i = 0; i < sp->nopt; i++) {
        const struct mdl_storage_config *o = &sp->opt[i];
        if (!o->eligible || (long)i == skip[0] || (long)i == skip[1] || (long)i == skip[2])
            continue;
        if (best < 0 || o->total_cost < sp->opt[best].total_cost)
            best = (long)i;
    }
    return best;
}

/* The chosen configuration, tier by tier, its cost, and the two runner-ups. */
static void
put_array(struct ks_table *t, const struct mdl_storage_plan *sp)
{
    const struct mdl_array_catalog *cat = sp->cat;
    const struct mdl_storage_config *c = &sp->opt[sp->chosen];
    char desc[400], k[48];
    mdl_storage_describe(cat, c, desc, sizeof desc);
    kv(t, "array_config", desc);
    kvn(t, "tiers", c->tier[1].drive >= 0 ? 2 : 1);
    put_tier(t, cat, &c->tier[0], "");
    put_tier(t, cat, &c->tier[1], "2");
    kv(t, "shelf", cat->shelf[c->shelf].name);
    kvn(t, "shelves", (double)c->shelves);
    kv(t, "controller", cat->ctrl[c->ctrl].name);
    kvn(t, "arrays", (double)c->arrays);
    kvn(t, "usable_GiB", c->usable_GiB);
    /* Raw back-end IOPS of the I/O tier: drives x drive IOPS, before RAID penalty. */
    kvn(t, "backend_iops_capacity", c->tier[0].backend_iops);
    kvn(t, "watts", c->watts);
    kvn(t, "capex_storage", c->capex);
    kvn(t, "opex_storage_per_year", c->opex_per_year);
    kvn(t, "total_cost_storage", c->total_cost);
    /* The two cheapest eligible others, for the report's "why not this" line. */
    long skip[3] = {(long)sp->chosen, -1, -1};
    for (int n = 1; n <= 2; n++) {
        long best = cheapest_except(sp, skip);
        if (best < 0)
            break;
        skip[n] = best;
        mdl_storage_describe(cat, &sp->opt[best], desc, sizeof desc);
        snprintf(k, sizeof k, "runner_up_%d", n);
        kv(t, k, desc);
        snprintf(k, sizeof k, "runner_up_%d_total_cost", n);
        kvn(t, k, sp->opt[best].total_cost);
    }
}

/* Backup store and windows, WAN bytes per night, replication and the DR site. dr_hosts
 * and the DR capex stay empty until the caller supplies the primary host count. */
static void
put_backup_dr(struct ks_table *t, const struct mdl_storage_plan *sp)
{
    const struct mdl_storage_policy *p = &sp->pol;
    char desc[400];
    kvn(t, "daily_change_GiB", sp->daily_change_GiB);
    kv(t, "change_basis", sp->change_basis);
    kvn(t, "retention_days", p->retention_days);
    kvn(t, "full_every_days", p->full_every_days);
    kvn(t, "dedup_ratio", p->dedup_ratio);
    kvn(t, "backup_logical_GiB", sp->backup_logical_GiB);
    kvn(t, "backup_GiB", sp->backup_GiB);
    kvn(t, "backup_MBps", p->backup_MBps);
    kvn(t, "backup_window_h", sp->backup_window_full_h);
    kvn(t, "backup_window_incr_h", sp->backup_window_incr_h);
    kvn(t, "wan_bytes_full", sp->wan_bytes_full);
    kvn(t, "wan_bytes_incr", sp->wan_bytes_incr);
    kvn(t, "wan_bytes_dedup", sp->wan_bytes_dedup);
    kvn(t, "rpo_min", p->rpo_min);
    kvn(t, "rpo_window_s", sp->rpo_window_s);
    kvn(t, "dr_write_KiBps", sp->dr_write_KiBps);
    kvn(t, "dr_bandwidth_Mbps", sp->dr_bandwidth_Mbps);
    kvn(t, "dr_load_pct", p->dr_load_pct);
    mdl_storage_describe(sp->cat, &sp->dr_opt[sp->dr_chosen], desc, sizeof desc);
    kv(t, "dr_array_config", desc);
    kvn(t, "dr_capex_storage", sp->dr_opt[sp->dr_chosen].capex);
    kvn(t, "dr_host_pct", p->dr_host_pct);
    kvn(t, "dr_hosts", sp->dr_hosts);
    kvn(t, "dr_capex_hosts", sp->dr_capex_hosts);
    kvn(t, "dr_capex", sp->dr_capex);
}

/* storage.csv: demand, array, backup and DR keys in the documented order. */
static int
write_summary(const struct mdl_storage_plan *sp, const char *path, struct ks_err *err)
{
    static const char *const cols[] = {"key", "value"};
    struct ks_table t;
    ks_table_init(&t, cols, 2);
    put_demand(&t, sp);
    put_array(&t, sp);
    put_backup_dr(&t, sp);
    int rc = ks_table_write_sheet(&t, path, err);
    ks_table_fini(&t);
    return rc;
}

static const char *const opt_cols[] = {
    "site",   "tiers",   "drive",         "raid",       "drives",       "raid_groups",
    "spares", "drive2",  "raid2",         "drives2",    "raid_groups2", "spares2",
    "shelf",  "shelves", "controller",    "arrays",     "usable_GiB",   "backend_iops_capacity",
    "watts",  "capex",   "opex_per_year", "total_cost", "eligible",     "reason",
    "chosen"};
#define NOPT_COLS (sizeof opt_cols / sizeof opt_cols[0])

/* Cells of one tier starting at column c. */
static int
opt_tier(struct ks_table *t, size_t r, int c, const struct mdl_array_catalog *cat,
         const struct mdl_storage_tier *tr)
{
    if (tr->drive < 0)
        return c + 5; /* an unused tier stays empty */
    ks_table_set(t, r, c++, cat->drive[tr->drive].name);
    ks_table_set(t, r, c++, cat->raid[tr->raid].name);
    ks_table_set_num(t, r, c++, (double)tr->drives);
    ks_table_set_num(t, r, c++, (double)tr->groups);
    ks_table_set_num(t, r, c++, (double)tr->spares);
    return c;
}

/* One storage_options.csv row: site, both tiers, enclosure, cost, verdict. */
static void
opt_row(struct ks_table *t, const struct mdl_array_catalog *cat, const char *site,
        const struct mdl_storage_config *o, int chosen)
{
    size_t r = ks_table_add_row(t);
    int c = 0;
    ks_table_set(t, r, c++, site);
    ks_table_set_num(t, r, c++, o->tier[1].drive >= 0 ? 2 : 1);
    c = opt_tier(t, r, c, cat, &o->tier[0]);
    c = opt_tier(t, r, c, cat, &o->tier[1]);
    ks_table_set(t, r, c++, cat->shelf[o->shelf].name);
    ks_table_set_num(t, r, c++, (double)o->shelves);
    ks_table_set(t, r, c++, cat->ctrl[o->ctrl].name);
    double v[] = {(double)o->arrays, o->usable_GiB,    o->tier[0].backend_iops, o->watts,
                  o->capex,          o->opex_per_year, o->total_cost,           o->eligible};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        ks_table_set_num(t, r, c++, v[i]);
    ks_table_set(t, r, c++, o->reason);
    ks_table_set_num(t, r, c, chosen);
}

/* Primary site first, then DR; each has exactly one chosen row. */
static int
write_options(const struct mdl_storage_plan *sp, const char *path, struct ks_err *err)
{
    struct ks_table t;
    ks_table_init(&t, opt_cols, NOPT_COLS);
    for (size_t i = 0; i < sp->nopt; i++)
        opt_row(&t, sp->cat, "primary", &sp->opt[i], i == sp->chosen);
    for (size_t i = 0; i < sp->ndr_opt; i++)
        opt_row(&t, sp->cat, "dr", &sp->dr_opt[i], i == sp->dr_chosen);
    int rc = ks_table_write_sheet(&t, path, err);
    ks_table_fini(&t);
    return rc;
}

/* The summed series, one row per grid step, streamed through an atomic file (the
 * series can be long; no table copy of it is needed). */
static int
write_series(const struct mdl_storage_plan *sp, const char *path, struct ks_err *err)
{
    struct ks_afile af;
    int rc = ks_afile_open(&af, path, err);
    if (rc < 0)
        return rc;
    fputs("time,read_iops,write_iops,read_KiBps,write_KiBps\n", af.f);
    for (size_t k = 0; k < sp->nsteps; k++) {
        ks_csv_put_num(af.f, sp->t0 + (double)k * sp->step_s, 1);
        ks_csv_put_num(af.f, sp->read_iops[k], 0);
        ks_csv_put_num(af.f, sp->write_iops[k], 0);
        ks_csv_put_num(af.f, sp->read_KiBps[k], 0);
        ks_csv_put_num(af.f, sp->write_KiBps[k], 0);
        fputc('\n', af.f);
    }
    return ks_afile_commit(&af, err);
}

/* The simulator configs, so that `kasane sim --plan DIR --storage` needs nothing but
 * the plan directory. */
static int
write_sim(const struct mdl_storage_plan *sp, const char *path, int at_peak, struct ks_err *err)
{
    struct ks_afile af;
    int rc = ks_afile_open(&af, path, err);
    if (rc < 0)
        return rc;
    mdl_storage_sim_ini(sp, at_peak, af.f); /* a write error surfaces at commit */
    return ks_afile_commit(&af, err);
}

static int
write_sim_p95(const struct mdl_storage_plan *sp, const char *path, struct ks_err *err)
{
    return write_sim(sp, path, 0, err);
}

static int
write_sim_peak(const struct mdl_storage_plan *sp, const char *path, struct ks_err *err)
{
    return write_sim(sp, path, 1, err);
}

int
mdl_storage_write(const struct mdl_storage_plan *sp, const char *dir, struct ks_err *err)
{
    static const char *const names[] = {"storage.csv", "storage_options.csv", "storage_series.csv",
                                        "storage_sim_p95.ini", "storage_sim_peak.ini"};
    int (*const fn[])(const struct mdl_storage_plan *, const char *, struct ks_err *) = {
        write_summary, write_options, write_series, write_sim_p95, write_sim_peak};
    /* Each file is atomic on its own; a failure stops before the next one. */
    int rc = 0;
    for (int i = 0; i < 5 && rc == 0; i++) {
        char *path = ks_xasprintf("%s/%s", dir, names[i]);
        rc = fn[i](sp, path, err);
        free(path);
    }
    return rc;
}
