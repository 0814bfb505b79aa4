#include "core/ks_locale.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ks_util.h"

void
ks_locale_init(void)
{
    setlocale(LC_ALL, "C");
}

int
ks_locale_ctype_from_env(void)
{
    /* LC_ALL first: setlocale(LC_CTYPE, "") reads LC_ALL, then LC_CTYPE, then LANG,
     * which is the precedence POSIX gives; the other categories are reset in case a
     * library changed them. */
    setlocale(LC_ALL, "C");
    return setlocale(LC_CTYPE, "") ? 0 : -1;
}

char **
ks_child_env(void)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = ks_xcalloc(n + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LC_ALL=", 7) != 0)
            env[k++] = environ[i]; /* borrowed: environ outlives the child's exec */
    env[k] = "LC_ALL=C.UTF-8"; /* C numbers, UTF-8 text (gnuplot draws ° and µ) */
    return env;
}

void
ks_child_env_free(char **env)
{
    free(env); /* the strings are environ's or literals */
}
