/* The plan: per-host stacked CPU against capacity, recomputed from the dataset, and the
 * comparison with peak sizing (sum of the servers' peaks). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_chart.h"
#include "report/rpt_host_charts.h"
#include "report/rpt_html.h"
#include "report/rpt_risk.h"
#include "report/rpt_sections.h"
#include "report/rpt_util.h"

#define CHECK_TOL_PCT 1.0 /* plan and recomputed peak may differ by rounding only */

/* v as a percentage of cap, one decimal (as hosts.csv has it); NaN when unknown. */
static double
pct_of(double v, double cap)
{
    return cap > 0 && !isnan(v) ? round(v / cap * 1000) / 10 : NAN;
}

/* One row of tables/hosts.csv: the planner's figures beside the recomputed ones. */
static void
host_row(struct rpt_ctx *c, struct ks_table *t, size_t h)
{
    const struct ks_table *ph = &c->plan.hosts;
    const struct rpt_estate *e = &c->est;
    double cap = ks_table_num(ph, h, "cpu_capacity_MHz");
    double mcap = ks_table_num(ph, h, "mem_capacity_MiB");
    double peak = e->has_series ? pct_of(e->host_peak_mhz[h], cap) : NAN;
    double plan_peak = ks_table_num(ph, h, "cpu_peak_pct");
    size_t r = ks_table_add_row(t);
    static const char *const copy[] = {"host", "host_model", "sockets", "cores"};
    for (int j = 0; j < 4; j++)
        ks_table_set(t, r, j, ks_table_str(ph, h, copy[j]));
    ks_table_set_num(t, r, 4, (double)e->host_nvm[h]);
    ks_table_set(t, r, 5, ks_table_str(ph, h, "ha_spare"));
    ks_table_set_num(t, r, 6, cap);
    ks_table_set_num(t, r, 7, plan_peak);
    ks_table_set_num(t, r, 8, peak);
    ks_table_set_num(t, r, 9, e->has_series ? pct_of(e->host_sum_peaks_mhz[h], cap) : NAN);
    ks_table_set_num(t, r, 10, mcap);
    ks_table_set_num(t, r, 11, ks_table_num(ph, h, "mem_peak_pct"));
    ks_table_set_num(t, r, 12, e->has_series ? pct_of(e->host_peak_mem_MiB[h], mcap) : NAN);
    int differs = !isnan(peak) && !isnan(plan_peak) && fabs(peak - plan_peak) > CHECK_TOL_PCT;
    ks_table_set(t, r, 13, isnan(peak) || isnan(plan_peak) ? "n/a" : differs ? "differs" : "ok");
}

/* Too many hosts to label: order them by the first series, highest first, so the
 * chart reads as a profile (insertion sort: a plan has hundreds of hosts at most). */
static void
sort_bars(const char **cats, double *v, size_t n)
{
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && v[b] > v[b - 1]; b--) {
            const char *tc = cats[b];
            double t0 = v[b], t1 = v[n + b];
            cats[b] = cats[b - 1];
            v[b] = v[b - 1];
            v[n + b] = v[n + b - 1];
            cats[b - 1] = tc;
            v[b - 1] = t0;
            v[n + b - 1] = t1;
        }
}

/* Hosts without VMs (HA spares) are left out: two zero bars say nothing. */
static void
peak_sizing_chart(struct rpt_ctx *c, const struct ks_table *ht)
{
    size_t n = 0, nh = ht->nrows;
    const char **cats = ks_xmalloc((nh ? nh : 1) * sizeof *cats);
    double *v = ks_xmalloc(2 * (nh ? nh : 1) * sizeof *v);
    for (size_t h = 0; h < nh; h++) {
        if (c->est.host_nvm[h] == 0)
            continue;
        cats[n] = ks_table_get(ht, h, 0);
        v[n] = ks_table_num(ht, h, "cpu_peak_pct_report");
        v[nh + n++] = ks_table_num(ht, h, "cpu_sum_of_peaks_pct");
    }
    memmove(v + n, v + nh, n * sizeof *v); /* series back to back: n values each */
    if (n > RPT_BARS_LABELLED)
        sort_bars(cats, v, n);
    char many[80];
    snprintf(many, sizeof many, "%zu hosts, highest peak of the sum first", n);
    static const char *const sers[] = {"peak of the sum (this plan)", "sum of the peaks (peak sizing)"};
    struct rpt_bars b = {
        .name = "peak_sizing", .title = "Time-aware sizing against peak sizing, per host",
        .ylabel = "CPU, % of usable capacity", .ncat = n, .nser = 2, .cats = cats, .sers = sers,
        .v = v, .hline = 100, .hline_label = "usable capacity", .xlabel_many = many,
    };
    if (n)
        rpt_ctx_chart(c, b.name, rpt_gp_bars(&b));
    free(cats);
    free(v);
}

int
rpt_plan_sec_build(struct rpt_ctx *c, struct ks_err *err)
{
    static const char *const cols[] = {
        "host", "host_model", "sockets", "cores", "vms", "ha_spare", "cpu_capacity_MHz",
        "cpu_peak_pct_plan", "cpu_peak_pct_report", "cpu_sum_of_peaks_pct", "mem_capacity_MiB",
        "mem_peak_pct_plan", "mem_peak_pct_report", "check"};
    (void)err;
    struct ks_table *t = rpt_ctx_table(c, "hosts", cols, 14);
    for (size_t h = 0; h < c->plan.hosts.nrows; h++)
        host_row(c, t, h);
    if (!c->est.has_series)
        return 0;
    peak_sizing_chart(c, t); /* the host charts come later: rpt_host_charts_build */
    return 0;
}

/* Every row counts the HA spares; peak sizing leaves the placement rules out, so with
 * rules the time-aware plan without them stands beside it (same footing). */
static const char sizing_head[] =
    "<h3>Hosts needed</h3>\n<table>\n<thead><tr><th>sizing (HA spares included)</th>"
    "<th>hosts</th></tr></thead>\n<tbody>\n<tr class=\"chosen\"><td>time-aware (this plan)"
    "</td><td class=\"n\">{hosts:0}</td></tr>\n";
static const char sizing_norules[] =
    "<tr><td>time-aware, without the placement rules</td><td class=\"n\">"
    "{hosts_without_rules:0}</td></tr>\n";
static const char sizing_peak[] = "<tr><td>peak sizing ({peak_sizing_basis}";
static const char sizing_tail[] =
    ")</td><td class=\"n\">{peak_sizing_hosts:0}</td></tr>\n<tr><td>lower bound (without "
    "spares)</td><td class=\"n\">{lower_bound_hosts:0}</td></tr>\n</tbody>\n</table>\n"
    "<p>Peak sizing adds up each server's peak as if all peaks came at once; the plan adds "
    "up the series step by step, so peaks that never coincide share capacity. The bars show "
    "both for the hosts of this plan, recomputed from the dataset.</p>\n";

static void
sizing_compare(const struct rpt_ctx *c, FILE *f)
{
    int rules = !isnan(rpt_sum_num(c, "hosts_without_rules"));
    rpt_html_fill(f, c, sizing_head);
    if (rules)
        rpt_html_fill(f, c, sizing_norules);
    rpt_html_fill(f, c, sizing_peak);
    fputs(rules ? ", without the rules" : "", f);
    rpt_html_fill(f, c, sizing_tail);
}

/* Says when the planner and the report disagree, instead of hiding it in a column. */
static void
check_note(const struct rpt_ctx *c, const struct ks_table *t, FILE *f)
{
    size_t bad = 0;
    for (size_t r = 0; r < t->nrows; r++)
        bad += strcmp(ks_table_str(t, r, "check"), "differs") == 0;
    if (bad) {
        char msg[256];
        snprintf(msg, sizeof msg, "%zu host(s) have a recomputed CPU peak more than %.0f "
                 "points away from the plan's hosts.csv: the planner may scale demand (e.g. "
                 "per-core speed) or the plan is stale.", bad, CHECK_TOL_PCT);
        rpt_html_note(f, msg);
    }
    (void)c;
}

void
rpt_plan_sec_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *t = rpt_ctx_find(c, "hosts");
    fputs("<p>Each host's load is recomputed here from the dataset and placement.csv "
          "(column <em>report</em>) and set beside the planner's own figure (<em>plan</em>)", f);
    if (c->est.windowed) {
        fputs(", over the data the plan was made from: the backtest's training window ", f);
        rpt_html_esc(f, rpt_sum_str(c, "risk_train"));
        fputs(". Section Risk replays the data that came after it on this placement", f);
    } else if (rpt_plan_on_all(&c->plan.summary)) {
        fputs(", over the data the plan of record was made from: the whole grid, ", f);
        rpt_plan_window_html(c, f);
        fputs(". Section Risk backtests the method on a plan made from the training window "
              "only, not on this placement", f);
    }
    if (c->est.demand_scale != 1)
        fprintf(f, ", with every placed server's demand multiplied by %.3g as the plan grew it "
                   "(<code>--growth</code> over the horizon)",
                c->est.demand_scale);
    fputs(".</p>\n", f);
    if (c->est.has_series) {
        fputs("<div class=\"grid2\"><div>\n", f);
        rpt_html_chart(f, c, "peak_sizing", "Peak of the sum against the sum of the peaks, per host");
        fputs("</div><div>\n", f);
        sizing_compare(c, f);
        fputs("</div></div>\n", f);
    } else {
        sizing_compare(c, f);
    }
    fputs("<h3>Hosts</h3>\n", f);
    rpt_html_table(f, t, "hosts", rpt_small_estate(c) ? 0 : RPT_LARGE_ROWS);
    check_note(c, t, f);
    if (!c->est.has_series)
        return;
    fputs("<h3>CPU demand per host over time</h3>\n<p>Stacked busy GHz of the VMs on each "
          "host (each point is the step where the host's sum peaks within its window), "
          "against the usable capacity and the planning limit.</p>\n",
          f);
    rpt_host_charts_html(c, f);
}
