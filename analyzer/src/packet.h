/*
 * Link, IP and transport header parsing for the analyzer: from one captured
 * packet to addresses, ports, TCP sequence fields and the transport payload.
 * Lengths come from the IP (and UDP) headers, never from the captured length:
 * Ethernet pads short frames with zeros, and zeros are valid TamTam frames.
 */
#ifndef AN_PACKET_H
#define AN_PACKET_H

#include <stdbool.h>
#include <stdint.h>

/* Outcomes of an_packet_parse. X(ID, name) */
#define AN_PKT_MAP(X)                                                          \
    X(OK, "ok")                                                                \
    X(UNSUPPORTED_LINK, "unsupported_link")                                    \
    X(NOT_IP, "not_ip")                                                        \
    X(MALFORMED, "malformed")                                                  \
    X(FRAGMENT, "fragment")                                                    \
    X(OTHER_PROTO, "other_proto")

typedef enum an_pkt_result {
#define AN__PKT_ENUM(id, name) AN_PKT_##id,
    AN_PKT_MAP(AN__PKT_ENUM)
#undef AN__PKT_ENUM
    AN_PKT_COUNT
} an_pkt_result;

/* Returns the name of a parse outcome ("malformed"), or "?" when unknown. */
const char *an_pkt_result_name(an_pkt_result r);

#define AN_TCP_FIN 0x01u
#define AN_TCP_SYN 0x02u
#define AN_TCP_RST 0x04u
#define AN_TCP_ACK 0x10u

#define AN_PROTO_TCP 6u
#define AN_PROTO_UDP 17u

typedef struct an_packet {
    uint8_t ipver; /* 4 or 6 */
    uint8_t proto; /* AN_PROTO_TCP / AN_PROTO_UDP (the fragment's for FRAGMENT) */
    uint8_t src[16], dst[16]; /* IPv4 uses the first 4 bytes, rest zero */
    uint16_t sport, dport;
    /* TCP only */
    uint32_t seq, ack;
    uint8_t tcp_flags;
    /* Transport payload: `len` bytes per the headers, of which the first
     * `cap` were captured (cap < len: snaplen truncation). */
    const uint8_t *payload;
    uint32_t len, cap;
    /* FRAGMENT only: IPv4 id / IPv6 fragment identification, offset in
     * bytes, more-fragments flag and fragment data length. */
    uint32_t frag_id, frag_offset, frag_bytes;
    bool frag_more;
} an_packet;

/* True when the analyzer understands link type `dlt` (a pcap DLT_ value). */
bool an_link_supported(int dlt);

/* Parses one packet of link type `dlt`, `caplen` bytes at `data`.
 * Returns:
 *   AN_PKT_OK               TCP or UDP over IPv4/IPv6; every field filled
 *   AN_PKT_UNSUPPORTED_LINK dlt is not one an_link_supported accepts
 *   AN_PKT_NOT_IP           the link carries something else (ARP, ...)
 *   AN_PKT_MALFORMED        a header is cut by the capture or inconsistent
 *                           (IPv4 IHL < 5, total length below the header,
 *                           TCP data offset < 5, UDP length < 8, ...)
 *   AN_PKT_FRAGMENT         an IP fragment; ipver, addresses, proto, frag_*
 *                           and payload/len/cap (the fragment's data) are
 *                           filled, for ip_reasm.h
 *   AN_PKT_OTHER_PROTO      IP carrying neither TCP nor UDP (or ESP, or an
 *                           unknown IPv6 extension header) */
an_pkt_result an_packet_parse(int dlt, const uint8_t *data, uint32_t caplen,
                              an_packet *out);

/* Parses the transport header of protocol `out->proto` at `p`: `len` bytes
 * per the IP header, `avail` of them captured (for reassembled fragments).
 * Returns as an_packet_parse (OK, MALFORMED or OTHER_PROTO). */
an_pkt_result an_packet_parse_l4(const uint8_t *p, uint32_t len,
                                 uint32_t avail, an_packet *out);

#endif
