/*
 * The import sink: rows arrive as sorted runs (one input file or one host at a time),
 * are appended as fixed-size binary records to an unlinked temporary file, and are
 * merged by time with a binary heap when samples.csv is written. Memory is a write
 * buffer plus about 16 MiB of read buffers shared among the runs, whatever the size of
 * the input; the temporary file costs 152 bytes per row and vanishes with the process.
 */
#include "collect/col_import_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ks_csv.h"
#include "core/ks_fault.h"

/* One sample row as stored in the temporary file: fixed size, so run k's i-th record
 * sits at a computable offset and the merge can pread it without an index. NaN marks
 * an unknown metric exactly as in the dataset. */
struct rec {
    double time_s, interval_s;
    uint32_t ent, pad;
    double m[KS_NMETRIC];
};

/* A run is a stretch of records whose times never decrease (the importer checks this
 * per input and reports file:line, so the sink never has to sort). */
struct run {
    uint64_t first, n; /* record range in the temporary file */
};

/* Records buffered before one write(2); 4096 x 152 bytes = 608 KiB. */
#define WBUF_RECS 4096
/* Read buffers of all runs together during the merge: the memory bound of an import
 * whatever the number of rows (each run gets at least 16 records, so 100,000 runs
 * would need 243 MB: far beyond any real assessment). */
#define MERGE_BUF_BYTES (16u << 20)
/* Rows between two progress callbacks: cheap enough to be invisible in profiles. */
#define TICK_ROWS 65536

struct col_isink {
    const struct col_import_opts *o;
    struct col_import_report *rep;
    struct ks_dataset *ds;
    int fd;
    char *tmp_path;
    struct rec *wbuf;
    size_t nw;
    int werr; /* first error writing the temporary file (errno), 0 if none */
    uint64_t nrec;
    struct run *runs;
    size_t nruns, runcap;
    unsigned long long next_tick;
    char *range_err;     /* the first value samples.csv would refuse, or NULL */
    const char *at_path; /* where the next rows come from (col_isink_at), or NULL */
    unsigned long at_line;
};

/* The sink borrows o and rep (both outlive it) and owns the dataset holding the
 * inventory; no file is touched until col_isink_open. */
struct col_isink *
col_isink_new(const struct col_import_opts *o, struct col_import_report *rep)
{
    struct col_isink *s = ks_xcalloc(1, sizeof *s);
    s->o = o;
    s->rep = rep;
    s->ds = ks_dataset_new();
    s->fd = -1;
    s->wbuf = ks_xmalloc(WBUF_RECS * sizeof *s->wbuf);
    s->next_tick = TICK_ROWS;
    return s;
}

/* Closing the descriptor releases the unlinked temporary file's blocks. */
void
col_isink_free(struct col_isink *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    ks_dataset_free(s->ds);
    free(s->wbuf);
    free(s->runs);
    free(s->tmp_path);
    free(s->range_err);
    free(s);
}

struct ks_dataset *
col_isink_ds(struct col_isink *s)
{
    return s->ds;
}

int
col_isink_open(struct col_isink *s, const char *dir, struct ks_err *err)
{
    int rc = ks_mkdir_p(dir, err);
    if (rc < 0)
        return rc;
    s->tmp_path = ks_xasprintf("%s/.import-XXXXXX", dir);
    s->fd = mkstemp(s->tmp_path);
    if (s->fd < 0) {
        int e = errno;
        return ks_errf(err, -e, "%s: cannot create a temporary file: %s", dir, strerror(e));
    }
    /* Unlinked at once: the records vanish with the process, even after a crash. */
    unlink(s->tmp_path);
    return 0;
}

/* write(2) until done; a short write retries. The first error (a full disk) is kept
 * and every later write skipped: col_isink_write reports it before writing any file. */
static void
write_all(struct col_isink *s, const void *buf, size_t len)
{
    const char *p = buf;
    while (len && !s->werr) {
        ssize_t w = ks_io_write(s->fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            s->werr = w < 0 ? errno : EIO;
        else {
            p += w;
            len -= (size_t)w;
        }
    }
}

static void
flush_wbuf(struct col_isink *s)
{
    if (s->nw)
        write_all(s, s->wbuf, s->nw * sizeof *s->wbuf);
    s->nw = 0;
}

/* Runs are cheap (16 bytes each), but an empty one would still cost a merge cursor,
 * so a run nobody wrote to is reused. */
void
col_isink_run(struct col_isink *s)
{
    if (s->nruns && s->runs[s->nruns - 1].n == 0)
        return; /* the previous run is still empty: reuse it */
    s->runs = ks_xgrow(s->runs, &s->runcap, s->nruns + 1, sizeof *s->runs);
    s->runs[s->nruns++] = (struct run){.first = s->nrec, .n = 0};
}

void
col_isink_at(struct col_isink *s, const char *path, unsigned long line)
{
    s->at_path = path;
    s->at_line = line;
}

/* Rows are copied into the write buffer; the caller's metrics array is not kept. */
void
col_isink_put(struct col_isink *s, double time_s, uint32_t ent, double interval_s,
              const double *metrics)
{
    if (!s->nruns)
        col_isink_run(s);
    for (int k = 0; k < KS_NMETRIC && !s->range_err; k++)
        if (!ks_metric_in_range(k, metrics[k])) {
            char at[64] = "";
            if (s->at_line)
                snprintf(at, sizeof at, ":%lu", s->at_line);
            s->range_err = ks_xasprintf(
                "%s%s%sentity '%s' at time %.0f: %s = %g is outside 0-%g (a broken counter or a "
                "unit the input does not say?); nothing written",
                s->at_path ? s->at_path : "", at, s->at_path ? ": " : "",
                ks_dataset_entity(s->ds, ent), time_s, ks_metric_names[k], metrics[k],
                ks_metric_max(k));
        }
    struct rec *r = &s->wbuf[s->nw++];
    memset(r, 0, sizeof *r);
    r->time_s = time_s;
    r->interval_s = interval_s;
    r->ent = ent;
    memcpy(r->m, metrics, sizeof r->m);
    s->nrec++;
    s->runs[s->nruns - 1].n++;
    if (s->nw == WBUF_RECS)
        flush_wbuf(s);
    col_isink_tick(s);
}

unsigned long long
col_isink_rows(const struct col_isink *s)
{
    return s->nrec;
}

/* Forward to the caller's callback, if any: the library never prints. */
static void
progress(struct col_isink *s, const char *phase, unsigned long long rows, unsigned long long total)
{
    if (!s->o->progress)
        return;
    struct col_import_progress p = {phase, s->rep->files_read, rows, total};
    s->o->progress(s->o->progress_ctx, &p);
}

void
col_isink_tick(struct col_isink *s)
{
    if (s->nrec >= s->next_tick) {
        s->next_tick = s->nrec + TICK_ROWS;
        progress(s, "read", s->nrec, 0);
    }
}

void
col_isink_file_done(struct col_isink *s)
{
    s->rep->files_read++;
    if ((s->rep->files_read & 255) == 0)
        progress(s, "read", s->nrec, 0);
}

/* ---- merge ----------------------------------------------------------------------- */

/* Read position of one run during the merge: a window of buf[pos .. len) holds
 * records already read, next is the first record not yet read from the file. */
struct cursor {
    uint64_t next, end; /* next record to load from the file, end of run */
    struct rec *buf;
    size_t pos, len;
};

struct merge {
    struct col_isink *s;
    struct cursor *cur;
    size_t *heap, nheap;
    size_t bufrecs;
    struct rec *arena;
};

/* Refill a cursor's window with the run's next records (at most bufrecs). */
static int
cursor_fill(struct merge *mg, struct cursor *c, struct ks_err *err)
{
    size_t want = mg->bufrecs;
    if (c->end - c->next < want)
        want = (size_t)(c->end - c->next);
    size_t bytes = want * sizeof(struct rec);
    ssize_t got = pread(mg->s->fd, c->buf, bytes, (off_t)(c->next * sizeof(struct rec)));
    if (got != (ssize_t)bytes)
        return ks_errf(err, -EIO, "reading the temporary record file: short read");
    c->next += want;
    c->pos = 0;
    c->len = want;
    return 0;
}

/* Heap order: time, then run index, so equal times keep input order. */
static int
heap_less(const struct merge *mg, size_t a, size_t b)
{
    const struct rec *ra = &mg->cur[a].buf[mg->cur[a].pos];
    const struct rec *rb = &mg->cur[b].buf[mg->cur[b].pos];
    if (ra->time_s != rb->time_s)
        return ra->time_s < rb->time_s;
    return a < b;
}

/* Restore the heap below i after its top record changed (classic sift-down). */
static void
heap_down(struct merge *mg, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < mg->nheap && heap_less(mg, mg->heap[l], mg->heap[m]))
            m = l;
        if (l + 1 < mg->nheap && heap_less(mg, mg->heap[l + 1], mg->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t t = mg->heap[i];
        mg->heap[i] = mg->heap[m];
        mg->heap[m] = t;
        i = m;
    }
}

/* Split the read budget evenly among runs, load each run's first window and heapify.
 * Empty runs never enter the heap. */
static int
merge_init(struct merge *mg, struct col_isink *s, struct ks_err *err)
{
    memset(mg, 0, sizeof *mg);
    mg->s = s;
    size_t n = s->nruns ? s->nruns : 1;
    mg->bufrecs = MERGE_BUF_BYTES / sizeof(struct rec) / n;
    if (mg->bufrecs < 16)
        mg->bufrecs = 16;
    if (mg->bufrecs > 4096)
        mg->bufrecs = 4096;
    mg->cur = ks_xcalloc(n, sizeof *mg->cur);
    mg->heap = ks_xcalloc(n, sizeof *mg->heap);
    mg->arena = ks_xmalloc(n * mg->bufrecs * sizeof *mg->arena);
    for (size_t i = 0; i < s->nruns; i++) {
        struct cursor *c = &mg->cur[i];
        c->next = s->runs[i].first;
        c->end = s->runs[i].first + s->runs[i].n;
        c->buf = mg->arena + i * mg->bufrecs;
        if (c->next == c->end)
            continue;
        if (cursor_fill(mg, c, err) < 0)
            return -EIO;
        mg->heap[mg->nheap++] = i;
    }
    for (size_t i = mg->nheap / 2; i-- > 0;)
        heap_down(mg, i);
    return 0;
}

/* Pop the smallest record into *out; 0 when done, 1 with a record, <0 on I/O error. */
static int
merge_next(struct merge *mg, struct rec *out, struct ks_err *err)
{
    if (!mg->nheap)
        return 0;
    size_t top = mg->heap[0];
    struct cursor *c = &mg->cur[top];
    *out = c->buf[c->pos++];
    if (c->pos == c->len) {
        if (c->next == c->end)
            mg->heap[0] = mg->heap[--mg->nheap];
        else if (cursor_fill(mg, c, err) < 0)
            return -EIO;
    }
    heap_down(mg, 0);
    return 1;
}

static void
merge_fini(struct merge *mg)
{
    free(mg->cur);
    free(mg->heap);
    free(mg->arena);
}

/* ---- samples.csv ----------------------------------------------------------------- */

/* One samples.csv row in the canonical column order of ks_samples_put_header;
 * numbers through col_fmt_num, which is exact and several times faster than printf's
 * %.17g round trip on the importers' rounded values. */
static void
put_row(FILE *f, const struct rec *r, const char *entity)
{
    char b[KS_NUMBUF];
    fputs(col_fmt_num(b, r->time_s), f);
    ks_csv_put(f, entity, 0);
    fputc(',', f);
    fputs(col_fmt_num(b, r->interval_s), f);
    for (int m = 0; m < KS_NMETRIC; m++) {
        fputc(',', f);
        fputs(col_fmt_num(b, r->m[m]), f);
    }
    fputc('\n', f);
}

/* Per-entity statistics gathered while writing. */
/* Per-entity statistics gathered while writing: the step is the smallest interval
 * seen (a gap is then any hole longer than 1.5 steps). */
static void
account(struct col_import_entity *e, const struct rec *r)
{
    if (e->rows == 0) {
        e->first_s = r->time_s;
        e->interval_s = r->interval_s;
    } else if (r->time_s - e->last_s > 1.5 * e->interval_s) {
        e->gaps++;
    }
    if (r->interval_s < e->interval_s)
        e->interval_s = r->interval_s;
    e->last_s = r->time_s;
    e->rows++;
}

/* Two rows for one (entity, time) from different runs, e.g. the same day imported
 * twice or two overlapping saDD files: the first (in input order) wins. */
static void
note_dup(struct col_isink *s, const struct rec *r)
{
    s->rep->dups_skipped++;
    col_import_note(s->rep, "entity '%s': duplicate sample at time %.0f skipped (first kept)",
                    ks_dataset_entity(s->ds, r->ent), r->time_s);
}

/* Merge every run into samples.csv, written atomically (tmp + rename), so a failed
 * import leaves any previous samples.csv in place. */
static int
write_samples(struct col_isink *s, const char *path, struct ks_err *err)
{
    struct ks_afile af;
    struct merge mg;
    struct rec r;
    int rc = ks_afile_open(&af, path, err);
    if (rc < 0)
        return rc;
    setvbuf(af.f, NULL, _IOFBF, 1 << 20);
    flush_wbuf(s);
    ks_samples_put_header(af.f, NULL, 0);
    struct col_import_entity *ent = s->rep->ent;
    unsigned long long done = 0;
    if ((rc = merge_init(&mg, s, err)) == 0) {
        while ((rc = merge_next(&mg, &r, err)) > 0) {
            struct col_import_entity *e = &ent[r.ent];
            if (e->rows && r.time_s <= e->last_s) {
                note_dup(s, &r);
                continue;
            }
            account(e, &r);
            put_row(af.f, &r, e->entity);
            if (++done % (4 * TICK_ROWS) == 0)
                progress(s, "merge", done, s->nrec);
        }
    }
    merge_fini(&mg);
    s->rep->rows = done;
    if (rc < 0) {
        ks_afile_abort(&af);
        return rc;
    }
    return ks_afile_commit(&af, err);
}

/* ---- report ---------------------------------------------------------------------- */

int
col_import_stars(double coverage_pct)
{
    if (!(coverage_pct > 20))
        return 1;
    if (coverage_pct <= 40)
        return 2;
    if (coverage_pct <= 60)
        return 3;
    if (coverage_pct <= 80)
        return 4;
    return 5;
}

/* qsort adapter over ks_cmp_double (NaN last). */
static int
cmp_double(const void *a, const void *b)
{
    return ks_cmp_double(a, b);
}

/* Span, most common step, coverage and stars once every row has been accounted. */
/* The expected number of samples of an entity spans the whole import (first to last
 * time of any entity), as Azure Migrate counts expected data points over the
 * assessment period: a server that reported half the time gets half coverage. */
static void
finish_report(struct col_import_report *rep)
{
    double *steps = ks_xmalloc((rep->nent ? rep->nent : 1) * sizeof *steps);
    size_t ns = 0;
    rep->first_s = rep->last_s = NAN;
    for (size_t i = 0; i < rep->nent; i++) {
        struct col_import_entity *e = &rep->ent[i];
        if (!e->rows)
            continue;
        if (!(e->first_s >= rep->first_s))
            rep->first_s = e->first_s;
        if (!(e->last_s <= rep->last_s))
            rep->last_s = e->last_s;
        steps[ns++] = e->interval_s;
        rep->gaps += e->gaps;
    }
    qsort(steps, ns, sizeof *steps, cmp_double);
    rep->step_s = ns ? steps[ns / 2] : NAN;
    free(steps);
    for (size_t i = 0; i < rep->nent; i++) {
        struct col_import_entity *e = &rep->ent[i];
        double expect = 0;
        if (e->rows && e->interval_s > 0)
            expect = floor((rep->last_s - rep->first_s) / e->interval_s + 1e-9) + 1;
        e->coverage_pct = expect > 0 ? 100.0 * (double)e->rows / expect : NAN;
        if (e->coverage_pct > 100)
            e->coverage_pct = 100;
        e->stars = e->rows ? col_import_stars(e->coverage_pct) : 0;
    }
}

/* coverage.csv: the per-entity rating, for the report and for scripts. */
static int
write_coverage(const struct col_import_report *rep, const char *path, struct ks_err *err)
{
    struct ks_afile af;
    char b[KS_NUMBUF];
    int rc = ks_afile_open(&af, path, err);
    if (rc < 0)
        return rc;
    fputs("entity,rows,first,last,interval_s,gaps,coverage_pct,stars\n", af.f);
    for (size_t i = 0; i < rep->nent; i++) {
        const struct col_import_entity *e = &rep->ent[i];
        ks_csv_put(af.f, e->entity, 1);
        fprintf(af.f, ",%llu", e->rows);
        ks_csv_put_num(af.f, e->rows ? e->first_s : NAN, 0);
        ks_csv_put_num(af.f, e->rows ? e->last_s : NAN, 0);
        ks_csv_put_num(af.f, e->rows ? e->interval_s : NAN, 0);
        fprintf(af.f, ",%lu,", e->gaps);
        fputs(col_fmt_num(b, col_round(e->coverage_pct, 1)), af.f);
        fprintf(af.f, ",%d\n", e->stars);
    }
    return ks_afile_commit(&af, err);
}

/* Files a previous import or collect may have left that this import does not
 * produce: leaving them would mix two datasets. */
static void
remove_stale(const char *dir, const char *name)
{
    char *p = ks_xasprintf("%s/%s", dir, name);
    unlink(p);
    free(p);
}

/* Inventory first (the samples refer to it), then samples, then the rating. The
 * report is filled even when writing fails, so the caller can still print counts. */
int
col_isink_write(struct col_isink *s, const char *dir, int with_samples, struct ks_err *err)
{
    struct col_import_report *rep = s->rep;
    rep->nent = ks_dataset_nent(s->ds);
    rep->ent = ks_xcalloc(rep->nent ? rep->nent : 1, sizeof *rep->ent);
    for (size_t i = 0; i < rep->nent; i++)
        rep->ent[i].entity = ks_xstrdup(ks_dataset_entity(s->ds, i));
    flush_wbuf(s);
    if (s->range_err)
        return ks_errf(err, -EINVAL, "%s", s->range_err);
    if (s->werr)
        return ks_errf(err, -s->werr,
                       "%s: cannot write: %s (the import's temporary record file; no "
                       "output file written)",
                       s->tmp_path, strerror(s->werr));
    int rc = ks_dataset_write(s->ds, dir, err);
    char *p = ks_xasprintf("%s/samples.csv", dir);
    if (rc == 0 && (with_samples || s->nrec))
        rc = write_samples(s, p, err);
    else if (rc == 0)
        remove_stale(dir, "samples.csv"); /* inventory-only: no leftover series */
    free(p);
    remove_stale(dir, "flows.csv");
    finish_report(rep);
    if (rc == 0) {
        p = ks_xasprintf("%s/coverage.csv", dir);
        rc = write_coverage(rep, p, err);
        free(p);
    }
    return rc;
}
