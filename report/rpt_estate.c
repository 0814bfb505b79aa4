/*
 * Statistics recomputed from the dataset (rpt_estate.h). Everything works on the grid
 * of core's ks_grid_build (max per window), the same view the planner packs, so a
 * difference between plan and report means a planner or plan problem, not a grid one.
 * Memory: the grid of the five metrics read here (nent x nsteps doubles each, 32 MB
 * for 1,000 servers x 4,032 steps), whose CPU MHz and % series the estate takes over.
 */
#include "report/rpt_estate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/mdl_cpu.h"
#include "report/rpt_util.h"

/* CPU capacity of an entity in its own MHz (logical CPUs x core clock, as cpu_MHz is
 * measured), NaN when unknown. cpu_pct and cpu_MHz convert through it when a dataset
 * carries only one of the two. */
static double
ent_capacity_mhz(const struct ks_dataset *ds, size_t i)
{
    double th = ks_inv_num(ds, i, "threads"), c = th > 0 ? th : ks_inv_num(ds, i, "cores");
    double mhz = ks_inv_num(ds, i, "core_MHz");
    return c > 0 && mhz > 0 ? c * mhz : NAN;
}

/* The grid's series of metric m, taken over by the estate (the grid no longer holds it,
 * so nothing is copied), or a new all-NaN array when the dataset lacks the metric. */
static double *
take_series(struct ks_grid *g, int m, size_t cells)
{
    double *v = g->v[m];
    g->v[m] = NULL;
    if (!v) {
        v = ks_xmalloc(cells * sizeof *v);
        for (size_t k = 0; k < cells; k++)
            v[k] = NAN;
    }
    return v;
}

/* e->mhz and e->pct are the grid's own CPU series, converted in place where one column
 * is absent: a copy would cost two more nent x nsteps arrays (650 MB at 10,000 servers
 * x 14 days). */
static void
fill_cpu(const struct ks_dataset *ds, struct rpt_estate *e)
{
    size_t n = e->g.nsteps, cells = e->nent * n > 0 ? e->nent * n : 1;
    e->mhz = take_series(&e->g, KS_CPU_MHZ, cells);
    e->pct = take_series(&e->g, KS_CPU_PCT, cells);
    for (size_t i = 0; i < e->nent; i++) {
        double cap = ent_capacity_mhz(ds, i), *m = e->mhz + i * n, *p = e->pct + i * n;
        for (size_t k = 0; k < n; k++) {
            if (isnan(m[k]) && !isnan(p[k]))
                m[k] = p[k] * cap / 100;
            if (isnan(p[k]) && !isnan(m[k]))
                p[k] = m[k] / cap * 100;
        }
    }
}

/* Mean, p95 and max of the non-NaN values of v (n of them); scratch has n slots.
 * The p95 reorders a copy (ks_percentile_select selects in place), hence the scratch buffer. */
static void
series_stats(const double *v, size_t n, double *scratch, double *mean, double *p95, double *peak)
{
    double sum = 0, mx = NAN;
    size_t cnt = 0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(v[k]))
            continue;
        scratch[cnt++] = v[k];
        sum += v[k];
        mx = isnan(mx) || v[k] > mx ? v[k] : mx;
    }
    *mean = cnt ? sum / (double)cnt : NAN;
    *peak = mx;
    *p95 = ks_percentile_select(scratch, cnt, 95);
}

/* Max of the non-NaN values, NaN if none (a server without data has no peak, not 0). */
static double
series_max(const double *v, size_t n)
{
    double mx = NAN;
    for (size_t k = 0; v && k < n; k++)
        if (!isnan(v[k]) && (isnan(mx) || v[k] > mx))
            mx = v[k];
    return mx;
}

/* Mean of the non-NaN values, NaN if none; v may be NULL (metric not measured). */
static double
series_mean(const double *v, size_t n)
{
    double sum = 0;
    size_t cnt = 0;
    for (size_t k = 0; v && k < n; k++)
        if (!isnan(v[k])) {
            sum += v[k];
            cnt++;
        }
    return cnt ? sum / (double)cnt : NAN;
}

/* Coverage counts windows where either CPU column has a value: a collector that
 * measured only one of them still covered the window. */
static void
entity_stats(const struct rpt_estate *e, size_t i, double *scratch, struct rpt_ent_stats *st)
{
    size_t n = e->g.nsteps, have = 0;
    const double *p = e->pct + i * n, *m = e->mhz + i * n;
    for (size_t k = 0; k < n; k++)
        have += !isnan(p[k]) || !isnan(m[k]);
    st->cover_pct = n ? 100.0 * (double)have / (double)n : 0;
    series_stats(p, n, scratch, &st->cpu_mean_pct, &st->cpu_p95_pct, &st->cpu_peak_pct);
    series_stats(m, n, scratch, &st->mhz_mean, &st->mhz_p95, &st->mhz_peak);
    st->mem_peak_MiB = series_max(ks_grid_series(&e->g, KS_MEM_USED_MIB, i), n);
    double rx = series_mean(ks_grid_series(&e->g, KS_NET_RX_KIBPS, i), n);
    double tx = series_mean(ks_grid_series(&e->g, KS_NET_TX_KIBPS, i), n);
    st->net_mean_KiBps = isnan(rx) ? tx : isnan(tx) ? rx : rx + tx;
}

/* The planner's rule for unknown steps (model/mdl_demand.c): a gap is filled with the
 * server's own pct-th percentile of its known steps, and a server with no known step at
 * all carries its allocation (alloc, NaN when the inventory lacks it: then 0). Mirrored
 * here so that recomputed host peaks can agree with the plan's: a gap is neither idle
 * nor a peak. */
static double
gap_value(const double *v, size_t n, double pct, double *scratch, double alloc)
{
    size_t k = 0;
    for (size_t t = 0; v && t < n; t++)
        if (!isnan(v[t]))
            scratch[k++] = v[t];
    double x = k ? ks_percentile_select(scratch, k, pct) : alloc;
    return isnan(x) ? 0 : x;
}

/* Sum each host's servers step by step, gaps filled (gap_value). e->mhz of a placed
 * server is filled in place, so the stacked charts add up to the same sums. */
static void
host_sums(struct rpt_estate *e, const struct ks_dataset *ds, const long *ent_host, double pct,
          double *scratch)
{
    size_t n = e->g.nsteps;
    for (size_t i = 0; i < e->nent; i++) {
        if (ent_host[i] < 0)
            continue;
        size_t h = (size_t)ent_host[i];
        double *m = e->mhz + i * n, *hm = e->host_mhz + h * n, *hmem = e->host_mem_MiB + h * n;
        const double *mem = ks_grid_series(&e->g, KS_MEM_USED_MIB, i);
        double fc = gap_value(m, n, pct, scratch, ent_capacity_mhz(ds, i));
        double fm = gap_value(mem, n, pct, scratch, ks_inv_num(ds, i, "mem_MiB"));
        double sc = e->demand_scale, perf = e->cpu_perf ? e->cpu_perf[i] : NAN;
        double cores = ks_inv_num(ds, i, "cores"), threads = ks_inv_num(ds, i, "threads");
        double clock = ks_inv_num(ds, i, "core_MHz");
        for (size_t k = 0; k < n; k++) {
            double u = mem ? mem[k] : NAN, x = isnan(m[k]) ? fc : m[k];
            if (!isnan(perf)) /* the planner's reference MHz */
                x = mdl_cpu_ref_MHz(x, cores, threads, clock, perf, e->smt_yield);
            m[k] = x * sc;
            hm[k] += m[k];
            hmem[k] += (isnan(u) ? fm : u) * sc;
        }
        e->host_sum_peaks_mhz[h] += series_max(m + e->k0, e->k1 - e->k0);
    }
    /* Peaks of the sums, the figure the planner compares against capacity; the sum of
     * the peaks above is what peak sizing would have reserved. Both over the plan's
     * window. */
    for (size_t h = 0; h < e->nhost; h++) {
        e->host_peak_mhz[h] = series_max(e->host_mhz + h * n + e->k0, e->k1 - e->k0);
        e->host_peak_mem_MiB[h] = series_max(e->host_mem_MiB + h * n + e->k0, e->k1 - e->k0);
    }
}

static void
alloc_hosts(struct rpt_estate *e)
{
    size_t nh = e->nhost ? e->nhost : 1, cells = nh * (e->g.nsteps ? e->g.nsteps : 1);
    e->host_mhz = ks_xcalloc(cells, sizeof *e->host_mhz);
    e->host_mem_MiB = ks_xcalloc(cells, sizeof *e->host_mem_MiB);
    e->host_peak_mhz = ks_xcalloc(nh, sizeof(double));
    e->host_sum_peaks_mhz = ks_xcalloc(nh, sizeof(double));
    e->host_peak_mem_MiB = ks_xcalloc(nh, sizeof(double));
    e->host_nvm = ks_xcalloc(nh, sizeof(size_t));
}

/* Inventory-only datasets (no samples) get NaN statistics and 1 star: the report
 * then shows the plan's figures only. */
/* Steps whose end t0 + k * step_s lies in (from, to]. */
static void
set_view(struct rpt_estate *e, const struct rpt_plan_view *pv)
{
    e->k0 = 0;
    e->k1 = e->g.nsteps;
    e->demand_scale = pv && pv->demand_scale > 0 ? pv->demand_scale : 1;
    e->cpu_perf = pv ? pv->cpu_perf : NULL;
    e->smt_yield = pv ? pv->smt_yield : 0;
    if (!pv || !pv->windowed || !e->has_series)
        return;
    while (e->k0 < e->g.nsteps && e->g.t0 + (double)e->k0 * e->g.step_s <= pv->from_s)
        e->k0++;
    while (e->k1 > e->k0 && e->g.t0 + (double)(e->k1 - 1) * e->g.step_s > pv->to_s)
        e->k1--;
    e->windowed = 1;
}

int
rpt_estate_build(const struct ks_dataset *ds, const long *ent_host, size_t nhost,
                 double gap_pct, const struct rpt_plan_view *pv, struct rpt_estate *e,
                 struct ks_err *err)
{
    memset(e, 0, sizeof *e);
    e->nent = ks_dataset_nent(ds);
    e->nhost = nhost;
    e->st = ks_xcalloc(e->nent ? e->nent : 1, sizeof *e->st);
    e->has_series = ds->s.nrows > 0;
    if (e->has_series) {
        /* Only the metrics read here: a dataset of all 16 columns would grid three
         * times the memory and time for nothing. */
        int rc = ks_grid_build_some(ds, 0, KS_AGG_MAX, 0, RPT_METRICS, &e->g, err);
        if (rc < 0) {
            rpt_estate_fini(e);
            return rc;
        }
        fill_cpu(ds, e);
    }
    set_view(e, pv);
    alloc_hosts(e);
    for (size_t i = 0; i < e->nent; i++)
        if (ent_host[i] >= 0)
            e->host_nvm[ent_host[i]]++;
    if (!e->has_series) {
        for (size_t i = 0; i < e->nent; i++) {
            struct rpt_ent_stats *st = &e->st[i];
            st->cpu_mean_pct = st->cpu_p95_pct = st->cpu_peak_pct = NAN;
            st->mhz_mean = st->mhz_p95 = st->mhz_peak = NAN;
            st->mem_peak_MiB = st->net_mean_KiBps = NAN;
            st->stars = rpt_stars(0);
        }
        return 0;
    }
    double *scratch = ks_xmalloc((e->g.nsteps ? e->g.nsteps : 1) * sizeof *scratch);
    for (size_t i = 0; i < e->nent; i++) {
        entity_stats(e, i, scratch, &e->st[i]);
        e->st[i].stars = rpt_stars(e->st[i].cover_pct);
    }
    host_sums(e, ds, ent_host, gap_pct >= 0 && gap_pct <= 100 ? gap_pct : 100, scratch);
    free(scratch);
    return 0;
}

void
rpt_estate_fini(struct rpt_estate *e)
{
    if (e->has_series)
        ks_grid_fini(&e->g);
    free(e->mhz);
    free(e->pct);
    free(e->st);
    free(e->host_mhz);
    free(e->host_mem_MiB);
    free(e->host_peak_mhz);
    free(e->host_sum_peaks_mhz);
    free(e->host_peak_mem_MiB);
    free(e->host_nvm);
    memset(e, 0, sizeof *e);
}

const double *
rpt_estate_mhz(const struct rpt_estate *e, size_t i)
{
    return e->has_series ? e->mhz + i * e->g.nsteps : NULL;
}

/* ---- heatmap ------------------------------------------------------------------------ */

/* Busiest first, servers without data last (glibc qsort_r: no global context). */
static int
cmp_busiest(const void *a, const void *b, void *ctx)
{
    const struct rpt_estate *e = ctx;
    double x = e->st[*(const size_t *)a].cpu_mean_pct;
    double y = e->st[*(const size_t *)b].cpu_mean_pct;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) != isnan(y) ? isnan(x) - isnan(y) : (i > j) - (i < j);
    if (x != y)
        return x < y ? 1 : -1;
    return (i > j) - (i < j); /* ties keep inventory order: the same input, the same chart */
}

/* The last column may cover fewer native steps than the others (a partial window):
 * it still holds their max. */
void
rpt_heat_build(const struct rpt_estate *e, double bucket_s, struct rpt_heat *h)
{
    memset(h, 0, sizeof *h);
    if (!e->has_series || e->nent == 0)
        return;
    size_t per = bucket_s > e->g.step_s ? (size_t)llround(bucket_s / e->g.step_s) : 1;
    size_t n = e->g.nsteps;
    h->nrows = e->nent;
    h->ncols = (n + per - 1) / per;
    h->step_s = e->g.step_s * (double)per;
    h->t0 = e->g.t0 + (double)(per - 1) * e->g.step_s;
    h->row_ent = ks_xmalloc(h->nrows * sizeof *h->row_ent);
    for (size_t i = 0; i < h->nrows; i++)
        h->row_ent[i] = i;
    qsort_r(h->row_ent, h->nrows, sizeof *h->row_ent, cmp_busiest, (void *)e);
    h->v = ks_xmalloc(h->nrows * h->ncols * sizeof *h->v);
    for (size_t r = 0; r < h->nrows; r++)
        for (size_t c = 0; c < h->ncols; c++) {
            size_t end = (c + 1) * per < n ? (c + 1) * per : n;
            h->v[r * h->ncols + c] = series_max(e->pct + h->row_ent[r] * n + c * per, end - c * per);
        }
}

/* ascending doubles (qsort) */
static int
cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

const double rpt_heat_band_pct[RPT_HEAT_BANDS] = {100, 99, 95, 90, 75, 50, 25, 10, 0};

/* Each column's window maxima over all servers with data, sorted; row b is the
 * rpt_heat_band_pct[b]-th percentile of them (nearest rank), NaN when no server has
 * data in that window. row_ent stays NULL: rows are bands, not servers. */
void
rpt_heat_bands(const struct rpt_estate *e, double bucket_s, struct rpt_heat *h)
{
    struct rpt_heat all;
    rpt_heat_build(e, bucket_s, &all);
    *h = all;
    h->row_ent = NULL;
    if (all.nrows == 0)
        return;
    h->nrows = RPT_HEAT_BANDS;
    h->v = ks_xmalloc(h->nrows * h->ncols * sizeof *h->v);
    double *col = ks_xmalloc(all.nrows * sizeof *col);
    for (size_t c = 0; c < all.ncols; c++) {
        size_t n = 0;
        for (size_t r = 0; r < all.nrows; r++)
            if (!isnan(all.v[r * all.ncols + c]))
                col[n++] = all.v[r * all.ncols + c];
        qsort(col, n, sizeof *col, cmp_dbl);
        for (size_t b = 0; b < RPT_HEAT_BANDS; b++) {
            size_t k = (size_t)ceil(rpt_heat_band_pct[b] / 100 * (double)n);
            h->v[b * h->ncols + c] = n ? col[k ? k - 1 : 0] : NAN;
        }
    }
    free(col);
    free(all.v);
    free(all.row_ent);
}

void
rpt_heat_fini(struct rpt_heat *h)
{
    free(h->v);
    free(h->row_ent);
    memset(h, 0, sizeof *h);
}
