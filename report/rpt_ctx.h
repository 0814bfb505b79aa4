/*
 * rpt_ctx: the state one report run shares between its sections, and the table of
 * sections itself. A section is one entry: an id (the HTML anchor), a title, a build
 * step that computes its tables and chart scripts, and an html step that writes its
 * part of index.html. Adding a section (Risk, Storage, Rules, ...) is one function
 * pair and one line in rpt_sections[] (rpt_sections.c); nothing else changes.
 */
#ifndef RPT_CTX_H
#define RPT_CTX_H

#include <stdio.h>

#include "core/ks_dataset.h"
#include "report/rpt_estate.h"
#include "report/rpt_plan.h"
#include "report/rpt_report.h"

/* A table of the report: written to tables/NAME.csv and shown in the page. */
struct rpt_table {
    char *name;
    struct ks_table t;
};

/* A chart: its gnuplot script; drawn is set once charts/NAME.svg exists. */
struct rpt_chart_ent {
    char *name;
    char *script;
    int drawn;
};

struct rpt_ctx {
    const struct rpt_opts *o;
    struct ks_dataset *ds;    /* owned */
    struct rpt_plan plan;     /* owned */
    long *ent_host;           /* per dataset entity: hosts.csv row or -1 (owned) */
    struct rpt_estate est;    /* owned */
    struct ks_table sim;      /* ncols == 0 without --sim (owned) */
    int gnuplot;              /* gnuplot available */
    struct rpt_table *tables; /* owned */
    size_t ntables, tcap;
    struct rpt_chart_ent *charts; /* owned */
    size_t ncharts, ccap;
    /* Host charts of a large estate (rpt_host_charts.c): hosts with VMs, with overloads
     * in the backtest, carrying rule members. */
    size_t host_charts_withvm, host_charts_risky, host_charts_ruled;
};

struct rpt_section {
    const char *id, *title;
    int (*build)(struct rpt_ctx *c, struct ks_err *err); /* may be NULL */
    void (*html)(const struct rpt_ctx *c, FILE *f);
};
/* Every section in page order, ended by an entry with id NULL. */
extern const struct rpt_section rpt_sections[];

/* A new table tables/NAME.csv with these columns; the ctx owns it. */
struct ks_table *rpt_ctx_table(struct rpt_ctx *c, const char *name, const char *const *cols,
                               size_t ncols);
/* A table by name, or NULL. */
const struct ks_table *rpt_ctx_find(const struct rpt_ctx *c, const char *name);
/* Register chart NAME with its script (ownership passes to the ctx). */
void rpt_ctx_chart(struct rpt_ctx *c, const char *name, char *script);
/* Was chart NAME drawn? */
int rpt_ctx_drawn(const struct rpt_ctx *c, const char *name);

/* A value of the plan's summary.csv (NULL / NaN when absent). */
const char *rpt_sum_str(const struct rpt_ctx *c, const char *key);
double rpt_sum_num(const struct rpt_ctx *c, const char *key);

#endif
