#include "collect/col_rate.h"

#include <math.h>
#include <string.h>

/* Width of a counter judged from its old value: a value that fits 32 bits is taken
 * as a 32-bit counter (drivers and old kernels export those), else 64. Returns 1 and
 * the wrapped delta when old sits in the upper half of that width. */
static int
wrap_delta(uint64_t old, uint64_t cur, uint64_t *d)
{
    if (old <= UINT32_MAX) {
        if (old < (UINT64_C(1) << 31) || cur > UINT32_MAX)
            return 0;
        *d = (UINT32_MAX - old) + cur + 1;
        return 1;
    }
    if (old < (UINT64_C(1) << 63))
        return 0;
    *d = (UINT64_MAX - old) + cur + 1;
    return 1;
}

enum col_delta_kind
col_counter_deltas(const uint64_t *old, const uint64_t *cur, size_t n, uint64_t *delta)
{
    int rose = 0, back = 0, wrapped = 0;
    for (size_t i = 0; i < n; i++) {
        rose |= cur[i] > old[i];
        back |= cur[i] < old[i];
    }
    if (!back) {
        for (size_t i = 0; i < n; i++)
            delta[i] = cur[i] - old[i];
        return COL_DELTA_OK;
    }
    if (!rose) {
        /* Nothing rose and something fell: the device restarted from zero. */
        memcpy(delta, cur, n * sizeof *delta);
        return COL_DELTA_REREG;
    }
    int glitch = 0;
    for (size_t i = 0; i < n; i++) {
        if (cur[i] >= old[i])
            delta[i] = cur[i] - old[i];
        else if (wrap_delta(old[i], cur[i], &delta[i]))
            wrapped = 1;
        else {
            delta[i] = 0;
            glitch = 1;
        }
    }
    return glitch ? COL_DELTA_GLITCH : wrapped ? COL_DELTA_WRAP : COL_DELTA_OK;
}

static double
sat(uint64_t old, uint64_t cur)
{
    return cur > old ? (double)(cur - old) : 0.0;
}

/* Fields are saturated one by one (htop's saturatingSub) rather than through
 * col_counter_deltas: CPU counters never restart as a whole, but single fields do
 * step back (iowait on NOHZ kernels, a CPU re-onlined), and 0 is the honest answer. */
void
col_cpu_pcts(const uint64_t *old, const uint64_t *cur, struct col_cpu_pct *o)
{
    double d[COL_T_N];
    for (int i = 0; i < COL_T_N; i++)
        d[i] = sat(old[i], cur[i]);
    /* guest time is already inside user (and guest_nice inside nice): not added. */
    double total = d[COL_T_USER] + d[COL_T_NICE] + d[COL_T_SYSTEM] + d[COL_T_IDLE] +
                   d[COL_T_IOWAIT] + d[COL_T_IRQ] + d[COL_T_SOFTIRQ] + d[COL_T_STEAL];
    if (total <= 0) {
        o->busy = o->user = o->system = o->iowait = o->steal = o->idle = o->guest = NAN;
        return;
    }
    double k = 100.0 / total, guest = d[COL_T_GUEST] + d[COL_T_GUEST_NICE];
    double user = d[COL_T_USER] + d[COL_T_NICE] - guest;
    o->user = (user > 0 ? user : 0) * k;
    o->system = (d[COL_T_SYSTEM] + d[COL_T_IRQ] + d[COL_T_SOFTIRQ]) * k;
    o->iowait = d[COL_T_IOWAIT] * k;
    o->steal = d[COL_T_STEAL] * k;
    o->idle = d[COL_T_IDLE] * k;
    o->guest = guest * k;
    o->busy = (total - d[COL_T_IDLE] - d[COL_T_IOWAIT]) * k;
}

void
col_disk_rates(const uint64_t *d, double dt_s, struct col_disk_rate *o)
{
    double ios = (double)d[COL_D_RD_IOS] + (double)d[COL_D_WR_IOS] + (double)d[COL_D_DC_IOS];
    double ticks =
        (double)d[COL_D_RD_TICKS] + (double)d[COL_D_WR_TICKS] + (double)d[COL_D_DC_TICKS];
    o->read_iops = (double)d[COL_D_RD_IOS] / dt_s;
    o->write_iops = (double)d[COL_D_WR_IOS] / dt_s;
    /* diskstats sectors are 512 bytes whatever the device's sector size. */
    o->read_KiBps = (double)d[COL_D_RD_SECT] / 2.0 / dt_s;
    o->write_KiBps = (double)d[COL_D_WR_SECT] / 2.0 / dt_s;
    o->await_ms = ios > 0 ? ticks / ios : 0.0;
    o->util_pct = (double)d[COL_D_IO_TICKS] / (dt_s * 1000.0) * 100.0;
    o->ios = ios;
    o->ticks_ms = ticks;
}

void
col_nic_rates(const uint64_t *d, double dt_s, struct col_nic_rate *o)
{
    o->rx_KiBps = (double)d[COL_N_RX_BYTES] / 1024.0 / dt_s;
    o->tx_KiBps = (double)d[COL_N_TX_BYTES] / 1024.0 / dt_s;
    o->rx_pps = (double)d[COL_N_RX_PACKETS] / dt_s;
    o->tx_pps = (double)d[COL_N_TX_PACKETS] / dt_s;
    o->rx_err_ps = (double)d[COL_N_RX_ERRS] / dt_s;
    o->tx_err_ps = (double)d[COL_N_TX_ERRS] / dt_s;
    o->rx_drop_ps = (double)d[COL_N_RX_DROP] / dt_s;
    o->tx_drop_ps = (double)d[COL_N_TX_DROP] / dt_s;
}

double
col_row_time(double last, double wall, double mono_dt, double *step_s)
{
    *step_s = 0;
    if (isnan(last))
        return wall;
    double expect = last + mono_dt, step = wall - expect;
    if (fabs(step) > 1.0 + 0.01 * mono_dt)
        *step_s = step;
    return wall > last ? wall : expect;
}

uint64_t
col_next_tick(int64_t start_ns, int64_t interval_ns, int64_t now_ns, uint64_t k_min)
{
    if (now_ns < start_ns)
        return k_min;
    uint64_t k = (uint64_t)((now_ns - start_ns) / interval_ns) + 1;
    return k > k_min ? k : k_min;
}
