/* kasane: command dispatcher. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

const struct cmd_entry cmd_table[] = {
    {"collect", cmd_collect, "sample this machine (and its VMs) into a dataset directory",
     "collect [-i SECONDS] [-n COUNT | -d DURATION] [-o DATASET] [--root DIR] ..."},
    {"import", cmd_import, "sar | bitbrains | planetlab | rvtools -> dataset directory",
     "import FORMAT INPUT... -o DATASET"},
    {"gen", cmd_gen, "synthetic dataset (seeded, realistic shapes) for demos and scale tests",
     "gen --servers N --days D --step S --seed X [--profile mix] -o DATASET"},
    {"plan", cmd_plan, "dataset + host catalog + policy -> consolidation plan",
     "plan DATASET --catalog CATALOG.csv [options] -o PLAN_DIR | plan --vbp FILE.vbp"},
    {"sim", cmd_sim, "I/O path simulation of a virtualized host (INI config)",
     "sim CONFIG [--seed N] [--replications R] [--threads T] -o RESULTS.csv | sim --plan "
     "PLAN_DIR --host HOST --dataset DIR [CONFIG] -o RESULTS.csv"},
    {"report", cmd_report, "dataset + plan [+ sim results] -> HTML report with charts",
     "report DATASET --plan PLAN_DIR [--sim RESULTS.csv] -o REPORT_DIR"},
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
