/*
 * rpt_rules: the "Placement rules" section (issue 13): the plan's rules.csv (each rule,
 * whether it held, what it costs in hosts) with the report's own check of every hard
 * rule against placement.csv, and zones.csv (hosts, bound and ports per zone). Without
 * rules.csv in the plan directory the section is a one-line note.
 */
#ifndef RPT_RULES_H
#define RPT_RULES_H

#include "report/rpt_ctx.h"

int rpt_rules_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_rules_html(const struct rpt_ctx *c, FILE *f);
/* Host (hosts.csv row, -1 physical, -2 unknown) of each of the ';'-separated members of
 * a rule, at most max of them; a member that names a plan host (a zone's) stands for
 * that host. Returns how many were written to host. */
/* hosts.csv row of a host name, or -2. */
long rpt_host_index(const struct rpt_ctx *c, const char *name);
size_t rpt_rule_hosts(const struct rpt_ctx *c, const char *members, long *host, size_t max);

#endif
