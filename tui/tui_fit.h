/*
 * tui_fit: how the demand seen so far would fit on one catalog host model.
 *
 * The catalog is design.md's catalog.csv (model,sockets,cores_per_socket,
 * threads_per_core,core_MHz,mem_GiB,...,perf_per_core). Capacity of a model:
 *   CPU    sockets x cores_per_socket x core_MHz x perf_per_core   (MHz)
 *   memory mem_GiB x 1024                                          (MiB)
 * perf_per_core defaults to 1.0 when the column is absent or empty; a model with
 * threads_per_core >= 2 has x (1 + smt_yield). The watched host's busy MHz are brought
 * to the same reference MHz by its CPU's rating and SMT, as the planner does for a
 * source (model/mdl_cpu.h, docs/model.md "CPU normalization").
 */
#ifndef TUI_FIT_H
#define TUI_FIT_H

#include <stddef.h>

#include "core/ks_util.h"

struct tui_host_model {
    char name[64];
    double sockets, cores_per_socket, threads_per_core, core_MHz, mem_GiB, perf_per_core;
    double cap_MHz, cap_MiB; /* derived capacity */
    double smt_yield;        /* the planner's default */
    /* The watched host, rated as a source (tui_fit_rate_source); src_perf 0: not rated,
     * its MHz are taken as they are. */
    double src_perf, src_cores, src_threads, src_MHz;
    char src_rated_as[96]; /* the rating table's CPU; "" when the rating is assumed */
};

/* Load the row of model `name` from the catalog at path. Errors (missing column, bad
 * number, unknown model) name the file, and the line and column where there is one;
 * return a negative code. */
int tui_catalog_find(const char *path, const char *name, struct tui_host_model *out,
                     struct ks_err *err);

/* Rate the watched host (its inventory's CPU model and topology) with the built-in rating
 * table; an unknown CPU gets the planner's assumed rating and an empty src_rated_as. */
void tui_fit_rate_source(struct tui_host_model *hm, const char *cpu_model, double cores,
                         double threads, double core_MHz);

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
