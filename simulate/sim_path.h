/*
 * sim_path: each virtualization mode as a path of steps, and the IOTLB.
 *
 * A workload's I/O walks a fixed list of steps. A CPU step holds an optional context
 * resource (the VM's vCPUs for guest-context work such as an exit, or the VM's backend
 * thread) plus one host core for cycles / core_GHz; a device step holds one server of
 * the device for its service time plus the DMA translation misses; the unmap step is the
 * IOMMU maintenance of the invalidation policy. Paths by mode (docs/sim.md has the
 * costs and their sources):
 *
 *   native       device [unmap]
 *   emulated     reg_accesses x exit to device model, device, inject+EOI, [unmap]
 *   virtio       kick exit (suppressed while the backend is busy), backend, device,
 *                inject+EOI unless posted interrupts, [unmap]
 *   xen-pv       event-channel hypercall, backend, grant map+unmap, device,
 *                event-channel upcall, [unmap]
 *   passthrough  device, exit + inject unless posted interrupts, [unmap]
 *   sriov        as passthrough; the virtual functions share their NIC's line rate
 *
 * Every path ends with the workload's stack_cycles (the issuing OS's driver and I/O
 * stack, on its vCPU) when set, then the unmap step when its policy has one.
 */
#ifndef SIM_PATH_H
#define SIM_PATH_H

#include <stdint.h>

#include "simulate/sim_config.h"
#include "simulate/sim_run.h"

enum sim_step_kind { SIM_ST_CPU, SIM_ST_DEV, SIM_ST_UNMAP };
enum { SIM_SF_KICK = 1, SIM_SF_IRQ = 2 };

struct sim_step {
    uint8_t kind, comp, exits, flags;
    int res1, res2;     /* resources held during the step, -1 for none */
    int res_tx;         /* NIC steps: the transmit link, used by a job that sends (> 0) */
    double dur_ns;      /* CPU steps: cycles / GHz */
    double cycles;
    int dev;            /* device steps: config index */
};

#define SIM_MAX_STEPS 32

struct sim_path {
    struct sim_step s[SIM_MAX_STEPS];
    int n;
    int first_dev, last_dev; /* step indices of the device chain */
};

/* Resource layout of a replication: 0 = host cores, then per VM its vCPUs and its
 * backend thread, then per device its servers. */
static inline int sim_res_vcpu(int vm) { return 1 + 2 * vm; }
static inline int sim_res_backend(int vm) { return 2 + 2 * vm; }
static inline int sim_res_dev(const struct sim_config *c, int d) { return 1 + 2 * (int)c->nvm + d; }

void sim_path_build(const struct sim_config *c, const struct sim_workload *w,
                    struct sim_path *p);

/* The invalidation policy and vIOMMU flag of workload w's mappings: its VM's when the
 * [vm] section sets them, else [iommu]'s. */
enum sim_inval sim_wl_inval(const struct sim_config *c, const struct sim_workload *w);
int sim_wl_viommu(const struct sim_config *c, const struct sim_workload *w);
/* 1 when the guest's own driver maps the workload's DMA (an assigned device:
 * passthrough, SR-IOV), 0 when a host driver does (native, and the backends of emulated,
 * virtio and xen-pv devices): who pays the unmap, on which CPU. */
int sim_wl_guest_maps(const struct sim_config *c, const struct sim_workload *w);

/* Set-associative IOTLB with LRU replacement inside each set. */
struct sim_iotlb {
    uint64_t *tag, *stamp; /* owned: entries each; tag ~0 = invalid */
    int sets, ways;
    uint64_t clock;
};

void sim_iotlb_init(struct sim_iotlb *t, int entries, int ways);
void sim_iotlb_fini(struct sim_iotlb *t);
/* 1 on a hit; on a miss the least recently used way of the set is refilled. */
int sim_iotlb_access(struct sim_iotlb *t, uint64_t key);
void sim_iotlb_inval(struct sim_iotlb *t, uint64_t key);
void sim_iotlb_flush(struct sim_iotlb *t);

#endif
