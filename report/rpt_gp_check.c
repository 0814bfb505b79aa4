/*
 * The chart-script checker (rpt_gp_check.h). It does not parse gnuplot's grammar: it
 * finds every place where gnuplot would run something other than plotting, which needs
 * only its lexical rules (gnuplot 5.4, scanner.c and datablock.c): a line is a list of
 * `;`-separated commands; in '...' nothing is expanded and '' is a quote; in "..." a
 * backslash escapes and backquotes ARE expanded; `!` at the start of a command runs a
 * shell; `@name` expands a macro outside strings; a data block runs from `$name << WORD`
 * to the first line that starts with WORD.
 */
#include "report/rpt_gp_check.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORD 64

/* Commands and set/unset options the chart writers use; anything else is refused, so
 * `set print`, `set table`, `set loadpath`, `set fit logfile` cannot write files. */
static const char *const commands[] = {"set", "unset", "plot", "replot", "reset", "undefine",
                                       NULL};
static const char *const options[] = {
    "arrow", "border", "boxwidth", "cblabel", "cbrange", "encoding", "format", "grid", "key",
    "label", "logscale", "object", "offsets", "output", "palette", "style", "terminal", "tics",
    "timefmt", "title", "xdata", "xlabel", "xrange", "xtics", "ylabel", "yrange", "ytics", NULL};
/* Words that run, read or write something when they appear in a command or expression. */
static const char *const denied[] = {"system", "load", "call", "cd", "shell", "pipe", "print",
                                     "eval", "evaluate", "exit", "quit", "save", "pause",
                                     "bind", "history", "import", "pwd", "test", "fit",
                                     "update", "do", "while", "if", "for", "raise", "lower",
                                     "toggle", "value", NULL};
/* Words that may be followed by `(`: xtic() is a function, the others keywords. */
static const char *const callable[] = {"xtic", "using", "defined", NULL};

static int
in_list(const char *const *l, const char *w)
{
    for (; *l; l++)
        if (strcmp(*l, w) == 0)
            return 1;
    return 0;
}

/* One command being checked: its text [p, end), the line for messages. */
struct cmd {
    const char *p, *end;
    unsigned long line;
    struct ks_err *err;
};

static int
refuse(const struct cmd *c, const char *what, const char *tok)
{
    return ks_errf(c->err, -EPERM, "line %lu: %s%s%s%s", c->line, what, tok ? " '" : "",
                   tok ? tok : "", tok ? "'" : "");
}

/* End of the quoted string starting at s (its closing quote), or NULL when it is not
 * closed on this command's text or holds a backquote in double quotes. As gnuplot 5.4's
 * scanner: in '...' a character followed by '' takes them as one quote (so a string
 * cannot start with ''), in "..." a backslash escapes the next character. */
static const char *
string_end(const char *s, const char *end)
{
    char q = *s;
    for (s++; s < end; s++) {
        if (*s == q)
            return s;
        if (q == '\'' && end - s > 2 && s[1] == '\'' && s[2] == '\'')
            s += 2;
        else if (q == '"' && *s == '`')
            return NULL;
        else if (q == '"' && *s == '\\' && s + 1 < end)
            s++;
    }
    return NULL;
}

/* The next word at s (identifier), copied to w; returns its end. */
static const char *
word_at(const char *s, const char *end, char w[MAX_WORD])
{
    size_t n = 0;
    while (s < end && (isalnum((unsigned char)*s) || *s == '_')) {
        if (n + 1 < MAX_WORD)
            w[n++] = *s;
        s++;
    }
    w[n] = '\0';
    return s;
}

static const char *
skip_blank(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

/* `set output` and plot sources: an output name must be a plain file under charts/
 * (not `| cmd`, not outside the report); a plot source must not be a quoted file name
 * at all (the scripts plot $data or a constant). */
static int
check_output(const struct cmd *c, const char *s)
{
    s = skip_blank(s, c->end);
    const char *e = *s == '\'' ? string_end(s, c->end) : NULL;
    if (!e)
        return refuse(c, "set output without a single-quoted file name", NULL);
    if (e - s < 8 || strncmp(s + 1, "charts/", 7) != 0 || memmem(s, (size_t)(e - s), "..", 2) ||
        memchr(s + 1, '\'', (size_t)(e - s - 1)))
        return refuse(c, "output file outside charts/", NULL);
    if (skip_blank(e + 1, c->end) != c->end)
        return refuse(c, "text after the output file name", NULL);
    return 0;
}

/* Is the token after `plot` or a top-level `,` of a plot a quoted string? */
static int
check_sources(const struct cmd *c, const char *s)
{
    int depth = 0, want_source = 1;
    while ((s = skip_blank(s, c->end)) < c->end) {
        if (want_source && (*s == '\'' || *s == '"'))
            return refuse(c, "quoted plot source (a file or '< command')", NULL);
        want_source = 0;
        if (*s == '\'' || *s == '"') {
            s = string_end(s, c->end) + 1; /* closed: checked by check_tokens */
            continue;
        }
        depth += (*s == '(' || *s == '[') - (*s == ')' || *s == ']');
        want_source = depth == 0 && *s == ',';
        s++;
    }
    return 0;
}

/* Every token outside strings: no `!`, backquote, `@`, denied word or call. */
static int
check_tokens(const struct cmd *c)
{
    char w[MAX_WORD];
    for (const char *s = c->p; s < c->end;) {
        if (*s == '\'' || *s == '"') {
            const char *e = string_end(s, c->end);
            if (!e)
                return refuse(c, *s == '"' ? "unclosed double-quoted string or a backquote "
                                             "in one"
                                           : "unclosed single-quoted string",
                              NULL);
            s = e + 1;
        } else if (*s == '!' || *s == '`' || *s == '@' || *s == '\\') {
            return refuse(c, "character outside a string:", (char[]){*s, 0});
        } else if (*s == '$' &&
                   !(s + 1 < c->end && (isalnum((unsigned char)s[1]) || s[1] == '_'))) {
            return refuse(c, "'$' not naming a column or data block", NULL);
        } else if (isalpha((unsigned char)*s) || *s == '_') {
            const char *e = word_at(s, c->end, w);
            if (in_list(denied, w))
                return refuse(c, "word outside a string:", w);
            const char *n = skip_blank(e, c->end);
            if (n < c->end && *n == '(' && !in_list(callable, w))
                return refuse(c, "function call", w);
            s = e;
        } else {
            s++;
        }
    }
    return 0;
}

/* One command: an allowed verb (and option), then its tokens. */
static int
check_command(const struct cmd *c)
{
    char verb[MAX_WORD], opt[MAX_WORD];
    const char *s = skip_blank(c->p, c->end);
    if (s == c->end)
        return 0;
    const char *e = word_at(s, c->end, verb);
    if (!in_list(commands, verb))
        return refuse(c, "command not used by charts:", e > s ? verb : (char[]){*s, 0});
    int rc = check_tokens(c);
    if (rc < 0)
        return rc;
    if (strcmp(verb, "set") == 0 || strcmp(verb, "unset") == 0) {
        const char *o = skip_blank(e, c->end);
        const char *oe = word_at(o, c->end, opt);
        if (!in_list(options, opt))
            return refuse(c, "option not used by charts:", opt);
        if (strcmp(opt, "output") == 0 && verb[0] == 's')
            return check_output(c, oe);
        if (strcmp(opt, "terminal") == 0 && verb[0] == 's') {
            word_at(skip_blank(oe, c->end), c->end, opt);
            if (strcmp(opt, "svg") != 0 && strcmp(opt, "pngcairo") != 0)
                return refuse(c, "terminal", opt);
        }
    }
    if (strcmp(verb, "plot") == 0)
        return check_sources(c, e);
    return 0;
}

/* A command line: split at `;` outside strings (gnuplot runs each part). */
static int
check_line(const char *p, const char *end, unsigned long line, struct ks_err *err)
{
    struct cmd c = {.p = p, .end = end, .line = line, .err = err};
    const char *s = p;
    while (s < end) {
        if (*s == '\'' || *s == '"') {
            const char *e = string_end(s, end);
            s = e ? e + 1 : end; /* unclosed: check_tokens says so */
        } else if (*s == ';') {
            c.end = s;
            int rc = check_command(&c);
            if (rc < 0)
                return rc;
            c.p = ++s;
            c.end = end;
        } else {
            s++;
        }
    }
    return check_command(&c);
}

/* `$name << WORD` opens a data block: WORD is copied to term. */
static int
block_start(const char *p, const char *end, char term[MAX_WORD])
{
    char w[MAX_WORD];
    if (*p != '$')
        return 0;
    const char *s = word_at(p + 1, end, w);
    if (!w[0] || (s = skip_blank(s, end)) + 2 > end || strncmp(s, "<<", 2) != 0)
        return 0;
    s = word_at(skip_blank(s + 2, end), end, term);
    return term[0] && skip_blank(s, end) == end;
}

/* A data line: numbers, NaN and double-quoted fields without quotes or backslashes in
 * them (what the writers emit), and never starting with the terminator. */
static int
check_data(const char *p, const char *end, const char *term, unsigned long line,
           struct ks_err *err)
{
    if ((size_t)(end - p) >= strlen(term) && strncmp(p, term, strlen(term)) == 0)
        return ks_errf(err, -EPERM, "line %lu: data line starts with the block end '%s'",
                       line, term);
    for (const char *s = p; s < end;) {
        if (*s == '"') {
            const char *e = memchr(s + 1, '"', (size_t)(end - s - 1));
            if (!e || memchr(s + 1, '\\', (size_t)(e - s - 1)))
                return ks_errf(err, -EPERM, "line %lu: bad quoted data field", line);
            s = e + 1;
        } else if (*s == ' ' || isdigit((unsigned char)*s) || strchr("+-.eE", *s)) {
            s++;
        } else if (end - s >= 3 && strncmp(s, "NaN", 3) == 0) {
            s += 3;
        } else {
            return ks_errf(err, -EPERM, "line %lu: unexpected data '%c'", line, *s);
        }
    }
    return 0;
}

/* Bytes gnuplot could read as a line end or a control: only LF ends lines here. */
static int
check_bytes(const char *script, struct ks_err *err)
{
    unsigned long line = 1;
    for (const unsigned char *u = (const unsigned char *)script; *u; u++) {
        if (*u == '\n')
            line++;
        else if (*u < 0x20 || *u == 0x7f)
            return ks_errf(err, -EPERM, "line %lu: control byte 0x%02x", line, *u);
    }
    return 0;
}

int
rpt_gp_check(const char *script, struct ks_err *err)
{
    int rc = check_bytes(script, err);
    char term[MAX_WORD] = "";
    unsigned long line = 0;
    for (const char *p = script; rc == 0 && *p;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        line++;
        if (end > p && end[-1] == '\\') /* gnuplot joins the next line, even to a comment */
            rc = ks_errf(err, -EPERM, "line %lu: line continuation", line);
        else if (term[0] && (size_t)(end - p) == strlen(term) &&
                 strncmp(p, term, (size_t)(end - p)) == 0)
            term[0] = '\0';
        else if (term[0])
            rc = check_data(p, end, term, line, err);
        else if (*skip_blank(p, end) == '#')
            ; /* a comment to the end of the line */
        else if (!block_start(p, end, term))
            rc = check_line(p, end, line, err);
        p = nl ? nl + 1 : end;
    }
    if (rc == 0 && term[0])
        rc = ks_errf(err, -EPERM, "line %lu: data block not closed by '%s'", line, term);
    return rc;
}
