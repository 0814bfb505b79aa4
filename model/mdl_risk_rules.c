/*
 * A window's dataset with the placement rules re-bound to it (see mdl_risk.h): every
 * plan of a backtest (the plan itself, each sweep setting, each rolling fold) is made
 * through one of these, so each honours the rules on the entities its window holds.
 */
#include "model/mdl_risk.h"

#include <stdio.h>
#include <string.h>

int
mdl_window_data_open(const struct ks_dataset *ds, const struct mdl_window *w, double scale,
                     const char *what, const struct mdl_policy *pol,
                     struct mdl_window_data *out, struct ks_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = mdl_dataset_window(ds, w, scale, what, &out->ds, err);
    if (rc < 0)
        return rc;
    out->pol = *pol;
    if (pol->rules) {
        char label[64];
        snprintf(label, sizeof label, "%s window", what);
        out->rules = mdl_rules_rebind(pol->rules, out->ds, label);
    }
    out->pol.rules = out->rules;
    return 0;
}

void
mdl_window_data_fini(struct mdl_window_data *wd)
{
    ks_dataset_free(wd->ds);
    mdl_rules_free(wd->rules);
    memset(wd, 0, sizeof *wd);
}
