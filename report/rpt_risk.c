/* The Risk section: backtest, sweep curve and advice, rolling folds, per-host overload
 * (see rpt_risk.h). The figures are the planner's risk files, shown as they are: the
 * e2e tests recompute them from the dataset independently. */
#include "report/rpt_risk.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/mdl_risk.h"
#include "report/rpt_html.h"
#include "report/rpt_sections.h"
#include "report/rpt_util.h"

#define MAX_HOST_ROWS 60 /* the page lists the worst hosts; all are in the CSV */

/* A column of UNIX seconds as UTC times in the windows' own format (mdl_time_fmt),
 * for people (the plan's CSV keeps the seconds). */
static void
dates_of(struct ks_table *t, const char *col)
{
    int k = ks_table_col(t, col);
    for (size_t r = 0; k >= 0 && r < t->nrows; r++) {
        double v = ks_table_num(t, r, col);
        char b[32];
        if (!isnan(v))
            ks_table_set(t, r, k, mdl_time_fmt(b, sizeof b, v));
    }
}

/* Read PLAN_DIR/NAME.csv into report table NAME when the file exists (0), else 1. */
static int
load(struct rpt_ctx *c, const char *name, struct ks_err *err)
{
    char *path = ks_xasprintf("%s/%s.csv", c->o->plan_dir, name);
    struct stat st;
    struct ks_table t;
    int rc = 1;
    if (stat(path, &st) == 0) {
        rc = ks_table_read_sheet(path, NULL, &t, err);
        if (rc == 0) {
            dates_of(&t, "worst_time");
            rpt_copy_table(c, name, &t);
            ks_table_fini(&t);
        }
    }
    free(path);
    return rc;
}

static const char *
kv(const struct rpt_ctx *c, const char *key)
{
    const struct ks_table *t = rpt_ctx_find(c, "risk");
    return t ? rpt_kv_str(t, key) : NULL;
}

static double
kvn(const struct rpt_ctx *c, const char *key)
{
    const struct ks_table *t = rpt_ctx_find(c, "risk");
    return t ? rpt_kv_num(t, key) : NAN;
}

/* The curve from risk_sweep.csv (rows without a plan drawn as gaps). */
static void
sweep_chart(struct rpt_ctx *c, const struct ks_table *s)
{
    size_t n = s->nrows;
    double *x = ks_xmalloc((n ? n : 1) * 3 * sizeof *x);
    const char **lab = ks_xmalloc((n ? n : 1) * sizeof *lab);
    long advice = -1;
    for (size_t i = 0; i < n; i++) {
        x[i] = ks_table_num(s, i, "hosts");
        x[n + i] = ks_table_num(s, i, "overload_cpu_pct");
        x[2 * n + i] = ks_table_num(s, i, "overload_mem_pct");
        lab[i] = ks_table_str(s, i, "setting") ? ks_table_str(s, i, "setting") : "";
        if (ks_table_num(s, i, "advice") == 1)
            advice = (long)i;
    }
    struct rpt_risk_curve cv = {.name = "risk_sweep",
                                .title = "Hosts against overload risk in the test window",
                                .npts = n, .hosts = x, .cpu = x + n, .mem = x + 2 * n,
                                .labels = lab, .target_pct = kvn(c, "target_pct"),
                                .advice = advice};
    rpt_ctx_chart(c, cv.name, rpt_gp_risk(&cv));
    free(x);
    free(lab);
}

int
rpt_risk_build(struct rpt_ctx *c, struct ks_err *err)
{
    int rc = load(c, "risk", err);
    if (rc != 0)
        return rc < 0 ? rc : 0; /* no backtest: the html step says so */
    static const char *const more[] = {"risk_hosts", "risk_sweep", "risk_rolling",
                                       "risk_missing", "risk_rules", "risk_margins"};
    for (size_t i = 0; i < sizeof more / sizeof *more; i++)
        if ((rc = load(c, more[i], err)) < 0)
            return rc;
    const struct ks_table *s = rpt_ctx_find(c, "risk_sweep");
    if (s && s->nrows)
        sweep_chart(c, s);
    return 0;
}

/* A risk.csv figure as text (escaped), "n/a" when absent. */
static void
fig(FILE *f, const struct rpt_ctx *c, const char *key, int decimals)
{
    char b[RPT_NUMBUF];
    double v = kvn(c, key);
    if (!isnan(v))
        fputs(rpt_fmt_group(b, v, decimals), f);
    else
        rpt_html_esc(f, kv(c, key) ? kv(c, key) : "n/a");
}

/* rpt_html_fill_with's writer for risk.csv: "{key:D}" as fig, "{key}" as escaped text. */
static void
put_fig(FILE *f, const void *arg, const char *key, int decimals)
{
    if (decimals >= 0)
        fig(f, arg, key, decimals);
    else
        rpt_html_esc(f, kv(arg, key));
}

/* Write a template with risk.csv figures filled in (one call instead of a run of
 * fputs/fig pairs per sentence). */
static void
fill(FILE *f, const struct rpt_ctx *c, const char *tmpl)
{
    rpt_html_fill_with(f, tmpl, put_fig, c);
}

int
rpt_plan_on_all(const struct ks_table *summary)
{
    const char *on = rpt_kv_str(summary, "plan_made_on");
    return on && strcmp(on, "all") == 0;
}

void
rpt_plan_window_html(const struct rpt_ctx *c, FILE *f)
{
    const char *w = rpt_sum_str(c, "plan_window");
    struct mdl_window win;
    if (w && mdl_window_parse(w, &win, NULL) == 0)
        fprintf(f, "all %.3g days of data (", (win.to_s - win.from_s) / 86400);
    else
        fputs("all the data (", f);
    rpt_html_esc(f, w ? w : "n/a");
    fputs(")", f);
}

static void
backtest_html(const struct rpt_ctx *c, FILE *f)
{
    /* With --final-on-all the backtest's plan is not the plan of record: the section
     * says so first, then gives the same figures as evidence for the method. */
    if (rpt_plan_on_all(&c->plan.summary)) {
        fputs("<p>The plan of record was made on ", f);
        rpt_plan_window_html(c, f);
        fill(f, c, ". The method was backtested: a plan made the same way (same policy and "
                   "rules) on the training window {train_window:0} only ({hosts:0} hosts) "
                   "was replayed on the test window {test_window:0}: on ");
    } else {
        fill(f, c, "<p>The plan was made from the training window {train_window:0} only, "
                   "and its placement replayed on the test window {test_window:0}: on ");
    }
    fill(f, c, "{loaded_hosts:0} hosts carrying VMs, <strong>{overload_cpu_pct:4}%</strong> "
               "of host-steps were over CPU capacity and <strong>{overload_mem_pct:4}%"
               "</strong> over memory; the worst load was {worst_pct:1}% of capacity, the "
               "longest overload lasted {longest_run_steps:0} steps, and "
               "{hosts_overloaded:0} hosts ({vms_on_overloaded_hosts:0} VMs) overloaded at "
               "least once. Capacity is the usable one (after hypervisor overhead, before "
               "headroom).</p>\n");
    if (kvn(c, "missing_from_train") > 0 || kvn(c, "missing_from_test") > 0)
        fill(f, c, "<p class=\"note\">Missing, not guessed: {missing_from_train:0} entities "
                   "have no sample in the training window (not placed) and "
                   "{missing_from_test:0} placed ones none in the test window (not "
                   "replayed); see <code>tables/risk_missing.csv</code>.</p>\n");
    if (!isnan(kvn(c, "holds_months"))) {
        fill(f, c, "<p>With demand growing {growth_pct_per_year:1}% a year (the plan was "
                   "packed for the end of the horizon), the test window stays within the "
                   "target for {holds_months:0}");
        fputs(kvn(c, "holds_months") < 0 ? " months (it is over it today).</p>\n"
                                         : " months.</p>\n", f);
    }
}

/* Placement rules in the backtest (risk.csv's rules keys, risk_rules.csv): every plan
 * kept them on its training window's entities; rules that lost members there listed. */
static void
rules_html(const struct rpt_ctx *c, FILE *f)
{
    if (isnan(kvn(c, "rules")))
        return;
    fputs("<p>Every plan of the backtest kept the ", f);
    fig(f, c, "rules", 0);
    fputs(" placement rules (see Placement rules) on the entities of its training window, "
          "so the overloads above are those of the placement the rules produced; ", f);
    fig(f, c, "kept_physical", 0);
    fputs(kvn(c, "kept_physical") == 1 ? " entity an exclude rule keeps physical was not replayed.</p>\n"
                                      : " entities an exclude rule keeps physical were not replayed.</p>\n",
          f);
    const struct ks_table *t = rpt_ctx_find(c, "risk_rules");
    if (!t || t->nrows == 0)
        return;
    rpt_html_note(f, "Some rules name entities without a sample in a training window: "
                     "there the rule was kept for its other members (narrowed), or skipped "
                     "when too few were left.");
    rpt_html_table(f, t, "risk_rules", 0);
}

static void
sweep_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *s = rpt_ctx_find(c, "risk_sweep");
    if (!s)
        return;
    fputs("<h3>Host count against overload risk</h3>\n<p>Each setting was planned on the "
          "training window and backtested on the test window. ", f);
    if (kv(c, "advice_setting"))
        fill(f, c, "The advice: <strong>{advice_hosts:0} hosts</strong> ({advice_setting}), "
                   "the fewest that keep the overload share within {target_pct:2}% for every "
                   "resource.</p>\n");
    else
        fill(f, c, "No setting kept the overload share within {target_pct:2}%: widen the "
                   "sweep.</p>\n");
    /* The advice is not applied behind the planner's back: the plan of record keeps the
     * policy given on the command line, and the page says so next to the advice. */
    if (rpt_plan_on_all(&c->plan.summary))
        rpt_html_fill(f, c, "<p>The plan of record keeps the policy given (headroom "
                            "{headroom_pct:0}%, percentile {percentile:0}): {hosts:0} hosts on "
                            "all the data. The sweep's host counts are those of plans made on "
                            "the training window; to follow the advice, plan again at its "
                            "setting.</p>\n");
    rpt_html_chart(f, c, "risk_sweep", "Overload share of host-steps in the test window "
                                       "against the plan's host count, one point per setting");
    rpt_html_table(f, s, "risk_sweep", 0);
}

/* One row of the comparison: a method (and its setting, escaped: it comes from a file),
 * its hosts, its shares on the test window. */
static void
compare_row(FILE *f, const char *method, const char *setting, double hosts, double cpu,
            double mem, double target)
{
    char b[3][RPT_NUMBUF];
    int ok = cpu <= target && mem <= target;
    fprintf(f, "<tr><td>%s", method);
    if (setting) {
        fputs(" (", f);
        rpt_html_esc(f, setting);
        fputs(")", f);
    }
    fprintf(f, "</td><td>%s</td><td>%s%%</td><td>%s%%</td><td>%s</td></tr>\n",
            rpt_fmt_group(b[0], hosts, 0), rpt_fmt_group(b[1], cpu, 4),
            rpt_fmt_group(b[2], mem, 4), ok ? "yes" : "no");
}

/* Sample time and value, ordered by time. */
struct tv {
    double t, v;
};

static int
tv_cmp(const void *a, const void *b)
{
    double x = ((const struct tv *)a)->t, y = ((const struct tv *)b)->t;
    return (x > y) - (x < y);
}

/* The fleet's CPU peak in window w: the largest sum over the VMs of their measured
 * cpu_MHz at one sample time (0: none measured). */
static double
fleet_peak(const struct ks_dataset *ds, const struct mdl_window *w)
{
    const struct ks_samples *x = &ds->s;
    struct tv *a = ks_xmalloc((x->nrows ? x->nrows : 1) * sizeof *a);
    size_t n = 0;
    for (size_t r = 0; r < x->nrows; r++) {
        double c = ks_samples_get(x, r, KS_CPU_MHZ);
        if (x->time[r] > w->from_s && x->time[r] <= w->to_s && !isnan(c))
            a[n++] = (struct tv){x->time[r], c};
    }
    qsort(a, n, sizeof *a, tv_cmp);
    double peak = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum = i > 0 && a[i].t == a[i - 1].t ? sum + a[i].v : a[i].v;
        peak = fmax(peak, sum);
    }
    free(a);
    return peak;
}

/* Why the risk-sized plan does or does not beat the sweep's advice, with the numbers: a
 * host model other than the advice's (counts of different models do not compare: the
 * sweep's plans of the risk-sized plan's model are quoted), a tie, or a miss. */
static void
size_why(const struct rpt_ctx *c, FILE *f, const struct ks_table *s, long adv, int ok)
{
    const char *model = rpt_kv_str(&c->plan.summary, "host_model");
    double hosts = kvn(c, "hosts"), t = kvn(c, "target_pct");
    char *msg = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&msg, &n);
    if (adv < 0)
        fprintf(m, "No sweep setting met the %g%% target on the test window: there is no "
                   "advice to compare with. ", t);
    int cm = ks_table_col(s, "host_model"), cs = ks_table_col(s, "setting");
    const char *amodel = adv >= 0 && cm >= 0 ? ks_table_get(s, (size_t)adv, cm) : NULL;
    double ah = adv >= 0 ? ks_table_num(s, (size_t)adv, "hosts") : NAN;
    if (amodel && model && strcmp(amodel, model) != 0) {
        fprintf(m, "The sweep's advice is %g hosts of %s, the risk-sized plan %g of %s: "
                   "host counts of different models do not compare. The sweep's own plans "
                   "of %s:", ah, amodel, hosts, model, model);
        int any = 0;
        for (size_t i = 0; i < s->nrows; i++) {
            const char *hm = ks_table_get(s, i, cm);
            if (!hm || strcmp(hm, model) != 0)
                continue;
            fprintf(m, "%s %s %g hosts, CPU %g%%", any ? ";" : "",
                    ks_table_get(s, i, cs), ks_table_num(s, i, "hosts"),
                    ks_table_num(s, i, "overload_cpu_pct"));
            any = 1;
        }
        fputs(any ? ". " : " none. ", m);
    } else if (adv >= 0 && ok && hosts < ah)
        fprintf(m, "The risk-sized plan meets the target with %g fewer host(s) than the "
                   "sweep's advice. ", ah - hosts);
    else if (adv >= 0 && ok)
        fprintf(m, "The risk-sized plan meets the target with as many hosts as the sweep's "
                   "advice (%g), and the advice was chosen on the test window itself, which "
                   "a plan made ahead of time cannot do. ", ah);
    struct mdl_window tw, sw;
    struct ks_err e = {0};
    const char *trw = kv(c, "train_window"), *tew = kv(c, "test_window");
    if (!ok && c->ds && trw && tew && mdl_window_parse(trw, &tw, &e) == 0 &&
        mdl_window_parse(tew, &sw, &e) == 0) {
        double a = fleet_peak(c->ds, &tw), b = fleet_peak(c->ds, &sw);
        if (a > 0 && b > a)
            fprintf(m, "The test window's fleet CPU peak (the VMs' measured MHz summed at one "
                       "time) is %.0f MHz, %.0f%% above the training window's %.0f MHz. ",
                    b, (b / a - 1) * 100, a);
    }
    if (!ok)
        fputs("The risk-sized plan misses the target on this test window. Its margins come "
              "from how the training window varies and how its held-back part strayed from "
              "the rest; a test window that differs in kind (other hours busy, other VMs "
              "bursting, a level shift) strays further than the training window showed. The "
              "sweep's advice was chosen on the test window itself, which a real plan cannot "
              "do. ", m);
    fclose(m);
    if (n)
        rpt_html_note(f, msg);
    free(msg);
}

/* --size-for-risk (risk.csv size_for_risk, risk_margins.csv): how the margins were
 * learned, the risk-sized plan beside the sweep's advice (hosts and test-window overload
 * for both), and why it does not win when it does not. */
static void
size_html(const struct rpt_ctx *c, FILE *f)
{
    if (!kv(c, "size_for_risk"))
        return;
    fill(f, c, "<h3>Sized for risk</h3>\n<p>This plan was sized for a risk target of "
               "{target_pct:2}% of host-steps overloaded, not by a uniform headroom: each host "
               "keeps, per resource, its VMs' mean plus kappa times the tail of their sum "
               "under capacity. The tail is the sum's (100 - target) percentile over its "
               "training series as measured and with each VM shifted in time, so that "
               "spikes which missed each other in training may meet (kappa 1: as far as "
               "that tail). Kappa was "
               "learned on {fit_window} and validated on the held-back {holdout_window} "
               "(CPU {margin_kappa_validated_cpu:2}, memory {margin_kappa_validated_mem:2}; "
               "held-back overload CPU {holdout_overload_cpu_pct:4}%, memory "
               "{holdout_overload_mem_pct:4}%), then raised to CPU {margin_kappa_cpu:2}, memory "
               "{margin_kappa_mem:2} while the host count allowed. Per-host margins: "
               "<code>tables/risk_margins.csv</code> (docs/risk.md).</p>\n");
    const struct ks_table *s = rpt_ctx_find(c, "risk_sweep");
    double t = kvn(c, "target_pct"), hosts = kvn(c, "hosts");
    double cpu = kvn(c, "overload_cpu_pct"), mem = kvn(c, "overload_mem_pct");
    long adv = -1;
    for (size_t i = 0; s && i < s->nrows; i++)
        if (ks_table_num(s, i, "advice") == 1)
            adv = (long)i;
    fputs("<div class=\"tw\"><table>\n<thead><tr><th>method</th><th>hosts</th><th>CPU "
          "overload</th><th>memory overload</th><th>within target</th></tr></thead>\n", f);
    compare_row(f, "sized for risk", NULL, hosts, cpu, mem, t);
    if (adv >= 0) {
        compare_row(f, "sweep advice", ks_table_get(s, (size_t)adv, 0),
                    ks_table_num(s, (size_t)adv, "hosts"),
                    ks_table_num(s, (size_t)adv, "overload_cpu_pct"),
                    ks_table_num(s, (size_t)adv, "overload_mem_pct"), t);
    }
    fputs("</table></div>\n", f);
    int ok = cpu <= t && mem <= t;
    if (!s)
        rpt_html_note(f, "Add --sweep headroom=0:40:5 to set the risk-sized plan beside a "
                         "headroom sweep's advice.");
    else
        size_why(c, f, s, adv, ok);
    const struct ks_table *m = rpt_ctx_find(c, "risk_margins");
    if (m)
        rpt_html_table(f, m, "risk_margins", MAX_HOST_ROWS);
}

void
rpt_risk_html(const struct rpt_ctx *c, FILE *f)
{
    if (!rpt_ctx_find(c, "risk")) {
        rpt_html_note(f, "No backtest in this plan directory: run kasane plan with --backtest, "
                         "--train/--test or --sweep (docs/risk.md).");
        return;
    }
    backtest_html(c, f);
    rules_html(c, f);
    size_html(c, f);
    sweep_html(c, f);
    const struct ks_table *r = rpt_ctx_find(c, "risk_rolling");
    if (r) {
        fill(f, c, "<h3>Rolling backtests</h3>\n<p>Trained on week k, tested on week k+1: "
                   "the overload share ranged from {rolling_overload_min_pct:4}% to "
                   "{rolling_overload_max_pct:4}% (median {rolling_overload_median_pct:4}%)."
                   "</p>\n");
        rpt_html_table(f, r, "risk_rolling", 0);
    }
    fputs("<h3>Overload per host in the test window</h3>\n", f);
    if (rpt_plan_on_all(&c->plan.summary))
        fill(f, c, "<p>The hosts of the backtest's plan (made on the training window, "
                   "{hosts:0} hosts), not those of the plan of record.</p>\n");
    const struct ks_table *h = rpt_ctx_find(c, "risk_hosts");
    if (h)
        rpt_html_table(f, h, "risk_hosts", MAX_HOST_ROWS);
}

/* The executive summary's risk sentence for a plan of record made on all the data: the
 * backtest speaks for the method, and advice stays advice. */
static void
summary_on_all(const struct rpt_ctx *c, FILE *f)
{
    fputs("<p>The plan of record was made on ", f);
    rpt_plan_window_html(c, f);
    rpt_html_fill(f, c, " with the policy given (headroom {headroom_pct:0}%). The method was "
                        "backtested on data it was not made from: a plan made the same way on "
                        "{risk_train} ({risk_train_hosts:0} hosts) and replayed on "
                        "{risk_test} overloaded {risk_overload_cpu_pct:2}% of host-steps on "
                        "CPU and {risk_overload_mem_pct:2}% on memory (target "
                        "{risk_target_pct:2}%).");
    if (rpt_sum_str(c, "risk_advice_setting"))
        rpt_html_fill(f, c, " The sweep advises {risk_advice_setting} "
                            "({risk_advice_hosts:0} hosts on the training window) to keep "
                            "overloads within the target; the plan of record does not apply "
                            "it.");
    fputs("</p>\n", f);
}

void
rpt_risk_summary_html(const struct rpt_ctx *c, FILE *f)
{
    if (isnan(rpt_sum_num(c, "risk_target_pct")))
        return;
    if (rpt_plan_on_all(&c->plan.summary)) {
        summary_on_all(c, f);
        return;
    }
    if (rpt_sum_str(c, "risk_advice_setting"))
        rpt_html_fill(f, c, "<p>Backtested on data it was not made from, the plan needs "
                            "{risk_advice_hosts:0} hosts ({risk_advice_setting}) to keep "
                            "overloads within {risk_target_pct:2}% of host-steps.</p>\n");
    else
        rpt_html_fill(f, c, "<p>Backtested on data it was not made from ({risk_test}), the "
                            "plan overloads {risk_overload_cpu_pct:2}% of host-steps on CPU "
                            "and {risk_overload_mem_pct:2}% on memory (target "
                            "{risk_target_pct:2}%).</p>\n");
}
