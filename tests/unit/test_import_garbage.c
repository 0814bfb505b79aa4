/* Importers on garbage: random bytes, and valid files with random bytes flipped, must
 * give either a dataset the reader accepts or an error with a message naming the file,
 * never a crash (run under make check SAN=1 for memory errors). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "collect/col_import.h"
#include "core/ks_dataset.h"
#include "tests/unit/test_util.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static const char *const seeds[] = {
    "tests/fixtures/import/bitbrains/vm7.csv",
    "tests/fixtures/import/sar/two_hosts.txt",
    "tests/fixtures/import/rvtools/vInfo_v3.csv",
    "tests/fixtures/import/planetlab/20110303/vmA",
    "tests/fixtures/import/perfmon/WEB01_typeperf.csv",
    "tests/fixtures/import/rvtools4_xlsx/RVTools_export_all.xlsx",
};
static const char *const formats[] = {"bitbrains", "sar", "rvtools", "planetlab", "perfmon",
                                      "rvtools"};
#define NSEEDS (sizeof seeds / sizeof seeds[0])

/* One import of path as format: success must give a readable dataset; failure must
 * name the input in its message. */
static void
import_one(const char *format, char *path, const char *out)
{
    struct col_import_opts o;
    struct col_import_report rep;
    struct ks_err err = {0};
    col_import_opts_init(&o);
    o.format = format;
    o.inputs = &path;
    o.ninputs = 1;
    o.out_dir = out;
    o.start_s = strcmp(format, "planetlab") == 0 ? 0 : NAN;
    if (col_import_run(&o, &rep, &err) == 0) {
        struct ks_dataset *ds = NULL;
        if (ks_dataset_read(out, &ds, &err) != 0)
            fail_msg("%s import of %s wrote a dataset that does not read back: %s", format, path,
                     err.msg);
        ks_dataset_free(ds);
    } else if (!strstr(err.msg, path)) {
        fail_msg("%s on %s: error without the file name: %s", format, path, err.msg);
    }
    col_import_report_fini(&rep);
}

static void
test_garbage(void **state)
{
    (void)state;
    const char *root = getenv("KASANE_ROOT") ? getenv("KASANE_ROOT") : ".";
    char *d = tu_tmpdir(), in[4200], out[4200], src[4200];
    snprintf(in, sizeof in, "%s/in", d);
    for (int round = 0; round < 600; round++) {
        size_t k = (size_t)round % NSEEDS, len = 0;
        snprintf(src, sizeof src, "%s/%s", root, seeds[k]);
        char *text = tu_slurp(src, &len);
        assert_non_null(text);
        if (round % 8 == 7) { /* pure noise */
            for (size_t i = 0; i < len; i++)
                text[i] = (char)(next() & 0xff);
        } else { /* a few flipped bytes, maybe cut short */
            for (int f = 0; f < 1 + round % 5; f++)
                text[next() % len] = "0;,\t\n-.x\"9e"[next() % 11];
            if (round % 3 == 0)
                len = next() % len;
        }
        FILE *fp = fopen(in, "wb");
        assert_non_null(fp);
        fwrite(text, 1, len, fp);
        fclose(fp);
        free(text);
        snprintf(out, sizeof out, "%s/out%d", d, round);
        import_one(formats[(k + (size_t)(round / 4)) % 4], in, out);
    }
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
