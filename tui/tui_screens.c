/*
 * VMs, Flows, Counters and Fit. Each body is drawn in full on a tall canvas; the
 * renderer scrolls it, so the screens need no knowledge of the window size.
 */
#include "tui/tui_screens.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_util.h"
#include "tui/tui_draw.h"
#include "tui/tui_render.h"

/* ---- VMs --------------------------------------------------------------------------- */

#define VM_COL(t, w, d, f)                                                                         \
    {                                                                                              \
        t, w, d, offsetof(struct tui_vm, f)                                                        \
    }
static const struct tui_col vm_cols[] = {
    VM_COL("vCPUs", 6, 0, vcpus),          VM_COL("CPU%", 7, 1, cpu_pct),
    VM_COL("mem MiB", 10, 0, mem_MiB),     VM_COL("disk KiB/s", 12, 1, disk_KiBps),
    VM_COL("net KiB/s", 12, 1, net_KiBps),
};
/* The column each VM sort order uses (TUI_VSORT_*; name has none). */
static const size_t vm_sort_off[TUI_NSORT_VMS] = {
    offsetof(struct tui_vm, cpu_pct), offsetof(struct tui_vm, mem_MiB),
    offsetof(struct tui_vm, disk_KiBps), offsetof(struct tui_vm, net_KiBps), 0};

int
tui_body_vms(struct tui_canvas *b, const struct tui_view *v)
{
    const struct tui_model *m = v->m;
    int sort = v->ui->sort[TUI_SCR_VMS], y = 0;
    tui_printf(b, y++, 0, TUI_ST_TITLE, "VMS  %zu, sorted by %s (s to change)", m->vm.n,
               tui_sort_name(TUI_SCR_VMS, sort));
    struct tui_vm *vm = tui_sorted_rows(m->vm.v, m->vm.n, sizeof *vm, sort == TUI_VSORT_NAME,
                                        vm_sort_off[sort], TUI_NO_COL);
    y = tui_draw_table(b, y, "VM", 24, vm_cols, 5, vm, m->vm.n, sizeof *vm);
    free(vm);
    if (m->vm.n == 0)
        tui_printf(b, y++, 0, TUI_ST_DIM, "  %s", m->vm_note[0] ? m->vm_note : "no VMs");
    return y;
}

/* ---- Flows ------------------------------------------------------------------------- */

static void
sort_flows(struct tui_flow *f, size_t n, int by_packets)
{
    for (size_t i = 1; i < n; i++) { /* insertion sort, stable; see sort_vms */
        struct tui_flow x = f[i];
        size_t j = i;
        while (j > 0 && (by_packets ? f[j - 1].packets < x.packets : f[j - 1].bytes < x.bytes)) {
            f[j] = f[j - 1];
            j--;
        }
        f[j] = x;
    }
}

/* Protocol totals under the talkers: bytes, packets and share of bytes. */
static int
protocols(struct tui_canvas *b, int y, const struct tui_flow *f, size_t n)
{
    struct tui_flow tot[16];
    size_t nt = 0;
    double all = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < nt && strcmp(tot[k].proto, f[i].proto) != 0)
            k++;
        if (k == nt && nt < sizeof tot / sizeof *tot) {
            memset(&tot[nt], 0, sizeof tot[nt]);
            tui_strlcpy(tot[nt++].proto, f[i].proto, sizeof tot[0].proto);
        }
        if (k < nt) {
            tot[k].bytes += f[i].bytes;
            tot[k].packets += f[i].packets;
        }
        all += f[i].bytes;
    }
    sort_flows(tot, nt, 0);
    tui_printf(b, y++, 0, TUI_ST_TITLE, "%-8s %14s %12s %7s", "PROTO", "KiB", "packets", "share%");
    for (size_t k = 0; k < nt; k++)
        tui_printf(b, y++, 0, TUI_ST_NORMAL, "%-8s %14.1f %12.0f %7.1f", tot[k].proto,
                   tot[k].bytes / 1024.0, tot[k].packets,
                   all > 0 ? 100.0 * tot[k].bytes / all : 0.0);
    return y;
}

/* Top talkers first, then what protocols the bytes were. */
int
tui_body_flows(struct tui_canvas *b, const struct tui_view *v)
{
    const struct tui_model *m = v->m;
    int by_packets = v->ui->sort[TUI_SCR_FLOWS] == TUI_FSORT_PACKETS, y = 0;
    char when[64] = "last interval";
    if (!ks_isnan(m->flow_time_s)) { /* coarser flows: the latest interval that has some */
        char t[32];
        snprintf(when, sizeof when, "interval ending %s", tui_fmt_time(t, sizeof t, m->flow_time_s));
    }
    tui_printf(b, y++, 0, TUI_ST_TITLE, "TOP TALKERS  %s, sorted by %s (s to change)", when,
               by_packets ? "packets" : "bytes");
    if (m->flow.n == 0) {
        tui_printf(b, y++, 0, TUI_ST_DIM, "  %s", m->flow_note[0] ? m->flow_note : "no flows");
        return y;
    }
    /* Addresses get the room the longest needs (an IPv6 one: 39), at least 20, and no
     * more than leaves the other 38 columns on the screen. */
    int aw = 20, room = (b->w - 40) / 2;
    for (size_t i = 0; i < m->flow.n; i++) {
        int l = (int)(strlen(m->flow.v[i].src) > strlen(m->flow.v[i].dst) ? strlen(m->flow.v[i].src)
                                                                          : strlen(m->flow.v[i].dst));
        aw = l > aw ? l : aw;
    }
    aw = aw > room && room >= 20 ? room : aw;
    tui_printf(b, y++, 0, TUI_ST_TITLE, "%-*s %-*s %-5s %6s %12s %10s", aw, "SOURCE", aw,
               "DESTINATION", "PROTO", "DPORT", "KiB", "packets");
    struct tui_flow *f = ks_xmalloc(m->flow.n * sizeof *f);
    memcpy(f, m->flow.v, m->flow.n * sizeof *f);
    sort_flows(f, m->flow.n, by_packets);
    for (size_t i = 0; i < m->flow.n; i++) {
        char port[24] = "-"; /* 0: the protocol has no ports */
        if (f[i].dport > 0)
            snprintf(port, sizeof port, "%ld", f[i].dport);
        tui_printf(b, y++, 0, TUI_ST_NORMAL, "%-*.*s %-*.*s %-5.5s %6s %12.1f %10.0f", aw, aw,
                   f[i].src, aw, aw, f[i].dst, f[i].proto, port, f[i].bytes / 1024.0, f[i].packets);
    }
    y = protocols(b, y + 1, f, m->flow.n);
    free(f);
    return y;
}

/* ---- Counters ---------------------------------------------------------------------- */

/* Word-wrap text from column x to the canvas edge; returns the row after it. */
static int
wrap(struct tui_canvas *b, int y, int x, enum tui_style st, const char *text)
{
    int w = b->w - x > 20 ? b->w - x : 20;
    while (*text) {
        int len = (int)strlen(text);
        if (len > w) { /* break at the last blank that fits, else hard */
            len = w;
            while (len > 0 && text[len] != ' ')
                len--;
            len = len > 0 ? len : w;
        }
        tui_printf(b, y++, x, st, "%.*s", len, text);
        text += len;
        text += strspn(text, " ");
    }
    return y;
}

/* Counters are often missing (VMs, no PAPI): the screen's main job is to say why. */
int
tui_body_counters(struct tui_canvas *b, const struct tui_view *v)
{
    const struct tui_model *m = v->m;
    int y = 0;
    tui_puts(b, y++, 0, TUI_ST_TITLE, "HARDWARE COUNTERS");
    if (!ks_isnan(m->ipc))
        tui_printf(b, y++, 0, TUI_ST_NORMAL, "IPC (instructions per cycle)  %.2f", m->ipc);
    else
        tui_puts(b, y++, 0, TUI_ST_NORMAL, "IPC (instructions per cycle)  unavailable");
    if (!ks_isnan(m->llc_miss_ps))
        tui_printf(b, y++, 0, TUI_ST_NORMAL, "LLC misses/s                  %.0f", m->llc_miss_ps);
    else
        tui_puts(b, y++, 0, TUI_ST_NORMAL, "LLC misses/s                  unavailable");
    if (ks_isnan(m->ipc) || ks_isnan(m->llc_miss_ps)) {
        tui_puts(b, y, 0, TUI_ST_TITLE, "why:");
        y = wrap(b, y, 5, TUI_ST_NORMAL, m->counters_note[0] ? m->counters_note : "not measured");
    }
    y++;
    tui_puts(b, y++, 0, TUI_ST_DIM,
             "Inside a VM the hypervisor usually hides the PMU; then only software events");
    tui_puts(b, y++, 0, TUI_ST_DIM, "(task clock, context switches, page faults) can be counted.");
    return y;
}

/* ---- Fit --------------------------------------------------------------------------- */

/* The bar shows p95 (what sizing usually uses); the peak is a number beside it,
 * flagged when it would not fit. */
static void
fit_line(struct tui_canvas *b, int y, const char *label, double p95, double peak, enum tui_style st)
{
    char a[16], c[16];
    int bw = b->w - 6 - 2 - 26;
    struct tui_bar_part parts[] = {{p95, st, '#'}};
    tui_printf(b, y, 0, TUI_ST_TITLE, "%-6s", label);
    tui_draw_bar(b, y, 6, bw, parts, 1);
    tui_printf(b, y, 6 + bw + 2, peak > 100 ? TUI_ST_WARN : TUI_ST_NORMAL, " p95 %s%% peak %s%%",
               tui_fmt_num(a, sizeof a, p95, 5, 1), tui_fmt_num(c, sizeof c, peak, 5, 1));
}

int
tui_body_fit(struct tui_canvas *b, const struct tui_view *v)
{
    const struct tui_model *m = v->m;
    const struct tui_host_model *hm = v->fit;
    int y = 0;
    tui_puts(b, y++, 0, TUI_ST_TITLE, "FIT ON A CATALOG HOST MODEL");
    if (!hm) {
        tui_puts(b, y++, 0, TUI_ST_NORMAL,
                 "Give --catalog FILE --model NAME (a host catalog, as for kasane plan) to see");
        tui_puts(b, y++, 0, TUI_ST_NORMAL, "how this host's demand would fit on that model.");
        return y;
    }
    struct tui_fit_result r;
    tui_fit_compute(hm, m->dem_cpu_MHz.v, m->dem_mem_MiB.v, m->dem_cpu_MHz.n, &r);
    tui_printf(b, y++, 0, TUI_ST_NORMAL,
               "model %s: %g x %g cores x %g MHz x perf %g = %.0f MHz, %g GiB = %.0f MiB", hm->name,
               hm->sockets, hm->cores_per_socket, hm->core_MHz, hm->perf_per_core, hm->cap_MHz,
               hm->mem_GiB, hm->cap_MiB);
    if (hm->src_perf > 0)
        tui_printf(b, y++, 0, hm->src_rated_as[0] ? TUI_ST_NORMAL : TUI_ST_WARN,
                   "this host's CPU rated %g per core-MHz (%s%s), its MHz scaled to the model's",
                   hm->src_perf, hm->src_rated_as[0] ? "as " : "assumed: CPU not in the table",
                   hm->src_rated_as);
    tui_printf(b, y++, 0, TUI_ST_NORMAL, "samples seen: %zu (CPU known in %zu, memory in %zu)",
               m->dem_cpu_MHz.n, r.n_cpu, r.n_mem);
    y++;
    fit_line(b, y++, "CPU", r.cpu_p95_pct, r.cpu_peak_pct, TUI_ST_USER);
    fit_line(b, y++, "mem", r.mem_p95_pct, r.mem_peak_pct, TUI_ST_MEM);
    y++;
    if (r.copies_at_peak > 0)
        tui_printf(b, y++, 0, TUI_ST_NORMAL,
                   "One %s carries %ld host(s) like this one at their peaks (no headroom added).",
                   hm->name, r.copies_at_peak);
    else if (r.copies_at_peak == 0)
        tui_printf(b, y++, 0, TUI_ST_WARN, "This host's peak does not fit on one %s.", hm->name);
    else
        tui_puts(b, y++, 0, TUI_ST_DIM, "No CPU or memory demand known yet.");
    return y;
}
