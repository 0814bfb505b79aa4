/*
 * Fit arithmetic. A share of one model, with no headroom and no hypervisor overhead:
 * the planner applies policy; this screen only answers "how big is this host's
 * demand next to that model", live.
 */
#include "tui/tui_fit.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_table.h"
#include "model/mdl_cpu.h"
#include "model/mdl_policy.h"
#include "tui/tui_model.h"

static const char *const required_cols[] = {"model",    "sockets", "cores_per_socket",
                                            "core_MHz", "mem_GiB", NULL};

/* Read the numeric columns of row r into hm; the message names path, line, column. */
static int
read_model_row(const struct ks_table *t, const char *path, size_t r, struct tui_host_model *hm,
               struct ks_err *err)
{
    struct {
        const char *col;
        double *dst;
        int optional;
    } f[] = {
        {"sockets", &hm->sockets, 0},
        {"cores_per_socket", &hm->cores_per_socket, 0},
        {"core_MHz", &hm->core_MHz, 0},
        {"mem_GiB", &hm->mem_GiB, 0},
        {"threads_per_core", &hm->threads_per_core, 1},
        {"perf_per_core", &hm->perf_per_core, 1},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        *f[i].dst = ks_nan();
        if (f[i].optional && ks_table_col(t, f[i].col) < 0)
            continue;
        int rc = ks_table_check_num(t, path, r, f[i].col, f[i].optional, f[i].dst, err);
        if (rc < 0)
            return rc;
        if (!f[i].optional && !(*f[i].dst > 0))
            return ks_errf(err, -EINVAL, "%s:%lu: column %s: must be above 0", path,
                           t->lines ? t->lines[r] : 0UL, f[i].col);
    }
    if (ks_isnan(hm->perf_per_core))
        hm->perf_per_core = 1.0;
    struct mdl_policy pol;
    mdl_policy_defaults(&pol);
    hm->smt_yield = pol.smt_yield;
    mdl_policy_fini(&pol);
    hm->cap_MHz = hm->sockets * hm->cores_per_socket * hm->core_MHz * hm->perf_per_core *
                  (hm->threads_per_core >= 2 ? 1 + hm->smt_yield : 1);
    hm->cap_MiB = hm->mem_GiB * 1024.0;
    return 0;
}

int
tui_catalog_find(const char *path, const char *name, struct tui_host_model *out, struct ks_err *err)
{
    struct ks_table t;
    int rc = ks_table_read(path, required_cols, &t, err);
    if (rc < 0)
        return rc;
    size_t r = 0;
    for (; r < t.nrows; r++) {
        const char *m = ks_table_str(&t, r, "model");
        if (m && strcmp(m, name) == 0)
            break;
    }
    if (r == t.nrows) {
        rc = ks_errf(err, -ENOENT, "%s: no host model '%s' in the catalog (column model)", path,
                     name);
    } else {
        memset(out, 0, sizeof *out);
        tui_strlcpy(out->name, name, sizeof out->name);
        rc = read_model_row(&t, path, r, out, err);
    }
    ks_table_fini(&t);
    return rc;
}

void
tui_fit_rate_source(struct tui_host_model *hm, const char *cpu_model, double cores,
                    double threads, double core_MHz)
{
    struct mdl_policy pol;
    mdl_policy_defaults(&pol);
    struct mdl_cpu_table t;
    const struct mdl_cpu_row *row = NULL;
    if (mdl_cpu_table_builtin(&t, NULL) == 0)
        row = mdl_cpu_lookup(&t, cpu_model);
    hm->src_perf = row ? row->perf : pol.cpu_perf_assumed;
    tui_strlcpy(hm->src_rated_as, row ? row->cpu : "", sizeof hm->src_rated_as);
    hm->src_cores = cores;
    hm->src_threads = threads;
    hm->src_MHz = core_MHz;
    mdl_cpu_table_fini(&t);
    mdl_policy_fini(&pol);
}

/* p95 and maximum of the known values of v, as a share of cap; n known returned. */
static size_t
share_stats(const double *v, size_t n, double cap, double *p95_pct, double *peak_pct)
{
    double *tmp = ks_xmalloc((n ? n : 1) * sizeof *tmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!ks_isnan(v[i]))
            tmp[k++] = v[i];
    *p95_pct = 100.0 * ks_percentile(tmp, k, 95) / cap;
    *peak_pct = 100.0 * ks_percentile(tmp, k, 100) / cap;
    free(tmp);
    return k;
}

void
tui_fit_compute(const struct tui_host_model *hm, const double *cpu_MHz, const double *mem_MiB,
                size_t n, struct tui_fit_result *out)
{
    double *ref = ks_xmalloc((n ? n : 1) * sizeof *ref);
    for (size_t i = 0; i < n; i++)
        ref[i] = hm->src_perf > 0 ? mdl_cpu_ref_MHz(cpu_MHz[i], hm->src_cores, hm->src_threads,
                                                    hm->src_MHz, hm->src_perf, hm->smt_yield)
                                  : cpu_MHz[i];
    out->n_cpu = share_stats(ref, n, hm->cap_MHz, &out->cpu_p95_pct, &out->cpu_peak_pct);
    free(ref);
    out->n_mem = share_stats(mem_MiB, n, hm->cap_MiB, &out->mem_p95_pct, &out->mem_peak_pct);
    double worst = ks_nan();
    if (out->n_cpu)
        worst = out->cpu_peak_pct;
    if (out->n_mem && (ks_isnan(worst) || out->mem_peak_pct > worst))
        worst = out->mem_peak_pct;
    if (ks_isnan(worst))
        out->copies_at_peak = -1;
    else if (worst <= 0)
        out->copies_at_peak = -1; /* no demand at all: "any number" is not useful */
    else
        out->copies_at_peak = (long)floor(100.0 / worst + 1e-9);
}
