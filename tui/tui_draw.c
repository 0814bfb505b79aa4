/*
 * Drawing primitives shared by the screens. Unknown values (NaN) are drawn as "-" or
 * left blank, never as 0: a monitor that shows a made-up zero misleads.
 */
#include "tui/tui_draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ks_util.h"

char *
tui_fmt_num(char *buf, size_t n, double v, int width, int decimals)
{
    if (ks_isnan(v))
        snprintf(buf, n, "%*s", width, "-");
    else
        snprintf(buf, n, "%*.*f", width, decimals, v);
    return buf;
}

char *
tui_fmt_duration(char *buf, size_t n, double s)
{
    if (ks_isnan(s) || s < 0) {
        snprintf(buf, n, "-");
        return buf;
    }
    long t = (long)s, d = t / 86400;
    if (d > 0)
        snprintf(buf, n, "%ldd %02ld:%02ld:%02ld", d, t % 86400 / 3600, t % 3600 / 60, t % 60);
    else
        snprintf(buf, n, "%02ld:%02ld:%02ld", t / 3600, t % 3600 / 60, t % 60);
    return buf;
}

/* UTC with a Z: datasets are in UTC, and the replayed host may be in any zone. */
char *
tui_fmt_time(char *buf, size_t n, double t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (ks_isnan(t) || !gmtime_r(&tt, &tm) || strftime(buf, n, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
        snprintf(buf, n, "-");
    return buf;
}

void
tui_draw_bar(struct tui_canvas *cv, int y, int x, int width, const struct tui_bar_part *parts,
             size_t nparts)
{
    tui_putc(cv, y, x, TUI_ST_NORMAL, '[');
    tui_fill(cv, y, x + 1, width, TUI_ST_DIM, ' ');
    tui_putc(cv, y, x + 1 + width, TUI_ST_NORMAL, ']');
    double sum = 0;
    int done = 0; /* cells filled so far */
    for (size_t i = 0; i < nparts; i++) {
        if (ks_isnan(parts[i].pct) || parts[i].pct <= 0)
            continue;
        sum += parts[i].pct;
        int upto = (int)lround(fmin(sum, 100.0) / 100.0 * width);
        uint32_t ch = cv->mono ? (uint32_t)(unsigned char)parts[i].mono_ch : '|';
        tui_fill(cv, y, x + 1 + done, upto - done, parts[i].st, ch);
        if (upto > done)
            done = upto;
    }
}

/* Eight heights of a sparkline cell. ASCII terminals get a coarser ramp. */
static const uint32_t spark_utf8[] = {0x2581, 0x2582, 0x2583, 0x2584,
                                      0x2585, 0x2586, 0x2587, 0x2588};
static const char spark_ascii[] = "_.-:=+*#";

double
tui_draw_spark(struct tui_canvas *cv, int y, int x, int width, const struct tui_ring *r, double max)
{
    if (max <= 0) {
        for (int i = 0; i < width; i++) {
            double v = tui_ring_back(r, (size_t)i);
            if (!ks_isnan(v) && v > max)
                max = v;
        }
    }
    for (int i = 0; i < width; i++) {
        double v = tui_ring_back(r, (size_t)i);
        int cx = x + width - 1 - i;
        if (ks_isnan(v)) {
            tui_putc(cv, y, cx, TUI_ST_DIM, ' ');
            continue;
        }
        /* Level k (0-7) is a cell k+1 eighths high: a half-scale value gets 4/8. */
        int lvl = max > 0 ? (int)ceil(v / max * 8.0) - 1 : 0;
        lvl = lvl < 0 ? 0 : lvl > 7 ? 7 : lvl;
        tui_putc(cv, y, cx, TUI_ST_SPARK,
                 cv->utf8 ? spark_utf8[lvl] : (uint32_t)(unsigned char)spark_ascii[lvl]);
    }
    return max;
}

/* A double member of a row struct by offset (memcpy: no alignment assumptions). */
static double
member(const void *row, size_t off)
{
    double v;
    memcpy(&v, (const char *)row + off, sizeof v);
    return v;
}

int
tui_draw_table(struct tui_canvas *cv, int y, const char *title, int name_w,
               const struct tui_col *cols, size_t ncols, const void *rows, size_t n, size_t size)
{
    int x = tui_printf(cv, y, 0, TUI_ST_TITLE, "%-*s", name_w, title);
    for (size_t c = 0; c < ncols; c++)
        x = tui_printf(cv, y, x, TUI_ST_TITLE, " %*s", cols[c].width, cols[c].title);
    for (size_t i = 0; i < n; i++) {
        const char *row = (const char *)rows + i * size;
        y++;
        x = tui_printf(cv, y, 0, TUI_ST_NORMAL, "%-*.*s", name_w, name_w, row);
        for (size_t c = 0; c < ncols; c++) {
            char b[48];
            tui_fmt_num(b, sizeof b, member(row, cols[c].off), cols[c].width, cols[c].decimals);
            x = tui_printf(cv, y, x, TUI_ST_NORMAL, " %s", b);
        }
    }
    return y + 1;
}

/* Sort key: the known members summed, -1 when all are unknown (sorts last). */
static double
row_load(const void *row, size_t off_a, size_t off_b)
{
    double a = member(row, off_a), b = off_b == TUI_NO_COL ? ks_nan() : member(row, off_b);
    if (ks_isnan(a) && ks_isnan(b))
        return -1;
    return (ks_isnan(a) ? 0 : a) + (ks_isnan(b) ? 0 : b);
}

/* Does row x go before row y? */
static int
goes_before(const char *x, const char *y, int by_name, size_t off_a, size_t off_b)
{
    if (!by_name) {
        double lx = row_load(x, off_a, off_b), ly = row_load(y, off_a, off_b);
        if (lx != ly)
            return lx > ly;
    }
    return strcmp(x, y) < 0;
}

void *
tui_sorted_rows(const void *rows, size_t n, size_t size, int by_name, size_t off_a, size_t off_b)
{
    char *c = ks_xmalloc(n * size + 1), *tmp = ks_xmalloc(size);
    if (n)
        memcpy(c, rows, n * size);
    for (size_t i = 1; i < n; i++) {
        size_t j = i;
        memcpy(tmp, c + i * size, size);
        while (j > 0 && goes_before(tmp, c + (j - 1) * size, by_name, off_a, off_b)) {
            memcpy(c + j * size, c + (j - 1) * size, size);
            j--;
        }
        memcpy(c + j * size, tmp, size);
    }
    free(tmp);
    return c;
}
