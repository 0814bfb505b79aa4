/*
 * sim_plan: a simulation configuration for one host of a consolidation plan.
 *
 * placement.csv (entity,host,host_model) names the VMs on the host; the datasets (read
 * and merged as kasane plan reads them, core/ks_merge.h: each a dataset directory or a
 * directory of them) give each VM's measured disk and network rates, of which the p95
 * (or peak) over the samples becomes a Poisson workload on a shared disk and a shared
 * NIC. A base CONFIG (may be NULL) supplies [sim], [host], [iommu], [costs] and the
 * devices; a missing "disk" is the plan's array (the [device array] of
 * PLAN_DIR/storage_sim_p95.ini) or else an NVMe SSD, a missing "nic" a 10 GbE NIC.
 */
#ifndef SIM_PLAN_H
#define SIM_PLAN_H

#include "simulate/sim_config.h"

/* datasets: ndatasets >= 1 paths, as kasane plan's DATASET arguments. stat: "p95" or
 * "peak". Errors name file, line and column. */
int sim_plan_config(const char *plan_dir, const char *host, char *const *datasets,
                    size_t ndatasets, const char *stat, const char *base_config,
                    struct sim_config **out, struct ks_err *err);

#endif
