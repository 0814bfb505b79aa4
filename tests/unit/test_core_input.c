/* core on hostile input (issue 18): message escaping, number parsing, the BOM (also
 * split across reads), names with control bytes, samples ranges, odd files, and the
 * linear inventory reorder. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "core/ks_fault.h"
#include "tests/unit/test_util.h"

/* No byte of s is a control byte. */
static int
printable(const char *s)
{
    return ks_ctrl_at(s) < 0;
}

static void
test_errf_escapes_control_bytes(void **state)
{
    (void)state;
    struct ks_err err = {0};
    ks_errf(&err, -EINVAL, "entity '%s' bad", "a\nb\tc\rd\x1b[2J\x7f\x01");
    assert_string_equal(err.msg, "entity 'a\\nb\\tc\\rd\\x1b[2J\\x7f\\x01' bad");
    ks_err_prefix(&err, "%s: ", "cmd\x1b");
    assert_string_equal(err.msg, "cmd\\x1b: entity 'a\\nb\\tc\\rd\\x1b[2J\\x7f\\x01' bad");
    /* UTF-8 passes unchanged */
    ks_err_clear(&err);
    ks_errf(&err, -EINVAL, "%s", "caf\xc3\xa9");
    assert_string_equal(err.msg, "caf\xc3\xa9");
}

static void
test_err_addline_is_the_only_newline(void **state)
{
    (void)state;
    struct ks_err err = {0};
    ks_err_addline(&err, "ignored: no error yet");
    assert_int_equal(err.msg[0], '\0');
    ks_errf(&err, -EINVAL, "2 problems:");
    ks_err_addline(&err, "f:2: '%s'", "x\ny");
    ks_err_addline(&err, "f:3: ok");
    assert_string_equal(err.msg, "2 problems:\n  f:2: 'x\\ny'\n  f:3: ok");
}

static void
test_escape_truncates_whole_escapes(void **state)
{
    (void)state;
    char b[6];
    assert_int_equal(ks_escape(b, sizeof b, "ab\x1b"), 2); /* \x1b (4 bytes) does not fit */
    assert_string_equal(b, "ab");
    /* a long message full of control bytes stays within msg and NUL-terminated */
    char raw[2000];
    memset(raw, '\x1b', sizeof raw - 1);
    raw[sizeof raw - 1] = '\0';
    struct ks_err err = {0};
    ks_errf(&err, -EINVAL, "%s", raw);
    assert_true(strlen(err.msg) < sizeof err.msg);
    assert_true(printable(err.msg));
    assert_int_equal(strlen(err.msg) % 4, 0);
}

static void
test_parse_double_decimal_only(void **state)
{
    (void)state;
    double v = -1;
    static const char *const bad[] = {"0x10", "0X1p3", "inf", "-inf", "nan", "infinity",
                                      " 1",   "1 ",    "1e309", "1,5", "", "e5", "1e"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(ks_parse_double(bad[i], &v), -EINVAL);
    assert_int_equal(ks_parse_double("1e-320", &v), 0); /* underflow: a number */
    assert_true(v > 0 && v < 1e-300);
    assert_int_equal(ks_parse_double("1e-400", &v), 0);
    assert_true(v == 0);
    assert_int_equal(ks_parse_double("1e308", &v), 0);
    assert_true(v == 1e308);
    assert_int_equal(ks_parse_double("-2.5E+3", &v), 0);
    assert_true(v == -2500);
}

static void
test_fmt_whole_is_compact(void **state)
{
    (void)state;
    char b[KS_NUMBUF];
    assert_string_equal(ks_fmt_whole(b, 9332.4), "9332");
    assert_string_equal(ks_fmt_whole(b, -7), "-7");
    assert_string_equal(ks_fmt_whole(b, 1e308), "1e+308");
    assert_string_equal(ks_fmt_whole(b, -1.5e15), "-1.5e+15");
    assert_string_equal(ks_fmt_whole(b, NAN), "NaN");
}

/* The first field of the first row, read from buf. */
static void
first_field(const char *buf, size_t len, const char *want)
{
    struct ks_err err = {0};
    const struct ks_csv_row *row;
    struct ks_csv_reader *r = ks_csv_open_mem(buf, len, ',', "mem");
    assert_int_equal(ks_csv_next(r, &row, &err), 1);
    assert_string_equal(row->f[0], want);
    ks_csv_close(r);
}

static void
test_bom_skipped_in_memory(void **state)
{
    (void)state;
    first_field("\xef\xbb\xbf" "entity,kind\n", 15, "entity");
    first_field("\xef\xbb\xbf\"entity\",kind\n", 17, "entity"); /* quoted after the mark */
    first_field("\xef\xbbx,y\n", 6, "\xef\xbbx");                 /* not a mark: data */
    first_field("\xef\xbb\xbf\xef\xbb\xbf" "a\n", 8, "\xef\xbb\xbf" "a"); /* only one */
    first_field("a\xef\xbb\xbf,b\n", 7, "a\xef\xbb\xbf");      /* only at the start */
}

/* One byte per read: the mark arrives in three reads and is still skipped. */
static void
test_bom_split_across_reads(void **state)
{
    (void)state;
    char *d = tu_tmpdir(), p[4200];
    tu_write(d, "t.csv", "\xef\xbb\xbf" "entity,kind\nweb1,vm\n");
    snprintf(p, sizeof p, "%s/t.csv", d);
    for (int split = 0; split < 2; split++) {
        struct ks_err err = {0};
        struct ks_csv_reader *r;
        const struct ks_csv_row *row;
        if (split)
            assert_int_equal(ks_fault_set("short-read@1", &err), 0);
        assert_int_equal(ks_csv_open(p, ',', &r, &err), 0);
        assert_int_equal(ks_csv_next(r, &row, &err), 1);
        assert_string_equal(row->f[0], "entity");
        assert_int_equal(ks_csv_next(r, &row, &err), 1);
        assert_string_equal(row->f[0], "web1");
        ks_csv_close(r);
        ks_fault_set(NULL, NULL);
    }
    tu_write(d, "u.csv", "\xef\xbb" "x,y\n");
    snprintf(p, sizeof p, "%s/u.csv", d);
    struct ks_err err = {0};
    struct ks_csv_reader *r;
    const struct ks_csv_row *row;
    assert_int_equal(ks_fault_set("short-read@1", &err), 0);
    assert_int_equal(ks_csv_open(p, ',', &r, &err), 0);
    assert_int_equal(ks_csv_next(r, &row, &err), 1);
    assert_string_equal(row->f[0], "\xef\xbbx");
    ks_csv_close(r);
    ks_fault_set(NULL, NULL);
    free(d);
}

static void
test_csv_open_refuses_fifo_and_directory(void **state)
{
    (void)state;
    char *d = tu_tmpdir(), p[4200];
    struct ks_err err = {0};
    struct ks_csv_reader *r = NULL;
    snprintf(p, sizeof p, "%s/fifo", d);
    assert_int_equal(mkfifo(p, 0600), 0);
    assert_int_equal(ks_csv_open(p, ',', &r, &err), -EINVAL); /* returns, does not block */
    assert_non_null(strstr(err.msg, "not a regular file (a FIFO)"));
    unlink(p);
    ks_err_clear(&err);
    assert_int_equal(ks_csv_open(d, ',', &r, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "not a regular file (a directory)"));
    rmdir(d);
    free(d);
}

static void
test_check_name(void **state)
{
    (void)state;
    struct ks_err err = {0};
    assert_int_equal(ks_dataset_check_name("f.csv", 3, "column 'entity'", "web 01 \xc3\xa9", &err),
                     0);
    assert_int_equal(ks_dataset_check_name("f.csv", 3, "column 'entity'", NULL, &err), 0);
    assert_int_equal(ks_dataset_check_name("f.csv", 3, "column 'entity'", "vm\n!id", &err),
                     -EINVAL);
    assert_string_equal(err.msg, "f.csv:3: column 'entity': 'vm\\n!id' holds a control "
                                 "character (byte 0x0a at offset 2); names must be printable");
    ks_err_clear(&err);
    assert_int_equal(ks_dataset_check_name("dir/x", 0, "file name", "x\x7f", &err), -EINVAL);
    assert_non_null(strstr(err.msg, "dir/x: file name: 'x\\x7f'"));
}

static const char *HDR = "time,entity,interval_s,cpu_pct,cpu_steal_pct,disk_util_pct,"
                         "mem_used_MiB,ipc\n";

/* Parse HDR + row against a one-entity inventory; returns the code, message in err. */
static int
parse_samples(const char *row, struct ks_err *err)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s%s\n", HDR, row);
    struct ks_dataset *ds = ks_dataset_new();
    ks_dataset_add_entity(ds, "web1", "physical");
    struct ks_csv_reader *r = ks_csv_open_mem(buf, strlen(buf), ',', "s.csv");
    int rc = ks_samples_parse(ds, r, err);
    ks_csv_close(r);
    ks_dataset_free(ds);
    return rc;
}

static void
test_samples_ranges(void **state)
{
    (void)state;
    static const struct {
        const char *row, *msg;
    } cases[] = {
        {"60,web1,60,100.01,,,,", "s.csv:2: column 4 (cpu_pct): '100.01' is outside 0-100"},
        {"60,web1,60,-0.01,,,,", "s.csv:2: column 4 (cpu_pct): '-0.01' is outside 0-100"},
        {"60,web1,60,,101,,,", "column 5 (cpu_steal_pct): '101' is outside 0-100"},
        {"60,web1,60,,,150,,", "column 6 (disk_util_pct): '150' is outside 0-100"},
        {"60,web1,60,,,,-1,", "column 7 (mem_used_MiB): '-1' is negative"},
        {"60,web1,60,,,,,-1e-9", "column 8 (ipc): '-1e-9' is negative"},
        {"60,web1,60,0x10,,,,", "column 4 (cpu_pct): '0x10' is not a number"},
        {"60,web1,-60,,,,,", "column 3 (interval_s) must be > 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct ks_err err = {0};
        assert_int_equal(parse_samples(cases[i].row, &err), -EINVAL);
        if (!strstr(err.msg, cases[i].msg))
            fail_msg("row '%s': got '%s', want '%s'", cases[i].row, err.msg, cases[i].msg);
    }
    struct ks_err err = {0};
    assert_int_equal(parse_samples("60,web1,60,0,0,100,0,0", &err), 0); /* the bounds */
    assert_int_equal(parse_samples("60,web1,60,1e-320,,,,", &err), 0);
    assert_int_equal(parse_samples("60,web1,60,,,,,", &err), 0); /* empty = unknown */
}

/* A dataset directory: inventory text, then optional samples/flows set up by the test. */
static int
read_ds(const char *d, struct ks_err *err)
{
    struct ks_dataset *ds = NULL;
    int rc = ks_dataset_read(d, &ds, err);
    ks_dataset_free(ds);
    return rc;
}

static void
test_dataset_names_links_and_counts(void **state)
{
    (void)state;
    char *d = tu_tmpdir(), p[4200];
    struct ks_err err = {0};
    tu_write(d, "inventory.csv", "entity,kind,hostname\n\"a\x1b]0;t\x07\",vm,\n");
    assert_int_equal(read_ds(d, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "inventory.csv:2: column 'entity': 'a\\x1b]0;t\\x07'"));
    ks_err_clear(&err);
    tu_write(d, "inventory.csv", "entity,kind,hostname,cores\na,vm,\"h\r\",\n");
    assert_int_equal(read_ds(d, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "column 'hostname': 'h\\r'"));
    ks_err_clear(&err);
    tu_write(d, "inventory.csv", "entity,kind,cores\na,vm,-2\n");
    assert_int_equal(read_ds(d, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "inventory.csv:2: column 'cores': '-2' is negative"));
    ks_err_clear(&err);
    tu_write(d, "inventory.csv", "\xef\xbb\xbf" "entity,kind\na,vm\n");
    assert_int_equal(read_ds(d, &err), 0);
    snprintf(p, sizeof p, "%s/samples.csv", d);
    assert_int_equal(symlink("gone.csv", p), 0);
    assert_int_equal(read_ds(d, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "samples.csv: cannot open: dangling symbolic link"));
    unlink(p);
    ks_err_clear(&err);
    tu_write(d, "flows.csv", "time,entity,src,dst,proto,dport,bytes,packets\n"
                             "60,a,10.0.0.1,\"10.0.0.2\n\",tcp,80,1,1\n");
    assert_int_equal(read_ds(d, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "flows.csv:3: column 'dst': '10.0.0.2\\n'"));
    snprintf(p, sizeof p, "%s/flows.csv", d);
    unlink(p);
    snprintf(p, sizeof p, "%s/inventory.csv", d);
    unlink(p);
    rmdir(d);
    free(d);
}

/* Extra inventory columns keep their values and order after the canonical ones, and a
 * repeated column name keeps the last value (as the one-by-one reorder did). */
static void
test_inventory_reorder(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    struct ks_err err = {0};
    struct ks_dataset *ds = NULL;
    tu_write(d, "inventory.csv", "zz,entity,rack,kind,rack,cores\n1,a,R1,vm,R2,4\n2,b,,vm,R3,\n");
    assert_int_equal(ks_dataset_read(d, &ds, &err), 0);
    assert_int_equal(ds->inv.ncols, KS_INV_NCOLS + 2);
    assert_string_equal(ds->inv.cols[KS_INV_NCOLS], "zz");
    assert_string_equal(ds->inv.cols[KS_INV_NCOLS + 1], "rack");
    assert_string_equal(ks_inv_str(ds, 0, "rack"), "R2");
    assert_string_equal(ks_inv_str(ds, 1, "zz"), "2");
    assert_string_equal(ks_inv_str(ds, 0, "cores"), "4");
    assert_null(ks_inv_str(ds, 1, "cores"));
    assert_int_equal(ks_dataset_find(ds, "b"), 1);
    ks_dataset_free(ds);
    char p[4200];
    snprintf(p, sizeof p, "%s/inventory.csv", d);
    unlink(p);
    rmdir(d);
    free(d);
}

/* A metric mask (ks_dataset_read_keep): kept columns stored, the others NULL as if
 * absent, and a bad value in a column not kept is still the error naming file, line
 * and column (plan must not accept a file that report refuses). */
static void
test_keep_mask(void **state)
{
    (void)state;
    char *d = tu_tmpdir(), p[4200];
    struct ks_err err = {0};
    struct ks_dataset *ds = NULL;
    tu_write(d, "inventory.csv", "entity,kind\na,vm\nb,vm\n");
    tu_write(d, "samples.csv",
             "time,entity,interval_s,cpu_pct,mem_used_MiB,ipc\n"
             "60,a,60,12.5,100,0.5\n\"60\",\"b\",60,7,200,1.5\n");
    assert_int_equal(ks_dataset_read_keep(d, 1u << KS_CPU_PCT | 1u << KS_NET_RX_KIBPS, &ds, &err),
                     0);
    assert_int_equal(ds->s.nrows, 2);
    assert_non_null(ds->s.m[KS_CPU_PCT]);
    assert_true(ds->s.m[KS_CPU_PCT][0] == 12.5 && ds->s.m[KS_CPU_PCT][1] == 7);
    assert_null(ds->s.m[KS_MEM_USED_MIB]);
    assert_null(ds->s.m[KS_IPC]);
    assert_null(ds->s.m[KS_NET_RX_KIBPS]); /* kept but absent */
    ks_dataset_free(ds);
    ds = NULL;
    assert_int_equal(ks_dataset_read_keep(d, 0, &ds, &err), 0); /* 0: all */
    assert_non_null(ds->s.m[KS_IPC]);
    assert_true(ds->s.m[KS_MEM_USED_MIB][1] == 200);
    ks_dataset_free(ds);
    static const struct {
        const char *rows, *msg;
    } bad[] = {
        {"60,a,60,1,2,x1\n", "samples.csv:2: column 6 (ipc): 'x1' is not a number"},
        {"60,a,60,1,2,0\n120,b,60,1,-2,0\n", "samples.csv:3: column 5 (mem_used_MiB): '-2'"},
        {"60,\"a\",60,1,2,1e9\n", "samples.csv:2: column 6 (ipc): '1e9' is above 1000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[256];
        snprintf(text, sizeof text, "time,entity,interval_s,cpu_pct,mem_used_MiB,ipc\n%s",
                 bad[i].rows);
        tu_write(d, "samples.csv", text);
        ds = NULL;
        ks_err_clear(&err);
        assert_int_equal(ks_dataset_read_keep(d, 1u << KS_CPU_PCT, &ds, &err), -EINVAL);
        ks_dataset_free(ds);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("rows '%s': got '%s', want '%s'", bad[i].rows, err.msg, bad[i].msg);
    }
    snprintf(p, sizeof p, "%s/samples.csv", d);
    unlink(p);
    snprintf(p, sizeof p, "%s/inventory.csv", d);
    unlink(p);
    rmdir(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errf_escapes_control_bytes),
        cmocka_unit_test(test_err_addline_is_the_only_newline),
        cmocka_unit_test(test_escape_truncates_whole_escapes),
        cmocka_unit_test(test_parse_double_decimal_only),
        cmocka_unit_test(test_fmt_whole_is_compact),
        cmocka_unit_test(test_bom_skipped_in_memory),
        cmocka_unit_test(test_bom_split_across_reads),
        cmocka_unit_test(test_csv_open_refuses_fifo_and_directory),
        cmocka_unit_test(test_check_name),
        cmocka_unit_test(test_samples_ranges),
        cmocka_unit_test(test_dataset_names_links_and_counts),
        cmocka_unit_test(test_inventory_reorder),
        cmocka_unit_test(test_keep_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
