/* kasane report: placeholder until issue 5 lands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int
cmd_report(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: kasane %s\n\nNot built yet (issue 5).\n", cmd_usage_of("report"));
        return KS_EXIT_OK;
    }
    fprintf(stderr, "kasane report: not built yet (issue 5)\n");
    return KS_EXIT_USAGE;
}
