/*
 * sim_calq: the calendar queue of sim_evl.h (R. Brown, CACM 31(10), 1988).
 *
 * The time axis is cut into nb buckets of width_ns, wrapping every nb * width_ns (a
 * "year"). An event goes into bucket (t / width) mod nb, kept sorted by (t, seq). Pop
 * scans from the current bucket for an event due within that bucket's slot of the
 * current year; after a whole year without one it falls back to a direct search. The
 * bucket count doubles above 2 events per bucket and halves below 1/2, and the width is
 * re-estimated at each resize from the mean gap of the next 25 events (3 x the gap,
 * ignoring gaps above twice the mean), as Brown proposes.
 */
#include "simulate/sim_evl.h"

#include <stdlib.h>

#include "core/ks_util.h"

#define CALQ_MIN_BUCKETS 16
#define CALQ_SAMPLE 25
#define CALQ_CHECK_POPS 1024

static inline int
ev_less(const struct sim_ev *a, const struct sim_ev *b)
{
    return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

static void
calq_setup(struct sim_calq *q, size_t nb, uint64_t width_ns, uint64_t start_ns)
{
    q->b = ks_xcalloc(nb, sizeof *q->b);
    q->nb = nb;
    q->width_ns = width_ns ? width_ns : 1;
    q->last_ns = start_ns;
    q->cur = (size_t)((start_ns / q->width_ns) & (nb - 1));
    q->top_ns = (start_ns / q->width_ns + 1) * q->width_ns;
}

void
sim_calq_init(struct sim_calq *q)
{
    q->n = 0;
    q->seq = 0;
    q->pops = q->steps = 0;
    calq_setup(q, CALQ_MIN_BUCKETS, 1000, 0);
}

void
sim_calq_fini(struct sim_calq *q)
{
    free(q->b);
    q->b = NULL;
    q->nb = q->n = 0;
}

/* Sorted insert into its bucket; no resize. */
static void
calq_insert(struct sim_calq *q, struct sim_ev *ev)
{
    struct sim_ev **pp = &q->b[(ev->t_ns / q->width_ns) & (q->nb - 1)];
    while (*pp && !ev_less(ev, *pp))
        pp = &(*pp)->next;
    ev->next = *pp;
    *pp = ev;
    q->n++;
}

/* Remove the head of bucket i and make its time the current position. */
static struct sim_ev *
calq_take(struct sim_calq *q, size_t i)
{
    struct sim_ev *ev = q->b[i];
    q->b[i] = ev->next;
    q->n--;
    q->cur = i;
    q->last_ns = ev->t_ns;
    q->top_ns = (ev->t_ns / q->width_ns + 1) * q->width_ns;
    return ev;
}

/* Pop without resizing. */
static struct sim_ev *
calq_pop_raw(struct sim_calq *q)
{
    if (q->n == 0)
        return NULL;
    for (size_t k = 0; k < q->nb; k++) {
        struct sim_ev *h = q->b[q->cur];
        if (h && h->t_ns < q->top_ns) {
            q->steps += k;
            return calq_take(q, q->cur);
        }
        q->cur = (q->cur + 1) & (q->nb - 1);
        q->top_ns += q->width_ns;
    }
    /* A whole year was empty: jump straight to the earliest head. */
    q->steps += 2 * q->nb;
    size_t best = q->nb;
    for (size_t i = 0; i < q->nb; i++)
        if (q->b[i] && (best == q->nb || ev_less(q->b[i], q->b[best])))
            best = i;
    return calq_take(q, best);
}

/* 3 x the mean gap among the next events, outliers (> 2 x mean) dropped. */
static uint64_t
calq_width_from(struct sim_ev **s, size_t k, uint64_t fallback)
{
    if (k < 2)
        return fallback;
    double mean = (double)(s[k - 1]->t_ns - s[0]->t_ns) / (double)(k - 1);
    double sum = 0;
    size_t m = 0;
    for (size_t i = 1; i < k; i++) {
        double g = (double)(s[i]->t_ns - s[i - 1]->t_ns);
        if (g <= 2 * mean) {
            sum += g;
            m++;
        }
    }
    double w = m && sum > 0 ? 3 * sum / (double)m : 3 * mean;
    return w >= 1 ? (uint64_t)w : 1;
}

static void
calq_resize(struct sim_calq *q, size_t nb)
{
    struct sim_ev *s[CALQ_SAMPLE];
    size_t k = 0;
    while (k < CALQ_SAMPLE && q->n > 0)
        s[k++] = calq_pop_raw(q);
    uint64_t width = calq_width_from(s, k, q->width_ns);
    uint64_t start = k ? s[0]->t_ns : q->last_ns;
    struct sim_ev **old = q->b;
    size_t oldnb = q->nb;
    calq_setup(q, nb, width, start);
    q->n = 0;
    for (size_t i = 0; i < oldnb; i++)
        for (struct sim_ev *e = old[i], *nx; e; e = nx) {
            nx = e->next;
            calq_insert(q, e);
        }
    free(old);
    for (size_t i = 0; i < k; i++)
        calq_insert(q, s[i]);
}

void
sim_calq_push(struct sim_calq *q, struct sim_ev *ev, uint64_t t_ns)
{
    ev->t_ns = t_ns;
    ev->seq = q->seq++;
    if (t_ns < q->last_ns) {
        /* Never earlier than now in a DES, but keep the scan correct if it happens. */
        q->last_ns = t_ns;
        q->cur = (size_t)((t_ns / q->width_ns) & (q->nb - 1));
        q->top_ns = (t_ns / q->width_ns + 1) * q->width_ns;
    }
    calq_insert(q, ev);
    if (q->n > 2 * q->nb)
        calq_resize(q, 2 * q->nb);
}

struct sim_ev *
sim_calq_pop(struct sim_calq *q)
{
    struct sim_ev *ev = calq_pop_raw(q);
    if (ev && q->nb > CALQ_MIN_BUCKETS && q->n < q->nb / 2) {
        calq_resize(q, q->nb / 2);
    } else if (++q->pops == CALQ_CHECK_POPS) {
        /* Brown re-estimates the width only when the bucket count changes; a list
         * whose size is stable but whose gaps drift (a model mixing nanosecond CPU
         * steps with millisecond devices) would keep a stale width. Re-estimate when
         * pops have scanned more than 4 buckets on average. */
        if (q->steps > 4 * CALQ_CHECK_POPS)
            calq_resize(q, q->nb);
        q->pops = q->steps = 0;
    }
    return ev;
}
