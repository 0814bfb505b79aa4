/*
 * gnuplot scripts (rpt_chart.h). The generators only build text: no file, process or
 * clock is touched, so the same input always gives the same script (golden tests).
 * Running them is the business of rpt_gp_run at the end of the file.
 */
#include "report/rpt_chart.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/rpt_util.h"

/* Tableau 10: distinct for colour-blind readers and still distinct in grey print. */
const char *const rpt_palette[RPT_NPALETTE] = {
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

/* Sizes in pixels; the SVG scales to the page width, the PNG is a fixed raster. */
enum { W_WIDE = 1000, H_STD = 420, W_HOST = 640, H_HOST = 400 }; /* hosts: two per row */

/* A gnuplot single-quoted string: the only escape is '' for '. */
static void
gp_str(struct rpt_buf *b, const char *s)
{
    rpt_buf_puts(b, "'");
    for (; s && *s; s++)
        rpt_buf_puts(b, *s == '\'' ? "''" : (char[]){*s, 0});
    rpt_buf_puts(b, "'");
}

/* Numbers in scripts: shortest exact text, so the golden files are stable and a value
 * read back from the script is the value computed; NaN is gnuplot's own NaN (no point). */
static void
gp_num(struct rpt_buf *b, double v)
{
    char n[KS_NUMBUF];
    rpt_buf_puts(b, isnan(v) ? "NaN" : ks_fmt_double(n, v));
}

/* Common head: terminal, output, fonts, a light frame and grid. */
static void
gp_begin(struct rpt_buf *b, const char *name, const char *title, int w, int h)
{
    rpt_buf_printf(b, "# kasane report chart: %s\nreset\n", name);
    rpt_buf_printf(b, "set terminal svg size %d,%d font 'DejaVu Sans,12' noenhanced "
                      "background rgb 'white'\n", w, h);
    rpt_buf_printf(b, "set output 'charts/%s.svg'\n", name);
    rpt_buf_puts(b, "set encoding utf8\nset title ");
    gp_str(b, title);
    rpt_buf_puts(b, " font ',14'\n"
                    "set border 3 lc rgb '#555555'\nset tics nomirror textcolor rgb '#333333'\n"
                    "set grid ytics lc rgb '#d0d0d0' lw 1 dt 1\n"
                    "set key below center horizontal Left reverse noautotitle samplen 2 "
                    "spacing 1.1 width 2\n");
}

/* Common tail: the same plot again as PNG, then free the data block.
 * Ownership of the script passes to the caller (rpt_buf_take). */
static char *
gp_end(struct rpt_buf *b, const char *name, int w, int h)
{
    rpt_buf_printf(b, "set terminal pngcairo size %d,%d font 'DejaVu Sans,10' noenhanced "
                      "background rgb 'white'\n", w, h);
    rpt_buf_printf(b, "set output 'charts/%s.png'\nreplot\nunset output\nundefine $data\n",
                   name);
    return rpt_buf_take(b);
}

/* A time x axis over [t0, t1] UNIX s, tics every day (or 6 h for short spans). */
static void
gp_time_axis(struct rpt_buf *b, double t0, double t1)
{
    /* Tics a reader can count: 6-hourly within two days, daily up to ten, else every
     * other day; dates only once the span is longer than two days. */
    double span = t1 - t0, tic = span <= 2 * 86400 ? 6 * 3600 : span <= 10 * 86400 ? 86400 : 2 * 86400;
    rpt_buf_puts(b, "set xdata time\nset timefmt '%s'\n");
    rpt_buf_printf(b, "set format x \"%s\"\n", span <= 2 * 86400 ? "%d %b\\n%H:%M" : "%d %b");
    rpt_buf_printf(b, "set xtics %.0f\nset xrange [", tic);
    gp_num(b, t0);
    rpt_buf_puts(b, ":");
    gp_num(b, t1);
    rpt_buf_puts(b, "]\nset xlabel 'time (UTC)'\n");
}

/* Server names as y tics when they fit (40 rows), else only the count. */
static void
heat_yaxis(struct rpt_buf *b, const struct rpt_heatmap *c, int labels)
{
    if (labels) {
        rpt_buf_puts(b, "set ytics font ',10' (");
        for (size_t r = 0; r < c->nrows; r++) {
            rpt_buf_puts(b, r ? ", " : "");
            gp_str(b, c->rows[r]);
            rpt_buf_printf(b, " %zu", r);
        }
        rpt_buf_puts(b, ")\nset ylabel 'server (busiest first)'\n");
    } else {
        rpt_buf_printf(b, "unset ytics\nset ylabel '%zu servers (busiest at the top)'\n",
                       c->nrows);
    }
}

/* Matrix image: column k of the data block is drawn centred on the middle of its
 * window (t0 + k*step - step/2), row r at y = r with the busiest row on top. */
char *
rpt_gp_heatmap(const struct rpt_heatmap *c)
{
    struct rpt_buf b = {0};
    int labels = c->rows && c->nrows <= 40;
    int h = labels ? 150 + 16 * (int)c->nrows : 620;
    gp_begin(&b, c->name, c->title, W_WIDE, h < 260 ? 260 : h);
    rpt_buf_puts(&b, "$data << EOD\n");
    for (size_t r = 0; r < c->nrows; r++) {
        for (size_t k = 0; k < c->ncols; k++) {
            rpt_buf_puts(&b, k ? " " : "");
            gp_num(&b, c->v[r * c->ncols + k]);
        }
        rpt_buf_puts(&b, "\n");
    }
    rpt_buf_puts(&b, "EOD\n");
    gp_time_axis(&b, c->t0 - c->step_s, c->t0 + (double)(c->ncols - 1) * c->step_s);
    rpt_buf_printf(&b, "set yrange [%zu.5:-0.5]\nset grid noytics\n", c->nrows ? c->nrows - 1 : 0);
    /* Grey behind the image: a window without data shows grey, not as an idle 0%. */
    rpt_buf_puts(&b, "set object 1 rectangle from graph 0,0 to graph 1,1 behind "
                     "fillcolor rgb '#d9d9d9' fillstyle solid noborder\n");
    heat_yaxis(&b, c, labels);
    rpt_buf_puts(&b, "set cbrange [0:");
    gp_num(&b, c->zmax);
    rpt_buf_puts(&b, "]\nset cblabel ");
    gp_str(&b, c->cblabel);
    /* ColorBrewer YlOrRd: one direction of hue and lightness, so no level looks like
     * the grey of "no data" (a blue-to-orange ramp passed through grey near 80%). */
    rpt_buf_puts(&b, "\nset key off\nset palette defined (0 '#ffffcc', 0.25 '#fed976', "
                     "0.5 '#fd8d3c', 0.75 '#e31a1c', 1 '#800026')\n");
    rpt_buf_puts(&b, "plot $data matrix using (");
    gp_num(&b, c->t0);
    rpt_buf_puts(&b, " + $1*");
    gp_num(&b, c->step_s);
    rpt_buf_puts(&b, " - ");
    gp_num(&b, c->step_s / 2);
    rpt_buf_puts(&b, "):2:3 with image\n");
    return gp_end(&b, c->name, W_WIDE, h < 260 ? 260 : h);
}

/* A horizontal reference line as a constant function, dashed or solid. */
static void
gp_hline(struct rpt_buf *b, double y, const char *label, const char *colour, int dashed)
{
    rpt_buf_puts(b, ", ");
    gp_num(b, y);
    rpt_buf_printf(b, " with lines lw 2 dt %d lc rgb '%s' title ", dashed ? 2 : 1, colour);
    gp_str(b, label ? label : "");
}

char *
rpt_gp_stack(const struct rpt_stack *c)
{
    struct rpt_buf b = {0};
    gp_begin(&b, c->name, c->title, W_HOST, H_HOST);
    /* Cumulative sums are computed here, not in gnuplot: the data block then holds
     * exactly the boundaries drawn, which is what a reader of the script checks. */
    rpt_buf_puts(&b, "$data << EOD\n");
    for (size_t k = 0; k < c->npts; k++) {
        double cum = 0;
        gp_num(&b, c->t[k]);
        for (size_t l = 0; l < c->nlayers; l++) {
            double v = c->v[l * c->npts + k];
            cum += isnan(v) ? 0 : v;
            rpt_buf_puts(&b, " ");
            gp_num(&b, cum);
        }
        rpt_buf_puts(&b, "\n");
    }
    rpt_buf_puts(&b, "EOD\n");
    gp_time_axis(&b, c->npts ? c->t[0] : 0, c->npts ? c->t[c->npts - 1] : 1);
    rpt_buf_puts(&b, "set ylabel ");
    gp_str(&b, c->ylabel);
    rpt_buf_puts(&b, "\nset yrange [0:*]\nset style fill solid 0.85 noborder\nplot ");
    for (size_t l = 0; l < c->nlayers; l++) {
        rpt_buf_puts(&b, l ? ", " : "");
        if (l == 0)
            rpt_buf_puts(&b, "$data using 1:(0):2");
        else
            rpt_buf_printf(&b, "$data using 1:%zu:%zu", l + 1, l + 2);
        rpt_buf_printf(&b, " with filledcurves lc rgb '%s' title ", rpt_palette[l % RPT_NPALETTE]);
        gp_str(&b, c->layers[l]);
    }
    if (c->nlayers == 0)
        rpt_buf_puts(&b, "0 with lines lc rgb '#bbbbbb' title 'no VM'");
    if (!isnan(c->cap))
        gp_hline(&b, c->cap, c->cap_label, "#222222", 0);
    if (!isnan(c->limit))
        gp_hline(&b, c->limit, c->limit_label, "#b2182b", 1);
    rpt_buf_puts(&b, "\n");
    return gp_end(&b, c->name, W_HOST, H_HOST);
}

/* One data line per category: the quoted label, then one value per series. */
static void
bars_data(struct rpt_buf *b, const struct rpt_bars *c)
{
    rpt_buf_puts(b, "$data << EOD\n");
    for (size_t k = 0; k < c->ncat; k++) {
        rpt_buf_puts(b, "\"");
        /* Category labels are double-quoted data fields: drop quotes and backslashes. */
        for (const char *s = c->cats[k]; *s; s++)
            if (*s != '"' && *s != '\\')
                rpt_buf_printf(b, "%c", *s);
        rpt_buf_puts(b, "\"");
        for (size_t s = 0; s < c->nser; s++) {
            rpt_buf_puts(b, " ");
            gp_num(b, c->v[s * c->ncat + k]);
        }
        rpt_buf_puts(b, "\n");
    }
    rpt_buf_puts(b, "EOD\n");
}

/* Histogram bars: category labels are the first (quoted) data column, read by
 * xtic(1); series are columns 2.., each with its palette colour. */
char *
rpt_gp_bars(const struct rpt_bars *c)
{
    struct rpt_buf b = {0};
    int w = c->ncat > 12 ? W_WIDE : 800;
    gp_begin(&b, c->name, c->title, w, H_STD);
    bars_data(&b, c);
    int many = c->ncat > RPT_BARS_LABELLED;
    rpt_buf_printf(&b, "set style data histograms\nset style histogram clustered gap 1\n"
                       "set style fill solid 0.85 %s\nset boxwidth 0.9\n",
                   many ? "noborder" : "border rgb '#ffffff'");
    if (many) {
        rpt_buf_puts(&b, "unset xtics\nset xlabel ");
        gp_str(&b, c->xlabel_many ? c->xlabel_many : "");
        rpt_buf_puts(&b, "\n");
    } else {
        rpt_buf_puts(&b, "set xtics rotate by 30 right font ',10'\n");
    }
    rpt_buf_printf(&b, "set xrange [-0.6:%zu.6]\n", c->ncat ? c->ncat - 1 : 0);
    rpt_buf_printf(&b, "set ylabel ");
    gp_str(&b, c->ylabel);
    rpt_buf_puts(&b, c->logy ? "\nset logscale y\nset yrange [*:*]\nset format y '%.0s%c'\n"
                             : "\nset yrange [0:*]\n");
    rpt_buf_puts(&b, "plot ");
    for (size_t s = 0; s < c->nser; s++) {
        rpt_buf_printf(&b, "%s$data using %zu%s lc rgb '%s' title ", s ? ", " : "", s + 2,
                       s || many ? "" : ":xtic(1)", rpt_palette[s % RPT_NPALETTE]);
        gp_str(&b, c->sers[s]);
    }
    if (!isnan(c->hline))
        gp_hline(&b, c->hline, c->hline_label, "#b2182b", 1);
    rpt_buf_puts(&b, "\n");
    return gp_end(&b, c->name, w, H_STD);
}

/* Lines with points; the optional vertical marker (the payback point) is an arrow
 * without head plus a label, both in first-axis x so they move with the data. */
char *
rpt_gp_lines(const struct rpt_lines *c)
{
    struct rpt_buf b = {0};
    gp_begin(&b, c->name, c->title, 800, H_STD);
    rpt_buf_puts(&b, "$data << EOD\n");
    for (size_t k = 0; k < c->npts; k++) {
        gp_num(&b, c->x[k]);
        for (size_t s = 0; s < c->nser; s++) {
            rpt_buf_puts(&b, " ");
            gp_num(&b, c->v[s * c->npts + k]);
        }
        rpt_buf_puts(&b, "\n");
    }
    rpt_buf_puts(&b, "EOD\nset xlabel ");
    gp_str(&b, c->xlabel);
    rpt_buf_puts(&b, "\nset ylabel ");
    gp_str(&b, c->ylabel);
    rpt_buf_puts(&b, "\nset yrange [0:*]\n");
    if (!isnan(c->vline)) {
        rpt_buf_puts(&b, "set arrow 1 from first ");
        gp_num(&b, c->vline);
        rpt_buf_puts(&b, ", graph 0 to first ");
        gp_num(&b, c->vline);
        rpt_buf_puts(&b, ", graph 1 nohead lw 1.5 dt 3 lc rgb '#555555'\nset label 1 ");
        gp_str(&b, c->vline_label ? c->vline_label : "");
        rpt_buf_puts(&b, " at first ");
        gp_num(&b, c->vline);
        rpt_buf_puts(&b, ", graph 0.95 offset 0.5,0 textcolor rgb '#333333'\n");
    }
    rpt_buf_puts(&b, "plot ");
    for (size_t s = 0; s < c->nser; s++) {
        rpt_buf_printf(&b, "%s$data using 1:%zu with linespoints lw 2.5 pt 7 ps 0.8 lc rgb '%s' "
                           "title ", s ? ", " : "", s + 2, rpt_palette[s % RPT_NPALETTE]);
        gp_str(&b, c->sers[s]);
    }
    rpt_buf_puts(&b, "\n");
    return gp_end(&b, c->name, 800, H_STD);
}

/* ---- running gnuplot ---------------------------------------------------------------- */

/* Looked up before running instead of letting popen fail: the shell would start,
 * print "gnuplot: not found" and exit 127, which is a worse message than ours. */
int
rpt_gp_available(const char *path)
{
    const char *p = path ? path : getenv("PATH");
    if (!p)
        return 0;
    char *dirs = ks_xstrdup(p), *save = NULL;
    int found = 0;
    for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *exe = ks_xasprintf("%s/gnuplot", *d ? d : ".");
        found = access(exe, X_OK) == 0;
        free(exe);
    }
    free(dirs);
    return found;
}

/* A shell single-quoted word: ' becomes '\''. */
static void
sh_quote(struct rpt_buf *b, const char *s)
{
    rpt_buf_puts(b, "'");
    for (; *s; s++)
        rpt_buf_puts(b, *s == '\'' ? "'\\''" : (char[]){*s, 0});
    rpt_buf_puts(b, "'");
}

/* Start one gnuplot in outdir, its messages appended to charts/gnuplot.log; NULL when
 * the shell cannot be started. This is the one popen of kasane. */
static FILE *
gp_open(const char *outdir)
{
    struct rpt_buf cmd = {0}, cd = {0};
    char *log = ks_xasprintf("%s/charts/gnuplot.log", outdir);
    rpt_buf_puts(&cmd, "exec gnuplot 2>>");
    sh_quote(&cmd, log);
    free(log);
    FILE *gp = popen(cmd.s, "w");
    rpt_buf_fini(&cmd);
    if (gp) {
        rpt_buf_puts(&cd, "cd ");
        gp_str(&cd, outdir);
        fprintf(gp, "%s\n", cd.s);
        rpt_buf_fini(&cd);
    }
    return gp;
}

/* Few processes for every chart: gnuplot's start-up (~30 ms) times tens of host charts
 * would be a visible share of the 10 s budget, while two processes use both cores of a
 * small machine. Charts go round-robin; each script is flushed whole, so a process
 * never waits for text stuck in our buffer while we are blocked writing to the other.
 * Scripts are independent (each starts with reset and ends by undefining its data), so
 * one failing chart leaves the others. */
int
rpt_gp_run(const char *outdir, char *const *scripts, size_t n, struct ks_err *err)
{
    FILE *gp[RPT_GP_PROCS];
    size_t np = n < RPT_GP_PROCS ? (n ? n : 1) : RPT_GP_PROCS, started = 0;
    int rc = 0;
    char *log = ks_xasprintf("%s/charts/gnuplot.log", outdir);
    unlink(log); /* processes append: start from an empty log each run */
    free(log);
    /* A gnuplot that dies early must not kill the report with SIGPIPE: ignore it while
     * writing (write errors then just end the run) and restore the caller's handler. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    for (; started < np && (gp[started] = gp_open(outdir)); started++)
        ;
    if (started == 0) {
        int e = errno;
        sigaction(SIGPIPE, &old, NULL);
        return ks_errf(err, -e, "cannot start gnuplot: %s", strerror(e));
    }
    for (size_t i = 0; i < n; i++) {
        fputs(scripts[i], gp[i % started]);
        fflush(gp[i % started]);
    }
    for (size_t k = 0; k < started; k++) {
        int st = pclose(gp[k]);
        if (rc == 0 && (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
            rc = ks_errf(err, -EIO, "gnuplot failed (exit %d): see %s/charts/gnuplot.log",
                         st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st), outdir);
    }
    sigaction(SIGPIPE, &old, NULL);
    return rc;
}
