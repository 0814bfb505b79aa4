/*
 * col_devtab: the previous counters of named devices (disks, NICs), so sources can
 * turn two readings into rates while devices come and go.
 *
 * Each sample: col_devtab_begin, then col_devtab_update per device line (which
 * classifies new devices once, computes deltas and names what happened), then
 * col_devtab_sweep to forget devices that were not listed (vanished: an event).
 */
#ifndef COL_DEVTAB_H
#define COL_DEVTAB_H

#include <stddef.h>
#include <stdint.h>

#include "collect/col_parse.h"
#include "collect/col_rate.h"
#include "collect/col_root.h"
#include "collect/col_snapshot.h"

#define COL_DEV_MAXC 16

struct col_dev {
    char name[COL_NAME_MAX];
    uint64_t c[COL_DEV_MAXC];
    unsigned major, minor; /* disks: a changed number means a new device */
    int seen;              /* listed in the current sample */
    int counted;           /* classification cached by the source: 1 in totals */
    long speed_Mbps;       /* NICs: -1 unknown */
    int up;                /* NICs: operstate not "down" */
    int loopback;          /* NICs: lo or ARPHRD_LOOPBACK */
};

struct col_devtab {
    struct col_dev *d; /* owned */
    size_t n, cap;
    const char *what; /* "disk" or "nic", the event prefix */
};

void col_devtab_init(struct col_devtab *t, const char *what);
void col_devtab_fini(struct col_devtab *t);
void col_devtab_begin(struct col_devtab *t);
/* Find name; a device not known yet is added (*kind = COL_DEV_NEW) and keeps cur as
 * its baseline. Otherwise deltas of the n counters go to delta and *kind (an enum
 * col_delta_kind) says how they were obtained. */
#define COL_DEV_NEW (-1)
struct col_dev *col_devtab_update(struct col_devtab *t, const char *name, unsigned major,
                                  unsigned minor, const uint64_t *cur, size_t n, uint64_t *delta,
                                  int *kind);
/* Record what *kind means as an event "<what>_<new|wrap|rereg|glitch>:NAME" (none
 * for COL_DELTA_OK). */
void col_devtab_event(const struct col_devtab *t, const char *name, int kind,
                      struct col_snapshot *out);
/* Drop devices not seen since begin; each is an event "<what>_gone:NAME". */
void col_devtab_sweep(struct col_devtab *t, struct col_snapshot *out);

/* Disk classification: 1 if name is a whole disk kasane counts. have_sysblock says
 * whether the tree has /sys/block (else partitions are told apart by name). */
int col_disk_is_whole(const struct col_root *root, const struct col_diskstats *ds, const char *name,
                      int include_dm, int have_sysblock);
/* NIC state, re-read every sample (links go down and up): sets d->up, d->counted
 * (up and not loopback) and, when the device is new or its state changed, the speed. */
void col_nic_classify(const struct col_root *root, struct col_dev *d);

#endif
