/* The risk files of a plan directory: risk.csv (key,value), risk_hosts.csv,
 * risk_missing.csv, risk_sweep.csv, risk_rolling.csv, and the risk_* keys of
 * summary.csv (see mdl_risk.h and docs/risk.md). */
#include "model/mdl_risk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_table.h"
#include "model/mdl_risk_size.h"

typedef void (*put_fn)(void *ctx, const char *key, const char *value);

/* Shares and percentages to 4 decimals: 1 overloaded step in a week of 5-minute steps
 * on 100 hosts is 0.0005%, which must not print as 0. */
static void
num(put_fn put, void *ctx, const char *k, double v)
{
    char b[KS_NUMBUF];
    put(ctx, k, ks_fmt_double(b, isnan(v) ? v : round(v * 1e4) / 1e4));
}

static double
max_share(const double *s)
{
    double m = 0;
    for (int k = 0; k < MDL_RISK_NRES; k++)
        m = fmax(m, s[k]);
    return m;
}

static void
put_backtest(const struct mdl_risk_out *o, put_fn put, void *ctx)
{
    const struct mdl_risk *r = o->bt;
    char b[64], key[64];
    put(ctx, "train_window", mdl_window_fmt(b, sizeof b, &r->train));
    put(ctx, "test_window", mdl_window_fmt(b, sizeof b, &r->test));
    num(put, ctx, "test_steps", (double)r->steps);
    num(put, ctx, "step_s", r->step_s);
    num(put, ctx, "hosts", (double)r->nhosts);
    num(put, ctx, "loaded_hosts", (double)r->loaded);
    num(put, ctx, "common_entities", (double)r->common);
    num(put, ctx, "missing_from_train", (double)r->nmiss_train);
    num(put, ctx, "missing_from_test", (double)r->nmiss_test);
    num(put, ctx, "test_gap_entities", (double)r->gaps);
    for (int k = 0; k < MDL_RISK_NRES; k++) {
        snprintf(key, sizeof key, "overload_%s_pct", mdl_risk_res[k]);
        num(put, ctx, key, r->share_pct[k]);
        snprintf(key, sizeof key, "overload_%s_host_steps", mdl_risk_res[k]);
        num(put, ctx, key, (double)r->over[k]);
    }
    num(put, ctx, "overload_pct", max_share(r->share_pct));
    num(put, ctx, "worst_pct", r->worst_pct);
    num(put, ctx, "longest_run_steps", (double)r->longest_run);
    num(put, ctx, "longest_run_s", (double)r->longest_run * r->step_s);
    num(put, ctx, "hosts_overloaded", (double)r->hosts_over);
    num(put, ctx, "vms_on_overloaded_hosts", (double)r->vms_over);
    num(put, ctx, "target_pct", o->target_pct);
    put(ctx, "meets_target", max_share(r->share_pct) <= o->target_pct ? "yes" : "no");
}

/* Placement rules in the backtest: how many, and how many lost members in the training
 * window (risk_rules.csv names them). Absent without rules. */
static void
put_rules(const struct mdl_risk_out *o, put_fn put, void *ctx)
{
    if (!o->rules)
        return;
    size_t skipped = 0, narrowed = mdl_rules_absent(o->rules, &skipped);
    num(put, ctx, "rules", (double)o->rules->n);
    num(put, ctx, "rules_skipped_train", (double)skipped);
    num(put, ctx, "rules_narrowed_train", (double)(narrowed - skipped));
    num(put, ctx, "kept_physical", (double)o->bt->physical);
}

static void
put_growth(const struct mdl_risk_out *o, put_fn put, void *ctx)
{
    if (isnan(o->growth_pct))
        return;
    num(put, ctx, "growth_pct_per_year", o->growth_pct);
    num(put, ctx, "holds_months", o->holds_months);
    put(ctx, "holds_beyond_scan", o->holds_months >= o->max_months ? "yes" : "no");
}

static void
put_sweep(const struct mdl_risk_out *o, put_fn put, void *ctx)
{
    if (!o->sweep)
        return;
    const struct mdl_sweep *s = o->sweep;
    num(put, ctx, "sweep_settings", (double)s->n);
    num(put, ctx, "advice_hosts", s->advice >= 0 ? (double)s->rows[s->advice].hosts : NAN);
    put(ctx, "advice_setting", s->advice >= 0 ? s->rows[s->advice].setting : "");
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Spread over the folds that planned: min, median, max of the overload share. */
static void
put_rolling(const struct mdl_risk_out *o, put_fn put, void *ctx)
{
    if (!o->folds)
        return;
    double *v = ks_xmalloc((o->nfolds ? o->nfolds : 1) * sizeof *v), hmin = NAN, hmax = NAN;
    size_t n = 0;
    for (size_t k = 0; k < o->nfolds; k++) {
        if (!o->folds[k].planned)
            continue;
        v[n++] = max_share(o->folds[k].share_pct);
        double h = (double)o->folds[k].hosts;
        hmin = isnan(hmin) || h < hmin ? h : hmin;
        hmax = isnan(hmax) || h > hmax ? h : hmax;
    }
    qsort(v, n, sizeof *v, cmp_d);
    num(put, ctx, "rolling_folds", (double)o->nfolds);
    num(put, ctx, "rolling_folds_planned", (double)n);
    num(put, ctx, "rolling_overload_min_pct", n ? v[0] : NAN);
    num(put, ctx, "rolling_overload_median_pct",
        n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : NAN);
    num(put, ctx, "rolling_overload_max_pct", n ? v[n - 1] : NAN);
    num(put, ctx, "rolling_hosts_min", hmin);
    num(put, ctx, "rolling_hosts_max", hmax);
    free(v);
}

/* --size-for-risk: how the margins were learned and how they held on the held-back
 * part of the training window (mdl_risk_size.h). Absent when sized by headroom. */
static void
put_size(const struct mdl_risk_out *o, put_fn put, void *ctx)
{
    const struct mdl_risk_size *z = o->size;
    char b[64], key[64];
    if (!z)
        return;
    put(ctx, "size_for_risk", "yes");
    put(ctx, "fit_window", mdl_window_fmt(b, sizeof b, &z->fit));
    put(ctx, "holdout_window", mdl_window_fmt(b, sizeof b, &z->hold));
    for (int k = 0; k < MDL_RISK_NRES; k++) {
        snprintf(key, sizeof key, "margin_kappa_learned_%s", mdl_risk_res[k]);
        num(put, ctx, key, z->kappa_learned[k]);
        snprintf(key, sizeof key, "margin_kappa_validated_%s", mdl_risk_res[k]);
        num(put, ctx, key, z->kappa_valid[k]);
        snprintf(key, sizeof key, "margin_kappa_%s", mdl_risk_res[k]);
        num(put, ctx, key, z->kappa[k]);
        snprintf(key, sizeof key, "holdout_overload_%s_pct", mdl_risk_res[k]);
        num(put, ctx, key, z->hold_pct[k]);
    }
    num(put, ctx, "holdout_hosts", (double)z->hold_hosts);
    num(put, ctx, "holdout_rounds", z->rounds);
    put(ctx, "holdout_meets_target", z->validated ? "yes" : "no");
    num(put, ctx, "hosts_margin_short", (double)z->hosts_short);
}

void
mdl_risk_summary(const struct mdl_risk_out *o, put_fn put, void *ctx)
{
    put_backtest(o, put, ctx);
    put_size(o, put, ctx);
    put_rules(o, put, ctx);
    put_growth(o, put, ctx);
    put_sweep(o, put, ctx);
    put_rolling(o, put, ctx);
}

/* ---- files --------------------------------------------------------------------------- */

static int
write_table(struct ks_table *t, const char *dir, const char *name, struct ks_err *err)
{
    char *path = ks_xasprintf("%s/%s", dir, name);
    int rc = ks_table_write_sheet(t, path, err);
    free(path);
    ks_table_fini(t);
    return rc;
}

static void
put_kv(void *ctx, const char *k, const char *v)
{
    struct ks_table *t = ctx;
    size_t r = ks_table_add_row(t);
    ks_table_set(t, r, 0, k);
    ks_table_set(t, r, 1, v && v[0] ? v : NULL);
}

static int
write_kv(const struct mdl_risk_out *o, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"key", "value"};
    struct ks_table t;
    ks_table_init(&t, cols, 2);
    mdl_risk_summary(o, put_kv, &t);
    return write_table(&t, dir, "risk.csv", err);
}

static double
pct_of(size_t a, size_t b)
{
    return b ? round((double)a / (double)b * 100 * 1e4) / 1e4 : NAN;
}

static int
write_hosts(const struct mdl_risk *r, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {
        "host", "vms", "ha_spare", "cpu_over_steps", "cpu_over_pct", "cpu_worst_pct",
        "mem_over_steps", "mem_over_pct", "mem_worst_pct", "over_steps", "longest_run_steps",
        "worst_time", "top_vms"};
    struct ks_table t;
    char hn[32];
    ks_table_init(&t, cols, 13);
    for (size_t h = 0; h < r->nhosts; h++) {
        const struct mdl_risk_host *H = &r->h[h];
        size_t row = ks_table_add_row(&t);
        int used = H->vms > 0;
        double v[] = {(double)H->vms, H->spare, (double)H->over[0], pct_of(H->over[0], r->steps),
                      used ? round(H->worst_pct[0] * 100) / 100 : NAN, (double)H->over[1],
                      pct_of(H->over[1], r->steps),
                      used ? round(H->worst_pct[1] * 100) / 100 : NAN, (double)H->over_any,
                      (double)H->longest_run,
                      used ? r->t0 + (double)H->worst_step * r->step_s : NAN};
        snprintf(hn, sizeof hn, "host%02zu", h + 1); /* the planner's host names */
        ks_table_set(&t, row, 0, hn);
        for (int c = 0; c < 11; c++)
            ks_table_set_num(&t, row, c + 1, v[c]);
        ks_table_set(&t, row, 12, H->top_vms && H->top_vms[0] ? H->top_vms : NULL);
    }
    return write_table(&t, dir, "risk_hosts.csv", err);
}

/* risk_margins.csv: each host of the risk-sized plan, per resource: the sd of its VMs'
 * summed series on the training window, the margin kept for it (mean + kappa x tail
 * width above the peak), its training peak and the peak plus the margin, both in % of
 * the usable capacity; then per resource the tail (mdl_risk_size.h). */
static int
write_margins(const struct mdl_risk_size *z, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"host", "cpu_sd_MHz", "cpu_margin_MHz",
                                       "cpu_peak_pct", "cpu_sized_pct", "mem_sd_MiB",
                                       "mem_margin_MiB", "mem_peak_pct", "mem_sized_pct",
                                       "cpu_tail_MHz", "mem_tail_MiB"};
    struct ks_table t;
    char hn[32];
    ks_table_init(&t, cols, 11);
    for (size_t h = 0; h < z->nhosts; h++) {
        const struct mdl_risk_size_host *H = &z->h[h];
        size_t row = ks_table_add_row(&t);
        snprintf(hn, sizeof hn, "host%02zu", h + 1); /* the planner's host names */
        ks_table_set(&t, row, 0, hn);
        for (int k = 0; k < MDL_RISK_NRES; k++) {
            double c = H->cap[k] > 0 ? H->cap[k] : NAN;
            double v[4] = {H->sd[k], H->margin[k], H->peak[k] / c * 100,
                           (H->peak[k] + H->margin[k]) / c * 100};
            for (int i = 0; i < 4; i++)
                ks_table_set_num(&t, row, 1 + k * 4 + i, round(v[i] * 100) / 100);
            ks_table_set_num(&t, row, 9 + k, round(H->tail[k] * 100) / 100);
        }
    }
    return write_table(&t, dir, "risk_margins.csv", err);
}

/* Entities missing from a window, one per row: reported, never filled in. */
static int
write_missing(const struct mdl_risk *r, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"entity", "missing_from"};
    struct ks_table t;
    ks_table_init(&t, cols, 2);
    for (size_t i = 0; i < r->nmiss_train; i++)
        put_kv(&t, r->miss_train[i], "train");
    for (size_t i = 0; i < r->nmiss_test; i++)
        put_kv(&t, r->miss_test[i], "test");
    return write_table(&t, dir, "risk_missing.csv", err);
}

static int
write_sweep(const struct mdl_sweep *s, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"setting", "hosts", "host_model", "overload_cpu_pct",
                                       "overload_mem_pct", "worst_pct", "longest_run_steps",
                                       "within_target", "advice", "reason"};
    struct ks_table t;
    ks_table_init(&t, cols, 10);
    for (size_t i = 0; i < s->n; i++) {
        const struct mdl_sweep_row *w = &s->rows[i];
        size_t r = ks_table_add_row(&t);
        int ok = w->planned && max_share(w->share_pct) <= s->target_pct;
        ks_table_set(&t, r, 0, w->setting);
        if (w->planned) {
            ks_table_set_num(&t, r, 1, (double)w->hosts);
            ks_table_set(&t, r, 2, w->host_model);
            ks_table_set_num(&t, r, 3, round(w->share_pct[0] * 1e4) / 1e4);
            ks_table_set_num(&t, r, 4, round(w->share_pct[1] * 1e4) / 1e4);
            ks_table_set_num(&t, r, 5, round(w->worst_pct * 100) / 100);
            ks_table_set_num(&t, r, 6, (double)w->longest_run);
        }
        ks_table_set_num(&t, r, 7, ok);
        ks_table_set_num(&t, r, 8, (long)i == s->advice);
        ks_table_set(&t, r, 9, w->planned ? NULL : w->reason);
    }
    return write_table(&t, dir, "risk_sweep.csv", err);
}

/* With rules, risk_rolling.csv says per fold how many were skipped in its training
 * window (risk_rules.csv names them). */
static int
write_rolling(const struct mdl_fold *f, size_t n, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"fold", "train_window", "test_window", "hosts",
                                       "overload_cpu_pct", "overload_mem_pct", "worst_pct",
                                       "reason", "rules_skipped"};
    struct ks_table t;
    char b[64];
    int with_rules = 0; /* a fold whose week has no sample has no rules of its own */
    for (size_t k = 0; k < n; k++)
        with_rules |= f[k].rules != NULL;
    ks_table_init(&t, cols, with_rules ? 9 : 8);
    for (size_t k = 0; k < n; k++) {
        size_t r = ks_table_add_row(&t);
        ks_table_set_num(&t, r, 0, (double)k + 1);
        ks_table_set(&t, r, 1, mdl_window_fmt(b, sizeof b, &f[k].train));
        ks_table_set(&t, r, 2, mdl_window_fmt(b, sizeof b, &f[k].test));
        if (f[k].planned) {
            ks_table_set_num(&t, r, 3, (double)f[k].hosts);
            ks_table_set_num(&t, r, 4, round(f[k].share_pct[0] * 1e4) / 1e4);
            ks_table_set_num(&t, r, 5, round(f[k].share_pct[1] * 1e4) / 1e4);
            ks_table_set_num(&t, r, 6, round(f[k].worst_pct * 100) / 100);
        }
        ks_table_set(&t, r, 7, f[k].planned ? NULL : f[k].reason);
        if (f[k].rules) {
            size_t skipped = 0;
            mdl_rules_absent(f[k].rules, &skipped);
            ks_table_set_num(&t, r, 8, (double)skipped);
        }
    }
    return write_table(&t, dir, "risk_rolling.csv", err);
}

/* One row per rule that lost members in a window: the rule, skipped (keeps nothing
 * there) or narrowed (kept for the others), and the members without a sample. */
static void
rules_rows(struct ks_table *t, const char *window, const struct mdl_rules *rs)
{
    for (size_t k = 0; rs && k < rs->n; k++) {
        const struct mdl_rule *r = &rs->r[k];
        if (!r->absent)
            continue;
        size_t row = ks_table_add_row(t);
        ks_table_set(t, row, 0, window);
        ks_table_set(t, row, 1, r->name);
        ks_table_set(t, row, 2, mdl_rule_type_name(r->type));
        ks_table_set(t, row, 3, r->skipped ? "skipped" : "narrowed");
        ks_table_set(t, row, 4, r->absent);
    }
}

/* risk_rules.csv: the training window's rows, then each rolling fold's. Written with
 * rules only (an empty table: every rule kept every member in every window). */
static int
write_rules(const struct mdl_risk_out *o, const char *dir, struct ks_err *err)
{
    static const char *const cols[] = {"window", "rule", "type", "status", "absent"};
    struct ks_table t;
    char w[32];
    ks_table_init(&t, cols, 5);
    rules_rows(&t, "train", o->rules);
    for (size_t k = 0; o->folds && k < o->nfolds; k++) {
        snprintf(w, sizeof w, "fold %zu", k + 1);
        rules_rows(&t, w, o->folds[k].rules);
    }
    return write_table(&t, dir, "risk_rules.csv", err);
}

/* summary.csv gains the risk keys the report's executive summary quotes; the file
 * was written by mdl_plan_write and is rewritten whole (atomically). */
static int
append_summary(const struct mdl_risk_out *o, const char *dir, struct ks_err *err)
{
    static const char *const req[] = {"key", "value", NULL};
    char *path = ks_xasprintf("%s/summary.csv", dir), b[64];
    struct ks_table t;
    int rc = ks_table_read_sheet(path, req, &t, err);
    free(path);
    if (rc < 0)
        return rc;
    const struct mdl_risk *r = o->bt;
    /* Which data the plan of record saw: the report checks the plan on that window. */
    put_kv(&t, "plan_window", mdl_window_fmt(b, sizeof b, o->plan_on_all ? &o->all : &r->train));
    put_kv(&t, "plan_made_on", o->plan_on_all ? "all" : "train");
    if (o->plan_on_all) /* the backtest's own plan is not the plan of record */
        num(put_kv, &t, "risk_train_hosts", (double)r->nhosts);
    put_kv(&t, "risk_train", mdl_window_fmt(b, sizeof b, &r->train));
    put_kv(&t, "risk_test", mdl_window_fmt(b, sizeof b, &r->test));
    num(put_kv, &t, "risk_overload_cpu_pct", r->share_pct[0]);
    num(put_kv, &t, "risk_overload_mem_pct", r->share_pct[1]);
    num(put_kv, &t, "risk_worst_pct", r->worst_pct);
    num(put_kv, &t, "risk_target_pct", o->target_pct);
    if (o->size) /* the plan of record was sized for risk, not by headroom */
        put_kv(&t, "risk_sized", "yes");
    if (o->sweep) {
        const struct mdl_sweep *s = o->sweep;
        num(put_kv, &t, "risk_advice_hosts",
            s->advice >= 0 ? (double)s->rows[s->advice].hosts : NAN);
        put_kv(&t, "risk_advice_setting", s->advice >= 0 ? s->rows[s->advice].setting : "");
    }
    if (!isnan(o->growth_pct)) {
        num(put_kv, &t, "risk_holds_months", o->holds_months);
        num(put_kv, &t, "risk_demand_scale", o->demand_scale);
    }
    return write_table(&t, dir, "summary.csv", err);
}

int
mdl_risk_write(const struct mdl_plan *pl, const struct mdl_risk_out *o, const char *dir,
               struct ks_err *err)
{
    (void)pl;
    int rc = write_kv(o, dir, err);
    if (rc == 0)
        rc = write_hosts(o->bt, dir, err);
    if (rc == 0)
        rc = write_missing(o->bt, dir, err);
    if (rc == 0 && o->sweep)
        rc = write_sweep(o->sweep, dir, err);
    if (rc == 0 && o->folds)
        rc = write_rolling(o->folds, o->nfolds, dir, err);
    if (rc == 0 && o->rules)
        rc = write_rules(o, dir, err);
    if (rc == 0 && o->size)
        rc = write_margins(o->size, dir, err);
    if (rc == 0)
        rc = append_summary(o, dir, err);
    return rc;
}
