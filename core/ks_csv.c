#include "core/ks_csv.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ks_fault.h"
#ifndef KS_CSV_DLOPEN
#include "core/ks_zst.h"
#endif

#ifdef KS_CSV_DLOPEN
/* kasane-collect's build of this file (Makefile): libcsv is loaded on use, not linked,
 * so the collector runs on servers without libcsv3. It reads one CSV file only, an
 * existing dataset's manifest.csv when asked to append to it (cli/cmd_collect.c). */
#include "core/ks_dl.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */
#define CSV_FUNCS(X)                                                                               \
    X(csv_init) X(csv_set_delim) X(csv_parse) X(csv_fini) X(csv_error) X(csv_strerror) X(csv_free)
static struct csv_api {
    CSV_FUNCS(KS_DL_FIELD)
} csvapi; /* filled once per process by ks_dl_load, read-only afterwards */
#define CSV_SYM(f) KS_DL_ENTRY(struct csv_api, f)
static const struct ks_dl_sym csv_syms[] = {CSV_FUNCS(CSV_SYM)};
static struct ks_dl_lib csv_lib =
    KS_DL_LIB(KS_SO_CSV, "KASANE_CSV_SO", KS_PKG_CSV, &csvapi, csv_syms, NULL);
/* Every call below goes through the table. */
#define csv_init csvapi.csv_init
#define csv_set_delim csvapi.csv_set_delim
#define csv_parse csvapi.csv_parse
#define csv_fini csvapi.csv_fini
#define csv_error csvapi.csv_error
#define csv_strerror csvapi.csv_strerror
#define csv_free csvapi.csv_free
#endif

#define CHUNK (64 * 1024)
_Static_assert(KS_CSV_LONG_LINE > KS_CSV_MAX_ROW + 2 * CHUNK,
               "a text cut inside a line of KS_CSV_LONG_LINE bytes must fail as the whole does");

struct ks_csv_reader {
    struct csv_parser p;
    char *name;
    int fd;          /* -1 when reading from mem */
    const char *mem; /* whole input when from memory */
    size_t memlen;
    char *buf;          /* CHUNK bytes when reading from fd */
    size_t pos, len;    /* unread window of buf (or mem) */
    int eof;            /* no more input beyond the window */
    int done;           /* csv_fini called */
    int pending_cr;     /* last segment ended with CR at the end of a read */
    int nul_seen;       /* a field of the current row holds a NUL byte */
    int bom;            /* bytes of a leading UTF-8 BOM matched so far; -1 once past */
    unsigned long line; /* current line (1-based) */
    unsigned long long off;
    size_t row_bytes; /* bytes fed since the last row ended */
    /* row under construction: fields as offsets into arena */
    char *arena;
    size_t alen, acap;
    size_t *foff;
    size_t nf, fcap;
    char **fptr;
    size_t pcap;
    int row_ready;
    int dl_failed; /* libcsv could not be loaded (KS_CSV_DLOPEN builds only) */
    struct ks_csv_row row;
#ifndef KS_CSV_DLOPEN
    struct ks_zbuf z; /* decompressed input of a .zst file (mem points into it) */
#endif
};

static void
on_field(void *s, size_t len, void *data)
{
    struct ks_csv_reader *r = data;
    if (len && memchr(s, '\0', len))
        r->nul_seen = 1;
    r->arena = ks_xgrow(r->arena, &r->acap, r->alen + len + 1, 1);
    r->foff = ks_xgrow(r->foff, &r->fcap, r->nf + 1, sizeof *r->foff);
    r->foff[r->nf++] = r->alen;
    if (len)
        memcpy(r->arena + r->alen, s, len);
    r->alen += len;
    r->arena[r->alen++] = '\0';
}

static void
on_row(int c, void *data)
{
    (void)c;
    struct ks_csv_reader *r = data;
    r->fptr = ks_xgrow(r->fptr, &r->pcap, r->nf + 1, sizeof *r->fptr);
    for (size_t i = 0; i < r->nf; i++)
        r->fptr[i] = r->arena + r->foff[i];
    r->row.n = r->nf;
    r->row.f = r->fptr;
    r->row.line = r->line;
    r->row_ready = 1;
}

static struct ks_csv_reader *
reader_new(unsigned char sep, const char *name)
{
    struct ks_csv_reader *r = ks_xcalloc(1, sizeof *r);
    r->bom = 0;
#ifdef KS_CSV_DLOPEN
    /* ks_csv_open loaded it already; from memory (tests), a failure is kept for the
     * first ks_csv_next to report. */
    if (ks_dl_load(&csv_lib, NULL) < 0) {
        r->done = r->eof = r->dl_failed = 1;
        r->name = ks_xstrdup(name);
        r->fd = -1;
        return r;
    }
#endif
    csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_delim(&r->p, sep);
    r->name = ks_xstrdup(name);
    r->fd = -1;
    r->line = 1;
    return r;
}

int
ks_csv_open(const char *path, unsigned char sep, struct ks_csv_reader **out, struct ks_err *err)
{
#ifdef KS_CSV_DLOPEN
    int lrc = ks_dl_load(&csv_lib, err);
    if (lrc < 0) {
        ks_err_prefix(err, "%s: cannot read it: ", path);
        return lrc;
    }
#endif
#ifndef KS_CSV_DLOPEN      /* kasane-collect reads no .zst (no libzstd there) */
    if (ks_zst_is(path)) { /* decompressed whole, then read from memory */
        struct ks_zbuf z;
        int rc = ks_zst_load(path, KS_CSV_LONG_LINE, &z, err);
        if (rc < 0)
            return rc;
        *out = ks_csv_open_mem(z.p, z.len, sep, path);
        (*out)->z = z;
        return 0;
    }
#endif
    /* O_NONBLOCK so that a FIFO put where a file belongs fails here instead of blocking
     * until a writer comes; fstat then refuses anything but a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        return ks_errf(err, -e, "%s: cannot open: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return ks_errf(err, -e, "%s: cannot open: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return ks_errf(err, -EINVAL, "%s: not a regular file (%s)", path,
                       S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "a device");
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    struct ks_csv_reader *r = reader_new(sep, path);
    r->fd = fd;
    r->buf = ks_xmalloc(CHUNK);
    *out = r;
    return 0;
}

struct ks_csv_reader *
ks_csv_open_mem(const char *buf, size_t len, unsigned char sep, const char *name)
{
    struct ks_csv_reader *r = reader_new(sep, name);
    r->mem = buf;
    r->memlen = len;
    r->len = len;
    r->eof = 1;
    return r;
}

void
ks_csv_seek_mem(struct ks_csv_reader *r, size_t off, unsigned long line)
{
    r->pos = off;
    r->off = off;
    r->line = line;
    r->done = 0;
    r->pending_cr = 0;
    r->bom = -1; /* a mark is only one at the start of the file */
}

/* Make sure the window holds unread bytes; returns 1 if it does, 0 at EOF, <0 error. */
static int
fill(struct ks_csv_reader *r, struct ks_err *err)
{
    if (r->pos < r->len)
        return 1;
    if (r->eof)
        return 0;
    ssize_t n;
    do
        n = ks_io_read(r->fd, r->buf, CHUNK);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        int e = errno;
        return ks_errf(err, -e, "%s:%lu: read error: %s", r->name, r->line, strerror(e));
    }
    r->pos = 0;
    r->len = (size_t)n;
    if (n == 0)
        r->eof = 1;
    return n > 0;
}

static const char *
window(const struct ks_csv_reader *r)
{
    return r->mem ? r->mem : r->buf;
}

/* A UTF-8 byte order mark at the very start of the input (Excel and PowerShell write
 * one) is not part of the first column name: skip it. It may arrive split across
 * reads; a partial match followed by something else is data and is fed as such.
 * Returns 1 when the window is used up (read more first), else 0. */
static int
skip_bom(struct ks_csv_reader *r)
{
    static const char bom[3] = {'\xef', '\xbb', '\xbf'};
    const char *w = window(r);
    while (r->bom < 3 && r->pos < r->len && w[r->pos] == bom[r->bom]) {
        r->bom++;
        r->pos++;
        r->off++;
    }
    if (r->bom == 3) {
        r->bom = -1;
        return r->pos == r->len;
    }
    if (r->pos == r->len && !r->eof)
        return 1;   /* so far a prefix of the mark: wait for the next bytes */
    if (r->bom > 0) /* not a mark after all: its first bytes are data */
        csv_parse(&r->p, bom, (size_t)r->bom, on_field, on_row, r);
    r->bom = -1;
    return r->pos == r->len;
}

/* Feed up to and including the next line terminator (LF, CRLF or a lone CR). */
static int
feed_segment(struct ks_csv_reader *r, struct ks_err *err)
{
    if (__builtin_expect(r->bom >= 0, 0) && skip_bom(r))
        return 0;
    const char *w = window(r) + r->pos;
    size_t avail = r->len - r->pos, n = 0;
    int newline = 0;
    if (avail > CHUNK)
        avail = CHUNK; /* bounded steps, so an endless row is caught early */
    if (r->pending_cr && w[0] == '\n') {
        n = 1; /* second half of a CRLF split across reads: same line */
    } else {
        while (n < avail && w[n] != '\n' && w[n] != '\r')
            n++;
        if (n < avail) {
            newline = 1;
            if (w[n] == '\r' && n + 1 < avail && w[n + 1] == '\n')
                n++;
            n++;
        }
    }
    r->pending_cr = newline && w[n - 1] == '\r' && n == avail;
    r->row_bytes += n;
    size_t used = csv_parse(&r->p, w, n, on_field, on_row, r);
    unsigned long seg_line = r->line;
    r->line += (unsigned long)newline;
    r->pos += n;
    r->off += n;
    if (used != n)
        return ks_errf(err, -EINVAL, "%s:%lu: malformed CSV: %s", r->name, seg_line,
                       csv_strerror(csv_error(&r->p)));
    if (!r->row_ready && r->row_bytes > KS_CSV_MAX_ROW)
        return ks_errf(err, -EINVAL, "%s:%lu: row longer than %u bytes (not a CSV file?)", r->name,
                       seg_line, KS_CSV_MAX_ROW);
    return 0;
}

int
ks_csv_next(struct ks_csv_reader *r, const struct ks_csv_row **row, struct ks_err *err)
{
#ifdef KS_CSV_DLOPEN
    if (r->dl_failed)
        return ks_dl_load(&csv_lib, err); /* the kept failure, with its message */
#endif
    r->row_ready = 0;
    r->nul_seen = 0;
    r->nf = 0;
    r->alen = 0;
    r->row_bytes = 0;
    while (!r->row_ready) {
        if (r->done)
            return 0;
        int rc = fill(r, err);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            r->done = 1;
            unsigned long l = r->line;
            if (csv_fini(&r->p, on_field, on_row, r) != 0)
                return ks_errf(err, -EINVAL, "%s:%lu: malformed CSV at end of file: %s", r->name, l,
                               csv_strerror(csv_error(&r->p)));
            break;
        }
        rc = feed_segment(r, err);
        if (rc < 0)
            return rc;
    }
    if (!r->row_ready)
        return 0;
    if (r->nul_seen)
        return ks_errf(err, -EINVAL, "%s:%lu: NUL byte in a field (binary data, not CSV?)", r->name,
                       r->row.line);
    *row = &r->row;
    return 1;
}

const char *
ks_csv_name(const struct ks_csv_reader *r)
{
    return r->name;
}

unsigned long
ks_csv_line(const struct ks_csv_reader *r)
{
    return r->line;
}

int
ks_csv_fd(const struct ks_csv_reader *r)
{
    return r->fd;
}

unsigned long long
ks_csv_offset(const struct ks_csv_reader *r)
{
    return r->off;
}

void
ks_csv_close(struct ks_csv_reader *r)
{
    if (!r)
        return;
    if (!r->dl_failed)
        csv_free(&r->p);
    if (r->fd >= 0)
        close(r->fd);
    free(r->buf);
    free(r->name);
    free(r->arena);
    free(r->foff);
    free(r->fptr);
#ifndef KS_CSV_DLOPEN
    ks_zst_free(&r->z);
#endif
    free(r);
}

int
ks_csv_col(const struct ks_csv_row *hdr, const char *name)
{
    for (size_t i = 0; i < hdr->n; i++)
        if (strcmp(hdr->f[i], name) == 0)
            return (int)i;
    return -1;
}
