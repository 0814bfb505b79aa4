/*
 * col_import_int: what the importers share and nobody else needs: the record sink
 * (sorted runs in a temporary file, merged by time into samples.csv), directory
 * listing with skip accounting, and the per-format entry points.
 */
#ifndef COL_IMPORT_INT_H
#define COL_IMPORT_INT_H

#include <stdint.h>

#include "collect/col_import.h"
#include "core/ks_dataset.h"

/* ---- the sink ------------------------------------------------------------------- */

/* Collects inventory (in ds) and sample rows for one import. Rows are put as runs:
 * within a run, time never decreases (the importer checks and reports file:line);
 * runs are merged by time when the sink writes. Memory: one write buffer plus, at
 * merge time, a small read buffer per run. Opaque. */
struct col_isink;

struct col_isink *col_isink_new(const struct col_import_opts *o, struct col_import_report *rep);
void col_isink_free(struct col_isink *s);
/* The dataset whose inventory the importer fills (samples stay empty). */
struct ks_dataset *col_isink_ds(struct col_isink *s);
/* Open the temporary record file in dir (created if missing). */
int col_isink_open(struct col_isink *s, const char *dir, struct ks_err *err);
/* Start a new sorted run (one per input file or host). */
void col_isink_run(struct col_isink *s);
/* Append a row to the current run; metrics has KS_NMETRIC values (NaN = unknown). */
void col_isink_put(struct col_isink *s, double time_s, uint32_t ent, double interval_s,
                   const double *metrics);
/* Where the next rows come from (path borrowed until the next call; line 0 when a row
 * joins several lines): named by the error for a value samples.csv would refuse. */
void col_isink_at(struct col_isink *s, const char *path, unsigned long line);
/* Rows put so far. */
unsigned long long col_isink_rows(const struct col_isink *s);
/* Write inventory.csv, samples.csv (when any row was put or with_samples) and
 * coverage.csv into dir; fills the report. */
int col_isink_write(struct col_isink *s, const char *dir, int with_samples, struct ks_err *err);

/* Call the progress callback (phase "read") at most every 64 Ki rows. */
void col_isink_tick(struct col_isink *s);
/* Count one input file as read (and tick). */
void col_isink_file_done(struct col_isink *s);

/* ---- reports --------------------------------------------------------------------- */

/* Keep a note for the report ("file:line: ..."); only the first few are kept. */
void col_import_note(struct col_import_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Keep a warning: something plan will need that the input lacks (and how to give it). */
void col_import_warn(struct col_import_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- inputs ---------------------------------------------------------------------- */

/* A list of input files: each named input as is, each directory expanded to its
 * regular files in strcmp order (hidden files and subdirectories skipped, counted and
 * noted). from_dir[i] tells whether file i came from a directory listing (an
 * unrelated one is then a skip, not an error). */
struct col_flist {
    size_t n, cap;
    char **path;
    unsigned char *from_dir;
    size_t *dir_ix; /* which input it came from */
};
int col_flist_build(struct col_flist *fl, char *const *inputs, size_t ninputs,
                    struct col_import_report *rep, struct ks_err *err);
void col_flist_fini(struct col_flist *fl);
/* 1 when the file's last byte is a newline (or the file is empty), 0 otherwise. A last
 * line without its newline is treated as cut off mid-write. */
int col_ends_with_newline(const char *path);
/* Base name without directory and without the last extension (malloc'd). */
char *col_stem(const char *path, int strip_ext);
/* Parse a whole field as a finite number >= 0; message names file, line and column. */
int col_parse_nonneg(const char *s, double *out, const char *path, unsigned long line,
                     const char *col, struct ks_err *err);

/* ---- formats --------------------------------------------------------------------- */

int col_import_sar(const struct col_import_opts *o, struct col_isink *s,
                   struct col_import_report *rep, struct ks_err *err);
int col_import_bitbrains(const struct col_import_opts *o, struct col_isink *s,
                         struct col_import_report *rep, struct ks_err *err);
int col_import_planetlab(const struct col_import_opts *o, struct col_isink *s,
                         struct col_import_report *rep, struct ks_err *err);
int col_import_rvtools(const struct col_import_opts *o, struct col_isink *s,
                       struct col_import_report *rep, struct ks_err *err);
int col_import_perfmon(const struct col_import_opts *o, struct col_isink *s,
                       struct col_import_report *rep, struct ks_err *err);

/* Fill a metrics array with NaN (unknown). */
void col_metrics_unknown(double *m);

#endif
