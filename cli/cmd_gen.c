/* kasane gen: placeholder until issue 4 lands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int
cmd_gen(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: kasane %s\n\nNot built yet (issue 4).\n", cmd_usage_of("gen"));
        return KS_EXIT_OK;
    }
    fprintf(stderr, "kasane gen: not built yet (issue 4)\n");
    return KS_EXIT_USAGE;
}
