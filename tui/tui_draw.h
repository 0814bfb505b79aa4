/*
 * tui_draw: the drawing primitives of the screens - numbers that may be unknown,
 * stacked percentage bars, sparklines, durations and UTC times.
 */
#ifndef TUI_DRAW_H
#define TUI_DRAW_H

#include <stddef.h>

#include "tui/tui_canvas.h"
#include "tui/tui_model.h"

/* "%*.*f" of v, or "-" right-aligned in width when v is NaN. buf of n bytes. */
char *tui_fmt_num(char *buf, size_t n, double v, int width, int decimals);
/* Seconds as "3d 04:05:06" / "04:05:06"; "-" when NaN. */
char *tui_fmt_duration(char *buf, size_t n, double s);
/* UNIX seconds as "2026-11-26 07:00:00Z"; "-" when NaN. */
char *tui_fmt_time(char *buf, size_t n, double t);

/* One part of a stacked bar: a share 0-100 of the bar, its style, and the character
 * drawn for it on a monochrome terminal (where colours cannot tell parts apart). */
struct tui_bar_part {
    double pct;
    enum tui_style st;
    char mono_ch;
};
/* Draw "[" + width cells + "]" at (y, x). Parts are stacked left to right; NaN parts
 * are skipped; the total is clipped at 100%. Rounding is done on the running sum, so
 * the parts never add up to more cells than their total deserves. */
void tui_draw_bar(struct tui_canvas *cv, int y, int x, int width, const struct tui_bar_part *parts,
                  size_t nparts);
/* The n newest points of r as a sparkline of width cells ending at x + width - 1.
 * Scale 0..max (max <= 0: the largest point shown). NaN points are blank. Returns the
 * scale used. */
double tui_draw_spark(struct tui_canvas *cv, int y, int x, int width, const struct tui_ring *r,
                      double max);

/* Tables of rows that are structs starting with their name (char[]), followed by
 * double members: disks, NICs, VMs. A column names the member by its offset. */
struct tui_col {
    const char *title;
    int width, decimals;
    size_t off; /* offsetof(row struct, member) */
};
#define TUI_NO_COL ((size_t)-1)

/* Title row, then one row per element: the name left-aligned in name_w columns, then
 * each column right-aligned (unknown as "-"). Returns the row after the table. */
int tui_draw_table(struct tui_canvas *cv, int y, const char *title, int name_w,
                   const struct tui_col *cols, size_t ncols, const void *rows, size_t n,
                   size_t size);
/* A sorted copy (caller frees) of n rows of size bytes: by name when by_name, else by
 * the sum of the members at off_a and off_b (off_b may be TUI_NO_COL) descending,
 * unknown last, ties by name. Stable: a host has tens of rows, so insertion sort. */
void *tui_sorted_rows(const void *rows, size_t n, size_t size, int by_name, size_t off_a,
                      size_t off_b);

#endif
