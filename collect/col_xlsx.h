/*
 * col_xlsx: the cells of an Office Open XML workbook (.xlsx, ECMA-376 Part 1
 * "SpreadsheetML"), read as text rows, for importers whose source tool saves Excel
 * workbooks (RVTools' default export). No Excel and no Python: the workbook is a zip
 * archive (minizip) of XML parts (expat):
 *
 *   xl/workbook.xml              <sheet name="vInfo" r:id="rId1"/>: sheet names, in order
 *   xl/_rels/workbook.xml.rels   <Relationship Id="rId1" Target="worksheets/sheet1.xml"/>
 *   xl/sharedStrings.xml         <si><t>text</t></si>...: cells of type "s" hold an index
 *   xl/worksheets/sheetN.xml     <row r="2"><c r="B2" t="s"><v>7</v></c>...</row>
 *
 * Cell values come out as the text the workbook stores: shared and inline strings as
 * they are (rich-text runs joined, phonetic runs dropped), numbers as their XML text
 * ("4096", "20480.5", "1.5E-3": always '.' decimals, whatever Excel's locale), booleans
 * as "True"/"False" (RVTools' spelling), formula results as their cached value. Number
 * formats and dates are not applied. Cells are placed by their reference ("B2" is
 * column 1); a row lists cells up to its last non-empty one.
 *
 * Hostile input: a file that is not a zip, a zip without xl/workbook.xml, XML errors,
 * a document type declaration (entity expansion is refused outright), a cell index past
 * the shared strings, a column past XFD (16,384), a row longer than KS_CSV_MAX_ROW bytes
 * or shared strings above COL_XLSX_MAX_SST bytes (256 MiB; an RVTools export of 50,000 VMs
 * holds well under 100) are errors naming the file and part.
 * Memory: the shared strings, plus one row at a time (sheets are streamed).
 */
#ifndef COL_XLSX_H
#define COL_XLSX_H

#include <stddef.h>

#include "core/ks_csv.h"
#include "core/ks_util.h"

#define COL_XLSX_MAX_COLS 16384       /* Excel's limit: column XFD */
#define COL_XLSX_MAX_SST (256u << 20) /* shared strings: text + 32 bytes per string */

struct col_xlsx; /* opaque: the open archive, sheet list and shared strings */

/* Open path and read its sheet list and shared strings. Returns 0, or a negative code
 * with a message naming path ("not an xlsx workbook: not a zip archive", "...: no
 * xl/workbook.xml"). *out is owned by the caller (col_xlsx_free). */
int col_xlsx_open(const char *path, struct col_xlsx **out, struct ks_err *err);
void col_xlsx_free(struct col_xlsx *x);

size_t col_xlsx_nsheets(const struct col_xlsx *x);
/* Name of sheet i as the workbook spells it (owned by x). */
const char *col_xlsx_sheet_name(const struct col_xlsx *x, size_t i);
/* Index of the sheet called name (ASCII case-insensitive), or -1. */
long col_xlsx_find_sheet(const struct col_xlsx *x, const char *name);

/* Called once per non-empty row, in sheet order: row->f[c] is column c's text ("" when
 * the cell is absent), row->n the last non-empty column + 1, row->line the sheet's row
 * number (1-based, as Excel shows it). The row is owned by the reader. Return 0 to go
 * on, or a negative code (with err set) to stop: col_xlsx_each_row returns it. */
typedef int (*col_xlsx_row_fn)(void *ctx, const struct ks_csv_row *row, struct ks_err *err);
/* Stream sheet i through fn. Errors name "path[sheet]" and the sheet's XML line. */
int col_xlsx_each_row(struct col_xlsx *x, size_t i, col_xlsx_row_fn fn, void *ctx,
                      struct ks_err *err);

/* 1 when the file starts with a zip local-file signature ("PK\3\4"), else 0. */
int col_xlsx_is_zip(const char *path);

#endif
