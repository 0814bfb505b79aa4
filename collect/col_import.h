/*
 * col_import: turn data that already exists into a kasane dataset directory
 * (design.md "Dataset directory"), so everything downstream works on it unchanged.
 *
 * Formats (one constant table, col_import_formats):
 *   sar        sysstat saDD binary files (read through `sadf -d -U` as a child process)
 *              or text already written by `sadf -d`; entity = hostname
 *   bitbrains  GWA-T-12 per-VM files (';' + TAB separated); entity = file name
 *              without extension
 *   planetlab  CloudSim's PlanetLab layout: a directory of per-VM files, one CPU %
 *              per line at 5-minute steps; entity = file name
 *   rvtools    RVTools export (xlsx workbook, CSV tabs or a directory of them): VMs
 *              and ESX hosts, inventory only (no samples.csv)
 *   perfmon    Windows Performance Monitor CSV logs (typeperf, relog -f csv); entity
 *              = the \\HOST of the counter paths
 *
 * Memory: every format streams its input. Rows go to a temporary record file inside
 * the output directory as sorted runs (one per input file or host) and are merged by
 * time at the end, so memory grows with the number of entities, not with the number
 * of rows. sar is the one exception: one input file (one saDD day) is joined in
 * memory because sadf prints each activity as a separate table.
 *
 * Errors: 0 or a negative errno-style code with a message naming file, line and field.
 * Unrelated files met while listing a directory are skipped, counted and named in the
 * report; a file named explicitly that is not in the format is an error.
 */
#ifndef COL_IMPORT_H
#define COL_IMPORT_H

#include <stddef.h>

#include "core/ks_util.h"

/* Which formats accept which options (col_import_format.opts is a mask of these). */
enum {
    COL_OPT_START = 1 << 0,     /* planetlab: --start EPOCH */
    COL_OPT_VM_SIZE = 1 << 1,   /* planetlab: --vm-MHz, --vm-mem-MiB, --cloudsim-types */
    COL_OPT_CORE_MHZ = 1 << 2,  /* sar, rvtools, perfmon: --core-MHz */
    COL_OPT_STEP = 1 << 3,      /* planetlab, bitbrains: --step */
    COL_OPT_KIND = 1 << 4,      /* sar, bitbrains, planetlab, perfmon: --kind */
    COL_OPT_SADF = 1 << 5,      /* sar: --sadf PATH */
    COL_OPT_CPU_MODEL = 1 << 6, /* sar, rvtools, perfmon: --cpu-model */
    COL_OPT_HW = 1 << 7,        /* perfmon: --cores, --threads, --mem-MiB */
};

/* Progress of a long import, for a line on stderr (the library never prints). */
struct col_import_progress {
    const char *phase;        /* "read" or "merge" */
    unsigned long files;      /* input files read so far */
    unsigned long long rows;  /* rows read (phase read) or written (phase merge) */
    unsigned long long total; /* rows to write in phase merge, 0 in phase read */
};

struct col_import_opts {
    const char *format;  /* a name from col_import_formats */
    char *const *inputs; /* files or directories */
    size_t ninputs;
    const char *out_dir;
    double start_s;     /* planetlab: UNIX time of the first line's start; NaN =
                           from a YYYYMMDD directory name */
    double step_s;      /* planetlab, bitbrains: sample step; NaN = 300 */
    double vm_MHz;      /* planetlab: size of every VM; NaN = unknown */
    double vm_mem_MiB;  /* planetlab */
    int cloudsim_types; /* planetlab: CloudSim's four VM types by index % 4 */
    double core_MHz;    /* sar, perfmon, rvtools: clock of one core; NaN = unknown */
    const char *kind;   /* entity kind, NULL = the format's default */
    const char *sadf;   /* sar: sadf program, NULL = "sadf" from PATH */
    /* sar, perfmon; rvtools: the fallback for VMs without a vHost row */
    const char *cpu_model; /* CPU model string, NULL = unknown */
    /* perfmon */
    double cores, threads; /* physical cores and logical CPUs; NaN = unknown */
    double mem_MiB;        /* installed memory; NaN = unknown */
    /* Called now and then during long imports (may be NULL). */
    void (*progress)(void *ctx, const struct col_import_progress *p);
    void *progress_ctx;
};
/* Fill o with the defaults (NaN sizes, NULL callbacks). */
void col_import_opts_init(struct col_import_opts *o);

/* Per-entity result, like Azure Migrate's confidence rating: coverage is the share of
 * the expected samples (the whole import's time span divided by the entity's step)
 * that are present; stars 1-5 for 0-20%, 21-40%, 41-60%, 61-80%, 81-100%. */
struct col_import_entity {
    char *entity;
    unsigned long long rows;
    double first_s, last_s, interval_s;
    unsigned long gaps; /* holes longer than 1.5 steps */
    double coverage_pct;
    int stars;
};

#define COL_IMPORT_MAX_NOTES 20
struct col_import_report {
    size_t nent;                   /* entities in the inventory */
    struct col_import_entity *ent; /* nent rows (rows = 0 for inventory-only) */
    unsigned long long rows;       /* sample rows written */
    double first_s, last_s;        /* time span of samples.csv, NaN if none */
    double step_s;                 /* most common entity step */
    unsigned long gaps;            /* summed over entities */
    unsigned long files_read;
    unsigned long files_skipped;       /* unrelated files in directories */
    unsigned long rows_skipped;        /* truncated or malformed rows skipped */
    unsigned long dups_skipped;        /* duplicate (entity, time) rows, first one kept */
    size_t nnotes;                     /* messages kept (at most COL_IMPORT_MAX_NOTES) */
    unsigned long notes_total;         /* messages issued */
    char *notes[COL_IMPORT_MAX_NOTES]; /* "file:line: what was skipped and why" */
    /* What plan will lack and the option that gives it ("host 'db1': clock speed
     * unknown: give --core-MHz N"): for stderr, also under -q. First few kept. */
    size_t nwarn;
    char *warn[COL_IMPORT_MAX_NOTES];
};
void col_import_report_fini(struct col_import_report *r);

struct col_import_format {
    const char *name;
    const char *summary;
    unsigned opts; /* COL_OPT_* accepted */
    int samples;   /* 0: inventory only (no samples.csv) */
};
extern const struct col_import_format col_import_formats[]; /* NULL-name terminated */
const struct col_import_format *col_import_find(const char *name);

/* Run one import: read o->inputs, write o->out_dir (inventory.csv, samples.csv unless
 * inventory-only, coverage.csv) and fill rep (caller finalizes it, also on error). */
int col_import_run(const struct col_import_opts *o, struct col_import_report *rep,
                   struct ks_err *err);

/* Stars for a coverage percentage (Azure Migrate's bands). */
int col_import_stars(double coverage_pct);

/* Shortest decimal text for v when v is k / 10^d for d <= 6 (what importers and the
 * generator produce after rounding), else ks_fmt_double's text; NaN is empty. Much
 * faster than ks_fmt_double and reads back as exactly v. buf has KS_NUMBUF bytes. */
const char *col_fmt_num(char *buf, double v);
/* v rounded to d decimals (d <= 6). */
double col_round(double v, int d);

#endif
