/*
 * sim_sched: the VMs' compute load and the host's scheduler (sim_sched.h).
 *
 * The host's cores run I/O steps, backend threads and vCPU compute from one run queue
 * (resource 0). A compute burst holds a core for at most one slice, then goes to the
 * tail of the compute queue: round robin, the discrete form of CFS's fair share (every
 * runnable thread gets an equal share of the cores over a scheduling period). I/O steps
 * are short work of threads that just woke (a vCPU taking an interrupt, vhost, the host
 * stack); CFS places a woken thread at the left of its tree (sleeper credit) and EEVDF
 * gives a short request an early deadline, so they run next: here I/O steps wait only
 * for each other and for running slices to end, never behind queued compute. What is
 * not modelled: preemption of a running slice, priorities and cgroup weights, per-core
 * queues and migration (one global queue is perfect load balancing), SMT,
 * halt-polling, cache effects.
 */
#include "simulate/sim_sched.h"

/* res_acquire (sim_rep.h) for a compute slice on the cores: it waits in the low queue,
 * behind every I/O step (see the comment at the top of this file). */
static int
res_acquire_low(struct rep *r, struct res *s, struct job *j)
{
    if (s->busy < s->servers)
        return res_acquire(r, s, j); /* takes the free server */
    enqueue(&s->lh, &s->lt, j);
    return 0;
}

/* The part of [since, now] inside the statistics window. */
static inline double
window_part(const struct rep *r, uint64_t since_ns)
{
    uint64_t from = since_ns > r->warm_ns ? since_ns : r->warm_ns;
    return r->now > from ? (double)(r->now - from) : 0;
}

/* Move a burst on: phase 0 waits for a vCPU thread, 1 for a core, 2 runs a slice. */
void
sim_sched_advance(struct rep *r, struct job *j)
{
    struct vmrt *v = &r->vm[-1 - j->wl];
    if (j->phase == 0) {
        j->phase = 1;
        if (!res_acquire(r, &v->thr, j))
            return;
    }
    if (j->phase == 1) {
        j->phase = 2;
        j->since_ns = r->now;
        if (!res_acquire_low(r, &r->res[0], j))
            return;
    }
    v->out->ready_ns += window_part(r, j->since_ns);
    double d = fmin(j->left_ns, (double)r->slice_ns);
    uint64_t q = ns_round(d);
    if (q == 0)
        q = 1; /* a burst always runs, so it always leaves */
    j->left_ns -= (double)q;
    j->since_ns = r->now;
    j->ev.kind = EV_SLICE;
    sim_evl_push(&r->evl, &j->ev, r->now + q);
}

/* A slice is over: give the core back (to the head of the run queue), then queue again
 * at the tail, or finish the burst and free its vCPU thread. */
void
sim_sched_slice_end(struct rep *r, struct job *j)
{
    struct vmrt *v = &r->vm[-1 - j->wl];
    v->out->run_ns += window_part(r, j->since_ns);
    sim_rep_release(r, &r->res[0]);
    if (j->left_ns > 0.5) {
        j->phase = 1;
        sim_sched_advance(r, j);
        return;
    }
    sim_rep_release(r, &v->thr);
    v->backlog--;
    sim_rep_job_put(r, j);
}

/* A burst arrives: refused beyond the backlog limit (the guest cannot queue work
 * without bound), and the next one is scheduled. */
void
sim_sched_arrival(struct rep *r, struct vmrt *v)
{
    int vi = (int)(v - r->vm);
    const struct sim_vm *m = &r->c->vm[vi];
    double work = sim_dist_sample(&m->cpu_burst, &v->rng);
    if (in_window(r)) {
        v->out->bursts++;
        v->out->demand_ns += work;
    }
    if (v->backlog < r->c->max_in_system) {
        struct job *j = sim_rep_job_get(r);
        j->wl = -1 - vi;
        j->phase = 0;
        j->left_ns = work;
        v->backlog++;
        sim_sched_advance(r, j);
    } else if (in_window(r)) {
        v->out->dropped++;
    }
    uint64_t next = r->now + ns_round(sim_rng_exp(&v->rng, v->gap_ns));
    if (!r->c->drain || accepting(r, next))
        sim_evl_push(&r->evl, &v->arr, next);
}

/* The VMs' compute streams (only VMs with a load get one). Stream ids after the
 * workloads' (3 per workload), so adding a compute load changes no I/O draw. */
void
sim_sched_setup(struct rep *r, uint64_t seed, uint64_t rep, struct sim_rep *out)
{
    const struct sim_config *c = r->c;
    r->slice_ns = ns_round(c->sched_slice_us * 1e3);
    r->vm = ks_xcalloc(c->nvm, sizeof *r->vm);
    for (size_t i = 0; i < c->nvm; i++) {
        struct vmrt *v = &r->vm[i];
        const struct sim_vm *m = &c->vm[i];
        v->out = &out->vm[i];
        v->thr.servers = m->vcpus;
        if (m->cpu_busy_cores <= 0)
            continue;
        sim_rng_seed(&v->rng, seed, rep, 3 * c->nwl + i);
        v->gap_ns = m->cpu_burst.mean_ns / m->cpu_busy_cores;
        v->arr.kind = EV_BURST;
        sim_evl_push(&r->evl, &v->arr, ns_round(sim_rng_exp(&v->rng, v->gap_ns)));
    }
}
