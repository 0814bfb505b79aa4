/*
 * simulate: the VMs' compute load on the host's cores (docs/sim.md, "Compute").
 *
 * - A host whose VMs ask for more cores than it has does not keep up, the VMs' vCPUs
 *   wait for a core, and the I/O of the same VMs shows the run-queue wait in its
 *   latency; the same host at half the demand keeps up.
 * - Under overload the round-robin scheduler shares the cores fairly.
 * - One core and exponential bursts is an M/M/1 queue whatever the slice: the share
 *   of runnable time spent waiting (vcpu_ready_pct) is Wq / W = rho.
 * - A VM asking for as many busy cores as it has vCPUs is refused, naming the line.
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
#include "simulate/sim_csv.h"
#include "simulate/sim_run.h"
#include "tests/unit/test_sim_util.h"

/* Four 2-vCPU virtio VMs on 4 cores, each asking busy_cores, the first also doing
 * 2,000 disk I/Os per second with 20,000 cycles of guest stack each. */
static struct sim_config *
host(double busy_cores)
{
    char text[2048];
    int n = snprintf(text, sizeof text,
                     "[sim]\nduration_s = 3\nwarmup_s = 0.5\nreplications = 2\nseed = 3\n"
                     "[host]\ncores = 4\n[device disk]\nkind = ssd\n"
                     "[workload io]\nvm = a\ndevice = disk\narrival = poisson:2000/s\n"
                     "stack_cycles = 20000\n");
    for (const char *v = "abcd"; *v; v++)
        n += snprintf(text + n, sizeof text - (size_t)n, "[vm %c]\nvcpus = 2\nmode = virtio\n%s",
                      *v, "");
    if (busy_cores > 0)
        for (const char *v = "abcd"; *v; v++)
            n += snprintf(text + n, sizeof text - (size_t)n, "[vm %c]\ncpu_busy_cores = %g\n", *v,
                          busy_cores);
    return cfg(text);
}

static void
test_overcommit_does_not_keep_up(void **state)
{
    (void)state;
    struct sim_config *idle = host(0), *half = host(0.75), *over = host(1.5);
    struct sim_result *ri = run(idle), *rh = run(half), *ro = run(over);
    struct sim_vm_cpu h, o;
    for (size_t v = 0; v < 4; v++) {
        sim_vm_cpu(half, rh, v, &h);
        sim_vm_cpu(over, ro, v, &o);
        assert_int_equal(h.keeps_up, 1);
        assert_int_equal(o.keeps_up, 0);
        assert_true(fabs(h.busy_cores - h.demand_cores) < 0.02 * h.demand_cores);
        /* 6 cores asked of 4: each VM gets its fair quarter, and its runnable
         * vCPUs wait about half the time. */
        assert_true(fabs(o.busy_cores - 1.0) < 0.05);
        assert_true(o.ready_pct > 40 && o.ready_pct < 60);
        assert_true(h.ready_pct > 0 && h.ready_pct < o.ready_pct);
    }
    assert_int_equal(sim_wl_keeps_up(half, rh, 0), 1);
    assert_int_equal(sim_wl_keeps_up(over, ro, 0), 0);
    double li = ri->sum[0].lat_mean_ns, lh = rh->sum[0].lat_mean_ns, lo = ro->sum[0].lat_mean_ns;
    print_message("  I/O mean latency: no compute %.1f us, half %.1f us, over %.1f us\n", li / 1e3,
                  lh / 1e3, lo / 1e3);
    /* Without compute the I/O path is ~30 us of CPU plus 85 us of SSD. */
    assert_true(li < 200e3);
    assert_true(lh > li + 50e3);
    assert_true(lo > lh + 100e3);
    sim_result_free(ri);
    sim_result_free(rh);
    sim_result_free(ro);
    sim_config_free(idle);
    sim_config_free(half);
    sim_config_free(over);
}

/* M/M/1 on one core: 64 vCPUs never limit the VM, so bursts queue only for the core.
 * Round robin with exponential bursts keeps M/M/1's number in system; the share of
 * runnable time spent ready is Wq / W = rho. */
static void
test_ready_share_mm1(void **state)
{
    (void)state;
    static const double rho[] = {0.5, 0.8};
    for (int k = 0; k < 2; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "[sim]\nduration_s = 30\nwarmup_s = 1\nreplications = 4\nseed = 9\n"
                 "[host]\ncores = 1\nsched_slice_us = 500\n"
                 "[vm v]\nvcpus = 64\ncpu_busy_cores = %g\n"
                 "[device d]\nservice = det:1us\n"
                 "[workload w]\ndevice = d\narrival = poisson:1/s\n",
                 rho[k]);
        struct sim_config *c = cfg(text);
        struct sim_result *r = run(c);
        struct sim_vm_cpu v;
        sim_vm_cpu(c, r, 0, &v);
        print_message("  rho %.1f: vcpu_ready_pct %.2f, busy %.3f cores\n", rho[k], v.ready_pct,
                      v.busy_cores);
        assert_true(fabs(v.ready_pct - 100 * rho[k]) < 2.5);
        assert_true(fabs(v.busy_cores - rho[k]) < 0.03);
        assert_int_equal(v.keeps_up, 1);
        sim_result_free(r);
        sim_config_free(c);
    }
}

static void
test_busy_cores_refused(void **state)
{
    (void)state;
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    const char *text = "[vm v]\nvcpus = 2\ncpu_busy_cores = 2\n"
                       "[device d]\nservice = det:1us\n"
                       "[workload w]\ndevice = d\narrival = poisson:1/s\n";
    assert_int_equal(sim_config_read_string(text, "bad.ini", &c, &err), -22);
    assert_non_null(strstr(err.msg, "bad.ini:3: [vm v] cpu_busy_cores"));
    static const char *const hostile[] = {"1e308", "0,5", "nan", "-1", "\xef\xbb\xbf" "1"};
    for (size_t k = 0; k < sizeof hostile / sizeof *hostile; k++) {
        char t[128];
        struct ks_err e = {0};
        snprintf(t, sizeof t, "[vm v]\nvcpus = 4\ncpu_busy_cores = %s\n", hostile[k]);
        assert_int_equal(sim_config_read_string(t, "bad.ini", &c, &e), -22);
        assert_non_null(strstr(e.msg, "bad.ini:3: [vm v] cpu_busy_cores"));
    }
    struct ks_err e2 = {0};
    text = "[vm v]\ncpu_burst = det:0us\n"; /* a zero mean would never advance the clock */
    assert_int_equal(sim_config_read_string(text, "bad.ini", &c, &e2), -22);
    assert_non_null(strstr(e2.msg, "bad.ini:2: [vm v] cpu_burst"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overcommit_does_not_keep_up),
        cmocka_unit_test(test_ready_share_mm1),
        cmocka_unit_test(test_busy_cores_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
