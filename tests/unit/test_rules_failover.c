/*
 * Rules through failover (issue 20, model/mdl_rules_ha.c) on hand-made placements:
 * three VMs kept apart on three hosts cannot survive a host's failure without a fourth
 * host (after the spare, greedy and depth-first tries, the verdict names the VM that
 * found no host and the VMs it conflicts with), and survive it with an empty spare.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/ks_dataset.h"
#include "model/mdl_plan.h"
#include "model/mdl_policy.h"
#include "model/mdl_rules.h"
#include "model/mdl_rules_int.h"
#include "model/mdl_rules_run.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_rules_fx.h"

#define CAT "model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,nic_ports," \
            "nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core\n"                 \
            "M,2,4,1,3000,64,6,1,2,5000,200,300,1\n"

/* The rules bound to the fixture's dataset, packing capacity cap_MHz per host. */
struct bound {
    struct mdl_demand d;
    struct mdl_vbp *p;
    struct mdl_rules_run *rr;
};

static void
bind(struct fx *f, struct bound *b, double cap_MHz)
{
    struct mdl_policy pol;
    mdl_policy_defaults(&pol);
    assert_int_equal(mdl_demand_build(f->ds, &pol, &b->d, &f->err), 0);
    double cap[2] = {cap_MHz, 1e6};
    b->p = mdl_vbp_new(b->d.n, 2, b->d.T, cap);
    double *row = malloc(2 * b->d.T * sizeof *row);
    for (size_t q = 0; q < b->d.n; q++) {
        memcpy(row, b->d.cpu_MHz + q * b->d.T, b->d.T * sizeof *row);
        memcpy(row + b->d.T, b->d.mem_MiB + q * b->d.T, b->d.T * sizeof *row);
        mdl_vbp_set_item(b->p, q, row);
    }
    free(row);
    mdl_rules_bind(f->rules, f->ds, &b->d, b->p, &b->rr);
    mdl_rules_lower_bound(b->rr, b->p); /* sets the zones' capacity */
    mdl_policy_fini(&pol);
}

static void
unbind(struct bound *b)
{
    mdl_rules_run_free(b->rr);
    mdl_vbp_free(b->p);
    mdl_demand_fini(&b->d);
}

static int
setup(void **state)
{
    struct fx *f = rfx_new(CAT);
    /* four VMs of 500 MHz (+-40%, phase shifted): two fit a host of 1,500 MHz, three
     * do not (the test checks both through the failover's own verdicts) */
    f->ds = rfx_sine_ds(4, 24, 2, NULL, 500, 0.4);
    *state = f;
    return 0;
}

#define RULES "rule,type,members,target,weight\napart,anti-affinity,vm00;vm01;vm02,,\n"

/* vm00..vm02 on hosts 0..2 (vm03 beside vm02): failing host 0 leaves vm00 only hosts
 * that hold a conflicting VM; a fourth, empty host takes it. */
static void
apart_needs_a_fourth_host(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rfx_read_rules(f, RULES), 0);
    struct bound b;
    bind(f, &b, 1500);
    uint32_t assign[4] = {0, 1, 2, 2}, zone[4] = {0, 0, 0, 0};
    char why[176];
    assert_int_equal(mdl_rules_failover(b.rr, 0, assign, zone, 3, 0, why, sizeof why), 0);
    assert_non_null(strstr(why, "vm00 (from host01) finds no host"));
    assert_non_null(strstr(why, "host02 has room but holds vm01"));
    /* host03 holds vm02 and vm03: no room for a third VM there, so it is not listed */
    assert_null(strstr(why, "host03"));
    /* with an empty fourth host (a spare), every failure keeps the rule */
    assert_int_equal(mdl_rules_failover(b.rr, 0, assign, zone, 4, 0, why, sizeof why), -1);
    assert_string_equal(why, "");
    unbind(&b);
}

/* No conflict to keep in a zone without an anti-affinity rule: -2. */
static void
nothing_to_keep(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rfx_read_rules(f, "rule,type,members,target,weight\n"
                                       "z,zone,vm00;vm01,z,\n"),
                     0);
    struct bound b;
    bind(f, &b, 1500);
    uint32_t assign[4] = {0, 0, 1, 1}, zone[2] = {0, 1};
    assert_int_equal(mdl_rules_failover(b.rr, 0, assign, zone, 2, 0, NULL, 0), -2);
    unbind(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(apart_needs_a_fourth_host, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(nothing_to_keep, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
