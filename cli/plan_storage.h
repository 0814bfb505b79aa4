/* kasane plan's storage step (issue 14): shared storage, backup and DR sized on the same
 * dataset as the hosts, written into the plan directory beside them. */
#ifndef CLI_PLAN_STORAGE_H
#define CLI_PLAN_STORAGE_H

#include "core/ks_dataset.h"
#include "model/mdl_plan.h"

struct plan_storage_args {
    const char *catalog_dir; /* array catalog directory (drives.csv, raid.csv, ...) */
    const char **kv;         /* "key=value" settings of struct mdl_storage_policy */
    size_t nkv;
};

/* Check the settings and the array catalog before any planning work is done. */
int plan_storage_validate(const struct plan_storage_args *a, struct ks_err *err);
/* Size storage for the sources the plan placed on hosts, write storage*.csv and the
 * simulator configs into out_dir and add storage_* rows to its policy.csv. Prints a
 * short summary on stdout. Returns 0 or negative with err set. */
int plan_storage_run(const struct plan_storage_args *a, const struct ks_dataset *ds,
                     const struct mdl_plan *pl, const char *out_dir, struct ks_err *err);

#endif
