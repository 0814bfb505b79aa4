/*
 * ks_csv: streaming CSV reading (libcsv underneath) and minimal-quoting CSV writing.
 *
 * The reader is pull-style: ks_csv_next() hands back one row at a time, with the line
 * number it ended on, and never holds more than one row in memory, so a multi-GB file
 * or 200 MB of random bytes is read in memory bounded by KS_CSV_MAX_ROW. Spaces and
 * tabs around unquoted fields are trimmed (libcsv's default); empty lines are skipped.
 *
 * The writer quotes a field only when it must (separator, quote, CR/LF, or leading or
 * trailing blanks), so files stay readable and write -> read -> write is stable.
 */
#ifndef KS_CSV_H
#define KS_CSV_H

#include <stdio.h>

#include "core/ks_util.h"

#define KS_CSV_MAX_ROW (1u << 20) /* bytes: a longer row is an error, not a file */

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

/* Write one field (with a leading separator unless first) / a whole row + "\n". */
void ks_csv_put(FILE *f, const char *field, int first);
void ks_csv_put_row(FILE *f, const char *const *fields, size_t n);
/* Write a number field: shortest exact text, NaN as empty. */
void ks_csv_put_num(FILE *f, double v, int first);

/* Spreadsheet-safe text cells (OWASP "CSV injection"): plan and report CSVs are opened
 * in spreadsheets, which run a cell starting with =, +, -, @, tab or CR as a formula
 * (=HYPERLINK(...), DDE). ks_csv_cell_enc prefixes such a cell with ', and also a cell
 * that already starts with ' so that ks_csv_cell_dec (strip one ' before one of those
 * characters or ') gives back exactly the original. Plain decimal numbers ("-5",
 * "-1.5e+300") and a lone "-" are no formulas and are left as they are. Dataset files
 * (inventory.csv, samples.csv) are not encoded. */
/* The encoded cell: s itself, or a copy stored in *owned (free it; NULL when unused). */
const char *ks_csv_cell_enc(const char *s, char **owned);
/* Decode in place; returns 1 when a prefix was removed. NULL is a no-op. */
int ks_csv_cell_dec(char *s);

/* Files written whole or not at all: data goes to "<path>.tmp.<pid>", and commit
 * flushes, fsyncs and renames it over path. Nothing is replaced on error: the error
 * names path and the cause ("cannot write: No space left on device"). */
struct ks_afile {
    FILE *f;
    char *path, *tmp;
    int fd;       /* the temporary file's descriptor, for the fsync of commit */
    int io_err;   /* first write error (errno) under fault injection, else 0 */
    struct ks_afile *prev, *next; /* open atomic files (ks_afile_unlink_all) */
};
int ks_afile_open(struct ks_afile *af, const char *path, struct ks_err *err);
/* mkdir -p: dir and every missing parent (0777 before the umask); an existing directory
 * is fine. The error names the directory that could not be made. */
int ks_mkdir_p(const char *dir, struct ks_err *err);
int ks_afile_commit(struct ks_afile *af, struct ks_err *err);
void ks_afile_abort(struct ks_afile *af);
/* Remove the temporary file of every atomic file still open (out of memory: the
 * program stops, and no *.tmp.* file may stay behind). Touches no allocator. */
void ks_afile_unlink_all(void);

#endif
