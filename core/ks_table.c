#include "core/ks_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_csv.h"

static uint64_t
hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

void
ks_map_init(struct ks_map *m)
{
    memset(m, 0, sizeof *m);
}

void
ks_map_fini(struct ks_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static size_t
slot(const struct ks_map *m, const char *key)
{
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

int
ks_map_get(const struct ks_map *m, const char *key, uint32_t *val)
{
    if (!m->cap)
        return 0;
    size_t i = slot(m, key);
    if (!m->keys[i])
        return 0;
    *val = m->vals[i];
    return 1;
}

static void
rehash(struct ks_map *m)
{
    struct ks_map old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = ks_xcalloc(m->cap, sizeof *m->keys);
    m->vals = ks_xcalloc(m->cap, sizeof *m->vals);
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.keys[i])
            continue;
        size_t j = slot(m, old.keys[i]);
        m->keys[j] = old.keys[i];
        m->vals[j] = old.vals[i];
    }
    free(old.keys);
    free(old.vals);
}

void
ks_map_put(struct ks_map *m, const char *key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap)
        rehash(m);
    size_t i = slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = ks_xstrdup(key);
        m->n++;
    }
    m->vals[i] = val;
}

void
ks_table_init(struct ks_table *t, const char *const *cols, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->cols = ks_xcalloc(ncols ? ncols : 1, sizeof *t->cols);
    for (size_t i = 0; i < ncols; i++)
        t->cols[i] = ks_xstrdup(cols[i]);
}

void
ks_table_fini(struct ks_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    free(t->cells);
    free(t->cols);
    free(t->lines);
    memset(t, 0, sizeof *t);
}

int
ks_table_col(const struct ks_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i], name) == 0)
            return (int)i;
    return -1;
}

int
ks_table_add_col(struct ks_table *t, const char *name)
{
    int c = ks_table_col(t, name);
    if (c >= 0)
        return c;
    size_t nc = t->ncols + 1;
    char **cells = ks_xcalloc(t->rowcap ? t->rowcap * nc : 1, sizeof *cells);
    for (size_t r = 0; r < t->nrows; r++)
        memcpy(cells + r * nc, t->cells + r * t->ncols, t->ncols * sizeof *cells);
    free(t->cells);
    t->cells = cells;
    t->cols = ks_xrealloc(t->cols, nc * sizeof *t->cols);
    t->cols[t->ncols] = ks_xstrdup(name);
    t->ncols = nc;
    return (int)nc - 1;
}

size_t
ks_table_add_row(struct ks_table *t)
{
    if (t->nrows == t->rowcap) {
        size_t cap = t->rowcap ? t->rowcap * 2 : 16;
        t->cells = ks_xrealloc(t->cells, cap * (t->ncols ? t->ncols : 1) * sizeof *t->cells);
        t->lines = ks_xrealloc(t->lines, cap * sizeof *t->lines);
        t->rowcap = cap;
    }
    memset(t->cells + t->nrows * t->ncols, 0, t->ncols * sizeof *t->cells);
    t->lines[t->nrows] = 0;
    return t->nrows++;
}

const char *
ks_table_get(const struct ks_table *t, size_t row, int col)
{
    if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
        return NULL;
    return t->cells[row * t->ncols + (size_t)col];
}

const char *
ks_table_str(const struct ks_table *t, size_t row, const char *col)
{
    return ks_table_get(t, row, ks_table_col(t, col));
}

double
ks_table_num(const struct ks_table *t, size_t row, const char *col)
{
    double v;
    const char *s = ks_table_str(t, row, col);
    return s && ks_parse_double(s, &v) == 0 ? v : ks_nan();
}

void
ks_table_set(struct ks_table *t, size_t row, int col, const char *val)
{
    char **cell = &t->cells[row * t->ncols + (size_t)col];
    free(*cell);
    *cell = val && *val ? ks_xstrdup(val) : NULL;
}

void
ks_table_set_num(struct ks_table *t, size_t row, int col, double v)
{
    char b[KS_NUMBUF];
    ks_table_set(t, row, col, ks_fmt_double(b, v));
}

/* Rows of an open reader into t; closes the reader. name is the file in messages. */
static int
table_read(struct ks_csv_reader *r, const char *name, const char *const *required,
           struct ks_table *t, struct ks_err *err)
{
    const struct ks_csv_row *row;
    int rc = ks_csv_next(r, &row, err);
    if (rc <= 0) {
        ks_csv_close(r);
        return rc < 0 ? rc : ks_errf(err, -EINVAL, "%s: empty file (no header row)", name);
    }
    ks_table_init(t, (const char *const *)row->f, row->n);
    for (size_t i = 0; required && required[i]; i++) {
        if (ks_table_col(t, required[i]) < 0) {
            rc = ks_errf(err, -EINVAL, "%s:1: missing column '%s'", name, required[i]);
            goto fail;
        }
    }
    while ((rc = ks_csv_next(r, &row, err)) > 0) {
        if (row->n != t->ncols) {
            rc = ks_errf(err, -EINVAL, "%s:%lu: %zu fields, the header has %zu", name,
                         row->line, row->n, t->ncols);
            goto fail;
        }
        size_t i = ks_table_add_row(t);
        t->lines[i] = row->line;
        for (size_t c = 0; c < row->n; c++)
            ks_table_set(t, i, (int)c, row->f[c]);
    }
    if (rc < 0)
        goto fail;
    ks_csv_close(r);
    return 0;
fail:
    ks_csv_close(r);
    ks_table_fini(t);
    return rc;
}

int
ks_table_read(const char *path, const char *const *required, struct ks_table *t,
              struct ks_err *err)
{
    struct ks_csv_reader *r;
    memset(t, 0, sizeof *t);
    int rc = ks_csv_open(path, ',', &r, err);
    return rc < 0 ? rc : table_read(r, path, required, t, err);
}

int
ks_table_read_mem(const char *buf, size_t len, const char *name, const char *const *required,
                  struct ks_table *t, struct ks_err *err)
{
    memset(t, 0, sizeof *t);
    return table_read(ks_csv_open_mem(buf, len, ',', name), name, required, t, err);
}

/* One row of n cells; sheet: each through ks_csv_cell_enc (spreadsheet-safe). */
static void
put_row(FILE *f, char *const *cells, size_t n, int sheet)
{
    for (size_t i = 0; i < n; i++) {
        char *owned = NULL;
        ks_csv_put(f, sheet ? ks_csv_cell_enc(cells[i], &owned) : cells[i], i == 0);
        free(owned);
    }
    fputc('\n', f);
}

static int
table_write(const struct ks_table *t, const char *path, int sheet, struct ks_err *err)
{
    struct ks_afile af;
    int rc = ks_afile_open(&af, path, err);
    if (rc < 0)
        return rc;
    put_row(af.f, t->cols, t->ncols, sheet);
    for (size_t r = 0; r < t->nrows; r++)
        put_row(af.f, t->cells + r * t->ncols, t->ncols, sheet);
    return ks_afile_commit(&af, err);
}

int
ks_table_write(const struct ks_table *t, const char *path, struct ks_err *err)
{
    return table_write(t, path, 0, err);
}

int
ks_table_write_sheet(const struct ks_table *t, const char *path, struct ks_err *err)
{
    return table_write(t, path, 1, err);
}

int
ks_table_check_num(const struct ks_table *t, const char *path, size_t row, const char *col,
                   int allow_empty, double *out, struct ks_err *err)
{
    const char *s = ks_table_str(t, row, col);
    unsigned long line = t->lines ? t->lines[row] : 0;
    if (!s) {
        if (allow_empty) {
            *out = ks_nan();
            return 0;
        }
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is empty", path, line, col);
    }
    if (ks_parse_double(s, out) < 0)
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s': '%s' is not a number", path, line,
                       col, s);
    return 0;
}

/* Decoded after reading (required columns are matched before: plan headers are
 * kasane's own and never start with a prefixed character). */
int
ks_table_read_sheet(const char *path, const char *const *required, struct ks_table *t,
                    struct ks_err *err)
{
    int rc = ks_table_read(path, required, t, err);
    for (size_t c = 0; rc == 0 && c < t->ncols; c++)
        ks_csv_cell_dec(t->cols[c]);
    for (size_t i = 0; rc == 0 && i < t->nrows * t->ncols; i++)
        ks_csv_cell_dec(t->cells[i]);
    return rc;
}
