/*
 * sim_iommu: the IOMMU as Linux drives it, part of one replication (sim_rep.h): DMA
 * translation through the IOTLB, the map + unmap of each I/O's scatter-gather list,
 * and invalidation (strict, deferred through per-CPU flush queues, optimistic teardown,
 * none). docs/sim.md, "IOMMU", gives the costs and their sources.
 */
#ifndef SIM_IOMMU_H
#define SIM_IOMMU_H

#include "simulate/sim_rep.h"

/* DMA translation of job j's pages: the walk time of every IOTLB miss, ns. */
double sim_iommu_translate(struct rep *r, struct wlrt *w, struct job *j);
/* The map + unmap of j's mapping and the invalidation its policy calls for, cycles;
 * updates the IOTLB and the flush queue of the CPU that unmaps. */
double sim_iommu_unmap_cycles(struct rep *r, struct wlrt *w, struct job *j);
/* Workload w's policy, walk length, IOMMU page size and flush queue. */
void sim_iommu_setup_wl(const struct rep *r, const struct sim_config *c, struct wlrt *w);
/* 1 if any workload queues invalidations (deferred, or optimistic teardown). */
int sim_iommu_any_deferred(const struct sim_config *c);
/* The deferred-invalidation timer fired (EV_FLUSH): flush what is queued, re-arm. */
void sim_iommu_flush_timer(struct rep *r);

#endif
