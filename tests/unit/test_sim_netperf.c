/*
 * simulate: IOMMU invalidation policies against the published outcome (vIOMMU, USENIX
 * ATC 2011, via shared/reference.md): a 10 GbE netperf stream of MTU frames under no
 * IOMMU / strict / deferred / optimistic teardown, bare metal and trap-and-emulate
 * vIOMMU. The scenario is datasets/sim/netperf.ini; docs/sim.md derives its numbers.
 * Also: optimistic teardown's reuse window, and the per-VM policy keys' errors.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "simulate/sim_config.h"
#include "simulate/sim_run.h"

/* 10 GbE, 1,500 B payload: 1,538 B on the wire per frame (RFC 5180). */
#define LINE_PPS 812744.0

enum { NONE, STRICT, DEFERRED, OPTIMISTIC, V_STRICT, V_DEFERRED, V_OPTIMISTIC, NMODES };
static const char *const wl_names[NMODES] = {
    "none",          "strict",          "deferred",         "optimistic",
    "viommu_strict", "viommu_deferred", "viommu_optimistic"};

static struct sim_config *
read_netperf(void)
{
    const char *root = getenv("KASANE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/datasets/sim/netperf.ini", root ? root : ".");
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    if (sim_config_read(path, &c, &err) < 0)
        fail_msg("%s", err.msg);
    return c;
}

/* Index of the workload called name, failing the test when the scenario lacks it. */
static size_t
wl_index(const struct sim_config *c, const char *name)
{
    for (size_t i = 0; i < c->nwl; i++)
        if (strcmp(c->wl[i].name, name) == 0)
            return i;
    fail_msg("netperf.ini has no workload '%s'", name);
    return 0;
}

/* The bottleneck the model should reduce to: one vCPU per stream spends C cycles per
 * frame, so the share is min(1, core_GHz / (C x line rate)). C from the config alone:
 * stack + interrupt path + the policy's IOMMU cycles per page (one page per frame). */
static double
closed_form_share(const struct sim_config *c, size_t i)
{
    const struct sim_workload *w = &c->wl[i];
    const struct sim_vm *m = &c->vm[w->vm];
    double cyc = w->stack_cycles, inval = c->iommu.inval_cycles, sw = c->iommu.strict_sw_cycles;
    if (!m->posted_interrupts)
        cyc += c->costs.exit_cycles + c->costs.inject_cycles;
    double base = m->viommu == 1 ? c->iommu.viommu_map_cycles - inval - sw : c->iommu.map_cycles;
    if (m->inval == SIM_INV_STRICT)
        cyc += base + sw + inval;
    else if (m->inval == SIM_INV_DEFERRED)
        cyc += base + inval / c->iommu.batch;
    /* none, optimistic (a ring of 256 buffers is reused within the timeout): 0 */
    return fmin(1, c->core_GHz * 1e9 / (cyc * LINE_PPS));
}

static void
test_netperf_published_shares(void **state)
{
    (void)state;
    struct sim_config *c = read_netperf();
    struct sim_result *r = NULL;
    struct ks_err err = {0};
    assert_int_equal(sim_run(c, NULL, &r, &err), 0);
    double share[NMODES];
    for (int k = 0; k < NMODES; k++) {
        size_t i = wl_index(c, wl_names[k]);
        share[k] = 100 * r->sum[i].thr_per_s / LINE_PPS;
        double want = 100 * closed_form_share(c, i);
        print_message("  %-18s %5.1f%% of line rate (closed form %5.1f%%), %6.0f cycles/frame,"
                      " IOTLB hits %.1f%%\n",
                      wl_names[k], share[k], want, r->sum[i].cycles_per_op,
                      r->sum[i].iotlb_hit_pct);
        /* The engine reproduces the bottleneck formula (deterministic service; the rest
         * is the warm-up edge and the deferred flush landing on one frame of 256). */
        assert_true(fabs(share[k] - want) < 0.5);
    }
    /* Orderings, bare metal: published 100 (no IOMMU) >= 100 (optimistic) >= 91 > 43. */
    assert_true(share[NONE] >= share[OPTIMISTIC] - 0.1);
    assert_true(share[OPTIMISTIC] >= share[DEFERRED]);
    assert_true(share[NONE] >= share[DEFERRED]);
    assert_true(share[DEFERRED] > share[STRICT]);
    /* vIOMMU: published 82 > 11 > 10; deferred helps little because the map/unmap
     * traps, not the invalidation, dominate (less than 1.5x over strict). */
    assert_true(share[V_OPTIMISTIC] > share[V_DEFERRED]);
    assert_true(share[V_DEFERRED] > share[V_STRICT]);
    assert_true(share[V_DEFERRED] < 1.5 * share[V_STRICT]);
    assert_true(share[V_STRICT] < share[STRICT] && share[V_DEFERRED] < share[DEFERRED]);
    /* Calibration targets (core_GHz, stack_cycles and strict_sw_cycles were solved from
     * these three; docs/sim.md): +-2 points guards the calibration against changes in
     * the engine, it does not validate the model. */
    assert_true(fabs(share[STRICT] - 43) <= 2);
    assert_true(fabs(share[DEFERRED] - 91) <= 2);
    assert_true(fabs(share[V_STRICT] - 10) <= 2);
    /* Predictions (no parameter was chosen for them). +-10 points on bare metal and on
     * the vIOMMU's optimistic share: the published figures are single netperf runs read
     * off a chart, without intervals, on an unknown clock, and the model has one
     * interrupt per frame where a real NIC coalesces some; +-5 points where the published
     * share is itself near 10%, so that the bound still means something. */
    assert_true(fabs(share[NONE] - 100) <= 10);
    assert_true(fabs(share[OPTIMISTIC] - 100) <= 10);
    assert_true(fabs(share[V_DEFERRED] - 11) <= 5);
    assert_true(fabs(share[V_OPTIMISTIC] - 82) <= 10);
    /* A ring of 256 buffers through 64 IOTLB entries misses every time, yet the link
     * stays full without an IOMMU policy: the NIC overlaps its walks with the wire. */
    assert_true(r->sum[wl_index(c, "none")].iotlb_hit_pct < 1);
    sim_result_free(r);
    sim_config_free(c);
}

/* IOMMU cycles per I/O of one workload mapping `pages` buffers in a ring at 1,000 I/Os
 * per second under optimistic teardown with the given timeout. */
static double
optimistic_cycles(long pages, double timeout_ms)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[sim]\nduration_s = 1\nwarmup_s = 0.5\nreplications = 1\n"
             "[iommu]\nenabled = true\ninvalidation = optimistic\n"
             "optimistic_timeout_ms = %g\ndeferred_batch = 1000000\n"
             "deferred_timeout_ms = 0\n"
             "[device d]\nservice = det:10us\n"
             "[workload w]\ndevice = d\narrival = fixed:1000/s\npages = %ld\naccess = ring\n",
             timeout_ms, pages);
    struct sim_config *c = NULL;
    struct sim_result *r = NULL;
    struct ks_err err = {0};
    if (sim_config_read_string(text, "opt.ini", &c, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(sim_run(c, NULL, &r, &err), 0);
    double cyc = r->sum[0].comp_per_op[SIM_C_IOMMU];
    sim_result_free(r);
    sim_config_free(c);
    return cyc;
}

static void
test_optimistic_reuse_window(void **state)
{
    (void)state;
    /* 4 buffers at 1 ms apart: each is mapped again 4 ms after its unmap, inside a
     * 10 ms window: after the first pass (in the warm-up) nothing is paid. With a 2 ms
     * window every mapping has expired: each I/O pays the full map + unmap (4,593). */
    double kept = optimistic_cycles(4, 10), expired = optimistic_cycles(4, 2);
    print_message("  optimistic: reused %.1f, expired %.1f cycles/op\n", kept, expired);
    assert_true(kept == 0);
    assert_true(fabs(expired - 4593) < 1);
}

/* The error of a one-line config fragment, or "" if it was accepted. */
static void
config_error(const char *text, char *msg, size_t n)
{
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    msg[0] = '\0';
    if (sim_config_read_string(text, "bad.ini", &c, &err) < 0)
        snprintf(msg, n, "%s", err.msg);
    sim_config_free(c);
}

static void
test_policy_keys_errors(void **state)
{
    (void)state;
    char msg[2048];
    config_error("[vm a]\ninvalidation = lazy\n", msg, sizeof msg);
    print_message("  %s\n", msg);
    assert_non_null(strstr(msg, "bad.ini:2: [vm a] invalidation: unknown value 'lazy'"));
    assert_non_null(strstr(msg, "optimistic"));
    config_error("[sim]\nduration_s = 1\n[iommu]\nviommu_walk = flat\n", msg, sizeof msg);
    assert_non_null(strstr(msg, "bad.ini:4: [iommu] viommu_walk: unknown value 'flat'"));
    config_error("[iommu]\nstrict_sw_cycles = -5\n", msg, sizeof msg);
    assert_non_null(strstr(msg, "bad.ini:2: [iommu] strict_sw_cycles: -5 is out of range"));
    config_error("[workload w]\nstack_cycles = many\n", msg, sizeof msg);
    assert_non_null(strstr(msg, "bad.ini:2: [workload w] stack_cycles: 'many' is not a number"));
    config_error("[vm a]\nviommu = maybe\n", msg, sizeof msg);
    assert_non_null(strstr(msg, "[vm a] viommu: 'maybe' is not a boolean"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netperf_published_shares),
        cmocka_unit_test(test_optimistic_reuse_window),
        cmocka_unit_test(test_policy_keys_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
