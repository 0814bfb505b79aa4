/* The "Placement rules" section (see rpt_rules.h). */
#include "report/rpt_rules.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/rpt_html.h"
#include "report/rpt_sections.h"
#include "report/rpt_util.h"

/* Read PLAN/NAME into t when it exists; 0 (t.ncols 0 when absent) or an error. */
static int
read_optional(const struct rpt_ctx *c, const char *name, const char *const *req,
              struct ks_table *t, struct ks_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", c->plan.dir, name);
    memset(t, 0, sizeof *t);
    if (access(path, F_OK) != 0)
        return 0;
    return ks_table_read_sheet(path, req, t, err);
}

long
rpt_host_index(const struct rpt_ctx *c, const char *name)
{
    for (size_t r = 0; r < c->plan.hosts.nrows; r++)
        if (strcmp(ks_table_get(&c->plan.hosts, r, 0), name) == 0)
            return (long)r;
    return -2;
}

size_t
rpt_rule_hosts(const struct rpt_ctx *c, const char *members, long *host, size_t max)
{
    char *buf = ks_xstrdup(members ? members : ""), *save = NULL;
    size_t n = 0;
    for (char *tok = strtok_r(buf, ";", &save); tok && n < max; tok = strtok_r(NULL, ";", &save)) {
        long e = ks_dataset_find(c->ds, tok);
        host[n++] = e < 0 ? rpt_host_index(c, tok) : c->ent_host[e];
    }
    free(buf);
    return n;
}

/* Zone of every dataset entity from the zone rows of rules.csv (NULL: no zone). */
static const char **
entity_zones(const struct rpt_ctx *c, const struct ks_table *t)
{
    size_t n = ks_dataset_nent(c->ds);
    const char **z = ks_xcalloc(n ? n : 1, sizeof *z);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *ty = ks_table_str(t, r, "type"), *m = ks_table_str(t, r, "members");
        if (!ty || strcmp(ty, "zone") != 0 || !m)
            continue;
        char *buf = ks_xstrdup(m), *save = NULL;
        for (char *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
            long e = ks_dataset_find(c->ds, tok);
            if (e >= 0)
                z[e] = ks_table_str(t, r, "target");
        }
        free(buf);
    }
    return z;
}

/* A zone holds when every host carrying one of its members carries only its members. */
static int
zone_holds(const struct rpt_ctx *c, const char **zone, const char *name, const long *h,
           size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (h[i] < 0)
            return 0;
        for (size_t e = 0; e < ks_dataset_nent(c->ds); e++)
            if (c->ent_host[e] == h[i] && (!zone[e] || strcmp(zone[e], name) != 0))
                return 0;
    }
    return 1;
}

/* Is host one of the ';'-separated hosts of a pin's target (one host, or a set)? */
static int
in_target(const char *host, const char *target)
{
    size_t n = strlen(host);
    for (const char *p = target; (p = strstr(p, host)) != NULL; p += n)
        if ((p == target || p[-1] == ';') && (p[n] == 0 || p[n] == ';'))
            return 1;
    return 0;
}

/* The report's own verdict on a hard rule, from placement.csv: yes, no, or "-" for
 * soft affinity (a preference: see the planner's notes). */
static const char *
verdict(const struct rpt_ctx *c, const char **zone, const char *type, const char *members,
        const char *target)
{
    long h[512];
    size_t n = rpt_rule_hosts(c, members, h, 512);
    int ok = n > 0;
    if (strcmp(type, "zone") == 0)
        return target && zone_holds(c, zone, target, h, n) ? "yes" : "no";
    for (size_t i = 0; i < n; i++) {
        ok &= h[i] >= -1;
        if (strcmp(type, "anti-affinity") == 0)
            for (size_t j = 0; j < i; j++)
                ok &= h[i] < 0 || h[i] != h[j];
        else if (strcmp(type, "affinity") == 0)
            ok &= h[i] >= 0 && h[i] == h[0];
        else if (strcmp(type, "exclude") == 0)
            ok &= h[i] == -1;
        else if (strcmp(type, "pin") == 0)
            ok &= h[i] >= 0 && target &&
                  in_target(ks_table_get(&c->plan.hosts, (size_t)h[i], 0), target);
        else
            return "-";
    }
    return ok ? "yes" : "no";
}

int
rpt_rules_build(struct rpt_ctx *c, struct ks_err *err)
{
    static const char *const req[] = {"rule", "type", "members", "honoured", NULL};
    struct ks_table rules, zones;
    int rc = read_optional(c, "rules.csv", req, &rules, err);
    if (rc == 0)
        rc = read_optional(c, "zones.csv", NULL, &zones, err);
    else
        memset(&zones, 0, sizeof zones);
    if (rc == 0 && rules.ncols) {
        struct ks_table *t = rpt_copy_table(c, "rules", &rules);
        int col = ks_table_add_col(t, "checked_by_report");
        const char **zone = entity_zones(c, t);
        for (size_t r = 0; r < t->nrows; r++)
            ks_table_set(t, r, col, verdict(c, zone, ks_table_str(t, r, "type"),
                                            ks_table_str(t, r, "members"),
                                            ks_table_str(t, r, "target")));
        free(zone);
    }
    if (rc == 0 && zones.ncols)
        rpt_copy_table(c, "zones", &zones);
    ks_table_fini(&rules);
    ks_table_fini(&zones);
    return rc;
}

static size_t
count_col(const struct ks_table *t, const char *col, const char *val)
{
    size_t n = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *v = ks_table_str(t, r, col);
        n += v && strcmp(v, val) == 0;
    }
    return n;
}

void
rpt_rules_html(const struct rpt_ctx *c, FILE *f)
{
    const struct ks_table *t = rpt_ctx_find(c, "rules"), *z = rpt_ctx_find(c, "zones");
    if (!t) {
        rpt_html_note(f, "This plan was planned without placement rules (no rules.csv; "
                         "kasane plan --rules FILE, docs/rules.md).");
        return;
    }
    fprintf(f, "<p>%zu placement rules; the planner reports %zu honoured, and this report's "
               "own check of the hard rules against placement.csv finds %zu broken. ",
            t->nrows, count_col(t, "honoured", "yes"), count_col(t, "checked_by_report", "no"));
    rpt_html_fill(f, c, "Without any rule the plan needs {hosts_without_rules:0} hosts: the "
                        "rules cost {rules_cost_hosts:0} host(s). {excluded_entities:0} ");
    fputs(rpt_sum_num(c, "excluded_entities") == 1 ? "entity stays physical.</p>\n"
                                                  : "entities stay physical.</p>\n",
          f);
    fputs("<p>Each rule's cost is the plan made again without that rule alone, on the same "
          "host model (<code>hosts - hosts_without</code>). Hard rules are kept by "
          "construction; a soft-affinity rule that is not honoured says how much of its "
          "traffic crosses hosts.</p>\n", f);
    rpt_html_table(f, t, "rules", 0);
    if (z && z->nrows) {
        fputs("<p>Zones are packed on hosts of their own, each with its own HA spares, "
              "lower bound and switch ports, on the host model in the last column (a zone "
              "the rules give a model of its own keeps it whatever model the plan "
              "chose):</p>\n", f);
        rpt_html_table(f, z, "zones", 0);
    }
}
