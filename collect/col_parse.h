/*
 * col_parse: pure parsers for the /proc files the sources read (style.md rule 10).
 *
 * Each takes a NUL-terminated buffer and fills a plain struct; none does I/O, so unit
 * tests and fuzzers feed them any bytes. Counters are kept as uint64_t arrays indexed
 * by enums, so one delta routine (col_rate.h) serves CPUs, disks and NICs. Unknown
 * lines are skipped; a line too short to hold the fields kasane needs is skipped too
 * (a truncated file yields fewer devices, never garbage). Return values: 0, or
 * -EINVAL when the buffer holds nothing recognizable.
 */
#ifndef COL_PARSE_H
#define COL_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* /proc/stat "cpu" line fields, in the kernel's order (jiffies). guest and
 * guest_nice are already included in user and nice. */
enum col_cpu_field {
    COL_T_USER,
    COL_T_NICE,
    COL_T_SYSTEM,
    COL_T_IDLE,
    COL_T_IOWAIT,
    COL_T_IRQ,
    COL_T_SOFTIRQ,
    COL_T_STEAL,
    COL_T_GUEST,
    COL_T_GUEST_NICE,
    COL_T_N
};

struct col_cpu_line {
    int cpu;             /* -1 for the aggregate "cpu" line */
    uint64_t t[COL_T_N]; /* missing trailing fields (old kernels) are 0 */
};

struct col_proc_stat {
    struct col_cpu_line all;  /* the aggregate line */
    struct col_cpu_line *cpu; /* per online CPU, in file order, owned */
    size_t ncpu, cap;
};
int col_parse_proc_stat(const char *buf, struct col_proc_stat *out);
void col_proc_stat_fini(struct col_proc_stat *ps);

/* /proc/meminfo, in KiB; NaN when the line is absent. */
struct col_meminfo {
    double total_KiB, free_KiB, avail_KiB, buffers_KiB, cached_KiB, sreclaim_KiB;
    double swap_total_KiB, swap_free_KiB;
};
int col_parse_meminfo(const char *buf, struct col_meminfo *out);
/* Used memory: MemTotal - MemAvailable, or, on kernels without MemAvailable (< 3.14),
 * MemTotal - MemFree - Buffers - Cached. NaN when unknown. */
double col_mem_used_KiB(const struct col_meminfo *m);

/* /proc/vmstat page-in and page-out counters (KiB: the kernel divides sectors by 2). */
enum col_vm_field { COL_VM_PGPGIN, COL_VM_PGPGOUT, COL_VM_N };
struct col_vmstat {
    uint64_t c[COL_VM_N];
    int have; /* bit i set when counter i was found */
};
int col_parse_vmstat(const char *buf, struct col_vmstat *out);

/* /proc/diskstats counters after the name (in_flight, a gauge, is left out). Lines
 * with 4 counters (old 2.6 partitions) are skipped; discard fields (kernel 4.18) and
 * flush fields (5.5) are 0 when absent. */
enum col_disk_field {
    COL_D_RD_IOS,
    COL_D_RD_MERGES,
    COL_D_RD_SECT,
    COL_D_RD_TICKS,
    COL_D_WR_IOS,
    COL_D_WR_MERGES,
    COL_D_WR_SECT,
    COL_D_WR_TICKS,
    COL_D_IO_TICKS,
    COL_D_TQ_TICKS,
    COL_D_DC_IOS,
    COL_D_DC_MERGES,
    COL_D_DC_SECT,
    COL_D_DC_TICKS,
    COL_D_FL_IOS,
    COL_D_FL_TICKS,
    COL_D_N
};
#define COL_NAME_MAX 48
struct col_disk_line {
    char name[COL_NAME_MAX];
    unsigned major, minor;
    uint64_t c[COL_D_N];
};
struct col_diskstats {
    struct col_disk_line *d; /* owned */
    size_t n, cap;
};
int col_parse_diskstats(const char *buf, struct col_diskstats *out);
void col_diskstats_fini(struct col_diskstats *ds);

/* /proc/net/dev counters kasane uses. */
enum col_nic_field {
    COL_N_RX_BYTES,
    COL_N_RX_PACKETS,
    COL_N_RX_ERRS,
    COL_N_RX_DROP,
    COL_N_TX_BYTES,
    COL_N_TX_PACKETS,
    COL_N_TX_ERRS,
    COL_N_TX_DROP,
    COL_N_N
};
struct col_nic_line {
    char name[COL_NAME_MAX];
    uint64_t c[COL_N_N];
};
struct col_netdev {
    struct col_nic_line *d; /* owned */
    size_t n, cap;
};
int col_parse_net_dev(const char *buf, struct col_netdev *out);
void col_netdev_fini(struct col_netdev *nd);

/* /proc/cpuinfo: first "model name" (or "Processor"/"cpu model" on other
 * architectures), first "cpu MHz", the x86 "hypervisor" flag, processor count, and
 * the x86 "cpu family" and "model" numbers (which tell generations apart when the
 * model name does not: a VM may see just "AMD EPYC"). */
struct col_cpuinfo {
    char model[128]; /* empty when unknown */
    double mhz;      /* NaN when unknown */
    int hypervisor_flag;
    int nproc;
    int family, model_no; /* decimal, as cpuinfo prints them; -1 when absent */
};
int col_parse_cpuinfo(const char *buf, struct col_cpuinfo *out);

/* /etc/os-release: PRETTY_NAME, else NAME + VERSION_ID, unquoted; "" if neither. */
void col_parse_os_release(const char *buf, char *out, size_t cap);

/* A CPU list ("0-3,8,10-11", sysfs format): number of CPUs in it, or -EINVAL. */
int col_parse_cpulist(const char *buf);

/* "btime N" of /proc/stat: boot time in UNIX seconds, or NaN. */
double col_parse_btime(const char *buf);

/* First number of /proc/uptime (seconds), or NaN. */
double col_parse_uptime(const char *buf);

#endif
