/*
 * mdl_storage_sim: the chosen array as a `kasane sim` configuration (docs/storage.md,
 * "Simulator mapping"), so that the I/O path check runs the estate's read/write mix
 * against the drives the plan buys.
 *
 * The I/O tier becomes one device whose servers are the drives (times the parallel
 * queues an SSD keeps busy); front-end reads become one Poisson workload and front-end
 * writes another at rate x RAID write penalty, because that is the load the drives
 * see. The capacity tier of a tiered array carries no I/O in the model, so it is left
 * out. Limits: the pooled queue is optimistic against per-drive queues, and a RAID 5/6
 * small write's read-then-write sequence is not chained (each back-end I/O is timed on
 * its own).
 */
#include "model/mdl_storage_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

/* Events per replication the config aims at: enough for a p99, short enough for CI. */
#define SIM_EVENTS 100000.0

/* Mean front-end I/O size in bytes for a class, from the summed series; 16 KiB when
 * the dataset has no such I/O. */
static double
io_bytes(const double *KiBps, const double *iops, size_t n, double fallback_KiB)
{
    double k = 0, io = 0;
    for (size_t i = 0; i < n; i++)
        k += KiBps[i], io += iops[i];
    return (io > 0 && k > 0 ? k / io : fallback_KiB) * 1024;
}

/* z(0.999) of a standard normal: the simulator's SIM_Z999 (simulate/sim_rng.h), which
 * fits the same lognormal from the INI text written below. */
#define Z999 3.090232306167813

/* Mean of the lognormal through median typ_us and 99.9th percentile p999_us; typ_us
 * itself when there is no p999 (a constant service time). */
static double
svc_mean_us(double typ_us, double p999_us)
{
    double sigma = isnan(p999_us) ? 0 : log(p999_us / typ_us) / Z999;
    return typ_us * exp(sigma * sigma / 2);
}

/* "det:120us", or "lognormal:median=110us,p999=300us" when the data sheet gives a 99.9%
 * quality-of-service figure (the catalog reader checked p999 >= typical). */
static void
put_service(FILE *out, const char *key, double typ_us, double p999_us)
{
    char a[KS_NUMBUF], b[KS_NUMBUF];
    if (isnan(p999_us))
        fprintf(out, "%s = det:%sus\n", key, ks_fmt_double(a, typ_us));
    else
        fprintf(out, "%s = lognormal:median=%sus,p999=%sus\n", key, ks_fmt_double(a, typ_us),
                ks_fmt_double(b, p999_us));
}

/* "lognormal, typical 110 us, 99.9% 300 us" or "constant 120 us (no 99.9% figure)". */
static void
put_op_note(FILE *out, const char *op, double typ_us, double p999_us)
{
    char a[KS_NUMBUF], b[KS_NUMBUF];
    if (isnan(p999_us))
        fprintf(out, "%s constant %s us (no 99.9%% figure in the catalog)", op,
                ks_fmt_double(a, typ_us));
    else
        fprintf(out, "%s lognormal, typical %s us, 99.9%% %s us", op, ks_fmt_double(a, typ_us),
                ks_fmt_double(b, p999_us));
}

/* Says in the config where the service times come from, so that nobody reads a p50 ==
 * p99 of a constant-service drive as a measured tail. */
static void
put_service_note(FILE *out, const struct mdl_drive *d)
{
    fprintf(out, "# service: ");
    if (d->media == MDL_MEDIA_HDD && d->rpm > 0 && d->seek_ms > 0) {
        fprintf(out, "seek + rotation + transfer (the simulator's HDD model)");
    } else if (d->read_us > 0) {
        put_op_note(out, "reads", d->read_us, d->read_p999_us);
        if (d->write_us > 0)
            put_op_note(out, "; writes", d->write_us, d->write_p999_us);
    } else {
        fprintf(out, "constant 1 / iops (no latency in the catalog)");
    }
    fprintf(out, "\n\n");
}

static void
put_device(FILE *out, const struct mdl_drive *d, long drives)
{
    char a[KS_NUMBUF], b[KS_NUMBUF];
    fprintf(out, "[device array]\n");
    if (d->media == MDL_MEDIA_HDD && d->rpm > 0 && d->seek_ms > 0) {
        /* Seek and rotation uniform on [0, 2 x mean]: the simulator's own HDD model. */
        fprintf(out, "kind = hdd\nservers = %ld\n", drives);
        fprintf(out, "seek = uniform:min=0ms,max=%sms\n", ks_fmt_double(a, 2 * d->seek_ms));
        fprintf(out, "rotation = uniform:min=0ms,max=%sms\n", ks_fmt_double(b, 60000 / d->rpm));
        fprintf(out, "transfer_MBps = %s\n\n", ks_fmt_double(a, d->MBps));
        return;
    }
    /* An SSD (or a drive without mechanics) keeps iops x mean service time I/Os in flight
     * at its rated IOPS (Little's law), so it gets that many servers. */
    int has_read = d->read_us > 0;
    double svc_us = has_read ? d->read_us : 1e6 / d->iops;
    double mean_us = has_read ? svc_mean_us(d->read_us, d->read_p999_us) : svc_us;
    double q = fmax(1, round(d->iops * mean_us / 1e6));
    fprintf(out, "kind = %s\nservers = %.0f\n", d->media == MDL_MEDIA_SSD ? "ssd" : "generic",
            q * (double)drives);
    put_service(out, "service", svc_us, has_read ? d->read_p999_us : ks_nan());
    if (d->write_us > 0)
        put_service(out, "write_service", d->write_us, d->write_p999_us);
    fputc('\n', out);
}

static void
put_workload(FILE *out, const char *name, double rate, double bytes, double read_pct)
{
    if (!(rate > 0))
        return; /* the simulator refuses a zero rate: no such I/O, no workload */
    fprintf(out, "[workload %s]\nvm = estate\ndevice = array\n", name);
    /* Six digits: a rate is a measurement, not an identity to round-trip. */
    fprintf(out, "arrival = poisson:%.6g/s\n", rate);
    fprintf(out, "size = %.0f\nread_pct = %g\n\n", fmax(512, round(bytes)), read_pct);
}

int
mdl_storage_sim_ini(const struct mdl_storage_plan *sp, int at_peak, FILE *out)
{
    const struct mdl_storage_config *c = &sp->opt[sp->chosen];
    const struct mdl_drive *d = &sp->cat->drive[c->tier[0].drive];
    const struct mdl_raid *r = &sp->cat->raid[c->tier[0].raid];
    double fe = at_peak ? sp->iops_peak : sp->iops_pct;
    double rf = isnan(sp->read_pct) ? 1 : sp->read_pct / 100;
    double reads = fe * rf, writes = fe * (1 - rf) * r->write_penalty;
    double dur = fmin(3600, fmax(1, SIM_EVENTS / fmax(reads + writes, 1)));
    char a[KS_NUMBUF];
    fprintf(out, "# kasane storage check: %s load, %s front-end IOPS, %g%% reads, on\n",
            at_peak ? "peak" : "p95", ks_fmt_double(a, fe), rf * 100);
    fprintf(out, "# %ld x %s %s; writes x %g (RAID write penalty)\n", c->tier[0].drives, d->name,
            r->name, r->write_penalty);
    put_service_note(out, d);
    fprintf(out, "[sim]\nduration_s = %g\nwarmup_s = %g\nreplications = 10\nseed = %llu\n\n", dur,
            dur / 10, (unsigned long long)sp->pol.seed);
    fprintf(out, "[host]\ncores = 16\ncore_GHz = 2.5\n\n[iommu]\nenabled = 0\n\n");
    put_device(out, d, c->tier[0].drives);
    fprintf(out, "[vm estate]\nvcpus = 16\nmode = native\n\n");
    put_workload(out, "reads", reads,
                 io_bytes(sp->read_KiBps, sp->read_iops, sp->nsteps, sp->pol.assumed_io_KiB), 100);
    /* Mirrors write twice; parity RAID reads old data and parity, then writes both. */
    put_workload(out, "writes", writes,
                 io_bytes(sp->write_KiBps, sp->write_iops, sp->nsteps, sp->pol.assumed_io_KiB),
                 r->write_penalty > 2 ? 50 : 0);
    fflush(out);
    return ferror(out) ? -EIO : 0;
}
