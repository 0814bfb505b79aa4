#include "core/ks_fault.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum mode { M_OFF, M_OOM, M_ENOSPC, M_EIO_READ, M_SHORT_READ, M_COUNT };

static const struct {
    const char *name;
    enum mode mode;
    int needs_n;
} modes[] = {
    {"oom", M_OOM, 1},           {"enospc", M_ENOSPC, 1}, {"eio-read", M_EIO_READ, 1},
    {"short-read", M_SHORT_READ, 1}, {"count", M_COUNT, 0},
};

int ks_fault_armed;
static enum mode fault_mode;
static unsigned long fault_n;
static atomic_ulong counts[KS_FAULT_NKIND];
static atomic_int disk_full; /* enospc fired: every later write fails */

static int
parse_spec(const char *spec, enum mode *m, unsigned long *n, struct ks_err *err)
{
    const char *at = strchr(spec, '@');
    size_t len = at ? (size_t)(at - spec) : strlen(spec);
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        if (strlen(modes[i].name) != len || strncmp(spec, modes[i].name, len) != 0)
            continue;
        *m = modes[i].mode;
        *n = 0;
        if (!modes[i].needs_n && !at)
            return 0;
        long v;
        if (modes[i].needs_n && at && ks_parse_long(at + 1, &v) == 0 && v > 0) {
            *n = (unsigned long)v;
            return 0;
        }
        break;
    }
    return ks_errf(err, -EINVAL,
                   "KASANE_FAULT='%s': expected oom@N, enospc@N, eio-read@N, "
                   "short-read@N (N >= 1) or count",
                   spec);
}

int
ks_fault_set(const char *spec, struct ks_err *err)
{
    enum mode m = M_OFF;
    unsigned long n = 0;
    if (spec && *spec && parse_spec(spec, &m, &n, err) < 0)
        return -EINVAL;
    fault_mode = m;
    fault_n = n;
    for (int k = 0; k < KS_FAULT_NKIND; k++)
        atomic_store(&counts[k], 0);
    atomic_store(&disk_full, 0);
    ks_fault_armed = m != M_OFF;
    return 0;
}

unsigned long
ks_fault_count(enum ks_fault_kind k)
{
    return atomic_load(&counts[k]);
}

static void
print_counts(void)
{
    fprintf(stderr, "kasane: KASANE_FAULT=count: %lu allocations, %lu writes, %lu reads\n",
            ks_fault_count(KS_FAULT_ALLOC), ks_fault_count(KS_FAULT_WRITE),
            ks_fault_count(KS_FAULT_READ));
}

/* The environment is read once, before main and before any thread: a bad spec stops
 * the program (a test that meant to inject a fault must not pass without it). */
__attribute__((constructor)) static void
fault_from_env(void)
{
    const char *spec = getenv("KASANE_FAULT");
    struct ks_err err = {0};
    if (!spec || !*spec)
        return;
    if (ks_fault_set(spec, &err) < 0) {
        fprintf(stderr, "kasane: %s\n", err.msg);
        _exit(KS_EXIT_USAGE);
    }
    if (fault_mode == M_COUNT)
        atexit(print_counts);
}

/* Number of this operation of kind k (1-based). */
static unsigned long
tick(enum ks_fault_kind k)
{
    return atomic_fetch_add_explicit(&counts[k], 1, memory_order_relaxed) + 1;
}

int
ks_fault_alloc_hit(void)
{
    return tick(KS_FAULT_ALLOC) == fault_n && fault_mode == M_OOM;
}

/* Bytes a write of n may write (n when no fault), or 0 when it must fail. The write
 * that fills the disk writes half its bytes, as a real one does, so callers meet a
 * short write before the error. */
static size_t
write_allowed(size_t n)
{
    if (tick(KS_FAULT_WRITE) == fault_n && fault_mode == M_ENOSPC &&
        !atomic_exchange(&disk_full, 1))
        return n / 2;
    return atomic_load(&disk_full) ? 0 : n;
}

ssize_t
ks_io_write(int fd, const void *buf, size_t n)
{
    if (__builtin_expect(ks_fault_armed, 0) && n > 0) {
        size_t allow = write_allowed(n);
        if (allow == 0) {
            errno = ENOSPC;
            return -1;
        }
        n = allow;
    }
    return write(fd, buf, n);
}

int
ks_io_fsync(int fd)
{
    if (__builtin_expect(ks_fault_armed, 0) && write_allowed(1) == 0) {
        errno = ENOSPC;
        return -1;
    }
    return fsync(fd);
}

ssize_t
ks_io_read(int fd, void *buf, size_t n)
{
    if (__builtin_expect(ks_fault_armed, 0)) {
        unsigned long i = tick(KS_FAULT_READ);
        if (fault_mode == M_EIO_READ && i == fault_n) {
            errno = EIO;
            return -1;
        }
        if (fault_mode == M_SHORT_READ && n > fault_n)
            n = fault_n;
    }
    return read(fd, buf, n);
}

/* The read side of ks_fopen_read's stream: the descriptor rides in the cookie. */
static ssize_t
cookie_read(void *c, char *buf, size_t n)
{
    ssize_t k;
    do
        k = ks_io_read((int)(intptr_t)c, buf, n);
    while (k < 0 && errno == EINTR);
    return k;
}

static int
cookie_close_fd(void *c)
{
    return close((int)(intptr_t)c);
}

FILE *
ks_fopen_read(const char *path)
{
    if (__builtin_expect(!ks_fault_armed, 1))
        return fopen(path, "r");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close_fd};
    FILE *f = fopencookie((void *)(intptr_t)fd, "r", io);
    if (!f)
        close(fd);
    return f;
}
