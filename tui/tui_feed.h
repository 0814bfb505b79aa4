/*
 * tui_feed: where the numbers on the screens come from.
 *
 * A feed is a constant table of operations (htop's MeterClass style) plus its private
 * state. Two exist: the replay of a dataset directory (tui_replay.h) and the live host
 * through the collector's sampler (tui_live.h, when the collector is built). The
 * terminal loop only calls these operations, so it never knows which one it drives.
 */
#ifndef TUI_FEED_H
#define TUI_FEED_H

#include "core/ks_util.h"
#include "tui/tui_model.h"

struct tui_feed_ops {
    const char *name; /* "replay" or "live" */
    /* Move n samples (replay: n may be negative; live: take one new sample, n ignored)
     * and refill m. Returns 1 when m changed, 0 when there was nothing to move to (the
     * ends of a replay), a negative code with err set on failure. */
    int (*advance)(void *ctx, struct tui_model *m, long n, struct ks_err *err);
    /* Replay only (NULL for live): jump to sample pos, -1 for the last one. */
    int (*seek)(void *ctx, struct tui_model *m, long pos, struct ks_err *err);
    /* Live only (NULL for replay): start (on = 1) or stop recording; the model's
     * recording flag follows. */
    int (*record)(void *ctx, struct tui_model *m, int on, struct ks_err *err);
    /* Live only (NULL for replay): the sample interval changed. */
    void (*set_interval)(void *ctx, double interval_s);
    void (*close)(void *ctx);
};

struct tui_feed {
    const struct tui_feed_ops *ops;
    void *ctx; /* owned by the feed; freed by ops->close */
};

/* Close and forget a feed (NULL ops is fine). */
void tui_feed_close(struct tui_feed *f);

#endif
