/*
 * sim_config: the simulation configuration, read from an INI file with inih.
 *
 *   [sim]      duration_s, warmup_s, replications, precision, max_replications, seed, drain,
 *              max_in_system
 *   [host]     cores, core_GHz, sched_slice_us
 *   [iommu]    enabled, iotlb_entries, iotlb_ways, walk_levels, walk_ns, viommu,
 *              viommu_walk (nested | shadow), invalidation (strict | deferred | none |
 *              optimistic), deferred_batch, deferred_timeout_ms, optimistic_timeout_ms,
 *              map_cycles, strict_sw_cycles, inval_cycles, viommu_map_cycles
 *   [costs]    per-step CPU costs in cycles (defaults from shared/reference.md)
 *   [device N] kind (generic | ssd | hdd | nic), servers, service, write_service,
 *              line_rate_Gbps, mtu, coalesce, coalesce_us, seek, rotation,
 *              transfer_MBps
 *   [vm N]     vcpus, mode (native | emulated | virtio | xen-pv | passthrough | sriov),
 *              posted_interrupts, reg_accesses, notify_suppression, and the [iommu]
 *              invalidation and viommu of this VM's mappings (default: [iommu]'s),
 *              cpu_busy_cores, cpu_burst (the guest's compute load)
 *   [workload N] vm, device (one, or A,B for a chain), feedback_pct, arrival
 *              (poisson:800/s | fixed:1000/s | closed:iodepth=32), think, size,
 *              read_pct, pages, access (uniform | zipf:S | ring), stack_cycles
 *
 * Anything else is an error naming the file, line and key: unknown sections, keys,
 * distributions and modes, negative rates, a workload on an unknown device or vm.
 * docs/sim.md documents every key with its default and source.
 */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/ks_util.h"
#include "simulate/sim_rng.h"

enum sim_mode { SIM_NATIVE, SIM_EMULATED, SIM_VIRTIO, SIM_XENPV, SIM_PASSTHROUGH, SIM_SRIOV };
extern const char *const sim_mode_names[];

enum sim_dev_kind { SIM_DEV_GENERIC, SIM_DEV_SSD, SIM_DEV_HDD, SIM_DEV_NIC };
/* Invalidation policy of a VM's (or the host's) DMA mappings. Optimistic teardown
 * (vIOMMU, ATC 2011) keeps a mapping alive after the unmap in the hope that it is
 * mapped again soon; one not reused in time is torn down as in deferred. */
enum sim_inval { SIM_INV_STRICT, SIM_INV_DEFERRED, SIM_INV_NONE, SIM_INV_OPTIMISTIC };
extern const char *const sim_inval_names[];
enum sim_arrival { SIM_ARR_POISSON, SIM_ARR_FIXED, SIM_ARR_CLOSED };
enum sim_access { SIM_ACC_UNIFORM, SIM_ACC_ZIPF, SIM_ACC_RING };

/* CPU cost of each step, cycles (docs/sim.md cites each default). */
struct sim_costs {
    double exit_cycles;      /* VM exit + entry handled in the kernel */
    double io_exit_cycles;   /* I/O exit handled in the host kernel (ioeventfd) */
    double devmodel_cycles;  /* exit to the user-space device model */
    double kick_cycles;      /* virtio backend notify/processing per request */
    double inject_cycles;    /* virtual interrupt injection + EOI */
    double grant_cycles;     /* Xen grant map or unmap (each) */
    /* Costs that scale with the I/O (datasets/sim/costs.csv cites each default). */
    double copy_cycles_per_KiB; /* one CPU copy of the payload (vhost, netback, QEMU) */
    double host_pkt_cycles;  /* host network stack per frame: tap + bridge (+ vhost) */
    double host_req_cycles;  /* host block layer + driver per request of a backend */
};

struct sim_device {
    char *name;
    enum sim_dev_kind kind;
    int servers;
    struct sim_dist service, write_service; /* write_service.mean_ns < 0: as service */
    double line_rate_Gbps, mtu_B, coalesce;  /* coalesce: completions per interrupt */
    double coalesce_us;  /* > 0: completions wait for the batch or this timer */
    struct sim_dist seek, rotation;          /* hdd */
    double transfer_MBps;                    /* hdd */
    double bandwidth_MBps, write_bandwidth_MBps; /* ssd, generic: > 0 adds the bytes past
                                                  * the first 4 KiB at this rate */
    int tx_dev;           /* nic: index of its transmit link (a hidden device), -1 none */
    int line;
    char *origin; /* where a generated device comes from, for the summary (may be NULL) */
};

struct sim_vm {
    char *name;
    int vcpus;
    enum sim_mode mode;
    int posted_interrupts, reg_accesses;
    int notify_suppression; /* event_idx (alias notify_suppression): virtio / xen-pv
                             * kicks while the backend is busy and interrupts while the
                             * guest still processes completions are suppressed */
    int napi_budget;      /* > 0: NAPI for any guest, completions per interrupt */
    int sidecore;         /* backend_poll = sidecore: the backend polls on its own core */
    int inval;            /* enum sim_inval of this VM's mappings, -1: [iommu]'s */
    int viommu;           /* 1 trap-and-emulate vIOMMU, 0 none, -1: [iommu]'s */
    /* Compute load: mean busy cores of the guest's own work (0: none), arriving as a
     * Poisson stream of bursts whose lengths follow cpu_burst (docs/sim.md, "Compute"). */
    double cpu_busy_cores;
    struct sim_dist cpu_burst;
    int line, cpu_line;
};

#define SIM_MAX_CHAIN 4

struct sim_workload {
    char *name;
    int vm;               /* index into vms, -1: none (native) */
    int dev[SIM_MAX_CHAIN], ndev;
    double feedback_pct;  /* after the last device, back to the first */
    enum sim_arrival arrival;
    double rate_per_s;    /* poisson, fixed */
    int iodepth;          /* closed */
    struct sim_dist think; /* closed: pause before the next I/O (det:0 by default) */
    double size_B, read_pct;
    double stack_cycles;  /* CPU work of the issuing OS per I/O (driver + stack) */
    long pages;           /* IOVA pages the workload touches */
    enum sim_access access;
    double zipf_s;
    double *zipf_cdf;     /* owned: pages entries when access is zipf */
    int line, dev_line, vm_line;
    char *vm_name, *dev_names; /* as written, resolved after parsing */
};

struct sim_config {
    char *path, *dir;     /* the file and its directory (for empirical CSVs) */
    double duration_s, warmup_s;
    int warmup_auto;      /* 1 (default, or warmup_s = auto): MSER-5 picks the warm-up */
    int replications, drain;
    double precision;     /* > 0: size the replications so that every mean's 95% CI
                           * half-width is within this fraction of the mean (0.05 = 5%);
                           * 0 off */
    int max_replications; /* cap on replications under a precision target */
    long max_in_system;   /* arrivals beyond this many I/Os in system are dropped */
    uint64_t seed;
    int cores;
    double core_GHz;
    double sched_slice_us; /* a compute burst holds a core at most this long, then requeues */
    struct {
        int enabled, entries, ways, levels, viommu, batch;
        int shadow;           /* vIOMMU walk: 1 shadow (one-dimensional), 0 nested */
        double walk_ns, timeout_ms, map_cycles, inval_cycles, viommu_map_cycles;
        double strict_sw_cycles; /* software only a synchronous unmap pays, per page */
        double optimistic_ms;    /* optimistic teardown: a mapping lives this long */
        double map_page_cycles;  /* map + unmap per page beyond a mapping's first */
        int static_page_KiB;     /* IOMMU page of static (none) mappings: 4 or 2048 */
        enum sim_inval inval;
        int inval_set;           /* the file set [iommu] invalidation */
    } iommu;
    struct sim_costs costs;
    struct sim_device *dev;
    size_t ndev;
    struct sim_vm *vm;
    size_t nvm;
    struct sim_workload *wl;
    size_t nwl;
};

/* Defaults for everything (an empty file is a valid, empty configuration). */
struct sim_config *sim_config_new(void);
void sim_config_free(struct sim_config *c);
/* Read an INI file. Errors: "FILE:LINE: [section] key: reason", -EINVAL. */
int sim_config_read(const char *path, struct sim_config **out, struct ks_err *err);
/* Same from a string (name used in messages; base_dir for relative CSV paths). */
int sim_config_read_string(const char *text, const char *name, struct sim_config **out,
                           struct ks_err *err);
/* Add sections programmatically (the --plan builder); each returns the new index. */
size_t sim_config_add_device(struct sim_config *c, const char *name, enum sim_dev_kind k);
size_t sim_config_add_vm(struct sim_config *c, const char *name);
size_t sim_config_add_workload(struct sim_config *c, const char *name);
/* Set one key as the INI reader would (section like "device nvme0"); same errors. */
int sim_config_set(struct sim_config *c, const char *section, const char *key,
                   const char *value, struct ks_err *err);
/* Index of the device / vm called name, or -1. */
int sim_config_find_device(const struct sim_config *c, const char *name);
int sim_config_find_vm(const struct sim_config *c, const char *name);
/* Resolve names and check cross references after all keys are set. */
int sim_config_finish(struct sim_config *c, struct ks_err *err);

#endif
