/* sim_csv: the results file of `kasane sim` (one row per workload, docs/sim.md). */
#ifndef SIM_CSV_H
#define SIM_CSV_H

#include <stdio.h>

#include "simulate/sim_config.h"
#include "simulate/sim_run.h"

/* Header and one row per workload. Latencies in microseconds; NaN is an empty field. */
void sim_csv_write(FILE *f, const struct sim_config *c, const struct sim_result *r);
/* The same rows with a leading column col = val (col NULL: none, as sim_csv_write);
 * header 0 leaves the header out, to append a second result set to the same file. */
void sim_csv_write_tagged(FILE *f, const char *col, const char *val, int header,
                          const struct sim_config *c, const struct sim_result *r);
/* The mode a workload runs in ("native" without a vm). */
const char *sim_wl_mode(const struct sim_config *c, size_t wl);
/* 1 when an open workload's completions keep pace with its arrivals (0 when not,
 * -1 for closed workloads, which always "keep up" by construction). Any arrival
 * dropped at [sim] max_in_system means it does not keep up. */
int sim_keeps_up(const struct sim_wl_sum *s);

/* One VM's compute load over all replications (docs/sim.md, "Compute"). */
struct sim_vm_cpu {
    double demand_cores;   /* mean busy cores asked for (bursts arrived / window) */
    double busy_cores;     /* mean cores delivered */
    double ready_pct;      /* share of runnable time waiting for a core; NaN: no load */
    uint64_t dropped;      /* bursts refused at the backlog limit */
    int keeps_up;          /* 1: delivered what was asked (within 2%), nothing dropped */
};
void sim_vm_cpu(const struct sim_config *c, const struct sim_result *r, size_t vm,
                struct sim_vm_cpu *out);
/* Workload i keeps up: its I/O does (sim_keeps_up) and its VM's compute does. 1 yes,
 * 0 no, -1 a closed workload whose VM keeps up (nothing to say about its I/O). */
int sim_wl_keeps_up(const struct sim_config *c, const struct sim_result *r, size_t i);

#endif
