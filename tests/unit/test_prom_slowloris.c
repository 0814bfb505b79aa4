/* Issue 18 item 8: the exporter's request parser (col_http.h) and its defence against
 * idle and slow clients: 150 idle connections and 5 that trickle a byte every 0.5 s
 * must not delay a scrape (the old server kept 32 slots and stopped accepting while
 * they were taken, so a scrape waited out their 10 s timeout), the oldest idle ones
 * are evicted, and a trickling head is cut at its deadline. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "collect/col_http.h"
#include "collect/col_prom_exporter.h"
#include "tests/unit/test_prom_util.h"
#include "tests/unit/test_util.h"

static enum col_http_verdict
parse(const char *s, int *head_only)
{
    struct col_http_req rq;
    enum col_http_verdict v = col_http_parse(s, strlen(s), 8192, &rq);
    assert_int_equal(v, rq.verdict);
    if (head_only)
        *head_only = rq.head_only;
    return v;
}

static void
test_http_parse(void **state)
{
    (void)state;
    int head = -1;
    assert_int_equal(parse("", NULL), COL_HTTP_MORE);
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", NULL), COL_HTTP_MORE);
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &head), COL_HTTP_METRICS);
    assert_int_equal(head, 0);
    assert_int_equal(parse("HEAD /metrics?x=1 HTTP/1.0\n\n", &head), COL_HTTP_METRICS);
    assert_int_equal(head, 1);
    assert_int_equal(parse("POST /metrics HTTP/1.1\r\n\r\n", NULL), COL_HTTP_METHOD);
    assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", NULL), COL_HTTP_ROOT);
    assert_int_equal(parse("GET /index.html HTTP/1.1\r\n\r\n", NULL), COL_HTTP_NOTFOUND);
    assert_int_equal(parse("GET /metrics SPDY/3\r\n\r\n", NULL), COL_HTTP_BAD);
    assert_int_equal(parse("GET /metrics\r\n\r\n", NULL), COL_HTTP_BAD);
    assert_int_equal(parse("\r\n\r\n", NULL), COL_HTTP_BAD);
    assert_int_equal(parse("GETGETGETGETGETGETGET /metrics HTTP/1.1\n\n", NULL), COL_HTTP_BAD);
    /* a NUL inside the head is a byte like another, not the end of the buffer */
    struct col_http_req rq;
    static const char nul[] = "GET /met\0rics HTTP/1.1\r\n\r\n";
    assert_int_equal(col_http_parse(nul, sizeof nul - 1, 8192, &rq), COL_HTTP_NOTFOUND);
    /* no end of head within the cap */
    char big[100];
    memset(big, 'a', sizeof big);
    assert_int_equal(col_http_parse(big, sizeof big, 100, &rq), COL_HTTP_TOOBIG);
    assert_int_equal(col_http_parse(big, 99, 100, &rq), COL_HTTP_MORE);
}

/* 1 when the peer closed fd (EOF or reset) within ms; 0 while it stays open. */
static int
closed_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) <= 0)
        return 0;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN);
}

#define NIDLE 150
#define NSLOW 5

static void
test_slowloris(void **state)
{
    (void)state;
    struct col_prom_exporter *ex = NULL;
    struct ks_err err = {0};
    assert_int_equal(col_prom_exporter_start("127.0.0.1:0", &ex, &err), 0);
    int port = col_prom_exporter_port(ex);
    double m[KS_NMETRIC];
    for (int i = 0; i < KS_NMETRIC; i++)
        m[i] = 1;
    col_prom_exporter_update(ex, "web1", "physical", 1700000000, NAN, m);
    int idle[NIDLE], slow[NSLOW];
    for (int i = 0; i < NIDLE; i++)
        assert_true((idle[i] = tp_connect(port)) >= 0);
    for (int i = 0; i < NSLOW; i++) {
        assert_true((slow[i] = tp_connect(port)) >= 0);
        assert_int_equal(tp_send_all(slow[i], "G", 1), 0);
    }
    /* Scrapes while the slow ones trickle "ET /metrics ..." a byte per 0.5 s. */
    static const char trickle[] = "ET /metrics HTTP/1.1\r\n";
    double worst_s = 0;
    for (int k = 0; k < 5; k++) {
        double t0 = ks_mono_s();
        char *r = tp_get(port, "/metrics");
        double dt = ks_mono_s() - t0;
        assert_int_equal(tp_status(r), 200);
        assert_non_null(strstr(r, "entity=\"web1\""));
        free(r);
        worst_s = dt > worst_s ? dt : worst_s;
        for (int i = 0; i < NSLOW; i++)
            tp_send_all(slow[i], trickle + k, 1);
        struct timespec ts = {0, 500000000};
        nanosleep(&ts, NULL);
    }
    print_message("# worst scrape with %d idle and %d slow connections: %.3f s\n", NIDLE, NSLOW,
                  worst_s);
    assert_true(worst_s < 2.0);
    /* Every connection past the cap evicted one: the oldest idle ones went first. */
    unsigned long ev = col_prom_exporter_evicted(ex);
    assert_true(ev >= NIDLE + NSLOW - COL_PROM_MAX_CONNS);
    for (int i = 0; i < NIDLE + NSLOW - COL_PROM_MAX_CONNS; i++)
        assert_true(closed_within(idle[i], 100));
    /* A head that trickles in is still cut at its deadline (3 s after the accept). */
    for (int i = 0; i < NSLOW; i++)
        assert_true(closed_within(slow[i], 3000));
    for (int i = 0; i < NIDLE; i++)
        close(idle[i]);
    for (int i = 0; i < NSLOW; i++)
        close(slow[i]);
    col_prom_exporter_stop(ex);
}

/* ":PORT" binds loopback only, and says so through the bound address. */
static void
test_listen_default_loopback(void **state)
{
    (void)state;
    struct col_prom_exporter *ex = NULL;
    struct ks_err err = {0};
    assert_int_equal(col_prom_exporter_start(":0", &ex, &err), 0);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%d", col_prom_exporter_port(ex));
    assert_string_equal(col_prom_exporter_addr(ex), want);
    col_prom_exporter_stop(ex);
    assert_int_equal(col_prom_exporter_start("0.0.0.0:0", &ex, &err), 0);
    assert_non_null(strstr(col_prom_exporter_addr(ex), "0.0.0.0:"));
    col_prom_exporter_stop(ex);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_parse),
        cmocka_unit_test(test_slowloris),
        cmocka_unit_test(test_listen_default_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
