/*
 * perfmon: Windows Performance Monitor logs in CSV, as `typeperf -f CSV -o FILE` and
 * `relog LOG.blg -f csv -o FILE` write them (the PDH text log, "PDH-CSV 4.0"):
 *
 *   "(PDH-CSV 4.0) (W. Europe Standard Time)(-60)","\\WEB01\Processor(_Total)\% Processor Time",...
 *   "12/01/2026 09:00:15.123","12.5",...
 *   "12/01/2026 09:00:30.123"," ",...
 *
 * The first header cell names the time zone and its bias in minutes, Windows'
 * TIME_ZONE_INFORMATION convention: UTC = local time + bias. Timestamps are local
 * (MM/DD/YYYY HH:MM:SS.mmm) and each is the end of its sample interval; PDH writes
 * the bias once, at the start, so a log across a daylight-saving change is off by an
 * hour after it (and its times go back in autumn: those rows are skipped and counted).
 * Every other column is a counter path \\HOST\Object(Instance)\Counter; one entity per
 * HOST. Values are quoted; " " is a missing sample; a ',' decimal mark (a log written
 * in a decimal-comma locale) is read as '.'. Counter names are matched in English
 * (case ignored); localized counter names are not recognized.
 *
 * Counters used (docs/datasets.md has the table and the typeperf command line):
 * Processor(_Total)\% Processor Time (required), Memory\Available MBytes with
 * --mem-MiB, else Memory\Committed Bytes (one of them required), PhysicalDisk bytes,
 * operations, % Idle Time and Avg. Disk sec/Transfer, Network Interface bytes and
 * packets. A _Total instance is used when logged, else the instances are summed (disk
 * utilization: the busiest disk). Counter columns of unknown objects are ignored.
 */
#include "collect/col_import_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/ks_csv.h"

/* What the log can tell, per host and sample. */
enum {
    PM_CPU,       /* % Processor Time */
    PM_AVAIL,     /* available memory, MiB */
    PM_COMMITTED, /* committed bytes, MiB */
    PM_DISK_RB,   /* bytes/s */
    PM_DISK_WB,
    PM_DISK_R, /* operations/s */
    PM_DISK_W,
    PM_DISK_UTIL,  /* 100 - % Idle Time */
    PM_DISK_SXFER, /* s per transfer */
    PM_NET_RX,     /* bytes/s */
    PM_NET_TX,
    PM_NET_TOT,
    PM_NET_PRX, /* packets/s */
    PM_NET_PTX,
    PM_N
};

enum { AGG_SUM, AGG_MEAN, AGG_MAX };

/* Known counters: object, counter, what it is, a factor to kasane's unit, and how
 * instances combine when no _Total is logged. */
struct pm_counter {
    const char *object, *counter;
    int metric;
    double scale;
    int agg;
};
static const struct pm_counter pm_counters[] = {
    {"Processor", "% Processor Time", PM_CPU, 1, AGG_MEAN},
    {"Processor Information", "% Processor Time", PM_CPU, 1, AGG_MEAN},
    {"Memory", "Available MBytes", PM_AVAIL, 1, AGG_SUM},
    {"Memory", "Available KBytes", PM_AVAIL, 1.0 / 1024, AGG_SUM},
    {"Memory", "Available Bytes", PM_AVAIL, 1.0 / 1048576, AGG_SUM},
    {"Memory", "Committed Bytes", PM_COMMITTED, 1.0 / 1048576, AGG_SUM},
    {"PhysicalDisk", "Disk Read Bytes/sec", PM_DISK_RB, 1, AGG_SUM},
    {"PhysicalDisk", "Disk Write Bytes/sec", PM_DISK_WB, 1, AGG_SUM},
    {"PhysicalDisk", "Disk Reads/sec", PM_DISK_R, 1, AGG_SUM},
    {"PhysicalDisk", "Disk Writes/sec", PM_DISK_W, 1, AGG_SUM},
    {"PhysicalDisk", "% Idle Time", PM_DISK_UTIL, 1, AGG_MAX},
    {"PhysicalDisk", "Avg. Disk sec/Transfer", PM_DISK_SXFER, 1, AGG_MEAN},
    {"Network Interface", "Bytes Received/sec", PM_NET_RX, 1, AGG_SUM},
    {"Network Interface", "Bytes Sent/sec", PM_NET_TX, 1, AGG_SUM},
    {"Network Interface", "Bytes Total/sec", PM_NET_TOT, 1, AGG_SUM},
    {"Network Interface", "Packets Received/sec", PM_NET_PRX, 1, AGG_SUM},
    {"Network Interface", "Packets Sent/sec", PM_NET_PTX, 1, AGG_SUM},
};
#define PM_NCOUNTERS (sizeof pm_counters / sizeof pm_counters[0])

/* One column of the log. */
struct pm_col {
    char *name;   /* the counter path, for messages */
    int host;     /* index into pm_file.host, -1: column ignored */
    int metric;   /* PM_* */
    int total;    /* the _Total instance */
    double scale; /* to kasane's unit */
    int agg;
};

struct pm_host {
    char *name;
    uint32_t ent;
    int has_total[PM_N]; /* a _Total column is logged for the metric */
    int has_inst[PM_N];  /* an instance column is */
    unsigned ncpu;       /* Processor(N) instances: logical CPUs */
    double sum[PM_N];    /* this row's value per metric (NaN = none yet) */
    unsigned cnt[PM_N];
    int pend; /* a row waits in pm (see pm_file) */
    double pm[KS_NMETRIC];
};

/* One log file being read. */
struct pm_file {
    const char *path;
    const struct col_import_opts *o;
    struct col_isink *s;
    int from_dir; /* found by listing a directory: a file of another kind is skipped */
    struct col_import_report *rep;
    double bias_s; /* UTC = local + bias */
    size_t ncols;
    struct pm_col *col;
    size_t nhost, host_cap;
    struct pm_host *host;
    struct ks_map host_ix; /* lower-case host name -> index */
    /* The row read last waits until the next one: only then are its interval and its
     * completeness (a last line cut off without newline) known. */
    int has_pend;
    unsigned long pend_line;
    double pend_t;  /* its time */
    double pend_dt; /* its interval: time since the row before, NaN for the first */
    int back_note;
};

/* ---- header ------------------------------------------------------------------------- */

/* "(PDH-CSV 4.0) (W. Europe Standard Time)(-60)" -> bias in seconds. */
static int
parse_pdh(const char *cell, double *bias_s)
{
    const char *p = strrchr(cell, '(');
    long b;
    char num[16];
    size_t n = p ? strcspn(p + 1, ")") : 0;
    if (strncmp(cell, "(PDH-CSV 4.0)", 13) != 0 || !p || n == 0 || n >= sizeof num ||
        p[1 + n] != ')' || p[2 + n] != '\0')
        return -1;
    memcpy(num, p + 1, n);
    num[n] = '\0';
    if (ks_parse_long(num, &b) < 0 || b < -24 * 60 || b > 24 * 60)
        return -1;
    *bias_s = (double)b * 60;
    return 0;
}

/* "\\HOST\Object(Instance)\Counter" split in place; instance "" when none. Returns -1
 * when the path has no \\HOST or no counter. */
static int
split_path(char *p, char **host, char **obj, char **inst, char **ctr)
{
    char *c = strrchr(p, '\\'), *h;
    if (strncmp(p, "\\\\", 2) != 0 || !(h = strchr(p + 2, '\\')) || h == p + 2 || c <= h)
        return -1;
    *h = *c = '\0';
    *host = p + 2;
    *obj = h + 1;
    *ctr = c + 1;
    char *open = strchr(*obj, '(');
    size_t n = strlen(*obj);
    *inst = (char *)"";
    if (open && n && (*obj)[n - 1] == ')') { /* instance may hold parentheses itself */
        (*obj)[n - 1] = '\0';
        *open = '\0';
        *inst = open + 1;
    }
    return 0;
}

static const struct pm_counter *
find_counter(const char *obj, const char *ctr)
{
    for (size_t i = 0; i < PM_NCOUNTERS; i++)
        if (strcasecmp(obj, pm_counters[i].object) == 0 &&
            strcasecmp(ctr, pm_counters[i].counter) == 0)
            return &pm_counters[i];
    return NULL;
}

/* Host index by name (Windows names are case-insensitive), added when new. A map, so
 * that a header of thousands of hosts stays linear. */
static int
host_ix(struct pm_file *pf, const char *name)
{
    char *key = ks_xstrdup(name);
    uint32_t ix;
    for (char *p = key; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    if (!ks_map_get(&pf->host_ix, key, &ix)) {
        pf->host = ks_xgrow(pf->host, &pf->host_cap, pf->nhost + 1, sizeof *pf->host);
        memset(&pf->host[pf->nhost], 0, sizeof *pf->host);
        pf->host[pf->nhost].name = ks_xstrdup(name);
        ix = (uint32_t)pf->nhost++;
        ks_map_put(&pf->host_ix, key, ix);
    }
    free(key);
    return (int)ix;
}

/* One counter column: which host and metric, or ignored (host -1). */
static int
map_col(struct pm_file *pf, size_t c, const char *cell, struct ks_err *err)
{
    char *p = ks_xstrdup(cell), *host = NULL, *obj = NULL, *inst = NULL, *ctr = NULL, *end;
    struct pm_col *pc = &pf->col[c];
    pc->host = -1;
    pc->name = ks_xstrdup(cell);
    if (split_path(p, &host, &obj, &inst, &ctr) < 0) {
        free(p);
        return ks_errf(err, -EINVAL,
                       "%s:1: column %zu: '%.80s' is not a counter path "
                       "\\\\HOST\\Object(Instance)\\Counter",
                       pf->path, c + 1, cell);
    }
    if (ks_dataset_check_name(pf->path, 1, "counter path host", host, err) < 0) {
        free(p);
        return -EINVAL;
    }
    int h = host_ix(pf, host);
    const struct pm_counter *k = find_counter(obj, ctr);
    /* logical CPUs: Processor(0), Processor(1), ... */
    if (strcasecmp(obj, "Processor") == 0 && inst[0] && strtoul(inst, &end, 10) < 4096 &&
        *end == '\0' && strcasecmp(ctr, "% Processor Time") == 0)
        pf->host[h].ncpu++;
    if (k) {
        *pc = (struct pm_col){pc->name, h,     k->metric, strcasecmp(inst, "_Total") == 0,
                              k->scale, k->agg};
        (pc->total ? pf->host[h].has_total : pf->host[h].has_inst)[k->metric] = 1;
    }
    free(p);
    return 0;
}

/* Which columns a row uses: a _Total column when one is logged (sums and means),
 * else every instance; for the busiest disk, the instances when logged. */
static void
settle_cols(struct pm_file *pf)
{
    for (size_t c = 1; c < pf->ncols; c++) {
        struct pm_col *pc = &pf->col[c];
        if (pc->host < 0)
            continue;
        const struct pm_host *h = &pf->host[pc->host];
        int use_total = pc->agg == AGG_MAX ? !h->has_inst[pc->metric] : h->has_total[pc->metric];
        if (pc->total != use_total)
            pc->host = -1;
    }
}

/* Every host needs CPU and a way to memory use; the message names the missing counter. */
static int
check_hosts(struct pm_file *pf, struct ks_err *err)
{
    for (size_t i = 0; i < pf->nhost; i++) {
        const struct pm_host *h = &pf->host[i];
        int cpu = h->has_total[PM_CPU] || h->has_inst[PM_CPU];
        int avail = h->has_total[PM_AVAIL] || h->has_inst[PM_AVAIL];
        int comm = h->has_total[PM_COMMITTED] || h->has_inst[PM_COMMITTED];
        if (!cpu)
            return ks_errf(err, -EINVAL,
                           "%s:1: host '%s': missing counter "
                           "'\\\\%s\\Processor(_Total)\\%% Processor Time'",
                           pf->path, h->name, h->name);
        if (!comm && !(avail && !isnan(pf->o->mem_MiB)))
            return ks_errf(err, -EINVAL,
                           "%s:1: host '%s': no memory use: missing counter "
                           "'\\\\%s\\Memory\\Committed Bytes'%s",
                           pf->path, h->name, h->name,
                           avail ? ", and 'Available MBytes' needs --mem-MiB (the installed "
                                   "memory)"
                                 : " or '\\Memory\\Available MBytes' (with --mem-MiB)");
    }
    return 0;
}

/* Returns 0, 1 for a file of another kind met in a directory, or an error. */
static int
read_header(struct pm_file *pf, const struct ks_csv_row *h, struct ks_err *err)
{
    if (parse_pdh(h->f[0], &pf->bias_s) < 0) {
        if (pf->from_dir)
            return 1;
        return ks_errf(err, -EINVAL,
                       "%s:%lu: first cell '%.60s' is not '(PDH-CSV 4.0) (TIME ZONE)(BIAS)': not "
                       "a Performance Monitor CSV log (typeperf -f CSV, relog -f csv)",
                       pf->path, h->line, h->f[0]);
    }
    if (h->n < 2)
        return ks_errf(err, -EINVAL, "%s:%lu: no counter columns", pf->path, h->line);
    pf->ncols = h->n;
    pf->col = ks_xcalloc(h->n, sizeof *pf->col);
    pf->col[0].host = -1;
    for (size_t c = 1; c < h->n; c++)
        if (map_col(pf, c, h->f[c], err) < 0)
            return -EINVAL;
    settle_cols(pf);
    return check_hosts(pf, err);
}

/* ---- rows --------------------------------------------------------------------------- */

/* "12/01/2026 09:00:15.123" (local) -> UNIX seconds UTC; the fraction is optional. */
static int
parse_time(const char *s, double bias_s, double *t)
{
    int mo, d, y, h, mi, sec, n = 0;
    double frac = 0, unit = 0.1;
    if (sscanf(s, "%2d/%2d/%4d %2d:%2d:%2d%n", &mo, &d, &y, &h, &mi, &sec, &n) != 6)
        return -1;
    if (s[n] == '.')
        for (n++; s[n] >= '0' && s[n] <= '9' && unit > 1e-7; n++, unit /= 10)
            frac += (s[n] - '0') * unit;
    if (s[n] != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    *t = (double)timegm(&tm) + frac + bias_s;
    return 0;
}

/* A value: " " (or empty) is missing; ',' as the decimal mark is read as '.'. */
static int
parse_val(const char *s, double *v)
{
    char buf[64];
    size_t n = strlen(s);
    if (strspn(s, " ") == n) {
        *v = NAN;
        return 0;
    }
    if (n >= sizeof buf || (strchr(s, ',') && strchr(s, '.')))
        return -1;
    memcpy(buf, s, n + 1);
    char *c = strchr(buf, ',');
    if (c)
        *c = '.';
    return ks_parse_double(buf, v) < 0 || *v < 0 ? -1 : 0;
}

/* Add one value to its host's metric for this row. */
static void
accumulate(struct pm_host *h, const struct pm_col *pc, double v)
{
    double x = pc->metric == PM_DISK_UTIL ? fmax(0, 100 - v) : v * pc->scale;
    double *a = &h->sum[pc->metric];
    if (isnan(*a))
        *a = x;
    else if (pc->agg == AGG_MAX)
        *a = fmax(*a, x);
    else
        *a += x;
    h->cnt[pc->metric]++;
}

/* The host's metric for this row, instances combined. */
static double
value(const struct pm_host *h, int m)
{
    return h->cnt[m] && !isnan(h->sum[m])
               ? (m == PM_CPU || m == PM_DISK_SXFER ? h->sum[m] / h->cnt[m] : h->sum[m])
               : NAN;
}

/* kasane's metrics from the host's counters (units: MiB, KiB/s, ms, %). */
static void
to_metrics(const struct pm_file *pf, const struct pm_host *h, double *m)
{
    const struct col_import_opts *o = pf->o;
    double cpu = value(h, PM_CPU), thr = !isnan(o->threads) ? o->threads
                                         : h->ncpu          ? h->ncpu
                                                            : o->cores;
    col_metrics_unknown(m);
    m[KS_CPU_PCT] = isnan(cpu) ? NAN : col_round(fmin(cpu, 100), 2);
    m[KS_CPU_MHZ] = col_round(m[KS_CPU_PCT] / 100 * thr * o->core_MHz, 1);
    double avail = value(h, PM_AVAIL), comm = value(h, PM_COMMITTED);
    m[KS_MEM_TOTAL_MIB] = o->mem_MiB;
    m[KS_MEM_USED_MIB] =
        col_round(!isnan(o->mem_MiB) && !isnan(avail) ? fmax(0, o->mem_MiB - avail) : comm, 1);
    m[KS_DISK_READ_KIBPS] = col_round(value(h, PM_DISK_RB) / 1024, 2);
    m[KS_DISK_WRITE_KIBPS] = col_round(value(h, PM_DISK_WB) / 1024, 2);
    m[KS_DISK_READ_IOPS] = col_round(value(h, PM_DISK_R), 2);
    m[KS_DISK_WRITE_IOPS] = col_round(value(h, PM_DISK_W), 2);
    m[KS_DISK_UTIL_PCT] = col_round(value(h, PM_DISK_UTIL), 2);
    m[KS_DISK_AWAIT_MS] = col_round(value(h, PM_DISK_SXFER) * 1000, 3);
    double rx = value(h, PM_NET_RX), tx = value(h, PM_NET_TX);
    double tot = value(h, PM_NET_TOT);
    if (isnan(rx) && isnan(tx) && !isnan(tot))
        rx = tx = tot / 2; /* only the sum logged: half each way (noted in the inventory) */
    m[KS_NET_RX_KIBPS] = col_round(rx / 1024, 2);
    m[KS_NET_TX_KIBPS] = col_round(tx / 1024, 2);
    m[KS_NET_RX_PPS] = col_round(value(h, PM_NET_PRX), 2);
    m[KS_NET_TX_PPS] = col_round(value(h, PM_NET_PTX), 2);
}

/* Give the waiting row of every host to the sink, with interval dt. */
static void
flush_pending(struct pm_file *pf, double dt)
{
    col_isink_at(pf->s, pf->path, pf->pend_line);
    for (size_t i = 0; pf->has_pend && i < pf->nhost; i++)
        if (pf->host[i].pend)
            col_isink_put(pf->s, pf->pend_t, pf->host[i].ent, dt, pf->host[i].pm);
    pf->has_pend = 0;
}

/* A row's values into each host's pending metrics; a host with no value in the row
 * (" " everywhere: the machine did not answer) gets no sample. */
static int
take_row(struct pm_file *pf, const struct ks_csv_row *row, double t, struct ks_err *err)
{
    for (size_t i = 0; i < pf->nhost; i++) {
        for (int m = 0; m < PM_N; m++)
            pf->host[i].sum[m] = NAN, pf->host[i].cnt[m] = 0;
    }
    for (size_t c = 1; c < pf->ncols; c++) {
        const struct pm_col *pc = &pf->col[c];
        double v;
        if (pc->host < 0)
            continue;
        if (parse_val(row->f[c], &v) < 0)
            return ks_errf(err, -EINVAL,
                           "%s:%lu: column %zu ('%.80s'): '%.40s' is not a number >= 0", pf->path,
                           row->line, c + 1, pc->name, row->f[c]);
        if (!isnan(v))
            accumulate(&pf->host[pc->host], pc, v);
    }
    for (size_t i = 0; i < pf->nhost; i++) {
        struct pm_host *h = &pf->host[i];
        int any = 0;
        for (int m = 0; m < PM_N; m++)
            any |= h->cnt[m] > 0;
        h->pend = any;
        if (any)
            to_metrics(pf, h, h->pm);
        for (int m = 0; any && m < KS_NMETRIC; m++)
            if (isinf(h->pm[m])) /* 1e308 + 1e308 over two instances */
                return ks_errf(err, -ERANGE, "%s:%lu: host '%s': %s is out of range (%g)",
                               pf->path, row->line, h->name, ks_metric_names[m], h->pm[m]);
    }
    pf->has_pend = 1;
    pf->pend_t = t;
    pf->pend_line = row->line;
    return 0;
}

/* One sample row: time order checked, the previous row flushed with its interval. */
static int
do_row(struct pm_file *pf, const struct ks_csv_row *row, struct ks_err *err)
{
    double t;
    if (row->n != pf->ncols && parse_time(row->f[0], 0, &t) < 0) {
        pf->rep->rows_skipped++; /* typeperf's own messages when its stdout was saved */
        col_import_note(pf->rep, "%s:%lu: not a sample row ('%.40s'), skipped", pf->path, row->line,
                        row->f[0]);
        return 0;
    }
    if (row->n < pf->ncols) {
        pf->rep->rows_skipped++;
        col_import_note(pf->rep, "%s:%lu: row cut short (%zu of %zu fields), skipped", pf->path,
                        row->line, row->n, pf->ncols);
        return 0;
    }
    if (row->n > pf->ncols)
        return ks_errf(err, -EINVAL, "%s:%lu: %zu fields, the header has %zu", pf->path, row->line,
                       row->n, pf->ncols);
    if (parse_time(row->f[0], pf->bias_s, &t) < 0)
        return ks_errf(err, -EINVAL, "%s:%lu: time '%.40s' is not MM/DD/YYYY HH:MM:SS.mmm",
                       pf->path, row->line, row->f[0]);
    if (pf->has_pend && t <= pf->pend_t) {
        pf->rep->dups_skipped += t == pf->pend_t;
        pf->rep->rows_skipped += t < pf->pend_t;
        if (t < pf->pend_t && !pf->back_note++)
            col_import_note(pf->rep,
                            "%s:%lu: time goes back (a daylight-saving change? the "
                            "log's bias is fixed): rows until it passes the last "
                            "one are skipped",
                            pf->path, row->line);
        return 0;
    }
    double dt = pf->has_pend ? t - pf->pend_t : NAN;
    if (pf->has_pend) /* the first row takes the second one's interval */
        flush_pending(pf, isnan(pf->pend_dt) ? dt : pf->pend_dt);
    pf->pend_line = row->line;
    pf->pend_dt = dt;
    return take_row(pf, row, t, err);
}

/* ---- inventory and file --------------------------------------------------------------- */

/* Entities and what the options and the log say about each. */
static void
set_inventory(struct pm_file *pf)
{
    const struct col_import_opts *o = pf->o;
    struct ks_dataset *ds = col_isink_ds(pf->s);
    for (size_t i = 0; i < pf->nhost; i++) {
        struct pm_host *h = &pf->host[i];
        size_t e = ks_dataset_add_entity(ds, h->name, o->kind ? o->kind : "physical");
        double thr = !isnan(o->threads) ? o->threads : h->ncpu ? h->ncpu : o->cores;
        h->ent = (uint32_t)e;
        ks_inv_set(ds, e, "hostname", h->name);
        ks_inv_set(ds, e, "os", "Windows");
        if (o->cpu_model)
            ks_inv_set(ds, e, "cpu_model", o->cpu_model);
        ks_inv_set_num(ds, e, "cores", o->cores);
        ks_inv_set_num(ds, e, "threads", thr);
        ks_inv_set_num(ds, e, "core_MHz", o->core_MHz);
        ks_inv_set_num(ds, e, "mem_MiB", o->mem_MiB);
        char note[400];
        int avail = h->has_total[PM_AVAIL] || h->has_inst[PM_AVAIL];
        snprintf(note, sizeof note, "perfmon: memory used = %s%s%s",
                 avail && !isnan(o->mem_MiB) ? "--mem-MiB - Available MBytes"
                                             : "Committed Bytes (commit charge: counts "
                                               "page-file-backed memory, an upper bound)",
                 isnan(o->core_MHz) || isnan(thr) ? "; no --core-MHz or CPU count: cpu_MHz "
                                                    "unknown"
                                                  : "",
                 !(h->has_inst[PM_NET_RX] || h->has_total[PM_NET_RX]) &&
                         (h->has_inst[PM_NET_TOT] || h->has_total[PM_NET_TOT])
                     ? "; only Bytes Total/sec logged: half counted each way"
                     : "");
        ks_inv_set(ds, e, "notes", note);
    }
}

static void
pm_file_fini(struct pm_file *pf)
{
    for (size_t c = 0; pf->col && c < pf->ncols; c++)
        free(pf->col[c].name);
    for (size_t i = 0; i < pf->nhost; i++)
        free(pf->host[i].name);
    free(pf->host);
    ks_map_fini(&pf->host_ix);
    free(pf->col);
}

/* One log: header, rows, and the last row unless it was cut off. */
static int
import_file(struct pm_file *pf, struct ks_err *err)
{
    struct ks_csv_reader *r;
    const struct ks_csv_row *row;
    int rc = ks_csv_open(pf->path, ',', &r, err);
    if (rc < 0)
        return rc;
    rc = ks_csv_next(r, &row, err);
    if (rc == 0)
        rc = ks_errf(err, -EINVAL, "%s: empty file (no header row)", pf->path);
    if (rc > 0 && (rc = read_header(pf, row, err)) == 1) {
        pf->rep->files_skipped++;
        col_import_note(pf->rep, "%s: skipped (not a PDH-CSV 4.0 log)", pf->path);
        ks_csv_close(r);
        return 0;
    }
    if (rc == 0)
        set_inventory(pf);
    col_isink_run(pf->s);
    while (rc >= 0 && (rc = ks_csv_next(r, &row, err)) > 0)
        if ((rc = do_row(pf, row, err)) == 0)
            col_isink_tick(pf->s);
    ks_csv_close(r);
    if (rc >= 0 && pf->has_pend && !col_ends_with_newline(pf->path)) {
        pf->rep->rows_skipped++;
        col_import_note(pf->rep, "%s:%lu: last line cut off (no newline), skipped", pf->path,
                        pf->pend_line);
    } else if (rc >= 0 && pf->has_pend && !isnan(pf->pend_dt)) {
        flush_pending(pf, pf->pend_dt);
    } else if (rc >= 0 && pf->has_pend) {
        pf->rep->rows_skipped++;
        col_import_note(pf->rep, "%s: one sample only (no interval), skipped", pf->path);
    }
    if (rc >= 0)
        col_isink_file_done(pf->s);
    return rc < 0 ? rc : 0;
}

int
col_import_perfmon(const struct col_import_opts *o, struct col_isink *s,
                   struct col_import_report *rep, struct ks_err *err)
{
    struct col_flist fl;
    int rc = col_flist_build(&fl, o->inputs, o->ninputs, rep, err);
    for (size_t i = 0; rc == 0 && i < fl.n; i++) {
        struct pm_file pf = {
            .path = fl.path[i], .o = o, .s = s, .rep = rep, .from_dir = fl.from_dir[i]};
        ks_map_init(&pf.host_ix);
        rc = import_file(&pf, err);
        pm_file_fini(&pf);
    }
    col_flist_fini(&fl);
    return rc;
}
