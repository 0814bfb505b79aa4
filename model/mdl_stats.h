/*
 * mdl_stats: one evaluated packing of the sources on one host model (internal to
 * model/): placement, spares checked by failing hosts, per-host utilization from the
 * sources' own series (double sums), ports.
 */
#ifndef MDL_STATS_H
#define MDL_STATS_H

#include "model/mdl_plan.h"

struct mdl_eval {
    uint32_t *assign;        /* n sources: host index */
    size_t nominal, nbins;   /* hosts carrying VMs; all hosts with the spares after them */
    struct mdl_host *hosts;  /* nbins */
    struct mdl_vbp_result res;
    int ha_ok, ha_exhaustive;
    size_t ha_sets;
    size_t switch_ports;
    int max_ports;
    size_t choice;           /* index in the plan's choices */
    double pack_cap[2], usable[2];
    uint32_t *host_zone;     /* nbins: zone of each host (placement rules), else NULL */
};

void mdl_eval_init(struct mdl_eval *e);
void mdl_eval_fini(struct mdl_eval *e);
int mdl_eval_pack(struct mdl_eval *e, const struct mdl_vbp *p, const struct mdl_vbp_opts *o,
                  struct ks_err *err);
/* Spares for ha failures: ha of them, more while failing hosts does not re-place. */
void mdl_eval_ha(struct mdl_eval *e, const struct mdl_vbp *p, int ha, uint64_t seed);
void mdl_eval_stats(struct mdl_eval *e, const struct mdl_demand *d, const double usable[2],
                    double raw_cpu_MHz);
void mdl_eval_ports(struct mdl_eval *e, const struct mdl_ports *t, double link_Gbps,
                    double headroom_pct);
/* Every host, every step, from the demand doubles: summed CPU and memory within pack
 * capacity (allowing allow_over steps per resource). 0, or -EFAULT naming the host. */
int mdl_eval_verify(const struct mdl_eval *e, const struct mdl_demand *d, const double pack[2],
                    size_t allow_over, struct ks_err *err);

/* ks_percentile's value (p-th percentile, linear interpolation) of x[0..n), n >= 1,
 * without sorting: selection in scratch (n doubles), x untouched. Series with NaN go
 * through ks_percentile itself. */
double mdl_series_percentile(const double *x, size_t n, double p, double *scratch);
/* The (a+1)-th largest of x[0..n) (a < n), what x sorted ascending holds at n-1-a;
 * scratch: n doubles. NaN-free x. */
double mdl_series_nth_largest(const double *x, size_t n, size_t a, double *scratch);

#endif
