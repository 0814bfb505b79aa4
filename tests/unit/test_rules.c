/* model: placement rules (mdl_rules.h): parsing, conflicts found together, and plans
 * whose placement is checked here against each rule, from the plan's host_of. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ks_dataset.h"
#include "model/mdl_plan.h"
#include "model/mdl_rules.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_rules_fx.h"

#define NVM 12
#define NSTEP 24

/* One host holds about four VMs at their peaks (CPU), or many by memory. */
static const char *CAT = "model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,"
                         "nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core\n"
                         "m4,1,4,1,1000,12,6,1,1,2000,100,200,1\n";

static int
setup(void **state)
{
    struct fx *f = rfx_new(CAT);
    f->ds = rfx_sine_ds(NVM, NSTEP, 2, NULL, 500, 0.4);
    *state = f;
    return 0;
}

static int
read_rules(struct fx *f, const char *text)
{
    return rfx_read_rules(f, text);
}

static int
plan(struct fx *f, const char *text, int ha)
{
    struct mdl_policy pol;
    mdl_policy_defaults(&pol);
    pol.ha = ha;
    pol.effort = 0.2;
    int rc = read_rules(f, text);
    pol.rules = f->rules;
    if (rc == 0)
        rc = mdl_plan_run(f->ds, "t", &pol, f->cat, &f->plan, &f->err);
    mdl_policy_fini(&pol);
    return rc;
}

static long
host_of(const struct fx *f, const char *name)
{
    return f->plan->host_of[ks_dataset_find(f->ds, name)];
}

#define HDR "rule,type,members,target,weight\n"

static void
parse_ok(void **state)
{
    struct fx *f = *state;
    assert_int_equal(read_rules(f, HDR "a,anti-affinity,vm00; vm01,,\n"
                                      "z,zone,vm02,dmz,\n"
                                      "p,pin,vm03,host07,\n"
                                      "s,soft-affinity,vm04;vm05,,2.5\n"),
                     0);
    assert_int_equal(f->rules->n, 4);
    assert_int_equal(f->rules->r[0].nent, 2); /* spaces around names are trimmed */
    assert_int_equal(f->rules->r[1].type, MDL_RULE_ZONE);
    assert_string_equal(f->rules->zones[f->rules->r[1].zone], "dmz");
    assert_int_equal(f->rules->r[2].pin_host, 6);
    assert_true(f->rules->r[3].weight == 2.5);
}

/* Every problem in one message, each with file:line. */
static void
problems_together(void **state)
{
    struct fx *f = *state;
    assert_int_equal(read_rules(f, HDR "a,anti-affinity,vm00;ghost,,\n"
                                      "b,glue,vm01;vm02,,\n"
                                      "a,affinity,vm03;vm04,,\n"
                                      "z1,zone,vm05,dmz,\n"
                                      "z2,zone,vm05,lan,\n"
                                      "p,pin,vm06,nohost,\n"
                                      "w,affinity,vm07;vm08,,3\n"
                                      "d,anti-affinity,vm09;vm10;vm09,,\n"),
                     -EINVAL);
    assert_null(f->rules);
    const char *want[] = {"rules.csv:2: rule 'a': unknown entity 'ghost'",
                          "rules.csv:3: column 'type': unknown rule type 'glue'",
                          "rules.csv:4: rule 'a' is already defined on line 2",
                          "rules.csv:6: zone 'z2': 'vm05' is already in zone 'dmz' (line 5)",
                          "rules.csv:7: pin 'p': target 'nohost'",
                          "rules.csv:8: rule 'w': only soft-affinity takes a weight",
                          "rules.csv:9: rule 'd': 'vm09' is listed twice"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_non_null(strstr(f->err.msg, want[i]));
    assert_non_null(strstr(f->err.msg, "7 problems"));
}

static void
conflicts(void **state)
{
    struct fx *f = *state;
    assert_int_equal(read_rules(f, HDR "g,affinity,vm00;vm01,,\n"
                                      "x,anti-affinity,vm01;vm00;vm02,,\n"
                                      "z,zone,vm01,dmz,\n"
                                      "e,exclude,vm02,,\n"),
                     -EINVAL);
    assert_non_null(strstr(f->err.msg, "rules.csv:3: anti-affinity 'x': 'vm01' and 'vm00' must "
                                       "share a host (affinity)"));
    assert_non_null(strstr(f->err.msg, "rules.csv:2: affinity 'g': 'vm00' (zone (none)) and "
                                       "'vm01' (zone dmz) cannot share a host"));
    assert_non_null(strstr(f->err.msg, "rules.csv:3: anti-affinity 'x': 'vm02' is excluded"));
}

/* Anti-affinity over 6 VMs where 3 hosts would do: 6 hosts, the bound says so. */
static void
anti_affinity_spreads(void **state)
{
    struct fx *f = *state;
    assert_int_equal(plan(f, HDR "six,anti-affinity,vm00;vm01;vm02;vm03;vm04;vm05,,\n", 0), 0);
    for (int a = 0; a < 6; a++)
        for (int b = 0; b < a; b++)
            assert_true(f->plan->host_of[a] != f->plan->host_of[b]);
    assert_true(f->plan->lower_bound >= 6);
    assert_true(f->plan->nhosts >= 6);
    assert_int_equal(f->plan->rules->out[0].honoured, 1);
}

/* Zones on separate hosts, pins on their named hosts, affinity together, exclude out. */
static void
zones_pins_affinity_exclude(void **state)
{
    struct fx *f = *state;
    assert_int_equal(plan(f, HDR "d,zone,vm00;vm01;vm02,dmz,\n"
                                 "g,affinity,vm03;vm04,,\n"
                                 "p,pin,vm05,host02,\n"
                                 "q,pin,vm06,host01,\n"
                                 "x,exclude,vm11,,\n",
                          1),
                     0);
    const struct mdl_plan *pl = f->plan;
    for (int e = 3; e < NVM - 1; e++) /* no dmz host carries another zone's VM */
        for (int d = 0; d < 3; d++)
            assert_true(pl->host_of[e] != pl->host_of[d]);
    assert_int_equal(host_of(f, "vm03"), host_of(f, "vm04"));
    assert_int_equal(host_of(f, "vm05"), 1);
    assert_int_equal(host_of(f, "vm06"), 0);
    assert_int_equal(host_of(f, "vm11"), -1);
    assert_int_equal(pl->sources, NVM - 1);
    /* each zone has its own HA spare: 2 zones, 2 spares */
    assert_int_equal(pl->spares, 2);
    assert_int_equal(pl->rules->zone[1].spares + pl->rules->zone[0].spares, 2);
    for (size_t k = 0; k < f->rules->n; k++)
        assert_int_equal(pl->rules->out[k].honoured, 1);
}

static void
group_too_big(void **state)
{
    struct fx *f = *state;
    assert_int_equal(plan(f, HDR "all,affinity,vm00;vm01;vm02;vm03;vm04;vm05;vm06;vm07,,\n", 0),
                     -EINVAL);
    assert_non_null(strstr(f->err.msg, "rules.csv:2: affinity 'all': its members together need"));
    assert_null(f->plan);
}

/* A pin past the plan's host count cannot be kept: the plan fails and says why. */
static void
pin_past_hosts(void **state)
{
    struct fx *f = *state;
    assert_true(plan(f, HDR "p,pin,vm00,host40,\n", 0) < 0);
    assert_non_null(strstr(f->err.msg, "host40"));
}

/* Soft affinity keeps a pair together when that costs no host. */
static void
soft_pairs_together(void **state)
{
    struct fx *f = *state;
    assert_int_equal(plan(f, HDR "s,soft-affinity,vm00;vm06,,\nt,soft-affinity,vm01;vm07,,\n",
                          0),
                     0);
    assert_int_equal(host_of(f, "vm00"), host_of(f, "vm06"));
    assert_int_equal(host_of(f, "vm01"), host_of(f, "vm07"));
    assert_true(f->plan->rules->soft_cross_bytes == 0);
}

/* The rule-cost re-plans take the plan's packing of each zone the left-out rule leaves
 * as it was (mdl_rules_memo.c): the costs must be those of re-plans made cold. The rules
 * leave zones untouched in most re-plans (the anti-affinity pair and the soft pair sit
 * in different zones) and the plan has a spare per zone. */
static void
costs_reuse_zones(void **state)
{
    struct fx *f = *state;
    assert_int_equal(plan(f, HDR "d,zone,vm00;vm01;vm02;vm03,dmz,\n"
                                 "a,anti-affinity,vm00;vm01,,\n"
                                 "s,soft-affinity,vm05;vm06,,\n"
                                 "g,affinity,vm08;vm09,,\n"
                                 "x,exclude,vm11,,\n",
                          1),
                     0);
    struct mdl_plan *pl = f->plan;
    assert_non_null(pl->zone_memo);
    size_t n = f->rules->n;
    double warm[8], cold[8];
    mdl_rules_costs(f->ds, "t", f->cat, f->rules, pl, 20);
    for (size_t k = 0; k < n; k++)
        warm[k] = pl->rules->out[k].hosts_without;
    warm[n] = pl->rules->hosts_without_all;
    struct mdl_zone_memo *memo = pl->zone_memo;
    pl->zone_memo = NULL; /* every re-plan packs every zone again */
    for (size_t k = 0; k < n; k++)
        pl->rules->out[k].hosts_without = NAN;
    pl->rules->hosts_without_all = NAN;
    mdl_rules_costs(f->ds, "t", f->cat, f->rules, pl, 20);
    pl->zone_memo = memo;
    for (size_t k = 0; k < n; k++)
        cold[k] = pl->rules->out[k].hosts_without;
    cold[n] = pl->rules->hosts_without_all;
    for (size_t k = 0; k <= n; k++) {
        assert_false(isnan(warm[k]));
        assert_true(warm[k] == cold[k]);
    }
    /* Leaving out the exclude adds a source: a re-plan, never below the plan. */
    assert_true(warm[4] >= (double)pl->nhosts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(parse_ok, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(problems_together, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(conflicts, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(anti_affinity_spreads, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(zones_pins_affinity_exclude, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(group_too_big, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(pin_past_hosts, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(soft_pairs_together, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(costs_reuse_zones, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
