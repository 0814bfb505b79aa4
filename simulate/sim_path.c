/* sim_path: virtualization modes as step lists, and the IOTLB (see sim_path.h). */
#include "simulate/sim_path.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_util.h"

/* Append a CPU step of `cycles` on a core, holding res1 (a vCPU or the backend
 * thread, or -1) too; comp says which component the cycles are charged to. */
static void
add(const struct sim_config *c, struct sim_path *p, int res1, double cycles, int comp,
    int exits, int flags)
{
    if (cycles <= 0 || p->n == SIM_MAX_STEPS)
        return; /* a free step is no step: it would only cost an event */
    p->s[p->n++] = (struct sim_step){.kind = SIM_ST_CPU, .comp = (uint8_t)comp,
                                     .exits = (uint8_t)exits, .flags = (uint8_t)flags,
                                     .res1 = res1, .res2 = 0, .cycles = cycles,
                                     .dur_ns = cycles / c->core_GHz, .dev = -1};
}

/* The device chain of the workload, one step per device, in the configured order. */
static void
add_devices(const struct sim_config *c, const struct sim_workload *w, struct sim_path *p)
{
    p->first_dev = p->n;
    for (int i = 0; i < w->ndev && p->n < SIM_MAX_STEPS; i++) {
        int tx = c->dev[w->dev[i]].tx_dev;
        p->s[p->n++] = (struct sim_step){.kind = SIM_ST_DEV, .res1 = sim_res_dev(c, w->dev[i]),
                                         .res2 = -1, .dev = w->dev[i],
                                         .res_tx = tx >= 0 ? sim_res_dev(c, tx) : 0};
    }
    p->last_dev = p->n - 1;
}

/* Interrupt delivery to the guest; passthrough pays an exit first unless posted. */
static void
add_irq(const struct sim_config *c, const struct sim_vm *m, int vcpu, struct sim_path *p)
{
    const struct sim_costs *k = &c->costs;
    if (m->mode == SIM_PASSTHROUGH || m->mode == SIM_SRIOV) {
        if (!m->posted_interrupts) {
            add(c, p, vcpu, k->exit_cycles, SIM_C_EXIT, 1, SIM_SF_IRQ);
            add(c, p, vcpu, k->inject_cycles, SIM_C_IRQ, 0, SIM_SF_IRQ);
        }
        return;
    }
    if (m->posted_interrupts && m->mode != SIM_XENPV)
        return; /* posted interrupts / ELI: delivered without an exit (ELI, ASPLOS 2012) */
    add(c, p, vcpu, k->inject_cycles, SIM_C_IRQ, 1, SIM_SF_IRQ);
}

/* Host work of a backend per I/O that scales with it: per frame (tap, bridge, vhost)
 * on a NIC or per request (host block layer and driver) on storage, plus `copies` CPU
 * copies of the payload. */
static double
backend_scaled(const struct sim_config *c, const struct sim_workload *w, int copies)
{
    const struct sim_device *d = &c->dev[w->dev[0]];
    const struct sim_costs *k = &c->costs;
    double cyc = copies * k->copy_cycles_per_KiB * w->size_B / 1024;
    if (d->kind == SIM_DEV_NIC)
        return cyc + ceil(w->size_B / d->mtu_B) * k->host_pkt_cycles;
    return cyc + k->host_req_cycles;
}

/* Compile the workload's path once per replication (sim_path.h lists the paths). A
 * native workload, or a vm in native mode, has no guest context: its unmap (if any)
 * runs on a host core alone. */
void
sim_path_build(const struct sim_config *c, const struct sim_workload *w, struct sim_path *p)
{
    memset(p, 0, sizeof *p);
    const struct sim_vm *m = w->vm >= 0 ? &c->vm[w->vm] : NULL;
    const struct sim_costs *k = &c->costs;
    enum sim_mode mode = m ? m->mode : SIM_NATIVE;
    int guest = m && mode != SIM_NATIVE;
    int vcpu = guest ? sim_res_vcpu(w->vm) : -1, be = guest ? sim_res_backend(w->vm) : -1;
    /* Network backends copy each payload once (vhost-net and QEMU between guest buffers
     * and skbs, netback's grant copy); block backends hand the guest's pages to the
     * host's DMA (O_DIRECT, blkback grant maps): no copy. */
    int net = c->dev[w->dev[0]].kind == SIM_DEV_NIC;
    if (mode == SIM_EMULATED) {
        for (int i = 0; i < m->reg_accesses; i++)
            add(c, p, vcpu, k->devmodel_cycles, SIM_C_DEVMODEL, 1, 0);
        add(c, p, be, backend_scaled(c, w, net), SIM_C_BACKEND, 0, 0);
    }
    /* A sidecore (ELVIS, ATC 2013) polls the rings on a core of its own: no kick exit,
     * and the backend's work takes no core from the shared pool. */
    int side = (mode == SIM_VIRTIO || mode == SIM_XENPV) && m->sidecore;
    int first = p->n;
    if (mode == SIM_VIRTIO) {
        if (!side)
            add(c, p, vcpu, k->io_exit_cycles, SIM_C_EXIT, 1,
                m->notify_suppression ? SIM_SF_KICK : 0);
        first = p->n;
        add(c, p, be, k->kick_cycles + backend_scaled(c, w, net), SIM_C_BACKEND, 0, 0);
    }
    if (mode == SIM_XENPV) {
        if (!side)
            add(c, p, vcpu, k->exit_cycles, SIM_C_EXIT, 1, m->notify_suppression ? SIM_SF_KICK : 0);
        first = p->n;
        add(c, p, be, k->kick_cycles + backend_scaled(c, w, net), SIM_C_BACKEND, 0, 0);
        add(c, p, be, 2 * k->grant_cycles, SIM_C_GRANT, 0, 0);
    }
    for (int i = first; side && i < p->n; i++)
        p->s[i].res2 = -1;
    add_devices(c, w, p);
    if (mode != SIM_NATIVE)
        add_irq(c, m, vcpu, p);
    add(c, p, vcpu, w->stack_cycles, SIM_C_STACK, 0, 0);
    /* A host driver's unmap runs on a host core alone; a guest driver's on its vCPU. */
    if (c->iommu.enabled && sim_wl_inval(c, w) != SIM_INV_NONE && p->n < SIM_MAX_STEPS)
        p->s[p->n++] = (struct sim_step){.kind = SIM_ST_UNMAP, .comp = SIM_C_IOMMU,
                                         .res1 = sim_wl_guest_maps(c, w) ? vcpu : -1,
                                         .res2 = 0, .dev = -1};
}

int
sim_wl_guest_maps(const struct sim_config *c, const struct sim_workload *w)
{
    enum sim_mode m = w->vm >= 0 ? c->vm[w->vm].mode : SIM_NATIVE;
    return m == SIM_PASSTHROUGH || m == SIM_SRIOV;
}

/* The VM's policy; else [iommu]'s when the file sets one; else the default: a static
 * mapping (none) for an assigned device, whose guest memory the hypervisor maps once
 * (VFIO pins and maps it at start), and deferred for a host driver (Linux's lazy
 * default on x86). */
enum sim_inval
sim_wl_inval(const struct sim_config *c, const struct sim_workload *w)
{
    int v = w->vm >= 0 ? c->vm[w->vm].inval : -1;
    if (v >= 0)
        return (enum sim_inval)v;
    if (!c->iommu.inval_set && sim_wl_guest_maps(c, w) && !sim_wl_viommu(c, w))
        return SIM_INV_NONE;
    return c->iommu.inval;
}

int
sim_wl_viommu(const struct sim_config *c, const struct sim_workload *w)
{
    int v = w->vm >= 0 ? c->vm[w->vm].viommu : -1;
    return v >= 0 ? v : c->iommu.viommu;
}

/* ---- IOTLB --------------------------------------------------------------------- */

void
sim_iotlb_init(struct sim_iotlb *t, int entries, int ways)
{
    t->tag = ks_xmalloc((size_t)entries * sizeof *t->tag);
    t->stamp = ks_xcalloc((size_t)entries, sizeof *t->stamp);
    t->ways = ways;
    t->sets = entries / ways;
    t->clock = 0;
    sim_iotlb_flush(t);
}

void
sim_iotlb_fini(struct sim_iotlb *t)
{
    free(t->tag);
    free(t->stamp);
    t->tag = t->stamp = NULL;
}

/* First way of the set a key maps to. */
static inline size_t
set_base(const struct sim_iotlb *t, uint64_t key)
{
    /* Page numbers index sets directly in hardware; mixing the workload id in keeps
     * two workloads' page 0 from always colliding. */
    uint64_t h = key ^ (key >> 40) * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h % (uint64_t)t->sets) * (size_t)t->ways;
}

/* Look up key in its set; refresh it on a hit, or replace the least recently used
 * way (invalid ways have stamp 0 and go first) on a miss. */
int
sim_iotlb_access(struct sim_iotlb *t, uint64_t key)
{
    size_t b = set_base(t, key), victim = b;
    for (size_t i = b; i < b + (size_t)t->ways; i++) {
        if (t->tag[i] == key) {
            t->stamp[i] = ++t->clock;
            return 1;
        }
        if (t->stamp[i] < t->stamp[victim])
            victim = i;
    }
    t->tag[victim] = key;
    t->stamp[victim] = ++t->clock;
    return 0;
}

void
sim_iotlb_inval(struct sim_iotlb *t, uint64_t key)
{
    size_t b = set_base(t, key);
    for (size_t i = b; i < b + (size_t)t->ways; i++)
        if (t->tag[i] == key) {
            t->tag[i] = ~0ULL;
            t->stamp[i] = 0;
        }
}

void
sim_iotlb_flush(struct sim_iotlb *t)
{
    size_t n = (size_t)t->sets * (size_t)t->ways;
    for (size_t i = 0; i < n; i++) {
        t->tag[i] = ~0ULL;
        t->stamp[i] = 0;
    }
}
