/*
 * rpt_sections: the build and html steps of each report section (see rpt_ctx.h for the
 * contract), one pair per section, listed in page order in rpt_sections[].
 */
#ifndef RPT_SECTIONS_H
#define RPT_SECTIONS_H

#include "report/rpt_ctx.h"

int rpt_summary_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_summary_html(const struct rpt_ctx *c, FILE *f);
int rpt_assume_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_assume_html(const struct rpt_ctx *c, FILE *f);
int rpt_estate_sec_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_estate_sec_html(const struct rpt_ctx *c, FILE *f);
int rpt_plan_sec_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_plan_sec_html(const struct rpt_ctx *c, FILE *f);
int rpt_licence_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_licence_html(const struct rpt_ctx *c, FILE *f);
int rpt_ports_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_ports_html(const struct rpt_ctx *c, FILE *f);
int rpt_cost_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_cost_html(const struct rpt_ctx *c, FILE *f);
/* The cost figures of the plan with their sources (part of the assumptions section). */
void rpt_cost_assume_html(const struct rpt_ctx *c, FILE *f);
int rpt_sim_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_sim_html(const struct rpt_ctx *c, FILE *f);
int rpt_placement_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_placement_html(const struct rpt_ctx *c, FILE *f);

/* Up to this many servers the report shows each one (a heatmap row per server, every
 * placement and host row inline); above it the page aggregates (percentile bands, the
 * busiest first, the rest linked as CSV), so 10,000 servers stay a page a person reads.
 * 60 is where the coverage list already stops listing every server. */
#define RPT_SMALL_ESTATE 60
/* Rows shown inline of a per-server or per-host table of a large estate. */
#define RPT_LARGE_ROWS 50
static inline int
rpt_small_estate(const struct rpt_ctx *c)
{
    return c->est.nent <= RPT_SMALL_ESTATE;
}

/* Copy every row of src into a new report table NAME (same columns). */
struct ks_table *rpt_copy_table(struct rpt_ctx *c, const char *name, const struct ks_table *src);
/* Downsampling bucket for charts over the grid: the native step while the chart has
 * at most 500 columns, else 1 h, 4 h or 1 day (the first that fits). */
double rpt_chart_bucket_s(double step_s, size_t nsteps);
/* The same with at most maxcols columns. */
double rpt_chart_bucket_cols(double step_s, size_t nsteps, size_t maxcols);

#endif
