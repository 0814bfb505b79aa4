/*
 * mdl_cost: money. Capex (hosts, licences, switch ports), opex per year (power and
 * rack space), the status quo's opex, payback.
 *
 * Power of a host: watts_idle + (watts_max - watts_idle) x its mean CPU utilization
 * (linear model, as SPECpower curves are nearly linear between idle and full load),
 * times PUE, times the price per kWh, over 8,760 hours a year. Spare hosts idle.
 * Status quo: every source is taken to be one server today (the physical-to-virtual
 * case of the seed article), drawing source_watts_idle + (source_watts_max -
 * source_watts_idle) x its mean utilization (idle when unknown), in one rack unit, with
 * source_upkeep_per_year of maintenance. These defaults are assumptions, not
 * measurements: they are written to policy.csv and can be overridden.
 */
#ifndef MDL_COST_H
#define MDL_COST_H

#include <stddef.h>

#include "model/mdl_catalog.h"
#include "model/mdl_policy.h"

#define MDL_HOURS_PER_YEAR 8760.0

double mdl_power_W(double watts_idle, double watts_max, double util);
/* Opex per year of nhosts hosts of model m with mean utilizations util[0..nhosts). */
double mdl_opex_per_year(const struct mdl_model *m, const double *util, size_t nhosts,
                         const struct mdl_policy *pol);
/* Opex per year of the n source servers today (util may hold NaN). */
double mdl_status_quo_per_year(const double *util, size_t n, const struct mdl_policy *pol);
/* Months until the savings repay the capex; NaN when nothing is saved. */
double mdl_payback_months(double capex, double savings_per_year);

#endif
