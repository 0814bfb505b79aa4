/* The pcap source: frame parsing on crafted bytes, the bounded flow table, a capture
 * file written here with pcap_dump read back through the real source, and the
 * privilege drop in a child process. */
#include <errno.h>
#include <math.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/col_pcap.h"
#include "collect/col_src_pcap.h"
#include "test_util.h"

/* Ethernet + IPv4 + 8 bytes of transport: a frame of the given protocol. */
static size_t
frame4(uint8_t *b, uint8_t proto, const char *src, const char *dst, uint16_t dport)
{
    memset(b, 0, 64);
    b[12] = 0x08; /* IPv4 */
    uint8_t *ip = b + 14;
    ip[0] = 0x45;
    ip[9] = proto;
    sscanf(src, "%hhu.%hhu.%hhu.%hhu", &ip[12], &ip[13], &ip[14], &ip[15]);
    sscanf(dst, "%hhu.%hhu.%hhu.%hhu", &ip[16], &ip[17], &ip[18], &ip[19]);
    ip[22] = (uint8_t)(dport >> 8);
    ip[23] = (uint8_t)dport;
    return 14 + 20 + 8;
}

static void
test_parse_ipv4(void **state)
{
    (void)state;
    uint8_t b[128];
    struct col_pkt k;
    size_t n = frame4(b, 6, "10.0.0.1", "10.0.0.2", 5201);
    assert_int_equal(col_pcap_parse(DLT_EN10MB, b, (uint32_t)n, 1514, &k), 0);
    assert_int_equal(k.cls, COL_PP_TCP);
    assert_int_equal(k.af, 4);
    assert_int_equal(k.dport, 5201);
    assert_int_equal(k.len, 1514);
    assert_int_equal(k.src[3], 1);
    /* cut before the ports: still TCP, no port */
    assert_int_equal(col_pcap_parse(DLT_EN10MB, b, 14 + 20 + 2, 1514, &k), 0);
    assert_int_equal(k.cls, COL_PP_TCP);
    assert_int_equal(k.dport, 0);
    /* a later fragment: UDP without a transport header */
    frame4(b, 17, "10.0.0.1", "10.0.0.2", 53);
    b[14 + 6] = 0x00;
    b[14 + 7] = 0xb9; /* offset 185 x 8 bytes */
    col_pcap_parse(DLT_EN10MB, b, (uint32_t)n, 600, &k);
    assert_int_equal(k.cls, COL_PP_UDP);
    assert_int_equal(k.dport, 0);
    /* ICMP, and ARP (not IP: other) */
    frame4(b, 1, "10.0.0.1", "10.0.0.2", 0);
    col_pcap_parse(DLT_EN10MB, b, (uint32_t)n, 98, &k);
    assert_int_equal(k.cls, COL_PP_ICMP);
    b[12] = 0x08;
    b[13] = 0x06;
    col_pcap_parse(DLT_EN10MB, b, (uint32_t)n, 60, &k);
    assert_int_equal(k.cls, COL_PP_OTHER);
    assert_int_equal(k.af, 0);
    assert_int_equal(col_pcap_parse(9999, b, (uint32_t)n, 60, &k), -ENOTSUP);
}

static void
test_parse_vlan_v6_sll2(void **state)
{
    (void)state;
    uint8_t b[128] = {0}, v[128] = {0};
    struct col_pkt k;
    /* 802.1Q tag in front of IPv4 UDP */
    size_t n = frame4(b, 17, "192.168.1.1", "192.168.1.9", 53);
    memcpy(v, b, 12);
    v[12] = 0x81;
    v[13] = 0x00;
    memcpy(v + 16, b + 12, n - 12);
    col_pcap_parse(DLT_EN10MB, v, (uint32_t)n + 4, 100, &k);
    assert_int_equal(k.cls, COL_PP_UDP);
    assert_int_equal(k.dport, 53);
    /* IPv6 UDP under a LINUX_SLL2 cooked header */
    memset(v, 0, sizeof v);
    v[0] = 0x86;
    v[1] = 0xdd;
    uint8_t *ip = v + 20;
    ip[0] = 0x60;
    ip[6] = 17;
    ip[39] = 1;      /* src ::1 */
    ip[40 + 2] = 0x1f; /* dport 8080 */
    ip[40 + 3] = 0x90;
    col_pcap_parse(DLT_LINUX_SLL2, v, 20 + 48, 90, &k);
    assert_int_equal(k.af, 6);
    assert_int_equal(k.cls, COL_PP_UDP);
    assert_int_equal(k.dport, 8080);
}

/* IPv6 extension headers are walked to the transport header: an MLD report (ICMPv6
 * behind hop-by-hop), TCP behind a destination-options header of 16 bytes, and a
 * non-first fragment (no transport header: the fragment's next header classes it). */
static void
test_parse_v6_extension_headers(void **state)
{
    (void)state;
    uint8_t v[160] = {0};
    struct col_pkt k;
    uint8_t *ip = v;
    ip[0] = 0x60;
    ip[6] = 0;       /* hop-by-hop */
    ip[40] = 58;     /* next: ICMPv6 */
    ip[41] = 0;      /* 8 bytes */
    col_pcap_parse(DLT_RAW, v, 40 + 8 + 8, 90, &k);
    assert_int_equal(k.cls, COL_PP_ICMP);
    assert_int_equal(k.ipproto, 58);
    memset(v, 0, sizeof v);
    ip[0] = 0x60;
    ip[6] = 60;      /* destination options */
    ip[40] = 6;      /* next: TCP */
    ip[41] = 1;      /* (1 + 1) x 8 = 16 bytes */
    ip[56 + 2] = 0x01; /* dport 443 */
    ip[56 + 3] = 0xbb;
    col_pcap_parse(DLT_RAW, v, 56 + 20, 120, &k);
    assert_int_equal(k.cls, COL_PP_TCP);
    assert_int_equal(k.dport, 443);
    /* the same headers cut short before the TCP header: classed, no port */
    col_pcap_parse(DLT_RAW, v, 50, 120, &k);
    assert_int_equal(k.dport, 0);
    memset(v, 0, sizeof v);
    ip[0] = 0x60;
    ip[6] = 44;      /* fragment */
    ip[40] = 17;     /* next: UDP */
    ip[43] = 0x08;   /* offset 1 (x 8 bytes): a later fragment */
    col_pcap_parse(DLT_RAW, v, 40 + 8 + 8, 120, &k);
    assert_int_equal(k.cls, COL_PP_UDP);
    assert_int_equal(k.dport, 0);
}

/* A flood of distinct flows: the table stays at its capacity, totals stay exact, and
 * top-N plus the summed rest account for every byte. */
static void
test_flood_bounded(void **state)
{
    (void)state;
    struct col_pcap_acc a;
    struct col_flow_row rows[6];
    struct col_pkt k = {.af = 4, .ipproto = 17, .cls = COL_PP_UDP, .len = 100};
    col_pcap_acc_init(&a, 64);
    for (uint32_t i = 0; i < 100000; i++) {
        memcpy(k.src, &i, 4);
        k.dport = (uint16_t)(i % 7);
        col_pcap_acc_add(&a, &k);
    }
    /* one heavy flow, added last, must still be found if it got a slot: it did not */
    assert_true(a.n <= 32);
    assert_int_equal(a.cap, 64);
    assert_int_equal(a.bytes[COL_PP_UDP], 100000u * 100);
    assert_int_equal(a.hist[1], 100000); /* 100 bytes: the <= 128 bucket */
    size_t n = col_pcap_acc_top(&a, 5, rows);
    assert_int_equal(n, 6);
    uint64_t b = 0, p = 0;
    for (size_t i = 0; i < n; i++)
        b += rows[i].bytes, p += rows[i].packets;
    assert_int_equal(b, 100000u * 100);
    assert_int_equal(p, 100000);
    assert_string_equal(rows[5].src, "*");
    col_pcap_acc_reset(&a);
    assert_int_equal(a.n, 0);
    assert_int_equal(col_pcap_acc_top(&a, 5, rows), 0);
    col_pcap_acc_fini(&a);
}

static void
test_top_order(void **state)
{
    (void)state;
    struct col_pcap_acc a;
    struct col_flow_row rows[3];
    struct col_pkt k = {.af = 4, .ipproto = 6, .cls = COL_PP_TCP};
    col_pcap_acc_init(&a, 16);
    for (int f = 1; f <= 3; f++) {
        k.src[3] = (uint8_t)f;
        k.dport = 80;
        k.len = (uint32_t)(f * 1000);
        for (int i = 0; i < f; i++)
            col_pcap_acc_add(&a, &k);
    }
    assert_int_equal(col_pcap_acc_top(&a, 2, rows), 3);
    assert_string_equal(rows[0].src, "0.0.0.3");
    assert_int_equal(rows[0].bytes, 9000);
    assert_string_equal(rows[0].proto, "tcp");
    assert_int_equal(rows[0].dport, 80);
    assert_string_equal(rows[1].src, "0.0.0.2");
    assert_int_equal(rows[2].bytes, 1000); /* the rest: flow 1 */
    assert_int_equal(rows[2].dport, -1);
    col_pcap_acc_fini(&a);
}

/* A capture file written here, read by the real source: exact counts. */
static void
test_offline_source(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/t.pcap", dir);
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    uint8_t b[128];
    struct pcap_pkthdr h = {.caplen = 42};
    /* 3 TCP frames of 1000 B to 10.0.0.2:80, 2 UDP of 200 B to :53, 1 ICMP of 98 B */
    struct {
        uint8_t proto;
        uint16_t port;
        uint32_t len;
        int n;
    } spec[] = {{6, 80, 1000, 3}, {17, 53, 200, 2}, {1, 0, 98, 1}};
    for (size_t s = 0; s < 3; s++)
        for (int i = 0; i < spec[s].n; i++) {
            frame4(b, spec[s].proto, "10.0.0.1", "10.0.0.2", spec[s].port);
            h.len = spec[s].len;
            pcap_dump((u_char *)d, &h, b);
        }
    pcap_dump_close(d);
    pcap_close(dead);

    struct col_opts o = {.pcap_file = path, .pcap_user = "root", .pcap_top = 2};
    struct col_inventory inv = {.hypervisor = "none"};
    struct col_ctx ctx = {.opts = &o, .dt_s = NAN, .inv = &inv};
    struct ks_err err = {0};
    void *st = NULL;
    assert_int_equal(col_src_pcap.open(&ctx, &st, &err), 0);
    struct col_snapshot snap;
    col_snapshot_init(&snap);
    assert_int_equal(col_src_pcap.sample(st, &ctx, &snap, &err), 0); /* baseline */
    assert_int_equal(snap.nflows, 0);
    ctx.dt_s = 2.0;
    col_snapshot_clear(&snap);
    assert_int_equal(col_src_pcap.sample(st, &ctx, &snap, &err), 0);
    tu_assert_near(snap.x[COL_X_PCAP_TCP_PPS], 1.5, 1e-9);
    tu_assert_near(snap.x[COL_X_PCAP_TCP_KIBPS], 3000.0 / 1024 / 2, 1e-9);
    tu_assert_near(snap.x[COL_X_PCAP_UDP_PPS], 1.0, 1e-9);
    tu_assert_near(snap.x[COL_X_PCAP_ICMP_PPS], 0.5, 1e-9);
    tu_assert_near(snap.x[COL_X_PCAP_OTHER_PPS], 0.0, 1e-9);
    tu_assert_near(snap.x[COL_X_PCAP_LEN_1024_PPS], 1.5, 1e-9);
    assert_true(isnan(snap.x[COL_X_PCAP_DROPS])); /* a file has no kernel */
    assert_int_equal(snap.nflows, 3);             /* top 2 + the ICMP rest */
    assert_string_equal(snap.flows[0].dst, "10.0.0.2");
    assert_int_equal(snap.flows[0].dport, 80);
    assert_int_equal(snap.flows[1].dport, 53);
    assert_int_equal(snap.flows[2].bytes, 98);
    /* the file is consumed: the next interval is empty */
    col_snapshot_clear(&snap);
    col_src_pcap.sample(st, &ctx, &snap, &err);
    assert_int_equal(snap.nflows, 0);
    tu_assert_near(snap.x[COL_X_PCAP_TCP_PPS], 0.0, 1e-9);
    col_src_pcap.close(st);
    col_snapshot_fini(&snap);
    unlink(path);
    rmdir(dir);
    free(dir);
}

/* The drop for real, in a child (it cannot be undone in this process). */
static void
test_drop_privileges(void **state)
{
    (void)state;
    struct ks_err err = {0};
    assert_int_equal(col_pcap_drop_privileges("no-such-user-kasane", &err),
                     geteuid() == 0 ? -ENOENT : 0);
    struct passwd *pw = getpwnam("nobody");
    if (geteuid() != 0 || !pw)
        return; /* not root: nothing to drop, already checked above */
    uid_t want = pw->pw_uid;
    pid_t pid = fork();
    if (pid == 0) {
        struct ks_err e = {0};
        int rc = col_pcap_drop_privileges("nobody", &e);
        _exit(rc == 0 && getuid() == want && geteuid() == want && setuid(0) != 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ipv4),     cmocka_unit_test(test_parse_vlan_v6_sll2),
        cmocka_unit_test(test_parse_v6_extension_headers),
        cmocka_unit_test(test_flood_bounded),  cmocka_unit_test(test_top_order),
        cmocka_unit_test(test_offline_source), cmocka_unit_test(test_drop_privileges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
