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
 * Usage: sim_evbench [--list NAME] [--dist NAME] [--runs N] [--holds N] [--max-s S]
 * [SIZE ...]; prints one line per list, distribution and size:
 * "list,dist,size,best_holds_per_s,worst_holds_per_s,runs": best and worst of --runs
 * runs (default 3), each of --holds holds (default 1 M) or --max-s seconds of wall time
 * (default 3); rates are per second of the process's CPU time (see clock_s),
 * after one untimed pass over the whole list. A list that degrades (did not fill in
 * 10 x max_s, or did under a third of the holds in max_s) is run once: bench/run.sh
 * gives bench_sim.sh 480 s.
 * --list and --dist (repeatable) restrict the runs to the lists and distributions named,
 * so that one case can be run under callgrind (with a --max-s high enough that every
 * list does the same holds).
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ks_util.h"
#include "simulate/sim_evl.h"
#include "simulate/sim_rng.h"

#define NINC 65536

/* Seconds of the process's CPU time: on a machine shared with other jobs, the time
 * this process waited for a core is not the list's cost (single-threaded, so on an
 * idle machine it equals wall time). */
static double
clock_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

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
static const char *const names[NLIST] = {"binary_heap", "heap4", "calendar_queue", "ladder_queue"};

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
hold_rate(int k, size_t n, const uint64_t *inc, struct sim_ev *ev, size_t holds, double max_s,
          int *capped)
{
    struct lists L = {0};
    L.b.a = ks_xmalloc(n * sizeof *L.b.a);
    sim_heap4_init(&L.h);
    sim_calq_init(&L.c);
    sim_ladq_init(&L.l);
    /* Filling can take hours as well (the calendar queue's sorted buckets on camel gaps
     * at 10^6): a list that has not filled in 10 x max_s reports 0 holds/s. */
    double f0 = ks_mono_s();
    for (size_t i = 0; i < n; i++) {
        push(&L, k, &ev[i], inc[i % NINC]);
        if (i % 4096 == 4095 && ks_mono_s() - f0 > 10 * max_s) {
            lists_fini(&L);
            *capped = 1;
            return 0;
        }
    }
    /* One untimed pass so the calendar queue settles its bucket width (cut at max_s:
     * on camel gaps at 10^6 it would take an hour). */
    double w0 = ks_mono_s();
    for (size_t i = 0; i < n; i++) {
        struct sim_ev *e = pop(&L, k);
        push(&L, k, e, e->t_ns + inc[i % NINC]);
        if (i % 4096 == 4095 && ks_mono_s() - w0 > max_s)
            break;
    }
    /* A list that degrades (the calendar queue on camel gaps: ~10^4 holds/s) would take
     * hours for 1 M holds: a run stops after max_s, its rate from the holds done. The
     * caps are wall time (they bound the script's run), the rate is per CPU second. */
    double t0 = ks_mono_s(), c0 = clock_s();
    size_t i = 0;
    while (i < holds) {
        for (size_t end = i + 4096; i < end; i++) {
            struct sim_ev *e = pop(&L, k);
            push(&L, k, e, e->t_ns + inc[(i * 7) % NINC]);
        }
        if (ks_mono_s() - t0 > max_s)
            break;
    }
    double dt = clock_s() - c0;
    lists_fini(&L);
    *capped = i < holds / 3; /* degraded: under a third of the holds in max_s */
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

/* Index of name in the table, or -1. */
static int
lookup(const char *const *tab, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(tab[i], name) == 0)
            return i;
    return -1;
}

struct opts {
    unsigned lists, dists; /* bit masks of the lists and distributions to run */
    int runs;
    size_t holds;
    double max_s;
    size_t sizes[16];
    int nsizes;
};

/* 0, or 2 after a usage message on stderr. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"list", required_argument, NULL, 'l'},  {"dist", required_argument, NULL, 'd'},
        {"runs", required_argument, NULL, 'r'},  {"holds", required_argument, NULL, 'H'},
        {"max-s", required_argument, NULL, 's'}, {NULL, 0, NULL, 0}};
    *o = (struct opts){0, 0, 3, 1000000, 3.0, {100, 10000, 100000}, 3};
    int ch, i;
    while ((ch = getopt_long(argc, argv, "l:d:r:H:s:", longopts, NULL)) != -1) {
        if (ch == 'l' && (i = lookup(names, NLIST, optarg)) >= 0)
            o->lists |= 1u << i;
        else if (ch == 'd' && (i = lookup(dists, NDIST, optarg)) >= 0)
            o->dists |= 1u << i;
        else if (ch == 'r' && atoi(optarg) > 0)
            o->runs = atoi(optarg);
        else if (ch == 'H' && strtoull(optarg, NULL, 10) > 0)
            o->holds = (size_t)strtoull(optarg, NULL, 10);
        else if (ch == 's' && atof(optarg) > 0)
            o->max_s = atof(optarg);
        else {
            fprintf(stderr, "usage: sim_evbench [--list binary_heap|heap4|calendar_queue|"
                            "ladder_queue] [--dist exp|camel|triangular] [--runs N] "
                            "[--holds N] [--max-s S] [SIZE ...]\n");
            return 2;
        }
    }
    o->lists = o->lists ? o->lists : (1u << NLIST) - 1;
    o->dists = o->dists ? o->dists : (1u << NDIST) - 1;
    if (optind < argc)
        o->nsizes = 0;
    for (i = optind; i < argc && o->nsizes < 16; i++)
        o->sizes[o->nsizes++] = (size_t)strtoull(argv[i], NULL, 10);
    return 0;
}

int
main(int argc, char **argv)
{
    struct opts o;
    if (parse_args(argc, argv, &o))
        return 2;
    uint64_t *inc = ks_xmalloc(NINC * sizeof *inc);
    for (int d = 0; d < NDIST; d++) {
        if (!(o.dists & (1u << d)))
            continue;
        fill_increments(d, inc);
        for (int s = 0; s < o.nsizes; s++) {
            struct sim_ev *ev = ks_xcalloc(o.sizes[s], sizeof *ev);
            for (int k = 0; k < NLIST; k++) {
                if (!(o.lists & (1u << k)))
                    continue;
                double best = 0, worst = 1e300;
                int run = 0;
                while (run < o.runs) {
                    int capped;
                    double v = hold_rate(k, o.sizes[s], inc, ev, o.holds, o.max_s, &capped);
                    run++;
                    best = v > best ? v : best;
                    worst = v < worst ? v : worst;
                    if (capped)
                        break; /* degraded: a few percent more precision is not worth
                                * 2 x max_s more */
                }
                printf("%s,%s,%zu,%.0f,%.0f,%d\n", names[k], dists[d], o.sizes[s], best, worst,
                       run);
                fflush(stdout);
            }
            free(ev);
        }
    }
    free(inc);
    return 0;
}
