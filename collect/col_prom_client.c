#include "collect/col_prom_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ks_dl.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */

/* libcurl is loaded when the first client is made, not linked (ks_dl.h says why);
 * KASANE_LIBCURL_SO replaces its name (a test hook). The table is typed from curl.h.
 * curl.h defines curl_easy_setopt and curl_easy_getinfo as macros too, so calls
 * through the table are written (cu.curl_easy_setopt)(...): the parenthesis keeps
 * the preprocessor from expanding them (and so the variadic options are unchecked:
 * every long option value below is written as a long). */
#define CU_FUNCS(X)                                                                                \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_easy_escape)                                                                            \
    X(curl_free)

/* Filled once per process by ks_dl_load, read-only afterwards. */
static struct cu_api {
    CU_FUNCS(KS_DL_FIELD)
} cu;
#define CU_SYM(f) KS_DL_ENTRY(struct cu_api, f)
static const struct ks_dl_sym cu_syms[] = {CU_FUNCS(CU_SYM)};

/* curl_global_init is not thread-safe before libcurl 7.84: ks_dl_load runs this once,
 * under its lock, whoever creates the first client. It is never cleaned up (the
 * process exit does that). */
static void
cu_init(const void *api)
{
    ((const struct cu_api *)api)->curl_global_init(CURL_GLOBAL_DEFAULT);
}
static struct ks_dl_lib cu_lib =
    KS_DL_LIB(KS_SO_LIBCURL, "KASANE_LIBCURL_SO", KS_PKG_LIBCURL, &cu, cu_syms, cu_init);

/* jansson too: only `import prometheus` reads JSON. Its json_decref is an inline
 * function of jansson.h that calls json_delete directly, so this file frees a parsed
 * answer with json_delete (each root here holds the only reference). */
#define JS_FUNCS(X)                                                                                \
    X(json_loadb)                                                                                  \
    X(json_delete) X(json_object_get) X(json_array_get) X(json_array_size) X(json_string_value)    \
        X(json_number_value)
static struct js_api {
    JS_FUNCS(KS_DL_FIELD)
} jsapi;
#define JS_SYM(f) KS_DL_ENTRY(struct js_api, f)
static const struct ks_dl_sym js_syms[] = {JS_FUNCS(JS_SYM)};
static struct ks_dl_lib js_lib =
    KS_DL_LIB(KS_SO_JANSSON, "KASANE_JANSSON_SO", KS_PKG_JANSSON, &jsapi, js_syms, NULL);
#define json_loadb jsapi.json_loadb
#define json_object_get jsapi.json_object_get
#define json_array_get jsapi.json_array_get
#define json_array_size jsapi.json_array_size
#define json_string_value jsapi.json_string_value
#define json_number_value jsapi.json_number_value
static void
js_free(json_t *root)
{
    if (root)
        jsapi.json_delete(root);
}

/* One client per import: the curl handle keeps its connection alive between the
 * many range queries of a run (34 per page), which saves a TCP handshake each. */
struct col_prom_client {
    CURL *h;
    char *url; /* base + /api/v1/query_range */
    long timeout_s;
    unsigned long requests;
    char *body; /* answer of the last request, grown as needed */
    size_t blen, bcap;
    int too_big;
    char cerr[CURL_ERROR_SIZE];
};

/* ---- the matrix parser ---------------------------------------------------------- */

const char *
col_prom_series_label(const struct col_prom_series *s, const char *name)
{
    return json_string_value(json_object_get((const json_t *)s->labels, name));
}

/* The body is JSON but not what /api/v1/query_range documents (a proxy answering
 * HTML-in-JSON, an instant-query answer, a different API version). */
static int
bad_shape(const char *what, const char *why, struct ks_err *err)
{
    return ks_errf(err, -EBADMSG, "%s: answer is not a Prometheus range-query result: %s", what,
                   why);
}

/* Prometheus sends sample values as strings ("1.5", "NaN", "+Inf"): strtod reads all. */
static int
pair_value(const json_t *pair, double *t, double *v)
{
    const json_t *jt = json_array_get(pair, 0), *jv = json_array_get(pair, 1);
    const char *sv = json_string_value(jv);
    char *end;
    if (!json_is_number(jt) || !sv)
        return -1;
    *t = json_number_value(jt);
    *v = strtod(sv, &end);
    return *end || end == sv ? -1 : 0;
}

/* Per-parse scratch for one series' pairs. */
struct pairs {
    double *t, *v;
    size_t cap;
};

/* Convert one series' [time, "value"] pairs into the scratch arrays and hand it to
 * the callback. One series is held at a time, whatever the answer's size. */
static int
parse_series(const json_t *js, struct pairs *p, const char *what, col_prom_series_fn fn, void *ctx,
             struct ks_err *err)
{
    const json_t *labels = json_object_get(js, "metric");
    const json_t *values = json_object_get(js, "values");
    if (!json_is_object(labels) || !json_is_array(values))
        return bad_shape(what, "a series lacks \"metric\" or \"values\"", err);
    size_t n = json_array_size(values);
    if (n > p->cap) {
        p->t = ks_xrealloc(p->t, n * sizeof *p->t);
        p->v = ks_xrealloc(p->v, n * sizeof *p->v);
        p->cap = n;
    }
    for (size_t i = 0; i < n; i++)
        if (pair_value(json_array_get(values, i), &p->t[i], &p->v[i]) < 0)
            return bad_shape(what, "a value is not a [time, \"number\"] pair", err);
    struct col_prom_series s = {.labels = labels, .n = n, .t = p->t, .v = p->v};
    return fn(ctx, &s);
}

/* Check the envelope {"status", "data": {"resultType": "matrix", "result": [...]}}
 * and walk the series. Prometheus may add "warnings" and "infos": ignored. */
static int
parse_root(const json_t *root, const char *what, col_prom_series_fn fn, void *ctx,
           struct ks_err *err)
{
    const char *status = json_string_value(json_object_get(root, "status"));
    if (!status)
        return bad_shape(what, "no \"status\" field", err);
    if (strcmp(status, "success") != 0) {
        const char *e = json_string_value(json_object_get(root, "error"));
        return ks_errf(err, -EPROTO, "%s: Prometheus answered status '%s': %s", what, status,
                       e ? e : "(no error text)");
    }
    const json_t *data = json_object_get(root, "data");
    const char *rtype = json_string_value(json_object_get(data, "resultType"));
    const json_t *result = json_object_get(data, "result");
    if (!rtype || strcmp(rtype, "matrix") != 0 || !json_is_array(result))
        return bad_shape(what, "no \"data\" with resultType \"matrix\" and a \"result\" array",
                         err);
    struct pairs p = {0};
    int rc = 0;
    size_t i;
    for (i = 0; i < json_array_size(result) && rc >= 0; i++)
        rc = parse_series(json_array_get(result, i), &p, what, fn, ctx, err);
    free(p.t);
    free(p.v);
    return rc < 0 ? rc : (int)i;
}

/* jansson holds the whole parsed answer (about 200 bytes per point): the importer
 * bounds the answer size by paging, not here. */
int
col_prom_parse_matrix(const char *body, size_t len, const char *what, col_prom_series_fn fn,
                      void *ctx, struct ks_err *err)
{
    int rc = ks_dl_load(&js_lib, err);
    if (rc < 0)
        return rc;
    json_error_t je;
    json_t *root = json_loadb(body, len, 0, &je);
    if (!root)
        return ks_errf(err, -EBADMSG, "%s: malformed JSON in the answer (line %d, column %d): %s",
                       what, je.line, je.column, je.text);
    rc = json_is_object(root) ? parse_root(root, what, fn, ctx, err)
                              : bad_shape(what, "the JSON is not an object", err);
    js_free(root);
    return rc;
}

/* ---- HTTP ----------------------------------------------------------------------- */

/* curl write callback: append to the body, refusing to grow past COL_PROM_MAX_BODY
 * (a misconfigured URL can stream without end). */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct col_prom_client *c = arg;
    size_t n = size * nmemb;
    if (c->blen + n + 1 > COL_PROM_MAX_BODY) {
        c->too_big = 1;
        return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    }
    c->body = ks_xgrow(c->body, &c->bcap, c->blen + n + 1, 1);
    memcpy(c->body + c->blen, data, n);
    c->blen += n;
    c->body[c->blen] = '\0';
    return n;
}

/* Only the scheme is checked here; everything else about the URL is curl's to judge,
 * and its message reaches the user on the first request. */
int
col_prom_client_new(const char *base_url, long timeout_s, struct col_prom_client **out,
                    struct ks_err *err)
{
    if (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0)
        return ks_errf(err, -EINVAL, "Prometheus URL '%s' must start with http:// or https://",
                       base_url);
    int rc = ks_dl_load(&cu_lib, err);
    if (rc == 0)
        rc = ks_dl_load(&js_lib, err);
    if (rc < 0)
        return rc;
    struct col_prom_client *c = ks_xcalloc(1, sizeof *c);
    size_t bl = strlen(base_url);
    while (bl && base_url[bl - 1] == '/')
        bl--;
    c->url = ks_xasprintf("%.*s/api/v1/query_range", (int)bl, base_url);
    c->timeout_s = timeout_s > 0 ? timeout_s : 60;
    c->h = cu.curl_easy_init();
    if (!c->h) {
        col_prom_client_free(c);
        return ks_errf(err, -ENOMEM, "libcurl: cannot create a handle");
    }
    (cu.curl_easy_setopt)(c->h, CURLOPT_URL, c->url);
    (cu.curl_easy_setopt)(c->h, CURLOPT_WRITEFUNCTION, on_body);
    (cu.curl_easy_setopt)(c->h, CURLOPT_WRITEDATA, c);
    (cu.curl_easy_setopt)(c->h, CURLOPT_ERRORBUFFER, c->cerr);
    (cu.curl_easy_setopt)(c->h, CURLOPT_TIMEOUT, c->timeout_s);
    (cu.curl_easy_setopt)(c->h, CURLOPT_CONNECTTIMEOUT, 10L);
    (cu.curl_easy_setopt)(c->h, CURLOPT_NOSIGNAL, 1L);        /* no SIGALRM in a threaded program */
    (cu.curl_easy_setopt)(c->h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip: JSON shrinks ~10x */
    *out = c;
    return 0;
}

void
col_prom_client_free(struct col_prom_client *c)
{
    if (!c)
        return;
    if (c->h)
        cu.curl_easy_cleanup(c->h);
    free(c->url);
    free(c->body);
    free(c);
}

unsigned long
col_prom_client_requests(const struct col_prom_client *c)
{
    return c->requests;
}

/* Map curl's failure to an errno-style code; the message keeps curl's own words,
 * which name the host and port. */
static int
transport_error(struct col_prom_client *c, CURLcode cc, struct ks_err *err)
{
    const char *why = c->cerr[0] ? c->cerr : cu.curl_easy_strerror(cc);
    if (c->too_big)
        return ks_errf(err, -EFBIG, "%s: answer larger than %u MiB: use a shorter page", c->url,
                       COL_PROM_MAX_BODY >> 20);
    int code = cc == CURLE_COULDNT_CONNECT        ? -ECONNREFUSED
               : cc == CURLE_COULDNT_RESOLVE_HOST ? -EHOSTUNREACH
               : cc == CURLE_OPERATION_TIMEDOUT   ? -ETIMEDOUT
                                                  : -EIO;
    return ks_errf(err, code, "%s: Prometheus unreachable: %s", c->url, why);
}

/* A non-200 answer: Prometheus' API puts its reason in the JSON "error" field; any
 * other server gets the start of its body, on one line. */
static int
status_error(struct col_prom_client *c, long status, const char *query, struct ks_err *err)
{
    json_t *root = json_loadb(c->body ? c->body : "", c->blen, 0, NULL);
    const char *e = json_string_value(json_object_get(root, "error"));
    char excerpt[161];
    size_t n = 0;
    for (size_t i = 0; !e && i < c->blen && n < sizeof excerpt - 1; i++)
        excerpt[n++] = c->body[i] == '\n' || c->body[i] == '\r' ? ' ' : c->body[i];
    excerpt[n] = '\0';
    int rc =
        ks_errf(err, -EPROTO, "%s: HTTP status %ld for query '%.100s': %s", c->url, status, query,
                e   ? e
                : n ? excerpt
                    : "(empty body)");
    js_free(root);
    return rc;
}

/* POST rather than GET: a long --match selector times 34 queries would otherwise run
 * into URL length limits of proxies in front of Prometheus. */
int
col_prom_query_range(struct col_prom_client *c, const char *query, double start_s, double end_s,
                     double step_s, col_prom_series_fn fn, void *ctx, struct ks_err *err)
{
    char *q = cu.curl_easy_escape(c->h, query, 0);
    char *form = ks_xasprintf("query=%s&start=%.3f&end=%.3f&step=%.6g", q, start_s, end_s, step_s);
    cu.curl_free(q);
    c->blen = 0;
    c->too_big = 0;
    c->cerr[0] = '\0';
    (cu.curl_easy_setopt)(c->h, CURLOPT_POSTFIELDS, form);
    CURLcode cc = cu.curl_easy_perform(c->h);
    c->requests++;
    free(form);
    if (cc != CURLE_OK)
        return transport_error(c, cc, err);
    long status = 0;
    (cu.curl_easy_getinfo)(c->h, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200)
        return status_error(c, status, query, err);
    char *what = ks_xasprintf("%s (query '%.100s')", c->url, query);
    int rc = col_prom_parse_matrix(c->body ? c->body : "", c->blen, what, fn, ctx, err);
    free(what);
    return rc;
}

/* ---- time syntax ------------------------------------------------------------------ */

int
col_prom_parse_duration(const char *s, double *out_s, struct ks_err *err)
{
    static const struct {
        char unit;
        double s;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
    char *end;
    double v = strtod(s, &end);
    double mul = end[0] == '\0' ? 1 : 0;
    for (size_t i = 0; i < sizeof units / sizeof *units && end[0]; i++)
        if (end[0] == units[i].unit && end[1] == '\0')
            mul = units[i].s;
    if (end == s || mul == 0 || !isfinite(v) || v < 0)
        return ks_errf(err, -EINVAL,
                       "duration '%s': expected a number of seconds or a number with a unit "
                       "s, m, h, d or w (e.g. 15s, 5m, 1d)",
                       s);
    *out_s = v * mul;
    return 0;
}

/* RFC 3339: 2026-11-26T07:00:00[.fff](Z|+hh:mm|-hh:mm). */
static int
parse_rfc3339(const char *s, double *out)
{
    struct tm tm = {0};
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    double frac = 0;
    if (!p)
        return -1;
    if (*p == '.') {
        char *end;
        frac = strtod(p, &end);
        p = end;
    }
    int off_min = 0, hh, mm;
    if (*p == 'Z' && p[1] == '\0')
        off_min = 0;
    else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2 && strlen(p) == 6)
        off_min = (*p == '+' ? 1 : -1) * (hh * 60 + mm);
    else
        return -1;
    *out = (double)timegm(&tm) + frac - off_min * 60.0;
    return 0;
}

int
col_prom_parse_time(const char *s, double now_s, double *out, struct ks_err *err)
{
    double d;
    const char *rel = strncmp(s, "now", 3) == 0 ? s + 3 : s;
    if (strcmp(s, "now") == 0) {
        *out = now_s;
        return 0;
    }
    if (rel[0] == '-' && col_prom_parse_duration(rel + 1, &d, NULL) == 0) {
        *out = now_s - d;
        return 0;
    }
    if (rel == s && (ks_parse_double(s, out) == 0 || parse_rfc3339(s, out) == 0))
        return 0;
    return ks_errf(err, -EINVAL,
                   "time '%s': expected UNIX seconds, RFC 3339 (2026-11-26T07:00:00Z), now, "
                   "or now-DURATION (e.g. now-1h)",
                   s);
}
