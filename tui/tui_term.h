/*
 * tui_term: the terminal side of `kasane top` - the only file in kasane that includes
 * <curses.h> (ncursesw).
 *
 * It owns the main loop: wait for a key or the next deadline, let tui_ui interpret
 * keys, ask the feed for samples on absolute deadlines (no drift), draw the canvas
 * that tui_render filled, and restore the terminal on every way out (q, SIGINT,
 * SIGTERM, an error from the feed).
 */
#ifndef TUI_TERM_H
#define TUI_TERM_H

#include "core/ks_util.h"
#include "tui/tui_feed.h"
#include "tui/tui_fit.h"
#include "tui/tui_model.h"

struct tui_opts {
    double interval_s;                /* refresh interval */
    long count;                       /* stop after this many refreshes (0: never) */
    int replay;                       /* the feed is a replay: replay keys active */
    const struct tui_host_model *fit; /* NULL without --catalog */
};

/* Run the monitor until q (returns 0), the refresh count is reached (0), a signal (0)
 * or a feed error (negative, err set). The terminal is restored in every case. */
int tui_run(struct tui_feed *feed, struct tui_model *m, const struct tui_opts *o,
            struct ks_err *err);

#endif
