#include "collect/col_run.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static void
warn(const struct col_run_opts *o, const struct ks_err *e)
{
    if (o->warn)
        o->warn(o->warn_ctx, e->msg);
}

/* One sample and its rows. -ENOSPC is survivable: warned once per episode. */
static int
take_row(struct col_sampler *s, struct col_writer *w, struct col_snapshot *snap,
         const struct col_run_opts *o, int *full, struct ks_err *err)
{
    struct ks_err e = {0};
    if (col_sampler_sample(s, snap, &e) < 0) {
        warn(o, &e); /* nothing readable this time: try again next interval */
        return 0;
    }
    if (o->on_sample)
        o->on_sample(o->sample_ctx, snap);
    int rc = col_writer_put(w, snap, &e);
    if (rc == -ENOSPC) {
        if (!*full)
            warn(o, &e);
        *full = 1;
        return 0;
    }
    if (rc < 0) {
        ks_errf(err, rc, "%s", e.msg);
        return rc;
    }
    if (*full) {
        struct ks_err ok = {0};
        ks_errf(&ok, 0, "space is back: collection resumed (gap recorded in gap_s)");
        warn(o, &ok);
    }
    *full = 0;
    return 0;
}

int
col_run(struct col_sampler *s, struct col_writer *w, const struct col_run_opts *o,
        struct ks_err *err)
{
    struct col_snapshot snap;
    int64_t iv_ns = (int64_t)llround(o->interval_s * 1e9);
    int64_t start_ns = (int64_t)llround(ks_mono_s() * 1e9);
    uint64_t k = 1, rows = 0;
    int rc = 0, full = 0, skipped = 0;
    col_snapshot_init(&snap);
    struct ks_err e = {0};
    if (col_sampler_sample(s, &snap, &e) < 0) /* the baseline */
        rc = ks_errf(err, e.code, "%s", e.msg);
    while (rc == 0 && (o->count == 0 || rows < o->count)) {
        int64_t now_ns = (int64_t)llround(ks_mono_s() * 1e9);
        k = col_next_tick(start_ns, iv_ns, now_ns, k);
        int64_t deadline_ns = start_ns + (int64_t)k * iv_ns;
        if (o->duration_s > 0 && (double)(deadline_ns - start_ns) > o->duration_s * 1e9 + 1e6)
            break;
        enum col_wake why = o->wait(o->wait_ctx, (double)deadline_ns * 1e-9);
        if (why == COL_WAKE_STOP)
            break;
        if (why == COL_WAKE_REOPEN) {
            struct ks_err re = {0};
            if (col_writer_reopen(w, &re) < 0)
                warn(o, &re);
            continue; /* same deadline */
        }
        /* Woken well after the deadline (10% of an interval, and more than the
         * 50 ms a loaded scheduler may take; the process was stopped, the machine
         * suspended): a row now would sit off the grid and the next one would cover a
         * sliver of an interval. Wait for the next deadline instead, so the one long
         * interval lands in one row; once only, so a machine too loaded to ever wake
         * on time still gets rows. */
        double late_s = ks_mono_s() - (double)deadline_ns * 1e-9;
        if (late_s > fmax(0.1 * o->interval_s, 0.05) && !skipped) {
            skipped = 1;
            continue;
        }
        skipped = 0;
        rc = take_row(s, w, &snap, o, &full, err);
        rows++;
        k++;
    }
    col_snapshot_fini(&snap);
    return rc;
}
