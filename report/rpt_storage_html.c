/*
 * Storage, backup and DR: the page (rpt_storage.h). Every number in the prose and the
 * cards is storage.csv's own text, tagged <span class="num" data-key=KEY data-value=RAW>
 * like the executive summary's (there KEY is a summary.csv key, here a storage.csv key),
 * so a checker can compare the page with the plan.
 */
#include <string.h>

#include "report/rpt_html.h"
#include "report/rpt_storage.h"
#include "report/rpt_util.h"

/* rpt_html_fill with storage.csv in place of summary.csv: the template helpers read
 * plan.summary only, so a shallow copy of the context with that one table swapped
 * reuses them unchanged (nothing in the copy is freed or modified). */
static void
sto_fill(FILE *f, const struct rpt_ctx *c, const struct ks_table *kv, const char *tmpl)
{
    struct rpt_ctx s = *c;
    s.plan.summary = *kv;
    rpt_html_fill(f, &s, tmpl);
}

static const char cards[] =
    "<div class=\"cards\">\n"
    "<div class=\"card\"><div class=\"label\">Summed IOPS, p{percentile} / peak</div>"
    "<div class=\"value\">{iops_p95:0} / {iops_peak:0}</div><div class=\"detail\">"
    "{read_pct:0}% reads; the array is sized for {frontend_iops_needed:0}</div></div>\n"
    "<div class=\"card\"><div class=\"label\">Array, total cost</div>"
    "<div class=\"value\">{total_cost_storage:0}</div><div class=\"detail\">capex "
    "{capex_storage:0}, then {opex_storage_per_year:0} a year</div></div>\n"
    "<div class=\"card\"><div class=\"label\">Usable capacity</div>"
    "<div class=\"value\">{usable_GiB:0} GiB</div><div class=\"detail\">"
    "{capacity_needed_GiB:0} GiB needed in {years:0} years</div></div>\n"
    "<div class=\"card\"><div class=\"label\">Backup store</div>"
    "<div class=\"value\">{backup_GiB:0} GiB</div><div class=\"detail\">full night "
    "{backup_window_h:1} h at {backup_MBps:0} MB/s</div></div>\n"
    "<div class=\"card\"><div class=\"label\">Replication for the RPO</div>"
    "<div class=\"value\">{dr_bandwidth_Mbps:0} Mbit/s</div><div class=\"detail\">RPO "
    "{rpo_min:0} min</div></div>\n"
    "<div class=\"card\"><div class=\"label\">DR site capex</div>"
    "<div class=\"value\">{dr_capex:0}</div><div class=\"detail\">{dr_hosts:0} hosts and "
    "a second array</div></div>\n"
    "</div>\n";

static const char demand_prose[] =
    "<p>The disk I/O of the {entities:0} servers on the shared array is summed at every "
    "{step_s:0}-second step ({iops_basis}), then reduced: p{percentile} of the sum "
    "{iops_p95:0} IOPS, peak {iops_peak:0} IOPS, {read_pct:1}% reads, throughput "
    "{throughput_p95_MiBps:1} MiB/s at p{percentile} and {throughput_peak_MiBps:1} MiB/s at "
    "the peak. With {headroom_pct:0}% headroom ({sizing_basis}) the array must take "
    "{frontend_iops_needed:0} front-end IOPS and {frontend_MBps_needed:0} MB/s.</p>\n";

static const char array_prose[] =
    "<p>Chosen: <strong>{array_config}</strong>, {usable_GiB:0} GiB usable, capex "
    "{capex_storage:0}, {total_cost_storage:0} over {years:0} years with power.</p>\n";

/* Runner-ups exist only when the catalog offers more than one eligible configuration. */
static const char runner_up_1[] =
    "<p>Runner-ups: {runner_up_1} ({runner_up_1_total_cost:0} over the horizon)";
static const char runner_up_2[] = "; {runner_up_2} ({runner_up_2_total_cost:0})";

static const char capacity_prose[] =
    "<p>The servers use {used_GiB:0} GiB today ({provisioned_GiB:0} GiB provisioned; "
    "{capacity_basis}). Grown {growth_pct_per_year:0}% a year over {years:0} years with "
    "{capacity_headroom_pct:0}% of the pools kept free, that is {capacity_needed_GiB:0} "
    "GiB; the chosen array has {usable_GiB:0} GiB usable.</p>\n";

static const char backup_prose[] =
    "<p>Backups are sized like the array, for the data at the end of the horizon (grown "
    "{growth_pct_per_year:0}% a year for {years:0} years). {daily_change_GiB:0} GiB change "
    "a day then ({change_basis}, grown alike). {retention_days:0} restore "
    "points with a full every {full_every_days:0} days hold {backup_logical_GiB:0} GiB, "
    "{backup_GiB:0} GiB after {dedup_ratio:1}:1 dedup. At {backup_MBps:0} MB/s a full "
    "night takes {backup_window_h:1} h and an incremental one {backup_window_incr_h:1} h.</p>\n";

/* The WAN bytes in GiB from the storage_wan table (bytes, as in storage.csv, beside). */
static void
wan_prose(FILE *f, const struct rpt_ctx *c)
{
    const struct ks_table *t = rpt_ctx_find(c, "storage_wan");
    char a[RPT_NUMBUF], b[RPT_NUMBUF], d[RPT_NUMBUF];
    if (!t || t->nrows != 3)
        return;
    fprintf(f,
            "<p>Over the WAN per night a full copy sends %s GiB, an incremental one %s GiB, "
            "and source-side dedup (only new blocks leave the host) %s GiB.</p>\n",
            rpt_fmt_group(a, ks_table_num(t, 0, "GiB"), 0),
            rpt_fmt_group(b, ks_table_num(t, 1, "GiB"), 0),
            rpt_fmt_group(d, ks_table_num(t, 2, "GiB"), 0));
}

static const char dr_prose[] =
    "<p>To keep an asynchronous replica within an RPO of {rpo_min:0} minutes the link must "
    "carry the largest mean write rate over any {rpo_window_s:0}-second window: "
    "{dr_write_KiBps:0} KiB/s, i.e. <strong>{dr_bandwidth_Mbps:0} Mbit/s</strong> (no "
    "protocol overhead added). The DR site carries {dr_load_pct:0}% of the I/O on "
    "<strong>{dr_array_config}</strong> (capex {dr_capex_storage:0}) and {dr_hosts:0} "
    "hosts ({dr_host_pct:0}% of the primary, {dr_capex_hosts:0}): {dr_capex:0} in "
    "all.</p>\n";

/* A figure table under its heading (tables built by rpt_storage_build). */
static void
fig_block(FILE *f, const struct rpt_ctx *c, const char *name)
{
    const struct ks_table *t = rpt_ctx_find(c, name);
    if (t)
        rpt_html_table(f, t, name, 0);
}

/* A full backup that cannot finish in one night is a finding, not a figure: say so.
 * A night here is 8 hours (an assumption of this note only, not of the sizing). */
static void
backup_window_note(FILE *f, const struct ks_table *kv)
{
    double h = rpt_kv_num(kv, "backup_window_h"), mbps = rpt_kv_num(kv, "backup_MBps");
    if (!(h > 8) || !(mbps > 0))
        return;
    char msg[400];
    snprintf(msg, sizeof msg,
             "A full backup of the data at the horizon takes %.1f h at %.0f MB/s: it does not "
             "fit an 8-hour night. It "
             "needs about %.0f MB/s (--storage backup_MBps=N), or synthetic fulls built on "
             "the backup store from the incrementals, or fulls spread over the week.",
             h, mbps, mbps * h / 8);
    rpt_html_note(f, msg);
}

/* Warnings a reader must not miss: the bases the planner had to assume. */
static void
basis_notes(FILE *f, const struct ks_table *kv)
{
    const char *ib = rpt_kv_str(kv, "iops_basis"), *cb = rpt_kv_str(kv, "capacity_basis");
    if (ib && strncmp(ib, "none", 4) == 0)
        rpt_html_note(f, "The dataset has no disk I/O series: the array is sized on capacity "
                         "alone (storage.csv iops_basis).");
    else if (ib && strncmp(ib, "estimated", 9) == 0)
        rpt_html_note(f, "The dataset has disk KiB/s but no I/O counts: IOPS are estimated "
                         "from the throughput (storage.csv iops_basis).");
    if (cb && strstr(cb, "assumed"))
        rpt_html_note(f, "Some servers have no capacity in the inventory and an assumed size "
                         "per disk stands in (storage.csv capacity_basis): give "
                         "disk_used_GiB and disk_provisioned_GiB.");
}

/* Eligible and rejected counts, then the cheapest eligible configurations. */
static void
options_block(FILE *f, const struct rpt_ctx *c)
{
    const struct ks_table *o = rpt_ctx_find(c, "storage_options");
    if (!o) {
        rpt_html_note(f, "The plan directory has no storage_options.csv.");
        return;
    }
    size_t ok = 0;
    for (size_t r = 0; r < o->nrows; r++)
        ok += ks_table_num(o, r, "eligible") == 1;
    fprintf(f,
            "<p>%zu configurations evaluated for the primary site, %zu of them eligible; "
            "the cheapest eligible below (the chosen one highlighted), every one with the "
            "reason a rejected one fails in <code>tables/storage_options.csv</code>.</p>\n",
            o->nrows, ok);
    rpt_html_table(f, o, "storage_options", ok < 5 ? (ok ? ok : 1) : 5);
}

/* Was a chart registered by the build step (drawn or not)? */
static int
has_chart(const struct rpt_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->ncharts; i++)
        if (strcmp(c->charts[i].name, name) == 0)
            return 1;
    return 0;
}

static void
series_block(FILE *f, const struct rpt_ctx *c)
{
    if (!has_chart(c, "storage_iops")) {
        rpt_html_note(f, "The plan directory has no storage_series.csv (or it is empty): "
                         "no chart of the summed series.");
        return;
    }
    fputs("<div class=\"hosts\">\n", f);
    rpt_html_chart(f, c, "storage_iops", "Summed read and write IOPS over time");
    rpt_html_chart(f, c, "storage_throughput", "Summed read and write MiB/s over time");
    fputs("</div>\n", f);
}

/* The latency check: `kasane sim --storage` results, or how to get them. */
static void
latency_block(FILE *f, const struct rpt_ctx *c)
{
    const struct ks_table *t = rpt_ctx_find(c, "storage_latency");
    fputs("<h3>Latency check of the chosen array</h3>\n", f);
    if (!t) {
        rpt_html_note(f, "No storage latency check was given: run kasane sim --plan PLAN_DIR "
                         "--storage -o PLAN_DIR/storage_sim.csv (or pass its results with "
                         "--sim) to see the array's latency at p95 and at peak load.");
        return;
    }
    int from_sim = c->sim.ncols && ks_table_col(&c->sim, "load") >= 0;
    fputs("<p>The chosen array's I/O tier simulated at the sizing percentile and at the peak "
          "(<code>kasane sim --storage</code>, ",
          f);
    if (from_sim)
        rpt_html_esc(f, c->o->sim_path);
    else
        fputs("storage_sim.csv of the plan directory", f);
    fputs("): latency in microseconds; keeps_up says whether completions kept pace with "
          "arrivals.</p>\n",
          f);
    rpt_html_table(f, t, "storage_latency", 0);
}

void
rpt_storage_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *kv = rpt_ctx_find(c, "storage");
    if (!kv) {
        rpt_html_note(f, "This plan has no storage sizing (no storage.csv in the plan "
                         "directory).");
        return;
    }
    sto_fill(f, c, kv, cards);
    basis_notes(f, kv);
    fputs("<h3>Demand: the summed series</h3>\n", f);
    sto_fill(f, c, kv, demand_prose);
    series_block(f, c);
    fig_block(f, c, "storage_demand");
    fputs("<h3>The array</h3>\n", f);
    sto_fill(f, c, kv, array_prose);
    if (rpt_kv_str(kv, "runner_up_1")) {
        sto_fill(f, c, kv, runner_up_1);
        if (rpt_kv_str(kv, "runner_up_2"))
            sto_fill(f, c, kv, runner_up_2);
        fputs(".</p>\n", f);
    }
    fig_block(f, c, "storage_array");
    options_block(f, c);
    latency_block(f, c);
    fputs("<h3>Capacity</h3>\n", f);
    sto_fill(f, c, kv, capacity_prose);
    fig_block(f, c, "storage_capacity");
    fputs("<h3>Backup</h3>\n", f);
    sto_fill(f, c, kv, backup_prose);
    backup_window_note(f, kv);
    wan_prose(f, c);
    rpt_html_chart(f, c, "storage_wan",
                   "Bytes over the WAN per night: full copy, "
                   "incremental, source-side dedup");
    fig_block(f, c, "storage_backup");
    fputs("<h3>Disaster recovery</h3>\n", f);
    sto_fill(f, c, kv, dr_prose);
    if (!rpt_kv_str(kv, "dr_capex"))
        rpt_html_note(f, "The DR site's hosts were not priced (storage.csv dr_capex is "
                         "empty): only the DR array's capex is known.");
    fig_block(f, c, "storage_dr");
}
