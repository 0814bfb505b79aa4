#include "core/ks_csv.h"

#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ks_fault.h"
#include "core/ks_zst.h"

#define CHUNK (64 * 1024)

struct ks_csv_reader {
    struct csv_parser p;
    char *name;
    int fd;                /* -1 when reading from mem */
    const char *mem;       /* whole input when from memory */
    size_t memlen;
    char *buf;             /* CHUNK bytes when reading from fd */
    size_t pos, len;       /* unread window of buf (or mem) */
    int eof;               /* no more input beyond the window */
    int done;              /* csv_fini called */
    int pending_cr;        /* last segment ended with CR at the end of a read */
    int nul_seen;          /* a field of the current row holds a NUL byte */
    int bom;               /* bytes of a leading UTF-8 BOM matched so far; -1 once past */
    unsigned long line;    /* current line (1-based) */
    unsigned long long off;
    size_t row_bytes;      /* bytes fed since the last row ended */
    /* row under construction: fields as offsets into arena */
    char *arena;
    size_t alen, acap;
    size_t *foff;
    size_t nf, fcap;
    char **fptr;
    size_t pcap;
    int row_ready;
    struct ks_csv_row row;
    struct ks_zbuf z; /* decompressed input of a .zst file (mem points into it) */
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
    csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_delim(&r->p, sep);
    r->name = ks_xstrdup(name);
    r->fd = -1;
    r->line = 1;
    return r;
}

int
ks_csv_open(const char *path, unsigned char sep, struct ks_csv_reader **out,
            struct ks_err *err)
{
    if (ks_zst_is(path)) { /* decompressed whole, then read from memory */
        struct ks_zbuf z;
        int rc = ks_zst_load(path, &z, err);
        if (rc < 0)
            return rc;
        *out = ks_csv_open_mem(z.p, z.len, sep, path);
        (*out)->z = z;
        return 0;
    }
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
        return 1; /* so far a prefix of the mark: wait for the next bytes */
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
        return ks_errf(err, -EINVAL, "%s:%lu: row longer than %u bytes (not a CSV file?)",
                       r->name, seg_line, KS_CSV_MAX_ROW);
    return 0;
}

int
ks_csv_next(struct ks_csv_reader *r, const struct ks_csv_row **row, struct ks_err *err)
{
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
                return ks_errf(err, -EINVAL, "%s:%lu: malformed CSV at end of file: %s",
                               r->name, l, csv_strerror(csv_error(&r->p)));
            break;
        }
        rc = feed_segment(r, err);
        if (rc < 0)
            return rc;
    }
    if (!r->row_ready)
        return 0;
    if (r->nul_seen)
        return ks_errf(err, -EINVAL, "%s:%lu: NUL byte in a field (binary data, not CSV?)",
                       r->name, r->row.line);
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
    csv_free(&r->p);
    if (r->fd >= 0)
        close(r->fd);
    free(r->buf);
    free(r->name);
    free(r->arena);
    free(r->foff);
    free(r->fptr);
    ks_zst_free(&r->z);
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

static int
needs_quotes(const char *s)
{
    if (!*s)
        return 0;
    size_t n = strlen(s);
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
        return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

void
ks_csv_put(FILE *f, const char *field, int first)
{
    if (!first)
        fputc(',', f);
    if (!field)
        return;
    if (needs_quotes(field))
        csv_fwrite(f, field, strlen(field));
    else
        fputs(field, f);
}

void
ks_csv_put_row(FILE *f, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ks_csv_put(f, fields[i], i == 0);
    fputc('\n', f);
}

void
ks_csv_put_num(FILE *f, double v, int first)
{
    char b[KS_NUMBUF];
    ks_csv_put(f, ks_fmt_double(b, v), first);
}

/* [+-]digits[.digits][e[+-]digits]: what ks_fmt_double writes for a finite number. */
static int
plain_number(const char *s)
{
    s += *s == '+' || *s == '-';
    size_t d = strspn(s, "0123456789");
    if (d == 0)
        return 0;
    s += d;
    if (*s == '.' && (d = strspn(s + 1, "0123456789")) > 0)
        s += 1 + d;
    if (*s == 'e' || *s == 'E') {
        s++;
        s += *s == '+' || *s == '-';
        if ((d = strspn(s, "0123456789")) == 0)
            return 0;
        s += d;
    }
    return *s == '\0';
}

#define CELL_RISKY "=+-@\t\r"

const char *
ks_csv_cell_enc(const char *s, char **owned)
{
    *owned = NULL;
    if (!s || !*s || !strchr(CELL_RISKY "'", *s) || plain_number(s) || strcmp(s, "-") == 0)
        return s;
    return *owned = ks_xasprintf("'%s", s);
}

int
ks_csv_cell_dec(char *s)
{
    if (!s || s[0] != '\'' || !s[1] || !strchr(CELL_RISKY "'", s[1]))
        return 0;
    memmove(s, s + 1, strlen(s));
    return 1;
}

int
ks_mkdir_p(const char *dir, struct ks_err *err)
{
    char *p = ks_xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            rc = ks_errf(err, -e, "%s: cannot create directory: %s", p, strerror(e));
            break;
        }
        *s = c;
        if (!c)
            break;
    }
    free(p);
    return rc;
}

/* Atomic files open now, so that out-of-memory can remove their temporary files. */
static pthread_mutex_t afiles_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ks_afile *afiles;

static void
afile_link(struct ks_afile *af)
{
    pthread_mutex_lock(&afiles_lock);
    af->prev = NULL;
    af->next = afiles;
    if (afiles)
        afiles->prev = af;
    afiles = af;
    pthread_mutex_unlock(&afiles_lock);
}

static void
afile_unlink(struct ks_afile *af)
{
    pthread_mutex_lock(&afiles_lock);
    if (af->prev)
        af->prev->next = af->next;
    else if (afiles == af)
        afiles = af->next;
    if (af->next)
        af->next->prev = af->prev;
    af->prev = af->next = NULL;
    pthread_mutex_unlock(&afiles_lock);
}

void
ks_afile_unlink_all(void)
{
    pthread_mutex_lock(&afiles_lock);
    for (struct ks_afile *af = afiles; af; af = af->next)
        if (af->tmp)
            unlink(af->tmp);
    pthread_mutex_unlock(&afiles_lock);
}

/* Under fault injection the stream writes through ks_io_write (stdio's own write(2)
 * cannot be reached), and keeps the first error for commit's message. */
static ssize_t
cookie_write(void *c, const char *buf, size_t n)
{
    struct ks_afile *af = c;
    for (size_t done = 0; done < n;) {
        ssize_t k = ks_io_write(af->fd, buf + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) { /* stdio takes a short count as an error without errno */
            if (!af->io_err)
                af->io_err = k < 0 ? errno : EIO;
            return -1;
        }
        done += (size_t)k;
    }
    return (ssize_t)n;
}

static int
cookie_close(void *c)
{
    return close(((struct ks_afile *)c)->fd);
}

static FILE *
afile_stream(struct ks_afile *af)
{
    if (__builtin_expect(!ks_fault_armed, 1))
        return fdopen(af->fd, "w");
    cookie_io_functions_t io = {.write = cookie_write, .close = cookie_close};
    return fopencookie(af, "w", io);
}

int
ks_afile_open(struct ks_afile *af, const char *path, struct ks_err *err)
{
    af->prev = af->next = NULL;
    af->io_err = 0;
    af->path = ks_xstrdup(path);
    /* A new file, never one that is there: in a directory others can write, a
     * symbolic link planted at the temporary name must not make us truncate what it
     * points to. A name that is taken (a killed run's file, a planted link) is skipped. */
    af->tmp = NULL;
    af->fd = -1;
    for (int i = 0; af->fd < 0 && i < 100; i++) {
        free(af->tmp);
        af->tmp = i ? ks_xasprintf("%s.tmp.%ld.%d", path, (long)getpid(), i)
                    : ks_xasprintf("%s.tmp.%ld", path, (long)getpid());
        af->fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (af->fd < 0 && errno != EEXIST)
            break;
    }
    af->f = af->fd < 0 ? NULL : afile_stream(af);
    if (!af->f) {
        int e = errno;
        ks_errf(err, -e, "%s: cannot create: %s", af->tmp, strerror(e));
        if (af->fd >= 0) {
            close(af->fd);
            unlink(af->tmp);
        }
        free(af->path);
        free(af->tmp);
        af->path = af->tmp = NULL;
        return -e;
    }
    afile_link(af);
    return 0;
}

int
ks_afile_commit(struct ks_afile *af, struct ks_err *err)
{
    int e = 0;
    errno = 0;
    if (fflush(af->f) != 0 || ferror(af->f))
        e = af->io_err ? af->io_err : errno ? errno : EIO;
    else if (ks_io_fsync(af->fd) != 0)
        e = errno;
    if (fclose(af->f) != 0 && !e)
        e = errno;
    af->f = NULL;
    if (!e && rename(af->tmp, af->path) != 0)
        e = errno;
    if (e) {
        unlink(af->tmp);
        ks_errf(err, -e, "%s: cannot write: %s (previous version, if any, kept)",
                af->path, strerror(e));
    }
    afile_unlink(af);
    free(af->path);
    free(af->tmp);
    af->path = af->tmp = NULL;
    return e ? -e : 0;
}

void
ks_afile_abort(struct ks_afile *af)
{
    if (af->f)
        fclose(af->f);
    if (af->tmp)
        unlink(af->tmp);
    afile_unlink(af);
    free(af->path);
    free(af->tmp);
    af->f = NULL;
    af->path = af->tmp = NULL;
}
