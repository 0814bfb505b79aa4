/* The table of sections, and the executive summary, assumptions and placement. */
#include "report/rpt_sections.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_flows.h"
#include "report/rpt_html.h"
#include "report/rpt_risk.h"
#include "report/rpt_rules.h"
#include "report/rpt_storage.h"
#include "report/rpt_util.h"

/* Page order is the order of issue 5; later sections (risk, storage, rules) go in here. */
const struct rpt_section rpt_sections[] = {
    {"summary", "Executive summary", rpt_summary_build, rpt_summary_html},
    {"assumptions", "Assumptions and data coverage", rpt_assume_build, rpt_assume_html},
    {"estate", "Source estate", rpt_estate_sec_build, rpt_estate_sec_html},
    {"plan", "The plan", rpt_plan_sec_build, rpt_plan_sec_html},
    {"risk", "Risk", rpt_risk_build, rpt_risk_html},
    {"rules", "Placement rules", rpt_rules_build, rpt_rules_html},
    {"licences", "Sockets and licences", rpt_licence_build, rpt_licence_html},
    {"ports", "Network ports", rpt_ports_build, rpt_ports_html},
    {"cost", "Cost over the horizon", rpt_cost_build, rpt_cost_html},
    {"storage", "Storage, backup and DR", rpt_storage_build, rpt_storage_html},
    {"io", "I/O path simulation", rpt_sim_build, rpt_sim_html},
    {"flows", "Traffic between hosts", rpt_flows_build, rpt_flows_html},
    {"placement", "Placement", rpt_placement_build, rpt_placement_html},
    {NULL, NULL, NULL, NULL},
};

/* Plan files shown as they are: copied so tables/ holds everything the page shows. */
struct ks_table *
rpt_copy_table(struct rpt_ctx *c, const char *name, const struct ks_table *src)
{
    struct ks_table *t = rpt_ctx_table(c, name, (const char *const *)src->cols, src->ncols);
    for (size_t r = 0; r < src->nrows; r++) {
        size_t o = ks_table_add_row(t);
        for (size_t j = 0; j < src->ncols; j++)
            ks_table_set(t, o, (int)j, ks_table_get(src, r, (int)j));
    }
    return t;
}

double
rpt_chart_bucket_cols(double step_s, size_t nsteps, size_t maxcols)
{
    static const double buckets[] = {3600, 4 * 3600, 86400};
    double span = step_s * (double)nsteps;
    if (nsteps <= maxcols)
        return step_s;
    for (size_t i = 0; i < sizeof buckets / sizeof *buckets; i++)
        if (buckets[i] >= step_s && span / buckets[i] <= (double)maxcols)
            return buckets[i];
    return 86400;
}

double
rpt_chart_bucket_s(double step_s, size_t nsteps)
{
    return rpt_chart_bucket_cols(step_s, nsteps, 500);
}

/* ---- executive summary -------------------------------------------------------------- */

/* summary.csv as read: the executive summary quotes it, never recomputes it. */
int
rpt_summary_build(struct rpt_ctx *c, struct ks_err *err)
{
    (void)err;
    rpt_copy_table(c, "summary", &c->plan.summary);
    return 0;
}

/* The six headline figures of issue 5, each tagged with its summary.csv key; the two
 * money cards word their sign (saving_card, payback_card). */
static const char summary_cards[] =
    "<div class=\"cards\">\n"
    "<div class=\"card\"><div class=\"label\">Servers today &rarr; hosts</div>"
    "<div class=\"value\">{sources:0} &rarr; {hosts:0}</div><div class=\"detail\">including "
    "{ha_spares:0} HA spare(s), model {host_model}</div></div>\n"
    "<div class=\"card\"><div class=\"label\">Consolidation ratio</div>"
    "<div class=\"value\">{consolidation_ratio:1} : 1</div>"
    "<div class=\"detail\">servers per host</div></div>\n"
    "<div class=\"card\"><div class=\"label\">Lower bound</div>"
    "<div class=\"value\">{lower_bound_hosts:0} hosts</div>"
    "<div class=\"detail\">the plan is {gap_pct:1}% above it</div></div>\n"
    "<div class=\"card\"><div class=\"label\">Capex</div><div class=\"value\">{capex:0}</div>"
    "<div class=\"detail\">hosts, licences and switch ports</div></div>\n";

/* "Saves X" or "Costs X more": a saving below zero is a cost, never "Savings -X". */
static void
signed_money(FILE *f, const struct rpt_ctx *c, const char *key)
{
    int cost = rpt_sum_num(c, key) < 0;
    fputs(cost ? "Costs " : "Saves ", f);
    rpt_html_sum_abs(f, c, key, 0);
    fputs(cost ? " more" : "", f);
}

/* The headline is the whole horizon (purchase, migration and running cost), the yearly
 * running cost beside it worded the same way: a card that read "Savings per year 98"
 * over a total of -19,350 told a manager the opposite of the truth. A plan without
 * savings_total (older plans) headlines the running cost a year. */
static void
saving_card(FILE *f, const struct rpt_ctx *c)
{
    int total = !isnan(rpt_sum_num(c, "savings_total"));
    fputs("<div class=\"card\"><div class=\"label\">", f);
    rpt_html_fill(f, c, total ? "Over {years:0} years" : "Per year");
    fputs("</div><div class=\"value\">", f);
    signed_money(f, c, total ? "savings_total" : "savings_per_year");
    fputs("</div><div class=\"detail\">", f);
    if (total)
        fputs("purchase and migration included; ", f);
    fputs("running cost ", f);
    rpt_html_sum_abs(f, c, "savings_per_year", 0);
    fprintf(f, " a year %s than today's</div></div>\n",
            rpt_sum_num(c, "savings_per_year") < 0 ? "more" : "less");
}

/* Payback within the horizon, after it, or never (the running cost saves nothing). */
static void
payback_card(FILE *f, const struct rpt_ctx *c)
{
    double pb = rpt_sum_num(c, "payback_months"), years = rpt_sum_num(c, "years");
    fputs("<div class=\"card\"><div class=\"label\">Payback</div>", f);
    if (isnan(pb)) {
        fputs("<div class=\"value\">Never</div><div class=\"detail\">in the horizon's last year it "
              "costs as much to run as today, or more</div></div>\n",
              f);
        return;
    }
    rpt_html_fill(f, c, "<div class=\"value\">{payback_months:1} months</div>");
    if (pb / 12 > years)
        rpt_html_fill(f, c, "<div class=\"detail\">after the {years:0}-year horizon: over "
                            "it the consolidation costs more</div></div>\n");
    else
        fputs("<div class=\"detail\">purchase and migration recovered by the savings"
              "</div></div>\n",
              f);
}

/* Peak sizing counts the HA spares but not the placement rules: with rules it is set
 * beside the plan made without them, not beside this plan. */
static const char summary_prose_head[] =
    "<p>The {sources:0} servers measured fit on {hosts:0} hosts of model <strong>{host_model}"
    "</strong>. No plan can use fewer than {lower_bound_hosts:0} hosts (the lower bound, "
    "before HA spares), and sizing each server by its {peak_sizing_basis} instead of by the "
    "sum of the series would need {peak_sizing_hosts:0} (HA spares included)";
static const char summary_prose_rules[] =
    " but not the placement rules, against {hosts_without_rules:0} for this plan without "
    "them";
static const char summary_prose[] =
    ". The purchase costs {capex_hosts:0} for hosts, "
    "{capex_licences:0} for licences and {capex_switch_ports:0} for switch ports; running the "
    "hosts costs {opex_per_year:0} a year against {status_quo_opex_per_year:0} for keeping the "
    "servers (their refresh included; section Cost over the horizon).</p>\n";

void
rpt_summary_html(const struct rpt_ctx *c, FILE *f)
{
    rpt_html_fill(f, c, summary_cards);
    saving_card(f, c);
    payback_card(f, c);
    fputs("</div>\n", f);
    rpt_html_fill(f, c, summary_prose_head);
    if (!isnan(rpt_sum_num(c, "hosts_without_rules")))
        rpt_html_fill(f, c, summary_prose_rules);
    rpt_html_fill(f, c, summary_prose);
    /* The headline counts the servers that move; one kept physical by a rule is still in
     * the room, and a reader comparing with section Source estate must see why. */
    if (rpt_sum_num(c, "excluded_entities") > 0)
        rpt_html_fill(f, c, "<p>Besides these, {excluded_entities:0} server(s) stay physical "
                            "by an exclude rule (section Placement rules): they are in none "
                            "of the figures above.</p>\n");
    if (rpt_sum_num(c, "status_quo_vms_no_host") > 0)
        rpt_html_fill(f, c, "<p class=\"note\">{status_quo_vms_no_host:0} VM(s) have no known "
                            "host (their inventory column <code>host</code> names no row of "
                            "kind host): the status quo counts no hardware for them, only "
                            "their OS licence, so the saving shown leaves out their share of "
                            "hosts (section Cost over the horizon).</p>\n");
    rpt_risk_summary_html(c, f);
    const char *by = rpt_sum_str(c, "planned_by"), *ha = rpt_sum_str(c, "ha_verified");
    if (by && strcmp(by, "allocation") == 0)
        rpt_html_note(f, "This dataset has no time series (inventory only): the plan sizes "
                         "servers by their allocation, not by measured demand.");
    if (ha && strcmp(ha, "yes") != 0)
        rpt_html_note(f, "High availability is NOT verified: losing a host may leave VMs "
                         "without room (summary.csv ha_verified).");
}

/* ---- assumptions -------------------------------------------------------------------- */

/* tables/cpu_ratings.csv: the plan's per-source ratings grouped by CPU and rating, most
 * sources first (docs/model.md "CPU normalization"). */
static void
ratings_build(struct rpt_ctx *c)
{
    static const char *const cols[] = {"cpu_model", "sources", "cpu_perf", "rating",
                                       "rated_as", "source"};
    const struct ks_table *in = &c->plan.cpu_ratings;
    if (!in->ncols)
        return;
    struct ks_table *t = rpt_ctx_table(c, "cpu_ratings", cols, 6);
    struct ks_map seen; /* cpu_model + rating columns -> row of t */
    ks_map_init(&seen);
    for (size_t r = 0; r < in->nrows; r++) {
        char key[2048];
        size_t len = 0;
        for (int k = 0; k < 6; k++) {
            const char *v = k == 1 ? "" : ks_table_str(in, r, cols[k]);
            len += (size_t)snprintf(key + len, sizeof key - len, "%s\x1f", v ? v : "");
            len = len < sizeof key ? len : sizeof key - 1;
        }
        uint32_t o;
        if (!ks_map_get(&seen, key, &o)) {
            o = (uint32_t)ks_table_add_row(t);
            ks_map_put(&seen, key, o);
            for (int k = 0; k < 6; k++)
                if (k != 1)
                    ks_table_set(t, o, k, ks_table_str(in, r, cols[k]));
        }
        double n = ks_table_num(t, o, "sources");
        ks_table_set_num(t, o, 1, isnan(n) ? 1 : n + 1);
    }
    ks_map_fini(&seen);
    /* Most sources first (stable insertion sort over row indices: a few dozen rows). */
    for (size_t i = 1; i < t->nrows; i++)
        for (size_t j = i; j > 0 && ks_table_num(t, j, "sources") > ks_table_num(t, j - 1, "sources"); j--)
            for (size_t k = 0; k < t->ncols; k++) {
                char **a = &t->cells[j * t->ncols + k], **b = &t->cells[(j - 1) * t->ncols + k];
                char *x = *a;
                *a = *b;
                *b = x;
            }
}

/* The CPU ratings the plan used; sources on an assumed rating are called out. */
static void
ratings_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *t = rpt_ctx_find(c, "cpu_ratings");
    fputs("<h3>CPU ratings</h3>\n", f);
    if (!t) {
        rpt_html_note(f, "The plan directory has no cpu_ratings.csv (a plan made before CPU "
                         "normalization): every source's MHz were taken as reference MHz.");
        return;
    }
    fputs("<p>Each source's CPU demand is scaled by its processor's rating per core and MHz "
          "(1.0 = a 2008 Xeon E5450 core) and its SMT, so that old and new processors are "
          "sized in one unit. <i>from</i>: <code>table</code> = the bundled rating table "
          "(its benchmark figure is named), <code>inventory</code> = cpu_perf given, "
          "<code>assumed</code> = CPU not known, rated by the policy's assumption.</p>\n", f);
    const char *na = rpt_sum_str(c, "cpu_assumed_sources");
    if (na && strcmp(na, "0") != 0) {
        fputs("<p class=\"note\"><b>", f);
        rpt_html_esc(f, na);
        fputs(" source(s) were planned on an assumed CPU rating</b>: their CPU model is not in "
              "the rating table. Give their <code>cpu_perf</code> in inventory.csv or a "
              "rating table row to make their CPU demand defensible.</p>\n", f);
    }
    rpt_html_table(f, t, "cpu_ratings", 30);
}

/* Coverage to one decimal: the star bands need no more. */
int
rpt_assume_build(struct rpt_ctx *c, struct ks_err *err)
{
    static const char *const cols[] = {"entity", "kind", "coverage_pct", "stars"};
    (void)err;
    if (c->plan.policy.ncols)
        rpt_copy_table(c, "policy", &c->plan.policy);
    if (c->plan.models.ncols)
        rpt_copy_table(c, "models", &c->plan.models);
    ratings_build(c);
    struct ks_table *t = rpt_ctx_table(c, "coverage", cols, 4);
    for (size_t i = 0; i < c->est.nent; i++) {
        size_t r = ks_table_add_row(t);
        ks_table_set(t, r, 0, ks_dataset_entity(c->ds, i));
        ks_table_set(t, r, 1, ks_inv_str(c->ds, i, "kind"));
        ks_table_set_num(t, r, 2, round(c->est.st[i].cover_pct * 10) / 10);
        ks_table_set_num(t, r, 3, c->est.st[i].stars);
    }
    return 0;
}

/* One <dt>/<dd> pair: the summary.csv text with its unit, or n/a. */
static void
kv_row(FILE *f, const struct rpt_ctx *c, const char *label, const char *key, const char *unit)
{
    const char *v = rpt_sum_str(c, key);
    fprintf(f, "<dt>%s</dt><dd>", label);
    rpt_html_esc(f, v ? v : "n/a");
    fprintf(f, "%s</dd>\n", v ? unit : "");
}

/* n filled stars of five (HTML entities: no font or encoding surprises). */
static void
stars_html(FILE *f, int n)
{
    fputs("<span class=\"stars\">", f);
    for (int i = 0; i < 5; i++)
        fputs(i < n ? "&#9733;" : "&#9734;", f);
    fputs("</span>", f);
}

/* Coverage: every server up to 60, else the star distribution and the 30 worst. */
static void
coverage_html(const struct rpt_ctx *c, FILE *f)
{
    size_t nstar[6] = {0}, n = c->est.nent, *ord = ks_xmalloc((n ? n : 1) * sizeof *ord);
    for (size_t i = 0; i < n; i++) {
        nstar[c->est.st[i].stars]++;
        ord[i] = i;
    }
    fputs("<p>Confidence: the share of expected data points present per server, 0-20% "
          "&#9733; ... 81-100% &#9733;&#9733;&#9733;&#9733;&#9733;. Servers: ", f);
    for (int s = 5; s >= 1; s--)
        fprintf(f, "%s%d&#9733; %zu", s < 5 ? ", " : "", s, nstar[s]);
    fputs(".</p>\n", f);
    /* Only servers with gaps are listed, worst first (stable insertion sort; at most 30
     * rows): a reviewer must see the weak data, not sixty rows of 100%. */
    size_t gaps = 0;
    for (size_t i = 0; i < n; i++)
        if (c->est.st[i].cover_pct < 100)
            ord[gaps++] = i;
    if (gaps == 0) {
        fprintf(f, "<p>Every server has all its expected data points; per-server figures are "
                   "in <code>tables/coverage.csv</code>.</p>\n");
        free(ord);
        return;
    }
    for (size_t i = 1; i < gaps; i++)
        for (size_t j = i; j > 0 && c->est.st[ord[j]].cover_pct < c->est.st[ord[j - 1]].cover_pct; j--) {
            size_t t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    size_t show = gaps <= 30 ? gaps : 30;
    fputs("<table>\n<thead><tr><th>server</th><th>kind</th><th>data present</th>"
          "<th>confidence</th></tr></thead>\n<tbody>\n", f);
    for (size_t k = 0; k < show; k++) {
        size_t i = ord[k];
        char nb[RPT_NUMBUF];
        fputs("<tr><td>", f);
        rpt_html_esc(f, ks_dataset_entity(c->ds, i));
        fputs("</td><td>", f);
        rpt_html_esc(f, ks_inv_str(c->ds, i, "kind"));
        fprintf(f, "</td><td class=\"n\">%s%%</td><td>", rpt_fmt_group(nb, c->est.st[i].cover_pct, 1));
        stars_html(f, c->est.st[i].stars);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
    if (show < gaps)
        fprintf(f, "<p class=\"more\">%zu of %zu servers have gaps in their data; the %zu with "
                   "the least are above. All are in <code>tables/coverage.csv</code>.</p>\n",
                gaps, n, show);
    else
        fprintf(f, "<p class=\"more\">%zu of %zu servers have gaps in their data (above); the "
                   "rest have every expected point. All are in <code>tables/coverage.csv</code>.</p>\n",
                gaps, n);
    free(ord);
}

void
rpt_assume_html(const struct rpt_ctx *c, FILE *f)
{
    /* label, summary.csv key, unit; a NULL key starts the second column. */
    static const char *const rows[][3] = {
        {"Planned by", "planned_by", ""},
        {"Demand percentile", "percentile", ""},
        {"Headroom", "headroom_pct", "%"},
        {"HA spare hosts", "ha_spares", ""},
        {"HA verified", "ha_verified", ""},
        {"CPU overcommit", "cpu_overcommit", ""},
        {"Memory overcommit", "mem_overcommit", ""},
        {"Hypervisor CPU overhead", "hv_cpu_pct", "%"},
        {"Hypervisor memory overhead", "hv_mem_MiB", " MiB"},
        {"Time step", "step_s", " s"},
        {"Steps", "steps", ""},
        {"Packer", "packer", ""},
        {"Catalog and costs", NULL, NULL},
        {"Host model chosen", "host_model", ""},
        {"Port template", "port_template", ""},
        {"Cost horizon", "years", " years"},
        {"Power price", "power_price_per_kWh", " per kWh"},
        {"PUE", "pue", ""},
        {"Servers with gaps", "nan_gaps_entities", ""},
        {"Seed", "seed", ""},
    };
    fputs("<div class=\"grid2\"><div>\n<h3>Planning policy</h3>\n<dl class=\"kv\">\n", f);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        if (rows[i][1])
            kv_row(f, c, rows[i][0], rows[i][1], rows[i][2]);
        else
            fprintf(f, "</dl>\n</div><div>\n<h3>%s</h3>\n<dl class=\"kv\">\n", rows[i][0]);
    }
    fputs("</dl>\n</div></div>\n", f);
    ratings_html(c, f);
    const struct ks_table *m = rpt_ctx_find(c, "models"), *p = rpt_ctx_find(c, "policy");
    rpt_cost_assume_html(c, f);
    fputs("<h3>Host models evaluated</h3>\n", f);
    if (m)
        rpt_html_table(f, m, "models", 0);
    else
        rpt_html_note(f, "The plan directory has no models.csv.");
    if (p) {
        /* Every setting, as given: long, and read only when a figure is questioned. */
        fprintf(f, "<details><summary><b>Effective policy</b>: all %zu planner settings as "
                   "given (policy.csv)</summary>\n", p->nrows);
        rpt_html_table_verbatim(f, p, "policy");
        fputs("</details>\n", f);
    } else
        rpt_html_note(f, "The plan directory has no policy.csv.");
    fputs("<h3>Data coverage</h3>\n", f);
    coverage_html(c, f);
}

/* ---- placement ---------------------------------------------------------------------- */

/* In placement.csv order (the planner's host order), one row per entity. */
int
rpt_placement_build(struct rpt_ctx *c, struct ks_err *err)
{
    static const char *const cols[] = {"entity", "kind", "host", "host_model", "cpu_p95_MHz",
                                       "cpu_peak_MHz", "mem_peak_MiB"};
    (void)err;
    struct ks_table *t = rpt_ctx_table(c, "placement", cols, 7);
    const struct ks_table *pl = &c->plan.placement;
    for (size_t r = 0; r < pl->nrows; r++) {
        const char *e = ks_table_str(pl, r, "entity");
        size_t i = (size_t)ks_dataset_find(c->ds, e), o = ks_table_add_row(t);
        ks_table_set(t, o, 0, e);
        ks_table_set(t, o, 1, ks_inv_str(c->ds, i, "kind"));
        ks_table_set(t, o, 2, ks_table_str(pl, r, "host"));
        ks_table_set(t, o, 3, ks_table_str(pl, r, "host_model"));
        ks_table_set_num(t, o, 4, round(c->est.st[i].mhz_p95));
        ks_table_set_num(t, o, 5, round(c->est.st[i].mhz_peak));
        ks_table_set_num(t, o, 6, round(c->est.st[i].mem_peak_MiB));
    }
    return 0;
}

void
rpt_placement_html(const struct rpt_ctx *c, FILE *f)
{
    fputs("<p>Every server and where the plan puts it (<code>-</code> / physical: kept as "
          "it is). CPU and memory are the dataset's own figures.</p>\n", f);
    /* A large estate: the first rows here, all of them in the CSV (linked). */
    rpt_html_table(f, rpt_ctx_find(c, "placement"), "placement",
                   rpt_small_estate(c) ? 0 : RPT_LARGE_ROWS);
}
