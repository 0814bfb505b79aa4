/*
 * sim_evl: the future-event list of the simulator, behind one small interface.
 *
 * Events are nodes embedded in the objects they wake (libuv timer style): the list
 * never allocates per event, only when its array of slots grows, so a simulation in
 * steady state does no allocation at all. Ties in time are broken by a sequence number
 * taken at push, so events due at the same nanosecond fire first-in first-out; a run
 * therefore depends only on its seed, never on the list's internal order.
 *
 * Three implementations share the interface: a 4-ary implicit heap (sim_heap4_*), a
 * calendar queue (sim_calq_*, Brown CACM 1988) and a ladder queue (sim_ladq_*, Tang et
 * al. 2005). bench/sim_evbench.c measures them against a plain binary heap on several
 * gap distributions; the ladder queue, the only one at or above the heap on every one,
 * is what the engine uses through the sim_evl_* names below (docs/sim.md).
 */
#ifndef SIM_EVL_H
#define SIM_EVL_H

#include <stddef.h>
#include <stdint.h>

/* An event node: embed it in the object the event belongs to. The owner sets kind;
 * t_ns and seq are set by push. A node may be in the list at most once. */
struct sim_ev {
    uint64_t t_ns;       /* due time, simulation nanoseconds */
    uint64_t seq;        /* push order: FIFO among equal times */
    struct sim_ev *next; /* calendar-queue or ladder chain (unused by the heap) */
    int kind;            /* what to do when it fires; meaning belongs to the owner */
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
    struct sim_ev **b; /* owned: nb bucket heads */
    size_t nb, n;
    uint64_t width_ns; /* bucket width */
    uint64_t last_ns;  /* time of the last pop: no event is earlier */
    size_t cur;        /* bucket of last_ns */
    uint64_t top_ns;   /* end of the current bucket's year slot */
    uint64_t seq;
    size_t pops, steps; /* buckets scanned per pop, to notice a stale width */
};

void sim_calq_init(struct sim_calq *q);
void sim_calq_fini(struct sim_calq *q);
void sim_calq_push(struct sim_calq *q, struct sim_ev *ev, uint64_t t_ns);
struct sim_ev *sim_calq_pop(struct sim_calq *q);

/* ---- ladder queue -------------------------------------------------------------- */

/* Tang, Goh and Thng, "Ladder Queue: An O(1) Priority Queue Structure for Large-Scale
 * Discrete Event Simulation", ACM TOMACS 15(3), 2005. Three tiers: Top, an unsorted
 * chain of the far future; the ladder, up to SIM_LADQ_RUNGS rungs of buckets, each rung
 * splitting one bucket of the rung above; Bottom, a short sorted chain of the nearest
 * events. Bucket widths come from the events actually present, never from an estimate
 * of the gap distribution, which is what makes it robust to any gap distribution. */
#define SIM_LADQ_RUNGS 8

struct sim_ladq_rung {
    struct sim_ev **b; /* owned: cap bucket heads, nb in use; unsorted chains */
    size_t nb, cap;
    size_t cur; /* first bucket not yet taken down */
    size_t n;   /* events in this rung */
    uint64_t start_ns, width_ns;
};

/* A sorted run of a chain: head .. tail, tail->next == NULL. */
struct sim_ladq_run {
    struct sim_ev *head, *tail;
};

struct sim_ladq {
    /* Top is an array of pointers, not a chain: turning it into rung 0 then reads the
     * array in order and the events' times as independent loads, where a chain would
     * be a walk of dependent cache misses through the whole far future. */
    struct sim_ev **top; /* owned: ntop of topcap, unsorted; every event due at or
                          * after top_start_ns */
    size_t ntop, topcap;
    uint64_t top_start_ns, top_min_ns, top_max_ns;
    struct sim_ladq_rung rung[SIM_LADQ_RUNGS];
    int nrung;
    struct sim_ev *bot, *bot_tail; /* sorted by (time, seq): the earliest events */
    size_t nbot, bot_limit;        /* bottom spills into a new rung above bot_limit */
    struct sim_ladq_run *runs;     /* owned: scratch for sorting a bucket into Bottom */
    size_t runcap;
    uint64_t seq;
};

void sim_ladq_init(struct sim_ladq *q);
void sim_ladq_fini(struct sim_ladq *q);
void sim_ladq_push(struct sim_ladq *q, struct sim_ev *ev, uint64_t t_ns);
struct sim_ev *sim_ladq_pop(struct sim_ladq *q);

/* ---- the engine's choice ------------------------------------------------------- */

/* The ladder queue: at or above the binary heap's holds/s for exponential, "camel" and
 * triangular gaps from 10^2 to 10^6 pending events, where the calendar queue fell to a
 * tenth of the heap on camel gaps (docs/sim.md, "Event list"). */
typedef struct sim_ladq sim_evl;
#define sim_evl_init sim_ladq_init
#define sim_evl_fini sim_ladq_fini
#define sim_evl_push sim_ladq_push
#define sim_evl_pop sim_ladq_pop

#endif
