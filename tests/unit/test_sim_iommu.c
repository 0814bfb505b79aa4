/*
 * simulate: the IOMMU as Linux drives it (docs/sim.md, "IOMMU").
 *
 * - A 64 KiB I/O is one scatter-gather mapping: strict pays the one-page map + unmap,
 *   200 cycles per further page and one range invalidation (9,909 cycles), not 16
 *   single-page map + unmap + invalidations (110,544).
 * - Fresh IOVAs: a deferred ring of 48 buffers through a 64-entry IOTLB never hits an
 *   earlier mapping's entry, where the static mapping hits every time.
 * - 2 MiB static pages: 1,024 buffers are two IOMMU pages.
 * - Defaults: an assigned device (passthrough, SR-IOV) without a vIOMMU maps
 *   statically (none) unless the file sets a policy; a host driver defers.
 * - Who pays: a host driver's unmap runs on a host core only, a guest's on its vCPU.
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
#include "simulate/sim_path.h"
#include "simulate/sim_run.h"
#include "tests/unit/test_sim_util.h"

/* One native workload on a generic device through the IOMMU: returns the result. */
static struct sim_result *
one(const char *iommu, const char *wl, struct sim_config **cp)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[sim]\nduration_s = 0.5\nwarmup_s = 0.05\nreplications = 2\n"
             "[iommu]\nenabled = true\n%s\n"
             "[device d]\nservers = 8\nservice = det:10us\n"
             "[workload w]\ndevice = d\narrival = fixed:10000/s\n%s\n",
             iommu, wl);
    *cp = cfg(text);
    return run(*cp);
}

static void
test_sg_mapping_strict(void **state)
{
    (void)state;
    struct sim_config *c;
    struct sim_result *r = one("invalidation = strict", "size = 64KiB", &c);
    double want = 4593 + 15 * 200 + 2316;
    print_message("  64 KiB strict: %.0f IOMMU cycles per I/O (want %.0f)\n",
                  r->sum[0].comp_per_op[SIM_C_IOMMU], want);
    assert_true(fabs(r->sum[0].comp_per_op[SIM_C_IOMMU] - want) < 1e-6 * want);
    sim_result_free(r);
    sim_config_free(c);
}

static void
test_fresh_iova(void **state)
{
    (void)state;
    struct sim_config *c;
    struct sim_result *r = one("invalidation = deferred\ndeferred_timeout_ms = 0",
                               "pages = 48\naccess = ring", &c);
    double deferred = r->sum[0].iotlb_hit_pct;
    sim_result_free(r);
    sim_config_free(c);
    r = one("invalidation = none", "pages = 48\naccess = ring", &c);
    double none = r->sum[0].iotlb_hit_pct;
    print_message("  ring of 48 through 64 entries: deferred %.2f%%, none %.2f%% hits\n",
                  deferred, none);
    assert_true(deferred == 0);
    assert_true(none > 99);
    sim_result_free(r);
    sim_config_free(c);
}

static void
test_static_superpages(void **state)
{
    (void)state;
    struct sim_config *c;
    struct sim_result *r = one("invalidation = none", "pages = 1024", &c);
    double small = r->sum[0].iotlb_hit_pct;
    sim_result_free(r);
    sim_config_free(c);
    r = one("invalidation = none\nstatic_page_KiB = 2048", "pages = 1024", &c);
    double big = r->sum[0].iotlb_hit_pct;
    print_message("  1,024 buffers, 64 entries: 4 KiB pages %.2f%%, 2 MiB pages %.3f%%\n",
                  small, big);
    assert_true(fabs(small - 6.25) < 1.0); /* C / N (9,000 lookups: +-0.5 at 2 sigma) */
    assert_true(big > 99.9);               /* two entries, missed once each */
    sim_result_free(r);
    sim_config_free(c);
    struct ks_err err = {0};
    assert_int_equal(sim_config_read_string("[iommu]\nstatic_page_KiB = 64\n", "bad.ini", &c,
                                            &err),
                     -22);
    assert_non_null(strstr(err.msg, "bad.ini:2: [iommu] static_page_KiB"));
}

static void
test_defaults_and_payer(void **state)
{
    (void)state;
    const char *text = "[iommu]\nenabled = true\n"
                       "[device d]\nservice = det:10us\n"
                       "[vm pt]\nmode = passthrough\n[vm sr]\nmode = sriov\n"
                       "[vm vpt]\nmode = passthrough\nviommu = true\n[vm vio]\nmode = virtio\n"
                       "[workload pt]\nvm = pt\ndevice = d\narrival = poisson:1/s\n"
                       "[workload sr]\nvm = sr\ndevice = d\narrival = poisson:1/s\n"
                       "[workload vpt]\nvm = vpt\ndevice = d\narrival = poisson:1/s\n"
                       "[workload vio]\nvm = vio\ndevice = d\narrival = poisson:1/s\n";
    struct sim_config *c = cfg(text);
    assert_int_equal(sim_wl_inval(c, &c->wl[0]), SIM_INV_NONE);
    assert_int_equal(sim_wl_inval(c, &c->wl[1]), SIM_INV_NONE);
    assert_int_equal(sim_wl_inval(c, &c->wl[2]), SIM_INV_DEFERRED); /* guest maps via vIOMMU */
    assert_int_equal(sim_wl_inval(c, &c->wl[3]), SIM_INV_DEFERRED);
    /* The unmap step: a guest driver's holds its vCPU, a host driver's a core only. */
    struct sim_path p;
    sim_path_build(c, &c->wl[2], &p);
    assert_int_equal(p.s[p.n - 1].kind, SIM_ST_UNMAP);
    assert_int_equal(p.s[p.n - 1].res1, sim_res_vcpu(2));
    sim_path_build(c, &c->wl[3], &p);
    assert_int_equal(p.s[p.n - 1].kind, SIM_ST_UNMAP);
    assert_int_equal(p.s[p.n - 1].res1, -1);
    assert_int_equal(p.s[p.n - 1].res2, 0);
    sim_config_free(c);
    /* A policy the file sets applies to assigned devices too. */
    c = cfg("[iommu]\nenabled = true\ninvalidation = strict\n"
            "[device d]\nservice = det:10us\n[vm pt]\nmode = passthrough\n"
            "[workload pt]\nvm = pt\ndevice = d\narrival = poisson:1/s\n");
    assert_int_equal(sim_wl_inval(c, &c->wl[0]), SIM_INV_STRICT);
    sim_config_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sg_mapping_strict),
        cmocka_unit_test(test_fresh_iova),
        cmocka_unit_test(test_static_superpages),
        cmocka_unit_test(test_defaults_and_payer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
