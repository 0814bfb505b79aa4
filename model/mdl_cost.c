/* Cost model (see mdl_cost.h). */
#include "model/mdl_cost.h"

#include <math.h>

double
mdl_power_W(double watts_idle, double watts_max, double util)
{
    if (isnan(util) || util < 0)
        util = 0;
    if (util > 1)
        util = 1;
    return watts_idle + (watts_max - watts_idle) * util;
}

static double
energy_cost(double watts, const struct mdl_policy *pol)
{
    return watts * MDL_HOURS_PER_YEAR / 1000 * pol->pue * pol->power_price_per_kWh;
}

double
mdl_opex_per_year(const struct mdl_model *m, const double *util, size_t nhosts,
                  const struct mdl_policy *pol)
{
    double w = util ? 0 : (double)nhosts * m->watts_idle; /* no utilization: idle */
    for (size_t h = 0; util && h < nhosts; h++)
        w += mdl_power_W(m->watts_idle, m->watts_max, util[h]);
    return energy_cost(w, pol) + (double)nhosts * m->rack_U * pol->rack_unit_price_per_year;
}

double
mdl_status_quo_per_year(const double *util, size_t n, const struct mdl_policy *pol)
{
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w += mdl_power_W(pol->source_watts_idle, pol->source_watts_max, util[i]);
    return energy_cost(w, pol) +
           (double)n * (pol->source_upkeep_per_year + pol->rack_unit_price_per_year);
}

double
mdl_payback_months(double capex, double savings_per_year)
{
    return savings_per_year > 0 ? capex / savings_per_year * 12 : NAN;
}
