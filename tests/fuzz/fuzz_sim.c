/* libFuzzer harness: the simulator's INI configuration (simulate/sim_config.h), read
 * from a string and checked (sim_config_read_string runs the cross-reference checks).
 * A configuration that reads is not simulated: a fuzzed duration could run for hours.
 * Text after an FZ_SEP line becomes emp.csv next to the INI, so `empirical:emp.csv`
 * distributions read fuzzed samples too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simulate/sim_config.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_cstr(data, size);
    char name[300], *sep = strstr(text, FZ_SEP);
    if (sep) {
        *sep = '\0';
        const char *emp = sep + strlen(FZ_SEP);
        fz_file("emp.csv", (const uint8_t *)emp, strlen(emp));
    } else {
        fz_unlink("emp.csv");
    }
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    /* Relative empirical CSV paths resolve against the scratch directory. */
    snprintf(name, sizeof name, "%s/fuzz.ini", fz_dir());
    if (sim_config_read_string(text, name, &c, &err) == 0)
        sim_config_free(c);
    free(text);
    return 0;
}
