/*
 * ks_locale: every number kasane reads or writes uses '.' as its decimal mark,
 * whatever the user's locale (docs/formats.md "Locale").
 *
 * The C library formats and parses numbers after LC_NUMERIC (printf("%.1f") writes
 * "1,5" under de_DE.UTF-8, strtod stops at the '.'), and a child process such as sadf
 * prints "92,54" under a decimal-comma locale. So:
 *
 *   - the process runs in the "C" locale (ks_locale_init, first thing in main);
 *   - only `kasane top` takes one category from the environment, LC_CTYPE, so that
 *     ncursesw draws wide characters (ks_locale_ctype_from_env); LC_NUMERIC, LC_TIME
 *     and the rest stay "C", so what top records is what collect writes;
 *   - every child process runs with LC_ALL=C.UTF-8 in its environment (ks_child_env).
 */
#ifndef KS_LOCALE_H
#define KS_LOCALE_H

/* Put every category in "C" (the state a C program starts in, made explicit so that
 * no library call before it matters). */
void ks_locale_init(void);

/* LC_CTYPE from the environment (LC_ALL, LC_CTYPE, LANG), every other category "C".
 * Returns 0, or -1 when the environment names a locale the system lacks (LC_CTYPE
 * then stays "C"). */
int ks_locale_ctype_from_env(void);

/* A copy of the environment for a child process: every entry but LC_ALL, then
 * "LC_ALL=C.UTF-8" (C's numbers with UTF-8 text, so gnuplot can draw a degree sign; it
 * overrides LANG and every LC_* variable; glibc has it built in). Build it before fork
 * (it allocates); the child only assigns it to environ or passes it to execve. Owned
 * by the caller: free with ks_child_env_free. */
char **ks_child_env(void);
void ks_child_env_free(char **env);

#endif
