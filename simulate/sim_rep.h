/*
 * sim_rep: the state of one replication, shared by the files of the engine and private
 * to them (nothing outside simulate/ includes it): sim_engine.c runs the event loop,
 * the I/O path and the statistics window; sim_sched.c the VMs' compute load and the
 * host's scheduler; sim_iommu.c the IOMMU's translation, mappings and invalidation.
 *
 * Everything a replication touches lives in struct rep: its event list, resources,
 * workloads, IOTLB and a pool of jobs (I/O requests and compute bursts). The small
 * helpers every part uses are static inline here so that the split costs the event
 * loop no calls.
 */
#ifndef SIM_REP_H
#define SIM_REP_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "simulate/sim_evl.h"
#include "simulate/sim_path.h"
#include "simulate/sim_run.h"

enum { EV_ARRIVE = 1, EV_STEP, EV_FLUSH, EV_WARM, EV_THINK, EV_COAL, EV_BURST, EV_SLICE };

#define container_of(p, T, m) ((T *)(void *)((char *)(p)-offsetof(T, m)))
#define JOB_CHUNK 256

struct job {
    struct sim_ev ev;         /* EV_STEP or EV_THINK */
    struct job *qnext;        /* resource queue, coalescing batch or free list */
    struct job *batch;        /* jobs whose interrupt this job delivers */
    int wl, step, phase;      /* wl < 0: a compute burst of VM -1 - wl */
    int fire_irq;             /* -1 undecided, 0 coalesced away, 1 interrupt */
    int tx;                   /* a NIC workload's job that sends (its link's tx side) */
    int in_napi;              /* past its interrupt: the guest is processing it */
    uint64_t t0_ns;           /* arrival */
    uint64_t page0;           /* first page of the buffer (its index in the workload's pool) */
    uint64_t iova0;           /* first IOVA page of its mapping: fresh per mapping unless
                               * the mapping is static (none) or kept (optimistic) */
    double unmap_cycles;      /* cycles of the current unmap step */
    double cycles[SIM_NCOMP]; /* host work done for this I/O so far, by component */
    uint64_t exits;           /* exits taken for this I/O so far */
    double left_ns;           /* compute burst: work still to run */
    uint64_t since_ns;        /* compute burst: runnable since (waiting) or running since */
};

struct res {
    int servers, busy;
    struct job *qh, *qt;
    struct job *lh, *lt; /* host cores only: compute slices, served after qh's I/O work */
    uint64_t last_ns, area;
};

struct wlrt {
    struct sim_ev arr; /* EV_ARRIVE */
    const struct sim_workload *w;
    struct sim_path path;
    struct sim_rng rng_arr, rng_svc, rng_page;
    double next_fixed_ns; /* fixed arrivals: exact time of the next one */
    uint64_t ring_pos, irq_ctr;
    int npages, coalesce;
    int duplex;                     /* first device a NIC with a transmit link: 0 no, 1 all
                                     * received, 2 a mix (drawn per I/O), 3 all sent */
    int irq_budget;                 /* > 0: interrupts suppressed while the guest polls */
    int napi_active, napi_absorbed; /* completions being processed; absorbed by the poll */
    enum sim_inval inval;           /* the policy of this workload's mappings */
    int viommu, walk_refs;          /* memory references per IOTLB miss */
    int fresh;                      /* each I/O maps anew at a fresh IOVA (strict, deferred) */
    uint64_t next_iova;             /* the next fresh IOVA page */
    int sp_shift;                   /* static mappings: log2 of 4 KiB pages per IOMMU page */
    size_t fq;                      /* the flush queue of the CPU that unmaps (per-CPU) */
    uint64_t *alive_ns;             /* optimistic: per page, mapping kept until; 0 none */
    uint64_t coalesce_ns;           /* > 0: completions wait for a batch or this timer */
    struct job *bh, *bt;            /* completions waiting for the interrupt */
    int nbatch, timer_pending;
    uint64_t deadline_ns;
    struct sim_ev coal; /* EV_COAL: the coalescing timer */
    long in_sys;
    uint64_t last_ns;
    double lat_sum_ns;
    double carry_ns; /* rounding remainder of step durations */
    struct sim_hist hist;
    struct sim_wl_rep *out;
};

/* A VM's compute load: bursts arrive as a Poisson stream; each runs on one of the VM's
 * vCPU threads (at most vcpus at once; more wait in the guest's own run queue) and
 * holds a host core one scheduler slice at a time. */
struct vmrt {
    struct sim_ev arr; /* EV_BURST: the next burst */
    struct res thr;    /* the vCPU threads, vcpus servers */
    struct sim_rng rng;
    double gap_ns; /* mean time between bursts */
    long backlog;  /* bursts arrived and not finished */
    struct sim_vm_rep *out;
};

struct chunk {
    struct chunk *next;
    struct job j[JOB_CHUNK];
};

struct rep {
    const struct sim_config *c;
    sim_evl evl;
    uint64_t now, warm_ns, end_ns;
    int draining_done;
    struct res *res;
    size_t nres;
    struct wlrt *wl;
    struct vmrt *vm; /* c->nvm, NULL without compute load */
    uint64_t slice_ns;
    struct job *free_jobs;
    struct chunk *chunks;
    struct sim_iotlb tlb;
    long *fq;   /* per-CPU flush queues: entries (one per mapping) queued */
    size_t nfq; /* host cores, then each VM's vCPUs */
    int last_unmap_wl;
    long in_sys;
    struct sim_ev flush, warm;
    uint64_t events;
};

/* ---- small pieces -------------------------------------------------------------- */

/* Statistics count only what happens at or after the end of the warm-up; the window
 * ends at duration_s (or at the last departure when draining). */
static inline int
in_window(const struct rep *r)
{
    return r->now >= r->warm_ns;
}

/* Nearest whole nanosecond; negative samples (none of our distributions makes them,
 * but an empirical file could hold -0) become 0. */
static inline uint64_t
ns_round(double ns)
{
    return ns <= 0 ? 0 : (uint64_t)llround(ns);
}

/* Bring the busy-time integral of s up to now (call before busy changes). */
static inline void
res_account(struct rep *r, struct res *s)
{
    s->area += (uint64_t)s->busy * (r->now - s->last_ns);
    s->last_ns = r->now;
}

/* Bring the workload's number-in-system integral up to now, then apply delta. The
 * integral is the left side of Little's law (test_little_sample_path). */
static inline void
wl_account(struct rep *r, struct wlrt *w, long delta)
{
    w->out->area_ns += (uint64_t)w->in_sys * (r->now - w->last_ns);
    w->last_ns = r->now;
    w->in_sys += delta;
    r->in_sys += delta;
}

/* Append j to the queue (h, t). */
static inline void
enqueue(struct job **h, struct job **t, struct job *j)
{
    j->qnext = NULL;
    if (*t)
        (*t)->qnext = j;
    else
        *h = j;
    *t = j;
}

/* 1 if a server was free (now held by j); 0 if j now waits in the queue. */
static inline int
res_acquire(struct rep *r, struct res *s, struct job *j)
{
    if (s->busy < s->servers) {
        res_account(r, s);
        s->busy++;
        return 1;
    }
    enqueue(&s->qh, &s->qt, j);
    return 0;
}

/* Is an event at t_ns still inside the run (drain stops new work after it)? */
static inline int
accepting(const struct rep *r, uint64_t t_ns)
{
    return t_ns <= r->end_ns;
}

/* A free job from the pool (sim_engine.c; never NULL: the pool grows by a chunk). */
struct job *sim_rep_job_get(struct rep *r);
/* Back to the pool; the job must hold no event and wait in no queue. */
void sim_rep_job_put(struct rep *r, struct job *j);
/* Free one server of s, or hand it to the head of its queue, which continues at once
 * (sim_engine.c). */
void sim_rep_release(struct rep *r, struct res *s);

#endif
