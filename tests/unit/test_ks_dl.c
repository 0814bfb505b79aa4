/* ks_dl: a table filled from a real library (libm's cbrt and hypot, typed from
 * math.h), the outcome kept after the first load, and the two failures: a library that
 * cannot be opened and one that lacks a symbol. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_util.h"

#include "core/ks_dl.h"

#define M_FUNCS(X) X(cbrt) X(hypot)
struct m_api {
    M_FUNCS(KS_DL_FIELD)
};
#define M_SYM(f) KS_DL_ENTRY(struct m_api, f)
static const struct ks_dl_sym m_syms[] = {M_FUNCS(M_SYM)};

static int loads; /* on_load calls */

static void
count_load(const void *api)
{
    (void)api;
    loads++;
}

static void
test_loads_and_keeps(void **state)
{
    (void)state;
    struct m_api m = {0};
    struct ks_dl_lib lib =
        KS_DL_LIB("libm.so.6", "TEST_KS_DL_SO", "libc6", &m, m_syms, count_load);
    struct ks_err err = {0};
    unsetenv("TEST_KS_DL_SO");
    loads = 0;
    assert_int_equal(ks_dl_load(&lib, &err), 0);
    assert_non_null(m.cbrt);
    tu_assert_near(m.cbrt(27.0), 3.0, 1e-12);
    assert_true(m.hypot(3.0, 4.0) == 5.0);
    /* once per process: a later change of the variable is not seen */
    setenv("TEST_KS_DL_SO", "/nonexistent/libm.so.6", 1);
    assert_int_equal(ks_dl_load(&lib, &err), 0);
    assert_int_equal(loads, 1);
    unsetenv("TEST_KS_DL_SO");
}

static void
test_missing_library(void **state)
{
    (void)state;
    struct m_api m = {0};
    struct ks_dl_lib lib =
        KS_DL_LIB("libm.so.6", "TEST_KS_DL_SO", "libc6", &m, m_syms, count_load);
    struct ks_err err = {0};
    setenv("TEST_KS_DL_SO", "/nonexistent/libm.so.6", 1);
    loads = 0;
    assert_int_equal(ks_dl_load(&lib, &err), -ENOTSUP);
    assert_non_null(strstr(err.msg, "cannot load /nonexistent/libm.so.6 (Debian package libc6): "));
    assert_non_null(strstr(err.msg, "No such file"));
    assert_int_equal(loads, 0);
    /* the failure is kept: the same answer without the variable */
    unsetenv("TEST_KS_DL_SO");
    struct ks_err err2 = {0};
    assert_int_equal(ks_dl_load(&lib, &err2), -ENOTSUP);
    assert_string_equal(err2.msg, err.msg);
    assert_null(m.cbrt);
}

static void
test_missing_symbol(void **state)
{
    (void)state;
    struct m_api m = {0};
    struct ks_dl_lib lib = KS_DL_LIB("libcsv.so.3", NULL, "libcsv3", &m, m_syms, count_load);
    struct ks_err err = {0};
    loads = 0;
    assert_int_equal(ks_dl_load(&lib, &err), -ENOTSUP);
    assert_non_null(strstr(err.msg, "libcsv.so.3 lacks cbrt"));
    assert_int_equal(loads, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads_and_keeps),
        cmocka_unit_test(test_missing_library),
        cmocka_unit_test(test_missing_symbol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
