/*
 * Memory source: /proc/meminfo (levels, no delta needed) and /proc/vmstat page-in and
 * page-out (counters). used = MemTotal - MemAvailable: what the planner must keep
 * resident; "cached" is page cache + reclaimable slab, which a host can squeeze.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collect/col_source.h"

struct mem_state {
    struct col_buf buf;
    struct col_vmstat vm;
    int have_vm;
};

static int
mem_open(const struct col_ctx *ctx, void **state, struct ks_err *err)
{
    if (!col_root_exists(ctx->root, "proc/meminfo"))
        return ks_errf(err, -ENOENT, "%s/proc/meminfo: missing", col_root_name(ctx->root));
    *state = ks_xcalloc(1, sizeof(struct mem_state));
    return 0;
}

static void
mem_levels(const struct col_meminfo *mi, struct col_snapshot *out)
{
    double sre = isnan(mi->sreclaim_KiB) ? 0 : mi->sreclaim_KiB;
    out->m[KS_MEM_USED_MIB] = col_mem_used_KiB(mi) / 1024.0;
    out->m[KS_MEM_TOTAL_MIB] = mi->total_KiB / 1024.0;
    out->x[COL_X_MEM_CACHED_MIB] = (mi->cached_KiB + sre) / 1024.0;
    out->x[COL_X_SWAP_TOTAL_MIB] = mi->swap_total_KiB / 1024.0;
    out->x[COL_X_SWAP_USED_MIB] = (mi->swap_total_KiB - mi->swap_free_KiB) / 1024.0;
}

static void
mem_paging(struct mem_state *st, const struct col_ctx *ctx, struct col_snapshot *out)
{
    struct col_vmstat vm;
    if (col_root_read(ctx->root, "proc/vmstat", &st->buf) < 0 ||
        col_parse_vmstat(st->buf.p, &vm) < 0)
        return; /* paging stays unknown: not worth failing the memory figures */
    if (!isnan(ctx->dt_s) && st->have_vm && vm.have == st->vm.have) {
        uint64_t d[COL_VM_N];
        col_counter_deltas(st->vm.c, vm.c, COL_VM_N, d);
        out->x[COL_X_PGIN_KIBPS] = (double)d[COL_VM_PGPGIN] / ctx->dt_s;
        out->x[COL_X_PGOUT_KIBPS] = (double)d[COL_VM_PGPGOUT] / ctx->dt_s;
    }
    st->vm = vm;
    st->have_vm = 1;
}

static int
mem_sample(void *state, const struct col_ctx *ctx, struct col_snapshot *out, struct ks_err *err)
{
    struct mem_state *st = state;
    struct col_meminfo mi;
    int rc = col_root_read(ctx->root, "proc/meminfo", &st->buf);
    if (rc == 0)
        rc = col_parse_meminfo(st->buf.p, &mi);
    if (rc < 0)
        return ks_errf(err, rc, "%s/proc/meminfo: unreadable", col_root_name(ctx->root));
    if (!isnan(ctx->dt_s))
        mem_levels(&mi, out);
    mem_paging(st, ctx, out);
    return 0;
}

static void
mem_close(void *state)
{
    struct mem_state *st = state;
    if (!st)
        return;
    col_buf_fini(&st->buf);
    free(st);
}

const struct col_source col_src_mem = {
    .name = "mem",
    .open = mem_open,
    .sample = mem_sample,
    .close = mem_close,
};
