/* The report's "Storage, backup and DR" section on a plan directory written by
 * mdl_storage_size + mdl_storage_write: every figure equals storage.csv, the options are
 * ranked as the planner chose, the charted peak equals the peak recomputed from the
 * dataset, golden chart scripts, a plan without storage, broken storage files.
 *   test_report_storage --write-fixture DIR   writes the committed fixture instead
 *   (tests/fixtures/report_storage/README.md). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "report/rpt_report.h"
#include "report/rpt_storage.h"
#include "report/rpt_util.h"
#include "test_report_storage_fx.h"

/* A scratch directory holding dataset/, plan/ (with storage files) and, after
 * run_report, report/. */
struct sfx {
    char *dir, *ds, *plan, *out;
};

static void
sfx_init(struct sfx *s, int with_storage)
{
    s->dir = tu_tmpdir();
    s->ds = ks_xasprintf("%s/dataset", s->dir);
    s->plan = ks_xasprintf("%s/plan", s->dir);
    s->out = ks_xasprintf("%s/report", s->dir);
    char *cat = ks_xasprintf("%s/datasets/storage", tu_root());
    assert_int_equal(fx_storage_write(tu_root(), cat, s->dir), 0);
    free(cat);
    if (!with_storage) {
        static const char *const f[] = {"storage.csv", "storage_options.csv", "storage_series.csv"};
        for (size_t i = 0; i < 3; i++) {
            char *p = ks_xasprintf("%s/%s", s->plan, f[i]);
            unlink(p);
            free(p);
        }
    }
}

static void
sfx_fini(struct sfx *s)
{
    tu_rmrf(s->dir);
    free(s->dir);
    free(s->ds);
    free(s->plan);
    free(s->out);
}

/* The report without gnuplot (scripts are written all the same, and the unit test
 * stays fast); returns rpt_report_run's code, err filled. */
static int
run_report(const struct sfx *s, struct ks_err *err)
{
    struct rpt_opts o = {.dataset_dir = s->ds,
                         .plan_dir = s->plan,
                         .out_dir = s->out,
                         .gnuplot_path = "/nonexistent"};
    struct rpt_result res;
    int rc = rpt_report_run(&o, &res, err);
    rpt_result_fini(&res);
    return rc;
}

/* A fixture with storage files and its report: what most tests start from. */
static void
sfx_report(struct sfx *s)
{
    struct ks_err err = {0};
    sfx_init(s, 1);
    if (run_report(s, &err) < 0)
        fail_msg("%s", err.msg);
}

static void
read_table(const char *dir, const char *name, struct ks_table *t)
{
    char *p = ks_xasprintf("%s/%s", dir, name);
    struct ks_err err = {0};
    if (ks_table_read(p, NULL, t, &err) < 0)
        fail_msg("%s", err.msg);
    free(p);
}

/* Every row of a figure table quotes storage.csv's text for its key exactly. */
static size_t
check_figures(const char *tables, const char *name, const struct ks_table *kv)
{
    struct ks_table t;
    char *file = ks_xasprintf("%s.csv", name);
    read_table(tables, file, &t);
    for (size_t r = 0; r < t.nrows; r++) {
        const char *key = ks_table_str(&t, r, "storage_key"), *v = ks_table_str(&t, r, "value");
        assert_non_null(key);
        assert_non_null(rpt_kv_str(kv, key));
        assert_string_equal(v, rpt_kv_str(kv, key));
    }
    size_t n = t.nrows;
    ks_table_fini(&t);
    free(file);
    return n;
}

static void
test_figures_equal_storage_csv(void **state)
{
    (void)state;
    struct sfx s;
    sfx_report(&s);
    struct ks_table kv;
    read_table(s.plan, "storage.csv", &kv);
    char *tables = ks_xasprintf("%s/tables", s.out);
    static const char *const names[] = {"storage_demand", "storage_array", "storage_capacity",
                                        "storage_backup", "storage_dr"};
    size_t rows = 0;
    for (size_t i = 0; i < 5; i++)
        rows += check_figures(tables, names[i], &kv);
    /* The fixture is a two-tier array with DR hosts priced: every figure is present
     * (14 demand, 24 array, 8 capacity, 13 backup, 11 DR). */
    assert_int_equal(rows, 14 + 24 + 8 + 13 + 11);
    /* The table of the whole file is a copy of it. */
    struct ks_table copy;
    read_table(tables, "storage.csv", &copy);
    assert_int_equal(copy.nrows, kv.nrows);
    for (size_t r = 0; r < kv.nrows; r++)
        assert_string_equal(ks_table_get(&copy, r, 1) ? ks_table_get(&copy, r, 1) : "",
                            ks_table_get(&kv, r, 1) ? ks_table_get(&kv, r, 1) : "");
    ks_table_fini(&copy);
    ks_table_fini(&kv);
    free(tables);
    sfx_fini(&s);
}

/* Rank 1 is the planner's choice at total_cost_storage, ranks 2 and 3 its runner-ups;
 * eligible rows come first, cheapest first; every primary row is listed. */
static void
test_options_ranked(void **state)
{
    (void)state;
    struct sfx s;
    sfx_report(&s);
    struct ks_table kv, o, plan_o;
    char *tables = ks_xasprintf("%s/tables", s.out);
    read_table(s.plan, "storage.csv", &kv);
    read_table(tables, "storage_options.csv", &o);
    read_table(s.plan, "storage_options.csv", &plan_o);
    size_t primary = 0;
    for (size_t r = 0; r < plan_o.nrows; r++)
        primary += strcmp(ks_table_str(&plan_o, r, "site"), "primary") == 0;
    assert_int_equal(o.nrows, primary);
    assert_string_equal(ks_table_str(&o, 0, "chosen"), "1");
    assert_true(ks_table_num(&o, 0, "total_cost") == rpt_kv_num(&kv, "total_cost_storage"));
    assert_true(ks_table_num(&o, 1, "total_cost") == rpt_kv_num(&kv, "runner_up_1_total_cost"));
    assert_true(ks_table_num(&o, 2, "total_cost") == rpt_kv_num(&kv, "runner_up_2_total_cost"));
    for (size_t r = 1; r < o.nrows; r++) {
        double e0 = ks_table_num(&o, r - 1, "eligible"), e1 = ks_table_num(&o, r, "eligible");
        assert_true(e0 >= e1);
        if (e0 == e1)
            assert_true(ks_table_num(&o, r - 1, "total_cost") <= ks_table_num(&o, r, "total_cost"));
        assert_string_equal(ks_table_str(&o, r, "chosen"), "0");
    }
    ks_table_fini(&kv);
    ks_table_fini(&o);
    ks_table_fini(&plan_o);
    free(tables);
    sfx_fini(&s);
}

/* Peak of read + write IOPS summed over entities per sample time, from the dataset. */
static double
dataset_iops_peak(const char *ds_dir)
{
    struct ks_dataset *ds = NULL;
    struct ks_err err = {0};
    assert_int_equal(ks_dataset_read(ds_dir, &ds, &err), 0);
    double peak = 0, sum = 0, t = NAN;
    for (size_t r = 0; r < ds->s.nrows; r++) {
        if (ds->s.time[r] != t)
            sum = 0, t = ds->s.time[r];
        sum += ks_samples_get(&ds->s, r, KS_DISK_READ_IOPS) +
               ks_samples_get(&ds->s, r, KS_DISK_WRITE_IOPS);
        peak = fmax(peak, sum);
    }
    ks_dataset_free(ds);
    return peak;
}

/* The top of the stacked IOPS chart (its data block's last column) peaks at the estate's
 * peak recomputed from the samples, and at storage.csv's iops_peak. */
static void
test_chart_peak(void **state)
{
    (void)state;
    struct sfx s;
    sfx_report(&s);
    char *gp = ks_xasprintf("%s/charts/storage_iops.gp", s.out), *text = tu_slurp(gp, NULL);
    assert_non_null(text);
    char *p = strstr(text, "$data << EOD\n") + 13;
    double top = 0;
    size_t pts = 0;
    for (; strncmp(p, "EOD", 3) != 0; p = strchr(p, '\n') + 1, pts++) {
        double t, rd, all;
        assert_int_equal(sscanf(p, "%lf %lf %lf", &t, &rd, &all), 3);
        top = fmax(top, all);
    }
    struct ks_table kv;
    read_table(s.plan, "storage.csv", &kv);
    double want = dataset_iops_peak(s.ds);
    assert_int_equal(pts, 96); /* one day at 15 minutes: no downsampling */
    assert_true(fabs(top - want) <= 1e-9 * want);
    assert_true(fabs(rpt_kv_num(&kv, "iops_peak") - want) <= 1e-9 * want);
    ks_table_fini(&kv);
    free(text);
    free(gp);
    sfx_fini(&s);
}

static void
test_no_storage(void **state)
{
    (void)state;
    struct sfx s;
    struct ks_err err = {0};
    sfx_init(&s, 0);
    assert_int_equal(run_report(&s, &err), 0);
    char *idx = ks_xasprintf("%s/index.html", s.out), *html = tu_slurp(idx, NULL);
    char *tab = ks_xasprintf("%s/tables/storage.csv", s.out);
    struct stat st;
    assert_non_null(strstr(html, "This plan has no storage sizing (no storage.csv"));
    assert_true(stat(tab, &st) != 0);
    free(idx);
    free(html);
    free(tab);
    sfx_fini(&s);
}

/* Replace the first occurrence of from by to in plan file name. */
static void
edit_plan(const struct sfx *s, const char *name, const char *from, const char *to)
{
    char *p = ks_xasprintf("%s/%s", s->plan, name), *text = tu_slurp(p, NULL),
         *at = strstr(text, from);
    assert_non_null(at);
    *at = '\0';
    char *out = ks_xasprintf("%s%s%s", text, to, at + strlen(from));
    tu_write(s->plan, name, out);
    free(out);
    free(text);
    free(p);
}

static void
expect_error(const struct sfx *s, const char *want)
{
    struct ks_err err = {0};
    assert_true(run_report(s, &err) < 0);
    if (!strstr(err.msg, want))
        fail_msg("error '%s' lacks '%s'", err.msg, want);
}

static void
test_bad_files(void **state)
{
    (void)state;
    struct sfx s;
    sfx_init(&s, 1);
    edit_plan(&s, "storage.csv", "iops_peak,", "iops_peak,lots");
    /* iops_peak is the 11th key: line 12 of the file. */
    expect_error(&s, "storage.csv:12: key 'iops_peak': 'lots");
    sfx_fini(&s);
    sfx_init(&s, 1);
    edit_plan(&s, "storage_series.csv", "\n1767226500,", "\n1767226500,abc");
    expect_error(&s, "storage_series.csv:2: column 'read_iops': 'abc");
    sfx_fini(&s);
    sfx_init(&s, 1);
    edit_plan(&s, "storage_options.csv", ",total_cost,", ",total_kost,");
    expect_error(&s, "storage_options.csv:1: missing column 'total_cost'");
    sfx_fini(&s);
}

static void
golden(const char *name, char *script)
{
    char rel[256];
    snprintf(rel, sizeof rel, "report/%s.gp", name);
    tu_golden(rel, script);
    free(script);
}

static void
test_golden_io(void **state)
{
    (void)state;
    static const double t[] = {1767226500, 1767227400, 1767228300, 1767229200};
    static const double rd[] = {2048, 1024, 3072, 512}, wr[] = {1024, 512, 2048, 512};
    struct rpt_storage_io c = {
        .name = "storage_io",
        .title = "Summed disk throughput",
        .ylabel = "MiB/s",
        .n = 4,
        .step_s = 900,
        .scale = 1024,
        .t = t,
        .read = rd,
        .write = wr,
        .p95 = 4.5,
        .peak = 5,
        .p95_label = "p95 of the sum",
        .peak_label = "peak of the sum",
    };
    golden("storage_io", rpt_storage_gp_io(&c));
    golden("storage_wan", rpt_storage_gp_wan(1e12, 1e11, 2e10));
}

/* 1,000 one-minute steps become hourly points (rpt_chart_bucket_s), each the step where
 * read + write peaks in its hour: the stack top is that hour's true maximum. */
static void
test_downsample(void **state)
{
    (void)state;
    enum { N = 1000 };
    double t[N], rd[N], wr[N];
    for (size_t k = 0; k < N; k++) {
        t[k] = 1e9 + 60.0 * (double)(k + 1);
        rd[k] = (double)((k * 37) % 101);
        wr[k] = (double)((k * 11) % 53);
    }
    struct rpt_storage_io c = {.name = "x",
                               .title = "x",
                               .ylabel = "IOPS",
                               .n = N,
                               .step_s = 60,
                               .scale = 1,
                               .t = t,
                               .read = rd,
                               .write = wr,
                               .p95 = NAN,
                               .peak = NAN};
    char *s = rpt_storage_gp_io(&c), *p = strstr(s, "$data << EOD\n") + 13;
    size_t h = 0;
    for (; strncmp(p, "EOD", 3) != 0; p = strchr(p, '\n') + 1, h++) {
        double tt, a, b, want = 0;
        assert_int_equal(sscanf(p, "%lf %lf %lf", &tt, &a, &b), 3);
        for (size_t k = h * 60; k < (h + 1) * 60 && k < N; k++)
            want = fmax(want, rd[k] + wr[k]);
        assert_true(b == want);
    }
    assert_int_equal(h, (N + 59) / 60);
    free(s);
}

int
main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-fixture") == 0)
        return fx_storage_write(tu_root(), "datasets/storage", argv[2]) < 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_equal_storage_csv),
        cmocka_unit_test(test_options_ranked),
        cmocka_unit_test(test_chart_peak),
        cmocka_unit_test(test_no_storage),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_golden_io),
        cmocka_unit_test(test_downsample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
