/*
 * core/ks_ini: numbers with ranges, key tables, and the inih pass that names the file
 * and line of the first error (shared by the policy and simulator readers).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/ks_ini.h"

struct thing {
    double a, b;
    int calls, last_line;
};

static const struct ks_ini_num KEYS[] = {
    KS_INI_NUM(struct thing, "a", a, 0, 10),
    KS_INI_NUM(struct thing, "b", b, -1, 1),
};

static void
test_parse_num(void **state)
{
    (void)state;
    double v = -7;
    assert_int_equal(ks_ini_parse_num("2.5", 0, 10, &v), 0);
    assert_true(v == 2.5);
    assert_int_equal(ks_ini_parse_num("ten", 0, 10, &v), -EINVAL);
    assert_true(v == 2.5); /* untouched */
    assert_int_equal(ks_ini_parse_num("11", 0, 10, &v), -ERANGE);
    assert_true(v == 11); /* out of range: holds the value read */
    assert_int_equal(ks_ini_parse_num("-0.5", -1, 1, &v), 0);
}

static void
test_num_table(void **state)
{
    (void)state;
    struct thing t = {0};
    const struct ks_ini_num *e = ks_ini_num_find(KEYS, 2, "b");
    assert_non_null(e);
    *ks_ini_num_field(&t, e) = 0.25;
    assert_true(t.b == 0.25 && t.a == 0);
    assert_true(ks_ini_num_get(&t, e) == 0.25);
    assert_null(ks_ini_num_find(KEYS, 2, "c"));
}

/* Setter: numeric keys of KEYS, any other key is an error. */
static int
set(void *ctx, const char *section, const char *key, const char *value, int line,
    struct ks_err *err)
{
    struct thing *t = ctx;
    (void)section;
    t->calls++;
    t->last_line = line;
    const struct ks_ini_num *e = ks_ini_num_find(KEYS, 2, key);
    if (!e)
        return ks_errf(err, -ENOENT, "%s: unknown key", key);
    double v;
    if (ks_ini_parse_num(value, e->lo, e->hi, &v) < 0)
        return ks_errf(err, -EINVAL, "%s: bad value", key);
    *ks_ini_num_field(t, e) = v;
    return 0;
}

static int
parse(const char *text, struct thing *t, struct ks_err *err)
{
    memset(t, 0, sizeof *t);
    return ks_ini_parse(NULL, text, "x.ini", "not key = value", set, t, err);
}

static void
test_parse_errors(void **state)
{
    (void)state;
    struct thing t;
    struct ks_err err = {0};
    assert_int_equal(parse("; comment\n[s]\na = 3\n\nb = 0.5\n", &t, &err), 0);
    assert_true(t.a == 3 && t.b == 0.5 && t.last_line == 5);
    /* The first setter error names file and line; later keys are not set. */
    assert_int_equal(parse("a = 1\nzz = 2\nb = 0.5\n", &t, &err), -EINVAL);
    assert_string_equal(err.msg, "x.ini:2: zz: unknown key");
    assert_true(t.b == 0 && t.calls == 2);
    ks_err_clear(&err);
    assert_int_equal(parse("a = 1\nthis is not ini\n", &t, &err), -EINVAL);
    assert_string_equal(err.msg, "x.ini:2: not key = value");
    ks_err_clear(&err);
    /* A setter's error wins over an earlier syntax error, with its own line. */
    assert_int_equal(parse("junk\na = 99\n", &t, &err), -EINVAL);
    assert_string_equal(err.msg, "x.ini:2: a: bad value");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_num),
        cmocka_unit_test(test_num_table),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
