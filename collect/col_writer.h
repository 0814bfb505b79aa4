/*
 * col_writer: appends snapshots to a dataset directory (design.md) so that weeks of
 * collection survive crashes, full disks and logrotate.
 *
 *   DIR/inventory.csv  this entity's row set (other entities' rows kept), written
 *                      atomically at open
 *   DIR/samples.csv    one row per snapshot: the standard columns, then the extra
 *                      columns of enum col_extra, then "events"
 *   DIR/cores.csv      one row per logical CPU per snapshot (long format, so CPUs
 *                      going offline or appearing need no new columns):
 *                      time,entity,cpu,online,busy_pct,user_pct,system_pct,
 *                      iowait_pct,steal_pct,guest_pct
 *
 * Guarantees: a row is formatted in memory and written with one write() on an
 * O_APPEND descriptor, and a failed write is cut back (ftruncate to the size before
 * it), so files hold whole rows only; existing rows are never rewritten. Appending
 * checks that the header is the one this writer would write. Data is fsync'd at
 * least every fsync_s seconds. On ENOSPC the row is dropped, put returns -ENOSPC, and
 * the next row that is written carries gap_s (seconds lost) and a "gap" event.
 */
#ifndef COL_WRITER_H
#define COL_WRITER_H

#include <stdint.h>
#include <sys/types.h>

#include "collect/col_inventory.h"
#include "collect/col_snapshot.h"

struct col_writer_opts {
    const char *dir; /* dataset directory (created); NULL: samples.csv to stdout */
    /* The same directory as the writer reaches it, when that differs: "/proc/self/fd/N"
     * for a directory opened before a privilege drop (col_dsdir_drop), whose parents the
     * user may not search. Messages still name dir. NULL: dir. */
    const char *io_dir;
    const char *entity;    /* entity name of every row */
    uint64_t rotate_bytes; /* rotate a file before it would exceed this size; 0 = never */
    int rotate_daily;      /* rotate when the UTC day of the row changes */
    /* Compress each rotated file (path) to path.zst and remove it, or NULL: kasane's
     * core/ks_zst (kasane-collect links no libzstd). */
    int (*compress_rotated)(const char *path, int level, struct ks_err *err);
    int no_cores;          /* do not write cores.csv */
    int flows;             /* open flows.csv too (a flow source runs: pcap). Opened
                            * here, before the source drops privileges */
    double fsync_s;        /* at most this long between fsyncs; <= 0 means 60 */
    /* Test hook: replaces write(2) (fault injection: ENOSPC, short writes). */
    ssize_t (*write_fn)(int fd, const void *buf, size_t n);
    /* Tell a human about something survivable (a rotation that failed: the rows keep
     * going to the current file), once per episode; may be NULL. */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
};

struct col_writer; /* opaque */

/* Create the directory, lock it (col_dsdir.h: a second writer gets -EBUSY naming the
 * first one's pid; the lock is held until col_writer_close), merge this entity's
 * inventory row into inventory.csv, open (or create) samples.csv and cores.csv. A
 * header that differs from ours is an error naming the file and the first differing
 * column. inv may be NULL (stdout). Files are never opened through a symbolic link. */
int col_writer_open(const struct col_writer_opts *o, const struct col_inventory *inv,
                    struct col_writer **out, struct ks_err *err);
/* Append the rows of one snapshot (nothing for a baseline). 0, -ENOSPC (row dropped,
 * try again next time), or another negative code with err set. */
int col_writer_put(struct col_writer *w, const struct col_snapshot *s, struct ks_err *err);
/* Reopen every file by path (SIGHUP after logrotate moved them away). A file that
 * cannot be opened keeps its old descriptor (rows go on to the moved file) and err
 * says why. */
int col_writer_reopen(struct col_writer *w, struct ks_err *err);
/* Force an fsync now. */
int col_writer_sync(struct col_writer *w, struct ks_err *err);
/* Rows written so far (samples.csv), and rows dropped for lack of space. */
uint64_t col_writer_rows(const struct col_writer *w);
uint64_t col_writer_dropped(const struct col_writer *w);
/* Sync, close and free (NULL-safe). Returns 0 or the sync error. */
int col_writer_close(struct col_writer *w, struct ks_err *err);

/* The samples.csv / cores.csv header lines this writer writes, with the newline
 * (malloc'd, caller frees). */
char *col_writer_samples_header(void);
char *col_writer_cores_header(void);

#endif
