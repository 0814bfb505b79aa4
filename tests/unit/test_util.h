/* Small helpers shared by unit tests (header-only: each test is its own program). */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* |a - b| <= eps in double precision, with both values in the failure message.
 * cmocka's assert_float_equal casts to float: at ~2000 its resolution is 1.2e-4, so
 * a tight epsilon there fails at random. Needs <cmocka.h> included first. */
#define tu_assert_near(a, b, eps)                                                                  \
    do {                                                                                           \
        double tu_a_ = (a), tu_b_ = (b);                                                           \
        if (!(tu_a_ - tu_b_ <= (eps) && tu_b_ - tu_a_ <= (eps)))                                   \
            fail_msg("%s = %.17g, %s = %.17g: differ by more than %g", #a, tu_a_, #b, tu_b_,      \
                     (double)(eps));                                                               \
    } while (0)

/* The source tree (KASANE_ROOT, else the current directory). */
static inline const char *
tu_root(void)
{
    const char *r = getenv("KASANE_ROOT");
    return r ? r : ".";
}

/* A fresh scratch directory under /tmp; caller frees the string. */
static inline char *
tu_tmpdir(void)
{
    char *d = strdup("/tmp/kasane-test-XXXXXX");
    if (!d || !mkdtemp(d))
        abort();
    return d;
}

static inline void
tu_write(const char *dir, const char *name, const char *text)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

/* Whole file as a malloc'd NUL-terminated string (NULL if unreadable). */
static inline char *
tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n)
        abort();
    b[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return b;
}

static inline void
tu_rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        abort();
}

/* Compare generated text with the golden file tests/golden/REL; KS_UPDATE_GOLDEN=1
 * rewrites the golden file instead (then review the diff). Needs <cmocka.h> first. */
static inline void
tu_golden(const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/golden/%s", tu_root(), rel);
    if (getenv("KS_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
    }
    char *want = tu_slurp(path, NULL);
    assert_non_null(want);
    assert_string_equal(text, want);
    free(want);
}

#endif
