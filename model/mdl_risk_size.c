/* Size each host for a stated risk (see mdl_risk_size.h, docs/risk.md). */
#include "model/mdl_risk_size.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Share of the training window held back to learn and validate the margins. */
#define HOLD_SHARE 0.25
/* Fewest steps either part must hold: below, a quantile or an sd means nothing. */
#define MIN_STEPS 8
/* Validation rounds, and how kappa grows when the held-back replay misses the target. */
#define MAX_ROUNDS 8
#define KAPPA_GROW(k) ((k) * 1.1 + 0.02)
/* Packings of one sized plan: the margins are re-shared over the new hosts until each
 * host's margin holds. */
#define MAX_RESHARES 4
/* Spending the slack of the host count: how far kappa is raised per try, and how often. */
#define SLACK_GROW 1.15
#define SLACK_TRIES 3

/* Host sums of one demand under one plan: L[(h * NRES + k) * T + t]. The demand's
 * dataset (dds) may be another window than the plan's: entities match by name. */
struct sums {
    size_t nh, T;
    double *L;
    long *host; /* d->n: host of each source, -1 not placed by the plan */
};

static double *
sum_at(const struct sums *s, size_t h, int k)
{
    return s->L + (h * MDL_RISK_NRES + (size_t)k) * s->T;
}

static const double *
dem_row(const struct mdl_demand *d, int k, size_t q)
{
    return (k ? d->mem_MiB : d->cpu_MHz) + q * d->T;
}

static void
sums_build(struct sums *s, const struct mdl_plan *pl, const struct ks_dataset *pds,
           const struct mdl_demand *d, const struct ks_dataset *dds)
{
    s->nh = pl->nhosts;
    s->T = d->T;
    s->L = ks_xcalloc((s->nh ? s->nh : 1) * MDL_RISK_NRES * s->T, sizeof *s->L);
    s->host = ks_xmalloc((d->n ? d->n : 1) * sizeof *s->host);
    for (size_t q = 0; q < d->n; q++) {
        long e = ks_dataset_find(pds, ks_dataset_entity(dds, d->ent[q]));
        long h = e >= 0 ? pl->host_of[e] : -1;
        s->host[q] = h;
        for (int k = 0; h >= 0 && k < MDL_RISK_NRES; k++) {
            double *L = sum_at(s, (size_t)h, k);
            const double *x = dem_row(d, k, q);
            for (size_t t = 0; t < s->T; t++)
                L[t] += x[t];
        }
    }
}

static void
sums_fini(struct sums *s)
{
    free(s->L);
    free(s->host);
}

static double
mean_of(const double *x, size_t n)
{
    double a = 0;
    for (size_t i = 0; i < n; i++)
        a += x[i];
    return n ? a / (double)n : 0;
}

static double
max_of(const double *x, size_t n)
{
    double m = -INFINITY;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, x[i]);
    return m;
}

/* ---- One host's spread and tail -------------------------------------------------------
 * The training window fixes one alignment of the VMs' series; a new week need not repeat
 * it (two VMs whose spikes missed each other may meet). Two measures of the host's sum:
 * - its spread sd = sqrt(sum_i var_i + sum_{i != j} max(cov_ij, 0)): the VMs' variances
 *   and the correlations that add up, no credit for those that cancel (reported);
 * - its tail: the q-th percentile (q = 100 - target) of the sum over REPLICATES
 *   alignments, the measured one and others where each member's series is shifted
 *   (circularly) by its own pseudo-random number of steps. The measured alignment keeps
 *   the correlation of VMs busy together; the shifted ones let rare spikes meet, which
 *   is what overloads a host on new data (PlanetLab: VMs idle at 5% of their core that
 *   jump to 90% for one step, three on a host that never jumped together in training).
 *   This is the chance constraint of stochastic bin packing, P(sum > capacity) <= target,
 *   taken on the VMs' empirical distributions instead of normal ones.
 * The tail width is max(tail, peak) - mean: the host keeps mean + kappa x width under
 * capacity. Each member's part of the tail is its mean excess over its own mean in the
 * replicate steps at or above the tail (its contribution to the overloads the margin is
 * for). */
#define REPLICATES 32

struct spread {
    double mean, peak, sd; /* of the host's sum; sd as above */
    double tail, width;    /* the tail percentile of the replicates, and the width */
};

/* Pseudo-random shift of source q in replicate r (0: as measured); splitmix64. */
static size_t
shift_of(size_t q, int r, size_t T)
{
    if (r == 0 || T < 2)
        return 0;
    uint64_t z = (uint64_t)q * 0x9E3779B97F4A7C15u + (uint64_t)r * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return (size_t)(z % T);
}

/* r[(t + sh) % T] added to acc[t] for every t, without a division per step. */
static void
add_shifted(double *acc, const double *r, size_t T, size_t sh)
{
    for (size_t t = 0; t + sh < T; t++)
        acc[t] += r[t + sh];
    for (size_t t = T - sh; sh && t < T; t++)
        acc[t] += r[t + sh - T];
}

/* Spread and tail of host h on resource k at percentile q_pct. c (d->n long, or NULL)
 * receives each member's part of the tail; want_sd computes the spread (quadratic in the
 * members: only for the report). */
static void
host_spread(const struct sums *s, const struct mdl_demand *d, size_t h, int k, double q_pct,
            double *c, int want_sd, struct spread *out)
{
    const double *L = sum_at(s, h, k);
    size_t T = s->T, m = 0, N = (size_t)REPLICATES * T;
    double var = 0;
    out->mean = mean_of(L, T);
    out->peak = max_of(L, T);
    for (size_t t = 0; t < T; t++)
        var += (L[t] - out->mean) * (L[t] - out->mean);
    out->sd = 0;
    out->tail = out->peak;
    out->width = out->peak - out->mean;
    size_t *mem = ks_xmalloc((d->n ? d->n : 1) * sizeof *mem);
    for (size_t q = 0; q < d->n; q++)
        if (s->host[q] == (long)h)
            mem[m++] = q;
    double *x = ks_xmalloc((m ? m : 1) * T * sizeof *x);
    for (size_t i = 0; i < m; i++) { /* centred series */
        const double *r = dem_row(d, k, mem[i]);
        double mu = mean_of(r, T);
        for (size_t t = 0; t < T; t++)
            x[i * T + t] = r[t] - mu;
        if (c)
            c[mem[i]] = 0;
    }
    for (size_t i = 0; want_sd && i < m; i++)
        for (size_t j = i; j < m; j++) {
            double a = 0;
            for (size_t t = 0; t < T; t++)
                a += x[i * T + t] * x[j * T + t];
            out->sd += fmax(0, a / (double)T) * (j == i ? 1 : 2);
        }
    out->sd = sqrt(out->sd);
    /* A constant sum (memory planned from the allocation) has no tail beyond its peak. */
    if (!(sqrt(var / (double)(T ? T : 1)) > 1e-9 * fmax(out->peak, 1)) || m == 0) {
        free(x);
        free(mem);
        return;
    }
    double *R = ks_xcalloc(N, sizeof *R), *srt = ks_xmalloc(N * sizeof *srt);
    for (int r = 0; r < REPLICATES; r++)
        for (size_t i = 0; i < m; i++)
            add_shifted(R + (size_t)r * T, x + i * T, T, shift_of(d->ent[mem[i]], r, T));
    memcpy(srt, R, N * sizeof *srt);
    double qc = ks_percentile(srt, N, q_pct); /* of the centred sums */
    out->tail = fmax(out->mean + qc, out->peak);
    out->width = out->tail - out->mean;
    for (size_t i = 0; c && i < m; i++) { /* mean excess in the replicate steps >= qc */
        double a = 0;
        size_t n = 0;
        for (int r = 0; r < REPLICATES; r++) {
            size_t sh = shift_of(d->ent[mem[i]], r, T);
            const double *Rr = R + (size_t)r * T, *xi = x + i * T;
            for (size_t t = 0; t < T; t++)
                if (Rr[t] >= qc) {
                    a += xi[t + sh < T ? t + sh : t + sh - T];
                    n++;
                }
        }
        c[mem[i]] = n ? fmax(0, a / (double)n) : 0;
    }
    free(srt);
    free(R);
    free(x);
    free(mem);
}

/* ---- Learning kappa on the held-back part ------------------------------------------- */

/* kappa per resource: the (1 - target) quantile, over the fit plan's hosts that vary and
 * the held-back steps, of (held-back load - fit mean) / fit tail width; never below 0
 * (1: the held-back part strays as far as the fit part's replicates foresaw). */
static void
learn_kappa(const struct sums *fit, const struct mdl_demand *df, const struct sums *hold,
            double target_pct, double kappa[MDL_RISK_NRES])
{
    size_t cap = fit->nh * hold->T, n;
    double *z = ks_xmalloc((cap ? cap : 1) * sizeof *z);
    for (int k = 0; k < MDL_RISK_NRES; k++) {
        n = 0;
        for (size_t h = 0; h < fit->nh; h++) {
            struct spread sp;
            host_spread(fit, df, h, k, 100 - target_pct, NULL, 0, &sp);
            if (!(sp.width > 1e-9 * fmax(sp.peak, 1)))
                continue;
            const double *V = sum_at(hold, h, k);
            for (size_t t = 0; t < hold->T; t++)
                z[n++] = (V[t] - sp.mean) / sp.width;
        }
        kappa[k] = n ? fmax(0, ks_percentile(z, n, 100 - target_pct)) : 0;
    }
    free(z);
}

/* ---- A plan sized with margins ------------------------------------------------------- */

/* What host h must keep free on k beyond its training peak: mean + kappa x tail width
 * above the peak, or nothing. */
static double
host_margin(const struct spread *sp, double kappa)
{
    return fmax(0, sp->mean + kappa * sp->width - sp->peak);
}

/* Share each host's margin among its sources by their part of its tail; a share only
 * grows across rounds (keep), so the rounds settle. */
static void
share_margins(const struct sums *s, const struct mdl_demand *d, const double kappa[],
              double q_pct, struct mdl_margin *m, int keep)
{
    double *c = ks_xmalloc((d->n ? d->n : 1) * sizeof *c);
    for (int k = 0; k < MDL_RISK_NRES; k++)
        for (size_t h = 0; h < s->nh; h++) {
            struct spread sp;
            host_spread(s, d, h, k, q_pct, c, 0, &sp);
            double M = host_margin(&sp, kappa[k]), v = 0;
            for (size_t q = 0; q < d->n; q++)
                v += s->host[q] == (long)h ? c[q] : 0;
            for (size_t q = 0; q < d->n; q++) {
                if (s->host[q] != (long)h)
                    continue;
                double a = v > 0 ? M * c[q] / v : 0;
                double *slot = &m->add[d->ent[q] * MDL_RISK_NRES + (size_t)k];
                *slot = keep ? fmax(*slot, a) : a;
            }
        }
    free(c);
}

/* Hosts of pl whose training peak plus margin exceeds the usable capacity. */
static size_t
hosts_short(const struct sums *s, const struct mdl_demand *d, const struct mdl_plan *pl,
            const double kappa[], double q_pct)
{
    size_t n = 0;
    for (size_t h = 0; h < s->nh; h++) {
        double cap[2] = {pl->hosts[h].cpu_cap_MHz, pl->hosts[h].mem_cap_MiB};
        int bad = 0;
        for (int k = 0; k < MDL_RISK_NRES; k++) {
            struct spread sp;
            host_spread(s, d, h, k, q_pct, NULL, 0, &sp);
            bad |= sp.peak + host_margin(&sp, kappa[k]) > cap[k] * (1 + 1e-9);
        }
        n += (size_t)bad;
    }
    return n;
}

/* The plan on ds at policy pol (headroom 0) with margins kappa x host sd, re-packed
 * while some host's margin does not hold (MAX_RESHARES packings at most). *short_out
 * counts the hosts still short at the end, *rounds the packings. */
static int
sized_plan(const struct ks_dataset *ds, const char *name, const struct mdl_policy *pol,
           const struct mdl_catalog *cat, const double kappa[], double target_pct,
           struct mdl_plan **out, size_t *short_out, int *rounds, struct ks_err *err)
{
    double q_pct = 100 - target_pct;
    struct mdl_demand d = {0};
    struct mdl_margin m = {ks_dataset_nent(ds), NULL};
    struct mdl_policy p = *pol;
    struct mdl_plan *pl = NULL;
    m.add = ks_xcalloc((m.nent ? m.nent : 1) * MDL_RISK_NRES, sizeof *m.add);
    p.margin = &m;
    int rc = mdl_demand_build(ds, &p, &d, err);
    *rounds = 0;
    for (int r = 0; rc == 0 && r < MAX_RESHARES; r++) {
        struct mdl_plan *next = NULL;
        rc = mdl_plan_run(ds, name, &p, cat, &next, err);
        if (rc < 0)
            break;
        mdl_plan_free(pl);
        pl = next;
        pl->pol.margin = NULL; /* the plan's copy must not point at m once it is gone */
        ++*rounds;
        struct sums s;
        sums_build(&s, pl, ds, &d, ds);
        *short_out = hosts_short(&s, &d, pl, kappa, q_pct);
        if (*short_out)
            share_margins(&s, &d, kappa, q_pct, &m, r > 0);
        sums_fini(&s);
        if (!*short_out)
            break;
    }
    mdl_demand_fini(&d);
    mdl_margin_fini(&m);
    if (rc < 0) {
        mdl_plan_free(pl);
        pl = NULL;
    }
    *out = pl;
    return rc;
}

/* ---- The method ---------------------------------------------------------------------- */

/* The fit and held-back parts of the training data, by its own span. */
static int
split(const struct ks_dataset *train, const struct mdl_window *tw, struct mdl_risk_size *o,
      struct ks_err *err)
{
    double from, to;
    int rc = mdl_dataset_span(train, &from, &to, err);
    if (rc < 0)
        return rc;
    from = fmax(from, tw->from_s);
    to = fmin(to, tw->to_s);
    double step = train->s.nrows ? train->s.interval_s[0] : 0;
    double cut = to - (to - from) * HOLD_SHARE;
    if (step > 0)
        cut = from + floor((cut - from) / step) * step;
    o->fit = (struct mdl_window){from, cut};
    o->hold = (struct mdl_window){cut, to};
    if (!(step > 0) || (to - cut) / step < MIN_STEPS || (cut - from) / step < MIN_STEPS)
        return ks_errf(err, -ERANGE, "--size-for-risk: the training window is too short to "
                                     "hold back a quarter of it (want %d steps or more in "
                                     "each part)", MIN_STEPS);
    return 0;
}

/* Replay plan pl (made on the fit part) on the held-back part's dataset: the shares. */
static int
validate(const struct mdl_plan *pl, const struct ks_dataset *hold, struct mdl_risk_size *o,
         struct ks_err *err)
{
    struct mdl_risk r;
    int rc = mdl_risk_backtest(pl, hold, &r, err);
    if (rc == 0)
        for (int k = 0; k < MDL_RISK_NRES; k++)
            o->hold_pct[k] = r.share_pct[k];
    mdl_risk_fini(&r);
    o->hold_hosts = pl->nhosts;
    o->validated = 1;
    for (int k = 0; k < MDL_RISK_NRES; k++)
        o->validated &= o->hold_pct[k] <= o->target_pct;
    return rc;
}

/* Learn kappa on the fit part and the held-back part, then raise it until a plan sized
 * on the fit part meets the target on the held-back part. */
static int
learn_and_validate(const struct ks_dataset *train, const char *name,
                   const struct mdl_policy *pol, const struct mdl_catalog *cat,
                   struct mdl_risk_size *o, struct ks_err *err)
{
    struct mdl_window_data fit = {0};
    struct ks_dataset *hold = NULL;
    struct mdl_plan *pl = NULL;
    struct mdl_demand df = {0}, dh = {0};
    int rc = mdl_window_data_open(train, &o->fit, 1, "fit (size for risk)", pol, &fit, err);
    if (rc == 0)
        rc = mdl_dataset_window(train, &o->hold, 1, "held-back (size for risk)", &hold, err);
    if (rc == 0)
        rc = mdl_plan_run(fit.ds, name, &fit.pol, cat, &pl, err);
    if (rc == 0)
        rc = mdl_demand_build(fit.ds, &fit.pol, &df, err);
    if (rc == 0)
        rc = mdl_demand_build(hold, &fit.pol, &dh, err);
    if (rc == 0) {
        struct sums sf, sh;
        sums_build(&sf, pl, fit.ds, &df, fit.ds);
        sums_build(&sh, pl, fit.ds, &dh, hold);
        learn_kappa(&sf, &df, &sh, o->target_pct, o->kappa_learned);
        sums_fini(&sf);
        sums_fini(&sh);
        memcpy(o->kappa, o->kappa_learned, sizeof o->kappa);
    }
    mdl_demand_fini(&df);
    mdl_demand_fini(&dh);
    for (int round = 0; rc == 0 && round < MAX_ROUNDS; round++) {
        if (round) /* missed: raise the margin of every resource that missed */
            for (int k = 0; k < MDL_RISK_NRES; k++)
                if (o->hold_pct[k] > o->target_pct)
                    o->kappa[k] = KAPPA_GROW(o->kappa[k]);
        mdl_plan_free(pl);
        pl = NULL;
        size_t shrt;
        int packs;
        rc = sized_plan(fit.ds, name, &fit.pol, cat, o->kappa, o->target_pct, &pl, &shrt,
                        &packs, err);
        if (rc == 0)
            rc = validate(pl, hold, o, err);
        o->rounds = round + 1;
        if (rc == 0 && o->validated)
            break;
    }
    mdl_plan_free(pl);
    mdl_window_data_fini(&fit);
    ks_dataset_free(hold);
    return rc;
}

/* Each host's spread, margin, peak and capacity in the final plan. */
static void
describe_hosts(const struct mdl_plan *pl, const struct ks_dataset *ds,
               const struct mdl_policy *pol, struct mdl_risk_size *o)
{
    struct mdl_demand d = {0};
    struct ks_err e = {0};
    o->nhosts = pl->nhosts;
    o->h = ks_xcalloc(o->nhosts ? o->nhosts : 1, sizeof *o->h);
    if (mdl_demand_build(ds, pol, &d, &e) < 0) {
        mdl_demand_fini(&d);
        return; /* the plan was made from this demand: cannot happen */
    }
    struct sums s;
    sums_build(&s, pl, ds, &d, ds);
    for (size_t h = 0; h < o->nhosts; h++) {
        double cap[2] = {pl->hosts[h].cpu_cap_MHz, pl->hosts[h].mem_cap_MiB};
        for (int k = 0; k < MDL_RISK_NRES; k++) {
            struct spread sp;
            host_spread(&s, &d, h, k, 100 - o->target_pct, NULL, 1, &sp);
            o->h[h].sd[k] = sp.sd;
            o->h[h].tail[k] = sp.tail;
            o->h[h].margin[k] = host_margin(&sp, o->kappa[k]);
            o->h[h].peak[k] = sp.peak;
            o->h[h].cap[k] = cap[k];
        }
    }
    sums_fini(&s);
    mdl_demand_fini(&d);
}

/* The host count is what the validated margins cost; the hosts it buys often have room
 * to spare. Raise the margins (kappa x SLACK_GROW, SLACK_TRIES times at most) while the
 * plan keeps the same count and every host its margin: the same hosts, less risk. */
static int
spend_slack(const struct ks_dataset *train, const char *name, const struct mdl_policy *p,
            const struct mdl_catalog *cat, struct mdl_risk_size *out, struct mdl_plan **pl,
            struct ks_err *err)
{
    for (int i = 0; i < SLACK_TRIES; i++) {
        double k[MDL_RISK_NRES];
        for (int r = 0; r < MDL_RISK_NRES; r++)
            k[r] = out->kappa[r] * SLACK_GROW;
        struct mdl_plan *next = NULL;
        size_t shrt = 0;
        int packs = 0;
        int rc = sized_plan(train, name, p, cat, k, out->target_pct, &next, &shrt, &packs,
                            err);
        if (rc < 0)
            return rc;
        if (next->nhosts > (*pl)->nhosts || shrt > out->hosts_short) {
            mdl_plan_free(next);
            break;
        }
        mdl_plan_free(*pl);
        *pl = next;
        memcpy(out->kappa, k, sizeof k);
        out->hosts_short = shrt;
        out->rounds_sized = packs;
        out->slack_steps = i + 1;
    }
    return 0;
}

int
mdl_risk_size(const struct ks_dataset *train, const struct mdl_window *tw, const char *name,
              const struct mdl_policy *pol, const struct mdl_catalog *cat, double target_pct,
              struct mdl_risk_size *out, struct mdl_plan **pl, struct ks_err *err)
{
    memset(out, 0, sizeof *out);
    *pl = NULL;
    out->target_pct = target_pct;
    struct mdl_policy p = *pol;
    p.headroom_pct = 0; /* the margins are the headroom, host by host */
    p.margin = NULL;
    int rc = split(train, tw, out, err);
    if (rc == 0)
        rc = learn_and_validate(train, name, &p, cat, out, err);
    if (rc == 0)
        rc = sized_plan(train, name, &p, cat, out->kappa, target_pct, pl, &out->hosts_short,
                        &out->rounds_sized, err);
    memcpy(out->kappa_valid, out->kappa, sizeof out->kappa);
    if (rc == 0)
        rc = spend_slack(train, name, &p, cat, out, pl, err);
    if (rc == 0)
        describe_hosts(*pl, train, &p, out);
    return rc;
}

void
mdl_risk_size_fini(struct mdl_risk_size *s)
{
    free(s->h);
    memset(s, 0, sizeof *s);
}

void
mdl_margin_fini(struct mdl_margin *m)
{
    free(m->add);
    memset(m, 0, sizeof *m);
}
