/*
 * samples.csv readers. Two paths give the same rows, values and messages:
 *
 * - the general one: every row through libcsv (core/ks_csv.c), then parse_row;
 * - the fast one, over the whole file in memory: a line without quotes, CR (but a
 *   CRLF ending), NUL, or blank around a field is split here at its commas and its
 *   numbers converted as they are scanned (the same Clinger fast path as
 *   ks_parse_double, which takes every other spelling); the entity is found by
 *   guessing the one that followed the previous row's entity last time (files repeat
 *   the same order at every step), the hash only when the guess is wrong. Any line
 *   that does not fit, or that breaks a rule (range, order, unknown entity), is handed
 *   to the general path at that line, which reads the row (or writes the error) as it
 *   would have from the start of the file.
 *
 * On two threads (read_blocks below) the file, mapped or decompressed from
 * samples.csv.zst a block at a time, is cut in blocks of whole lines that the threads
 * take as they come, each through the fast path alone; any line that needs the general
 * path, or any error, and the file is read again the serial way, so errors and their
 * line numbers are those of a serial read. The checks that span blocks (time order,
 * duplicate rows) are made as the blocks join.
 */
#include "core/ks_dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ks_csv.h"
#include "core/ks_fault.h"
#include "core/ks_manifest.h"
#include "core/ks_zst.h"

enum { COL_TIME = -1, COL_ENTITY = -2, COL_INTERVAL = -3, COL_EXTRA = -4 };

/* The state of one reading pass (the whole file, or one chunk of it). */
struct sreader {
    const char *path;
    int *colmap;   /* per file column: metric index, COL_* (shared by the chunks) */
    int *extra_of; /* per file column: extra index or -1 (shared) */
    size_t ncols;
    double *last_t; /* per entity, for duplicate detection (owned) */
    double prev_t;
};

static int
parse_header(struct ks_samples *s, struct sreader *sr, const struct ks_csv_row *h,
             struct ks_err *err)
{
    int seen_time = 0, seen_ent = 0, seen_int = 0, rc = 0;
    struct ks_map seen; /* a hash, not a scan of the columns before: 60,000 are read fast */
    ks_map_init(&seen);
    sr->ncols = h->n;
    sr->colmap = ks_xcalloc(h->n, sizeof *sr->colmap);
    sr->extra_of = ks_xcalloc(h->n, sizeof *sr->extra_of);
    for (size_t c = 0; c < h->n; c++) {
        const char *name = h->f[c];
        int m = ks_metric_lookup(name);
        sr->extra_of[c] = -1;
        uint32_t first;
        if (ks_map_get(&seen, name, &first)) {
            rc =
                ks_errf(err, -EINVAL, "%s:%lu: column '%s' appears twice", sr->path, h->line, name);
            break;
        }
        ks_map_put(&seen, name, (uint32_t)c);
        if (strcmp(name, "time") == 0) {
            sr->colmap[c] = COL_TIME;
            seen_time = 1;
        } else if (strcmp(name, "entity") == 0) {
            sr->colmap[c] = COL_ENTITY;
            seen_ent = 1;
        } else if (strcmp(name, "interval_s") == 0) {
            sr->colmap[c] = COL_INTERVAL;
            seen_int = 1;
        } else if (m >= 0) {
            sr->colmap[c] = m; /* read and checked; stored when kept */
            if (!s->keep || (s->keep >> m & 1))
                ks_samples_enable(s, m);
        } else {
            sr->colmap[c] = COL_EXTRA;
            sr->extra_of[c] = (int)s->nextra;
            s->extra_names = ks_xrealloc(s->extra_names, (s->nextra + 1) * sizeof(char *));
            s->extra_names[s->nextra++] = ks_xstrdup(name);
        }
    }
    ks_map_fini(&seen);
    if (rc < 0)
        return rc;
    if (!seen_time || !seen_ent || !seen_int)
        return ks_errf(err, -EINVAL,
                       "%s:%lu: missing header: the first row must name the columns "
                       "(time, entity, interval_s, ...); missing '%s'",
                       sr->path, h->line,
                       !seen_time  ? "time"
                       : !seen_ent ? "entity"
                                   : "interval_s");
    return 0;
}

/* Natural range of each metric: percentages 0-100, everything else (rates, MiB, iops,
 * await, MHz, ipc) non-negative and below a ceiling no server reaches, far above the
 * fastest machine of today (a 2-socket host: ~10^6 MHz of cores, 10^8 MiB of memory,
 * ~10^8 IOPS and 10^8 KiB/s from NVMe, 10^8 KiB/s and 10^9 pps from its NICs). A value
 * outside is a broken collector, a counter that wrapped or a hand edit, and planning on
 * it would be a wrong answer without a warning (1e308 IOPS made the storage plan inf). */
static const double metric_max[KS_NMETRIC] = {
    [KS_CPU_PCT] = 100,           [KS_CPU_MHZ] = 1e9,
    [KS_CPU_STEAL_PCT] = 100,     [KS_MEM_USED_MIB] = 1e12,
    [KS_MEM_TOTAL_MIB] = 1e12,    [KS_DISK_READ_KIBPS] = 1e12,
    [KS_DISK_WRITE_KIBPS] = 1e12, [KS_DISK_READ_IOPS] = 1e12,
    [KS_DISK_WRITE_IOPS] = 1e12,  [KS_DISK_AWAIT_MS] = 1e12,
    [KS_DISK_UTIL_PCT] = 100,     [KS_NET_RX_KIBPS] = 1e12,
    [KS_NET_TX_KIBPS] = 1e12,     [KS_NET_RX_PPS] = 1e12,
    [KS_NET_TX_PPS] = 1e12,       [KS_IPC] = 1e3,
};

double
ks_metric_max(int k)
{
    return metric_max[k];
}

static int
parse_num_field(const struct sreader *sr, const struct ks_csv_row *row, size_t c, double *v,
                const char *what, struct ks_err *err)
{
    const char *f = row->f[c];
    if (!*f) {
        *v = NAN;
        return 0;
    }
    if (ks_parse_double(f, v) < 0)
        return ks_errf(err, -EINVAL, "%s:%lu: column %zu (%s): '%.40s' is not a number", sr->path,
                       row->line, c + 1, what, f);
    return 0;
}

static int
range_error(const struct sreader *sr, const struct ks_csv_row *row, size_t c, int k,
            struct ks_err *err)
{
    if (metric_max[k] == 100)
        return ks_errf(err, -EINVAL, "%s:%lu: column %zu (%s): '%.40s' is outside 0-100", sr->path,
                       row->line, c + 1, ks_metric_names[k], row->f[c]);
    if (row->f[c][0] == '-')
        return ks_errf(err, -EINVAL, "%s:%lu: column %zu (%s): '%.40s' is negative", sr->path,
                       row->line, c + 1, ks_metric_names[k], row->f[c]);
    return ks_errf(err, -EINVAL,
                   "%s:%lu: column %zu (%s): '%.40s' is above %g, more than any server "
                   "does (a broken counter or a hand edit?)",
                   sr->path, row->line, c + 1, ks_metric_names[k], row->f[c], metric_max[k]);
}

/* One row through libcsv's fields, appended to s. */
static int
parse_row(const struct ks_dataset *ds, struct ks_samples *s, struct sreader *sr,
          const struct ks_csv_row *row, struct ks_err *err)
{
    double t = NAN, iv = NAN, met[KS_NMETRIC];
    long ent = -1;
    if (row->n != sr->ncols)
        return ks_errf(err, -EINVAL, "%s:%lu: %zu fields, the header has %zu", sr->path, row->line,
                       row->n, sr->ncols);
    for (int m = 0; m < KS_NMETRIC; m++)
        met[m] = NAN;
    for (size_t c = 0; c < row->n; c++) {
        int k = sr->colmap[c];
        int rc = 0;
        if (k == COL_ENTITY) {
            ent = ks_dataset_find(ds, row->f[c]);
            if (ent < 0)
                return ks_errf(err, -EINVAL,
                               "%s:%lu: column %zu (entity): unknown entity '%.60s' (not in "
                               "inventory.csv)",
                               sr->path, row->line, c + 1, row->f[c]);
        } else if (k == COL_TIME) {
            rc = parse_num_field(sr, row, c, &t, "time", err);
            if (rc == 0 && isnan(t))
                rc = ks_errf(err, -EINVAL, "%s:%lu: column %zu (time) is empty", sr->path,
                             row->line, c + 1);
        } else if (k == COL_INTERVAL) {
            rc = parse_num_field(sr, row, c, &iv, "interval_s", err);
            if (rc == 0 && !(iv > 0))
                rc = ks_errf(err, -EINVAL, "%s:%lu: column %zu (interval_s) must be > 0", sr->path,
                             row->line, c + 1);
        } else if (k >= 0) {
            rc = parse_num_field(sr, row, c, &met[k], ks_metric_names[k], err);
            /* NaN (empty) compares false both ways and passes: unknown is allowed. */
            if (rc == 0 && !ks_metric_in_range(k, met[k]))
                rc = range_error(sr, row, c, k, err);
        }
        if (rc < 0)
            return rc;
    }
    if (t < sr->prev_t)
        return ks_errf(err, -EINVAL, "%s:%lu: time goes backwards (%.17g after %.17g)", sr->path,
                       row->line, t, sr->prev_t);
    if (sr->last_t[ent] == t)
        return ks_errf(err, -EINVAL, "%s:%lu: duplicate row for entity '%s' at time %.17g",
                       sr->path, row->line, ks_dataset_entity(ds, (size_t)ent), t);
    sr->prev_t = t;
    sr->last_t[ent] = t;
    ks_samples_append(s, t, (uint32_t)ent, iv, met);
    for (size_t c = 0; c < row->n; c++)
        if (sr->extra_of[c] >= 0 && row->f[c][0])
            s->extra[(s->nrows - 1) * s->nextra + (size_t)sr->extra_of[c]] = ks_xstrdup(row->f[c]);
    return 0;
}

int
ks_samples_parse(struct ks_dataset *ds, struct ks_csv_reader *r, struct ks_err *err)
{
    const struct ks_csv_row *row;
    struct sreader sr = {.path = ks_csv_name(r), .prev_t = -INFINITY};
    int rc = ks_csv_next(r, &row, err);
    if (rc == 0)
        rc = ks_errf(err, -EINVAL, "%s: empty file (no header row)", sr.path);
    if (rc > 0)
        rc = parse_header(&ds->s, &sr, row, err);
    size_t nent = ks_dataset_nent(ds);
    sr.last_t = ks_xmalloc((nent ? nent : 1) * sizeof *sr.last_t);
    for (size_t i = 0; i < nent; i++)
        sr.last_t[i] = NAN;
    while (rc >= 0 && (rc = ks_csv_next(r, &row, err)) > 0)
        rc = parse_row(ds, &ds->s, &sr, row, err);
    free(sr.colmap);
    free(sr.extra_of);
    free(sr.last_t);
    if (rc >= 0)
        ds->has_samples = 1;
    return rc < 0 ? rc : 0;
}

/* ---- the fast path ---------------------------------------------------------------- */

/* Byte classes of the field scan: what ends a field, and what sends the line to the
 * general path. */
enum { B_DATA, B_COMMA, B_LF, B_CR, B_SLOW };

static unsigned char
byte_class(unsigned char c)
{
    return c == ','         ? B_COMMA
           : c == '\n'      ? B_LF
           : c == '\r'      ? B_CR
           : c == '"' || !c ? B_SLOW
                            : B_DATA;
}

/* The manifest's hash of the whole buffer, taken a step ahead of the reader: the bytes
 * come from memory once, into the cache, where the parse finds them. */
struct hashing {
    struct ks_mhash *h;
    const char *buf;
    size_t done, len;
};

enum { HASH_STEP = 16 << 10 };

static void
hash_to(struct hashing *hs, size_t to)
{
    if (to > hs->len)
        to = hs->len;
    if (to > hs->done) {
        ks_mhash_update(hs->h, hs->buf + hs->done, to - hs->done);
        hs->done = to;
    }
}

/* One part of the file: lines [beg, end) of buf, rows into s. */
struct chunk {
    const struct ks_dataset *ds;
    const char *buf;
    size_t beg, end;
    unsigned long line; /* line number at beg */
    struct ks_samples *s;
    struct sreader sr;
    unsigned char cls[256];
    const char **names; /* entity names (not NUL-terminated, in arena) and their lengths,
                         * by inventory row */
    char *arena;
    size_t *nlen;
    uint32_t *next;  /* the entity that followed entity e last time; [nent]: start */
    uint32_t prev;   /* entity of the previous row (nent before the first) */
    const char **xf; /* extra fields of the row being read: start, length */
    size_t *xlen;
    struct ks_csv_reader *slow; /* the general path over buf[0, end), made on first use */
    uintptr_t page;             /* buf is a file mapping of this page size: give back the
                                 * pages read (0: memory of the caller) */
    struct hashing *hs;         /* the hash to keep ahead of the reader, or NULL */
    int rc;
    int fast_only;      /* a line for the general path stops the chunk (rc -EAGAIN) */
    struct ks_err *err; /* the caller's (serial read) or own (parts: then discarded) */
    struct ks_err own;
};

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A number field at *pp, *pp moved to the byte after it. 1 with *v (NaN when empty),
 * 0 when the line must go to the general path. The digits are read as
 * parse_simple_decimal (core/ks_util.c) reads them; any other spelling goes to
 * ks_parse_double itself, so the value is the one the general path gets. */
static inline int
blank(char b)
{
    return b == ' ' || b == '\t';
}

/* Every line is read strictly first: a field with blanks around it (libcsv skips them
 * before a field and trims them after it) sends the line to the tolerant reading
 * (tol 1), which trims them too. Kept apart because the checks cost the strict reading
 * 5% of its time, and files with blanks are rare (a script's "time, entity, ..."). */
#define FAST_INLINE static inline __attribute__((always_inline))

FAST_INLINE int
fast_num(const struct chunk *c, const char **pp, double *v, int tol)
{
    const char *s = *pp, *q;
    while (tol && blank(*s))
        s++;
    q = s;
    int neg = *q == '-', digits = 0, frac = -1;
    uint64_t m = 0;
    q += neg;
    for (;; q++) {
        unsigned d = (unsigned)(unsigned char)*q - '0';
        if (d < 10) {
            digits += (m || d) && digits < 99; /* bounded: a 2 GB run of digits */
            m = m * 10 + d;
            frac += frac >= 0 && frac < 99;
        } else if (*q == '.' && frac < 0) {
            frac = 0;
        } else {
            break;
        }
    }
    const char *e = q; /* the number's end */
    while (tol && blank(*q))
        q++;
    unsigned char k = c->cls[(unsigned char)*q];
    if (e == s && k != B_DATA && k != B_SLOW) { /* empty: unknown */
        *pp = q;
        *v = NAN;
        return 1;
    }
    if ((k == B_COMMA || k == B_LF || k == B_CR) && digits <= 15 && frac <= 22 && frac != 0 &&
        !(frac < 0 && digits == 0 && m == 0 && e[-1] != '0')) {
        double x = (double)m;
        if (frac > 0)
            x /= pow10_tab[frac];
        *v = neg ? -x : x;
        *pp = q;
        return 1;
    }
    /* Another spelling (exponent, '+', too many digits): the field whole, its blanks
     * trimmed. */
    while (c->cls[(unsigned char)*q] == B_DATA)
        q++;
    const char *z = q;
    while (tol && z > s && blank(z[-1]))
        z--;
    size_t n = (size_t)(z - s);
    char tmp[128];
    if (c->cls[(unsigned char)*q] == B_SLOW || n >= sizeof tmp ||
        (n && (blank(s[0]) || blank(z[-1]))))
        return 0; /* blanks that libcsv would trim: the tolerant reading */
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (ks_parse_double(tmp, v) < 0)
        return 0;
    *pp = q;
    return 1;
}

/* Names are short: compared a byte at a time. glibc's memcmp (its AVX-512 masked load,
 * on this VM) was a fifth of the profile of kasane report at 10,000 x 14; this loop cut
 * the one-thread read of 2,000 x 14 from 2.83 to 2.35 s of user time. */
static inline int
same_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* A text field at *pp as libcsv reads it: *s and *n its bytes, *pp moved past it; 0 when
 * the general path must read it. Plain, blanks at either end trimmed (as libcsv does:
 * "1206317100, web01, 300" is how a script may write it), or in quotes right at its
 * start that hold no quote, line end or NUL, kept as they are (a VM named "web, old" is
 * written quoted in every row: the whole file would go to the general path, on one
 * thread, decompressed whole). */
FAST_INLINE int
fast_text(const struct chunk *c, const char **pp, const char **s, size_t *n, int tol)
{
    const char *q = *pp;
    if (*q == '"') {
        const char *z = ++q;
        while (*z != '"' && *z != '\n' && *z != '\r' && *z)
            z++;
        if (*z != '"' || z[1] == '"')
            return 0; /* a doubled quote to undo, or a field over lines */
        *s = q;
        *n = (size_t)(z - q);
        *pp = z + 1;
        return 1;
    }
    while (tol && blank(*q))
        q++;
    if (*q == '"')
        return 0; /* blanks before a quote */
    *s = q;
    while (c->cls[(unsigned char)*q] == B_DATA)
        q++;
    const char *z = q;
    while (tol && z > *s && blank(z[-1]))
        z--;
    *n = (size_t)(z - *s);
    if (*n && (blank((*s)[0]) || blank(z[-1])))
        return 0;
    *pp = q;
    return 1;
}

/* The entity field at *pp: its inventory row, or -1 (general path). */
FAST_INLINE long
fast_entity(struct chunk *c, const char **pp, int tol)
{
    const char *s;
    size_t n;
    if (!fast_text(c, pp, &s, &n, tol) || n == 0)
        return -1;
    uint32_t g = c->next[c->prev];
    if (g != UINT32_MAX && c->nlen[g] == n && same_bytes(c->names[g], s, n))
        return g;
    char tmp[256];
    char *key = n < sizeof tmp ? tmp : ks_xmalloc(n + 1);
    memcpy(key, s, n);
    key[n] = '\0';
    long e = ks_dataset_find(c->ds, key);
    if (key != tmp)
        free(key);
    if (e >= 0)
        c->next[c->prev] = (uint32_t)e;
    return e;
}

/* Read the line at *pp into c->s: 1 done (*pp past its end), 0 when the general path
 * must read it. Nothing is changed on 0. */
FAST_INLINE int
fast_line(struct chunk *c, const char **pp, int tol)
{
    const struct sreader *sr = &c->sr;
    const char *q = *pp;
    double t = NAN, iv = NAN, met[KS_NMETRIC];
    long ent = -1;
    for (int m = 0; m < KS_NMETRIC; m++)
        met[m] = NAN;
    for (size_t col = 0; col < sr->ncols; col++) {
        int k = sr->colmap[col];
        if (k == COL_ENTITY) {
            if ((ent = fast_entity(c, &q, tol)) < 0)
                return 0;
        } else if (k == COL_EXTRA) {
            if (!fast_text(c, &q, &c->xf[sr->extra_of[col]], &c->xlen[sr->extra_of[col]], tol))
                return 0;
        } else {
            double v;
            if (!fast_num(c, &q, &v, tol))
                return 0;
            if (k == COL_TIME)
                t = v;
            else if (k == COL_INTERVAL)
                iv = v;
            else if (!ks_metric_in_range(k, v))
                return 0;
            else
                met[k] = v;
        }
        unsigned char b = c->cls[(unsigned char)*q];
        if (col + 1 < sr->ncols ? b != B_COMMA : !(b == B_LF || (b == B_CR && q[1] == '\n')))
            return 0;
        q += 1 + (b == B_CR);
    }
    if (isnan(t) || !(iv > 0) || t < sr->prev_t || c->sr.last_t[ent] == t ||
        (size_t)(q - *pp) > KS_CSV_MAX_ROW)
        return 0;
    c->sr.prev_t = t;
    c->sr.last_t[ent] = t;
    c->prev = (uint32_t)ent;
    struct ks_samples *s = c->s;
    ks_samples_append(s, t, (uint32_t)ent, iv, met);
    for (size_t j = 0; j < s->nextra; j++)
        if (c->xlen[j])
            s->extra[(s->nrows - 1) * s->nextra + j] = ks_xstrndup(c->xf[j], c->xlen[j]);
    *pp = q;
    return 1;
}

/* A line of blanks at *pp (no row, as in libcsv): 1 with *pp past it, else 0. */
static int
blank_line(const char **pp)
{
    const char *b = *pp;
    while (blank(*b))
        b++;
    if (b == *pp || !(*b == '\n' || (*b == '\r' && b[1] == '\n')))
        return 0;
    *pp = b + 1 + (*b == '\r');
    return 1;
}

/* The general path for the row at *pp: 1 read (*pp and the line count moved past it),
 * 0 at the end of the chunk, <0 error in c->err. */
static int
slow_row(struct chunk *c, const char **pp)
{
    size_t off = (size_t)(*pp - c->buf);
    const struct ks_csv_row *row;
    if (!c->slow)
        c->slow = ks_csv_open_mem(c->buf, c->end, ',', c->sr.path);
    ks_csv_seek_mem(c->slow, off, c->line);
    int rc = ks_csv_next(c->slow, &row, c->err);
    if (rc > 0 && (rc = parse_row(c->ds, c->s, &c->sr, row, c->err)) == 0) {
        rc = 1;
        c->prev = c->s->ent[c->s->nrows - 1];
    }
    off = (size_t)ks_csv_offset(c->slow);
    c->line = ks_csv_line(c->slow);
    /* A CRLF split across the reader's bounded steps: its LF is not a line. */
    if (off > 0 && off < c->end && c->buf[off - 1] == '\r' && c->buf[off] == '\n')
        off++;
    *pp = c->buf + off;
    return rc;
}

/* A mapped file's pages count in the resident size: 3.4 GB of CSV would sit beside the
 * 6 GB of samples they become. The pages of [from, to) of a mapping of page size pg go
 * back (0: not a mapping, nothing to do). */
static void
give_back(uintptr_t pg, const char *from, const char *to)
{
    uintptr_t a = ((uintptr_t)from + pg - 1) & ~(pg - 1), z = (uintptr_t)to & ~(pg - 1);
    if (pg && z > a)
        madvise((void *)a, z - a, MADV_DONTNEED);
}

/* Read the chunk; c->rc 0 or the error. */
static void *
chunk_run(void *arg)
{
    struct chunk *c = arg;
    const char *p = c->buf + c->beg, *end = c->buf + c->end;
    /* Lines that end in '\n' are scanned without bounds checks; an unterminated last
     * line goes to the general path. */
    const char *lf = c->end > c->beg ? memrchr(p, '\n', c->end - c->beg) : NULL;
    const char *fast_end = lf ? lf + 1 : p;
    const char *dropped = p, *pf = p;
    c->rc = 0;
    while (p < end) {
        if (c->page && p - dropped > (64 << 20)) { /* read pages back every 64 MiB */
            give_back(c->page, dropped, p);
            dropped = p;
        }
        if (p < fast_end && (*p == '\n' || (*p == '\r' && p[1] == '\n'))) {
            p += 1 + (*p == '\r'); /* a blank line: no row, as in libcsv */
            c->line++;
            continue;
        }
        /* The hash a step ahead, and the bytes after it asked from memory before they
         * are needed (a file mapping's 4 KiB pages stop the hardware's prefetch at
         * each page: 18% of the one-thread read's CPU time without this). */
        const char *ahead = p;
        if (c->hs) {
            if ((size_t)(p - c->buf) + HASH_STEP > c->hs->done)
                hash_to(c->hs, (size_t)(p - c->buf) + 2 * HASH_STEP);
            ahead = c->buf + c->hs->done;
        }
        while (pf < ahead + 8192 && pf < end) {
            __builtin_prefetch(pf);
            pf += 64;
        }
        if (p < fast_end && (fast_line(c, &p, 0) || blank_line(&p) || fast_line(c, &p, 1))) {
            c->line++;
            continue;
        }
        int rc = c->fast_only ? -EAGAIN : slow_row(c, &p);
        if (rc <= 0) {
            c->rc = rc;
            break;
        }
    }
    return NULL;
}

static void
chunk_init(struct chunk *c, const struct ks_dataset *ds, const struct sreader *sr,
           struct ks_samples *s, const char *buf, size_t beg, size_t end, unsigned long line)
{
    size_t nent = ks_dataset_nent(ds);
    memset(c, 0, sizeof *c);
    c->ds = ds;
    c->buf = buf;
    c->beg = beg;
    c->end = end;
    c->line = line;
    c->err = &c->own;
    c->s = s;
    c->sr = *sr;
    c->sr.prev_t = -INFINITY;
    c->sr.last_t = ks_xmalloc((nent + 1) * sizeof *c->sr.last_t);
    c->names = ks_xmalloc((nent + 1) * sizeof *c->names);
    c->nlen = ks_xmalloc((nent + 1) * sizeof *c->nlen);
    c->next = ks_xmalloc((nent + 1) * sizeof *c->next);
    size_t total = 1;
    for (size_t e = 0; e < nent; e++) {
        c->sr.last_t[e] = NAN;
        c->nlen[e] = strlen(ks_dataset_entity(ds, e));
        c->next[e] = UINT32_MAX;
        total += c->nlen[e];
    }
    /* The names side by side in inventory order, as the rows name them: the inventory's
     * own strings, one heap block each, cost a cache (and TLB) miss a row, a third of
     * the fast path's time at 10,000 entities. */
    char *a = c->arena = ks_xmalloc(total);
    for (size_t e = 0; e < nent; e++) {
        c->names[e] = memcpy(a, ks_dataset_entity(ds, e), c->nlen[e]);
        a += c->nlen[e];
    }
    c->next[nent] = UINT32_MAX;
    c->prev = (uint32_t)nent;
    c->xf = ks_xcalloc(s->nextra + 1, sizeof *c->xf);
    c->xlen = ks_xcalloc(s->nextra + 1, sizeof *c->xlen);
    for (int b = 0; b < 256; b++)
        c->cls[b] = byte_class((unsigned char)b);
}

static void
chunk_fini(struct chunk *c)
{
    free(c->sr.last_t);
    free(c->names);
    free(c->arena);
    free(c->nlen);
    free(c->next);
    free(c->xf);
    free(c->xlen);
    ks_csv_close(c->slow);
}

/* Rows that [beg, len) of buf likely holds: its size over its first line's, an eighth
 * more for longer lines further on. The columns are reserved for them at once: grown
 * by doubling, each of the 19 was copied 11 times on the way to 2 M rows. */
static size_t
rows_estimate(const char *buf, size_t beg, size_t len)
{
    size_t look = len - beg < 65536 ? len - beg : 65536;
    const char *nl = look ? memchr(buf + beg, '\n', look) : NULL;
    if (!nl)
        return 0;
    size_t n = (len - beg) / (size_t)(nl + 1 - (buf + beg));
    return n + n / 8 + 16;
}

/* v: the rows of s from row `at` on, to be filled by one block in place (v owns
 * nothing: never grown, never freed with ks_samples_fini). */
static void
samples_view(struct ks_samples *v, const struct ks_samples *s, size_t at)
{
    memset(v, 0, sizeof *v);
    v->cap = s->cap - at;
    v->keep = s->keep;
    v->time = s->time + at;
    v->ent = s->ent + at;
    v->interval_s = s->interval_s + at;
    for (int m = 0; m < KS_NMETRIC; m++)
        v->m[m] = s->m[m] ? s->m[m] + at : NULL;
    v->nextra = s->nextra;
    v->extra = s->extra ? s->extra + at * s->nextra : NULL;
}

/* A block's rows, written at row `at` of a, moved down to follow a's own (a copy only
 * when the blocks before had fewer rows than their bound: blank lines). */
static void
samples_join(struct ks_samples *a, size_t at, const struct ks_samples *b)
{
    size_t n = a->nrows, k = b->nrows;
    if (n < at) {
        memmove(a->time + n, b->time, k * sizeof *a->time);
        memmove(a->ent + n, b->ent, k * sizeof *a->ent);
        memmove(a->interval_s + n, b->interval_s, k * sizeof *a->interval_s);
        for (int m = 0; m < KS_NMETRIC; m++)
            if (a->m[m])
                memmove(a->m[m] + n, b->m[m], k * sizeof(double));
        if (a->nextra)
            memmove(a->extra + n * a->nextra, b->extra, k * a->nextra * sizeof *a->extra);
    }
    a->nrows = n + k;
}

/* ---- reading in blocks, on two threads ---------------------------------------------
 *
 * The text comes a block at a time (16 MiB, cut after its last newline): from a file in
 * memory (mapped, or a caller's buffer) the block is a view of it, hashed for the
 * manifest as it is cut; from samples.csv.zst it is decompressed into one of a few
 * reused buffers (the cut line carried into the next), so no buffer the size of the
 * content is made (3.4 GB at 10,000 servers x 14 days, fresh pages that cost this VM
 * more to fault in than zstd to fill). Each block is read by whichever thread is free
 * while the other cuts (decompresses, hashes) the next, so the two stay busy whatever
 * the blocks cost. A block's rows go to ds->s from its first row on, the rows of the
 * blocks before it counted by their line ends (a bound: blank lines leave a gap, closed
 * at the end), so the blocks are read in any order and nothing is copied. Every line
 * must take the fast path: one that needs the general one (quotes, blanks around a
 * field, an error), a line longer than a block or a failed read ends the attempt, and
 * the text is read again the serial way, whose rows and messages are the reference.
 * The checks across block boundaries (time order, duplicates) are made as the blocks
 * join, in order. */
enum { BLK_SLOTS = 6, BLK_FREE = 0, BLK_FILLING, BLK_READY, BLK_BUSY };

struct rslot {
    char *own;             /* rb->block bytes for decompressed text (NULL for views) */
    const char *buf;       /* the block's text: own, or a view of the file */
    size_t beg, len;       /* the block's lines: [beg, len) */
    size_t at, bound, seq; /* its first row in ds->s, its line ends, its place */
    int state;
};

struct rpart {
    size_t at, n; /* first row in ds->s, rows read */
};

struct rblocks {
    size_t block; /* 16 MiB, or KASANE_READ_BLOCK (tests: many blocks from a small file) */
    struct ks_dataset *ds;
    struct ks_zin *zi;  /* the source: a zstd stream, */
    const char *map;    /* or text in memory, maplen bytes, cut up to off; */
    size_t maplen, off; /* its pages given back as read when page (struct chunk), */
    uintptr_t page;     /* hashed as cut when hs */
    struct hashing *hs;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct rslot slot[BLK_SLOTS];
    char *carry; /* the cut line after the last block made, ncarry bytes */
    size_t ncarry;
    size_t rows; /* the row bound of the blocks made: the next one's first row */
    struct rpart *blocks;
    size_t nblocks, cap_blocks;
    int decoding, growing, eof, failed;
    size_t parsing;
    struct ks_err err; /* of a failed read or decompression (the serial read says it) */
};

/* Line ends in buf[0, n) and one for an unterminated last line. */
static size_t
count_lines(const char *buf, size_t n)
{
    size_t k = 0;
    for (const char *q = buf, *z = buf + n; (q = memchr(q, '\n', (size_t)(z - q))) != NULL; q++)
        k++;
    return k + (n > 0 && buf[n - 1] != '\n');
}

/* Fill sl with the next block: up to rb->block bytes of text (after the carried line
 * when decompressing), cut after its last newline (all of it at the end), its line ends
 * counted when count (the first block's are counted after its header: a file of noise
 * is refused by the header before its 16 MiB are read). 0, 1 at the end of the text,
 * <0 on a read error or a line longer than a block. Called by the thread that holds
 * rb->decoding, without the lock. */
static int
blk_fill(struct rblocks *rb, struct rslot *sl, int count)
{
    size_t len;
    int end;
    if (rb->map) {
        sl->buf = rb->map + rb->off;
        len = rb->maplen - rb->off;
        end = len <= rb->block;
        len = end ? len : rb->block;
    } else {
        memcpy(sl->own, rb->carry, rb->ncarry);
        ssize_t k = ks_zin_read(rb->zi, sl->own + rb->ncarry, rb->block - rb->ncarry, &rb->err);
        if (k < 0)
            return (int)k;
        sl->buf = sl->own;
        len = rb->ncarry + (size_t)k;
        end = len < rb->block;
    }
    const char *nl = end ? NULL : memrchr(sl->buf, '\n', len);
    if (!end && !nl)
        return -EAGAIN;
    sl->beg = 0;
    sl->len = end ? len : (size_t)(nl + 1 - sl->buf);
    if (rb->map) {
        rb->off += sl->len;
        if (rb->hs)
            hash_to(rb->hs, rb->off);
    } else {
        rb->ncarry = len - sl->len;
        memcpy(rb->carry, sl->buf + sl->len, rb->ncarry);
    }
    sl->bound = count ? count_lines(sl->buf, sl->len) : 0;
    return end;
}

/* Give the filled block its rows (the columns grown, once no block is being read, when
 * they are too short) and its place; with the lock held. */
static void
blk_place(struct rblocks *rb, struct rslot *sl)
{
    struct ks_samples *s = &rb->ds->s;
    if (rb->rows + sl->bound > s->cap) {
        rb->growing = 1;
        while (rb->parsing)
            pthread_cond_wait(&rb->cv, &rb->mu);
        ks_samples_reserve(s, rb->rows + sl->bound);
        rb->growing = 0;
    }
    if (rb->nblocks == rb->cap_blocks) {
        rb->cap_blocks = rb->cap_blocks ? 2 * rb->cap_blocks : 64;
        rb->blocks = ks_xrealloc(rb->blocks, rb->cap_blocks * sizeof *rb->blocks);
    }
    sl->seq = rb->nblocks;
    sl->at = rb->rows;
    rb->blocks[rb->nblocks++] = (struct rpart){sl->at, 0};
    rb->rows += sl->bound;
    sl->state = sl->len > sl->beg ? BLK_READY : BLK_FREE;
}

/* Read sl's lines into its rows with c (re-aimed at the block); 0 or -EAGAIN. */
static int
blk_parse(struct rblocks *rb, struct chunk *c, struct rslot *sl, size_t *nrows)
{
    struct ks_samples v;
    samples_view(&v, &rb->ds->s, sl->at);
    v.cap = sl->bound;
    size_t nent = ks_dataset_nent(rb->ds);
    c->buf = sl->buf;
    c->beg = sl->beg;
    c->end = sl->len;
    c->s = &v;
    c->sr.prev_t = -INFINITY;
    for (size_t e = 0; e < nent; e++)
        c->sr.last_t[e] = NAN;
    chunk_run(c);
    *nrows = v.nrows;
    return c->rc < 0 ? -EAGAIN : 0;
}

struct rworker {
    struct rblocks *rb;
    struct chunk c;
};

/* A worker: decompress the next block when no one does, there is a free buffer and
 * fewer than two blocks wait; else read the oldest waiting block; until the file is
 * read or an attempt failed. */
static void *
blk_work(void *arg)
{
    struct rworker *w = arg;
    struct rblocks *rb = w->rb;
    pthread_mutex_lock(&rb->mu);
    for (;;) {
        struct rslot *ready = NULL, *fr = NULL;
        int nready = 0;
        for (int i = 0; i < BLK_SLOTS; i++) {
            struct rslot *sl = &rb->slot[i];
            if (sl->state == BLK_FREE && !fr)
                fr = sl;
            if (sl->state == BLK_READY) {
                nready++;
                if (!ready || sl->seq < ready->seq)
                    ready = sl;
            }
        }
        if (rb->failed || (rb->eof && !nready && !rb->parsing && !rb->decoding))
            break;
        if (!rb->eof && !rb->decoding && fr && nready < 2) {
            rb->decoding = 1;
            fr->state = BLK_FILLING;
            pthread_mutex_unlock(&rb->mu);
            int rc = blk_fill(rb, fr, 1);
            pthread_mutex_lock(&rb->mu);
            if (rc < 0) {
                rb->failed = 1;
                fr->state = BLK_FREE;
            } else {
                blk_place(rb, fr);
                rb->eof = rc == 1;
            }
            rb->decoding = 0;
        } else if (ready && !rb->growing) {
            ready->state = BLK_BUSY;
            rb->parsing++;
            pthread_mutex_unlock(&rb->mu);
            size_t n;
            int rc = blk_parse(rb, &w->c, ready, &n);
            give_back(rb->page, ready->buf, ready->buf + ready->len);
            pthread_mutex_lock(&rb->mu);
            rb->blocks[ready->seq].n = n;
            rb->failed |= rc < 0;
            rb->parsing--;
            ready->state = BLK_FREE;
        } else {
            pthread_cond_wait(&rb->cv, &rb->mu);
            continue;
        }
        pthread_cond_broadcast(&rb->cv);
    }
    pthread_cond_broadcast(&rb->cv);
    pthread_mutex_unlock(&rb->mu);
    return NULL;
}

/* Join the blocks in order: rows moved down over the gaps, time order and duplicates
 * checked where blocks meet (a run of one time may span blocks: the entities seen at
 * the latest time are kept in seen[]). 0, or -EAGAIN. */
static int
blk_join(struct rblocks *rb)
{
    struct ks_samples *s = &rb->ds->s;
    size_t nent = ks_dataset_nent(rb->ds), n = 0;
    double prev = -INFINITY, *seen = ks_xmalloc((nent + 1) * sizeof *seen);
    for (size_t e = 0; e < nent; e++)
        seen[e] = NAN;
    int rc = 0;
    for (size_t b = 0; b < rb->nblocks && rc == 0; b++) {
        struct ks_samples v;
        samples_view(&v, s, rb->blocks[b].at);
        v.nrows = rb->blocks[b].n;
        s->nrows = n;
        samples_join(s, rb->blocks[b].at, &v); /* s->nrows: n + its rows */
        rb->blocks[b].at = n;                  /* where blk_forget finds them now */
        size_t r = n, last = s->nrows;
        for (; r < last && s->time[r] <= prev; r++) {
            if (s->time[r] < prev || seen[s->ent[r]] == prev)
                rc = -EAGAIN;
            seen[s->ent[r]] = prev;
        }
        if (last > n && s->time[last - 1] > prev) {
            prev = s->time[last - 1];
            for (r = last; r > n && s->time[r - 1] == prev; r--)
                seen[s->ent[r - 1]] = prev;
        }
        n = last;
    }
    free(seen);
    return rc;
}

/* Forget what a failed attempt read: its rows' cells, then the columns and the
 * header's extra columns (the serial read starts from the header again). */
static void
blk_forget(struct rblocks *rb)
{
    struct ks_samples *s = &rb->ds->s;
    for (size_t b = 0; b < rb->nblocks && s->nextra; b++)
        for (size_t i = 0; i < rb->blocks[b].n * s->nextra; i++)
            free(s->extra[rb->blocks[b].at * s->nextra + i]);
    s->nrows = 0;
    unsigned keep = s->keep;
    ks_samples_fini(s);
    s->keep = keep;
}

/* The header from the first block, which must hold all of it and a line end after it.
 * 0 (sl's lines begin after it), or -EAGAIN (no header, a bad one, or too long: the
 * serial read says what is wrong). */
static int
blk_header(struct rblocks *rb, struct sreader *sr, struct rslot *sl, unsigned long *line)
{
    const struct ks_csv_row *row;
    struct ks_csv_reader *r = ks_csv_open_mem(sl->buf, sl->len, ',', sr->path);
    int rc = ks_csv_next(r, &row, &rb->err);
    rc = rc > 0 ? parse_header(&rb->ds->s, sr, row, &rb->err) : -EAGAIN;
    size_t beg = (size_t)ks_csv_offset(r);
    *line = ks_csv_line(r);
    ks_csv_close(r);
    if (rc >= 0 && beg > 0 && beg < sl->len && sl->buf[beg - 1] == '\r' && sl->buf[beg] == '\n')
        beg++;
    if (rc < 0 || (!rb->eof && (beg == 0 || sl->buf[beg - 1] != '\n')))
        return -EAGAIN;
    sl->beg = beg;
    sl->bound = count_lines(sl->buf + beg, sl->len - beg);
    return 0;
}

/* Read samples.csv in blocks with nthreads workers, from the zstd file path when map is
 * NULL, else from map[0, maplen) (page, hs: see struct rblocks). 0, or -EAGAIN (ds->s
 * back to empty: read it the serial way). */
static int
read_blocks(struct ks_dataset *ds, const char *path, int nthreads, const char *map, size_t maplen,
            uintptr_t page, struct hashing *hs)
{
    struct rblocks rb = {.ds = ds, .map = map, .maplen = maplen, .page = page, .hs = hs};
    if (!map && ks_zin_open(path, &rb.zi, &rb.err) < 0)
        return -EAGAIN;
    pthread_mutex_init(&rb.mu, NULL);
    pthread_cond_init(&rb.cv, NULL);
    const char *bs = getenv("KASANE_READ_BLOCK");
    rb.block = bs && atol(bs) >= 4096 ? (size_t)atol(bs) : (16u << 20);
    if (!map) {
        rb.carry = ks_xmalloc(rb.block);
        for (int i = 0; i < BLK_SLOTS; i++)
            rb.slot[i].own = ks_xmalloc(rb.block);
    }
    int rc;
    struct sreader sr = {.path = path, .prev_t = -INFINITY};
    unsigned long line = 1;
    rc = blk_fill(&rb, &rb.slot[0], 0);
    rb.eof = rc == 1;
    if (rc >= 0)
        rc = blk_header(&rb, &sr, &rb.slot[0], &line);
    struct rworker w[2];
    if (rc == 0) {
        /* The columns for the rows the file likely holds: the first block's line ends
         * scaled by the content the whole file makes at the first block's ratio, an
         * eighth more (grown later if short). */
        double est = map ? (double)maplen : ks_zin_ratio(rb.zi, rb.slot[0].len);
        ks_samples_reserve(
            &ds->s,
            (size_t)(est / (double)rb.slot[0].len * (double)(rb.slot[0].bound + 1) * 1.125) + 16);
        blk_place(&rb, &rb.slot[0]);
        pthread_t th;
        int two = nthreads > 1;
        for (int t = 0; t < 1 + two; t++) {
            w[t].rb = &rb;
            chunk_init(&w[t].c, ds, &sr, &ds->s, NULL, 0, 0, line);
            w[t].c.fast_only = 1;
        }
        two = two && pthread_create(&th, NULL, blk_work, &w[1]) == 0;
        blk_work(&w[0]);
        if (two)
            pthread_join(th, NULL);
        for (int t = 0; t < 1 + (nthreads > 1); t++)
            chunk_fini(&w[t].c);
        rc = rb.failed ? -EAGAIN : blk_join(&rb);
    }
    if (rc < 0) {
        blk_forget(&rb);
        rc = -EAGAIN;
    } else {
        ds->has_samples = 1;
    }
    free(sr.colmap);
    free(sr.extra_of);
    for (int i = 0; i < BLK_SLOTS; i++)
        free(rb.slot[i].own);
    free(rb.carry);
    free(rb.blocks);
    pthread_cond_destroy(&rb.cv);
    pthread_mutex_destroy(&rb.mu);
    ks_zin_close(rb.zi);
    return rc;
}

int ks_samples_in_blocks;

/* ks_samples_parse_mem; page, hs: see struct chunk. In blocks on two threads when
 * nthreads is 2, else (or when that gives up) serially. */
static int
parse_buf(struct ks_dataset *ds, const char *buf, size_t len, const char *name, int nthreads,
          uintptr_t page, struct hashing *hs, struct ks_err *err)
{
    if ((ks_samples_in_blocks = nthreads > 1 && read_blocks(ds, name, 2, buf, len, page, hs) == 0))
        return 0;
    const struct ks_csv_row *row;
    struct sreader sr = {.path = name, .prev_t = -INFINITY};
    struct ks_csv_reader *r = ks_csv_open_mem(buf, len, ',', name);
    int rc = ks_csv_next(r, &row, err);
    if (rc == 0)
        rc = ks_errf(err, -EINVAL, "%s: empty file (no header row)", name);
    if (rc > 0)
        rc = parse_header(&ds->s, &sr, row, err);
    size_t beg = (size_t)ks_csv_offset(r);
    unsigned long line = ks_csv_line(r);
    ks_csv_close(r);
    if (rc >= 0 && beg > 0 && beg < len && buf[beg - 1] == '\r' && buf[beg] == '\n')
        beg++;
    if (rc >= 0) {
        struct chunk c;
        ks_samples_reserve(&ds->s, rows_estimate(buf, beg, len));
        chunk_init(&c, ds, &sr, &ds->s, buf, beg, len, line);
        c.err = err;
        c.page = page;
        c.hs = hs;
        chunk_run(&c);
        rc = c.rc;
        chunk_fini(&c);
    }
    free(sr.colmap);
    free(sr.extra_of);
    if (rc >= 0)
        ds->has_samples = 1;
    return rc < 0 ? rc : 0;
}

int
ks_samples_parse_mem(struct ks_dataset *ds, const char *buf, size_t len, const char *name,
                     int nthreads, struct ks_err *err)
{
    return parse_buf(ds, buf, len, name, nthreads, 0, NULL, err);
}

/* Threads for reading: KASANE_READ_THREADS if set (1 reads serially), else 2 when the
 * machine has two cores or more. The two take blocks as they come, so a thread kept
 * waiting by a busy machine holds up nothing but its block: under two CPU hogs
 * (stress-ng --cpu 2) 2,000 x 14 read from samples.csv.zst in 3.8 s with two, 5.7-8.6 s
 * with one. (The split in two halves this replaced waited for the slower half, and
 * read on one thread above a load average of 1.5, which lagged: kasane plan right
 * after gen's two busy threads read on one.) */
static int
read_threads(void)
{
    const char *e = getenv("KASANE_READ_THREADS");
    if (e && *e)
        return atoi(e) > 1 ? 2 : 1;
    return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
}

/* samples.csv.zst the serial way: decompressed whole, then read on one thread, the
 * pages read given back as the reader moves on. */
static int
read_zst_whole(struct ks_dataset *ds, const char *path, struct ks_err *err)
{
    struct ks_zbuf z;
    int rc = ks_zst_load(path, KS_CSV_LONG_LINE, &z, err);
    if (rc < 0)
        return rc;
    rc = parse_buf(ds, z.p, z.len, path, 1, (uintptr_t)sysconf(_SC_PAGESIZE), NULL, err);
    ks_zst_free(&z);
    return rc;
}

/* samples.csv.zst: streamed, or the serial way when a fault is armed (its reads are
 * counted from the start) or streaming gives up. */
static int
read_zst(struct ks_dataset *ds, const char *path, struct ks_err *err)
{
    ks_samples_in_blocks = 0;
    if (!ks_fault_armed && !getenv("KASANE_ZST_WHOLE") &&
        (ks_samples_in_blocks = read_blocks(ds, path, read_threads(), NULL, 0, 0, NULL) == 0))
        return 0;
    return read_zst_whole(ds, path, err);
}

/* The file at path mapped and read, hashed on the way when d's check is pending. */
static int
read_mapped(struct ks_dataset *ds, const char *path, void *map, size_t len, const char *dir,
            struct ks_manifest_defer *d, struct ks_err *err)
{
    struct hashing hs = {.buf = map, .len = len}, *hp = NULL;
    if (d && d->listed) {
        hs.h = ks_mhash_new();
        hp = &hs;
    }
    madvise(map, len, MADV_SEQUENTIAL);
    int rc =
        parse_buf(ds, map, len, path, read_threads(), (uintptr_t)sysconf(_SC_PAGESIZE), hp, err);
    if (hp) {
        hash_to(hp, len); /* the rest, after a parse error */
        int mc = ks_manifest_check_hash(dir, d, ks_mhash_digest(hs.h), len, err);
        ks_mhash_free(hs.h);
        if (mc < 0)
            rc = mc; /* a file changed since: that, rather than what broke in it */
    }
    return rc;
}

int
ks_samples_read_checked(struct ks_dataset *ds, const char *path, const char *dir,
                        struct ks_manifest_defer *d, struct ks_err *err)
{
    int rc;
    if (ks_zst_is(path))
        return (rc = ks_manifest_check_file(dir, d, err)) < 0 ? rc : read_zst(ds, path, err);
    struct ks_csv_reader *r;
    rc = ks_csv_open(path, ',', &r, err); /* refuses FIFOs, directories, devices */
    if (rc < 0) {
        int mc = ks_manifest_check_file(dir, d, err);
        return mc < 0 ? mc : rc;
    }
    int fd = ks_csv_fd(r);
    struct stat st;
    /* Mapped whole unless a fault is armed (faults reach read(2) only through the
     * reader's own reads) or the file is empty (mmap refuses 0 bytes). */
    if (!ks_fault_armed && fstat(fd, &st) == 0 && st.st_size > 0) {
        size_t len = (size_t)st.st_size;
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            rc = read_mapped(ds, path, map, len, dir, d, err);
            munmap(map, len);
            ks_csv_close(r);
            return rc;
        }
    }
    if ((rc = ks_manifest_check_file(dir, d, err)) == 0)
        rc = ks_samples_parse(ds, r, err);
    ks_csv_close(r);
    return rc;
}

int
ks_samples_read(struct ks_dataset *ds, const char *path, struct ks_err *err)
{
    return ks_samples_read_checked(ds, path, NULL, NULL, err);
}
