/*
 * col_rvtools_tab: RVTools inputs sorted into tabs, rows read from CSV files or workbook
 * sheets alike, and numbers in either decimal mark (see col_rvtools.h).
 */
#include "collect/col_rvtools.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

const char *const rv_tab_names[RV_NTAB] = {"vInfo", "vHost", "vCPU", "vMemory"};

/* ---- inputs --------------------------------------------------------------------------- */

static void
add_item(struct rv_inputs *in, enum rv_tab tab, const char *path, size_t book, long sheet)
{
    in->item = ks_xgrow(in->item, &in->cap, in->n + 1, sizeof *in->item);
    in->item[in->n++] = (struct rv_item){tab, ks_xstrdup(path), book, sheet};
}

/* 1 when s ends with suffix, ASCII case ignored. */
static int
ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

/* The tab a CSV file holds, from its name without extension ("RVTools_tabvHost.csv",
 * "vHost.csv", "export vhost.CSV"); -1 when the name ends in no tab. */
static int
tab_of_name(const char *path)
{
    char *stem = col_stem(path, 1);
    size_t n = strlen(stem);
    int tab = -1;
    for (int t = 0; t < RV_NTAB && tab < 0; t++)
        if (ends_with(stem, n, rv_tab_names[t]))
            tab = t;
    free(stem);
    return tab;
}

/* A workbook: its four sheets by name (RVTools' own, or the CSV export's file names
 * when someone rebuilt a workbook from them). No vInfo sheet is an error listing the
 * sheets it has. */
static int
add_book(struct rv_inputs *in, const char *path, struct ks_err *err)
{
    struct col_xlsx *x;
    int rc = col_xlsx_open(path, &x, err);
    if (rc < 0)
        return rc;
    in->book = ks_xgrow(in->book, &in->book_cap, in->nbook + 1, sizeof *in->book);
    in->book[in->nbook++] = x;
    for (int t = 0; t < RV_NTAB; t++) {
        char alt[32];
        snprintf(alt, sizeof alt, "RVTools_tab%s", rv_tab_names[t]);
        long s = col_xlsx_find_sheet(x, rv_tab_names[t]);
        if (s < 0)
            s = col_xlsx_find_sheet(x, alt);
        if (s >= 0)
            add_item(in, (enum rv_tab)t, path, in->nbook - 1, s);
        else if (t == RV_TAB_VINFO)
            return ks_errf(err, -EINVAL, "%s: no sheet 'vInfo' (sheets: %s%s)", path,
                           col_xlsx_nsheets(x) ? col_xlsx_sheet_name(x, 0) : "none",
                           col_xlsx_nsheets(x) > 1 ? ", ..." : "");
    }
    return 0;
}

/* One file of the list: a workbook by its signature, or a CSV tab by its name. A file
 * named .xlsx that is no zip is an error (a CSV would fail later, less clearly). */
static int
add_file(struct rv_inputs *in, const struct col_flist *fl, size_t i, size_t *seen,
         struct col_import_report *rep, struct ks_err *err)
{
    const char *p = fl->path[i];
    if (col_xlsx_is_zip(p) || ends_with(p, strlen(p), ".xlsx"))
        return add_book(in, p, err);
    int tab = tab_of_name(p);
    if (tab < 0 && fl->from_dir[i]) {
        rep->files_skipped++;
        col_import_note(rep,
                        "%s: skipped (not an RVTools tab: the name ends in none of vInfo, "
                        "vHost, vCPU, vMemory)",
                        p);
        return 0;
    }
    if (tab < 0)
        tab = RV_TAB_VINFO;
    /* seen[] holds 1 + the index of a tab's file from the same directory */
    size_t *s = &seen[fl->dir_ix[i] * RV_NTAB + (size_t)tab];
    if (fl->from_dir[i] && *s)
        return ks_errf(err, -EINVAL,
                       "%s and %s: two %s tabs in one directory (one export per "
                       "directory)",
                       fl->path[*s - 1], p, rv_tab_names[tab]);
    *s = i + 1;
    add_item(in, (enum rv_tab)tab, p, 0, -1);
    return 0;
}

int
rv_inputs_build(struct rv_inputs *in, char *const *inputs, size_t ninputs,
                struct col_import_report *rep, struct ks_err *err)
{
    struct col_flist fl;
    memset(in, 0, sizeof *in);
    int rc = col_flist_build(&fl, inputs, ninputs, rep, err);
    size_t *seen = ks_xcalloc(ninputs * RV_NTAB + 1, sizeof *seen);
    for (size_t i = 0; rc == 0 && i < fl.n; i++)
        rc = add_file(in, &fl, i, seen, rep, err);
    int vinfo = 0;
    for (size_t i = 0; i < in->n; i++)
        vinfo |= in->item[i].tab == RV_TAB_VINFO;
    if (rc == 0 && !vinfo)
        rc = ks_errf(err, -EINVAL,
                     "%s: no vInfo tab (a workbook with a vInfo sheet, or a CSV file whose "
                     "name ends in vInfo, e.g. RVTools_tabvInfo.csv)",
                     inputs[0]);
    free(seen);
    col_flist_fini(&fl);
    return rc;
}

void
rv_inputs_fini(struct rv_inputs *in)
{
    for (size_t i = 0; i < in->n; i++)
        free(in->item[i].path);
    for (size_t i = 0; i < in->nbook; i++)
        col_xlsx_free(in->book[i]);
    free(in->item);
    free(in->book);
    memset(in, 0, sizeof *in);
}

/* ---- rows ----------------------------------------------------------------------------- */

/* Count candidate separators on the header line outside quotes: a tab's header has
 * dozens of columns, so the true separator wins by far. */
static unsigned char
sniff_sep(const char *path)
{
    FILE *f = fopen(path, "r");
    int n[3] = {0, 0, 0}, c, inq = 0;
    while (f && (c = fgetc(f)) != EOF && (c != '\n' || inq)) {
        if (c == '"')
            inq = !inq;
        else if (!inq)
            n[0] += c == ',', n[1] += c == ';', n[2] += c == '\t';
    }
    if (f)
        fclose(f);
    return n[1] > n[0] && n[1] >= n[2] ? ';' : n[2] > n[0] ? '\t' : ',';
}

/* Adapts a workbook's row callback to rv_row_fn, counting the header. */
struct sheet_rows {
    rv_row_fn fn;
    void *ctx;
    struct rv_rows t;
};

static int
sheet_row(void *ctx, const struct ks_csv_row *row, struct ks_err *err)
{
    struct sheet_rows *s = ctx;
    int rc = s->fn(s->ctx, &s->t, row, err);
    if (s->t.header)
        s->t.ncols = row->n;
    s->t.header = 0;
    return rc;
}

static int
sheet_each(const struct rv_inputs *in, const struct rv_item *it, rv_row_fn fn, void *ctx,
           struct ks_err *err)
{
    struct col_xlsx *x = in->book[it->book];
    char *where = ks_xasprintf("%s[%s]", it->path, col_xlsx_sheet_name(x, (size_t)it->sheet));
    struct sheet_rows s = {fn, ctx, {.where = where, .header = 1}};
    int rc = col_xlsx_each_row(x, (size_t)it->sheet, sheet_row, &s, err);
    if (rc == 0 && s.t.header)
        rc = ks_errf(err, -EINVAL, "%s: empty sheet (no header row)", where);
    free(where);
    return rc;
}

/* A CSV tab: header, then rows of the header's width. */
static int
csv_each(const struct rv_item *it, rv_row_fn fn, void *ctx, struct ks_err *err)
{
    struct ks_csv_reader *r;
    const struct ks_csv_row *row;
    unsigned char sep = sniff_sep(it->path);
    struct rv_rows t = {.where = it->path, .decimal_comma = sep == ';', .csv = 1, .header = 1};
    int rc = ks_csv_open(it->path, sep, &r, err);
    if (rc < 0)
        return rc;
    rc = ks_csv_next(r, &row, err);
    if (rc == 0)
        rc = ks_errf(err, -EINVAL, "%s: empty file (no header row)", it->path);
    if (rc > 0) {
        t.ncols = row->n;
        rc = fn(ctx, &t, row, err);
        t.header = 0;
    }
    while (rc >= 0 && (rc = ks_csv_next(r, &row, err)) > 0) {
        if (row->n != t.ncols)
            rc = ks_errf(err, -EINVAL, "%s:%lu: %zu fields, the header has %zu", it->path,
                         row->line, row->n, t.ncols);
        else
            rc = fn(ctx, &t, row, err);
    }
    ks_csv_close(r);
    return rc < 0 ? rc : 0;
}

int
rv_item_each(const struct rv_inputs *in, const struct rv_item *it, rv_row_fn fn, void *ctx,
             struct ks_err *err)
{
    return it->sheet >= 0 ? sheet_each(in, it, fn, ctx, err) : csv_each(it, fn, ctx, err);
}

/* ---- numbers -------------------------------------------------------------------------- */

/* s with ',' as the decimal mark into buf with '.'; -1 for two marks or a '.' that a
 * decimal-comma locale only writes as a thousands separator ("1.024", "1.024.000"). */
static int
from_comma(const char *s, char *buf, size_t cap)
{
    const char *c = strchr(s, ','), *d = strchr(s, '.');
    if (strlen(s) >= cap || (c && (d || strchr(c + 1, ','))))
        return -1;
    if (d && strspn(d + 1, "0123456789") == 3 && (d[4] == '\0' || d[4] == '.'))
        return -1;
    strcpy(buf, s);
    if (c)
        buf[c - s] = '.';
    return 0;
}

int
rv_num(const struct rv_rows *t, const char *s, unsigned long line, const char *field, double *out,
       struct ks_err *err)
{
    char buf[64];
    if (!t->decimal_comma)
        return col_parse_nonneg(s, out, t->where, line, field, err);
    if (from_comma(s, buf, sizeof buf) < 0)
        return ks_errf(err, -EINVAL,
                       "%s:%lu: field '%s': '%.40s' is not a number in a ';' export (decimal "
                       "mark ',', no thousands separators)",
                       t->where, line, field, s);
    return col_parse_nonneg(buf, out, t->where, line, field, err);
}
