/*
 * rpt_flows: the "Traffic between hosts" section, shown when the dataset has
 * flows.csv (kasane collect --pcap). Flow endpoints are addresses; each maps to the
 * entity whose inventory `ips` lists it (or whose name it is), else "outside". Each
 * entity maps to its future host through placement.csv (an entity left physical is
 * its own host). Tables: traffic_matrix (bytes between future hosts, a host with
 * itself = traffic that stops crossing the network), top_talkers (entity pairs).
 *
 * A flow between two capturing entities is seen twice (once from each side): a row
 * counts only when its capturing entity is the flow's source, or when the source
 * captured nothing (then this row is the only view of it).
 *
 * With several datasets (a fleet collected host by host) every dataset's flows.csv is
 * read and the rule above applies across them, so a flow between hosts collected apart
 * still counts once. A capturing entity found in two datasets' flows.csv is an error
 * naming both, as ks_dataset_merge refuses an entity in two datasets. Table
 * flow_sources (dataset, flows_rows) then says what each dataset contributed; with one
 * dataset the section is exactly what it was.
 */
#ifndef RPT_FLOWS_H
#define RPT_FLOWS_H

#include "report/rpt_ctx.h"

int rpt_flows_build(struct rpt_ctx *c, struct ks_err *err);
void rpt_flows_html(const struct rpt_ctx *c, FILE *f);

#endif
