/* Per-host stacked CPU charts of the plan section, and which hosts get one (see
 * rpt_host_charts.h). */
#include "report/rpt_host_charts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_chart.h"
#include "report/rpt_html.h"
#include "report/rpt_risk.h"
#include "report/rpt_rules.h"
#include "report/rpt_sections.h"
#include "report/rpt_util.h"

#define MAX_LAYERS 7 /* VMs drawn one by one; the rest are one "other VMs" layer */
#define MAX_RISKY 8  /* of the RPT_HOST_CHARTS: the most overloaded in the backtest */
#define MAX_RULED 8  /* and hosts carrying members of placement rules */

enum { WHY_BUSY = 1, WHY_RISK = 2, WHY_RULES = 4 };

/* Why host h got a chart (a large estate's pick), and the figures that say so. */
struct pick {
    unsigned why;
    size_t busy_rank, risk_rank; /* 1-based; 0 = not ranked */
    double over_steps, cpu_over_pct, mem_over_pct;
    struct rpt_buf rules; /* names of the rules whose members it carries, "; " between */
    size_t last_rule;     /* 1 + the rules.csv row last added to rules (0: none) */
};

/* Layers of host h: its VMs by mean demand, busiest first; returns how many. */
static size_t
host_vms(const struct rpt_ctx *c, size_t h, size_t *vm)
{
    size_t n = 0;
    for (size_t i = 0; i < c->est.nent; i++)
        if (c->ent_host[i] == (long)h)
            vm[n++] = i;
    for (size_t a = 1; a < n; a++) /* insertion sort: a host carries tens of VMs */
        for (size_t b = a; b > 0 && c->est.st[vm[b]].mhz_mean > c->est.st[vm[b - 1]].mhz_mean;
             b--) {
            size_t t = vm[b];
            vm[b] = vm[b - 1];
            vm[b - 1] = t;
        }
    return n;
}

/* For each bucket, the step where the host's sum peaks, so the stacked layers drawn
 * at that step add up to the bucket's true maximum (an hourly max per VM would not). */
static size_t
bucket_peaks(const struct rpt_estate *e, size_t h, size_t per, size_t *at)
{
    size_t n = e->g.nsteps, nb = 0;
    const double *s = e->host_mhz + h * n;
    for (size_t k0 = e->k0; k0 < e->k1; k0 += per, nb++) {
        size_t best = k0;
        for (size_t k = k0; k < k0 + per && k < e->k1; k++)
            if (s[k] > s[best])
                best = k;
        at[nb] = best;
    }
    return nb;
}

/* Layer j is VM j for the busiest MAX_LAYERS; all others add into the last layer,
 * whose name (other, 64 bytes) then says how many VMs it holds. Values are GHz at the
 * bucket's peak step, so the top of the stack is the host's true peak of the window. */
static void
stack_layers(const struct rpt_ctx *c, const size_t *vm, size_t nvm, const size_t *at, size_t npts,
             size_t nl, double *v, const char **names, char *other)
{
    size_t n = c->est.g.nsteps;
    for (size_t j = 0; j < nvm; j++) {
        size_t l = j < nl ? j : nl - 1;
        names[l] = ks_dataset_entity(c->ds, vm[j]);
        for (size_t p = 0; p < npts; p++) {
            double x = c->est.mhz[vm[j] * n + at[p]];
            v[l * npts + p] += isnan(x) ? 0 : x / 1000;
        }
    }
    if (nvm > nl) {
        snprintf(other, 64, "%zu other VMs", nvm - nl + 1);
        names[nl - 1] = other;
    }
}

/* "busiest #3, riskiest #1, rules": why a large estate's host has a chart. */
static void
why_short(struct rpt_buf *b, const struct pick *p)
{
    size_t start = b->len; /* b may hold the start of a title */
    if (p->why & WHY_BUSY)
        rpt_buf_printf(b, "busiest #%zu", p->busy_rank);
    if (p->why & WHY_RISK)
        rpt_buf_printf(b, "%sriskiest #%zu", b->len > start ? ", " : "", p->risk_rank);
    if (p->why & WHY_RULES)
        rpt_buf_printf(b, "%srules", b->len > start ? ", " : "");
}

/* Stacked chart of host h; p is its pick (NULL: every host has a chart, none picked).
 * vm and at are scratch arrays (nent and nsteps entries) reused across hosts. */
static void
host_chart(struct rpt_ctx *c, size_t h, const struct pick *p, size_t *vm, size_t *at)
{
    const struct rpt_estate *e = &c->est;
    const struct ks_table *ph = &c->plan.hosts;
    size_t nvm = host_vms(c, h, vm);
    /* A large estate's page holds 24 of these inline: at most ~125 points each (4 h over
     * two weeks) keeps them to ~25 KB of SVG apiece; the window peaks stay exact. */
    size_t maxcols = rpt_small_estate(c) ? 500 : 125;
    size_t per =
        (size_t)llround(rpt_chart_bucket_cols(e->g.step_s, e->k1 - e->k0, maxcols) / e->g.step_s);
    size_t npts = bucket_peaks(e, h, per ? per : 1, at);
    size_t nl = nvm > MAX_LAYERS + 1 ? MAX_LAYERS + 1 : nvm;
    double *v = ks_xcalloc((nl ? nl : 1) * npts, sizeof *v), *t = ks_xmalloc(npts * sizeof *t);
    const char **names = ks_xmalloc((nl ? nl : 1) * sizeof *names);
    char other[64], name[80];
    for (size_t k = 0; k < npts; k++)
        t[k] = e->g.t0 + (double)at[k] * e->g.step_s;
    stack_layers(c, vm, nvm, at, npts, nl, v, names, other);
    const char *hn = ks_table_str(ph, h, "host"), *model = ks_table_str(ph, h, "host_model");
    double cap = ks_table_num(ph, h, "cpu_capacity_MHz") / 1000;
    /* The planning limit: what the policy lets the plan fill, capacity less headroom. */
    double head = rpt_sum_num(c, "headroom_pct"), peak = e->host_peak_mhz[h] / (cap * 1000) * 100;
    snprintf(name, sizeof name, "host_%zu", h + 1);
    struct rpt_buf title = {0};
    if (p) { /* a pick says why in its title, the model gives way to it */
        rpt_buf_printf(&title, "%s (%zu VMs, peak %.0f%%): ", hn ? hn : name, nvm, peak);
        why_short(&title, p);
    } else {
        rpt_buf_printf(&title, "%s (%s, %zu VMs): CPU demand, peak %.0f%% of capacity",
                       hn ? hn : name, model ? model : "?", nvm, peak);
    }
    char limit_label[64];
    snprintf(limit_label, sizeof limit_label, "planning limit (%.0f%% headroom)", head);
    struct rpt_stack st = {
        .name = name,
        .title = title.s,
        .ylabel = "CPU demand (GHz)",
        .nlayers = nl,
        .npts = npts,
        .layers = names,
        .t = t,
        .v = v,
        .cap = cap,
        .limit = head > 0 ? cap * (1 - head / 100) : NAN,
        .cap_label = "usable capacity",
        .limit_label = limit_label,
    };
    rpt_ctx_chart(c, name, rpt_gp_stack(&st));
    rpt_buf_fini(&title);
    free(v);
    free(t);
    free(names);
}

/* Hosts with VMs in order of recomputed CPU peak (share of capacity), highest first,
 * ties in host order; returns how many. */
static size_t
busy_order(const struct rpt_ctx *c, size_t *ord)
{
    size_t n = 0, nh = c->plan.hosts.nrows;
    double *load = ks_xmalloc((nh ? nh : 1) * sizeof *load);
    for (size_t h = 0; h < nh; h++) {
        load[h] = c->est.host_peak_mhz[h] / ks_table_num(&c->plan.hosts, h, "cpu_capacity_MHz");
        if (isnan(load[h]))
            load[h] = -1;
        if (c->est.host_nvm[h])
            ord[n++] = h;
    }
    for (size_t a = 1; a < n; a++) /* insertion sort over hosts: hundreds at most */
        for (size_t b = a; b > 0 && load[ord[b]] > load[ord[b - 1]]; b--) {
            size_t t = ord[b];
            ord[b] = ord[b - 1];
            ord[b - 1] = t;
        }
    free(load);
    return n;
}

/* The backtest's most overloaded hosts (risk_hosts.csv over_steps, ties by CPU worst),
 * those with any overloaded step, up to MAX_RISKY. Only when the backtest's placement
 * is this plan's: a plan of record made on all the data (--final-on-all) has other hosts
 * under the same names. Returns how many hosts were picked. */
static size_t
pick_risky(const struct rpt_ctx *c, struct pick *pk, size_t *npicked)
{
    const struct ks_table *r = rpt_ctx_find(c, "risk_hosts");
    if (!r || rpt_plan_on_all(&c->plan.summary))
        return 0;
    size_t n = 0, *row = ks_xmalloc((r->nrows ? r->nrows : 1) * sizeof *row);
    for (size_t i = 0; i < r->nrows; i++) {
        long h = rpt_host_index(c, ks_table_get(r, i, 0));
        if (h >= 0 && c->est.host_nvm[h] && ks_table_num(r, i, "over_steps") > 0)
            row[n++] = i;
    }
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0; b--) {
            double x = ks_table_num(r, row[b], "over_steps"),
                   y = ks_table_num(r, row[b - 1], "over_steps");
            if (x < y || (x == y && ks_table_num(r, row[b], "cpu_worst_pct") <=
                                        ks_table_num(r, row[b - 1], "cpu_worst_pct")))
                break;
            size_t t = row[b];
            row[b] = row[b - 1];
            row[b - 1] = t;
        }
    size_t k = 0;
    for (; k < n && k < MAX_RISKY; k++) {
        struct pick *p = &pk[rpt_host_index(c, ks_table_get(r, row[k], 0))];
        *npicked += !p->why;
        p->why |= WHY_RISK;
        p->risk_rank = k + 1;
        p->over_steps = ks_table_num(r, row[k], "over_steps");
        p->cpu_over_pct = ks_table_num(r, row[k], "cpu_over_pct");
        p->mem_over_pct = ks_table_num(r, row[k], "mem_over_pct");
    }
    free(row);
    return n;
}

/* Hosts carrying members of the plan's rules (rules.csv), rules not honoured first, then
 * in file order; up to MAX_RULED new hosts. Every host's rules are named, picked or not.
 * Returns how many hosts carry rule members. */
static size_t
pick_ruled(const struct rpt_ctx *c, struct pick *pk, size_t *npicked)
{
    const struct ks_table *r = rpt_ctx_find(c, "rules");
    size_t added = 0, carrying = 0;
    long hs[512];
    for (int pass = 0; r && pass < 2; pass++) /* 0: rules broken, 1: rules kept */
        for (size_t i = 0; i < r->nrows; i++) {
            const char *hon = ks_table_str(r, i, "honoured");
            if ((hon && strcmp(hon, "yes") == 0) != pass)
                continue;
            size_t n = rpt_rule_hosts(c, ks_table_str(r, i, "members"), hs, 512);
            for (size_t j = 0; j < n; j++) {
                if (hs[j] < 0 || !c->est.host_nvm[hs[j]])
                    continue;
                struct pick *p = &pk[hs[j]];
                if (p->last_rule == i + 1) /* a host with two members: named once */
                    continue;
                p->last_rule = i + 1;
                carrying += !p->rules.len;
                rpt_buf_printf(&p->rules, "%s%s", p->rules.len ? "; " : "", ks_table_get(r, i, 0));
                if (!(p->why & WHY_RULES) && (p->why || added < MAX_RULED)) {
                    added += !p->why;
                    *npicked += !p->why;
                    p->why |= WHY_RULES;
                }
            }
        }
    return carrying;
}

/* The busiest fill what the riskiest and the ruled left of RPT_HOST_CHARTS; a picked
 * host met on the way is marked busiest too. */
static void
pick_busy(const size_t *ord, size_t nord, struct pick *pk, size_t *npicked)
{
    for (size_t k = 0; k < nord && *npicked < RPT_HOST_CHARTS; k++) {
        struct pick *p = &pk[ord[k]];
        *npicked += !p->why;
        p->why |= WHY_BUSY;
    }
    for (size_t k = 0; k < nord; k++)
        pk[ord[k]].busy_rank = k + 1;
}

/* One row of tables/host_charts.csv. */
static void
pick_row(struct rpt_ctx *c, struct ks_table *t, size_t h, const struct pick *p)
{
    size_t r = ks_table_add_row(t);
    char chart[40];
    struct rpt_buf why = {0};
    snprintf(chart, sizeof chart, "host_%zu", h + 1);
    why_short(&why, p);
    ks_table_set(t, r, 0, ks_table_get(&c->plan.hosts, h, 0));
    ks_table_set(t, r, 1, chart);
    ks_table_set(t, r, 2, why.s);
    ks_table_set_num(t, r, 3, (double)p->busy_rank);
    ks_table_set_num(t, r, 4,
                     round(c->est.host_peak_mhz[h] /
                           ks_table_num(&c->plan.hosts, h, "cpu_capacity_MHz") * 1000) /
                         10);
    if (p->why & WHY_RISK) {
        ks_table_set_num(t, r, 5, (double)p->risk_rank);
        ks_table_set_num(t, r, 6, p->over_steps);
        ks_table_set_num(t, r, 7, p->cpu_over_pct);
        ks_table_set_num(t, r, 8, p->mem_over_pct);
    }
    ks_table_set(t, r, 9, p->rules.s ? p->rules.s : "");
    rpt_buf_fini(&why);
}

/* A large estate: pick, record the picks in tables/host_charts.csv, draw in host order. */
static void
draw_picked(struct rpt_ctx *c, size_t *vm, size_t *at)
{
    static const char *const cols[] = {"host",
                                       "chart",
                                       "why",
                                       "busiest_rank",
                                       "cpu_peak_pct_report",
                                       "riskiest_rank",
                                       "backtest_over_steps",
                                       "backtest_cpu_over_pct",
                                       "backtest_mem_over_pct",
                                       "rules"};
    size_t nh = c->plan.hosts.nrows, npicked = 0;
    struct pick *pk = ks_xcalloc(nh ? nh : 1, sizeof *pk);
    size_t *ord = ks_xmalloc((nh ? nh : 1) * sizeof *ord), nord = busy_order(c, ord);
    size_t nrisky = pick_risky(c, pk, &npicked), nruled = pick_ruled(c, pk, &npicked);
    pick_busy(ord, nord, pk, &npicked);
    struct ks_table *t = rpt_ctx_table(c, "host_charts", cols, 10);
    for (size_t h = 0; h < nh; h++)
        if (pk[h].why)
            pick_row(c, t, h, &pk[h]);
    /* the counts the page's note gives, kept with the table's name for the html step */
    c->host_charts_risky = nrisky;
    c->host_charts_ruled = nruled;
    c->host_charts_withvm = nord;
    for (size_t h = 0; h < nh; h++) {
        if (pk[h].why)
            host_chart(c, h, &pk[h], vm, at);
        rpt_buf_fini(&pk[h].rules);
    }
    free(pk);
    free(ord);
}

int
rpt_host_charts_build(struct rpt_ctx *c, struct ks_err *err)
{
    (void)err;
    if (!c->est.has_series)
        return 0;
    size_t *vm = ks_xmalloc((c->est.nent ? c->est.nent : 1) * sizeof *vm);
    size_t *at = ks_xmalloc((c->est.g.nsteps ? c->est.g.nsteps : 1) * sizeof *at);
    size_t withvm = 0;
    for (size_t h = 0; h < c->est.nhost; h++)
        withvm += c->est.host_nvm[h] > 0;
    if (withvm > RPT_HOST_CHARTS) {
        draw_picked(c, vm, at);
    } else {
        for (size_t h = 0; h < c->est.nhost; h++)
            if (c->est.host_nvm[h])
                host_chart(c, h, NULL, vm, at);
    }
    free(vm);
    free(at);
    return 0;
}

/* The caption of a picked host's chart: why, in words, with the figures. */
static void
pick_caption(const struct ks_table *t, size_t r, struct rpt_buf *b)
{
    rpt_buf_puts(b, "Stacked CPU demand of one host, charted for: ");
    const char *sep = "";
    if (!isnan(ks_table_num(t, r, "riskiest_rank"))) {
        double steps = ks_table_num(t, r, "backtest_over_steps");
        rpt_buf_printf(b,
                       "riskiest #%.0f in the backtest (%.0f overloaded step%s of its test "
                       "window: CPU %.2f%% of steps, memory %.2f%%)",
                       ks_table_num(t, r, "riskiest_rank"), steps, steps == 1 ? "" : "s",
                       ks_table_num(t, r, "backtest_cpu_over_pct"),
                       ks_table_num(t, r, "backtest_mem_over_pct"));
        sep = "; ";
    }
    const char *why = ks_table_str(t, r, "why"), *rules = ks_table_str(t, r, "rules");
    if (why && strstr(why, "rules")) {
        rpt_buf_printf(b, "%smembers of placement rules (%s)", sep, rules ? rules : "");
        sep = "; ";
    }
    if (why && strstr(why, "busiest"))
        rpt_buf_printf(b, "%sbusiest #%.0f (CPU peak %.1f%% of capacity)", sep,
                       ks_table_num(t, r, "busiest_rank"),
                       ks_table_num(t, r, "cpu_peak_pct_report"));
}

void
rpt_host_charts_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *t = rpt_ctx_find(c, "host_charts");
    fputs("<div class=\"hosts\">\n", f);
    for (size_t i = 0; i < c->ncharts; i++) {
        const char *name = c->charts[i].name;
        if (strncmp(name, "host_", 5) != 0)
            continue;
        size_t r = 0;
        while (t && r < t->nrows && strcmp(ks_table_get(t, r, 1), name) != 0)
            r++;
        if (!t || r == t->nrows) {
            rpt_html_chart(f, c, name, "Stacked CPU demand of one host");
            continue;
        }
        struct rpt_buf cap = {0};
        pick_caption(t, r, &cap);
        rpt_html_chart(f, c, name, cap.s);
        rpt_buf_fini(&cap);
    }
    fputs("</div>\n", f);
    if (!t)
        return;
    fprintf(f,
            "<p class=\"more\">Charts for %zu of the %zu hosts with VMs: the riskiest (most "
            "overloaded steps in the backtest's test window, up to %d; %zu host(s) had any), "
            "those carrying members of placement rules (up to %d; %zu host(s) carry some), "
            "and the busiest (highest recomputed CPU peak) for the rest, in host order. "
            "Every host is in <a href=\"tables/hosts.csv\"><code>tables/hosts.csv</code></a>",
            t->nrows, c->host_charts_withvm, MAX_RISKY, c->host_charts_risky, MAX_RULED,
            c->host_charts_ruled);
    fputs(rpt_ctx_find(c, "risk_hosts") ? ", the backtest's overloads per host in <a href=\""
                                          "tables/risk_hosts.csv\"><code>tables/risk_hosts.csv"
                                          "</code></a>"
                                        : "",
          f);
    fputs(".</p>\n", f);
    rpt_html_table(f, t, "host_charts", 0);
}
