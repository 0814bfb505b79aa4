/*
 * col_import: the format registry, the import driver, and helpers every importer
 * shares (input listing, notes for the report, number parsing and fast formatting).
 */
#include "collect/col_import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/col_import_int.h"

/* Every importer has the same shape: read o->inputs, fill the sink's inventory and
 * runs, count skips in the report, return 0 or a negative code with err set. */
typedef int (*import_fn)(const struct col_import_opts *, struct col_isink *,
                         struct col_import_report *, struct ks_err *);

const struct col_import_format col_import_formats[] = {
    {"sar", "sysstat saDD files (via sadf -d -U) or sadf -d text",
     COL_OPT_CORE_MHZ | COL_OPT_CPU_MODEL | COL_OPT_KIND | COL_OPT_SADF, 1},
    {"bitbrains", "GWA-T-12 Bitbrains per-VM files (';' + TAB separated)",
     COL_OPT_STEP | COL_OPT_KIND, 1},
    {"planetlab", "CloudSim PlanetLab directories (one CPU % per line, 5-minute steps)",
     COL_OPT_START | COL_OPT_VM_SIZE | COL_OPT_STEP | COL_OPT_KIND, 1},
    {"rvtools", "RVTools export: .xlsx, CSV tabs (vInfo, vHost, vCPU, vMemory) or a directory",
     COL_OPT_CORE_MHZ | COL_OPT_CPU_MODEL, 0},
    {"perfmon", "Windows Performance Monitor CSV logs (typeperf -f CSV, relog -f csv)",
     COL_OPT_CORE_MHZ | COL_OPT_CPU_MODEL | COL_OPT_HW | COL_OPT_KIND, 1},
    {NULL, NULL, 0, 0},
};

/* Same order as col_import_formats. */
static const import_fn runners[] = {col_import_sar, col_import_bitbrains, col_import_planetlab,
                                    col_import_rvtools, col_import_perfmon};

/* NaN is "not given" for every number, so 0 can be a real value (e.g. --start 0). */
void
col_import_opts_init(struct col_import_opts *o)
{
    memset(o, 0, sizeof *o);
    o->start_s = o->step_s = o->vm_MHz = o->vm_mem_MiB = o->core_MHz = NAN;
    o->cores = o->threads = o->mem_MiB = NAN;
}

const struct col_import_format *
col_import_find(const char *name)
{
    for (const struct col_import_format *f = col_import_formats; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* Frees what col_isink_write and col_import_note allocated; safe on a report that an
 * early error left half filled (it was zeroed by col_import_run). */
void
col_import_report_fini(struct col_import_report *r)
{
    for (size_t i = 0; i < r->nent; i++)
        free(r->ent[i].entity);
    free(r->ent);
    for (size_t i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    for (size_t i = 0; i < r->nwarn; i++)
        free(r->warn[i]);
    memset(r, 0, sizeof *r);
}

/* Notes are for a human reading the summary: the first COL_IMPORT_MAX_NOTES are
 * kept word for word, the rest only counted, so a directory of 10,000 unrelated files
 * cannot flood memory or the terminal. */
void
col_import_note(struct col_import_report *r, const char *fmt, ...)
{
    r->notes_total++;
    if (r->nnotes >= COL_IMPORT_MAX_NOTES)
        return;
    char raw[1024], buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ks_escape(buf, sizeof buf, raw); /* notes quote file and VM names: printed as is */
    r->notes[r->nnotes++] = ks_xstrdup(buf);
}

void
col_import_warn(struct col_import_report *r, const char *fmt, ...)
{
    if (r->nwarn >= COL_IMPORT_MAX_NOTES)
        return;
    char raw[1024], buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ks_escape(buf, sizeof buf, raw);
    for (size_t i = 0; i < r->nwarn; i++)
        if (strcmp(r->warn[i], buf) == 0)
            return; /* one host's 30 daily files: one warning */
    r->warn[r->nwarn++] = ks_xstrdup(buf);
}

/* The driver: one sink per import, the format's reader, then the merge and the files.
 * The temporary record file lives in the output directory so that it lands on the
 * same file system as the result (no /tmp size limit on a multi-GB import). */
int
col_import_run(const struct col_import_opts *o, struct col_import_report *rep, struct ks_err *err)
{
    const struct col_import_format *f = col_import_find(o->format);
    memset(rep, 0, sizeof *rep);
    rep->first_s = rep->last_s = rep->step_s = NAN;
    if (!f)
        return ks_errf(err, -EINVAL,
                       "unknown format '%s' (sar, bitbrains, planetlab, rvtools, perfmon)",
                       o->format);
    if (!o->ninputs)
        return ks_errf(err, -EINVAL, "no input files");
    struct col_isink *s = col_isink_new(o, rep);
    int rc = col_isink_open(s, o->out_dir, err);
    if (rc == 0)
        rc = runners[f - col_import_formats](o, s, rep, err);
    if (rc == 0 && ks_dataset_nent(col_isink_ds(s)) == 0)
        rc =
            ks_errf(err, -EINVAL, "%s: no %s data found (%lu files read, %lu skipped as unrelated)",
                    o->inputs[0], f->name, rep->files_read, rep->files_skipped);
    if (rc == 0)
        rc = col_isink_write(s, o->out_dir, f->samples, err);
    col_isink_free(s);
    return rc;
}

/* ---- inputs ---------------------------------------------------------------------- */

/* Append one path (owned by the list) with where it came from. */
static void
flist_add(struct col_flist *fl, char *path, int from_dir, size_t dir_ix)
{
    size_t cap = fl->cap;
    fl->path = ks_xgrow(fl->path, &cap, fl->n + 1, sizeof *fl->path);
    cap = fl->cap;
    fl->from_dir = ks_xgrow(fl->from_dir, &cap, fl->n + 1, sizeof *fl->from_dir);
    cap = fl->cap;
    fl->dir_ix = ks_xgrow(fl->dir_ix, &cap, fl->n + 1, sizeof *fl->dir_ix);
    fl->cap = cap;
    fl->path[fl->n] = path;
    fl->from_dir[fl->n] = (unsigned char)from_dir;
    fl->dir_ix[fl->n++] = dir_ix;
}

/* strcmp order, not the locale's: the same names sort the same everywhere. */
static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular, non-hidden files of dir in strcmp order (a fixed order makes --cloudsim-types
 * and every output repeatable); anything else is a counted skip. */
static int
list_dir(struct col_flist *fl, const char *dir, size_t ix, struct col_import_report *rep,
         struct ks_err *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        return ks_errf(err, -e, "%s: cannot open directory: %s", dir, strerror(e));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        names = ks_xgrow(names, &cap, n + 1, sizeof *names);
        names[n++] = ks_xstrdup(de->d_name);
    }
    closedir(d);
    if (n) /* an empty directory leaves names NULL */
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *p = ks_xasprintf("%s/%s", dir, names[i]);
        struct stat st;
        if (names[i][0] == '.' || stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            rep->files_skipped++;
            col_import_note(rep, "%s: skipped (%s)", p,
                            names[i][0] == '.' ? "hidden file" : "not a regular file");
            free(p);
        } else {
            flist_add(fl, p, 1, ix);
        }
        free(names[i]);
    }
    free(names);
    return 0;
}

/* Named files are taken as they are (their errors are the user's to see); only the
 * contents of named directories are filtered. A missing input is an error at once,
 * before anything is written. */
int
col_flist_build(struct col_flist *fl, char *const *inputs, size_t ninputs,
                struct col_import_report *rep, struct ks_err *err)
{
    memset(fl, 0, sizeof *fl);
    for (size_t i = 0; i < ninputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) != 0) {
            int e = errno;
            return ks_errf(err, -e, "%s: %s", inputs[i], strerror(e));
        }
        if (S_ISDIR(st.st_mode)) {
            int rc = list_dir(fl, inputs[i], i, rep, err);
            if (rc < 0)
                return rc;
        } else {
            flist_add(fl, ks_xstrdup(inputs[i]), 0, i);
        }
    }
    return 0;
}

void
col_flist_fini(struct col_flist *fl)
{
    for (size_t i = 0; i < fl->n; i++)
        free(fl->path[i]);
    free(fl->path);
    free(fl->from_dir);
    free(fl->dir_ix);
    memset(fl, 0, sizeof *fl);
}

/* Only the last byte is read: cheap enough to ask for every input file. An unreadable
 * file answers 1 so that the reader, not this check, reports the problem. */
int
col_ends_with_newline(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1; /* the reader reports the open error */
    struct stat st;
    char c = '\n';
    if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &c, 1, st.st_size - 1) != 1)
        c = '\n';
    close(fd);
    return c == '\n';
}

/* "dir/1.csv" -> "1" (strip_ext) or "1.csv"; a leading dot is not an extension. */
char *
col_stem(const char *path, int strip_ext)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strip_ext ? strrchr(b, '.') : NULL;
    return dot && dot != b ? ks_xstrndup(b, (size_t)(dot - b)) : ks_xstrdup(b);
}

/* Every measured quantity kasane imports is a rate, a size or a share: negative values
 * are corrupt input, never a meaningful reading. */
int
col_parse_nonneg(const char *s, double *out, const char *path, unsigned long line, const char *col,
                 struct ks_err *err)
{
    if (ks_parse_double(s, out) < 0)
        return ks_errf(err, -EINVAL, "%s:%lu: field '%s': '%.40s' is not a number", path, line, col,
                       s);
    if (*out < 0)
        return ks_errf(err, -EINVAL, "%s:%lu: field '%s': %s is negative", path, line, col, s);
    return 0;
}

void
col_metrics_unknown(double *m)
{
    for (int i = 0; i < KS_NMETRIC; i++)
        m[i] = NAN;
}

/* ---- numbers --------------------------------------------------------------------- */

/* Exact powers of ten: every one is representable, so k / 10^d is one correctly
 * rounded division. */
static const double pow10_tab[] = {1, 10, 100, 1000, 1e4, 1e5, 1e6};

/* Importers round derived values (sums of sadf's two-decimal fields, differences like
 * 100 - idle - iowait) to the precision of their inputs, which removes binary noise such
 * as 16.000000000000004 and lets col_fmt_num take its fast path. */
double
col_round(double v, int d)
{
    return round(v * pow10_tab[d]) / pow10_tab[d];
}

/* Integer k as decimal with d digits after the point, trailing zeros dropped. */
static const char *
fmt_fixed(char *buf, long long k, int d)
{
    char tmp[KS_NUMBUF];
    int n = 0, neg = k < 0;
    unsigned long long u = neg ? (unsigned long long)-k : (unsigned long long)k;
    while (d > 0 && u % 10 == 0) { /* k / 10^d == (k/10) / 10^(d-1) */
        u /= 10;
        d--;
    }
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
        if (n == d)
            tmp[n++] = '.';
    } while (u || n <= d);
    if (tmp[n - 1] == '.')
        tmp[n++] = '0';
    char *p = buf;
    if (neg)
        *p++ = '-';
    while (n)
        *p++ = tmp[--n];
    *p = '\0';
    return buf;
}

const char *
col_fmt_num(char *buf, double v)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return buf;
    }
    if (v == 0) {
        strcpy(buf, "0");
        return buf;
    }
    for (int d = 0; d <= 6; d++) {
        double k = v * pow10_tab[d];
        if (!(fabs(k) < 1e15))
            break;
        double rk = round(k);
        /* v is exactly the double nearest rk / 10^d, which is what strtod of the
         * printed text gives back. */
        if (rk / pow10_tab[d] == v)
            return fmt_fixed(buf, (long long)rk, d);
    }
    return ks_fmt_double(buf, v);
}
