#include "core/ks_util.h"

#include "core/ks_csv.h"
#include "core/ks_fault.h"
#include "core/ks_outdir.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

void
ks_alloc_fail_after(unsigned long n)
{
    char spec[32];
    snprintf(spec, sizeof spec, "oom@%lu", n);
    ks_fault_set(n ? spec : NULL, NULL);
}

/* Out of memory: nothing sane can be returned, so the program stops, but first the
 * temporary files of atomic writes in progress and the staging directories of output
 * directories are removed: the previous versions stay as they were and nothing
 * half-written is left beside them. */
static void
oom(size_t n, int injected)
{
    ks_afile_unlink_all();
    ks_outdir_remove_all();
    fprintf(stderr, "kasane: out of memory (allocating %zu bytes)%s\n", n,
            injected ? " [injected by KASANE_FAULT]" : "");
    abort();
}

static void
check_injected(size_t n)
{
    if (ks_fault_alloc())
        oom(n, 1);
}

void *
ks_xmalloc(size_t n)
{
    check_injected(n);
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n, 0);
    return p;
}

void *
ks_xcalloc(size_t n, size_t size)
{
    check_injected(n * size);
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size, 0);
    return p;
}

void *
ks_xrealloc(void *p, size_t n)
{
    check_injected(n);
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n, 0);
    return q;
}

void *
ks_xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    p = ks_xrealloc(p, c * elem);
    *cap = c;
    return p;
}

char *
ks_xstrdup(const char *s)
{
    return ks_xstrndup(s, strlen(s));
}

char *
ks_xstrndup(const char *s, size_t n)
{
    char *p = ks_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
ks_xasprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = ks_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

char *
ks_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0)
        return ks_xstrdup(name);
    if (dir[n - 1] == '/') /* the root: "/" itself */
        return ks_xasprintf("/%s", name);
    return ks_xasprintf("%.*s/%s", (int)n, dir, name);
}

size_t
ks_escape(char *dst, size_t cap, const char *src)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (!cap)
        return 0;
    for (const unsigned char *s = (const unsigned char *)src; *s; s++) {
        char e[5] = {(char)*s, 0, 0, 0, 0};
        size_t k = 1;
        if (*s < 0x20 || *s == 0x7f) {
            char letter = *s == '\n' ? 'n' : *s == '\t' ? 't' : *s == '\r' ? 'r' : 0;
            e[0] = '\\';
            e[1] = letter ? letter : 'x';
            e[2] = hex[*s >> 4];
            e[3] = hex[*s & 15];
            k = letter ? 2 : 4;
        }
        if (o + k >= cap)
            break; /* never half an escape */
        memcpy(dst + o, e, k);
        o += k;
    }
    dst[o] = '\0';
    return o;
}

long
ks_ctrl_at(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return (long)(p - (const unsigned char *)s);
    return -1;
}

/* Messages carry names from files (entity names, paths, cells): escaping here, in the
 * one formatter, means no message can put a raw control character on a terminal or a
 * forged line in a log, whoever formats it. */
int
ks_errf(struct ks_err *err, int code, const char *fmt, ...)
{
    if (!err || err->code)
        return code;
    char raw[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ks_escape(err->msg, sizeof err->msg, raw);
    err->code = code ? code : -EINVAL;
    return code;
}

void
ks_err_addline(struct ks_err *err, const char *fmt, ...)
{
    if (!err || !err->code)
        return;
    char raw[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t len = strnlen(err->msg, sizeof err->msg - 1);
    if (len + 4 >= sizeof err->msg)
        return;
    memcpy(err->msg + len, "\n  ", 3);
    ks_escape(err->msg + len + 3, sizeof err->msg - len - 3, raw);
}

void
ks_err_prefix(struct ks_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    char raw[256], pre[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ks_escape(pre, sizeof pre, raw);
    size_t lp = strlen(pre), cap = sizeof err->msg;
    size_t lm = strnlen(err->msg, cap - 1);
    if (lp + lm >= cap)
        lm = cap - 1 - lp;
    memmove(err->msg + lp, err->msg, lm);
    memcpy(err->msg, pre, lp);
    err->msg[lp + lm] = '\0';
}

void
ks_err_clear(struct ks_err *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

double
ks_nan(void)
{
    return NAN;
}

int
ks_isnan(double v)
{
    return isnan(v);
}

/* Clinger's fast path: a decimal with at most 15 significant digits and at most 22
 * fraction digits is m / 10^k with both m and 10^k exact doubles, so one IEEE division
 * gives the correctly rounded value, the same one strtod gives. Returns 0 when the
 * text is not of that simple form (the caller then uses strtod). */
static int
parse_simple_decimal(const char *s, double *out)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    int neg = *s == '-', digits = 0, frac = -1;
    uint64_t m = 0;
    if (neg)
        s++;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            if (m || *s != '0')
                digits++;
            m = m * 10 + (uint64_t)(*s - '0');
            if (frac >= 0)
                frac++;
            if (digits > 15 || frac > 22)
                return 0;
        } else if (*s == '.' && frac < 0) {
            frac = 0;
        } else {
            return 0;
        }
    }
    if (frac == 0 || (frac < 0 && digits == 0 && m == 0 && s[-1] != '0'))
        return 0;
    double v = (double)m;
    if (frac > 0)
        v /= pow10[frac];
    *out = neg ? -v : v;
    return 1;
}

int
ks_parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return -EINVAL;
    if (parse_simple_decimal(s, out))
        return 0;
    /* Decimal text only: strtod would also take leading blanks, hex ("0x10" is 16),
     * "inf", "nan" and "infinity", none of which is a measurement in a CSV file. */
    if (s[strspn(s, "0123456789+-.eE")] != '\0')
        return -EINVAL;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* ERANGE with a finite result is underflow: 1e-320 is the tiny (subnormal) value or
     * 0, a number all the same; overflow (1e309) gives HUGE_VAL and is refused. */
    if (end == s || *end != '\0' || !isfinite(v))
        return -EINVAL;
    *out = v;
    return 0;
}

int
ks_parse_long(const char *s, long *out)
{
    if (!s || !*s || *s == ' ' || *s == '\t')
        return -EINVAL;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return -EINVAL;
    *out = v;
    return 0;
}

const char *
ks_fmt_double(char *buf, double v)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return buf;
    }
    if (v == 0) { /* also folds -0 into 0 */
        strcpy(buf, "0");
        return buf;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, KS_NUMBUF, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

const char *
ks_fmt_whole(char *buf, double v)
{
    if (isnan(v))
        snprintf(buf, KS_NUMBUF, "NaN");
    else if (fabs(v) < 1e12)
        snprintf(buf, KS_NUMBUF, "%.0f", v);
    else
        snprintf(buf, KS_NUMBUF, "%.3g", v);
    return buf;
}

double
ks_mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void
ks_phase(const char *what, double t[2])
{
    /* Plans run on several threads (rules' re-plans, the sweep): the flag is atomic
     * (each thread may look at the environment once; they all find the same). */
    static _Atomic int on = -1;
    int o = atomic_load_explicit(&on, memory_order_relaxed);
    if (o < 0)
        atomic_store_explicit(&on, o = getenv("KASANE_PHASES") != NULL, memory_order_relaxed);
    if (!o)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    double wall = ks_mono_s(), cpu = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    if (what)
        fprintf(stderr, "kasane: phase %s: wall %.3f s, cpu %.3f s\n", what, wall - t[0],
                cpu - t[1]);
    t[0] = wall;
    t[1] = cpu;
}

double
ks_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
ks_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

void
ks_select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        double a = v[lo], b = v[mid], c = v[hi];
        double piv = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = lo, j = hi;
        while (i <= j) { /* Hoare partition around the pivot value */
            while (v[i] < piv)
                i++;
            while (v[j] > piv)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i++] = v[j];
                v[j] = t;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return; /* v[j+1 .. i-1] all equal the pivot, k among them */
    }
}

double
ks_percentile_select(double *v, size_t n, double p)
{
    if (n == 0)
        return NAN;
    if (p <= 0 || p >= 100) { /* the least or the largest: one pass */
        double x = v[0];
        for (size_t k = 1; k < n; k++)
            x = p <= 0 ? (v[k] < x ? v[k] : x) : (v[k] > x ? v[k] : x);
        return x;
    }
    double pos = p / 100.0 * (double)(n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    ks_select_kth(v, n, i);
    if (i + 1 >= n)
        return v[i];
    double next = v[i + 1]; /* the next order statistic: the least of what follows */
    for (size_t k = i + 2; k < n; k++)
        next = v[k] < next ? v[k] : next;
    return v[i] + frac * (next - v[i]); /* ks_percentile's own expression */
}

double
ks_percentile(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, ks_cmp_double);
    while (n > 0 && isnan(v[n - 1]))
        n--;
    if (n == 0)
        return NAN;
    if (p <= 0)
        return v[0];
    if (p >= 100)
        return v[n - 1];
    double pos = p / 100.0 * (double)(n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    return i + 1 < n ? v[i] + frac * (v[i + 1] - v[i]) : v[i];
}

void *
ks_advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (p && n >= ((size_t)4 << 20)) {
        uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
        uintptr_t a = ((uintptr_t)p + pg - 1) & ~(pg - 1), z = ((uintptr_t)p + n) & ~(pg - 1);
        if (z > a)
            madvise((void *)a, z - a, MADV_HUGEPAGE);
    }
#endif
    return p;
}

void *
ks_xmalloc_huge(size_t n)
{
    return ks_advise_huge(ks_xmalloc(n), n);
}

void *
ks_xcalloc_huge(size_t n, size_t size)
{
    return ks_advise_huge(ks_xcalloc(n, size), n * size);
}
