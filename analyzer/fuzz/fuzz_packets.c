/*
 * Fuzz target: the analyzer's packet path. A sequence of link-layer packets
 * goes to the engine one by one, as the capture reader hands them over
 * (an_engine_packet, through the session tamtam-analyze runs), under
 * options the input chooses; the output is read as it is flushed
 * (invariants.c). Input:
 *
 *   byte 0  link type: Ethernet, Linux cooked v1, v2, NULL, LOOP, raw IP,
 *           IPv4, IPv6 (the byte modulo 8)
 *   byte 1  bits 0-1 output: text, -V, --json, --json; bit 2 --stats;
 *           bit 3 --heuristic; bit 4 -w (to /dev/null); bit 5 --match
 *           'status!=ok || channel=7'; bit 6 small limits (3 connections,
 *           64 KiB of buffers, 16 KiB / 16 pieces out of order, 1 KiB of
 *           history, 4 KiB probes); bit 7 every port is a TamTam port
 *   byte 2  bits 0-2 CRC variant; bit 3 --crc auto; bits 4-6 --run 2..9;
 *           bit 7 -c 3
 *   then records, each a big-endian 16-bit word W and what it announces:
 *     W < 0xC000          a packet of W bytes follows (a packet cut by the
 *                         end of the input has the bytes there are)
 *     0xC000..0xDFFF      the next packet is captured to W & 0x1FFF bytes
 *                         only (a snap length; its length stays)
 *     0xE000..0xEFFF      the previous packet again, W & 0xFFF times
 *     0xF000..0xFFFE      the clock advances by W & 0xFFF milliseconds
 *     0xFFFF              the clock is set: 4 bytes of seconds, 4 of
 *                         microseconds (out of range too, as in a file)
 *   Each packet is one microsecond after the one before; 4096 packets
 *   per input at most (repeats included), so each run stays short.
 *
 * Invariants, besides no crash and no sanitizer report: after every packet
 * the engine's accounting is within its caps (fz_check_mem) and, under
 * ASan, equals the heap the run holds (within the engine's own struct);
 * after the run, the counts and lines of fz_output_check, and the heap is
 * back where it was.
 */
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PACKETS 4096u
/* Heap the engine holds beyond its accounting: the engine itself. */
#define ENGINE_SLACK ((int64_t)16 * 1024)

static const int links[8] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
                             DLT_NULL,   DLT_LOOP,      DLT_RAW,
                             DLT_IPV4,   DLT_IPV6};

typedef struct run {
    an_session *s;
    const an_engine_cfg *cfg;
    int64_t heap0;   /* fz_heap() before the engine existed */
    uint8_t *prev;   /* the previous packet, for repeats */
    struct pcap_pkthdr prev_h;
    unsigned packets;
} run;

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void after_packet(const run *r)
{
    const an_engine *e = r->s->eng;
    fz_check_mem(e, r->cfg, 0xC000u);
    if (!fz_heap_tracked())
        return;
    /* What the run holds besides the engine: the previous packet. */
    int64_t mine = r->prev ? (r->prev_h.caplen ? r->prev_h.caplen : 1) : 0;
    int64_t held = fz_heap() - r->heap0 - mine;
    int64_t used = (int64_t)an_engine_mem_used(e);
    FZ_CHECK(held >= used && held - used <= ENGINE_SLACK,
             "the engine's accounting is the heap it holds");
}

/* Feeds one packet from an exact-size copy (ASan sees any read past it);
 * the copy is kept as the previous packet. */
static void feed(run *r, int dlt, const struct pcap_pkthdr *h,
                 const uint8_t *bytes)
{
    uint8_t *pkt = malloc(h->caplen ? h->caplen : 1);
    if (!pkt)
        abort();
    memcpy(pkt, bytes, h->caplen);
    free(r->prev);
    r->prev = pkt;
    r->prev_h = *h;
    an_engine_packet(r->s->eng, dlt, h, pkt);
    r->packets++;
    after_packet(r);
}

static an_match *the_match(void)
{
    char err[128];
    an_match *m = an_match_parse("status!=ok || channel=7", err, sizeof err);
    if (!m)
        abort();
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static an_session s;
    static fz_output out;
    static uint8_t all_ports[8192], one_port[8192];
    if (size < 3)
        return 0;
    memset(all_ports, 0xFF, sizeof all_ports);
    one_port[4774 >> 3] = (uint8_t)(1u << (4774 & 7));

    int dlt = links[data[0] % 8];
    uint8_t o = data[1], c = data[2];
    bool small = o & 0x40;
    an_engine_cfg cfg = {
        .crc = (c & 0x08) ? AN_CRC_AUTO : (c & 7) % TT_CRC_COUNT,
        .heuristic = o & 0x08,
        .ports = (o & 0x80) ? all_ports : one_port,
        .max_flows = small ? 3 : 100000,
        .mem_cap = small ? (uint64_t)64 << 10 : (uint64_t)512 << 20,
        .ooo_bytes = small ? (size_t)16 << 10 : (size_t)8 << 20,
        .ooo_segs = small ? 16 : 4096,
        .history = small ? 1024 : 65536,
        .run = 2 + ((c >> 4) & 7u),
        .probe_limit = small ? 4096 : 65536,
        .keep_bytes = small ? (uint64_t)64 << 10 : (uint64_t)16 << 20,
        .keep_packets = o & 0x10,
    };

    int64_t heap_start = fz_heap_tracked() ? fz_heap() : 0;
    memset(&s, 0, offsetof(an_session, out));
    an_outbuf_init(&s.out, -1);
    s.rep.out = &s.out;
    s.rep.mode = (o & 3) == 0   ? AN_OUT_TEXT
                 : (o & 3) == 1 ? AN_OUT_VERBOSE
                                : AN_OUT_JSON;
    s.rep.summary_only = o & 0x04;
    s.rep.crc = cfg.crc;
    s.count = (c & 0x80) ? 3 : 0;
    if (o & 0x20)
        s.match[s.nmatch++] = the_match();
    pcap_t *dead = NULL;
    if (cfg.keep_packets) {
        dead = pcap_open_dead(dlt, 262144);
        s.dumper = dead ? pcap_dump_open(dead, "/dev/null") : NULL;
        if (!s.dumper)
            abort();
    }
    fz_output_attach(&out, &s, s.rep.mode == AN_OUT_JSON);

    run r = {&s, &cfg, fz_heap(), NULL, {{0, 0}, 0, 0}, 0};
    if (!an_session_start(&s, &cfg))
        abort();
    fz_follow_flows(&s, &cfg);
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = 1700000000;
    uint32_t cut = 0;
    bool cutting = false;
    size_t pos = 3;
    while (pos + 2 <= size && r.packets < MAX_PACKETS &&
           !an_engine_stopped(s.eng)) {
        unsigned w = (unsigned)data[pos] << 8 | data[pos + 1];
        pos += 2;
        if (w < 0xC000u) {
            uint32_t len = w < size - pos ? w : (uint32_t)(size - pos);
            h.len = len;
            h.caplen = cutting && cut < len ? cut : len;
            cutting = false;
            h.ts.tv_usec++;
            feed(&r, dlt, &h, data + pos);
            pos += len;
        } else if (w < 0xE000u) {
            cut = w & 0x1FFFu;
            cutting = true;
        } else if (w < 0xF000u) {
            for (unsigned i = 0; i < (w & 0xFFFu) && r.prev &&
                                 r.packets < MAX_PACKETS &&
                                 !an_engine_stopped(s.eng);
                 i++) {
                h = r.prev_h;
                h.ts.tv_usec++;
                feed(&r, dlt, &h, r.prev); /* copied before it is freed */
            }
        } else if (w < 0xFFFFu) {
            h.ts.tv_usec += (long)(w & 0xFFFu) * 1000;
        } else if (pos + 8 <= size) {
            h.ts.tv_sec = get32(data + pos);
            h.ts.tv_usec = get32(data + pos + 4);
            pos += 8;
        } else {
            break;
        }
    }
    an_session_end(&s);
    fz_output_check(&out, &s, s.nmatch > 0);
    const an_totals *t = an_engine_totals(s.eng);
    FZ_CHECK(t->packets == r.packets, "every packet counted");
    FZ_CHECK(t->mem_peak <= cfg.mem_cap + fz_conn_bound(&cfg, 0xC000u) +
                                2 * 100000 * sizeof(void *),
             "peak memory within the caps");
    after_packet(&r); /* the accounting still right after the end */
    an_session_free(&s);
    free(r.prev);
    if (s.dumper)
        pcap_dump_close(s.dumper);
    if (dead)
        pcap_close(dead);
    FZ_CHECK(!fz_heap_tracked() || fz_heap() == heap_start,
             "a run frees everything");
    return 0;
}
