/* Acceptance test of issue 10 with the real programs: Debian's node_exporter and
 * Prometheus on 127.0.0.1 (free ports, 1 s scrapes, a temporary TSDB), plus kasane's
 * exporter in this process fed with known values. After a few scrapes the importer
 * reads everything back through /api/v1/query_range; the values are checked against
 * node_exporter's own /metrics and against what the exporter was fed. Every process
 * started here is stopped by its PID and the temporary directory removed. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "collect/col_prom_client.h"
#include "collect/col_prom_exporter.h"
#include "collect/col_prom_import.h"
#include "core/ks_dataset.h"
#include "tests/unit/test_prom_util.h"
#include "tests/unit/test_util.h"

extern char **environ;

#define WAIT_MAX_S 40.0 /* for Prometheus to come up and hold enough scrapes */
#define HISTORY_S 10.0  /* seconds of scrapes wanted before importing */
#define MAX_SNAPS 512

struct e2e {
    char *dir, *url, *ds_dir;
    pid_t node_pid, prom_pid;
    int node_port, prom_port;
    struct col_prom_exporter *ex;
    char *node_after; /* node_exporter /metrics at the end of the import range */
    struct snap {
        double t, busy, total; /* wall time, CPU seconds busy and in all modes */
        double used_MiB;       /* MemTotal - MemAvailable */
    } snap[MAX_SNAPS];         /* node_exporter's CPU counters while history builds up */
    size_t nsnap;
    double start_s, end_s; /* import range */
    struct ks_dataset *ds; /* the import */
};

/* What the in-process exporter serves (constant, so every scrape agrees). */
static void
fed_values(int vm, double m[KS_NMETRIC])
{
    for (int i = 0; i < KS_NMETRIC; i++)
        m[i] = NAN;
    m[KS_CPU_PCT] = vm ? 12.5 : 37.5;
    m[KS_MEM_USED_MIB] = vm ? 512 : 2048;
    if (vm)
        return;
    m[KS_CPU_MHZ] = 1234.5;
    m[KS_CPU_STEAL_PCT] = 0.75;
    m[KS_MEM_TOTAL_MIB] = 8192;
    m[KS_DISK_READ_KIBPS] = 10.25;
    m[KS_DISK_AWAIT_MS] = 4.5;
    m[KS_NET_RX_KIBPS] = 3.5;
    m[KS_NET_TX_PPS] = 17;
}

/* fork + exec with output to log. The child asks the kernel for SIGTERM when this
 * process dies, so a crashed test leaves no Prometheus behind; only async-signal-safe
 * calls run between fork and exec (the exporter thread is already running). */
static pid_t
spawn(const char *log, char *const argv[])
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        _exit(126);
    execve(argv[0], argv, environ);
    _exit(127);
}

/* SIGTERM, up to 5 s for it to exit, then SIGKILL; always reaped. */
static void
stop_pid(pid_t *pidp)
{
    pid_t pid = *pidp;
    if (pid <= 0)
        return;
    *pidp = 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Stop what setup started (idempotent: stopped PIDs are forgotten). */
static void
stop_all(struct e2e *e)
{
    stop_pid(&e->prom_pid);
    stop_pid(&e->node_pid);
    col_prom_exporter_stop(e->ex);
    e->ex = NULL;
}

static void
write_config(struct e2e *e)
{
    char *cfg = ks_xasprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                             "scrape_configs:\n"
                             "  - job_name: node\n    static_configs:\n"
                             "      - targets: ['127.0.0.1:%d']\n"
                             "  - job_name: kasane\n    static_configs:\n"
                             "      - targets: ['127.0.0.1:%d']\n",
                             e->node_port, col_prom_exporter_port(e->ex));
    tu_write(e->dir, "prometheus.yml", cfg);
    free(cfg);
}

static void
start_processes(struct e2e *e)
{
    char *node_listen = ks_xasprintf("--web.listen-address=127.0.0.1:%d", e->node_port);
    char *prom_listen = ks_xasprintf("--web.listen-address=127.0.0.1:%d", e->prom_port);
    char *cfg = ks_xasprintf("--config.file=%s/prometheus.yml", e->dir);
    char *tsdb = ks_xasprintf("--storage.tsdb.path=%s/tsdb", e->dir);
    char *nlog = ks_xasprintf("%s/node.log", e->dir), *plog = ks_xasprintf("%s/prom.log", e->dir);
    char *nargv[] = {"/usr/bin/prometheus-node-exporter",
                     node_listen,
                     "--collector.disable-defaults",
                     "--collector.cpu",
                     "--collector.meminfo",
                     "--collector.diskstats",
                     "--collector.netdev",
                     "--collector.uname",
                     "--collector.cpufreq",
                     NULL};
    char *pargv[] = {"/usr/bin/prometheus", cfg, tsdb, prom_listen, "--log.level=warn", NULL};
    e->node_pid = spawn(nlog, nargv);
    e->prom_pid = spawn(plog, pargv);
    free(node_listen), free(prom_listen), free(cfg), free(tsdb), free(nlog), free(plog);
}

/* Earliest time Prometheus has a successful scrape of both jobs (NAN: not yet). */
struct up_seen {
    double first[2];
};

static int
on_up(void *ctx, const struct col_prom_series *s)
{
    struct up_seen *u = ctx;
    const char *job = col_prom_series_label(s, "job");
    int j = job && strcmp(job, "kasane") == 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == 1 && !(u->first[j] <= s->t[i]))
            u->first[j] = s->t[i];
    return 0;
}

static int cpu_seconds(const char *text, double *busy, double *total);
static double expo_value(const char *text, const char *prefix);

static void
take_snapshot(struct e2e *e)
{
    double t = ks_wall_s();
    free(e->node_after);
    e->node_after = tp_get(e->node_port, "/metrics");
    if (e->nsnap < MAX_SNAPS) {
        struct snap *sn = &e->snap[e->nsnap++];
        cpu_seconds(e->node_after, &sn->busy, &sn->total);
        sn->used_MiB = (expo_value(e->node_after, "node_memory_MemTotal_bytes ") -
                        expo_value(e->node_after, "node_memory_MemAvailable_bytes ")) /
                       1048576.0;
        sn->t = (t + ks_wall_s()) / 2;
    }
}

/* Poll Prometheus until both targets have been up for HISTORY_S seconds. */
static int
wait_history(struct e2e *e)
{
    struct col_prom_client *c;
    struct ks_err err = {0};
    double t0 = ks_wall_s();
    if (col_prom_client_new(e->url, 5, &c, &err) < 0)
        return -1;
    double first = NAN;
    while (ks_wall_s() - t0 < WAIT_MAX_S) {
        struct up_seen u = {{NAN, NAN}};
        double now = floor(ks_wall_s());
        ks_err_clear(&err);
        if (col_prom_query_range(c, "up", now - 60, now, 1, on_up, &u, &err) >= 0 &&
            !isnan(u.first[0]) && !isnan(u.first[1])) {
            if (isnan(first))
                first = fmax(u.first[0], u.first[1]);
            take_snapshot(e);
            if (now - first >= HISTORY_S) {
                e->start_s = first + 4; /* the 4 s rate window holds >= 4 scrapes */
                e->end_s = now - 1;     /* the last second may not be ingested yet */
                break;
            }
        }
        usleep(100000);
    }
    col_prom_client_free(c);
    if (e->start_s == 0)
        print_message("no scrapes within %g s: %s\n", WAIT_MAX_S, err.msg);
    return e->start_s > 0 ? 0 : -1;
}

static void cleanup(struct e2e *e);

/* cmocka runs no group teardown when the group setup fails: clean up here then. */
static int
setup_failed(struct e2e *e)
{
    char *log = ks_xasprintf("%s/prom.log", e->dir);
    char *text = tu_slurp(log, NULL);
    print_message("Prometheus log:\n%s\n", text ? text : "(none)");
    free(text);
    free(log);
    cleanup(e);
    return -1;
}

static int
setup(void **state)
{
    struct e2e *e = ks_xcalloc(1, sizeof *e);
    struct ks_err err = {0};
    *state = e;
    e->dir = tu_tmpdir();
    e->ds_dir = ks_xasprintf("%s/ds", e->dir);
    e->node_port = tp_free_port();
    e->prom_port = tp_free_port();
    e->url = ks_xasprintf("http://127.0.0.1:%d", e->prom_port);
    if (col_prom_exporter_start("127.0.0.1:0", &e->ex, &err) < 0)
        return setup_failed(e);
    double m[KS_NMETRIC];
    fed_values(0, m);
    col_prom_exporter_update(e->ex, "e2e-host", "host", ks_wall_s(), NAN, m);
    fed_values(1, m);
    col_prom_exporter_update(e->ex, "e2e-vm1", "vm", ks_wall_s(), NAN, m);
    write_config(e);
    start_processes(e);
    double t_up = ks_mono_s();
    if (e->node_pid < 0 || e->prom_pid < 0 || wait_history(e) < 0)
        return setup_failed(e);
    print_message("Prometheus up and %g s of scrapes after %.1f s\n", HISTORY_S,
                  ks_mono_s() - t_up);
    struct col_prom_import_opts o = {
        .url = e->url, .start_s = e->start_s, .end_s = e->end_s, .step_s = 1, .scrape_s = 1};
    double t = ks_mono_s();
    int rc = col_prom_import(&o, e->ds_dir, &err);
    print_message("import of %.0f s: %.3f s\n", e->end_s - e->start_s, ks_mono_s() - t);
    if (rc < 0 || ks_dataset_read(e->ds_dir, &e->ds, &err) < 0) {
        print_message("import failed: %s\n", err.msg);
        return setup_failed(e);
    }
    return 0;
}

static void
cleanup(struct e2e *e)
{
    stop_all(e);
    ks_dataset_free(e->ds);
    tu_rmrf(e->dir);
    free(e->dir), free(e->ds_dir), free(e->url), free(e->node_after);
    free(e);
}

static int
teardown(void **state)
{
    cleanup(*state);
    return 0;
}

/* ---- reading node_exporter's own /metrics ------------------------------------------ */

/* Value of the first line that starts with prefix (NaN if none). */
static double
expo_value(const char *text, const char *prefix)
{
    size_t pl = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, pl) == 0)
            return strtod(strchr(l + pl - 1, ' ') + 1, NULL);
    return NAN;
}

/* Sum of node_cpu_seconds_total: all modes into *total, busy modes into *busy; returns
 * the number of CPUs (lines with mode="idle"). */
static int
cpu_seconds(const char *text, double *busy, double *total)
{
    int ncpu = 0;
    *busy = *total = 0;
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, "node_cpu_seconds_total{", 23) != 0)
            continue;
        const char *close = strchr(l, '}');
        double v = strtod(close + 2, NULL);
        int idle = strstr(l, "mode=\"idle\"") && strstr(l, "mode=\"idle\"") < close;
        int iowait = strstr(l, "mode=\"iowait\"") && strstr(l, "mode=\"iowait\"") < close;
        *total += v;
        *busy += idle || iowait ? 0 : v;
        ncpu += idle;
    }
    return ncpu;
}

/* Label value from the first line starting with prefix, malloc'd ("" if none). */
static char *
expo_label(const char *text, const char *prefix, const char *label)
{
    const char *l = strstr(text, prefix);
    char *key = ks_xasprintf("%s=\"", label);
    const char *p = l ? strstr(l, key) : NULL;
    char *v = p ? ks_xstrndup(p + strlen(key), strcspn(p + strlen(key), "\"")) : ks_xstrdup("");
    free(key);
    return v;
}

static long
node_entity(const struct e2e *e)
{
    char *name = ks_xasprintf("127.0.0.1:%d", e->node_port);
    long i = ks_dataset_find(e->ds, name);
    free(name);
    assert_true(i >= 0);
    return i;
}

static size_t
steps(const struct e2e *e)
{
    return (size_t)(e->end_s - e->start_s) + 1;
}

/* ---- tests ----------------------------------------------------------------------- */

static void
test_node_inventory(void **state)
{
    struct e2e *e = *state;
    size_t n = (size_t)node_entity(e);
    char *now = e->node_after;
    double memtotal = expo_value(now, "node_memory_MemTotal_bytes ");
    double busy, total;
    char *nodename = expo_label(now, "node_uname_info{", "nodename");
    char *release = expo_label(now, "node_uname_info{", "release");
    assert_false(isnan(memtotal));
    assert_string_equal(ks_inv_str(e->ds, n, "kind"), "physical");
    assert_near(ks_inv_num(e->ds, n, "mem_MiB"), memtotal / 1048576.0, 0);
    assert_near(ks_inv_num(e->ds, n, "threads"), cpu_seconds(now, &busy, &total), 0);
    assert_string_equal(ks_inv_str(e->ds, n, "hostname"), nodename);
    assert_non_null(strstr(ks_inv_str(e->ds, n, "os"), release));
    /* cpu_MHz needs a clock: known only if node_exporter has one, else said why. */
    int has_freq = strstr(now, "\nnode_cpu_frequency_max_hertz{") ||
                   strstr(now, "\nnode_cpu_scaling_frequency_hertz{");
    assert_int_equal(!isnan(ks_inv_num(e->ds, n, "core_MHz")), has_freq != 0);
    if (!has_freq)
        assert_non_null(strstr(ks_inv_str(e->ds, n, "notes"), "cpu_MHz unknown"));
    free(nodename), free(release);
}

static const struct snap *
nearest(const struct e2e *e, double t)
{
    const struct snap *best = NULL;
    for (size_t i = 0; i < e->nsnap; i++)
        if (!best || fabs(e->snap[i].t - t) < fabs(best->t - t))
            best = &e->snap[i];
    return best;
}

/* Busy share between the snapshots nearest to times a and b (NaN if too few). */
static double
snap_busy_pct(const struct e2e *e, double a, double b)
{
    const struct snap *sa = nearest(e, a), *sb = nearest(e, b);
    return sa && sb && sb->total > sa->total ? 100 * (sb->busy - sa->busy) / (sb->total - sa->total)
                                             : NAN;
}

static void
test_node_samples(void **state)
{
    struct e2e *e = *state;
    const struct ks_samples *s = &e->ds->s;
    uint32_t n = (uint32_t)node_entity(e);
    double memtotal = expo_value(e->node_after, "node_memory_MemTotal_bytes ") / 1048576.0;
    double sum = 0, sum_snap = 0, mem_err = 0;
    size_t rows = 0;
    for (size_t r = 0; r < s->nrows; r++) {
        if (s->ent[r] != n)
            continue;
        rows++;
        double cpu = ks_samples_get(s, r, KS_CPU_PCT),
               steal = ks_samples_get(s, r, KS_CPU_STEAL_PCT);
        assert_true(cpu >= 0 && cpu <= 100);
        assert_true(steal >= 0 && steal <= cpu + 1e-9);
        assert_near(ks_samples_get(s, r, KS_MEM_TOTAL_MIB), memtotal, 0);
        assert_true(ks_samples_get(s, r, KS_DISK_READ_KIBPS) >= 0);
        assert_true(ks_samples_get(s, r, KS_DISK_WRITE_IOPS) >= 0);
        assert_true(ks_samples_get(s, r, KS_DISK_AWAIT_MS) >= 0);
        assert_true(ks_samples_get(s, r, KS_NET_RX_KIBPS) >= 0);
        assert_true(ks_samples_get(s, r, KS_NET_TX_PPS) >= 0);
        /* The 4 s rate window ending at t holds the scrapes from about t - 3.5 to
         * t - 0.5 (scrapes are 1 s apart at an unknown offset). */
        double want = snap_busy_pct(e, s->time[r] - 3.5, s->time[r] - 0.5);
        /* Memory is the last scrape at or before t: within the second before it. */
        double used = ks_samples_get(s, r, KS_MEM_USED_MIB);
        double used_want = nearest(e, s->time[r] - 0.5)->used_MiB;
        print_message("  t=%.0f cpu %.1f%% node_exporter %.1f%%, mem used %.0f MiB "
                      "node_exporter %.0f\n",
                      s->time[r], cpu, want, used, used_want);
        /* Other helpers share this machine and its load moves within a second: the
         * windows above are right to +-0.5 s, hence the bands. */
        assert_near(cpu, want, 15);
        sum += cpu;
        sum_snap += want;
        mem_err = fmax(mem_err, fabs(used - used_want));
    }
    print_message("node rows %zu of %zu steps; cpu %.1f%% (node_exporter %.1f%%); "
                  "mem used off by <= %.0f MiB\n",
                  rows, steps(e), sum / (double)rows, sum_snap / (double)rows, mem_err);
    assert_true(rows + 2 >= steps(e));
    assert_near(sum / (double)rows, sum_snap / (double)rows, 5);
    assert_true(mem_err <= 0.02 * memtotal);
}

static void
test_kasane_values(void **state)
{
    struct e2e *e = *state;
    const struct ks_samples *s = &e->ds->s;
    static const char *const names[2] = {"e2e-host", "e2e-vm1"};
    static const char *const kinds[2] = {"host", "vm"};
    for (int vm = 0; vm < 2; vm++) {
        long ent = ks_dataset_find(e->ds, names[vm]);
        double want[KS_NMETRIC];
        size_t rows = 0;
        assert_true(ent >= 0);
        assert_string_equal(ks_inv_str(e->ds, (size_t)ent, "kind"), kinds[vm]);
        fed_values(vm, want);
        for (size_t r = 0; r < s->nrows; r++) {
            if (s->ent[r] != (uint32_t)ent)
                continue;
            rows++;
            for (int m = 0; m < KS_NMETRIC; m++) {
                double got = ks_samples_get(s, r, (enum ks_metric)m);
                if (isnan(want[m]))
                    assert_true(isnan(got));
                else
                    assert_near(got, want[m], 1e-12 * want[m]);
            }
        }
        assert_true(rows + 2 >= steps(e));
    }
    assert_near(ks_inv_num(e->ds, (size_t)ks_dataset_find(e->ds, "e2e-host"), "mem_MiB"), 8192, 0);
    assert_int_equal(ks_dataset_nent(e->ds), 3);
}

/* Bad input against the real server: no series, a selector Prometheus rejects, and a
 * port where nothing listens. Nothing is written in any case. */
static void
test_real_errors(void **state)
{
    struct e2e *e = *state;
    char *dead = ks_xasprintf("http://127.0.0.1:%d", tp_free_port());
    char *out = ks_xasprintf("%s/bad", e->dir);
    static const struct {
        const char *match;
        int dead, code;
        const char *want;
    } cases[] = {
        {"job=\"no-such-job\"", 0, -ENODATA, "empty result"},
        {"job=~\"(\"", 0, -EPROTO, "HTTP status 400"},
        {NULL, 1, -ECONNREFUSED, "unreachable"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct col_prom_import_opts o = {.url = cases[i].dead ? dead : e->url,
                                         .start_s = e->start_s,
                                         .end_s = e->end_s,
                                         .step_s = 1,
                                         .scrape_s = 1,
                                         .match = cases[i].match};
        struct ks_err err = {0};
        assert_int_equal(col_prom_import(&o, out, &err), cases[i].code);
        print_message("%s\n", err.msg);
        assert_non_null(strstr(err.msg, cases[i].want));
        assert_non_null(strstr(err.msg, o.url));
        char *p = ks_xasprintf("%s/samples.csv", out);
        assert_int_equal(access(p, F_OK), -1);
        free(p);
    }
    free(dead);
    free(out);
}

/* Last: every process this test started is stopped and reaped (signal 0 to a reaped
 * PID fails with ESRCH), and the exporter's port is closed. */
static void
test_stop_processes(void **state)
{
    struct e2e *e = *state;
    pid_t pids[2] = {e->prom_pid, e->node_pid};
    int port = col_prom_exporter_port(e->ex);
    double t = ks_mono_s();
    stop_all(e);
    print_message("stopped in %.1f s\n", ks_mono_s() - t);
    for (int i = 0; i < 2; i++) {
        errno = 0;
        assert_int_equal(kill(pids[i], 0), -1);
        assert_int_equal(errno, ESRCH);
    }
    assert_int_equal(tp_connect(port), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_inventory), cmocka_unit_test(test_node_samples),
        cmocka_unit_test(test_kasane_values),  cmocka_unit_test(test_real_errors),
        cmocka_unit_test(test_stop_processes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
