#include "core/ks_merge.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/ks_manifest.h"

static int
is_dataset(const char *dir)
{
    struct stat st;
    char *p = ks_path_join(dir, "inventory.csv");
    int ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expand one argument into dataset directories (appended to *list). */
static int
expand(const char *path, char ***list, size_t *n, size_t *cap, struct ks_err *err)
{
    if (is_dataset(path)) {
        *list = ks_xgrow(*list, cap, *n + 1, sizeof **list);
        (*list)[(*n)++] = ks_xstrdup(path);
        return 0;
    }
    DIR *d = opendir(path);
    if (!d) {
        int e = errno;
        return ks_errf(err, -e, "%s: not a dataset directory: %s", path, strerror(e));
    }
    size_t before = *n;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = ks_path_join(path, e->d_name);
        if (is_dataset(sub)) {
            *list = ks_xgrow(*list, cap, *n + 1, sizeof **list);
            (*list)[(*n)++] = sub;
        } else {
            free(sub);
        }
    }
    closedir(d);
    if (*n == before)
        return ks_errf(err, -ENOENT,
                       "%s: neither a dataset (no inventory.csv) nor a directory of datasets",
                       path);
    qsort(*list + before, *n - before, sizeof **list, cmp_str);
    return 0;
}

/* Inventory rows of in into out (map[r] = out's row of in's row r). skip_empty: an
 * empty field of in leaves out's value (an appended import that knows less than the
 * dataset it is added to does not erase what was known). */
static void
copy_inventory(struct ks_dataset *out, const struct ks_dataset *in, uint32_t *map,
               int skip_empty)
{
    for (size_t r = 0; r < in->inv.nrows; r++) {
        size_t o = ks_dataset_add_entity(out, ks_dataset_entity(in, r), ks_table_get(&in->inv, r, 1));
        map[r] = (uint32_t)o;
        for (size_t c = 2; c < in->inv.ncols; c++) {
            const char *v = ks_table_get(&in->inv, r, (int)c);
            if (!skip_empty || (v && *v))
                ks_inv_set(out, o, in->inv.cols[c], v);
        }
    }
}

/* Extra sample columns of the output: the union of the inputs' extras, in first-seen
 * order. xmap[i][j] = output index of input i's extra column j. */
static size_t **
union_extras(struct ks_samples *o, struct ks_dataset *const *in, size_t n)
{
    size_t **xmap = ks_xcalloc(n, sizeof *xmap);
    for (size_t i = 0; i < n; i++) {
        const struct ks_samples *s = &in[i]->s;
        xmap[i] = ks_xcalloc(s->nextra ? s->nextra : 1, sizeof **xmap);
        for (size_t j = 0; j < s->nextra; j++) {
            size_t k;
            for (k = 0; k < o->nextra && strcmp(o->extra_names[k], s->extra_names[j]); k++)
                ;
            if (k == o->nextra) {
                o->extra_names = ks_xrealloc(o->extra_names, (k + 1) * sizeof(char *));
                o->extra_names[o->nextra++] = ks_xstrdup(s->extra_names[j]);
            }
            xmap[i][j] = k;
        }
    }
    return xmap;
}

/* k-way merge of the inputs' rows by time (inputs are each time-sorted). */
static void
merge_rows(struct ks_dataset *out, struct ks_dataset *const *in, size_t n, uint32_t **emap,
           size_t **xmap)
{
    size_t *pos = ks_xcalloc(n, sizeof *pos);
    double met[KS_NMETRIC];
    struct ks_samples *o = &out->s;
    for (;;) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (pos[i] < in[i]->s.nrows &&
                (best == n || in[i]->s.time[pos[i]] < in[best]->s.time[pos[best]]))
                best = i;
        if (best == n)
            break;
        const struct ks_samples *s = &in[best]->s;
        size_t r = pos[best]++;
        for (int m = 0; m < KS_NMETRIC; m++)
            met[m] = ks_samples_get(s, r, m);
        ks_samples_append(o, s->time[r], emap[best][s->ent[r]], s->interval_s[r], met);
        for (size_t j = 0; j < s->nextra; j++) {
            const char *v = s->extra[r * s->nextra + j];
            o->extra[(o->nrows - 1) * o->nextra + xmap[best][j]] = v ? ks_xstrdup(v) : NULL;
        }
    }
    free(pos);
}

/* flows.csv rows of every input, one after the other, columns matched by name (the
 * union, in first-seen order). Entities are unique across inputs, so a row's entity
 * (the capturing host) stays unambiguous; a flow both of whose ends captured is in
 * two rows, as it would be within one dataset. */
static void
merge_flows(struct ks_dataset *o, struct ks_dataset *const *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct ks_table *f = &in[i]->flows;
        if (f->ncols == 0)
            continue;
        if (o->flows.ncols == 0)
            ks_table_init(&o->flows, (const char *const *)f->cols, f->ncols);
        int *map = ks_xmalloc(f->ncols * sizeof *map);
        for (size_t c = 0; c < f->ncols; c++) {
            map[c] = ks_table_col(&o->flows, f->cols[c]);
            if (map[c] < 0)
                map[c] = ks_table_add_col(&o->flows, f->cols[c]);
        }
        for (size_t r = 0; r < f->nrows; r++) {
            size_t to = ks_table_add_row(&o->flows);
            for (size_t c = 0; c < f->ncols; c++)
                ks_table_set(&o->flows, to, map[c], ks_table_get(f, r, (int)c));
        }
        free(map);
    }
}

int
ks_dataset_merge(struct ks_dataset *const *in, const char *const *names, size_t n,
                 struct ks_dataset **out, struct ks_err *err)
{
    struct ks_dataset *o = ks_dataset_new();
    struct ks_map origin; /* entity -> input index, for clash messages */
    uint32_t **emap = ks_xcalloc(n ? n : 1, sizeof *emap);
    int rc = 0;
    ks_map_init(&origin);
    for (size_t i = 0; i < n && rc == 0; i++) {
        for (size_t r = 0; r < in[i]->inv.nrows; r++) {
            uint32_t j;
            if (ks_map_get(&origin, ks_dataset_entity(in[i], r), &j)) {
                rc = ks_errf(err, -EINVAL,
                             "entity '%s' is in both %s and %s: entity names must be unique "
                             "across merged datasets",
                             ks_dataset_entity(in[i], r), names[j], names[i]);
                break;
            }
            ks_map_put(&origin, ks_dataset_entity(in[i], r), (uint32_t)i);
        }
        emap[i] = ks_xcalloc(in[i]->inv.nrows ? in[i]->inv.nrows : 1, sizeof **emap);
        copy_inventory(o, in[i], emap[i], 0);
        o->has_samples |= in[i]->has_samples;
    }
    if (rc == 0) {
        size_t **xmap = union_extras(&o->s, in, n);
        merge_rows(o, in, n, emap, xmap);
        merge_flows(o, in, n);
        for (size_t i = 0; i < n; i++)
            free(xmap[i]);
        free(xmap);
    }
    for (size_t i = 0; i < n; i++)
        free(emap[i]);
    free(emap);
    ks_map_fini(&origin);
    if (rc < 0) {
        ks_dataset_free(o);
        return rc;
    }
    *out = o;
    return 0;
}

int
ks_dataset_dirs(char *const *paths, size_t n, char ***dirs, size_t *ndirs, struct ks_err *err)
{
    size_t cap = 0;
    int rc = 0;
    *dirs = NULL;
    *ndirs = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = expand(paths[i], dirs, ndirs, &cap, err);
    return rc;
}

int
ks_dataset_read_many(char *const *paths, size_t n, struct ks_dataset **out,
                     struct ks_err *err)
{
    return ks_dataset_read_many_keep(paths, n, 0, out, err);
}

int
ks_dataset_read_many_keep(char *const *paths, size_t n, unsigned keep, struct ks_dataset **out,
                          struct ks_err *err)
{
    char **dirs;
    size_t nd;
    int rc = ks_dataset_dirs(paths, n, &dirs, &nd, err);
    struct ks_dataset **ds = ks_xcalloc(nd ? nd : 1, sizeof *ds);
    for (size_t i = 0; i < nd && rc == 0; i++)
        rc = ks_dataset_read_keep(dirs[i], keep, &ds[i], err);
    if (rc == 0 && nd == 1) {
        *out = ds[0];
        ds[0] = NULL;
    } else if (rc == 0) {
        rc = ks_dataset_merge(ds, (const char *const *)dirs, nd, out, err);
    }
    for (size_t i = 0; i < nd; i++) {
        ks_dataset_free(ds[i]);
        free(dirs[i]);
    }
    free(ds);
    free(dirs);
    return rc;
}

/* ---- append ------------------------------------------------------------------------- */

/* First and last sample time of each entity (NaN when it has none). */
static void
time_ranges(const struct ks_dataset *ds, double *first, double *last)
{
    for (size_t i = 0; i < ks_dataset_nent(ds); i++)
        first[i] = last[i] = NAN;
    for (size_t r = 0; r < ds->s.nrows; r++) {
        uint32_t e = ds->s.ent[r];
        double t = ds->s.time[r];
        if (isnan(first[e]) || t < first[e])
            first[e] = t;
        if (isnan(last[e]) || t > last[e])
            last[e] = t;
    }
}

/* UNIX seconds as "2008-03-24 00:05:00 UTC". */
static const char *
utc(char *buf, size_t n, double t)
{
    time_t s = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&s, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, n, "%.0f", t);
    return buf;
}

/* An entity in both whose time ranges (sample end times, inclusive) meet: -EINVAL. */
static int
check_overlaps(const struct ks_dataset *old, const char *old_name, const struct ks_dataset *add,
               struct ks_err *err)
{
    size_t no = ks_dataset_nent(old), na = ks_dataset_nent(add);
    double *of = ks_xcalloc(no + 1, sizeof *of), *ol = ks_xcalloc(no + 1, sizeof *ol);
    double *af = ks_xcalloc(na + 1, sizeof *af), *al = ks_xcalloc(na + 1, sizeof *al);
    int rc = 0;
    time_ranges(old, of, ol);
    time_ranges(add, af, al);
    for (size_t i = 0; i < na && rc == 0; i++) {
        long j = ks_dataset_find(old, ks_dataset_entity(add, i));
        if (j < 0 || isnan(af[i]) || isnan(of[j]) || af[i] > ol[j] || al[i] < of[j])
            continue;
        char e[256], a1[40], a2[40], o1[40], o2[40];
        rc = ks_errf(err, -EINVAL,
                     "entity '%s': the new rows (%s .. %s) overlap the rows already in %s "
                     "(%s .. %s): --append adds only time ranges an entity does not have yet",
                     ks_manifest_esc(e, sizeof e, ks_dataset_entity(add, i)),
                     utc(a1, sizeof a1, af[i]), utc(a2, sizeof a2, al[i]), old_name,
                     utc(o1, sizeof o1, of[j]), utc(o2, sizeof o2, ol[j]));
    }
    free(of);
    free(ol);
    free(af);
    free(al);
    return rc;
}

int
ks_dataset_append(const struct ks_dataset *old, const char *old_name,
                  const struct ks_dataset *add, struct ks_dataset **out, struct ks_err *err)
{
    int rc = check_overlaps(old, old_name, add, err);
    if (rc < 0)
        return rc;
    struct ks_dataset *o = ks_dataset_new();
    struct ks_dataset *const in[2] = {(struct ks_dataset *)old, (struct ks_dataset *)add};
    uint32_t *emap[2];
    for (int i = 0; i < 2; i++) {
        emap[i] = ks_xcalloc(in[i]->inv.nrows + 1, sizeof **emap);
        copy_inventory(o, in[i], emap[i], i == 1);
        o->has_samples |= in[i]->has_samples;
    }
    size_t **xmap = union_extras(&o->s, in, 2);
    merge_rows(o, in, 2, emap, xmap);
    merge_flows(o, in, 2);
    for (int i = 0; i < 2; i++) {
        free(xmap[i]);
        free(emap[i]);
    }
    free(xmap);
    *out = o;
    return 0;
}
