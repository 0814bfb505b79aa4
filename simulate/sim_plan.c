/* sim_plan: configuration from a plan (see sim_plan.h). */
#include "simulate/sim_plan.h"

#include <errno.h>

int
sim_plan_config(const char *plan_dir, const char *host, const char *dataset_dir,
                const char *stat, const char *base_config, struct sim_config **out,
                struct ks_err *err)
{
    (void)plan_dir, (void)host, (void)dataset_dir, (void)stat, (void)base_config, (void)out;
    return ks_errf(err, -ENOSYS, "--plan: not built yet");
}
