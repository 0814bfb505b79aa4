/*
 * Rules re-bound to a time window of the dataset (see mdl_rules_rebind in mdl_rules.h).
 *
 * A rules file is read against the whole dataset, so its members are that dataset's
 * entity indices; a backtest plans on a window's dataset, which numbers the entities
 * present there anew and lacks those without a sample in it. The copy made here maps
 * every member by name. A member the window lacks cannot be placed there, so it leaves
 * its rule for that window: what the rule says about the others still holds (two of
 * three domain controllers still never share a host). A rule with too few members left
 * keeps nothing and is skipped, with nent 0 so that no planner code acts on it; the
 * outcome and the risk files say so.
 */
#include <stdlib.h>
#include <string.h>

#include "model/mdl_rules.h"

/* Members a rule needs to mean anything: a pair for the group rules. */
static size_t
min_members(enum mdl_rule_type t)
{
    return t == MDL_RULE_ANTI || t == MDL_RULE_AFFINITY || t == MDL_RULE_SOFT ? 2 : 1;
}

/* "a;b" + name */
static void
absent_add(struct mdl_rule *r, const char *name)
{
    char *s = r->absent ? ks_xasprintf("%s;%s", r->absent, name) : ks_xstrdup(name);
    free(r->absent);
    r->absent = s;
}

/* Copy of rule o with its members mapped into win (fields owned anew). */
static void
rebind_rule(struct mdl_rule *r, const struct mdl_rule *o, const struct ks_dataset *win)
{
    *r = *o;
    r->name = ks_xstrdup(o->name);
    r->members = ks_xstrdup(o->members);
    r->target = o->target ? ks_xstrdup(o->target) : NULL;
    r->absent = NULL;
    r->ent = ks_xmalloc((o->nent ? o->nent : 1) * sizeof *r->ent);
    r->names = ks_xmalloc((o->nent ? o->nent : 1) * sizeof *r->names);
    r->hosts = ks_xmalloc((o->nhosts ? o->nhosts : 1) * sizeof *r->hosts);
    if (o->nhosts) /* hosts is NULL without any (memcpy must not see NULL) */
        memcpy(r->hosts, o->hosts, o->nhosts * sizeof *r->hosts);
    r->pin_hosts = NULL;
    if (o->pin_hosts) { /* a pin's target hosts (one at least when allocated) */
        r->pin_hosts = ks_xmalloc((o->npin ? o->npin : 1) * sizeof *r->pin_hosts);
        memcpy(r->pin_hosts, o->pin_hosts, (o->npin ? o->npin : 1) * sizeof *r->pin_hosts);
    }
    r->nent = 0;
    for (size_t m = 0; m < o->nent; m++) {
        long e = ks_dataset_find(win, o->names[m]);
        if (e < 0) {
            absent_add(r, o->names[m]);
            continue;
        }
        r->names[r->nent] = ks_xstrdup(o->names[m]);
        r->ent[r->nent++] = (uint32_t)e;
    }
    /* A zone's named hosts stay with its entities: without any, the zone needs no host
     * and naming some would make every host model ineligible. */
    if (r->absent && r->nent < min_members(r->type)) {
        r->skipped = 1;
        for (size_t m = 0; m < r->nent; m++)
            free(r->names[m]);
        r->nent = 0;
        r->nhosts = 0;
    }
}

struct mdl_rules *
mdl_rules_rebind(const struct mdl_rules *rs, const struct ks_dataset *win, const char *label)
{
    struct mdl_rules *w = ks_xcalloc(1, sizeof *w);
    w->path = ks_xstrdup(rs->path);
    w->window = ks_xstrdup(label ? label : "window");
    w->n = rs->n;
    w->r = ks_xcalloc(rs->n ? rs->n : 1, sizeof *w->r);
    for (size_t k = 0; k < rs->n; k++)
        rebind_rule(&w->r[k], &rs->r[k], win);
    w->nzones = rs->nzones;
    w->zones = ks_xmalloc(rs->nzones * sizeof *w->zones);
    w->zone_model = ks_xcalloc(rs->nzones, sizeof *w->zone_model);
    w->zone_model_line = ks_xcalloc(rs->nzones, sizeof *w->zone_model_line);
    for (size_t z = 0; z < rs->nzones; z++) {
        w->zones[z] = ks_xstrdup(rs->zones[z]);
        w->zone_model[z] = rs->zone_model[z] ? ks_xstrdup(rs->zone_model[z]) : NULL;
        w->zone_model_line[z] = rs->zone_model_line[z];
    }
    w->npin_list = rs->npin_list;
    w->pin_sets = rs->pin_sets;
    w->pin_list = ks_xmalloc((rs->npin_list ? rs->npin_list : 1) * sizeof *w->pin_list);
    if (rs->npin_list)
        memcpy(w->pin_list, rs->pin_list, rs->npin_list * sizeof *w->pin_list);
    return w;
}

size_t
mdl_rules_absent(const struct mdl_rules *rs, size_t *skipped)
{
    size_t n = 0, s = 0;
    for (size_t k = 0; k < rs->n; k++) {
        n += rs->r[k].absent != NULL;
        s += (size_t)rs->r[k].skipped;
    }
    if (skipped)
        *skipped = s;
    return n;
}

int
mdl_rules_excludes(const struct mdl_rules *rs, const char *name)
{
    for (size_t k = 0; k < rs->n; k++) {
        const struct mdl_rule *r = &rs->r[k];
        for (size_t m = 0; r->type == MDL_RULE_EXCLUDE && !r->disabled && m < r->nent; m++)
            if (strcmp(r->names[m], name) == 0)
                return 1;
    }
    return 0;
}
