/*
 * ks_csv: streaming CSV reading (libcsv underneath) and minimal-quoting CSV writing.
 *
 * The reader is pull-style: ks_csv_next() hands back one row at a time, with the line
 * number it ended on, and never holds more than one row in memory, so a multi-GB file
 * or 200 MB of random bytes is read in memory bounded by KS_CSV_MAX_ROW. Spaces and
 * tabs around unquoted fields are trimmed (libcsv's default); empty lines are skipped.
 *
 * The writer (ks_csv_write.h, included here) needs no libcsv.
 */
#ifndef KS_CSV_H
#define KS_CSV_H

#include <stdio.h>

#include "core/ks_csv_write.h"
#include "core/ks_util.h"

#define KS_CSV_MAX_ROW (1u << 20) /* bytes: a longer row is an error, not a file */
/* A line (bytes after the last LF or CR) this long is refused by the reader whatever
 * follows it (the reader feeds a row in steps of 64 KiB and checks its length after
 * each): ks_zst_load may stop decompressing inside it. */
#define KS_CSV_LONG_LINE (KS_CSV_MAX_ROW + (1u << 18))

struct ks_csv_reader; /* opaque */

struct ks_csv_row {
    size_t n;           /* number of fields */
    char **f;           /* f[i] is NUL-terminated, owned by the reader until next call */
    unsigned long line; /* 1-based line the row ended on */
};

/* Open path for reading with separator sep (',' usually). Returns 0 or -errno. */
int ks_csv_open(const char *path, unsigned char sep, struct ks_csv_reader **out,
                struct ks_err *err);
/* Read from an in-memory buffer (not copied: it must outlive the reader); name is used
 * in messages. For parsers under test and fuzzing. */
struct ks_csv_reader *ks_csv_open_mem(const char *buf, size_t len, unsigned char sep,
                                      const char *name);
/* Next row: returns 1 and sets *row, 0 at end of file, or a negative code with a
 * message naming file and line. */
/* Reposition an in-memory reader at byte off of its buffer, counting lines from line
 * (a reader over a whole file read by parts: core/ks_sread.c). Only between rows. */
void ks_csv_seek_mem(struct ks_csv_reader *r, size_t off, unsigned long line);
int ks_csv_next(struct ks_csv_reader *r, const struct ks_csv_row **row, struct ks_err *err);
const char *ks_csv_name(const struct ks_csv_reader *r);
/* Line the next byte is on (1-based), and the descriptor of a file reader (-1 in
 * memory). */
unsigned long ks_csv_line(const struct ks_csv_reader *r);
int ks_csv_fd(const struct ks_csv_reader *r);
/* Bytes consumed so far (for progress lines). */
unsigned long long ks_csv_offset(const struct ks_csv_reader *r);
void ks_csv_close(struct ks_csv_reader *r);

/* Index of column name in a header row, or -1. */
int ks_csv_col(const struct ks_csv_row *hdr, const char *name);

#endif
