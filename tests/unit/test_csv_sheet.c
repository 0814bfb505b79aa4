/* Spreadsheet-safe CSV cells (issue 18, item 10): ks_csv_cell_enc / ks_csv_cell_dec and
 * the table writer and reader built on them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/ks_csv.h"
#include "core/ks_table.h"
#include "test_util.h"

static void
test_enc_dec(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } c[] = {
        {"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
        {"-web", "'-web"}, {"+1", "+1"}, {"+1a", "'+1a"}, {"@SUM(A1)", "'@SUM(A1)"},
        {"\tx", "'\tx"}, {"\rx", "'\rx"}, {"'quoted", "''quoted"}, {"'", "''"},
        {"-5", "-5"}, {"-1.5e+300", "-1.5e+300"}, {"-0.25", "-0.25"}, {"-", "-"},
        {"-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"}, {"-inf", "'-inf"},
        {"-0x10", "'-0x10"}, {"--", "'--"}, {"web01", "web01"}, {"", ""}, {"a=b", "a=b"},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        char *owned;
        const char *e = ks_csv_cell_enc(c[i].in, &owned);
        assert_string_equal(e, c[i].out);
        char *back = ks_xstrdup(e);
        ks_csv_cell_dec(back);
        assert_string_equal(back, c[i].in); /* the round trip is exact */
        free(back);
        free(owned);
    }
    char *owned;
    assert_null(ks_csv_cell_enc(NULL, &owned));
    assert_int_equal(ks_csv_cell_dec(NULL), 0);
    char s[] = "'x"; /* a ' before anything else is the text's own */
    assert_int_equal(ks_csv_cell_dec(s), 0);
    assert_string_equal(s, "'x");
}

/* Written by ks_table_write_sheet: the file holds prefixed cells; ks_table_read_sheet
 * gives back the names; ks_table_read (a dataset reader) would not. */
static void
test_table_round_trip(void **state)
{
    (void)state;
    static const char *const cols[] = {"entity", "value"};
    static const char *const names[] = {"=HYPERLINK(\"http://x\",\"y\")", "-web", "'quoted",
                                        "+1", "@SUM(A1)", "a,b"};
    struct ks_table t, back;
    ks_table_init(&t, cols, 2);
    for (size_t i = 0; i < 6; i++) {
        size_t r = ks_table_add_row(&t);
        ks_table_set(&t, r, 0, names[i]);
        ks_table_set_num(&t, r, 1, -(double)i);
    }
    char *d = tu_tmpdir(), *p = ks_xasprintf("%s/t.csv", d);
    struct ks_err err = {0};
    assert_int_equal(ks_table_write_sheet(&t, p, &err), 0);
    char *text = tu_slurp(p, NULL);
    assert_string_equal(text, "entity,value\n"
                              "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",0\n"
                              "'-web,-1\n''quoted,-2\n+1,-3\n'@SUM(A1),-4\n\"a,b\",-5\n");
    free(text);
    static const char *const req[] = {"entity", "value", NULL};
    assert_int_equal(ks_table_read_sheet(p, req, &back, &err), 0);
    assert_int_equal(back.nrows, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(ks_table_str(&back, i, "entity"), names[i]);
        assert_true(ks_table_num(&back, i, "value") == -(double)i);
    }
    ks_table_fini(&back);
    ks_table_fini(&t);
    free(p);
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enc_dec),
        cmocka_unit_test(test_table_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
