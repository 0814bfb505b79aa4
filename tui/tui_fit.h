/*
 * tui_fit: how the demand seen so far would fit on one catalog host model.
 *
 * The catalog is design.md's catalog.csv (model,sockets,cores_per_socket,
 * threads_per_core,core_MHz,mem_GiB,...,perf_per_core). Capacity of a model:
 *   CPU    sockets x cores_per_socket x core_MHz x perf_per_core   (MHz)
 *   memory mem_GiB x 1024                                          (MiB)
 * perf_per_core defaults to 1.0 when the column is absent or empty (the reference
 * the sources' MHz are measured in). Threads do not add capacity: a hyperthread is not
 * a core's worth of MHz.
 */
#ifndef TUI_FIT_H
#define TUI_FIT_H

#include <stddef.h>

#include "core/ks_util.h"

struct tui_host_model {
    char name[64];
    double sockets, cores_per_socket, threads_per_core, core_MHz, mem_GiB, perf_per_core;
    double cap_MHz, cap_MiB; /* derived capacity */
};

/* Load the row of model `name` from the catalog at path. Errors (missing column, bad
 * number, unknown model) name the file, and the line and column where there is one;
 * return a negative code. */
int tui_catalog_find(const char *path, const char *name, struct tui_host_model *out,
                     struct ks_err *err);

struct tui_fit_result {
    size_t n_cpu, n_mem;                                         /* known samples used */
    double cpu_p95_pct, cpu_peak_pct, mem_p95_pct, mem_peak_pct; /* of the model */
    /* Copies of this demand one model carries, judged on the peaks (0 when a peak is
     * over capacity; -1 when nothing is known). */
    long copies_at_peak;
};

/* Percentiles over the known (non-NaN) values of the demand series. */
void tui_fit_compute(const struct tui_host_model *hm, const double *cpu_MHz, const double *mem_MiB,
                     size_t n, struct tui_fit_result *out);

#endif
