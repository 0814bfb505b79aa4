/*
 * A window's dataset with the placement rules re-bound to it (see mdl_risk.h): every
 * plan of a backtest (the plan itself, each sweep setting, each rolling fold) is made
 * through one of these, so each honours the rules on the entities its window holds.
 * And the plan of record on all the data (--final-on-all), made by the same method.
 */
#include "model/mdl_risk.h"

#include <stdio.h>
#include <string.h>

/* pol with its rules re-bound to out->ds as the "<what> window", into out. */
static void
bind_rules(struct mdl_window_data *out, const struct mdl_policy *pol, const char *what)
{
    out->pol = *pol;
    if (pol->rules) {
        char label[64];
        snprintf(label, sizeof label, "%s window", what);
        out->rules = mdl_rules_rebind(pol->rules, out->ds, label);
    }
    out->pol.rules = out->rules;
}

int
mdl_window_data_open(const struct ks_dataset *ds, const struct mdl_window *w, double scale,
                     const char *what, const struct mdl_policy *pol,
                     struct mdl_window_data *out, struct ks_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = mdl_dataset_window(ds, w, scale, what, &out->ds, err);
    if (rc < 0)
        return rc;
    bind_rules(out, pol, what);
    return 0;
}

void
mdl_window_data_fini(struct mdl_window_data *wd)
{
    ks_dataset_free(wd->ds);
    mdl_rules_free(wd->rules);
    memset(wd, 0, sizeof *wd);
}

int
mdl_plan_all(const struct ks_dataset *ds, const char *name, const struct mdl_policy *pol,
             const struct mdl_catalog *cat, double scale, struct mdl_window_data *wd,
             struct mdl_plan **pl, struct ks_err *err)
{
    memset(wd, 0, sizeof *wd);
    if (scale == 1) /* the very plan a run without risk flags makes */
        return mdl_plan_run(ds, name, pol, cat, pl, err);
    /* Growth: every entity kept (an inventory-only one is sized by its allocation, as
     * on ds), so the rules re-bind without losing a member. */
    wd->ds = mdl_dataset_scaled(ds, scale);
    bind_rules(wd, pol, "whole");
    int rc = mdl_plan_run(wd->ds, name, &wd->pol, cat, pl, err);
    if (rc == 0)
        mdl_risk_widen(*pl, ds);
    return rc;
}
