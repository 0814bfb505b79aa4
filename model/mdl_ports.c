/* Port templates (see mdl_ports.h). */
#include "model/mdl_ports.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_data.h"
#include "core/ks_table.h"

const char *const mdl_role_names[MDL_NROLES] = {"heartbeat", "management", "vm_network",
                                                "storage"};

static const struct mdl_ports BUILTIN[] = {
    /* The seed article's Hyper-V failover cluster (reference.md "Port rule of thumb"):
     * cluster private network, parent partition + cluster public, VM network(s), two
     * redundant storage (iSCSI) ports. */
    {"hyperv-cluster", {1, 1, 1, 2}, {0, 0, 1, 0}},
    /* vSphere: management and vMotion share a teamed pair of vmkernel uplinks (HA
     * heartbeats ride the management network, so no own port); the VM port group gets
     * two uplinks so a NIC or switch failure keeps VMs connected; two storage ports for
     * iSCSI/NFS multipathing. */
    {"vsphere", {0, 2, 2, 2}, {0, 0, 1, 0}},
    /* KVM with pacemaker/corosync: corosync wants its own ring (a dedicated heartbeat
     * link avoids fencing on a busy VM network); a bonded pair for the VM bridge; two
     * storage ports (multipath iSCSI or a Ceph public network). */
    {"kvm", {1, 1, 2, 2}, {0, 0, 1, 0}},
};

int
mdl_ports_builtin(const char *name, struct mdl_ports *out, struct ks_err *err)
{
    for (size_t i = 0; i < sizeof BUILTIN / sizeof *BUILTIN; i++)
        if (strcmp(BUILTIN[i].name, name) == 0) {
            *out = BUILTIN[i];
            return 0;
        }
    return ks_errf(err, -ENOENT,
                   "unknown port template '%s' (hyperv-cluster, vsphere, kvm, or --ports-file)",
                   name);
}

static int
role_of(const char *s)
{
    for (int r = 0; r < MDL_NROLES; r++)
        if (strcmp(mdl_role_names[r], s) == 0)
            return r;
    return -1;
}

/* A ports file replaces the template entirely; roles it does not name get 0 ports. */
static int
ports_read(const char *path, struct mdl_ports *out, struct ks_err *err)
{
    static const char *const req[] = {"role", "min_ports", "sized", NULL};
    struct ks_table t;
    int rc = ks_table_read(path, req, &t, err);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "file");
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        const char *role = ks_table_str(&t, r, "role");
        int k = role ? role_of(role) : -1;
        double n, sz;
        if (k < 0)
            rc = ks_errf(err, -EINVAL, "%s:%lu: column 'role': '%s' is not one of heartbeat, "
                         "management, vm_network, storage", path, t.lines[r], role ? role : "");
        if (rc == 0)
            rc = ks_table_check_num(&t, path, r, "min_ports", 0, &n, err);
        if (rc == 0)
            rc = ks_table_check_num(&t, path, r, "sized", 0, &sz, err);
        if (rc == 0 && (n < 0 || n > 64 || n != floor(n)))
            rc = ks_errf(err, -EINVAL, "%s:%lu: column 'min_ports': %g is not a whole number "
                         "in 0..64", path, t.lines[r], n);
        if (rc == 0) {
            out->min[k] = (int)n;
            out->sized[k] = sz != 0;
        }
    }
    ks_table_fini(&t);
    return rc;
}

/* A path, or the name of a shipped port file (DATADIR/ports/NAME.csv). */
int
mdl_ports_read(const char *arg, struct mdl_ports *out, struct ks_err *err)
{
    char *path;
    int rc = ks_data_find("ports", arg, ".csv", &path, err);
    if (rc == 0)
        rc = ports_read(path, out, err);
    free(path);
    return rc;
}

/* Ports every host needs whatever its traffic: what decides a model's eligibility. */
int
mdl_ports_min_total(const struct mdl_ports *t)
{
    int s = 0;
    for (int r = 0; r < MDL_NROLES; r++)
        s += t->min[r] > 0 ? t->min[r] : t->sized[r];
    return s;
}

int
mdl_ports_for_host(const struct mdl_ports *t, double peak_Mbps, double link_Gbps,
                   double headroom_pct, int out[MDL_NROLES])
{
    int total = 0;
    double usable_Mbps = link_Gbps * 1000 * (1 - headroom_pct / 100);
    for (int r = 0; r < MDL_NROLES; r++) {
        int n = t->min[r];
        if (t->sized[r]) {
            double want = usable_Mbps > 0 && peak_Mbps > 0 ? ceil(peak_Mbps / usable_Mbps) : 1;
            /* Capped before the conversion: no catalog host has 65536 ports, so the
             * host is refused all the same (nic_short), without an int overflow. */
            int need = want < 65536 ? (int)want : 65536;
            n = need > n ? need : n;
            n = n > 0 ? n : 1;
        }
        out[r] = n;
        total += n;
    }
    return total;
}
