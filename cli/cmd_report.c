/* kasane report: dataset + plan [+ sim results] -> report directory (index.html). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/rpt_report.h"

static void
report_help(void)
{
    printf("usage: kasane %s\n\n"
           "Write a self-contained HTML report (index.html, inline SVG charts, prints on A4)\n"
           "of a consolidation plan, with every chart as SVG and PNG under charts/ and every\n"
           "table as CSV under tables/. The plan must come from this dataset.\n\n"
           "  --plan PLAN_DIR       plan directory written by kasane plan (required)\n"
           "  --sim RESULTS.csv     I/O path results of kasane sim (optional)\n"
           "  -o, --output DIR      report directory (required): new, empty or a report\n"
           "                        kasane wrote; built beside DIR and moved in whole\n"
           "  --force               replace DIR even if kasane did not write it\n"
           "  -h, --help            this help\n\n"
           "Charts need gnuplot (apt-get install gnuplot-nox); without it the report shows\n"
           "the tables and a note where each chart would be.\n"
           "Exit status: 0 ok, 1 bad input, 2 usage error.\n",
           cmd_usage_of("report"));
}

int
cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"plan", required_argument, NULL, 'p'}, {"sim", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
        {"force", no_argument, NULL, 'F'},        {NULL, 0, NULL, 0},
    };
    struct rpt_opts o = {0};
    struct ks_outdir_opts oo = {.kind = KS_OUTDIR_OUTPUT, .what = "report"};
    int ch;
    while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'p': o.plan_dir = optarg; break;
        case 's': o.sim_path = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'F': oo.force = 1; break;
        case 'h': report_help(); return KS_EXIT_OK;
        default: return cmd_usage_error("report", "bad option");
        }
    }
    if (optind >= argc)
        return cmd_usage_error("report", "missing DATASET");
    if (!o.plan_dir)
        return cmd_usage_error("report", "missing --plan PLAN_DIR");
    if (!o.out_dir)
        return cmd_usage_error("report", "missing -o REPORT_DIR");
    o.dataset_dir = argv[optind];
    o.datasets = argv + optind; /* several: merged as kasane plan merges them */
    o.ndatasets = (size_t)(argc - optind);
    struct ks_err err = {0};
    struct rpt_result res;
    /* Built beside the destination and moved in whole: no chart or table of an earlier
     * report survives, and a failed run leaves the earlier report as it was. */
    struct ks_outdir *od;
    const char *dest = o.out_dir;
    if ((ch = cmd_outdir_begin(argc, argv, dest, &oo, &od, NULL)) != 0)
        return ch;
    o.out_dir = ks_outdir_path(od);
    int rc = rpt_report_run(&o, &res, &err);
    o.out_dir = dest;
    if ((rc = cmd_outdir_end("report", od, rc, &err)) != KS_EXIT_OK) {
        rpt_result_fini(&res);
        return rc;
    }
    printf("report: %s/index.html (%zu sections, %zu tables, %zu of %zu charts drawn)\n", dest,
           res.sections, res.tables, res.charts_drawn, res.charts);
    if (!res.gnuplot)
        fprintf(stderr, "kasane report: gnuplot not found: charts left out "
                        "(apt-get install gnuplot-nox)\n");
    else if (res.charts_drawn < res.charts)
        fprintf(stderr, "kasane report: %zu chart(s) failed: see %s/charts/gnuplot.log (%s)\n",
                res.charts - res.charts_drawn, o.out_dir, res.failed ? res.failed : "");
    rpt_result_fini(&res);
    return KS_EXIT_OK;
}
