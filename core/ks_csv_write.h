/*
 * ks_csv_write: minimal-quoting CSV writing and files written whole.
 *
 * Apart from the reader (ks_csv.h) because it needs no libcsv: the collector
 * (kasane-collect) writes its dataset with these alone and links nothing beyond libc.
 *
 * The writer quotes a field only when it must (separator, quote, CR/LF, or leading or
 * trailing blanks), so files stay readable and write -> read -> write is stable.
 */
#ifndef KS_CSV_WRITE_H
#define KS_CSV_WRITE_H

#include <stdio.h>

#include "core/ks_util.h"

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
/* Start writing out to disk what af's file holds so far, without waiting (advice: errors
 * are the commit's to see). A writer of a large file calls it now and then, so the
 * fsync at the commit finds little left: gen's 1 GB samples.csv.zst at 10,000 x 14
 * waited 0.86 s in that fsync. */
void ks_afile_writeback(struct ks_afile *af);
void ks_afile_abort(struct ks_afile *af);
/* Remove the temporary file of every atomic file still open (out of memory: the
 * program stops, and no *.tmp.* file may stay behind). Touches no allocator. */
void ks_afile_unlink_all(void);

#endif
