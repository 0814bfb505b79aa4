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

#endif
