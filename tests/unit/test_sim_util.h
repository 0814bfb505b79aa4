/* Helpers shared by the simulator's unit tests: a configuration from text, a run on one
 * thread. Both fail the current cmocka test with the reader's message. Include after
 * <cmocka.h>. */
#ifndef TEST_SIM_UTIL_H
#define TEST_SIM_UTIL_H

#include "simulate/sim_config.h"
#include "simulate/sim_run.h"

static inline struct sim_config *
cfg(const char *text)
{
    struct sim_config *c = NULL;
    struct ks_err err = {0};
    if (sim_config_read_string(text, "test.ini", &c, &err) < 0)
        fail_msg("%s", err.msg);
    return c;
}

static inline struct sim_result *
run(const struct sim_config *c)
{
    struct sim_run_opts o = {.threads = 1};
    struct sim_result *r = NULL;
    struct ks_err err = {0};
    if (sim_run(c, &o, &r, &err) < 0)
        fail_msg("%s", err.msg);
    return r;
}

#endif
