/* Output directories (core/ks_outdir.h) and their manifests (core/ks_manifest.h): a
 * manifest lists exactly what was written and catches every later change; staging
 * replaces only what it may, swaps whole, and leaves nothing behind on failure. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "core/ks_fault.h"
#include "core/ks_manifest.h"
#include "core/ks_merge.h"
#include "core/ks_outdir.h"
#include "test_util.h"

static char *
path_of(const char *dir, const char *name)
{
    return ks_xasprintf("%s/%s", dir, name);
}

/* Entries of dir other than . and .. */
static int
nentries(const char *dir)
{
    char *cmd = ks_xasprintf("ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    free(cmd);
    return n;
}

/* A directory with two files and a subdirectory, and its manifest. */
static char *
written_dir(void)
{
    char *d = tu_tmpdir();
    char *sub = path_of(d, "charts");
    tu_write(d, "a.csv", "x,y\n1,2\n");
    tu_write(d, "b.csv", "k,v\n");
    assert_int_equal(mkdir(sub, 0777), 0);
    tu_write(sub, "c.svg", "<svg/>");
    free(sub);
    struct ks_err err = {0};
    assert_int_equal(ks_manifest_write(d, "plan", "kasane plan 'x\ny'", &err), 0);
    return d;
}

static void
rm_rf(char *d)
{
    ks_rmtree(d);
    free(d);
}

static void
test_manifest_lists_files(void **state)
{
    (void)state;
    char *d = written_dir(), *m = path_of(d, KS_MANIFEST_NAME);
    char *text = tu_slurp(m, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "kasane_manifest,1\nkind,plan\n"));
    assert_non_null(strstr(text, "a.csv,8,"));
    assert_non_null(strstr(text, "charts/c.svg,6,"));
    /* a control character in the command line cannot start a line of its own */
    assert_non_null(strstr(text, "command,kasane plan 'x\\x0ay'\n"));
    struct ks_err err = {0};
    char kind[32];
    assert_int_equal(ks_manifest_check(d, &err), 0);
    assert_int_equal(ks_manifest_kind(d, kind, sizeof kind, &err), 1);
    assert_string_equal(kind, "plan");
    free(text);
    free(m);
    rm_rf(d);
}

static void
test_check_without_manifest_passes(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    tu_write(d, "a.csv", "x\n");
    struct ks_err err = {0};
    char kind[32];
    assert_int_equal(ks_manifest_check(d, &err), 0);
    assert_int_equal(ks_manifest_kind(d, kind, sizeof kind, &err), 0);
    rm_rf(d);
}

/* Each kind of change is refused with the file named and what differs. */
static void
test_check_catches_changes(void **state)
{
    (void)state;
    struct {
        const char *name, *text, *want;
    } cases[] = {
        {"a.csv", "x,y\n1,2\n3,4\n", "a.csv: size 12 differs from manifest.csv's 8"},
        {"a.csv", "x,y\n1,3\n", "a.csv: content differs from manifest.csv"},
        {"stale.csv", "old\n", "stale.csv: not listed in manifest.csv"},
        {"b.csv", NULL, "b.csv: listed in manifest.csv but missing"},
        {"new\nline", "z\n", "new\\x0aline: not listed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *d = written_dir();
        if (cases[i].text) {
            tu_write(d, cases[i].name, cases[i].text);
        } else {
            char *p = path_of(d, cases[i].name);
            unlink(p);
            free(p);
        }
        struct ks_err err = {0};
        assert_true(ks_manifest_check(d, &err) < 0);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: '%s' does not say '%s'", i, err.msg, cases[i].want);
        assert_non_null(strstr(err.msg, "re-run the command"));
        rm_rf(d);
    }
}

static void
test_check_catches_bad_manifest(void **state)
{
    (void)state;
    char *d = written_dir();
    tu_write(d, KS_MANIFEST_NAME, "kasane_manifest,1\nkind,plan\npath,bytes,xxh3_64\na.csv,8,zzzzzzzzzzzzzzzz\n");
    struct ks_err err = {0};
    assert_true(ks_manifest_check(d, &err) < 0);
    assert_non_null(strstr(err.msg, "manifest.csv:4: column 'xxh3_64'"));
    rm_rf(d);
}

/* A fresh destination: created whole, staging gone, manifest inside. */
static void
test_outdir_new_and_replace(void **state)
{
    (void)state;
    char *top = tu_tmpdir(), *dest = path_of(top, "out/plan");
    struct ks_outdir_opts o = {.kind = KS_OUTDIR_OUTPUT, .what = "plan", .cmd = "plan"};
    struct ks_outdir *od;
    struct ks_err err = {0};
    int existing = -1;
    assert_int_equal(ks_outdir_begin(dest, &o, &od, &existing, &err), 0);
    assert_int_equal(existing, 0);
    tu_write(ks_outdir_path(od), "old.csv", "1\n");
    assert_int_equal(ks_outdir_commit(od, &err), 0);
    char *out = path_of(top, "out");
    assert_int_equal(nentries(out), 1); /* no staging directory beside it */
    assert_int_equal(ks_manifest_check(dest, &err), 0);
    /* again: a plan kasane wrote is replaced, and none of its files survive */
    assert_int_equal(ks_outdir_begin(dest, &o, &od, &existing, &err), 0);
    assert_int_equal(existing, 1);
    tu_write(ks_outdir_path(od), "new.csv", "2\n");
    assert_int_equal(ks_outdir_commit(od, &err), 0);
    char *old = path_of(dest, "old.csv");
    assert_int_equal(access(old, F_OK), -1);
    assert_int_equal(nentries(dest), 2); /* new.csv, manifest.csv */
    assert_int_equal(nentries(out), 1);
    free(old);
    free(out);
    free(dest);
    rm_rf(top);
}

static void
test_outdir_refusals(void **state)
{
    (void)state;
    char *top = tu_tmpdir(), *mine = path_of(top, "mine"), *ds = path_of(top, "ds");
    struct ks_err err = {0};
    struct ks_outdir *od;
    assert_int_equal(mkdir(mine, 0777), 0);
    tu_write(mine, "notes.txt", "mine\n");
    /* a directory kasane did not write: refused, named, kept */
    struct ks_outdir_opts plan = {.kind = KS_OUTDIR_OUTPUT, .what = "plan", .cmd = "plan"};
    assert_int_equal(ks_outdir_begin(mine, &plan, &od, NULL, &err), -EEXIST);
    assert_non_null(strstr(err.msg, "notes.txt"));
    assert_non_null(strstr(err.msg, "--force"));
    /* a dataset kasane wrote is not a plan */
    assert_int_equal(mkdir(ds, 0777), 0);
    tu_write(ds, "inventory.csv", "entity,kind\n");
    assert_int_equal(ks_manifest_write(ds, "dataset", NULL, &err), 0);
    ks_err_clear(&err);
    assert_int_equal(ks_outdir_begin(ds, &plan, &od, NULL, &err), -EEXIST);
    assert_non_null(strstr(err.msg, "holds a dataset"));
    /* gen/import: any non-empty directory, manifest or not */
    struct ks_outdir_opts gen = {.kind = KS_OUTDIR_DATASET, .what = "dataset", .cmd = "gen"};
    ks_err_clear(&err);
    assert_int_equal(ks_outdir_begin(ds, &gen, &od, NULL, &err), -EEXIST);
    /* the working directory and its parents: never, even with force */
    gen.force = 1;
    char *cwd = getcwd(NULL, 0);
    assert_int_equal(chdir(mine), 0);
    const char *never[] = {".", "..", "/", mine};
    for (size_t i = 0; i < sizeof never / sizeof *never; i++) {
        ks_err_clear(&err);
        assert_int_equal(ks_outdir_begin(never[i], &gen, &od, NULL, &err), -EINVAL);
    }
    assert_int_equal(chdir(cwd), 0);
    /* --force replaces */
    ks_err_clear(&err);
    assert_int_equal(ks_outdir_begin(mine, &gen, &od, NULL, &err), 0);
    assert_int_equal(ks_outdir_commit(od, &err), 0);
    assert_int_equal(nentries(mine), 1); /* manifest.csv only */
    free(cwd);
    free(mine);
    free(ds);
    rm_rf(top);
}

/* A failure after staging: the destination as it was, no staging left, the message
 * naming the destination rather than the staging directory. */
static void
test_outdir_abort_keeps_old(void **state)
{
    (void)state;
    char *top = tu_tmpdir(), *dest = path_of(top, "plan");
    struct ks_outdir_opts o = {.kind = KS_OUTDIR_OUTPUT, .what = "plan", .cmd = "plan"};
    struct ks_outdir *od;
    struct ks_err err = {0};
    assert_int_equal(ks_outdir_begin(dest, &o, &od, NULL, &err), 0);
    tu_write(ks_outdir_path(od), "hosts.csv", "h\n");
    assert_int_equal(ks_outdir_commit(od, &err), 0);
    assert_int_equal(ks_outdir_begin(dest, &o, &od, NULL, &err), 0);
    tu_write(ks_outdir_path(od), "half.csv", "h");
    ks_errf(&err, -ENOSPC, "%s/half.csv: cannot write: No space left on device",
            ks_outdir_path(od));
    ks_outdir_abort(od, &err);
    char *want = ks_xasprintf("%s/half.csv: cannot write", dest);
    assert_string_equal(strstr(err.msg, want) == err.msg ? want : err.msg, want);
    assert_int_equal(nentries(top), 1);
    assert_int_equal(nentries(dest), 2); /* hosts.csv, manifest.csv */
    ks_err_clear(&err);
    assert_int_equal(ks_manifest_check(dest, &err), 0);
    free(want);
    free(dest);
    rm_rf(top);
}

/* Out of memory while staging: the process aborts, and the staging directory (with
 * the atomic file open in it) is gone. */
static void
test_outdir_oom_removes_staging(void **state)
{
    (void)state;
    char *top = tu_tmpdir(), *dest = path_of(top, "ds");
    pid_t pid = fork();
    if (pid == 0) {
        struct ks_outdir_opts o = {.kind = KS_OUTDIR_DATASET, .what = "dataset", .cmd = "gen"};
        struct ks_outdir *od;
        struct ks_afile af;
        freopen("/dev/null", "w", stderr);
        if (ks_outdir_begin(dest, &o, &od, NULL, NULL) < 0)
            _exit(3);
        char *p = path_of(ks_outdir_path(od), "samples.csv");
        ks_afile_open(&af, p, NULL);
        fputs("time\n", af.f);
        fflush(af.f);
        ks_alloc_fail_after(1);
        free(ks_xmalloc(16));
        _exit(4); /* not reached */
    }
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    assert_int_equal(nentries(top), 0);
    free(dest);
    rm_rf(top);
}

/* A dataset for append: entity e1 at the given times, e2 only in `add`. */
static struct ks_dataset *
ds_at(const double *t, size_t n, int with_e2)
{
    struct ks_dataset *ds = ks_dataset_new();
    double m[KS_NMETRIC];
    for (int k = 0; k < KS_NMETRIC; k++)
        m[k] = NAN;
    size_t e1 = ks_dataset_add_entity(ds, "e1", "physical");
    size_t e2 = with_e2 ? ks_dataset_add_entity(ds, "e2", "vm") : 0;
    ks_inv_set_num(ds, e1, "cores", with_e2 ? NAN : 4);
    for (size_t i = 0; i < n; i++) {
        m[KS_CPU_PCT] = (double)i;
        ks_samples_append(&ds->s, t[i], (uint32_t)e1, 300, m);
        if (with_e2)
            ks_samples_append(&ds->s, t[i], (uint32_t)e2, 300, m);
    }
    ds->has_samples = 1;
    return ds;
}

static void
test_append_merges_and_refuses_overlap(void **state)
{
    (void)state;
    double t_old[] = {300, 600, 900}, t_new[] = {1200, 1500}, t_overlap[] = {900, 1200};
    struct ks_dataset *old = ds_at(t_old, 3, 0), *add = ds_at(t_new, 2, 1);
    struct ks_dataset *bad = ds_at(t_overlap, 2, 0), *out = NULL;
    struct ks_err err = {0};
    assert_int_equal(ks_dataset_append(old, "t/ds", add, &out, &err), 0);
    assert_int_equal(ks_dataset_nent(out), 2);
    assert_int_equal(out->s.nrows, 3 + 4);
    for (size_t r = 1; r < out->s.nrows; r++)
        assert_true(out->s.time[r - 1] <= out->s.time[r]);
    /* the appended import did not know cores: the dataset's value stays */
    tu_assert_near(ks_inv_num(out, 0, "cores"), 4, 0);
    ks_dataset_free(out);
    out = NULL;
    assert_int_equal(ks_dataset_append(old, "t/ds", bad, &out, &err), -EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, "entity 'e1'"));
    assert_non_null(strstr(err.msg, "1970-01-01 00:15:00 UTC .. 1970-01-01 00:20:00 UTC"));
    assert_non_null(strstr(err.msg, "already in t/ds (1970-01-01 00:05:00 UTC .."));
    ks_dataset_free(old);
    ks_dataset_free(add);
    ks_dataset_free(bad);
}

/* A killed run's staging directory (its pid gone) is removed by the next run; one
 * whose pid still runs, and names that only look alike, are left alone. */
static void
test_outdir_removes_stale_staging(void **state)
{
    (void)state;
    char *top = tu_tmpdir(), *dest = path_of(top, "plan");
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    assert_true(dead > 0);
    assert_int_equal(waitpid(dead, NULL, 0), dead);
    char *stale = ks_xasprintf("%s/.plan.staging.%ld", top, (long)dead);
    char *stale_old = ks_xasprintf("%s.old", stale);
    char *live = ks_xasprintf("%s/.plan.staging.%ld", top, (long)getppid());
    char *other = path_of(top, ".plan.staging.12x");
    char *cousin = ks_xasprintf("%s/.planb.staging.%ld", top, (long)dead);
    char *dirs[] = {stale, stale_old, live, other, cousin};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        assert_int_equal(mkdir(dirs[i], 0777), 0);
        tu_write(dirs[i], "hosts.csv", "h\n");
    }
    struct ks_outdir_opts o = {.kind = KS_OUTDIR_OUTPUT, .what = "plan", .cmd = "plan"};
    struct ks_outdir *od;
    struct ks_err err = {0};
    assert_int_equal(ks_outdir_begin(dest, &o, &od, NULL, &err), 0);
    assert_int_equal(ks_outdir_commit(od, &err), 0);
    assert_int_equal(access(stale, F_OK), -1);
    assert_int_equal(access(stale_old, F_OK), -1);
    assert_int_equal(access(live, F_OK), 0);
    assert_int_equal(access(other, F_OK), 0);
    assert_int_equal(access(cousin, F_OK), 0);
    assert_int_equal(nentries(top), 4); /* plan, live, other, cousin */
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        free(dirs[i]);
    free(dest);
    rm_rf(top);
}

/* A symbolic link planted at the temporary file's name is neither followed nor
 * truncated: the file is written under another temporary name. */
static void
test_afile_ignores_planted_link(void **state)
{
    (void)state;
    char *top = tu_tmpdir(), *victim = path_of(top, "victim"), *out = path_of(top, "out.csv");
    tu_write(top, "victim", "precious\n");
    char *tmp = ks_xasprintf("%s.tmp.%ld", out, (long)getpid());
    assert_int_equal(symlink(victim, tmp), 0);
    struct ks_afile af;
    struct ks_err err = {0};
    assert_int_equal(ks_afile_open(&af, out, &err), 0);
    assert_string_not_equal(af.tmp, tmp);
    fputs("a,b\n", af.f);
    assert_int_equal(ks_afile_commit(&af, &err), 0);
    char buf[64] = "";
    FILE *f = fopen(victim, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "precious\n");
    f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "a,b\n");
    free(tmp);
    free(victim);
    free(out);
    rm_rf(top);
}

/* A dataset's samples.csv is hashed as it is read (ks_samples_read_checked), not in a
 * pass of its own: an edit that keeps its size is still refused, on one thread and on
 * two (the file is over 1 MiB so that it is split), and it is the manifest's error,
 * not the parse's, that names an edit which also breaks a row. */
static void
test_dataset_samples_hashed_while_read(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    tu_write(d, "inventory.csv", "entity,kind\nsrv1,physical\nsrv2,physical\n");
    size_t cap = 2u << 20, n = 0;
    char *t = malloc(cap);
    n += (size_t)snprintf(t, cap, "time,entity,interval_s,cpu_pct\n");
    size_t rows = 0;
    for (int s = 0; n < (3u << 19); s++)
        for (int e = 1; e <= 2; e++, rows++)
            n += (size_t)snprintf(t + n, cap - n, "%d,srv%d,300,%d.5\n", 1000 + 300 * s, e,
                                  (s * 7 + e) % 90);
    tu_write(d, "samples.csv", t);
    struct ks_err err = {0};
    assert_int_equal(ks_manifest_write(d, "dataset", "test", &err), 0);
    /* the same size each time: the size check cannot see these */
    const struct {
        size_t at;
        char to;
    } edits[] = {{n - 4, '1' + (t[n - 4] == '1')}, /* a value near the end, still valid */
                 {n / 4, 'x'}};                    /* a letter in the first part */
    for (int threads = 1; threads <= 2; threads++) {
        setenv("KASANE_READ_THREADS", threads == 1 ? "1" : "2", 1);
        struct ks_dataset *ds = NULL;
        assert_int_equal(ks_dataset_read(d, &ds, &err), 0);
        assert_int_equal(ds->s.nrows, rows);
        ks_dataset_free(ds);
        for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
            char was = t[edits[i].at];
            t[edits[i].at] = edits[i].to;
            tu_write(d, "samples.csv", t);
            ds = NULL;
            assert_int_equal(ks_dataset_read(d, &ds, &err), -EINVAL);
            assert_null(ds);
            assert_non_null(strstr(err.msg, "samples.csv: content differs from manifest.csv"));
            t[edits[i].at] = was;
            tu_write(d, "samples.csv", t);
        }
    }
    unsetenv("KASANE_READ_THREADS");
    free(t);
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_lists_files),
        cmocka_unit_test(test_check_without_manifest_passes),
        cmocka_unit_test(test_check_catches_changes),
        cmocka_unit_test(test_check_catches_bad_manifest),
        cmocka_unit_test(test_dataset_samples_hashed_while_read),
        cmocka_unit_test(test_outdir_new_and_replace),
        cmocka_unit_test(test_outdir_refusals),
        cmocka_unit_test(test_outdir_abort_keeps_old),
        cmocka_unit_test(test_outdir_oom_removes_staging),
        cmocka_unit_test(test_append_merges_and_refuses_overlap),
        cmocka_unit_test(test_outdir_removes_stale_staging),
        cmocka_unit_test(test_afile_ignores_planted_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
