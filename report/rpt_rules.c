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
    return ks_table_read(path, req, t, err);
}

/* Host (hosts.csv row, -1 physical, -2 unknown entity) of each member of a rule. */
static size_t
member_hosts(const struct rpt_ctx *c, const char *members, long *host, size_t max)
{
    char *buf = ks_xstrdup(members ? members : ""), *save = NULL;
    size_t n = 0;
    for (char *tok = strtok_r(buf, ";", &save); tok && n < max; tok = strtok_r(NULL, ";", &save)) {
        long e = ks_dataset_find(c->ds, tok);
        host[n++] = e < 0 ? -2 : c->ent_host[e];
    }
    free(buf);
    return n;
}

/* The report's own verdict on a hard rule, from placement.csv: yes, no, or "-" for
 * rules it does not judge (zones and soft affinity: see the planner's notes). */
static const char *
verdict(const struct rpt_ctx *c, const char *type, const char *members, const char *target)
{
    long h[512];
    size_t n = member_hosts(c, members, h, 512);
    int ok = n > 0;
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
                  strcmp(ks_table_get(&c->plan.hosts, (size_t)h[i], 0), target) == 0;
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
        for (size_t r = 0; r < t->nrows; r++)
            ks_table_set(t, r, col, verdict(c, ks_table_str(t, r, "type"),
                                            ks_table_str(t, r, "members"),
                                            ks_table_str(t, r, "target")));
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
                        "rules cost {rules_cost_hosts:0} host(s). {excluded_entities:0} "
                        "entities stay physical.</p>\n");
    fputs("<p>Each rule's cost is the plan made again without that rule alone, on the same "
          "host model (<code>hosts - hosts_without</code>). Hard rules are kept by "
          "construction; a soft-affinity rule that is not honoured says how much of its "
          "traffic crosses hosts.</p>\n", f);
    rpt_html_table(f, t, "rules", 0);
    if (z && z->nrows) {
        fputs("<p>Zones are packed on hosts of their own, each with its own HA spares, "
              "lower bound and switch ports:</p>\n", f);
        rpt_html_table(f, z, "zones", 0);
    }
}
