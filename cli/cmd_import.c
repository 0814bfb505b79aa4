/* kasane import: existing data (sysstat, public traces, RVTools) -> dataset directory. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "collect/col_import.h"

static void
help(void)
{
    printf("usage: kasane %s\n\n"
           "Turn existing data into a dataset directory (inventory.csv, samples.csv,\n"
           "coverage.csv) that plan, report and top read like collect's output.\n\n"
           "formats:\n",
           cmd_usage_of("import"));
    for (const struct col_import_format *f = col_import_formats; f->name; f++)
        printf("  %-10s %s\n", f->name, f->summary);
    printf("\noptions:\n"
           "  -o, --output DATASET   dataset directory to write (required)\n"
           "  --start EPOCH          planetlab: UNIX time the first line's window starts\n"
           "                         (default: UTC midnight of a YYYYMMDD directory name)\n"
           "  --step SECONDS         planetlab, bitbrains: sample step (default 300)\n"
           "  --vm-MHz MHZ           planetlab: size of every VM (one vCPU), for cpu_MHz\n"
           "  --vm-mem-MiB MIB       planetlab: memory of every VM\n"
           "  --cloudsim-types       planetlab: CloudSim's VM types 2500/2000/1000/500 MHz\n"
           "                         with 870/1740/1740/613 MiB, by file index %% 4\n"
           "  --core-MHz MHZ         sar: clock of one logical CPU, for cpu_MHz\n"
           "  --kind KIND            physical, vm or host (default: physical for sar, vm\n"
           "                         for the traces)\n"
           "  --sadf PROGRAM         sar: the sadf to run (default: sadf from PATH)\n"
           "  -q, --quiet            no progress line and no summary\n"
           "  -h, --help             this help\n\n"
           "INPUT is a file or a directory (its regular files in name order; unrelated\n"
           "files there are skipped and counted). Coverage per entity is the share of\n"
           "expected samples present, rated 1-5 stars (0-20%% ... 81-100%%).\n"
           "Exit status: 0 ok, 1 bad input (file:line: field), 2 usage.\n");
}

enum {
    O_START = 256,
    O_STEP,
    O_VM_MHZ,
    O_VM_MEM,
    O_CLOUDSIM,
    O_CORE_MHZ,
    O_KIND,
    O_SADF,
};

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"start", required_argument, NULL, O_START},
    {"step", required_argument, NULL, O_STEP},
    {"vm-MHz", required_argument, NULL, O_VM_MHZ},
    {"vm-mem-MiB", required_argument, NULL, O_VM_MEM},
    {"cloudsim-types", no_argument, NULL, O_CLOUDSIM},
    {"core-MHz", required_argument, NULL, O_CORE_MHZ},
    {"kind", required_argument, NULL, O_KIND},
    {"sadf", required_argument, NULL, O_SADF},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Which format option each long option is. */
static unsigned
opt_class(int c)
{
    switch (c) {
    case O_START:
        return COL_OPT_START;
    case O_STEP:
        return COL_OPT_STEP;
    case O_VM_MHZ:
    case O_VM_MEM:
    case O_CLOUDSIM:
        return COL_OPT_VM_SIZE;
    case O_CORE_MHZ:
        return COL_OPT_CORE_MHZ;
    case O_KIND:
        return COL_OPT_KIND;
    case O_SADF:
        return COL_OPT_SADF;
    default:
        return 0;
    }
}

struct progress_state {
    double t0, last;
    int shown;
};

static void
on_progress(void *ctx, const struct col_import_progress *p)
{
    struct progress_state *ps = ctx;
    double now = ks_mono_s();
    if (now - ps->t0 < 1 || now - ps->last < 0.5)
        return; /* short imports stay quiet */
    ps->last = now;
    ps->shown = 1;
    if (p->total)
        fprintf(stderr, "\rimport: writing samples.csv: %llu of %llu rows  ", p->rows,
                p->total);
    else
        fprintf(stderr, "\rimport: %lu files, %llu rows read  ", p->files, p->rows);
}

static const char *
iso(char *buf, size_t n, double t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (isnan(t) || !gmtime_r(&tt, &tm))
        return "-";
    strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

static void
print_coverage(const struct col_import_report *r)
{
    unsigned long stars[6] = {0};
    for (size_t i = 0; i < r->nent; i++)
        stars[r->ent[i].stars]++;
    printf("confidence: 5 stars %lu, 4 stars %lu, 3 stars %lu, 2 stars %lu, 1 star %lu\n",
           stars[5], stars[4], stars[3], stars[2], stars[1]);
    size_t shown = 0;
    for (int st = 1; st <= 5 && shown < 20; st++)
        for (size_t i = 0; i < r->nent && shown < 20; i++) {
            const struct col_import_entity *e = &r->ent[i];
            if (e->stars != st || (st == 5 && r->nent > 20))
                continue;
            printf("  %-40s %8llu rows %6.1f%% coverage %d star%s, %lu gaps\n", e->entity,
                   e->rows, e->coverage_pct, e->stars, e->stars == 1 ? "" : "s", e->gaps);
            shown++;
        }
    if (r->nent > shown)
        printf("  (%zu more with 5 stars; every entity is in coverage.csv)\n", r->nent - shown);
}

static void
print_summary(const struct col_import_opts *o, const struct col_import_report *r)
{
    char a[64], b[64];
    printf("imported %s into %s: %zu entities, %llu sample rows\n", o->format, o->out_dir,
           r->nent, r->rows);
    if (r->rows) {
        printf("time span: %s .. %s (%.1f h), step %.0f s, %lu gaps\n",
               iso(a, sizeof a, r->first_s), iso(b, sizeof b, r->last_s),
               (r->last_s - r->first_s) / 3600, r->step_s, r->gaps);
        print_coverage(r);
    } else {
        printf("inventory only (no samples): plan sizes these entities by allocation\n");
    }
    printf("files read %lu; skipped: %lu files, %lu rows, %lu duplicates\n", r->files_read,
           r->files_skipped, r->rows_skipped, r->dups_skipped);
    for (size_t i = 0; i < r->nnotes; i++)
        printf("  note: %s\n", r->notes[i]);
    if (r->notes_total > r->nnotes)
        printf("  (%lu more notes)\n", r->notes_total - r->nnotes);
}

static int
num_arg(const char *opt, const char *s, double *v)
{
    if (ks_parse_double(s, v) < 0 || *v < 0)
        return cmd_usage_error("import", "%s: '%s' is not a number >= 0", opt, s);
    return 0;
}

static int
parse_opt(int c, struct col_import_opts *o, int *quiet)
{
    switch (c) {
    case 'o':
        o->out_dir = optarg;
        return 0;
    case 'q':
        *quiet = 1;
        return 0;
    case O_START:
        return num_arg("--start", optarg, &o->start_s);
    case O_STEP:
        return num_arg("--step", optarg, &o->step_s);
    case O_VM_MHZ:
        return num_arg("--vm-MHz", optarg, &o->vm_MHz);
    case O_VM_MEM:
        return num_arg("--vm-mem-MiB", optarg, &o->vm_mem_MiB);
    case O_CORE_MHZ:
        return num_arg("--core-MHz", optarg, &o->core_MHz);
    case O_CLOUDSIM:
        o->cloudsim_types = 1;
        return 0;
    case O_KIND:
        o->kind = optarg;
        if (strcmp(optarg, "physical") && strcmp(optarg, "vm") && strcmp(optarg, "host"))
            return cmd_usage_error("import", "--kind: '%s' is not physical, vm or host",
                                   optarg);
        return 0;
    case O_SADF:
        o->sadf = optarg;
        return 0;
    default:
        return cmd_usage_error("import", "unknown option");
    }
}

int
cmd_import(int argc, char **argv)
{
    struct col_import_opts o;
    struct progress_state ps = {ks_mono_s(), 0, 0};
    unsigned used = 0;
    int c, quiet = 0;
    col_import_opts_init(&o);
    while ((c = getopt_long(argc, argv, "+o:qh", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return KS_EXIT_OK;
        }
        if (c == '?' || parse_opt(c, &o, &quiet) != 0)
            return c == '?' ? cmd_usage_error("import", "bad option") : KS_EXIT_USAGE;
        used |= opt_class(c);
    }
    /* Options may also follow the inputs: gather the rest. */
    char **inputs = ks_xcalloc((size_t)argc, sizeof *inputs);
    size_t n = 0;
    const struct col_import_format *f = NULL;
    int rc = KS_EXIT_OK;
    while (optind < argc) {
        if (argv[optind][0] == '-' && argv[optind][1]) {
            c = getopt_long(argc, argv, "+o:qh", longopts, NULL);
            if (c == 'h') {
                help();
                goto out;
            }
            if (c == -1 || c == '?' || parse_opt(c, &o, &quiet) != 0) {
                rc = c == '?' || c == -1 ? cmd_usage_error("import", "bad option") : KS_EXIT_USAGE;
                goto out;
            }
            used |= opt_class(c);
            continue;
        }
        inputs[n++] = argv[optind++];
    }
    if (n == 0 || !(f = col_import_find(inputs[0]))) {
        rc = cmd_usage_error("import", n ? "unknown format '%s' (sar, bitbrains, planetlab, "
                                           "rvtools)"
                                         : "missing FORMAT%s",
                             n ? inputs[0] : "");
        goto out;
    }
    if (n < 2 || !o.out_dir) {
        rc = cmd_usage_error("import", n < 2 ? "missing INPUT" : "missing -o DATASET");
        goto out;
    }
    if (used & ~f->opts) {
        rc = cmd_usage_error("import", "an option given does not apply to format %s", f->name);
        goto out;
    }
    if (o.cloudsim_types && (!isnan(o.vm_MHz) || !isnan(o.vm_mem_MiB))) {
        rc = cmd_usage_error("import", "--cloudsim-types and --vm-MHz/--vm-mem-MiB exclude "
                                       "each other");
        goto out;
    }
    o.format = f->name;
    o.inputs = inputs + 1;
    o.ninputs = n - 1;
    if (!quiet) {
        o.progress = on_progress;
        o.progress_ctx = &ps;
    }
    struct col_import_report rep;
    struct ks_err err = {0};
    int r = col_import_run(&o, &rep, &err);
    if (ps.shown)
        fputc('\n', stderr);
    if (r < 0)
        rc = cmd_fail("import", &err);
    else if (!quiet)
        print_summary(&o, &rep);
    col_import_report_fini(&rep);
out:
    free(inputs);
    return rc;
}
