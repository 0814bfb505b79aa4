/*
 * rpt_estate: the numbers the report derives from the dataset itself rather than
 * taking them from the plan: per-server statistics and data coverage, the estate
 * heatmap (downsampled), and each target host's summed series recomputed from
 * placement.csv + samples.csv, so the report checks the planner instead of repeating it.
 *
 * All series are on the dataset's own time grid (core's ks_grid, max per window).
 * In a host's sum a missing sample of a server counts as the server's own gap_pct-th
 * percentile of its known samples (its allocation when it has none): the planner's rule,
 * so the plan's peaks can be checked. Statistics and coverage use known samples only.
 */
#ifndef RPT_ESTATE_H
#define RPT_ESTATE_H

#include "core/ks_dataset.h"

/* The sample columns the report reads (ks_dataset_read_keep): busy MHz and CPU % (each
 * derived from the other when a dataset has one), used memory and network rx/tx for the
 * estate grid here, cpu_MHz for the Risk section's fleet peak (rpt_risk.c). The other
 * 11 are checked, not stored, and not gridded. */
#define RPT_METRICS                                                                                \
    (1u << KS_CPU_MHZ | 1u << KS_CPU_PCT | 1u << KS_MEM_USED_MIB | 1u << KS_NET_RX_KIBPS |         \
     1u << KS_NET_TX_KIBPS)

/* Per-entity statistics; NaN where the dataset has nothing to say. */
struct rpt_ent_stats {
    double cover_pct;      /* share of grid windows with a CPU sample, 0-100 */
    int stars;             /* 1-5 confidence from cover_pct */
    double cpu_mean_pct, cpu_p95_pct, cpu_peak_pct;
    double mhz_mean, mhz_p95, mhz_peak; /* busy MHz (the planner's CPU demand) */
    double mem_peak_MiB;
    double net_mean_KiBps; /* rx + tx */
};

struct rpt_estate {
    size_t nent, nhost;
    int has_series;            /* the dataset has samples (else: inventory only) */
    struct ks_grid g;          /* valid when has_series */
    double *mhz;               /* nent * nsteps busy MHz (owned); NaN = no sample, except
                                  for placed servers, whose gaps are filled */
    double *pct;               /* nent * nsteps CPU utilization %, NaN = no sample (owned) */
    struct rpt_ent_stats *st;  /* nent entries (owned) */
    double *host_mhz;          /* nhost * nsteps summed busy MHz (owned) */
    double *host_mem_MiB;      /* nhost * nsteps summed used memory (owned) */
    double *host_peak_mhz, *host_sum_peaks_mhz, *host_peak_mem_MiB; /* nhost each */
    size_t *host_nvm;          /* entities placed on each host */
    /* The plan's window in grid steps, [k0, k1): the whole grid, or the backtest's
     * training window when the plan was made from one (summary.csv risk_train, unless
     * plan_made_on is all: --final-on-all planned on every sample). Host
     * peaks and charts cover it only: the plan is checked on the data it saw, and the
     * Risk section replays what came after. */
    size_t k0, k1;
    int windowed;              /* 1: [k0, k1) is a training window, not the whole grid */
    double demand_scale;       /* placed servers' series were multiplied by it (growth) */
    const double *cpu_perf;    /* borrowed for the build only (rpt_plan_view) */
    double smt_yield;
};

/* Compute everything from the dataset and the binding of rpt_plan_bind (ent_host[i]
 * is a host index < nhost or -1); gap_pct is the plan's percentile (summary.csv), used
 * to fill gaps (100 when out of range); pv (NULL: the whole grid as measured) says
 * what the plan saw: a window keeps the steps whose end lies in (from, to], as the
 * planner's windows do, and placed servers' series (host sums, host charts) are
 * scaled by demand_scale as the planner scaled them. Returns 0 or a negative code
 * with err set. */
struct rpt_plan_view {
    int windowed;          /* the plan was made from (from_s, to_s] only */
    double from_s, to_s;   /* UNIX seconds */
    double demand_scale;   /* the plan packed demand x this (--growth); 1 as measured */
    /* CPU normalization as the plan made it (model/mdl_cpu.h): each entity's rating
     * (nent, from the plan's cpu_ratings.csv; NULL or NaN: MHz taken as they are) and
     * the policy's smt-yield. Host sums are in the plan's reference MHz. */
    const double *cpu_perf;
    double smt_yield;
};
int rpt_estate_build(const struct ks_dataset *ds, const long *ent_host, size_t nhost,
                     double gap_pct, const struct rpt_plan_view *pv, struct rpt_estate *e,
                     struct ks_err *err);
void rpt_estate_fini(struct rpt_estate *e);

/* Busy MHz series of entity i (nsteps values), or NULL without samples. */
const double *rpt_estate_mhz(const struct rpt_estate *e, size_t i);

/* Estate heatmap: CPU utilization (%) of every server, rows sorted by mean CPU
 * (busiest first), columns downsampled to the max of each bucket_s window, because a
 * chart of 1,000 servers x 4,032 steps would be megabytes of text for no visible gain. */
struct rpt_heat {
    size_t nrows, ncols;
    double t0, step_s;  /* column k covers (t0 + k*step_s - step_s, t0 + k*step_s] */
    double *v;          /* nrows * ncols, NaN = no data (owned) */
    size_t *row_ent;    /* entity index of each row (owned) */
};
void rpt_heat_build(const struct rpt_estate *e, double bucket_s, struct rpt_heat *h);
/* The same for a large estate, as percentile bands: row b holds, per window, the
 * rpt_heat_band_pct[b]-th percentile of the servers' window maxima (max, p99, p95, p90,
 * p75, p50, p25, p10, min), so 10,000 servers read as one chart of nine rows, the
 * busiest band on top. row_ent is NULL. */
#define RPT_HEAT_BANDS 9
extern const double rpt_heat_band_pct[RPT_HEAT_BANDS];
void rpt_heat_bands(const struct rpt_estate *e, double bucket_s, struct rpt_heat *h);
void rpt_heat_fini(struct rpt_heat *h);

#endif
