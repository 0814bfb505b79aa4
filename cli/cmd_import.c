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
#include "core/ks_merge.h"
#include "core/ks_zst.h"

/* --help: the formats come from the library's table, so a new format shows up here. */
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
    printf("  %-10s %s\n", "prometheus",
           "node_exporter metrics from a Prometheus server (kasane import prometheus --help)");
    printf("\noptions:\n"
           "  -o, --output DATASET   dataset directory to write (required): new or empty;\n"
           "                         built beside it and moved in whole, with a manifest.csv\n"
           "  --force                replace DATASET even if it is not empty (its files are\n"
           "                         deleted)\n"
           "  --compress             samples.csv.zst (zstd) instead of samples.csv\n"
           "  --append               add to the dataset in DATASET (from collect, gen or an\n"
           "                         earlier import): each entity's new rows must not overlap\n"
           "                         its rows there in time; coverage.csv rates the new rows\n"
           "  --start EPOCH          planetlab: UNIX time the first line's window starts\n"
           "                         (default: UTC midnight of a YYYYMMDD directory name)\n"
           "  --step SECONDS         planetlab, bitbrains: sample step (default 300)\n"
           "  --vm-MHz MHZ           planetlab: size of every VM (one vCPU), for cpu_MHz\n"
           "  --vm-mem-MiB MIB       planetlab: memory of every VM\n"
           "  --cloudsim-types       planetlab: CloudSim's VM types 2500/2000/1000/500 MHz\n"
           "                         with 870/1740/1740/613 MiB, by file index %% 4\n"
           "  --core-MHz MHZ         sar, perfmon: clock of one logical CPU, for cpu_MHz (sar\n"
           "                         default: this machine's, when the file's host name is\n"
           "                         its own); rvtools: clock of VMs whose host has no vHost row\n"
           "  --cpu-model MODEL      sar, perfmon: CPU model (as /proc/cpuinfo or Win32_Processor\n"
           "                         Name print it), for its rating (sar default: this machine's,\n"
           "                         as for --core-MHz); rvtools: of VMs whose host has no vHost row\n"
           "  --cores N, --threads N perfmon: physical cores and logical CPUs (default:\n"
           "                         the log's Processor(N) instances, else --cores)\n"
           "  --mem-MiB MIB          perfmon: installed memory (used = it - Available MBytes)\n"
           "  --kind KIND            physical, vm or host (default: physical for sar and\n"
           "                         perfmon, vm for the traces)\n"
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
    O_CPU_MODEL,
    O_KIND,
    O_SADF,
    O_FORCE,
    O_APPEND,
    O_CORES,
    O_THREADS,
    O_MEM,
    O_COMPRESS,
};

/* Options that are not the format's. */
struct iflags {
    int quiet, force, append, compress;
    const char *opt_of[8]; /* first option given of each COL_OPT_* bit, for messages */
};

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"start", required_argument, NULL, O_START},
    {"step", required_argument, NULL, O_STEP},
    {"vm-MHz", required_argument, NULL, O_VM_MHZ},
    {"vm-mem-MiB", required_argument, NULL, O_VM_MEM},
    {"cloudsim-types", no_argument, NULL, O_CLOUDSIM},
    {"core-MHz", required_argument, NULL, O_CORE_MHZ},
    {"cpu-model", required_argument, NULL, O_CPU_MODEL},
    {"kind", required_argument, NULL, O_KIND},
    {"sadf", required_argument, NULL, O_SADF},
    {"force", no_argument, NULL, O_FORCE},
    {"append", no_argument, NULL, O_APPEND},
    {"compress", no_argument, NULL, O_COMPRESS},
    {"cores", required_argument, NULL, O_CORES},
    {"threads", required_argument, NULL, O_THREADS},
    {"mem-MiB", required_argument, NULL, O_MEM},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Which format option each long option is: an option the chosen format does not
 * take is a usage error rather than silently ignored (a user who passes --vm-MHz to
 * bitbrains expects it to matter). */
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
    case O_CPU_MODEL:
        return COL_OPT_CPU_MODEL;
    case O_KIND:
        return COL_OPT_KIND;
    case O_SADF:
        return COL_OPT_SADF;
    case O_CORES:
    case O_THREADS:
    case O_MEM:
        return COL_OPT_HW;
    default:
        return 0;
    }
}

/* The importer's progress, on the command's progress line (short imports stay quiet). */
static void
on_progress(void *ctx, const struct col_import_progress *p)
{
    if (p->total)
        cmd_progress_show(ctx, "writing samples.csv: %llu of %llu rows", p->rows, p->total);
    else
        cmd_progress_show(ctx, "%lu files, %llu rows read", p->files, p->rows);
}

/* UNIX seconds as a UTC date for the summary ("-" for NaN). */
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

/* The confidence histogram, then entities from the lowest rating up (at most 20 lines:
 * the full table is coverage.csv). With more than 20 entities the 5-star ones are not
 * listed, since the interesting ones are those with holes. */
static void
print_coverage(const struct col_import_report *r)
{
    unsigned long stars[6] = {0};
    for (size_t i = 0; i < r->nent; i++)
        stars[r->ent[i].stars]++;
    printf("confidence: 5 stars %lu, 4 stars %lu, 3 stars %lu, 2 stars %lu, 1 star %lu\n", stars[5],
           stars[4], stars[3], stars[2], stars[1]);
    size_t shown = 0;
    for (int st = 1; st <= 5 && shown < 20; st++)
        for (size_t i = 0; i < r->nent && shown < 20; i++) {
            const struct col_import_entity *e = &r->ent[i];
            if (e->stars != st || (st == 5 && r->nent > 20))
                continue;
            printf("  %-40s %8llu rows %6.1f%% coverage %d star%s, %lu gaps\n", e->entity, e->rows,
                   e->coverage_pct, e->stars, e->stars == 1 ? "" : "s", e->gaps);
            shown++;
        }
    if (r->nent > shown)
        printf("  (%zu more with 5 stars; every entity is in coverage.csv)\n", r->nent - shown);
}

/* The summary on stdout: what was imported, its span and gaps, the ratings, and every
 * kind of skip with the first reasons. */
static void
print_summary(const struct col_import_opts *o, const struct col_import_report *r)
{
    char a[64], b[64];
    printf("imported %s into %s: %zu entities, %llu sample rows\n", o->format, o->out_dir, r->nent,
           r->rows);
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

/* A numeric option value; every one kasane import takes is >= 0. */
static int
num_arg(const char *opt, const char *s, double *v)
{
    if (ks_parse_double(s, v) < 0 || *v < 0)
        return cmd_usage_error("import", "%s: '%s' is not a number >= 0", opt, s);
    return 0;
}

/* One option into o; returns 0 or KS_EXIT_USAGE (message printed). */
static int
parse_opt(int c, struct col_import_opts *o, struct iflags *fl)
{
    switch (c) {
    case 'o':
        o->out_dir = optarg;
        return 0;
    case 'q':
        fl->quiet = 1;
        return 0;
    case O_FORCE:
        fl->force = 1;
        return 0;
    case O_APPEND:
        fl->append = 1;
        return 0;
    case O_COMPRESS:
        fl->compress = 1;
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
    case O_CPU_MODEL: { /* it becomes inventory text: printable, as names are */
        struct ks_err e = {0};
        if (!*optarg || ks_dataset_check_name("--cpu-model", 0, "value", optarg, &e) < 0)
            return cmd_usage_error("import", "%s", e.code ? e.msg : "--cpu-model: empty");
        o->cpu_model = optarg;
        return 0;
    }
    case O_KIND:
        o->kind = optarg;
        if (strcmp(optarg, "physical") && strcmp(optarg, "vm") && strcmp(optarg, "host"))
            return cmd_usage_error("import", "--kind: '%s' is not physical, vm or host", optarg);
        return 0;
    case O_SADF:
        o->sadf = optarg;
        return 0;
    case O_CORES:
        return num_arg("--cores", optarg, &o->cores);
    case O_THREADS:
        return num_arg("--threads", optarg, &o->threads);
    case O_MEM:
        return num_arg("--mem-MiB", optarg, &o->mem_MiB);
    default:
        return cmd_usage_error("import", "unknown option");
    }
}

/* Options and inputs in any order (GNU getopt permutes argv, so "-o DIR" may come
 * after the inputs). Returns 0, -1 after --help, or KS_EXIT_USAGE (message printed). */
static int
parse_args(int argc, char **argv, struct col_import_opts *o, unsigned *used, struct iflags *fl)
{
    int c, li = -1;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, &li)) != -1) {
        if (c == 'h') {
            help();
            return -1;
        }
        if (c == '?')
            return cmd_usage_error("import", "bad option");
        if (parse_opt(c, o, fl) != 0)
            return KS_EXIT_USAGE;
        unsigned cl = opt_class(c);
        for (int b = 0; b < 8; b++)
            if ((cl >> b & 1u) && !fl->opt_of[b] && li >= 0)
                fl->opt_of[b] = longopts[li].name;
        *used |= cl;
        li = -1;
    }
    return 0;
}

/* Usage error for an option the format does not take: names the option, the format
 * and the options it does take. */
static int
not_for(const struct col_import_format *f, unsigned bad, const struct iflags *fl)
{
    char takes[256] = "";
    size_t n = 0;
    int b = __builtin_ctz(bad);
    for (const struct option *lo = longopts; lo->name && n < sizeof takes; lo++)
        if (opt_class(lo->val) & f->opts)
            n += (size_t)snprintf(takes + n, sizeof takes - n, "%s--%s", n ? ", " : "", lo->name);
    return cmd_usage_error("import", "--%s does not apply to format %s (%s%s)",
                           fl->opt_of[b] ? fl->opt_of[b] : "?", f->name,
                           n ? "it takes " : "it takes no format options", takes);
}

/* FORMAT INPUT... and the options that go with the format; fills o. */
static int
check_args(int argc, char **argv, struct col_import_opts *o, unsigned used,
           const struct iflags *fl)
{
    int n = argc - optind;
    const struct col_import_format *f = n > 0 ? col_import_find(argv[optind]) : NULL;
    if (n == 0)
        return cmd_usage_error("import", "missing FORMAT");
    if (!f)
        return cmd_usage_error("import",
                               "unknown format '%s' (sar, bitbrains, planetlab, "
                               "rvtools, perfmon, prometheus)",
                               argv[optind]);
    if (n < 2)
        return cmd_usage_error("import", "missing INPUT");
    if (!o->out_dir)
        return cmd_usage_error("import", "missing -o DATASET");
    if (fl->force && fl->append)
        return cmd_usage_error("import", "--force (replace) and --append exclude each other");
    if (used & ~f->opts)
        return not_for(f, used & ~f->opts, fl);
    if (o->cloudsim_types && (!isnan(o->vm_MHz) || !isnan(o->vm_mem_MiB)))
        return cmd_usage_error("import", "--cloudsim-types and --vm-MHz/--vm-mem-MiB exclude "
                                         "each other");
    o->format = f->name;
    o->inputs = argv + optind + 1;
    o->ninputs = (size_t)n - 1;
    return 0;
}

/* --append: the dataset at dest plus the rows just imported into staging, written back
 * into staging as one time-sorted dataset (the importer's coverage.csv stays: it rates
 * the new rows). Memory: both datasets at once, unlike the streaming import itself. */
int
cmd_import_append(const char *dest, const char *staging, struct ks_err *err)
{
    struct ks_dataset *old = NULL, *add = NULL, *all = NULL;
    int rc = ks_dataset_read(dest, &old, err);
    if (rc == 0)
        rc = ks_dataset_read(staging, &add, err);
    if (rc == 0)
        rc = ks_dataset_append(old, dest, add, &all, err);
    if (rc == 0)
        rc = ks_dataset_write(all, staging, err);
    ks_dataset_free(old);
    ks_dataset_free(add);
    ks_dataset_free(all);
    return rc;
}

int
cmd_import(int argc, char **argv)
{
    /* prometheus reads a server, not files: its own options (cli/import_prom.c). */
    if (argc > 1 && strcmp(argv[1], "prometheus") == 0)
        return cmd_import_prometheus(argc, argv);
    struct col_import_opts o;
    struct cmd_progress ps;
    struct col_import_report rep;
    struct ks_err err = {0};
    struct iflags fl = {0};
    unsigned used = 0;
    int rc, existing = 0;
    col_import_opts_init(&o);
    if ((rc = parse_args(argc, argv, &o, &used, &fl)) != 0)
        return rc < 0 ? KS_EXIT_OK : rc;
    if ((rc = check_args(argc, argv, &o, used, &fl)) != 0)
        return rc;
    /* Written beside the destination and moved in whole (with --append: the dataset
     * there and the new rows, merged): a failed import leaves the old dataset as it
     * was, a good one leaves no file of an earlier one behind. */
    struct ks_outdir *od;
    struct ks_outdir_opts oo = {.kind = KS_OUTDIR_DATASET, .what = "dataset",
                                .force = fl.force, .keep = fl.append};
    const char *dest = o.out_dir;
    if ((rc = cmd_outdir_begin(argc, argv, dest, &oo, &od, &existing)) != 0)
        return rc;
    o.out_dir = ks_outdir_path(od);
    cmd_progress_init(&ps, "import");
    if (!fl.quiet && ps.on) {
        o.progress = on_progress;
        o.progress_ctx = &ps;
    }
    rc = col_import_run(&o, &rep, &err);
    cmd_progress_end(&ps);
    if (rc == 0 && fl.append && existing)
        rc = cmd_import_append(dest, o.out_dir, &err);
    if (rc == 0 && fl.compress) /* before the manifest, which then lists the .zst files */
        rc = ks_zst_compress_dataset(o.out_dir, &err);
    o.out_dir = dest;
    rc = cmd_outdir_end("import", od, rc, &err);
    for (size_t i = 0; rc == KS_EXIT_OK && i < rep.nwarn; i++)
        fprintf(stderr, "kasane import: warning: %s\n", rep.warn[i]);
    if (rc == KS_EXIT_OK && !fl.quiet) {
        print_summary(&o, &rep);
        if (fl.append && existing)
            printf("appended to the dataset already in %s\n", dest);
    }
    col_import_report_fini(&rep);
    return rc;
}
