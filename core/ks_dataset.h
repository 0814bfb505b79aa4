/*
 * ks_dataset: the dataset directory of design.md, the one hand-off between collecting
 * and planning.
 *
 *   inventory.csv  one row per entity (physical server, vm or host)
 *   samples.csv    one row per entity per interval, sorted by time (optional: an
 *                  inventory-only dataset, e.g. from RVTools, is planned by allocation)
 *   flows.csv      optional, from libpcap
 *
 * Columns are matched by name, never by position. An empty field is unknown (NaN),
 * never 0. Columns kasane does not know are kept and written back unchanged. Samples
 * are held column-wise (one double array per metric present in the file), which keeps
 * memory near 8 bytes per value.
 */
#ifndef KS_DATASET_H
#define KS_DATASET_H

#include <stdint.h>
#include <stdio.h>

#include "core/ks_table.h"

/* The metric columns of samples.csv, in their canonical order. */
enum ks_metric {
    KS_CPU_PCT,
    KS_CPU_MHZ,
    KS_CPU_STEAL_PCT,
    KS_MEM_USED_MIB,
    KS_MEM_TOTAL_MIB,
    KS_DISK_READ_KIBPS,
    KS_DISK_WRITE_KIBPS,
    KS_DISK_READ_IOPS,
    KS_DISK_WRITE_IOPS,
    KS_DISK_AWAIT_MS,
    KS_DISK_UTIL_PCT,
    KS_NET_RX_KIBPS,
    KS_NET_TX_KIBPS,
    KS_NET_RX_PPS,
    KS_NET_TX_PPS,
    KS_IPC,
    KS_NMETRIC
};
extern const char *const ks_metric_names[KS_NMETRIC];
/* Metric index by column name, or -1. */
int ks_metric_lookup(const char *name);
/* Largest value samples.csv accepts for metric k (100 for percentages, else a ceiling no
 * server reaches; docs/formats.md "Ranges"); the smallest is 0. NaN (unknown) passes. */
double ks_metric_max(int k);
static inline int
ks_metric_in_range(int k, double v)
{
    return !(v < 0 || v > ks_metric_max(k));
}

/* Inventory columns, canonical order. */
#define KS_INV_NCOLS 15
extern const char *const ks_inv_cols[KS_INV_NCOLS];
/* flows.csv columns. */
#define KS_FLOW_NCOLS 8
extern const char *const ks_flow_cols[KS_FLOW_NCOLS];

struct ks_samples {
    size_t nrows, cap;
    double *time;       /* UNIX seconds, UTC, end of the interval */
    uint32_t *ent;      /* index into the inventory */
    double *interval_s;
    double *m[KS_NMETRIC]; /* NULL when the column is absent (all unknown) */
    unsigned keep;         /* metrics stored, bit 1u << m; 0: all (set before reading) */
    size_t nextra;
    char **extra_names; /* nextra names of columns kasane does not know */
    char **extra;       /* nrows * nextra cells, NULL = empty */
};

struct ks_dataset {
    struct ks_table inv;   /* inventory, canonical columns first, extras after */
    struct ks_map ent_ix;  /* entity name -> inventory row */
    struct ks_samples s;
    int has_samples;       /* samples.csv existed */
    struct ks_table flows; /* ncols == 0 when there is no flows.csv */
};

struct ks_dataset *ks_dataset_new(void);
void ks_dataset_free(struct ks_dataset *ds);

/* Read a dataset directory. Errors name file, line and column; exit status 1 material. */
int ks_dataset_read(const char *dir, struct ks_dataset **out, struct ks_err *err);
/* The same, storing only the metric columns in keep (bit 1u << m; 0: all). A column not
 * kept is still read and checked (a malformed or out-of-range value is the same error
 * naming file:line:column) but not stored: ds->s.m[m] stays NULL, as for an absent one.
 * kasane plan keeps MDL_PLAN_METRICS, 9 of 16 columns (2.2 GB less at 10,000 x 14);
 * kasane report RPT_METRICS, 5 of 16. */
int ks_dataset_read_keep(const char *dir, unsigned keep, struct ks_dataset **out,
                         struct ks_err *err);
/* Parse samples.csv alone into ds (inventory must already be loaded); _parse reads
 * from an open reader (in-memory input for tests and fuzzing). On error ds->s may hold
 * the rows read so far. */
struct ks_csv_reader;
int ks_samples_read(struct ks_dataset *ds, const char *path, struct ks_err *err);
int ks_samples_parse(struct ks_dataset *ds, struct ks_csv_reader *r, struct ks_err *err);
/* ks_samples_read for a file of dir whose manifest check was left to the reader
 * (ks_manifest_check_but): hashed as it is read, in the same pass, and an error when
 * it differs from the manifest (that error, not the parse's, when both fail). */
struct ks_manifest_defer;
int ks_samples_read_checked(struct ks_dataset *ds, const char *path, const char *dir,
                            struct ks_manifest_defer *d, struct ks_err *err);
/* samples.csv.zst is streamed (core/ks_sread.c: decompressed a block at a time into
 * reused buffers), and any file, compressed or not, is read in blocks on two threads
 * that take them as they come; a file with a line the fast path below does not take,
 * or any error, is read again the serial way (for a .zst, decompressed whole first), so
 * rows and messages are the same. ks_samples_in_blocks: whether the last read went
 * through in blocks (tests, benchmarks). Environment: KASANE_READ_THREADS=1 reads on one
 * thread; KASANE_ZST_WHOLE=1 reads a .zst the serial way; KASANE_READ_BLOCK=BYTES sets
 * the block (default 16 MiB, at least 4096). */
extern int ks_samples_in_blocks;
/* The same from a buffer holding the whole file (core/ks_sread.c): lines without
 * quotes are split and converted in place, anything else goes through
 * ks_samples_parse's path, and with nthreads 2 the file is read in blocks on two
 * threads (above). Rows, values and error messages are those of
 * ks_samples_parse, whatever nthreads. name is used in messages. */
int ks_samples_parse_mem(struct ks_dataset *ds, const char *buf, size_t len, const char *name,
                         int nthreads, struct ks_err *err);
/* Write the directory (created if missing); each file written atomically. */
int ks_dataset_write(const struct ks_dataset *ds, const char *dir, struct ks_err *err);

size_t ks_dataset_nent(const struct ks_dataset *ds);
const char *ks_dataset_entity(const struct ks_dataset *ds, size_t i);
/* Inventory row of entity, or -1. */
long ks_dataset_find(const struct ks_dataset *ds, const char *entity);
/* Names a dataset carries (entity, hostname, flow endpoints) reach file names,
 * terminals, gnuplot programs and spreadsheets: one holding a control byte (0x00-0x1f,
 * 0x7f) is refused. Returns 0, or -EINVAL with a message "where[:line]: field: 'name'
 * holds a control character ..." (line 0: no line; field e.g. "column 'entity'" or
 * "file name"). The readers and every importer call it where a name enters. */
int ks_dataset_check_name(const char *where, unsigned long line, const char *field,
                          const char *v, struct ks_err *err);
/* Add an entity (kind: physical, vm, host); returns its index, or the existing one. */
size_t ks_dataset_add_entity(struct ks_dataset *ds, const char *entity, const char *kind);
/* Set an inventory field by column name (column added if it is not a known one). */
void ks_inv_set(struct ks_dataset *ds, size_t ent, const char *col, const char *val);
void ks_inv_set_num(struct ks_dataset *ds, size_t ent, const char *col, double v);
double ks_inv_num(const struct ks_dataset *ds, size_t ent, const char *col);
const char *ks_inv_str(const struct ks_dataset *ds, size_t ent, const char *col);
/* Flow endpoint -> entity index (m initialised here; ks_map_fini by the caller): each
 * address of the inventory's `ips` column (space-separated, as the collector writes
 * it), each `hostname`, and each entity name, which wins over the others. The planner's
 * soft-affinity weights and the report's traffic section map flows.csv with it. */
void ks_dataset_addr_map(const struct ks_dataset *ds, struct ks_map *m);

/* Append a sample row; metrics has KS_NMETRIC values (NaN = unknown). Rows must come
 * in time order (checked by the reader, not here). */
void ks_samples_append(struct ks_samples *s, double time, uint32_t ent, double interval_s,
                       const double *metrics);
void ks_samples_fini(struct ks_samples *s);
/* Room for need rows; allocate metric m's column (NaN for the rows already there). */
void ks_samples_reserve(struct ks_samples *s, size_t need);
void ks_samples_enable(struct ks_samples *s, int m);
/* Value of metric m at row r (NaN when the column is absent). */
double ks_samples_get(const struct ks_samples *s, size_t r, enum ks_metric m);

/* Streaming output of samples.csv for collectors and importers: header, then rows. */
void ks_samples_put_header(FILE *f, char *const *extra_names, size_t nextra);
void ks_samples_put_row(FILE *f, double time, const char *entity, double interval_s,
                        const double *metrics, char *const *extra, size_t nextra);

/* ---- Time grid ------------------------------------------------------------------- */

enum ks_agg { KS_AGG_MAX, KS_AGG_MEAN, KS_AGG_PCT };

/* Series of every entity aligned on one grid of windows ending at t0 + k * step_s
 * (k = 0 .. nsteps-1). A sample with end time t lands in window ceil((t - t0)/step).
 * Several samples in one window are combined by agg (max by default: a coarser step
 * must never average a peak away). Windows with no sample are NaN. */
struct ks_grid {
    double t0, step_s;
    size_t nsteps, nent;
    double *v[KS_NMETRIC]; /* nent * nsteps, row-major by entity; NULL if absent */
};
/* Largest grid built (bytes over all metrics); beyond it ks_grid_build refuses. */
#define KS_GRID_MAX_BYTES (4.0 * 1024 * 1024 * 1024)
/* step_s <= 0 means the dataset's own step (the coarsest entity's median interval_s). pct is the
 * percentile for KS_AGG_PCT. */
int ks_grid_build(const struct ks_dataset *ds, double step_s, enum ks_agg agg, double pct,
                  struct ks_grid *g, struct ks_err *err);
/* The same for the metrics whose bit (1u << KS_...) is set in metrics only (the others'
 * v[] stay NULL): the planner needs 5 of the 16, and the size limit counts only those. */
#define KS_GRID_ALL ((1u << KS_NMETRIC) - 1)
int ks_grid_build_some(const struct ks_dataset *ds, double step_s, enum ks_agg agg, double pct,
                       unsigned metrics, struct ks_grid *g, struct ks_err *err);
void ks_grid_fini(struct ks_grid *g);
static inline double *
ks_grid_series(const struct ks_grid *g, enum ks_metric m, size_t ent)
{
    return g->v[m] ? g->v[m] + ent * g->nsteps : NULL;
}

#endif
