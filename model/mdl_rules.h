/*
 * mdl_rules: placement rules for `kasane plan --rules FILE` (docs/rules.md).
 *
 * The rules file is CSV with a header `rule,type,members,target,weight`, one rule a row:
 *   rule     a unique name
 *   type     anti-affinity | affinity | soft-affinity | zone | pin | exclude
 *   members  dataset entity names separated by ';' (a zone's may also name plan hosts,
 *            hostNN: those hosts are the zone's)
 *   target   zone: the zone name; pin: a plan host name (host03) or a set of them
 *            (host01;host02: each member on one of them, not necessarily the same);
 *            else empty
 *   weight   soft-affinity: the weight of keeping a pair together (empty: bytes
 *            between the members in flows.csv, else 1); else empty
 *   model    optional column; zone: a catalog host model the zone is packed, bounded,
 *            spared, costed and port-counted on (at its full socket count) instead of
 *            the plan's; else empty
 *
 * How each rule is kept (by construction, never by repair afterwards):
 *   exclude        the entity is not a source: placement host `-`, host_model physical;
 *   zone           every zone is packed, spared and counted on hosts of its own (on
 *                  its own host model when the rule gives one, column `model`);
 *   affinity       the members are merged into one packing item (their summed series);
 *   pin            entities pinned to one host are merged like affinity; items pinned to
 *                  different hosts may not share one (allow hook); after packing the
 *                  hosts are renumbered so each pinned host gets its name; members of
 *                  a pin set may each take any host of the set (the allow hook keeps
 *                  the hosts the set's members use matchable to distinct set hosts);
 *   anti-affinity  the allow hook refuses a host that holds another member;
 *   soft-affinity  a penalty the search weighs, then a pass that moves members together
 *                  where capacity and the hard rules allow.
 * Conflicts (an entity in two zones or pinned to two hosts, anti-affinity between
 * entities that must share a host, groups that cannot fit any host, ...) are found
 * before packing and reported together, each naming file:line.
 */
#ifndef MDL_RULES_H
#define MDL_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/ks_dataset.h"
#include "core/ks_util.h"

enum mdl_rule_type {
    MDL_RULE_ANTI,
    MDL_RULE_AFFINITY,
    MDL_RULE_SOFT,
    MDL_RULE_ZONE,
    MDL_RULE_PIN,
    MDL_RULE_EXCLUDE,
    MDL_RULE_NTYPES
};

/* One row of the rules file. Plain struct, owned by struct mdl_rules. */
struct mdl_rule {
    char *name;
    enum mdl_rule_type type;
    unsigned long line;   /* line in the rules file */
    char *members;        /* as written, for rules.csv */
    uint32_t *ent;        /* nent dataset entity indices */
    size_t nent;
    char *target;         /* zone name or host name; NULL when empty */
    double weight;        /* soft-affinity; NaN = from flows.csv */
    size_t zone;          /* zone rules: index into zones */
    size_t pin_host;      /* pin rules: 0-based plan host index (host03 -> 2); a set's
                           * first host */
    size_t *pin_hosts;    /* pin rules: the npin hosts of the target (0-based, as written;
                           * npin 1: pin_host alone, merged like affinity as always) */
    size_t npin;
    uint64_t pin_mask;    /* pin rules of a file with a pin set: bit i = pin_list[i] */
    size_t *hosts;        /* zone rules: plan hosts named among the members (0-based) */
    size_t nhosts;
    int disabled;         /* 1: left out (the "without this rule" re-plans) */
    char **names;         /* nent member entity names (owned): re-binding to a window */
    char *absent;         /* members without a sample in the window this set is bound to,
                           * "a;b" (owned); NULL when none is */
    int skipped;          /* 1: too few members in that window to mean anything (a group
                           * rule needs 2, others 1): the rule keeps nothing there */
};

struct mdl_rules {
    char *path;
    size_t n;
    struct mdl_rule *r;
    size_t nzones;        /* zones[0] is "" (entities without a zone rule) */
    char **zones;
    char **zone_model;    /* nzones: host model a zone rule names for it, NULL = the plan's */
    unsigned long *zone_model_line; /* nzones: line of the rule that named it */
    size_t *pin_list;     /* distinct hosts any pin rule names (0-based), the bits of the
                           * pin masks; at most 64 when pin_sets */
    size_t npin_list;
    int pin_sets;         /* 1: some pin names more than one host */
    char *window;         /* NULL: bound to the dataset it was read for; else the window
                           * it was re-bound to ("training window"), for notes */
};

const char *mdl_rule_type_name(enum mdl_rule_type t);

/* Read and check a rules file against the dataset's entities. Every problem found
 * (syntax, unknown names or types, conflicts) is collected and reported together in
 * err, each as file:line; the return is then -EINVAL and *out NULL. */
int mdl_rules_read(const char *path, const struct ks_dataset *ds, struct mdl_rules **out,
                   struct ks_err *err);
void mdl_rules_free(struct mdl_rules *r);
/* A copy of rs bound to win, a time window of the dataset rs was read for (or any
 * dataset): members are matched by name. Members win lacks are left out of their rule
 * and listed in its absent; a rule left with too few members (2 for anti-affinity,
 * affinity and soft-affinity, else 1) is skipped: it keeps nothing in that window. No
 * new conflict can arise from fewer members, so this never fails. label names the
 * window in notes ("training window"). Free with mdl_rules_free. */
struct mdl_rules *mdl_rules_rebind(const struct mdl_rules *rs, const struct ks_dataset *win,
                                   const char *label);
/* Rules of a re-bound set that lost members: *skipped of them keep nothing; returns the
 * count of rules with an absent member (skipped included). */
size_t mdl_rules_absent(const struct mdl_rules *rs, size_t *skipped);
/* Does an exclude rule of rs (enabled, not skipped) name entity name? */
int mdl_rules_excludes(const struct mdl_rules *rs, const char *name);
/* Zone index of each dataset entity (nent, 0 = no zone) honouring disabled rules.
 * Caller frees. */
size_t *mdl_rules_entity_zones(const struct mdl_rules *r, size_t nent);

/* ---- Outcome (filled by the planner, written to rules.csv and summary.csv) ---------- */

struct mdl_rule_out {
    int honoured;         /* 1 yes, 0 no, -1 skipped (no members in the planning window) */
    double hosts_without; /* hosts of the re-plan without this rule; NaN = not re-planned */
    double cross_bytes, total_bytes; /* soft-affinity: traffic across hosts, in all */
    long failover_break;  /* pin sets: first set host whose failure cannot be re-placed
                           * inside the set; -1 none; -2 unchecked (no HA) */
    char notes[240];
};

struct mdl_zone_out {
    size_t hosts, spares, lower_bound, switch_ports, sources;
    long model;          /* catalog index of the zone's own host model, -1 the plan's */
    int sockets;         /* its socket population */
    long failover_break; /* host whose failure breaks a conflict rule; -1 none; -2 unchecked */
    long failover_conflict; /* the same for the conflict rules alone (pin sets left out) */
    char failover_why[176]; /* then: the VM that found no host, and what it conflicts with */
};

struct mdl_rules_result {
    const struct mdl_rules *rules;  /* borrowed: must outlive the plan */
    struct mdl_rule_out *out;       /* rules->n */
    struct mdl_zone_out *zone;      /* rules->nzones */
    uint32_t *host_zone;            /* nhosts: zone of each plan host */
    size_t nhosts, excluded;
    double hosts_without_all;       /* the plan without any rule; NaN = not re-planned */
    double soft_cross_bytes, soft_total_bytes;
};

void mdl_rules_result_free(struct mdl_rules_result *res);

struct mdl_plan;
struct mdl_policy;
struct mdl_catalog;
/* summary.csv keys of a plan with rules (rules, rules_honoured, hosts_without_rules,
 * rules_cost_hosts, excluded_entities, soft_affinity_*, zones, zone_NAME_*). */
void mdl_rules_summary(const struct mdl_plan *pl,
                       void (*put)(void *ctx, const char *key, const char *value), void *ctx);
/* rules.csv and zones.csv in the plan directory (docs/rules.md). */
int mdl_rules_write(const struct mdl_plan *pl, const char *dir, struct ks_err *err);
/* What each rule costs: the plan again without it (and without any rule), on the chosen
 * host model, for the first max_replans rules (the others stay NaN, "not re-planned").
 * rules is pl->pol.rules, toggled while it runs and restored. Re-plans that fail leave
 * NaN and say why in the rule's notes. */
void mdl_rules_costs(const struct ks_dataset *ds, const char *dataset_name,
                     const struct mdl_catalog *cat, struct mdl_rules *rules,
                     struct mdl_plan *pl, size_t max_replans);

#endif
