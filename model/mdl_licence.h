/*
 * mdl_licence: licence rules (CSV) and what a plan owes under them.
 *
 * Columns: rule,kind,unit_price and, by kind, min_cores_per_host, min_cores_per_cpu,
 * guests_per_licence (empty = not used). Kinds, per target host:
 *   per_socket  one unit per populated socket (e.g. a hypervisor licensed per CPU);
 *   per_core    max(min_cores_per_host, sockets x max(cores_per_socket,
 *               min_cores_per_cpu)) units (Windows Server 2016+: 16 per host, 8 per CPU);
 *   per_host    one unit;
 *   per_guests  ceil(guests / guests_per_licence) units, at least 1 (Windows Server 2008
 *               Enterprise: one licence covers 4 guests).
 * Spare hosts are licensed too: they run the guests after a failure.
 */
#ifndef MDL_LICENCE_H
#define MDL_LICENCE_H

#include <stddef.h>

#include "core/ks_util.h"

enum mdl_lic_kind { MDL_LIC_SOCKET, MDL_LIC_CORE, MDL_LIC_HOST, MDL_LIC_GUESTS };

struct mdl_lic_rule {
    char *name;
    enum mdl_lic_kind kind;
    double unit_price, min_cores_per_host, min_cores_per_cpu, guests_per_licence;
};

struct mdl_licences {
    size_t n;
    struct mdl_lic_rule *r;
};

int mdl_licences_read(const char *path, struct mdl_licences *out, struct ks_err *err);
void mdl_licences_fini(struct mdl_licences *l);
const char *mdl_lic_kind_name(enum mdl_lic_kind k);
/* Units one host owes under rule r. */
double mdl_lic_units(const struct mdl_lic_rule *r, int sockets, int cores_per_socket,
                     size_t guests);

#endif
