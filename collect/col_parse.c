/*
 * Parsers of /proc text. They share three habits: walk the buffer line by line
 * (next_line never runs past the NUL), read numbers with strtoull (a counter that
 * overflows 64 bits saturates instead of wrapping into nonsense), and skip lines they
 * do not understand rather than fail, since kernels add fields and lines over time.
 */
#include "collect/col_parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_util.h"

/* Parse up to max unsigned decimal numbers from *p (stopping at the end of the line);
 * returns how many were read and leaves *p after them. */
static size_t
scan_u64s(const char **p, uint64_t *v, size_t max)
{
    const char *s = *p;
    size_t n = 0;
    while (n < max) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!isdigit((unsigned char)*s))
            break;
        char *end;
        v[n++] = strtoull(s, &end, 10);
        s = end;
    }
    *p = s;
    return n;
}

static const char *
next_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl ? nl + 1 : s + strlen(s);
}

/* ASCII white space, whatever LC_CTYPE says: kasane top takes LC_CTYPE from the
 * environment, and isspace() of a Latin-1 locale would also split at byte 0xa0. */
static int
is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Copy a whitespace-delimited word (at most cap-1 bytes); returns the end of it. */
static const char *
scan_word(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    while (*s && !is_space((unsigned char)*s)) {
        if (n + 1 < cap)
            out[n++] = *s;
        s++;
    }
    out[n] = '\0';
    return s;
}

/* Lines "cpu  ..." (aggregate) and "cpuN ..." (online CPUs only). Other lines (intr,
 * ctxt, softirq: the bulk of the file on big machines) are skipped on their first
 * bytes. */
int
col_parse_proc_stat(const char *buf, struct col_proc_stat *out)
{
    int seen_all = 0;
    out->ncpu = 0;
    memset(&out->all, 0, sizeof out->all);
    for (const char *s = buf; *s; s = next_line(s)) {
        if (strncmp(s, "cpu", 3) != 0)
            continue;
        const char *p = s + 3;
        struct col_cpu_line l = {.cpu = -1};
        if (isdigit((unsigned char)*p)) {
            char *end;
            l.cpu = (int)strtol(p, &end, 10);
            p = end;
        } else if (*p != ' ') {
            continue;
        }
        /* user nice system idle are present since 2.4; iowait and later may not be. */
        if (scan_u64s(&p, l.t, COL_T_N) < 4)
            continue;
        if (l.cpu < 0) {
            out->all = l;
            seen_all = 1;
            continue;
        }
        out->cpu = ks_xgrow(out->cpu, &out->cap, out->ncpu + 1, sizeof *out->cpu);
        out->cpu[out->ncpu++] = l;
    }
    return seen_all ? 0 : -EINVAL;
}

void
col_proc_stat_fini(struct col_proc_stat *ps)
{
    free(ps->cpu);
    memset(ps, 0, sizeof *ps);
}

/* "Key:   123 kB" -> 123 when the line starts with key followed by ':'. */
static int
kv_num(const char *line, const char *key, double *out)
{
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0 || line[k] != ':')
        return 0;
    *out = strtod(line + k + 1, NULL);
    return 1;
}

/* "Key:   value kB" lines; the table maps each key kasane uses to its field, so the
 * scan is one pass whatever order the kernel prints them in. */
int
col_parse_meminfo(const char *buf, struct col_meminfo *m)
{
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"MemTotal", offsetof(struct col_meminfo, total_KiB)},
        {"MemFree", offsetof(struct col_meminfo, free_KiB)},
        {"MemAvailable", offsetof(struct col_meminfo, avail_KiB)},
        {"Buffers", offsetof(struct col_meminfo, buffers_KiB)},
        {"Cached", offsetof(struct col_meminfo, cached_KiB)},
        {"SReclaimable", offsetof(struct col_meminfo, sreclaim_KiB)},
        {"SwapTotal", offsetof(struct col_meminfo, swap_total_KiB)},
        {"SwapFree", offsetof(struct col_meminfo, swap_free_KiB)},
    };
    const size_t nk = sizeof keys / sizeof *keys;
    for (size_t i = 0; i < nk; i++)
        *(double *)((char *)m + keys[i].off) = NAN;
    for (const char *s = buf; *s; s = next_line(s))
        for (size_t i = 0; i < nk; i++)
            if (kv_num(s, keys[i].key, (double *)((char *)m + keys[i].off)))
                break;
    return isnan(m->total_KiB) ? -EINVAL : 0;
}

double
col_mem_used_KiB(const struct col_meminfo *m)
{
    if (!isnan(m->avail_KiB))
        return m->total_KiB - m->avail_KiB;
    if (isnan(m->free_KiB) || isnan(m->buffers_KiB) || isnan(m->cached_KiB))
        return NAN;
    return m->total_KiB - m->free_KiB - m->buffers_KiB - m->cached_KiB;
}

int
col_parse_vmstat(const char *buf, struct col_vmstat *out)
{
    static const char *const names[COL_VM_N] = {"pgpgin ", "pgpgout "};
    memset(out, 0, sizeof *out);
    for (const char *s = buf; *s; s = next_line(s))
        for (int i = 0; i < COL_VM_N; i++)
            if (strncmp(s, names[i], strlen(names[i])) == 0) {
                out->c[i] = strtoull(s + strlen(names[i]), NULL, 10);
                out->have |= 1 << i;
            }
    return out->have ? 0 : -EINVAL;
}

/* "major minor name f1 f2 ...": 11 fields up to 4.17, 15 from 4.18 (discards), 17
 * from 5.5 (flushes). A name is at most COL_NAME_MAX-1 bytes (longer ones are cut,
 * which only matters for device names no kernel uses). */
int
col_parse_diskstats(const char *buf, struct col_diskstats *out)
{
    out->n = 0;
    for (const char *s = buf; *s; s = next_line(s)) {
        struct col_disk_line l;
        uint64_t v[18] = {0}, mm[2];
        const char *p = s;
        memset(&l, 0, sizeof l);
        if (scan_u64s(&p, mm, 2) != 2)
            continue;
        p = scan_word(p, l.name, sizeof l.name);
        size_t n = scan_u64s(&p, v, 17);
        if (n < 11 || !l.name[0])
            continue; /* 2.6-era partition lines carry 4 counters: not whole disks */
        l.major = (unsigned)mm[0];
        l.minor = (unsigned)mm[1];
        /* v: rd_ios rd_merges rd_sect rd_ticks wr_ios wr_merges wr_sect wr_ticks
         * in_flight io_ticks tq_ticks [dc_ios dc_merges dc_sect dc_ticks [fl_ios
         * fl_ticks]]; in_flight (v[8]) is a gauge and is skipped. */
        memcpy(l.c, v, 8 * sizeof *v);
        l.c[COL_D_IO_TICKS] = v[9];
        l.c[COL_D_TQ_TICKS] = v[10];
        for (int i = 0; i < 6; i++)
            l.c[COL_D_DC_IOS + i] = v[11 + i];
        out->d = ks_xgrow(out->d, &out->cap, out->n + 1, sizeof *out->d);
        out->d[out->n++] = l;
    }
    return 0;
}

void
col_diskstats_fini(struct col_diskstats *ds)
{
    free(ds->d);
    memset(ds, 0, sizeof *ds);
}

/* "  name: rx(8 fields) tx(8 fields)". The name ends at the first colon; old kernels
 * glued large byte counts to it ("eth0:1234"), hence no space is required after it. */
int
col_parse_net_dev(const char *buf, struct col_netdev *out)
{
    out->n = 0;
    for (const char *s = buf; *s; s = next_line(s)) {
        const char *colon = strchr(s, ':'), *nl = strchr(s, '\n');
        if (!colon || (nl && colon > nl))
            continue; /* the two header lines have no "name:" */
        struct col_nic_line l;
        uint64_t v[16];
        const char *b = s;
        while (*b == ' ')
            b++;
        size_t len = (size_t)(colon - b);
        if (len == 0 || len >= sizeof l.name)
            continue;
        memcpy(l.name, b, len);
        l.name[len] = '\0';
        const char *p = colon + 1;
        if (scan_u64s(&p, v, 16) < 12)
            continue;
        /* rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes ... */
        for (int i = 0; i < 4; i++) {
            l.c[COL_N_RX_BYTES + i] = v[i];
            l.c[COL_N_TX_BYTES + i] = v[8 + i];
        }
        out->d = ks_xgrow(out->d, &out->cap, out->n + 1, sizeof *out->d);
        out->d[out->n++] = l;
    }
    return 0;
}

void
col_netdev_fini(struct col_netdev *nd)
{
    free(nd->d);
    memset(nd, 0, sizeof *nd);
}

/* Value of "key<blanks>: value" into out (trimmed); 1 if the line matched. */
static int
cpuinfo_kv(const char *line, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0)
        return 0;
    const char *p = line + k;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != ':')
        return 0;
    p++;
    while (*p == ' ')
        p++;
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    while (n > 0 && is_space((unsigned char)p[n - 1]))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

/* A cpuinfo number such as "cpu family : 26": 0-9999, else -1 (a fake tree may hold
 * anything). */
static int
small_int(const char *v)
{
    long x;
    return ks_parse_long(v, &x) == 0 && x >= 0 && x < 10000 ? (int)x : -1;
}

/* Keys are padded with tabs before the colon ("cpu MHz\t\t: 2596.098"); the first
 * processor's values stand for all (kasane does not model mixed-core machines). */
int
col_parse_cpuinfo(const char *buf, struct col_cpuinfo *out)
{
    char v[4096];
    memset(out, 0, sizeof *out);
    out->mhz = NAN;
    out->family = out->model_no = -1;
    for (const char *s = buf; *s; s = next_line(s)) {
        if (cpuinfo_kv(s, "processor", v, sizeof v))
            out->nproc++;
        else if (!out->model[0] && (cpuinfo_kv(s, "model name", v, sizeof v) ||
                                    cpuinfo_kv(s, "cpu model", v, sizeof v)))
            snprintf(out->model, sizeof out->model, "%.127s", v);
        else if (isnan(out->mhz) && cpuinfo_kv(s, "cpu MHz", v, sizeof v))
            out->mhz = strtod(v, NULL);
        else if (out->family < 0 && cpuinfo_kv(s, "cpu family", v, sizeof v))
            out->family = small_int(v);
        else if (out->model_no < 0 && cpuinfo_kv(s, "model", v, sizeof v))
            out->model_no = small_int(v);
        else if (cpuinfo_kv(s, "flags", v, sizeof v)) {
            /* whole-word match: "hypervisor" must not match a longer flag */
            const char *h = strstr(v, "hypervisor");
            while (h && !((h == v || h[-1] == ' ') && (h[10] == ' ' || h[10] == '\0')))
                h = strstr(h + 1, "hypervisor");
            out->hypervisor_flag |= h != NULL;
        }
    }
    if (!(out->mhz > 0))
        out->mhz = NAN;
    return out->nproc > 0 || out->model[0] ? 0 : -EINVAL;
}

static void
unquote(const char *v, char *out, size_t cap)
{
    size_t n = strcspn(v, "\n");
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        v++;
        n -= 2;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

void
col_parse_os_release(const char *buf, char *out, size_t cap)
{
    char name[128] = "", ver[64] = "";
    out[0] = '\0';
    for (const char *s = buf; *s; s = next_line(s)) {
        if (strncmp(s, "PRETTY_NAME=", 12) == 0)
            unquote(s + 12, out, cap);
        else if (strncmp(s, "NAME=", 5) == 0)
            unquote(s + 5, name, sizeof name);
        else if (strncmp(s, "VERSION_ID=", 11) == 0)
            unquote(s + 11, ver, sizeof ver);
    }
    if (!out[0] && name[0])
        snprintf(out, cap, "%s%s%s", name, ver[0] ? " " : "", ver);
}

int
col_parse_cpulist(const char *buf)
{
    int n = 0;
    const char *p = buf;
    while (*p && *p != '\n') {
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (end == p || a < 0)
            return -EINVAL;
        p = end;
        if (*p == '-') {
            b = strtol(p + 1, &end, 10);
            if (end == p + 1 || b < a)
                return -EINVAL;
            p = end;
        }
        n += (int)(b - a + 1);
        if (*p == ',')
            p++;
        else if (*p && *p != '\n')
            return -EINVAL;
    }
    return n;
}

double
col_parse_uptime(const char *buf)
{
    char *end;
    double v = strtod(buf, &end);
    return end == buf || !(v >= 0) ? NAN : v;
}

double
col_parse_btime(const char *buf)
{
    for (const char *s = buf; *s; s = next_line(s))
        if (strncmp(s, "btime ", 6) == 0)
            return col_parse_uptime(s + 6);
    return NAN;
}
