/*
 * mdl_storage_pol: the storage policy as named keys, so that command-line flags, a
 * policy file and policy.csv all go through one table with one range per key.
 *
 * mdl_storage_policy_set(pol, "rpo_min", "15", err) is what `--rpo-min 15` or a
 * `[storage] rpo_min = 15` line becomes; mdl_storage_policy_rows writes the effective
 * values back as `storage_<key>,value` rows (the prefix keeps them apart from the host
 * plan's percentile, headroom and years). The set accepts the prefixed names too.
 */
#include "model/mdl_storage.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/ks_table.h"

enum pkind { P_DBL, P_BOOL, P_LONG, P_U64 };

/* One policy key: where it lives, its type and its allowed range. nan_ok: the value
 * may be "not given" (written empty; "" or "measured" on input). */
struct pkey {
    const char *name;
    size_t off;
    enum pkind kind;
    double lo, hi;
    int nan_ok;
};

/* Kept on one line: clang-format would spread it over four. */
// clang-format off
#define K(f, kind, lo, hi) {#f, offsetof(struct mdl_storage_policy, f), kind, lo, hi, 0}
// clang-format on

static const struct pkey keys[] = {
    K(percentile, P_DBL, 0, 100),
    K(size_on_peak, P_BOOL, 0, 1),
    K(headroom_pct, P_DBL, 0, 1000),
    K(capacity_headroom_pct, P_DBL, 0, 1000),
    K(size_on_provisioned, P_BOOL, 0, 1),
    K(assumed_GiB_per_disk, P_DBL, 0, 1e9),
    K(assumed_io_KiB, P_DBL, 0.5, 1e6),
    K(growth_pct_per_year, P_DBL, -99, 1000),
    K(years, P_DBL, 0, 100),
    K(spare_every, P_DBL, 0, 1e6),
    K(max_arrays, P_LONG, 1, 1e6),
    K(allow_tiering, P_BOOL, 0, 1),
    K(hot_capacity_pct, P_DBL, 0, 100),
    K(power_price_per_kWh, P_DBL, 0, 1e3),
    K(pue, P_DBL, 1, 10),
    {"daily_change_pct", offsetof(struct mdl_storage_policy, daily_change_pct), P_DBL, 0, 100, 1},
    K(fallback_change_pct, P_DBL, 0, 100),
    K(retention_days, P_DBL, 1, 1e5),
    K(full_every_days, P_DBL, 1, 1e5),
    K(dedup_ratio, P_DBL, 1, 1e4),
    K(backup_MBps, P_DBL, 1e-3, 1e9),
    K(rpo_min, P_DBL, 1e-3, 1e7),
    K(dr_host_pct, P_DBL, 0, 100),
    K(dr_load_pct, P_DBL, 0, 100),
    K(seed, P_U64, 0, 1.8e19),
};
#define NKEYS (sizeof keys / sizeof keys[0])

void
mdl_storage_policy_init(struct mdl_storage_policy *p)
{
    *p = (struct mdl_storage_policy){
        .percentile = 95,
        .headroom_pct = 20,
        .capacity_headroom_pct = 20,
        .assumed_GiB_per_disk = 100,
        .assumed_io_KiB = 16,
        .growth_pct_per_year = 20,
        .years = 3,
        .spare_every = 30,
        .max_arrays = 4,
        .allow_tiering = 1,
        .hot_capacity_pct = 10,
        .power_price_per_kWh = 0.15,
        .pue = 1.6,
        .daily_change_pct = ks_nan(),
        .fallback_change_pct = 2,
        .retention_days = 30,
        .full_every_days = 7,
        .dedup_ratio = 5,
        .backup_MBps = 500,
        .rpo_min = 15,
        .dr_host_pct = 50,
        .dr_load_pct = 50,
        .seed = 1,
    };
}

/* The field of key k in p, as a double (NaN stays NaN). */
static double
get(const struct mdl_storage_policy *p, const struct pkey *k)
{
    const char *f = (const char *)p + k->off;
    switch (k->kind) {
    case P_BOOL:
        return *(const int *)(const void *)f;
    case P_LONG:
        return (double)*(const long *)(const void *)f;
    case P_U64:
        return (double)*(const uint64_t *)(const void *)f;
    default:
        return *(const double *)(const void *)f;
    }
}

static void
put(struct mdl_storage_policy *p, const struct pkey *k, double v)
{
    char *f = (char *)p + k->off;
    switch (k->kind) {
    case P_BOOL:
        *(int *)(void *)f = v != 0;
        break;
    case P_LONG:
        *(long *)(void *)f = (long)v;
        break;
    case P_U64:
        *(uint64_t *)(void *)f = (uint64_t)v;
        break;
    default:
        *(double *)(void *)f = v;
    }
}

static int
check_one(const struct pkey *k, double v, struct ks_err *err)
{
    if (isnan(v) && k->nan_ok)
        return 0;
    if (!(v >= k->lo && v <= k->hi))
        return ks_errf(err, -EINVAL, "storage policy: %s %g is out of range [%g, %g]", k->name, v,
                       k->lo, k->hi);
    if (k->kind != P_DBL && v != floor(v))
        return ks_errf(err, -EINVAL, "storage policy: %s %g is not a whole number", k->name, v);
    return 0;
}

int
mdl_storage_policy_check(const struct mdl_storage_policy *p, struct ks_err *err)
{
    for (size_t i = 0; i < NKEYS; i++) {
        int rc = check_one(&keys[i], get(p, &keys[i]), err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Booleans read as the simulator's INI does: 1/0, true/false, yes/no, on/off. */
static int
parse_bool(const char *s, double *v)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no",
                                                                                "off"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *v = 1, 0;
        if (strcasecmp(s, no[i]) == 0)
            return *v = 0, 0;
    }
    return -EINVAL;
}

int
mdl_storage_policy_set(struct mdl_storage_policy *p, const char *key, const char *value,
                       struct ks_err *err)
{
    if (strncmp(key, "storage_", 8) == 0)
        key += 8;
    for (size_t i = 0; i < NKEYS; i++) {
        const struct pkey *k = &keys[i];
        if (strcmp(key, k->name) != 0)
            continue;
        double v;
        if (k->nan_ok && (!value[0] || strcmp(value, "measured") == 0))
            v = ks_nan();
        else if ((k->kind == P_BOOL ? parse_bool(value, &v) : ks_parse_double(value, &v)) < 0)
            return ks_errf(err, -EINVAL, "storage policy: %s: '%s' is not %s", key, value,
                           k->kind == P_BOOL ? "a boolean (yes/no)" : "a number");
        int rc = check_one(k, v, err);
        if (rc == 0)
            put(p, k, v);
        return rc;
    }
    return ks_errf(err, -EINVAL, "storage policy: unknown key '%s'", key);
}

void
mdl_storage_policy_rows(const struct mdl_storage_policy *p, struct ks_table *t)
{
    char name[64], b[KS_NUMBUF];
    for (size_t i = 0; i < NKEYS; i++) {
        size_t r = ks_table_add_row(t);
        snprintf(name, sizeof name, "storage_%s", keys[i].name);
        ks_table_set(t, r, 0, name);
        ks_table_set(t, r, 1, ks_fmt_double(b, get(p, &keys[i])));
    }
}
