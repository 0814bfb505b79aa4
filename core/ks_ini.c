/* ks_ini: INI helpers shared by the policy and simulator readers (see ks_ini.h). */
#include "core/ks_ini.h"

#include <errno.h>
#include <ini.h>
#include <string.h>

const struct ks_ini_num *
ks_ini_num_find(const struct ks_ini_num *tab, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tab[i].name, key) == 0)
            return &tab[i];
    return NULL;
}

int
ks_ini_parse_num(const char *val, double lo, double hi, double *out)
{
    if (ks_parse_double(val, out) < 0)
        return -EINVAL;
    return *out < lo || *out > hi ? -ERANGE : 0;
}

struct reader {
    FILE *f;       /* file input, or */
    const char *s; /* string input */
    int line;      /* line of the key being handled */
    const char *path;
    ks_ini_set_fn set;
    void *ctx;
    struct ks_err *err;
    int failed; /* a setter failed: err holds its message */
};

/* ini_reader: one line, counting (inih's own count is not passed to handlers). */
static char *
read_line(char *buf, int num, void *stream)
{
    struct reader *r = stream;
    char *got = NULL;
    if (r->f) {
        got = fgets(buf, num, r->f);
    } else if (*r->s) {
        size_t len = strcspn(r->s, "\n");
        size_t take = len < (size_t)num - 2 ? len : (size_t)num - 2;
        memcpy(buf, r->s, take);
        buf[take] = '\n';
        buf[take + 1] = '\0';
        r->s += len + (r->s[len] == '\n');
        got = buf;
    }
    if (got)
        r->line++;
    return got;
}

/* ini_handler: the first setter error is kept; later keys are not set. */
static int
handler(void *user, const char *section, const char *key, const char *value)
{
    struct reader *r = user;
    if (r->failed)
        return 1; /* keep the first error only; inih goes on to the end */
    struct ks_err e = {0};
    if (r->set(r->ctx, section, key, value, r->line, &e) < 0) {
        ks_errf(r->err, -EINVAL, "%s:%d: %s", r->path, r->line, e.msg);
        r->failed = 1;
    }
    return 1;
}

int
ks_ini_parse(FILE *f, const char *text, const char *path, const char *syntax_msg, ks_ini_set_fn set,
             void *ctx, struct ks_err *err)
{
    struct reader r = {
        .f = f, .s = text ? text : "", .path = path, .set = set, .ctx = ctx, .err = err};
    int rc = ini_parse_stream(read_line, &r, handler, &r);
    if (r.failed)
        return -EINVAL;
    if (rc > 0)
        return ks_errf(err, -EINVAL, "%s:%d: %s", path, rc, syntax_msg);
    if (rc < 0)
        return ks_errf(err, -EIO, "%s: cannot read", path);
    return 0;
}
