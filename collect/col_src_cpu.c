/*
 * CPU source: /proc/stat. Totals come from the aggregate "cpu" line (the kernel sums
 * every CPU; offline ones stop adding ticks), per-core rows from the "cpuN" lines
 * (online CPUs only: a line that disappears is a CPU taken offline).
 *
 * cpu_MHz = busy share x online logical CPUs x nominal MHz (col_nominal_MHz), the
 * planner's demand in "reference MHz"; unknown when the nominal frequency is.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collect/col_inventory.h"
#include "collect/col_source.h"

struct cpu_prev {
    uint64_t t[COL_T_N];
    int have;   /* a reading exists */
    int online; /* was online at the last sample */
};

struct cpu_state {
    struct col_buf buf;
    struct col_proc_stat ps;
    uint64_t all[COL_T_N];
    int have_all;
    struct cpu_prev *prev; /* indexed by CPU number */
    size_t nprev;
    double nominal_MHz; /* NaN when unknown */
};

static int
cpu_open(const struct col_ctx *ctx, void **state, struct ks_err *err)
{
    if (!col_root_exists(ctx->root, "proc/stat"))
        return ks_errf(err, -ENOENT, "%s/proc/stat: missing", col_root_name(ctx->root));
    struct cpu_state *st = ks_xcalloc(1, sizeof *st);
    st->nominal_MHz = col_nominal_MHz(ctx->root, NULL);
    *state = st;
    return 0;
}

static struct cpu_prev *
prev_of(struct cpu_state *st, int cpu)
{
    if ((size_t)cpu >= st->nprev) {
        size_t n = (size_t)cpu + 1;
        st->prev = ks_xrealloc(st->prev, n * sizeof *st->prev);
        memset(st->prev + st->nprev, 0, (n - st->nprev) * sizeof *st->prev);
        st->nprev = n;
    }
    return &st->prev[cpu];
}

/* Per-core rows; CPUs that went away get an offline row and an event. */
static void
cpu_cores(struct cpu_state *st, const struct col_ctx *ctx, struct col_snapshot *out)
{
    int emit = !isnan(ctx->dt_s);
    for (size_t i = 0; i < st->nprev; i++)
        st->prev[i].online = -st->prev[i].online; /* mark "not seen yet" */
    for (size_t i = 0; i < st->ps.ncpu; i++) {
        const struct col_cpu_line *l = &st->ps.cpu[i];
        if (l->cpu < 0 || l->cpu > 65535)
            continue;
        struct cpu_prev *p = prev_of(st, l->cpu);
        if (emit) {
            struct col_cpu_row *r = col_snapshot_add_cpu(out);
            r->cpu = l->cpu;
            r->online = 1;
            if (p->have)
                col_cpu_pcts(p->t, l->t, &r->pct);
            else
                col_cpu_pcts(l->t, l->t, &r->pct); /* all NaN: no earlier reading */
            if (p->have && p->online == 0)
                col_snapshot_event(out, "cpu_online:%d", l->cpu);
        }
        memcpy(p->t, l->t, sizeof p->t);
        p->have = 1;
        p->online = 1;
    }
    for (size_t i = 0; i < st->nprev; i++) {
        struct cpu_prev *p = &st->prev[i];
        if (p->online >= 0)
            continue;
        p->online = 0; /* was online, not listed now */
        if (emit) {
            struct col_cpu_row *r = col_snapshot_add_cpu(out);
            r->cpu = (int)i;
            col_cpu_pcts(p->t, p->t, &r->pct);
            col_snapshot_event(out, "cpu_offline:%zu", i);
        }
    }
}

static int
cpu_sample(void *state, const struct col_ctx *ctx, struct col_snapshot *out, struct ks_err *err)
{
    struct cpu_state *st = state;
    int rc = col_root_read(ctx->root, "proc/stat", &st->buf);
    if (rc == 0)
        rc = col_parse_proc_stat(st->buf.p, &st->ps);
    if (rc < 0)
        return ks_errf(err, rc, "%s/proc/stat: unreadable", col_root_name(ctx->root));
    cpu_cores(st, ctx, out);
    if (!isnan(ctx->dt_s) && st->have_all) {
        struct col_cpu_pct p;
        col_cpu_pcts(st->all, st->ps.all.t, &p);
        double online = (double)st->ps.ncpu;
        out->m[KS_CPU_PCT] = p.busy;
        out->m[KS_CPU_STEAL_PCT] = p.steal;
        out->m[KS_CPU_MHZ] = p.busy / 100.0 * online * st->nominal_MHz;
        out->x[COL_X_CPU_USER_PCT] = p.user;
        out->x[COL_X_CPU_SYSTEM_PCT] = p.system;
        out->x[COL_X_CPU_IOWAIT_PCT] = p.iowait;
        out->x[COL_X_CPU_GUEST_PCT] = p.guest;
        out->x[COL_X_CPU_ONLINE] = online;
    }
    memcpy(st->all, st->ps.all.t, sizeof st->all);
    st->have_all = 1;
    return 0;
}

static void
cpu_close(void *state)
{
    struct cpu_state *st = state;
    if (!st)
        return;
    col_buf_fini(&st->buf);
    col_proc_stat_fini(&st->ps);
    free(st->prev);
    free(st);
}

const struct col_source col_src_cpu = {
    .name = "cpu",
    .open = cpu_open,
    .sample = cpu_sample,
    .close = cpu_close,
};
