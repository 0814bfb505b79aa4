/*
 * ks_fault: fault injection for tests, and the I/O calls it reaches.
 *
 * KASANE_FAULT (read once, before main) makes one operation of a kind fail, so tests
 * can prove that every command survives out-of-memory, a full disk and a failing read
 * with a clear error and no corrupt file:
 *
 *   oom@N          the N-th allocation through ks_xmalloc and friends fails
 *   enospc@N       the N-th write of an output file writes half its bytes, and it and
 *                  every write after it fail with ENOSPC (the disk stays full)
 *   eio-read@N     the N-th read through the CSV reader or ks_fopen_read fails with EIO
 *   short-read@N   every read through them returns at most N bytes
 *   count          nothing fails; the counts are printed to stderr at exit
 *
 * Writes are the write(2) calls of atomic files (ks_afile_*, which every command's
 * output files go through, CSV writers included) and of the collector's appended files,
 * plus the fsync of each atomic file's commit. Off (the default) costs one predictable
 * branch per call: ks_fault_armed is 0 and never changes.
 */
#ifndef KS_FAULT_H
#define KS_FAULT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/ks_util.h"

enum ks_fault_kind { KS_FAULT_ALLOC, KS_FAULT_WRITE, KS_FAULT_READ, KS_FAULT_NKIND };

/* Nonzero while a fault (or counting) is armed. Set before threads start. */
extern int ks_fault_armed;

/* Arm from a spec in KASANE_FAULT's syntax; NULL or "" disarms. Counters restart at 0.
 * Returns 0, or -EINVAL with a message naming the bad spec. Not thread-safe: call it
 * before starting threads (the environment is read this way at start-up). */
int ks_fault_set(const char *spec, struct ks_err *err);
/* Operations of a kind seen since the last ks_fault_set (0 when disarmed). */
unsigned long ks_fault_count(enum ks_fault_kind k);

/* Slow path of ks_fault_alloc: 1 if this allocation must fail. */
int ks_fault_alloc_hit(void);
static inline int
ks_fault_alloc(void)
{
    return __builtin_expect(ks_fault_armed, 0) ? ks_fault_alloc_hit() : 0;
}

/* write(2), read(2) and fsync(2) with the injected faults (plain calls when disarmed).
 * Same return values and errno as the system calls. */
ssize_t ks_io_write(int fd, const void *buf, size_t n);
ssize_t ks_io_read(int fd, void *buf, size_t n);
int ks_io_fsync(int fd);
/* fopen(path, "r") for the readers that use stdio (the importers); armed, a stream whose
 * reads go through ks_io_read, so eio-read and short-read reach them too. A caller
 * checks ferror() after its read loop: a failed read must not pass for the end of the
 * file. NULL and errno as fopen. */
FILE *ks_fopen_read(const char *path);

#endif
