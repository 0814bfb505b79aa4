#include "core/ks_manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack: no allocation to fail */
#include <xxhash.h>

#include "core/ks_csv.h"
#include "core/ks_dl.h"
#include "core/ks_fault.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */

/* libxxhash is loaded on use (core/ks_dl.h), by the commands that write or check a
 * manifest; `kasane collect` appends and never needs it. */
#define XX_FUNCS(X)                                                                     \
    X(XXH3_64bits_reset) X(XXH3_64bits_update) X(XXH3_64bits_digest)                    \
    X(XXH3_128bits_reset) X(XXH3_128bits_update) X(XXH3_128bits_digest)
static struct xx_api {
    XX_FUNCS(KS_DL_FIELD)
} xx; /* filled once per process by ks_dl_load, read-only afterwards */
#define XX_SYM(f) KS_DL_ENTRY(struct xx_api, f)
static const struct ks_dl_sym xx_syms[] = {XX_FUNCS(XX_SYM)};
static struct ks_dl_lib xx_lib =
    KS_DL_LIB(KS_SO_XXHASH, "KASANE_XXHASH_SO", KS_PKG_XXHASH, &xx, xx_syms, NULL);
#define XXH3_64bits_reset xx.XXH3_64bits_reset
#define XXH3_64bits_update xx.XXH3_64bits_update
#define XXH3_64bits_digest xx.XXH3_64bits_digest

_Static_assert(sizeof(XXH3_state_t) <= sizeof(struct ks_hash128) &&
                   _Alignof(XXH3_state_t) <= _Alignof(struct ks_hash128),
               "struct ks_hash128 must hold an XXH3_state_t");

int
ks_hash128_begin(struct ks_hash128 *h)
{
    struct ks_err err = {0};
    if (ks_dl_load(&xx_lib, &err) < 0)
        return -1;
    XXH3_state_t *st = (XXH3_state_t *)h->st;
    XXH3_INITSTATE(st);
    xx.XXH3_128bits_reset(st);
    return 0;
}

void
ks_hash128_add(struct ks_hash128 *h, const void *p, size_t len)
{
    if (len)
        xx.XXH3_128bits_update((XXH3_state_t *)h->st, p, len);
}

void
ks_hash128_end(struct ks_hash128 *h, uint64_t key[2])
{
    XXH128_hash_t d = xx.XXH3_128bits_digest((XXH3_state_t *)h->st);
    key[0] = d.low64;
    key[1] = d.high64;
}

/* Read block of the hash: large enough that the per-call cost vanishes, small enough
 * to stay in L2 while XXH3 consumes it. */
#define HASH_BLOCK (1u << 20)

static const char *const FILE_HDR[] = {"path", "bytes", "xxh3_64"};

/* One file of a manifest or of a directory listing. */
struct mfile {
    char *path; /* relative to the directory, '/'-separated */
    uint64_t bytes, hash;
};

struct mlist {
    struct mfile *f;
    size_t n, cap;
};

static void
mlist_add(struct mlist *l, char *path, uint64_t bytes, uint64_t hash)
{
    l->f = ks_xgrow(l->f, &l->cap, l->n + 1, sizeof *l->f);
    l->f[l->n++] = (struct mfile){path, bytes, hash};
}

static void
mlist_fini(struct mlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->f[i].path);
    free(l->f);
    *l = (struct mlist){0};
}

static int
cmp_mfile(const void *a, const void *b)
{
    return strcmp(((const struct mfile *)a)->path, ((const struct mfile *)b)->path);
}

static const struct mfile *
mlist_find(const struct mlist *l, const char *path)
{
    struct mfile key = {(char *)path, 0, 0};
    return l->n ? bsearch(&key, l->f, l->n, sizeof *l->f, cmp_mfile) : NULL;
}

const char *
ks_manifest_esc(char *buf, size_t n, const char *s)
{
    size_t o = 0;
    for (; *s && o + 5 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\')
            o += (size_t)snprintf(buf + o, n - o, "\\\\");
        else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o < n ? o : n - 1] = '\0';
    return buf;
}

int
ks_manifest_hash_file(const char *path, int use_fault_layer, uint64_t *hash, uint64_t *bytes,
                      struct ks_err *err)
{
    int rc = ks_dl_load(&xx_lib, err);
    if (rc < 0)
        return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return ks_errf(err, -e, "%s: cannot open: %s", path, strerror(e));
    }
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_64bits_reset(&st);
    struct stat sb;
    /* Mapped when no fault is armed: no copy into a buffer, which is most of the cost
     * of checking a dataset before parsing it (bench/dataset_read). A window at a time:
     * the pages of a whole mapping count in the resident set, and a 62 MB samples.csv
     * mapped at once tripled the peak RSS of an import (20 -> 67 MiB). */
    if (!ks_fault_armed && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
        const size_t win = (size_t)8 << 20;
        size_t size = (size_t)sb.st_size, off = 0;
        while (off < size) {
            size_t n = size - off < win ? size - off : win;
            void *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, (off_t)off);
            if (map == MAP_FAILED)
                break;
            madvise(map, n, MADV_SEQUENTIAL);
            XXH3_64bits_update(&st, map, n);
            munmap(map, n);
            off += n;
        }
        if (off == size) {
            *hash = XXH3_64bits_digest(&st);
            *bytes = (uint64_t)size;
            int e = !use_fault_layer && fsync(fd) != 0 ? errno : 0;
            close(fd);
            return e ? ks_errf(err, -e, "%s: cannot write: %s", path, strerror(e)) : 0;
        }
        XXH3_64bits_reset(&st); /* a window failed to map: read the file instead */
        if (lseek(fd, 0, SEEK_SET) != 0) {
            int e = errno;
            close(fd);
            return ks_errf(err, -e, "%s: read error: %s", path, strerror(e));
        }
    }
    char *buf = ks_xmalloc(HASH_BLOCK);
    uint64_t total = 0;
    ssize_t k;
    for (;;) {
        k = use_fault_layer ? ks_io_read(fd, buf, HASH_BLOCK) : read(fd, buf, HASH_BLOCK);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        XXH3_64bits_update(&st, buf, (size_t)k);
        total += (uint64_t)k;
    }
    int e = k < 0 ? errno : 0;
    /* The writer's hash is also its durability point: charts drawn by gnuplot were
     * never fsynced. fsync on a read-only descriptor flushes the file all the same. */
    if (!e && !use_fault_layer && fsync(fd) != 0)
        e = errno;
    free(buf);
    close(fd);
    if (e)
        return ks_errf(err, -e, "%s: read error: %s", path, strerror(e));
    *hash = XXH3_64bits_digest(&st);
    *bytes = total;
    return 0;
}

/* Every regular file under dir/rel (rel "" at the top), depth first, into l. Anything
 * else (a symbolic link, a device) is listed too, with bytes UINT64_MAX, so that the
 * check refuses it rather than follow it. */
static int
walk(const char *dir, const char *rel, struct mlist *l, struct ks_err *err)
{
    char *here = *rel ? ks_path_join(dir, rel) : ks_xstrdup(dir);
    DIR *d = opendir(here);
    int rc = 0;
    if (!d) {
        int e = errno;
        rc = ks_errf(err, -e, "%s: cannot list: %s", here, strerror(e));
        free(here);
        return rc;
    }
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        const char *nm = de->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, "..") || (!*rel && !strcmp(nm, KS_MANIFEST_NAME)))
            continue;
        char *sub = *rel ? ks_path_join(rel, nm) : ks_xstrdup(nm);
        char *full = ks_path_join(here, nm);
        struct stat st;
        if (lstat(full, &st) != 0) {
            int e = errno;
            rc = ks_errf(err, -e, "%s: cannot stat: %s", full, strerror(e));
            free(sub);
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(dir, sub, l, err);
            free(sub);
        } else {
            mlist_add(l, sub, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX, 0);
        }
        free(full);
    }
    closedir(d);
    free(here);
    return rc;
}

static int
list_dir(const char *dir, struct mlist *l, struct ks_err *err)
{
    int rc = walk(dir, "", l, err);
    if (rc == 0 && l->n)
        qsort(l->f, l->n, sizeof *l->f, cmp_mfile);
    return rc;
}

static void
put_kv(FILE *f, const char *k, const char *v)
{
    ks_csv_put(f, k, 1);
    ks_csv_put(f, v, 0);
    fputc('\n', f);
}

/* The header and one row per file. */
static void
put_files(FILE *f, const struct mlist *l)
{
    char b[32];
    ks_csv_put_row(f, FILE_HDR, 3);
    for (size_t i = 0; i < l->n; i++) {
        ks_csv_put(f, l->f[i].path, 1);
        fprintf(f, ",%" PRIu64, l->f[i].bytes);
        snprintf(b, sizeof b, "%016" PRIx64, l->f[i].hash);
        ks_csv_put(f, b, 0);
        fputc('\n', f);
    }
}

int
ks_manifest_write(const char *dir, const char *kind, const char *command, struct ks_err *err)
{
    struct mlist l = {0};
    int rc = list_dir(dir, &l, err);
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        char *p = ks_path_join(dir, l.f[i].path);
        if (l.f[i].bytes == UINT64_MAX)
            rc = ks_errf(err, -EINVAL, "%s: not a regular file", p);
        else
            rc = ks_manifest_hash_file(p, 0, &l.f[i].hash, &l.f[i].bytes, err);
        free(p);
    }
    struct ks_afile af;
    char *path = ks_path_join(dir, KS_MANIFEST_NAME);
    if (rc == 0 && (rc = ks_afile_open(&af, path, err)) == 0) {
        char ver[16], esc[2048];
        snprintf(ver, sizeof ver, "%d", KS_MANIFEST_VERSION);
        put_kv(af.f, "kasane_manifest", ver);
        put_kv(af.f, "kind", kind);
        put_kv(af.f, "writer", "kasane " KASANE_VERSION);
        if (command)
            put_kv(af.f, "command", ks_manifest_esc(esc, sizeof esc, command));
        put_files(af.f, &l);
        rc = ks_afile_commit(&af, err);
    }
    free(path);
    mlist_fini(&l);
    return rc;
}

/* ---- reading ----------------------------------------------------------------------- */

struct manifest {
    char kind[32];
    struct mlist files; /* sorted by path */
    struct mlist keys;  /* key,value rows: path = key, value in vals (for rewriting) */
    char **vals;
    size_t nvals;
};

static void
manifest_fini(struct manifest *m)
{
    mlist_fini(&m->files);
    mlist_fini(&m->keys);
    for (size_t i = 0; i < m->nvals; i++)
        free(m->vals[i]);
    free(m->vals);
}

static int
bad_row(const char *path, unsigned long line, const char *what, struct ks_err *err)
{
    return ks_errf(err, -EINVAL,
                   "%s:%lu: %s (the manifest was changed by hand; re-run the "
                   "command that wrote the directory)",
                   path, line, what);
}

/* One file row: path, bytes in decimal, hash in 16 hex digits. */
static int
parse_file_row(const char *path, const struct ks_csv_row *row, struct mlist *l, struct ks_err *err)
{
    char *end;
    if (row->n != 3 || !*row->f[0] || !*row->f[1] || strlen(row->f[2]) != 16)
        return bad_row(path, row->line, "want path,bytes,xxh3_64", err);
    errno = 0;
    uint64_t bytes = strtoull(row->f[1], &end, 10);
    if (*end || errno || row->f[1][0] == '-')
        return bad_row(path, row->line, "column 'bytes': not a whole number", err);
    uint64_t h = strtoull(row->f[2], &end, 16);
    if (*end)
        return bad_row(path, row->line, "column 'xxh3_64': not 16 hex digits", err);
    mlist_add(l, ks_xstrdup(row->f[0]), bytes, h);
    return 0;
}

/* kind_only: stop at the file list (deciding whether a directory may be replaced needs
 * only its kind, and a damaged file list must not keep a re-run from replacing it). */
static int
parse_manifest(const char *path, struct manifest *m, int kind_only, struct ks_err *err)
{
    struct ks_csv_reader *r = NULL;
    const struct ks_csv_row *row;
    int rc = ks_csv_open(path, ',', &r, err), in_files = 0, first = 1;
    while (rc == 0 && (rc = ks_csv_next(r, &row, err)) == 1) {
        rc = 0;
        if (first && (row->n != 2 || strcmp(row->f[0], "kasane_manifest") != 0 ||
                      strcmp(row->f[1], "1") != 0))
            rc = bad_row(path, row->line, "first row is not kasane_manifest,1", err);
        else if (in_files)
            rc = parse_file_row(path, row, &m->files, err);
        else if (row->n == 3 && !strcmp(row->f[0], FILE_HDR[0]) &&
                 !strcmp(row->f[1], FILE_HDR[1]) && !strcmp(row->f[2], FILE_HDR[2])) {
            in_files = 1;
            if (kind_only)
                break;
        } else if (row->n == 2) {
            if (!strcmp(row->f[0], "kind"))
                snprintf(m->kind, sizeof m->kind, "%s", row->f[1]);
            mlist_add(&m->keys, ks_xstrdup(row->f[0]), 0, 0);
            m->vals = ks_xrealloc(m->vals, (m->nvals + 1) * sizeof *m->vals);
            m->vals[m->nvals++] = ks_xstrdup(row->f[1]);
        }
        first = 0;
    }
    if (rc == 0 && !in_files)
        rc = bad_row(path, 0, "no path,bytes,xxh3_64 header: the file list is missing", err);
    if (r)
        ks_csv_close(r);
    if (rc == 0 && m->files.n)
        qsort(m->files.f, m->files.n, sizeof *m->files.f, cmp_mfile);
    return rc < 0 ? rc : 0;
}

/* 1 and m filled when dir has a manifest, 0 when not, negative on error. */
static int
load(const char *dir, struct manifest *m, int kind_only, struct ks_err *err)
{
    char *path = ks_path_join(dir, KS_MANIFEST_NAME);
    struct stat st;
    int rc;
    memset(m, 0, sizeof *m);
    if (lstat(path, &st) != 0)
        rc = errno == ENOENT ? 0 : ks_errf(err, -errno, "%s: %s", path, strerror(errno));
    else
        rc = parse_manifest(path, m, kind_only, err) < 0 ? -EINVAL : 1;
    free(path);
    return rc;
}

int
ks_manifest_kind(const char *dir, char *kind, size_t n, struct ks_err *err)
{
    struct manifest m;
    int rc = load(dir, &m, 1, err);
    if (rc == 1)
        snprintf(kind, n, "%s", m.kind);
    manifest_fini(&m);
    return rc;
}

/* The advice every mismatch ends with. */
#define CHANGED                                                                                    \
    "(the directory was changed after kasane wrote it; re-run the command that "                   \
    "wrote it)"

static int
differs(const char *dir, const char *path, uint64_t hash, uint64_t want, struct ks_err *err)
{
    char e[1024];
    return ks_errf(err, -EINVAL,
                   "%s/%s: content differs from %s (xxh3_64 %016" PRIx64 ", listed %016" PRIx64
                   ") " CHANGED,
                   dir, ks_manifest_esc(e, sizeof e, path), KS_MANIFEST_NAME, hash, want);
}

int
ks_manifest_check_hash(const char *dir, struct ks_manifest_defer *d, uint64_t hash, uint64_t bytes,
                       struct ks_err *err)
{
    if (!d || !d->listed)
        return 0;
    d->listed = 0;
    return hash != d->hash || bytes != d->bytes ? differs(dir, d->name, hash, d->hash, err) : 0;
}

int
ks_manifest_check_file(const char *dir, struct ks_manifest_defer *d, struct ks_err *err)
{
    if (!d || !d->listed)
        return 0;
    char *p = ks_path_join(dir, d->name);
    uint64_t hash, bytes;
    int rc = ks_manifest_hash_file(p, 1, &hash, &bytes, err);
    free(p);
    if (rc < 0) {
        d->listed = 0;
        return rc;
    }
    return ks_manifest_check_hash(dir, d, hash, bytes, err);
}

/* Sizes first (one stat each, so a truncated or grown file fails at once), then the
 * hashes of the files whose sizes matched, but d's (NULL: none), which is left to its
 * reader unless a file after it differs. */
static int
compare(const char *dir, const struct mlist *want, const struct mlist *have,
        struct ks_manifest_defer *d, struct ks_err *err)
{
    char e[1024];
    for (size_t i = 0; i < have->n; i++)
        if (!mlist_find(want, have->f[i].path))
            return ks_errf(err, -EINVAL, "%s/%s: not listed in %s " CHANGED, dir,
                           ks_manifest_esc(e, sizeof e, have->f[i].path), KS_MANIFEST_NAME);
    for (size_t i = 0; i < want->n; i++) {
        const struct mfile *w = &want->f[i], *h = mlist_find(have, w->path);
        ks_manifest_esc(e, sizeof e, w->path);
        if (!h)
            return ks_errf(err, -ENOENT, "%s/%s: listed in %s but missing " CHANGED, dir, e,
                           KS_MANIFEST_NAME);
        if (h->bytes == UINT64_MAX)
            return ks_errf(err, -EINVAL, "%s/%s: not a regular file " CHANGED, dir, e);
        if (h->bytes != w->bytes)
            return ks_errf(err, -EINVAL,
                           "%s/%s: size %" PRIu64 " differs from %s's %" PRIu64 " " CHANGED, dir, e,
                           h->bytes, KS_MANIFEST_NAME, w->bytes);
    }
    for (size_t i = 0; i < want->n; i++) {
        const struct mfile *w = &want->f[i];
        if (d && strcmp(w->path, d->name) == 0) {
            int rc = ks_dl_load(&xx_lib, err); /* for the reader's ks_mhash_new */
            if (rc < 0)
                return rc;
            d->listed = 1;
            d->hash = w->hash;
            d->bytes = w->bytes;
            continue;
        }
        char *p = ks_path_join(dir, w->path);
        uint64_t hash, bytes;
        int rc = ks_manifest_hash_file(p, 1, &hash, &bytes, err);
        free(p);
        if (rc == 0 && hash == w->hash && bytes == w->bytes)
            continue;
        int drc = ks_manifest_check_file(dir, d, err); /* listed before this one? */
        if (drc < 0)
            return drc;
        return rc < 0 ? rc : differs(dir, w->path, hash, w->hash, err);
    }
    return 0;
}

int
ks_manifest_check_but(const char *dir, struct ks_manifest_defer *d, struct ks_err *err)
{
    struct manifest m;
    struct mlist have = {0};
    if (d)
        d->listed = 0;
    int rc = load(dir, &m, 0, err);
    if (rc == 1 && (rc = list_dir(dir, &have, err)) == 0)
        rc = compare(dir, &m.files, &have, d, err);
    mlist_fini(&have);
    manifest_fini(&m);
    if (rc < 0 && d)
        d->listed = 0;
    return rc < 0 ? rc : 0;
}

int
ks_manifest_check(const char *dir, struct ks_err *err)
{
    return ks_manifest_check_but(dir, NULL, err);
}

struct ks_mhash {
    void *raw;
    XXH3_state_t *st; /* in raw, aligned as XXH3 wants (64 bytes) */
};

/* Only after ks_manifest_check_but listed a file: libxxhash is loaded then. */
struct ks_mhash *
ks_mhash_new(void)
{
    struct ks_mhash *h = ks_xmalloc(sizeof *h);
    h->raw = ks_xmalloc(sizeof *h->st + 64);
    h->st = (XXH3_state_t *)(((uintptr_t)h->raw + 63) & ~(uintptr_t)63);
    XXH3_INITSTATE(h->st);
    XXH3_64bits_reset(h->st);
    return h;
}

void
ks_mhash_update(struct ks_mhash *h, const void *p, size_t n)
{
    XXH3_64bits_update(h->st, p, n);
}

uint64_t
ks_mhash_digest(const struct ks_mhash *h)
{
    return XXH3_64bits_digest(h->st);
}

void
ks_mhash_free(struct ks_mhash *h)
{
    if (h)
        free(h->raw);
    free(h);
}

int
ks_manifest_add(const char *dir, const char *name, const char *command, struct ks_err *err)
{
    struct manifest m;
    int rc = load(dir, &m, 0, err);
    if (rc <= 0)
        return rc;
    uint64_t hash, bytes;
    char *p = ks_path_join(dir, name);
    rc = ks_manifest_hash_file(p, 0, &hash, &bytes, err);
    free(p);
    struct mfile *f = (struct mfile *)mlist_find(&m.files, name);
    if (rc == 0 && f) {
        f->bytes = bytes;
        f->hash = hash;
    } else if (rc == 0) {
        mlist_add(&m.files, ks_xstrdup(name), bytes, hash);
        qsort(m.files.f, m.files.n, sizeof *m.files.f, cmp_mfile);
    }
    struct ks_afile af;
    p = ks_path_join(dir, KS_MANIFEST_NAME);
    if (rc == 0 && (rc = ks_afile_open(&af, p, err)) == 0) {
        char esc[2048];
        for (size_t i = 0; i < m.keys.n; i++)
            put_kv(af.f, m.keys.f[i].path, m.vals[i]);
        if (command)
            put_kv(af.f, "amended", ks_manifest_esc(esc, sizeof esc, command));
        put_files(af.f, &m.files);
        rc = ks_afile_commit(&af, err);
    }
    free(p);
    manifest_fini(&m);
    return rc;
}
