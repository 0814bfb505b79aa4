/* samples.csv read every way must agree bit for bit (core/ks_sread.c): the general path
 * (every row through libcsv, ks_samples_parse), the fast path on one thread and in
 * blocks on two (ks_samples_parse_mem), and samples.csv.zst streamed. Inputs are hostile:
 * a BOM, CRLF, quoted fields with newlines and commas, blank lines, numbers spelled every
 * way ks_parse_double takes, blanks libcsv trims, 1e308 and 1e309, and errors anywhere,
 * whose messages (file, line, column) must be the same; files the blocks take whole
 * (no quotes) are read in blocks of 4 and 64 KiB, with errors where blocks meet. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "core/ks_zst.h"

#define NENT 7

/* A growing text buffer. */
struct text {
    char *s;
    size_t n, cap;
};

static void
put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    t->s = ks_xgrow(t->s, &t->cap, t->n + (size_t)k + 1, 1);
    va_start(ap, fmt);
    vsnprintf(t->s + t->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    t->n += (size_t)k;
}

static struct ks_dataset *
inventory(void)
{
    static const char *const names[NENT] = {"web1",   "db 2", "x,y",     "q\"uote",
                                            "=cmd()", "ünï",  "srv-0007"};
    struct ks_dataset *ds = ks_dataset_new();
    for (int e = 0; e < NENT; e++)
        ks_dataset_add_entity(ds, names[e], "vm");
    return ds;
}

/* The entity field as a CSV writer spells it. */
static const char *
ent_field(int e)
{
    static const char *const f[NENT] = {"web1",   "db 2", "\"x,y\"", "\"q\"\"uote\"",
                                        "=cmd()", "ünï",  "srv-0007"};
    return f[e];
}

/* Odd but valid spellings of a number in 0-100, and their rotation. */
static const char *const odd[] = {
    "1e1",     "+5", "007", ".5", "5.", "-0",     "0.000", "1E+1", "99.99999999999999999999",
    "12.5e-1", "",   "3",   " 4", "4 ", "\"42\"", "100"};
#define NODD (sizeof odd / sizeof *odd)

/* rows steps of every entity; bad_line > 0 replaces that line with bad. */
static struct text
make_file(int crlf, int bom, size_t steps, unsigned long bad_line, const char *bad)
{
    struct text t = {0};
    const char *eol = crlf ? "\r\n" : "\n";
    put(&t, "%stime,entity,interval_s,cpu_pct,mem_used_MiB,note,ipc%s", bom ? "\xef\xbb\xbf" : "",
        eol);
    unsigned long line = 2;
    for (size_t s = 0; s < steps; s++)
        for (int e = 0; e < NENT; e++, line++) {
            if (line == bad_line) {
                put(&t, "%s%s", bad, eol);
                continue;
            }
            size_t k = s * NENT + (size_t)e;
            if (k % 97 == 5) { /* a quoted note over three lines */
                put(&t, "%zu,%s,300,%s,%zu.25,\"a%sb,%sc\"\"\",1.5%s", 1000 + 300 * s, ent_field(e),
                    odd[k % NODD], k, eol, eol, eol);
                line += 2;
            } else {
                put(&t, "%zu,%s,300,%s,%zu.%zu,,%s%s", 1000 + 300 * s, ent_field(e), odd[k % NODD],
                    k, k % 1000, k % 11 ? "0.5" : "1E2", eol);
            }
            if (k % 503 == 7) { /* a blank line */
                put(&t, "%s", eol);
                line++;
            }
        }
    return t;
}

struct result {
    int rc;
    char msg[sizeof((struct ks_err *)0)->msg];
    struct ks_dataset *ds;
};

static struct result
read_general_as(const struct text *t, struct ks_dataset *ds, const char *name)
{
    struct result r = {0};
    struct ks_err err = {0};
    r.ds = ds;
    struct ks_csv_reader *cr = ks_csv_open_mem(t->s, t->n, ',', name);
    r.rc = ks_samples_parse(r.ds, cr, &err);
    ks_csv_close(cr);
    snprintf(r.msg, sizeof r.msg, "%s", err.msg);
    return r;
}

static struct result
read_general(const struct text *t)
{
    return read_general_as(t, inventory(), "s.csv");
}

static struct result
read_fast(const struct text *t, int nthreads)
{
    struct result r = {0};
    struct ks_err err = {0};
    r.ds = inventory();
    r.rc = ks_samples_parse_mem(r.ds, t->s, t->n, "s.csv", nthreads, &err);
    snprintf(r.msg, sizeof r.msg, "%s", err.msg);
    return r;
}

/* Same code, message, and (on success) the same rows, bit for bit. */
static void
assert_same(const struct result *a, const struct result *b)
{
    assert_int_equal(a->rc, b->rc);
    assert_string_equal(a->msg, b->msg);
    if (a->rc < 0)
        return;
    const struct ks_samples *x = &a->ds->s, *y = &b->ds->s;
    assert_int_equal(x->nrows, y->nrows);
    assert_memory_equal(x->time, y->time, x->nrows * sizeof *x->time);
    assert_memory_equal(x->ent, y->ent, x->nrows * sizeof *x->ent);
    assert_memory_equal(x->interval_s, y->interval_s, x->nrows * sizeof *x->interval_s);
    for (int m = 0; m < KS_NMETRIC; m++) {
        assert_int_equal(!x->m[m], !y->m[m]);
        if (x->m[m])
            assert_memory_equal(x->m[m], y->m[m], x->nrows * sizeof(double));
    }
    assert_int_equal(x->nextra, y->nextra);
    for (size_t i = 0; i < x->nrows * x->nextra; i++) {
        assert_int_equal(!x->extra[i], !y->extra[i]);
        if (x->extra[i])
            assert_string_equal(x->extra[i], y->extra[i]);
    }
}

/* The three reads of t agree; returns the general path's code. */
static int
check_three(const struct text *t)
{
    struct result g = read_general(t), f1 = read_fast(t, 1), f2 = read_fast(t, 2);
    assert_same(&g, &f1);
    assert_same(&g, &f2);
    int rc = g.rc;
    ks_dataset_free(g.ds);
    ks_dataset_free(f1.ds);
    ks_dataset_free(f2.ds);
    return rc;
}

#define STEPS 5000 /* 35,000 rows, about 1.3 MB */

static void
test_valid_files_agree(void **state)
{
    (void)state;
    for (int crlf = 0; crlf < 2; crlf++)
        for (int bom = 0; bom < 2; bom++) {
            struct text t = make_file(crlf, bom, STEPS, 0, NULL);
            assert_true(t.n > (1u << 20));
            assert_int_equal(check_three(&t), 0);
            free(t.s);
        }
}

static void
test_rows_and_values(void **state)
{
    (void)state;
    struct text t = make_file(0, 1, STEPS, 0, NULL);
    struct result r = read_fast(&t, 2);
    assert_int_equal(r.rc, 0);
    const struct ks_samples *s = &r.ds->s;
    assert_int_equal(s->nrows, (size_t)STEPS * NENT);
    /* row 2: "007" as cpu_pct, entity x,y (quoted), note empty */
    assert_int_equal(s->ent[2], 2);
    assert_true(s->m[KS_CPU_PCT][2] == 7.0);
    assert_null(s->extra[2]);
    assert_true(s->m[KS_IPC][0] == 100); /* k % 11 == 0: 1E2 */
    /* row 5: the three-line quoted note, its quotes undone */
    assert_string_equal(s->extra[5], "a\nb,\nc\"");
    assert_true(s->m[KS_CPU_PCT][12] == 4.0); /* " 4": libcsv trims the blank */
    assert_true(isnan(s->m[KS_CPU_PCT][10])); /* empty: unknown */
    assert_true(s->time[s->nrows - 1] == 1000 + 300.0 * (STEPS - 1));
    ks_dataset_free(r.ds);
    free(t.s);
}

static void
test_errors_agree(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "1300,web1,300,101,,,",     /* outside 0-100 */
        "1300,web1,300,1e309,,,",   /* not a number */
        "1300,web1,300,1,1e308,,",  /* above any server (mem_used_MiB) */
        "1300,nobody,300,1,,,",     /* unknown entity */
        "10,web1,300,1,,,",         /* time goes backwards */
        "1300,web1,300,1,,",        /* too few fields */
        "1300,web1,300,1,,,,",      /* too many */
        "1300,web1,0,1,,,",         /* interval 0 */
        ",web1,300,1,,,",           /* no time */
        "1300,web1,300,0x10,,,",    /* hex */
        "1300,web1,300,1,,\"open,", /* a quote never closed */
        "1300,web1,300,1,,a\"b,",   /* a quote inside a field */
        "1300,web1,300,1\r,,,",     /* a lone CR inside a row */
    };
    struct text full = make_file(0, 0, STEPS, 0, NULL);
    unsigned long lines = 1;
    for (size_t i = 0; i < full.n; i++)
        lines += full.s[i] == '\n';
    free(full.s);
    /* a line in the first half, one in the second, the last one */
    unsigned long at[] = {40, lines * 3 / 4, lines - 1};
    for (size_t b = 0; b < sizeof bad / sizeof *bad; b++)
        for (size_t a = 0; a < 3; a++) {
            struct text t = make_file(b % 2, 0, STEPS, at[a], bad[b]);
            int rc = check_three(&t);
            /* a replaced continuation line of a quoted note can make the file valid */
            if (rc == 0)
                assert_true(b == 5 || b == 6 || b == 10);
            free(t.s);
        }
}

/* ks_zst_load gives back the bytes compressed, NUL-terminated: a file whose text fits
 * the output first mapped (4 times the compressed size), and one that compresses far
 * better (80 MiB of one line), whose output grows by mremap as it is decoded. */
static void
zst_round_trip(const char *text, size_t n)
{
    char path[] = "/tmp/kasane-test-zst-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "wb"), *zf;
    struct ks_err err = {0};
    assert_int_equal(ks_zst_fopen(out, 3, -1, path, &zf, &err), 0);
    assert_int_equal(fwrite(text, 1, n, zf), n);
    assert_int_equal(fclose(zf), 0);
    assert_int_equal(fclose(out), 0);
    struct ks_zbuf z;
    assert_int_equal(ks_zst_load(path, 0, &z, &err), 0);
    assert_int_equal(z.len, n);
    assert_true(memcmp(z.p, text, n) == 0);
    assert_int_equal(z.p[n], '\0');
    ks_zst_free(&z);
    unlink(path);
}

static void
test_zst_load_round_trip(void **state)
{
    (void)state;
    struct text t = make_file(1, 1, STEPS, 0, NULL);
    zst_round_trip(t.s, t.n);
    free(t.s);
    static const char line[] = "1206000000,web01,300,12.5,800,,,,,,,,,,,,,,\n";
    size_t ll = sizeof line - 1, n = (80u << 20) / ll * ll;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i += ll)
        memcpy(big + i, line, ll);
    zst_round_trip(big, n);
    free(big);
}

/* t written compressed to path (level 19: a line of one byte repeated shrinks ~10^4 x). */
static void
zst_write(const char *path, const char *text, size_t n)
{
    FILE *out = fopen(path, "wb"), *zf;
    struct ks_err err = {0};
    assert_non_null(out);
    assert_int_equal(ks_zst_fopen(out, 19, -1, path, &zf, &err), 0);
    assert_int_equal(fwrite(text, 1, n, zf), n);
    assert_int_equal(fclose(zf), 0);
    assert_int_equal(fclose(out), 0);
}

/* ---- samples.csv.zst streamed (ks_samples_read of a .zst) ---------------------------- */

#define NBIG                                                                                       \
    300 /* entities sampled: a step's rows (about 11 KB) span blocks of 4 KiB; one                 \
         * more in the inventory, srv0300, has no rows */

static struct ks_dataset *
big_inventory(void)
{
    struct ks_dataset *ds = ks_dataset_new();
    char name[16];
    for (int e = 0; e <= NBIG; e++) {
        snprintf(name, sizeof name, "srv%04d", e);
        ks_dataset_add_entity(ds, name, "vm");
    }
    return ds;
}

/* Spellings the fast path takes itself or through ks_parse_double, and no others. */
static const char *const plain[] = {
    "1e1",     "+5", "007", ".5", "5.", "-0", "0.000", "1E+1", "99.99999999999999999999",
    "12.5e-1", "",   "3",   "100"};
#define NPLAIN (sizeof plain / sizeof *plain)

/* steps of NBIG entities without a line the fast path refuses (but row quoted, whose
 * note is qnote, and when quoted is a row srv0007's name is quoted in every row); blank
 * lines now and then; noisy: the first rows carry 300 bytes of a note that compresses
 * badly, so the first block's ratio underestimates the file and the columns must grow.
 * bad_line as in make_file. */
static struct text
make_plain_q(int crlf, size_t steps, int noisy, size_t quoted, const char *qnote,
             unsigned long bad_line, const char *bad)
{
    struct text t = {0};
    const char *eol = crlf ? "\r\n" : "\n";
    put(&t, "time,entity,interval_s,cpu_pct,mem_used_MiB,note,ipc%s", eol);
    unsigned long line = 2, x = 12345;
    for (size_t s = 0; s < steps; s++)
        for (int e = 0; e < NBIG; e++, line++) {
            size_t k = s * NBIG + (size_t)e;
            if (line == bad_line) {
                put(&t, "%s%s", bad, eol);
                continue;
            }
            put(&t, e == 7 && quoted != SIZE_MAX ? "%zu,\"srv%04d\",300,%s,%zu.%zu,"
                                                 : "%zu,srv%04d,300,%s,%zu.%zu,",
                1000 + 300 * s, e, plain[k % NPLAIN], k, k % 1000);
            for (int i = 0; noisy && k < 200 && i < 300; i++) {
                x = x * 6364136223846793005ul + 1442695040888963407ul;
                put(&t, "%c", 'a' + (int)(x >> 59));
            }
            put(&t, "%s,%s%s",
                k == quoted ? qnote
                : k % 5     ? ""
                            : "n",
                k % 11 ? "0.5" : "1E2", eol);
            if (k % 4001 == 7) {
                put(&t, "%s", eol);
                line++;
            }
        }
    return t;
}

static struct text
make_plain(int crlf, size_t steps, int noisy, size_t quoted, unsigned long bad_line,
           const char *bad)
{
    return make_plain_q(crlf, steps, noisy, quoted, "\"a,b\"", bad_line, bad);
}

/* t compressed into path and read by ks_samples_read on nthreads with blocks of block
 * bytes; *streamed: the streamed read went to the end. */
static struct result
read_zst_file(const struct text *t, const char *path, int nthreads, size_t block, int *streamed)
{
    FILE *out = fopen(path, "wb"), *zf;
    struct ks_err err = {0};
    assert_non_null(out);
    assert_int_equal(ks_zst_fopen(out, 1, -1, path, &zf, &err), 0);
    assert_int_equal(fwrite(t->s, 1, t->n, zf), t->n);
    assert_int_equal(fclose(zf), 0);
    assert_int_equal(fclose(out), 0);
    char nt[16], bs[24];
    snprintf(nt, sizeof nt, "%d", nthreads);
    snprintf(bs, sizeof bs, "%zu", block);
    setenv("KASANE_READ_THREADS", nt, 1);
    setenv("KASANE_READ_BLOCK", bs, 1);
    struct result r = {0};
    r.ds = big_inventory();
    r.rc = ks_samples_read(r.ds, path, &err);
    *streamed = ks_samples_in_blocks;
    unsetenv("KASANE_READ_THREADS");
    unsetenv("KASANE_READ_BLOCK");
    snprintf(r.msg, sizeof r.msg, "%s", err.msg);
    unlink(path);
    return r;
}

/* t read the general way, in blocks from memory on two threads and from a .zst
 * streamed on one and two, in blocks of 4 KiB and 64 KiB: the same code, message and
 * rows. Returns how many of the six block reads went through in blocks; *rc: the
 * general read's code. */
static int
check_streamed(const struct text *t, int *rc)
{
    char dir[] = "/tmp/kasane-test-zs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/samples.csv.zst", dir);
    struct result g = read_general_as(t, big_inventory(), path);
    int streamed = 0;
    for (size_t block = 4096; block <= 65536; block *= 16) {
        char bs[24];
        snprintf(bs, sizeof bs, "%zu", block);
        setenv("KASANE_READ_BLOCK", bs, 1);
        struct result m = {.ds = big_inventory()};
        struct ks_err err = {0};
        m.rc = ks_samples_parse_mem(m.ds, t->s, t->n, path, 2, &err);
        snprintf(m.msg, sizeof m.msg, "%s", err.msg);
        streamed += ks_samples_in_blocks;
        unsetenv("KASANE_READ_BLOCK");
        assert_same(&g, &m);
        ks_dataset_free(m.ds);
    }
    for (int nt = 1; nt <= 2; nt++)
        for (size_t block = 4096; block <= 65536; block *= 16) {
            int st;
            struct result z = read_zst_file(t, path, nt, block, &st);
            assert_same(&g, &z);
            streamed += st;
            ks_dataset_free(z.ds);
        }
    rmdir(dir);
    *rc = g.rc;
    ks_dataset_free(g.ds);
    return streamed;
}

static void
test_zst_streamed_agrees(void **state)
{
    (void)state;
    int rc;
    for (int crlf = 0; crlf < 2; crlf++)
        for (int noisy = 0; noisy < 2; noisy++) {
            struct text t = make_plain(crlf, 100, noisy, SIZE_MAX, 0, NULL);
            assert_true(t.n > 16 * 65536); /* many blocks of either size */
            assert_int_equal(check_streamed(&t, &rc), 6);
            assert_int_equal(rc, 0);
            free(t.s);
        }
    /* Fields in quotes (a name, a note with a comma, an empty note) stay in blocks. */
    const char *in_blocks[] = {"\"a,b\"", "\"\"", "\" padded \""};
    for (size_t i = 0; i < sizeof in_blocks / sizeof *in_blocks; i++) {
        struct text q = make_plain_q(i % 2, 40, 0, 5000, in_blocks[i], 0, NULL);
        assert_int_equal(check_streamed(&q, &rc), 6);
        assert_int_equal(rc, 0);
        free(q.s);
    }
    /* Blanks around every field (", " as a script may write): trimmed as libcsv trims
     * them, in blocks. */
    struct text b = make_plain(0, 40, 0, SIZE_MAX, 0, NULL), sp = {0};
    for (size_t i = 0; i < b.n; i++)
        put(&sp, b.s[i] == ',' ? (i % 3 ? ", " : " \t,\t") : b.s[i] == '\n' ? " \n" : "%c",
            b.s[i]);
    assert_int_equal(check_streamed(&sp, &rc), 6);
    assert_int_equal(rc, 0);
    free(b.s);
    free(sp.s);
    /* A quote to undo, a field over two lines, a line without its end: read again the
     * serial way, same rows. */
    const char *serial[] = {"\"a \"\"b\"\"\"", "\"a\nb\"", "\"a\r\nb\""};
    for (size_t i = 0; i < sizeof serial / sizeof *serial; i++) {
        struct text q = make_plain_q(0, 40, 0, 5000, serial[i], 0, NULL);
        assert_int_equal(check_streamed(&q, &rc), 0);
        assert_int_equal(rc, 0);
        free(q.s);
    }
    struct text u = make_plain(0, 40, 0, SIZE_MAX, 0, NULL);
    u.n--; /* the last newline */
    assert_int_equal(check_streamed(&u, &rc), 0);
    assert_int_equal(rc, 0);
    free(u.s);
}

/* Errors where blocks meet: a duplicate of a step's first row at its end (a step spans
 * three blocks of 4 KiB: only the join sees it), time going backwards on each of 120
 * lines in a row (one of them starts a block; the entity has no other row, so only the
 * time order can refuse it), and a value out of range: each the general path's
 * message, none streamed. */
static void
test_zst_streamed_errors(void **state)
{
    (void)state;
    int rc;
    /* step 3 begins on line 2 + 3 * NBIG; its last row becomes its first row again */
    unsigned long first = 2 + 3 * NBIG, last = first + NBIG - 1;
    struct text d = make_plain(0, 40, 0, SIZE_MAX, last, "1900,srv0000,300,1,1,,1");
    assert_int_equal(check_streamed(&d, &rc), 0);
    assert_int_equal(rc, -EINVAL);
    free(d.s);
    for (unsigned long l = 1000; l < 1120; l++) {
        struct text b = make_plain(l % 2, 12, 0, SIZE_MAX, l, "10,srv0300,300,1,1,,1");
        assert_int_equal(check_streamed(&b, &rc), 0);
        assert_int_equal(rc, -EINVAL);
        free(b.s);
    }
    struct text r = make_plain(0, 40, 0, SIZE_MAX, 7777, "2000,srv0001,300,101,1,,1");
    assert_int_equal(check_streamed(&r, &rc), 0);
    assert_int_equal(rc, -EINVAL);
    free(r.s);
}

/* A few KB of zstd holding a line of 24 MiB: the load stops inside it (the memory it
 * takes stays near the line cap), the read of samples.csv.zst fails as the general
 * path over the whole text does, naming the line; lines ended by a lone CR are lines. */
static void
test_zst_long_line(void **state)
{
    (void)state;
    char dir[] = "/tmp/kasane-test-zl-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/samples.csv.zst", dir);
    static const char head[] = "time,entity,interval_s,cpu_pct\n1000,srv0001,300,5\n2000,";
    size_t hl = sizeof head - 1, n = hl + (24u << 20) + 16;
    struct text t = {ks_xmalloc(n + 1), n, n + 1};
    memcpy(t.s, head, hl);
    memset(t.s + hl, 'x', n - hl - 16);
    memcpy(t.s + n - 16, ",300,5\n3000,srv2,", 16);
    zst_write(path, t.s, t.n);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size < 16384);
    struct ks_zbuf z;
    struct ks_err err = {0};
    assert_int_equal(ks_zst_load(path, KS_CSV_LONG_LINE, &z, &err), 0);
    assert_true(z.len >= hl + KS_CSV_LONG_LINE && z.len < (12u << 20));
    assert_memory_equal(z.p, t.s, z.len);
    ks_zst_free(&z);
    assert_int_equal(ks_zst_load(path, 0, &z, &err), 0); /* no cap: the whole */
    assert_int_equal(z.len, n);
    ks_zst_free(&z);
    struct result g = read_general_as(&t, big_inventory(), path);
    assert_int_equal(g.rc, -EINVAL);
    assert_non_null(strstr(g.msg, "samples.csv.zst:3: row longer than"));
    for (int nt = 1; nt <= 2; nt++) {
        int streamed;
        struct result r = read_zst_file(&t, path, nt, 4096, &streamed);
        assert_int_equal(streamed, 0);
        assert_same(&g, &r);
        ks_dataset_free(r.ds);
    }
    ks_dataset_free(g.ds);
    /* 24 MiB of short lines ended by a lone CR: loaded whole */
    for (size_t i = hl; i < n; i++)
        t.s[i] = i % 64 ? 'y' : '\r';
    zst_write(path, t.s, t.n);
    assert_int_equal(ks_zst_load(path, KS_CSV_LONG_LINE, &z, &err), 0);
    assert_int_equal(z.len, n);
    ks_zst_free(&z);
    unlink(path);
    rmdir(dir);
    free(t.s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_files_agree),
        cmocka_unit_test(test_rows_and_values),
        cmocka_unit_test(test_errors_agree),
        cmocka_unit_test(test_zst_load_round_trip),
        cmocka_unit_test(test_zst_streamed_agrees),
        cmocka_unit_test(test_zst_streamed_errors),
        cmocka_unit_test(test_zst_long_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
