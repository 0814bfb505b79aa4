/*
 * tui_ui: the state of the monitor's user interface and what each key does.
 *
 * Pure state machine, no terminal: tui_term translates curses key codes into the
 * TUI_KEY_* values below and performs the actions this module returns (stepping the
 * replay, toggling recording), so every key binding is unit-tested.
 *
 * Keys follow htop/atop habits: q quit, h/? help, 1-5 or Tab screens, s sort,
 * p/space pause, +/- interval, arrows and PgUp/PgDn scroll, r record; in replay
 * left/right step, [ ] speed, g/G start/end.
 */
#ifndef TUI_UI_H
#define TUI_UI_H

enum tui_screen {
    TUI_SCR_OVERVIEW,
    TUI_SCR_VMS,
    TUI_SCR_FLOWS,
    TUI_SCR_COUNTERS,
    TUI_SCR_FIT,
    TUI_NSCREEN
};
extern const char *const tui_screen_names[TUI_NSCREEN];

/* Keys that are not printable characters (values above any code point). */
enum {
    TUI_KEY_UP = 0x110000,
    TUI_KEY_DOWN,
    TUI_KEY_LEFT,
    TUI_KEY_RIGHT,
    TUI_KEY_PGUP,
    TUI_KEY_PGDN,
    TUI_KEY_HOME,
    TUI_KEY_END,
    TUI_KEY_RESIZE, /* the terminal changed size (the caller resized its canvas) */
};

/* What the caller must do after a key. */
enum tui_action {
    TUI_ACT_NONE,   /* nothing visible changed */
    TUI_ACT_REDRAW, /* state changed: draw again */
    TUI_ACT_QUIT,
    TUI_ACT_STEP, /* replay: move by ui->step (+1 / -1 samples) */
    TUI_ACT_SEEK_START,
    TUI_ACT_SEEK_END,
    TUI_ACT_RECORD,   /* toggle recording */
    TUI_ACT_INTERVAL, /* ui->interval_s changed: reschedule */
};

/* Sort orders per table screen; the overview's disk and NIC tables share one. */
enum { TUI_SORT_LOAD, TUI_SORT_NAME, TUI_NSORT_OVERVIEW };
enum { TUI_VSORT_CPU, TUI_VSORT_MEM, TUI_VSORT_DISK, TUI_VSORT_NET, TUI_VSORT_NAME, TUI_NSORT_VMS };
enum { TUI_FSORT_BYTES, TUI_FSORT_PACKETS, TUI_NSORT_FLOWS };

struct tui_ui {
    enum tui_screen screen;
    int help; /* help overlay shown */
    int paused;
    int scroll; /* first body line shown; clamped by the renderer */
    int sort[TUI_NSCREEN];
    double interval_s; /* refresh (live: sample) interval */
    double speed;      /* replay: samples per refresh, a power of two from 1/8 to 64 */
    int replay;        /* keys for replay are active */
    int step;          /* with TUI_ACT_STEP */
    char msg[120];     /* one-line message for the status line, "" for none */
};

void tui_ui_init(struct tui_ui *ui, double interval_s, int replay);
/* Apply one key. */
enum tui_action tui_ui_key(struct tui_ui *ui, int key);
/* The interval ladder used by + and - (seconds). */
double tui_interval_next(double s, int dir);
/* Name of the current sort order of a screen ("" when it has none). */
const char *tui_sort_name(enum tui_screen scr, int sort);

#endif
