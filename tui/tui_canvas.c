/*
 * The canvas is deliberately dumb: cells, clipping and UTF-8. One code point is one
 * column (kasane draws no double-width characters), which keeps clipping exact.
 */
#include "tui/tui_canvas.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_util.h"

void
tui_canvas_init(struct tui_canvas *cv, int w, int h)
{
    memset(cv, 0, sizeof *cv);
    tui_canvas_resize(cv, w, h);
}

void
tui_canvas_fini(struct tui_canvas *cv)
{
    free(cv->c);
    cv->c = NULL;
    cv->w = cv->h = 0;
}

void
tui_canvas_resize(struct tui_canvas *cv, int w, int h)
{
    if (w < 0)
        w = 0;
    if (h < 0)
        h = 0;
    free(cv->c);
    cv->w = w;
    cv->h = h;
    /* One spare cell so a 0x0 canvas still owns a valid pointer. */
    cv->c = ks_xcalloc((size_t)w * (size_t)h + 1, sizeof *cv->c);
    tui_canvas_clear(cv);
}

void
tui_canvas_clear(struct tui_canvas *cv)
{
    for (size_t i = 0; i < (size_t)cv->w * (size_t)cv->h; i++) {
        cv->c[i].ch = ' ';
        cv->c[i].st = TUI_ST_NORMAL;
    }
}

void
tui_putc(struct tui_canvas *cv, int y, int x, enum tui_style st, uint32_t ch)
{
    if (y < 0 || y >= cv->h || x < 0 || x >= cv->w)
        return;
    struct tui_cell *c = &cv->c[(size_t)y * (size_t)cv->w + (size_t)x];
    c->ch = ch;
    c->st = (uint8_t)st;
}

/* A small decoder of our own instead of mbrtowc: the canvas must work the same
 * whatever the locale (tests run under C and C.UTF-8 alike). */
uint32_t
tui_utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    int len = p[0] < 0x80             ? 1
              : (p[0] & 0xE0) == 0xC0 ? 2
              : (p[0] & 0xF0) == 0xE0 ? 3
              : (p[0] & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0) {
        (*s)++;
        return '?';
    }
    uint32_t ch = len == 1 ? p[0] : (uint32_t)(p[0] & (0x7F >> len));
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) { /* truncated sequence: skip the lead byte only */
            (*s)++;
            return '?';
        }
        ch = (ch << 6) | (p[i] & 0x3F);
    }
    *s += len;
    return ch;
}

int
tui_utf8_put(char *out, uint32_t ch)
{
    if (ch < 0x80) {
        out[0] = (char)ch;
        return 1;
    }
    if (ch < 0x800) {
        out[0] = (char)(0xC0 | (ch >> 6));
        out[1] = (char)(0x80 | (ch & 0x3F));
        return 2;
    }
    if (ch < 0x10000) {
        out[0] = (char)(0xE0 | (ch >> 12));
        out[1] = (char)(0x80 | ((ch >> 6) & 0x3F));
        out[2] = (char)(0x80 | (ch & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (ch >> 18));
    out[1] = (char)(0x80 | ((ch >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((ch >> 6) & 0x3F));
    out[3] = (char)(0x80 | (ch & 0x3F));
    return 4;
}

int
tui_puts(struct tui_canvas *cv, int y, int x, enum tui_style st, const char *s)
{
    while (*s) {
        uint32_t ch = tui_utf8_next(&s);
        /* Control characters from data (a host name, a flow address) must not reach
         * the terminal, where they would move the cursor. */
        tui_putc(cv, y, x++, st, ch < 0x20 || ch == 0x7F ? '?' : ch);
    }
    return x;
}

int
tui_printf(struct tui_canvas *cv, int y, int x, enum tui_style st, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return tui_puts(cv, y, x, st, buf);
}

void
tui_fill(struct tui_canvas *cv, int y, int x, int n, enum tui_style st, uint32_t ch)
{
    for (int i = 0; i < n; i++)
        tui_putc(cv, y, x + i, st, ch);
}

void
tui_restyle(struct tui_canvas *cv, int y, int x, int n, enum tui_style st)
{
    for (int i = x; i < x + n; i++)
        if (y >= 0 && y < cv->h && i >= 0 && i < cv->w)
            cv->c[(size_t)y * (size_t)cv->w + (size_t)i].st = (uint8_t)st;
}

/* Row copies are how a tall screen body is scrolled into the window. */
void
tui_blit_rows(struct tui_canvas *dst, int y, const struct tui_canvas *src, int from, int n)
{
    int w = dst->w < src->w ? dst->w : src->w;
    for (int r = 0; r < n; r++) {
        int sy = from + r, dy = y + r;
        if (sy < 0 || sy >= src->h || dy < 0 || dy >= dst->h)
            continue;
        memcpy(&dst->c[(size_t)dy * (size_t)dst->w], &src->c[(size_t)sy * (size_t)src->w],
               (size_t)w * sizeof *dst->c);
    }
}

char *
tui_canvas_row(const struct tui_canvas *cv, int y, char *buf, size_t n)
{
    size_t len = 0, keep = 0;
    buf[0] = '\0';
    if (y < 0 || y >= cv->h || n < 5)
        return buf;
    for (int x = 0; x < cv->w && len + 5 < n; x++) {
        uint32_t ch = cv->c[(size_t)y * (size_t)cv->w + (size_t)x].ch;
        len += (size_t)tui_utf8_put(buf + len, ch);
        if (ch != ' ')
            keep = len;
    }
    buf[keep] = '\0';
    return buf;
}
