/*
 * sim_ladq: the ladder queue of sim_evl.h (W. T. Tang, R. S. M. Goh, I. L.-J. Thng,
 * ACM TOMACS 15(3), 2005).
 *
 * Order of the tiers: every Bottom event < every event of the deepest rung < ... < every
 * event of rung 0 < every Top event. A push goes to Top when due at or after
 * top_start_ns (O(1), unsorted), else to the first rung whose current bucket starts at or
 * before it (O(1), unsorted bucket), else into the sorted Bottom. A pop takes Bottom's
 * head; when Bottom is empty it refills: Top becomes rung 0 (width = span / count, so
 * about one event per bucket whatever the distribution), and the first non-empty bucket
 * of the deepest rung is either split into a new rung below (more than LADQ_THRES events)
 * or sorted into Bottom. Each event is moved a bounded number of times: O(1) amortized.
 *
 * Rung x (x > 0) covers the one bucket of rung x - 1 it was split from, which that rung
 * has already passed, so the rungs' ranges nest without overlapping. Ties in time are
 * ordered by sequence number where it matters: Bottom is sorted by (time, seq), and
 * everything else is unsorted and only ever sorted into Bottom. Events due at the same
 * nanosecond cannot be split into buckets; they are sorted into Bottom together, and a
 * push at or after Bottom's tail appends in O(1).
 *
 * Departures from the paper, for the cache (docs/sim.md, "Event list"): Top is an array
 * of pointers, not a chain, so building rung 0 reads the events' times as independent
 * loads; a bucket is cut into its ordered runs in the one walk that also counts it (its
 * events are usually cold: a walk is a chain of dependent misses), then merged or
 * spread over a new rung without walking the cold chain again.
 *
 * Limits: times near UINT64_MAX (above 2^63) could overflow a rung's end; simulation
 * time never comes close.
 */
#include "simulate/sim_evl.h"

#include <stdlib.h>
#include <string.h>

#include "core/ks_util.h"

#define LADQ_THRES 50       /* a bucket with more events is split into a new rung */
#define LADQ_BOTTOM_MIN 256 /* Bottom may hold this many before spilling into a rung */

static inline int
ev_less(const struct sim_ev *a, const struct sim_ev *b)
{
    return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

void
sim_ladq_init(struct sim_ladq *q)
{
    memset(q, 0, sizeof *q);
    q->bot_limit = LADQ_BOTTOM_MIN;
}

void
sim_ladq_fini(struct sim_ladq *q)
{
    for (int x = 0; x < SIM_LADQ_RUNGS; x++)
        free(q->rung[x].b);
    free(q->top);
    free(q->runs);
    sim_ladq_init(q);
}

/* Start time of rung r's current bucket: everything in r is due at or after it. */
static inline uint64_t
rung_cur_ns(const struct sim_ladq_rung *r)
{
    return r->start_ns + r->cur * r->width_ns;
}

/* ---- sorting into Bottom ---------------------------------------------------------- */

/* The longest run at the head of *list, taken off it and returned in ascending order
 * with its last event in *tail and its length added to *n: ascending as it stands, or
 * strictly descending and reversed (keys are unique, so the reversal keeps the order
 * stable). A bucket's chain is built by pushing at its head, so events due at one time
 * lie in descending push order: one run. */
static struct sim_ev *
take_run(struct sim_ev **list, struct sim_ev **tail, size_t *n)
{
    struct sim_ev *head = *list, *t = head;
    size_t k = 1;
    if (t->next && ev_less(t->next, t)) {
        struct sim_ev *rev = NULL;
        do {
            struct sim_ev *nx = t->next;
            t->next = rev;
            rev = t;
            t = nx;
            k++;
        } while (t->next && ev_less(t->next, t));
        /* t, the run's last event, is never NULL: each step checked t->next first */
        *list = t->next;
        t->next = rev;
        *tail = head;
        *n += k;
        return t;
    }
    while (t->next && !ev_less(t->next, t)) {
        t = t->next;
        k++;
    }
    *list = t->next;
    t->next = NULL;
    *tail = t;
    *n += k;
    return head;
}

/* Merge of two sorted runs; the later of the two tails is the result's. */
static struct sim_ladq_run
merge(struct sim_ladq_run a, struct sim_ladq_run b)
{
    struct sim_ladq_run out = {NULL, ev_less(a.tail, b.tail) ? b.tail : a.tail};
    struct sim_ev head, *t = &head, *x = a.head, *y = b.head;
    while (x && y) {
        if (ev_less(y, x)) {
            t->next = y;
            y = y->next;
        } else {
            t->next = x;
            x = x->next;
        }
        t = t->next;
    }
    t->next = x ? x : y;
    out.head = head.next;
    return out;
}

/* Cut the chain into its ordered runs (q->runs, their count returned), counting its
 * events into *n and its earliest and latest times into *lo_ns and *hi_ns. This is the
 * one walk through events that may be cold in the cache: what follows (merging the
 * runs into Bottom, or spreading them over a new rung) reads events it just touched. */
static size_t
cut_runs(struct sim_ladq *q, struct sim_ev *list, size_t *n, uint64_t *lo_ns, uint64_t *hi_ns)
{
    size_t nr = 0;
    *n = 0;
    *lo_ns = UINT64_MAX;
    *hi_ns = 0;
    while (list) {
        if (nr == q->runcap)
            q->runs = ks_xgrow(q->runs, &q->runcap, nr + 1, sizeof *q->runs);
        struct sim_ladq_run *r = &q->runs[nr++];
        r->head = take_run(&list, &r->tail, n);
        *lo_ns = r->head->t_ns < *lo_ns ? r->head->t_ns : *lo_ns;
        *hi_ns = r->tail->t_ns > *hi_ns ? r->tail->t_ns : *hi_ns;
    }
    return nr;
}

/* The nr runs of q->runs as one chain, in no particular order (for a new rung). */
static struct sim_ev *
join_runs(const struct sim_ladq *q, size_t nr)
{
    for (size_t i = 0; i + 1 < nr; i++)
        q->runs[i].tail->next = q->runs[i + 1].head;
    return q->runs[0].head;
}

/* Bottom (empty) becomes the sorted chain head .. tail of n events. A Bottom filled
 * with many events may grow to twice that before it spills again (see bottom_spill). */
static void
bottom_set(struct sim_ladq *q, struct sim_ev *head, struct sim_ev *tail, size_t n)
{
    q->bot = head;
    q->bot_tail = tail;
    q->nbot = n;
    q->bot_limit = 2 * n > LADQ_BOTTOM_MIN ? 2 * n : LADQ_BOTTOM_MIN;
}

/* Bottom (empty) takes the nr runs of q->runs of n events: merged pairwise, pass after
 * pass, O(n log nr) (O(n) for a bucket of ties). */
static void
bottom_merge(struct sim_ladq *q, size_t nr, size_t n)
{
    struct sim_ladq_run *r = q->runs;
    while (nr > 1) {
        size_t k = 0;
        for (size_t i = 0; i < nr; i += 2)
            r[k++] = i + 1 < nr ? merge(r[i], r[i + 1]) : r[i];
        nr = k;
    }
    bottom_set(q, r[0].head, r[0].tail, n);
}

/* ---- rungs ------------------------------------------------------------------------ */

/* Rung x, emptied, gets buckets for n events in [lo_ns, end_ns): about one event per
 * bucket when they are spread evenly, and never more than n + 1 buckets. */
static struct sim_ladq_rung *
rung_setup(struct sim_ladq *q, int x, size_t n, uint64_t lo_ns, uint64_t end_ns)
{
    struct sim_ladq_rung *r = &q->rung[x];
    uint64_t span = end_ns - lo_ns;
    r->width_ns = span / n + 1;
    r->nb = (size_t)(span / r->width_ns) + 1;
    if (r->nb > r->cap) {
        free(r->b);
        r->cap = r->nb;
        r->b = ks_xmalloc(r->cap * sizeof *r->b);
    }
    memset(r->b, 0, r->nb * sizeof *r->b);
    r->start_ns = lo_ns;
    r->cur = 0;
    r->n = n;
    q->nrung = x + 1;
    return r;
}

static inline void
rung_put(struct sim_ladq_rung *r, struct sim_ev *ev)
{
    struct sim_ev **b = &r->b[(ev->t_ns - r->start_ns) / r->width_ns];
    ev->next = *b;
    *b = ev;
}

/* Rung x takes the chain of n events, all in [lo_ns, end_ns). */
static void
rung_spawn(struct sim_ladq *q, int x, struct sim_ev *list, size_t n, uint64_t lo_ns,
           uint64_t end_ns)
{
    struct sim_ladq_rung *r = rung_setup(q, x, n, lo_ns, end_ns);
    while (list) {
        struct sim_ev *nx = list->next;
        rung_put(r, list);
        list = nx;
    }
}

/* Bottom grew past its limit (pushes landing before the deepest rung's current bucket):
 * it becomes a new rung below the others, so inserts stay cheap. Events due at one and
 * the same time cannot be spread; they stay (pushes at the tail append in O(1)). */
static void
bottom_spill(struct sim_ladq *q)
{
    if (q->nrung == SIM_LADQ_RUNGS || q->bot->t_ns == q->bot_tail->t_ns)
        return;
    uint64_t end = q->nrung ? rung_cur_ns(&q->rung[q->nrung - 1]) : q->top_start_ns;
    struct sim_ev *list = q->bot;
    size_t n = q->nbot;
    q->bot = q->bot_tail = NULL;
    q->nbot = 0;
    q->bot_limit = LADQ_BOTTOM_MIN;
    rung_spawn(q, q->nrung, list, n, list->t_ns, end);
}

static void
bottom_insert(struct sim_ladq *q, struct sim_ev *ev)
{
    ev->next = NULL;
    q->nbot++;
    if (!q->bot) {
        q->bot = q->bot_tail = ev;
        return;
    }
    if (!ev_less(ev, q->bot_tail)) { /* the common case for equal times: append */
        q->bot_tail->next = ev;
        q->bot_tail = ev;
        return;
    }
    struct sim_ev **pp = &q->bot;
    while (!ev_less(ev, *pp))
        pp = &(*pp)->next;
    ev->next = *pp;
    *pp = ev;
    if (q->nbot > q->bot_limit)
        bottom_spill(q);
}

void
sim_ladq_push(struct sim_ladq *q, struct sim_ev *ev, uint64_t t_ns)
{
    ev->t_ns = t_ns;
    ev->seq = q->seq++;
    if (t_ns >= q->top_start_ns) {
        if (q->ntop == 0 || t_ns < q->top_min_ns)
            q->top_min_ns = t_ns;
        if (q->ntop == 0 || t_ns > q->top_max_ns)
            q->top_max_ns = t_ns;
        if (q->ntop == q->topcap)
            q->top = ks_xgrow(q->top, &q->topcap, q->ntop + 1, sizeof *q->top);
        q->top[q->ntop++] = ev;
        return;
    }
    for (int x = 0; x < q->nrung; x++) {
        struct sim_ladq_rung *r = &q->rung[x];
        if (t_ns >= rung_cur_ns(r)) {
            struct sim_ev **b = &r->b[(t_ns - r->start_ns) / r->width_ns];
            ev->next = *b;
            *b = ev;
            r->n++;
            return;
        }
    }
    bottom_insert(q, ev);
}

/* Top (non-empty) becomes rung 0, or Bottom when all its events are due at once. */
static void
top_down(struct sim_ladq *q)
{
    size_t n = q->ntop;
    q->ntop = 0;
    if (q->top_min_ns == q->top_max_ns) {
        /* all due at once, in push order: already sorted */
        for (size_t i = 0; i + 1 < n; i++)
            q->top[i]->next = q->top[i + 1];
        q->top[n - 1]->next = NULL;
        q->top_start_ns = q->top_max_ns + 1;
        bottom_set(q, q->top[0], q->top[n - 1], n);
        return;
    }
    struct sim_ladq_rung *r = rung_setup(q, 0, n, q->top_min_ns, q->top_max_ns + 1);
    for (size_t i = 0; i < n; i++)
        rung_put(r, q->top[i]);
    q->top_start_ns = r->start_ns + r->nb * r->width_ns;
}

/* Bottom is empty: bring the next bucket down. 0 when the queue is empty. Kept out of
 * line: inlined, it made every pop save and restore the registers it needs, though
 * few pops refill (callgrind, bench_10k.ini: 5 instructions per event). */
static __attribute__((noinline)) int
refill(struct sim_ladq *q)
{
    for (;;) {
        if (q->nrung == 0) {
            if (q->ntop == 0)
                return 0;
            top_down(q);
            if (q->bot)
                return 1;
        }
        struct sim_ladq_rung *r = &q->rung[q->nrung - 1];
        if (r->n == 0) {
            q->nrung--;
            continue;
        }
        while (!r->b[r->cur])
            r->cur++;
        struct sim_ev *list = r->b[r->cur];
        r->b[r->cur] = NULL;
        if (!list->next) { /* the usual bucket: one event (width = span / count) */
            r->n--;
            r->cur++;
            bottom_set(q, list, list, 1);
            return 1;
        }
        uint64_t lo, hi, bend = rung_cur_ns(r) + r->width_ns;
        size_t n, nr = cut_runs(q, list, &n, &lo, &hi);
        r->n -= n;
        r->cur++;
        if (n > LADQ_THRES && hi > lo && q->nrung < SIM_LADQ_RUNGS) {
            rung_spawn(q, q->nrung, join_runs(q, nr), n, lo, bend);
            continue;
        }
        bottom_merge(q, nr, n);
        return 1;
    }
}

struct sim_ev *
sim_ladq_pop(struct sim_ladq *q)
{
    if (!q->bot && !refill(q))
        return NULL;
    struct sim_ev *ev = q->bot;
    q->bot = ev->next;
    if (!q->bot)
        q->bot_tail = NULL;
    q->nbot--;
    return ev;
}
