/*
 * col_pcap: the pure half of the libpcap source (no capture here, so it can be
 * unit-tested and fuzzed on crafted bytes): parsing a captured frame into a protocol
 * class, addresses and destination port, and a per-interval accumulator of bytes and
 * packets by protocol, a size histogram, and flows keyed by (src, dst, proto, dport).
 *
 * Flows live in a fixed-size open-addressing table (capacity set at init, load kept
 * under one half): a flood of distinct flows (a port scan, spoofed sources) fills the
 * table and the rest of the interval's packets go to one "rest" sum, so memory never
 * grows with traffic and totals stay exact. At the end of an interval the top N flows
 * by bytes are kept and everything else is summed into one row (col_pcap_acc_top).
 */
#ifndef COL_PCAP_H
#define COL_PCAP_H

#include <stddef.h>
#include <stdint.h>

enum col_pcap_proto { COL_PP_TCP, COL_PP_UDP, COL_PP_ICMP, COL_PP_OTHER, COL_PP_N };
extern const char *const col_pcap_proto_names[COL_PP_N]; /* "tcp" "udp" "icmp" "other" */

/* Packet size histogram on the wire length: <=64, <=128, <=256, <=512, <=1024,
 * <=1518 bytes, then larger (jumbo frames, and GSO/GRO super-frames that a capture
 * on a veth or lo delivers: shared/reference.md). */
#define COL_PCAP_NHIST 7
extern const uint32_t col_pcap_hist_le[COL_PCAP_NHIST - 1];

/* What one frame says. af is 4, 6 or 0 (not IP: class other, no addresses). */
struct col_pkt {
    int af;
    uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
    uint8_t ipproto;          /* IP protocol number (6 TCP, 17 UDP, 1/58 ICMP) */
    uint16_t dport;           /* TCP/UDP destination port; 0 otherwise or when cut */
    enum col_pcap_proto cls;
    uint32_t len; /* bytes on the wire (pcap header len, not caplen) */
};

/* Parse one frame of the given DLT (EN10MB with 802.1Q/QinQ tags, LINUX_SLL,
 * LINUX_SLL2, RAW, NULL/LOOP). A frame cut short still counts (class from what was
 * captured, dport 0). Returns 0, or -ENOTSUP for a link type it does not know. */
int col_pcap_parse(int dlt, const uint8_t *p, uint32_t caplen, uint32_t len, struct col_pkt *out);
/* Whether col_pcap_parse understands this DLT. */
int col_pcap_dlt_ok(int dlt);

/* One flow of the table. */
struct col_flow {
    uint8_t af, ipproto, used;
    uint16_t dport;
    uint8_t src[16], dst[16];
    uint64_t bytes, packets;
};

/* One interval's counts. Caller-owned: init, add..., top, reset, ..., fini. */
struct col_pcap_acc {
    uint64_t bytes[COL_PP_N], pkts[COL_PP_N];
    uint64_t hist[COL_PCAP_NHIST];
    struct col_flow *tab; /* cap entries, owned */
    size_t cap, n;        /* n used; at most cap / 2 */
    uint64_t rest_bytes, rest_pkts; /* packets of flows that found the table full */
    struct col_flow *last;          /* the previous packet's flow: bulk transfers send
                                     * runs of one flow, so most packets skip the hash */
};

/* cap: table slots, rounded up to a power of two (>= 16). */
void col_pcap_acc_init(struct col_pcap_acc *a, size_t cap);
void col_pcap_acc_fini(struct col_pcap_acc *a);
void col_pcap_acc_reset(struct col_pcap_acc *a);
void col_pcap_acc_add(struct col_pcap_acc *a, const struct col_pkt *k);

/* A flow row as written to flows.csv. src/dst "*" and proto "*" for the row that
 * sums the rest (dport 0 then and for protocols without ports). */
struct col_flow_row {
    char src[48], dst[48];
    char proto[8];
    int dport; /* -1: none (written empty) */
    uint64_t bytes, packets;
};

/* The top n flows by bytes (ties: more packets first, then key order, so the output
 * is reproducible), and when anything is left (flows beyond n, or the table's rest)
 * one more row summing it. out holds n + 1 rows; returns the rows written. Reorders
 * the table: call it once per interval, then reset. */
size_t col_pcap_acc_top(struct col_pcap_acc *a, size_t n, struct col_flow_row *out);

#endif
