/*
 * sim_cfgkeys: every key of the configuration, section by section.
 *
 * Numbers are range-checked here (a negative rate or a zero core count is an error at
 * its line); references between sections are checked in sim_config_finish.
 */
#include "simulate/sim_cfgkeys.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/ks_ini.h"
#include "simulate/sim_stats.h"

/* A number in [lo, hi]; the message names the value (the caller adds the key). */
static int
num(const char *v, double lo, double hi, double *out, struct ks_err *err)
{
    int rc = ks_ini_parse_num(v, lo, hi, out);
    if (rc == -EINVAL)
        return ks_errf(err, -EINVAL, "'%s' is not a number", v);
    if (rc < 0)
        return ks_errf(err, -EINVAL, "%s is out of range [%g, %g]", v, lo, hi);
    return 0;
}

/* An integer in [lo, hi]. */
static int
inum(const char *v, long lo, long hi, int *out, struct ks_err *err)
{
    long x;
    if (ks_parse_long(v, &x) < 0)
        return ks_errf(err, -EINVAL, "'%s' is not an integer", v);
    if (x < lo || x > hi)
        return ks_errf(err, -EINVAL, "%ld is out of range [%ld, %ld]", x, lo, hi);
    *out = (int)x;
    return 0;
}

/* true/false, yes/no, on/off, 1/0, any case. */
static int
boolean(const char *v, int *out, struct ks_err *err)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false",
                                                                                "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = 0, 0;
    }
    return ks_errf(err, -EINVAL, "'%s' is not a boolean (true/false)", v);
}

/* Index of v in a NULL-terminated name list, or an error listing them. */
static int
pick(const char *v, const char *const *names, int *out, struct ks_err *err)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(v, names[i]) == 0)
            return *out = i, 0;
    char list[256] = "";
    for (int i = 0; names[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 names[i]);
    return ks_errf(err, -EINVAL, "unknown value '%s' (one of: %s)", v, list);
}

static int
unknown_key(struct ks_err *err)
{
    return ks_errf(err, -EINVAL, "unknown key");
}

#define IS(k) (strcmp(key, (k)) == 0)

/* [sim]: run length, replications, seed. */
static int
set_sim(struct sim_config *c, const char *key, const char *v, struct ks_err *err)
{
    double x;
    int rc;
    if (IS("duration_s"))
        return num(v, 1e-6, 1e7, &c->duration_s, err);
    if (IS("warmup_s")) {
        c->warmup_auto = strcmp(v, "auto") == 0;
        return c->warmup_auto ? 0 : num(v, 0, 1e7, &c->warmup_s, err);
    }
    if (IS("replications"))
        return inum(v, 1, 100000, &c->replications, err);
    if (IS("precision"))
        return sim_precision_parse(v, &c->precision, err);
    if (IS("max_replications"))
        return inum(v, 2, 100000, &c->max_replications, err);
    if (IS("drain"))
        return boolean(v, &c->drain, err);
    if (IS("max_in_system")) {
        if ((rc = num(v, 1, 1e9, &x, err)) < 0)
            return rc;
        c->max_in_system = (long)x;
        return 0;
    }
    if (IS("seed")) {
        if ((rc = num(v, 0, 1.8e19, &x, err)) < 0)
            return rc;
        c->seed = (uint64_t)x;
        return 0;
    }
    return unknown_key(err);
}

/* [host]: the core pool every VM shares. */
static int
set_host(struct sim_config *c, const char *key, const char *v, struct ks_err *err)
{
    if (IS("cores"))
        return inum(v, 1, 4096, &c->cores, err);
    if (IS("core_GHz"))
        return num(v, 0.01, 100, &c->core_GHz, err);
    if (IS("sched_slice_us"))
        return num(v, 1, 1e6, &c->sched_slice_us, err);
    return unknown_key(err);
}

/* [iommu]: IOTLB geometry, walk cost, invalidation policy and its costs. */
static int
set_iommu(struct sim_config *c, const char *key, const char *v, struct ks_err *err)
{
    int x, rc;
    if (IS("enabled"))
        return boolean(v, &c->iommu.enabled, err);
    if (IS("iotlb_entries"))
        return inum(v, 1, 1 << 20, &c->iommu.entries, err);
    if (IS("iotlb_ways"))
        return inum(v, 0, 1 << 20, &c->iommu.ways, err);
    if (IS("walk_levels"))
        return inum(v, 1, 6, &c->iommu.levels, err);
    if (IS("walk_ns"))
        return num(v, 0, 1e6, &c->iommu.walk_ns, err);
    if (IS("viommu"))
        return boolean(v, &c->iommu.viommu, err);
    if (IS("viommu_walk")) {
        static const char *const walks[] = {"nested", "shadow", NULL};
        return pick(v, walks, &c->iommu.shadow, err);
    }
    if (IS("deferred_batch"))
        return inum(v, 1, 1 << 24, &c->iommu.batch, err);
    if (IS("deferred_timeout_ms"))
        return num(v, 0, 1e6, &c->iommu.timeout_ms, err);
    if (IS("map_cycles"))
        return num(v, 0, 1e9, &c->iommu.map_cycles, err);
    if (IS("inval_cycles"))
        return num(v, 0, 1e9, &c->iommu.inval_cycles, err);
    if (IS("strict_sw_cycles"))
        return num(v, 0, 1e9, &c->iommu.strict_sw_cycles, err);
    if (IS("optimistic_timeout_ms"))
        return num(v, 0, 1e6, &c->iommu.optimistic_ms, err);
    if (IS("viommu_map_cycles"))
        return num(v, 0, 1e9, &c->iommu.viommu_map_cycles, err);
    if (IS("invalidation")) {
        if ((rc = pick(v, sim_inval_names, &x, err)) < 0)
            return rc;
        c->iommu.inval = (enum sim_inval)x;
        c->iommu.inval_set = 1;
        return 0;
    }
    if (IS("map_page_cycles"))
        return num(v, 0, 1e9, &c->iommu.map_page_cycles, err);
    if (IS("static_page_KiB")) {
        if ((rc = inum(v, 4, 1 << 20, &x, err)) < 0)
            return rc;
        if (x != 4 && x != 2048 && x != 1 << 20)
            return ks_errf(err, -EINVAL, "%d: an IOMMU page is 4, 2048 or 1048576 KiB", x);
        c->iommu.static_page_KiB = x;
        return 0;
    }
    return unknown_key(err);
}

/* [costs]: every per-step cycle count can be overridden (defaults: sim_config_new). */
static int
set_costs(struct sim_config *c, const char *key, const char *v, struct ks_err *err)
{
#define COST(n) KS_INI_NUM(struct sim_costs, #n, n, 0, 1e9)
    static const struct ks_ini_num costs[] = {COST(exit_cycles),   COST(io_exit_cycles),
                                              COST(devmodel_cycles), COST(kick_cycles),
                                              COST(inject_cycles), COST(grant_cycles),
                                              COST(copy_cycles_per_KiB), COST(host_pkt_cycles),
                                              COST(host_req_cycles)};
#undef COST
    const struct ks_ini_num *e = ks_ini_num_find(costs, sizeof costs / sizeof *costs, key);
    if (!e)
        return unknown_key(err);
    return num(v, e->lo, e->hi, ks_ini_num_field(&c->costs, e), err);
}

/* Replace a distribution (freeing an empirical table it held). */
static int
dist(const struct sim_config *c, const char *v, struct sim_dist *d, struct ks_err *err)
{
    sim_dist_fini(d);
    return sim_dist_parse(v, c->dir, d, err);
}

/* [device NAME]: the keys of every kind are accepted on every kind; the ones a kind
 * does not use are ignored (a config can switch kind = ssd to hdd and back). */
static int
set_device(struct sim_config *c, struct sim_device *d, const char *key, const char *v,
           struct ks_err *err)
{
    static const char *const kinds[] = {"generic", "ssd", "hdd", "nic", NULL};
    int x, rc;
    if (IS("kind")) {
        if ((rc = pick(v, kinds, &x, err)) < 0)
            return rc;
        d->kind = (enum sim_dev_kind)x;
        return 0;
    }
    if (IS("servers") || IS("queues"))
        return inum(v, 1, 1 << 20, &d->servers, err);
    if (IS("service"))
        return dist(c, v, &d->service, err);
    if (IS("write_service"))
        return dist(c, v, &d->write_service, err);
    if (IS("seek"))
        return dist(c, v, &d->seek, err);
    if (IS("rotation"))
        return dist(c, v, &d->rotation, err);
    if (IS("line_rate_Gbps"))
        return num(v, 1e-6, 1e5, &d->line_rate_Gbps, err);
    if (IS("mtu"))
        return num(v, 46, 65536, &d->mtu_B, err);
    if (IS("coalesce"))
        return num(v, 1, 1e6, &d->coalesce, err);
    if (IS("coalesce_us"))
        return num(v, 0, 1e7, &d->coalesce_us, err);
    if (IS("transfer_MBps"))
        return num(v, 1e-3, 1e7, &d->transfer_MBps, err);
    if (IS("bandwidth_MBps"))
        return num(v, 1e-3, 1e7, &d->bandwidth_MBps, err);
    if (IS("write_bandwidth_MBps"))
        return num(v, 1e-3, 1e7, &d->write_bandwidth_MBps, err);
    return unknown_key(err);
}

/* [vm NAME]: size, virtualization mode and compute load. */
static int
set_vm(const struct sim_config *c, struct sim_vm *m, const char *key, const char *v, int line,
       struct ks_err *err)
{
    int x, rc;
    if (IS("cpu_busy_cores")) {
        m->cpu_line = line;
        return num(v, 0, 4096, &m->cpu_busy_cores, err);
    }
    if (IS("cpu_burst")) {
        if ((rc = dist(c, v, &m->cpu_burst, err)) < 0)
            return rc;
        if (!(m->cpu_burst.mean_ns >= 1))
            return ks_errf(err, -EINVAL, "'%s': a burst needs a mean of at least 1ns", v);
        return 0;
    }
    if (IS("vcpus"))
        return inum(v, 1, 4096, &m->vcpus, err);
    if (IS("posted_interrupts"))
        return boolean(v, &m->posted_interrupts, err);
    if (IS("notify_suppression") || IS("event_idx"))
        return boolean(v, &m->notify_suppression, err);
    if (IS("napi_budget"))
        return inum(v, 0, 1 << 20, &m->napi_budget, err);
    if (IS("backend_poll")) {
        static const char *const polls[] = {"none", "sidecore", NULL};
        return pick(v, polls, &m->sidecore, err);
    }
    if (IS("reg_accesses"))
        return inum(v, 1, 1000, &m->reg_accesses, err);
    /* The guest's own IOMMU policy: one host can run a strict and a deferred guest. */
    if (IS("invalidation"))
        return pick(v, sim_inval_names, &m->inval, err);
    if (IS("viommu"))
        return boolean(v, &m->viommu, err);
    if (IS("mode")) {
        if ((rc = pick(v, sim_mode_names, &x, err)) < 0)
            return rc;
        m->mode = (enum sim_mode)x;
        return 0;
    }
    return unknown_key(err);
}

/* "poisson:800/s", "fixed:1000/s", "closed:iodepth=32". */
static int
arrival(struct sim_workload *w, const char *v, struct ks_err *err)
{
    char *end;
    if (strncmp(v, "closed:iodepth=", 15) == 0) {
        w->arrival = SIM_ARR_CLOSED;
        return inum(v + 15, 1, 1 << 20, &w->iodepth, err);
    }
    int poisson = strncmp(v, "poisson:", 8) == 0;
    if (!poisson && strncmp(v, "fixed:", 6) != 0)
        return ks_errf(err, -EINVAL, "unknown arrival '%s' (poisson:RATE/s, fixed:RATE/s, "
                       "closed:iodepth=N)", v);
    const char *r = v + (poisson ? 8 : 6);
    double rate = strtod(r, &end);
    if (end == r || strcmp(end, "/s") != 0 || !isfinite(rate))
        return ks_errf(err, -EINVAL, "'%s': rate must read like 800/s", v);
    if (rate <= 0)
        return ks_errf(err, -EINVAL, "'%s': rate must be positive", v);
    w->arrival = poisson ? SIM_ARR_POISSON : SIM_ARR_FIXED;
    w->rate_per_s = rate;
    return 0;
}

static int
parse_access(struct sim_workload *w, const char *v, struct ks_err *err)
{
    if (strcmp(v, "uniform") == 0 || strcmp(v, "ring") == 0) {
        w->access = v[0] == 'u' ? SIM_ACC_UNIFORM : SIM_ACC_RING;
        return 0;
    }
    if (strncmp(v, "zipf:", 5) == 0) {
        w->access = SIM_ACC_ZIPF;
        return num(v + 5, 0, 10, &w->zipf_s, err);
    }
    return ks_errf(err, -EINVAL, "unknown access '%s' (uniform, zipf:S, ring)", v);
}

/* [workload NAME]: vm and device are names resolved after the whole file is read
 * (sections may come in any order); their lines are kept for the error message. */
static int
set_workload(struct sim_config *c, struct sim_workload *w, const char *key, const char *v,
             int line, struct ks_err *err)
{
    double x;
    int rc;
    if (IS("vm")) {
        free(w->vm_name);
        w->vm_name = ks_xstrdup(v);
        w->vm_line = line;
        return 0;
    }
    if (IS("device")) {
        free(w->dev_names);
        w->dev_names = ks_xstrdup(v);
        w->dev_line = line;
        return 0;
    }
    if (IS("arrival"))
        return arrival(w, v, err);
    if (IS("access"))
        return parse_access(w, v, err);
    if (IS("think"))
        return dist(c, v, &w->think, err);
    if (IS("feedback_pct"))
        return num(v, 0, 99, &w->feedback_pct, err);
    if (IS("read_pct"))
        return num(v, 0, 100, &w->read_pct, err);
    if (IS("stack_cycles"))
        return num(v, 0, 1e9, &w->stack_cycles, err);
    if (IS("pages")) {
        if ((rc = num(v, 1, 1e8, &x, err)) < 0)
            return rc;
        w->pages = (long)x;
        return 0;
    }
    if (IS("size")) {
        if (sim_parse_bytes(v, &x) < 0 || x < 1 || x > 1e9)
            return ks_errf(err, -EINVAL, "'%s' is not a size in bytes (4KiB, 1500, 64KB)", v);
        w->size_B = x;
        return 0;
    }
    return unknown_key(err);
}

/* Named section: find or create the object called name. */
static void *
named(struct sim_config *c, const char *kind, const char *name, int line)
{
    int found;
    if (strcmp(kind, "device") == 0) {
        if ((found = sim_config_find_device(c, name)) >= 0)
            return &c->dev[found];
        size_t i = sim_config_add_device(c, name, SIM_DEV_GENERIC);
        c->dev[i].line = line;
        return &c->dev[i];
    }
    if (strcmp(kind, "vm") == 0) {
        if ((found = sim_config_find_vm(c, name)) >= 0)
            return &c->vm[found];
        size_t i = sim_config_add_vm(c, name);
        c->vm[i].line = line;
        return &c->vm[i];
    }
    for (size_t i = 0; i < c->nwl; i++)
        if (strcmp(c->wl[i].name, name) == 0)
            return &c->wl[i];
    size_t i = sim_config_add_workload(c, name);
    c->wl[i].line = line;
    return &c->wl[i];
}

/* Dispatch on the section: fixed sections by name, named ones by their first word. */
int
sim_cfg_set_line(struct sim_config *c, const char *section, const char *key, const char *value,
                 int line, struct ks_err *err)
{
    if (strcmp(section, "sim") == 0)
        return set_sim(c, key, value, err);
    if (strcmp(section, "host") == 0)
        return set_host(c, key, value, err);
    if (strcmp(section, "iommu") == 0)
        return set_iommu(c, key, value, err);
    if (strcmp(section, "costs") == 0)
        return set_costs(c, key, value, err);
    const char *sp = strchr(section, ' ');
    char kind[16];
    size_t kl = sp ? (size_t)(sp - section) : 0;
    if (!sp || kl >= sizeof kind || !sp[1])
        return ks_errf(err, -EINVAL, "unknown section (sim, host, iommu, costs, device NAME, "
                       "vm NAME, workload NAME)");
    memcpy(kind, section, kl);
    kind[kl] = '\0';
    const char *name = sp + 1;
    if (strcmp(kind, "device") == 0)
        return set_device(c, named(c, kind, name, line), key, value, err);
    if (strcmp(kind, "vm") == 0)
        return set_vm(c, named(c, kind, name, line), key, value, line, err);
    if (strcmp(kind, "workload") == 0)
        return set_workload(c, named(c, kind, name, line), key, value, line, err);
    return ks_errf(err, -EINVAL, "unknown section (sim, host, iommu, costs, device NAME, "
                   "vm NAME, workload NAME)");
}
