/* tamtam-node: the reference implementation of the Conformance Harness
 * Protocol v1, codec shim and wire echo node. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "echo.h"
#include "log.h"
#include "shim.h"
#include "signals.h"
#include "sp_ops.h"
#include "splinter_node.h"
#include "url.h"

#define DEFAULT_MAX_CONNS 1024u
#define DEFAULT_ECHO_URL "tcp://" URL_DEFAULT_HOST ":" URL_DEFAULT_PORT

static const char usage[] =
    "usage: tamtam-node shim [--crc NAME] [--listen tcp://HOST:PORT]\n"
    "                        [--max-conns N]\n"
    "       tamtam-node echo [--listen URL]... [--crc NAME] [--max-conns N]\n"
    "                        [-v]\n"
    "       tamtam-node splinter [--listen URL]... [--allow FILE] [--inbox N]\n"
    "                        [--name NAME] [--max-conns N] [-v]\n"
    "       tamtam-node --version | --help\n"
    "\n"
    "shim   harness codec shim: ndjson requests on stdin, responses on\n"
    "       stdout; with --listen, the same over each accepted connection\n"
    "echo   wire echo node: every valid frame received is sent back\n"
    "splinter  Splinter envelope service: announces its versions, answers\n"
    "       heartbeats, echoes queries to \"echo\", answers faults\n"
    "\n"
    "  --listen URL     tcp://HOST:PORT, udp://HOST:PORT or unix:///path\n"
    "                   (echo: repeatable; default " DEFAULT_ECHO_URL ");\n"
    "                   port 0 picks a free port; each listener prints\n"
    "                   \"listening URL\" on stdout once bound\n"
    "  --crc NAME       CRC-8 variant, e.g. SMBUS (default), ROHC,\n"
    "                   CRC-8/MAXIM-DOW\n"
    "  --max-conns N    connections served at once (default 1024); more\n"
    "                   are closed on arrival\n"
    "  --allow FILE     splinter: allow-list JSON {\"sender\":[\"recipient\"]}\n"
    "  --inbox N        splinter: judged lines one turn may queue (default\n"
    "                   1024); more get fault 4100 BACKPRESSURE\n"
    "  --name NAME      splinter: the service's \"from\" (default\n"
    "                   tamtam-node)\n"
    "  -v, --verbose    echo, splinter: log connections and discarded\n"
    "                   frames or unanswered faults\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tamtam-node: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return 2;
}

static int parse_max_conns(const char *s, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v == 0 || v > 1000000)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int run_splinter(struct url *urls, size_t nurls,
                        struct splinter_opts *o, const char *allow_path)
{
    for (size_t i = 0; i < nurls; i++)
        if (urls[i].scheme == URL_UDP)
            return usage_error("%s", "splinter --listen wants tcp:// or "
                                     "unix:// (envelopes are lines of a "
                                     "stream)");
    if (nurls == 0)
        url_parse(SPLINTER_DEFAULT_URL, &urls[nurls++], NULL);
    cJSON *allow = NULL;
    if (allow_path) {
        char why[512];
        allow = splinter_load_allow(allow_path, why, sizeof why);
        if (!allow)
            return usage_error("%s", why);
    }
    o->allow = allow;
    int status = splinter_run(urls, nurls, o);
    cJSON_Delete(allow);
    return status;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"crc", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"max-conns", required_argument, NULL, 'm'},
        {"verbose", no_argument, NULL, 'v'},
        {"allow", required_argument, NULL, 'a'},
        {"inbox", required_argument, NULL, 'i'},
        {"name", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};

    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("tamtam-node %s\n", TT_VERSION);
        return 0;
    }
    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc < 2)
        return usage_error("%s", "a mode is required: shim, echo or splinter");
    const char *mode = argv[1];
    bool echo = strcmp(mode, "echo") == 0;
    bool splinter = strcmp(mode, "splinter") == 0;
    if (!echo && !splinter && strcmp(mode, "shim") != 0)
        return usage_error("unknown mode '%s'", mode);
    struct splinter_opts sopts = {NULL, SPLINTER_DEFAULT_INBOX,
                                  SP_SERVICE_NAME, DEFAULT_MAX_CONNS};
    const char *allow_path = NULL;
    bool splinter_opt = false;

    tt_crc crc = TT_CRC_DEFAULT;
    unsigned max_conns = DEFAULT_MAX_CONNS;
    struct url *urls = need(calloc((size_t)argc, sizeof *urls));
    size_t nurls = 0;
    int status = 2;
    int opt;
    optind = 2;
    while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        const char *why;
        int r;
        switch (opt) {
        case 'c':
            r = tt_crc_from_name(optarg);
            if (r < 0) {
                usage_error("unknown CRC-8 variant '%s'", optarg);
                goto out;
            }
            crc = (tt_crc)r;
            break;
        case 'l':
            if (url_parse(optarg, &urls[nurls], &why) < 0) {
                fprintf(stderr, "tamtam-node: --listen %s: %s\n", optarg, why);
                goto out;
            }
            nurls++;
            break;
        case 'm':
            if (parse_max_conns(optarg, &max_conns) < 0 ||
                parse_max_conns(optarg, &sopts.max_conns) < 0) {
                usage_error("--max-conns wants a number 1..1000000, not '%s'",
                            optarg);
                goto out;
            }
            break;
        case 'v':
            log_set_verbose(true);
            break;
        case 'a':
            allow_path = optarg;
            splinter_opt = true;
            break;
        case 'i':
            splinter_opt = true;
            if (parse_max_conns(optarg, &sopts.inbox) < 0) {
                usage_error("--inbox wants a number 1..1000000, not '%s'",
                            optarg);
                goto out;
            }
            break;
        case 'n':
            splinter_opt = true;
            if (!*optarg || strlen(optarg) > 256) {
                usage_error("--name wants 1 to 256 bytes, not '%s'", optarg);
                goto out;
            }
            sopts.name = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            status = 0;
            goto out;
        default:
            fputs(usage, stderr);
            goto out;
        }
    }
    if (optind < argc) {
        usage_error("unexpected argument '%s'", argv[optind]);
        goto out;
    }

    if (splinter_opt && !splinter) {
        usage_error("%s", "--allow, --inbox and --name are for splinter");
        goto out;
    }
    signals_ignore_pipe();
    if (splinter) {
        status = run_splinter(urls, nurls, &sopts, allow_path);
    } else if (echo) {
        if (nurls == 0)
            url_parse(DEFAULT_ECHO_URL, &urls[nurls++], NULL);
        status = echo_run(urls, nurls, crc, max_conns);
    } else if (nurls > 1) {
        usage_error("%s", "shim takes one --listen");
    } else if (nurls == 1 && urls[0].scheme == URL_UDP) {
        usage_error("%s", "shim --listen wants tcp:// or unix:// (the "
                          "protocol is a stream of lines)");
    } else if (nurls == 1) {
        status = shim_serve(&urls[0], crc, max_conns);
    } else {
        status = shim_run(STDIN_FILENO, STDOUT_FILENO, crc);
    }
out:
    free(urls);
    return status;
}
