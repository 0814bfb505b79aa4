/*
 * rpt_host_charts: the plan section's per-host charts (stacked busy GHz of each host's
 * VMs against its capacity and planning limit). Up to RPT_HOST_CHARTS hosts with VMs
 * each get one. Beyond that the hosts a reader needs are picked: the riskiest (the most
 * overloaded in the backtest, risk_hosts.csv), those carrying members of placement rules
 * (rules.csv), and the busiest (highest recomputed CPU peak) for the rest; each picked
 * chart says why in its title and caption, and tables/host_charts.csv lists the picks.
 * Built after every section, since the picks read the Risk and Rules sections' tables.
 */
#ifndef RPT_HOST_CHARTS_H
#define RPT_HOST_CHARTS_H

#include <stdio.h>

#include "report/rpt_ctx.h"

#define RPT_HOST_CHARTS 24 /* charts inline; every host is in tables/hosts.csv */

int rpt_host_charts_build(struct rpt_ctx *c, struct ks_err *err);
/* The charts (and, for picks, the note and the table of picks). */
void rpt_host_charts_html(const struct rpt_ctx *c, FILE *f);

#endif
