/*
 * sim_evbench: "hold" benchmark of the simulator's event lists against a plain binary
 * heap compiled in the same program (shared/reference.md, "Event-list speed").
 *
 * A hold pops the earliest event and pushes it back at now + Exp(mean 1 ms); the list
 * size stays constant. Increments come from a precomputed table so that the cost of
 * log() does not hide the lists' own cost. Usage: sim_evbench [SIZE ...]; prints one
 * line per list and size: "list,size,holds_per_s,min,max" (best of 3 runs, each of
 * HOLDS holds, after one warm-up pass).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/ks_util.h"
#include "simulate/sim_evl.h"
#include "simulate/sim_rng.h"

#define HOLDS 2000000
#define NINC 65536

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

enum { L_BIN, L_HEAP4, L_CALQ, NLIST };
static const char *const names[NLIST] = {"binary_heap", "heap4", "calendar_queue"};

struct lists {
    struct bheap b;
    struct sim_heap4 h;
    struct sim_calq c;
};

static void
push(struct lists *L, int k, struct sim_ev *e, uint64_t t)
{
    if (k == L_BIN)
        bheap_push(&L->b, e, t);
    else if (k == L_HEAP4)
        sim_heap4_push(&L->h, e, t);
    else
        sim_calq_push(&L->c, e, t);
}

static struct sim_ev *
pop(struct lists *L, int k)
{
    return k == L_BIN ? bheap_pop(&L->b) : k == L_HEAP4 ? sim_heap4_pop(&L->h) : sim_calq_pop(&L->c);
}

/* Holds per second of list k at size n. */
static double
hold_rate(int k, size_t n, const uint64_t *inc, struct sim_ev *ev)
{
    struct lists L = {0};
    L.b.a = ks_xmalloc(n * sizeof *L.b.a);
    sim_heap4_init(&L.h);
    sim_calq_init(&L.c);
    for (size_t i = 0; i < n; i++)
        push(&L, k, &ev[i], inc[i % NINC]);
    /* One untimed pass so the calendar queue settles its bucket width. */
    for (size_t i = 0; i < n; i++) {
        struct sim_ev *e = pop(&L, k);
        push(&L, k, e, e->t_ns + inc[i % NINC]);
    }
    double t0 = ks_mono_s();
    for (size_t i = 0; i < HOLDS; i++) {
        struct sim_ev *e = pop(&L, k);
        push(&L, k, e, e->t_ns + inc[(i * 7) % NINC]);
    }
    double dt = ks_mono_s() - t0;
    free(L.b.a);
    sim_heap4_fini(&L.h);
    sim_calq_fini(&L.c);
    return HOLDS / dt;
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
    struct sim_rng r;
    sim_rng_seed(&r, 2026, 0, 0);
    for (int i = 0; i < NINC; i++)
        inc[i] = (uint64_t)(sim_rng_exp(&r, 1e6) + 0.5);
    for (int s = 0; s < nsizes; s++) {
        struct sim_ev *ev = ks_xcalloc(sizes[s], sizeof *ev);
        for (int k = 0; k < NLIST; k++) {
            double best = 0, worst = 1e300;
            for (int run = 0; run < 3; run++) {
                double v = hold_rate(k, sizes[s], inc, ev);
                best = v > best ? v : best;
                worst = v < worst ? v : worst;
            }
            printf("%s,%zu,%.0f,%.0f,%.0f\n", names[k], sizes[s], best, worst, best);
        }
        free(ev);
    }
    free(inc);
    return 0;
}
