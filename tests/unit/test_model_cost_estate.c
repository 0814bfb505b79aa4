/* model/mdl_cost_estate: the status quo by kind of source. VMs on two hypervisor hosts
 * cost the hosts once (not a box per VM), shared by allocated vCPUs; a VM without a
 * known host costs no hardware and is counted; a host's own watts, use and sockets;
 * hostile vCPU counts. Expected figures are worked out here from the rule the header
 * states. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ks_dataset.h"
#include "model/mdl_cost.h"
#include "model/mdl_cost_estate.h"
#include "model/mdl_policy.h"

static void
near(double a, double b)
{
    assert_true(fabs(a - b) <= 1e-6 * (1 + fabs(b)));
}
#define NEAR(a, b) near((a), (b))

/* Round figures: every line is easy to follow by hand. */
static void
policy(struct mdl_policy *p)
{
    mdl_policy_defaults(p);
    free(p->ports);
    p->ports = NULL;
    p->years = 5;
    p->power_price_per_kWh = 0.5;
    p->pue = 2;
    p->source_watts_idle = 100;
    p->source_watts_max = 200;
    p->source_price = 1000;
    p->source_life_years = 4;
    p->warranty_years = 1;
    p->support_pct = 10;
    p->source_upkeep_per_year = 0;
    p->os_per_server = 30;
    p->os_per_guest = 20;
    p->rack_unit_price_per_year = 7;
    p->source_rack_U = 2;
    p->admin_hours = 3;
    p->admin_hour_price = 11;
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

static double
kwh(const struct mdl_policy *p, double watts)
{
    return watts * 8760.0 / 1000 * p->pue * p->power_price_per_kWh;
}

/* Every VM moved: two hosts once each plus the physical server, not seven boxes. */
static void
test_hosts_counted_once(void **state)
{
    (void)state;
    struct estate t;
    estate(&t);
    struct mdl_policy p;
    policy(&p);
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
    NEAR(s.y[1][MDL_COST_POWER], kwh(&p, 3 * 100)); /* no use known: idle */
    NEAR(s.y[1][MDL_COST_LICENCES], 30 + 5 * 20);
    NEAR(s.total, 5 * (3 * box_year() + kwh(&p, 300) + 30 + 5 * 20));
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
    policy(&p);
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
    policy(&p);
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
    policy(&p);
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
    NEAR(s.y[1][MDL_COST_POWER], kwh(&p, 150 + 200 * u1 + 100.0 * 4 / 12));
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
        cmocka_unit_test(test_hosts_counted_once), cmocka_unit_test(test_shares_by_vcpus),
        cmocka_unit_test(test_no_known_host),      cmocka_unit_test(test_host_power_and_sockets),
        cmocka_unit_test(test_bad_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
