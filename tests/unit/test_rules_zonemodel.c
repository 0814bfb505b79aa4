/* model: a zone with its own host model (rules column `model`, docs/rules.md): the DMZ
 * packed on a small model needs more hosts than on the big one; hosts.csv, zones.csv and
 * summary.csv say which model each host and zone has; capex is recomputed here from the
 * catalog's prices per written host, and the power line follows each host's watts; an
 * unknown model name, a model on another rule type and two models for one zone are
 * errors naming file, line and column. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ks_dataset.h"
#include "model/mdl_cost.h"
#include "model/mdl_plan.h"
#include "model/mdl_rules.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_rules_fx.h"

#define NVM 14
#define NSTEP 24
#define HDR "rule,type,members,target,weight,model\n"

/* Watts idle = max, so a host draws the same whatever its load and the power line is
 * proportional to the summed watts of the hosts. */
static const char *CAT = "model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,"
                         "nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core\n"
                         "big,1,8,1,1000,32,6,1,2,5000,400,400,1\n"
                         "small,1,2,1,1000,8,6,1,1,1500,100,100,1\n";
static const struct {
    const char *name;
    double price, watts;
} PRICES[] = {{"big", 5000, 400}, {"small", 1500, 100}};

static int
setup(void **state)
{
    struct fx *f = rfx_new(CAT);
    f->ds = rfx_sine_ds(NVM, NSTEP, 2, NULL, 500, 0.2);
    *state = f;
    return 0;
}

/* Plan with the rules (the plan's model forced to `model`) into dir/NAME. */
static int
plan(struct fx *f, const char *text, const char *model, const char *name)
{
    struct mdl_policy pol;
    char p[4096];
    mdl_policy_defaults(&pol);
    pol.ha = 1;
    pol.effort = 0.2;
    pol.model = strdup(model);
    mdl_plan_free(f->plan);
    f->plan = NULL;
    int rc = rfx_read_rules(f, text);
    pol.rules = f->rules;
    if (rc == 0)
        rc = mdl_plan_run(f->ds, "t", &pol, f->cat, &f->plan, &f->err);
    snprintf(p, sizeof p, "%s/%s", f->dir, name);
    if (rc == 0)
        rc = mdl_plan_write(f->plan, p, &f->err);
    mdl_policy_fini(&pol);
    return rc;
}

/* From the written files alone: hosts per model in hosts.csv (column 2), and a key of
 * summary.csv. */
struct hosts_seen {
    int n[2];
    double price, watts;
};

static struct hosts_seen
read_hosts(const struct fx *f, const char *name)
{
    struct hosts_seen h = {{0, 0}, 0, 0};
    char p[4096], line[512];
    snprintf(p, sizeof p, "%s/%s/hosts.csv", f->dir, name);
    FILE *in = fopen(p, "r");
    assert_non_null(in);
    assert_non_null(fgets(line, sizeof line, in)); /* header */
    while (fgets(line, sizeof line, in)) {
        char *model = strchr(line, ',') + 1;
        for (int k = 0; k < 2; k++)
            if (strncmp(model, PRICES[k].name, strlen(PRICES[k].name)) == 0 &&
                model[strlen(PRICES[k].name)] == ',') {
                h.n[k]++;
                h.price += PRICES[k].price;
                h.watts += PRICES[k].watts;
            }
    }
    fclose(in);
    return h;
}

static double
summary_num(const struct fx *f, const char *name, const char *key)
{
    char p[4096], line[512];
    snprintf(p, sizeof p, "%s/%s/summary.csv", f->dir, name);
    FILE *in = fopen(p, "r");
    assert_non_null(in);
    double v = NAN;
    size_t n = strlen(key);
    while (fgets(line, sizeof line, in))
        if (strncmp(line, key, n) == 0 && line[n] == ',')
            v = strtod(line + n + 1, NULL);
    fclose(in);
    return v;
}

static int
summary_has(const struct fx *f, const char *name, const char *line_want)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s/summary.csv", f->dir, name);
    char *s = tu_slurp(p, NULL);
    assert_non_null(s);
    int found = strstr(s, line_want) != NULL;
    free(s);
    return found;
}

#define DMZ "dmz,zone,vm00;vm01;vm02;vm03;vm04;vm05,dmz,,"

static void
dmz_on_small_model(void **state)
{
    struct fx *f = *state;
    /* the same zone on the plan's big model, then on a small model of its own */
    assert_int_equal(plan(f, HDR DMZ "\n", "big", "same"), 0);
    size_t dmz_same = f->plan->rules->zone[1].hosts;
    double power_same = f->plan->tco.plan.y[1][MDL_COST_POWER];
    struct hosts_seen hs = read_hosts(f, "same");
    assert_int_equal(hs.n[1], 0);
    assert_int_equal(plan(f, HDR DMZ "small\n", "big", "own"), 0);
    const struct mdl_rules_result *res = f->plan->rules;
    size_t dmz_own = res->zone[1].hosts, unz_own = res->zone[0].hosts;
    /* 6 VMs of up to 600 MHz: one big host (+ spare) holds them, a 2,000 MHz one does not */
    assert_true(dmz_own > dmz_same);
    struct hosts_seen ho = read_hosts(f, "own");
    assert_int_equal(ho.n[1], (int)dmz_own);      /* every DMZ host is a small one */
    assert_int_equal(ho.n[0], (int)unz_own);      /* the others big */
    assert_true(summary_num(f, "own", "zone_dmz_hosts") == (double)dmz_own);
    assert_true(summary_has(f, "own", "\nzone_dmz_model,small\n"));
    assert_true(summary_has(f, "own", "\nzone_unzoned_model,big\n"));
    assert_true(summary_has(f, "same", "\nzone_dmz_model,big\n"));
    /* capex of the hosts: the catalog's price of every host written, by its model */
    assert_true(fabs(summary_num(f, "own", "capex_hosts") - ho.price) < 0.01);
    assert_true(fabs(summary_num(f, "same", "capex_hosts") - hs.price) < 0.01);
    /* power: proportional to the summed watts of the hosts (idle = max watts) */
    double power_own = f->plan->tco.plan.y[1][MDL_COST_POWER];
    assert_true(fabs(power_own / ho.watts - power_same / hs.watts) < 1e-9 * power_own);
    /* placement.csv names each DMZ VM's host model */
    char p[4096];
    snprintf(p, sizeof p, "%s/own/placement.csv", f->dir);
    char *pl = tu_slurp(p, NULL);
    assert_non_null(strstr(pl, "\nvm00,host"));
    assert_non_null(strstr(strstr(pl, "\nvm00,host") + 1, ",small\n"));
    assert_non_null(strstr(strstr(pl, "\nvm06,host") + 1, ",big\n"));
    free(pl);
}

static void
bad_models(void **state)
{
    struct fx *f = *state;
    assert_int_equal(plan(f, HDR "dmz,zone,vm00;vm01,dmz,,nosuch\n", "big", "x"), -EINVAL);
    assert_non_null(strstr(f->err.msg, "rules.csv:2: column 'model': zone dmz: no host model "
                                       "'nosuch' in the catalog"));
    assert_null(f->plan);
    assert_int_equal(plan(f, HDR "a,anti-affinity,vm00;vm01,,,small\n"
                                 "d1,zone,vm02,dmz,,small\n"
                                 "d2,zone,vm03,dmz,,big\n",
                          "big", "x"),
                     -EINVAL);
    assert_non_null(strstr(f->err.msg, "rules.csv:2: column 'model': rule 'a': only a zone "
                                       "rule takes a host model"));
    assert_non_null(strstr(f->err.msg, "rules.csv:4: column 'model': zone 'd2': host model "
                                       "'big', but line 3 gives zone dmz model 'small'"));
    /* a VM too big for the zone's model: the rule's line, before any packing */
    tu_write(f->dir, "cat2.csv", "model,sockets,cores_per_socket,threads_per_core,core_MHz,"
                                 "mem_GiB,nic_ports,nic_Gbps,rack_U,price,watts_idle,"
                                 "watts_max,perf_per_core\n"
                                 "big,1,8,1,1000,32,6,1,2,5000,400,400,1\n"
                                 "tiny,1,1,1,500,8,6,1,1,900,80,80,1\n");
    char p[4096];
    snprintf(p, sizeof p, "%s/cat2.csv", f->dir);
    mdl_catalog_free(f->cat);
    assert_int_equal(mdl_catalog_read(p, &f->cat, &f->err), 0);
    assert_int_equal(plan(f, HDR "dmz,zone,vm00,dmz,,tiny\n", "big", "x"), -EINVAL);
    assert_non_null(strstr(f->err.msg, "rules.csv:2: column 'model': zone dmz: host model "
                                       "'tiny' cannot carry it: 'vm00' needs"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dmz_on_small_model, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(bad_models, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
