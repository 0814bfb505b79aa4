/* The import sink: many sorted runs of random lengths and times, merged into one
 * samples.csv that is sorted by time, holds every row exactly once with its values,
 * and drops (and counts) duplicate (entity, time) rows. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "collect/col_import_int.h"
#include "tests/unit/test_util.h"

#define NENT 300
#define NRUNS 700 /* more runs than entities: some entities get two overlapping runs */

static uint64_t
xs(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* Value of entity e at time t, so any row can be checked after the merge. */
static double
expected(size_t e, double t)
{
    return fmod((double)e * 7.0 + t / 60.0, 100.0);
}

static int nprogress;

static void
on_progress(void *ctx, const struct col_import_progress *p)
{
    (void)ctx;
    assert_true(strcmp(p->phase, "read") == 0 || strcmp(p->phase, "merge") == 0);
    assert_true(p->total == 0 || p->rows <= p->total);
    nprogress++;
}

static void
test_merge_many_runs(void **state)
{
    (void)state;
    struct col_import_opts o;
    struct col_import_report rep = {0};
    struct ks_err err = {0};
    char *d = tu_tmpdir();
    col_import_opts_init(&o);
    o.progress = on_progress;
    struct col_isink *s = col_isink_new(&o, &rep);
    assert_int_equal(col_isink_open(s, d, &err), 0);
    struct ks_dataset *inv = col_isink_ds(s);
    char name[32];
    for (size_t e = 0; e < NENT; e++) {
        snprintf(name, sizeof name, "e%03zu", e);
        ks_dataset_add_entity(inv, name, "vm");
    }
    uint64_t x = 12345;
    unsigned long long put = 0;
    /* last time put per entity: a run of an entity seen before restarts at a time that
     * overlaps the earlier run half of the time (duplicates to drop). */
    double *last = calloc(NENT, sizeof *last);
    unsigned long dups = 0;
    double m[KS_NMETRIC];
    col_metrics_unknown(m);
    for (size_t r = 0; r < NRUNS; r++) {
        size_t e = xs(&x) % NENT, len = xs(&x) % 200;
        double t = last[e] > 0 && xs(&x) % 2 ? last[e] : last[e] + 60;
        col_isink_run(s);
        for (size_t i = 0; i < len; i++, t += 60) {
            if (t <= last[e])
                dups++; /* the sink must drop exactly these */
            m[KS_CPU_PCT] = expected(e, t);
            col_isink_put(s, t, (uint32_t)e, 60, m);
            put++;
        }
        if (t - 60 > last[e])
            last[e] = t - 60;
    }
    assert_int_equal(col_isink_rows(s), put);
    assert_int_equal(col_isink_write(s, d, 1, &err), 0);
    col_isink_free(s);
    assert_true(put > 65536 && nprogress >= 1); /* a long import reports progress */
    assert_int_equal(rep.dups_skipped, dups);
    assert_int_equal(rep.rows, put - dups);

    struct ks_dataset *ds = NULL;
    assert_int_equal(ks_dataset_read(d, &ds, &err), 0); /* also rejects duplicates */
    assert_int_equal(ds->s.nrows, put - dups);
    for (size_t i = 0; i < ds->s.nrows; i++) {
        if (i)
            assert_true(ds->s.time[i] >= ds->s.time[i - 1]);
        assert_true(ks_samples_get(&ds->s, i, KS_CPU_PCT) == expected(ds->s.ent[i], ds->s.time[i]));
    }
    ks_dataset_free(ds);
    free(last);
    col_import_report_fini(&rep);
    tu_rmrf(d);
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_many_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
