/*
 * Storage, backup and DR (rpt_storage.h): reading the plan's storage files, the
 * section's tables and its chart scripts. The page itself is in rpt_storage_html.c.
 *
 * Every figure is the text of storage.csv copied into a table row beside its key, so
 * the page, the tables/ CSV files and the plan cannot disagree; the only numbers computed here
 * are unit conversions for charts (bytes -> GiB, KiB/s -> MiB/s) and the ordering of
 * the options.
 */
#include "report/rpt_storage.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/rpt_chart.h"
#include "report/rpt_sections.h"
#include "report/rpt_sim.h"
#include "report/rpt_util.h"

/* ---- figure tables ------------------------------------------------------------------- */

/* One row of a figure table: label for people, storage.csv key, unit; num says the
 * value must read as a number (checked at build, so the page never shows "n/a" for a
 * typo in the plan). */
struct sto_fig {
    const char *label, *key, *unit;
    int num;
};

static const struct sto_fig demand_figs[] = {
    {"Entities on the array", "entities", "", 1},
    {"Grid steps", "steps", "", 1},
    {"Step", "step_s", "s", 1},
    {"IOPS basis", "iops_basis", "", 0},
    {"Sizing percentile", "percentile", "", 1},
    {"Summed IOPS at the percentile", "iops_p95", "IOPS", 1},
    {"Summed IOPS at the peak", "iops_peak", "IOPS", 1},
    {"Reads (I/O-weighted)", "read_pct", "%", 1},
    {"Summed throughput at the percentile", "throughput_p95_MiBps", "MiB/s", 1},
    {"Summed throughput at the peak", "throughput_peak_MiBps", "MiB/s", 1},
    {"Headroom", "headroom_pct", "%", 1},
    {"Sizing basis", "sizing_basis", "", 0},
    {"Front-end IOPS the array must take", "frontend_iops_needed", "IOPS", 1},
    {"Front-end throughput the array must take", "frontend_MBps_needed", "MB/s", 1},
};

static const struct sto_fig array_figs[] = {
    {"Configuration", "array_config", "", 0},
    {"Tiers", "tiers", "", 1},
    {"I/O tier drive", "drive", "", 0},
    {"I/O tier RAID", "raid", "", 0},
    {"I/O tier drives (in RAID groups)", "drives", "", 1},
    {"I/O tier RAID groups", "raid_groups", "", 1},
    {"I/O tier hot spares", "spares", "", 1},
    {"I/O tier usable", "tier_usable_GiB", "GiB", 1},
    {"Capacity tier drive", "drive2", "", 0},
    {"Capacity tier RAID", "raid2", "", 0},
    {"Capacity tier drives", "drives2", "", 1},
    {"Capacity tier RAID groups", "raid_groups2", "", 1},
    {"Capacity tier hot spares", "spares2", "", 1},
    {"Capacity tier usable", "tier_usable_GiB2", "GiB", 1},
    {"Shelf", "shelf", "", 0},
    {"Shelves", "shelves", "", 1},
    {"Array head (controller pair)", "controller", "", 0},
    {"Array heads", "arrays", "", 1},
    {"Usable capacity", "usable_GiB", "GiB", 1},
    {"Back-end IOPS of the drives", "backend_iops_capacity", "IOPS", 1},
    {"Power", "watts", "W", 1},
    {"Capex", "capex_storage", "", 1},
    {"Running cost per year", "opex_storage_per_year", "", 1},
    {"Total over the horizon", "total_cost_storage", "", 1},
};

static const struct sto_fig capacity_figs[] = {
    {"Used today", "used_GiB", "GiB", 1},
    {"Provisioned today", "provisioned_GiB", "GiB", 1},
    {"Capacity basis", "capacity_basis", "", 0},
    {"Growth per year", "growth_pct_per_year", "%", 1},
    {"Horizon", "years", "years", 1},
    {"Free space kept", "capacity_headroom_pct", "%", 1},
    {"Needed at the end of the horizon", "capacity_needed_GiB", "GiB", 1},
    {"Usable on the chosen array", "usable_GiB", "GiB", 1},
};

static const struct sto_fig backup_figs[] = {
    {"Daily change", "daily_change_GiB", "GiB", 1},
    {"Change basis", "change_basis", "", 0},
    {"Retention", "retention_days", "days", 1},
    {"A full every", "full_every_days", "days", 1},
    {"Dedup ratio", "dedup_ratio", ": 1", 1},
    {"Backup data before dedup", "backup_logical_GiB", "GiB", 1},
    {"Backup store needed", "backup_GiB", "GiB", 1},
    {"Backup throughput", "backup_MBps", "MB/s", 1},
    {"Nightly window, full", "backup_window_h", "h", 1},
    {"Nightly window, incremental", "backup_window_incr_h", "h", 1},
    {"WAN per night, full copy", "wan_bytes_full", "bytes", 1},
    {"WAN per night, incremental", "wan_bytes_incr", "bytes", 1},
    {"WAN per night, source-side dedup", "wan_bytes_dedup", "bytes", 1},
};

static const struct sto_fig dr_figs[] = {
    {"Recovery point objective", "rpo_min", "min", 1},
    {"Window used on the grid", "rpo_window_s", "s", 1},
    {"Largest mean write rate over the window", "dr_write_KiBps", "KiB/s", 1},
    {"Replication bandwidth", "dr_bandwidth_Mbps", "Mbit/s", 1},
    {"DR array carries", "dr_load_pct", "% of the I/O", 1},
    {"DR array", "dr_array_config", "", 0},
    {"DR array capex", "dr_capex_storage", "", 1},
    {"DR hosts as share of primary", "dr_host_pct", "%", 1},
    {"DR hosts", "dr_hosts", "", 1},
    {"DR hosts capex", "dr_capex_hosts", "", 1},
    {"DR site capex", "dr_capex", "", 1},
};

#define NFIG(a) (sizeof a / sizeof *a)

/* A figure table NAME: one row per figure present in storage.csv (absent or empty
 * values, e.g. the capacity tier of a single-tier array, are left out). */
static void
fig_table(struct rpt_ctx *c, const struct ks_table *kv, const char *name,
          const struct sto_fig *figs, size_t n)
{
    static const char *const cols[] = {"figure", "value", "unit", "storage_key"};
    struct ks_table *t = rpt_ctx_table(c, name, cols, 4);
    for (size_t i = 0; i < n; i++) {
        const char *v = rpt_kv_str(kv, figs[i].key);
        if (!v)
            continue;
        size_t r = ks_table_add_row(t);
        ks_table_set(t, r, 0, figs[i].label);
        ks_table_set(t, r, 1, v);
        ks_table_set(t, r, 2, figs[i].unit);
        ks_table_set(t, r, 3, figs[i].key);
    }
}

/* Numeric figures must parse: the error names the file, line and key. */
static int
check_figs(const struct ks_table *kv, const char *path, const struct sto_fig *figs, size_t n,
           struct ks_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = rpt_kv_str(kv, figs[i].key);
        double x;
        if (!figs[i].num || !v || ks_parse_double(v, &x) == 0)
            continue;
        for (size_t r = 0; r < kv->nrows; r++)
            if (strcmp(ks_table_get(kv, r, 0), figs[i].key) == 0)
                return ks_errf(err, -EINVAL, "%s:%lu: key '%s': '%s' is not a number", path,
                               kv->lines[r], figs[i].key, v);
    }
    return 0;
}

/* ---- options ------------------------------------------------------------------------- */

/* "16 x ssd raid10 + 1 spare" for tier suffix "" or "2"; empty when the tier is unused. */
static void
tier_text(struct rpt_buf *b, const struct ks_table *o, size_t r, const char *sfx)
{
    char dc[16], rc[16], sc[16];
    snprintf(dc, sizeof dc, "drive%s", sfx);
    snprintf(rc, sizeof rc, "raid%s", sfx);
    snprintf(sc, sizeof sc, "spares%s", sfx);
    const char *d = ks_table_str(o, r, dc), *raid = ks_table_str(o, r, rc);
    char cnt[16];
    snprintf(cnt, sizeof cnt, "drives%s", sfx);
    if (!d || !*d)
        return;
    double n = ks_table_num(o, r, cnt), s = ks_table_num(o, r, sc);
    rpt_buf_printf(b, "%s%.0f x %s %s", b->len ? " + " : "", n, d, raid ? raid : "?");
    if (s > 0)
        rpt_buf_printf(b, " + %.0f spare%s", s, s == 1 ? "" : "s");
}

/* The configuration of options row r in words, like storage.csv's array_config. */
static char *
config_text(const struct ks_table *o, size_t r)
{
    struct rpt_buf b = {0};
    tier_text(&b, o, r, "");
    tier_text(&b, o, r, "2");
    const char *sh = ks_table_str(o, r, "shelf"), *ct = ks_table_str(o, r, "controller");
    rpt_buf_printf(&b, "; %.0f x %s; %.0f x %s", ks_table_num(o, r, "shelves"), sh ? sh : "?",
                   ks_table_num(o, r, "arrays"), ct ? ct : "?");
    return rpt_buf_take(&b);
}

/* Primary-site rows, eligible before rejected, each group by total cost (stable on ties:
 * the planner's catalog order, which is also how it breaks ties). */
static int
opt_cmp(const struct ks_table *o, size_t a, size_t b)
{
    double ea = ks_table_num(o, a, "eligible"), eb = ks_table_num(o, b, "eligible");
    if ((ea == 1) != (eb == 1))
        return ea == 1 ? -1 : 1;
    double ca = ks_table_num(o, a, "total_cost"), cb = ks_table_num(o, b, "total_cost");
    return ca < cb ? -1 : ca > cb ? 1 : a < b ? -1 : a > b;
}

static size_t *
primary_order(const struct ks_table *o, size_t *n)
{
    size_t *ord = ks_xmalloc((o->nrows ? o->nrows : 1) * sizeof *ord), m = 0;
    for (size_t r = 0; r < o->nrows; r++) {
        const char *site = ks_table_str(o, r, "site");
        if (!site || strcmp(site, "primary") == 0)
            ord[m++] = r;
    }
    /* Insertion sort: a catalog gives hundreds to a few thousand rows, once per report. */
    for (size_t i = 1; i < m; i++)
        for (size_t j = i; j > 0 && opt_cmp(o, ord[j], ord[j - 1]) < 0; j--) {
            size_t t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    *n = m;
    return ord;
}

static const char *const opt_copy[] = {
    "tiers",  "shelves", "arrays",        "usable_GiB", "backend_iops_capacity",
    "watts",  "capex",   "opex_per_year", "total_cost", "eligible",
    "reason", "chosen"};

/* Table storage_options: rank, the configuration in words, the figures. */
static void
options_table(struct rpt_ctx *c, const struct ks_table *o)
{
    const char *cols[2 + NFIG(opt_copy)] = {"rank", "configuration"};
    for (size_t j = 0; j < NFIG(opt_copy); j++)
        cols[2 + j] = opt_copy[j];
    struct ks_table *t = rpt_ctx_table(c, "storage_options", cols, NFIG(cols));
    size_t n, *ord = primary_order(o, &n);
    for (size_t k = 0; k < n; k++) {
        size_t r = ks_table_add_row(t);
        char *cfg = config_text(o, ord[k]);
        ks_table_set_num(t, r, 0, (double)(k + 1));
        ks_table_set(t, r, 1, cfg);
        for (size_t j = 0; j < NFIG(opt_copy); j++)
            ks_table_set(t, r, (int)(2 + j), ks_table_str(o, ord[k], opt_copy[j]));
        free(cfg);
    }
    free(ord);
}

/* Numbers the options table sorts and shows (empty allowed: a rejected row may lack
 * a cost); other columns are text. */
static int
check_options(const struct ks_table *o, const char *path, struct ks_err *err)
{
    static const char *const num[] = {
        "drives",   "spares", "drives2",       "spares2",
        "shelves",  "arrays", "usable_GiB",    "backend_iops_capacity",
        "watts",    "capex",  "opex_per_year", "total_cost",
        "eligible", "chosen"};
    double v;
    for (size_t r = 0; r < o->nrows; r++)
        for (size_t j = 0; j < NFIG(num); j++)
            if (ks_table_col(o, num[j]) >= 0 &&
                ks_table_check_num(o, path, r, num[j], 1, &v, err) < 0)
                return -EINVAL;
    return 0;
}

/* ---- series and charts ------------------------------------------------------------- */

/* Columns of storage_series.csv, in file order. */
enum { S_TIME, S_RIOPS, S_WIOPS, S_RKIB, S_WKIB, S_NCOL };
static const char *const series_cols[S_NCOL + 1] = {"time",       "read_iops",   "write_iops",
                                                    "read_KiBps", "write_KiBps", NULL};

/* Columns as numbers (S_NCOL arrays of nrows, caller frees v[0]); every cell must be a
 * number (the planner writes no gaps: a missing window is 0). */
static int
series_values(const struct ks_table *t, const char *path, double **v, struct ks_err *err)
{
    size_t n = t->nrows;
    v[0] = ks_xmalloc((n ? n : 1) * S_NCOL * sizeof **v);
    for (int j = 1; j < S_NCOL; j++)
        v[j] = v[0] + (size_t)j * n;
    for (size_t r = 0; r < n; r++)
        for (int j = 0; j < S_NCOL; j++)
            if (ks_table_check_num(t, path, r, series_cols[j], 0, &v[j][r], err) < 0) {
                free(v[0]);
                return -EINVAL;
            }
    return 0;
}

/* For each window of `per` steps, the step where read + write peaks. */
static size_t
io_peaks(const struct rpt_storage_io *c, size_t per, size_t *at)
{
    size_t nb = 0;
    for (size_t k0 = 0; k0 < c->n; k0 += per, nb++) {
        size_t best = k0;
        for (size_t k = k0; k < k0 + per && k < c->n; k++)
            if (c->read[k] + c->write[k] > c->read[best] + c->write[best])
                best = k;
        at[nb] = best;
    }
    return nb;
}

char *
rpt_storage_gp_io(const struct rpt_storage_io *c)
{
    size_t per = (size_t)llround(rpt_chart_bucket_s(c->step_s, c->n) / c->step_s);
    size_t *at = ks_xmalloc((c->n ? c->n : 1) * sizeof *at);
    size_t np = io_peaks(c, per ? per : 1, at);
    double *t = ks_xmalloc((np ? np : 1) * sizeof *t),
           *v = ks_xmalloc((np ? np : 1) * 2 * sizeof *v);
    for (size_t p = 0; p < np; p++) {
        t[p] = c->t[at[p]];
        v[p] = c->read[at[p]] / c->scale;
        v[np + p] = c->write[at[p]] / c->scale;
    }
    static const char *const layers[] = {"read", "write"};
    struct rpt_stack st = {
        .name = c->name,
        .title = c->title,
        .ylabel = c->ylabel,
        .nlayers = 2,
        .npts = np,
        .layers = layers,
        .t = t,
        .v = v,
        .cap = c->peak,
        .limit = c->p95,
        .cap_label = c->peak_label,
        .limit_label = c->p95_label,
    };
    char *s = rpt_gp_stack(&st);
    free(at);
    free(t);
    free(v);
    return s;
}

char *
rpt_storage_gp_wan(double full_B, double incr_B, double dedup_B)
{
    static const char *const cats[] = {"full copy", "incremental", "source-side dedup"};
    static const char *const sers[] = {"GiB over the WAN per night"};
    double v[3] = {full_B / 1073741824.0, incr_B / 1073741824.0, dedup_B / 1073741824.0};
    double lo = fmin(v[0], fmin(v[1], v[2])), hi = fmax(v[0], fmax(v[1], v[2]));
    struct rpt_bars b = {
        .name = "storage_wan",
        .title = "Backup traffic over the WAN per night",
        .ylabel = "GiB per night",
        .ncat = 3,
        .nser = 1,
        .cats = cats,
        .sers = sers,
        .v = v,
        .hline = NAN,
        .logy = lo > 0 && hi / lo > 50,
    };
    return rpt_gp_bars(&b);
}

/* The IOPS and throughput charts of the series, lines from storage.csv. */
static void
series_charts(struct rpt_ctx *c, const struct ks_table *kv, double *const *v, size_t n)
{
    double step = rpt_kv_num(kv, "step_s");
    if (!(step > 0))
        step = n > 1 ? v[S_TIME][1] - v[S_TIME][0] : 1;
    char p95l[64], pkl[64];
    snprintf(p95l, sizeof p95l, "p%s of the sum",
             rpt_kv_str(kv, "percentile") ? rpt_kv_str(kv, "percentile") : "95");
    snprintf(pkl, sizeof pkl, "peak of the sum");
    struct rpt_storage_io io = {
        .name = "storage_iops",
        .title = "Summed disk IOPS of the estate",
        .ylabel = "IOPS",
        .n = n,
        .step_s = step,
        .scale = 1,
        .t = v[S_TIME],
        .read = v[S_RIOPS],
        .write = v[S_WIOPS],
        .p95 = rpt_kv_num(kv, "iops_p95"),
        .peak = rpt_kv_num(kv, "iops_peak"),
        .p95_label = p95l,
        .peak_label = pkl,
    };
    rpt_ctx_chart(c, io.name, rpt_storage_gp_io(&io));
    io.name = "storage_throughput", io.title = "Summed disk throughput of the estate";
    io.ylabel = "MiB/s", io.scale = 1024, io.read = v[S_RKIB], io.write = v[S_WKIB];
    io.p95 = rpt_kv_num(kv, "throughput_p95_MiBps");
    io.peak = rpt_kv_num(kv, "throughput_peak_MiBps");
    rpt_ctx_chart(c, io.name, rpt_storage_gp_io(&io));
}

/* ---- build ------------------------------------------------------------------------- */

/* PLAN/NAME into t; *present 0 (and t empty) when the file does not exist. */
static int
read_opt(const struct rpt_ctx *c, const char *name, const char *const *req, struct ks_table *t,
         int *present, char **path, struct ks_err *err)
{
    struct stat st;
    *path = ks_path_join(c->plan.dir, name);
    *present = stat(*path, &st) == 0;
    if (!*present) {
        ks_table_init(t, NULL, 0);
        return 0;
    }
    return ks_table_read_sheet(*path, req, t, err);
}

/* The WAN table: bytes per night as storage.csv has them, and the same in GiB. */
static void
wan_table(struct rpt_ctx *c, const struct ks_table *kv)
{
    static const char *const cols[] = {"transfer", "bytes", "GiB", "storage_key"};
    static const char *const rows[][2] = {
        {"full copy", "wan_bytes_full"},
        {"incremental (changed blocks)", "wan_bytes_incr"},
        {"source-side dedup (new blocks only)", "wan_bytes_dedup"}};
    struct ks_table *t = rpt_ctx_table(c, "storage_wan", cols, 4);
    for (size_t i = 0; i < 3; i++) {
        size_t r = ks_table_add_row(t);
        ks_table_set(t, r, 0, rows[i][0]);
        ks_table_set(t, r, 1, rpt_kv_str(kv, rows[i][1]));
        ks_table_set_num(t, r, 2, rpt_kv_num(kv, rows[i][1]) / 1073741824.0);
        ks_table_set(t, r, 3, rows[i][1]);
    }
    double full = rpt_kv_num(kv, "wan_bytes_full"), incr = rpt_kv_num(kv, "wan_bytes_incr");
    double dd = rpt_kv_num(kv, "wan_bytes_dedup");
    if (!isnan(full) && !isnan(incr) && !isnan(dd))
        rpt_ctx_chart(c, "storage_wan", rpt_storage_gp_wan(full, incr, dd));
}

/* storage.csv: the figure tables and the WAN chart. */
static int
build_figures(struct rpt_ctx *c, const struct ks_table *kv, const char *path, struct ks_err *err)
{
    static const struct {
        const char *name;
        const struct sto_fig *figs;
        size_t n;
    } groups[] = {
        {"storage_demand", demand_figs, NFIG(demand_figs)},
        {"storage_array", array_figs, NFIG(array_figs)},
        {"storage_capacity", capacity_figs, NFIG(capacity_figs)},
        {"storage_backup", backup_figs, NFIG(backup_figs)},
        {"storage_dr", dr_figs, NFIG(dr_figs)},
    };
    for (size_t g = 0; g < NFIG(groups); g++)
        if (check_figs(kv, path, groups[g].figs, groups[g].n, err) < 0)
            return -EINVAL;
    rpt_copy_table(c, "storage", kv);
    for (size_t g = 0; g < NFIG(groups); g++)
        fig_table(c, kv, groups[g].name, groups[g].figs, groups[g].n);
    wan_table(c, kv);
    return 0;
}

/* storage_series.csv (optional: a note replaces the charts) into the two charts. */
static int
build_series(struct rpt_ctx *c, const struct ks_table *kv, struct ks_err *err)
{
    struct ks_table t;
    char *path;
    int present, rc = read_opt(c, "storage_series.csv", series_cols, &t, &present, &path, err);
    double *v[S_NCOL];
    if (rc == 0 && present && (rc = series_values(&t, path, v, err)) == 0) {
        if (t.nrows)
            series_charts(c, kv, v, t.nrows);
        free(v[0]);
    }
    ks_table_fini(&t);
    free(path);
    return rc;
}

static int
build_options(struct rpt_ctx *c, struct ks_err *err)
{
    static const char *const req[] = {"drive",      "raid",     "shelf",  "controller",
                                      "total_cost", "eligible", "chosen", NULL};
    struct ks_table o;
    char *path;
    int present, rc = read_opt(c, "storage_options.csv", req, &o, &present, &path, err);
    if (rc == 0 && present && (rc = check_options(&o, path, err)) == 0)
        options_table(c, &o);
    ks_table_fini(&o);
    free(path);
    return rc;
}

/* Results of `kasane sim --plan PLAN --storage` (a load column): the latency check of
 * the chosen array, the columns a reader needs. */
static void
latency_table(struct rpt_ctx *c, const struct ks_table *sim)
{
    static const char *const want[] = {
        "load",       "workload",    "offered_per_s",   "throughput_per_s", "lat_p50_us",
        "lat_p99_us", "lat_p999_us", "device_util_pct", "keeps_up"};
    const char *cols[NFIG(want)];
    int src[NFIG(want)];
    size_t n = 0;
    for (size_t j = 0; j < NFIG(want); j++)
        if ((src[n] = ks_table_col(sim, want[j])) >= 0)
            cols[n++] = want[j];
    struct ks_table *t = rpt_ctx_table(c, "storage_latency", cols, n);
    for (size_t r = 0; r < sim->nrows; r++) {
        size_t o = ks_table_add_row(t);
        for (size_t j = 0; j < n; j++)
            ks_table_set(t, o, (int)j, ks_table_get(sim, r, src[j]));
    }
}

/* The latency check comes from --sim when those results have a load column, else from
 * PLAN/storage_sim.csv when it exists (`kasane sim --plan PLAN --storage -o
 * PLAN/storage_sim.csv`, so a report can show both the host and the storage check). */
static int
build_latency(struct rpt_ctx *c, struct ks_err *err)
{
    struct ks_table t;
    struct stat st;
    if (c->sim.ncols && ks_table_col(&c->sim, "load") >= 0) {
        latency_table(c, &c->sim);
        return 0;
    }
    char *path = ks_path_join(c->plan.dir, "storage_sim.csv");
    int rc = 0;
    if (stat(path, &st) == 0 && (rc = rpt_sim_read(path, &t, err)) == 0) {
        if (ks_table_col(&t, "load") < 0)
            rc = ks_errf(err, -EINVAL,
                         "%s:1: missing column 'load' (write it with kasane sim "
                         "--plan PLAN --storage)",
                         path);
        else
            latency_table(c, &t);
        ks_table_fini(&t);
    }
    free(path);
    return rc;
}

/* Nothing at all without storage.csv: the html step then says the plan has none. */
int
rpt_storage_build(struct rpt_ctx *c, struct ks_err *err)
{
    static const char *const req[] = {"key", "value", NULL};
    struct ks_table kv;
    char *path;
    int present, rc = read_opt(c, "storage.csv", req, &kv, &present, &path, err);
    if (rc == 0 && present)
        rc = build_figures(c, &kv, path, err);
    if (rc == 0 && present)
        rc = build_series(c, &kv, err);
    if (rc == 0 && present)
        rc = build_options(c, err);
    if (rc == 0 && present)
        rc = build_latency(c, err);
    ks_table_fini(&kv);
    free(path);
    return rc;
}
