/* Aligning samples on a time grid (declared in ks_dataset.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_dataset.h"

/* The dataset's own step: the coarsest of the entities' median intervals, so that
 * merged datasets with different steps share one grid (finer ones take the max over
 * each window). Up to 32 intervals per entity are enough to find its step. */
#define STEP_PROBES 32
static double
native_step(const struct ks_samples *s, size_t nent)
{
    double *v = ks_xmalloc((nent ? nent : 1) * STEP_PROBES * sizeof *v);
    size_t *cnt = ks_xcalloc(nent ? nent : 1, sizeof *cnt);
    double best = 0;
    for (size_t r = 0; r < s->nrows; r++) {
        size_t e = s->ent[r];
        if (cnt[e] < STEP_PROBES)
            v[e * STEP_PROBES + cnt[e]++] = s->interval_s[r];
    }
    for (size_t e = 0; e < nent; e++) {
        double med = cnt[e] ? ks_percentile(v + e * STEP_PROBES, cnt[e], 50) : 0;
        if (med > best)
            best = med;
    }
    free(v);
    free(cnt);
    return best > 0 ? best : 300;
}

/* Window index of a sample ending at t: windows end at t0 + k*step; a quarter of the
 * native interval of tolerance absorbs collection jitter. */
static size_t
window_of(double t, double t0, double step, double tol)
{
    double k = ceil((t - t0 - tol) / step);
    return k > 0 ? (size_t)k : 0;
}

static void
agg_simple(const struct ks_samples *s, struct ks_grid *g, enum ks_agg agg, double tol,
           double *cnt)
{
    for (int m = 0; m < KS_NMETRIC; m++) {
        double *out = g->v[m];
        if (!out)
            continue;
        if (agg == KS_AGG_MEAN)
            memset(cnt, 0, g->nent * g->nsteps * sizeof *cnt);
        for (size_t r = 0; r < s->nrows; r++) {
            double x = s->m[m][r];
            if (isnan(x))
                continue;
            size_t c = s->ent[r] * g->nsteps + window_of(s->time[r], g->t0, g->step_s, tol);
            if (agg == KS_AGG_MEAN) {
                out[c] = cnt[c] > 0 ? out[c] + x : x;
                cnt[c]++;
            } else if (isnan(out[c]) || x > out[c]) {
                out[c] = x;
            }
        }
        if (agg == KS_AGG_MEAN)
            for (size_t c = 0; c < g->nent * g->nsteps; c++)
                if (cnt[c] > 0)
                    out[c] /= cnt[c];
    }
}

/* Percentile per window: bucket the row indices by cell (CSR), then sort each bucket. */
static void
agg_pct(const struct ks_samples *s, struct ks_grid *g, double pct, double tol)
{
    size_t ncell = g->nent * g->nsteps;
    size_t *start = ks_xcalloc(ncell + 1, sizeof *start);
    size_t *cell = ks_xmalloc((s->nrows ? s->nrows : 1) * sizeof *cell);
    for (size_t r = 0; r < s->nrows; r++) {
        cell[r] = s->ent[r] * g->nsteps + window_of(s->time[r], g->t0, g->step_s, tol);
        start[cell[r] + 1]++;
    }
    for (size_t c = 0; c < ncell; c++)
        start[c + 1] += start[c];
    size_t *fill = ks_xmalloc((ncell + 1) * sizeof *fill), *rows;
    memcpy(fill, start, (ncell + 1) * sizeof *fill);
    rows = ks_xmalloc((s->nrows ? s->nrows : 1) * sizeof *rows);
    for (size_t r = 0; r < s->nrows; r++)
        rows[fill[cell[r]]++] = r;
    double *buf = ks_xmalloc((s->nrows ? s->nrows : 1) * sizeof *buf);
    for (int m = 0; m < KS_NMETRIC; m++) {
        if (!g->v[m])
            continue;
        for (size_t c = 0; c < ncell; c++) {
            size_t n = start[c + 1] - start[c];
            for (size_t i = 0; i < n; i++)
                buf[i] = s->m[m][rows[start[c] + i]];
            g->v[m][c] = n ? ks_percentile(buf, n, pct) : NAN;
        }
    }
    free(start);
    free(cell);
    free(fill);
    free(rows);
    free(buf);
}

int
ks_grid_build(const struct ks_dataset *ds, double step_s, enum ks_agg agg, double pct,
              struct ks_grid *g, struct ks_err *err)
{
    return ks_grid_build_some(ds, step_s, agg, pct, KS_GRID_ALL, g, err);
}

int
ks_grid_build_some(const struct ks_dataset *ds, double step_s, enum ks_agg agg, double pct,
                   unsigned metrics, struct ks_grid *g, struct ks_err *err)
{
    const struct ks_samples *s = &ds->s;
    memset(g, 0, sizeof *g);
    if (s->nrows == 0)
        return ks_errf(err, -EINVAL, "dataset has no samples");
    double native = native_step(s, ks_dataset_nent(ds));
    if (!(step_s > 0))
        step_s = native;
    if (step_s < native * 0.999)
        return ks_errf(err, -EINVAL, "step %.17g s is finer than the data's own step %.17g s",
                       step_s, native);
    double tol = native * 0.25;
    g->step_s = step_s;
    g->t0 = ceil(s->time[0] / step_s) * step_s;
    g->nent = ks_dataset_nent(ds);
    g->nsteps = window_of(s->time[s->nrows - 1], g->t0, step_s, tol) + 1;
    size_t ncell = g->nent * g->nsteps, nmet = 0;
    for (int m = 0; m < KS_NMETRIC; m++)
        nmet += s->m[m] != NULL && (metrics >> m & 1);
    if ((double)ncell * (double)(nmet ? nmet : 1) * sizeof(double) > KS_GRID_MAX_BYTES)
        return ks_errf(err, -E2BIG,
                       "%zu entities x %zu steps of %.17g s (%.17g to %.17g) is too large a "
                       "grid; use a coarser step",
                       g->nent, g->nsteps, step_s, s->time[0], s->time[s->nrows - 1]);
    for (int m = 0; m < KS_NMETRIC; m++) {
        if (!s->m[m] || !(metrics >> m & 1))
            continue;
        /* Rows come time-major and cells entity-major: each row writes a different
         * entity's series, nsteps x 8 bytes from the last; in huge pages those writes
         * stay within a few hundred TLB entries. */
        g->v[m] = ks_advise_huge(ks_xmalloc((ncell ? ncell : 1) * sizeof(double)),
                                 (ncell ? ncell : 1) * sizeof(double));
        for (size_t c = 0; c < ncell; c++)
            g->v[m][c] = NAN;
    }
    if (agg == KS_AGG_PCT) {
        agg_pct(s, g, pct, tol);
    } else {
        double *cnt = agg == KS_AGG_MEAN ? ks_xmalloc((ncell ? ncell : 1) * sizeof *cnt) : NULL;
        agg_simple(s, g, agg, tol, cnt);
        free(cnt);
    }
    return 0;
}

void
ks_grid_fini(struct ks_grid *g)
{
    for (int m = 0; m < KS_NMETRIC; m++)
        free(g->v[m]);
    memset(g, 0, sizeof *g);
}
