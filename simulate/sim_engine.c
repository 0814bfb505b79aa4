/*
 * sim_engine: one replication of the model (see sim_run.h and sim_path.h).
 *
 * Everything a replication touches lives in struct rep (sim_rep.h): its event list,
 * resources, workloads, IOTLB and a pool of jobs (I/O requests). Jobs are recycled
 * through a free list and carry their event node, so once the pool has grown to the
 * peak number in system nothing is allocated per event. The compute load and the
 * scheduler are in sim_sched.c, the IOMMU's work in sim_iommu.c.
 *
 * A resource is a multi-server FIFO queue. A job acquiring a busy resource waits in its
 * queue; a release hands the server straight to the head of the queue (the server never
 * goes idle in between), which continues at once. Utilization is the time integral of
 * busy servers, restarted at the end of the warm-up.
 */
#include "simulate/sim_run.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "simulate/sim_iommu.h"
#include "simulate/sim_rep.h"
#include "simulate/sim_sched.h"

/* ---- small pieces -------------------------------------------------------------- */

/* A free job, growing the pool by a chunk when it is empty. Chunks are freed only
 * with the replication, so job pointers stay valid while events refer to them. */
struct job *
sim_rep_job_get(struct rep *r)
{
    if (!r->free_jobs) {
        struct chunk *ch = ks_xmalloc(sizeof *ch);
        ch->next = r->chunks;
        r->chunks = ch;
        for (int i = 0; i < JOB_CHUNK; i++) {
            ch->j[i].qnext = r->free_jobs;
            r->free_jobs = &ch->j[i];
        }
    }
    struct job *j = r->free_jobs;
    r->free_jobs = j->qnext;
    return j;
}

void
sim_rep_job_put(struct rep *r, struct job *j)
{
    j->qnext = r->free_jobs;
    r->free_jobs = j;
}

static void advance(struct rep *r, struct job *j);

/* Free one server of s, or hand it to the head of the queue. The hand-over continues
 * the waiting job synchronously; it always ends by scheduling an event or queueing
 * again, so the recursion is at most one level deep. */
void
sim_rep_release(struct rep *r, struct res *s)
{
    struct job *j = s->qh;
    if (j) {
        s->qh = j->qnext;
        if (!s->qh)
            s->qt = NULL;
    } else if ((j = s->lh) != NULL) {
        s->lh = j->qnext;
        if (!s->lh)
            s->lt = NULL;
    } else {
        res_account(r, s);
        s->busy--;
        return;
    }
    advance(r, j); /* the server passes to j without going idle */
}

/* ---- the I/O path -------------------------------------------------------------- */

/* Service time of one visit of job j to device d, ns, including the DMA translation
 * when the IOMMU is on. Draws from the workload's service stream only, so devices
 * shared by several workloads stay reproducible per workload. */
static double
device_ns(struct rep *r, struct wlrt *w, struct job *j, int d)
{
    const struct sim_device *dv = &r->c->dev[d];
    const struct sim_workload *wl = w->w;
    double t;
    switch (dv->kind) {
    case SIM_DEV_NIC:
        t = sim_nic_wire_ns(dv, wl->size_B);
        break;
    case SIM_DEV_HDD:
        t = sim_dist_sample(&dv->seek, &w->rng_svc) + sim_dist_sample(&dv->rotation, &w->rng_svc) +
            wl->size_B / (dv->transfer_MBps * 1e-3); /* MB/s = 1e-3 bytes per ns */
        break;
    default: {
        int wr = dv->write_service.mean_ns >= 0 && wl->read_pct < 100 &&
                 sim_rng_unif(&w->rng_svc) * 100 >= wl->read_pct;
        t = sim_dist_sample(wr ? &dv->write_service : &dv->service, &w->rng_svc);
        /* The service time is the data sheet's for 4 KiB; the bytes beyond move at its
         * sequential bandwidth (MB/s = 1e-3 bytes per ns). */
        double bw = wr ? dv->write_bandwidth_MBps : dv->bandwidth_MBps;
        if (bw > 0 && wl->size_B > 4096)
            t += (wl->size_B - 4096) / (bw * 1e-3);
    }
    }
    if (!r->c->iommu.enabled)
        return t;
    /* A NIC receives the next frame into its on-chip buffer while the DMA engine
     * translates and writes the last one out over PCIe: translation stalls the link
     * only when it takes longer than a frame's wire time. Other devices wait. */
    double miss_ns = sim_iommu_translate(r, w, j);
    return dv->kind == SIM_DEV_NIC ? fmax(t, miss_ns) : t + miss_ns;
}

/* Does completion j raise an interrupt? Not while the guest still processes earlier
 * completions (NAPI polls with the device's interrupt off; event-idx tells the host not
 * to notify), up to the budget of one poll; else every coalesce-th does. */
static void
decide_irq(struct wlrt *w, struct job *j)
{
    if (w->irq_budget > 0 && w->napi_active > 0 && w->napi_absorbed < w->irq_budget) {
        j->fire_irq = 0;
        w->napi_absorbed++;
    } else {
        j->fire_irq = w->irq_ctr++ % (uint64_t)w->coalesce == 0;
        if (j->fire_irq)
            w->napi_absorbed = 0; /* a new poll */
    }
    if (w->irq_budget > 0) {
        j->in_napi = 1;
        w->napi_active++;
    }
}

/* Steps a job passes over: a kick while the backend still polls the ring
 * (notification suppression), and interrupt steps of a completion whose interrupt
 * another completion of its batch delivers (coalescing). */
static int
skip_step(struct rep *r, struct wlrt *w, struct job *j, const struct sim_step *st)
{
    if ((st->flags & SIM_SF_KICK) && r->res[sim_res_backend(w->w->vm)].busy > 0)
        return 1; /* notification suppression: the backend is still polling the ring */
    if (st->flags & SIM_SF_IRQ) {
        if (j->fire_irq < 0)
            decide_irq(w, j);
        return !j->fire_irq;
    }
    return 0;
}

/* With delayed coalescing a job reaching its first interrupt step waits for it. */
static inline int
must_park(const struct wlrt *w, const struct job *j, const struct sim_step *st)
{
    return w->coalesce_ns > 0 && (st->flags & SIM_SF_IRQ) && j->fire_irq < 0;
}

static void job_done(struct rep *r, struct job *j);

/* Close the batch: its last job takes the interrupt path, the others wait for it. */
static void
fire_batch(struct rep *r, struct wlrt *w)
{
    struct job *leader = w->bt, *others = w->bh == w->bt ? NULL : w->bh;
    for (struct job *o = others; o; o = o->qnext) {
        o->fire_irq = 0;
        if (o->qnext == leader) {
            o->qnext = NULL;
            break;
        }
    }
    leader->fire_irq = 1;
    leader->batch = others;
    w->bh = w->bt = NULL;
    w->nbatch = 0;
    advance(r, leader);
}

/* A completion reached the interrupt with delayed coalescing: wait in the batch. */
static void
park(struct rep *r, struct wlrt *w, struct job *j)
{
    j->qnext = NULL;
    if (w->bt)
        w->bt->qnext = j;
    else
        w->bh = j;
    w->bt = j;
    if (++w->nbatch == 1) {
        w->deadline_ns = r->now + w->coalesce_ns;
        if (!w->timer_pending) {
            w->timer_pending = 1;
            sim_evl_push(&r->evl, &w->coal, w->deadline_ns);
        }
    }
    if (w->nbatch >= w->coalesce)
        fire_batch(r, w);
}

/* The timer is never cancelled: a stale one re-arms itself for the current batch. */
static void
coal_timer(struct rep *r, struct wlrt *w)
{
    w->timer_pending = 0;
    if (w->nbatch == 0)
        return;
    if (r->now >= w->deadline_ns) {
        fire_batch(r, w);
        return;
    }
    w->timer_pending = 1;
    sim_evl_push(&r->evl, &w->coal, w->deadline_ns);
}

/* After the leader's last interrupt step: the batch it carried goes on. */
static void
release_batch(struct rep *r, struct job *j)
{
    struct job *b = j->batch;
    j->batch = NULL;
    while (b) {
        struct job *n = b->qnext;
        advance(r, b);
        b = n;
    }
}

/* The step's first resource: a NIC's transmit link for a job that sends. */
static inline int
step_res1(const struct sim_step *st, const struct job *j)
{
    return j->tx && st->res_tx > 0 ? st->res_tx : st->res1;
}

/* Move job j through its path from its current step and phase: acquire the step's
 * context resource (phase 0 -> 1), then its core (1 -> 2), then schedule the end of
 * the step. Returns when the job waits in a queue or has an event pending; a job past
 * its last step is done. Re-entered by res_release when a queued job is served. */
static void
advance(struct rep *r, struct job *j)
{
    if (j->wl < 0) {
        sim_sched_advance(r, j);
        return;
    }
    struct wlrt *w = &r->wl[j->wl];
    for (;;) {
        if (j->step >= w->path.n) {
            job_done(r, j);
            return;
        }
        const struct sim_step *st = &w->path.s[j->step];
        if (j->phase == 0) {
            if (must_park(w, j, st)) {
                park(r, w, j);
                return;
            }
            if (skip_step(r, w, j, st)) {
                j->step++;
                continue;
            }
            j->phase = 1;
            int r1 = step_res1(st, j);
            if (r1 >= 0 && !res_acquire(r, &r->res[r1], j))
                return;
        }
        if (j->phase == 1) {
            j->phase = 2;
            if (st->res2 >= 0 && !res_acquire(r, &r->res[st->res2], j))
                return;
        }
        double d = st->dur_ns;
        if (st->kind == SIM_ST_DEV)
            d = device_ns(r, w, j, st->dev);
        else if (st->kind == SIM_ST_UNMAP)
            d = (j->unmap_cycles = sim_iommu_unmap_cycles(r, w, j)) / r->c->core_GHz;
        /* Carry the rounding remainder to the next step so that integer nanoseconds
         * add no bias (a 10 GbE frame takes 1230.4 ns, not 1230). */
        d += w->carry_ns;
        uint64_t q = ns_round(d);
        w->carry_ns = d - (double)q;
        j->ev.kind = EV_STEP;
        sim_evl_push(&r->evl, &j->ev, r->now + q);
        return;
    }
}

/* A step's time is up: free its resources (waking queued jobs), account its cycles
 * and exits inside the window, and move on, back to the first device with the
 * feedback probability after the last one (the Jackson network's routing). */
static void
step_end(struct rep *r, struct job *j)
{
    struct wlrt *w = &r->wl[j->wl];
    const struct sim_step *st = &w->path.s[j->step];
    if (st->res2 >= 0)
        sim_rep_release(r, &r->res[st->res2]);
    int r1 = step_res1(st, j);
    if (r1 >= 0)
        sim_rep_release(r, &r->res[r1]);
    /* Charged to the I/O, and to the statistics when it completes (job_done): an I/O
     * still queued at the end of the window did work that no completion accounts for. */
    j->cycles[st->comp] += st->kind == SIM_ST_UNMAP ? j->unmap_cycles : st->cycles;
    j->exits += (uint64_t)st->exits;
    if (j->step == w->path.last_dev && w->w->feedback_pct > 0 &&
        sim_rng_unif(&w->rng_svc) * 100 < w->w->feedback_pct)
        j->step = w->path.first_dev;
    else
        j->step++;
    j->phase = 0;
    if (j->batch && (j->step >= w->path.n || !(w->path.s[j->step].flags & SIM_SF_IRQ)))
        release_batch(r, j);
    advance(r, j);
}

/* ---- arrivals and departures ----------------------------------------------------- */

/* First IOVA page of the next buffer, by the workload's access pattern. */
static uint64_t
pick_page(struct wlrt *w)
{
    const struct sim_workload *wl = w->w;
    uint64_t n = (uint64_t)wl->pages;
    if (wl->access == SIM_ACC_RING) {
        uint64_t p = w->ring_pos;
        w->ring_pos = (w->ring_pos + (uint64_t)w->npages) % n;
        return p;
    }
    if (wl->access == SIM_ACC_UNIFORM)
        return sim_rng_u64(&w->rng_page) % n;
    /* zipf: first rank whose cumulative weight reaches u (binary search). */
    double u = sim_rng_unif(&w->rng_page);
    size_t lo = 0, hi = (size_t)n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (wl->zipf_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A new I/O of workload wi enters the system now. */
static void
job_start(struct rep *r, int wi, struct job *j)
{
    struct wlrt *w = &r->wl[wi];
    j->wl = wi;
    j->step = j->phase = 0;
    j->fire_irq = -1;
    j->in_napi = 0;
    j->batch = NULL;
    /* A NIC workload's read_pct is its received share; only a mix draws. */
    j->tx = w->duplex == 2 ? sim_rng_unif(&w->rng_svc) * 100 >= w->w->read_pct : w->duplex == 3;
    j->t0_ns = r->now;
    memset(j->cycles, 0, sizeof j->cycles);
    j->exits = 0;
    j->page0 = pick_page(w);
    if (w->fresh) {
        j->iova0 = w->next_iova;
        w->next_iova += (uint64_t)w->npages;
    }
    wl_account(r, w, +1);
    w->out->arrived++;
    if (in_window(r))
        w->out->arrived_win++;
    advance(r, j);
}

/* Departure: sojourn time into the statistics; an open workload's job returns to the
 * pool, a closed one's becomes its next I/O after the think time. */
static void
job_done(struct rep *r, struct job *j)
{
    struct wlrt *w = &r->wl[j->wl];
    uint64_t lat = r->now - j->t0_ns;
    wl_account(r, w, -1);
    if (j->in_napi) {
        j->in_napi = 0;
        w->napi_active--;
    }
    if (in_window(r)) {
        w->out->completed++;
        w->out->sum_w_ns += lat;
        w->lat_sum_ns += (double)lat;
        for (int m = 0; m < SIM_NCOMP; m++)
            w->out->cycles[m] += j->cycles[m];
        w->out->exits += j->exits;
        if (w->out->series)
            sim_series_add(w->out->series, r->now, (double)lat);
        sim_hist_add(&w->hist, lat);
    }
    if (w->w->arrival != SIM_ARR_CLOSED) {
        sim_rep_job_put(r, j);
        return;
    }
    /* Closed loop: the same slot issues the next I/O after the think time. */
    uint64_t t = r->now + ns_round(sim_dist_sample(&w->w->think, &w->rng_arr));
    if (r->c->drain && !accepting(r, t)) {
        sim_rep_job_put(r, j);
        return;
    }
    j->ev.kind = EV_THINK;
    sim_evl_push(&r->evl, &j->ev, t);
}

/* An open workload's arrival: admit it (or drop it at max_in_system) and schedule the
 * next one. Fixed-rate arrivals keep an exact double clock so rounding never drifts. */
static void
arrival(struct rep *r, struct wlrt *w)
{
    int wi = (int)(w - r->wl);
    /* A finite buffer: an overloaded host drops instead of queueing without bound
     * (which would only grow memory and run time, and say nothing more). */
    if (r->in_sys < r->c->max_in_system)
        job_start(r, wi, sim_rep_job_get(r));
    else if (in_window(r))
        w->out->dropped++;
    uint64_t next;
    if (w->w->arrival == SIM_ARR_POISSON) {
        next = r->now + ns_round(sim_rng_exp(&w->rng_arr, 1e9 / w->w->rate_per_s));
    } else {
        w->next_fixed_ns += 1e9 / w->w->rate_per_s;
        next = ns_round(w->next_fixed_ns);
    }
    if (!r->c->drain || accepting(r, next))
        sim_evl_push(&r->evl, &w->arr, next);
}

/* End of the warm-up: statistics restart from here. */
static void
warm_end(struct rep *r)
{
    for (size_t i = 0; i < r->nres; i++) {
        res_account(r, &r->res[i]);
        r->res[i].area = 0;
    }
    for (size_t i = 0; r->vm && i < r->c->nvm; i++) {
        res_account(r, &r->vm[i].thr);
        r->vm[i].thr.area = 0;
    }
    for (size_t i = 0; i < r->c->nwl; i++) {
        wl_account(r, &r->wl[i], 0);
        r->wl[i].out->area_ns = 0;
    }
}

/* One event: the kind says which object the node is embedded in. */
static void
dispatch(struct rep *r, struct sim_ev *ev)
{
    switch (ev->kind) {
    case EV_STEP:
        step_end(r, container_of(ev, struct job, ev));
        break;
    case EV_ARRIVE:
        arrival(r, container_of(ev, struct wlrt, arr));
        break;
    case EV_THINK: {
        struct job *j = container_of(ev, struct job, ev);
        job_start(r, j->wl, j);
        break;
    }
    case EV_FLUSH:
        sim_iommu_flush_timer(r);
        break;
    case EV_WARM:
        warm_end(r);
        break;
    case EV_COAL:
        coal_timer(r, container_of(ev, struct wlrt, coal));
        break;
    case EV_BURST:
        sim_sched_arrival(r, container_of(ev, struct vmrt, arr));
        break;
    case EV_SLICE:
        sim_sched_slice_end(r, container_of(ev, struct job, ev));
        break;
    }
}

/* ---- one replication ------------------------------------------------------------- */

double
sim_nic_wire_ns(const struct sim_device *d, double size_B)
{
    /* RFC 5180: 20 B of preamble and inter-frame gap per frame; 18 B of Ethernet header
     * and FCS around each payload, padded to the 64 B minimum frame. */
    double frames = ceil(size_B / d->mtu_B), last = size_B - (frames - 1) * d->mtu_B;
    double full = (frames - 1) * (d->mtu_B + 18 + 20);
    double tail = fmax(last + 18, 64) + 20;
    return (full + tail) * 8 / d->line_rate_Gbps; /* bits / (Gbit/s) = ns */
}

size_t
sim_nres(const struct sim_config *c)
{
    return 1 + 2 * c->nvm + c->ndev;
}

/* The resource table in the layout of sim_path.h. */
static void
rep_setup_res(struct rep *r)
{
    const struct sim_config *c = r->c;
    r->nres = sim_nres(c);
    r->res = ks_xcalloc(r->nres, sizeof *r->res);
    r->res[0].servers = c->cores;
    for (size_t v = 0; v < c->nvm; v++) /* a sidecore leaves the shared pool */
        r->res[0].servers -=
            c->vm[v].sidecore && (c->vm[v].mode == SIM_VIRTIO || c->vm[v].mode == SIM_XENPV);
    for (size_t v = 0; v < c->nvm; v++) {
        r->res[sim_res_vcpu((int)v)].servers = c->vm[v].vcpus;
        r->res[sim_res_backend((int)v)].servers = 1; /* one backend thread per VM */
    }
    for (size_t d = 0; d < c->ndev; d++)
        r->res[sim_res_dev(c, (int)d)].servers = c->dev[d].servers;
}

/* Stream ids: 3 per workload (arrivals, service, pages). */
static void
rep_setup_wl(struct rep *r, uint64_t seed, uint64_t rep, struct sim_rep *out)
{
    const struct sim_config *c = r->c;
    r->wl = ks_xcalloc(c->nwl, sizeof *r->wl);
    for (size_t i = 0; i < c->nwl; i++) {
        struct wlrt *w = &r->wl[i];
        w->w = &c->wl[i];
        w->out = &out->wl[i];
        sim_path_build(c, w->w, &w->path);
        sim_rng_seed(&w->rng_arr, seed, rep, 3 * i);
        sim_rng_seed(&w->rng_svc, seed, rep, 3 * i + 1);
        sim_rng_seed(&w->rng_page, seed, rep, 3 * i + 2);
        w->npages = (int)ceil(w->w->size_B / 4096);
        double rx = w->w->read_pct;
        w->duplex = c->dev[w->w->dev[0]].tx_dev < 0 ? 0 : rx >= 100 ? 1 : rx <= 0 ? 3 : 2;
        const struct sim_vm *m = w->w->vm >= 0 ? &c->vm[w->w->vm] : NULL;
        if (m && m->napi_budget > 0)
            w->irq_budget = m->napi_budget;
        else if (m && m->notify_suppression && (m->mode == SIM_VIRTIO || m->mode == SIM_XENPV))
            w->irq_budget = 64; /* Linux's NAPI weight (NAPI_POLL_WEIGHT) */
        sim_iommu_setup_wl(r, c, w);
        const struct sim_device *last = &c->dev[w->w->dev[w->w->ndev - 1]];
        w->coalesce = (int)last->coalesce;
        w->coalesce_ns = w->coalesce > 1 ? ns_round(last->coalesce_us * 1e3) : 0;
        w->coal.kind = EV_COAL;
        sim_hist_init(&w->hist);
        if (w->w->arrival == SIM_ARR_CLOSED) {
            for (int k = 0; k < w->w->iodepth; k++)
                job_start(r, (int)i, sim_rep_job_get(r));
        } else {
            /* The first arrival is one interarrival in, as in a stationary stream. */
            w->arr.kind = EV_ARRIVE;
            double first = w->w->arrival == SIM_ARR_POISSON
                               ? sim_rng_exp(&w->rng_arr, 1e9 / w->w->rate_per_s)
                               : 1e9 / w->w->rate_per_s;
            w->next_fixed_ns = first;
            sim_evl_push(&r->evl, &w->arr, ns_round(first));
        }
    }
}

/* Close the window: utilization, throughput, per-replication percentiles, and the
 * histograms merged into the caller's (then freed). */
static void
rep_finish(struct rep *r, struct sim_rep *out, struct sim_hist *hist)
{
    const struct sim_config *c = r->c;
    out->end_ns = r->end_ns;
    double window = (double)(r->end_ns - r->warm_ns);
    for (size_t i = 0; i < r->nres; i++) {
        res_account(r, &r->res[i]);
        out->util[i] = window > 0 ? (double)r->res[i].area / (window * r->res[i].servers) : 0;
    }
    static const double pct[4] = {50, 90, 99, 99.9};
    for (size_t i = 0; i < c->nwl; i++) {
        struct wlrt *w = &r->wl[i];
        wl_account(r, w, 0);
        w->out->thr_per_s = window > 0 ? (double)w->out->completed / (window * 1e-9) : 0;
        w->out->lat_mean_ns =
            w->out->completed ? w->lat_sum_ns / (double)w->out->completed : ks_nan();
        for (int k = 0; k < 4; k++)
            w->out->lat_pct_ns[k] = sim_hist_pct(&w->hist, pct[k]);
        if (hist)
            sim_hist_merge(&hist[i], &w->hist);
        sim_hist_fini(&w->hist);
    }
}

static void
rep_free(struct rep *r)
{
    sim_evl_fini(&r->evl);
    while (r->chunks) {
        struct chunk *n = r->chunks->next;
        free(r->chunks);
        r->chunks = n;
    }
    free(r->res);
    for (size_t i = 0; r->wl && i < r->c->nwl; i++)
        free(r->wl[i].alive_ns);
    free(r->wl);
    free(r->vm);
    free(r->fq);
    if (r->c->iommu.enabled)
        sim_iotlb_fini(&r->tlb);
}

/* The event loop. Without drain the first event past duration_s ends the run (it
 * stays unprocessed); with drain the loop runs until no event is left. */
static void
rep_loop(struct rep *r)
{
    struct sim_ev *ev;
    while ((ev = sim_evl_pop(&r->evl)) != NULL) {
        if (!r->c->drain && ev->t_ns > r->end_ns)
            return;
        r->now = ev->t_ns;
        r->events++;
        dispatch(r, ev);
    }
    r->end_ns = r->now; /* drained: the window ends with the last departure */
}

void
sim_replicate(const struct sim_config *c, uint64_t seed, uint64_t rep, struct sim_rep *out,
              struct sim_hist *hist)
{
    struct rep r = {.c = c};
    sim_evl_init(&r.evl);
    r.warm_ns = ns_round(c->warmup_s * 1e9);
    r.end_ns = ns_round(c->duration_s * 1e9);
    for (size_t i = 0; i < c->nwl; i++) { /* keep the caller's series */
        struct sim_series *keep = out->wl[i].series;
        memset(&out->wl[i], 0, sizeof out->wl[i]);
        out->wl[i].series = keep;
    }
    if (c->nvm && !out->vm)
        out->vm = ks_xcalloc(c->nvm, sizeof *out->vm);
    if (c->nvm)
        memset(out->vm, 0, c->nvm * sizeof *out->vm);
    rep_setup_res(&r);
    if (c->iommu.enabled) {
        sim_iotlb_init(&r.tlb, c->iommu.entries, c->iommu.ways);
        r.nfq = (size_t)c->cores;
        for (size_t v = 0; v < c->nvm; v++)
            r.nfq += (size_t)c->vm[v].vcpus;
        r.fq = ks_xcalloc(r.nfq, sizeof *r.fq);
        if (sim_iommu_any_deferred(c) && c->iommu.timeout_ms > 0) {
            r.flush.kind = EV_FLUSH;
            sim_evl_push(&r.evl, &r.flush, ns_round(c->iommu.timeout_ms * 1e6));
        }
    }
    if (r.warm_ns > 0) {
        r.warm.kind = EV_WARM;
        sim_evl_push(&r.evl, &r.warm, r.warm_ns);
    }
    rep_setup_wl(&r, seed, rep, out);
    if (c->nvm)
        sim_sched_setup(&r, seed, rep, out);
    rep_loop(&r);
    if (!c->drain)
        r.now = r.end_ns;
    out->events = r.events;
    rep_finish(&r, out, hist);
    rep_free(&r);
}
