/*
 * Report helpers (rpt_util.h). Formatting here is for people only: every number also
 * goes to a CSV table unrounded (ks_fmt_double), so rounding on the page loses nothing.
 */
#include "report/rpt_util.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_util.h"

/* Doubling growth: building a 1.6 MB heatmap script stays linear. */
static void
buf_reserve(struct rpt_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->s = ks_xrealloc(b->s, cap);
    b->cap = cap;
}

/* vsnprintf twice: once to size, once to write (glibc's vasprintf would allocate). */
void
rpt_buf_printf(struct rpt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
rpt_buf_puts(struct rpt_buf *b, const char *s)
{
    size_t n = strlen(s);
    buf_reserve(b, n);
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void
rpt_buf_fini(struct rpt_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

char *
rpt_buf_take(struct rpt_buf *b)
{
    char *s = b->s ? b->s : ks_xstrdup("");
    memset(b, 0, sizeof *b);
    return s;
}

/* printf rounds (half to even on the binary value); the separators are then added
 * to the integer digits only. */
const char *
rpt_fmt_group(char *buf, double v, int decimals)
{
    char raw[RPT_NUMBUF];
    if (isnan(v) || isinf(v)) {
        strcpy(buf, "n/a");
        return buf;
    }
    snprintf(raw, sizeof raw, "%.*f", decimals, v);
    /* -0.2 with 0 decimals prints "-0": a sign on a zero only confuses a reader. */
    if (strspn(raw, "-0.") == strlen(raw) && raw[0] == '-')
        memmove(raw, raw + 1, strlen(raw)); /* no "-0" */
    const char *digits = raw[0] == '-' ? raw + 1 : raw;
    size_t intlen = strcspn(digits, "."), o = 0;
    if (digits != raw)
        buf[o++] = '-';
    for (size_t i = 0; i < intlen; i++) {
        /* A separator before every group of three integer digits but the first. */
        if (i > 0 && (intlen - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    strcpy(buf + o, digits + intlen);
    return buf;
}

const char *
rpt_fmt_auto(char *buf, double v)
{
    double a = fabs(v);
    if (!isnan(v) && !isinf(v) && a < 1e15 && v == floor(v))
        return rpt_fmt_group(buf, v, 0);
    rpt_fmt_group(buf, v, a >= 100 ? 0 : a >= 10 ? 1 : 2);
    /* "1.60" reads as more precise than the data: drop trailing zeros after the point. */
    if (strchr(buf, '.')) {
        size_t n = strlen(buf);
        while (buf[n - 1] == '0')
            buf[--n] = '\0';
        if (buf[n - 1] == '.')
            buf[n - 1] = '\0';
    }
    return buf;
}

void
rpt_html_esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Linear scan: key/value files have tens of rows. */
const char *
rpt_kv_str(const struct ks_table *t, const char *key)
{
    for (size_t r = 0; r < t->nrows; r++) {
        const char *k = ks_table_get(t, r, 0);
        if (k && strcmp(k, key) == 0)
            return t->ncols > 1 ? ks_table_get(t, r, 1) : NULL;
    }
    return NULL;
}

double
rpt_kv_num(const struct ks_table *t, const char *key)
{
    const char *s = rpt_kv_str(t, key);
    double v;
    return s && ks_parse_double(s, &v) == 0 ? v : NAN;
}

int
rpt_stars(double cover_pct)
{
    if (!(cover_pct > 20))
        return 1;
    if (cover_pct <= 40)
        return 2;
    if (cover_pct <= 60)
        return 3;
    return cover_pct <= 80 ? 4 : 5;
}

