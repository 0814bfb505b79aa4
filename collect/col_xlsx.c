/*
 * col_xlsx: SpreadsheetML through minizip and expat (see col_xlsx.h for the parts read
 * and what each cell becomes).
 *
 * Every part is parsed by one expat parser fed 64 KiB at a time straight from the zip
 * member, so a sheet of any size streams; element and attribute names are compared by
 * their local part (expat's namespace mode, "uri|local"), so both transitional
 * (schemas.openxmlformats.org) and strict (purl.oclc.org) workbooks read, and so do
 * writers that prefix every element ("x:row").
 */
#include "collect/col_xlsx.h"

#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <unzip.h>

#include "core/ks_dl.h"
#include "ks_sonames.h" /* generated from the build's libraries (scripts/sonames.sh) */

/* expat and minizip are loaded on use (core/ks_dl.h): only RVTools and perfmon .xlsx
 * imports need them, and linked into ./kasane they cost every process, the collector
 * included, their start-up pages (bench collector_rss). */
#define XML_FUNCS(X)                                                                               \
    X(XML_ErrorString)                                                                             \
    X(XML_GetCurrentLineNumber) X(XML_GetErrorCode) X(XML_Parse) X(XML_ParserCreateNS)             \
        X(XML_ParserFree) X(XML_SetCharacterDataHandler) X(XML_SetElementHandler)                  \
            X(XML_SetStartDoctypeDeclHandler) X(XML_SetUserData) X(XML_StopParser)
#define UNZ_FUNCS(X)                                                                               \
    X(unzClose)                                                                                    \
    X(unzCloseCurrentFile) X(unzLocateFile) X(unzOpen64) X(unzOpenCurrentFile)                     \
        X(unzReadCurrentFile)
static struct xml_api {
    XML_FUNCS(KS_DL_FIELD)
} xmlapi; /* filled once per process by ks_dl_load, read-only afterwards */
static struct unz_api {
    UNZ_FUNCS(KS_DL_FIELD)
} unzapi;
#define XML_SYM(f) KS_DL_ENTRY(struct xml_api, f)
#define UNZ_SYM(f) KS_DL_ENTRY(struct unz_api, f)
static const struct ks_dl_sym xml_syms[] = {XML_FUNCS(XML_SYM)};
static const struct ks_dl_sym unz_syms[] = {UNZ_FUNCS(UNZ_SYM)};
static struct ks_dl_lib xml_lib =
    KS_DL_LIB(KS_SO_EXPAT, "KASANE_EXPAT_SO", KS_PKG_EXPAT, &xmlapi, xml_syms, NULL);
static struct ks_dl_lib unz_lib =
    KS_DL_LIB(KS_SO_MINIZIP, "KASANE_MINIZIP_SO", KS_PKG_MINIZIP, &unzapi, unz_syms, NULL);
/* Every call below goes through the tables. */
#define XML_ErrorString xmlapi.XML_ErrorString
#define XML_GetCurrentLineNumber xmlapi.XML_GetCurrentLineNumber
#define XML_GetErrorCode xmlapi.XML_GetErrorCode
#define XML_Parse xmlapi.XML_Parse
#define XML_ParserCreateNS xmlapi.XML_ParserCreateNS
#define XML_ParserFree xmlapi.XML_ParserFree
#define XML_SetCharacterDataHandler xmlapi.XML_SetCharacterDataHandler
#define XML_SetElementHandler xmlapi.XML_SetElementHandler
#define XML_SetStartDoctypeDeclHandler xmlapi.XML_SetStartDoctypeDeclHandler
#define XML_SetUserData xmlapi.XML_SetUserData
#define XML_StopParser xmlapi.XML_StopParser
#define unzClose unzapi.unzClose
#define unzCloseCurrentFile unzapi.unzCloseCurrentFile
#define unzLocateFile unzapi.unzLocateFile
#define unzOpen64 unzapi.unzOpen64
#define unzOpenCurrentFile unzapi.unzOpenCurrentFile
#define unzReadCurrentFile unzapi.unzReadCurrentFile

struct col_xlsx {
    char *path;
    unzFile zf;
    size_t nsheet;
    char **sheet_name; /* as the workbook spells them */
    char **sheet_rid;  /* relationship id (r:id) */
    char **sheet_part; /* member path from the .rels, NULL until found */
    size_t nsst, sst_cap, sst_bytes;
    char **sst; /* shared strings */
};

/* ---- growing text buffer ----------------------------------------------------------- */

struct xbuf {
    char *s;
    size_t n, cap;
};

/* Append len bytes (NUL kept after them); returns -1 past limit bytes. */
static int
xbuf_add(struct xbuf *b, const char *s, size_t len, size_t limit)
{
    if (b->n + len + 1 > limit)
        return -1;
    b->s = ks_xgrow(b->s, &b->cap, b->n + len + 1, 1);
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
    return 0;
}

/* ---- one XML part ------------------------------------------------------------------- */

/* State shared by every part's handlers; each part's own state embeds it first. */
struct xp {
    struct col_xlsx *x;
    const char *part; /* member name, for messages */
    const char *what; /* "path" or "path[sheet]" for messages */
    XML_Parser p;
    struct ks_err *err;
    int rc; /* first error a handler raised */
};

/* A handler's error: message "what: part:line: ...", parsing stops. */
__attribute__((format(printf, 3, 4))) static void
xp_fail(struct xp *xp, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (xp->rc)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    xp->rc = ks_errf(xp->err, code, "%s: %s:%lu: %s", xp->what, xp->part,
                     (unsigned long)XML_GetCurrentLineNumber(xp->p), msg);
    XML_StopParser(xp->p, XML_FALSE);
}

/* "uri|local" -> "local" (names without a namespace are left as they are). */
static const char *
local(const char *name)
{
    const char *s = strrchr(name, '|');
    return s ? s + 1 : name;
}

/* Value of the attribute whose local name is name, or NULL. */
static const char *
attr(const char **a, const char *name)
{
    for (size_t i = 0; a[i]; i += 2)
        if (strcmp(local(a[i]), name) == 0)
            return a[i + 1];
    return NULL;
}

/* A document type declaration could declare entities (the "billion laughs"): no part of
 * a workbook has one, so any is refused before expat reads its body. */
static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
           int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    xp_fail(ud, -EINVAL, "document type declaration refused (a workbook part has none)");
}

/* Stream member through a parser set up with ud's handlers. Returns 0 or the error. */
static int
parse_part(struct xp *xp, XML_StartElementHandler st, XML_EndElementHandler en,
           XML_CharacterDataHandler cd)
{
    struct col_xlsx *x = xp->x;
    if (unzLocateFile(x->zf, xp->part, 2) != UNZ_OK || unzOpenCurrentFile(x->zf) != UNZ_OK)
        return ks_errf(xp->err, -EINVAL, "%s: not an xlsx workbook: no part %s", xp->what,
                       xp->part);
    xp->p = XML_ParserCreateNS(NULL, '|');
    XML_SetUserData(xp->p, xp);
    XML_SetElementHandler(xp->p, st, en);
    XML_SetCharacterDataHandler(xp->p, cd);
    XML_SetStartDoctypeDeclHandler(xp->p, on_doctype);
    char *buf = ks_xmalloc(1 << 16);
    int n;
    do {
        n = unzReadCurrentFile(x->zf, buf, 1 << 16);
        if (n < 0)
            ks_errf(xp->err, xp->rc = -EIO, "%s: %s: cannot decompress (zip error %d)", xp->what,
                    xp->part, n);
        else if (XML_Parse(xp->p, buf, n, n == 0) == XML_STATUS_ERROR && !xp->rc)
            xp_fail(xp, -EINVAL, "XML error: %s", XML_ErrorString(XML_GetErrorCode(xp->p)));
    } while (n > 0 && !xp->rc);
    if (unzCloseCurrentFile(x->zf) == UNZ_CRCERROR && !xp->rc)
        xp->rc =
            ks_errf(xp->err, -EINVAL, "%s: %s: CRC mismatch (damaged archive)", xp->what, xp->part);
    XML_ParserFree(xp->p);
    xp->p = NULL;
    free(buf);
    return xp->rc;
}

/* ---- workbook.xml and its relationships --------------------------------------------- */

static void XMLCALL
wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct xp *xp = ud;
    struct col_xlsx *x = xp->x;
    const char *nm = attr(a, "name"), *rid = attr(a, "id");
    if (strcmp(local(name), "sheet") != 0)
        return;
    if (!nm || !rid) {
        xp_fail(xp, -EINVAL, "<sheet> without a name or r:id");
        return;
    }
    size_t cap = x->nsheet;
    x->sheet_name = ks_xgrow(x->sheet_name, &cap, x->nsheet + 1, sizeof *x->sheet_name);
    cap = x->nsheet;
    x->sheet_rid = ks_xgrow(x->sheet_rid, &cap, x->nsheet + 1, sizeof *x->sheet_rid);
    cap = x->nsheet;
    x->sheet_part = ks_xgrow(x->sheet_part, &cap, x->nsheet + 1, sizeof *x->sheet_part);
    x->sheet_name[x->nsheet] = ks_xstrdup(nm);
    x->sheet_part[x->nsheet] = NULL;
    x->sheet_rid[x->nsheet++] = ks_xstrdup(rid);
}

static void XMLCALL
no_end(void *ud, const XML_Char *name)
{
    (void)ud, (void)name;
}

static void XMLCALL
no_text(void *ud, const XML_Char *s, int len)
{
    (void)ud, (void)s, (void)len;
}

/* Part path of a relationship target: "worksheets/sheet1.xml" is relative to xl/,
 * "/xl/worksheets/sheet1.xml" is from the archive's root. */
static char *
target_path(const char *t)
{
    return t[0] == '/' ? ks_xstrdup(t + 1) : ks_xasprintf("xl/%s", t);
}

/* Each sheet's part path from its relationship id (the first match wins). */
static void XMLCALL
rels_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct xp *xp = ud;
    struct col_xlsx *x = xp->x;
    const char *id = attr(a, "Id"), *t = attr(a, "Target");
    if (strcmp(local(name), "Relationship") != 0 || !id || !t)
        return;
    for (size_t i = 0; i < x->nsheet; i++)
        if (!x->sheet_part[i] && strcmp(x->sheet_rid[i], id) == 0)
            x->sheet_part[i] = target_path(t);
}

/* ---- sharedStrings.xml -------------------------------------------------------------- */

struct sst_state {
    struct xp xp;
    int in_si, in_t, in_rph;
    struct xbuf text;
};

static void XMLCALL
sst_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct sst_state *s = ud;
    const char *n = local(name);
    (void)a;
    if (strcmp(n, "si") == 0) {
        s->in_si = 1;
        s->text.n = 0;
        xbuf_add(&s->text, "", 0, SIZE_MAX);
    } else if (strcmp(n, "rPh") == 0) {
        s->in_rph = 1; /* phonetic guide (furigana): not part of the cell's text */
    } else if (strcmp(n, "t") == 0 && s->in_si && !s->in_rph) {
        s->in_t = 1;
    }
}

static void XMLCALL
sst_end(void *ud, const XML_Char *name)
{
    struct sst_state *s = ud;
    struct col_xlsx *x = s->xp.x;
    const char *n = local(name);
    if (strcmp(n, "t") == 0) {
        s->in_t = 0;
    } else if (strcmp(n, "rPh") == 0) {
        s->in_rph = 0;
    } else if (strcmp(n, "si") == 0 && s->in_si) {
        s->in_si = 0;
        x->sst_bytes += 32; /* pointer and allocation: 10^8 empty <si/> must not fit */
        if (x->sst_bytes > COL_XLSX_MAX_SST) {
            xp_fail(&s->xp, -E2BIG, "shared strings above %u MiB", COL_XLSX_MAX_SST >> 20);
            return;
        }
        x->sst = ks_xgrow(x->sst, &x->sst_cap, x->nsst + 1, sizeof *x->sst);
        x->sst[x->nsst++] = ks_xstrdup(s->text.s ? s->text.s : "");
    }
}

static void XMLCALL
sst_text(void *ud, const XML_Char *t, int len)
{
    struct sst_state *s = ud;
    struct col_xlsx *x = s->xp.x;
    if (!s->in_t)
        return;
    x->sst_bytes += (size_t)len;
    if (x->sst_bytes > COL_XLSX_MAX_SST || xbuf_add(&s->text, t, (size_t)len, SIZE_MAX) < 0)
        xp_fail(&s->xp, -E2BIG, "shared strings above %u MiB", COL_XLSX_MAX_SST >> 20);
}

/* ---- open ------------------------------------------------------------------------------ */

int
col_xlsx_is_zip(const char *path)
{
    unsigned char m[4] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, m, sizeof m) : -1;
    if (fd >= 0)
        close(fd);
    return n == 4 && memcmp(m, "PK\3\4", 4) == 0;
}

/* Where the workbook keeps its shared strings: xl/sharedStrings.xml in every writer
 * seen (Excel, LibreOffice, EPPlus, RVTools); a workbook of numbers only has none. */
static int
read_sst(struct col_xlsx *x, struct ks_err *err)
{
    struct sst_state s = {
        .xp = {.x = x, .part = "xl/sharedStrings.xml", .what = x->path, .err = err}};
    if (unzLocateFile(x->zf, s.xp.part, 2) != UNZ_OK)
        return 0;
    int rc = parse_part(&s.xp, sst_start, sst_end, sst_text);
    free(s.text.s);
    return rc;
}

/* The sheet list (workbook.xml) and where each sheet lives (its .rels). */
static int
read_sheets(struct col_xlsx *x, struct ks_err *err)
{
    struct xp wb = {.x = x, .part = "xl/workbook.xml", .what = x->path, .err = err};
    struct xp rels = {.x = x, .part = "xl/_rels/workbook.xml.rels", .what = x->path, .err = err};
    if (unzLocateFile(x->zf, wb.part, 2) != UNZ_OK)
        return ks_errf(err, -EINVAL, "%s: not an xlsx workbook: a zip archive without %s", x->path,
                       wb.part);
    int rc = parse_part(&wb, wb_start, no_end, no_text);
    if (rc == 0)
        rc = parse_part(&rels, rels_start, no_end, no_text);
    for (size_t i = 0; rc == 0 && i < x->nsheet; i++)
        if (!x->sheet_part[i])
            rc = ks_errf(err, -EINVAL, "%s: sheet '%s': relationship %s not in %s", x->path,
                         x->sheet_name[i], x->sheet_rid[i], rels.part);
    return rc;
}

int
col_xlsx_open(const char *path, struct col_xlsx **out, struct ks_err *err)
{
    *out = NULL;
    if (access(path, R_OK) != 0) {
        int e = errno;
        return ks_errf(err, -e, "%s: %s", path, strerror(e));
    }
    struct ks_err why = {0};
    int rc = ks_dl_load(&xml_lib, &why);
    if (rc == 0)
        rc = ks_dl_load(&unz_lib, &why);
    if (rc < 0)
        return ks_errf(err, rc, "%s: cannot read xlsx workbooks: %s", path, why.msg);
    unzFile zf = unzOpen64(path);
    if (!zf)
        return ks_errf(err, -EINVAL,
                       "%s: not an xlsx workbook: not a zip archive (or cut off: no central "
                       "directory)",
                       path);
    struct col_xlsx *x = ks_xcalloc(1, sizeof *x);
    x->path = ks_xstrdup(path);
    x->zf = zf;
    rc = read_sheets(x, err);
    if (rc == 0)
        rc = read_sst(x, err);
    if (rc < 0) {
        col_xlsx_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

void
col_xlsx_free(struct col_xlsx *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->nsheet; i++) {
        free(x->sheet_name[i]);
        free(x->sheet_rid[i]);
        free(x->sheet_part[i]);
    }
    for (size_t i = 0; i < x->nsst; i++)
        free(x->sst[i]);
    free(x->sheet_name);
    free(x->sheet_rid);
    free(x->sheet_part);
    free(x->sst);
    if (x->zf)
        unzClose(x->zf);
    free(x->path);
    free(x);
}

size_t
col_xlsx_nsheets(const struct col_xlsx *x)
{
    return x->nsheet;
}

const char *
col_xlsx_sheet_name(const struct col_xlsx *x, size_t i)
{
    return x->sheet_name[i];
}

long
col_xlsx_find_sheet(const struct col_xlsx *x, const char *name)
{
    for (size_t i = 0; i < x->nsheet; i++)
        if (strcasecmp(x->sheet_name[i], name) == 0)
            return (long)i;
    return -1;
}

/* ---- sheets ------------------------------------------------------------------------------ */

struct sheet_state {
    struct xp xp;
    col_xlsx_row_fn fn;
    void *ctx;
    unsigned long line; /* current row number */
    long col;           /* current cell's column, -1 outside a cell */
    char type[16];      /* current cell's t attribute */
    int in_v, in_t, in_rph;
    struct xbuf val;  /* current cell's raw text */
    struct xbuf text; /* the row's values, NUL-separated */
    size_t *off;      /* offset of column c's value in text, SIZE_MAX = empty */
    size_t ncols, off_cap;
    char **f; /* handed to fn */
    size_t f_cap;
};

/* "B12" -> 1; -1 for a reference without letters or past XFD. */
static long
ref_col(const char *r)
{
    long c = 0;
    size_t i = 0;
    for (; r[i] >= 'A' && r[i] <= 'Z'; i++)
        if ((c = c * 26 + (r[i] - 'A' + 1)) > COL_XLSX_MAX_COLS)
            return -1;
    return i ? c - 1 : -1;
}

static void
row_begin(struct sheet_state *s, const char **a)
{
    const char *r = attr(a, "r");
    long v;
    s->line = r && ks_parse_long(r, &v) == 0 && v > 0 ? (unsigned long)v : s->line + 1;
    s->text.n = 0;
    s->ncols = 0;
}

static void
cell_begin(struct sheet_state *s, const char **a)
{
    const char *r = attr(a, "r"), *t = attr(a, "t");
    s->col = r ? ref_col(r) : (long)s->ncols;
    if (s->col < 0 || s->col >= COL_XLSX_MAX_COLS) {
        xp_fail(&s->xp, -EINVAL, "row %lu: cell reference '%.20s' is not a column A..XFD", s->line,
                r ? r : "");
        s->col = -1;
        return;
    }
    snprintf(s->type, sizeof s->type, "%s", t ? t : "n");
    s->val.n = 0;
    xbuf_add(&s->val, "", 0, SIZE_MAX);
}

static void XMLCALL
sheet_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct sheet_state *s = ud;
    const char *n = local(name);
    if (strcmp(n, "row") == 0)
        row_begin(s, a);
    else if (strcmp(n, "c") == 0)
        cell_begin(s, a);
    else if (strcmp(n, "v") == 0 && s->col >= 0)
        s->in_v = 1;
    else if (strcmp(n, "rPh") == 0)
        s->in_rph = 1;
    else if (strcmp(n, "t") == 0 && s->col >= 0 && !s->in_rph)
        s->in_t = 1; /* inline string <is><t> */
}

/* The cell's text from its type: shared-string index, boolean, or as written. */
static const char *
cell_text(struct sheet_state *s)
{
    const char *v = s->val.s ? s->val.s : "";
    long ix;
    if (strcmp(s->type, "s") == 0) {
        if (ks_parse_long(v, &ix) < 0 || ix < 0 || (size_t)ix >= s->xp.x->nsst) {
            xp_fail(&s->xp, -EINVAL, "row %lu: shared string '%.20s' is not one of the %zu",
                    s->line, v, s->xp.x->nsst);
            return NULL;
        }
        return s->xp.x->sst[ix];
    }
    if (strcmp(s->type, "b") == 0)
        return strcmp(v, "1") == 0 ? "True" : strcmp(v, "0") == 0 ? "False" : v;
    return v;
}

/* Store the finished cell at its column (empty cells are not stored). */
static void
cell_end(struct sheet_state *s)
{
    const char *t = cell_text(s);
    size_t col = (size_t)s->col;
    s->col = -1;
    if (!t || !t[0])
        return;
    if (col + 1 > s->ncols) {
        s->off = ks_xgrow(s->off, &s->off_cap, col + 1, sizeof *s->off);
        for (size_t c = s->ncols; c <= col; c++)
            s->off[c] = SIZE_MAX;
        s->ncols = col + 1;
    }
    s->off[col] = s->text.n ? s->text.n + 1 : 0;
    if ((s->text.n && xbuf_add(&s->text, "", 1, KS_CSV_MAX_ROW) < 0) ||
        xbuf_add(&s->text, t, strlen(t), KS_CSV_MAX_ROW) < 0)
        xp_fail(&s->xp, -E2BIG, "row %lu: longer than %u bytes", s->line, KS_CSV_MAX_ROW);
}

/* Hand a finished, non-empty row to the caller. */
static void
row_end(struct sheet_state *s)
{
    if (!s->ncols)
        return;
    s->f = ks_xgrow(s->f, &s->f_cap, s->ncols, sizeof *s->f);
    for (size_t c = 0; c < s->ncols; c++)
        s->f[c] = s->off[c] == SIZE_MAX ? (char *)"" : s->text.s + s->off[c];
    struct ks_csv_row row = {.n = s->ncols, .f = s->f, .line = s->line};
    int rc = s->fn(s->ctx, &row, s->xp.err);
    if (rc < 0) {
        s->xp.rc = rc;
        XML_StopParser(s->xp.p, XML_FALSE);
    }
}

static void XMLCALL
sheet_end(void *ud, const XML_Char *name)
{
    struct sheet_state *s = ud;
    const char *n = local(name);
    if (strcmp(n, "v") == 0)
        s->in_v = 0;
    else if (strcmp(n, "t") == 0)
        s->in_t = 0;
    else if (strcmp(n, "rPh") == 0)
        s->in_rph = 0;
    else if (strcmp(n, "c") == 0 && s->col >= 0)
        cell_end(s);
    else if (strcmp(n, "row") == 0)
        row_end(s);
}

static void XMLCALL
sheet_text(void *ud, const XML_Char *t, int len)
{
    struct sheet_state *s = ud;
    if ((s->in_v || s->in_t) && xbuf_add(&s->val, t, (size_t)len, KS_CSV_MAX_ROW) < 0)
        xp_fail(&s->xp, -E2BIG, "row %lu: a cell longer than %u bytes", s->line, KS_CSV_MAX_ROW);
}

int
col_xlsx_each_row(struct col_xlsx *x, size_t i, col_xlsx_row_fn fn, void *ctx, struct ks_err *err)
{
    char *what = ks_xasprintf("%s[%s]", x->path, x->sheet_name[i]);
    struct sheet_state s = {.xp = {.x = x, .part = x->sheet_part[i], .what = what, .err = err},
                            .fn = fn,
                            .ctx = ctx,
                            .col = -1};
    int rc = parse_part(&s.xp, sheet_start, sheet_end, sheet_text);
    free(s.val.s);
    free(s.text.s);
    free(s.off);
    free(s.f);
    free(what);
    return rc;
}
