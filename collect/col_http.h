/*
 * col_http: the request parser of the Prometheus exporter (col_prom_exporter.c), a
 * pure function over the bytes received so far (style rule 10), so tests and the
 * fuzz harness (tests/fuzz/fuzz_http.c) call it without a socket.
 *
 * Only the request line matters: headers are accepted and ignored. The head ends at
 * the first blank line ("\r\n\r\n" or "\n\n").
 */
#ifndef COL_HTTP_H
#define COL_HTTP_H

#include <stddef.h>

enum col_http_verdict {
    COL_HTTP_MORE,     /* the head is incomplete: read more */
    COL_HTTP_METRICS,  /* GET /metrics (query string ignored): 200 */
    COL_HTTP_ROOT,     /* GET /: 200, a small HTML page linking /metrics */
    COL_HTTP_BAD,      /* not an HTTP/1.x request line: 400 */
    COL_HTTP_NOTFOUND, /* another path: 404 */
    COL_HTTP_METHOD,   /* a method other than GET and HEAD: 405 */
    COL_HTTP_TOOBIG    /* no end of head within cap bytes: 431 */
};

struct col_http_req {
    enum col_http_verdict verdict;
    int head_only; /* HEAD: the response without its body */
};

/* Parse buf[0..len) (need not be NUL-terminated); cap is the most the caller will
 * ever buffer, so len >= cap without a complete head is COL_HTTP_TOOBIG. Returns the
 * verdict (also in out). */
enum col_http_verdict col_http_parse(const char *buf, size_t len, size_t cap,
                                     struct col_http_req *out);

#endif
