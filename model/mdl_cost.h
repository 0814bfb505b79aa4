/*
 * mdl_cost: money. The total cost of ownership over the policy's horizon (`years`) of
 * two futures, each split into the same named lines:
 *
 *   status quo    keep the estate as it is: the physical boxes it runs on (each
 *                 physical source, and each hypervisor host of its VM sources, shared
 *                 among that host's VMs: mdl_cost_estate.h), their power and cooling,
 *                 a hardware support contract, the refresh they need anyway (1/life of
 *                 them replaced each year), OS licences, rack space and the admin work
 *                 per physical box;
 *   consolidated  buy the plan's hosts (capex at purchase: hosts, switch ports,
 *                 licences; migration labour), then run them: power at their measured
 *                 utilization, support once the warranty ends, licence maintenance and
 *                 subscriptions, the guests' OS licences, rack space, admin per host.
 *
 * Power of a box: watts_idle + (watts_max - watts_idle) x its mean CPU utilization
 * (linear, as SPECpower curves are nearly linear between idle and full load), x PUE x
 * price per kWh x 8,760 hours a year. Spare hosts idle; unknown utilization is idle.
 * Every figure is a policy key (mdl_policy.h, docs/model.md "Cost") with its source in
 * docs/model.md; the ones without a published source are marked there as assumptions.
 *
 * Year rows: row 0 holds what is paid at purchase, row k (1..ceil(years)) the running
 * cost of year k (the last one pro rata when years is fractional). No discounting: the
 * totals are plain sums, so anyone can add them up again from tco.csv.
 */
#ifndef MDL_COST_H
#define MDL_COST_H

#include <stddef.h>
#include <stdint.h>

#include "core/ks_dataset.h"
#include "model/mdl_catalog.h"
#include "model/mdl_policy.h"

#define MDL_HOURS_PER_YEAR 8760.0
#define MDL_COST_MAX_YEARS 100 /* the policy's range of `years` */

/* The named lines, in the order of tco.csv's columns. */
enum mdl_cost_line {
    MDL_COST_POWER,    /* power and cooling (PUE) */
    MDL_COST_SUPPORT,  /* hardware support contracts */
    MDL_COST_HARDWARE, /* status quo: refresh; consolidated: hosts and switch ports */
    MDL_COST_LICENCES, /* OS licences, licence maintenance, subscriptions */
    MDL_COST_RACK,     /* rack space */
    MDL_COST_ADMIN,    /* admin work per physical box; migration labour at purchase */
    MDL_COST_NLINES
};
const char *mdl_cost_line_name(enum mdl_cost_line l);

/* One side of the comparison (a value: no pointers, copy freely). */
struct mdl_cost_side {
    double years;                                      /* the horizon, 0..MAX_YEARS */
    size_t nyears;                                     /* ceil(years); rows 0..nyears */
    double y[MDL_COST_MAX_YEARS + 1][MDL_COST_NLINES]; /* per year and line */
    double line[MDL_COST_NLINES];                      /* each line over the horizon */
    double total;                                      /* everything over the horizon */
    double running_per_year;                           /* rows 1.. over years (0 if none) */
};

/* The consolidated side's inputs. */
struct mdl_cost_hosts {
    const struct mdl_model *m;
    int sockets;        /* populated per host */
    size_t nhosts;      /* spares included */
    const double *util; /* nhosts mean CPU busy shares 0-1 (NaN idle); NULL: all idle */
    size_t guests;      /* OS instances moved onto the hosts */
    double capex_hosts, capex_switch_ports, capex_licences;
};

/* The status quo's inputs for an all-physical estate: n servers; per-server watts
 * override the policy's source-watts-idle/max where given (NaN or a NULL array: the
 * policy's). */
struct mdl_cost_sources {
    size_t n;
    const double *util; /* n mean CPU busy shares 0-1, NaN unknown (idle); NULL all idle */
    const double *watts_idle, *watts_max;
};

/* One physical box of the status quo (a value): a physical source, or a hypervisor
 * host that VM sources run on. */
struct mdl_cost_box {
    double util;                  /* mean CPU busy share 0-1; NaN unknown (costed idle) */
    double watts_idle, watts_max; /* its own (inventory); NaN: the policy's */
    double share;                 /* the part of the box the plan moves, 0-1 */
    int is_host;                  /* 1: a hypervisor host, 0: a physical source */
    double sockets;               /* a host's populated sockets; NaN unknown (none counted) */
};

/* What the status quo stands on, by kind of source (mdl_cost_estate.h has the rules). */
struct mdl_cost_basis {
    size_t physical;    /* physical sources: a box each */
    size_t vms;         /* vm sources on a known host: a share of it each */
    size_t hosts;       /* the hosts under them: a box each, counted once */
    size_t vms_no_host; /* vm sources whose host is unknown: no hardware cost */
};

/* The status quo's inputs by box (mdl_cost_estate_build fills one from a dataset). */
struct mdl_cost_estate {
    size_t nbox;
    struct mdl_cost_box *box; /* nbox, owned (mdl_cost_estate_fini) */
    size_t guests;            /* vm sources: each keeps its guest OS licence */
    struct mdl_cost_basis basis;
};

/* Both sides, and when the consolidation pays back. */
struct mdl_tco {
    struct mdl_cost_side sq, plan;
    double payback_months;       /* see mdl_cost_breakeven_months */
    struct mdl_cost_basis basis; /* what the status quo side counts */
};

double mdl_power_W(double watts_idle, double watts_max, double util);
/* The status quo of an all-physical estate: each source a box of its own. */
void mdl_cost_status_quo(const struct mdl_cost_sources *in, const struct mdl_policy *pol,
                         struct mdl_cost_side *out);
/* The status quo by box: each box's per-box lines (power, support, refresh, rack, admin;
 * a physical source's OS licence, a host's per-socket subscription) times its share,
 * and every guest's OS licence (os-per-guest). */
void mdl_cost_status_quo_estate(const struct mdl_cost_estate *in, const struct mdl_policy *pol,
                                struct mdl_cost_side *out);
void mdl_cost_consolidated(const struct mdl_cost_hosts *in, const struct mdl_policy *pol,
                           struct mdl_cost_side *out);
/* The same with each host's own model and sockets (in->nhosts entries; a zone with its
 * own host model, docs/rules.md): power, rack units and per-socket subscriptions per
 * host. host_m NULL: every host is in->m with in->sockets. */
void mdl_cost_consolidated_mixed(const struct mdl_cost_hosts *in,
                                 const struct mdl_model *const *host_m, const int *host_sockets,
                                 const struct mdl_policy *pol, struct mdl_cost_side *out);
/* Month (fractional, from purchase) at which the consolidated side's cumulative cost
 * first falls to the status quo's. Within the horizon the curves are piecewise linear
 * per year, so the crossing is exact; past it, the last year's rates are extended.
 * 0 when the plan costs nothing up front and no more per year; NaN when it never
 * catches up (or the horizon is 0 and nothing is saved). */
double mdl_cost_breakeven_months(const struct mdl_cost_side *sq, const struct mdl_cost_side *plan);
/* Per-server watts from optional inventory columns `watts_idle` and `watts_max` of the
 * dataset entities ent[0..n) (empty or absent: NaN, i.e. the policy's figure). The
 * arrays are caller-allocated, n entries each. A value that is not a number >= 0 is an
 * error naming the entity and column. */
int mdl_cost_source_watts(const struct ks_dataset *ds, const uint32_t *ent, size_t n,
                          double *watts_idle, double *watts_max, struct ks_err *err);
/* tco.csv in dir: year,side,<lines>,total,cumulative; rows 0..nyears of the status quo,
 * then of the plan. */
int mdl_cost_write(const struct mdl_tco *t, const char *dir, struct ks_err *err);

#endif
