/* ks_data_find: shipped files by name (core/ks_data.h). A path or an existing file is
 * taken as it is; a bare name is looked up under $KASANE_DATADIR/SUB as NAME and
 * NAME + EXT; an unknown name is -ENOENT with the names the directory holds; a
 * hostile name (a newline) finds nothing and is quoted escaped. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "tests/unit/test_util.h"

#include "core/ks_data.h"

static char *dir; /* a data directory: catalog/{current,old}.csv, storage/, sim/a.ini */

static int
setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    char *p = ks_path_join(dir, "catalog");
    mkdir(p, 0755);
    tu_write(p, "current.csv", "model\n");
    tu_write(p, "old.csv", "model\n");
    tu_write(p, "README.md", "not a catalog\n");
    free(p);
    p = ks_path_join(dir, "storage");
    mkdir(p, 0755);
    free(p);
    setenv("KASANE_DATADIR", dir, 1);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    unsetenv("KASANE_DATADIR");
    char *cmd = ks_xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return -1;
    free(cmd);
    free(dir);
    return 0;
}

static void
test_env_overrides(void **state)
{
    (void)state;
    assert_string_equal(ks_data_dir(), dir);
}

static void
test_name_with_and_without_ext(void **state)
{
    (void)state;
    struct ks_err err = {0};
    char *p = NULL, *want = ks_xasprintf("%s/catalog/current.csv", dir);
    assert_int_equal(ks_data_find("catalog", "current", ".csv", &p, &err), 0);
    assert_string_equal(p, want);
    free(p);
    assert_int_equal(ks_data_find("catalog", "current.csv", ".csv", &p, &err), 0);
    assert_string_equal(p, want);
    free(p);
    free(want);
    /* A folder at the top ("" sub): the storage catalog. */
    want = ks_xasprintf("%s/storage", dir);
    assert_int_equal(ks_data_find("", "storage", NULL, &p, &err), 0);
    assert_string_equal(p, want);
    free(p);
    free(want);
}

static void
test_paths_as_before(void **state)
{
    (void)state;
    struct ks_err err = {0};
    char *p = NULL;
    /* A '/' makes it a path even when it does not exist: the reader says so. */
    assert_int_equal(ks_data_find("catalog", "./current", ".csv", &p, &err), 0);
    assert_string_equal(p, "./current");
    free(p);
    assert_int_equal(ks_data_find("catalog", "/no/such.csv", ".csv", &p, &err), 0);
    assert_string_equal(p, "/no/such.csv");
    free(p);
    /* An existing file of that name where we run wins over the shipped one. */
    char *cwd = tu_tmpdir(), old[4096];
    assert_non_null(getcwd(old, sizeof old));
    assert_int_equal(chdir(cwd), 0);
    tu_write(".", "current", "model\n");
    assert_int_equal(ks_data_find("catalog", "current", ".csv", &p, &err), 0);
    assert_string_equal(p, "current");
    free(p);
    assert_int_equal(unlink("current"), 0);
    assert_int_equal(chdir(old), 0);
    rmdir(cwd);
    free(cwd);
}

static void
test_unknown_lists_names(void **state)
{
    (void)state;
    struct ks_err err = {0};
    char *p = (char *)1;
    assert_int_equal(ks_data_find("catalog", "curent", ".csv", &p, &err), -ENOENT);
    assert_null(p);
    assert_non_null(strstr(err.msg, "curent: no such file, nor a shipped catalog"));
    assert_non_null(strstr(err.msg, "catalog holds: current, old")); /* sorted, no README */
    ks_err_clear(&err);
    /* Hostile: a newline in the name is quoted escaped. */
    assert_int_equal(ks_data_find("catalog", "a\nb", ".csv", &p, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "a\\nb: no such file"));
    ks_err_clear(&err);
    assert_int_equal(ks_data_find("sim", "nothing", ".ini", &p, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "nor a shipped sim"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_overrides),
        cmocka_unit_test(test_name_with_and_without_ext),
        cmocka_unit_test(test_paths_as_before),
        cmocka_unit_test(test_unknown_lists_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
