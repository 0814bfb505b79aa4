/* Total cost of ownership, status quo against consolidated (see mdl_cost.h). */
#include "model/mdl_cost.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_table.h"

static const char *const LINE_NAMES[MDL_COST_NLINES] = {"power",    "support", "hardware",
                                                        "licences", "rack",    "admin"};

const char *
mdl_cost_line_name(enum mdl_cost_line l)
{
    return l < MDL_COST_NLINES ? LINE_NAMES[l] : "?";
}

double
mdl_power_W(double watts_idle, double watts_max, double util)
{
    if (isnan(util) || util < 0)
        util = 0;
    if (util > 1)
        util = 1;
    return watts_idle + (watts_max - watts_idle) * util;
}

/* Cost of drawing `watts` for one whole year, cooling included. */
static double
energy_per_year(double watts, const struct mdl_policy *pol)
{
    return watts * MDL_HOURS_PER_YEAR / 1000 * pol->pue * pol->power_price_per_kWh;
}

/* Share of year k (1-based) inside the horizon: 1, or the last year's fraction. */
static double
year_share(double years, size_t k)
{
    double left = years - (double)(k - 1);
    return left >= 1 ? 1 : left > 0 ? left : 0;
}

/* Length of [a, b] that lies at or after t0 (years). */
static double
after(double a, double b, double t0)
{
    double lo = a > t0 ? a : t0;
    return b > lo ? b - lo : 0;
}

/* Line totals, grand total and the mean running cost a year, from the rows already
 * filled in. Row 0 (purchase) counts in the totals but not in the running cost: a
 * manager compares "what it costs to run" a year, and the purchase apart. */
static void
side_sums(struct mdl_cost_side *s, double years)
{
    memset(s->line, 0, sizeof s->line);
    s->total = 0;
    double running = 0;
    for (size_t k = 0; k <= s->nyears; k++)
        for (int l = 0; l < MDL_COST_NLINES; l++) {
            s->line[l] += s->y[k][l];
            s->total += s->y[k][l];
            running += k ? s->y[k][l] : 0;
        }
    s->running_per_year = years > 0 ? running / years : 0;
}

/* An empty side over `years`, clamped to what the row array holds (the policy allows no
 * more; a caller's struct might). NaN or negative years mean no year at all. */
static void
side_init(struct mdl_cost_side *s, double years)
{
    memset(s, 0, sizeof *s);
    if (!(years > 0))
        years = 0;
    if (years > MDL_COST_MAX_YEARS)
        years = MDL_COST_MAX_YEARS;
    s->years = years;
    s->nyears = (size_t)ceil(years);
}

/* Guests' OS cost per year: their own key, or the source servers' when unset. */
static double
guest_os(const struct mdl_policy *pol)
{
    return isnan(pol->os_per_guest) ? pol->os_per_server : pol->os_per_guest;
}

/* Status quo. Support: a fleet refreshed every `life` years with `warranty` years of
 * warranty on each new box has (life - warranty) / life of its servers out of warranty
 * at any time (all of them when nothing is refreshed); those pay support_pct of the
 * server price a year. Refresh: 1/life of the servers replaced each year (IDC: "20%
 * hardware refresh per year" for a five-year cycle). Every per-box figure is weighed by
 * the box's share, so a host whose VMs all move counts once, whatever their number. */
void
mdl_cost_status_quo_estate(const struct mdl_cost_estate *in, const struct mdl_policy *pol,
                           struct mdl_cost_side *out)
{
    side_init(out, pol->years);
    double watts = 0, boxes = 0, os = (double)in->guests * guest_os(pol);
    double life = pol->source_life_years;
    for (size_t i = 0; i < in->nbox; i++) {
        const struct mdl_cost_box *b = &in->box[i];
        double wi = isnan(b->watts_idle) ? pol->source_watts_idle : b->watts_idle;
        double wm = isnan(b->watts_max) ? pol->source_watts_max : b->watts_max;
        watts += b->share * mdl_power_W(wi, wm, b->util);
        boxes += b->share;
        if (!b->is_host)
            os += b->share * pol->os_per_server;
        else if (!isnan(b->sockets))
            os += b->share * b->sockets * pol->subscription_per_socket;
    }
    double oow = life > 0 ? fmax(0, life - pol->warranty_years) / life : 1;
    double per_year[MDL_COST_NLINES] = {
        [MDL_COST_POWER] = energy_per_year(watts, pol),
        [MDL_COST_SUPPORT] = boxes * (pol->source_price * pol->support_pct / 100 * oow +
                                      pol->source_upkeep_per_year),
        [MDL_COST_HARDWARE] = life > 0 ? boxes * pol->source_price / life : 0,
        [MDL_COST_LICENCES] = os,
        [MDL_COST_RACK] = boxes * pol->source_rack_U * pol->rack_unit_price_per_year,
        [MDL_COST_ADMIN] = boxes * pol->admin_hours * pol->admin_hour_price,
    };
    for (size_t k = 1; k <= out->nyears; k++)
        for (int l = 0; l < MDL_COST_NLINES; l++)
            out->y[k][l] = per_year[l] * year_share(out->years, k);
    side_sums(out, out->years);
}

void
mdl_cost_status_quo(const struct mdl_cost_sources *in, const struct mdl_policy *pol,
                    struct mdl_cost_side *out)
{
    struct mdl_cost_estate e = {.nbox = in->n, .basis.physical = in->n};
    e.box = ks_xmalloc((in->n ? in->n : 1) * sizeof *e.box);
    for (size_t i = 0; i < in->n; i++)
        e.box[i] = (struct mdl_cost_box){
            .util = in->util ? in->util[i] : NAN,
            .watts_idle = in->watts_idle ? in->watts_idle[i] : NAN,
            .watts_max = in->watts_max ? in->watts_max[i] : NAN,
            .share = 1,
            .sockets = NAN,
        };
    mdl_cost_status_quo_estate(&e, pol, out);
    free(e.box);
}

/* Consolidated. Purchase (row 0): hosts and switch ports, licences, migration labour.
 * Each year: power at the hosts' utilization, support on the hosts once their warranty
 * is over, licence maintenance + subscriptions + the guests' OS, rack, admin. */
void
mdl_cost_consolidated(const struct mdl_cost_hosts *in, const struct mdl_policy *pol,
                      struct mdl_cost_side *out)
{
    mdl_cost_consolidated_mixed(in, NULL, NULL, pol, out);
}

void
mdl_cost_consolidated_mixed(const struct mdl_cost_hosts *in,
                            const struct mdl_model *const *host_m, const int *host_sockets,
                            const struct mdl_policy *pol, struct mdl_cost_side *out)
{
    side_init(out, pol->years);
    double watts = 0, h = (double)in->nhosts, guests = (double)in->guests;
    double sockets = 0, rack_U = 0; /* summed over the hosts */
    for (size_t i = 0; i < in->nhosts; i++) {
        const struct mdl_model *m = host_m ? host_m[i] : in->m;
        watts += mdl_power_W(m->watts_idle, m->watts_max, in->util ? in->util[i] : 0);
        sockets += host_m ? host_sockets[i] : in->sockets;
        rack_U += m->rack_U;
    }
    out->y[0][MDL_COST_HARDWARE] = in->capex_hosts + in->capex_switch_ports;
    out->y[0][MDL_COST_LICENCES] = in->capex_licences;
    out->y[0][MDL_COST_ADMIN] = guests * pol->migration_hours * pol->admin_hour_price;
    double per_year[MDL_COST_NLINES] = {
        [MDL_COST_POWER] = energy_per_year(watts, pol),
        [MDL_COST_LICENCES] = in->capex_licences * pol->licence_maint_pct / 100 +
                              guests * guest_os(pol) +
                              sockets * pol->subscription_per_socket,
        [MDL_COST_RACK] = rack_U * pol->rack_unit_price_per_year,
        [MDL_COST_ADMIN] = h * pol->admin_hours * pol->admin_hour_price,
    };
    double support = in->capex_hosts * pol->support_pct / 100;
    for (size_t k = 1; k <= out->nyears; k++) {
        double f = year_share(out->years, k);
        for (int l = 0; l < MDL_COST_NLINES; l++)
            out->y[k][l] = per_year[l] * f;
        out->y[k][MDL_COST_SUPPORT] =
            support * after((double)(k - 1), (double)(k - 1) + f, pol->warranty_years);
    }
    side_sums(out, out->years);
}

/* Everything paid in row k of one side. */
static double
row_sum(const struct mdl_cost_side *s, size_t k)
{
    double v = 0;
    for (int l = 0; l < MDL_COST_NLINES; l++)
        v += s->y[k][l];
    return v;
}

double
mdl_cost_breakeven_months(const struct mdl_cost_side *sq, const struct mdl_cost_side *plan)
{
    double gap = row_sum(plan, 0) - row_sum(sq, 0); /* what the plan is behind */
    if (gap <= 0)
        return 0;
    size_t n = sq->nyears < plan->nyears ? sq->nyears : plan->nyears;
    double t = 0, rate = 0; /* years so far; savings per year in the latest year */
    for (size_t k = 1; k <= n; k++) {
        double f = year_share(sq->years, k), saved = row_sum(sq, k) - row_sum(plan, k);
        if (f <= 0) /* rows past a fractional horizon: nothing there */
            break;
        if (saved >= gap) /* both cumulative curves are straight within a year */
            return (t + f * gap / saved) * 12;
        gap -= saved;
        t += f;
        rate = saved / f;
    }
    return rate > 0 ? (t + gap / rate) * 12 : NAN;
}

/* One optional inventory figure: NaN when absent or empty, an error when not a
 * non-negative number. */
static int
inv_watts(const struct ks_dataset *ds, uint32_t e, const char *col, double *out, struct ks_err *err)
{
    const char *v = ks_inv_str(ds, e, col);
    *out = NAN;
    if (!v || !*v)
        return 0;
    if (ks_parse_double(v, out) < 0 || *out < 0)
        return ks_errf(err, -EINVAL, "inventory.csv: entity '%s': %s '%s': want watts >= 0",
                       ks_dataset_entity(ds, e), col, v);
    return 0;
}

int
mdl_cost_source_watts(const struct ks_dataset *ds, const uint32_t *ent, size_t n,
                      double *watts_idle, double *watts_max, struct ks_err *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = inv_watts(ds, ent[i], "watts_idle", &watts_idle[i], err);
        if (rc == 0)
            rc = inv_watts(ds, ent[i], "watts_max", &watts_max[i], err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* One side's rows: year, side, the lines, the row's total and the running sum. */
static void
put_side(struct ks_table *t, const struct mdl_cost_side *s, const char *side)
{
    double cum = 0;
    for (size_t k = 0; k <= s->nyears; k++) {
        size_t r = ks_table_add_row(t);
        double row = row_sum(s, k);
        cum += row;
        ks_table_set_num(t, r, 0, (double)k);
        ks_table_set(t, r, 1, side);
        for (int l = 0; l < MDL_COST_NLINES; l++)
            ks_table_set_num(t, r, 2 + l, round(s->y[k][l] * 100) / 100);
        ks_table_set_num(t, r, 2 + MDL_COST_NLINES, round(row * 100) / 100);
        ks_table_set_num(t, r, 3 + MDL_COST_NLINES, round(cum * 100) / 100);
    }
}

/* Cells are rounded to cents: the file is for people and spreadsheets, and sums of its
 * rows then match summary.csv's totals to the cent. */
int
mdl_cost_write(const struct mdl_tco *tco, const char *dir, struct ks_err *err)
{
    const char *cols[4 + MDL_COST_NLINES] = {"year", "side"};
    for (int l = 0; l < MDL_COST_NLINES; l++)
        cols[2 + l] = LINE_NAMES[l];
    cols[2 + MDL_COST_NLINES] = "total";
    cols[3 + MDL_COST_NLINES] = "cumulative";
    struct ks_table t;
    char path[4096];
    ks_table_init(&t, cols, 4 + MDL_COST_NLINES);
    put_side(&t, &tco->sq, "status_quo");
    put_side(&t, &tco->plan, "consolidated");
    snprintf(path, sizeof path, "%s/tco.csv", dir);
    int rc = ks_table_write_sheet(&t, path, err);
    ks_table_fini(&t);
    return rc;
}
