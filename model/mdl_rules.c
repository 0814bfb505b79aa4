/* Reading and checking a rules file (see mdl_rules.h and docs/rules.md). */
#include "model/mdl_rules.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_table.h"
#include "model/mdl_rules_int.h"

/* Largest soft-affinity weight: a year of bytes on a 100 Gbit/s link is ~4e17, and sums
 * of weights over every pair of a large estate stay finite in double. */
#define MAX_WEIGHT 1e18

static const char *const TYPE_NAMES[MDL_RULE_NTYPES] = {
    "anti-affinity", "affinity", "soft-affinity", "zone", "pin", "exclude"};

const char *
mdl_rule_type_name(enum mdl_rule_type t)
{
    return t < MDL_RULE_NTYPES ? TYPE_NAMES[t] : "?";
}

/* ---- Problems, collected so one run reports them all -------------------------------- */

void
mdl_probs_add(struct mdl_probs *p, unsigned long line, const char *fmt, ...)
{
    char raw[400], msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ks_escape(msg, sizeof msg, raw); /* so that "\n  " below only ever separates problems */
    size_t len = strlen(p->buf);
    if (p->count++ < 8 && len < sizeof p->buf - 1)
        snprintf(p->buf + len, sizeof p->buf - len, "\n  %s:%lu: %s", p->path, line, msg);
}

int
mdl_probs_fail(const struct mdl_probs *p, const char *what, struct ks_err *err)
{
    if (p->count == 0)
        return 0;
    /* ks_errf escapes control bytes: the list goes line by line through ks_err_addline. */
    if (err && err->code)
        return -EINVAL; /* an earlier error stands (ks_errf: the first one wins) */
    ks_errf(err, -EINVAL, "%s: %zu problem%s in the rules %s, nothing planned:", p->path,
            p->count, p->count > 1 ? "s" : "", what);
    for (const char *l = p->buf; *l;) {
        l += strspn(l, "\n ");
        const char *end = strstr(l, "\n  ");
        int n = end ? (int)(end - l) : (int)strlen(l);
        ks_err_addline(err, "%.*s", n, l);
        l += n;
    }
    if (p->count > 8)
        ks_err_addline(err, "(and more)");
    return -EINVAL;
}

/* ---- Parsing ------------------------------------------------------------------------- */

static long
type_of(const char *s)
{
    for (int t = 0; t < MDL_RULE_NTYPES; t++)
        if (strcmp(s, TYPE_NAMES[t]) == 0)
            return t;
    return -1;
}

static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    return s;
}

/* hostNN (NN >= 1) -> 0-based index, or -1. */
static long
host_index(const char *s)
{
    long v;
    if (strncmp(s, "host", 4) != 0 || ks_parse_long(s + 4, &v) < 0 || v < 1 || v > 9999)
        return -1;
    return v - 1;
}

static int
listed(const struct mdl_rule *r, uint32_t e)
{
    for (size_t m = 0; m < r->nent; m++)
        if (r->ent[m] == e)
            return 1;
    return 0;
}

/* members "a;b;c" -> entity indices; unknown names and hypervisor hosts are problems. */
static size_t
parse_members(struct mdl_rule *r, const char *text, const struct ks_dataset *ds,
              struct mdl_probs *pb)
{
    char *buf = ks_xstrdup(text ? text : ""), *save = NULL;
    size_t cap = 0, given = 0;
    for (char *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char *name = trim(tok);
        if (!*name)
            continue;
        given++;
        long e = ks_dataset_find(ds, name), h = host_index(name);
        const char *kind = e >= 0 ? ks_inv_str(ds, (size_t)e, "kind") : NULL;
        if (e < 0 && h >= 0 && r->type == MDL_RULE_ZONE) { /* a plan host of the zone */
            r->hosts = ks_xrealloc(r->hosts, (r->nhosts + 1) * sizeof *r->hosts);
            r->hosts[r->nhosts++] = (size_t)h;
        } else if (e < 0)
            mdl_probs_add(pb, r->line, "rule '%s': unknown entity '%s' (not in inventory.csv)",
                          r->name, name);
        else if (kind && strcmp(kind, "host") == 0)
            mdl_probs_add(pb, r->line, "rule '%s': '%s' is a hypervisor host, not placed",
                          r->name, name);
        else if (listed(r, (uint32_t)e))
            mdl_probs_add(pb, r->line, "rule '%s': '%s' is listed twice", r->name, name);
        else {
            size_t ncap = cap; /* names grows in step with ent */
            r->ent = ks_xgrow(r->ent, &cap, r->nent + 1, sizeof *r->ent);
            r->names = ks_xgrow(r->names, &ncap, r->nent + 1, sizeof *r->names);
            r->names[r->nent] = ks_xstrdup(ks_dataset_entity(ds, (size_t)e));
            r->ent[r->nent++] = (uint32_t)e;
        }
    }
    free(buf);
    return given;
}

static size_t
zone_index(struct mdl_rules *rs, const char *name)
{
    for (size_t z = 1; z < rs->nzones; z++)
        if (strcmp(rs->zones[z], name) == 0)
            return z;
    size_t n = rs->nzones + 1;
    rs->zones = ks_xrealloc(rs->zones, n * sizeof *rs->zones);
    rs->zone_model = ks_xrealloc(rs->zone_model, n * sizeof *rs->zone_model);
    rs->zone_model_line = ks_xrealloc(rs->zone_model_line, n * sizeof *rs->zone_model_line);
    rs->zones[rs->nzones] = ks_xstrdup(name);
    rs->zone_model[rs->nzones] = NULL;
    rs->zone_model_line[rs->nzones] = 0;
    return rs->nzones++;
}

/* Column `model`: a zone's own host model (resolved against the catalog by the
 * planner, mdl_rules_zone_models); one per zone; no other rule takes one. */
static void
parse_model(struct mdl_rules *rs, struct mdl_rule *r, const char *model, struct mdl_probs *pb)
{
    if (!model)
        return;
    if (r->type != MDL_RULE_ZONE) {
        mdl_probs_add(pb, r->line, "column 'model': rule '%s': only a zone rule takes a host "
                      "model ('%s')", r->name, model);
        return;
    }
    if (!r->target)
        return; /* no zone: reported already */
    char **zm = &rs->zone_model[r->zone];
    if (*zm && strcmp(*zm, model) != 0)
        mdl_probs_add(pb, r->line, "column 'model': zone '%s': host model '%s', but line %lu "
                      "gives zone %s model '%s'", r->name, model, rs->zone_model_line[r->zone],
                      r->target, *zm);
    else if (!*zm) {
        *zm = ks_xstrdup(model);
        rs->zone_model_line[r->zone] = r->line;
    }
}

/* A pin's target: one plan host, or hosts separated by ';' (a set). A broken target
 * disables the rule, so the conflict checks leave it out. */
static void
parse_pin_target(struct mdl_rule *r, const char *t, struct mdl_probs *pb)
{
    long h = t ? host_index(t) : -1;
    if (!t || !strchr(t, ';')) { /* one host: as before pin sets existed */
        if (h < 0)
            mdl_probs_add(pb, r->line, "pin '%s': target '%s' is not a plan host (host01, "
                          "host02, ...)", r->name, t ? t : "");
        r->disabled |= h < 0;
        r->pin_host = h < 0 ? 0 : (size_t)h;
        r->pin_hosts = ks_xmalloc(sizeof *r->pin_hosts);
        r->pin_hosts[0] = r->pin_host;
        r->npin = h >= 0;
        return;
    }
    char *buf = ks_xstrdup(t), *p = buf, *end;
    size_t cap = 0;
    do { /* strtok would skip empty items silently: split by hand */
        end = strchr(p, ';');
        if (end)
            *end = 0;
        char *item = trim(p);
        h = host_index(item);
        size_t dup = 0;
        while (h >= 0 && dup < r->npin && r->pin_hosts[dup] != (size_t)h)
            dup++;
        if (!*item)
            mdl_probs_add(pb, r->line, "column 'target': pin '%s': an empty item in '%s'",
                          r->name, t);
        else if (h < 0)
            mdl_probs_add(pb, r->line, "column 'target': pin '%s': '%s' in '%s' is not a plan "
                          "host (host01, host02, ...)", r->name, item, t);
        else if (dup < r->npin)
            mdl_probs_add(pb, r->line, "column 'target': pin '%s': host%02ld is listed twice "
                          "in '%s'", r->name, h + 1, t);
        else {
            r->pin_hosts = ks_xgrow(r->pin_hosts, &cap, r->npin + 1, sizeof *r->pin_hosts);
            r->pin_hosts[r->npin++] = (size_t)h;
            continue;
        }
        r->disabled = 1;
    } while (end && (p = end + 1));
    free(buf);
    r->pin_host = r->npin ? r->pin_hosts[0] : 0;
}

static void
parse_target(struct mdl_rules *rs, struct mdl_rule *r, const char *w, struct mdl_probs *pb)
{
    const char *t = r->target;
    if (r->type == MDL_RULE_ZONE) {
        if (!t)
            mdl_probs_add(pb, r->line, "zone '%s': no target (the zone's name)", r->name);
        else
            r->zone = zone_index(rs, t);
    } else if (r->type == MDL_RULE_PIN) {
        parse_pin_target(r, t, pb);
    } else if (t) {
        mdl_probs_add(pb, r->line, "rule '%s': a %s rule takes no target ('%s')", r->name,
                      TYPE_NAMES[r->type], t);
    }
    r->weight = NAN;
    if (w && r->type != MDL_RULE_SOFT)
        mdl_probs_add(pb, r->line, "rule '%s': only soft-affinity takes a weight", r->name);
    else if (w && (ks_parse_double(w, &r->weight) < 0 || r->weight <= 0 ||
                   r->weight > MAX_WEIGHT))
        mdl_probs_add(pb, r->line, "rule '%s': column 'weight': '%s' is not a number in "
                      "(0, %g]", r->name, w, MAX_WEIGHT);
}

static void
parse_row(struct mdl_rules *rs, const struct ks_table *t, size_t row,
          const struct ks_dataset *ds, struct mdl_probs *pb)
{
    struct mdl_rule *r = &rs->r[rs->n++];
    const char *name = ks_table_str(t, row, "rule"), *type = ks_table_str(t, row, "type");
    const char *tg = ks_table_str(t, row, "target");
    memset(r, 0, sizeof *r);
    r->line = t->lines ? t->lines[row] : row + 2;
    r->name = ks_xstrdup(name && *name ? name : "?");
    r->members = ks_xstrdup(ks_table_str(t, row, "members") ? ks_table_str(t, row, "members")
                                                               : "");
    r->target = tg && *tg ? ks_xstrdup(tg) : NULL;
    long ty = type ? type_of(type) : -1;
    if (!name || !*name)
        mdl_probs_add(pb, r->line, "column 'rule': empty (every rule needs a name)");
    for (size_t k = 0; k + 1 < rs->n; k++)
        if (strcmp(rs->r[k].name, r->name) == 0)
            mdl_probs_add(pb, r->line, "rule '%s' is already defined on line %lu", r->name,
                          rs->r[k].line);
    if (ty < 0) {
        mdl_probs_add(pb, r->line, "column 'type': unknown rule type '%s' (anti-affinity, "
                      "affinity, soft-affinity, zone, pin, exclude)", type ? type : "");
        r->type = MDL_RULE_NTYPES;
        r->disabled = 1;
        return;
    }
    r->type = (enum mdl_rule_type)ty;
    size_t given = parse_members(r, r->members, ds, pb);
    const char *w = ks_table_str(t, row, "weight"), *model = ks_table_str(t, row, "model");
    parse_target(rs, r, w && *w ? w : NULL, pb);
    parse_model(rs, r, model && *model ? model : NULL, pb);
    size_t want = r->type <= MDL_RULE_SOFT ? 2 : 1;
    if (given < want)
        mdl_probs_add(pb, r->line, "rule '%s': a %s rule needs at least %zu member%s", r->name,
                      TYPE_NAMES[r->type], want, want > 1 ? "s" : "");
}

void
mdl_rules_free(struct mdl_rules *rs)
{
    if (!rs)
        return;
    for (size_t k = 0; k < rs->n; k++) {
        free(rs->r[k].name);
        free(rs->r[k].members);
        free(rs->r[k].ent);
        free(rs->r[k].target);
        free(rs->r[k].hosts);
        free(rs->r[k].pin_hosts);
        for (size_t m = 0; m < rs->r[k].nent; m++)
            free(rs->r[k].names[m]);
        free(rs->r[k].names);
        free(rs->r[k].absent);
    }
    free(rs->r);
    for (size_t z = 0; z < rs->nzones; z++) {
        free(rs->zones[z]);
        free(rs->zone_model ? rs->zone_model[z] : NULL);
    }
    free(rs->zones);
    free(rs->zone_model);
    free(rs->zone_model_line);
    free(rs->pin_list);
    free(rs->path);
    free(rs->window);
    free(rs);
}

int
mdl_rules_read(const char *path, const struct ks_dataset *ds, struct mdl_rules **out,
               struct ks_err *err)
{
    static const char *const req[] = {"rule", "type", "members", NULL};
    struct ks_table t;
    *out = NULL;
    int rc = ks_table_read(path, req, &t, err);
    if (rc < 0)
        return rc;
    struct mdl_rules *rs = ks_xcalloc(1, sizeof *rs);
    struct mdl_probs pb = {.path = path};
    rs->path = ks_xstrdup(path);
    rs->r = ks_xcalloc(t.nrows ? t.nrows : 1, sizeof *rs->r);
    rs->zones = ks_xmalloc(sizeof *rs->zones);
    rs->zones[0] = ks_xstrdup("");
    rs->zone_model = ks_xcalloc(1, sizeof *rs->zone_model);
    rs->zone_model_line = ks_xcalloc(1, sizeof *rs->zone_model_line);
    rs->nzones = 1;
    for (size_t row = 0; row < t.nrows; row++)
        parse_row(rs, &t, row, ds, &pb);
    ks_table_fini(&t);
    mdl_rules_pin_masks(rs, &pb);
    /* Conflicts too, so one run lists everything (broken rules are left out of it). */
    mdl_rules_conflicts(rs, ks_dataset_nent(ds), ds, &pb);
    for (size_t k = 0; k < rs->n; k++)
        rs->r[k].disabled = 0;
    rc = mdl_probs_fail(&pb, "file", err);
    if (rc < 0)
        mdl_rules_free(rs);
    else
        *out = rs;
    return rc;
}

/* ---- Structure shared by the checks and the packing --------------------------------- */

void
mdl_rules_pin_masks(struct mdl_rules *rs, struct mdl_probs *pb)
{
    size_t cap = 0;
    rs->npin_list = 0;
    rs->pin_sets = 0;
    for (size_t k = 0; k < rs->n; k++) {
        struct mdl_rule *r = &rs->r[k];
        if (r->type != MDL_RULE_PIN || r->disabled)
            continue;
        rs->pin_sets |= r->npin > 1;
        r->pin_mask = 0;
        for (size_t i = 0; i < r->npin; i++) {
            size_t b = 0;
            while (b < rs->npin_list && rs->pin_list[b] != r->pin_hosts[i])
                b++;
            if (b == rs->npin_list) {
                rs->pin_list = ks_xgrow(rs->pin_list, &cap, b + 1, sizeof *rs->pin_list);
                rs->pin_list[rs->npin_list++] = r->pin_hosts[i];
            }
            /* Bits past 64 matter only with pin sets, refused below. */
            r->pin_mask |= b < 64 ? (uint64_t)1 << b : 0;
        }
    }
    if (rs->pin_sets && rs->npin_list > 64 && pb)
        mdl_probs_add(pb, rs->r[rs->n - 1].line, "column 'target': the pin rules name %zu "
                      "distinct hosts; with a pin set (host01;host02) at most 64 are supported",
                      rs->npin_list);
}

size_t *
mdl_rules_entity_zones(const struct mdl_rules *rs, size_t nent)
{
    size_t *z = ks_xcalloc(nent ? nent : 1, sizeof *z);
    for (size_t k = 0; k < rs->n; k++)
        if (rs->r[k].type == MDL_RULE_ZONE && !rs->r[k].disabled)
            for (size_t m = 0; m < rs->r[k].nent; m++)
                z[rs->r[k].ent[m]] = rs->r[k].zone;
    return z;
}

static uint32_t
uf_find(uint32_t *up, uint32_t x)
{
    while (up[x] != x)
        x = up[x] = up[up[x]];
    return x;
}

static void
uf_join(uint32_t *up, uint32_t a, uint32_t b)
{
    a = uf_find(up, a);
    b = uf_find(up, b);
    if (a != b)
        up[a > b ? a : b] = a < b ? a : b;
}

int
mdl_rule_pin1(const struct mdl_rule *r)
{
    return r->type == MDL_RULE_PIN && r->npin <= 1;
}

int
mdl_rule_pinset(const struct mdl_rule *r)
{
    return r->type == MDL_RULE_PIN && r->npin > 1;
}

/* Augmenting path from set b (Kuhn): a free host of b, or one whose owner moves on. */
static int
augment(const uint64_t *mask, size_t b, int *owner, uint64_t *seen)
{
    for (int h = 0; h < 64; h++) {
        uint64_t bit = (uint64_t)1 << h;
        if (!(mask[b] & bit) || (*seen & bit))
            continue;
        *seen |= bit;
        if (owner[h] < 0 || augment(mask, (size_t)owner[h], owner, seen)) {
            owner[h] = (int)b;
            return 1;
        }
    }
    return 0;
}

int
mdl_rules_pin_match(const uint64_t *mask, size_t nb, int *owner)
{
    for (int h = 0; h < 64; h++)
        owner[h] = -1;
    if (nb > 64)
        return 0;
    for (size_t b = 0; b < nb; b++) {
        uint64_t seen = 0;
        if (!augment(mask, b, owner, &seen))
            return 0;
    }
    return 1;
}

uint32_t *
mdl_rules_together(const struct mdl_rules *rs, size_t nent)
{
    uint32_t *up = ks_xmalloc((nent ? nent : 1) * sizeof *up);
    for (size_t e = 0; e < nent; e++)
        up[e] = (uint32_t)e;
    for (size_t k = 0; k < rs->n; k++) {
        const struct mdl_rule *r = &rs->r[k];
        /* A pin set's members may take different hosts of the set: not joined. */
        if (r->disabled || (r->type != MDL_RULE_AFFINITY && !mdl_rule_pin1(r)))
            continue;
        for (size_t m = 1; m < r->nent; m++)
            uf_join(up, r->ent[0], r->ent[m]);
        /* Entities pinned to one host share it: join them across pin rules too. */
        for (size_t j = 0; r->type == MDL_RULE_PIN && j < k; j++)
            if (!rs->r[j].disabled && mdl_rule_pin1(&rs->r[j]) &&
                rs->r[j].pin_host == r->pin_host && r->nent && rs->r[j].nent)
                uf_join(up, r->ent[0], rs->r[j].ent[0]);
    }
    for (size_t e = 0; e < nent; e++)
        up[e] = uf_find(up, (uint32_t)e);
    return up;
}

long *
mdl_rules_entity_pins(const struct mdl_rules *rs, size_t nent)
{
    long *pin = ks_xmalloc((nent ? nent : 1) * sizeof *pin);
    for (size_t e = 0; e < nent; e++)
        pin[e] = -1;
    for (size_t k = 0; k < rs->n; k++)
        if (mdl_rule_pin1(&rs->r[k]) && !rs->r[k].disabled)
            for (size_t m = 0; m < rs->r[k].nent; m++)
                pin[rs->r[k].ent[m]] = (long)rs->r[k].pin_host;
    return pin;
}
