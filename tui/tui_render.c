/*
 * The chrome (header, tabs, status line, help, too-small message) and the Overview.
 * The body of every screen is drawn on its own canvas as tall as it needs and then
 * copied into the window at the scroll offset: scrolling costs one row copy.
 */
#include "tui/tui_render.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_util.h"
#include "tui/tui_draw.h"

/* Width of the label column left of every bar and sparkline. */
#define LABEL_W 6
/* Width of the text right of a bar ("100.0% st 100.0%"). */
#define BAR_TEXT_W 24

/* A bound, not an exact count: the body canvas is sized once per frame from the
 * model's list lengths plus the fixed lines of the longest screen. */
int
tui_body_lines_max(const struct tui_model *m)
{
    size_t n = 40 + m->cpu.n + m->disk.n + m->nic.n + m->vm.n + 2 * m->flow.n;
    return n > 100000 ? 100000 : (int)n;
}

/* ---- Overview ---------------------------------------------------------------------- */

/* One CPU as a stacked bar: parts in the order htop uses, then busy % and steal %
 * as numbers (colours alone are no use in a screenshot or a monochrome terminal). */
static void
cpu_line(struct tui_canvas *b, int y, const struct tui_cpu *c)
{
    int bw = b->w - LABEL_W - 2 - BAR_TEXT_W;
    /* Without a user/system split (a dataset has only busy and steal), the busy part
     * that is not steal is drawn as one user-coloured part. */
    double other = ks_nan();
    if (ks_isnan(c->user_pct) && ks_isnan(c->system_pct) && !ks_isnan(c->busy_pct))
        other = c->busy_pct - (ks_isnan(c->steal_pct) ? 0 : c->steal_pct);
    struct tui_bar_part parts[] = {
        {ks_isnan(other) ? c->user_pct : other, TUI_ST_USER, '|'},
        {c->system_pct, TUI_ST_SYSTEM, '#'},
        {c->iowait_pct, TUI_ST_IOWAIT, '*'},
        {c->steal_pct, TUI_ST_STEAL, '!'},
    };
    char a[16], s[16];
    tui_printf(b, y, 0, TUI_ST_TITLE, "%-*.*s", LABEL_W, LABEL_W - 1, c->name);
    tui_draw_bar(b, y, LABEL_W, bw, parts, sizeof parts / sizeof *parts);
    tui_printf(b, y, LABEL_W + bw + 2, TUI_ST_NORMAL, " %s%% st %s%%",
               tui_fmt_num(a, sizeof a, c->busy_pct, 5, 1),
               tui_fmt_num(s, sizeof s, c->steal_pct, 5, 1));
}

static int
cpu_section(struct tui_canvas *b, int y, const struct tui_model *m)
{
    int x = tui_puts(b, y, 0, TUI_ST_TITLE, "CPU  ");
    x = tui_puts(b, y, x + 1, TUI_ST_USER, b->mono ? "| user" : "user");
    x = tui_puts(b, y, x + 2, TUI_ST_SYSTEM, b->mono ? "# system" : "system");
    x = tui_puts(b, y, x + 2, TUI_ST_IOWAIT, b->mono ? "* iowait" : "iowait");
    x = tui_puts(b, y, x + 2, TUI_ST_STEAL, b->mono ? "! steal" : "steal");
    if (m->cpu.n == 0 && !ks_isnan(m->cpu_all.busy_pct) && ks_isnan(m->cpu_all.user_pct))
        tui_puts(b, y, x + 2, TUI_ST_DIM, "(totals only: busy and steal)");
    y++;
    for (size_t i = 0; i < m->cpu.n; i++)
        cpu_line(b, y++, &m->cpu.v[i]);
    cpu_line(b, y++, &m->cpu_all);
    return y;
}

static void
mem_line(struct tui_canvas *b, int y, const char *label, double used, double total,
         enum tui_style st, char mono_ch)
{
    int bw = b->w - LABEL_W - 2 - BAR_TEXT_W;
    double pct = total > 0 ? 100.0 * used / total : ks_nan();
    struct tui_bar_part part = {pct, st, mono_ch};
    char u[24], t[24], p[16];
    tui_printf(b, y, 0, TUI_ST_TITLE, "%-*s", LABEL_W, label);
    tui_draw_bar(b, y, LABEL_W, bw, &part, 1);
    tui_printf(b, y, LABEL_W + bw + 2, TUI_ST_NORMAL, " %s/%s MiB %s%%",
               tui_fmt_num(u, sizeof u, used, 0, 0), tui_fmt_num(t, sizeof t, total, 0, 0),
               tui_fmt_num(p, sizeof p, pct, 0, 1));
}

#define DISK_COL(t, w, d, f)                                                                       \
    {                                                                                              \
        t, w, d, offsetof(struct tui_disk, f)                                                      \
    }
static const struct tui_col disk_cols[] = {
    DISK_COL("r/s", 9, 1, read_iops),      DISK_COL("w/s", 9, 1, write_iops),
    DISK_COL("rKiB/s", 10, 1, read_KiBps), DISK_COL("wKiB/s", 10, 1, write_KiBps),
    DISK_COL("await_ms", 9, 2, await_ms),  DISK_COL("util%", 7, 1, util_pct),
};
#define NIC_COL(t, w, d, f)                                                                        \
    {                                                                                              \
        t, w, d, offsetof(struct tui_nic, f)                                                       \
    }
static const struct tui_col nic_cols[] = {
    NIC_COL("rxKiB/s", 10, 1, rx_KiBps), NIC_COL("txKiB/s", 10, 1, tx_KiBps),
    NIC_COL("rxpk/s", 9, 1, rx_pps),     NIC_COL("txpk/s", 9, 1, tx_pps),
    NIC_COL("err/s", 8, 1, errs_ps),     NIC_COL("drop/s", 8, 1, drops_ps),
};

/* Disks and NICs, busiest first (or by name: the s key). */
static int
io_tables(struct tui_canvas *b, int y, const struct tui_view *v)
{
    const struct tui_model *m = v->m;
    int by_name = v->ui->sort[TUI_SCR_OVERVIEW] == TUI_SORT_NAME;
    struct tui_disk *d = tui_sorted_rows(m->disk.v, m->disk.n, sizeof *d, by_name,
                                         offsetof(struct tui_disk, read_KiBps),
                                         offsetof(struct tui_disk, write_KiBps));
    y = tui_draw_table(b, y, "DISK", 12, disk_cols, 6, d, m->disk.n, sizeof *d);
    if (m->disk.n == 0)
        tui_puts(b, y++, 0, TUI_ST_DIM, "  no disk figures");
    free(d);
    struct tui_nic *n =
        tui_sorted_rows(m->nic.v, m->nic.n, sizeof *n, by_name, offsetof(struct tui_nic, rx_KiBps),
                        offsetof(struct tui_nic, tx_KiBps));
    y = tui_draw_table(b, y, "NIC", 12, nic_cols, 6, n, m->nic.n, sizeof *n);
    if (m->nic.n == 0)
        tui_puts(b, y++, 0, TUI_ST_DIM, "  no network figures");
    for (size_t i = 0; i < m->nic.n; i++)
        if (strchr(m->nic.v[i].name, '*')) {
            tui_puts(b, y++, 0, TUI_ST_DIM, "  * not in the totals (loopback or link down)");
            break;
        }
    free(n);
    return y;
}

/* Sparklines of the history: label, line, then the newest value and the scale. */
static int
spark_section(struct tui_canvas *b, int y, const struct tui_model *m)
{
    static const struct {
        const char *label, *unit;
        double max;
    } rows[TUI_NHIST] = {
        {"cpu", "%", 100}, {"mem", "%", 100}, {"disk", "KiB/s", 0}, {"net", "KiB/s", 0}};
    tui_puts(b, y++, 0, TUI_ST_TITLE, "HISTORY (newest right)");
    int sw = b->w - LABEL_W - 32;
    for (int h = 0; h < TUI_NHIST; h++) {
        char now[24], top[24];
        tui_printf(b, y, 0, TUI_ST_TITLE, "%-*s", LABEL_W, rows[h].label);
        double max = tui_draw_spark(b, y, LABEL_W, sw, &m->hist[h], rows[h].max);
        tui_printf(b, y++, LABEL_W + sw + 1, TUI_ST_NORMAL, "%s %-5s max %s",
                   tui_fmt_num(now, sizeof now, tui_ring_back(&m->hist[h], 0), 9, 1), rows[h].unit,
                   tui_fmt_num(top, sizeof top, max > 0 ? max : ks_nan(), 0, 0));
    }
    return y;
}

int
tui_body_overview(struct tui_canvas *b, const struct tui_view *v)
{
    const struct tui_model *m = v->m;
    int y = cpu_section(b, 0, m);
    tui_puts(b, y++, 0, TUI_ST_TITLE, "MEMORY");
    mem_line(b, y++, "mem", m->mem_used_MiB, m->mem_total_MiB, TUI_ST_MEM, '#');
    mem_line(b, y++, "swap", m->swap_used_MiB, m->swap_total_MiB, TUI_ST_SWAP, '#');
    y = io_tables(b, y, v);
    return spark_section(b, y, m);
}

/* ---- Chrome: header, tabs, status line, help, too-small --------------------------- */

/* Row 0. A replay says "elapsed" rather than "up": it knows when recording started,
 * not when the host booted. */
static void
header(struct tui_canvas *cv, const struct tui_view *v)
{
    const struct tui_model *m = v->m;
    char up[32], iv[48];
    /* Live, one sample per refresh; a replay's samples have their own interval. */
    if (m->replay_count)
        snprintf(iv, sizeof iv, "%gs samples, step every %gs", m->interval_s, v->ui->interval_s);
    else
        snprintf(iv, sizeof iv, "every %gs", v->ui->interval_s);
    tui_fill(cv, 0, 0, cv->w, TUI_ST_HEADER, ' ');
    int x = tui_printf(cv, 0, 0, TUI_ST_HEADER, " kasane top  %s  %s  %s %s  %s",
                       m->host[0] ? m->host : "?", m->virt[0] ? m->virt : "virt unknown",
                       m->replay_count ? "elapsed" : "up",
                       tui_fmt_duration(up, sizeof up, m->uptime_s), iv);
    if (m->recording)
        x = tui_puts(cv, 0, x + 2, TUI_ST_REC, " REC ");
    if (v->ui->paused)
        tui_puts(cv, 0, x + 2, TUI_ST_HEADER, "PAUSED");
}

/* Row 1: screen tabs, and where in time the numbers on screen come from. */
static void
tabs(struct tui_canvas *cv, const struct tui_view *v)
{
    const struct tui_model *m = v->m;
    int x = 0;
    for (int s = 0; s < TUI_NSCREEN; s++) {
        x = tui_printf(cv, 1, x, s == (int)v->ui->screen ? TUI_ST_TAB : TUI_ST_NORMAL, " %d %s ",
                       s + 1, tui_screen_names[s]);
        x++;
    }
    char t[40], line[160];
    if (m->replay_count)
        snprintf(line, sizeof line, "replay %zu/%zu  %s  x%g", m->replay_pos + 1, m->replay_count,
                 tui_fmt_time(t, sizeof t, m->time_s), v->ui->speed);
    else
        snprintf(line, sizeof line, "live  %s",
                 m->note[0] ? m->note : tui_fmt_time(t, sizeof t, m->time_s));
    int len = (int)strlen(line);
    tui_puts(cv, 1, cv->w - len - 1 > x ? cv->w - len - 1 : x, TUI_ST_NORMAL, line);
}

/* Last row: the message of the last key, else the keys that matter in this mode. */
static void
status_line(struct tui_canvas *cv, const struct tui_view *v)
{
    int y = cv->h - 1;
    tui_fill(cv, y, 0, cv->w, TUI_ST_HEADER, ' ');
    if (v->ui->msg[0])
        tui_printf(cv, y, 0, TUI_ST_HEADER, " %s", v->ui->msg);
    else if (v->ui->replay)
        tui_puts(cv, y, 0, TUI_ST_HEADER,
                 " q quit  h help  1-5/Tab screens  p pause  <- -> step  [ ] speed  g/G start/end");
    else
        tui_puts(cv, y, 0, TUI_ST_HEADER,
                 " q quit  h help  1-5/Tab screens  p pause  +/- interval  s sort  r record");
}

static const char *const help_lines[] = {
    "kasane top - keys",
    "",
    "q          quit",
    "h ?        this help (any key closes it)",
    "1-5 Tab    Overview, VMs, Flows, Counters, Fit",
    "s          sort the table of this screen",
    "p space    pause / resume",
    "+ -        longer / shorter interval",
    "Up Down    scroll a line; PgUp PgDn a page; Home top",
    "r          start / stop recording (live, --record DATASET)",
    "",
    "replay:",
    "Left Right step one sample back / forward",
    "[ ]        slower / faster (samples per refresh)",
    "g G        first / last sample",
};

static void
help_box(struct tui_canvas *cv)
{
    int n = (int)(sizeof help_lines / sizeof *help_lines), w = 62;
    int y0 = (cv->h - n - 2) / 2, x0 = (cv->w - w) / 2;
    for (int i = 0; i < n + 2; i++) {
        tui_fill(cv, y0 + i, x0, w, TUI_ST_HEADER, ' ');
        if (i > 0 && i <= n)
            tui_puts(cv, y0 + i, x0 + 2, i == 1 ? TUI_ST_TAB : TUI_ST_HEADER, help_lines[i - 1]);
    }
}

static void
too_small(struct tui_canvas *cv)
{
    tui_canvas_clear(cv);
    int y = cv->h / 2 - 1;
    tui_printf(cv, y, 0, TUI_ST_WARN, "Terminal too small: %dx%d.", cv->w, cv->h);
    tui_printf(cv, y + 1, 0, TUI_ST_NORMAL, "kasane top needs at least %dx%d.", TUI_MIN_W,
               TUI_MIN_H);
    tui_puts(cv, y + 2, 0, TUI_ST_NORMAL, "Enlarge the window, or press q to quit.");
}

static int (*const bodies[TUI_NSCREEN])(struct tui_canvas *, const struct tui_view *) = {
    tui_body_overview, tui_body_vms, tui_body_flows, tui_body_counters, tui_body_fit,
};
/* Body lines that stay in place while the rest scrolls: the title and column header
 * of the long tables (VMs, Flows), so a scrolled list still says what its columns are. */
static const int pinned[TUI_NSCREEN] = {0, 2, 2, 0, 0};

/* The whole frame is redrawn from the model every time: no incremental state to go
 * stale after a resize, and ncurses sends only what changed. */
void
tui_render(struct tui_canvas *cv, struct tui_view *v)
{
    if (cv->w < TUI_MIN_W || cv->h < TUI_MIN_H) {
        too_small(cv);
        return;
    }
    tui_canvas_clear(cv);
    header(cv, v);
    tabs(cv, v);
    struct tui_canvas body;
    tui_canvas_init(&body, cv->w, tui_body_lines_max(v->m));
    body.utf8 = cv->utf8;
    body.mono = cv->mono;
    int lines = bodies[v->ui->screen](&body, v);
    int rows = cv->h - 3; /* header, tabs, status */
    int pin = pinned[v->ui->screen] < lines ? pinned[v->ui->screen] : 0;
    int maxscroll = lines > rows ? lines - rows : 0;
    if (v->ui->scroll > maxscroll)
        v->ui->scroll = maxscroll;
    tui_blit_rows(cv, 2, &body, 0, pin);
    tui_blit_rows(cv, 2 + pin, &body, pin + v->ui->scroll, rows - pin);
    tui_canvas_fini(&body);
    status_line(cv, v);
    if (v->ui->help)
        help_box(cv);
}
