/*
 * sar: sysstat data. A binary saDD file is read through `sadf -d -U FILE -- ...` run
 * as a child process (sadf is the only reader that keeps up with sysstat's file
 * format versions); text already written by `sadf -d` is read directly. Both give
 * ';'-separated tables, one per activity, each after its own header line
 * `# hostname;interval;timestamp;...`:
 *
 *   -u ALL   cpu_pct = 100 - %idle - %iowait (steal counts as demand), cpu_steal_pct
 *   -r ALL   mem_used_MiB = kbmemused / 1024; mem_total_MiB = (kbmemfree + kbmemused +
 *            kbbuffers + kbcached + kbslab) / 1024, which is MemTotal exactly (sysstat
 *            computes kbmemused as the rest); without kbslab, kbmemused / %memused
 *   -d       whole disks only (partitions, dm-, md, loop, ram, sr, zram skipped: their
 *            I/O is already counted on the disks below them): KiB/s summed, await
 *            weighted by tps, %util the busiest disk's
 *   -b       rtps / wtps as read / write IOPS (sysstat counts whole disks here too)
 *   -n DEV   every interface but lo: kB/s and packets/s summed
 *
 * sysstat's kB are KiB. Entity = hostname. The CPU count comes from `sadf -H` (binary)
 * or the LINUX-RESTART records and `-P ALL` rows (text); sar has no clock speed, so
 * cpu_MHz needs --core-MHz and the inventory notes say when it is missing.
 *
 * Memory: sadf prints every activity for the whole file before the next one, so the
 * rows of one input file are joined in memory (one saDD file is one day: 86,400 rows
 * at a 1 s interval, about 12 MiB); files are streamed one after the other.
 */
#include "collect/col_import_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/ks_fault.h"

#define MAXF 64 /* fields per line; sadf's widest table (-r ALL) has 19 */

enum { T_NONE, T_CPU, T_MEM, T_DISK, T_NET, T_IO };
enum { SEEN_CPU = 1, SEEN_MEM = 2, SEEN_DISK = 4, SEEN_NET = 8, SEEN_IO = 16 };

struct sar_row {
    double t, interval_s;
    unsigned seen;
    unsigned tab[T_IO + 1]; /* which table (1-based count) filled each kind */
    double cpu_pct, steal_pct, mem_used_KiB, mem_total_KiB;
    double rd_KiBps, wr_KiBps, await_x_tps, tps, util_pct, rd_iops, wr_iops;
    double rx_KiBps, tx_KiBps, rx_pps, tx_pps;
};

struct sar_host {
    char *name;
    struct sar_row *rows;
    size_t n, cap;
    struct ks_map by_time; /* "%.0f" time -> row */
    int ncpu;              /* 0 = unknown */
};

/* Column indices of the current table (-1 = absent). */
struct sar_cols {
    int kind, ncols;
    int dev, idle, iowait, steal, cpu;
    int memfree, memused, memused_pct, buffers, cached, slab;
    int tps, rkb, wkb, await, util, rtps, wtps;
    int rxkb, txkb, rxp, txp;
};

struct sar_in {
    const char *path;
    struct sar_host *hosts;
    size_t nh, hcap;
    struct ks_map host_ix;
    struct sar_cols c;
    int header_ncpu; /* from sadf -H, 0 = unknown */
    unsigned tab_id; /* tables seen so far */
    char *hdr[MAXF]; /* column names of the current table, for messages */
    int nhdr;
    struct col_import_report *rep;
};

/* ---- tables ---------------------------------------------------------------------- */

/* Index of a column name in a split header, or -1. */
static int
fcol(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return i;
    return -1;
}

/* Classify a table by the columns it has, not by its position or its first data
 * column: sysstat versions renamed some (%user/%usr, %system/%sys) but kept the ones
 * used here. A table of another activity maps to T_NONE and its rows are ignored. */
static void
map_table(struct sar_cols *c, char **f, int n)
{
    memset(c, -1, sizeof *c);
    c->ncols = n;
#define C(field, name) c->field = fcol(f, n, name)
    C(cpu, "CPU"), C(idle, "%idle"), C(iowait, "%iowait"), C(steal, "%steal");
    C(memfree, "kbmemfree"), C(memused, "kbmemused"), C(memused_pct, "%memused");
    C(buffers, "kbbuffers"), C(cached, "kbcached"), C(slab, "kbslab");
    C(dev, "DEV"), C(tps, "tps"), C(rkb, "rkB/s"), C(wkb, "wkB/s"), C(await, "await");
    C(util, "%util"), C(rtps, "rtps"), C(wtps, "wtps");
    C(rxkb, "rxkB/s"), C(txkb, "txkB/s"), C(rxp, "rxpck/s"), C(txp, "txpck/s");
    int iface = fcol(f, n, "IFACE");
#undef C
    c->kind = T_NONE;
    if (c->cpu >= 0 && c->idle >= 0 && c->iowait >= 0)
        c->kind = T_CPU;
    else if (c->memfree >= 0 && c->memused >= 0 && c->buffers >= 0 && c->cached >= 0)
        c->kind = T_MEM;
    else if (c->dev >= 0 && c->tps >= 0 && c->rkb >= 0 && c->wkb >= 0)
        c->kind = T_DISK;
    else if (iface >= 0 && c->rxkb >= 0 && c->txkb >= 0) {
        c->kind = T_NET;
        c->dev = iface;
    } else if (c->rtps >= 0 && c->wtps >= 0)
        c->kind = T_IO;
}

/* Whole physical disks only: partitions and stacked devices would count I/O twice. */
static int
whole_disk(const char *d)
{
    static const char *const virt[] = {"dm-", "md", "loop", "ram", "sr", "zram", "fd", NULL};
    for (int i = 0; virt[i]; i++)
        if (strncmp(d, virt[i], strlen(virt[i])) == 0)
            return 0;
    size_t n = strlen(d);
    if (!n || !isdigit((unsigned char)d[n - 1]))
        return 1; /* sda, vdb, hdc, xvda */
    if (strncmp(d, "nvme", 4) == 0 || strncmp(d, "mmcblk", 6) == 0)
        return strchr(d + 4, 'p') == NULL; /* nvme0n1 vs nvme0n1p2 */
    /* sda1, vdb2, xvda1: letters then digits is a partition; dev8-0 style names (no
     * pretty names) cannot be told apart and are kept. */
    return strncmp(d, "dev", 3) == 0;
}

/* ---- rows ------------------------------------------------------------------------ */

/* Host by name, created on first sight with the CPU count sadf -H gave (if any). */
static struct sar_host *
get_host(struct sar_in *in, const char *name)
{
    uint32_t ix;
    if (ks_map_get(&in->host_ix, name, &ix))
        return &in->hosts[ix];
    in->hosts = ks_xgrow(in->hosts, &in->hcap, in->nh + 1, sizeof *in->hosts);
    struct sar_host *h = &in->hosts[in->nh];
    memset(h, 0, sizeof *h);
    h->name = ks_xstrdup(name);
    h->ncpu = in->header_ncpu;
    ks_map_init(&h->by_time);
    ks_map_put(&in->host_ix, name, (uint32_t)in->nh++);
    return h;
}

/* The joined row of one host at one time: each activity's table adds its part. */
static struct sar_row *
get_row(struct sar_host *h, double t, double interval_s)
{
    char key[64];
    uint32_t ix;
    snprintf(key, sizeof key, "%.0f", t);
    if (ks_map_get(&h->by_time, key, &ix))
        return &h->rows[ix];
    h->rows = ks_xgrow(h->rows, &h->cap, h->n + 1, sizeof *h->rows);
    struct sar_row *r = &h->rows[h->n];
    memset(r, 0, sizeof *r);
    r->t = t;
    r->interval_s = interval_s;
    ks_map_put(&h->by_time, key, (uint32_t)h->n++);
    return r;
}

/* A numeric field of the current table; an absent column reads as NaN. */
static int
num(const struct sar_in *in, unsigned long ln, char **f, int col, double *v, struct ks_err *err)
{
    if (col < 0) {
        *v = NAN;
        return 0;
    }
    return col_parse_nonneg(f[col], v, in->path, ln, in->hdr[col], err);
}

/* A second value for a (host, time, activity): a repeated table or row. Disks and
 * interfaces have several rows per time, but only from one table. */
static int
duplicate(struct sar_in *in, struct sar_row *r, unsigned long ln)
{
    unsigned *tab = &r->tab[in->c.kind];
    int multi = in->c.kind == T_DISK || in->c.kind == T_NET;
    if (*tab && (!multi || *tab != in->tab_id)) {
        in->rep->dups_skipped++;
        col_import_note(in->rep, "%s:%lu: duplicate timestamp %.0f skipped (first kept)", in->path,
                        ln, r->t);
        return 1;
    }
    *tab = in->tab_id;
    return 0;
}

/* Add one data line of the current table to its joined row. Disks and interfaces
 * sum over devices; CPU, memory and -b rows set values. */
static int
add_values(struct sar_in *in, struct sar_row *r, char **f, unsigned long ln, struct ks_err *err)
{
    const struct sar_cols *c = &in->c;
    double a, b, x, y, z;
    int rc = 0;
    if (duplicate(in, r, ln))
        return 0;
#define N(col, v) (rc = rc ? rc : num(in, ln, f, c->col, &(v), err))
    switch (c->kind) {
    case T_CPU:
        N(idle, a), N(iowait, b), N(steal, x);
        r->cpu_pct = fmax(0, col_round(100 - a - b, 2));
        r->steal_pct = x;
        r->seen |= SEEN_CPU;
        break;
    case T_MEM:
        N(memfree, a), N(memused, b), N(buffers, x), N(cached, y), N(slab, z);
        r->mem_used_KiB = b;
        if (c->slab >= 0)
            r->mem_total_KiB = a + b + x + y + z;
        else if (N(memused_pct, z) == 0 && z > 0)
            r->mem_total_KiB = round(b * 100 / z);
        else
            r->mem_total_KiB = NAN;
        r->seen |= SEEN_MEM;
        break;
    case T_DISK:
        if (!whole_disk(f[c->dev]))
            break;
        N(tps, a), N(rkb, b), N(wkb, x), N(await, y), N(util, z);
        r->tps += a, r->rd_KiBps += b, r->wr_KiBps += x, r->await_x_tps += a * y;
        r->util_pct = fmax(r->util_pct, z);
        r->seen |= SEEN_DISK;
        break;
    case T_NET:
        if (strcmp(f[c->dev], "lo") == 0)
            break;
        N(rxkb, a), N(txkb, b), N(rxp, x), N(txp, y);
        r->rx_KiBps += a, r->tx_KiBps += b, r->rx_pps += x, r->tx_pps += y;
        r->seen |= SEEN_NET;
        break;
    case T_IO:
        N(rtps, a), N(wtps, b);
        r->rd_iops = a, r->wr_iops = b;
        r->seen |= SEEN_IO;
        break;
    }
#undef N
    return rc;
}

/* "1795676539" or "2026-11-26 07:02:19 UTC" (sadf -d without -U). */
/* sadf -d prints UNIX seconds with -U, else a UTC date; other zones (sadf -T/-t) are
 * refused rather than guessed. */
static int
parse_time(const char *s, double *t)
{
    struct tm tm = {0};
    char rest[8] = "";
    if (ks_parse_double(s, t) == 0)
        return 0;
    if (sscanf(s, "%d-%d-%d %d:%d:%d %7s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, rest) != 7 ||
        strcmp(rest, "UTC") != 0)
        return -EINVAL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *t = (double)timegm(&tm);
    return 0;
}

/* Split a line at ';' in place (sadf never quotes); returns the field count. */
static int
split(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ';') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

/* A LINUX-RESTART (or COM) record: interval -1; "(N CPU)" gives the CPU count. */
static void
restart_record(struct sar_in *in, char **f, int n)
{
    const char *p = n > 3 ? strstr(f[3], "(") : NULL;
    int ncpu;
    if (p && sscanf(p, "(%d CPU)", &ncpu) == 1 && ncpu > 0)
        get_host(in, f[0])->ncpu = ncpu;
}

/* One non-header line: a restart record, a row of the current table, or (when the
 * table is not one we use) nothing. A row with fewer fields than its header is a cut
 * row (skipped and counted); with more, the input is not what it claims (error). */
static int
data_line(struct sar_in *in, char *line, unsigned long ln, int cut, struct ks_err *err)
{
    char *f[MAXF];
    double iv, t;
    int n = split(line, f, MAXF);
    if (n >= 1 && ks_dataset_check_name(in->path, ln, "field 'hostname'", f[0], err) < 0)
        return -EINVAL; /* the host name becomes the entity name */
    if (n >= 3 && strcmp(f[1], "-1") == 0) {
        restart_record(in, f, n);
        return 0;
    }
    if (in->c.kind == T_NONE)
        return 0;
    if (cut || n != in->c.ncols) {
        if (!cut && n > in->c.ncols)
            return ks_errf(err, -EINVAL, "%s:%lu: %d fields, the header has %d", in->path, ln, n,
                           in->c.ncols);
        in->rep->rows_skipped++;
        col_import_note(in->rep, "%s:%lu: %s, skipped", in->path, ln,
                        cut ? "last line has no newline (cut off?)" : "row cut short");
        return 0;
    }
    if (col_parse_nonneg(f[1], &iv, in->path, ln, "interval", err) < 0)
        return -EINVAL;
    if (parse_time(f[2], &t) < 0)
        return ks_errf(err, -EINVAL,
                       "%s:%lu: field 'timestamp': '%.40s' is neither UNIX seconds nor "
                       "'YYYY-MM-DD HH:MM:SS UTC' (write it with sadf -d -U)",
                       in->path, ln, f[2]);
    struct sar_host *h = get_host(in, f[0]);
    if (in->c.kind == T_CPU && in->c.cpu >= 0 && strcmp(f[in->c.cpu], "-1") != 0 &&
        strcmp(f[in->c.cpu], "all") != 0) {
        int id = atoi(f[in->c.cpu]); /* a -P ALL row: counts CPUs, not demand */
        if (id + 1 > h->ncpu)
            h->ncpu = id + 1;
        return 0;
    }
    return add_values(in, get_row(h, t, iv), f, ln, err);
}

/* A "# hostname;interval;timestamp;..." line starts a new table. */
static int
header_line(struct sar_in *in, char *line, unsigned long ln)
{
    char *f[MAXF];
    int n = split(line + 2, f, MAXF); /* after "# " */
    map_table(&in->c, f, n);
    for (int i = 0; i < in->nhdr; i++)
        free(in->hdr[i]);
    for (int i = 0; i < n; i++)
        in->hdr[i] = ks_xstrdup(f[i]);
    in->nhdr = n;
    in->tab_id++;
    if (in->c.kind == T_NONE)
        col_import_note(in->rep, "%s:%lu: table '%s...' not used", in->path, ln,
                        n > 3 ? f[3] : "?");
    return 0;
}

/* Read one ';' stream (a text file or sadf's output). */
/* Read ';' lines from f until EOF; the first non-empty line must be a header. */
static int
read_stream(struct sar_in *in, FILE *f, struct ks_err *err)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long ln = 0;
    int rc = 0, any_header = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
        ln++;
        int cut = line[len - 1] != '\n';
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len)
            continue;
        if (strncmp(line, "# ", 2) == 0) {
            any_header = 1;
            rc = header_line(in, line, ln);
        } else if (!any_header) {
            rc = ks_errf(err, -EINVAL,
                         "%s:%lu: not sadf -d output: expected a '# hostname;interval;"
                         "timestamp;...' header first",
                         in->path, ln);
        } else {
            rc = data_line(in, line, ln, cut, err);
        }
    }
    /* getline stops at a read error as at the end: the rows after it would be lost
     * without a word. */
    if (rc == 0 && ferror(f))
        rc = ks_errf(err, -EIO, "%s:%lu: read error: %s", in->path, ln + 1, strerror(EIO));
    free(line);
    return rc;
}

/* ---- sadf child processes -------------------------------------------------------- */

/* Run sadf with args; returns a FILE reading its stdout and the child's pid. sadf's
 * own messages go to our stderr unchanged. */
/* fork + exec rather than popen: no shell, so a file name with spaces or quotes is
 * passed to sadf as it is. */
static FILE *
spawn(const char *sadf, char *const *args, pid_t *pid)
{
    int p[2];
    if (pipe(p) != 0)
        return NULL;
    *pid = fork();
    if (*pid < 0) {
        close(p[0]);
        close(p[1]);
        return NULL;
    }
    if (*pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execvp(sadf, args);
        _exit(127);
    }
    close(p[1]);
    return fdopen(p[0], "r");
}

/* Close the pipe and wait for sadf; its exit status decides whether the rows read
 * are trusted (a sadf that failed half way may have printed part of a file). */
static int
reap(const char *sadf, const char *path, FILE *f, pid_t pid, struct ks_err *err)
{
    int st = 0;
    fclose(f);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return ks_errf(err, -ENOENT, "%s: cannot run '%s' (is sysstat installed?)", path, sadf);
    return ks_errf(err, -EINVAL, "%s: %s failed (status %d): not a sysstat file this sadf reads?",
                   path, sadf, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* sadf -H: the CPU count and which of the activities we want the file holds. */
/* sadf -d fails outright when asked for an activity the file lacks (sadc records
 * disks only with -S DISK), so ask only for what the header lists. */
static int
sadf_header(const char *sadf, const char *path, int *ncpu, unsigned *acts, struct ks_err *err)
{
    char *args[] = {(char *)sadf, "-H", (char *)path, NULL};
    pid_t pid;
    FILE *f = spawn(sadf, args, &pid);
    if (!f)
        return ks_errf(err, -errno, "%s: cannot start %s: %s", path, sadf, strerror(errno));
    char *line = NULL, *p;
    size_t cap = 0;
    *ncpu = 0;
    *acts = 0;
    while (getline(&line, &cap, f) > 0) {
        if (strncmp(line, "Host:", 5) == 0 && (p = strrchr(line, '(')) != NULL)
            sscanf(p, "(%d CPU)", ncpu);
        *acts |= strstr(line, " A_CPU ") ? SEEN_CPU : 0;
        *acts |= strstr(line, " A_MEMORY ") ? SEEN_MEM : 0;
        *acts |= strstr(line, " A_DISK ") ? SEEN_DISK : 0;
        *acts |= strstr(line, " A_NET_DEV ") ? SEEN_NET : 0;
        *acts |= strstr(line, " A_IO ") ? SEEN_IO : 0;
    }
    free(line);
    return reap(sadf, path, f, pid, err);
}

/* A saDD file: sadf -H, then one sadf -d -U with every activity we use. */
static int
read_binary(struct sar_in *in, const char *sadf, struct ks_err *err)
{
    unsigned acts = 0;
    int rc = sadf_header(sadf, in->path, &in->header_ncpu, &acts, err);
    if (rc < 0)
        return rc;
    char *args[20] = {(char *)sadf, "-d", "-U", (char *)in->path, "--"};
    int n = 5;
    if (acts & SEEN_CPU)
        args[n++] = "-u", args[n++] = "ALL";
    if (acts & SEEN_MEM)
        args[n++] = "-r", args[n++] = "ALL";
    if (acts & SEEN_DISK)
        args[n++] = "-d";
    if (acts & SEEN_IO)
        args[n++] = "-b";
    if (acts & SEEN_NET)
        args[n++] = "-n", args[n++] = "DEV";
    args[n] = NULL;
    if (!(acts & SEEN_CPU))
        return ks_errf(err, -EINVAL, "%s: the file holds no CPU activity (sadc -S ...)", in->path);
    pid_t pid;
    FILE *f = spawn(sadf, args, &pid);
    if (!f)
        return ks_errf(err, -errno, "%s: cannot start %s: %s", in->path, sadf, strerror(errno));
    rc = read_stream(in, f, err);
    int rc2 = reap(sadf, in->path, f, pid, err);
    return rc < 0 ? rc : rc2;
}

/* ---- one input file -------------------------------------------------------------- */

enum { FT_OTHER, FT_TEXT, FT_BINARY };

/* Sniff the first bytes: sysstat's magic for binary files, sadf -d's header line for
 * text; anything else (a sar text report sarDD, a log) is not ours. */
static int
file_type(const char *path)
{
    unsigned char b[16] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(b, 1, sizeof b, f) : 0;
    if (f)
        fclose(f);
    if (n >= 2 && ((b[0] == 0x96 && b[1] == 0xd5) || (b[0] == 0xd5 && b[1] == 0x96)))
        return FT_BINARY; /* sysstat's SYSACT_MAGIC 0xd596, either byte order */
    if (n >= 10 && memcmp(b, "# hostname", 10) == 0)
        return FT_TEXT;
    return FT_OTHER;
}

/* Rows by time: tables may list times in different orders after a restart. */
static int
cmp_row(const void *a, const void *b)
{
    const struct sar_row *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* A joined row as dataset metrics; activities the file lacks stay NaN (unknown). */
static void
row_metrics(const struct sar_row *r, double ncpu, double core_MHz, double *m)
{
    col_metrics_unknown(m);
    if (r->seen & SEEN_CPU) {
        m[KS_CPU_PCT] = r->cpu_pct;
        m[KS_CPU_STEAL_PCT] = r->steal_pct;
        m[KS_CPU_MHZ] = col_round(r->cpu_pct * ncpu * core_MHz / 100, 3);
    }
    if (r->seen & SEEN_MEM) {
        m[KS_MEM_USED_MIB] = r->mem_used_KiB / 1024;
        m[KS_MEM_TOTAL_MIB] = r->mem_total_KiB / 1024;
    }
    if (r->seen & SEEN_DISK) {
        m[KS_DISK_READ_KIBPS] = col_round(r->rd_KiBps, 2);
        m[KS_DISK_WRITE_KIBPS] = col_round(r->wr_KiBps, 2);
        m[KS_DISK_AWAIT_MS] = r->tps > 0 ? col_round(r->await_x_tps / r->tps, 2) : 0;
        m[KS_DISK_UTIL_PCT] = r->util_pct;
    }
    if (r->seen & SEEN_IO) {
        m[KS_DISK_READ_IOPS] = r->rd_iops;
        m[KS_DISK_WRITE_IOPS] = r->wr_iops;
    }
    if (r->seen & SEEN_NET) {
        m[KS_NET_RX_KIBPS] = col_round(r->rx_KiBps, 2);
        m[KS_NET_TX_KIBPS] = col_round(r->tx_KiBps, 2);
        m[KS_NET_RX_PPS] = col_round(r->rx_pps, 2);
        m[KS_NET_TX_PPS] = col_round(r->tx_pps, 2);
    }
}

/* What sar tells about the host: its name, logical CPUs and (from the user) clock. */
static void
host_inventory(struct ks_dataset *ds, size_t ent, const struct sar_host *h, double core_MHz)
{
    ks_inv_set(ds, ent, "hostname", h->name);
    if (h->ncpu > 0)
        ks_inv_set_num(ds, ent, "threads", h->ncpu);
    ks_inv_set_num(ds, ent, "core_MHz", core_MHz);
    ks_inv_set(ds, ent, "notes",
               h->ncpu <= 0      ? "sar: CPU count unknown (no sadf -H, restart record or -P "
                                   "ALL rows): cpu_MHz empty"
               : isnan(core_MHz) ? "sar: clock speed unknown (pass --core-MHz): cpu_MHz empty"
                                 : "sar: clock speed from --core-MHz");
}

/* Each host of the file becomes one sorted run in the sink. */
/* Hand the joined rows of every host to the sink, one sorted run per host. */
static void
emit(struct sar_in *in, const struct col_import_opts *o, struct col_isink *s)
{
    struct ks_dataset *ds = col_isink_ds(s);
    double m[KS_NMETRIC];
    for (size_t i = 0; i < in->nh; i++) {
        struct sar_host *h = &in->hosts[i];
        long known = ks_dataset_find(ds, h->name);
        size_t ent = ks_dataset_add_entity(ds, h->name, o->kind ? o->kind : "physical");
        if (h->ncpu <= 0 && known >= 0 && ks_inv_num(ds, ent, "threads") > 0)
            h->ncpu = (int)ks_inv_num(ds, ent, "threads");
        host_inventory(ds, ent, h, o->core_MHz);
        if (h->n) /* qsort wants a non-NULL base even for 0 rows */
            qsort(h->rows, h->n, sizeof *h->rows, cmp_row);
        col_isink_run(s);
        double mem_MiB = ks_inv_num(ds, ent, "mem_MiB");
        for (size_t r = 0; r < h->n; r++) {
            if ((h->rows[r].seen & SEEN_MEM) &&
                (h->rows[r].mem_total_KiB / 1024 > mem_MiB || isnan(mem_MiB)))
                mem_MiB = h->rows[r].mem_total_KiB / 1024;
            if (!(h->rows[r].seen & SEEN_CPU))
                continue; /* a time with no CPU row is not a sample */
            row_metrics(&h->rows[r], h->ncpu > 0 ? h->ncpu : NAN, o->core_MHz, m);
            col_isink_put(s, h->rows[r].t, (uint32_t)ent, h->rows[r].interval_s, m);
        }
        ks_inv_set_num(ds, ent, "mem_MiB", mem_MiB);
    }
}

/* Free the per-file join. */
static void
sar_in_fini(struct sar_in *in)
{
    for (size_t i = 0; i < in->nh; i++) {
        free(in->hosts[i].name);
        free(in->hosts[i].rows);
        ks_map_fini(&in->hosts[i].by_time);
    }
    free(in->hosts);
    ks_map_fini(&in->host_ix);
    for (int i = 0; i < in->nhdr; i++)
        free(in->hdr[i]);
}

/* One input: binary through sadf, text directly; unrelated files in directories are
 * skipped, a named one is read as text and fails with its first line. */
static int
import_file(const struct col_import_opts *o, const char *path, int from_dir, struct col_isink *s,
            struct col_import_report *rep, struct ks_err *err)
{
    int ft = file_type(path), rc;
    if (ft == FT_OTHER && from_dir) {
        rep->files_skipped++;
        col_import_note(rep, "%s: skipped (neither a saDD file nor sadf -d text)", path);
        return 0;
    }
    struct sar_in in = {.path = path, .rep = rep};
    ks_map_init(&in.host_ix);
    if (ft == FT_BINARY) {
        rc = read_binary(&in, o->sadf ? o->sadf : "sadf", err);
    } else {
        FILE *f = ks_fopen_read(path);
        if (!f)
            rc = ks_errf(err, -errno, "%s: %s", path, strerror(errno));
        else {
            rc = read_stream(&in, f, err);
            fclose(f);
        }
    }
    if (rc == 0) {
        emit(&in, o, s);
        col_isink_file_done(s);
    }
    sar_in_fini(&in);
    return rc;
}

int
col_import_sar(const struct col_import_opts *o, struct col_isink *s, struct col_import_report *rep,
               struct ks_err *err)
{
    struct col_flist fl;
    int rc = col_flist_build(&fl, o->inputs, o->ninputs, rep, err);
    for (size_t i = 0; rc == 0 && i < fl.n; i++)
        rc = import_file(o, fl.path[i], fl.from_dir[i], s, rep, err);
    col_flist_fini(&fl);
    return rc;
}
