/*
 * kasane-collect: `kasane collect` alone, for the servers being measured.
 *
 * The same code as the collect command (cli/cmd_collect.c), linked into a program of its
 * own with nothing beyond libc (and libm, libpthread): no libcsv, inih, jansson,
 * ncursesw, and libpcap, PAPI and libvirt loaded on use as in kasane (core/ks_dl.h). It
 * can be copied to another server of the same architecture and run there; `readelf -d
 * kasane-collect` lists what it needs (tests/e2e/collect_binary.sh checks it).
 *
 *   kasane-collect [collect options]     the same as kasane collect [collect options]
 *   kasane-collect collect [options]     accepted too, so scripts can swap the two
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/ks_locale.h"

int (*const cmd_compress_file)(const char *, int, struct ks_err *) = NULL;

const struct cmd_entry cmd_table[] = {
    {"collect", cmd_collect, "sample this machine (and its VMs) into a dataset directory",
     "collect [-i SECONDS] [-n COUNT | -d DURATION] [-o DATASET] [--root DIR] ..."},
    {NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
    ks_locale_init();
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("kasane-collect %s\n", KASANE_VERSION);
        return KS_EXIT_OK;
    }
    /* argv[0] becomes the command's name, as kasane's dispatcher passes it. */
    int skip = argc >= 2 && strcmp(argv[1], "collect") == 0;
    argv[skip] = (char *)"collect";
    return cmd_collect(argc - skip, argv + skip);
}
