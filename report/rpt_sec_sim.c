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
    int rc = ks_table_read_sheet(path, req, t, err); /* sim_csv encodes its text cells */
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

/* ---- several virtualization modes (kasane sim --modes) -------------------------------- */

/* One (mode, I/O class) of the results: the class is the workload name's suffix after
 * its last '-' (a plan's NAME-disk and NAME-net), else the whole name. */
struct mode_agg {
    const char *mode;
    char cls[32];
    size_t n, ok;
    double thr, lat_thr, p99, hz, exits;
};

static void
wl_class(const char *w, char *buf, size_t n)
{
    const char *d = w ? strrchr(w, '-') : NULL;
    snprintf(buf, n, "%s", d && d[1] ? d + 1 : w ? w : "?");
}

/* 1 when no group before g[n] has mode m. */
static size_t
distinct_before(const struct mode_agg *g, size_t n, const char *m)
{
    for (size_t j = 0; j < n; j++)
        if (strcmp(g[j].mode, m) == 0)
            return 0;
    return 1;
}

/* Sum the rows into (mode, class) groups, in the order they first appear; returns the
 * number of groups and sets *nmodes to the number of distinct modes. */
static size_t
aggregate(const struct ks_table *t, struct mode_agg *g, size_t cap, size_t *nmodes)
{
    size_t n = 0;
    *nmodes = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *m = ks_table_str(t, r, "mode");
        char cls[32];
        wl_class(ks_table_str(t, r, "workload"), cls, sizeof cls);
        if (!m)
            continue;
        size_t k = 0;
        while (k < n && (strcmp(g[k].mode, m) != 0 || strcmp(g[k].cls, cls) != 0))
            k++;
        if (k == n) {
            if (n == cap)
                continue;
            memset(&g[n], 0, sizeof g[n]);
            g[n].mode = m;
            snprintf(g[n].cls, sizeof g[n].cls, "%s", cls);
            *nmodes += distinct_before(g, n, m);
            n++;
        }
        double thr = ks_table_num(t, r, "throughput_per_s"), lat = ks_table_num(t, r, "lat_mean_us"),
               p99 = ks_table_num(t, r, "lat_p99_us"), cyc = ks_table_num(t, r, "host_cycles_per_op"),
               ex = ks_table_num(t, r, "exits_per_op");
        const char *up = ks_table_str(t, r, "keeps_up");
        struct mode_agg *a = &g[k];
        a->n++;
        a->ok += !up || strcmp(up, "no") != 0;
        if (thr > 0) {
            a->thr += thr;
            a->lat_thr += lat > 0 ? lat * thr : 0;
            a->hz += cyc > 0 ? cyc * thr : 0;
            a->exits += ex > 0 ? ex * thr : 0;
        }
        /* A p99 from fewer than 1,000 completions (low_samples) is left out of "worst". */
        const char *low = ks_table_str(t, r, "low_samples");
        if (!low || strcmp(low, "yes") != 0)
            a->p99 = p99 > a->p99 ? p99 : a->p99;
    }
    return n;
}

#define SIM_MAX_GROUPS 32

/* The comparison table (tables/sim_modes.csv) and its two charts: latency by class and
 * mode, and the host CPU each mode spends on the I/O path. */
static void
modes_build(struct rpt_ctx *c)
{
    static const char *const cols[] = {"mode", "io", "workloads", "keep_up", "throughput_per_s",
                                        "lat_mean_us", "worst_p99_us", "host_MHz_io",
                                        "exits_per_s"};
    struct mode_agg g[SIM_MAX_GROUPS];
    size_t nmodes, n = aggregate(&c->sim, g, SIM_MAX_GROUPS, &nmodes);
    if (nmodes < 2)
        return;
    struct ks_table *t = rpt_ctx_table(c, "sim_modes", cols, sizeof cols / sizeof *cols);
    const char *cats[SIM_MAX_GROUPS], *modes[SIM_MAX_GROUPS], *clss[SIM_MAX_GROUPS];
    char *lab[SIM_MAX_GROUPS];
    double lat[2 * SIM_MAX_GROUPS], hz[SIM_MAX_GROUPS * SIM_MAX_GROUPS];
    size_t nm = 0, nc = 0, gm[SIM_MAX_GROUPS], gc[SIM_MAX_GROUPS]; /* each group's mode, class */
    for (size_t k = 0; k < n; k++) {
        size_t r = ks_table_add_row(t);
        char up[48];
        snprintf(up, sizeof up, "%zu of %zu", g[k].ok, g[k].n);
        ks_table_set(t, r, 0, g[k].mode);
        ks_table_set(t, r, 1, g[k].cls);
        ks_table_set_num(t, r, 2, (double)g[k].n);
        ks_table_set(t, r, 3, up);
        ks_table_set_num(t, r, 4, round(g[k].thr * 10) / 10);
        ks_table_set_num(t, r, 5, g[k].thr > 0 ? round(g[k].lat_thr / g[k].thr * 100) / 100 : NAN);
        ks_table_set_num(t, r, 6, round(g[k].p99 * 100) / 100);
        ks_table_set_num(t, r, 7, round(g[k].hz / 1e6 * 10) / 10);
        ks_table_set_num(t, r, 8, round(g[k].exits));
        lab[k] = ks_xasprintf("%s / %s", g[k].cls, g[k].mode);
        cats[k] = lab[k];
        lat[k] = g[k].thr > 0 ? g[k].lat_thr / g[k].thr : NAN;
        lat[n + k] = g[k].p99;
        size_t mi = 0, ci = 0;
        while (mi < nm && strcmp(modes[mi], g[k].mode) != 0)
            mi++;
        if (mi == nm)
            modes[nm++] = g[k].mode;
        while (ci < nc && strcmp(clss[ci], g[k].cls) != 0)
            ci++;
        if (ci == nc)
            clss[nc++] = g[k].cls;
        gm[k] = mi, gc[k] = ci;
    }
    /* host MHz: one group of bars per mode, one bar per I/O class (series by class, so
     * the index needs the final mode count) */
    for (size_t i = 0; i < nc * nm; i++)
        hz[i] = 0;
    for (size_t k = 0; k < n; k++)
        hz[gc[k] * nm + gm[k]] = g[k].hz / 1e6;
    static const char *const lat_s[] = {"mean (throughput-weighted)", "worst p99"};
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < 2 * n; i++)
        if (lat[i] > 0)
            lo = fmin(lo, lat[i]), hi = fmax(hi, lat[i]);
    struct rpt_bars bl = {.name = "sim_latency", .title = "I/O latency by virtualization mode",
                          .ylabel = "latency (microseconds)", .ncat = n, .nser = 2,
                          .cats = cats, .sers = lat_s, .v = lat, .hline = NAN,
                          .logy = hi > 0 && hi / lo > 50};
    rpt_ctx_chart(c, "sim_latency", rpt_gp_bars(&bl));
    struct rpt_bars bc = {.name = "sim_cpu", .title = "Host CPU spent on the I/O path, by mode",
                          .ylabel = "MHz of host CPU", .ncat = nm, .nser = nc, .cats = modes,
                          .sers = clss, .v = hz, .hline = NAN};
    rpt_ctx_chart(c, "sim_cpu", rpt_gp_bars(&bc));
    for (size_t k = 0; k < n; k++)
        free(lab[k]);
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
    modes_build(c);
    if (rpt_ctx_find(c, "sim_modes"))
        return 0; /* several modes: the per-mode charts replace the per-row ones */
    sim_chart(c, "sim_latency", "I/O latency per workload and virtualization mode",
              "latency (microseconds)", lat, lat_l, 3);
    sim_chart(c, "sim_cpu", "Host CPU cost per I/O", "cycles per I/O", cpu, cpu_l, 1);
    return 0;
}

/* Distinct modes of the comparison table. */
static size_t
count_modes(const struct ks_table *m)
{
    size_t n = 0;
    for (size_t r = 0; r < m->nrows; r++) {
        size_t j = 0;
        while (j < r && strcmp(ks_table_str(m, j, "mode"), ks_table_str(m, r, "mode")) != 0)
            j++;
        n += j == r;
    }
    return n;
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
    const struct ks_table *m = rpt_ctx_find(c, "sim_modes");
    if (m) {
        /* The same VMs in each mode: what the choice of I/O virtualization costs. */
        fprintf(f, "<p>The same workloads were run with every VM in each of %zu modes. "
                   "Per mode and kind of I/O: how many workloads kept up, the "
                   "throughput-weighted mean latency, the worst p99, and the host CPU "
                   "spent on the I/O path (cycles per I/O times I/Os per second; it is "
                   "taken from the capacity the plan gives the VMs).</p>\n",
                count_modes(m));
        rpt_html_table(f, m, "sim_modes", 0);
        rpt_html_chart(f, c, "sim_latency", "I/O latency by kind of I/O and mode");
        rpt_html_chart(f, c, "sim_cpu", "Host CPU spent on the I/O path per mode");
        fputs("<p>Every workload in every mode:</p>\n", f);
        rpt_html_table(f, t, "sim", 0);
        return;
    }
    if (rpt_ctx_drawn(c, "sim_latency") || ks_table_col(t, "lat_p50_us") >= 0 ||
        ks_table_col(t, "lat_p99_us") >= 0 || ks_table_col(t, "lat_mean_us") >= 0)
        rpt_html_chart(f, c, "sim_latency", "I/O latency per workload and mode");
    if (ks_table_col(t, "host_cycles_per_op") >= 0)
        rpt_html_chart(f, c, "sim_cpu", "Host CPU cycles per I/O");
    rpt_html_table(f, t, "sim", 0);
}
