/*
 * tui_screens: the bodies of the VMs, Flows, Counters and Fit screens (the Overview
 * is in tui_render.c). Each draws onto a canvas as wide as the terminal and returns
 * the number of lines used; tui_render scrolls and clips.
 */
#ifndef TUI_SCREENS_H
#define TUI_SCREENS_H

#include "tui/tui_canvas.h"

struct tui_view;

int tui_body_vms(struct tui_canvas *b, const struct tui_view *v);
int tui_body_flows(struct tui_canvas *b, const struct tui_view *v);
int tui_body_counters(struct tui_canvas *b, const struct tui_view *v);
int tui_body_fit(struct tui_canvas *b, const struct tui_view *v);

#endif
