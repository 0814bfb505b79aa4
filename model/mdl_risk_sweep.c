/* Headroom / percentile sweeps with a backtest at each setting, the advice, and
 * rolling backtests (see mdl_risk.h). */
#include "model/mdl_risk.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys a sweep may vary, and the values that make a plan. */
static const struct {
    const char *key;
    double lo, hi;
} SWEEPABLE[] = {{"headroom", 0, 95}, {"percentile", 1, 100}};
#define NSWEEPABLE (sizeof SWEEPABLE / sizeof *SWEEPABLE)
/* A sweep is a handful of plans; beyond this a typo (step 0.001) is the likelier cause. */
#define MAX_POINTS 200

int
mdl_sweep_parse(const char *s, struct mdl_sweep_dim *d, struct ks_err *err)
{
    const char *eq = strchr(s, '=');
    size_t klen = eq ? (size_t)(eq - s) : 0;
    int known = 0;
    for (size_t k = 0; k < NSWEEPABLE && eq; k++)
        known |= strlen(SWEEPABLE[k].key) == klen && strncmp(s, SWEEPABLE[k].key, klen) == 0;
    if (!eq || !known || klen >= sizeof d->key)
        return ks_errf(err, -EINVAL, "--sweep '%s': want headroom=FROM:TO:STEP or "
                                     "percentile=FROM:TO:STEP", s);
    memcpy(d->key, s, klen);
    d->key[klen] = '\0';
    char *v = ks_xstrdup(eq + 1), *save = NULL, *part[3] = {0};
    int np = 0;
    for (char *p = strtok_r(v, ":", &save); p && np < 4; p = strtok_r(NULL, ":", &save))
        if (np++ < 3)
            part[np - 1] = p;
    int rc = np == 3 && ks_parse_double(part[0], &d->from) == 0 &&
                     ks_parse_double(part[1], &d->to) == 0 &&
                     ks_parse_double(part[2], &d->step) == 0 && d->step > 0
                 ? 0
                 : ks_errf(err, -EINVAL, "--sweep '%s': want %s=FROM:TO:STEP with STEP > 0", s,
                           d->key);
    free(v);
    if (rc == 0 && (d->to - d->from) / d->step + 1 > MAX_POINTS)
        rc = ks_errf(err, -EINVAL, "--sweep '%s': more than %d settings", s, MAX_POINTS);
    return rc;
}

/* The valid values of one dimension (rounded to the step's grid to avoid 0.30000004). */
static size_t
dim_values(const struct mdl_sweep_dim *d, double *out)
{
    double lo = 0, hi = 0;
    for (size_t k = 0; k < NSWEEPABLE; k++)
        if (strcmp(d->key, SWEEPABLE[k].key) == 0)
            lo = SWEEPABLE[k].lo, hi = SWEEPABLE[k].hi;
    size_t n = 0;
    for (int i = 0; i < MAX_POINTS; i++) {
        double v = d->from + i * d->step;
        if (v > d->to + d->step * 1e-9)
            break;
        v = round(v * 1e9) / 1e9;
        if (v >= lo && v <= hi)
            out[n++] = v;
    }
    return n;
}

static void
row_fill(struct mdl_sweep_row *row, const struct mdl_plan *pl, const struct mdl_risk *r)
{
    row->planned = 1;
    row->hosts = pl->nhosts;
    snprintf(row->host_model, sizeof row->host_model, "%s", mdl_plan_model(pl)->name);
    for (int k = 0; k < MDL_RISK_NRES; k++)
        row->share_pct[k] = r->share_pct[k];
    row->worst_pct = r->worst_pct;
    row->longest_run = r->longest_run;
}

/* Work a sweep's settings share: the training window's demand (built once per
 * percentile: the headroom does not change it) and the last placement, each setting's
 * warm start. */
struct reuse {
    struct mdl_demand d;
    int have_d;
    double d_pct;  /* the percentile d was built at */
    long *host_of; /* nent: the last setting's placement (owned), NULL before one */
    size_t nent;
};

/* p->demand and p->warm_host_of from what earlier settings left (a demand that cannot
 * be built is left to the plan, which reports why in the setting's row). */
static void
reuse_apply(struct reuse *u, const struct ks_dataset *train, struct mdl_policy *p)
{
    if (!p->demand && (!u->have_d || u->d_pct != p->percentile)) {
        struct ks_err e = {0};
        if (u->have_d)
            mdl_demand_fini(&u->d);
        u->have_d = mdl_demand_build(train, p, &u->d, &e) == 0;
        u->d_pct = p->percentile;
    }
    if (!p->demand && u->have_d)
        p->demand = &u->d;
    if (!p->warm_host_of)
        p->warm_host_of = u->host_of;
}

/* Keep plan pl's placement for the next setting. */
static void
reuse_keep(struct reuse *u, const struct mdl_plan *pl)
{
    u->host_of = ks_xrealloc(u->host_of, (pl->nent ? pl->nent : 1) * sizeof *u->host_of);
    memcpy(u->host_of, pl->host_of, pl->nent * sizeof *u->host_of);
    u->nent = pl->nent;
}

static void
reuse_fini(struct reuse *u)
{
    if (u->have_d)
        mdl_demand_fini(&u->d);
    free(u->host_of);
}

/* Plan and backtest one setting; a failed plan is a row with its reason (rc kept for
 * the all-failed case), a failed backtest is an error. */
static int
run_setting(const struct ks_dataset *train, const char *name, const struct ks_dataset *test,
            const struct mdl_policy *pol, const struct mdl_catalog *cat,
            const struct mdl_risk_hook *hook, struct mdl_sweep_row *row, int *plan_rc,
            struct ks_err *perr, struct reuse *u, struct ks_err *err)
{
    struct mdl_plan *pl = NULL;
    struct ks_err e = {0};
    int rc = mdl_plan_run(train, name, pol, cat, &pl, &e);
    if (rc < 0) {
        snprintf(row->reason, sizeof row->reason, "%.190s", e.msg);
        if (*plan_rc == 0) {
            *plan_rc = rc;
            *perr = e;
        }
        return 0;
    }
    if (hook && hook->plan)
        hook->plan(hook->ctx, row->setting, pl);
    reuse_keep(u, pl);
    struct mdl_risk r;
    rc = mdl_risk_backtest(pl, test, &r, err);
    if (rc == 0)
        row_fill(row, pl, &r);
    mdl_risk_fini(&r);
    mdl_plan_free(pl);
    return rc;
}

/* Smallest host count within the target for every resource; ties go to the first
 * row (the smallest headroom, the lowest percentile: the cheaper margin). */
static long
advise(const struct mdl_sweep *s)
{
    long best = -1;
    for (size_t i = 0; i < s->n; i++) {
        const struct mdl_sweep_row *r = &s->rows[i];
        int ok = r->planned;
        for (int k = 0; k < MDL_RISK_NRES && ok; k++)
            ok = r->share_pct[k] <= s->target_pct;
        if (ok && (best < 0 || r->hosts < s->rows[best].hosts))
            best = (long)i;
    }
    return best;
}

/* The settings of the dims' product, as rows (values and names). */
static int
settings(const struct mdl_sweep_dim *dims, size_t ndims, struct mdl_sweep *out,
         struct ks_err *err)
{
    double v[2][MAX_POINTS];
    size_t nv[2] = {1, 1};
    for (size_t j = 0; j < ndims; j++) {
        nv[j] = dim_values(&dims[j], v[j]);
        if (nv[j] == 0)
            return ks_errf(err, -EINVAL, "--sweep %s=%g:%g:%g: no valid setting (%s must be "
                                         "within %g-%g)", dims[j].key, dims[j].from,
                           dims[j].to, dims[j].step, dims[j].key,
                           strcmp(dims[j].key, "headroom") ? 1.0 : 0.0,
                           strcmp(dims[j].key, "headroom") ? 100.0 : 95.0);
    }
    out->rows = ks_xcalloc(nv[0] * nv[1], sizeof *out->rows);
    for (size_t a = 0; a < nv[0]; a++)
        for (size_t b = 0; b < nv[1]; b++) {
            struct mdl_sweep_row *r = &out->rows[out->n++];
            r->val[0] = v[0][a];
            r->val[1] = ndims > 1 ? v[1][b] : NAN;
            int w = snprintf(r->setting, sizeof r->setting, "%s=%g", dims[0].key, r->val[0]);
            if (ndims > 1)
                snprintf(r->setting + w, sizeof r->setting - (size_t)w, " %s=%g", dims[1].key,
                         r->val[1]);
        }
    return 0;
}

/* Everything one call of mdl_risk_sweep shares between its settings. */
struct sweep_run {
    const struct ks_dataset *train, *test;
    const char *name;
    const struct mdl_policy *pol;
    const struct mdl_catalog *cat;
    const struct mdl_sweep_dim *dims;
    size_t ndims;
    const struct mdl_risk_hook *hook;
    struct mdl_sweep *out;
    struct reuse u;
    int plan_rc;
    struct ks_err perr;
};

/* Plan and backtest row i, warm-started from the last placement or (warm 0) from
 * scratch; the row's figures are replaced. */
static int
plan_row(struct sweep_run *w, size_t i, int warm, struct ks_err *err)
{
    struct mdl_sweep_row *row = &w->out->rows[i];
    struct mdl_policy p = *w->pol;
    char val[32];
    int rc = 0;
    for (size_t j = 0; j < w->ndims && rc == 0; j++) {
        snprintf(val, sizeof val, "%.17g", row->val[j]);
        /* Only numeric keys are swept: nothing of p's strings is replaced. */
        rc = mdl_policy_set(&p, w->dims[j].key, val, err);
    }
    if (rc == 0 && w->pol->progress) {
        char what[200];
        snprintf(what, sizeof what, "sweep: %s (%zu of %zu), planning and backtesting%s",
                 row->setting, i + 1, w->out->n, warm ? "" : " (from scratch)");
        w->pol->progress(w->pol->progress_ctx, what);
        p.progress = NULL; /* this line stays while the setting's plan runs */
    }
    if (rc < 0)
        return rc;
    reuse_apply(&w->u, w->train, &p);
    if (!warm)
        p.warm_host_of = w->pol->warm_host_of;
    row->planned = 0;
    row->reason[0] = '\0';
    return run_setting(w->train, w->name, w->test, &p, w->cat, w->hook, row, &w->plan_rc,
                       &w->perr, &w->u, err);
}

int
mdl_risk_sweep(const struct ks_dataset *train, const char *name, const struct ks_dataset *test,
               const struct mdl_policy *pol, const struct mdl_catalog *cat,
               const struct mdl_sweep_dim *dims, size_t ndims, double target_pct,
               const struct mdl_risk_hook *hook, struct mdl_sweep *out, struct ks_err *err)
{
    memset(out, 0, sizeof *out);
    out->target_pct = target_pct;
    out->advice = -1;
    int rc = ndims >= 1 && ndims <= 2 ? settings(dims, ndims, out, err)
                                      : ks_errf(err, -EINVAL, "a sweep has 1 or 2 keys");
    struct sweep_run w = {.train = train, .test = test, .name = name, .pol = pol, .cat = cat,
                          .dims = dims, .ndims = ndims, .hook = hook, .out = out};
    for (size_t i = 0; i < out->n && rc == 0; i++)
        rc = plan_row(&w, i, i > 0, err);
    /* The advised row is planned again from scratch: the advice says "plan again at this
     * setting", and a plan made so must be the row's plan (a warm start may pack it
     * differently). Should its figures move the advice, the new row is re-planned too. */
    unsigned char *cold = ks_xcalloc(out->n ? out->n : 1, 1);
    cold[0] = 1; /* the first setting is planned from scratch already */
    long adv;
    while (rc == 0 && (adv = advise(out)) >= 0 && !cold[adv]) {
        cold[adv] = 1;
        rc = plan_row(&w, (size_t)adv, 0, err);
    }
    free(cold);
    reuse_fini(&w.u);
    size_t planned = 0;
    for (size_t i = 0; i < out->n; i++)
        planned += (size_t)out->rows[i].planned;
    if (rc == 0 && planned == 0) {
        *err = w.perr;
        rc = w.plan_rc;
        ks_err_prefix(err, "no setting of the sweep could be planned: ");
    }
    if (rc == 0)
        out->advice = advise(out);
    return rc;
}

void
mdl_sweep_fini(struct mdl_sweep *s)
{
    free(s->rows);
    memset(s, 0, sizeof *s);
}

/* One fold's figures from its backtest. */
static void
fold_fill(struct mdl_fold *f, const struct mdl_plan *pl, const struct mdl_risk *r)
{
    f->planned = 1;
    f->hosts = pl->nhosts;
    for (int k = 0; k < MDL_RISK_NRES; k++)
        f->share_pct[k] = r->share_pct[k];
    f->worst_pct = r->worst_pct;
}

/* One fold: its two windows, a plan on the first (the rules re-bound to it), a backtest
 * on the second. A week without data, a plan or a backtest that fails is a finding of
 * the fold (its reason), not an error of the run. */
static void
run_fold(const struct ks_dataset *ds, const char *name, const struct mdl_policy *pol,
         const struct mdl_catalog *cat, const struct mdl_risk_hook *hook, size_t k,
         struct mdl_fold *f)
{
    struct mdl_window_data tr = {0};
    struct ks_dataset *te = NULL;
    struct mdl_plan *pl = NULL;
    struct mdl_risk r = {0};
    struct ks_err e = {0};
    int rc = mdl_window_data_open(ds, &f->train, 1, "training", pol, &tr, &e);
    if (rc == 0)
        rc = mdl_dataset_window(ds, &f->test, 1, "test", &te, &e);
    if (rc == 0)
        rc = mdl_plan_run(tr.ds, name, &tr.pol, cat, &pl, &e);
    if (rc == 0 && hook && hook->plan) {
        char what[32];
        snprintf(what, sizeof what, "fold %zu", k + 1);
        hook->plan(hook->ctx, what, pl);
    }
    if (rc == 0)
        rc = mdl_risk_backtest(pl, te, &r, &e);
    if (rc == 0)
        fold_fill(f, pl, &r);
    else
        snprintf(f->reason, sizeof f->reason, "%.190s", e.msg);
    mdl_risk_fini(&r);
    mdl_plan_free(pl);
    /* The fold keeps its rules for risk_rules.csv (which were skipped in its window). */
    f->rules = tr.rules;
    tr.rules = NULL;
    mdl_window_data_fini(&tr);
    ks_dataset_free(te);
}

int
mdl_risk_rolling(const struct ks_dataset *ds, const char *name, const struct mdl_policy *pol,
                 const struct mdl_catalog *cat, const struct mdl_window *folds, size_t nfolds,
                 const struct mdl_risk_hook *hook, struct mdl_fold **out, struct ks_err *err)
{
    (void)err; /* a fold's failure is a finding of the fold, not an error of the run */
    *out = ks_xcalloc(nfolds ? nfolds : 1, sizeof **out);
    for (size_t k = 0; k < nfolds; k++) {
        (*out)[k].train = folds[2 * k];
        (*out)[k].test = folds[2 * k + 1];
        run_fold(ds, name, pol, cat, hook, k, &(*out)[k]);
    }
    return 0;
}

void
mdl_risk_folds_free(struct mdl_fold *folds, size_t nfolds)
{
    for (size_t k = 0; folds && k < nfolds; k++)
        mdl_rules_free(folds[k].rules);
    free(folds);
}
