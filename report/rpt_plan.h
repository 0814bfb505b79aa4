/*
 * rpt_plan: the plan directory written by `kasane plan` (the contract is in
 * docs/report.md and the lead's PLAN-CONTRACT), read back for the report, and bound
 * to the dataset it claims to plan.
 *
 *   placement.csv  entity,host,host_model    every dataset entity exactly once
 *   hosts.csv      host,host_model,sockets,...,cpu_capacity_MHz,mem_capacity_MiB,...
 *   summary.csv    key,value
 *   models.csv, licences.csv, ports.csv, policy.csv, cpu_ratings.csv
 *                  optional for the report: a
 *                  missing file makes an empty table (ncols == 0), shown as such.
 *
 * Columns are matched by name; extra columns are kept and shown.
 */
#ifndef RPT_PLAN_H
#define RPT_PLAN_H

#include "core/ks_dataset.h"
#include "core/ks_table.h"

struct rpt_plan {
    char *dir; /* owned copy of the plan directory path */
    struct ks_table placement, hosts, summary, models, licences, ports, policy, cpu_ratings;
};

/* Read every file of the plan directory. Missing required files or columns are errors
 * naming the file (and line). On error p holds nothing to free. */
int rpt_plan_read(const char *dir, struct rpt_plan *p, struct ks_err *err);
void rpt_plan_fini(struct rpt_plan *p);

/* Bind the plan to a dataset: ent_host[i] (nent entries, caller-allocated) gets the
 * hosts.csv row of dataset entity i, or -1 when it stays physical (host "-").
 * Refuses a plan made from another dataset: an entity unknown to the dataset, one the
 * placement misses, one placed twice, or a host missing from hosts.csv is an error
 * naming the file, line and entity. */
int rpt_plan_bind(const struct rpt_plan *p, const struct ks_dataset *ds, const char *ds_dir,
                  long *ent_host, struct ks_err *err);

#endif
