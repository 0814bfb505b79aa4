/* Source estate: the heatmap of every server's CPU, top consumers, idle servers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_chart.h"
#include "report/rpt_html.h"
#include "report/rpt_sections.h"
#include "report/rpt_util.h"

/* A server whose 95th-percentile CPU stays under this is listed as idle: a candidate
 * for retirement rather than migration. */
#define IDLE_P95_PCT 5.0
#define TOP_N 10

/* The heatmap's row labels point into the inventory (owned by the dataset), so only
 * the array of pointers is allocated here. A large estate gets percentile bands. */
static void
heatmap_chart(struct rpt_ctx *c)
{
    static const char *const bands[RPT_HEAT_BANDS] = {"max", "p99", "p95", "p90", "p75",
                                                      "p50", "p25", "p10", "min"};
    int small = rpt_small_estate(c);
    struct rpt_heat h;
    double bucket = rpt_chart_bucket_s(c->est.g.step_s, c->est.g.nsteps);
    if (small)
        rpt_heat_build(&c->est, bucket, &h);
    else
        rpt_heat_bands(&c->est, bucket, &h);
    if (h.nrows == 0)
        return;
    const char **names = ks_xmalloc(h.nrows * sizeof *names);
    for (size_t r = 0; r < h.nrows; r++)
        names[r] = small ? ks_dataset_entity(c->ds, h.row_ent[r]) : bands[r];
    char title[160];
    if (small)
        snprintf(title, sizeof title,
                 "CPU utilization of every server (max per %.0f min; grey: no data)", h.step_s / 60);
    else
        snprintf(title, sizeof title,
                 "CPU utilization across %zu servers: percentiles of each server's max per %.0f min",
                 c->est.nent, h.step_s / 60);
    struct rpt_heatmap hm = {
        .name = "estate_heatmap", .title = title, .cblabel = "CPU utilization (%)",
        .nrows = h.nrows, .ncols = h.ncols, .t0 = h.t0, .step_s = h.step_s, .v = h.v,
        .rows = names, .zmax = 100, .ylabel = small ? NULL : "share of servers at or below",
    };
    rpt_ctx_chart(c, hm.name, rpt_gp_heatmap(&hm));
    free(names);
    rpt_heat_fini(&h);
}

/* Row of the top-consumers / idle tables for entity i. */
static void
ent_row(const struct rpt_ctx *c, struct ks_table *t, size_t i)
{
    const struct rpt_ent_stats *s = &c->est.st[i];
    size_t r = ks_table_add_row(t);
    long h = c->ent_host[i];
    ks_table_set(t, r, 0, ks_dataset_entity(c->ds, i));
    ks_table_set(t, r, 1, ks_inv_str(c->ds, i, "kind"));
    ks_table_set(t, r, 2, ks_inv_str(c->ds, i, "cores"));
    ks_table_set_num(t, r, 3, round(s->cpu_mean_pct * 10) / 10);
    ks_table_set_num(t, r, 4, round(s->cpu_p95_pct * 10) / 10);
    ks_table_set_num(t, r, 5, round(s->cpu_peak_pct * 10) / 10);
    ks_table_set_num(t, r, 6, round(s->mhz_p95));
    ks_table_set_num(t, r, 7, round(s->mem_peak_MiB));
    ks_table_set_num(t, r, 8, round(s->net_mean_KiBps));
    ks_table_set(t, r, 9, h >= 0 ? ks_table_str(&c->plan.hosts, (size_t)h, "host") : "-");
}

/* Highest p95 demand first; servers without data last; ties in inventory order. */
static int
cmp_p95_desc(const void *a, const void *b, void *ctx)
{
    const struct rpt_estate *e = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double x = e->st[i].mhz_p95, y = e->st[j].mhz_p95;
    if (isnan(x) != isnan(y))
        return isnan(x) ? 1 : -1;
    if (!isnan(x) && x != y)
        return x < y ? 1 : -1;
    return (i > j) - (i < j);
}

/* Idle servers are listed least busy first (the sort order walked backwards). */
int
rpt_estate_sec_build(struct rpt_ctx *c, struct ks_err *err)
{
    static const char *const cols[] = {"entity",        "kind",          "cores",
                                       "cpu_mean_pct",  "cpu_p95_pct",   "cpu_peak_pct",
                                       "cpu_p95_MHz",   "mem_peak_MiB",  "net_mean_KiBps",
                                       "host"};
    (void)err;
    if (!c->est.has_series)
        return 0;
    heatmap_chart(c);
    size_t n = c->est.nent, *ord = ks_xmalloc((n ? n : 1) * sizeof *ord);
    for (size_t i = 0; i < n; i++)
        ord[i] = i;
    qsort_r(ord, n, sizeof *ord, cmp_p95_desc, &c->est);
    struct ks_table *top = rpt_ctx_table(c, "top_consumers", cols, 10);
    for (size_t k = 0; k < n && k < TOP_N; k++)
        ent_row(c, top, ord[k]);
    struct ks_table *idle = rpt_ctx_table(c, "idle_servers", cols, 10);
    for (size_t k = n; k-- > 0;)
        if (c->est.st[ord[k]].cpu_p95_pct < IDLE_P95_PCT)
            ent_row(c, idle, ord[k]);
    free(ord);
    return 0;
}

void
rpt_estate_sec_html(const struct rpt_ctx *c, FILE *f)
{
    if (!c->est.has_series) {
        rpt_html_note(f, "The dataset holds no samples (inventory only): there is no "
                         "utilization to show.");
        return;
    }
    char nb[RPT_NUMBUF], nb2[RPT_NUMBUF];
    if (rpt_small_estate(c)) {
        fprintf(f, "<p>%zu servers measured over %s days in steps of %s s. Each row of the "
                   "heatmap is one server, busiest at the top; darker and warmer is busier.</p>\n",
                c->est.nent, rpt_fmt_group(nb, c->est.g.step_s * (double)c->est.g.nsteps / 86400, 1),
                rpt_fmt_group(nb2, c->est.g.step_s, 0));
        rpt_html_chart(f, c, "estate_heatmap", "CPU utilization of every server over time");
    } else {
        fprintf(f, "<p>%zu servers measured over %s days in steps of %s s: too many for a row "
                   "each (above %d servers the page aggregates). Each row of the heatmap is a "
                   "percentile of the servers' CPU in that window: <i>max</i> is the busiest "
                   "server, <i>p50</i> the median one, <i>min</i> the idlest; darker and warmer "
                   "is busier. Every server's figures are in <a href=\"tables/coverage.csv\">"
                   "<code>tables/coverage.csv</code></a> and <a href=\"tables/placement.csv\">"
                   "<code>tables/placement.csv</code></a>.</p>\n",
                c->est.nent, rpt_fmt_group(nb, c->est.g.step_s * (double)c->est.g.nsteps / 86400, 1),
                rpt_fmt_group(nb2, c->est.g.step_s, 0), RPT_SMALL_ESTATE);
        rpt_html_chart(f, c, "estate_heatmap", "CPU utilization of the estate by percentile band");
    }
    fprintf(f, "<h3>Top consumers</h3>\n<p>The %d servers with the highest 95th-percentile "
               "CPU demand (busy MHz).</p>\n", TOP_N);
    rpt_html_table(f, rpt_ctx_find(c, "top_consumers"), "top_consumers", 0);
    const struct ks_table *idle = rpt_ctx_find(c, "idle_servers");
    fprintf(f, "<h3>Idle servers</h3>\n<p>%zu server(s) whose 95th-percentile CPU stays under "
               "%.0f%%: candidates for retirement rather than migration.</p>\n",
            idle->nrows, IDLE_P95_PCT);
    if (idle->nrows)
        rpt_html_table(f, idle, "idle_servers", 50);
}
