/* The analyzer's output forms (see report.h). The JSON frame line is built
 * by hand into the output buffer: it is the hot path of --json. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dec_tamtam.h"
#include "report.h"

/* ---- small writers into a reserved region -------------------------------- */

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

#define PUT_LIT(p, lit) put((p), (lit), sizeof(lit) - 1)

static char *put_str(char *p, const char *s)
{
    return put(p, s, strlen(s));
}

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return put(p, tmp + i, sizeof tmp - i);
}

static char *put_bool(char *p, bool b)
{
    return b ? PUT_LIT(p, "true") : PUT_LIT(p, "false");
}

/* Seconds with six decimals, as pcap's microsecond timestamps. The frames
 * of one packet share its time: the last one formatted is kept. */
static char *put_ts(char *p, uint64_t ts_us)
{
    static uint64_t last = UINT64_MAX;
    static char text[32];
    static size_t len;
    if (ts_us != last) {
        char *q = put_u64(text, ts_us / 1000000u);
        *q++ = '.';
        uint32_t us = (uint32_t)(ts_us % 1000000u);
        for (int d = 100000; d >= 1; d /= 10)
            *q++ = (char)('0' + us / (uint32_t)d % 10);
        len = (size_t)(q - text);
        last = ts_us;
    }
    return put(p, text, len);
}

static const char hex2[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* Payloads are the bulk of --json output: eight bytes per round. */
static char *put_hex(char *p, const uint8_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8, p += 16) {
        memcpy(p, hex2 + 2 * b[i], 2);
        memcpy(p + 2, hex2 + 2 * b[i + 1], 2);
        memcpy(p + 4, hex2 + 2 * b[i + 2], 2);
        memcpy(p + 6, hex2 + 2 * b[i + 3], 2);
        memcpy(p + 8, hex2 + 2 * b[i + 4], 2);
        memcpy(p + 10, hex2 + 2 * b[i + 5], 2);
        memcpy(p + 12, hex2 + 2 * b[i + 6], 2);
        memcpy(p + 14, hex2 + 2 * b[i + 7], 2);
    }
    for (; i < n; i++, p += 2)
        memcpy(p, hex2 + 2 * b[i], 2);
    return p;
}

static const char *status_name(int status)
{
    return status == 0 ? "ok" : tt_error_name(status);
}

static const char *crc_label(int crc)
{
    return crc == AN_CRC_AUTO ? NULL : tt_crc_name((tt_crc)crc);
}

/* ---- JSON lines ---------------------------------------------------------- */

void an_json_frame(an_outbuf *o, uint64_t ts_us, const char *proto,
                   const char *src, const char *dst, uint64_t off, int status,
                   const tt_frame *f)
{
    size_t pay = f->payload ? f->used_len : 0;
    char *start = an_outbuf_room(o, 512 + 2 * pay), *p = start;
    p = PUT_LIT(p, "{\"type\":\"frame\",\"protocol\":\"tamtam\",\"ts\":");
    p = put_ts(p, ts_us);
    p = PUT_LIT(p, ",\"proto\":\"");
    p = put_str(p, proto);
    p = PUT_LIT(p, "\",\"src\":\"");
    p = put_str(p, src);
    p = PUT_LIT(p, "\",\"dst\":\"");
    p = put_str(p, dst);
    p = PUT_LIT(p, "\",\"stream_offset\":");
    p = put_u64(p, off);
    p = PUT_LIT(p, ",\"status\":\"");
    p = put_str(p, status_name(status));
    p = PUT_LIT(p, "\",\"class\":");
    p = put_u64(p, f->cls);
    p = PUT_LIT(p, ",\"direction\":");
    p = put_u64(p, f->direction);
    p = PUT_LIT(p, ",\"size_id\":");
    p = put_u64(p, f->size_id);
    p = PUT_LIT(p, ",\"big\":");
    p = put_bool(p, f->big);
    p = PUT_LIT(p, ",\"ack\":");
    p = put_bool(p, f->ack);
    p = PUT_LIT(p, ",\"priority\":");
    p = put_bool(p, f->priority);
    p = PUT_LIT(p, ",\"ext\":");
    p = put_bool(p, f->has_ext);
    p = PUT_LIT(p, ",\"channel\":");
    p = put_u64(p, f->channel);
    p = PUT_LIT(p, ",\"dest\":");
    p = f->has_ext ? put_u64(p, f->dest) : PUT_LIT(p, "null");
    p = PUT_LIT(p, ",\"crc\":");
    p = put_u64(p, f->crc);
    p = PUT_LIT(p, ",\"used_len\":");
    p = put_u64(p, f->used_len);
    p = PUT_LIT(p, ",\"payload\":\"");
    if (pay)
        p = put_hex(p, f->payload, pay);
    p = PUT_LIT(p, "\"}\n");
    o->len += (size_t)(p - start);
}

/* The members every per-flow event line starts with, `protocol` the
 * decoder's (or layer's) name. */
static char *json_head_as(char *p, const char *type, uint64_t ts_us,
                          const an_flow *fl, const char *protocol)
{
    p = PUT_LIT(p, "{\"type\":\"");
    p = put_str(p, type);
    p = PUT_LIT(p, "\",\"protocol\":\"");
    p = put_str(p, protocol);
    p = PUT_LIT(p, "\",\"ts\":");
    p = put_ts(p, ts_us);
    p = PUT_LIT(p, ",\"proto\":\"");
    p = put_str(p, an_flow_proto(fl));
    p = PUT_LIT(p, "\",\"flow\":\"");
    p = put_str(p, an_flow_src(fl));
    *p++ = '>';
    p = put_str(p, an_flow_dst(fl));
    p = PUT_LIT(p, "\",\"src\":\"");
    p = put_str(p, an_flow_src(fl));
    p = PUT_LIT(p, "\",\"dst\":\"");
    p = put_str(p, an_flow_dst(fl));
    return PUT_LIT(p, "\"");
}

static char *json_head(char *p, const char *type, uint64_t ts_us,
                       const an_flow *fl)
{
    return json_head_as(p, type, ts_us, fl, an_flow_protocol(fl));
}

/* A per-flow event line: head, then `extra` (already JSON members, each
 * starting with a comma), then the closing brace. */
static void json_event(an_report *r, const char *type, uint64_t ts_us,
                       const an_flow *fl, const char *extra)
{
    char *start = an_outbuf_room(r->out, 512 + strlen(extra)), *p = start;
    p = json_head(p, type, ts_us, fl);
    p = put_str(p, extra);
    p = PUT_LIT(p, "}\n");
    r->out->len += (size_t)(p - start);
}

/* ---- text lines ----------------------------------------------------------- */

static void text_head_as(an_report *r, uint64_t ts_us, const an_flow *fl,
                         const char *protocol)
{
    char *start = an_outbuf_room(r->out, 256), *p = start;
    p = put_ts(p, ts_us);
    *p++ = ' ';
    p = put_str(p, an_flow_proto(fl));
    *p++ = ' ';
    p = put_str(p, an_flow_src(fl));
    p = PUT_LIT(p, " > ");
    p = put_str(p, an_flow_dst(fl));
    *p++ = ' ';
    p = put_str(p, protocol);
    *p++ = ' ';
    r->out->len += (size_t)(p - start);
}

static void text_head(an_report *r, uint64_t ts_us, const an_flow *fl)
{
    text_head_as(r, ts_us, fl, an_flow_protocol(fl));
}

static void class_dir(char *out, size_t cap, const tt_frame *f)
{
    char c[24], d[24];
    if (tt_class_is_assigned(f->cls) || f->cls == 15)
        snprintf(c, sizeof c, "%s", tt_class_name(f->cls));
    else
        snprintf(c, sizeof c, "Unassigned(0x%x)", f->cls);
    if (tt_direction_is_assigned(f->direction) || f->direction == 15)
        snprintf(d, sizeof d, "%s", tt_direction_name(f->direction));
    else
        snprintf(d, sizeof d, "Unassigned(0x%x)", f->direction);
    snprintf(out, cap, "%s/%s", c, d);
}

static void status_detail(char *out, size_t cap, int status,
                          const tt_frame *f, size_t len)
{
    switch (status) {
    case 0:
        snprintf(out, cap, "ok");
        break;
    case TT_ERR_CRC_MISMATCH:
        snprintf(out, cap, "crc_mismatch (crc 0x%02x, computed 0x%02x)",
                 f->crc, f->crc_computed);
        break;
    case TT_ERR_USED_LEN_EXCEEDS_BLOCK:
        snprintf(out, cap, "used_len_exceeds_block (used_len %u > block %u)",
                 f->used_len, tt_block_size(f->size_id, f->big));
        break;
    default:
        if (f->frame_len)
            snprintf(out, cap, "truncated (%zu of %u bytes)", len,
                     f->frame_len);
        else
            snprintf(out, cap, "truncated (%zu byte)", len);
    }
}

static void text_frame(an_report *r, int status, uint64_t off,
                       const tt_frame *f, size_t len)
{
    char cd[64], st[96], dest[8];
    class_dir(cd, sizeof cd, f);
    status_detail(st, sizeof st, status, f, len);
    if (f->has_ext)
        snprintf(dest, sizeof dest, "%u", f->dest);
    else
        snprintf(dest, sizeof dest, "-");
    an_outbuf_printf(r->out,
                     "@%" PRIu64 " %s ch=%u dest=%s size=%u(%u) flags=%c%c%c%c "
                     "used=%u len=%zu %s\n",
                     off, cd, f->channel, dest, f->size_id,
                     tt_block_size(f->size_id, f->big), f->big ? 'B' : '-',
                     f->ack ? 'A' : '-', f->priority ? 'P' : '-',
                     f->has_ext ? 'E' : '-', f->used_len, len, st);
}

/* "  0000  01 02 03 ...   |...|" lines for n bytes. */
static void hexdump(an_report *r, const uint8_t *b, size_t n)
{
    for (size_t at = 0; at < n; at += 16) {
        char line[96], *p = line;
        p += sprintf(p, "        %04zx  ", at);
        for (size_t i = 0; i < 16; i++) {
            if (at + i < n)
                p += sprintf(p, "%02x ", b[at + i]);
            else
                p = put(p, "   ", 3);
        }
        *p++ = ' ';
        *p++ = '|';
        for (size_t i = 0; i < 16 && at + i < n; i++)
            *p++ = b[at + i] >= 0x20 && b[at + i] < 0x7f ? (char)b[at + i]
                                                         : '.';
        *p++ = '|';
        *p++ = '\n';
        an_outbuf_write(r->out, line, (size_t)(p - line));
    }
}

/* -V: the fields of the frame with their offsets inside it. Only fields
 * the `len` bytes seen reach are shown. */
static void verbose_frame(an_report *r, const an_flow *fl, uint64_t ts_us,
                          int status, uint64_t off, const tt_frame *f,
                          size_t len)
{
    char st[96], cd[64];
    status_detail(st, sizeof st, status, f, len);
    class_dir(cd, sizeof cd, f);
    an_outbuf_printf(r->out, "frame %" PRIu64 ": ", ++r->frame_no);
    text_head(r, ts_us, fl);
    an_outbuf_printf(r->out, "@%" PRIu64 ", %zu bytes, %s\n", off, len, st);
    /* The header length is libtamtam's rule (tt_crc_offset); with fewer
     * than 2 bytes no field past byte 1 is shown, whatever h is. */
    int ho = f->bytes ? tt_crc_offset(f->bytes, len) : TT_ERR_TRUNCATED;
    unsigned h = ho > 0 ? (unsigned)ho : 3;
    unsigned block = tt_block_size(f->size_id, f->big);
    if (len >= 1)
        an_outbuf_printf(r->out,
                         "  [0]       %02x     Class 0x%x, Direction 0x%x "
                         "(%s)\n",
                         f->cls << 4 | f->direction, f->cls, f->direction,
                         cd);
    if (len >= 2)
        an_outbuf_printf(r->out,
                         "  [1]       %02x     SizeId 0x%x (block %u), "
                         "BigMode %d, AckRequested %d, Priority %d, HasExt "
                         "%d\n",
                         f->size_id << 4 | f->has_ext << 3 | f->priority << 2 |
                             f->ack << 1 | f->big,
                         f->size_id, block, f->big, f->ack, f->priority,
                         f->has_ext);
    if (len >= 3)
        an_outbuf_printf(r->out, "  [2]       %02x     ChannelId %u\n",
                         f->channel, f->channel);
    if (f->has_ext && len >= 5)
        an_outbuf_printf(r->out,
                         "  [3-4]     %02x %02x  DestOrchestratorId %u\n",
                         f->dest >> 8, f->dest & 0xff, f->dest);
    if (len > h) {
        if (status == TT_ERR_CRC_MISMATCH || status == 0)
            an_outbuf_printf(r->out,
                             "  [%u]       %02x     Integrity 0x%02x "
                             "(computed 0x%02x)\n",
                             h, f->crc, f->crc, f->crc_computed);
        else
            an_outbuf_printf(r->out,
                             "  [%u]       %02x     Integrity 0x%02x\n", h,
                             f->crc, f->crc);
    }
    if (len >= h + 3)
        an_outbuf_printf(r->out, "  [%u-%u]     %02x %02x  UsedLen %u\n", h + 1,
                         h + 2, f->used_len >> 8, f->used_len & 0xff,
                         f->used_len);
    if (f->payload) {
        unsigned p0 = h + 3;
        if (f->used_len)
            an_outbuf_printf(r->out, "  [%u-%u]  Payload, %u bytes\n", p0,
                             p0 + f->used_len - 1, f->used_len);
        else
            an_outbuf_printf(r->out, "  [%u]  Payload, 0 bytes\n", p0);
        hexdump(r, f->payload, f->used_len);
        if (f->padding_len) {
            an_outbuf_printf(r->out, "  [%u-%u]  Padding, %u bytes\n",
                             p0 + f->used_len,
                             p0 + f->used_len + f->padding_len - 1,
                             f->padding_len);
            hexdump(r, f->padding, f->padding_len);
        }
    } else if (len >= h + 3) {
        an_outbuf_printf(r->out,
                         "  [%u-]  Block of %u bytes not shown (%s)\n", h + 3,
                         block, status == TT_ERR_USED_LEN_EXCEEDS_BLOCK
                                    ? "UsedLen exceeds the block"
                                    : "incomplete");
    }
}

/* ---- events ---------------------------------------------------------------- */

void an_report_frame(an_report *r, const an_flow *fl, uint64_t ts_us,
                     int status, uint64_t off, const tt_frame *f, size_t len)
{
    if (r->summary_only)
        return;
    switch (r->mode) {
    case AN_OUT_JSON:
        an_json_frame(r->out, ts_us, an_flow_proto(fl), an_flow_src(fl),
                      an_flow_dst(fl), off, status, f);
        break;
    case AN_OUT_TEXT:
        text_head(r, ts_us, fl);
        text_frame(r, status, off, f, len);
        break;
    case AN_OUT_VERBOSE:
        verbose_frame(r, fl, ts_us, status, off, f, len);
        break;
    }
}

/* A line in text or JSON form; nothing with --stats. */
static void event(an_report *r, const an_flow *fl, uint64_t ts_us,
                  const char *type, const char *json_extra,
                  const char *text)
{
    if (r->summary_only)
        return;
    if (r->mode == AN_OUT_JSON) {
        json_event(r, type, ts_us, fl, json_extra);
    } else {
        text_head(r, ts_us, fl);
        an_outbuf_puts(r->out, text);
        an_outbuf_putc(r->out, '\n');
    }
}

void an_report_gap(an_report *r, const an_flow *fl, uint64_t ts_us,
                   uint64_t off, uint64_t n, an_gap_reason why)
{
    char j[128], t[128];
    snprintf(j, sizeof j,
             ",\"stream_offset\":%" PRIu64 ",\"bytes\":%" PRIu64
             ",\"reason\":\"%s\"",
             off, n, an_gap_reason_name(why));
    snprintf(t, sizeof t, "@%" PRIu64 " gap: %" PRIu64 " bytes lost (%s)", off,
             n, an_gap_reason_name(why));
    event(r, fl, ts_us, "gap", j, t);
}

/* An event at a stream offset with one count: JSON members "stream_offset"
 * and `key`; text "@OFF " and `what`. */
static void offset_event(an_report *r, const an_flow *fl, uint64_t ts_us,
                         const char *type, const char *key, uint64_t off,
                         uint64_t n, const char *what)
{
    char j[128], t[192];
    snprintf(j, sizeof j, ",\"stream_offset\":%" PRIu64 ",\"%s\":%" PRIu64,
             off, key, n);
    snprintf(t, sizeof t, "@%" PRIu64 " %s", off, what);
    event(r, fl, ts_us, type, j, t);
}

void an_report_resync(an_report *r, const an_flow *fl, uint64_t ts_us,
                      uint64_t off, uint64_t skipped)
{
    char what[128];
    snprintf(what, sizeof what,
             "resync: frames start here, %" PRIu64 " bytes before skipped",
             skipped);
    offset_event(r, fl, ts_us, "resync", "skipped", off, skipped, what);
}

void an_report_unsynced(an_report *r, const an_flow *fl, uint64_t ts_us,
                        uint64_t off, uint64_t n)
{
    char what[128];
    snprintf(what, sizeof what,
             "unsynced: %" PRIu64 " bytes dropped, no frame alignment found",
             n);
    offset_event(r, fl, ts_us, "unsynced", "bytes", off, n, what);
}

void an_report_conflict(an_report *r, const an_flow *fl, uint64_t ts_us,
                        uint64_t off, uint64_t n)
{
    char what[128];
    snprintf(what, sizeof what,
             "conflict: a retransmission differs in %" PRIu64
             " bytes (first copy kept)",
             n);
    offset_event(r, fl, ts_us, "conflict", "bytes", off, n, what);
}

void an_report_trailing(an_report *r, const an_flow *fl, uint64_t ts_us,
                        uint64_t n)
{
    char j[64], t[96];
    snprintf(j, sizeof j, ",\"bytes\":%" PRIu64, n);
    snprintf(t, sizeof t, "trailing: %" PRIu64 " bytes after the frame", n);
    event(r, fl, ts_us, "trailing", j, t);
}

void an_report_crc(an_report *r, const an_flow *fl, uint64_t ts_us, int crc)
{
    char j[64], t[96];
    const char *name = crc_label(crc);
    if (name) {
        snprintf(j, sizeof j, ",\"crc\":\"%s\"", name);
        snprintf(t, sizeof t, "crc: the sender uses %s", name);
    } else {
        snprintf(j, sizeof j, ",\"crc\":null");
        snprintf(t, sizeof t,
                 "crc: no variant fits; decoding under %s",
                 tt_crc_name(TT_CRC_DEFAULT));
    }
    event(r, fl, ts_us, "crc", j, t);
}

void an_report_fragment(an_report *r, uint64_t ts_us, const an_packet *p)
{
    if (r->summary_only)
        return;
    /* Addresses without ports: fragments after the first carry none. */
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    int af = p->ipver == 4 ? AF_INET : AF_INET6;
    inet_ntop(af, p->src, src, sizeof src);
    inet_ntop(af, p->dst, dst, sizeof dst);
    const char *proto = p->proto == AN_PROTO_TCP ? "tcp" : "udp";
    char *start = an_outbuf_room(r->out, 512), *q = start;
    if (r->mode == AN_OUT_JSON) {
        q += sprintf(q,
                     "{\"type\":\"fragment\",\"ts\":");
        q = put_ts(q, ts_us);
        q += sprintf(q,
                     ",\"ip\":%u,\"proto\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\","
                     "\"id\":%" PRIu32 ",\"offset\":%" PRIu32
                     ",\"bytes\":%" PRIu32 ",\"more\":%s}\n",
                     p->ipver, proto, src, dst, p->frag_id, p->frag_offset,
                     p->frag_bytes, p->frag_more ? "true" : "false");
    } else {
        q = put_ts(q, ts_us);
        q += sprintf(q,
                     " ipv%u %s > %s fragment: %s id=%" PRIu32
                     " offset=%" PRIu32 " bytes=%" PRIu32
                     "%s\n",
                     p->ipver, src, dst, proto, p->frag_id, p->frag_offset,
                     p->frag_bytes, p->frag_more ? " more" : "");
    }
    r->out->len += (size_t)(q - start);
}

/* {"0":n,...} of the non-zero entries of `v` (n entries). */
static char *json_counts(char *p, const uint64_t *v, unsigned n)
{
    bool first = true;
    *p++ = '{';
    for (unsigned i = 0; i < n; i++) {
        if (!v[i])
            continue;
        if (!first)
            *p++ = ',';
        first = false;
        *p++ = '"';
        p = put_u64(p, i);
        p = PUT_LIT(p, "\":");
        p = put_u64(p, v[i]);
    }
    *p++ = '}';
    return p;
}

static double span_s(const an_counts *c)
{
    return c->last_us > c->first_us ? (double)(c->last_us - c->first_us) / 1e6
                                    : 0.0;
}

/* "System 2, Data 96" for the classes with frames. */
static void text_classes(an_report *r, const uint64_t *cls)
{
    bool first = true;
    for (unsigned i = 0; i < 16; i++) {
        if (!cls[i])
            continue;
        an_outbuf_printf(r->out, "%s%s(0x%x) %" PRIu64, first ? "" : ", ",
                         tt_class_name(i), i, cls[i]);
        first = false;
    }
    if (first)
        an_outbuf_puts(r->out, "-");
}

static void text_channels(an_report *r, const uint64_t *ch)
{
    bool first = true;
    for (unsigned i = 0; i < 256; i++) {
        if (!ch[i])
            continue;
        an_outbuf_printf(r->out, "%s%u: %" PRIu64, first ? "" : ", ", i, ch[i]);
        first = false;
    }
    if (first)
        an_outbuf_puts(r->out, "-");
}

/* ---- records of the other decoders --------------------------------------- */

/* A JSON string's contents: quotes, backslashes and control characters
 * escaped (record fields come from the traffic). `p` has 6 bytes per
 * input byte of room. */
static char *put_json_text(char *p, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch < 0x20) {
            p += sprintf(p, "\\u%04x", ch);
        } else {
            *p++ = (char)ch;
        }
    }
    return p;
}

/* Record strings come from the traffic and may be up to a line long: each
 * is written cut at this many bytes (at a UTF-8 character boundary), with
 * "..." after it, so that a record always fits the output buffer. */
#define REC_STR_MAX 1024u
#define REC_FIELDS_MAX 32u

/* The bytes of `s` written: at most REC_STR_MAX, not ending inside a UTF-8
 * sequence. */
static size_t rec_str_len(const char *s, bool *cut)
{
    size_t n = strnlen(s, REC_STR_MAX + 1);
    *cut = n > REC_STR_MAX;
    if (!*cut)
        return n;
    n = REC_STR_MAX;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static size_t value_room(const an_value *v)
{
    return v->kind == AN_V_STR ? 6 * REC_STR_MAX + 8 : 24;
}

/* A record's string value, escaped, cut as above. */
static char *put_rec_text(char *p, const char *s)
{
    bool cut;
    size_t n = rec_str_len(s, &cut);
    char buf[REC_STR_MAX + 1];
    memcpy(buf, s, n);
    buf[n] = '\0';
    p = put_json_text(p, buf);
    return cut ? PUT_LIT(p, "...") : p;
}

static char *put_value(char *p, const an_value *v, bool json)
{
    switch (v->kind) {
    case AN_V_NULL:
        return PUT_LIT(p, "null");
    case AN_V_INT:
        if (v->i < 0) {
            *p++ = '-';
            return put_u64(p, (uint64_t)0 - (uint64_t)v->i);
        }
        return put_u64(p, (uint64_t)v->i);
    case AN_V_BOOL:
        return put_bool(p, v->i != 0);
    case AN_V_STR:
        if (!json)
            return put_rec_text(p, v->s);
        *p++ = '"';
        p = put_rec_text(p, v->s);
        *p++ = '"';
        return p;
    }
    return p;
}

void an_report_record(an_report *r, const an_flow *fl, uint64_t ts_us,
                      const an_record *rec)
{
    if (r->summary_only)
        return;
    bool json = r->mode == AN_OUT_JSON;
    /* At most REC_FIELDS_MAX fields, each bounded: a record fits the
     * output buffer whatever the decoder hands over. */
    unsigned nf = rec->nfields;
    if (nf > REC_FIELDS_MAX)
        nf = REC_FIELDS_MAX;
    size_t room = 512 + 6 * REC_STR_MAX;
    for (unsigned i = 0; i < nf; i++)
        room += 8 + strlen(rec->fields[i].name) + value_room(&rec->fields[i].v);
    const char *protocol = rec->protocol ? rec->protocol : an_flow_protocol(fl);
    if (!json)
        text_head_as(r, ts_us, fl, protocol);
    char *start = an_outbuf_room(r->out, room), *p = start;
    if (json) {
        p = json_head_as(p, rec->type, ts_us, fl, protocol);
        p = PUT_LIT(p, ",\"stream_offset\":");
        p = put_u64(p, rec->off);
        p = PUT_LIT(p, ",\"len\":");
        p = put_u64(p, rec->len);
        p = PUT_LIT(p, ",\"status\":\"");
        p = put_rec_text(p, rec->status);
        *p++ = '"';
    } else {
        *p++ = '@';
        p = put_u64(p, rec->off);
        *p++ = ' ';
        p = put_str(p, rec->type);
    }
    for (unsigned i = 0; i < nf; i++) {
        const an_rfield *f = &rec->fields[i];
        if (json) {
            *p++ = ',';
            *p++ = '"';
            p = put_str(p, f->name);
            p = PUT_LIT(p, "\":");
        } else if (f->v.kind == AN_V_NULL) {
            continue; /* text: only the fields the record has */
        } else {
            *p++ = ' ';
            p = put_str(p, f->name);
            *p++ = '=';
        }
        p = put_value(p, &f->v, json);
    }
    if (json) {
        p = PUT_LIT(p, "}\n");
    } else {
        p = PUT_LIT(p, " len=");
        p = put_u64(p, rec->len);
        *p++ = ' ';
        p = put_rec_text(p, rec->status);
        *p++ = '\n';
    }
    r->out->len += (size_t)(p - start);
}

/* The flow line of a decoder other than TamTam: records, not frames. */
static void record_flow_end(an_report *r, const an_flow *fl, uint64_t ts_us,
                            an_end_reason why)
{
    const an_counts *c = &fl->c;
    if (r->mode == AN_OUT_JSON) {
        char *start = an_outbuf_room(r->out, 1024), *p = start;
        p = json_head(p, "flow", ts_us, fl);
        p += sprintf(p,
                     ",\"end\":\"%s\",\"records\":%" PRIu64 ",\"ok\":%" PRIu64
                     ",\"invalid\":%" PRIu64 ",\"packets\":%" PRIu64
                     ",\"bytes\":%" PRIu64 ",\"gaps\":%" PRIu64
                     ",\"gap_bytes\":%" PRIu64 ",\"retransmissions\":%" PRIu64
                     ",\"conflicts\":%" PRIu64 ",\"first_ts\":",
                     an_end_reason_name(why), c->records, c->records - c->bad,
                     c->bad, c->packets, c->bytes, c->gaps, c->gap_bytes,
                     c->retrans_segs, c->conflict_segs);
        p = put_ts(p, c->first_us);
        p = PUT_LIT(p, ",\"last_ts\":");
        p = put_ts(p, c->last_us);
        p = PUT_LIT(p, "}\n");
        r->out->len += (size_t)(p - start);
        return;
    }
    text_head(r, ts_us, fl);
    an_outbuf_printf(r->out,
                     "flow end (%s): %" PRIu64 " records (ok %" PRIu64
                     ", invalid %" PRIu64 "), %" PRIu64 " packets, %" PRIu64
                     " bytes; gaps %" PRIu64 " (%" PRIu64
                     " bytes), retransmissions %" PRIu64 ", conflicts %" PRIu64
                     "\n",
                     an_end_reason_name(why), c->records, c->records - c->bad,
                     c->bad, c->packets, c->bytes, c->gaps, c->gap_bytes,
                     c->retrans_segs, c->conflict_segs);
}

void an_report_flow_end(an_report *r, const an_flow *fl, uint64_t ts_us,
                        an_end_reason why)
{
    const an_counts *c = &fl->c;
    if (fl->conn->dec != &an_decoder_tamtam) {
        record_flow_end(r, fl, ts_us, why);
        return;
    }
    const char *crc = crc_label(an_tamtam_flow_crc(fl));
    uint64_t ch[256];
    an_tamtam_flow_channels(fl, ch);
    if (r->mode == AN_OUT_JSON) {
        char *start = an_outbuf_room(r->out, 8192), *p = start;
        p = json_head(p, "flow", ts_us, fl);
        p += sprintf(p,
                     ",\"end\":\"%s\",\"crc\":%s%s%s,\"frames\":%" PRIu64
                     ",\"ok\":%" PRIu64 ",\"crc_mismatch\":%" PRIu64
                     ",\"used_len_exceeds_block\":%" PRIu64
                     ",\"truncated\":%" PRIu64 ",\"packets\":%" PRIu64
                     ",\"bytes\":%" PRIu64 ",\"gaps\":%" PRIu64
                     ",\"gap_bytes\":%" PRIu64 ",\"retransmissions\":%" PRIu64
                     ",\"retransmitted_bytes\":%" PRIu64
                     ",\"overlaps\":%" PRIu64 ",\"conflicts\":%" PRIu64
                     ",\"conflict_bytes\":%" PRIu64 ",\"resyncs\":%" PRIu64
                     ",\"unsynced_bytes\":%" PRIu64 ",\"trailing\":%" PRIu64
                     ",\"trailing_bytes\":%" PRIu64 ",\"first_ts\":",
                     an_end_reason_name(why), crc ? "\"" : "",
                     crc ? crc : "null", crc ? "\"" : "", c->frames,
                     c->status[AN_ST_OK], c->status[AN_ST_CRC],
                     c->status[AN_ST_USED_LEN], c->status[AN_ST_TRUNCATED],
                     c->packets, c->bytes, c->gaps, c->gap_bytes,
                     c->retrans_segs, c->retrans_bytes, c->overlap_segs,
                     c->conflict_segs, c->conflict_bytes, c->resyncs,
                     c->unsynced_bytes, c->trailing, c->trailing_bytes);
        p = put_ts(p, c->first_us);
        p = PUT_LIT(p, ",\"last_ts\":");
        p = put_ts(p, c->last_us);
        p = PUT_LIT(p, ",\"by_class\":");
        p = json_counts(p, c->cls, 16);
        p = PUT_LIT(p, ",\"by_channel\":");
        p = json_counts(p, ch, 256);
        p = PUT_LIT(p, "}\n");
        r->out->len += (size_t)(p - start);
        return;
    }
    text_head(r, ts_us, fl);
    an_outbuf_printf(r->out,
                     "flow end (%s): %" PRIu64 " frames (ok %" PRIu64
                     ", crc_mismatch %" PRIu64
                     ", used_len_exceeds_block %" PRIu64
                     ", truncated %" PRIu64 "), %" PRIu64 " packets, %" PRIu64
                     " bytes, %.1f frames/s; gaps %" PRIu64 " (%" PRIu64
                     " bytes), retransmissions %" PRIu64 ", overlaps %" PRIu64
                     ", conflicts %" PRIu64 ", resyncs %" PRIu64
                     ", unsynced %" PRIu64 " bytes; crc %s\n",
                     an_end_reason_name(why), c->frames, c->status[AN_ST_OK],
                     c->status[AN_ST_CRC], c->status[AN_ST_USED_LEN],
                     c->status[AN_ST_TRUNCATED], c->packets, c->bytes,
                     span_s(c) > 0 ? (double)c->frames / span_s(c) : 0.0,
                     c->gaps, c->gap_bytes, c->retrans_segs, c->overlap_segs,
                     c->conflict_segs, c->resyncs, c->unsynced_bytes,
                     crc ? crc : "unknown");
    an_outbuf_puts(r->out, "    by class: ");
    text_classes(r, c->cls);
    an_outbuf_puts(r->out, "\n    by channel: ");
    text_channels(r, ch);
    an_outbuf_putc(r->out, '\n');
}

static void crc_list(char *out, size_t cap, uint32_t seen, bool json)
{
    size_t n = 0;
    out[0] = '\0';
    for (int v = 0; v < TT_CRC_COUNT; v++) {
        if (seen & (1u << v))
            n += (size_t)snprintf(out + n, cap - n, json ? "%s\"%s\"" : "%s%s",
                                  n ? (json ? "," : ", ") : "",
                                  tt_crc_name((tt_crc)v));
    }
    if (seen & (1u << 31))
        snprintf(out + n, cap - n, json ? "%snull" : "%sunknown",
                 n ? (json ? "," : ", ") : "");
}

static unsigned report_ndecoders(const an_report *r)
{
    return r->ndecoders ? r->ndecoders : 1;
}

static const char *report_decoder_name(const an_report *r, unsigned i)
{
    return r->ndecoders ? r->decoders[i].dec->name : an_decoder_tamtam.name;
}

void an_report_summary(an_report *r, const an_totals *t)
{
    const an_counts *c = &t->c;
    double span = span_s(c);
    double fps = span > 0 ? (double)c->frames / span : 0.0;
    char crcs[256];
    uint32_t seen = t->crc_seen;
    if (!seen && r->crc != AN_CRC_AUTO)
        seen = 1u << r->crc;
    if (r->mode == AN_OUT_JSON) {
        crc_list(crcs, sizeof crcs, seen, true);
        char *start = an_outbuf_room(r->out, 65536), *p = start;
        p += sprintf(
            p,
            "{\"type\":\"stats\",\"duration\":%.6f,\"frames_per_second\":%.1f,"
            "\"gap_bytes\":%" PRIu64 ",\"retransmissions\":%" PRIu64
            ",\"retransmitted_bytes\":%" PRIu64 ",\"overlaps\":%" PRIu64
            ",\"conflicts\":%" PRIu64 ",\"conflict_bytes\":%" PRIu64
            ",\"resyncs\":%" PRIu64 ",\"unsynced_bytes\":%" PRIu64
            ",\"trailing\":%" PRIu64 ",\"trailing_bytes\":%" PRIu64
            ",\"connections\":%" PRIu64 ",\"evicted\":%" PRIu64
            ",\"late_packets\":%" PRIu64 ",\"heuristic_rejected\":%" PRIu64
            ",\"snaplen_truncated\":%" PRIu64
            ",\"tamtam_packets\":%" PRIu64 ",\"capture_dropped\":%" PRIu64
            ",\"mem_peak\":%" PRIu64 ",\"no_memory\":%" PRIu64
            ",\"ip_fragments\":{\"fragments\":%" PRIu64
            ",\"reassembled\":%" PRIu64 ",\"incomplete\":%" PRIu64
            ",\"overlaps\":%" PRIu64 ",\"conflicts\":%" PRIu64
            ",\"invalid\":%" PRIu64 "}"
            ",\"crc\":[%s],\"not_analysed\":{",
            span, fps, c->gap_bytes, c->retrans_segs, c->retrans_bytes,
            c->overlap_segs, c->conflict_segs, c->conflict_bytes, c->resyncs,
            c->unsynced_bytes, c->trailing, c->trailing_bytes, t->connections,
            t->evicted, t->late_packets, t->heuristic_rejected,
            t->snaplen_truncated, c->packets, r->capture_dropped, t->mem_peak,
            t->no_memory, t->ipfrag.fragments, t->ipfrag.reassembled,
            t->ipfrag.incomplete, t->ipfrag.overlaps, t->ipfrag.conflicts,
            t->ipfrag.invalid, crcs);
        /* Packets left aside, by parse outcome (all but "ok"). */
        for (int i = AN_PKT_OK + 1; i < AN_PKT_COUNT; i++)
            p += sprintf(p, "%s\"%s\":%" PRIu64, i > AN_PKT_OK + 1 ? "," : "",
                         an_pkt_result_name((an_pkt_result)i),
                         t->pkt_result[i]);
        p = PUT_LIT(p, "},\"by_protocol\":{");
        for (unsigned i = 0; i < report_ndecoders(r); i++) {
            char extra[2048] = "";
            const an_decoder *dec = r->ndecoders ? r->decoders[i].dec : NULL;
            if (dec && dec->summary && r->eng)
                dec->summary(an_engine_instance(r->eng, i), extra,
                             sizeof extra);
            p += sprintf(p,
                         "%s\"%s\":{\"flows\":%" PRIu64
                         ",\"records\":%" PRIu64 "%s%s}",
                         i ? "," : "", report_decoder_name(r, i),
                         t->by_decoder[i].flows, t->by_decoder[i].units,
                         extra[0] ? "," : "", extra);
        }
        p = PUT_LIT(p, "},\"by_class\":");
        p = json_counts(p, c->cls, 16);
        p = PUT_LIT(p, ",\"by_channel\":");
        p = json_counts(p, t->channel, 256);
        p = PUT_LIT(p, "}\n");
        p += sprintf(p,
                     "{\"type\":\"summary\",\"frames\":%" PRIu64
                     ",\"ok\":%" PRIu64 ",\"crc_mismatch\":%" PRIu64
                     ",\"used_len_exceeds_block\":%" PRIu64
                     ",\"truncated\":%" PRIu64 ",\"flows\":%" PRIu64
                     ",\"gaps\":%" PRIu64 ",\"packets\":%" PRIu64
                     ",\"bytes\":%" PRIu64 "}\n",
                     c->frames, c->status[AN_ST_OK], c->status[AN_ST_CRC],
                     c->status[AN_ST_USED_LEN], c->status[AN_ST_TRUNCATED],
                     t->flows, c->gaps, t->packets, c->bytes);
        r->out->len += (size_t)(p - start);
        return;
    }
    crc_list(crcs, sizeof crcs, seen, false);
    an_outbuf_printf(r->out,
                     "summary: %" PRIu64 " packets read (%" PRIu64
                     " decoded), %" PRIu64 " flows in %" PRIu64
                     " connections, %" PRIu64 " stream bytes, %.6f s\n",
                     t->packets, c->packets, t->flows, t->connections,
                     c->bytes, span);
    an_outbuf_printf(r->out,
                     "  frames: %" PRIu64 " (ok %" PRIu64
                     ", crc_mismatch %" PRIu64
                     ", used_len_exceeds_block %" PRIu64
                     ", truncated %" PRIu64 "), %.1f frames/s\n",
                     c->frames, c->status[AN_ST_OK], c->status[AN_ST_CRC],
                     c->status[AN_ST_USED_LEN], c->status[AN_ST_TRUNCATED],
                     fps);
    an_outbuf_puts(r->out, "  by class: ");
    text_classes(r, c->cls);
    an_outbuf_puts(r->out, "\n  by channel: ");
    text_channels(r, t->channel);
    an_outbuf_printf(r->out,
                     "\n  gaps %" PRIu64 " (%" PRIu64
                     " bytes), retransmissions %" PRIu64 " (%" PRIu64
                     " bytes), overlaps %" PRIu64 ", conflicts %" PRIu64
                     ", resyncs %" PRIu64 ", unsynced %" PRIu64
                     " bytes, trailing %" PRIu64 "\n",
                     c->gaps, c->gap_bytes, c->retrans_segs, c->retrans_bytes,
                     c->overlap_segs, c->conflict_segs, c->resyncs,
                     c->unsynced_bytes, c->trailing);
    an_outbuf_printf(r->out, "  crc: %s\n", crcs[0] ? crcs : "-");
    an_outbuf_puts(r->out, "  by protocol:");
    for (unsigned i = 0; i < report_ndecoders(r); i++)
        an_outbuf_printf(r->out, "%s %s %" PRIu64 " flows, %" PRIu64 " records",
                         i ? ";" : "", report_decoder_name(r, i),
                         t->by_decoder[i].flows, t->by_decoder[i].units);
    an_outbuf_putc(r->out, '\n');
    if (t->ipfrag.fragments)
        an_outbuf_printf(r->out,
                         "  ip fragments %" PRIu64 ": %" PRIu64
                         " datagrams reassembled, %" PRIu64
                         " incomplete, %" PRIu64 " overlaps (%" PRIu64
                         " conflicting), %" PRIu64 " invalid\n",
                         t->ipfrag.fragments, t->ipfrag.reassembled,
                         t->ipfrag.incomplete, t->ipfrag.overlaps,
                         t->ipfrag.conflicts, t->ipfrag.invalid);
    if (t->no_memory)
        an_outbuf_printf(r->out,
                         "  %" PRIu64 " connections or datagrams not analysed "
                         "for want of memory\n",
                         t->no_memory);
    if (r->capture_dropped)
        an_outbuf_printf(r->out,
                         "  the capture dropped %" PRIu64
                         " packets (kernel or interface): expect gaps\n",
                         r->capture_dropped);
    an_outbuf_puts(r->out, "  not analysed:");
    for (int i = AN_PKT_OK + 1; i < AN_PKT_COUNT; i++)
        an_outbuf_printf(r->out, " %s %" PRIu64 ",",
                         an_pkt_result_name((an_pkt_result)i),
                         t->pkt_result[i]);
    an_outbuf_printf(r->out,
                     " snaplen-truncated %" PRIu64 "; %" PRIu64
                     " evicted connections, %" PRIu64 " late packets, %" PRIu64
                     " rejected by the heuristic\n",
                     t->snaplen_truncated, t->evicted, t->late_packets,
                     t->heuristic_rejected);
}
