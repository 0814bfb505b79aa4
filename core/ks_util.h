/*
 * ks_util: allocation, error reporting and number formatting shared by every module.
 *
 * Allocation never fails for the caller: ks_xmalloc and friends abort with a message
 * on out-of-memory, so no NULL checks follow them (style.md rule 6). KASANE_FAULT=oom@N
 * (core/ks_fault.h) or ks_alloc_fail_after makes the n-th allocation fail, for tests.
 *
 * Errors: library functions return 0 or a negative errno-style code and, when the
 * caller passes a struct ks_err, a message for a human naming file, line and field.
 */
#ifndef KS_UTIL_H
#define KS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Exit statuses of every command (design.md). */
enum { KS_EXIT_OK = 0, KS_EXIT_INPUT = 1, KS_EXIT_USAGE = 2 };

struct ks_err {
    int code;      /* negative errno-style code of the first error, 0 if none */
    char msg[1024]; /* human-readable, no trailing newline */
};

void *ks_xmalloc(size_t n);
void *ks_xcalloc(size_t n, size_t size);
void *ks_xrealloc(void *p, size_t n);
/* Grow an array of elem-sized items to hold at least need items; *cap updated. */
void *ks_xgrow(void *p, size_t *cap, size_t need, size_t elem);
char *ks_xstrdup(const char *s);
char *ks_xstrndup(const char *s, size_t n);
char *ks_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "dir/name", allocated: dir's trailing slashes are dropped first, so a directory the
 * user typed as "room/" gives "room/inventory.csv" in paths and messages, not
 * "room//inventory.csv". The root stays the root ("/" + "x" = "/x"); an empty dir
 * gives name alone. */
char *ks_path_join(const char *dir, const char *name);

/* Fault injection for tests: the n-th allocation from now aborts as if out of memory
 * (0 disables; same as ks_fault_set("oom@n")). Out-of-memory always aborts: there is
 * nothing sane to return; open atomic files' temporaries are removed first. */
void ks_alloc_fail_after(unsigned long n);

/* Record an error (the first one wins if err already holds one) and return code.
 * err may be NULL. Control bytes (0x00-0x1f, 0x7f) in the formatted text are escaped
 * (ks_escape), so a message never carries a raw newline or terminal escape from a
 * name it quotes. */
int ks_errf(struct ks_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix an existing message, e.g. with the command name. */
void ks_err_prefix(struct ks_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ks_err_clear(struct ks_err *err);
/* Append one more line ("\n  " + escaped text) to a message already recorded: the only
 * way a message spans lines (e.g. a list of problems). No-op when err holds no error. */
void ks_err_addline(struct ks_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copy src to dst (cap bytes, always NUL-terminated, never half an escape) with each
 * control byte written visibly: \n, \t, \r, else \xHH (ESC is \x1b). Returns the length
 * written. Bytes >= 0x80 (UTF-8) pass unchanged. */
size_t ks_escape(char *dst, size_t cap, const char *src);
/* Offset of the first control byte (0x00-0x1f or 0x7f) in s, or -1 when there is none:
 * entity names and other names a dataset carries must have none (they reach file
 * names, terminals, gnuplot programs and spreadsheets). */
long ks_ctrl_at(const char *s);

/* NaN is "unknown" everywhere in kasane: an empty CSV field reads as NaN. */
double ks_nan(void);
int ks_isnan(double v);

/* Parse a whole string as a finite double. Returns 0 and sets *out, or -EINVAL.
 * An empty string is not a number here (callers decide what empty means). Decimal
 * text only (digits, sign, point, exponent): hex, inf, nan and blanks are refused;
 * a value too small for a double (1e-320) reads as the nearest subnormal or 0, a value
 * too large (1e309) is refused. */
int ks_parse_double(const char *s, double *out);
/* Parse a whole string as a long (base 10). */
int ks_parse_long(const char *s, long *out);

/* Shortest decimal text that reads back as exactly v (%.15g, else 16, else 17
 * significant digits); NaN is the empty string. buf needs KS_NUMBUF bytes.
 * write -> read -> write is therefore byte-identical. */
#define KS_NUMBUF 32
const char *ks_fmt_double(char *buf, double v);

/* Compact text for a number in a message: whole units (like %.0f) below 1e12 in
 * magnitude, else three significant digits with an exponent, so 1e308 prints as
 * "1e+308" and not as 309 digits. NaN is "NaN". buf needs KS_NUMBUF bytes. */
const char *ks_fmt_whole(char *buf, double v);

/* Advice that the n bytes at p (a large array about to be filled) be backed by
 * transparent huge pages; p is returned. Below 4 MiB, or where the kernel has no huge
 * pages, nothing changes. Filling fresh memory at 4 KiB a page costs a fault per page (a
 * third of a read's time, ks_dataset.c), and writes that stride across many pages (a
 * time grid filled from time-major rows) miss the TLB at every row. */
void *ks_advise_huge(void *p, size_t n);
/* ks_xmalloc and ks_xcalloc of memory advised so: for arrays of the estate's size. */
void *ks_xmalloc_huge(size_t n);
void *ks_xcalloc_huge(size_t n, size_t size);

/* Seconds from a monotonic clock and from the wall clock. */
double ks_mono_s(void);
double ks_wall_s(void);
/* Phase timings for profiling, when KASANE_PHASES is set: "kasane: phase WHAT: wall W s,
 * cpu C s" on stderr, the wall and process CPU time since t was last passed (t[0], t[1]),
 * then t reset to now; what NULL only sets t. Nothing is printed without the variable. */
void ks_phase(const char *what, double t[2]);

/* Compare doubles for qsort (NaN sorts last). */
int ks_cmp_double(const void *a, const void *b);
/* p-th percentile (0-100) of n values by linear interpolation between order
 * statistics; sorts v in place; NaN values are ignored; NaN if none is left. */
double ks_percentile(double *v, size_t n, double p);
/* Reorder v[0..n) (n > 0, no NaN) so that v[k] holds what a sort would put there, with
 * nothing larger before it and nothing smaller after it (quickselect, median of three:
 * expected O(n) where a sort is O(n log n)). */
void ks_select_kth(double *v, size_t n, size_t k);
/* ks_percentile's value of n values none of which is NaN, by selection: the planner and
 * the report take several percentiles of every server's series, where sorts were a
 * third of their time. Reorders v; NaN when n is 0. */
double ks_percentile_select(double *v, size_t n, double p);

/* splitmix64 (Steele, Lea, Flood 2014): the next output of the generator whose state
 * is *x. Turns any 64-bit seed, even 0 or 1, into well-mixed words, as the xoshiro
 * authors recommend for seeding (the generator and the simulator seed with it) and is
 * a fast generator of its own (the packer's moves). */
static inline uint64_t
ks_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One step of xoshiro256** 1.0 (Blackman and Vigna, prng.di.unimi.it) on the four
 * words of state s, which must not all be zero. Seeding and scaling stay with the
 * callers (the generator and the simulator keep their own streams). */
static inline uint64_t
ks_xoshiro256ss(uint64_t s[4])
{
    uint64_t x = s[1] * 5, t = s[1] << 17;
    uint64_t res = ((x << 7) | (x >> 57)) * 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return res;
}

#endif
