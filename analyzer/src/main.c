/*
 * tamtam-analyze: decode TamTam traffic from pcap / pcapng files, stdin or
 * a live interface, and report every frame, what is broken and where.
 * Exit status: 0 the input was read to its end (whatever it held), 1 with
 * --fail-on-error when an invalid frame was seen, 2 when the input could
 * not be opened or parsed (or the command line was wrong).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "session.h"

/* -w: packets kept per flow until their frames complete (3/4 of it for
 * packets that bring no byte beyond those kept, see an_pktlog_add). The
 * out-of-order buffer's 8 MiB of data and the held bytes fit with their
 * headers; beyond that it is retransmissions of an unfinished frame. */
#define KEEP_BYTES ((uint64_t)16 << 20)

static volatile sig_atomic_t interrupted;
static pcap_t *live_handle;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
    if (live_handle)
        pcap_breakloop(live_handle);
}

static void usage(FILE *to)
{
    fprintf(to,
        "usage: tamtam-analyze [options] FILE|-\n"
        "       tamtam-analyze [options] -i IFACE [-f FILTER]\n"
        "Decodes TamTam Core Frames (and Splinter envelopes, TCP port 4775) in\n"
        "pcap/pcapng captures or live traffic.\n"
        "\n"
        "input:\n"
        "  FILE | -           pcap or pcapng file, or - for stdin\n"
        "  -i IFACE           capture live on IFACE (Ctrl-C ends it)\n"
        "  -f FILTER          BPF capture filter (live or file), e.g. 'tcp port 4774'\n"
        "  -c N               stop after N frames\n"
        "  --crc NAME|auto    CRC-8 variant (default CRC-8/SMBUS); auto: detect\n"
        "                     the variant each sender uses\n"
        "  --port N           TamTam port, TCP and UDP (repeatable; default 4774)\n"
        "  --port NAME=N      a port of the decoder NAME (repeatable; each\n"
        "                     decoder has its default port until given one)\n"
        "  --heuristic        also recognise TamTam on any other port\n"
        "output:\n"
        "  (default)          one line per frame, then a summary\n"
        "  -V                 field tree with offsets and hex dumps\n"
        "  --json             newline-delimited JSON (see analyzer/README.md)\n"
        "  --stats            flow lines and the summary only (text, or\n"
        "                     JSON with --json)\n"
        "  -w OUT.pcap        write the packets carrying the selected frames\n"
        "  --match EXPR       select frames (printed and written) by decoded\n"
        "                     fields, e.g. 'status!=ok', 'channel=7 && class=Data',\n"
        "                     'protocol=tamtam'; any decoder's fields; repeatable\n"
        "                     (any may match)\n"
        "  --fail-on-error    exit 1 when an invalid frame was seen\n"
        "limits:\n"
        "  --max-flows N      connections tracked at once (default 100000)\n"
        "  --mem-cap MB       buffer memory over all connections (default 512)\n"
        "  --run N            valid frames needed to (re)align or recognise a\n"
        "                     stream (default 4, at least 2)\n"
        "exit status: 0 input read to its end, 1 invalid frames with\n"
        "--fail-on-error, 2 input could not be opened or parsed\n");
}

/* ---- options ------------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t min, uint64_t max,
                      uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

enum {
    OPT_CRC = 256,
    OPT_PORT,
    OPT_HEURISTIC,
    OPT_JSON,
    OPT_STATS,
    OPT_MATCH,
    OPT_FAIL,
    OPT_MAX_FLOWS,
    OPT_MEM_CAP,
    OPT_RUN,
    OPT_HELP,
};

static const struct option long_opts[] = {
    {"crc", required_argument, NULL, OPT_CRC},
    {"port", required_argument, NULL, OPT_PORT},
    {"heuristic", no_argument, NULL, OPT_HEURISTIC},
    {"json", no_argument, NULL, OPT_JSON},
    {"stats", no_argument, NULL, OPT_STATS},
    {"match", required_argument, NULL, OPT_MATCH},
    {"fail-on-error", no_argument, NULL, OPT_FAIL},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"mem-cap", required_argument, NULL, OPT_MEM_CAP},
    {"run", required_argument, NULL, OPT_RUN},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "tamtam-analyze: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(tamtam-analyze --help for usage)\n");
    return 2;
}

/* The decoders of this executable (decoders.c) and their ports. */
static an_decoder_use uses[AN_DECODERS_MAX];
static uint8_t dec_ports[AN_DECODERS_MAX][8192];
static bool dec_port_given[AN_DECODERS_MAX];
static unsigned nuses;

/* --port N (the first decoder's, TamTam) or --port NAME=N. Returns 0, or
 * 2 after printing what is wrong. */
static int add_port(const char *arg)
{
    const char *eq = strchr(arg, '=');
    unsigned d = 0;
    if (eq) {
        d = 0;
        /* Layers (decoders fed by another's frames) take no port. */
        while (d < nuses && (uses[d].dec->above ||
                             strlen(uses[d].dec->name) != (size_t)(eq - arg) ||
                             strncasecmp(uses[d].dec->name, arg,
                                         (size_t)(eq - arg))))
            d++;
        if (d == nuses) {
            char names[256] = "";
            for (unsigned i = 0; i < nuses; i++)
                if (!uses[i].dec->above)
                    snprintf(names + strlen(names),
                             sizeof names - strlen(names), "%s%s",
                             names[0] ? ", " : "", uses[i].dec->name);
            fprintf(stderr,
                    "tamtam-analyze: --port %s: no decoder of that name (one "
                    "of %s)\n(tamtam-analyze --help for usage)\n",
                    arg, names);
            return 2;
        }
        arg = eq + 1;
    }
    uint64_t v;
    if (!parse_u64(arg, 1, 65535, &v))
        return bad_usage("--port wants 1..65535, not '%s'", arg);
    dec_ports[d][v >> 3] |= (uint8_t)(1u << (v & 7));
    dec_port_given[d] = true;
    return 0;
}

/* ---- input ---------------------------------------------------------------- */

static pcap_t *open_live(const char *iface, char *errbuf)
{
    pcap_t *p = pcap_create(iface, errbuf);
    if (!p)
        return NULL;
    /* The largest IP packet and its link header (loopback and offloading
     * hand up packets of up to 64 KiB). In immediate mode the kernel ring
     * has one slot of that size per packet: 32 MiB holds about 500, where
     * the default 2 MiB would hold 30 and drop the rest of a burst. */
    pcap_set_snaplen(p, 65535 + 64);
    pcap_set_buffer_size(p, 32 << 20);
    pcap_set_promisc(p, 0);
    pcap_set_timeout(p, 100);
    pcap_set_immediate_mode(p, 1);
    int rc = pcap_activate(p);
    if (rc < 0) {
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: %s", iface, pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    if (rc > 0)
        fprintf(stderr, "tamtam-analyze: warning: %s: %s\n", iface,
                pcap_geterr(p));
    return p;
}

/* A file (or stdin) through a large stdio buffer: libpcap reads record by
 * record, and the default buffer (one page) costs a system call every few
 * packets. */
static pcap_t *open_file(const char *path, char *errbuf)
{
    static char iobuf[1 << 20];
    FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!fp) {
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
        return NULL;
    }
    setvbuf(fp, iobuf, _IOFBF, sizeof iobuf);
    pcap_t *p = an_session_open(fp, errbuf);
    if (!p && fp != stdin)
        fclose(fp);
    return p;
}

int main(int argc, char **argv)
{
    static an_session a;
    while (nuses < AN_DECODERS_MAX && an_decoders[nuses]) {
        uses[nuses] = (an_decoder_use){an_decoders[nuses], dec_ports[nuses]};
        nuses++;
    }
    an_engine_cfg cfg = {
        .crc = TT_CRC_DEFAULT,
        .decoders = uses,
        .ndecoders = nuses,
        .max_flows = 100000,
        .mem_cap = (uint64_t)512 << 20,
        .ooo_bytes = (size_t)8 << 20,
        .ooo_segs = 4096,
        .history = 65536,
        .run = 4,
        .probe_limit = 65536,
        .keep_bytes = KEEP_BYTES,
    };
    const char *iface = NULL, *filter = NULL, *wpath = NULL;
    bool fail_on_error = false, summary_only = false;
    an_out_mode mode = AN_OUT_TEXT;
    uint64_t v;
    int opt;

    signal(SIGPIPE, SIG_IGN);
    while ((opt = getopt_long(argc, argv, "i:f:c:w:Vh", long_opts, NULL)) !=
           -1) {
        switch (opt) {
        case 'i':
            iface = optarg;
            break;
        case 'f':
            filter = optarg;
            break;
        case 'c':
            if (!parse_u64(optarg, 1, UINT64_MAX, &a.count))
                return bad_usage("-c wants a positive count, not '%s'", optarg);
            break;
        case 'w':
            wpath = optarg;
            break;
        case 'V':
            mode = AN_OUT_VERBOSE;
            break;
        case OPT_JSON:
            mode = AN_OUT_JSON;
            break;
        case OPT_STATS:
            summary_only = true;
            break;
        case OPT_CRC:
            if (!strcasecmp(optarg, "auto")) {
                cfg.crc = AN_CRC_AUTO;
            } else {
                int c = tt_crc_from_name(optarg);
                if (c < 0)
                    return bad_usage("unknown CRC variant '%s' (one of "
                                     "CRC-8/SMBUS MAXIM-DOW I-432-1 AUTOSAR "
                                     "SAE-J1850 ROHC CDMA2000 BLUETOOTH, or "
                                     "auto)",
                                     optarg);
                cfg.crc = c;
            }
            break;
        case OPT_PORT:
            if (add_port(optarg))
                return 2;
            break;
        case OPT_HEURISTIC:
            cfg.heuristic = true;
            break;
        case OPT_MATCH: {
            char err[256];
            if (a.nmatch == AN_SESSION_MAX_MATCH)
                return bad_usage("at most %s --match options", "16");
            a.match[a.nmatch] =
                an_match_parse_for(optarg, an_decoders, err, sizeof err);
            if (!a.match[a.nmatch])
                return bad_usage("%s", err);
            a.nmatch++;
            break;
        }
        case OPT_FAIL:
            fail_on_error = true;
            break;
        case OPT_MAX_FLOWS:
            if (!parse_u64(optarg, 1, 100000000, &v))
                return bad_usage("--max-flows wants 1..100000000, not '%s'",
                                 optarg);
            cfg.max_flows = (uint32_t)v;
            break;
        case OPT_MEM_CAP:
            if (!parse_u64(optarg, 1, 1u << 20, &v))
                return bad_usage("--mem-cap wants megabytes, 1..1048576, not "
                                 "'%s'",
                                 optarg);
            cfg.mem_cap = v << 20;
            break;
        case OPT_RUN:
            if (!parse_u64(optarg, 2, 64, &v))
                return bad_usage("--run wants 2..64, not '%s'", optarg);
            cfg.run = (unsigned)v;
            break;
        case 'h':
        case OPT_HELP:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    for (unsigned d = 0; d < nuses; d++) {
        uint16_t p = uses[d].dec->default_port;
        if (!dec_port_given[d] && p)
            dec_ports[d][p >> 3] |= (uint8_t)(1u << (p & 7));
    }
    const char *file = optind < argc ? argv[optind] : NULL;
    if (optind + 1 < argc)
        return bad_usage("one input only; unexpected '%s'", argv[optind + 1]);
    if (!file == !iface)
        return bad_usage("%s", iface ? "give a file or -i IFACE, not both"
                                     : "no input: give a FILE, - or -i IFACE");
    cfg.keep_packets = wpath != NULL;

    char errbuf[PCAP_ERRBUF_SIZE] = "";
    const char *src = iface ? iface : (strcmp(file, "-") ? file : "stdin");
    pcap_t *pc = iface ? open_live(iface, errbuf) : open_file(file, errbuf);
    if (!pc) {
        fprintf(stderr, "tamtam-analyze: %s: %s\n", src, errbuf);
        return 2;
    }
    char msg[256];
    int dlt = an_session_link(pc, msg, sizeof msg);
    if (dlt < 0) {
        fprintf(stderr, "tamtam-analyze: %s: %s\n", src, msg);
        pcap_close(pc);
        return 2;
    }
    if (filter) {
        struct bpf_program prog;
        if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
            pcap_setfilter(pc, &prog) < 0) {
            fprintf(stderr, "tamtam-analyze: -f '%s': %s\n", filter,
                    pcap_geterr(pc));
            pcap_close(pc);
            return 2;
        }
        pcap_freecode(&prog);
    }
    if (wpath) {
        a.dumper = pcap_dump_open(pc, wpath);
        if (!a.dumper) {
            fprintf(stderr, "tamtam-analyze: -w %s: %s\n", wpath,
                    pcap_geterr(pc));
            pcap_close(pc);
            return 2;
        }
    }

    an_outbuf_init(&a.out, STDOUT_FILENO);
    a.rep.out = &a.out;
    a.rep.mode = mode;
    a.rep.summary_only = summary_only;
    a.rep.crc = cfg.crc;
    a.rep.decoders = uses;
    a.rep.ndecoders = nuses;
    if (!an_session_start(&a, &cfg)) {
        fprintf(stderr, "tamtam-analyze: out of memory\n");
        return 2;
    }
    if (iface) {
        /* Said once the filter is in place: a script (or the tests) may
         * start traffic on this line. */
        const char *name = pcap_datalink_val_to_name(dlt);
        fprintf(stderr,
                "tamtam-analyze: capturing on %s, link-type %s, snapshot "
                "length %d\n",
                iface, name ? name : "?", pcap_snapshot(pc));
        live_handle = pc;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }

    int status = an_session_read(&a, pc, dlt, src, iface != NULL,
                                 &interrupted, stderr);
    struct pcap_stat ps;
    if (iface && pcap_stats(pc, &ps) == 0)
        a.rep.capture_dropped = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
    an_session_end(&a);
    const an_totals *t = an_engine_totals(a.eng);
    if (a.out.error && a.out.error != EPIPE) {
        fprintf(stderr, "tamtam-analyze: writing the output: %s\n",
                strerror(a.out.error));
        status = 2;
    }
    if (a.dumper) {
        if (t->keep_missed)
            fprintf(stderr,
                    "tamtam-analyze: -w %s: %" PRIu64 " packets not kept "
                    "(a flow's packets of unfinished frames reached %" PRIu64
                    " MiB, %" PRIu64 " MiB for retransmissions); the frames "
                    "they carried are written without them\n",
                    wpath, t->keep_missed, KEEP_BYTES >> 20,
                    (KEEP_BYTES - KEEP_BYTES / 4) >> 20);
        if (pcap_dump_flush(a.dumper) != 0) {
            fprintf(stderr, "tamtam-analyze: -w %s: write failed\n", wpath);
            status = 2;
        }
        pcap_dump_close(a.dumper);
    }
    if (!status && fail_on_error &&
        (t->c.frames != t->c.status[AN_ST_OK] || t->c.bad))
        status = 1;
    an_session_free(&a);
    pcap_close(pc);
    return status;
}
