/*
 * bitbrains: the GWA-T-12 Bitbrains traces (Shen, van Beek, Iosup, CCGrid 2015;
 * gwa.ewi.tudelft.nl), one file per VM:
 *
 *   Timestamp [ms];<TAB>CPU cores;<TAB>CPU capacity provisioned [MHZ];<TAB>
 *   CPU usage [MHZ];<TAB>CPU usage [%];<TAB>Memory capacity provisioned [KB];<TAB>
 *   Memory usage [KB];<TAB>Disk read throughput [KB/s];<TAB>Disk write throughput [KB/s];
 *   <TAB>Network received throughput [KB/s];<TAB>Network transmitted throughput [KB/s]
 *
 * Separators are ';' followed by a TAB (the TAB is trimmed by the CSV reader). The
 * timestamp column says [ms] but holds UNIX seconds; a value above 1e11 is taken as
 * real milliseconds (a note says so). KB is KiB (1,024 bytes), so KB/s is KiB/s and
 * memory KB / 1024 is MiB. Columns are matched by name; the step is --step (300 s).
 */
#include "collect/col_import_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_csv.h"

enum {
    BB_TIME,
    BB_CORES,
    BB_CAP_MHZ,
    BB_USE_MHZ,
    BB_USE_PCT,
    BB_MEM_CAP_KB,
    BB_MEM_USE_KB,
    BB_DISK_R,
    BB_DISK_W,
    BB_NET_RX,
    BB_NET_TX,
    BB_NCOL
};

/* Header names exactly as GWA-T-12 writes them (matched after the reader trims the
 * TAB that follows each ';'). */
static const char *const bb_cols[BB_NCOL] = {
    "Timestamp [ms]",
    "CPU cores",
    "CPU capacity provisioned [MHZ]",
    "CPU usage [MHZ]",
    "CPU usage [%]",
    "Memory capacity provisioned [KB]",
    "Memory usage [KB]",
    "Disk read throughput [KB/s]",
    "Disk write throughput [KB/s]",
    "Network received throughput [KB/s]",
    "Network transmitted throughput [KB/s]",
};

struct bbfile {
    const char *path;
    int col[BB_NCOL]; /* file column of each field */
    size_t ncols;
    const char *kind;
    uint32_t ent;
    double step_s, prev_t;
    double cores, cap_MHz, mem_cap_KiB; /* largest seen, for the inventory */
    int ms_note;
    /* The row read last waits here until the next one arrives: only then is it known
     * not to be a last line cut off without its newline. */
    int has_pend;
    unsigned long pend_line, last_line;
    double pend_t, pend_m[KS_NMETRIC];
};

/* Header check. Returns 0, 1 when this is not a GWA-T-12 header, <0 never. */
/* Find every GWA-T-12 column; any missing means another format or separator. */
static int
map_header(struct bbfile *bf, const struct ks_csv_row *h)
{
    bf->ncols = h->n;
    for (int c = 0; c < BB_NCOL; c++) {
        bf->col[c] = ks_csv_col(h, bb_cols[c]);
        if (bf->col[c] < 0)
            return 1;
    }
    return 0;
}

/* All eleven fields are numbers >= 0; the message names the column. */
static int
parse_fields(struct bbfile *bf, const struct ks_csv_row *row, double *v, struct ks_err *err)
{
    for (int c = 0; c < BB_NCOL; c++)
        if (col_parse_nonneg(row->f[bf->col[c]], &v[c], bf->path, row->line, bb_cols[c], err) < 0)
            return -EINVAL;
    return 0;
}

/* Units: KB = KiB, so memory KB / 1024 = MiB and KB/s are KiB/s as they are; MHz
 * stays MHz. The largest sizes seen feed the inventory. */
static void
to_metrics(struct bbfile *bf, const double *v, double *m)
{
    col_metrics_unknown(m);
    m[KS_CPU_PCT] = v[BB_USE_PCT];
    m[KS_CPU_MHZ] = v[BB_USE_MHZ];
    m[KS_MEM_USED_MIB] = v[BB_MEM_USE_KB] / 1024;
    m[KS_MEM_TOTAL_MIB] = v[BB_MEM_CAP_KB] / 1024;
    m[KS_DISK_READ_KIBPS] = v[BB_DISK_R];
    m[KS_DISK_WRITE_KIBPS] = v[BB_DISK_W];
    m[KS_NET_RX_KIBPS] = v[BB_NET_RX];
    m[KS_NET_TX_KIBPS] = v[BB_NET_TX];
    if (v[BB_CORES] > bf->cores)
        bf->cores = v[BB_CORES];
    if (v[BB_CAP_MHZ] > bf->cap_MHz)
        bf->cap_MHz = v[BB_CAP_MHZ];
    if (v[BB_MEM_CAP_KB] > bf->mem_cap_KiB)
        bf->mem_cap_KiB = v[BB_MEM_CAP_KB];
}

/* Give the waiting row to the sink. */
static void
flush_pending(struct bbfile *bf, struct col_isink *s)
{
    if (bf->has_pend) {
        col_isink_at(s, bf->path, bf->pend_line);
        col_isink_put(s, bf->pend_t, bf->ent, bf->step_s, bf->pend_m);
    }
    bf->has_pend = 0;
}

/* One data row: skip (counted) when cut short, error when malformed. */
static int
do_row(struct bbfile *bf, const struct ks_csv_row *row, struct col_isink *s,
       struct col_import_report *rep, struct ks_err *err)
{
    double v[BB_NCOL];
    bf->last_line = row->line;
    if (row->n < bf->ncols) {
        rep->rows_skipped++;
        col_import_note(rep, "%s:%lu: row cut short (%zu of %zu fields), skipped", bf->path,
                        row->line, row->n, bf->ncols);
        return 0;
    }
    if (row->n > bf->ncols)
        return ks_errf(err, -EINVAL, "%s:%lu: %zu fields, the header has %zu", bf->path, row->line,
                       row->n, bf->ncols);
    if (parse_fields(bf, row, v, err) < 0)
        return -EINVAL;
    double t = v[BB_TIME];
    if (t > 1e11) { /* real milliseconds after all */
        t /= 1000;
        bf->ms_note = 1;
    }
    if (t == bf->prev_t) {
        rep->dups_skipped++;
        col_import_note(rep, "%s:%lu: duplicate timestamp %.0f skipped (first kept)", bf->path,
                        row->line, t);
        return 0;
    }
    if (t < bf->prev_t)
        return ks_errf(err, -EINVAL, "%s:%lu: field '%s': time goes backwards (%.0f after %.0f)",
                       bf->path, row->line, bb_cols[BB_TIME], t, bf->prev_t);
    bf->prev_t = t;
    flush_pending(bf, s);
    to_metrics(bf, v, bf->pend_m);
    bf->pend_t = t;
    bf->pend_line = row->line;
    bf->has_pend = 1;
    return 0;
}

/* The inventory of a VM from the largest provisioned sizes its rows showed (a VM
 * resized during the trace is sized for its largest configuration). */
static void
set_inventory(struct ks_dataset *ds, const struct bbfile *bf)
{
    if (!(bf->cores > 0))
        return; /* no data rows: nothing known */
    ks_inv_set_num(ds, bf->ent, "cores", bf->cores);
    ks_inv_set_num(ds, bf->ent, "threads", bf->cores);
    ks_inv_set_num(ds, bf->ent, "core_MHz", col_round(bf->cap_MHz / bf->cores, 3));
    ks_inv_set_num(ds, bf->ent, "mem_MiB", bf->mem_cap_KiB / 1024);
    ks_inv_set(ds, bf->ent, "notes",
               bf->ms_note ? "GWA-T-12 trace; timestamps were real milliseconds"
                           : "GWA-T-12 trace; core_MHz = provisioned MHz / cores");
}

/* Rows of one open file. */
/* All data rows of one open file, one sorted run; the last row is held back until the
 * file is known to end with a newline. */
static int
read_rows(struct bbfile *bf, struct ks_csv_reader *r, struct col_isink *s,
          struct col_import_report *rep, struct ks_err *err)
{
    const struct ks_csv_row *row;
    int rc;
    col_isink_run(s);
    while ((rc = ks_csv_next(r, &row, err)) > 0)
        if ((rc = do_row(bf, row, s, rep, err)) < 0)
            return rc;
    if (rc < 0)
        return rc;
    if (bf->has_pend && bf->pend_line == bf->last_line && !col_ends_with_newline(bf->path)) {
        bf->has_pend = 0;
        rep->rows_skipped++;
        col_import_note(rep, "%s:%lu: last line has no newline (cut off?), skipped", bf->path,
                        bf->pend_line);
    }
    flush_pending(bf, s);
    return 0;
}

/* Open path and check its header. Returns 0, 1 when the header is not GWA-T-12, or a
 * negative error. */
/* Open with ';' as separator (the TAB after it is trimmed as a blank). */
static int
open_file(struct bbfile *bf, struct ks_csv_reader **r, struct ks_err *err)
{
    const struct ks_csv_row *h;
    int rc = ks_csv_open(bf->path, ';', r, err);
    if (rc < 0)
        return rc;
    rc = ks_csv_next(*r, &h, err);
    if (rc <= 0 || map_header(bf, h) != 0) {
        ks_csv_close(*r);
        *r = NULL;
        return rc < 0 ? rc : 1;
    }
    return 0;
}

/* One file: a directory entry that is not GWA-T-12 is skipped, a named one is an
 * error; the same VM in several months continues one entity. */
static int
import_file(struct bbfile *bf, int from_dir, struct col_isink *s, struct col_import_report *rep,
            struct ks_err *err)
{
    struct ks_csv_reader *r;
    int rc = open_file(bf, &r, err);
    if (rc == 1 && from_dir) {
        rep->files_skipped++;
        col_import_note(rep, "%s: skipped (not a GWA-T-12 header)", bf->path);
        return 0;
    }
    if (rc == 1)
        return ks_errf(err, -EINVAL,
                       "%s:1: not a GWA-T-12 header: expected ';'-separated columns "
                       "'%s', '%s', ... (wrong separator or another format?)",
                       bf->path, bb_cols[0], bb_cols[1]);
    if (rc < 0)
        return rc;
    struct ks_dataset *ds = col_isink_ds(s);
    char *name = col_stem(bf->path, 1);
    if (ks_dataset_check_name(bf->path, 0, "file name (the VM's name)", name, err) < 0) {
        free(name);
        return -EINVAL;
    }
    long known = ks_dataset_find(ds, name);
    bf->ent = (uint32_t)ks_dataset_add_entity(ds, name, bf->kind);
    free(name);
    if (known >= 0) { /* the same VM in another month: keep the largest sizes */
        bf->cores = ks_inv_num(ds, bf->ent, "cores");
        bf->cap_MHz = ks_inv_num(ds, bf->ent, "core_MHz") * bf->cores;
        bf->mem_cap_KiB = ks_inv_num(ds, bf->ent, "mem_MiB") * 1024;
        if (isnan(bf->cores) || isnan(bf->cap_MHz) || isnan(bf->mem_cap_KiB))
            bf->cores = bf->cap_MHz = bf->mem_cap_KiB = 0;
    }
    rc = read_rows(bf, r, s, rep, err);
    ks_csv_close(r);
    if (rc == 0) {
        set_inventory(ds, bf);
        col_isink_file_done(s);
    }
    return rc;
}

int
col_import_bitbrains(const struct col_import_opts *o, struct col_isink *s,
                     struct col_import_report *rep, struct ks_err *err)
{
    struct col_flist fl;
    int rc = col_flist_build(&fl, o->inputs, o->ninputs, rep, err);
    for (size_t i = 0; rc == 0 && i < fl.n; i++) {
        struct bbfile bf = {.path = fl.path[i], .prev_t = -INFINITY};
        bf.step_s = isnan(o->step_s) ? 300 : o->step_s;
        bf.kind = o->kind ? o->kind : "vm";
        rc = import_file(&bf, fl.from_dir[i], s, rep, err);
    }
    col_flist_fini(&fl);
    return rc;
}
