/*
 * rpt_risk: the report's "Risk" section (issue 12): the backtest of the plan on data it
 * was not made from (risk.csv, risk_hosts.csv, risk_missing.csv), the sweep curve of
 * host count against overload share (risk_sweep.csv) with the advice, and the rolling
 * folds (risk_rolling.csv). A plan directory without risk.csv gets a one-line note.
 * When the plan of record was made on all the data (summary.csv plan_made_on = all),
 * the section presents the backtest as evidence for the method, not for this placement.
 */
#ifndef RPT_RISK_H
#define RPT_RISK_H

#include <stdio.h>

#include "report/rpt_ctx.h"

int rpt_risk_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_risk_html(const struct rpt_ctx *c, FILE *f);
/* The advice as one sentence of the executive summary (nothing without risk keys in
 * summary.csv). */
void rpt_risk_summary_html(const struct rpt_ctx *c, FILE *f);
/* Was the plan of record made on all the data, its backtest's plan on a training window
 * only (summary.csv plan_made_on = all: kasane plan --final-on-all)? Older plan
 * directories without the key made it on the training window. */
int rpt_plan_on_all(const struct ks_table *summary);
/* "all N days of data (FROM..TO)" for a plan made on all the data: the window of
 * summary.csv plan_window, escaped. */
void rpt_plan_window_html(const struct rpt_ctx *c, FILE *f);

/* The sweep curve: overload share (% of host-steps, per resource) against host count,
 * one point per setting, labelled with it; the target as a dashed line and the advised
 * point circled (advice < 0: none). Pure: data in, gnuplot script out. */
struct rpt_risk_curve {
    const char *name, *title;
    size_t npts;
    const double *hosts;          /* npts */
    const double *cpu, *mem;      /* npts shares, % (NaN: no plan at that setting) */
    const char *const *labels;    /* npts settings */
    double target_pct;
    long advice;
};
char *rpt_gp_risk(const struct rpt_risk_curve *c);

#endif
