/*
 * sim_iommu: translation, mappings and invalidation (sim_iommu.h).
 */
#include "simulate/sim_iommu.h"

#include <stdlib.h>

/* IOTLB key of page i of job j's mapping: its IOVA page (a fresh one per mapping when
 * the policy maps per I/O, as Linux's IOVA allocator gives; the buffer's own page when
 * the mapping is static or kept), of the IOMMU page size (2 MiB static mappings cover
 * 512 buffers' pages), tagged with the workload. */
static inline uint64_t
page_key(const struct wlrt *w, const struct job *j, int i)
{
    uint64_t p = w->fresh ? (j->iova0 + (uint64_t)i) & ((1ULL << 40) - 1)
                          : ((j->page0 + (uint64_t)i) % (uint64_t)w->w->pages) >> w->sp_shift;
    return ((uint64_t)(j->wl + 1) << 40) | p;
}

/* DMA translation of the job's pages: the walk time of every IOTLB miss, ns. */
double
sim_iommu_translate(struct rep *r, struct wlrt *w, struct job *j)
{
    double miss_ns = 0;
    struct sim_wl_rep *o = w->out;
    for (int i = 0; i < w->npages; i++) {
        int hit = sim_iotlb_access(&r->tlb, page_key(w, j, i));
        if (in_window(r)) {
            o->iotlb_lookups++;
            o->iotlb_hits += (uint64_t)hit;
        }
        if (!hit)
            miss_ns += w->walk_refs * r->c->iommu.walk_ns;
    }
    return miss_ns;
}

/* Cycles of mapping and unmapping n pages as one scatter-gather list, besides the
 * invalidation and the strict-only software: the published one-page figure (map_cycles:
 * the IOVA allocation and free, the call path, one page's entries) plus
 * map_page_cycles per further page. Under a trap-and-emulate vIOMMU the traps dominate:
 * the published one-page figure already includes one invalidation and the software
 * around it. */
static double
map_cost(const struct sim_config *c, const struct wlrt *w, int n)
{
    if (n <= 0)
        return 0;
    double one =
        w->viommu ? c->iommu.viommu_map_cycles - c->iommu.inval_cycles - c->iommu.strict_sw_cycles
                  : c->iommu.map_cycles;
    return one + (n - 1) * c->iommu.map_page_cycles;
}

/* Optimistic teardown: 1 if page's mapping, kept alive since its last unmap, is still
 * there when this I/O mapped it (at its arrival); either way it now lives until
 * optimistic_ms after this unmap. A reused mapping costs nothing: no map, no unmap, no
 * invalidation. One not reused in time was torn down (deferred) and is mapped anew. */
static int
reuse_mapping(struct rep *r, struct wlrt *w, const struct job *j, int i)
{
    uint64_t page = (j->page0 + (uint64_t)i) % (uint64_t)w->w->pages;
    int alive = w->alive_ns[page] != 0 && j->t0_ns <= w->alive_ns[page];
    w->alive_ns[page] = r->now + ns_round(r->c->iommu.optimistic_ms * 1e6);
    return alive;
}

/* IOMMU maintenance after the DMA: the map + unmap of the job's mapping (one
 * scatter-gather list of its pages), and the invalidation its policy calls for.
 * Returns cycles; updates the IOTLB and the flush queue. Strict invalidates the
 * mapping's range at once (one invalidation, plus the synchronous software,
 * strict_sw_cycles); deferred puts one entry in the unmapping CPU's flush queue and
 * flushes the IOTLB when that queue holds deferred_batch entries (or by the timer). */
double
sim_iommu_unmap_cycles(struct rep *r, struct wlrt *w, struct job *j)
{
    const struct sim_config *c = r->c;
    r->last_unmap_wl = j->wl;
    if (w->inval == SIM_INV_STRICT) {
        for (int i = 0; i < w->npages; i++)
            sim_iotlb_inval(&r->tlb, page_key(w, j, i));
        return map_cost(c, w, w->npages) + c->iommu.strict_sw_cycles + c->iommu.inval_cycles;
    }
    int torn = w->npages;
    if (w->inval == SIM_INV_OPTIMISTIC)
        for (int i = 0; i < w->npages; i++)
            torn -= reuse_mapping(r, w, j, i);
    if (torn == 0)
        return 0;
    double cyc = map_cost(c, w, torn);
    if (++r->fq[w->fq] >= c->iommu.batch) {
        sim_iotlb_flush(&r->tlb);
        r->fq[w->fq] = 0;
        cyc += c->iommu.inval_cycles;
    }
    return cyc;
}

/* The workload's IOMMU policy, and its walk: a vIOMMU whose mappings the hypervisor
 * shadows in the physical IOMMU (vIOMMU, ATC 2011) walks one dimension, a nested one
 * walks two: (L + 1)^2 - 1 references. */
void
sim_iommu_setup_wl(const struct rep *r, const struct sim_config *c, struct wlrt *w)
{
    int L = c->iommu.levels;
    w->inval = sim_wl_inval(c, w->w);
    w->viommu = sim_wl_viommu(c, w->w);
    w->walk_refs = w->viommu && !c->iommu.shadow ? (L + 1) * (L + 1) - 1 : L;
    w->fresh = c->iommu.enabled && (w->inval == SIM_INV_STRICT || w->inval == SIM_INV_DEFERRED);
    w->sp_shift = 0;
    if (w->inval == SIM_INV_NONE)
        while ((4 << w->sp_shift) < c->iommu.static_page_KiB)
            w->sp_shift++;
    /* The CPU that unmaps: a guest's own mappings on one of its vCPUs, a host driver's
     * on one host core; a workload's completions are affine to one CPU. */
    int wi = (int)(w - r->wl);
    if (sim_wl_guest_maps(c, w->w)) {
        int vm = w->w->vm, base = c->cores;
        for (int v = 0; v < vm; v++)
            base += c->vm[v].vcpus;
        w->fq = (size_t)(base + wi % c->vm[vm].vcpus);
    } else {
        w->fq = (size_t)(wi % c->cores);
    }
    if (c->iommu.enabled && w->inval == SIM_INV_OPTIMISTIC)
        w->alive_ns = ks_xcalloc((size_t)w->w->pages, sizeof *w->alive_ns);
}

/* Does any workload queue invalidations (deferred, or optimistic teardown)? */
int
sim_iommu_any_deferred(const struct sim_config *c)
{
    for (size_t i = 0; i < c->nwl; i++) {
        enum sim_inval v = sim_wl_inval(c, &c->wl[i]);
        if (v == SIM_INV_DEFERRED || v == SIM_INV_OPTIMISTIC)
            return 1;
    }
    return 0;
}

/* Deferred invalidation timer: flush what is queued every deferred_timeout_ms. */
void
sim_iommu_flush_timer(struct rep *r)
{
    const struct sim_config *c = r->c;
    long queued = 0;
    for (size_t q = 0; q < r->nfq; q++) {
        queued += r->fq[q];
        r->fq[q] = 0;
    }
    if (queued > 0) { /* one flush empties every CPU's queue (Linux fq_flush_timeout) */
        sim_iotlb_flush(&r->tlb);
        if (in_window(r))
            r->wl[r->last_unmap_wl].out->cycles[SIM_C_IOMMU] += c->iommu.inval_cycles;
    }
    uint64_t next = r->now + ns_round(c->iommu.timeout_ms * 1e6);
    if (!c->drain || r->in_sys > 0 || accepting(r, next))
        sim_evl_push(&r->evl, &r->flush, next);
}
