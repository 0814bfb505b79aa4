/* core: CSV reading, dataset round trip, bad input, time grid. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "core/ks_merge.h"
#include "tests/unit/test_util.h"

static const char *INV = "entity,kind,hostname,cpu_model,sockets,cores,threads,core_MHz,"
                         "mem_MiB,nic_count,nic_Mbps,disk_count,hypervisor,os,notes,rack\n"
                         "web1,physical,web1,Xeon 5160,1,2,2,3000,4096,2,1000,2,none,"
                         "RHEL 5,,R12\n"
                         "db1,physical,db1,\"Xeon, quad\",2,4,8,2500,16384,2,,4,none,,"
                         "\"no PMU: hypervisor hides counters\",R13\n";

static const char *SAMPLES_HDR =
    "time,entity,interval_s,cpu_pct,cpu_MHz,cpu_steal_pct,mem_used_MiB,mem_total_MiB,"
    "disk_read_KiBps,disk_write_KiBps,disk_read_iops,disk_write_iops,disk_await_ms,"
    "disk_util_pct,net_rx_KiBps,net_tx_KiBps,net_rx_pps,net_tx_pps,ipc,site\n";

static char *
make_ds(const char *inv, const char *samples)
{
    char *d = tu_tmpdir();
    if (inv)
        tu_write(d, "inventory.csv", inv);
    if (samples)
        tu_write(d, "samples.csv", samples);
    return d;
}

static void
test_fmt_double_roundtrip(void **state)
{
    (void)state;
    char b[KS_NUMBUF];
    double vals[] = {0.1, 1.0 / 3, 1700000000.123, 2600, -5e-300, 1e300, 12.5};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        double back;
        assert_int_equal(ks_parse_double(ks_fmt_double(b, vals[i]), &back), 0);
        assert_true(back == vals[i]);
    }
    assert_string_equal(ks_fmt_double(b, 0.1), "0.1");
    assert_string_equal(ks_fmt_double(b, NAN), "");
    assert_string_equal(ks_fmt_double(b, -0.0), "0");
}

/* The fast decimal path must agree with strtod bit for bit. */
static void
test_parse_double_matches_strtod(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    char b[64];
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int ip = (int)(x % 7), fp = (int)((x >> 8) % 12);
        uint64_t a = (x >> 16) % 10000000000ull, c = (x >> 3) % 1000000000000ull;
        snprintf(b, sizeof b, "%s%.*llu.%0*llu", (x & 1) ? "-" : "", ip, (unsigned long long)(a % 10000000), fp,
                 (unsigned long long)(c % 1000000000000ull));
        double v, w = strtod(b, NULL);
        if (ks_parse_double(b, &v) == 0 && !(v == w))
            fail_msg("'%s': %.17g vs strtod %.17g", b, v, w);
    }
    const char *bad[] = {"", "-", ".", "1e", "abc", "1,5", "nan", "inf", "1.2.3", " 1"};
    double v;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(ks_parse_double(bad[i], &v), -EINVAL);
}

static void
test_roundtrip_byte_identical(void **state)
{
    (void)state;
    char samples[4096];
    snprintf(samples, sizeof samples,
             "%s"
             "1700000300,web1,300,12.5,750,,1024,4096,10,20,1,2,3.5,1.5,100,200,50,60,,A\n"
             "1700000300,db1,300,40,8000,0.5,9000,16384,,,,,,,,,,,0.9,\"B,C\"\n"
             "1700000600,web1,300,0.1,6,,1030,4096,0,0,0,0,,0,0,0,0,0,,\n",
             SAMPLES_HDR);
    char *d = make_ds(INV, samples);
    struct ks_dataset *ds = NULL;
    struct ks_err err = {0};
    assert_int_equal(ks_dataset_read(d, &ds, &err), 0);
    assert_int_equal(ks_dataset_nent(ds), 2);
    assert_int_equal(ds->s.nrows, 3);
    assert_true(isnan(ks_samples_get(&ds->s, 0, KS_CPU_STEAL_PCT)));
    assert_true(ks_samples_get(&ds->s, 1, KS_IPC) == 0.9);
    char *d2 = tu_tmpdir(), *d3 = tu_tmpdir();
    assert_int_equal(ks_dataset_write(ds, d2, &err), 0);
    struct ks_dataset *ds2 = NULL;
    assert_int_equal(ks_dataset_read(d2, &ds2, &err), 0);
    assert_int_equal(ks_dataset_write(ds2, d3, &err), 0);
    const char *files[] = {"inventory.csv", "samples.csv"};
    for (int i = 0; i < 2; i++) {
        char p2[256], p3[256];
        snprintf(p2, sizeof p2, "%s/%s", d2, files[i]);
        snprintf(p3, sizeof p3, "%s/%s", d3, files[i]);
        char *a = tu_slurp(p2, NULL), *b = tu_slurp(p3, NULL);
        assert_non_null(a);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    /* the unknown columns survived: inventory 'rack', samples 'site' with a comma */
    char p[256];
    snprintf(p, sizeof p, "%s/samples.csv", d2);
    char *txt = tu_slurp(p, NULL);
    assert_non_null(strstr(txt, ",site\n"));
    assert_non_null(strstr(txt, "\"B,C\""));
    free(txt);
    assert_string_equal(ks_inv_str(ds2, 1, "rack"), "R13");
    assert_string_equal(ks_inv_str(ds2, 1, "cpu_model"), "Xeon, quad");
    ks_dataset_free(ds);
    ks_dataset_free(ds2);
    tu_rmrf(d);
    tu_rmrf(d2);
    tu_rmrf(d3);
    free(d);
    free(d2);
    free(d3);
}

static void
test_column_order_is_free(void **state)
{
    (void)state;
    char *a = make_ds(INV, "time,entity,interval_s,cpu_MHz,mem_used_MiB\n"
                           "100,web1,300,700,1000\n200,web1,300,800,1001\n");
    char *b = make_ds(INV, "mem_used_MiB,entity,cpu_MHz,interval_s,time\n"
                           "1000,web1,700,300,100\n1001,web1,800,300,200\n");
    struct ks_dataset *da, *db;
    struct ks_err err = {0};
    assert_int_equal(ks_dataset_read(a, &da, &err), 0);
    assert_int_equal(ks_dataset_read(b, &db, &err), 0);
    assert_int_equal(da->s.nrows, db->s.nrows);
    for (size_t r = 0; r < da->s.nrows; r++) {
        assert_true(da->s.time[r] == db->s.time[r]);
        for (int m = 0; m < KS_NMETRIC; m++) {
            double x = ks_samples_get(&da->s, r, m), y = ks_samples_get(&db->s, r, m);
            assert_true((isnan(x) && isnan(y)) || x == y);
        }
    }
    ks_dataset_free(da);
    ks_dataset_free(db);
    tu_rmrf(a);
    tu_rmrf(b);
    free(a);
    free(b);
}

/* Each bad dataset must fail with a message containing the expected words. */
static void
expect_bad(const char *inv, const char *samples, const char *want)
{
    char *d = make_ds(inv, samples);
    struct ks_dataset *ds = NULL;
    struct ks_err err = {0};
    int rc = ks_dataset_read(d, &ds, &err);
    if (rc == 0 || !strstr(err.msg, want))
        fail_msg("want error containing '%s', got rc=%d '%s'", want, rc, err.msg);
    assert_null(ds);
    tu_rmrf(d);
    free(d);
}

static void
test_bad_input(void **state)
{
    (void)state;
    expect_bad(INV, "100,web1,300,1\n", "samples.csv:1: missing header");
    expect_bad(INV, "time,entity,interval_s,cpu_MHz\n100,web9,300,1\n",
               "samples.csv:2: column 2 (entity): unknown entity 'web9'");
    expect_bad(INV, "time,entity,interval_s,cpu_MHz\n100,web1,300,1\n200,web1,300,abc\n",
               "samples.csv:3: column 4 (cpu_MHz): 'abc' is not a number");
    expect_bad(INV, "time,entity,interval_s,cpu_MHz\n100,web1,300,1\n100,web1,300,2\n",
               "samples.csv:3: duplicate row for entity 'web1'");
    expect_bad(INV, "time,entity,interval_s,cpu_MHz\n200,web1,300,1\n100,db1,300,2\n",
               "samples.csv:3: time goes backwards");
    expect_bad(INV, "", "samples.csv: empty file");
    expect_bad("", NULL, "inventory.csv: empty file");
    expect_bad("entity,hostname\nweb1,web1\n", NULL, "inventory.csv:1: missing column 'kind'");
    expect_bad("entity,kind\nweb1,server\n", NULL, "inventory.csv:2: column 'kind'");
    expect_bad("entity,kind,mem_MiB\nweb1,vm,lots\n", NULL,
               "inventory.csv:2: column 'mem_MiB': 'lots' is not a number");
    expect_bad(INV, "time,entity,interval_s,cpu_MHz\n100,web1,300\n",
               "samples.csv:2: 3 fields, the header has 4");
    expect_bad(INV, "time,entity,interval_s,cpu_MHz\n100,web1,300,\"1\n", "malformed CSV");
}

static void
test_random_bytes_bounded(void **state)
{
    (void)state;
    /* 8 MB of random bytes without a newline must stop at the row limit, not load all. */
    size_t n = 8u << 20;
    char *buf = malloc(n);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        char c = (char)(x & 0xff);
        buf[i] = (c == '\n' || c == '\r' || c == '"') ? 'a' : c;
    }
    struct ks_csv_reader *r = ks_csv_open_mem(buf, n, ',', "random");
    const struct ks_csv_row *row;
    struct ks_err err = {0};
    int rc = ks_csv_next(r, &row, &err);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, "row longer than"));
    assert_true(ks_csv_offset(r) <= KS_CSV_MAX_ROW + 65536);
    ks_csv_close(r);
    free(buf);
}

/* 200 MB of random bytes as samples.csv: a clear error, and memory growth bounded by
 * the row limit, not by the file size. */
static void
test_random_file_200mb(void **state)
{
    (void)state;
    char *d = make_ds(INV, NULL);
    char p[256];
    snprintf(p, sizeof p, "%s/samples.csv", d);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    static uint64_t blk[8192];
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < 200 * 16; i++) { /* 3,200 blocks of 64 KiB */
        for (size_t j = 0; j < 8192; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            blk[j] = x;
        }
        assert_int_equal(fwrite(blk, sizeof blk, 1, f), 1);
    }
    fclose(f);
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    struct ks_dataset *ds = NULL;
    struct ks_err err = {0};
    assert_true(ks_dataset_read(d, &ds, &err) < 0);
    assert_non_null(strstr(err.msg, "samples.csv:"));
    getrusage(RUSAGE_SELF, &ru1);
    assert_true(ru1.ru_maxrss - ru0.ru_maxrss < 16 * 1024); /* KiB */
    tu_rmrf(d);
    free(d);
}

static void
test_csv_lines_and_endings(void **state)
{
    (void)state;
    const char *txt = "a,b\r\n\r\nc,\"d\ne\"\rf,g";
    struct ks_csv_reader *r = ks_csv_open_mem(txt, strlen(txt), ',', "mem");
    const struct ks_csv_row *row;
    struct ks_err err = {0};
    assert_int_equal(ks_csv_next(r, &row, &err), 1);
    assert_int_equal(row->line, 1);
    assert_string_equal(row->f[1], "b");
    assert_int_equal(ks_csv_next(r, &row, &err), 1);
    assert_string_equal(row->f[1], "d\ne");
    assert_int_equal(row->line, 4);
    assert_int_equal(ks_csv_next(r, &row, &err), 1);
    assert_string_equal(row->f[0], "f");
    assert_int_equal(row->line, 5);
    assert_int_equal(ks_csv_next(r, &row, &err), 0);
    ks_csv_close(r);
}

static void
test_grid_max_mean_pct(void **state)
{
    (void)state;
    char *d = make_ds(INV, "time,entity,interval_s,cpu_MHz\n"
                           "3600,web1,300,10\n3900,web1,300,30\n4200,web1,300,20\n"
                           "4500,web1,300,40\n4500,db1,300,5\n");
    struct ks_dataset *ds;
    struct ks_err err = {0};
    struct ks_grid g;
    assert_int_equal(ks_dataset_read(d, &ds, &err), 0);
    /* native step: windows end at 3600, 3900, ... */
    assert_int_equal(ks_grid_build(ds, 0, KS_AGG_MAX, 0, &g, &err), 0);
    assert_int_equal(g.nsteps, 4);
    assert_true(ks_grid_series(&g, KS_CPU_MHZ, 0)[1] == 30);
    assert_true(isnan(ks_grid_series(&g, KS_CPU_MHZ, 1)[0]));
    assert_true(ks_grid_series(&g, KS_CPU_MHZ, 1)[3] == 5);
    assert_null(ks_grid_series(&g, KS_MEM_USED_MIB, 0));
    ks_grid_fini(&g);
    /* 900 s windows end at 3600, 4500: (3600] and (3600,4500] */
    assert_int_equal(ks_grid_build(ds, 900, KS_AGG_MAX, 0, &g, &err), 0);
    assert_int_equal(g.nsteps, 2);
    assert_true(ks_grid_series(&g, KS_CPU_MHZ, 0)[0] == 10);
    assert_true(ks_grid_series(&g, KS_CPU_MHZ, 0)[1] == 40);
    ks_grid_fini(&g);
    assert_int_equal(ks_grid_build(ds, 900, KS_AGG_MEAN, 0, &g, &err), 0);
    assert_true(ks_grid_series(&g, KS_CPU_MHZ, 0)[1] == 30);
    ks_grid_fini(&g);
    assert_int_equal(ks_grid_build(ds, 900, KS_AGG_PCT, 50, &g, &err), 0);
    assert_true(ks_grid_series(&g, KS_CPU_MHZ, 0)[1] == 30);
    ks_grid_fini(&g);
    assert_true(ks_grid_build(ds, 60, KS_AGG_MAX, 0, &g, &err) < 0);
    /* only the metrics asked for: cpu_MHz left out, so nothing is built */
    assert_int_equal(ks_grid_build_some(ds, 0, KS_AGG_MAX, 0, 1u << KS_MEM_USED_MIB, &g, &err),
                     0);
    assert_null(ks_grid_series(&g, KS_CPU_MHZ, 0));
    ks_grid_fini(&g);
    assert_int_equal(ks_grid_build_some(ds, 0, KS_AGG_MAX, 0, 1u << KS_CPU_MHZ, &g, &err), 0);
    assert_true(ks_grid_series(&g, KS_CPU_MHZ, 0)[1] == 30);
    ks_grid_fini(&g);
    ks_dataset_free(ds);
    tu_rmrf(d);
    free(d);
}

/* Two datasets with different steps merge into one, on the coarser grid. */
static void
test_merge_two_steps(void **state)
{
    (void)state;
    char *root = tu_tmpdir(), p[512];
    snprintf(p, sizeof p, "mkdir -p %s/a %s/b", root, root);
    assert_int_equal(system(p), 0);
    snprintf(p, sizeof p, "%s/a", root);
    tu_write(p, "inventory.csv", "entity,kind\nfast,physical\n");
    tu_write(p, "samples.csv", "time,entity,interval_s,cpu_MHz,x1\n"
                               "60,fast,60,1,a\n120,fast,60,5,b\n180,fast,60,2,\n"
                               "240,fast,60,3,\n300,fast,60,4,c\n");
    snprintf(p, sizeof p, "%s/b", root);
    tu_write(p, "inventory.csv", "entity,kind,mem_MiB\nslow,vm,2048\n");
    tu_write(p, "samples.csv", "time,entity,interval_s,cpu_MHz\n300,slow,300,9\n");
    /* flows of both, columns in another order and one more in b: matched by name */
    tu_write(p, "flows.csv", "time,entity,dst,src,proto,dport,packets,bytes,vlan\n"
                             "300,slow,10.0.0.1,10.0.0.2,tcp,80,7,700,5\n");
    snprintf(p, sizeof p, "%s/a", root);
    tu_write(p, "flows.csv", "time,entity,src,dst,proto,dport,bytes,packets\n"
                             "60,fast,10.0.0.1,10.0.0.2,tcp,443,100,1\n"
                             "120,fast,10.0.0.1,10.0.0.3,udp,53,200,2\n");
    struct ks_dataset *ds;
    struct ks_err err = {0};
    char *args[] = {root};
    assert_int_equal(ks_dataset_read_many(args, 1, &ds, &err), 0);
    assert_int_equal(ks_dataset_nent(ds), 2);
    assert_int_equal(ds->s.nrows, 6);
    assert_true(ds->s.time[5] == 300);
    assert_true(ks_inv_num(ds, 1, "mem_MiB") == 2048);
    assert_int_equal(ds->s.nextra, 1);
    struct ks_grid g;
    assert_int_equal(ks_grid_build(ds, 0, KS_AGG_MAX, 0, &g, &err), 0);
    assert_true(g.step_s == 300);
    assert_int_equal(g.nsteps, 1);
    assert_true(ks_grid_series(&g, KS_CPU_MHZ, 0)[0] == 5); /* max of the 5 minutes */
    assert_true(ks_grid_series(&g, KS_CPU_MHZ, 1)[0] == 9);
    ks_grid_fini(&g);
    assert_int_equal(ds->flows.nrows, 3);
    assert_int_equal(ds->flows.ncols, 9);
    assert_string_equal(ks_table_str(&ds->flows, 2, "entity"), "slow");
    assert_string_equal(ks_table_str(&ds->flows, 2, "src"), "10.0.0.2");
    assert_true(ks_table_num(&ds->flows, 2, "bytes") == 700);
    assert_true(ks_table_num(&ds->flows, 2, "vlan") == 5);
    assert_null(ks_table_str(&ds->flows, 0, "vlan")); /* a has no such column */
    assert_true(ks_table_num(&ds->flows, 1, "bytes") == 200);
    ks_dataset_free(ds);
    /* the same entity in both: a clash naming both directories */
    snprintf(p, sizeof p, "%s/b", root);
    tu_write(p, "inventory.csv", "entity,kind\nfast,vm\nslow,vm\n");
    assert_true(ks_dataset_read_many(args, 1, &ds, &err) < 0);
    assert_non_null(strstr(err.msg, "entity 'fast' is in both"));
    tu_rmrf(root);
    free(root);
}

/* A write error (file size limit: EFBIG, as ENOSPC would) leaves the previous file
 * untouched and no temporary file behind. */
static void
test_write_error_keeps_old_file(void **state)
{
    (void)state;
    char *d = tu_tmpdir(), p[512];
    snprintf(p, sizeof p, "%s/t.csv", d);
    tu_write(d, "t.csv", "a,b\n1,2\n");
    struct ks_table t;
    const char *cols[] = {"a", "b"};
    ks_table_init(&t, cols, 2);
    for (int i = 0; i < 20000; i++) {
        size_t r = ks_table_add_row(&t);
        ks_table_set_num(&t, r, 0, i);
        ks_table_set(&t, r, 1, "some text that takes room");
    }
    struct rlimit old, lim = {.rlim_cur = 8192, .rlim_max = RLIM_INFINITY};
    getrlimit(RLIMIT_FSIZE, &old);
    lim.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    struct ks_err err = {0};
    int rc = ks_table_write(&t, p, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, "cannot write"));
    char *txt = tu_slurp(p, NULL);
    assert_string_equal(txt, "a,b\n1,2\n");
    free(txt);
    snprintf(p, sizeof p, "ls %s | grep -q tmp", d);
    assert_int_not_equal(system(p), 0);
    ks_table_fini(&t);
    tu_rmrf(d);
    free(d);
}

/* Paths the user typed with trailing slashes join without a doubled one. */
static void
test_path_join(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"room", "inventory.csv", "room/inventory.csv"},
        {"room/", "inventory.csv", "room/inventory.csv"},
        {"room///", "x", "room/x"},
        {"/", "x", "/x"},
        {"//", "x", "/x"},
        {"", "x", "x"},
        {"a//b/", "c", "a//b/c"}, /* only trailing slashes are the joint's business */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = ks_path_join(cases[i][0], cases[i][1]);
        assert_string_equal(p, cases[i][2]);
        free(p);
    }
}

static void
test_percentile(void **state)
{
    (void)state;
    double v[] = {5, 1, NAN, 3, 2, 4};
    assert_true(ks_percentile(v, 6, 50) == 3);
    double w[] = {1, 2, 3, 4, 5};
    assert_true(fabs(ks_percentile(w, 5, 95) - 4.8) < 1e-12);
}

/* Flow endpoints: every address of `ips`, the hostname, and the entity name, which wins
 * over another entity's hostname whatever their order. */
static void
test_addr_map(void **state)
{
    (void)state;
    struct ks_dataset *ds = ks_dataset_new();
    size_t a = ks_dataset_add_entity(ds, "alpha", "physical");
    size_t b = ks_dataset_add_entity(ds, "beta", "vm");
    ks_inv_set(ds, a, "ips", "10.0.0.1 fe80::1  192.168.0.7");
    ks_inv_set(ds, a, "hostname", "beta");
    ks_inv_set(ds, b, "hostname", "beta.example");
    struct ks_map m;
    ks_dataset_addr_map(ds, &m);
    uint32_t e = 99;
    assert_true(ks_map_get(&m, "10.0.0.1", &e) && e == a);
    assert_true(ks_map_get(&m, "fe80::1", &e) && e == a);
    assert_true(ks_map_get(&m, "192.168.0.7", &e) && e == a);
    assert_true(ks_map_get(&m, "beta.example", &e) && e == b);
    assert_true(ks_map_get(&m, "beta", &e) && e == b); /* a's hostname loses to the name */
    assert_true(ks_map_get(&m, "alpha", &e) && e == a);
    assert_false(ks_map_get(&m, "", &e));
    assert_false(ks_map_get(&m, "10.0.0.2", &e));
    ks_map_fini(&m);
    ks_dataset_free(ds);
}

/* mkdir -p: nested parents made, an existing tree is fine, a file in the way is an
 * error naming the directory that could not be made. */
static void
test_mkdir_p(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char *deep = ks_xasprintf("%s/a/b/c", d), *blocked = ks_xasprintf("%s/f/x", d);
    struct ks_err err = {0};
    struct stat st;
    assert_int_equal(ks_mkdir_p(deep, &err), 0);
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(ks_mkdir_p(deep, &err), 0); /* again: exists */
    tu_write(d, "f", "not a directory\n");
    assert_true(ks_mkdir_p(blocked, &err) < 0);
    assert_non_null(strstr(err.msg, blocked));
    assert_non_null(strstr(err.msg, "cannot create directory"));
    tu_rmrf(d);
    free(deep);
    free(blocked);
    free(d);
}

/* The writer quotes on its own (no libcsv: kasane-collect links none): exact bytes for
 * the RFC 4180 cases, and every hostile field read back unchanged by libcsv's reader. */
static void
test_csv_put_quoting(void **state)
{
    (void)state;
    static const char *const fields[] = {
        "plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", " lead", "trail\t", "",
        "\"", "=1+2", "x;y", "\xef\xbb\xbf" "bom",
    };
    size_t n = sizeof fields / sizeof *fields;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ks_csv_put_row(f, fields, n);
    fclose(f);
    assert_string_equal(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\","
                             "\" lead\",\"trail\t\",,\"\"\"\",=1+2,x;y,\xef\xbb\xbf" "bom\n");
    struct ks_csv_reader *r = ks_csv_open_mem(buf, len, ',', "quoted");
    const struct ks_csv_row *row;
    struct ks_err err = {0};
    assert_int_equal(ks_csv_next(r, &row, &err), 1);
    assert_int_equal(row->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(row->f[i], fields[i]);
    assert_int_equal(ks_csv_next(r, &row, &err), 0);
    ks_csv_close(r);
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mkdir_p),
        cmocka_unit_test(test_addr_map),
        cmocka_unit_test(test_fmt_double_roundtrip),
        cmocka_unit_test(test_parse_double_matches_strtod),
        cmocka_unit_test(test_roundtrip_byte_identical),
        cmocka_unit_test(test_column_order_is_free),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_random_bytes_bounded),
        cmocka_unit_test(test_random_file_200mb),
        cmocka_unit_test(test_csv_lines_and_endings),
        cmocka_unit_test(test_grid_max_mean_pct),
        cmocka_unit_test(test_merge_two_steps),
        cmocka_unit_test(test_write_error_keeps_old_file),
        cmocka_unit_test(test_percentile),
        cmocka_unit_test(test_path_join),
        cmocka_unit_test(test_csv_put_quoting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
