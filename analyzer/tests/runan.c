/* Runs the analyzer binary for the tests (see runan.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runan.h"

const char *an_bin;

/* The tests are built as the analyzer is: with ASan, or without. */
#if defined(__SANITIZE_ADDRESS__)
#define AN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AN_ASAN 1
#endif
#endif

static char *slurp(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        fail_msg("fstat: %s", strerror(errno));
    char *buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    size_t got = 0;
    lseek(fd, 0, SEEK_SET);
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    return buf;
}

static int tmpfd(void)
{
    char path[] = "/tmp/an-test-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        fail_msg("mkstemp: %s", strerror(errno));
    unlink(path);
    return fd;
}

static void parse_lines(an_result *r);

void an_run(an_result *r, const char *const *args, const char *stdin_path,
            int json)
{
    memset(r, 0, sizeof *r);
    int out = tmpfd(), err = tmpfd(), peak = tmpfd();
    /* Through peakrun, which measures the analyzer's peak memory. */
    const char *argv[64] = {AN_PEAKRUN, "3", an_bin};
    size_t n = 3;
    for (; args[n - 3] && n < 63; n++)
        argv[n] = args[n - 3];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        if (stdin_path) {
            int in = open(stdin_path, O_RDONLY);
            if (in < 0)
                _exit(126);
            dup2(in, 0);
        }
        dup2(out, 1);
        dup2(err, 2);
        dup2(peak, 3);
#ifdef AN_ASAN
        /* Freed memory ASan holds back (256 MiB by default) is not the
         * analyzer's: a small quarantine keeps the peak its own. */
        char opts[512];
        const char *old = getenv("ASAN_OPTIONS");
        snprintf(opts, sizeof opts, "%s%squarantine_size_mb=16",
                 old ? old : "", old && *old ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
#endif
        execv(AN_PEAKRUN, (char *const *)argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = slurp(out);
    r->err = slurp(err);
    char *kib = slurp(peak);
    r->maxrss_kib = strtol(kib, NULL, 10);
    free(kib);
    close(out);
    close(err);
    close(peak);
    if (json)
        parse_lines(r);
}

void an_check_peak(const an_result *r, const char *what, long cap_kib)
{
#ifdef AN_ASAN
    cap_kib *= 4;
#endif
    printf("peak memory: %s: %ld KiB (cap %ld KiB)\n", what, r->maxrss_kib,
           cap_kib);
    fflush(stdout);
    if (r->maxrss_kib > cap_kib)
        fail_msg("%s: the analyzer's peak memory %ld KiB passed %ld KiB", what,
                 r->maxrss_kib, cap_kib);
}

void an_parse_file(an_result *r, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        fail_msg("%s: %s", path, strerror(errno));
    r->out = slurp(fd);
    close(fd);
    parse_lines(r);
}

static void parse_lines(an_result *r)
{
    size_t cap = 64;
    r->line = malloc(cap * sizeof(cJSON *));
    char *copy = strdup(r->out);
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        cJSON *j = cJSON_Parse(l);
        if (!j)
            fail_msg("output line is not JSON: %s", l);
        if (r->nlines == cap) {
            cap *= 2;
            r->line = realloc(r->line, cap * sizeof(cJSON *));
        }
        r->line[r->nlines++] = j;
    }
    free(copy);
}

void an_result_free(an_result *r)
{
    for (size_t i = 0; i < r->nlines; i++)
        cJSON_Delete(r->line[i]);
    free(r->line);
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

static int is_type(const cJSON *o, const char *type)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
    return cJSON_IsString(t) && !strcmp(t->valuestring, type);
}

size_t an_count(const an_result *r, const char *type)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nlines; i++)
        n += is_type(r->line[i], type);
    return n;
}

const cJSON *an_nth(const an_result *r, const char *type, size_t n)
{
    for (size_t i = 0; i < r->nlines; i++)
        if (is_type(r->line[i], type) && n-- == 0)
            return r->line[i];
    return NULL;
}

static int from(const cJSON *o, const char *src)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "src");
    return is_type(o, "frame") && cJSON_IsString(s) &&
           !strcmp(s->valuestring, src);
}

const cJSON *an_frame_from(const an_result *r, const char *src, size_t n)
{
    for (size_t i = 0; i < r->nlines; i++)
        if (from(r->line[i], src) && n-- == 0)
            return r->line[i];
    return NULL;
}

size_t an_frames_from(const an_result *r, const char *src)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nlines; i++)
        n += from(r->line[i], src);
    return n;
}

int64_t an_int(const cJSON *o, const char *key)
{
    if (!o)
        fail_msg("no such line (wanted member \"%s\")", key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v))
        fail_msg("member \"%s\" missing or not a number", key);
    return (int64_t)v->valuedouble;
}

const char *an_str(const cJSON *o, const char *key)
{
    if (!o)
        fail_msg("no such line (wanted member \"%s\")", key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v))
        fail_msg("member \"%s\" missing or not a string", key);
    return v->valuestring;
}

int an_bool(const cJSON *o, const char *key)
{
    if (!o)
        fail_msg("no such line (wanted member \"%s\")", key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsBool(v))
        fail_msg("member \"%s\" missing or not a boolean", key);
    return cJSON_IsTrue(v);
}

static char dir[64];

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_dir(void)
{
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *an_tmpdir(void)
{
    if (!dir[0]) {
        strcpy(dir, "/tmp/an-caps-XXXXXX");
        if (!mkdtemp(dir))
            fail_msg("mkdtemp: %s", strerror(errno));
        if (!getenv("AN_KEEP")) /* AN_KEEP=1 keeps the captures to look at */
            atexit(rm_dir);
        else
            fprintf(stderr, "keeping captures in %s\n", dir);
    }
    return dir;
}

const char *an_path(const char *name)
{
    static char buf[8][256];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof buf[i], "%s/%s", an_tmpdir(), name);
    return buf[i];
}
