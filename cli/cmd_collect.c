/* kasane collect: placeholder until issue 6 lands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int
cmd_collect(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: kasane %s\n\nNot built yet (issue 6).\n", cmd_usage_of("collect"));
        return KS_EXIT_OK;
    }
    fprintf(stderr, "kasane collect: not built yet (issue 6)\n");
    return KS_EXIT_USAGE;
}
