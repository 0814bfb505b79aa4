/*
 * col_rvtools: where the tabs of an RVTools export come from, for the rvtools importer
 * (col_import_rvtools.c). RVTools (robware.net, Dell since 4.6) writes one workbook
 * (RVTools_export_all.xlsx, one sheet per tab) or, with "Export all to csv" / -c
 * ExportAll2csv, one CSV file per tab named RVTools_tab<tab>.csv. Either way the tabs
 * used here are vInfo (one row per VM), vHost (per ESX host), vCPU and vMemory (per VM).
 *
 * Inputs: a workbook (recognized by its zip signature, whatever its name), a CSV file
 * (its tab from its name: a name ending in vHost, vCPU or vMemory is that tab, any
 * other name is taken as vInfo, as a lone vInfo export may be called anything), or a
 * directory (its workbooks, and its CSV files whose names end in one of the four tabs;
 * other files there are skipped and counted). A CSV's separator is whichever of ',',
 * ';' or TAB its header line holds most of. A ';' file is what Excel writes in locales
 * whose decimal mark is ',' (German, French, ...): numbers there are read with ',' as
 * the decimal mark (rv_num).
 */
#ifndef COL_RVTOOLS_H
#define COL_RVTOOLS_H

#include "collect/col_import_int.h"
#include "collect/col_xlsx.h"
#include "core/ks_csv.h"

enum rv_tab { RV_TAB_VINFO, RV_TAB_VHOST, RV_TAB_VCPU, RV_TAB_VMEMORY, RV_NTAB };
extern const char *const rv_tab_names[RV_NTAB]; /* "vInfo", "vHost", "vCPU", "vMemory" */

/* One tab of one input: a CSV file or a workbook's sheet. */
struct rv_item {
    enum rv_tab tab;
    char *path;  /* the CSV file or the workbook */
    size_t book; /* workbook index in rv_inputs.book (xlsx only) */
    long sheet;  /* sheet index, -1 for a CSV file */
};

struct rv_inputs {
    size_t n, cap;
    struct rv_item *item;
    size_t nbook, book_cap;
    struct col_xlsx **book; /* open workbooks (owned) */
};

/* Sort o's inputs into tabs; unrelated files in directories are counted in rep. No
 * vInfo anywhere, a workbook without a vInfo sheet, or two files of one tab in one
 * directory are errors naming the input. */
int rv_inputs_build(struct rv_inputs *in, char *const *inputs, size_t ninputs,
                    struct col_import_report *rep, struct ks_err *err);
void rv_inputs_fini(struct rv_inputs *in);

/* What a row handler knows of the tab being read. */
struct rv_rows {
    const char *where; /* "file.csv" or "book.xlsx[vInfo]", for messages */
    int decimal_comma; /* a ';' CSV file: rv_num reads ',' as the decimal mark */
    int csv;           /* every data row must have the header's field count */
    int header;        /* 1 for the first row (the column names) */
    size_t ncols;      /* the header's field count (data rows) */
};
typedef int (*rv_row_fn)(void *ctx, const struct rv_rows *t, const struct ks_csv_row *row,
                         struct ks_err *err);
/* Every row of one item, the header first. A CSV row of another width than the header
 * is an error (a workbook's rows stop at their last non-empty cell: shorter is fine). */
int rv_item_each(const struct rv_inputs *in, const struct rv_item *it, rv_row_fn fn, void *ctx,
                 struct ks_err *err);

/* A number >= 0 from a cell: '.' decimals, or in a decimal-comma file ',' ("20480,5"),
 * where a '.' is refused when it could be a thousands separator ("1.024"). The message
 * names where, line and field. */
int rv_num(const struct rv_rows *t, const char *s, unsigned long line, const char *field,
           double *out, struct ks_err *err);

#endif
