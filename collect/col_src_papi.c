/*
 * PAPI source: instructions, cycles (ipc) and last-level cache misses per 1000
 * instructions, counted system-wide: one event set per online CPU attached with
 * PAPI_CPU_ATTACH (root, or perf_event_paranoid <= 0), summed.
 *
 * The event list is a parameter (col_opts.papi_events, up to 3, default
 * PAPI_TOT_INS,PAPI_TOT_CYC,PAPI_L3_TCM) and every event goes through the same path,
 * so the tests count software events (perf::TASK-CLOCK, perf::CONTEXT-SWITCHES) on a
 * machine without a PMU and the plumbing is tested for real. Their rates go to
 * papi_ev1_ps..papi_ev3_ps in list order; ipc and papi_llc_mpki are derived when the
 * instruction, cycle and cache-miss presets are in the list.
 *
 * Software events on a machine where PAPI's perf_event component is disabled (libpfm4
 * finds no core PMU in this KVM guest, so PAPI 7 refuses even perf::TASK-CLOCK) are
 * opened with perf_event_open(2) directly, one fd per CPU and event, behind the same
 * per-CPU read: the list, deltas, columns and notes are one code path either way.
 *
 * Degraded: an event that does not exist (PAPI_ENOEVNT: in a VM whose hypervisor
 * hides the PMU, shared/reference.md) is left out and noted; when none exists the
 * source reports -ENOTSUP with the reason, which the sampler puts in the inventory
 * notes and `collect` prints once; the columns stay empty.
 *
 * libpapi.so.7.0 is loaded at open, not linked (ks_dl.h says why: PAPI and libpfm4,
 * whose event tables are relocated at load, were 2.6 MiB of the collector's peak
 * resident memory and 0.6 ms of every start, `kasane --help` included). KASANE_PAPI_SO
 * replaces its name (a test hook). A library that cannot be loaded makes the source
 * unavailable, noted like a missing PMU; software events still go to perf_event_open.
 * When the kernel exposes no hardware event at all, PAPI could count nothing here and
 * is not loaded (kernel_counts_hw): the collector of a VM without a PMU stays small.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <papi.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ks_dl.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */
#include "collect/col_source.h"

/* Every PAPI function this source calls, typed from papi.h. */
#define PP_FUNCS(X)                                                                                \
    X(PAPI_library_init)                                                                           \
    X(PAPI_get_component_info)                                                                     \
    X(PAPI_strerror)                                                                               \
    X(PAPI_create_eventset)                                                                        \
    X(PAPI_assign_eventset_component)                                                              \
    X(PAPI_set_opt)                                                                                \
    X(PAPI_add_named_event)                                                                        \
    X(PAPI_start)                                                                                  \
    X(PAPI_read)                                                                                   \
    X(PAPI_stop)                                                                                   \
    X(PAPI_cleanup_eventset)                                                                       \
    X(PAPI_destroy_eventset)                                                                       \
    X(PAPI_shutdown)

/* Filled once per process by ks_dl_load, read-only afterwards. */
static struct pp_api {
    PP_FUNCS(KS_DL_FIELD)
} pp;
#define PP_SYM(f) KS_DL_ENTRY(struct pp_api, f)
static const struct ks_dl_sym pp_syms[] = {PP_FUNCS(PP_SYM)};
static struct ks_dl_lib pp_lib =
    KS_DL_LIB(KS_SO_PAPI, "KASANE_PAPI_SO", KS_PKG_PAPI, &pp, pp_syms, NULL);

#define PAPI_MAXEV 3

struct papi_state {
    int *es;  /* one event set per CPU (PAPI backend) */
    int *fds; /* ncpu x PAPI_MAXEV perf_event fds (software backend), -1 unused */
    int ncpu;
    int nev;                    /* events added (all sets have the same) */
    int col[PAPI_MAXEV];        /* index in the list (papi_ev<N+1>_ps) of added event i */
    char name[PAPI_MAXEV][64];  /* added events */
    long long *prev;            /* ncpu x nev cumulative counts */
    int inited;
};

static const char papi_default_events[] = "PAPI_TOT_INS,PAPI_TOT_CYC,PAPI_L3_TCM";

static void
papi_close_src(void *state)
{
    struct papi_state *st = state;
    if (!st)
        return;
    for (int c = 0; st->es && c < st->ncpu; c++) {
        long long v[PAPI_MAXEV];
        if (st->es[c] == PAPI_NULL)
            continue;
        pp.PAPI_stop(st->es[c], v);
        pp.PAPI_cleanup_eventset(st->es[c]);
        pp.PAPI_destroy_eventset(&st->es[c]);
    }
    if (st->inited)
        pp.PAPI_shutdown();
    for (int i = 0; st->fds && i < st->ncpu * PAPI_MAXEV; i++)
        if (st->fds[i] >= 0)
            close(st->fds[i]);
    free(st->fds);
    free(st->es);
    free(st->prev);
    free(st);
}

/* An event set for one CPU, attached to it. */
static int
make_set(int cpu, int *es, struct ks_err *err)
{
    PAPI_option_t opt;
    int rc;
    *es = PAPI_NULL;
    if ((rc = pp.PAPI_create_eventset(es)) != PAPI_OK ||
        (rc = pp.PAPI_assign_eventset_component(*es, 0)) != PAPI_OK)
        return ks_errf(err, -ENOTSUP, "papi: event set: %s", pp.PAPI_strerror(rc));
    memset(&opt, 0, sizeof opt);
    opt.cpu.eventset = *es;
    opt.cpu.cpu_num = (unsigned)cpu;
    if ((rc = pp.PAPI_set_opt(PAPI_CPU_ATTACH, &opt)) != PAPI_OK)
        return ks_errf(err, -EACCES,
                       "papi: cannot count on CPU %d (%s): system-wide counting needs root "
                       "or kernel.perf_event_paranoid <= 0",
                       cpu, pp.PAPI_strerror(rc));
    return 0;
}

/* Why hardware events are missing, in the inventory's words. */
static const char *
no_pmu(const struct col_ctx *ctx)
{
    return ctx->inv && strcmp(ctx->inv->hypervisor, "none") != 0
               ? "no PMU: hypervisor hides counters"
               : "no PMU: events not available";
}

/* Add the listed events to CPU 0's set, keeping those that exist; then the same set
 * to the other CPUs. Returns the number added. */
static int
add_events(struct papi_state *st, const char *list, const struct col_ctx *ctx,
           struct ks_err *err)
{
    char missing[256] = "";
    int idx = 0;
    for (const char *p = list; *p && idx < PAPI_MAXEV; idx++) {
        size_t n = strcspn(p, ",");
        char ev[64];
        snprintf(ev, sizeof ev, "%.*s", (int)n, p);
        p += n + (p[n] == ',');
        int rc = pp.PAPI_add_named_event(st->es[0], ev);
        if (rc == PAPI_OK) {
            st->col[st->nev] = idx;
            snprintf(st->name[st->nev++], sizeof st->name[0], "%s", ev);
        } else {
            size_t k = strlen(missing);
            snprintf(missing + k, sizeof missing - k, "%s%s (%s)", k ? ", " : "", ev,
                     pp.PAPI_strerror(rc));
        }
    }
    const char *why = no_pmu(ctx);
    if (st->nev == 0)
        return ks_errf(err, -ENOTSUP, "papi: %s: %s; ipc left empty", why, missing);
    if (missing[0] && ctx->inv)
        col_inventory_note(ctx->inv, "papi: %s: %s", why, missing);
    for (int c = 1; c < st->ncpu; c++)
        for (int i = 0; i < st->nev; i++)
            if (pp.PAPI_add_named_event(st->es[c], st->name[i]) != PAPI_OK)
                return ks_errf(err, -ENOTSUP, "papi: %s on CPU %d failed", st->name[i], c);
    return st->nev;
}

/* perf's software events by their libpfm4 names (perf::NAME). */
static const struct {
    const char *name;
    unsigned long long config;
} sw_events[] = {
    {"perf::TASK-CLOCK", PERF_COUNT_SW_TASK_CLOCK},
    {"perf::CPU-CLOCK", PERF_COUNT_SW_CPU_CLOCK},
    {"perf::CONTEXT-SWITCHES", PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"perf::PAGE-FAULTS", PERF_COUNT_SW_PAGE_FAULTS},
    {"perf::CPU-MIGRATIONS", PERF_COUNT_SW_CPU_MIGRATIONS},
};

static int
sw_config(const char *name, unsigned long long *config)
{
    for (size_t i = 0; i < sizeof sw_events / sizeof *sw_events; i++)
        if (strcmp(sw_events[i].name, name) == 0) {
            *config = sw_events[i].config;
            return 0;
        }
    return -ENOENT;
}

/* The software backend: every listed event must be a perf software event. */
static int
sw_setup(struct papi_state *st, const char *list, struct ks_err *err)
{
    st->fds = ks_xmalloc((size_t)st->ncpu * PAPI_MAXEV * sizeof *st->fds);
    for (int i = 0; i < st->ncpu * PAPI_MAXEV; i++)
        st->fds[i] = -1;
    for (const char *p = list; *p && st->nev < PAPI_MAXEV;) {
        size_t n = strcspn(p, ",");
        struct perf_event_attr a = {.type = PERF_TYPE_SOFTWARE, .size = sizeof a};
        snprintf(st->name[st->nev], sizeof st->name[0], "%.*s", (int)n, p);
        p += n + (p[n] == ',');
        if (sw_config(st->name[st->nev], &a.config) < 0)
            return -ENOENT;
        for (int c = 0; c < st->ncpu; c++) {
            int fd = (int)syscall(SYS_perf_event_open, &a, -1, c, -1, 0);
            if (fd < 0)
                return ks_errf(err, -errno, "papi: %s on CPU %d: %s", st->name[st->nev], c,
                               strerror(errno));
            st->fds[c * PAPI_MAXEV + st->nev] = fd;
        }
        st->col[st->nev] = st->nev;
        st->nev++;
    }
    return st->nev ? 0 : -ENOENT;
}

/* Whether the kernel counts a hardware event at all: the instructions of this process,
 * user space only (allowed up to perf_event_paranoid 2). 0 with the reason when it
 * says there is no such event (ENOENT, EOPNOTSUPP, ENODEV: no PMU exposed, as in this
 * KVM guest); 1 when it counts or cannot tell (EACCES under a stricter paranoid
 * setting): then PAPI is asked. */
static int
kernel_counts_hw(char *why, size_t n)
{
    struct perf_event_attr a = {.type = PERF_TYPE_HARDWARE,
                                .size = sizeof a,
                                .config = PERF_COUNT_HW_INSTRUCTIONS,
                                .disabled = 1,
                                .exclude_kernel = 1,
                                .exclude_hv = 1};
    int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
    if (fd >= 0) {
        close(fd);
        return 1;
    }
    if (errno != ENOENT && errno != EOPNOTSUPP && errno != ENODEV)
        return 1;
    snprintf(why, n, "%s", strerror(errno));
    return 0;
}

static int
papi_setup(struct papi_state *st, const struct col_ctx *ctx, struct ks_err *err)
{
    /* Without hardware events PAPI's perf_event component (component 0, the one used
     * here) is disabled: loading PAPI only to hear that cost 2.6 MiB of resident
     * memory, more than the rest of the collector. A library named by KASANE_PAPI_SO is
     * still loaded and asked (the test hook; or a build that knows better). */
    char why[128];
    const char *so = getenv(pp_lib.env);
    if ((!so || !*so) && !kernel_counts_hw(why, sizeof why))
        return ks_errf(err, -ENOTSUP,
                       "papi: %s (the kernel counts no hardware event: %s, PAPI not loaded); "
                       "ipc left empty",
                       no_pmu(ctx), why);
    int rc = ks_dl_load(&pp_lib, err);
    if (rc < 0) {
        ks_err_prefix(err, "papi: ");
        return rc;
    }
    rc = pp.PAPI_library_init(PAPI_VER_CURRENT);
    if (rc != PAPI_VER_CURRENT)
        return ks_errf(err, -ENOTSUP, "papi: library init failed (%s)", pp.PAPI_strerror(rc));
    st->inited = 1;
    const PAPI_component_info_t *ci = pp.PAPI_get_component_info(0);
    if (ci && ci->disabled)
        return ks_errf(err, -ENOTSUP, "papi: %s (component %s disabled: %s); ipc left empty",
                       no_pmu(ctx), ci->name, ci->disabled_reason);
    for (int c = 0; c < st->ncpu; c++)
        if ((rc = make_set(c, &st->es[c], err)) < 0)
            return rc;
    const char *list = ctx->opts->papi_events ? ctx->opts->papi_events : papi_default_events;
    if ((rc = add_events(st, list, ctx, err)) < 0)
        return rc;
    for (int c = 0; c < st->ncpu; c++)
        if ((rc = pp.PAPI_start(st->es[c])) != PAPI_OK)
            return ks_errf(err, -ENOTSUP, "papi: start on CPU %d: %s", c, pp.PAPI_strerror(rc));
    return 0;
}

static int
papi_open_src(const struct col_ctx *ctx, void **state, struct ks_err *err)
{
    /* A --root tree is another machine (or a fixture): its counters are not ours. */
    if (ctx->opts->papi_off || ctx->opts->root)
        return COL_SRC_OFF;
    struct papi_state *st = ks_xcalloc(1, sizeof *st);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    st->ncpu = n > 0 ? (int)n : 1;
    st->es = ks_xmalloc((size_t)st->ncpu * sizeof *st->es);
    for (int c = 0; c < st->ncpu; c++)
        st->es[c] = PAPI_NULL;
    int rc = papi_setup(st, ctx, err);
    if (rc < 0) {
        /* PAPI cannot count them: software events still can, through perf itself */
        struct ks_err e2 = {0};
        const char *list = ctx->opts->papi_events ? ctx->opts->papi_events : "";
        papi_close_src(st);
        st = ks_xcalloc(1, sizeof *st);
        st->ncpu = n > 0 ? (int)n : 1;
        if (sw_setup(st, list, &e2) == 0) {
            col_inventory_note(ctx->inv, "%s; software events counted with perf_event_open",
                               err->msg);
            rc = 0;
        }
    }
    if (rc < 0) {
        papi_close_src(st);
        return rc;
    }
    st->prev = ks_xcalloc((size_t)st->ncpu * PAPI_MAXEV, sizeof *st->prev);
    *state = st;
    return 0;
}

static int
find_event(const struct papi_state *st, const char *name)
{
    for (int i = 0; i < st->nev; i++)
        if (strcmp(st->name[i], name) == 0)
            return i;
    return -1;
}

/* Cumulative counts of CPU c's events, whichever backend holds them. */
static int
read_cpu(const struct papi_state *st, int c, long long *v)
{
    if (!st->fds)
        return pp.PAPI_read(st->es[c], v) == PAPI_OK ? 0 : -EIO;
    for (int i = 0; i < st->nev; i++) {
        uint64_t x;
        if (read(st->fds[c * PAPI_MAXEV + i], &x, sizeof x) != (ssize_t)sizeof x)
            return -EIO;
        v[i] = (long long)x;
    }
    return 0;
}

static int
papi_sample(void *state, const struct col_ctx *ctx, struct col_snapshot *out,
            struct ks_err *err)
{
    struct papi_state *st = state;
    double sum[PAPI_MAXEV] = {0};
    for (int c = 0; c < st->ncpu; c++) {
        long long v[PAPI_MAXEV], *prev = st->prev + c * PAPI_MAXEV;
        int rc = read_cpu(st, c, v);
        if (rc < 0)
            return ks_errf(err, rc, "papi: read CPU %d failed", c);
        for (int i = 0; i < st->nev; i++) {
            sum[i] += v[i] >= prev[i] ? (double)(v[i] - prev[i]) : 0;
            prev[i] = v[i];
        }
    }
    if (isnan(ctx->dt_s))
        return 0;
    for (int i = 0; i < st->nev; i++)
        out->x[COL_X_PAPI_EV1_PS + st->col[i]] = sum[i] / ctx->dt_s;
    int ins = find_event(st, "PAPI_TOT_INS"), cyc = find_event(st, "PAPI_TOT_CYC");
    int llc = find_event(st, "PAPI_L3_TCM");
    if (ins >= 0 && cyc >= 0 && sum[cyc] > 0)
        out->m[KS_IPC] = sum[ins] / sum[cyc];
    if (ins >= 0 && llc >= 0 && sum[ins] > 0)
        out->x[COL_X_PAPI_LLC_MPKI] = sum[llc] * 1000.0 / sum[ins];
    return 0;
}

const struct col_source col_src_papi = {"papi", papi_open_src, papi_sample, papi_close_src};
