/*
 * sim_config: INI reading (inih) and validation of the simulation configuration.
 *
 * inih hands us (section, key, value) without a line number, so the file is fed
 * through our own line reader (ini_parse_stream) that counts lines: when the handler
 * runs, the counter is the line of the key. Cross references (a workload's vm and
 * devices) are checked after the whole file is read, with the line where they were set.
 */
#include "simulate/sim_config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ks_ini.h"
#include "simulate/sim_cfgkeys.h"

const char *const sim_mode_names[] = {"native", "emulated", "virtio", "xen-pv",
                                      "passthrough", "sriov", NULL};
const char *const sim_inval_names[] = {"strict", "deferred", "none", "optimistic", NULL};

struct sim_config *
sim_config_new(void)
{
    struct sim_config *c = ks_xcalloc(1, sizeof *c);
    c->duration_s = 10;
    c->warmup_s = 1;
    c->warmup_auto = 1;
    c->replications = 10;
    c->max_replications = 1000;
    c->seed = 1;
    c->max_in_system = 100000;
    c->cores = 8;
    c->core_GHz = 2.5;
    /* Linux EEVDF base slice: 0.75 ms x (1 + log2(min(CPUs, 8))) = 3 ms on 8 or more
     * CPUs (kernel/sched/fair.c, sysctl_sched_base_slice; CFS's sched_min_granularity
     * scaled the same way). */
    c->sched_slice_us = 3000;
    /* shared/reference.md, "I/O virtualization costs". */
    c->iommu.entries = 64;
    c->iommu.levels = 4;
    c->iommu.walk_ns = 90;
    c->iommu.inval = SIM_INV_DEFERRED;
    /* Linux intel-iommu: deferred flush tables of HIGH_WATER_MARK = 250 entries, per
     * CPU since Linux 4.7 (O. Peleg's per-CPU deferred invalidation queues), or 10 ms. */
    c->iommu.batch = 250;
    c->iommu.map_page_cycles = 200; /* CHOSEN: datasets/sim/costs.csv */
    c->iommu.static_page_KiB = 4;
    c->iommu.timeout_ms = 10;
    c->iommu.map_cycles = 4593;
    c->iommu.inval_cycles = 2316;
    c->iommu.viommu_map_cycles = 34969;
    /* "Waiting a few milliseconds before tearing down an IOMMU mapping" (vIOMMU, ATC
     * 2011): the paper's exact figure is not in reference.md; 10 ms mirrors the deferred
     * timer. */
    c->iommu.optimistic_ms = 10;
    c->costs = (struct sim_costs){.exit_cycles = 1400, .io_exit_cycles = 2600,
                                  .devmodel_cycles = 6700, .kick_cycles = 560,
                                  .inject_cycles = 1556, .grant_cycles = 1400,
                                  .copy_cycles_per_KiB = 256, .host_pkt_cycles = 2000,
                                  .host_req_cycles = 5000};
    return c;
}

void
sim_config_free(struct sim_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ndev; i++) {
        free(c->dev[i].name);
        free(c->dev[i].origin);
        sim_dist_fini(&c->dev[i].service);
        sim_dist_fini(&c->dev[i].write_service);
        sim_dist_fini(&c->dev[i].seek);
        sim_dist_fini(&c->dev[i].rotation);
    }
    for (size_t i = 0; i < c->nvm; i++) {
        free(c->vm[i].name);
        sim_dist_fini(&c->vm[i].cpu_burst);
    }
    for (size_t i = 0; i < c->nwl; i++) {
        free(c->wl[i].name);
        free(c->wl[i].vm_name);
        free(c->wl[i].dev_names);
        free(c->wl[i].zipf_cdf);
        sim_dist_fini(&c->wl[i].think);
    }
    free(c->dev);
    free(c->vm);
    free(c->wl);
    free(c->path);
    free(c->dir);
    free(c);
}

size_t
sim_config_add_device(struct sim_config *c, const char *name, enum sim_dev_kind k)
{
    c->dev = ks_xrealloc(c->dev, (c->ndev + 1) * sizeof *c->dev);
    struct sim_device *d = &c->dev[c->ndev];
    memset(d, 0, sizeof *d);
    d->name = ks_xstrdup(name);
    d->kind = k;
    d->service.mean_ns = -1; /* unset: the kind's default applies */
    d->write_service.mean_ns = -1;
    d->seek.mean_ns = d->rotation.mean_ns = -1;
    d->tx_dev = -1;
    return c->ndev++;
}

size_t
sim_config_add_vm(struct sim_config *c, const char *name)
{
    c->vm = ks_xrealloc(c->vm, (c->nvm + 1) * sizeof *c->vm);
    struct sim_vm *v = &c->vm[c->nvm];
    memset(v, 0, sizeof *v);
    v->name = ks_xstrdup(name);
    v->vcpus = 1;
    v->reg_accesses = 4;
    v->notify_suppression = 1;
    v->inval = v->viommu = -1; /* as [iommu] says */
    /* Busy periods between halts: 1 ms mean, exponential. Chosen, not measured: the
     * order of a timer tick or a request's service in a server guest (docs/sim.md). */
    sim_dist_det(&v->cpu_burst, 1e6);
    v->cpu_burst.kind = SIM_D_EXP;
    return c->nvm++;
}

size_t
sim_config_add_workload(struct sim_config *c, const char *name)
{
    c->wl = ks_xrealloc(c->wl, (c->nwl + 1) * sizeof *c->wl);
    struct sim_workload *w = &c->wl[c->nwl];
    memset(w, 0, sizeof *w);
    w->name = ks_xstrdup(name);
    w->vm = -1;
    w->rate_per_s = -1;
    sim_dist_det(&w->think, 0);
    w->size_B = 4096;
    w->read_pct = 100;
    w->pages = 1;
    return c->nwl++;
}

/* ---- reading ------------------------------------------------------------------- */

/* ks_ini setter: one key as the INI reader sees it; the message names section and key
 * (ks_ini_parse adds file and line). */
static int
set_key(void *ctx, const char *section, const char *key, const char *value, int line,
        struct ks_err *err)
{
    struct ks_err e = {0};
    if (sim_cfg_set_line(ctx, section, key, value, line, &e) < 0)
        return ks_errf(err, -EINVAL, "[%s] %s: %s", section, key, e.msg);
    return 0;
}

/* Parse f or text through inih, then the cross-reference checks; on error free
 * everything and return the first error's code (the message is in err). */
static int
read_common(struct sim_config *c, FILE *f, const char *text, struct sim_config **out,
            struct ks_err *err)
{
    int rc = ks_ini_parse(f, text, c->path, "syntax error (expected [section] or key = value)",
                          set_key, c, err);
    if (rc < 0 || (rc = sim_config_finish(c, err)) < 0) {
        sim_config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Directory part of a path ("." for a bare name): empirical CSVs are relative to it. */
static char *
dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? ks_xstrndup(path, (size_t)(slash - path)) : ks_xstrdup(".");
}

int
sim_config_read(const char *path, struct sim_config **out, struct ks_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return ks_errf(err, -EISDIR, "%s: is a directory, not a configuration file", path);
    FILE *f = fopen(path, "r");
    if (!f)
        return ks_errf(err, -errno, "%s: %s", path, strerror(errno));
    struct sim_config *c = sim_config_new();
    c->path = ks_xstrdup(path);
    c->dir = dir_of(path);
    int rc = read_common(c, f, NULL, out, err);
    fclose(f);
    return rc;
}

int
sim_config_read_string(const char *text, const char *name, struct sim_config **out,
                       struct ks_err *err)
{
    struct sim_config *c = sim_config_new();
    c->path = ks_xstrdup(name);
    c->dir = dir_of(name);
    return read_common(c, NULL, text, out, err);
}

int
sim_config_set(struct sim_config *c, const char *section, const char *key, const char *value,
               struct ks_err *err)
{
    return set_key(c, section, key, value, 0, err);
}

/* ---- checks after reading ------------------------------------------------------ */

/* Defaults of each device kind (docs/sim.md gives the sources). */
static int
device_defaults(struct sim_config *c, struct sim_device *d, struct ks_err *err)
{
    static const int servers[] = {1, 4, 1, 1};
    if (d->servers == 0)
        d->servers = servers[d->kind];
    if (d->kind == SIM_DEV_GENERIC && d->service.mean_ns < 0)
        return ks_errf(err, -EINVAL, "%s:%d: [device %s] service: missing (generic devices "
                       "need a service distribution)", c->path, d->line, d->name);
    if (d->kind == SIM_DEV_SSD && d->service.mean_ns < 0) {
        sim_dist_det(&d->service, 85e3); /* Intel P4500, 4 KiB random read */
        if (d->write_service.mean_ns < 0)
            sim_dist_det(&d->write_service, 20e3); /* same table: random write */
        /* Lenovo's P4500 product guide, 2 TB: sequential 3.2 GB/s read, 1.05 GB/s
         * write (datasets/sim/costs.csv) */
        if (d->bandwidth_MBps == 0)
            d->bandwidth_MBps = 3200;
        if (d->write_bandwidth_MBps == 0)
            d->write_bandwidth_MBps = 1050;
    }
    if (d->write_bandwidth_MBps == 0)
        d->write_bandwidth_MBps = d->bandwidth_MBps;
    if (d->kind == SIM_DEV_HDD) {
        /* WD Ultrastar HC310: 7.4 ms average read seek, 4.16 ms average rotation;
         * both drawn uniform on [0, 2 x mean]. */
        if (d->seek.mean_ns < 0)
            d->seek = (struct sim_dist){.kind = SIM_D_UNIF, .mean_ns = 7.4e6, .b = 14.8e6};
        if (d->rotation.mean_ns < 0)
            d->rotation = (struct sim_dist){.kind = SIM_D_UNIF, .mean_ns = 4.16e6,
                                            .b = 8.32e6};
        if (d->transfer_MBps == 0)
            d->transfer_MBps = 200;
    }
    if (d->kind == SIM_DEV_NIC) {
        if (d->line_rate_Gbps == 0)
            d->line_rate_Gbps = 10;
        if (d->mtu_B == 0)
            d->mtu_B = 1500;
    }
    if (d->coalesce == 0)
        d->coalesce = 1;
    return 0;
}

/* A NIC's link is full duplex: each gets a second device, "NAME/tx", for the frames
 * it sends; the configured device carries what it receives. Added once, after the
 * defaults, so it copies the finished line rate and MTU. */
static void
add_tx_links(struct sim_config *c)
{
    size_t n = c->ndev;
    for (size_t i = 0; i < n; i++) {
        if (c->dev[i].kind != SIM_DEV_NIC || c->dev[i].tx_dev >= 0)
            continue;
        char *name = ks_xasprintf("%s/tx", c->dev[i].name);
        size_t t = sim_config_add_device(c, name, SIM_DEV_NIC); /* moves c->dev */
        free(name);
        struct sim_device *d = &c->dev[i], *tx = &c->dev[t];
        tx->servers = d->servers;
        tx->line_rate_Gbps = d->line_rate_Gbps;
        tx->mtu_B = d->mtu_B;
        tx->coalesce = d->coalesce;
        tx->coalesce_us = d->coalesce_us;
        tx->line = d->line;
        tx->tx_dev = (int)t; /* a transmit link has no link of its own */
        d->tx_dev = (int)t;
    }
}

int
sim_config_find_device(const struct sim_config *c, const char *name)
{
    for (size_t i = 0; i < c->ndev; i++)
        if (strcmp(c->dev[i].name, name) == 0)
            return (int)i;
    return -1;
}

int
sim_config_find_vm(const struct sim_config *c, const char *name)
{
    for (size_t i = 0; i < c->nvm; i++)
        if (strcmp(c->vm[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* device = A or A,B: resolve each name. */
static int
resolve_devices(struct sim_config *c, struct sim_workload *w, struct ks_err *err)
{
    if (!w->dev_names)
        return ks_errf(err, -EINVAL, "%s:%d: [workload %s] device: missing", c->path, w->line,
                       w->name);
    char *copy = ks_xstrdup(w->dev_names), *save = NULL;
    int rc = 0;
    w->ndev = 0;
    for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int d = sim_config_find_device(c, t);
        if (d < 0 || w->ndev == SIM_MAX_CHAIN) {
            rc = ks_errf(err, -EINVAL, "%s:%d: [workload %s] device: %s '%s'", c->path,
                         w->dev_line, w->name, d < 0 ? "unknown device" : "chain too long at",
                         t);
            break;
        }
        w->dev[w->ndev++] = d;
    }
    free(copy);
    if (rc == 0 && w->ndev == 0)
        rc = ks_errf(err, -EINVAL, "%s:%d: [workload %s] device: empty", c->path, w->dev_line,
                     w->name);
    return rc;
}

/* Zipf(s) over pages: cumulative weights 1/k^s, normalized. */
static void
zipf_cdf(struct sim_workload *w)
{
    free(w->zipf_cdf);
    w->zipf_cdf = ks_xmalloc((size_t)w->pages * sizeof *w->zipf_cdf);
    double s = 0;
    for (long k = 0; k < w->pages; k++)
        w->zipf_cdf[k] = (s += pow((double)(k + 1), -w->zipf_s));
    for (long k = 0; k < w->pages; k++)
        w->zipf_cdf[k] /= s;
}

/* Resolve the vm, require an arrival process, precompute zipf weights, resolve the
 * device chain. */
static int
check_workload(struct sim_config *c, struct sim_workload *w, struct ks_err *err)
{
    if (w->vm_name) {
        w->vm = sim_config_find_vm(c, w->vm_name);
        if (w->vm < 0)
            return ks_errf(err, -EINVAL, "%s:%d: [workload %s] vm: unknown vm '%s'", c->path,
                           w->vm_line, w->name, w->vm_name);
    }
    if (w->arrival != SIM_ARR_CLOSED && w->rate_per_s <= 0)
        return ks_errf(err, -EINVAL, "%s:%d: [workload %s] arrival: missing", c->path, w->line,
                       w->name);
    if (w->access == SIM_ACC_ZIPF)
        zipf_cdf(w);
    return resolve_devices(c, w, err);
}

int
sim_config_finish(struct sim_config *c, struct ks_err *err)
{
    if (!c->warmup_auto && c->warmup_s >= c->duration_s)
        return ks_errf(err, -EINVAL, "%s: [sim] warmup_s (%g) must be below duration_s (%g)",
                       c->path, c->warmup_s, c->duration_s);
    if (c->iommu.ways == 0 || c->iommu.ways > c->iommu.entries)
        c->iommu.ways = c->iommu.entries; /* fully associative */
    if (c->iommu.entries % c->iommu.ways != 0)
        return ks_errf(err, -EINVAL, "%s: [iommu] iotlb_ways: %d does not divide "
                       "iotlb_entries %d", c->path, c->iommu.ways, c->iommu.entries);
    for (size_t i = 0; i < c->ndev; i++)
        if (device_defaults(c, &c->dev[i], err) < 0)
            return -EINVAL;
    add_tx_links(c);
    int sidecores = 0;
    for (size_t i = 0; i < c->nvm; i++)
        sidecores += c->vm[i].sidecore && (c->vm[i].mode == SIM_VIRTIO || c->vm[i].mode == SIM_XENPV);
    if (sidecores >= c->cores)
        return ks_errf(err, -EINVAL, "%s: [vm] backend_poll: %d sidecores leave none of the "
                       "host's %d cores to share", c->path, sidecores, c->cores);
    for (size_t i = 0; i < c->nvm; i++) {
        const struct sim_vm *m = &c->vm[i];
        if (m->cpu_busy_cores >= m->vcpus)
            return ks_errf(err, -EINVAL, "%s:%d: [vm %s] cpu_busy_cores: %g needs fewer busy "
                           "cores than the vm's %d vcpus (its own run queue would grow "
                           "without bound)", c->path, m->cpu_line, m->name, m->cpu_busy_cores,
                           m->vcpus);
    }
    for (size_t i = 0; i < c->nwl; i++)
        if (check_workload(c, &c->wl[i], err) < 0)
            return -EINVAL;
    return 0;
}
