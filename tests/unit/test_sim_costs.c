/*
 * simulate: costs that scale with the I/O (docs/sim.md, "Costs that scale").
 *
 * - The code's defaults are the ones datasets/sim/costs.csv documents with sources:
 *   setting every key of the table to its stated default changes nothing.
 * - datasets/sim/sizes.ini: virtio's host cycles per network I/O grow with the size
 *   (frames x host stack + one copy per byte) while SR-IOV's stay flat; the SSD's
 *   sequential bandwidth lengthens a 64 KiB read by 60 KiB / 3.2 GB/s.
 * - A NIC's link is full duplex: a receive and a transmit stream at 70% of line rate
 *   each keep up together; two receive streams at 70% do not.
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

static char *
root_path(const char *rel)
{
    const char *root = getenv("KASANE_ROOT");
    return ks_xasprintf("%s/%s", root ? root : ".", rel);
}

/* Every row of costs.csv: section,key,default,... The section names a fixed section,
 * or a kind of device (the key goes to a device of that kind) or "vm". */
static void
test_defaults_match_table(void **state)
{
    (void)state;
    const char *base = "[device ssd]\nkind = ssd\n[device nic]\nkind = nic\n[vm v]\nvcpus = 1\n";
    struct sim_config *d = cfg(base), *s = cfg(base);
    char *path = root_path("datasets/sim/costs.csv");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048], sec[64], key[64], val[64];
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        assert_int_equal(sscanf(line, "%63[^,],%63[^,],%63[^,],", sec, key, val), 3);
        const char *section = strcmp(sec, "vm") == 0 ? "vm v" : sec;
        struct ks_err err = {0};
        if (sim_config_set(s, section, key, val, &err) < 0)
            fail_msg("costs.csv: [%s] %s = %s: %s", sec, key, val, err.msg);
        rows++;
    }
    fclose(f);
    free(path);
    assert_true(rows >= 20);
    struct ks_err err = {0};
    assert_int_equal(sim_config_finish(s, &err), 0);
    assert_memory_equal(&d->costs, &s->costs, sizeof d->costs);
    assert_true(d->sched_slice_us == s->sched_slice_us);
    assert_true(d->iommu.map_cycles == s->iommu.map_cycles);
    assert_true(d->iommu.map_page_cycles == s->iommu.map_page_cycles);
    assert_true(d->iommu.inval_cycles == s->iommu.inval_cycles);
    assert_int_equal(d->iommu.batch, s->iommu.batch);
    for (size_t i = 0; i < d->ndev; i++) {
        const struct sim_device *a = &d->dev[i], *b = &s->dev[i];
        assert_true(a->service.mean_ns == b->service.mean_ns);
        assert_true(a->write_service.mean_ns == b->write_service.mean_ns);
        assert_true(a->bandwidth_MBps == b->bandwidth_MBps);
        assert_true(a->write_bandwidth_MBps == b->write_bandwidth_MBps);
        assert_true(a->line_rate_Gbps == b->line_rate_Gbps);
    }
    assert_true(d->vm[0].cpu_burst.mean_ns == s->vm[0].cpu_burst.mean_ns);
    assert_int_equal(d->vm[0].cpu_burst.kind, s->vm[0].cpu_burst.kind);
    sim_config_free(d);
    sim_config_free(s);
}

static size_t
wl(const struct sim_config *c, const char *name)
{
    for (size_t i = 0; i < c->nwl; i++)
        if (strcmp(c->wl[i].name, name) == 0)
            return i;
    fail_msg("sizes.ini has no workload %s", name);
    return 0;
}

static void
test_virtio_cost_grows_with_size(void **state)
{
    (void)state;
    static const char *const tags[] = {"64", "1500", "9000", "64k"};
    static const double bytes[] = {64, 1500, 9000, 65536};
    char *path = root_path("datasets/sim/sizes.ini");
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    if (sim_config_read(path, &c, &err) < 0)
        fail_msg("%s", err.msg);
    free(path);
    struct sim_result *r = run(c);
    const struct sim_costs *k = &c->costs;
    double prev_gap = -1, sr0 = -1;
    for (int i = 0; i < 4; i++) {
        char n[32];
        snprintf(n, sizeof n, "vio_net_%s", tags[i]);
        const struct sim_wl_sum *v = &r->sum[wl(c, n)];
        snprintf(n, sizeof n, "sr_net_%s", tags[i]);
        const struct sim_wl_sum *s = &r->sum[wl(c, n)];
        /* The backend's share is exact: kick + frames x host stack + one copy. */
        double frames = ceil(bytes[i] / 1500);
        double be = k->kick_cycles + frames * k->host_pkt_cycles +
                    k->copy_cycles_per_KiB * bytes[i] / 1024;
        print_message("  %5s B: virtio %.0f cycles (backend %.0f, want %.0f), SR-IOV %.0f\n",
                      tags[i], v->cycles_per_op, v->comp_per_op[SIM_C_BACKEND], be,
                      s->cycles_per_op);
        assert_true(fabs(v->comp_per_op[SIM_C_BACKEND] - be) < 1e-3 * be); /* window edges */
        if (sr0 < 0)
            sr0 = s->cycles_per_op;
        assert_true(fabs(s->cycles_per_op - sr0) < 1e-9 * sr0); /* flat */
        double gap = v->cycles_per_op - s->cycles_per_op;
        assert_true(gap > prev_gap);
        prev_gap = gap;
    }
    /* SSD: 64 KiB reads take 60 KiB / 3.2 GB/s = 19.2 us longer than 4 KiB ones. */
    double l4 = r->sum[wl(c, "vio_blk_1500")].lat_pct_ns[0];
    double l64 = r->sum[wl(c, "vio_blk_64k")].lat_pct_ns[0];
    print_message("  SSD p50: 1500 B %.2f us, 64 KiB %.2f us\n", l4 / 1e3, l64 / 1e3);
    assert_true(fabs((l64 - l4) - 61440 / 3.2) < 0.5e3);
    sim_result_free(r);
    sim_config_free(c);
}

/* Two 10 GbE streams of MTU frames at 70% of line rate each (568,920 frames/s). */
static void
test_full_duplex(void **state)
{
    (void)state;
    char text[1024];
    int up[2];
    for (int k = 0; k < 2; k++) {
        snprintf(text, sizeof text,
                 "[sim]\nduration_s = 0.3\nwarmup_s = 0.05\nreplications = 2\n"
                 "[device n]\nkind = nic\n"
                 "[workload a]\ndevice = n\narrival = fixed:568920/s\nsize = 1500\n"
                 "[workload b]\ndevice = n\narrival = fixed:568920/s\nsize = 1500\n"
                 "read_pct = %d\n",
                 k == 0 ? 0 : 100);
        struct sim_config *c = cfg(text);
        struct sim_result *r = run(c);
        up[k] = sim_keeps_up(&r->sum[0]) == 1 && sim_keeps_up(&r->sum[1]) == 1;
        print_message("  b %s: %.0f + %.0f frames/s\n", k == 0 ? "sends" : "receives",
                      r->sum[0].thr_per_s, r->sum[1].thr_per_s);
        sim_result_free(r);
        sim_config_free(c);
    }
    assert_int_equal(up[0], 1);
    assert_int_equal(up[1], 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_match_table),
        cmocka_unit_test(test_virtio_cost_grows_with_size),
        cmocka_unit_test(test_full_duplex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
