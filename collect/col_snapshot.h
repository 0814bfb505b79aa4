/*
 * col_snapshot: one sample of a machine, as the sampler hands it to `collect`'s
 * writer and to `top`: the standard samples.csv row (ks_metric order), kasane's extra
 * columns, and per-core, per-disk and per-NIC rates.
 *
 * Plain value struct (style.md rule 3), caller-owned: col_snapshot_init, reuse for
 * every sample (arrays are grown, never shrunk), col_snapshot_fini. A number that is
 * not known is NaN, never 0.
 */
#ifndef COL_SNAPSHOT_H
#define COL_SNAPSHOT_H

#include <stdarg.h>
#include <stddef.h>

#include "collect/col_parse.h"
#include "collect/col_rate.h"
#include "core/ks_dataset.h"

/* Extra samples.csv columns after the standard ones (design.md allows more columns;
 * readers match by name). Sources added later append here, before COL_NX. */
enum col_extra {
    COL_X_CPU_USER_PCT,
    COL_X_CPU_SYSTEM_PCT,
    COL_X_CPU_IOWAIT_PCT,
    COL_X_CPU_GUEST_PCT,
    COL_X_CPU_ONLINE,     /* logical CPUs online at the end of the interval */
    COL_X_MEM_CACHED_MIB, /* page cache + reclaimable slab */
    COL_X_SWAP_USED_MIB,
    COL_X_SWAP_TOTAL_MIB,
    COL_X_PGIN_KIBPS, /* /proc/vmstat pgpgin */
    COL_X_PGOUT_KIBPS,
    COL_X_NET_RX_ERR_PS,
    COL_X_NET_TX_ERR_PS,
    COL_X_NET_RX_DROP_PS,
    COL_X_NET_TX_DROP_PS,
    COL_X_GAP_S, /* seconds of rows lost before this one (full disk) */
    COL_NX
};
extern const char *const col_extra_names[COL_NX];
/* The last extra column is text: what happened in the interval ("disk_rereg:sdb;..."). */
#define COL_EVENTS_COL "events"
#define COL_EVENTS_MAX 1024

struct col_cpu_row {
    int cpu;    /* logical CPU number */
    int online; /* 0: offline at this sample (rates NaN) */
    struct col_cpu_pct pct;
};

struct col_disk_row {
    char name[COL_NAME_MAX];
    int fresh; /* 1: first seen (or re-registered): rates cover less than a full interval */
    struct col_disk_rate r;
};

struct col_nic_row {
    char name[COL_NAME_MAX];
    int counted;     /* up and not loopback: part of the totals */
    long speed_Mbps; /* -1 unknown */
    int fresh;
    struct col_nic_rate r;
};

/* A row for another entity measured from this machine (a VM seen through libvirt):
 * written to samples.csv with the snapshot's time and interval, and to inventory.csv
 * (kind, host, vcpus as threads, mem_MiB) the first time the writer sees it. */
struct col_entity_row {
    char entity[128];
    const char *kind; /* "vm" (static string) */
    char host[128];   /* entity it runs on ("" = the machine's own entity) */
    int vcpus;        /* -1 unknown */
    double mem_MiB;   /* configured memory, NaN unknown */
    double m[KS_NMETRIC];
    double x[COL_NX];
};

struct col_snapshot {
    double time_s;     /* end of the interval, UNIX seconds (wall clock) */
    double mono_s;     /* the sampler's clock at the sample */
    double interval_s; /* real length of the interval; NaN for the baseline */
    int baseline;      /* 1 for the first sample: counters read, no rates yet */
    double uptime_s;   /* the tree's /proc/uptime (NaN if unreadable) */
    double m[KS_NMETRIC];
    double x[COL_NX];
    struct col_cpu_row *cpu; /* ncpu entries, owned */
    size_t ncpu, cpu_cap;
    struct col_disk_row *disk; /* whole disks kasane counts */
    size_t ndisk, disk_cap;
    struct col_nic_row *nic; /* every interface seen, counted or not */
    size_t nnic, nic_cap;
    char events[COL_EVENTS_MAX]; /* ';'-separated; "" when nothing happened */
    struct col_entity_row *ents; /* other entities' rows, owned */
    size_t nents, ents_cap;
};

void col_snapshot_init(struct col_snapshot *s);
void col_snapshot_fini(struct col_snapshot *s);
/* Reset values to unknown for a new sample (keeps the arrays). */
void col_snapshot_clear(struct col_snapshot *s);
/* Append formatted text to the NUL-terminated list in buf (cap bytes), with sep
 * between items; silently truncated when full. Events and inventory notes use it. */
void col_list_appendf(char *buf, size_t cap, const char *sep, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* Append an event ("disk_rereg:sdb"); silently truncated past COL_EVENTS_MAX. */
void col_snapshot_event(struct col_snapshot *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append a row to one of the arrays and return it (zeroed). */
struct col_cpu_row *col_snapshot_add_cpu(struct col_snapshot *s);
struct col_disk_row *col_snapshot_add_disk(struct col_snapshot *s);
struct col_nic_row *col_snapshot_add_nic(struct col_snapshot *s);
/* Append an entity row: metrics unknown, vcpus -1, kind "vm". */
struct col_entity_row *col_snapshot_add_entity(struct col_snapshot *s, const char *entity);

#endif
