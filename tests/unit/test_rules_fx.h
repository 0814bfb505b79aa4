/* The fixture the placement-rules tests share (header-only, after cmocka.h and
 * test_util.h): a scratch directory with a catalog, a dataset the test builds, the rules
 * read from text, and the plan made with them. */
#ifndef TEST_RULES_FX_H
#define TEST_RULES_FX_H

#include <math.h>

#include "core/ks_dataset.h"
#include "model/mdl_plan.h"
#include "model/mdl_rules.h"

struct fx {
    char *dir;
    struct ks_dataset *ds;    /* owned; set by the test or the setup */
    struct mdl_catalog *cat;
    struct mdl_rules *rules;
    struct mdl_plan *plan;
    struct ks_err err;
};

/* nvm VMs vm00.. of `cores` cores at 1,000 MHz and 1 GiB, over nstep 300 s steps: CPU
 * swings +-swing around its mean (base_MHz[v], or mean_MHz for all when base_MHz is
 * NULL), phase shifted by VM, so peaks do not all coincide. */
static inline struct ks_dataset *
rfx_sine_ds(int nvm, int nstep, int cores, const double *base_MHz, double mean_MHz,
            double swing)
{
    struct ks_dataset *ds = ks_dataset_new();
    char name[32];
    for (int v = 0; v < nvm; v++) {
        snprintf(name, sizeof name, "vm%02d", v);
        size_t e = ks_dataset_add_entity(ds, name, "vm");
        ks_inv_set_num(ds, e, "cores", cores);
        ks_inv_set_num(ds, e, "core_MHz", 1000);
        ks_inv_set_num(ds, e, "mem_MiB", 1024);
    }
    for (int t = 0; t < nstep; t++)
        for (int v = 0; v < nvm; v++) {
            double m[KS_NMETRIC];
            for (int k = 0; k < KS_NMETRIC; k++)
                m[k] = NAN;
            double mean = base_MHz ? base_MHz[v] : mean_MHz;
            m[KS_CPU_MHZ] = mean * (1 + swing * sin(t * 0.26 + v * 1.1));
            m[KS_MEM_USED_MIB] = 1024;
            ks_samples_append(&ds->s, 1700000000 + 300.0 * (t + 1), (uint32_t)v, 300, m);
        }
    ds->has_samples = 1;
    return ds;
}

/* A fixture whose catalog is cat_csv (written to DIR/cat.csv and read). */
static inline struct fx *
rfx_new(const char *cat_csv)
{
    struct fx *f = calloc(1, sizeof *f);
    char p[4096];
    f->dir = tu_tmpdir();
    tu_write(f->dir, "cat.csv", cat_csv);
    snprintf(p, sizeof p, "%s/cat.csv", f->dir);
    assert_int_equal(mdl_catalog_read(p, &f->cat, &f->err), 0);
    return f;
}

static inline void
rfx_free(struct fx *f)
{
    mdl_plan_free(f->plan);
    mdl_rules_free(f->rules);
    mdl_catalog_free(f->cat);
    ks_dataset_free(f->ds);
    tu_rmrf(f->dir);
    free(f->dir);
    free(f);
}

/* Rules text -> DIR/rules.csv, read against f->ds; the reader's code (f->rules set on
 * success, f->err cleared first). */
static inline int
rfx_read_rules(struct fx *f, const char *text)
{
    char p[4096];
    tu_write(f->dir, "rules.csv", text);
    snprintf(p, sizeof p, "%s/rules.csv", f->dir);
    mdl_rules_free(f->rules);
    f->rules = NULL;
    ks_err_clear(&f->err);
    return mdl_rules_read(p, f->ds, &f->rules, &f->err);
}

/* cmocka teardown for a fixture in *state. */
static inline int
rfx_teardown(void **state)
{
    rfx_free(*state);
    return 0;
}

#endif
