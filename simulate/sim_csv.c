/* sim_csv: results CSV writer (see sim_csv.h). */
#include "simulate/sim_csv.h"

#include <stdlib.h>
#include <string.h>

#include "core/ks_csv.h"

const char *
sim_wl_mode(const struct sim_config *c, size_t wl)
{
    int vm = c->wl[wl].vm;
    return sim_mode_names[vm >= 0 ? c->vm[vm].mode : SIM_NATIVE];
}

int
sim_keeps_up(const struct sim_wl_sum *s)
{
    if (ks_isnan(s->offered_per_s))
        return -1;
    /* Completions keep pace with the arrivals of the same window (within 2%, plus a
     * few I/Os per replication still in flight at the end). Comparing with the
     * offered rate instead would call a 24/s workload overloaded whenever its
     * Poisson stream happened to be sparse. */
    return s->dropped == 0 &&
           (double)s->completed + 10.0 * s->nrep >= 0.98 * (double)s->arrived;
}

void
sim_vm_cpu(const struct sim_config *c, const struct sim_result *r, size_t vm,
           struct sim_vm_cpu *out)
{
    double ready = 0, run = 0, demand = 0, window = 0;
    memset(out, 0, sizeof *out);
    for (size_t k = 0; k < r->nrep && r->rep[k].vm; k++) {
        const struct sim_vm_rep *v = &r->rep[k].vm[vm];
        ready += v->ready_ns;
        run += v->run_ns;
        demand += v->demand_ns;
        out->dropped += v->dropped;
        window += (double)r->rep[k].end_ns - c->warmup_s * 1e9;
    }
    out->demand_cores = window > 0 ? demand / window : 0;
    out->busy_cores = window > 0 ? run / window : 0;
    out->ready_pct = ready + run > 0 ? 100 * ready / (ready + run) : ks_nan();
    /* Work in flight at the window's edges: up to ten mean bursts per vCPU and
     * replication may be counted on one side only. */
    double slack = 10.0 * c->vm[vm].vcpus * c->vm[vm].cpu_burst.mean_ns * (double)r->nrep;
    out->keeps_up = out->dropped == 0 && run + slack >= 0.98 * demand;
}

int
sim_wl_keeps_up(const struct sim_config *c, const struct sim_result *r, size_t i)
{
    int up = sim_keeps_up(&r->sum[i]);
    if (c->wl[i].vm >= 0 && c->vm[c->wl[i].vm].cpu_busy_cores > 0) {
        struct sim_vm_cpu v;
        sim_vm_cpu(c, r, (size_t)c->wl[i].vm, &v);
        if (!v.keeps_up)
            return 0;
    }
    return up;
}

/* The header, after an optional leading column name. Numbers are written exactly
 * (shortest text that reads back the same double), NaN as an empty field, so the report
 * module can read the file back without loss. */
static void
put_header(FILE *f, const char *col)
{
    if (col) {
        ks_csv_put(f, col, 1);
        fputc(',', f);
    }
    fputs("workload,mode,replications,completed,throughput_per_s,throughput_ci95_per_s,"
          "offered_per_s,lat_mean_us,lat_mean_ci95_us,lat_p50_us,lat_p90_us,lat_p99_us,"
          "lat_p999_us,iotlb_hit_pct,exits_per_op,host_cycles_per_op",
          f);
    for (int m = 0; m < SIM_NCOMP; m++)
        fprintf(f, ",cycles_%s_per_op", sim_comp_names[m]);
    fputs(",device_util_pct,dropped,vcpu_ready_pct,keeps_up,lat_p50_ci95_us,lat_p99_ci95_us,"
          "low_samples\n",
          f);
}

/* A text cell through ks_csv_cell_enc: workload names come from the configuration or,
 * with --plan, from the estate's VM names, and RESULTS.csv is opened in spreadsheets
 * (a name "=HYPERLINK(...)" must stay text). The report reads it back decoded. */
static void
put_text(FILE *f, const char *s, int first)
{
    char *owned;
    ks_csv_put(f, ks_csv_cell_enc(s, &owned), first);
    free(owned);
}

/* With a leading column (col, val not NULL) every row starts with val, the header with
 * col: `kasane sim --storage` tags its p95 and peak result sets with a load column. */
void
sim_csv_write_tagged(FILE *f, const char *col, const char *val, int header,
                     const struct sim_config *c, const struct sim_result *r)
{
    if (header)
        put_header(f, col);
    for (size_t i = 0; i < r->nwl; i++) {
        const struct sim_wl_sum *s = &r->sum[i];
        if (col)
            put_text(f, val, 1);
        put_text(f, c->wl[i].name, !col);
        ks_csv_put(f, sim_wl_mode(c, i), 0);
        ks_csv_put_num(f, (double)r->nrep, 0);
        ks_csv_put_num(f, (double)s->completed, 0);
        double v[] = {s->thr_per_s, s->thr_ci95, s->offered_per_s, s->lat_mean_ns / 1e3,
                      s->lat_ci95_ns / 1e3, s->lat_pct_ns[0] / 1e3, s->lat_pct_ns[1] / 1e3,
                      s->lat_pct_ns[2] / 1e3, s->lat_pct_ns[3] / 1e3, s->iotlb_hit_pct,
                      s->exits_per_op, s->cycles_per_op};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            ks_csv_put_num(f, v[k], 0);
        for (int m = 0; m < SIM_NCOMP; m++)
            ks_csv_put_num(f, s->comp_per_op[m], 0);
        ks_csv_put_num(f, 100 * s->dev_util, 0);
        ks_csv_put_num(f, (double)s->dropped, 0);
        struct sim_vm_cpu cpu = {.ready_pct = ks_nan()};
        if (c->wl[i].vm >= 0)
            sim_vm_cpu(c, r, (size_t)c->wl[i].vm, &cpu);
        ks_csv_put_num(f, cpu.ready_pct, 0);
        int up = sim_wl_keeps_up(c, r, i);
        ks_csv_put(f, up < 0 ? "" : up ? "yes" : "no", 0);
        ks_csv_put_num(f, s->lat_pct_ci95_ns[0] / 1e3, 0);
        ks_csv_put_num(f, s->lat_pct_ci95_ns[2] / 1e3, 0);
        ks_csv_put(f, s->completed == 0 ? "" : s->low_samples ? "yes" : "no", 0);
        fputc('\n', f);
    }
}

void
sim_csv_write(FILE *f, const struct sim_config *c, const struct sim_result *r)
{
    sim_csv_write_tagged(f, NULL, NULL, 1, c, r);
}
