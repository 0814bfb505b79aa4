/* kasane plan: dataset + catalog + policy -> plan directory; --vbp for benchmarks. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/ks_csv.h"
#include "model/mdl_vbp.h"

/* Options of the --vbp mode. */
struct vbp_args {
    const char *file, *assign;
    struct mdl_vbp_opts o;
};

static int
write_assign(const char *path, const uint32_t *assign, size_t n, struct ks_err *err)
{
    struct ks_afile af;
    int rc = ks_afile_open(&af, path, err);
    if (rc < 0)
        return rc;
    fputs("item,bin\n", af.f);
    for (size_t i = 0; i < n; i++)
        fprintf(af.f, "%zu,%u\n", i, assign[i]);
    return ks_afile_commit(&af, err);
}

static int
run_vbp(const struct vbp_args *a)
{
    struct ks_err err = {0};
    struct mdl_vbp *p;
    if (mdl_vbp_read(a->file, &p, &err) < 0)
        return cmd_fail("plan", &err);
    uint32_t *assign = ks_xmalloc((p->n ? p->n : 1) * sizeof *assign);
    struct mdl_vbp_result res;
    size_t bad;
    int rc = mdl_vbp_solve(p, &a->o, assign, &res, &bad, &err);
    if (rc == 0) {
        struct mdl_vbp_check chk;
        mdl_vbp_check(p, assign, res.nbins, &chk);
        if (chk.bins_over)
            rc = ks_errf(&err, -EFAULT, "internal error: bin %zu over capacity",
                         chk.first_bin);
    }
    if (rc == 0 && a->assign)
        rc = write_assign(a->assign, assign, p->n, &err);
    if (rc == 0)
        printf("bins %zu lower_bound %zu ffd %zu greedy %zu elapsed_s %.3f work %.3g%s\n", res.nbins,
               res.lower_bound, res.ffd_bins, res.greedy_bins, res.elapsed_s, res.work,
               res.timed_out ? " timed_out" : "");
    free(assign);
    mdl_vbp_free(p);
    return rc < 0 ? cmd_fail("plan", &err) : KS_EXIT_OK;
}

static int
parse_packer(const char *s, enum mdl_packer *out)
{
    if (strcmp(s, "search") == 0)
        *out = MDL_PACK_SEARCH;
    else if (strcmp(s, "ffd") == 0)
        *out = MDL_PACK_FFD;
    else if (strcmp(s, "greedy") == 0)
        *out = MDL_PACK_GREEDY;
    else
        return -1;
    return 0;
}

static void
usage(void)
{
    printf("usage: kasane %s\n\n", cmd_usage_of("plan"));
    printf("Benchmark mode:\n"
           "  --vbp FILE.vbp      pack a VPSolver instance; prints 'bins N lower_bound L'\n"
           "  --assign OUT.csv    write item,bin rows (items 0-based in file order)\n"
           "  --seed N            search seed (default 1); same seed, same result\n"
           "  --packer P          search (default), ffd or greedy (baselines alone)\n"
           "  --effort X          scale the search's work budget (default 1)\n"
           "  --time-limit S      safety stop in seconds (default 1.8 for --vbp)\n");
}

int
cmd_plan(int argc, char **argv)
{
    static const struct option lo[] = {
        {"vbp", required_argument, 0, 'V'},     {"assign", required_argument, 0, 'A'},
        {"seed", required_argument, 0, 's'},    {"packer", required_argument, 0, 'P'},
        {"effort", required_argument, 0, 'E'},  {"time-limit", required_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    struct vbp_args a = {0};
    a.o.seed = 1;
    a.o.time_limit_s = 1.8;
    int c;
    double v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'V': a.file = optarg; break;
        case 'A': a.assign = optarg; break;
        case 's': a.o.seed = strtoull(optarg, NULL, 10); break;
        case 'P':
            if (parse_packer(optarg, &a.o.packer) < 0)
                return cmd_usage_error("plan", "unknown packer '%s'", optarg);
            break;
        case 'E':
        case 'L':
            if (ks_parse_double(optarg, &v) < 0 || v < 0)
                return cmd_usage_error("plan", "bad number '%s'", optarg);
            *(c == 'E' ? &a.o.effort : &a.o.time_limit_s) = v;
            break;
        case 'h': usage(); return KS_EXIT_OK;
        default: return cmd_usage_error("plan", "bad option");
        }
    }
    if (a.file)
        return run_vbp(&a);
    return cmd_usage_error("plan", "dataset mode not built yet");
}
