/*
 * rpt_html: the pieces of index.html every section uses: the page shell with its CSS
 * (screen and A4 print), tables rendered from ks_table (the same tables written to
 * tables/NAME.csv, so page and CSV cannot disagree), inlined gnuplot SVG charts or the
 * note that replaces them, and numbers tagged with the summary key they come from.
 */
#ifndef RPT_HTML_H
#define RPT_HTML_H

#include <stdio.h>

#include "report/rpt_ctx.h"

void rpt_html_begin(FILE *f, const struct rpt_ctx *c);
void rpt_html_end(FILE *f, const struct rpt_ctx *c);

/* <table> of t: header from the column names, numbers right-aligned and formatted
 * for reading (raw values stay in the CSV). At most maxrows rows (0: all); a note
 * says how many more are in tables/NAME.csv. */
void rpt_html_table(FILE *f, const struct ks_table *t, const char *name, size_t maxrows);
/* The same table with every cell as written (settings given by a person, where
 * rounding would misquote them). */
void rpt_html_table_verbatim(FILE *f, const struct ks_table *t, const char *name);
/* The chart NAME inlined from charts/NAME.svg, or a visible note saying why it is
 * missing (gnuplot not installed: how to install it; or gnuplot failed). */
void rpt_html_chart(FILE *f, const struct rpt_ctx *c, const char *name, const char *caption);
/* A number from summary.csv: <span class="num" data-key=KEY data-value=RAW>text</span>,
 * the text rounded to `decimals`; "n/a" when the key is absent or empty. */
void rpt_html_sum(FILE *f, const struct rpt_ctx *c, const char *key, int decimals);
/* The same with the text of its magnitude (class "num abs"), for prose that words the
 * sign: "costs 19,350 more" for -19350. The tag keeps the signed value. */
void rpt_html_sum_abs(FILE *f, const struct rpt_ctx *c, const char *key, int decimals);
/* Write an HTML template with summary.csv values filled in: "{key:D}" is the number
 * of key with D decimals (as rpt_html_sum), "{key}" its text, escaped. The rest of tmpl
 * is trusted HTML written as is. */
void rpt_html_fill(FILE *f, const struct rpt_ctx *c, const char *tmpl);
/* The same template walk over another key/value source (the Risk section's risk.csv):
 * put(f, arg, key, D) writes "{key:D}", put(f, arg, key, -1) writes "{key}". */
void rpt_html_fill_with(FILE *f, const char *tmpl,
                        void (*put)(FILE *f, const void *arg, const char *key, int decimals),
                        const void *arg);
/* A paragraph-level note box. */
void rpt_html_note(FILE *f, const char *text);

#endif
