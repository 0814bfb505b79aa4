/*
 * ks_outdir: output directories built beside their destination and swapped in whole.
 *
 * Every directory a command writes (a dataset from gen or import, a plan, a report) is
 * written into a staging directory `<parent>/.<name>.staging.<pid>` (same filesystem:
 * a rename, never a copy), completed with a manifest.csv (core/ks_manifest.h), fsynced,
 * and then swapped with the destination: rename(2) when there is none, renameat2(2)
 * RENAME_EXCHANGE when there is one (atomic on Linux; where the filesystem refuses it,
 * the old directory is renamed aside and the new one renamed in, a window of
 * microseconds without the directory). The old tree is then removed. A reader sees the
 * old directory or the new one, never a mix of both.
 *
 * On any error the staging directory is removed and the destination is left as it
 * was; out of memory (ks_util) and fatal signals (the CLI's handler) remove it through
 * ks_outdir_remove_all, which is async-signal-safe.
 *
 * What may be replaced (docs/cli.md, "Output directories"):
 *   KS_OUTDIR_DATASET  gen and import: a missing or empty directory; anything else only
 *                      with force (replace) or keep (import --append: the caller reads
 *                      the existing dataset and writes the merged one into staging).
 *   KS_OUTDIR_OUTPUT   plan and report: a missing or empty directory, or one whose
 *                      manifest.csv says kasane wrote one of the same kind; anything
 *                      else (a directory kasane did not write) only with force.
 * Never, even with force: `/`, the current directory or one of its parents, or a path
 * that exists and is not a directory.
 */
#ifndef KS_OUTDIR_H
#define KS_OUTDIR_H

#include "core/ks_util.h"

enum ks_outdir_kind { KS_OUTDIR_DATASET, KS_OUTDIR_OUTPUT };

struct ks_outdir_opts {
    enum ks_outdir_kind kind;
    const char *what;    /* manifest kind: "dataset", "plan" or "report" */
    const char *cmd;     /* command name for messages ("gen") */
    const char *command; /* full command line for the manifest, or NULL */
    int force;           /* --force: replace a non-empty directory kasane may not own */
    int keep;            /* --append: a non-empty dataset directory is fine */
};

struct ks_outdir; /* opaque: one staging directory in progress */

/* Check dest against the rules above and create the empty staging directory (and
 * dest's missing parents). *existing is set to 1 when dest exists and is not empty
 * (may be NULL). Returns 0, or a negative code with a message saying why dest was
 * refused and which option would allow it. */
int ks_outdir_begin(const char *dest, const struct ks_outdir_opts *o, struct ks_outdir **out,
                    int *existing, struct ks_err *err);
/* The staging directory to write into (owned by od). */
const char *ks_outdir_path(const struct ks_outdir *od);
/* The destination as given (owned by od). */
const char *ks_outdir_dest(const struct ks_outdir *od);
/* Manifest, fsync, swap, remove the old tree; frees od. On error the staging directory
 * is removed, dest is untouched, and err names dest (not the staging path). */
int ks_outdir_commit(struct ks_outdir *od, struct ks_err *err);
/* Remove the staging directory and free od (NULL: no-op). err (may be NULL) has the
 * staging path in its message replaced by the destination's, so that a failure reads
 * "t/plan/hosts.csv: cannot write" and not a name that no longer exists. */
void ks_outdir_abort(struct ks_outdir *od, struct ks_err *err);
/* Remove every staging directory still in progress. Async-signal-safe: no allocation,
 * no locks, no stdio (getdents64, unlinkat). For out of memory and fatal signals. */
void ks_outdir_remove_all(void);
/* 1 when path lies inside a staging directory in progress: ks_afile_commit then leaves
 * the fsync to ks_outdir_commit, which makes every file durable before the swap. */
int ks_outdir_staged(const char *path);
/* rm -rf path (a directory tree, symbolic links not followed). Async-signal-safe.
 * Returns 0 or -errno. */
int ks_rmtree(const char *path);

#endif
