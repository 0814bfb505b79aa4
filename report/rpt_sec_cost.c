/* Sockets and licences, network ports (cost over the horizon: rpt_sec_tco.c). */
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

/* Largest value of a numeric column (0 for an empty table). */
static double
col_max(const struct ks_table *t, const char *col)
{
    double m = 0;
    for (size_t r = 0; t && r < t->nrows; r++) {
        double v = ks_table_num(t, r, col);
        if (!isnan(v) && v > m)
            m = v;
    }
    return m;
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
    /* Used on the busiest host against what the model has: "8" alone read as if every
     * host used all the ports of its model. */
    fprintf(f, "<div class=\"card\"><div class=\"label\">NIC ports per host</div><div "
               "class=\"value\">%s</div>", rpt_fmt_group(nb, col_max(t, "total"), 0));
    rpt_html_fill(f, c,
                  "<div class=\"detail\">used at most, of {nic_ports:0} on model {host_model}"
                  "</div></div>\n<div class=\"card\"><div class=\"label\">Switch ports in total"
                  "</div><div class=\"value\">{switch_ports:0}</div></div>\n<div class=\"card\">"
                  "<div class=\"label\">Port template</div><div class=\"value\" "
                  "style=\"font-size:15px\">{port_template}</div></div>\n</div>\n<p>Ports per "
                  "host by role, following the port template (heartbeat, management, VM "
                  "network, redundant storage).</p>\n");
    if (t && t->nrows)
        rpt_html_table(f, t, "ports", rpt_small_estate(c) ? 0 : RPT_LARGE_ROWS);
    else
        rpt_html_note(f, "The plan directory has no ports.csv.");
}
