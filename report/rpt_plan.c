/*
 * Reading a plan directory and binding it to its dataset (rpt_plan.h). The binding is
 * the report's guard against the most likely operator error: pointing it at the plan of
 * another estate, which would otherwise produce a plausible-looking, wrong report.
 */
#include "report/rpt_plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ks_manifest.h"

/* ks_table_read already names the file and line on errors; optional files that are
 * absent become empty tables (ncols == 0) the sections report as missing. */
static int
read_file(const char *dir, const char *name, const char *const *req, int optional,
          struct ks_table *t, struct ks_err *err)
{
    char *path = ks_path_join(dir, name);
    struct stat st;
    int rc = 0;
    if (optional && stat(path, &st) != 0)
        ks_table_init(t, NULL, 0); /* absent: an empty table the sections show as such */
    else
        rc = ks_table_read_sheet(path, req, t, err);
    free(path);
    return rc;
}

/* Only placement, hosts and summary are required: a plan from an older planner without
 * licences or ports still reports, with a note in those sections. */
int
rpt_plan_read(const char *dir, struct rpt_plan *p, struct ks_err *err)
{
    static const char *const place_req[] = {"entity", "host", "host_model", NULL};
    static const char *const hosts_req[] = {"host", "host_model", "cpu_capacity_MHz",
                                            "mem_capacity_MiB", NULL};
    static const char *const kv_req[] = {"key", "value", NULL};
    struct stat st;
    memset(p, 0, sizeof *p);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return ks_errf(err, -ENOENT, "%s: no such plan directory", dir);
    int rc = ks_manifest_check(dir, err); /* never a mix of two plans, nor an edited one */
    if (rc < 0)
        return rc;
    struct {
        const char *name;
        const char *const *req;
        int optional;
        struct ks_table *t;
    } files[] = {
        {"placement.csv", place_req, 0, &p->placement}, {"hosts.csv", hosts_req, 0, &p->hosts},
        {"summary.csv", kv_req, 0, &p->summary},        {"models.csv", NULL, 1, &p->models},
        {"licences.csv", NULL, 1, &p->licences},        {"ports.csv", NULL, 1, &p->ports},
        {"policy.csv", kv_req, 1, &p->policy},          {"cpu_ratings.csv", NULL, 1, &p->cpu_ratings},
    };
    size_t n = sizeof files / sizeof *files;
    for (size_t i = 0; i < n; i++) {
        if (read_file(dir, files[i].name, files[i].req, files[i].optional, files[i].t, err) < 0) {
            for (size_t j = 0; j < i; j++)
                ks_table_fini(files[j].t);
            return -EINVAL;
        }
    }
    p->dir = ks_xstrdup(dir);
    return 0;
}

void
rpt_plan_fini(struct rpt_plan *p)
{
    if (!p->dir)
        return;
    struct ks_table *t[] = {&p->placement, &p->hosts,  &p->summary, &p->models,
                            &p->licences,  &p->ports, &p->policy, &p->cpu_ratings};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        ks_table_fini(t[i]);
    free(p->dir);
    memset(p, 0, sizeof *p);
}

/* Host row of every host name in hosts.csv. */
static int
index_hosts(const struct rpt_plan *p, struct ks_map *hix, struct ks_err *err)
{
    int c = ks_table_col(&p->hosts, "host");
    for (size_t r = 0; r < p->hosts.nrows; r++) {
        const char *h = ks_table_get(&p->hosts, r, c);
        uint32_t dummy;
        if (!h || ks_map_get(hix, h, &dummy))
            return ks_errf(err, -EINVAL, "%s/hosts.csv:%lu: column 'host': %s", p->dir,
                           p->hosts.lines[r], h ? "host appears twice" : "empty");
        ks_map_put(hix, h, (uint32_t)r);
    }
    return 0;
}

/* One placement row: entity known, placed once, host known. */
static int
bind_row(const struct rpt_plan *p, const struct ks_dataset *ds, const char *ds_dir,
         const struct ks_map *hix, size_t r, long *ent_host, struct ks_err *err)
{
    const struct ks_table *t = &p->placement;
    const char *e = ks_table_str(t, r, "entity"), *h = ks_table_str(t, r, "host");
    unsigned long line = t->lines[r];
    long i = e ? ks_dataset_find(ds, e) : -1;
    uint32_t hr;
    if (i < 0)
        return ks_errf(err, -EINVAL,
                       "%s/placement.csv:%lu: column 'entity': '%s' is not in dataset %s: the "
                       "plan was made from another dataset (re-run kasane plan on %s)",
                       p->dir, line, e ? e : "", ds_dir, ds_dir);
    if (ent_host[i] != -2)
        return ks_errf(err, -EINVAL, "%s/placement.csv:%lu: column 'entity': '%s' is placed twice",
                       p->dir, line, e);
    if (!h || strcmp(h, "-") == 0) {
        ent_host[i] = -1;
        return 0;
    }
    if (!ks_map_get(hix, h, &hr))
        return ks_errf(err, -EINVAL, "%s/placement.csv:%lu: column 'host': '%s' is not in hosts.csv",
                       p->dir, line, h);
    ent_host[i] = (long)hr;
    return 0;
}

/* The check runs both ways: plan -> dataset (unknown or twice) row by row, then
 * dataset -> plan (unplaced). The first problem wins; one clear message beats a list. */
int
rpt_plan_bind(const struct rpt_plan *p, const struct ks_dataset *ds, const char *ds_dir,
              long *ent_host, struct ks_err *err)
{
    struct ks_map hix;
    size_t nent = ks_dataset_nent(ds);
    int rc;
    ks_map_init(&hix);
    rc = index_hosts(p, &hix, err);
    for (size_t i = 0; i < nent; i++)
        ent_host[i] = -2; /* -2: not placed yet */
    for (size_t r = 0; rc == 0 && r < p->placement.nrows; r++)
        rc = bind_row(p, ds, ds_dir, &hix, r, ent_host, err);
    for (size_t i = 0; rc == 0 && i < nent; i++)
        if (ent_host[i] == -2)
            rc = ks_errf(err, -EINVAL,
                         "%s/placement.csv: entity '%s' of dataset %s is not placed: the plan "
                         "was made from another dataset (re-run kasane plan on %s)",
                         p->dir, ks_dataset_entity(ds, i), ds_dir, ds_dir);
    ks_map_fini(&hix);
    return rc;
}
