/*
 * kasane collect: sample this machine (or a --root tree) into a dataset directory.
 *
 * Signals: SIGTERM, SIGINT and SIGHUP are blocked for the whole run and taken
 * synchronously with sigtimedwait() while waiting for the next deadline, so a signal
 * can never cut a row in half and no handler or global flag is needed: TERM/INT end
 * the run after the current row (exit 0), HUP reopens the files (logrotate).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "collect/col_dsdir.h"
#include "collect/col_prom_exporter.h"
#include "collect/col_run.h"
#include "collect/col_sampler.h"
#include "collect/col_writer.h"

struct collect_args {
    struct col_opts col;
    struct col_writer_opts wr;
    struct col_run_opts run;
    const char *entity;
    const char *listen;   /* ADDR[:PORT] of the Prometheus /metrics endpoint, or NULL */
    const char *textfile; /* node_exporter textfile-collector directory, or NULL */
    int per_core;         /* cores.csv: 1 --per-core, -1 --no-cores, 0 by run length */
};

/* cores.csv costs a row per logical CPU per interval: ~23 MB a day for 64 threads at
 * 10 s (docs/collect.md). Without --per-core or --no-cores it is written for runs
 * bounded to less than a day (-n, -d), which is where a per-CPU view is read, and not
 * for longer or open-ended ones (a service collecting for weeks). */
#define PER_CORE_MAX_S 86400.0

static void
help(void)
{
    printf("usage: kasane %s\n\n"
           "Sample CPU, memory, disks and NICs every interval into DATASET (samples.csv,\n"
           "cores.csv, inventory.csv; docs/collect.md). Without -o, samples.csv rows go\n"
           "to standard output.\n\n"
           "  -i, --interval SECONDS  sampling interval, fractions allowed (default 10)\n"
           "  -n, --count COUNT       stop after COUNT rows\n"
           "  -d, --duration DURATION stop after DURATION (s, m, h or d suffix; default s)\n"
           "  -o, --output DATASET    dataset directory (created; appended to)\n"
           "      --entity NAME       entity name of the rows (default: the host name)\n"
           "      --root DIR          read /proc and /sys under DIR instead of /\n"
           "      --root-seq D1,D2,.. tests: one tree per sample (the last one sticks)\n"
           "      --rotate SIZE|daily rotate files at SIZE bytes (k, M, G suffixes) or\n"
           "                          at UTC midnight\n"
           "      --compress          compress each rotated file with zstd (.csv.zst)\n"
           "      --dm                count device-mapper and md disks in disk totals\n"
           "      --per-core          write cores.csv (one row per CPU per interval; on\n"
           "                          by default only for runs bounded under a day)\n"
           "      --no-cores          do not write cores.csv\n"
           "      --sources LIST      only these sources (cpu,mem,disk,net)\n"
           "      --listen ADDR[:PORT] also serve the latest sample at http://ADDR:PORT/metrics\n"
           "                          in Prometheus' text format (docs/prometheus.md); PORT\n"
           "                          defaults to 10187; :PORT is loopback only, 0.0.0.0\n"
           "                          every address\n"
           "      --textfile DIR      write DIR/kasane.prom every interval for node_exporter's\n"
           "                          textfile collector (atomically: temporary file, rename)\n"
           "      --pcap IFACE[,IFACE] capture traffic: protocols, sizes, flows.csv\n"
           "                          (docs/sources.md; needs root or CAP_NET_RAW)\n"
           "      --pcap-file FILE    the same from a capture file (whole file in row 1)\n"
           "      --bpf FILTER        capture filter (tcpdump syntax)\n"
           "      --user NAME         drop to NAME after opening the capture (nobody)\n"
           "      --top-flows N       flows kept per interval, the rest summed (100)\n"
           "      --no-papi           no hardware counters (PAPI; on where available)\n"
           "      --papi-events LIST  PAPI events, up to 3 (default\n"
           "                          PAPI_TOT_INS,PAPI_TOT_CYC,PAPI_L3_TCM)\n"
           "      --libvirt URI       one row per running domain (e.g. qemu:///system)\n"
           "  -h, --help              this help\n\n"
           "SIGTERM/SIGINT finish the current row and exit 0; SIGHUP reopens the files.\n",
           cmd_usage_of("collect"));
}

/* "90", "1.5m", "2h", "7d" -> seconds. A bare number is seconds, as for -i. */
static int
parse_duration(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    double mul = 1;
    if (end == s || !(v > 0))
        return -EINVAL;
    if (*end == 'm')
        mul = 60;
    else if (*end == 'h')
        mul = 3600;
    else if (*end == 'd')
        mul = 86400;
    else if (*end != 's' && *end != '\0')
        return -EINVAL;
    if (*end && end[1])
        return -EINVAL;
    *out = v * mul;
    return 0;
}

/* "100M", "512k", "1G", "4096" -> bytes (powers of 1024), or "daily". */
static int
parse_rotate(const char *s, struct col_writer_opts *w)
{
    if (strcmp(s, "daily") == 0) {
        w->rotate_daily = 1;
        return 0;
    }
    char *end;
    double v = strtod(s, &end);
    double mul = *end == 'k' || *end == 'K' ? 1024.0
                 : *end == 'M'              ? 1048576.0
                 : *end == 'G'              ? 1073741824.0
                                            : 1.0;
    if (end == s || !(v >= 1) || (mul > 1 && end[1]) || (mul == 1 && *end))
        return -EINVAL;
    w->rotate_bytes = (uint64_t)(v * mul);
    return 0;
}

enum {
    OPT_ENTITY = 256,
    OPT_ROOT,
    OPT_ROOT_SEQ,
    OPT_ROTATE,
    OPT_DM,
    OPT_NO_CORES,
    OPT_SOURCES,
    OPT_LISTEN,
    OPT_PCAP,
    OPT_PCAP_FILE,
    OPT_BPF,
    OPT_USER,
    OPT_TOP_FLOWS,
    OPT_NO_PAPI,
    OPT_PAPI_EVENTS,
    OPT_LIBVIRT,
    OPT_COMPRESS,
    OPT_PER_CORE,
    OPT_TEXTFILE
};

static const struct option longopts[] = {
    {"interval", required_argument, NULL, 'i'},
    {"count", required_argument, NULL, 'n'},
    {"duration", required_argument, NULL, 'd'},
    {"output", required_argument, NULL, 'o'},
    {"entity", required_argument, NULL, OPT_ENTITY},
    {"root", required_argument, NULL, OPT_ROOT},
    {"root-seq", required_argument, NULL, OPT_ROOT_SEQ},
    {"rotate", required_argument, NULL, OPT_ROTATE},
    {"compress", no_argument, NULL, OPT_COMPRESS},
    {"dm", no_argument, NULL, OPT_DM},
    {"no-cores", no_argument, NULL, OPT_NO_CORES},
    {"per-core", no_argument, NULL, OPT_PER_CORE},
    {"textfile", required_argument, NULL, OPT_TEXTFILE},
    {"sources", required_argument, NULL, OPT_SOURCES},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"pcap", required_argument, NULL, OPT_PCAP},
    {"pcap-file", required_argument, NULL, OPT_PCAP_FILE},
    {"bpf", required_argument, NULL, OPT_BPF},
    {"user", required_argument, NULL, OPT_USER},
    {"top-flows", required_argument, NULL, OPT_TOP_FLOWS},
    {"no-papi", no_argument, NULL, OPT_NO_PAPI},
    {"papi-events", required_argument, NULL, OPT_PAPI_EVENTS},
    {"libvirt", required_argument, NULL, OPT_LIBVIRT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The issue 9 sources' options (docs/sources.md); 0, or a usage error status. */
static int
parse_deep_opt(int c, const char *arg, struct col_opts *o)
{
    long n;
    switch (c) {
    case OPT_PCAP:
        o->pcap_ifaces = arg;
        return 0;
    case OPT_PCAP_FILE:
        o->pcap_file = arg;
        return 0;
    case OPT_BPF:
        o->pcap_bpf = arg;
        return 0;
    case OPT_USER:
        o->pcap_user = arg;
        return 0;
    case OPT_TOP_FLOWS:
        if (ks_parse_long(arg, &n) < 0 || n < 1 || n > 100000)
            return cmd_usage_error("collect", "--top-flows: '%s' is not a count 1-100000", arg);
        o->pcap_top = (size_t)n;
        return 0;
    case OPT_NO_PAPI:
        o->papi_off = 1;
        return 0;
    case OPT_PAPI_EVENTS:
        o->papi_events = arg;
        return 0;
    default: /* OPT_LIBVIRT */
        o->libvirt_uri = arg;
        return 0;
    }
}

/* One option into a; returns 0, 1 for --help, or a usage error status. */
static int
parse_opt(int c, const char *arg, struct collect_args *a)
{
    long n;
    if (c >= OPT_PCAP && c <= OPT_LIBVIRT)
        return parse_deep_opt(c, arg, &a->col);
    switch (c) {
    case 'i':
        if (ks_parse_double(arg, &a->run.interval_s) < 0 || !(a->run.interval_s >= 0.01))
            return cmd_usage_error("collect", "-i: '%s' is not an interval >= 0.01 s", arg);
        return 0;
    case 'n':
        if (ks_parse_long(arg, &n) < 0 || n < 1)
            return cmd_usage_error("collect", "-n: '%s' is not a count >= 1", arg);
        a->run.count = (uint64_t)n;
        return 0;
    case 'd':
        if (parse_duration(arg, &a->run.duration_s) < 0)
            return cmd_usage_error("collect", "-d: '%s' is not a duration (e.g. 90, 5m, 2h, 7d)",
                                   arg);
        return 0;
    case 'o':
        a->wr.dir = arg;
        return 0;
    case OPT_ENTITY:
        a->entity = arg;
        return 0;
    case OPT_ROOT:
        a->col.root = arg;
        return 0;
    case OPT_ROOT_SEQ:
        a->col.root = arg;
        a->col.root_seq = 1;
        return 0;
    case OPT_ROTATE:
        if (parse_rotate(arg, &a->wr) < 0)
            return cmd_usage_error("collect", "--rotate: '%s' is not a size (100M) or 'daily'",
                                   arg);
        return 0;
    case OPT_COMPRESS:
        /* kasane's compressor (cli/main.c); kasane-collect links no libzstd */
        if (!cmd_compress_file)
            return cmd_usage_error("collect", "--compress: not in this build (kasane collect "
                                              "compresses; kasane-collect does not)");
        a->wr.compress_rotated = cmd_compress_file;
        return 0;
    case OPT_DM:
        a->col.include_dm = 1;
        return 0;
    case OPT_NO_CORES:
        a->per_core = -1;
        return 0;
    case OPT_PER_CORE:
        a->per_core = 1;
        return 0;
    case OPT_TEXTFILE:
        a->textfile = arg;
        return 0;
    case OPT_SOURCES:
        a->col.only = arg;
        return 0;
    case OPT_LISTEN:
        a->listen = arg;
        return 0;
    case 'h':
        help();
        return 1;
    default:
        return cmd_usage_error("collect", "unknown option");
    }
}

static int
parse_args(int argc, char **argv, struct collect_args *a)
{
    int c, rc;
    memset(a, 0, sizeof *a);
    a->run.interval_s = 10;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "i:n:d:o:h", longopts, NULL)) != -1) {
        if (c == '?')
            return cmd_usage_error("collect", "unknown option '%s'", argv[optind - 1]);
        if ((rc = parse_opt(c, optarg, a)) != 0)
            return rc;
    }
    if (optind < argc)
        return cmd_usage_error("collect", "unexpected argument '%s'", argv[optind]);
    if (a->run.count && a->run.duration_s > 0)
        return cmd_usage_error("collect", "-n and -d exclude each other");
    if (a->col.pcap_ifaces && a->col.pcap_file)
        return cmd_usage_error("collect", "--pcap and --pcap-file exclude each other");
    a->wr.flows = a->col.pcap_ifaces || a->col.pcap_file;
    double planned_s = a->run.count            ? (double)a->run.count * a->run.interval_s
                       : a->run.duration_s > 0 ? a->run.duration_s
                                               : INFINITY;
    a->wr.no_cores = a->per_core < 0 || (a->per_core == 0 && planned_s >= PER_CORE_MAX_S);
    return 0;
}

/* --listen with an address alone ("0.0.0.0", "127.0.0.1", "[::]") takes the default
 * port; a port given (":10187", "ADDR:PORT", "[v6]:PORT") is kept. Owned by the caller. */
static char *
listen_addr(const char *arg)
{
    const char *colon = strrchr(arg, ':');
    int bracketed = arg[0] == '[' && arg[strlen(arg) - 1] == ']';
    if ((colon && !bracketed) || !*arg)
        return ks_xstrdup(arg);
    return ks_xasprintf("%s:%d", arg, COL_PROM_DEFAULT_PORT);
}

/* Wait for the deadline or one of the blocked signals. */
static enum col_wake
wait_signals(void *ctx, double deadline_s)
{
    const sigset_t *set = ctx;
    for (;;) {
        double left = deadline_s - ks_mono_s();
        if (left <= 0)
            return COL_WAKE_DEADLINE;
        struct timespec ts = {.tv_sec = (time_t)left,
                              .tv_nsec = (long)((left - floor(left)) * 1e9)};
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGHUP)
            return COL_WAKE_REOPEN;
        if (sig == SIGTERM || sig == SIGINT)
            return COL_WAKE_STOP;
        /* EAGAIN (timeout) or EINTR: loop and re-check the clock */
    }
}

/* Every sample goes to the exporter too: the machine's row and its VMs' rows; with
 * --textfile the page is written out after each. */
struct listen_ctx {
    struct col_prom_exporter *ex;
    const char *entity, *kind;
    const char *textfile; /* directory, or NULL */
    int textfile_failing; /* the last write failed (said once until one succeeds) */
};

static void
export_sample(void *ctx, const struct col_snapshot *snap)
{
    struct listen_ctx *l = ctx;
    col_prom_exporter_update(l->ex, l->entity, l->kind, snap->time_s, snap->interval_s, snap->m);
    for (size_t i = 0; i < snap->nents; i++)
        col_prom_exporter_update(l->ex, snap->ents[i].entity, snap->ents[i].kind, snap->time_s,
                                 snap->interval_s, snap->ents[i].m);
    if (!l->textfile)
        return;
    /* A failure (disk full, directory removed) loses metrics, not the dataset: say so
     * once and go on collecting. */
    struct ks_err err = {0};
    int rc = col_prom_exporter_write_textfile(l->ex, l->textfile, &err);
    if (rc < 0 && !l->textfile_failing)
        fprintf(stderr, "kasane collect: --textfile: %s (collecting goes on)\n", err.msg);
    l->textfile_failing = rc < 0;
}

/* The exporter of --listen and --textfile (either or both). Returns 0 or rc < 0. */
static int
start_export(struct collect_args *a, const struct col_inventory *inv, struct listen_ctx *lc,
             struct ks_err *err)
{
    struct stat st;
    if (a->textfile && (stat(a->textfile, &st) != 0 || !S_ISDIR(st.st_mode)))
        return ks_errf(err, -ENOTDIR,
                       "--textfile %s: not a directory (node_exporter's "
                       "--collector.textfile.directory)",
                       a->textfile);
    char *addr = a->listen ? listen_addr(a->listen) : NULL;
    int rc = col_prom_exporter_start(addr, &lc->ex, err);
    lc->entity = a->wr.entity;
    lc->kind = inv->kind;
    lc->textfile = a->textfile;
    a->run.on_sample = export_sample;
    a->run.sample_ctx = lc;
    /* Say where: ":PORT" means loopback only, which a user may not expect. */
    if (rc == 0 && addr)
        fprintf(stderr, "kasane collect: serving http://%s/metrics (port %d)%s\n",
                col_prom_exporter_addr(lc->ex), col_prom_exporter_port(lc->ex),
                addr[0] == ':' ? "; loopback only: --listen 0.0.0.0:PORT for every address" : "");
    if (rc == 0 && a->textfile)
        fprintf(stderr, "kasane collect: writing %s/%s every interval\n", a->textfile,
                COL_PROM_TEXTFILE_NAME);
    free(addr);
    return rc;
}

static void
warn_stderr(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "kasane collect: %s\n", msg);
}

/* Say once on stderr why an optional source (pcap, papi, libvirt) is not running or
 * runs degraded: the same words are in the inventory notes. */
static void
warn_sources(const struct col_inventory *inv)
{
    static const char *const prefixes[] = {"source pcap", "source papi", "source libvirt",
                                           "papi:",       "pcap:",       "libvirt:"};
    for (const char *p = inv->notes; *p;) {
        p += strspn(p, " ");
        size_t n = strcspn(p, ";");
        for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
            if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0) {
                fprintf(stderr, "kasane collect: %.*s\n", (int)n, p);
                break;
            }
        p += n + (p[n] == ';');
    }
}

/* Sampler, then writer (it needs the inventory), then the loop; teardown in reverse.
 * A failure to close (the final fsync) is an error too: the data may not be on disk. */
static int
run(struct collect_args *a, sigset_t *set)
{
    struct ks_err err = {0};
    struct col_sampler *s = NULL;
    struct col_writer *w = NULL;
    struct listen_ctx lc = {0};
    int dir_fd = -1; /* the dataset directory, opened before a privilege drop */
    char io_dir[32];
    int rc = col_sampler_new(&a->col, &s, &err);
    const struct col_inventory *inv = rc == 0 ? col_sampler_inventory(s) : NULL;
    if (rc == 0) {
        warn_sources(inv);
        a->wr.entity = a->entity ? a->entity : inv->hostname[0] ? inv->hostname : "localhost";
        a->wr.warn = warn_stderr;
        /* The capture is open: drop now, so that every file of the dataset is created
         * by the user the rest of the run is (rotation and SIGHUP create files too). */
        if (a->wr.dir)
            rc = col_dsdir_drop(a->wr.dir, col_sampler_drop_user(s), &dir_fd, io_dir, sizeof io_dir,
                                &err);
        a->wr.io_dir = dir_fd >= 0 ? io_dir : NULL;
    }
    if (rc == 0)
        rc = col_writer_open(&a->wr, inv, &w, &err);
    if (rc == 0 && (a->listen || a->textfile))
        rc = start_export(a, inv, &lc, &err);
    if (rc == 0) {
        if (a->wr.dir)
            fprintf(stderr, "kasane collect: %s (%s, %s) every %g s into %s\n", a->wr.entity,
                    inv->kind, col_sampler_sources(s), a->run.interval_s, a->wr.dir);
        a->run.wait = wait_signals;
        a->run.wait_ctx = set;
        a->run.warn = warn_stderr;
        rc = col_run(s, w, &a->run, &err);
    }
    struct ks_err cerr = {0};
    if (col_writer_close(w, &cerr) < 0 && rc == 0) {
        err = cerr;
        rc = -EIO;
    }
    col_prom_exporter_stop(lc.ex);
    col_sampler_free(s);
    if (dir_fd >= 0)
        close(dir_fd);
    return rc < 0 ? cmd_fail("collect", &err) : KS_EXIT_OK;
}

int
cmd_collect(int argc, char **argv)
{
    struct collect_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc == 1 ? KS_EXIT_OK : rc;
    if (a.wr.dir && (rc = cmd_appendable("collect", a.wr.dir)) != 0)
        return rc;
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    /* Blocked before anything is opened: from here on a signal waits for the loop. */
    sigprocmask(SIG_BLOCK, &set, &old);
    rc = run(&a, &set);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}
