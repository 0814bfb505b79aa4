/*
 * The live feed only translates: the collector's snapshot (collect/col_snapshot.h)
 * into the monitor's model, so `top` shows exactly what `collect` would record.
 */
#include "tui/tui_live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/col_dsdir.h"
#include "collect/col_writer.h"

struct live {
    struct col_sampler *s;
    struct col_snapshot snap;
    struct col_writer *w; /* non-NULL while recording */
    char *entity;         /* entity of recorded rows */
    int recording;        /* rows go to w (r pauses without closing: see live_record) */
    int resumed;          /* the next recorded row says recording was paused */
    int have_rates;       /* a full interval has been sampled */
    int pcap, libvirt, papi_off, root; /* which sources were asked for */
    int dir_fd; /* the recorded directory, opened before a privilege drop; -1: none */
};

/* Per-core lines; an offline CPU keeps its line with unknown shares. */
static void
fill_cpus(const struct col_snapshot *s, struct tui_model *m)
{
    for (size_t i = 0; i < s->ncpu; i++) {
        struct tui_cpu *c = tui_model_add_cpu(m);
        char name[16];
        snprintf(name, sizeof name, "cpu%d", s->cpu[i].cpu);
        tui_cpu_unknown(c, name);
        if (!s->cpu[i].online)
            continue;
        const struct col_cpu_pct *p = &s->cpu[i].pct;
        c->user_pct = p->user;
        c->system_pct = p->system;
        c->iowait_pct = p->iowait;
        c->steal_pct = p->steal;
        c->busy_pct = p->busy;
    }
    m->cpu_all.busy_pct = s->m[KS_CPU_PCT];
    m->cpu_all.steal_pct = s->m[KS_CPU_STEAL_PCT];
    m->cpu_all.user_pct = s->x[COL_X_CPU_USER_PCT];
    m->cpu_all.system_pct = s->x[COL_X_CPU_SYSTEM_PCT];
    m->cpu_all.iowait_pct = s->x[COL_X_CPU_IOWAIT_PCT];
    m->cpu_MHz = s->m[KS_CPU_MHZ];
}

/* Every disk and NIC the collector reports, and the totals it computed (the model
 * must not re-add them: the lists include devices the totals leave out). */
static void
fill_devices(const struct col_snapshot *s, struct tui_model *m)
{
    for (size_t i = 0; i < s->ndisk; i++) {
        const struct col_disk_rate *r = &s->disk[i].r;
        struct tui_disk *d = tui_model_add_disk(m);
        *d = (struct tui_disk){
            "",          r->read_iops, r->write_iops, r->read_KiBps, r->write_KiBps,
            r->await_ms, r->util_pct};
        tui_strlcpy(d->name, s->disk[i].name, sizeof d->name);
    }
    for (size_t i = 0; i < s->nnic; i++) {
        const struct col_nic_rate *r = &s->nic[i].r;
        struct tui_nic *n = tui_model_add_nic(m);
        *n = (struct tui_nic){"",
                              r->rx_KiBps,
                              r->tx_KiBps,
                              r->rx_pps,
                              r->tx_pps,
                              r->rx_err_ps + r->tx_err_ps,
                              r->rx_drop_ps + r->tx_drop_ps};
        /* Devices the totals leave out (lo, links down) are marked, not hidden. */
        snprintf(n->name, sizeof n->name, "%.30s%s", s->nic[i].name, s->nic[i].counted ? "" : "*");
    }
    const double *x = s->m;
    m->disk_KiBps = x[KS_DISK_READ_KIBPS] + x[KS_DISK_WRITE_KIBPS];
    m->net_KiBps = x[KS_NET_RX_KIBPS] + x[KS_NET_TX_KIBPS];
}

/* Sum of two rates, unknown only when both are. */
static double
sum2(double a, double b)
{
    return ks_isnan(a) ? b : ks_isnan(b) ? a : a + b;
}

void
tui_live_fill_vms(const struct col_snapshot *s, struct tui_model *m)
{
    for (size_t i = 0; i < s->nents; i++) {
        const struct col_entity_row *e = &s->ents[i];
        struct tui_vm *vm = tui_model_add_vm(m);
        tui_strlcpy(vm->name, e->entity, sizeof vm->name);
        vm->vcpus = e->vcpus < 0 ? ks_nan() : e->vcpus;
        vm->cpu_pct = e->m[KS_CPU_PCT];
        /* Used memory when the source measures it, else what the VM was given. */
        vm->mem_MiB = ks_isnan(e->m[KS_MEM_USED_MIB]) ? e->mem_MiB : e->m[KS_MEM_USED_MIB];
        vm->disk_KiBps = sum2(e->m[KS_DISK_READ_KIBPS], e->m[KS_DISK_WRITE_KIBPS]);
        vm->net_KiBps = sum2(e->m[KS_NET_RX_KIBPS], e->m[KS_NET_TX_KIBPS]);
    }
}

/* The collector's flow rows (top talkers, then the rest summed) as the screen's. */
static void
fill_flows(const struct col_snapshot *s, struct tui_model *m)
{
    for (size_t i = 0; i < s->nflows; i++) {
        const struct col_flow_row *r = &s->flows[i];
        struct tui_flow *f = tui_model_add_flow(m);
        tui_strlcpy(f->src, r->src, sizeof f->src);
        tui_strlcpy(f->dst, r->dst, sizeof f->dst);
        tui_strlcpy(f->proto, r->proto, sizeof f->proto);
        f->dport = r->dport < 0 ? 0 : r->dport;
        f->bytes = (double)r->bytes;
        f->packets = (double)r->packets;
    }
}

/* A source the user asked for that did not open: the sampler's note says why. */
static int
source_note(const struct col_inventory *inv, const char *word, char *buf, size_t n)
{
    const char *const words[] = {word, NULL};
    return tui_inventory_note(inv->notes, words, buf, n);
}

/* VMs, flows and counters: the figures when their sources run, else why not. */
static void
fill_sources(const struct live *lv, struct tui_model *m)
{
    const struct col_inventory *inv = col_sampler_inventory(lv->s);
    const struct col_snapshot *s = &lv->snap;
    tui_live_fill_vms(s, m);
    if (m->vm.n == 0 && !(lv->libvirt && source_note(inv, "libvirt", m->vm_note, sizeof m->vm_note)))
        snprintf(m->vm_note, sizeof m->vm_note, "%s",
                 lv->libvirt ? "no running domains at this libvirt URI"
                             : "no VMs: give --libvirt URI (e.g. qemu:///system) to list this "
                               "host's domains");
    fill_flows(s, m);
    if (m->flow.n == 0 && !(lv->pcap && source_note(inv, "pcap", m->flow_note, sizeof m->flow_note)))
        snprintf(m->flow_note, sizeof m->flow_note, "%s",
                 lv->pcap ? "no packets captured in the last interval"
                          : "no flows: give --pcap IFACE to capture this host's traffic");
    /* LLC misses per second = misses per 1000 instructions x instructions per second
     * (the default event list, which top uses, counts PAPI_TOT_INS first). */
    m->ipc = s->m[KS_IPC];
    double mpki = s->x[COL_X_PAPI_LLC_MPKI], ins_ps = s->x[COL_X_PAPI_EV1_PS];
    m->llc_miss_ps = ks_isnan(mpki) || ks_isnan(ins_ps) ? ks_nan() : mpki * ins_ps / 1000.0;
    if (lv->papi_off)
        snprintf(m->counters_note, sizeof m->counters_note,
                 "hardware counters are off (--no-papi)");
    else if (tui_inventory_note(inv->notes, tui_counter_words, m->counters_note,
                                sizeof m->counters_note))
        ;
    else if (lv->root && strcmp(inv->kind, "vm") == 0)
        snprintf(m->counters_note, sizeof m->counters_note,
                 "inside a %s guest the hypervisor hides the PMU; and a --root tree is not "
                 "this machine, so counters are not read",
                 inv->hypervisor);
    else
        snprintf(m->counters_note, sizeof m->counters_note, "%s",
                 lv->root ? "a --root tree is not this machine, so counters are not read"
                          : "the counters gave no figures in the last interval");
}

static void
fill_model(struct live *lv, struct tui_model *m)
{
    const struct col_snapshot *s = &lv->snap;
    tui_model_clear_lists(m);
    m->time_s = s->time_s;
    m->interval_s = s->interval_s;
    /* The tree's /proc/uptime; else the sampler's clock, which is close to it. */
    m->uptime_s = ks_isnan(s->uptime_s) ? s->mono_s : s->uptime_s;
    fill_cpus(s, m);
    m->mem_used_MiB = s->m[KS_MEM_USED_MIB];
    m->mem_total_MiB = s->m[KS_MEM_TOTAL_MIB];
    m->swap_used_MiB = s->x[COL_X_SWAP_USED_MIB];
    m->swap_total_MiB = s->x[COL_X_SWAP_TOTAL_MIB];
    fill_devices(s, m);
    fill_sources(lv, m);
}

/* Recording goes through the collector's writer: the same files, the same header
 * checks when appending, the same crash-safety. The writer is opened once, before the
 * first sample (as collect does: the pcap source drops root then, and files opened
 * before stay writable); r pauses and resumes the rows, and a pause is synced to disk
 * so that what was recorded can be read at once. */
static int
live_record(void *ctx, struct tui_model *m, int on, struct ks_err *err)
{
    struct live *lv = ctx;
    if (!lv->w)
        return ks_errf(err, -EINVAL, "give --record DATASET to record");
    if (!on && lv->recording) {
        lv->recording = m->recording = 0;
        return col_writer_sync(lv->w, err);
    }
    if (on && !lv->recording) {
        lv->resumed = 1;
        lv->recording = m->recording = 1;
    }
    return 0;
}

/* One refresh = one sample. A full disk while recording drops that row (the writer
 * marks the gap in the next one) and the monitor goes on. */
static int
live_advance(void *ctx, struct tui_model *m, long n, struct ks_err *err)
{
    (void)n;
    struct live *lv = ctx;
    int rc = col_sampler_sample(lv->s, &lv->snap, err);
    if (rc < 0)
        return rc;
    if (lv->snap.baseline) /* no time passed: nothing new to show or record */
        return 0;
    if (lv->recording) {
        if (lv->resumed) /* rows are missing before this one: on purpose, and said so */
            col_snapshot_event(&lv->snap, "record_resumed");
        if ((rc = col_writer_put(lv->w, &lv->snap, err)) < 0 && rc != -ENOSPC)
            return rc;
        lv->resumed = 0;
    }
    lv->have_rates = 1;
    m->note[0] = '\0';
    fill_model(lv, m);
    tui_model_push_history(m);
    tui_model_add_demand(m, m->cpu_MHz, m->mem_used_MiB);
    return 1;
}

static void
live_close(void *ctx)
{
    struct live *lv = ctx;
    if (!lv)
        return;
    col_writer_close(lv->w, NULL);
    if (lv->dir_fd >= 0)
        close(lv->dir_fd);
    col_snapshot_fini(&lv->snap);
    col_sampler_free(lv->s);
    free(lv->entity);
    free(lv);
}

static const struct tui_feed_ops live_ops = {
    .name = "live",
    .advance = live_advance,
    .seek = NULL,
    .record = live_record,
    .set_interval = NULL, /* the sampler measures each interval itself */
    .close = live_close,
};

int
tui_live_open(const struct tui_live_opts *o, struct tui_model *m, struct tui_feed *out,
              struct ks_err *err)
{
    struct live *lv = ks_xcalloc(1, sizeof *lv);
    lv->dir_fd = -1;
    struct col_opts co = {.root = o->root,
                          .root_seq = o->root_seq,
                          .pcap_ifaces = o->pcap,
                          .pcap_user = o->pcap_user,
                          .libvirt_uri = o->libvirt,
                          .papi_off = o->papi_off};
    lv->pcap = o->pcap != NULL;
    lv->libvirt = o->libvirt != NULL;
    lv->papi_off = o->papi_off;
    lv->root = o->root != NULL;
    col_snapshot_init(&lv->snap);
    int rc = col_sampler_new(&co, &lv->s, err);
    if (rc < 0) {
        live_close(lv);
        return rc;
    }
    const struct col_inventory *inv = col_sampler_inventory(lv->s);
    /* The same default entity as collect: the host name. */
    lv->entity = ks_xstrdup(o->entity ? o->entity : inv->hostname[0] ? inv->hostname : "localhost");
    if (o->record) {
        struct col_writer_opts wo = {.dir = o->record, .entity = lv->entity, .flows = lv->pcap};
        char io_dir[32];
        /* as collect: drop before the writer creates anything (col_dsdir.h) */
        rc = col_dsdir_drop(o->record, col_sampler_drop_user(lv->s), &lv->dir_fd, io_dir,
                            sizeof io_dir, err);
        wo.io_dir = lv->dir_fd >= 0 ? io_dir : NULL;
        if (rc == 0)
            rc = col_writer_open(&wo, inv, &lv->w, err);
        lv->recording = m->recording = rc == 0;
    }
    if (rc == 0)
        rc = col_sampler_sample(lv->s, &lv->snap, err); /* the baseline */
    if (rc < 0) {
        live_close(lv);
        return rc;
    }
    tui_strlcpy(m->host, inv->hostname[0] ? inv->hostname : lv->entity, sizeof m->host);
    tui_virt_text(inv->hypervisor, inv->kind, m->virt, sizeof m->virt);
    tui_strlcpy(m->cpu_model, inv->cpu_model, sizeof m->cpu_model);
    m->cores = inv->cores > 0 ? inv->cores : ks_nan();
    m->threads = inv->threads > 0 ? inv->threads : ks_nan();
    m->core_MHz = inv->core_MHz;
    fill_model(lv, m); /* the baseline: names of devices, rates unknown */
    snprintf(m->note, sizeof m->note, "waiting for the first interval");
    out->ops = &live_ops;
    out->ctx = lv;
    return 0;
}
