/* Frame parsing and per-interval flow accounting for the pcap source (col_pcap.h). */
#include "collect/col_pcap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_util.h"

const char *const col_pcap_proto_names[COL_PP_N] = {"tcp", "udp", "icmp", "other"};
const uint32_t col_pcap_hist_le[COL_PCAP_NHIST - 1] = {64, 128, 256, 512, 1024, 1518};

/* DLT numbers from pcap/dlt.h, spelled out so this file needs no libpcap header. */
enum { DLT_NULL_ = 0, DLT_EN10MB_ = 1, DLT_RAW_ = 12, DLT_RAW2_ = 101, DLT_LOOP_ = 108,
       DLT_SLL_ = 113, DLT_SLL2_ = 276 };

static uint16_t
be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static enum col_pcap_proto
class_of(uint8_t ipproto)
{
    return ipproto == 6 ? COL_PP_TCP
           : ipproto == 17 ? COL_PP_UDP
           : ipproto == 1 || ipproto == 58 ? COL_PP_ICMP
                                            : COL_PP_OTHER;
}

/* The transport header at p (n bytes captured): the destination port of TCP/UDP. */
static void
parse_l4(const uint8_t *p, uint32_t n, struct col_pkt *k)
{
    k->cls = class_of(k->ipproto);
    if ((k->cls == COL_PP_TCP || k->cls == COL_PP_UDP) && n >= 4)
        k->dport = be16(p + 2);
}

/* Past IPv6 extension headers (RFC 8200 section 4: hop-by-hop 0, routing 43, fragment
 * 44, destination options 60; AH 51 counts its length in 4-byte words, RFC 4302) to
 * the transport header: MLD reports, for one, ride behind a hop-by-hop header. Sets
 * k->ipproto to the upper-layer protocol and returns its offset, or 0 when it is not
 * in the captured bytes, or when a non-first fragment carries no transport header. */
static uint32_t
skip_ip6_ext(const uint8_t *p, uint32_t n, struct col_pkt *k)
{
    uint32_t off = 40;
    for (int hops = 0; hops < 8; hops++) {
        uint8_t nh = k->ipproto;
        if (nh != 0 && nh != 43 && nh != 44 && nh != 60 && nh != 51)
            return off <= n ? off : 0;
        if (off + 8 > n)
            return 0;
        k->ipproto = p[off];
        if (nh == 44) {
            if ((be16(p + off + 2) & 0xfff8) != 0) /* offset != 0: a later fragment */
                return 0;
            off += 8;
        } else {
            off += nh == 51 ? ((uint32_t)p[off + 1] + 2) * 4 : ((uint32_t)p[off + 1] + 1) * 8;
        }
    }
    return 0;
}

static void
parse_ip(const uint8_t *p, uint32_t n, struct col_pkt *k)
{
    if (n >= 20 && p[0] >> 4 == 4) {
        uint32_t ihl = (uint32_t)(p[0] & 15) * 4;
        k->af = 4;
        k->ipproto = p[9];
        memcpy(k->src, p + 12, 4);
        memcpy(k->dst, p + 16, 4);
        /* a fragment other than the first carries no transport header */
        int later_frag = (be16(p + 6) & 0x1fff) != 0;
        if (ihl >= 20 && ihl <= n && !later_frag)
            parse_l4(p + ihl, n - ihl, k);
        else
            k->cls = class_of(k->ipproto);
    } else if (n >= 40 && p[0] >> 4 == 6) {
        k->af = 6;
        k->ipproto = p[6];
        memcpy(k->src, p + 8, 16);
        memcpy(k->dst, p + 24, 16);
        uint32_t l4 = skip_ip6_ext(p, n, k);
        if (l4)
            parse_l4(p + l4, n - l4, k);
        else
            k->cls = class_of(k->ipproto);
    }
}

/* Ethernet: skip 802.1Q / 802.1ad tags, then IPv4 or IPv6. */
static void
parse_eth(const uint8_t *p, uint32_t n, struct col_pkt *k)
{
    uint32_t off = 12;
    while (off + 2 <= n) {
        uint16_t type = be16(p + off);
        if (type == 0x8100 || type == 0x88a8) {
            off += 4;
            continue;
        }
        if (type == 0x0800 || type == 0x86dd)
            parse_ip(p + off + 2, n - off - 2, k);
        return;
    }
}

int
col_pcap_dlt_ok(int dlt)
{
    return dlt == DLT_EN10MB_ || dlt == DLT_SLL_ || dlt == DLT_SLL2_ || dlt == DLT_RAW_ ||
           dlt == DLT_RAW2_ || dlt == DLT_NULL_ || dlt == DLT_LOOP_;
}

int
col_pcap_parse(int dlt, const uint8_t *p, uint32_t caplen, uint32_t len, struct col_pkt *out)
{
    memset(out, 0, sizeof *out);
    out->cls = COL_PP_OTHER;
    out->len = len;
    switch (dlt) {
    case DLT_EN10MB_:
        parse_eth(p, caplen, out);
        break;
    case DLT_SLL_: /* 16-byte cooked header, protocol at 14 */
        if (caplen >= 16 && (be16(p + 14) == 0x0800 || be16(p + 14) == 0x86dd))
            parse_ip(p + 16, caplen - 16, out);
        break;
    case DLT_SLL2_: /* 20-byte cooked header v2, protocol first */
        if (caplen >= 20 && (be16(p) == 0x0800 || be16(p) == 0x86dd))
            parse_ip(p + 20, caplen - 20, out);
        break;
    case DLT_RAW_:
    case DLT_RAW2_:
        parse_ip(p, caplen, out);
        break;
    case DLT_NULL_:
    case DLT_LOOP_: /* 4-byte address family, either byte order: the IP version tells */
        if (caplen > 4)
            parse_ip(p + 4, caplen - 4, out);
        break;
    default:
        return -ENOTSUP;
    }
    return 0;
}

/* ---- the accumulator ------------------------------------------------------------ */

void
col_pcap_acc_init(struct col_pcap_acc *a, size_t cap)
{
    size_t c = 16;
    while (c < cap)
        c <<= 1;
    memset(a, 0, sizeof *a);
    a->cap = c;
    a->tab = ks_xcalloc(c, sizeof *a->tab);
}

void
col_pcap_acc_fini(struct col_pcap_acc *a)
{
    free(a->tab);
    memset(a, 0, sizeof *a);
}

void
col_pcap_acc_reset(struct col_pcap_acc *a)
{
    struct col_flow *tab = a->tab;
    size_t cap = a->cap;
    if (a->n)
        memset(tab, 0, cap * sizeof *tab);
    memset(a, 0, sizeof *a);
    a->tab = tab;
    a->cap = cap;
}

/* FNV-1a over the key fields: cheap, and good enough for a table kept half empty. */
static uint64_t
flow_hash(const struct col_pkt *k)
{
    uint64_t h = 1469598103934665603ull;
    const uint8_t *parts[] = {k->src, k->dst};
    size_t alen = k->af == 6 ? 16 : 4;
    for (int j = 0; j < 2; j++)
        for (size_t i = 0; i < alen; i++)
            h = (h ^ parts[j][i]) * 1099511628211ull;
    h = (h ^ k->ipproto) * 1099511628211ull;
    h = (h ^ k->dport) * 1099511628211ull;
    return h ^ (h >> 29);
}

static int
flow_eq(const struct col_flow *f, const struct col_pkt *k)
{
    return f->af == k->af && f->ipproto == k->ipproto && f->dport == k->dport &&
           memcmp(f->src, k->src, 16) == 0 && memcmp(f->dst, k->dst, 16) == 0;
}

void
col_pcap_acc_add(struct col_pcap_acc *a, const struct col_pkt *k)
{
    size_t h = 0;
    a->bytes[k->cls] += k->len;
    a->pkts[k->cls]++;
    while (h < COL_PCAP_NHIST - 1 && k->len > col_pcap_hist_le[h])
        h++;
    a->hist[h]++;
    if (a->last && flow_eq(a->last, k)) {
        a->last->bytes += k->len;
        a->last->packets++;
        return;
    }
    size_t mask = a->cap - 1;
    for (size_t i = flow_hash(k) & mask;; i = (i + 1) & mask) {
        struct col_flow *f = &a->tab[i];
        if (f->used && flow_eq(f, k)) {
            f->bytes += k->len;
            f->packets++;
            a->last = f;
            return;
        }
        if (!f->used) {
            if (a->n + 1 > a->cap / 2) /* full: linear probing degrades past half */
                break;
            f->used = 1;
            f->af = (uint8_t)k->af;
            f->ipproto = k->ipproto;
            f->dport = k->dport;
            memcpy(f->src, k->src, 16);
            memcpy(f->dst, k->dst, 16);
            f->bytes = k->len;
            f->packets = 1;
            a->n++;
            a->last = f;
            return;
        }
    }
    a->rest_bytes += k->len;
    a->rest_pkts++;
}

static int
flow_cmp(const void *x, const void *y)
{
    const struct col_flow *a = x, *b = y;
    if (a->used != b->used)
        return a->used ? -1 : 1;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->packets != b->packets)
        return a->packets > b->packets ? -1 : 1;
    int c = memcmp(a->src, b->src, 16);
    if (c == 0)
        c = memcmp(a->dst, b->dst, 16);
    if (c == 0)
        c = (int)a->ipproto - (int)b->ipproto;
    return c ? c : (int)a->dport - (int)b->dport;
}

static void
addr_str(int af, const uint8_t *a, char *out, size_t cap)
{
    if (!af || !inet_ntop(af == 6 ? AF_INET6 : AF_INET, a, out, (socklen_t)cap))
        snprintf(out, cap, "-");
}

static void
flow_row(const struct col_flow *f, struct col_flow_row *r)
{
    addr_str(f->af, f->src, r->src, sizeof r->src);
    addr_str(f->af, f->dst, r->dst, sizeof r->dst);
    enum col_pcap_proto c = class_of(f->ipproto);
    if (!f->af)
        snprintf(r->proto, sizeof r->proto, "other");
    else if (c == COL_PP_OTHER)
        snprintf(r->proto, sizeof r->proto, "%u", f->ipproto);
    else
        snprintf(r->proto, sizeof r->proto, "%s", col_pcap_proto_names[c]);
    r->dport = c == COL_PP_TCP || c == COL_PP_UDP ? f->dport : -1;
    r->bytes = f->bytes;
    r->packets = f->packets;
}

size_t
col_pcap_acc_top(struct col_pcap_acc *a, size_t n, struct col_flow_row *out)
{
    a->last = NULL; /* the sort moves entries */
    /* used entries to the front (a few hundred in a busy interval, of 8192 slots),
     * then sort only those */
    size_t used = 0;
    for (size_t i = 0; i < a->cap && used < a->n; i++)
        if (a->tab[i].used) {
            if (i != used) {
                a->tab[used] = a->tab[i];
                a->tab[i].used = 0;
            }
            used++;
        }
    qsort(a->tab, a->n, sizeof *a->tab, flow_cmp);
    size_t k = a->n < n ? a->n : n;
    uint64_t rb = a->rest_bytes, rp = a->rest_pkts;
    for (size_t i = 0; i < k; i++)
        flow_row(&a->tab[i], &out[i]);
    for (size_t i = k; i < a->n; i++) {
        rb += a->tab[i].bytes;
        rp += a->tab[i].packets;
    }
    if (rp) {
        struct col_flow_row *r = &out[k++];
        snprintf(r->src, sizeof r->src, "*");
        snprintf(r->dst, sizeof r->dst, "*");
        snprintf(r->proto, sizeof r->proto, "*");
        r->dport = -1;
        r->bytes = rb;
        r->packets = rp;
    }
    return k;
}
