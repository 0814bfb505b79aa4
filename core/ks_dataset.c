#include "core/ks_dataset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ks_csv.h"
#include "core/ks_fault.h"
#include "core/ks_manifest.h"
#include "core/ks_zst.h"

const char *const ks_metric_names[KS_NMETRIC] = {
    "cpu_pct",         "cpu_MHz",          "cpu_steal_pct",   "mem_used_MiB",
    "mem_total_MiB",   "disk_read_KiBps",  "disk_write_KiBps", "disk_read_iops",
    "disk_write_iops", "disk_await_ms",    "disk_util_pct",   "net_rx_KiBps",
    "net_tx_KiBps",    "net_rx_pps",       "net_tx_pps",      "ipc",
};

const char *const ks_inv_cols[KS_INV_NCOLS] = {
    "entity",  "kind",     "hostname",  "cpu_model",  "sockets",
    "cores",   "threads",  "core_MHz",  "mem_MiB",    "nic_count",
    "nic_Mbps", "disk_count", "hypervisor", "os",     "notes",
};

const char *const ks_flow_cols[KS_FLOW_NCOLS] = {"time",  "entity", "src",   "dst",
                                                 "proto", "dport",  "bytes", "packets"};

static const char *const kinds[] = {"physical", "vm", "host", NULL};
static const char *const hypervisors[] = {"none", "kvm", "xen", "hyperv", "vmware", "other",
                                          NULL};

int
ks_metric_lookup(const char *name)
{
    for (int i = 0; i < KS_NMETRIC; i++)
        if (strcmp(ks_metric_names[i], name) == 0)
            return i;
    return -1;
}

struct ks_dataset *
ks_dataset_new(void)
{
    struct ks_dataset *ds = ks_xcalloc(1, sizeof *ds);
    ks_table_init(&ds->inv, ks_inv_cols, KS_INV_NCOLS);
    ks_map_init(&ds->ent_ix);
    return ds;
}

void
ks_samples_fini(struct ks_samples *s)
{
    free(s->time);
    free(s->ent);
    free(s->interval_s);
    for (int m = 0; m < KS_NMETRIC; m++)
        free(s->m[m]);
    for (size_t i = 0; i < s->nrows * s->nextra; i++)
        free(s->extra[i]);
    for (size_t i = 0; i < s->nextra; i++)
        free(s->extra_names[i]);
    free(s->extra);
    free(s->extra_names);
    memset(s, 0, sizeof *s);
}

void
ks_dataset_free(struct ks_dataset *ds)
{
    if (!ds)
        return;
    ks_table_fini(&ds->inv);
    ks_map_fini(&ds->ent_ix);
    ks_samples_fini(&ds->s);
    ks_table_fini(&ds->flows);
    free(ds);
}

size_t
ks_dataset_nent(const struct ks_dataset *ds)
{
    return ds->inv.nrows;
}

const char *
ks_dataset_entity(const struct ks_dataset *ds, size_t i)
{
    return ks_table_get(&ds->inv, i, 0);
}

long
ks_dataset_find(const struct ks_dataset *ds, const char *entity)
{
    uint32_t v;
    return ks_map_get(&ds->ent_ix, entity, &v) ? (long)v : -1;
}

size_t
ks_dataset_add_entity(struct ks_dataset *ds, const char *entity, const char *kind)
{
    long i = ks_dataset_find(ds, entity);
    if (i >= 0)
        return (size_t)i;
    size_t r = ks_table_add_row(&ds->inv);
    ks_table_set(&ds->inv, r, 0, entity);
    ks_table_set(&ds->inv, r, 1, kind);
    ks_map_put(&ds->ent_ix, entity, (uint32_t)r);
    return r;
}

void
ks_inv_set(struct ks_dataset *ds, size_t ent, const char *col, const char *val)
{
    ks_table_set(&ds->inv, ent, ks_table_add_col(&ds->inv, col), val);
}

void
ks_inv_set_num(struct ks_dataset *ds, size_t ent, const char *col, double v)
{
    ks_table_set_num(&ds->inv, ent, ks_table_add_col(&ds->inv, col), v);
}

double
ks_inv_num(const struct ks_dataset *ds, size_t ent, const char *col)
{
    return ks_table_num(&ds->inv, ent, col);
}

const char *
ks_inv_str(const struct ks_dataset *ds, size_t ent, const char *col)
{
    return ks_table_str(&ds->inv, ent, col);
}

void
ks_dataset_addr_map(const struct ks_dataset *ds, struct ks_map *m)
{
    ks_map_init(m);
    size_t n = ks_dataset_nent(ds);
    for (size_t e = 0; e < n; e++) {
        const char *ips = ks_inv_str(ds, e, "ips"), *host = ks_inv_str(ds, e, "hostname");
        for (const char *p = ips ? ips : ""; *p;) {
            size_t len = strcspn(p, " ");
            char a[64];
            if (len > 0 && len < sizeof a) {
                memcpy(a, p, len);
                a[len] = '\0';
                ks_map_put(m, a, (uint32_t)e);
            }
            p += len + (p[len] == ' ');
        }
        if (host && *host)
            ks_map_put(m, host, (uint32_t)e);
    }
    /* Names last: an entity called like another's hostname is that entity. */
    for (size_t e = 0; e < n; e++)
        ks_map_put(m, ks_dataset_entity(ds, e), (uint32_t)e);
}

/* ---- samples in memory ---------------------------------------------------------- */

/* A column of n bytes at p, grown to its new size, in huge pages when it is large
 * (ks_advise_huge). Reading 2 M rows fills 300 MB of fresh columns; at 4 KiB a page that
 * was 74,000 page faults, a third of the read's time (perf, bench/dataset_read); at 2 MiB
 * a page it is ~150. */
static void *
column_realloc(void *p, size_t n)
{
    return ks_advise_huge(ks_xrealloc(p, n), n);
}

/* Doubled as rows are appended one at a time; a reader that knows how many rows come
 * asks for them at once (one allocation, no copies). */
void
ks_samples_reserve(struct ks_samples *s, size_t need)
{
    if (need <= s->cap)
        return;
    size_t cap = s->cap ? 2 * s->cap : 1024;
    if (cap < need)
        cap = need;
    s->time = column_realloc(s->time, cap * sizeof *s->time);
    s->ent = column_realloc(s->ent, cap * sizeof *s->ent);
    s->interval_s = column_realloc(s->interval_s, cap * sizeof *s->interval_s);
    for (int m = 0; m < KS_NMETRIC; m++)
        if (s->m[m])
            s->m[m] = column_realloc(s->m[m], cap * sizeof(double));
    if (s->nextra)
        s->extra = column_realloc(s->extra, cap * s->nextra * sizeof *s->extra);
    s->cap = cap;
}

void
ks_samples_enable(struct ks_samples *s, int m)
{
    if (s->m[m])
        return;
    s->m[m] = ks_advise_huge(ks_xmalloc((s->cap ? s->cap : 1) * sizeof(double)),
                             (s->cap ? s->cap : 1) * sizeof(double));
    for (size_t i = 0; i < s->nrows; i++)
        s->m[m][i] = NAN;
}

void
ks_samples_append(struct ks_samples *s, double time, uint32_t ent, double interval_s,
                  const double *metrics)
{
    for (int m = 0; m < KS_NMETRIC; m++)
        if (!s->m[m] && !isnan(metrics[m]) && (!s->keep || (s->keep >> m & 1)))
            ks_samples_enable(s, m);
    ks_samples_reserve(s, s->nrows + 1);
    size_t r = s->nrows++;
    s->time[r] = time;
    s->ent[r] = ent;
    s->interval_s[r] = interval_s;
    for (int m = 0; m < KS_NMETRIC; m++)
        if (s->m[m])
            s->m[m][r] = metrics[m];
    for (size_t j = 0; j < s->nextra; j++)
        s->extra[r * s->nextra + j] = NULL;
}

double
ks_samples_get(const struct ks_samples *s, size_t r, enum ks_metric m)
{
    return s->m[m] ? s->m[m][r] : NAN;
}

int
ks_dataset_check_name(const char *where, unsigned long line, const char *field, const char *v,
                      struct ks_err *err)
{
    long at = v ? ks_ctrl_at(v) : -1;
    char pos[32] = "";
    if (at < 0)
        return 0;
    if (line)
        snprintf(pos, sizeof pos, ":%lu", line);
    return ks_errf(err, -EINVAL,
                   "%s%s: %s: '%.60s' holds a control character (byte 0x%02x at offset %ld); "
                   "names must be printable",
                   where, pos, field, v, (unsigned)(unsigned char)v[at], at);
}

static int
check_inventory(struct ks_dataset *ds, const char *path, struct ks_err *err)
{
    struct ks_table *t = &ds->inv;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *e = ks_table_get(t, r, 0), *k = ks_table_get(t, r, 1);
        const char *hv = ks_table_str(t, r, "hypervisor");
        size_t i;
        if (!e)
            return ks_errf(err, -EINVAL, "%s:%lu: column 'entity' is empty", path, t->lines[r]);
        if (ks_dataset_check_name(path, t->lines[r], "column 'entity'", e, err) < 0 ||
            ks_dataset_check_name(path, t->lines[r], "column 'hostname'", ks_table_get(t, r, 2),
                                  err) < 0)
            return -EINVAL;
        if (ks_dataset_find(ds, e) >= 0)
            return ks_errf(err, -EINVAL, "%s:%lu: entity '%s' appears twice", path,
                           t->lines[r], e);
        for (i = 0; kinds[i] && !(k && strcmp(k, kinds[i]) == 0); i++)
            ;
        if (!kinds[i])
            return ks_errf(err, -EINVAL,
                           "%s:%lu: column 'kind': '%s' is not physical, vm or host", path,
                           t->lines[r], k ? k : "");
        for (i = 0; hv && hypervisors[i] && strcmp(hv, hypervisors[i]) != 0; i++)
            ;
        if (hv && !hypervisors[i])
            return ks_errf(err, -EINVAL,
                           "%s:%lu: column 'hypervisor': '%s' is not none, kvm, xen, hyperv, "
                           "vmware or other",
                           path, t->lines[r], hv);
        ks_map_put(&ds->ent_ix, e, (uint32_t)r);
    }
    static const char *const numeric[] = {"sockets", "cores",    "threads",    "core_MHz",
                                          "mem_MiB", "nic_count", "nic_Mbps", "disk_count"};
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < sizeof numeric / sizeof *numeric; c++) {
            double v;
            if (ks_table_check_num(t, path, r, numeric[c], 1, &v, err) < 0)
                return -EINVAL;
            if (v < 0) /* a count, MHz or MiB: a negative one is a wrong answer later */
                return ks_errf(err, -EINVAL, "%s:%lu: column '%s': '%s' is negative", path,
                               t->lines[r], numeric[c], ks_table_str(t, r, numeric[c]));
        }
    return 0;
}

/* Reorder the inventory so canonical columns come first, extras after. The output
 * columns are settled first and the cells moved once: adding 60,000 extra columns one
 * by one (each add copies every row) took a minute. */
static void
canonical_inventory(struct ks_table *in, struct ks_table *out)
{
    struct ks_map ix; /* output column name -> index */
    size_t *to = ks_xmalloc((in->ncols ? in->ncols : 1) * sizeof *to);
    ks_map_init(&ix);
    ks_table_init(out, ks_inv_cols, KS_INV_NCOLS);
    for (size_t c = 0; c < KS_INV_NCOLS; c++)
        ks_map_put(&ix, ks_inv_cols[c], (uint32_t)c);
    size_t ncols = KS_INV_NCOLS;
    /* room for every column at once: growing by one copies the array every time */
    out->cols = ks_xrealloc(out->cols, (KS_INV_NCOLS + in->ncols) * sizeof *out->cols);
    for (size_t c = 0; c < in->ncols; c++) {
        uint32_t o;
        if (!ks_map_get(&ix, in->cols[c], &o)) {
            o = (uint32_t)ncols++;
            ks_map_put(&ix, in->cols[c], o);
            out->cols[o] = ks_xstrdup(in->cols[c]);
        }
        to[c] = o;
    }
    out->ncols = ncols;
    for (size_t r = 0; r < in->nrows; r++) {
        size_t o = ks_table_add_row(out);
        out->lines[o] = in->lines[r];
        char **dst = out->cells + o * ncols, **src = in->cells + r * in->ncols;
        for (size_t c = 0; c < in->ncols; c++) {
            if (dst[to[c]]) /* a repeated column: the last one wins, as ks_table_set did */
                free(dst[to[c]]);
            dst[to[c]] = src[c]; /* moved, not copied */
            src[c] = NULL;
        }
    }
    ks_map_fini(&ix);
    free(to);
}

static int
file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Names in flows.csv (entity, and the src and dst endpoints, which the report maps to
 * entity names) are refused with control bytes, as in the inventory. */
static int
check_flows(const struct ks_table *f, const char *path, struct ks_err *err)
{
    static const char *const names[] = {"entity", "src", "dst"};
    for (size_t i = 0; i < 3; i++) {
        int c = ks_table_col(f, names[i]);
        char field[32];
        snprintf(field, sizeof field, "column '%s'", names[i]);
        for (size_t r = 0; r < f->nrows; r++)
            if (ks_dataset_check_name(path, f->lines[r], field, ks_table_get(f, r, c), err) < 0)
                return -EINVAL;
    }
    return 0;
}

int
ks_dataset_read(const char *dir, struct ks_dataset **out, struct ks_err *err)
{
    return ks_dataset_read_keep(dir, 0, out, err);
}

int
ks_dataset_read_keep(const char *dir, unsigned keep, struct ks_dataset **out, struct ks_err *err)
{
    static const char *const inv_req[] = {"entity", "kind", NULL};
    struct ks_dataset *ds = ks_xcalloc(1, sizeof *ds);
    ds->s.keep = keep;
    struct ks_table raw;
    char *p = ks_path_join(dir, "inventory.csv");
    struct ks_manifest_defer d = {.name = "samples.csv"};
    int rc, mc;
    ks_map_init(&ds->ent_ix);
    if (!file_exists(dir)) {
        rc = ks_errf(err, -ENOENT, "%s: no such dataset directory", dir);
        goto fail;
    }
    /* Written whole by gen/import? Unchanged? samples.csv's hash is taken as it is read
     * (not with a fault armed: the fault tests count the reads of a whole check). */
    if ((rc = ks_manifest_check_but(dir, ks_fault_armed ? NULL : &d, err)) < 0)
        goto fail;
    rc = ks_table_read(p, inv_req, &raw, err);
    if (rc < 0)
        goto fail_unread;
    canonical_inventory(&raw, &ds->inv);
    ks_table_fini(&raw);
    if ((rc = check_inventory(ds, p, err)) < 0)
        goto fail_unread;
    free(p);
    /* samples.csv or samples.csv.zst (never both), read the same way */
    if ((rc = ks_zst_pick(dir, "samples.csv", &p, err)) < 0)
        goto fail_unread;
    if (rc > 0 && (rc = ks_samples_read_checked(ds, p, dir, &d, err)) < 0)
        goto fail;
    free(p);
    p = NULL;
    if ((rc = ks_manifest_check_file(dir, &d, err)) < 0) /* listed, yet not read */
        goto fail;
    /* ks_table_read wants a NULL-terminated list; ks_flow_cols has no terminator. */
    static const char *const flow_req[] = {"time",  "entity", "src",   "dst",
                                           "proto", "dport",  "bytes", "packets", NULL};
    if ((rc = ks_zst_pick(dir, "flows.csv", &p, err)) < 0 ||
        (rc > 0 && ((rc = ks_table_read(p, flow_req, &ds->flows, err)) < 0 ||
                    (rc = check_flows(&ds->flows, p, err)) < 0)))
        goto fail;
    free(p);
    *out = ds;
    return 0;
fail_unread: /* the manifest's verdict on samples.csv first, as a whole check gives it */
    if ((mc = ks_manifest_check_file(dir, &d, err)) < 0)
        rc = mc;
fail:
    free(p);
    ks_dataset_free(ds);
    return rc;
}

/* ---- writing -------------------------------------------------------------------- */

void
ks_samples_put_header(FILE *f, char *const *extra_names, size_t nextra)
{
    fputs("time,entity,interval_s", f);
    for (int m = 0; m < KS_NMETRIC; m++)
        ks_csv_put(f, ks_metric_names[m], 0);
    for (size_t j = 0; j < nextra; j++)
        ks_csv_put(f, extra_names[j], 0);
    fputc('\n', f);
}

void
ks_samples_put_row(FILE *f, double time, const char *entity, double interval_s,
                   const double *metrics, char *const *extra, size_t nextra)
{
    ks_csv_put_num(f, time, 1);
    ks_csv_put(f, entity, 0);
    ks_csv_put_num(f, interval_s, 0);
    for (int m = 0; m < KS_NMETRIC; m++)
        ks_csv_put_num(f, metrics[m], 0);
    for (size_t j = 0; j < nextra; j++)
        ks_csv_put(f, extra ? extra[j] : NULL, 0);
    fputc('\n', f);
}

static int
write_samples(const struct ks_dataset *ds, const char *path, struct ks_err *err)
{
    const struct ks_samples *s = &ds->s;
    struct ks_afile af;
    int rc = ks_afile_open(&af, path, err);
    if (rc < 0)
        return rc;
    ks_samples_put_header(af.f, s->extra_names, s->nextra);
    double met[KS_NMETRIC];
    for (size_t r = 0; r < s->nrows; r++) {
        for (int m = 0; m < KS_NMETRIC; m++)
            met[m] = s->m[m] ? s->m[m][r] : NAN;
        ks_samples_put_row(af.f, s->time[r], ks_dataset_entity(ds, s->ent[r]), s->interval_s[r],
                           met, s->nextra ? s->extra + r * s->nextra : NULL, s->nextra);
    }
    return ks_afile_commit(&af, err);
}

int
ks_dataset_write(const struct ks_dataset *ds, const char *dir, struct ks_err *err)
{
    int rc = ks_mkdir_p(dir, err);
    if (rc < 0)
        return rc;
    char *p = ks_path_join(dir, "inventory.csv");
    rc = ks_table_write(&ds->inv, p, err);
    free(p);
    if (rc == 0 && (ds->has_samples || ds->s.nrows)) {
        p = ks_path_join(dir, "samples.csv");
        rc = write_samples(ds, p, err);
        free(p);
    }
    if (rc == 0 && ds->flows.ncols) {
        p = ks_path_join(dir, "flows.csv");
        rc = ks_table_write(&ds->flows, p, err);
        free(p);
    }
    return rc;
}
