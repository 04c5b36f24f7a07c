/*
 * Test-side capture builder: writes pcap files through libpcap's
 * pcap_open_dead / pcap_dump with hand-assembled link, IP, TCP and UDP
 * headers, so the tests control every byte the analyzer will see
 * (reordering, retransmissions, truncation, VLAN tags, extension headers,
 * fragments, Ethernet padding). Independent of the analyzer's own code.
 */
#ifndef CB_CAPBUILD_H
#define CB_CAPBUILD_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tamtam/tamtam.h"

#define CB_FIN 0x01
#define CB_SYN 0x02
#define CB_RST 0x04
#define CB_PSH 0x08
#define CB_ACK 0x10

typedef struct cb_ep {
    uint8_t ipver; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
} cb_ep;

/* Per-packet shape. Zero-initialised means: plain, padded Ethernet. */
typedef struct cb_opts {
    int vlan_tags;        /* 0; 1: 802.1Q; 2: QinQ (0x88a8 outer, 0x8100) */
    int v6_ext;           /* IPv6 extension headers before TCP/UDP (0..3):
                             hop-by-hop, destination options, routing */
    bool no_pad;          /* Ethernet: no padding to the 60-byte minimum */
    uint32_t cut;         /* when non-zero, capture at most this many bytes */
} cb_opts;

typedef struct cb_file {
    pcap_t *dead;
    pcap_dumper_t *dump;
    int dlt;
    uint32_t snaplen;
    unsigned packets;
    uint16_t ip_id;
} cb_file;

/* Opens `path` for writing with link type `dlt` (DLT_EN10MB, DLT_LINUX_SLL,
 * DLT_LINUX_SLL2, DLT_NULL, DLT_RAW, ...) and `snaplen`. Aborts the test
 * program on failure. */
void cb_open(cb_file *f, const char *path, int dlt, uint32_t snaplen);
void cb_close(cb_file *f);

cb_ep cb_v4(const char *addr, uint16_t port);
cb_ep cb_v6(const char *addr, uint16_t port);

/* One TCP segment / UDP datagram. ts in microseconds. */
void cb_tcp(cb_file *f, uint64_t ts, const cb_ep *src, const cb_ep *dst,
            uint32_t seq, uint32_t ack, uint8_t flags, const void *payload,
            size_t len, const cb_opts *o);
void cb_udp(cb_file *f, uint64_t ts, const cb_ep *src, const cb_ep *dst,
            const void *payload, size_t len, const cb_opts *o);

/* One TCP segment as IPv4 fragments carrying `frag` bytes of IP payload
 * each (a multiple of 8). */
void cb_tcp_fragmented(cb_file *f, uint64_t ts, const cb_ep *src,
                       const cb_ep *dst, uint32_t seq, uint32_t ack,
                       uint8_t flags, const void *payload, size_t len,
                       size_t frag);

/* One UDP datagram as IP fragments (IPv4, or IPv6 with a fragment header)
 * of `frag` bytes of UDP data each (a multiple of 8), written in `order`
 * (indexes of fragments, may repeat or omit; NULL: in order). With `flip`
 * non-zero, a fragment written a second time has its last byte XORed with
 * it (a copy that differs). Timestamps ts, ts+1, ... */
void cb_udp_fragmented(cb_file *f, uint64_t ts, const cb_ep *src,
                       const cb_ep *dst, const void *payload, size_t len,
                       size_t frag, const unsigned *order, size_t norder,
                       uint8_t flip);

/* Writes `len` raw link-layer bytes as one packet. */
void cb_raw(cb_file *f, uint64_t ts, const void *pkt, size_t len);

/* A TCP connection between a (side 0, the client) and b (side 1). Offsets
 * are stream offsets: 0 is the first byte after the SYN. */
typedef struct cb_conn {
    cb_file *f;
    cb_ep ep[2];
    uint32_t isn[2];
    uint64_t ts;       /* advanced by 100 us per packet */
    uint32_t sent[2];  /* next stream offset of each side (cb_conn_send) */
    cb_opts opts;
} cb_conn;

/* Writes the three-way handshake. */
void cb_conn_open(cb_conn *c, cb_file *f, cb_ep client, cb_ep server,
                  uint32_t isn_client, uint32_t isn_server);
/* The same, every packet of the connection shaped by `o`. */
void cb_conn_open_with(cb_conn *c, cb_file *f, cb_ep client, cb_ep server,
                       uint32_t isn_client, uint32_t isn_server,
                       const cb_opts *o);
/* Sets up the connection without writing a handshake (midstream). */
void cb_conn_init(cb_conn *c, cb_file *f, cb_ep client, cb_ep server,
                  uint32_t isn_client, uint32_t isn_server);
/* Side `s` sends `len` bytes at its current offset, acknowledging
 * everything the other side sent so far. */
void cb_conn_send(cb_conn *c, int s, const void *data, size_t len);
/* Side `s` sends `len` bytes at stream offset `off` (no bookkeeping),
 * acknowledging the other side's offset `ack`. */
void cb_conn_seg(cb_conn *c, int s, uint32_t off, const void *data,
                 size_t len, uint32_t ack);
/* Side `s` sends a pure ACK of the other side's offset `ack`. */
void cb_conn_ack(cb_conn *c, int s, uint32_t ack);
/* FIN from each side, then the last ACK. */
void cb_conn_close(cb_conn *c);

/* Encodes a frame with libtamtam into out (cap bytes) under CRC-8/SMBUS.
 * Returns the frame length. `flags` is TT_FLAG_* bits. */
size_t cb_frame(uint8_t *out, size_t cap, unsigned cls, unsigned dir,
                unsigned size_id, unsigned flags, unsigned channel,
                unsigned dest, const void *payload, unsigned used_len);

/* Same under variant `crc`. */
size_t cb_frame_crc(uint8_t *out, size_t cap, tt_crc crc, unsigned cls,
                    unsigned dir, unsigned size_id, unsigned flags,
                    unsigned channel, unsigned dest, const void *payload,
                    unsigned used_len);

#endif
