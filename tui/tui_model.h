/*
 * tui_model: what the screens of `kasane top` show, as plain values.
 *
 * A feed (tui_feed.h: replay of a dataset, or the live collector) fills one
 * struct tui_model per refresh; the renderer (tui_render.h) only reads it. Keeping the
 * numbers here, away from curses, is what lets the unit tests check every screen
 * without a terminal.
 *
 * Unknown values are NaN (ks_nan()), as everywhere in kasane: a screen shows "-" for
 * them, never a made-up zero. Notes (vm_note, flow_note, counters_note) say *why*
 * something is missing, in words for the user.
 */
#ifndef TUI_MODEL_H
#define TUI_MODEL_H

#include <stddef.h>

/* History kept for the sparklines: one point per refresh, the newest last. 600 points
 * are ten minutes at 1 s, more than the widest terminal shows. */
#define TUI_HIST_CAP 600

enum tui_hist { TUI_H_CPU, TUI_H_MEM, TUI_H_DISK, TUI_H_NET, TUI_NHIST };

/* Fixed-size ring of doubles (caller-owned storage inside the model). */
struct tui_ring {
    double v[TUI_HIST_CAP];
    size_t n;    /* points held, <= TUI_HIST_CAP */
    size_t head; /* index the next point goes to */
};
void tui_ring_clear(struct tui_ring *r);
void tui_ring_push(struct tui_ring *r, double v);
/* i-th newest point: 0 = the latest. NaN when i >= n. */
double tui_ring_back(const struct tui_ring *r, size_t i);

/* One CPU line: a logical core, or the "all" line. Shares of wall time, 0-100.
 * busy_pct is everything but idle and iowait (design.md's cpu_pct). When user and
 * system are unknown (a dataset only has cpu_pct), busy - steal is drawn as one part. */
struct tui_cpu {
    char name[16];
    double user_pct, system_pct, iowait_pct, steal_pct, busy_pct;
};

struct tui_disk {
    char name[32];
    double read_iops, write_iops, read_KiBps, write_KiBps, await_ms, util_pct;
};

/* errs and drops are per second, receive and transmit together. */
struct tui_nic {
    char name[32];
    double rx_KiBps, tx_KiBps, rx_pps, tx_pps, errs_ps, drops_ps;
};

struct tui_vm {
    char name[64];
    double vcpus, cpu_pct, mem_MiB, disk_KiBps, net_KiBps;
};

/* One aggregated flow over the last interval. */
struct tui_flow {
    char src[64], dst[64], proto[8];
    long dport;
    double bytes, packets;
};

/* A growable array of T: n used, cap allocated. */
#define TUI_VEC(T)                                                                                 \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }

struct tui_model {
    /* Header. */
    char host[64];
    char virt[48];     /* "bare metal", "kvm guest", "xen host", or "" when unknown */
    double uptime_s;   /* live: host uptime; replay: time since the first sample */
    double interval_s; /* of the current sample */
    double time_s;     /* UNIX seconds, end of the current sample; NaN before the first */
    int recording;
    /* Replay position (pos of count), speed; count 0 in live mode. */
    size_t replay_pos, replay_count;

    /* CPU: per core (empty when the source has only totals) and all cores. */
    TUI_VEC(struct tui_cpu) cpu;
    struct tui_cpu cpu_all;
    double cpu_MHz; /* busy MHz (the planner's demand), NaN when unknown */

    double mem_used_MiB, mem_total_MiB, swap_used_MiB, swap_total_MiB;
    /* Totals for the history: disk read + write and NIC rx + tx KiB/s. NaN means the
     * sum of the lists below (a live feed lists devices left out of its totals). */
    double disk_KiBps, net_KiBps;
    /* What the feed is waiting for, shown instead of the time ("" when nothing). */
    char note[120];

    TUI_VEC(struct tui_disk) disk;
    TUI_VEC(struct tui_nic) nic;
    TUI_VEC(struct tui_vm) vm;
    TUI_VEC(struct tui_flow) flow;
    char vm_note[160], flow_note[160];
    double flow_time_s; /* NaN: the flows are the current interval's; else the end of the
                         * latest interval that has some (replay of hourly flows) */

    double ipc, llc_miss_ps;
    char counters_note[200];

    /* Sparkline history: CPU busy %, memory used %, disk KiB/s (read + write), net
     * KiB/s (rx + tx). */
    struct tui_ring hist[TUI_NHIST];

    /* Every sample seen so far, for the Fit screen's percentiles (unbounded: 16 bytes
     * a sample, 1.4 MB a day at 1 s). */
    TUI_VEC(double) dem_cpu_MHz;
    TUI_VEC(double) dem_mem_MiB;
    /* The host's CPU, for the Fit screen's rating (NaN / "": unknown). */
    char cpu_model[128];
    double cores, threads, core_MHz;
};

/* init: everything unknown, vectors empty. fini frees the vectors. */
void tui_model_init(struct tui_model *m);
void tui_model_fini(struct tui_model *m);
/* Forget the per-sample lists (cores, disks, NICs, VMs, flows) before a refill. */
void tui_model_clear_lists(struct tui_model *m);
/* Forget history and demand (a replay jumping to another position rebuilds them). */
void tui_model_clear_history(struct tui_model *m);

/* Append an element to one of the model's vectors; returns it zeroed. */
struct tui_cpu *tui_model_add_cpu(struct tui_model *m);
struct tui_disk *tui_model_add_disk(struct tui_model *m);
struct tui_nic *tui_model_add_nic(struct tui_model *m);
struct tui_vm *tui_model_add_vm(struct tui_model *m);
struct tui_flow *tui_model_add_flow(struct tui_model *m);
void tui_model_add_demand(struct tui_model *m, double cpu_MHz, double mem_MiB);
/* Push the current totals onto the sparkline history. */
void tui_model_push_history(struct tui_model *m);

/* A cpu line with every share unknown. */
void tui_cpu_unknown(struct tui_cpu *c, const char *name);

/* The header's words for an inventory's hypervisor and kind (design.md values):
 * "bare metal", "kvm guest", "xen host", "hypervisor host"; "" when unknown. */
void tui_virt_text(const char *hypervisor, const char *kind, char *buf, size_t n);

/* Copy at most n-1 bytes of s into dst, always terminated (s may be NULL: ""). */
void tui_strlcpy(char *dst, const char *s, size_t n);
/* The first of an inventory's notes that names one of words (NULL-terminated), e.g.
 * why counters are missing ("no PMU: ..."), into buf with " (inventory notes)" after
 * it. Returns 1 if found, 0 if no note names them. */
int tui_inventory_note(const char *notes, const char *const *words, char *buf, size_t n);
/* The words that mark a note about hardware counters. */
extern const char *const tui_counter_words[];

#endif
