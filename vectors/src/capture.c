/*
 * `pcap DIR OUT` / `pcapng DIR OUT`: the vectors of DIR as network traffic.
 *
 * Every frame vector gets its own TCP connection (handshake, the bytes in
 * segments of at most 1460, FIN exchange, every segment acknowledged), so an
 * invalid or truncated vector cannot disturb the next, and then one UDP
 * datagram. Every stream vector gets a TCP connection whose segments end at
 * its chunk boundaries (chunks above 1460 bytes are split). Client 10.0.0.1,
 * server 10.0.0.2 port 4774; the client port names the vector (README).
 * Timestamps are fixed, so the files are the same on every run.
 *
 * Frames are Ethernet II, padded to the 60-byte minimum like on a wire. The
 * largest UDP datagrams (8200-byte frames) exceed a 1500-byte MTU: they are
 * sent whole, as on a jumbo-frame link, never as IPv4 fragments, so that one
 * packet carries one vector.
 *
 * pcap goes through libpcap (pcap_open_dead, pcap_dump). libpcap 1.10 cannot
 * write pcapng, so the pcapng blocks (SHB, IDB, EPB) are written here: that
 * keeps the file byte-identical across Wireshark versions (editcap stamps its
 * own version into the file) and lets each packet carry its vector id as a
 * packet comment.
 *
 * capture_tcp writes other protocols' captures (the Splinter set's
 * pcap/splinter.pcap, port 4775) with the same connections, addresses and
 * clock: one TCP connection per vector, the bytes it is given.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "ttj.h"
#include "vectors.h"

#define SERVER_PORT 4774
/* Client ports: a vector's index in its file plus a base. Both ranges hold
 * no port that Wireshark 4.0 gives to a dissector, so without a TamTam
 * dissector the payload shows as plain data. */
#define FRAME_PORT_BASE 37010 /* + index in core-frame.json, to 41169 */
#define FRAME_PORT_LAST 41169
#define STREAM_PORT_BASE 61000 /* + index in core-stream.json */
#define STREAM_PORT_LAST 65535
#define MSS 1460
#define SNAPLEN 65535
#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20
#define UDP_LEN 8
#define ETH_MIN 60        /* without FCS */
#define UDP_DATA_MAX 8900 /* jumbo frame, MTU 9000 */
#define STREAM_MAX (1u << 20)
#define TS_BASE_SEC 1700000000u
#define TS_STEP_US 100u

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_PSH = 0x08, TCP_ACK = 0x10 };

static const uint8_t mac[2][6] = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
                                  {0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
static const uint8_t ip[2][4] = {{10, 0, 0, 1}, {10, 0, 0, 2}};

/* Where packets go: a libpcap dumper or a pcapng file. */
typedef struct sink {
    pcap_t *pcap;
    pcap_dumper_t *dump;
    FILE *ng;
    uint64_t packets; /* written so far; the next is number packets+1 */
    const char *comment;
    uint16_t sport; /* the server's port */
    bool failed;
} sink;

static void put32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32be(uint8_t *p, uint32_t v)
{
    tt_put_u16be(p, (uint16_t)(v >> 16));
    tt_put_u16be(p + 2, (uint16_t)v);
}

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* One pcapng block: type, total length, body (zero-padded), total length. */
static void ng_block(sink *s, uint32_t type, const uint8_t *body, size_t len)
{
    uint8_t head[8], tail[4], zero[4] = {0};
    size_t total = 12 + pad4(len);
    put32le(head, type);
    put32le(head + 4, (uint32_t)total);
    put32le(tail, (uint32_t)total);
    if (fwrite(head, 1, 8, s->ng) != 8 || fwrite(body, 1, len, s->ng) != len ||
        fwrite(zero, 1, pad4(len) - len, s->ng) != pad4(len) - len ||
        fwrite(tail, 1, 4, s->ng) != 4)
        s->failed = true;
}

/* An option: code, length, value padded to 4. Returns bytes written. */
static size_t ng_option(uint8_t *p, uint16_t code, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    put16le(p, code);
    put16le(p + 2, (uint16_t)n);
    memset(p + 4, 0, pad4(n));
    /* pcapng option values are length-prefixed, not NUL-terminated. */
    if (n)
        memcpy(p + 4, text, n); // NOLINT(bugprone-not-null-terminated-result)
    return 4 + pad4(n);
}

static void ng_header(sink *s)
{
    uint8_t b[64];
    put32le(b, 0x1A2B3C4D); /* byte-order magic */
    put16le(b + 4, 1);      /* version 1.0 */
    put16le(b + 6, 0);
    memset(b + 8, 0xFF, 8); /* section length unknown */
    size_t n = 16 + ng_option(b + 16, 4, "tamtam-vectors"); /* shb_userappl */
    n += ng_option(b + n, 0, NULL);
    ng_block(s, 0x0A0D0D0A, b, n);
    put16le(b, DLT_EN10MB);
    put16le(b + 2, 0);
    put32le(b + 4, SNAPLEN);
    ng_block(s, 1, b, 8); /* interface description, no options */
}

static void emit(sink *s, const uint8_t *pkt, size_t len)
{
    uint64_t us = (uint64_t)TS_BASE_SEC * 1000000u + s->packets * TS_STEP_US;
    s->packets++;
    if (s->dump) {
        struct pcap_pkthdr h;
        h.ts.tv_sec = (time_t)(us / 1000000u);
        h.ts.tv_usec = (suseconds_t)(us % 1000000u);
        h.caplen = h.len = (bpf_u_int32)len;
        pcap_dump((u_char *)s->dump, &h, pkt);
        return;
    }
    static uint8_t
        b[20 + ETH_LEN + IP_LEN + UDP_LEN + UDP_DATA_MAX + 64 + VEC_ID_MAX + 8];
    put32le(b, 0); /* interface 0 */
    put32le(b + 4, (uint32_t)(us >> 32));
    put32le(b + 8, (uint32_t)us);
    put32le(b + 12, (uint32_t)len);
    put32le(b + 16, (uint32_t)len);
    memcpy(b + 20, pkt, len);
    memset(b + 20 + len, 0, pad4(len) - len);
    size_t n = 20 + pad4(len);
    n += ng_option(b + n, 1, s->comment); /* opt_comment: the vector id */
    n += ng_option(b + n, 0, NULL);
    ng_block(s, 6, b, n); /* enhanced packet block */
}

/* The Internet checksum (RFC 1071) of the pseudo header sum `acc` plus
 * `len` bytes. */
static uint16_t checksum(uint32_t acc, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        acc += tt_get_u16be(p + i);
    if (len & 1)
        acc += (uint32_t)p[len - 1] << 8;
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)~acc;
}

/* Writes Ethernet and IPv4 headers for `l4_len` bytes of `proto` from the
 * client (dir 0) or the server (dir 1); returns the offset of layer 4. */
static size_t eth_ip(uint8_t *p, int dir, uint8_t proto, size_t l4_len,
                     uint16_t ip_id)
{
    memcpy(p, mac[!dir], 6);
    memcpy(p + 6, mac[dir], 6);
    tt_put_u16be(p + 12, 0x0800);
    uint8_t *h = p + ETH_LEN;
    h[0] = 0x45; /* IPv4, 20-byte header */
    h[1] = 0;
    tt_put_u16be(h + 2, (uint16_t)(IP_LEN + l4_len));
    tt_put_u16be(h + 4, ip_id);
    tt_put_u16be(h + 6, 0x4000); /* don't fragment */
    h[8] = 64;
    h[9] = proto;
    tt_put_u16be(h + 10, 0);
    memcpy(h + 12, ip[dir], 4);
    memcpy(h + 16, ip[!dir], 4);
    tt_put_u16be(h + 10, checksum(0, h, IP_LEN));
    return ETH_LEN + IP_LEN;
}

static uint32_t pseudo_sum(int dir, uint8_t proto, size_t l4_len)
{
    return (uint32_t)tt_get_u16be(ip[dir]) + tt_get_u16be(ip[dir] + 2) +
           tt_get_u16be(ip[!dir]) + tt_get_u16be(ip[!dir] + 2) + proto +
           (uint32_t)l4_len;
}

static void finish(sink *s, uint8_t *pkt, size_t len)
{
    if (len < ETH_MIN) {
        memset(pkt + len, 0, ETH_MIN - len);
        len = ETH_MIN;
    }
    emit(s, pkt, len);
}

static uint8_t pkt[ETH_LEN + IP_LEN + UDP_LEN + UDP_DATA_MAX + ETH_MIN];

/* A TCP connection from client port `cport` to the server. */
typedef struct conn {
    uint16_t cport;
    uint32_t seq[2]; /* next sequence number of client, server */
} conn;

static void segment(sink *s, conn *c, int dir, uint8_t flags,
                    const uint8_t *data, size_t n)
{
    size_t opt = (flags & TCP_SYN) ? 4 : 0;
    size_t l4 = TCP_LEN + opt + n;
    size_t at = eth_ip(pkt, dir, 6, l4, (uint16_t)s->packets);
    uint8_t *t = pkt + at;
    tt_put_u16be(t, dir ? s->sport : c->cport);
    tt_put_u16be(t + 2, dir ? c->cport : s->sport);
    put32be(t + 4, c->seq[dir]);
    put32be(t + 8, (flags & TCP_ACK) ? c->seq[!dir] : 0);
    t[12] = (uint8_t)(((TCP_LEN + opt) / 4) << 4);
    t[13] = flags;
    tt_put_u16be(t + 14, 65535); /* window */
    tt_put_u16be(t + 16, 0);
    tt_put_u16be(t + 18, 0);
    if (opt) {
        t[20] = 2; /* MSS option */
        t[21] = 4;
        tt_put_u16be(t + 22, MSS);
    }
    if (n)
        memcpy(t + TCP_LEN + opt, data, n);
    tt_put_u16be(t + 16, checksum(pseudo_sum(dir, 6, l4), t, l4));
    finish(s, pkt, at + l4);
    c->seq[dir] += (uint32_t)n + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
}

/* Handshake, the bytes in the given segment sizes (each acknowledged),
 * then the FIN exchange. */
static void tcp_session(sink *s, uint16_t cport, const char *id,
                        const uint8_t *bytes, const size_t *sizes, size_t n)
{
    prng r = prng_from_string(id);
    conn c = {cport, {(uint32_t)prng_next(&r), (uint32_t)prng_next(&r)}};
    segment(s, &c, 0, TCP_SYN, NULL, 0);
    segment(s, &c, 1, TCP_SYN | TCP_ACK, NULL, 0);
    segment(s, &c, 0, TCP_ACK, NULL, 0);
    for (size_t i = 0, at = 0; i < n; at += sizes[i++]) {
        segment(s, &c, 0, TCP_PSH | TCP_ACK, bytes + at, sizes[i]);
        segment(s, &c, 1, TCP_ACK, NULL, 0);
    }
    segment(s, &c, 0, TCP_FIN | TCP_ACK, NULL, 0);
    segment(s, &c, 1, TCP_FIN | TCP_ACK, NULL, 0);
    segment(s, &c, 0, TCP_ACK, NULL, 0);
}

static void udp_datagram(sink *s, uint16_t cport, const uint8_t *data, size_t n)
{
    size_t l4 = UDP_LEN + n;
    size_t at = eth_ip(pkt, 0, 17, l4, (uint16_t)s->packets);
    uint8_t *u = pkt + at;
    tt_put_u16be(u, cport);
    tt_put_u16be(u + 2, s->sport);
    tt_put_u16be(u + 4, (uint16_t)l4);
    tt_put_u16be(u + 6, 0);
    memcpy(u + UDP_LEN, data, n);
    uint16_t sum = checksum(pseudo_sum(0, 17, l4), u, l4);
    tt_put_u16be(u + 6, sum ? sum : 0xFFFF); /* 0 means "no checksum" */
    finish(s, pkt, at + l4);
}

/* Appends sizes of at most MSS that add up to `n`. */
static size_t split(size_t n, size_t *sizes, size_t k)
{
    for (; n > MSS; n -= MSS)
        sizes[k++] = MSS;
    if (n)
        sizes[k++] = n;
    return k;
}

static cJSON *packet_range(uint64_t first, uint64_t last)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateNumber((double)first));
    cJSON_AddItemToArray(a, cJSON_CreateNumber((double)last));
    return a;
}

/* Renders every vector of one file; adds index entries to `index`. */
static int render(sink *s, const cJSON *doc, bool streams, uint8_t *buf,
                  size_t *sizes, cJSON *index)
{
    const cJSON *vectors = cJSON_GetObjectItemCaseSensitive(doc, "vectors");
    if (!cJSON_IsArray(vectors))
        return -1;
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vectors)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "id");
        const cJSON *hex = cJSON_GetObjectItemCaseSensitive(v, "hex");
        long n = cJSON_IsString(hex)
                     ? ttj_hex_decode(hex->valuestring, buf,
                                      streams ? STREAM_MAX : UDP_DATA_MAX)
                     : -1;
        int port = (streams ? STREAM_PORT_BASE : FRAME_PORT_BASE) + i++;
        if (!cJSON_IsString(id) || strlen(id->valuestring) >= VEC_ID_MAX ||
            n < 0 || port > (streams ? STREAM_PORT_LAST : FRAME_PORT_LAST)) {
            fprintf(stderr,
                    "pcap: vector %d has no usable id or hex, or there "
                    "are too many vectors for the port plan\n",
                    i - 1);
            return -1;
        }
        s->comment = id->valuestring;
        size_t k = 0;
        if (streams) {
            const cJSON *c,
                *chunks = cJSON_GetObjectItemCaseSensitive(v, "chunks");
            size_t sum = 0;
            cJSON_ArrayForEach(c, chunks)
            {
                double d = cJSON_IsNumber(c) ? c->valuedouble : 0;
                if (d < 1 || sum + d > (double)n)
                    break;
                k = split((size_t)d, sizes, k);
                sum += (size_t)d;
            }
            if (sum != (size_t)n) {
                fprintf(stderr, "pcap: %s: chunks do not add up to the bytes\n",
                        id->valuestring);
                return -1;
            }
        } else
            k = split((size_t)n, sizes, 0);
        uint64_t first = s->packets + 1;
        tcp_session(s, (uint16_t)port, id->valuestring, buf, sizes, k);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "id", id->valuestring);
        cJSON_AddStringToObject(
            e, "file", streams ? "core-stream.json" : "core-frame.json");
        cJSON_AddNumberToObject(e, "tcp_port", port);
        cJSON_AddItemToObject(e, "tcp_packets",
                              packet_range(first, s->packets));
        if (!streams) {
            udp_datagram(s, (uint16_t)port, buf, (size_t)n);
            cJSON_AddNumberToObject(e, "udp_port", port);
            cJSON_AddNumberToObject(e, "udp_packet", (double)s->packets);
        }
        cJSON_AddItemToArray(index, e);
    }
    return 0;
}

static cJSON *load(const char *dir, const char *name)
{
    char path[FILE_PATH_MAX];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = file_read(path, 512u << 20, &len);
    cJSON *doc =
        text ? cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1) : NULL;
    if (!doc)
        fprintf(stderr, "pcap: cannot read %s as JSON\n", path);
    free(text);
    return doc;
}

int cmd_pcap(const char *dir, const char *out, bool pcapng,
             const char *index_path)
{
    cJSON *frames = load(dir, "core-frame.json");
    cJSON *streams = load(dir, "core-stream.json");
    uint8_t *buf = malloc(STREAM_MAX);
    size_t *sizes = malloc(STREAM_MAX * sizeof *sizes);
    cJSON *index = cJSON_CreateObject();
    char tmp[FILE_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    sink s = {0};
    s.sport = SERVER_PORT;
    int rc = 2;
    if (!frames || !streams || !buf || !sizes || !index)
        goto done;
    if (pcapng) {
        s.ng = fopen(tmp, "wb");
        if (s.ng)
            ng_header(&s);
    } else {
        s.pcap = pcap_open_dead(DLT_EN10MB, SNAPLEN);
        s.dump = s.pcap ? pcap_dump_open(s.pcap, tmp) : NULL;
    }
    if (!s.ng && !s.dump) {
        fprintf(stderr, "pcap: cannot write %s: %s\n", tmp,
                s.pcap ? pcap_geterr(s.pcap) : strerror(errno));
        goto done;
    }
    /* The index names the capture file without its directory. */
    const char *base = strrchr(out, '/');
    cJSON_AddStringToObject(index, "capture", base ? base + 1 : out);
    cJSON_AddStringToObject(index, "client", "10.0.0.1");
    cJSON_AddStringToObject(index, "server", "10.0.0.2:4774");
    cJSON *all = cJSON_AddArrayToObject(index, "vectors");
    bool ok = render(&s, frames, false, buf, sizes, all) == 0 &&
              render(&s, streams, true, buf, sizes, all) == 0;
    if (s.dump) {
        ok = ok && pcap_dump_flush(s.dump) == 0;
        pcap_dump_close(s.dump);
    } else
        ok = fclose(s.ng) == 0 && ok && !s.failed;
    if (!ok || rename(tmp, out) != 0) {
        fprintf(stderr, "pcap: cannot write %s\n", out);
        remove(tmp);
        goto done;
    }
    rc = 0;
    printf("%s: %llu packets\n", out, (unsigned long long)s.packets);
    if (index_path) {
        cJSON_AddNumberToObject(index, "packets", (double)s.packets);
        rc = file_write_json_lines(index_path, index, "vectors") ? 2 : 0;
    }
done:
    if (s.pcap)
        pcap_close(s.pcap);
    cJSON_Delete(index);
    cJSON_Delete(frames);
    cJSON_Delete(streams);
    free(buf);
    free(sizes);
    return rc;
}

int capture_tcp(const char *out, const char *index_path, uint16_t server_port,
                const capture_conn *conns, size_t n)
{
    char tmp[FILE_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    sink s = {0};
    s.sport = server_port;
    cJSON *index = cJSON_CreateObject();
    char server[32];
    snprintf(server, sizeof server, "10.0.0.2:%u", (unsigned)server_port);
    const char *base = strrchr(out, '/');
    cJSON *all = index ? cJSON_AddArrayToObject(index, "vectors") : NULL;
    bool ok = all && cJSON_AddStringToObject(index, "capture",
                                             base ? base + 1 : out) &&
              cJSON_AddStringToObject(index, "client", "10.0.0.1") &&
              cJSON_AddStringToObject(index, "server", server);
    s.pcap = ok ? pcap_open_dead(DLT_EN10MB, SNAPLEN) : NULL;
    s.dump = s.pcap ? pcap_dump_open(s.pcap, tmp) : NULL;
    if (!s.dump) {
        fprintf(stderr, "pcap: cannot write %s: %s\n", tmp,
                s.pcap ? pcap_geterr(s.pcap) : "out of memory");
        ok = false;
    }
    for (size_t i = 0; ok && i < n; i++) {
        const capture_conn *c = &conns[i];
        size_t *sizes = malloc((c->len / MSS + 2) * sizeof *sizes);
        if (!sizes || strlen(c->id) >= VEC_ID_MAX) {
            free(sizes);
            ok = false;
            break;
        }
        size_t k = split(c->len, sizes, 0);
        uint64_t first = s.packets + 1;
        s.comment = c->id;
        tcp_session(&s, c->port, c->id, c->bytes, sizes, k);
        free(sizes);
        cJSON *e = cJSON_CreateObject();
        ok = e && cJSON_AddStringToObject(e, "id", c->id) &&
             cJSON_AddStringToObject(e, "file", c->file) &&
             cJSON_AddNumberToObject(e, "tcp_port", c->port) &&
             cJSON_AddItemToObject(e, "tcp_packets",
                                   packet_range(first, s.packets));
        if (!ok || !cJSON_AddItemToArray(all, e)) {
            cJSON_Delete(e);
            ok = false;
        }
    }
    if (s.dump) {
        ok = pcap_dump_flush(s.dump) == 0 && ok;
        pcap_dump_close(s.dump);
    }
    if (s.pcap)
        pcap_close(s.pcap);
    if (!ok || rename(tmp, out) != 0) {
        fprintf(stderr, "pcap: cannot write %s\n", out);
        remove(tmp);
        cJSON_Delete(index);
        return -1;
    }
    int rc = 0;
    if (index_path) {
        cJSON_AddNumberToObject(index, "packets", (double)s.packets);
        rc = file_write_json_lines(index_path, index, "vectors");
    }
    cJSON_Delete(index);
    return rc;
}
