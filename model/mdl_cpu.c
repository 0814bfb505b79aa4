/* Per-source CPU ratings (see mdl_cpu.h). */
#include "model/mdl_cpu.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_data.h"
#include "core/ks_table.h"

/* datasets/cpu/ratings.csv, one string per line (Makefile: cpu_ratings.inc). */
static const char *const BUILTIN[] = {
#include "cpu_ratings.inc"
    NULL};

static const char *const DROP[] = {"intel", "amd", "cpu", "processor", "genuine", NULL};

/* A word to drop: one of DROP, or "<something>-core" (dual-core, 32-core). */
static int
dropped(const char *w, size_t n)
{
    for (size_t i = 0; DROP[i]; i++)
        if (strlen(DROP[i]) == n && memcmp(DROP[i], w, n) == 0)
            return 1;
    return n > 5 && memcmp(w + n - 5, "-core", 5) == 0;
}

/* Lower case with separators as spaces; stops at '@'. */
static void
lower_spaced(const char *in, char *out, size_t n)
{
    static const char *const MARKS[] = {"(r)", "(tm)", "\xc2\xae", "\xe2\x84\xa2", NULL};
    size_t o = 0;
    for (const char *p = in; *p && *p != '@' && o + 1 < n;) {
        size_t skip = 0;
        for (size_t i = 0; MARKS[i] && !skip; i++)
            if (strncasecmp(p, MARKS[i], strlen(MARKS[i])) == 0)
                skip = strlen(MARKS[i]);
        unsigned char c = (unsigned char)*p;
        out[o++] = skip || c == '(' || c == ')' || c == ',' || isspace(c) ? ' '
                                                                          : (char)tolower(c);
        p += skip ? skip : 1;
    }
    out[o] = 0;
}

void
mdl_cpu_normalize(const char *in, char *out, size_t n)
{
    if (n == 0)
        return;
    char *tmp = ks_xmalloc(n);
    lower_spaced(in, tmp, n);
    size_t o = 0;
    for (char *w = tmp; *w;) {
        while (*w == ' ')
            w++;
        size_t len = strcspn(w, " ");
        if (len && !dropped(w, len) && o + len + (o > 0) < n) {
            if (o)
                out[o++] = ' ';
            memcpy(out + o, w, len);
            o += len;
        }
        w += len;
    }
    out[o] = 0;
    free(tmp);
}

/* key's words at a word start of s, the next word (if any) not a version "v<digit>". */
static int
words_match(const char *s, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = s; (p = strstr(p, key)) != NULL; p++) {
        if (p != s && p[-1] != ' ')
            continue;
        const char *end = p + k;
        if (*end == 0)
            return 1;
        if (*end == ' ' && !(end[1] == 'v' && isdigit((unsigned char)end[2])))
            return 1;
    }
    return 0;
}

const struct mdl_cpu_row *
mdl_cpu_lookup(const struct mdl_cpu_table *t, const char *model)
{
    if (!t || !model || !*model)
        return NULL;
    size_t n = strlen(model) + 1;
    char *norm = ks_xmalloc(n);
    mdl_cpu_normalize(model, norm, n);
    const struct mdl_cpu_row *hit = NULL;
    for (size_t i = 0; i < t->n && !hit && *norm; i++)
        if (words_match(norm, t->rows[i].key))
            hit = &t->rows[i];
    free(norm);
    return hit;
}

static int
by_key_length(const void *a, const void *b)
{
    size_t la = strlen(((const struct mdl_cpu_row *)a)->key);
    size_t lb = strlen(((const struct mdl_cpu_row *)b)->key);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Rows of a read table; errors name name:line and the column. */
static int
from_table(const struct ks_table *tab, const char *name, struct mdl_cpu_table *t,
           struct ks_err *err)
{
    t->rows = ks_xcalloc(tab->nrows ? tab->nrows : 1, sizeof *t->rows);
    for (size_t r = 0; r < tab->nrows; r++) {
        double perf;
        int rc = ks_table_check_num(tab, name, r, "perf_per_core", 0, &perf, err);
        if (rc == 0 && !(perf > 0 && perf < 1000))
            rc = ks_errf(err, -EINVAL, "%s:%lu: column 'perf_per_core': %g is outside (0, 1000)",
                         name, tab->lines[r], perf);
        const char *cpu = ks_table_str(tab, r, "cpu");
        if (rc == 0 && !cpu)
            rc = ks_errf(err, -EINVAL, "%s:%lu: column 'cpu' is empty", name, tab->lines[r]);
        if (rc < 0)
            return rc;
        struct mdl_cpu_row *row = &t->rows[t->n++];
        size_t n = strlen(cpu) + 1;
        row->cpu = ks_xstrdup(cpu);
        row->key = ks_xmalloc(n);
        mdl_cpu_normalize(cpu, row->key, n);
        row->perf = perf;
        const char *src = ks_table_str(tab, r, "source");
        row->source = ks_xstrdup(src ? src : "");
        if (!*row->key)
            return ks_errf(err, -EINVAL, "%s:%lu: column 'cpu': '%s' names no model", name,
                           tab->lines[r], cpu);
    }
    qsort(t->rows, t->n, sizeof *t->rows, by_key_length);
    return 0;
}

static const char *const REQUIRED[] = {"cpu", "perf_per_core", "source", NULL};

static int
finish(struct ks_table *tab, int rc, const char *name, struct mdl_cpu_table *t,
       struct ks_err *err)
{
    if (rc == 0) {
        t->origin = ks_xstrdup(name);
        rc = from_table(tab, name, t, err);
        ks_table_fini(tab);
    }
    if (rc < 0)
        mdl_cpu_table_fini(t);
    return rc;
}

int
mdl_cpu_table_builtin(struct mdl_cpu_table *t, struct ks_err *err)
{
    memset(t, 0, sizeof *t);
    size_t len = 0;
    for (size_t i = 0; BUILTIN[i]; i++)
        len += strlen(BUILTIN[i]);
    char *buf = ks_xmalloc(len + 1), *p = buf;
    for (size_t i = 0; BUILTIN[i]; i++)
        p = stpcpy(p, BUILTIN[i]);
    struct ks_table tab;
    const char *name = "built-in datasets/cpu/ratings.csv";
    int rc = ks_table_read_mem(buf, len, name, REQUIRED, &tab, err);
    rc = finish(&tab, rc, name, t, err);
    free(buf);
    return rc;
}

static int
cpu_table_read(const char *path, struct mdl_cpu_table *t, struct ks_err *err)
{
    memset(t, 0, sizeof *t);
    struct ks_table tab;
    int rc = ks_table_read(path, REQUIRED, &tab, err);
    return finish(&tab, rc, path, t, err);
}

/* A path, or the name of a shipped rating table (DATADIR/cpu/NAME.csv). */
int
mdl_cpu_table_read(const char *arg, struct mdl_cpu_table *t, struct ks_err *err)
{
    char *path;
    int rc = ks_data_find("cpu", arg, ".csv", &path, err);
    if (rc == 0)
        rc = cpu_table_read(path, t, err);
    free(path);
    return rc;
}

void
mdl_cpu_table_fini(struct mdl_cpu_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].cpu);
        free(t->rows[i].key);
        free(t->rows[i].source);
    }
    free(t->rows);
    free(t->origin);
    memset(t, 0, sizeof *t);
}

int
mdl_cpu_rate(const struct mdl_cpu_table *t, const struct ks_dataset *ds, size_t e,
             double assumed, struct mdl_cpu_rating *out, struct ks_err *err)
{
    memset(out, 0, sizeof *out);
    const char *given = ks_inv_str(ds, e, "cpu_perf");
    if (given && *given) {
        double v = ks_inv_num(ds, e, "cpu_perf");
        unsigned long line = ds->inv.lines ? ds->inv.lines[e] : 0; /* 0: a merged room */
        char at[32] = "";
        if (line)
            snprintf(at, sizeof at, ":%lu", line);
        if (!(v > 0 && v < 1000))
            return ks_errf(err, -EINVAL,
                           "inventory.csv%s: entity '%s': column 'cpu_perf': '%s' is not a "
                           "rating in (0, 1000) (1.0 = a Xeon E5450 core; empty = look up "
                           "cpu_model)",
                           at, ks_dataset_entity(ds, e), given);
        out->perf = v;
        out->origin = MDL_CPU_INVENTORY;
        return 0;
    }
    const struct mdl_cpu_row *row = mdl_cpu_lookup(t, ks_inv_str(ds, e, "cpu_model"));
    out->perf = row ? row->perf : assumed;
    out->origin = row ? MDL_CPU_TABLE : MDL_CPU_ASSUMED;
    out->row = row;
    return 0;
}

const char *
mdl_cpu_origin_name(enum mdl_cpu_origin o)
{
    return o == MDL_CPU_INVENTORY ? "inventory" : o == MDL_CPU_TABLE ? "table" : "assumed";
}

double
mdl_cpu_ref_MHz(double busy_MHz, double cores, double threads, double core_MHz, double perf,
                double smt_yield)
{
    if (!(threads > cores && cores > 0 && core_MHz > 0))
        return perf * busy_MHz;
    double busy = busy_MHz / core_MHz;
    double work = busy <= cores ? busy : cores + (busy - cores) * smt_yield;
    return perf * work * core_MHz;
}
