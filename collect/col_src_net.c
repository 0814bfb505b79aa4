/*
 * NIC source: /proc/net/dev counters, /sys/class/net/NAME for state and speed.
 * Loopback and interfaces whose operstate is "down" are listed in the snapshot but
 * left out of the totals (counted = 0): traffic on lo never leaves the machine, so a
 * planner must not size NICs for it. Speed: Mb/s from sysfs; -1 or EINVAL (virtio,
 * lo, shared/reference.md) means unknown.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/col_devtab.h"
#include "collect/col_source.h"

struct net_state {
    struct col_buf buf;
    struct col_netdev nd;
    struct col_devtab tab;
};

static int
net_open(const struct col_ctx *ctx, void **state, struct ks_err *err)
{
    if (!col_root_exists(ctx->root, "proc/net/dev"))
        return ks_errf(err, -ENOENT, "%s/proc/net/dev: missing", col_root_name(ctx->root));
    struct net_state *st = ks_xcalloc(1, sizeof *st);
    col_devtab_init(&st->tab, "nic");
    *state = st;
    return 0;
}

static void
net_add(struct col_nic_rate *tot, const struct col_nic_rate *r)
{
    tot->rx_KiBps += r->rx_KiBps;
    tot->tx_KiBps += r->tx_KiBps;
    tot->rx_pps += r->rx_pps;
    tot->tx_pps += r->tx_pps;
    tot->rx_err_ps += r->rx_err_ps;
    tot->tx_err_ps += r->tx_err_ps;
    tot->rx_drop_ps += r->rx_drop_ps;
    tot->tx_drop_ps += r->tx_drop_ps;
}

static void
net_totals(const struct col_nic_rate *t, struct col_snapshot *out)
{
    out->m[KS_NET_RX_KIBPS] = t->rx_KiBps;
    out->m[KS_NET_TX_KIBPS] = t->tx_KiBps;
    out->m[KS_NET_RX_PPS] = t->rx_pps;
    out->m[KS_NET_TX_PPS] = t->tx_pps;
    out->x[COL_X_NET_RX_ERR_PS] = t->rx_err_ps;
    out->x[COL_X_NET_TX_ERR_PS] = t->tx_err_ps;
    out->x[COL_X_NET_RX_DROP_PS] = t->rx_drop_ps;
    out->x[COL_X_NET_TX_DROP_PS] = t->tx_drop_ps;
}

/* One interface of /proc/net/dev: deltas, state changes as events, its row (every
 * interface is listed for top; only counted ones go into tot). out NULL: baseline. */
static void
net_one(struct net_state *st, const struct col_ctx *ctx, const struct col_nic_line *l,
        struct col_snapshot *out, struct col_nic_rate *tot)
{
    uint64_t delta[COL_N_N];
    int kind, was;
    struct col_dev *d = col_devtab_update(&st->tab, l->name, 0, 0, l->c, COL_N_N, delta, &kind);
    was = kind == COL_DEV_NEW ? -1 : d->counted;
    col_nic_classify(ctx->root, d);
    if (!out)
        return;
    if (d->counted && was == 0)
        col_snapshot_event(out, "nic_up:%s", d->name);
    else if (!d->counted && was == 1)
        col_snapshot_event(out, "nic_down:%s", d->name);
    if (d->counted)
        col_devtab_event(&st->tab, l->name, kind, out);
    if (kind == COL_DEV_NEW)
        return; /* rates from the next interval */
    struct col_nic_row *r = col_snapshot_add_nic(out);
    snprintf(r->name, sizeof r->name, "%s", d->name);
    r->counted = d->counted;
    r->speed_Mbps = d->speed_Mbps;
    r->fresh = kind == COL_DELTA_REREG;
    col_nic_rates(delta, ctx->dt_s, &r->r);
    if (d->counted)
        net_add(tot, &r->r);
}

static int
net_sample(void *state, const struct col_ctx *ctx, struct col_snapshot *out, struct ks_err *err)
{
    struct net_state *st = state;
    int rc = col_root_read(ctx->root, "proc/net/dev", &st->buf);
    if (rc < 0)
        return ks_errf(err, rc, "%s/proc/net/dev: unreadable", col_root_name(ctx->root));
    col_parse_net_dev(st->buf.p, &st->nd);
    int emit = !isnan(ctx->dt_s);
    struct col_nic_rate tot = {0};
    col_devtab_begin(&st->tab);
    for (size_t i = 0; i < st->nd.n; i++)
        net_one(st, ctx, &st->nd.d[i], emit ? out : NULL, &tot);
    col_devtab_sweep(&st->tab, emit ? out : NULL);
    if (emit)
        net_totals(&tot, out);
    return 0;
}

static void
net_close(void *state)
{
    struct net_state *st = state;
    if (!st)
        return;
    col_buf_fini(&st->buf);
    col_netdev_fini(&st->nd);
    col_devtab_fini(&st->tab);
    free(st);
}

const struct col_source col_src_net = {
    .name = "net",
    .open = net_open,
    .sample = net_sample,
    .close = net_close,
};
