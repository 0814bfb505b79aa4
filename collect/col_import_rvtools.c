/*
 * rvtools: the vInfo tab of an RVTools export (robware.net), saved as CSV. Inventory
 * only: one entity (kind vm) per VM, no samples.csv, so `plan` sizes it by allocation.
 *
 * Column names changed between RVTools versions (3.x wrote "Provisioned MB" and
 * "In Use MB", 4.x writes "Provisioned MiB" and "In Use MiB"; the OS column was "OS"
 * before it split into "OS according to the configuration file" and "... the VMware
 * Tools"), so each field has a list of aliases, tried in order. The separator is
 * whichever of ',', ';' or TAB the header line holds most of (Excel in many locales
 * saves ';'); a UTF-8 byte-order mark is ignored. Templates are skipped and counted.
 * RVTools' MB columns are MiB (vSphere reports memory and disk in binary units).
 */
#include "collect/col_import_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ks_csv.h"

enum {
    RV_VM,
    RV_POWER,
    RV_TEMPLATE,
    RV_CPUS,
    RV_MEM,
    RV_NICS,
    RV_DISKS,
    RV_PROV,
    RV_INUSE,
    RV_HOST,
    RV_CLUSTER,
    RV_OS,
    RV_DNS,
    RV_NFIELD
};

struct rv_field {
    const char *key; /* inventory column it fills ("" = used otherwise) */
    int numeric, required;
    const char *aliases[5]; /* header names across RVTools versions */
};

/* The alias table. Required fields without any alias in the header make the file an
 * error (it is not a vInfo export); optional ones are left empty. */
static const struct rv_field rv_fields[RV_NFIELD] = {
    [RV_VM] = {"entity", 0, 1, {"VM", "VM Name", "Name", NULL}},
    [RV_POWER] = {"powerstate", 0, 0, {"Powerstate", "Power State", "PowerState", NULL}},
    [RV_TEMPLATE] = {"", 0, 0, {"Template", NULL}},
    [RV_CPUS] = {"cores", 1, 1, {"CPUs", "Num CPU", "vCPUs", "vCPU", NULL}},
    [RV_MEM] = {"mem_MiB", 1, 1, {"Memory", "Memory MiB", "Memory MB", NULL}},
    [RV_NICS] = {"nic_count", 1, 0, {"NICs", "Num NICs", NULL}},
    [RV_DISKS] = {"disk_count", 1, 0, {"Disks", "Num Disks", NULL}},
    [RV_PROV] = {"disk_provisioned_MiB", 1, 0, {"Provisioned MiB", "Provisioned MB", NULL}},
    [RV_INUSE] = {"disk_used_MiB", 1, 0, {"In Use MiB", "In Use MB", NULL}},
    [RV_HOST] = {"esx_host", 0, 0, {"Host", "ESX Host", NULL}},
    [RV_CLUSTER] = {"cluster", 0, 0, {"Cluster", NULL}},
    [RV_OS] = {"os",
               0,
               0,
               {"OS according to the configuration file", "OS according to the VMware Tools", "OS",
                "Guest OS", NULL}},
    [RV_DNS] = {"hostname", 0, 0, {"DNS Name", "Hostname", NULL}},
};

/* Header name without a UTF-8 byte-order mark. */
/* Excel writes a byte-order mark before the first header name. */
static const char *
no_bom(const char *s)
{
    return strncmp(s, "\xEF\xBB\xBF", 3) == 0 ? s + 3 : s;
}

/* Exact header match (RVTools names are stable within a version). */
static int
find_col(const struct ks_csv_row *h, const char *name)
{
    for (size_t c = 0; c < h->n; c++)
        if (strcmp(no_bom(h->f[c]), name) == 0)
            return (int)c;
    return -1;
}

/* Resolve every field through its aliases; the message names the first two tried. */
static int
map_header(const char *path, const struct ks_csv_row *h, int *col, struct ks_err *err)
{
    for (int f = 0; f < RV_NFIELD; f++) {
        col[f] = -1;
        for (int a = 0; rv_fields[f].aliases[a] && col[f] < 0; a++)
            col[f] = find_col(h, rv_fields[f].aliases[a]);
        if (col[f] < 0 && rv_fields[f].required)
            return ks_errf(err, -EINVAL,
                           "%s:%lu: missing column '%s' (also tried '%s'): not an RVTools "
                           "vInfo export, or another separator?",
                           path, h->line, rv_fields[f].aliases[0],
                           rv_fields[f].aliases[1] ? rv_fields[f].aliases[1] : "-");
    }
    return 0;
}

/* The separator the first line holds most of (outside quotes). */
/* Count candidate separators on the header line: a vInfo header has dozens of
 * columns, so the true separator wins by far. */
static unsigned char
sniff_sep(const char *path)
{
    FILE *f = fopen(path, "r");
    int n[3] = {0, 0, 0}, c, inq = 0;
    while (f && (c = fgetc(f)) != EOF && (c != '\n' || inq)) {
        if (c == '"')
            inq = !inq;
        else if (!inq)
            n[0] += c == ',', n[1] += c == ';', n[2] += c == '\t';
    }
    if (f)
        fclose(f);
    return n[1] > n[0] && n[1] >= n[2] ? ';' : n[2] > n[0] ? '\t' : ',';
}

/* RVTools writes True/False; spreadsheets re-save them in other spellings. */
static int
is_true(const char *s)
{
    return strcmp(s, "True") == 0 || strcmp(s, "true") == 0 || strcmp(s, "TRUE") == 0 ||
           strcmp(s, "1") == 0 || strcmp(s, "Yes") == 0;
}

/* Copy the mapped fields into the inventory: numbers checked (file:line: field),
 * text as is. threads = cores since vSphere's CPUs are vCPUs. */
static int
set_fields(struct ks_dataset *ds, size_t ent, const char *path, const struct ks_csv_row *row,
           const int *col, struct ks_err *err)
{
    for (int f = RV_POWER; f < RV_NFIELD; f++) {
        const char *v = col[f] >= 0 ? row->f[col[f]] : "";
        double x;
        if (!rv_fields[f].key[0] || !v[0])
            continue;
        if (rv_fields[f].numeric) {
            if (col_parse_nonneg(v, &x, path, row->line, rv_fields[f].aliases[0], err) < 0)
                return -EINVAL;
            ks_inv_set_num(ds, ent, rv_fields[f].key, x);
        } else {
            ks_inv_set(ds, ent, rv_fields[f].key, v);
        }
    }
    ks_inv_set(ds, ent, "threads", ks_inv_str(ds, ent, "cores"));
    ks_inv_set(ds, ent, "hypervisor", "vmware");
    ks_inv_set(ds, ent, "notes",
               "RVTools vInfo: inventory only, no clock speed (planned by "
               "allocation)");
    return 0;
}

/* One VM: templates cannot run and a repeated name would make two entities one, so
 * both are skipped and counted. */
static int
do_row(struct ks_dataset *ds, const char *path, const struct ks_csv_row *row, size_t ncols,
       const int *col, struct col_import_report *rep, struct ks_err *err)
{
    if (row->n != ncols)
        return ks_errf(err, -EINVAL, "%s:%lu: %zu fields, the header has %zu", path, row->line,
                       row->n, ncols);
    const char *vm = row->f[col[RV_VM]];
    if (!vm[0])
        return ks_errf(err, -EINVAL, "%s:%lu: field '%s' is empty", path, row->line,
                       rv_fields[RV_VM].aliases[0]);
    char field[48];
    snprintf(field, sizeof field, "field '%s'", rv_fields[RV_VM].aliases[0]);
    if (ks_dataset_check_name(path, row->line, field, vm, err) < 0)
        return -EINVAL;
    if (col[RV_TEMPLATE] >= 0 && is_true(row->f[col[RV_TEMPLATE]])) {
        rep->rows_skipped++;
        col_import_note(rep, "%s:%lu: VM '%s' is a template, skipped", path, row->line, vm);
        return 0;
    }
    if (ks_dataset_find(ds, vm) >= 0) {
        rep->dups_skipped++;
        col_import_note(rep, "%s:%lu: VM '%s' appears again, skipped (first kept)", path, row->line,
                        vm);
        return 0;
    }
    return set_fields(ds, ks_dataset_add_entity(ds, vm, "vm"), path, row, col, err);
}

/* One vInfo file: header, then rows. */
static int
import_file(const char *path, struct col_isink *s, struct col_import_report *rep,
            struct ks_err *err)
{
    struct ks_csv_reader *r;
    const struct ks_csv_row *row;
    int col[RV_NFIELD];
    int rc = ks_csv_open(path, sniff_sep(path), &r, err);
    if (rc < 0)
        return rc;
    rc = ks_csv_next(r, &row, err);
    if (rc == 0)
        rc = ks_errf(err, -EINVAL, "%s: empty file (no header row)", path);
    if (rc > 0)
        rc = map_header(path, row, col, err);
    size_t ncols = rc >= 0 ? row->n : 0;
    while (rc >= 0 && (rc = ks_csv_next(r, &row, err)) > 0)
        rc = do_row(col_isink_ds(s), path, row, ncols, col, rep, err);
    ks_csv_close(r);
    if (rc >= 0)
        col_isink_file_done(s);
    return rc < 0 ? rc : 0;
}

int
col_import_rvtools(const struct col_import_opts *o, struct col_isink *s,
                   struct col_import_report *rep, struct ks_err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < o->ninputs; i++)
        rc = import_file(o->inputs[i], s, rep, err);
    return rc;
}
