#include "collect/col_inventory.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "collect/col_devtab.h"
#include "collect/col_parse.h"
#include "collect/col_snapshot.h"

void
col_inventory_note(struct col_inventory *inv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    col_list_appendf(inv->notes, sizeof inv->notes, "; ", fmt, ap);
    va_end(ap);
}

const char *
col_hv_from_cpuid(const char *v)
{
    static const struct {
        const char *vendor, *hv;
    } map[] = {
        {"KVMKVMKVM", "kvm"},       {"XenVMMXenVMM", "xen"},   {"Microsoft Hv", "hyperv"},
        {"VMwareVMware", "vmware"}, {"TCGTCGTCGTCG", "other"}, {"bhyve bhyve ", "other"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strncmp(v, map[i].vendor, strlen(map[i].vendor)) == 0)
            return map[i].hv;
    return v[0] ? "other" : NULL;
}

const char *
col_hv_from_dmi(const char *vendor, const char *product)
{
    if (strstr(product, "KVM") || strstr(vendor, "QEMU") || strstr(product, "OpenStack"))
        return "kvm";
    if (strstr(product, "HVM domU") || strstr(vendor, "Xen"))
        return "xen";
    if (strstr(product, "VMware") || strstr(vendor, "VMware"))
        return "vmware";
    if (strstr(vendor, "Microsoft") && strstr(product, "Virtual Machine"))
        return "hyperv";
    if (strstr(product, "VirtualBox"))
        return "other";
    return NULL;
}

const char *
col_hv_from_systype(const char *type)
{
    return strcmp(type, "xen") == 0 ? "xen" : type[0] ? "other" : NULL;
}

/* CPUID hypervisor-present bit (leaf 1 ECX bit 31), then the vendor of leaf
 * 0x40000000; 0 when not an x86 guest. */
static int
cpuid_vendor(char out[13])
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
        return 0;
    __cpuid(0x40000000, a, b, c, d);
    memcpy(out, &b, 4);
    memcpy(out + 4, &c, 4);
    memcpy(out + 8, &d, 4);
    out[12] = '\0';
    return 1;
#else
    out[0] = '\0';
    return 0;
#endif
}

double
col_nominal_MHz(const struct col_root *root, const char **from)
{
    static const char *const files[] = {
        "sys/devices/system/cpu/cpu0/cpufreq/base_frequency",
        "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq",
    };
    long khz;
    for (size_t i = 0; i < 2; i++)
        if (col_root_long(root, files[i], &khz) == 0 && khz > 0) {
            if (from)
                *from = files[i];
            return (double)khz / 1000.0;
        }
    struct col_buf b = {0};
    struct col_cpuinfo ci;
    double mhz = NAN;
    if (col_root_read(root, "proc/cpuinfo", &b) == 0 && col_parse_cpuinfo(b.p, &ci) == 0)
        mhz = ci.mhz;
    col_buf_fini(&b);
    if (from)
        *from = isnan(mhz) ? NULL : "proc/cpuinfo";
    return mhz;
}

/* sockets = distinct physical_package_id, cores = distinct (package, core_id) pairs,
 * threads = CPUs with a topology directory (online ones). core_id is only unique
 * within a package, hence the pairs. O(n^2) over at most 4096 CPUs, once per run. */
static void
read_topology(const struct col_root *root, struct col_inventory *inv)
{
    /* Package and core ids of each online CPU; packages * cores stay small. */
    long pk[4096], core[4096];
    int n = 0, sockets = 0, cores = 0;
    DIR *d = col_root_opendir(root, "sys/devices/system/cpu");
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 4096) {
        char rel[600];
        unsigned id;
        char tail;
        if (sscanf(e->d_name, "cpu%u%c", &id, &tail) != 1)
            continue;
        snprintf(rel, sizeof rel, "sys/devices/system/cpu/%s/topology/physical_package_id",
                 e->d_name);
        if (col_root_long(root, rel, &pk[n]) < 0)
            continue; /* offline CPUs have no topology */
        snprintf(rel, sizeof rel, "sys/devices/system/cpu/%s/topology/core_id", e->d_name);
        if (col_root_long(root, rel, &core[n]) < 0)
            core[n] = (long)id;
        int newpk = 1, newcore = 1;
        for (int i = 0; i < n; i++) {
            newpk &= pk[i] != pk[n];
            newcore &= !(pk[i] == pk[n] && core[i] == core[n]);
        }
        sockets += newpk;
        cores += newcore;
        n++;
    }
    if (d)
        closedir(d);
    if (n > 0) {
        inv->sockets = sockets;
        inv->cores = cores;
        inv->threads = n;
    } else {
        col_inventory_note(inv, "no CPU topology in sysfs");
    }
}

void
col_cpu_model_name(const struct col_cpuinfo *ci, char *out, size_t cap)
{
    /* A name without a digit ("AMD EPYC", what a VM on this project's machine shows)
     * names no generation; family and model numbers do (AMD family 23 = Zen/Zen 2,
     * 25 = Zen 3/4, 26 = Zen 5), so the CPU rating table can tell them apart. */
    if (ci->model[0] && !strpbrk(ci->model, "0123456789") && ci->family >= 0 && ci->model_no >= 0)
        snprintf(out, cap, "%.90s (family %d model %d)", ci->model, ci->family, ci->model_no);
    else
        snprintf(out, cap, "%s", ci->model);
}

static void
read_cpuinfo(const struct col_root *root, struct col_inventory *inv, int *hv_flag)
{
    struct col_buf b = {0};
    struct col_cpuinfo ci;
    *hv_flag = 0;
    if (col_root_read(root, "proc/cpuinfo", &b) == 0 && col_parse_cpuinfo(b.p, &ci) == 0) {
        col_cpu_model_name(&ci, inv->cpu_model, sizeof inv->cpu_model);
        *hv_flag = ci.hypervisor_flag;
        if (inv->threads < 0 && ci.nproc > 0)
            inv->threads = ci.nproc;
    }
    col_buf_fini(&b);
    const char *from;
    inv->core_MHz = col_nominal_MHz(root, &from);
    if (isnan(inv->core_MHz))
        col_inventory_note(inv, "nominal CPU MHz unknown: cpu_MHz left empty");
    else if (strcmp(from, "proc/cpuinfo") == 0)
        col_inventory_note(inv, "core_MHz from /proc/cpuinfo (no cpufreq)");
}

static void
evidence(struct col_inventory *inv, const char *what, const char *val)
{
    size_t n = strlen(inv->hv_evidence);
    snprintf(inv->hv_evidence + n, sizeof inv->hv_evidence - n, "%s%s=%s", n ? " " : "", what, val);
}

/* Each piece of evidence is recorded in hv_evidence even when a stronger one already
 * decided, so an inventory shows why it says what it says (and disagreements, e.g.
 * DMI naming QEMU while CPUID says Hyper-V under nested virtualization, are visible). */
static void
read_hypervisor(const struct col_root *root, struct col_inventory *inv, int hv_flag)
{
    char vendor[13], sysv[128] = "", prod[128] = "", type[32] = "", caps[128] = "";
    const char *hv = NULL;
    if (root->real && cpuid_vendor(vendor)) {
        evidence(inv, "cpuid", vendor);
        hv = col_hv_from_cpuid(vendor);
    }
    if (col_root_gets(root, "sys/hypervisor/type", type, sizeof type) == 0 && type[0]) {
        evidence(inv, "sys_hypervisor", type);
        hv = hv ? hv : col_hv_from_systype(type);
    }
    col_root_gets(root, "sys/class/dmi/id/sys_vendor", sysv, sizeof sysv);
    col_root_gets(root, "sys/class/dmi/id/product_name", prod, sizeof prod);
    const char *dmi = col_hv_from_dmi(sysv, prod);
    if (dmi) {
        evidence(inv, "dmi", prod[0] ? prod : sysv);
        hv = hv ? hv : dmi;
    }
    if (!hv && hv_flag) {
        evidence(inv, "cpuinfo", "hypervisor");
        hv = "other";
    }
    int dom0 = col_root_gets(root, "proc/xen/capabilities", caps, sizeof caps) == 0 &&
               strstr(caps, "control_d");
    if (hv && !dom0) {
        inv->hypervisor = hv;
        inv->kind = "vm";
        col_inventory_note(inv, "%s guest: steal time recorded in cpu_steal_pct", hv);
    } else if (dom0) {
        inv->hypervisor = "xen";
        inv->kind = "host";
    } else if (col_root_exists(root, "sys/module/kvm")) {
        inv->hypervisor = "kvm";
        inv->kind = "host";
    } else {
        inv->hypervisor = "none";
        inv->kind = "physical";
    }
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entry names of a directory of the tree, sorted (readdir order differs between
 * file systems, and the inventory must not); "." entries skipped. Free with
 * free_names. */
static char **
sorted_names(const struct col_root *root, const char *rel, size_t *n)
{
    DIR *d = col_root_opendir(root, rel);
    struct dirent *e;
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        v = ks_xgrow(v, &cap, *n + 1, sizeof *v);
        v[(*n)++] = ks_xstrdup(e->d_name);
    }
    if (d)
        closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static void
free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Append "name:value" to a space-separated list. */
static void
list_add(char *list, size_t cap, const char *name, const char *val)
{
    size_t n = strlen(list);
    snprintf(list + n, cap - n, "%s%s:%s", n ? " " : "", name, val);
}

/* NICs that a capacity plan must provide ports for: those backed by a device (PCI,
 * virtio, ...). Bridges, veth, bonds' virtual masters and tunnels are not ports. */
static void
read_nics(const struct col_root *root, struct col_inventory *inv)
{
    size_t n;
    char **names = sorted_names(root, "sys/class/net", &n);
    double sum = 0;
    int known = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        char rel[600], val[32];
        long speed = -1;
        snprintf(rel, sizeof rel, "sys/class/net/%s/device", name);
        if (!col_root_exists(root, rel))
            continue; /* lo, bridges, veth, tunnels: no hardware behind them */
        snprintf(rel, sizeof rel, "sys/class/net/%s/speed", name);
        if (col_root_long(root, rel, &speed) < 0 || speed <= 0)
            speed = -1;
        inv->nic_count++;
        if (speed > 0) {
            sum += (double)speed;
            known++;
            snprintf(val, sizeof val, "%ld", speed);
        } else {
            snprintf(val, sizeof val, "?");
        }
        list_add(inv->nics, sizeof inv->nics, name, val);
    }
    free_names(names, n);
    inv->nic_Mbps = known ? sum : NAN;
    if (inv->nic_count > known)
        col_inventory_note(inv, "%d NIC(s) report no link speed", inv->nic_count - known);
}

static void
read_disks(const struct col_root *root, int include_dm, struct col_inventory *inv)
{
    size_t n;
    char **names = sorted_names(root, "sys/block", &n);
    struct col_diskstats none = {0};
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        char rel[600], val[64];
        long sectors = 0, rot = -1;
        if (!col_disk_is_whole(root, &none, name, include_dm, 1))
            continue;
        snprintf(rel, sizeof rel, "sys/block/%s/size", name);
        col_root_long(root, rel, &sectors);
        snprintf(rel, sizeof rel, "sys/block/%s/queue/rotational", name);
        col_root_long(root, rel, &rot);
        double gib = (double)sectors * 512.0 / (1024.0 * 1024 * 1024);
        snprintf(val, sizeof val, "%.0fGiB:%s", gib, rot == 1 ? "hdd" : rot == 0 ? "ssd" : "?");
        list_add(inv->disks, sizeof inv->disks, name, val);
        inv->disk_count++;
        inv->disk_GiB += gib;
    }
    free_names(names, n);
}

static void
read_system(const struct col_root *root, struct col_inventory *inv)
{
    struct col_buf b = {0};
    struct col_meminfo mi;
    if (col_root_read(root, "proc/meminfo", &b) == 0 && col_parse_meminfo(b.p, &mi) == 0)
        inv->mem_MiB = mi.total_KiB / 1024.0;
    if (col_root_read(root, "etc/os-release", &b) == 0 ||
        col_root_read(root, "usr/lib/os-release", &b) == 0)
        col_parse_os_release(b.p, inv->os, sizeof inv->os);
    col_buf_fini(&b);
    if (col_root_gets(root, "proc/sys/kernel/hostname", inv->hostname, sizeof inv->hostname) < 0 &&
        (!root->real || gethostname(inv->hostname, sizeof inv->hostname) != 0))
        inv->hostname[0] = '\0';
}

/* Everything unknown. */
static void
inventory_init(struct col_inventory *inv)
{
    memset(inv, 0, sizeof *inv);
    inv->sockets = inv->cores = inv->threads = -1;
    inv->mem_MiB = inv->nic_Mbps = inv->core_MHz = NAN;
}

void
col_inventory_cpu(const struct col_root *root, struct col_inventory *inv)
{
    int hv_flag;
    inventory_init(inv);
    read_topology(root, inv);
    read_cpuinfo(root, inv, &hv_flag);
}

void
col_inventory_read(const struct col_root *root, int include_dm, struct col_inventory *inv)
{
    int hv_flag;
    inventory_init(inv);
    read_system(root, inv);
    read_topology(root, inv);
    read_cpuinfo(root, inv, &hv_flag);
    read_hypervisor(root, inv, hv_flag);
    read_nics(root, inv);
    read_disks(root, include_dm, inv);
}

static double
known(int v)
{
    return v < 0 ? NAN : (double)v;
}

void
col_inventory_put(const struct col_inventory *inv, const char *entity, struct ks_dataset *ds)
{
    size_t r = ks_dataset_add_entity(ds, entity, inv->kind);
    ks_inv_set(ds, r, "kind", inv->kind);
    ks_inv_set(ds, r, "hostname", inv->hostname[0] ? inv->hostname : NULL);
    ks_inv_set(ds, r, "cpu_model", inv->cpu_model[0] ? inv->cpu_model : NULL);
    ks_inv_set_num(ds, r, "sockets", known(inv->sockets));
    ks_inv_set_num(ds, r, "cores", known(inv->cores));
    ks_inv_set_num(ds, r, "threads", known(inv->threads));
    ks_inv_set_num(ds, r, "core_MHz", inv->core_MHz);
    ks_inv_set_num(ds, r, "mem_MiB", round(inv->mem_MiB));
    ks_inv_set_num(ds, r, "nic_count", inv->nic_count);
    ks_inv_set_num(ds, r, "nic_Mbps", inv->nic_Mbps);
    ks_inv_set_num(ds, r, "disk_count", inv->disk_count);
    ks_inv_set(ds, r, "hypervisor", inv->hypervisor);
    ks_inv_set(ds, r, "os", inv->os[0] ? inv->os : NULL);
    ks_inv_set(ds, r, "notes", inv->notes[0] ? inv->notes : NULL);
    ks_inv_set(ds, r, "nics", inv->nics[0] ? inv->nics : NULL);
    ks_inv_set(ds, r, "disks", inv->disks[0] ? inv->disks : NULL);
    ks_inv_set_num(ds, r, "disk_GiB", round(inv->disk_GiB));
    ks_inv_set(ds, r, "hv_evidence", inv->hv_evidence[0] ? inv->hv_evidence : NULL);
    if (inv->ips[0]) /* only a live machine has them: fixture inventories stay as they are */
        ks_inv_set(ds, r, "ips", inv->ips);
}

void
col_inventory_ips(struct col_inventory *inv)
{
    struct ifaddrs *ifa = NULL;
    inv->ips[0] = '\0';
    if (getifaddrs(&ifa) != 0)
        return;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
        char a[INET6_ADDRSTRLEN];
        const void *p = NULL;
        if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
            continue;
        if (i->ifa_addr->sa_family == AF_INET)
            p = &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
        else if (i->ifa_addr->sa_family == AF_INET6 &&
                 !IN6_IS_ADDR_LINKLOCAL(&((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr))
            p = &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
        if (p && inet_ntop(i->ifa_addr->sa_family, p, a, sizeof a)) {
            size_t n = strlen(inv->ips);
            snprintf(inv->ips + n, sizeof inv->ips - n, "%s%s", n ? " " : "", a);
        }
    }
    freeifaddrs(ifa);
}
