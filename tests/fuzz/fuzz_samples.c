/* libFuzzer harness: samples.csv parsing against a fixed two-entity inventory. */
#include <stddef.h>
#include <stdint.h>

#include "core/ks_csv.h"
#include "core/ks_dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ks_dataset *ds = ks_dataset_new();
    struct ks_err err = {0};
    ks_dataset_add_entity(ds, "web1", "physical");
    ks_dataset_add_entity(ds, "db1", "vm");
    struct ks_csv_reader *r = ks_csv_open_mem((const char *)data, size, ',', "fuzz");
    if (ks_samples_parse(ds, r, &err) == 0 && ds->s.nrows) {
        struct ks_grid g;
        if (ks_grid_build(ds, 0, KS_AGG_PCT, 95, &g, &err) == 0)
            ks_grid_fini(&g);
    }
    ks_csv_close(r);
    ks_dataset_free(ds);
    return 0;
}
