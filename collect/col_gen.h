/*
 * col_gen: synthetic, seeded server populations in the dataset format, shaped like a
 * 2008 server room (mostly idle legacy boxes, three-tier applications peaking
 * together, nightly batch, month-end peaks, bursty web tiers). The model and its
 * formulas are in docs/datasets.md.
 *
 * Deterministic: the same options give byte-identical files on any run (own RNG,
 * xoshiro256** seeded through splitmix64; every server and application group has its
 * own stream, so one server's series does not depend on how many others there are
 * before it in a role). Samples are generated time step by time step and streamed
 * to samples.csv, so memory is O(servers), not O(rows).
 */
#ifndef COL_GEN_H
#define COL_GEN_H

#include <stdint.h>

#include "core/ks_util.h"

/* xoshiro256** (Blackman and Vigna, 2018), seeded with splitmix64. */
struct col_rng {
    uint64_t s[4];
};
void col_rng_seed(struct col_rng *r, uint64_t seed);
uint64_t col_rng_next(struct col_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double col_rng_uniform(struct col_rng *r);
/* Standard normal (Box-Muller, one value per call: simple and repeatable). */
double col_rng_normal(struct col_rng *r);

/* Server roles, in the order of col_gen_role_names. */
enum col_gen_role { GEN_LEGACY, GEN_WEB, GEN_APP, GEN_DB, GEN_BATCH, GEN_FILE, GEN_NROLE };
extern const char *const col_gen_role_names[GEN_NROLE];

struct col_gen_opts {
    unsigned long servers;
    double days, step_s;
    uint64_t seed;
    const char *profile; /* "mix" (default) or one role name: every server that role */
    double start_s;      /* UNIX time of the first window's start; NaN = 2008-03-24
                            00:00 UTC (a Monday; the range spans a month end) */
    const char *out_dir;
    int flows; /* also flows.csv (hourly, by destination) and the inventory's ips */
    int compress; /* zstd level: samples.csv.zst (and flows.csv.zst) written
                     compressed as they are generated; 0 = plain files */
    void (*progress)(void *ctx, double done_frac); /* may be NULL */
    void *progress_ctx;
};
void col_gen_opts_init(struct col_gen_opts *o);

/* Write inventory.csv and samples.csv (and flows.csv with o->flows; both .zst with
 * o->compress) of a synthetic population into o->out_dir.
 * *rows (may be NULL) gets the number of sample rows. */
int col_gen_run(const struct col_gen_opts *o, unsigned long long *rows, struct ks_err *err);

#endif
