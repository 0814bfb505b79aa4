/*
 * tui_render: draws a whole screen of `kasane top` onto a canvas.
 *
 * Layout (any size from 80x24 up):
 *   row 0      header: host, hypervisor or bare metal, uptime, interval, REC, PAUSED
 *   row 1      screen tabs, and in replay the position, time and speed
 *   rows 2..   the current screen's body, scrolled by ui->scroll
 *   last row   a message, or the key hints
 * A smaller terminal gets a message saying so, and nothing else.
 */
#ifndef TUI_RENDER_H
#define TUI_RENDER_H

#include "tui/tui_canvas.h"
#include "tui/tui_fit.h"
#include "tui/tui_model.h"
#include "tui/tui_ui.h"

#define TUI_MIN_W 80
#define TUI_MIN_H 24

struct tui_view {
    const struct tui_model *m;
    struct tui_ui *ui;                /* scroll is clamped to the body here */
    const struct tui_host_model *fit; /* NULL without --catalog/--model */
};

/* The other screens' bodies are in tui_screens.h. */
#include "tui/tui_screens.h"

/* Draw everything; cv's size is the terminal's. */
void tui_render(struct tui_canvas *cv, struct tui_view *v);

/* Body of each screen into a canvas as wide as the terminal and tall enough; returns
 * the number of lines used. Exposed for the tests. */
int tui_body_overview(struct tui_canvas *b, const struct tui_view *v);
/* Lines a body may need at most (the canvas height to allocate). */
int tui_body_lines_max(const struct tui_model *m);

#endif
