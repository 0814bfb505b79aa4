/*
 * mdl_rules_run: placement rules bound to one planning run (internal to model/: the
 * planner in mdl_plan.c calls these; see mdl_rules.h for what each rule means).
 *
 * Sources that must share a host (affinity, one pinned host) become one packing item,
 * a "unit", whose series is their sum. Every zone is a packing problem of its own over
 * its units, with the anti-affinity and pin conflicts as the engine's allow hook and
 * soft affinity as its penalty hook.
 */
#ifndef MDL_RULES_RUN_H
#define MDL_RULES_RUN_H

#include "model/mdl_rules.h"
#include "model/mdl_stats.h"

struct mdl_rules_run; /* opaque */

/* Drop the excluded entities from the sources (before the packing problem is built). */
void mdl_rules_exclude(const struct mdl_rules *rs, struct mdl_demand *d);
/* Units, zones, conflicts and soft weights (from flows.csv) for the sources of d, whose
 * series are the items of p. */
void mdl_rules_bind(const struct mdl_rules *rs, const struct ks_dataset *ds,
                    const struct mdl_demand *d, const struct mdl_vbp *p,
                    struct mdl_rules_run **out);
void mdl_rules_run_free(struct mdl_rules_run *rr);

struct mdl_catalog;
/* The zones' own host models (rules column `model`) looked up in cat: model[zi] is the
 * catalog index, -1 for the plan's. -EINVAL naming file, line and column for every name
 * the catalog lacks. model has rs->nzones entries. */
int mdl_rules_zone_models(const struct mdl_rules *rs, const struct mdl_catalog *cat,
                          long *model, struct ks_err *err);
/* Zone zi is packed on host model `model` (catalog index) with `sockets`, whose packing
 * capacity (CPU MHz, memory MiB) is cap, whatever model the plan tries. */
void mdl_rules_zone_fix(struct mdl_rules_run *rr, size_t zi, long model, int sockets,
                        const double cap[2]);
size_t mdl_rules_nzones(const struct mdl_rules_run *rr);
/* Zone of source q. */
size_t mdl_rules_source_zone(const struct mdl_rules_run *rr, size_t q);
/* The zone's own host model (catalog index; *sockets its population), -1 the plan's. */
long mdl_rules_zone_model(const struct mdl_rules_run *rr, size_t zi, int *sockets);
/* Hosts of the last mdl_rules_lower_bound that fall to zones with their own model. */
size_t mdl_rules_fixed_bound(const struct mdl_rules_run *rr);
/* Units (affinity groups) that fit no host: caps are the packing capacities (CPU, memory)
 * of every host choice (a zone with its own model: its capacity alone); allow_over as in
 * the problem. -EINVAL naming each rule's line. */
int mdl_rules_fit_check(struct mdl_rules_run *rr, const double (*caps)[2], size_t ncaps,
                        size_t allow_over, struct ks_err *err);
/* A group (affinity, or one pinned host's entities) packed on the plan's model that a
 * host of packing capacity pack cannot carry: 1 and reason naming the rule, its line
 * and the figures (the host choice is then ineligible, as for any other reason), else
 * 0. Uses the needs mdl_rules_fit_check computed. */
int mdl_rules_screen(const struct mdl_rules_run *rr, const double pack[2], char *reason,
                     size_t len);
/* Lower bound with the rules, for p's capacity (a zone with its own model: that model's):
 * per zone, the engine's bound on its units, raised to its largest anti-affinity group
 * and its count of pinned hosts; summed. */
size_t mdl_rules_lower_bound(struct mdl_rules_run *rr, const struct mdl_vbp *p);
/* Pack every zone (with its own HA spares) into e: nominal hosts zone by zone, then the
 * spares zone by zone; pinned hosts renumbered to their names. 0 ok, 1 when this host
 * choice cannot keep a pin (reason says why), < 0 an engine error. */
int mdl_rules_pack(struct mdl_rules_run *rr, struct mdl_eval *e, const struct mdl_vbp *p,
                   const struct mdl_vbp_opts *o, int ha, char *reason, size_t reason_len,
                   struct ks_err *err);
/* Zone packings shared between a plan and its rule-cost re-plans (mdl_rules_memo.c):
 * mdl_rules_pack takes a zone's packing from `in` (borrowed, may be NULL) when the zone
 * is the same problem, and with record != 0 remembers every zone packing it makes;
 * mdl_rules_memo_take hands those over (NULL: none), mdl_zone_memo_free frees them. */
struct mdl_zone_memo;
void mdl_rules_memo(struct mdl_rules_run *rr, const struct mdl_zone_memo *in, int record);
struct mdl_zone_memo *mdl_rules_memo_take(struct mdl_rules_run *rr);
void mdl_zone_memo_free(struct mdl_zone_memo *m);

/* How each rule fared in the plan (host_of, hosts filled), from the placement; the zone
 * of each host and the packing capacity from the winner's evaluation. */
struct mdl_rules_result *mdl_rules_result_new(struct mdl_rules_run *rr,
                                              const struct mdl_plan *pl,
                                              const struct mdl_eval *best, size_t allow_over);

#endif
