/*
 * pcap source: per-interval traffic by protocol, packet sizes and flows from libpcap
 * (--pcap IFACE[,IFACE], --bpf, --user; --pcap-file for a capture file).
 *
 * Design (docs/sources.md):
 * - Open (still privileged): pcap_create + pcap_activate per interface, a 4 MiB
 *   kernel buffer (256 kB or less loses packets under load: libpcap issue 843,
 *   shared/reference.md), immediate mode off (it costs CPU), snaplen 128 (headers are
 *   all we parse, and copying less is what makes us cheaper than tcpdump), 100 ms
 *   block timeout, non-blocking.
 * - First sample (the baseline): privileges are dropped to --user (default nobody)
 *   with setgroups/setgid/setuid and checked (getuid, and setuid(0) must fail);
 *   only then does a capture thread start parsing. The sampler's other sources and
 *   the writer are open by then, so their descriptors stay usable.
 * - The thread polls every handle's selectable fd (100 ms timeout: a blocking read
 *   did not return on an idle interface here) and drains them with pcap_dispatch
 *   into the active one of two accumulators, under a mutex. A sample swaps the
 *   accumulators under that mutex (so it also reads pcap_stats while no dispatch
 *   runs) and turns the idle one into rates, a histogram and top-N flows.
 * - A capture file is read synchronously at each sample instead (whole file at the
 *   first row), so tests get exact, repeatable counts.
 *
 * libpcap.so.0.8 is loaded at open (--pcap or --pcap-file given), not linked
 * (ks_dl.h says why: with the D-Bus, systemd, gcrypt and compression libraries it
 * links, 1.6 MiB of every collector's peak resident memory and 0.4 ms of every start).
 * KASANE_PCAP_SO replaces its name (a test hook). A library that cannot be loaded
 * makes the source unavailable, noted in the inventory; the rest of the run goes on.
 */
#include <errno.h>
#include <grp.h>
#include <math.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ks_dl.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */
#include "collect/col_pcap.h"
#include "collect/col_src_pcap.h"

#define PCAP_BUF_BYTES (4 << 20)
#define PCAP_SNAPLEN 128
#define PCAP_TIMEOUT_MS 100
#define PCAP_TABLE_SLOTS 8192 /* at most 4096 distinct flows per interval */

/* Every libpcap function this source calls, typed from pcap.h. */
#define PC_FUNCS(X)                                                                                \
    X(pcap_create)                                                                                 \
    X(pcap_set_buffer_size)                                                                        \
    X(pcap_set_snaplen)                                                                            \
    X(pcap_set_immediate_mode)                                                                     \
    X(pcap_set_timeout)                                                                            \
    X(pcap_activate)                                                                               \
    X(pcap_geterr)                                                                                 \
    X(pcap_setnonblock)                                                                            \
    X(pcap_compile)                                                                                \
    X(pcap_setfilter)                                                                              \
    X(pcap_freecode)                                                                               \
    X(pcap_open_offline)                                                                           \
    X(pcap_datalink)                                                                               \
    X(pcap_datalink_val_to_name)                                                                   \
    X(pcap_close)                                                                                  \
    X(pcap_get_selectable_fd)                                                                      \
    X(pcap_dispatch)                                                                               \
    X(pcap_stats)

/* Filled once per process by ks_dl_load, read-only afterwards. */
static struct pc_api {
    PC_FUNCS(KS_DL_FIELD)
} pc;
#define PC_SYM(f) KS_DL_ENTRY(struct pc_api, f)
static const struct ks_dl_sym pc_syms[] = {PC_FUNCS(PC_SYM)};
static struct ks_dl_lib pc_lib =
    KS_DL_LIB(KS_SO_PCAP, "KASANE_PCAP_SO", KS_PKG_PCAP, &pc, pc_syms, NULL);

struct pcap_h {
    pcap_t *p;
    char name[64];
    int dlt;
    struct col_pcap_src *st; /* back pointer for the callback */
    uint64_t drops_last;     /* cumulative ps_drop at the previous sample */
    uint64_t ifdrops_last;   /* cumulative ps_ifdrop */
};

struct col_pcap_src {
    struct pcap_h *h;
    size_t nh;
    int offline;
    char user[64];
    int started; /* privileges dropped (if root) and capture running */
    pthread_t thr;
    int thr_on;
    int wake[2]; /* pipe: a byte tells the thread to stop */
    pthread_mutex_t mu;
    struct col_pcap_acc acc[2];
    int cur; /* the accumulator the capture fills */
    size_t top;
    struct col_flow_row *rows; /* top + 1 */
};

int
col_pcap_drop_privileges(const char *user, struct ks_err *err)
{
    if (geteuid() != 0)
        return 0; /* nothing to drop: not root (a capability-holding user keeps it) */
    struct passwd *pw = getpwnam(user);
    if (!pw)
        return ks_errf(err, -ENOENT, "pcap: user '%s' does not exist (--user)", user);
    gid_t g = pw->pw_gid;
    if (setgroups(1, &g) != 0 || setgid(g) != 0 || setuid(pw->pw_uid) != 0)
        return ks_errf(err, -EPERM, "pcap: cannot drop privileges to '%s': %s", user,
                       strerror(errno));
    /* Verify, as CERT POS37-C asks: the switch must be irreversible. */
    if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid || getegid() != g ||
        (pw->pw_uid != 0 && setuid(0) == 0))
        return ks_errf(err, -EPERM, "pcap: privileges not dropped to '%s'", user);
    return 0;
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *hdr, const u_char *bytes)
{
    struct pcap_h *h = (struct pcap_h *)user;
    struct col_pkt k;
    col_pcap_parse(h->dlt, bytes, hdr->caplen, hdr->len, &k);
    col_pcap_acc_add(&h->st->acc[h->st->cur], &k);
}

/* Drain what one handle has buffered (bounded, so a flood cannot starve a sample
 * waiting for the mutex for long). */
static void
drain(struct pcap_h *h)
{
    for (int i = 0; i < 16; i++)
        if (pc.pcap_dispatch(h->p, -1, on_packet, (u_char *)h) <= 0)
            return;
}

static void *
capture_main(void *arg)
{
    struct col_pcap_src *st = arg;
    struct pollfd *fds = ks_xcalloc(st->nh + 1, sizeof *fds);
    for (size_t i = 0; i < st->nh; i++) {
        fds[i].fd = pc.pcap_get_selectable_fd(st->h[i].p);
        fds[i].events = POLLIN;
    }
    fds[st->nh].fd = st->wake[0];
    fds[st->nh].events = POLLIN;
    for (;;) {
        /* The timeout is our own deadline: even when the fd never wakes us, the
         * handles are drained every PCAP_TIMEOUT_MS. */
        poll(fds, st->nh + 1, PCAP_TIMEOUT_MS);
        if (fds[st->nh].revents)
            break;
        pthread_mutex_lock(&st->mu);
        for (size_t i = 0; i < st->nh; i++)
            drain(&st->h[i]);
        pthread_mutex_unlock(&st->mu);
    }
    free(fds);
    return NULL;
}

/* pcap_create + options + activate for one interface (the filter comes after). */
static int
open_live(struct pcap_h *h, struct ks_err *err)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    h->p = pc.pcap_create(h->name, eb);
    if (!h->p)
        return ks_errf(err, -ENOENT, "pcap: %s: %s", h->name, eb);
    pc.pcap_set_buffer_size(h->p, PCAP_BUF_BYTES);
    pc.pcap_set_snaplen(h->p, PCAP_SNAPLEN);
    pc.pcap_set_immediate_mode(h->p, 0);
    pc.pcap_set_timeout(h->p, PCAP_TIMEOUT_MS);
    int rc = pc.pcap_activate(h->p);
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED)
        return ks_errf(err, -EACCES,
                       "pcap: %s: no permission to capture (needs root or CAP_NET_RAW); "
                       "collecting without packet data",
                       h->name);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
        return ks_errf(err, -ENOENT, "pcap: %s: no such interface", h->name);
    if (rc < 0)
        return ks_errf(err, -ENOTSUP, "pcap: %s: %s", h->name, pc.pcap_geterr(h->p));
    if (pc.pcap_setnonblock(h->p, 1, eb) < 0)
        return ks_errf(err, -EIO, "pcap: %s: non-blocking mode: %s", h->name, eb);
    return 0;
}

static int
set_filter(struct pcap_h *h, const char *bpf, struct ks_err *err)
{
    struct bpf_program prog;
    if (!bpf)
        return 0;
    if (pc.pcap_compile(h->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0)
        return ks_errf(err, -EINVAL, "pcap: --bpf '%s': %s", bpf, pc.pcap_geterr(h->p));
    int rc = pc.pcap_setfilter(h->p, &prog);
    pc.pcap_freecode(&prog);
    if (rc < 0)
        return ks_errf(err, -EINVAL, "pcap: --bpf '%s': %s", bpf, pc.pcap_geterr(h->p));
    return 0;
}

static int
open_one(struct col_pcap_src *st, struct pcap_h *h, const struct col_opts *o, struct ks_err *err)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    int rc = 0;
    h->st = st;
    if (st->offline) {
        h->p = pc.pcap_open_offline(h->name, eb);
        if (!h->p)
            return ks_errf(err, -EINVAL, "%s: not a capture file: %s", h->name, eb);
    } else if ((rc = open_live(h, err)) < 0) {
        return rc;
    }
    if ((rc = set_filter(h, o->pcap_bpf, err)) < 0)
        return rc;
    h->dlt = pc.pcap_datalink(h->p);
    if (!col_pcap_dlt_ok(h->dlt))
        return ks_errf(err, -ENOTSUP, "pcap: %s: link type %s not supported", h->name,
                       pc.pcap_datalink_val_to_name(h->dlt));
    return 0;
}

static void
pcap_close_src(void *state)
{
    struct col_pcap_src *st = state;
    if (!st)
        return;
    if (st->thr_on) {
        ssize_t w = write(st->wake[1], "x", 1);
        (void)w;
        pthread_join(st->thr, NULL);
    }
    if (st->wake[0] >= 0) {
        close(st->wake[0]);
        close(st->wake[1]);
    }
    for (size_t i = 0; i < st->nh; i++)
        if (st->h[i].p)
            pc.pcap_close(st->h[i].p);
    free(st->h);
    col_pcap_acc_fini(&st->acc[0]);
    col_pcap_acc_fini(&st->acc[1]);
    pthread_mutex_destroy(&st->mu);
    free(st->rows);
    free(st);
}

/* The handles named by --pcap (comma list) or --pcap-file. */
static void
list_handles(struct col_pcap_src *st, const char *list)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n) {
            st->h = ks_xrealloc(st->h, (st->nh + 1) * sizeof *st->h);
            memset(&st->h[st->nh], 0, sizeof *st->h);
            snprintf(st->h[st->nh++].name, sizeof st->h->name, "%.*s", (int)n, p);
        }
        p += n + (p[n] == ',');
    }
}

static int
pcap_open_src(const struct col_ctx *ctx, void **state, struct ks_err *err)
{
    const struct col_opts *o = ctx->opts;
    if (!o->pcap_ifaces && !o->pcap_file)
        return COL_SRC_OFF;
    int rc = ks_dl_load(&pc_lib, err);
    if (rc < 0) {
        ks_err_prefix(err, "pcap: ");
        return rc;
    }
    struct col_pcap_src *st = ks_xcalloc(1, sizeof *st);
    st->wake[0] = st->wake[1] = -1;
    pthread_mutex_init(&st->mu, NULL);
    st->offline = o->pcap_file != NULL;
    snprintf(st->user, sizeof st->user, "%s", o->pcap_user ? o->pcap_user : "nobody");
    st->top = o->pcap_top ? o->pcap_top : 100;
    st->rows = ks_xcalloc(st->top + 1, sizeof *st->rows);
    col_pcap_acc_init(&st->acc[0], PCAP_TABLE_SLOTS);
    col_pcap_acc_init(&st->acc[1], PCAP_TABLE_SLOTS);
    list_handles(st, st->offline ? o->pcap_file : o->pcap_ifaces);
    rc = st->nh ? 0 : ks_errf(err, -EINVAL, "pcap: no interface named");
    /* checked now: at the first sample a missing user would stop every capture */
    if (rc == 0 && geteuid() == 0 && !getpwnam(st->user))
        rc = ks_errf(err, -EINVAL, "pcap: --user '%s': no such user", st->user);
    for (size_t i = 0; rc == 0 && i < st->nh; i++)
        rc = open_one(st, &st->h[i], o, err);
    if (rc == 0 && !st->offline && pipe(st->wake) != 0)
        rc = ks_errf(err, -errno, "pcap: pipe: %s", strerror(errno));
    if (rc < 0) {
        pcap_close_src(st);
        return rc;
    }
    *state = st;
    return 0;
}

/* Drop privileges, then start parsing (the thread, or nothing for a file). */
static int
start(struct col_pcap_src *st, struct ks_err *err)
{
    int rc = col_pcap_drop_privileges(st->user, err);
    if (rc < 0)
        return rc;
    if (!st->offline) {
        if (pthread_create(&st->thr, NULL, capture_main, st) != 0)
            return ks_errf(err, -EAGAIN, "pcap: cannot start the capture thread");
        st->thr_on = 1;
    }
    st->started = 1;
    return 0;
}

/* Drops since the previous sample, over every handle (called under mu): the
 * capture's own (ps_drop: the ring was full, what tcpdump calls "dropped by kernel")
 * and the interface's (ps_ifdrop: packets the NIC dropped before any capture could
 * see them, "dropped by interface"). */
static void
drops_delta(struct col_pcap_src *st, double *kern, double *ifc)
{
    *kern = *ifc = 0;
    for (size_t i = 0; i < st->nh && !st->offline; i++) {
        struct pcap_stat ps;
        if (pc.pcap_stats(st->h[i].p, &ps) < 0) {
            *kern = *ifc = NAN;
            return;
        }
        uint64_t k = ps.ps_drop, f = ps.ps_ifdrop;
        *kern += k >= st->h[i].drops_last ? (double)(k - st->h[i].drops_last) : 0;
        *ifc += f >= st->h[i].ifdrops_last ? (double)(f - st->h[i].ifdrops_last) : 0;
        st->h[i].drops_last = k;
        st->h[i].ifdrops_last = f;
    }
}

static void
fill(struct col_pcap_src *st, struct col_pcap_acc *a, double dt, struct col_snapshot *out)
{
    for (int c = 0; c < COL_PP_N; c++) {
        out->x[COL_X_PCAP_TCP_KIBPS + c] = (double)a->bytes[c] / 1024.0 / dt;
        out->x[COL_X_PCAP_TCP_PPS + c] = (double)a->pkts[c] / dt;
    }
    for (int h = 0; h < COL_PCAP_NHIST; h++)
        out->x[COL_X_PCAP_LEN_64_PPS + h] = (double)a->hist[h] / dt;
    size_t n = col_pcap_acc_top(a, st->top, st->rows);
    if (n) /* no flows: the reserve may be NULL, and memcpy must not get it */
        memcpy(col_snapshot_reserve_flows(out, n), st->rows, n * sizeof *st->rows);
    out->nflows += n;
}

static int
pcap_sample(void *state, const struct col_ctx *ctx, struct col_snapshot *out,
            struct ks_err *err)
{
    struct col_pcap_src *st = state;
    int rc;
    if (!st->started && (rc = start(st, err)) < 0)
        return rc;
    pthread_mutex_lock(&st->mu);
    if (st->offline && !isnan(ctx->dt_s))
        for (size_t i = 0; i < st->nh; i++)
            while (pc.pcap_dispatch(st->h[i].p, -1, on_packet, (u_char *)&st->h[i]) > 0)
                ;
    struct col_pcap_acc *done = &st->acc[st->cur];
    st->cur ^= 1;
    double drops, ifdrops;
    drops_delta(st, &drops, &ifdrops);
    pthread_mutex_unlock(&st->mu);
    if (!isnan(ctx->dt_s)) {
        fill(st, done, ctx->dt_s, out);
        out->x[COL_X_PCAP_DROPS] = st->offline ? NAN : drops;
        if (drops > 0)
            col_snapshot_event(out, "pcap_drops:%.0f", drops);
        if (ifdrops > 0)
            col_snapshot_event(out, "pcap_ifdrops:%.0f", ifdrops);
    }
    col_pcap_acc_reset(done);
    return 0;
}

const struct col_source col_src_pcap = {"pcap", pcap_open_src, pcap_sample, pcap_close_src};
