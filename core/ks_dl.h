/*
 * ks_dl: load an optional shared library at run time, on first use, into a table of
 * typed function pointers.
 *
 * Why: libvirt and libcurl serve one source (--libvirt) and one command (import
 * prometheus), yet linked into ./kasane they pulled 53 more shared libraries into
 * every process, the collector included: 12 MiB more peak resident memory and 10 ms
 * more CPU per start, before any work (docs/collect.md, "Libraries loaded on use").
 *
 * A user declares its table with the library's own prototypes, so every call is still
 * checked by the compiler:
 *
 *   #define LV_FUNCS(X) X(virConnectOpenReadOnly) X(virConnectClose)
 *   static struct lv_api { LV_FUNCS(KS_DL_FIELD) } lv;
 *   #define LV_SYM(f) KS_DL_ENTRY(struct lv_api, f)
 *   static const struct ks_dl_sym lv_syms[] = {LV_FUNCS(LV_SYM)};
 *
 * then calls lv.virConnectClose(c) once ks_dl_load has returned 0.
 *
 * Sonames are not written here by hand: scripts/sonames.sh reads the SONAME of each
 * library this build compiled against (the file -lvirt would link) into the generated
 * ks_sonames.h, as KS_SO_LIBVIRT "libvirt.so.0" and KS_PKG_LIBVIRT "libvirt0", so a
 * new soname (libgsl.so.28) is picked up by rebuilding on a system that has it.
 * (core/, not collect/: simulate/ loads GSL the same way, and no module reaches sideways.)
 */
#ifndef KS_DL_H
#define KS_DL_H

#include <pthread.h>
#include <stddef.h>

#include "core/ks_util.h"

/* One member of an API table: the symbol's name and where its pointer goes. */
struct ks_dl_sym {
    const char *name;
    size_t off; /* offsetof the member in the table */
};
/* A member typed from the library's header: the pointer has f's exact prototype. */
#define KS_DL_FIELD(f) __typeof__(&f) f;
/* The ks_dl_sym of member f of table type. */
#define KS_DL_ENTRY(type, f) {#f, offsetof(type, f)},

/* A library and its table. The first five fields are constant; the rest is private
 * state that ks_dl_load fills once per process (the outcome is kept: a library that
 * was missing stays missing, as it would have for the dynamic linker). */
struct ks_dl_lib {
    const char *soname; /* what dlopen is given: KS_SO_LIBVIRT ("libvirt.so.0") */
    const char *env;    /* environment variable that replaces soname when set: a test
                           hook (point it at a missing file), also a way to pick another
                           build of the same ABI (e.g. libcurl-gnutls.so.4) */
    const char *pkg;    /* Debian package that ships soname, named in the message */
    const struct ks_dl_sym *syms;
    size_t nsyms;
    void *api;                        /* the table written to */
    void (*on_load)(const void *api); /* run once after a successful load, or NULL */
    pthread_mutex_t lock;
    int rc; /* 0 not tried yet, 1 loaded, < 0 the failure */
    char msg[sizeof((struct ks_err *)0)->msg];
};
#define KS_DL_LIB(so, envvar, package, table, symbols, hook)                                       \
    {                                                                                              \
        .soname = (so), .env = (envvar), .pkg = (package), .syms = (symbols),                      \
        .nsyms = sizeof(symbols) / sizeof *(symbols), .api = (table), .on_load = (hook),           \
        .lock = PTHREAD_MUTEX_INITIALIZER,                                                         \
    }

/* Open the library and resolve every symbol of the table, the first time; later calls
 * return the first outcome. Thread-safe. Returns 0, or -ENOTSUP with a message naming
 * the library, the package and dlerror()'s reason. The handle is never closed: the
 * libraries start threads and register handlers that must outlive their last use. */
int ks_dl_load(struct ks_dl_lib *lib, struct ks_err *err);

#endif
