#include "collect/col_sampler.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/col_parse.h"

struct col_sampler {
    struct col_opts opts;
    char *root_spec;
    struct col_root root;
    const struct col_source **src; /* running sources, in registry order */
    void **state;
    size_t nsrc;
    char names[256];
    struct col_inventory inv;
    struct col_buf ubuf;
    int nsamples;
    double last_clock; /* the sampler clock at the previous sample */
    double last_time;  /* the previous snapshot's time_s (NaN before) */
    double btime_s;    /* boot time of the tree (UPTIME clock: wall = btime + uptime) */
};

static int
wanted(const char *only, const char *name)
{
    if (!only)
        return 1;
    size_t k = strlen(name);
    for (const char *p = only; *p;) {
        size_t n = strcspn(p, ",");
        if (n == k && strncmp(p, name, k) == 0)
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

static int
check_only(const char *only, struct ks_err *err)
{
    for (const char *p = only; p && *p;) {
        size_t n = strcspn(p, ",");
        int found = 0;
        for (size_t i = 0; col_registry[i]; i++)
            found |=
                strlen(col_registry[i]->name) == n && strncmp(col_registry[i]->name, p, n) == 0;
        if (!found)
            return ks_errf(err, -EINVAL, "unknown source '%.*s'", (int)n, p);
        p += n + (p[n] == ',');
    }
    return 0;
}

/* Open the sources of the registry that --sources asks for, in registry order. One
 * that cannot work here (no such file, no permission) is a note, not a failure: a
 * container without /proc/diskstats still gets CPU and memory. */
static int
open_sources(struct col_sampler *s, struct ks_err *err)
{
    struct col_ctx ctx = {.root = &s->root, .opts = &s->opts, .dt_s = NAN, .inv = &s->inv};
    for (size_t i = 0; col_registry[i]; i++) {
        const struct col_source *src = col_registry[i];
        struct ks_err e = {0};
        void *st = NULL;
        if (!wanted(s->opts.only, src->name))
            continue;
        int rc = src->open(&ctx, &st, &e);
        if (rc == COL_SRC_OFF)
            continue;
        if (rc == -ENOENT || rc == -ENOTSUP || rc == -EACCES || rc == -EPERM) {
            col_inventory_note(&s->inv, "source %s unavailable: %s", src->name, e.msg);
            continue;
        }
        if (rc < 0)
            return ks_errf(err, rc, "source %s: %s", src->name, e.msg);
        s->src = ks_xrealloc(s->src, (s->nsrc + 1) * sizeof *s->src);
        s->state = ks_xrealloc(s->state, (s->nsrc + 1) * sizeof *s->state);
        s->src[s->nsrc] = src;
        s->state[s->nsrc++] = st;
        size_t n = strlen(s->names);
        snprintf(s->names + n, sizeof s->names - n, "%s%s", n ? "," : "", src->name);
    }
    if (s->nsrc == 0)
        return ks_errf(err, -ENOENT, "%s: no source can read this tree (%s)",
                       col_root_name(&s->root), s->inv.notes);
    return 0;
}

int
col_sampler_new(const struct col_opts *o, struct col_sampler **out, struct ks_err *err)
{
    struct col_sampler *s = ks_xcalloc(1, sizeof *s);
    int rc;
    s->opts = *o;
    s->root_spec = o->root ? ks_xstrdup(o->root) : NULL;
    s->opts.root = s->root_spec;
    s->opts.only = o->only ? ks_xstrdup(o->only) : NULL;
    s->last_time = NAN;
    if (s->opts.clock == COL_CLOCK_AUTO)
        s->opts.clock = o->root ? COL_CLOCK_UPTIME : COL_CLOCK_MONO;
    if ((rc = check_only(s->opts.only, err)) < 0 ||
        (rc = col_root_open(&s->root, o->root, o->root_seq, err)) < 0)
        goto fail;
    col_inventory_read(&s->root, o->include_dm, &s->inv);
    if (!o->root)
        col_inventory_ips(&s->inv);
    s->btime_s = NAN;
    if (s->opts.clock == COL_CLOCK_UPTIME && col_root_read(&s->root, "proc/stat", &s->ubuf) == 0)
        s->btime_s = col_parse_btime(s->ubuf.p);
    if ((rc = open_sources(s, err)) < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    col_sampler_free(s);
    return rc;
}

/* The sampler clock: CLOCK_MONOTONIC, or the tree's own /proc/uptime. The uptime is
 * read either way: top shows it, and it costs one small read. */
static double
sampler_clock(struct col_sampler *s, double *uptime_s)
{
    *uptime_s = NAN;
    if (col_root_read(&s->root, "proc/uptime", &s->ubuf) == 0)
        *uptime_s = col_parse_uptime(s->ubuf.p);
    if (s->opts.clock == COL_CLOCK_UPTIME && !isnan(*uptime_s))
        return *uptime_s;
    return ks_mono_s();
}

static void
stamp(struct col_sampler *s, struct col_snapshot *out, double now)
{
    double dt = s->nsamples > 0 ? now - s->last_clock : NAN;
    if (!(dt > 0) && s->nsamples > 0) {
        col_snapshot_event(out, "clock_stalled");
        dt = NAN; /* no time passed: rates would divide by zero; start over */
    }
    out->mono_s = now;
    out->interval_s = dt;
    out->baseline = isnan(dt);
    /* A tree with its own clock (fixtures) also has its own wall time: boot time plus
     * uptime, so rows of a fake tree are reproducible to the millisecond. */
    double wall =
        s->opts.clock == COL_CLOCK_UPTIME && !isnan(s->btime_s) ? s->btime_s + now : ks_wall_s();
    double step, t = isnan(dt) ? wall : col_row_time(s->last_time, wall, dt, &step);
    /* A tree with an uptime clock but no btime has no wall time of its own: the real
     * wall clock then does not advance with its clock, and that is no step. */
    int comparable = s->opts.clock == COL_CLOCK_MONO || !isnan(s->btime_s);
    if (!isnan(dt) && step != 0 && comparable)
        col_snapshot_event(out, "clock_step:%+.3f", step);
    out->time_s = t;
}

/* One clock reading serves every source, so all rates of a row share one interval
 * (the few microseconds between the sources' reads are noise next to it). */
int
col_sampler_sample(struct col_sampler *s, struct col_snapshot *out, struct ks_err *err)
{
    col_snapshot_clear(out);
    if (s->nsamples > 0)
        col_root_advance(&s->root);
    double uptime_s, now = sampler_clock(s, &uptime_s);
    stamp(s, out, now);
    out->uptime_s = uptime_s;
    struct col_ctx ctx = {.root = &s->root, .opts = &s->opts, .dt_s = out->interval_s};
    int ok = 0;
    for (size_t i = 0; i < s->nsrc; i++) {
        struct ks_err e = {0};
        if (s->src[i]->sample(s->state[i], &ctx, out, &e) < 0)
            col_snapshot_event(out, "%s_error", s->src[i]->name);
        else
            ok++;
    }
    s->nsamples++;
    s->last_clock = now;
    if (!out->baseline)
        s->last_time = out->time_s;
    if (!ok)
        return ks_errf(err, -EIO, "%s: no source could be read", col_root_name(&s->root));
    return 0;
}

const struct col_inventory *
col_sampler_inventory(const struct col_sampler *s)
{
    return &s->inv;
}

const char *
col_sampler_sources(const struct col_sampler *s)
{
    return s->names;
}

const char *
col_sampler_drop_user(const struct col_sampler *s)
{
    for (size_t i = 0; i < s->nsrc && geteuid() == 0; i++)
        if (s->src[i] == &col_src_pcap)
            return s->opts.pcap_user ? s->opts.pcap_user : "nobody";
    return NULL;
}

void
col_sampler_free(struct col_sampler *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nsrc; i++)
        s->src[i]->close(s->state[i]);
    free(s->src);
    free(s->state);
    if (s->root.n)
        col_root_close(&s->root);
    col_buf_fini(&s->ubuf);
    free(s->root_spec);
    free((char *)s->opts.only);
    free(s);
}
