/*
 * core/ks_locale: the environment a child process gets (LC_ALL=C.UTF-8, once, everything else
 * kept) and top's locale (LC_CTYPE from the environment, every other category "C").
 * The decimal-comma chain itself is tests/e2e/locale.sh (it compiles de_DE.UTF-8).
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ks_locale.h"

/* How many entries of env start with prefix. */
static int
count(char **env, const char *prefix)
{
    int n = 0;
    for (size_t i = 0; env[i]; i++)
        n += strncmp(env[i], prefix, strlen(prefix)) == 0;
    return n;
}

static void
test_child_env(void **state)
{
    (void)state;
    setenv("LC_ALL", "de_DE.UTF-8", 1);
    setenv("LC_NUMERIC", "de_DE.UTF-8", 1);
    setenv("KASANE_TEST_KEEP", "yes", 1);
    char **env = ks_child_env();
    assert_int_equal(count(env, "LC_ALL="), 1); /* the user's one replaced, not added */
    assert_int_equal(count(env, "LC_ALL=C.UTF-8"), 1);
    assert_int_equal(count(env, "LC_ALL=de"), 0);
    assert_int_equal(count(env, "KASANE_TEST_KEEP=yes"), 1);
    assert_int_equal(count(env, "LC_NUMERIC=de_DE.UTF-8"), 1); /* LC_ALL overrides it */
    ks_child_env_free(env);
    unsetenv("LC_ALL");
    env = ks_child_env(); /* none set: one is added */
    assert_int_equal(count(env, "LC_ALL=C.UTF-8"), 1);
    ks_child_env_free(env);
    ks_child_env_free(NULL);
    unsetenv("LC_NUMERIC");
    unsetenv("KASANE_TEST_KEEP");
}

/* C.UTF-8 exists wherever glibc 2.35+ does: LC_CTYPE follows it, LC_NUMERIC stays C. */
static void
test_ctype_only(void **state)
{
    (void)state;
    char buf[16];
    setenv("LC_ALL", "C.UTF-8", 1);
    assert_int_equal(ks_locale_ctype_from_env(), 0);
    assert_string_equal(setlocale(LC_NUMERIC, NULL), "C");
    assert_string_equal(setlocale(LC_TIME, NULL), "C");
    assert_non_null(strstr(setlocale(LC_CTYPE, NULL), "UTF-8"));
    snprintf(buf, sizeof buf, "%.1f", 1.5);
    assert_string_equal(buf, "1.5");
    setenv("LC_ALL", "xx_NOWHERE.UTF-8", 1); /* a locale the system lacks */
    assert_int_equal(ks_locale_ctype_from_env(), -1);
    assert_string_equal(setlocale(LC_CTYPE, NULL), "C");
    unsetenv("LC_ALL");
    ks_locale_init();
    assert_string_equal(setlocale(LC_ALL, NULL), "C");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_child_env),
        cmocka_unit_test(test_ctype_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
