/*
 * Test driver for tamtam-run: runs a command, then checks its exit status,
 * its output and the verdicts of its --json report.
 *
 *   check_run [checks...] -- CMD ARGS...
 *
 *   --exit N            the command must exit with N
 *   --json FILE         the report to read (removed before the run)
 *   --fail GLOB         some case matching GLOB must be FAIL
 *   --verdict ID=V      case ID must have verdict V
 *   --detail ID=TEXT    the detail of case ID must contain TEXT
 *   --count N           the report must hold N cases (the cells of an
 *                       interop report's "matrix" count as its cases)
 *   --junit FILE        the JUnit report must hold one testcase per case of
 *                       the JSON report and one failure per FAIL
 *   --rm FILE           remove FILE before the run
 *   --output TEXT       stdout+stderr must contain TEXT
 *   --no-output TEXT    stdout+stderr must not contain TEXT
 *   --small FILE=OUTCOME:N  FILE, a vector file (fuzz findings), must
 *                       have a right "count", a vector expecting OUTCOME
 *                       ("valid" or an error name), and every such vector
 *                       must hold at most N bytes
 *   --server CMD        start CMD (/bin/sh -c) first, read its first line
 *                       "listening URL", replace @URL@ in ARGS with URL,
 *                       stop it afterwards
 *   --max-rss-kib N     the command's peak resident memory (ru_maxrss of
 *                       wait4: the largest of the command and the children
 *                       it waited for) must stay at most N KiB, times
 *                       MEMORY_SCALE in a sanitizer build; always printed
 *   --deadline-s N      the command must exit within N seconds (else it is
 *                       killed): a bound derived from its own timeouts, far
 *                       above its normal time, that catches a hang
 */
#include <fnmatch.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define OUT_CAP (8u << 20)
#define MAX_CHECKS 128

/* The command is built with the same flags as this program. ASan's
 * shadow memory, redzones and quarantine take about 2-3 times the
 * allocations (its documentation's figure). */
#ifdef __has_feature
#define HAS_FEATURE(x) __has_feature(x)
#else
#define HAS_FEATURE(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || HAS_FEATURE(address_sanitizer)
#define MEMORY_SCALE 3
/* ASan also keeps freed memory resident in its quarantine, 256 MiB by
 * default: memory the command no longer holds. A measured command gets a
 * 16 MiB one, which still catches a use after free of recent memory. */
#define QUARANTINE ":quarantine_size_mb=16"
#else
#define MEMORY_SCALE 1
#define QUARANTINE ""
#endif

typedef struct check {
    const char *kind;
    const char *arg;
} check;

static int failures;

static void bad(const char *fmt, const char *a, const char *b)
{
    printf("check_run: FAILED: ");
    printf(fmt, a, b);
    printf("\n");
    failures++;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

static const cJSON *find_case(const cJSON *cases, const char *id)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");
        if (cJSON_IsString(cid) && !strcmp(cid->valuestring, id))
            return c;
    }
    return NULL;
}

static const char *field(const cJSON *c, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void check_json(const char *path, const check *cs, size_t n)
{
    char *text = slurp(path);
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!doc) {
        bad("no readable JSON report at %s%s", path, "");
        return;
    }
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(doc, "cases");
    if (!cases)
        cases = cJSON_GetObjectItemCaseSensitive(doc, "matrix");
    int nfail = 0;
    const cJSON *c0;
    cJSON_ArrayForEach(c0, cases) nfail += !strcmp(field(c0, "verdict"), "FAIL");
    for (size_t i = 0; i < n; i++) {
        char num[2][32];
        if (!strcmp(cs[i].kind, "count") &&
            atoi(cs[i].arg) != cJSON_GetArraySize(cases)) {
            snprintf(num[0], sizeof num[0], "%d", cJSON_GetArraySize(cases));
            bad("the report holds %s cases, expected %s", num[0], cs[i].arg);
        }
        if (!strcmp(cs[i].kind, "junit")) {
            char *x = slurp(cs[i].arg);
            int tc = 0, fl = 0;
            for (const char *q = x; q && (q = strstr(q, "<testcase ")); q++)
                tc++;
            for (const char *q = x; q && (q = strstr(q, "<failure ")); q++)
                fl++;
            if (!x || !strstr(x, "<testsuites") || !strstr(x, "</testsuites>") ||
                tc != cJSON_GetArraySize(cases) || fl != nfail) {
                snprintf(num[0], sizeof num[0], "%d/%d", tc, fl);
                bad("JUnit report %s: testcases/failures %s differ from the "
                    "JSON report",
                    cs[i].arg, num[0]);
            }
            free(x);
        }
        char key[512];
        snprintf(key, sizeof key, "%s", cs[i].arg);
        char *eq = strchr(key, '=');
        if (!strcmp(cs[i].kind, "fail")) {
            bool found = false;
            const cJSON *c;
            cJSON_ArrayForEach(c, cases) if (!fnmatch(cs[i].arg, field(c, "id"),
                                                      0) &&
                                             !strcmp(field(c, "verdict"),
                                                     "FAIL")) found = true;
            if (!found)
                bad("no case matching %s failed%s", cs[i].arg, "");
            continue;
        }
        if (strcmp(cs[i].kind, "verdict") && strcmp(cs[i].kind, "detail"))
            continue;
        if (!eq) {
            bad("bad check %s%s", cs[i].arg, "");
            continue;
        }
        *eq = '\0';
        const cJSON *c = find_case(cases, key);
        if (!c)
            bad("case %s is not in the report%s", key, "");
        else if (!strcmp(cs[i].kind, "verdict") &&
                 strcmp(field(c, "verdict"), eq + 1))
            bad("case %s has verdict %s", key, field(c, "verdict"));
        else if (!strcmp(cs[i].kind, "detail") &&
                 !strstr(field(c, "detail"), eq + 1))
            bad("case %s: detail lacks \"%s\"", key, eq + 1);
    }
    cJSON_Delete(doc);
}

/* --small FILE=OUTCOME:N */
static void check_small(const char *arg)
{
    char file[1024];
    snprintf(file, sizeof file, "%s", arg);
    char *eq = strrchr(file, '='), *colon = eq ? strchr(eq, ':') : NULL;
    if (!colon) {
        bad("bad check --small %s%s", arg, "");
        return;
    }
    *eq = *colon = '\0';
    const char *want = eq + 1;
    size_t max = (size_t)atol(colon + 1);
    char *text = slurp(file);
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *vectors = cJSON_GetObjectItemCaseSensitive(doc, "vectors");
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(doc, "count");
    if (!cJSON_IsArray(vectors) || !cJSON_IsNumber(count) ||
        count->valuedouble != cJSON_GetArraySize(vectors)) {
        bad("%s is not a vector file with a right \"count\"%s", file, "");
        cJSON_Delete(doc);
        return;
    }
    int matched = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vectors)
    {
        const char *outcome = !strcmp(field(v, "expect"), "valid")
                                  ? "valid"
                                  : field(v, "error");
        if (strcmp(outcome, want))
            continue;
        matched++;
        size_t bytes = strlen(field(v, "hex")) / 2;
        char num[32];
        snprintf(num, sizeof num, "%zu", bytes);
        printf("check_run: %s expects %s with %s bytes\n", field(v, "id"),
               outcome, num);
        if (bytes > max)
            bad("%s holds %s bytes: not shrunk enough", field(v, "id"), num);
    }
    if (!matched)
        bad("no vector of %s expects %s", file, want);
    cJSON_Delete(doc);
}

/* Starts the server; returns its pid and its URL in `url`. */
static pid_t start_server(const char *cmd, char *url, size_t len)
{
    int p[2];
    if (pipe(p))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    FILE *f = fdopen(p[0], "r");
    char line[512] = "";
    if (!f || !fgets(line, sizeof line, f) ||
        strncmp(line, "listening ", 10)) {
        printf("check_run: server printed no listening line: %s\n", line);
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    line[strcspn(line, "\n")] = '\0';
    snprintf(url, len, "%.255s", line + 10);
    /* The pipe stays open (in f) so the server never gets SIGPIPE. */
    return pid;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    check cs[MAX_CHECKS];
    size_t n = 0;
    long want_exit = -1, max_rss_kib = -1, deadline_s = -1;
    const char *json = NULL, *server = NULL;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i += 2) {
        if (i + 1 >= argc || n == MAX_CHECKS) {
            fprintf(stderr, "check_run: bad arguments\n");
            return 2;
        }
        const char *k = argv[i] + 2;
        if (!strcmp(k, "exit"))
            want_exit = atol(argv[i + 1]);
        else if (!strcmp(k, "json"))
            json = argv[i + 1];
        else if (!strcmp(k, "server"))
            server = argv[i + 1];
        else if (!strcmp(k, "max-rss-kib"))
            max_rss_kib = atol(argv[i + 1]);
        else if (!strcmp(k, "deadline-s"))
            deadline_s = atol(argv[i + 1]);
        else
            cs[n++] = (check){k, argv[i + 1]};
    }
    if (i >= argc - 1) {
        fprintf(stderr, "check_run: no command after --\n");
        return 2;
    }
    char **cmd = argv + i + 1;
    int ncmd = argc - i - 1;
    char url[256] = "";
    pid_t spid = -1;
    if (server && (spid = start_server(server, url, sizeof url)) < 0)
        return 1;
    for (int k = 0; k < ncmd; k++)
        if (!strcmp(cmd[k], "@URL@"))
            cmd[k] = url;
    if (json)
        unlink(json);
    for (size_t k = 0; k < n; k++)
        if (!strcmp(cs[k].kind, "rm"))
            unlink(cs[k].arg);

    int p[2];
    if (pipe(p))
        return 2;
    pid_t pid = fork();
    if (pid == 0) {
        if (max_rss_kib >= 0 && QUARANTINE[0] != '\0') {
            const char *old = getenv("ASAN_OPTIONS");
            char opts[1024];
            snprintf(opts, sizeof opts, "%s%s", old ? old : "", QUARANTINE);
            setenv("ASAN_OPTIONS", opts, 1);
        }
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        execvp(cmd[0], cmd);
        perror(cmd[0]);
        _exit(127);
    }
    close(p[1]);
    char *out = malloc(OUT_CAP + 1);
    size_t len = 0;
    char tmp[65536];
    ssize_t r;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool killed = false;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 +
                  (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (deadline_s >= 0 && !killed && ms >= deadline_s * 1000) {
            kill(pid, SIGKILL);
            killed = true;
        }
        struct pollfd pf = {p[0], POLLIN, 0};
        int wait_ms = deadline_s >= 0 && !killed
                          ? (int)(deadline_s * 1000 - ms)
                          : -1;
        if (poll(&pf, 1, wait_ms) == 0)
            continue;
        r = read(p[0], tmp, sizeof tmp);
        if (r <= 0)
            break;
        fwrite(tmp, 1, (size_t)r, stdout);
        size_t take = len + (size_t)r <= OUT_CAP ? (size_t)r : OUT_CAP - len;
        memcpy(out + len, tmp, take);
        len += take;
    }
    out[len] = '\0';
    close(p[0]);
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0)
        ;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (spid > 0) {
        kill(-spid, SIGKILL);
        waitpid(spid, NULL, 0);
    }
    fflush(stdout);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    char codes[2][24];
    snprintf(codes[0], sizeof codes[0], "%d", code);
    snprintf(codes[1], sizeof codes[1], "%ld", want_exit);
    if (killed) {
        snprintf(codes[0], sizeof codes[0], "%ld", deadline_s);
        bad("the command was still running after %s s%s", codes[0], "");
    } else if (want_exit >= 0 && code != want_exit) {
        bad("exit status %s, expected %s", codes[0], codes[1]);
    }
    if (max_rss_kib >= 0) {
        long cap = max_rss_kib * MEMORY_SCALE;
        printf("check_run: peak memory (ru_maxrss) %ld KiB, cap %ld KiB; "
               "%.1f s\n",
               ru.ru_maxrss, cap, secs);
        snprintf(codes[0], sizeof codes[0], "%ld", ru.ru_maxrss);
        snprintf(codes[1], sizeof codes[1], "%ld", cap);
        if (ru.ru_maxrss > cap)
            bad("peak memory %s KiB above the cap of %s KiB", codes[0],
                codes[1]);
    }
    for (size_t k = 0; k < n; k++) {
        if (!strcmp(cs[k].kind, "output") && !strstr(out, cs[k].arg))
            bad("output lacks \"%s\"%s", cs[k].arg, "");
        if (!strcmp(cs[k].kind, "no-output") && strstr(out, cs[k].arg))
            bad("output contains \"%s\"%s", cs[k].arg, "");
    }
    if (json)
        check_json(json, cs, n);
    for (size_t k = 0; k < n; k++)
        if (!strcmp(cs[k].kind, "small"))
            check_small(cs[k].arg);
    free(out);
    printf("check_run: %s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
