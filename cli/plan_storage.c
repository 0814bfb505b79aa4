#include "cli/plan_storage.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/mdl_storage.h"

/* Settings come as key=value; the years, power price and PUE of the host policy
 * apply unless a setting overrides them. */
static int
build_policy(const struct plan_storage_args *a, const struct mdl_plan *pl,
             struct mdl_storage_policy *pol, struct ks_err *err)
{
    mdl_storage_policy_init(pol);
    pol->years = pl->pol.years;
    pol->power_price_per_kWh = pl->pol.power_price_per_kWh;
    pol->pue = pl->pol.pue;
    for (size_t i = 0; i < a->nkv; i++) {
        const char *eq = strchr(a->kv[i], '=');
        if (!eq)
            return ks_errf(err, -EINVAL, "--storage '%s': want KEY=VALUE", a->kv[i]);
        char *key = ks_xstrndup(a->kv[i], (size_t)(eq - a->kv[i]));
        int rc = mdl_storage_policy_set(pol, key, eq + 1, err);
        free(key);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int
append_policy_rows(const struct mdl_storage_policy *pol, const char *dir, struct ks_err *err)
{
    struct ks_table t;
    char *p = ks_path_join(dir, "policy.csv");
    int rc = ks_table_read_sheet(p, NULL, &t, err);
    if (rc == 0) {
        mdl_storage_policy_rows(pol, &t);
        rc = ks_table_write_sheet(&t, p, err);
        ks_table_fini(&t);
    }
    free(p);
    return rc;
}

int
plan_storage_validate(const struct plan_storage_args *a, struct ks_err *err)
{
    struct mdl_storage_policy pol;
    struct mdl_array_catalog *cat = NULL;
    mdl_storage_policy_init(&pol);
    int rc = 0;
    for (size_t i = 0; i < a->nkv && rc == 0; i++) {
        const char *eq = strchr(a->kv[i], '=');
        char *key = eq ? ks_xstrndup(a->kv[i], (size_t)(eq - a->kv[i])) : NULL;
        rc = key ? mdl_storage_policy_set(&pol, key, eq + 1, err)
                 : ks_errf(err, -EINVAL, "--storage '%s': want KEY=VALUE", a->kv[i]);
        free(key);
    }
    if (rc == 0)
        rc = mdl_array_catalog_read(a->catalog_dir, &cat, err);
    mdl_array_catalog_free(cat);
    if (rc < 0)
        ks_err_prefix(err, "storage: ");
    return rc;
}

int
plan_storage_run(const struct plan_storage_args *a, const struct ks_dataset *ds,
                 const struct mdl_plan *pl, const char *out_dir, struct ks_err *err)
{
    struct mdl_array_catalog *cat = NULL;
    struct mdl_storage_plan *sp = NULL;
    struct mdl_storage_policy pol;
    size_t nent = ks_dataset_nent(ds);
    unsigned char *mask = ks_xcalloc(nent ? nent : 1, 1);
    /* Only sources moved onto hosts use the shared array; the plan's entity order is the
     * dataset's. */
    for (size_t e = 0; e < nent && e < pl->nent; e++)
        mask[e] = pl->host_of[e] >= 0;
    int rc = build_policy(a, pl, &pol, err);
    pol.entity_mask = mask;
    if (rc == 0)
        rc = mdl_array_catalog_read(a->catalog_dir, &cat, err);
    /* The plan's own grid (its step, windows keeping their max); none without samples. */
    struct ks_grid g = {0};
    int have_grid = rc == 0 && ds->s.nrows > 0;
    if (have_grid)
        rc = ks_grid_build(ds, pl->step_s, KS_AGG_MAX, 0, &g, err);
    if (rc == 0)
        rc = mdl_storage_size(ds, have_grid ? &g : NULL, &pol, cat, &sp, err);
    ks_grid_fini(&g);
    if (rc == 0) {
        /* DR hosts are a share of the primary's, priced at its mean host (zones may
         * run their own models). */
        double price = 0;
        for (size_t h = 0; h < pl->nhosts; h++) {
            int sockets;
            const struct mdl_model *hm = mdl_plan_host_model(pl, h, &sockets);
            price += mdl_model_price(hm, sockets);
        }
        mdl_storage_dr_cost(sp, (long)pl->nhosts, pl->nhosts ? price / (double)pl->nhosts : 0);
        rc = mdl_storage_write(sp, out_dir, err);
    }
    if (rc == 0)
        rc = append_policy_rows(&pol, out_dir, err);
    if (rc == 0)
        printf("  storage: %.0f IOPS at %s (peak %.0f), %.0f GiB needed, capex %.0f; "
               "DR link %.0f Mbit/s for a %g-minute RPO\n",
               sp->iops_pct, sp->iops_basis, sp->iops_peak, sp->capacity_needed_GiB,
               sp->opt[sp->chosen].capex, sp->dr_bandwidth_Mbps, sp->pol.rpo_min);
    else
        ks_err_prefix(err, "storage: ");
    mdl_storage_plan_free(sp);
    mdl_array_catalog_free(cat);
    free(mask);
    return rc;
}
