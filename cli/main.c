/* kasane: command dispatcher. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/ks_locale.h"
#include "core/ks_manifest.h"

const struct cmd_entry cmd_table[] = {
    {"collect", cmd_collect, "sample this machine (and its VMs) into a dataset directory",
     "collect [-i SECONDS] [-n COUNT | -d DURATION] [-o DATASET] [--root DIR] ..."},
    {"import", cmd_import, "sar | bitbrains | planetlab | rvtools | perfmon -> dataset directory",
     "import FORMAT INPUT... [--force | --append] -o DATASET"},
    {"gen", cmd_gen, "synthetic dataset (seeded, realistic shapes) for demos and scale tests",
     "gen --servers N --days D --step S --seed X [--profile mix] [--force] -o DATASET"},
    {"plan", cmd_plan, "dataset + host catalog + policy -> consolidation plan",
     "plan DATASET --catalog CATALOG.csv [options] [--force] -o PLAN_DIR | plan --vbp FILE.vbp"},
    {"sim", cmd_sim, "I/O path simulation of a virtualized host (INI config)",
     "sim CONFIG [--seed N] [--replications R] [--threads T] -o RESULTS.csv | sim --plan "
     "PLAN_DIR --host HOST --dataset DIR [CONFIG] -o RESULTS.csv"},
    {"report", cmd_report, "dataset + plan [+ sim results] -> HTML report with charts",
     "report DATASET --plan PLAN_DIR [--sim RESULTS.csv] [--force] -o REPORT_DIR"},
    {"top", cmd_top, "live ncurses monitor of this host; --replay DATASET",
     "top [-i SECONDS] [-n COUNT] [--root DIR] [--record DATASET] [--replay DATASET "
     "[--entity NAME]] [--catalog FILE --model NAME]"},
    {NULL, NULL, NULL, NULL},
};

static const struct cmd_entry *
find_cmd(const char *name)
{
    for (const struct cmd_entry *c = cmd_table; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const char *
cmd_usage_of(const char *name)
{
    const struct cmd_entry *c = find_cmd(name);
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
    *p = (struct cmd_progress){.name = name, .t0 = ks_mono_s(), .last = -1,
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

static void
print_help(FILE *f)
{
    fprintf(f, "usage: kasane <command> [options]\n\n"
               "Server-consolidation capacity planning: measure the servers you have, decide\n"
               "how few hosts can carry them, check the virtualized I/O path, report.\n\n"
               "commands:\n");
    for (const struct cmd_entry *c = cmd_table; c->name; c++)
        fprintf(f, "  %-8s %s\n", c->name, c->summary);
    fprintf(f, "\n'kasane help <command>' or 'kasane <command> --help' for details.\n"
               "Exit status: 0 ok, 1 bad input, 2 usage error.\n");
}

int
main(int argc, char **argv)
{
    /* '.' decimals in every file and message whatever LC_ALL, LC_NUMERIC or LANG say
     * (core/ks_locale.h); only top takes LC_CTYPE from the environment. */
    ks_locale_init();
    if (argc < 2) {
        print_help(stderr);
        return KS_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_help(stdout);
        return KS_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("kasane %s\n", KASANE_VERSION);
        return KS_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_help(stdout);
            return KS_EXIT_OK;
        }
        const struct cmd_entry *c = find_cmd(argv[2]);
        if (!c) {
            fprintf(stderr, "kasane: unknown command '%s'\nusage: kasane <command> [options]\n",
                    argv[2]);
            return KS_EXIT_USAGE;
        }
        char *hargv[] = {(char *)c->name, "--help", NULL};
        return c->run(2, hargv);
    }
    const struct cmd_entry *c = find_cmd(name);
    if (!c) {
        fprintf(stderr,
                "kasane: unknown command '%s' (try 'kasane --help')\n"
                "usage: kasane <command> [options]\n",
                name);
        return KS_EXIT_USAGE;
    }
    optind = 1;
    return c->run(argc - 1, argv + 1);
}
