/*
 * mdl_storage_demand: what the shared array, the backup and the replica must carry.
 *
 * Time-aware like the CPU plan: the estate's series are summed over entities at every
 * grid step first, and only then reduced to a percentile or a peak, because the disk
 * peaks of unrelated servers do not coincide (summing per-server p95s would over-buy).
 */
#include "model/mdl_storage_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double
mdl_storage_ceil(double x)
{
    return ceil(x - 1e-9 * fmax(1.0, fabs(x)));
}

int
mdl_storage_included(const struct ks_dataset *ds, const struct mdl_storage_policy *pol, size_t ent)
{
    if (pol->entity_mask)
        return pol->entity_mask[ent] != 0;
    /* A hypervisor host's I/O is the sum of its VMs', which are entities themselves. */
    const char *kind = ks_inv_str(ds, ent, "kind");
    return !(kind && strcmp(kind, "host") == 0);
}

double
mdl_storage_stat(const struct mdl_storage_plan *sp, const double *v)
{
    size_t n = sp->nsteps;
    if (n == 0)
        return 0;
    double *tmp = ks_xmalloc(n * sizeof *tmp), x;
    memcpy(tmp, v, n * sizeof *tmp);
    /* ks_percentile sorts in place: work on a copy; the 100th percentile is the max. */
    x = ks_percentile(tmp, n, sp->pol.size_on_peak ? 100 : sp->pol.percentile);
    free(tmp);
    return x;
}

/* Percentile pct of a series of n values (0 for an empty series). */
static double
stat_at(const double *v, size_t n, double pct)
{
    if (n == 0)
        return 0;
    double *tmp = ks_xmalloc(n * sizeof *tmp);
    memcpy(tmp, v, n * sizeof *tmp);
    double x = ks_percentile(tmp, n, pct);
    free(tmp);
    return x;
}

/* Add metric m of the included entities into sum (nsteps); NaN cells count as 0 and
 * are tallied in *nan when count is set. Returns 0 when the metric is absent. */
static int
sum_metric(const struct ks_dataset *ds, const struct ks_grid *g,
           const struct mdl_storage_policy *pol, enum ks_metric m, double *sum, size_t *nan)
{
    if (!g || !g->v[m])
        return 0;
    for (size_t e = 0; e < g->nent; e++) {
        if (!mdl_storage_included(ds, pol, e))
            continue;
        const double *s = ks_grid_series(g, m, e);
        for (size_t k = 0; k < g->nsteps; k++) {
            if (isnan(s[k]))
                (*nan)++;
            else
                sum[k] += s[k];
        }
    }
    return 1;
}

/* IOPS estimated from KiB/s when the dataset has throughput but no I/O counts. */
static void
estimate_iops(struct mdl_storage_plan *sp)
{
    for (size_t k = 0; k < sp->nsteps; k++) {
        sp->read_iops[k] = sp->read_KiBps[k] / sp->pol.assumed_io_KiB;
        sp->write_iops[k] = sp->write_KiBps[k] / sp->pol.assumed_io_KiB;
    }
    snprintf(sp->iops_basis, sizeof sp->iops_basis, "estimated from KiB/s at %g KiB per I/O",
             sp->pol.assumed_io_KiB);
}

/* Fill the four summed series of sp; the IOPS basis says where IOPS came from. */
static void
sum_series(const struct ks_dataset *ds, const struct ks_grid *g, struct mdl_storage_plan *sp)
{
    size_t n = sp->nsteps ? sp->nsteps : 1, nan_r = 0, nan_x = 0;
    double **dst[4] = {&sp->read_iops, &sp->write_iops, &sp->read_KiBps, &sp->write_KiBps};
    for (int i = 0; i < 4; i++)
        *dst[i] = ks_xcalloc(n, sizeof(double));
    int have_iops = sum_metric(ds, g, &sp->pol, KS_DISK_READ_IOPS, sp->read_iops, &nan_r);
    have_iops &= sum_metric(ds, g, &sp->pol, KS_DISK_WRITE_IOPS, sp->write_iops, &nan_x);
    int have_kib = sum_metric(ds, g, &sp->pol, KS_DISK_READ_KIBPS, sp->read_KiBps, &nan_x);
    have_kib &= sum_metric(ds, g, &sp->pol, KS_DISK_WRITE_KIBPS, sp->write_KiBps, &nan_x);
    /* Entity-steps without a read count: the one gap figure the output carries. */
    sp->nan_cells = have_iops ? nan_r : 0;
    if (have_iops)
        snprintf(sp->iops_basis, sizeof sp->iops_basis, "measured");
    else if (have_kib)
        estimate_iops(sp);
    else
        snprintf(sp->iops_basis, sizeof sp->iops_basis,
                 "none: no disk samples (sized on capacity)");
}

/* Reduce the summed series: percentile and peak of the total, the I/O-weighted read
 * share, and the front-end sizing point with headroom. */
void
mdl_storage_demand(const struct ks_dataset *ds, const struct ks_grid *g,
                   struct mdl_storage_plan *sp)
{
    sp->nsteps = g ? g->nsteps : 0;
    sp->t0 = g ? g->t0 : 0;
    sp->step_s = g ? g->step_s : 0;
    sum_series(ds, g, sp);
    size_t n = sp->nsteps;
    double *tot = ks_xcalloc(n ? n : 1, sizeof *tot), *kib = ks_xcalloc(n ? n : 1, sizeof *kib);
    double sr = 0, sw = 0, sk = 0;
    for (size_t k = 0; k < n; k++) {
        tot[k] = sp->read_iops[k] + sp->write_iops[k];
        kib[k] = sp->read_KiBps[k] + sp->write_KiBps[k];
        sr += sp->read_iops[k], sw += sp->write_iops[k], sk += sp->write_KiBps[k];
    }
    sp->iops_pct = stat_at(tot, n, sp->pol.percentile);
    sp->iops_peak = stat_at(tot, n, 100);
    sp->MiBps_pct = stat_at(kib, n, sp->pol.percentile) / 1024;
    sp->MiBps_peak = stat_at(kib, n, 100) / 1024;
    sp->read_pct = sr + sw > 0 ? 100 * sr / (sr + sw) : ks_nan();
    sp->write_KiBps_mean = n ? sk / (double)n : ks_nan();
    double h = 1 + sp->pol.headroom_pct / 100;
    sp->fe_iops_need = mdl_storage_stat(sp, tot) * h;
    /* KiB/s -> MB/s (10^6 bytes), the unit drive and controller sheets use. */
    sp->fe_MBps_need = mdl_storage_stat(sp, kib) * 1024 / 1e6 * h;
    free(tot);
    free(kib);
}

/* One entity's used and provisioned GiB; returns 1 when both had to be assumed. */
static int
entity_capacity(const struct ks_dataset *ds, const struct mdl_storage_policy *pol, size_t e,
                double *used, double *prov)
{
    *used = ks_inv_num(ds, e, "disk_used_GiB");
    *prov = ks_inv_num(ds, e, "disk_provisioned_GiB");
    if (isnan(*used) && isnan(*prov)) {
        double disks = ks_inv_num(ds, e, "disk_count");
        *used = *prov = pol->assumed_GiB_per_disk * (isnan(disks) ? 1 : disks);
        return 1;
    }
    if (isnan(*used))
        *used = *prov;
    if (isnan(*prov))
        *prov = *used;
    return 0;
}

/* Sum used and provisioned GiB over the included entities, count the assumed ones,
 * and apply growth and free-space headroom to the basis the policy picks. */
void
mdl_storage_capacity(const struct ks_dataset *ds, struct mdl_storage_plan *sp)
{
    const struct mdl_storage_policy *pol = &sp->pol;
    size_t nent = ks_dataset_nent(ds);
    for (size_t e = 0; e < nent; e++) {
        if (!mdl_storage_included(ds, pol, e))
            continue;
        double u, p;
        sp->nent++;
        sp->nent_assumed_cap += (size_t)entity_capacity(ds, pol, e, &u, &p);
        sp->used_GiB += u;
        sp->provisioned_GiB += p;
    }
    double base = pol->size_on_provisioned ? sp->provisioned_GiB : sp->used_GiB;
    double grow = pow(1 + pol->growth_pct_per_year / 100, pol->years);
    sp->capacity_needed_GiB = base * grow * (1 + pol->capacity_headroom_pct / 100);
    if (sp->nent_assumed_cap == 0)
        snprintf(sp->capacity_basis, sizeof sp->capacity_basis, "inventory (%s)",
                 pol->size_on_provisioned ? "provisioned" : "used");
    else
        snprintf(sp->capacity_basis, sizeof sp->capacity_basis,
                 "%s; assumed %g GiB per disk for %zu of %zu entities",
                 pol->size_on_provisioned ? "provisioned" : "used", pol->assumed_GiB_per_disk,
                 sp->nent_assumed_cap, sp->nent);
}

/* GiB changed per day: given, measured from the write series, or the fallback. */
static double
daily_change(struct mdl_storage_plan *sp, double data_GiB, double grow)
{
    const struct mdl_storage_policy *pol = &sp->pol;
    if (!isnan(pol->daily_change_pct)) {
        snprintf(sp->change_basis, sizeof sp->change_basis, "given: %g%% of used per day",
                 pol->daily_change_pct);
        return data_GiB * pol->daily_change_pct / 100;
    }
    if (sp->nsteps > 0 && !isnan(sp->write_KiBps_mean) && sp->write_KiBps_mean > 0) {
        snprintf(sp->change_basis, sizeof sp->change_basis,
                 "measured: mean %.6g KiB/s written x 86400 s", sp->write_KiBps_mean);
        /* Written bytes overstate changed blocks (rewrites); never more than all data. */
        return fmin(data_GiB, sp->write_KiBps_mean * 86400 / 1048576 * grow);
    }
    snprintf(sp->change_basis, sizeof sp->change_basis,
             "assumed: %g%% of used per day (no write series)", pol->fallback_change_pct);
    return data_GiB * pol->fallback_change_pct / 100;
}

void
mdl_storage_backup(struct mdl_storage_plan *sp)
{
    const struct mdl_storage_policy *pol = &sp->pol;
    /* Backups are sized for the data at the end of the horizon, like the array. */
    double grow = pow(1 + pol->growth_pct_per_year / 100, pol->years);
    double data = sp->used_GiB * grow;
    double change = sp->daily_change_GiB = daily_change(sp, data, grow);
    /* Of retention_days daily restore points, one in full_every_days is a full. */
    double fulls = ceil(pol->retention_days / pol->full_every_days);
    double incrs = fmax(0, pol->retention_days - fulls);
    sp->backup_logical_GiB = fulls * data + incrs * change;
    sp->backup_GiB = sp->backup_logical_GiB / pol->dedup_ratio;
    /* Window of a full night and of an incremental night; bytes over the WAN for a
     * full copy, an incremental, and source-side dedup (only new blocks leave). */
    double Bps = pol->backup_MBps * 1e6;
    sp->backup_window_full_h = data * MDL_GiB / Bps / 3600;
    sp->backup_window_incr_h = change * MDL_GiB / Bps / 3600;
    sp->wan_bytes_full = data * MDL_GiB;
    sp->wan_bytes_incr = change * MDL_GiB;
    sp->wan_bytes_dedup = change * MDL_GiB / pol->dedup_ratio;
}

double
mdl_storage_rpo_KiBps(const double *w, size_t n, double step_s, double rpo_s)
{
    if (n == 0 || !(step_s > 0))
        return 0;
    size_t k = (size_t)floor(rpo_s / step_s + 1e-9);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    /* Sliding sum: add the step entering the window, drop the one leaving it. */
    double sum = 0, best = 0;
    for (size_t i = 0; i < n; i++) {
        sum += isnan(w[i]) ? 0 : w[i];
        if (i >= k)
            sum -= isnan(w[i - k]) ? 0 : w[i - k];
        if (i + 1 >= k && sum > best)
            best = sum;
    }
    return best / (double)k;
}

/* DR replication bandwidth for the policy RPO; records the window actually used. */
void
mdl_storage_dr(struct mdl_storage_plan *sp)
{
    double rpo_s = sp->pol.rpo_min * 60;
    size_t k = sp->step_s > 0 ? (size_t)floor(rpo_s / sp->step_s + 1e-9) : 0;
    k = k < 1 ? 1 : k > sp->nsteps && sp->nsteps ? sp->nsteps : k;
    sp->rpo_window_s = (double)k * sp->step_s;
    sp->dr_write_KiBps = mdl_storage_rpo_KiBps(sp->write_KiBps, sp->nsteps, sp->step_s, rpo_s);
    sp->dr_bandwidth_Mbps = sp->dr_write_KiBps * 1024 * 8 / 1e6;
}
