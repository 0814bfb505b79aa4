/*
 * tui_live: the live feed - this host (or a fake /proc + /sys tree) through the
 * collector's sampler (collect/col_sampler.h), recording through the collector's own
 * writer (collect/col_writer.h), so a dataset recorded by `top` is byte-for-byte in
 * the format `collect` writes: inventory.csv, samples.csv, cores.csv.
 *
 * With --pcap, --libvirt and PAPI (on unless --no-papi) the Flows, VMs and Counters
 * screens show the collector's figures; a source that cannot open leaves its reason
 * in the inventory notes, and the screen shows that reason.
 *
 * The sampler never sleeps; tui_term calls advance on its refresh deadlines. The
 * first reading is a baseline (counters, no rates): until the first full interval the
 * screens show unknowns and the tab line says so. A reading in which no time passed
 * (a fixture tree sequence that has ended) changes nothing on screen.
 */
#ifndef TUI_LIVE_H
#define TUI_LIVE_H

#include "collect/col_sampler.h"
#include "core/ks_util.h"
#include "tui/tui_feed.h"
#include "tui/tui_model.h"

struct tui_live_opts {
    const char *root;   /* --root DIR (or a comma list with root_seq); NULL for "/" */
    int root_seq;       /* tests: one tree per sample, as collect --root-seq */
    const char *record; /* --record DATASET: start recording at once; NULL: not yet */
    const char *entity; /* entity name of recorded rows; NULL: the host name */
    /* The collector's optional sources, as collect takes them (docs/sources.md). */
    const char *pcap;      /* --pcap IFACE[,IFACE]: flows; NULL: none */
    const char *pcap_user; /* --user to drop to once capturing; NULL: nobody */
    const char *libvirt;   /* --libvirt URI: one VM line per domain; NULL: none */
    int papi_off;          /* --no-papi */
};

/* Open the sampler, take the baseline reading and fill the header of m. Errors: the
 * root cannot be read, or the dataset to record into cannot be opened (its header
 * differs, say); err names the file. */
int tui_live_open(const struct tui_live_opts *o, struct tui_model *m, struct tui_feed *out,
                  struct ks_err *err);

/* The VMs screen from the snapshot's other-entity rows (the collector's libvirt
 * source): appended to m's VM list. Exposed for the tests. */
void tui_live_fill_vms(const struct col_snapshot *s, struct tui_model *m);

#endif
