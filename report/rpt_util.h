/*
 * rpt_util: small helpers of the report module: a growing string buffer (chart scripts
 * are built as text), number formatting for people (thousands separators, sensible
 * decimals), HTML escaping and key/value tables (summary.csv, policy.csv).
 */
#ifndef RPT_UTIL_H
#define RPT_UTIL_H

#include <stdio.h>

#include "core/ks_table.h"

/* A NUL-terminated growing string; zero-initialize, free with rpt_buf_fini. */
struct rpt_buf {
    char *s; /* owned; NULL until the first append */
    size_t len, cap;
};
void rpt_buf_printf(struct rpt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rpt_buf_puts(struct rpt_buf *b, const char *s);
void rpt_buf_fini(struct rpt_buf *b);
/* Hand the string to the caller (who frees it) and reset b; never NULL. */
char *rpt_buf_take(struct rpt_buf *b);

#define RPT_NUMBUF 48
/* v with `decimals` decimals and thousands separators ("1,234,567.8"); NaN is "n/a". */
const char *rpt_fmt_group(char *buf, double v, int decimals);
/* A number as a reader wants it: integers as integers, others with 0-2 decimals
 * depending on magnitude, thousands separators. NaN is "n/a". */
const char *rpt_fmt_auto(char *buf, double v);

/* Write s to f with &, <, >, " and ' escaped. NULL writes nothing. */
void rpt_html_esc(FILE *f, const char *s);

/* key,value tables: value of key (first column) or NULL when absent or empty. */
const char *rpt_kv_str(const struct ks_table *t, const char *key);
/* Value of key as a number; NaN when absent, empty or not a number. */
double rpt_kv_num(const struct ks_table *t, const char *key);

/* 1-5 confidence stars from the share of expected data points present (0-100):
 * 0-20% 1 star ... 81-100% 5 stars (Azure Migrate's rating, shared/reference.md). */
int rpt_stars(double cover_pct);


#endif
