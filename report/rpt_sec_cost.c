/* Sockets and licences, network ports, and cost over the horizon against the status quo. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_chart.h"
#include "report/rpt_html.h"
#include "report/rpt_sections.h"
#include "report/rpt_util.h"

/* Licence lines are the planner's: the report shows them, it does not re-price them. */
int
rpt_licence_build(struct rpt_ctx *c, struct ks_err *err)
{
    (void)err;
    if (c->plan.licences.ncols)
        rpt_copy_table(c, "licences", &c->plan.licences);
    return 0;
}

/* Sum of a numeric column over a table's rows (missing cells count 0). */
static double
col_sum(const struct ks_table *t, const char *col)
{
    double sum = 0;
    for (size_t r = 0; t && r < t->nrows; r++) {
        double v = ks_table_num(t, r, col);
        sum += isnan(v) ? 0 : v;
    }
    return sum;
}

/* Totals come from hosts.csv: summary.csv's sockets and cores describe one host of the
 * chosen model (the planner's reading of the contract), which the text says as such. */
void
rpt_licence_html(const struct rpt_ctx *c, FILE *f)
{
    char s1[RPT_NUMBUF], s2[RPT_NUMBUF];
    fprintf(f, "<p>The plan's %zu hosts populate %s sockets with %s cores in total "
               "(hosts.csv); ", c->plan.hosts.nrows,
            rpt_fmt_group(s1, col_sum(&c->plan.hosts, "sockets"), 0),
            rpt_fmt_group(s2, col_sum(&c->plan.hosts, "cores"), 0));
    rpt_html_fill(f, c, "one host of model {host_model} has {sockets:0} socket(s) and "
                        "{cores:0} cores. Licences cost {capex_licences:0}.</p>\n");
    const struct ks_table *t = rpt_ctx_find(c, "licences");
    if (t && t->nrows)
        rpt_html_table(f, t, "licences", 0);
    else
        rpt_html_note(f, "The plan has no licence lines (no licences.csv, or no rule applies).");
}

/* Ports per host by template role, as the planner counted them. */
int
rpt_ports_build(struct rpt_ctx *c, struct ks_err *err)
{
    (void)err;
    if (c->plan.ports.ncols)
        rpt_copy_table(c, "ports", &c->plan.ports);
    return 0;
}

void
rpt_ports_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *t = rpt_ctx_find(c, "ports");
    char nb[RPT_NUMBUF];
    fprintf(f, "<div class=\"cards\">\n<div class=\"card\"><div class=\"label\">NIC ports used"
               "</div><div class=\"value\">%s</div><div class=\"detail\">all hosts, ports.csv"
               "</div></div>\n", rpt_fmt_group(nb, col_sum(t, "total"), 0));
    rpt_html_fill(f, c,
                  "<div class=\"card\"><div class=\"label\">NIC ports per host</div><div "
                  "class=\"value\">{nic_ports:0}</div><div class=\"detail\">model {host_model}"
                  "</div></div>\n<div class=\"card\"><div class=\"label\">Switch ports in total"
                  "</div><div class=\"value\">{switch_ports:0}</div></div>\n<div class=\"card\">"
                  "<div class=\"label\">Port template</div><div class=\"value\" "
                  "style=\"font-size:15px\">{port_template}</div></div>\n</div>\n<p>Ports per "
                  "host by role, following the port template (heartbeat, management, VM "
                  "network, redundant storage).</p>\n");
    if (t && t->nrows)
        rpt_html_table(f, t, "ports", 0);
    else
        rpt_html_note(f, "The plan directory has no ports.csv.");
}

/* Cumulative cost at the end of each year 0..years: the status quo pays its running
 * cost; the plan pays capex at once, then its own running cost. */
int
rpt_cost_build(struct rpt_ctx *c, struct ks_err *err)
{
    static const char *const cols[] = {"year", "status_quo_cumulative", "plan_cumulative",
                                       "savings_cumulative"};
    (void)err;
    double years = rpt_sum_num(c, "years"), capex = rpt_sum_num(c, "capex");
    double opex = rpt_sum_num(c, "opex_per_year"), sq = rpt_sum_num(c, "status_quo_opex_per_year");
    if (!(years >= 1) || years > 50 || isnan(capex) || isnan(opex) || isnan(sq))
        return 0; /* the html step says what is missing */
    size_t n = (size_t)years + 1;
    struct ks_table *t = rpt_ctx_table(c, "cost", cols, 4);
    double *x = ks_xmalloc(n * sizeof *x), *v = ks_xmalloc(2 * n * sizeof *v);
    /* Money axes in thousands or millions: "1.2e+06" tick labels read badly and
     * gnuplot has no portable thousands separator. The CSV keeps full values. */
    double top = fmax(sq * years, capex + opex * years);
    double scale = top >= 1e6 ? 1e6 : top >= 1e4 ? 1e3 : 1;
    for (size_t y = 0; y < n; y++) {
        size_t r = ks_table_add_row(t);
        double a = sq * (double)y, b = capex + opex * (double)y;
        ks_table_set_num(t, r, 0, (double)y);
        ks_table_set_num(t, r, 1, a);
        ks_table_set_num(t, r, 2, b);
        ks_table_set_num(t, r, 3, a - b);
        x[y] = (double)y;
        v[y] = a / scale;
        v[n + y] = b / scale;
    }
    static const char *const sers[] = {"status quo (keep the servers)", "consolidated (capex + running)"};
    char ylabel[64], vlabel[64];
    double pb = rpt_sum_num(c, "payback_months");
    snprintf(ylabel, sizeof ylabel, "cumulative cost%s", scale == 1e6 ? " (millions)"
             : scale == 1e3 ? " (thousands)" : "");
    snprintf(vlabel, sizeof vlabel, "payback: %.1f months", pb);
    struct rpt_lines l = {
        .name = "cost_horizon", .title = "Cumulative cost over the horizon",
        .xlabel = "years from purchase", .ylabel = ylabel, .npts = n, .nser = 2, .x = x,
        .sers = sers, .v = v, .vline = pb >= 0 && pb / 12 <= years ? pb / 12 : NAN,
        .vline_label = vlabel,
    };
    rpt_ctx_chart(c, l.name, rpt_gp_lines(&l));
    free(x);
    free(v);
    return 0;
}

void
rpt_cost_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *t = rpt_ctx_find(c, "cost");
    if (!t) {
        rpt_html_note(f, "summary.csv lacks years, capex, opex_per_year or "
                         "status_quo_opex_per_year: no cost comparison.");
        return;
    }
    rpt_html_fill(f, c, "<p>Capex of {capex:0} up front, then {opex_per_year:0} a year (power "
                        "at {power_price_per_kWh:2} per kWh, PUE {pue:2}), against "
                        "{status_quo_opex_per_year:0} a year for the servers as they are.</p>\n");
    double pb = rpt_sum_num(c, "payback_months"), years = rpt_sum_num(c, "years");
    if (isnan(pb) || pb / 12 > years)
        rpt_html_note(f, isnan(pb) ? "The consolidation never pays back: it saves nothing a year."
                                   : "The payback falls after the cost horizon: over these years "
                                     "the consolidation costs more than the status quo.");
    rpt_html_chart(f, c, "cost_horizon", "Cumulative cost, consolidated against the status quo");
    rpt_html_table(f, t, "cost", 0);
}
