/*
 * col_source: the interface every metric source implements, and the one registry.
 *
 * A source is a constant table (htop's MeterClass, style.md rule 8):
 *
 *   open    allocate private state from the tree (ctx->root); -ENOENT / -ENOTSUP /
 *           -EACCES mean "not available here" (the sampler records the reason in the
 *           inventory notes and goes on without it); other codes are fatal.
 *   sample  read the counters, and unless ctx->dt_s is NaN (the baseline sample)
 *           write rates into the snapshot: its slice of m[] / x[], rows of the
 *           per-device arrays, events. Devices that appear, vanish or restart are
 *           events, never errors. A failed read returns a negative code: the sampler
 *           records it as an event and leaves that source's fields unknown.
 *   close   free the state (NULL-safe).
 *
 * To add a source (pcap, PAPI, libvirt: issue 9): write col_src_NAME.c with a
 * `const struct col_source col_src_NAME`, declare it below and list it in
 * col_registry[] (col_registry.c). New per-interval columns go to enum col_extra;
 * IPC goes to m[KS_IPC]. A source that measures other entities (libvirt: one per
 * running domain) adds rows with col_snapshot_add_entity(): the writer puts them in
 * samples.csv beside the machine's row and adds their inventory rows.
 */
#ifndef COL_SOURCE_H
#define COL_SOURCE_H

#include "collect/col_inventory.h"
#include "collect/col_root.h"
#include "collect/col_snapshot.h"
#include "core/ks_util.h"

/* How the sampler measures intervals. */
enum col_clock {
    COL_CLOCK_AUTO,  /* MONO for the real root, UPTIME when --root is given */
    COL_CLOCK_MONO,  /* CLOCK_MONOTONIC */
    COL_CLOCK_UPTIME /* the tree's proc/uptime: fake trees carry their own clock, so
                      * fixture rates are exact whatever the real pace of the test */
};

/* Options of a sampler (caller-owned, read during col_sampler_new only; strings
 * copied). Zero-initialized means: this machine, every source, dm disks excluded. */
struct col_opts {
    const char *root; /* --root DIR, NULL for "/" */
    int root_seq;     /* root is "DIR1,DIR2,...": one tree per sample (tests) */
    int include_dm;   /* count device-mapper (dm-*) and md disks in totals */
    enum col_clock clock;
    const char *only; /* comma list of source names to run; NULL = all */
};

/* What the sampler passes to every source at open and at each sample. */
struct col_ctx {
    const struct col_root *root;
    const struct col_opts *opts;
    double dt_s; /* seconds since the previous sample; NaN at the baseline */
    /* At open only (NULL at sample): the machine's inventory, where a source that
     * opens but runs degraded says why (col_inventory_note: "no PMU: ..."). */
    struct col_inventory *inv;
};

struct col_source {
    const char *name;
    int (*open)(const struct col_ctx *ctx, void **state, struct ks_err *err);
    int (*sample)(void *state, const struct col_ctx *ctx, struct col_snapshot *out,
                  struct ks_err *err);
    void (*close)(void *state);
};

extern const struct col_source col_src_cpu;  /* /proc/stat: CPU totals, per core */
extern const struct col_source col_src_mem;  /* /proc/meminfo, /proc/vmstat */
extern const struct col_source col_src_disk; /* /proc/diskstats + /sys/block */
extern const struct col_source col_src_net;  /* /proc/net/dev + /sys/class/net */

/* Every source, NULL-terminated, in the order they run. */
extern const struct col_source *const col_registry[];

#endif
