/*
 * mdl_storage_cat: the array catalog, four CSV files in one directory, read with core's
 * ks_table_read and checked field by field so that a bad value is reported at its file,
 * line and column (docs/storage.md, "Array catalog").
 */
#include "model/mdl_storage.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_data.h"
#include "core/ks_table.h"

#define STORAGE_MAX 1e12

/* One numeric column of a record: where it goes and what it may hold. */
struct fspec {
    const char *col;
    size_t off;   /* offset of a double, or of a long when integer */
    double lo;    /* smallest allowed value (inclusive unless lo_open) */
    int lo_open;  /* 1: the value must be > lo */
    int optional; /* 1: the column may be missing or the field empty (NaN) */
    int integer;
};

/* One catalog file: its name, its numeric columns, the record size. */
struct fspec_file {
    const char *file;
    const struct fspec *f;
    size_t nf, size;
};

/* Spec builders: D a required double (> lo when open, else >= lo), OPT an optional
 * double (> 0 when given), L a required whole number >= lo. */
/* Kept on one line each: clang-format would spread them over six. */
// clang-format off
#define D(T, c, lo, open) {#c, offsetof(T, c), lo, open, 0, 0}
#define OPT(T, c) {#c, offsetof(T, c), 0, 1, 1, 0}
#define L(T, c, lo) {#c, offsetof(T, c), lo, 0, 0, 1}
// clang-format on

static const struct fspec drive_f[] = {
    D(struct mdl_drive, iops, 0, 1),        D(struct mdl_drive, MBps, 0, 1),
    D(struct mdl_drive, capacity_GB, 0, 1), D(struct mdl_drive, price, 0, 0),
    D(struct mdl_drive, watts, 0, 0),       OPT(struct mdl_drive, read_us),
    OPT(struct mdl_drive, write_us),        OPT(struct mdl_drive, rpm),
    OPT(struct mdl_drive, seek_ms),         OPT(struct mdl_drive, read_p999_us),
    OPT(struct mdl_drive, write_p999_us),
};
static const struct fspec raid_f[] = {
    D(struct mdl_raid, write_penalty, 1, 0),
    D(struct mdl_raid, usable_fraction, 0, 1),
    L(struct mdl_raid, group_drives, 1),
};
static const struct fspec shelf_f[] = {
    L(struct mdl_shelf, drives, 1),
    D(struct mdl_shelf, price, 0, 0),
    D(struct mdl_shelf, watts, 0, 0),
};
static const struct fspec ctrl_f[] = {
    D(struct mdl_controller, max_iops, 0, 1), D(struct mdl_controller, max_MBps, 0, 1),
    L(struct mdl_controller, max_shelves, 1), D(struct mdl_controller, price, 0, 0),
    D(struct mdl_controller, watts, 0, 0),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
enum { F_DRIVE, F_RAID, F_SHELF, F_CTRL, NFILES };
static const struct fspec_file files[NFILES] = {
    {"drives.csv", drive_f, N(drive_f), sizeof(struct mdl_drive)},
    {"raid.csv", raid_f, N(raid_f), sizeof(struct mdl_raid)},
    {"shelves.csv", shelf_f, N(shelf_f), sizeof(struct mdl_shelf)},
    {"controllers.csv", ctrl_f, N(ctrl_f), sizeof(struct mdl_controller)},
};

/* Every record type starts with char *name, *source (checked below). */
struct named {
    char *name, *source;
};
_Static_assert(offsetof(struct mdl_drive, source) == offsetof(struct named, source),
               "drive layout");
_Static_assert(offsetof(struct mdl_raid, source) == offsetof(struct named, source), "raid layout");
_Static_assert(offsetof(struct mdl_shelf, source) == offsetof(struct named, source),
               "shelf layout");
_Static_assert(offsetof(struct mdl_controller, source) == offsetof(struct named, source),
               "controller layout");

/* Parse one numeric field of row r into the record, range-checked; the message names
 * file, line and column. Optional columns may be absent or empty (NaN). */
static int
read_field(const struct ks_table *t, const char *path, size_t r, const struct fspec *f, char *rec,
           struct ks_err *err)
{
    double v;
    int rc = ks_table_check_num(t, path, r, f->col, f->optional, &v, err);
    if (rc < 0)
        return rc;
    unsigned long line = t->lines[r];
    if (!isnan(v) && (f->lo_open ? !(v > f->lo) : !(v >= f->lo)))
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s': %g must be %s %g", path, line, f->col, v,
                       f->lo_open ? ">" : ">=", f->lo);
    /* One cap for every figure: far above any real drive, shelf or controller (and any
     * price), low enough that sums over the largest array stay finite. */
    if (!isnan(v) && v > STORAGE_MAX)
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s': %g is above the limit %g", path,
                       line, f->col, v, STORAGE_MAX);
    if (f->integer) {
        if (v != floor(v) || v > 1e9)
            return ks_errf(err, -EINVAL, "%s:%lu: column '%s': %g is not a whole number", path,
                           line, f->col, v);
        *(long *)(void *)(rec + f->off) = (long)v;
    } else {
        *(double *)(void *)(rec + f->off) = v;
    }
    return 0;
}

/* Read one file of the catalog into a fresh array of records. */
static int
read_file(const char *dir, const struct fspec_file *fs, const char *const *extra_req, void **out,
          size_t *n, struct ks_err *err)
{
    /* Required columns: name, source, the file's own (media for drives), and every
     * numeric column that is not optional; ks_table_read reports a missing one at
     * line 1. */
    const char *req[16] = {"name", "source"};
    size_t nr = 2;
    for (size_t i = 0; extra_req && extra_req[i]; i++)
        req[nr++] = extra_req[i];
    for (size_t i = 0; i < fs->nf; i++)
        if (!fs->f[i].optional)
            req[nr++] = fs->f[i].col;
    req[nr] = NULL;
    char *path = ks_xasprintf("%s/%s", dir, fs->file);
    struct ks_table t;
    int rc = ks_table_read(path, req, &t, err);
    if (rc < 0) {
        free(path);
        return rc;
    }
    /* Records are zeroed: on error, the ones not yet named free as no-ops. */
    char *recs = ks_xcalloc(t.nrows ? t.nrows : 1, fs->size);
    *out = recs, *n = 0;
    if (t.nrows == 0)
        rc = ks_errf(err, -EINVAL, "%s: no rows (the catalog needs at least one)", path);
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        char *rec = recs + r * fs->size;
        const char *name = ks_table_str(&t, r, "name");
        if (!name)
            rc = ks_errf(err, -EINVAL, "%s:%lu: column 'name' is empty", path, t.lines[r]);
        for (size_t i = 0; i < fs->nf && rc == 0; i++)
            rc = read_field(&t, path, r, &fs->f[i], rec, err);
        if (rc < 0)
            break;
        struct named *nm = (struct named *)(void *)rec;
        const char *src = ks_table_str(&t, r, "source");
        nm->name = ks_xstrdup(name);
        nm->source = ks_xstrdup(src ? src : "");
        (*n)++;
    }
    free(path);
    ks_table_fini(&t);
    return rc;
}

/* A 99.9% latency needs the typical one it widens, and cannot be below it (the
 * simulator fits a lognormal through the pair: docs/storage.md). */
static int
check_p999(const char *path, unsigned long line, const char *col, double p999, const char *tcol,
           double typ, struct ks_err *err)
{
    if (isnan(p999))
        return 0;
    if (isnan(typ))
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s': %g needs '%s' (the typical latency)",
                       path, line, col, p999, tcol);
    if (p999 < typ)
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s': %g is below '%s' %g (a 99.9th "
                       "percentile cannot be under the typical latency)",
                       path, line, col, p999, tcol, typ);
    return 0;
}

/* Media, latency pairs and RAID geometry are checked after the generic read: they need
 * the table (its line numbers) or several fields at once. */
static int
read_media(const char *dir, struct mdl_array_catalog *c, struct ks_err *err)
{
    char *path = ks_xasprintf("%s/drives.csv", dir);
    struct ks_table t;
    static const char *const req[] = {"media", NULL};
    int rc = ks_table_read(path, req, &t, err);
    if (rc < 0) {
        free(path);
        return rc;
    }
    for (size_t r = 0; rc == 0 && r < t.nrows && r < c->ndrive; r++) {
        const char *m = ks_table_str(&t, r, "media");
        if (m && strcmp(m, "ssd") == 0)
            c->drive[r].media = MDL_MEDIA_SSD;
        else if (m && strcmp(m, "hdd") == 0)
            c->drive[r].media = MDL_MEDIA_HDD;
        else
            rc = ks_errf(err, -EINVAL, "%s:%lu: column 'media': '%s' is not ssd or hdd", path,
                         t.lines[r], m ? m : "");
        const struct mdl_drive *d = &c->drive[r];
        if (rc == 0)
            rc = check_p999(path, t.lines[r], "read_p999_us", d->read_p999_us, "read_us",
                            d->read_us, err);
        if (rc == 0)
            rc = check_p999(path, t.lines[r], "write_p999_us", d->write_p999_us, "write_us",
                            d->write_us, err);
    }
    ks_table_fini(&t);
    free(path);
    return rc;
}

/* usable_fraction x group_drives must be a whole number of data drives. */
static int
check_raid(const char *dir, const struct mdl_array_catalog *c, struct ks_err *err)
{
    for (size_t i = 0; i < c->nraid; i++) {
        const struct mdl_raid *r = &c->raid[i];
        double data = r->usable_fraction * (double)r->group_drives;
        if (r->usable_fraction > 1 || fabs(data - round(data)) > 1e-6 || round(data) < 1)
            return ks_errf(err, -EINVAL,
                           "%s/raid.csv: RAID '%s': usable_fraction %g x group_drives %ld is "
                           "not a whole number of data drives in 1..%ld",
                           dir, r->name, r->usable_fraction, r->group_drives, r->group_drives);
    }
    return 0;
}

static int
array_catalog_read(const char *dir, struct mdl_array_catalog **out, struct ks_err *err)
{
    struct mdl_array_catalog *c = ks_xcalloc(1, sizeof *c);
    c->dir = ks_xstrdup(dir);
    void **arr[NFILES] = {(void **)&c->drive, (void **)&c->raid, (void **)&c->shelf,
                          (void **)&c->ctrl};
    size_t *cnt[NFILES] = {&c->ndrive, &c->nraid, &c->nshelf, &c->nctrl};
    static const char *const drive_req[] = {"media", NULL};
    /* Files in a fixed order, so the first bad one is the one reported. */
    int rc = 0;
    for (int i = 0; i < NFILES && rc == 0; i++)
        rc = read_file(dir, &files[i], i == F_DRIVE ? drive_req : NULL, arr[i], cnt[i], err);
    if (rc == 0)
        rc = read_media(dir, c, err);
    if (rc == 0)
        rc = check_raid(dir, c, err);
    if (rc < 0) {
        mdl_array_catalog_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* A path, or the name of a shipped folder ("storage": DATADIR/storage). */
int
mdl_array_catalog_read(const char *arg, struct mdl_array_catalog **out, struct ks_err *err)
{
    char *path;
    int rc = ks_data_find("", arg, NULL, &path, err);
    if (rc == 0)
        rc = array_catalog_read(path, out, err);
    free(path);
    return rc;
}

/* Free n records of size bytes, each starting with its name and source strings. */
static void
free_named(void *recs, size_t n, size_t size)
{
    for (size_t i = 0; recs && i < n; i++) {
        struct named *nm = (struct named *)(void *)((char *)recs + i * size);
        free(nm->name);
        free(nm->source);
    }
    free(recs);
}

void
mdl_array_catalog_free(struct mdl_array_catalog *c)
{
    if (!c)
        return;
    free_named(c->drive, c->ndrive, sizeof *c->drive);
    free_named(c->raid, c->nraid, sizeof *c->raid);
    free_named(c->shelf, c->nshelf, sizeof *c->shelf);
    free_named(c->ctrl, c->nctrl, sizeof *c->ctrl);
    free(c->dir);
    free(c);
}
