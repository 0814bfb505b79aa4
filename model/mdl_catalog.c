/* Host catalog reading and validation (see mdl_catalog.h). */
#include "model/mdl_catalog.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_table.h"

static const char *const REQUIRED[] = {
    "model",    "sockets",  "cores_per_socket", "threads_per_core", "core_MHz",
    "mem_GiB",  "nic_ports", "nic_Gbps",        "rack_U",           "price",
    "watts_idle", "watts_max", "perf_per_core",  NULL};

/* A required number; positive when must_be_pos (capacity), else >= 0. */
static int
num(const struct ks_table *t, const char *path, size_t row, const char *col, int must_be_pos,
    double *out, struct ks_err *err)
{
    int rc = ks_table_check_num(t, path, row, col, 0, out, err);
    if (rc < 0)
        return rc;
    if (must_be_pos && !(*out > 0))
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is %g: a host model needs capacity > 0",
                       path, t->lines[row], col, *out);
    if (*out < 0)
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is negative (%g)", path,
                       t->lines[row], col, *out);
    return 0;
}

/* Required numbers of one row; capacity columns must be > 0, the rest >= 0. */
static int
read_model(const struct ks_table *t, const char *path, size_t row, struct mdl_model *m,
           struct ks_err *err)
{
    double v[12];
    static const char *const cols[12] = {"sockets",  "cores_per_socket", "threads_per_core",
                                         "core_MHz", "mem_GiB",          "nic_ports",
                                         "nic_Gbps", "rack_U",           "price",
                                         "watts_idle", "watts_max",      "perf_per_core"};
    static const int pos[12] = {1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1};
    int rc = 0;
    for (int c = 0; c < 12 && rc == 0; c++)
        rc = num(t, path, row, cols[c], pos[c], &v[c], err);
    if (rc < 0)
        return rc;
    const char *name = ks_table_str(t, row, "model");
    if (!name)
        return ks_errf(err, -EINVAL, "%s:%lu: column 'model' is empty", path, t->lines[row]);
    m->name = ks_xstrdup(name);
    m->sockets = (int)v[0];
    m->cores_per_socket = (int)v[1];
    m->threads_per_core = (int)v[2];
    m->core_MHz = v[3];
    m->mem_GiB = v[4];
    m->nic_ports = (int)v[5];
    m->nic_Gbps = v[6];
    m->rack_U = v[7];
    m->price = v[8];
    m->watts_idle = v[9];
    m->watts_max = v[10] > v[9] ? v[10] : v[9];
    m->perf_per_core = v[11];
    m->line = t->lines[row];
    const char *src = ks_table_str(t, row, "source");
    m->source = src ? ks_xstrdup(src) : NULL;
    return 0;
}

/* The optional socket columns. */
static int
read_sockets(const struct ks_table *t, const char *path, size_t row, struct mdl_model *m,
             struct ks_err *err)
{
    double v;
    int rc = ks_table_check_num(t, path, row, "min_sockets", 1, &v, err);
    if (rc == 0 && ks_table_col(t, "min_sockets") >= 0 && !isnan(v) &&
        (v < 1 || v > m->sockets))
        rc = ks_errf(err, -EINVAL, "%s:%lu: column 'min_sockets' is %g, not in 1..%d", path,
                     m->line, v, m->sockets);
    m->min_sockets = rc == 0 && ks_table_col(t, "min_sockets") >= 0 && !isnan(v) ? (int)v
                                                                                : m->sockets;
    if (rc == 0)
        rc = ks_table_check_num(t, path, row, "socket_price", 1, &v, err);
    m->socket_price = rc == 0 && ks_table_col(t, "socket_price") >= 0 && !isnan(v)
                          ? v
                          : m->price / m->sockets;
    return rc;
}

/* Rows are validated in file order and the first error wins, so the message names
 * the first bad line; duplicate model names are refused (plans name models). */
int
mdl_catalog_read(const char *path, struct mdl_catalog **out, struct ks_err *err)
{
    struct ks_table t;
    *out = NULL;
    int rc = ks_table_read(path, REQUIRED, &t, err);
    if (rc < 0)
        return rc;
    struct mdl_catalog *c = ks_xcalloc(1, sizeof *c);
    c->path = ks_xstrdup(path);
    c->m = ks_xcalloc(t.nrows ? t.nrows : 1, sizeof *c->m);
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        rc = read_model(&t, path, r, &c->m[r], err);
        c->n += rc == 0;
        if (rc == 0)
            rc = read_sockets(&t, path, r, &c->m[r], err);
        if (rc == 0 && mdl_catalog_find(c, c->m[r].name) != (long)r)
            rc = ks_errf(err, -EINVAL, "%s:%lu: model '%s' appears twice", path,
                         c->m[r].line, c->m[r].name);
    }
    if (rc == 0 && c->n == 0)
        rc = ks_errf(err, -EINVAL, "%s: no host models", path);
    ks_table_fini(&t);
    if (rc < 0)
        mdl_catalog_free(c);
    else
        *out = c;
    return rc;
}

void
mdl_catalog_free(struct mdl_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->m[i].name);
        free(c->m[i].source);
    }
    free(c->m);
    free(c->path);
    free(c);
}

long
mdl_catalog_find(const struct mdl_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->m[i].name, name) == 0)
            return (long)i;
    return -1;
}

double
mdl_model_price(const struct mdl_model *m, int s)
{
    return m->price - (double)(m->sockets - s) * m->socket_price;
}

double
mdl_model_cpu_MHz(const struct mdl_model *m, int s)
{
    return (double)s * m->cores_per_socket * m->core_MHz * m->perf_per_core;
}
