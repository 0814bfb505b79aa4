/* The status quo's boxes by kind of source (see mdl_cost_estate.h). */
#include "model/mdl_cost_estate.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Per-entity scratch of one build, all arrays nent long and owned here. The by-host
 * arrays are indexed by the host's entity index. */
struct scan {
    const struct ks_dataset *ds;
    size_t nent;
    long *host;      /* a VM's host entity; -1 none (or not a VM) */
    double *weight;  /* a VM's weight: its vCPUs, or its host's mean (header) */
    double *w_all;   /* by host: weight of all its VMs in the dataset */
    double *w_moved; /* by host: weight of its VMs among the sources */
};

static void
scan_init(struct scan *s, const struct ks_dataset *ds)
{
    size_t n = ks_dataset_nent(ds), m = n ? n : 1;
    s->ds = ds;
    s->nent = n;
    s->host = ks_xmalloc(m * sizeof *s->host);
    s->weight = ks_xcalloc(m, sizeof *s->weight);
    s->w_all = ks_xcalloc(m, sizeof *s->w_all);
    s->w_moved = ks_xcalloc(m, sizeof *s->w_moved);
}

static void
scan_fini(struct scan *s)
{
    free(s->host);
    free(s->weight);
    free(s->w_all);
    free(s->w_moved);
}

static int
is_kind(const struct ks_dataset *ds, size_t e, const char *kind)
{
    const char *k = ks_inv_str(ds, e, "kind");
    return k && strcmp(k, kind) == 0;
}

static unsigned long
inv_line(const struct ks_dataset *ds, size_t e)
{
    return ds->inv.lines ? ds->inv.lines[e] : 0;
}

/* The host entity a VM runs on: its `host` column naming a row of kind host; -1 when
 * e is no VM, the column is empty, or it names something else (itself, another VM, a
 * physical server, nothing). */
static long
host_of(const struct ks_dataset *ds, size_t e)
{
    const char *h = is_kind(ds, e, "vm") ? ks_inv_str(ds, e, "host") : NULL;
    long x = h && *h ? ks_dataset_find(ds, h) : -1;
    return x >= 0 && is_kind(ds, (size_t)x, "host") ? x : -1;
}

/* A VM's allocated vCPUs: `threads`, else `cores`; NaN when neither is given. */
static int
vcpus(const struct ks_dataset *ds, size_t e, size_t host, double *out, struct ks_err *err)
{
    const char *col = "threads";
    *out = ks_inv_num(ds, e, col);
    if (isnan(*out))
        *out = ks_inv_num(ds, e, col = "cores");
    if (isnan(*out) || (*out >= 1 && *out <= MDL_COST_MAX_VCPUS))
        return 0;
    return ks_errf(err, -EINVAL,
                   "inventory.csv:%lu: entity '%s': %s '%s': want a vCPU count from 1 to "
                   "%.0f (it weighs the VM's share of host '%s')",
                   inv_line(ds, e), ks_dataset_entity(ds, e), col, ks_inv_str(ds, e, col),
                   MDL_COST_MAX_VCPUS, ks_dataset_entity(ds, host));
}

/* Every VM of the dataset on a known host, moved or not, weighed: the shares are of
 * the whole host, so VMs that stay keep theirs. */
static int
weigh_vms(struct scan *s, struct ks_err *err)
{
    size_t n = s->nent ? s->nent : 1;
    double *sum = ks_xcalloc(n, sizeof *sum), *cnt = ks_xcalloc(n, sizeof *cnt);
    int rc = 0;
    for (size_t e = 0; e < s->nent && rc == 0; e++) {
        long h = s->host[e] = host_of(s->ds, e);
        if (h >= 0)
            rc = vcpus(s->ds, e, (size_t)h, &s->weight[e], err);
        if (h >= 0 && rc == 0 && !isnan(s->weight[e])) {
            sum[h] += s->weight[e];
            cnt[h]++;
        }
    }
    for (size_t e = 0; e < s->nent && rc == 0; e++) {
        long h = s->host[e];
        if (h < 0)
            continue;
        if (isnan(s->weight[e]))
            s->weight[e] = cnt[h] > 0 ? sum[h] / cnt[h] : 1;
        s->w_all[h] += s->weight[e];
    }
    free(sum);
    free(cnt);
    return rc;
}

/* A box with the inventory's own watts of entity e (NaN where it has none). */
static int
box_watts(const struct ks_dataset *ds, size_t e, struct mdl_cost_box *b, struct ks_err *err)
{
    uint32_t one = (uint32_t)e;
    return mdl_cost_source_watts(ds, &one, 1, &b->watts_idle, &b->watts_max, err);
}

/* Physical sources become boxes; VMs add their weight to their host or count as
 * having none. Every VM source is a guest with its OS licence. */
static int
place_sources(struct scan *s, const uint32_t *ent, size_t n, const double *util,
              struct mdl_cost_estate *out, struct ks_err *err)
{
    for (size_t q = 0; q < n; q++) {
        size_t e = ent[q];
        if (is_kind(s->ds, e, "vm")) {
            out->guests++;
            if (s->host[e] >= 0) {
                s->w_moved[s->host[e]] += s->weight[e];
                out->basis.vms++;
            } else {
                out->basis.vms_no_host++;
            }
            continue;
        }
        struct mdl_cost_box *b = &out->box[out->nbox++];
        *b = (struct mdl_cost_box){.util = util ? util[q] : NAN, .share = 1, .sockets = NAN};
        out->basis.physical++;
        int rc = box_watts(s->ds, e, b, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Mean cpu_pct of each host that carries moved VMs, over its samples weighed by their
 * intervals, as a share 0-1; NaN when it has none (costed idle, as any unknown use). */
static void
host_util(const struct scan *s, double *util)
{
    size_t n = s->nent ? s->nent : 1;
    double *sum = ks_xcalloc(n, sizeof *sum), *wsum = ks_xcalloc(n, sizeof *wsum);
    const struct ks_samples *sm = &s->ds->s;
    for (size_t r = 0; r < sm->nrows; r++) {
        size_t e = sm->ent[r];
        double v = ks_samples_get(sm, r, KS_CPU_PCT), dt = sm->interval_s[r];
        if (e >= s->nent || !(s->w_moved[e] > 0) || isnan(v))
            continue;
        dt = dt > 0 && isfinite(dt) ? dt : 1;
        sum[e] += v * dt;
        wsum[e] += dt;
    }
    for (size_t e = 0; e < s->nent; e++)
        util[e] = wsum[e] > 0 ? sum[e] / wsum[e] / 100 : NAN;
    free(sum);
    free(wsum);
}

/* One box per host under moved VMs, in inventory order, with the moved share. */
static int
add_hosts(const struct scan *s, struct mdl_cost_estate *out, struct ks_err *err)
{
    double *util = ks_xmalloc((s->nent ? s->nent : 1) * sizeof *util);
    int rc = 0;
    host_util(s, util);
    for (size_t h = 0; h < s->nent && rc == 0; h++) {
        if (!(s->w_moved[h] > 0))
            continue;
        struct mdl_cost_box *b = &out->box[out->nbox++];
        *b = (struct mdl_cost_box){.util = util[h],
                                   .share = fmin(1, s->w_moved[h] / s->w_all[h]),
                                   .is_host = 1,
                                   .sockets = ks_inv_num(s->ds, h, "sockets")};
        out->basis.hosts++;
        rc = box_watts(s->ds, h, b, err);
    }
    free(util);
    return rc;
}

int
mdl_cost_estate_build(const struct ks_dataset *ds, const uint32_t *ent, size_t n,
                      const double *util, struct mdl_cost_estate *out, struct ks_err *err)
{
    struct scan s;
    memset(out, 0, sizeof *out);
    scan_init(&s, ds);
    /* at most one box per source plus one per host entity */
    out->box = ks_xmalloc((n + s.nent + 1) * sizeof *out->box);
    int rc = weigh_vms(&s, err);
    if (rc == 0)
        rc = place_sources(&s, ent, n, util, out, err);
    if (rc == 0)
        rc = add_hosts(&s, out, err);
    scan_fini(&s);
    return rc;
}

void
mdl_cost_estate_fini(struct mdl_cost_estate *e)
{
    free(e->box);
    memset(e, 0, sizeof *e);
}
