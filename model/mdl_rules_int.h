/*
 * mdl_rules_int: what the rules files of model/ share (not for other modules).
 */
#ifndef MDL_RULES_INT_H
#define MDL_RULES_INT_H

#include "model/mdl_rules.h"
#include "model/mdl_vbp.h"

/* Problems found in a rules file, collected so that one run reports them all. */
struct mdl_probs {
    const char *path;
    size_t count;
    char buf[900];
};
void mdl_probs_add(struct mdl_probs *p, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 0 when no problem was found, else -EINVAL with every problem in err. */
int mdl_probs_fail(const struct mdl_probs *p, const char *what, struct ks_err *err);

/* Conflicts between rules (mdl_rules_check.c), added to pb. */
void mdl_rules_conflicts(const struct mdl_rules *rs, size_t nent, const struct ks_dataset *ds,
                         struct mdl_probs *pb);
/* The set of entities that must share a host with each entity (affinity, same pin):
 * a representative entity index per entity. Caller frees. */
uint32_t *mdl_rules_together(const struct mdl_rules *rs, size_t nent);
/* A pin rule to one host (merged like affinity), or to a set of hosts. */
int mdl_rule_pin1(const struct mdl_rule *r);
int mdl_rule_pinset(const struct mdl_rule *r);
/* rs->pin_list, pin_sets and every pin rule's pin_mask from the enabled pin rules;
 * a problem in pb (may be NULL) when pin sets meet more than 64 pinned hosts. */
void mdl_rules_pin_masks(struct mdl_rules *rs, struct mdl_probs *pb);
/* Bipartite matching (augmenting paths) of nb host sets (masks over rs->pin_list) to
 * distinct hosts: 1 when every set gets one; owner[64] then holds the set index of each
 * host bit, -1 unused. */
int mdl_rules_pin_match(const uint64_t *mask, size_t nb, int *owner);
/* Pinned host index of each entity (one-host pins only), -1 = none. Caller frees. */
long *mdl_rules_entity_pins(const struct mdl_rules *rs, size_t nent);

/* ---- A rules set bound to one planning run (mdl_rules_run.h) ---------------------- */

/* Source-level pairs of one soft-affinity rule, with their weight. */
struct mdl_soft_pairs {
    size_t n;
    uint32_t *a, *b;   /* sources */
    double *w;         /* weight (bytes from flows.csv, the rule's weight, or 1) */
    int from_flows;
};

/* One zone's packing problem over its units (local ids 0..nu-1). */
struct mdl_rzone {
    size_t nu;
    uint32_t *unit;           /* nu global unit ids */
    struct mdl_vbp *vbp;      /* nu items: the units' summed series */
    uint32_t *coff, *conf;    /* CSR: units that may not share a host with each unit */
    uint32_t *soff, *sadj;    /* CSR: soft-affinity neighbours ... */
    double *sw;               /* ... and their weights */
    double soft_scale;        /* penalty per unit of weight (small next to overflow) */
    size_t clique;            /* hosts the conflicts alone need */
    size_t lb;                /* last lower bound computed */
    size_t *hosts, nhosts;    /* plan hosts the zone rules name for this zone */
    long model;               /* catalog index of the zone's own host model, -1 the plan's */
    int sockets;              /* ... its socket population */
    double cap[2];            /* ... its packing capacity (CPU MHz, memory MiB) */
    uint64_t *pmask;          /* nu: pin mask of each unit, 0 none; NULL without pin sets */
    uint32_t *pinned, npinned;/* local units with a pin mask, when the zone has a pin set
                               * (else npinned 0: one-host pins need no matching) */
};

struct mdl_rules_run {
    const struct mdl_rules *rs;
    size_t n, nent, nunits, nzones;
    uint32_t *ent;            /* n: entity of each source */
    uint32_t *unit_of;        /* n: unit of each source */
    uint32_t *unit_zone, *unit_local; /* nunits */
    long *unit_pin;           /* nunits: pinned host (one-host pins), -1 none */
    uint64_t *unit_mask;      /* nunits: pinned hosts as a mask over rs->pin_list (set or
                               * one-host pins, when the rules have a pin set), 0 none */
    struct mdl_rzone *z;      /* nzones */
    struct mdl_soft_pairs *soft; /* rs->n (empty for other types) */
    double *group_need;       /* nunits x 2 (CPU, memory) of each group of 2 or more
                               * sources packed on the plan's model, NaN for the rest;
                               * NULL until mdl_rules_fit_check */
    /* Zone packings to reuse (borrowed, or NULL); those made, kept when memo_record. */
    const struct mdl_zone_memo *memo_in;
    struct mdl_zone_memo *memo_out;
    int memo_record;
};

/* The engine's hooks over a zone (ctx = struct mdl_rzone). allow keeps the conflicts
 * (mdl_rules_apart) and, with pin sets, the pinned units' hosts matchable to distinct
 * hosts of their sets. */
int mdl_rules_apart(const struct mdl_rzone *z, size_t item, uint32_t bin,
                    const uint32_t *assign);
int mdl_rules_allow(void *ctx, size_t item, uint32_t bin, const uint32_t *assign);
double mdl_rules_penalty(void *ctx, size_t item, uint32_t from, uint32_t to,
                         const uint32_t *assign);

/* Fail each host of zone zi in turn (mdl_rules_ha.c): the first plan host whose units
 * cannot be re-placed on the zone's others keeping capacity and the conflict rules (an
 * empty spare first, then greedy, then a bounded search; why, when not NULL, then names
 * the VM that found no host and what it conflicts with, else ""), -1
 * when every failure can, -2 when the zone has no conflict to keep. assign: plan host
 * of each source. With set != 0 (a pin set's mask) only the hosts of that set are
 * failed, and its units must re-place on the set's other hosts (no conflicts asked):
 * -2 when the zone has no unit of that set. */
long mdl_rules_failover(const struct mdl_rules_run *rr, size_t zi, const uint32_t *assign,
                        const uint32_t *host_zone, size_t nhosts, uint64_t set, char *why,
                        size_t why_len);

struct mdl_eval;
/* Soft-affinity groups packed as one item where that costs no host (mdl_rules_soft.c):
 * ez (the zone's packing with options o) is replaced by the best such packing. */
int mdl_rules_soft_merge(const struct mdl_rzone *z, struct mdl_eval *ez,
                         const struct mdl_vbp_opts *o, struct ks_err *err);

/* Zone packings by their problem (mdl_rules_memo.c). The key covers every input of a
 * zone's packing (units' series, capacity, conflicts, pins, soft pairs, bound, the
 * search's options, the HA spares asked): equal keys, equal packings. -1 when libxxhash
 * cannot be loaded (nothing is then reused). */
int mdl_rules_zone_key(const struct mdl_rzone *z, const struct mdl_vbp_opts *o, int ha,
                        uint64_t key[2]);
/* 1 and ez filled (assign allocated, hosts, spares, HA figures) when m holds key. */
int mdl_zone_memo_get(const struct mdl_zone_memo *m, const uint64_t key[2], size_t nu,
                      struct mdl_eval *ez);
/* Remember ez's packing under key (*m created on first use). */
void mdl_zone_memo_put(struct mdl_zone_memo **m, const uint64_t key[2], size_t nu,
                       const struct mdl_eval *ez);

#endif
