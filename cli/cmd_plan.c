/* kasane plan: placeholder until issue 3 lands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int
cmd_plan(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: kasane %s\n\nNot built yet (issue 3).\n", cmd_usage_of("plan"));
        return KS_EXIT_OK;
    }
    fprintf(stderr, "kasane plan: not built yet (issue 3)\n");
    return KS_EXIT_USAGE;
}
