/* The sweep curve's gnuplot script (rpt_risk.h): a pure function, golden-tested like
 * the charts of rpt_chart.c, and drawn by the same pipe (rpt_gp_run). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report/rpt_chart.h"
#include "report/rpt_risk.h"
#include "report/rpt_util.h"

enum { W = 800, H = 420 };

/* Text only through rpt_gp_str (rpt_chart.h). */
static void
quote(struct rpt_buf *b, const char *s)
{
    rpt_gp_str(b, s, RPT_GP_CODE);
}

/* Shortest exact text; NaN is gnuplot's NaN (no point drawn). */
static void
number(struct rpt_buf *b, double v)
{
    char n[KS_NUMBUF];
    rpt_buf_puts(b, isnan(v) ? "NaN" : ks_fmt_double(n, v));
}

/* Row order: fewer hosts first, and at one host count the riskier setting first, so the
 * line runs down the curve. In sweep order (by headroom) it doubled back on itself
 * wherever two settings gave the same host count. */
static int
row_before(const struct rpt_risk_curve *c, size_t i, size_t j)
{
    double ri = isnan(c->cpu[i]) ? 0 : c->cpu[i], rj = isnan(c->cpu[j]) ? 0 : c->cpu[j];
    return c->hosts[i] < c->hosts[j] || (c->hosts[i] == c->hosts[j] && ri > rj);
}

/* One data row per setting: hosts, cpu share, mem share, "label". Labels are data so
 * that gnuplot places them beside their points. */
static void
data_block(struct rpt_buf *b, const struct rpt_risk_curve *c)
{
    size_t *ord = ks_xmalloc(c->npts * sizeof *ord);
    for (size_t i = 0; i < c->npts; i++) { /* insertion sort: a sweep has a few points */
        size_t k = i;
        for (; k > 0 && row_before(c, i, ord[k - 1]); k--)
            ord[k] = ord[k - 1];
        ord[k] = i;
    }
    rpt_buf_puts(b, "$data << EOD\n");
    for (size_t n = 0; n < c->npts; n++) {
        size_t i = ord[n];
        number(b, c->hosts[i]);
        rpt_buf_puts(b, " ");
        number(b, c->cpu[i]);
        rpt_buf_puts(b, " ");
        number(b, c->mem[i]);
        rpt_buf_puts(b, " ");
        rpt_gp_str(b, c->labels[i], RPT_GP_DATA);
        rpt_buf_puts(b, "\n");
    }
    rpt_buf_puts(b, "EOD\n");
    free(ord);
}

/* Host counts are whole: a tic per host while they fit, gnuplot's own beyond. */
static void
host_tics(struct rpt_buf *b, const struct rpt_risk_curve *c)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < c->npts; i++) {
        lo = fmin(lo, c->hosts[i]);
        hi = fmax(hi, c->hosts[i]);
    }
    if (c->npts && hi - lo <= 20)
        rpt_buf_puts(b, "set xtics 1\n");
    rpt_buf_puts(b, "set format x '%.0f'\n");
}

static void
frame(struct rpt_buf *b, const struct rpt_risk_curve *c, const char *term, int png)
{
    rpt_buf_printf(b, "set terminal %s size %d,%d font 'DejaVu Sans,%d' noenhanced "
                      "background rgb 'white'\n", term, W, H, png ? 10 : 12);
    rpt_gp_output(b, c->name, png ? "png" : "svg");
}

char *
rpt_gp_risk(const struct rpt_risk_curve *c)
{
    struct rpt_buf b = {0};
    rpt_buf_puts(&b, "# kasane report chart: ");
    quote(&b, c->name);
    rpt_buf_puts(&b, "\nreset\n");
    frame(&b, c, "svg", 0);
    rpt_buf_puts(&b, "set encoding utf8\nset title ");
    quote(&b, c->title);
    rpt_buf_puts(&b, " font ',14'\nset border 3 lc rgb '#555555'\n"
                     "set tics nomirror textcolor rgb '#333333'\n"
                     "set grid ytics lc rgb '#d0d0d0' lw 1 dt 1\n"
                     "set key below center horizontal Left reverse noautotitle samplen 2\n");
    data_block(&b, c);
    rpt_buf_puts(&b, "set xlabel 'hosts in the plan'\n"
                     "set ylabel 'host-steps over capacity in the test window (%)'\n"
                     "set yrange [0:*]\nset offsets 0.5, 0.5, 0, 0\n");
    host_tics(&b, c);
    if (c->advice >= 0 && (size_t)c->advice < c->npts) {
        rpt_buf_puts(&b, "set object 1 circle at first ");
        number(&b, c->hosts[c->advice]);
        rpt_buf_puts(&b, ", first ");
        number(&b, fmax(isnan(c->cpu[c->advice]) ? 0 : c->cpu[c->advice],
                        isnan(c->mem[c->advice]) ? 0 : c->mem[c->advice]));
        rpt_buf_puts(&b, " size char 1.2 front fillstyle empty border lc rgb '#b2182b' lw 2\n");
    }
    rpt_buf_printf(&b, "plot $data using 1:2 with linespoints lw 2.5 pt 7 ps 0.8 lc rgb '%s' "
                       "title 'CPU', $data using 1:3 with linespoints lw 2.5 pt 5 ps 0.8 "
                       "lc rgb '%s' title 'memory', $data using 1:2:4 with labels offset "
                       "char 0,1 font ',9' textcolor rgb '#555555' notitle, ",
                   rpt_palette[0], rpt_palette[1]);
    number(&b, c->target_pct);
    rpt_buf_puts(&b, " with lines lw 2 dt 2 lc rgb '#b2182b' title ");
    char t[64];
    snprintf(t, sizeof t, "target %g%%", c->target_pct);
    quote(&b, t);
    rpt_buf_puts(&b, "\n");
    frame(&b, c, "pngcairo", 1);
    rpt_buf_puts(&b, "replot\nunset output\nundefine $data\n");
    return rpt_buf_take(&b);
}
