/*
 * col_gen: the synthetic server room. Every formula here is written out in
 * docs/datasets.md ("kasane gen"); keep the two in step.
 */
#include "collect/col_gen.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/col_import.h"
#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "core/ks_zst.h"

/* ---- RNG --------------------------------------------------------------------------- */

/* The four state words come from consecutive splitmix64 outputs (never all zero). */
void
col_rng_seed(struct col_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = ks_splitmix64(&seed);
}

/* xoshiro256** 1.0, as published by Blackman and Vigna (prng.di.unimi.it). */
uint64_t
col_rng_next(struct col_rng *r)
{
    return ks_xoshiro256ss(r->s);
}

/* The top 53 bits scaled by 2^-53: every double in [0, 1) on a 2^-53 grid. */
double
col_rng_uniform(struct col_rng *r)
{
    return (double)(col_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Box-Muller with the cosine branch only: it wastes the sine's value, but one call
 * always consumes exactly two uniforms, which keeps streams easy to reason about. */
double
col_rng_normal(struct col_rng *r)
{
    double u = 1.0 - col_rng_uniform(r); /* (0, 1]: log is finite */
    return sqrt(-2 * log(u)) * cos(2 * M_PI * col_rng_uniform(r));
}

/* Uniform in [lo, hi). */
static double
unif(struct col_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * col_rng_uniform(r);
}

/* Uniform index in 0 .. n-1. */
static size_t
pick(struct col_rng *r, size_t n)
{
    return (size_t)(col_rng_uniform(r) * (double)n);
}

/* ---- population -------------------------------------------------------------------- */

const char *const col_gen_role_names[GEN_NROLE] = {"legacy", "web", "app", "db", "batch", "file"};

/* 2008-era server processors (Intel ARK and AMD Opteron product data; none with
 * Hyper-Threading, so logical CPUs = cores). */
struct cpu_model {
    const char *name;
    int cores, MHz, one_socket_only;
};
static const struct cpu_model cpus[] = {
    {"Intel Xeon 5130", 2, 2000, 0},  {"Intel Xeon 5140", 2, 2333, 0},
    {"Intel Xeon 5150", 2, 2666, 0},  {"Intel Xeon 5160", 2, 3000, 0},
    {"Intel Xeon E5335", 4, 2000, 0}, {"Intel Xeon E5345", 4, 2333, 0},
    {"Intel Xeon E5410", 4, 2333, 0}, {"Intel Xeon E5430", 4, 2666, 0},
    {"Intel Xeon E5450", 4, 3000, 0}, {"Intel Xeon 3070", 2, 2666, 1},
    {"Intel Xeon X3220", 4, 2400, 1}, {"AMD Opteron 2218", 2, 2600, 0},
    {"AMD Opteron 2220", 2, 2800, 0}, {"AMD Opteron 2350", 4, 2000, 0},
    {"AMD Opteron 2356", 4, 2300, 0},
};
#define NCPUS (sizeof cpus / sizeof *cpus)

/* Per-role constants (see docs/datasets.md, "roles"). */
struct role_def {
    double base_lo, base_hi; /* CPU floor, % */
    double amp_lo, amp_hi;   /* diurnal amplitude, % */
    int peak_h;              /* hour of the diurnal peak (UTC = local here) */
    double weekend;          /* weekend factor */
    double mem_lo, mem_hi;   /* used share of memory */
    int gib[3];              /* memory sizes to pick from */
    double disk_KiBps;       /* disk throughput at 100% CPU */
    double io_KiB;           /* mean I/O size */
    double read_share;
    double net_KiBps; /* network throughput at 100% CPU */
    double tx_share;
    int disks;
    const char *os[2];
};
static const struct role_def roles[GEN_NROLE] = {
    [GEN_LEGACY] = {6,
                    15,
                    0,
                    0,
                    11,
                    0.45,
                    0.25,
                    0.5,
                    {2, 2, 4},
                    300,
                    16,
                    0.6,
                    60,
                    0.5,
                    2,
                    {"Windows 2000 Server SP4", "Red Hat Enterprise Linux 4"}},
    [GEN_WEB] = {3,
                 8,
                 25,
                 50,
                 14,
                 0.6,
                 0.35,
                 0.6,
                 {2, 4, 8},
                 800,
                 16,
                 0.7,
                 2500,
                 0.75,
                 2,
                 {"Windows Server 2003 R2", "Red Hat Enterprise Linux 5"}},
    [GEN_APP] = {5,
                 10,
                 20,
                 45,
                 14,
                 0.4,
                 0.45,
                 0.75,
                 {4, 8, 8},
                 600,
                 16,
                 0.5,
                 1200,
                 0.5,
                 2,
                 {"Windows Server 2003 R2", "SUSE Linux Enterprise Server 10"}},
    [GEN_DB] = {5,
                10,
                20,
                40,
                14,
                0.4,
                0.7,
                0.9,
                {8, 12, 16},
                4000,
                8,
                0.65,
                800,
                0.6,
                6,
                {"Windows Server 2003 R2", "Red Hat Enterprise Linux 5"}},
    [GEN_BATCH] = {2,
                   5,
                   0,
                   0,
                   14,
                   1.0,
                   0.3,
                   0.5,
                   {4, 8, 8},
                   3000,
                   64,
                   0.6,
                   400,
                   0.5,
                   2,
                   {"Red Hat Enterprise Linux 5", "Windows Server 2003"}},
    [GEN_FILE] = {3,
                  8,
                  5,
                  15,
                  11,
                  0.35,
                  0.3,
                  0.55,
                  {2, 4, 4},
                  2500,
                  64,
                  0.55,
                  1500,
                  0.5,
                  6,
                  {"Windows Server 2003 R2", "Windows Server 2008"}},
};

/* One generated server: its fixed draws (sizes, levels) and its evolving state (noise,
 * bursts), with its own RNG stream so that its series depends only on the seed and on
 * its index. */
struct server {
    enum col_gen_role role;
    int group; /* application group (-1 = none) */
    char name[32];
    const struct cpu_model *cpu;
    int sockets;
    double total_MiB, logical_MHz;
    double base, amp, mem_share, disk_scale, net_scale;
    double batch_start_h, batch_len_h, batch_level;
    struct col_rng rng;
    double ar, burst; /* AR(1) noise state, decaying burst, % */
    double tx_KiB, tx_backup_KiB; /* sent since the last flows.csv window (--flows) */
};

/* A three-tier application group: the shared demand that makes its members peak
 * together, with its own RNG stream. */
struct group {
    struct col_rng rng;
    double ar;
};

struct gen {
    const struct col_gen_opts *o;
    struct server *srv;
    size_t n, ngroups;
    struct group *grp;
};

/* The mix: 40% of servers in three-tier groups of five, 10% batch, 15% file and
 * infrastructure, the rest (about a third) idle legacy boxes. Trim the optional roles
 * first when rounding overshoots a small N. */
static void
role_counts(const struct col_gen_opts *o, size_t *ngroups, size_t *nbatch, size_t *nfile)
{
    double n = (double)o->servers;
    *ngroups = (size_t)lround(n * 0.40 / 5);
    *nbatch = (size_t)lround(n * 0.10);
    *nfile = (size_t)lround(n * 0.15);
    while (*ngroups * 5 + *nbatch + *nfile > o->servers) {
        if (*nfile)
            (*nfile)--;
        else if (*nbatch)
            (*nbatch)--;
        else
            (*ngroups)--;
    }
}

/* Roles in order: the three-tier groups (2 web, 2 app, 1 db each), batch, file, and
 * legacy for the rest; a one-role profile gives every server that role. */
static void
assign_roles(struct gen *g, int single)
{
    static const enum col_gen_role tier[5] = {GEN_WEB, GEN_WEB, GEN_APP, GEN_APP, GEN_DB};
    size_t ngroups = 0, nbatch = 0, nfile = 0, i = 0;
    if (single < 0)
        role_counts(g->o, &ngroups, &nbatch, &nfile);
    for (size_t k = 0; k < ngroups * 5; k++, i++) {
        g->srv[i].role = tier[k % 5];
        g->srv[i].group = (int)(k / 5);
    }
    for (; i < g->n; i++) {
        g->srv[i].group = -1;
        g->srv[i].role = single >= 0                        ? (enum col_gen_role)single
                         : i < ngroups * 5 + nbatch         ? GEN_BATCH
                         : i < ngroups * 5 + nbatch + nfile ? GEN_FILE
                                                            : GEN_LEGACY;
    }
    g->ngroups = ngroups;
}

/* Hardware of one server: app and db servers get quad-core parts and two sockets (the
 * busiest machines of a 2008 room); legacy servers are mostly single-socket. */
static void
size_server(struct server *s, const struct role_def *rd)
{
    struct col_rng *r = &s->rng;
    int big = s->role == GEN_DB || s->role == GEN_APP;
    do
        s->cpu = &cpus[pick(r, NCPUS)];
    while (big && s->cpu->cores < 4);
    s->sockets = s->cpu->one_socket_only ? 1 : (big || col_rng_uniform(r) < 0.5) ? 2 : 1;
    if (s->role == GEN_LEGACY && !s->cpu->one_socket_only && col_rng_uniform(r) < 0.6)
        s->sockets = 1;
    s->total_MiB = 1024.0 * rd->gib[pick(r, 3)];
    s->logical_MHz = (double)(s->sockets * s->cpu->cores * s->cpu->MHz);
}

/* Per-server draws, in a fixed order from the server's own stream: changing the order
 * changes every dataset, so add new draws at the end. */
static void
init_server(struct gen *g, size_t i, unsigned count_in_role)
{
    struct server *s = &g->srv[i];
    const struct role_def *rd = &roles[s->role];
    col_rng_seed(&s->rng, g->o->seed ^ (0x5851f42d4c957f2dULL * (i + 1)));
    snprintf(s->name, sizeof s->name, "%s%02u", col_gen_role_names[s->role], count_in_role);
    size_server(s, rd);
    s->base = unif(&s->rng, rd->base_lo, rd->base_hi);
    s->amp = unif(&s->rng, rd->amp_lo, rd->amp_hi);
    s->mem_share = unif(&s->rng, rd->mem_lo, rd->mem_hi);
    s->disk_scale = rd->disk_KiBps * exp(0.4 * col_rng_normal(&s->rng));
    s->net_scale = rd->net_KiBps * exp(0.4 * col_rng_normal(&s->rng));
    s->batch_start_h = unif(&s->rng, 0, 2.5);
    s->batch_len_h = unif(&s->rng, 2, 4);
    s->batch_level = unif(&s->rng, 50, 85);
}

/* Roles, names, sizes and RNG streams of the whole population. */
static void
build(struct gen *g)
{
    int single = -1;
    for (int r = 0; r < GEN_NROLE; r++)
        if (strcmp(g->o->profile, col_gen_role_names[r]) == 0)
            single = r;
    g->n = g->o->servers;
    g->srv = ks_xcalloc(g->n, sizeof *g->srv);
    assign_roles(g, single);
    unsigned count[GEN_NROLE] = {0};
    for (size_t i = 0; i < g->n; i++)
        init_server(g, i, ++count[g->srv[i].role]);
    g->grp = ks_xcalloc(g->ngroups ? g->ngroups : 1, sizeof *g->grp);
    for (size_t k = 0; k < g->ngroups; k++)
        col_rng_seed(&g->grp[k].rng, g->o->seed ^ (0x2545f4914f6cdd1dULL * (k + 1)) ^ 0xabcdef);
}

/* The address of server i: 10.8.0.1 onwards, 254 hosts per /24 (flows.csv names it). */
static void
gen_ip(char *buf, size_t n, size_t i)
{
    snprintf(buf, n, "10.%zu.%zu.%zu", 8 + i / (254 * 254), i / 254 % 254, i % 254 + 1);
}

/* inventory.csv: the design's columns plus role and app_group, which the report can
 * show and the tests use to check each role's shape. */
static void
write_inventory(const struct gen *g, struct ks_dataset *ds)
{
    for (size_t i = 0; i < g->n; i++) {
        const struct server *s = &g->srv[i];
        size_t e = ks_dataset_add_entity(ds, s->name, "physical");
        ks_inv_set(ds, e, "hostname", s->name);
        ks_inv_set(ds, e, "cpu_model", s->cpu->name);
        ks_inv_set_num(ds, e, "sockets", s->sockets);
        ks_inv_set_num(ds, e, "cores", s->sockets * s->cpu->cores);
        ks_inv_set_num(ds, e, "threads", s->sockets * s->cpu->cores);
        ks_inv_set_num(ds, e, "core_MHz", s->cpu->MHz);
        ks_inv_set_num(ds, e, "mem_MiB", s->total_MiB);
        ks_inv_set_num(ds, e, "nic_count", 2);
        ks_inv_set_num(ds, e, "nic_Mbps", 1000);
        ks_inv_set_num(ds, e, "disk_count", roles[s->role].disks);
        ks_inv_set(ds, e, "hypervisor", "none");
        ks_inv_set(ds, e, "os", roles[s->role].os[i % 2]);
        char *notes =
            ks_xasprintf("synthetic: kasane gen --seed %llu", (unsigned long long)g->o->seed);
        ks_inv_set(ds, e, "notes", notes);
        free(notes);
        ks_inv_set(ds, e, "role", col_gen_role_names[s->role]);
        if (g->o->flows) {
            char ip[32];
            gen_ip(ip, sizeof ip, i);
            ks_inv_set(ds, e, "ips", ip);
        }
        if (s->group >= 0) {
            char grp[32];
            snprintf(grp, sizeof grp, "app%02d", s->group + 1);
            ks_inv_set(ds, e, "app_group", grp);
        }
    }
}

/* ---- time series ------------------------------------------------------------------- */

#define SVC_MS 6.0 /* mean service time of a 2008 10K rpm disk (seek + half a turn) */

/* What every server sees at one time step. */
struct clock {
    double h;      /* hour of day, UTC */
    int weekend;   /* Saturday or Sunday */
    int month_end; /* one of the last three days of the month */
    double d[24];  /* diurnal shape for each peak hour */
    double step_s;
    double burst_decay; /* exp(-step_s / 900): a web burst's decay over one step */
};

/* Calendar facts at one instant: hour, weekend, month end (three days later is
 * already another month), and the diurnal shape for every possible peak hour, so the
 * per-server work is table lookups. */
static void
clock_at(struct clock *c, double t_mid, double step_s)
{
    time_t tt = (time_t)t_mid, later = tt + 3 * 86400;
    struct tm tm, tl;
    gmtime_r(&tt, &tm);
    gmtime_r(&later, &tl);
    c->h = tm.tm_hour + tm.tm_min / 60.0 + tm.tm_sec / 3600.0;
    c->weekend = tm.tm_wday == 0 || tm.tm_wday == 6;
    c->month_end = tl.tm_mon != tm.tm_mon;
    c->step_s = step_s;
    c->burst_decay = exp(-step_s / 900);
    for (int p = 0; p < 24; p++)
        c->d[p] = pow(fmax(0, cos(2 * M_PI * (c->h - p) / 24)), 1.5);
}

/* Whether hour h falls in [start_h, start_h + len_h), wrapping at midnight. */
static int
in_window(double h, double start_h, double len_h)
{
    double x = fmod(h - start_h + 24, 24);
    return x < len_h;
}

/* Shared demand of a three-tier application group, 0..~1.6. */
static double
group_level(struct group *gr, const struct clock *c)
{
    gr->ar = 0.9 * gr->ar + sqrt(1 - 0.81) * col_rng_normal(&gr->rng);
    double w = c->weekend ? 0.4 : 1;
    return fmax(0, c->d[14] * w * (1 + 0.5 * c->month_end) * (1 + 0.12 * gr->ar));
}

/* CPU demand of one server at one step (docs/datasets.md, "Formulas"). */
static double
cpu_pct(struct server *s, const struct clock *c, const double *glevel)
{
    const struct role_def *rd = &roles[s->role];
    double w = c->weekend ? rd->weekend : 1, cpu;
    s->ar = 0.8 * s->ar + 0.6 * col_rng_normal(&s->rng);
    double shape = s->group >= 0 ? glevel[s->group] : c->d[rd->peak_h] * w;
    switch (s->role) {
    case GEN_LEGACY:
        cpu = s->base * (0.8 + 0.4 * shape) + 0.15 * s->base * s->ar;
        break;
    case GEN_WEB:
        if (col_rng_uniform(&s->rng) < 0.03 * c->step_s / 300)
            s->burst += unif(&s->rng, 15, 40);
        s->burst *= c->burst_decay;
        cpu = s->base + s->amp * shape + s->burst + 2 * s->ar;
        break;
    case GEN_BATCH:
        cpu = s->base + 1.5 * s->ar;
        if (in_window(c->h, s->batch_start_h, s->batch_len_h))
            cpu += s->batch_level * (1 + 0.25 * c->month_end);
        if (c->month_end && c->h >= 9 && c->h < 17)
            cpu += 0.5 * s->batch_level;
        break;
    case GEN_FILE:
        cpu = s->base + s->amp * shape + 1.5 * s->ar + 10 * in_window(c->h, 22, 4);
        break;
    default: /* app, db */
        cpu = s->base + s->amp * shape + 2 * s->ar;
        if (s->role == GEN_DB && in_window(c->h, 2, 1))
            cpu += 20; /* nightly maintenance: index rebuild, statistics */
        break;
    }
    return col_round(fmin(100, fmax(0.5, cpu)), 2);
}

/* Nightly backups read the disks of file servers (22:00-02:00) and databases
 * (01:00-03:00) and send the data over the network. */
static int
backup_now(const struct server *s, const struct clock *c)
{
    return (s->role == GEN_FILE && in_window(c->h, 22, 4)) ||
           (s->role == GEN_DB && in_window(c->h, 1, 2));
}

/* Disk and network follow CPU with log-normal noise; utilization and await come from
 * the IOPS through a 6 ms service time per spindle (an M/M/1-like await). */
static void
disk_net(struct server *s, const struct clock *c, double cpu, double *m)
{
    const struct role_def *rd = &roles[s->role];
    int backup = backup_now(s, c);
    double act = 0.1 + cpu / 100, tot = s->disk_scale * act * exp(0.3 * col_rng_normal(&s->rng));
    double rd_K = tot * rd->read_share + backup * 0.8 * s->disk_scale;
    double wr_K = tot * (1 - rd->read_share);
    double r_io = rd_K / rd->io_KiB, w_io = wr_K / rd->io_KiB;
    double util = fmin(99, (r_io + w_io) * SVC_MS / (10.0 * rd->disks));
    m[KS_DISK_READ_KIBPS] = col_round(rd_K, 1);
    m[KS_DISK_WRITE_KIBPS] = col_round(wr_K, 1);
    m[KS_DISK_READ_IOPS] = col_round(r_io, 1);
    m[KS_DISK_WRITE_IOPS] = col_round(w_io, 1);
    m[KS_DISK_UTIL_PCT] = col_round(util, 1);
    m[KS_DISK_AWAIT_MS] = col_round(SVC_MS / (1 - util / 100), 1);
    double net = s->net_scale * (0.05 + cpu / 100) * exp(0.25 * col_rng_normal(&s->rng));
    double tx = net * rd->tx_share + backup * 0.5 * s->net_scale, rx = net * (1 - rd->tx_share);
    m[KS_NET_RX_KIBPS] = col_round(rx, 1);
    m[KS_NET_TX_KIBPS] = col_round(tx, 1);
    /* What flows.csv splits by destination: the rounded rate as written, so the flows
     * of a server sum to its tx_KiBps x seconds. */
    s->tx_KiB += m[KS_NET_TX_KIBPS] * c->step_s;
    s->tx_backup_KiB += fmin(backup * 0.5 * s->net_scale, m[KS_NET_TX_KIBPS]) * c->step_s;
    m[KS_NET_RX_PPS] = round(rx * 1024 / 400); /* requests and ACKs: small frames */
    m[KS_NET_TX_PPS] = round(tx * 1024 / 1000);
}

/* One full row of metrics for server s at the clock c. */
static void
sample(struct server *s, const struct clock *c, const double *glevel, double *m)
{
    double cpu = cpu_pct(s, c, glevel);
    m[KS_CPU_PCT] = cpu;
    m[KS_CPU_MHZ] = col_round(cpu * s->logical_MHz / 100, 1);
    m[KS_CPU_STEAL_PCT] = 0; /* bare metal: nothing to steal */
    double busy = fmax(0, cpu - s->base) / 100;
    int job = s->role == GEN_BATCH && in_window(c->h, s->batch_start_h, s->batch_len_h);
    double share = s->mem_share + 0.04 * busy + 0.1 * job + 0.01 * col_rng_normal(&s->rng);
    m[KS_MEM_USED_MIB] = round(s->total_MiB * fmin(0.98, fmax(0.05, share)));
    m[KS_MEM_TOTAL_MIB] = s->total_MiB;
    disk_net(s, c, cpu, m);
    m[KS_IPC] = NAN; /* no counters are simulated */
}

/* Decimals each metric was rounded to (col_round, round): the precision put_num
 * tries first. */
static const signed char metric_dp[KS_NMETRIC] = {
    [KS_CPU_PCT] = 2,         [KS_CPU_MHZ] = 1,          [KS_DISK_READ_KIBPS] = 1,
    [KS_DISK_WRITE_KIBPS] = 1, [KS_DISK_READ_IOPS] = 1,  [KS_DISK_WRITE_IOPS] = 1,
    [KS_DISK_AWAIT_MS] = 1,   [KS_DISK_UTIL_PCT] = 1,    [KS_NET_RX_KIBPS] = 1,
    [KS_NET_TX_KIBPS] = 1,
};
static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};

/* v as col_fmt_num writes it, at p; returns the end. v was rounded to dp decimals, so
 * k = round(v x 10^dp) is exact and k / 10^dp gives v back: then the text is k with dp
 * decimals, trailing zeros dropped, which is what col_fmt_num finds by trying 0, 1, ...
 * decimals (the first count that gives v back gives the same digits). Anything else
 * (NaN, a value not on that grid, a huge one) goes through col_fmt_num itself. */
static char *
put_num(char *p, double v, int dp)
{
    double k = round(v * p10[dp]);
    if (!(v >= 0 && k < 1e15 && k / p10[dp] == v)) {
        char b[KS_NUMBUF];
        size_t n = strlen(col_fmt_num(b, v));
        memcpy(p, b, n);
        return p + n;
    }
    unsigned long long u = (unsigned long long)k;
    while (dp > 0 && u % 10 == 0) {
        u /= 10;
        dp--;
    }
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
        if (n == dp)
            tmp[n++] = '.';
    } while (u || n <= dp);
    if (tmp[n - 1] == '.')
        *p++ = '0';
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/* One samples.csv row at p (room for ROW_MAX bytes); returns the end. The text is the
 * one ks_samples_put_row writes for these values. */
#define ROW_MAX (KS_NUMBUF * (KS_NMETRIC + 2) + sizeof ((struct server *)0)->name + 2)
static char *
put_row(char *p, const char *time, size_t tn, const char *name, const char *step, size_t sn,
        const double *m)
{
    memcpy(p, time, tn);
    p += tn;
    for (*p++ = ','; *name; name++)
        *p++ = *name;
    *p++ = ',';
    memcpy(p, step, sn);
    p += sn;
    for (int k = 0; k < KS_NMETRIC; k++) {
        *p++ = ',';
        p = isnan(m[k]) ? p : put_num(p, m[k], metric_dp[k]);
    }
    *p++ = '\n';
    return p;
}

/* ---- flows.csv (--flows) ------------------------------------------------------------ */

/* Who a server sends to: its share of the window's bytes, the address and the
 * destination port (a service port for a request; for a response the client's
 * ephemeral port, as a capture sees it). */
struct flow_dest {
    char addr[32];
    int dport;
    double share;
};

enum { PORT_HTTP = 80, PORT_APP = 8080, PORT_SQL = 1433, PORT_SMB = 445, PORT_BACKUP = 9103 };

/* An ephemeral port (49152-65535) fixed per pair, so a conversation is one flow. */
static int
ephemeral(size_t a, size_t b)
{
    return 49152 + (int)((a * 7919 + b * 104729) % 16384);
}

/* n destinations among group members [first, first+count) of server i, sharing w. */
static size_t
to_members(struct flow_dest *d, size_t n, size_t i, size_t first, size_t count, double w,
           int dport)
{
    for (size_t k = 0; k < count; k++, n++) {
        gen_ip(d[n].addr, sizeof d[n].addr, first + k);
        d[n].dport = dport ? dport : ephemeral(first + k, i);
        d[n].share = w / (double)count;
    }
    return n;
}

/* Two clients outside the room (TEST-NET-1, RFC 5737) answered by server i. */
static size_t
to_clients(struct flow_dest *d, size_t n, size_t i, double w)
{
    static const double split[2] = {0.6, 0.4};
    for (size_t k = 0; k < 2; k++, n++) {
        size_t cl = (i * 3 + k) % 50 + 1;
        snprintf(d[n].addr, sizeof d[n].addr, "192.0.2.%zu", cl);
        d[n].dport = ephemeral(1000000 + cl, i);
        d[n].share = w * split[k];
    }
    return n;
}

/* The destinations of server i's ordinary traffic (backup is added by the caller). A
 * group is 2 web, 2 app, 1 db at indices 5g .. 5g+4 (assign_roles): web answers clients
 * and calls the app tier, app answers web and queries the database, which answers app;
 * batch queries one group's database; file and legacy servers answer clients. */
static size_t
destinations(const struct gen *g, size_t i, struct flow_dest *d)
{
    const struct server *s = &g->srv[i];
    size_t base = s->group >= 0 ? (size_t)s->group * 5 : 0;
    switch (s->role) {
    case GEN_WEB:
        if (s->group >= 0)
            return to_members(d, to_clients(d, 0, i, 0.75), i, base + 2, 2, 0.25, PORT_APP);
        break;
    case GEN_APP:
        if (s->group >= 0)
            return to_members(d, to_members(d, 0, i, base, 2, 0.5, 0), i, base + 4, 1, 0.5,
                              PORT_SQL);
        break;
    case GEN_DB:
        if (s->group >= 0)
            return to_members(d, 0, i, base + 2, 2, 1, 0);
        break;
    case GEN_BATCH:
        if (g->ngroups > 0)
            return to_members(d, 0, i, (i % g->ngroups) * 5 + 4, 1, 1, PORT_SQL);
        break;
    default:
        break;
    }
    return to_clients(d, 0, i, 1);
}

/* One flows.csv row per destination with its bytes of the window ending at t; then
 * the server's window starts again. Packets: 1,000 B a frame, as tx_pps assumes. */
static void
put_flows(struct gen *g, FILE *f, double t)
{
    char b[KS_NUMBUF], src[32];
    struct flow_dest d[8];
    for (size_t i = 0; i < g->n; i++) {
        struct server *s = &g->srv[i];
        double bytes = s->tx_KiB * 1024, backup = s->tx_backup_KiB * 1024;
        size_t n = destinations(g, i, d);
        for (size_t k = 0; k < n; k++)
            d[k].share *= bytes > 0 ? (bytes - backup) / bytes : 0;
        if (backup > 0) {
            snprintf(d[n].addr, sizeof d[n].addr, "198.51.100.10"); /* TEST-NET-2 */
            d[n].dport = PORT_BACKUP;
            d[n++].share = backup / bytes;
        }
        gen_ip(src, sizeof src, i);
        for (size_t k = 0; k < n; k++) {
            double by = round(bytes * d[k].share);
            if (by < 1)
                continue;
            fprintf(f, "%s,%s,%s,%s,tcp,%d,%.0f,%.0f\n", col_fmt_num(b, t), s->name, src,
                    d[k].addr, d[k].dport, by, fmax(1, round(by / 1000)));
        }
        s->tx_KiB = s->tx_backup_KiB = 0;
    }
}

/* One output file of the dataset: the atomic file and the stream written into it,
 * the file itself or, with --compress, a zstd stream into it (nothing uncompressed
 * reaches the disk). */
struct gen_out {
    struct ks_afile af;
    FILE *f;
};

/* Open dir/name, or dir/name.zst when zlevel > 0. */
static int
out_open(struct gen_out *go, const char *dir, const char *name, int zlevel, struct ks_err *err)
{
    char *p = ks_xasprintf(zlevel > 0 ? "%s/%s.zst" : "%s/%s", dir, name);
    int rc = ks_afile_open(&go->af, p, err);
    free(p);
    if (rc < 0)
        return rc;
    setvbuf(go->af.f, NULL, _IOFBF, 1 << 20);
    go->f = go->af.f;
    if (zlevel > 0 && (rc = ks_zst_fopen(go->af.f, zlevel, -1, go->af.path, &go->f, err)) < 0) {
        ks_afile_abort(&go->af);
        return rc;
    }
    return 0;
}

/* Finish the stream and commit the file (rc < 0: abort it and return rc). A failed
 * write to the file itself is reported by the commit, with its cause. */
static int
out_close(struct gen_out *go, int rc, struct ks_err *err)
{
    if (go->f != go->af.f && fclose(go->f) != 0 && rc == 0 && !ferror(go->af.f))
        rc = ks_errf(err, -EIO, "%s: zstd: compressing failed", go->af.path);
    if (rc < 0) {
        ks_afile_abort(&go->af);
        return rc;
    }
    return ks_afile_commit(&go->af, err);
}

/* Rows are generated in batches of steps (a flows window, or GEN_BATCH steps), each
 * batch on up to GEN_THREADS threads that take contiguous slices of the inventory. A
 * server's draws come from its own RNG and a step's group levels are drawn before the
 * batch, so the text is the same for any thread count: each slice's rows of a step are
 * written in slice order. */
#define GEN_BATCH 12
#define GEN_THREADS 2

/* One thread's slice [first, last) of the servers and its rows of every step of the
 * batch: step j's rows are text[off[j] .. off[j + 1]). */
struct gen_slice {
    struct gen *g;
    size_t first, last, nsteps;
    const struct clock *clk;
    const double *glevel; /* nsteps x (ngroups + 1) */
    const double *t_end;  /* nsteps */
    char *text;
    size_t cap, *off;
};

static void *
gen_slice_run(void *arg)
{
    struct gen_slice *sl = arg;
    struct gen *g = sl->g;
    char sb[KS_NUMBUF];
    const char *step = col_fmt_num(sb, g->o->step_s);
    size_t sn = strlen(step), len = 0, stride = g->ngroups + 1;
    double m[KS_NMETRIC];
    for (size_t j = 0; j < sl->nsteps; j++) {
        char tb[KS_NUMBUF];
        const char *tm = col_fmt_num(tb, sl->t_end[j]);
        size_t tn = strlen(tm);
        sl->off[j] = len;
        for (size_t i = sl->first; i < sl->last; i++) {
            if (sl->cap - len < ROW_MAX) {
                sl->cap = 2 * sl->cap + ROW_MAX;
                sl->text = ks_xrealloc(sl->text, sl->cap);
            }
            sample(&g->srv[i], &sl->clk[j], sl->glevel + j * stride, m);
            len = (size_t)(put_row(sl->text + len, tm, tn, g->srv[i].name, step, sn, m) -
                           sl->text);
        }
    }
    sl->off[sl->nsteps] = len;
    return NULL;
}

/* Steps [k0, k0 + nb) of every server into f, in time-major inventory order. */
static void
put_batch(struct gen *g, struct gen_slice *sl, size_t nsl, size_t k0, size_t nb,
          struct clock *clk, double *glevel, double *t_end, FILE *f)
{
    const struct col_gen_opts *o = g->o;
    size_t stride = g->ngroups + 1;
    for (size_t j = 0; j < nb; j++) {
        t_end[j] = o->start_s + (double)(k0 + j + 1) * o->step_s;
        clock_at(&clk[j], t_end[j] - o->step_s / 2, o->step_s);
        for (size_t q = 0; q < g->ngroups; q++)
            glevel[j * stride + q] = group_level(&g->grp[q], &clk[j]);
    }
    pthread_t tid[GEN_THREADS];
    int started[GEN_THREADS] = {0};
    for (size_t t = 0; t < nsl; t++) {
        sl[t].nsteps = nb;
        if (t > 0)
            started[t] = pthread_create(&tid[t], NULL, gen_slice_run, &sl[t]) == 0;
    }
    gen_slice_run(&sl[0]);
    for (size_t t = 1; t < nsl; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            gen_slice_run(&sl[t]); /* no thread to be had: the same rows, serially */
    }
    for (size_t j = 0; j < nb; j++)
        for (size_t t = 0; t < nsl; t++)
            fwrite(sl[t].text + sl[t].off[j], 1, sl[t].off[j + 1] - sl[t].off[j], f);
}

/* Threads for generating: KASANE_GEN_THREADS if set (1: serially), else up to
 * GEN_THREADS by online CPUs; never more slices than servers. */
static size_t
gen_threads(size_t nsrv)
{
    const char *e = getenv("KASANE_GEN_THREADS");
    long n = e && *e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    size_t t = n < 1 ? 1 : n > GEN_THREADS ? GEN_THREADS : (size_t)n;
    return t > nsrv ? nsrv : t;
}

/* Time-major generation: step by step, every server in inventory order, which is
 * exactly the sorted order samples.csv needs; nothing is held beyond one batch. */
static int
write_samples(struct gen *g, unsigned long long *rows, struct ks_err *err)
{
    const struct col_gen_opts *o = g->o;
    struct gen_out so, fo = {0};
    int rc = out_open(&so, o->out_dir, "samples.csv", o->compress, err);
    /* flows.csv by the hour (a 5-minute flow table would triple the dataset): a
     * window closes every `every` steps and at the last one. */
    if (rc == 0 && o->flows && (rc = out_open(&fo, o->out_dir, "flows.csv", o->compress, err)) < 0)
        out_close(&so, rc, err);
    if (rc < 0)
        return rc;
    ks_samples_put_header(so.f, NULL, 0);
    if (o->flows)
        fputs("time,entity,src,dst,proto,dport,bytes,packets\n", fo.f);
    size_t nsteps = (size_t)floor(o->days * 86400 / o->step_s + 1e-9);
    size_t every = (size_t)fmax(1, round(3600 / o->step_s));
    /* A batch never crosses a flows window's end, so the flows are written after the
     * steps they count and before the next window's. */
    size_t batch = o->flows ? every : GEN_BATCH;
    if (batch > 256)
        batch = 256;
    struct clock *clk = ks_xcalloc(batch, sizeof *clk);
    double *glevel = ks_xcalloc(batch * (g->ngroups + 1), sizeof *glevel);
    double *t_end = ks_xcalloc(batch, sizeof *t_end);
    size_t nsl = gen_threads(g->n);
    struct gen_slice sl[GEN_THREADS];
    for (size_t t = 0; t < nsl; t++)
        sl[t] = (struct gen_slice){.g = g, .first = g->n * t / nsl, .last = g->n * (t + 1) / nsl,
                                   .clk = clk, .glevel = glevel, .t_end = t_end,
                                   .off = ks_xcalloc(batch + 1, sizeof *sl[t].off)};
    size_t batches = 0;
    for (size_t k = 0; k < nsteps;) {
        size_t nb = batch;
        if (o->flows && nb > every - k % every)
            nb = every - k % every;
        if (nb > nsteps - k)
            nb = nsteps - k;
        put_batch(g, sl, nsl, k, nb, clk, glevel, t_end, so.f);
        if (++batches % 16 == 0) /* every 16 batches: tens of MB at 10,000 servers */
            ks_afile_writeback(&so.af);
        k += nb;
        if (o->flows && (k % every == 0 || k == nsteps))
            put_flows(g, fo.f, t_end[nb - 1]);
        if (o->progress && k / 256 != (k - nb) / 256)
            o->progress(o->progress_ctx, (double)k / (double)nsteps);
    }
    for (size_t t = 0; t < nsl; t++) {
        free(sl[t].text);
        free(sl[t].off);
    }
    free(t_end);
    free(glevel);
    free(clk);
    if (rows)
        *rows = (unsigned long long)nsteps * g->n;
    rc = out_close(&so, 0, err);
    return o->flows ? out_close(&fo, rc, err) : rc;
}

void
col_gen_opts_init(struct col_gen_opts *o)
{
    memset(o, 0, sizeof *o);
    o->servers = 60;
    o->days = 14;
    o->step_s = 300;
    o->seed = 1;
    o->profile = "mix";
    o->start_s = NAN;
}

/* Option values outside their domain: -EINVAL, which the CLI reports as a usage
 * error (nothing was read, so it is not bad input). */
static int
check_opts(const struct col_gen_opts *o, struct ks_err *err)
{
    int known = strcmp(o->profile, "mix") == 0;
    for (int r = 0; r < GEN_NROLE; r++)
        known |= strcmp(o->profile, col_gen_role_names[r]) == 0;
    if (!known)
        return ks_errf(err, -EINVAL, "profile '%s': not mix, legacy, web, app, db, batch or file",
                       o->profile);
    if (o->servers < 1 || o->servers > 1000000)
        return ks_errf(err, -EINVAL, "servers: %lu is not in 1..1000000", o->servers);
    if (!(o->step_s >= 1) || !(o->days > 0) || o->days * 86400 < o->step_s)
        return ks_errf(err, -EINVAL, "need step >= 1 s and days covering at least one step");
    return 0;
}

int
col_gen_run(const struct col_gen_opts *o, unsigned long long *rows, struct ks_err *err)
{
    struct col_gen_opts oo = *o;
    if (isnan(oo.start_s))
        oo.start_s = 1206316800; /* 2008-03-24 00:00:00 UTC, a Monday */
    int rc = check_opts(&oo, err);
    if (rc < 0)
        return rc;
    struct gen g = {.o = &oo};
    build(&g);
    struct ks_dataset *ds = ks_dataset_new();
    write_inventory(&g, ds);
    rc = ks_dataset_write(ds, oo.out_dir, err);
    ks_dataset_free(ds);
    if (rc == 0)
        rc = write_samples(&g, rows, err);
    free(g.srv);
    free(g.grp);
    return rc;
}
