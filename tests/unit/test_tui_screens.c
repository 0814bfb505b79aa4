/* tui: the replay feed over tests/fixtures/top/basic and every screen rendered from it
 * onto a canvas (no terminal involved). Expected figures are the fixture's own rows. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ks_util.h"
#include "tests/unit/test_util.h"
#include "tui/tui_canvas.h"
#include "tui/tui_feed.h"
#include "tui/tui_render.h"
#include "tui/tui_replay.h"

struct fx {
    struct tui_model m;
    struct tui_feed f;
    struct tui_ui ui;
    struct tui_canvas cv;
    struct tui_view v;
};

static const char *
fixture_named(const char *name)
{
    static char p[4096];
    const char *root = getenv("KASANE_ROOT");
    snprintf(p, sizeof p, "%s/tests/fixtures/top/%s", root ? root : ".", name);
    return p;
}

static const char *
fixture(void)
{
    return fixture_named("basic");
}

static int
fx_open_ds(struct fx *x, const char *ds, const char *entity, int w, int h)
{
    struct ks_err err = {0};
    memset(x, 0, sizeof *x);
    tui_model_init(&x->m);
    int rc = tui_replay_open(ds, entity, &x->m, &x->f, &err);
    if (rc < 0)
        print_error("%s\n", err.msg);
    tui_ui_init(&x->ui, 1, 1);
    tui_canvas_init(&x->cv, w, h);
    x->v = (struct tui_view){.m = &x->m, .ui = &x->ui};
    return rc;
}

static int
fx_open(struct fx *x, const char *entity, int w, int h)
{
    return fx_open_ds(x, fixture(), entity, w, h);
}

static void
fx_close(struct fx *x)
{
    tui_feed_close(&x->f);
    tui_model_fini(&x->m);
    tui_canvas_fini(&x->cv);
}

/* Render, then the first row containing needle (or -1), copied into line. */
static int
find_row(struct fx *x, const char *needle, char *line, size_t n)
{
    tui_render(&x->cv, &x->v);
    for (int y = 0; y < x->cv.h; y++)
        if (strstr(tui_canvas_row(&x->cv, y, line, n), needle))
            return y;
    line[0] = '\0';
    return -1;
}

static void
test_replay_first_sample(void **state)
{
    (void)state;
    struct fx x;
    assert_int_equal(fx_open(&x, NULL, 120, 40), 0);
    assert_string_equal(x.m.host, "srv01.example"); /* first entity with samples */
    assert_string_equal(x.m.virt, "kvm host");
    assert_true(x.m.time_s == 1767225660);
    assert_true(x.m.uptime_s == 60); /* from the start of the first interval */
    assert_true(x.m.cpu_all.busy_pct == 20 && x.m.cpu_all.steal_pct == 1.5);
    assert_true(x.m.cpu_MHz == 3200);
    assert_int_equal(x.m.disk.n, 1);
    assert_true(x.m.disk.v[0].write_KiBps == 200 && x.m.disk.v[0].await_ms == 1.25);
    assert_true(x.m.nic.v[0].tx_pps == 40 && isnan(x.m.nic.v[0].errs_ps));
    assert_int_equal(x.m.replay_count, 5);
    assert_int_equal(x.m.hist[TUI_H_CPU].n, 1);
    assert_true(tui_ring_back(&x.m.hist[TUI_H_NET], 0) == 700);
    fx_close(&x);
}

static void
test_replay_step_seek_clamp(void **state)
{
    (void)state;
    struct fx x;
    struct ks_err err = {0};
    assert_int_equal(fx_open(&x, "srv01", 120, 40), 0);
    assert_int_equal(x.f.ops->advance(x.f.ctx, &x.m, 1, &err), 1);
    assert_int_equal(x.m.replay_pos, 1);
    assert_true(x.m.cpu_all.busy_pct == 40);
    assert_int_equal(x.m.dem_cpu_MHz.n, 2);
    assert_int_equal(x.f.ops->seek(x.f.ctx, &x.m, -1, &err), 1);
    assert_int_equal(x.m.replay_pos, 4);
    assert_int_equal(x.m.hist[TUI_H_CPU].n, 5); /* history rebuilt up to the end */
    assert_true(tui_ring_back(&x.m.hist[TUI_H_CPU], 1) == 80);
    assert_int_equal(x.f.ops->advance(x.f.ctx, &x.m, 1, &err), 0); /* at the end */
    assert_int_equal(x.f.ops->advance(x.f.ctx, &x.m, -10, &err), 1);
    assert_int_equal(x.m.replay_pos, 0);
    assert_int_equal(x.m.dem_mem_MiB.n, 1);
    assert_int_equal(x.f.ops->advance(x.f.ctx, &x.m, 3, &err), 1); /* a jump */
    assert_true(x.m.mem_used_MiB == 20480);
    assert_int_equal(x.m.hist[TUI_H_MEM].n, 4);
    assert_null(x.f.ops->record); /* nothing to record in a replay */
    fx_close(&x);
}

static void
test_replay_bad_input(void **state)
{
    (void)state;
    struct tui_model m;
    struct tui_feed f = {0};
    struct ks_err err = {0};
    tui_model_init(&m);
    assert_true(tui_replay_open(fixture(), "nosuch", &m, &f, &err) < 0);
    assert_non_null(strstr(err.msg, "inventory.csv: no entity 'nosuch'"));
    ks_err_clear(&err);
    assert_true(tui_replay_open("/nonexistent/ds", NULL, &m, &f, &err) < 0);
    assert_non_null(strstr(err.msg, "/nonexistent/ds"));
    char *d = tu_tmpdir();
    tu_write(d, "inventory.csv", "entity,kind\na,physical\n");
    ks_err_clear(&err);
    assert_true(tui_replay_open(d, NULL, &m, &f, &err) < 0);
    assert_non_null(strstr(err.msg, "no samples to replay"));
    tu_rmrf(d);
    free(d);
    tui_model_fini(&m);
}

static void
test_render_overview_places(void **state)
{
    (void)state;
    struct fx x;
    char line[1024];
    assert_int_equal(fx_open(&x, NULL, 120, 40), 0);
    assert_int_equal(find_row(&x, "kasane top", line, sizeof line), 0);
    assert_non_null(
        strstr(line, "srv01.example  kvm host  elapsed 00:01:00  60s samples, step every 1s"));
    assert_int_equal(find_row(&x, "replay 1/5  2026-01-01 00:01:00Z  x1", line, sizeof line), 1);
    int y = find_row(&x, "all disks", line, sizeof line);
    assert_true(y > 2);
    assert_string_equal(line, "all disks         10.0      20.0      100.0      200.0      1.25"
                              "     5.0");
    assert_true(find_row(&x,
                         "all NICs          300.0      400.0      30.0      40.0        -"
                         "        -",
                         line, sizeof line) > y);
    assert_true(find_row(&x, "8192/32768 MiB 25.0%", line, sizeof line) > 0);
    y = find_row(&x, "20.0% st   1.5%", line, sizeof line);
    assert_true(y > 0);
    assert_true(strncmp(line, "all   [", 7) == 0);
    assert_int_equal(find_row(&x, "q quit", line, sizeof line), 39);
    fx_close(&x);
}

static void
test_render_too_small_and_help(void **state)
{
    (void)state;
    struct fx x;
    char line[1024];
    assert_int_equal(fx_open(&x, NULL, 60, 20), 0);
    assert_true(find_row(&x, "Terminal too small: 60x20.", line, sizeof line) >= 0);
    assert_true(find_row(&x, "needs at least 80x24", line, sizeof line) >= 0);
    assert_int_equal(find_row(&x, "kasane top  srv01", line, sizeof line), -1);
    tui_canvas_resize(&x.cv, 80, 24); /* exactly the minimum is enough */
    assert_int_equal(find_row(&x, "Terminal too small", line, sizeof line), -1);
    x.ui.help = 1;
    assert_true(find_row(&x, "kasane top - keys", line, sizeof line) > 0);
    fx_close(&x);
}

static void
test_render_vms_sorted(void **state)
{
    (void)state;
    struct fx x;
    struct ks_err err = {0};
    char line[1024];
    assert_int_equal(fx_open(&x, NULL, 120, 40), 0);
    x.f.ops->seek(x.f.ctx, &x.m, -1, &err);
    x.ui.screen = TUI_SCR_VMS;
    int web = find_row(&x, "vm-web", line, sizeof line);
    assert_string_equal(line, "vm-web                        2    55.0       2004          3.0"
                              "       1104.0");
    int db = find_row(&x, "vm-db", line, sizeof line);
    assert_true(web < db); /* by CPU: 55% before 30% */
    x.ui.sort[TUI_SCR_VMS] = TUI_VSORT_NAME;
    assert_true(find_row(&x, "vm-db", line, sizeof line) < find_row(&x, "vm-web", line, 1024));
    fx_close(&x);
    /* Replaying a VM lists the other VMs, not itself; the host is not a VM. */
    assert_int_equal(fx_open(&x, "vm-db", 120, 40), 0);
    assert_int_equal(x.m.vm.n, 1);
    assert_string_equal(x.m.vm.v[0].name, "vm-web");
    assert_string_equal(x.m.virt, "kvm guest");
    fx_close(&x);
}

static void
test_render_flows_aggregated(void **state)
{
    (void)state;
    struct fx x;
    char line[1024];
    assert_int_equal(fx_open(&x, NULL, 120, 40), 0);
    /* Interval (t0, t0 + 60]: two rows of 10.0.0.5 -> 10.0.0.9 tcp/443 merge. */
    assert_int_equal(x.m.flow.n, 3);
    x.ui.screen = TUI_SCR_FLOWS;
    int y = find_row(&x, "SOURCE", line, sizeof line);
    tui_canvas_row(&x.cv, y + 1, line, sizeof line);
    assert_string_equal(line, "10.0.0.5             10.0.0.9             tcp      443"
                              "       3072.0       2200");
    x.ui.sort[TUI_SCR_FLOWS] = TUI_FSORT_PACKETS;
    tui_render(&x.cv, &x.v);
    tui_canvas_row(&x.cv, y + 1, line, sizeof line);
    assert_true(strncmp(line, "10.0.0.8", 8) == 0); /* 3000 packets */
    assert_true(find_row(&x, "udp", line, sizeof line) > 0);
    assert_true(find_row(&x, "tcp              3082.0         5200    98.4", line, 1024) > 0);
    fx_close(&x);
}

static void
test_render_counters_and_fit(void **state)
{
    (void)state;
    struct fx x;
    struct ks_err err = {0};
    char line[1024];
    assert_int_equal(fx_open(&x, NULL, 120, 40), 0);
    x.ui.screen = TUI_SCR_COUNTERS;
    assert_true(
        find_row(&x, "why: no PMU: hypervisor hides counters (inventory notes)", line, 1024) > 0);
    assert_true(find_row(&x, "LLC misses/s                  unavailable", line, 1024) > 0);
    /* A long reason wraps at a blank instead of running off the screen. */
    tui_canvas_resize(&x.cv, 80, 24);
    snprintf(x.m.counters_note, sizeof x.m.counters_note, "%s",
             "inside a kvm guest the hypervisor hides the PMU; and the collector has no "
             "PAPI source yet, so neither IPC nor LLC misses can be read here");
    int y = find_row(&x, "why: inside", line, 1024);
    assert_true(y > 0 && strlen(line) <= 80 && line[strlen(line) - 1] != ' ');
    assert_true(strncmp(tui_canvas_row(&x.cv, y + 1, line, sizeof line), "     ", 5) == 0);
    x.ui.screen = TUI_SCR_FIT;
    assert_true(find_row(&x, "Give --catalog FILE --model NAME", line, sizeof line) > 0);
    struct tui_host_model hm;
    char cat[4200];
    snprintf(cat, sizeof cat, "%s/../catalog.csv", fixture());
    assert_int_equal(tui_catalog_find(cat, "M1", &hm, &err), 0);
    x.v.fit = &hm;
    x.f.ops->seek(x.f.ctx, &x.m, -1, &err);
    assert_true(find_row(&x, "p95  76.0% peak  80.0%", line, sizeof line) > 0);
    assert_true(strncmp(line, "CPU", 3) == 0);
    assert_true(find_row(&x, "p95  60.0% peak  62.5%", line, sizeof line) > 0);
    assert_true(find_row(&x, "One M1 carries 1 host(s)", line, sizeof line) > 0);
    fx_close(&x);
}

/* A dataset written by the collector: its extra columns and cores.csv are shown. */
static void
test_replay_collector_dataset(void **state)
{
    (void)state;
    struct fx x;
    struct ks_err err = {0};
    char line[1024];
    assert_int_equal(fx_open_ds(&x, fixture_named("recorded"), NULL, 120, 40), 0);
    assert_int_equal(x.m.cpu.n, 2);
    assert_string_equal(x.m.cpu.v[1].name, "cpu1");
    assert_true(x.m.cpu.v[0].user_pct == 30 && x.m.cpu.v[0].system_pct == 10);
    assert_true(x.m.cpu_all.user_pct == 30 && x.m.cpu_all.steal_pct == 20);
    assert_true(x.m.swap_used_MiB == 512 && x.m.swap_total_MiB == 2048);
    assert_true(x.m.nic.v[0].errs_ps == 0 && x.m.nic.v[0].drops_ps == 0);
    /* Parts by character: of 88 cells, user 30% = 26.4 -> 26; user + system 40% = 35.2
     * -> 35, so 9 system; + steal 60% = 52.8 -> 53, so 18 steal. */
    x.cv.mono = 1;
    assert_true(find_row(&x, "cpu0  [", line, sizeof line) > 0);
    assert_int_equal(strspn(line + 7, "|"), 26);
    assert_int_equal(strspn(line + 7 + 26, "#"), 9);
    assert_int_equal(strspn(line + 7 + 35, "!"), 18);
    assert_int_equal(line[7 + 53], ' ');
    assert_true(find_row(&x, "512/2048 MiB 25.0%", line, sizeof line) > 0);
    assert_int_equal(x.f.ops->advance(x.f.ctx, &x.m, 1, &err), 1);
    assert_true(x.m.cpu.v[1].user_pct == 20 && x.m.cpu.v[1].steal_pct == 40);
    assert_int_equal(x.m.cpu.n, 2); /* the lists are refilled, not appended to */
    /* Its notes are about other things: the generic reason, not the notes. */
    assert_non_null(strstr(x.m.counters_note, "not recorded in this dataset"));
    fx_close(&x);
}

/* At the minimum size every screen's widest line still fits: nothing is drawn in the
 * last column, where a clipped table would end. */
static void
test_screens_fit_80_columns(void **state)
{
    (void)state;
    struct fx x;
    struct ks_err err = {0};
    struct tui_host_model hm;
    char cat[4200];
    snprintf(cat, sizeof cat, "%s/../catalog.csv", fixture());
    assert_int_equal(tui_catalog_find(cat, "M1", &hm, &err), 0);
    assert_int_equal(fx_open(&x, NULL, 80, 24), 0);
    x.v.fit = &hm;
    for (int s = 0; s < TUI_NSCREEN; s++) {
        x.ui.screen = (enum tui_screen)s;
        tui_render(&x.cv, &x.v);
        for (int y = 2; y < x.cv.h - 1; y++)
            assert_int_equal(x.cv.c[(size_t)y * 80 + 79].ch, ' ');
    }
    fx_close(&x);
}

/* VMs scroll under a pinned title and column header. */
static void
test_vms_header_pinned(void **state)
{
    (void)state;
    struct fx x;
    char line[1024];
    assert_int_equal(fx_open_ds(&x, fixture_named("manyvms"), "hv1", 80, 24), 0);
    x.ui.screen = TUI_SCR_VMS;
    x.ui.scroll = 3;
    tui_render(&x.cv, &x.v);
    assert_true(
        strncmp(tui_canvas_row(&x.cv, 2, line, sizeof line), "VMS  40, sorted by cpu", 22) == 0);
    assert_true(strncmp(tui_canvas_row(&x.cv, 3, line, sizeof line), "VM  ", 4) == 0);
    assert_true(strncmp(tui_canvas_row(&x.cv, 4, line, sizeof line), "vm37 ", 5) == 0);
    x.ui.scroll = 1000; /* 42 body lines, 21 rows: at most 21 lines down */
    tui_render(&x.cv, &x.v);
    assert_int_equal(x.ui.scroll, 21);
    assert_true(strncmp(tui_canvas_row(&x.cv, 22, line, sizeof line), "vm01 ", 5) == 0);
    fx_close(&x);
}

static void
test_scroll_clamped_to_body(void **state)
{
    (void)state;
    struct fx x;
    char line[1024];
    assert_int_equal(fx_open(&x, NULL, 80, 24), 0);
    for (int i = 0; i < 16; i++) { /* a 16-core host: the body no longer fits */
        struct tui_cpu *c = tui_model_add_cpu(&x.m);
        tui_cpu_unknown(c, "cpuN");
    }
    x.ui.scroll = 1000;
    tui_render(&x.cv, &x.v);
    assert_true(x.ui.scroll < 1000 && x.ui.scroll > 0); /* body taller than 21 rows */
    /* The last body line (the net sparkline) is on the last body row. */
    assert_int_equal(find_row(&x, "net ", line, sizeof line), 22);
    x.ui.scroll = 0;
    assert_int_equal(find_row(&x, "net ", line, sizeof line), -1);
    fx_close(&x);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_first_sample),
        cmocka_unit_test(test_replay_step_seek_clamp),
        cmocka_unit_test(test_replay_bad_input),
        cmocka_unit_test(test_render_overview_places),
        cmocka_unit_test(test_render_too_small_and_help),
        cmocka_unit_test(test_render_vms_sorted),
        cmocka_unit_test(test_render_flows_aggregated),
        cmocka_unit_test(test_render_counters_and_fit),
        cmocka_unit_test(test_replay_collector_dataset),
        cmocka_unit_test(test_screens_fit_80_columns),
        cmocka_unit_test(test_vms_header_pinned),
        cmocka_unit_test(test_scroll_clamped_to_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
