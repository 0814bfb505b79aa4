/*
 * mdl_catalog: the host catalog (catalog.csv, design.md "Host catalog and policy").
 *
 * Required columns: model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,
 * nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core. Optional:
 *   min_sockets   fewest sockets the model may be bought with (default: sockets, i.e.
 *                 only fully populated);
 *   socket_price  what one populated socket adds to the price (default price/sockets),
 *                 so a model bought with s sockets costs price - (sockets-s)*socket_price;
 *   source        where the figures come from.
 * Memory, NICs and power are taken as the same whatever the socket population (a
 * simplification: it makes partly populated hosts look slightly worse, never better).
 */
#ifndef MDL_CATALOG_H
#define MDL_CATALOG_H

#include <stddef.h>

#include "core/ks_util.h"

/* Catalog limits (docs/formats.md): a host has at most MDL_MAX_SOCKETS sockets; a
 * price (and a socket_price) is at most MDL_MAX_MONEY and watts at most MDL_MAX_WATTS,
 * so sums over any fleet stay finite. */
#define MDL_MAX_SOCKETS 64
#define MDL_MAX_MONEY 1e9
#define MDL_MAX_WATTS 1e6

struct mdl_model {
    char *name;
    int sockets, cores_per_socket, threads_per_core, min_sockets;
    double core_MHz, mem_GiB, nic_Gbps, rack_U, price, socket_price;
    double watts_idle, watts_max, perf_per_core;
    int nic_ports;
    char *source;        /* may be NULL */
    unsigned long line;  /* line in the catalog file */
};

struct mdl_catalog {
    size_t n;
    struct mdl_model *m;
    char *path;
};

/* Read and validate a catalog: a missing column, a non-number, a model with zero
 * capacity (sockets, cores, MHz, memory or perf_per_core not > 0), a value outside its
 * range or a fraction where a whole number is due (docs/formats.md has the ranges) are
 * errors naming file, line and column. */
int mdl_catalog_read(const char *path, struct mdl_catalog **out, struct ks_err *err);
void mdl_catalog_free(struct mdl_catalog *c);
/* Index of a model by name, or -1. */
long mdl_catalog_find(const struct mdl_catalog *c, const char *name);
/* Price of model m bought with s sockets populated. */
double mdl_model_price(const struct mdl_model *m, int s);
/* Raw CPU capacity of m with s sockets in reference MHz: s x cores x MHz x perf_per_core,
 * x (1 + smt_yield) when the model has SMT (threads_per_core >= 2; model/mdl_cpu.h). */
double mdl_model_cpu_MHz(const struct mdl_model *m, int s, double smt_yield);

#endif
