/* Helpers shared by the libFuzzer harnesses (header-only: each harness is one program,
 * and tests/unit/test_fuzz_regress.c includes every harness into one file).
 *
 * Parsers that only read files get the input written to a scratch directory made once
 * per process under /tmp and removed at exit. Inputs that stand for several files
 * (a dataset directory, the storage catalog) are split at FZ_SEP lines; libFuzzer's
 * comparison tracing finds the separator quickly, and the seeds contain it. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ks_dataset.h"

#define FZ_SEP "\n~~~\n"

static char fz_dir_buf[64];

static inline void
fz_cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fz_dir_buf);
    if (system(cmd) != 0)
        fz_dir_buf[0] = '\0';
}

/* The per-process scratch directory. */
static inline const char *
fz_dir(void)
{
    if (!fz_dir_buf[0]) {
        strcpy(fz_dir_buf, "/tmp/kasane-fuzz-XXXXXX");
        if (!mkdtemp(fz_dir_buf))
            abort();
        atexit(fz_cleanup);
    }
    return fz_dir_buf;
}

/* Write size bytes to the scratch directory's file name; returns its path (static). */
static inline const char *
fz_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fz_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    return path;
}

/* Remove name from the scratch directory (it may be missing). */
static inline void
fz_unlink(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", fz_dir(), name);
    unlink(path);
}

/* Write the FZ_SEP-separated parts of data as the files names[0..n-1] of a directory
 * (fresh each call); files beyond the parts present are not created. Returns the
 * directory (static). */
static inline const char *
fz_split_dir(const char *sub, const char *const *names, size_t n, const uint8_t *data, size_t size)
{
    static char dir[128];
    char rel[200];
    snprintf(dir, sizeof dir, "%s/%s", fz_dir(), sub);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        abort();
    for (size_t i = 0; i < n; i++) { /* fresh: no file left from the last input */
        snprintf(rel, sizeof rel, "%s/%s", sub, names[i]);
        fz_unlink(rel);
    }
    const uint8_t *p = data, *end = data + size;
    size_t seplen = strlen(FZ_SEP);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *q = p;
        while (q + seplen <= end && memcmp(q, FZ_SEP, seplen) != 0)
            q++;
        int last = q + seplen > end;
        if (last)
            q = end;
        snprintf(rel, sizeof rel, "%s/%s", sub, names[i]);
        fz_file(rel, p, (size_t)(q - p) + !last); /* keep the line's newline */
        if (last)
            break;
        p = q + seplen;
    }
    return dir;
}

/* A NUL-terminated copy (the caller frees it). */
static inline char *
fz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Grid a dataset as the commands do, with at most ~4096 steps: the grid is dense
 * (entities x steps), so a fuzzed time span of decades at the native step would take
 * gigabytes by design (capped at KS_GRID_MAX_BYTES, which the E2BIG path checks) and
 * starve the fuzzer. A step coarser than the data's own is what --step does; when the
 * span is short the native step is used. */
static inline void
fz_grid(const struct ks_dataset *ds)
{
    const struct ks_samples *s = &ds->s;
    struct ks_grid g;
    struct ks_err err = {0};
    if (!s->nrows)
        return;
    double span_s = s->time[s->nrows - 1] - s->time[0];
    if (span_s > 0 && ks_grid_build(ds, span_s / 4096, KS_AGG_PCT, 95, &g, &err) == 0) {
        ks_grid_fini(&g);
        return;
    }
    if (!(span_s > 0) || err.code == -EINVAL) /* finer than the native step */
        if (ks_grid_build(ds, 0, KS_AGG_PCT, 95, &g, &err) == 0)
            ks_grid_fini(&g);
}

#endif
