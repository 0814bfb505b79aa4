/* collect: pure parsers and rate arithmetic (no files, no clock). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "collect/col_inventory.h"
#include "collect/col_parse.h"
#include "collect/col_rate.h"

static void
test_proc_stat(void **state)
{
    (void)state;
    struct col_proc_stat ps = {0};
    const char *b = "cpu  10 1 20 300 4 5 6 7 8 0\n"
                    "cpu0 5 1 10 150 2 3 3 4 4 0\n"
                    "cpu2 5 0 10 150 2 2 3 3 4 0\n"
                    "intr 1 2 3\nctxt 99\nbtime 1700000000\n";
    assert_int_equal(col_parse_proc_stat(b, &ps), 0);
    assert_int_equal(ps.ncpu, 2);
    assert_int_equal(ps.cpu[1].cpu, 2); /* cpu1 offline: numbers are kept, not reindexed */
    assert_true(ps.all.t[COL_T_STEAL] == 7);
    assert_true(ps.cpu[0].t[COL_T_IDLE] == 150);
    assert_true(col_parse_btime(b) == 1700000000.0);
    /* A 2.4-era line with 4 fields still parses; later fields read as 0. */
    assert_int_equal(col_parse_proc_stat("cpu  1 2 3 4\n", &ps), 0);
    assert_true(ps.all.t[COL_T_IOWAIT] == 0 && ps.all.t[COL_T_IDLE] == 4);
    assert_int_equal(col_parse_proc_stat("garbage\n\x01\x02", &ps), -22);
    assert_int_equal(col_parse_proc_stat("", &ps), -22);
    col_proc_stat_fini(&ps);
}

static void
test_meminfo(void **state)
{
    (void)state;
    struct col_meminfo m;
    assert_int_equal(col_parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\n"
                                       "Buffers: 50 kB\nCached: 200 kB\nSwapTotal: 0 kB\n",
                                       &m),
                     0);
    assert_true(col_mem_used_KiB(&m) == 400);
    assert_true(isnan(m.swap_free_KiB));
    /* Before kernel 3.14 there is no MemAvailable: total - free - buffers - cached. */
    col_parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\n", &m);
    assert_true(col_mem_used_KiB(&m) == 650);
    assert_int_equal(col_parse_meminfo("Nothing: 1\n", &m), -22);
}

static void
test_diskstats(void **state)
{
    (void)state;
    struct col_diskstats ds = {0};
    const char *b = "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n" /* 2.6: 11 fields */
                    "   8       1 sda1 1 2 3 4\n"                /* old partition */
                    " 259       0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
                    "   8 16 sdb 1 2\n"; /* truncated */
    assert_int_equal(col_parse_diskstats(b, &ds), 0);
    assert_int_equal(ds.n, 2);
    assert_string_equal(ds.d[0].name, "sda");
    assert_true(ds.d[0].c[COL_D_IO_TICKS] == 10 && ds.d[0].c[COL_D_TQ_TICKS] == 11);
    assert_true(ds.d[0].c[COL_D_DC_IOS] == 0);
    assert_true(ds.d[1].c[COL_D_WR_TICKS] == 8); /* in_flight (9) skipped */
    assert_true(ds.d[1].c[COL_D_DC_TICKS] == 15 && ds.d[1].c[COL_D_FL_TICKS] == 17);
    assert_int_equal(ds.d[1].major, 259);
    col_diskstats_fini(&ds);
}

static void
test_net_dev(void **state)
{
    (void)state;
    struct col_netdev nd = {0};
    const char *b = "Inter-|   Receive |  Transmit\n face |bytes packets\n"
                    "    lo:    3267      29    0    0    0     0          0         0     "
                    "3267      29    0    0    0     0       0          0\n"
                    "eth0:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
                    "bad: 1 2\n";
    assert_int_equal(col_parse_net_dev(b, &nd), 0);
    assert_int_equal(nd.n, 2);
    assert_string_equal(nd.d[1].name, "eth0"); /* no space after the colon: still parsed */
    assert_true(nd.d[1].c[COL_N_RX_DROP] == 4 && nd.d[1].c[COL_N_TX_BYTES] == 9);
    assert_true(nd.d[1].c[COL_N_TX_DROP] == 12);
    col_netdev_fini(&nd);
}

/* A model name without a digit gets the x86 family and model numbers, so that the CPU
 * rating table can tell EPYC generations apart; names with a number stay as they are. */
static void
test_cpu_model_name(void **state)
{
    (void)state;
    struct col_cpuinfo ci;
    char name[128];
    col_parse_cpuinfo("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\n"
                      "model\t\t: 2\nmodel name\t: AMD EPYC\nstepping\t: 1\n",
                      &ci);
    assert_int_equal(ci.family, 26);
    assert_int_equal(ci.model_no, 2);
    col_cpu_model_name(&ci, name, sizeof name);
    assert_string_equal(name, "AMD EPYC (family 26 model 2)");
    col_parse_cpuinfo("processor: 0\ncpu family: 6\nmodel: 106\n"
                      "model name: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\n",
                      &ci);
    col_cpu_model_name(&ci, name, sizeof name);
    assert_string_equal(name, "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz");
    /* No family line (arm64, a fake tree): the bare name stays bare. */
    col_parse_cpuinfo("processor: 0\nmodel name: AMD EPYC\n", &ci);
    col_cpu_model_name(&ci, name, sizeof name);
    assert_string_equal(name, "AMD EPYC");
    /* Garbage numbers are unknown, not 0. */
    col_parse_cpuinfo("processor: 0\ncpu family: -3\nmodel: 1e9\nmodel name: X\n", &ci);
    assert_int_equal(ci.family, -1);
    assert_int_equal(ci.model_no, -1);
}

static void
test_cpuinfo_os_cpulist(void **state)
{
    (void)state;
    struct col_cpuinfo ci;
    assert_int_equal(col_parse_cpuinfo("processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: "
                                       "2596.098\nflags\t\t: fpu hypervisor lahf_lm\n\n"
                                       "processor\t: 1\nflags\t\t: fpu hypervisorx\n",
                                       &ci),
                     0);
    assert_int_equal(ci.nproc, 2);
    assert_string_equal(ci.model, "AMD EPYC");
    assert_true(ci.mhz == 2596.098);
    assert_int_equal(ci.hypervisor_flag, 1);
    assert_int_equal(ci.family, -1); /* absent: not 0 */
    col_parse_cpuinfo("processor: 0\nflags: fpu hypervisorx\n", &ci);
    assert_int_equal(ci.hypervisor_flag, 0); /* whole word only */
    char os[64];
    col_parse_os_release("NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n", os, sizeof os);
    assert_string_equal(os, "Debian GNU/Linux 12");
    col_parse_os_release("PRETTY_NAME='Alpine Linux v3.19'\nNAME=x\n", os, sizeof os);
    assert_string_equal(os, "Alpine Linux v3.19");
    assert_int_equal(col_parse_cpulist("0-3,8,10-11\n"), 7);
    assert_int_equal(col_parse_cpulist("3-1"), -22);
    assert_true(col_parse_uptime("1234.56 999.0\n") == 1234.56);
    assert_true(isnan(col_parse_uptime("x")));
}

static void
test_deltas_wrap_rereg(void **state)
{
    (void)state;
    uint64_t d[3];
    /* forward */
    uint64_t a[3] = {10, 20, 30}, b[3] = {15, 20, 40};
    assert_int_equal(col_counter_deltas(a, b, 3, d), COL_DELTA_OK);
    assert_true(d[0] == 5 && d[1] == 0 && d[2] == 10);
    /* 32-bit wrap: old in the upper half, a sibling rose */
    uint64_t w0[2] = {4294967000u, 100}, w1[2] = {704, 200};
    assert_int_equal(col_counter_deltas(w0, w1, 2, d), COL_DELTA_WRAP);
    assert_true(d[0] == 1000 && d[1] == 100);
    /* 64-bit wrap */
    uint64_t x0[2] = {UINT64_MAX - 9, 1}, x1[2] = {10, 2};
    assert_int_equal(col_counter_deltas(x0, x1, 2, d), COL_DELTA_WRAP);
    assert_true(d[0] == 20);
    /* every counter fell: re-registered, the new values are the interval's */
    uint64_t r0[2] = {500000, 900000}, r1[2] = {100, 250};
    assert_int_equal(col_counter_deltas(r0, r1, 2, d), COL_DELTA_REREG);
    assert_true(d[0] == 100 && d[1] == 250);
    /* one small counter stepped back while a sibling rose: no wrap possible, clamped */
    uint64_t g0[2] = {1000, 5}, g1[2] = {999, 9};
    assert_int_equal(col_counter_deltas(g0, g1, 2, d), COL_DELTA_GLITCH);
    assert_true(d[0] == 0 && d[1] == 4);
    /* never a huge delta: old in the lower half of 32 bits cannot have wrapped */
    uint64_t h0[2] = {2000000000u, 1}, h1[2] = {5, 2};
    col_counter_deltas(h0, h1, 2, d);
    assert_true(d[0] == 0);
}

static void
test_cpu_pcts(void **state)
{
    (void)state;
    uint64_t a[COL_T_N] = {0}, b[COL_T_N] = {0};
    /* user 500 (guest 100 inside), system 100, idle 300, iowait 50, steal 50 */
    b[COL_T_USER] = 500;
    b[COL_T_GUEST] = 100;
    b[COL_T_SYSTEM] = 100;
    b[COL_T_IDLE] = 300;
    b[COL_T_IOWAIT] = 50;
    b[COL_T_STEAL] = 50;
    struct col_cpu_pct p;
    col_cpu_pcts(a, b, &p);
    assert_true(p.busy == 65.0); /* 650 of 1000: steal counts, iowait does not */
    assert_true(p.user == 40.0 && p.guest == 10.0 && p.steal == 5.0 && p.iowait == 5.0);
    /* iowait going backwards (tickless kernels) is 0, not negative */
    a[COL_T_IOWAIT] = 100;
    col_cpu_pcts(a, b, &p);
    assert_true(p.iowait == 0 && p.busy >= 0 && p.busy <= 100);
    /* no jiffies: unknown */
    col_cpu_pcts(b, b, &p);
    assert_true(isnan(p.busy));
}

static void
test_disk_nic_rates(void **state)
{
    (void)state;
    uint64_t d[COL_D_N] = {0};
    d[COL_D_RD_IOS] = 1000;
    d[COL_D_RD_SECT] = 81920;
    d[COL_D_RD_TICKS] = 5000;
    d[COL_D_WR_IOS] = 500;
    d[COL_D_WR_SECT] = 20480;
    d[COL_D_WR_TICKS] = 2500;
    d[COL_D_IO_TICKS] = 6000;
    struct col_disk_rate r;
    col_disk_rates(d, 10, &r);
    assert_true(r.read_iops == 100 && r.write_iops == 50);
    assert_true(r.read_KiBps == 4096 && r.write_KiBps == 1024);
    assert_true(r.await_ms == 5 && r.util_pct == 60);
    memset(d, 0, sizeof d);
    col_disk_rates(d, 10, &r);
    assert_true(r.await_ms == 0); /* iostat prints 0 without I/O */
    uint64_t n[COL_N_N] = {10240000, 10000, 1, 2, 5120000, 5000, 3, 4};
    struct col_nic_rate nr;
    col_nic_rates(n, 10, &nr);
    assert_true(nr.rx_KiBps == 1000 && nr.tx_KiBps == 500 && nr.rx_pps == 1000);
    assert_true(nr.rx_err_ps == 0.1 && nr.tx_drop_ps == 0.4);
}

static void
test_row_time_and_deadlines(void **state)
{
    (void)state;
    double step;
    assert_true(col_row_time(NAN, 100, 10, &step) == 100 && step == 0);
    assert_true(col_row_time(100, 110.2, 10, &step) == 110.2 && step == 0);
    /* wall clock stepped back an hour: rows keep going forward, the step is reported */
    double t = col_row_time(100, 110 - 3600, 10, &step);
    assert_true(t == 110 && step == -3600);
    /* stepped forward: kept (a gap in time), reported */
    assert_true(col_row_time(100, 710, 10, &step) == 710 && step == 600);
    /* deadlines: start 0, 1 s interval */
    assert_true(col_next_tick(0, 1000000000, 500000000, 1) == 1);
    /* late by 2.5 intervals: the missed ticks are skipped, not run in a burst */
    assert_true(col_next_tick(0, 1000000000, 3500000000, 2) == 4);
    assert_true(col_next_tick(0, 1000000000, 100, 7) == 7);
    /* a week of 10 s ticks lands exactly on start + k * interval: no drift */
    int64_t iv = 10000000000;
    uint64_t k = col_next_tick(5, iv, 5 + 60480 * iv - 1, 1);
    assert_true(k == 60480 && 5 + (int64_t)k * iv == 5 + 604800000000000);
}

static void
test_hypervisor_maps(void **state)
{
    (void)state;
    assert_string_equal(col_hv_from_cpuid("KVMKVMKVM"), "kvm");
    assert_string_equal(col_hv_from_cpuid("XenVMMXenVMM"), "xen");
    assert_string_equal(col_hv_from_cpuid("Microsoft Hv"), "hyperv");
    assert_string_equal(col_hv_from_cpuid("VMwareVMware"), "vmware");
    assert_string_equal(col_hv_from_cpuid("SomethingNew"), "other");
    assert_null(col_hv_from_cpuid(""));
    assert_string_equal(col_hv_from_dmi("QEMU", "Standard PC (Q35 + ICH9, 2009)"), "kvm");
    assert_string_equal(col_hv_from_dmi("Xen", "HVM domU"), "xen");
    assert_string_equal(col_hv_from_dmi("Microsoft Corporation", "Virtual Machine"), "hyperv");
    assert_string_equal(col_hv_from_dmi("VMware, Inc.", "VMware7,1"), "vmware");
    assert_null(col_hv_from_dmi("Dell Inc.", "PowerEdge R640"));
    assert_string_equal(col_hv_from_systype("xen"), "xen");
    assert_null(col_hv_from_systype(""));
}

/* Random bytes biased towards what /proc files are made of (digits, blanks, colons,
 * newlines, names): no parser may crash, read out of bounds (ASan build) or report a
 * device with an empty name. Seeded: every run is the same. */
static void
test_parsers_random_bytes(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789 \t\n:cpuabdefhilmnorstvxyzMTkB-,.";
    uint64_t x = 0x9e3779b97f4a7c15u;
    char buf[600], os[64];
    struct col_proc_stat ps = {0};
    struct col_diskstats ds = {0};
    struct col_netdev nd = {0};
    for (int round = 0; round < 3000; round++) {
        size_t n = 0, len;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        len = (size_t)(x % (sizeof buf - 1));
        for (n = 0; n < len; n++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[n] = (x & 0xf00) == 0 ? (char)(x & 0xff) : alphabet[x % (sizeof alphabet - 1)];
            if (!buf[n])
                buf[n] = ' ';
        }
        buf[n] = '\0';
        struct col_meminfo mi;
        struct col_vmstat vm;
        struct col_cpuinfo ci;
        col_parse_proc_stat(buf, &ps);
        col_parse_meminfo(buf, &mi);
        col_parse_vmstat(buf, &vm);
        col_parse_diskstats(buf, &ds);
        col_parse_net_dev(buf, &nd);
        col_parse_cpuinfo(buf, &ci);
        col_parse_os_release(buf, os, sizeof os);
        col_parse_cpulist(buf);
        col_parse_uptime(buf);
        col_parse_btime(buf);
        for (size_t i = 0; i < ds.n; i++)
            assert_true(ds.d[i].name[0] != '\0');
        for (size_t i = 0; i < nd.n; i++)
            assert_true(nd.d[i].name[0] != '\0');
    }
    col_proc_stat_fini(&ps);
    col_diskstats_fini(&ds);
    col_netdev_fini(&nd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proc_stat),          cmocka_unit_test(test_meminfo),
        cmocka_unit_test(test_diskstats),          cmocka_unit_test(test_net_dev),
        cmocka_unit_test(test_cpuinfo_os_cpulist), cmocka_unit_test(test_cpu_model_name),
        cmocka_unit_test(test_deltas_wrap_rereg),  cmocka_unit_test(test_cpu_pcts),
        cmocka_unit_test(test_disk_nic_rates),     cmocka_unit_test(test_row_time_and_deadlines),
        cmocka_unit_test(test_hypervisor_maps),    cmocka_unit_test(test_parsers_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
