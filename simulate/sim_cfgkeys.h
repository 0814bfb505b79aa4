/* sim_cfgkeys: the per-key setters of sim_config (one table per section). */
#ifndef SIM_CFGKEYS_H
#define SIM_CFGKEYS_H

#include "simulate/sim_config.h"

/* Apply one key of section ("sim", "device nvme0", ...). line is remembered for
 * checks made after the whole file is read. The message names neither file nor key:
 * the caller adds them. */
int sim_cfg_set_line(struct sim_config *c, const char *section, const char *key,
                     const char *value, int line, struct ks_err *err);

#endif
