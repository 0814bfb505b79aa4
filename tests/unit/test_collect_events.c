/* collect: devices and CPUs coming and going, built as temporary trees: a NIC link
 * going down and up, a NIC and a disk appearing, a CPU going offline and back, and a
 * source file disappearing. Each is an event in the snapshot, never an error. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "collect/col_sampler.h"
#include "tests/unit/test_util.h"

static void
mkdirs(const char *dir, const char *rel)
{
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", dir, rel);
    assert_int_equal(system(cmd), 0);
}

/* Tree k (0, 1, 2) of the scenario; counters grow by 100 jiffies per CPU per step. */
static void
write_tree(const char *d, int k)
{
    char b[2048];
    static const char *const dirs[] = {"proc/net", "sys/class/net/eth0", "sys/class/net/eth1",
                                       "sys/block/sda", "sys/block/sdb"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        mkdirs(d, dirs[i]);
    snprintf(b, sizeof b, "%d.0 0.0\n", 100 + 10 * k);
    tu_write(d, "proc/uptime", b);
    tu_write(d, "proc/meminfo", "MemTotal: 1024 kB\nMemAvailable: 512 kB\n");
    /* cpu1 is offline in tree 1 */
    int u = 1000 + 50 * k, i = 1000 + 50 * k;
    snprintf(b, sizeof b, "cpu  %d 0 0 %d 0 0 0 0 0 0\ncpu0 %d 0 0 %d 0 0 0 0 0 0\n%s", 2 * u,
             2 * i, u, i, k == 1 ? "" : "");
    if (k != 1) {
        size_t n = strlen(b);
        snprintf(b + n, sizeof b - n, "cpu1 %d 0 0 %d 0 0 0 0 0 0\n", u, i);
    }
    tu_write(d, "proc/stat", b);
    snprintf(b, sizeof b, "8 0 sda %d 0 %d 0 0 0 0 0 0 0 0\n%s", 10 * k, 80 * k,
             k == 2 ? "8 16 sdb 5 0 40 0 0 0 0 0 0 0 0\n" : "");
    tu_write(d, "proc/diskstats", b);
    snprintf(b, sizeof b, "h\nh\n eth0: %d 10 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n%s", 1024 * 10 * k,
             k >= 1 ? " eth1: 2048 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" : "");
    tu_write(d, "proc/net/dev", b);
    tu_write(d, "sys/class/net/eth0/operstate", k == 1 ? "down\n" : "up\n");
    tu_write(d, "sys/class/net/eth1/operstate", "up\n");
}

static void
test_devices_come_and_go(void **state)
{
    (void)state;
    char *d[3], seq[3 * 64];
    seq[0] = '\0';
    for (int k = 0; k < 3; k++) {
        d[k] = tu_tmpdir();
        write_tree(d[k], k);
        snprintf(seq + strlen(seq), sizeof seq - strlen(seq), "%s%s", k ? "," : "", d[k]);
    }
    struct col_opts o = {.root = seq, .root_seq = 1};
    struct col_sampler *s;
    struct col_snapshot snap;
    struct ks_err err = {0};
    assert_int_equal(col_sampler_new(&o, &s, &err), 0);
    col_snapshot_init(&snap);
    assert_int_equal(col_sampler_sample(s, &snap, &err), 0);
    assert_int_equal(col_sampler_sample(s, &snap, &err), 0);
    assert_string_equal(snap.events, "cpu_offline:1;nic_down:eth0;nic_new:eth1");
    assert_true(snap.x[COL_X_CPU_ONLINE] == 1);
    assert_true(snap.m[KS_NET_RX_KIBPS] == 0); /* eth0 down, eth1 only just seen */
    assert_true(snap.m[KS_DISK_READ_IOPS] == 1);
    assert_int_equal(col_sampler_sample(s, &snap, &err), 0);
    assert_string_equal(snap.events, "cpu_online:1;disk_new:sdb;nic_up:eth0");
    assert_true(snap.x[COL_X_CPU_ONLINE] == 2);
    assert_true(snap.m[KS_NET_RX_KIBPS] == 1); /* eth0 10 KiB over 10 s, eth1 flat */
    assert_true(snap.cpu[1].online == 1 && snap.cpu[1].pct.busy == 50);
    /* a source file vanishing: an event, fields unknown, the others still measured */
    col_sampler_free(s);
    char p[4200];
    snprintf(p, sizeof p, "%s/proc/diskstats", d[2]);
    o.root = d[2];
    o.root_seq = 0;
    assert_int_equal(col_sampler_new(&o, &s, &err), 0);
    col_sampler_sample(s, &snap, &err);
    unlink(p);
    assert_int_equal(col_sampler_sample(s, &snap, &err), 0);
    assert_int_equal(snap.baseline, 1); /* the tree's clock did not move: no rates */
    assert_non_null(strstr(snap.events, "disk_error"));
    col_sampler_free(s);
    col_snapshot_fini(&snap);
    for (int k = 0; k < 3; k++) {
        tu_rmrf(d[k]);
        free(d[k]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_devices_come_and_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
