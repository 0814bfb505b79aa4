/* libFuzzer harness: the importers (collect/col_import.h) on one fuzzed input file.
 * The first byte selects the format: sadf -d text, BitBrains, PlanetLab, RVTools vInfo
 * CSV, Performance Monitor CSV, RVTools xlsx workbook (a zip of XML parts).
 * Importers read files, so the input is written to the scratch directory and imported
 * through col_import_run into a scratch dataset directory, exactly as `kasane import`
 * does. A dataset that imports must read back (ks_dataset_read), as the importers
 * promise. sysstat binary files are left out: they go to the sadf program, whose
 * parser is not ours, and a fork per input would starve the fuzzer. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "collect/col_import.h"
#include "core/ks_dataset.h"
#include "core/ks_util.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const formats[] = {"sar",     "bitbrains", "planetlab",
                                          "rvtools", "perfmon",   "rvtools"};
    static const char *const names[] = {"sa26.txt",    "vm7.csv",  "vmA",
                                        "vInfo.csv",   "perf.csv", "RVTools_export.xlsx"};
    if (size < 1)
        return 0;
    unsigned k = data[0] % 6;
    data++, size--;
    if (k == 0 && size >= 2 &&
        ((data[0] == 0x96 && data[1] == 0xd5) || (data[0] == 0xd5 && data[1] == 0x96)))
        return 0; /* sysstat binary magic: sadf's input, see above */
    char *path = ks_xstrdup(fz_file(names[k], data, size));
    char out[300];
    snprintf(out, sizeof out, "%s/out", fz_dir());
    struct col_import_opts o;
    struct col_import_report rep;
    struct ks_err err = {0};
    col_import_opts_init(&o);
    o.format = formats[k];
    o.inputs = &path;
    o.ninputs = 1;
    o.out_dir = out;
    o.start_s = k == 2 ? 0 : NAN;
    if (col_import_run(&o, &rep, &err) == 0) {
        struct ks_dataset *ds = NULL;
        if (ks_dataset_read(out, &ds, &err) != 0)
            abort(); /* the importer wrote a dataset kasane cannot read */
        ks_dataset_free(ds);
    }
    col_import_report_fini(&rep);
    free(path);
    return 0;
}
