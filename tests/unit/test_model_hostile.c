/* model: hostile inputs (issue 18): catalog ranges, bounds that must not step through
 * absurd host counts, demand no host can carry, overcommit ratios, the other files plan
 * reads (licences, port rules, rules weights). Each test would hang, crash or pass a
 * wrong value through on the code before the fix; a hang is turned into a failure by
 * alarm(), whose default action kills the test program. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/ks_dataset.h"
#include "model/mdl_catalog.h"
#include "model/mdl_licence.h"
#include "model/mdl_plan.h"
#include "model/mdl_policy.h"
#include "model/mdl_ports.h"
#include "model/mdl_vbp.h"
#include "tests/unit/test_util.h"

/* Seconds any one test may take: the fixed code needs milliseconds; the old bound loop
 * took minutes. */
#define GUARD_S 20

static const char *HDR = "model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,"
                         "nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core";

/* Columns of HDR in order, and one good row to start from. */
static const char *const COLS[] = {"model",   "sockets",  "cores_per_socket", "threads_per_core",
                                   "core_MHz", "mem_GiB", "nic_ports",        "nic_Gbps",
                                   "rack_U",  "price",    "watts_idle",       "watts_max",
                                   "perf_per_core"};
static const char *const GOOD[] = {"m", "2", "4", "1", "3000", "32", "6", "1",
                                   "2", "9000", "230", "420", "1"};

/* Read a catalog of HDR + extra header columns and one row, with column col (an index
 * into COLS, -1 none) replaced by val. */
static int
read_row(int col, const char *val, const char *extra_hdr, const char *extra_val,
         struct ks_err *err)
{
    char body[2048], *d = tu_tmpdir(), path[4200];
    size_t n = (size_t)snprintf(body, sizeof body, "%s%s\n", HDR, extra_hdr);
    for (int c = 0; c < 13; c++)
        n += (size_t)snprintf(body + n, sizeof body - n, "%s%s", c ? "," : "",
                              c == col ? val : GOOD[c]);
    snprintf(body + n, sizeof body - n, "%s\n", extra_val);
    tu_write(d, "cat.csv", body);
    snprintf(path, sizeof path, "%s/cat.csv", d);
    struct mdl_catalog *c = NULL;
    int rc = mdl_catalog_read(path, &c, err);
    mdl_catalog_free(c);
    tu_rmrf(d);
    free(d);
    return rc;
}

static int
col_of(const char *name)
{
    for (int c = 0; c < 13; c++)
        if (strcmp(COLS[c], name) == 0)
            return c;
    fail_msg("no column %s", name);
    return -1;
}

/* One bad value: refused, the message names line 2 and the column. */
static void
refused(const char *col, const char *val)
{
    struct ks_err err = {0};
    char want[128];
    if (read_row(col_of(col), val, "", "", &err) == 0)
        fail_msg("%s = %s was accepted", col, val);
    snprintf(want, sizeof want, "cat.csv:2: column '%s'", col);
    if (!strstr(err.msg, want))
        fail_msg("%s = %s: message '%s' lacks \"%s\"", col, val, err.msg, want);
    ks_err_clear(&err);
}

static void
test_catalog_ranges(void **state)
{
    (void)state;
    struct ks_err err = {0};
    assert_int_equal(read_row(-1, NULL, "", "", &err), 0);
    /* 1e308 on money and watts made every cost inf (a SIGSEGV in the planner); on
     * integers it printed INT_MIN. */
    static const char *const huge[] = {"price", "watts_idle", "watts_max", "rack_U", "sockets",
                                       "nic_ports", "cores_per_socket", "threads_per_core",
                                       "core_MHz", "mem_GiB", "nic_Gbps", "perf_per_core"};
    for (size_t i = 0; i < sizeof huge / sizeof *huge; i++)
        refused(huge[i], "1e308");
    /* Whole numbers: 4.9 cores became 4 in silence. */
    refused("cores_per_socket", "4.9");
    refused("sockets", "1.5");
    refused("nic_ports", "2.5");
    refused("threads_per_core", "0.5");
    refused("sockets", "65");
    refused("nic_ports", "257");
    refused("price", "-1");
    refused("price", "1e10");
    /* NaN and inf are not numbers at all (core's parser). */
    refused("watts_max", "nan");
    refused("price", "inf");
    /* The range limits themselves are fine. */
    assert_int_equal(read_row(col_of("sockets"), "64", "", "", &err), 0);
    assert_int_equal(read_row(col_of("nic_ports"), "0", "", "", &err), 0);
    assert_int_equal(read_row(col_of("price"), "1e9", "", "", &err), 0);
}

static void
test_catalog_socket_columns(void **state)
{
    (void)state;
    struct ks_err err = {0};
    assert_int_equal(read_row(-1, NULL, ",min_sockets,socket_price", ",1,4000", &err), 0);
    /* A socket_price that makes the one-socket host cost less than nothing. */
    assert_true(read_row(-1, NULL, ",min_sockets,socket_price", ",1,10000", &err) < 0);
    assert_non_null(strstr(err.msg, "cat.csv:2: column 'socket_price'"));
    ks_err_clear(&err);
    assert_true(read_row(-1, NULL, ",min_sockets,socket_price", ",1,1e308", &err) < 0);
    assert_non_null(strstr(err.msg, "column 'socket_price'"));
    ks_err_clear(&err);
    assert_true(read_row(-1, NULL, ",min_sockets,socket_price", ",1.5,", &err) < 0);
    assert_non_null(strstr(err.msg, "column 'min_sockets'"));
    ks_err_clear(&err);
    assert_true(read_row(-1, NULL, ",min_sockets,socket_price", ",0,", &err) < 0);
    assert_non_null(strstr(err.msg, "column 'min_sockets'"));
}

/* The bound as it was computed before (one k at a time), for small sums only. */
static size_t
stepping_bound(const double *S_desc, size_t T, double cap, size_t A)
{
    for (size_t k = 1;; k++) {
        size_t i = k * A < T ? k * A : T - 1;
        double c = ceil(S_desc[i] / cap - 1e-9);
        if ((c > 0 ? (size_t)c : 0) <= k)
            return k;
    }
}

static int
cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The closed-form tail gives what stepping gave, on random problems of every shape. */
static void
test_bound_closed_form(void **state)
{
    (void)state;
    uint64_t rng = 7;
    for (int trial = 0; trial < 400; trial++) {
        size_t T = 1 + (size_t)(trial % 37), n = 1 + (size_t)(trial % 5);
        double cap = 10;
        struct mdl_vbp *p = mdl_vbp_new(n, 1, T, &cap);
        p->allow_over = (size_t)(trial % 7);
        double *row = ks_xmalloc(T * sizeof *row), *S = ks_xcalloc(T, sizeof *S);
        for (size_t i = 0; i < n; i++) {
            for (size_t t = 0; t < T; t++) {
                rng = rng * 6364136223846793005ull + 1442695040888963407ull;
                row[t] = (double)(rng >> 40 & 63); /* integers: exact as floats */
                S[t] += row[t];
            }
            mdl_vbp_set_item(p, i, row);
        }
        qsort(S, T, sizeof *S, cmp_desc);
        size_t want = stepping_bound(S, T, cap, p->allow_over);
        if (mdl_vbp_lb_sum(p) != (want ? want : 1))
            fail_msg("trial %d: T %zu A %zu: %zu, stepping %zu", trial, T, p->allow_over,
                     mdl_vbp_lb_sum(p), want);
        free(row);
        free(S);
        mdl_vbp_free(p);
    }
}

/* A demand of 2^40 capacities: the old bound counted to 1e12 one host at a time. */
static void
test_bound_huge_demand(void **state)
{
    (void)state;
    alarm(GUARD_S);
    double cap = 1, w = 0x1p40; /* exact as a float */
    struct mdl_vbp *p = mdl_vbp_new(1, 1, 1, &cap);
    mdl_vbp_set_item(p, 0, &w);
    assert_true(mdl_vbp_lb_sum(p) == (size_t)0x1p40);
    p->allow_over = 3; /* the percentile policy's path */
    assert_true(mdl_vbp_lb_sum(p) == (size_t)0x1p40);
    mdl_vbp_free(p);
    /* Beyond float range a demand is inf, not an undefined conversion. */
    assert_true(isinf(mdl_round_up_float(1e308)));
    alarm(0);
}

static void
test_overcommit_ratios(void **state)
{
    (void)state;
    struct mdl_policy p;
    struct ks_err err = {0};
    mdl_policy_defaults(&p);
    static const char *const bad[] = {"0", "-1", "nan", "inf", "-inf", "1e308", ""};
    static const char *const keys[] = {"cpu-overcommit", "mem-overcommit"};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            if (mdl_policy_set(&p, keys[k], bad[i], &err) == 0)
                fail_msg("%s = '%s' was accepted", keys[k], bad[i]);
            assert_non_null(strstr(err.msg, keys[k]));
            ks_err_clear(&err);
        }
    assert_int_equal(mdl_policy_set(&p, "cpu-overcommit", "2", &err), 0);
    assert_true(p.cpu_overcommit == 2);
    /* The policy file names itself, its line and the key. */
    char *d = tu_tmpdir(), path[4200];
    tu_write(d, "p.ini", "headroom = 10\nmem-overcommit = 0\n");
    snprintf(path, sizeof path, "%s/p.ini", d);
    assert_true(mdl_policy_read(path, &p, &err) < 0);
    assert_non_null(strstr(err.msg, "p.ini:2"));
    assert_non_null(strstr(err.msg, "mem-overcommit"));
    mdl_policy_fini(&p);
    tu_rmrf(d);
    free(d);
}

/* Licence rules and port rules: the same class (a price of 1e308, a fraction of a port). */
static void
test_other_files(void **state)
{
    (void)state;
    char *d = tu_tmpdir(), path[4200];
    struct ks_err err = {0};
    struct mdl_licences l;
    snprintf(path, sizeof path, "%s/lic.csv", d);
    tu_write(d, "lic.csv", "rule,kind,unit_price\nos,per_socket,1e308\n");
    assert_true(mdl_licences_read(path, &l, &err) < 0);
    assert_non_null(strstr(err.msg, "lic.csv:2: column 'unit_price'"));
    ks_err_clear(&err);
    tu_write(d, "lic.csv", "rule,kind,unit_price,min_cores_per_cpu\nos,per_core,100,8.5\n");
    assert_true(mdl_licences_read(path, &l, &err) < 0);
    assert_non_null(strstr(err.msg, "lic.csv:2: column 'min_cores_per_cpu'"));
    ks_err_clear(&err);
    tu_write(d, "lic.csv", "rule,kind,unit_price,min_cores_per_cpu\nos,per_core,100,8\n");
    assert_int_equal(mdl_licences_read(path, &l, &err), 0);
    mdl_licences_fini(&l);
    struct mdl_ports t;
    snprintf(path, sizeof path, "%s/ports.csv", d);
    tu_write(d, "ports.csv", "role,min_ports,sized\nmanagement,1.5,0\n");
    assert_true(mdl_ports_read(path, &t, &err) < 0);
    assert_non_null(strstr(err.msg, "ports.csv:2: column 'min_ports'"));
    ks_err_clear(&err);
    /* Ports for absurd traffic saturate instead of overflowing an int. */
    assert_int_equal(mdl_ports_builtin("kvm", &t, &err), 0);
    int out[MDL_NROLES];
    assert_true(mdl_ports_for_host(&t, 1e300, 1, 20, out) > 0);
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_ranges),    cmocka_unit_test(test_catalog_socket_columns),
        cmocka_unit_test(test_bound_closed_form), cmocka_unit_test(test_bound_huge_demand),
        cmocka_unit_test(test_overcommit_ratios), cmocka_unit_test(test_other_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
