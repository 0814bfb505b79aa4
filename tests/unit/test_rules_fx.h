/* The fixture the placement-rules tests share (header-only, after cmocka.h and
 * test_util.h): a scratch directory with a catalog, a dataset the test builds, the rules
 * read from text, and the plan made with them. */
#ifndef TEST_RULES_FX_H
#define TEST_RULES_FX_H

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

#endif
