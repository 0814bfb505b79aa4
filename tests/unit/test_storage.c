/* mdl_storage: RAID penalties to exact drive counts, RPO bandwidth against an independent
 * recomputation, backup arithmetic, shortfall and bad-catalog messages, output files. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ks_table.h"
#include "model/mdl_storage.h"
#include "tests/unit/test_util.h"

static char *
fixture(const char *name)
{
    const char *root = getenv("KASANE_ROOT") ? getenv("KASANE_ROOT") : ".";
    /* Bundled data is named from the root, fixtures by their folder. */
    if (strncmp(name, "datasets/", 9) == 0)
        return ks_xasprintf("%s/%s", root, name);
    return ks_xasprintf("%s/tests/fixtures/storage/%s", root, name);
}

static struct mdl_array_catalog *
load_cat(const char *name)
{
    char *dir = fixture(name);
    struct mdl_array_catalog *c = NULL;
    struct ks_err err = {0};
    if (mdl_array_catalog_read(dir, &c, &err) < 0)
        fail_msg("%s", err.msg);
    free(dir);
    return c;
}

/* Policy for hand computation: no headroom, growth or spares, single tier. */
static void
plain_policy(struct mdl_storage_policy *p)
{
    mdl_storage_policy_init(p);
    p->headroom_pct = 0;
    p->capacity_headroom_pct = 0;
    p->growth_pct_per_year = 0;
    p->spare_every = 0;
    p->allow_tiering = 0;
}

static void
nan_metrics(double *m)
{
    for (int i = 0; i < KS_NMETRIC; i++)
        m[i] = NAN;
}

/* nent entities, nsteps steps of step_s, each entity doing its share of the given
 * estate-wide read/write IOPS (so the sum is exact), 16 KiB per I/O. */
static struct ks_dataset *
flat_estate(size_t nent, size_t nsteps, double step_s, double r, double w, double used_GiB)
{
    struct ks_dataset *ds = ks_dataset_new();
    char name[32];
    for (size_t e = 0; e < nent; e++) {
        snprintf(name, sizeof name, "srv%02zu", e);
        size_t i = ks_dataset_add_entity(ds, name, "physical");
        ks_inv_set_num(ds, i, "disk_used_GiB", used_GiB / (double)nent);
    }
    double m[KS_NMETRIC];
    nan_metrics(m);
    m[KS_DISK_READ_IOPS] = r / (double)nent, m[KS_DISK_WRITE_IOPS] = w / (double)nent;
    m[KS_DISK_READ_KIBPS] = 16 * r / (double)nent, m[KS_DISK_WRITE_KIBPS] = 16 * w / (double)nent;
    for (size_t k = 0; k < nsteps; k++)
        for (size_t e = 0; e < nent; e++)
            ks_samples_append(&ds->s, 1.7e9 + (double)(k + 1) * step_s, (uint32_t)e, step_s, m);
    ds->has_samples = 1;
    return ds;
}

static struct mdl_storage_plan *
size_or_fail(const struct ks_dataset *ds, const struct mdl_storage_policy *p,
             const struct mdl_array_catalog *cat)
{
    struct ks_grid g;
    struct ks_err err = {0};
    struct mdl_storage_plan *sp = NULL;
    if (ks_grid_build(ds, 0, KS_AGG_MAX, 0, &g, &err) < 0)
        fail_msg("%s", err.msg);
    if (mdl_storage_size(ds, &g, p, cat, &sp, &err) < 0)
        fail_msg("%s", err.msg);
    ks_grid_fini(&g);
    return sp;
}

/* What most tests hold: a catalog, an estate, a policy and the plan made from them. */
struct fx {
    struct mdl_array_catalog *cat;
    struct ks_dataset *ds;
    struct mdl_storage_policy p;
    struct mdl_storage_plan *sp;
};

static void
fx_init(struct fx *f, const char *cat, struct ks_dataset *ds)
{
    f->cat = load_cat(cat);
    f->ds = ds;
    plain_policy(&f->p);
    f->sp = NULL;
}

/* (Re)size with the current policy. */
static void
fx_size(struct fx *f)
{
    mdl_storage_plan_free(f->sp);
    f->sp = size_or_fail(f->ds, &f->p, f->cat);
}

static void
fx_fini(struct fx *f)
{
    mdl_storage_plan_free(f->sp);
    ks_dataset_free(f->ds);
    mdl_array_catalog_free(f->cat);
}

/* The simulator config of sp as a string (caller frees). */
static char *
sim_text(const struct mdl_storage_plan *sp, int at_peak)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    assert_int_equal(mdl_storage_sim_ini(sp, at_peak, mf), 0);
    fclose(mf);
    return buf;
}

static void
expect_in(const char *text, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strstr(text, want[i]))
            fail_msg("lacks '%s':\n%s", want[i], text);
}

/* The primary-site option on RAID level raid (single tier). */
static const struct mdl_storage_config *
option(const struct mdl_storage_plan *sp, const char *raid)
{
    for (size_t i = 0; i < sp->nopt; i++)
        if (sp->opt[i].tier[1].drive < 0 &&
            strcmp(sp->cat->raid[sp->opt[i].tier[0].raid].name, raid) == 0)
            return &sp->opt[i];
    fail_msg("no option on %s", raid);
    return NULL;
}

/* 1,000 front-end IOPS at 70/30: back-end 700 + 2x300 = 1,300 (RAID 10), 700 + 4x300 =
 * 1,900 (RAID 5), 700 + 6x300 = 2,500 (RAID 6); 180-IOPS drives: 7.2 -> 8 drives in
 * mirror pairs; 10.6 -> 11 -> 3 groups of 5 = 15; 13.9 -> 14 -> 2 groups of 8 = 16. */
static void
test_raid_penalty_drive_counts(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "penalty", flat_estate(4, 24, 300, 700, 300, 100));
    fx_size(&f);
    assert_true(fabs(f.sp->iops_pct - 1000) < 1e-9 && fabs(f.sp->read_pct - 70) < 1e-9);
    const struct mdl_storage_config *r10 = option(f.sp, "raid10"), *r5 = option(f.sp, "raid5-4+1"),
                                    *r6 = option(f.sp, "raid6-6+2");
    assert_int_equal(r10->tier[0].drives, 8);
    assert_int_equal(r10->tier[0].groups, 4);
    assert_int_equal(r5->tier[0].drives, 15);
    assert_int_equal(r5->tier[0].groups, 3);
    assert_int_equal(r6->tier[0].drives, 16);
    assert_int_equal(r6->tier[0].groups, 2);
    /* Same drive everywhere, free shelves and heads: the fewest drives win. */
    assert_string_equal(f.cat->raid[f.sp->opt[f.sp->chosen].tier[0].raid].name, "raid10");
    assert_true(fabs(f.sp->opt[f.sp->chosen].capex - 800) < 1e-9);

    /* 20% headroom: 1,560 -> 8.7 -> 10 drives; 2,280 -> 12.7 -> 15; one spare per 30. */
    f.p.headroom_pct = 20;
    f.p.spare_every = 30;
    fx_size(&f);
    assert_int_equal(option(f.sp, "raid10")->tier[0].drives, 10);
    assert_int_equal(option(f.sp, "raid5-4+1")->tier[0].drives, 15);
    assert_int_equal(option(f.sp, "raid5-4+1")->tier[0].spares, 1);
    fx_fini(&f);
}

/* 10,000 GiB on 1,000 GB (931.3 GiB) drives: RAID 10 needs 22 drives, RAID 5 4+1 14 ->
 * 15, RAID 6 6+2 15 -> 16: capacity, not IOPS, decides, and RAID 5 wins. */
static void
test_capacity_decides(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "penalty", flat_estate(2, 12, 300, 700, 300, 10000));
    fx_size(&f);
    assert_true(fabs(f.sp->capacity_needed_GiB - 10000) < 1e-6);
    assert_int_equal(option(f.sp, "raid10")->tier[0].drives, 22);
    assert_int_equal(option(f.sp, "raid6-6+2")->tier[0].drives, 16);
    const struct mdl_storage_config *c = &f.sp->opt[f.sp->chosen];
    assert_string_equal(f.cat->raid[c->tier[0].raid].name, "raid5-4+1");
    assert_int_equal(c->tier[0].drives, 15);
    assert_true(c->usable_GiB >= 10000);
    /* Parity RAID: 300 writes x 4 back-end I/Os, half of them reads. */
    char *ini = sim_text(f.sp, 0);
    const char *want[] = {"servers = 15\n",
                          "[workload writes]\nvm = estate\ndevice = array\n"
                          "arrival = poisson:1200/s\nsize = 16384\nread_pct = 50\n"};
    expect_in(ini, want, sizeof want / sizeof *want);
    free(ini);
    /* Growth: 20%/year over 2 years and 25% free space = 10000 x 1.44 x 1.25. */
    f.p.growth_pct_per_year = 20, f.p.years = 2, f.p.capacity_headroom_pct = 25;
    fx_size(&f);
    assert_true(fabs(f.sp->capacity_needed_GiB - 18000) < 1e-6);
    fx_fini(&f);
}

/* 10,000 front-end IOPS at 70/30 on RAID 10 = 13,000 back-end; 20,000 GiB. HDD alone:
 * 130 drives (26,000); SSD alone: capacity 20000 / 465.66 = 42.9 -> 44 (22,000); SSD
 * tier for the I/O and 2,000 GiB -> 4.3 -> 6 SSDs (3,000) over 18,000 GiB on HDD:
 * 18000 / 4656.6 = 3.9 -> 4 HDDs (800): 3,800 wins. */
static void
test_tiered_wins(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "tiered", flat_estate(2, 12, 300, 7000, 3000, 20000));
    f.p.allow_tiering = 1;
    fx_size(&f);
    const struct mdl_storage_config *c = &f.sp->opt[f.sp->chosen];
    assert_int_equal(c->tier[0].drives, 6);
    assert_string_equal(f.cat->drive[c->tier[0].drive].name, "fast");
    assert_int_equal(c->tier[1].drives, 4);
    assert_string_equal(f.cat->drive[c->tier[1].drive].name, "big");
    assert_true(fabs(c->capex - 3800) < 1e-9);
    /* Simulated: the SSD tier only, one queue per drive (10,000 IOPS x 100 us = 1). */
    char *ini = sim_text(f.sp, 1);
    const char *want[] = {"kind = ssd\nservers = 6\nservice = det:100us\n",
                          "write_service = det:100us\n", "arrival = poisson:7000/s\n",
                          "arrival = poisson:6000/s\n"};
    expect_in(ini, want, sizeof want / sizeof *want);
    free(ini);
    assert_int_equal(option(f.sp, "raid10")->tier[0].drives, 44); /* first single: SSD */
    fx_fini(&f);
}

/* A bursty generated estate: 12 servers, 4 hours at 60 s, write bursts at random. */
static struct ks_dataset *
bursty_estate(void)
{
    struct ks_dataset *ds = ks_dataset_new();
    char name[32];
    for (int e = 0; e < 12; e++) {
        snprintf(name, sizeof name, "vm%02d", e);
        ks_dataset_add_entity(ds, name, e == 11 ? "host" : "vm");
    }
    uint64_t x = 0x2545F4914F6CDD1Dull;
    double m[KS_NMETRIC];
    nan_metrics(m);
    for (int k = 0; k < 240; k++)
        for (int e = 0; e < 12; e++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            double u = (double)(x >> 11) / 9007199254740992.0;
            double burst = (k / 20 + e) % 5 == 0 ? 4000 : 0;
            m[KS_DISK_WRITE_KIBPS] = 200 + 800 * u + burst;
            m[KS_DISK_READ_KIBPS] = 500 + 300 * u;
            m[KS_DISK_WRITE_IOPS] = m[KS_DISK_WRITE_KIBPS] / 8;
            m[KS_DISK_READ_IOPS] = m[KS_DISK_READ_KIBPS] / 8;
            ks_samples_append(&ds->s, 1.7e9 + 60.0 * (k + 1), (uint32_t)e, 60, m);
        }
    ds->has_samples = 1;
    return ds;
}

/* Independent recomputation from the raw samples (not the grid): sum the writes per
 * timestamp over entities that are not hosts, then the largest mean of any 15
 * consecutive minutes, by brute force. */
static double
brute_rpo_KiBps(const struct ks_dataset *ds, size_t win)
{
    double sums[240] = {0};
    for (size_t r = 0; r < ds->s.nrows; r++) {
        size_t k = (size_t)((ds->s.time[r] - 1.7e9) / 60) - 1;
        if (strcmp(ks_inv_str(ds, ds->s.ent[r], "kind"), "host") != 0)
            sums[k] += ks_samples_get(&ds->s, r, KS_DISK_WRITE_KIBPS);
    }
    double best = 0;
    for (size_t j = 0; j + win <= 240; j++) {
        double s = 0;
        for (size_t i = j; i < j + win; i++)
            s += sums[i];
        best = fmax(best, s / (double)win);
    }
    return best;
}

static void
test_rpo_bandwidth_matches_brute_force(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "penalty", bursty_estate());
    f.p.rpo_min = 15;
    fx_size(&f);
    double want = brute_rpo_KiBps(f.ds, 15);
    assert_int_equal(f.sp->nent, 11); /* the hypervisor host is not counted twice */
    assert_true(fabs(f.sp->rpo_window_s - 900) < 1e-9);
    assert_true(fabs(f.sp->dr_write_KiBps - want) <= 1e-9 * want);
    assert_true(fabs(f.sp->dr_bandwidth_Mbps - want * 8192 / 1e6) <= 1e-9 * want);
    /* The window average lies between the mean and the peak of the summed series. */
    double peak = 0;
    for (size_t k = 0; k < f.sp->nsteps; k++)
        peak = fmax(peak, f.sp->write_KiBps[k]);
    assert_true(want < peak && want > f.sp->write_KiBps_mean);
    /* Edge windows: shorter than a step -> the peak step; longer than the data -> mean. */
    assert_true(fabs(mdl_storage_rpo_KiBps(f.sp->write_KiBps, f.sp->nsteps, 60, 30) - peak) < 1e-9);
    double all = mdl_storage_rpo_KiBps(f.sp->write_KiBps, f.sp->nsteps, 60, 1e9);
    assert_true(fabs(all - f.sp->write_KiBps_mean) < 1e-9 * all);
    fx_fini(&f);
}

/* The summed-series p95 is not the sum of per-server p95s; check it from raw rows. */
static void
test_p95_of_summed_series(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "penalty", bursty_estate());
    fx_size(&f);
    double tot[240] = {0};
    for (size_t r = 0; r < f.ds->s.nrows; r++)
        if (f.ds->s.ent[r] != 11)
            tot[(size_t)((f.ds->s.time[r] - 1.7e9) / 60) - 1] +=
                ks_samples_get(&f.ds->s, r, KS_DISK_READ_IOPS) +
                ks_samples_get(&f.ds->s, r, KS_DISK_WRITE_IOPS);
    double want = ks_percentile(tot, 240, 95);
    assert_true(fabs(f.sp->iops_pct - want) < 1e-9 * want);
    assert_true(fabs(f.sp->fe_iops_need - want) < 1e-9 * want); /* headroom 0 */
    /* On the peak, with 20 % headroom: the largest summed step x 1.2. */
    double peak = 0;
    for (size_t k = 0; k < 240; k++)
        peak = fmax(peak, tot[k]);
    f.p.size_on_peak = 1, f.p.headroom_pct = 20;
    fx_size(&f);
    assert_true(fabs(f.sp->iops_peak - peak) < 1e-9 * peak);
    assert_true(fabs(f.sp->fe_iops_need - peak * 1.2) < 1e-9 * peak);
    assert_true(peak > want);
    fx_fini(&f);
}

/* 1,000 GiB used, 2%/day, 30 days with a full every 7: 5 fulls + 25 incrementals =
 * 5,500 GiB logical, 1,100 at 5:1; a full at 500 MB/s takes 1000 x 2^30 / 5e8 s. */
static void
test_backup_arithmetic(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "penalty", flat_estate(2, 12, 300, 700, 300, 1000));
    f.p.daily_change_pct = 2;
    fx_size(&f);
    assert_true(fabs(f.sp->daily_change_GiB - 20) < 1e-9);
    assert_true(fabs(f.sp->backup_logical_GiB - 5500) < 1e-9);
    assert_true(fabs(f.sp->backup_GiB - 1100) < 1e-9);
    assert_true(fabs(f.sp->backup_window_full_h - 1000 * 1073741824.0 / 5e8 / 3600) < 1e-9);
    assert_true(fabs(f.sp->wan_bytes_dedup - 20 * 1073741824.0 / 5) < 1e-3);
    assert_true(fabs(f.sp->wan_bytes_full - 1000 * 1073741824.0) < 1e-3);
    /* Measured: 300 writes/s x 16 KiB = 4,800 KiB/s all day = 395.5 GiB, capped at the
     * 1,000 GiB there is. */
    f.p.daily_change_pct = NAN;
    fx_size(&f);
    assert_true(fabs(f.sp->daily_change_GiB - 4800.0 * 86400 / 1048576) < 1e-9);
    assert_non_null(strstr(f.sp->change_basis, "measured"));
    fx_fini(&f);
}

/* 5,000 front-end IOPS at 70/30 on RAID 5 = 9,500 back-end; one head of 2 x 12 slots
 * holds 20 drives in groups of 5 = 3,600 back-end IOPS = 3600 / 1.9 front-end. */
static void
test_shortfall_names_needed_and_reachable(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "small", flat_estate(2, 12, 300, 3500, 1500, 100));
    f.p.max_arrays = 1;
    struct ks_grid g;
    struct ks_err err = {0};
    f.sp = (void *)1;
    assert_int_equal(ks_grid_build(f.ds, 0, KS_AGG_MAX, 0, &g, &err), 0);
    assert_int_equal(mdl_storage_size(f.ds, &g, &f.p, f.cat, &f.sp, &err), -EINVAL);
    assert_null(f.sp);
    assert_non_null(strstr(err.msg, "front-end IOPS needed 5000, at most 1894.74 reachable"));
    assert_non_null(strstr(err.msg, "d180 on raid5-4+1, 1 x c2 with 2 x s12"));
    assert_null(strstr(err.msg, "usable GiB")); /* capacity is not short */
    /* Two heads: 45 drives in groups of 5 = 8,100 back-end, still short of 9,500. */
    f.p.max_arrays = 2;
    ks_err_clear(&err);
    assert_int_equal(mdl_storage_size(f.ds, &g, &f.p, f.cat, &f.sp, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "at most 4263.16 reachable"));
    ks_grid_fini(&g);
    fx_fini(&f);
}

/* Copy the penalty catalog into a scratch dir, replacing one file. */
static char *
cat_with(const char *file, const char *text)
{
    char *d = tu_tmpdir(), *src = fixture("penalty");
    char *cmd = ks_xasprintf("cp '%s'/*.csv '%s'", src, d);
    assert_int_equal(system(cmd), 0);
    tu_write(d, file, text);
    free(cmd);
    free(src);
    return d;
}

static void
expect_cat_error(const char *file, const char *text, const char *want)
{
    char *d = cat_with(file, text);
    struct mdl_array_catalog *c = (void *)1;
    struct ks_err err = {0};
    assert_int_equal(mdl_array_catalog_read(d, &c, &err), -EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("'%s' does not contain '%s'", err.msg, want);
    tu_rmrf(d);
    free(d);
}

static void
test_bad_catalog(void **state)
{
    (void)state;
    expect_cat_error("drives.csv",
                     "name,media,MBps,capacity_GB,price,watts,source\n"
                     "x,hdd,100,1000,1,1,s\n",
                     "drives.csv:1: missing column 'iops'");
    expect_cat_error("drives.csv",
                     "name,media,iops,MBps,capacity_GB,price,watts,source\n"
                     "x,hdd,100,100,1000,1,1,s\ny,ssd,100,100,1000,abc,1,s\n",
                     "drives.csv:3: column 'price': 'abc' is not a number");
    expect_cat_error("drives.csv",
                     "name,media,iops,MBps,capacity_GB,price,watts,source\n"
                     "x,tape,100,100,1000,1,1,s\n",
                     "drives.csv:2: column 'media': 'tape' is not ssd or hdd");
    expect_cat_error("drives.csv",
                     "name,media,iops,MBps,capacity_GB,price,watts,source\n"
                     "x,hdd,0,100,1000,1,1,s\n",
                     "drives.csv:2: column 'iops': 0 must be > 0");
    expect_cat_error("raid.csv",
                     "name,write_penalty,usable_fraction,group_drives,source\n"
                     "r5,4,0.7,5,s\n",
                     "RAID 'r5': usable_fraction 0.7 x group_drives 5");
    expect_cat_error("shelves.csv", "name,drives,price,watts,source\ns,2.5,1,1,s\n",
                     "shelves.csv:2: column 'drives': 2.5 is not a whole number");
    expect_cat_error("controllers.csv", "name,max_iops,max_MBps,max_shelves,price,watts,source\n",
                     "controllers.csv: no rows");
    expect_cat_error("raid.csv",
                     "name,write_penalty,usable_fraction,group_drives,source\n"
                     "r5,4,0.8\n",
                     "raid.csv:2: 3 fields, the header has 5");
}

/* The bundled catalog reads, and the bundled choice is sane for a small estate. */
static void
test_bundled_catalog(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "datasets/storage", flat_estate(20, 48, 300, 14000, 6000, 30000));
    const struct mdl_array_catalog *cat = f.cat;
    assert_true(cat->ndrive >= 4 && cat->nraid >= 3 && cat->nshelf >= 1 && cat->nctrl >= 1);
    for (size_t i = 0; i < cat->ndrive; i++)
        assert_true(strlen(cat->drive[i].source) > 0);
    mdl_storage_policy_init(&f.p);
    fx_size(&f);
    const struct mdl_storage_plan *sp = f.sp;
    const struct mdl_storage_config *c = &sp->opt[sp->chosen];
    /* Carries the need it was sized for, and nothing eligible is cheaper. */
    assert_true(c->eligible && c->usable_GiB >= sp->capacity_needed_GiB);
    for (size_t i = 0; i < sp->nopt; i++)
        assert_true(!sp->opt[i].eligible || sp->opt[i].total_cost >= c->total_cost);
    assert_true(sp->ndr_opt == sp->nopt);
    assert_true(sp->dr_opt[sp->dr_chosen].capex <= c->capex);
    fx_fini(&f);
}

/* Inventory without capacity columns: 100 GiB per disk x disk_count, said so; the mask
 * keeps entities off the array. */
static void
test_capacity_fallback_and_mask(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "penalty", ks_dataset_new());
    struct ks_dataset *ds = f.ds;
    const struct mdl_array_catalog *cat = f.cat;
    struct mdl_storage_policy p = f.p;
    ks_inv_set_num(ds, ks_dataset_add_entity(ds, "a", "physical"), "disk_count", 3);
    ks_dataset_add_entity(ds, "b", "physical"); /* disk_count unknown: one disk */
    ks_inv_set_num(ds, ks_dataset_add_entity(ds, "c", "vm"), "disk_provisioned_GiB", 500);
    struct mdl_storage_plan *sp = NULL;
    struct ks_err err = {0};
    assert_int_equal(mdl_storage_size(ds, NULL, &p, cat, &sp, &err), 0);
    assert_true(fabs(sp->used_GiB - 900) < 1e-9 && fabs(sp->provisioned_GiB - 900) < 1e-9);
    assert_int_equal(sp->nent_assumed_cap, 2);
    assert_non_null(strstr(sp->capacity_basis, "assumed 100 GiB per disk for 2 of 3"));
    assert_non_null(strstr(sp->iops_basis, "none"));
    mdl_storage_plan_free(sp);
    unsigned char mask[3] = {0, 0, 1};
    p.entity_mask = mask;
    assert_int_equal(mdl_storage_size(ds, NULL, &p, cat, &sp, &err), 0);
    assert_true(fabs(sp->used_GiB - 500) < 1e-9);
    assert_null(sp->pol.entity_mask); /* borrowed, not kept */
    mdl_storage_plan_free(sp);
    p.entity_mask = NULL;
    p.dedup_ratio = 0.5;
    assert_int_equal(mdl_storage_size(ds, NULL, &p, cat, &sp, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "dedup_ratio 0.5 is out of range"));
    fx_fini(&f);
}

/* DR: half the hosts (rounded up) at the host price plus the DR array. */
static void
test_dr_cost(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "penalty", flat_estate(4, 24, 300, 700, 300, 100));
    fx_size(&f);
    /* DR carries 50%: 650 back-end IOPS on RAID 10 -> 3.6 -> 4 drives. */
    const struct mdl_storage_config *dr = &f.sp->dr_opt[f.sp->dr_chosen];
    assert_int_equal(dr->tier[0].drives, 4);
    assert_true(isnan(f.sp->dr_capex));
    assert_true(fabs(mdl_storage_dr_cost(f.sp, 11, 8000) - (6 * 8000 + 400)) < 1e-9);
    assert_true(f.sp->dr_hosts == 6);
    fx_fini(&f);
}

/* Value of key in a key,value table, or NULL. */
static const char *
kv_get(const struct ks_table *t, const char *key)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (strcmp(ks_table_get(t, r, 0), key) == 0)
            return ks_table_get(t, r, 1);
    return NULL;
}

/* docs/storage.md lists the keys of storage.csv in order; the file must match it. */
static void
expect_documented_keys(const struct ks_table *t)
{
    char *doc = fixture("datasets/../docs/storage.md"), *text = tu_slurp(doc, NULL);
    assert_non_null(text);
    const char *tag = "these keys in this order: `";
    char *a = strstr(text, tag);
    assert_non_null(a);
    a += strlen(tag);
    *strchr(a, '`') = '\0';
    size_t r = 0;
    for (char *k = strtok(a, ", \n"); k; k = strtok(NULL, ", \n"), r++) {
        assert_true(r < t->nrows);
        if (strcmp(ks_table_get(t, r, 0), k) != 0)
            fail_msg("storage.csv row %zu is %s, docs/storage.md says %s", r + 1,
                     ks_table_get(t, r, 0), k);
    }
    assert_int_equal(r, t->nrows);
    free(text);
    free(doc);
}

static void
test_write_files(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "penalty", bursty_estate());
    fx_size(&f);
    mdl_storage_dr_cost(f.sp, 4, 1000);
    char *d = tu_tmpdir(), *path;
    struct ks_err err = {0};
    /* A plan directory that does not exist: an error naming the file, nothing written. */
    path = ks_xasprintf("%s/missing", d);
    assert_true(mdl_storage_write(f.sp, path, &err) < 0);
    assert_non_null(strstr(err.msg, "missing/storage.csv"));
    free(path);
    ks_err_clear(&err);
    assert_int_equal(mdl_storage_write(f.sp, d, &err), 0);
    struct ks_table t;
    path = ks_xasprintf("%s/storage.csv", d);
    assert_int_equal(ks_table_read(path, NULL, &t, &err), 0);
    free(path);
    const char *keys[] = {"iops_p95",
                          "iops_peak",
                          "read_pct",
                          "throughput_p95_MiBps",
                          "capacity_needed_GiB",
                          "array_config",
                          "drives",
                          "raid",
                          "usable_GiB",
                          "capex_storage",
                          "backup_GiB",
                          "backup_window_h",
                          "wan_bytes_full",
                          "wan_bytes_dedup",
                          "dr_bandwidth_Mbps",
                          "dr_capex"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!kv_get(&t, keys[i]) || !kv_get(&t, keys[i])[0])
            fail_msg("storage.csv: key %s missing or empty", keys[i]);
    double v;
    assert_int_equal(ks_parse_double(kv_get(&t, "dr_bandwidth_Mbps"), &v), 0);
    assert_true(v == f.sp->dr_bandwidth_Mbps); /* exact round trip */
    assert_string_equal(kv_get(&t, "raid"), "raid10");
    expect_documented_keys(&t);
    for (size_t r = 0; r < t.nrows; r++) /* every key once: readers look keys up */
        for (size_t q = r + 1; q < t.nrows; q++)
            if (strcmp(ks_table_get(&t, r, 0), ks_table_get(&t, q, 0)) == 0)
                fail_msg("storage.csv: key %s twice", ks_table_get(&t, r, 0));
    ks_table_fini(&t);
    path = ks_xasprintf("%s/storage_options.csv", d);
    assert_int_equal(ks_table_read(path, NULL, &t, &err), 0);
    free(path);
    assert_int_equal(t.nrows, f.sp->nopt + f.sp->ndr_opt);
    int chosen[2] = {0, 0};
    for (size_t r = 0; r < t.nrows; r++)
        if (strcmp(ks_table_str(&t, r, "chosen"), "1") == 0)
            chosen[strcmp(ks_table_str(&t, r, "site"), "dr") == 0]++;
    assert_int_equal(chosen[0], 1);
    assert_int_equal(chosen[1], 1);
    ks_table_fini(&t);
    path = ks_xasprintf("%s/storage_series.csv", d);
    assert_int_equal(ks_table_read(path, NULL, &t, &err), 0);
    free(path);
    assert_int_equal(t.nrows, 240);
    assert_true(ks_table_num(&t, 7, "write_KiBps") == f.sp->write_KiBps[7]);
    ks_table_fini(&t);
    /* The simulator configs are in the plan, byte for byte what sim_ini writes. */
    for (int peak = 0; peak < 2; peak++) {
        path = ks_xasprintf("%s/storage_sim_%s.ini", d, peak ? "peak" : "p95");
        char *file = tu_slurp(path, NULL), *mem = sim_text(f.sp, peak);
        assert_non_null(file);
        assert_string_equal(file, mem);
        free(file);
        free(mem);
        free(path);
    }
    tu_rmrf(d);
    free(d);
    fx_fini(&f);
}

/* The sim config: RAID 10 writes at 2x, reads as measured, one server per HDD. */
static void
test_sim_ini(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "penalty", flat_estate(4, 24, 300, 700, 300, 100));
    fx_size(&f);
    char *buf = sim_text(f.sp, 0);
    const char *want[] = {"[sim]\n",
                          "[iommu]\nenabled = 0\n",
                          "[device array]\nkind = hdd\n",
                          "servers = 8\n",
                          "rotation = uniform:min=0ms,max=4ms\n",
                          "seek = uniform:min=0ms,max=6.6ms\n",
                          "[vm estate]\n",
                          "mode = native\n",
                          "[workload reads]\n",
                          "arrival = poisson:700/s\n",
                          "size = 16384\nread_pct = 100\n",
                          "[workload writes]\n",
                          "arrival = poisson:600/s\n",
                          "read_pct = 0\n"};
    expect_in(buf, want, sizeof want / sizeof *want);
    free(buf);
    fx_fini(&f);
}

/* Policy by name: what flags and policy-file lines become; the rows read back. */
static void
test_policy_keys(void **state)
{
    (void)state;
    struct mdl_storage_policy p, q;
    struct ks_err err = {0};
    mdl_storage_policy_init(&p);
    assert_int_equal(mdl_storage_policy_set(&p, "rpo_min", "5", &err), 0);
    assert_int_equal(mdl_storage_policy_set(&p, "storage_max_arrays", "2", &err), 0);
    assert_int_equal(mdl_storage_policy_set(&p, "allow_tiering", "no", &err), 0);
    assert_int_equal(mdl_storage_policy_set(&p, "daily_change_pct", "3.5", &err), 0);
    assert_true(p.rpo_min == 5 && p.max_arrays == 2 && !p.allow_tiering);
    assert_true(p.daily_change_pct == 3.5);
    assert_int_equal(mdl_storage_policy_set(&p, "max_arrays", "2.5", &err), -EINVAL);
    assert_non_null(strstr(err.msg, "max_arrays 2.5 is not a whole number"));
    ks_err_clear(&err);
    assert_int_equal(mdl_storage_policy_set(&p, "rpo_min", "soon", &err), -EINVAL);
    assert_non_null(strstr(err.msg, "rpo_min: 'soon' is not a number"));
    ks_err_clear(&err);
    assert_int_equal(mdl_storage_policy_set(&p, "rpo", "5", &err), -EINVAL);
    assert_non_null(strstr(err.msg, "unknown key 'rpo'"));
    assert_true(p.rpo_min == 5); /* failed sets change nothing */
    /* Rows -> set on a fresh policy -> the same policy. */
    static const char *const cols[] = {"key", "value"};
    struct ks_table t;
    ks_table_init(&t, cols, 2);
    mdl_storage_policy_rows(&p, &t);
    mdl_storage_policy_init(&q);
    for (size_t r = 0; r < t.nrows; r++) {
        const char *v = ks_table_get(&t, r, 1);
        assert_int_equal(mdl_storage_policy_set(&q, ks_table_get(&t, r, 0), v ? v : "", &err), 0);
    }
    assert_true(q.rpo_min == 5 && q.max_arrays == 2 && !q.allow_tiering && q.seed == p.seed);
    assert_true(q.daily_change_pct == 3.5);
    ks_table_fini(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raid_penalty_drive_counts),
        cmocka_unit_test(test_capacity_decides),
        cmocka_unit_test(test_tiered_wins),
        cmocka_unit_test(test_rpo_bandwidth_matches_brute_force),
        cmocka_unit_test(test_p95_of_summed_series),
        cmocka_unit_test(test_backup_arithmetic),
        cmocka_unit_test(test_shortfall_names_needed_and_reachable),
        cmocka_unit_test(test_bad_catalog),
        cmocka_unit_test(test_bundled_catalog),
        cmocka_unit_test(test_capacity_fallback_and_mask),
        cmocka_unit_test(test_dr_cost),
        cmocka_unit_test(test_write_files),
        cmocka_unit_test(test_sim_ini),
        cmocka_unit_test(test_policy_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
