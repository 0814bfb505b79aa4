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
 * or the LINUX-RESTART records and `-P ALL` rows (text). sar records neither clock
 * speed nor CPU model: they come from --core-MHz / --cpu-model, else from this machine
 * when the file's host name is its own (as collect reads them), else they stay empty,
 * the inventory notes say so and the import warns naming the option to give.
 *
 * Older file formats: sadf refuses them ("Current sysstat version cannot read the
 * format of this file"); `sadf -c` converts them into a temporary file in the output
 * directory, read in their place. When that fails too, the error quotes sadf.
 *
 * Memory: sadf prints every activity for the whole file before the next one, so the
 * rows of one input file are joined in memory (one saDD file is one day: 86,400 rows
 * at a 1 s interval, about 12 MiB); files are streamed one after the other.
 */
#include "collect/col_import_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/col_inventory.h"
#include "collect/col_snapshot.h"
#include "core/ks_fault.h"
#include "core/ks_locale.h"

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

/* "host;-1;time;LINUX-RESTART\t(N CPU)": sadf prints a file's first restart record
 * before any table header when the file starts with one (a file converted by sadf -c
 * does). */
static int
restart_line(const char *line)
{
    const char *p = strchr(line, ';');
    return p && strncmp(p + 1, "-1;", 3) == 0;
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
    if (n >= 1 && !f[0][0])
        return ks_errf(err, -EINVAL, "%s:%lu: field 'hostname' is empty (sadf -d writes one on "
                       "every line)", in->path, ln);
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
        } else if (!any_header && !restart_line(line)) {
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

/* Start sadf with args, its stdout on out_fd and its stderr on err_fd (-1: ours).
 * fork + exec rather than popen: no shell, so a file name with spaces or quotes is
 * passed to sadf as it is. sadf runs with LC_ALL=C.UTF-8 (C numbers): under a decimal-comma locale it
 * would print "92,54" (core/ks_locale.h). Returns the pid, or -1 with errno. */
static pid_t
sadf_start(const char *sadf, char *const *args, int out_fd, int err_fd)
{
    char **env = ks_child_env();
    pid_t pid = fork();
    if (pid == 0) { /* only async-signal-safe calls until exec */
        if (dup2(out_fd, 1) < 0 || (err_fd >= 0 && dup2(err_fd, 2) < 0))
            _exit(126);
        environ = env; /* execvp searches PATH in it and passes it on */
        execvp(sadf, args);
        _exit(127);
    }
    int e = errno;
    ks_child_env_free(env);
    errno = e;
    return pid;
}

/* Run sadf with args; returns a FILE reading its stdout (and its stderr too when
 * merge_err) and the child's pid, or NULL with errno. The pipe is close-on-exec, so
 * sadf holds only the ends it was given. */
static FILE *
spawn(const char *sadf, char *const *args, int merge_err, pid_t *pid)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return NULL;
    *pid = sadf_start(sadf, args, p[1], merge_err ? p[1] : -1);
    int e = errno;
    close(p[1]);
    if (*pid < 0) {
        close(p[0]);
        errno = e;
        return NULL;
    }
    return fdopen(p[0], "r");
}

/* Wait for a child: its exit status, or -1 when a signal ended it. */
static int
wait_exit(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Close the pipe and wait for sadf; its exit status decides whether the rows read
 * are trusted (a sadf that failed half way may have printed part of a file). */
static int
reap(const char *sadf, const char *path, FILE *f, pid_t pid, struct ks_err *err)
{
    fclose(f);
    int st = wait_exit(pid);
    if (st == 0)
        return 0;
    if (st == 127)
        return ks_errf(err, -ENOENT, "%s: cannot run '%s' (is sysstat installed?)", path, sadf);
    return ks_errf(err, -EINVAL, "%s: %s failed (status %d): not a sysstat file this sadf reads?",
                   path, sadf, st);
}

/* sadf's messages, one line: blank lines dropped, lines joined with " / ", at most
 * cap - 1 bytes (the first ones: sadf says what is wrong before how to fix it). */
static void
msg_add(char *msg, size_t cap, const char *line)
{
    size_t n = strlen(msg), k = strcspn(line, "\r\n");
    if (!k || n + 4 >= cap)
        return;
    snprintf(msg + n, cap - n, "%s%.*s", n ? " / " : "", (int)k, line);
}

/* sadf's own words when it cannot read a file's format (sa_common.c
 * handle_invalid_sa_file): the file is sysstat's, from an older version. */
static int
old_format(const char *msg)
{
    return strstr(msg, "cannot read the format of this file") != NULL ||
           strstr(msg, "Invalid system activity file") != NULL;
}

enum { OLD_FORMAT = -EPROTO }; /* sadf_header: the file needs sadf -c */

/* sadf -H prints only the file's magic line for a format it cannot read, and exits 0;
 * sadf -d says why (and exits non-zero). Its words replace msg; returns its status. */
static int
probe(const char *sadf, const char *file, char *msg, size_t cap)
{
    char *args[] = {(char *)sadf, "-d", "-U", (char *)file, "--", "-u", NULL};
    pid_t pid;
    FILE *f = spawn(sadf, args, 1, &pid);
    if (!f)
        return -1;
    char *line = NULL;
    size_t lcap = 0;
    msg[0] = '\0';
    while (getline(&line, &lcap, f) > 0)
        if (line[0] != '#' && !isdigit((unsigned char)line[0]) && strchr(line, ';') == NULL)
            msg_add(msg, cap, line); /* sadf's words, not its rows */
    free(line);
    fclose(f);
    char *how = strstr(msg, " / Try to convert"); /* sadf's advice: kasane follows it */
    if (how)
        *how = '\0';
    return wait_exit(pid);
}

/* sadf -H: the CPU count and which of the activities we want the file holds. sadf -d
 * fails outright when asked for an activity the file lacks (sadc records disks only
 * with -S DISK), so ask only for what the header lists. stderr comes through the same
 * pipe, so that a refusal can be quoted; returns OLD_FORMAT (msg holds sadf's words)
 * when sadf says the format is an older one. */
static int
sadf_header(const char *sadf, const char *file, const char *path, int *ncpu, unsigned *acts,
            char *msg, size_t cap, struct ks_err *err)
{
    char *args[] = {(char *)sadf, "-H", (char *)file, NULL};
    pid_t pid;
    FILE *f = spawn(sadf, args, 1, &pid);
    if (!f)
        return ks_errf(err, -errno, "%s: cannot start %s: %s", path, sadf, strerror(errno));
    char *line = NULL, *p;
    size_t lcap = 0;
    int listed = 0; /* sadf printed the activity list: it reads the file */
    *ncpu = 0;
    *acts = 0;
    msg[0] = '\0';
    while (getline(&line, &lcap, f) > 0) {
        if (strncmp(line, "Host:", 5) == 0 && (p = strrchr(line, '(')) != NULL)
            sscanf(p, "(%d CPU)", ncpu);
        *acts |= strstr(line, " A_CPU ") ? SEEN_CPU : 0;
        *acts |= strstr(line, " A_MEMORY ") ? SEEN_MEM : 0;
        *acts |= strstr(line, " A_DISK ") ? SEEN_DISK : 0;
        *acts |= strstr(line, " A_NET_DEV ") ? SEEN_NET : 0;
        *acts |= strstr(line, " A_IO ") ? SEEN_IO : 0;
        listed |= strncmp(line, "List of activities", 18) == 0;
        msg_add(msg, cap, line);
    }
    free(line);
    fclose(f);
    int st = wait_exit(pid);
    if (st == 0 && !listed) /* sadf -H stops after its first lines on an old format */
        st = probe(sadf, file, msg, cap);
    if (st == 0)
        return 0;
    if (st == 127)
        return ks_errf(err, -ENOENT, "%s: cannot run '%s' (is sysstat installed?)", path, sadf);
    if (old_format(msg))
        return OLD_FORMAT;
    return ks_errf(err, -EINVAL, "%s: %s failed (status %d): %s", path, sadf, st,
                   msg[0] ? msg : "no message");
}

/* Read the text sadf -c writes on stderr until it closes it; msg keeps the last cap - 1
 * bytes (sadf reports its progress first and the failure last). */
static void
read_tail(int fd, char *msg, size_t cap)
{
    FILE *f = fdopen(fd, "r");
    char *line = NULL, buf[2048] = "";
    size_t lcap = 0;
    while (f && getline(&line, &lcap, f) > 0) {
        msg_add(buf, sizeof buf, line);
        if (strlen(buf) > sizeof buf / 2) { /* keep the newer half */
            memmove(buf, buf + strlen(buf) - sizeof buf / 4, sizeof buf / 4 + 1);
        }
    }
    free(line);
    if (f)
        fclose(f);
    else
        close(fd);
    size_t n = strlen(buf), k = n >= cap ? cap - 1 : n;
    memcpy(msg, buf + n - k, k);
    msg[k] = '\0';
}

/* An older sysstat format: `sadf -c FILE` writes it in the current one to a temporary
 * file in dir (the output directory being built: the same file system as the result,
 * removed with it on any failure), which is then read in its place. why is sadf's
 * refusal, quoted if the conversion fails too. Returns 0 and *out (the caller unlinks
 * and frees it), or an error naming the file with both of sadf's messages. */
static int
convert_old(const char *sadf, const char *path, const char *dir, const char *why, char **out,
            struct ks_err *err)
{
    char *tmp = ks_xasprintf("%s/.sar-converted-XXXXXX", dir ? dir : ".");
    char msg[400] = "";
    int p[2] = {-1, -1}, fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0 || pipe2(p, O_CLOEXEC) != 0) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return ks_errf(err, -e,
                       "%s: written by an older sysstat (%s) and no temporary file for "
                       "sadf -c: %s",
                       path, why, strerror(e));
    }
    char *args[] = {(char *)sadf, "-c", (char *)path, NULL};
    pid_t pid = sadf_start(sadf, args, fd, p[1]);
    close(fd);
    close(p[1]);
    read_tail(p[0], msg, sizeof msg);
    int st = pid < 0 ? -1 : wait_exit(pid);
    if (st == 0) {
        *out = tmp;
        return 0;
    }
    unlink(tmp);
    free(tmp);
    return ks_errf(err, -EINVAL,
                   "%s: written by an older sysstat (sadf: %s) and 'sadf -c' could not convert "
                   "it (status %d: %s)",
                   path, why, st, msg[0] ? msg : "no message");
}

/* "format 0x2173 of sysstat 11.6.1" out of sadf's refusal (for the summary's note);
 * overwrites why. */
static const char *
old_what(char *why)
{
    char ver[24] = "?", fmt[16] = "?"; /* 12 + 15 + 12 + 23 + NUL fit in why's 64 */
    const char *v = strstr(why, "sysstat version "), *f = strstr(why, "this file (");
    if (v)
        sscanf(v + 16, "%23[0-9.]", ver);
    if (f)
        sscanf(f + 11, "%15[0-9a-fx]", fmt);
    snprintf(why, 64, "file format %s of sysstat %s", fmt, ver);
    return why;
}

/* sadf -d -U with every activity we use that the file holds (acts). */
static int
read_tables(struct sar_in *in, const char *sadf, const char *file, unsigned acts,
            struct ks_err *err)
{
    char *args[20] = {(char *)sadf, "-d", "-U", (char *)file, "--"};
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
    pid_t pid;
    FILE *f = spawn(sadf, args, 0, &pid);
    if (!f)
        return ks_errf(err, -errno, "%s: cannot start %s: %s", in->path, sadf, strerror(errno));
    int rc = read_stream(in, f, err);
    int rc2 = reap(sadf, in->path, f, pid, err);
    return rc < 0 ? rc : rc2;
}

/* A saDD file: sadf -H, then one sadf -d -U with every activity we use. A file of an
 * older sysstat format is converted with sadf -c first (into dir) and read the same
 * way; messages name the file as given. */
static int
read_binary(struct sar_in *in, const char *sadf, const char *dir, struct ks_err *err)
{
    unsigned acts = 0;
    char why[400], *conv = NULL;
    const char *file = in->path;
    int rc = sadf_header(sadf, file, in->path, &in->header_ncpu, &acts, why, sizeof why, err);
    if (rc == OLD_FORMAT && (rc = convert_old(sadf, in->path, dir, why, &conv, err)) == 0) {
        file = conv;
        col_import_note(in->rep, "%s: %s, converted with sadf -c", in->path, old_what(why));
        rc = sadf_header(sadf, file, in->path, &in->header_ncpu, &acts, why, sizeof why, err);
        if (rc == OLD_FORMAT)
            rc = ks_errf(err, -EINVAL,
                         "%s: sadf -c converted it, but sadf still cannot read "
                         "it: %s",
                         in->path, why);
    }
    if (rc == 0 && !(acts & SEEN_CPU))
        rc = ks_errf(err, -EINVAL,
                     "%s: the file holds no CPU activity (record it with sadc "
                     "-S ... including CPU, as sa1 does)",
                     in->path);
    if (rc == 0)
        rc = read_tables(in, sadf, file, acts, err);
    if (conv)
        unlink(conv);
    free(conv);
    return rc;
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

/* The CPU facts sar does not record (clock, model, cores), each with its source for the
 * inventory's notes. */
struct sar_cpu {
    double core_MHz; /* NaN unknown */
    const char *model;
    int sockets, cores; /* -1 unknown */
    char notes[1024];
    struct col_inventory me; /* this machine's CPU, when the file is its own */
};

static void cpu_note(struct sar_cpu *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
cpu_note(struct sar_cpu *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    col_list_appendf(c->notes, sizeof c->notes, "; ", fmt, ap);
    va_end(ap);
}

/* 1 when host is this machine (sadc records uname's nodename, which gethostname
 * returns) with as many CPUs as the file says; c->me then holds its CPU (/proc/cpuinfo,
 * cpufreq, sysfs topology, as collect reads them). */
static int
this_machine(const struct sar_host *h, struct sar_cpu *c)
{
    char me[256];
    struct col_root root;
    struct ks_err err = {0};
    if (gethostname(me, sizeof me) != 0 || strcmp(me, h->name) != 0 ||
        col_root_open(&root, NULL, 0, &err) < 0)
        return 0;
    col_inventory_cpu(&root, &c->me);
    col_root_close(&root);
    if (h->ncpu > 0 && c->me.threads > 0 && c->me.threads != h->ncpu) {
        cpu_note(c,
                 "sar: host name is this machine's, but it has %d CPUs and the file %d: "
                 "its CPU facts not used",
                 c->me.threads, h->ncpu);
        return 0;
    }
    return 1;
}

/* Clock and model: an option given wins (the user said so, and it must matter), then
 * this machine when the file is its own, else unknown with a warning naming the option
 * that gives it. */
static void
host_cpu(const struct col_import_opts *o, struct sar_host *h, struct sar_cpu *c,
         struct col_import_report *rep)
{
    memset(c, 0, sizeof *c);
    c->core_MHz = o->core_MHz;
    c->model = o->cpu_model;
    c->sockets = c->cores = -1;
    int local = (isnan(c->core_MHz) || !c->model || h->ncpu <= 0) && this_machine(h, c);
    if (local) {
        c->sockets = c->me.sockets;
        c->cores = c->me.cores;
        if (h->ncpu <= 0 && c->me.threads > 0)
            h->ncpu = c->me.threads;
        if (isnan(c->core_MHz))
            c->core_MHz = c->me.core_MHz;
        if (!c->model && c->me.cpu_model[0])
            c->model = c->me.cpu_model;
        cpu_note(c, "sar: the file's host is this machine: %s%s%s read here",
                 isnan(o->core_MHz) ? "core_MHz, " : "", o->cpu_model ? "" : "cpu_model, ",
                 "sockets and cores");
        if (c->me.notes[0])
            cpu_note(c, "this machine: %s", c->me.notes);
    }
    if (!isnan(o->core_MHz))
        cpu_note(c, "sar: core_MHz from --core-MHz");
    if (o->cpu_model)
        cpu_note(c, "sar: cpu_model from --cpu-model");
    if (h->ncpu <= 0) {
        cpu_note(c, "sar: CPU count unknown (no sadf -H, restart record or -P ALL rows): "
                    "cpu_MHz empty");
        col_import_warn(rep,
                        "host '%s': CPU count unknown, so cpu_MHz is left empty: import "
                        "the saDD file itself, or write the text with sadf -d -- -u ALL "
                        "-P ALL",
                        h->name);
    }
    if (isnan(c->core_MHz)) {
        cpu_note(c, "sar: clock speed unknown (give --core-MHz): cpu_MHz empty");
        col_import_warn(rep,
                        "host '%s': sar records no clock speed and the file is not from "
                        "this machine: cpu_MHz left empty, so plan cannot size it; give "
                        "--core-MHz N (nominal MHz of one CPU)",
                        h->name);
    }
    if (!c->model) {
        cpu_note(c, "sar: CPU model unknown (give --cpu-model)");
        col_import_warn(rep,
                        "host '%s': CPU model unknown (sar records none): give "
                        "--cpu-model TEXT (its /proc/cpuinfo 'model name') so plan can "
                        "rate its CPU",
                        h->name);
    }
}

/* What sar tells about the host: its name and logical CPUs, plus the CPU facts of
 * host_cpu. */
static void
host_inventory(struct ks_dataset *ds, size_t ent, const struct sar_host *h, const struct sar_cpu *c)
{
    ks_inv_set(ds, ent, "hostname", h->name);
    if (h->ncpu > 0)
        ks_inv_set_num(ds, ent, "threads", h->ncpu);
    ks_inv_set_num(ds, ent, "core_MHz", c->core_MHz);
    ks_inv_set(ds, ent, "cpu_model", c->model);
    if (c->sockets > 0)
        ks_inv_set_num(ds, ent, "sockets", c->sockets);
    if (c->cores > 0)
        ks_inv_set_num(ds, ent, "cores", c->cores);
    ks_inv_set(ds, ent, "notes", c->notes);
}

/* Each host of the file becomes one sorted run in the sink. */
/* Hand the joined rows of every host to the sink, one sorted run per host. */
static void
emit(struct sar_in *in, const struct col_import_opts *o, struct col_isink *s)
{
    struct ks_dataset *ds = col_isink_ds(s);
    double m[KS_NMETRIC];
    struct sar_cpu cpu;
    for (size_t i = 0; i < in->nh; i++) {
        struct sar_host *h = &in->hosts[i];
        long known = ks_dataset_find(ds, h->name);
        size_t ent = ks_dataset_add_entity(ds, h->name, o->kind ? o->kind : "physical");
        if (h->ncpu <= 0 && known >= 0 && ks_inv_num(ds, ent, "threads") > 0)
            h->ncpu = (int)ks_inv_num(ds, ent, "threads");
        host_cpu(o, h, &cpu, in->rep);
        host_inventory(ds, ent, h, &cpu);
        if (h->n) /* qsort wants a non-NULL base even for 0 rows */
            qsort(h->rows, h->n, sizeof *h->rows, cmp_row);
        col_isink_run(s);
        col_isink_at(s, in->path, 0); /* a row joins the lines of several tables */
        double mem_MiB = ks_inv_num(ds, ent, "mem_MiB");
        for (size_t r = 0; r < h->n; r++) {
            if ((h->rows[r].seen & SEEN_MEM) &&
                (h->rows[r].mem_total_KiB / 1024 > mem_MiB || isnan(mem_MiB)))
                mem_MiB = h->rows[r].mem_total_KiB / 1024;
            if (!(h->rows[r].seen & SEEN_CPU))
                continue; /* a time with no CPU row is not a sample */
            row_metrics(&h->rows[r], h->ncpu > 0 ? h->ncpu : NAN, cpu.core_MHz, m);
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
        rc = read_binary(&in, o->sadf ? o->sadf : "sadf", o->out_dir, err);
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
