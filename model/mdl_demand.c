/*
 * Demand series of the sources, from a dataset (see mdl_plan.h).
 *
 * Sources are the inventory's entities except hypervisor hosts (kind `host`): a host's
 * load is the sum of its VMs', so packing both would count it twice.
 * CPU demand is cpu_MHz; when a source has none, cpu_pct x logical CPUs x core_MHz from
 * the inventory. Either is then brought to reference MHz by the source's CPU rating and
 * its SMT (mdl_cpu.h), so a busy new core weighs more than a busy old one. Memory is mem_used_MiB. Network is net_rx + net_tx (KiB/s -> Mbit/s).
 * An unknown step (NaN) is filled with the source's own P-th percentile of its known
 * steps (P = the policy's percentile) and the source is counted in nan_gaps: a gap is
 * neither idle nor a peak. A source with no known CPU or memory step at all falls back
 * to its inventory allocation (and counts as a gap); without one it is an error.
 */
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/mdl_cpu.h"
#include "model/mdl_plan.h"

/* Hypervisor hosts are not sources (see the header comment). */
static int
is_source(const struct ks_dataset *ds, size_t e)
{
    const char *kind = ks_inv_str(ds, e, "kind");
    return !(kind && strcmp(kind, "host") == 0);
}

/* "inventory.csv:LINE" of entity e into buf, or "inventory.csv" when the line is not
 * known (a room of several datasets, merged). */
static const char *
inv_at(const struct ks_dataset *ds, size_t e, char *buf, size_t n)
{
    unsigned long line = ds->inv.lines ? ds->inv.lines[e] : 0;
    if (line)
        snprintf(buf, n, "inventory.csv:%lu", line);
    else
        snprintf(buf, n, "inventory.csv");
    return buf;
}

/* Logical CPUs of entity e: threads when known, else cores (NaN: neither). */
static double
logical_cpus(const struct ks_dataset *ds, size_t e)
{
    double th = ks_inv_num(ds, e, "threads");
    return th > 0 ? th : ks_inv_num(ds, e, "cores");
}

/* Allocated CPU (every logical CPU busy, in the source's own MHz) and memory of a
 * source, or an error naming it. */
static int
allocation(const struct ks_dataset *ds, size_t e, double *cpu, double *mem, struct ks_err *err)
{
    double cpus = logical_cpus(ds, e), mhz = ks_inv_num(ds, e, "core_MHz");
    *mem = ks_inv_num(ds, e, "mem_MiB");
    *cpu = cpus * mhz;
    const char *miss = isnan(cpus) ? "cores" : isnan(mhz) ? "core_MHz" : isnan(*mem) ? "mem_MiB"
                                                                                      : NULL;
    int no_mem = miss && strcmp(miss, "mem_MiB") == 0;
    char at[48];
    if (miss) /* say what to give: a sar file has cpu_pct but no clock speed */
        return ks_errf(err, -EINVAL,
                       "%s: entity '%s' has no %s samples to plan from and no "
                       "'%s' to plan its allocation; %s",
                       inv_at(ds, e, at, sizeof at), ks_dataset_entity(ds, e),
                       no_mem ? "mem_used_MiB" : "cpu_MHz", miss,
                       no_mem ? "fill 'mem_MiB' in inventory.csv"
                              : "give the CPU clock when importing (kasane import FORMAT ... "
                                "--core-MHz N) or fill 'cores' and 'core_MHz' in inventory.csv");
    return 0;
}

/* Fill NaN steps of x[0..T) with the P-th percentile of the known ones. Returns the
 * number of NaN steps, or T when none was known (x untouched). */
static size_t
fill_gaps(double *x, size_t T, double pct, double *scratch)
{
    size_t known = 0;
    for (size_t t = 0; t < T; t++)
        if (!isnan(x[t]))
            scratch[known++] = x[t];
    if (known == 0 || known == T)
        return T - known;
    double v = ks_percentile(scratch, known, pct);
    for (size_t t = 0; t < T; t++)
        if (isnan(x[t]))
            x[t] = v;
    return T - known;
}

/* Mean of a gap-free series. */
static double
mean_of(const double *x, size_t T)
{
    double s = 0;
    for (size_t t = 0; t < T; t++)
        s += x[t];
    return T ? s / (double)T : NAN;
}

/* CPU series of source e from cpu_pct (its grid row, NULL: absent) when cpu_MHz is
 * unknown throughout. */
static void
cpu_from_pct(const struct ks_dataset *ds, const double *pct, size_t e, double *out, size_t T)
{
    double full = logical_cpus(ds, e) * ks_inv_num(ds, e, "core_MHz");
    for (size_t t = 0; t < T; t++)
        out[t] = pct && !isnan(full) ? pct[t] / 100 * full : NAN;
}

/* One grid row into out (all NaN when the metric is absent: v NULL). */
static void
copy_series(const double *v, double *out, size_t T)
{
    for (size_t t = 0; t < T; t++)
        out[t] = v ? v[t] : NAN;
}

/* cpu[0..T) of entity e from its own MHz to reference MHz (mdl_cpu.h). */
static void
to_reference(const struct ks_dataset *ds, const struct mdl_policy *pol, size_t e,
             const struct mdl_demand *d, double *cpu, size_t T)
{
    double cores = ks_inv_num(ds, e, "cores"), threads = ks_inv_num(ds, e, "threads");
    double mhz = ks_inv_num(ds, e, "core_MHz");
    for (size_t t = 0; t < T; t++)
        cpu[t] = mdl_cpu_ref_MHz(cpu[t], cores, threads, mhz, d->cpu_perf[e], pol->smt_yield);
}

/* Each source's CPU rating (non-sources: NaN). */
static int
rate_sources(const struct ks_dataset *ds, const struct mdl_policy *pol, struct mdl_demand *d,
             struct ks_err *err)
{
    size_t ne = d->nent ? d->nent : 1;
    d->cpu_perf = ks_xmalloc(ne * sizeof *d->cpu_perf);
    d->cpu_origin = ks_xcalloc(ne, sizeof *d->cpu_origin);
    d->cpu_row = ks_xcalloc(ne, sizeof *d->cpu_row);
    for (size_t e = 0; e < d->nent; e++)
        d->cpu_perf[e] = NAN;
    for (size_t q = 0; q < d->n; q++) {
        size_t e = d->ent[q];
        struct mdl_cpu_rating r;
        int rc = mdl_cpu_rate(pol->cpu_ratings, ds, e, pol->cpu_perf_assumed, &r, err);
        if (rc < 0)
            return rc;
        d->cpu_perf[e] = r.perf;
        d->cpu_origin[e] = (unsigned char)r.origin;
        d->cpu_row[e] = r.row;
        d->cpu_assumed += r.origin == MDL_CPU_ASSUMED;
    }
    return 0;
}

/* The planner's grid of one metric (max per window), or g->v[m] NULL when the dataset
 * has no such column. One metric at a time: the five the demand reads, held together,
 * were 1.6 GB at 10,000 servers x 14 days at 300 s; one is 320 MB, and the size limit
 * of ks_grid_build_some applies to that one. */
static int
metric_grid(const struct ks_dataset *ds, const struct mdl_policy *pol, enum ks_metric m,
            struct ks_grid *g, struct ks_err *err)
{
    return ks_grid_build_some(ds, pol->step_s, KS_AGG_MAX, 0, 1u << m, g, err);
}

/* Source q's last steps, with cpu_pct's grid (NULL: none): CPU from cpu_pct when
 * cpu_MHz is unknown throughout, the allocation where a resource has no known step
 * (an error without one), the gap count, the utilization, reference MHz. gap[2] holds
 * the unknown steps of CPU and memory (T: all). */
static int
source_finish(const struct ks_dataset *ds, const struct ks_grid *pg, const struct mdl_policy *pol,
              size_t q, size_t gap[2], struct mdl_demand *d, double *scratch, struct ks_err *err)
{
    size_t T = d->T, e = d->ent[q];
    double *cpu = d->cpu_MHz + q * T, *mem = d->mem_MiB + q * T, acpu, amem;
    const double *pct = pg ? ks_grid_series(pg, KS_CPU_PCT, e) : NULL;
    size_t gc = gap[0], gm = gap[1];
    if (gc == T) {
        cpu_from_pct(ds, pct, e, cpu, T);
        gc = fill_gaps(cpu, T, pol->percentile, scratch);
    }
    if ((gc == T || gm == T) && allocation(ds, e, &acpu, &amem, err) < 0)
        return -EINVAL;
    for (size_t t = 0; t < T; t++) {
        cpu[t] = gc == T ? acpu : cpu[t];
        mem[t] = gm == T ? amem : mem[t];
    }
    d->nan_gaps += gc > 0 || gm > 0;
    double full = logical_cpus(ds, e) * ks_inv_num(ds, e, "core_MHz");
    d->src_util[q] = !isnan(full) && full > 0 ? mean_of(cpu, T) / full : NAN;
    if (isnan(d->src_util[q]) && pct) {
        memcpy(scratch, pct, T * sizeof *scratch);
        d->src_util[q] = ks_percentile(scratch, T, 50) / 100;
    }
    to_reference(ds, pol, e, d, cpu, T);
    return 0;
}

/* Every source's row of metric m (CPU: cpu_MHz, memory) from its grid, gaps filled;
 * gap[2 q + k] gets the unknown steps (k: 0 CPU, 1 memory). */
static int
resource_rows(const struct ks_dataset *ds, const struct mdl_policy *pol, enum ks_metric m,
              int k, struct mdl_demand *d, size_t *gap, double *scratch, struct ks_err *err)
{
    struct ks_grid g;
    int rc = metric_grid(ds, pol, m, &g, err);
    for (size_t q = 0; q < d->n && rc == 0; q++) {
        double *row = (k ? d->mem_MiB : d->cpu_MHz) + q * d->T;
        copy_series(ks_grid_series(&g, m, d->ent[q]), row, d->T);
        gap[2 * q + (size_t)k] = fill_gaps(row, d->T, pol->percentile, scratch);
    }
    ks_grid_fini(&g);
    return rc;
}

/* VM traffic both ways into d->net_Mbps, one direction's grid at a time; an unmeasured
 * direction counts as 0, not as unknown, since it only sizes ports. */
static int
net_rows(const struct ks_dataset *ds, const struct mdl_policy *pol, struct mdl_demand *d,
         struct ks_err *err)
{
    static const enum ks_metric dir[2] = {KS_NET_RX_KIBPS, KS_NET_TX_KIBPS};
    for (int k = 0; k < 2; k++) {
        struct ks_grid g = {0};
        int rc = ds->s.m[dir[k]] ? metric_grid(ds, pol, dir[k], &g, err) : 0;
        if (rc < 0)
            return rc;
        for (size_t q = 0; q < d->n; q++) {
            const double *v = ks_grid_series(&g, dir[k], d->ent[q]);
            double *out = d->net_Mbps + q * d->T;
            for (size_t t = 0; t < d->T; t++) {
                double x = v && !isnan(v[t]) ? v[t] : 0;
                /* rx first, kept as is; then (rx + tx), KiB/s -> Mbit/s */
                out[t] = k == 0 ? x : (out[t] + x) * 1024 * 8 / 1e6;
            }
        }
        ks_grid_fini(&g);
    }
    return 0;
}

/* Series storage for d->n sources of T steps. */
static void
alloc_series(struct mdl_demand *d, size_t T, int net)
{
    size_t cells = (d->n ? d->n : 1) * T;
    d->T = T;
    /* In huge pages: 320 MB each at 10,000 sources x 4,032 steps, whose first touch at
     * 4 KiB a page was 2.4 s of the plan's setup on this VM. */
    d->cpu_MHz = ks_xmalloc_huge(cells * sizeof *d->cpu_MHz);
    d->mem_MiB = ks_xmalloc_huge(cells * sizeof *d->mem_MiB);
    d->net_Mbps = net ? ks_xcalloc_huge(cells, sizeof *d->net_Mbps) : NULL;
    d->src_util = ks_xmalloc((d->n ? d->n : 1) * sizeof *d->src_util);
}

/* Inventory-only datasets: one step holding each source's allocation. */
static int
by_allocation(const struct ks_dataset *ds, const struct mdl_policy *pol, struct mdl_demand *d,
              struct ks_err *err)
{
    d->by_allocation = 1;
    alloc_series(d, 1, 0);
    for (size_t q = 0; q < d->n; q++) {
        int rc = allocation(ds, d->ent[q], &d->cpu_MHz[q], &d->mem_MiB[q], err);
        if (rc < 0)
            return rc;
        to_reference(ds, pol, d->ent[q], d, &d->cpu_MHz[q], 1);
        d->src_util[q] = NAN;
    }
    return 0;
}

/* Datasets with samples: the grid (max per window) metric by metric, each source's
 * row of it, then each source's fallbacks and figures in order (so the first source
 * without a way to plan it is the one an error names). */
static int
by_series(const struct ks_dataset *ds, const struct mdl_policy *pol, struct mdl_demand *d,
          struct ks_err *err)
{
    struct ks_grid g = {0};
    /* The shape of the grid (steps, start) without building any metric. */
    int rc = ks_grid_build_some(ds, pol->step_s, KS_AGG_MAX, 0, 0, &g, err);
    if (rc < 0)
        return rc;
    d->step_s = g.step_s;
    d->t0 = g.t0;
    alloc_series(d, g.nsteps, ds->s.m[KS_NET_RX_KIBPS] || ds->s.m[KS_NET_TX_KIBPS]);
    double *scratch = ks_xmalloc((g.nsteps ? g.nsteps : 1) * sizeof *scratch);
    size_t *gap = ks_xmalloc(2 * d->n * sizeof *gap);
    rc = resource_rows(ds, pol, KS_CPU_MHZ, 0, d, gap, scratch, err);
    if (rc == 0)
        rc = resource_rows(ds, pol, KS_MEM_USED_MIB, 1, d, gap, scratch, err);
    struct ks_grid pg = {0};
    if (rc == 0 && ds->s.m[KS_CPU_PCT])
        rc = metric_grid(ds, pol, KS_CPU_PCT, &pg, err);
    for (size_t q = 0; q < d->n && rc == 0; q++)
        rc = source_finish(ds, ds->s.m[KS_CPU_PCT] ? &pg : NULL, pol, q, gap + 2 * q, d,
                           scratch, err);
    ks_grid_fini(&pg);
    if (rc == 0 && d->net_Mbps)
        rc = net_rows(ds, pol, d, err);
    free(gap);
    free(scratch);
    return rc;
}

int
mdl_demand_build(const struct ks_dataset *ds, const struct mdl_policy *pol,
                 struct mdl_demand *d, struct ks_err *err)
{
    memset(d, 0, sizeof *d);
    d->nent = ks_dataset_nent(ds);
    d->ent = ks_xmalloc((d->nent ? d->nent : 1) * sizeof *d->ent);
    for (size_t e = 0; e < d->nent; e++)
        if (is_source(ds, e))
            d->ent[d->n++] = (uint32_t)e;
    if (d->n == 0)
        return ks_errf(err, -EINVAL, "dataset is empty: no server or VM to place");
    int rc = rate_sources(ds, pol, d, err);
    if (rc == 0)
        rc = ds->has_samples && ds->s.nrows > 0 ? by_series(ds, pol, d, err)
                                                : by_allocation(ds, pol, d, err);
    for (size_t c = 0; rc == 0 && c < d->n * d->T; c++)
        if (d->cpu_MHz[c] < 0 || d->mem_MiB[c] < 0)
            rc = ks_errf(err, -EINVAL, "entity '%s' has a negative demand",
                         ks_dataset_entity(ds, d->ent[c / d->T]));
    return rc;
}

/* Names for messages: each resource, its unit and the columns its series comes from. */
static const char *const RES_NAME[3] = {"CPU", "memory", "network"};
static const char *const RES_UNIT[3] = {"MHz", "MiB", "Mbit/s"};
static const char *const RES_COLS[3] = {"samples.csv cpu_MHz or cpu_pct",
                                        "samples.csv mem_used_MiB",
                                        "samples.csv net_rx_KiBps + net_tx_KiBps"};

/* Once per run, O(n x T): no per-step check in the packing loops needs to exist. NaN
 * cannot reach here (gaps are filled); inf (a sum of two huge rates) compares above. */
int
mdl_demand_check(const struct mdl_demand *d, const struct ks_dataset *ds, const char *dataset,
                 const struct mdl_demand_limit *lim, struct ks_err *err)
{
    const double *v[3] = {d->cpu_MHz, d->mem_MiB, d->net_Mbps};
    for (size_t q = 0; q < d->n; q++)
        for (int k = 0; k < 3; k++)
            for (size_t t = 0; v[k] && lim->model[k] && t < d->T; t++) {
                double x = v[k][q * d->T + t];
                if (!(x > lim->max[k]))
                    continue;
                char when[64] = "";
                if (!d->by_allocation)
                    snprintf(when, sizeof when, " at time %.0f", d->t0 + (double)t * d->step_s);
                return ks_errf(err, -ERANGE, "%s: entity '%s': %s demand %g %s (%s)%s is more "
                               "than the largest host model can carry ('%s': %g %s); no plan "
                               "can place it", dataset, ks_dataset_entity(ds, d->ent[q]),
                               RES_NAME[k], x, RES_UNIT[k],
                               d->by_allocation ? "inventory.csv allocation" : RES_COLS[k],
                               when, lim->model[k], lim->max[k], RES_UNIT[k]);
            }
    return 0;
}

/* A copy of n elements of size sz, NULL for NULL. */
static void *
dup_array(const void *a, size_t n, size_t sz)
{
    if (!a)
        return NULL;
    void *b = ks_xmalloc(n ? n * sz : 1);
    memcpy(b, a, n * sz);
    return b;
}

void
mdl_demand_copy(const struct mdl_demand *from, struct mdl_demand *to)
{
    size_t n = from->n, nT = from->n * from->T, ne = from->nent;
    *to = *from;
    to->ent = dup_array(from->ent, n, sizeof *to->ent);
    to->cpu_MHz = dup_array(from->cpu_MHz, nT, sizeof *to->cpu_MHz);
    to->mem_MiB = dup_array(from->mem_MiB, nT, sizeof *to->mem_MiB);
    to->net_Mbps = dup_array(from->net_Mbps, nT, sizeof *to->net_Mbps);
    to->src_util = dup_array(from->src_util, n, sizeof *to->src_util);
    to->cpu_perf = dup_array(from->cpu_perf, ne, sizeof *to->cpu_perf);
    to->cpu_origin = dup_array(from->cpu_origin, ne, sizeof *to->cpu_origin);
    to->cpu_row = dup_array(from->cpu_row, ne, sizeof *to->cpu_row);
}

void
mdl_demand_fini(struct mdl_demand *d)
{
    free(d->ent);
    free(d->cpu_MHz);
    free(d->mem_MiB);
    free(d->net_Mbps);
    free(d->src_util);
    free(d->cpu_perf);
    free(d->cpu_origin);
    free(d->cpu_row);
    memset(d, 0, sizeof *d);
}
