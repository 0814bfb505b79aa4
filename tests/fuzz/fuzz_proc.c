/* libFuzzer harness: the collector's pure /proc and /sys parsers (collect/col_parse.h).
 * The first byte selects the parser, the rest is the file's text; every parser gets a
 * NUL-terminated buffer, as the sources hand it over after reading the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "collect/col_parse.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every parsed value so an uninitialized one shows up under MSan/valgrind. */
static volatile uint64_t fz_sink;

static void
proc_stat(const char *buf)
{
    struct col_proc_stat ps = {0};
    if (col_parse_proc_stat(buf, &ps) == 0)
        for (size_t i = 0; i < ps.ncpu; i++)
            fz_sink += ps.cpu[i].t[COL_T_USER] + (uint64_t)ps.cpu[i].cpu;
    col_proc_stat_fini(&ps);
    fz_sink += (uint64_t)col_parse_btime(buf);
}

static void
diskstats(const char *buf)
{
    struct col_diskstats ds = {0};
    if (col_parse_diskstats(buf, &ds) == 0)
        for (size_t i = 0; i < ds.n; i++)
            fz_sink += ds.d[i].c[COL_D_FL_TICKS] + (uint64_t)ds.d[i].name[0];
    col_diskstats_fini(&ds);
}

static void
netdev(const char *buf)
{
    struct col_netdev nd = {0};
    if (col_parse_net_dev(buf, &nd) == 0)
        for (size_t i = 0; i < nd.n; i++)
            fz_sink += nd.d[i].c[COL_N_TX_DROP] + (uint64_t)nd.d[i].name[0];
    col_netdev_fini(&nd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *buf = fz_cstr(data + 1, size - 1);
    struct col_meminfo mi;
    struct col_vmstat vs;
    struct col_cpuinfo ci;
    char os[128];
    switch (data[0] % 8) {
    case 0:
        proc_stat(buf);
        break;
    case 1:
        if (col_parse_meminfo(buf, &mi) == 0)
            fz_sink += (uint64_t)(col_mem_used_KiB(&mi) > 0);
        break;
    case 2:
        diskstats(buf);
        break;
    case 3:
        netdev(buf);
        break;
    case 4:
        if (col_parse_vmstat(buf, &vs) == 0)
            fz_sink += vs.c[COL_VM_PGPGIN] * (uint64_t)(vs.have & 1);
        break;
    case 5:
        if (col_parse_cpuinfo(buf, &ci) == 0)
            fz_sink += (uint64_t)ci.nproc + (uint64_t)ci.model[0];
        break;
    case 6:
        col_parse_os_release(buf, os, sizeof os);
        fz_sink += (uint64_t)os[0];
        break;
    default:
        fz_sink += (uint64_t)col_parse_cpulist(buf) + (uint64_t)(col_parse_uptime(buf) > 0);
        break;
    }
    free(buf);
    return 0;
}
