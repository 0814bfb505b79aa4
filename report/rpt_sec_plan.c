/* The plan: per-host stacked CPU against capacity, recomputed from the dataset, and the
 * comparison with peak sizing (sum of the servers' peaks). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_chart.h"
#include "report/rpt_html.h"
#include "report/rpt_risk.h"
#include "report/rpt_sections.h"
#include "report/rpt_util.h"

#define MAX_HOST_CHARTS 24 /* beyond this the page gets long; every host is in hosts.csv */
#define MAX_LAYERS 7       /* VMs drawn one by one; the rest are one "other VMs" layer */
#define CHECK_TOL_PCT 1.0  /* plan and recomputed peak may differ by rounding only */

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

/* Layers of host h: its VMs by mean demand, busiest first; returns how many. */
static size_t
host_vms(const struct rpt_ctx *c, size_t h, size_t *vm)
{
    size_t n = 0;
    for (size_t i = 0; i < c->est.nent; i++)
        if (c->ent_host[i] == (long)h)
            vm[n++] = i;
    for (size_t a = 1; a < n; a++) /* insertion sort: a host carries tens of VMs */
        for (size_t b = a; b > 0 && c->est.st[vm[b]].mhz_mean > c->est.st[vm[b - 1]].mhz_mean; b--) {
            size_t t = vm[b];
            vm[b] = vm[b - 1];
            vm[b - 1] = t;
        }
    return n;
}

/* For each bucket, the step where the host's sum peaks, so the stacked layers drawn
 * at that step add up to the bucket's true maximum (an hourly max per VM would not). */
static size_t
bucket_peaks(const struct rpt_estate *e, size_t h, size_t per, size_t *at)
{
    size_t n = e->g.nsteps, nb = 0;
    const double *s = e->host_mhz + h * n;
    for (size_t k0 = e->k0; k0 < e->k1; k0 += per, nb++) {
        size_t best = k0;
        for (size_t k = k0; k < k0 + per && k < e->k1; k++)
            if (s[k] > s[best])
                best = k;
        at[nb] = best;
    }
    return nb;
}

/* Layer j is VM j for the busiest MAX_LAYERS; all others add into the last layer,
 * whose name (other, 64 bytes) then says how many VMs it holds. Values are GHz at the
 * bucket's peak step, so the top of the stack is the host's true peak of the window. */
static void
stack_layers(const struct rpt_ctx *c, const size_t *vm, size_t nvm, const size_t *at,
             size_t npts, size_t nl, double *v, const char **names, char *other)
{
    size_t n = c->est.g.nsteps;
    for (size_t j = 0; j < nvm; j++) {
        size_t l = j < nl ? j : nl - 1;
        names[l] = ks_dataset_entity(c->ds, vm[j]);
        for (size_t p = 0; p < npts; p++) {
            double x = c->est.mhz[vm[j] * n + at[p]];
            v[l * npts + p] += isnan(x) ? 0 : x / 1000;
        }
    }
    if (nvm > nl) {
        snprintf(other, 64, "%zu other VMs", nvm - nl + 1);
        names[nl - 1] = other;
    }
}

/* Stacked chart of host h. vm and at are scratch arrays (nent and nsteps entries)
 * reused across hosts. */
static void
host_chart(struct rpt_ctx *c, size_t h, size_t *vm, size_t *at)
{
    const struct rpt_estate *e = &c->est;
    const struct ks_table *ph = &c->plan.hosts;
    size_t nvm = host_vms(c, h, vm);
    /* A large estate's page holds 24 of these inline: at most ~125 points each (4 h over
     * two weeks) keeps them to ~25 KB of SVG apiece; the window peaks stay exact. */
    size_t maxcols = rpt_small_estate(c) ? 500 : 125;
    size_t per = (size_t)llround(rpt_chart_bucket_cols(e->g.step_s, e->k1 - e->k0, maxcols) /
                                 e->g.step_s);
    size_t npts = bucket_peaks(e, h, per ? per : 1, at);
    size_t nl = nvm > MAX_LAYERS + 1 ? MAX_LAYERS + 1 : nvm;
    double *v = ks_xcalloc((nl ? nl : 1) * npts, sizeof *v), *t = ks_xmalloc(npts * sizeof *t);
    const char **names = ks_xmalloc((nl ? nl : 1) * sizeof *names);
    char other[64], title[200], name[80];
    for (size_t p = 0; p < npts; p++)
        t[p] = e->g.t0 + (double)at[p] * e->g.step_s;
    stack_layers(c, vm, nvm, at, npts, nl, v, names, other);
    const char *hn = ks_table_str(ph, h, "host");
    double cap = ks_table_num(ph, h, "cpu_capacity_MHz") / 1000;
    /* The planning limit: what the policy lets the plan fill, capacity less headroom. */
    double head = rpt_sum_num(c, "headroom_pct");
    snprintf(name, sizeof name, "host_%zu", h + 1);
    snprintf(title, sizeof title, "%s (%s, %zu VMs): CPU demand, peak %.0f%% of capacity",
             hn ? hn : name, ks_table_str(ph, h, "host_model") ? ks_table_str(ph, h, "host_model") : "?",
             nvm, e->host_peak_mhz[h] / (cap * 1000) * 100);
    char limit_label[64];
    snprintf(limit_label, sizeof limit_label, "planning limit (%.0f%% headroom)", head);
    struct rpt_stack st = {
        .name = name, .title = title, .ylabel = "CPU demand (GHz)", .nlayers = nl,
        .npts = npts, .layers = names, .t = t, .v = v, .cap = cap,
        .limit = head > 0 ? cap * (1 - head / 100) : NAN,
        .cap_label = "usable capacity", .limit_label = limit_label,
    };
    rpt_ctx_chart(c, name, rpt_gp_stack(&st));
    free(v);
    free(t);
    free(names);
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

/* Hosts that get a chart: every host with VMs when there are at most MAX_HOST_CHARTS,
 * else the MAX_HOST_CHARTS with the highest recomputed CPU peak (the ones a reader
 * checks first); drawn in host order. sel gets host indices; returns how many. */
static size_t
chart_hosts(const struct rpt_ctx *c, size_t *sel)
{
    const struct rpt_estate *e = &c->est;
    size_t n = 0, nh = c->plan.hosts.nrows;
    double *load = ks_xmalloc((nh ? nh : 1) * sizeof *load);
    for (size_t h = 0; h < nh; h++)
        load[h] = e->host_peak_mhz[h] / ks_table_num(&c->plan.hosts, h, "cpu_capacity_MHz");
    for (size_t h = 0; h < nh; h++) {
        if (!e->host_nvm[h])
            continue;
        if (n < MAX_HOST_CHARTS) {
            sel[n++] = h;
            continue;
        }
        size_t low = 0; /* the least loaded chosen host gives way to a busier one */
        for (size_t k = 1; k < n; k++)
            low = load[sel[k]] < load[sel[low]] ? k : low;
        if (load[h] > load[sel[low]])
            sel[low] = h;
    }
    free(load);
    for (size_t a = 1; a < n; a++) /* back to host order */
        for (size_t b = a; b > 0 && sel[b] < sel[b - 1]; b--) {
            size_t t = sel[b];
            sel[b] = sel[b - 1];
            sel[b - 1] = t;
        }
    return n;
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
    peak_sizing_chart(c, t);
    size_t *vm = ks_xmalloc((c->est.nent ? c->est.nent : 1) * sizeof *vm);
    size_t *at = ks_xmalloc((c->est.g.nsteps ? c->est.g.nsteps : 1) * sizeof *at);
    size_t sel[MAX_HOST_CHARTS], nsel = chart_hosts(c, sel);
    for (size_t k = 0; k < nsel; k++)
        host_chart(c, sel[k], vm, at);
    free(vm);
    free(at);
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
          "against the usable capacity and the planning limit.</p>\n<div class=\"hosts\">\n", f);
    for (size_t i = 0; i < c->ncharts; i++)
        if (strncmp(c->charts[i].name, "host_", 5) == 0)
            rpt_html_chart(f, c, c->charts[i].name, "Stacked CPU demand of one host");
    fputs("</div>\n", f);
    size_t withvm = 0;
    for (size_t h = 0; h < c->est.nhost; h++)
        withvm += c->est.host_nvm[h] > 0;
    if (withvm > MAX_HOST_CHARTS)
        fprintf(f, "<p class=\"more\">Charts for the %d of %zu hosts with the highest CPU "
                   "peak (in host order); every host is in <a href=\"tables/hosts.csv\">"
                   "<code>tables/hosts.csv</code></a>.</p>\n", MAX_HOST_CHARTS, withvm);
}
