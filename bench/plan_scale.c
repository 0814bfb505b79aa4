/*
 * plan_scale: the packing engine on a synthetic estate, for bench/bench_plan.sh.
 *
 *   plan_scale VMS STEPS [SEED]
 * generates VMS series of STEPS steps (CPU MHz and memory MiB; seeded, so every run
 * packs the same estate), packs them on a 2-socket x 16-core x 2,600 MHz, 512 GiB host
 * with the default search, checks N+1 by failing hosts, re-checks every host-step from
 * the demands, and prints one line:
 *   vms steps hosts lower_bound ffd greedy ha_ok pack_s total_s
 * No CSV is involved: this measures the planner, not the dataset reader.
 *
 * Shapes: each VM has a base load (log-uniform 100-2,500 MHz), a daily cycle of random
 * amplitude and phase (office hours, batch nights), noise, and rare spikes to 1.5-3x;
 * memory is its allocation (2-32 GiB) times a slowly varying working-set share.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/mdl_plan.h"
#include "model/mdl_vbp.h"

static uint64_t
rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double
uni(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * 0x1p-53;
}

static void
gen_vm(uint64_t *s, size_t T, double step_s, double *row)
{
    double base = 100 * pow(25, uni(s)), amp = uni(s) * 0.8, phase = uni(s) * 2 * M_PI;
    double alloc = 2048 * pow(16, uni(s)), ws = 0.4 + 0.4 * uni(s);
    for (size_t t = 0; t < T; t++) {
        double day = 2 * M_PI * (double)t * step_s / 86400;
        double cpu = base * (1 + amp * sin(day + phase)) * (0.85 + 0.3 * uni(s));
        if (uni(s) < 0.002)
            cpu *= 1.5 + 1.5 * uni(s);
        row[t] = cpu;
        row[T + t] = alloc * (ws + 0.1 * sin(day / 7 + phase));
    }
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: plan_scale VMS STEPS [SEED]\n");
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10), T = strtoul(argv[2], NULL, 10);
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    double t0 = ks_mono_s(), cap[2] = {2 * 16 * 2600.0, 512 * 1024.0};
    struct mdl_vbp *p = mdl_vbp_new(n, 2, T, cap);
    double *row = ks_xmalloc(2 * T * sizeof *row);
    for (size_t i = 0; i < n; i++) {
        gen_vm(&seed, T, 300, row);
        mdl_vbp_set_item(p, i, row);
    }
    free(row);
    uint32_t *assign = ks_xmalloc(n * sizeof *assign);
    struct mdl_vbp_opts o = {.seed = 1};
    struct mdl_vbp_result res;
    struct ks_err err = {0};
    double t1 = ks_mono_s();
    if (mdl_vbp_solve(p, &o, assign, &res, NULL, &err) < 0) {
        fprintf(stderr, "plan_scale: %s\n", err.msg);
        return 1;
    }
    double pack_s = ks_mono_s() - t1;
    size_t sets = 0, bad = 0;
    int exh = 0, ha = mdl_ha_check(p, assign, res.nbins + 1, 1, 1, 2000, &sets, &exh, &bad);
    struct mdl_vbp_check chk;
    mdl_vbp_check(p, assign, res.nbins, &chk);
    printf("%zu %zu %zu %zu %zu %zu %d %.3f %.3f\n", n, T, res.nbins, res.lower_bound,
           res.ffd_bins, res.greedy_bins, ha && chk.bins_over == 0, pack_s, ks_mono_s() - t0);
    free(assign);
    mdl_vbp_free(p);
    return chk.bins_over ? 1 : 0;
}
