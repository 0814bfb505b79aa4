/*
 * rpt_sim: the results CSV of `kasane sim`, read for the report's I/O path section.
 * One row per workload (and virtualization mode when a `mode` column is present).
 * Known columns (workload, mode, replications, completed, throughput_per_s,
 * lat_mean_us, lat_mean_ci95_us, lat_p50_us, lat_p99_us, iotlb_hit_pct, exits_per_op,
 * host_cycles_per_op) are checked to be numbers; unknown columns are kept and shown,
 * missing ones just leave their chart or column out. Only `workload` is required.
 */
#ifndef RPT_SIM_H
#define RPT_SIM_H

#include "core/ks_table.h"

int rpt_sim_read(const char *path, struct ks_table *t, struct ks_err *err);

#endif
