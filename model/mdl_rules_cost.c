/*
 * What each placement rule costs in hosts: the plan made again without it. The re-plans
 * use the chosen host model only (the question is "how many more hosts of this model",
 * not "would another model win") and the same seed and effort, so a difference is the
 * rule's and not the search's; beyond max_replans rules the cost is left unknown rather
 * than making a large rule set take hours.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/mdl_catalog.h"
#include "model/mdl_plan.h"
#include "model/mdl_rules.h"
#include "model/mdl_rules_int.h"
#include "model/mdl_rules_run.h"

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

/* ---- Costs from bounds ---------------------------------------------------------------
 * Leaving out a rule other than an exclude only relaxes the plan: the plan made with it
 * keeps every other rule, so a plan without it needs at most the plan's hosts. When the
 * lower bound without the rule (per zone, the bound on its units raised to its cliques
 * and pins, plus its HA spares, as mdl_rules_lower_bound) already reaches the plan's
 * hosts, the plan without it needs exactly that many: no re-plan can find fewer, and a
 * re-plan finding more would only be the search's variance. Exact where the re-plan's
 * only host choice is the plan's: a model with one socket population, no zone on a model
 * of its own (the bound would need that model's capacity). */

/* Lower bound on the hosts of the plan without the rules rs leaves disabled, on the
 * plan's host choice; 0 when the shortcut does not apply. d0: the demand before excludes. */
static size_t
bound_without(const struct ks_dataset *ds, const struct mdl_demand *d0, const struct mdl_rules *rs,
              const struct mdl_plan *pl)
{
    const struct mdl_model *m = mdl_plan_model(pl);
    if (!d0 || m->min_sockets != m->sockets)
        return 0;
    for (size_t zi = 0; zi < rs->nzones; zi++)
        if (rs->zone_model && rs->zone_model[zi])
            return 0;
    struct mdl_demand d;
    mdl_demand_copy(d0, &d);
    mdl_rules_exclude(rs, &d);
    struct mdl_vbp *p = mdl_vbp_new(d.n, 2, d.T, pl->pack_cap);
    p->allow_over = pl->allow_over;
    double *row = ks_xmalloc((d.T ? 2 * d.T : 1) * sizeof *row);
    for (size_t q = 0; q < d.n; q++) {
        memcpy(row, d.cpu_MHz + q * d.T, d.T * sizeof *row);
        memcpy(row + d.T, d.mem_MiB + q * d.T, d.T * sizeof *row);
        mdl_vbp_set_item(p, q, row);
    }
    free(row);
    struct mdl_rules_run *rr = NULL;
    mdl_rules_bind(rs, ds, &d, p, &rr);
    size_t lb = mdl_rules_lower_bound(rr, p);
    for (size_t zi = 0; zi < rr->nzones; zi++) /* every zone with units has its spares */
        lb += rr->z[zi].nu && pl->pol.ha > 0 ? (size_t)pl->pol.ha : 0;
    mdl_rules_run_free(rr);
    mdl_vbp_free(p);
    mdl_demand_fini(&d);
    return lb;
}

/* One re-plan: without rule `off` (or without any rule when off is SIZE_MAX). Each job
 * has its own copy of the rule array, so the jobs share only what they read. */
struct replan_job {
    const struct ks_dataset *ds;
    const char *name;
    const struct mdl_catalog *cat;
    struct mdl_policy pol;
    struct mdl_rules rules;     /* shallow copy, r owned by the job */
    size_t off;
    char *note;
    size_t note_len;
    double hosts;
};

struct replan_pool {
    struct replan_job *job;
    size_t n, next, done;
    pthread_mutex_t mu;
    const struct mdl_policy *pol; /* its progress callback, called under mu */
};

static void *
replan_worker(void *arg)
{
    struct replan_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n)
            return NULL;
        struct replan_job *j = &p->job[i];
        j->hosts = replan(j->ds, j->name, j->cat, &j->pol, j->note, j->note_len);
        pthread_mutex_lock(&p->mu);
        p->done++;
        if (p->pol->progress) {
            char what[80];
            snprintf(what, sizeof what, "rule costs: %zu of %zu re-plans", p->done, p->n);
            p->pol->progress(p->pol->progress_ctx, what);
        }
        pthread_mutex_unlock(&p->mu);
    }
}

/* The re-plans are independent and each is a whole search: they run on every core
 * (the results do not depend on how many: every job has its own seed-fixed search). */
static void
run_jobs(struct replan_job *job, size_t n, const struct mdl_policy *pol)
{
    struct replan_pool p = {.job = job, .n = n, .pol = pol};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = cpus > 1 ? (size_t)cpus : 1;
    nt = nt > n ? n : nt;
    pthread_t *tid = ks_xcalloc(nt ? nt : 1, sizeof *tid);
    size_t started = 0;
    pthread_mutex_init(&p.mu, NULL);
    for (size_t t = 1; t < nt; t++) /* the caller is the first worker */
        started += pthread_create(&tid[started], NULL, replan_worker, &p) == 0;
    replan_worker(&p);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&p.mu);
    free(tid);
}

void
mdl_rules_costs(const struct ks_dataset *ds, const char *dataset_name,
                const struct mdl_catalog *cat, struct mdl_rules *rules, struct mdl_plan *pl,
                size_t max_replans)
{
    struct mdl_policy pol = pl->pol;
    pol.model = (char *)mdl_plan_model(pl)->name; /* only read: plan_new copies it */
    pol.progress = NULL; /* the re-plans' own model loops stay quiet: the pool reports */
    /* One demand for every re-plan: it depends on the dataset and the demand policy only
     * (excludes are applied to each plan's copy), so each would build the same series. */
    struct mdl_demand d;
    struct ks_err derr = {0};
    int have_d = mdl_demand_build(ds, &pol, &d, &derr) == 0;
    pol.demand = have_d ? &d : NULL;
    pol.hosts_only = 1; /* replan() reads nhosts alone */
    /* The zones a left-out rule leaves as they were take the plan's packings. */
    pol.zone_memo = pl->zone_memo;
    struct replan_job *job = ks_xcalloc(rules->n + 1, sizeof *job);
    size_t n = 0;
    for (size_t k = 0; k <= rules->n; k++) {
        struct mdl_rule_out *o = k < rules->n ? &pl->rules->out[k] : NULL;
        size_t len = o ? strlen(o->notes) : 0;
        if (o && rules->r[k].skipped) /* keeps nothing in this window: costs nothing */
            continue;
        if (o && k >= max_replans) {
            snprintf(o->notes + len, sizeof o->notes - len, "; not re-planned (over %zu rules)",
                     max_replans);
            continue;
        }
        struct replan_job *j = &job[n++];
        *j = (struct replan_job){.ds = ds, .name = dataset_name, .cat = cat, .pol = pol,
                                 .rules = *rules, .off = o ? k : SIZE_MAX,
                                 .note = o ? o->notes + len : NULL,
                                 .note_len = o ? sizeof o->notes - len : 0};
        j->rules.r = ks_xmalloc((rules->n ? rules->n : 1) * sizeof *j->rules.r);
        memcpy(j->rules.r, rules->r, rules->n * sizeof *j->rules.r);
        if (o)
            j->rules.r[k].disabled = 1;
        j->pol.rules = o ? &j->rules : NULL;
        /* A relaxation (not an exclude, not all rules at once: both may add sources)
         * whose bound reaches the plan's hosts costs nothing: no re-plan. */
        if (o && rules->r[k].type != MDL_RULE_EXCLUDE &&
            bound_without(ds, pol.demand, &j->rules, pl) == pl->nhosts) {
            pl->rules->out[k].hosts_without = (double)pl->nhosts;
            free(j->rules.r);
            n--;
        }
    }
    run_jobs(job, n, &pl->pol);
    for (size_t i = 0; i < n; i++) {
        if (job[i].off == SIZE_MAX)
            pl->rules->hosts_without_all = job[i].hosts;
        else
            pl->rules->out[job[i].off].hosts_without = job[i].hosts;
        free(job[i].rules.r);
    }
    free(job);
    if (have_d)
        mdl_demand_fini(&d);
}
