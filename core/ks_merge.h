/*
 * ks_merge: several dataset directories read as one (issue 10: a fleet's per-host
 * datasets planned together).
 *
 * Each argument is a dataset directory (it holds inventory.csv) or a directory of
 * them (its subdirectories that hold inventory.csv, in name order). Entity names must
 * be unique across all of them: a clash is an error naming both directories. Samples
 * are merged in time order; datasets with different steps are aligned later by
 * ks_grid_build, whose default step is the coarsest entity step (windows take the max).
 * flows.csv rows are concatenated (columns matched by name), so soft-affinity weights
 * see every dataset's captures.
 */
#ifndef KS_MERGE_H
#define KS_MERGE_H

#include "core/ks_dataset.h"

/* Read and merge; with one dataset directory this is ks_dataset_read. */
int ks_dataset_read_many(char *const *paths, size_t n, struct ks_dataset **out,
                         struct ks_err *err);
/* The same, storing only the metrics in keep (ks_dataset_read_keep; 0: all). */
int ks_dataset_read_many_keep(char *const *paths, size_t n, unsigned keep, struct ks_dataset **out,
                              struct ks_err *err);
/* The dataset directories the arguments expand to, in the order read_many reads them
 * (for files beside the merged dataset, e.g. each one's flows.csv). On success and on
 * error *dirs holds *ndirs strings the caller frees, and the array. */
int ks_dataset_dirs(char *const *paths, size_t n, char ***dirs, size_t *ndirs,
                    struct ks_err *err);
/* Merge already-read datasets (names[i] used in messages). Inputs are not modified. */
int ks_dataset_merge(struct ks_dataset *const *in, const char *const *names, size_t n,
                     struct ks_dataset **out, struct ks_err *err);
/* import --append: old (read from old_name) plus add, as one dataset. An entity in
 * both keeps old's inventory fields where add's are empty; its rows of both are merged
 * by time, which needs their time ranges (first to last sample end, inclusive) not to
 * meet: otherwise -EINVAL naming the entity and both ranges. flows.csv rows are
 * concatenated. Inputs are not modified. */
int ks_dataset_append(const struct ks_dataset *old, const char *old_name,
                      const struct ks_dataset *add, struct ks_dataset **out, struct ks_err *err);

#endif
