/* kasane plan's risk step (issue 12): plan on a training window, backtest on a test
 * window, sweep headroom / percentile, rolling weekly folds, growth (docs/risk.md). */
#ifndef CLI_PLAN_RISK_H
#define CLI_PLAN_RISK_H

#include <getopt.h>

#include "core/ks_dataset.h"
#include "model/mdl_plan.h"
#include "model/mdl_risk.h"

/* getopt_long ids of the risk flags: PLAN_RISK_OPT + index into plan_risk_opts. */
#define PLAN_RISK_OPT 1200
#define PLAN_RISK_NOPTS 9
extern const struct option plan_risk_opts[PLAN_RISK_NOPTS];

struct plan_risk_args {
    const char *train, *test;       /* FROM..TO, NULL: the default split */
    struct mdl_sweep_dim dims[2];
    size_t ndims;
    double target_pct;              /* --risk-target, % (set by plan_risk_opt; 0.1) */
    double growth_pct;              /* --growth, % a year; NaN: none */
    int rolling, backtest, target_set;
    int final_on_all;               /* --final-on-all: the plan of record on all data */
    int size_for_risk;              /* --size-for-risk: margins per host (mdl_risk_size.h) */
};

/* Defaults: target 0.1%, no growth, nothing wanted. */
void plan_risk_init(struct plan_risk_args *a);
/* Handle flag id (a getopt value in PLAN_RISK_OPT ..); 0, or a usage error already
 * printed (exit status 2). */
int plan_risk_opt(struct plan_risk_args *a, int id, const char *arg);
/* Was any risk flag given? (--final-on-all alone is none: it changes a backtest.) */
int plan_risk_wanted(const struct plan_risk_args *a);
/* After parsing: 0, or a usage error already printed (exit status 2) when
 * --final-on-all comes without a backtest to go with it. */
int plan_risk_check(const struct plan_risk_args *a);
/* The risk flags' lines of `kasane plan --help`. */
void plan_risk_usage(void);

/* Everything the risk step holds between planning and writing. */
struct plan_risk;
/* Make the plan of record: on the training window when risk is wanted (the result is
 * sized for risk with --size-for-risk: mdl_risk_size; else
 * re-keyed to the whole dataset; pol's rules re-bound to the window by name, owned by
 * *rs, which must therefore outlive the plan), else mdl_plan_run on ds. With
 * --final-on-all the training window's plan stays in *rs for the backtest and *pl is
 * made on all of ds with the same policy and rules (mdl_plan_all). *rs is NULL when
 * risk is not wanted. */
int plan_risk_plan(const struct plan_risk_args *a, const struct ks_dataset *ds,
                   const char *name, const struct mdl_policy *pol,
                   const struct mdl_catalog *cat, struct mdl_plan **pl,
                   struct plan_risk **rs, struct ks_err *err);
/* What each placement rule costs (mdl_rules_costs, the first PLAN_RULES_REPLANS rules):
 * re-planned on the data the plan of record was made on: the training window with the
 * rules re-bound to it when rs holds a backtest without --final-on-all, else ds with
 * rules (its grown copy with --growth). */
#define PLAN_RULES_REPLANS 16
void plan_risk_rules_costs(struct plan_risk *rs, const struct ks_dataset *ds, const char *name,
                           const struct mdl_catalog *cat, struct mdl_rules *rules,
                           struct mdl_plan *pl);
/* After mdl_plan_write: backtest (of the training window's plan, which is pl itself
 * unless --final-on-all), sweep, rolling folds, growth; write the risk files into out
 * and print the figures. With rs NULL it only removes stale risk files. */
int plan_risk_finish(struct plan_risk *rs, const struct mdl_plan *pl, const char *out,
                     struct ks_err *err);
void plan_risk_free(struct plan_risk *rs);

#endif
