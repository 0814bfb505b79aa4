/* libFuzzer harness, differential: one samples.csv read three ways must agree. The
 * general path (ks_samples_parse, libcsv), the fast reader on one thread and the block
 * pipeline on two threads in blocks of 4 KiB from memory and from a samples.csv.zst
 * streamed (core/ks_sread.c) give the same return code, the same message and, on
 * success, the same rows bit for bit. Any difference aborts: the block reader's seams
 * (a line, a quote, a CRLF or a duplicate cut by a block end) are where a fuzzer finds
 * what hand-made tests miss. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_csv.h"
#include "core/ks_dataset.h"
#include "core/ks_zst.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_read {
    int rc;
    char msg[sizeof((struct ks_err *)0)->msg];
    struct ks_dataset *ds;
};

static struct ks_dataset *
fz_inventory(void)
{
    struct ks_dataset *ds = ks_dataset_new();
    ks_dataset_add_entity(ds, "web1", "physical");
    ks_dataset_add_entity(ds, "db1", "vm");
    ks_dataset_add_entity(ds, "a,b", "vm");
    return ds;
}

/* name: the file's name in messages. nthreads 0: the general path; 1, 2:
 * ks_samples_parse_mem; -1: data compressed into the file name and streamed from it. */
static struct fz_read
fz_read_as(const uint8_t *data, size_t size, const char *name, int nthreads)
{
    struct fz_read r = {0};
    struct ks_err err = {0};
    r.ds = fz_inventory();
    if (nthreads == 0) {
        struct ks_csv_reader *cr = ks_csv_open_mem((const char *)data, size, ',', name);
        r.rc = ks_samples_parse(r.ds, cr, &err);
        ks_csv_close(cr);
    } else if (nthreads > 0) {
        r.rc = ks_samples_parse_mem(r.ds, (const char *)data, size, name, nthreads, &err);
    } else {
        FILE *out = fopen(name, "wb"), *zf;
        if (!out || ks_zst_fopen(out, 1, -1, name, &zf, &err) < 0 ||
            (size && fwrite(data, 1, size, zf) != size) || fclose(zf) != 0 || fclose(out) != 0)
            abort();
        setenv("KASANE_READ_THREADS", "2", 1);
        r.rc = ks_samples_read(r.ds, name, &err);
        unsetenv("KASANE_READ_THREADS");
        unlink(name);
    }
    memcpy(r.msg, err.msg, sizeof r.msg);
    r.msg[sizeof r.msg - 1] = '\0';
    return r;
}

static int
fz_same_doubles(const double *a, const double *b, size_t n)
{
    return n == 0 || memcmp(a, b, n * sizeof *a) == 0;
}

/* 1 when a and b are the same outcome. */
static int
fz_same(const struct fz_read *a, const struct fz_read *b)
{
    if (a->rc != b->rc || strcmp(a->msg, b->msg) != 0)
        return 0;
    if (a->rc < 0)
        return 1;
    const struct ks_samples *x = &a->ds->s, *y = &b->ds->s;
    if (x->nrows != y->nrows || x->nextra != y->nextra)
        return 0;
    size_t n = x->nrows;
    if (!fz_same_doubles(x->time, y->time, n) || !fz_same_doubles(x->interval_s, y->interval_s, n) ||
        (n && memcmp(x->ent, y->ent, n * sizeof *x->ent) != 0))
        return 0;
    for (int m = 0; m < KS_NMETRIC; m++)
        if (!x->m[m] != !y->m[m] || (x->m[m] && !fz_same_doubles(x->m[m], y->m[m], n)))
            return 0;
    for (size_t i = 0; i < n * x->nextra; i++)
        if (!x->extra[i] != !y->extra[i] || (x->extra[i] && strcmp(x->extra[i], y->extra[i]) != 0))
            return 0;
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Blocks of 4 KiB (the smallest the reader takes): a 64 KiB input has 16 seams. */
    setenv("KASANE_READ_BLOCK", "4096", 1);
    char zpath[256];
    snprintf(zpath, sizeof zpath, "%s/samples.csv.zst", fz_dir());
    struct fz_read g = fz_read_as(data, size, "s.csv", 0), f1 = fz_read_as(data, size, "s.csv", 1),
                   f2 = fz_read_as(data, size, "s.csv", 2), gz = fz_read_as(data, size, zpath, 0),
                   z = fz_read_as(data, size, zpath, -1);
    int same = fz_same(&g, &f1) && fz_same(&g, &f2) && fz_same(&gz, &z);
    ks_dataset_free(g.ds);
    ks_dataset_free(f1.ds);
    ks_dataset_free(f2.ds);
    ks_dataset_free(gz.ds);
    ks_dataset_free(z.ds);
    unsetenv("KASANE_READ_BLOCK");
    if (!same)
        abort();
    return 0;
}
