/*
 * planetlab: CloudSim's PlanetLab workload layout (github.com/Cloudslab/cloudsim,
 * examples/workload/planetlab): one directory per day, one file per VM, one integer
 * CPU utilization % per line, 288 lines at 5-minute steps.
 *
 * The files carry no sizes and no times, so:
 *   time   = start + line * step (line 1-based: each value closes its 5-minute window),
 *            start from --start or from a YYYYMMDD directory name (UTC midnight);
 *   size   = --vm-MHz / --vm-mem-MiB for every VM, or --cloudsim-types: CloudSim's four
 *            VM types (Constants.VM_MIPS 2500/2000/1000/500 with VM_RAM 870/1740/1740/613,
 *            one PE each), MIPS read as MHz, assigned by index % 4 in file-name order
 *            within each directory. An entity seen again (another day) keeps the size
 *            it got first, so its series stays in one unit.
 *   cpu_MHz = cpu_pct / 100 * size MHz (one vCPU); unknown (and said so in the
 *            inventory notes) when no size is given.
 */
#include "collect/col_import_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ks_fault.h"

static const double cloudsim_MHz[4] = {2500, 2000, 1000, 500};
static const double cloudsim_MiB[4] = {870, 1740, 1740, 613};

/* UTC midnight of a YYYYMMDD name (the last path component of dir), or NaN. */
/* CloudSim names each day's folder YYYYMMDD; the traces start at that UTC midnight. */
static double
start_from_name(const char *path)
{
    char *b = col_stem(path, 0);
    int y, mo, d;
    char extra;
    double t = NAN;
    if (strlen(b) == 8 && sscanf(b, "%4d%2d%2d%c", &y, &mo, &d, &extra) == 3 && mo >= 1 &&
        mo <= 12 && d >= 1 && d <= 31) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
        t = (double)timegm(&tm);
    }
    free(b);
    return t;
}

/* Directory part of path ("." when there is none), malloc'd. */
/* For a file named directly: its folder may still carry the date. */
static char *
parent_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? ks_xstrndup(path, (size_t)(s - path)) : ks_xstrdup(".");
}

/* Start time of one file: --start wins, else the date in its folder's name, else an
 * error that says how to fix it (there is no safe default). */
static int
file_start(const struct col_import_opts *o, const struct col_flist *fl, size_t i, double *start,
           struct ks_err *err)
{
    if (!isnan(o->start_s)) {
        *start = o->start_s;
        return 0;
    }
    char *dir = fl->from_dir[i] ? ks_xstrdup(o->inputs[fl->dir_ix[i]]) : parent_of(fl->path[i]);
    *start = start_from_name(dir);
    free(dir);
    if (isnan(*start))
        return ks_errf(err, -EINVAL,
                       "%s: no start time: pass --start EPOCH (the directory name is not "
                       "YYYYMMDD)",
                       fl->path[i]);
    return 0;
}

/* Inventory of a newly seen entity; its size (MHz, MiB; NaN = unknown) comes back. */
/* A VM is one vCPU of its size's MHz (CloudSim's VMs have one PE), so core_MHz = size
 * and cores = threads = 1; notes say where the size came from or that it is unknown. */
static void
add_inventory(const struct col_import_opts *o, struct ks_dataset *ds, size_t ent,
              size_t index_in_dir, double *MHz, double *MiB)
{
    *MHz = o->vm_MHz;
    *MiB = o->vm_mem_MiB;
    if (o->cloudsim_types) {
        *MHz = cloudsim_MHz[index_in_dir % 4];
        *MiB = cloudsim_MiB[index_in_dir % 4];
    }
    ks_inv_set_num(ds, ent, "cores", 1);
    ks_inv_set_num(ds, ent, "threads", 1);
    ks_inv_set_num(ds, ent, "core_MHz", *MHz);
    ks_inv_set_num(ds, ent, "mem_MiB", *MiB);
    char type[32] = "";
    if (o->cloudsim_types)
        snprintf(type, sizeof type, "; CloudSim VM type %zu", index_in_dir % 4 + 1);
    char *notes = ks_xasprintf("PlanetLab trace: CPU only%s%s", type,
                               isnan(*MHz)   ? "; VM size unknown (no --vm-MHz): cpu_MHz empty"
                               : isnan(*MiB) ? "; memory size unknown (no --vm-mem-MiB)"
                                             : "");
    ks_inv_set(ds, ent, "notes", notes);
    free(notes);
}

struct plfile {
    const char *path;
    int from_dir;
    double start, step, MHz, MiB;
    uint32_t ent;
};

/* 1 if line holds one number (after trimming), setting *v; 0 otherwise. */
/* Lines are a number with optional blanks and a CR (files saved on Windows). */
static int
parse_line(char *line, double *v)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                 line[n - 1] == '\t'))
        line[--n] = '\0';
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    return ks_parse_double(p, v) == 0;
}

/* 1 when the first line of path is a number (a PlanetLab file), else 0. */
/* Decide before an entity is created whether a directory entry is a trace at all. */
static int
looks_like_planetlab(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    double v;
    int ok = f && fgets(line, sizeof line, f) && parse_line(line, &v);
    if (f)
        fclose(f);
    return ok;
}

/* Read one file into the sink. Returns 0 or a negative error naming file and line. */
static int
read_file(const struct plfile *pf, struct col_isink *s, struct col_import_report *rep,
          struct ks_err *err)
{
    FILE *f = ks_fopen_read(pf->path);
    if (!f)
        return ks_errf(err, -errno, "%s: %s", pf->path, strerror(errno));
    char line[256];
    unsigned long ln = 0;
    int complete = col_ends_with_newline(pf->path), rc = 0;
    double m[KS_NMETRIC], v;
    col_metrics_unknown(m);
    col_isink_run(s);
    while (rc == 0 && fgets(line, sizeof line, f)) {
        ln++;
        int last = feof(f) || (line[0] && line[strlen(line) - 1] != '\n');
        if (!parse_line(line, &v)) {
            if (!line[0]) {
                rep->rows_skipped++;
                col_import_note(rep, "%s:%lu: empty line skipped", pf->path, ln);
            } else {
                rc = ks_errf(err, -EINVAL, "%s:%lu: '%.40s' is not a CPU percentage", pf->path, ln,
                             line);
            }
            continue;
        }
        if (last && !complete) {
            rep->rows_skipped++;
            col_import_note(rep, "%s:%lu: last line has no newline (cut off?), skipped", pf->path,
                            ln);
            break;
        }
        if (v < 0 || v > 100) {
            rc = ks_errf(err, -EINVAL, "%s:%lu: CPU %s%% is outside 0-100", pf->path, ln, line);
            break;
        }
        m[KS_CPU_PCT] = v;
        m[KS_CPU_MHZ] = v * pf->MHz / 100;
        m[KS_MEM_TOTAL_MIB] = pf->MiB;
        col_isink_at(s, pf->path, ln);
        col_isink_put(s, pf->start + (double)ln * pf->step, pf->ent, pf->step, m);
    }
    /* fgets stops at a read error as at the end: the rest of the trace would be lost
     * without a word. */
    if (rc == 0 && ferror(f))
        rc = ks_errf(err, -EIO, "%s:%lu: read error: %s", pf->path, ln + 1, strerror(EIO));
    fclose(f);
    return rc;
}

int
col_import_planetlab(const struct col_import_opts *o, struct col_isink *s,
                     struct col_import_report *rep, struct ks_err *err)
{
    struct col_flist fl;
    struct ks_dataset *ds = col_isink_ds(s);
    const char *kind = o->kind ? o->kind : "vm";
    size_t index_in_dir = 0, prev_dir = (size_t)-1;
    int rc = col_flist_build(&fl, o->inputs, o->ninputs, rep, err);
    for (size_t i = 0; rc == 0 && i < fl.n; i++) {
        struct plfile pf = {.path = fl.path[i], .from_dir = fl.from_dir[i]};
        pf.step = isnan(o->step_s) ? 300 : o->step_s;
        if ((rc = file_start(o, &fl, i, &pf.start, err)) < 0)
            break;
        if (fl.dir_ix[i] != prev_dir)
            index_in_dir = 0;
        prev_dir = fl.dir_ix[i];
        if (pf.from_dir && !looks_like_planetlab(pf.path)) {
            rep->files_skipped++;
            col_import_note(rep, "%s: skipped (first line is not a CPU percentage)", pf.path);
            continue;
        }
        char *name = col_stem(pf.path, 0);
        if ((rc = ks_dataset_check_name(pf.path, 0, "file name (the VM's name)", name, err)) < 0) {
            free(name);
            break;
        }
        long found = ks_dataset_find(ds, name);
        pf.ent = (uint32_t)ks_dataset_add_entity(ds, name, kind);
        if (found < 0) {
            add_inventory(o, ds, pf.ent, index_in_dir, &pf.MHz, &pf.MiB);
        } else {
            pf.MHz = ks_inv_num(ds, pf.ent, "core_MHz");
            pf.MiB = ks_inv_num(ds, pf.ent, "mem_MiB");
        }
        free(name);
        rc = read_file(&pf, s, rep, err);
        index_in_dir++;
        col_isink_file_done(s);
    }
    col_flist_fini(&fl);
    return rc;
}
