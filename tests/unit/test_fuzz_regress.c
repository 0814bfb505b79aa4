/* Every input a fuzzer once crashed on (tests/fuzz/regress/<harness>/) and every seed
 * (tests/fuzz/corpus/<harness>/) runs through its harness here, under make check and
 * make check SAN=1. A harness returns normally or the test program dies. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/test_util.h"

#define LLVMFuzzerTestOneInput fuzz_csv_one
#include "tests/fuzz/fuzz_csv.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_samples_one
#include "tests/fuzz/fuzz_samples.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_sread_one
#include "tests/fuzz/fuzz_sread.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_dataset_one
#include "tests/fuzz/fuzz_dataset.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_import_one
#include "tests/fuzz/fuzz_import.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_model_one
#include "tests/fuzz/fuzz_model.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_proc_one
#include "tests/fuzz/fuzz_proc.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_sim_one
#include "tests/fuzz/fuzz_sim.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_http_one
#include "tests/fuzz/fuzz_http.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_chartnames_one
#include "tests/fuzz/fuzz_chartnames.c"
#undef LLVMFuzzerTestOneInput

static const struct {
    const char *name;
    int (*one)(const uint8_t *, size_t);
} harnesses[] = {
    {"fuzz_csv", fuzz_csv_one},         {"fuzz_samples", fuzz_samples_one},
    {"fuzz_sread", fuzz_sread_one},
    {"fuzz_dataset", fuzz_dataset_one}, {"fuzz_import", fuzz_import_one},
    {"fuzz_model", fuzz_model_one},     {"fuzz_proc", fuzz_proc_one},
    {"fuzz_sim", fuzz_sim_one},         {"fuzz_http", fuzz_http_one},
    {"fuzz_chartnames", fuzz_chartnames_one},
};

static int
run_dir(const char *dir, int (*one)(const uint8_t *, size_t))
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        size_t len = 0;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        char *buf = tu_slurp(p, &len);
        assert_non_null(buf);
        one((const uint8_t *)buf, len);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

static void
test_regressions(void **state)
{
    (void)state;
    const char *root = getenv("KASANE_ROOT") ? getenv("KASANE_ROOT") : ".";
    int total = 0;
    for (size_t h = 0; h < sizeof harnesses / sizeof *harnesses; h++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/tests/fuzz/regress/%s", root, harnesses[h].name);
        total += run_dir(p, harnesses[h].one);
        snprintf(p, sizeof p, "%s/tests/fuzz/corpus/%s", root, harnesses[h].name);
        int seeds = run_dir(p, harnesses[h].one);
        if (seeds < 1) /* every harness has seeds: the directories were found */
            fail_msg("%s: no seed inputs", p);
        total += seeds;
    }
    print_message("%d inputs through %zu harnesses\n", total, sizeof harnesses / sizeof *harnesses);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_regressions)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
