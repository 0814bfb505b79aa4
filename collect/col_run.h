/*
 * col_run: the collection loop of `kasane collect`: a baseline sample, then one row per
 * interval on absolute deadlines (start + k * interval on the monotonic clock, so
 * nothing drifts over a week; a missed deadline is skipped and the next row carries
 * its real interval_s).
 *
 * The loop never touches signals itself: the caller supplies wait(), which blocks
 * until the deadline or an event (the CLI uses sigtimedwait on blocked SIGTERM,
 * SIGINT and SIGHUP; tests use a fake). A stop request ends the loop between rows, so
 * the row in progress is always finished.
 */
#ifndef COL_RUN_H
#define COL_RUN_H

#include <stdint.h>

#include "collect/col_sampler.h"
#include "collect/col_writer.h"

enum col_wake {
    COL_WAKE_DEADLINE, /* the deadline passed: take a sample */
    COL_WAKE_STOP,     /* finish: SIGTERM / SIGINT */
    COL_WAKE_REOPEN    /* reopen the output files: SIGHUP */
};

struct col_run_opts {
    double interval_s; /* > 0 */
    uint64_t count;    /* rows to take; 0 = no limit */
    double duration_s; /* stop after this long; 0 = no limit */
    /* Block until ks_mono_s() >= deadline_s or an event; required. */
    enum col_wake (*wait)(void *ctx, double deadline_s);
    void *wait_ctx;
    /* Tell a human about something survivable (full disk, failed reopen); may be NULL. */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
    /* Called with every sample taken (before it is written), e.g. to serve it to
     * Prometheus; may be NULL. */
    void (*on_sample)(void *ctx, const struct col_snapshot *snap);
    void *sample_ctx;
};

/* Run until count, duration or a stop. Returns 0, or negative with err set when
 * writing fails for a reason other than a full disk (which is retried). */
int col_run(struct col_sampler *s, struct col_writer *w, const struct col_run_opts *o,
            struct ks_err *err);

#endif
