/* kasane plan's risk step (see plan_risk.h, docs/risk.md). */
#include "cli/plan_risk.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/mdl_risk_size.h"

/* How far the growth scan looks: 20 years is past any hardware's life. */
#define MAX_MONTHS 240

const struct option plan_risk_opts[PLAN_RISK_NOPTS] = {
    {"train", required_argument, 0, PLAN_RISK_OPT + 0},
    {"test", required_argument, 0, PLAN_RISK_OPT + 1},
    {"sweep", required_argument, 0, PLAN_RISK_OPT + 2},
    {"risk-target", required_argument, 0, PLAN_RISK_OPT + 3},
    {"rolling", no_argument, 0, PLAN_RISK_OPT + 4},
    {"backtest", no_argument, 0, PLAN_RISK_OPT + 5},
    {"growth", required_argument, 0, PLAN_RISK_OPT + 6},
    {"final-on-all", no_argument, 0, PLAN_RISK_OPT + 7},
    {"size-for-risk", no_argument, 0, PLAN_RISK_OPT + 8},
};

struct plan_risk {
    const struct plan_risk_args *a;
    const struct ks_dataset *ds;     /* the whole dataset (borrowed) */
    const char *name;
    const struct mdl_policy *pol;
    const struct mdl_catalog *cat;
    struct mdl_window train, test;
    struct mdl_window_data tr;       /* the training window, rules re-bound (owned) */
    struct ks_dataset *te;           /* the test window's dataset (owned) */
    /* --final-on-all: the training window's plan, backtested (owned; the plan of record
     * is the caller's), the grown copy of all the data (with --growth) and its span. */
    struct mdl_plan *bt_pl;
    struct mdl_window_data all;
    struct mdl_window span;
    struct mdl_risk_size size;       /* --size-for-risk: the method's figures */
};

void
plan_risk_usage(void)
{
    printf("\nRisk: backtest the plan on data it was not made from (docs/risk.md):\n"
           "  --train FROM..TO      plan on this window only (YYYY-MM-DD[THH:MM] UTC or\n"
           "  --test FROM..TO       UNIX s; a date-only TO is the end of that day) and\n"
           "                        replay the placement on the test window\n"
           "  --backtest            the default split: train on all but the last week,\n"
           "                        test on the last (data of 2 weeks or more)\n"
           "  --sweep KEY=A:B:S     plan and backtest at each headroom= / percentile=\n"
           "                        setting (repeatable: two keys give their product)\n"
           "  --risk-target PCT     overload share the advice stays under (0.1%%)\n"
           "  --rolling             also train on week k, test on week k+1, every k\n"
           "  --growth PCT          demand growth a year: packed for the end of --years;\n"
           "                        the backtest says how many months the plan holds\n"
           "  --final-on-all        with any of the above: the backtest (and sweep, rolling)\n"
           "                        tests the method on a plan made from the training\n"
           "                        window, then the plan of record (placement, hosts, cost,\n"
           "                        summary) is made on all the data with the same policy\n"
           "                        and rules; a sweep's advice is printed, not applied\n"
           "  --size-for-risk       instead of the headroom, give each host its own margin\n"
           "                        per resource from how its VMs' sum varies, learned and\n"
           "                        validated on a held-back quarter of the training window\n"
           "                        to meet --risk-target (margins in risk_margins.csv)\n"
           "  With --rules every plan of the backtest keeps the rules on its training\n"
           "  window's servers; one left with too few there is skipped (risk_rules.csv).\n");
}

void
plan_risk_init(struct plan_risk_args *a)
{
    memset(a, 0, sizeof *a);
    a->target_pct = 0.1;
    a->growth_pct = NAN;
}

/* "0.1%" or "0.1": a percentage. */
static int
parse_pct(const char *s, double *out)
{
    char *t = ks_xstrdup(s);
    size_t n = strlen(t);
    if (n && t[n - 1] == '%')
        t[n - 1] = '\0';
    int rc = ks_parse_double(t, out);
    free(t);
    return rc;
}

int
plan_risk_opt(struct plan_risk_args *a, int id, const char *arg)
{
    struct ks_err err = {0};
    switch (id - PLAN_RISK_OPT) {
    case 0:
    case 1:
        if (mdl_window_parse(arg, &(struct mdl_window){0}, &err) < 0)
            return cmd_usage_error("plan", "--%s %s", plan_risk_opts[id - PLAN_RISK_OPT].name,
                                   err.msg);
        *(id == PLAN_RISK_OPT ? &a->train : &a->test) = arg;
        return 0;
    case 2:
        if (a->ndims == 2)
            return cmd_usage_error("plan", "--sweep: at most two keys");
        if (mdl_sweep_parse(arg, &a->dims[a->ndims], &err) < 0)
            return cmd_usage_error("plan", "%s", err.msg);
        a->ndims++;
        return 0;
    case 3:
        if (parse_pct(arg, &a->target_pct) < 0 || a->target_pct < 0 || a->target_pct > 100)
            return cmd_usage_error("plan", "--risk-target '%s': want a percentage 0-100", arg);
        a->target_set = 1;
        return 0;
    case 4:
        a->rolling = 1;
        return 0;
    case 5:
        a->backtest = 1;
        return 0;
    case 7:
        a->final_on_all = 1;
        return 0;
    case 8:
        a->size_for_risk = 1;
        return 0;
    default:
        if (parse_pct(arg, &a->growth_pct) < 0 || a->growth_pct <= -100 || a->growth_pct > 1000)
            return cmd_usage_error("plan", "--growth '%s': want a percentage a year "
                                           "(-100 < g <= 1000)", arg);
        return 0;
    }
}

int
plan_risk_wanted(const struct plan_risk_args *a)
{
    return a->train || a->test || a->ndims || a->rolling || a->backtest || a->target_set ||
           !isnan(a->growth_pct) || a->size_for_risk;
}

int
plan_risk_check(const struct plan_risk_args *a)
{
    if (a->final_on_all && !plan_risk_wanted(a))
        return cmd_usage_error("plan", "--final-on-all needs a backtest to go with it: add "
                                       "--backtest, --train/--test, --sweep or --rolling");
    if (a->size_for_risk && a->final_on_all)
        return cmd_usage_error("plan", "--size-for-risk sizes the plan of the training window "
                                       "it backtests; --final-on-all is not supported with it");
    if (a->size_for_risk && !isnan(a->growth_pct))
        return cmd_usage_error("plan", "--size-for-risk learns margins from the training "
                                       "window as measured; --growth is not supported with it");
    return 0;
}

/* The two windows: given, or the default split; both or neither must be given. */
static int
windows(struct plan_risk *rs, struct ks_err *err)
{
    const struct plan_risk_args *a = rs->a;
    if (!a->train != !a->test)
        return ks_errf(err, -EINVAL, "give both --train and --test, or neither (the default "
                                     "split)");
    if (!a->train)
        return mdl_risk_default_split(rs->ds, &rs->train, &rs->test, err);
    mdl_window_parse(a->train, &rs->train, err);
    mdl_window_parse(a->test, &rs->test, err);
    return 0;
}

int
plan_risk_plan(const struct plan_risk_args *a, const struct ks_dataset *ds, const char *name,
               const struct mdl_policy *pol, const struct mdl_catalog *cat,
               struct mdl_plan **pl, struct plan_risk **out, struct ks_err *err)
{
    *out = NULL;
    if (!plan_risk_wanted(a))
        return mdl_plan_run(ds, name, pol, cat, pl, err);
    struct plan_risk *rs = ks_xcalloc(1, sizeof *rs);
    *rs = (struct plan_risk){.a = a, .ds = ds, .name = name, .pol = pol, .cat = cat};
    *out = rs;
    /* Growth: the plan carries the demand of the horizon's end. */
    double scale = isnan(a->growth_pct) ? 1 : pow(1 + a->growth_pct / 100, pol->years);
    int rc = windows(rs, err);
    /* The rules (bound to the whole dataset) are re-bound by name to the training window:
     * the plan keeps them on the entities it holds. */
    if (rc == 0)
        rc = mdl_window_data_open(ds, &rs->train, scale, "training", pol, &rs->tr, err);
    if (rc == 0)
        rc = mdl_dataset_window(ds, &rs->test, 1, "test", &rs->te, err);
    /* The plan the backtest replays: the plan of record, or with --final-on-all only
     * the evidence for the method that then plans on all the data. */
    struct mdl_plan **bt = a->final_on_all ? &rs->bt_pl : pl;
    if (rc == 0 && a->size_for_risk)
        rc = mdl_risk_size(rs->tr.ds, &rs->train, name, &rs->tr.pol, cat, a->target_pct,
                           &rs->size, bt, err);
    else if (rc == 0)
        rc = mdl_plan_run(rs->tr.ds, name, &rs->tr.pol, cat, bt, err);
    if (rc == 0)
        mdl_risk_widen(*bt, ds);
    if (rc == 0 && a->final_on_all)
        rc = mdl_dataset_span(ds, &rs->span.from_s, &rs->span.to_s, err);
    if (rc == 0 && a->final_on_all)
        rc = mdl_plan_all(ds, name, pol, cat, scale, &rs->all, pl, err);
    return rc;
}

void
plan_risk_rules_costs(struct plan_risk *rs, const struct ks_dataset *ds, const char *name,
                      const struct mdl_catalog *cat, struct mdl_rules *rules,
                      struct mdl_plan *pl)
{
    /* Re-plans are made on the data the plan of record saw: a backtest's training
     * window, or all the data (grown with --growth) with --final-on-all. */
    if (rs && rs->all.ds)
        mdl_rules_costs(rs->all.ds, name, cat, rs->all.rules, pl, PLAN_RULES_REPLANS);
    else if (rs && rs->tr.rules && !rs->a->final_on_all)
        mdl_rules_costs(rs->tr.ds, name, cat, rs->tr.rules, pl, PLAN_RULES_REPLANS);
    else
        mdl_rules_costs(ds, name, cat, rules, pl, PLAN_RULES_REPLANS);
}

static void
print_kv(void *ctx, const char *k, const char *v)
{
    (void)ctx;
    printf("    %s: %s\n", k, v);
}

/* Rules that lost members in a window (none: nothing printed). */
static void
print_absent(const char *window, const struct mdl_rules *rs)
{
    for (size_t k = 0; rs && k < rs->n; k++)
        if (rs->r[k].skipped)
            printf("    rules, %s: %s skipped: no sample of %s there\n", window,
                   rs->r[k].name, rs->r[k].absent);
        else if (rs->r[k].absent)
            printf("    rules, %s: %s kept without %s (no sample there)\n", window,
                   rs->r[k].name, rs->r[k].absent);
}

/* The headline: where the plan of record was made, and what the backtest replayed. */
static void
print_windows(const struct mdl_risk_out *o, const struct mdl_plan *pl)
{
    const struct mdl_risk *r = o->bt;
    char a[64], b[64];
    if (!o->plan_on_all) {
        printf("  risk: planned on %s, replayed on %s\n", mdl_window_fmt(a, sizeof a, &r->train),
               mdl_window_fmt(b, sizeof b, &r->test));
        return;
    }
    printf("  plan of record: made on all the data, %s (%.1f days): %zu hosts\n",
           mdl_window_fmt(a, sizeof a, &o->all), (o->all.to_s - o->all.from_s) / 86400,
           pl->nhosts);
    printf("  risk of the method: a plan made the same way on %s (%zu hosts), replayed on "
           "%s\n", mdl_window_fmt(a, sizeof a, &r->train), r->nhosts,
           mdl_window_fmt(b, sizeof b, &r->test));
}

/* The sweep's advice; with --final-on-all it is advice only: the plan of record keeps
 * the policy given, so a planner sees both and chooses. */
static void
print_advice(const struct mdl_risk_out *o, const struct mdl_plan *pl)
{
    const struct mdl_sweep *sw = o->sweep;
    if (sw && sw->advice >= 0)
        printf("    advice: %zu hosts (%s) keep the overload share within %g%%\n",
               sw->rows[sw->advice].hosts, sw->rows[sw->advice].setting, o->target_pct);
    else if (sw)
        printf("    advice: no setting of the sweep keeps the overload share within %g%%\n",
               o->target_pct);
    if (sw && o->plan_on_all)
        printf("    the plan of record keeps the policy given (headroom=%g percentile=%g, "
               "%zu hosts on all the data)%s\n", pl->pol.headroom_pct, pl->pol.percentile,
               pl->nhosts, sw->advice >= 0 ? "; the advice's host count is the training "
               "window's: plan again at its setting to follow it" : "");
}

/* --size-for-risk: the margins learned and how they held on the held-back part. */
static void
print_size(const struct mdl_risk_out *o)
{
    const struct mdl_risk_size *z = o->size;
    char a[64];
    if (!z)
        return;
    printf("    sized for risk: each host keeps its VMs' mean + kappa x the tail of their sum "
           "under capacity (kappa cpu %.2f, mem %.2f; risk_margins.csv), learned and "
           "validated on %s: %zu hosts "
           "overloaded cpu %.4g%%, mem %.4g%% there (%s the %g%% target%s)\n",
           z->kappa[0], z->kappa[1], mdl_window_fmt(a, sizeof a, &z->hold), z->hold_hosts,
           z->hold_pct[0], z->hold_pct[1], z->validated ? "within" : "NOT within",
           o->target_pct, z->validated ? "" : " after the last round");
    if (z->hosts_short)
        printf("    %zu hosts keep less than their margin (re-packing did not settle)\n",
               z->hosts_short);
}

/* The human summary: the backtest's headline, then every risk.csv figure. */
static void
print_risk(const struct mdl_risk_out *o, const struct mdl_plan *pl)
{
    const struct mdl_risk *r = o->bt;
    print_windows(o, pl);
    printf("    host-steps over capacity: cpu %.4g%%, mem %.4g%%; worst %.1f%% of capacity; "
           "longest run %zu steps; %zu of %zu hosts overloaded (%zu VMs)\n",
           r->share_pct[0], r->share_pct[1], r->worst_pct, r->longest_run, r->hosts_over,
           r->loaded, r->vms_over);
    if (r->nmiss_train || r->nmiss_test)
        printf("    missing: %zu entities not in the training window, %zu not in the test "
               "window (risk_missing.csv)\n", r->nmiss_train, r->nmiss_test);
    if (o->rules)
        printf("    placement rules kept in every plan of the backtest (%zu rules; "
               "risk_rules.csv lists those skipped in a window)\n", o->rules->n);
    print_absent("training window", o->rules);
    for (size_t k = 0; k < o->nfolds; k++) {
        char w[32];
        snprintf(w, sizeof w, "fold %zu", k + 1);
        print_absent(w, o->folds[k].rules);
    }
    print_size(o);
    print_advice(o, pl);
    mdl_risk_summary(o, print_kv, NULL);
}

int
plan_risk_finish(struct plan_risk *rs, const struct mdl_plan *pl, const char *out,
                 struct ks_err *err)
{
    mdl_risk_clean(out);
    if (!rs)
        return 0;
    const struct plan_risk_args *a = rs->a;
    struct mdl_risk bt;
    struct mdl_sweep sw = {0};
    struct mdl_window *fw = NULL;
    struct mdl_fold *folds = NULL;
    struct mdl_risk_out o = {.bt = &bt, .target_pct = a->target_pct,
                             .growth_pct = a->growth_pct, .max_months = MAX_MONTHS,
                             .rules = rs->tr.rules,
                             .plan_on_all = a->final_on_all, .all = rs->span,
                             .size = a->size_for_risk ? &rs->size : NULL,
                             .demand_scale = isnan(a->growth_pct)
                                                 ? 1
                                                 : pow(1 + a->growth_pct / 100, rs->pol->years)};
    int rc = mdl_risk_backtest(rs->bt_pl ? rs->bt_pl : pl, rs->te, &bt, err);
    int nf = 0;
    if (rc == 0) {
        bt.train = rs->train;
        bt.test = rs->test;
        if (!isnan(a->growth_pct))
            o.holds_months = mdl_risk_holds_months(&bt, a->growth_pct, a->target_pct,
                                                   MAX_MONTHS);
    }
    if (rc == 0 && a->ndims) {
        rc = mdl_risk_sweep(rs->tr.ds, rs->name, rs->te, &rs->tr.pol, rs->cat, a->dims,
                            a->ndims, a->target_pct, NULL, &sw, err);
        o.sweep = rc == 0 ? &sw : NULL;
    }
    if (rc == 0 && a->rolling && (nf = mdl_risk_rolling_folds(rs->ds, &fw, err)) < 0)
        rc = nf;
    if (rc == 0 && a->rolling) {
        rc = mdl_risk_rolling(rs->ds, rs->name, rs->pol, rs->cat, fw, (size_t)nf, NULL,
                              &folds, err);
        o.folds = folds;
        o.nfolds = (size_t)nf;
    }
    if (rc == 0)
        rc = mdl_risk_write(pl, &o, out, err);
    if (rs->pol->progress) /* NULL: the work is done, the progress line goes */
        rs->pol->progress(rs->pol->progress_ctx, NULL);
    if (rc == 0)
        print_risk(&o, pl);
    free(fw);
    mdl_risk_folds_free(folds, o.nfolds);
    mdl_sweep_fini(&sw);
    mdl_risk_fini(&bt);
    return rc;
}

void
plan_risk_free(struct plan_risk *rs)
{
    if (!rs)
        return;
    mdl_plan_free(rs->bt_pl); /* before the windows: it borrows their rules */
    mdl_window_data_fini(&rs->tr);
    mdl_window_data_fini(&rs->all);
    ks_dataset_free(rs->te);
    mdl_risk_size_fini(&rs->size);
    free(rs);
}
