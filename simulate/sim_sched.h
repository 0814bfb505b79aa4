/*
 * sim_sched: the VMs' compute load and the host's scheduler, part of one replication
 * (sim_rep.h). A VM's bursts arrive as a Poisson stream, run on its vCPU threads and
 * hold a host core one slice at a time; docs/sim.md, "Compute load", says what is and
 * is not modelled.
 */
#ifndef SIM_SCHED_H
#define SIM_SCHED_H

#include <stdint.h>

#include "simulate/sim_rep.h"

/* The VMs' compute streams for replication rep of seed: the first burst of every VM
 * with a load is scheduled; out->vm receives the VMs' statistics. */
void sim_sched_setup(struct rep *r, uint64_t seed, uint64_t rep, struct sim_rep *out);
/* Move burst j on (wait for a vCPU thread, then a core, then run a slice). */
void sim_sched_advance(struct rep *r, struct job *j);
/* Burst j's slice is over (EV_SLICE). */
void sim_sched_slice_end(struct rep *r, struct job *j);
/* VM v's next burst arrives (EV_BURST). */
void sim_sched_arrival(struct rep *r, struct vmrt *v);

#endif
