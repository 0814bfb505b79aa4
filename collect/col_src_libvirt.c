/*
 * libvirt source (--libvirt URI): on a hypervisor host, one entity row per running
 * domain (kind vm, host = this machine's entity), so a host and its VMs land in one
 * dataset:
 *   cpu_pct       cpu time delta / (interval x vCPUs) (virDomainGetInfo)
 *   cpu_MHz       cpu_pct x vCPUs x the host's nominal MHz
 *   mem_total_MiB the balloon's current size; mem_used_MiB = available - unused as
 *                 the guest's balloon driver reports them, else the host-side RSS;
 *                 vm_rss_MiB and vm_balloon_MiB as they are (virDomainMemoryStats)
 *   disk_*, net_* summed over the domain's disks and interfaces (targets read from
 *                 its XML; virDomainBlockStats, virDomainInterfaceStats)
 * The connection is read-only. One that cannot be opened is -ENOTSUP with libvirt's
 * message: the sampler notes it and the host's own collection goes on.
 *
 * libvirt.so.0 is loaded here, when --libvirt is given, not linked (ks_dl.h says
 * why); KASANE_LIBVIRT_SO replaces its name (a test hook). A library that cannot be
 * loaded is -ENOTSUP too, noted the same way.
 */
#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_dl.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */
#include "collect/col_source.h"

/* Every libvirt function this source calls, typed from libvirt.h. */
#define LV_FUNCS(X)                                                                                \
    X(virSetErrorFunc)                                                                             \
    X(virGetLastErrorMessage)                                                                      \
    X(virConnectOpenReadOnly)                                                                      \
    X(virConnectClose)                                                                             \
    X(virConnectListAllDomains)                                                                    \
    X(virDomainFree)                                                                               \
    X(virDomainGetName)                                                                            \
    X(virDomainGetUUIDString)                                                                      \
    X(virDomainGetInfo)                                                                            \
    X(virDomainGetXMLDesc)                                                                         \
    X(virDomainBlockStats)                                                                         \
    X(virDomainInterfaceStats)                                                                     \
    X(virDomainMemoryStats)

/* Filled once per process by ks_dl_load, read-only afterwards. */
static struct lv_api {
    LV_FUNCS(KS_DL_FIELD)
} lv;
#define LV_SYM(f) KS_DL_ENTRY(struct lv_api, f)
static const struct ks_dl_sym lv_syms[] = {LV_FUNCS(LV_SYM)};
static struct ks_dl_lib lv_lib =
    KS_DL_LIB(KS_SO_LIBVIRT, "KASANE_LIBVIRT_SO", KS_PKG_LIBVIRT, &lv, lv_syms, NULL);

/* Cumulative counters of one domain at the previous sample. */
struct vm_prev {
    char uuid[VIR_UUID_STRING_BUFLEN];
    int seen;
    double c[9]; /* cpu_ns rd_bytes wr_bytes rd_req wr_req rx_bytes tx_bytes rx_pkts tx_pkts */
};
enum { VC_CPU, VC_RDB, VC_WRB, VC_RDQ, VC_WRQ, VC_RXB, VC_TXB, VC_RXP, VC_TXP, VC_N };

struct lv_state {
    virConnectPtr conn;
    double core_MHz; /* the host's nominal MHz (inventory), NaN unknown */
    struct vm_prev *v;
    size_t n, cap;
};

/* libvirt prints every error on stderr by default; ours are returned instead. */
static void
lv_quiet(void *ud, virErrorPtr e)
{
    (void)ud;
    (void)e;
}

static int
lv_open(const struct col_ctx *ctx, void **state, struct ks_err *err)
{
    const char *uri = ctx->opts->libvirt_uri;
    if (!uri)
        return COL_SRC_OFF;
    int rc = ks_dl_load(&lv_lib, err);
    if (rc < 0) {
        ks_err_prefix(err, "libvirt: ");
        return rc;
    }
    lv.virSetErrorFunc(NULL, lv_quiet);
    virConnectPtr c = lv.virConnectOpenReadOnly(uri);
    if (!c) {
        const char *m = lv.virGetLastErrorMessage();
        return ks_errf(err, -ENOTSUP, "libvirt: cannot connect to '%s': %s; no VM rows", uri,
                       m ? m : "unknown error");
    }
    struct lv_state *st = ks_xcalloc(1, sizeof *st);
    st->conn = c;
    st->core_MHz = ctx->inv ? ctx->inv->core_MHz : NAN;
    *state = st;
    return 0;
}

static void
lv_close(void *state)
{
    struct lv_state *st = state;
    if (!st)
        return;
    lv.virConnectClose(st->conn);
    free(st->v);
    free(st);
}

/* Target device names of <disk> or <interface> elements in the domain XML: the
 * first <target dev='...'/> inside each element. Space-separated into out. */
static void
xml_targets(const char *xml, const char *elem, char *out, size_t cap)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s ", elem);
    snprintf(close, sizeof close, "</%s>", elem);
    out[0] = '\0';
    for (const char *p = strstr(xml, open); p; p = strstr(p + 1, open)) {
        const char *end = strstr(p, close), *t = strstr(p, "<target dev=");
        if (!end || !t || t > end)
            continue;
        t += strlen("<target dev=") + 1; /* past the quote */
        size_t n = strcspn(t, "'\""), k = strlen(out);
        if (k + n + 2 < cap)
            snprintf(out + k, cap - k, "%s%.*s", k ? " " : "", (int)n, t);
    }
}

/* Current cumulative counters of d (NaN where unknown). */
static void
read_io(virDomainPtr d, double c[VC_N])
{
    char *xml = lv.virDomainGetXMLDesc(d, 0), devs[1024];
    for (int i = VC_RDB; i < VC_N; i++)
        c[i] = NAN;
    if (!xml)
        return;
    xml_targets(xml, "disk", devs, sizeof devs);
    for (char *s = devs, *tok; (tok = strtok_r(s, " ", &s));) {
        virDomainBlockStatsStruct b;
        if (lv.virDomainBlockStats(d, tok, &b, sizeof b) < 0)
            continue;
        double v[] = {(double)b.rd_bytes, (double)b.wr_bytes, (double)b.rd_req, (double)b.wr_req};
        for (int i = 0; i < 4; i++)
            c[VC_RDB + i] = (isnan(c[VC_RDB + i]) ? 0 : c[VC_RDB + i]) + (v[i] < 0 ? 0 : v[i]);
    }
    xml_targets(xml, "interface", devs, sizeof devs);
    for (char *s = devs, *tok; (tok = strtok_r(s, " ", &s));) {
        virDomainInterfaceStatsStruct f;
        if (lv.virDomainInterfaceStats(d, tok, &f, sizeof f) < 0)
            continue;
        double v[] = {(double)f.rx_bytes, (double)f.tx_bytes, (double)f.rx_packets,
                      (double)f.tx_packets};
        for (int i = 0; i < 4; i++)
            c[VC_RXB + i] = (isnan(c[VC_RXB + i]) ? 0 : c[VC_RXB + i]) + (v[i] < 0 ? 0 : v[i]);
    }
    free(xml);
}

/* Memory: balloon size, RSS, and used = available - unused when the guest says. */
static void
read_mem(virDomainPtr d, struct col_entity_row *e)
{
    virDomainMemoryStatStruct ms[VIR_DOMAIN_MEMORY_STAT_NR];
    double v[VIR_DOMAIN_MEMORY_STAT_NR];
    for (int i = 0; i < VIR_DOMAIN_MEMORY_STAT_NR; i++)
        v[i] = NAN;
    int n = lv.virDomainMemoryStats(d, ms, VIR_DOMAIN_MEMORY_STAT_NR, 0);
    for (int i = 0; i < n; i++)
        if (ms[i].tag < VIR_DOMAIN_MEMORY_STAT_NR)
            v[ms[i].tag] = (double)ms[i].val / 1024.0; /* KiB -> MiB */
    e->x[COL_X_VM_RSS_MIB] = v[VIR_DOMAIN_MEMORY_STAT_RSS];
    e->x[COL_X_VM_BALLOON_MIB] = v[VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON];
    if (!isnan(v[VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON]))
        e->m[KS_MEM_TOTAL_MIB] = v[VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON];
    double used = v[VIR_DOMAIN_MEMORY_STAT_AVAILABLE] - v[VIR_DOMAIN_MEMORY_STAT_UNUSED];
    e->m[KS_MEM_USED_MIB] = !isnan(used) ? used : v[VIR_DOMAIN_MEMORY_STAT_RSS];
}

static struct vm_prev *
find_prev(struct lv_state *st, const char *uuid, int *fresh)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->v[i].uuid, uuid) == 0) {
            *fresh = 0;
            return &st->v[i];
        }
    st->v = ks_xgrow(st->v, &st->cap, st->n + 1, sizeof *st->v);
    struct vm_prev *p = &st->v[st->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->uuid, sizeof p->uuid, "%s", uuid);
    *fresh = 1;
    return p;
}

/* Per-second rate of counter i, NaN when either reading is unknown; a counter that
 * went down (domain restarted) gives 0 for this interval. */
static double
rate(const double *now, const double *prev, int i, double dt)
{
    double d = now[i] - prev[i];
    return isnan(d) ? NAN : d < 0 ? 0 : d / dt;
}

static void
put_rates(const double *c, const double *p, double dt, int vcpus, double core_MHz,
          struct col_entity_row *e)
{
    double busy = rate(c, p, VC_CPU, dt) / 1e9; /* CPUs busy */
    e->m[KS_CPU_PCT] = vcpus > 0 ? busy / vcpus * 100.0 : NAN;
    e->m[KS_CPU_MHZ] = busy * core_MHz;
    static const int map[][2] = {
        {KS_DISK_READ_KIBPS, VC_RDB}, {KS_DISK_WRITE_KIBPS, VC_WRB}, {KS_DISK_READ_IOPS, VC_RDQ},
        {KS_DISK_WRITE_IOPS, VC_WRQ}, {KS_NET_RX_KIBPS, VC_RXB},     {KS_NET_TX_KIBPS, VC_TXB},
        {KS_NET_RX_PPS, VC_RXP},      {KS_NET_TX_PPS, VC_TXP},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        int bytes = map[i][1] == VC_RDB || map[i][1] == VC_WRB || map[i][1] == VC_RXB ||
                    map[i][1] == VC_TXB;
        e->m[map[i][0]] = rate(c, p, map[i][1], dt) / (bytes ? 1024.0 : 1.0);
    }
}

static void
one_domain(struct lv_state *st, virDomainPtr d, double dt, struct col_snapshot *out)
{
    virDomainInfo info;
    char uuid[VIR_UUID_STRING_BUFLEN];
    double c[VC_N];
    int fresh;
    if (lv.virDomainGetInfo(d, &info) < 0 || lv.virDomainGetUUIDString(d, uuid) < 0)
        return;
    struct vm_prev *p = find_prev(st, uuid, &fresh);
    p->seen = 1;
    c[VC_CPU] = (double)info.cpuTime;
    read_io(d, c);
    if (!isnan(dt)) {
        struct col_entity_row *e = col_snapshot_add_entity(out, lv.virDomainGetName(d));
        e->vcpus = info.nrVirtCpu;
        e->mem_MiB = (double)info.maxMem / 1024.0;
        read_mem(d, e);
        if (!fresh)
            put_rates(c, p->c, dt, info.nrVirtCpu, st->core_MHz, e);
    }
    memcpy(p->c, c, sizeof c);
}

static int
lv_sample(void *state, const struct col_ctx *ctx, struct col_snapshot *out, struct ks_err *err)
{
    struct lv_state *st = state;
    virDomainPtr *doms = NULL;
    int n = lv.virConnectListAllDomains(st->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (n < 0)
        return ks_errf(err, -EIO, "libvirt: list domains: %s", lv.virGetLastErrorMessage());
    for (size_t i = 0; i < st->n; i++)
        st->v[i].seen = 0;
    for (int i = 0; i < n; i++) {
        one_domain(st, doms[i], ctx->dt_s, out);
        lv.virDomainFree(doms[i]);
    }
    free(doms);
    /* forget domains that stopped: a restarted one starts a new baseline */
    size_t k = 0;
    for (size_t i = 0; i < st->n; i++)
        if (st->v[i].seen)
            st->v[k++] = st->v[i];
    st->n = k;
    return 0;
}

const struct col_source col_src_libvirt = {"libvirt", lv_open, lv_sample, lv_close};
