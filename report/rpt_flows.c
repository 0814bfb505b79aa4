/* The "Traffic between hosts" section (rpt_flows.h). */
#include "report/rpt_flows.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ks_merge.h"
#include "report/rpt_html.h"
#include "report/rpt_util.h"

/* Pairs (a, b) with summed bytes, keyed "a\tb". */
struct pairsum {
    struct ks_map ix;
    char **a, **b;
    double *bytes;
    size_t n, cap;
};

static void
pair_add(struct pairsum *p, const char *a, const char *b, double bytes)
{
    char *key = ks_xasprintf("%s\t%s", a, b);
    uint32_t i;
    if (!ks_map_get(&p->ix, key, &i)) {
        size_t c = p->cap;
        p->a = ks_xgrow(p->a, &c, p->n + 1, sizeof *p->a);
        c = p->cap;
        p->b = ks_xgrow(p->b, &c, p->n + 1, sizeof *p->b);
        p->bytes = ks_xgrow(p->bytes, &p->cap, p->n + 1, sizeof *p->bytes);
        i = (uint32_t)p->n++;
        p->a[i] = ks_xstrdup(a);
        p->b[i] = ks_xstrdup(b);
        p->bytes[i] = 0;
        ks_map_put(&p->ix, key, i);
    }
    p->bytes[i] += bytes;
    free(key);
}

static void
pair_fini(struct pairsum *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->a[i]);
        free(p->b[i]);
    }
    free(p->a);
    free(p->b);
    free(p->bytes);
    ks_map_fini(&p->ix);
}

static const char *
endpoint(const struct ks_dataset *ds, const struct ks_map *m, const char *addr)
{
    uint32_t e;
    return addr && ks_map_get(m, addr, &e) ? ks_dataset_entity(ds, e) : "outside";
}

/* The future host of an entity: placement.csv's host, or itself when it stays
 * physical ("-") or is not in the plan ("outside"). */
static const char *
host_of(const struct rpt_ctx *c, const struct ks_map *pl, const char *entity)
{
    uint32_t r;
    if (!ks_map_get(pl, entity, &r))
        return entity;
    const char *h = ks_table_str(&c->plan.placement, r, "host");
    return h && strcmp(h, "-") != 0 ? h : entity;
}

/* Table NAME (src, dst, bytes, GiB, share_pct, avg_Mbps) from pairs, largest first,
 * at most max rows (0 = all). avg_Mbps over span_s seconds (NaN: unknown). */
static void
pair_table(struct rpt_ctx *c, const char *name, const char *ca, const char *cb,
           struct pairsum *p, double total, double span_s, size_t max)
{
    const char *cols[] = {ca, cb, "bytes", "GiB", "share_pct", "avg_Mbps"};
    struct ks_table *t = rpt_ctx_table(c, name, cols, 6);
    size_t *ord = ks_xmalloc((p->n + 1) * sizeof *ord);
    for (size_t i = 0; i < p->n; i++)
        ord[i] = i;
    for (size_t i = 1; i < p->n; i++) /* insertion sort: a few hundred pairs at most */
        for (size_t j = i; j > 0 && p->bytes[ord[j]] > p->bytes[ord[j - 1]]; j--) {
            size_t x = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = x;
        }
    for (size_t k = 0; k < p->n && (!max || k < max); k++) {
        size_t i = ord[k], r = ks_table_add_row(t);
        ks_table_set(t, r, 0, p->a[i]);
        ks_table_set(t, r, 1, p->b[i]);
        ks_table_set_num(t, r, 2, p->bytes[i]);
        ks_table_set_num(t, r, 3, round(p->bytes[i] / 1073741824.0 * 1000) / 1000);
        ks_table_set_num(t, r, 4, total > 0 ? round(p->bytes[i] / total * 1000) / 10 : NAN);
        ks_table_set_num(t, r, 5, round(p->bytes[i] * 8 / span_s / 1e6 * 1000) / 1000);
    }
    free(ord);
}

/* Which entities captured (have rows in flows.csv). */
static void
capturers(const struct ks_table *fl, struct ks_map *m)
{
    ks_map_init(m);
    for (size_t r = 0; r < fl->nrows; r++)
        ks_map_put(m, ks_table_str(fl, r, "entity"), 1);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Seconds the rows of flows.csv cover: last - first row time plus one interval (the
 * smallest step between distinct times, since a row's time ends its interval). NaN
 * with fewer than two distinct times. */
static double
span_s(const struct ks_table *fl)
{
    double *t = ks_xmalloc((fl->nrows + 1) * sizeof *t), step = INFINITY;
    size_t n = 0;
    for (size_t r = 0; r < fl->nrows; r++)
        if (!isnan(t[n] = ks_table_num(fl, r, "time")))
            n++;
    qsort(t, n, sizeof *t, cmp_double);
    for (size_t i = 1; i < n; i++)
        if (t[i] > t[i - 1] && t[i] - t[i - 1] < step)
            step = t[i] - t[i - 1];
    double span = isinf(step) ? NAN : t[n - 1] - t[0] + step;
    free(t);
    return span;
}

static void
aggregate(struct rpt_ctx *c, const struct ks_table *fl)
{
    struct ks_map am, pl, cap;
    struct pairsum hosts = {0}, ents = {0};
    double total = 0;
    uint32_t dummy;
    ks_dataset_addr_map(c->ds, &am);
    capturers(fl, &cap);
    ks_map_init(&pl);
    ks_map_init(&hosts.ix);
    ks_map_init(&ents.ix);
    for (size_t r = 0; r < c->plan.placement.nrows; r++)
        ks_map_put(&pl, ks_table_str(&c->plan.placement, r, "entity"), (uint32_t)r);
    for (size_t r = 0; r < fl->nrows; r++) {
        const char *cap_ent = ks_table_str(fl, r, "entity");
        const char *s = endpoint(c->ds, &am, ks_table_str(fl, r, "src"));
        const char *d = endpoint(c->ds, &am, ks_table_str(fl, r, "dst"));
        double b = ks_table_num(fl, r, "bytes");
        if (isnan(b) || !cap_ent || (strcmp(s, cap_ent) != 0 && ks_map_get(&cap, s, &dummy)))
            continue; /* the source's own capture has this flow */
        pair_add(&ents, s, d, b);
        pair_add(&hosts, host_of(c, &pl, s), host_of(c, &pl, d), b);
        total += b;
    }
    double span = span_s(fl);
    pair_table(c, "traffic_matrix", "src_host", "dst_host", &hosts, total, span, 0);
    pair_table(c, "top_talkers", "src", "dst", &ents, total, span, 20);
    pair_fini(&hosts);
    pair_fini(&ents);
    ks_map_fini(&am);
    ks_map_fini(&pl);
    ks_map_fini(&cap);
}

/* The columns the section reads, in the order the merged table keeps them. */
static const char *const flow_req[] = {"time", "entity", "src", "dst", "bytes", NULL};
#define FLOW_NREQ 5

/* Rows of one dataset's flows.csv appended to all. A capturing entity already seen in
 * another dataset's flows.csv is refused, as ks_dataset_merge refuses an entity in two
 * datasets: both views would be counted. owner maps entity -> index into dirs. */
static int
append_rows(const struct ks_table *fl, const char *path, char *const *dirs, size_t d,
            struct ks_map *owner, struct ks_table *all, struct ks_err *err)
{
    for (size_t r = 0; r < fl->nrows; r++) {
        const char *e = ks_table_str(fl, r, "entity");
        uint32_t o;
        if (e && ks_map_get(owner, e, &o) && o != d)
            return ks_errf(err, -EINVAL,
                           "%s:%lu: entity '%s' also captured flows in %s: entity names must "
                           "be unique across merged datasets",
                           path, fl->lines[r], e, dirs[o]);
        if (e)
            ks_map_put(owner, e, (uint32_t)d);
        size_t a = ks_table_add_row(all);
        for (int k = 0; k < FLOW_NREQ; k++)
            ks_table_set(all, a, k, ks_table_str(fl, r, flow_req[k]));
    }
    return 0;
}

/* Read dirs[d]/flows.csv into all; *nrows = its row count, or -1 when it has none.
 * Errors name the file, line and field. */
static int
read_one(char *const *dirs, size_t d, struct ks_map *owner, struct ks_table *all,
         long *nrows, struct ks_err *err)
{
    char *path = ks_path_join(dirs[d], "flows.csv");
    struct ks_table fl;
    int rc = 0;
    memset(&fl, 0, sizeof fl);
    *nrows = -1;
    if (access(path, F_OK) == 0 && (rc = ks_table_read(path, flow_req, &fl, err)) == 0) {
        double v;
        for (size_t r = 0; rc == 0 && r < fl.nrows; r++)
            rc = ks_table_check_num(&fl, path, r, "bytes", 0, &v, err);
        if (rc == 0)
            rc = append_rows(&fl, path, dirs, d, owner, all, err);
        *nrows = (long)fl.nrows;
    }
    ks_table_fini(&fl);
    free(path);
    return rc;
}

/* Table flow_sources (dataset, flows_rows; empty = no flows.csv), written only when the
 * report merges several datasets, so a one-dataset report is unchanged. */
static void
sources_table(struct rpt_ctx *c, char *const *dirs, const long *nrows, size_t n)
{
    static const char *const cols[] = {"dataset", "flows_rows"};
    struct ks_table *t = rpt_ctx_table(c, "flow_sources", cols, 2);
    for (size_t d = 0; d < n; d++) {
        size_t r = ks_table_add_row(t);
        ks_table_set(t, r, 0, dirs[d]);
        if (nrows[d] >= 0)
            ks_table_set_num(t, r, 1, (double)nrows[d]);
    }
}

/* Every dataset of the report contributes its flows.csv: traffic captured on one host
 * and traffic captured on another are one matrix (a flow both ends captured counts
 * once, from the source's side, wherever the two captures came from). */
int
rpt_flows_build(struct rpt_ctx *c, struct ks_err *err)
{
    const struct rpt_opts *o = c->o;
    char **dirs;
    size_t n;
    int rc = o->ndatasets ? ks_dataset_dirs(o->datasets, o->ndatasets, &dirs, &n, err)
                          : ks_dataset_dirs((char *const *)&o->dataset_dir, 1, &dirs, &n, err);
    long *nrows = ks_xcalloc(n ? n : 1, sizeof *nrows);
    struct ks_table all;
    struct ks_map owner;
    int any = 0;
    ks_table_init(&all, flow_req, FLOW_NREQ);
    ks_map_init(&owner);
    for (size_t d = 0; d < n && rc == 0; d++) {
        rc = read_one(dirs, d, &owner, &all, &nrows[d], err);
        any |= nrows[d] >= 0;
    }
    if (rc == 0 && n > 1)
        sources_table(c, dirs, nrows, n);
    if (rc == 0 && any)
        aggregate(c, &all);
    for (size_t d = 0; d < n; d++)
        free(dirs[d]);
    free(dirs);
    free(nrows);
    ks_table_fini(&all);
    ks_map_fini(&owner);
    return rc;
}

/* With several datasets: which of them had flows.csv and how many rows each. */
static void
sources_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *t = rpt_ctx_find(c, "flow_sources");
    size_t with = 0;
    if (!t)
        return;
    for (size_t r = 0; r < t->nrows; r++)
        with += ks_table_str(t, r, "flows_rows") != NULL;
    fprintf(f, "<p>Flows from every dataset of the report: %zu of %zu have flows.csv "
               "(flows_rows empty: none). Each is mapped with the addresses of all of them, "
               "so a flow between hosts collected apart counts once, from its source's "
               "capture.</p>\n",
            with, t->nrows);
    rpt_html_table(f, t, "flow_sources", 0);
}

void
rpt_flows_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *m = rpt_ctx_find(c, "traffic_matrix");
    if (!m) {
        rpt_html_note(f, rpt_ctx_find(c, "flow_sources")
                             ? "None of the datasets has flows.csv (collect with --pcap to "
                               "see who talks to whom)."
                             : "The dataset has no flows.csv (collect with --pcap to see who "
                               "talks to whom).");
        return;
    }
    double inside = 0, all = 0;
    for (size_t r = 0; r < m->nrows; r++) {
        double b = ks_table_num(m, r, "bytes");
        const char *a = ks_table_str(m, r, "src_host"), *d = ks_table_str(m, r, "dst_host");
        all += b;
        inside += a && d && strcmp(a, d) == 0 && strcmp(a, "outside") != 0 ? b : 0;
    }
    char nb[RPT_NUMBUF], pb[RPT_NUMBUF];
    fprintf(f, "<p>Captured traffic (flows.csv) mapped to the plan's hosts: %s GiB in all, "
               "%s%% of it between servers placed on the same host, where it no longer "
               "crosses a NIC or a switch. avg_Mbps is the average over the capture's span "
               "(size NICs on the peaks of samples.csv's pcap columns, not on it).</p>\n",
            rpt_fmt_group(nb, all / 1073741824.0, 2),
            rpt_fmt_group(pb, all > 0 ? inside / all * 100 : 0, 1));
    sources_html(c, f);
    rpt_html_table(f, m, "traffic_matrix", 0);
    fprintf(f, "<p>Top talkers (entity pairs; \"outside\" = an address no entity of the "
               "dataset owns):</p>\n");
    rpt_html_table(f, rpt_ctx_find(c, "top_talkers"), "top_talkers", 0);
}
