/*
 * col_prom_expo: kasane's metrics in the Prometheus text exposition format (0.0.4).
 *
 * One constant table maps each samples.csv metric (core/ks_dataset.h) to a Prometheus
 * metric in base units (bytes, seconds, ratios 0-1, hertz) following the Prometheus
 * naming conventions (https://prometheus.io/docs/practices/naming/): a `kasane_`
 * prefix, the unit as a suffix, `_per_second` for rates that are already rates (they
 * are gauges: kasane computes them from counters between two samples). The importer
 * (col_prom_import) reads the same table backwards, so a value survives
 * collect -> exporter -> Prometheus -> import up to rounding of the unit scale.
 *
 * The renderer is a pure function over an array of entity snapshots, so the text can
 * be compared with a golden file; the HTTP server is in col_prom_exporter.
 */
#ifndef COL_PROM_EXPO_H
#define COL_PROM_EXPO_H

#include <stdio.h>

#include "core/ks_dataset.h"

/* One Prometheus metric per samples.csv metric: value_prom = value_ks * mul / div.
 * Both factors are exact integers, so 42 % becomes exactly the double nearest 0.42. */
struct col_prom_metric {
    const char *name; /* Prometheus metric name, e.g. kasane_memory_used_bytes */
    const char *help; /* HELP text (no backslash or newline) */
    double mul, div;  /* samples.csv unit -> base unit */
    /* The counter beside a rate or ratio gauge (NULL: none, for levels such as memory):
     * the gauge times each interval, summed since the collector started, so rate()
     * and increase() work at any scrape interval: a 15 s scrape of a 10 s collector
     * misses samples of the gauge, never a byte of the counter. */
    const char *counter; /* e.g. kasane_disk_read_bytes_total */
};
/* Indexed by enum ks_metric. */
extern const struct col_prom_metric col_prom_metrics[KS_NMETRIC];

/* Extra family: end time of the entity's last sample, UNIX seconds. */
#define COL_PROM_TIME_METRIC "kasane_sample_time_seconds"

/* Always exported: kasane_build_info{version="..."} 1, the usual way to tell which
 * build a target runs (one series; the version is a label, the value is 1). */
#define COL_PROM_BUILD_INFO "kasane_build_info"

/* The latest sample of one entity, as served at /metrics. */
struct col_prom_entity {
    char *entity;         /* owned by whoever filled the array */
    char *kind;           /* physical, vm or host */
    double time_s;        /* end of the sample interval, UNIX seconds */
    double m[KS_NMETRIC]; /* samples.csv units; NaN = not measured (not exported) */
    /* Counters (col_prom_metric.counter): sum of m x interval_s, in samples.csv units
     * times seconds; exported once counted[i] (the first measured interval). */
    double total[KS_NMETRIC];
    unsigned char counted[KS_NMETRIC];
};

/* Add one interval of e->m to e's counters (col_prom_exporter_update calls it). A
 * metric not measured in the interval (NaN), or an interval that is not a positive
 * finite number of seconds (the first sample), adds nothing. */
void col_prom_accumulate(struct col_prom_entity *e, double interval_s);

/* Write the exposition text for n entities to f: per metric family a HELP and a TYPE
 * line, then one line per entity that has a value, labels entity and kind; the
 * counters after the gauges. Families with no value at all are left out. Entities
 * appear in array order. */
void col_prom_render(FILE *f, const struct col_prom_entity *e, size_t n);
/* The kasane_build_info family (the exporter and the textfile writer put it first;
 * apart from col_prom_render so that its golden text does not change with versions). */
void col_prom_render_build_info(FILE *f);

/* Write s as a label value between double quotes: backslash, double quote and newline
 * escaped as the text format requires. */
void col_prom_put_label(FILE *f, const char *s);

/* Content-Type of the text the renderer writes. */
#define COL_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
