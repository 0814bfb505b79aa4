/* The libvirt source against libvirt's built-in test driver (test:///default: one
 * running domain "test", 2 vCPUs, 8 GiB maximum, synthetic counters), and a URI that
 * cannot connect. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/test_util.h"

#include "collect/col_source.h"

static void
test_default_driver(void **state)
{
    (void)state;
    struct col_opts o = {.libvirt_uri = "test:///default"};
    struct col_inventory inv = {.hypervisor = "none", .core_MHz = 2000};
    struct col_ctx ctx = {.opts = &o, .dt_s = NAN, .inv = &inv};
    struct ks_err err = {0};
    void *st = NULL;
    assert_int_equal(col_src_libvirt.open(&ctx, &st, &err), 0);
    struct col_snapshot snap;
    col_snapshot_init(&snap);
    assert_int_equal(col_src_libvirt.sample(st, &ctx, &snap, &err), 0);
    assert_int_equal(snap.nents, 0); /* baseline: counters only */
    usleep(100000);
    ctx.dt_s = 0.1;
    col_snapshot_clear(&snap);
    assert_int_equal(col_src_libvirt.sample(st, &ctx, &snap, &err), 0);
    assert_int_equal(snap.nents, 1);
    const struct col_entity_row *e = &snap.ents[0];
    assert_string_equal(e->entity, "test");
    assert_string_equal(e->kind, "vm");
    assert_string_equal(e->host, ""); /* the machine's own entity */
    assert_int_equal(e->vcpus, 2);
    tu_assert_near(e->mem_MiB, 8192, 1e-9);
    tu_assert_near(e->m[KS_MEM_TOTAL_MIB], 2048, 1e-9);    /* balloon actual */
    tu_assert_near(e->x[COL_X_VM_RSS_MIB], 1024, 1e-9);    /* rss */
    tu_assert_near(e->m[KS_MEM_USED_MIB], 2048 - 1024, 1e-9); /* available - unused */
    /* synthetic counters: only that they are rates, finite and not negative */
    assert_true(isfinite(e->m[KS_CPU_PCT]) && e->m[KS_CPU_PCT] >= 0);
    tu_assert_near(e->m[KS_CPU_MHZ], e->m[KS_CPU_PCT] / 100 * 2 * 2000, 1e-6);
    assert_true(isfinite(e->m[KS_DISK_READ_KIBPS]) && e->m[KS_DISK_READ_KIBPS] >= 0);
    assert_true(isfinite(e->m[KS_NET_RX_KIBPS]) && e->m[KS_NET_RX_KIBPS] >= 0);
    col_snapshot_fini(&snap);
    col_src_libvirt.close(st);
}

static void
test_bad_uri(void **state)
{
    (void)state;
    struct col_opts o = {.libvirt_uri = "test:///no/such/file.xml"};
    struct col_ctx ctx = {.opts = &o, .dt_s = NAN};
    struct ks_err err = {0};
    void *st = NULL;
    assert_int_equal(col_src_libvirt.open(&ctx, &st, &err), -ENOTSUP);
    assert_non_null(strstr(err.msg, "cannot connect to 'test:///no/such/file.xml'"));
    o.libvirt_uri = NULL;
    assert_int_equal(col_src_libvirt.open(&ctx, &st, &err), COL_SRC_OFF);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_driver),
        cmocka_unit_test(test_bad_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
