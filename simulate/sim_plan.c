/*
 * sim_plan: a configuration for one host of a plan, from measured rates (sim_plan.h).
 *
 * Each VM placed on the host becomes a [vm] (virtio unless the base config defines a
 * [vm] of the same name) with up to two open Poisson workloads:
 *   ENTITY-disk  rate = stat(disk_read_iops + disk_write_iops), size = stat(KiBps) /
 *                rate (4 KiB when unknown), read_pct from the totals, on device "disk"
 *   ENTITY-net   rate = stat(net_rx_pps + net_tx_pps) (or KiBps / 1500 B when packet
 *                counts are missing), size = KiBps / pps, read_pct = the received share
 *                of the mean frames (the NIC's receive side; the rest sends), on "nic"
 * where stat is the p95 or the peak over the VM's samples. Poisson arrivals at the
 * p95 rate are a modelling choice: real bursts within a sample interval are lost.
 */
#include "simulate/sim_plan.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ks_dataset.h"
#include "core/ks_manifest.h"
#include "core/ks_merge.h"
#include "core/ks_table.h"

enum plan_stat { ST_P95, ST_PEAK, ST_MEAN };

/* stat over the entity's samples of a + b (NaN parts count as 0; a row where both
 * are NaN is skipped). NaN when nothing is known. */
static double
series_stat(const struct ks_dataset *ds, size_t ent, enum ks_metric a, enum ks_metric b,
            enum plan_stat st)
{
    size_t n = 0;
    double *v = ks_xmalloc((ds->s.nrows + 1) * sizeof *v);
    for (size_t r = 0; r < ds->s.nrows; r++) {
        if (ds->s.ent[r] != ent)
            continue;
        double x = ks_samples_get(&ds->s, r, a), y = ks_samples_get(&ds->s, r, b);
        if (ks_isnan(x) && ks_isnan(y))
            continue;
        v[n++] = (ks_isnan(x) ? 0 : x) + (ks_isnan(y) ? 0 : y);
    }
    double out = ks_nan();
    if (n && st == ST_P95) {
        out = ks_percentile(v, n, 95);
    } else if (n) {
        out = st == ST_MEAN ? 0 : v[0];
        for (size_t i = 0; i < n; i++)
            out = st == ST_MEAN ? out + v[i] / (double)n : fmax(out, v[i]);
    }
    free(v);
    return out;
}

/* Set a generated key through the same parser as the INI file, so plan-built
 * workloads obey the same checks. */
static void
set(struct sim_config *c, const char *section, const char *key, const char *unit, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.9g%s", v, unit);
    struct ks_err e = {0};
    if (sim_config_set(c, section, key, buf, &e) < 0)
        abort(); /* values built here are always valid */
}

/* A Poisson workload of rate_per_s I/Os of size_B on device dev for VM vm. */
static void
add_workload(struct sim_config *c, const char *vm, const char *suffix, const char *dev,
             double rate_per_s, double size_B, double read_pct, const char *access)
{
    char *name = ks_xasprintf("%s-%s", vm, suffix), *sec = ks_xasprintf("workload %s", name);
    size_t i = sim_config_add_workload(c, name);
    c->wl[i].vm_name = ks_xstrdup(vm);
    c->wl[i].dev_names = ks_xstrdup(dev);
    char arr[64];
    snprintf(arr, sizeof arr, "poisson:%.9g/s", rate_per_s);
    struct ks_err e = {0};
    sim_config_set(c, sec, "arrival", arr, &e);
    set(c, sec, "size", "", round(size_B));
    set(c, sec, "read_pct", "", read_pct);
    /* NIC rings are cyclic (rIOMMU premise); block buffers are scattered. */
    set(c, sec, "pages", "", strcmp(access, "ring") == 0 ? 256 : 1024);
    sim_config_set(c, sec, "access", access, &e);
    free(name);
    free(sec);
}

/* v limited to [lo, hi]; dflt when unknown or not positive. */
static double
clamp(double v, double lo, double hi, double dflt)
{
    return ks_isnan(v) || v <= 0 ? dflt : v < lo ? lo : v > hi ? hi : v;
}

/* The disk and network workloads of one VM (none when the VM shows no I/O). The read
 * share is the mean read IOPS over the mean total IOPS. */
static void
add_vm_workloads(struct sim_config *c, const struct ks_dataset *ds, size_t ent, enum plan_stat st)
{
    const char *name = ks_dataset_entity(ds, ent);
    double iops = series_stat(ds, ent, KS_DISK_READ_IOPS, KS_DISK_WRITE_IOPS, st);
    double dkib = series_stat(ds, ent, KS_DISK_READ_KIBPS, KS_DISK_WRITE_KIBPS, st);
    double rd = series_stat(ds, ent, KS_DISK_READ_IOPS, KS_DISK_READ_IOPS, ST_MEAN) / 2;
    double all = series_stat(ds, ent, KS_DISK_READ_IOPS, KS_DISK_WRITE_IOPS, ST_MEAN);
    double pps = series_stat(ds, ent, KS_NET_RX_PPS, KS_NET_TX_PPS, st);
    double nkib = series_stat(ds, ent, KS_NET_RX_KIBPS, KS_NET_TX_KIBPS, st);
    if (!(iops > 0) && dkib > 0)
        iops = dkib / 4; /* only bytes measured: assume 4 KiB I/Os */
    if (iops > 0)
        add_workload(c, name, "disk", "disk", iops, clamp(dkib * 1024 / iops, 512, 1 << 20, 4096),
                     clamp(100 * rd / all, 0, 100, 100),
                     "uniform");
    if (!(pps > 0) && nkib > 0)
        pps = nkib * 1024 / 1500;
    /* The received share of the frames (of the bytes when packets are not counted):
     * the NIC's link is full duplex, received and sent frames use its two sides. */
    double rx = series_stat(ds, ent, KS_NET_RX_PPS, KS_NET_RX_PPS, ST_MEAN) / 2;
    double net = series_stat(ds, ent, KS_NET_RX_PPS, KS_NET_TX_PPS, ST_MEAN);
    if (!(net > 0)) {
        rx = series_stat(ds, ent, KS_NET_RX_KIBPS, KS_NET_RX_KIBPS, ST_MEAN) / 2;
        net = series_stat(ds, ent, KS_NET_RX_KIBPS, KS_NET_TX_KIBPS, ST_MEAN);
    }
    if (pps > 0)
        add_workload(c, name, "net", "nic", pps, clamp(nkib * 1024 / pps, 46, 65536, 1500),
                     net > 0 && rx >= 0 ? fmin(100, 100 * rx / net) : 100, "ring");
}

/* The VMs placed on host, each checked against the dataset. */
static int
placed_vms(const char *plan_dir, const char *host, const struct ks_dataset *ds, size_t **ents,
           size_t *n, struct ks_err *err)
{
    static const char *const req[] = {"entity", "host", "host_model", NULL};
    char *path = ks_path_join(plan_dir, "placement.csv");
    struct ks_table t;
    int rc = ks_table_read_sheet(path, req, &t, err);
    *n = 0;
    *ents = NULL;
    for (size_t r = 0; rc == 0 && r < t.nrows; r++) {
        if (strcmp(ks_table_str(&t, r, "host") ? ks_table_str(&t, r, "host") : "", host) != 0)
            continue;
        const char *e = ks_table_str(&t, r, "entity");
        long ix = e ? ks_dataset_find(ds, e) : -1;
        if (ix < 0) {
            rc = ks_errf(err, -EINVAL,
                         "%s:%lu: entity: '%s' is not in the dataset(s) given with --dataset",
                         path, t.lines[r], e ? e : "");
            break;
        }
        *ents = ks_xrealloc(*ents, (*n + 1) * sizeof **ents);
        (*ents)[(*n)++] = (size_t)ix;
    }
    if (rc == 0 && *n == 0)
        rc = ks_errf(err, -EINVAL, "%s: host: no entity is placed on '%s'", path, host);
    ks_table_fini(&t);
    free(path);
    return rc;
}

/* hosts.csv (optional): the host's core count. */
static void
host_cores(struct sim_config *c, const char *plan_dir, const char *host)
{
    char *path = ks_path_join(plan_dir, "hosts.csv");
    struct ks_table t;
    struct ks_err e = {0};
    struct stat st;
    if (stat(path, &st) == 0 && ks_table_read_sheet(path, NULL, &t, &e) == 0) {
        for (size_t r = 0; r < t.nrows; r++) {
            const char *h = ks_table_str(&t, r, "host");
            double cores = ks_table_num(&t, r, "cores");
            if (h && strcmp(h, host) == 0 && cores >= 1)
                c->cores = (int)cores;
        }
        ks_table_fini(&t);
    }
    free(path);
}

/* The host's "disk": the plan's shared array when the plan sized one (the device of
 * storage_sim_p95.ini: its drives' service times, data-sheet tails included, and its
 * queues), so a VM's I/O latency comes from the storage it will use; else the kind's
 * default NVMe SSD. A storage_sim_p95.ini that cannot be read is an error: the run
 * would otherwise quietly measure another disk. */
static int
add_disk(struct sim_config *c, const char *plan_dir, struct ks_err *err)
{
    char *path = ks_path_join(plan_dir, "storage_sim_p95.ini");
    struct sim_config *sc = NULL;
    struct stat st;
    int rc = 0, took = 0;
    if (stat(path, &st) == 0 && (rc = sim_config_read(path, &sc, err)) == 0) {
        int a = sim_config_find_device(sc, "array");
        const struct sim_device *ad = a >= 0 ? &sc->dev[a] : NULL;
        /* empirical service times point into the other config: not copied */
        if (ad && ad->service.kind != SIM_D_EMP && ad->write_service.kind != SIM_D_EMP) {
            size_t k = sim_config_add_device(c, "disk", ad->kind); /* moves c->dev */
            struct sim_device *d = &c->dev[k];
            d->servers = ad->servers;
            d->service = ad->service;
            d->write_service = ad->write_service;
            d->origin = ks_xasprintf("the plan's shared array (%s)", path);
            took = 1;
        }
    }
    sim_config_free(sc);
    free(path);
    if (rc == 0 && !took)
        sim_config_add_device(c, "disk", SIM_DEV_SSD);
    return rc;
}

/* ---- compute load ---------------------------------------------------------------- */

/* A number from a plan table's row whose key column equals key; NaN when the file, the
 * row or the value is missing (the tables are optional: older plans lack them). */
static double
plan_lookup(const char *plan_dir, const char *file, const char *keycol, const char *key,
            const char *col)
{
    char *path = ks_path_join(plan_dir, file);
    struct ks_table t;
    struct ks_err e = {0};
    struct stat st;
    double v = ks_nan();
    if (stat(path, &st) == 0 && ks_table_read_sheet(path, NULL, &t, &e) == 0) {
        for (size_t r = 0; r < t.nrows; r++) {
            const char *k = ks_table_str(&t, r, keycol);
            if (k && strcmp(k, key) == 0)
                v = ks_table_num(&t, r, col);
        }
        ks_table_fini(&t);
    }
    free(path);
    return v;
}

struct cpu_pt {
    double time, ref_MHz;
    size_t vm; /* index into the host's entities */
};

static int
cmp_time(const void *a, const void *b)
{
    double x = ((const struct cpu_pt *)a)->time, y = ((const struct cpu_pt *)b)->time;
    return x < y ? -1 : x > y;
}

static int
cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The time step at which the host's summed CPU (reference MHz) is at its p95 (nearest
 * rank) or peak; sets *t and returns 0, or -1 when no VM has a CPU sample. */
static int
load_step(const struct cpu_pt *pt, size_t npt, enum plan_stat st, double *t)
{
    double *sum = ks_xmalloc((npt + 1) * sizeof *sum), *when = ks_xmalloc((npt + 1) * sizeof *when);
    size_t ns = 0;
    for (size_t i = 0; i < npt; i++) {
        if (i == 0 || pt[i].time != pt[i - 1].time) {
            when[ns] = pt[i].time;
            sum[ns++] = 0;
        }
        sum[ns - 1] += pt[i].ref_MHz;
    }
    int rc = -1;
    if (ns > 0) {
        double *sorted = ks_xmalloc(ns * sizeof *sorted);
        memcpy(sorted, sum, ns * sizeof *sorted);
        qsort(sorted, ns, sizeof *sorted, cmp_dbl);
        size_t rank = st == ST_PEAK ? ns - 1 : (size_t)ceil(0.95 * (double)ns) - 1;
        for (size_t i = 0; i < ns && rc < 0; i++)
            if (sum[i] == sorted[rank]) {
                *t = when[i];
                rc = 0;
            }
        free(sorted);
    }
    free(sum);
    free(when);
    return rc;
}

/* Each plan-built VM's compute load: its busy MHz (cpu_MHz) at the time step where the
 * host's sum is at the simulated statistic (so the VMs' loads add up to the plan's host
 * load at p95, not to the larger sum of each VM's own p95), on the planner's reference
 * scale (x cpu_perf from cpu_ratings.csv, 1 when unrated), over the host's reference MHz
 * per core (hosts.csv cpu_capacity_MHz / cores: usable capacity, after the planner's
 * hypervisor overhead). vm[i] is the config index of entity i's VM, -1 when the base
 * CONFIG defines it (its own keys win). */
static void
plan_cpu(struct sim_config *c, const char *plan_dir, const char *host, const struct ks_dataset *ds,
         const size_t *ents, const int *vm, size_t n, enum plan_stat st)
{
    double cap = plan_lookup(plan_dir, "hosts.csv", "host", host, "cpu_capacity_MHz");
    double per_core = cap / (double)c->cores, t;
    if (!(per_core > 0))
        return; /* no capacity known: no compute load rather than a guessed one */
    struct cpu_pt *pt = ks_xmalloc((ds->s.nrows + 1) * sizeof *pt);
    size_t npt = 0;
    for (size_t i = 0; i < n; i++) {
        double perf = plan_lookup(plan_dir, "cpu_ratings.csv", "entity",
                                  ks_dataset_entity(ds, ents[i]), "cpu_perf");
        perf = perf > 0 ? perf : 1;
        for (size_t r = 0; r < ds->s.nrows; r++) {
            double mhz = ds->s.ent[r] == ents[i] ? ks_samples_get(&ds->s, r, KS_CPU_MHZ) : NAN;
            if (!ks_isnan(mhz))
                pt[npt++] = (struct cpu_pt){.time = ds->s.time[r], .ref_MHz = mhz * perf, .vm = i};
        }
    }
    qsort(pt, npt, sizeof *pt, cmp_time);
    if (load_step(pt, npt, st, &t) == 0)
        for (size_t k = 0; k < npt; k++) {
            if (pt[k].time != t || vm[pt[k].vm] < 0)
                continue;
            struct sim_vm *m = &c->vm[vm[pt[k].vm]];
            /* a guest cannot be busier than its vCPUs; keep its own queue stable */
            m->cpu_busy_cores = fmin(pt[k].ref_MHz / per_core, 0.95 * m->vcpus);
        }
    free(pt);
}

/* The base configuration: the user's CONFIG, or the defaults with plan-sized runs. */
static struct sim_config *
base(const char *base_config, struct ks_err *err)
{
    struct sim_config *c = NULL;
    if (base_config)
        return sim_config_read(base_config, &c, err) < 0 ? NULL : c;
    c = sim_config_new();
    /* Shorter than the general defaults: a plan has many hosts to check. */
    c->duration_s = 5;
    c->warmup_s = 0.5;
    c->replications = 5;
    c->path = ks_xstrdup("(plan)");
    c->dir = ks_xstrdup(".");
    return c;
}

/* Dataset, placement, base config, then devices, VMs and workloads; the finished
 * config goes through the same checks as one read from a file. */
int
sim_plan_config(const char *plan_dir, const char *host, char *const *datasets, size_t ndatasets,
                const char *stat, const char *base_config, struct sim_config **out,
                struct ks_err *err)
{
    struct ks_dataset *ds = NULL;
    size_t *ents = NULL, n = 0;
    struct sim_config *c = NULL;
    int rc = ks_manifest_check(plan_dir, err); /* the plan as kasane wrote it, whole */
    if (rc == 0)
        rc = ks_dataset_read_many(datasets, ndatasets, &ds, err); /* as plan reads them */
    if (rc == 0)
        rc = placed_vms(plan_dir, host, ds, &ents, &n, err);
    if (rc == 0 && !(c = base(base_config, err)))
        rc = -EINVAL;
    if (rc == 0) {
        host_cores(c, plan_dir, host);
        if (sim_config_find_device(c, "disk") < 0)
            rc = add_disk(c, plan_dir, err);
        if (sim_config_find_device(c, "nic") < 0)
            sim_config_add_device(c, "nic", SIM_DEV_NIC);
        int *vm = ks_xmalloc((n + 1) * sizeof *vm);
        for (size_t i = 0; i < n; i++) {
            const char *name = ks_dataset_entity(ds, ents[i]);
            vm[i] = -1;
            if (sim_config_find_vm(c, name) < 0) {
                size_t v = sim_config_add_vm(c, name);
                vm[i] = (int)v;
                c->vm[v].mode = SIM_VIRTIO;
                double vcpus = ks_inv_num(ds, ents[i], "cores");
                c->vm[v].vcpus = vcpus >= 1 ? (int)vcpus : 1;
            }
            add_vm_workloads(c, ds, ents[i], strcmp(stat, "peak") == 0 ? ST_PEAK : ST_P95);
        }
        plan_cpu(c, plan_dir, host, ds, ents, vm, n, strcmp(stat, "peak") == 0 ? ST_PEAK : ST_P95);
        free(vm);
        if (rc == 0)
            rc = sim_config_finish(c, err);
    }
    free(ents);
    ks_dataset_free(ds);
    if (rc < 0) {
        sim_config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}
