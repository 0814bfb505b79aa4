/*
 * The model is filled by a feed and read by the renderer. The history ring and the
 * demand vectors are the only state that outlives one sample.
 */
#include "tui/tui_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_util.h"

void
tui_ring_clear(struct tui_ring *r)
{
    r->n = 0;
    r->head = 0;
}

void
tui_ring_push(struct tui_ring *r, double v)
{
    r->v[r->head] = v;
    r->head = (r->head + 1) % TUI_HIST_CAP;
    if (r->n < TUI_HIST_CAP)
        r->n++;
}

double
tui_ring_back(const struct tui_ring *r, size_t i)
{
    if (i >= r->n)
        return ks_nan();
    return r->v[(r->head + TUI_HIST_CAP - 1 - i) % TUI_HIST_CAP];
}

void
tui_strlcpy(char *dst, const char *s, size_t n)
{
    if (n == 0)
        return;
    size_t len = s ? strlen(s) : 0;
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, s, len);
    dst[len] = '\0';
}

void
tui_cpu_unknown(struct tui_cpu *c, const char *name)
{
    tui_strlcpy(c->name, name, sizeof c->name);
    c->user_pct = c->system_pct = c->iowait_pct = ks_nan();
    c->steal_pct = c->busy_pct = ks_nan();
}

void
tui_model_init(struct tui_model *m)
{
    memset(m, 0, sizeof *m);
    double nan = ks_nan();
    m->uptime_s = m->interval_s = m->time_s = nan;
    tui_cpu_unknown(&m->cpu_all, "all");
    m->cpu_MHz = nan;
    m->mem_used_MiB = m->mem_total_MiB = m->swap_used_MiB = m->swap_total_MiB = nan;
    m->disk_KiBps = m->net_KiBps = nan;
    m->ipc = m->llc_miss_ps = m->flow_time_s = nan;
    m->cores = m->threads = m->core_MHz = nan;
}

void
tui_model_fini(struct tui_model *m)
{
    free(m->cpu.v);
    free(m->disk.v);
    free(m->nic.v);
    free(m->vm.v);
    free(m->flow.v);
    free(m->dem_cpu_MHz.v);
    free(m->dem_mem_MiB.v);
    memset(m, 0, sizeof *m);
}

void
tui_model_clear_lists(struct tui_model *m)
{
    m->cpu.n = m->disk.n = m->nic.n = m->vm.n = m->flow.n = 0;
    m->vm_note[0] = m->flow_note[0] = m->counters_note[0] = '\0';
    m->flow_time_s = ks_nan();
}

void
tui_model_clear_history(struct tui_model *m)
{
    for (int h = 0; h < TUI_NHIST; h++)
        tui_ring_clear(&m->hist[h]);
    m->dem_cpu_MHz.n = m->dem_mem_MiB.n = 0;
}

/* Grow vec by one zeroed element and return a pointer to it. A macro because the
 * vectors differ in element type; the growth itself is ks_xgrow's. */
#define VEC_ADD(vec)                                                                               \
    ((vec).v = ks_xgrow((vec).v, &(vec).cap, (vec).n + 1, sizeof *(vec).v),                        \
     memset(&(vec).v[(vec).n], 0, sizeof *(vec).v), &(vec).v[(vec).n++])

struct tui_cpu *
tui_model_add_cpu(struct tui_model *m)
{
    return VEC_ADD(m->cpu);
}

struct tui_disk *
tui_model_add_disk(struct tui_model *m)
{
    return VEC_ADD(m->disk);
}

struct tui_nic *
tui_model_add_nic(struct tui_model *m)
{
    return VEC_ADD(m->nic);
}

struct tui_vm *
tui_model_add_vm(struct tui_model *m)
{
    return VEC_ADD(m->vm);
}

struct tui_flow *
tui_model_add_flow(struct tui_model *m)
{
    return VEC_ADD(m->flow);
}

void
tui_model_add_demand(struct tui_model *m, double cpu_MHz, double mem_MiB)
{
    *VEC_ADD(m->dem_cpu_MHz) = cpu_MHz;
    *VEC_ADD(m->dem_mem_MiB) = mem_MiB;
}

/* Sum of two rates where either may be unknown: unknown only when both are. */
static double
sum2(double a, double b)
{
    if (ks_isnan(a))
        return b;
    if (ks_isnan(b))
        return a;
    return a + b;
}

void
tui_model_push_history(struct tui_model *m)
{
    double mem_pct = ks_nan();
    if (!ks_isnan(m->mem_used_MiB) && m->mem_total_MiB > 0)
        mem_pct = 100.0 * m->mem_used_MiB / m->mem_total_MiB;
    double disk = m->disk_KiBps, net = m->net_KiBps;
    for (size_t i = 0; ks_isnan(m->disk_KiBps) && i < m->disk.n; i++)
        disk = sum2(disk, sum2(m->disk.v[i].read_KiBps, m->disk.v[i].write_KiBps));
    for (size_t i = 0; ks_isnan(m->net_KiBps) && i < m->nic.n; i++)
        net = sum2(net, sum2(m->nic.v[i].rx_KiBps, m->nic.v[i].tx_KiBps));
    tui_ring_push(&m->hist[TUI_H_CPU], m->cpu_all.busy_pct);
    tui_ring_push(&m->hist[TUI_H_MEM], mem_pct);
    tui_ring_push(&m->hist[TUI_H_DISK], disk);
    tui_ring_push(&m->hist[TUI_H_NET], net);
}

void
tui_virt_text(const char *hypervisor, const char *kind, char *buf, size_t n)
{
    int host = kind && strcmp(kind, "host") == 0;
    int none = hypervisor && strcmp(hypervisor, "none") == 0;
    if (!hypervisor || !*hypervisor)
        tui_strlcpy(buf, host ? "hypervisor host" : "", n);
    else if (none)
        tui_strlcpy(buf, host ? "hypervisor host" : "bare metal", n);
    else
        snprintf(buf, n, "%s %s", hypervisor, host ? "host" : "guest");
}

const char *const tui_counter_words[] = {"PMU", "counter", "PAPI", "papi", NULL};

/* Notes are ';'-separated and mostly about other things: the first that names one of
 * the words wins. */
int
tui_inventory_note(const char *notes, const char *const *words, char *buf, size_t n)
{
    while (notes && *notes) {
        notes += strspn(notes, " ");
        size_t len = strcspn(notes, ";");
        for (int w = 0; words[w]; w++) {
            const char *hit = strstr(notes, words[w]);
            if (hit && hit < notes + len) {
                snprintf(buf, n, "%.*s (inventory notes)", (int)len, notes);
                return 1;
            }
        }
        notes += len + (notes[len] == ';');
    }
    return 0;
}
