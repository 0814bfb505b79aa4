/*
 * rpt_chart: gnuplot scripts for every chart of the report, as pure functions (data in,
 * script text out: golden-tested in tests/golden/report/), and the one pipe that runs
 * them (popen of gnuplot: the only popen in kasane).
 *
 * Each script is self-contained: `reset`, an explicit `set terminal svg`, its data as
 * an inline `$data << EOD` block, the plot, then an explicit `set terminal pngcairo`
 * and `replot`, so every chart exists as charts/NAME.svg and charts/NAME.png relative
 * to the report directory (the runner `cd`s there first). Terminals are always named:
 * gnuplot without `set terminal` silently draws nothing (shared/reference.md).
 *
 * Text is not "enhanced" (an underscore in a server name stays an underscore). Colours
 * come from one palette so a series has the same colour in every chart.
 */
#ifndef RPT_CHART_H
#define RPT_CHART_H

#include <stddef.h>

#include "core/ks_util.h"

/*
 * Untrusted text (entity, host, model, rule names; titles built from them) enters a
 * script only through rpt_gp_str: as a single-quoted string in a command (CODE: inside
 * one, gnuplot expands neither backquotes nor @macros, and '' is the only escape; a '
 * that gnuplot cannot read as '' becomes U+2019, RPT_GP_QUOTE), or
 * as a double-quoted field of an inline data block (DATA: no escape exists, so " and \
 * are dropped). Either way the result is one token on one line: control bytes (C0, DEL,
 * C1) and invalid UTF-8 become U+FFFD (RPT_GP_BAD), so a name can neither end the
 * command or the data block early nor make the SVG invalid XML. s NULL is "".
 */
#define RPT_GP_BAD "\xef\xbf\xbd" /* U+FFFD REPLACEMENT CHARACTER in UTF-8 */
#define RPT_GP_QUOTE "\xe2\x80\x99" /* U+2019: a ' gnuplot cannot escape (rpt_chart.c) */
enum rpt_gp_quote { RPT_GP_CODE, RPT_GP_DATA };
struct rpt_buf;
void rpt_gp_str(struct rpt_buf *b, const char *s, enum rpt_gp_quote q);
/* `set output 'charts/NAME.EXT'` (through rpt_gp_str). */
void rpt_gp_output(struct rpt_buf *b, const char *name, const char *ext);

#define RPT_NPALETTE 10
extern const char *const rpt_palette[RPT_NPALETTE];

/* Time-axis heatmap: nrows x ncols values (NaN = no data), column k ends at
 * t0 + k*step_s (UNIX s). Row labels are drawn when there are few enough rows. */
struct rpt_heatmap {
    const char *name, *title, *cblabel;
    size_t nrows, ncols;
    double t0, step_s;
    const double *v;
    const char *const *rows;
    double zmax; /* colour scale 0..zmax */
    const char *ylabel; /* y axis title when rows are labelled (NULL: servers) */
};
char *rpt_gp_heatmap(const struct rpt_heatmap *c);

/* Stacked areas over time against a capacity line and a planning limit (NaN: none).
 * v holds nlayers x npts values, layer by layer, bottom layer first. */
struct rpt_stack {
    const char *name, *title, *ylabel;
    size_t nlayers, npts;
    const char *const *layers;
    const double *t; /* npts UNIX seconds */
    const double *v;
    double cap, limit;
    const char *cap_label, *limit_label;
};
char *rpt_gp_stack(const struct rpt_stack *c);

/* Clustered bars: nser series over ncat categories (v series by series), with an
 * optional horizontal reference line (NaN: none). Above RPT_BARS_LABELLED categories
 * the labels would overprint: they are left out and xlabel_many names the axis. */
#define RPT_BARS_LABELLED 30
struct rpt_bars {
    const char *name, *title, *ylabel, *xlabel_many;
    size_t ncat, nser;
    const char *const *cats, *const *sers;
    const double *v;
    double hline;
    const char *hline_label;
    int logy;
};
char *rpt_gp_bars(const struct rpt_bars *c);

/* Lines over a numeric x: nser series of npts points (v series by series), an optional
 * vertical marker at vline (NaN: none). */
struct rpt_lines {
    const char *name, *title, *xlabel, *ylabel;
    size_t npts, nser;
    const double *x;
    const char *const *sers;
    const double *v;
    double vline;
    const char *vline_label;
};
char *rpt_gp_lines(const struct rpt_lines *c);

/* Is an executable gnuplot on PATH (path may be NULL: the process environment)? */
int rpt_gp_available(const char *path);
/* Its full path (the caller frees it), or NULL. */
char *rpt_gp_find(const char *path);
/* Draw the charts names[0..n-1], whose scripts (scripts[i]) are already written to
 * outdir/charts/NAME.gp: up to RPT_GP_PROCS gnuplot processes (found on gnuplot_path,
 * NULL: PATH; started without a shell, in outdir) `load` them in turn, so an error
 * stops that chart's script and the others are still drawn. A script rpt_gp_check
 * refuses is not run. gnuplot's messages and the refusals go to outdir/charts/gnuplot.log.
 * Returns 0, or a negative code when a script was refused, gnuplot could not be started
 * or exited non-zero (callers check which charts exist). */
#define RPT_GP_PROCS 2
int rpt_gp_run(const char *outdir, const char *gnuplot_path, const char *const *names,
               char *const *scripts, size_t n, struct ks_err *err);

#endif
