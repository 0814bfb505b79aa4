/* kasane import prometheus: node_exporter (and kasane's own) metrics through a
 * Prometheus server's HTTP API -> dataset directory (docs/prometheus.md). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "collect/col_prom_client.h"
#include "collect/col_prom_import.h"

static void
help(void)
{
    printf("usage: kasane import prometheus URL --start T --end T --step S [options] -o DATASET\n\n"
           "Read node_exporter and kasane metrics from a Prometheus server (query_range API),\n"
           "paged by time, into a dataset directory.\n\n"
           "  URL                  Prometheus base URL, e.g. http://127.0.0.1:9090\n"
           "  --start T, --end T   UNIX seconds, RFC 3339, 'now' or 'now-1h' (end inclusive)\n"
           "  --step S             seconds between samples: 90, 15s, 5m, 1h\n"
           "  --match SELECTOR     label matchers for every query, e.g. 'job=\"node\"'\n"
           "  --scrape S           scrape interval of the targets (sizes rate windows; 15s)\n"
           "  --page S             seconds of steps per request (default: automatic)\n"
           "  --by-nodename        name node_exporter entities by nodename, not instance\n"
           "  --timeout S          per HTTP request (60)\n"
           "  -o, --output DATASET dataset directory to write (required): new or empty\n"
           "  --force              replace DATASET even if it is not empty\n"
           "  --append             add to the dataset in DATASET (no time overlap per entity)\n"
           "  -q, --quiet          no summary\n"
           "Exit status: 0 ok, 1 Prometheus unreachable, HTTP error, empty result or a\n"
           "malformed answer (the message names the URL), 2 usage.\n");
}

enum { P_START = 300, P_END, P_STEP, P_MATCH, P_SCRAPE, P_PAGE, P_NODENAME, P_TIMEOUT, P_FORCE,
       P_APPEND };

static const struct option longopts[] = {
    {"start", required_argument, NULL, P_START},   {"end", required_argument, NULL, P_END},
    {"step", required_argument, NULL, P_STEP},     {"match", required_argument, NULL, P_MATCH},
    {"scrape", required_argument, NULL, P_SCRAPE}, {"page", required_argument, NULL, P_PAGE},
    {"by-nodename", no_argument, NULL, P_NODENAME}, {"timeout", required_argument, NULL, P_TIMEOUT},
    {"output", required_argument, NULL, 'o'},      {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},              {"force", no_argument, NULL, P_FORCE},
    {"append", no_argument, NULL, P_APPEND},       {NULL, 0, NULL, 0}};

struct pargs {
    struct col_prom_import_opts o;
    const char *out, *start, *end;
    int quiet, force, append;
};

/* One option; returns 0, or a usage error status. */
static int
set_opt(struct pargs *a, int c, struct ks_err *err)
{
    double v;
    switch (c) {
    case P_START: a->start = optarg; return 0;
    case P_END: a->end = optarg; return 0;
    case P_MATCH: a->o.match = optarg; return 0;
    case P_NODENAME: a->o.by_nodename = 1; return 0;
    case 'o': a->out = optarg; return 0;
    case 'q': a->quiet = 1; return 0;
    case P_FORCE: a->force = 1; return 0;
    case P_APPEND: a->append = 1; return 0;
    case P_STEP:
    case P_SCRAPE:
    case P_PAGE:
    case P_TIMEOUT:
        if (col_prom_parse_duration(optarg, &v, err) < 0 || !(v > 0))
            return cmd_usage_error("import", "--%s '%s': want a duration (90, 15s, 5m, 1h)",
                                   longopts[c - P_START].name, optarg);
        if (c == P_STEP)
            a->o.step_s = v;
        else if (c == P_SCRAPE)
            a->o.scrape_s = v;
        else if (c == P_PAGE)
            a->o.page_s = v;
        else
            a->o.timeout_s = (long)ceil(v);
        return 0;
    default:
        return cmd_usage_error("import", "bad option");
    }
}

int
cmd_import_prometheus(int argc, char **argv)
{
    struct pargs a = {0};
    struct col_prom_import_stats st = {0};
    struct ks_err err = {0};
    int c, rc = 0;
    a.o.stats = &st;
    optind = 2; /* argv[0] "import", argv[1] "prometheus" */
    while (rc == 0 && (c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return KS_EXIT_OK;
        }
        rc = set_opt(&a, c, &err);
    }
    if (rc)
        return rc;
    if (optind >= argc)
        return cmd_usage_error("import", "prometheus: missing URL");
    a.o.url = argv[optind++];
    if (optind < argc)
        return cmd_usage_error("import", "unexpected argument '%s'", argv[optind]);
    if (!a.out || !a.start || !a.end || !(a.o.step_s > 0))
        return cmd_usage_error("import", "prometheus needs --start, --end, --step and -o");
    double now = ks_wall_s();
    if (col_prom_parse_time(a.start, now, &a.o.start_s, &err) < 0 ||
        col_prom_parse_time(a.end, now, &a.o.end_s, &err) < 0)
        return cmd_usage_error("import", "%s", err.msg);
    if (a.force && a.append)
        return cmd_usage_error("import", "--force (replace) and --append exclude each other");
    /* Staged and swapped in whole, as every importer's output (cli/cmd_import.c). */
    struct ks_outdir *od;
    struct ks_outdir_opts oo = {.kind = KS_OUTDIR_DATASET, .what = "dataset",
                                .force = a.force, .keep = a.append};
    int existing = 0;
    if ((rc = cmd_outdir_begin(argc, argv, a.out, &oo, &od, &existing)) != 0)
        return rc;
    rc = col_prom_import(&a.o, ks_outdir_path(od), &err);
    if (rc == 0 && a.append && existing)
        rc = cmd_import_append(a.out, ks_outdir_path(od), &err);
    if ((rc = cmd_outdir_end("import", od, rc, &err)) != KS_EXIT_OK)
        return rc;
    if (!a.quiet)
        printf("imported %zu entities, %zu rows from %s (%zu pages, %lu requests) into %s\n",
               st.entities, st.rows, a.o.url, st.pages, st.requests, a.out);
    return KS_EXIT_OK;
}
