#include "core/ks_data.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KASANE_DATADIR
#define KASANE_DATADIR "/usr/local/share/kasane"
#endif

const char *
ks_data_dir(void)
{
    const char *env = getenv("KASANE_DATADIR");
    return env && *env ? env : KASANE_DATADIR;
}

static int
exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The candidate data directories, at most 3, allocated into dirs[]; returns how many. */
static int
data_dirs(char *dirs[3])
{
    int n = 0;
    dirs[n++] = ks_xstrdup(ks_data_dir());
    const char *env = getenv("KASANE_DATADIR");
    if (env && *env)
        return n;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return n;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return n;
    *slash = '\0';
    dirs[n++] = ks_path_join(exe, "datasets");
    slash = strrchr(exe, '/');
    if (slash) {
        *slash = '\0';
        dirs[n++] = ks_path_join(*exe ? exe : "/", "datasets");
    }
    return n;
}

/* DIR/sub/arg or DIR/sub/arg+ext when it exists, allocated; else NULL. */
static char *
try_dir(const char *dir, const char *sub, const char *arg, const char *ext)
{
    char *base = *sub ? ks_path_join(dir, sub) : ks_xstrdup(dir);
    char *p = ks_path_join(base, arg);
    if (!exists(p) && ext && *ext) {
        free(p);
        char *name = ks_xasprintf("%s%s", arg, ext);
        p = ks_path_join(base, name);
        free(name);
    }
    free(base);
    if (exists(p))
        return p;
    free(p);
    return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the names DIR/sub holds (ext dropped), sorted, to err's message; returns 0
 * when there is no such directory (nothing appended). */
static int
list_names(const char *dir, const char *sub, const char *ext, struct ks_err *err)
{
    char *base = *sub ? ks_path_join(dir, sub) : ks_xstrdup(dir);
    DIR *d = opendir(base);
    if (!d) {
        free(base);
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0, el = ext ? strlen(ext) : 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0 ||
            (el && (l <= el || strcmp(e->d_name + l - el, ext) != 0)))
            continue;
        names = ks_xgrow(names, &cap, n + 1, sizeof *names);
        names[n++] = ks_xstrndup(e->d_name, l - el);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    char line[512] = "";
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(line);
        snprintf(line + used, sizeof line - used, "%s%s", i ? ", " : "", names[i]);
        free(names[i]);
    }
    free(names);
    ks_err_addline(err, "%s holds: %s", base, n ? line : "nothing");
    free(base);
    return 1;
}

int
ks_data_find(const char *sub, const char *arg, const char *ext, char **out, struct ks_err *err)
{
    *out = NULL;
    if (exists(arg) || strchr(arg, '/') || !*arg) {
        *out = ks_xstrdup(arg);
        return 0;
    }
    char *dirs[3];
    int n = data_dirs(dirs), i;
    for (i = 0; i < n && !*out; i++)
        *out = try_dir(dirs[i], sub, arg, ext);
    if (!*out) {
        ks_errf(err, -ENOENT, "%s: no such file, nor a shipped %s of that name", arg,
                *sub ? sub : "folder");
        int listed = 0;
        for (i = 0; i < n; i++)
            listed += list_names(dirs[i], sub, ext, err);
        if (!listed)
            ks_err_addline(err, "no data directory %s (make install, or set KASANE_DATADIR)",
                           ks_data_dir());
    }
    for (i = 0; i < n; i++)
        free(dirs[i]);
    return *out ? 0 : -ENOENT;
}
