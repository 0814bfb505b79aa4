/* ks_csv_write: CSV fields and rows, atomic files (see ks_csv_write.h). */
#include "core/ks_csv_write.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ks_fault.h"
#include "core/ks_outdir.h"

static int
needs_quotes(const char *s)
{
    if (!*s)
        return 0;
    size_t n = strlen(s);
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
        return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

void
ks_csv_put(FILE *f, const char *field, int first)
{
    if (!first)
        fputc(',', f);
    if (!field)
        return;
    if (!needs_quotes(field)) {
        fputs(field, f);
        return;
    }
    /* RFC 4180: the field in double quotes, each quote in it doubled (what libcsv's
     * csv_fwrite writes; done here so that writing needs no libcsv: kasane-collect). */
    fputc('"', f);
    for (const char *s = field; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void
ks_csv_put_row(FILE *f, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ks_csv_put(f, fields[i], i == 0);
    fputc('\n', f);
}

void
ks_csv_put_num(FILE *f, double v, int first)
{
    char b[KS_NUMBUF];
    ks_csv_put(f, ks_fmt_double(b, v), first);
}

/* [+-]digits[.digits][e[+-]digits]: what ks_fmt_double writes for a finite number. */
static int
plain_number(const char *s)
{
    s += *s == '+' || *s == '-';
    size_t d = strspn(s, "0123456789");
    if (d == 0)
        return 0;
    s += d;
    if (*s == '.' && (d = strspn(s + 1, "0123456789")) > 0)
        s += 1 + d;
    if (*s == 'e' || *s == 'E') {
        s++;
        s += *s == '+' || *s == '-';
        if ((d = strspn(s, "0123456789")) == 0)
            return 0;
        s += d;
    }
    return *s == '\0';
}

#define CELL_RISKY "=+-@\t\r"

const char *
ks_csv_cell_enc(const char *s, char **owned)
{
    *owned = NULL;
    if (!s || !*s || !strchr(CELL_RISKY "'", *s) || plain_number(s) || strcmp(s, "-") == 0)
        return s;
    return *owned = ks_xasprintf("'%s", s);
}

int
ks_csv_cell_dec(char *s)
{
    if (!s || s[0] != '\'' || !s[1] || !strchr(CELL_RISKY "'", s[1]))
        return 0;
    memmove(s, s + 1, strlen(s));
    return 1;
}

int
ks_mkdir_p(const char *dir, struct ks_err *err)
{
    char *p = ks_xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            rc = ks_errf(err, -e, "%s: cannot create directory: %s", p, strerror(e));
            break;
        }
        *s = c;
        if (!c)
            break;
    }
    free(p);
    return rc;
}

/* Atomic files open now, so that out-of-memory can remove their temporary files. */
static pthread_mutex_t afiles_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ks_afile *afiles;

static void
afile_link(struct ks_afile *af)
{
    pthread_mutex_lock(&afiles_lock);
    af->prev = NULL;
    af->next = afiles;
    if (afiles)
        afiles->prev = af;
    afiles = af;
    pthread_mutex_unlock(&afiles_lock);
}

static void
afile_unlink(struct ks_afile *af)
{
    pthread_mutex_lock(&afiles_lock);
    if (af->prev)
        af->prev->next = af->next;
    else if (afiles == af)
        afiles = af->next;
    if (af->next)
        af->next->prev = af->prev;
    af->prev = af->next = NULL;
    pthread_mutex_unlock(&afiles_lock);
}

void
ks_afile_unlink_all(void)
{
    pthread_mutex_lock(&afiles_lock);
    for (struct ks_afile *af = afiles; af; af = af->next)
        if (af->tmp)
            unlink(af->tmp);
    pthread_mutex_unlock(&afiles_lock);
}

/* Under fault injection the stream writes through ks_io_write (stdio's own write(2)
 * cannot be reached), and keeps the first error for commit's message. */
static ssize_t
cookie_write(void *c, const char *buf, size_t n)
{
    struct ks_afile *af = c;
    for (size_t done = 0; done < n;) {
        ssize_t k = ks_io_write(af->fd, buf + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) { /* stdio takes a short count as an error without errno */
            if (!af->io_err)
                af->io_err = k < 0 ? errno : EIO;
            return -1;
        }
        done += (size_t)k;
    }
    return (ssize_t)n;
}

static int
cookie_close(void *c)
{
    return close(((struct ks_afile *)c)->fd);
}

static FILE *
afile_stream(struct ks_afile *af)
{
    if (__builtin_expect(!ks_fault_armed, 1))
        return fdopen(af->fd, "w");
    cookie_io_functions_t io = {.write = cookie_write, .close = cookie_close};
    return fopencookie(af, "w", io);
}

int
ks_afile_open(struct ks_afile *af, const char *path, struct ks_err *err)
{
    af->prev = af->next = NULL;
    af->io_err = 0;
    af->path = ks_xstrdup(path);
    /* A new file, never one that is there: in a directory others can write, a
     * symbolic link planted at the temporary name must not make us truncate what it
     * points to. A name that is taken (a killed run's file, a planted link) is skipped. */
    af->tmp = NULL;
    af->fd = -1;
    for (int i = 0; af->fd < 0 && i < 100; i++) {
        free(af->tmp);
        af->tmp = i ? ks_xasprintf("%s.tmp.%ld.%d", path, (long)getpid(), i)
                    : ks_xasprintf("%s.tmp.%ld", path, (long)getpid());
        af->fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (af->fd < 0 && errno != EEXIST)
            break;
    }
    af->f = af->fd < 0 ? NULL : afile_stream(af);
    if (!af->f) {
        int e = errno;
        ks_errf(err, -e, "%s: cannot create: %s", af->tmp, strerror(e));
        if (af->fd >= 0) {
            close(af->fd);
            unlink(af->tmp);
        }
        free(af->path);
        free(af->tmp);
        af->path = af->tmp = NULL;
        return -e;
    }
    afile_link(af);
    return 0;
}

void
ks_afile_writeback(struct ks_afile *af)
{
    if (af->fd >= 0)
        (void)sync_file_range(af->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

int
ks_afile_commit(struct ks_afile *af, struct ks_err *err)
{
    int e = 0;
    errno = 0;
    if (fflush(af->f) != 0 || ferror(af->f))
        e = af->io_err ? af->io_err : errno ? errno : EIO;
    else if (!ks_outdir_staged(af->path) && ks_io_fsync(af->fd) != 0)
        e = errno; /* in a staging directory, its commit fsyncs every file before the swap */
    if (fclose(af->f) != 0 && !e)
        e = errno;
    af->f = NULL;
    if (!e && rename(af->tmp, af->path) != 0)
        e = errno;
    if (e) {
        unlink(af->tmp);
        ks_errf(err, -e, "%s: cannot write: %s (previous version, if any, kept)", af->path,
                strerror(e));
    }
    afile_unlink(af);
    free(af->path);
    free(af->tmp);
    af->path = af->tmp = NULL;
    return e ? -e : 0;
}

void
ks_afile_abort(struct ks_afile *af)
{
    if (af->f)
        fclose(af->f);
    if (af->tmp)
        unlink(af->tmp);
    afile_unlink(af);
    free(af->path);
    free(af->tmp);
    af->f = NULL;
    af->path = af->tmp = NULL;
}
