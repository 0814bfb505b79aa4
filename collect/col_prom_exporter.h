/*
 * col_prom_exporter: a small HTTP/1.1 server that serves the latest samples at
 * /metrics in the Prometheus text format, so an existing Prometheus scrapes kasane on
 * every host (`kasane collect --listen ADDR:PORT`, issue 10).
 *
 * One thread, one poll() loop over the listening socket, a wake-up pipe and up to
 * COL_PROM_MAX_CONNS client sockets, all non-blocking: a slow or stuck client cannot
 * stop the others being served. GET (and HEAD) /metrics -> 200; / -> 200, an HTML page
 * linking /metrics; other paths 404; other
 * methods 405; a request line that is not HTTP 400; a request head larger than
 * COL_PROM_MAX_REQUEST bytes 431 (col_http.h parses). Every response closes its
 * connection ("Connection: close"), which Prometheus accepts, so no keep-alive state
 * is kept.
 *
 * Idle and slow clients (slowloris) cannot starve a scrape: the request head must
 * arrive within COL_PROM_HEAD_TIMEOUT_MS of the accept (however it trickles in), the
 * response be taken within COL_PROM_WRITE_TIMEOUT_MS, and the listener is always
 * polled: a connection arriving while every slot is taken evicts the one that has
 * been idle longest (among those still sending their request, if any), so a new
 * scrape is always accepted at once. A Prometheus scrape sends its request in one
 * segment right after connecting, so it is never the one evicted.
 *
 * Thread safety: col_prom_exporter_update may be called from any thread while the
 * server runs; the page is rendered under the same mutex when a request completes.
 */
#ifndef COL_PROM_EXPORTER_H
#define COL_PROM_EXPORTER_H

#include "core/ks_dataset.h"
#include "core/ks_util.h"

#define COL_PROM_MAX_CONNS 64
#define COL_PROM_MAX_REQUEST 8192 /* bytes of request line + headers */
#define COL_PROM_HEAD_TIMEOUT_MS 3000
#define COL_PROM_WRITE_TIMEOUT_MS 5000
/* The port when --listen names an address alone. Prometheus' default port allocations
 * (github.com/prometheus/prometheus/wiki/Default-port-allocations) filled 9100-9999
 * by 2023 (9187, kasane's first choice, is postgres_exporter's) and go on above 10000
 * (10019 in 2024); 10187 is past them, clear of Debian's /etc/services (zabbix
 * 10050-10051, amanda 10080-10083) and below the kernel's ephemeral ports. docs/collect.md. */
#define COL_PROM_DEFAULT_PORT 10187
/* node_exporter textfile-collector mode: the file written in --textfile DIR. */
#define COL_PROM_TEXTFILE_NAME "kasane.prom"

struct col_prom_exporter; /* opaque */

/* Listen on addr_port ("127.0.0.1:10187", "[::1]:10187", "0.0.0.0:10187" or
 * "[::]:10187" for every address; ":10187", no address, is loopback only: 127.0.0.1,
 * since metrics name every host and VM and nothing authenticates the scraper; port 0
 * picks a free one, see col_prom_exporter_port) and start serving. addr_port NULL: no
 * server, the entities and counters only (col_prom_exporter_write_textfile).
 * Returns 0, -EINVAL for a malformed address, or -errno of socket/bind/listen. */
int col_prom_exporter_start(const char *addr_port, struct col_prom_exporter **out,
                            struct ks_err *err);
/* The port actually bound (useful after port 0). */
int col_prom_exporter_port(const struct col_prom_exporter *ex);
/* The address and port bound, numeric ("127.0.0.1:9187", "[::]:9187"; owned by ex). */
const char *col_prom_exporter_addr(const struct col_prom_exporter *ex);
/* Connections closed to make room for a new one (see above). */
unsigned long col_prom_exporter_evicted(struct col_prom_exporter *ex);
/* Set the latest sample of an entity (added on first use; kind: physical, vm, host)
 * and add it to the entity's counters (interval_s: the sample's interval; NaN for the
 * first sample, which adds nothing). metrics has KS_NMETRIC values in samples.csv
 * units, NaN = not measured. */
void col_prom_exporter_update(struct col_prom_exporter *ex, const char *entity, const char *kind,
                              double time, double interval_s, const double metrics[KS_NMETRIC]);
/* Write the page to DIR/kasane.prom for node_exporter's textfile collector
 * (--collector.textfile.directory), atomically: a temporary file renamed over it.
 * Returns 0, or a negative errno with a message naming the file. */
int col_prom_exporter_write_textfile(struct col_prom_exporter *ex, const char *dir,
                                     struct ks_err *err);
/* Requests answered so far (any status). */
unsigned long col_prom_exporter_requests(struct col_prom_exporter *ex);
/* Stop the thread, close every socket, free. NULL is a no-op. */
void col_prom_exporter_stop(struct col_prom_exporter *ex);

#endif
