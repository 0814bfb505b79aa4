/*
 * sim_run: replications of a configuration and their statistics.
 *
 * sim_run spreads replications over threads (pthreads, one worker per core by default);
 * each replication owns its RNG streams, event list and state, and results are stored
 * by replication index and combined in index order, so the output is identical for any
 * thread count. Latency histograms are merged by integer addition (order-free).
 *
 * With a precision target, a first stage of replications (at least 20) sizes the final
 * count from its widest relative half-width h as n (h / target)^2 (capped by
 * max_replications), and exactly that count is run: precision_met then says whether the
 * 95% half-width of every workload's mean latency and throughput came within the
 * target. Replication k always uses streams (seed, k), so the result equals a run of the
 * final count from the start.
 *
 * Statistics per workload cover the window [warmup_s, duration_s] of each replication
 * (warm-up deletion); with [sim] drain = true the run goes on past duration_s without
 * new arrivals until the system is empty (the sample path Little's law is exact on).
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "simulate/sim_config.h"
#include "simulate/sim_stats.h"

/* Host CPU components, cycles are accounted to one of them per step. */
enum sim_comp { SIM_C_EXIT, SIM_C_DEVMODEL, SIM_C_BACKEND, SIM_C_GRANT, SIM_C_IRQ,
                SIM_C_IOMMU, SIM_C_STACK, SIM_NCOMP };
extern const char *const sim_comp_names[SIM_NCOMP];

/* One workload in one replication. */
struct sim_wl_rep {
    uint64_t completed;           /* completions inside the window */
    double thr_per_s;             /* completed / window */
    double lat_mean_ns;
    double lat_pct_ns[4];         /* p50, p90, p99, p99.9 of this replication */
    uint64_t iotlb_hits, iotlb_lookups;
    uint64_t exits;
    double cycles[SIM_NCOMP];     /* host cycles by component of the I/Os completed in the
                                   * window (all their steps; plus deferred-timer flushes) */
    uint64_t area_ns;             /* integral of the number in system (Little) */
    uint64_t sum_w_ns;            /* sum of sojourn times of the completed */
    uint64_t arrived;             /* all arrivals (Little's law check) */
    uint64_t arrived_win;         /* arrivals inside the window */
    uint64_t dropped;             /* arrivals refused at max_in_system, in window */
    struct sim_series *series;    /* not owned; when set, every completion's latency in
                                   * the window is added (MSER-5 pilot replications) */
};

/* One VM's compute load in one replication, inside the window (sim_engine.c). */
struct sim_vm_rep {
    double ready_ns;              /* runnable bursts waiting for a host core */
    double run_ns;                /* bursts running on a core (CPU delivered) */
    double demand_ns;             /* burst work arrived */
    uint64_t bursts, dropped;     /* arrived; refused at the VM's backlog limit */
};

struct sim_rep {
    uint64_t events;              /* events processed */
    struct sim_vm_rep *vm;        /* one per VM (NULL without VMs); allocated by
                                   * sim_replicate when NULL, freed by sim_result_free */
    uint64_t end_ns;              /* last event (drain) or duration */
    double *util;                 /* per resource, busy fraction of the window */
    struct sim_wl_rep *wl;        /* one per workload */
};

/* Percentiles from fewer completions than this are flagged low_samples: a p99 from
 * 276 completions rests on its 3 largest values and moved 12% with the seed (issue 21). */
#define SIM_LOW_SAMPLES 1000

/* Combined over replications. */
struct sim_wl_sum {
    uint64_t completed, dropped, arrived;
    int nrep;
    double thr_per_s, thr_ci95;
    double lat_mean_ns, lat_ci95_ns;
    double lat_pct_ns[4];         /* p50, p90, p99, p99.9 from the merged histogram */
    double lat_pct_ci95_ns[4];    /* half-width of the 95% t-interval of the replications'
                                   * own percentiles (NaN with fewer than 2 that have any) */
    int low_samples;              /* the percentiles rest on fewer than SIM_LOW_SAMPLES
                                   * completions: too few for a p99, left out of "worst" */
    double iotlb_hit_pct;         /* NaN when no lookup happened */
    double exits_per_op, cycles_per_op, comp_per_op[SIM_NCOMP];
    double offered_per_s;         /* open workloads: the arrival rate; else NaN */
    double dev_util;              /* mean utilization of its first device */
};

struct sim_result {
    size_t nrep, nwl, nres;
    struct sim_rep *rep;          /* nrep */
    struct sim_hist *hist;        /* nwl merged latency histograms */
    struct sim_wl_sum *sum;       /* nwl */
    char **res_name;              /* nres: "cores", "vcpu:NAME", "backend:NAME", "dev:NAME" */
    double *res_util;             /* nres: mean over replications */
    uint64_t events;
    double wall_s;                /* elapsed, for events per second */
    int threads;
    double warmup_s;              /* warm-up deleted from each replication */
    int warmup_mser;              /* 1 when MSER-5 chose it (no explicit warmup_s) */
    /* Precision target (sim_run_opts, else [sim] precision): 0 when there was none. */
    double precision;             /* target: 95% half-width / mean, a fraction */
    double precision_achieved;    /* the largest half-width / mean over every mean */
    int precision_met;            /* 1 met, 0 not met within max_replications */
    double precision_g;           /* the half-width / mean the target asks for: P / (1 + P) */
    size_t precision_wanted;      /* not met: the count the final interval asks for, n (h / g)^2 */
};

struct sim_run_opts {
    int replications;             /* 0: the config's (the first stage under a target) */
    int precision_set;            /* use precision instead of the config's */
    double precision;             /* fraction; 0 no target */
    int max_replications;         /* 0: the config's */
    int threads;                  /* 0: one per online core */
    int seed_set;                 /* use seed instead of the config's */
    uint64_t seed;
};

int sim_run(const struct sim_config *c, const struct sim_run_opts *o, struct sim_result **out,
            struct ks_err *err);
void sim_result_free(struct sim_result *r);

/* One replication (index rep) into out (util sized by sim_nres); hist[nwl] gets the
 * latencies added when not NULL. For tests and for sim_run's workers. */
void sim_replicate(const struct sim_config *c, uint64_t seed, uint64_t rep, struct sim_rep *out,
                   struct sim_hist *hist);
size_t sim_nres(const struct sim_config *c);

/* The NIC's wire time for a payload of size_B bytes (frames of at most mtu_B payload,
 * each with 18 B of header and FCS, padded to 64 B, plus 20 B of preamble and gap). */
double sim_nic_wire_ns(const struct sim_device *d, double size_B);

#endif
