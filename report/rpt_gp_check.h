/*
 * rpt_gp_check: a checker for chart scripts. It reads a script as gnuplot would (lines,
 * `;`-separated commands, quoted strings, inline data blocks) and accepts only what the
 * chart writers of rpt_chart.c and rpt_risk_chart.c emit: the commands set, unset, plot,
 * replot, reset, undefine, `$name << EOD` data blocks with numeric and double-quoted
 * fields, and comments. Refused anywhere outside a string: `!` (shell), backquotes
 * (command substitution; also inside double-quoted strings, where gnuplot expands them),
 * `@` (macros), a function call other than xtic(), a word such as system, load, call,
 * cd, shell, print or eval, a quoted plot source or output name (`'< cmd'`, `'| cmd'`),
 * line continuations and control bytes. A data line may not begin with the block's
 * terminator (gnuplot ends the block at a line that merely starts with it).
 *
 * rpt_gp_run refuses a script the checker rejects, the unit tests run it over the
 * golden scripts, and tests/fuzz/fuzz_chartnames.c over scripts built from arbitrary
 * names: so a name that got past rpt_gp_str unescaped is caught before gnuplot runs.
 */
#ifndef RPT_GP_CHECK_H
#define RPT_GP_CHECK_H

#include "core/ks_util.h"

/* 0 when script is plotting only; -EPERM with err naming the line and what was found
 * ("line 7: word 'system' outside a string"). */
int rpt_gp_check(const char *script, struct ks_err *err);

#endif
