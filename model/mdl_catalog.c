/* Host catalog reading and validation (see mdl_catalog.h). */
#include "model/mdl_catalog.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_data.h"
#include "core/ks_table.h"

static const char *const REQUIRED[] = {
    "model",    "sockets",  "cores_per_socket", "threads_per_core", "core_MHz",
    "mem_GiB",  "nic_ports", "nic_Gbps",        "rack_U",           "price",
    "watts_idle", "watts_max", "perf_per_core",  NULL};

/* The range of every catalog number. Integers must be integral (4.9 cores is a typo,
 * not 4); capacities must be > 0; money and watts are capped so that a sum over any
 * fleet the planner can build (at most a few million hosts) stays finite, and every
 * value converts to int without overflow. */
struct col_range {
    const char *col;
    double lo, hi;
    int integral, pos; /* pos: must be > 0 (a capacity), lo is then 0 */
};

static const struct col_range RANGES[] = {
    {"sockets", 1, MDL_MAX_SOCKETS, 1, 1},
    {"cores_per_socket", 1, 1024, 1, 1},
    {"threads_per_core", 1, 16, 1, 1},
    {"core_MHz", 0, 100000, 0, 1},
    {"mem_GiB", 0, 1048576, 0, 1},       /* 1 PiB */
    {"nic_ports", 0, 256, 1, 0},
    {"nic_Gbps", 0, 10000, 0, 1},
    {"rack_U", 0, 64, 0, 0},
    {"price", 0, MDL_MAX_MONEY, 0, 0},
    {"watts_idle", 0, MDL_MAX_WATTS, 0, 0},
    {"watts_max", 0, MDL_MAX_WATTS, 0, 0},
    {"perf_per_core", 0, 1000, 0, 1},
    {"min_sockets", 1, MDL_MAX_SOCKETS, 1, 0},
    {"socket_price", 0, MDL_MAX_MONEY, 0, 0},
};
#define NRANGES (sizeof RANGES / sizeof *RANGES)

/* v of column rg->col against its range: 0, or -EINVAL naming file, line and column. */
static int
in_range(const struct col_range *rg, double v, const char *path, unsigned long line,
         struct ks_err *err)
{
    if (rg->pos && !(v > 0))
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is %g: a host model needs "
                       "capacity > 0", path, line, rg->col, v);
    if (v < rg->lo && rg->lo == 0)
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is negative (%g)", path, line,
                       rg->col, v);
    if (v < rg->lo)
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is %g, below the minimum %g", path,
                       line, rg->col, v, rg->lo);
    if (v > rg->hi)
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is %g, above the limit %g", path,
                       line, rg->col, v, rg->hi);
    if (rg->integral && v != floor(v))
        return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is %g: want a whole number", path,
                       line, rg->col, v);
    return 0;
}

/* One number of a row (empty allowed for the optional columns: NaN), range-checked. */
static int
num(const struct ks_table *t, const char *path, size_t row, size_t k, double *out,
    struct ks_err *err)
{
    int optional = k >= 12; /* min_sockets, socket_price */
    int rc = ks_table_check_num(t, path, row, RANGES[k].col, optional, out, err);
    if (rc < 0 || isnan(*out))
        return rc;
    return in_range(&RANGES[k], *out, path, t->lines[row], err);
}

/* Required numbers of one row, each within its range (RANGES). */
static int
read_model(const struct ks_table *t, const char *path, size_t row, struct mdl_model *m,
           struct ks_err *err)
{
    double v[12];
    int rc = 0;
    for (size_t c = 0; c < 12 && rc == 0; c++)
        rc = num(t, path, row, c, &v[c], err);
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

/* The optional socket columns; a socket_price that would make the fewest-socket price
 * negative is refused (it would pay the buyer for the host). */
static int
read_sockets(const struct ks_table *t, const char *path, size_t row, struct mdl_model *m,
             struct ks_err *err)
{
    double v;
    int rc = num(t, path, row, 12, &v, err);
    if (rc == 0 && !isnan(v) && v > m->sockets)
        rc = ks_errf(err, -EINVAL, "%s:%lu: column 'min_sockets' is %g, not in 1..%d", path,
                     m->line, v, m->sockets);
    m->min_sockets = rc == 0 && !isnan(v) ? (int)v : m->sockets;
    if (rc == 0)
        rc = num(t, path, row, 13, &v, err);
    m->socket_price = rc == 0 && !isnan(v) ? v : m->price / m->sockets;
    if (rc == 0 && mdl_model_price(m, m->min_sockets) < 0)
        rc = ks_errf(err, -EINVAL, "%s:%lu: column 'socket_price' is %g: with %d socket(s) "
                     "the price would be negative", path, m->line, m->socket_price,
                     m->min_sockets);
    return rc;
}

/* Rows are validated in file order and the first error wins, so the message names
 * the first bad line; duplicate model names are refused (plans name models). */
static int
catalog_read(const char *path, struct mdl_catalog **out, struct ks_err *err)
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

/* A path, or the name of a shipped catalog ("current": DATADIR/catalog/current.csv). */
int
mdl_catalog_read(const char *arg, struct mdl_catalog **out, struct ks_err *err)
{
    char *path;
    *out = NULL;
    int rc = ks_data_find("catalog", arg, ".csv", &path, err);
    if (rc == 0)
        rc = catalog_read(path, out, err);
    free(path);
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
mdl_model_cpu_MHz(const struct mdl_model *m, int s, double smt_yield)
{
    double smt = m->threads_per_core >= 2 ? 1 + smt_yield : 1;
    return (double)s * m->cores_per_socket * m->core_MHz * m->perf_per_core * smt;
}
