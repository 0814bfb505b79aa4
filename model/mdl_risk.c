/* The backtest: a plan's placement replayed on a test window (see mdl_risk.h). */
#include "model/mdl_risk.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ks_table.h"

/* A load counts as over when it exceeds the capacity by more than rounding: the
 * planner packs float demands rounded up, so a host exactly at capacity holds. */
#define OVER_EPS 1e-9

/* How many of the biggest contributors a host's row names. */
#define TOP_VMS 3

static double *
series(const struct mdl_demand *d, int res, size_t q)
{
    return (res ? d->mem_MiB : d->cpu_MHz) + q * d->T;
}

/* host of every test source (-1: the plan has none for it), and the two missing lists. */
static long *
match(const struct mdl_plan *pl, const struct ks_dataset *tds, const struct mdl_demand *d,
      struct mdl_risk *r)
{
    struct ks_map ix;
    ks_map_init(&ix);
    for (size_t e = 0; e < pl->nent; e++)
        ks_map_put(&ix, pl->ent_names[e], (uint32_t)e);
    long *host = ks_xmalloc((d->n ? d->n : 1) * sizeof *host);
    char *present = ks_xcalloc(pl->nent ? pl->nent : 1, 1);
    for (size_t q = 0; q < d->n; q++) {
        const char *name = ks_dataset_entity(tds, d->ent[q]);
        uint32_t e;
        host[q] = ks_map_get(&ix, name, &e) ? pl->host_of[e] : -1;
        if (host[q] >= 0) {
            present[e] = 1;
            continue;
        }
        /* Kept physical by the rules: not consolidated, so neither replayed nor missing. */
        if (pl->rules && mdl_rules_excludes(pl->rules->rules, name)) {
            r->physical++;
            continue;
        }
        r->miss_train = ks_xrealloc(r->miss_train, (r->nmiss_train + 1) * sizeof(char *));
        r->miss_train[r->nmiss_train++] = ks_xstrdup(name);
    }
    for (size_t e = 0; e < pl->nent; e++)
        if (pl->host_of[e] >= 0 && !present[e]) {
            r->miss_test = ks_xrealloc(r->miss_test, (r->nmiss_test + 1) * sizeof(char *));
            r->miss_test[r->nmiss_test++] = ks_xstrdup(pl->ent_names[e]);
        }
    free(present);
    ks_map_fini(&ix);
    return host;
}

/* Sum each host's series; counts VMs per host and the common entities. */
static void
sum_loads(struct mdl_risk *r, const struct mdl_demand *d, const long *host)
{
    size_t T = r->steps;
    for (size_t q = 0; q < d->n; q++) {
        if (host[q] < 0)
            continue;
        size_t h = (size_t)host[q];
        r->h[h].vms++;
        r->common++;
        for (int k = 0; k < MDL_RISK_NRES; k++) {
            const double *s = series(d, k, q);
            double *l = r->load + (h * MDL_RISK_NRES + (size_t)k) * T;
            for (size_t t = 0; t < T; t++)
                l[t] += s[t];
        }
    }
}

/* Overload figures of host h from its sums. */
static void
host_stats(struct mdl_risk *r, size_t h)
{
    struct mdl_risk_host *H = &r->h[h];
    size_t T = r->steps, run = 0;
    double worst = -1;
    for (size_t t = 0; t < T; t++) {
        int any = 0;
        for (int k = 0; k < MDL_RISK_NRES; k++) {
            double cap = r->cap[h * MDL_RISK_NRES + (size_t)k];
            double pct = r->load[(h * MDL_RISK_NRES + (size_t)k) * T + t] / cap * 100;
            if (pct > 100 * (1 + OVER_EPS)) {
                H->over[k]++;
                any = 1;
            }
            H->worst_pct[k] = fmax(H->worst_pct[k], pct);
            if (pct > worst) {
                worst = pct;
                H->worst_step = t;
            }
        }
        H->over_any += (size_t)any;
        run = any ? run + 1 : 0;
        H->longest_run = run > H->longest_run ? run : H->longest_run;
    }
}

/* The TOP_VMS biggest contributors to host h at its worst step, in its worst
 * resource: the VMs a reader looks at first when a host overloads. */
static void
top_vms(struct mdl_risk *r, size_t h, const struct mdl_demand *d, const long *host,
        const struct ks_dataset *tds)
{
    struct mdl_risk_host *H = &r->h[h];
    int k = H->worst_pct[1] / 100 > H->worst_pct[0] / 100 ? 1 : 0;
    size_t best[TOP_VMS], nb = 0;
    for (size_t q = 0; q < d->n; q++) {
        if (host[q] != (long)h)
            continue;
        double v = series(d, k, q)[H->worst_step];
        size_t at = nb < TOP_VMS ? nb++ : TOP_VMS;
        /* Insertion into a short sorted list, biggest first. */
        while (at > 0 && series(d, k, best[at - 1])[H->worst_step] < v) {
            if (at < TOP_VMS)
                best[at] = best[at - 1];
            at--;
        }
        if (at < TOP_VMS)
            best[at] = q;
    }
    char buf[1024] = "";
    for (size_t i = 0; i < nb; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? ";" : "",
                 ks_dataset_entity(tds, d->ent[best[i]]));
    H->top_vms = ks_xstrdup(buf);
}

static void
totals(struct mdl_risk *r)
{
    for (size_t h = 0; h < r->nhosts; h++) {
        const struct mdl_risk_host *H = &r->h[h];
        if (H->vms == 0)
            continue;
        r->loaded++;
        for (int k = 0; k < MDL_RISK_NRES; k++) {
            r->over[k] += H->over[k];
            r->worst_pct = fmax(r->worst_pct, H->worst_pct[k]);
        }
        r->longest_run = H->longest_run > r->longest_run ? H->longest_run : r->longest_run;
        r->hosts_over += H->over_any > 0;
        r->vms_over += H->over_any > 0 ? H->vms : 0;
    }
    double cells = (double)r->loaded * (double)r->steps;
    for (int k = 0; k < MDL_RISK_NRES; k++)
        r->share_pct[k] = cells > 0 ? (double)r->over[k] / cells * 100 : 0;
}

static void
alloc_hosts(struct mdl_risk *r, const struct mdl_plan *pl, size_t T)
{
    r->nhosts = pl->nhosts;
    r->steps = T;
    size_t nh = r->nhosts ? r->nhosts : 1;
    r->h = ks_xcalloc(nh, sizeof *r->h);
    r->load = ks_xcalloc(nh * MDL_RISK_NRES * (T ? T : 1), sizeof *r->load);
    r->cap = ks_xmalloc(nh * MDL_RISK_NRES * sizeof *r->cap);
    for (size_t h = 0; h < r->nhosts; h++) {
        r->cap[h * MDL_RISK_NRES] = pl->hosts[h].cpu_cap_MHz;
        r->cap[h * MDL_RISK_NRES + 1] = pl->hosts[h].mem_cap_MiB;
        r->h[h].spare = pl->hosts[h].ha_spare;
    }
}

int
mdl_risk_backtest(const struct mdl_plan *pl, const struct ks_dataset *tds, struct mdl_risk *r,
                  struct ks_err *err)
{
    struct mdl_demand d;
    memset(r, 0, sizeof *r);
    int rc = mdl_demand_build(tds, &pl->pol, &d, err);
    if (rc < 0) {
        ks_err_prefix(err, "test window: ");
        mdl_demand_fini(&d);
        return rc;
    }
    if (d.by_allocation) {
        mdl_demand_fini(&d);
        return ks_errf(err, -EINVAL, "test window: no time series to replay");
    }
    r->step_s = d.step_s;
    r->t0 = d.t0;
    r->gaps = d.nan_gaps;
    alloc_hosts(r, pl, d.T);
    long *host = match(pl, tds, &d, r);
    sum_loads(r, &d, host);
    if (r->common == 0)
        rc = ks_errf(err, -ERANGE, "the test window has no entity in common with the plan "
                                   "(%zu in the test window, none placed by the plan made on "
                                   "the training window)", d.n);
    for (size_t h = 0; rc == 0 && h < r->nhosts; h++) {
        host_stats(r, h);
        top_vms(r, h, &d, host, tds);
    }
    if (rc == 0)
        totals(r);
    free(host);
    mdl_demand_fini(&d);
    return rc;
}

void
mdl_risk_fini(struct mdl_risk *r)
{
    for (size_t h = 0; r->h && h < r->nhosts; h++)
        free(r->h[h].top_vms);
    for (size_t i = 0; i < r->nmiss_train; i++)
        free(r->miss_train[i]);
    for (size_t i = 0; i < r->nmiss_test; i++)
        free(r->miss_test[i]);
    free(r->miss_train);
    free(r->miss_test);
    free(r->h);
    free(r->load);
    free(r->cap);
    memset(r, 0, sizeof *r);
}

double
mdl_risk_share_at(const struct mdl_risk *r, double f)
{
    double cells = (double)r->loaded * (double)r->steps, worst = 0;
    for (int k = 0; k < MDL_RISK_NRES && cells > 0; k++) {
        size_t over = 0;
        for (size_t h = 0; h < r->nhosts; h++) {
            if (r->h[h].vms == 0)
                continue;
            const double *l = r->load + (h * MDL_RISK_NRES + (size_t)k) * r->steps;
            double lim = r->cap[h * MDL_RISK_NRES + (size_t)k] * (1 + OVER_EPS);
            for (size_t t = 0; t < r->steps; t++)
                over += l[t] * f > lim;
        }
        worst = fmax(worst, (double)over / cells * 100);
    }
    return worst;
}

/* The share only grows with f, so the last month at or under the target is found by
 * bisection over whole months. */
int
mdl_risk_holds_months(const struct mdl_risk *r, double growth_pct, double target_pct,
                      int max_months)
{
    double g = 1 + growth_pct / 100;
    if (mdl_risk_share_at(r, 1) > target_pct)
        return -1;
    if (g <= 1 || mdl_risk_share_at(r, pow(g, max_months / 12.0)) <= target_pct)
        return max_months;
    int lo = 0, hi = max_months; /* share(lo) <= target < share(hi) */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (mdl_risk_share_at(r, pow(g, mid / 12.0)) <= target_pct)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The plan was made from a window's dataset; placement.csv must list every entity of
 * the whole dataset (PLAN-CONTRACT). Entities the window lacked are not placed (-1). */
void
mdl_risk_widen(struct mdl_plan *pl, const struct ks_dataset *ds)
{
    struct ks_map ix;
    ks_map_init(&ix);
    for (size_t e = 0; e < pl->nent; e++)
        ks_map_put(&ix, pl->ent_names[e], (uint32_t)e);
    size_t n = ks_dataset_nent(ds);
    char **names = ks_xmalloc((n ? n : 1) * sizeof *names);
    long *host = ks_xmalloc((n ? n : 1) * sizeof *host);
    double *perf = ks_xmalloc((n ? n : 1) * sizeof *perf);
    unsigned char *origin = ks_xcalloc(n ? n : 1, sizeof *origin);
    const struct mdl_cpu_row **row = ks_xcalloc(n ? n : 1, sizeof *row);
    for (size_t e = 0; e < n; e++) {
        uint32_t o;
        names[e] = ks_xstrdup(ks_dataset_entity(ds, e));
        int in = ks_map_get(&ix, names[e], &o);
        host[e] = in ? pl->host_of[o] : -1;
        perf[e] = in && pl->cpu_perf ? pl->cpu_perf[o] : NAN; /* not a source of this plan */
        origin[e] = in && pl->cpu_origin ? pl->cpu_origin[o] : 0;
        row[e] = in && pl->cpu_row ? pl->cpu_row[o] : NULL;
    }
    for (size_t e = 0; e < pl->nent; e++)
        free(pl->ent_names[e]);
    free(pl->ent_names);
    free(pl->host_of);
    free(pl->cpu_perf);
    free(pl->cpu_origin);
    free(pl->cpu_row);
    pl->ent_names = names;
    pl->host_of = host;
    pl->cpu_perf = perf;
    pl->cpu_origin = origin;
    pl->cpu_row = row;
    pl->nent = n;
    ks_map_fini(&ix);
}

/* Files a risk run writes: removed first, so a plan directory never shows the risk of
 * an earlier run beside a new plan. */
void
mdl_risk_clean(const char *dir)
{
    static const char *const files[] = {"risk.csv", "risk_hosts.csv", "risk_missing.csv",
                                        "risk_sweep.csv", "risk_rolling.csv", "risk_rules.csv",
                                        "risk_margins.csv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *p = ks_xasprintf("%s/%s", dir, files[i]);
        unlink(p);
        free(p);
    }
}
