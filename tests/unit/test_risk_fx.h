/* The fixture of the risk unit tests that plan (test_risk_rules.c, test_risk_size.c):
 * a one-model catalog in a scratch directory and a policy that reserves nothing. */
#ifndef TEST_RISK_FX_H
#define TEST_RISK_FX_H

#include "model/mdl_risk.h"
#include "tests/unit/test_util.h"

/* One host of 4 x 1000 MHz and 12 GiB; nothing reserved (see policy()), so a host's
 * capacity is exactly 4000 MHz and 12288 MiB. */
static const char *CAT = "model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,"
                         "nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core\n"
                         "m4,1,4,1,1000,12,6,1,1,2000,100,200,1\n";
#define CAP_MHZ 4000.0

struct fx {
    char *dir;
    struct mdl_catalog *cat;
    struct ks_dataset *ds;
    struct mdl_rules *rules;
    struct mdl_policy pol;
    struct ks_err err;
};

static inline int
risk_setup(void **state)
{
    struct fx *f = ks_xcalloc(1, sizeof *f);
    char p[4096];
    f->dir = tu_tmpdir();
    tu_write(f->dir, "cat.csv", CAT);
    snprintf(p, sizeof p, "%s/cat.csv", f->dir);
    assert_int_equal(mdl_catalog_read(p, &f->cat, &f->err), 0);
    mdl_policy_defaults(&f->pol);
    f->pol.headroom_pct = 0;
    f->pol.ha = 0;
    f->pol.hv_cpu_pct = 0;
    f->pol.hv_mem_MiB = 0;
    f->pol.effort = 0.3;
    *state = f;
    return 0;
}

static inline int
risk_teardown(void **state)
{
    struct fx *f = *state;
    mdl_rules_free(f->rules);
    ks_dataset_free(f->ds);
    mdl_catalog_free(f->cat);
    mdl_policy_fini(&f->pol);
    tu_rmrf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

#endif
