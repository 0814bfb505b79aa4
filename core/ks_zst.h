/*
 * ks_zst: compressed dataset files (libzstd). A dataset may hold samples.csv.zst,
 * flows.csv.zst and cores.csv.zst in place of the plain files (docs/formats.md); every
 * reader takes either, a directory with both spellings of one file is refused.
 * Written by gen --compress, import --compress and collect at rotation.
 */
#ifndef KS_ZST_H
#define KS_ZST_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/ks_util.h"

/* Does path end in ".zst"? */
int ks_zst_is(const char *path);

/* Decompressed content: len bytes at p and a NUL after them, in anonymous memory of
 * cap bytes (whose pages a reader may give back as it goes: madvise). */
struct ks_zbuf {
    char *p;
    size_t len, cap;
};

/* The whole decompressed content of the zstd file path into z (ks_zst_free it). Reads
 * through the fault layer. With max_line > 0 it stops inside the first line (the bytes
 * after the last LF or CR) longer than max_line, keeping what came before and at least
 * max_line bytes of that line: a few KB of zstd can hold a line of gigabytes, which a
 * CSV reader refuses anyway (KS_CSV_LONG_LINE), and it is not worth the memory.
 * Errors: "path: cannot open: ...", "path: not a regular file", "path: corrupt zstd
 * data: ..." (also a checksum mismatch), "path: truncated zstd data (the file ends
 * inside a frame)", "path: empty file (no zstd frame)". */
int ks_zst_load(const char *path, size_t max_line, struct ks_zbuf *z, struct ks_err *err);
void ks_zst_free(struct ks_zbuf *z);

/* The same as a stream: ks_zin_open (errors as above), then ks_zin_read for up to cap
 * bytes of content at a time: it fills buf unless the content ends first, returns the
 * bytes given (0 at the end) or an error as ks_zst_load's. ks_zin_ratio: out bytes of
 * content made so far scaled to the whole file by the compressed bytes they took (an
 * estimate of the content's size). */
struct ks_zin;
int ks_zin_open(const char *path, struct ks_zin **zi, struct ks_err *err);
ssize_t ks_zin_read(struct ks_zin *zi, char *buf, size_t cap, struct ks_err *err);
double ks_zin_ratio(const struct ks_zin *zi, size_t out);
void ks_zin_close(struct ks_zin *zi);

/* A write-only stdio stream into *zf whose bytes are compressed (zstd frame with a
 * checksum, level as below, up to 2 worker threads) into out; size: the bytes that will
 * be written when known (recorded in the frame), else -1. fclose ends the frame and
 * returns EOF when compressing or writing to out failed; out stays open (the caller
 * commits or aborts it and sees its own write errors there). 0, or an error naming
 * path (libzstd cannot be loaded, no stream). */
int ks_zst_fopen(FILE *out, int level, long long size, const char *path, FILE **zf,
                 struct ks_err *err);

/* Compress path into path.zst (written whole: a temporary file renamed at the end),
 * then remove path. level: zstd level (3 is zstd's default); up to 2 worker threads. */
int ks_zst_compress_file(const char *path, int level, struct ks_err *err);

/* In dataset directory dir: compress samples.csv, flows.csv and cores.csv, those that
 * are there (gen --compress, import --compress before the manifest is written). */
int ks_zst_compress_dataset(const char *dir, struct ks_err *err);

/* name or name.zst in dir: the path of the one that is there (malloc'd) in *path, 1;
 * 0 and *path NULL when neither is; an error naming both when both are, or when one
 * is a dangling link. */
int ks_zst_pick(const char *dir, const char *name, char **path, struct ks_err *err);

#endif
