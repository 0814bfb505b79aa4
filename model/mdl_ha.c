/* N+k high availability, checked by failing hosts (see mdl_ha_check in mdl_plan.h). */
#include <stdlib.h>

#include "model/mdl_plan.h"
#include "model/mdl_sol.h"

struct failset {
    const uint8_t *down; /* nbins: 1 = failed */
};

/* Allow hook of the re-placement: only hosts that did not fail. */
static int
survivor(void *ctx, size_t item, uint32_t bin, const uint32_t *assign)
{
    const struct failset *f = ctx;
    (void)item;
    (void)assign;
    return !f->down[bin];
}

/* Fail the bins marked in down, re-place their items, then restore. 1 = re-placed. */
static int
try_failure(struct mdl_sol *s, const uint32_t *assign, const uint8_t *down, const double *key)
{
    const struct mdl_vbp *p = s->p;
    size_t nbins = s->k, m = 0;
    uint32_t *moved = ks_xmalloc((p->n ? p->n : 1) * sizeof *moved);
    for (size_t i = 0; i < p->n; i++)
        if (down[assign[i]]) {
            mdl_sol_take(s, i);
            moved[m++] = (uint32_t)i;
        }
    /* Largest first (insertion sort: the failed hosts hold few items). */
    for (size_t x = 1; x < m; x++)
        for (size_t y = x; y > 0 && key[moved[y]] > key[moved[y - 1]]; y--) {
            uint32_t t = moved[y];
            moved[y] = moved[y - 1];
            moved[y - 1] = t;
        }
    struct failset f = {down};
    /* open = 1: an item that fits no survivor gets a new bin, which is the failure. */
    mdl_greedy_peak(s, moved, m, 1, survivor, &f);
    int ok = s->k == nbins;
    for (size_t q = 0; q < m; q++) {
        mdl_sol_take(s, moved[q]);
        mdl_sol_put(s, moved[q], assign[moved[q]]);
    }
    s->k = nbins;
    free(moved);
    return ok;
}

/* C(n, k), saturating at limit + 1. */
static size_t
choose(size_t n, size_t k, size_t limit)
{
    double c = 1;
    for (size_t i = 0; i < k; i++) {
        c = c * (double)(n - i) / (double)(i + 1);
        if (c > (double)limit)
            return limit + 1;
    }
    return (size_t)(c + 0.5);
}

/* Next k-combination in idx (lexicographic); 0 when done. */
static int
next_comb(size_t *idx, size_t k, size_t n)
{
    size_t i = k;
    while (i-- > 0)
        if (idx[i] < n - k + i) {
            idx[i]++;
            for (size_t j = i + 1; j < k; j++)
                idx[j] = idx[j - 1] + 1;
            return 1;
        }
    return 0;
}

/* Random k-subset (partial Fisher-Yates over perm). */
static void
random_subset(size_t *idx, size_t k, size_t n, size_t *perm, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = 0; i < k; i++) {
        size_t r = i + mdl_rand_below(rng, n - i), t = perm[i];
        perm[i] = perm[r];
        perm[r] = t;
        idx[i] = perm[i];
    }
}

static int
check_set(struct mdl_sol *s, const uint32_t *assign, uint8_t *down, const size_t *idx,
          size_t k, const double *key, size_t *bad_bin)
{
    for (size_t i = 0; i < k; i++)
        down[idx[i]] = 1;
    int ok = try_failure(s, assign, down, key);
    for (size_t i = 0; i < k; i++)
        down[idx[i]] = 0;
    if (!ok && bad_bin)
        *bad_bin = idx[0];
    return ok;
}

int
mdl_ha_check(const struct mdl_vbp *p, const uint32_t *assign, size_t nbins, int k,
             uint64_t seed, size_t max_sets, size_t *checked, int *exhaustive, size_t *bad_bin)
{
    size_t kk = (size_t)k;
    *checked = 0;
    *exhaustive = 1;
    if (k <= 0)
        return 1;
    if (kk >= nbins)
        return 0;
    struct mdl_sol s;
    mdl_sol_init(&s, p, nbins);
    for (size_t i = 0; i < p->n; i++)
        mdl_sol_put(&s, i, assign[i]);
    double *key = ks_xmalloc((p->n ? p->n : 1) * sizeof *key);
    mdl_item_keys(p, 0, key);
    /* Room for the bins a failed re-placement opens past nbins (never down). */
    uint8_t *down = ks_xcalloc(nbins + p->n + 1, 1);
    size_t *idx = ks_xmalloc((kk + 1) * sizeof *idx), *perm = ks_xmalloc(nbins * sizeof *perm);
    int ok = 1;
    uint64_t rng = seed;
    if (choose(nbins, kk, max_sets) <= max_sets) {
        for (size_t i = 0; i < kk; i++)
            idx[i] = i;
        do {
            ok = check_set(&s, assign, down, idx, kk, key, bad_bin);
            ++*checked;
        } while (ok && next_comb(idx, kk, nbins));
    } else {
        *exhaustive = 0;
        /* Every single host with k-1 random others, then random k-subsets. */
        for (size_t b = 0; ok && b < nbins + max_sets; b++) {
            random_subset(idx, kk, nbins, perm, &rng);
            if (b < nbins) {
                size_t j = 0;
                while (j < kk && idx[j] != b)
                    j++;
                idx[j < kk ? j : 0] = b;
            }
            ok = check_set(&s, assign, down, idx, kk, key, bad_bin);
            ++*checked;
        }
    }
    free(idx);
    free(perm);
    free(down);
    free(key);
    mdl_sol_fini(&s);
    return ok;
}
