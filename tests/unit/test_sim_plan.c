/*
 * simulate: building a host's workloads from a plan and a dataset
 * (tests/fixtures/sim/plan, see its README).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "simulate/sim_plan.h"

static char plan[2048], data[4096];
static char *ds1[] = {data}; /* one --dataset argument */

static int
setup(void **state)
{
    (void)state;
    const char *root = getenv("KASANE_ROOT");
    snprintf(plan, sizeof plan, "%s/tests/fixtures/sim/plan", root ? root : ".");
    snprintf(data, sizeof data, "%s/dataset", plan);
    return 0;
}

static const struct sim_workload *
wl(const struct sim_config *c, const char *name)
{
    for (size_t i = 0; i < c->nwl; i++)
        if (strcmp(c->wl[i].name, name) == 0)
            return &c->wl[i];
    fail_msg("no workload %s", name);
    return NULL;
}

static void
test_plan_host_h1(void **state)
{
    (void)state;
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    if (sim_plan_config(plan, "h1", ds1, 1, "p95", NULL, &c, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(c->cores, 32); /* hosts.csv */
    assert_int_equal(c->nvm, 3);
    assert_int_equal(c->nwl, 6);
    /* db1: IOPS 4000/4400/4800 (x2 samples each): p95 4800; 64,000 KiB/s over 4,000
     * IOPS in every sample = 16 KiB; reads 3/4 of the IOPS. */
    const struct sim_workload *d = wl(c, "db1-disk");
    assert_true(d->rate_per_s == 4800);
    assert_true(fabs(d->size_B - 16384) < 1);
    assert_true(fabs(d->read_pct - 75) < 1e-9);
    assert_int_equal(c->vm[d->vm].vcpus, 8);
    assert_int_equal(c->vm[d->vm].mode, SIM_VIRTIO);
    assert_string_equal(c->dev[d->dev[0]].name, "disk");
    assert_int_equal(c->dev[d->dev[0]].kind, SIM_DEV_SSD);
    const struct sim_workload *n = wl(c, "web1-net");
    assert_true(n->rate_per_s == 36000);
    assert_int_equal(n->access, SIM_ACC_RING);
    assert_int_equal(c->dev[n->dev[0]].kind, SIM_DEV_NIC);
    sim_config_free(c);
}

static void
test_plan_base_config_wins(void **state)
{
    (void)state;
    /* A [vm] named like an entity and a device "nic" in CONFIG replace the defaults. */
    char base[4200];
    snprintf(base, sizeof base, "/tmp/kasane-plan-base-%d.ini", (int)getpid());
    FILE *f = fopen(base, "w");
    assert_non_null(f);
    fputs("[sim]\nduration_s = 2\n[vm web1]\nmode = sriov\nvcpus = 3\n"
          "[device nic]\nkind = nic\nline_rate_Gbps = 25\n", f);
    fclose(f);
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    int rc = sim_plan_config(plan, "h1", ds1, 1, "peak", base, &c, &err);
    unlink(base);
    if (rc < 0)
        fail_msg("%s", err.msg);
    const struct sim_workload *n = wl(c, "web1-net");
    assert_int_equal(c->vm[n->vm].mode, SIM_SRIOV);
    assert_int_equal(c->vm[n->vm].vcpus, 3);
    assert_true(c->dev[n->dev[0]].line_rate_Gbps == 25);
    assert_true(c->duration_s == 2);
    sim_config_free(c);
}

static void
test_plan_errors(void **state)
{
    (void)state;
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    assert_true(sim_plan_config(plan, "nohost", ds1, 1, "p95", NULL, &c, &err) < 0);
    assert_non_null(strstr(err.msg, "no entity is placed on 'nohost'"));
    memset(&err, 0, sizeof err);
    assert_true(sim_plan_config("/nonexistent", "h1", ds1, 1, "p95", NULL, &c, &err) < 0);
    assert_non_null(strstr(err.msg, "/nonexistent/placement.csv"));
    assert_null(c);
    /* a dataset directory typed with a trailing slash: no doubled slash in the message */
    char *bad[] = {"/nonexistent/room/"};
    memset(&err, 0, sizeof err);
    assert_true(sim_plan_config(plan, "h1", bad, 1, "p95", NULL, &c, &err) < 0);
    assert_non_null(strstr(err.msg, "/nonexistent/room"));
    assert_null(strstr(err.msg, "//"));
    assert_null(c);
}

/* --dataset takes what plan takes: here the plan fixture's directory, which holds the
 * dataset directory "dataset/" (a directory of datasets, typed as "DIR/"), gives the
 * same workloads as the dataset directory itself. */
static void
test_plan_dataset_dirs(void **state)
{
    (void)state;
    char parent[2100];
    snprintf(parent, sizeof parent, "%s/", plan);
    char *room[] = {parent};
    struct sim_config *a = NULL, *b = NULL;
    struct ks_err err = {0};
    if (sim_plan_config(plan, "h1", ds1, 1, "p95", NULL, &a, &err) < 0 ||
        sim_plan_config(plan, "h1", room, 1, "p95", NULL, &b, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(a->nwl, b->nwl);
    assert_int_equal(a->nvm, b->nvm);
    for (size_t i = 0; i < a->nwl; i++) {
        assert_string_equal(a->wl[i].name, b->wl[i].name);
        assert_true(a->wl[i].rate_per_s == b->wl[i].rate_per_s);
    }
    sim_config_free(a);
    sim_config_free(b);
    /* the same dataset given twice: its entities clash, an error naming both */
    char *twice[] = {data, parent};
    memset(&err, 0, sizeof err);
    assert_true(sim_plan_config(plan, "h1", twice, 2, "p95", NULL, &a, &err) < 0);
    assert_non_null(strstr(err.msg, "is in both"));
}

/* Compute load from the plan (tests/fixtures/sim/plan_cpu/README.md): each VM's
 * reference MHz at the step where the host's sum is at p95 (or peak), over the host's
 * reference MHz per core; the rated VM counts at its rating. The net workload's received
 * share comes from the rx/tx means; a plan without cpu_capacity_MHz has no compute. */
static void
test_plan_compute(void **state)
{
    (void)state;
    char dir[2048], dsdir[4096];
    const char *root = getenv("KASANE_ROOT");
    snprintf(dir, sizeof dir, "%s/tests/fixtures/sim/plan_cpu", root ? root : ".");
    snprintf(dsdir, sizeof dsdir, "%s/dataset", dir);
    char *ds[] = {dsdir};
    static const char *const stats[] = {"p95", "peak"};
    static const double want[] = {0.95, 1.0};
    for (int k = 0; k < 2; k++) {
        struct sim_config *c = NULL;
        struct ks_err err = {0};
        if (sim_plan_config(dir, "h1", ds, 1, stats[k], NULL, &c, &err) < 0)
            fail_msg("%s", err.msg);
        assert_int_equal(c->cores, 4);
        assert_int_equal(c->nvm, 2);
        for (size_t v = 0; v < 2; v++) {
            print_message("  %s: %s asks %.4f cores\n", stats[k], c->vm[v].name,
                          c->vm[v].cpu_busy_cores);
            assert_true(fabs(c->vm[v].cpu_busy_cores - want[k]) < 1e-9);
        }
        sim_config_free(c);
    }
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    if (sim_plan_config(plan, "h1", ds1, 1, "p95", NULL, &c, &err) < 0)
        fail_msg("%s", err.msg);
    for (size_t v = 0; v < c->nvm; v++)
        assert_true(c->vm[v].cpu_busy_cores == 0); /* hosts.csv without capacity */
    /* web1 receives 10,000 and sends 20,000 packets/s: a third of its frames are rx */
    assert_true(fabs(wl(c, "web1-net")->read_pct - 100.0 / 3) < 1e-6); /* %.9g */
    sim_config_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_host_h1),
        cmocka_unit_test(test_plan_base_config_wins),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_plan_dataset_dirs),
        cmocka_unit_test(test_plan_compute),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
