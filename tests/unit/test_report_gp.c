/* Unit tests of what keeps chart scripts to plotting (issue 18, item 1): rpt_gp_str
 * against every byte value and pair of bytes and the known payloads, rpt_gp_check
 * against the golden scripts and hand-made attacks, and rpt_gp_run with real gnuplot:
 * a chart stops at its first error, the others are drawn, a refused script never runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sys/stat.h>

#include "report/rpt_chart.h"
#include "report/rpt_gp_check.h"
#include "report/rpt_util.h"
#include "test_util.h"

/* Independent of the code under test: is s well-formed UTF-8 made of characters that may
 * stand in XML text and on one gnuplot line (no C0, DEL or C1 control)? */
static int
clean_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
                                : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > n)
            return 0;
        unsigned long cp = len == 1 ? c : c & (0xff >> (len + 1));
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
        if ((len > 1 && cp < min[len]) || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff || cp > 0x10ffff)
            return 0;
        i += len;
    }
    return 1;
}

/* One single-quoted gnuplot token, read as gnuplot 5.4's scanner does: a character
 * followed by '' takes them as one quote, any other quote ends the string. */
static int
one_squoted_token(const char *s)
{
    size_t n = strlen(s), i = 1;
    if (n < 2 || s[0] != '\'')
        return 0;
    for (; i < n && s[i] != '\''; i++)
        if (i + 2 < n && s[i + 1] == '\'' && s[i + 2] == '\'')
            i += 2;
    return i == n - 1;
}

/* The properties every output of rpt_gp_str must have, for input s. */
static void
check_both(const char *s)
{
    struct rpt_buf b = {0};
    rpt_gp_str(&b, s, RPT_GP_CODE);
    assert_true(clean_utf8((const unsigned char *)b.s, b.len));
    assert_true(one_squoted_token(b.s));
    /* And as a whole command it passes the checker. */
    char *cmd = ks_xasprintf("set title %s\n", b.s);
    struct ks_err err = {0};
    if (rpt_gp_check(cmd, &err) != 0)
        fail_msg("%s: %s", cmd, err.msg);
    free(cmd);
    rpt_buf_fini(&b);
    rpt_gp_str(&b, s, RPT_GP_DATA);
    assert_true(clean_utf8((const unsigned char *)b.s, b.len));
    assert_true(b.len >= 2 && b.s[0] == '"' && b.s[b.len - 1] == '"');
    assert_null(memchr(b.s + 1, '"', b.len - 2));
    assert_null(strchr(b.s, '\\'));
    rpt_buf_fini(&b);
}

static void
test_str_every_byte(void **state)
{
    (void)state;
    char s[4];
    for (int a = 1; a < 256; a++) {
        for (int c = 1; c < 256; c++) { /* every pair, so multi-byte starts are paired too */
            s[0] = (char)a, s[1] = (char)c, s[2] = 0;
            check_both(s);
        }
        s[0] = 'x', s[1] = (char)a, s[2] = 'y', s[3] = 0;
        check_both(s);
    }
    check_both(NULL);
    check_both("");
}

/* The payloads of the issue and a few exact results. */
static void
test_str_payloads(void **state)
{
    (void)state;
    static const char *const nasty[] = {
        "vm\n!touch CANARY\n", "system(\"touch CANARY\")", "`touch CANARY`", "$(touch CANARY)",
        "'; !touch CANARY", "@macro", "\nEOD\n!touch CANARY", "a\\", "a\r!touch CANARY",
        "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xef\xbf\xbe", "\xc2\x85", "\xff",
        "=HYPERLINK(\"http://x\",\"y\")", "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
    };
    for (size_t i = 0; i < sizeof nasty / sizeof *nasty; i++)
        check_both(nasty[i]);
    static const struct {
        const char *in, *code, *data;
    } want[] = {
        {"db'01", "'db''01'", "\"db'01\""},
        {"'quoted", "'" RPT_GP_QUOTE "quoted'", "\"'quoted\""},
        {"a''b'", "'a''" RPT_GP_QUOTE "b'''", "\"a''b'\""},
        {"'", "'" RPT_GP_QUOTE "'", "\"'\""},
        {"vm\n!x", "'vm" RPT_GP_BAD "!x'", "\"vm" RPT_GP_BAD "!x\""},
        {"a\"b\\c", "'a\"b\\c'", "\"abc\""},
        {"caf\xc3\xa9", "'caf\xc3\xa9'", "\"caf\xc3\xa9\""},
        {"\xc3", "'" RPT_GP_BAD "'", "\"" RPT_GP_BAD "\""},
        {"`id`@x", "'`id`@x'", "\"`id`@x\""},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        struct rpt_buf b = {0};
        rpt_gp_str(&b, want[i].in, RPT_GP_CODE);
        assert_string_equal(b.s, want[i].code);
        rpt_buf_fini(&b);
        rpt_gp_str(&b, want[i].in, RPT_GP_DATA);
        assert_string_equal(b.s, want[i].data);
        rpt_buf_fini(&b);
    }
}

/* Every golden script is plotting only (they are what the writers emit). */
static void
test_check_goldens(void **state)
{
    (void)state;
    static const char *const g[] = {"report/bars.gp",       "report/bars_log.gp",
                                    "report/bars_many.gp",  "report/heatmap.gp",
                                    "report/lines.gp",      "report/stack.gp",
                                    "report/storage_io.gp", "report/storage_wan.gp",
                                    "risk/risk_sweep.gp"};
    for (size_t i = 0; i < sizeof g / sizeof *g; i++) {
        char *p = ks_xasprintf("%s/tests/golden/%s", tu_root(), g[i]);
        char *s = tu_slurp(p, NULL);
        assert_non_null(s);
        struct ks_err err = {0};
        if (rpt_gp_check(s, &err) != 0)
            fail_msg("%s: %s", g[i], err.msg);
        free(s);
        free(p);
    }
}

/* Scripts that would run something, read or write outside charts/ are refused, each
 * with a message naming the line. */
static void
test_check_refuses(void **state)
{
    (void)state;
    static const struct {
        const char *script, *msg;
    } bad[] = {
        {"set title 'vm'\n!touch CANARY\n", "line 2: command not used by charts: '!'"},
        {"set title 'a'; !touch X\n", "command not used by charts: '!'"},
        {"set title 'a' . system('touch X')\n", "word outside a string: 'system'"},
        {"set title \"`touch X`\"\n", "backquote"},
        {"set title `touch X`\n", "character outside a string: '`'"},
        {"set title @m\n", "character outside a string: '@'"},
        {"load 'x.gp'\n", "command not used by charts: 'load'"},
        {"call 'x.gp'\n", "command not used by charts: 'call'"},
        {"cd '/tmp'\n", "command not used by charts: 'cd'"},
        {"print 1\n", "command not used by charts: 'print'"},
        {"eval 'x'\n", "command not used by charts: 'eval'"},
        {"shell\n", "command not used by charts: 'shell'"},
        {"set print 'x'\n", "word outside a string: 'print'"},
        {"set table 'x'\n", "option not used by charts: 'table'"},
        {"set output '| touch X'\n", "output file outside charts/"},
        {"set output 'charts/../../x.svg'\n", "output file outside charts/"},
        {"set output \"charts/x.svg\"\n", "single-quoted"},
        {"set terminal x11\n", "terminal 'x11'"},
        {"plot '< touch X' using 1\n", "quoted plot source"},
        {"plot $data using 1, \"< touch X\"\n", "quoted plot source"},
        {"plot $data using (foo(1))\n", "function call 'foo'"},
        {"set title 'a\n", "unclosed single-quoted"},
        {"set title 'a' \\\n!touch X\n", "line continuation"},
        {"# comment \\\n!touch X\n", "line continuation"},
        {"set title 'a\rb'\n", "control byte 0x0d"},
        {"$data << EOD\n1 2\nEODX\n!touch X\nEOD\n", "data line starts with the block end"},
        {"$data << EOD\n\"a\" 1\n!touch X\nEOD\n", "unexpected data '!'"},
        {"$data << EOD\n1 2\n", "data block not closed"},
        {"set title 'a' $(touch X)\n", "'$' not naming"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct ks_err err = {0};
        assert_int_equal(rpt_gp_check(bad[i].script, &err), -EPERM);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("script %zu: '%s' does not contain '%s'", i, err.msg, bad[i].msg);
    }
}

/* Real gnuplot: the first chart has an error, then a command that would draw another
 * file; the second is fine; the third the checker refuses. Piped as text (the old way)
 * gnuplot carried on after the error and drew after.svg. */
static void
test_run_stops_at_error(void **state)
{
    (void)state;
    assert_true(rpt_gp_available(NULL)); /* the tests need gnuplot (make deps) */
    char *d = tu_tmpdir(), *charts = ks_xasprintf("%s/charts", d);
    assert_int_equal(mkdir(charts, 0777), 0);
    char *s[3] = {
        "reset\nset terminal svg\nset output 'charts/bad.svg'\nplot nosuchfunction(x)\n"
        "set output 'charts/after.svg'\nplot x\nunset output\n",
        "reset\nset terminal svg\nset output 'charts/good.svg'\nplot x\nunset output\n",
        "reset\nset terminal svg\nset output 'charts/refused.svg'\nplot x\nunset output\n"
        "set title system('touch refused.ran')\n",
    };
    const char *names[] = {"bad", "good", "refused"};
    for (int i = 0; i < 3; i++) {
        char *f = ks_xasprintf("%s.gp", names[i]);
        tu_write(charts, f, s[i]);
        free(f);
    }
    struct ks_err err = {0};
    assert_true(rpt_gp_run(d, NULL, names, s, 3, &err) < 0);
    struct stat st;
    char *p = ks_xasprintf("%s/charts/good.svg", d);
    assert_int_equal(stat(p, &st), 0);
    assert_true(st.st_size > 0);
    free(p);
    static const char *const absent[] = {"charts/after.svg", "charts/refused.svg", "refused.ran",
                                         "charts/refused.ran"};
    for (size_t i = 0; i < 4; i++) {
        p = ks_xasprintf("%s/%s", d, absent[i]);
        if (stat(p, &st) == 0)
            fail_msg("%s exists", absent[i]);
        free(p);
    }
    p = ks_xasprintf("%s/charts/gnuplot.log", d);
    char *log = tu_slurp(p, NULL);
    assert_non_null(log);
    assert_non_null(strstr(log, "charts/refused.gp not run: line 6: word outside a string: "
                                "'system'"));
    assert_non_null(strstr(log, "bad.gp"));
    free(log);
    free(p);
    tu_rmrf(d);
    free(d);
    free(charts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_every_byte),    cmocka_unit_test(test_str_payloads),
        cmocka_unit_test(test_check_goldens),     cmocka_unit_test(test_check_refuses),
        cmocka_unit_test(test_run_stops_at_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
