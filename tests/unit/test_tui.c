/* tui: model ring, canvas, drawing primitives, keys, fit arithmetic, catalog errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ks_util.h"
#include "tests/unit/test_util.h"
#include "tui/tui_canvas.h"
#include "tui/tui_draw.h"
#include "tui/tui_fit.h"
#include "tui/tui_model.h"
#include "tui/tui_ui.h"

static void
test_ring_wraps_newest_first(void **state)
{
    (void)state;
    static struct tui_ring r;
    tui_ring_clear(&r);
    assert_true(isnan(tui_ring_back(&r, 0)));
    for (int i = 0; i < TUI_HIST_CAP + 5; i++)
        tui_ring_push(&r, i);
    assert_int_equal(r.n, TUI_HIST_CAP);
    assert_true(tui_ring_back(&r, 0) == TUI_HIST_CAP + 4);
    assert_true(tui_ring_back(&r, TUI_HIST_CAP - 1) == 5);
    assert_true(isnan(tui_ring_back(&r, TUI_HIST_CAP)));
}

static void
test_model_history_sums_known_rates(void **state)
{
    (void)state;
    struct tui_model m;
    tui_model_init(&m);
    m.cpu_all.busy_pct = 42;
    m.mem_used_MiB = 1024;
    m.mem_total_MiB = 4096;
    struct tui_disk *d = tui_model_add_disk(&m);
    d->read_KiBps = 10;
    d->write_KiBps = ks_nan(); /* unknown counts as absent, not as 0 or NaN */
    d = tui_model_add_disk(&m);
    d->read_KiBps = 5;
    d->write_KiBps = 7;
    tui_model_push_history(&m);
    assert_true(tui_ring_back(&m.hist[TUI_H_CPU], 0) == 42);
    assert_true(tui_ring_back(&m.hist[TUI_H_MEM], 0) == 25);
    assert_true(tui_ring_back(&m.hist[TUI_H_DISK], 0) == 22);
    assert_true(isnan(tui_ring_back(&m.hist[TUI_H_NET], 0))); /* no NIC: unknown */
    tui_model_clear_lists(&m);
    assert_int_equal(m.disk.n, 0);
    tui_model_fini(&m);
}

static void
test_canvas_text_clip_and_utf8(void **state)
{
    (void)state;
    struct tui_canvas cv;
    char row[256];
    tui_canvas_init(&cv, 10, 2);
    int x = tui_puts(&cv, 0, 7, TUI_ST_NORMAL, "abcdef");
    assert_int_equal(x, 13); /* column after the text even when clipped */
    assert_string_equal(tui_canvas_row(&cv, 0, row, sizeof row), "       abc");
    tui_puts(&cv, 1, 0, TUI_ST_SPARK, "\xe2\x96\x81x\x01");
    assert_int_equal(cv.c[10].ch, 0x2581);
    assert_int_equal(cv.c[12].ch, '?'); /* control characters never reach the terminal */
    assert_string_equal(tui_canvas_row(&cv, 1, row, sizeof row), "\xe2\x96\x81x?");
    tui_putc(&cv, -1, 0, TUI_ST_NORMAL, 'z'); /* off the canvas: ignored */
    tui_putc(&cv, 0, 10, TUI_ST_NORMAL, 'z');
    const char *bad = "\xff\xe2\x96";
    assert_int_equal(tui_utf8_next(&bad), '?');
    assert_int_equal(tui_utf8_next(&bad), '?'); /* truncated sequence */
    tui_canvas_fini(&cv);
}

static void
test_blit_rows_copies_window(void **state)
{
    (void)state;
    struct tui_canvas a, b;
    char row[64];
    tui_canvas_init(&a, 8, 4);
    tui_canvas_init(&b, 8, 10);
    for (int y = 0; y < 10; y++)
        tui_printf(&b, y, 0, TUI_ST_NORMAL, "line%d", y);
    tui_blit_rows(&a, 1, &b, 5, 10); /* more rows than fit: clipped */
    assert_string_equal(tui_canvas_row(&a, 0, row, sizeof row), "");
    assert_string_equal(tui_canvas_row(&a, 1, row, sizeof row), "line5");
    assert_string_equal(tui_canvas_row(&a, 3, row, sizeof row), "line7");
    tui_canvas_fini(&a);
    tui_canvas_fini(&b);
}

static void
test_fmt_helpers(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(tui_fmt_num(b, sizeof b, ks_nan(), 5, 1), "    -");
    assert_string_equal(tui_fmt_num(b, sizeof b, 12.345, 7, 2), "  12.35");
    assert_string_equal(tui_fmt_duration(b, sizeof b, 3 * 86400 + 4 * 3600 + 5 * 60 + 6),
                        "3d 04:05:06");
    assert_string_equal(tui_fmt_duration(b, sizeof b, 59), "00:00:59");
    assert_string_equal(tui_fmt_duration(b, sizeof b, ks_nan()), "-");
    assert_string_equal(tui_fmt_time(b, sizeof b, 1767225660), "2026-01-01 00:01:00Z");
}

static void
test_bar_parts_mono_and_rounding(void **state)
{
    (void)state;
    struct tui_canvas cv;
    char row[128];
    tui_canvas_init(&cv, 20, 1);
    cv.mono = 1;
    struct tui_bar_part p[] = {{30, TUI_ST_USER, '|'},
                               {ks_nan(), TUI_ST_SYSTEM, '#'},
                               {20, TUI_ST_IOWAIT, '*'},
                               {10, TUI_ST_STEAL, '!'}};
    tui_draw_bar(&cv, 0, 0, 10, p, 4);
    assert_string_equal(tui_canvas_row(&cv, 0, row, sizeof row), "[|||**!    ]");
    assert_int_equal(cv.c[6].st, TUI_ST_STEAL);
    /* Colour terminals draw every part with '|' and tell them apart by style. */
    cv.mono = 0;
    struct tui_bar_part over[] = {{80, TUI_ST_USER, '|'}, {70, TUI_ST_STEAL, '!'}};
    tui_draw_bar(&cv, 0, 0, 10, over, 2);
    assert_string_equal(tui_canvas_row(&cv, 0, row, sizeof row), "[||||||||||]");
    assert_int_equal(cv.c[8].st, TUI_ST_USER);
    assert_int_equal(cv.c[9].st, TUI_ST_STEAL); /* clipped at 100%, never past ']' */
    assert_int_equal(cv.c[11].ch, ']');
    tui_canvas_fini(&cv);
}

static void
test_spark_scales_and_ascii(void **state)
{
    (void)state;
    struct tui_canvas cv;
    static struct tui_ring r;
    char row[64];
    tui_canvas_init(&cv, 6, 1);
    tui_ring_clear(&r);
    tui_ring_push(&r, 0);
    tui_ring_push(&r, ks_nan());
    tui_ring_push(&r, 50);
    tui_ring_push(&r, 100);
    assert_true(tui_draw_spark(&cv, 0, 0, 6, &r, 0) == 100); /* auto scale: the largest */
    assert_string_equal(tui_canvas_row(&cv, 0, row, sizeof row), "  _ :#");
    cv.utf8 = 1;
    tui_draw_spark(&cv, 0, 0, 6, &r, 200);
    assert_int_equal(cv.c[5].ch, 0x2584); /* 100 of 200: half height (4 eighths) */
    assert_int_equal(cv.c[2].ch, 0x2581);
    tui_canvas_fini(&cv);
}

static void
test_keys_screens_and_help(void **state)
{
    (void)state;
    struct tui_ui ui;
    tui_ui_init(&ui, 1, 0);
    assert_int_equal(tui_ui_key(&ui, '3'), TUI_ACT_REDRAW);
    assert_int_equal(ui.screen, TUI_SCR_FLOWS);
    ui.scroll = 7;
    tui_ui_key(&ui, '\t');
    assert_int_equal(ui.screen, TUI_SCR_COUNTERS);
    assert_int_equal(ui.scroll, 0); /* a new screen starts at its top */
    tui_ui_key(&ui, '\t');
    tui_ui_key(&ui, '\t');
    assert_int_equal(ui.screen, TUI_SCR_OVERVIEW); /* Tab wraps */
    assert_int_equal(tui_ui_key(&ui, '?'), TUI_ACT_REDRAW);
    assert_true(ui.help);
    assert_int_equal(tui_ui_key(&ui, '5'), TUI_ACT_REDRAW); /* closes help only */
    assert_false(ui.help);
    assert_int_equal(ui.screen, TUI_SCR_OVERVIEW);
    assert_int_equal(tui_ui_key(&ui, 'x'), TUI_ACT_NONE);
    tui_ui_key(&ui, 'h');
    assert_int_equal(tui_ui_key(&ui, TUI_KEY_RESIZE), TUI_ACT_REDRAW);
    assert_true(ui.help); /* a resize redraws the help, it does not close it */
    assert_int_equal(tui_ui_key(&ui, 'q'), TUI_ACT_QUIT); /* q quits even from help */
}

static void
test_keys_pause_sort_scroll_interval(void **state)
{
    (void)state;
    struct tui_ui ui;
    tui_ui_init(&ui, 1, 0);
    tui_ui_key(&ui, ' ');
    assert_true(ui.paused);
    assert_string_equal(ui.msg, "paused");
    tui_ui_key(&ui, 'p');
    assert_false(ui.paused);
    tui_ui_key(&ui, '2');
    ui.scroll = 3;
    tui_ui_key(&ui, 's');
    assert_int_equal(ui.scroll, 0);
    assert_int_equal(ui.sort[TUI_SCR_VMS], TUI_VSORT_MEM);
    assert_string_equal(ui.msg, "sorted by mem");
    for (int i = 0; i < 4; i++)
        tui_ui_key(&ui, 's');
    assert_int_equal(ui.sort[TUI_SCR_VMS], TUI_VSORT_CPU); /* cycles back */
    tui_ui_key(&ui, '4');
    tui_ui_key(&ui, 's');
    assert_string_equal(ui.msg, "nothing to sort on this screen");
    tui_ui_key(&ui, TUI_KEY_PGDN);
    tui_ui_key(&ui, TUI_KEY_UP);
    assert_int_equal(ui.scroll, 9);
    tui_ui_key(&ui, TUI_KEY_PGUP);
    assert_int_equal(ui.scroll, 0); /* never negative */
    assert_int_equal(tui_ui_key(&ui, '+'), TUI_ACT_INTERVAL);
    assert_true(ui.interval_s == 2);
    tui_ui_key(&ui, '-');
    tui_ui_key(&ui, '-');
    assert_true(ui.interval_s == 0.5);
    assert_int_equal(tui_ui_key(&ui, 'r'), TUI_ACT_RECORD);
}

static void
test_interval_ladder_ends(void **state)
{
    (void)state;
    assert_true(tui_interval_next(0.2, -1) == 0.2);
    assert_true(tui_interval_next(300, 1) == 300);
    assert_true(tui_interval_next(7, 1) == 10); /* off-ladder values join it */
    assert_true(tui_interval_next(7, -1) == 5);
}

static void
test_keys_replay_only(void **state)
{
    (void)state;
    struct tui_ui ui;
    tui_ui_init(&ui, 1, 0);
    assert_int_equal(tui_ui_key(&ui, TUI_KEY_RIGHT), TUI_ACT_REDRAW);
    assert_non_null(strstr(ui.msg, "--replay"));
    tui_ui_init(&ui, 1, 1);
    assert_int_equal(tui_ui_key(&ui, TUI_KEY_LEFT), TUI_ACT_STEP);
    assert_int_equal(ui.step, -1);
    assert_int_equal(tui_ui_key(&ui, TUI_KEY_RIGHT), TUI_ACT_STEP);
    assert_int_equal(ui.step, 1);
    assert_int_equal(tui_ui_key(&ui, 'g'), TUI_ACT_SEEK_START);
    assert_int_equal(tui_ui_key(&ui, 'G'), TUI_ACT_SEEK_END);
    tui_ui_key(&ui, ']');
    tui_ui_key(&ui, ']');
    assert_true(ui.speed == 4);
    for (int i = 0; i < 10; i++)
        tui_ui_key(&ui, '[');
    assert_true(ui.speed == 0.125); /* floor */
    for (int i = 0; i < 12; i++)
        tui_ui_key(&ui, ']');
    assert_true(ui.speed == 64); /* ceiling */
}

/* Hand-computed: capacity 1 x 8 x 2000 x 1.0 = 16000 MHz and 32 GiB = 32768 MiB.
 * CPU 3200..12800 MHz: sorted 3200 6400 8000 9600 12800, p95 at rank 3.8 =
 * 9600 + 0.8 x 3200 = 12160 = 76%; peak 80%. Memory p95 = 16384 + 0.8 x 4096 =
 * 19660.8 = 60%, peak 62.5%. */
static void
test_fit_percentiles(void **state)
{
    (void)state;
    struct tui_host_model hm = {.sockets = 1,
                                .cores_per_socket = 8,
                                .core_MHz = 2000,
                                .mem_GiB = 32,
                                .perf_per_core = 1,
                                .cap_MHz = 16000,
                                .cap_MiB = 32768};
    double cpu[] = {3200, 6400, 9600, 12800, 8000, NAN};
    double mem[] = {8192, 12288, 16384, 20480, 10240, NAN};
    struct tui_fit_result r;
    tui_fit_compute(&hm, cpu, mem, 6, &r);
    assert_int_equal(r.n_cpu, 5);
    assert_true(fabs(r.cpu_p95_pct - 76.0) < 1e-9);
    assert_true(fabs(r.cpu_peak_pct - 80.0) < 1e-9);
    assert_true(fabs(r.mem_p95_pct - 60.0) < 1e-9);
    assert_true(fabs(r.mem_peak_pct - 62.5) < 1e-9);
    assert_int_equal(r.copies_at_peak, 1);
    double big[] = {20000};
    tui_fit_compute(&hm, big, mem, 1, &r);
    assert_int_equal(r.copies_at_peak, 0); /* over capacity */
    double none[] = {NAN};
    tui_fit_compute(&hm, none, none, 1, &r);
    assert_int_equal(r.copies_at_peak, -1);
}

static char *
write_catalog(const char *text)
{
    char *d = tu_tmpdir();
    tu_write(d, "catalog.csv", text);
    return d;
}

static void
test_catalog_capacity_and_errors(void **state)
{
    (void)state;
    char *d = write_catalog("model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,"
                            "perf_per_core\nA,2,16,2,2500,256,1.2\nB,1,4,1,3000,16,\n"
                            "C,1,x,1,3000,16,1\n");
    char path[4200];
    snprintf(path, sizeof path, "%s/catalog.csv", d);
    struct tui_host_model hm;
    struct ks_err err = {0};
    assert_int_equal(tui_catalog_find(path, "A", &hm, &err), 0);
    /* SMT (threads_per_core 2) counts at the planner's yield, as in kasane plan. */
    assert_true(fabs(hm.cap_MHz - 2 * 16 * 2500 * 1.2 * (1 + hm.smt_yield)) < 1e-6);
    assert_true(hm.smt_yield > 0 && hm.smt_yield < 1);
    /* The watched host is rated as the planner rates a source: a known CPU by the
     * table (an E5450 core is the scale's 1.0), SMT busy threads at the yield. */
    tui_fit_rate_source(&hm, "Intel(R) Xeon(R) CPU E5450 @ 3.00GHz", 4, 8, 3000);
    assert_string_equal(hm.src_rated_as, "Intel Xeon E5450");
    assert_true(fabs(hm.src_perf - 1.0) < 1e-9);
    double cpu[2] = {4 * 3000, 8 * 3000}, mem[2] = {1024, 1024};
    struct tui_fit_result fr;
    tui_fit_compute(&hm, cpu, mem, 2, &fr);
    assert_true(fabs(fr.cpu_peak_pct - 100.0 * 3000 * 4 * (1 + hm.smt_yield) / hm.cap_MHz) < 1e-9);
    tui_fit_rate_source(&hm, "Unknown Chip", 4, 4, 3000);
    assert_string_equal(hm.src_rated_as, "");
    assert_true(hm.src_perf > 0);
    assert_true(hm.cap_MiB == 256 * 1024);
    assert_int_equal(tui_catalog_find(path, "B", &hm, &err), 0);
    assert_true(hm.perf_per_core == 1.0); /* empty: the reference speed */
    assert_true(hm.cap_MHz == 12000);
    assert_true(tui_catalog_find(path, "C", &hm, &err) < 0);
    assert_non_null(strstr(err.msg, "catalog.csv:4"));
    assert_non_null(strstr(err.msg, "cores_per_socket"));
    ks_err_clear(&err);
    assert_true(tui_catalog_find(path, "Z", &hm, &err) < 0);
    assert_non_null(strstr(err.msg, "no host model 'Z'"));
    tu_write(d, "catalog.csv", "model,sockets,core_MHz,mem_GiB\nA,1,2000,8\n");
    ks_err_clear(&err);
    assert_true(tui_catalog_find(path, "A", &hm, &err) < 0);
    assert_non_null(strstr(err.msg, "cores_per_socket"));
    tu_write(d, "catalog.csv", "model,sockets,cores_per_socket,core_MHz,mem_GiB\nA,0,4,2000,8\n");
    ks_err_clear(&err);
    assert_true(tui_catalog_find(path, "A", &hm, &err) < 0);
    assert_non_null(strstr(err.msg, "sockets: must be above 0"));
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_wraps_newest_first),
        cmocka_unit_test(test_model_history_sums_known_rates),
        cmocka_unit_test(test_canvas_text_clip_and_utf8),
        cmocka_unit_test(test_blit_rows_copies_window),
        cmocka_unit_test(test_fmt_helpers),
        cmocka_unit_test(test_bar_parts_mono_and_rounding),
        cmocka_unit_test(test_spark_scales_and_ascii),
        cmocka_unit_test(test_keys_screens_and_help),
        cmocka_unit_test(test_keys_pause_sort_scroll_interval),
        cmocka_unit_test(test_interval_ladder_ends),
        cmocka_unit_test(test_keys_replay_only),
        cmocka_unit_test(test_fit_percentiles),
        cmocka_unit_test(test_catalog_capacity_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
