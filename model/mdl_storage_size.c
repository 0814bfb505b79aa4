/*
 * mdl_storage_size: choose the cheapest array configuration that carries the demand.
 *
 * A configuration is a drive model and a RAID level for the I/O tier (optionally with a
 * second, capacity-only tier), a shelf model and an array head (controller pair). The
 * drive count of a tier is the largest of what the back-end IOPS, the back-end MB/s and
 * the usable capacity ask for, rounded up to whole RAID groups, plus hot spares. The
 * search is exhaustive: catalogs hold a handful of rows per file, so every combination
 * is evaluated and written out (storage_options.csv) for the report to show.
 */
#include "model/mdl_storage_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one tier must carry: back-end IOPS and MB/s for its RAID level, and GiB. */
struct tier_need {
    double iops, MBps, GiB;
};

/* Back-end demand of RAID level r for load_scale x the estate's I/O: reads + writes x
 * penalty for IOPS, reads + writes / usable_fraction for MB/s (a full-stripe write
 * also writes the parity or mirror share), both at the sizing statistic of the summed
 * per-step series, with headroom. */
static struct tier_need
backend_need(const struct mdl_storage_plan *sp, const struct mdl_raid *r, double load_scale)
{
    size_t n = sp->nsteps;
    double *io = ks_xcalloc(n ? n : 1, sizeof *io), *mb = ks_xcalloc(n ? n : 1, sizeof *mb);
    for (size_t k = 0; k < n; k++) {
        io[k] = sp->read_iops[k] + sp->write_iops[k] * r->write_penalty;
        mb[k] = sp->read_KiBps[k] + sp->write_KiBps[k] / r->usable_fraction;
    }
    double h = (1 + sp->pol.headroom_pct / 100) * load_scale;
    struct tier_need t = {mdl_storage_stat(sp, io) * h, mdl_storage_stat(sp, mb) * 1024 / 1e6 * h,
                          sp->capacity_needed_GiB};
    free(io);
    free(mb);
    return t;
}

/* Drives are sold in decimal GB; the dataset counts GiB. */
static double
drive_GiB(const struct mdl_drive *d)
{
    return d->capacity_GB * 1e9 / MDL_GiB;
}

/* Drives, groups and spares of one tier for need t. */
static void
size_tier(const struct mdl_storage_plan *sp, int di, int ri, struct tier_need t,
          struct mdl_storage_tier *out)
{
    const struct mdl_drive *d = &sp->cat->drive[di];
    const struct mdl_raid *r = &sp->cat->raid[ri];
    /* The binding resource decides: IOPS, MB/s or usable capacity. */
    double n = fmax(mdl_storage_ceil(t.iops / d->iops), mdl_storage_ceil(t.MBps / d->MBps));
    n = fmax(n, mdl_storage_ceil(t.GiB / (drive_GiB(d) * r->usable_fraction)));
    out->drive = di, out->raid = ri;
    /* Whole RAID groups only: 11 drives of RAID 5 4+1 are 3 groups, 15 drives. */
    out->groups = (long)mdl_storage_ceil(fmax(n, 1) / (double)r->group_drives);
    out->drives = out->groups * r->group_drives;
    out->spares = sp->pol.spare_every > 0
                      ? (long)mdl_storage_ceil((double)out->drives / sp->pol.spare_every)
                      : 0;
    out->usable_GiB = (double)out->drives * drive_GiB(d) * r->usable_fraction;
    out->backend_iops = (double)out->drives * d->iops;
}

/* Shelves, array heads, cost and eligibility once the tiers are sized. */
static void
finish_config(const struct mdl_storage_plan *sp, double load_scale, struct mdl_storage_config *c)
{
    const struct mdl_array_catalog *cat = sp->cat;
    const struct mdl_shelf *s = &cat->shelf[c->shelf];
    const struct mdl_controller *k = &cat->ctrl[c->ctrl];
    long drives = 0;
    c->capex = c->watts = c->usable_GiB = 0;
    for (int i = 0; i < 2; i++) {
        const struct mdl_storage_tier *t = &c->tier[i];
        if (t->drive < 0)
            continue;
        long n = t->drives + t->spares;
        drives += n;
        c->capex += (double)n * cat->drive[t->drive].price;
        c->watts += (double)n * cat->drive[t->drive].watts;
        c->usable_GiB += t->usable_GiB;
    }
    /* Both tiers share the shelves; heads are bounded by shelves and by front-end load. */
    c->shelves = (long)mdl_storage_ceil((double)drives / (double)s->drives);
    double by_shelf = mdl_storage_ceil((double)c->shelves / (double)k->max_shelves);
    double by_iops = mdl_storage_ceil(sp->fe_iops_need * load_scale / k->max_iops);
    double by_MBps = mdl_storage_ceil(sp->fe_MBps_need * load_scale / k->max_MBps);
    c->arrays = (long)fmax(1, fmax(by_shelf, fmax(by_iops, by_MBps)));
    c->capex += (double)c->shelves * s->price + (double)c->arrays * k->price;
    c->watts += (double)c->shelves * s->watts + (double)c->arrays * k->watts;
    /* W x 8766 h/year / 1000 = kWh per year. */
    c->opex_per_year = c->watts * 8.766 * sp->pol.power_price_per_kWh * sp->pol.pue;
    c->total_cost = c->capex + c->opex_per_year * sp->pol.years;
    /* Only the head count can make a configuration impossible: drives and shelves
     * grow without bound, heads are capped by policy. */
    c->eligible = c->arrays <= sp->pol.max_arrays;
    if (!c->eligible) {
        const char *why = c->arrays == (long)by_shelf  ? "shelves"
                          : c->arrays == (long)by_iops ? "front-end IOPS"
                                                       : "front-end MB/s";
        snprintf(c->reason, sizeof c->reason, "needs %ld arrays > max_arrays %ld (%s)", c->arrays,
                 sp->pol.max_arrays, why);
    }
}

/* Append one configuration. tier1_drive < 0: single tier carrying everything. */
static void
add_config(struct mdl_storage_plan *sp, double load_scale, const struct tier_need *need, int d0,
           int r0, int d1, int r1, int s, int k, struct mdl_storage_config **opt, size_t *n,
           size_t *cap)
{
    *opt = ks_xgrow(*opt, cap, *n + 1, sizeof **opt);
    struct mdl_storage_config *c = &(*opt)[(*n)++];
    memset(c, 0, sizeof *c);
    c->shelf = s, c->ctrl = k;
    /* The I/O tier takes the whole back-end need of its RAID level; in a tiered
     * configuration only hot_capacity_pct of the capacity, the HDD tier the rest. */
    struct tier_need hot = need[r0];
    c->tier[1].drive = c->tier[1].raid = -1;
    if (d1 >= 0) {
        double hot_share = sp->pol.hot_capacity_pct / 100;
        struct tier_need cold = {0, 0, hot.GiB * (1 - hot_share)};
        hot.GiB *= hot_share;
        size_tier(sp, d1, r1, cold, &c->tier[1]);
    }
    size_tier(sp, d0, r0, hot, &c->tier[0]);
    finish_config(sp, load_scale, c);
}

/* Every single-tier configuration, then every SSD tier over an HDD tier. */
static void
enumerate(struct mdl_storage_plan *sp, double load_scale, const struct tier_need *need,
          struct mdl_storage_config **opt, size_t *n)
{
    const struct mdl_array_catalog *c = sp->cat;
    size_t cap = 0;
    int nd = (int)c->ndrive, nr = (int)c->nraid, ns = (int)c->nshelf, nk = (int)c->nctrl;
    for (int d = 0; d < nd; d++)
        for (int r = 0; r < nr; r++)
            for (int s = 0; s < ns; s++)
                for (int k = 0; k < nk; k++)
                    add_config(sp, load_scale, need, d, r, -1, -1, s, k, opt, n, &cap);
    if (!sp->pol.allow_tiering)
        return;
    for (int d0 = 0; d0 < nd; d0++)
        for (int d1 = 0; d1 < nd; d1++) {
            if (c->drive[d0].media != MDL_MEDIA_SSD || c->drive[d1].media != MDL_MEDIA_HDD)
                continue;
            for (int r0 = 0; r0 < nr; r0++)
                for (int r1 = 0; r1 < nr; r1++)
                    for (int s = 0; s < ns; s++)
                        for (int k = 0; k < nk; k++)
                            add_config(sp, load_scale, need, d0, r0, d1, r1, s, k, opt, n, &cap);
        }
}

/* The most one resource can reach with drive d, RAID r, shelf s, head k at max_arrays:
 * front-end IOPS, front-end MB/s and usable GiB. */
struct reach {
    double iops, MBps, GiB;
};

static struct reach
reachable(const struct mdl_storage_plan *sp, const struct tier_need *need, double load_scale, int d,
          int r, int s, int k)
{
    const struct mdl_array_catalog *c = sp->cat;
    /* Every slot filled, less spares, in whole groups. */
    double slots =
        (double)sp->pol.max_arrays * (double)c->ctrl[k].max_shelves * (double)c->shelf[s].drives;
    double spare =
        sp->pol.spare_every > 0 ? mdl_storage_ceil(slots / (sp->pol.spare_every + 1)) : 0;
    double g = (double)c->raid[r].group_drives;
    double raid = floor((slots - spare) / g) * g;
    double fe_i = sp->fe_iops_need * load_scale, fe_m = sp->fe_MBps_need * load_scale;
    /* Back-end per front-end ratio at the measured mix (1 when there is no load). */
    double amp_i = fe_i > 0 ? need[r].iops / fe_i : 1, amp_m = fe_m > 0 ? need[r].MBps / fe_m : 1;
    double heads = (double)sp->pol.max_arrays;
    struct reach x = {fmin(raid * c->drive[d].iops / amp_i, heads * c->ctrl[k].max_iops),
                      fmin(raid * c->drive[d].MBps / amp_m, heads * c->ctrl[k].max_MBps),
                      raid * drive_GiB(&c->drive[d]) * c->raid[r].usable_fraction};
    return x;
}

/* Append "needs X UNIT, at most Y (config)" for one short resource. */
static void
short_line(char *buf, size_t len, const char *what, double need, double best, const char *who)
{
    char a[KS_NUMBUF], b[KS_NUMBUF];
    size_t l = strlen(buf);
    snprintf(buf + l, len - l, "%s%s needed %s, at most %s reachable (%s)", l ? "; " : "", what,
             ks_fmt_double(a, round(need * 100) / 100), ks_fmt_double(b, round(best * 100) / 100),
             who);
}

/* The error when nothing is eligible: which need exceeds what any configuration of the
 * catalog can reach within max_arrays heads, needed vs the best reachable. */
static int
shortfall(const struct mdl_storage_plan *sp, const struct tier_need *need, double load_scale,
          const struct mdl_storage_config *opt, size_t nopt, struct ks_err *err)
{
    const struct mdl_array_catalog *c = sp->cat;
    struct reach best = {0, 0, 0};
    char who[3][160] = {"", "", ""}, msg[900] = "";
    for (size_t d = 0; d < c->ndrive; d++)
        for (size_t r = 0; r < c->nraid; r++)
            for (size_t s = 0; s < c->nshelf; s++)
                for (size_t k = 0; k < c->nctrl; k++) {
                    struct reach x =
                        reachable(sp, need, load_scale, (int)d, (int)r, (int)s, (int)k);
                    double v[3] = {x.iops, x.MBps, x.GiB},
                           *b[3] = {&best.iops, &best.MBps, &best.GiB};
                    for (int i = 0; i < 3; i++)
                        if (v[i] > *b[i]) {
                            *b[i] = v[i];
                            snprintf(who[i], sizeof who[i], "%s on %s, %ld x %s with %ld x %s",
                                     c->drive[d].name, c->raid[r].name, sp->pol.max_arrays,
                                     c->ctrl[k].name, c->ctrl[k].max_shelves, c->shelf[s].name);
                        }
                }
    /* Name only the needs that no configuration reaches. */
    if (sp->fe_iops_need * load_scale > best.iops)
        short_line(msg, sizeof msg, "front-end IOPS", sp->fe_iops_need * load_scale, best.iops,
                   who[0]);
    if (sp->fe_MBps_need * load_scale > best.MBps)
        short_line(msg, sizeof msg, "MB/s", sp->fe_MBps_need * load_scale, best.MBps, who[1]);
    if (sp->capacity_needed_GiB > best.GiB)
        short_line(msg, sizeof msg, "usable GiB", sp->capacity_needed_GiB, best.GiB, who[2]);
    if (!msg[0])
        snprintf(msg, sizeof msg,
                 "each need is reachable alone but no one configuration "
                 "carries all of them (e.g. %s)",
                 nopt ? opt[0].reason : "no configuration");
    return ks_errf(err, -EINVAL,
                   "storage catalog %s: no configuration carries the load "
                   "within max_arrays %ld: %s",
                   c->dir, sp->pol.max_arrays, msg);
}

int
mdl_storage_choose(struct mdl_storage_plan *sp, double load_scale, struct mdl_storage_config **opt,
                   size_t *nopt, size_t *chosen, struct ks_err *err)
{
    /* The back-end need depends on the RAID level only: compute it once per level. */
    struct tier_need *need = ks_xcalloc(sp->cat->nraid, sizeof *need);
    for (size_t r = 0; r < sp->cat->nraid; r++)
        need[r] = backend_need(sp, &sp->cat->raid[r], load_scale);
    *opt = NULL, *nopt = 0;
    enumerate(sp, load_scale, need, opt, nopt);
    long best = -1;
    for (size_t i = 0; i < *nopt; i++) {
        const struct mdl_storage_config *c = &(*opt)[i];
        /* Ties go to the first listed: the catalog order is the user's preference. */
        if (c->eligible && (best < 0 || c->total_cost < (*opt)[best].total_cost))
            best = (long)i;
    }
    int rc = best < 0 ? shortfall(sp, need, load_scale, *opt, *nopt, err) : 0;
    *chosen = best < 0 ? 0 : (size_t)best;
    free(need);
    return rc;
}

int
mdl_storage_size(const struct ks_dataset *ds, const struct ks_grid *g,
                 const struct mdl_storage_policy *pol, const struct mdl_array_catalog *cat,
                 struct mdl_storage_plan **out, struct ks_err *err)
{
    *out = NULL;
    int rc = mdl_storage_policy_check(pol, err);
    if (rc < 0)
        return rc;
    if (g && g->nent != ks_dataset_nent(ds))
        return ks_errf(err, -EINVAL, "storage: grid has %zu entities, dataset %zu", g->nent,
                       ks_dataset_nent(ds));
    struct mdl_storage_plan *sp = ks_xcalloc(1, sizeof *sp);
    sp->cat = cat;
    sp->pol = *pol;
    /* Order matters: backup needs demand and capacity, the choice needs all three. */
    mdl_storage_demand(ds, g, sp);
    mdl_storage_capacity(ds, sp);
    sp->pol.entity_mask = NULL; /* borrowed: not kept past this call */
    mdl_storage_backup(sp);
    mdl_storage_dr(sp);
    sp->dr_hosts = sp->dr_capex_hosts = sp->dr_capex = ks_nan();
    rc = mdl_storage_choose(sp, 1, &sp->opt, &sp->nopt, &sp->chosen, err);
    /* The DR array holds all the data but carries only part of the I/O. */
    if (rc == 0) {
        rc = mdl_storage_choose(sp, pol->dr_load_pct / 100, &sp->dr_opt, &sp->ndr_opt,
                                &sp->dr_chosen, err);
        if (rc < 0)
            ks_err_prefix(err, "DR site: ");
    }
    if (rc < 0) {
        mdl_storage_plan_free(sp);
        return rc;
    }
    *out = sp;
    return 0;
}

void
mdl_storage_plan_free(struct mdl_storage_plan *sp)
{
    if (!sp)
        return;
    free(sp->read_iops);
    free(sp->write_iops);
    free(sp->read_KiBps);
    free(sp->write_KiBps);
    free(sp->opt);
    free(sp->dr_opt);
    free(sp);
}

double
mdl_storage_dr_cost(struct mdl_storage_plan *sp, long primary_hosts, double host_price)
{
    sp->dr_hosts = mdl_storage_ceil((double)primary_hosts * sp->pol.dr_host_pct / 100);
    sp->dr_capex_hosts = sp->dr_hosts * host_price;
    sp->dr_capex = sp->dr_capex_hosts + sp->dr_opt[sp->dr_chosen].capex;
    return sp->dr_capex;
}

/* A one-line description for storage.csv and the report: tiers, shelves, heads. */
void
mdl_storage_describe(const struct mdl_array_catalog *cat, const struct mdl_storage_config *c,
                     char *buf, size_t len)
{
    size_t l = 0;
    buf[0] = '\0';
    for (int i = 0; i < 2 && l < len; i++) {
        const struct mdl_storage_tier *t = &c->tier[i];
        if (t->drive < 0)
            continue;
        l += (size_t)snprintf(buf + l, len - l, "%s%ld x %s %s (%ld group%s) + %ld spare%s",
                              i ? " + " : "", t->drives, cat->drive[t->drive].name,
                              cat->raid[t->raid].name, t->groups, t->groups == 1 ? "" : "s",
                              t->spares, t->spares == 1 ? "" : "s");
    }
    if (l < len)
        snprintf(buf + l, len - l, "; %ld x %s; %ld x %s", c->shelves, cat->shelf[c->shelf].name,
                 c->arrays, cat->ctrl[c->ctrl].name);
}
