/* Unit tests of placement rules in backtests (model/mdl_risk_rules.c, mdl_rules_window.c
 * and their use in mdl_risk*.c): every plan of a backtest keeps an anti-affinity rule,
 * read here from each plan's placement; a rule naming an entity without a sample in a
 * window is narrowed or skipped there and the risk files say so; the replay counts the
 * overloads of the placement the rules forced, recomputed here from the data; the plan of
 * record on all the data (--final-on-all, mdl_plan_all) places and binds what the
 * training window's plan could not, and changes no risk file. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "model/mdl_risk.h"
#include "tests/unit/test_risk_fx.h"
#include "tests/unit/test_util.h"

#define WEEK_H (7 * 24)
#define T0 1700006400.0 /* a Monday 00:00 UTC */

/* CPU MHz of entity e at hour h, or NaN: no sample (the entity is absent then). */
typedef double (*demand_fn)(size_t e, size_t h);

/* Hourly samples of names[0..n) for hours 0..hours-1, 512 MiB of memory each. */
static struct ks_dataset *
make_ds(const char *const *names, size_t n, size_t hours, demand_fn cpu)
{
    struct ks_dataset *ds = ks_dataset_new();
    for (size_t e = 0; e < n; e++) {
        ks_dataset_add_entity(ds, names[e], "vm");
        ks_inv_set_num(ds, e, "cores", 4);
        ks_inv_set_num(ds, e, "core_MHz", 1000);
        ks_inv_set_num(ds, e, "mem_MiB", 1024);
    }
    ds->has_samples = 1;
    double m[KS_NMETRIC];
    for (size_t h = 0; h < hours; h++)
        for (size_t e = 0; e < n; e++) {
            double v = cpu(e, h);
            if (isnan(v))
                continue;
            for (int k = 0; k < KS_NMETRIC; k++)
                m[k] = NAN;
            m[KS_CPU_MHZ] = v;
            m[KS_MEM_USED_MIB] = 512;
            ks_samples_append(&ds->s, T0 + 3600.0 * (double)(h + 1), (uint32_t)e, 3600, m);
        }
    return ds;
}


/* Read rules text against f->ds into f->rules and f->pol.rules. */
static void
read_rules(struct fx *f, const char *text)
{
    char p[4096];
    tu_write(f->dir, "rules.csv", text);
    snprintf(p, sizeof p, "%s/rules.csv", f->dir);
    mdl_rules_free(f->rules);
    f->rules = NULL;
    assert_int_equal(mdl_rules_read(p, f->ds, &f->rules, &f->err), 0);
    f->pol.rules = f->rules;
}

/* Host of entity name in a plan (by name: plans of windows number entities anew);
 * -2 when the plan does not know it. */
static long
host_of(const struct mdl_plan *pl, const char *name)
{
    for (size_t e = 0; e < pl->nent; e++)
        if (strcmp(pl->ent_names[e], name) == 0)
            return pl->host_of[e];
    return -2;
}

/* A backtest's parts: the training window's data (rules re-bound), the test window's
 * dataset, and the plan made on the first. */
struct bt {
    struct mdl_window_data tr;
    struct ks_dataset *te;
    struct mdl_plan *pl;
};

/* Train on weeks [0, train_w), test on week [train_w, train_w + 1) of the data. */
static void
bt_open(struct fx *f, int train_w, struct bt *b)
{
    struct mdl_window wtr = {T0, T0 + train_w * MDL_WEEK_S};
    struct mdl_window wte = {wtr.to_s, wtr.to_s + MDL_WEEK_S};
    memset(b, 0, sizeof *b);
    assert_int_equal(mdl_window_data_open(f->ds, &wtr, 1, "training", &f->pol, &b->tr, &f->err),
                     0);
    assert_int_equal(mdl_dataset_window(f->ds, &wte, 1, "test", &b->te, &f->err), 0);
    assert_int_equal(mdl_plan_run(b->tr.ds, "t", &b->tr.pol, f->cat, &b->pl, &f->err), 0);
}

static void
bt_close(struct bt *b)
{
    mdl_plan_free(b->pl);
    ks_dataset_free(b->te);
    mdl_window_data_fini(&b->tr);
}

/* ---- (a) anti-affinity in every plan of a backtest ----------------------------------- */

static const char *const SMALL[] = {"a", "b", "c", "d", "e", "f"};

/* Six VMs of 300-500 MHz: all fit one 4000 MHz host, so only a rule separates two. */
static double
small_cpu(size_t e, size_t h)
{
    return 300 + 40 * (double)e + 100 * sin((double)h * 0.3 + (double)e);
}

struct seen {
    size_t plans, together;  /* plans checked; of them with a and b on one host */
    size_t unplaced;         /* plans with a or b not placed */
};

static void
check_apart(void *ctx, const char *what, const struct mdl_plan *pl)
{
    struct seen *s = ctx;
    long ha = host_of(pl, "a"), hb = host_of(pl, "b");
    s->plans++;
    s->unplaced += ha < 0 || hb < 0;
    s->together += ha >= 0 && ha == hb;
    (void)what;
}

/* Every plan a backtest makes (the plan, each sweep setting, each rolling fold); the
 * counts are filled by check_apart. */
static void
backtest_all(struct fx *f, struct seen *s)
{
    struct mdl_risk_hook hook = {check_apart, s};
    struct bt b;
    bt_open(f, 2, &b);
    check_apart(s, "plan", b.pl);
    struct mdl_sweep_dim d = {"headroom", 0, 20, 10}; /* 1 host fits all at each */
    struct mdl_sweep sw;
    assert_int_equal(mdl_risk_sweep(b.tr.ds, "t", b.te, &b.tr.pol, f->cat, &d, 1, 0.1, &hook,
                                    &sw, &f->err), 0);
    assert_int_equal(sw.n, 3);
    struct mdl_window *fw = NULL;
    struct mdl_fold *folds = NULL;
    int nf = mdl_risk_rolling_folds(f->ds, &fw, &f->err);
    assert_int_equal(nf, 2);
    assert_int_equal(mdl_risk_rolling(f->ds, "t", &f->pol, f->cat, fw, (size_t)nf, &hook,
                                      &folds, &f->err), 0);
    for (int k = 0; k < nf; k++)
        assert_true(folds[k].planned);
    free(fw);
    mdl_risk_folds_free(folds, (size_t)nf);
    mdl_sweep_fini(&sw);
    bt_close(&b);
}

static void
test_anti_affinity_every_window(void **state)
{
    struct fx *f = *state;
    f->ds = make_ds(SMALL, 6, 3 * WEEK_H, small_cpu);
    /* Control: without the rule every plan puts all six on one host. */
    struct seen s0 = {0};
    backtest_all(f, &s0);
    assert_int_equal(s0.plans, 1 + 3 + 2);
    assert_int_equal(s0.together, s0.plans);
    read_rules(f, "rule,type,members,target,weight\napart,anti-affinity,a;b,,\n");
    struct seen s = {0};
    backtest_all(f, &s);
    assert_int_equal(s.plans, 1 + 3 + 2);
    assert_int_equal(s.unplaced, 0);
    assert_int_equal(s.together, 0);
}

/* ---- (b) a rule naming an entity without a sample in a window -------------------------- */

/* x has samples in the third week only; the others throughout. */
static double
late_x(size_t e, size_t h)
{
    return e == 0 && h < 2 * WEEK_H ? NAN : small_cpu(e, h);
}

static const char *const WITH_X[] = {"x", "a", "b", "c", "d", "e"};
static const char *const X_RULES = "rule,type,members,target,weight\n"
                                   "x-apart,anti-affinity,x;a,,\n"
                                   "bc-apart,anti-affinity,x;b;c,,\n"
                                   "x-pin,pin,x,host01,\n"
                                   "de-apart,anti-affinity,d;e,,\n";

static void
test_rebind_absent(void **state)
{
    struct fx *f = *state;
    f->ds = make_ds(WITH_X, 6, 3 * WEEK_H, late_x);
    read_rules(f, X_RULES);
    struct bt b;
    bt_open(f, 1, &b); /* planning works: the pin to host01 would otherwise need x */
    const struct mdl_rules *rs = b.tr.rules;
    assert_non_null(rs);
    assert_ptr_equal(b.tr.pol.rules, rs);
    assert_string_equal(rs->window, "training window");
    /* x-apart and x-pin keep nothing without x; bc-apart keeps b and c apart. */
    assert_true(rs->r[0].skipped && rs->r[0].nent == 0);
    assert_string_equal(rs->r[0].absent, "x");
    assert_true(!rs->r[1].skipped && rs->r[1].nent == 2);
    assert_string_equal(rs->r[1].absent, "x");
    assert_true(rs->r[2].skipped);
    assert_true(!rs->r[3].skipped && rs->r[3].absent == NULL);
    size_t skipped = 0;
    assert_int_equal(mdl_rules_absent(rs, &skipped), 3);
    assert_int_equal(skipped, 2);
    /* Re-bound members point at the window's own entities. */
    for (size_t m = 0; m < rs->r[1].nent; m++)
        assert_string_equal(ks_dataset_entity(b.tr.ds, rs->r[1].ent[m]), rs->r[1].names[m]);
    const struct mdl_plan *pl = b.pl;
    assert_int_equal(host_of(pl, "x"), -2);
    assert_true(host_of(pl, "b") != host_of(pl, "c"));
    assert_true(host_of(pl, "d") != host_of(pl, "e"));
    const struct mdl_rules_result *res = pl->rules;
    assert_int_equal(res->out[0].honoured, -1);
    assert_non_null(strstr(res->out[0].notes, "skipped"));
    assert_non_null(strstr(res->out[0].notes, "training window"));
    assert_int_equal(res->out[1].honoured, 1);
    assert_non_null(strstr(res->out[1].notes, "kept without x"));
    assert_int_equal(res->out[3].honoured, 1);
    bt_close(&b);
}

/* The risk files of a backtest with x absent from its training windows: risk_rules.csv
 * names each rule x left, per window; risk.csv counts them; the plan is no error. */
static void
test_absent_in_risk_files(void **state)
{
    struct fx *f = *state;
    f->ds = make_ds(WITH_X, 6, 3 * WEEK_H, late_x);
    read_rules(f, X_RULES);
    struct bt b;
    bt_open(f, 2, &b);
    struct mdl_plan *pl = b.pl;
    struct mdl_risk bt;
    assert_int_equal(mdl_risk_backtest(pl, b.te, &bt, &f->err), 0);
    assert_int_equal(bt.nmiss_train, 1); /* x: reported missing, not guessed */
    struct mdl_window *fw = NULL;
    struct mdl_fold *folds = NULL;
    int nf = mdl_risk_rolling_folds(f->ds, &fw, &f->err);
    assert_int_equal(nf, 2);
    assert_int_equal(mdl_risk_rolling(f->ds, "t", &f->pol, f->cat, fw, (size_t)nf, NULL, &folds,
                                      &f->err), 0);
    assert_true(folds[0].planned && folds[1].planned);
    mdl_risk_widen(pl, f->ds);
    assert_int_equal(mdl_plan_write(pl, f->dir, &f->err), 0);
    struct mdl_risk_out o = {.bt = &bt, .folds = folds, .nfolds = (size_t)nf,
                             .target_pct = 0.1, .growth_pct = NAN, .rules = b.tr.rules};
    assert_int_equal(mdl_risk_write(pl, &o, f->dir, &f->err), 0);
    char p[4096];
    snprintf(p, sizeof p, "%s/risk_rules.csv", f->dir);
    char *txt = tu_slurp(p, NULL);
    assert_non_null(txt);
    /* 3 rules lost x in each of the 3 training windows (the plan's, both folds'). */
    assert_non_null(strstr(txt, "window,rule,type,status,absent\n"
                                "train,x-apart,anti-affinity,skipped,x\n"
                                "train,bc-apart,anti-affinity,narrowed,x\n"
                                "train,x-pin,pin,skipped,x\n"
                                "fold 1,x-apart,anti-affinity,skipped,x\n"));
    assert_non_null(strstr(txt, "fold 2,x-pin,pin,skipped,x\n"));
    assert_null(strstr(txt, "de-apart"));
    free(txt);
    snprintf(p, sizeof p, "%s/risk.csv", f->dir);
    txt = tu_slurp(p, NULL);
    assert_non_null(strstr(txt, "\nrules,4\nrules_skipped_train,2\nrules_narrowed_train,1\n"));
    free(txt);
    snprintf(p, sizeof p, "%s/rules.csv", f->dir);
    txt = tu_slurp(p, NULL);
    assert_non_null(strstr(txt, "x-apart,anti-affinity,x;a,,2,skipped,"));
    free(txt);
    free(fw);
    mdl_risk_folds_free(folds, (size_t)nf);
    mdl_risk_fini(&bt);
    bt_close(&b);
}

/* ---- (c) overloads of the placement the rules forced ----------------------------------- */

static const char *const PAIR[] = {"A", "B", "C1", "C2"};

/* 1500 MHz each in the training week (two hosts of two: three do not fit); in the test
 * week A and B rise to 2400 MHz together every 10th hour: together they are 4800 > 4000
 * MHz, each beside C1 or C2 only 3900. */
static int
spike(size_t h)
{
    return h >= WEEK_H && h % 10 == 3;
}

static double
pair_cpu(size_t e, size_t h)
{
    return e < 2 && spike(h) ? 2400 : 1500;
}

/* CPU host-steps over capacity when the test week is replayed on a plan made with
 * rules text (NULL: none) on the training week. */
static size_t
replay_over(struct fx *f, const char *text, long *ha, long *hb)
{
    if (text)
        read_rules(f, text);
    else
        f->pol.rules = NULL;
    struct bt b;
    bt_open(f, 1, &b);
    assert_true(b.pl->hosts[0].cpu_cap_MHz == CAP_MHZ);
    struct mdl_risk r;
    assert_int_equal(mdl_risk_backtest(b.pl, b.te, &r, &f->err), 0);
    size_t over = r.over[0];
    *ha = host_of(b.pl, "A");
    *hb = host_of(b.pl, "B");
    assert_int_equal(r.over[1], 0);
    mdl_risk_fini(&r);
    bt_close(&b);
    return over;
}

static void
test_rules_force_overload(void **state)
{
    struct fx *f = *state;
    f->ds = make_ds(PAIR, 4, 2 * WEEK_H, pair_cpu);
    size_t spikes = 0;
    for (size_t h = WEEK_H; h < 2 * WEEK_H; h++)
        spikes += (size_t)spike(h);
    assert_true(spikes > 10);
    long ha, hb;
    size_t free_over = replay_over(f, NULL, &ha, &hb);
    /* Without rules: A and B overload exactly when the packer happened to pair them. */
    assert_int_equal(free_over, ha == hb ? spikes : 0);
    size_t with = replay_over(f, "rule,type,members,target,weight\nab,affinity,A;B,,\n", &ha, &hb);
    assert_int_equal(ha, hb);
    assert_int_equal(with, spikes); /* one host over at every spike, no other */
    assert_true(with >= free_over);
    size_t apart = replay_over(f, "rule,type,members,target,weight\nab,anti-affinity,A;B,,\n",
                               &ha, &hb);
    assert_true(ha != hb);
    assert_int_equal(apart, 0);
}

/* Test-window entities an exclude rule keeps physical are neither replayed nor missing. */
static void
test_excluded_not_missing(void **state)
{
    struct fx *f = *state;
    f->ds = make_ds(PAIR, 4, 2 * WEEK_H, pair_cpu);
    read_rules(f, "rule,type,members,target,weight\nfax,exclude,C2,,\n");
    struct bt b;
    bt_open(f, 1, &b);
    assert_int_equal(host_of(b.pl, "C2"), -1);
    struct mdl_risk r;
    assert_int_equal(mdl_risk_backtest(b.pl, b.te, &r, &f->err), 0);
    assert_int_equal(r.physical, 1);
    assert_int_equal(r.nmiss_train, 0);
    assert_int_equal(r.common, 3);
    mdl_risk_fini(&r);
    bt_close(&b);
}

/* A window keeps the flows of its own time: soft-affinity weights there are the bytes
 * between the members in that window only. */
static void
test_window_flows(void **state)
{
    struct fx *f = *state;
    static const char *const cols[] = {"time", "entity", "src", "dst", "proto", "dport",
                                       "bytes", "packets"};
    f->ds = make_ds(SMALL, 6, 2 * WEEK_H, small_cpu);
    ks_table_init(&f->ds->flows, cols, 8);
    const double when[] = {T0 + 3600, T0 + 7200, T0 + MDL_WEEK_S + 3600};
    const char *bytes[] = {"1000", "500", "70000"};
    for (size_t i = 0; i < 3; i++) {
        size_t r = ks_table_add_row(&f->ds->flows);
        ks_table_set_num(&f->ds->flows, r, 0, when[i]);
        ks_table_set(&f->ds->flows, r, 2, "a");
        ks_table_set(&f->ds->flows, r, 3, "b");
        ks_table_set(&f->ds->flows, r, 6, bytes[i]);
    }
    read_rules(f, "rule,type,members,target,weight\nab,soft-affinity,a;b,,\n");
    struct bt b;
    bt_open(f, 1, &b);
    assert_int_equal(b.tr.ds->flows.nrows, 2);
    assert_int_equal(b.te->flows.nrows, 1);
    const struct mdl_rule_out *o = &b.pl->rules->out[0];
    assert_true(o->total_bytes == 1500); /* the first week's, not the 70000 after it */
    assert_non_null(strstr(o->notes, " (flows.csv)"));
    bt_close(&b);
}

/* ---- (f) the plan of record on all the data (--final-on-all) --------------------------- */

/* Entity names of a plan's placement in order, with their hosts, for comparisons. */
static void
assert_same_placement(const struct mdl_plan *a, const struct mdl_plan *b)
{
    assert_int_equal(a->nhosts, b->nhosts);
    assert_int_equal(a->nent, b->nent);
    for (size_t e = 0; e < a->nent; e++) {
        assert_string_equal(a->ent_names[e], b->ent_names[e]);
        assert_int_equal(a->host_of[e], b->host_of[e]);
    }
}

/* The hard rules of X_RULES on a plan that holds x: each honoured, x on host01. */
static void
assert_x_rules(const struct mdl_plan *pl)
{
    long hx = host_of(pl, "x");
    assert_int_equal(hx, 0); /* pinned to host01 */
    assert_true(hx != host_of(pl, "a"));
    assert_true(hx != host_of(pl, "b") && hx != host_of(pl, "c"));
    assert_true(host_of(pl, "b") != host_of(pl, "c"));
    assert_true(host_of(pl, "d") != host_of(pl, "e"));
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(pl->rules->out[k].honoured, 1);
}

/* A risk file of dir as text (owned). */
static char *
risk_file(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    char *txt = tu_slurp(p, NULL);
    assert_non_null(txt);
    return txt;
}

/* Backtest b's plan and write the risk files twice: as the plan of record (dir a) and
 * beside the plan on all the data (dir b); every risk file must be the same bytes, and
 * summary.csv must name the window each plan of record was made on. */
static void
check_risk_files(struct fx *f, struct bt *b, struct mdl_plan *all)
{
    struct mdl_risk bt;
    assert_int_equal(mdl_risk_backtest(b->pl, b->te, &bt, &f->err), 0);
    bt.train = (struct mdl_window){T0, T0 + 2 * MDL_WEEK_S};
    bt.test = (struct mdl_window){bt.train.to_s, bt.train.to_s + MDL_WEEK_S};
    char *da = ks_xasprintf("%s/train", f->dir), *db = ks_xasprintf("%s/all", f->dir);
    assert_int_equal(mkdir(da, 0777) | mkdir(db, 0777), 0);
    mdl_risk_widen(b->pl, f->ds);
    assert_int_equal(mdl_plan_write(b->pl, da, &f->err), 0);
    assert_int_equal(mdl_plan_write(all, db, &f->err), 0);
    struct mdl_risk_out o = {.bt = &bt, .target_pct = 0.1, .growth_pct = NAN,
                             .rules = b->tr.rules};
    assert_int_equal(mdl_risk_write(b->pl, &o, da, &f->err), 0);
    o.plan_on_all = 1;
    o.all = (struct mdl_window){T0, T0 + 3 * MDL_WEEK_S};
    assert_int_equal(mdl_risk_write(all, &o, db, &f->err), 0);
    static const char *const same[] = {"risk.csv", "risk_hosts.csv", "risk_missing.csv",
                                       "risk_rules.csv"};
    for (size_t i = 0; i < 4; i++) {
        char *x = risk_file(da, same[i]), *y = risk_file(db, same[i]);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    char *sa = risk_file(da, "summary.csv"), *sb = risk_file(db, "summary.csv"), w[64];
    assert_non_null(strstr(sa, "\nplan_made_on,train\n"));
    mdl_window_fmt(w, sizeof w, &bt.train);
    char *want = ks_xasprintf("\nplan_window,%s\n", w);
    assert_non_null(strstr(sa, want));
    assert_null(strstr(sa, "risk_train_hosts"));
    free(want);
    assert_non_null(strstr(sb, "\nplan_made_on,all\n"));
    want = ks_xasprintf("\nplan_window,%s\nplan_made_on,all\nrisk_train_hosts,%zu\n",
                        mdl_window_fmt(w, sizeof w, &o.all), b->pl->nhosts);
    assert_non_null(strstr(sb, want));
    free(want);
    free(sa);
    free(sb);
    free(da);
    free(db);
    mdl_risk_fini(&bt);
}

/* x appears in the third week only: the training window's plan (weeks 1-2) cannot place
 * it and skips the rules that need it; the plan of record on all the data places it,
 * keeps every rule, and is the plan a run without risk flags makes. */
static void
test_plan_all_places_late(void **state)
{
    struct fx *f = *state;
    f->ds = make_ds(WITH_X, 6, 3 * WEEK_H, late_x);
    read_rules(f, X_RULES);
    struct bt b;
    bt_open(f, 2, &b);
    assert_int_equal(host_of(b.pl, "x"), -2);
    struct mdl_window_data wd;
    struct mdl_plan *all = NULL, *plain = NULL;
    assert_int_equal(mdl_plan_all(f->ds, "t", &f->pol, f->cat, 1, &wd, &all, &f->err), 0);
    assert_null(wd.ds); /* planned on the dataset itself */
    assert_x_rules(all);
    assert_int_equal(mdl_plan_run(f->ds, "t", &f->pol, f->cat, &plain, &f->err), 0);
    assert_same_placement(all, plain);
    check_risk_files(f, &b, all);
    mdl_plan_free(plain);
    mdl_plan_free(all);
    bt_close(&b);
}

#define GROWTH 4.0

/* With growth the plan of record packs all the data grown as the training plan's was:
 * every entity kept (an inventory-only one too, sized by its allocation), the rules
 * re-bound to the grown copy, and no host over capacity at any hour of the grown
 * demand (recomputed here from the data). */
static void
test_plan_all_growth(void **state)
{
    struct fx *f = *state;
    f->ds = make_ds(WITH_X, 6, 3 * WEEK_H, late_x);
    size_t g = ks_dataset_add_entity(f->ds, "g", "vm"); /* no sample at all */
    ks_inv_set_num(f->ds, g, "cores", 1);
    ks_inv_set_num(f->ds, g, "core_MHz", 100);
    ks_inv_set_num(f->ds, g, "mem_MiB", 1024);
    read_rules(f, X_RULES);
    struct ks_dataset *sc = mdl_dataset_scaled(f->ds, GROWTH);
    assert_int_equal(ks_dataset_nent(sc), 7);
    for (size_t e = 0; e < 7; e++)
        assert_string_equal(ks_dataset_entity(sc, e), ks_dataset_entity(f->ds, e));
    assert_int_equal(sc->s.nrows, f->ds->s.nrows);
    for (size_t r = 0; r < sc->s.nrows; r += 97)
        tu_assert_near(ks_samples_get(&sc->s, r, KS_CPU_MHZ),
                       GROWTH * ks_samples_get(&f->ds->s, r, KS_CPU_MHZ), 1e-9);
    tu_assert_near(ks_inv_num(sc, g, "mem_MiB"), GROWTH * 1024, 1e-9);
    ks_dataset_free(sc);
    struct mdl_window_data wd;
    struct mdl_plan *pl = NULL;
    assert_int_equal(mdl_plan_all(f->ds, "t", &f->pol, f->cat, GROWTH, &wd, &pl, &f->err), 0);
    assert_non_null(wd.ds);
    assert_ptr_equal(wd.pol.rules, wd.rules);
    assert_int_equal(mdl_rules_absent(wd.rules, &(size_t){0}), 0);
    assert_int_equal(pl->nent, 7);
    assert_true(host_of(pl, "g") >= 0);
    assert_x_rules(pl);
    for (size_t h = 0; h < pl->nhosts; h++)
        for (size_t t = 0; t < 3 * WEEK_H; t++) {
            double sum = 0;
            for (size_t e = 0; e < 6; e++)
                if (host_of(pl, WITH_X[e]) == (long)h && !isnan(late_x(e, t)))
                    sum += GROWTH * late_x(e, t);
            assert_true(sum <= CAP_MHZ + 1e-6);
        }
    mdl_plan_free(pl);
    mdl_window_data_fini(&wd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_anti_affinity_every_window, risk_setup, risk_teardown),
        cmocka_unit_test_setup_teardown(test_rebind_absent, risk_setup, risk_teardown),
        cmocka_unit_test_setup_teardown(test_absent_in_risk_files, risk_setup, risk_teardown),
        cmocka_unit_test_setup_teardown(test_rules_force_overload, risk_setup, risk_teardown),
        cmocka_unit_test_setup_teardown(test_excluded_not_missing, risk_setup, risk_teardown),
        cmocka_unit_test_setup_teardown(test_window_flows, risk_setup, risk_teardown),
        cmocka_unit_test_setup_teardown(test_plan_all_places_late, risk_setup, risk_teardown),
        cmocka_unit_test_setup_teardown(test_plan_all_growth, risk_setup, risk_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
