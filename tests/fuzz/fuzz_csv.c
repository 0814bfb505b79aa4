/* libFuzzer harness: the streaming CSV reader with , and ; separators. */
#include <stddef.h>
#include <stdint.h>

#include "core/ks_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int k = 0; k < 2; k++) {
        struct ks_csv_reader *r = ks_csv_open_mem((const char *)data, size, k ? ';' : ',', "fuzz");
        const struct ks_csv_row *row;
        struct ks_err err = {0};
        while (ks_csv_next(r, &row, &err) > 0)
            for (size_t i = 0; i < row->n; i++)
                (void)row->f[i][0];
        ks_csv_close(r);
    }
    return 0;
}
