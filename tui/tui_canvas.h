/*
 * tui_canvas: a grid of character cells, each with a style, that the screens draw on.
 *
 * The renderer never talks to curses: it fills a canvas, and tui_term blits the canvas
 * to the terminal (or a test reads it back as text). Styles are semantic (what a cell
 * is, e.g. "steal part of a CPU bar"); the terminal layer maps them to colour pairs or,
 * on a monochrome terminal, to bold/reverse/underline.
 *
 * Cells hold Unicode code points. Text given to the drawing functions is UTF-8.
 * Everything is clipped to the canvas: drawing off the edge is not an error.
 */
#ifndef TUI_CANVAS_H
#define TUI_CANVAS_H

#include <stddef.h>
#include <stdint.h>

enum tui_style {
    TUI_ST_NORMAL,
    TUI_ST_HEADER, /* the top line */
    TUI_ST_TAB,    /* the current screen's tab */
    TUI_ST_TITLE,  /* section and column titles */
    TUI_ST_USER,   /* CPU bar parts, in distinct colours */
    TUI_ST_SYSTEM,
    TUI_ST_IOWAIT,
    TUI_ST_STEAL,
    TUI_ST_MEM,
    TUI_ST_SWAP,
    TUI_ST_SPARK,
    TUI_ST_DIM,  /* unknown values, empty bar tails */
    TUI_ST_WARN, /* over capacity, errors */
    TUI_ST_REC,  /* the recording indicator */
    TUI_NSTYLE
};

struct tui_cell {
    uint32_t ch;
    uint8_t st;
};

struct tui_canvas {
    int w, h;
    struct tui_cell *c; /* h * w cells, row-major, owned */
    int utf8;           /* the terminal shows UTF-8: block characters are allowed */
    int mono;           /* no colours: bars use a distinct character per part */
};

void tui_canvas_init(struct tui_canvas *cv, int w, int h);
void tui_canvas_fini(struct tui_canvas *cv);
/* Change the size; the content is cleared. */
void tui_canvas_resize(struct tui_canvas *cv, int w, int h);
void tui_canvas_clear(struct tui_canvas *cv);

/* One cell (clipped). */
void tui_putc(struct tui_canvas *cv, int y, int x, enum tui_style st, uint32_t ch);
/* UTF-8 text at (y, x); returns the column after it (even when clipped). */
int tui_puts(struct tui_canvas *cv, int y, int x, enum tui_style st, const char *s);
int tui_printf(struct tui_canvas *cv, int y, int x, enum tui_style st, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Fill n cells from (y, x) with ch. */
void tui_fill(struct tui_canvas *cv, int y, int x, int n, enum tui_style st, uint32_t ch);
/* Style every cell of a row span (keeps the characters). */
void tui_restyle(struct tui_canvas *cv, int y, int x, int n, enum tui_style st);
/* Copy rows [from, from + n) of src to dst starting at row y (widths may differ). */
void tui_blit_rows(struct tui_canvas *dst, int y, const struct tui_canvas *src, int from, int n);

/* Row y as UTF-8, trailing blanks removed; buf of size n (truncated to fit). Returns
 * buf. For tests and for the batch output. */
char *tui_canvas_row(const struct tui_canvas *cv, int y, char *buf, size_t n);
/* Decode one UTF-8 sequence from *s, advancing it; invalid bytes give '?'. */
uint32_t tui_utf8_next(const char **s);
/* Encode ch into out (>= 4 bytes); returns the byte count. */
int tui_utf8_put(char *out, uint32_t ch);

#endif
