/* kasane sim: placeholder until issue 7 lands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int
cmd_sim(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: kasane %s\n\nNot built yet (issue 7).\n", cmd_usage_of("sim"));
        return KS_EXIT_OK;
    }
    fprintf(stderr, "kasane sim: not built yet (issue 7)\n");
    return KS_EXIT_USAGE;
}
