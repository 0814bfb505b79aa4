#ifndef KS_DATA_H
#define KS_DATA_H
/*
 * The shipped data: host catalogs, storage catalog, licence rules, port templates, sim
 * configs, CPU ratings (datasets/ in the source tree, $(PREFIX)/share/kasane installed).
 * An option that takes one of these files also takes its name: `--catalog current` is
 * DATADIR/catalog/current.csv when no file "current" exists where the user is.
 *
 * Where DATADIR is, first match wins:
 *   1. $KASANE_DATADIR when set and not empty (then only there);
 *   2. KASANE_DATADIR compiled in (make install's $(PREFIX)/share/kasane);
 *   3. datasets/ beside the running binary or its parent folder (a source tree:
 *      ./kasane, build/kasane), so names work before anything is installed.
 */
#include "core/ks_util.h"

/* The directory of case 1 or 2 above (not checked to exist); never NULL. */
const char *ks_data_dir(void);

/* Resolve arg, the value of an option naming a file (or folder) of kind sub ("catalog",
 * "licences", "ports", "sim", "cpu"; "" for a top-level folder such as "storage").
 * arg is used as it is when it exists or holds a '/' (paths work as they always did);
 * otherwise DATADIR/sub/arg, then DATADIR/sub/arg + ext (ext may be NULL or ""), in each
 * data directory in the order above. *out is allocated (caller frees). Returns 0, or
 * -ENOENT with a message naming arg, the directories searched and the names there are. */
int ks_data_find(const char *sub, const char *arg, const char *ext, char **out, struct ks_err *err);

#endif
