/* kasane plan: dataset + catalog + policy -> plan directory; --vbp for benchmarks. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/plan_risk.h"
#include "cli/plan_storage.h"
#include "core/ks_csv.h"
#include "core/ks_merge.h"
#include "model/mdl_cpu.h"
#include "model/mdl_plan.h"
#include "model/mdl_rules.h"
#include "model/mdl_vbp.h"

/* Options of the --vbp mode. */
struct vbp_args {
    const char *file, *assign;
    struct mdl_vbp_opts o;
};

/* item,bin rows of a --vbp run, written atomically. */
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

/* --vbp: read, solve, re-check from the demands (an engine bug must not print a
 * result), print one line, optionally write the assignment. */
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
        printf("bins %zu lower_bound %zu ffd %zu greedy %zu cpu_s %.3f elapsed_s %.3f work %.3g%s\n", res.nbins,
               res.lower_bound, res.ffd_bins, res.greedy_bins, res.cpu_s, res.elapsed_s, res.work,
               res.timed_out ? " timed_out" : "");
    free(assign);
    mdl_vbp_free(p);
    return rc < 0 ? cmd_fail("plan", &err) : KS_EXIT_OK;
}

static const char *const POLICY_KEYS[] = {
    "model", "percentile", "headroom", "ha", "cpu-overcommit", "mem-overcommit", "hv-cpu-pct",
    "hv-mem-MiB", "step", "ports", "ports-file", "licences", "years", "power-price", "pue",
    "switch-port-price", "rack-unit-price", "source-watts-idle", "source-watts-max",
    "source-upkeep", "source-price", "source-life-years", "source-rack-U", "support-pct",
    "warranty-years", "os-per-server", "os-per-guest", "licence-maint-pct",
    "subscription-per-socket", "admin-hours", "admin-hour-price", "migration-hours", "seed",
    "effort", "packer", "smt-yield", "cpu-perf-assumed", NULL};
#define NKEYS (sizeof POLICY_KEYS / sizeof *POLICY_KEYS - 1)
enum { OPT_KEY = 1000, OPT_VBP = 900, OPT_ASSIGN, OPT_TLIMIT, OPT_CATALOG, OPT_POLICY,
       OPT_STORAGE_CAT, OPT_STORAGE_KV, OPT_STORAGE_SHORT, OPT_RULES, OPT_FORCE,
       OPT_CPU_RATINGS };

/* Storage shortcuts: flag -> mdl_storage_policy key. */
static const char *const STORAGE_SHORT[][2] = {
    {"rpo-min", "rpo_min"}, {"backup-retention-days", "retention_days"},
    {"dedup-ratio", "dedup_ratio"}, {"storage-percentile", "percentile"}};
#define NSHORT (sizeof STORAGE_SHORT / sizeof *STORAGE_SHORT)

struct args {
    const char *dataset, *catalog, *policy, *out, *vbp, *assign;
    const char *rules;  /* placement rules file (docs/rules.md), NULL = none */
    const char *cpu_ratings; /* rating table replacing the built-in one, NULL = built-in */
    char **datasets;    /* every DATASET argument (dataset dirs or dirs of them) */
    size_t ndatasets;
    struct plan_storage_args storage; /* catalog_dir NULL: no storage sizing */
    struct plan_risk_args risk;       /* backtests (cli/plan_risk.c) */
    const char *val[NKEYS]; /* flags given, by key; applied over the policy file */
    double time_limit_s;
    int force;   /* --force: replace a non-empty -o that kasane did not write */
    int argc;    /* the command line, for the plan's manifest.csv */
    char **argv;
};

static void
usage(void)
{
    printf("usage: kasane %s\n\n", cmd_usage_of("plan"));
    printf("Plan how few hosts can carry the dataset's servers and VMs, at every time step.\n"
           "On a terminal a run longer than a second shows its progress on stderr.\n\n"
           "  --catalog FILE        host models (catalog.csv); required. A name without '/'\n"
           "                        that is no file here is a shipped catalog: 'current',\n"
           "                        '2008' (DATADIR/catalog/NAME.csv; KASANE_DATADIR overrides)\n"
           "  -o, --output DIR      plan directory to write; required. Built beside DIR and\n"
           "                        moved in whole with a manifest.csv; DIR must be new,\n"
           "                        empty or a plan kasane wrote\n"
           "  --force               replace DIR even if kasane did not write it\n"
           "  --policy FILE         INI file with any of the keys below (flags override)\n"
           "  --model NAME          only this catalog model (default: cheapest over --years)\n"
           "  --percentile P        size on the P-th percentile of each host's sum (100)\n"
           "  --headroom PCT        capacity kept free (20)\n"
           "  --ha N                host failures to survive, checked by failing hosts (1)\n"
           "  --cpu-overcommit R    --mem-overcommit R   allocation planning ratios (1)\n"
           "  --hv-cpu-pct PCT      --hv-mem-MiB M        hypervisor overhead per host (10, 4096)\n"
           "  --step S              resample to S seconds, windows keep their max\n"
           "  --ports T             hyperv-cluster (default), vsphere or kvm\n"
           "  --ports-file FILE     custom port rules: role,min_ports,sized\n"
           "  --licences FILE       licence rules: rule,kind,unit_price,... (or a shipped name,\n"
           "                        e.g. hyperv-2008-datacenter: DATADIR/licences)\n"
           "  --years N             cost horizon (5)   --power-price P (0.1032/kWh)   --pue X (1.58)\n"
           "  --switch-port-price P --rack-unit-price P/yr  --migration-hours H (8 per server)\n"
           "  --source-watts-idle W --source-watts-max W (225, 296)  --source-price P (7000)\n"
           "  --source-life-years Y (5)  --source-rack-U U (1)  --source-upkeep P/yr (0)\n"
           "  --support-pct PCT (10 of the price a year)  --warranty-years Y (3)\n"
           "  --os-per-server P/yr (250)  --os-per-guest P/yr (same)  --licence-maint-pct PCT (25)\n"
           "  --subscription-per-socket P/yr (0)  --admin-hours H/yr (20)  --admin-hour-price P\n"
           "                        (42.51): cost lines and their sources in docs/model.md\n"
           "  --seed N  --effort X  --packer search|ffd|greedy\n"
           "CPU normalization (docs/model.md): each source's MHz are scaled by its CPU's rating\n"
           "  --cpu-ratings FILE    rating table (default: the built-in datasets/cpu/ratings.csv)\n"
           "  --cpu-perf-assumed R  rating of a CPU the table does not know (1 = Xeon E5450 core);\n"
           "                        such sources are named on stderr and in cpu_ratings.csv\n"
           "  --smt-yield Y         a second hardware thread's share of a core, both sides (0.25)\n"
           "  --rules FILE          placement rules: anti-affinity, affinity, soft-affinity,\n"
           "                        zone, pin, exclude (docs/rules.md); writes rules.csv\n\n"
           "Several DATASET arguments (or a directory of dataset directories) are merged;\n"
           "entity names must be unique across them.\n\n"
           "Shared storage, backup and DR (docs/storage.md):\n"
           "  --storage-catalog DIR array catalog (e.g. datasets/storage, or 'storage': the\n"
           "                        shipped one); enables sizing\n"
           "  --storage KEY=VALUE   any storage policy key (repeatable)\n"
           "  --rpo-min M  --backup-retention-days D  --dedup-ratio R  --storage-percentile P\n\n"
           "Benchmark mode:\n"
           "  --vbp FILE.vbp        pack a VPSolver instance; prints 'bins N lower_bound L'\n"
           "  --assign OUT.csv      write item,bin rows (items 0-based in file order)\n"
           "  --time-limit S        safety stop in seconds (default 1.8)\n");
    plan_risk_usage();
}

/* Long options: the fixed ones plus one per policy key, so every key of the policy
 * file is also a flag without a second list to keep in step. */
static struct option *
make_options(void)
{
    static const struct option fixed[] = {
        {"vbp", required_argument, 0, OPT_VBP},        {"assign", required_argument, 0, OPT_ASSIGN},
        {"time-limit", required_argument, 0, OPT_TLIMIT}, {"catalog", required_argument, 0, OPT_CATALOG},
        {"policy", required_argument, 0, OPT_POLICY},  {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {"storage-catalog", required_argument, 0, OPT_STORAGE_CAT},
        {"storage", required_argument, 0, OPT_STORAGE_KV},
        {"rules", required_argument, 0, OPT_RULES},
        {"force", no_argument, 0, OPT_FORCE},
        {"cpu-ratings", required_argument, 0, OPT_CPU_RATINGS}};
    size_t nf = sizeof fixed / sizeof *fixed;
    struct option *lo = ks_xcalloc(nf + NKEYS + NSHORT + PLAN_RISK_NOPTS + 1, sizeof *lo);
    memcpy(lo, fixed, sizeof fixed);
    memcpy(lo + nf + NKEYS + NSHORT, plan_risk_opts, sizeof plan_risk_opts);
    for (size_t k = 0; k < NKEYS; k++)
        lo[nf + k] = (struct option){POLICY_KEYS[k], required_argument, 0, OPT_KEY + (int)k};
    for (size_t k = 0; k < NSHORT; k++)
        lo[nf + NKEYS + k] =
            (struct option){STORAGE_SHORT[k][0], required_argument, 0, OPT_STORAGE_SHORT};
    return lo;
}

/* A storage setting: --storage KEY=VALUE as is, a shortcut flag as its key. */
static void
add_storage_kv(struct args *a, const char *flag, const char *val)
{
    char *kv = NULL;
    for (size_t k = 0; k < NSHORT && flag; k++)
        if (strcmp(flag, STORAGE_SHORT[k][0]) == 0)
            kv = ks_xasprintf("%s=%s", STORAGE_SHORT[k][1], val);
    a->storage.kv = ks_xrealloc(a->storage.kv, (a->storage.nkv + 1) * sizeof *a->storage.kv);
    a->storage.kv[a->storage.nkv++] = kv ? kv : ks_xstrdup(val);
}

/* 0 ok, 1 help shown, else a usage error already printed (exit status). */
static int
parse(int argc, char **argv, struct args *a)
{
    struct option *lo = make_options();
    int c, rc = 0, li = 0;
    a->time_limit_s = 1.8;
    plan_risk_init(&a->risk);
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, "ho:", lo, &li)) != -1) {
        if (c == OPT_STORAGE_CAT)
            a->storage.catalog_dir = optarg;
        else if (c == OPT_STORAGE_KV)
            add_storage_kv(a, NULL, optarg);
        else if (c == OPT_STORAGE_SHORT)
            add_storage_kv(a, lo[li].name, optarg);
        else if (c >= PLAN_RISK_OPT && c < PLAN_RISK_OPT + PLAN_RISK_NOPTS)
            rc = plan_risk_opt(&a->risk, c, optarg);
        else if (c >= OPT_KEY && c < OPT_KEY + (int)NKEYS)
            a->val[c - OPT_KEY] = optarg;
        else if (c == OPT_VBP)
            a->vbp = optarg;
        else if (c == OPT_ASSIGN)
            a->assign = optarg;
        else if (c == OPT_CATALOG)
            a->catalog = optarg;
        else if (c == OPT_RULES)
            a->rules = optarg;
        else if (c == OPT_CPU_RATINGS)
            a->cpu_ratings = optarg;
        else if (c == OPT_POLICY)
            a->policy = optarg;
        else if (c == 'o')
            a->out = optarg;
        else if (c == OPT_FORCE)
            a->force = 1;
        else if (c == OPT_TLIMIT && (ks_parse_double(optarg, &a->time_limit_s) < 0 ||
                                     a->time_limit_s < 0))
            rc = cmd_usage_error("plan", "--time-limit '%s': want seconds", optarg);
        else if (c == 'h')
            rc = 1, usage();
        else if (c != OPT_TLIMIT)
            rc = cmd_usage_error("plan", "unknown option");
    }
    if (rc == 0)
        rc = plan_risk_check(&a->risk);
    if (rc == 0 && optind < argc) {
        a->dataset = argv[optind];
        a->datasets = argv + optind;
        a->ndatasets = (size_t)(argc - optind);
    }
    free(lo);
    return rc;
}

/* Hosts per model when a zone runs its own (docs/rules.md); nothing when all share one. */
static void
print_zone_models(const struct mdl_plan *pl)
{
    const struct mdl_model *seen[16];
    size_t count[16], n = 0;
    for (size_t h = 0; h < pl->nhosts; h++) {
        int sockets;
        const struct mdl_model *m = mdl_plan_host_model(pl, h, &sockets);
        size_t k = 0;
        while (k < n && seen[k] != m)
            k++;
        if (k == n && n < 16) {
            seen[n] = m;
            count[n++] = 0;
        }
        if (k < n)
            count[k]++;
    }
    if (n < 2)
        return;
    printf("  hosts by model (a zone runs its own):");
    for (size_t k = 0; k < n; k++)
        printf("%s %zu x %s", k ? "," : "", count[k], seen[k]->name);
    printf("\n");
}

/* What the status quo counts when VMs are among the sources (docs/model.md "Cost"). */
static void
print_basis(const struct mdl_cost_basis *b)
{
    if (!b->vms && !b->vms_no_host)
        return;
    printf("  status quo: %zu physical server(s), %zu host(s) shared by %zu VM(s)", b->physical,
           b->hosts, b->vms);
    if (b->vms_no_host)
        printf("; %zu VM(s) with no known host cost no hardware (inventory column 'host')",
               b->vms_no_host);
    printf("\n");
}

/* The chosen model, the three cheapest others, and why the rest were not eligible. */
static void
print_choices(const struct mdl_plan *pl)
{
    const struct mdl_choice *best = mdl_plan_choice(pl);
    printf("  model: %s, %d socket(s), total cost %.0f over %g years\n", mdl_plan_model(pl)->name,
           best->sockets, best->total_cost, pl->pol.years);
    print_zone_models(pl);
    /* The three cheapest others, cheapest first. */
    double last = best->total_cost;
    for (int shown = 0; shown < 3; shown++) {
        const struct mdl_choice *next = NULL;
        for (size_t k = 0; k < pl->nchoices; k++) {
            const struct mdl_choice *c = &pl->choices[k];
            if (c->chosen || !c->eligible || !c->packed || c->total_cost <= last)
                continue;
            if (!next || c->total_cost < next->total_cost)
                next = c;
        }
        if (!next)
            break;
        printf("    runner-up: %s, %d socket(s): %zu hosts, total %.0f (+%.1f%%)\n",
               pl->cat->m[next->model].name, next->sockets, next->hosts, next->total_cost,
               (next->total_cost / best->total_cost - 1) * 100);
        last = next->total_cost;
    }
    for (size_t k = 0; k < pl->nchoices; k++)
        if (!pl->choices[k].eligible)
            printf("    not eligible: %s, %d socket(s): %s\n",
                   pl->cat->m[pl->choices[k].model].name, pl->choices[k].sockets,
                   pl->choices[k].reason);
}

/* Placement rules: how many held, what they cost (rules.csv has each one). */
static void
print_rules(const struct mdl_plan *pl)
{
    const struct mdl_rules_result *res = pl->rules;
    size_t held = 0;
    for (size_t k = 0; k < res->rules->n; k++)
        held += res->out[k].honoured == 1;
    printf("  rules: %zu of %zu honoured, %zu entities kept physical; without any rule %.0f "
           "hosts (rules cost %+.0f)\n", held, res->rules->n, res->excluded,
           res->hosts_without_all, (double)pl->nhosts - res->hosts_without_all);
    for (size_t k = 0; k < res->rules->n; k++)
        if (res->out[k].honoured <= 0) /* -1: skipped in a backtest's training window */
            printf("    %s: %s (%s): %s\n", res->out[k].honoured ? "skipped" : "not honoured",
                   res->rules->r[k].name, mdl_rule_type_name(res->rules->r[k].type),
                   res->out[k].notes);
}

/* How the sources' CPUs were rated; sources on the assumed rating are named on stderr
 * (cpu_ratings.csv lists every source's rating and where it came from). */
static void
print_ratings(const struct mdl_plan *pl)
{
    size_t by[3] = {0, 0, 0};
    if (!pl->cpu_perf)
        return;
    for (size_t e = 0; e < pl->nent; e++)
        if (!isnan(pl->cpu_perf[e]))
            by[pl->cpu_origin[e]]++;
    printf("  CPU ratings: %zu from the table, %zu from inventory cpu_perf, %zu assumed %g "
           "(cpu_ratings.csv)\n", by[MDL_CPU_TABLE], by[MDL_CPU_INVENTORY], by[MDL_CPU_ASSUMED],
           pl->pol.cpu_perf_assumed);
    if (!pl->cpu_assumed)
        return;
    fprintf(stderr, "kasane plan: warning: %zu source%s planned on an assumed CPU rating of %g "
            "(their cpu_model is not in %s): ", pl->cpu_assumed, pl->cpu_assumed == 1 ? "" : "s",
            pl->pol.cpu_perf_assumed, pl->pol.cpu_ratings ? pl->pol.cpu_ratings->origin
                                                          : "any rating table");
    size_t shown = 0;
    for (size_t e = 0; e < pl->nent && shown < 8; e++)
        if (!isnan(pl->cpu_perf[e]) && pl->cpu_origin[e] == MDL_CPU_ASSUMED) {
            char esc[256];
            ks_escape(esc, sizeof esc, pl->ent_names[e]);
            fprintf(stderr, "%s'%s'", shown++ ? ", " : "", esc);
        }
    fprintf(stderr, "%s; give inventory cpu_perf, or --cpu-perf-assumed (docs/model.md)\n",
            pl->cpu_assumed > shown ? ", ..." : "");
}

/* The human summary on stdout; every figure also lands in summary.csv. */
static void
print_summary(const struct mdl_plan *pl, const char *out)
{
    const struct mdl_choice *c = mdl_plan_choice(pl);
    printf("kasane plan: %s -> %s\n", pl->dataset, out);
    printf("  %zu sources -> %zu hosts (%zu + %zu HA spare), consolidation %.1f:1, planned by %s\n",
           pl->sources, pl->nhosts, pl->nhosts - pl->spares, pl->spares,
           (double)pl->sources / (double)pl->nhosts,
           pl->by_allocation ? "allocation (no samples)" : "time series");
    printf("  lower bound %zu hosts, gap %.1f%%; peak-based sizing (%s, HA spares included%s): "
           "%zu hosts\n", pl->lower_bound, pl->gap_pct, pl->peak_basis,
           pl->rules ? ", no placement rules" : "", pl->peak_sizing_hosts);
    print_choices(pl);
    printf("  capex %.0f (hosts %.0f, licences %.0f, %zu switch ports %.0f), opex %.0f/year\n",
           c->capex, c->capex_hosts, c->capex_licences, pl->switch_ports, c->capex_switch_ports,
           c->opex_per_year);
    /* A negative saving is a cost: "savings -19350" read as a typo. */
    printf("  status quo %.0f/year, running cost %.0f/year %s, payback ", pl->status_quo_opex,
           fabs(pl->savings), pl->savings >= 0 ? "less" : "more");
    if (isnan(pl->payback_months))
        printf("never\n");
    else
        printf("%.1f months\n", pl->payback_months);
    double saved = pl->tco.sq.total - pl->tco.plan.total;
    printf("  over %g years: status quo %.0f, consolidated %.0f incl. migration (tco.csv): "
           "%s %.0f%s\n", pl->pol.years, pl->tco.sq.total, pl->tco.plan.total,
           saved >= 0 ? "saves" : "costs", fabs(saved), saved >= 0 ? "" : " more");
    print_basis(&pl->tco.basis);
    printf("  HA N+%d: %s (%zu failure sets re-placed%s)\n", pl->pol.ha,
           pl->ha_verified ? "verified" : "NOT verified", pl->ha_subsets,
           pl->ha_exhaustive ? ", all of them" : ", each host + a sample");
    if (pl->rules)
        print_rules(pl);
    if (pl->nan_gaps)
        printf("  %zu sources had unknown steps, filled at their own p%g\n", pl->nan_gaps,
               pl->pol.percentile);
    print_ratings(pl);
}

/* The planner's progress callback (mdl_policy.progress): what NULL wipes the line. */
static void
on_progress(void *ctx, const char *what)
{
    if (what)
        cmd_progress_show(ctx, "%s", what);
    else
        cmd_progress_end(ctx);
}

/* Dataset mode: catalog, dataset, plan, write, then the summary (only once the plan
 * directory is complete). */
static int
run_dataset(const struct args *a, const struct mdl_policy *pol)
{
    struct ks_err err = {0};
    struct ks_dataset *ds = NULL;
    struct mdl_catalog *cat = NULL;
    struct mdl_plan *pl = NULL;
    struct plan_risk *rs = NULL;
    struct mdl_rules *rules = NULL;
    struct mdl_policy rpol = *pol; /* shallow: only .rules and the progress differ */
    struct cmd_progress prog;
    cmd_progress_init(&prog, "plan");
    if (prog.on) {
        rpol.progress = on_progress;
        rpol.progress_ctx = &prog;
    }
    /* Every file goes into a staging directory swapped in whole at the end: a failed
     * plan leaves the previous one as it was, and no file of it survives a new one. */
    struct ks_outdir *od;
    struct ks_outdir_opts oo = {.kind = KS_OUTDIR_OUTPUT, .what = "plan", .force = a->force};
    int rc = cmd_outdir_begin(a->argc, a->argv, a->out, &oo, &od, NULL);
    if (rc != 0)
        return rc;
    const char *out = ks_outdir_path(od);
    rc = mdl_catalog_read(a->catalog, &cat, &err);
    struct mdl_cpu_table cpu = {0};
    if (rc == 0)
        rc = a->cpu_ratings ? mdl_cpu_table_read(a->cpu_ratings, &cpu, &err)
                            : mdl_cpu_table_builtin(&cpu, &err);
    rpol.cpu_ratings = &cpu;
    if (rc == 0 && a->storage.catalog_dir)
        rc = plan_storage_validate(&a->storage, &err);
    double ph[2];
    ks_phase(NULL, ph);
    if (rc == 0)
        rc = ks_dataset_read_many_keep(a->datasets, a->ndatasets, MDL_PLAN_METRICS, &ds, &err);
    ks_phase("read", ph);
    if (rc == 0 && a->rules) /* every rule problem together, before any packing */
        rc = mdl_rules_read(a->rules, ds, &rules, &err);
    rpol.rules = rules;
    if (rc == 0)
        rc = plan_risk_plan(&a->risk, ds, a->dataset, &rpol, cat, &pl, &rs, &err);
    if (rc == 0 && rules)
        plan_risk_rules_costs(rs, ds, a->dataset, cat, rules, pl);
    cmd_progress_end(&prog);
    ks_phase("planning (every plan, HA checks)", ph);
    if (rc == 0)
        rc = mdl_plan_write(pl, out, &err);
    if (rc == 0)
        rc = mdl_plan_write_ratings(pl, ds, out, &err);
    if (rc == 0)
        print_summary(pl, a->out);
    if (rc == 0)
        rc = plan_risk_finish(rs, pl, out, &err);
    if (rc == 0 && a->storage.catalog_dir)
        rc = plan_storage_run(&a->storage, ds, pl, out, &err);
    ks_phase("writing", ph);
    mdl_plan_free(pl);
    plan_risk_free(rs); /* after the plan: it holds the rules the plan borrows */
    mdl_rules_free(rules);
    ks_dataset_free(ds);
    mdl_catalog_free(cat);
    mdl_cpu_table_fini(&cpu);
    return cmd_outdir_end("plan", od, rc, &err);
}

/* A plan allocates and frees the same large arrays again and again (the grid, demand
 * series, packing rows and sort buffers of every plan: a sweep makes ten, a backtest's
 * windows and the rules' re-plans more). By default glibc gives big freed blocks back
 * to the kernel (munmap, heap trim) and takes them again for the next plan, each page
 * faulted in and zeroed anew: on bench_risk.sh's sweep that was 1.7 million page faults
 * and a quarter of the CPU time in the kernel. Kept in the heap, the next plan reuses
 * them. Blocks above 32 MiB (glibc's ceiling for the threshold) are still mapped apart.
 * Only `plan` does this: the collector runs for weeks and should give memory back. */
static void
keep_freed_memory(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, INT32_MAX);
}

/* Defaults, then the policy file, then the flags. */
static int
build_policy(const struct args *a, struct mdl_policy *pol, struct ks_err *err)
{
    mdl_policy_defaults(pol);
    int rc = a->policy ? mdl_policy_read(a->policy, pol, err) : 0;
    for (size_t k = 0; k < NKEYS && rc == 0; k++)
        if (a->val[k])
            rc = mdl_policy_set(pol, POLICY_KEYS[k], a->val[k], err);
    return rc;
}

int
cmd_plan(int argc, char **argv)
{
    keep_freed_memory();
    struct args a = {.argc = argc, .argv = argv};
    int rc = parse(argc, argv, &a);
    if (rc != 0)
        return rc == 1 ? KS_EXIT_OK : rc;
    struct mdl_policy pol;
    struct ks_err err = {0};
    if (build_policy(&a, &pol, &err) < 0) {
        mdl_policy_fini(&pol);
        /* A flag's message starts with its key: shown as the flag the user typed. */
        return a.policy && strncmp(err.msg, a.policy, strlen(a.policy)) == 0
                   ? cmd_fail("plan", &err)
                   : cmd_usage_error("plan", "--%s", err.msg);
    }
    if (a.vbp) {
        struct vbp_args v = {a.vbp, a.assign, {0}};
        v.o.seed = pol.seed;
        v.o.packer = pol.packer;
        v.o.effort = pol.effort;
        v.o.time_limit_s = a.time_limit_s;
        mdl_policy_fini(&pol);
        return run_vbp(&v);
    }
    if (!a.dataset || !a.catalog || !a.out)
        rc = cmd_usage_error("plan", "%s", !a.dataset ? "missing DATASET"
                                           : !a.catalog ? "missing --catalog CATALOG.csv"
                                                        : "missing -o PLAN_DIR");
    else
        rc = run_dataset(&a, &pol);
    mdl_policy_fini(&pol);
    for (size_t i = 0; i < a.storage.nkv; i++)
        free((char *)a.storage.kv[i]);
    free(a.storage.kv);
    return rc;
}
