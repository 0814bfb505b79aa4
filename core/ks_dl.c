#include "core/ks_dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dlsym returns a void * that POSIX guarantees holds a function pointer; ISO C has no
 * conversion between the two, so the bytes are copied (the way POSIX's dlsym page
 * suggests) and the sizes are checked here once. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers fit a void *");

/* The soname, or the test hook's replacement when its variable is set and not empty. */
static const char *
dl_name(const struct ks_dl_lib *lib)
{
    const char *v = lib->env ? getenv(lib->env) : NULL;
    return v && *v ? v : lib->soname;
}

/* The load proper, called once under the lock. Returns 1 or -ENOTSUP, message in msg.
 * RTLD_NOW: a library whose own dependencies are broken fails here, with the linker's
 * reason, not at its first call. RTLD_LOCAL: its symbols stay out of the global scope. */
static int
dl_open(struct ks_dl_lib *lib)
{
    const char *name = dl_name(lib);
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(lib->msg, sizeof lib->msg, "cannot load %s (Debian package %s): %s", name,
                 lib->pkg, why ? why : "unknown reason");
        return -ENOTSUP;
    }
    for (size_t i = 0; i < lib->nsyms; i++) {
        dlerror(); /* clear: NULL alone does not tell a missing symbol */
        void *sym = dlsym(h, lib->syms[i].name);
        const char *why = dlerror();
        if (!sym || why) {
            snprintf(lib->msg, sizeof lib->msg, "%s lacks %s (too old a version?): %s", name,
                     lib->syms[i].name, why ? why : "null symbol");
            dlclose(h);
            return -ENOTSUP;
        }
        memcpy((char *)lib->api + lib->syms[i].off, &sym, sizeof sym);
    }
    if (lib->on_load)
        lib->on_load(lib->api);
    return 1;
}

int
ks_dl_load(struct ks_dl_lib *lib, struct ks_err *err)
{
    pthread_mutex_lock(&lib->lock);
    if (lib->rc == 0)
        lib->rc = dl_open(lib);
    int rc = lib->rc;
    pthread_mutex_unlock(&lib->lock);
    return rc > 0 ? 0 : ks_errf(err, rc, "%s", lib->msg);
}
