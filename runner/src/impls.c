/*
 * The subcommands that drive several implementations at once (interop,
 * fuzz): their command line, and the implementations themselves, each
 * behind its own shim, started once and restarted after a failure exactly
 * as the codec suite's shim is (shim.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define DEFAULT_RANDOM 500
#define MAX_RANDOM 20000
#define SEED_MAX 9007199254740991.0 /* 2^53 - 1: exact in the JSON reports */

static void usage(FILE *f, bool fuzz)
{
    if (!fuzz)
        fputs(
            "usage: tamtam-run interop --impl NAME=CMD --impl NAME=CMD... "
            "[options]\n"
            "\n"
            "Every implementation encodes every valid frame of the vector set "
            "and N\n"
            "seeded random frames; every implementation (itself included) "
            "decodes\n"
            "the bytes, one frame at a time and as a chunked stream; the "
            "fields must\n"
            "survive. Prints the encoder x decoder matrix of each op.\n"
            "\n"
            "  --impl NAME=CMD       an implementation: its shim command "
            "(/bin/sh -c),\n"
            "                        or tcp://HOST:PORT / unix://PATH of a "
            "shim server;\n"
            "                        NAME: letters, digits, '-', '_' "
            "(repeat, 2 or more)\n"
            "  --random N            random frames besides the vectors' "
            "(default 500)\n"
            "  --seed S              seed of the random frames and "
            "chunkings (default 1)\n",
            f);
    else
        fputs(
            "usage: tamtam-run fuzz --impl NAME=CMD --impl NAME=CMD... "
            "[options]\n"
            "\n"
            "Differential fuzzing: mutated vectors and random bytes go to "
            "every\n"
            "implementation's decode and stream ops; every disagreement "
            "(outcome,\n"
            "fields, consumed, events, pending) is shrunk to a small input "
            "and\n"
            "written as a vector set: OUT/fuzz-SEED/core-frame.json and "
            "core-stream.json.\n"
            "\n"
            "  --impl NAME=CMD       an implementation, as for interop; the "
            "first one\n"
            "                        named is the reference when there are "
            "two\n"
            "  --iterations N        stop after N iterations (reproducible "
            "with --seed)\n"
            "  --seconds N           stop after N seconds (prints the "
            "iterations run)\n"
            "                        neither: --iterations 1000\n"
            "  --seed S              seed (default: from the clock, "
            "printed)\n"
            "  --out DIR             where findings go (default "
            "tamtam-fuzz)\n",
            f);
    fputs("  --vectors DIR         vector set (default: as the codec "
          "suite's)\n"
          "  --crc NAME            every implementation must announce this "
          "CRC-8 variant\n"
          "  --timeout-ms N        longest wait without progress in a "
          "request (default\n"
          "                        5000)\n"
          "  --start-timeout-ms N  time a shim has to answer hello after it "
          "starts\n"
          "                        (default 20000)\n"
          "  --json FILE           write the JSON report\n"
          "  --junit FILE          write a JUnit XML report\n"
          "  -v, --verbose         every line sent and received\n"
          "Exit status: 0 all pass / no finding, 1 a failing cell / "
          "findings, 2 the\n"
          "harness could not run. Reports: spec/harness.md section 8.\n",
          f);
}

static bool name_ok(const char *n, size_t len)
{
    if (!len || len > TR_IMPL_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= 'A' && n[i] <= 'Z') ||
              (n[i] >= '0' && n[i] <= '9') || n[i] == '-' || n[i] == '_'))
            return false;
    return true;
}

static int add_impl(tr_multi *m, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : 0;
    if (!eq || !name_ok(arg, len) || !eq[1]) {
        fprintf(stderr, "tamtam-run: --impl takes NAME=CMD, NAME of at most "
                        "%d letters, digits, '-' or '_' (got \"%s\")\n",
                TR_IMPL_NAME_MAX, arg);
        return -1;
    }
    for (size_t i = 0; i < m->nimpls; i++)
        if (strlen(m->impls[i].name) == len &&
            !strncmp(m->impls[i].name, arg, len)) {
            fprintf(stderr, "tamtam-run: two implementations are named "
                            "\"%.*s\"\n",
                    (int)len, arg);
            return -1;
        }
    tr_impl *im = &m->impls[m->nimpls++];
    memcpy(im->name, arg, len);
    im->name[len] = '\0';
    im->cmd = eq + 1;
    return 0;
}

int tr_multi_parse(int argc, char **argv, bool fuzz, tr_multi *m)
{
    enum { O_IMPL = 256, O_VECTORS, O_CRC, O_TIMEOUT, O_START_TIMEOUT, O_JSON, O_JUNIT,
           O_SEED, O_RANDOM, O_ITER, O_SECONDS, O_OUT };
    static const struct option longs[] = {
        {"impl", required_argument, 0, O_IMPL},
        {"vectors", required_argument, 0, O_VECTORS},
        {"crc", required_argument, 0, O_CRC},
        {"timeout-ms", required_argument, 0, O_TIMEOUT},
        {"start-timeout-ms", required_argument, 0, O_START_TIMEOUT},
        {"json", required_argument, 0, O_JSON},
        {"junit", required_argument, 0, O_JUNIT},
        {"seed", required_argument, 0, O_SEED},
        {"random", required_argument, 0, O_RANDOM},
        {"iterations", required_argument, 0, O_ITER},
        {"seconds", required_argument, 0, O_SECONDS},
        {"out", required_argument, 0, O_OUT},
        {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(m, 0, sizeof *m);
    m->o.crc = -1;
    m->o.timeout_ms = TR_DEFAULT_TIMEOUT_MS;
    m->o.start_timeout_ms = TR_DEFAULT_START_TIMEOUT_MS;
    m->impls = tr_xcalloc((size_t)argc, sizeof *m->impls);
    m->random = DEFAULT_RANDOM;
    m->seed = 1;
    m->out = "tamtam-fuzz";
    const char *cmd = fuzz ? "fuzz" : "interop";
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "vh", longs, NULL)) != -1) {
        /* Options of the other subcommand are refused, not ignored. */
        if ((!fuzz && (c == O_ITER || c == O_SECONDS || c == O_OUT)) ||
            (fuzz && c == O_RANDOM)) {
            for (const struct option *l = longs; l->name; l++)
                if (l->val == c)
                    fprintf(stderr, "tamtam-run: --%s is not an option of "
                                    "%s\n",
                            l->name, cmd);
            return -1;
        }
        switch (c) {
        case O_IMPL:
            if (add_impl(m, optarg))
                return -1;
            break;
        case O_VECTORS: m->o.vectors = optarg; break;
        case O_CRC:
            if ((m->o.crc = tr_opt_crc(optarg)) < 0)
                return -1;
            break;
        case O_TIMEOUT:
            if (tr_opt_number("--timeout-ms", optarg, 1, 3600000, &v))
                return -1;
            m->o.timeout_ms = (int)v;
            break;
        case O_START_TIMEOUT:
            if (tr_opt_number("--start-timeout-ms", optarg, 1, 3600000, &v))
                return -1;
            m->o.start_timeout_ms = (int)v;
            break;
        case O_JSON: m->o.json = optarg; break;
        case O_JUNIT: m->o.junit = optarg; break;
        case O_SEED:
            if (tr_opt_number("--seed", optarg, 0, SEED_MAX, &v))
                return -1;
            m->seed = (uint64_t)v;
            m->seed_given = true;
            break;
        case O_RANDOM:
            if (tr_opt_number("--random", optarg, 0, MAX_RANDOM, &v))
                return -1;
            m->random = (long)v;
            break;
        case O_ITER:
            if (tr_opt_number("--iterations", optarg, 1, 1e9, &v))
                return -1;
            m->iterations = (long)v;
            break;
        case O_SECONDS:
            if (tr_opt_number("--seconds", optarg, 1, 1e7, &v))
                return -1;
            m->seconds = (long)v;
            break;
        case O_OUT: m->out = optarg; break;
        case 'v': m->o.verbose = true; break;
        case 'h': usage(stdout, fuzz); exit(0);
        default: usage(stderr, fuzz); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tamtam-run: unexpected argument \"%s\"\n",
                argv[optind]);
        return -1;
    }
    if (m->nimpls < 2) {
        fprintf(stderr, "tamtam-run %s: give two or more --impl NAME=CMD\n",
                cmd);
        usage(stderr, fuzz);
        return -1;
    }
    if (fuzz && !m->iterations && !m->seconds)
        m->iterations = TR_FUZZ_DEFAULT_ITERATIONS;
    if (!m->o.vectors)
        m->o.vectors = tr_default_vectors();
    return 0;
}

static bool is_url(const char *s)
{
    return !strncmp(s, "tcp://", 6) || !strncmp(s, "unix://", 7);
}

int tr_multi_start(tr_multi *m, bool same_crc, tt_crc *crc)
{
    char why[1024];
    for (size_t i = 0; i < m->nimpls; i++) {
        tr_impl *im = &m->impls[i];
        tr_opts so = m->o;
        so.shim = is_url(im->cmd) ? NULL : im->cmd;
        so.shim_connect = is_url(im->cmd) ? im->cmd : NULL;
        tr_shim_init(&im->shim, &so);
        im->shim.name = im->name;
    }
    m->started = true;
    for (size_t i = 0; i < m->nimpls; i++) {
        tr_impl *im = &m->impls[i];
        if (tr_shim_start(&im->shim, why, sizeof why)) {
            fprintf(stderr, "tamtam-run: implementation \"%s\" could not "
                            "run: %s\n",
                    im->name, why);
            return -1;
        }
    }
    for (size_t i = 0; i < m->nimpls; i++) {
        /* interop and fuzz compare Core Frame codecs. */
        if (!tr_hello_speaks(m->impls[i].shim.hello, TR_CORE_PROTOCOL)) {
            fprintf(stderr, "tamtam-run: implementation \"%s\" does not "
                            "speak " TR_CORE_PROTOCOL " (its hello's "
                            "\"protocols\")\n",
                    m->impls[i].name);
            return -1;
        }
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(m->impls[i].shim.hello,
                                                          "crc");
        tt_crc k = (tt_crc)tt_crc_from_name(h->valuestring);
        if (m->o.crc >= 0 && k != (tt_crc)m->o.crc) {
            fprintf(stderr, "tamtam-run: implementation \"%s\" uses %s but "
                            "--crc asked for %s\n",
                    m->impls[i].name, tt_crc_name(k),
                    tt_crc_name((tt_crc)m->o.crc));
            return -1;
        }
        if (i == 0) {
            *crc = k;
        } else if (k != *crc) {
            fprintf(stderr, "tamtam-run: %s: \"%s\" uses %s, \"%s\" uses %s\n",
                    same_crc ? "the implementations must use one CRC-8 "
                               "variant"
                             : "note: the implementations use different "
                               "CRC-8 variants; cells between them will fail",
                    m->impls[0].name, tt_crc_name(*crc), m->impls[i].name,
                    tt_crc_name(k));
            if (same_crc)
                return -1;
        }
    }
    return 0;
}

bool tr_impl_has_op(const tr_impl *im, const char *op)
{
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(im->shim.hello, "ops");
    const cJSON *o;
    cJSON_ArrayForEach(o, ops) if (cJSON_IsString(o) &&
                                   !strcmp(o->valuestring, op)) return true;
    return false;
}

int tr_impl_call(tr_impl *im, tr_progress *p, cJSON *req,
                 void (*read)(const cJSON *, tr_reply *), tr_reply *r)
{
    memset(r, 0, sizeof *r);
    if (tr_shim_ensure_up(&im->shim, p))
        return -1;
    cJSON *resp = NULL;
    if (tr_shim_exchange(&im->shim, p, req, &resp, NULL, NULL, r->why,
                         sizeof r->why)) {
        r->kind = TR_ANS_BAD;
        tr_sanitize(r->why);
        return 0;
    }
    read(resp, r);
    cJSON_Delete(resp);
    return 0;
}

cJSON *tr_multi_json(const tr_multi *m)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < m->nimpls; i++) {
        const tr_impl *im = &m->impls[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", im->name);
        cJSON_AddStringToObject(o, "command", im->cmd);
        const cJSON *h;
        cJSON_ArrayForEach(h, im->shim.hello)
        {
            if (strcmp(h->string, "id") && strcmp(h->string, "ok"))
                cJSON_AddItemToObject(o, h->string, cJSON_Duplicate(h, true));
        }
        tr_sanitize_json(o);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

void tr_multi_print(const tr_multi *m)
{
    for (size_t i = 0; i < m->nimpls; i++) {
        const cJSON *h = m->impls[i].shim.hello;
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(h, "impl");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, "impl_version");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(h, "crc");
        char line[400];
        snprintf(line, sizeof line, "implementation %s: %s %s, %s\n",
                 m->impls[i].name, n->valuestring, v->valuestring,
                 c->valuestring);
        tr_sanitize(line);
        fputs(line, stdout);
    }
}

void tr_multi_free(tr_multi *m)
{
    for (size_t i = 0; m->started && i < m->nimpls; i++)
        tr_shim_free(&m->impls[i].shim);
    free(m->impls);
    m->impls = NULL;
    m->nimpls = 0;
}
