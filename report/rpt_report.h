/*
 * rpt_report: `kasane report` as a library call. Reads the dataset and the plan
 * directory (refusing a plan made from another dataset), optionally the I/O-path
 * simulation results, and writes the report directory:
 *
 *   REPORT_DIR/index.html      one self-contained page (inline CSS and SVG, no fetches)
 *   REPORT_DIR/charts/NAME.svg   every chart, drawn by gnuplot through a pipe, and .png
 *   REPORT_DIR/charts/NAME.gp     the gnuplot script of each chart (to redraw by hand)
 *   REPORT_DIR/tables/NAME.csv   every table of the page, so a spreadsheet can recompute it
 *
 * Without gnuplot the page still renders, with a note where each chart would be.
 */
#ifndef RPT_REPORT_H
#define RPT_REPORT_H

#include <stddef.h>

#include "core/ks_util.h"

struct rpt_opts {
    const char *dataset_dir; /* dataset directory (inventory.csv, samples.csv) */
    char *const *datasets;   /* all DATASET arguments, merged as plan merges them (ndatasets
                              * 0: dataset_dir alone) */
    size_t ndatasets;
    const char *plan_dir;    /* plan directory written by kasane plan */
    const char *sim_path;    /* simulation results CSV, or NULL */
    const char *out_dir;     /* report directory, created if missing */
    const char *gnuplot_path; /* PATH to search for gnuplot; NULL = the environment's */
};

/* What was produced, for the command's closing line and for tests. */
struct rpt_result {
    int gnuplot;          /* gnuplot was found and run */
    size_t sections, tables, charts, charts_drawn;
    char *index_path;     /* REPORT_DIR/index.html (owned; free with rpt_result_fini) */
    char *failed;         /* names of the charts not drawn, ", "-separated, or NULL (owned) */
};

/* Build the whole report. Returns 0, or a negative code with err naming the file, line
 * and field of the bad input (exit status 1 material). */
int rpt_report_run(const struct rpt_opts *o, struct rpt_result *res, struct ks_err *err);
void rpt_result_fini(struct rpt_result *res);

#endif
