/*
 * rvtools: an RVTools export (robware.net; Dell since 4.6) as an inventory: one entity
 * of kind vm per VM (vInfo, with vCPU and vMemory joined in) and one of kind host per
 * ESX host (vHost). No samples.csv: `plan` sizes the VMs by allocation, vCPUs x the
 * clock of the host each runs on. Inputs (workbook, CSV tabs, directories) and the
 * decimal comma of ';' exports: col_rvtools.h.
 *
 * Column names changed between RVTools versions (3.x wrote "Provisioned MB" and
 * "In Use MB", 4.x writes "Provisioned MiB" and "In Use MiB"; the OS column was "OS"
 * before it split into "OS according to the configuration file" and "... the VMware
 * Tools"), so each field has a list of aliases, tried in order. RVTools' MB are MiB
 * (vSphere reports memory and disk in binary units).
 *
 * Keys: a VM is its vCenter ("VI SDK Server") plus its name, and so is a host, so
 * several vCenters' exports import together; a name that occurs under more than one
 * vCenter becomes NAME@VCENTER in every one of them, a name met twice under one vCenter
 * is the same VM twice (the later one skipped and counted). Templates are skipped and
 * counted. A VM takes cpu_model and core_MHz from its host's vHost row; without one,
 * from --cpu-model / --core-MHz; its inventory column `host` names the host's entity.
 */
#include "collect/col_import_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collect/col_rvtools.h"

/* How a field is read: text, a number >= 0, or a number where -1 means "none"
 * (vSphere's unlimited Limit). */
enum { TXT, NUM, NUM_M1 };

struct rv_field {
    const char *key; /* inventory column it fills ("" = used otherwise) */
    int type, required;
    const char *aliases[5]; /* header names across RVTools versions */
};

/* vInfo: one row per VM. */
enum {
    VI_VM,
    VI_POWER,
    VI_TEMPLATE,
    VI_CPUS,
    VI_MEM,
    VI_NICS,
    VI_DISKS,
    VI_PROV,
    VI_INUSE,
    VI_HOST,
    VI_CLUSTER,
    VI_DC,
    VI_OS,
    VI_DNS,
    VI_VC,
    VI_N
};
static const struct rv_field vinfo_fields[VI_N] = {
    [VI_VM] = {"", TXT, 1, {"VM", "VM Name", "Name", NULL}},
    [VI_POWER] = {"powerstate", TXT, 0, {"Powerstate", "Power State", "PowerState", NULL}},
    [VI_TEMPLATE] = {"", TXT, 0, {"Template", NULL}},
    [VI_CPUS] = {"cores", NUM, 1, {"CPUs", "Num CPU", "vCPUs", "vCPU", NULL}},
    [VI_MEM] = {"mem_MiB", NUM, 1, {"Memory", "Memory MiB", "Memory MB", NULL}},
    [VI_NICS] = {"nic_count", NUM, 0, {"NICs", "Num NICs", NULL}},
    [VI_DISKS] = {"disk_count", NUM, 0, {"Disks", "Num Disks", NULL}},
    [VI_PROV] = {"disk_provisioned_MiB", NUM, 0, {"Provisioned MiB", "Provisioned MB", NULL}},
    [VI_INUSE] = {"disk_used_MiB", NUM, 0, {"In Use MiB", "In Use MB", NULL}},
    [VI_HOST] = {"host", TXT, 0, {"Host", "ESX Host", NULL}},
    [VI_CLUSTER] = {"cluster", TXT, 0, {"Cluster", NULL}},
    [VI_DC] = {"datacenter", TXT, 0, {"Datacenter", NULL}},
    [VI_OS] = {"os",
               TXT,
               0,
               {"OS according to the configuration file", "OS according to the VMware Tools", "OS",
                "Guest OS", NULL}},
    [VI_DNS] = {"hostname", TXT, 0, {"DNS Name", "Hostname", NULL}},
    [VI_VC] = {"vcenter", TXT, 0, {"VI SDK Server", "vCenter", NULL}},
};

/* vHost: one row per ESX host. */
enum {
    VH_HOST,
    VH_MODEL,
    VH_SPEED,
    VH_SOCKETS,
    VH_CORES,
    VH_HT,
    VH_MEM,
    VH_NICS,
    VH_ESX,
    VH_CLUSTER,
    VH_DC,
    VH_VC,
    VH_N
};
static const struct rv_field vhost_fields[VH_N] = {
    [VH_HOST] = {"hostname", TXT, 1, {"Host", "ESX Host", NULL}},
    [VH_MODEL] = {"cpu_model", TXT, 1, {"CPU Model", NULL}},
    [VH_SPEED] = {"core_MHz", NUM, 1, {"Speed", "CPU Speed", NULL}},
    [VH_SOCKETS] = {"sockets", NUM, 0, {"# CPU", NULL}},
    [VH_CORES] = {"cores", NUM, 1, {"# Cores", NULL}},
    [VH_HT] = {"", TXT, 0, {"HT Active", NULL}},
    [VH_MEM] = {"mem_MiB", NUM, 1, {"# Memory", NULL}},
    [VH_NICS] = {"nic_count", NUM, 0, {"# NICs", NULL}},
    [VH_ESX] = {"os", TXT, 0, {"ESX Version", NULL}},
    [VH_CLUSTER] = {"cluster", TXT, 0, {"Cluster", NULL}},
    [VH_DC] = {"datacenter", TXT, 0, {"Datacenter", NULL}},
    [VH_VC] = {"vcenter", TXT, 0, {"VI SDK Server", "vCenter", NULL}},
};

/* vCPU and vMemory: per VM, joined to vInfo's rows. */
enum { VC_VM, VC_SOCKETS, VC_RES, VC_LIMIT, VC_VC, VC_N };
static const struct rv_field vcpu_fields[VC_N] = {
    [VC_VM] = {"", TXT, 1, {"VM", NULL}},
    [VC_SOCKETS] = {"sockets", NUM, 0, {"Sockets", NULL}},
    [VC_RES] = {"cpu_reservation_MHz", NUM, 0, {"Reservation", NULL}},
    [VC_LIMIT] = {"cpu_limit_MHz", NUM_M1, 0, {"Limit", NULL}},
    [VC_VC] = {"", TXT, 0, {"VI SDK Server", "vCenter", NULL}},
};
enum { VMM_VM, VMM_RES, VMM_LIMIT, VMM_VC, VMM_N };
static const struct rv_field vmem_fields[VMM_N] = {
    [VMM_VM] = {"", TXT, 1, {"VM", NULL}},
    [VMM_RES] = {"mem_reservation_MiB", NUM, 0, {"Reservation", NULL}},
    [VMM_LIMIT] = {"mem_limit_MiB", NUM_M1, 0, {"Limit", NULL}},
    [VMM_VC] = {"", TXT, 0, {"VI SDK Server", "vCenter", NULL}},
};

#define RV_MAXF 16 /* fields of the largest tab */

struct rv_spec {
    const struct rv_field *f;
    int n;
    int name_f, vc_f; /* the key's two fields */
};
static const struct rv_spec specs[RV_NTAB] = {
    [RV_TAB_VINFO] = {vinfo_fields, VI_N, VI_VM, VI_VC},
    [RV_TAB_VHOST] = {vhost_fields, VH_N, VH_HOST, VH_VC},
    [RV_TAB_VCPU] = {vcpu_fields, VC_N, VC_VM, VC_VC},
    [RV_TAB_VMEMORY] = {vmem_fields, VMM_N, VMM_VM, VMM_VC},
};

/* A VM or a host as read: its key, the text of each field (NULL = empty) and the
 * inventory columns the per-VM tabs add (key, value pairs). */
struct rv_rec {
    char *vc, *name;
    char *v[RV_MAXF];
    char *extra_key[8], *extra_val[8];
    size_t nextra;
    char *entity; /* decided once every tab is read */
    int skip;     /* template (VMs) or name taken (hosts) */
};

struct rv_list {
    size_t n, cap;
    struct rv_rec *r;
    struct ks_map key; /* "vcenter\x1fname" -> index */
};

struct rv {
    const struct col_import_opts *o;
    struct col_import_report *rep;
    struct rv_list vm, host;
    struct ks_map host_any, host_novc; /* hosts by name alone (index_hosts) */
    enum rv_tab tab;                   /* the tab being read */
    int col[RV_MAXF];                  /* its header's column of each field, -1 absent */
};

/* ---- reading -------------------------------------------------------------------------- */

/* Resolve every field of the tab through its aliases; the message names the tab's file
 * and the first two names tried. */
static int
map_header(struct rv *c, const struct rv_rows *t, const struct ks_csv_row *h, struct ks_err *err)
{
    const struct rv_spec *sp = &specs[c->tab];
    for (int f = 0; f < sp->n; f++) {
        const struct rv_field *fd = &sp->f[f];
        c->col[f] = -1;
        for (int a = 0; fd->aliases[a] && c->col[f] < 0; a++)
            for (size_t k = 0; k < h->n && c->col[f] < 0; k++)
                if (strcmp(h->f[k] + (strncmp(h->f[k], "\xEF\xBB\xBF", 3) ? 0 : 3),
                           fd->aliases[a]) == 0)
                    c->col[f] = (int)k;
        if (c->col[f] < 0 && fd->required)
            return ks_errf(err, -EINVAL,
                           "%s:%lu: missing column '%s'%s%s%s: not an RVTools %s tab, or "
                           "another separator?",
                           t->where, h->line, fd->aliases[0],
                           fd->aliases[1] ? " (also tried '" : "",
                           fd->aliases[1] ? fd->aliases[1] : "", fd->aliases[1] ? "')" : "",
                           rv_tab_names[c->tab]);
    }
    return 0;
}

/* vCenter as a name part: "https://vc1.example.com/sdk" -> "vc1.example.com". */
static char *
vc_name(const char *s)
{
    if (strncmp(s, "https://", 8) == 0)
        s += 8;
    else if (strncmp(s, "http://", 7) == 0)
        s += 7;
    return ks_xstrndup(s, strcspn(s, "/"));
}

/* One field's text: numbers checked and written back with '.' (so "20480,5" of a
 * German export is stored as 20480.5); NULL when empty or "none". */
static int
field_text(const struct rv_field *fd, const struct rv_rows *t, const char *s, unsigned long line,
           char **out, struct ks_err *err)
{
    char buf[KS_NUMBUF];
    double x;
    *out = NULL;
    if (!s[0] || (fd->type == NUM_M1 && strcmp(s, "-1") == 0))
        return 0;
    if (fd->type != TXT) {
        if (rv_num(t, s, line, fd->aliases[0], &x, err) < 0)
            return -EINVAL;
        s = col_fmt_num(buf, x);
    }
    *out = ks_xstrdup(s);
    return 0;
}

/* Every field of a data row into v[]; names that become entity names are checked. */
static int
row_fields(struct rv *c, const struct rv_rows *t, const struct ks_csv_row *row, char **v,
           struct ks_err *err)
{
    const struct rv_spec *sp = &specs[c->tab];
    for (int f = 0; f < sp->n; f++) {
        const char *s = c->col[f] >= 0 && (size_t)c->col[f] < row->n ? row->f[c->col[f]] : "";
        char what[64];
        snprintf(what, sizeof what, "field '%s'", sp->f[f].aliases[0]);
        if (field_text(&sp->f[f], t, s, row->line, &v[f], err) < 0 ||
            ((f == sp->name_f || f == sp->vc_f || strcmp(sp->f[f].key, "hostname") == 0) &&
             ks_dataset_check_name(t->where, row->line, what, s, err) < 0))
            return -EINVAL;
    }
    if (!v[sp->name_f])
        return ks_errf(err, -EINVAL, "%s:%lu: field '%s' is empty", t->where, row->line,
                       sp->f[sp->name_f].aliases[0]);
    return 0;
}

static char *
key_of(const char *vc, const char *name)
{
    return ks_xasprintf("%s\x1f%s", vc, name);
}

/* Index of the record with this key, or -1. */
static long
find_rec(const struct rv_list *l, const char *vc, const char *name)
{
    char *k = key_of(vc, name);
    uint32_t ix;
    int found = ks_map_get(&l->key, k, &ix);
    free(k);
    return found ? (long)ix : -1;
}

static void
free_fields(char **v, int n)
{
    for (int f = 0; f < n; f++)
        free(v[f]);
}

/* RVTools writes True/False; spreadsheets re-save them in other spellings (German
 * Excel: WAHR/FALSCH). */
static int
is_true(const char *s)
{
    return s && (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcasecmp(s, "yes") == 0 ||
                 strcasecmp(s, "wahr") == 0);
}

/* A vInfo or vHost row becomes a record, unless its key was seen (counted, first kept). */
static void
add_rec(struct rv *c, struct rv_list *l, const struct rv_rows *t, unsigned long line, char **v)
{
    const struct rv_spec *sp = &specs[c->tab];
    char *vc = vc_name(v[sp->vc_f] ? v[sp->vc_f] : "");
    if (find_rec(l, vc, v[sp->name_f]) >= 0) {
        c->rep->dups_skipped++;
        col_import_note(c->rep, "%s:%lu: %s '%s' appears again, skipped (first kept)", t->where,
                        line, c->tab == RV_TAB_VHOST ? "host" : "VM", v[sp->name_f]);
        free(vc);
        free_fields(v, sp->n);
        return;
    }
    l->r = ks_xgrow(l->r, &l->cap, l->n + 1, sizeof *l->r);
    struct rv_rec *r = &l->r[l->n];
    memset(r, 0, sizeof *r);
    memcpy(r->v, v, sizeof r->v);
    r->vc = vc;
    r->name = ks_xstrdup(v[sp->name_f]);
    char *k = key_of(vc, r->name);
    ks_map_put(&l->key, k, (uint32_t)l->n++);
    free(k);
    if (c->tab == RV_TAB_VINFO && is_true(v[VI_TEMPLATE])) {
        r->skip = 1; /* kept so that its vCPU and vMemory rows find it */
        c->rep->rows_skipped++;
        col_import_note(c->rep, "%s:%lu: VM '%s' is a template, skipped", t->where, line, r->name);
    }
}

/* A vCPU or vMemory row: its columns go to the VM vInfo listed under the same key. */
static void
join_rec(struct rv *c, const struct rv_rows *t, unsigned long line, char **v)
{
    const struct rv_spec *sp = &specs[c->tab];
    char *vc = vc_name(v[sp->vc_f] ? v[sp->vc_f] : "");
    long ix = find_rec(&c->vm, vc, v[sp->name_f]);
    free(vc);
    if (ix < 0) {
        c->rep->rows_skipped++;
        col_import_note(c->rep, "%s:%lu: VM '%s' is not in vInfo, row ignored", t->where, line,
                        v[sp->name_f]);
    }
    struct rv_rec *r = ix >= 0 ? &c->vm.r[ix] : NULL;
    for (int f = 0; r && f < sp->n; f++)
        if (sp->f[f].key[0] && v[f] && r->nextra < 8) {
            r->extra_key[r->nextra] = ks_xstrdup(sp->f[f].key);
            r->extra_val[r->nextra++] = ks_xstrdup(v[f]);
        }
    free_fields(v, sp->n);
}

/* rv_row_fn: the header maps the columns, every other row is a record or a join. */
static int
on_row(void *ctx, const struct rv_rows *t, const struct ks_csv_row *row, struct ks_err *err)
{
    struct rv *c = ctx;
    char *v[RV_MAXF] = {0};
    if (t->header)
        return map_header(c, t, row, err);
    if (row_fields(c, t, row, v, err) < 0) {
        free_fields(v, specs[c->tab].n);
        return -EINVAL;
    }
    if (c->tab == RV_TAB_VINFO)
        add_rec(c, &c->vm, t, row->line, v);
    else if (c->tab == RV_TAB_VHOST)
        add_rec(c, &c->host, t, row->line, v);
    else
        join_rec(c, t, row->line, v);
    return 0;
}

/* ---- naming ----------------------------------------------------------------------------- */

/* NAME, or NAME@VCENTER when the name is used under more than one vCenter (by VMs and
 * hosts together). A host whose name a VM already took is skipped with a note (its VMs
 * still get its clock). */
static void
name_entities(struct rv *c)
{
    struct ks_map uses, taken;
    uint32_t n;
    ks_map_init(&uses);
    ks_map_init(&taken);
    struct rv_list *lists[2] = {&c->vm, &c->host};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *nm = lists[l]->r[i].name;
            ks_map_put(&uses, nm, ks_map_get(&uses, nm, &n) ? n + 1 : 1);
        }
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            struct rv_rec *r = &lists[l]->r[i];
            ks_map_get(&uses, r->name, &n);
            r->entity =
                n > 1 && r->vc[0] ? ks_xasprintf("%s@%s", r->name, r->vc) : ks_xstrdup(r->name);
            if (!r->skip && ks_map_get(&taken, r->entity, &n)) {
                r->skip = 1;
                c->rep->dups_skipped++;
                col_import_note(c->rep, "%s '%s': the name is taken by another entity, skipped",
                                l ? "host" : "VM", r->entity);
            } else if (!r->skip) {
                ks_map_put(&taken, r->entity, 1);
            }
        }
    ks_map_fini(&uses);
    ks_map_fini(&taken);
}

/* ---- writing ---------------------------------------------------------------------------- */

/* The record's fields into the inventory by their keys. */
static void
set_keys(struct ks_dataset *ds, size_t e, const struct rv_spec *sp, const struct rv_rec *r)
{
    for (int f = 0; f < sp->n; f++)
        if (sp->f[f].key[0] && r->v[f])
            ks_inv_set(ds, e, sp->f[f].key, r->v[f]);
    if (r->vc[0])
        ks_inv_set(ds, e, "vcenter", r->vc);
    ks_inv_set(ds, e, "hypervisor", "vmware");
}

/* A host: threads = cores x 2 with Hyper-Threading active (ESXi runs two hardware
 * threads per core on every CPU it supports with SMT). */
static void
write_host(struct ks_dataset *ds, const struct rv_rec *h)
{
    size_t e = ks_dataset_add_entity(ds, h->entity, "host");
    set_keys(ds, e, &specs[RV_TAB_VHOST], h);
    double cores = ks_inv_num(ds, e, "cores");
    ks_inv_set_num(ds, e, "threads", is_true(h->v[VH_HT]) ? 2 * cores : cores);
    ks_inv_set(ds, e, "notes", "RVTools vHost: ESX host (not a source: plan packs its VMs)");
}

/* Hosts by name alone, for VMs whose vCenter finds no host (find_host): any[] over all
 * hosts, novc[] over hosts without a vCenter; value = index, or RV_AMBIGUOUS when
 * several hosts share the name. Built once, so the lookup stays linear overall. */
#define RV_AMBIGUOUS UINT32_MAX
static void
index_hosts(struct rv *c)
{
    uint32_t ix;
    for (size_t i = 0; i < c->host.n; i++) {
        const char *n = c->host.r[i].name;
        ks_map_put(&c->host_any, n, ks_map_get(&c->host_any, n, &ix) ? RV_AMBIGUOUS : (uint32_t)i);
        if (!c->host.r[i].vc[0])
            ks_map_put(&c->host_novc, n,
                       ks_map_get(&c->host_novc, n, &ix) ? RV_AMBIGUOUS : (uint32_t)i);
    }
}

/* A VM's host: the vHost row of the same vCenter and name; else, when one side has no
 * vCenter (an older export, or a tab saved without the VI SDK Server column), the one
 * host of that name (none when several match). */
static const struct rv_rec *
find_host(const struct rv *c, const char *vc, const char *name)
{
    long ix = find_rec(&c->host, vc, name);
    uint32_t u;
    if (ix < 0 && ks_map_get(vc[0] ? &c->host_novc : &c->host_any, name, &u) && u != RV_AMBIGUOUS)
        ix = (long)u;
    return ix >= 0 && !c->host.r[ix].skip ? &c->host.r[ix] : NULL;
}

/* A VM: vCPUs as cores and threads, the clock and CPU model of its host (or of the
 * options), and which of them it got. Returns 1 when it has no clock at all. */
static int
write_vm(struct rv *c, struct ks_dataset *ds, const struct rv_rec *v)
{
    size_t e = ks_dataset_add_entity(ds, v->entity, "vm");
    set_keys(ds, e, &specs[RV_TAB_VINFO], v);
    for (size_t i = 0; i < v->nextra; i++)
        ks_inv_set(ds, e, v->extra_key[i], v->extra_val[i]);
    ks_inv_set(ds, e, "threads", ks_inv_str(ds, e, "cores"));
    const char *hn = v->v[VI_HOST] ? v->v[VI_HOST] : "";
    const struct rv_rec *h = find_host(c, v->vc, hn);
    const char *model = h && h->v[VH_MODEL] ? h->v[VH_MODEL] : c->o->cpu_model;
    const char *mhz = h ? h->v[VH_SPEED] : NULL;
    char buf[KS_NUMBUF], note[400];
    if (h)
        ks_inv_set(ds, e, "host", h->entity);
    if (model)
        ks_inv_set(ds, e, "cpu_model", model);
    if (!mhz && !isnan(c->o->core_MHz))
        mhz = col_fmt_num(buf, c->o->core_MHz);
    if (mhz)
        ks_inv_set(ds, e, "core_MHz", mhz);
    snprintf(note, sizeof note, "RVTools: allocation only (no samples); %s",
             h && h->v[VH_SPEED] ? "CPU model and clock from its host's vHost row"
             : mhz               ? "no vHost row with a clock for its host: clock from --core-MHz"
                   : "no vHost row with a clock for its host and no --core-MHz: no clock");
    ks_inv_set(ds, e, "notes", note);
    return mhz == NULL;
}

/* VMs in vInfo order, then hosts in vHost order. */
static void
write_all(struct rv *c, struct ks_dataset *ds)
{
    size_t noclock = 0;
    index_hosts(c);
    for (size_t i = 0; i < c->vm.n; i++)
        if (!c->vm.r[i].skip)
            noclock += (size_t)write_vm(c, ds, &c->vm.r[i]);
    for (size_t i = 0; i < c->host.n; i++)
        if (!c->host.r[i].skip)
            write_host(ds, &c->host.r[i]);
    if (noclock)
        col_import_note(c->rep,
                        "%zu VMs have no clock speed (no vHost row with a Speed for their host): "
                        "plan cannot size them; give --core-MHz or import the vHost tab too",
                        noclock);
}

static void
list_fini(struct rv_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct rv_rec *r = &l->r[i];
        free_fields(r->v, RV_MAXF);
        for (size_t k = 0; k < r->nextra; k++) {
            free(r->extra_key[k]);
            free(r->extra_val[k]);
        }
        free(r->vc);
        free(r->name);
        free(r->entity);
    }
    free(l->r);
    ks_map_fini(&l->key);
}

/* Tabs in join order: hosts, VMs, then the per-VM tabs that refer to them. */
static int
read_tabs(struct rv *c, const struct rv_inputs *in, struct col_isink *s, struct ks_err *err)
{
    static const enum rv_tab order[RV_NTAB] = {RV_TAB_VHOST, RV_TAB_VINFO, RV_TAB_VCPU,
                                               RV_TAB_VMEMORY};
    int rc = 0;
    for (int k = 0; rc == 0 && k < RV_NTAB; k++)
        for (size_t i = 0; rc == 0 && i < in->n; i++) {
            if (in->item[i].tab != order[k])
                continue;
            c->tab = order[k];
            rc = rv_item_each(in, &in->item[i], on_row, c, err);
            if (rc == 0)
                col_isink_file_done(s);
        }
    return rc;
}

int
col_import_rvtools(const struct col_import_opts *o, struct col_isink *s,
                   struct col_import_report *rep, struct ks_err *err)
{
    struct rv c = {.o = o, .rep = rep};
    struct rv_inputs in;
    ks_map_init(&c.vm.key);
    ks_map_init(&c.host.key);
    ks_map_init(&c.host_any);
    ks_map_init(&c.host_novc);
    int rc = rv_inputs_build(&in, o->inputs, o->ninputs, rep, err);
    if (rc == 0)
        rc = read_tabs(&c, &in, s, err);
    if (rc == 0) {
        name_entities(&c);
        write_all(&c, col_isink_ds(s));
    }
    rv_inputs_fini(&in);
    list_fini(&c.vm);
    list_fini(&c.host);
    ks_map_fini(&c.host_any);
    ks_map_fini(&c.host_novc);
    return rc;
}
