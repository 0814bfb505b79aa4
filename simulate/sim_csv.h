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

#endif
