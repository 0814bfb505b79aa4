#include "collect/col_devtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
col_devtab_init(struct col_devtab *t, const char *what)
{
    memset(t, 0, sizeof *t);
    t->what = what;
}

void
col_devtab_fini(struct col_devtab *t)
{
    free(t->d);
    memset(t, 0, sizeof *t);
}

void
col_devtab_begin(struct col_devtab *t)
{
    for (size_t i = 0; i < t->n; i++)
        t->d[i].seen = 0;
}

/* Linear search: a machine has tens of devices, and the table keeps file order so
 * the common case (same order every sample) finds each entry at its own index. */
static struct col_dev *
find(struct col_devtab *t, const char *name, size_t hint)
{
    if (hint < t->n && strcmp(t->d[hint].name, name) == 0)
        return &t->d[hint];
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->d[i].name, name) == 0)
            return &t->d[i];
    return NULL;
}

static const char *const kind_event[] = {NULL, "wrap", "rereg", "glitch"};

void
col_devtab_event(const struct col_devtab *t, const char *name, int kind, struct col_snapshot *out)
{
    if (kind == COL_DEV_NEW)
        col_snapshot_event(out, "%s_new:%s", t->what, name);
    else if (kind > COL_DELTA_OK && kind <= COL_DELTA_GLITCH)
        col_snapshot_event(out, "%s_%s:%s", t->what, kind_event[kind], name);
}

struct col_dev *
col_devtab_update(struct col_devtab *t, const char *name, unsigned major, unsigned minor,
                  const uint64_t *cur, size_t n, uint64_t *delta, int *kind)
{
    size_t hint = 0;
    for (size_t i = 0; i < t->n; i++)
        hint += t->d[i].seen; /* devices already matched in this sample */
    struct col_dev *d = find(t, name, hint);
    if (!d) {
        t->d = ks_xgrow(t->d, &t->cap, t->n + 1, sizeof *t->d);
        d = &t->d[t->n++];
        memset(d, 0, sizeof *d);
        snprintf(d->name, sizeof d->name, "%s", name);
        d->counted = -1; /* not classified yet */
        d->speed_Mbps = -1;
        *kind = COL_DEV_NEW;
    } else if (d->major != major || d->minor != minor) {
        memcpy(delta, cur, n * sizeof *delta); /* another device took the name */
        *kind = COL_DELTA_REREG;
    } else {
        *kind = (int)col_counter_deltas(d->c, cur, n, delta);
    }
    d->major = major;
    d->minor = minor;
    memcpy(d->c, cur, n * sizeof *cur);
    d->seen = 1;
    return d;
}

/* Compact in place, keeping order: the survivors keep their relative positions, so
 * the next sample's lookups by position still hit. Only counted devices make events
 * (a loop device detaching is nobody's business). */
void
col_devtab_sweep(struct col_devtab *t, struct col_snapshot *out)
{
    size_t w = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->d[i].seen)
            t->d[w++] = t->d[i];
        else if (out && t->d[i].counted == 1)
            col_snapshot_event(out, "%s_gone:%s", t->what, t->d[i].name);
    }
    t->n = w;
}

/* ---- classification ------------------------------------------------------------ */

static int
has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* Without /sys/block: NAME is a partition when another listed device's name is a
 * prefix of it followed by digits (sda1) or "p" and digits (nvme0n1p1, mmcblk0p1). */
static int
looks_like_partition(const struct col_diskstats *ds, const char *name)
{
    for (size_t i = 0; i < ds->n; i++) {
        size_t k = strlen(ds->d[i].name);
        if (k == 0 || strncmp(name, ds->d[i].name, k) != 0 || name[k] == '\0')
            continue;
        const char *r = name + k + (name[k] == 'p');
        if (*r && strspn(r, "0123456789") == strlen(r))
            return 1;
    }
    return 0;
}

int
col_disk_is_whole(const struct col_root *root, const struct col_diskstats *ds, const char *name,
                  int include_dm, int have_sysblock)
{
    if (has_prefix(name, "loop") || has_prefix(name, "ram") || has_prefix(name, "zram"))
        return 0;
    if ((has_prefix(name, "dm-") || has_prefix(name, "md")) && !include_dm)
        return 0;
    if (!have_sysblock)
        return !looks_like_partition(ds, name);
    char rel[COL_NAME_MAX + 32], sys[COL_NAME_MAX];
    long hidden = 0;
    snprintf(sys, sizeof sys, "%s", name);
    for (char *p = sys; *p; p++)
        if (*p == '/')
            *p = '!'; /* cciss/c0d0 is sys/block/cciss!c0d0 */
    snprintf(rel, sizeof rel, "sys/block/%s", sys);
    if (!col_root_exists(root, rel))
        return 0;
    snprintf(rel, sizeof rel, "sys/block/%s/hidden", sys); /* NVMe multipath paths */
    return !(col_root_long(root, rel, &hidden) == 0 && hidden);
}

void
col_nic_classify(const struct col_root *root, struct col_dev *d)
{
    char rel[COL_NAME_MAX + 40], state[32];
    int first = d->counted < 0;
    snprintf(rel, sizeof rel, "sys/class/net/%s/operstate", d->name);
    /* No sysfs entry (a bare fake tree): assume up, the kernel listed it. */
    int up = col_root_gets(root, rel, state, sizeof state) < 0 || strcmp(state, "down") != 0;
    if (first || up != d->up) {
        long speed = -1;
        snprintf(rel, sizeof rel, "sys/class/net/%s/speed", d->name);
        if (col_root_long(root, rel, &speed) < 0 || speed <= 0)
            speed = -1;
        d->speed_Mbps = speed;
    }
    if (first) {
        long type = 0;
        snprintf(rel, sizeof rel, "sys/class/net/%s/type", d->name);
        /* ARPHRD_LOOPBACK = 772 */
        d->loopback =
            strcmp(d->name, "lo") == 0 || (col_root_long(root, rel, &type) == 0 && type == 772);
    }
    d->up = up;
    d->counted = up && !d->loopback;
}
