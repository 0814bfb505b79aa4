/*
 * gnuplot scripts (rpt_chart.h). The generators only build text: no file, process or
 * clock is touched, so the same input always gives the same script (golden tests).
 * Running them is the business of rpt_gp_run at the end of the file.
 */
#include "report/rpt_chart.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/ks_locale.h"
#include "report/rpt_gp_check.h"
#include "report/rpt_util.h"

/* Tableau 10: distinct for colour-blind readers and still distinct in grey print. */
const char *const rpt_palette[RPT_NPALETTE] = {
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

/* Sizes in pixels; the SVG scales to the page width, the PNG is a fixed raster. */
enum { W_WIDE = 1000, H_STD = 420, W_HOST = 640, H_HOST = 400 }; /* hosts: two per row */

/* Length of the well-formed UTF-8 sequence at s that may stand in a label, or 0: C0 and
 * C1 controls, DEL, overlong forms, surrogates, U+FFFE/U+FFFF and code points above
 * U+10FFFF are all refused, so what is kept is one line of valid XML text (the SVG is
 * inlined in index.html) and nothing a terminal or gnuplot reads as a control. */
static size_t
gp_char_len(const unsigned char *s)
{
    if (s[0] >= 0x20 && s[0] < 0x7f)
        return 1;
    int n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
          : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    unsigned long cp = s[0] & (0x7f >> n);
    for (int k = 1; k < n; k++) {
        if ((s[k] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (s[k] & 0x3f);
    }
    static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (n == 0 || cp < least[n] || cp <= 0x9f || (cp >= 0xd800 && cp <= 0xdfff) ||
        cp == 0xfffe || cp == 0xffff || cp > 0x10ffff)
        return 0;
    return (size_t)n;
}

/* The one way text enters a chart script (see rpt_chart.h). Every byte that is not part
 * of an allowed character becomes U+FFFD, so the text can neither end the line (a
 * newline ends a gnuplot command; the next line could be `!cmd`) nor the data block.
 * gnuplot 5.4 reads '' as a quote only right after another character of the string
 * (scanner.c looks ahead from that character): a leading quote, or one right after
 * another quote, would end the string there. Those become U+2019 instead; the text
 * still stays inside strings either way, but the chart would fail to draw. */
void
rpt_gp_str(struct rpt_buf *b, const char *s, enum rpt_gp_quote q)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    int after_char = 0; /* the last character written was not a quote */
    rpt_buf_puts(b, q == RPT_GP_DATA ? "\"" : "'");
    while (*u) {
        size_t n = gp_char_len(u);
        if (n == 0) {
            rpt_buf_puts(b, RPT_GP_BAD);
            u++;
        } else if (q == RPT_GP_DATA && (*u == '"' || *u == '\\')) {
            u++; /* a data field has no escape for its quote: dropped (as before) */
            continue;
        } else if (q == RPT_GP_CODE && *u == '\'') {
            rpt_buf_puts(b, after_char ? "''" : RPT_GP_QUOTE);
            after_char = !after_char;
            u++;
            continue;
        } else {
            rpt_buf_printf(b, "%.*s", (int)n, (const char *)u);
            u += n;
        }
        after_char = 1;
    }
    rpt_buf_puts(b, q == RPT_GP_DATA ? "\"" : "'");
}

static void
gp_str(struct rpt_buf *b, const char *s)
{
    rpt_gp_str(b, s, RPT_GP_CODE);
}

void
rpt_gp_output(struct rpt_buf *b, const char *name, const char *ext)
{
    char *path = ks_xasprintf("charts/%s.%s", name, ext);
    rpt_buf_puts(b, "set output ");
    gp_str(b, path);
    rpt_buf_puts(b, "\n");
    free(path);
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
    rpt_buf_puts(b, "# kasane report chart: ");
    gp_str(b, name);
    rpt_buf_printf(b, "\nreset\nset terminal svg size %d,%d font 'DejaVu Sans,12' noenhanced "
                      "background rgb 'white'\n", w, h);
    rpt_gp_output(b, name, "svg");
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
    rpt_gp_output(b, name, "png");
    rpt_buf_puts(b, "replot\nunset output\nundefine $data\n");
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
        rpt_buf_puts(b, ")\nset ylabel ");
        gp_str(b, c->ylabel ? c->ylabel : "server (busiest first)");
        rpt_buf_puts(b, "\n");
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
        rpt_gp_str(b, c->cats[k], RPT_GP_DATA);
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

/* Looked up before running, and run by its full path: no shell is involved, so neither
 * a report path nor PATH tricks reach a command line. */
char *
rpt_gp_find(const char *path)
{
    const char *p = path ? path : getenv("PATH");
    if (!p)
        return NULL;
    char *dirs = ks_xstrdup(p), *save = NULL, *found = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *exe = ks_xasprintf("%s/gnuplot", *d ? d : ".");
        if (access(exe, X_OK) == 0)
            found = exe;
        else
            free(exe);
    }
    free(dirs);
    return found;
}

int
rpt_gp_available(const char *path)
{
    char *exe = rpt_gp_find(path);
    free(exe);
    return exe != NULL;
}

/* Start gnuplot (exe) in outdir reading commands from a pipe, stdout and stderr to
 * logfd; returns its pid and sets *in to the pipe's write end, or -1 with errno. The
 * pipe is close-on-exec so a second gnuplot does not hold the first one's stdin open. */
static pid_t
gp_spawn(const char *exe, const char *outdir, int logfd, int *in)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    char **env = ks_child_env(); /* LC_ALL=C: gnuplot reads '.' decimals (ks_locale.h) */
    pid_t pid = fork();
    if (pid == 0) { /* only async-signal-safe calls until exec */
        if (dup2(fds[0], 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 || chdir(outdir) != 0)
            _exit(126);
        execle(exe, "gnuplot", (char *)NULL, env);
        _exit(127);
    }
    int e = errno;
    ks_child_env_free(env);
    close(fds[0]);
    if (pid < 0) {
        close(fds[1]);
        errno = e;
        return -1;
    }
    *in = fds[1];
    return pid;
}

/* Write all of s to fd; a gnuplot that died makes this fail (EPIPE), which only ends
 * that process's charts. */
static int
write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Scripts the checker refuses are not run; the log says which and why. Returns the
 * number refused. */
static size_t
gp_screen(int logfd, const char *const *names, char *const *scripts, size_t n, int *ok)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        struct ks_err e = {0};
        ok[i] = rpt_gp_check(scripts[i], &e) == 0;
        if (!ok[i]) {
            char *msg = ks_xasprintf("kasane: charts/%s.gp not run: %s\n", names[i], e.msg);
            (void)write_all(logfd, msg, strlen(msg));
            free(msg);
            bad++;
        }
    }
    return bad;
}

/* Largest script first, each to the process with the fewest bytes so far (longest
 * processing time first): the estate heatmap of a large estate is most of the work, and
 * round-robin put it and half the host charts on the same process while the other idled.
 * Script size stands in for drawing time. */
static void
gp_feed(const int *in, size_t np, const char *const *names, char *const *scripts,
        const int *ok, size_t n)
{
    size_t *ord = ks_xmalloc((n ? n : 1) * sizeof *ord), *len = ks_xmalloc((n ? n : 1) * sizeof *len);
    size_t load[RPT_GP_PROCS] = {0};
    for (size_t i = 0; i < n; i++) {
        ord[i] = i;
        len[i] = strlen(scripts[i]);
    }
    for (size_t a = 1; a < n; a++) /* stable insertion sort, longest first: tens of charts */
        for (size_t b = a; b > 0 && len[ord[b]] > len[ord[b - 1]]; b--) {
            size_t t = ord[b];
            ord[b] = ord[b - 1];
            ord[b - 1] = t;
        }
    for (size_t j = 0; j < n; j++) {
        size_t i = ord[j], k = 0;
        if (!ok[i])
            continue;
        for (size_t p = 1; p < np; p++)
            k = load[p] < load[k] ? p : k;
        load[k] += len[i];
        struct rpt_buf line = {0};
        char *path = ks_xasprintf("charts/%s.gp", names[i]);
        rpt_buf_puts(&line, "load ");
        gp_str(&line, path);
        rpt_buf_puts(&line, "\n");
        (void)write_all(in[k], line.s, line.len);
        free(path);
        rpt_buf_fini(&line);
    }
    free(ord);
    free(len);
}

/* Few processes for every chart: gnuplot's start-up (~30 ms) times tens of host charts
 * would be a visible share of the 10 s budget, while two processes use both cores of a
 * small machine. Each chart is `load`ed from its file rather than piped in as text:
 * piped, gnuplot reports an error and carries on with the next line of the same chart,
 * while an error in a loaded file abandons the rest of that file; the next `load` then
 * starts the next chart afresh (each begins with reset and ends by undefining its data).
 * So a failing chart stops at its first error and leaves the others. */
int
rpt_gp_run(const char *outdir, const char *gnuplot_path, const char *const *names,
           char *const *scripts, size_t n, struct ks_err *err)
{
    char *exe = rpt_gp_find(gnuplot_path), *log = ks_xasprintf("%s/charts/gnuplot.log", outdir);
    int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666), rc = 0;
    free(log);
    if (!exe || logfd < 0) {
        int e = exe ? errno : ENOENT;
        free(exe);
        if (logfd >= 0)
            close(logfd);
        return ks_errf(err, -e, "cannot start gnuplot: %s", strerror(e));
    }
    int *ok = ks_xmalloc((n ? n : 1) * sizeof *ok), in[RPT_GP_PROCS];
    if (gp_screen(logfd, names, scripts, n, ok))
        rc = ks_errf(err, -EPERM, "chart scripts refused: see %s/charts/gnuplot.log", outdir);
    /* A gnuplot that dies early must not kill the report with SIGPIPE: ignore it while
     * writing (write errors then just end that process's share) and restore it. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    pid_t pid[RPT_GP_PROCS];
    size_t np = n < RPT_GP_PROCS ? (n ? n : 1) : RPT_GP_PROCS, started = 0;
    for (; started < np && (pid[started] = gp_spawn(exe, outdir, logfd, &in[started])) > 0;
         started++)
        ;
    if (started == 0) {
        int e = errno;
        rc = ks_errf(err, -e, "cannot start gnuplot: %s", strerror(e));
    }
    if (started)
        gp_feed(in, started, names, scripts, ok, n);
    for (size_t k = 0; k < started; k++) /* every process sees its end of input now */
        close(in[k]);
    for (size_t k = 0; k < started; k++) {
        int st = 0;
        while (waitpid(pid[k], &st, 0) < 0 && errno == EINTR)
            ;
        if (rc == 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
            rc = ks_errf(err, -EIO, "gnuplot failed (exit %d): see %s/charts/gnuplot.log",
                         WIFEXITED(st) ? WEXITSTATUS(st) : -1, outdir);
    }
    sigaction(SIGPIPE, &old, NULL);
    close(logfd);
    free(ok);
    free(exe);
    return rc;
}
