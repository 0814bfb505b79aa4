/* model: the planner on small generated datasets, checked from the dataset's own rows
 * (not the planner's numbers): exactness, HA by killing hosts, NaN gaps, allocation
 * planning, bad input. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ks_dataset.h"
#include "core/ks_table.h"
#include "model/mdl_plan.h"
#include "tests/unit/test_util.h"

#define NVM 10
#define NSTEP 24
#define CAP_MHZ 4000.0
#define CAP_MIB 8192.0

static const char *CAT = "model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,"
                         "nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core\n"
                         "m4,1,4,1,1000,8,6,1,1,2000,100,200,1\n";

static uint64_t rng = 42;
static double
uni(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) * 0x1p-53;
}

/* NVM VMs with day-shaped CPU (peaks at different hours) and steady memory; written
 * with core's writer, read back with core's reader. nan_vm >= 0 gets a gap. */
static char *
make_dataset(int with_samples, int nan_vm, double big_MHz)
{
    struct ks_dataset *ds = ks_dataset_new();
    char name[32];
    for (int v = 0; v < NVM; v++) {
        snprintf(name, sizeof name, "vm%02d", v);
        size_t e = ks_dataset_add_entity(ds, name, "vm");
        ks_inv_set_num(ds, e, "cores", 2);
        ks_inv_set_num(ds, e, "core_MHz", 1000);
        ks_inv_set_num(ds, e, "mem_MiB", 2048);
    }
    for (int t = 0; t < NSTEP && with_samples; t++)
        for (int v = 0; v < NVM; v++) {
            double m[KS_NMETRIC];
            for (int k = 0; k < KS_NMETRIC; k++)
                m[k] = NAN;
            double phase = v * 2.4;
            m[KS_CPU_MHZ] = 600 + 500 * sin(t * 0.26 + phase) + 200 * uni();
            m[KS_MEM_USED_MIB] = 1000 + 100 * v;
            m[KS_NET_RX_KIBPS] = 1000 * uni();
            if (v == 0 && big_MHz > 0)
                m[KS_CPU_MHZ] = big_MHz;
            if (v == nan_vm && t % 5 == 2)
                m[KS_CPU_MHZ] = NAN;
            ks_samples_append(&ds->s, 1700000000 + 300.0 * (t + 1), (uint32_t)v, 300, m);
        }
    ds->has_samples = with_samples;
    char *d = tu_tmpdir();
    struct ks_err err = {0};
    assert_int_equal(ks_dataset_write(ds, d, &err), 0);
    ks_dataset_free(ds);
    return d;
}

struct planned {
    char *dir;
    struct ks_dataset *ds;
    struct mdl_catalog *cat;
    struct mdl_plan *plan;
    struct ks_table placement, summary;
};

static int
plan_it(const char *ds_dir, struct mdl_policy *pol, struct planned *out, struct ks_err *err)
{
    memset(out, 0, sizeof *out);
    out->dir = tu_tmpdir();
    char path[4200];
    tu_write(out->dir, "cat.csv", CAT);
    snprintf(path, sizeof path, "%s/cat.csv", out->dir);
    assert_int_equal(mdl_catalog_read(path, &out->cat, err), 0);
    assert_int_equal(ks_dataset_read(ds_dir, &out->ds, err), 0);
    int rc = mdl_plan_run(out->ds, ds_dir, pol, out->cat, &out->plan, err);
    if (rc < 0)
        return rc;
    snprintf(path, sizeof path, "%s/plan", out->dir);
    assert_int_equal(mdl_plan_write(out->plan, path, err), 0);
    snprintf(path, sizeof path, "%s/plan/placement.csv", out->dir);
    assert_int_equal(ks_table_read(path, NULL, &out->placement, err), 0);
    snprintf(path, sizeof path, "%s/plan/summary.csv", out->dir);
    assert_int_equal(ks_table_read(path, NULL, &out->summary, err), 0);
    return 0;
}

static void
planned_fini(struct planned *p)
{
    mdl_plan_free(p->plan);
    ks_dataset_free(p->ds);
    mdl_catalog_free(p->cat);
    if (p->plan) {
        ks_table_fini(&p->placement);
        ks_table_fini(&p->summary);
    }
    tu_rmrf(p->dir);
    free(p->dir);
}

static const char *
summary(const struct planned *p, const char *key)
{
    for (size_t r = 0; r < p->summary.nrows; r++)
        if (strcmp(ks_table_get(&p->summary, r, 0), key) == 0)
            return ks_table_get(&p->summary, r, 1);
    return NULL;
}

/* Host index (0-based) of every entity from placement.csv ("hostNN"). */
static void
hosts_of(const struct planned *p, int *host)
{
    assert_int_equal(p->placement.nrows, NVM);
    for (size_t r = 0; r < p->placement.nrows; r++) {
        long e = ks_dataset_find(p->ds, ks_table_str(&p->placement, r, "entity"));
        assert_true(e >= 0);
        host[e] = atoi(ks_table_str(&p->placement, r, "host") + 4) - 1;
    }
}

/* Summed CPU and memory of every host at every step, from the sample rows, with the
 * VMs in `down` moved as the caller says (move[e] = new host, or the placement). */
static void
host_sums(const struct planned *p, const int *host, double cpu[][NSTEP], double mem[][NSTEP],
          size_t nh)
{
    memset(cpu, 0, nh * sizeof *cpu);
    memset(mem, 0, nh * sizeof *mem);
    const struct ks_samples *s = &p->ds->s;
    for (size_t r = 0; r < s->nrows; r++) {
        int t = (int)lround((s->time[r] - 1700000000) / 300) - 1;
        double c = s->m[KS_CPU_MHZ][r];
        cpu[host[s->ent[r]]][t] += isnan(c) ? 0 : c;
        mem[host[s->ent[r]]][t] += s->m[KS_MEM_USED_MIB][r];
    }
}

static void
exact_policy(struct mdl_policy *pol)
{
    mdl_policy_defaults(pol);
    pol->headroom_pct = 0;
    pol->ha = 0;
    pol->hv_cpu_pct = 0;
    pol->hv_mem_MiB = 0;
}

static void
test_exact_capacity(void **state)
{
    (void)state;
    char *d = make_dataset(1, -1, 0);
    struct mdl_policy pol;
    struct planned p;
    struct ks_err err = {0};
    exact_policy(&pol);
    assert_int_equal(plan_it(d, &pol, &p, &err), 0);
    int host[NVM];
    double cpu[NVM][NSTEP], mem[NVM][NSTEP];
    hosts_of(&p, host);
    size_t nh = p.plan->nhosts;
    host_sums(&p, host, cpu, mem, nh);
    double top = 0;
    for (size_t h = 0; h < nh; h++)
        for (int t = 0; t < NSTEP; t++) {
            assert_true(cpu[h][t] <= CAP_MHZ);
            assert_true(mem[h][t] <= CAP_MIB);
            top = cpu[h][t] > top ? cpu[h][t] : top;
        }
    assert_true(top > CAP_MHZ * 0.7); /* the hosts are really used */
    assert_string_equal(summary(&p, "planned_by"), "time_series");
    assert_string_equal(summary(&p, "nan_gaps_entities"), "0");
    assert_true(atoi(summary(&p, "hosts")) >= atoi(summary(&p, "lower_bound_hosts")));
    assert_string_equal(summary(&p, "sources"), "10");
    planned_fini(&p);
    mdl_policy_fini(&pol);
    tu_rmrf(d);
    free(d);
}

/* Kill each host in turn: its VMs, first-fit onto the survivors, must stay within the
 * planned capacity (with headroom) at every step. */
static void
test_ha_kill_each_host(void **state)
{
    (void)state;
    char *d = make_dataset(1, -1, 0);
    struct mdl_policy pol;
    struct planned p;
    struct ks_err err = {0};
    mdl_policy_defaults(&pol);
    pol.hv_cpu_pct = 0;
    pol.hv_mem_MiB = 0;
    assert_int_equal(plan_it(d, &pol, &p, &err), 0);
    assert_string_equal(summary(&p, "ha_verified"), "yes");
    assert_string_equal(summary(&p, "ha_spares"), "1");
    double cap_c = CAP_MHZ * 0.8, cap_m = CAP_MIB * 0.8;
    int host[NVM], moved[NVM];
    size_t nh = p.plan->nhosts;
    double cpu[NVM + 1][NSTEP], mem[NVM + 1][NSTEP];
    hosts_of(&p, host);
    for (size_t dead = 0; dead < nh; dead++) {
        memcpy(moved, host, sizeof moved);
        for (int v = 0; v < NVM; v++) {
            if (host[v] != (int)dead)
                continue;
            int placed = 0;
            for (size_t h = 0; h < nh && !placed; h++) {
                if (h == dead)
                    continue;
                moved[v] = (int)h;
                host_sums(&p, moved, cpu, mem, nh);
                placed = 1;
                for (int t = 0; t < NSTEP; t++)
                    placed &= cpu[h][t] <= cap_c && mem[h][t] <= cap_m;
            }
            assert_true(placed);
        }
    }
    planned_fini(&p);
    mdl_policy_fini(&pol);
    tu_rmrf(d);
    free(d);
}

static void
test_nan_gaps_flagged(void **state)
{
    (void)state;
    char *d = make_dataset(1, 3, 0);
    struct mdl_policy pol;
    struct planned p;
    struct ks_err err = {0};
    exact_policy(&pol);
    assert_int_equal(plan_it(d, &pol, &p, &err), 0);
    assert_string_equal(summary(&p, "nan_gaps_entities"), "1");
    planned_fini(&p);
    mdl_policy_fini(&pol);
    tu_rmrf(d);
    free(d);
}

static void
test_inventory_only(void **state)
{
    (void)state;
    char *d = make_dataset(0, -1, 0);
    struct mdl_policy pol;
    struct planned p;
    struct ks_err err = {0};
    exact_policy(&pol);
    assert_int_equal(plan_it(d, &pol, &p, &err), 0);
    assert_string_equal(summary(&p, "planned_by"), "allocation");
    /* 10 VMs of 2 x 1,000 MHz on 4,000 MHz hosts: exactly 2 per host. */
    assert_string_equal(summary(&p, "hosts"), "5");
    assert_string_equal(summary(&p, "lower_bound_hosts"), "5");
    planned_fini(&p);
    pol.cpu_overcommit = 2; /* twice the vCPUs fit */
    assert_int_equal(plan_it(d, &pol, &p, &err), 0);
    assert_string_equal(summary(&p, "hosts"), "3");
    planned_fini(&p);
    mdl_policy_fini(&pol);
    tu_rmrf(d);
    free(d);
}

static void
test_vm_too_big(void **state)
{
    (void)state;
    char *d = make_dataset(1, -1, 9000);
    struct mdl_policy pol;
    struct planned p;
    struct ks_err err = {0};
    exact_policy(&pol);
    assert_int_equal(plan_it(d, &pol, &p, &err), -ERANGE);
    /* Refused before any bound or packing, naming entity, resource, value and model. */
    assert_non_null(strstr(err.msg, "entity 'vm00': CPU demand 9000 MHz"));
    assert_non_null(strstr(err.msg, "4000 MHz"));
    planned_fini(&p);
    mdl_policy_fini(&pol);
    tu_rmrf(d);
    free(d);
}

static void
test_empty_dataset(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    tu_write(d, "inventory.csv", "entity,kind,hostname,cpu_model,sockets,cores,threads,core_MHz,"
                                 "mem_MiB,nic_count,nic_Mbps,disk_count,hypervisor,os,notes\n");
    struct mdl_policy pol;
    struct planned p;
    struct ks_err err = {0};
    exact_policy(&pol);
    assert_true(plan_it(d, &pol, &p, &err) < 0);
    assert_non_null(strstr(err.msg, "empty"));
    planned_fini(&p);
    mdl_policy_fini(&pol);
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_capacity),   cmocka_unit_test(test_ha_kill_each_host),
        cmocka_unit_test(test_nan_gaps_flagged), cmocka_unit_test(test_inventory_only),
        cmocka_unit_test(test_vm_too_big),       cmocka_unit_test(test_empty_dataset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
