/*
 * col_dsdir: the guards of a dataset directory that a collector appends to
 * (`kasane collect -o DIR`, `kasane top --record DIR`).
 *
 * The lock. Two collectors appending to one directory would interleave their rows and
 * double its coverage, so a writer holds flock(LOCK_EX) on DIR/collect.lock for its
 * whole life; the file holds the holder's pid, for the message the second one gets.
 * flock, not fcntl locks: it belongs to the open file, so no other close() in the
 * process drops it, and the kernel releases it when the process dies (a crash leaves
 * the file, never a stale lock).
 *
 * The hand-over. `--pcap` as root opens the capture, then drops to --user (nobody) for
 * good. Rotation, a logrotate move + SIGHUP and new inventory rows all create files
 * in DIR after that, so DIR must belong to that user: col_dsdir_drop creates DIR,
 * gives it and its dataset files to the user, and drops privileges before the writer
 * opens anything, so every file of the run is the user's own and root never writes in
 * a directory another user controls. Only a directory of kasane's own is handed over:
 * one that holds anything but dataset files, or belongs to a third user, is refused.
 */
#ifndef COL_DSDIR_H
#define COL_DSDIR_H

#include "core/ks_util.h"

#define COL_DSDIR_LOCK "collect.lock"

/* Take the lock of dir (which exists) without waiting. Returns the descriptor that
 * holds it (close it to release), -EBUSY with "DIR is being written by another
 * collector (pid N)" in err, or another negative code with err set. */
int col_dsdir_lock(const char *dir, struct ks_err *err);

/* As root: create dir (and its parents), hand it and the dataset files in it to user
 * (chown; refused with -EPERM for a directory holding other files, links or special
 * files, or owned by a third user), open it, then switch to user for good
 * (col_pcap_drop_privileges). *dir_fd gets the open directory (the caller closes it
 * after the writer) and io_dir "/proc/self/fd/N", the path that reaches it whatever
 * the parents' permissions (a 0700 home or temporary directory the user may not
 * search): give it to the writer as col_writer_opts.io_dir. Not root, or user NULL:
 * nothing to do, 0 and *dir_fd -1. */
int col_dsdir_drop(const char *dir, const char *user, int *dir_fd, char *io_dir, size_t cap,
                   struct ks_err *err);

#endif
