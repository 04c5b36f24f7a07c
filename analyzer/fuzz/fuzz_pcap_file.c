/*
 * Fuzz target: a whole capture file (pcap or pcapng bytes) through the
 * analyzer's file path, as tamtam-analyze FILE runs it: libpcap opens it
 * from memory (fmemopen, an_session_open), the link type is checked
 * (an_session_link), the session reads it to its end (an_session_read) and
 * writes the closing lines. The file's bytes must stay a capture, so the
 * options come from its size: size % 4 = 0 --json; 1 --json --heuristic
 * --crc auto; 2 --json -w (to /dev/null) --match 'status!=ok' with small
 * limits (as fuzz_packets); 3 -V --heuristic.
 *
 * Invariants, besides no crash and no sanitizer report: a file libpcap
 * refuses, or whose link type the analyzer does not read, is refused with
 * a reason; a read error is a clean return (2) with libpcap's reason, after
 * which the closing lines are still written; the output and the counts
 * hold to fz_output_check; the engine's peak memory is within its caps.
 * Leaks are LeakSanitizer's to report (see below).
 */
#include <stdlib.h>
#include <string.h>

#include "invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libpcap refuses records longer than this (its largest snap length). */
#define CAPLEN_MAX 262144u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static an_session s;
    static fz_output out;
    static uint8_t all_ports[8192], one_port[8192];
    static const volatile sig_atomic_t never = 0;
    memset(all_ports, 0xFF, sizeof all_ports);
    one_port[4774 >> 3] = (uint8_t)(1u << (4774 & 7));
    /* Leaks are LeakSanitizer's to find (libFuzzer checks every input); a
     * heap-bytes comparison here would also count libpcap's and libc's
     * one-time lazy allocations and fail on whichever input meets them. */

    /* fmemopen refuses an empty buffer; /dev/null is an empty file. */
    FILE *fp = size ? fmemopen((void *)data, size, "rb")
                    : fopen("/dev/null", "rb");
    if (!fp)
        abort();
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = an_session_open(fp, errbuf);
    if (!pc) {
        FZ_CHECK(errbuf[0], "a refused file has a reason");
        fclose(fp);
        return 0;
    }
    char msg[256] = "";
    int dlt = an_session_link(pc, msg, sizeof msg);
    if (dlt < 0) {
        FZ_CHECK(msg[0], "an unsupported link type has a reason");
        pcap_close(pc);
        return 0;
    }

    unsigned form = (unsigned)(size % 4);
    bool small = form == 2;
    an_engine_cfg cfg = {
        .crc = form == 1 ? AN_CRC_AUTO : TT_CRC_DEFAULT,
        .heuristic = form == 1 || form == 3,
        .ports = form == 1 ? all_ports : one_port,
        .max_flows = small ? 3 : 100000,
        .mem_cap = small ? (uint64_t)64 << 10 : (uint64_t)512 << 20,
        .ooo_bytes = small ? (size_t)16 << 10 : (size_t)8 << 20,
        .ooo_segs = small ? 16 : 4096,
        .history = small ? 1024 : 65536,
        .run = 4,
        .probe_limit = small ? 4096 : 65536,
        .keep_bytes = small ? (uint64_t)64 << 10 : (uint64_t)16 << 20,
        .keep_packets = small,
    };
    memset(&s, 0, offsetof(an_session, out));
    an_outbuf_init(&s.out, -1);
    s.rep.out = &s.out;
    s.rep.mode = form == 3 ? AN_OUT_VERBOSE : AN_OUT_JSON;
    s.rep.crc = cfg.crc;
    if (small) {
        char err[128];
        s.match[s.nmatch++] = an_match_parse("status!=ok", err, sizeof err);
        s.dumper = pcap_dump_open(pc, "/dev/null");
        if (!s.match[0] || !s.dumper)
            abort();
    }
    fz_output_attach(&out, &s, s.rep.mode == AN_OUT_JSON);
    if (!an_session_start(&s, &cfg))
        abort();
    fz_follow_flows(&s, &cfg);

    int rc = an_session_read(&s, pc, dlt, "fuzz", false, &never, NULL);
    FZ_CHECK(rc == 0 || (rc == 2 && pcap_geterr(pc)[0]),
             "the end of the file, or a read error with a reason");
    an_session_end(&s);
    fz_output_check(&out, &s, s.nmatch > 0);
    FZ_CHECK(an_engine_totals(s.eng)->mem_peak <=
                 cfg.mem_cap + fz_conn_bound(&cfg, CAPLEN_MAX) +
                     2 * 100000 * sizeof(void *),
             "peak memory within the caps");
    an_session_free(&s);
    if (s.dumper)
        pcap_dump_close(s.dumper);
    pcap_close(pc);
    return 0;
}
