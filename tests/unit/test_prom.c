/* Prometheus pieces without Prometheus: exposition text (golden), the exporter's HTTP
 * server (scrapes, errors, concurrency, no fd leak), the range-query parser, time
 * syntax, and the importer against a fake Prometheus API (values, paging, errors). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "collect/col_prom_client.h"
#include "collect/col_prom_expo.h"
#include "collect/col_prom_exporter.h"
#include "collect/col_prom_import.h"
#include "core/ks_dataset.h"
#include "core/ks_merge.h"
#include "tests/unit/test_prom_util.h"
#include "tests/unit/test_util.h"

static void
fill_nan(double *m)
{
    for (int i = 0; i < KS_NMETRIC; i++)
        m[i] = NAN;
}

/* Two entities: a host with every metric, a VM (with a name that needs escaping)
 * with a few. */
static void
sample_entities(struct col_prom_entity e[2])
{
    static char h[] = "host-1", hk[] = "host", v[] = "vm \"a\\b\"\nx", vk[] = "vm";
    e[0] = (struct col_prom_entity){.entity = h, .kind = hk, .time_s = 1764140000};
    e[1] = (struct col_prom_entity){.entity = v, .kind = vk, .time_s = 1764140000.5};
    for (int m = 0; m < KS_NMETRIC; m++)
        e[0].m[m] = 1.5 * (m + 1);
    fill_nan(e[1].m);
    e[1].m[KS_CPU_PCT] = 42;
    e[1].m[KS_MEM_USED_MIB] = 512;
    e[1].m[KS_NET_RX_KIBPS] = 0.25;
}

static char *
render(const struct col_prom_entity *e, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    col_prom_render(f, e, n);
    fclose(f);
    return buf;
}

/* What the exporter serves: kasane_build_info, then the rendered entities. */
static char *
render_page(const struct col_prom_entity *e, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    col_prom_render_build_info(f);
    col_prom_render(f, e, n);
    fclose(f);
    return buf;
}

/* The whole page against the reviewed golden file, plus spot checks of escaping, unit
 * scaling and an unknown value left out, which hold even if the golden file is
 * regenerated wrongly. */
static void
test_render_golden(void **state)
{
    (void)state;
    struct col_prom_entity e[2];
    sample_entities(e);
    char *text = render(e, 2);
    char *path = ks_xasprintf("%s/tests/fixtures/prom/expo_golden.txt", tu_root());
    char *want = tu_slurp(path, NULL);
    if (getenv("KASANE_GOLDEN_UPDATE")) {
        FILE *g = fopen(path, "w");
        fputs(text, g);
        fclose(g);
    }
    assert_non_null(want);
    assert_string_equal(text, want);
    /* Spot checks that do not depend on the golden file being right. */
    assert_non_null(strstr(text, "# TYPE kasane_cpu_busy_ratio gauge\n"));
    assert_non_null(
        strstr(text, "kasane_cpu_busy_ratio{entity=\"vm \\\"a\\\\b\\\"\\nx\",kind=\"vm\"} 0.42\n"));
    assert_non_null(strstr(
        text,
        "kasane_memory_used_bytes{entity=\"vm \\\"a\\\\b\\\"\\nx\",kind=\"vm\"} 536870912\n"));
    assert_non_null(
        strstr(text, "kasane_cpu_busy_hertz{entity=\"host-1\",kind=\"host\"} 3000000\n"));
    assert_null(strstr(text, "kasane_disk_await_seconds{entity=\"vm"));
    free(text);
    free(want);
    free(path);
}

/* No entity: an empty page (Prometheus accepts it). Every name keeps to the naming
 * conventions and every unit factor is an exact integer. */
static void
test_render_empty_and_names(void **state)
{
    (void)state;
    char *text = render(NULL, 0);
    assert_string_equal(text, "");
    free(text);
    /* Every name follows the conventions: prefix, [a-z0-9_] only, a unit suffix. */
    static const char *const units[] = {"_ratio",      "_hertz",   "_bytes",
                                        "_per_second", "_seconds", "_per_cycle"};
    for (int m = 0; m < KS_NMETRIC; m++) {
        const char *n = col_prom_metrics[m].name;
        int unit = 0;
        assert_int_equal(strncmp(n, "kasane_", 7), 0);
        assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_"), strlen(n));
        for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
            size_t ul = strlen(units[u]);
            unit |= strlen(n) > ul && strcmp(n + strlen(n) - ul, units[u]) == 0;
        }
        assert_true(unit);
        assert_true(col_prom_metrics[m].mul >= 1 && col_prom_metrics[m].div >= 1);
    }
}

/* ---- exporter ------------------------------------------------------------------- */

static struct col_prom_exporter *
start_exporter(void)
{
    struct col_prom_exporter *ex = NULL;
    struct ks_err err = {0};
    assert_int_equal(col_prom_exporter_start("127.0.0.1:0", &ex, &err), 0);
    assert_true(col_prom_exporter_port(ex) > 0);
    return ex;
}

/* 50 sequential scrapes return exactly the rendered page with the 0.0.4 content type;
 * an update shows in the next scrape; HEAD has no body; no descriptor is left open. */
static void
test_exporter_scrapes(void **state)
{
    (void)state;
    int fds = tp_count_fds();
    struct col_prom_exporter *ex = start_exporter();
    int port = col_prom_exporter_port(ex);
    struct col_prom_entity e[2];
    sample_entities(e);
    for (int i = 0; i < 2; i++)
        col_prom_exporter_update(ex, e[i].entity, e[i].kind, e[i].time_s, NAN, e[i].m);
    char *want = render_page(e, 2);
    assert_non_null(
        strstr(want, "# TYPE kasane_build_info gauge\nkasane_build_info{version=\"" KASANE_VERSION
                     "\"} 1\n"));
    for (int i = 0; i < 50; i++) {
        char *r = tp_get(port, "/metrics");
        assert_int_equal(tp_status(r), 200);
        assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4"));
        assert_string_equal(tp_body(r), want);
        free(r);
    }
    /* An update shows in the next scrape. */
    e[1].m[KS_CPU_PCT] = 7;
    col_prom_exporter_update(ex, e[1].entity, e[1].kind, e[1].time_s, NAN, e[1].m);
    char *r = tp_get(port, "/metrics?x=1");
    assert_non_null(strstr(tp_body(r), "kind=\"vm\"} 0.07\n"));
    free(r);
    r = tp_request(port, "HEAD /metrics HTTP/1.1\r\n\r\n", 26);
    assert_int_equal(tp_status(r), 200);
    assert_string_equal(tp_body(r), "");
    free(r);
    assert_true(col_prom_exporter_requests(ex) >= 52);
    col_prom_exporter_stop(ex);
    free(want);
    assert_int_equal(tp_count_fds(), fds);
}

/* Wrong path, method and request line get 404, 405 and 400; a request head three times
 * the limit gets 431 (read to the end, so the client sees it), and the server still
 * serves afterwards. */
static void
test_exporter_errors(void **state)
{
    (void)state;
    struct col_prom_exporter *ex = start_exporter();
    int port = col_prom_exporter_port(ex);
    char *r = tp_get(port, "/index.html");
    assert_int_equal(tp_status(r), 404);
    free(r);
    r = tp_get(port, "/metricsx");
    assert_int_equal(tp_status(r), 404);
    free(r);
    r = tp_request(port, "POST /metrics HTTP/1.1\r\n\r\n", 26);
    assert_int_equal(tp_status(r), 405);
    free(r);
    r = tp_request(port, "hello\r\n\r\n", 9);
    assert_int_equal(tp_status(r), 400);
    free(r);
    /* A request head over the limit: 431, and the server keeps serving. */
    size_t big = 3 * COL_PROM_MAX_REQUEST;
    char *req = malloc(big);
    memset(req, 'a', big);
    memcpy(req, "GET /metrics HTTP/1.1\r\nX: ", 26);
    r = tp_request(port, req, big);
    assert_int_equal(tp_status(r), 431);
    free(r);
    free(req);
    r = tp_get(port, "/metrics");
    assert_int_equal(tp_status(r), 200);
    free(r);
    col_prom_exporter_stop(ex);
}

/* 20 connections open at once plus one that never speaks: all 20 are answered (in
 * reverse order of their requests) and every descriptor is closed at stop. */
static void
test_exporter_concurrent(void **state)
{
    (void)state;
    int fds = tp_count_fds();
    struct col_prom_exporter *ex = start_exporter();
    int port = col_prom_exporter_port(ex);
    double m[KS_NMETRIC];
    fill_nan(m);
    m[KS_CPU_PCT] = 10;
    col_prom_exporter_update(ex, "h", "physical", 1, NAN, m);
    /* A client that connects and says nothing must not stop the others. */
    int idle = tp_connect(port);
    enum { N = 20 };
    int c[N];
    for (int i = 0; i < N; i++)
        assert_true((c[i] = tp_connect(port)) >= 0);
    for (int i = N - 1; i >= 0; i--)
        assert_int_equal(tp_send_all(c[i], "GET /metrics HTTP/1.1\r\n\r\n", 25), 0);
    for (int i = 0; i < N; i++) {
        char *r = tp_read_all(c[i]);
        assert_int_equal(tp_status(r), 200);
        assert_non_null(strstr(r, "kasane_cpu_busy_ratio{entity=\"h\",kind=\"physical\"} 0.1\n"));
        free(r);
        close(c[i]);
    }
    close(idle);
    col_prom_exporter_stop(ex);
    assert_int_equal(tp_count_fds(), fds);
}

/* Malformed listen addresses and a port in use fail at start with a message naming
 * the address. */
/* GET / answers an HTML page linking /metrics (what a browser pointed at the port
 * sees); HEAD / the same head without the body. */
static void
test_exporter_root_page(void **state)
{
    (void)state;
    struct col_prom_exporter *ex = start_exporter();
    int port = col_prom_exporter_port(ex);
    char *r = tp_get(port, "/");
    assert_int_equal(tp_status(r), 200);
    assert_non_null(strstr(r, "Content-Type: text/html; charset=utf-8"));
    assert_non_null(strstr(tp_body(r), "<a href=\"/metrics\">"));
    assert_non_null(strstr(tp_body(r), "kasane " KASANE_VERSION));
    free(r);
    r = tp_request(port, "HEAD / HTTP/1.1\r\n\r\n", 20);
    assert_int_equal(tp_status(r), 200);
    assert_string_equal(tp_body(r), "");
    free(r);
    col_prom_exporter_stop(ex);
}

/* Counters: each update adds the gauge times its interval (the first, without an
 * interval, adds nothing), in base units; a metric measured late starts its counter
 * then; levels (memory) have none. The textfile is written whole into DIR/kasane.prom
 * with no temporary file left, and rewritten in place. */
static void
test_exporter_counters_textfile(void **state)
{
    (void)state;
    struct col_prom_exporter *ex = NULL;
    struct ks_err err = {0};
    assert_int_equal(col_prom_exporter_start(NULL, &ex, &err), 0); /* no server */
    double m[KS_NMETRIC];
    fill_nan(m);
    m[KS_DISK_READ_KIBPS] = 1;                                  /* KiB/s */
    m[KS_CPU_PCT] = 50;                                         /* % */
    m[KS_MEM_USED_MIB] = 100;                                   /* a level: no counter */
    col_prom_exporter_update(ex, "h", "physical", 100, NAN, m); /* baseline */
    col_prom_exporter_update(ex, "h", "physical", 110, 10, m);
    m[KS_DISK_READ_KIBPS] = 3;
    m[KS_NET_TX_PPS] = 7; /* first measured now */
    col_prom_exporter_update(ex, "h", "physical", 115, 5, m);
    char *dir = tu_tmpdir();
    assert_int_equal(col_prom_exporter_write_textfile(ex, dir, &err), 0);
    char *path = ks_path_join(dir, "kasane.prom");
    char *t = tu_slurp(path, NULL);
    /* 1 KiB/s x 10 s + 3 KiB/s x 5 s = 25 KiB */
    assert_non_null(strstr(t,
                           "# TYPE kasane_disk_read_bytes_total counter\n"
                           "kasane_disk_read_bytes_total{entity=\"h\",kind=\"physical\"} 25600\n"));
    /* 0.5 busy x 15 s */
    assert_non_null(
        strstr(t, "kasane_cpu_busy_seconds_total{entity=\"h\",kind=\"physical\"} 7.5\n"));
    assert_non_null(
        strstr(t, "kasane_network_transmit_packets_total{entity=\"h\",kind=\"physical\"} 35\n"));
    assert_non_null(
        strstr(t, "kasane_disk_read_bytes_per_second{entity=\"h\",kind=\"physical\"} 3072\n"));
    assert_null(strstr(t, "kasane_memory_used_bytes_total"));
    assert_null(strstr(t, "kasane_network_receive_packets_total"));
    assert_true(strncmp(t, "# HELP kasane_build_info ", 25) == 0);
    free(t);
    /* rewritten whole; nothing else in the directory (no *.tmp.*: node_exporter reads
     * *.prom only, but a leftover would still be litter) */
    col_prom_exporter_update(ex, "h", "physical", 125, 10, m);
    assert_int_equal(col_prom_exporter_write_textfile(ex, dir, &err), 0);
    t = tu_slurp(path, NULL);
    assert_non_null(
        strstr(t, "kasane_disk_read_bytes_total{entity=\"h\",kind=\"physical\"} 56320\n"));
    free(t);
    DIR *d = opendir(dir);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d)))
        files += de->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 1);
    /* a directory that is not there: an error naming the file, nothing crashes */
    char *gone = ks_path_join(dir, "no/such");
    assert_true(col_prom_exporter_write_textfile(ex, gone, &err) < 0);
    assert_non_null(strstr(err.msg, "no/such/kasane.prom"));
    free(gone);
    col_prom_exporter_stop(ex);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

static void
test_exporter_bad_address(void **state)
{
    (void)state;
    static const char *const bad[] = {"127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", ":x",
                                      "no.such.host.invalid:80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct col_prom_exporter *ex = NULL;
        struct ks_err err = {0};
        assert_true(col_prom_exporter_start(bad[i], &ex, &err) < 0);
        assert_null(ex);
        assert_non_null(strstr(err.msg, bad[i]));
    }
    /* The port is taken: a clear error naming it. */
    struct col_prom_exporter *a = start_exporter(), *b = NULL;
    char *addr = ks_xasprintf("127.0.0.1:%d", col_prom_exporter_port(a));
    struct ks_err err = {0};
    assert_int_equal(col_prom_exporter_start(addr, &b, &err), -EADDRINUSE);
    assert_non_null(strstr(err.msg, addr));
    free(addr);
    col_prom_exporter_stop(a);
    col_prom_exporter_stop(NULL);
}

/* ---- range-query parser and time syntax ------------------------------------------- */

struct seen {
    int n;
    double sum;
    char inst[64];
};

static int
count_series(void *ctx, const struct col_prom_series *s)
{
    struct seen *sn = ctx;
    sn->n++;
    for (size_t i = 0; i < s->n; i++)
        sn->sum += isnan(s->v[i]) ? 1000 : s->v[i];
    const char *in = col_prom_series_label(s, "instance");
    snprintf(sn->inst, sizeof sn->inst, "%s", in ? in : "");
    return 0;
}

/* A fixture answer parses into its series (NaN kept as NaN); each kind of bad body
 * gets its own code and a message that names the request. */
static void
test_parse_matrix(void **state)
{
    (void)state;
    char *path = ks_xasprintf("%s/tests/fixtures/prom/range_ok.json", tu_root());
    size_t len = 0;
    char *body = tu_slurp(path, &len);
    struct seen sn = {0};
    struct ks_err err = {0};
    assert_int_equal(col_prom_parse_matrix(body, len, "fixture", count_series, &sn, &err), 2);
    assert_int_equal(sn.n, 2);
    assert_near(sn.sum, 1 + 2.5 + 4 + 1000, 1e-12);
    assert_string_equal(sn.inst, "b:9100");
    free(body);
    free(path);
    static const struct {
        const char *body, *want;
        int code;
    } bad[] = {
        {"{\"status\":\"success\",", "malformed JSON", -EBADMSG},
        {"[1,2]", "not an object", -EBADMSG},
        {"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}",
         "resultType", -EBADMSG},
        {"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
         "\"values\":[[1,\"x\"]]}]}}",
         "[time, \"number\"]", -EBADMSG},
        {"{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 3\"}",
         "parse error at char 3", -EPROTO},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct ks_err e = {0};
        assert_int_equal(col_prom_parse_matrix(bad[i].body, strlen(bad[i].body), "http://x/q",
                                               count_series, &sn, &e),
                         bad[i].code);
        assert_non_null(strstr(e.msg, bad[i].want));
        assert_non_null(strstr(e.msg, "http://x/q"));
    }
}

/* Every accepted spelling of --start/--end/--step, and refusals that quote the text. */
static void
test_time_syntax(void **state)
{
    (void)state;
    double t, d;
    struct ks_err err = {0};
    assert_int_equal(col_prom_parse_time("1764140000.5", 0, &t, &err), 0);
    assert_near(t, 1764140000.5, 0);
    assert_int_equal(col_prom_parse_time("2026-11-26T07:00:00Z", 0, &t, &err), 0);
    assert_near(t, 1795676400, 0);
    assert_int_equal(col_prom_parse_time("2026-11-26T09:00:00.25+02:00", 0, &t, &err), 0);
    assert_near(t, 1795676400.25, 0);
    assert_int_equal(col_prom_parse_time("now", 500, &t, &err), 0);
    assert_near(t, 500, 0);
    assert_int_equal(col_prom_parse_time("now-2m", 500, &t, &err), 0);
    assert_near(t, 380, 0);
    assert_int_equal(col_prom_parse_time("-1h", 7200, &t, &err), 0);
    assert_near(t, 3600, 0);
    assert_int_equal(col_prom_parse_time("yesterday", 0, &t, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "yesterday"));
    assert_int_equal(col_prom_parse_duration("1d", &d, NULL), 0);
    assert_near(d, 86400, 0);
    assert_int_equal(col_prom_parse_duration("90", &d, NULL), 0);
    assert_near(d, 90, 0);
    assert_int_equal(col_prom_parse_duration("5x", &d, NULL), -EINVAL);
    assert_int_equal(col_prom_parse_duration("-5s", &d, NULL), -EINVAL);
}

/* The template placeholders, with and without a selector. */
static void
test_expand(void **state)
{
    (void)state;
    char *q = col_prom_expand("rate(a{mode=\"x\"$}[@R]) + b{$} + max_over_time(c{$}[@G])",
                              "job=\"n\"", 60, 1.5);
    assert_string_equal(q, "rate(a{mode=\"x\",job=\"n\"}[60000ms]) + b{job=\"n\"} + "
                           "max_over_time(c{job=\"n\"}[1500ms])");
    free(q);
    q = col_prom_expand("rate(a{mode=\"x\"$}[@R]) + b{$}", NULL, 4, 1);
    assert_string_equal(q, "rate(a{mode=\"x\"}[4000ms]) + b");
    free(q);
}

/* ---- importer against a fake Prometheus --------------------------------------------- */

enum fake_mode { FAKE_DATA, FAKE_500_JSON, FAKE_500_TEXT, FAKE_MALFORMED, FAKE_EMPTY };

struct fake {
    enum fake_mode mode;
    double t0;             /* first step time of the import */
    double max_span_steps; /* widest request seen, in steps */
    int saw_match;         /* every query carried the selector */
    int nhosts;            /* node_exporter hosts h1..hN (0: one) */
    int empty_labels;      /* also series whose instance or entity label is "" */
    int queries;
};

/* A node_exporter value per query (what "rate(...)" would give), NaN = no series. */
static double
node_value(const char *q, double t, double t0)
{
    static const struct {
        const char *key;
        double v;
    } tab[] = {
        {"node_disk_read_time", 0.2},
        {"mode=\"idle\"", 4},
        {"mode!~", -1},
        {"mode=\"steal\"", 0.2},
        {"frequency", 2.5e9},
        {"MemTotal", 8589934592.0},
        {"MemAvailable", 6442450944.0},
        {"node_disk_read_bytes", 102400},
        {"node_disk_written_bytes", 51200},
        {"reads_completed", 10},
        {"writes_completed", 30},
        {"io_time", 0.25},
        {"receive_bytes", 2048},
        {"transmit_bytes", 4096},
        {"receive_packets", 100},
        {"transmit_packets", 200},
    };
    if (strstr(q, "node_cpu_seconds_total") && !strstr(q, "mode"))
        return 4; /* all modes: 4 CPUs' seconds per second */
    for (size_t i = 0; i < sizeof tab / sizeof *tab; i++)
        if (strstr(q, tab[i].key))
            return tab[i].v < 0 ? 1 + (t - t0) / 100 : tab[i].v; /* busy CPUs vary */
    return NAN;
}

/* One series over the requested steps; the step at t0 + 20 s is missing for node
 * series. sep: whether a series was written before. */
static void
series_json(FILE *out, int *sep, const char *labels, double v, const char *q, int node,
            double start, double end, double step, double t0)
{
    fprintf(out, "%s{\"metric\":%s,\"values\":[", *sep ? "," : "", labels);
    *sep = 1;
    int first = 1;
    long n = lround((end - start) / step);
    for (long k = 0; k <= n; k++) {
        double t = start + (double)k * step;
        if (node && fabs(t - (t0 + 20)) < 1e-6)
            continue;
        double val = node ? node_value(q, t, t0) : v;
        fprintf(out, "%s[%.3f,\"%.17g\"]", first ? "" : ",", t, val);
        first = 0;
    }
    fputs("]}", out);
}

/* The matrix answer of a query in FAKE_DATA mode: node series for hosts h1..hN, kasane
 * series for vm1. */
static void
data_answer(const struct fake *f, FILE *out, const char *q, double start, double end, double step)
{
    int sep = 0;
    char labels[256];
    for (int h = 1; h <= (f->nhosts ? f->nhosts : 1); h++) {
        if (strstr(q, "node_uname_info"))
            snprintf(labels, sizeof labels,
                     "{\"__name__\":\"node_uname_info\",\"instance\":\"h%d:9100\",\"nodename\":"
                     "\"h%d\",\"sysname\":\"Linux\",\"release\":\"6.1.0\"}",
                     h, h);
        else
            snprintf(labels, sizeof labels, "{\"instance\":\"h%d:9100\"}", h);
        if (strstr(q, "node_uname_info"))
            series_json(out, &sep, labels, 1, q, 0, start, end, step, f->t0);
        else if (!isnan(node_value(q, 0, 0)))
            series_json(out, &sep, labels, 0, q, 1, start, end, step, f->t0);
    }
    if (f->empty_labels && !isnan(node_value(q, 0, 0)) && !strstr(q, "node_uname_info"))
        series_json(out, &sep, "{\"instance\":\"\"}", 0, q, 1, start, end, step, f->t0);
    if (f->empty_labels && strstr(q, "kasane_cpu_busy_ratio"))
        series_json(out, &sep, "{\"entity\":\"\",\"kind\":\"vm\"}", 0.25, q, 0, start, end, step,
                    f->t0);
    const char *vm = "{\"entity\":\"vm1\",\"kind\":\"vm\"}";
    if (strstr(q, "kasane_cpu_busy_ratio"))
        series_json(out, &sep, vm, 0.5, q, 0, start, end, step, f->t0);
    else if (strstr(q, "kasane_disk_busy_ratio")) /* a division by zero in PromQL */
        series_json(out, &sep, vm, INFINITY, q, 0, start, end, step, f->t0);
    else if (strstr(q, "kasane_memory_used_bytes"))
        series_json(out, &sep, vm, 1073741824.0, q, 0, start, end, step, f->t0);
}

static void
fake_handler(void *ctx, const char *q, double start, double end, double step, int *status,
             char **body)
{
    struct fake *f = ctx;
    f->queries++;
    f->saw_match &= strstr(q, "job=\"node\"") != NULL;
    if ((end - start) / step + 1 > f->max_span_steps)
        f->max_span_steps = (end - start) / step + 1;
    *status = 200;
    if (f->mode == FAKE_500_JSON) {
        *status = 500;
        *body = strdup("{\"status\":\"error\",\"errorType\":\"internal\",\"error\":\"boom\"}");
        return;
    }
    if (f->mode == FAKE_500_TEXT || f->mode == FAKE_MALFORMED) {
        *status = f->mode == FAKE_500_TEXT ? 503 : 200;
        *body = strdup(f->mode == FAKE_500_TEXT ? "service\nunavailable" : "{\"status\":");
        return;
    }
    size_t len;
    FILE *out = open_memstream(body, &len);
    fputs("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[", out);
    if (f->mode == FAKE_DATA)
        data_answer(f, out, q, start, end, step);
    fputs("]}}", out);
    fclose(out);
}

/* One import against the fake, whose server runs only during the import. */
struct run {
    struct fake f;
    struct col_prom_import_stats st;
    struct ks_err err;
    char *url, *dir, *out;
    int rc;
};

/* o gets its url (with a trailing slash when slash), stats and nothing else from here. */
static void
run_import(struct run *r, struct col_prom_import_opts o, int slash)
{
    struct tp_server srv;
    tp_server_start(&srv, fake_handler, &r->f);
    r->url = ks_xasprintf("http://127.0.0.1:%d%s", srv.port, slash ? "/" : "");
    r->dir = tu_tmpdir();
    r->out = ks_xasprintf("%s/ds", r->dir);
    o.url = r->url;
    o.stats = &r->st;
    r->rc = col_prom_import(&o, r->out, &r->err);
    tp_server_stop(&srv);
}

static void
run_fini(struct run *r)
{
    tu_rmrf(r->dir);
    free(r->dir), free(r->out), free(r->url);
}

/* Series whose naming label is empty (Prometheus itself reads an empty label as none)
 * name no entity: an entity without a name once reached the dataset writer (make fuzz
 * found the same in import sar, session 13). */
static void
test_import_empty_labels(void **state)
{
    (void)state;
    struct run run = {.f = {.mode = FAKE_DATA, .t0 = 1764000000, .empty_labels = 1}};
    run_import(&run,
               (struct col_prom_import_opts){.start_s = run.f.t0,
                                             .end_s = run.f.t0 + 90,
                                             .step_s = 10,
                                             .match = "{job=\"node\"}"},
               0);
    assert_int_equal(run.rc, 0);
    assert_int_equal(run.st.entities, 2);
    struct ks_dataset *ds;
    assert_int_equal(ks_dataset_read(run.out, &ds, &run.err), 0);
    assert_int_equal(ks_dataset_nent(ds), 2);
    assert_true(ks_dataset_find(ds, "h1:9100") >= 0 && ks_dataset_find(ds, "vm1") >= 0);
    ks_dataset_free(ds);
    run_fini(&run);
}

/* A full import against the fake: page_s of 3 steps gives 4 pages; every metric of
 * the node_exporter arithmetic, the kasane gauges scaled back, the inventory, a step
 * with no data left out, +Inf dropped, the selector in every query, entities named by
 * nodename. */
static void
test_import_fake(void **state)
{
    (void)state;
    struct run run = {.f = {.mode = FAKE_DATA, .t0 = 1764000000, .saw_match = 1}};
    const struct fake *f = &run.f;
    struct col_prom_import_stats *st = &run.st;
    struct ks_err *err = &run.err;
    run_import(&run,
               (struct col_prom_import_opts){.start_s = f->t0,
                                             .end_s = f->t0 + 90,
                                             .step_s = 10,
                                             .page_s = 30,
                                             .match = "{job=\"node\"}",
                                             .by_nodename = 1},
               1);
    assert_int_equal(run.rc, 0);
    assert_true(f->saw_match);
    assert_near(f->max_span_steps, 3, 1e-9); /* page_s = 3 steps */
    assert_int_equal(st->pages, 4);
    assert_int_equal(st->entities, 2);
    assert_int_equal(st->rows, 10 + 9);
    assert_int_equal((int)st->requests, f->queries);

    struct ks_dataset *ds;
    assert_int_equal(ks_dataset_read(run.out, &ds, err), 0);
    long h = ks_dataset_find(ds, "h1"), v = ks_dataset_find(ds, "vm1");
    assert_true(h >= 0 && v >= 0);
    assert_string_equal(ks_inv_str(ds, (size_t)h, "kind"), "physical");
    assert_string_equal(ks_inv_str(ds, (size_t)h, "hostname"), "h1");
    assert_string_equal(ks_inv_str(ds, (size_t)h, "os"), "Linux 6.1.0");
    assert_near(ks_inv_num(ds, (size_t)h, "threads"), 4, 0);
    assert_near(ks_inv_num(ds, (size_t)h, "mem_MiB"), 8192, 0);
    assert_near(ks_inv_num(ds, (size_t)h, "core_MHz"), 2500, 0);
    assert_string_equal(ks_inv_str(ds, (size_t)v, "kind"), "vm");
    assert_true(isnan(ks_inv_num(ds, (size_t)v, "mem_MiB")));
    const struct ks_samples *s = &ds->s;
    size_t nh = 0;
    for (size_t r = 0; r < s->nrows; r++) {
        double k = (s->time[r] - f->t0) / 10;
        assert_near(s->interval_s[r], 10, 0);
        if (s->ent[r] == (uint32_t)v) {
            assert_near(ks_samples_get(s, r, KS_CPU_PCT), 50, 1e-9);
            assert_near(ks_samples_get(s, r, KS_MEM_USED_MIB), 1024, 0);
            assert_true(isnan(ks_samples_get(s, r, KS_DISK_READ_KIBPS)));
            assert_true(isnan(ks_samples_get(s, r, KS_DISK_UTIL_PCT))); /* was +Inf */
            continue;
        }
        nh++;
        assert_true(fabs(k - 2) > 1e-9); /* the missing step has no row */
        double busy = 1 + k * 10 / 100;
        assert_near(ks_samples_get(s, r, KS_CPU_PCT), 100 * busy / 4, 1e-9);
        assert_near(ks_samples_get(s, r, KS_CPU_MHZ), busy * 2500, 1e-6); /* busy CPUs x clock */
        assert_near(ks_samples_get(s, r, KS_CPU_STEAL_PCT), 5, 1e-9);
        assert_near(ks_samples_get(s, r, KS_MEM_USED_MIB), 2048, 0);
        assert_near(ks_samples_get(s, r, KS_MEM_TOTAL_MIB), 8192, 0);
        assert_near(ks_samples_get(s, r, KS_DISK_READ_KIBPS), 100, 0);
        assert_near(ks_samples_get(s, r, KS_DISK_WRITE_KIBPS), 50, 0);
        assert_near(ks_samples_get(s, r, KS_DISK_READ_IOPS), 10, 0);
        assert_near(ks_samples_get(s, r, KS_DISK_WRITE_IOPS), 30, 0);
        assert_near(ks_samples_get(s, r, KS_DISK_AWAIT_MS), 5, 1e-9);
        assert_near(ks_samples_get(s, r, KS_DISK_UTIL_PCT), 25, 0);
        assert_near(ks_samples_get(s, r, KS_NET_RX_KIBPS), 2, 0);
        assert_near(ks_samples_get(s, r, KS_NET_TX_KIBPS), 4, 0);
        assert_near(ks_samples_get(s, r, KS_NET_RX_PPS), 100, 0);
        assert_near(ks_samples_get(s, r, KS_NET_TX_PPS), 200, 0);
        assert_true(isnan(ks_samples_get(s, r, KS_IPC)));
    }
    assert_int_equal(nh, 9);
    ks_dataset_free(ds);
    run_fini(&run);
}

/* Automatic pages: 60 steps first, then sized by the series count (5 hosts and a
 * budget of 100 points: 20 steps), every row still written once and in order. */
static void
test_import_auto_pages(void **state)
{
    (void)state;
    struct run run = {.f = {.mode = FAKE_DATA, .t0 = 1764000000, .saw_match = 1, .nhosts = 5}};
    double t0 = run.f.t0;
    run_import(&run,
               (struct col_prom_import_opts){
                   .start_s = t0, .end_s = t0 + 120, .step_s = 1, .page_points = 100},
               0);
    assert_int_equal(run.rc, 0);
    assert_int_equal(run.st.pages, 5); /* 60 + 20 + 20 + 20 + 1 steps */
    assert_near(run.f.max_span_steps, 60, 1e-9);
    assert_int_equal(run.st.entities, 6);
    assert_int_equal(run.st.rows, 121 * 6 - 5); /* node hosts miss the step at t0 + 20 */
    struct ks_dataset *ds;
    assert_int_equal(ks_dataset_read(run.out, &ds, &run.err), 0); /* checks time order */
    assert_int_equal(ds->s.nrows, run.st.rows);
    assert_near(ds->s.time[ds->s.nrows - 1], t0 + 120, 0);
    ks_dataset_free(ds);
    run_fini(&run);
}

/* The sources mask picks the exporters: each alone gives only its own entities. */
static void
test_import_sources(void **state)
{
    (void)state;
    static const struct {
        unsigned src;
        const char *has, *hasnt;
    } cases[] = {{COL_PROM_SRC_KASANE, "vm1", "h1:9100"}, {COL_PROM_SRC_NODE, "h1:9100", "vm1"}};
    for (size_t i = 0; i < 2; i++) {
        struct run run = {.f = {.mode = FAKE_DATA, .t0 = 1764000000, .saw_match = 1}};
        run_import(
            &run,
            (struct col_prom_import_opts){
                .start_s = run.f.t0, .end_s = run.f.t0 + 30, .step_s = 10, .sources = cases[i].src},
            0);
        assert_int_equal(run.rc, 0);
        assert_int_equal(run.st.entities, 1);
        struct ks_dataset *ds;
        assert_int_equal(ks_dataset_read(run.out, &ds, &run.err), 0);
        assert_true(ks_dataset_find(ds, cases[i].has) >= 0);
        assert_true(ks_dataset_find(ds, cases[i].hasnt) < 0);
        /* Queries of the other exporter were not even sent. */
        assert_int_equal(run.f.queries, cases[i].src == COL_PROM_SRC_NODE ? 18 : 16);
        ks_dataset_free(ds);
        run_fini(&run);
    }
}

/* An imported dataset merges with another (core/ks_merge.h) and goes on a time grid:
 * what `kasane plan DS1 DS2` does with a fleet. */
static void
test_import_merges(void **state)
{
    (void)state;
    struct run run = {.f = {.mode = FAKE_DATA, .t0 = 1764000000, .saw_match = 1}};
    run_import(
        &run,
        (struct col_prom_import_opts){.start_s = run.f.t0, .end_s = run.f.t0 + 60, .step_s = 10},
        0);
    assert_int_equal(run.rc, 0);
    char *other = ks_xasprintf("%s/other", run.dir);
    assert_int_equal(mkdir(other, 0777), 0);
    tu_write(other, "inventory.csv", "entity,kind\ndb1,physical\n");
    tu_write(other, "samples.csv",
             "time,entity,interval_s,cpu_pct\n1764000030,db1,30,80\n1764000060,db1,30,90\n");
    char *paths[2] = {run.out, other};
    struct ks_dataset *ds;
    struct ks_grid g;
    assert_int_equal(ks_dataset_read_many(paths, 2, &ds, &run.err), 0);
    assert_int_equal(ks_dataset_nent(ds), 3);
    assert_int_equal(ks_grid_build(ds, 0, KS_AGG_MAX, 0, &g, &run.err), 0);
    assert_near(g.step_s, 30, 0); /* the coarsest step wins, windows keep the max */
    assert_non_null(ks_grid_series(&g, KS_CPU_PCT, (size_t)ks_dataset_find(ds, "vm1")));
    ks_grid_fini(&g);
    ks_dataset_free(ds);
    free(other);
    run_fini(&run);
}

/* Run an import against the fake in mode; returns the code, err filled. */
static int
import_mode(enum fake_mode mode, struct ks_err *err, char **url_out, int *files_left)
{
    struct run run = {.f = {.mode = mode, .t0 = 1764000000, .saw_match = 1}};
    run_import(
        &run,
        (struct col_prom_import_opts){.start_s = run.f.t0, .end_s = run.f.t0 + 60, .step_s = 15},
        0);
    char *p = ks_xasprintf("%s/samples.csv", run.out);
    char *q = ks_xasprintf("%s/inventory.csv", run.out);
    *files_left = access(p, F_OK) == 0 || access(q, F_OK) == 0 || access(run.out, F_OK) == 0;
    free(p);
    free(q);
    *err = run.err;
    *url_out = ks_xstrdup(run.url);
    run_fini(&run);
    return run.rc;
}

/* HTTP errors (JSON and plain bodies), malformed JSON and an empty result: each its
 * code, a message with the URL and the reason, and nothing left on disk. */
static void
test_import_errors(void **state)
{
    (void)state;
    static const struct {
        enum fake_mode mode;
        int code;
        const char *want1, *want2;
    } cases[] = {
        {FAKE_500_JSON, -EPROTO, "HTTP status 500", "boom"},
        {FAKE_500_TEXT, -EPROTO, "HTTP status 503", "service unavailable"},
        {FAKE_MALFORMED, -EBADMSG, "malformed JSON", "query '"},
        {FAKE_EMPTY, -ENODATA, "empty result", "2025-11-24T16:00:00Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct ks_err err = {0};
        char *url;
        int left;
        assert_int_equal(import_mode(cases[i].mode, &err, &url, &left), cases[i].code);
        print_message("%s\n", err.msg);
        assert_non_null(strstr(err.msg, url));
        assert_non_null(strstr(err.msg, cases[i].want1));
        assert_non_null(strstr(err.msg, cases[i].want2));
        assert_false(left);
        free(url);
    }
}

/* A closed port on 127.0.0.1 is "unreachable" with the URL; bad options are -EINVAL
 * before any request. */
static void
test_import_unreachable_and_opts(void **state)
{
    (void)state;
    char *url = ks_xasprintf("http://127.0.0.1:%d", tp_free_port());
    char *dir = tu_tmpdir(), *out = ks_xasprintf("%s/ds", dir);
    struct col_prom_import_opts o = {.url = url, .start_s = 0, .end_s = 60, .step_s = 15};
    struct ks_err err = {0};
    assert_int_equal(col_prom_import(&o, out, &err), -ECONNREFUSED);
    assert_non_null(strstr(err.msg, url));
    assert_non_null(strstr(err.msg, "unreachable"));
    struct col_prom_import_opts bad[] = {
        {.url = url, .start_s = 60, .end_s = 0, .step_s = 15},
        {.url = url, .start_s = 0, .end_s = 60, .step_s = 0},
        {.url = "ftp://x", .start_s = 0, .end_s = 60, .step_s = 1},
        {.url = NULL, .start_s = 0, .end_s = 60, .step_s = 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct ks_err e = {0};
        assert_int_equal(col_prom_import(&bad[i], out, &e), -EINVAL);
        assert_true(e.msg[0] != '\0');
    }
    tu_rmrf(dir);
    free(dir);
    free(out);
    free(url);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_golden),
        cmocka_unit_test(test_render_empty_and_names),
        cmocka_unit_test(test_exporter_scrapes),
        cmocka_unit_test(test_exporter_errors),
        cmocka_unit_test(test_exporter_concurrent),
        cmocka_unit_test(test_exporter_bad_address),
        cmocka_unit_test(test_exporter_root_page),
        cmocka_unit_test(test_exporter_counters_textfile),
        cmocka_unit_test(test_parse_matrix),
        cmocka_unit_test(test_time_syntax),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_import_fake),
        cmocka_unit_test(test_import_empty_labels),
        cmocka_unit_test(test_import_auto_pages),
        cmocka_unit_test(test_import_sources),
        cmocka_unit_test(test_import_merges),
        cmocka_unit_test(test_import_errors),
        cmocka_unit_test(test_import_unreachable_and_opts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
