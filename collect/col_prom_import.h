/*
 * col_prom_import: a dataset directory from what a Prometheus server already holds
 * (`kasane import prometheus URL --start T --end T --step S [--match SELECTOR]`).
 *
 * Two kinds of exporters are read through /api/v1/query_range:
 *   node_exporter  one entity per `instance` label (or per nodename): CPU busy and
 *                  steal from rate(node_cpu_seconds_total), memory, whole disks,
 *                  non-loopback NICs, inventory from node_uname_info and counts;
 *   kasane         one entity per `entity` label of the kasane_* gauges that
 *                  `kasane collect --listen` serves (col_prom_expo).
 * docs/prometheus.md lists the PromQL of every column.
 *
 * Memory stays bounded however long the range and however many hosts: the range is
 * read in pages of consecutive steps (at most 11,000, Prometheus' per-series limit,
 * and by default at most COL_PROM_PAGE_POINTS points per answer once the number of
 * series is known), each page is written to samples.csv before the next is asked for,
 * and only the inventory (one row per entity) is kept for the whole run. Files are
 * written atomically: on any error nothing is left in out_dir but what was there.
 */
#ifndef COL_PROM_IMPORT_H
#define COL_PROM_IMPORT_H

#include <stddef.h>

#include "core/ks_util.h"

/* Which exporters to read (bit mask). */
enum { COL_PROM_SRC_NODE = 1, COL_PROM_SRC_KASANE = 2 };

/* Budget of points (series x steps) per answer once the series count is known:
 * ~200 bytes of parsed JSON each, so about 40 MB per answer. */
#define COL_PROM_PAGE_POINTS 200000
/* Prometheus refuses a range query of more points per series than this. */
#define COL_PROM_MAX_STEPS 11000

struct col_prom_import_stats {
    size_t entities, rows, pages;
    unsigned long requests;
};

struct col_prom_import_opts {
    const char *url;    /* Prometheus base URL, e.g. http://127.0.0.1:9090 */
    double start_s;     /* first evaluation time, UNIX seconds */
    double end_s;       /* last evaluation time (inclusive), >= start_s */
    double step_s;      /* seconds between samples (> 0): interval_s of every row */
    const char *match;  /* label matchers added to every selector, with or without
                         * braces: job="node",instance=~"db.*"; NULL or "" = all */
    double page_s;      /* seconds of steps per request; 0 = automatic (see above) */
    size_t page_points; /* automatic pages: points per answer; 0 = COL_PROM_PAGE_POINTS */
    double scrape_s;    /* scrape interval of the targets, sizes the rate window
                         * max(step + scrape, 4 scrape); 0 = 15 s */
    unsigned sources;   /* COL_PROM_SRC_* mask; 0 = both */
    int by_nodename;    /* name node_exporter entities by nodename, not instance */
    long timeout_s;     /* per HTTP request; 0 = 60 */
    struct col_prom_import_stats *stats; /* filled when not NULL */
};

/* Import into out_dir (created if missing): inventory.csv and samples.csv.
 * Returns 0 or a negative code with err naming the URL and what was wrong:
 * -EINVAL bad options; transport / HTTP / JSON errors of col_prom_client.h;
 * -ENODATA when no query returned a sample in the range; file errors from core. */
int col_prom_import(const struct col_prom_import_opts *o, const char *out_dir, struct ks_err *err);

/* The PromQL a query template expands to, for documentation and tests: templates use
 * `$` for the extra matchers (",job=..." or nothing; "{$}" becomes "{...}" or
 * nothing), `@R` for the rate window and `@G` for the gauge window. Caller frees. */
char *col_prom_expand(const char *tmpl, const char *match, double rate_s, double gauge_s);

#endif
