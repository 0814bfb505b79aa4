/* collect: the sampler on fixture trees, the dataset writer (append, header check,
 * torn rows, full disk, rotation, reopen) and the run loop with a fake clock-waiter. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/col_run.h"
#include "collect/col_sampler.h"
#include "collect/col_writer.h"
#include "core/ks_dataset.h"
#include "tests/unit/test_util.h"

static char *
fixture_seq(const char *scenario, int n)
{
    const char *root = getenv("KASANE_ROOT");
    char buf[4096] = "";
    for (int i = 1; i <= n; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, sizeof buf - l, "%s%s/tests/fixtures/proc/%s/%d", i > 1 ? "," : "",
                 root ? root : ".", scenario, i);
    }
    return strdup(buf);
}

static struct col_sampler *
fixture_sampler(const char *scenario, int n)
{
    char *seq = fixture_seq(scenario, n);
    struct col_opts o = {.root = seq, .root_seq = 1};
    struct col_sampler *s = NULL;
    struct ks_err err = {0};
    int rc = col_sampler_new(&o, &s, &err);
    if (rc < 0)
        fprintf(stderr, "sampler: %s\n", err.msg);
    free(seq);
    assert_int_equal(rc, 0);
    return s;
}

static void
test_sampler_steal_rising(void **state)
{
    (void)state;
    struct col_sampler *s = fixture_sampler("steal-rising", 3);
    struct col_snapshot snap;
    struct ks_err err = {0};
    col_snapshot_init(&snap);
    assert_int_equal(col_sampler_sample(s, &snap, &err), 0);
    assert_int_equal(snap.baseline, 1);
    assert_true(isnan(snap.m[KS_CPU_PCT]));
    assert_int_equal(col_sampler_sample(s, &snap, &err), 0);
    assert_int_equal(snap.baseline, 0);
    assert_true(snap.interval_s == 10 && snap.time_s == 1700001010);
    assert_true(snap.uptime_s == 1010);
    assert_true(snap.m[KS_CPU_PCT] == 60 && snap.m[KS_CPU_STEAL_PCT] == 20);
    assert_true(snap.m[KS_CPU_MHZ] == 2400);
    assert_int_equal(snap.ncpu, 2);
    assert_true(snap.cpu[1].online && snap.cpu[1].pct.steal == 20);
    assert_int_equal(snap.ndisk, 1);
    assert_string_equal(snap.disk[0].name, "vda");
    assert_int_equal(col_sampler_sample(s, &snap, &err), 0);
    assert_true(snap.m[KS_CPU_PCT] == 70 && snap.m[KS_CPU_STEAL_PCT] == 40);
    /* past the last tree: the last one sticks, its clock does not move */
    assert_int_equal(col_sampler_sample(s, &snap, &err), 0);
    assert_int_equal(snap.baseline, 1);
    assert_string_equal(snap.events, "clock_stalled");
    const struct col_inventory *inv = col_sampler_inventory(s);
    assert_string_equal(inv->kind, "vm");
    assert_string_equal(inv->hypervisor, "kvm");
    assert_string_equal(col_sampler_sources(s), "cpu,mem,disk,net");
    col_snapshot_fini(&snap);
    col_sampler_free(s);
}

static void
test_sampler_nic_devices(void **state)
{
    (void)state;
    struct col_sampler *s = fixture_sampler("nic-removed", 3);
    struct col_snapshot snap;
    struct ks_err err = {0};
    col_snapshot_init(&snap);
    col_sampler_sample(s, &snap, &err);
    col_sampler_sample(s, &snap, &err);
    assert_int_equal(snap.nnic, 4); /* lo, eth0, ifb0, eth1: all listed for top */
    int counted = 0;
    for (size_t i = 0; i < snap.nnic; i++)
        counted += snap.nic[i].counted;
    assert_int_equal(counted, 2);
    assert_true(snap.nic[1].speed_Mbps == 1000 && snap.nic[0].speed_Mbps == -1);
    col_sampler_sample(s, &snap, &err);
    assert_int_equal(snap.nnic, 3);
    assert_string_equal(snap.events, "nic_gone:eth1");
    col_snapshot_fini(&snap);
    col_sampler_free(s);
}

static void
test_sampler_bad_options(void **state)
{
    (void)state;
    struct col_opts o = {.root = "/nonexistent-kasane"};
    struct col_sampler *s = NULL;
    struct ks_err err = {0};
    assert_true(col_sampler_new(&o, &s, &err) < 0);
    assert_non_null(strstr(err.msg, "/nonexistent-kasane"));
    struct col_opts o2 = {.only = "cpu,gpu"};
    ks_err_clear(&err);
    assert_true(col_sampler_new(&o2, &s, &err) < 0);
    assert_non_null(strstr(err.msg, "unknown source 'gpu'"));
}

/* A snapshot with known values for writer tests. */
static void
fake_snap(struct col_snapshot *s, double t)
{
    col_snapshot_clear(s);
    s->time_s = t;
    s->interval_s = 10;
    for (int i = 0; i < KS_NMETRIC; i++)
        s->m[i] = i == KS_IPC ? NAN : 1.0 / 3 + i;
    struct col_cpu_row *c = col_snapshot_add_cpu(s);
    c->cpu = 0;
    c->online = 1;
    c->pct.busy = 50;
}

static int
count_lines(const char *path)
{
    char *b = tu_slurp(path, NULL);
    int n = 0;
    for (char *p = b; p && *p; p++)
        n += *p == '\n';
    free(b);
    return n;
}

static struct col_writer *
open_writer(const char *dir, ssize_t (*fn)(int, const void *, size_t), uint64_t rot)
{
    struct col_writer_opts o = {.dir = dir, .entity = "web1", .write_fn = fn, .rotate_bytes = rot};
    struct col_inventory inv;
    memset(&inv, 0, sizeof inv);
    inv.kind = "physical";
    inv.hypervisor = "none";
    inv.sockets = inv.cores = inv.threads = -1;
    inv.core_MHz = inv.mem_MiB = inv.nic_Mbps = NAN;
    struct col_writer *w = NULL;
    struct ks_err err = {0};
    int rc = col_writer_open(&o, &inv, &w, &err);
    if (rc < 0)
        fprintf(stderr, "writer: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return w;
}

/* Writer tests share a scratch dataset directory and a snapshot. */
struct wfix {
    char *d;
    struct col_snapshot s;
};

static int
wsetup(void **state)
{
    struct wfix *f = calloc(1, sizeof *f);
    f->d = tu_tmpdir();
    col_snapshot_init(&f->s);
    *state = f;
    return 0;
}

static int
wteardown(void **state)
{
    struct wfix *f = *state;
    col_snapshot_fini(&f->s);
    tu_rmrf(f->d);
    free(f->d);
    free(f);
    return 0;
}

static void
test_writer_append_and_read_back(void **state)
{
    struct wfix *f = *state;
    char *d = f->d;
    struct col_snapshot *s = &f->s;
    struct ks_err err = {0};
    struct col_writer *w = open_writer(d, NULL, 0);
    fake_snap(s, 1700000010);
    assert_int_equal(col_writer_put(w, s, &err), 0);
    s->baseline = 1;
    assert_int_equal(col_writer_put(w, s, &err), 0); /* baselines write nothing */
    assert_int_equal(col_writer_close(w, &err), 0);
    w = open_writer(d, NULL, 0); /* append to the same dataset */
    fake_snap(s, 1700000020);
    assert_int_equal(col_writer_put(w, s, &err), 0);
    col_writer_close(w, &err);
    /* a third run whose clock is behind the file: written just after the last row */
    w = open_writer(d, NULL, 0);
    fake_snap(s, 1700000015.5);
    assert_int_equal(col_writer_put(w, s, &err), 0);
    col_writer_close(w, &err);
    char p[4200];
    snprintf(p, sizeof p, "%s/samples.csv", d);
    assert_int_equal(count_lines(p), 4);
    char *text = tu_slurp(p, NULL);
    assert_non_null(strstr(text, "\n1700000020.001,web1,"));
    assert_non_null(strstr(text, ",time_clamped:1700000015.500\n"));
    assert_int_equal(strstr(text, "time_clamped") - strrchr(text, ','), 1); /* once */
    free(text);
    snprintf(p, sizeof p, "%s/cores.csv", d);
    assert_int_equal(count_lines(p), 4);
    struct ks_dataset *ds = NULL;
    assert_int_equal(ks_dataset_read(d, &ds, &err), 0);
    assert_int_equal(ds->s.nrows, 3);
    assert_true(ks_samples_get(&ds->s, 1, KS_CPU_PCT) == 0.333); /* rounded to 1e-3 */
    assert_string_equal(ks_inv_str(ds, 0, "kind"), "physical");
    ks_dataset_free(ds);
}

static void
test_writer_header_mismatch_and_torn_row(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    struct ks_err err = {0};
    struct col_writer *w = NULL;
    struct col_writer_opts o = {.dir = d, .entity = "x"};
    tu_write(d, "samples.csv", "time,entity,interval_s,cpu_pct,other\n1,x,10,5,1\n");
    assert_int_equal(col_writer_open(&o, NULL, &w, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "samples.csv:1: header differs"));
    assert_non_null(strstr(err.msg, "column 5 is 'other'"));
    char p[4200];
    snprintf(p, sizeof p, "%s/samples.csv", d);
    char *kept = tu_slurp(p, NULL);
    assert_string_equal(kept, "time,entity,interval_s,cpu_pct,other\n1,x,10,5,1\n");
    free(kept);
    /* our header, one whole row and a torn one: the torn fragment is cut, nothing else */
    char *hdr = col_writer_samples_header(), body[8192];
    snprintf(body, sizeof body, "%s1700000000,x,10%s\n1700000010,x,1", hdr,
             ",1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,");
    tu_write(d, "samples.csv", body);
    ks_err_clear(&err);
    o.no_cores = 1;
    assert_int_equal(col_writer_open(&o, NULL, &w, &err), 0);
    col_writer_close(w, &err);
    assert_int_equal(count_lines(p), 2);
    char *after = tu_slurp(p, NULL);
    assert_int_equal(strncmp(after, body, strlen(after)), 0);
    assert_int_equal(after[strlen(after) - 1], '\n');
    free(after);
    free(hdr);
    tu_rmrf(d);
    free(d);
}

/* write(2) on a disk that fills up: while fail_calls > 0, each row gets a short write
 * (half of it lands in the file) and then ENOSPC for the rest. */
static int fail_calls;
static ssize_t
full_disk_write(int fd, const void *buf, size_t n)
{
    if (fail_calls <= 0)
        return write(fd, buf, n);
    if (fail_calls-- % 2 == 1) {
        errno = ENOSPC;
        return -1;
    }
    return write(fd, buf, n / 2);
}

static void
test_writer_full_disk_gap(void **state)
{
    struct wfix *f = *state;
    char *d = f->d;
    struct col_snapshot *s = &f->s;
    struct ks_err err = {0};
    struct col_writer *w = open_writer(d, full_disk_write, 0);
    fake_snap(s, 1700000010);
    assert_int_equal(col_writer_put(w, s, &err), 0);
    fail_calls = 6; /* three rows lost, each half-written before the error */
    for (int i = 0; i < 3; i++) {
        fake_snap(s, 1700000020 + 10 * i);
        ks_err_clear(&err);
        assert_int_equal(col_writer_put(w, s, &err), -ENOSPC);
        assert_non_null(strstr(err.msg, "no space left"));
    }
    fake_snap(s, 1700000050);
    assert_int_equal(col_writer_put(w, s, &err), 0);
    assert_int_equal(col_writer_dropped(w), 3);
    col_writer_close(w, &err);
    struct ks_dataset *ds = NULL;
    assert_int_equal(ks_dataset_read(d, &ds, &err), 0); /* whole rows only */
    assert_int_equal(ds->s.nrows, 2);
    /* the row after the gap says how long it was */
    size_t gap = SIZE_MAX, ev = SIZE_MAX;
    for (size_t j = 0; j < ds->s.nextra; j++) {
        if (strcmp(ds->s.extra_names[j], "gap_s") == 0)
            gap = j;
        if (strcmp(ds->s.extra_names[j], "events") == 0)
            ev = j;
    }
    assert_true(gap != SIZE_MAX && ev != SIZE_MAX);
    assert_string_equal(ds->s.extra[1 * ds->s.nextra + gap], "30");
    assert_string_equal(ds->s.extra[1 * ds->s.nextra + ev], "gap:3_rows_lost");
    assert_null(ds->s.extra[0 * ds->s.nextra + gap]);
    ks_dataset_free(ds);
}

static void
test_writer_rotation_loses_nothing(void **state)
{
    struct wfix *f = *state;
    char *d = f->d;
    struct col_snapshot *s = &f->s;
    struct ks_err err = {0};
    struct col_writer *w = open_writer(d, NULL, 2048);
    for (int i = 0; i < 40; i++) {
        fake_snap(s, 1700000000 + i);
        assert_int_equal(col_writer_put(w, s, &err), 0);
    }
    col_writer_close(w, &err);
    /* every samples*.csv file starts with the header; data rows add up to 40 */
    char cmd[4400];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && n=0; for f in samples*.csv; do head -1 \"$f\" | grep -q '^time,entity' "
             "|| exit 1; n=$((n + $(tail -n +2 \"$f\" | wc -l))); "
             "[ $(stat -c %%s \"$f\") -le 2048 ] || exit 1; done; "
             "[ $n -eq 40 ] && [ $(ls samples*.csv | wc -l) -gt 2 ]",
             d);
    assert_int_equal(system(cmd), 0);
}

/* Rows for other entities (what a libvirt source adds): beside the machine's row,
 * with inventory rows (kind vm, host) added the first time each is seen. */
static void
test_writer_entity_rows(void **state)
{
    struct wfix *f = *state;
    char *d = f->d;
    struct col_snapshot *s = &f->s;
    struct ks_err err = {0};
    struct col_writer *w = open_writer(d, NULL, 0);
    fake_snap(s, 1700000010);
    struct col_entity_row *e = col_snapshot_add_entity(s, "vm1");
    e->vcpus = 2;
    e->mem_MiB = 4096;
    e->m[KS_CPU_PCT] = 12.5;
    col_snapshot_add_entity(s, "vm2");
    assert_int_equal(col_writer_put(w, s, &err), 0);
    fake_snap(s, 1700000020); /* cleared: vm2 stopped, vm3 started */
    col_snapshot_add_entity(s, "vm1");
    col_snapshot_add_entity(s, "vm3")->m[KS_CPU_PCT] = 50;
    assert_int_equal(col_writer_put(w, s, &err), 0);
    col_writer_close(w, &err);
    struct ks_dataset *ds = NULL;
    assert_int_equal(ks_dataset_read(d, &ds, &err), 0);
    assert_int_equal(ks_dataset_nent(ds), 4);
    assert_int_equal(ds->s.nrows, 6);
    long vm1 = ks_dataset_find(ds, "vm1");
    assert_true(vm1 >= 0);
    assert_string_equal(ks_inv_str(ds, (size_t)vm1, "kind"), "vm");
    assert_string_equal(ks_inv_str(ds, (size_t)vm1, "host"), "web1");
    assert_true(ks_inv_num(ds, (size_t)vm1, "threads") == 2);
    assert_true(ks_inv_num(ds, (size_t)vm1, "mem_MiB") == 4096);
    assert_true(ks_samples_get(&ds->s, 1, KS_CPU_PCT) == 12.5);
    assert_string_equal(ks_dataset_entity(ds, ds->s.ent[5]), "vm3");
    assert_true(ks_samples_get(&ds->s, 5, KS_CPU_PCT) == 50);
    assert_true(ds->s.time[5] == 1700000020);
    ks_dataset_free(ds);
}

static void
test_writer_rotation_daily(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    struct col_snapshot s;
    struct ks_err err = {0};
    struct col_writer_opts o = {.dir = d, .entity = "web1", .rotate_daily = 1};
    struct col_writer *w = NULL;
    col_snapshot_init(&s);
    assert_int_equal(col_writer_open(&o, NULL, &w, &err), 0);
    /* 2023-11-14 23:59:40 and :50 UTC, then 2023-11-15 00:00:00 and :10 */
    for (int i = 0; i < 4; i++) {
        fake_snap(&s, 1700006380 + 10 * i);
        assert_int_equal(col_writer_put(w, &s, &err), 0);
    }
    col_writer_close(w, &err);
    char p[4200];
    snprintf(p, sizeof p, "%s/samples.20231115T000000Z.csv", d);
    assert_int_equal(count_lines(p), 3); /* the old day's two rows, stamped by rotation */
    snprintf(p, sizeof p, "%s/samples.csv", d);
    assert_int_equal(count_lines(p), 3); /* the new day's two rows */
    char *text = tu_slurp(p, NULL);
    assert_non_null(strstr(text, "\n1700006400,web1,"));
    free(text);
    col_snapshot_fini(&s);
    tu_rmrf(d);
    free(d);
}

/* Issue 18 item 9: one writer per directory. The second is refused with the first's
 * pid, and gets the directory once the first has closed. */
static void
test_writer_lock(void **state)
{
    struct wfix *f = *state;
    struct col_writer *a = open_writer(f->d, NULL, 0), *b = NULL;
    struct col_writer_opts o = {.dir = f->d, .entity = "web2"};
    struct ks_err err = {0};
    assert_int_equal(col_writer_open(&o, NULL, &b, &err), -EBUSY);
    char want[256];
    snprintf(want, sizeof want, "%s is being written by another collector (pid %ld)", f->d,
             (long)getpid());
    assert_string_equal(err.msg, want);
    assert_int_equal(col_writer_close(a, &err), 0);
    assert_int_equal(col_writer_open(&o, NULL, &b, &err), 0);
    assert_int_equal(col_writer_close(b, &err), 0);
}

/* A reopen that cannot open the new file (here a directory took its name) keeps the
 * old descriptor: rows go on into the moved file instead of failing the run. */
static void
test_writer_reopen_keeps_old(void **state)
{
    struct wfix *f = *state;
    struct col_writer *w = open_writer(f->d, NULL, 0);
    struct ks_err err = {0};
    char p[4200], moved[4200];
    snprintf(p, sizeof p, "%s/samples.csv", f->d);
    snprintf(moved, sizeof moved, "%s/samples.csv.1", f->d);
    fake_snap(&f->s, 1700000000);
    assert_int_equal(col_writer_put(w, &f->s, &err), 0);
    assert_int_equal(rename(p, moved), 0);
    assert_int_equal(mkdir(p, 0755), 0);
    assert_true(col_writer_reopen(w, &err) < 0);
    assert_non_null(strstr(err.msg, "samples.csv: cannot open for appending"));
    assert_non_null(strstr(err.msg, "rows go on into the old file"));
    fake_snap(&f->s, 1700000010);
    assert_int_equal(col_writer_put(w, &f->s, &err), 0);
    assert_int_equal(col_writer_close(w, &err), 0);
    assert_int_equal(count_lines(moved), 3);
}

static void
count_warn(void *ctx, const char *msg)
{
    (void)msg;
    ++*(int *)ctx;
}

/* --rotate asked for and the rotation fails (here the file vanished from the
 * directory): said once, rows still written to the open file. */
static void
test_writer_rotation_failure_warns(void **state)
{
    struct wfix *f = *state;
    int warned = 0;
    struct col_writer_opts o = {.dir = f->d,
                                .entity = "web1",
                                .rotate_bytes = 300,
                                .warn = count_warn,
                                .warn_ctx = &warned};
    struct col_writer *w = NULL;
    struct ks_err err = {0};
    assert_int_equal(col_writer_open(&o, NULL, &w, &err), 0);
    char p[4200];
    snprintf(p, sizeof p, "%s/samples.csv", f->d);
    assert_int_equal(unlink(p), 0);
    for (int i = 0; i < 5; i++) {
        fake_snap(&f->s, 1700000000 + 10 * i);
        assert_int_equal(col_writer_put(w, &f->s, &err), 0);
    }
    assert_int_equal(warned, 1);
    assert_int_equal(col_writer_rows(w), 5);
    col_writer_close(w, &err);
}

/* Fake waiter: a script of wake reasons. */
struct script {
    const enum col_wake *steps;
    int n, i;
    char *dir; /* on REOPEN, samples.csv is moved away first (logrotate) */
};
static enum col_wake
scripted_wait(void *ctx, double deadline_s)
{
    (void)deadline_s;
    struct script *sc = ctx;
    enum col_wake w = sc->i < sc->n ? sc->steps[sc->i++] : COL_WAKE_STOP;
    if (w == COL_WAKE_REOPEN) {
        char a[4200], b[4200];
        snprintf(a, sizeof a, "%s/samples.csv", sc->dir);
        snprintf(b, sizeof b, "%s/samples.csv.1", sc->dir);
        rename(a, b);
    }
    return w;
}

static void
test_run_loop_reopen_and_stop(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    struct col_sampler *s = fixture_sampler("disk-rereg", 3);
    struct col_writer *w = open_writer(d, NULL, 0);
    const enum col_wake steps[] = {COL_WAKE_DEADLINE, COL_WAKE_REOPEN, COL_WAKE_DEADLINE,
                                   COL_WAKE_STOP, COL_WAKE_DEADLINE};
    struct script sc = {.steps = steps, .n = 5, .dir = d};
    struct col_run_opts ro = {.interval_s = 0.01, .wait = scripted_wait, .wait_ctx = &sc};
    struct ks_err err = {0};
    assert_int_equal(col_run(s, w, &ro, &err), 0);
    assert_int_equal(sc.i, 4); /* stopped at the STOP, the last DEADLINE never used */
    assert_int_equal(col_writer_rows(w), 2);
    col_writer_close(w, &err);
    char p[4200];
    snprintf(p, sizeof p, "%s/samples.csv.1", d);
    assert_int_equal(count_lines(p), 2); /* header + the row before the reopen */
    snprintf(p, sizeof p, "%s/samples.csv", d);
    assert_int_equal(count_lines(p), 2); /* a fresh header + the row after */
    col_sampler_free(s);
    /* -n: exactly count rows */
    s = fixture_sampler("steal-rising", 3);
    w = open_writer(d, NULL, 0);
    struct script all = {.steps = (const enum col_wake[]){0, 0, 0, 0}, .n = 4, .dir = d};
    ro.wait_ctx = &all;
    ro.count = 2;
    assert_int_equal(col_run(s, w, &ro, &err), 0);
    assert_int_equal(col_writer_rows(w), 2);
    col_writer_close(w, &err);
    col_sampler_free(s);
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sampler_steal_rising),
        cmocka_unit_test(test_sampler_nic_devices),
        cmocka_unit_test(test_sampler_bad_options),
        cmocka_unit_test_setup_teardown(test_writer_append_and_read_back, wsetup, wteardown),
        cmocka_unit_test(test_writer_header_mismatch_and_torn_row),
        cmocka_unit_test_setup_teardown(test_writer_full_disk_gap, wsetup, wteardown),
        cmocka_unit_test_setup_teardown(test_writer_rotation_loses_nothing, wsetup, wteardown),
        cmocka_unit_test(test_writer_rotation_daily),
        cmocka_unit_test_setup_teardown(test_writer_entity_rows, wsetup, wteardown),
        cmocka_unit_test(test_run_loop_reopen_and_stop),
        cmocka_unit_test_setup_teardown(test_writer_lock, wsetup, wteardown),
        cmocka_unit_test_setup_teardown(test_writer_reopen_keeps_old, wsetup, wteardown),
        cmocka_unit_test_setup_teardown(test_writer_rotation_failure_warns, wsetup, wteardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
