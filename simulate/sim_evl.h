/*
 * sim_evl: the future-event list of the simulator, behind one small interface.
 *
 * Events are nodes embedded in the objects they wake (libuv timer style): the list
 * never allocates per event, only when its array of slots grows, so a simulation in
 * steady state does no allocation at all. Ties in time are broken by a sequence number
 * taken at push, so events due at the same nanosecond fire first-in first-out; a run
 * therefore depends only on its seed, never on the list's internal order.
 *
 * Two implementations share the interface: a 4-ary implicit heap (sim_heap4_*) and a
 * calendar queue (sim_calq_*, Brown CACM 1988). bench/sim_evbench.c measures both
 * against a plain binary heap; the faster at 10^4 pending events (the calendar queue)
 * is the one the engine uses through the sim_evl_* names below (docs/sim.md).
 */
#ifndef SIM_EVL_H
#define SIM_EVL_H

#include <stddef.h>
#include <stdint.h>

/* An event node: embed it in the object the event belongs to. The owner sets kind;
 * t_ns and seq are set by push. A node may be in the list at most once. */
struct sim_ev {
    uint64_t t_ns;  /* due time, simulation nanoseconds */
    uint64_t seq;   /* push order: FIFO among equal times */
    struct sim_ev *next; /* calendar-queue bucket chain (unused by the heap) */
    int kind;       /* what to do when it fires; meaning belongs to the owner */
};

/* ---- 4-ary heap ---------------------------------------------------------------- */

/* A slot copies the key next to the pointer so sifting compares without a cache miss
 * into the node. */
struct sim_heap4_slot {
    uint64_t t_ns, seq;
    struct sim_ev *ev;
};

struct sim_heap4 {
    struct sim_heap4_slot *a; /* owned; a[0] is the minimum */
    size_t n, cap;
    uint64_t seq;
};

void sim_heap4_init(struct sim_heap4 *h);
void sim_heap4_fini(struct sim_heap4 *h);
void sim_heap4_push(struct sim_heap4 *h, struct sim_ev *ev, uint64_t t_ns);
/* The earliest event, removed; NULL when empty. */
struct sim_ev *sim_heap4_pop(struct sim_heap4 *h);

/* ---- calendar queue ------------------------------------------------------------ */

/* Buckets of width w ns hold sorted chains; the bucket count doubles or halves with the
 * event count and the width is re-estimated from a sample of inter-event gaps at each
 * resize (Brown 1988). O(1) amortized when gaps are stable. */
struct sim_calq {
    struct sim_ev **b;  /* owned: nb bucket heads */
    size_t nb, n;
    uint64_t width_ns;  /* bucket width */
    uint64_t last_ns;   /* time of the last pop: no event is earlier */
    size_t cur;         /* bucket of last_ns */
    uint64_t top_ns;    /* end of the current bucket's year slot */
    uint64_t seq;
    size_t pops, steps;  /* buckets scanned per pop, to notice a stale width */
};

void sim_calq_init(struct sim_calq *q);
void sim_calq_fini(struct sim_calq *q);
void sim_calq_push(struct sim_calq *q, struct sim_ev *ev, uint64_t t_ns);
struct sim_ev *sim_calq_pop(struct sim_calq *q);

/* ---- the engine's choice ------------------------------------------------------- */

/* The calendar queue: 2.6x the holds/s of the 4-ary heap at 10^4 pending events and
 * 1.8x the engine's events/s there; the heap is ~10% faster only on small lists with
 * mixed time scales (docs/sim.md, "Event list"). */
typedef struct sim_calq sim_evl;
#define sim_evl_init sim_calq_init
#define sim_evl_fini sim_calq_fini
#define sim_evl_push sim_calq_push
#define sim_evl_pop sim_calq_pop

#endif
