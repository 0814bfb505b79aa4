/*
 * Benchmark: reading a samples.csv of 1,000 entities x 2,016 steps (2 M rows).
 *   dataset_read gen DIR        write the dataset (all 16 metric columns filled) and its
 *                               manifest.csv, as gen and import do
 *   dataset_read read DIR       time ks_dataset_read (manifest check included); print
 *                               seconds and peak RSS (KiB)
 *   dataset_read parse DIR      baseline: libcsv parse of samples.csv, no conversion
 *   dataset_read zst DIR        compress DIR's samples.csv to samples.csv.zst (as
 *                               gen --compress does) and rewrite the manifest
 * Each mode runs in its own process so that peak RSS belongs to that mode alone.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/ks_dataset.h"
#include "core/ks_manifest.h"
#include "core/ks_zst.h"

/* Overridable for instruction counts on a smaller file (valgrind --tool=callgrind runs
 * ~50x slower): cc -DNSTEP=200 gives 200,000 rows. */
#ifndef NENT
#define NENT 1000
#endif
#ifndef NSTEP
#define NSTEP 2016
#endif

static int
gen(const char *dir)
{
    struct ks_dataset *ds = ks_dataset_new();
    struct ks_err err = {0};
    char name[32];
    for (int e = 0; e < NENT; e++) {
        snprintf(name, sizeof name, "srv%04d", e);
        size_t i = ks_dataset_add_entity(ds, name, "physical");
        ks_inv_set_num(ds, i, "cores", 4);
    }
    if (ks_dataset_write(ds, dir, &err) < 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    char *p = ks_xasprintf("%s/samples.csv", dir);
    FILE *f = fopen(p, "w");
    ks_samples_put_header(f, NULL, 0);
    double m[KS_NMETRIC];
    unsigned long long x = 12345;
    for (int t = 0; t < NSTEP; t++)
        for (int e = 0; e < NENT; e++) {
            for (int k = 0; k < KS_NMETRIC; k++) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                m[k] = (double)(x >> 44) / 100.0;
                /* percentages must be 0-100, or the reader refuses the file */
                if (k == KS_CPU_PCT || k == KS_CPU_STEAL_PCT || k == KS_DISK_UTIL_PCT)
                    m[k] = (double)((x >> 44) % 10000) / 100.0;
                /* and instructions per cycle below the reader's ceiling (1000): 0-9.99,
                 * as real CPUs give */
                if (k == KS_IPC)
                    m[k] = (double)((x >> 44) % 1000) / 100.0;
            }
            snprintf(name, sizeof name, "srv%04d", e);
            ks_samples_put_row(f, 1700000000.0 + 300.0 * (t + 1), name, 300, m, NULL, 0);
        }
    fclose(f);
    free(p);
    ks_dataset_free(ds);
    /* The reader checks it (XXH3 over the 380 MB once before parsing): measured here. */
    if (ks_manifest_write(dir, "dataset", "bench/dataset_read gen", &err) < 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    return 0;
}

static void
nop_field(void *s, size_t len, void *d)
{
    (void)s;
    (*(size_t *)d) += len;
}

static void
nop_row(int c, void *d)
{
    (void)c;
    (void)d;
}

static int
parse_only(const char *dir)
{
    char *p = ks_xasprintf("%s/samples.csv", dir);
    FILE *f = fopen(p, "r");
    struct csv_parser cp;
    char buf[65536];
    size_t n, bytes = 0;
    csv_init(&cp, CSV_APPEND_NULL);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        csv_parse(&cp, buf, n, nop_field, nop_row, &bytes);
    csv_fini(&cp, nop_field, nop_row, &bytes);
    csv_free(&cp);
    fclose(f);
    free(p);
    return bytes == 0;
}

int
main(int argc, char **argv)
{
    if (argc != 3)
        return fprintf(stderr, "usage: dataset_read gen|read|parse|zst DIR\n"), 2;
    double t0 = ks_mono_s();
    int rc = 0;
    if (strcmp(argv[1], "gen") == 0)
        return gen(argv[2]);
    if (strcmp(argv[1], "zst") == 0) {
        struct ks_err err = {0};
        if (ks_zst_compress_dataset(argv[2], &err) < 0 ||
            ks_manifest_write(argv[2], "dataset", "bench/dataset_read zst", &err) < 0)
            return fprintf(stderr, "%s\n", err.msg), 1;
        return 0;
    }
    if (strcmp(argv[1], "read") == 0) {
        struct ks_dataset *ds;
        struct ks_err err = {0};
        rc = ks_dataset_read(argv[2], &ds, &err);
        if (rc < 0)
            return fprintf(stderr, "%s\n", err.msg), 1;
        if (ds->s.nrows != (size_t)NENT * NSTEP)
            return fprintf(stderr, "rows %zu\n", ds->s.nrows), 1;
        ks_dataset_free(ds);
    } else {
        rc = parse_only(argv[2]);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%.3f %ld\n", ks_mono_s() - t0, ru.ru_maxrss);
    return rc;
}
