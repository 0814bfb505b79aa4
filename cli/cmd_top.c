/* kasane top: the ncurses monitor - argument parsing and wiring of feed and terminal. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/ks_locale.h"
#include "tui/tui_feed.h"
#include "tui/tui_fit.h"
#include "tui/tui_live.h"
#include "tui/tui_replay.h"
#include "tui/tui_term.h"

struct top_args {
    double interval_s;
    long count;
    const char *root, *record, *replay, *entity, *catalog, *model, *pcap, *libvirt, *user;
    int root_seq, no_papi;
};

static void
help(void)
{
    printf("usage: kasane top [-i SECONDS] [--root DIR] [--record DATASET]\n"
           "                  [--replay DATASET [--entity NAME]] [--catalog FILE --model NAME]\n"
           "                  [-n COUNT] [--pcap IFACE [--user USER]] [--libvirt URI]\n"
           "                  [--no-papi]\n\n"
           "Live ncurses monitor of this host (through the collector's sampler), or replay\n"
           "of a dataset.\n\n"
           "  -i, --interval SECONDS  refresh interval (default 1; replay: per step)\n"
           "  -n, --count N           quit after N refreshes (for scripts and benchmarks)\n"
           "      --root DIR          live: read /proc and /sys under DIR instead of /\n"
           "      --root-seq D1,D2,.. tests: one tree per refresh (the last one sticks)\n"
           "      --record DATASET    record into DATASET from the start, in collect's\n"
           "                          format (r stops and starts again)\n"
           "      --replay DATASET    replay a dataset directory instead of sampling\n"
           "      --entity NAME       replay: the entity shown (default: the first with\n"
           "                          samples); live: the entity recorded (default: host name)\n"
           "      --catalog FILE      host catalog CSV for the Fit screen, with --model NAME\n"
           "      --pcap IFACE[,IFACE]  live: top talkers and protocols from a capture (root\n"
           "                          or cap_net_raw; as collect --pcap)\n"
           "      --user USER         with --pcap as root: drop to USER once capturing\n"
           "                          (default nobody)\n"
           "      --libvirt URI       live: one line per running domain (qemu:///system)\n"
           "      --no-papi           live: do not read hardware counters\n\n"
           "Keys: q quit, h help, 1-5/Tab screens, s sort, p pause, +/- interval, r record;\n"
           "replay: left/right step, [ ] speed, g/G start/end. See docs/top.md.\n");
}

/* Returns 0, -1 after --help (exit 0), or a usage exit status. */
static int
parse_args(int argc, char **argv, struct top_args *a)
{
    static const struct option opts[] = {
        {"interval", required_argument, NULL, 'i'},
        {"count", required_argument, NULL, 'n'},
        {"root", required_argument, NULL, 'R'},
        {"record", required_argument, NULL, 'w'},
        {"root-seq", required_argument, NULL, 'S'},
        {"replay", required_argument, NULL, 'r'},
        {"entity", required_argument, NULL, 'e'},
        {"catalog", required_argument, NULL, 'c'},
        {"model", required_argument, NULL, 'm'},
        {"pcap", required_argument, NULL, 'P'},
        {"libvirt", required_argument, NULL, 'L'},
        {"user", required_argument, NULL, 'U'},
        {"no-papi", no_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->interval_s = 1;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (ks_parse_double(optarg, &a->interval_s) < 0 || a->interval_s < 0.1 ||
                a->interval_s > 3600)
                return cmd_usage_error("top",
                                       "-i: '%s' is not a number of seconds in "
                                       "0.1..3600",
                                       optarg);
            break;
        case 'n':
            if (ks_parse_long(optarg, &a->count) < 0 || a->count < 1)
                return cmd_usage_error("top", "-n: '%s' is not a positive count", optarg);
            break;
        case 'R':
            a->root = optarg;
            break;
        case 'S':
            a->root = optarg;
            a->root_seq = 1;
            break;
        case 'w':
            a->record = optarg;
            break;
        case 'r':
            a->replay = optarg;
            break;
        case 'e':
            a->entity = optarg;
            break;
        case 'c':
            a->catalog = optarg;
            break;
        case 'm':
            a->model = optarg;
            break;
        case 'P':
            a->pcap = optarg;
            break;
        case 'L':
            a->libvirt = optarg;
            break;
        case 'U':
            a->user = optarg;
            break;
        case 'N':
            a->no_papi = 1;
            break;
        case 'h':
            help();
            return -1;
        case ':':
            return cmd_usage_error("top", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cmd_usage_error("top", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cmd_usage_error("top", "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* Combinations that cannot work, as usage errors (exit 2). */
static int
check_args(const struct top_args *a)
{
    if (!a->catalog != !a->model)
        return cmd_usage_error("top", "--catalog and --model go together");
    if (a->replay && (a->record || a->root))
        return cmd_usage_error("top", "--replay cannot be combined with --record or --root");
    if (a->count < 0)
        return cmd_usage_error("top", "-n must be positive");
    if (a->replay && (a->pcap || a->libvirt || a->no_papi))
        return cmd_usage_error("top", "--replay shows the dataset's own flows, VMs and "
                                      "counters: --pcap, --libvirt and --no-papi are for live mode");
    if (a->user && !a->pcap)
        return cmd_usage_error("top", "--user goes with --pcap");
    return 0;
}

/* Inputs are read before the terminal is checked, so a bad dataset or catalog is
 * reported as bad input (exit 1) even from a script without a terminal. */
int
cmd_top(int argc, char **argv)
{
    struct top_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? KS_EXIT_OK : rc;
    if ((rc = check_args(&a)) != 0)
        return rc;
    if (a.record && (rc = cmd_appendable("top", a.record)) != 0)
        return rc;
    struct ks_err err = {0};
    struct tui_host_model hm;
    if (a.catalog && tui_catalog_find(a.catalog, a.model, &hm, &err) < 0)
        return cmd_fail("top", &err);
    struct tui_model m;
    struct tui_feed feed = {0};
    tui_model_init(&m);
    struct tui_live_opts lo = {.root = a.root,
                               .root_seq = a.root_seq,
                               .record = a.record,
                               .entity = a.entity,
                               .pcap = a.pcap,
                               .pcap_user = a.user,
                               .libvirt = a.libvirt,
                               .papi_off = a.no_papi};
    rc = a.replay ? tui_replay_open(a.replay, a.entity, &m, &feed, &err)
                  : tui_live_open(&lo, &m, &feed, &err);
    if (rc < 0) {
        tui_model_fini(&m);
        return cmd_fail("top", &err);
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        tui_feed_close(&feed);
        tui_model_fini(&m);
        return cmd_usage_error("top", "needs a terminal on stdin and stdout");
    }
    if (a.catalog)
        tui_fit_rate_source(&hm, m.cpu_model, m.cores, m.threads, m.core_MHz);
    /* LC_CTYPE only, for ncursesw's wide characters: numbers on the screen and in a
     * --record dataset keep '.' decimals under any LC_NUMERIC (core/ks_locale.h). */
    ks_locale_ctype_from_env();
    struct tui_opts o = {.interval_s = a.interval_s,
                         .count = a.count,
                         .replay = a.replay != NULL,
                         .fit = a.catalog ? &hm : NULL};
    rc = tui_run(&feed, &m, &o, &err);
    tui_feed_close(&feed);
    tui_model_fini(&m);
    return rc < 0 ? cmd_fail("top", &err) : KS_EXIT_OK;
}
