/* Snapshot storage: arrays grow to the machine's size on the first samples and are
 * reused after, so a steady-state sample allocates nothing. */
#include "collect/col_snapshot.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const col_extra_names[COL_NX] = {
    "cpu_user_pct",   "cpu_system_pct", "cpu_iowait_pct", "cpu_guest_pct",  "cpu_online",
    "mem_cached_MiB", "swap_used_MiB",  "swap_total_MiB", "mem_pgin_KiBps", "mem_pgout_KiBps",
    "net_rx_err_ps",  "net_tx_err_ps",  "net_rx_drop_ps", "net_tx_drop_ps", "gap_s",
};

void
col_snapshot_init(struct col_snapshot *s)
{
    memset(s, 0, sizeof *s);
    col_snapshot_clear(s);
}

void
col_snapshot_fini(struct col_snapshot *s)
{
    free(s->cpu);
    free(s->disk);
    free(s->nic);
    free(s->ents);
    memset(s, 0, sizeof *s);
}

void
col_snapshot_clear(struct col_snapshot *s)
{
    s->time_s = s->mono_s = s->interval_s = s->uptime_s = NAN;
    s->baseline = 0;
    for (int i = 0; i < KS_NMETRIC; i++)
        s->m[i] = NAN;
    for (int i = 0; i < COL_NX; i++)
        s->x[i] = NAN;
    s->ncpu = s->ndisk = s->nnic = s->nents = 0;
    s->events[0] = '\0';
}

void
col_list_appendf(char *buf, size_t cap, const char *sep, const char *fmt, va_list ap)
{
    size_t n = strlen(buf), k = n ? strlen(sep) : 0;
    if (n + k + 1 >= cap)
        return;
    memcpy(buf + n, sep, k);
    vsnprintf(buf + n + k, cap - n - k, fmt, ap);
}

void
col_snapshot_event(struct col_snapshot *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    col_list_appendf(s->events, sizeof s->events, ";", fmt, ap);
    va_end(ap);
}

struct col_cpu_row *
col_snapshot_add_cpu(struct col_snapshot *s)
{
    s->cpu = ks_xgrow(s->cpu, &s->cpu_cap, s->ncpu + 1, sizeof *s->cpu);
    memset(&s->cpu[s->ncpu], 0, sizeof *s->cpu);
    return &s->cpu[s->ncpu++];
}

struct col_disk_row *
col_snapshot_add_disk(struct col_snapshot *s)
{
    s->disk = ks_xgrow(s->disk, &s->disk_cap, s->ndisk + 1, sizeof *s->disk);
    memset(&s->disk[s->ndisk], 0, sizeof *s->disk);
    return &s->disk[s->ndisk++];
}

struct col_nic_row *
col_snapshot_add_nic(struct col_snapshot *s)
{
    s->nic = ks_xgrow(s->nic, &s->nic_cap, s->nnic + 1, sizeof *s->nic);
    memset(&s->nic[s->nnic], 0, sizeof *s->nic);
    return &s->nic[s->nnic++];
}

struct col_entity_row *
col_snapshot_add_entity(struct col_snapshot *s, const char *entity)
{
    s->ents = ks_xgrow(s->ents, &s->ents_cap, s->nents + 1, sizeof *s->ents);
    struct col_entity_row *e = &s->ents[s->nents++];
    memset(e, 0, sizeof *e);
    snprintf(e->entity, sizeof e->entity, "%s", entity);
    e->kind = "vm";
    e->vcpus = -1;
    e->mem_MiB = NAN;
    for (int i = 0; i < KS_NMETRIC; i++)
        e->m[i] = NAN;
    for (int i = 0; i < COL_NX; i++)
        e->x[i] = NAN;
    return e;
}
