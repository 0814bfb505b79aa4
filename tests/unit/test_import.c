/* import: golden files per format, unit conversions, bad input, skips, the merge. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "collect/col_import.h"
#include "collect/col_xlsx.h"
#include "core/ks_dataset.h"
#include "tests/unit/test_util.h"

static char root[2048];

static const char *
src(const char *rel)
{
    static char buf[4][4096];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", root, rel);
    return buf[k];
}

/* Run an import of inputs (NULL-terminated, relative to the source tree). */
static int
run(struct col_import_opts *o, const char *format, const char *const *inputs, const char *out,
    struct col_import_report *rep, struct ks_err *err)
{
    static char *paths[8];
    size_t n = 0;
    for (; inputs[n]; n++) {
        free(paths[n]);
        paths[n] = strdup(src(inputs[n]));
    }
    o->format = format;
    o->inputs = paths;
    o->ninputs = n;
    o->out_dir = out;
    return col_import_run(o, rep, err);
}

static void
assert_same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = tu_slurp(a, &la), *y = tu_slurp(b, &lb);
    assert_non_null(x);
    assert_non_null(y);
    if (la != lb || memcmp(x, y, la) != 0)
        fail_msg("%s differs from golden %s", a, b);
    free(x);
    free(y);
}

static void
check_golden(const char *out, const char *golden, int with_samples)
{
    const char *files[] = {"inventory.csv", "coverage.csv", "samples.csv"};
    for (int i = 0; i < 2 + with_samples; i++) {
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s/%s", out, files[i]);
        snprintf(b, sizeof b, "%s/%s", src(golden), files[i]);
        assert_same_file(a, b);
    }
    /* The output is a dataset the rest of kasane reads. */
    struct ks_dataset *ds = NULL;
    struct ks_err err = {0};
    assert_int_equal(ks_dataset_read(out, &ds, &err), 0);
    ks_dataset_free(ds);
}

static void
golden_case(const char *format, const char *const *inputs, const char *golden,
            void (*tweak)(struct col_import_opts *), int with_samples)
{
    struct col_import_opts o;
    struct col_import_report rep;
    struct ks_err err = {0};
    char *d = tu_tmpdir();
    col_import_opts_init(&o);
    if (tweak)
        tweak(&o);
    int rc = run(&o, format, inputs, d, &rep, &err);
    if (rc != 0)
        fail_msg("%s import failed: %s", format, err.msg);
    check_golden(d, golden, with_samples);
    col_import_report_fini(&rep);
    tu_rmrf(d);
    free(d);
}

static void
cloudsim(struct col_import_opts *o)
{
    o->cloudsim_types = 1;
}

static void
core2000(struct col_import_opts *o)
{
    o->core_MHz = 2000;
}

static void
test_golden_planetlab(void **state)
{
    (void)state;
    const char *in[] = {"tests/fixtures/import/planetlab/20110303", NULL};
    golden_case("planetlab", in, "tests/fixtures/import/golden/planetlab", cloudsim, 1);
}

static void
test_golden_bitbrains(void **state)
{
    (void)state;
    const char *in[] = {"tests/fixtures/import/bitbrains", NULL};
    golden_case("bitbrains", in, "tests/fixtures/import/golden/bitbrains", NULL, 1);
    const char *real[] = {"datasets/public/bitbrains/rnd-2013-7-1-head.csv", NULL};
    golden_case("bitbrains", real, "tests/fixtures/import/golden/bitbrains_public", NULL, 1);
}

static void
test_golden_sar(void **state)
{
    (void)state;
    const char *in[] = {"tests/fixtures/import/sar/two_hosts.txt", NULL};
    golden_case("sar", in, "tests/fixtures/import/golden/sar", core2000, 1);
}

static void
test_golden_rvtools(void **state)
{
    (void)state;
    const char *in[] = {"tests/fixtures/import/rvtools/vInfo_v3.csv",
                        "tests/fixtures/import/rvtools/vInfo_v4_semicolon.csv", NULL};
    golden_case("rvtools", in, "tests/fixtures/import/golden/rvtools", NULL, 0);
}

/* Import and read back as a dataset; caller frees. */
static struct ks_dataset *
import_read(struct col_import_opts *o, const char *format, const char *const *in,
            struct col_import_report *rep)
{
    struct ks_err err = {0};
    struct ks_dataset *ds = NULL;
    char *d = tu_tmpdir();
    if (run(o, format, in, d, rep, &err) != 0)
        fail_msg("import failed: %s", err.msg);
    assert_int_equal(ks_dataset_read(d, &ds, &err), 0);
    tu_rmrf(d);
    free(d);
    return ds;
}

static void
core2400(struct col_import_opts *o)
{
    o->core_MHz = 2400;
}

/* RVTools 4.x: a directory of CSV tabs, the same export as a workbook (same bytes out),
 * and a German export (';', decimal commas, WAHR/FALSCH, BOM, CRLF). */
static void
test_golden_rvtools_export(void **state)
{
    (void)state;
    const char *dir[] = {"tests/fixtures/import/rvtools4", NULL};
    golden_case("rvtools", dir, "tests/fixtures/import/golden/rvtools4", core2400, 0);
    const char *book[] = {"tests/fixtures/import/rvtools4_xlsx/RVTools_export_all.xlsx", NULL};
    golden_case("rvtools", book, "tests/fixtures/import/golden/rvtools4", core2400, 0);
    const char *de[] = {"tests/fixtures/import/rvtools_de", NULL};
    golden_case("rvtools", de, "tests/fixtures/import/golden/rvtools_de", NULL, 0);
}

/* What the golden holds, said plainly: one name under two vCenters is two VMs, a VM
 * has its host's clock and CPU model, hosts are kind host with SMT threads, vCPU and
 * vMemory join in, a VM whose host has no vHost row has no clock (and a note says so). */
static void
test_rvtools_estate(void **state)
{
    (void)state;
    struct col_import_opts o;
    struct col_import_report rep;
    col_import_opts_init(&o);
    const char *in[] = {"tests/fixtures/import/rvtools4", NULL};
    struct ks_dataset *ds = import_read(&o, "rvtools", in, &rep);
    long a = ks_dataset_find(ds, "web01@vc1.example.com");
    long b = ks_dataset_find(ds, "web01@vc2.example.com");
    assert_true(a >= 0 && b >= 0 && ks_dataset_find(ds, "web01") < 0);
    assert_string_equal(ks_inv_str(ds, a, "host"), "esx01.example.com");
    assert_true(ks_inv_num(ds, a, "core_MHz") == 1995 && ks_inv_num(ds, a, "threads") == 2);
    assert_string_equal(ks_inv_str(ds, b, "cpu_model"), "AMD EPYC 7543 32-Core Processor");
    assert_string_equal(ks_inv_str(ds, b, "vcenter"), "vc2.example.com");
    long h = ks_dataset_find(ds, "esx01.example.com"),
         h11 = ks_dataset_find(ds, "esx11.example.com");
    assert_string_equal(ks_inv_str(ds, h, "kind"), "host");
    assert_true(ks_inv_num(ds, h, "cores") == 64 && ks_inv_num(ds, h, "threads") == 128);
    assert_true(ks_inv_num(ds, h11, "threads") == 32); /* HT available, not active */
    assert_true(ks_inv_num(ds, h, "mem_MiB") == 1048063 && ks_inv_num(ds, h, "sockets") == 2);
    long app = ks_dataset_find(ds, "app01"), db = ks_dataset_find(ds, "db01");
    assert_true(isnan(ks_inv_num(ds, app, "core_MHz")));
    assert_string_equal(ks_inv_str(ds, app, "host"), "esx09.example.com");
    assert_non_null(strstr(rep.notes[rep.nnotes - 1], "1 VMs have no clock speed"));
    assert_int_equal(ks_dataset_find(ds, "tmpl-w2k19"), -1);
    assert_true(ks_inv_num(ds, db, "cpu_reservation_MHz") == 4000 &&
                ks_inv_num(ds, db, "sockets") == 2 &&
                ks_inv_num(ds, db, "mem_reservation_MiB") == 32768);
    assert_true(ks_inv_num(ds, b, "cpu_limit_MHz") == 3000 &&
                ks_inv_num(ds, b, "mem_limit_MiB") == 6144);
    assert_true(isnan(ks_inv_num(ds, a, "cpu_limit_MHz"))); /* -1: unlimited */
    assert_int_equal(ks_dataset_nent(ds), 9);
    col_import_report_fini(&rep);
    ks_dataset_free(ds);
    /* a vHost tab without the VI SDK Server column still gives vInfo's VM its host */
    const char *old[] = {"tests/fixtures/import/rvtools_oldhost", NULL};
    ds = import_read(&o, "rvtools", old, &rep);
    long m = ks_dataset_find(ds, "mail01");
    assert_true(ks_inv_num(ds, m, "core_MHz") == 2933);
    assert_string_equal(ks_inv_str(ds, m, "host"), "esx21.example.com");
    col_import_report_fini(&rep);
    ks_dataset_free(ds);
}

/* Rows of the workbook's vHost sheet, kept for the checks. */
struct xrows {
    unsigned long lines[8];
    size_t n, model, ht, speed;
    char model0[64], ht0[8], speed0[16];
};

static int
xlsx_row(void *ctx, const struct ks_csv_row *row, struct ks_err *err)
{
    struct xrows *x = ctx;
    (void)err;
    if (x->n == 0)
        for (size_t c = 0; c < row->n; c++) {
            x->model = strcmp(row->f[c], "CPU Model") == 0 ? c : x->model;
            x->ht = strcmp(row->f[c], "HT Active") == 0 ? c : x->ht;
            x->speed = strcmp(row->f[c], "Speed") == 0 ? c : x->speed;
        }
    if (x->n == 1) {
        snprintf(x->model0, sizeof x->model0, "%s", row->f[x->model]);
        snprintf(x->ht0, sizeof x->ht0, "%s", row->f[x->ht]);
        snprintf(x->speed0, sizeof x->speed0, "%s", row->f[x->speed]);
    }
    if (x->n < 8)
        x->lines[x->n] = row->line;
    x->n++;
    return 0;
}

/* The workbook reader on its own: sheet names (case ignored), shared strings, numbers,
 * booleans as True/False, row numbers as Excel shows them. */
static void
test_xlsx_reader(void **state)
{
    (void)state;
    struct col_xlsx *x;
    struct ks_err err = {0};
    struct xrows r = {0};
    assert_int_equal(
        col_xlsx_open(src("tests/fixtures/import/rvtools4_xlsx/RVTools_export_all.xlsx"), &x, &err),
        0);
    assert_int_equal(col_xlsx_nsheets(x), 4);
    assert_string_equal(col_xlsx_sheet_name(x, 0), "vInfo");
    long s = col_xlsx_find_sheet(x, "VHOST");
    assert_int_equal(s, 3);
    assert_int_equal(col_xlsx_find_sheet(x, "vDisk"), -1);
    assert_int_equal(col_xlsx_each_row(x, (size_t)s, xlsx_row, &r, &err), 0);
    assert_int_equal(r.n, 4);
    assert_true(r.lines[0] == 1 && r.lines[3] == 4);
    assert_string_equal(r.model0, "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz");
    assert_string_equal(r.ht0, "True");
    assert_string_equal(r.speed0, "1995");
    col_xlsx_free(x);
    assert_int_equal(
        col_xlsx_open(src("tests/fixtures/import/rvtools_bad/not_a_zip.xlsx"), &x, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "not a zip archive"));
    assert_null(x);
}

static void
web01_hw(struct col_import_opts *o)
{
    o->mem_MiB = 16384;
    o->core_MHz = 3400;
    o->cores = 4;
    o->cpu_model = "Intel(R) Xeon(R) E-2224 CPU @ 3.40GHz";
}

/* typeperf's CSV: bias -60 (W. Europe), four Processor(N) instances (threads 4), a row
 * of blanks (a gap), a decimal comma, the busiest disk, the isatap pseudo-NIC summed. */
static void
test_golden_perfmon(void **state)
{
    (void)state;
    const char *in[] = {"tests/fixtures/import/perfmon/WEB01_typeperf.csv", NULL};
    golden_case("perfmon", in, "tests/fixtures/import/golden/perfmon", web01_hw, 1);
}

/* relog's CSV with two hosts: one entity each, UTC = local + bias, a host that did not
 * answer gets a gap, Bytes Total/sec is split half each way, CPU clamped to 100. */
static void
test_perfmon_hosts(void **state)
{
    (void)state;
    struct col_import_opts o;
    struct col_import_report rep;
    col_import_opts_init(&o);
    o.mem_MiB = 8192;
    o.core_MHz = 2000;
    o.threads = 8;
    const char *in[] = {"tests/fixtures/import/perfmon/two_hosts_relog.csv", NULL};
    struct ks_dataset *ds = import_read(&o, "perfmon", in, &rep);
    const struct ks_samples *s = &ds->s;
    long sql = ks_dataset_find(ds, "SQL01"), app = ks_dataset_find(ds, "APP01");
    assert_true(sql >= 0 && app >= 0);
    assert_true(s->time[0] == 1796100900); /* 11/30/2026 23:55 EST + 300 min */
    size_t nsql = 0, napp = 0;
    for (size_t r = 0; r < s->nrows; r++) {
        double cpu = ks_samples_get(s, r, KS_CPU_PCT);
        assert_true(cpu <= 100 && s->interval_s[r] == 300);
        if (s->ent[r] == (uint32_t)sql) {
            nsql++;
            assert_true(ks_samples_get(s, r, KS_MEM_USED_MIB) >= 24576); /* Committed Bytes */
        } else if (napp++ == 0) {
            assert_true(ks_samples_get(s, r, KS_NET_RX_KIBPS) == 100);
            assert_true(ks_samples_get(s, r, KS_NET_TX_KIBPS) == 100);
            assert_true(ks_samples_get(s, r, KS_MEM_USED_MIB) == 8192 - 3072);
            assert_true(ks_samples_get(s, r, KS_CPU_MHZ) == 10.0 / 100 * 8 * 2000);
        }
    }
    assert_true(nsql == 5 && napp == 4);
    assert_non_null(strstr(ks_inv_str(ds, app, "notes"), "half counted each way"));
    col_import_report_fini(&rep);
    ks_dataset_free(ds);
}

/* typeperf's console lines in a saved stdout and a daylight-saving fall-back are
 * skipped and counted, never read as samples. */
static void
test_perfmon_skips(void **state)
{
    (void)state;
    struct col_import_opts o;
    struct col_import_report rep;
    col_import_opts_init(&o);
    const char *out[] = {"tests/fixtures/import/perfmon/typeperf_stdout.csv", NULL};
    struct ks_dataset *ds = import_read(&o, "perfmon", out, &rep);
    assert_true(rep.rows_skipped == 2 && ds->s.nrows == 3);
    assert_true(ks_samples_get(&ds->s, 1, KS_CPU_PCT) == 7.5); /* "7,5" */
    col_import_report_fini(&rep);
    ks_dataset_free(ds);
    const char *dst[] = {"tests/fixtures/import/perfmon/dst_fallback.csv", NULL};
    ds = import_read(&o, "perfmon", dst, &rep);
    assert_true(rep.rows_skipped == 2 && ds->s.nrows == 3);
    assert_non_null(strstr(rep.notes[0], "daylight-saving"));
    col_import_report_fini(&rep);
    ks_dataset_free(ds);
}

/* Units: KB -> MiB (/1024), KB/s = KiB/s unchanged, MHz unchanged, on the real sample. */
static void
test_units_bitbrains_real(void **state)
{
    (void)state;
    struct col_import_opts o;
    struct col_import_report rep;
    const char *in[] = {"datasets/public/bitbrains/rnd-2013-7-1-head.csv", NULL};
    col_import_opts_init(&o);
    struct ks_dataset *ds = import_read(&o, "bitbrains", in, &rep);
    const struct ks_samples *s = &ds->s;
    assert_int_equal(s->nrows, 9);
    assert_true(s->time[0] == 1372629804); /* seconds, despite the [ms] label */
    assert_true(fabs(ks_samples_get(s, 0, KS_MEM_USED_MIB) - 1034592.8 / 1024) < 1e-9);
    assert_true(ks_samples_get(s, 0, KS_MEM_TOTAL_MIB) == 8218624.0 / 1024);
    assert_true(ks_samples_get(s, 0, KS_CPU_MHZ) == 87.7799835);
    assert_true(ks_samples_get(s, 0, KS_DISK_READ_KIBPS) == 160.86666666666667);
    assert_true(ks_samples_get(s, 0, KS_NET_TX_KIBPS) == 1.4666666666666666);
    assert_true(ks_inv_num(ds, 0, "cores") == 2);
    assert_true(fabs(ks_inv_num(ds, 0, "core_MHz") - 5851.9989 / 2) < 0.001);
    /* The sample's clock has holes: they show as gaps and low coverage. */
    assert_true(rep.gaps > 0);
    assert_true(rep.ent[0].coverage_pct < 20 && rep.ent[0].stars == 1);
    col_import_report_fini(&rep);
    ks_dataset_free(ds);
}

/* The real PlanetLab files: one row per line, cpu_MHz = pct x size / 100, 5-min steps. */
static void
test_units_planetlab_real(void **state)
{
    (void)state;
    struct col_import_opts o;
    struct col_import_report rep;
    const char *in[] = {"datasets/public/planetlab/20110303", NULL};
    col_import_opts_init(&o);
    o.vm_MHz = 2600;
    o.vm_mem_MiB = 1024;
    struct ks_dataset *ds = import_read(&o, "planetlab", in, &rep);
    const struct ks_samples *s = &ds->s;
    assert_int_equal(ks_dataset_nent(ds), 8);
    assert_int_equal(s->nrows, 8 * 288);
    assert_true(s->time[0] == 1299110400 + 300); /* 2011-03-03 00:05 UTC */
    assert_true(s->time[s->nrows - 1] == 1299110400 + 86400);
    for (size_t r = 0; r < s->nrows; r++) {
        double pct = ks_samples_get(s, r, KS_CPU_PCT);
        assert_true(pct >= 0 && pct <= 100 && pct == floor(pct));
        assert_true(ks_samples_get(s, r, KS_CPU_MHZ) == pct * 2600 / 100);
        assert_true(ks_samples_get(s, r, KS_MEM_TOTAL_MIB) == 1024);
        if (r)
            assert_true(s->time[r] >= s->time[r - 1]);
    }
    /* First value of the first file, read independently. */
    char *first = tu_slurp(src("datasets/public/planetlab/20110303/"
                               "146-179_surfsnel_dsl_internl_net_colostate_557"),
                           NULL);
    long ent = ks_dataset_find(ds, "146-179_surfsnel_dsl_internl_net_colostate_557");
    assert_true(ent >= 0);
    for (size_t r = 0; r < s->nrows; r++)
        if (s->ent[r] == (uint32_t)ent) {
            assert_true(ks_samples_get(s, r, KS_CPU_PCT) == atof(first));
            break;
        }
    free(first);
    assert_int_equal(rep.ent[0].stars, 5);
    col_import_report_fini(&rep);
    ks_dataset_free(ds);
}

/* Expect an error whose message holds want (file:line and field). */
static void
expect_error(const char *format, const char *input, const char *want)
{
    struct col_import_opts o;
    struct col_import_report rep;
    struct ks_err err = {0};
    const char *in[] = {input, NULL};
    char *d = tu_tmpdir();
    col_import_opts_init(&o);
    o.start_s = 0;
    if (strcmp(format, "planetlab") != 0)
        o.start_s = NAN;
    int rc = run(&o, format, in, d, &rep, &err);
    if (rc >= 0 || !strstr(err.msg, want))
        fail_msg("%s on %s: rc %d, message '%s', want '%s'", format, input, rc, err.msg, want);
    col_import_report_fini(&rep);
    tu_rmrf(d);
    free(d);
}

static void
test_bad_input_errors(void **state)
{
    (void)state;
    const char *b = "tests/fixtures/import/";
    char p[512];
    struct {
        const char *fmt, *file, *want;
    } cases[] = {
        {"planetlab", "planetlab_bad/negative", "negative:2: CPU -5% is outside 0-100"},
        {"planetlab", "planetlab_bad/over100", "over100:2: CPU 101%"},
        {"planetlab", "planetlab_bad/nonnumeric", "nonnumeric:2: 'abc' is not a CPU"},
        {"bitbrains", "bitbrains_bad/bad_comma.csv", "bad_comma.csv:1: not a GWA-T-12 header"},
        {"bitbrains", "bitbrains_bad/bad_planetlab_header.csv", ":1: not a GWA-T-12 header"},
        {"bitbrains", "bitbrains_bad/bad_negative.csv",
         ":3: field 'Disk write throughput [KB/s]': -50 is negative"},
        {"bitbrains", "bitbrains_bad/bad_nonnumeric.csv", ":2: field 'CPU usage [%]': 'n/a'"},
        {"bitbrains", "bitbrains_bad/bad_backwards.csv", ":3: field 'Timestamp [ms]': time goes"},
        {"sar", "sar/bad_noheader.txt", "bad_noheader.txt:1: not sadf -d output"},
        {"sar", "sar/bad_nonnumeric.txt", "bad_nonnumeric.txt:2: field '%idle': 'abc'"},
        {"sar", "bitbrains/vm7.csv", "vm7.csv:1: not sadf -d output"},
        {"rvtools", "rvtools/bad_nonnumeric.csv", "bad_nonnumeric.csv:2: field 'CPUs': 'two'"},
        {"rvtools", "rvtools/bad_other_format.csv", ":1: missing column 'CPUs'"},
        {"rvtools", "rvtools_bad/vhost_no_model",
         "RVTools_tabvHost.csv:1: missing column 'CPU Model'"},
        {"rvtools", "rvtools_bad/only_vhost", "only_vhost: no vInfo tab"},
        {"rvtools", "rvtools_bad/not_a_zip.xlsx",
         "not_a_zip.xlsx: not an xlsx workbook: not a zip"},
        {"rvtools", "rvtools_bad/ambiguous_de.csv", ":2: field 'Memory': '1.024' is not a number"},
        {"rvtools", "rvtools_bad/two_marks_de.csv", ":3: field 'CPUs': '2,5,1'"},
        {"perfmon", "perfmon_bad/no_cpu.csv",
         ":1: host 'DB02': missing counter '\\\\DB02\\Processor(_Total)"},
        {"perfmon", "perfmon_bad/avail_no_total.csv", "'Available MBytes' needs --mem-MiB"},
        {"perfmon", "perfmon_bad/no_bias.csv", "no_bias.csv:1: first cell"},
        {"perfmon", "perfmon_bad/bad_value.csv",
         ":3: column 2 ('\\\\DB02\\Processor(_Total)\\% Processor Time'): 'n/a'"},
        {"perfmon", "perfmon_bad/bad_time.csv", ":2: time '2026-12-01 10:00:00' is not MM/DD/YYYY"},
        {"perfmon", "perfmon_bad/overflow.csv", ":2: host 'DB02': net_tx_KiBps is out of range"},
        {"perfmon", "perfmon_bad/no_host.csv", ":1: column 2: '\\Processor(_Total)"},
        {"perfmon", "sar/two_hosts.txt", "two_hosts.txt:1: first cell '# hostname"},
        {"planetlab", "planetlab/20110303/README.txt", "README.txt:1: 'PlanetLab traces"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(p, sizeof p, "%s%s", b, cases[i].file);
        expect_error(cases[i].fmt, p, cases[i].want);
    }
}

/* Skips are counted and reported, and never leave a wrong value behind. */
static void
test_skips_counted(void **state)
{
    (void)state;
    struct col_import_opts o;
    struct col_import_report rep;
    col_import_opts_init(&o);
    const char *pl[] = {"tests/fixtures/import/planetlab/20110303", NULL};
    struct ks_dataset *ds = import_read(&o, "planetlab", pl, &rep);
    assert_int_equal(rep.files_skipped, 3); /* README.txt, .hidden, subdir */
    assert_int_equal(rep.files_read, 3);
    assert_int_equal(ks_dataset_nent(ds), 3); /* no entity for a skipped file */
    assert_true(rep.nnotes == 3 && strstr(rep.notes[2], "README.txt: skipped"));
    assert_true(isnan(ks_samples_get(&ds->s, 0, KS_CPU_MHZ))); /* no size: unknown, not 0 */
    assert_non_null(strstr(ks_inv_str(ds, 0, "notes"), "VM size unknown"));
    col_import_report_fini(&rep);
    ks_dataset_free(ds);

    const char *tr[] = {"tests/fixtures/import/planetlab_bad/truncated", NULL};
    o.start_s = 0;
    ds = import_read(&o, "planetlab", tr, &rep);
    assert_int_equal(rep.rows_skipped, 1);
    assert_int_equal(ds->s.nrows, 2); /* "3" without newline is not kept */
    assert_non_null(strstr(rep.notes[0], "truncated:3: last line has no newline"));
    col_import_report_fini(&rep);
    ks_dataset_free(ds);

    col_import_opts_init(&o);
    const char *bt[] = {"tests/fixtures/import/bitbrains_bad/bad_truncated.csv", NULL};
    ds = import_read(&o, "bitbrains", bt, &rep);
    assert_int_equal(rep.rows_skipped, 1);
    assert_int_equal(ds->s.nrows, 1);
    col_import_report_fini(&rep);
    ks_dataset_free(ds);

    const char *bb[] = {"tests/fixtures/import/bitbrains", NULL};
    ds = import_read(&o, "bitbrains", bb, &rep);
    assert_int_equal(rep.files_skipped, 1); /* README.txt */
    assert_int_equal(rep.dups_skipped, 1);  /* vm7.csv line 4 */
    col_import_report_fini(&rep);
    ks_dataset_free(ds);
}

/* The same day twice: the merge keeps one row per (entity, time), sorted by time. */
static void
test_merge_duplicates_across_runs(void **state)
{
    (void)state;
    struct col_import_opts o;
    struct col_import_report rep;
    col_import_opts_init(&o);
    o.start_s = 1000;
    const char *in[] = {"tests/fixtures/import/planetlab/20110303",
                        "tests/fixtures/import/planetlab/20110303/vmA", NULL};
    struct ks_dataset *ds = import_read(&o, "planetlab", in, &rep);
    assert_int_equal(ds->s.nrows, 8);
    assert_int_equal(rep.dups_skipped, 3);
    for (size_t r = 1; r < ds->s.nrows; r++)
        assert_true(ds->s.time[r] >= ds->s.time[r - 1]);
    col_import_report_fini(&rep);
    ks_dataset_free(ds);
}

static void
test_fmt_num(void **state)
{
    (void)state;
    char b[KS_NUMBUF];
    assert_string_equal(col_fmt_num(b, 0.05), "0.05");
    assert_string_equal(col_fmt_num(b, 12.5), "12.5");
    assert_string_equal(col_fmt_num(b, -3), "-3");
    assert_string_equal(col_fmt_num(b, 1700000300), "1700000300");
    assert_string_equal(col_fmt_num(b, 79.046875), "79.046875");
    assert_string_equal(col_fmt_num(b, NAN), "");
    assert_string_equal(col_fmt_num(b, 0.1 + 0.2), "0.30000000000000004");
    /* Every value reads back exactly. */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v = (double)(x % 2000000000) / (double)(1 + x % 1000), back;
        if (i % 2)
            v = col_round(v, (int)(x % 7));
        assert_int_equal(ks_parse_double(col_fmt_num(b, v), &back), 0);
        assert_true(back == v);
    }
}

static void
test_stars(void **state)
{
    (void)state;
    assert_int_equal(col_import_stars(0), 1);
    assert_int_equal(col_import_stars(20), 1);
    assert_int_equal(col_import_stars(20.5), 2);
    assert_int_equal(col_import_stars(40), 2);
    assert_int_equal(col_import_stars(60), 3);
    assert_int_equal(col_import_stars(80), 4);
    assert_int_equal(col_import_stars(81), 5);
    assert_int_equal(col_import_stars(100), 5);
}

int
main(void)
{
    const char *r = getenv("KASANE_ROOT");
    snprintf(root, sizeof root, "%s", r ? r : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_planetlab),
        cmocka_unit_test(test_golden_bitbrains),
        cmocka_unit_test(test_golden_sar),
        cmocka_unit_test(test_golden_rvtools),
        cmocka_unit_test(test_golden_rvtools_export),
        cmocka_unit_test(test_rvtools_estate),
        cmocka_unit_test(test_xlsx_reader),
        cmocka_unit_test(test_golden_perfmon),
        cmocka_unit_test(test_perfmon_hosts),
        cmocka_unit_test(test_perfmon_skips),
        cmocka_unit_test(test_units_bitbrains_real),
        cmocka_unit_test(test_units_planetlab_real),
        cmocka_unit_test(test_bad_input_errors),
        cmocka_unit_test(test_skips_counted),
        cmocka_unit_test(test_merge_duplicates_across_runs),
        cmocka_unit_test(test_fmt_num),
        cmocka_unit_test(test_stars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
