/* Test-side capture builder (see capbuild.h). */
#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capbuild.h"

#define PKT_MAX 70000

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "capbuild: %s: %s\n", what, detail);
    exit(99);
}

void cb_open(cb_file *f, const char *path, int dlt, uint32_t snaplen)
{
    memset(f, 0, sizeof *f);
    f->dead = pcap_open_dead_with_tstamp_precision(
        dlt, (int)snaplen, PCAP_TSTAMP_PRECISION_MICRO);
    if (!f->dead)
        die(path, "pcap_open_dead failed");
    f->dump = pcap_dump_open(f->dead, path);
    if (!f->dump)
        die(path, pcap_geterr(f->dead));
    f->dlt = dlt;
    f->snaplen = snaplen;
    f->ip_id = 1;
}

void cb_close(cb_file *f)
{
    pcap_dump_close(f->dump);
    pcap_close(f->dead);
}

cb_ep cb_v4(const char *addr, uint16_t port)
{
    cb_ep e = {.ipver = 4, .port = port};
    if (inet_pton(AF_INET, addr, e.addr) != 1)
        die("bad IPv4 address", addr);
    return e;
}

cb_ep cb_v6(const char *addr, uint16_t port)
{
    cb_ep e = {.ipver = 6, .port = port};
    if (inet_pton(AF_INET6, addr, e.addr) != 1)
        die("bad IPv6 address", addr);
    return e;
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFF);
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

/* Transport checksum over the pseudo header and `n` bytes of segment. */
static uint16_t l4_sum(const cb_ep *src, const cb_ep *dst, uint8_t proto,
                       const uint8_t *seg, size_t n)
{
    size_t alen = src->ipver == 4 ? 4 : 16;
    uint32_t s = sum16(0, src->addr, alen);
    s = sum16(s, dst->addr, alen);
    s += proto + (uint32_t)n;
    return fold(sum16(s, seg, n));
}

/* Writes the IP header (and IPv6 extension headers) for `l4len` bytes of
 * protocol `proto` at out; returns the header length. frag_word is the
 * IPv4 flags/offset field. */
static size_t ip_header(uint8_t *out, const cb_ep *src,
                        const cb_ep *dst, uint8_t proto, size_t l4len,
                        const cb_opts *o, uint16_t frag_word, uint16_t id)
{
    if (src->ipver == 4) {
        memset(out, 0, 20);
        out[0] = 0x45;
        put16(out + 2, (unsigned)(20 + l4len));
        put16(out + 4, id);
        put16(out + 6, frag_word);
        out[8] = 64;
        out[9] = proto;
        memcpy(out + 12, src->addr, 4);
        memcpy(out + 16, dst->addr, 4);
        put16(out + 10, fold(sum16(0, out, 20)));
        return 20;
    }
    static const uint8_t ext_types[3] = {0, 60, 43};
    int next = o ? o->v6_ext : 0;
    if (next < 0 || next > 3)
        die("v6_ext", "0 to 3 extension headers");
    size_t h = 40 + 8u * (size_t)next;
    memset(out, 0, h);
    out[0] = 0x60;
    put16(out + 4, (unsigned)(h - 40 + l4len));
    out[6] = next ? ext_types[0] : proto;
    out[7] = 64;
    memcpy(out + 8, src->addr, 16);
    memcpy(out + 24, dst->addr, 16);
    for (int i = 0; i < next; i++) {
        uint8_t *e = out + 40 + 8 * i;
        e[0] = i + 1 < next ? ext_types[i + 1] : proto;
        e[1] = 0; /* 8 bytes */
        if (ext_types[i] != 43) {
            e[2] = 1; /* PadN option filling the header */
            e[3] = 4;
        }
    }
    return h;
}

/* Wraps the IP packet at ip (iplen bytes) in the file's link layer and
 * writes it. */
static void emit(cb_file *f, uint64_t ts, const uint8_t *ip, size_t iplen,
                 int ipver, const cb_opts *o)
{
    static uint8_t pkt[PKT_MAX + 64];
    size_t h = 0;
    unsigned etype = ipver == 4 ? 0x0800 : 0x86DD;
    switch (f->dlt) {
    case DLT_EN10MB: {
        static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
        memcpy(pkt, macs, 12);
        h = 12;
        int tags = o ? o->vlan_tags : 0;
        for (int i = 0; i < tags; i++) {
            put16(pkt + h, tags == 2 && i == 0 ? 0x88A8 : 0x8100);
            put16(pkt + h + 2, (unsigned)(100 + i));
            h += 4;
        }
        put16(pkt + h, etype);
        h += 2;
        break;
    }
    case DLT_LINUX_SLL:
        memset(pkt, 0, 16);
        put16(pkt + 2, 1);  /* ARPHRD_ETHER */
        put16(pkt + 4, 6);  /* address length */
        pkt[6] = 2;
        put16(pkt + 14, etype);
        h = 16;
        break;
    case DLT_LINUX_SLL2:
        memset(pkt, 0, 20);
        put16(pkt, etype);
        put32(pkt + 4, 1);  /* ifindex */
        put16(pkt + 8, 1);  /* ARPHRD_ETHER */
        pkt[11] = 6;
        pkt[12] = 2;
        h = 20;
        break;
    case DLT_NULL: {
        /* Host byte order of the writer; IPv6 as Darwin numbers it. */
        uint32_t af = ipver == 4 ? 2 : 30;
        memcpy(pkt, &af, 4);
        h = 4;
        break;
    }
    case DLT_LOOP:
        put32(pkt, ipver == 4 ? 2 : 24);
        h = 4;
        break;
    default: /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
        break;
    }
    if (h + iplen > sizeof pkt)
        die("packet", "too large");
    memcpy(pkt + h, ip, iplen);
    size_t len = h + iplen;
    if (f->dlt == DLT_EN10MB && len < 60 && !(o && o->no_pad)) {
        memset(pkt + len, 0, 60 - len); /* the zeros Ethernet pads with */
        len = 60;
    }
    size_t cap = len < f->snaplen ? len : f->snaplen;
    if (o && o->cut && o->cut < cap)
        cap = o->cut;
    struct pcap_pkthdr ph;
    ph.ts.tv_sec = (time_t)(ts / 1000000u);
    ph.ts.tv_usec = (suseconds_t)(ts % 1000000u);
    ph.caplen = (bpf_u_int32)cap;
    ph.len = (bpf_u_int32)len;
    pcap_dump((u_char *)f->dump, &ph, pkt);
    f->packets++;
}

void cb_raw(cb_file *f, uint64_t ts, const void *pkt, size_t len)
{
    struct pcap_pkthdr ph;
    ph.ts.tv_sec = (time_t)(ts / 1000000u);
    ph.ts.tv_usec = (suseconds_t)(ts % 1000000u);
    ph.caplen = ph.len = (bpf_u_int32)len;
    pcap_dump((u_char *)f->dump, &ph, pkt);
    f->packets++;
}

static size_t tcp_segment(uint8_t *seg, const cb_ep *src, const cb_ep *dst,
                          uint32_t seq, uint32_t ack, uint8_t flags,
                          const void *payload, size_t len)
{
    memset(seg, 0, 20);
    put16(seg, src->port);
    put16(seg + 2, dst->port);
    put32(seg + 4, seq);
    put32(seg + 8, ack);
    seg[12] = 5 << 4;
    seg[13] = flags;
    put16(seg + 14, 65535);
    if (len)
        memcpy(seg + 20, payload, len);
    put16(seg + 16, l4_sum(src, dst, 6, seg, 20 + len));
    return 20 + len;
}

void cb_tcp(cb_file *f, uint64_t ts, const cb_ep *src, const cb_ep *dst,
            uint32_t seq, uint32_t ack, uint8_t flags, const void *payload,
            size_t len, const cb_opts *o)
{
    static uint8_t ip[PKT_MAX];
    uint8_t seg[PKT_MAX];
    if (len > PKT_MAX - 200)
        die("tcp", "segment too large");
    size_t sl = tcp_segment(seg, src, dst, seq, ack, flags, payload, len);
    size_t h = ip_header(ip, src, dst, 6, sl, o, 0x4000, f->ip_id++);
    memcpy(ip + h, seg, sl);
    emit(f, ts, ip, h + sl, src->ipver, o);
}

void cb_udp(cb_file *f, uint64_t ts, const cb_ep *src, const cb_ep *dst,
            const void *payload, size_t len, const cb_opts *o)
{
    static uint8_t ip[PKT_MAX];
    uint8_t seg[PKT_MAX];
    if (len > PKT_MAX - 200)
        die("udp", "datagram too large");
    memset(seg, 0, 8);
    put16(seg, src->port);
    put16(seg + 2, dst->port);
    put16(seg + 4, (unsigned)(8 + len));
    if (len)
        memcpy(seg + 8, payload, len);
    put16(seg + 6, l4_sum(src, dst, 17, seg, 8 + len));
    size_t h = ip_header(ip, src, dst, 17, 8 + len, o, 0x4000, f->ip_id++);
    memcpy(ip + h, seg, 8 + len);
    emit(f, ts, ip, h + 8 + len, src->ipver, o);
}

void cb_tcp_fragmented(cb_file *f, uint64_t ts, const cb_ep *src,
                       const cb_ep *dst, uint32_t seq, uint32_t ack,
                       uint8_t flags, const void *payload, size_t len,
                       size_t frag)
{
    static uint8_t ip[PKT_MAX];
    uint8_t seg[PKT_MAX];
    size_t sl = tcp_segment(seg, src, dst, seq, ack, flags, payload, len);
    uint16_t id = f->ip_id++;
    for (size_t at = 0; at < sl; at += frag) {
        size_t n = sl - at < frag ? sl - at : frag;
        uint16_t word = (uint16_t)((at / 8) | (at + n < sl ? 0x2000 : 0));
        size_t h = ip_header(ip, src, dst, 6, n, NULL, word, id);
        memcpy(ip + h, seg + at, n);
        emit(f, ts, ip, h + n, 4, NULL);
    }
}

void cb_udp_fragmented(cb_file *f, uint64_t ts, const cb_ep *src,
                       const cb_ep *dst, const void *payload, size_t len,
                       size_t frag, const unsigned *order, size_t norder,
                       uint8_t flip)
{
    static uint8_t ip[PKT_MAX];
    static uint8_t seg[PKT_MAX];
    if (len + 8 > PKT_MAX - 200 || frag % 8 || !frag)
        die("udp_fragmented", "datagram too large or fragment size not 8k");
    memset(seg, 0, 8);
    put16(seg, src->port);
    put16(seg + 2, dst->port);
    put16(seg + 4, (unsigned)(8 + len));
    memcpy(seg + 8, payload, len);
    put16(seg + 6, l4_sum(src, dst, 17, seg, 8 + len));
    size_t sl = 8 + len, nfrag = (sl + frag - 1) / frag;
    uint32_t id = f->ip_id++;
    bool sent[PKT_MAX / 8] = {false};
    for (size_t k = 0; k < (order ? norder : nfrag); k++) {
        size_t i = order ? order[k] : k;
        if (i >= nfrag)
            die("udp_fragmented", "order names a fragment past the last");
        size_t at = i * frag, n = sl - at < frag ? sl - at : frag;
        bool more = at + n < sl;
        uint8_t data[PKT_MAX];
        memcpy(data, seg + at, n);
        if (flip && sent[i])
            data[n - 1] ^= flip; /* a later copy that differs */
        sent[i] = true;
        size_t h;
        if (src->ipver == 4) {
            h = ip_header(ip, src, dst, 17, n, NULL,
                          (uint16_t)((at / 8) | (more ? 0x2000 : 0)),
                          (uint16_t)id);
        } else {
            /* IPv6: a fragment header (44) before the UDP bytes. */
            h = ip_header(ip, src, dst, 44, 8 + n, NULL, 0, 0);
            uint8_t *fh = ip + h;
            memset(fh, 0, 8);
            fh[0] = 17;
            put16(fh + 2, (unsigned)(at | (more ? 1u : 0u)));
            put32(fh + 4, 0x1000u + id);
            h += 8;
        }
        memcpy(ip + h, data, n);
        emit(f, ts + k, ip, h + n, src->ipver, NULL);
    }
}

/* ---- connections ---------------------------------------------------------- */

void cb_conn_init(cb_conn *c, cb_file *f, cb_ep client, cb_ep server,
                  uint32_t isn_client, uint32_t isn_server)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    c->ep[0] = client;
    c->ep[1] = server;
    c->isn[0] = isn_client;
    c->isn[1] = isn_server;
    c->ts = 1700000000000000ull;
}

static uint64_t tick(cb_conn *c)
{
    c->ts += 100;
    return c->ts;
}

void cb_conn_open(cb_conn *c, cb_file *f, cb_ep client, cb_ep server,
                  uint32_t isn_client, uint32_t isn_server)
{
    cb_conn_open_with(c, f, client, server, isn_client, isn_server, NULL);
}

void cb_conn_open_with(cb_conn *c, cb_file *f, cb_ep client, cb_ep server,
                       uint32_t isn_client, uint32_t isn_server,
                       const cb_opts *o)
{
    cb_conn_init(c, f, client, server, isn_client, isn_server);
    if (o)
        c->opts = *o;
    cb_tcp(f, tick(c), &c->ep[0], &c->ep[1], isn_client, 0, CB_SYN, NULL, 0,
           &c->opts);
    cb_tcp(f, tick(c), &c->ep[1], &c->ep[0], isn_server, isn_client + 1,
           CB_SYN | CB_ACK, NULL, 0, &c->opts);
    cb_tcp(f, tick(c), &c->ep[0], &c->ep[1], isn_client + 1, isn_server + 1,
           CB_ACK, NULL, 0, &c->opts);
}

void cb_conn_seg(cb_conn *c, int s, uint32_t off, const void *data,
                 size_t len, uint32_t ack)
{
    cb_tcp(c->f, tick(c), &c->ep[s], &c->ep[1 - s], c->isn[s] + 1 + off,
           c->isn[1 - s] + 1 + ack, CB_ACK | CB_PSH, data, len, &c->opts);
}

void cb_conn_send(cb_conn *c, int s, const void *data, size_t len)
{
    cb_conn_seg(c, s, c->sent[s], data, len, c->sent[1 - s]);
    c->sent[s] += (uint32_t)len;
}

void cb_conn_ack(cb_conn *c, int s, uint32_t ack)
{
    cb_tcp(c->f, tick(c), &c->ep[s], &c->ep[1 - s], c->isn[s] + 1 + c->sent[s],
           c->isn[1 - s] + 1 + ack, CB_ACK, NULL, 0, &c->opts);
}

void cb_conn_close(cb_conn *c)
{
    uint32_t fin0 = c->isn[0] + 1 + c->sent[0];
    uint32_t fin1 = c->isn[1] + 1 + c->sent[1];
    cb_tcp(c->f, tick(c), &c->ep[0], &c->ep[1], fin0, fin1, CB_FIN | CB_ACK,
           NULL, 0, &c->opts);
    cb_tcp(c->f, tick(c), &c->ep[1], &c->ep[0], fin1, fin0 + 1,
           CB_FIN | CB_ACK, NULL, 0, &c->opts);
    cb_tcp(c->f, tick(c), &c->ep[0], &c->ep[1], fin0 + 1, fin1 + 1, CB_ACK,
           NULL, 0, &c->opts);
}

/* ---- frames ---------------------------------------------------------------- */

size_t cb_frame_crc(uint8_t *out, size_t cap, tt_crc crc, unsigned cls,
                    unsigned dir, unsigned size_id, unsigned flags,
                    unsigned channel, unsigned dest, const void *payload,
                    unsigned used_len)
{
    tt_frame fr = {0};
    fr.cls = (uint8_t)cls;
    fr.direction = (uint8_t)dir;
    fr.size_id = (uint8_t)size_id;
    fr.big = flags & TT_FLAG_BIG;
    fr.ack = flags & TT_FLAG_ACK;
    fr.priority = flags & TT_FLAG_PRIORITY;
    fr.has_ext = flags & TT_FLAG_EXT;
    fr.channel = (uint8_t)channel;
    fr.dest = (uint16_t)dest;
    fr.used_len = (uint16_t)used_len;
    fr.payload = payload;
    int n = tt_encode(&fr, crc, out, cap);
    if (n < 0)
        die("tt_encode", tt_error_name(n));
    return (size_t)n;
}

size_t cb_frame(uint8_t *out, size_t cap, unsigned cls, unsigned dir,
                unsigned size_id, unsigned flags, unsigned channel,
                unsigned dest, const void *payload, unsigned used_len)
{
    return cb_frame_crc(out, cap, TT_CRC_SMBUS, cls, dir, size_id, flags,
                        channel, dest, payload, used_len);
}
