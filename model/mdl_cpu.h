/*
 * mdl_cpu: per-source CPU ratings, so that demand measured on one processor is planned
 * in the catalog's unit (docs/model.md, "CPU normalization").
 *
 * A source's cpu_MHz is busy logical CPUs x its nominal clock. A host model's capacity
 * is cores x nominal clock x perf_per_core x (1 + smt_yield when it has SMT), where
 * perf_per_core is per core and per MHz, 1.0 = a 2008 Penryn core (Xeon E5450), one
 * thread per core. The rating table (datasets/cpu/ratings.csv, built into the binary;
 * --cpu-ratings FILE replaces it) gives perf_per_core by CPU model; an inventory
 * `cpu_perf` overrides the table for one entity.
 *
 * SMT on a source: operating systems place one thread per core before they double up,
 * so the first `cores` busy logical CPUs are whole cores and each one beyond adds
 * smt_yield of a core. cpu_pct of 50 on a 2-thread-per-core box is all its cores busy.
 */
#ifndef MDL_CPU_H
#define MDL_CPU_H

#include <stddef.h>

#include "core/ks_dataset.h"
#include "core/ks_util.h"

struct mdl_cpu_row {
    char *cpu;    /* model as written in the table */
    char *key;    /* its normalized form (mdl_cpu_normalize) */
    double perf;  /* perf_per_core */
    char *source; /* where the figure comes from */
};

/* Rows sorted by key length, longest first, so the first match is the most specific. */
struct mdl_cpu_table {
    size_t n;
    struct mdl_cpu_row *rows;
    char *origin; /* "built-in datasets/cpu/ratings.csv" or the file read */
};

/* The table built into the binary. */
int mdl_cpu_table_builtin(struct mdl_cpu_table *t, struct ks_err *err);
/* A table file with columns cpu, perf_per_core, source (others ignored); errors name file,
 * line and column. */
int mdl_cpu_table_read(const char *path, struct mdl_cpu_table *t, struct ks_err *err);
void mdl_cpu_table_fini(struct mdl_cpu_table *t);

/* Normalized model string into out (size n): lower case; (R), (TM), (, ), `,` and the
 * trademark signs become spaces; the words intel, amd, cpu, processor, genuine and
 * "N-core"/"dual-core"-style words are dropped; everything from '@' on is dropped;
 * single spaces. "Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz" -> "xeon e5-2690 v4". */
void mdl_cpu_normalize(const char *in, char *out, size_t n);
/* The row whose key's words occur in model's normalized words, contiguous and not
 * followed by a version word ("v2".."v9"); the longest such key; NULL: none. */
const struct mdl_cpu_row *mdl_cpu_lookup(const struct mdl_cpu_table *t, const char *model);

enum mdl_cpu_origin {
    MDL_CPU_INVENTORY, /* inventory cpu_perf */
    MDL_CPU_TABLE,     /* the rating table matched cpu_model */
    MDL_CPU_ASSUMED    /* unknown CPU: the policy's assumed rating */
};

/* A source's rating and where it came from. */
struct mdl_cpu_rating {
    double perf;
    enum mdl_cpu_origin origin;
    const struct mdl_cpu_row *row; /* the table's row (MDL_CPU_TABLE), else NULL; borrowed */
};

/* Rating of dataset entity e: inventory cpu_perf when given (a value <= 0 or not a
 * number is an error naming the line), else the table's match for cpu_model, else
 * `assumed`. t may be NULL (no table). */
int mdl_cpu_rate(const struct mdl_cpu_table *t, const struct ks_dataset *ds, size_t e,
                 double assumed, struct mdl_cpu_rating *out, struct ks_err *err);
const char *mdl_cpu_origin_name(enum mdl_cpu_origin o);

/* Work of a source in reference MHz (the catalog's unit): busy_MHz (busy logical CPUs x
 * core_MHz) on a CPU of `cores` cores and `threads` logical CPUs rated perf. Without
 * SMT (threads <= cores, or either unknown) or without a clock it is perf x busy_MHz;
 * with SMT, busy logical CPUs beyond the cores count smt_yield each. NaN stays NaN. */
double mdl_cpu_ref_MHz(double busy_MHz, double cores, double threads, double core_MHz,
                       double perf, double smt_yield);

#endif
