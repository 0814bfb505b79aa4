/*
 * Cost over the horizon: the status quo against the consolidation, line by line and
 * year by year, from the plan's tco.csv (model/mdl_cost.h). The report shows the
 * planner's figures and adds them up; it does not re-price anything. A plan directory
 * written before tco.csv existed falls back to capex + opex_per_year x year against
 * status_quo_opex_per_year x year, as summary.csv states them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/mdl_cost.h"
#include "report/rpt_chart.h"
#include "report/rpt_html.h"
#include "report/rpt_sections.h"
#include "report/rpt_util.h"

#define NLINES 6
/* tco.csv's line columns, and what a reader calls them. */
static const char *const LINES[NLINES] = {"power",    "support", "hardware",
                                          "licences", "rack",    "admin"};
static const char *const LABELS[NLINES] = {"Power and cooling",
                                           "Hardware support contracts",
                                           "Hardware: refresh / purchase",
                                           "Licences and subscriptions",
                                           "Rack space",
                                           "Admin work and migration"};

/* Cumulative cost at the end of years 0..n-1, each side. */
struct curves {
    size_t n;
    double *sq, *plan;
    double line_sq[NLINES], line_plan[NLINES]; /* each line over the horizon */
};

static void
curves_fini(struct curves *k)
{
    free(k->sq);
    free(k->plan);
}

/* tco.csv of the plan: 1 when absent (an older plan), 0 read, negative on a bad file. */
static int
read_tco(const struct rpt_ctx *c, struct ks_table *t, struct ks_err *err)
{
    static const char *const req[] = {"year",     "side", "power", "support",    "hardware",
                                      "licences", "rack", "admin", "cumulative", NULL};
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/tco.csv", c->plan.dir);
    if (stat(path, &st) != 0)
        return 1;
    return ks_table_read_sheet(path, req, t, err);
}

/* Rows must be the status quo's years 0..n-1, then the consolidation's: the order the
 * planner writes. Anything else names the line. */
static int
tco_curves(const struct rpt_ctx *c, const struct ks_table *t, struct curves *k, struct ks_err *err)
{
    memset(k, 0, sizeof *k);
    k->n = t->nrows / 2;
    if (k->n == 0 || t->nrows % 2)
        return ks_errf(err, -EINVAL, "%s/tco.csv: %zu rows: want years 0..N of both sides",
                       c->plan.dir, t->nrows);
    k->sq = ks_xcalloc(k->n, sizeof *k->sq);
    k->plan = ks_xcalloc(k->n, sizeof *k->plan);
    for (size_t r = 0; r < t->nrows; r++) {
        int plan = r >= k->n;
        size_t y = plan ? r - k->n : r;
        const char *side = ks_table_str(t, r, "side");
        double cum = ks_table_num(t, r, "cumulative");
        if (ks_table_num(t, r, "year") != (double)y || !side ||
            strcmp(side, plan ? "consolidated" : "status_quo") != 0 || isnan(cum))
            return ks_errf(err, -EINVAL,
                           "%s/tco.csv:%zu: want year %zu of %s with a "
                           "cumulative cost",
                           c->plan.dir, r + 2, y, plan ? "consolidated" : "status_quo");
        (plan ? k->plan : k->sq)[y] = cum;
        for (int l = 0; l < NLINES; l++) {
            double v = ks_table_num(t, r, LINES[l]);
            (plan ? k->line_plan : k->line_sq)[l] += isnan(v) ? 0 : v;
        }
    }
    return 0;
}

/* An older plan: straight lines from summary.csv. 1 when it lacks the figures. */
static int
summary_curves(const struct rpt_ctx *c, struct curves *k)
{
    double years = rpt_sum_num(c, "years"), capex = rpt_sum_num(c, "capex");
    double opex = rpt_sum_num(c, "opex_per_year"), sq = rpt_sum_num(c, "status_quo_opex_per_year");
    memset(k, 0, sizeof *k);
    if (!(years >= 1) || years > 100 || isnan(capex) || isnan(opex) || isnan(sq))
        return 1;
    k->n = (size_t)years + 1;
    k->sq = ks_xmalloc(k->n * sizeof *k->sq);
    k->plan = ks_xmalloc(k->n * sizeof *k->plan);
    for (size_t y = 0; y < k->n; y++) {
        k->sq[y] = sq * (double)y;
        k->plan[y] = capex + opex * (double)y;
    }
    return 0;
}

/* Money axes in thousands or millions: "1.2e+06" tick labels read badly and gnuplot
 * has no portable thousands separator. The CSV tables keep full values. */
static double
money_scale(double top, char *label, size_t n, const char *what)
{
    double scale = top >= 1e6 ? 1e6 : top >= 1e4 ? 1e3 : 1;
    snprintf(label, n, "%s%s", what,
             scale == 1e6   ? " (millions)"
             : scale == 1e3 ? " (thousands)"
                            : "");
    return scale;
}

/* The cumulative table (tables/cost.csv) and its chart, break-even marked. */
static void
cumulative(struct rpt_ctx *c, const struct curves *k)
{
    static const char *const cols[] = {"year", "status_quo_cumulative", "plan_cumulative",
                                       "savings_cumulative"};
    struct ks_table *t = rpt_ctx_table(c, "cost", cols, 4);
    double *x = ks_xmalloc(k->n * sizeof *x), *v = ks_xmalloc(2 * k->n * sizeof *v);
    char ylabel[64], vlabel[64];
    double scale = money_scale(fmax(k->sq[k->n - 1], k->plan[k->n - 1]), ylabel, sizeof ylabel,
                               "cumulative cost");
    for (size_t y = 0; y < k->n; y++) {
        size_t r = ks_table_add_row(t);
        ks_table_set_num(t, r, 0, (double)y);
        ks_table_set_num(t, r, 1, k->sq[y]);
        ks_table_set_num(t, r, 2, k->plan[y]);
        ks_table_set_num(t, r, 3, k->sq[y] - k->plan[y]);
        x[y] = (double)y;
        v[y] = k->sq[y] / scale;
        v[k->n + y] = k->plan[y] / scale;
    }
    static const char *const sers[] = {"status quo (keep the servers)",
                                       "consolidated (purchase + running)"};
    double pb = rpt_sum_num(c, "payback_months");
    snprintf(vlabel, sizeof vlabel, "break-even: month %.0f", ceil(pb));
    struct rpt_lines l = {
        .name = "cost_horizon",
        .title = "Cumulative cost over the horizon",
        .xlabel = "years from purchase",
        .ylabel = ylabel,
        .npts = k->n,
        .nser = 2,
        .x = x,
        .sers = sers,
        .v = v,
        .vline = pb >= 0 && pb / 12 <= (double)(k->n - 1) ? pb / 12 : NAN,
        .vline_label = vlabel,
    };
    rpt_ctx_chart(c, l.name, rpt_gp_lines(&l));
    free(x);
    free(v);
}

/* Each line over the horizon, both sides (tables/cost_lines.csv) and its bar chart.
 * The last row is the total, so the table reads like an invoice; it sums the rounded
 * cells of tco.csv and may differ from summary.csv's totals by a cent. */
static void
by_line(struct rpt_ctx *c, const struct curves *k)
{
    static const char *const cols[] = {"line", "status_quo", "consolidated", "difference"};
    struct ks_table *t = rpt_ctx_table(c, "cost_lines", cols, 4);
    double v[2 * NLINES], top = 0, sum_sq = 0, sum_plan = 0;
    for (int l = 0; l < NLINES; l++)
        top = fmax(top, fmax(k->line_sq[l], k->line_plan[l]));
    char ylabel[64];
    double scale = money_scale(top, ylabel, sizeof ylabel, "cost over the horizon");
    for (int l = 0; l <= NLINES; l++) {
        size_t r = ks_table_add_row(t);
        double a = l < NLINES ? k->line_sq[l] : sum_sq, b = l < NLINES ? k->line_plan[l] : sum_plan;
        ks_table_set(t, r, 0, l < NLINES ? LABELS[l] : "Total");
        ks_table_set_num(t, r, 1, round(a * 100) / 100);
        ks_table_set_num(t, r, 2, round(b * 100) / 100);
        ks_table_set_num(t, r, 3, round((a - b) * 100) / 100);
        if (l < NLINES) {
            sum_sq += a;
            sum_plan += b;
            v[l] = a / scale;
            v[NLINES + l] = b / scale;
        }
    }
    static const char *const sers[] = {"status quo", "consolidated"};
    struct rpt_bars b = {.name = "cost_lines",
                         .title = "Cost by line over the horizon",
                         .ylabel = ylabel,
                         .ncat = NLINES,
                         .nser = 2,
                         .cats = LABELS,
                         .sers = sers,
                         .v = v,
                         .hline = NAN};
    rpt_ctx_chart(c, b.name, rpt_gp_bars(&b));
}

/* tco.csv when the plan has one (tables by line and per year, both charts), else the
 * straight lines of summary.csv (the cumulative chart and table only). A tco.csv that
 * is there but malformed fails the report: its numbers would be shown otherwise. */
int
rpt_cost_build(struct rpt_ctx *c, struct ks_err *err)
{
    struct ks_table t;
    struct curves k;
    int rc = read_tco(c, &t, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        rc = tco_curves(c, &t, &k, err);
        if (rc == 0)
            rpt_copy_table(c, "tco", &t);
        ks_table_fini(&t);
        if (rc < 0) {
            curves_fini(&k);
            return rc;
        }
        by_line(c, &k);
    } else if (summary_curves(c, &k) != 0) {
        return 0; /* the html step says what is missing */
    }
    cumulative(c, &k);
    curves_fini(&k);
    return 0;
}

/* What the status quo pays for: the servers, or (VMs among the sources) the boxes
 * under them, each host once (docs/model.md "Cost", mdl_cost_estate.h). */
static const char sq_servers[] =
    "<p>Over {years:0} years, keeping the {sources:0} servers costs "
    "<strong>{status_quo_total:0}</strong>: their power and cooling, ";
static const char sq_boxes[] =
    "<p>Over {years:0} years, keeping the estate as it is costs "
    "<strong>{status_quo_total:0}</strong>. Its boxes are {status_quo_physical:0} physical "
    "server(s) and {status_quo_hosts:0} hypervisor host(s) under {status_quo_vms:0} VM(s); a "
    "host is counted once, shared among its VMs by their allocated vCPUs (VMs kept by an "
    "exclude rule keep their share). They pay power and cooling, ";
static const char tco_prose[] =
    "support contracts on "
    "the ones out of warranty, the refresh they need anyway (one in {source_life_years:0} "
    "replaced each year), OS licences, rack space and admin work. Consolidating costs "
    "<strong>{consolidated_total:0}</strong>: {capex:0} at purchase (hosts, switch ports, "
    "licences), {migration_cost:0} of migration work, then the hosts' power at their "
    "measured load, support after the {warranty_years:0}-year warranty, licences, rack "
    "space and admin. ";

/* The totals of both sides, the difference worded by its sign. */
static void
tco_text(const struct rpt_ctx *c, FILE *f)
{
    int vms = rpt_sum_num(c, "status_quo_vms") > 0 || rpt_sum_num(c, "status_quo_vms_no_host") > 0;
    double d = rpt_sum_num(c, "savings_total");
    rpt_html_fill(f, c, vms ? sq_boxes : sq_servers);
    rpt_html_fill(f, c, tco_prose);
    fputs("Over the horizon the consolidation <strong>", f);
    fputs(d < 0 ? "costs " : "saves ", f);
    rpt_html_sum_abs(f, c, "savings_total", 0);
    fputs(d < 0 ? " more</strong>" : "</strong>", f);
    rpt_html_fill(f, c, "; on average it runs at {opex_per_year:0} a year against "
                        "{status_quo_opex_per_year:0}.</p>\n");
    if (rpt_sum_num(c, "status_quo_vms_no_host") > 0)
        rpt_html_fill(f, c, "<p class=\"note\">{status_quo_vms_no_host:0} VM(s) have no known "
                            "host: their inventory column <code>host</code> is empty or names "
                            "no row of kind host. The status quo counts no hardware for them "
                            "(only their OS licence, paid on both sides), never a physical "
                            "box each; add their hosts to the inventory to count them.</p>\n");
}

/* When the cumulative curves cross, or why they do not within the horizon. */
static void
breakeven_html(const struct rpt_ctx *c, FILE *f)
{
    double pb = rpt_sum_num(c, "payback_months"), years = rpt_sum_num(c, "years");
    if (isnan(pb) || pb / 12 > years) {
        rpt_html_note(f, isnan(pb) ? "The consolidation never pays back: by the last year of "
                                     "the horizon it costs as much to run as the status quo "
                                     "or more, so the purchase is never recovered."
                                   : "The payback falls after the cost horizon: over these years "
                                     "the consolidation costs more than the status quo.");
        return;
    }
    fprintf(f, "<p>Break-even: <strong>month %.0f</strong> after purchase", ceil(pb));
    rpt_html_fill(f, c,
                  " ({payback_months:1} months): from then on the consolidation has "
                  "cost less in total than keeping the servers.</p>\n");
}

/* Break-even with the shared storage added to the consolidated side: capex_s at
 * purchase and opex_s a year, on top of the cumulative rows of tables/cost.csv. The
 * planner's own crossing (mdl_cost_breakeven_months) does the arithmetic. */
static double
with_storage(const struct ks_table *cum, double years, double capex_s, double opex_s)
{
    struct mdl_cost_side *sq = ks_xcalloc(2, sizeof *sq), *pl = sq + 1;
    size_t n = cum->nrows < MDL_COST_MAX_YEARS + 1 ? cum->nrows : MDL_COST_MAX_YEARS + 1;
    sq->years = pl->years = fmin(years, (double)(n - 1));
    sq->nyears = pl->nyears = n - 1;
    for (size_t y = 0; y < n; y++) {
        double a = ks_table_num(cum, y, "status_quo_cumulative");
        double b = ks_table_num(cum, y, "plan_cumulative");
        double a0 = y ? ks_table_num(cum, y - 1, "status_quo_cumulative") : 0;
        double b0 = y ? ks_table_num(cum, y - 1, "plan_cumulative") : 0;
        double share = y ? fmin(1, sq->years - (double)(y - 1)) : 0;
        sq->y[y][MDL_COST_HARDWARE] = a - a0;
        pl->y[y][MDL_COST_HARDWARE] = b - b0 + (y ? opex_s * share : capex_s);
    }
    double m = mdl_cost_breakeven_months(sq, pl);
    free(sq);
    return m;
}

/* The shared storage the plan sized (storage.csv) is not in tco.csv: say so, with what
 * it would change. */
static void
storage_note(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *st = rpt_ctx_find(c, "storage"), *cum = rpt_ctx_find(c, "cost");
    double capex_s = st ? rpt_kv_num(st, "capex_storage") : NAN;
    double opex_s = st ? rpt_kv_num(st, "opex_storage_per_year") : NAN;
    double years = rpt_sum_num(c, "years");
    if (isnan(capex_s) || isnan(opex_s) || !cum || cum->nrows < 2 || !(years > 0))
        return;
    char a[RPT_NUMBUF], b[RPT_NUMBUF], t[RPT_NUMBUF];
    double m = with_storage(cum, years, capex_s, opex_s);
    fprintf(f,
            "<p class=\"note\">Not included above: the shared storage array sized for the "
            "hosts (section Storage), %s at purchase and %s a year, %s over the horizon. "
            "With it, break-even ",
            rpt_fmt_group(a, capex_s, 0), rpt_fmt_group(b, opex_s, 0),
            rpt_fmt_group(t, capex_s + opex_s * years, 0));
    if (isnan(m))
        fputs("never comes.</p>\n", f);
    else
        fprintf(f, "falls in month %.0f.</p>\n", ceil(m));
}

/* Prose first (what each side pays for), then when it breaks even, what is left out,
 * and the evidence: charts and tables down to every year of every line. */
void
rpt_cost_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *cum = rpt_ctx_find(c, "cost"), *lines = rpt_ctx_find(c, "cost_lines");
    if (!cum) {
        rpt_html_note(f, "summary.csv lacks years, capex, opex_per_year or "
                         "status_quo_opex_per_year: no cost comparison.");
        return;
    }
    if (lines)
        tco_text(c, f);
    else
        rpt_html_fill(f, c,
                      "<p>Capex of {capex:0} up front, then {opex_per_year:0} a year, "
                      "against {status_quo_opex_per_year:0} a year for the servers as "
                      "they are (this plan has no tco.csv: no breakdown by line).</p>\n");
    breakeven_html(c, f);
    storage_note(c, f);
    rpt_html_chart(f, c, "cost_horizon", "Cumulative cost, consolidated against the status quo");
    if (lines) {
        fputs("<h3>By line</h3>\n", f);
        rpt_html_chart(f, c, "cost_lines", "Each cost line over the horizon");
        rpt_html_table(f, lines, "cost_lines", 0);
        fputs("<h3>Per year</h3>\n<p>Year 0 is what is paid at purchase. Every figure and its "
              "source is under Assumptions.</p>\n",
              f);
        rpt_html_table(f, rpt_ctx_find(c, "tco"), "tco", 0);
    }
    fputs("<h3>Cumulative</h3>\n", f);
    rpt_html_table(f, cum, "cost", 0);
}

/* ---- assumptions: the cost figures and where they come from ------------------------- */

/* summary.csv key, label, unit, source; a NULL source is an assumption without a
 * published figure behind it, and says so on the page. docs/model.md ("Cost defaults")
 * has the same list with the addresses. The values shown are the plan's own, so a
 * figure changed by policy shows with the default's source: the row says "default". */
static const char *const COST_FIGS[][4] = {
    {"power_price_per_kWh", "Power price", " per kWh",
     "default 0.1032: EIA Electric Power Monthly, table 5.3, US commercial average 2008"},
    {"pue", "PUE (cooling and power overhead)", "",
     "default 1.58: Uptime Institute Global Data Center Survey 2023, industry average"},
    {"source_watts_idle", "Old server, idle", " W",
     "default 225: SPECpower_ssj2008, Sun Netra X4250 (2 x 4-core Xeon, 32 GB), active idle"},
    {"source_watts_max", "Old server, full load", " W",
     "default 296: same result, 100% load; the power model is linear in between"},
    {"source_price", "Old server, like-for-like replacement", "", NULL},
    {"source_life_years", "Refresh cycle", " years",
     "default 5: TechTarget, \"server refresh cycle\" (about five years); IDC 2010: 20% "
     "of servers refreshed a year"},
    {"source_rack_U", "Old server, rack units", " U", NULL},
    {"support_pct", "Support contract a year", "% of the price",
     "default 10: Library Technology Guides, hardware maintenance 10-12% of the purchase "
     "price a year (TechTarget: 10-30%)"},
    {"warranty_years", "Warranty of a new box", " years", NULL},
    {"os_per_server", "OS licence per server a year", "",
     "default 250: Software Assurance 25% a year (Directions on Microsoft) of about 1,000 "
     "for Windows Server Standard (Windows IT Pro)"},
    {"os_per_guest", "OS licence per guest a year", "",
     "default: as per server (guests keep their licences)"},
    {"licence_maint_pct", "Licence maintenance a year", "% of licence capex",
     "default 25: Directions on Microsoft, Software Assurance on server licences"},
    {"subscription_per_socket", "Hypervisor subscription per socket a year", "",
     "default 0: Hyper-V comes with Windows Server, KVM is free"},
    {"admin_hours", "Hardware admin per physical box a year", " h", NULL},
    {"admin_hour_price", "Admin hour", "",
     "default 42.51: BLS OES May 2019, mean wage of network and computer systems "
     "administrators (no employer overhead)"},
    {"migration_hours", "Migration work per server", " h", NULL},
    {"rack_unit_price", "Rack unit a year", "", NULL},
    {"switch_port_price", "Switch port", "", NULL},
};

void
rpt_cost_assume_html(const struct rpt_ctx *c, FILE *f)
{
    if (!rpt_sum_str(c, "support_pct")) /* an older plan: no cost figures to list */
        return;
    fputs("<h3>Cost figures</h3>\n<p>Every money figure of the cost comparison, with its "
          "source. Figures marked <strong>(unverified, assumption)</strong> have no published "
          "source behind them: replace them with your own. Catalog prices and watts are the "
          "catalog's, marked unverified there.</p>\n<table>\n<thead><tr><th>figure</th>"
          "<th>value</th><th>source</th></tr></thead>\n<tbody>\n",
          f);
    for (size_t i = 0; i < sizeof COST_FIGS / sizeof *COST_FIGS; i++) {
        const char *v = rpt_sum_str(c, COST_FIGS[i][0]);
        fputs("<tr><td>", f);
        rpt_html_esc(f, COST_FIGS[i][1]);
        fputs("</td><td class=\"n\">", f);
        rpt_html_esc(f, v ? v : "n/a");
        rpt_html_esc(f, v ? COST_FIGS[i][2] : "");
        fputs("</td><td>", f);
        if (COST_FIGS[i][3])
            rpt_html_esc(f, COST_FIGS[i][3]);
        else
            fputs("<strong>(unverified, assumption)</strong>", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}
