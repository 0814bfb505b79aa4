/*
 * simulate: interrupts and batching (docs/sim.md, "Interrupts and batching").
 *
 * - event-idx (virtio, on by default): under load the guest is still processing earlier
 *   completions when the next one comes, so most interrupts are suppressed; off, every
 *   completion interrupts. At low load the two agree (nothing to batch).
 * - NAPI on an assigned NIC (napi_budget): the same suppression, never more than the
 *   budget of completions per interrupt.
 * - A sidecore backend (ELVIS): no kick exit; with posted interrupts no exit at all.
 * - Sidecores must leave the host a shared core.
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
#include "tests/unit/test_sim_util.h"

/* One VM (vm_keys) receiving 1,500 B frames at rate per second; exits per frame. */
static double
exits(const char *vm_keys, double rate)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[sim]\nduration_s = 0.3\nwarmup_s = 0.05\nreplications = 2\n"
             "[device n]\nkind = nic\n[vm v]\nvcpus = 1\n%s\n"
             "[workload w]\nvm = v\ndevice = n\narrival = poisson:%g/s\nsize = 1500\n"
             "stack_cycles = 5000\n",
             vm_keys, rate);
    struct sim_config *c = cfg(text);
    struct sim_result *r = run(c);
    double e = r->sum[0].exits_per_op;
    sim_result_free(r);
    sim_config_free(c);
    return e;
}

static void
test_event_idx(void **state)
{
    (void)state;
    double on = exits("mode = virtio", 200000), off = exits("mode = virtio\nevent_idx = false", 200000);
    double low_on = exits("mode = virtio", 1000), low_off = exits("mode = virtio\nevent_idx = false", 1000);
    print_message("  virtio exits per frame: 200k/s %.3f (event_idx) vs %.3f; 1k/s %.3f vs %.3f\n",
                  on, off, low_on, low_off);
    assert_true(off > 1.5);
    assert_true(on < 0.75 * off);
    assert_true(fabs(low_on - low_off) < 0.02);
    assert_true(low_on > 1.9);
}

static void
test_napi_budget(void **state)
{
    (void)state;
    double plain = exits("mode = passthrough", 250000);
    double napi = exits("mode = passthrough\nnapi_budget = 64", 250000);
    double napi2 = exits("mode = passthrough\nnapi_budget = 2", 250000);
    print_message("  passthrough exits per frame at 250k/s: %.3f, NAPI 64 %.3f, NAPI 2 %.3f\n",
                  plain, napi, napi2);
    assert_true(fabs(plain - 1) < 1e-3); /* one exit per interrupt, one per frame */
    assert_true(napi < 0.6 * plain);
    assert_true(napi >= 1.0 / 65);
    assert_true(napi2 >= 1.0 / 3 - 0.01); /* at most 2 absorbed per interrupt */
    assert_true(napi2 > napi);
}

static void
test_sidecore(void **state)
{
    (void)state;
    double plain = exits("mode = virtio\nevent_idx = false", 1000);
    double side = exits("mode = virtio\nevent_idx = false\nbackend_poll = sidecore", 1000);
    double elvis = exits("mode = virtio\nbackend_poll = sidecore\nposted_interrupts = true", 1000);
    print_message("  virtio exits per frame: %.3f, sidecore %.3f, + posted interrupts %.3f\n",
                  plain, side, elvis);
    assert_true(fabs(side - (plain - 1)) < 0.01); /* the kick exit is gone */
    assert_true(elvis == 0);
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    assert_int_equal(sim_config_read_string("[host]\ncores = 1\n[vm v]\nmode = virtio\n"
                                            "backend_poll = sidecore\n",
                                            "bad.ini", &c, &err),
                     -22);
    assert_non_null(strstr(err.msg, "backend_poll"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_idx),
        cmocka_unit_test(test_napi_budget),
        cmocka_unit_test(test_sidecore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
