/*
 * Fuzz target: the runner's reading and judging of one shim reply, with
 * no process in between. The input is the line a shim wrote (cut at its
 * first '\n', one trailing '\r' dropped, as the runner reads it), handed
 * over as an exact-size buffer with no NUL after it. It goes through
 * tr_reply_parse as the answer to a junk line (any id) and as the answer
 * to request 1, then, when that parse succeeds, tr_hello_check and
 * tr_codec_judge for one case of every kind on the runner's test fixtures
 * (runner/tests/fixtures): decode of a valid local and a valid roaming
 * frame, of a CRC error, of a truncated frame and of an info-level vector;
 * encode of a frame and the refusal of an oversized one; two streams.
 *
 * Invariants (abort on violation, so libFuzzer and the replay report it):
 * - a refused line has a reason, an accepted one carries id 1;
 * - a verdict is PASS, FAIL, INFO or UNSUPPORTED, and only PASS has an
 *   empty detail; a detail stays within the runner's 1 MiB cap;
 * - PASS and UNSUPPORTED agree with a plain cJSON reading of the answer:
 *   "ok", the error name, "consumed", the length of "hex", the number of
 *   events and "pending" are what the vector wants;
 * - a hello accepted has "ok" true, string "impl", "impl_version", "crc"
 *   naming a variant and an "ops" array of strings;
 * - cJSON memory, counted through its hooks, is all freed, and what is live
 *   at once stays within TR_REPLY_TREE_MAX and within 100 bytes per byte of
 *   the line plus 64 KiB (the estimate of tr_reply_parse is at most 97 per
 *   byte; the slack covers the frame objects a detail prints).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjson_counting.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#ifndef TR_FUZZ_VECTORS
#error "TR_FUZZ_VECTORS (the runner's test fixtures) must be defined"
#endif

#define CJSON_FACTOR 100
#define CJSON_SLACK (64 * 1024)

static void check(bool ok, const char *what, const char *detail)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_shim_reply: %s\ndetail: %.2000s\n", what,
            detail ? detail : "(none)");
    abort();
}

/* ---- the fixtures and the cases judged ---- */

static const char *const case_ids[] = {
    "codec.decode.cf-example-1",   "codec.decode.cf-example-2",
    "codec.decode.cf-crc-byte",    "codec.decode.cf-trunc-1",
    "codec.decode.cf-reserved",    "codec.encode.cf-example-1",
    "codec.encode.cf-used-17",     "codec.stream.cs-spec-example",
    "codec.stream.cs-used-skip",
};
#define NCASES (sizeof case_ids / sizeof case_ids[0])

static tr_vectors vectors;
static const tr_case *cases[NCASES];

static void setup(void)
{
    /* Before any cJSON allocation: memory from one allocator must never
     * reach the other's free. */
    fuzz_cjson_count();
    char why[1024];
    if (tr_vectors_load(TR_FUZZ_VECTORS, &vectors, why, sizeof why)) {
        fprintf(stderr, "fuzz_shim_reply: %s\n", why);
        exit(2);
    }
    tr_vectors_adapt(&vectors, vectors.crc);
    static tr_cases all; /* kept for the process's life */
    tr_codec_cases(&vectors, &all);
    for (size_t k = 0; k < NCASES; k++) {
        for (size_t i = 0; i < all.n && !cases[k]; i++)
            if (!strcmp(all.c[i].id, case_ids[k]))
                cases[k] = &all.c[i];
        if (!cases[k]) {
            fprintf(stderr, "fuzz_shim_reply: no case %s in %s\n",
                    case_ids[k], TR_FUZZ_VECTORS);
            exit(2);
        }
    }
}

/* ---- what a plain reading of the answer says ---- */

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static bool is_error(const cJSON *resp, const char *name)
{
    const cJSON *e = get(resp, "error");
    return cJSON_IsFalse(get(resp, "ok")) && cJSON_IsString(e) &&
           !strcmp(e->valuestring, name);
}

static bool equals(const cJSON *v, double want)
{
    return cJSON_IsNumber(v) && v->valuedouble == want;
}

/* A PASS the answer's plain reading bears out. */
static bool pass_holds(const tr_case *c, const cJSON *resp)
{
    bool ok = cJSON_IsTrue(get(resp, "ok"));
    if (c->kind == TR_CODEC_STREAM) {
        const tr_svec *sv = &vectors.s[c->vi];
        const cJSON *ev = get(resp, "events");
        return ok && cJSON_IsArray(ev) &&
               (size_t)cJSON_GetArraySize(ev) == sv->nevents &&
               equals(get(resp, "pending"), (double)sv->pending);
    }
    const tr_fvec *fv = &vectors.f[c->vi];
    size_t flen = tr_frame_len(fv->bytes, fv->len);
    const cJSON *hex = get(resp, "hex");
    switch ((tr_codec_kind)c->kind) {
    case TR_CODEC_DECODE:
        return fv->valid ? ok && equals(get(resp, "consumed"), (double)flen) &&
                               cJSON_IsObject(get(resp, "frame"))
                         : is_error(resp, tt_error_name(fv->error));
    case TR_CODEC_ENCODE:
        return ok && cJSON_IsString(hex) &&
               strlen(hex->valuestring) == 2 * flen;
    case TR_CODEC_ENCODE_REFUSE:
        return is_error(resp, "used_len_exceeds_block");
    case TR_CODEC_STREAM:
        break; /* above */
    }
    return false;
}

static void judge(const tr_case *c, const cJSON *resp, const char *got)
{
    char *detail = NULL;
    tr_verdict v = tr_codec_judge(&vectors, c, resp, got, &detail);
    check(detail != NULL, "no detail string", c->id);
    check(v == TR_PASS || v == TR_FAIL || v == TR_INFO ||
              v == TR_UNSUPPORTED,
          "a verdict the runner does not define", c->id);
    check(v == TR_PASS || *detail, "a verdict without a detail", c->id);
    check(strlen(detail) < TR_BUF_MAX, "a detail beyond its cap", c->id);
    check(v != TR_PASS || pass_holds(c, resp),
          "PASS for an answer that does not say what the vector wants",
          c->id);
    check(v != TR_UNSUPPORTED || is_error(resp, "unsupported"),
          "UNSUPPORTED without an \"unsupported\" answer", detail);
    check(v != TR_INFO || c->info, "INFO on a must-level vector", detail);
    free(detail);
}

static void hello(const cJSON *resp)
{
    char why[1024] = "";
    if (tr_hello_check(resp, why, sizeof why)) {
        check(*why, "a hello refused without a reason", NULL);
        return;
    }
    const cJSON *crc = get(resp, "crc"), *ops = get(resp, "ops"), *op;
    check(cJSON_IsTrue(get(resp, "ok")) &&
              cJSON_IsString(get(resp, "impl")) &&
              cJSON_IsString(get(resp, "impl_version")) &&
              cJSON_IsString(crc) && tt_crc_from_name(crc->valuestring) >= 0 &&
              cJSON_IsArray(ops),
          "a hello accepted without its members", NULL);
    cJSON_ArrayForEach(op, ops)
    {
        check(cJSON_IsString(op), "a hello accepted with a non-string op",
              NULL);
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    const unsigned char *nl = memchr(data, '\n', size);
    size_t len = nl ? (size_t)(nl - data) : size;
    if (len && data[len - 1] == '\r')
        len--;
    /* An exact-size copy, so reads past the line are caught. */
    char *line = malloc(len ? len : 1);
    check(line != NULL, "out of memory in the harness", NULL);
    memcpy(line, data, len);
    size_t base = fuzz_cjson_live();
    fuzz_cjson_reset_peak();

    char why[1024] = "";
    cJSON *any = tr_reply_parse(line, len, -1, why, sizeof why);
    check(any || *why, "a line refused without a reason", NULL);
    cJSON_Delete(any);

    why[0] = '\0';
    cJSON *resp = tr_reply_parse(line, len, 1, why, sizeof why);
    if (!resp) {
        check(*why, "a line refused without a reason", NULL);
    } else {
        check(equals(get(resp, "id"), 1), "an answer with another id", why);
        /* What tr_shim_call keeps of the line for the detail. */
        size_t keep = len < TR_GOT_MAX ? len : TR_GOT_MAX;
        char *got = malloc(keep + 1);
        check(got != NULL, "out of memory in the harness", NULL);
        memcpy(got, line, keep);
        got[keep] = '\0';
        hello(resp);
        for (size_t k = 0; k < NCASES; k++)
            judge(cases[k], resp, got);
        free(got);
        cJSON_Delete(resp);
    }
    free(line);
    check(fuzz_cjson_live() == base, "cJSON memory left allocated", NULL);
    size_t held = fuzz_cjson_peak() - base;
    check(held <= TR_REPLY_TREE_MAX && held <= CJSON_FACTOR * len + CJSON_SLACK,
          "cJSON memory beyond its bound", NULL);
    return 0;
}
