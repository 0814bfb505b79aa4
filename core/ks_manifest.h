/*
 * ks_manifest: the manifest.csv of every directory kasane writes whole (a dataset from
 * gen or import, a plan, a report), and its check by the readers.
 *
 * Format (docs/formats.md, "manifest.csv"): a CSV file of key,value rows, then a
 * `path,bytes,xxh3_64` header and one row per file of the directory (subdirectories
 * included, paths relative, '/'-separated, sorted; manifest.csv itself not listed):
 *
 *   kasane_manifest,1
 *   kind,plan
 *   writer,kasane 0.1.0
 *   command,kasane plan t/ds --catalog cat.csv -o t/plan
 *   path,bytes,xxh3_64
 *   hosts.csv,812,5d0c9b0e8f0a1c2d
 *
 * The hash is XXH3-64 (libxxhash) of the whole file, 16 lowercase hex digits: at
 * memory bandwidth, so checking a multi-GB samples.csv costs a few percent of
 * parsing it. It detects change, not tampering: anyone can rewrite the manifest too.
 *
 * A reader calls ks_manifest_check on a directory before reading it. A directory
 * without manifest.csv (written by `collect`, or by hand) passes as before; one with a
 * manifest passes only if every listed file is there with its size and hash and no
 * other file is: a mix of two runs, an edited file or a file dropped in later is an
 * error naming the file and what differs.
 */
#ifndef KS_MANIFEST_H
#define KS_MANIFEST_H

#include <stdint.h>

#include "core/ks_util.h"

/* A 128-bit XXH3 key over several buffers, fed in turn (the manifest's library, loaded
 * on use): the planner keys its zone packings with it. ks_hash128_begin returns -1 when
 * libxxhash cannot be loaded (the caller then keys nothing). The state is opaque and
 * large enough for XXH3's (checked at compile time in ks_manifest.c). */
struct ks_hash128 {
    _Alignas(64) unsigned char st[640];
};
int ks_hash128_begin(struct ks_hash128 *h);
void ks_hash128_add(struct ks_hash128 *h, const void *p, size_t len);
void ks_hash128_end(struct ks_hash128 *h, uint64_t key[2]);

#define KS_MANIFEST_NAME "manifest.csv"
#define KS_MANIFEST_VERSION 1

/* Write dir/manifest.csv (atomically, through ks_afile) listing every regular file
 * under dir; kind is "dataset", "plan" or "report"; command (may be NULL) is the
 * command line that wrote the directory, stored with control characters escaped.
 * Files are fsynced as they are hashed (gnuplot's charts were not). */
int ks_manifest_write(const char *dir, const char *kind, const char *command,
                      struct ks_err *err);

/* 0 when dir has no manifest.csv or its files match it; a negative code with a message
 * naming the first file that differs otherwise. Reads every listed file once (through
 * the fault layer's reads). */
int ks_manifest_check(const char *dir, struct ks_err *err);

/* A file of the directory whose hash its reader computes as it reads it, instead of in
 * a pass of its own before (samples.csv: reading 280 MB twice from memory was a sixth of
 * bench/dataset_read). ks_manifest_check_but checks the rest and fills listed, hash and
 * bytes; the reader then calls ks_manifest_check_hash with the hash it got, or, when it
 * cannot hash as it reads, or fails before reading, ks_manifest_check_file. A directory
 * checked this way gives the error a whole check would have given (the deferred file's
 * mismatch first where it comes first in the manifest). */
struct ks_manifest_defer {
    const char *name; /* relative to dir */
    int listed;       /* out: 1 when the manifest lists name and its check is pending */
    uint64_t hash, bytes;
};
int ks_manifest_check_but(const char *dir, struct ks_manifest_defer *d, struct ks_err *err);
/* d's file hashed now (through the fault layer) and compared; 0 when it matches or
 * is not listed. listed is cleared: the check is done. */
int ks_manifest_check_file(const char *dir, struct ks_manifest_defer *d, struct ks_err *err);
/* The same with the hash and size the reader computed. */
int ks_manifest_check_hash(const char *dir, struct ks_manifest_defer *d, uint64_t hash,
                           uint64_t bytes, struct ks_err *err);

/* XXH3-64 of bytes handed over in order (the manifest's hash of a file a reader maps). */
struct ks_mhash;
struct ks_mhash *ks_mhash_new(void);
void ks_mhash_update(struct ks_mhash *h, const void *p, size_t n);
uint64_t ks_mhash_digest(const struct ks_mhash *h);
void ks_mhash_free(struct ks_mhash *h);

/* 1 when dir holds a manifest.csv, with its kind copied into kind (n bytes, "" when the
 * row is missing); 0 when it has none; negative with a message when it is unreadable. */
int ks_manifest_kind(const char *dir, char *kind, size_t n, struct ks_err *err);

/* A file written into a directory kasane wrote whole, after the fact (sim -o
 * PLAN/storage_sim.csv): name's row (relative to dir) set to its current size and hash,
 * added if new, and an `amended` row naming the command (may be NULL). The rest of the
 * manifest is kept as it is, so other changes still show. Returns 0 (also when dir has
 * no manifest: nothing to do) or a negative code with a message. */
int ks_manifest_add(const char *dir, const char *name, const char *command,
                    struct ks_err *err);

/* XXH3-64 and size of a file, read in 1 MiB blocks (through ks_io_read when
 * use_fault_layer). Returns 0 or -errno with a message naming path. */
int ks_manifest_hash_file(const char *path, int use_fault_layer, uint64_t *hash,
                          uint64_t *bytes, struct ks_err *err);

/* Copy s into buf (n bytes, truncated) with control characters, DEL and backslash as
 * \xHH / \\, so an untrusted name cannot break a line of a message or a manifest. */
const char *ks_manifest_esc(char *buf, size_t n, const char *s);

#endif
