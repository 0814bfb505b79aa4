/*
 * The storage report fixture, built the way `kasane plan` will build it: the report's
 * basic dataset (tests/fixtures/report/basic) with disk columns added by a fixed rule,
 * sized by mdl_storage_size on the bundled array catalog and written by
 * mdl_storage_write into a copy of the basic plan. Used by test_report_storage.c, which
 * also writes the committed fixture tests/fixtures/report_storage/ with it
 * (`test_report_storage --write-fixture DIR`, see that folder's README.md).
 */
#ifndef TEST_REPORT_STORAGE_FX_H
#define TEST_REPORT_STORAGE_FX_H

#include <math.h>

#include "core/ks_dataset.h"
#include "model/mdl_storage.h"
#include "test_util.h"

/* Disk demand of server i (0-based, basic fixture order) at step k of 96 (15 min):
 * the databases are steady readers, web servers follow their CPU bump, batch01 writes
 * hard from 01:00 to 04:00 (the nightly batch), the idle pair does next to nothing.
 * out: read IOPS, write IOPS; KiB/s at 16 KiB (reads) and 32 KiB (writes) per I/O. */
static inline void
fx_disk(size_t i, size_t k, double *r_iops, double *w_iops)
{
    double h = (double)k * 0.25, wobble = (double)((k * 13 + i * 7) % 9) - 4;
    if (i < 4)
        *r_iops = 120 + 400 * exp(-pow(h - 15 - (double)i, 2) / 8), *w_iops = 40 + wobble;
    else if (i < 6)
        *r_iops = 900 + 150 * sin(h * 0.26) + 5 * wobble, *w_iops = 350 + 8 * wobble;
    else if (i == 6)
        *r_iops = 30, *w_iops = h >= 1 && h < 4 ? 2400 + 20 * wobble : 25;
    else
        *r_iops = 5, *w_iops = 3;
}

/* The basic dataset with disk metrics on every sample and disk_used_GiB /
 * disk_provisioned_GiB in the inventory. */
static inline struct ks_dataset *
fx_storage_dataset(const char *root)
{
    char *dir = ks_xasprintf("%s/tests/fixtures/report/basic/dataset", root);
    struct ks_dataset *ds = NULL;
    struct ks_err err = {0};
    if (ks_dataset_read(dir, &ds, &err) < 0)
        abort();
    free(dir);
    struct ks_samples old = ds->s, *s = &ds->s;
    memset(s, 0, sizeof *s);
    for (size_t r = 0; r < old.nrows; r++) {
        double m[KS_NMETRIC], t0 = 1767225600, rd, wr;
        for (int j = 0; j < KS_NMETRIC; j++)
            m[j] = ks_samples_get(&old, r, (enum ks_metric)j);
        fx_disk(old.ent[r], (size_t)llround((old.time[r] - t0) / 900), &rd, &wr);
        m[KS_DISK_READ_IOPS] = rd, m[KS_DISK_WRITE_IOPS] = wr;
        m[KS_DISK_READ_KIBPS] = 16 * rd, m[KS_DISK_WRITE_KIBPS] = 32 * wr;
        ks_samples_append(s, old.time[r], old.ent[r], old.interval_s[r], m);
    }
    ks_samples_fini(&old);
    for (size_t i = 0; i < ks_dataset_nent(ds); i++) {
        double used = i < 4 ? 80 : i < 6 ? 1500 : i == 6 ? 400 : 40;
        ks_inv_set_num(ds, i, "disk_used_GiB", used);
        ks_inv_set_num(ds, i, "disk_provisioned_GiB", used * 2);
    }
    return ds;
}

/* Copy the basic plan's files into plan_dir (which exists). */
static inline void
fx_copy_plan(const char *root, const char *plan_dir)
{
    static const char *const files[] = {"placement.csv", "hosts.csv", "summary.csv", "models.csv",
                                        "licences.csv",  "ports.csv", "policy.csv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *p = ks_xasprintf("%s/tests/fixtures/report/basic/plan/%s", root, files[i]);
        char *text = tu_slurp(p, NULL);
        if (!text)
            abort();
        tu_write(plan_dir, files[i], text);
        free(text);
        free(p);
    }
}

/* dir/dataset and dir/plan (created): the dataset, the basic plan and its storage files
 * sized with the default policy on catalog (a path as it should appear in storage.csv,
 * relative to the working directory). The DR site: 3 primary hosts at 24,000 each (the
 * basic plan's capex_hosts / hosts). Returns 0 or aborts the test. */
static inline int
fx_storage_write(const char *root, const char *catalog, const char *dir)
{
    struct ks_dataset *ds = fx_storage_dataset(root);
    struct ks_err err = {0};
    char *dsdir = ks_xasprintf("%s/dataset", dir), *plan = ks_xasprintf("%s/plan", dir);
    struct mdl_array_catalog *cat = NULL;
    struct mdl_storage_plan *sp = NULL;
    struct mdl_storage_policy pol;
    struct ks_grid g;
    mdl_storage_policy_init(&pol);
    if (ks_dataset_write(ds, dsdir, &err) < 0 || mkdir(plan, 0777) != 0 ||
        mdl_array_catalog_read(catalog, &cat, &err) < 0 ||
        ks_grid_build(ds, 0, KS_AGG_MAX, 0, &g, &err) < 0) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        abort();
    }
    fx_copy_plan(root, plan);
    if (mdl_storage_size(ds, &g, &pol, cat, &sp, &err) < 0) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        abort();
    }
    mdl_storage_dr_cost(sp, 3, 24000);
    int rc = mdl_storage_write(sp, plan, &err);
    if (rc < 0)
        fprintf(stderr, "fixture: %s\n", err.msg);
    mdl_storage_plan_free(sp);
    mdl_array_catalog_free(cat);
    ks_grid_fini(&g);
    ks_dataset_free(ds);
    free(dsdir);
    free(plan);
    return rc;
}

#endif
