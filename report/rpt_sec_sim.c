/* I/O path results of `kasane sim` (--sim): latency percentiles and CPU cost per I/O. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_chart.h"
#include "report/rpt_html.h"
#include "report/rpt_sections.h"
#include "report/rpt_sim.h"
#include "report/rpt_util.h"

/* Columns the report knows and draws; every other column is shown as it is. */
static const char *const numeric_cols[] = {
    "replications", "completed",     "throughput_per_s", "lat_mean_us",        "lat_mean_ci95_us",
    "lat_p50_us",   "lat_p99_us",    "iotlb_hit_pct",    "exits_per_op",       "host_cycles_per_op",
};

/* Unknown columns pass; a known column with text in it is an error naming line and
 * column, because a chart of it would silently drop the row. */
int
rpt_sim_read(const char *path, struct ks_table *t, struct ks_err *err)
{
    static const char *const req[] = {"workload", NULL};
    int rc = ks_table_read(path, req, t, err);
    if (rc < 0)
        return rc;
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t j = 0; j < sizeof numeric_cols / sizeof *numeric_cols; j++) {
            double v;
            if (ks_table_col(t, numeric_cols[j]) >= 0 &&
                ks_table_check_num(t, path, r, numeric_cols[j], 1, &v, err) < 0) {
                ks_table_fini(t);
                return -EINVAL;
            }
        }
    return 0;
}

/* "workload" or "workload / mode" for each row; caller frees the strings and array. */
static char **
row_labels(const struct ks_table *t)
{
    char **l = ks_xmalloc((t->nrows ? t->nrows : 1) * sizeof *l);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *w = ks_table_str(t, r, "workload"), *m = ks_table_str(t, r, "mode");
        l[r] = m ? ks_xasprintf("%s / %s", w ? w : "?", m) : ks_xstrdup(w ? w : "?");
    }
    return l;
}

/* Bars of the listed columns that exist; returns 0 when none does. */
static int
sim_chart(struct rpt_ctx *c, const char *name, const char *title, const char *ylabel,
          const char *const *want, const char *const *labels, size_t nwant)
{
    const struct ks_table *t = &c->sim;
    const char *sers[4];
    size_t ns = 0, n = t->nrows;
    double *v = ks_xmalloc(nwant * (n ? n : 1) * sizeof *v), lo = INFINITY, hi = 0;
    for (size_t k = 0; k < nwant; k++) {
        if (ks_table_col(t, want[k]) < 0)
            continue;
        for (size_t r = 0; r < n; r++) {
            double x = ks_table_num(t, r, want[k]);
            v[ns * n + r] = x;
            if (x > 0) {
                lo = fmin(lo, x);
                hi = fmax(hi, x);
            }
        }
        sers[ns++] = labels[k];
    }
    /* Rows without a value (empty cell) draw no bar; the table still shows them. */
    char **cats = row_labels(t);
    struct rpt_bars b = {
        .name = name, .title = title, .ylabel = ylabel, .ncat = n, .nser = ns,
        .cats = (const char *const *)cats, .sers = sers, .v = v, .hline = NAN,
        .logy = hi > 0 && hi / lo > 50, /* p99 can be 100x p50: log keeps both readable */
    };
    if (ns && n)
        rpt_ctx_chart(c, name, rpt_gp_bars(&b));
    for (size_t r = 0; r < n; r++)
        free(cats[r]);
    free(cats);
    free(v);
    return ns > 0;
}

/* Latency and CPU cost are separate charts: microseconds and cycles share no axis. */
int
rpt_sim_build(struct rpt_ctx *c, struct ks_err *err)
{
    static const char *const lat[] = {"lat_p50_us", "lat_mean_us", "lat_p99_us"};
    static const char *const lat_l[] = {"p50", "mean", "p99"};
    static const char *const cpu[] = {"host_cycles_per_op"};
    static const char *const cpu_l[] = {"host CPU cycles per I/O"};
    (void)err;
    if (!c->sim.ncols)
        return 0;
    rpt_copy_table(c, "sim", &c->sim);
    sim_chart(c, "sim_latency", "I/O latency per workload and virtualization mode",
              "latency (microseconds)", lat, lat_l, 3);
    sim_chart(c, "sim_cpu", "Host CPU cost per I/O", "cycles per I/O", cpu, cpu_l, 1);
    return 0;
}

void
rpt_sim_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *t = rpt_ctx_find(c, "sim");
    if (!t) {
        rpt_html_note(f, "No I/O path simulation was given: run kasane sim and pass its "
                         "results with --sim RESULTS.csv to see latency and CPU cost per I/O "
                         "for each virtualization mode.");
        return;
    }
    fputs("<p>Results of <code>kasane sim</code> (", f);
    rpt_html_esc(f, c->o->sim_path);
    fputs("): one row per workload and virtualization mode; latency in microseconds, "
          "CPU cost in host cycles per I/O.</p>\n", f);
    if (rpt_ctx_drawn(c, "sim_latency") || ks_table_col(t, "lat_p50_us") >= 0 ||
        ks_table_col(t, "lat_p99_us") >= 0 || ks_table_col(t, "lat_mean_us") >= 0)
        rpt_html_chart(f, c, "sim_latency", "I/O latency per workload and mode");
    if (ks_table_col(t, "host_cycles_per_op") >= 0)
        rpt_html_chart(f, c, "sim_cpu", "Host CPU cycles per I/O");
    rpt_html_table(f, t, "sim", 0);
}
