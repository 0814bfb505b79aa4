/*
 * model on real data: the PlanetLab day 2011-03-03 (CloudSim's trace, 1,052 VMs x 288
 * five-minute steps; ../shared/datasets/planetlab) planned on hosts of 4 cores x 2,600
 * MHz and 64 GiB, as in reference.md "Packing anchors".
 *
 * Conversion (done here, with core's dataset writer): files in sorted (C locale) order;
 * VM i gets CloudSim's type i % 4: 2,500 / 2,000 / 1,000 / 500 MIPS taken as MHz, with
 * 870 / 1,740 / 1,740 / 613 MB taken as MiB of memory in use; cpu_MHz = CPU% x MIPS.
 *
 * Checks, all recomputed from the dataset's rows, not from the planner's numbers:
 * every host-step within capacity; hosts <= max(LB + 1, 1.05 LB), LB being the largest
 * step sum over capacity; fewer than a third of what peak-based sizing can need (its
 * own lower bound: summed VM peaks over capacity).
 */
#include <dirent.h>
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

#define STEPS 288
#define CAP_MHZ (4 * 2600.0)
#define CAP_MIB (64 * 1024.0)

static const char *
shared_dir(void)
{
    const char *root = getenv("KASANE_ROOT");
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/../shared/datasets/planetlab/20110303.tar.gz",
             root ? root : ".");
    FILE *f = fopen(buf, "r");
    if (f) {
        fclose(f);
        return buf;
    }
    return "/work/shared/datasets/planetlab/20110303.tar.gz";
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted file names of dir; *n set. */
static char **
list_files(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **v = NULL;
    size_t cap = 0;
    struct dirent *e;
    *n = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            v = ks_xgrow(v, &cap, *n + 1, sizeof *v);
            v[(*n)++] = ks_xstrdup(e->d_name);
        }
    closedir(d);
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

/* One VM file: inventory row and its CPU series into cpu[t * 2000 + entity]. */
static void
add_vm(struct ks_dataset *ds, const char *dir, const char *name, size_t i, double *cpu)
{
    static const double mips[4] = {2500, 2000, 1000, 500}, ram[4] = {870, 1740, 1740, 613};
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t e = ks_dataset_add_entity(ds, name, "vm");
    ks_inv_set_num(ds, e, "cores", 1);
    ks_inv_set_num(ds, e, "core_MHz", mips[i % 4]);
    ks_inv_set_num(ds, e, "mem_MiB", ram[i % 4]);
    for (int t = 0; t < STEPS; t++) {
        double pct = 0;
        assert_int_equal(fscanf(f, "%lf", &pct), 1);
        cpu[t * 2000 + e] = pct / 100 * mips[i % 4];
    }
    fclose(f);
}

/* The dataset directory of the day (converted once per test run). */
static char *
convert(void)
{
    char *tmp = tu_tmpdir(), cmd[8400], src[4200];
    snprintf(cmd, sizeof cmd, "tar xzf '%s' -C '%s'", shared_dir(), tmp);
    assert_int_equal(system(cmd), 0);
    snprintf(src, sizeof src, "%s/20110303", tmp);
    size_t n;
    char **files = list_files(src, &n);
    assert_int_equal(n, 1052);
    struct ks_dataset *ds = ks_dataset_new();
    double *cpu = ks_xcalloc(STEPS * 2000, sizeof *cpu);
    for (size_t i = 0; i < n; i++)
        add_vm(ds, src, files[i], i, cpu);
    for (int t = 0; t < STEPS; t++)
        for (size_t e = 0; e < n; e++) {
            double m[KS_NMETRIC];
            for (int k = 0; k < KS_NMETRIC; k++)
                m[k] = NAN;
            m[KS_CPU_MHZ] = cpu[t * 2000 + e];
            m[KS_MEM_USED_MIB] = ks_inv_num(ds, e, "mem_MiB");
            ks_samples_append(&ds->s, 1299110400 + 300.0 * (t + 1), (uint32_t)e, 300, m);
        }
    ds->has_samples = 1;
    char out[4300];
    snprintf(out, sizeof out, "%s/ds", tmp);
    struct ks_err err = {0};
    assert_int_equal(ks_dataset_write(ds, out, &err), 0);
    ks_dataset_free(ds);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    free(cpu);
    return tmp;
}

static const char *
summary(const struct ks_table *t, const char *key)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (strcmp(ks_table_get(t, r, 0), key) == 0)
            return ks_table_get(t, r, 1);
    return "";
}

static void
test_planetlab_day(void **state)
{
    (void)state;
    char *tmp = convert(), path[4300];
    struct ks_err err = {0};
    struct ks_dataset *ds;
    snprintf(path, sizeof path, "%s/ds", tmp);
    assert_int_equal(ks_dataset_read(path, &ds, &err), 0);
    tu_write(tmp, "cat.csv",
             "model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,nic_ports,"
             "nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core\n"
             "small,1,4,1,2600,64,6,1,1,3000,90,180,1\n");
    struct mdl_catalog *cat;
    snprintf(path, sizeof path, "%s/cat.csv", tmp);
    assert_int_equal(mdl_catalog_read(path, &cat, &err), 0);
    struct mdl_policy pol;
    mdl_policy_defaults(&pol);
    pol.headroom_pct = pol.hv_cpu_pct = pol.hv_mem_MiB = 0;
    pol.ha = 0;
    struct mdl_plan *plan;
    assert_int_equal(mdl_plan_run(ds, "planetlab-20110303", &pol, cat, &plan, &err), 0);
    snprintf(path, sizeof path, "%s/plan", tmp);
    assert_int_equal(mdl_plan_write(plan, path, &err), 0);

    /* Independent recomputation from placement.csv and the sample rows. */
    struct ks_table pl, sm;
    snprintf(path, sizeof path, "%s/plan/placement.csv", tmp);
    assert_int_equal(ks_table_read(path, NULL, &pl, &err), 0);
    snprintf(path, sizeof path, "%s/plan/summary.csv", tmp);
    assert_int_equal(ks_table_read(path, NULL, &sm, &err), 0);
    size_t nent = ks_dataset_nent(ds), hosts = (size_t)atoi(summary(&sm, "hosts"));
    int *host = ks_xmalloc(nent * sizeof *host);
    assert_int_equal(pl.nrows, nent);
    for (size_t r = 0; r < pl.nrows; r++)
        host[ks_dataset_find(ds, ks_table_str(&pl, r, "entity"))] =
            atoi(ks_table_str(&pl, r, "host") + 4) - 1;
    double *hc = ks_xcalloc(hosts * STEPS, sizeof *hc), *hm = ks_xcalloc(hosts * STEPS, sizeof *hm);
    double step_cpu[STEPS] = {0}, step_mem[STEPS] = {0}, *peak = ks_xcalloc(nent, sizeof *peak);
    const struct ks_samples *s = &ds->s;
    for (size_t r = 0; r < s->nrows; r++) {
        int t = (int)lround((s->time[r] - 1299110400) / 300) - 1, h = host[s->ent[r]];
        assert_true(t >= 0 && t < STEPS && h >= 0 && (size_t)h < hosts);
        hc[h * STEPS + t] += s->m[KS_CPU_MHZ][r];
        hm[h * STEPS + t] += s->m[KS_MEM_USED_MIB][r];
        step_cpu[t] += s->m[KS_CPU_MHZ][r];
        step_mem[t] += s->m[KS_MEM_USED_MIB][r];
        peak[s->ent[r]] = fmax(peak[s->ent[r]], s->m[KS_CPU_MHZ][r]);
    }
    for (size_t c = 0; c < hosts * STEPS; c++) {
        assert_true(hc[c] <= CAP_MHZ);
        assert_true(hm[c] <= CAP_MIB);
    }
    double lb = 0, peaks = 0;
    for (int t = 0; t < STEPS; t++)
        lb = fmax(lb, fmax(ceil(step_cpu[t] / CAP_MHZ), ceil(step_mem[t] / CAP_MIB)));
    for (size_t e = 0; e < nent; e++)
        peaks += peak[e];
    double peak_lb = ceil(peaks / CAP_MHZ);
    print_message("planetlab: hosts %zu, lower bound %.0f (planner %s), peak sizing %s "
                  "(its own bound %.0f), %s s\n",
                  hosts, lb, summary(&sm, "lower_bound_hosts"), summary(&sm, "peak_sizing_hosts"),
                  peak_lb, summary(&sm, "elapsed_s"));
    assert_int_equal((size_t)lb, (size_t)atoi(summary(&sm, "lower_bound_hosts")));
    assert_true((double)hosts <= fmax(lb + 1, 1.05 * lb));
    assert_true(3.0 * (double)hosts < peak_lb);
    assert_true(atoi(summary(&sm, "peak_sizing_hosts")) >= peak_lb);

    free(host);
    free(hc);
    free(hm);
    free(peak);
    ks_table_fini(&pl);
    ks_table_fini(&sm);
    mdl_plan_free(plan);
    mdl_catalog_free(cat);
    mdl_policy_fini(&pol);
    ks_dataset_free(ds);
    tu_rmrf(tmp);
    free(tmp);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_planetlab_day)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
