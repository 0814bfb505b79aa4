#include "collect/col_prom_import.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collect/col_prom_client.h"
#include "collect/col_prom_expo.h"
#include "core/ks_csv.h"
#include "core/ks_dataset.h"

/* Per (entity, step) the page holds the KS_NMETRIC samples.csv metrics followed by the
 * node_exporter inputs that need arithmetic before they become metrics. */
enum {
    CH_NCPU = KS_NMETRIC, /* logical CPUs */
    CH_CPUALL,            /* CPU-seconds per second, all modes */
    CH_BUSY,              /* busy CPU-seconds per second (all modes but idle, iowait) */
    CH_STEAL,             /* stolen CPU-seconds per second */
    CH_FREQ,              /* clock of the fastest CPU, hertz */
    CH_MEMT,              /* MemTotal, bytes */
    CH_MEMA,              /* MemAvailable, bytes */
    CH_DTIME,             /* seconds spent on reads + writes per second (await numerator) */
    NCH
};
#define CH_UNAME (-1) /* node_uname_info: inventory only */

/* Whole disks: partitions, device-mapper, md, loop, RAM and optical devices would
 * count the same bytes twice (or count none that reach a disk). */
#define DISK_SEL                                                                                   \
    "device!~\"(loop|z?ram|fd|sr|dm-|md|nbd|drbd|rbd)[0-9]+|(h|s|v|xv)d[a-z]+[0-9]+|"              \
    "(nvme[0-9]+n[0-9]+|mmcblk[0-9]+)p[0-9]+\"$"
/* Physical NICs: loopback, bridges, bonds, VLANs, veth/tap/vnet and overlay devices
 * carry traffic that a physical NIC also counts. */
#define NET_SEL                                                                                    \
    "device!~\"lo|veth.+|docker[0-9]+|br[0-9]+|br-.+|virbr[0-9]+(-nic)?|vnet[0-9]+|tap.+|"         \
    "ifb[0-9]+|bond[0-9]+|cni.+|flannel.+|cali.+|.+[.][0-9]+\"$"
#define RATE_SUM(metric, sel) "sum by (instance) (rate(" metric "{" sel "}[@R]))"

struct query {
    unsigned src; /* COL_PROM_SRC_* */
    const char *tmpl;
    int chan;     /* CH_* or enum ks_metric */
    double scale; /* answer value * scale = stored value */
};

/* node_exporter queries; node_uname_info comes first so that entity names (instance or
 * nodename) are settled before any value arrives. */
static const struct query node_queries[] = {
    {COL_PROM_SRC_NODE, "node_uname_info{$}", CH_UNAME, 1},
    {COL_PROM_SRC_NODE, "count by (instance) (node_cpu_seconds_total{mode=\"idle\"$})", CH_NCPU, 1},
    {COL_PROM_SRC_NODE, RATE_SUM("node_cpu_seconds_total", "$"), CH_CPUALL, 1},
    {COL_PROM_SRC_NODE, RATE_SUM("node_cpu_seconds_total", "mode!~\"idle|iowait\"$"), CH_BUSY, 1},
    {COL_PROM_SRC_NODE, RATE_SUM("node_cpu_seconds_total", "mode=\"steal\"$"), CH_STEAL, 1},
    {COL_PROM_SRC_NODE,
     "max by (instance) (node_cpu_frequency_max_hertz{$}) or max by (instance) "
     "(node_cpu_scaling_frequency_max_hertz{$}) or max by (instance) "
     "(node_cpu_scaling_frequency_hertz{$})",
     CH_FREQ, 1},
    {COL_PROM_SRC_NODE, "max by (instance) (node_memory_MemTotal_bytes{$})", CH_MEMT, 1},
    {COL_PROM_SRC_NODE, "max by (instance) (node_memory_MemAvailable_bytes{$})", CH_MEMA, 1},
    {COL_PROM_SRC_NODE, RATE_SUM("node_disk_read_bytes_total", DISK_SEL), KS_DISK_READ_KIBPS,
     1 / 1024.0},
    {COL_PROM_SRC_NODE, RATE_SUM("node_disk_written_bytes_total", DISK_SEL), KS_DISK_WRITE_KIBPS,
     1 / 1024.0},
    {COL_PROM_SRC_NODE, RATE_SUM("node_disk_reads_completed_total", DISK_SEL), KS_DISK_READ_IOPS,
     1},
    {COL_PROM_SRC_NODE, RATE_SUM("node_disk_writes_completed_total", DISK_SEL), KS_DISK_WRITE_IOPS,
     1},
    {COL_PROM_SRC_NODE,
     "sum by (instance) (rate(node_disk_read_time_seconds_total{" DISK_SEL
     "}[@R]) + rate(node_disk_write_time_seconds_total{" DISK_SEL "}[@R]))",
     CH_DTIME, 1},
    {COL_PROM_SRC_NODE,
     "max by (instance) (rate(node_disk_io_time_seconds_total{" DISK_SEL "}[@R]))",
     KS_DISK_UTIL_PCT, 100},
    {COL_PROM_SRC_NODE, RATE_SUM("node_network_receive_bytes_total", NET_SEL), KS_NET_RX_KIBPS,
     1 / 1024.0},
    {COL_PROM_SRC_NODE, RATE_SUM("node_network_transmit_bytes_total", NET_SEL), KS_NET_TX_KIBPS,
     1 / 1024.0},
    {COL_PROM_SRC_NODE, RATE_SUM("node_network_receive_packets_total", NET_SEL), KS_NET_RX_PPS, 1},
    {COL_PROM_SRC_NODE, RATE_SUM("node_network_transmit_packets_total", NET_SEL), KS_NET_TX_PPS, 1},
};
#define NNODE (sizeof node_queries / sizeof *node_queries)
/* kasane's gauges: the peak within each step, so a coarse step keeps the peaks. */
#define KASANE_TMPL "max by (entity, kind) (max_over_time(%s{$}[@G]))"

/* What is kept per entity for the whole run (the inventory). */
struct entinfo {
    int node;                    /* from node_exporter (else kasane) */
    double ncpu, mem_b, freq_hz; /* maxima over the run, NaN = never seen */
};

struct imp {
    const struct col_prom_import_opts *o;
    struct ks_dataset *ds; /* inventory only; samples are streamed to the file */
    struct ks_map inst;    /* node_exporter instance label -> entity index */
    struct entinfo *info;
    size_t ninfo, infocap;
    size_t k0, np;  /* steps of the current page */
    size_t pg_nent; /* entities with storage in pg (NaN-filled) */
    size_t pg_cap;  /* entities pg has room for */
    double *pg;     /* pg_nent * np * NCH values, NaN = none */
    const struct query *q;
    size_t page_series; /* most series one answer of this page had */
    size_t rows;
    struct ks_err *err; /* of the query in progress, for on_series */
};

static double *
cell(struct imp *im, size_t e, size_t k)
{
    return im->pg + (e * im->np + k) * NCH;
}

/* Give entity e storage in the page, NaN-filled. Room grows by doubling: the first
 * page of a fleet discovers its hosts one by one. */
static void
page_reserve(struct imp *im, size_t e)
{
    if (e < im->pg_nent)
        return;
    size_t per = im->np * NCH;
    if (e >= im->pg_cap) {
        im->pg_cap = e + 1 > 2 * im->pg_cap ? e + 1 : 2 * im->pg_cap;
        im->pg = ks_xrealloc(im->pg, im->pg_cap * per * sizeof *im->pg);
    }
    for (size_t i = im->pg_nent * per; i < (e + 1) * per; i++)
        im->pg[i] = NAN;
    im->pg_nent = e + 1;
}

static size_t
entity(struct imp *im, const char *name, const char *kind, int node)
{
    size_t e = ks_dataset_add_entity(im->ds, name, kind);
    while (im->ninfo <= e) {
        im->info = ks_xgrow(im->info, &im->infocap, im->ninfo + 1, sizeof *im->info);
        im->info[im->ninfo++] = (struct entinfo){node, NAN, NAN, NAN};
    }
    page_reserve(im, e);
    return e;
}

/* ---- series -> page --------------------------------------------------------------- */

static void
note_uname(struct imp *im, const struct col_prom_series *s, const char *instance)
{
    const char *node = col_prom_series_label(s, "nodename");
    const char *sys = col_prom_series_label(s, "sysname");
    const char *rel = col_prom_series_label(s, "release");
    size_t e = entity(im, im->o->by_nodename && node && *node ? node : instance, "physical", 1);
    ks_map_put(&im->inst, instance, (uint32_t)e);
    if (node)
        ks_inv_set(im->ds, e, "hostname", node);
    if (rel) {
        char *os = ks_xasprintf("%s%s%s", sys ? sys : "", sys ? " " : "", rel);
        ks_inv_set(im->ds, e, "os", os);
        free(os);
    }
}

/* Entity a series belongs to, or -1 when it lacks the label that names one. */
static long
series_entity(struct imp *im, const struct col_prom_series *s)
{
    if (im->q->src == COL_PROM_SRC_KASANE) {
        const char *name = col_prom_series_label(s, "entity");
        const char *kind = col_prom_series_label(s, "kind");
        if (!name || !*name) /* Prometheus reads an empty label as none */
            return -1;
        if (!kind || (strcmp(kind, "vm") != 0 && strcmp(kind, "host") != 0))
            kind = "physical";
        return (long)entity(im, name, kind, 0);
    }
    const char *inst = col_prom_series_label(s, "instance");
    uint32_t e;
    if (!inst || !*inst)
        return -1;
    if (im->q->chan == CH_UNAME) {
        note_uname(im, s, inst);
        return -1;
    }
    if (ks_map_get(&im->inst, inst, &e))
        return (long)e;
    e = (uint32_t)entity(im, inst, "physical", 1);
    ks_map_put(&im->inst, inst, e);
    return (long)e;
}

/* The labels that become entity names or hostnames, refused with control bytes. */
static int
check_labels(struct imp *im, const struct col_prom_series *s)
{
    static const char *const names[] = {"entity", "instance", "nodename"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char field[64];
        snprintf(field, sizeof field, "query '%.30s...': label '%s'", im->q->tmpl, names[i]);
        if (ks_dataset_check_name(im->o->url, 0, field, col_prom_series_label(s, names[i]),
                                  im->err) < 0)
            return -EINVAL;
    }
    return 0;
}

static int
on_series(void *ctx, const struct col_prom_series *s)
{
    struct imp *im = ctx;
    if (check_labels(im, s) < 0)
        return -EINVAL;
    long e = series_entity(im, s);
    if (e < 0)
        return 0;
    const struct col_prom_import_opts *o = im->o;
    for (size_t i = 0; i < s->n; i++) {
        double k = round((s->t[i] - o->start_s) / o->step_s) - (double)im->k0;
        /* NaN and +-Inf (0/0 or x/0 in PromQL) are not measurements: unknown. */
        if (k < 0 || k >= (double)im->np || !isfinite(s->v[i]))
            continue;
        /* First answer wins: kasane's own gauges come before node_exporter's. */
        double *c = &cell(im, (size_t)e, (size_t)k)[im->q->chan];
        if (isnan(*c))
            *c = s->v[i] * im->q->scale;
    }
    return 0;
}

/* ---- page -> rows ----------------------------------------------------------------- */

static void
set_if_unknown(double *c, int m, double v)
{
    if (isnan(c[m]))
        c[m] = v;
}

/* Turn node_exporter inputs into samples.csv metrics (NaN stays NaN). CPU shares are
 * busy / all modes, not busy / CPU count: both rates come from the same scrapes, so
 * scrape-time jitter and rate() extrapolation cancel and the share stays within 0-100
 * (busy / count can exceed 100 % over short windows). */
static void
derive(double *c)
{
    const double mib = 1048576.0;
    if (c[CH_CPUALL] > 0) {
        double busy = c[CH_BUSY] / c[CH_CPUALL];
        set_if_unknown(c, KS_CPU_PCT, 100.0 * busy);
        set_if_unknown(c, KS_CPU_STEAL_PCT, 100.0 * c[CH_STEAL] / c[CH_CPUALL]);
        set_if_unknown(c, KS_CPU_MHZ, busy * c[CH_NCPU] * c[CH_FREQ] / 1e6);
    }
    set_if_unknown(c, KS_MEM_TOTAL_MIB, c[CH_MEMT] / mib);
    set_if_unknown(c, KS_MEM_USED_MIB, (c[CH_MEMT] - c[CH_MEMA]) / mib);
    double ios = c[KS_DISK_READ_IOPS] + c[KS_DISK_WRITE_IOPS];
    /* No I/O in the window: no time waited either, await 0 as iostat prints it. */
    if (!isnan(c[CH_DTIME]) && !isnan(ios))
        set_if_unknown(c, KS_DISK_AWAIT_MS, ios > 0 ? 1000.0 * c[CH_DTIME] / ios : 0);
}

static void
keep_max(double *acc, double v)
{
    if (!isnan(v) && !(*acc >= v))
        *acc = v;
}

static void
write_page(struct imp *im, FILE *f)
{
    const struct col_prom_import_opts *o = im->o;
    for (size_t k = 0; k < im->np; k++)
        for (size_t e = 0; e < im->pg_nent; e++) {
            double *c = cell(im, e, k);
            int any = 0;
            derive(c);
            for (int m = 0; m < KS_NMETRIC; m++)
                any |= !isnan(c[m]);
            if (!any)
                continue;
            struct entinfo *in = &im->info[e];
            keep_max(&in->ncpu, c[CH_NCPU]);
            keep_max(&in->freq_hz, c[CH_FREQ]);
            keep_max(&in->mem_b, isnan(c[CH_MEMT]) ? c[KS_MEM_TOTAL_MIB] * 1048576.0 : c[CH_MEMT]);
            double t = o->start_s + (double)(im->k0 + k) * o->step_s;
            ks_samples_put_row(f, t, ks_dataset_entity(im->ds, e), o->step_s, c, NULL, 0);
            im->rows++;
        }
}

/* ---- queries ---------------------------------------------------------------------- */

/* "{job="x"}" or " job="x" " -> "job="x"" (caller frees); "" when there is none. */
static char *
normalize_match(const char *m)
{
    if (!m)
        return ks_xstrdup("");
    while (*m == ' ')
        m++;
    size_t n = strlen(m);
    while (n && m[n - 1] == ' ')
        n--;
    if (n >= 2 && m[0] == '{' && m[n - 1] == '}') {
        m++;
        n -= 2;
    }
    return ks_xstrndup(m, n);
}

static void
put_ms(FILE *f, double s)
{
    fprintf(f, "%lldms", (long long)llround(s * 1000.0));
}

char *
col_prom_expand(const char *tmpl, const char *match, double rate_s, double gauge_s)
{
    char *out = NULL;
    size_t len = 0;
    int have = match && *match;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        abort();
    for (const char *p = tmpl; *p; p++) {
        if (strncmp(p, "{$}", 3) == 0) {
            if (have)
                fprintf(f, "{%s}", match);
            p += 2;
        } else if (*p == '$') {
            if (have)
                fprintf(f, ",%s", match);
        } else if (p[0] == '@' && (p[1] == 'R' || p[1] == 'G')) {
            put_ms(f, *++p == 'R' ? rate_s : gauge_s);
        } else {
            fputc(*p, f);
        }
    }
    fclose(f);
    return out;
}

/* The run's queries with the selector and windows filled in. */
struct qset {
    struct query q[KS_NMETRIC + NNODE];
    char *text[KS_NMETRIC + NNODE]; /* owned PromQL */
    size_t n;
};

static void
qset_add(struct qset *qs, const struct query *q, const char *promql)
{
    qs->q[qs->n] = *q;
    qs->text[qs->n] = ks_xstrdup(promql);
    qs->q[qs->n].tmpl = qs->text[qs->n];
    qs->n++;
}

static void
qset_add_kasane(struct qset *qs, const char *match, double rate_s, double gauge_s)
{
    for (int m = 0; m < KS_NMETRIC; m++) {
        char *tm = ks_xasprintf(KASANE_TMPL, col_prom_metrics[m].name);
        char *e = col_prom_expand(tm, match, rate_s, gauge_s);
        struct query q = {COL_PROM_SRC_KASANE, NULL, m,
                          col_prom_metrics[m].div / col_prom_metrics[m].mul};
        qset_add(qs, &q, e);
        free(tm);
        free(e);
    }
}

/* Order: node_uname_info, kasane's gauges, node_exporter's values (on_series keeps the
 * first value a cell gets, so kasane's own measurements win for a host that runs both
 * and is named by nodename). */
static void
qset_build(struct qset *qs, const struct col_prom_import_opts *o, unsigned src)
{
    char *match = normalize_match(o->match);
    double scrape = o->scrape_s > 0 ? o->scrape_s : 15;
    /* Grafana's $__rate_interval rule: a window of step + one scrape never misses a
     * counter increment, and >= 4 scrapes keeps rate() defined when one is lost. */
    double rate_s = fmax(o->step_s + scrape, 4 * scrape), gauge_s = fmax(o->step_s, scrape);
    qs->n = 0;
    for (size_t i = 0; i < NNODE; i++) {
        if (i == 1 && (src & COL_PROM_SRC_KASANE))
            qset_add_kasane(qs, match, rate_s, gauge_s);
        if (src & COL_PROM_SRC_NODE) {
            char *t = col_prom_expand(node_queries[i].tmpl, match, rate_s, gauge_s);
            qset_add(qs, &node_queries[i], t);
            free(t);
        }
    }
    free(match);
}

static void
qset_fini(struct qset *qs)
{
    for (size_t i = 0; i < qs->n; i++)
        free(qs->text[i]);
}

/* ---- the run ---------------------------------------------------------------------- */

static void
page_reset(struct imp *im, size_t k0, size_t np)
{
    free(im->pg);
    im->pg = NULL;
    im->pg_nent = im->pg_cap = 0;
    im->k0 = k0;
    im->np = np;
    im->page_series = 0;
    if (ks_dataset_nent(im->ds))
        page_reserve(im, ks_dataset_nent(im->ds) - 1);
}

static int
run_page(struct imp *im, struct col_prom_client *c, const struct qset *qs, FILE *f,
         struct ks_err *err)
{
    const struct col_prom_import_opts *o = im->o;
    double t0 = o->start_s + (double)im->k0 * o->step_s;
    double t1 = o->start_s + (double)(im->k0 + im->np - 1) * o->step_s;
    for (size_t i = 0; i < qs->n; i++) {
        im->q = &qs->q[i];
        im->err = err;
        int rc = col_prom_query_range(c, qs->q[i].tmpl, t0, t1, o->step_s, on_series, im, err);
        if (rc < 0)
            return rc;
        if ((size_t)rc > im->page_series)
            im->page_series = (size_t)rc;
    }
    write_page(im, f);
    return 0;
}

static void
fill_inventory(struct imp *im)
{
    for (size_t e = 0; e < im->ninfo; e++) {
        const struct entinfo *in = &im->info[e];
        if (!isnan(in->ncpu))
            ks_inv_set_num(im->ds, e, "threads", in->ncpu);
        if (!isnan(in->mem_b))
            ks_inv_set_num(im->ds, e, "mem_MiB", in->mem_b / 1048576.0);
        if (!isnan(in->freq_hz))
            ks_inv_set_num(im->ds, e, "core_MHz", in->freq_hz / 1e6);
        ks_inv_set(im->ds, e, "notes",
                   !in->node ? "from Prometheus: kasane exporter"
                   : isnan(in->freq_hz)
                       ? "from Prometheus: node_exporter; kind assumed physical; cpu_MHz "
                         "unknown: no node_cpu_frequency_max_hertz or "
                         "node_cpu_scaling_frequency_hertz"
                       : "from Prometheus: node_exporter; kind assumed physical");
    }
}

static const char *
fmt_time(char *buf, size_t n, double t)
{
    time_t s = (time_t)floor(t);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

static int
check_opts(const struct col_prom_import_opts *o, struct ks_err *err)
{
    if (!o->url || !*o->url)
        return ks_errf(err, -EINVAL, "import prometheus: no Prometheus URL");
    if (!(o->step_s > 0) || !isfinite(o->step_s))
        return ks_errf(err, -EINVAL, "import prometheus: step must be > 0 seconds");
    if (!isfinite(o->start_s) || !isfinite(o->end_s) || o->end_s < o->start_s)
        return ks_errf(err, -EINVAL, "import prometheus: end (%.17g) is before start (%.17g)",
                       o->end_s, o->start_s);
    if (o->page_s < 0 || o->scrape_s < 0)
        return ks_errf(err, -EINVAL, "import prometheus: page and scrape must be >= 0 s");
    if (o->sources & ~(unsigned)(COL_PROM_SRC_NODE | COL_PROM_SRC_KASANE))
        return ks_errf(err, -EINVAL, "import prometheus: unknown source bits 0x%x", o->sources);
    return 0;
}

/* Steps per page: fixed by page_s, else at most a day and COL_PROM_PAGE_POINTS per
 * answer; the first automatic page is short because the series count is unknown. */
static size_t
page_steps(const struct col_prom_import_opts *o, size_t series, int first)
{
    double cap = o->page_s > 0 ? floor(o->page_s / o->step_s) : floor(86400 / o->step_s);
    cap = fmin(fmax(cap, 1), COL_PROM_MAX_STEPS);
    if (o->page_s > 0)
        return (size_t)cap;
    if (first)
        return (size_t)fmin(cap, 60);
    double budget = o->page_points ? (double)o->page_points : COL_PROM_PAGE_POINTS;
    return (size_t)fmin(cap, fmax(1, floor(budget / fmax(1, (double)series))));
}

static int
import_pages(struct imp *im, struct col_prom_client *c, FILE *f, struct ks_err *err)
{
    const struct col_prom_import_opts *o = im->o;
    struct qset qs;
    size_t nsteps = (size_t)floor((o->end_s - o->start_s) / o->step_s + 1e-9) + 1;
    size_t pages = 0;
    int rc = 0;
    qset_build(&qs, o, o->sources ? o->sources : COL_PROM_SRC_NODE | COL_PROM_SRC_KASANE);
    for (size_t k0 = 0; k0 < nsteps && rc == 0; k0 += im->np, pages++) {
        size_t np = page_steps(o, im->page_series, k0 == 0);
        page_reset(im, k0, np < nsteps - k0 ? np : nsteps - k0);
        rc = run_page(im, c, &qs, f, err);
    }
    qset_fini(&qs);
    if (o->stats)
        o->stats->pages = pages;
    if (rc == 0 && im->rows == 0) {
        char a[32], b[32];
        rc = ks_errf(err, -ENODATA,
                     "%s: empty result: no node_exporter or kasane series between %s and %s "
                     "(step %gs%s%s); check the time range and the selector",
                     o->url, fmt_time(a, sizeof a, o->start_s), fmt_time(b, sizeof b, o->end_s),
                     o->step_s, o->match && *o->match ? ", match " : "",
                     o->match && *o->match ? o->match : "");
    }
    return rc;
}

/* Create dir if missing; *created says whether this run made it (and may remove it). */
static int
make_dir(const char *dir, int *created, struct ks_err *err)
{
    *created = mkdir(dir, 0777) == 0;
    if (!*created && errno != EEXIST) {
        int e = errno;
        return ks_errf(err, -e, "%s: cannot create directory: %s", dir, strerror(e));
    }
    return 0;
}

int
col_prom_import(const struct col_prom_import_opts *o, const char *out_dir, struct ks_err *err)
{
    struct col_prom_client *c = NULL;
    struct imp im = {.o = o, .ds = ks_dataset_new()};
    struct ks_afile af = {0};
    char *spath = ks_xasprintf("%s/samples.csv", out_dir);
    char *ipath = ks_xasprintf("%s/inventory.csv", out_dir);
    int created = 0;
    ks_map_init(&im.inst);
    int rc = check_opts(o, err);
    if (rc == 0)
        rc = col_prom_client_new(o->url, o->timeout_s, &c, err);
    if (rc == 0)
        rc = make_dir(out_dir, &created, err);
    if (rc == 0 && (rc = ks_afile_open(&af, spath, err)) == 0) {
        ks_samples_put_header(af.f, NULL, 0);
        rc = import_pages(&im, c, af.f, err);
        if (rc == 0) {
            fill_inventory(&im);
            rc = ks_table_write(&im.ds->inv, ipath, err);
        }
        if (rc == 0)
            rc = ks_afile_commit(&af, err);
        else
            ks_afile_abort(&af);
    }
    if (rc < 0 && created)
        rmdir(out_dir); /* only empty: a failed import leaves no trace */
    if (o->stats) {
        o->stats->entities = ks_dataset_nent(im.ds);
        o->stats->rows = im.rows;
        o->stats->requests = c ? col_prom_client_requests(c) : 0;
    }
    col_prom_client_free(c);
    ks_dataset_free(im.ds);
    ks_map_fini(&im.inst);
    free(im.info);
    free(im.pg);
    free(spath);
    free(ipath);
    return rc;
}
