/* model: CPU ratings (issue 19): model-string normalization and lookup as /proc/cpuinfo,
 * WMI and RVTools print them, the SMT work formula, where each source's rating comes
 * from, and the planner's demand in reference MHz. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ks_dataset.h"
#include "model/mdl_cpu.h"
#include "model/mdl_plan.h"
#include "model/mdl_policy.h"
#include "tests/unit/test_util.h"

static const char *TABLE = "cpu,perf_per_core,source\n"
                           "Intel Xeon E5-2690,1.30,a\n"
                           "Intel Xeon E5-2690 v4,1.50,b\n"
                           "Intel Xeon Gold 6338,1.80,c\n"
                           "AMD Opteron 2218,0.70,d\n"
                           "Intel Xeon 5150,0.90,e\n"
                           "AMD EPYC family 26,2.50,f\n"
                           "AMD EPYC 7543,2.00,g\n";

static void
table(struct mdl_cpu_table *t)
{
    char *dir = tu_tmpdir(), path[4096];
    tu_write(dir, "r.csv", TABLE);
    snprintf(path, sizeof path, "%s/r.csv", dir);
    struct ks_err err = {0};
    assert_int_equal(mdl_cpu_table_read(path, t, &err), 0);
    tu_rmrf(dir);
    free(dir);
}

static void
normalize_vendor_strings(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz", "xeon e5-2690 v4"},
        {"Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "xeon gold 6338"},
        {"AMD EPYC 7543 32-Core Processor", "epyc 7543"},
        {"Dual-Core AMD Opteron(tm) Processor 2218", "opteron 2218"},
        {"Intel(R) Xeon(R) CPU            5150  @ 2.66GHz", "xeon 5150"},
        {"AMD EPYC (family 26 model 2)", "epyc family 26 model 2"},
        {"Intel\xc2\xae Xeon\xc2\xae Silver 4110", "xeon silver 4110"},
        {"", ""},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mdl_cpu_normalize(cases[i][0], out, sizeof out);
        assert_string_equal(out, cases[i][1]);
    }
    mdl_cpu_normalize("Intel Xeon Platinum 8380", out, 8); /* truncated, never overrun */
    assert_true(strlen(out) < 8);
}

static void
lookup_most_specific(void **state)
{
    (void)state;
    struct mdl_cpu_table t;
    table(&t);
    const struct mdl_cpu_row *r = mdl_cpu_lookup(&t, "Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz");
    assert_non_null(r);
    assert_string_equal(r->cpu, "Intel Xeon E5-2690 v4");
    r = mdl_cpu_lookup(&t, "Intel(R) Xeon(R) CPU E5-2690 0 @ 2.90GHz");
    assert_non_null(r);
    assert_string_equal(r->cpu, "Intel Xeon E5-2690");
    /* A v3 is neither v1 nor v4: unknown, not the v1 row. */
    assert_null(mdl_cpu_lookup(&t, "Intel(R) Xeon(R) CPU E5-2690 v3 @ 2.60GHz"));
    /* Model numbers match whole words only. */
    assert_null(mdl_cpu_lookup(&t, "Intel Xeon Gold 63381"));
    assert_null(mdl_cpu_lookup(&t, "AMD Opteron 22180"));
    assert_string_equal(mdl_cpu_lookup(&t, "Dual-Core AMD Opteron(tm) Processor 2218")->cpu,
                        "AMD Opteron 2218");
    assert_string_equal(mdl_cpu_lookup(&t, "AMD EPYC (family 26 model 2)")->cpu,
                        "AMD EPYC family 26");
    assert_null(mdl_cpu_lookup(&t, "AMD EPYC"));
    assert_null(mdl_cpu_lookup(&t, NULL));
    assert_null(mdl_cpu_lookup(&t, ""));
    mdl_cpu_table_fini(&t);
}

static void
builtin_table_reads(void **state)
{
    (void)state;
    struct mdl_cpu_table t;
    struct ks_err err = {0};
    assert_int_equal(mdl_cpu_table_builtin(&t, &err), 0);
    assert_true(t.n >= 1);
    const struct mdl_cpu_row *r = mdl_cpu_lookup(&t, "Intel(R) Xeon(R) CPU E5450 @ 3.00GHz");
    assert_non_null(r); /* the reference of the scale */
    assert_true(fabs(r->perf - 1.0) < 1e-9);
    for (size_t i = 0; i < t.n; i++)
        assert_true(t.rows[i].perf > 0 && t.rows[i].source[0]);
    mdl_cpu_table_fini(&t);
}

static void
bad_table_named(void **state)
{
    (void)state;
    static const char *const bad[] = {"cpu,perf_per_core,source\nXeon 5150,0,x\n",
                                      "cpu,perf_per_core,source\nXeon 5150,fast,x\n",
                                      "cpu,perf_per_core,source\n,1,x\n",
                                      "cpu,source\nXeon 5150,x\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *dir = tu_tmpdir(), path[4096];
        tu_write(dir, "r.csv", bad[i]);
        snprintf(path, sizeof path, "%s/r.csv", dir);
        struct mdl_cpu_table t;
        struct ks_err err = {0};
        assert_true(mdl_cpu_table_read(path, &t, &err) < 0);
        assert_non_null(strstr(err.msg, "r.csv:"));
        assert_int_equal(t.n, 0);
        tu_rmrf(dir);
        free(dir);
    }
}

static void
smt_work(void **state)
{
    (void)state;
    /* No SMT: linear in the rating. */
    assert_true(fabs(mdl_cpu_ref_MHz(3000, 4, 4, 3000, 0.9, 0.25) - 2700) < 1e-9);
    /* SMT, 8 cores / 16 threads at 2000 MHz: 8 busy threads are 8 whole cores... */
    assert_true(fabs(mdl_cpu_ref_MHz(8 * 2000, 8, 16, 2000, 1.5, 0.25) - 8 * 2000 * 1.5) < 1e-6);
    /* ... and all 16 busy are 8 cores x 1.25. */
    assert_true(fabs(mdl_cpu_ref_MHz(16 * 2000, 8, 16, 2000, 1.5, 0.25) - 10 * 2000 * 1.5) <
                1e-6);
    /* 12 busy: 8 + 4 x 0.25 = 9 cores. */
    assert_true(fabs(mdl_cpu_ref_MHz(12 * 2000, 8, 16, 2000, 1, 0.25) - 9 * 2000) < 1e-6);
    /* Topology or clock unknown: linear (the larger of the two readings). */
    assert_true(fabs(mdl_cpu_ref_MHz(1000, NAN, 16, 2000, 2, 0.25) - 2000) < 1e-9);
    assert_true(fabs(mdl_cpu_ref_MHz(1000, 8, 16, NAN, 2, 0.25) - 2000) < 1e-9);
    assert_true(isnan(mdl_cpu_ref_MHz(NAN, 8, 16, 2000, 2, 0.25)));
}

/* An inventory of four sources: rated by cpu_perf, by the table, unknown, and a host
 * (not a source). */
static struct ks_dataset *
estate(const char *perf_of_a)
{
    char *dir = tu_tmpdir(), inv[1024];
    snprintf(inv, sizeof inv,
             "entity,kind,cpu_model,sockets,cores,threads,core_MHz,mem_MiB,cpu_perf\n"
             "a,physical,Intel Xeon 5150,2,4,4,2666,4096,%s\n"
             "b,physical,Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz,2,64,128,2000,65536,\n"
             "c,vm,Mystery CPU 9000,,2,2,2500,4096,\n"
             "h,host,Intel Xeon 5150,2,4,4,2666,8192,\n",
             perf_of_a);
    tu_write(dir, "inventory.csv", inv);
    struct ks_dataset *ds = NULL;
    struct ks_err err = {0};
    int rc = ks_dataset_read(dir, &ds, &err);
    tu_rmrf(dir);
    free(dir);
    return rc == 0 ? ds : NULL;
}

static void
demand_in_reference_MHz(void **state)
{
    (void)state;
    struct mdl_cpu_table t;
    table(&t);
    struct mdl_policy pol;
    mdl_policy_defaults(&pol);
    pol.cpu_ratings = &t;
    pol.cpu_perf_assumed = 1.2;
    struct ks_dataset *ds = estate("1.1");
    assert_non_null(ds);
    struct mdl_demand d;
    struct ks_err err = {0};
    assert_int_equal(mdl_demand_build(ds, &pol, &d, &err), 0);
    assert_int_equal(d.n, 3); /* the host is no source */
    assert_true(d.by_allocation);
    /* a: cpu_perf 1.1 wins over the table's 0.9. */
    assert_int_equal(d.cpu_origin[0], MDL_CPU_INVENTORY);
    assert_true(fabs(d.cpu_MHz[0] - 4 * 2666 * 1.1) < 1e-6);
    /* b: every thread allocated = 64 cores x 1.25, rated 1.8 by the table. */
    assert_int_equal(d.cpu_origin[1], MDL_CPU_TABLE);
    assert_string_equal(d.cpu_row[1]->cpu, "Intel Xeon Gold 6338");
    assert_true(fabs(d.cpu_MHz[1] - 64 * 1.25 * 2000 * 1.8) < 1e-6);
    /* c: unknown CPU, the assumed rating, counted. */
    assert_int_equal(d.cpu_origin[2], MDL_CPU_ASSUMED);
    assert_true(fabs(d.cpu_MHz[2] - 2 * 2500 * 1.2) < 1e-6);
    assert_int_equal(d.cpu_assumed, 1);
    assert_true(isnan(d.cpu_perf[3]));
    mdl_demand_fini(&d);
    ks_dataset_free(ds);
    mdl_cpu_table_fini(&t);
    mdl_policy_fini(&pol);
}

static void
bad_cpu_perf_named(void **state)
{
    (void)state;
    static const char *const bad[] = {"0", "-1", "fast", "1e308"};
    struct mdl_policy pol;
    mdl_policy_defaults(&pol);
    size_t checked = 0;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct ks_dataset *ds = estate(bad[i]);
        if (!ds) /* refused by the dataset reader already: fine too */
            continue;
        checked++;
        struct mdl_demand d;
        struct ks_err err = {0};
        assert_true(mdl_demand_build(ds, &pol, &d, &err) < 0);
        assert_non_null(strstr(err.msg, "inventory.csv:2"));
        assert_non_null(strstr(err.msg, "cpu_perf"));
        mdl_demand_fini(&d);
        ks_dataset_free(ds);
    }
    assert_true(checked >= 3); /* the reader keeps extra columns as text */
    mdl_policy_fini(&pol);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalize_vendor_strings), cmocka_unit_test(lookup_most_specific),
        cmocka_unit_test(builtin_table_reads),      cmocka_unit_test(bad_table_named),
        cmocka_unit_test(smt_work),                 cmocka_unit_test(demand_in_reference_MHz),
        cmocka_unit_test(bad_cpu_perf_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
