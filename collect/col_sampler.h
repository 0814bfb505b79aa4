/*
 * col_sampler: runs every source of the registry over one /proc + /sys tree and turns
 * two consecutive readings into one col_snapshot. The public entry point of collect/
 * for `kasane collect` and `kasane top` (opaque: it owns the root, the sources'
 * state and the previous counters).
 *
 *   struct col_opts o = {0};             // this machine, every source
 *   struct col_sampler *s;
 *   struct col_snapshot snap;
 *   if (col_sampler_new(&o, &s, &err) < 0) ...;
 *   col_snapshot_init(&snap);
 *   col_sampler_sample(s, &snap, &err);  // baseline: snap.baseline == 1, no rates
 *   ... wait ...
 *   col_sampler_sample(s, &snap, &err);  // rates over the real interval
 *   col_snapshot_fini(&snap);
 *   col_sampler_free(s);
 *
 * The sampler never sleeps: the caller decides when to sample (collect on absolute
 * deadlines, top on its refresh timer). Intervals are measured by the sampler's own
 * clock (col_opts.clock), so an irregular caller still gets exact rates.
 */
#ifndef COL_SAMPLER_H
#define COL_SAMPLER_H

#include "collect/col_inventory.h"
#include "collect/col_snapshot.h"
#include "collect/col_source.h"

struct col_sampler; /* opaque */

/* Open the tree, read the inventory, open every source (those unavailable here are
 * noted in the inventory notes and skipped). Returns 0, or negative with err set
 * (root unreadable, unknown source name, no source available). */
int col_sampler_new(const struct col_opts *o, struct col_sampler **out, struct ks_err *err);
/* Take one sample into out (cleared first). The first call is the baseline. Never
 * fails for a device or source that misbehaves (that becomes an event); returns a
 * negative code only when nothing at all could be read. */
int col_sampler_sample(struct col_sampler *s, struct col_snapshot *out, struct ks_err *err);
/* The inventory read at col_sampler_new (owned by the sampler). */
const struct col_inventory *col_sampler_inventory(const struct col_sampler *s);
/* Names of the sources running, comma-separated (owned by the sampler). */
const char *col_sampler_sources(const struct col_sampler *s);
/* The user a source switches to for good at the first sample (the pcap source, run
 * as root: --user, default nobody), or NULL when nothing will drop privileges. A
 * caller that must create files after that (a dataset directory: col_dsdir_drop)
 * drops earlier itself. The string is col_opts.pcap_user's, or a constant. */
const char *col_sampler_drop_user(const struct col_sampler *s);
void col_sampler_free(struct col_sampler *s);

#endif
