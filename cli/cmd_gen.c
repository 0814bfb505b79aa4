/* kasane gen: a synthetic, seeded server room in the dataset format. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "collect/col_gen.h"

/* --help: the options and where the model is documented. */
static void
help(void)
{
    printf("usage: kasane %s\n\n"
           "Write a synthetic dataset shaped like a 2008 server room: idle legacy servers\n"
           "(5-15%% CPU), three-tier applications peaking together, nightly batch,\n"
           "month-end peaks, bursty web tiers, flat memory, disk and network following\n"
           "CPU. The same options give byte-identical files. Model: docs/datasets.md.\n\n"
           "options:\n"
           "  --servers N       physical servers (default 60)\n"
           "  --days D          days of samples (default 14)\n"
           "  --step S          sample step in seconds (default 300)\n"
           "  --seed X          RNG seed (default 1)\n"
           "  --profile P       mix (default), or one role for every server: legacy, web,\n"
           "                    app, db, batch, file\n"
           "  --start EPOCH     start of the first window (default 1206316800 =\n"
           "                    2008-03-24 00:00 UTC, a Monday)\n"
           "  --flows           also flows.csv: who talks to whom, hourly (web -> app ->\n"
           "                    db in each application, clients, nightly backups), and\n"
           "                    an address per server in the inventory's ips column\n"
           "  -o, --output DIR  dataset directory to write (required): new or empty; built\n"
           "                    beside it and moved in whole, with a manifest.csv\n"
           "  --force           replace DIR even if it is not empty (its files are deleted)\n"
           "  --compress        samples.csv.zst and flows.csv.zst (zstd) instead of the\n"
           "                    plain files; every reader takes either (docs/formats.md)\n"
           "  -q, --quiet       no summary line\n"
           "  -h, --help        this help\n",
           cmd_usage_of("gen"));
}

static const struct option longopts[] = {
    {"servers", required_argument, NULL, 'n'}, {"days", required_argument, NULL, 'd'},
    {"step", required_argument, NULL, 's'},    {"seed", required_argument, NULL, 'x'},
    {"profile", required_argument, NULL, 'p'}, {"start", required_argument, NULL, 't'},
    {"output", required_argument, NULL, 'o'},  {"quiet", no_argument, NULL, 'q'},
    {"flows", no_argument, NULL, 'f'},         {"help", no_argument, NULL, 'h'},
    {"force", no_argument, NULL, 'F'},         {"compress", no_argument, NULL, 'z'},
    {NULL, 0, NULL, 0},
};

/* A numeric option value (all of gen's are >= 0). */
static int
num(const char *opt, const char *s, double *v)
{
    if (ks_parse_double(s, v) < 0 || *v < 0)
        return cmd_usage_error("gen", "%s: '%s' is not a number >= 0", opt, s);
    return 0;
}

/* One option into o. --servers and --seed must be whole numbers: 2.5 servers is a
 * typo, not a request to round. Returns 0 or KS_EXIT_USAGE. */
static int
parse(int c, struct col_gen_opts *o, int *quiet, int *force)
{
    double v;
    int rc = 0;
    switch (c) {
    case 'n':
        if ((rc = num("--servers", optarg, &v)) == 0 && (v != floor(v) || v < 1))
            rc = cmd_usage_error("gen", "--servers: '%s' is not a whole number >= 1", optarg);
        o->servers = (unsigned long)v;
        return rc;
    case 'd':
        return num("--days", optarg, &o->days);
    case 's':
        return num("--step", optarg, &o->step_s);
    case 't':
        return num("--start", optarg, &o->start_s);
    case 'x':
        if ((rc = num("--seed", optarg, &v)) == 0 && (v != floor(v) || v > 9.0e15))
            rc = cmd_usage_error("gen", "--seed: '%s' is not a whole number", optarg);
        o->seed = (uint64_t)v;
        return rc;
    case 'p':
        o->profile = optarg;
        return 0;
    case 'o':
        o->out_dir = optarg;
        return 0;
    case 'q':
        *quiet = 1;
        return 0;
    case 'f':
        o->flows = 1;
        return 0;
    case 'F':
        *force = 1;
        return 0;
    case 'z':
        /* zstd level 1, not the default 3 that import and collect use: on generated
         * scale-test data it takes ~40% less CPU for a file ~12% larger (2,000 servers
         * x 14 days: 218 against 193 MB), and decompresses no slower. */
        o->compress = 1;
        return 0;
    default:
        return cmd_usage_error("gen", "bad option");
    }
}

/* Parse, generate, and print one line with what was written and how long it took. */
int
cmd_gen(int argc, char **argv)
{
    struct col_gen_opts o;
    int c, quiet = 0, force = 0;
    col_gen_opts_init(&o);
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return KS_EXIT_OK;
        }
        if (parse(c, &o, &quiet, &force) != 0)
            return KS_EXIT_USAGE;
    }
    if (optind < argc)
        return cmd_usage_error("gen", "unexpected argument '%s'", argv[optind]);
    if (!o.out_dir)
        return cmd_usage_error("gen", "missing -o DATASET");
    struct ks_err err = {0};
    unsigned long long rows = 0;
    double t0 = ks_mono_s();
    /* Written beside the destination and moved in whole: a failed run leaves the old
     * dataset as it was, a good one leaves no file of the old one (a stale flows.csv). */
    struct ks_outdir *od;
    struct ks_outdir_opts oo = {.kind = KS_OUTDIR_DATASET, .what = "dataset", .force = force};
    const char *dest = o.out_dir;
    if ((c = cmd_outdir_begin(argc, argv, dest, &oo, &od, NULL)) != 0)
        return c;
    o.out_dir = ks_outdir_path(od);
    int rc = col_gen_run(&o, &rows, &err);
    o.out_dir = dest;
    if (rc == -EINVAL) {
        /* Out-of-range option values are usage errors: nothing was read. */
        ks_outdir_abort(od, NULL);
        fprintf(stderr, "kasane gen: %s\nusage: kasane %s\n", err.msg, cmd_usage_of("gen"));
        return KS_EXIT_USAGE;
    }
    if ((rc = cmd_outdir_end("gen", od, rc, &err)) != KS_EXIT_OK)
        return rc; /* cannot write the output */
    if (!quiet)
        printf("generated %lu servers x %.0f steps (%llu rows, profile %s, seed %llu) into %s "
               "in %.2f s\n",
               o.servers, o.servers ? (double)rows / (double)o.servers : 0, rows, o.profile,
               (unsigned long long)o.seed, o.out_dir, ks_mono_s() - t0);
    return KS_EXIT_OK;
}
