/* gen: determinism, completeness of every row, and the statistical shapes promised in
 * docs/datasets.md (idle legacy servers, diurnal peaks, correlated groups, nightly batch,
 * month end, flat memory). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "collect/col_gen.h"
#include "core/ks_dataset.h"
#include "tests/unit/test_util.h"

#define START 1206316800.0 /* 2008-03-24 00:00 UTC, Monday */

static char *
gen(unsigned long servers, double days, uint64_t seed, const char *profile)
{
    struct col_gen_opts o;
    struct ks_err err = {0};
    char *d = tu_tmpdir();
    col_gen_opts_init(&o);
    o.servers = servers;
    o.days = days;
    o.seed = seed;
    o.profile = profile;
    o.out_dir = d;
    if (col_gen_run(&o, NULL, &err) != 0)
        fail_msg("gen: %s", err.msg);
    return d;
}

static int
same_file(const char *d1, const char *d2, const char *name)
{
    char a[512], b[512];
    size_t la = 0, lb = 0;
    snprintf(a, sizeof a, "%s/%s", d1, name);
    snprintf(b, sizeof b, "%s/%s", d2, name);
    char *x = tu_slurp(a, &la), *y = tu_slurp(b, &lb);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static void
test_deterministic(void **state)
{
    (void)state;
    char *a = gen(12, 2, 42, "mix"), *b = gen(12, 2, 42, "mix"), *c = gen(12, 2, 43, "mix");
    assert_true(same_file(a, b, "samples.csv"));
    assert_true(same_file(a, b, "inventory.csv"));
    assert_false(same_file(a, c, "samples.csv"));
    for (char **d = (char *[]){a, b, c, NULL}; *d; d++) {
        tu_rmrf(*d);
        free(*d);
    }
}

static void
test_rng(void **state)
{
    (void)state;
    struct col_rng r1, r2;
    col_rng_seed(&r1, 7);
    col_rng_seed(&r2, 7);
    double su = 0, sn = 0, sn2 = 0;
    int n = 200000;
    for (int i = 0; i < 1000; i++)
        assert_true(col_rng_next(&r1) == col_rng_next(&r2));
    col_rng_seed(&r2, 8);
    assert_true(col_rng_next(&r1) != col_rng_next(&r2));
    for (int i = 0; i < n; i++) {
        double u = col_rng_uniform(&r1), z = col_rng_normal(&r1);
        assert_true(u >= 0 && u < 1);
        su += u, sn += z, sn2 += z * z;
    }
    assert_true(fabs(su / n - 0.5) < 0.005);
    assert_true(fabs(sn / n) < 0.01);
    assert_true(fabs(sn2 / n - 1) < 0.02);
}

/* The whole room, read back once for the shape tests. */
struct room {
    struct ks_dataset *ds;
    size_t nent, nsteps;
};
static struct room R;

static int
setup_room(void **state)
{
    (void)state;
    char *d = gen(30, 14, 2008, "mix");
    struct ks_err err = {0};
    if (ks_dataset_read(d, &R.ds, &err) != 0) {
        fprintf(stderr, "read: %s\n", err.msg);
        return -1;
    }
    tu_rmrf(d);
    free(d);
    R.nent = ks_dataset_nent(R.ds);
    R.nsteps = R.ds->s.nrows / R.nent;
    return 0;
}

static int
teardown_room(void **state)
{
    (void)state;
    ks_dataset_free(R.ds);
    return 0;
}

static const char *
role(size_t e)
{
    return ks_inv_str(R.ds, e, "role");
}

/* Rows are time-major: step k of entity e is row k * nent + e. */
static double
val(size_t e, size_t k, enum ks_metric m)
{
    return ks_samples_get(&R.ds->s, k * R.nent + e, m);
}

static double
hour_of(size_t k)
{
    return fmod((R.ds->s.time[k * R.nent] - 150 - START) / 3600, 24);
}

static void
test_rows_complete(void **state)
{
    (void)state;
    static const enum ks_metric must[] = {
        KS_CPU_PCT,         KS_CPU_MHZ,          KS_MEM_USED_MIB,   KS_MEM_TOTAL_MIB,
        KS_DISK_READ_KIBPS, KS_DISK_WRITE_KIBPS, KS_DISK_READ_IOPS, KS_DISK_WRITE_IOPS,
        KS_DISK_AWAIT_MS,   KS_DISK_UTIL_PCT,    KS_NET_RX_KIBPS,   KS_NET_TX_KIBPS,
        KS_NET_RX_PPS,      KS_NET_TX_PPS};
    assert_int_equal(R.nent, 30);
    assert_int_equal(R.nsteps, 14 * 288);
    assert_int_equal(R.ds->s.nrows, R.nent * R.nsteps);
    for (size_t e = 0; e < R.nent; e++) {
        double sockets = ks_inv_num(R.ds, e, "sockets"), mhz = ks_inv_num(R.ds, e, "core_MHz");
        double mem = ks_inv_num(R.ds, e, "mem_MiB"), threads = ks_inv_num(R.ds, e, "threads");
        assert_true(sockets >= 1 && sockets <= 2 && mhz >= 2000 && mhz <= 3200);
        assert_true(mem >= 2048 && mem <= 16384 && ks_inv_num(R.ds, e, "nic_count") == 2);
        assert_true(threads >= 2 && threads <= 8);
        assert_non_null(ks_inv_str(R.ds, e, "cpu_model"));
        for (size_t k = 0; k < R.nsteps; k++) {
            for (size_t i = 0; i < sizeof must / sizeof *must; i++)
                assert_false(isnan(val(e, k, must[i])));
            double cpu = val(e, k, KS_CPU_PCT);
            assert_true(cpu >= 0 && cpu <= 100);
            /* busy MHz = cpu_pct / 100 x logical CPUs x core MHz (rounded to 0.1) */
            assert_true(fabs(val(e, k, KS_CPU_MHZ) - cpu / 100 * threads * mhz) <= 0.051);
            assert_true(val(e, k, KS_MEM_USED_MIB) <= val(e, k, KS_MEM_TOTAL_MIB));
        }
    }
}

static double
mean_cpu(size_t e, int (*keep)(size_t k))
{
    double s = 0;
    size_t n = 0;
    for (size_t k = 0; k < R.nsteps; k++)
        if (!keep || keep(k))
            s += val(e, k, KS_CPU_PCT), n++;
    return s / (double)n;
}

static void
test_legacy_idle(void **state)
{
    (void)state;
    size_t n = 0;
    double room = 0;
    for (size_t e = 0; e < R.nent; e++) {
        room += mean_cpu(e, NULL) / (double)R.nent;
        if (strcmp(role(e), "legacy") != 0)
            continue;
        double m = mean_cpu(e, NULL);
        if (m < 5 || m > 15)
            fail_msg("legacy %s mean CPU %.2f%% outside 5-15%%", ks_dataset_entity(R.ds, e), m);
        n++;
    }
    assert_true(n >= 5);
    assert_true(room > 5 && room < 20); /* a 2008 room: mostly idle */
}

/* Mean CPU of a role per hour of day on weekdays; returns the peak hour. */
static int
peak_hour(const char *r)
{
    double sum[24] = {0};
    for (size_t e = 0; e < R.nent; e++)
        if (strcmp(role(e), r) == 0)
            for (size_t k = 0; k < R.nsteps; k++)
                sum[(int)hour_of(k)] += val(e, k, KS_CPU_PCT);
    int best = 0;
    for (int h = 1; h < 24; h++)
        if (sum[h] > sum[best])
            best = h;
    return best;
}

static void
test_diurnal_and_batch(void **state)
{
    (void)state;
    int web = peak_hour("web"), app = peak_hour("app"), batch = peak_hour("batch");
    assert_true(web >= 10 && web <= 17);
    assert_true(app >= 10 && app <= 17);
    assert_true(batch >= 0 && batch <= 6); /* nightly jobs */
}

static double
corr(size_t a, size_t b)
{
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = (double)R.nsteps;
    for (size_t k = 0; k < R.nsteps; k++) {
        double x = val(a, k, KS_CPU_PCT), y = val(b, k, KS_CPU_PCT);
        sa += x, sb += y, saa += x * x, sbb += y * y, sab += x * y;
    }
    return (sab - sa * sb / n) / sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
}

static void
test_groups_correlated(void **state)
{
    (void)state;
    size_t members[16], n = 0, other = 0;
    for (size_t e = 0; e < R.nent; e++) {
        const char *g = ks_inv_str(R.ds, e, "app_group");
        if (g && strcmp(g, "app01") == 0)
            members[n++] = e;
        if (!g && strcmp(role(e), "legacy") == 0)
            other = e;
    }
    assert_int_equal(n, 5); /* 2 web, 2 app, 1 db */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (corr(members[i], members[j]) < 0.7)
                fail_msg("app01 members %zu, %zu correlate at %.2f", i, j,
                         corr(members[i], members[j]));
    assert_true(fabs(corr(members[0], other)) < corr(members[0], members[1]));
}

static int
is_weekend(size_t k)
{
    double day = floor((R.ds->s.time[k * R.nent] - 150 - START) / 86400);
    return fmod(day, 7) >= 5;
}

static int
is_weekday(size_t k)
{
    return !is_weekend(k);
}

/* 2008-03-29 .. 03-31 are the last three days of March. */
static int
is_month_end(size_t k)
{
    double day = floor((R.ds->s.time[k * R.nent] - 150 - START) / 86400);
    return day >= 5 && day <= 7;
}

static int
not_month_end(size_t k)
{
    return !is_month_end(k);
}

static void
test_weekly_month_end_memory(void **state)
{
    (void)state;
    for (size_t e = 0; e < R.nent; e++) {
        const char *r = role(e);
        if (strcmp(r, "app") == 0 || strcmp(r, "db") == 0)
            assert_true(mean_cpu(e, is_weekday) > 1.3 * mean_cpu(e, is_weekend));
        if (strcmp(r, "batch") == 0)
            assert_true(mean_cpu(e, is_month_end) > 1.2 * mean_cpu(e, not_month_end));
        /* memory mostly flat: small spread around its level */
        double s = 0, s2 = 0, n = (double)R.nsteps;
        for (size_t k = 0; k < R.nsteps; k++) {
            double u = val(e, k, KS_MEM_USED_MIB) / val(e, k, KS_MEM_TOTAL_MIB);
            s += u, s2 += u * u;
        }
        double sd = sqrt(s2 / n - (s / n) * (s / n));
        assert_true(sd < (strcmp(r, "batch") == 0 ? 0.06 : 0.03));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),           cmocka_unit_test(test_rng),
        cmocka_unit_test(test_rows_complete),           cmocka_unit_test(test_legacy_idle),
        cmocka_unit_test(test_diurnal_and_batch),       cmocka_unit_test(test_groups_correlated),
        cmocka_unit_test(test_weekly_month_end_memory),
    };
    return cmocka_run_group_tests(tests, setup_room, teardown_room);
}
