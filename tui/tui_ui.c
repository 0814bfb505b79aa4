/*
 * Key handling as a pure function of (state, key): no terminal, no clock, so every
 * binding is a unit test. Actions that need the feed or the clock are returned to
 * tui_term instead of performed here.
 */
#include "tui/tui_ui.h"

#include <stdio.h>
#include <string.h>

const char *const tui_screen_names[TUI_NSCREEN] = {"Overview", "VMs", "Flows", "Counters", "Fit"};

/* Intervals + and - walk through (seconds): the values people pick in top and sar. */
static const double interval_ladder[] = {0.2, 0.5, 1, 2, 3, 5, 10, 15, 30, 60, 120, 300};
#define NLADDER (sizeof interval_ladder / sizeof *interval_ladder)

static const char *const sort_names_overview[TUI_NSORT_OVERVIEW] = {"load", "name"};
static const char *const sort_names_vms[TUI_NSORT_VMS] = {"cpu", "mem", "disk", "net", "name"};
static const char *const sort_names_flows[TUI_NSORT_FLOWS] = {"bytes", "packets"};

void
tui_ui_init(struct tui_ui *ui, double interval_s, int replay)
{
    memset(ui, 0, sizeof *ui);
    ui->interval_s = interval_s;
    ui->speed = 1;
    ui->replay = replay;
}

double
tui_interval_next(double s, int dir)
{
    if (dir > 0) {
        for (size_t i = 0; i < NLADDER; i++)
            if (interval_ladder[i] > s * 1.0001)
                return interval_ladder[i];
        return interval_ladder[NLADDER - 1];
    }
    for (size_t i = NLADDER; i-- > 0;)
        if (interval_ladder[i] < s * 0.9999)
            return interval_ladder[i];
    return interval_ladder[0];
}

/* Number of sort orders of a screen; 0 for screens without a table. */
static int
nsorts(enum tui_screen scr)
{
    switch (scr) {
    case TUI_SCR_OVERVIEW:
        return TUI_NSORT_OVERVIEW;
    case TUI_SCR_VMS:
        return TUI_NSORT_VMS;
    case TUI_SCR_FLOWS:
        return TUI_NSORT_FLOWS;
    default:
        return 0;
    }
}

const char *
tui_sort_name(enum tui_screen scr, int sort)
{
    if (sort < 0 || sort >= nsorts(scr))
        return "";
    if (scr == TUI_SCR_OVERVIEW)
        return sort_names_overview[sort];
    return scr == TUI_SCR_VMS ? sort_names_vms[sort] : sort_names_flows[sort];
}

/* A new screen starts at its top and without the help box over it. */
static enum tui_action
switch_screen(struct tui_ui *ui, int scr)
{
    ui->screen = (enum tui_screen)(scr % TUI_NSCREEN);
    ui->scroll = 0;
    ui->help = 0;
    return TUI_ACT_REDRAW;
}

static enum tui_action
cycle_sort(struct tui_ui *ui)
{
    int n = nsorts(ui->screen);
    if (n == 0) {
        snprintf(ui->msg, sizeof ui->msg, "nothing to sort on this screen");
        return TUI_ACT_REDRAW;
    }
    ui->sort[ui->screen] = (ui->sort[ui->screen] + 1) % n;
    ui->scroll = 0; /* a new order starts at its top, like a new screen */
    snprintf(ui->msg, sizeof ui->msg, "sorted by %s",
             tui_sort_name(ui->screen, ui->sort[ui->screen]));
    return TUI_ACT_REDRAW;
}

/* Walk the ladder rather than add or multiply: htop's and sar's usual values, and
 * the user can always get back to where they were. */
static enum tui_action
change_interval(struct tui_ui *ui, int dir)
{
    ui->interval_s = tui_interval_next(ui->interval_s, dir);
    snprintf(ui->msg, sizeof ui->msg, "interval %gs", ui->interval_s);
    return TUI_ACT_INTERVAL;
}

/* Powers of two keep the fractional-sample accounting of tui_term exact. */
static enum tui_action
change_speed(struct tui_ui *ui, int dir)
{
    double s = dir > 0 ? ui->speed * 2 : ui->speed / 2;
    if (s >= 1.0 / 8 && s <= 64)
        ui->speed = s;
    snprintf(ui->msg, sizeof ui->msg, "replay speed x%g", ui->speed);
    return TUI_ACT_REDRAW;
}

/* Only the lower bound is known here; the renderer, which knows how tall the body
 * is, clamps the upper one. */
static enum tui_action
scroll_by(struct tui_ui *ui, int lines)
{
    ui->scroll += lines;
    if (ui->scroll < 0)
        ui->scroll = 0;
    return TUI_ACT_REDRAW;
}

/* Keys only a replay understands; TUI_ACT_NONE + a message otherwise. */
static enum tui_action
replay_key(struct tui_ui *ui, int key)
{
    if (!ui->replay) {
        snprintf(ui->msg, sizeof ui->msg, "that key steps a replay (--replay DATASET)");
        return TUI_ACT_REDRAW;
    }
    switch (key) {
    case TUI_KEY_LEFT:
    case TUI_KEY_RIGHT:
        ui->step = key == TUI_KEY_LEFT ? -1 : 1;
        return TUI_ACT_STEP;
    case '[':
    case ']':
        return change_speed(ui, key == ']' ? 1 : -1);
    case 'g':
        return TUI_ACT_SEEK_START;
    default:
        return TUI_ACT_SEEK_END;
    }
}

enum tui_action
tui_ui_key(struct tui_ui *ui, int key)
{
    if (key == TUI_KEY_RESIZE) /* redraw; keep the message and the help box */
        return TUI_ACT_REDRAW;
    /* A message lives until the next key: long enough to read, never stale. */
    ui->msg[0] = '\0';
    if (ui->help && key != 'q' && key != 'Q') { /* any key closes the help */
        ui->help = 0;
        return TUI_ACT_REDRAW;
    }
    switch (key) {
    case 'q':
    case 'Q':
        return TUI_ACT_QUIT;
    case 'h':
    case '?':
        ui->help = 1;
        return TUI_ACT_REDRAW;
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
        return switch_screen(ui, key - '1');
    case '\t':
        return switch_screen(ui, (int)ui->screen + 1);
    case 's':
        return cycle_sort(ui);
    case 'p':
    case ' ':
        ui->paused = !ui->paused;
        snprintf(ui->msg, sizeof ui->msg, "%s", ui->paused ? "paused" : "resumed");
        return TUI_ACT_REDRAW;
    case '+':
    case '-':
        return change_interval(ui, key == '+' ? 1 : -1);
    case TUI_KEY_UP:
    case TUI_KEY_DOWN:
        return scroll_by(ui, key == TUI_KEY_UP ? -1 : 1);
    case TUI_KEY_PGUP:
    case TUI_KEY_PGDN:
        return scroll_by(ui, key == TUI_KEY_PGUP ? -10 : 10);
    case TUI_KEY_HOME:
        return scroll_by(ui, -ui->scroll);
    case 'r':
        return TUI_ACT_RECORD;
    case TUI_KEY_LEFT:
    case TUI_KEY_RIGHT:
    case '[':
    case ']':
    case 'g':
    case 'G':
        return replay_key(ui, key);
    default:
        return TUI_ACT_NONE;
    }
}
