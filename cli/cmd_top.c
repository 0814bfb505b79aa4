/* kasane top: placeholder until issue 8 lands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int
cmd_top(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: kasane %s\n\nNot built yet (issue 8).\n", cmd_usage_of("top"));
        return KS_EXIT_OK;
    }
    fprintf(stderr, "kasane top: not built yet (issue 8)\n");
    return KS_EXIT_USAGE;
}
