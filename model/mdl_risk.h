/*
 * mdl_risk: plan risk by backtesting (issue 12).
 *
 * A plan is packed on a training window of the dataset and the placement is replayed
 * on a test window the planner never saw. The replay sums each host's VMs step by step
 * (CPU busy MHz and memory MiB, the planner's own demand rules, mdl_demand_build) and
 * compares the sums with the host's usable capacity (after hypervisor overhead, before
 * headroom: headroom is a planning margin, the hardware ends at the usable capacity).
 *
 * Measures, per host and in total, for each resource: the share of host-steps over
 * capacity, the worst load as % of capacity, the longest run of consecutive overloaded
 * steps, and the VMs involved. Shares are over the hosts that carry VMs (HA spares are
 * empty in the nominal plan and would only dilute them) times the test window's steps.
 *
 * Windows: an instant is `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` (UTC) or UNIX seconds; a
 * window `FROM..TO` holds the samples whose end time t has FROM < t <= TO (samples
 * are stamped at the end of their interval). A date-only TO means the end of that day,
 * so `2011-03-03..2011-03-03` is that whole day. An entity with no sample in a window
 * is missing from it: left out of that window's dataset and listed, never filled in.
 *
 * Sweeps plan at each setting of one or two policy keys (headroom, percentile) and
 * backtest each; the advice is the smallest host count whose overload share stays at
 * or under a target for every resource. Growth scales the training demand by
 * (1 + g)^years before packing, and the backtest finds the month at which the test
 * window, grown at the same rate, first crosses the target.
 *
 * Placement rules (mdl_rules.h) hold in every plan a backtest makes: the rules are
 * re-bound by entity name to each training window (mdl_rules_rebind), a member without a
 * sample there leaves its rule for that window, and a rule left with too few members is
 * skipped there and listed (risk_rules.csv). The replay counts overloads on the placement
 * the rules produced; entities an exclude rule keeps physical are not replayed.
 *
 * Nothing here prints. Errors: negative codes with a message in struct ks_err.
 */
#ifndef MDL_RISK_H
#define MDL_RISK_H

#include <stddef.h>

#include "core/ks_dataset.h"
#include "model/mdl_plan.h"
#include "model/mdl_rules.h"

#define MDL_WEEK_S (7 * 86400.0)
/* Resources the backtest checks: 0 CPU, 1 memory. */
#define MDL_RISK_NRES 2
extern const char *const mdl_risk_res[MDL_RISK_NRES];

/* ---- Windows ------------------------------------------------------------------------- */

struct mdl_window {
    double from_s, to_s; /* (from, to], UNIX seconds */
};

/* Parse one instant; is_end turns a date-only value into the end of that day.
 * -EINVAL when malformed. */
int mdl_time_parse(const char *s, int is_end, double *out);
/* Parse `FROM..TO`; errors name the text and what is wrong (usage errors). */
int mdl_window_parse(const char *s, struct mdl_window *w, struct ks_err *err);
/* `YYYY-MM-DDTHH:MMZ..YYYY-MM-DDTHH:MMZ` into buf (n >= 48). */
const char *mdl_window_fmt(char *buf, size_t n, const struct mdl_window *w);
/* One time as windows write theirs (YYYY-MM-DDTHH:MMZ, UTC); returns buf. */
const char *mdl_time_fmt(char *buf, size_t n, double t);
/* First sample's start (time - interval_s) and last sample's end. -ENOENT without
 * samples. */
int mdl_dataset_span(const struct ks_dataset *ds, double *from_s, double *to_s,
                     struct ks_err *err);
/* Train on all but the last week, test on the last week; -ERANGE when the data spans
 * less than two weeks. */
int mdl_risk_default_split(const struct ks_dataset *ds, struct mdl_window *train,
                           struct mdl_window *test, struct ks_err *err);
/* Rolling folds: train on week k, test on week k+1, for every k with both weeks in the
 * data. *folds (2 windows per fold: train, test) is allocated; returns the count, or
 * -ERANGE when the data spans less than two weeks. */
int mdl_risk_rolling_folds(const struct ks_dataset *ds, struct mdl_window **folds,
                           struct ks_err *err);

/* The samples of ds in w, of the entities that have at least one there (inventory
 * rows copied whole), and the flows.csv rows of w. scale multiplies the demand columns (cpu_pct, cpu_MHz,
 * mem_used_MiB, net_rx/tx_KiBps) and the inventory's mem_MiB (growth); 1 = as is.
 * Fails with -ERANGE when no sample falls in w (what names the window: "training"). */
int mdl_dataset_window(const struct ks_dataset *ds, const struct mdl_window *w, double scale,
                       const char *what, struct ks_dataset **out, struct ks_err *err);

/* A copy of all of ds, every entity in ds's order (inventory, samples, flows), its
 * demand scaled as mdl_dataset_window scales it: the data a growth plan of record on
 * the whole dataset packs (--final-on-all with --growth). Never fails. */
struct ks_dataset *mdl_dataset_scaled(const struct ks_dataset *ds, double scale);

/* A window's dataset ready to plan on: the sub-dataset, the policy's placement rules
 * re-bound to it, and the policy pointing at them. */
struct mdl_window_data {
    struct ks_dataset *ds;              /* mdl_dataset_window (owned) */
    struct mdl_rules *rules;            /* pol.rules re-bound to ds (owned); NULL: none */
    struct mdl_policy pol;              /* shallow copy of the policy, .rules = rules */
};
/* mdl_dataset_window (same arguments, same errors), then the rules of pol re-bound to
 * it as the "<what> window". On error out holds nothing. */
int mdl_window_data_open(const struct ks_dataset *ds, const struct mdl_window *w, double scale,
                         const char *what, const struct mdl_policy *pol,
                         struct mdl_window_data *out, struct ks_err *err);
void mdl_window_data_fini(struct mdl_window_data *wd);

/* The plan of record on all of ds (--final-on-all, docs/risk.md): the backtest measured
 * the method on a training window; this applies the same method (policy pol, its rules
 * bound to ds, as given) to every sample. scale multiplies the demand (growth, as the
 * training plan's was); at 1 it is mdl_plan_run on ds itself, the plan a run without risk
 * flags makes. Otherwise the plan is made on mdl_dataset_scaled(ds) held in *wd with the
 * rules re-bound to it (free *wd after the plan: the plan borrows its rules), and
 * re-keyed to ds. *wd is zeroed at 1. Errors: mdl_plan_run's. */
int mdl_plan_all(const struct ks_dataset *ds, const char *name, const struct mdl_policy *pol,
                 const struct mdl_catalog *cat, double scale, struct mdl_window_data *wd,
                 struct mdl_plan **pl, struct ks_err *err);

/* Called with every plan a sweep or rolling backtest makes, before it is freed (what:
 * "headroom=10" or "fold 2"); lets a caller check each placement on its own. */
struct mdl_risk_hook {
    void (*plan)(void *ctx, const char *what, const struct mdl_plan *pl);
    void *ctx;
};

/* ---- Backtest ------------------------------------------------------------------------ */

struct mdl_risk_host {
    size_t vms;                         /* VMs placed here that the test window has */
    size_t over[MDL_RISK_NRES];         /* steps over capacity per resource */
    size_t over_any, longest_run;       /* steps with any resource over; longest run */
    double worst_pct[MDL_RISK_NRES];    /* highest load, % of usable capacity */
    size_t worst_step;                  /* step of the highest load of the worst resource */
    char *top_vms;                      /* biggest contributors at worst_step ("a;b;c"), owned */
    int spare;                          /* an HA spare of the plan */
};

struct mdl_risk {
    struct mdl_window train, test;
    size_t nhosts;                      /* hosts of the plan (spares included) */
    size_t loaded;                      /* hosts that carry VMs: the share's denominator */
    size_t steps;                       /* test window steps */
    double step_s, t0;                  /* test grid: step, end of its first window */
    size_t over[MDL_RISK_NRES];         /* host-steps over capacity per resource */
    double share_pct[MDL_RISK_NRES];    /* over / (loaded x steps), % */
    double worst_pct;                   /* highest load over all hosts and resources, % */
    size_t longest_run;                 /* longest run of overloaded steps on one host */
    size_t hosts_over;                  /* hosts with at least one overloaded step */
    size_t vms_over;                    /* VMs on those hosts */
    size_t common;                      /* placed entities present in the test window */
    size_t physical;                    /* test entities an exclude rule keeps physical */
    size_t gaps;                        /* of them, with unknown test steps (filled) */
    char **miss_train, **miss_test;     /* entities missing from a window, owned */
    size_t nmiss_train, nmiss_test;
    struct mdl_risk_host *h;            /* nhosts */
    double *load;                       /* nhosts x NRES x steps sums (for growth) */
    double *cap;                        /* nhosts x NRES usable capacity */
};

/* Replay plan pl (made from a training window) on test dataset tds. Entities of tds
 * that the plan did not place are listed in miss_train (unless an exclude rule of the
 * plan keeps them physical: counted in physical); placed entities tds lacks in
 * miss_test. -ERANGE when the test window has no entity in common with the plan. */
int mdl_risk_backtest(const struct mdl_plan *pl, const struct ks_dataset *tds,
                      struct mdl_risk *r, struct ks_err *err);
void mdl_risk_fini(struct mdl_risk *r);
/* Re-key a plan made from a window's dataset to the whole dataset ds: entities the
 * window lacked stay unplaced (host -1, written as `-` / physical). */
void mdl_risk_widen(struct mdl_plan *pl, const struct ks_dataset *ds);
/* Remove the risk files of a plan directory (before a new plan is written there). */
void mdl_risk_clean(const char *dir);
/* Highest overload share (% of loaded host-steps, over resources) with the test
 * demand multiplied by f. */
double mdl_risk_share_at(const struct mdl_risk *r, double f);
/* Months (0..max_months) the plan holds when the test demand grows growth_pct a year:
 * the last whole month whose share stays <= target_pct; -1 when even month 0 exceeds
 * it; max_months when it never does within. */
int mdl_risk_holds_months(const struct mdl_risk *r, double growth_pct, double target_pct,
                          int max_months);

/* ---- Sweeps and advice --------------------------------------------------------------- */

/* One dimension of a sweep: key=FROM:TO:STEP over a policy key. */
struct mdl_sweep_dim {
    char key[32];                       /* "headroom" or "percentile" */
    double from, to, step;
};
/* Parse `KEY=FROM:TO:STEP`; -EINVAL (a usage error) when malformed or the key is not
 * sweepable. */
int mdl_sweep_parse(const char *s, struct mdl_sweep_dim *d, struct ks_err *err);

struct mdl_sweep_row {
    char setting[64];                   /* "headroom=10" or "headroom=10 percentile=95" */
    double val[2];                      /* the setting's values per dimension */
    int planned;                        /* 0: no plan at this setting (reason) */
    char reason[200];
    size_t hosts;
    char host_model[64];
    double share_pct[MDL_RISK_NRES], worst_pct;
    size_t longest_run;
};

struct mdl_sweep {
    size_t n;
    struct mdl_sweep_row *rows;         /* owned */
    double target_pct;
    long advice;                        /* row of the advice, -1 when none meets it */
};

/* Plan on train at every valid setting of dims (their product), backtest each on
 * test. Invalid settings (headroom outside 0-95, percentile outside 1-100) are
 * skipped; none left is -EINVAL naming the range. A setting whose plan fails is kept
 * as a row with its reason; when every one fails the first failure is returned.
 * pol->rules, when set, must be bound to train (mdl_window_data_open). hook may be
 * NULL. */
int mdl_risk_sweep(const struct ks_dataset *train, const char *name,
                   const struct ks_dataset *test, const struct mdl_policy *pol,
                   const struct mdl_catalog *cat, const struct mdl_sweep_dim *dims,
                   size_t ndims, double target_pct, const struct mdl_risk_hook *hook,
                   struct mdl_sweep *out, struct ks_err *err);
void mdl_sweep_fini(struct mdl_sweep *s);

/* One rolling fold's figures. */
struct mdl_fold {
    struct mdl_window train, test;
    size_t hosts;
    double share_pct[MDL_RISK_NRES], worst_pct;
    int planned;
    char reason[200];
    struct mdl_rules *rules;            /* pol->rules re-bound to the fold's training
                                         * window (owned); NULL without rules */
};
/* Plan and backtest every fold at policy pol (a fold whose plan fails keeps its
 * reason); placement rules of pol (bound to any dataset with the same names) are
 * re-bound to each fold's training window. hook may be NULL. Free with
 * mdl_risk_folds_free. */
int mdl_risk_rolling(const struct ks_dataset *ds, const char *name,
                     const struct mdl_policy *pol, const struct mdl_catalog *cat,
                     const struct mdl_window *folds, size_t nfolds,
                     const struct mdl_risk_hook *hook, struct mdl_fold **out,
                     struct ks_err *err);
void mdl_risk_folds_free(struct mdl_fold *folds, size_t nfolds);

/* ---- Output -------------------------------------------------------------------------- */

struct mdl_risk_size;

/* Everything one risk run produced, for writing and printing. */
struct mdl_risk_out {
    const struct mdl_risk *bt;          /* the plan's own backtest */
    const struct mdl_sweep *sweep;      /* NULL without --sweep */
    const struct mdl_fold *folds;       /* NULL without --rolling */
    size_t nfolds;
    const struct mdl_rules *rules;      /* rules bound to the training window; NULL none */
    double target_pct, growth_pct;      /* growth NaN without --growth */
    double demand_scale;                /* what growth multiplied the training demand by
                                         * (1 + growth)^years; 1 (or 0: unset) without */
    int holds_months, max_months;
    /* Where the plan of record (placement.csv, hosts.csv, ...) was made: 0 the training
     * window (bt's own plan), 1 all the data, spanning `all` (--final-on-all, made with
     * the same policy and rules: mdl_plan_all), bt then measures the method only. */
    int plan_on_all;
    struct mdl_window all;
    /* --size-for-risk: how bt's plan was sized (mdl_risk_size.h); NULL: by headroom. */
    const struct mdl_risk_size *size;
};

/* risk.csv, risk_hosts.csv (+ risk_sweep.csv, risk_rolling.csv, and risk_rules.csv
 * with rules) in dir, and the risk_* keys appended to summary.csv (written before by
 * mdl_plan_write), with plan_window and plan_made_on (train or all: which data the plan
 * of record saw). The risk files depend on o's backtest only, never on plan_on_all. */
int mdl_risk_write(const struct mdl_plan *pl, const struct mdl_risk_out *o, const char *dir,
                   struct ks_err *err);
/* risk.csv's key,value rows, for the writer and the CLI's summary. */
void mdl_risk_summary(const struct mdl_risk_out *o,
                      void (*put)(void *ctx, const char *key, const char *value), void *ctx);

#endif
