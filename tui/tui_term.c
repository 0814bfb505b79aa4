/*
 * The only file that includes curses. ncurses keeps its own copy of the screen and
 * sends only the cells that changed, so redrawing the whole canvas on every refresh
 * costs little terminal output.
 */
#include "tui/tui_term.h"

#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/tui_canvas.h"
#include "tui/tui_render.h"
#include "tui/tui_ui.h"

/* Set by SIGINT/SIGTERM; the loop ends and the terminal is restored. The one mutable
 * global style.md allows (a signal flag). */
static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct term {
    struct tui_canvas cv;
    attr_t attr[TUI_NSTYLE];
    struct tui_ui ui;
    struct tui_view view;
    double replay_acc; /* fractional samples owed at replay speeds below 1 */
};

/* Colour pairs: one per coloured style, numbered by style. */
static const short style_fg[TUI_NSTYLE] = {
    [TUI_ST_USER] = COLOR_GREEN,    [TUI_ST_SYSTEM] = COLOR_RED, [TUI_ST_IOWAIT] = COLOR_YELLOW,
    [TUI_ST_STEAL] = COLOR_MAGENTA, [TUI_ST_MEM] = COLOR_GREEN,  [TUI_ST_SWAP] = COLOR_RED,
    [TUI_ST_SPARK] = COLOR_CYAN,    [TUI_ST_WARN] = COLOR_RED,
};

/* Attributes per style. Monochrome keeps only what every terminal has (bold,
 * reverse); the bars then tell their parts apart by character (tui_draw_bar). */
static void
setup_attrs(struct term *t)
{
    for (int s = 0; s < TUI_NSTYLE; s++)
        t->attr[s] = A_NORMAL;
    t->attr[TUI_ST_HEADER] = A_REVERSE;
    t->attr[TUI_ST_TAB] = A_REVERSE | A_BOLD;
    t->attr[TUI_ST_TITLE] = A_BOLD;
    t->attr[TUI_ST_WARN] = A_BOLD;
    t->attr[TUI_ST_REC] = A_REVERSE | A_BOLD;
    t->cv.mono = !has_colors() || getenv("NO_COLOR") != NULL;
    if (t->cv.mono)
        return;
    start_color();
    use_default_colors();
    for (int s = 0; s < TUI_NSTYLE; s++)
        if (style_fg[s]) {
            init_pair((short)s, style_fg[s], -1);
            t->attr[s] |= COLOR_PAIR(s);
        }
    init_pair(TUI_ST_REC, COLOR_WHITE, COLOR_RED);
    t->attr[TUI_ST_REC] = COLOR_PAIR(TUI_ST_REC) | A_BOLD;
    t->attr[TUI_ST_DIM] = A_DIM;
}

/* Our signal handlers go in before initscr: ncurses installs its own only where
 * the disposition is still the default. */
static void
term_open(struct term *t)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: get_wch returns at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    initscr();
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    setup_attrs(t);
    t->cv.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    int h, w;
    getmaxyx(stdscr, h, w);
    tui_canvas_resize(&t->cv, w, h);
}

/* Canvas to screen, one addnwstr per run of equal style. */
static void
blit(struct term *t)
{
    wchar_t run[1024];
    for (int y = 0; y < t->cv.h; y++) {
        const struct tui_cell *row = &t->cv.c[(size_t)y * (size_t)t->cv.w];
        for (int x = 0; x < t->cv.w;) {
            int x0 = x, n = 0;
            while (x < t->cv.w && row[x].st == row[x0].st && n < 1023)
                run[n++] = (wchar_t)row[x++].ch;
            run[n] = 0;
            attrset(t->attr[row[x0].st]);
            mvaddnwstr(y, x0, run, n);
        }
    }
    attrset(A_NORMAL);
    refresh();
}

static void
draw(struct term *t)
{
    tui_render(&t->cv, &t->view);
    blit(t);
}

/* curses key codes to tui_ui's, so that tui_ui needs no curses header. */
static int
map_key(int r, wint_t ch)
{
    if (r == OK)
        return (int)ch;
    switch (ch) {
    case KEY_UP:
        return TUI_KEY_UP;
    case KEY_DOWN:
        return TUI_KEY_DOWN;
    case KEY_LEFT:
        return TUI_KEY_LEFT;
    case KEY_RIGHT:
        return TUI_KEY_RIGHT;
    case KEY_PPAGE:
        return TUI_KEY_PGUP;
    case KEY_NPAGE:
        return TUI_KEY_PGDN;
    case KEY_HOME:
        return TUI_KEY_HOME;
    case KEY_END:
        return TUI_KEY_END;
    default:
        return -1;
    }
}

/* r: a failure to start or stop recording is a message, not the end of the monitor. */
static void
record_toggle(struct term *t, struct tui_feed *f, struct tui_model *m)
{
    struct ks_err e = {0};
    if (f->ops->record(f->ctx, m, !m->recording, &e) < 0)
        snprintf(t->ui.msg, sizeof t->ui.msg, "%.110s", e.msg);
    else
        snprintf(t->ui.msg, sizeof t->ui.msg, "recording %s", m->recording ? "on" : "off");
}

/* Perform what a key asked for. Returns 1 to quit, negative on a feed error. */
static int
do_action(struct term *t, struct tui_feed *f, struct tui_model *m, enum tui_action a,
          struct ks_err *err)
{
    int rc = 0;
    switch (a) {
    case TUI_ACT_QUIT:
        return 1;
    case TUI_ACT_STEP:
        rc = f->ops->advance(f->ctx, m, t->ui.step, err);
        break;
    case TUI_ACT_SEEK_START:
    case TUI_ACT_SEEK_END:
        rc = f->ops->seek ? f->ops->seek(f->ctx, m, a == TUI_ACT_SEEK_START ? 0 : -1, err) : 0;
        break;
    case TUI_ACT_RECORD:
        if (!f->ops->record)
            snprintf(t->ui.msg, sizeof t->ui.msg, "recording is for live mode (--record DATASET)");
        else
            record_toggle(t, f, m);
        break;
    case TUI_ACT_INTERVAL:
        if (f->ops->set_interval)
            f->ops->set_interval(f->ctx, t->ui.interval_s);
        break;
    default:
        break;
    }
    return rc < 0 ? rc : 0;
}

/* One refresh: a live sample, or speed samples of a replay. */
static int
tick(struct term *t, struct tui_feed *f, struct tui_model *m, struct ks_err *err)
{
    long n = 1;
    if (t->ui.replay) {
        t->replay_acc += t->ui.speed;
        n = (long)t->replay_acc;
        t->replay_acc -= (double)n;
        if (n == 0)
            return 0;
    }
    int rc = f->ops->advance(f->ctx, m, n, err);
    if (rc == 0 && t->ui.replay && m->replay_pos + 1 == m->replay_count)
        snprintf(t->ui.msg, sizeof t->ui.msg, "end of replay (g: back to the start)");
    return rc < 0 ? rc : 0;
}

/* Wait for a key until the deadline; returns the key, -1 for none. */
static int
wait_key(struct term *t, double deadline)
{
    double left = t->ui.paused ? 1.0 : deadline - ks_mono_s();
    int ms = left <= 0 ? 0 : left > 1.0 ? 1000 : (int)(left * 1000) + 1;
    timeout(ms);
    wint_t ch;
    int r = get_wch(&ch);
    if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
        int h, w;
        getmaxyx(stdscr, h, w);
        tui_canvas_resize(&t->cv, w, h);
        clear();
        return TUI_KEY_RESIZE;
    }
    return r == ERR ? -1 : map_key(r, ch);
}

/* Draw when something changed, sleep in get_wch until a key or the deadline, take
 * a sample when the deadline has passed. Returns 0 or a feed error. */
static int
loop(struct term *t, struct tui_feed *f, struct tui_model *m, const struct tui_opts *o,
     struct ks_err *err)
{
    double next = ks_mono_s() + t->ui.interval_s;
    long refreshes = 0;
    int dirty = 1, rc = 0;
    while (!stop_flag && rc == 0) {
        if (dirty)
            draw(t);
        dirty = 0;
        int key = wait_key(t, next);
        if (key >= 0) {
            enum tui_action a = tui_ui_key(&t->ui, key);
            if ((rc = do_action(t, f, m, a, err)) != 0)
                break;
            if (a == TUI_ACT_INTERVAL)
                next = ks_mono_s() + t->ui.interval_s;
            dirty = a != TUI_ACT_NONE;
        }
        double now = ks_mono_s();
        if (t->ui.paused || now < next)
            continue;
        rc = tick(t, f, m, err);
        /* Absolute deadlines keep the refresh rate from drifting; after a long stall
         * (a suspended terminal) start again from now instead of catching up. */
        next += t->ui.interval_s;
        if (next < now)
            next = now + t->ui.interval_s;
        dirty = 1;
        if (o->count > 0 && ++refreshes >= o->count)
            break;
    }
    return rc == 1 ? 0 : rc;
}

int
tui_run(struct tui_feed *feed, struct tui_model *m, const struct tui_opts *o, struct ks_err *err)
{
    struct term t;
    memset(&t, 0, sizeof t);
    stop_flag = 0;
    tui_ui_init(&t.ui, o->interval_s, o->replay);
    t.view = (struct tui_view){.m = m, .ui = &t.ui, .fit = o->fit};
    tui_canvas_init(&t.cv, 0, 0);
    term_open(&t);
    int rc = loop(&t, feed, m, o, err);
    endwin();
    tui_canvas_fini(&t.cv);
    return rc;
}
