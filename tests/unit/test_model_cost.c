/* model/mdl_cost: the cost lines of both sides, break-even, per-server watts, tco.csv,
 * the cost keys of the policy, and the status quo by kind of source (mdl_cost_estate). Every expected figure is worked out here from the
 * inputs by the formula docs/model.md states, not copied from a run. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ks_dataset.h"
#include "core/ks_table.h"
#include "model/mdl_cost.h"
#include "model/mdl_cost_estate.h"
#include "model/mdl_policy.h"
#include "tests/unit/test_util.h"

static void
near(double a, double b)
{
    assert_true(fabs(a - b) <= 1e-6 * (1 + fabs(b)));
}
#define NEAR(a, b) near((a), (b))

/* Round figures so every line is easy to follow by hand. */
static void
policy(struct mdl_policy *p, double years)
{
    mdl_policy_defaults(p);
    free(p->ports); /* the only allocated field: costing needs no port template */
    p->ports = NULL;
    p->years = years;
    p->power_price_per_kWh = 0.5;
    p->pue = 2;
    p->source_watts_idle = 100;
    p->source_watts_max = 200;
    p->source_price = 1000;
    p->source_life_years = 4;
    p->warranty_years = 1;
    p->support_pct = 10;
    p->source_upkeep_per_year = 5;
    p->os_per_server = 30;
    p->rack_unit_price_per_year = 7;
    p->source_rack_U = 2;
    p->admin_hours = 3;
    p->admin_hour_price = 11;
    p->migration_hours = 2;
    p->licence_maint_pct = 20;
    p->subscription_per_socket = 13;
}

/* Energy of `watts` for a year at the test policy: W x 8760 h / 1000 x PUE x price. */
static double
kwh_cost(const struct mdl_policy *p, double watts)
{
    return watts * 8760.0 / 1000 * p->pue * p->power_price_per_kWh;
}

static void
test_status_quo_lines(void **state)
{
    (void)state;
    struct mdl_policy p;
    policy(&p, 2);
    /* Server 0 idle, 1 at full load, 2 unknown (idle), 3 at half load with its own
     * inventory watts 50..80 (a server with a power figure of its own). */
    double util[] = {0, 1, NAN, 0.5};
    double wi[] = {NAN, NAN, NAN, 50}, wm[] = {NAN, NAN, NAN, 80};
    struct mdl_cost_sources in = {4, util, wi, wm};
    struct mdl_cost_side s;
    mdl_cost_status_quo(&in, &p, &s);
    assert_int_equal(s.nyears, 2);
    double watts = 100 + 200 + 100 + (50 + 30 * 0.5);
    double oow = (4.0 - 1) / 4; /* share out of warranty under a 4-year refresh */
    double want[MDL_COST_NLINES] = {
        [MDL_COST_POWER] = kwh_cost(&p, watts),
        [MDL_COST_SUPPORT] = 4 * (1000 * 0.10 * oow + 5),
        [MDL_COST_HARDWARE] = 4 * 1000 / 4.0,
        [MDL_COST_LICENCES] = 4 * 30,
        [MDL_COST_RACK] = 4 * 2 * 7,
        [MDL_COST_ADMIN] = 4 * 3 * 11,
    };
    double year = 0;
    for (int l = 0; l < MDL_COST_NLINES; l++) {
        NEAR(s.y[0][l], 0); /* nothing to pay up front */
        NEAR(s.y[1][l], want[l]);
        NEAR(s.y[2][l], want[l]);
        NEAR(s.line[l], 2 * want[l]);
        year += want[l];
    }
    NEAR(s.total, 2 * year);
    NEAR(s.running_per_year, year);
}

static void
test_status_quo_no_refresh(void **state)
{
    (void)state;
    struct mdl_policy p;
    policy(&p, 1);
    p.source_life_years = 0; /* no refresh: every server stays out of warranty */
    struct mdl_cost_sources in = {3, NULL, NULL, NULL};
    struct mdl_cost_side s;
    mdl_cost_status_quo(&in, &p, &s);
    NEAR(s.y[1][MDL_COST_HARDWARE], 0);
    NEAR(s.y[1][MDL_COST_SUPPORT], 3 * (1000 * 0.10 + 5));
    NEAR(s.y[1][MDL_COST_POWER], kwh_cost(&p, 3 * 100)); /* no utilization: idle */
}

/* Two hosts of a 2-socket model; warranty 1.5 years over a 3-year horizon. */
static const struct mdl_model M = {
    .name = "m", .sockets = 2, .rack_U = 2, .price = 5000, .watts_idle = 300, .watts_max = 500};

static void
test_consolidated_lines(void **state)
{
    (void)state;
    struct mdl_policy p;
    policy(&p, 3);
    p.warranty_years = 1.5;
    double util[] = {0.25, 0};
    struct mdl_cost_hosts in = {&M, 2, 2, util, 10, 10000, 600, 4000};
    struct mdl_cost_side s;
    mdl_cost_consolidated(&in, &p, &s);
    assert_int_equal(s.nyears, 3);
    NEAR(s.y[0][MDL_COST_HARDWARE], 10000 + 600);
    NEAR(s.y[0][MDL_COST_LICENCES], 4000);
    NEAR(s.y[0][MDL_COST_ADMIN], 10 * 2 * 11); /* migration: guests x hours x price */
    NEAR(s.y[0][MDL_COST_POWER] + s.y[0][MDL_COST_SUPPORT] + s.y[0][MDL_COST_RACK], 0);
    double lic = 4000 * 0.20 + 10 * 30 + 2 * 2 * 13; /* maintenance, guests' OS, subs */
    double support = 10000 * 0.10;
    for (size_t k = 1; k <= 3; k++) {
        NEAR(s.y[k][MDL_COST_POWER], kwh_cost(&p, (300 + 200 * 0.25) + 300));
        NEAR(s.y[k][MDL_COST_LICENCES], lic);
        NEAR(s.y[k][MDL_COST_RACK], 2 * 2 * 7);
        NEAR(s.y[k][MDL_COST_ADMIN], 2 * 3 * 11);
        NEAR(s.y[k][MDL_COST_HARDWARE], 0);
    }
    /* Support starts when the warranty ends, half way through year 2. */
    NEAR(s.y[1][MDL_COST_SUPPORT], 0);
    NEAR(s.y[2][MDL_COST_SUPPORT], support / 2);
    NEAR(s.y[3][MDL_COST_SUPPORT], support);
    double running = 0;
    for (size_t k = 1; k <= 3; k++)
        for (int l = 0; l < MDL_COST_NLINES; l++)
            running += s.y[k][l];
    NEAR(s.running_per_year, running / 3);
    NEAR(s.total, running + 10600 + 4000 + 220);
}

static void
test_guest_os_and_no_licences(void **state)
{
    (void)state;
    struct mdl_policy p;
    policy(&p, 1);
    p.os_per_server = 0; /* no licences anywhere */
    p.subscription_per_socket = 0;
    struct mdl_cost_hosts in = {&M, 2, 1, NULL, 4, 5000, 0, 0};
    struct mdl_cost_side s;
    mdl_cost_consolidated(&in, &p, &s);
    NEAR(s.line[MDL_COST_LICENCES], 0);
    struct mdl_cost_sources src = {4, NULL, NULL, NULL};
    mdl_cost_status_quo(&src, &p, &s);
    NEAR(s.line[MDL_COST_LICENCES], 0);
    /* Unset, guests pay what the servers paid; set, their own figure. */
    p.os_per_server = 30;
    mdl_cost_consolidated(&in, &p, &s);
    NEAR(s.y[1][MDL_COST_LICENCES], 4 * 30);
    p.os_per_guest = 0;
    mdl_cost_consolidated(&in, &p, &s);
    NEAR(s.y[1][MDL_COST_LICENCES], 0);
}

static void
test_zero_years(void **state)
{
    (void)state;
    struct mdl_policy p;
    policy(&p, 0);
    struct mdl_cost_sources src = {2, NULL, NULL, NULL};
    struct mdl_cost_hosts in = {&M, 2, 1, NULL, 2, 5000, 100, 0};
    struct mdl_tco t;
    mdl_cost_status_quo(&src, &p, &t.sq);
    mdl_cost_consolidated(&in, &p, &t.plan);
    assert_int_equal(t.sq.nyears, 0);
    NEAR(t.sq.total, 0);
    NEAR(t.sq.running_per_year, 0);
    NEAR(t.plan.total, 5000 + 100 + 2 * 2 * 11); /* only what is paid at purchase */
    NEAR(t.plan.running_per_year, 0);
    /* No year to save in: it never pays back. */
    assert_true(isnan(mdl_cost_breakeven_months(&t.sq, &t.plan)));
}

static void
test_part_year(void **state)
{
    (void)state;
    struct mdl_policy p;
    policy(&p, 2.5);
    struct mdl_cost_sources src = {1, NULL, NULL, NULL};
    struct mdl_cost_side s;
    mdl_cost_status_quo(&src, &p, &s);
    assert_int_equal(s.nyears, 3);
    NEAR(s.y[3][MDL_COST_ADMIN], s.y[1][MDL_COST_ADMIN] / 2);
    NEAR(s.line[MDL_COST_ADMIN], 2.5 * 3 * 11);
    NEAR(s.running_per_year, s.total / 2.5);
}

/* Hand-built sides: only the admin line, so the cumulative curves are plain lines. */
static void
sides(struct mdl_tco *t, size_t years, double upfront, double sq_year, const double *plan_year)
{
    memset(t, 0, sizeof *t);
    t->sq.years = t->plan.years = (double)years;
    t->sq.nyears = t->plan.nyears = years;
    t->plan.y[0][MDL_COST_HARDWARE] = upfront;
    for (size_t k = 1; k <= years; k++) {
        t->sq.y[k][MDL_COST_ADMIN] = sq_year;
        t->plan.y[k][MDL_COST_ADMIN] = plan_year[k - 1];
    }
}

static void
test_breakeven(void **state)
{
    (void)state;
    struct mdl_tco t;
    double flat[] = {40, 40, 40, 40};
    /* 100 up front, saving 60 a year: 100/60 years. */
    sides(&t, 4, 100, 100, flat);
    NEAR(mdl_cost_breakeven_months(&t.sq, &t.plan), 100.0 / 60 * 12);
    /* Savings that change: 30 in year 1, then 80: 1 year + 70/80 of year 2. */
    double step[] = {70, 20, 20, 20};
    sides(&t, 4, 100, 100, step);
    NEAR(mdl_cost_breakeven_months(&t.sq, &t.plan), (1 + 70.0 / 80) * 12);
    /* Past the horizon: 2 years x 10 saved leave 980, at 10 a year. */
    double slow[] = {90, 90};
    sides(&t, 2, 1000, 100, slow);
    NEAR(mdl_cost_breakeven_months(&t.sq, &t.plan), (2 + 980.0 / 10) * 12);
    /* Costing more every year: never. */
    double dear[] = {120, 120};
    sides(&t, 2, 1000, 100, dear);
    assert_true(isnan(mdl_cost_breakeven_months(&t.sq, &t.plan)));
    /* Nothing to pay up front: month 0. */
    sides(&t, 2, 0, 100, dear);
    NEAR(mdl_cost_breakeven_months(&t.sq, &t.plan), 0);
}

static void
test_source_watts(void **state)
{
    (void)state;
    struct ks_dataset *ds = ks_dataset_new();
    size_t a = ks_dataset_add_entity(ds, "a", "physical");
    size_t b = ks_dataset_add_entity(ds, "b", "physical");
    uint32_t ent[] = {(uint32_t)a, (uint32_t)b};
    double wi[2], wm[2];
    struct ks_err err = {0};
    /* No such columns: the policy's figures (NaN) for both. */
    assert_int_equal(mdl_cost_source_watts(ds, ent, 2, wi, wm, &err), 0);
    assert_true(isnan(wi[0]) && isnan(wm[1]));
    ks_inv_set(ds, a, "watts_idle", "120");
    ks_inv_set(ds, a, "watts_max", "310.5");
    assert_int_equal(mdl_cost_source_watts(ds, ent, 2, wi, wm, &err), 0);
    NEAR(wi[0], 120);
    NEAR(wm[0], 310.5);
    assert_true(isnan(wi[1]) && isnan(wm[1])); /* b has no figure of its own */
    ks_inv_set(ds, b, "watts_max", "lots");
    assert_int_equal(mdl_cost_source_watts(ds, ent, 2, wi, wm, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "'b'"));
    assert_non_null(strstr(err.msg, "watts_max 'lots'"));
    ks_dataset_free(ds);
}

static void
test_write(void **state)
{
    (void)state;
    struct mdl_tco t;
    double flat[] = {40, 40};
    sides(&t, 2, 100, 100, flat);
    char *dir = tu_tmpdir(), path[4200];
    struct ks_err err = {0};
    assert_int_equal(mdl_cost_write(&t, dir, &err), 0);
    snprintf(path, sizeof path, "%s/tco.csv", dir);
    struct ks_table tab;
    assert_int_equal(ks_table_read(path, NULL, &tab, &err), 0);
    assert_int_equal(tab.nrows, 6); /* years 0..2, both sides */
    assert_string_equal(ks_table_str(&tab, 3, "side"), "consolidated");
    NEAR(ks_table_num(&tab, 3, "hardware"), 100);
    NEAR(ks_table_num(&tab, 5, "cumulative"), 100 + 2 * 40);
    NEAR(ks_table_num(&tab, 2, "cumulative"), 2 * 100);
    ks_table_fini(&tab);
    tu_rmrf(dir);
    free(dir);
}

static void
test_policy_keys(void **state)
{
    (void)state;
    struct mdl_policy p;
    struct ks_err err = {0};
    mdl_policy_defaults(&p);
    assert_int_equal(mdl_policy_set(&p, "support-pct", "12.5", &err), 0);
    NEAR(p.support_pct, 12.5);
    assert_int_equal(mdl_policy_set(&p, "years", "0", &err), 0);
    assert_int_equal(mdl_policy_set(&p, "support-pct", "150", &err), -EINVAL);
    assert_non_null(strstr(err.msg, "support-pct '150'"));
    ks_err_clear(&err);
    assert_int_equal(mdl_policy_set(&p, "admin-hour-price", "cheap", &err), -EINVAL);
    assert_non_null(strstr(err.msg, "admin-hour-price"));
    ks_err_clear(&err);
    /* From a file: the file, the line and the key. */
    char *dir = tu_tmpdir(), path[4200];
    tu_write(dir, "p.ini", "[cost]\nsource-price = 5000\nwarranty-years = -1\n");
    snprintf(path, sizeof path, "%s/p.ini", dir);
    assert_int_equal(mdl_policy_read(path, &p, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "p.ini:3:"));
    assert_non_null(strstr(err.msg, "warranty-years"));
    NEAR(p.source_price, 5000);
    mdl_policy_fini(&p);
    tu_rmrf(dir);
    free(dir);
}

/* ---- The status quo by kind of source (mdl_cost_estate.h) ---------------------------
 * VMs on two hypervisor hosts cost the hosts once (not a box per VM), shared by
 * allocated vCPUs; a VM without a known host costs no hardware and is counted; a host's
 * own watts, use and sockets; hostile vCPU counts. */

/* The test policy over 5 years, guests at their own OS price, no upkeep or
 * subscriptions unless a test sets them. */
static void
estate_policy(struct mdl_policy *p)
{
    policy(p, 5);
    p->source_upkeep_per_year = 0;
    p->os_per_guest = 20;
    p->subscription_per_socket = 0;
}

static size_t
vm(struct ks_dataset *ds, const char *name, const char *host, const char *threads,
   const char *cores)
{
    size_t e = ks_dataset_add_entity(ds, name, "vm");
    ks_inv_set(ds, e, "kind", "vm");
    ks_inv_set(ds, e, "host", host);
    ks_inv_set(ds, e, "threads", threads);
    ks_inv_set(ds, e, "cores", cores);
    return e;
}

static size_t
ent(struct ks_dataset *ds, const char *name, const char *kind)
{
    size_t e = ks_dataset_add_entity(ds, name, kind);
    ks_inv_set(ds, e, "kind", kind);
    return e;
}

/* The estate of the tests: a physical server, host h1 with VMs of 2 and 6 vCPUs, host
 * h2 with VMs of 4 vCPUs (threads), 4 (cores only) and one without a count (weighs the
 * mean, 4): 2 + 6 = 8 on h1, 12 on h2. */
struct estate {
    struct ks_dataset *ds;
    size_t phys, h1, h2, a, b, c, d, e;
};

static void
estate(struct estate *t)
{
    t->ds = ks_dataset_new();
    t->phys = ent(t->ds, "phys", "physical");
    t->h1 = ent(t->ds, "h1", "host");
    t->h2 = ent(t->ds, "h2", "host");
    t->a = vm(t->ds, "a", "h1", "2", NULL);
    t->b = vm(t->ds, "b", "h1", "6", "3"); /* threads wins over cores */
    t->c = vm(t->ds, "c", "h2", "4", NULL);
    t->d = vm(t->ds, "d", "h2", NULL, "4");
    t->e = vm(t->ds, "e", "h2", NULL, NULL);
}

/* Per-box costs a year at the test policy, without power and OS. */
static double
box_year(void)
{
    double oow = (4.0 - 1) / 4;
    return 1000 * 0.10 * oow + 1000 / 4.0 + 2 * 7 + 3 * 11;
}

/* Every VM moved: two hosts once each plus the physical server, not seven boxes. */
static void
test_hosts_counted_once(void **state)
{
    (void)state;
    struct estate t;
    estate(&t);
    struct mdl_policy p;
    estate_policy(&p);
    uint32_t src[] = {(uint32_t)t.phys, (uint32_t)t.a, (uint32_t)t.b,
                      (uint32_t)t.c,    (uint32_t)t.d, (uint32_t)t.e};
    struct mdl_cost_estate e;
    struct ks_err err = {0};
    assert_int_equal(mdl_cost_estate_build(t.ds, src, 6, NULL, &e, &err), 0);
    assert_int_equal(e.nbox, 3);
    assert_int_equal(e.guests, 5);
    assert_int_equal(e.basis.physical, 1);
    assert_int_equal(e.basis.vms, 5);
    assert_int_equal(e.basis.hosts, 2);
    assert_int_equal(e.basis.vms_no_host, 0);
    NEAR(e.box[1].share, 1);
    NEAR(e.box[2].share, 1);
    assert_true(e.box[1].is_host && !e.box[0].is_host);
    struct mdl_cost_side s;
    mdl_cost_status_quo_estate(&e, &p, &s);
    /* 3 boxes a year; the physical one's OS per server, each VM's per guest. */
    NEAR(s.y[1][MDL_COST_HARDWARE], 3 * 1000 / 4.0);
    NEAR(s.y[1][MDL_COST_ADMIN], 3 * 3 * 11);
    NEAR(s.y[1][MDL_COST_POWER], kwh_cost(&p, 3 * 100)); /* no use known: idle */
    NEAR(s.y[1][MDL_COST_LICENCES], 30 + 5 * 20);
    NEAR(s.total, 5 * (3 * box_year() + kwh_cost(&p, 300) + 30 + 5 * 20));
    /* The same estate costed as seven physical boxes would be what issue 19 found. */
    struct mdl_cost_sources seven = {6, NULL, NULL, NULL};
    struct mdl_cost_side wrong;
    mdl_cost_status_quo(&seven, &p, &wrong);
    assert_true(wrong.total > s.total * 1.5);
    mdl_cost_estate_fini(&e);
    ks_dataset_free(t.ds);
}

/* Some VMs stay (not among the sources): the host's share is the moved VMs' vCPUs over
 * all of its VMs'. b (6 of 8 on h1) and e (uncounted: the mean 4 of 12 on h2). */
static void
test_shares_by_vcpus(void **state)
{
    (void)state;
    struct estate t;
    estate(&t);
    struct mdl_policy p;
    estate_policy(&p);
    uint32_t src[] = {(uint32_t)t.b, (uint32_t)t.e};
    struct mdl_cost_estate e;
    struct ks_err err = {0};
    assert_int_equal(mdl_cost_estate_build(t.ds, src, 2, NULL, &e, &err), 0);
    assert_int_equal(e.nbox, 2);
    NEAR(e.box[0].share, 6.0 / 8);
    NEAR(e.box[1].share, 4.0 / 12);
    struct mdl_cost_side s;
    mdl_cost_status_quo_estate(&e, &p, &s);
    NEAR(s.y[1][MDL_COST_HARDWARE], (6.0 / 8 + 4.0 / 12) * 1000 / 4);
    NEAR(s.y[1][MDL_COST_LICENCES], 2 * 20);
    mdl_cost_estate_fini(&e);
    ks_dataset_free(t.ds);
}

/* A VM whose host is empty, missing, a physical server or another VM: no hardware,
 * counted; its guest OS stays. */
static void
test_no_known_host(void **state)
{
    (void)state;
    struct ks_dataset *ds = ks_dataset_new();
    ent(ds, "p", "physical");
    uint32_t src[] = {
        (uint32_t)vm(ds, "v1", NULL, "2", NULL), (uint32_t)vm(ds, "v2", "nowhere", "2", NULL),
        (uint32_t)vm(ds, "v3", "p", "2", NULL),  (uint32_t)vm(ds, "v4", "v1", "2", NULL),
        (uint32_t)vm(ds, "v5", "v5", "0", NULL), /* its own host; a bad count unused */
    };
    struct mdl_policy p;
    estate_policy(&p);
    struct mdl_cost_estate e;
    struct ks_err err = {0};
    assert_int_equal(mdl_cost_estate_build(ds, src, 5, NULL, &e, &err), 0);
    assert_int_equal(e.nbox, 0);
    assert_int_equal(e.basis.vms_no_host, 5);
    assert_int_equal(e.basis.vms + e.basis.hosts + e.basis.physical, 0);
    struct mdl_cost_side s;
    mdl_cost_status_quo_estate(&e, &p, &s);
    for (int l = 0; l < MDL_COST_NLINES; l++)
        if (l != MDL_COST_LICENCES)
            NEAR(s.line[l], 0);
    NEAR(s.line[MDL_COST_LICENCES], 5 * 5 * 20);
    mdl_cost_estate_fini(&e);
    ks_dataset_free(ds);
}

/* A host's own watts, its mean cpu_pct over its samples weighed by interval, and its
 * sockets for the per-socket subscription. */
static void
test_host_power_and_sockets(void **state)
{
    (void)state;
    struct estate t;
    estate(&t);
    ks_inv_set(t.ds, t.h1, "watts_idle", "150");
    ks_inv_set(t.ds, t.h1, "watts_max", "350");
    ks_inv_set(t.ds, t.h1, "sockets", "2");
    double m[KS_NMETRIC];
    for (int k = 0; k < KS_NMETRIC; k++)
        m[k] = NAN;
    m[KS_CPU_PCT] = 50;
    ks_samples_append(&t.ds->s, 60, (uint32_t)t.h1, 60, m);
    m[KS_CPU_PCT] = 100;
    ks_samples_append(&t.ds->s, 240, (uint32_t)t.h1, 180, m);
    m[KS_CPU_PCT] = 90; /* a VM's own use says nothing of its host's */
    ks_samples_append(&t.ds->s, 240, (uint32_t)t.a, 180, m);
    t.ds->has_samples = 1;
    struct mdl_policy p;
    estate_policy(&p);
    p.subscription_per_socket = 13;
    uint32_t src[] = {(uint32_t)t.a, (uint32_t)t.b, (uint32_t)t.c};
    double util[] = {0.9, 0.9, 0.9};
    struct mdl_cost_estate e;
    struct ks_err err = {0};
    assert_int_equal(mdl_cost_estate_build(t.ds, src, 3, util, &e, &err), 0);
    assert_int_equal(e.nbox, 2);
    double u1 = (50.0 * 60 + 100.0 * 180) / 240 / 100;
    NEAR(e.box[0].util, u1);
    assert_true(isnan(e.box[1].util)); /* h2 has no samples: idle */
    struct mdl_cost_side s;
    mdl_cost_status_quo_estate(&e, &p, &s);
    /* h1 whole (a and b), h2 by c's 4 of 12 vCPUs. */
    NEAR(s.y[1][MDL_COST_POWER], kwh_cost(&p, 150 + 200 * u1 + 100.0 * 4 / 12));
    NEAR(s.y[1][MDL_COST_LICENCES], 3 * 20 + 2 * 13); /* h2 has no sockets: none */
    mdl_cost_estate_fini(&e);
    ks_dataset_free(t.ds);
}

/* Hostile inputs on a VM with a host: a count of 0, 1e308; a host's bad watts. */
static void
test_bad_counts(void **state)
{
    (void)state;
    static const char *const bad[] = {"0", "1e308", "0.5"};
    for (size_t i = 0; i < 3; i++) {
        struct estate t;
        estate(&t);
        ks_inv_set(t.ds, t.d, "cores", bad[i]);
        uint32_t src[] = {(uint32_t)t.a};
        struct mdl_cost_estate e;
        struct ks_err err = {0};
        assert_int_equal(mdl_cost_estate_build(t.ds, src, 1, NULL, &e, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "entity 'd'"));
        assert_non_null(strstr(err.msg, "cores '"));
        assert_non_null(strstr(err.msg, "host 'h2'"));
        mdl_cost_estate_fini(&e);
        ks_dataset_free(t.ds);
    }
    struct estate t;
    estate(&t);
    ks_inv_set(t.ds, t.h1, "watts_idle", "-5");
    uint32_t src[] = {(uint32_t)t.a};
    struct mdl_cost_estate e;
    struct ks_err err = {0};
    assert_int_equal(mdl_cost_estate_build(t.ds, src, 1, NULL, &e, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "'h1'"));
    assert_non_null(strstr(err.msg, "watts_idle '-5'"));
    mdl_cost_estate_fini(&e);
    ks_dataset_free(t.ds);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_quo_lines),
        cmocka_unit_test(test_status_quo_no_refresh),
        cmocka_unit_test(test_consolidated_lines),
        cmocka_unit_test(test_guest_os_and_no_licences),
        cmocka_unit_test(test_zero_years),
        cmocka_unit_test(test_part_year),
        cmocka_unit_test(test_breakeven),
        cmocka_unit_test(test_source_watts),
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_policy_keys),
        cmocka_unit_test(test_hosts_counted_once),
        cmocka_unit_test(test_shares_by_vcpus),
        cmocka_unit_test(test_no_known_host),
        cmocka_unit_test(test_host_power_and_sockets),
        cmocka_unit_test(test_bad_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
