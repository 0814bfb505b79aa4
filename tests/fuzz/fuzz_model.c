/* libFuzzer harness: the planner's input files. The first byte selects the reader:
 *   0 host catalog (catalog.csv)            mdl_catalog_read
 *   1 storage array catalog (4 CSV files)   mdl_array_catalog_read; drives.csv, raid.csv,
 *                                           shelves.csv, controllers.csv split at FZ_SEP
 *   2 policy INI                            mdl_policy_read
 *   3 licence rules CSV                     mdl_licences_read
 *   4 port template CSV                     mdl_ports_read
 *   5 VPSolver .vbp                         mdl_vbp_read, then a small solve + check
 * The rest of the input is the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "model/mdl_catalog.h"
#include "model/mdl_licence.h"
#include "model/mdl_policy.h"
#include "model/mdl_ports.h"
#include "model/mdl_storage.h"
#include "model/mdl_vbp.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A read problem is packed with a small work budget and the placement checked: the
 * search must never place an item twice or leave the checker inconsistent. */
static void
vbp(const char *path)
{
    struct mdl_vbp *p = NULL;
    struct ks_err err = {0};
    if (mdl_vbp_read(path, &p, &err) != 0)
        return;
    if (p->n <= 4096) {
        uint32_t *assign = ks_xcalloc(p->n + 1, sizeof *assign);
        struct mdl_vbp_opts o = {.seed = 1, .work = 2e5, .time_limit_s = 0.5};
        struct mdl_vbp_result res;
        if (mdl_vbp_solve(p, &o, assign, &res, NULL, &err) == 0) {
            struct mdl_vbp_check c;
            mdl_vbp_check(p, assign, res.nbins, &c);
            if (res.nbins < res.lower_bound || c.bins_over)
                abort(); /* below the bound or over capacity: a wrong packing */
        }
        free(assign);
    }
    mdl_vbp_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const arrays[] = {"drives.csv", "raid.csv", "shelves.csv",
                                         "controllers.csv"};
    if (size < 1)
        return 0;
    unsigned k = data[0] % 6;
    data++, size--;
    struct ks_err err = {0};
    struct mdl_catalog *cat = NULL;
    struct mdl_array_catalog *acat = NULL;
    struct mdl_policy pol;
    struct mdl_licences lic;
    struct mdl_ports ports;
    switch (k) {
    case 0:
        if (mdl_catalog_read(fz_file("catalog.csv", data, size), &cat, &err) == 0)
            mdl_catalog_free(cat);
        break;
    case 1:
        if (mdl_array_catalog_read(fz_split_dir("arrays", arrays, 4, data, size), &acat, &err) == 0)
            mdl_array_catalog_free(acat);
        break;
    case 2:
        mdl_policy_defaults(&pol);
        mdl_policy_read(fz_file("policy.ini", data, size), &pol, &err);
        mdl_policy_fini(&pol);
        break;
    case 3:
        if (mdl_licences_read(fz_file("licences.csv", data, size), &lic, &err) == 0)
            mdl_licences_fini(&lic);
        break;
    case 4:
        mdl_ports_read(fz_file("ports.csv", data, size), &ports, &err);
        break;
    default:
        vbp(fz_file("fuzz.vbp", data, size));
        break;
    }
    return 0;
}
