/*
 * mdl_storage_int: what the mdl_storage_*.c files share and nothing else includes.
 */
#ifndef MDL_STORAGE_INT_H
#define MDL_STORAGE_INT_H

#include "model/mdl_storage.h"

#define MDL_GiB 1073741824.0 /* bytes */

/* ceil that forgives rounding noise: 1900 / 190 must stay 10, not become 11. */
double mdl_storage_ceil(double x);

/* Nonzero when entity ent is on the shared array under pol. */
int mdl_storage_included(const struct ks_dataset *ds, const struct mdl_storage_policy *pol,
                         size_t ent);
/* Sum the disk series of the included entities over g and derive the front-end demand
 * (fills the series, iops_* / MiBps_* / read_pct / fe_*_need fields of sp). */
void mdl_storage_demand(const struct ks_dataset *ds, const struct ks_grid *g,
                        struct mdl_storage_plan *sp);
/* Used and provisioned capacity from the inventory, grown and with headroom. */
void mdl_storage_capacity(const struct ks_dataset *ds, struct mdl_storage_plan *sp);
/* Backup store, windows and WAN bytes; DR bandwidth. Need demand and capacity first. */
void mdl_storage_backup(struct mdl_storage_plan *sp);
void mdl_storage_dr(struct mdl_storage_plan *sp);
/* The sizing statistic (percentile or peak, by policy) of a series; v is not changed. */
double mdl_storage_stat(const struct mdl_storage_plan *sp, const double *v);

/* Evaluate every configuration for load_scale x the I/O demand (1 for the primary
 * site, dr_load_pct / 100 for DR) and the full capacity. Fills *opt, *nopt, *chosen;
 * -EINVAL with the shortfall named when none is eligible. */
int mdl_storage_choose(struct mdl_storage_plan *sp, double load_scale,
                       struct mdl_storage_config **opt, size_t *nopt, size_t *chosen,
                       struct ks_err *err);
/* "16 x ssd-a raid10 (8 groups) + 1 spare, 1 x shelf-24, 1 x ctrl" into buf. */
void mdl_storage_describe(const struct mdl_array_catalog *cat, const struct mdl_storage_config *c,
                          char *buf, size_t len);

#endif
