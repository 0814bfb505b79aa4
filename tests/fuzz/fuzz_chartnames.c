/* libFuzzer harness: arbitrary names (entity, host, model, rule names and the titles and
 * labels built from them) through every chart writer. The input is split at NUL bytes
 * into names, used in turn for every text slot of a heatmap, a stacked-area chart, bar
 * charts (labelled and unlabelled), a line chart and the risk sweep curve. Each script
 * must pass rpt_gp_check (report/rpt_gp_check.h: nothing but plotting, every name inside
 * one string on one line); a refused script aborts, which libFuzzer reports as a crash
 * and test_fuzz_regress replays from tests/fuzz/regress/fuzz_chartnames/. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_chart.h"
#include "report/rpt_gp_check.h"
#include "report/rpt_risk.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_NNAMES 8 /* text slots per chart; names are reused round-robin */

static void
fz_check(char *script)
{
    struct ks_err err = {0};
    if (rpt_gp_check(script, &err) != 0) {
        fprintf(stderr, "chart script refused: %s\n--- script ---\n%s", err.msg, script);
        abort();
    }
    free(script);
}

/* Heatmap, stack and lines: every string slot is a name. */
static void
fz_time_charts(const char *const *n)
{
    static const double v[] = {10, 20, 30, 40, 50, 60, 70, 80};
    static const double t[] = {1767229200, 1767232800, 1767236400, 1767240000};
    struct rpt_heatmap h = {.name = "estate_heatmap", .title = n[0], .cblabel = n[1],
                            .nrows = 4, .ncols = 2, .t0 = t[0], .step_s = 3600, .v = v,
                            .rows = n + 2, .zmax = 100};
    fz_check(rpt_gp_heatmap(&h));
    struct rpt_stack s = {.name = "host_1", .title = n[1], .ylabel = n[2], .nlayers = 2,
                          .npts = 4, .layers = n + 3, .t = t, .v = v, .cap = 90,
                          .limit = 80, .cap_label = n[5], .limit_label = n[6]};
    fz_check(rpt_gp_stack(&s));
    struct rpt_lines l = {.name = "cost_horizon", .title = n[2], .xlabel = n[3],
                          .ylabel = n[4], .npts = 4, .nser = 2, .x = t, .sers = n + 5,
                          .v = v, .vline = t[1], .vline_label = n[7]};
    fz_check(rpt_gp_lines(&l));
}

/* Bars with labels (names as data-block fields) and without, and the risk curve with
 * names as its point labels. */
static void
fz_cat_charts(const char *const *n)
{
    static const double v[] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct rpt_bars b = {.name = "peak_sizing", .title = n[3], .ylabel = n[4],
                         .xlabel_many = n[5], .ncat = 4, .nser = 2, .cats = n,
                         .sers = n + 4, .v = v, .hline = 3, .hline_label = n[6]};
    fz_check(rpt_gp_bars(&b));
    const char *many[RPT_BARS_LABELLED + 1];
    double mv[2 * (RPT_BARS_LABELLED + 1)];
    for (size_t i = 0; i < RPT_BARS_LABELLED + 1; i++) {
        many[i] = n[i % FZ_NNAMES];
        mv[i] = mv[RPT_BARS_LABELLED + 1 + i] = (double)i;
    }
    b.ncat = RPT_BARS_LABELLED + 1;
    b.cats = many;
    b.v = mv;
    b.logy = 1;
    fz_check(rpt_gp_bars(&b));
    struct rpt_risk_curve r = {.name = "risk_sweep", .title = n[7], .npts = 4, .hosts = v,
                               .cpu = v + 4, .mem = v + 2, .labels = n + 1, .target_pct = 1,
                               .advice = 1};
    fz_check(rpt_gp_risk(&r));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fz_cstr(data, size);
    const char *n[FZ_NNAMES];
    const char *p = buf, *end = buf + size;
    for (size_t i = 0; i < FZ_NNAMES; i++) { /* past the last name: the first ones again */
        n[i] = p <= end ? p : n[0];
        if (p <= end)
            p += strlen(p) + 1;
    }
    fz_time_charts(n);
    fz_cat_charts(n);
    free(buf);
    return 0;
}
