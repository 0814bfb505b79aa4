/*
 * col_rate: pure arithmetic from two counter readings to rates (no I/O, no clock).
 *
 * Counter deltas follow sysstat's reasoning (shared/reference.md): a counter that
 * went down is either a wrap - its old value was in the upper half of its width
 * (32 or 64 bits) and a sibling counter of the same device still rose - or the
 * device was re-registered (every counter restarted), in which case the new values
 * are what happened since, as iostat does. A lone counter that steps back without
 * either explanation (e.g. iowait on tickless kernels) gives a delta of 0. So a rate
 * is never negative and never near 2^64.
 */
#ifndef COL_RATE_H
#define COL_RATE_H

#include <stddef.h>
#include <stdint.h>

#include "collect/col_parse.h"

enum col_delta_kind {
    COL_DELTA_OK = 0,    /* every counter moved forward */
    COL_DELTA_WRAP = 1,  /* at least one counter wrapped */
    COL_DELTA_REREG = 2, /* the device restarted its counters */
    COL_DELTA_GLITCH = 3 /* a counter stepped back without a reason: clamped to 0 */
};

/* delta[i] = new[i] - old[i] for n sibling counters, with the rules above. */
enum col_delta_kind col_counter_deltas(const uint64_t *old, const uint64_t *cur, size_t n,
                                       uint64_t *delta);

/* CPU shares in percent of the interval's jiffies; NaN when no jiffies passed. */
struct col_cpu_pct {
    double busy;   /* everything but idle and iowait: steal counts as demand */
    double user;   /* user + nice - guest - guest_nice (sar's %user + %nice) */
    double system; /* system + irq + softirq */
    double iowait, steal, idle;
    double guest; /* guest + guest_nice (inside user time already) */
};
/* Shares between two readings of one CPU line (or the aggregate). Backward steps
 * of single fields count as 0 (tickless iowait, a CPU brought back online). */
void col_cpu_pcts(const uint64_t *old, const uint64_t *cur, struct col_cpu_pct *out);

/* iostat's extended figures for one disk from counter deltas over dt_s seconds:
 * r/s, w/s, rkB/s = sectors/2, await = (rd+wr+discard ticks)/(rd+wr+discard ios),
 * %util = io_ticks ms / interval ms * 100 (sysstat 12 compute_ext_disk_stats). */
struct col_disk_rate {
    double read_iops, write_iops, read_KiBps, write_KiBps;
    double await_ms; /* 0 when no I/O completed, as iostat prints */
    double util_pct;
    /* Sums kept so totals over several disks weigh await by I/O count. */
    double ios, ticks_ms;
};
void col_disk_rates(const uint64_t *delta, double dt_s, struct col_disk_rate *out);

struct col_nic_rate {
    double rx_KiBps, tx_KiBps, rx_pps, tx_pps;
    double rx_err_ps, tx_err_ps, rx_drop_ps, tx_drop_ps;
};
void col_nic_rates(const uint64_t *delta, double dt_s, struct col_nic_rate *out);

/* End-of-interval time for a row. last is the previous row's time (NaN for the
 * first), wall the wall clock now, mono_dt the monotonic interval. A wall clock that
 * stepped (|wall - (last + mono_dt)| > 1 s + 1% of mono_dt) sets *step_s to the step
 * (0 otherwise); a backward step never makes rows go back in time: the row gets
 * last + mono_dt instead. */
double col_row_time(double last, double wall, double mono_dt, double *step_s);

/* Absolute deadlines: the k-th is start_ns + k * interval_ns. Returns the first k
 * whose deadline lies strictly after now_ns (and at least k_min), so a missed
 * interval is skipped rather than run late twice; no drift accumulates. */
uint64_t col_next_tick(int64_t start_ns, int64_t interval_ns, int64_t now_ns, uint64_t k_min);

#endif
