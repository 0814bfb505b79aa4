/* model: pin sets (a pin rule whose target lists several hosts, docs/rules.md): parse
 * errors naming file, line and field; on random estates every member lands on a host of
 * its set, checked from the written placement.csv alone; a set too small for its
 * members makes the small host model ineligible with the reason in models.csv. */
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

#define NSTEP 24
#define HDR "rule,type,members,target,weight\n"

/* m4 holds about four 700 MHz VMs at their peaks; m8 twice that, at a price that makes
 * m4 the one to beat (so the search packs it rather than prune it by cost). */
static const char *CAT = "model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,"
                         "nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core\n"
                         "m4,1,4,1,1000,12,6,1,1,2000,100,200,1\n"
                         "m8,1,8,1,1000,24,6,1,1,9000,120,260,1\n";

static uint64_t
rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static int
setup(void **state)
{
    *state = rfx_new(CAT);
    return 0;
}

static void
reset(struct fx *f)
{
    mdl_plan_free(f->plan);
    mdl_rules_free(f->rules);
    ks_dataset_free(f->ds);
    f->plan = NULL;
    f->rules = NULL;
    f->ds = NULL;
}

static int
read_rules(struct fx *f, const char *text)
{
    return rfx_read_rules(f, text);
}

/* Plan with the rules (model: NULL = search the catalog) and write it to dir/plan. */
static int
plan(struct fx *f, const char *text, int ha, const char *model)
{
    struct mdl_policy pol;
    mdl_policy_defaults(&pol);
    pol.ha = ha;
    pol.effort = 0.2;
    pol.model = model ? strdup(model) : NULL;
    int rc = read_rules(f, text);
    pol.rules = f->rules;
    if (rc == 0)
        rc = mdl_plan_run(f->ds, "t", &pol, f->cat, &f->plan, &f->err);
    char p[4096];
    snprintf(p, sizeof p, "%s/plan", f->dir);
    if (rc == 0)
        rc = mdl_plan_write(f->plan, p, &f->err);
    mdl_policy_fini(&pol);
    return rc;
}

/* Host of entity `name` in dir/plan/placement.csv (read as text, no planner code):
 * "host03", "-", or "" when the entity is missing. */
static void
placed_on(const struct fx *f, const char *name, char *host, size_t n)
{
    char p[4096], line[256];
    snprintf(p, sizeof p, "%s/plan/placement.csv", f->dir);
    FILE *in = fopen(p, "r");
    assert_non_null(in);
    host[0] = 0;
    size_t len = strlen(name);
    while (fgets(line, sizeof line, in))
        if (strncmp(line, name, len) == 0 && line[len] == ',') {
            char *end = strchr(line + len + 1, ',');
            assert_non_null(end);
            *end = 0;
            snprintf(host, n, "%s", line + len + 1);
        }
    fclose(in);
}

/* Is host (e.g. "host02") one of the ';'-separated names in set? */
static int
in_set(const char *host, const char *set)
{
    size_t n = strlen(host);
    for (const char *p = set; *p; p++)
        if ((p == set || p[-1] == ';') && strncmp(p, host, n) == 0 && (!p[n] || p[n] == ';'))
            return 1;
    return 0;
}

/* Bad targets: each a problem naming file, line and the column. */
static void
bad_targets(void **state)
{
    struct fx *f = *state;
    double base[8] = {500, 500, 500, 500, 500, 500, 500, 500};
    f->ds = rfx_sine_ds(8, NSTEP, 4, base, 0, 0.3);
    assert_int_equal(read_rules(f, HDR "a,pin,vm00,host01;rack2,\n"
                                      "b,pin,vm01,host01;;host02,\n"
                                      "c,pin,vm02,host03;host04;host03,\n"
                                      "d,pin,vm03,host01;,\n"),
                     -EINVAL);
    const char *want[] = {
        "rules.csv:2: column 'target': pin 'a': 'rack2' in 'host01;rack2' is not a plan host",
        "rules.csv:3: column 'target': pin 'b': an empty item in 'host01;;host02'",
        "rules.csv:4: column 'target': pin 'c': host03 is listed twice in 'host03;host04;host03'",
        "rules.csv:5: column 'target': pin 'd': an empty item in 'host01;'"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_non_null(strstr(f->err.msg, want[i]));
    assert_non_null(strstr(f->err.msg, "4 problems"));
    /* a member pinned to a set and to another set */
    assert_int_equal(read_rules(f, HDR "a,pin,vm00;vm01,host01;host02,\n"
                                      "b,pin,vm01,host02;host03,\n"
                                      "c,pin,vm02;vm03,host02;host01,\n"),
                     -EINVAL);
    assert_non_null(strstr(f->err.msg, "rules.csv:3: pin 'b': 'vm01' is already pinned to "
                                       "host01;host02 (line 2)"));
    assert_non_null(strstr(f->err.msg, "1 problem ")); /* the same set in another order is fine */
}

/* Random estates, random sets (overlapping), some with a one-host pin among them: every
 * member on a host of its set, the one-host pin on its host, per placement.csv; and
 * rules.csv names the host each member got. */
static void
members_inside_sets(void **state)
{
    struct fx *f = *state;
    uint64_t seed = 2026;
    for (int round = 0; round < 6; round++) {
        int nvm = 18 + (int)(rnd(&seed) % 10);
        double base[32];
        for (int v = 0; v < nvm; v++)
            base[v] = 400 + (double)(rnd(&seed) % 500);
        reset(f);
        f->ds = rfx_sine_ds(nvm, NSTEP, 4, base, 0, 0.3);
        /* sets over host01..host04 (the estates need 4 hosts or more), members drawn
         * without repetition */
        char sets[3][64], text[1024], used[32] = {0};
        int len = snprintf(text, sizeof text, HDR);
        for (int k = 0; k < 3; k++) {
            int a = 1 + (int)(rnd(&seed) % 3), b = a + 1 + (int)(rnd(&seed) % (4 - a));
            snprintf(sets[k], sizeof sets[k], k == 2 ? "host%02d;host%02d;host01" : "host%02d;host%02d",
                     b, a);
            if (k == 2 && (a == 1 || b == 1)) /* no host twice */
                snprintf(sets[k], sizeof sets[k], "host%02d;host%02d", a, b);
            len += snprintf(text + len, sizeof text - (size_t)len, "s%d,pin,", k);
            int nm = 2 + (int)(rnd(&seed) % 3);
            for (int m = 0; m < nm; m++) {
                int v;
                do
                    v = (int)(rnd(&seed) % (unsigned)nvm);
                while (used[v]);
                used[v] = (char)(k + 1);
                len += snprintf(text + len, sizeof text - (size_t)len, "%svm%02d", m ? ";" : "",
                                v);
            }
            len += snprintf(text + len, sizeof text - (size_t)len, ",%s,\n", sets[k]);
        }
        int single = -1;
        for (int v = 0; v < nvm && single < 0; v++)
            single = used[v] ? -1 : v;
        len += snprintf(text + len, sizeof text - (size_t)len, "one,pin,vm%02d,host02,\n", single);
        int rc = plan(f, text, round % 2, "m4");
        if (rc != 0)
            fail_msg("round %d: %s\n%s", round, f->err.msg, text);
        char host[64], name[32];
        for (int v = 0; v < nvm; v++) {
            snprintf(name, sizeof name, "vm%02d", v);
            placed_on(f, name, host, sizeof host);
            if (used[v] && !in_set(host, sets[used[v] - 1]))
                fail_msg("round %d: %s on %s, outside its set %s", round, name, host,
                         sets[used[v] - 1]);
            if (v == single)
                assert_string_equal(host, "host02");
            /* rules.csv (the planner's notes) names the same host */
            char said[128];
            snprintf(said, sizeof said, "%s on %s", name, host);
            if (used[v])
                assert_non_null(strstr(f->plan->rules->out[used[v] - 1].notes, said));
        }
        for (size_t k = 0; k < f->rules->n; k++)
            assert_int_equal(f->plan->rules->out[k].honoured, 1);
    }
}

/* Three members of 2,600 MHz peaks pinned to two hosts: on m4 (4,000 MHz) each needs a
 * host of its own, so m4 cannot keep the set and models.csv says why; m8 can. */
static void
set_too_small(void **state)
{
    struct fx *f = *state;
    double base[10] = {2000, 2000, 2000, 300, 300, 300, 300, 300, 300, 300};
    f->ds = rfx_sine_ds(10, NSTEP, 4, base, 0, 0.3);
    assert_int_equal(plan(f, HDR "lic,pin,vm00;vm01;vm02,host01;host02,\n", 0, NULL), 0);
    char p[4096];
    snprintf(p, sizeof p, "%s/plan/models.csv", f->dir);
    char *models = tu_slurp(p, NULL);
    assert_non_null(models);
    const char *m4 = strstr(models, "\nm4,");
    assert_non_null(m4);
    const char *eol = strchr(m4 + 1, '\n');
    char row[600];
    snprintf(row, sizeof row, "%.*s", (int)(eol ? eol - m4 - 1 : 500), m4 + 1);
    /* by the bound before packing, or by the packing: the rule, the count, the set */
    if (!strstr(row, "pin 'lic': its members need ") ||
        !strstr(row, "3 hosts of this model, more than the 2 of its target host01;host02"))
        fail_msg("m4 row: %s", row);
    assert_non_null(strstr(row, ",0,\"pin 'lic'")); /* eligible 0, then the reason */
    free(models);
    assert_string_equal(f->plan->choices[f->plan->chosen].reason, "");
    char host[64];
    for (int v = 0; v < 3; v++) {
        char name[32];
        snprintf(name, sizeof name, "vm%02d", v);
        placed_on(f, name, host, sizeof host);
        assert_true(in_set(host, "host01;host02"));
    }
    /* with m4 alone the plan fails and says why */
    mdl_plan_free(f->plan);
    f->plan = NULL;
    assert_true(plan(f, HDR "lic,pin,vm00;vm01;vm02,host01;host02,\n", 0, "m4") < 0);
    assert_non_null(strstr(f->err.msg, "pin 'lic': its members need "));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bad_targets, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(members_inside_sets, setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(set_too_small, setup, rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
