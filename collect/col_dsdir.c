#include "collect/col_dsdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/col_src_pcap.h"
#include "core/ks_csv.h"

/* ---- the lock ------------------------------------------------------------------- */

/* The lock is taken: say by whom. The pid is what the holder wrote; it may be
 * missing for the instant between its flock and its write. */
static int
busy(int fd, const char *dir, struct ks_err *err)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    long pid = strtol(buf, NULL, 10);
    if (pid > 0)
        return ks_errf(err, -EBUSY, "%s is being written by another collector (pid %ld)", dir, pid);
    return ks_errf(err, -EBUSY, "%s is being written by another collector (pid unknown)", dir);
}

int
col_dsdir_lock(const char *dir, struct ks_err *err)
{
    char *path = ks_xasprintf("%s/%s", dir, COL_DSDIR_LOCK);
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EACCES) /* another user's lock file: a read fd locks too */
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int rc = fd;
    if (fd < 0) {
        int e = errno;
        rc = ks_errf(err, -e, "%s: cannot open the collector lock: %s", path, strerror(e));
    } else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        rc = e == EWOULDBLOCK ? busy(fd, dir, err)
                              : ks_errf(err, -e, "%s: cannot lock: %s", path, strerror(e));
        close(fd);
    } else {
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
            /* a read-only lock file still locks; the second one's message lacks the pid */
        }
    }
    free(path);
    return rc;
}

/* ---- the hand-over -------------------------------------------------------------- */

/* A file name from the directory, for a message: control bytes (a newline, an escape
 * sequence) become '?', so a hostile name cannot forge lines on a terminal or a log. */
static const char *
printable(const char *name, char *out, size_t cap)
{
    size_t i = 0;
    for (; name[i] && i + 1 < cap; i++)
        out[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i];
    out[i] = '\0';
    return out;
}

/* Names a dataset directory of a collector may hold: its files, their rotated copies
 * (samples.20261126T071500Z.csv, logrotate's samples.csv.1.gz), the inventory's
 * temporary file and the lock. */
static int
dataset_name(const char *name)
{
    static const char *const prefixes[] = {"samples.", "cores.", "flows.", "inventory.",
                                           COL_DSDIR_LOCK};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

struct hand {
    const char *dir, *user;
    uid_t uid;
    gid_t gid;
    int apply; /* 0: only check every entry; 1: chown them */
};

/* One entry: a regular file of the dataset with one link (a hard link planted by the
 * user it is handed to would make root chown the file it points at), opened without
 * following a symbolic link and changed through that descriptor, so a swap between
 * check and chown changes nothing else. */
static int
hand_one(const struct hand *h, int dfd, const char *name, struct ks_err *err)
{
    char pn[128];
    struct stat st, fst;
    const char *why = NULL;
    if (!dataset_name(name))
        why = "is not a dataset file";
    else if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return 0; /* gone meanwhile (a rotation by logrotate): nothing to hand over */
    else if (!S_ISREG(st.st_mode))
        why = "is not a regular file";
    else if (st.st_nlink != 1)
        why = "has more than one hard link";
    if (why)
        return ks_errf(err, -EPERM,
                       "%s: '%s' %s: collect hands the directory to '%s' (it runs as that "
                       "user once the capture is open) and only hands over a dataset "
                       "directory of its own; give -o a new directory",
                       h->dir, printable(name, pn, sizeof pn), why, h->user);
    if (!h->apply || (st.st_uid == h->uid && st.st_gid == h->gid))
        return 0;
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0 || fstat(fd, &fst) != 0 || fst.st_ino != st.st_ino || !S_ISREG(fst.st_mode) ||
        fst.st_nlink != 1 || fchown(fd, h->uid, h->gid) != 0)
        rc = ks_errf(err, -EPERM, "%s/%s: cannot hand over to '%s': %s", h->dir,
                     printable(name, pn, sizeof pn), h->user,
                     errno ? strerror(errno) : "changed while being handed over");
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Every entry of the directory through hand_one. */
static int
hand_all(const struct hand *h, int dfd, struct ks_err *err)
{
    int dup_fd = dup(dfd);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (!d) {
        int e = errno;
        if (dup_fd >= 0)
            close(dup_fd);
        return ks_errf(err, -e, "%s: cannot list: %s", h->dir, strerror(e));
    }
    int rc = 0;
    rewinddir(d); /* the dup shares the offset the previous pass left at the end */
    for (struct dirent *e; rc == 0 && (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            errno = 0;
            rc = hand_one(h, dfd, e->d_name, err);
        }
    closedir(d);
    return rc;
}

/* Check the whole directory first, so a refusal changes nothing; then the files, then
 * the directory itself (with owner rwx: the user must create files there). */
static int
hand_over(const struct hand *h0, struct ks_err *err)
{
    struct hand h = *h0;
    struct stat st;
    int dfd = open(h.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fstat(dfd, &st) != 0) {
        int e = errno;
        if (dfd >= 0)
            close(dfd);
        return ks_errf(err, -e, "%s: %s", h.dir, strerror(e));
    }
    int rc = 0;
    if (st.st_uid != 0 && st.st_uid != h.uid)
        rc = ks_errf(err, -EPERM,
                     "%s: belongs to uid %lu: collect runs as '%s' once the capture is "
                     "open and must own the directory to rotate and reopen its files; give "
                     "-o a new directory or --user its owner",
                     h.dir, (unsigned long)st.st_uid, h.user);
    if (rc == 0 && (rc = hand_all(&h, dfd, err)) == 0) {
        h.apply = 1;
        rc = hand_all(&h, dfd, err);
    }
    if (rc == 0 &&
        (fchown(dfd, h.uid, h.gid) != 0 || fchmod(dfd, (st.st_mode & 07777) | S_IRWXU) != 0)) {
        int e = errno;
        rc = ks_errf(err, -e, "%s: cannot hand over to '%s': %s", h.dir, h.user, strerror(e));
    }
    close(dfd);
    return rc;
}

int
col_dsdir_drop(const char *dir, const char *user, int *dir_fd, char *io_dir, size_t cap,
               struct ks_err *err)
{
    *dir_fd = -1;
    if (!user || geteuid() != 0)
        return 0;
    struct passwd *pw = getpwnam(user);
    if (!pw)
        return ks_errf(err, -ENOENT, "user '%s' does not exist (--user)", user);
    struct hand h = {.dir = dir, .user = user, .uid = pw->pw_uid, .gid = pw->pw_gid};
    int rc = ks_mkdir_p(dir, err);
    if (rc == 0 && h.uid != 0)
        rc = hand_over(&h, err);
    if (rc == 0 && (*dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        rc = ks_errf(err, -errno, "%s: %s", dir, strerror(errno));
    if (rc == 0)
        rc = col_pcap_drop_privileges(user, err);
    if (rc < 0 && *dir_fd >= 0) {
        close(*dir_fd);
        *dir_fd = -1;
    }
    if (rc == 0)
        snprintf(io_dir, cap, "/proc/self/fd/%d", *dir_fd);
    return rc;
}
