/* kasane: command dispatcher. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/ks_locale.h"
#include "core/ks_zst.h"

int (*const cmd_compress_file)(const char *, int, struct ks_err *) = ks_zst_compress_file;

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
        const struct cmd_entry *c = cmd_find(argv[2]);
        if (!c) {
            fprintf(stderr, "kasane: unknown command '%s'\nusage: kasane <command> [options]\n",
                    argv[2]);
            return KS_EXIT_USAGE;
        }
        char *hargv[] = {(char *)c->name, "--help", NULL};
        return c->run(2, hargv);
    }
    const struct cmd_entry *c = cmd_find(name);
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
