/*
 * Disk source: /proc/diskstats, whole disks only. A name is a whole disk when
 * /sys/block/NAME exists (partitions live below their disk there); loop, ram and
 * zram devices never count (they are memory or files already counted elsewhere), and
 * device-mapper / md devices only with --dm (they sit on top of disks that already
 * count: adding both would count an I/O twice). The classification is cached per
 * device, so a steady-state sample costs one read of /proc/diskstats.
 *
 * Totals: KiB/s and IOPS are summed; await is weighted by I/O count (sum of ticks /
 * sum of I/Os); util is the busiest disk's, since a planner cares whether any disk
 * saturates, and an average over idle disks hides it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/col_devtab.h"
#include "collect/col_source.h"

struct disk_state {
    struct col_buf buf;
    struct col_diskstats ds;
    struct col_devtab tab;
    int have_sysblock; /* the tree has /sys/block: classify by it, else by name */
};

static int
disk_open(const struct col_ctx *ctx, void **state, struct ks_err *err)
{
    if (!col_root_exists(ctx->root, "proc/diskstats"))
        return ks_errf(err, -ENOENT, "%s/proc/diskstats: missing", col_root_name(ctx->root));
    struct disk_state *st = ks_xcalloc(1, sizeof *st);
    col_devtab_init(&st->tab, "disk");
    st->have_sysblock = col_root_exists(ctx->root, "sys/block");
    *state = st;
    return 0;
}

/* Add one disk's rates to the snapshot and the running totals. */
static void
disk_emit(struct col_snapshot *out, const char *name, const uint64_t *delta, int fresh, double dt_s,
          struct col_disk_rate *tot)
{
    struct col_disk_row *r = col_snapshot_add_disk(out);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->fresh = fresh;
    col_disk_rates(delta, dt_s, &r->r);
    tot->read_iops += r->r.read_iops;
    tot->write_iops += r->r.write_iops;
    tot->read_KiBps += r->r.read_KiBps;
    tot->write_KiBps += r->r.write_KiBps;
    tot->ios += r->r.ios;
    tot->ticks_ms += r->r.ticks_ms;
    if (r->r.util_pct > tot->util_pct)
        tot->util_pct = r->r.util_pct;
}

static void
disk_totals(const struct col_disk_rate *tot, struct col_snapshot *out)
{
    out->m[KS_DISK_READ_KIBPS] = tot->read_KiBps;
    out->m[KS_DISK_WRITE_KIBPS] = tot->write_KiBps;
    out->m[KS_DISK_READ_IOPS] = tot->read_iops;
    out->m[KS_DISK_WRITE_IOPS] = tot->write_iops;
    out->m[KS_DISK_AWAIT_MS] = tot->ios > 0 ? tot->ticks_ms / tot->ios : 0.0;
    out->m[KS_DISK_UTIL_PCT] = tot->util_pct;
}

static int
disk_sample(void *state, const struct col_ctx *ctx, struct col_snapshot *out, struct ks_err *err)
{
    struct disk_state *st = state;
    int rc = col_root_read(ctx->root, "proc/diskstats", &st->buf);
    if (rc < 0)
        return ks_errf(err, rc, "%s/proc/diskstats: unreadable", col_root_name(ctx->root));
    col_parse_diskstats(st->buf.p, &st->ds);
    int emit = !isnan(ctx->dt_s);
    struct col_disk_rate tot = {0};
    col_devtab_begin(&st->tab);
    for (size_t i = 0; i < st->ds.n; i++) {
        const struct col_disk_line *l = &st->ds.d[i];
        uint64_t delta[COL_D_N];
        int kind;
        struct col_dev *d =
            col_devtab_update(&st->tab, l->name, l->major, l->minor, l->c, COL_D_N, delta, &kind);
        if (d->counted < 0)
            d->counted = col_disk_is_whole(ctx->root, &st->ds, l->name, ctx->opts->include_dm,
                                           st->have_sysblock);
        if (!d->counted || !emit)
            continue;
        col_devtab_event(&st->tab, l->name, kind, out);
        if (kind != COL_DEV_NEW)
            disk_emit(out, l->name, delta, kind == COL_DELTA_REREG, ctx->dt_s, &tot);
    }
    col_devtab_sweep(&st->tab, emit ? out : NULL);
    if (emit)
        disk_totals(&tot, out);
    return 0;
}

static void
disk_close(void *state)
{
    struct disk_state *st = state;
    if (!st)
        return;
    col_buf_fini(&st->buf);
    col_diskstats_fini(&st->ds);
    col_devtab_fini(&st->tab);
    free(st);
}

const struct col_source col_src_disk = {
    .name = "disk",
    .open = disk_open,
    .sample = disk_sample,
    .close = disk_close,
};
