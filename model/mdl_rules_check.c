/*
 * Conflicts between placement rules, found before anything is packed: rules that no
 * placement can keep together. Each is reported at the line of the rule that breaks
 * an earlier one (naming the earlier line), so the user sees which pair to fix.
 * Conflicts that need the demand (a group too big for any host) are checked later,
 * in mdl_rules_fit_check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/mdl_rules_int.h"

struct seen {
    size_t *zone;          /* nent: zone, 0 = none yet */
    unsigned long *zline;  /* nent: line of the zone rule */
    long *pin;             /* nent: pinned host (one-host pins), -1 = none */
    const struct mdl_rule **prule; /* nent: the pin rule of the entity, NULL = none */
    unsigned long *pline;
    unsigned long *xline;  /* nent: line of the exclude rule, 0 = not excluded */
};

static void
seen_init(struct seen *s, size_t nent)
{
    size_t n = nent ? nent : 1;
    s->zone = ks_xcalloc(n, sizeof *s->zone);
    s->zline = ks_xcalloc(n, sizeof *s->zline);
    s->pin = ks_xmalloc(n * sizeof *s->pin);
    s->pline = ks_xcalloc(n, sizeof *s->pline);
    s->prule = ks_xcalloc(n, sizeof *s->prule);
    s->xline = ks_xcalloc(n, sizeof *s->xline);
    for (size_t e = 0; e < nent; e++)
        s->pin[e] = -1;
}

static void
seen_fini(struct seen *s)
{
    free(s->zone);
    free(s->zline);
    free(s->pin);
    free(s->pline);
    free(s->prule);
    free(s->xline);
}

/* Two pin rules name the same hosts (NULL: no pin; both NULL agree). */
static int
same_pin(const struct mdl_rule *a, const struct mdl_rule *b)
{
    if (!a || !b || a->npin != b->npin)
        return a == b;
    return (a->pin_mask == b->pin_mask && a->npin > 1) ||
           (a->npin == 1 && a->pin_host == b->pin_host);
}

/* The first host of a's pin target that b's names too; -1 none. */
static long
common_host(const struct mdl_rule *a, const struct mdl_rule *b)
{
    for (size_t i = 0; i < a->npin; i++)
        for (size_t j = 0; j < b->npin; j++)
            if (a->pin_hosts[i] == b->pin_hosts[j])
                return (long)a->pin_hosts[i];
    return -1;
}

/* host07 for a one-host pin, the target as written for a set. */
static const char *
pin_text(const struct mdl_rule *r, char *buf, size_t n)
{
    if (r->npin > 1)
        return r->target;
    snprintf(buf, n, "host%02zu", r->pin_host + 1);
    return buf;
}

/* Zones, pins and excludes per entity: an entity in two zones or pinned to two hosts. */
static void
first_pass(const struct mdl_rules *rs, const struct ks_dataset *ds, struct seen *s,
           struct mdl_probs *pb)
{
    char buf[80];
    for (size_t k = 0; k < rs->n; k++) {
        const struct mdl_rule *r = &rs->r[k];
        for (size_t m = 0; m < r->nent && !r->disabled; m++) {
            uint32_t e = r->ent[m];
            const char *nm = ks_dataset_entity(ds, e);
            if (r->type == MDL_RULE_ZONE && s->zone[e] && s->zone[e] != r->zone)
                mdl_probs_add(pb, r->line, "zone '%s': '%s' is already in zone '%s' (line %lu)",
                              r->name, nm, rs->zones[s->zone[e]], s->zline[e]);
            else if (r->type == MDL_RULE_ZONE)
                s->zone[e] = r->zone, s->zline[e] = r->line;
            if (r->type == MDL_RULE_PIN && s->prule[e] && !same_pin(s->prule[e], r))
                mdl_probs_add(pb, r->line, "pin '%s': '%s' is already pinned to %s (line %lu)",
                              r->name, nm, pin_text(s->prule[e], buf, sizeof buf), s->pline[e]);
            else if (r->type == MDL_RULE_PIN) {
                s->pin[e] = mdl_rule_pin1(r) ? (long)r->pin_host : -1;
                s->prule[e] = r;
                s->pline[e] = r->line;
            }
            if (r->type == MDL_RULE_EXCLUDE)
                s->xline[e] = r->line;
        }
    }
}

/* An excluded entity stays physical: any other rule about it cannot be kept. */
static void
excluded_elsewhere(const struct mdl_rules *rs, const struct ks_dataset *ds,
                   const struct seen *s, struct mdl_probs *pb)
{
    for (size_t k = 0; k < rs->n; k++) {
        const struct mdl_rule *r = &rs->r[k];
        for (size_t m = 0; m < r->nent && !r->disabled && r->type != MDL_RULE_EXCLUDE; m++)
            if (s->xline[r->ent[m]])
                mdl_probs_add(pb, r->line, "%s '%s': '%s' is excluded (stays physical, line "
                              "%lu)", mdl_rule_type_name(r->type), r->name,
                              ks_dataset_entity(ds, r->ent[m]), s->xline[r->ent[m]]);
    }
}

static const char *
zname(const struct mdl_rules *rs, size_t z)
{
    return z ? rs->zones[z] : "(none)";
}

/* Entities that must share a host must be in one zone and pinned to one host. */
static void
together_zones(const struct mdl_rules *rs, const struct ks_dataset *ds, const struct seen *s,
               struct mdl_probs *pb)
{
    for (size_t k = 0; k < rs->n; k++) {
        const struct mdl_rule *r = &rs->r[k];
        if (r->disabled || (r->type != MDL_RULE_AFFINITY && r->type != MDL_RULE_PIN))
            continue;
        for (size_t m = 1; m < r->nent; m++) {
            uint32_t a = r->ent[0], b = r->ent[m];
            if (s->zone[a] != s->zone[b])
                mdl_probs_add(pb, r->line, "%s '%s': '%s' (zone %s) and '%s' (zone %s) cannot "
                              "share a host", mdl_rule_type_name(r->type), r->name,
                              ks_dataset_entity(ds, a), zname(rs, s->zone[a]),
                              ks_dataset_entity(ds, b), zname(rs, s->zone[b]));
            else if (r->type == MDL_RULE_AFFINITY && !same_pin(s->prule[a], s->prule[b]))
                mdl_probs_add(pb, r->line, "affinity '%s': '%s' and '%s' are pinned to "
                              "different hosts", r->name, ks_dataset_entity(ds, a),
                              ks_dataset_entity(ds, b));
        }
        /* A pinned host belongs to the zone of what is pinned to it first. */
        for (size_t j = 0; r->type == MDL_RULE_PIN && j < k && r->nent; j++) {
            const struct mdl_rule *q = &rs->r[j];
            long h = q->type == MDL_RULE_PIN ? common_host(r, q) : -1;
            if (q->disabled || h < 0 || !q->nent)
                continue;
            if (s->zone[q->ent[0]] != s->zone[r->ent[0]])
                mdl_probs_add(pb, r->line, "pin '%s': host%02ld is in zone %s (pin '%s', line "
                              "%lu), outside the zone %s of '%s'", r->name, h + 1,
                              zname(rs, s->zone[q->ent[0]]), q->name, q->line,
                              zname(rs, s->zone[r->ent[0]]), ks_dataset_entity(ds, r->ent[0]));
        }
    }
}

/* Does pin rule r name plan host h? */
static int
pins_host(const struct mdl_rule *r, size_t h)
{
    for (size_t i = 0; i < r->npin; i++)
        if (r->pin_hosts[i] == h)
            return 1;
    return 0;
}

/* Plan hosts named in zone rules: in one zone only, and a pin to such a host only for
 * entities of that zone. */
static void
declared_hosts(const struct mdl_rules *rs, const struct ks_dataset *ds, const struct seen *s,
               struct mdl_probs *pb)
{
    for (size_t k = 0; k < rs->n; k++) {
        const struct mdl_rule *r = &rs->r[k];
        for (size_t j = 0; j < rs->n && !r->disabled; j++) {
            const struct mdl_rule *q = &rs->r[j];
            if (q->disabled || q->type != MDL_RULE_ZONE)
                continue;
            for (size_t h = 0; h < q->nhosts; h++) {
                if (r->type == MDL_RULE_ZONE && j < k && q->zone != r->zone)
                    for (size_t g = 0; g < r->nhosts; g++)
                        if (r->hosts[g] == q->hosts[h])
                            mdl_probs_add(pb, r->line, "zone '%s': host%02zu is already in "
                                          "zone '%s' (line %lu)", r->name, r->hosts[g] + 1,
                                          rs->zones[q->zone], q->line);
                if (r->type == MDL_RULE_PIN && r->nent && pins_host(r, q->hosts[h]) &&
                    s->zone[r->ent[0]] != q->zone)
                    mdl_probs_add(pb, r->line, "pin '%s': host%02zu is in zone %s (zone '%s', "
                                  "line %lu), outside the zone %s of '%s'", r->name,
                                  q->hosts[h] + 1, zname(rs, q->zone), q->name, q->line,
                                  zname(rs, s->zone[r->ent[0]]),
                                  ks_dataset_entity(ds, r->ent[0]));
            }
        }
    }
}

/* Anti-affinity members that must share a host (affinity, one pinned host). */
static void
anti_together(const struct mdl_rules *rs, const struct ks_dataset *ds, const uint32_t *rep,
              const struct seen *s, struct mdl_probs *pb)
{
    for (size_t k = 0; k < rs->n; k++) {
        const struct mdl_rule *r = &rs->r[k];
        if (r->disabled || r->type != MDL_RULE_ANTI)
            continue;
        for (size_t x = 0; x < r->nent; x++)
            for (size_t y = x + 1; y < r->nent; y++) {
                uint32_t a = r->ent[x], b = r->ent[y];
                if (a == b || rep[a] != rep[b])
                    continue;
                mdl_probs_add(pb, r->line, "anti-affinity '%s': '%s' and '%s' must share a "
                              "host (%s)", r->name, ks_dataset_entity(ds, a),
                              ks_dataset_entity(ds, b),
                              s->pin[a] >= 0 && s->pin[a] == s->pin[b]
                                  ? "pinned to one host: more members than allowed hosts"
                                  : "affinity");
                x = y = r->nent; /* one message per rule is enough */
            }
    }
}

void
mdl_rules_conflicts(const struct mdl_rules *rs, size_t nent, const struct ks_dataset *ds,
                    struct mdl_probs *pb)
{
    struct seen s;
    seen_init(&s, nent);
    first_pass(rs, ds, &s, pb);
    excluded_elsewhere(rs, ds, &s, pb);
    together_zones(rs, ds, &s, pb);
    declared_hosts(rs, ds, &s, pb);
    uint32_t *rep = mdl_rules_together(rs, nent);
    anti_together(rs, ds, rep, &s, pb);
    free(rep);
    seen_fini(&s);
}
