/*
 * col_prom_client: Prometheus' HTTP API (/api/v1/query_range) over libcurl, answers
 * parsed with jansson.
 *
 * A range query answers a "matrix": per series its labels and (time, value) pairs at
 * start, start + step, ..., end (a series has no pair at a time it has no data). The
 * parser is a pure function over a buffer (col_prom_parse_matrix) so it is unit-tested
 * without a server. Every failure is a negative code plus a message that names the URL
 * and what was wrong:
 *   -ECONNREFUSED / -EHOSTUNREACH / -ETIMEDOUT / -EIO  transport (curl's reason)
 *   -EPROTO    HTTP status other than 200 (with Prometheus' "error" text when given)
 *   -EBADMSG   body is not JSON, or not the shape the API documents
 *   -EFBIG     body larger than COL_PROM_MAX_BODY
 */
#ifndef COL_PROM_CLIENT_H
#define COL_PROM_CLIENT_H

#include <stddef.h>

#include "core/ks_util.h"

#define COL_PROM_MAX_BODY (512u << 20) /* bytes of one answer */

/* One series of a matrix answer. t and v hold n pairs; v may be NaN or +-Inf. */
struct col_prom_series {
    const void *labels; /* private: use col_prom_series_label */
    size_t n;
    const double *t, *v;
};
/* Value of a label, or NULL when the series has no such label. */
const char *col_prom_series_label(const struct col_prom_series *s, const char *name);

/* Called once per series; a negative return stops parsing and is returned. */
typedef int (*col_prom_series_fn)(void *ctx, const struct col_prom_series *s);

/* Parse a query_range answer body. what names the request in messages (e.g. the URL).
 * Returns the number of series (>= 0) or a negative code. */
int col_prom_parse_matrix(const char *body, size_t len, const char *what, col_prom_series_fn fn,
                          void *ctx, struct ks_err *err);

struct col_prom_client; /* opaque: one curl handle, reused (keep-alive) */

/* base_url: e.g. "http://127.0.0.1:9090" (a trailing slash is fine). timeout_s bounds
 * each request (0 = 60 s). */
int col_prom_client_new(const char *base_url, long timeout_s, struct col_prom_client **out,
                        struct ks_err *err);
void col_prom_client_free(struct col_prom_client *c);
/* POST /api/v1/query_range with query, start, end (UNIX seconds) and step (seconds),
 * then parse as above. Returns the number of series or a negative code. */
int col_prom_query_range(struct col_prom_client *c, const char *query, double start_s, double end_s,
                         double step_s, col_prom_series_fn fn, void *ctx, struct ks_err *err);
/* Requests sent so far. */
unsigned long col_prom_client_requests(const struct col_prom_client *c);

/* Command-line time and duration syntax.
 * Time: UNIX seconds ("1764140000", fractions allowed), RFC 3339 in UTC
 * ("2026-11-26T07:00:00Z"), "now", or "now-DURATION" / "-DURATION" relative to now_s.
 * Duration: a number with an optional unit s, m, h, d, w ("90", "15s", "5m", "1d").
 * Both return 0 or -EINVAL (with a message naming the text). */
int col_prom_parse_time(const char *s, double now_s, double *out, struct ks_err *err);
int col_prom_parse_duration(const char *s, double *out_s, struct ks_err *err);

#endif
