/*
 * sim_evbench: "hold" benchmark of the simulator's event lists against a plain binary
 * heap compiled in the same program (shared/reference.md, "Event-list speed").
 *
 * A hold pops the earliest event and pushes it back at now + an increment; the list
 * size stays constant. Increments come from a precomputed table so that the cost of
 * drawing them does not hide the lists' own cost. Three increment distributions:
 *   exp        Exp(mean 1 ms), the classic hold model;
 *   camel      90% uniform on [0, 200] ns, 10% uniform on [0.9, 1.1] s: two humps eight
 *              decades apart (the gap mix of nanosecond CPU steps and second-long
 *              timers), which defeats any list that estimates one bucket width;
 *   triangular density rising linearly on [0, 1.5 ms] (x = 1.5 ms sqrt(u), mean 1 ms).
 * Usage: sim_evbench [SIZE ...]; prints one line per list, distribution and size:
 * "list,dist,size,best_holds_per_s,worst_holds_per_s" (best and worst of 3 runs, each of
 * HOLDS holds or MAX_RUN_S seconds, after one untimed pass over the whole list).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/ks_util.h"
#include "simulate/sim_evl.h"
#include "simulate/sim_rng.h"

#define HOLDS 1000000
#define NINC 65536
#define MAX_RUN_S 3.0

/* ---- the baseline: a textbook binary heap of (time, seq, pointer) ------------------ */

struct bslot {
    uint64_t t, seq;
    struct sim_ev *ev;
};

struct bheap {
    struct bslot *a;
    size_t n;
    uint64_t seq;
};

static int
bless(const struct bslot *x, const struct bslot *y)
{
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void
bheap_push(struct bheap *h, struct sim_ev *ev, uint64_t t)
{
    size_t i = h->n++;
    struct bslot s = {t, h->seq++, ev};
    ev->t_ns = t;
    while (i > 0 && bless(&s, &h->a[(i - 1) / 2])) {
        h->a[i] = h->a[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->a[i] = s;
}

static struct sim_ev *
bheap_pop(struct bheap *h)
{
    struct sim_ev *top = h->a[0].ev;
    struct bslot last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && bless(&h->a[c + 1], &h->a[c]))
            c++;
        if (!bless(&h->a[c], &last))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    h->a[i] = last;
    return top;
}

/* ---- the runs --------------------------------------------------------------------- */

enum { L_BIN, L_HEAP4, L_CALQ, L_LADQ, NLIST };
static const char *const names[NLIST] = {"binary_heap", "heap4", "calendar_queue",
                                         "ladder_queue"};

struct lists {
    struct bheap b;
    struct sim_heap4 h;
    struct sim_calq c;
    struct sim_ladq l;
};

static void
push(struct lists *L, int k, struct sim_ev *e, uint64_t t)
{
    if (k == L_BIN)
        bheap_push(&L->b, e, t);
    else if (k == L_HEAP4)
        sim_heap4_push(&L->h, e, t);
    else if (k == L_CALQ)
        sim_calq_push(&L->c, e, t);
    else
        sim_ladq_push(&L->l, e, t);
}

static struct sim_ev *
pop(struct lists *L, int k)
{
    switch (k) {
    case L_BIN:
        return bheap_pop(&L->b);
    case L_HEAP4:
        return sim_heap4_pop(&L->h);
    case L_CALQ:
        return sim_calq_pop(&L->c);
    default:
        return sim_ladq_pop(&L->l);
    }
}

static void
lists_fini(struct lists *L)
{
    free(L->b.a);
    sim_heap4_fini(&L->h);
    sim_calq_fini(&L->c);
    sim_ladq_fini(&L->l);
}

/* Holds per second of list k at size n. */
static double
hold_rate(int k, size_t n, const uint64_t *inc, struct sim_ev *ev)
{
    struct lists L = {0};
    L.b.a = ks_xmalloc(n * sizeof *L.b.a);
    sim_heap4_init(&L.h);
    sim_calq_init(&L.c);
    sim_ladq_init(&L.l);
    /* Filling can take hours as well (the calendar queue's sorted buckets on camel gaps
     * at 10^6): a list that has not filled in 10 x MAX_RUN_S reports 0 holds/s. */
    double f0 = ks_mono_s();
    for (size_t i = 0; i < n; i++) {
        push(&L, k, &ev[i], inc[i % NINC]);
        if (i % 4096 == 4095 && ks_mono_s() - f0 > 10 * MAX_RUN_S) {
            lists_fini(&L);
            return 0;
        }
    }
    /* One untimed pass so the calendar queue settles its bucket width (cut at MAX_RUN_S:
     * on camel gaps at 10^6 it would take an hour). */
    double w0 = ks_mono_s();
    for (size_t i = 0; i < n; i++) {
        struct sim_ev *e = pop(&L, k);
        push(&L, k, e, e->t_ns + inc[i % NINC]);
        if (i % 4096 == 4095 && ks_mono_s() - w0 > MAX_RUN_S)
            break;
    }
    /* A list that degrades (the calendar queue on camel gaps: ~10^4 holds/s) would take
     * hours for HOLDS: a run stops after MAX_RUN_S, its rate from the holds done. */
    double t0 = ks_mono_s(), dt = 0;
    size_t i = 0;
    while (i < HOLDS) {
        for (size_t end = i + 4096; i < end; i++) {
            struct sim_ev *e = pop(&L, k);
            push(&L, k, e, e->t_ns + inc[(i * 7) % NINC]);
        }
        if ((dt = ks_mono_s() - t0) > MAX_RUN_S)
            break;
    }
    lists_fini(&L);
    return (double)i / dt;
}

enum { D_EXP, D_CAMEL, D_TRI, NDIST };
static const char *const dists[NDIST] = {"exp", "camel", "triangular"};

/* The increment table of distribution d, ns. */
static void
fill_increments(int d, uint64_t *inc)
{
    struct sim_rng r;
    sim_rng_seed(&r, 2026, 0, (uint64_t)d);
    for (int i = 0; i < NINC; i++) {
        double u = sim_rng_unif(&r), x;
        if (d == D_EXP)
            x = sim_rng_exp(&r, 1e6);
        else if (d == D_CAMEL)
            x = u < 0.9 ? sim_rng_unif(&r) * 200 : 0.9e9 + sim_rng_unif(&r) * 0.2e9;
        else
            x = 1.5e6 * sqrt(u);
        inc[i] = (uint64_t)(x + 0.5);
    }
}

int
main(int argc, char **argv)
{
    size_t sizes[16] = {100, 10000, 100000};
    int nsizes = 3;
    if (argc > 1) {
        nsizes = 0;
        for (int i = 1; i < argc && nsizes < 16; i++)
            sizes[nsizes++] = (size_t)strtoull(argv[i], NULL, 10);
    }
    uint64_t *inc = ks_xmalloc(NINC * sizeof *inc);
    for (int d = 0; d < NDIST; d++) {
        fill_increments(d, inc);
        for (int s = 0; s < nsizes; s++) {
            struct sim_ev *ev = ks_xcalloc(sizes[s], sizeof *ev);
            for (int k = 0; k < NLIST; k++) {
                double best = 0, worst = 1e300;
                for (int run = 0; run < 3; run++) {
                    double v = hold_rate(k, sizes[s], inc, ev);
                    best = v > best ? v : best;
                    worst = v < worst ? v : worst;
                    if (v == 0)
                        break; /* did not fill: no point in waiting twice more */
                }
                printf("%s,%s,%zu,%.0f,%.0f\n", names[k], dists[d], sizes[s], best, worst);
                fflush(stdout);
            }
            free(ev);
        }
    }
    free(inc);
    return 0;
}
