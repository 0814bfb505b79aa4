/*
 * SSD latency tails from data-sheet figures: the lognormal fitted through a typical
 * (median) latency and a 99.9% quality-of-service figure (sim_dist_lognormal_q and its
 * text form), and the array catalog's p999 columns (mdl_storage_cat.c) refusing bad
 * values with file, line and column. Figures: Intel SSD DC S4500, random 4 KiB typical
 * R/W 110 / 52 us, QoS 99.9% R/W 300 / 800 us (datasets/storage/drives.csv).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ks_util.h"
#include "model/mdl_storage.h"
#include "simulate/sim_rng.h"
#include "tests/unit/test_util.h"

/* Enough for the 99.9th percentile's sampling error to be well under 1% (writes, the
 * wider fit: sigma 0.885, relative standard error ~0.6% at 10^6 samples). */
#define NSAMP 1000000

/* The sampled median and 99.9th percentile of d (NSAMP draws, fixed seed). */
static void
sample_pcts(const struct sim_dist *d, double *p50, double *p999)
{
    double *v = ks_xmalloc(NSAMP * sizeof *v);
    struct sim_rng r;
    sim_rng_seed(&r, 4500, 0, 7);
    for (size_t i = 0; i < NSAMP; i++)
        v[i] = sim_dist_sample(d, &r);
    *p50 = ks_percentile(v, NSAMP, 50);
    *p999 = ks_percentile(v, NSAMP, 99.9);
    free(v);
}

static void
check_fit(const char *op, double med_us, double p999_us)
{
    struct sim_dist d;
    struct ks_err err = {0};
    assert_int_equal(sim_dist_lognormal_q(&d, med_us * 1e3, p999_us * 1e3, &err), 0);
    double sigma = log(p999_us / med_us) / 3.0902;
    double p50, p999;
    sample_pcts(&d, &p50, &p999);
    print_message("  %s: sigma %.4f, mean %.2f us; sampled p50 %.2f us (target %.0f), "
                  "p99.9 %.2f us (target %.0f)\n",
                  op, d.b, d.mean_ns / 1e3, p50 / 1e3, med_us, p999 / 1e3, p999_us);
    assert_int_equal(d.kind, SIM_D_LOGN);
    assert_true(fabs(d.b - sigma) < 1e-4 * sigma);
    assert_true(fabs(d.mean_ns - med_us * 1e3 * exp(sigma * sigma / 2)) < 1e-3 * d.mean_ns);
    assert_true(fabs(p50 / 1e3 - med_us) < 0.01 * med_us);
    assert_true(fabs(p999 / 1e3 - p999_us) < 0.03 * p999_us);
}

static void
test_fit_s4500(void **state)
{
    (void)state;
    check_fit("reads", 110, 300);
    check_fit("writes", 52, 800);
}

/* The INI text form builds the same distribution as the constructor. */
static void
test_parse_form(void **state)
{
    (void)state;
    struct sim_dist a, b;
    struct ks_err err = {0};
    assert_int_equal(sim_dist_parse("lognormal:median=110us,p999=300us", NULL, &a, &err), 0);
    assert_int_equal(sim_dist_lognormal_q(&b, 110e3, 300e3, &err), 0);
    assert_true(a.kind == SIM_D_LOGN && a.a == b.a && a.b == b.b && a.mean_ns == b.mean_ns);
    /* The mean/cv form is unchanged by the new one. */
    assert_int_equal(sim_dist_parse("lognormal:mean=85us,cv=0.5", NULL, &a, &err), 0);
    assert_true(a.mean_ns == 85e3 && fabs(a.b - sqrt(log(1.25))) < 1e-12);
    /* p999 == median: a constant (sigma 0). */
    assert_int_equal(sim_dist_parse("lognormal:median=85us,p999=85us", NULL, &a, &err), 0);
    assert_true(a.b == 0 && a.mean_ns == 85e3);
}

static void
expect_parse_error(const char *text, const char *want)
{
    struct sim_dist d;
    struct ks_err err = {0};
    assert_int_equal(sim_dist_parse(text, NULL, &d, &err), -EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("%s: '%s' does not contain '%s'", text, err.msg, want);
}

static void
test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("lognormal:median=300us,p999=110us", "need 0 < median <= p999");
    expect_parse_error("lognormal:median=0us,p999=110us", "need 0 < median <= p999");
    expect_parse_error("lognormal:median=110us", "needs median=TIME,p999=TIME");
    expect_parse_error("lognormal:median=110us,p999=abc", "needs median=TIME,p999=TIME");
    expect_parse_error("lognormal:median=110,p999=300us", "needs median=TIME,p999=TIME");
}

/* ---- the catalog's p999 columns ---------------------------------------------------- */

static const char HEAD[] = "name,media,iops,MBps,capacity_GB,price,watts,read_us,write_us,"
                           "read_p999_us,write_p999_us,source\n";
static const char GOOD[] = "ok,ssd,1000,500,1920,900,5.6,110,52,300,800,S4500\n";

/* A catalog directory with the given drives.csv and one-row other files. */
static char *
catalog(const char *drives)
{
    char *d = tu_tmpdir();
    tu_write(d, "drives.csv", drives);
    tu_write(d, "raid.csv", "name,write_penalty,usable_fraction,group_drives,source\n"
                            "raid10,2,0.5,2,s\n");
    tu_write(d, "shelves.csv", "name,drives,price,watts,source\nsh,24,1,1,s\n");
    tu_write(d, "controllers.csv", "name,max_iops,max_MBps,max_shelves,price,watts,source\n"
                                   "c,1000000,10000,4,1,1,s\n");
    return d;
}

static void
expect_drive_error(const char *row, const char *want)
{
    char *text = ks_xasprintf("%s%s%s", HEAD, GOOD, row);
    char *d = catalog(text);
    struct mdl_array_catalog *c = NULL;
    struct ks_err err = {0};
    assert_int_equal(mdl_array_catalog_read(d, &c, &err), -EINVAL);
    /* file (with its directory), line and column */
    char *where = ks_xasprintf("%s/drives.csv:3: column '", d);
    if (!strstr(err.msg, where) || !strstr(err.msg, want))
        fail_msg("'%s' does not contain '%s' and '%s'", err.msg, where, want);
    print_message("  %s\n", err.msg + strlen(d) + 1);
    free(where);
    tu_rmrf(d);
    free(d);
    free(text);
}

static void
test_catalog_p999(void **state)
{
    (void)state;
    char *text = ks_xasprintf("%s%s", HEAD, GOOD);
    char *d = catalog(text);
    struct mdl_array_catalog *c = NULL;
    struct ks_err err = {0};
    assert_int_equal(mdl_array_catalog_read(d, &c, &err), 0);
    assert_true(c->drive[0].read_p999_us == 300 && c->drive[0].write_p999_us == 800);
    mdl_array_catalog_free(c);
    tu_rmrf(d);
    free(d);
    free(text);
    expect_drive_error("bad,ssd,1000,500,1920,900,5.6,110,52,-300,800,s\n",
                       "read_p999_us': -300 must be > 0");
    expect_drive_error("bad,ssd,1000,500,1920,900,5.6,110,52,300,40,s\n",
                       "write_p999_us': 40 is below 'write_us' 52");
    expect_drive_error("bad,ssd,1000,500,1920,900,5.6,110,52,3OO,800,s\n",
                       "read_p999_us': '3OO' is not a number");
    expect_drive_error("bad,ssd,1000,500,1920,900,5.6,,52,300,800,s\n",
                       "read_p999_us': 300 needs 'read_us'");
}

/* The bundled catalog still reads, and only rows that cite a 99.9% figure carry one. */
static void
test_bundled_catalog(void **state)
{
    (void)state;
    char *dir = ks_xasprintf("%s/datasets/storage", tu_root());
    struct mdl_array_catalog *c = NULL;
    struct ks_err err = {0};
    if (mdl_array_catalog_read(dir, &c, &err) < 0)
        fail_msg("%s", err.msg);
    size_t with_qos = 0;
    for (size_t i = 0; i < c->ndrive; i++) {
        const struct mdl_drive *dr = &c->drive[i];
        if (isnan(dr->read_p999_us) && isnan(dr->write_p999_us))
            continue;
        with_qos++;
        assert_non_null(strstr(dr->source, "Quality of Service (99.9%)"));
    }
    assert_true(with_qos >= 1);
    mdl_array_catalog_free(c);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_s4500),    cmocka_unit_test(test_parse_form),
        cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_catalog_p999),
        cmocka_unit_test(test_bundled_catalog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
