/* One analysis run (see session.h). */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "session.h"

/* ---- engine sink: everything goes to the report, frames through --match */

/* Whether any --match selects `x` (true without --match). */
static bool selected(const an_session *s, const an_match_frame *x)
{
    if (!s->nmatch)
        return true;
    for (int i = 0; i < s->nmatch; i++)
        if (an_match_eval(s->match[i], x))
            return true;
    return false;
}

/* After a frame or record was printed: -w and -c. */
static void reported(an_session *s, const an_flow *fl, uint64_t off,
                     size_t len)
{
    if (s->dumper)
        an_engine_extract(s->eng, fl, off, len, s->dumper);
    s->reported++;
    if (s->count && s->reported >= s->count)
        an_engine_stop(s->eng);
}

static void sink_frame(void *ctx, const an_flow *fl, uint64_t ts, int status,
                       uint64_t off, const tt_frame *f, size_t len)
{
    an_session *s = ctx;
    if (s->nmatch) {
        an_match_frame x = {status,
                            f,
                            len,
                            off,
                            fl->conn->proto == AN_PROTO_UDP,
                            fl->conn->port[fl->idx],
                            fl->conn->port[1 - fl->idx],
                            an_flow_protocol(fl),
                            NULL};
        if (!selected(s, &x))
            return;
    }
    an_report_frame(&s->rep, fl, ts, status, off, f, len);
    reported(s, fl, off, len);
}

static void sink_record(void *ctx, const an_flow *fl, uint64_t ts,
                        const an_record *r)
{
    an_session *s = ctx;
    if (s->nmatch) {
        an_match_frame x = {r->ok ? 0 : -1,
                            NULL,
                            r->len,
                            r->off,
                            fl->conn->proto == AN_PROTO_UDP,
                            fl->conn->port[fl->idx],
                            fl->conn->port[1 - fl->idx],
                            r->protocol ? r->protocol : an_flow_protocol(fl),
                            r};
        if (!selected(s, &x))
            return;
    }
    an_report_record(&s->rep, fl, ts, r);
    reported(s, fl, r->off, r->len);
}

static void sink_gap(void *ctx, const an_flow *fl, uint64_t ts, uint64_t off,
                     uint64_t n, an_gap_reason why)
{
    an_report_gap(&((an_session *)ctx)->rep, fl, ts, off, n, why);
}

static void sink_resync(void *ctx, const an_flow *fl, uint64_t ts,
                        uint64_t off, uint64_t skipped)
{
    an_report_resync(&((an_session *)ctx)->rep, fl, ts, off, skipped);
}

static void sink_unsynced(void *ctx, const an_flow *fl, uint64_t ts,
                          uint64_t off, uint64_t n)
{
    an_report_unsynced(&((an_session *)ctx)->rep, fl, ts, off, n);
}

static void sink_conflict(void *ctx, const an_flow *fl, uint64_t ts,
                          uint64_t off, uint64_t n)
{
    an_report_conflict(&((an_session *)ctx)->rep, fl, ts, off, n);
}

static void sink_trailing(void *ctx, const an_flow *fl, uint64_t ts,
                          uint64_t n)
{
    an_report_trailing(&((an_session *)ctx)->rep, fl, ts, n);
}

static void sink_crc(void *ctx, const an_flow *fl, uint64_t ts, int crc)
{
    an_report_crc(&((an_session *)ctx)->rep, fl, ts, crc);
}

static void sink_fragment(void *ctx, uint64_t ts, const an_packet *p)
{
    an_report_fragment(&((an_session *)ctx)->rep, ts, p);
}

static void sink_flow_end(void *ctx, const an_flow *fl, uint64_t ts,
                          an_end_reason why)
{
    an_report_flow_end(&((an_session *)ctx)->rep, fl, ts, why);
}

/* ---- input ---------------------------------------------------------------- */

/* A capture compressed with gzip (as tshark and editcap write it with -z,
 * or gzip itself) is read through zlib's inflate behind a stdio stream, so
 * libpcap sees the plain capture. Concatenated gzip members are read in a
 * row, as gzip -d does. */
typedef struct gz_src {
    FILE *fp;          /* the compressed bytes */
    bool owns_fp;      /* closed with the stream once pcap took it */
    z_stream z;
    uint8_t pre[2];    /* the magic bytes read to recognise the format */
    unsigned npre;
    bool ended;        /* inflate reported the end and no input follows */
    uint8_t in[65536];
} gz_src;

static size_t gz_fill(gz_src *g)
{
    size_t n = 0;
    while (g->npre && n < sizeof g->in)
        g->in[n++] = g->pre[2 - g->npre--];
    n += fread(g->in + n, 1, sizeof g->in - n, g->fp);
    g->z.next_in = g->in;
    g->z.avail_in = (uInt)n;
    return n;
}

static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
    gz_src *g = cookie;
    g->z.next_out = (Bytef *)buf;
    g->z.avail_out = (uInt)(size > (1u << 30) ? 1u << 30 : size);
    while (g->z.avail_out && !g->ended) {
        if (!g->z.avail_in && !gz_fill(g)) {
            if (ferror(g->fp))
                return -1;
            break; /* input ends: a cut member reads as a short file */
        }
        int r = inflate(&g->z, Z_NO_FLUSH);
        if (r == Z_STREAM_END) {
            if (!g->z.avail_in && !gz_fill(g))
                g->ended = true;
            else if (inflateReset(&g->z) != Z_OK)
                return -1;
        } else if (r != Z_OK && r != Z_BUF_ERROR) {
            errno = EIO; /* corrupt compressed data */
            return -1;
        }
        if (r == Z_BUF_ERROR && !g->z.avail_in && feof(g->fp) && !g->npre)
            break;
    }
    return (ssize_t)((char *)g->z.next_out - buf);
}

static int gz_close(void *cookie)
{
    gz_src *g = cookie;
    inflateEnd(&g->z);
    if (g->owns_fp)
        fclose(g->fp);
    free(g);
    return 0;
}

/* A pipe (stdin) whose first bytes were read: they come first, then the
 * rest of the pipe. */
typedef struct pre_src {
    FILE *fp;
    bool owns_fp;
    uint8_t pre[2];
    unsigned npre, at;
} pre_src;

static ssize_t pre_read(void *cookie, char *buf, size_t size)
{
    pre_src *p = cookie;
    size_t n = 0;
    while (p->at < p->npre && n < size)
        buf[n++] = (char)p->pre[p->at++];
    if (n < size)
        n += fread(buf + n, 1, size - n, p->fp);
    if (!n && ferror(p->fp))
        return -1;
    return (ssize_t)n;
}

static int pre_close(void *cookie)
{
    pre_src *p = cookie;
    if (p->owns_fp)
        fclose(p->fp);
    free(p);
    return 0;
}

static pcap_t *an_session_open_prefixed(FILE *fp, const uint8_t *pre,
                                        size_t npre,
                                        char errbuf[PCAP_ERRBUF_SIZE])
{
    pre_src *p = calloc(1, sizeof *p);
    cookie_io_functions_t io = {pre_read, NULL, NULL, pre_close};
    FILE *pf = p ? fopencookie(p, "r", io) : NULL;
    if (!pf) {
        free(p);
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "out of memory");
        return NULL;
    }
    p->fp = fp;
    memcpy(p->pre, pre, npre);
    p->npre = (unsigned)npre;
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(
        pf, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!pc) {
        fclose(pf); /* fp stays the caller's */
        return NULL;
    }
    p->owns_fp = true;
    return pc;
}

pcap_t *an_session_open(FILE *fp, char errbuf[PCAP_ERRBUF_SIZE])
{
    uint8_t magic[2];
    size_t got = fread(magic, 1, 2, fp);
    if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        gz_src *g = calloc(1, sizeof *g);
        if (!g || inflateInit2(&g->z, 15 + 16) != Z_OK) {
            free(g);
            snprintf(errbuf, PCAP_ERRBUF_SIZE, "out of memory");
            return NULL;
        }
        g->fp = fp;
        memcpy(g->pre, magic, 2);
        g->npre = 2;
        cookie_io_functions_t io = {gz_read, NULL, NULL, gz_close};
        FILE *zf = fopencookie(g, "r", io);
        if (!zf) {
            gz_close(g);
            snprintf(errbuf, PCAP_ERRBUF_SIZE, "out of memory");
            return NULL;
        }
        pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(
            zf, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
        if (!pc) {
            fclose(zf); /* fp stays the caller's */
            return NULL;
        }
        g->owns_fp = true;
        return pc;
    }
    /* Not gzip: give the bytes back. ungetc keeps one byte only, so two
     * are pushed back through a seek where the input allows it, else
     * through a passthrough stream. */
    if (got && fseek(fp, -(long)got, SEEK_CUR) != 0) {
        clearerr(fp);
        return an_session_open_prefixed(fp, magic, got, errbuf);
    }
    return pcap_fopen_offline_with_tstamp_precision(
        fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
}

int an_session_link(pcap_t *pc, char *msg, size_t msglen)
{
    int dlt = pcap_datalink(pc);
    if (an_link_supported(dlt))
        return dlt;
    /* libpcap hands back the link-type field without its FCS bits; bits
     * 16..25 are reserved and must be zero, so a value above 65535 is a
     * corrupt header, not an exotic link type (issue 19). */
    if (dlt < 0 || dlt > 0xFFFF) {
        snprintf(msg, msglen,
                 "the file header is corrupt: its link-type field has "
                 "reserved bits set (0x%08x)",
                 (unsigned)dlt);
        return -1;
    }
    const char *name = pcap_datalink_val_to_name(dlt);
    snprintf(msg, msglen,
             "link type %d (%s) is not supported (Ethernet, Linux cooked "
             "v1/v2, BSD loopback, raw IPv4/IPv6 are)",
             dlt, name ? name : "unknown");
    return -1;
}

/* libpcap reads a pcapng only while all its interfaces share one link type;
 * say what to do rather than just echoing its message. */
static void report_read_error(FILE *diag, const char *src, const char *msg,
                              uint64_t packets)
{
    fprintf(diag,
            "tamtam-analyze: %s: cannot read the capture after %" PRIu64
            " packets: %s\n",
            src, packets, msg);
    if (strstr(msg, "different from the type of the first interface"))
        /* tshark's -w keeps every interface block, which libpcap rejects
         * again; editcap -T makes a pcap of one link type (issue 19; the
         * advice is run by analyzer.files). */
        fprintf(diag,
                "tamtam-analyze: this pcapng mixes interfaces of different "
                "link types, which libpcap cannot read; split it into one "
                "pcap per interface and analyse each part. 'capinfos -I %s' "
                "lists the interfaces with their encapsulation (in "
                "'Ethernet (1 - ether)', ENCAP is ether); for each "
                "interface N:\n"
                "  tshark -r %s -Y 'frame.interface_id == N' -w part-N.pcapng\n"
                "  editcap -F pcap -T ENCAP part-N.pcapng part-N.pcap\n",
                src, src);
}

/* ---- the run -------------------------------------------------------------- */

bool an_session_start(an_session *s, const an_engine_cfg *cfg)
{
    s->sink = (an_sink){s,           sink_frame,    sink_record,
                        sink_gap,    sink_resync,   sink_unsynced,
                        sink_conflict, sink_trailing, sink_crc,
                        sink_fragment, sink_flow_end};
    /* --stats alone: frames are counted, nothing per frame is needed. */
    if (s->rep.summary_only && !s->nmatch && !s->dumper && !s->count) {
        s->sink.frame = NULL;
        s->sink.record = NULL;
    }
    s->eng = an_engine_new(cfg, &s->sink);
    s->rep.eng = s->eng;
    return s->eng != NULL;
}

int an_session_read(an_session *s, pcap_t *pc, int dlt, const char *src,
                    bool live, const volatile sig_atomic_t *interrupted,
                    FILE *diag)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    while (!*interrupted && !an_engine_stopped(s->eng) && !s->out.error) {
        int rc = pcap_next_ex(pc, &h, &data);
        if (rc == 1) {
            an_engine_packet(s->eng, dlt, h, data);
            if (live)
                an_outbuf_flush(&s->out);
        } else if (rc == 0) { /* live: timeout without packets */
            an_outbuf_flush(&s->out);
        } else if (rc == PCAP_ERROR_BREAK) {
            break; /* end of file, or interrupted */
        } else {
            if (diag)
                report_read_error(diag, src, pcap_geterr(pc),
                                  an_engine_totals(s->eng)->packets);
            return 2;
        }
    }
    return 0;
}

void an_session_end(an_session *s)
{
    an_engine_finish(s->eng, !an_engine_stopped(s->eng));
    an_report_summary(&s->rep, an_engine_totals(s->eng));
    an_outbuf_flush(&s->out);
}

void an_session_free(an_session *s)
{
    an_engine_free(s->eng);
    s->eng = NULL;
    for (int i = 0; i < s->nmatch; i++)
        an_match_free(s->match[i]);
    s->nmatch = 0;
}
