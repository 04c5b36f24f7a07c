/* One analysis run (see session.h). */
#include <inttypes.h>
#include <string.h>

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

pcap_t *an_session_open(FILE *fp, char errbuf[PCAP_ERRBUF_SIZE])
{
    return pcap_fopen_offline_with_tstamp_precision(
        fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
}

int an_session_link(pcap_t *pc, char *msg, size_t msglen)
{
    int dlt = pcap_datalink(pc);
    if (an_link_supported(dlt))
        return dlt;
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
        fprintf(diag,
                "tamtam-analyze: this pcapng mixes interfaces of different "
                "link types, which libpcap cannot read; split it per "
                "interface first, e.g.\n"
                "  tshark -r %s -Y 'frame.interface_id == N' -w part-N.pcapng\n"
                "and analyse each part\n",
                src);
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
