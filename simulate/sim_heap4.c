/*
 * sim_heap4: the 4-ary implicit heap of sim_evl.h.
 *
 * Four children per node halve the depth of a binary heap; the four children share a
 * cache line or two, so a sift-down costs about as many misses as a binary one while
 * doing half the levels. Holes are moved instead of swapping (one store per level).
 */
#include "simulate/sim_evl.h"

#include <stdlib.h>

#include "core/ks_util.h"

/* a before b: earlier time, or same time and pushed earlier. */
static inline int
slot_less(const struct sim_heap4_slot *a, const struct sim_heap4_slot *b)
{
    return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

void
sim_heap4_init(struct sim_heap4 *h)
{
    h->a = NULL;
    h->n = h->cap = 0;
    h->seq = 0;
}

void
sim_heap4_fini(struct sim_heap4 *h)
{
    free(h->a);
    sim_heap4_init(h);
}

void
sim_heap4_push(struct sim_heap4 *h, struct sim_ev *ev, uint64_t t_ns)
{
    if (h->n == h->cap)
        h->a = ks_xgrow(h->a, &h->cap, h->n + 1, sizeof *h->a);
    ev->t_ns = t_ns;
    ev->seq = h->seq++;
    struct sim_heap4_slot s = {t_ns, ev->seq, ev};
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) >> 2;
        if (!slot_less(&s, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = s;
}

/* Index of the smallest of the up-to-four children starting at c (c < n). */
static inline size_t
min_child(const struct sim_heap4_slot *a, size_t c, size_t n)
{
    size_t m = c, end = c + 4 < n ? c + 4 : n;
    for (size_t k = c + 1; k < end; k++)
        if (slot_less(&a[k], &a[m]))
            m = k;
    return m;
}

struct sim_ev *
sim_heap4_pop(struct sim_heap4 *h)
{
    if (h->n == 0)
        return NULL;
    struct sim_ev *top = h->a[0].ev;
    struct sim_heap4_slot last = h->a[--h->n];
    size_t i = 0, n = h->n;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t m = min_child(h->a, c, n);
        if (!slot_less(&h->a[m], &last))
            break;
        h->a[i] = h->a[m];
        i = m;
    }
    if (n > 0)
        h->a[i] = last;
    return top;
}
