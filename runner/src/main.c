/*
 * tamtam-run: drives an implementation through the TamTam Conformance
 * Harness Protocol (spec/harness.md) and reports a verdict per case.
 * Exit status: 0 no unexpected result, 1 an unexpected failure or pass,
 * 2 the harness could not run.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

static void usage(FILE *f)
{
    fputs(
        "usage: tamtam-run [--shim \"CMD ARGS\" | --shim-connect URL] "
        "[--node URL] [options]\n"
        "       tamtam-run interop --impl NAME=CMD --impl NAME=CMD... "
        "[options]\n"
        "       tamtam-run fuzz --impl NAME=CMD --impl NAME=CMD... "
        "[options]\n"
        "       tamtam-run report [--format text|markdown] [--failing] "
        "FILE.json\n"
        "(tamtam-run interop --help, tamtam-run fuzz --help: their "
        "options)\n"
        "\n"
        "Suites (at least one, both allowed):\n"
        "  --shim \"CMD ARGS\"     codec suite: start CMD with /bin/sh -c, "
        "speak the\n"
        "                        harness protocol over its stdin/stdout\n"
        "  --shim-connect URL    codec suite over tcp://HOST:PORT (or "
        "unix://PATH)\n"
        "  --node URL            wire suite against an echo node: "
        "tcp://HOST:PORT,\n"
        "                        udp://HOST:PORT or unix://PATH\n",
        f);
    /* The node suites with an option of their own (--splinter URL). */
    for (size_t i = 0; i < TR_MAX_SUITES && tr_suites[i]; i++)
        if (tr_suites[i]->mode == TR_MODE_NODE && tr_suites[i]->option)
            fprintf(f, "  --%s URL%*s%s suite against a service:\n"
                       "                        tcp://HOST:PORT or "
                       "unix://PATH\n",
                    tr_suites[i]->option,
                    (int)(17 - strlen(tr_suites[i]->option)), "",
                    tr_suites[i]->name);
    fputs(
        "Options:\n"
        "  --vectors DIR         vector set (default: " TR_VECTORS_DIR ",\n"
        "                        else " TR_VECTORS_INSTALL_DIR ")\n"
        "  --crc NAME            CRC-8 variant the implementation uses "
        "(default: the\n"
        "                        shim's hello, else the vectors' CRC-8/SMBUS)\n"
        "  --case GLOB           run only matching case ids (repeatable)\n"
        "  --list                list the case ids and stop\n"
        "  --timeout-ms N        longest wait without progress: no byte of "
        "an answer or\n"
        "                        echo, none accepted (default 5000)\n"
        "  --start-timeout-ms N  time a shim has to answer hello after it "
        "starts, and\n"
        "                        a node to accept the first connection "
        "(default 20000)\n"
        "  --known-failures FILE case ids/globs expected to fail, "
        "\"# reason\" after each\n"
        "  --json FILE           write the JSON report\n"
        "  --junit FILE          write a JUnit XML report\n"
        "  -v, --verbose         every case, with the lines sent and "
        "received\n"
        "Exit status: 0 no unexpected result, 1 unexpected failure or pass, "
        "2 the\n"
        "harness could not run. Protocol: spec/harness.md.\n",
        f);
}

/* Exec'd shims and sockets must not land on fds 0-2 if those are closed. */
static void keep_std_fds(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
            exit(2);
}

_Static_assert(sizeof ((tr_opts *)0)->urls / sizeof *((tr_opts *)0)->urls ==
                   TR_MAX_SUITES,
               "tr_opts.urls holds one URL per suite of the table");

/* True when a node suite's URL (--node or a suite's own option) is given. */
static bool any_url(const tr_opts *o)
{
    for (size_t i = 0; i < TR_MAX_SUITES && tr_suites[i]; i++)
        if (tr_suites[i]->mode == TR_MODE_NODE &&
            tr_suite_url(o, tr_suites[i]))
            return true;
    return false;
}

static int parse_args(int argc, char **argv, tr_opts *o)
{
    enum { O_SHIM = 256, O_CONNECT, O_NODE, O_VECTORS, O_CRC, O_CASE, O_LIST,
           O_TIMEOUT, O_START_TIMEOUT, O_KF, O_JSON, O_JUNIT, O_VERSION,
           O_SUITE_URL /* + index into tr_suites: a node suite's option */ };
    static const struct option fixed[] = {
        {"shim", required_argument, 0, O_SHIM},
        {"shim-connect", required_argument, 0, O_CONNECT},
        {"node", required_argument, 0, O_NODE},
        {"vectors", required_argument, 0, O_VECTORS},
        {"crc", required_argument, 0, O_CRC},
        {"case", required_argument, 0, O_CASE},
        {"list", no_argument, 0, O_LIST},
        {"timeout-ms", required_argument, 0, O_TIMEOUT},
        {"start-timeout-ms", required_argument, 0, O_START_TIMEOUT},
        {"known-failures", required_argument, 0, O_KF},
        {"json", required_argument, 0, O_JSON},
        {"junit", required_argument, 0, O_JUNIT},
        {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, O_VERSION}};
    /* The fixed options, then the URL option of each node suite that has
     * its own (tr_suite.option), then the terminator. */
    struct option longs[sizeof fixed / sizeof *fixed + TR_MAX_SUITES + 1];
    size_t nl = sizeof fixed / sizeof *fixed;
    memcpy(longs, fixed, sizeof fixed);
    for (size_t i = 0; i < TR_MAX_SUITES && tr_suites[i]; i++)
        if (tr_suites[i]->mode == TR_MODE_NODE && tr_suites[i]->option)
            longs[nl++] = (struct option){tr_suites[i]->option,
                                          required_argument, 0,
                                          O_SUITE_URL + (int)i};
    longs[nl] = (struct option){0, 0, 0, 0};
    memset(o, 0, sizeof *o);
    o->crc = -1;
    o->timeout_ms = TR_DEFAULT_TIMEOUT_MS;
    o->start_timeout_ms = TR_DEFAULT_START_TIMEOUT_MS;
    o->globs = tr_xcalloc((size_t)argc, sizeof *o->globs);
    int c;
    double t;
    while ((c = getopt_long(argc, argv, "vh", longs, NULL)) != -1) {
        switch (c) {
        case O_SHIM: o->shim = optarg; break;
        case O_CONNECT: o->shim_connect = optarg; break;
        case O_NODE: o->node = optarg; break;
        case O_VECTORS: o->vectors = optarg; break;
        case O_CRC:
            if ((o->crc = tr_opt_crc(optarg)) < 0)
                return -1;
            break;
        case O_CASE: o->globs[o->nglobs++] = optarg; break;
        case O_LIST: o->list = true; break;
        case O_TIMEOUT:
            if (tr_opt_number("--timeout-ms", optarg, 1, 3600000, &t))
                return -1;
            o->timeout_ms = (int)t;
            break;
        case O_START_TIMEOUT:
            if (tr_opt_number("--start-timeout-ms", optarg, 1, 3600000, &t))
                return -1;
            o->start_timeout_ms = (int)t;
            break;
        case O_KF: o->known_failures = optarg; break;
        case O_JSON: o->json = optarg; break;
        case O_JUNIT: o->junit = optarg; break;
        case 'v': o->verbose = true; break;
        case 'h': usage(stdout); exit(0);
        case O_VERSION: printf("tamtam-run %s\n", TR_VERSION); exit(0);
        default:
            if (c >= O_SUITE_URL && c < O_SUITE_URL + TR_MAX_SUITES) {
                o->urls[c - O_SUITE_URL] = optarg;
                break;
            }
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tamtam-run: unexpected argument \"%s\"\n",
                argv[optind]);
        return -1;
    }
    if (o->shim && o->shim_connect) {
        fputs("tamtam-run: give --shim or --shim-connect, not both\n", stderr);
        return -1;
    }
    if (!o->shim && !o->shim_connect && !any_url(o) && !o->list) {
        usage(stderr);
        return -1;
    }
    if (!o->vectors)
        o->vectors = tr_default_vectors();
    return 0;
}

static void list_cases(const tr_opts *o, const tr_cases *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        if (!tr_selected(o, cs->c[i].id))
            continue;
        printf("%s", cs->c[i].id);
        if (*cs->c[i].reqs)
            printf("  [%s]", cs->c[i].reqs);
        printf("\n");
    }
}

static void print_impl(const cJSON *impl)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(impl, "impl");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(impl, "impl_version");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(impl, "crc");
    char line[400];
    snprintf(line, sizeof line, "implementation: %s %s, %s\n",
             cJSON_IsString(n) ? n->valuestring : "?",
             cJSON_IsString(v) ? v->valuestring : "?",
             cJSON_IsString(c) ? c->valuestring : "?");
    tr_sanitize(line);
    fputs(line, stdout);
}

int main(int argc, char **argv)
{
    keep_std_fds();
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && !strcmp(argv[1], "interop"))
        return tr_interop_main(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "fuzz"))
        return tr_fuzz_main(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "report"))
        return tr_report_main(argc - 1, argv + 1);
    tr_opts o;
    if (parse_args(argc, argv, &o)) {
        free(o.globs);
        return 2;
    }
    int64_t t0 = tr_now_ms();
    char why[1024];
    bool codec = o.shim || o.shim_connect;
    bool wire = any_url(&o);
    /* --list alone lists every suite; node suites over TCP. */
    bool list_all = o.list && !codec && !wire;
    if (list_all)
        codec = wire = true;

    /* The suites of the modes asked for, each with its own vectors, in the
     * table's order; the harness's checks around the shim suites' cases. */
    tr_loaded ls[TR_MAX_SUITES];
    size_t nls = 0;
    tr_cases cs = {0};
    tr_suite_env env = {.process_shim = o.shim != NULL ||
                                        (o.list && !o.shim_connect),
                        .scheme = TR_TCP};
    if (codec)
        tr_harness_cases_first(&cs);
    static const tr_mode modes[] = {TR_MODE_SHIM, TR_MODE_NODE};
    for (size_t mi = 0; mi < sizeof modes / sizeof *modes; mi++) {
        tr_mode m = modes[mi];
        if (m == TR_MODE_SHIM ? !codec : !wire)
            continue;
        for (size_t i = 0; tr_suites[i] && nls < TR_MAX_SUITES; i++) {
            const tr_suite *su = tr_suites[i];
            if (su->mode != m)
                continue;
            /* A node suite runs against the URL of its own option. */
            const char *url = m == TR_MODE_NODE ? tr_suite_url(&o, su) : NULL;
            if (m == TR_MODE_NODE && !url && !list_all)
                continue;
            tr_url u = {.scheme = TR_TCP};
            void *v = NULL;
            if (url && tr_url_parse(url, &u, why, sizeof why))
                fprintf(stderr, "tamtam-run: --%s %s\n",
                        su->option ? su->option : "node", why);
            else if (!(v = su->load(o.vectors, why, sizeof why)))
                fprintf(stderr, "tamtam-run: %s\n", why);
            if (!v) {
                for (size_t k = 0; k < nls; k++)
                    ls[k].suite->free(ls[k].vectors);
                tr_cases_free(&cs);
                free(o.globs);
                return 2;
            }
            ls[nls++] = (tr_loaded){su, v};
            env.scheme = u.scheme;
            su->cases(su, v, &env, &cs);
        }
        if (m == TR_MODE_SHIM)
            tr_harness_cases_last(&cs, env.process_shim);
    }
    if (o.list) {
        list_cases(&o, &cs);
        tr_cases_free(&cs);
        for (size_t k = 0; k < nls; k++)
            ls[k].suite->free(ls[k].vectors);
        free(o.globs);
        return 0;
    }

    tr_kf kf = {0};
    if (o.known_failures &&
        tr_kf_load(o.known_failures, &kf, why, sizeof why)) {
        fprintf(stderr, "tamtam-run: known failures: %s\n", why);
        return 2;
    }
    tr_progress prog = {.tty = isatty(1) == 1, .verbose = o.verbose};
    for (size_t i = 0; i < cs.n; i++)
        prog.total += tr_selected(&o, cs.c[i].id);
    if (!prog.total) {
        fputs("tamtam-run: no case matches the --case globs\n", stderr);
        return 2;
    }
    tr_run run = {.o = &o, .progress = &prog, .cases = &cs,
                  .kf = o.known_failures ? &kf : NULL};
    cJSON *impl = NULL;
    int rc = 0;
    if (codec) {
        rc = tr_shim_run(&run, ls, nls, &impl);
        tr_sanitize_json(impl);
    }
    for (size_t k = 0; k < nls && rc == 0; k++)
        if (ls[k].suite->mode == TR_MODE_NODE)
            rc = ls[k].suite->run(&run, ls[k].vectors);
    tr_progress_end(&prog);

    tr_summary s;
    tr_summarize(&cs, &s);
    double ms = (double)(tr_now_ms() - t0);
    if (impl)
        print_impl(impl);
    printf("tamtam-run: %zu passed, %zu failed, %zu info, %zu unsupported, "
           "%zu expected failures",
           s.pass, s.fail, s.info, s.unsupported, s.expected_fail);
    if (s.not_run && rc == 2)
        printf(", %zu not run", s.not_run - (cs.n - prog.total));
    printf(" (%.2f s)\n", ms / 1000.0);
    if (rc != 2)
        tr_kf_advise(run.kf, &cs);
    if (o.json && tr_write_json(o.json, &cs, impl))
        rc = 2;
    if (o.junit && tr_write_junit(o.junit, &cs, ms))
        rc = 2;
    if (rc == 0 && s.fail)
        rc = 1;
    cJSON_Delete(impl);
    tr_kf_free(&kf);
    tr_cases_free(&cs);
    for (size_t k = 0; k < nls; k++)
        ls[k].suite->free(ls[k].vectors);
    free(o.globs);
    return rc;
}
