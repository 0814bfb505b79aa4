/*
 * Every file of a tree is read through one directory fd with openat(): no path is
 * ever built from the root string, so a tree can be moved or renamed while open and
 * a fixture cannot reach outside itself through a relative path of ours.
 */
#include "collect/col_root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
open_tree(struct col_root *r, const char *path, struct ks_err *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return ks_errf(err, -e, "%s: cannot open root directory: %s", path, strerror(e));
    }
    r->fds = ks_xrealloc(r->fds, (r->n + 1) * sizeof *r->fds);
    r->paths = ks_xrealloc(r->paths, (r->n + 1) * sizeof *r->paths);
    r->fds[r->n] = fd;
    r->paths[r->n++] = ks_xstrdup(path);
    return 0;
}

int
col_root_open(struct col_root *r, const char *spec, int seq, struct ks_err *err)
{
    memset(r, 0, sizeof *r);
    if (!spec) {
        r->real = 1;
        return open_tree(r, "/", err);
    }
    if (!seq)
        return open_tree(r, spec, err);
    char *copy = ks_xstrdup(spec), *save = NULL;
    int rc = 0;
    for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save))
        rc = open_tree(r, t, err);
    free(copy);
    if (rc == 0 && r->n == 0)
        rc = ks_errf(err, -EINVAL, "--root-seq: no directory given");
    if (rc < 0)
        col_root_close(r);
    return rc;
}

void
col_root_close(struct col_root *r)
{
    for (size_t i = 0; i < r->n; i++) {
        close(r->fds[i]);
        free(r->paths[i]);
    }
    free(r->fds);
    free(r->paths);
    memset(r, 0, sizeof *r);
}

int
col_root_advance(struct col_root *r)
{
    if (r->cur + 1 >= r->n)
        return 0;
    r->cur++;
    return 1;
}

const char *
col_root_name(const struct col_root *r)
{
    return r->n ? r->paths[r->cur] : "(closed)";
}

static int
root_fd(const struct col_root *r)
{
    return r->fds[r->cur];
}

int
col_root_read(const struct col_root *r, const char *rel, struct col_buf *b)
{
    int fd = openat(root_fd(r), rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    b->len = 0;
    for (;;) {
        /* /proc files report size 0: grow until read() says end of file. */
        if (b->cap - b->len < 4096)
            b->p = ks_xgrow(b->p, &b->cap, b->len + 8192, 1);
        ssize_t n = read(fd, b->p + b->len, b->cap - b->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (n == 0)
            break;
        b->len += (size_t)n;
    }
    close(fd);
    b->p[b->len] = '\0';
    return 0;
}

/* sysfs attributes are one short line; a single read() returns all of it (the kernel
 * hands out at most a page per attribute). Errors are passed on as they are, because
 * callers give -EINVAL a meaning (speed of a virtual NIC: unknown). */
int
col_root_gets(const struct col_root *r, const char *rel, char *buf, size_t cap)
{
    int fd = openat(root_fd(r), rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n;
    do
        n = read(fd, buf, cap - 1);
    while (n < 0 && errno == EINTR);
    int e = n < 0 ? errno : 0;
    close(fd);
    if (n < 0)
        return -e;
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

int
col_root_long(const struct col_root *r, const char *rel, long *out)
{
    char b[64];
    int rc = col_root_gets(r, rel, b, sizeof b);
    if (rc < 0)
        return rc;
    return ks_parse_long(b, out);
}

int
col_root_exists(const struct col_root *r, const char *rel)
{
    return faccessat(root_fd(r), rel, F_OK, 0) == 0;
}

DIR *
col_root_opendir(const struct col_root *r, const char *rel)
{
    int fd = openat(root_fd(r), rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (!d)
        close(fd);
    return d;
}

void
col_buf_fini(struct col_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
