/*
 * mdl_cost_estate: the boxes the status quo pays for, by kind of source (issue 19: a VM
 * is not a physical box).
 *
 *   physical  a box of its own, costed whole: power at its own mean use, support,
 *             refresh, its OS licence (os-per-server), rack, admin.
 *   vm        a share of the hypervisor host it runs on. Its inventory column `host`
 *             names the host, an inventory row of kind `host` (as the libvirt collector
 *             writes them: col_writer.c). The host is one box with the same lines as a
 *             physical one (its own `watts_idle`/`watts_max`, its mean `cpu_pct` over
 *             its samples, else idle; no OS licence of its own, but its `sockets` x
 *             subscription-per-socket as after consolidation), split among all the
 *             dataset's VMs on it in proportion to their allocated vCPUs: `threads`,
 *             else `cores` (the libvirt collector writes the vCPU count in `threads`,
 *             RVTools' importer in both). A VM without a count weighs the mean of the
 *             counted VMs on its host (1 each when none is counted). The host's share
 *             in the status quo is the sum of the moved VMs' shares: all of its VMs
 *             moved = the host once, whatever their number; VMs kept by an exclude rule
 *             keep theirs. Each VM keeps its guest OS licence (os-per-guest), which the
 *             consolidated side pays the same way.
 *             A VM whose `host` is empty, or names no row of kind host, has no hardware
 *             cost at all (never a silent physical box); the basis counts it in
 *             vms_no_host, and plan and report say how many. Its OS licence stays, as
 *             on the consolidated side.
 *   host      not a source (mdl_demand.c); a box only through its VMs.
 *
 * Why vCPUs and not memory: the box's costs follow its cores. Power above idle is CPU
 * load, a host is bought and licensed by its cores (per-core licences, per-socket
 * subscriptions), and the vCPU count is the same in every VM source (libvirt's
 * nrVirtCpu, RVTools' CPUs) where memory is not (a balloon's current size in libvirt,
 * the configured size in RVTools). Memory would weigh a big-memory, few-vCPU VM more;
 * for the totals it matters only when some of a host's VMs stay (an exclude rule).
 */
#ifndef MDL_COST_ESTATE_H
#define MDL_COST_ESTATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ks_dataset.h"
#include "model/mdl_cost.h"

/* Largest vCPU count taken as a VM's weight: far above any hypervisor's limit per VM;
 * it keeps the sums of weights finite for hostile inputs (1e308). */
#define MDL_COST_MAX_VCPUS 1e6

/* The boxes of the sources ent[0..n) of ds (util: their mean CPU busy shares, NaN
 * unknown; NULL all unknown): physical sources first in ent's order, then the hosts
 * under the VMs in inventory order. out is caller storage, filled here; free its boxes
 * with mdl_cost_estate_fini (also after an error). Errors name the inventory line,
 * entity and column: a host's watts that are not a number >= 0, a vCPU count outside
 * 1..MDL_COST_MAX_VCPUS on a VM with a known host. */
int mdl_cost_estate_build(const struct ks_dataset *ds, const uint32_t *ent, size_t n,
                          const double *util, struct mdl_cost_estate *out, struct ks_err *err);
void mdl_cost_estate_fini(struct mdl_cost_estate *e);

#endif
