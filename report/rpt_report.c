/*
 * One report run (rpt_report.h): the context the sections share, the order of the
 * steps, and the writing of charts, tables and page. Sections themselves live in
 * rpt_sections.c and rpt_sec_*.c.
 */
#include "report/rpt_report.h"

#include "core/ks_merge.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ks_csv.h"
#include "model/mdl_risk.h"
#include "report/rpt_chart.h"
#include "report/rpt_ctx.h"
#include "report/rpt_host_charts.h"
#include "report/rpt_html.h"
#include "report/rpt_risk.h"
#include "report/rpt_sim.h"
#include "report/rpt_util.h"

/* ---- ctx helpers ------------------------------------------------------------------- */

/* Tables live in an array that may move: callers hold the pointer only until the
 * next rpt_ctx_table call (sections fill a table before creating the next). */
struct ks_table *
rpt_ctx_table(struct rpt_ctx *c, const char *name, const char *const *cols, size_t ncols)
{
    c->tables = ks_xgrow(c->tables, &c->tcap, c->ntables + 1, sizeof *c->tables);
    struct rpt_table *t = &c->tables[c->ntables++];
    t->name = ks_xstrdup(name);
    ks_table_init(&t->t, cols, ncols);
    return &t->t;
}

const struct ks_table *
rpt_ctx_find(const struct rpt_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->ntables; i++)
        if (strcmp(c->tables[i].name, name) == 0)
            return &c->tables[i].t;
    return NULL;
}

/* Chart names become file names and appear in scripts: they are the program's own
 * (host_N, estate_heatmap, ...), never taken from input, and must stay plain. */
void
rpt_ctx_chart(struct rpt_ctx *c, const char *name, char *script)
{
    assert(*name && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name));
    c->charts = ks_xgrow(c->charts, &c->ccap, c->ncharts + 1, sizeof *c->charts);
    c->charts[c->ncharts++] = (struct rpt_chart_ent){ks_xstrdup(name), script, 0};
}

int
rpt_ctx_drawn(const struct rpt_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->ncharts; i++)
        if (strcmp(c->charts[i].name, name) == 0)
            return c->charts[i].drawn;
    return 0;
}

const char *
rpt_sum_str(const struct rpt_ctx *c, const char *key)
{
    return rpt_kv_str(&c->plan.summary, key);
}

double
rpt_sum_num(const struct rpt_ctx *c, const char *key)
{
    return rpt_kv_num(&c->plan.summary, key);
}

/* Frees everything a (possibly half-built) context holds; zeroed members are no-ops. */
static void
ctx_fini(struct rpt_ctx *c)
{
    ks_dataset_free(c->ds);
    rpt_plan_fini(&c->plan);
    free(c->ent_host);
    rpt_estate_fini(&c->est);
    ks_table_fini(&c->sim);
    for (size_t i = 0; i < c->ntables; i++) {
        free(c->tables[i].name);
        ks_table_fini(&c->tables[i].t);
    }
    for (size_t i = 0; i < c->ncharts; i++) {
        free(c->charts[i].name);
        free(c->charts[i].script);
    }
    free(c->tables);
    free(c->charts);
}

/* ---- inputs ------------------------------------------------------------------------- */

/* Each dataset entity's CPU rating from the plan's cpu_ratings.csv (NaN: not rated; NULL:
 * a plan made before ratings), so the recomputed host loads are in the plan's reference
 * MHz. Caller frees. */
static double *
plan_ratings(const struct rpt_plan *p, const struct ks_dataset *ds)
{
    const struct ks_table *t = &p->cpu_ratings;
    if (!t->ncols)
        return NULL;
    size_t n = ks_dataset_nent(ds);
    double *perf = ks_xmalloc((n ? n : 1) * sizeof *perf);
    for (size_t i = 0; i < n; i++)
        perf[i] = NAN;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *e = ks_table_str(t, r, "entity");
        long i = e ? ks_dataset_find(ds, e) : -1;
        if (i >= 0)
            perf[i] = ks_table_num(t, r, "cpu_perf");
    }
    return perf;
}

/* Inputs first, output later: a bad plan or dataset leaves no half-written report. */
static int
load_inputs(struct rpt_ctx *c, struct ks_err *err)
{
    const struct rpt_opts *o = c->o;
    int rc = o->ndatasets >= 1
                 ? ks_dataset_read_many_keep(o->datasets, o->ndatasets, RPT_METRICS, &c->ds, err)
                 : ks_dataset_read_keep(o->dataset_dir, RPT_METRICS, &c->ds, err);
    if (rc < 0)
        return rc;
    if ((rc = rpt_plan_read(o->plan_dir, &c->plan, err)) < 0)
        return rc;
    size_t nent = ks_dataset_nent(c->ds);
    c->ent_host = ks_xmalloc((nent ? nent : 1) * sizeof *c->ent_host);
    if ((rc = rpt_plan_bind(&c->plan, c->ds, o->dataset_dir, c->ent_host, err)) < 0)
        return rc;
    for (size_t h = 0; h < c->plan.hosts.nrows; h++) {
        double cap;
        char *path = ks_path_join(o->plan_dir, "hosts.csv");
        rc = ks_table_check_num(&c->plan.hosts, path, h, "cpu_capacity_MHz", 0, &cap, err);
        if (rc == 0 && !(cap > 0))
            rc = ks_errf(err, -EINVAL, "%s:%lu: column 'cpu_capacity_MHz' must be > 0", path,
                         c->plan.hosts.lines[h]);
        free(path);
        if (rc < 0)
            return rc;
    }
    /* A plan made from a backtest's training window is checked on that window; one made
     * on all the data (--final-on-all) on the whole grid, its backtest notwithstanding. */
    struct mdl_window w = {0};
    const char *train = rpt_kv_str(&c->plan.summary, "risk_train");
    int windowed = train && *train && !rpt_plan_on_all(&c->plan.summary);
    if (windowed && (rc = mdl_window_parse(train, &w, err)) < 0) {
        ks_err_prefix(err, "%s/summary.csv: key 'risk_train': ", o->plan_dir);
        return rc;
    }
    double scale = rpt_kv_num(&c->plan.summary, "risk_demand_scale");
    double smt = c->plan.policy.ncols ? rpt_kv_num(&c->plan.policy, "smt-yield") : NAN;
    double *perf = plan_ratings(&c->plan, c->ds);
    struct rpt_plan_view pv = {.windowed = windowed, .from_s = w.from_s, .to_s = w.to_s,
                               .demand_scale = scale > 0 ? scale : 1, .cpu_perf = perf,
                               .smt_yield = isnan(smt) ? 0 : smt};
    rc = rpt_estate_build(c->ds, c->ent_host, c->plan.hosts.nrows,
                          rpt_kv_num(&c->plan.summary, "percentile"), &pv, &c->est, err);
    free(perf);
    if (rc == 0 && o->sim_path)
        rc = rpt_sim_read(o->sim_path, &c->sim, err);
    return rc;
}

/* ---- outputs ------------------------------------------------------------------------ */

/* mkdir -p: the report directory may be several levels below an existing one. */
/* REPORT_DIR, REPORT_DIR/charts and REPORT_DIR/tables; existing ones are reused. */
static int
make_dirs(const char *out, struct ks_err *err)
{
    char *charts = ks_xasprintf("%s/charts", out), *tables = ks_xasprintf("%s/tables", out);
    int rc = ks_mkdir_p(out, err);
    if (rc == 0)
        rc = ks_mkdir_p(charts, err);
    if (rc == 0)
        rc = ks_mkdir_p(tables, err);
    free(charts);
    free(tables);
    return rc;
}

/* A chart counts as drawn when its file exists and is not empty. */
static int
file_ok(const char *dir, const char *name, const char *ext)
{
    struct stat st;
    char *p = ks_xasprintf("%s/charts/%s.%s", dir, name, ext);
    int ok = stat(p, &st) == 0 && st.st_size > 0;
    free(p);
    return ok;
}

/* Write each script to charts/NAME.gp, remove stale drawings, have gnuplot load them
 * (rpt_gp_run), then mark the charts whose SVG and PNG both exist. */
static int
draw_charts(struct rpt_ctx *c, struct ks_err *err)
{
    const char *out = c->o->out_dir;
    char **scripts = ks_xmalloc((c->ncharts ? c->ncharts : 1) * sizeof *scripts);
    const char **names = ks_xmalloc((c->ncharts ? c->ncharts : 1) * sizeof *names);
    for (size_t i = 0; i < c->ncharts; i++) {
        static const char *const ext[] = {"svg", "png"};
        for (int k = 0; k < 2; k++) {
            char *p = ks_xasprintf("%s/charts/%s.%s", out, c->charts[i].name, ext[k]);
            unlink(p);
            free(p);
        }
        char *gp = ks_xasprintf("%s/charts/%s.gp", out, c->charts[i].name);
        struct ks_afile af;
        int rc = ks_afile_open(&af, gp, err);
        free(gp);
        if (rc == 0) {
            fputs(c->charts[i].script, af.f);
            rc = ks_afile_commit(&af, err);
        }
        if (rc < 0) {
            free(scripts);
            free(names);
            return rc;
        }
        scripts[i] = c->charts[i].script;
        names[i] = c->charts[i].name;
    }
    /* The exit status of gnuplot is not trusted alone: a script error in one chart
     * makes gnuplot exit non-zero after drawing the others, so each chart's files
     * are checked below instead. */
    if (c->gnuplot && c->ncharts) {
        struct ks_err gerr = {0};
        /* A failing chart is shown as failed in the page, not fatal to the report. */
        (void)rpt_gp_run(out, c->o->gnuplot_path, names, scripts, c->ncharts, &gerr);
    }
    free(scripts);
    free(names);
    for (size_t i = 0; i < c->ncharts; i++)
        c->charts[i].drawn = c->gnuplot && file_ok(out, c->charts[i].name, "svg") &&
                             file_ok(out, c->charts[i].name, "png");
    return 0;
}

/* Each table atomically and spreadsheet-safe (ks_table_write_sheet): a crash never
 * leaves half a CSV, and a name never opens as a formula. */
static int
write_tables(const struct rpt_ctx *c, struct ks_err *err)
{
    for (size_t i = 0; i < c->ntables; i++) {
        char *p = ks_xasprintf("%s/tables/%s.csv", c->o->out_dir, c->tables[i].name);
        int rc = ks_table_write_sheet(&c->tables[i].t, p, err);
        free(p);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* index.html atomically too; sections are numbered in page order. */
static int
write_html(const struct rpt_ctx *c, const char *path, struct ks_err *err)
{
    struct ks_afile af;
    int rc = ks_afile_open(&af, path, err);
    if (rc < 0)
        return rc;
    rpt_html_begin(af.f, c);
    for (const struct rpt_section *s = rpt_sections; s->id; s++) {
        fprintf(af.f, "<section id=\"%s\">\n<h2>%d. %s</h2>\n", s->id,
                (int)(s - rpt_sections) + 1, s->title);
        s->html(c, af.f);
        fputs("</section>\n", af.f);
    }
    rpt_html_end(af.f, c);
    return ks_afile_commit(&af, err);
}

/* Order: inputs, directories, every section's build, charts, tables, page. gnuplot
 * is looked up after the builds so scripts exist (as charts/NAME.gp) even without it. */
int
rpt_report_run(const struct rpt_opts *o, struct rpt_result *res, struct ks_err *err)
{
    struct rpt_ctx c = {.o = o};
    memset(res, 0, sizeof *res);
    int rc = load_inputs(&c, err);
    if (rc == 0)
        rc = make_dirs(o->out_dir, err);
    for (const struct rpt_section *s = rpt_sections; rc == 0 && s->id; s++, res->sections++)
        if (s->build)
            rc = s->build(&c, err);
    if (rc == 0) /* the host charts pick hosts by the Risk and Rules sections' tables */
        rc = rpt_host_charts_build(&c, err);
    c.gnuplot = rpt_gp_available(o->gnuplot_path);
    if (rc == 0)
        rc = draw_charts(&c, err);
    if (rc == 0)
        rc = write_tables(&c, err);
    if (rc == 0) {
        res->index_path = ks_xasprintf("%s/index.html", o->out_dir);
        rc = write_html(&c, res->index_path, err);
    }
    res->gnuplot = c.gnuplot;
    res->tables = c.ntables;
    res->charts = c.ncharts;
    struct rpt_buf failed = {0};
    for (size_t i = 0; i < c.ncharts; i++) {
        res->charts_drawn += (size_t)c.charts[i].drawn;
        if (!c.charts[i].drawn)
            rpt_buf_printf(&failed, "%s%s", failed.len ? ", " : "", c.charts[i].name);
    }
    res->failed = failed.s; /* NULL when every chart was drawn */
    ctx_fini(&c);
    return rc;
}

void
rpt_result_fini(struct rpt_result *res)
{
    free(res->index_path);
    free(res->failed);
    memset(res, 0, sizeof *res);
}
