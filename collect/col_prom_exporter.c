#include "collect/col_prom_exporter.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collect/col_http.h"
#include "collect/col_prom_expo.h"
#include "core/ks_csv_write.h"
#include "core/ks_table.h"

/* A connection is read until the blank line that ends the request head, answered,
 * then drained until the client closes (closing a socket with unread input sends a
 * reset, which could destroy the response the client has not read yet). */
enum conn_state { C_READ, C_WRITE, C_DRAIN };

/* How long a finished connection may linger while the client reads the response. */
#define DRAIN_MS 1000.0

struct conn {
    int fd;
    enum conn_state st;
    size_t inlen;
    char in[COL_PROM_MAX_REQUEST];
    char *out; /* owned; response head + body */
    size_t outlen, outoff;
    double deadline_ms; /* monotonic */
    double active_ms;   /* the last byte received (or the accept): eviction order */
};

struct col_prom_exporter {
    pthread_t th;
    int lfd, port;
    int wake[2];        /* stop request: the server thread polls wake[0] */
    pthread_mutex_t mu; /* guards ents, ix, requests */
    struct col_prom_entity *ents;
    size_t nent, cap;
    struct ks_map ix; /* entity -> index in ents */
    unsigned long requests, evicted;
    char addr[80];      /* numeric ADDR:PORT bound */
    struct conn *conns; /* COL_PROM_MAX_CONNS slots, the first nconn in use */
    size_t nconn;
};

/* Deadlines use the monotonic clock: a wall-clock step (NTP) must not drop or keep
 * connections. */
static double
now_ms(void)
{
    return ks_mono_s() * 1000.0;
}

/* ---- responses ------------------------------------------------------------------ */

/* Put a whole response (head, and body unless HEAD) in c->out and switch the
 * connection to writing. The body is copied: responses are small (one line per entity
 * and metric) and a copy keeps ownership simple. */
static void
build_response(struct conn *c, int status, const char *reason, const char *ctype, const char *body,
               size_t blen, int head_only, const char *extra_hdr)
{
    FILE *f = open_memstream(&c->out, &c->outlen);
    if (!f)
        abort(); /* only on out-of-memory, which kasane treats as fatal */
    fprintf(f,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
            "Connection: close\r\n\r\n",
            status, reason, ctype, blen, extra_hdr ? extra_hdr : "");
    if (!head_only)
        fwrite(body, 1, blen, f);
    fclose(f);
    c->outoff = 0;
    c->st = C_WRITE;
}

/* A short text/plain answer for the error statuses: the status line repeated. */
static void
simple_response(struct conn *c, int status, const char *reason, const char *extra_hdr)
{
    char body[128];
    int n = snprintf(body, sizeof body, "%d %s\n", status, reason);
    build_response(c, status, reason, "text/plain; charset=utf-8", body, (size_t)n, 0, extra_hdr);
}

/* Render the exposition page under the mutex so that a scrape sees each entity either
 * before or after an update, never half of one. */
static void
metrics_response(struct col_prom_exporter *ex, struct conn *c, int head_only)
{
    char *body = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&body, &blen);
    if (!f)
        abort();
    col_prom_render_build_info(f);
    pthread_mutex_lock(&ex->mu);
    col_prom_render(f, ex->ents, ex->nent);
    pthread_mutex_unlock(&ex->mu);
    fclose(f);
    build_response(c, 200, "OK", COL_PROM_CONTENT_TYPE, body, blen, head_only, NULL);
    free(body);
}

/* GET /: what a person pointing a browser at the port sees (Prometheus' own exporters
 * answer the same way): what this is and a link to the metrics. Nothing variable in
 * it, so nothing to escape. */
static const char root_page[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>kasane exporter</title>"
    "</head>\n<body><h1>kasane exporter</h1>\n<p>kasane " KASANE_VERSION
    " collect: the latest sample of this host and its VMs in Prometheus' text format.</p>\n"
    "<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

/* Answer a complete request head (col_http_parse's verdict). */
static void
answer(struct col_prom_exporter *ex, struct conn *c, const struct col_http_req *rq)
{
    switch (rq->verdict) {
    case COL_HTTP_METRICS:
        metrics_response(ex, c, rq->head_only);
        break;
    case COL_HTTP_ROOT:
        build_response(c, 200, "OK", "text/html; charset=utf-8", root_page, sizeof root_page - 1,
                       rq->head_only, NULL);
        break;
    case COL_HTTP_NOTFOUND:
        simple_response(c, 404, "Not Found", NULL);
        break;
    case COL_HTTP_METHOD:
        simple_response(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n");
        break;
    case COL_HTTP_TOOBIG:
        simple_response(c, 431, "Request Header Fields Too Large", NULL);
        break;
    default: /* COL_HTTP_BAD */
        simple_response(c, 400, "Bad Request", NULL);
        break;
    }
    /* the response must be taken in its own time, not what was left of the head's */
    c->deadline_ms = now_ms() + COL_PROM_WRITE_TIMEOUT_MS;
    pthread_mutex_lock(&ex->mu);
    ex->requests++;
    pthread_mutex_unlock(&ex->mu);
}

/* ---- connection state machine ----------------------------------------------------- */

/* Returns 0 to keep the connection, -1 to close it. */
static int
conn_read(struct col_prom_exporter *ex, struct conn *c)
{
    if (c->st == C_DRAIN) {
        char sink[4096];
        ssize_t n = recv(c->fd, sink, sizeof sink, 0);
        return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)) ? 0 : -1;
    }
    size_t room = sizeof c->in - 1 - c->inlen;
    ssize_t n = recv(c->fd, c->in + c->inlen, room, 0);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    if (n == 0)
        return -1; /* the client gave up before finishing its request */
    c->inlen += (size_t)n;
    c->active_ms = now_ms();
    struct col_http_req rq;
    if (col_http_parse(c->in, c->inlen, sizeof c->in - 1, &rq) != COL_HTTP_MORE)
        answer(ex, c, &rq);
    return 0;
}

/* Send what the socket takes; when all is sent, half-close and start draining.
 * Returns 0 to keep the connection, -1 to close it. */
static int
conn_write(struct conn *c)
{
    ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    c->outoff += (size_t)n;
    if (c->outoff == c->outlen) {
        shutdown(c->fd, SHUT_WR);
        c->st = C_DRAIN;
        double d = now_ms() + DRAIN_MS;
        if (d < c->deadline_ms)
            c->deadline_ms = d;
    }
    return 0;
}

/* Close the socket and free the response; the slot is reclaimed by compact(). */
static void
conn_close(struct conn *c)
{
    close(c->fd);
    free(c->out);
    c->fd = -1;
    c->out = NULL;
}

/* The slot to give a new connection when all are taken: the one idle longest among
 * those still sending their request head (slowloris and idle sockets), else the one
 * idle longest of all (an answered client that is slow to read). */
static struct conn *
victim(struct col_prom_exporter *ex)
{
    struct conn *v = NULL;
    for (size_t i = 0; i < ex->nconn; i++) {
        struct conn *c = &ex->conns[i];
        int better = !v || (c->st == C_READ && v->st != C_READ) ||
                     ((c->st == C_READ) == (v->st == C_READ) && c->active_ms < v->active_ms);
        if (better)
            v = c;
    }
    return v;
}

/* Accept every pending connection; when the slots are full, evict (victim) so that a
 * scrape never waits behind idle sockets. Sockets are non-blocking (one thread serves
 * all) and close-on-exec (a collector that forks a helper must not leak them). */
static void
accept_all(struct col_prom_exporter *ex)
{
    for (;;) {
        int fd = accept4(ex->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN: none left; other errors: the client is already gone */
        struct conn *c;
        if (ex->nconn < COL_PROM_MAX_CONNS) {
            c = &ex->conns[ex->nconn++];
        } else {
            c = victim(ex);
            conn_close(c);
            pthread_mutex_lock(&ex->mu);
            ex->evicted++;
            pthread_mutex_unlock(&ex->mu);
        }
        c->fd = fd;
        c->st = C_READ;
        c->inlen = 0;
        c->out = NULL;
        c->active_ms = now_ms();
        c->deadline_ms = c->active_ms + COL_PROM_HEAD_TIMEOUT_MS;
    }
}

/* Drop closed slots, keeping the others packed at the front. */
static void
compact(struct col_prom_exporter *ex)
{
    size_t k = 0;
    for (size_t i = 0; i < ex->nconn; i++)
        if (ex->conns[i].fd >= 0) {
            if (k != i)
                memcpy(&ex->conns[k], &ex->conns[i], sizeof ex->conns[i]);
            k++;
        }
    ex->nconn = k;
}

/* Milliseconds until the earliest connection deadline (-1: none). */
static int
poll_timeout(const struct col_prom_exporter *ex)
{
    if (!ex->nconn)
        return -1;
    double t = ex->conns[0].deadline_ms;
    for (size_t i = 1; i < ex->nconn; i++)
        if (ex->conns[i].deadline_ms < t)
            t = ex->conns[i].deadline_ms;
    double d = t - now_ms();
    return d < 0 ? 0 : (int)d + 1;
}

/* Handle poll events of one connection, then enforce its deadline: a client that
 * stalls or trickles (slowloris, a half-open TCP peer) loses its slot. */
static void
service(struct col_prom_exporter *ex, struct conn *c, short rev)
{
    int rc = 0;
    if (rev & (POLLERR | POLLNVAL))
        rc = -1;
    else if (c->st == C_WRITE && (rev & POLLOUT))
        rc = conn_write(c);
    else if (rev & (POLLIN | POLLHUP))
        rc = conn_read(ex, c);
    if (rc == 0 && c->st == C_WRITE)
        rc = conn_write(c); /* usually the whole response fits the socket buffer */
    if (rc < 0 || now_ms() >= c->deadline_ms)
        conn_close(c);
}

/* The server thread. pf[0] is the stop pipe, pf[1] the listening socket (always: a
 * new client evicts an idle one when every slot is busy), then one entry per
 * connection. New connections are accepted after servicing, so the indices of pf and
 * conns agree during servicing. */
static void *
serve(void *arg)
{
    struct col_prom_exporter *ex = arg;
    struct pollfd pf[COL_PROM_MAX_CONNS + 2];
    for (;;) {
        pf[0] = (struct pollfd){.fd = ex->wake[0], .events = POLLIN};
        pf[1] = (struct pollfd){.fd = ex->lfd, .events = POLLIN};
        for (size_t i = 0; i < ex->nconn; i++)
            pf[i + 2] = (struct pollfd){.fd = ex->conns[i].fd,
                                        .events = ex->conns[i].st == C_WRITE ? POLLOUT : POLLIN};
        int n = poll(pf, ex->nconn + 2, poll_timeout(ex));
        if (n < 0 && errno != EINTR)
            break;
        if (pf[0].revents)
            break;
        size_t nold = ex->nconn;
        for (size_t i = 0; i < nold; i++)
            service(ex, &ex->conns[i], n > 0 ? pf[i + 2].revents : 0);
        compact(ex);
        if (n > 0 && (pf[1].revents & POLLIN))
            accept_all(ex);
    }
    for (size_t i = 0; i < ex->nconn; i++)
        conn_close(&ex->conns[i]);
    ex->nconn = 0;
    return NULL;
}

/* ---- setup ------------------------------------------------------------------------ */

/* Split "host:port", ":port" or "[v6]:port". No host means loopback (127.0.0.1): an
 * exporter open to every address must be asked for (0.0.0.0, [::]). */
static int
split_addr(const char *s, char *host, size_t hcap, char *port, struct ks_err *err)
{
    const char *colon = strrchr(s, ':');
    size_t hl = colon ? (size_t)(colon - s) : 0;
    const char *h = s;
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    const char *p = colon ? colon + 1 : "";
    size_t pl = strlen(p);
    long pv;
    if (!colon || hl >= hcap || pl == 0 || pl > 5 || ks_parse_long(p, &pv) < 0 || pv < 0 ||
        pv > 65535)
        return ks_errf(err, -EINVAL,
                       "listen address '%s': expected ADDR:PORT (e.g. 127.0.0.1:9187, "
                       ":9187, [::1]:9187) with a port 0-65535",
                       s);
    if (hl == 0)
        snprintf(host, hcap, "127.0.0.1");
    else {
        memcpy(host, h, hl);
        host[hl] = '\0';
    }
    snprintf(port, 8, "%ld", pv);
    return 0;
}

/* The port a socket is bound to (the kernel picks it for port 0; -1 on error), and
 * the numeric ADDR:PORT into addr. */
static int
bound_port(int fd, char *addr, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[64], serv[16];
    snprintf(addr, cap, "?");
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
        getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV))
        return -1;
    snprintf(addr, cap, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
    return atoi(serv);
}

/* Bind and listen on the first address of addr_port that accepts. Returns the fd. */
static int
open_listener(const char *addr_port, struct ks_err *err)
{
    char host[256], port[8];
    int rc = split_addr(addr_port, host, sizeof host, port, err);
    if (rc < 0)
        return rc;
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0)
        return ks_errf(err, -EINVAL, "listen address '%s': %s", addr_port, gai_strerror(gai));
    int fd = -1, e = EADDRNOTAVAIL;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
                        bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 64) != 0)) {
            e = errno;
            close(fd);
            fd = -1;
        } else if (fd < 0) {
            e = errno;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return ks_errf(err, -e, "listen on %s: %s", addr_port, strerror(e));
    return fd;
}

/* The listener is opened before the thread starts, so bind errors (port in use, bad
 * address) reach the caller synchronously with a message. */
int
col_prom_exporter_start(const char *addr_port, struct col_prom_exporter **out, struct ks_err *err)
{
    int lfd = addr_port ? open_listener(addr_port, err) : -1;
    if (lfd < 0 && addr_port)
        return lfd;
    struct col_prom_exporter *ex = ks_xcalloc(1, sizeof *ex);
    ks_map_init(&ex->ix);
    pthread_mutex_init(&ex->mu, NULL);
    ex->lfd = lfd;
    if (!addr_port) { /* the entities and counters alone, for --textfile */
        *out = ex;
        return 0;
    }
    ex->port = bound_port(lfd, ex->addr, sizeof ex->addr);
    ex->conns = ks_xcalloc(COL_PROM_MAX_CONNS, sizeof *ex->conns);
    int rc = pipe2(ex->wake, O_CLOEXEC) != 0 ? -errno : 0;
    if (rc == 0)
        rc = -pthread_create(&ex->th, NULL, serve, ex);
    if (rc < 0) {
        ks_errf(err, rc, "exporter on %s: %s", addr_port, strerror(-rc));
        close(lfd);
        ks_map_fini(&ex->ix);
        pthread_mutex_destroy(&ex->mu);
        free(ex->conns);
        free(ex);
        return rc;
    }
    *out = ex;
    return 0;
}

int
col_prom_exporter_port(const struct col_prom_exporter *ex)
{
    return ex->port;
}

/* Entities are found through a hash map: a host with hundreds of VMs updates each of
 * them every interval. Strings are copied; the caller keeps its own. */
void
col_prom_exporter_update(struct col_prom_exporter *ex, const char *entity, const char *kind,
                         double time, double interval_s, const double metrics[KS_NMETRIC])
{
    uint32_t i;
    pthread_mutex_lock(&ex->mu);
    if (!ks_map_get(&ex->ix, entity, &i)) {
        ex->ents = ks_xgrow(ex->ents, &ex->cap, ex->nent + 1, sizeof *ex->ents);
        i = (uint32_t)ex->nent++;
        memset(&ex->ents[i], 0, sizeof ex->ents[i]);
        ex->ents[i].entity = ks_xstrdup(entity);
        ks_map_put(&ex->ix, entity, i);
    }
    struct col_prom_entity *e = &ex->ents[i];
    if (!e->kind || strcmp(e->kind, kind) != 0) {
        free(e->kind);
        e->kind = ks_xstrdup(kind);
    }
    e->time_s = time;
    memcpy(e->m, metrics, sizeof e->m);
    col_prom_accumulate(e, interval_s);
    pthread_mutex_unlock(&ex->mu);
}

/* node_exporter reads the *.prom files of its directory whenever it is scraped: the file must never
 * be seen half written. ks_afile writes DIR/kasane.prom.tmp.<pid> (not *.prom: ignored) and renames
 * it over kasane.prom, in the same directory so the rename is atomic. */
int
col_prom_exporter_write_textfile(struct col_prom_exporter *ex, const char *dir, struct ks_err *err)
{
    char *path = ks_path_join(dir, COL_PROM_TEXTFILE_NAME);
    struct ks_afile af;
    int rc = ks_afile_open(&af, path, err);
    if (rc == 0) {
        col_prom_render_build_info(af.f);
        pthread_mutex_lock(&ex->mu);
        col_prom_render(af.f, ex->ents, ex->nent);
        pthread_mutex_unlock(&ex->mu);
        rc = ks_afile_commit(&af, err);
    }
    free(path);
    return rc;
}

const char *
col_prom_exporter_addr(const struct col_prom_exporter *ex)
{
    return ex->addr;
}

unsigned long
col_prom_exporter_evicted(struct col_prom_exporter *ex)
{
    pthread_mutex_lock(&ex->mu);
    unsigned long n = ex->evicted;
    pthread_mutex_unlock(&ex->mu);
    return n;
}

unsigned long
col_prom_exporter_requests(struct col_prom_exporter *ex)
{
    pthread_mutex_lock(&ex->mu);
    unsigned long n = ex->requests;
    pthread_mutex_unlock(&ex->mu);
    return n;
}

/* One byte on the pipe wakes the poll() in serve(); the thread closes its client
 * sockets before it returns, so after the join every descriptor is ours to close. */
void
col_prom_exporter_stop(struct col_prom_exporter *ex)
{
    if (!ex)
        return;
    if (ex->lfd >= 0) { /* a server runs (not --textfile alone) */
        while (write(ex->wake[1], "x", 1) < 0 && errno == EINTR)
            ;
        pthread_join(ex->th, NULL);
        close(ex->wake[0]);
        close(ex->wake[1]);
        close(ex->lfd);
    }
    for (size_t i = 0; i < ex->nent; i++) {
        free(ex->ents[i].entity);
        free(ex->ents[i].kind);
    }
    free(ex->ents);
    free(ex->conns);
    ks_map_fini(&ex->ix);
    pthread_mutex_destroy(&ex->mu);
    free(ex);
}
