#include "collect/col_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collect/col_dsdir.h"
#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "core/ks_fault.h"

/* One appended file (samples.csv or cores.csv). */
struct wfile {
    char *path;    /* NULL: standard output */
    char *header;  /* the header line with its newline, owned */
    int fd;        /* -1 when closed */
    uint64_t size; /* bytes in the file (our own count: the fd is O_APPEND) */
    long day;      /* UTC day number of the rows in it; -1 before the first */
    double last_sync_s;
    double last_time;  /* samples.csv: time of its last row (NaN: none, or unknown) */
    int rotate_failed; /* the last rotation failed and was warned about */
};

struct col_writer {
    struct col_writer_opts o;
    char *entity, *dir;   /* dir: the path files are reached by (o.io_dir or o.dir) */
    char *name, *io_name; /* owned copies of o.dir and o.io_dir */
    struct wfile samples, cores;
    struct wfile flows; /* opened at the first snapshot from a flow source */
    FILE *mem;          /* row formatting buffer (open_memstream) */
    char *mbuf;
    size_t mlen;
    uint64_t rows, dropped;
    double gap_s; /* seconds of rows dropped since the last row written */
    uint64_t gap_rows;
    struct ks_dataset *inv; /* inventory.csv as written (rows of every entity); NULL
                             * without a directory */
    char *inv_path;
    int lock_fd; /* holds the directory's lock (col_dsdir_lock); -1 without one */
};

static const char *const core_cols[] = {"time",      "entity",   "cpu",        "online",
                                        "busy_pct",  "user_pct", "system_pct", "iowait_pct",
                                        "steal_pct", "guest_pct"};
#define NCORE_COLS (sizeof core_cols / sizeof *core_cols)

static char *
mem_string(void (*put)(FILE *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort(); /* only fails for lack of memory, like ks_xmalloc */
    put(f);
    fclose(f);
    return buf;
}

static void
put_samples_header(FILE *f)
{
    char *names[COL_NX + 1];
    for (int i = 0; i < COL_NX; i++)
        names[i] = (char *)col_extra_names[i];
    names[COL_NX] = COL_EVENTS_COL;
    ks_samples_put_header(f, names, COL_NX + 1);
}

static void
put_cores_header(FILE *f)
{
    ks_csv_put_row(f, core_cols, NCORE_COLS);
}

static void
put_flows_header(FILE *f)
{
    static const char *const cols[] = {"time",  "entity", "src",   "dst",
                                       "proto", "dport",  "bytes", "packets"};
    ks_csv_put_row(f, cols, sizeof cols / sizeof *cols);
}

char *
col_writer_samples_header(void)
{
    return mem_string(put_samples_header);
}

char *
col_writer_cores_header(void)
{
    return mem_string(put_cores_header);
}

static ssize_t
wwrite(const struct col_writer *w, int fd, const void *buf, size_t n)
{
    return w->o.write_fn ? w->o.write_fn(fd, buf, n) : ks_io_write(fd, buf, n);
}

/* Write all of buf; on failure cut the file back (to f->size) so no partial row
 * remains. */
static int
write_whole(struct col_writer *w, struct wfile *f, const char *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = wwrite(w, f->fd, buf + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : ENOSPC;
            if (f->path && ftruncate(f->fd, (off_t)f->size) != 0) {
                /* nothing more to do: the next open's tail check cuts it */
            }
            return -e;
        }
        done += (size_t)k;
    }
    f->size += n;
    return 0;
}

static long
utc_day(double t)
{
    return (long)floor(t / 86400.0);
}

/* First differing column between the file's header line and ours, for the message. */
static void
header_diff(const char *have, const char *want, char *out, size_t cap)
{
    int col = 1;
    while (*have && *have == *want && *have != '\n') {
        col += *have == ',';
        have++;
        want++;
    }
    while (col > 1 && have[-1] != ',' && *have != '\n')
        have--, want--; /* back to the start of the column */
    snprintf(out, cap, "column %d is '%.*s', kasane collect writes '%.*s'", col,
             (int)strcspn(have, ",\n"), have, (int)strcspn(want, ",\n"), want);
}

/* Time of the last row of an existing file (its first field), or NaN. The file ends
 * with a newline here (check_existing cut any torn tail first). */
static double
last_row_time(int rfd, uint64_t size, size_t hl)
{
    char tail[4097];
    if (size <= hl + 1)
        return NAN;
    size_t n = size - hl < 4096 ? (size_t)(size - hl) : 4096;
    if (pread(rfd, tail, n, (off_t)(size - n)) != (ssize_t)n)
        return NAN;
    tail[n] = '\0';
    size_t b = n - 1; /* the final newline */
    while (b > 0 && tail[b - 1] != '\n')
        b--;
    if (b == 0 && n == 4096)
        return NAN; /* a row longer than the window: not ours */
    char *end;
    double t = strtod(tail + b, &end);
    return end == tail + b ? NAN : t;
}

/* An existing file: its header must be ours, and a torn last line (a crash in the
 * middle of a write) is cut off: it was never a row. */
static int
check_existing(struct wfile *f, struct ks_err *err)
{
    size_t hl = strlen(f->header);
    char *buf = ks_xmalloc(hl + 1), last = '\n';
    int rfd = open(f->path, O_RDONLY | O_CLOEXEC), rc = 0;
    ssize_t n = rfd < 0 ? -1 : pread(rfd, buf, hl, 0);
    if (n != (ssize_t)hl || memcmp(buf, f->header, hl) != 0) {
        char why[300];
        buf[n > 0 ? n : 0] = '\0';
        header_diff(buf, f->header, why, sizeof why);
        rc = ks_errf(err, -EINVAL,
                     "%s:1: header differs from this kasane's (%s): append "
                     "refused, existing data left untouched",
                     f->path, why);
    } else if (pread(rfd, &last, 1, (off_t)f->size - 1) == 1 && last != '\n') {
        /* find the last newline and cut after it */
        off_t end = (off_t)f->size;
        char c = 0;
        while (end > (off_t)hl && pread(rfd, &c, 1, end - 1) == 1 && c != '\n')
            end--;
        if (ftruncate(f->fd, end) == 0)
            f->size = (uint64_t)end;
    }
    if (rc == 0)
        f->last_time = last_row_time(rfd, f->size, hl);
    if (rfd >= 0)
        close(rfd);
    free(buf);
    return rc;
}

static int
wfile_open(struct col_writer *w, struct wfile *f, struct ks_err *err)
{
    struct stat st;
    f->day = -1;
    f->last_time = NAN;
    f->last_sync_s = ks_mono_s();
    if (!f->path) {
        f->fd = STDOUT_FILENO;
        return write_whole(w, f, f->header, strlen(f->header));
    }
    /* O_NOFOLLOW: a link planted in the directory must not redirect our rows */
    f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (f->fd < 0 || fstat(f->fd, &st) != 0) {
        int e = errno;
        return ks_errf(err, -e, "%s: cannot open for appending: %s", f->path, strerror(e));
    }
    f->size = (uint64_t)st.st_size;
    if (f->size > 0) {
        f->day = utc_day((double)st.st_mtime);
        return check_existing(f, err);
    }
    int rc = write_whole(w, f, f->header, strlen(f->header));
    if (rc < 0)
        return ks_errf(err, rc, "%s: cannot write the header: %s", f->path, strerror(-rc));
    return 0;
}

static void
wfile_close(struct wfile *f)
{
    if (f->fd >= 0 && f->path) {
        fsync(f->fd);
        close(f->fd);
    }
    f->fd = -1;
}

/* DIR/samples.csv -> DIR/samples.20261126T071500Z.csv (-N added if taken). The stamp
 * is the time of the first row of the new file, so sorting the names sorts the data;
 * ".csv" stays last so every tool still sees a CSV file. */
static char *
rotated_name(const char *path, double t)
{
    char stamp[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    const char *dot = strrchr(path, '.');
    int stem = (int)(dot - path);
    for (int i = 0;; i++) {
        char *p = i ? ks_xasprintf("%.*s.%s-%d%s", stem, path, stamp, i, dot)
                    : ks_xasprintf("%.*s.%s%s", stem, path, stamp, dot);
        char *z = ks_xasprintf("%s.zst", p); /* taken too once compressed (--compress) */
        int taken = access(p, F_OK) == 0 || access(z, F_OK) == 0;
        free(z);
        if (!taken)
            return p;
        free(p);
    }
}

/* Reopen one file by path. On failure the old descriptor stays (rows keep going to
 * the file it names rather than nowhere) and err says why. */
static int
wfile_reopen(struct col_writer *w, struct wfile *f, struct ks_err *err)
{
    struct wfile old = *f;
    int rc = wfile_open(w, f, err);
    if (rc < 0) {
        if (f->fd >= 0)
            close(f->fd);
        *f = old;
        return rc;
    }
    wfile_close(&old);
    return 0;
}

/* Messages name the directory the user gave, not the /proc/self/fd path it is reached
 * by after a privilege drop (o.io_dir). */
static void
name_dir(const struct col_writer *w, struct ks_err *e)
{
    if (!e || !w->o.io_dir || !w->o.dir)
        return;
    char out[sizeof e->msg] = "";
    size_t il = strlen(w->o.io_dir), n = 0;
    for (const char *p = e->msg; *p && n + 1 < sizeof out;) {
        if (strncmp(p, w->o.io_dir, il) == 0) {
            n += (size_t)snprintf(out + n, sizeof out - n, "%s", w->o.dir);
            p += il;
        } else {
            out[n++] = *p++;
        }
    }
    out[n < sizeof out ? n : sizeof out - 1] = '\0';
    memcpy(e->msg, out, sizeof out);
}

static void
warn(const struct col_writer *w, struct ks_err *e)
{
    name_dir(w, e);
    if (w->o.warn)
        w->o.warn(w->o.warn_ctx, e->msg);
}

/* Rotate before a row of len bytes at time t when the policy says so. The row is
 * written afterwards either way: a failed rotation keeps the old file, and says so
 * once (until a rotation works again), since --rotate was asked for. */
static void
maybe_rotate(struct col_writer *w, struct wfile *f, size_t len, double t)
{
    uint64_t hl = strlen(f->header);
    int by_size = w->o.rotate_bytes && f->size > hl && f->size + len > w->o.rotate_bytes;
    int by_day = w->o.rotate_daily && f->day >= 0 && utc_day(t) != f->day && f->size > hl;
    if (!f->path || !(by_size || by_day))
        return;
    char *to = rotated_name(f->path, t);
    struct ks_err e = {0};
    if (rename(f->path, to) != 0) {
        ks_errf(&e, -errno, "%s: cannot rotate: %s: rows go on into it", f->path, strerror(errno));
    } else if (wfile_reopen(w, f, &e) < 0) {
        rename(to, f->path); /* put it back: the old descriptor still writes there */
        ks_err_prefix(&e, "rotation failed, rows go on into the old file: ");
    } else if (w->o.compress_rotated && w->o.compress_rotated(to, 3, &e) < 0) {
        ks_err_prefix(&e, "rotated, but left uncompressed: ");
    }
    if (e.msg[0] && !f->rotate_failed)
        warn(w, &e);
    f->rotate_failed = e.msg[0] != '\0';
    free(to);
}

static int
wfile_put(struct col_writer *w, struct wfile *f, double t)
{
    /* The end of the file is asked for rather than trusted: logrotate's copytruncate
     * may have emptied it under us (then it needs its header again), and a cut after a
     * failed write must never go past our own bytes. */
    off_t end = f->path ? lseek(f->fd, 0, SEEK_END) : -1;
    if (end >= 0)
        f->size = (uint64_t)end;
    if (end == 0 && write_whole(w, f, f->header, strlen(f->header)) < 0)
        return -ENOSPC;
    maybe_rotate(w, f, w->mlen, t);
    int rc = write_whole(w, f, w->mbuf, w->mlen);
    if (rc == 0 && f->day < 0)
        f->day = utc_day(t);
    double now = ks_mono_s();
    if (rc == 0 && f->path && now - f->last_sync_s >= w->o.fsync_s) {
        fdatasync(f->fd);
        f->last_sync_s = now;
    }
    return rc;
}

/* Rates to 0.001 of their unit: far below what a counter delta over a second can
 * resolve, and it keeps a row near 200 bytes instead of twice that (17-digit doubles),
 * about 12 MB for a week at 10 s. */
static double
round3(double v)
{
    return isnan(v) ? v : round(v * 1000.0) / 1000.0;
}

/* Append one samples.csv row to the memory buffer. */
static void
format_row(struct col_writer *w, double t, const char *entity, double interval_s,
           const double *metrics, const double *x, const char *events)
{
    char xb[COL_NX][KS_NUMBUF];
    char *extra[COL_NX + 1];
    double m[KS_NMETRIC];
    for (int i = 0; i < KS_NMETRIC; i++)
        m[i] = round3(metrics[i]);
    for (int i = 0; i < COL_NX; i++)
        extra[i] = (char *)ks_fmt_double(xb[i], round3(x[i]));
    extra[COL_NX] = (char *)events;
    ks_samples_put_row(w->mem, t, entity, round3(interval_s), m, extra, COL_NX + 1);
}

/* Format the rows of s (the machine's, then other entities') into the memory buffer,
 * at time t: they go out in one write, so a reader never sees a machine's row
 * without its VMs'. A gap or a clamped time is said on the machine's row. */
static void
format_samples_rows(struct col_writer *w, const struct col_snapshot *s, double t)
{
    char ev[COL_EVENTS_MAX + 128];
    double x[COL_NX];
    memcpy(x, s->x, sizeof x);
    snprintf(ev, sizeof ev, "%s", s->events);
    size_t n = strlen(ev);
    if (w->gap_rows) {
        x[COL_X_GAP_S] = w->gap_s;
        n += (size_t)snprintf(ev + n, sizeof ev - n, "%sgap:%llu_rows_lost", n ? ";" : "",
                              (unsigned long long)w->gap_rows);
    }
    if (t != round3(s->time_s) && n < sizeof ev)
        snprintf(ev + n, sizeof ev - n, "%stime_clamped:%.3f", n ? ";" : "", s->time_s);
    fseeko(w->mem, 0, SEEK_SET);
    format_row(w, t, w->entity, s->interval_s, s->m, x, ev);
    for (size_t i = 0; i < s->nents; i++)
        format_row(w, t, s->ents[i].entity, s->interval_s, s->ents[i].m, s->ents[i].x, "");
}

/* The time a row is written with: its own, unless the file already holds a later row
 * (the wall clock was set back between two runs appending to one dataset): then just
 * after that row, since readers need rows in time order. */
static double
row_time(const struct col_writer *w, const struct col_snapshot *s)
{
    double t = round3(s->time_s), last = w->samples.last_time;
    return !isnan(last) && !(t > last) ? round3(last + 0.001) : t;
}

static void
format_cores_rows(struct col_writer *w, const struct col_snapshot *s, double t)
{
    fseeko(w->mem, 0, SEEK_SET);
    for (size_t i = 0; i < s->ncpu; i++) {
        const struct col_cpu_row *c = &s->cpu[i];
        double v[] = {c->pct.busy,   c->pct.user,  c->pct.system,
                      c->pct.iowait, c->pct.steal, c->pct.guest};
        ks_csv_put_num(w->mem, t, 1);
        ks_csv_put(w->mem, w->entity, 0);
        ks_csv_put_num(w->mem, c->cpu, 0);
        ks_csv_put_num(w->mem, c->online, 0);
        for (size_t k = 0; k < sizeof v / sizeof *v; k++)
            ks_csv_put_num(w->mem, round3(v[k]), 0);
        fputc('\n', w->mem);
    }
}

static void
format_flows_rows(struct col_writer *w, const struct col_snapshot *s, double t)
{
    fseeko(w->mem, 0, SEEK_SET);
    for (size_t i = 0; i < s->nflows; i++) {
        const struct col_flow_row *f = &s->flows[i];
        ks_csv_put_num(w->mem, t, 1);
        ks_csv_put(w->mem, w->entity, 0);
        ks_csv_put(w->mem, f->src, 0);
        ks_csv_put(w->mem, f->dst, 0);
        ks_csv_put(w->mem, f->proto, 0);
        if (f->dport >= 0)
            ks_csv_put_num(w->mem, f->dport, 0);
        else
            ks_csv_put(w->mem, "", 0);
        ks_csv_put_num(w->mem, (double)f->bytes, 0);
        ks_csv_put_num(w->mem, (double)f->packets, 0);
        fputc('\n', w->mem);
    }
}

static void
mem_done(struct col_writer *w)
{
    fflush(w->mem);
    w->mlen = (size_t)ftello(w->mem);
}

/* Load DIR/inventory.csv (if any) into w->inv and merge this entity's row into it
 * (other rows and columns kept): one dataset may gather many servers, each collector
 * adding its own row. The file is rewritten atomically (ks_table_write: temporary
 * file + rename), so a reader never sees half of it. inv NULL: load only. */
static int
load_inventory(struct col_writer *w, const struct col_inventory *inv, struct ks_err *err)
{
    static const char *const req[] = {"entity", "kind", NULL};
    int rc = 0;
    w->inv_path = ks_xasprintf("%s/inventory.csv", w->dir);
    w->inv = ks_dataset_new();
    if (access(w->inv_path, F_OK) == 0) {
        struct ks_table *t = &w->inv->inv;
        ks_table_fini(t);
        rc = ks_table_read(w->inv_path, req, t, err);
        for (size_t r = 0; rc == 0 && r < t->nrows; r++)
            ks_map_put(&w->inv->ent_ix, ks_table_get(t, r, ks_table_col(t, "entity")), (uint32_t)r);
    }
    if (rc == 0 && inv) {
        col_inventory_put(inv, w->entity, w->inv);
        rc = ks_table_write(&w->inv->inv, w->inv_path, err);
    }
    return rc;
}

/* Inventory rows for entities seen for the first time (a VM started). */
static int
add_entities(struct col_writer *w, const struct col_snapshot *s, struct ks_err *err)
{
    int added = 0;
    for (size_t i = 0; w->inv && i < s->nents; i++) {
        const struct col_entity_row *e = &s->ents[i];
        if (ks_dataset_find(w->inv, e->entity) >= 0)
            continue;
        size_t r = ks_dataset_add_entity(w->inv, e->entity, e->kind);
        ks_inv_set(w->inv, r, "host", e->host[0] ? e->host : w->entity);
        ks_inv_set_num(w->inv, r, "threads", e->vcpus < 0 ? NAN : e->vcpus);
        ks_inv_set_num(w->inv, r, "mem_MiB", e->mem_MiB);
        added = 1;
    }
    return added ? ks_table_write(&w->inv->inv, w->inv_path, err) : 0;
}

/* flows.csv (opened at open with o.flows): best effort like cores.csv. */
static int
put_flows(struct col_writer *w, const struct col_snapshot *s, double t, struct ks_err *err)
{
    (void)err;
    if (w->flows.fd < 0 || !s->nflows)
        return 0;
    format_flows_rows(w, s, t);
    mem_done(w);
    wfile_put(w, &w->flows, t);
    return 0;
}

static int put_rows(struct col_writer *w, const struct col_snapshot *s, struct ks_err *err);

int
col_writer_put(struct col_writer *w, const struct col_snapshot *s, struct ks_err *err)
{
    int rc = put_rows(w, s, err);
    if (rc < 0)
        name_dir(w, err);
    return rc;
}

static int
put_rows(struct col_writer *w, const struct col_snapshot *s, struct ks_err *err)
{
    int rc;
    if (s->baseline)
        return 0;
    double t = row_time(w, s);
    if (s->nents && (rc = add_entities(w, s, err)) < 0)
        return rc;
    format_samples_rows(w, s, t);
    mem_done(w);
    rc = wfile_put(w, &w->samples, t);
    if (rc == -ENOSPC || rc == -EDQUOT) {
        w->dropped++;
        w->gap_rows++;
        w->gap_s += isnan(s->interval_s) ? 0 : s->interval_s;
        return ks_errf(err, -ENOSPC,
                       "%s: no space left on device: row dropped, retrying "
                       "every interval",
                       w->samples.path ? w->samples.path : "stdout");
    }
    if (rc < 0)
        return ks_errf(err, rc, "%s: write failed: %s",
                       w->samples.path ? w->samples.path : "stdout", strerror(-rc));
    w->rows++;
    w->samples.last_time = t;
    w->gap_rows = 0;
    w->gap_s = 0;
    if (w->cores.fd >= 0 && s->ncpu) {
        format_cores_rows(w, s, t);
        mem_done(w);
        wfile_put(w, &w->cores, t); /* best effort: samples.csv is the record */
    }
    return put_flows(w, s, t, err);
}

static void
wfile_init(struct wfile *f, const char *dir, const char *name, char *header)
{
    f->path = dir ? ks_xasprintf("%s/%s", dir, name) : NULL;
    f->header = header;
    f->fd = -1;
}

int
col_writer_open(const struct col_writer_opts *o, const struct col_inventory *inv,
                struct col_writer **out, struct ks_err *err)
{
    struct col_writer *w = ks_xcalloc(1, sizeof *w);
    int rc = 0;
    w->o = *o;
    if (w->o.fsync_s <= 0)
        w->o.fsync_s = 60;
    w->lock_fd = -1;
    w->entity = ks_xstrdup(o->entity);
    w->dir = o->dir ? ks_xstrdup(o->io_dir ? o->io_dir : o->dir) : NULL;
    /* the caller's strings, copied: messages are fixed up with them (name_dir) */
    w->o.dir = w->name = o->dir ? ks_xstrdup(o->dir) : NULL;
    w->o.io_dir = w->io_name = o->io_dir ? ks_xstrdup(o->io_dir) : NULL;
    w->mem = open_memstream(&w->mbuf, &w->mlen);
    if (!w->mem)
        abort();
    wfile_init(&w->samples, w->dir, "samples.csv", col_writer_samples_header());
    wfile_init(&w->cores, w->dir, "cores.csv", col_writer_cores_header());
    wfile_init(&w->flows, w->dir, "flows.csv", mem_string(put_flows_header));
    if (w->dir)
        rc = ks_mkdir_p(w->dir, err);
    if (rc == 0 && w->dir && (rc = col_dsdir_lock(w->dir, err)) >= 0) {
        w->lock_fd = rc;
        rc = load_inventory(w, inv, err);
    }
    if (rc == 0)
        rc = wfile_open(w, &w->samples, err);
    if (rc == 0 && w->dir && !o->no_cores)
        rc = wfile_open(w, &w->cores, err);
    if (rc == 0 && w->dir && o->flows)
        rc = wfile_open(w, &w->flows, err);
    if (rc < 0) {
        name_dir(w, err);
        col_writer_close(w, NULL);
        return rc;
    }
    *out = w;
    return 0;
}

int
col_writer_reopen(struct col_writer *w, struct ks_err *err)
{
    if (!w->dir)
        return 0;
    struct wfile *fs[] = {&w->samples, &w->cores, &w->flows};
    int rc = 0;
    for (int i = 0; i < 3; i++) {
        struct ks_err e = {0};
        if (fs[i]->fd >= 0 && wfile_reopen(w, fs[i], &e) < 0 && rc == 0)
            rc = ks_errf(err, e.code, "%s: rows go on into the old file", e.msg);
    }
    name_dir(w, err);
    return rc;
}

int
col_writer_sync(struct col_writer *w, struct ks_err *err)
{
    struct wfile *fs[] = {&w->samples, &w->cores, &w->flows};
    for (int i = 0; i < 3; i++) {
        if (fs[i]->fd < 0 || !fs[i]->path)
            continue;
        if (fsync(fs[i]->fd) != 0) {
            int e = errno;
            return ks_errf(err, -e, "%s: fsync: %s", fs[i]->path, strerror(e));
        }
        fs[i]->last_sync_s = ks_mono_s();
    }
    return 0;
}

uint64_t
col_writer_rows(const struct col_writer *w)
{
    return w->rows;
}

uint64_t
col_writer_dropped(const struct col_writer *w)
{
    return w->dropped;
}

int
col_writer_close(struct col_writer *w, struct ks_err *err)
{
    if (!w)
        return 0;
    int rc = col_writer_sync(w, err);
    wfile_close(&w->samples);
    wfile_close(&w->cores);
    wfile_close(&w->flows);
    fclose(w->mem);
    free(w->mbuf);
    free(w->samples.path);
    free(w->samples.header);
    free(w->cores.path);
    free(w->cores.header);
    free(w->flows.path);
    free(w->flows.header);
    free(w->entity);
    free(w->dir);
    free(w->name);
    free(w->io_name);
    ks_dataset_free(w->inv);
    free(w->inv_path);
    if (w->lock_fd >= 0)
        close(w->lock_fd); /* last: the data is on disk before another may append */
    free(w);
    return rc;
}
