/*
 * tamtam-analyze-bench: throughput of the analyzer next to the tools a user
 * would otherwise run, measured in the same invocation and printed as
 * ratios (never a pass/fail test).
 *
 * It writes a TamTam-over-TCP capture of --size MB (default 1100) with
 * mixed frame sizes (SizeId 0..15, BigMode, extensions, 1% bad CRCs),
 * eight interleaved connections cut into 1448-byte segments, ACKs every
 * second segment; then times
 *   tcpdump -r FILE -w /dev/null            (the cost of reading the file)
 *   tamtam-analyze --stats FILE
 *   tamtam-analyze --json FILE > /dev/null
 *   tshark -r SLICE -X lua_script:tamtam.lua > /dev/null   on a --slice MB
 *     capture of the same mix (tshark is far slower; its full-file time is
 *     extrapolated and labelled so), next to the analyzer on that slice;
 * and the analyzer's peak RSS on captures of growing size.
 *
 * usage: tamtam-analyze-bench [--size MB] [--slice MB] [--dir DIR] [--keep]
 *                             ANALYZER [DISSECTOR.lua]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capbuild.h"

#define MSS 1448u
#define NCONN 8
#define POOL 1024
#define RUNS 3 /* best of, taken in turns so load spikes hit all alike */

typedef struct pooled {
    uint8_t b[TT_FRAME_MAX];
    uint16_t n;
    bool bad; /* integrity byte spoiled */
} pooled;

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Frames of mixed shapes: small ones most often, like real traffic. */
static void fill_pool(pooled *pool)
{
    static uint8_t pay[TT_BLOCK_MAX + 64];
    for (size_t i = 0; i < sizeof pay; i++)
        pay[i] = (uint8_t)next_rand();
    for (int i = 0; i < POOL; i++) {
        unsigned r = (unsigned)(next_rand() % 100);
        unsigned size_id = r < 45   ? (unsigned)(next_rand() % 5)
                           : r < 85 ? 5 + (unsigned)(next_rand() % 6)
                                    : 11 + (unsigned)(next_rand() % 5);
        unsigned flags = (next_rand() % 5 == 0 ? TT_FLAG_BIG : 0) |
                         (next_rand() % 3 == 0 ? TT_FLAG_EXT : 0) |
                         (next_rand() % 7 == 0 ? TT_FLAG_ACK : 0);
        unsigned block = tt_block_size(size_id, flags & TT_FLAG_BIG);
        unsigned used = block ? (unsigned)(next_rand() % (block + 1)) : 0;
        pool[i].n = (uint16_t)cb_frame(
            pool[i].b, sizeof pool[i].b, (unsigned)(next_rand() % 5),
            (unsigned)(next_rand() % 4), size_id, flags,
            (unsigned)(next_rand() % 256), (unsigned)next_rand() & 0xFFFF,
            pay + next_rand() % 64, used);
        pool[i].bad = next_rand() % 100 == 0;
        if (pool[i].bad)
            pool[i].b[tt_crc_offset(pool[i].b, pool[i].n)] ^= 0x5A;
    }
}

typedef struct genstat {
    uint64_t frames, bad, packets, bytes;
} genstat;

/* Writes about `target` bytes of capture to `path`. The same seed gives
 * the same traffic, so smaller files are prefixes of the same mix. */
static genstat generate(const char *path, uint64_t target)
{
    static pooled pool[POOL];
    static uint8_t pending[NCONN][MSS + TT_FRAME_MAX];
    size_t plen[NCONN] = {0};
    genstat g = {0};
    rng = 0x2545F4914F6CDD1Dull;
    fill_pool(pool);
    cb_file f;
    cb_open(&f, path, DLT_EN10MB, 65535);
    cb_conn c[NCONN];
    uint16_t port = 40000;
    uint64_t segs = 0;
    for (int i = 0; i < NCONN; i++)
        cb_conn_open(&c[i], &f, cb_v4("10.1.0.1", port++),
                     cb_v4("10.1.0.2", 4774), (uint32_t)next_rand(),
                     (uint32_t)next_rand());
    while ((uint64_t)pcap_dump_ftell64(f.dump) < target) {
        int k = (int)(segs % NCONN);
        while (plen[k] < MSS) {
            unsigned p = (unsigned)(next_rand() % POOL);
            memcpy(pending[k] + plen[k], pool[p].b, pool[p].n);
            plen[k] += pool[p].n;
            g.frames++;
            g.bad += pool[p].bad;
        }
        cb_conn_send(&c[k], 0, pending[k], MSS);
        memmove(pending[k], pending[k] + MSS, plen[k] - MSS);
        plen[k] -= MSS;
        if (++segs % 2 == 0)
            cb_conn_ack(&c[k], 1, c[k].sent[0]);
        /* New connections now and then, as a long capture has. */
        if (c[k].sent[0] >= (64u << 20)) {
            cb_conn_send(&c[k], 0, pending[k], plen[k]);
            plen[k] = 0;
            cb_conn_close(&c[k]);
            uint64_t ts = c[k].ts;
            cb_conn_open(&c[k], &f, cb_v4("10.1.0.1", port++),
                         cb_v4("10.1.0.2", 4774), (uint32_t)next_rand(),
                         (uint32_t)next_rand());
            c[k].ts = ts;
        }
    }
    for (int k = 0; k < NCONN; k++) {
        if (plen[k])
            cb_conn_send(&c[k], 0, pending[k], plen[k]);
        cb_conn_close(&c[k]);
    }
    g.bytes = (uint64_t)pcap_dump_ftell64(f.dump);
    g.packets = f.packets;
    cb_close(&f);
    return g;
}

typedef struct result {
    double secs; /* wall clock */
    double cpu;  /* user + system */
    long rss_kb;
    int status;
} result;

/* Times are printed as ratios for a reader, never judged: a benchmark's
 * figures follow the machine's load, so no outcome here depends on them. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs argv `runs` times with stdout to `out` (a path), stderr to
 * /dev/null, folding the times into *best (the least wall and CPU time,
 * the largest RSS). */
static void run_into(result *best, char *const argv[], const char *out,
                     int runs)
{
    for (int i = 0; i < runs; i++) {
        double t0 = now();
        pid_t pid = fork();
        if (pid == 0) {
            int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            int n = open("/dev/null", O_WRONLY);
            if (o < 0 || n < 0)
                _exit(126);
            dup2(o, 1);
            dup2(n, 2);
            execvp(argv[0], argv);
            _exit(127);
        }
        int st = 0;
        struct rusage ru;
        while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
            ;
        double t = now() - t0;
        double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        if (t < best->secs)
            best->secs = t;
        if (cpu < best->cpu)
            best->cpu = cpu;
        if (ru.ru_maxrss > best->rss_kb)
            best->rss_kb = ru.ru_maxrss;
        best->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
}

static result run(char *const argv[], const char *out, int runs)
{
    result best = {1e30, 1e30, 0, 0};
    run_into(&best, argv, out, runs);
    return best;
}

static bool have(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* The frame count of an analyzer --stats run (its "frames: N" line). */
static uint64_t stats_frames(const char *path, uint64_t *ok)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    uint64_t n = 0;
    *ok = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "  frames: %" SCNu64 " (ok %" SCNu64, &n, ok) == 2)
            break;
    if (f)
        fclose(f);
    return n;
}

static void row(const char *what, const result *r, double mb, uint64_t frames,
                const char *note)
{
    printf("  %-42s %7.2f s %7.2f s %8.1f MB/s %10.0f frames/s  %s\n", what,
           r->secs, r->cpu, mb / r->secs, (double)frames / r->secs, note);
}

int main(int argc, char **argv)
{
    unsigned size_mb = 1100, slice_mb = 16;
    const char *dir = "/tmp", *analyzer = NULL, *lua = NULL;
    bool keep = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc)
            size_mb = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--slice") && i + 1 < argc)
            slice_mb = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--keep"))
            keep = true;
        else if (!analyzer)
            analyzer = argv[i];
        else
            lua = argv[i];
    }
    if (!analyzer || !size_mb || !slice_mb) {
        fprintf(stderr, "usage: %s [--size MB] [--slice MB] [--dir DIR] "
                        "[--keep] ANALYZER [DISSECTOR.lua]\n",
                argv[0]);
        return 2;
    }
    char big[512], slice[512], out[512], grow[512];
    snprintf(big, sizeof big, "%s/tamtam-bench-%u.pcap", dir, size_mb);
    snprintf(slice, sizeof slice, "%s/tamtam-bench-slice.pcap", dir);
    snprintf(out, sizeof out, "%s/tamtam-bench.out", dir);

    printf("generating %u MB of TamTam over TCP in %s ...\n", size_mb, big);
    double t0 = now();
    genstat g = generate(big, (uint64_t)size_mb << 20);
    double mb = (double)g.bytes / (1 << 20);
    printf("capture: %.1f MB, %" PRIu64 " packets, %" PRIu64
           " frames (%.0f bytes per frame on average, %" PRIu64
           " with a bad CRC), written in %.1f s\n\n",
           mb, g.packets, g.frames, (double)g.bytes / (double)g.frames, g.bad,
           now() - t0);

    bool tcpdump = have("tcpdump");
    result rt = {1e30, 1e30, 0, 0}, rs = rt, rj = rt;
    char *a[] = {"tcpdump", "-r", big, "-w", "/dev/null", NULL};
    char *as[] = {(char *)analyzer, "--stats", big, NULL};
    char *aj[] = {(char *)analyzer, "--json", big, NULL};
    for (int i = 0; i < RUNS; i++) {
        if (tcpdump)
            run_into(&rt, a, "/dev/null", 1);
        run_into(&rs, as, out, 1);
        run_into(&rj, aj, "/dev/null", 1);
    }
    printf("full capture (best of %d runs, in turns; wall time, CPU time, "
           "rates from wall time):\n",
           RUNS);
    if (tcpdump)
        row("tcpdump -r FILE -w /dev/null", &rt, mb, g.frames, "(reading only)");
    else
        printf("  tcpdump not installed: no reading baseline\n");
    uint64_t ok, seen = stats_frames(out, &ok);
    char note[160];
    snprintf(note, sizeof note,
             "%.2fx tcpdump's wall time, %.2fx its CPU (target <= 2)",
             tcpdump ? rs.secs / rt.secs : 0.0,
             tcpdump ? rs.cpu / rt.cpu : 0.0);
    row("tamtam-analyze --stats FILE", &rs, mb, g.frames, tcpdump ? note : "");
    snprintf(note, sizeof note, "%.2fx tcpdump's wall time, %.2fx its CPU",
             tcpdump ? rj.secs / rt.secs : 0.0,
             tcpdump ? rj.cpu / rt.cpu : 0.0);
    row("tamtam-analyze --json FILE > /dev/null", &rj, mb, g.frames,
        tcpdump ? note : "");
    printf("  check: the analyzer counted %" PRIu64 " frames (%" PRIu64
           " ok) of the %" PRIu64 " written (%" PRIu64 " bad): %s\n\n",
           seen, ok, g.frames, g.bad,
           seen == g.frames && ok == g.frames - g.bad ? "exact" : "MISMATCH");

    genstat gs = generate(slice, (uint64_t)slice_mb << 20);
    double smb = (double)gs.bytes / (1 << 20);
    printf("slice of the same mix: %.1f MB, %" PRIu64 " frames\n", smb,
           gs.frames);
    char *ss[] = {(char *)analyzer, "--stats", slice, NULL};
    result rss = run(ss, out, RUNS);
    row("tamtam-analyze --stats SLICE", &rss, smb, gs.frames, "");
    if (!have("tshark")) {
        printf("  tshark not installed: no comparison\n");
    } else {
        char xarg[600];
        bool with_lua = lua && access(lua, R_OK) == 0;
        if (with_lua)
            snprintf(xarg, sizeof xarg, "lua_script:%s", lua);
        else
            printf("  the Lua dissector (%s) is absent: tshark measured "
                   "without it\n",
                   lua ? lua : "not given");
        char *tw[] = {"tshark", "-r", slice, "-X", xarg, NULL};
        char *to[] = {"tshark", "-r", slice, NULL};
        result r = run(with_lua ? tw : to, "/dev/null", 1);
        snprintf(note, sizeof note,
                 "%.0fx the analyzer's wall time, %.0fx its CPU "
                 "(target >= 50)",
                 r.secs / rss.secs, r.cpu / rss.cpu);
        row(with_lua ? "tshark -r SLICE -X lua_script:tamtam.lua"
                     : "tshark -r SLICE (no TamTam dissector)",
            &r, smb, gs.frames, note);
        if (r.status)
            printf("  (tshark exited %d)\n", r.status);
        printf("  extrapolated (not measured): tshark on the full %.0f MB "
               "would take about %.0f s\n",
               mb, r.secs * mb / smb);
    }

    printf("\npeak RSS of tamtam-analyze --stats as the capture grows:\n");
    static const unsigned steps[] = {128, 256, 512};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        if (steps[i] >= size_mb)
            break;
        snprintf(grow, sizeof grow, "%s/tamtam-bench-grow.pcap", dir);
        genstat gg = generate(grow, (uint64_t)steps[i] << 20);
        char *ag[] = {(char *)analyzer, "--stats", grow, NULL};
        result r = run(ag, out, 1);
        printf("  %8.1f MB: %6.1f MB RSS\n", (double)gg.bytes / (1 << 20),
               (double)r.rss_kb / 1024);
        unlink(grow);
    }
    printf("  %8.1f MB: %6.1f MB RSS\n", mb, (double)rs.rss_kb / 1024);
    if (!keep) {
        unlink(big);
        unlink(slice);
    }
    unlink(out);
    return 0;
}
