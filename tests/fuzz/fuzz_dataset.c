/* libFuzzer harness: a whole dataset directory read by ks_dataset_read (the inventory
 * checks, samples.csv against that inventory, flows.csv), then gridded as every
 * command does. The input holds inventory.csv, samples.csv and flows.csv separated by
 * FZ_SEP lines; parts left out are files left out. */
#include <stddef.h>
#include <stdint.h>

#include "core/ks_dataset.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const files[] = {"inventory.csv", "samples.csv", "flows.csv"};
    const char *dir = fz_split_dir("ds", files, 3, data, size);
    struct ks_dataset *ds = NULL;
    struct ks_err err = {0};
    if (ks_dataset_read(dir, &ds, &err) == 0) {
        fz_grid(ds);
        ks_dataset_free(ds);
    }
    return 0;
}
