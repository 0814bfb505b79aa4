/* Helpers shared by the Prometheus tests (header-only; each test is its own program):
 * a raw HTTP client for the exporter and a fake Prometheus API server on 127.0.0.1. */
#ifndef TEST_PROM_UTIL_H
#define TEST_PROM_UTIL_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* cmocka's assert_float_equal works in float: this one keeps doubles and prints them. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.17g, expected %.17g (+- %g)", #a, a_, b_, (double)(eps));             \
    } while (0)

/* Connect to 127.0.0.1:port with 5 s send/receive timeouts; -1 on failure. */
static inline int
tp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct timeval tv = {.tv_sec = 5};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline int
tp_send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read until EOF; a malloc'd NUL-terminated string (never NULL). */
static inline char *
tp_read_all(int fd)
{
    size_t len = 0, cap = 4096;
    char *b = malloc(cap);
    for (;;) {
        if (len + 2048 > cap)
            b = realloc(b, cap *= 2);
        ssize_t n = recv(fd, b + len, cap - len - 1, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    b[len] = '\0';
    return b;
}

/* Send req (raw bytes) to 127.0.0.1:port and return the whole response. */
static inline char *
tp_request(int port, const char *req, size_t len)
{
    int fd = tp_connect(port);
    if (fd < 0)
        return strdup("");
    tp_send_all(fd, req, len);
    char *r = tp_read_all(fd);
    close(fd);
    return r;
}

static inline char *
tp_get(int port, const char *path)
{
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    return tp_request(port, req, (size_t)n);
}

/* Status code of a raw response ("HTTP/1.1 200 OK..."), or -1. */
static inline int
tp_status(const char *resp)
{
    int st;
    return sscanf(resp, "HTTP/1.%*d %d", &st) == 1 ? st : -1;
}

static inline const char *
tp_body(const char *resp)
{
    const char *b = strstr(resp, "\r\n\r\n");
    return b ? b + 4 : "";
}

/* A port nothing listens on right now (bound, read back, closed). */
static inline int
tp_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t l = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &l) != 0)
        abort();
    close(fd);
    return ntohs(a.sin_port);
}

/* Entries of /proc/self/fd (including ".", ".." and the directory's own fd): only
 * differences matter. */
static inline int
tp_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* ---- fake Prometheus ---------------------------------------------------------------- */

/* Decide the answer to a query_range POST: set *status and a malloc'd *body. */
typedef void (*tp_handler)(void *ctx, const char *query, double start, double end, double step,
                           int *status, char **body);

struct tp_server {
    int lfd, port;
    volatile int stop;
    pthread_t th;
    tp_handler fn;
    void *ctx;
    int requests;
};

static inline void
tp_urldecode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        unsigned v;
        if (*s == '+')
            *o++ = ' ';
        else if (*s == '%' && sscanf(s + 1, "%2x", &v) == 1) {
            *o++ = (char)v;
            s += 2;
        } else
            *o++ = *s;
    }
    *o = '\0';
}

/* Field name of an x-www-form-urlencoded body, decoded, malloc'd ("" if absent). */
static inline char *
tp_form_field(const char *body, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = strcspn(p + nl + 1, "&");
            char *v = strndup(p + nl + 1, vl);
            tp_urldecode(v);
            return v;
        }
    return strdup("");
}

/* Read one request (head, then Content-Length bytes of form body), ask the handler,
 * answer with Connection: close. Requests are served one at a time: the importer
 * sends one at a time too. */
static inline void
tp_serve_one(struct tp_server *s, int fd)
{
    char buf[1 << 16];
    size_t len = 0;
    char *end = NULL;
    long clen = 0;
    while (len < sizeof buf - 1) {
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return;
        len += (size_t)n;
        buf[len] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n"))) {
            const char *cl = strcasestr(buf, "Content-Length:");
            clen = cl ? atol(cl + 15) : 0;
        }
        if (end && (long)(len - (size_t)(end + 4 - buf)) >= clen)
            break;
    }
    if (!end)
        return;
    char *q = tp_form_field(end + 4, "query"), *a = tp_form_field(end + 4, "start"),
         *b = tp_form_field(end + 4, "end"), *st = tp_form_field(end + 4, "step");
    int status = 200;
    char *body = NULL;
    s->fn(s->ctx, q, atof(a), atof(b), atof(st), &status, &body);
    char head[256];
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: "
                      "%zu\r\nConnection: close\r\n\r\n",
                      status, strlen(body));
    tp_send_all(fd, head, (size_t)hn);
    tp_send_all(fd, body, strlen(body));
    free(q), free(a), free(b), free(st), free(body);
    s->requests++;
}

/* Accept loop; poll() with a 50 ms timeout lets tp_server_stop end it. After the
 * answer the socket is half-closed and drained so the client reads it all. */
static inline void *
tp_server_main(void *arg)
{
    struct tp_server *s = arg;
    while (!s->stop) {
        struct pollfd pf = {.fd = s->lfd, .events = POLLIN};
        if (poll(&pf, 1, 50) <= 0)
            continue;
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        tp_serve_one(s, fd);
        shutdown(fd, SHUT_WR);
        char sink[256];
        while (recv(fd, sink, sizeof sink, 0) > 0)
            ;
        close(fd);
    }
    return NULL;
}

/* Listen on 127.0.0.1 at a port the kernel picks (no race with other tests). */
static inline void
tp_server_start(struct tp_server *s, tp_handler fn, void *ctx)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t l = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    memset(s, 0, sizeof *s);
    s->fn = fn;
    s->ctx = ctx;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->lfd, 16) != 0 ||
        getsockname(s->lfd, (struct sockaddr *)&a, &l) != 0)
        abort();
    s->port = ntohs(a.sin_port);
    pthread_create(&s->th, NULL, tp_server_main, s);
}

static inline void
tp_server_stop(struct tp_server *s)
{
    s->stop = 1;
    pthread_join(s->th, NULL);
    close(s->lfd);
}

#endif
