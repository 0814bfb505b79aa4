/* Licence rules (see mdl_licence.h). */
#include "model/mdl_licence.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_data.h"
#include "core/ks_table.h"
#include "model/mdl_catalog.h"

static const char *const KINDS[] = {"per_socket", "per_core", "per_host", "per_guests"};

const char *
mdl_lic_kind_name(enum mdl_lic_kind k)
{
    return KINDS[k];
}

/* One rule row; the per-kind columns may be empty when the kind does not use them. */
static int
read_rule(const struct ks_table *t, const char *path, size_t r, struct mdl_lic_rule *out,
          struct ks_err *err)
{
    const char *name = ks_table_str(t, r, "rule"), *kind = ks_table_str(t, r, "kind");
    int k = -1;
    for (int i = 0; kind && i < 4; i++)
        if (strcmp(KINDS[i], kind) == 0)
            k = i;
    if (!name)
        return ks_errf(err, -EINVAL, "%s:%lu: column 'rule' is empty", path, t->lines[r]);
    if (k < 0)
        return ks_errf(err, -EINVAL, "%s:%lu: column 'kind': '%s' is not per_socket, "
                       "per_core, per_host or per_guests", path, t->lines[r], kind ? kind : "");
    double v[4];
    static const char *const cols[4] = {"unit_price", "min_cores_per_host",
                                        "min_cores_per_cpu", "guests_per_licence"};
    for (int c = 0; c < 4; c++) {
        int rc = ks_table_check_num(t, path, r, cols[c], c > 0, &v[c], err);
        if (rc < 0)
            return rc;
        if (v[c] < 0)
            return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is negative", path, t->lines[r],
                           cols[c]);
        /* A price capped like the catalog's (fleet sums stay finite); counts whole. */
        if (!isnan(v[c]) && (v[c] > (c ? 1e6 : MDL_MAX_MONEY) || (c && v[c] != floor(v[c]))))
            return ks_errf(err, -EINVAL, "%s:%lu: column '%s' is %g: want %s up to %g", path,
                           t->lines[r], cols[c], v[c], c ? "a whole number" : "a price",
                           c ? 1e6 : MDL_MAX_MONEY);
    }
    if (k == MDL_LIC_GUESTS && !(v[3] >= 1))
        return ks_errf(err, -EINVAL, "%s:%lu: column 'guests_per_licence' must be >= 1 for "
                       "per_guests", path, t->lines[r]);
    out->name = ks_xstrdup(name);
    out->kind = (enum mdl_lic_kind)k;
    out->unit_price = v[0];
    out->min_cores_per_host = isnan(v[1]) ? 0 : v[1];
    out->min_cores_per_cpu = isnan(v[2]) ? 0 : v[2];
    out->guests_per_licence = isnan(v[3]) ? 1 : v[3];
    return 0;
}

/* Rules are kept in file order: licences.csv lists them the same way. */
static int
licences_read(const char *path, struct mdl_licences *out, struct ks_err *err)
{
    static const char *const req[] = {"rule", "kind", "unit_price", NULL};
    struct ks_table t;
    memset(out, 0, sizeof *out);
    int rc = ks_table_read(path, req, &t, err);
    if (rc < 0)
        return rc;
    out->r = ks_xcalloc(t.nrows ? t.nrows : 1, sizeof *out->r);
    for (size_t r = 0; r < t.nrows && rc == 0; r++)
        if ((rc = read_rule(&t, path, r, &out->r[r], err)) == 0)
            out->n++;
    ks_table_fini(&t);
    if (rc < 0)
        mdl_licences_fini(out);
    return rc;
}

/* A path, or the name of shipped licence rules (DATADIR/licences/NAME.csv). */
int
mdl_licences_read(const char *arg, struct mdl_licences *out, struct ks_err *err)
{
    char *path;
    int rc = ks_data_find("licences", arg, ".csv", &path, err);
    if (rc == 0)
        rc = licences_read(path, out, err);
    free(path);
    return rc;
}

void
mdl_licences_fini(struct mdl_licences *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->r[i].name);
    free(l->r);
    memset(l, 0, sizeof *l);
}

/* Units (not money) one host owes; the caller multiplies by unit_price. */
double
mdl_lic_units(const struct mdl_lic_rule *r, int sockets, int cores_per_socket, size_t guests)
{
    switch (r->kind) {
    case MDL_LIC_SOCKET:
        return sockets;
    case MDL_LIC_CORE: {
        double per_cpu = cores_per_socket > r->min_cores_per_cpu ? cores_per_socket
                                                                 : r->min_cores_per_cpu;
        double n = sockets * per_cpu;
        return n > r->min_cores_per_host ? n : r->min_cores_per_host;
    }
    case MDL_LIC_HOST:
        return 1;
    case MDL_LIC_GUESTS: {
        double n = ceil((double)guests / r->guests_per_licence);
        return n > 1 ? n : 1;
    }
    }
    return 0;
}
