/* tui: the live feed over the collector's fixture trees (tests/fixtures/proc), and the
 * header words for hypervisor and kind. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ks_util.h"
#include "tests/unit/test_util.h"
#include "tui/tui_feed.h"
#include "tui/tui_live.h"

/* "R/tests/fixtures/proc/S/1,R/.../S/2,..." for n trees. */
static const char *
seq(const char *scenario, int n)
{
    static char buf[8192];
    const char *root = getenv("KASANE_ROOT");
    size_t len = 0;
    for (int i = 1; i <= n; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s/tests/fixtures/proc/%s/%d",
                                i > 1 ? "," : "", root ? root : ".", scenario, i);
    return buf;
}

static void
test_live_rates_from_tree_sequence(void **state)
{
    (void)state;
    struct tui_model m;
    struct tui_feed f = {0};
    struct ks_err err = {0};
    struct tui_live_opts o = {.root = seq("steal-rising", 3), .root_seq = 1};
    tui_model_init(&m);
    assert_int_equal(tui_live_open(&o, &m, &f, &err), 0);
    assert_string_equal(m.host, "guest1");
    assert_string_equal(m.virt, "kvm guest");
    assert_string_equal(m.note, "waiting for the first interval");
    assert_true(isnan(m.cpu_all.busy_pct)); /* the baseline has no rates */
    assert_int_equal(f.ops->advance(f.ctx, &m, 1, &err), 1);
    assert_true(fabs(m.cpu_all.busy_pct - 60) < 1e-9 && fabs(m.cpu_all.steal_pct - 20) < 1e-9);
    assert_true(fabs(m.cpu_MHz - 2400) < 1e-6);
    assert_int_equal(m.cpu.n, 2);
    assert_string_equal(m.cpu.v[1].name, "cpu1");
    assert_string_equal(m.note, "");
    assert_true(m.interval_s == 10); /* the trees' own clock */
    assert_int_equal(f.ops->advance(f.ctx, &m, 1, &err), 1);
    assert_true(fabs(m.cpu_all.steal_pct - 40) < 1e-9);
    /* After the last tree no time passes: nothing new, the screen keeps the rates. */
    assert_int_equal(f.ops->advance(f.ctx, &m, 1, &err), 0);
    assert_true(fabs(m.cpu_all.busy_pct - 70) < 1e-9);
    assert_int_equal(m.dem_cpu_MHz.n, 2);
    assert_int_equal(m.hist[TUI_H_CPU].n, 2);
    assert_null(f.ops->seek);
    tui_feed_close(&f);
    tui_model_fini(&m);
}

static void
test_live_totals_leave_out_loopback(void **state)
{
    (void)state;
    struct tui_model m;
    struct tui_feed f = {0};
    struct ks_err err = {0};
    struct tui_live_opts o = {.root = seq("kvm-guest", 2), .root_seq = 1};
    tui_model_init(&m);
    assert_int_equal(tui_live_open(&o, &m, &f, &err), 0);
    assert_int_equal(f.ops->advance(f.ctx, &m, 1, &err), 1);
    int lo = 0;
    for (size_t i = 0; i < m.nic.n; i++)
        lo |= strcmp(m.nic.v[i].name, "lo*") == 0;
    assert_true(lo);                                                      /* listed, marked */
    assert_true(fabs(tui_ring_back(&m.hist[TUI_H_NET], 0) - 150) < 1e-9); /* eth0 only */
    assert_true(fabs(m.cpu_all.user_pct - 40) < 1e-9);
    tui_feed_close(&f);
    tui_model_fini(&m);
}

static void
test_live_record_and_errors(void **state)
{
    (void)state;
    struct tui_model m;
    struct tui_feed f = {0};
    struct ks_err err = {0};
    char *d = tu_tmpdir(), path[4200];
    struct tui_live_opts o = {
        .root = seq("steal-rising", 3), .root_seq = 1, .record = d, .entity = "e1"};
    tui_model_init(&m);
    assert_int_equal(tui_live_open(&o, &m, &f, &err), 0);
    assert_true(m.recording);
    assert_int_equal(f.ops->record(f.ctx, &m, 0, &err), 0); /* r: pause */
    assert_false(m.recording);
    assert_int_equal(f.ops->advance(f.ctx, &m, 1, &err), 1); /* not recorded */
    assert_int_equal(f.ops->record(f.ctx, &m, 1, &err), 0); /* r: resume */
    assert_true(m.recording);
    assert_int_equal(f.ops->advance(f.ctx, &m, 1, &err), 1);
    tui_feed_close(&f);
    snprintf(path, sizeof path, "%s/samples.csv", d);
    char *text = tu_slurp(path, NULL);
    assert_non_null(text);
    assert_null(strstr(text, "1700001010")); /* the paused interval was not recorded */
    char *row = strstr(text, "\n1700001020,e1,10,");
    assert_non_null(row); /* the one after resuming was, and says rows are missing */
    assert_non_null(strstr(row, "record_resumed"));
    free(text);
    tu_rmrf(d);
    free(d);
    /* No --record: r explains; a missing root is an error naming it. */
    struct tui_live_opts o2 = {.root = seq("kvm-guest", 1)};
    assert_int_equal(tui_live_open(&o2, &m, &f, &err), 0);
    assert_true(f.ops->record(f.ctx, &m, 1, &err) < 0);
    assert_non_null(strstr(err.msg, "--record DATASET"));
    tui_feed_close(&f);
    ks_err_clear(&err);
    struct tui_live_opts o3 = {.root = "/nonexistent/tree"};
    assert_true(tui_live_open(&o3, &m, &f, &err) < 0);
    assert_non_null(strstr(err.msg, "/nonexistent/tree"));
    tui_model_fini(&m);
}

static void
test_live_vms_from_entity_rows(void **state)
{
    (void)state;
    struct col_snapshot s;
    struct tui_model m;
    col_snapshot_init(&s);
    tui_model_init(&m);
    struct col_entity_row *e = col_snapshot_add_entity(&s, "web01");
    e->vcpus = 4;
    e->mem_MiB = 8192; /* configured; used memory unknown */
    e->m[KS_CPU_PCT] = 37.5;
    e->m[KS_NET_RX_KIBPS] = 10;
    e->m[KS_NET_TX_KIBPS] = 5;
    e = col_snapshot_add_entity(&s, "db01");
    e->m[KS_MEM_USED_MIB] = 3000;
    e->m[KS_DISK_WRITE_KIBPS] = 250;
    tui_live_fill_vms(&s, &m);
    assert_int_equal(m.vm.n, 2);
    assert_string_equal(m.vm.v[0].name, "web01");
    assert_true(m.vm.v[0].vcpus == 4 && m.vm.v[0].cpu_pct == 37.5);
    assert_true(m.vm.v[0].mem_MiB == 8192 && m.vm.v[0].net_KiBps == 15);
    assert_true(isnan(m.vm.v[0].disk_KiBps));
    assert_true(isnan(m.vm.v[1].vcpus)); /* -1: unknown */
    assert_true(m.vm.v[1].mem_MiB == 3000 && m.vm.v[1].disk_KiBps == 250);
    tui_model_fini(&m);
    col_snapshot_fini(&s);
}

/* The note that explains missing counters (or a failed source) is found among the
 * inventory's other notes, whole, without the separator or its blank. */
static void
test_inventory_note_picks_the_right_one(void **state)
{
    (void)state;
    char b[160];
    const char *notes = "core_MHz from /proc/cpuinfo; kvm guest: steal time; source papi "
                        "unavailable: no PMU (x); source libvirt unavailable: cannot connect";
    assert_int_equal(tui_inventory_note(notes, tui_counter_words, b, sizeof b), 1);
    assert_string_equal(b, "source papi unavailable: no PMU (x) (inventory notes)");
    const char *const lv[] = {"libvirt", NULL};
    assert_int_equal(tui_inventory_note(notes, lv, b, sizeof b), 1);
    assert_string_equal(b, "source libvirt unavailable: cannot connect (inventory notes)");
    const char *const none[] = {"pcap", NULL};
    assert_int_equal(tui_inventory_note(notes, none, b, sizeof b), 0);
    assert_int_equal(tui_inventory_note("", tui_counter_words, b, sizeof b), 0);
}

static void
test_virt_words(void **state)
{
    (void)state;
    char b[48];
    tui_virt_text("none", "physical", b, sizeof b);
    assert_string_equal(b, "bare metal");
    tui_virt_text("kvm", "vm", b, sizeof b);
    assert_string_equal(b, "kvm guest");
    tui_virt_text("xen", "host", b, sizeof b);
    assert_string_equal(b, "xen host");
    tui_virt_text("none", "host", b, sizeof b);
    assert_string_equal(b, "hypervisor host");
    tui_virt_text(NULL, "physical", b, sizeof b);
    assert_string_equal(b, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_rates_from_tree_sequence),
        cmocka_unit_test(test_live_totals_leave_out_loopback),
        cmocka_unit_test(test_live_record_and_errors),
        cmocka_unit_test(test_live_vms_from_entity_rows),
        cmocka_unit_test(test_inventory_note_picks_the_right_one),
        cmocka_unit_test(test_virt_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
