/*
 * rpt_storage: the report section "Storage, backup and DR" (issue 14), drawn from the
 * storage files `kasane plan` writes into the plan directory (docs/storage.md, "Output
 * files"):
 *
 *   storage.csv          key,value: every figure the section shows, quoted, never
 *                        recomputed (tables storage, storage_demand, storage_array,
 *                        storage_capacity, storage_backup, storage_dr, storage_wan)
 *   storage_options.csv  the configurations evaluated: the primary site's, cheapest
 *                        eligible first (table storage_options)
 *   storage_series.csv   the summed read/write series (charts storage_iops,
 *                        storage_throughput)
 *
 * A plan without storage.csv gets a one-line note; a broken file is an error naming the
 * file, line and field, like every other plan file.
 */
#ifndef RPT_STORAGE_H
#define RPT_STORAGE_H

#include <stddef.h>

#include "report/rpt_ctx.h"

/* A stacked read + write chart over time with the p95 and peak of the sum as lines
 * (NaN: none). Values are divided by `scale` (1 for IOPS, 1024 for KiB/s -> MiB/s);
 * p95 and peak are in the scaled unit. Above ~500 steps the series is downsampled to
 * the step where read + write peaks in each window (rpt_chart_bucket_s), so the top of
 * the stack is the window's true peak. */
struct rpt_storage_io {
    const char *name, *title, *ylabel;
    size_t n;
    double step_s, scale;
    const double *t, *read, *write; /* n values each; t in UNIX s */
    double p95, peak;
    const char *p95_label, *peak_label;
};
/* The gnuplot script (caller frees): pure, golden-tested. */
char *rpt_storage_gp_io(const struct rpt_storage_io *c);
/* Bars of the bytes sent over the WAN per night (full copy, incremental, source-side
 * dedup), in GiB; log scale when they span more than 50x. Caller frees. */
char *rpt_storage_gp_wan(double full_B, double incr_B, double dedup_B);

/* The section's steps (rpt_sections[]). */
int rpt_storage_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_storage_html(const struct rpt_ctx *c, FILE *f);

#endif
