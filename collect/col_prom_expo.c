#include "collect/col_prom_expo.h"

#include <math.h>

#include "core/ks_util.h"

/* The scales turn kasane's display units into Prometheus base units: percent -> ratio,
 * MHz -> hertz, MiB/KiB (1024-based, design.md) -> bytes, ms -> seconds. */
const struct col_prom_metric col_prom_metrics[KS_NMETRIC] = {
    [KS_CPU_PCT] = {"kasane_cpu_busy_ratio",
                    "Busy share of all logical CPUs (all but idle and iowait; steal counts), 0-1.",
                    1, 100, "kasane_cpu_busy_seconds_total"},
    [KS_CPU_MHZ] = {"kasane_cpu_busy_hertz",
                    "Busy CPU capacity: busy share times logical CPUs times clock, in hertz.", 1e6,
                    1, "kasane_cpu_busy_cycles_total"},
    [KS_CPU_STEAL_PCT] = {"kasane_cpu_steal_ratio",
                          "Share of all logical CPUs stolen by the hypervisor, 0-1.", 1, 100,
                          "kasane_cpu_steal_seconds_total"},
    [KS_MEM_USED_MIB] = {"kasane_memory_used_bytes", "Memory in use (total minus available).",
                         1048576, 1, NULL},
    [KS_MEM_TOTAL_MIB] = {"kasane_memory_total_bytes", "Memory installed and usable.", 1048576, 1,
                          NULL},
    [KS_DISK_READ_KIBPS] = {"kasane_disk_read_bytes_per_second",
                            "Bytes read per second, all whole disks.", 1024, 1,
                            "kasane_disk_read_bytes_total"},
    [KS_DISK_WRITE_KIBPS] = {"kasane_disk_written_bytes_per_second",
                             "Bytes written per second, all whole disks.", 1024, 1,
                             "kasane_disk_written_bytes_total"},
    [KS_DISK_READ_IOPS] = {"kasane_disk_reads_completed_per_second",
                           "Reads completed per second, all whole disks.", 1, 1,
                           "kasane_disk_reads_completed_total"},
    [KS_DISK_WRITE_IOPS] = {"kasane_disk_writes_completed_per_second",
                            "Writes completed per second, all whole disks.", 1, 1,
                            "kasane_disk_writes_completed_total"},
    [KS_DISK_AWAIT_MS] = {"kasane_disk_await_seconds",
                          "Mean time an I/O took (queue plus service), seconds.", 1, 1000, NULL},
    [KS_DISK_UTIL_PCT] = {"kasane_disk_busy_ratio",
                          "Share of time the busiest disk had I/O in flight, 0-1.", 1, 100,
                          "kasane_disk_busy_seconds_total"},
    [KS_NET_RX_KIBPS] = {"kasane_network_receive_bytes_per_second",
                         "Bytes received per second, all NICs but loopback.", 1024, 1,
                         "kasane_network_receive_bytes_total"},
    [KS_NET_TX_KIBPS] = {"kasane_network_transmit_bytes_per_second",
                         "Bytes sent per second, all NICs but loopback.", 1024, 1,
                         "kasane_network_transmit_bytes_total"},
    [KS_NET_RX_PPS] = {"kasane_network_receive_packets_per_second",
                       "Packets received per second, all NICs but loopback.", 1, 1,
                       "kasane_network_receive_packets_total"},
    [KS_NET_TX_PPS] = {"kasane_network_transmit_packets_per_second",
                       "Packets sent per second, all NICs but loopback.", 1, 1,
                       "kasane_network_transmit_packets_total"},
    [KS_IPC] = {"kasane_cpu_instructions_per_cycle",
                "Instructions retired per CPU cycle (hardware counters).", 1, 1, NULL},
};

void
col_prom_put_label(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '\\')
            fputs("\\\\", f);
        else if (*s == '"')
            fputs("\\\"", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

/* The text format spells infinities +Inf / -Inf; NaN never reaches here. */
static void
put_value(FILE *f, double v)
{
    char buf[KS_NUMBUF];
    if (isinf(v))
        fputs(v > 0 ? "+Inf" : "-Inf", f);
    else
        fputs(ks_fmt_double(buf, v), f);
}

static void
put_sample(FILE *f, const char *name, const struct col_prom_entity *e, double v)
{
    fputs(name, f);
    fputs("{entity=", f);
    col_prom_put_label(f, e->entity);
    fputs(",kind=", f);
    col_prom_put_label(f, e->kind);
    fputs("} ", f);
    put_value(f, v);
    fputc('\n', f);
}

/* HELP and TYPE lines of one gauge family, written only when some entity has a value
 * (a family with no sample would only make Prometheus store nothing). */
static void
put_family(FILE *f, const char *name, const char *help, const struct col_prom_entity *e, size_t n,
           int m, double mul, double div)
{
    size_t have = 0;
    for (size_t i = 0; i < n; i++)
        have += m < 0 ? !isnan(e[i].time_s) : !isnan(e[i].m[m]);
    if (!have)
        return;
    fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
    for (size_t i = 0; i < n; i++) {
        double v = m < 0 ? e[i].time_s : e[i].m[m];
        if (!isnan(v))
            put_sample(f, name, &e[i], v * mul / div);
    }
}

/* The counter family of metric m: HELP, TYPE counter and one line per entity counted. */
static void
put_counter(FILE *f, const struct col_prom_entity *e, size_t n, int m)
{
    const struct col_prom_metric *pm = &col_prom_metrics[m];
    size_t have = 0;
    for (size_t i = 0; i < n; i++)
        have += e[i].counted[m];
    if (!pm->counter || !have)
        return;
    fprintf(f,
            "# HELP %s Sum over the intervals since the collector started of %s times the "
            "interval (rate() gives the gauge back).\n# TYPE %s counter\n",
            pm->counter, pm->name, pm->counter);
    for (size_t i = 0; i < n; i++)
        if (e[i].counted[m])
            put_sample(f, pm->counter, &e[i], e[i].total[m] * pm->mul / pm->div);
}

void
col_prom_accumulate(struct col_prom_entity *e, double interval_s)
{
    if (!(interval_s > 0) || !isfinite(interval_s))
        return;
    for (int m = 0; m < KS_NMETRIC; m++)
        if (col_prom_metrics[m].counter && isfinite(e->m[m])) {
            e->total[m] += e->m[m] * interval_s;
            e->counted[m] = 1;
        }
}

void
col_prom_render_build_info(FILE *f)
{
    fprintf(f,
            "# HELP %s The kasane version serving these metrics.\n# TYPE %s gauge\n"
            "%s{version=",
            COL_PROM_BUILD_INFO, COL_PROM_BUILD_INFO, COL_PROM_BUILD_INFO);
    col_prom_put_label(f, KASANE_VERSION);
    fputs("} 1\n", f);
}

void
col_prom_render(FILE *f, const struct col_prom_entity *e, size_t n)
{
    for (int m = 0; m < KS_NMETRIC; m++)
        put_family(f, col_prom_metrics[m].name, col_prom_metrics[m].help, e, n, m,
                   col_prom_metrics[m].mul, col_prom_metrics[m].div);
    for (int m = 0; m < KS_NMETRIC; m++)
        put_counter(f, e, n, m);
    put_family(f, COL_PROM_TIME_METRIC, "End time of the entity's latest sample, UNIX seconds.", e,
               n, -1, 1, 1);
}
