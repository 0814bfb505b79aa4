/*
 * kasane sim: run the I/O-path simulation of a configuration (or of one host of a
 * plan), write one results row per workload, print a summary for a person.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/ks_csv.h"
#include "core/ks_data.h"
#include "core/ks_manifest.h"
#include "simulate/sim_config.h"
#include "simulate/sim_csv.h"
#include "simulate/sim_plan.h"
#include "simulate/sim_run.h"

static const char USAGE[] =
    "usage: kasane sim CONFIG [--seed N] [--replications R] [--threads T] -o RESULTS.csv\n"
    "       kasane sim --plan PLAN_DIR --host HOST --dataset DATASET... [--stat p95|peak]\n"
    "                  [CONFIG] [options] -o RESULTS.csv\n"
    "       kasane sim --plan PLAN_DIR --storage [--stat p95|peak] [options] -o RESULTS.csv\n"
    "\n"
    "Discrete-event simulation of a virtualized host's I/O path (docs/sim.md).\n"
    "\n"
    "  CONFIG             INI file: [sim] [host] [iommu] [costs] [device NAME]\n"
    "                     [vm NAME] [workload NAME]\n"
    "  -o, --output FILE  results CSV, one row per workload (required)\n"
    "  --seed N           override [sim] seed\n"
    "  --replications R   override [sim] replications\n"
    "  --precision P%     size the replications from a first stage so that every\n"
    "                     mean's 95% interval is within P% of it; says whether the\n"
    "                     final interval met it (override [sim] precision; capped by\n"
    "                     [sim] max_replications, default 1000); 0 turns a target off\n"
    "  --threads T        worker threads (default: one per core); results do not\n"
    "                     depend on it\n"
    "  --plan DIR         simulate one host of a plan (placement.csv)...\n"
    "  --host HOST        ...this host...\n"
    "  --dataset DATASET  ...with workloads from the VMs' measured disk and network rates:\n"
    "                     the plan's datasets, taken as kasane plan takes them (a dataset\n"
    "                     directory or a directory of them; repeat --dataset for several)\n"
    "  --stat p95|peak    which rate to take from the samples (default p95)\n"
    "  --modes M1,M2,...  run every VM in each of these modes in turn (native,\n"
    "                     emulated, virtio, xen-pv, passthrough, sriov) and compare\n"
    "                     them: latency and host CPU spent on the I/O path per mode\n"
    "  --storage          check the plan's shared storage array instead: run\n"
    "                     PLAN_DIR/storage_sim_p95.ini and storage_sim_peak.ini (or the\n"
    "                     one --stat names) as they are; RESULTS.csv gets a load column\n"
    "  -h, --help         this text\n"
    "\n"
    "With --plan the last line says whether the host keeps up (every workload within\n"
    "2% of its offered rate, nothing dropped); the keeps_up column says it per workload.\n"
    "With --storage one line per load says whether the array keeps up, with the read and\n"
    "write latency percentiles.\n"
    "Exit status: 0 ok, 1 bad input, 2 usage error.\n";

#define SIM_MAX_MODES 6

struct sim_args {
    const char *config, *out, *plan, *host, *stat;
    char **datasets; /* every --dataset, in order (argv strings; the array is owned) */
    char *config_path; /* config resolved (a path or a shipped name, core/ks_data.h); owned */
    size_t ndatasets;
    int storage; /* --storage: the plan's storage_sim_*.ini */
    enum sim_mode modes[SIM_MAX_MODES]; /* --modes, in the order given */
    size_t nmodes;
    struct sim_run_opts run;
};

/* "virtio,sriov" -> modes; a usage status naming the unknown or repeated mode. */
static int
parse_modes(const char *list, struct sim_args *a)
{
    char *dup = ks_xstrdup(list), *save = NULL;
    int rc = 0;
    a->nmodes = 0;
    for (char *m = strtok_r(dup, ",", &save); m && rc == 0; m = strtok_r(NULL, ",", &save)) {
        size_t k = 0;
        while (sim_mode_names[k] && strcmp(sim_mode_names[k], m) != 0)
            k++;
        int seen = 0;
        for (size_t j = 0; j < a->nmodes; j++)
            seen |= a->modes[j] == (enum sim_mode)k;
        if (!sim_mode_names[k])
            rc = cmd_usage_error("sim", "--modes: '%s' is not native, emulated, virtio, "
                                        "xen-pv, passthrough or sriov", m);
        else if (seen)
            rc = cmd_usage_error("sim", "--modes: '%s' is given twice", m);
        else
            a->modes[a->nmodes++] = (enum sim_mode)k;
    }
    if (rc == 0 && a->nmodes == 0)
        rc = cmd_usage_error("sim", "--modes: no mode in '%s'", list);
    free(dup);
    return rc;
}

/* An integer option in [lo, hi]. */
static int
parse_count(const char *s, long lo, long hi, long *out)
{
    return ks_parse_long(s, out) == 0 && *out >= lo && *out <= hi ? 0 : -EINVAL;
}

/* Options and the optional CONFIG operand; 1 after --help, a usage status on error. */
static int
parse_args(int argc, char **argv, struct sim_args *a)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"seed", required_argument, NULL, 's'},
        {"replications", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'}, {"plan", required_argument, NULL, 'p'},
        {"host", required_argument, NULL, 'H'}, {"dataset", required_argument, NULL, 'd'},
        {"stat", required_argument, NULL, 'S'}, {"help", no_argument, NULL, 'h'},
        {"storage", no_argument, NULL, 'T'},  {"modes", required_argument, NULL, 'M'},
        {"precision", required_argument, NULL, 'P'}, {NULL, 0, NULL, 0}};
    int ch;
    long v;
    while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': a->out = optarg; break;
        case 'p': a->plan = optarg; break;
        case 'H': a->host = optarg; break;
        case 'd':
            a->datasets = ks_xrealloc(a->datasets, (a->ndatasets + 1) * sizeof *a->datasets);
            a->datasets[a->ndatasets++] = optarg;
            break;
        case 'S': a->stat = optarg; break;
        case 'T': a->storage = 1; break;
        case 'M':
            if (parse_modes(optarg, a) != 0)
                return KS_EXIT_USAGE;
            break;
        case 'h': fputs(USAGE, stdout); return 1;
        case 's':
            if (parse_count(optarg, 0, 1L << 62, &v) < 0)
                return cmd_usage_error("sim", "--seed: '%s' is not a seed", optarg);
            a->run.seed = (uint64_t)v, a->run.seed_set = 1;
            break;
        case 'r':
            if (parse_count(optarg, 1, 100000, &v) < 0)
                return cmd_usage_error("sim", "--replications: '%s' is not 1..100000", optarg);
            a->run.replications = (int)v;
            break;
        case 'P': {
            struct ks_err e = {0};
            if (sim_precision_parse(optarg, &a->run.precision, &e) < 0)
                return cmd_usage_error("sim", "--precision: %s", e.msg);
            a->run.precision_set = 1;
            break;
        }
        case 't':
            if (parse_count(optarg, 1, 1024, &v) < 0)
                return cmd_usage_error("sim", "--threads: '%s' is not 1..1024", optarg);
            a->run.threads = (int)v;
            break;
        default: return cmd_usage_error("sim", "bad option");
        }
    }
    if (optind < argc)
        a->config = argv[optind++];
    if (optind < argc)
        return cmd_usage_error("sim", "unexpected argument '%s'", argv[optind]);
    if (!a->out)
        return cmd_usage_error("sim", "-o RESULTS.csv is required");
    if (a->storage && a->nmodes)
        return cmd_usage_error("sim", "--modes goes with a host (--plan --host) or a CONFIG, "
                                      "not --storage (the array has no virtualization mode)");
    if (a->storage && (!a->plan || a->host || a->ndatasets || a->config))
        return cmd_usage_error("sim", "--storage goes with --plan alone (no --host, "
                                      "--dataset or CONFIG)");
    if (!a->plan && !a->config)
        return cmd_usage_error("sim", "a CONFIG file (or --plan) is required");
    if (a->plan && !a->storage && (!a->host || !a->ndatasets))
        return cmd_usage_error("sim", "--plan needs --host and --dataset");
    if (!a->plan && (a->host || a->ndatasets || a->stat))
        return cmd_usage_error("sim", "--host, --dataset and --stat go with --plan");
    if (a->stat && strcmp(a->stat, "p95") != 0 && strcmp(a->stat, "peak") != 0)
        return cmd_usage_error("sim", "--stat: '%s' is not p95 or peak", a->stat);
    return 0;
}

/* A table cell: v with prec decimals, or "-" where the figure does not apply (NaN: an
 * IOTLB hit rate with the IOMMU off, an offered rate of a closed workload, anything per
 * I/O when nothing completed). */
static const char *
cell(char *buf, size_t n, double v, int prec)
{
    if (ks_isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.*f", prec, v);
    return buf;
}

/* A device whose every service time is one constant: its latency percentiles are the
 * constant plus queueing, which a reader should not take for a measured tail. */
static int
constant_service(const struct sim_device *d)
{
    if (d->kind != SIM_DEV_SSD && d->kind != SIM_DEV_GENERIC)
        return 0;
    return d->service.kind == SIM_D_DET &&
           (d->write_service.mean_ns < 0 || d->write_service.kind == SIM_D_DET);
}

static void
print_row(const struct sim_config *c, const struct sim_result *r, size_t i)
{
    char off[24], lat[64], p50[24], p99[24], hit[24], ex[24], cyc[24], m[24], h[24];
    const struct sim_wl_sum *s = &r->sum[i];
    int up = sim_wl_keeps_up(c, r, i);
    if (ks_isnan(s->lat_mean_ns))
        snprintf(lat, sizeof lat, "-");
    else
        snprintf(lat, sizeof lat, "%10s+-%-6s", cell(m, sizeof m, s->lat_mean_ns / 1e3, 2),
                 cell(h, sizeof h, s->lat_ci95_ns / 1e3, 2));
    printf("%-14s %-11s %11s %12.1f %18s %10s %10s %7s %6s %10s %5s\n", c->wl[i].name,
           sim_wl_mode(c, i), cell(off, sizeof off, s->offered_per_s, 0), s->thr_per_s, lat,
           cell(p50, sizeof p50, s->lat_pct_ns[0] / 1e3, 2),
           cell(p99, sizeof p99, s->lat_pct_ns[2] / 1e3, 2),
           cell(hit, sizeof hit, s->iotlb_hit_pct, 1), cell(ex, sizeof ex, s->exits_per_op, 2),
           cell(cyc, sizeof cyc, s->cycles_per_op, 0), up < 0 ? "-" : up ? "yes" : "NO");
}

/* The outcome of a precision target: met or not, and the half-width reached. */
static void
print_precision(const struct sim_result *r)
{
    if (r->precision <= 0)
        return;
    char got[32], need[32];
    double h = r->precision_achieved;
    cell(got, sizeof got, 100 * h, 2);
    cell(need, sizeof need, 100 * r->precision_g, 2);
    printf("precision: target %g%% of every mean (95%%): %s with %zu replications (widest "
           "half-width %s%%",
           100 * r->precision, r->precision_met ? "met" : "NOT met", r->nrep,
           isfinite(h) ? got : "-");
    /* The count was sized from the first stage; what the final interval asks for. */
    if (r->precision_wanted > 0)
        printf(", %s%% needed: about %zu replications would meet it", need,
               r->precision_wanted);
    printf(")\n");
}

/* The VMs' compute load over the whole host: cores asked and delivered, the share of
 * runnable time spent waiting for a core (weighted by runnable time), and whether every
 * VM got what it asked. Returns 0 when no VM has a compute load. */
static int
host_cpu(const struct sim_config *c, const struct sim_result *r, double *asked, double *ready_pct,
         int *up)
{
    double ready = 0, runnable = 0;
    int any = 0;
    *asked = 0;
    *up = 1;
    for (size_t v = 0; v < c->nvm; v++) {
        if (c->vm[v].cpu_busy_cores <= 0)
            continue;
        struct sim_vm_cpu x;
        sim_vm_cpu(c, r, v, &x);
        any = 1;
        *asked += x.demand_cores;
        *up &= x.keeps_up;
        if (!ks_isnan(x.ready_pct) && x.busy_cores > 0) {
            double rn = x.busy_cores / (1 - x.ready_pct / 100);
            runnable += rn;
            ready += rn - x.busy_cores;
        }
    }
    *ready_pct = runnable > 0 ? 100 * ready / runnable : ks_nan();
    return any;
}

/* One line per VM with a compute load, then the host's total. */
static void
print_cpu(const struct sim_config *c, const struct sim_result *r)
{
    double asked, ready;
    int up;
    if (!host_cpu(c, r, &asked, &ready, &up))
        return;
    printf("\n%-24s %10s %10s %12s %5s\n", "compute (vm)", "asked", "got", "vcpu ready%",
           "ok");
    for (size_t v = 0; v < c->nvm; v++) {
        struct sim_vm_cpu x;
        char rd[24];
        if (c->vm[v].cpu_busy_cores <= 0)
            continue;
        sim_vm_cpu(c, r, v, &x);
        printf("%-24s %10.3f %10.3f %12s %5s\n", c->vm[v].name, x.demand_cores, x.busy_cores,
               cell(rd, sizeof rd, x.ready_pct, 2), x.keeps_up ? "yes" : "NO");
    }
    printf("compute: %.2f of %d cores asked, vcpu ready %.2f%% of runnable time: %s\n", asked,
           c->cores, ready, up ? "the cores keep up" : "the cores DO NOT keep up");
}

/* The summary for a person: run size, events and events/s, one line per workload, the
 * utilization of every resource, and which devices have a constant service time. */
static void
print_summary(const struct sim_config *c, const struct sim_result *r, const char *what)
{
    printf("kasane sim: %s: %zu replications x %g s (warm-up %.3g s deleted%s), %d thread%s\n",
           what, r->nrep, c->duration_s, r->warmup_s, r->warmup_mser ? ", chosen by MSER-5" : "",
           r->threads, r->threads == 1 ? "" : "s");
    printf("events: %llu processed in %.2f s = %.2f M events/s\n\n",
           (unsigned long long)r->events, r->wall_s,
           r->wall_s > 0 ? (double)r->events / r->wall_s / 1e6 : 0.0);
    printf("%-14s %-11s %11s %12s %18s %10s %10s %7s %6s %10s %5s\n", "workload", "mode",
           "offered/s", "done/s", "lat mean us (95%)", "p50 us", "p99 us", "iotlb%", "exits",
           "cycles/op", "ok");
    for (size_t i = 0; i < r->nwl; i++)
        print_row(c, r, i);
    printf("\nutilization:");
    for (size_t i = 0; i < r->nres; i++)
        printf("%s %s %.1f%%", i ? "," : "", r->res_name[i], 100 * r->res_util[i]);
    printf("\n");
    print_cpu(c, r);
    for (size_t i = 0; i < c->ndev; i++)
        if (c->dev[i].origin)
            printf("note: device %s is %s\n", c->dev[i].name, c->dev[i].origin);
    for (size_t i = 0; i < r->nwl; i++)
        if (r->sum[i].low_samples && r->sum[i].completed > 0)
            printf("note: workload %s: percentiles from %llu completions (fewer than %d): "
                   "low_samples, left out of any worst p99\n",
                   c->wl[i].name, (unsigned long long)r->sum[i].completed, SIM_LOW_SAMPLES);
    print_precision(r);
    for (size_t i = 0; i < c->ndev; i++)
        if (constant_service(&c->dev[i]))
            printf("note: device %s has a constant service time (no latency distribution "
                   "given): its percentiles show queueing only\n",
                   c->dev[i].name);
}

/* Commit a results file; one written into a directory kasane wrote whole (sim --storage
 * -o PLAN/storage_sim.csv, which report reads) gets its row in that directory's
 * manifest.csv, so the readers' check still passes and still catches any other change. */
static int
commit_results(struct ks_afile *af, struct ks_err *err)
{
    char *path = ks_xstrdup(af->path);
    int rc = ks_afile_commit(af, err);
    char *slash = strrchr(path, '/');
    if (rc == 0) {
        char *cmd = ks_xasprintf("kasane sim -o %s", path);
        if (slash) {
            *slash = '\0';
            rc = ks_manifest_add(*path ? path : "/", slash + 1, cmd, err);
        } else {
            rc = ks_manifest_add(".", path, cmd, err);
        }
        free(cmd);
    }
    free(path);
    return rc;
}

/* The results CSV, written atomically: a failed run leaves no partial file. */
static int
write_results(const char *path, const struct sim_config *c, const struct sim_result *r,
              struct ks_err *err)
{
    struct ks_afile af;
    if (ks_afile_open(&af, path, err) < 0)
        return -1;
    sim_csv_write(af.f, c, r);
    return commit_results(&af, err);
}

/* PLAN/storage_sim_LOAD.ini as it is; a plan without one has no storage sizing. */
static int
storage_config(const char *plan, const char *load, struct sim_config **out, struct ks_err *err)
{
    char *name = ks_xasprintf("storage_sim_%s.ini", load), *path = ks_path_join(plan, name);
    free(name);
    int rc;
    if (access(path, R_OK) != 0)
        rc = ks_errf(err, -ENOENT, "%s: %s: the plan has no storage sizing (kasane plan writes "
                                   "storage_sim_p95.ini and storage_sim_peak.ini)",
                     path, strerror(errno));
    else
        rc = sim_config_read(path, out, err);
    free(path);
    return rc;
}

/* One results file for every load, tagged by a leading load column. */
static int
write_storage(const char *path, const char *const *loads, size_t n, struct sim_config **c,
              struct sim_result **r, struct ks_err *err)
{
    struct ks_afile af;
    if (ks_afile_open(&af, path, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        sim_csv_write_tagged(af.f, "load", loads[i], i == 0, c[i], r[i]);
    return commit_results(&af, err);
}

/* "storage at p95 load: keeps up; reads p50 .. p99 .. us, ...; array 29.8% busy" */
static void
print_storage_verdict(const char *load, const struct sim_config *c, const struct sim_result *r)
{
    int up = 1;
    for (size_t i = 0; i < r->nwl; i++)
        up &= sim_keeps_up(&r->sum[i]) != 0;
    printf("storage at %s load: %s", load, up ? "keeps up" : "DOES NOT keep up");
    char p50[24], p99[24];
    for (size_t i = 0; i < r->nwl; i++)
        printf("%s %s p50 %s us, p99 %s us", i ? "," : ";", c->wl[i].name,
               cell(p50, sizeof p50, r->sum[i].lat_pct_ns[0] / 1e3, 1),
               cell(p99, sizeof p99, r->sum[i].lat_pct_ns[2] / 1e3, 1));
    printf("; array %.1f%% busy\n", r->nwl ? 100 * r->sum[0].dev_util : 0.0);
}

/* --storage: the configs are read (all of them) before anything runs, so a plan lacking
 * one fails at once and writes nothing. */
static int
run_storage(const struct sim_args *a)
{
    const char *loads[2] = {"p95", "peak"};
    size_t n = a->stat ? 1 : 2;
    struct sim_config *c[2] = {NULL, NULL};
    struct sim_result *r[2] = {NULL, NULL};
    struct ks_err err = {0};
    int rc = 0;
    if (a->stat)
        loads[0] = a->stat;
    rc = ks_manifest_check(a->plan, &err); /* the plan as kasane wrote it, whole */
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = storage_config(a->plan, loads[i], &c[i], &err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = sim_run(c[i], &a->run, &r[i], &err);
    if (rc == 0)
        rc = write_storage(a->out, loads, n, c, r, &err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *what = ks_xasprintf("storage of plan %s at %s load", a->plan, loads[i]);
        print_summary(c[i], r[i], what);
        free(what);
        print_storage_verdict(loads[i], c[i], r[i]);
        printf("\n");
    }
    for (size_t i = 0; i < n; i++) {
        sim_result_free(r[i]);
        sim_config_free(c[i]);
    }
    return rc < 0 ? cmd_fail("sim", &err) : KS_EXIT_OK;
}

/* Host CPU spent on the I/O path, in MHz: cycles per I/O times I/Os per second, summed
 * over the workloads (what a mode takes from the VMs' own CPU). */
static double
io_MHz(const struct sim_result *r)
{
    double hz = 0;
    for (size_t i = 0; i < r->nwl; i++)
        if (r->sum[i].cycles_per_op > 0 && r->sum[i].thr_per_s > 0)
            hz += r->sum[i].cycles_per_op * r->sum[i].thr_per_s;
    return hz / 1e6;
}

/* One line per mode: does the host keep up, its worst p99, the CPU and the exits the
 * I/O path costs. */
static void
print_mode_table(const struct sim_args *a, const struct sim_config *c, struct sim_result *const *r)
{
    printf("\n%-12s %-16s %14s %16s %12s %12s\n", "mode", "keeps up", "worst p99 us",
           "host MHz for I/O", "exits/s", "vcpu ready%");
    for (size_t k = 0; k < a->nmodes; k++) {
        size_t ok = 0;
        double p99 = ks_nan(), exits = 0, asked, ready = ks_nan();
        int cpu_up = 1;
        if (!host_cpu(c, r[k], &asked, &ready, &cpu_up))
            ready = ks_nan();
        for (size_t i = 0; i < r[k]->nwl; i++) {
            const struct sim_wl_sum *s = &r[k]->sum[i];
            ok += sim_wl_keeps_up(c, r[k], i) != 0;
            /* A p99 from fewer than SIM_LOW_SAMPLES completions is too noisy to head
             * the comparison (a seed moved one such by 12%). */
            if (!s->low_samples && !(s->lat_pct_ns[2] / 1e3 <= p99))
                p99 = s->lat_pct_ns[2] / 1e3;
            exits += s->exits_per_op > 0 && s->thr_per_s > 0 ? s->exits_per_op * s->thr_per_s : 0;
        }
        char up[32], rd[24], p[24];
        snprintf(up, sizeof up, "%s (%zu/%zu)", ok == r[k]->nwl && cpu_up ? "yes" : "NO", ok,
                 r[k]->nwl);
        printf("%-12s %-16s %14s %16.1f %12.0f %12s\n", sim_mode_names[a->modes[k]], up,
               cell(p, sizeof p, p99, 1), io_MHz(r[k]), exits, cell(rd, sizeof rd, ready, 2));
    }
}

/* --modes: the same workloads with every VM in each mode in turn; one results file
 * (the mode column tells the runs apart), a summary per mode, then the comparison. */
static int
run_modes(const struct sim_args *a, struct sim_config *c, const char *what)
{
    struct sim_result *r[SIM_MAX_MODES] = {NULL};
    struct ks_err err = {0};
    struct ks_afile af;
    int rc = ks_afile_open(&af, a->out, &err);
    for (size_t k = 0; rc == 0 && k < a->nmodes; k++) {
        for (size_t v = 0; v < c->nvm; v++)
            c->vm[v].mode = a->modes[k];
        if ((rc = sim_run(c, &a->run, &r[k], &err)) < 0)
            break;
        sim_csv_write_tagged(af.f, NULL, NULL, k == 0, c, r[k]);
        char *w = ks_xasprintf("%s, every VM %s", what, sim_mode_names[a->modes[k]]);
        print_summary(c, r[k], w);
        free(w);
        printf("\n");
    }
    if (rc == 0)
        rc = commit_results(&af, &err);
    else
        ks_afile_abort(&af);
    if (rc == 0)
        print_mode_table(a, c, r);
    for (size_t k = 0; k < a->nmodes; k++)
        sim_result_free(r[k]);
    return rc < 0 ? cmd_fail("sim", &err) : KS_EXIT_OK;
}

/* Parse, then run the mode the options select; returns the exit status. */
static int
sim_main(int argc, char **argv, struct sim_args *a)
{
    int rc = parse_args(argc, argv, a);
    if (rc != 0)
        return rc == 1 ? KS_EXIT_OK : rc;
    if (a->storage)
        return run_storage(a);
    struct ks_err err = {0};
    struct sim_config *c = NULL;
    if (a->plan)
        rc = sim_plan_config(a->plan, a->host, a->datasets, a->ndatasets,
                             a->stat ? a->stat : "p95", a->config, &c, &err);
    else if ((rc = ks_data_find("sim", a->config, ".ini", &a->config_path, &err)) == 0)
        rc = sim_config_read(a->config = a->config_path, &c, &err);
    if (rc < 0)
        return cmd_fail("sim", &err);
    if (a->nmodes) {
        char *what = a->plan ? ks_xasprintf("host %s of plan %s", a->host, a->plan)
                             : ks_xstrdup(a->config);
        rc = c->nvm ? run_modes(a, c, what)
                    : cmd_usage_error("sim", "--modes: %s has no [vm] to switch", what);
        free(what);
        sim_config_free(c);
        return rc;
    }
    struct sim_result *r = NULL;
    if (sim_run(c, &a->run, &r, &err) < 0 || write_results(a->out, c, r, &err) < 0) {
        sim_result_free(r);
        sim_config_free(c);
        return cmd_fail("sim", &err);
    }
    char *what = a->plan ? ks_xasprintf("host %s of plan %s", a->host, a->plan)
                         : ks_xstrdup(a->config);
    print_summary(c, r, what);
    if (a->plan) {
        double asked, ready;
        int up = 1;
        host_cpu(c, r, &asked, &ready, &up);
        for (size_t i = 0; i < r->nwl; i++)
            up &= sim_wl_keeps_up(c, r, i) != 0;
        printf("host %s: %s\n", a->host, up ? "keeps up" : "DOES NOT keep up");
    }
    free(what);
    sim_result_free(r);
    sim_config_free(c);
    return KS_EXIT_OK;
}

int
cmd_sim(int argc, char **argv)
{
    struct sim_args a = {0};
    int rc = sim_main(argc, argv, &a);
    free(a.datasets);
    free(a.config_path);
    return rc;
}
