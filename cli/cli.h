/*
 * cli: the kasane command dispatcher and one file per subcommand (tmux style).
 *
 * Every command is `int cmd_NAME(int argc, char **argv)` with argv[0] = "NAME", parses
 * its options with getopt_long, prints --help to stdout, and returns an exit status:
 * KS_EXIT_OK, KS_EXIT_INPUT (bad input, message names file, line and field) or
 * KS_EXIT_USAGE (bad options: one-line error plus the usage line).
 */
#ifndef CLI_H
#define CLI_H

#include "core/ks_outdir.h"
#include "core/ks_util.h"

struct cmd_entry {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage; /* the usage line after "kasane " */
};

/* The commands of this program, ended by a NULL name (cli/main.c; kasane-collect's
 * own table holds collect alone). */
extern const struct cmd_entry cmd_table[];
/* Compress a file to FILE.zst (core/ks_zst's, in kasane; NULL in kasane-collect, which
 * links no libzstd): each program's main defines it, as it defines cmd_table. */
extern int (*const cmd_compress_file)(const char *path, int level, struct ks_err *err);
/* The entry of command name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);

int cmd_collect(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_import_prometheus(int argc, char **argv); /* cli/import_prom.c */
/* import --append (cli/cmd_import.c): the dataset at dest plus the one just imported
 * into staging, merged into staging (ks_dataset_append). */
int cmd_import_append(const char *dest, const char *staging, struct ks_err *err);

/* Print "kasane NAME: <msg>" and the usage line to stderr; returns KS_EXIT_USAGE. */
int cmd_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "kasane NAME: <err->msg>" to stderr; returns KS_EXIT_INPUT. */
int cmd_fail(const char *name, const struct ks_err *err);
/* The usage line of a command ("kasane plan DATASET ..."). */
const char *cmd_usage_of(const char *name);

/* Output directories (core/ks_outdir.h) of gen, import, plan and report. Begin: check
 * dest (o->command is filled with this command line, argv[0] the command name, for
 * the manifest), create the staging directory, and make fatal signals (INT, TERM,
 * HUP, QUIT, PIPE) remove it before the process dies. Returns 0, or KS_EXIT_INPUT
 * after printing why dest is refused. *existing as ks_outdir_begin (may be NULL). */
int cmd_outdir_begin(int argc, char **argv, const char *dest, struct ks_outdir_opts *o,
                     struct ks_outdir **od, int *existing);
/* End: rc < 0 (the command's work failed, err says why): remove the staging directory
 * and print err (its staging path shown as dest); else commit. Returns the exit status
 * (KS_EXIT_OK or KS_EXIT_INPUT, the error printed). */
int cmd_outdir_end(const char *name, struct ks_outdir *od, int rc, struct ks_err *err);

/* collect and top --record append to a dataset directory: one that kasane wrote whole
 * (it holds a manifest.csv) would no longer match its manifest, and plan would refuse
 * it. Returns 0, or KS_EXIT_INPUT after saying so. */
int cmd_appendable(const char *name, const char *dir);

/* A progress line on a terminal for long work: "kasane NAME: 12 s: <text>" on stderr,
 * shown only after the first second (KASANE_PROGRESS_AFTER_S, for tests: 0 shows every
 * update from the start), rewritten in place at most four times a second, wiped by
 * cmd_progress_end. Nothing on a pipe or a file: logs and scripts get results only. */
struct cmd_progress {
    const char *name;
    double t0, last, after_s;
    int on, shown;
};
void cmd_progress_init(struct cmd_progress *p, const char *name);
void cmd_progress_show(struct cmd_progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cmd_progress_end(struct cmd_progress *p);

#endif
