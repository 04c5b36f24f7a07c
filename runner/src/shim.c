/*
 * The codec-mode peer (spec/harness.md): a shim process started with
 * /bin/sh -c and spoken to over non-blocking pipes, or a TCP connection.
 * Every wait has a deadline, every buffer a cap; whatever the peer does, a
 * call returns in time with a reason, and a peer in an unknown state is
 * stopped so the next case starts from a fresh one.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

#define READ_CHUNK 65536

void tr_shim_init(tr_shim *s, const tr_opts *o)
{
    memset(s, 0, sizeof *s);
    s->cmd = o->shim;
    s->connect = o->shim_connect;
    s->timeout_ms = o->timeout_ms;
    s->start_timeout_ms = o->start_timeout_ms;
    s->verbose = o->verbose;
    s->pid = -1;
    s->wfd = s->rfd = s->efd = -1;
    s->next_id = 1;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static int spawn(tr_shim *s, char *why, size_t whylen)
{
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC))
        goto fail0;
    if (pipe2(out, O_CLOEXEC))
        goto fail1;
    if (pipe2(err, O_CLOEXEC))
        goto fail2;
    pid_t pid = fork();
    if (pid < 0)
        goto fail3;
    if (pid == 0) {
        /* Own process group, so a stop reaches everything the shell
         * started; default SIGPIPE, which the runner ignores. */
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
            _exit(127);
        execl("/bin/sh", "sh", "-c", s->cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    s->pid = pid;
    s->wfd = in[1];
    s->rfd = out[0];
    s->efd = err[0];
    set_nonblock(s->wfd);
    set_nonblock(s->rfd);
    set_nonblock(s->efd);
    return 0;
fail3:
    close(err[0]);
    close(err[1]);
fail2:
    close(out[0]);
    close(out[1]);
fail1:
    close(in[0]);
    close(in[1]);
fail0:
    snprintf(why, whylen, "cannot start the shim: %s", strerror(errno));
    return -1;
}

/* Keeps the last bytes of the shim's stderr for failure reports. */
static void keep_err(tr_shim *s, const char *p, size_t n)
{
    size_t cap = sizeof s->errtail - 1;
    if (n >= cap) {
        memcpy(s->errtail, p + n - cap, cap);
        s->errlen = cap;
    } else {
        if (s->errlen + n > cap) {
            size_t drop = s->errlen + n - cap;
            memmove(s->errtail, s->errtail + drop, s->errlen - drop);
            s->errlen -= drop;
        }
        memcpy(s->errtail + s->errlen, p, n);
        s->errlen += n;
    }
    s->errtail[s->errlen] = '\0';
}

static void drain_err(tr_shim *s)
{
    char tmp[4096];
    for (;;) {
        ssize_t n = read(s->efd, tmp, sizeof tmp);
        if (n > 0) {
            keep_err(s, tmp, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            close_fd(&s->efd);
        return;
    }
}

/* Appends ": stderr ends with …" (its last line) when the shim wrote any. */
static void add_stderr(tr_shim *s, char *why, size_t whylen)
{
    if (s->efd >= 0)
        drain_err(s);
    if (!s->errlen)
        return;
    char tail[200];
    size_t end = s->errlen;
    while (end && (s->errtail[end - 1] == '\n' || s->errtail[end - 1] == '\r'))
        end--;
    size_t start = end;
    while (start && s->errtail[start - 1] != '\n' && end - start < 160)
        start--;
    snprintf(tail, sizeof tail, "%.*s", (int)(end - start), s->errtail + start);
    tr_sanitize(tail);
    size_t used = strlen(why);
    if (*tail && used < whylen)
        snprintf(why + used, whylen - used, " (shim stderr: %s)", tail);
}

/* After the shim's stdout ended or broke: how it ended, if it did within
 * the timeout. A dying process can take long to be reaped on a busy
 * machine (a sanitizer's report, a core dump), so the wait is the timeout
 * that bounds any silence (HP-7-a), polled in 5 ms steps: it ends as soon
 * as the exit status is there. */
static void describe_exit(tr_shim *s, const char *what, char *why,
                          size_t whylen)
{
    if (s->pid < 0) {
        snprintf(why, whylen, "%s", what);
        return;
    }
    int st = 0;
    pid_t r = 0;
    int64_t deadline = tr_now_ms() + s->timeout_ms;
    for (;;) {
        r = waitpid(s->pid, &st, WNOHANG);
        if (r != 0 || tr_now_ms() >= deadline)
            break;
        tr_sleep_ms(5);
    }
    if (r == s->pid) {
        s->pid = -1;
        if (WIFSIGNALED(st))
            snprintf(why, whylen, "%s: shim was killed by signal %d, %s",
                     what, WTERMSIG(st), strsignal(WTERMSIG(st)));
        else if (WEXITSTATUS(st) > 128 && WEXITSTATUS(st) < 128 + 65)
            /* /bin/sh reports a signal that killed its child this way. */
            snprintf(why, whylen,
                     "%s: shim exited with status %d (signal %d, %s)", what,
                     WEXITSTATUS(st), WEXITSTATUS(st) - 128,
                     strsignal(WEXITSTATUS(st) - 128));
        else
            snprintf(why, whylen, "%s: shim exited with status %d", what,
                     WEXITSTATUS(st));
    } else {
        snprintf(why, whylen, "%s (shim still running)", what);
    }
    add_stderr(s, why, whylen);
}

void tr_shim_stop(tr_shim *s)
{
    close_fd(&s->wfd);
    if (s->rfd >= 0 && s->rfd != s->wfd)
        close(s->rfd);
    s->rfd = -1;
    close_fd(&s->efd);
    if (s->pid > 0) {
        kill(-s->pid, SIGKILL);
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    s->pid = -1;
    s->len = 0;
    s->up = false;
    if (s->cap > 2 * READ_CHUNK) {
        /* A flood's 16 MiB need not stay for the rest of the run. */
        free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    }
}

void tr_shim_free(tr_shim *s)
{
    tr_shim_stop(s);
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
    cJSON_Delete(s->hello);
    s->hello = NULL;
}

/* Reads what is available from stdout into the line buffer. Returns 1 when
 * bytes arrived, 0 when none, -1 at end of file or error, -2 when the buffer
 * is at its cap. */
static int read_some(tr_shim *s)
{
    if (s->len >= TR_LINE_CAP)
        return -2;
    if (s->cap - s->len < READ_CHUNK && s->cap < TR_LINE_CAP) {
        size_t cap = s->cap ? s->cap * 2 : 2 * READ_CHUNK;
        if (cap > TR_LINE_CAP)
            cap = TR_LINE_CAP;
        char *b = realloc(s->buf, cap + 1);
        if (!b)
            return -2;
        s->buf = b;
        s->cap = cap;
    }
    size_t room = s->cap - s->len;
    ssize_t n = read(s->rfd, s->buf + s->len, room);
    if (n > 0) {
        s->len += (size_t)n;
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    return -1;
}

/* One wait step: polls stdout, stderr and (when `out` is not NULL) stdin for
 * writing, until `deadline`. Returns poll's result (0 on timeout), with the
 * revents of stdout/stdin in *rev / *wev. */
static int wait_io(tr_shim *s, bool want_write, int64_t deadline, short *rev,
                   short *wev)
{
    struct pollfd p[3];
    int n = 0, ri = -1, wi = -1;
    *rev = *wev = 0;
    if (s->rfd >= 0) {
        p[n] = (struct pollfd){s->rfd, POLLIN, 0};
        ri = n++;
    }
    if (want_write && s->wfd >= 0) {
        if (s->wfd == s->rfd) {
            p[ri].events |= POLLOUT;
            wi = ri;
        } else {
            p[n] = (struct pollfd){s->wfd, POLLOUT, 0};
            wi = n++;
        }
    }
    int ei = -1;
    if (s->efd >= 0) {
        p[n] = (struct pollfd){s->efd, POLLIN, 0};
        ei = n++;
    }
    int64_t left = deadline - tr_now_ms();
    if (left < 0)
        left = 0;
    int r = poll(p, (nfds_t)n, (int)left);
    if (r < 0)
        return errno == EINTR ? 1 : -1;
    if (ei >= 0 && p[ei].revents)
        drain_err(s);
    if (ri >= 0)
        *rev = p[ri].revents;
    if (wi >= 0)
        *wev = p[wi].revents;
    return r;
}

/* Fails the exchange: records the reason (with how the shim ended, if it
 * did), stops the peer. Returns -1. */
__attribute__((format(printf, 5, 6))) static int
broken(tr_shim *s, bool ended, char *why, size_t whylen, const char *fmt, ...)
{
    char what[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (ended) {
        describe_exit(s, what, why, whylen);
    } else {
        snprintf(why, whylen, "%s", what);
        add_stderr(s, why, whylen);
    }
    tr_shim_stop(s);
    return -1;
}

/* The deadline of an exchange measures lack of progress: each byte that
 * moves puts it timeout_ms ahead again (never earlier than it was, so the
 * start-up allowance of hello is kept). */
static void progressed(const tr_shim *s, int64_t *deadline)
{
    int64_t d = tr_now_ms() + s->timeout_ms;
    if (d > *deadline)
        *deadline = d;
}

static int write_all(tr_shim *s, const char *data, size_t len,
                     int64_t deadline, char *why, size_t whylen)
{
    size_t off = 0;
    while (off < len) {
        short rev, wev;
        int r = wait_io(s, true, deadline, &rev, &wev);
        if (r == 0)
            return broken(s, false, why, whylen,
                          "the shim did not read its request within %d ms",
                          s->starting ? s->start_timeout_ms : s->timeout_ms);
        if (rev & (POLLIN | POLLHUP)) {
            /* Read while writing, so a shim that answers early or floods
             * cannot deadlock the pair. */
            int rr = read_some(s);
            if (rr == 1)
                progressed(s, &deadline);
            if (rr == -2)
                return broken(s, false, why, whylen,
                              "the shim wrote more than 16 MiB without a "
                              "newline");
            if (rr == -1 && s->wfd != s->rfd)
                return broken(s, true, why, whylen, "the shim closed its stdout");
        }
        if (wev & (POLLOUT | POLLERR | POLLHUP)) {
            ssize_t n = s->wfd == s->rfd
                            ? send(s->wfd, data + off, len - off, MSG_NOSIGNAL)
                            : write(s->wfd, data + off, len - off);
            if (n > 0) {
                off += (size_t)n;
                progressed(s, &deadline);
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
                     errno != EINTR)
                return broken(s, true, why, whylen,
                              "the shim stopped reading its input (%s)",
                              strerror(errno));
        }
    }
    return 0;
}

/* Waits for a complete line. Returns 0 with it in *line, NUL-terminated,
 * its length in *linelen (the newline and a trailing CR stripped, bytes
 * consumed), or -1. A long line is the read buffer itself, handed over
 * (what follows it moves to a new buffer), so a line near TR_LINE_CAP is
 * held once, never twice; a short one is copied. */
static int read_line(tr_shim *s, int64_t deadline, char **line,
                     size_t *linelen, char *why, size_t whylen)
{
    size_t scanned = 0;
    /* What a timeout reports: the start-up allowance for hello, else the
     * wait since the request or since the last byte that arrived. */
    int waited = s->starting ? s->start_timeout_ms : s->timeout_ms;
    for (;;) {
        char *nl = s->buf && s->len > scanned
                       ? memchr(s->buf + scanned, '\n', s->len - scanned)
                       : NULL;
        if (nl) {
            size_t n = (size_t)(nl - s->buf);
            size_t rest = s->len - n - 1;
            if (n && s->buf[n - 1] == '\r')
                n--;
            *linelen = n;
            if (n < READ_CHUNK) {
                *line = tr_xmalloc(n + 1);
                memcpy(*line, s->buf, n);
                (*line)[n] = '\0';
                memmove(s->buf, nl + 1, rest);
                s->len = rest;
                return 0;
            }
            *line = s->buf;
            s->buf = NULL;
            s->len = s->cap = 0;
            if (rest) {
                s->cap = rest > 2 * READ_CHUNK ? rest : 2 * READ_CHUNK;
                s->buf = tr_xmalloc(s->cap + 1);
                memcpy(s->buf, nl + 1, rest);
                s->len = rest;
            }
            (*line)[n] = '\0';
            return 0;
        }
        scanned = s->len;
        short rev, wev;
        int r = wait_io(s, false, deadline, &rev, &wev);
        if (r < 0)
            return broken(s, false, why, whylen, "poll failed: %s", strerror(errno));
        if (r == 0)
            return broken(s, false, why, whylen, "no response within %d ms%s",
                          waited,
                          s->len ? " (a partial line arrived)" : "");
        if (rev) {
            int rr = read_some(s);
            if (rr == 1) {
                progressed(s, &deadline);
                waited = s->timeout_ms;
            }
            if (rr == -2)
                return broken(s, false, why, whylen,
                              "response line longer than 16 MiB");
            if (rr == -1)
                return broken(s, true, why, whylen,
                              "the shim closed its output before answering");
        }
    }
}

int tr_shim_raw(tr_shim *s, const char *line, int64_t deadline, char **got,
                size_t *gotlen, char *why, size_t whylen)
{
    size_t n = strlen(line);
    char *msg = tr_xmalloc(n + 2);
    memcpy(msg, line, n);
    msg[n] = '\n';
    msg[n + 1] = '\0';
    int r = write_all(s, msg, n + 1, deadline, why, whylen);
    free(msg);
    if (r)
        return -1;
    return read_line(s, deadline, got, gotlen, why, whylen);
}

/* True when output came after the last answer, asked for by nobody: read
 * now, it would pass for the answer to the next request (HP-2-b). */
static bool unsolicited(tr_shim *s)
{
    struct pollfd p = {s->rfd, POLLIN, 0};
    if (s->rfd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN))
        read_some(s);
    return s->len > 0;
}

int tr_shim_call(tr_shim *s, cJSON *req, int64_t deadline, cJSON **resp,
                 char **sent, char **got, char *why, size_t whylen)
{
    *resp = NULL;
    if (unsolicited(s)) {
        size_t n = s->len < 60 ? s->len : 60;
        char q[64];
        memcpy(q, s->buf, n);
        q[n] = '\0';
        tr_sanitize(q);
        return broken(s, false, why, whylen,
                      "the shim wrote %zu bytes after its last answer, "
                      "before this request: %s%s",
                      s->len, q, s->len > n ? "..." : "");
    }
    long id = s->next_id++;
    cJSON_DeleteItemFromObjectCaseSensitive(req, "id");
    cJSON *idv = cJSON_CreateNumber((double)id);
    /* "id" first, as in the protocol's examples. */
    if (!idv || !cJSON_InsertItemInArray(req, 0, idv)) {
        cJSON_Delete(idv);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    idv->string = tr_xstrdup("id");
    char *text = cJSON_PrintUnformatted(req);
    if (!text) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    if (sent)
        *sent = tr_xstrdup(text);
    char *line = NULL;
    size_t len = 0;
    int r = tr_shim_raw(s, text, deadline, &line, &len, why, whylen);
    cJSON_free(text);
    if (r)
        return -1;
    char pwhy[512];
    cJSON *o = tr_reply_parse(line, len, id, pwhy, sizeof pwhy);
    if (got) {
        /* What reports quote of it; the line itself goes now, before its
         * tree is judged. */
        bool cut = len > TR_GOT_MAX;
        size_t keep = cut ? TR_GOT_MAX : len;
        *got = tr_xmalloc(keep + 4);
        // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): tr_shim_raw sets line when it returns 0 (the analyzer does not follow the varargs broken())
        memcpy(*got, line, keep);
        memcpy(*got + keep, cut ? "..." : "", cut ? 4 : 1);
    }
    free(line);
    if (!o)
        return broken(s, false, why, whylen, "%s", pwhy);
    if (s->len) {
        cJSON_Delete(o);
        return broken(s, false, why, whylen,
                      "the shim wrote more than one line for one request");
    }
    *resp = o;
    return 0;
}

int tr_shim_start(tr_shim *s, char *why, size_t whylen)
{
    tr_shim_stop(s);
    s->errlen = 0;
    s->errtail[0] = '\0';
    /* A starting shim (a JIT runtime, a sanitizer build on a busy
     * machine) gets the start-up allowance until its hello answer. */
    int64_t deadline = tr_now_ms() + s->start_timeout_ms;
    if (s->cmd) {
        if (spawn(s, why, whylen))
            return -1;
    } else {
        tr_url u;
        if (tr_url_parse(s->connect, &u, why, whylen))
            return -1;
        if (u.scheme == TR_UDP) {
            snprintf(why, whylen, "--shim-connect needs a stream URL "
                                  "(tcp:// or unix://)");
            return -1;
        }
        int fd = tr_connect(&u, deadline, why, whylen);
        if (fd < 0)
            return -1;
        s->wfd = s->rfd = fd;
    }
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "op", "hello");
    cJSON_AddNumberToObject(req, "version", 1);
    cJSON *resp = NULL;
    char cwhy[512];
    s->starting = true;
    int r = tr_shim_call(s, req, deadline, &resp, NULL, NULL, cwhy,
                         sizeof cwhy);
    s->starting = false;
    cJSON_Delete(req);
    if (r) {
        snprintf(why, whylen, "hello: %s", cwhy);
        return -1;
    }
    if (tr_hello_check(resp, why, whylen)) {
        cJSON_Delete(resp);
        tr_shim_stop(s);
        return -1;
    }
    cJSON_Delete(s->hello);
    s->hello = resp;
    s->up = true;
    return 0;
}

int tr_shim_finish(tr_shim *s, int64_t deadline, char *why, size_t whylen)
{
    *why = '\0';
    if (s->pid < 0) {
        tr_shim_stop(s);
        return -2;
    }
    close_fd(&s->wfd);
    for (;;) {
        int st;
        pid_t r = waitpid(s->pid, &st, WNOHANG);
        if (r == s->pid) {
            s->pid = -1;
            tr_shim_stop(s);
            return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
        }
        if (tr_now_ms() >= deadline) {
            snprintf(why, whylen, "the shim was still running %d ms after "
                                  "the end of its input",
                     s->timeout_ms);
            tr_shim_stop(s);
            return -1;
        }
        /* Keep its pipes drained so it cannot block on a full one. */
        short rev, wev;
        int64_t step = tr_now_ms() + 10;
        wait_io(s, false, step < deadline ? step : deadline, &rev, &wev);
        if (rev && read_some(s) < 0)
            close_fd(&s->rfd);
        s->len = 0;
    }
}

int tr_shim_ensure_up(tr_shim *s, tr_progress *p)
{
    char why[1024];
    while (!s->up) {
        if (tr_shim_start(s, why, sizeof why) == 0) {
            s->failed_starts = 0;
            return 0;
        }
        tr_progress_end(p);
        if (s->name)
            fprintf(stderr, "tamtam-run: restarting shim \"%s\" failed: %s\n",
                    s->name, why);
        else
            fprintf(stderr, "tamtam-run: restarting the shim failed: %s\n",
                    why);
        if (++s->failed_starts >= TR_MAX_RESTARTS) {
            fprintf(stderr, "tamtam-run: giving up after %d failed starts\n",
                    TR_MAX_RESTARTS);
            return -1;
        }
    }
    return 0;
}

int tr_shim_exchange(tr_shim *s, const tr_progress *p, cJSON *req,
                     cJSON **resp, char **sent, char **got, char *why,
                     size_t whylen)
{
    char *line = NULL;
    int64_t deadline = tr_now_ms() + s->timeout_ms;
    int r = tr_shim_call(s, req, deadline, resp, &line, got, why, whylen);
    const char *who = s->name ? s->name : "";
    tr_verbose(p, "  %s> %s\n", who, line ? line : "");
    if (r == 0)
        tr_verbose(p, "  %s< %s\n", who, got && *got ? *got : "");
    if (sent)
        *sent = line;
    else
        free(line);
    return r;
}
