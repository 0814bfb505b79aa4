/*
 * ks_table: a small table of strings (header + rows) and a string -> index hash map.
 *
 * Used for the inventory, flows, catalogs and anything read as "rows of named
 * columns" where every value must survive a rewrite unchanged, including columns
 * kasane does not know.
 */
#ifndef KS_TABLE_H
#define KS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ks_util.h"

/* Open-addressing hash map from strings (copied) to uint32 values. */
struct ks_map {
    char **keys;
    uint32_t *vals;
    size_t cap, n;
};
void ks_map_init(struct ks_map *m);
void ks_map_fini(struct ks_map *m);
/* Returns 1 and sets *val if found, else 0. */
int ks_map_get(const struct ks_map *m, const char *key, uint32_t *val);
/* Insert or overwrite. */
void ks_map_put(struct ks_map *m, const char *key, uint32_t val);

struct ks_table {
    size_t ncols, nrows;
    char **cols;    /* ncols names, owned */
    char **cells;   /* nrows * ncols, owned; NULL = empty field */
    size_t rowcap;
    unsigned long *lines; /* source line of each row (0 if not read from a file) */
};
void ks_table_init(struct ks_table *t, const char *const *cols, size_t ncols);
void ks_table_fini(struct ks_table *t);
/* Column index by name, or -1. */
int ks_table_col(const struct ks_table *t, const char *name);
/* Add a column (empty in every row) if it does not exist; returns its index. */
int ks_table_add_col(struct ks_table *t, const char *name);
/* Append an empty row; returns its index. */
size_t ks_table_add_row(struct ks_table *t);
const char *ks_table_get(const struct ks_table *t, size_t row, int col);
/* Value as a number: NaN when the column is missing or the field empty or invalid. */
double ks_table_num(const struct ks_table *t, size_t row, const char *col);
const char *ks_table_str(const struct ks_table *t, size_t row, const char *col);
void ks_table_set(struct ks_table *t, size_t row, int col, const char *val);
void ks_table_set_num(struct ks_table *t, size_t row, int col, double v);

/* Read a whole CSV file with a header row. required (NULL-terminated, may be NULL)
 * names columns that must exist. Rows with a wrong field count are errors naming the
 * line. Returns 0 or negative with err set. */
int ks_table_read(const char *path, const char *const *required, struct ks_table *t,
                  struct ks_err *err);
/* The same from a buffer (not copied; it must outlive the call); name is used in
 * messages. */
int ks_table_read_mem(const char *buf, size_t len, const char *name, const char *const *required,
                      struct ks_table *t, struct ks_err *err);
/* Write atomically (tmp + rename). */
int ks_table_write(const struct ks_table *t, const char *path, struct ks_err *err);
/* The same for plan and report files: every cell, header included, through
 * ks_csv_cell_enc (spreadsheet-safe, ks_csv.h). */
int ks_table_write_sheet(const struct ks_table *t, const char *path, struct ks_err *err);
/* ks_table_read, then every cell and column name through ks_csv_cell_dec: for files
 * written by ks_table_write_sheet (a plan directory). */
int ks_table_read_sheet(const char *path, const char *const *required, struct ks_table *t,
                        struct ks_err *err);
/* Check that field col of row is a number (or empty when allow_empty); message names
 * path, line and column. */
int ks_table_check_num(const struct ks_table *t, const char *path, size_t row,
                       const char *col, int allow_empty, double *out, struct ks_err *err);

#endif
