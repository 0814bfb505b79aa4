/* Planning policy: defaults, keys, INI files (see mdl_policy.h). */
#include "model/mdl_policy.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_ini.h"

/* Defaults: the (percentile 100, headroom 20, one HA spare) and, for money,
 * round assumptions stated in docs/model.md. */
void
mdl_policy_defaults(struct mdl_policy *p)
{
    memset(p, 0, sizeof *p);
    p->percentile = 100;
    p->headroom_pct = 20;
    p->ha = 1;
    p->hv_cpu_pct = 10;   /* a hypervisor's own CPU share: assumption, see docs */
    p->hv_mem_MiB = 4096; /* its memory: assumption */
    p->ports = ks_xstrdup("hyperv-cluster");
    p->years = 5;
    /* Money: every figure and its source is in docs/model.md ("Cost defaults"). */
    p->power_price_per_kWh = 0.1032; /* EIA, US commercial average 2008 */
    p->pue = 1.58;                   /* Uptime Institute survey 2023 average */
    p->switch_port_price = 150;      /* assumption */
    p->rack_unit_price_per_year = 100; /* assumption */
    p->source_watts_idle = 225;      /* SPECpower_ssj2008, 2-socket Xeon server */
    p->source_watts_max = 296;
    p->source_upkeep_per_year = 0;   /* support is its own line now */
    p->source_price = 7000;          /* assumption: the 2008 catalog's 1U server */
    p->source_life_years = 5;        /* refresh cycle (TechTarget, IDC) */
    p->source_rack_U = 1;            /* assumption */
    p->support_pct = 10;             /* 10-12% of the price a year */
    p->warranty_years = 3;           /* assumption */
    p->os_per_server = 250;          /* Software Assurance 25% x ~1,000 Windows Standard */
    p->os_per_guest = NAN;           /* guests keep their licences */
    p->licence_maint_pct = 25;       /* Software Assurance on server licences */
    p->admin_hours = 20;             /* assumption */
    p->admin_hour_price = 42.51;     /* BLS OES May 2019 mean wage, no overhead */
    p->migration_hours = 8;          /* assumption */
    p->seed = 1;
    p->effort = 1;
    p->smt_yield = 0.25;       /* datasets/cpu/README.md */
    p->cpu_perf_assumed = 1;   /* stated and flagged per source, docs/model.md */
}

void
mdl_policy_fini(struct mdl_policy *p)
{
    free(p->model);
    free(p->ports);
    free(p->ports_file);
    free(p->licences);
    memset(p, 0, sizeof *p);
}

const char *
mdl_packer_name(enum mdl_packer k)
{
    return k == MDL_PACK_FFD ? "ffd" : k == MDL_PACK_GREEDY ? "greedy" : "search";
}

/* Numeric keys: name, offset, lowest and highest value (a core/ks_ini.h table). */
#define NK(n, f, lo, hi) KS_INI_NUM(struct mdl_policy, n, f, lo, hi)
static const struct ks_ini_num NUMS[] = {
    NK("percentile", percentile, 1, 100),
    NK("headroom", headroom_pct, 0, 95),
    /* Ratios: 0 would plan hosts of no capacity; the default 0 in the struct means "not
     * set" (1), which no one can ask for by a value. */
    NK("cpu-overcommit", cpu_overcommit, 0.01, 1000),
    NK("mem-overcommit", mem_overcommit, 0.01, 1000),
    NK("hv-cpu-pct", hv_cpu_pct, 0, 95),
    NK("hv-mem-MiB", hv_mem_MiB, 0, 1e9),
    NK("step", step_s, 0, 1e9),
    NK("years", years, 0, 100),
    NK("power-price", power_price_per_kWh, 0, 1e6),
    NK("pue", pue, 1, 10),
    NK("switch-port-price", switch_port_price, 0, 1e9),
    NK("rack-unit-price", rack_unit_price_per_year, 0, 1e9),
    NK("source-watts-idle", source_watts_idle, 0, 1e6),
    NK("source-watts-max", source_watts_max, 0, 1e6),
    NK("source-upkeep", source_upkeep_per_year, 0, 1e9),
    NK("source-price", source_price, 0, 1e9),
    NK("source-life-years", source_life_years, 0, 100),
    NK("source-rack-U", source_rack_U, 0, 100),
    NK("support-pct", support_pct, 0, 100),
    NK("warranty-years", warranty_years, 0, 100),
    NK("os-per-server", os_per_server, 0, 1e9),
    NK("os-per-guest", os_per_guest, 0, 1e9),
    NK("licence-maint-pct", licence_maint_pct, 0, 100),
    NK("subscription-per-socket", subscription_per_socket, 0, 1e9),
    NK("admin-hours", admin_hours, 0, 8760),
    NK("admin-hour-price", admin_hour_price, 0, 1e6),
    NK("migration-hours", migration_hours, 0, 8760),
    NK("effort", effort, 0.001, 1000),
    NK("smt-yield", smt_yield, 0, 1),
    NK("cpu-perf-assumed", cpu_perf_assumed, 0.01, 1000),
};
#define NNUMS (sizeof NUMS / sizeof *NUMS)

static int
set_str(char **dst, const char *val)
{
    free(*dst);
    *dst = val[0] ? ks_xstrdup(val) : NULL;
    return 0;
}

static int
set_special(struct mdl_policy *p, const char *key, const char *val, struct ks_err *err)
{
    long l;
    if (strcmp(key, "ha") == 0) {
        if (ks_parse_long(val, &l) < 0 || l < 0 || l > 16)
            return ks_errf(err, -EINVAL, "ha '%s': want 0..16 spare hosts", val);
        p->ha = (int)l;
        return 0;
    }
    if (strcmp(key, "seed") == 0) {
        if (ks_parse_long(val, &l) < 0 || l < 0)
            return ks_errf(err, -EINVAL, "seed '%s': want a non-negative integer", val);
        p->seed = (uint64_t)l;
        return 0;
    }
    if (strcmp(key, "packer") == 0) {
        enum mdl_packer k = MDL_PACK_SEARCH;
        for (; k <= MDL_PACK_GREEDY && strcmp(mdl_packer_name(k), val) != 0; k++)
            ;
        if (k > MDL_PACK_GREEDY)
            return ks_errf(err, -EINVAL, "packer '%s': want search, ffd or greedy", val);
        p->packer = k;
        return 0;
    }
    if (strcmp(key, "model") == 0)
        return set_str(&p->model, val);
    if (strcmp(key, "ports") == 0)
        return set_str(&p->ports, val);
    if (strcmp(key, "ports-file") == 0)
        return set_str(&p->ports_file, val);
    if (strcmp(key, "licences") == 0)
        return set_str(&p->licences, val);
    return ks_errf(err, -ENOENT, "unknown policy key '%s'", key);
}

/* Numbers are range-checked here, so a policy file and a flag fail alike. */
int
mdl_policy_set(struct mdl_policy *p, const char *key, const char *val, struct ks_err *err)
{
    const struct ks_ini_num *e = ks_ini_num_find(NUMS, NNUMS, key);
    if (!e)
        return set_special(p, key, val, err);
    double v;
    if (ks_ini_parse_num(val, e->lo, e->hi, &v) < 0)
        return ks_errf(err, -EINVAL, "%s '%s': want a number in %g..%g", key, val, e->lo, e->hi);
    *ks_ini_num_field(p, e) = v;
    return 0;
}

/* ks_ini setter: sections are ignored (a policy file is flat). */
static int
set_key(void *ctx, const char *section, const char *key, const char *value, int line,
        struct ks_err *err)
{
    (void)section, (void)line;
    return mdl_policy_set(ctx, key, value, err);
}

int
mdl_policy_read(const char *path, struct mdl_policy *p, struct ks_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return ks_errf(err, -ENOENT, "%s: cannot open policy file", path);
    int rc = ks_ini_parse(f, NULL, path, "not a 'key = value' line", set_key, p, err);
    fclose(f);
    return rc;
}

void
mdl_policy_each(const struct mdl_policy *p, void (*put)(void *ctx, const char *k, const char *v),
                void *ctx)
{
    char buf[KS_NUMBUF];
    put(ctx, "model", p->model ? p->model : "");
    for (size_t i = 0; i < NNUMS; i++)
        put(ctx, NUMS[i].name, ks_fmt_double(buf, ks_ini_num_get(p, &NUMS[i])));
    snprintf(buf, sizeof buf, "%d", p->ha);
    put(ctx, "ha", buf);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)p->seed);
    put(ctx, "seed", buf);
    put(ctx, "packer", mdl_packer_name(p->packer));
    put(ctx, "ports", p->ports ? p->ports : "");
    put(ctx, "ports-file", p->ports_file ? p->ports_file : "");
    put(ctx, "licences", p->licences ? p->licences : "");
}
