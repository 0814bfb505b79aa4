/*
 * What each placement rule costs in hosts: the plan made again without it. The re-plans
 * use the chosen host model only (the question is "how many more hosts of this model",
 * not "would another model win") and the same seed and effort, so a difference is the
 * rule's and not the search's; beyond max_replans rules the cost is left unknown rather
 * than making a large rule set take hours.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/mdl_plan.h"
#include "model/mdl_rules.h"

/* Hosts of the plan with the current rules (some disabled); NaN and a note on failure. */
static double
replan(const struct ks_dataset *ds, const char *name, const struct mdl_catalog *cat,
       const struct mdl_policy *pol, char *note, size_t note_len)
{
    struct mdl_plan *p = NULL;
    struct ks_err err = {0};
    double hosts = NAN;
    if (mdl_plan_run(ds, name, pol, cat, &p, &err) == 0)
        hosts = (double)p->nhosts;
    else if (note)
        snprintf(note, note_len, "; without it no plan: %.120s", err.msg);
    mdl_plan_free(p);
    return hosts;
}

void
mdl_rules_costs(const struct ks_dataset *ds, const char *dataset_name,
                const struct mdl_catalog *cat, struct mdl_rules *rules, struct mdl_plan *pl,
                size_t max_replans)
{
    struct mdl_policy pol = pl->pol;
    pol.model = (char *)mdl_plan_model(pl)->name; /* only read: plan_new copies it */
    pol.rules = rules;
    for (size_t k = 0; k < rules->n; k++) {
        struct mdl_rule_out *o = &pl->rules->out[k];
        size_t len = strlen(o->notes);
        if (rules->r[k].skipped) /* keeps nothing in this window: costs nothing */
            continue;
        if (k >= max_replans) {
            snprintf(o->notes + len, sizeof o->notes - len, "; not re-planned (over %zu rules)",
                     max_replans);
            continue;
        }
        rules->r[k].disabled = 1;
        o->hosts_without = replan(ds, dataset_name, cat, &pol, o->notes + len,
                                  sizeof o->notes - len);
        rules->r[k].disabled = 0;
    }
    pol.rules = NULL;
    pl->rules->hosts_without_all = replan(ds, dataset_name, cat, &pol, NULL, 0);
}
