/*
 * HTML building blocks (rpt_html.h). The page is written straight to its file, never
 * held in memory: a 1,000-server report is a few MB of tables and inline SVG.
 * Everything that comes from input files is escaped; template text is ours.
 */
#include "report/rpt_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_util.h"

/* One stylesheet for screen and print. Print: A4 portrait, each major section starts a
 * page, figures and table rows never split, table headers repeat on every page. */
static const char css[] =
    ":root{--ink:#1d2330;--muted:#5b6475;--line:#d8dde6;--accent:#4e79a7;--bg:#f6f7f9}\n"
    "*{box-sizing:border-box}\n"
    "body{font-family:'DejaVu Sans','Helvetica Neue',Arial,sans-serif;color:var(--ink);"
    "margin:0;background:#fff;font-size:14px;line-height:1.45}\n"
    "header.top{background:#1d2330;color:#fff;padding:24px 40px}\n"
    "header.top h1{margin:0 0 4px;font-size:26px;font-weight:600}\n"
    "header.top p{margin:0;color:#c9d1de}\n"
    "nav.toc{padding:10px 40px;border-bottom:1px solid var(--line);background:var(--bg)}\n"
    "nav.toc ol{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px}\n"
    "nav.toc a{color:var(--accent);text-decoration:none}\n"
    "main{padding:0 40px 40px;max-width:1200px}\n"
    "section{padding-top:18px;border-bottom:1px solid var(--line);padding-bottom:18px}\n"
    "h2{font-size:20px;margin:10px 0 12px;color:#1d2330}\n"
    "h3{font-size:15px;margin:18px 0 8px;color:#333}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px}\n"
    ".card{border:1px solid var(--line);border-radius:6px;padding:12px 14px;background:var(--bg)}\n"
    ".card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
    ".card .value{font-size:24px;font-weight:600;margin-top:2px}\n"
    ".card .detail{color:var(--muted);font-size:12px}\n"
    "table{border-collapse:collapse;margin:8px 0 4px;font-size:12.5px}\n"
    "th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}\n"
    "th{background:var(--bg);font-weight:600}\n"
    ".tw{overflow-x:auto;max-width:100%}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tr.chosen td{background:#eaf1f8;font-weight:600}\n"
    ".stars{color:#f28e2b;letter-spacing:1px;white-space:nowrap}\n"
    "figure{margin:12px 0}\n"
    "figure svg{width:100%;height:auto;display:block}\n"
    "figcaption{color:var(--muted);font-size:12px;margin-top:4px}\n"
    ".grid2{display:grid;grid-template-columns:3fr 2fr;gap:18px;align-items:start}\n"
    ".hosts{display:grid;grid-template-columns:1fr 1fr;gap:10px}\n"
    ".note{border-left:4px solid #edc948;background:#fffaf0;padding:8px 12px;margin:10px 0}\n"
    ".nochart{border:2px dashed #c9ced8;background:var(--bg);padding:28px;text-align:center;"
    "color:var(--muted);margin:12px 0}\n"
    ".more{color:var(--muted);font-size:12px}\n"
    "details{margin:10px 0}summary{cursor:pointer;padding:4px 0}\n"
    "dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:6px 0}\n"
    "dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}\n"
    "code{background:var(--bg);padding:1px 4px;border-radius:3px}\n"
    "footer{padding:16px 40px;color:var(--muted);font-size:12px}\n"
    "@media (max-width:900px){.grid2,.hosts{grid-template-columns:1fr}}\n"
    "@media print{\n"
    "  @page{size:A4 portrait;margin:14mm 12mm}\n"
    "  body{font-size:10.5pt}\n"
    "  header.top{background:none;color:#000;padding:0 0 8px;border-bottom:2px solid #000}\n"
    "  header.top p{color:#333}\n"
    "  nav.toc{display:none}\n"
    "  main{padding:0;max-width:none}\n"
    "  section{break-before:page;border:none}\n"
    "  section:first-of-type{break-before:auto}\n"
    "  figure,.card,.nochart,.note,tr{break-inside:avoid}\n"
    "  h2,h3{break-after:avoid}\n"
    "  thead{display:table-header-group}\n"
    "  table{font-size:7.5pt}th,td{padding:2px 4px}\n"
    "  .tw{overflow:visible}\n"
    "  .hosts{grid-template-columns:1fr 1fr}\n"
    "  .card{background:none}\n"
    "  a{color:inherit;text-decoration:none}\n"
    "}\n";

/* The page head: title from summary.csv's dataset name, the stylesheet, and a table
 * of contents built from rpt_sections[] so it never disagrees with the page. */
void
rpt_html_begin(FILE *f, const struct rpt_ctx *c)
{
    const char *ds = rpt_sum_str(c, "dataset");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"kasane " KASANE_VERSION "\">\n<title>",
          f);
    fputs("Consolidation report: ", f);
    rpt_html_esc(f, ds ? ds : c->o->dataset_dir);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
    fputs("<header class=\"top\">\n<h1>Server consolidation report</h1>\n<p>Dataset ", f);
    rpt_html_esc(f, ds ? ds : c->o->dataset_dir);
    fputs(" &middot; plan ", f);
    rpt_html_esc(f, c->o->plan_dir);
    fputs(" &middot; kasane " KASANE_VERSION "</p>\n</header>\n<nav class=\"toc\">\n<ol>\n", f);
    for (const struct rpt_section *s = rpt_sections; s->id; s++)
        fprintf(f, "<li><a href=\"#%s\">%d. %s</a></li>\n", s->id, (int)(s - rpt_sections) + 1,
                s->title);
    fputs("</ol>\n</nav>\n<main>\n", f);
}

void
rpt_html_end(FILE *f, const struct rpt_ctx *c)
{
    (void)c;
    fputs("</main>\n<footer>Every number on this page traces back to the dataset and the plan "
          "directory; each table is also a CSV file under <code>tables/</code>, each chart an "
          "SVG and PNG under <code>charts/</code> with its gnuplot script.</footer>\n"
          "</body>\n</html>\n",
          f);
}

/* A cell that parses as a number is right-aligned and formatted for reading. */
static int
is_num(const char *s, double *v)
{
    return s && ks_parse_double(s, v) == 0;
}

/* The row of the chosen host model (column chosen = 1) is highlighted. */
/* Escaped text with a line-break opportunity (<wbr>) after each brk that is not last. */
static void
esc_wbr(FILE *f, const char *s, char brk)
{
    if (!s || !strchr(s, brk)) {
        rpt_html_esc(f, s);
        return;
    }
    for (const char *p = s; *p; p++) {
        rpt_html_esc(f, (char[]){*p, 0});
        if (*p == brk && p[1])
            fputs("<wbr>", f);
    }
}

/* verbatim: numbers as written (inputs such as a price of 0.1032 per kWh), not rounded
 * for reading as measured figures are. */
static void
html_table(FILE *f, const struct ks_table *t, const char *name, size_t maxrows, int verbatim)
{
    size_t n = maxrows && t->nrows > maxrows ? maxrows : t->nrows;
    int chosen = ks_table_col(t, "chosen");
    fputs("<div class=\"tw\"><table>\n<thead><tr>", f);
    for (size_t j = 0; j < t->ncols; j++) {
        /* Column names are long snake_case: allow a line break after each underscore. */
        fputs("<th>", f);
        esc_wbr(f, t->cols[j], '_');
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t r = 0; r < n; r++) {
        const char *ch = ks_table_get(t, r, chosen);
        fputs(ch && strcmp(ch, "1") == 0 ? "<tr class=\"chosen\">" : "<tr>", f);
        for (size_t j = 0; j < t->ncols; j++) {
            const char *s = ks_table_get(t, r, (int)j);
            char nb[RPT_NUMBUF];
            double v;
            if (is_num(s, &v)) {
                fprintf(f, "<td class=\"n\">%s</td>", verbatim ? s : rpt_fmt_auto(nb, v));
            } else {
                /* Lists (members a;b;c, top VMs) may break after each ';', or one
                 * long list squeezes every other column of its table. */
                fputs("<td>", f);
                esc_wbr(f, s, ';');
                fputs("</td>", f);
            }
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table></div>\n", f);
    if (n < t->nrows)
        fprintf(f, "<p class=\"more\">%zu of %zu rows shown; all of them are in "
                   "<a href=\"tables/%s.csv\"><code>tables/%s.csv</code></a>.</p>\n", n,
                t->nrows, name, name);
}

void
rpt_html_table(FILE *f, const struct ks_table *t, const char *name, size_t maxrows)
{
    html_table(f, t, name, maxrows, 0);
}

void
rpt_html_table_verbatim(FILE *f, const struct ks_table *t, const char *name)
{
    html_table(f, t, name, 0, 1);
}

/* Copy the SVG from its <svg tag on, with every id and reference prefixed by the chart
 * name: gnuplot names its markers gpPt0... in every file, and ids must be unique in one
 * HTML page. */
static void
inline_svg(FILE *f, const char *svg, const char *name, const char *caption)
{
    const char *p = strstr(svg, "<svg");
    static const char *const pats[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#"};
    if (!p)
        return;
    /* Never scale a chart above its drawn size: fonts would grow past the page's. */
    const char *w = strstr(p, "width=\""), *close = strchr(p, '>');
    fputs("<svg role=\"img\" aria-label=\"", f);
    rpt_html_esc(f, caption);
    fputs("\"", f);
    if (w && close && w < close)
        fprintf(f, " style=\"max-width:%dpx\"", atoi(w + 7));
    /* Copy byte by byte, prefixing at each id or reference: cheap next to gnuplot. */
    for (p += 4; *p;) {
        size_t k, n = sizeof pats / sizeof *pats;
        if (*p != 'i' && *p != 'h' && *p != 'u') /* no pattern starts here: most bytes */
            k = n;
        else
            for (k = 0; k < n && strncmp(p, pats[k], strlen(pats[k])) != 0; k++)
                ;
        if (k < n) {
            fprintf(f, "%s%s-", pats[k], name);
            p += strlen(pats[k]);
        } else {
            fputc(*p++, f);
        }
    }
}

/* Whole file as a NUL-terminated string (caller frees), NULL when unreadable. */
static char *
slurp(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    size_t cap = 1 << 16, len = 0, got;
    char *s = ks_xmalloc(cap);
    while ((got = fread(s + len, 1, cap - len - 1, in)) > 0) {
        len += got;
        if (len + 1 == cap)
            s = ks_xrealloc(s, cap *= 2);
    }
    fclose(in);
    s[len] = '\0';
    return s;
}

/* A chart is inlined only when gnuplot wrote both files this run (draw_charts deletes
 * stale ones first), so the page never shows a picture of an older plan. */
void
rpt_html_chart(FILE *f, const struct rpt_ctx *c, const char *name, const char *caption)
{
    char *path = ks_xasprintf("%s/charts/%s.svg", c->o->out_dir, name);
    char *svg = rpt_ctx_drawn(c, name) ? slurp(path) : NULL;
    free(path);
    if (svg) {
        fprintf(f, "<figure class=\"chart\" id=\"chart-%s\">\n", name);
        inline_svg(f, svg, name, caption);
        fputs("<figcaption>", f);
        rpt_html_esc(f, caption);
        fprintf(f, " (charts/%s.svg, .png)</figcaption>\n</figure>\n", name);
        free(svg);
        return;
    }
    fprintf(f, "<div class=\"nochart\" id=\"chart-%s\"><strong>Chart not drawn: ", name);
    rpt_html_esc(f, caption);
    fputs("</strong><br>", f);
    if (!c->gnuplot)
        fprintf(f, "gnuplot is not installed. Install it with <code>apt-get install "
                   "gnuplot-nox</code> and run <code>kasane report</code> again; the script "
                   "is in <code>charts/%s.gp</code>.", name);
    else
        fprintf(f, "gnuplot failed on this chart: see <code>charts/gnuplot.log</code> and "
                   "<code>charts/%s.gp</code>.", name);
    fputs("</div>\n", f);
}

/* data-value is the raw summary.csv text, so a checker compares strings with the plan
 * and the displayed text with the rounding it was given. */
void
rpt_html_sum(FILE *f, const struct rpt_ctx *c, const char *key, int decimals)
{
    const char *raw = rpt_sum_str(c, key);
    char nb[RPT_NUMBUF];
    double v = rpt_sum_num(c, key);
    fprintf(f, "<span class=\"num\" data-key=\"%s\" data-value=\"", key);
    rpt_html_esc(f, raw ? raw : "");
    fprintf(f, "\">%s</span>", rpt_fmt_group(nb, v, decimals));
}

void
rpt_html_sum_abs(FILE *f, const struct rpt_ctx *c, const char *key, int decimals)
{
    const char *raw = rpt_sum_str(c, key);
    char nb[RPT_NUMBUF];
    fprintf(f, "<span class=\"num abs\" data-key=\"%s\" data-value=\"", key);
    rpt_html_esc(f, raw ? raw : "");
    fprintf(f, "\">%s</span>", rpt_fmt_group(nb, fabs(rpt_sum_num(c, key)), decimals));
}

void
rpt_html_fill_with(FILE *f, const char *tmpl,
                   void (*put)(FILE *f, const void *arg, const char *key, int decimals),
                   const void *arg)
{
    for (const char *p = tmpl; *p;) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end) {
            fputc(*p++, f);
            continue;
        }
        /* {key} or {key:decimals}; an unclosed brace is literal text. */
        char key[64];
        size_t n = (size_t)(end - p - 1) < sizeof key - 1 ? (size_t)(end - p - 1) : sizeof key - 1;
        memcpy(key, p + 1, n);
        key[n] = '\0';
        char *colon = strchr(key, ':');
        if (colon)
            *colon = '\0';
        put(f, arg, key, colon ? atoi(colon + 1) : -1);
        p = end + 1;
    }
}

static void
put_sum(FILE *f, const void *arg, const char *key, int decimals)
{
    const struct rpt_ctx *c = arg;
    if (decimals >= 0) {
        rpt_html_sum(f, c, key, decimals);
    } else {
        const char *v = rpt_sum_str(c, key);
        rpt_html_esc(f, v ? v : "n/a");
    }
}

void
rpt_html_fill(FILE *f, const struct rpt_ctx *c, const char *tmpl)
{
    rpt_html_fill_with(f, tmpl, put_sum, c);
}

void
rpt_html_note(FILE *f, const char *text)
{
    fputs("<p class=\"note\">", f);
    rpt_html_esc(f, text);
    fputs("</p>\n", f);
}
