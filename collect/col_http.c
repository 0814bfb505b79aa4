#include "collect/col_http.h"

#include <string.h>

/* Offset just past the blank line ending the head, or 0 while there is none. */
static size_t
head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* The next space-separated token of [*p, end) into tok (at most cap-1 bytes; longer
 * is an error: no method or version is that long, and a long target is not ours). */
static int
token(const char **p, const char *end, char *tok, size_t cap)
{
    while (*p < end && **p == ' ')
        (*p)++;
    size_t n = 0;
    while (*p < end && **p != ' ' && **p != '\r' && **p != '\n') {
        if (n + 1 >= cap)
            return -1;
        tok[n++] = *(*p)++;
    }
    tok[n] = '\0';
    return n ? 0 : -1;
}

enum col_http_verdict
col_http_parse(const char *buf, size_t len, size_t cap, struct col_http_req *out)
{
    out->head_only = 0;
    size_t end = head_end(buf, len);
    if (!end)
        return out->verdict = len >= cap ? COL_HTTP_TOOBIG : COL_HTTP_MORE;
    const char *p = buf, *line_end = memchr(buf, '\n', end);
    char method[16], target[1024], version[16];
    if (token(&p, line_end, method, sizeof method) < 0 ||
        token(&p, line_end, target, sizeof target) < 0 ||
        token(&p, line_end, version, sizeof version) < 0 || strncmp(version, "HTTP/1.", 7) != 0)
        return out->verdict = COL_HTTP_BAD;
    int get = strcmp(method, "GET") == 0;
    out->head_only = strcmp(method, "HEAD") == 0;
    target[strcspn(target, "?")] = '\0';
    if (!get && !out->head_only)
        return out->verdict = COL_HTTP_METHOD;
    return out->verdict = strcmp(target, "/metrics") == 0 ? COL_HTTP_METRICS
                          : strcmp(target, "/") == 0      ? COL_HTTP_ROOT
                                                          : COL_HTTP_NOTFOUND;
}
