/* splinter-ring: poke a Splinter ring from the shell (README.md).
 *   splinter-ring create RING [--slots N] [--slot-size N] [--stuck-ms N] [--heartbeat-ms N]
 *   splinter-ring stat RING
 *   splinter-ring write RING LINE
 *   splinter-ring read RING [--all] [--follow] [--count N]
 *   splinter-ring unlink RING
 * RING is a path, or a bare name taken under /dev/shm. Exit status: 0 done,
 * 1 the ring or the system refused (message on stderr), 2 usage, 3 fault
 * 4100 BACKPRESSURE (the ring is full: retry later). */
#define _GNU_SOURCE
#include "splinter/ring.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *prog = "splinter-ring";
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

static int usage(void) {
    fprintf(stderr,
            "usage: %s create RING [--slots N] [--slot-size N] [--stuck-ms N] "
            "[--heartbeat-ms N]\n"
            "       %s stat RING\n"
            "       %s write RING LINE\n"
            "       %s read RING [--all] [--follow] [--count N]\n"
            "       %s unlink RING\n"
            "RING: a path, or a name under /dev/shm. Exit: 0 ok, 1 error, 2 usage, "
            "3 backpressure (fault 4100)\n",
            prog, prog, prog, prog, prog);
    return 2;
}

static int fail(const char *what, const char *path, int rc) {
    fprintf(stderr, "%s: %s %s: %s (%s)\n", prog, what, path, sr_error_name(rc),
            sr_error_desc(rc));
    return rc == SR_ERR_BACKPRESSURE ? 3 : 1;
}

static int parse_u32(const char *s, uint32_t *out) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-') return -1;
    *out = (uint32_t)v;
    return 0;
}

static int cmd_create(const char *path, int argc, char **argv) {
    sr_params p = {0};
    /* Options come in pairs: NAME VALUE. */
    for (int i = 0; i < argc; i += 2) {
        uint32_t *dst = NULL;
        if (!strcmp(argv[i], "--slots")) dst = &p.slot_count;
        else if (!strcmp(argv[i], "--slot-size")) dst = &p.slot_size;
        else if (!strcmp(argv[i], "--stuck-ms")) dst = &p.stuck_ms;
        else if (!strcmp(argv[i], "--heartbeat-ms")) dst = &p.heartbeat_ms;
        if (!dst || i + 1 >= argc || parse_u32(argv[i + 1], dst) || *dst == 0) return usage();
    }
    sr_ring *r;
    int rc = sr_create(path, &p, &r);
    if (rc) return fail("create", path, rc);
    sr_close(r);
    return 0;
}

static int cmd_stat(const char *path) {
    sr_ring *r;
    int rc = sr_open(path, &r);
    if (rc) return fail("open", path, rc);
    sr_stat st;
    sr_stat_get(r, &st);
    printf("path: %s\nlayout_version: %u\nslot_count: %" PRIu32 "\nslot_size: %" PRIu32
           "\nline_max: %zu\nstuck_ms: %" PRIu32 "\nheartbeat_ms: %" PRIu32
           "\ncreator_pid: %" PRIu32 "\nwrite_cursor: %" PRIu64 "\nreaders: %u\n",
           path, SR_LAYOUT_VERSION, st.params.slot_count, st.params.slot_size, sr_line_max(r),
           st.params.stuck_ms, st.params.heartbeat_ms, st.creator_pid, st.write_cursor,
           st.readers);
    for (unsigned i = 0; i < SR_READERS; i++) {
        if (!st.reader[i].owner) continue;
        printf("reader %u: pid %" PRIu64 " cursor %" PRIu64 " lag %" PRIu64 " delivered %" PRIu64
               " lost %" PRIu64 "\n",
               i, st.reader[i].owner & 0xffffffffu, st.reader[i].cursor,
               st.write_cursor - st.reader[i].cursor, st.reader[i].delivered, st.reader[i].lost);
    }
    sr_close(r);
    return 0;
}

static int cmd_write(const char *path, const char *line) {
    sr_ring *r;
    int rc = sr_open(path, &r);
    if (rc) return fail("open", path, rc);
    rc = sr_write(r, line, strlen(line), NULL);
    sr_close(r);
    return rc ? fail("write", path, rc) : 0;
}

static int cmd_read(const char *path, int argc, char **argv) {
    int all = 0, follow = 0;
    uint32_t count = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--all")) all = 1;
        else if (!strcmp(argv[i], "--follow")) follow = 1;
        else if (!strcmp(argv[i], "--count") && i + 1 < argc && !parse_u32(argv[i + 1], &count))
            i++;
        else return usage();
    }
    sr_ring *r;
    int rc = sr_open(path, &r);
    if (rc) return fail("open", path, rc);
    sr_reader *rd;
    rc = sr_reader_open(r, &rd);
    if (rc) {
        sr_close(r);
        return fail("read", path, rc);
    }
    if (all) sr_reader_seek(rd, sr_oldest(r));
    size_t cap = sr_line_max(r);
    char *buf = malloc(cap + 1);
    if (!buf) {
        sr_reader_close(rd);
        sr_close(r);
        return fail("read", path, SR_ERR_NO_MEMORY);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    uint32_t got = 0;
    long idle_ns = 1000;
    int status = 0;
    while (!stop_flag && (count == 0 || got < count)) {
        sr_record rec;
        rc = sr_read(rd, buf, cap, &rec);
        if (rc == SR_READ_LINE) {
            buf[rec.len] = '\n';
            fwrite(buf, 1, rec.len + 1, stdout);
            fflush(stdout);
            got++;
            idle_ns = 1000;
        } else if (rc == SR_READ_LOSS) {
            fprintf(stderr, "%s: lost %" PRIu64 " message(s) from seq %" PRIu64 " (%s)\n", prog,
                    rec.lost, rec.seq, rec.cause == SR_LOSS_STUCK ? "stuck claim" : "lapped");
        } else if (rc == SR_READ_EMPTY) {
            if (!follow) break;
            /* Idle: poll with a growing pause up to 1 ms; the heartbeat is
             * refreshed by every sr_read. */
            struct timespec ts = {0, idle_ns};
            nanosleep(&ts, NULL);
            if (idle_ns < 1000000) idle_ns *= 2;
        } else {
            status = fail("read", path, rc);
            break;
        }
    }
    free(buf);
    sr_reader_close(rd);
    sr_close(r);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 3) return usage();
    const char *cmd = argv[1];
    char path[PATH_MAX];
    int n = strchr(argv[2], '/') ? snprintf(path, sizeof path, "%s", argv[2])
                                 : snprintf(path, sizeof path, "/dev/shm/%s", argv[2]);
    if (n < 0 || (size_t)n >= sizeof path) return usage();
    if (!strcmp(cmd, "create")) return cmd_create(path, argc - 3, argv + 3);
    if (!strcmp(cmd, "stat") && argc == 3) return cmd_stat(path);
    if (!strcmp(cmd, "write") && argc == 4) return cmd_write(path, argv[3]);
    if (!strcmp(cmd, "read")) return cmd_read(path, argc - 3, argv + 3);
    if (!strcmp(cmd, "unlink") && argc == 3) {
        int rc = sr_unlink(path);
        return rc ? fail("unlink", path, rc) : 0;
    }
    return usage();
}
