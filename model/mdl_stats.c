/* Evaluating one packing: spares, utilization, ports, exact verification. */
#include "model/mdl_stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Failure sets enumerated exhaustively up to this many, sampled beyond. */
#define HA_MAX_SETS 2000

void
mdl_eval_init(struct mdl_eval *e)
{
    memset(e, 0, sizeof *e);
}

void
mdl_eval_fini(struct mdl_eval *e)
{
    free(e->assign);
    free(e->hosts);
    free(e->host_zone);
    memset(e, 0, sizeof *e);
}

/* The engine's packing of the sources; the nominal hosts are the bins it used. */
int
mdl_eval_pack(struct mdl_eval *e, const struct mdl_vbp *p, const struct mdl_vbp_opts *o,
              struct ks_err *err)
{
    e->assign = ks_xmalloc((p->n ? p->n : 1) * sizeof *e->assign);
    int rc = mdl_vbp_solve(p, o, e->assign, &e->res, NULL, err);
    e->nominal = e->nbins = rc == 0 ? e->res.nbins : 0;
    return rc;
}

void
mdl_eval_ha(struct mdl_eval *e, const struct mdl_vbp *p, int ha, uint64_t seed)
{
    size_t spares = (size_t)(ha > 0 ? ha : 0), bad = 0;
    for (;;) {
        e->nbins = e->nominal + spares;
        e->ha_ok = mdl_ha_check(p, e->assign, e->nbins, ha, seed, HA_MAX_SETS, &e->ha_sets,
                                &e->ha_exhaustive, &bad);
        /* More spares than hosts cannot be needed with identical hosts: give up there. */
        if (e->ha_ok || spares >= e->nominal + (size_t)ha)
            break;
        spares++;
    }
}

/* ---- Order statistics of one series without sorting it ------------------------------ */

/* Rearrange v[0..n) so that v[k] holds the value a sort would put there, everything
 * before it is <= and everything after it >= (quickselect, median of three; NaN-free
 * input). Expected O(n), where qsort is O(n log n): at 10,000 sources x 4,032 steps the
 * sorts of peak sizing were half of the planning time after the read. */
static void
select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        double a = v[lo], b = v[mid], c = v[hi];
        double piv = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = lo, j = hi;
        while (i <= j) { /* Hoare partition around the pivot value */
            while (v[i] < piv)
                i++;
            while (v[j] > piv)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i++] = v[j];
                v[j] = t;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return; /* v[j+1 .. i-1] all equal the pivot, k among them */
    }
}

double
mdl_series_percentile(const double *x, size_t n, double p, double *scratch)
{
    size_t known = 0;
    for (size_t t = 0; t < n; t++)
        if (!isnan(x[t]))
            scratch[known++] = x[t];
    if (known < n || n == 0) { /* not a demand series: the general routine */
        memcpy(scratch, x, n * sizeof *x);
        return ks_percentile(scratch, n, p);
    }
    if (p <= 0 || p >= 100) { /* the extreme a stable sort leaves at that end */
        double best = x[0];
        for (size_t t = 1; t < n; t++)
            if (p <= 0 ? x[t] < best : x[t] >= best)
                best = x[t];
        return best;
    }
    double pos = p / 100.0 * (double)(n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    select_kth(scratch, n, i);
    double lo = scratch[i], hi = scratch[i + 1]; /* i + 1 < n since p < 100 */
    for (size_t t = i + 2; t < n; t++)
        hi = scratch[t] < hi ? scratch[t] : hi;
    return lo + frac * (hi - lo);
}

double
mdl_series_nth_largest(const double *x, size_t n, size_t a, double *scratch)
{
    memcpy(scratch, x, n * sizeof *x);
    select_kth(scratch, n, n - 1 - a);
    return scratch[n - 1 - a];
}

/* Peak and p95 of a host's summed series as % of cap. */
static void
peak_p95(double *sum, size_t T, double cap, double *peak, double *p95)
{
    double mx = 0;
    for (size_t t = 0; t < T; t++)
        mx = sum[t] > mx ? sum[t] : mx;
    double p = ks_percentile(sum, T, 95);
    *peak = cap > 0 ? mx / cap * 100 : 0;
    *p95 = cap > 0 ? p / cap * 100 : 0;
}

/* Summed series of every host (nbins x T), one pass over the sources. Caller frees. */
static double *
all_sums(const struct mdl_eval *e, const struct mdl_demand *d, const double *series)
{
    double *sum = ks_xcalloc((e->nbins ? e->nbins : 1) * d->T, sizeof *sum);
    for (size_t q = 0; q < d->n; q++) {
        double *s = sum + (size_t)e->assign[q] * d->T;
        const double *x = series + q * d->T;
        for (size_t t = 0; t < d->T; t++)
            s[t] += x[t];
    }
    return sum;
}

/* Peak and p95 per host and resource, and the mean CPU utilization of the raw
 * capacity that the power model needs. */
void
mdl_eval_stats(struct mdl_eval *e, const struct mdl_demand *d, const double usable[2],
               double raw_cpu_MHz)
{
    free(e->hosts);
    e->hosts = ks_xcalloc(e->nbins ? e->nbins : 1, sizeof *e->hosts);
    for (size_t q = 0; q < d->n; q++)
        e->hosts[e->assign[q]].vms++;
    double *cpu = all_sums(e, d, d->cpu_MHz), *mem = all_sums(e, d, d->mem_MiB);
    double *net = d->net_Mbps ? all_sums(e, d, d->net_Mbps) : NULL;
    for (size_t h = 0; h < e->nbins; h++) {
        struct mdl_host *H = &e->hosts[h];
        double *c = cpu + h * d->T, mean = 0;
        H->ha_spare = h >= e->nominal;
        H->cpu_cap_MHz = usable[0];
        H->mem_cap_MiB = usable[1];
        for (size_t t = 0; t < d->T; t++)
            mean += c[t] / (double)d->T;
        H->cpu_mean_raw = raw_cpu_MHz > 0 ? mean / raw_cpu_MHz : 0;
        peak_p95(c, d->T, usable[0], &H->cpu_peak_pct, &H->cpu_p95_pct);
        peak_p95(mem + h * d->T, d->T, usable[1], &H->mem_peak_pct, &H->mem_p95_pct);
        if (net)
            peak_p95(net + h * d->T, d->T, 100, &H->net_peak_Mbps, &H->net_p95_Mbps);
        else
            H->net_peak_Mbps = H->net_p95_Mbps = NAN;
    }
    free(cpu);
    free(mem);
    free(net);
}

/* Ports per host from its peak VM traffic; the switch port count is their sum. */
void
mdl_eval_ports(struct mdl_eval *e, const struct mdl_ports *t, double link_Gbps,
               double headroom_pct)
{
    int most[MDL_NROLES] = {0};
    e->switch_ports = 0;
    e->max_ports = 0;
    for (size_t h = 0; h < e->nbins; h++) {
        struct mdl_host *H = &e->hosts[h];
        double peak = isnan(H->net_peak_Mbps) ? 0 : H->net_peak_Mbps;
        if (H->ha_spare) /* a spare must take over any failed host's traffic */
            memcpy(H->ports, most, sizeof most);
        else
            mdl_ports_for_host(t, peak, link_Gbps, headroom_pct, H->ports);
        H->ports_total = 0;
        for (int r = 0; r < MDL_NROLES; r++) {
            most[r] = H->ports[r] > most[r] ? H->ports[r] : most[r];
            H->ports_total += H->ports[r];
        }
        e->switch_ports += (size_t)H->ports_total;
        e->max_ports = H->ports_total > e->max_ports ? H->ports_total : e->max_ports;
    }
}

/* Independent of the engine's floats: double sums of the demand series. */
int
mdl_eval_verify(const struct mdl_eval *e, const struct mdl_demand *d, const double pack[2],
                size_t allow_over, struct ks_err *err)
{
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        double *sum = all_sums(e, d, k ? d->mem_MiB : d->cpu_MHz);
        for (size_t h = 0; h < e->nbins && rc == 0; h++) {
            size_t over = 0;
            for (size_t t = 0; t < d->T; t++)
                over += sum[h * d->T + t] > pack[k];
            if (over > allow_over)
                rc = ks_errf(err, -EFAULT, "internal error: host %zu over its %s capacity at "
                             "%zu steps", h + 1, k ? "memory" : "CPU", over);
        }
        free(sum);
    }
    return rc;
}
