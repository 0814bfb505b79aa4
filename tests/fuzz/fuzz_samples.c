/* libFuzzer harness: samples.csv parsing against a fixed two-entity inventory. */
#include <stddef.h>
#include <stdint.h>

#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ks_dataset *ds = ks_dataset_new();
    struct ks_err err = {0};
    ks_dataset_add_entity(ds, "web1", "physical");
    ks_dataset_add_entity(ds, "db1", "vm");
    struct ks_csv_reader *r = ks_csv_open_mem((const char *)data, size, ',', "fuzz");
    if (ks_samples_parse(ds, r, &err) == 0)
        fz_grid(ds);
    ks_csv_close(r);
    ks_dataset_free(ds);
    return 0;
}
