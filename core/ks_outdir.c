#include "core/ks_outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/ks_csv.h"
#include "core/ks_manifest.h"

/* Staging directories in progress, for ks_outdir_remove_all. Fixed storage, written
 * before the slot is marked used, so a signal handler never sees half a path. A
 * command stages one directory; four leave room for a library caller with more. */
#define SLOTS 4
static char slot_path[SLOTS][PATH_MAX];
static volatile sig_atomic_t slot_used[SLOTS];

struct ks_outdir {
    struct ks_outdir_opts o;
    char *dest;    /* as given, trailing slashes removed: for messages */
    char *target;  /* what is swapped: dest, or where dest's symbolic link points */
    char *parent;  /* target's directory, where staging lives */
    char *staging; /* parent/.name.staging.pid */
    char *command;
    int slot;      /* index in slot_path, or -1 */
};

/* ---- removal (async-signal-safe) ---------------------------------------------------- */

struct dirent64_raw { /* the kernel's struct linux_dirent64 */
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Remove name (relative to the directory parent) and, if it is a directory, all it
 * holds. Only system calls and a stack buffer: callable from a signal handler. Entries
 * are read again from the start after each pass that removed any, since removing
 * entries while reading a directory may make the reader skip some. */
static int
rm_at(int parent, const char *name, int depth)
{
    if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
        return 0;
    if ((errno != EISDIR && errno != EPERM) || depth > 64)
        return -errno;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char buf[4096] __attribute__((aligned(8)));
    for (int pass = 0, removed = 1; removed && pass < 16; pass++) {
        removed = 0;
        lseek(fd, 0, SEEK_SET);
        for (long n; (n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0;)
            for (long off = 0; off < n;) {
                struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
                off += d->d_reclen;
                if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
                    continue;
                rm_at(fd, d->d_name, depth + 1);
                removed = 1;
            }
    }
    close(fd);
    return unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -errno;
}

int
ks_rmtree(const char *path)
{
    return rm_at(AT_FDCWD, path, 0);
}

void
ks_outdir_remove_all(void)
{
    for (int i = 0; i < SLOTS; i++)
        if (slot_used[i])
            rm_at(AT_FDCWD, slot_path[i], 0);
}

/* Is path inside a staging directory of this process? Its commit fsyncs every file
 * (ks_manifest_write) before the swap, so a file written there needs no fsync of its
 * own: a report's hundred-odd files then cost a few journal commits, not one each. */
int
ks_outdir_staged(const char *path)
{
    for (int i = 0; i < SLOTS; i++) {
        size_t n = strlen(slot_path[i]);
        if (slot_used[i] && n && strncmp(path, slot_path[i], n) == 0 && path[n] == '/')
            return 1;
    }
    return 0;
}

static int
slot_take(const char *path)
{
    for (int i = 0; i < SLOTS; i++)
        if (!slot_used[i] && strlen(path) < PATH_MAX) {
            memcpy(slot_path[i], path, strlen(path) + 1);
            slot_used[i] = 1;
            return i;
        }
    return -1; /* more than SLOTS at once: still removed on error, not on a signal */
}

static void
od_free(struct ks_outdir *od)
{
    if (od->slot >= 0)
        slot_used[od->slot] = 0;
    free(od->dest);
    free(od->target);
    free(od->parent);
    free(od->staging);
    free(od->command);
    free(od);
}

/* ---- checks before staging ------------------------------------------------------- */

/* Up to three names of dir's entries, escaped, for a refusal message; 0 when empty. */
static size_t
list_some(const char *dir, char *buf, size_t n)
{
    DIR *d = opendir(dir);
    size_t count = 0, o = 0;
    buf[0] = '\0';
    if (!d)
        return 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char e[96];
        if (count < 3 && o < n)
            o += (size_t)snprintf(buf + o, n - o, "%s%s", count ? ", " : "",
                                  ks_manifest_esc(e, sizeof e, de->d_name));
        else if (count == 3 && o < n)
            o += (size_t)snprintf(buf + o, n - o, ", ...");
        count++;
    }
    closedir(d);
    return count;
}

/* `/`, the working directory or one of its parents: replacing it would pull the floor
 * from under the user (and `-o .` is an easy typo), so never, not even with --force. */
static int
is_cwd_or_above(const char *target)
{
    char *rt = realpath(target, NULL), *cwd = getcwd(NULL, 0);
    int bad = 0;
    if (rt && cwd) {
        size_t n = strlen(rt);
        bad = strcmp(rt, "/") == 0 ||
              (strncmp(cwd, rt, n) == 0 && (cwd[n] == '\0' || cwd[n] == '/'));
    }
    free(rt);
    free(cwd);
    return bad;
}

/* May a non-empty target be replaced? 0 or a refusal naming the way out. */
static int
may_replace(const struct ks_outdir *od, const char *names, struct ks_err *err)
{
    const struct ks_outdir_opts *o = &od->o;
    if (o->force || (o->kind == KS_OUTDIR_DATASET && o->keep))
        return 0;
    if (o->kind == KS_OUTDIR_DATASET)
        return ks_errf(err, -EEXIST,
                       "%s: directory is not empty (%s): %s writes a dataset into a new or "
                       "empty directory; --force replaces it (its files are deleted)%s",
                       od->dest, names, o->cmd,
                       strcmp(o->cmd, "import") == 0
                           ? ", --append adds the new rows to the dataset there"
                           : "");
    char kind[32];
    int k = ks_manifest_kind(od->target, kind, sizeof kind, err);
    if (k < 0)
        return k;
    if (k == 1 && strcmp(kind, o->what) == 0)
        return 0; /* the previous run's output: replacing it is the point */
    if (k == 1)
        return ks_errf(err, -EEXIST,
                       "%s: holds a %s that kasane wrote (its %s), not a %s: refusing to "
                       "replace it; use another -o, or --force to replace it",
                       od->dest, kind[0] ? kind : "directory", KS_MANIFEST_NAME, o->what);
    return ks_errf(err, -EEXIST,
                   "%s: directory is not empty (%s) and has no %s, so kasane did not write "
                   "it: refusing to replace it; use another -o, or --force to replace it "
                   "(its files are deleted)",
                   od->dest, names, KS_MANIFEST_NAME);
}

/* target, parent and the existence of target from dest. */
static int
resolve(struct ks_outdir *od, int *exists, struct ks_err *err)
{
    struct stat st;
    od->target = ks_xstrdup(od->dest);
    *exists = lstat(od->target, &st) == 0;
    if (*exists && S_ISLNK(st.st_mode)) { /* replace what the link points to */
        char *rt = realpath(od->dest, NULL);
        if (!rt)
            return ks_errf(err, -errno, "%s: dangling symbolic link: %s", od->dest,
                           strerror(errno));
        free(od->target);
        od->target = ks_xstrdup(rt);
        free(rt);
        *exists = stat(od->target, &st) == 0;
    }
    if (*exists && !S_ISDIR(st.st_mode))
        return ks_errf(err, -ENOTDIR, "%s: exists and is not a directory", od->dest);
    if (*exists && is_cwd_or_above(od->target))
        return ks_errf(err, -EINVAL,
                       "%s: is / or the current directory or one of its parents: refusing "
                       "to replace it, even with --force; name a directory of its own",
                       od->dest);
    const char *slash = strrchr(od->target, '/');
    od->parent = !slash ? ks_xstrdup(".")
                 : slash == od->target ? ks_xstrdup("/")
                                       : ks_xstrndup(od->target, (size_t)(slash - od->target));
    const char *name = slash ? slash + 1 : od->target;
    if (!strcmp(name, ".") || !strcmp(name, ".."))
        return ks_errf(err, -EINVAL, "%s: name a directory of its own, not . or ..", od->dest);
    od->staging = ks_xasprintf("%s/.%s.staging.%ld", od->parent, name, (long)getpid());
    return 0;
}

/* Staging directories of target left by runs that were killed (SIGKILL, power loss):
 * ".NAME.staging.PID" (and its ".old") beside target whose PID no longer runs. One
 * whose PID runs is left alone, even if the PID was reused: removing a live run's
 * staging would break it, keeping a dead one only costs disk. Only directories owned
 * by us are removed, and never through a symbolic link. */
static void
remove_stale_staging(const struct ks_outdir *od)
{
    const char *slash = strrchr(od->target, '/');
    const char *name = slash ? slash + 1 : od->target;
    char *prefix = ks_xasprintf(".%s.staging.", name);
    size_t np = strlen(prefix);
    DIR *d = opendir(od->parent);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, np) != 0)
            continue;
        char *end;
        errno = 0;
        long pid = strtol(e->d_name + np, &end, 10);
        if (errno || end == e->d_name + np || pid <= 0 || pid > INT_MAX ||
            (*end && strcmp(end, ".old") != 0))
            continue;
        if (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue; /* running (or not ours to signal: maybe running) */
        char *path = ks_xasprintf("%s/%s", od->parent, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
            ks_rmtree(path);
        free(path);
    }
    if (d)
        closedir(d);
    free(prefix);
}

static int
make_staging(struct ks_outdir *od, int exists, struct ks_err *err)
{
    struct stat st;
    int rc = exists ? 0 : ks_mkdir_p(od->parent, err);
    if (rc < 0)
        return rc;
    remove_stale_staging(od); /* and ours, if a killed run had our pid */
    if (mkdir(od->staging, 0777) != 0) {
        int e = errno;
        return ks_errf(err, -e, "%s: cannot create the staging directory %s: %s", od->dest,
                       od->staging, strerror(e));
    }
    od->slot = slot_take(od->staging);
    /* The new directory keeps the old one's permissions (a report shared with a group). */
    if (exists && stat(od->target, &st) == 0)
        chmod(od->staging, st.st_mode & 07777);
    return 0;
}

int
ks_outdir_begin(const char *dest, const struct ks_outdir_opts *o, struct ks_outdir **out,
                int *existing, struct ks_err *err)
{
    struct ks_outdir *od = ks_xcalloc(1, sizeof *od);
    size_t n = strlen(dest);
    while (n > 1 && dest[n - 1] == '/')
        n--;
    od->o = *o;
    od->dest = ks_xstrndup(dest, n);
    od->command = o->command ? ks_xstrdup(o->command) : NULL;
    od->o.command = od->command;
    od->slot = -1;
    int exists = 0, rc = n ? resolve(od, &exists, err) : ks_errf(err, -EINVAL, "empty -o");
    char names[512] = "";
    int nonempty = rc == 0 && exists && list_some(od->target, names, sizeof names) > 0;
    if (rc == 0 && nonempty)
        rc = may_replace(od, names, err);
    if (rc == 0)
        rc = make_staging(od, exists, err);
    if (rc < 0) {
        od_free(od);
        return rc;
    }
    if (existing)
        *existing = nonempty;
    *out = od;
    return 0;
}

const char *
ks_outdir_path(const struct ks_outdir *od)
{
    return od->staging;
}

const char *
ks_outdir_dest(const struct ks_outdir *od)
{
    return od->dest;
}

/* ---- commit ------------------------------------------------------------------------ */

/* fsync a directory (its entries), and those of its subdirectories one level down. */
static int
fsync_dir(const char *path, int depth)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
    if (fd < 0)
        return -errno;
    if (fsync(fd) != 0)
        rc = -errno;
    close(fd);
    DIR *d = depth ? opendir(path) : NULL;
    for (struct dirent *de; d && rc == 0 && (de = readdir(d));) {
        if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *sub = ks_xasprintf("%s/%s", path, de->d_name);
        rc = fsync_dir(sub, depth - 1);
        free(sub);
    }
    if (d)
        closedir(d);
    return rc;
}

/* Put staging in target's place. After an exchange, staging holds the old tree. */
static int
swap(struct ks_outdir *od, struct ks_err *err)
{
    struct stat st;
    if (lstat(od->target, &st) != 0) {
        if (rename(od->staging, od->target) == 0)
            return 0;
    } else if (renameat2(AT_FDCWD, od->staging, AT_FDCWD, od->target, RENAME_EXCHANGE) == 0) {
        return 0;
    } else if (errno == EINVAL || errno == ENOSYS) {
        /* No exchange on this filesystem: old aside, new in, old back on failure. */
        char *old = ks_xasprintf("%s.old", od->staging);
        int rc = rename(od->target, old) == 0 ? 0 : -errno;
        if (rc == 0 && rename(od->staging, od->target) != 0) {
            rc = -errno;
            rename(old, od->target);
        } else if (rc == 0) {
            rename(old, od->staging); /* where the old tree is removed from */
        }
        free(old);
        if (rc == 0)
            return 0;
        errno = -rc;
    }
    int e = errno;
    return ks_errf(err, -e, "%s: cannot move the new directory into place: %s (the previous "
                            "one, if any, kept)",
                   od->dest, strerror(e));
}

int
ks_outdir_commit(struct ks_outdir *od, struct ks_err *err)
{
    int rc = ks_manifest_write(od->staging, od->o.what, od->command, err);
    if (rc == 0 && (rc = fsync_dir(od->staging, 2)) < 0)
        rc = ks_errf(err, rc, "%s: cannot write: %s", od->staging, strerror(-rc));
    if (rc == 0)
        rc = swap(od, err);
    if (rc < 0) {
        ks_outdir_abort(od, err);
        return rc;
    }
    fsync_dir(od->parent, 0); /* the rename itself; the data is safe either way */
    ks_rmtree(od->staging);   /* the old tree, or nothing */
    od_free(od);
    return 0;
}

/* Replace every occurrence of from by to in msg (capacity cap). */
static void
replace_all(char *msg, size_t cap, const char *from, const char *to)
{
    size_t lf = strlen(from), lt = strlen(to);
    for (char *p = strstr(msg, from); p && lf; p = strstr(p + lt, from)) {
        size_t tail = strlen(p + lf);
        if ((size_t)(p - msg) + lt + tail + 1 > cap)
            break;
        memmove(p + lt, p + lf, tail + 1);
        memcpy(p, to, lt);
    }
}

void
ks_outdir_abort(struct ks_outdir *od, struct ks_err *err)
{
    if (!od)
        return;
    ks_rmtree(od->staging);
    if (err)
        replace_all(err->msg, sizeof err->msg, od->staging, od->dest);
    od_free(od);
}
