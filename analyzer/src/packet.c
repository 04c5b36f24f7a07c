/* Link, IP and transport header parsing. Every length is checked against
 * both the headers and the captured bytes before a byte is read. */
#include <pcap/dlt.h>
#include <string.h>

#include "packet.h"

const char *an_pkt_result_name(an_pkt_result r)
{
    static const char *const names[] = {
#define AN__PKT_NAME(id, name) name,
        AN_PKT_MAP(AN__PKT_NAME)
#undef AN__PKT_NAME
    };
    return (unsigned)r < AN_PKT_COUNT ? names[r] : "?";
}

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86DDu
#define MAX_VLAN_TAGS 8

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

bool an_link_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return true;
    default:
        return false;
    }
}

/* TCP or UDP header at `p`: `len` bytes per the IP header, `avail` captured. */
static an_pkt_result parse_l4(const uint8_t *p, uint32_t len, uint32_t avail,
                              an_packet *out)
{
    if (avail > len)
        avail = len;
    if (out->proto == AN_PROTO_TCP) {
        if (len < 20 || avail < 20)
            return AN_PKT_MALFORMED;
        uint32_t hlen = (uint32_t)(p[12] >> 4) * 4u;
        if (hlen < 20 || hlen > len || hlen > avail)
            return AN_PKT_MALFORMED;
        out->sport = get16(p);
        out->dport = get16(p + 2);
        out->seq = get32(p + 4);
        out->ack = get32(p + 8);
        out->tcp_flags = p[13];
        out->payload = p + hlen;
        out->len = len - hlen;
        out->cap = avail - hlen;
        return AN_PKT_OK;
    }
    if (out->proto == AN_PROTO_UDP) {
        if (len < 8 || avail < 8)
            return AN_PKT_MALFORMED;
        uint32_t ulen = get16(p + 4);
        if (ulen < 8 || ulen > len)
            return AN_PKT_MALFORMED;
        out->sport = get16(p);
        out->dport = get16(p + 2);
        out->payload = p + 8;
        out->len = ulen - 8;
        out->cap = (avail < ulen ? avail : ulen) - 8;
        return AN_PKT_OK;
    }
    return AN_PKT_OTHER_PROTO;
}

an_pkt_result an_packet_parse_l4(const uint8_t *p, uint32_t len,
                                 uint32_t avail, an_packet *out)
{
    return parse_l4(p, len, avail, out);
}

static an_pkt_result parse_ipv4(const uint8_t *p, uint32_t avail,
                                an_packet *out)
{
    if (avail < 20 || p[0] >> 4 != 4)
        return AN_PKT_MALFORMED;
    uint32_t ihl = (uint32_t)(p[0] & 0x0F) * 4u;
    uint32_t total = get16(p + 2);
    if (ihl < 20 || avail < ihl)
        return AN_PKT_MALFORMED;
    /* Total length 0 is what a sender-side capture of a TSO super-packet
     * shows; then the captured bytes are all there is to go by. */
    if (total == 0)
        total = avail;
    if (total < ihl)
        return AN_PKT_MALFORMED;
    out->ipver = 4;
    out->proto = p[9];
    memcpy(out->src, p + 12, 4);
    memcpy(out->dst, p + 16, 4);
    uint16_t frag = get16(p + 6);
    if (frag & 0x3FFFu) { /* MF set or a non-zero offset */
        out->frag_id = get16(p + 4);
        out->frag_offset = (uint32_t)(frag & 0x1FFFu) * 8u;
        out->frag_more = frag & 0x2000u;
        out->frag_bytes = total - ihl;
        out->payload = p + ihl;
        out->len = total - ihl;
        out->cap = avail - ihl < out->len ? avail - ihl : out->len;
        return AN_PKT_FRAGMENT;
    }
    return parse_l4(p + ihl, total - ihl, avail - ihl, out);
}

/* The Jumbo Payload option (type 0xC2, 4 bytes) of the hop-by-hop header
 * at `p` (avail bytes captured): the payload length after the fixed
 * header, or 0 when there is none (or it says less than 65536, which RFC
 * 2675 forbids). */
static uint32_t jumbo_length(const uint8_t *p, uint32_t avail)
{
    uint32_t hlen = ((uint32_t)p[1] + 1u) * 8u;
    if (hlen > avail)
        return 0;
    for (uint32_t i = 2; i < hlen;) {
        uint8_t type = p[i];
        if (type == 0) { /* Pad1 */
            i++;
            continue;
        }
        if (i + 2 > hlen || i + 2u + p[i + 1] > hlen)
            return 0;
        if (type == 0xC2 && p[i + 1] == 4) {
            uint32_t v = get32(p + i + 2);
            return v > 65535 ? v : 0;
        }
        i += 2u + p[i + 1];
    }
    return 0;
}

static an_pkt_result parse_ipv6(const uint8_t *p, uint32_t avail,
                                an_packet *out)
{
    if (avail < 40 || p[0] >> 4 != 6)
        return AN_PKT_MALFORMED;
    uint32_t len = get16(p + 4); /* bytes after the fixed header */
    uint8_t nh = p[6];
    memcpy(out->src, p + 8, 16);
    memcpy(out->dst, p + 24, 16);
    out->ipver = 6;
    p += 40;
    avail -= 40;
    /* Payload length 0 with a hop-by-hop header: a jumbogram (RFC 2675,
     * IPv6 BIG TCP); its Jumbo Payload option holds the length. */
    if (len == 0 && nh == 0 && avail >= 8) {
        uint32_t jumbo = jumbo_length(p, avail);
        if (jumbo)
            len = jumbo;
    }
    /* Extension headers are skipped; each must fit both the payload length
     * and the captured bytes. */
    for (;;) {
        uint32_t hlen;
        switch (nh) {
        case 0:   /* hop-by-hop options */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
        case 139: /* HIP */
        case 140: /* shim6 */
            if (len < 8 || avail < 8)
                return AN_PKT_MALFORMED;
            hlen = ((uint32_t)p[1] + 1u) * 8u;
            break;
        case 51: /* authentication header */
            if (len < 8 || avail < 8)
                return AN_PKT_MALFORMED;
            hlen = ((uint32_t)p[1] + 2u) * 4u;
            break;
        case 44: { /* fragment */
            if (len < 8 || avail < 8)
                return AN_PKT_MALFORMED;
            uint16_t fo = get16(p + 2);
            if ((fo & 0xFFF9u) != 0) { /* not an atomic fragment */
                out->proto = p[0];
                out->frag_id = get32(p + 4);
                out->frag_offset = (uint32_t)(fo >> 3) * 8u;
                out->frag_more = fo & 1u;
                out->frag_bytes = len - 8;
                out->payload = p + 8;
                out->len = len - 8;
                out->cap = avail - 8 < out->len ? avail - 8 : out->len;
                return AN_PKT_FRAGMENT;
            }
            hlen = 8;
            break;
        }
        default:
            out->proto = nh;
            return parse_l4(p, len, avail, out);
        }
        if (hlen > len || hlen > avail)
            return AN_PKT_MALFORMED;
        nh = p[0];
        p += hlen;
        len -= hlen;
        avail -= hlen;
    }
}

static an_pkt_result parse_ethertype(unsigned type, const uint8_t *p,
                                     uint32_t avail, an_packet *out)
{
    for (int tags = 0; type == 0x8100u || type == 0x88A8u || type == 0x9100u;
         tags++) {
        if (tags == MAX_VLAN_TAGS || avail < 4)
            return AN_PKT_MALFORMED;
        type = get16(p + 2);
        p += 4;
        avail -= 4;
    }
    if (type == ETHERTYPE_IPV4)
        return parse_ipv4(p, avail, out);
    if (type == ETHERTYPE_IPV6)
        return parse_ipv6(p, avail, out);
    return AN_PKT_NOT_IP;
}

/* An address family of DLT_NULL / DLT_LOOP. IPv6 has a different number
 * on each OS that writes these headers. */
static an_pkt_result parse_af(uint32_t af, const uint8_t *p, uint32_t avail,
                              an_packet *out)
{
    switch (af) {
    case 2:
        return parse_ipv4(p, avail, out);
    case 10: /* Linux */
    case 24: /* NetBSD, OpenBSD, BSD/OS */
    case 28: /* FreeBSD */
    case 30: /* Darwin */
        return parse_ipv6(p, avail, out);
    default:
        return AN_PKT_NOT_IP;
    }
}

static an_pkt_result parse_raw_ip(const uint8_t *p, uint32_t avail,
                                  an_packet *out)
{
    if (avail < 1)
        return AN_PKT_MALFORMED;
    if (p[0] >> 4 == 4)
        return parse_ipv4(p, avail, out);
    if (p[0] >> 4 == 6)
        return parse_ipv6(p, avail, out);
    return AN_PKT_NOT_IP;
}

an_pkt_result an_packet_parse(int dlt, const uint8_t *data, uint32_t caplen,
                              an_packet *out)
{
    memset(out, 0, sizeof *out);
    switch (dlt) {
    case DLT_EN10MB:
        if (caplen < 14)
            return AN_PKT_MALFORMED;
        return parse_ethertype(get16(data + 12), data + 14, caplen - 14, out);
    case DLT_LINUX_SLL:
        if (caplen < 16)
            return AN_PKT_MALFORMED;
        return parse_ethertype(get16(data + 14), data + 16, caplen - 16, out);
    case DLT_LINUX_SLL2:
        if (caplen < 20)
            return AN_PKT_MALFORMED;
        return parse_ethertype(get16(data), data + 20, caplen - 20, out);
    case DLT_NULL: {
        if (caplen < 4)
            return AN_PKT_MALFORMED;
        /* Host byte order of the machine that captured: the family is a
         * small number, so a value with only high bits set is swapped. */
        uint32_t af = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
                      (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
        if ((af & 0xFFFFu) == 0)
            af = get32(data);
        return parse_af(af, data + 4, caplen - 4, out);
    }
    case DLT_LOOP:
        if (caplen < 4)
            return AN_PKT_MALFORMED;
        return parse_af(get32(data), data + 4, caplen - 4, out);
    case DLT_RAW:
        return parse_raw_ip(data, caplen, out);
    case DLT_IPV4:
        return parse_ipv4(data, caplen, out);
    case DLT_IPV6:
        return parse_ipv6(data, caplen, out);
    default:
        return AN_PKT_UNSUPPORTED_LINK;
    }
}
