/*
 * col_inventory: what a machine is (design.md inventory.csv): CPU topology and model,
 * memory, NICs with speeds, disks with sizes, OS, and whether it is a physical
 * server, a VM (and under which hypervisor) or a hypervisor host.
 *
 * Hypervisor evidence, strongest first: CPUID leaf 0x40000000 vendor (only on the
 * real machine, i.e. without --root: a fake tree cannot fake an instruction),
 * /sys/hypervisor/type, DMI sys_vendor/product_name, then the cpuinfo "hypervisor"
 * flag alone (hypervisor "other"). kind: "vm" inside a hypervisor (a Xen dom0 is a
 * "host"), "host" when KVM is loaded on bare metal, else "physical".
 */
#ifndef COL_INVENTORY_H
#define COL_INVENTORY_H

#include "collect/col_parse.h"
#include "collect/col_root.h"
#include "core/ks_dataset.h"

struct col_inventory {
    char hostname[256];
    char cpu_model[128];
    char os[128];
    const char *hypervisor;      /* none kvm xen hyperv vmware other (static strings) */
    const char *kind;            /* physical vm host */
    char hv_evidence[160];       /* e.g. "cpuid=KVMKVMKVM" */
    int sockets, cores, threads; /* -1 unknown */
    double core_MHz;             /* nominal, NaN unknown */
    double mem_MiB;
    int nic_count;   /* hardware-backed interfaces (sys/class/net/X/device) */
    double nic_Mbps; /* sum of known speeds; NaN when none is known */
    int disk_count;
    double disk_GiB;
    char nics[1024];  /* "eth0:10000 eth1:?" */
    char disks[1024]; /* "sda:931GiB:hdd vda:256GiB:ssd" */
    char notes[1024]; /* why things are missing; ';'-separated */
    char ips[512];    /* "10.0.0.5 fe80::1": this machine's addresses (not loopback), so
                       * flows.csv endpoints map back to entities; "" with --root */
};

/* Read the inventory of the tree's machine. Never fails: what cannot be read stays
 * unknown and is named in notes. include_dm as in col_opts. */
void col_inventory_read(const struct col_root *root, int include_dm, struct col_inventory *inv);
/* The CPU part of col_inventory_read alone: sockets, cores, threads, cpu_model and
 * core_MHz (with notes saying what is missing); everything else stays unknown. For an
 * importer whose file came from this machine (sar). Never fails. */
void col_inventory_cpu(const struct col_root *root, struct col_inventory *inv);
/* inventory.csv's cpu_model from /proc/cpuinfo: the model name, with " (family F
 * model M)" appended when the name holds no digit (a bare "AMD EPYC" names no
 * generation); out has cap bytes. */
void col_cpu_model_name(const struct col_cpuinfo *ci, char *out, size_t cap);
/* Fill inv->ips from this machine's interfaces (getifaddrs; loopback and IPv6
 * link-local left out: they never name a machine to its peers). */
void col_inventory_ips(struct col_inventory *inv);
/* Append a note. */
void col_inventory_note(struct col_inventory *inv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Set entity's inventory row in ds (added if missing): canonical columns plus the
 * extras nics, disks, disk_GiB, hv_evidence. */
void col_inventory_put(const struct col_inventory *inv, const char *entity, struct ks_dataset *ds);

/* Nominal MHz of the tree's CPUs: cpufreq base_frequency, else cpuinfo_max_freq (kHz),
 * else /proc/cpuinfo "cpu MHz"; NaN when none exists. *from (may be NULL) names the
 * file used. */
double col_nominal_MHz(const struct col_root *root, const char **from);

/* Pure mappings (unit-tested): CPUID 0x40000000 vendor string, DMI strings and
 * /sys/hypervisor/type to a hypervisor name, or NULL when they say nothing. */
const char *col_hv_from_cpuid(const char *vendor);
const char *col_hv_from_dmi(const char *sys_vendor, const char *product);
const char *col_hv_from_systype(const char *type);

#endif
