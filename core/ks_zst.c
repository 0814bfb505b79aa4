#include "core/ks_zst.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "core/ks_csv.h"
#include "core/ks_dl.h"
#include "core/ks_fault.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */

/* libzstd is loaded on use (core/ks_dl.h): only compressed datasets need it, and
 * linked into ./kasane it cost every process its start-up pages (bench collector_rss). */
#define ZS_FUNCS(X)                                                                                \
    X(ZSTD_createDStream)                                                                          \
    X(ZSTD_DStreamOutSize) X(ZSTD_decompressStream) X(ZSTD_freeDStream) X(ZSTD_isError)            \
        X(ZSTD_getErrorName) X(ZSTD_createCCtx) X(ZSTD_CCtx_setParameter)                          \
            X(ZSTD_CCtx_setPledgedSrcSize) X(ZSTD_CStreamOutSize) X(ZSTD_compressStream2)          \
                X(ZSTD_freeCCtx)
static struct zs_api {
    ZS_FUNCS(KS_DL_FIELD)
} zs; /* filled once per process by ks_dl_load, read-only afterwards */
#define ZS_SYM(f) KS_DL_ENTRY(struct zs_api, f)
static const struct ks_dl_sym zs_syms[] = {ZS_FUNCS(ZS_SYM)};
static struct ks_dl_lib zs_lib =
    KS_DL_LIB(KS_SO_ZSTD, "KASANE_ZSTD_SO", KS_PKG_ZSTD, &zs, zs_syms, NULL);
#define ZSTD_createDStream zs.ZSTD_createDStream
#define ZSTD_DStreamOutSize zs.ZSTD_DStreamOutSize
#define ZSTD_decompressStream zs.ZSTD_decompressStream
#define ZSTD_freeDStream zs.ZSTD_freeDStream
#define ZSTD_isError zs.ZSTD_isError
#define ZSTD_getErrorName zs.ZSTD_getErrorName
#define ZSTD_createCCtx zs.ZSTD_createCCtx
#define ZSTD_CCtx_setParameter zs.ZSTD_CCtx_setParameter
#define ZSTD_CCtx_setPledgedSrcSize zs.ZSTD_CCtx_setPledgedSrcSize
#define ZSTD_CStreamOutSize zs.ZSTD_CStreamOutSize
#define ZSTD_compressStream2 zs.ZSTD_compressStream2
#define ZSTD_freeCCtx zs.ZSTD_freeCCtx

/* Load libzstd for path's sake; 0 or an error naming path and the package. */
static int
zs_load(const char *path, struct ks_err *err)
{
    struct ks_err why = {0};
    int rc = ks_dl_load(&zs_lib, &why);
    return rc < 0 ? ks_errf(err, rc, "%s: cannot read or write zstd files: %s", path, why.msg) : 0;
}

/* Input block: zstd's recommended size is 128 KiB; larger costs nothing. */
#define ZBLOCK (1u << 20)

int
ks_zst_is(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".zst") == 0;
}

/* Open path for reading, refusing anything but a regular file (a FIFO would block). */
static int
open_regular(const char *path, off_t *size, struct ks_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return ks_errf(err, -e, "%s: cannot open: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return ks_errf(err, -EINVAL, "%s: not a regular file", path);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    *size = st.st_size;
    return fd;
}

/* The output buffer: anonymous memory grown by mremap (no copy), so that the reader
 * can give back the pages it has read (core/ks_sread.c). */
struct obuf {
    char *p;
    size_t len, cap;
};

/* Anonymous memory for cap bytes of output, in transparent huge pages where the kernel
 * gives them on advice (ks_advise_huge).
 * At 4 KiB a page, decompressing 2,000 x 14 (680 MB of text) took 185,000 page faults,
 * a third of the one-thread read's CPU time in this VM; at 2 MiB, 9,600 faults. */
static void *
out_map(size_t cap)
{
    void *p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? p : ks_advise_huge(p, cap);
}

static void
obuf_grow(struct obuf *o, size_t need)
{
    if (need <= o->cap)
        return;
    size_t cap = o->cap ? o->cap : (1u << 22);
    while (cap < need)
        cap *= 2;
    void *p = o->p ? mremap(o->p, o->cap, cap, MREMAP_MAYMOVE) : out_map(cap);
    if (p == MAP_FAILED)
        ks_xmalloc(SIZE_MAX); /* out of memory: the allocation wrapper's abort */
    o->p = p;
    o->cap = cap;
}

/* Up to ZBLOCK bytes of fd (through the fault layer); 0 at the end, or an error. */
static ssize_t
read_block(int fd, char *buf, const char *path, struct ks_err *err)
{
    ssize_t k;
    do
        k = ks_io_read(fd, buf, ZBLOCK);
    while (k < 0 && errno == EINTR);
    if (k < 0) {
        int e = errno;
        return ks_errf(err, -e, "%s: read error: %s", path, strerror(e));
    }
    return k;
}

/* ---- Decompressing stream (ks_zin) --------------------------------------------------- */

struct ks_zin {
    int fd;
    const char *path;
    ZSTD_DStream *z;
    char *in;
    ZSTD_inBuffer ib;
    size_t hint;     /* ZSTD_decompressStream's last return: 0 at a frame's end */
    size_t total_in; /* compressed bytes read from the file */
    off_t size;
    int eof;
};

int
ks_zin_open(const char *path, struct ks_zin **zp, struct ks_err *err)
{
    off_t size;
    *zp = NULL;
    int fd = open_regular(path, &size, err);
    if (fd < 0)
        return fd;
    int rc = zs_load(path, err);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    struct ks_zin *zi = ks_xcalloc(1, sizeof *zi);
    zi->fd = fd;
    zi->path = path;
    zi->z = ZSTD_createDStream();
    zi->in = ks_xmalloc(ZBLOCK);
    zi->ib = (ZSTD_inBuffer){zi->in, 0, 0};
    zi->hint = 1;
    zi->size = size;
    *zp = zi;
    return 0;
}

ssize_t
ks_zin_read(struct ks_zin *zi, char *buf, size_t cap, struct ks_err *err)
{
    size_t got = 0;
    while (got < cap) {
        if (zi->ib.pos == zi->ib.size && !zi->eof) {
            ssize_t k = read_block(zi->fd, zi->in, zi->path, err);
            if (k < 0)
                return k;
            zi->eof = k == 0;
            zi->total_in += (size_t)k;
            zi->ib = (ZSTD_inBuffer){zi->in, (size_t)k, 0};
        }
        if (zi->eof && zi->hint == 0 && zi->total_in > 0)
            break; /* the last frame is whole and given out */
        /* At the end of the file inside a frame, zstd is asked, with no input, for what it
         * holds yet; nothing means the frame is cut short. */
        ZSTD_outBuffer ob = {buf + got, cap - got, 0};
        zi->hint = ZSTD_decompressStream(zi->z, &ob, &zi->ib);
        if (ZSTD_isError(zi->hint))
            return ks_errf(err, -EINVAL, "%s: corrupt zstd data: %s", zi->path,
                           ZSTD_getErrorName(zi->hint));
        got += ob.pos;
        if (zi->eof && ob.pos == 0) {
            if (zi->total_in == 0)
                return ks_errf(err, -EINVAL, "%s: empty file (no zstd frame)", zi->path);
            if (zi->hint != 0)
                return ks_errf(err, -EINVAL,
                               "%s: truncated zstd data (the file ends inside a frame)", zi->path);
            break;
        }
    }
    return (ssize_t)got;
}

double
ks_zin_ratio(const struct ks_zin *zi, size_t out)
{
    size_t used = zi->total_in - (zi->ib.size - zi->ib.pos);
    return used ? (double)zi->size * (double)out / (double)used : (double)out;
}

void
ks_zin_close(struct ks_zin *zi)
{
    if (!zi)
        return;
    free(zi->in);
    ZSTD_freeDStream(zi->z);
    close(zi->fd);
    free(zi);
}

/* Where the line that ends p[0, n) begins: after the last LF of the new bytes p[beg, n),
 * else still at from (after an LF), then after the last CR from there when the LF
 * leaves a line longer than max (a file with LF line ends has none; the CRs since the
 * LF are looked for whole, as the previous bytes' CRs may not have been). */
static size_t
line_start(const char *p, size_t beg, size_t n, size_t from, size_t max)
{
    const char *lf = memrchr(p + beg, '\n', n - beg);
    size_t at = lf ? (size_t)(lf - p) + 1 : from;
    if (n - at > max) {
        const char *cr = memrchr(p + at, '\r', n - at);
        at = cr ? (size_t)(cr - p) + 1 : at;
    }
    return at;
}

int
ks_zst_load(const char *path, size_t max_line, struct ks_zbuf *z, struct ks_err *err)
{
    struct ks_zin *zi;
    int rc = ks_zin_open(path, &zi, err);
    if (rc < 0)
        return rc;
    struct obuf o = {0};
    size_t line = 0; /* where the last line begins */
    obuf_grow(&o, (size_t)zi->size * 4 + 1);
    for (;;) {
        obuf_grow(&o, o.len + ZSTD_DStreamOutSize() + 1);
        ssize_t k = ks_zin_read(zi, o.p + o.len, o.cap - o.len - 1, err);
        if (k <= 0) {
            rc = (int)k;
            break;
        }
        o.len += (size_t)k;
        if (max_line && (line = line_start(o.p, o.len - (size_t)k, o.len, line, max_line)) +
                                max_line < o.len)
            break; /* a line longer than max_line: what follows is not wanted */
    }
    ks_zin_close(zi);
    if (rc < 0) {
        munmap(o.p, o.cap);
        return rc;
    }
    o.p[o.len] = '\0';
    *z = (struct ks_zbuf){o.p, o.len, o.cap};
    return 0;
}

void
ks_zst_free(struct ks_zbuf *z)
{
    if (z->p)
        munmap(z->p, z->cap);
    *z = (struct ks_zbuf){0};
}

/* ---- Compressing stream (ks_zst_fopen) ------------------------------------------------ */

/* The cookie of a compressing stream: the zstd context, where its output goes, and
 * whether anything failed (then fclose reports it). */
struct zw {
    ZSTD_CCtx *z;
    FILE *out;
    char *obuf;
    size_t olen;
    int failed;
};

/* Feed n bytes at p to the compressor (end: ZSTD_e_end finishes the frame) and write
 * what comes out; -1 on a zstd or write error. */
static int
zw_push(struct zw *w, const void *p, size_t n, ZSTD_EndDirective end)
{
    ZSTD_inBuffer ib = {p, n, 0};
    size_t left;
    do {
        ZSTD_outBuffer ob = {w->obuf, w->olen, 0};
        left = ZSTD_compressStream2(w->z, &ob, &ib, end);
        if (ZSTD_isError(left) || fwrite(w->obuf, 1, ob.pos, w->out) != ob.pos) {
            w->failed = 1;
            return -1;
        }
    } while (end == ZSTD_e_end ? left != 0 : ib.pos < ib.size);
    return 0;
}

static ssize_t
zw_write(void *cookie, const char *p, size_t n)
{
    struct zw *w = cookie;
    if (w->failed || zw_push(w, p, n, ZSTD_e_continue) < 0) {
        errno = EIO;
        return -1;
    }
    return (ssize_t)n;
}

static int
zw_close(void *cookie)
{
    struct zw *w = cookie;
    int rc = w->failed || zw_push(w, NULL, 0, ZSTD_e_end) < 0 ? -1 : 0;
    ZSTD_freeCCtx(w->z);
    free(w->obuf);
    free(w);
    if (rc < 0)
        errno = EIO;
    return rc;
}

int
ks_zst_fopen(FILE *out, int level, long long size, const char *path, FILE **zf, struct ks_err *err)
{
    *zf = NULL;
    int rc = zs_load(path, err);
    if (rc < 0)
        return rc;
    struct zw *w = ks_xcalloc(1, sizeof *w);
    w->z = ZSTD_createCCtx();
    w->out = out;
    w->olen = ZSTD_CStreamOutSize();
    w->obuf = ks_xmalloc(w->olen);
    ZSTD_CCtx_setParameter(w->z, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(w->z, ZSTD_c_checksumFlag, 1); /* a flipped bit is an error */
    /* Two workers when libzstd was built with threads (Debian's is); else ignored. The
     * workers compress while the writer produces the next block. */
    ZSTD_CCtx_setParameter(w->z, ZSTD_c_nbWorkers, 2);
    if (size >= 0)
        ZSTD_CCtx_setPledgedSrcSize(w->z, (unsigned long long)size);
    FILE *f = fopencookie(w, "w", (cookie_io_functions_t){.write = zw_write, .close = zw_close});
    if (!f) {
        int e = errno;
        ZSTD_freeCCtx(w->z);
        free(w->obuf);
        free(w);
        return ks_errf(err, -e, "%s: zstd: %s", path, strerror(e));
    }
    setvbuf(f, NULL, _IOFBF, ZBLOCK); /* zstd's jobs take input in large blocks */
    *zf = f;
    return 0;
}

/* Compress fd (size bytes) into the open atomic file af. */
static int
deflate_fd(int fd, const char *path, off_t size, int level, struct ks_afile *af, struct ks_err *err)
{
    FILE *z;
    int rc = ks_zst_fopen(af->f, level, (long long)size, path, &z, err);
    if (rc < 0)
        return rc;
    char *in = ks_xmalloc(ZBLOCK);
    ssize_t k;
    while ((k = read_block(fd, in, path, err)) > 0 && fwrite(in, 1, (size_t)k, z) == (size_t)k)
        ;
    free(in);
    int bad = fclose(z) != 0;
    if (k >= 0 && bad)
        return ks_errf(err, -EIO, "%s: zstd: compressing or writing failed", path);
    return k < 0 ? (int)k : 0;
}

int
ks_zst_compress_file(const char *path, int level, struct ks_err *err)
{
    off_t size;
    int fd = open_regular(path, &size, err);
    if (fd < 0)
        return fd;
    char *zpath = ks_xasprintf("%s.zst", path);
    struct ks_afile af;
    int rc = ks_afile_open(&af, zpath, err);
    if (rc == 0) {
        rc = deflate_fd(fd, path, size, level, &af, err);
        if (rc == 0)
            rc = ks_afile_commit(&af, err);
        else
            ks_afile_abort(&af);
    }
    close(fd);
    if (rc == 0 && unlink(path) != 0) {
        int e = errno;
        rc = ks_errf(err, -e, "%s: cannot remove after compressing: %s", path, strerror(e));
    }
    free(zpath);
    return rc;
}

int
ks_zst_compress_dataset(const char *dir, struct ks_err *err)
{
    static const char *const names[] = {"samples.csv", "flows.csv", "cores.csv"};
    int rc = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names && rc == 0; i++) {
        char *p = ks_path_join(dir, names[i]);
        struct stat st;
        if (lstat(p, &st) == 0)
            rc = ks_zst_compress_file(p, 3, err);
        free(p);
    }
    return rc;
}

/* 1 when something (even a dangling link) is at path, 0 when nothing is. */
static int
present(const char *path, struct ks_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return 1;
    int e = errno;
    if (e == ENOENT && lstat(path, &st) != 0 && errno == ENOENT)
        return 0;
    if (e == ENOENT)
        return ks_errf(err, -ENOENT, "%s: cannot open: dangling symbolic link", path);
    return ks_errf(err, -e, "%s: cannot open: %s", path, strerror(e));
}

int
ks_zst_pick(const char *dir, const char *name, char **path, struct ks_err *err)
{
    char *plain = ks_path_join(dir, name), *z = ks_xasprintf("%s.zst", plain);
    int a = present(plain, err), b = a < 0 ? 0 : present(z, err), rc;
    *path = NULL;
    if (a < 0 || b < 0)
        rc = a < 0 ? a : b;
    else if (a && b)
        rc = ks_errf(err, -EINVAL,
                     "%s and %s: both present; a dataset holds one of them (remove one)", plain, z);
    else
        rc = a || b;
    if (rc == 1)
        *path = a ? plain : z;
    if (*path != plain)
        free(plain);
    if (*path != z)
        free(z);
    return rc;
}
