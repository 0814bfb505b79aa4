/*
 * ks_ini: what the INI readers of the policy (model/mdl_policy.c) and the simulator
 * (simulate/sim_config.c) share: numbers with a range, tables mapping numeric keys to
 * double fields of a struct, and a pass of inih over a file or a string that counts
 * lines and names the file and line of the first error.
 *
 * Messages: ks_ini_parse writes "PATH:LINE: " before the setter's own message, so a
 * setter says only what is wrong with the key ("[sim] colour: unknown key"); callers
 * pick the wording of a syntax error. Library code: nothing is printed.
 */
#ifndef KS_INI_H
#define KS_INI_H

#include <stddef.h>
#include <stdio.h>

#include "core/ks_util.h"

/* A numeric key: its name, the offset of its double in the target struct, its range.
 * KS_INI_NUM(struct mdl_policy, "pue", pue, 1, 10) builds one. */
struct ks_ini_num {
    const char *name;
    size_t off;
    double lo, hi;
};
#define KS_INI_NUM(type, n, field, lo, hi)                                                         \
    {                                                                                              \
        n, offsetof(type, field), lo, hi                                                           \
    }

/* The entry of tab[n] called key, or NULL. */
const struct ks_ini_num *ks_ini_num_find(const struct ks_ini_num *tab, size_t n, const char *key);
/* The double of base that e describes. */
static inline double *
ks_ini_num_field(void *base, const struct ks_ini_num *e)
{
    return (double *)(void *)((char *)base + e->off);
}
static inline double
ks_ini_num_get(const void *base, const struct ks_ini_num *e)
{
    return *(const double *)(const void *)((const char *)base + e->off);
}

/* val as a number in [lo, hi]: 0; -EINVAL if it is not a number (out untouched);
 * -ERANGE if it is one out of range (out then holds it). No message: callers word it. */
int ks_ini_parse_num(const char *val, double lo, double hi, double *out);

/* One key = value line: 0, or a negative code with the reason in err (neither file nor
 * line: ks_ini_parse adds them). line counts from 1. */
typedef int (*ks_ini_set_fn)(void *ctx, const char *section, const char *key, const char *value,
                             int line, struct ks_err *err);

/* Run inih over f (or, when f is NULL, over the string text), calling set for every
 * key. After the first setter error no further key is set (inih still reads to the
 * end). Returns 0, or -EINVAL with err = "PATH:LINE: " + the setter's message (the
 * setter's error wins over an earlier syntax error), or -EINVAL with
 * "PATH:LINE: " + syntax_msg for a line that is neither [section] nor key = value, or
 * -EIO "PATH: cannot read". */
int ks_ini_parse(FILE *f, const char *text, const char *path, const char *syntax_msg,
                 ks_ini_set_fn set, void *ctx, struct ks_err *err);

#endif
