/* The fault-injection layer (core/ks_fault.h) and the atomic files and CSV reader that
 * go through it: each fault fires at exactly the operation asked for, leaves the
 * previous file intact with a message naming file and cause, and nothing fires when
 * disarmed. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "core/ks_fault.h"
#include "core/ks_table.h"
#include "test_util.h"

static int
teardown(void **state)
{
    (void)state;
    ks_fault_set(NULL, NULL);
    return 0;
}

static void
test_spec_parsing(void **state)
{
    (void)state;
    const char *good[] = {"oom@1", "enospc@3", "eio-read@12", "short-read@1", "count", ""};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(ks_fault_set(good[i], NULL), 0);
    assert_int_equal(ks_fault_armed, 0); /* "" disarms */
    const char *bad[] = {"oom", "oom@0", "oom@x", "enospc@-1", "eio@1", "count@3", "oom@1x",
                         "@1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct ks_err err = {0};
        assert_int_equal(ks_fault_set(bad[i], &err), -EINVAL);
        assert_non_null(strstr(err.msg, bad[i]));
        assert_non_null(strstr(err.msg, "expected oom@N"));
    }
}

static void
test_count_and_disarmed(void **state)
{
    (void)state;
    int fd = open("/dev/null", O_RDWR);
    char buf[8];
    assert_int_equal(ks_fault_set("count", NULL), 0);
    free(ks_xmalloc(10));
    free(ks_xstrdup("x"));
    assert_int_equal(ks_io_write(fd, "abc", 3), 3);
    assert_int_equal(ks_io_fsync(fd) == 0 || errno == EINVAL, 1);
    assert_int_equal(ks_io_read(fd, buf, sizeof buf), 0);
    assert_int_equal(ks_fault_count(KS_FAULT_ALLOC), 2);
    assert_int_equal(ks_fault_count(KS_FAULT_WRITE), 2); /* the write and the fsync */
    assert_int_equal(ks_fault_count(KS_FAULT_READ), 1);
    ks_fault_set(NULL, NULL);
    assert_int_equal(ks_io_write(fd, "abc", 3), 3);
    free(ks_xmalloc(1));
    assert_int_equal(ks_fault_count(KS_FAULT_ALLOC), 0); /* disarmed: nothing counted */
    close(fd);
}

/* enospc@2: the first write whole, the second short (half), then ENOSPC for good. */
static void
test_enospc_short_then_full(void **state)
{
    (void)state;
    int fd = open("/dev/null", O_WRONLY);
    assert_int_equal(ks_fault_set("enospc@2", NULL), 0);
    assert_int_equal(ks_io_write(fd, "abcdef", 6), 6);
    assert_int_equal(ks_io_write(fd, "abcdef", 6), 3);
    errno = 0;
    assert_int_equal(ks_io_write(fd, "def", 3), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(ks_io_fsync(fd), -1);
    assert_int_equal(errno, ENOSPC);
    close(fd);
}

static void
test_reads(void **state)
{
    (void)state;
    int fd = open("/dev/zero", O_RDONLY);
    char buf[64];
    assert_int_equal(ks_fault_set("eio-read@2", NULL), 0);
    assert_int_equal(ks_io_read(fd, buf, sizeof buf), 64);
    assert_int_equal(ks_io_read(fd, buf, sizeof buf), -1);
    assert_int_equal(errno, EIO);
    assert_int_equal(ks_io_read(fd, buf, sizeof buf), 64);
    assert_int_equal(ks_fault_set("short-read@5", NULL), 0);
    assert_int_equal(ks_io_read(fd, buf, sizeof buf), 5);
    close(fd);
}

/* A scratch directory holding one file name with text; *path gets its path. */
static char *
scratch_file(const char *name, const char *text, char *path, size_t cap)
{
    char *d = tu_tmpdir();
    snprintf(path, cap, "%s/%s", d, name);
    tu_write(d, name, text);
    return d;
}

/* A table big enough for several stdio buffers, written over an existing file. */
static int
write_big_table(const char *path, struct ks_err *err)
{
    const char *cols[] = {"n", "text"};
    struct ks_table t;
    ks_table_init(&t, cols, 2);
    for (int i = 0; i < 5000; i++) {
        size_t r = ks_table_add_row(&t);
        ks_table_set_num(&t, r, 0, i);
        ks_table_set(&t, r, 1, "some text that takes room");
    }
    int rc = ks_table_write(&t, path, err);
    ks_table_fini(&t);
    return rc;
}

static int
tmp_left(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q '\\.tmp\\.'", dir);
    return system(cmd) == 0;
}

/* Every write of an atomic file (each stdio buffer and the fsync) failing in turn:
 * the old file stays, the message names the file and ENOSPC, no temporary file. */
static void
test_afile_enospc_each_write(void **state)
{
    (void)state;
    char p[512], *d = scratch_file("t.csv", "old\n", p, sizeof p);
    ks_fault_set("count", NULL);
    struct ks_err err = {0};
    assert_int_equal(write_big_table(p, &err), 0);
    unsigned long writes = ks_fault_count(KS_FAULT_WRITE);
    size_t good_len = 0;
    char *good = tu_slurp(p, &good_len);
    assert_true(writes >= 3); /* > 100 KiB: several buffers, then the fsync */
    for (unsigned long n = 1; n <= writes; n++) {
        char spec[32];
        tu_write(d, "t.csv", "old\n");
        snprintf(spec, sizeof spec, "enospc@%lu", n);
        assert_int_equal(ks_fault_set(spec, NULL), 0);
        ks_err_clear(&err);
        assert_int_equal(write_big_table(p, &err), -ENOSPC);
        assert_non_null(strstr(err.msg, p));
        assert_non_null(strstr(err.msg, "cannot write: No space left on device"));
        char *txt = tu_slurp(p, NULL);
        assert_string_equal(txt, "old\n");
        free(txt);
        assert_false(tmp_left(d));
    }
    char spec[32];
    snprintf(spec, sizeof spec, "enospc@%lu", writes + 1);
    ks_fault_set(spec, NULL);
    assert_int_equal(write_big_table(p, &err), 0);
    size_t len = 0;
    char *txt = tu_slurp(p, &len);
    assert_true(len == good_len && memcmp(txt, good, len) == 0);
    free(txt);
    free(good);
    tu_rmrf(d);
    free(d);
}

static void
test_csv_reader_faults(void **state)
{
    (void)state;
    char p[512], *d = scratch_file("r.csv", "a,b\n1,2\n3,4\n", p, sizeof p);
    struct ks_csv_reader *r;
    const struct ks_csv_row *row;
    struct ks_err err = {0};
    assert_int_equal(ks_fault_set("eio-read@1", NULL), 0);
    assert_int_equal(ks_csv_open(p, ',', &r, &err), 0);
    assert_int_equal(ks_csv_next(r, &row, &err), -EIO);
    assert_non_null(strstr(err.msg, p));
    assert_non_null(strstr(err.msg, "read error: Input/output error"));
    ks_csv_close(r);
    /* one byte per read: the same rows */
    assert_int_equal(ks_fault_set("short-read@1", NULL), 0);
    assert_int_equal(ks_csv_open(p, ',', &r, NULL), 0);
    int rows = 0;
    while (ks_csv_next(r, &row, NULL) == 1) {
        assert_int_equal(row->n, 2);
        rows++;
    }
    assert_int_equal(rows, 3);
    assert_string_equal(row->f[1], "4");
    assert_true(ks_fault_count(KS_FAULT_READ) >= 12);
    ks_csv_close(r);
    tu_rmrf(d);
    free(d);
}

/* Run fn(arg) in a child with stderr into buf; returns the child's wait status. */
static int
in_child(void (*fn)(const char *), const char *arg, char *buf, size_t cap)
{
    int fds[2], st;
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        fn(arg);
        _exit(0);
    }
    close(fds[1]);
    memset(buf, 0, cap);
    ssize_t n = read(fds[0], buf, cap - 1);
    close(fds[0]);
    waitpid(pid, &st, 0);
    assert_true(n > 0);
    return st;
}

static void
oom_in_dataset(const char *arg)
{
    (void)arg;
    ks_alloc_fail_after(3);
    ks_dataset_free(ks_dataset_new()); /* several allocations */
}

/* Out of memory is a clear message and an abort, never a NULL dereference. */
static void
test_oom_aborts_with_message(void **state)
{
    (void)state;
    char buf[256];
    int st = in_child(oom_in_dataset, NULL, buf, sizeof buf);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    assert_non_null(strstr(buf, "out of memory"));
}

static void
oom_with_open_afile(const char *path)
{
    struct ks_afile af = {0};
    if (ks_afile_open(&af, path, NULL) < 0)
        _exit(3);
    fputs("new, half written\n", af.f);
    fflush(af.f);
    ks_fault_set("oom@2", NULL);
    free(ks_xmalloc(1));
    free(ks_xmalloc(1)); /* the second one fails */
}

/* oom@N while an atomic file is open: the message says it was injected, the program
 * aborts, and the temporary file is gone with the old file intact. */
static void
test_oom_removes_open_temporaries(void **state)
{
    (void)state;
    char p[512], *d = scratch_file("o.csv", "old\n", p, sizeof p), buf[256];
    int st = in_child(oom_with_open_afile, p, buf, sizeof buf);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    assert_non_null(strstr(buf, "out of memory (allocating 1 bytes) [injected by KASANE_FAULT]"));
    assert_false(tmp_left(d));
    char *txt = tu_slurp(p, NULL);
    assert_string_equal(txt, "old\n");
    free(txt);
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_spec_parsing, teardown),
        cmocka_unit_test_teardown(test_count_and_disarmed, teardown),
        cmocka_unit_test_teardown(test_enospc_short_then_full, teardown),
        cmocka_unit_test_teardown(test_reads, teardown),
        cmocka_unit_test_teardown(test_afile_enospc_each_write, teardown),
        cmocka_unit_test_teardown(test_csv_reader_faults, teardown),
        cmocka_unit_test_teardown(test_oom_aborts_with_message, teardown),
        cmocka_unit_test_teardown(test_oom_removes_open_temporaries, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
