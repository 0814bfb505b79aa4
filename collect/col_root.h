/*
 * col_root: the /proc and /sys tree every source reads (style.md rule 9).
 *
 * The root is opened once (a directory fd) and every file is read with openat()
 * relative to it, so `--root tests/fixtures/x` points the real binary at a fake tree.
 * For tests a root may be a sequence of trees (`--root-seq A,B,C`): each sample reads
 * the next tree, the last one sticks. Paths passed in are relative ("proc/stat").
 */
#ifndef COL_ROOT_H
#define COL_ROOT_H

#include <dirent.h>
#include <stddef.h>

#include "core/ks_util.h"

struct col_root {
    int *fds;     /* one directory fd per tree, owned */
    char **paths; /* the trees' paths, owned (for messages) */
    size_t n;     /* number of trees (>= 1 once open) */
    size_t cur;   /* tree read now */
    int real;     /* 1 when no root was given: "/" of this machine (CPUID allowed) */
};

/* A growable read buffer reused across samples (no allocation per sample once warm). */
struct col_buf {
    char *p;    /* NUL-terminated contents, owned */
    size_t len; /* bytes read */
    size_t cap;
};

/* Open the trees. spec NULL means the real "/". seq non-zero splits spec at commas into
 * a sequence. Returns 0 or -errno with err naming the directory. */
int col_root_open(struct col_root *r, const char *spec, int seq, struct ks_err *err);
void col_root_close(struct col_root *r);
/* Move to the next tree of a sequence; returns 1 if it moved, 0 at the last. */
int col_root_advance(struct col_root *r);
/* Name of the current tree, for messages. */
const char *col_root_name(const struct col_root *r);

/* Read a whole file into b (grown as needed, NUL-terminated). Returns 0 or -errno. */
int col_root_read(const struct col_root *r, const char *rel, struct col_buf *b);
/* Read a small file into buf (cap bytes, NUL-terminated, trailing newline removed).
 * Returns 0 or -errno (-EINVAL for a sysfs attribute that cannot be read, e.g. a
 * link speed on a virtual NIC). */
int col_root_gets(const struct col_root *r, const char *rel, char *buf, size_t cap);
/* A small file as a long / double: 0 and *out, or negative (missing, unreadable,
 * not a number). */
int col_root_long(const struct col_root *r, const char *rel, long *out);
/* 1 if rel exists in the current tree. */
int col_root_exists(const struct col_root *r, const char *rel);
/* opendir() of rel in the current tree, or NULL with errno set. */
DIR *col_root_opendir(const struct col_root *r, const char *rel);

void col_buf_fini(struct col_buf *b);

#endif
