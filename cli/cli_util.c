/* cli_util: what every command shares (usage and error lines, progress, output
 * directories), apart from main.c so that kasane-collect (cli/kasane_collect.c) links
 * `kasane collect` without the other commands. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/ks_manifest.h"

const struct cmd_entry *
cmd_find(const char *name)
{
    for (const struct cmd_entry *c = cmd_table; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const char *
cmd_usage_of(const char *name)
{
    const struct cmd_entry *c = cmd_find(name);
    return c ? c->usage : name;
}

int
cmd_usage_error(const char *name, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kasane %s: ", name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: kasane %s\n", cmd_usage_of(name));
    return KS_EXIT_USAGE;
}

int
cmd_fail(const char *name, const struct ks_err *err)
{
    fprintf(stderr, "kasane %s: %s\n", name, err->msg[0] ? err->msg : "failed");
    return KS_EXIT_INPUT;
}

void
cmd_progress_init(struct cmd_progress *p, const char *name)
{
    const char *after = getenv("KASANE_PROGRESS_AFTER_S");
    *p = (struct cmd_progress){.name = name,
                               .t0 = ks_mono_s(),
                               .last = -1,
                               .after_s = after ? atof(after) : 1,
                               .on = isatty(STDERR_FILENO)};
}

void
cmd_progress_show(struct cmd_progress *p, const char *fmt, ...)
{
    double now = ks_mono_s();
    if (!p->on || now - p->t0 < p->after_s ||
        now - p->last < (p->after_s < 0.25 ? p->after_s : 0.25))
        return;
    p->last = now;
    p->shown = 1;
    va_list ap;
    fprintf(stderr, "\r\033[Kkasane %s: %.0f s: ", p->name, now - p->t0);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

void
cmd_progress_end(struct cmd_progress *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
    p->shown = 0;
}

/* A fatal signal while an output directory is staged: remove the staging directory,
 * then die of the signal as if nothing had caught it (the exit status tells). */
static void
on_fatal_signal(int sig)
{
    ks_outdir_remove_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* "kasane gen -o 't/my ds'": arguments with blanks or quotes single-quoted, for the
 * manifest's provenance row (which escapes control characters itself). */
static char *
command_line(int argc, char **argv)
{
    char *s = ks_xstrdup("kasane");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int q = !*a || strpbrk(a, " \t'\"$`\\") != NULL;
        char *n = ks_xasprintf("%s %s%s%s", s, q ? "'" : "", a, q ? "'" : "");
        free(s);
        s = n;
    }
    return s;
}

int
cmd_outdir_begin(int argc, char **argv, const char *dest, struct ks_outdir_opts *o,
                 struct ks_outdir **od, int *existing)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    struct ks_err err = {0};
    char *cl = command_line(argc, argv);
    o->cmd = argv[0];
    o->command = cl;
    int rc = ks_outdir_begin(dest, o, od, existing, &err);
    free(cl);
    o->command = NULL;
    if (rc < 0)
        return cmd_fail(argv[0], &err);
    struct sigaction sa = {.sa_handler = on_fatal_signal};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
    return 0;
}

int
cmd_outdir_end(const char *name, struct ks_outdir *od, int rc, struct ks_err *err)
{
    if (rc < 0) {
        ks_outdir_abort(od, err);
        return cmd_fail(name, err);
    }
    return ks_outdir_commit(od, err) < 0 ? cmd_fail(name, err) : KS_EXIT_OK;
}

int
cmd_appendable(const char *name, const char *dir)
{
    char kind[32];
    struct ks_err err = {0};
    int k = ks_manifest_kind(dir, kind, sizeof kind, &err);
    if (k == 0 || (k < 0 && err.code == -ENOTDIR))
        return 0;
    if (k > 0)
        ks_errf(&err, -EEXIST,
                "%s: holds a %s that kasane wrote whole (%s): %s appends only to a dataset "
                "of its own; record into another directory, or remove %s/%s to append here",
                dir, kind, KS_MANIFEST_NAME, name, dir, KS_MANIFEST_NAME);
    return cmd_fail(name, &err);
}
