/*
 * mdl_risk_size: size each host for a stated risk instead of a uniform headroom
 * (kasane plan --size-for-risk, issue 20 item 1; method and sources in docs/risk.md).
 *
 * A plan packed on the training window holds every host's summed series under capacity
 * at every training step (percentile 100). New data strays from it. Each host here gets
 * its own margin per resource: it keeps mean + kappa x width of its summed series under
 * capacity, where width = max(tail, peak) - mean and the tail is the (100 - target)
 * percentile of the sum over alignments of its VMs' series, the measured one and others
 * with each VM shifted by its own pseudo-random offset (mdl_risk_size.c, "One host's
 * spread and tail": the chance constraint of stochastic bin packing, Wang, Meng & Zhang,
 * INFOCOM 2011, on the VMs' empirical distributions; VMs busy together stay together in
 * the measured alignment, rare spikes get to meet in the shifted ones). The margin is
 * carried by the host's VMs in proportion to their part of that tail (their mean excess
 * in the steps at or above it, the correlation-aware "effective size" of Chen et al.,
 * IM 2011, taken on the host the VM actually shares), added to every step of their
 * series before packing; since shares depend on who shares a host, the plan is packed
 * again until every host's margin holds (at most a few rounds). The sum's spread sd
 * (variances plus positive covariances) is reported beside it.
 *
 * kappa is learned, not guessed: the training window is split into a fit part (the
 * first 3/4) and a held-back part (the last 1/4). A plan without margin is made on the
 * fit part; kappa per resource is the (1 - target) quantile, over its hosts and the
 * held-back steps, of (held-back load - fit mean) / fit tail width. The margins are then
 * validated: a plan sized with them on the fit part is replayed on the held-back part,
 * and kappa is raised until that replay's overload share meets the target (or a few
 * rounds have passed: said so). The plan of record is finally sized on the whole
 * training window with the validated kappa; then kappa is raised while the plan keeps
 * that many hosts (the slack its last host leaves is spent on every host's margin).
 *
 * Limits: the held-back quarter is the only evidence of how new data strays; a test
 * window that differs in kind (a month-end batch, a migration, growth) is not foreseen
 * (docs/risk.md). Nothing here prints; errors are negative codes with a message.
 */
#ifndef MDL_RISK_SIZE_H
#define MDL_RISK_SIZE_H

#include "model/mdl_risk.h"

/* Margins added to each entity's demand at every step before packing (policy .margin):
 * add[e * MDL_RISK_NRES + k], entity e of the dataset planned, resource k (CPU in the
 * plan's reference MHz, memory in MiB). */
struct mdl_margin {
    size_t nent;
    double *add; /* owned */
};

/* One host of the risk-sized plan. */
struct mdl_risk_size_host {
    double sd[MDL_RISK_NRES];     /* sd of the host's summed series on the training window */
    double tail[MDL_RISK_NRES];   /* its (100 - target) percentile over shifted alignments */
    double margin[MDL_RISK_NRES]; /* margin carried by its VMs (mean + kappa x width - peak) */
    double peak[MDL_RISK_NRES];   /* training peak of the sum, raw */
    double cap[MDL_RISK_NRES];    /* usable capacity */
};

struct mdl_risk_size {
    struct mdl_window fit, hold;       /* the training window's two parts */
    double target_pct;
    double kappa_learned[MDL_RISK_NRES]; /* the held-back quantile */
    double kappa_valid[MDL_RISK_NRES];   /* after validation */
    double kappa[MDL_RISK_NRES];         /* of the plan: raised while the host count
                                          * allows (the slack of its last host) */
    int slack_steps;                     /* raises of kappa the host count allowed */
    double hold_pct[MDL_RISK_NRES];      /* validation: overload share on the held-back part */
    size_t hold_hosts;                   /* hosts of the validation plan */
    int rounds;                          /* validation plans made */
    int validated;                       /* the last validation met the target */
    int rounds_sized;                    /* packings of the final plan (margin re-shares) */
    size_t hosts_short;                  /* final hosts whose margin does not fit */
    size_t nhosts;
    struct mdl_risk_size_host *h;        /* nhosts of the final plan (owned) */
};

/* Size for risk on the training window's dataset train (spanning tw) with policy pol
 * (its rules bound to train; its headroom is replaced by the margins) and target_pct;
 * *pl receives the risk-sized plan, out the method's figures. Errors: a training window
 * too short to split (fewer than 8 steps in either part), and mdl_plan_run's. */
int mdl_risk_size(const struct ks_dataset *train, const struct mdl_window *tw,
                  const char *name, const struct mdl_policy *pol,
                  const struct mdl_catalog *cat, double target_pct, struct mdl_risk_size *out,
                  struct mdl_plan **pl, struct ks_err *err);
void mdl_risk_size_fini(struct mdl_risk_size *s);
void mdl_margin_fini(struct mdl_margin *m);

#endif
