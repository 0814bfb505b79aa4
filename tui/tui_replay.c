/*
 * Replay keeps the whole dataset in memory (core's columnar samples, ~8 bytes a
 * value) and an index of each entity's rows, so a step is O(1) and a jump rebuilds
 * the history from at most TUI_HIST_CAP samples.
 */
#include "tui/tui_replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/col_snapshot.h"
#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "core/ks_zst.h"

void
tui_feed_close(struct tui_feed *f)
{
    if (f->ops && f->ops->close)
        f->ops->close(f->ctx);
    f->ops = NULL;
    f->ctx = NULL;
}

/* Extra samples.csv columns the collector writes (collect/col_snapshot.h) that a
 * replay shows when present. */
enum rx {
    RX_USER,
    RX_SYSTEM,
    RX_IOWAIT,
    RX_SWAP_USED,
    RX_SWAP_TOTAL,
    RX_RX_ERR,
    RX_TX_ERR,
    RX_RX_DROP,
    RX_TX_DROP,
    RX_N
};
static const enum col_extra rx_col[RX_N] = {
    COL_X_CPU_USER_PCT,  COL_X_CPU_SYSTEM_PCT, COL_X_CPU_IOWAIT_PCT,
    COL_X_SWAP_USED_MIB, COL_X_SWAP_TOTAL_MIB, COL_X_NET_RX_ERR_PS,
    COL_X_NET_TX_ERR_PS, COL_X_NET_RX_DROP_PS, COL_X_NET_TX_DROP_PS};

struct replay {
    struct ks_dataset *ds;
    long xcol[RX_N];       /* index among the samples' extra columns, -1 if absent */
    struct ks_table cores; /* cores.csv (ncols 0 when absent) */
    size_t *core_rows;     /* its rows of the replayed entity, in file (time) order */
    size_t ncore_rows;
    size_t ent;    /* the entity replayed */
    size_t **rows; /* per entity: its sample rows, in time order */
    size_t *nrows;
    size_t pos;                        /* index into rows[ent] */
    double threads, core_MHz, mem_MiB; /* inventory, for figures samples lack */
};

static double
metric(const struct replay *rp, size_t r, enum ks_metric m)
{
    return ks_samples_get(&rp->ds->s, r, m);
}

/* Extra column k of sample row r, NaN when absent, empty or not a number. */
static double
extra(const struct replay *rp, size_t r, enum rx k)
{
    const struct ks_samples *s = &rp->ds->s;
    double v;
    if (rp->xcol[k] < 0)
        return ks_nan();
    const char *cell = s->extra[r * s->nextra + (size_t)rp->xcol[k]];
    return cell && ks_parse_double(cell, &v) == 0 ? v : ks_nan();
}

/* Last row of entity e with time <= t, or -1. Binary search over its rows. */
static long
row_at(const struct replay *rp, size_t e, double t)
{
    size_t lo = 0, hi = rp->nrows[e];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rp->ds->s.time[rp->rows[e][mid]] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? -1 : (long)rp->rows[e][lo - 1];
}

static double
sum2(double a, double b)
{
    return ks_isnan(a) ? b : ks_isnan(b) ? a : a + b;
}

/* Busy MHz of row r: the cpu_MHz column, else cpu_pct x threads x core_MHz. */
static double
busy_MHz(const struct replay *rp, size_t r)
{
    double mhz = metric(rp, r, KS_CPU_MHZ);
    if (ks_isnan(mhz))
        mhz = metric(rp, r, KS_CPU_PCT) / 100.0 * rp->threads * rp->core_MHz;
    return mhz;
}

static double
mem_total(const struct replay *rp, size_t r)
{
    double t = metric(rp, r, KS_MEM_TOTAL_MIB);
    return ks_isnan(t) ? rp->mem_MiB : t;
}

/* Other VMs at the same moment: the last sample of each at or before t, so VMs
 * sampled on another grid still show their latest values. */
static void
fill_vms(const struct replay *rp, struct tui_model *m, double t)
{
    const struct ks_dataset *ds = rp->ds;
    for (size_t e = 0; e < ks_dataset_nent(ds); e++) {
        const char *kind = ks_inv_str(ds, e, "kind");
        if (e == rp->ent || !kind || strcmp(kind, "vm") != 0)
            continue;
        struct tui_vm *vm = tui_model_add_vm(m);
        tui_strlcpy(vm->name, ks_dataset_entity(ds, e), sizeof vm->name);
        vm->vcpus = ks_inv_num(ds, e, "threads");
        if (ks_isnan(vm->vcpus))
            vm->vcpus = ks_inv_num(ds, e, "cores");
        long r = row_at(rp, e, t);
        double nan = ks_nan();
        vm->cpu_pct = r < 0 ? nan : metric(rp, (size_t)r, KS_CPU_PCT);
        vm->mem_MiB = r < 0 ? nan : metric(rp, (size_t)r, KS_MEM_USED_MIB);
        vm->disk_KiBps = r < 0 ? nan
                               : sum2(metric(rp, (size_t)r, KS_DISK_READ_KIBPS),
                                      metric(rp, (size_t)r, KS_DISK_WRITE_KIBPS));
        vm->net_KiBps = r < 0 ? nan
                              : sum2(metric(rp, (size_t)r, KS_NET_RX_KIBPS),
                                     metric(rp, (size_t)r, KS_NET_TX_KIBPS));
    }
    if (m->vm.n == 0)
        snprintf(m->vm_note, sizeof m->vm_note,
                 "no VMs in this dataset (inventory rows of kind vm)");
}

/* One flows.csv row into the model, merged with an equal (src, dst, proto, dport). */
static void
add_flow(struct tui_model *m, const struct ks_table *fl, size_t r)
{
    const char *src = ks_table_str(fl, r, "src"), *dst = ks_table_str(fl, r, "dst");
    const char *proto = ks_table_str(fl, r, "proto");
    double dport = ks_table_num(fl, r, "dport");
    struct tui_flow key = {.dport = ks_isnan(dport) ? 0 : (long)dport};
    tui_strlcpy(key.src, src ? src : "?", sizeof key.src);
    tui_strlcpy(key.dst, dst ? dst : "?", sizeof key.dst);
    tui_strlcpy(key.proto, proto ? proto : "?", sizeof key.proto);
    struct tui_flow *f = NULL;
    for (size_t i = 0; i < m->flow.n && !f; i++)
        if (strcmp(m->flow.v[i].src, key.src) == 0 && strcmp(m->flow.v[i].dst, key.dst) == 0 &&
            strcmp(m->flow.v[i].proto, key.proto) == 0 && m->flow.v[i].dport == key.dport)
            f = &m->flow.v[i];
    if (!f) {
        f = tui_model_add_flow(m);
        *f = key;
    }
    double b = ks_table_num(fl, r, "bytes"), p = ks_table_num(fl, r, "packets");
    f->bytes += ks_isnan(b) ? 0 : b;
    f->packets += ks_isnan(p) ? 0 : p;
}

/* Flows of the replayed entity whose time falls in the current interval (t - iv, t].
 * Flows recorded more coarsely than the samples (gen --flows writes them by the hour)
 * have none in most intervals: then the latest interval before t that has some is
 * shown, and the screen says which. */
static void
fill_flows(const struct replay *rp, struct tui_model *m, double t, double iv)
{
    const struct ks_table *fl = &rp->ds->flows;
    const char *me = ks_dataset_entity(rp->ds, rp->ent);
    double latest = -INFINITY;
    if (fl->ncols == 0) {
        snprintf(m->flow_note, sizeof m->flow_note, "no flows.csv in this dataset");
        return;
    }
    for (size_t r = 0; r < fl->nrows; r++) {
        const char *e = ks_table_str(fl, r, "entity");
        double ft = ks_table_num(fl, r, "time");
        if (!e || strcmp(e, me) != 0 || !(ft <= t))
            continue;
        if (ft > t - (ks_isnan(iv) ? 0 : iv))
            add_flow(m, fl, r);
        else if (ft > latest)
            latest = ft;
    }
    if (m->flow.n == 0 && latest > -INFINITY) {
        for (size_t r = 0; r < fl->nrows; r++) {
            const char *e = ks_table_str(fl, r, "entity");
            if (e && strcmp(e, me) == 0 && ks_table_num(fl, r, "time") == latest)
                add_flow(m, fl, r);
        }
        m->flow_time_s = latest;
    }
    if (m->flow.n == 0)
        snprintf(m->flow_note, sizeof m->flow_note, "no flows of %s in this interval", me);
}

static void
fill_counters(const struct replay *rp, struct tui_model *m, size_t r)
{
    m->ipc = metric(rp, r, KS_IPC);
    m->llc_miss_ps = ks_nan(); /* not a dataset column */
    if (!tui_inventory_note(ks_inv_str(rp->ds, rp->ent, "notes"), tui_counter_words, m->counters_note,
                      sizeof m->counters_note))
        snprintf(m->counters_note, sizeof m->counters_note,
                 "not recorded in this dataset (ipc column empty; LLC is not a dataset column)");
}

/* A dataset row has totals only: one "all disks" and one "all NICs" line, present
 * when at least one of their figures is known. */
static void
fill_io(const struct replay *rp, struct tui_model *m, size_t r)
{
    static const enum ks_metric dm[] = {KS_DISK_READ_IOPS,   KS_DISK_WRITE_IOPS, KS_DISK_READ_KIBPS,
                                        KS_DISK_WRITE_KIBPS, KS_DISK_AWAIT_MS,   KS_DISK_UTIL_PCT};
    static const enum ks_metric nm[] = {KS_NET_RX_KIBPS, KS_NET_TX_KIBPS, KS_NET_RX_PPS,
                                        KS_NET_TX_PPS};
    double d[6], n[4];
    int dk = 0, nk = 0;
    for (int i = 0; i < 6; i++)
        dk |= !ks_isnan(d[i] = metric(rp, r, dm[i]));
    for (int i = 0; i < 4; i++)
        nk |= !ks_isnan(n[i] = metric(rp, r, nm[i]));
    if (dk)
        *tui_model_add_disk(m) = (struct tui_disk){"all disks", d[0], d[1], d[2], d[3], d[4], d[5]};
    if (nk) /* errors and drops: the collector's extra columns, when present */
        *tui_model_add_nic(m) =
            (struct tui_nic){"all NICs",
                             n[0],
                             n[1],
                             n[2],
                             n[3],
                             sum2(extra(rp, r, RX_RX_ERR), extra(rp, r, RX_TX_ERR)),
                             sum2(extra(rp, r, RX_RX_DROP), extra(rp, r, RX_TX_DROP))};
}

/* cores.csv rows of the entity at time t: binary search for the first, then every
 * consecutive row with that time (the writer puts a sample's cores together). */
static void
fill_cores(const struct replay *rp, struct tui_model *m, double t)
{
    size_t lo = 0, hi = rp->ncore_rows;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ks_table_num(&rp->cores, rp->core_rows[mid], "time") < t - 1e-6)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < rp->ncore_rows; lo++) {
        size_t r = rp->core_rows[lo];
        if (fabs(ks_table_num(&rp->cores, r, "time") - t) > 1e-6)
            break;
        struct tui_cpu *c = tui_model_add_cpu(m);
        char name[16];
        snprintf(name, sizeof name, "cpu%.0f", ks_table_num(&rp->cores, r, "cpu"));
        tui_cpu_unknown(c, name);
        c->busy_pct = ks_table_num(&rp->cores, r, "busy_pct");
        c->user_pct = ks_table_num(&rp->cores, r, "user_pct");
        c->system_pct = ks_table_num(&rp->cores, r, "system_pct");
        c->iowait_pct = ks_table_num(&rp->cores, r, "iowait_pct");
        c->steal_pct = ks_table_num(&rp->cores, r, "steal_pct");
    }
}

/* Fill the per-sample part of m from sample rows[ent][pos] (history left alone). */
static void
fill_current(const struct replay *rp, struct tui_model *m)
{
    const size_t *rows = rp->rows[rp->ent];
    size_t r = rows[rp->pos];
    const struct ks_samples *s = &rp->ds->s;
    tui_model_clear_lists(m);
    m->time_s = s->time[r];
    m->interval_s = s->interval_s[r];
    double first_iv = s->interval_s[rows[0]];
    m->uptime_s = s->time[r] - (s->time[rows[0]] - (ks_isnan(first_iv) ? 0 : first_iv));
    m->replay_pos = rp->pos;
    m->replay_count = rp->nrows[rp->ent];
    m->cpu_all.busy_pct = metric(rp, r, KS_CPU_PCT);
    m->cpu_all.steal_pct = metric(rp, r, KS_CPU_STEAL_PCT);
    m->cpu_all.user_pct = extra(rp, r, RX_USER);
    m->cpu_all.system_pct = extra(rp, r, RX_SYSTEM);
    m->cpu_all.iowait_pct = extra(rp, r, RX_IOWAIT);
    m->cpu_MHz = busy_MHz(rp, r);
    m->mem_used_MiB = metric(rp, r, KS_MEM_USED_MIB);
    m->mem_total_MiB = mem_total(rp, r);
    m->swap_used_MiB = extra(rp, r, RX_SWAP_USED);
    m->swap_total_MiB = extra(rp, r, RX_SWAP_TOTAL);
    fill_cores(rp, m, m->time_s);
    fill_io(rp, m, r);
    fill_vms(rp, m, m->time_s);
    fill_flows(rp, m, m->time_s, m->interval_s);
    fill_counters(rp, m, r);
}

/* The sample at pos joins history and demand: the order tui_model expects. */
static void
take_sample(struct replay *rp, struct tui_model *m)
{
    fill_current(rp, m);
    tui_model_push_history(m);
    tui_model_add_demand(m, m->cpu_MHz, m->mem_used_MiB);
}

/* Rebuild history and demand from the first sample up to pos (a jump). */
static void
rebuild(struct replay *rp, struct tui_model *m, size_t pos)
{
    tui_model_clear_history(m);
    for (rp->pos = 0; rp->pos <= pos; rp->pos++) {
        size_t r = rp->rows[rp->ent][rp->pos];
        /* Only the newest TUI_HIST_CAP samples reach the sparklines; earlier ones only
         * count as demand, which needs no full refill. */
        if (pos - rp->pos < TUI_HIST_CAP) {
            take_sample(rp, m);
        } else {
            tui_model_add_demand(m, busy_MHz(rp, r), metric(rp, r, KS_MEM_USED_MIB));
        }
    }
    rp->pos = pos;
}

/* A jump rebuilds the history, so the sparklines and Fit show the time up to the
 * new position whichever way the user came. */
static int
replay_seek(void *ctx, struct tui_model *m, long pos, struct ks_err *err)
{
    (void)err;
    struct replay *rp = ctx;
    size_t n = rp->nrows[rp->ent];
    size_t to = pos < 0 || (size_t)pos >= n ? n - 1 : (size_t)pos;
    if (to == rp->pos && m->dem_cpu_MHz.n == rp->pos + 1)
        return 0;
    rebuild(rp, m, to);
    return 1;
}

/* One step forward is incremental (the common case while playing); anything else is
 * a seek. */
static int
replay_advance(void *ctx, struct tui_model *m, long n, struct ks_err *err)
{
    struct replay *rp = ctx;
    long to = (long)rp->pos + n;
    long last = (long)rp->nrows[rp->ent] - 1;
    to = to < 0 ? 0 : to > last ? last : to;
    if (to == (long)rp->pos)
        return 0;
    if (to != (long)rp->pos + 1)
        return replay_seek(ctx, m, to, err);
    rp->pos++;
    take_sample(rp, m);
    return 1;
}

static void
replay_close(void *ctx)
{
    struct replay *rp = ctx;
    if (!rp)
        return;
    for (size_t e = 0; rp->rows && e < ks_dataset_nent(rp->ds); e++)
        free(rp->rows[e]);
    free(rp->rows);
    free(rp->nrows);
    free(rp->core_rows);
    if (rp->cores.ncols)
        ks_table_fini(&rp->cores);
    ks_dataset_free(rp->ds);
    free(rp);
}

static const struct tui_feed_ops replay_ops = {
    .name = "replay",
    .advance = replay_advance,
    .seek = replay_seek,
    .record = NULL,
    .set_interval = NULL,
    .close = replay_close,
};

/* Index every entity's sample rows (the file is sorted by time, so they are too). */
static void
index_rows(struct replay *rp)
{
    size_t ne = ks_dataset_nent(rp->ds);
    rp->rows = ks_xcalloc(ne + 1, sizeof *rp->rows);
    rp->nrows = ks_xcalloc(ne + 1, sizeof *rp->nrows);
    size_t *cap = ks_xcalloc(ne + 1, sizeof *cap);
    for (size_t r = 0; r < rp->ds->s.nrows; r++) {
        size_t e = rp->ds->s.ent[r];
        rp->rows[e] = ks_xgrow(rp->rows[e], &cap[e], rp->nrows[e] + 1, sizeof **rp->rows);
        rp->rows[e][rp->nrows[e]++] = r;
    }
    free(cap);
}

/* The named entity, else the first of the inventory that has samples (an inventory
 * may list hosts that were never sampled). */
static int
pick_entity(struct replay *rp, const char *dir, const char *entity, struct ks_err *err)
{
    if (entity) {
        long e = ks_dataset_find(rp->ds, entity);
        if (e < 0)
            return ks_errf(err, -ENOENT, "%s/inventory.csv: no entity '%s'", dir, entity);
        if (rp->nrows[e] == 0)
            return ks_errf(err, -ENOENT, "%s/samples.csv: entity '%s' has no samples", dir, entity);
        rp->ent = (size_t)e;
        return 0;
    }
    for (size_t e = 0; e < ks_dataset_nent(rp->ds); e++)
        if (rp->nrows[e] > 0) {
            rp->ent = e;
            return 0;
        }
    return ks_errf(err, -ENOENT, "%s/samples.csv: no samples to replay", dir);
}

/* Find the collector's extra columns, and read cores.csv (optional) for the entity. */
static int
open_extras(struct replay *rp, const char *dir, struct ks_err *err)
{
    static const char *const core_req[] = {"time", "entity", "cpu", NULL};
    const struct ks_samples *s = &rp->ds->s;
    for (int k = 0; k < RX_N; k++) {
        rp->xcol[k] = -1;
        for (size_t i = 0; i < s->nextra; i++)
            if (strcmp(s->extra_names[i], col_extra_names[rx_col[k]]) == 0)
                rp->xcol[k] = (long)i;
    }
    char *p; /* cores.csv or cores.csv.zst */
    int rc = ks_zst_pick(dir, "cores.csv", &p, err);
    if (rc > 0 && (rc = ks_table_read(p, core_req, &rp->cores, err)) == 0) {
        const char *me = ks_dataset_entity(rp->ds, rp->ent);
        rp->core_rows = ks_xmalloc((rp->cores.nrows + 1) * sizeof *rp->core_rows);
        for (size_t r = 0; r < rp->cores.nrows; r++) {
            const char *e = ks_table_str(&rp->cores, r, "entity");
            if (e && strcmp(e, me) == 0)
                rp->core_rows[rp->ncore_rows++] = r;
        }
    }
    free(p);
    return rc;
}

static void
fill_header(const struct replay *rp, struct tui_model *m)
{
    const char *host = ks_inv_str(rp->ds, rp->ent, "hostname");
    tui_strlcpy(m->host, host && *host ? host : ks_dataset_entity(rp->ds, rp->ent), sizeof m->host);
    tui_virt_text(ks_inv_str(rp->ds, rp->ent, "hypervisor"), ks_inv_str(rp->ds, rp->ent, "kind"),
                  m->virt, sizeof m->virt);
}

int
tui_replay_open(const char *dir, const char *entity, struct tui_model *m, struct tui_feed *out,
                struct ks_err *err)
{
    struct replay *rp = ks_xcalloc(1, sizeof *rp);
    int rc = ks_dataset_read(dir, &rp->ds, err);
    if (rc < 0) {
        free(rp);
        return rc;
    }
    index_rows(rp);
    rc = pick_entity(rp, dir, entity, err);
    if (rc < 0) {
        replay_close(rp);
        return rc;
    }
    if ((rc = open_extras(rp, dir, err)) < 0) {
        replay_close(rp);
        return rc;
    }
    rp->threads = ks_inv_num(rp->ds, rp->ent, "threads");
    rp->core_MHz = ks_inv_num(rp->ds, rp->ent, "core_MHz");
    rp->mem_MiB = ks_inv_num(rp->ds, rp->ent, "mem_MiB");
    const char *cm = ks_inv_str(rp->ds, rp->ent, "cpu_model");
    tui_strlcpy(m->cpu_model, cm ? cm : "", sizeof m->cpu_model);
    m->cores = ks_inv_num(rp->ds, rp->ent, "cores");
    m->threads = rp->threads;
    m->core_MHz = rp->core_MHz;
    fill_header(rp, m);
    rebuild(rp, m, 0);
    out->ops = &replay_ops;
    out->ctx = rp;
    return 0;
}
