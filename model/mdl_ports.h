/*
 * mdl_ports: NIC ports per host from a template of network roles.
 *
 * Roles are the columns of ports.csv: heartbeat, management, vm_network, storage. A
 * template gives each role a minimum port count; a role marked `sized` gets at least
 * enough ports to carry the host's peak VM traffic at the link speed with the plan's
 * headroom kept free. Built-in templates (why each role is there: docs/model.md):
 *   hyperv-cluster  1 heartbeat + 1 management/cluster public + >= 1 VM + 2 storage
 *                   (Hyper-V failover cluster practice of 2008: at least 5 ports)
 *   vsphere         2 management/vMotion + >= 2 VM + 2 storage
 *   kvm             1 heartbeat (corosync) + 1 management + >= 2 VM (bond) + 2 storage
 * A ports file (CSV `role,min_ports,sized`) replaces the template.
 */
#ifndef MDL_PORTS_H
#define MDL_PORTS_H

#include "core/ks_util.h"

enum mdl_role { MDL_HEARTBEAT, MDL_MANAGEMENT, MDL_VM_NETWORK, MDL_STORAGE, MDL_NROLES };
extern const char *const mdl_role_names[MDL_NROLES];

struct mdl_ports {
    char name[64];
    int min[MDL_NROLES];
    int sized[MDL_NROLES]; /* 1: grows with the host's peak traffic */
};

int mdl_ports_builtin(const char *name, struct mdl_ports *out, struct ks_err *err);
int mdl_ports_read(const char *path, struct mdl_ports *out, struct ks_err *err);
int mdl_ports_min_total(const struct mdl_ports *t);
/* Ports of one host: peak_Mbps of VM traffic, links of link_Gbps, headroom_pct kept
 * free on each link. Returns the total; per role in out. */
int mdl_ports_for_host(const struct mdl_ports *t, double peak_Mbps, double link_Gbps,
                       double headroom_pct, int out[MDL_NROLES]);

#endif
