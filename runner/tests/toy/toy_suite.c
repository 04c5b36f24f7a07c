/*
 * A toy second protocol, defined only for the runner's protocol-seam test
 * (issue 11): a frame is one length byte, then that many bytes of ASCII
 * text. Requirements: TOY-1-a a complete frame parses to its text; TOY-1-b
 * a frame shorter than its length byte says is "truncated".
 *
 * The whole plug-in is this file and its symbol in the executable's suite
 * list (tamtam_run_executable in runner/tests/CMakeLists.txt): nothing in
 * runner/src knows it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

typedef struct toy_vector {
    char *id, *reqs, *hex, *text, *error; /* text or error */
} toy_vector;

typedef struct toy_set {
    toy_vector *v;
    size_t n;
} toy_set;

static char *dup_member(const cJSON *o, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(m) ? tr_xstrdup(m->valuestring) : NULL;
}

static void toy_free(void *vectors)
{
    toy_set *s = vectors;
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].id);
        free(s->v[i].reqs);
        free(s->v[i].hex);
        free(s->v[i].text);
        free(s->v[i].error);
    }
    free(s->v);
    free(s);
}

static void *toy_load(const char *dir, char *why, size_t whylen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/toy.json", dir);
    cJSON *doc = tr_read_json(path, 1u << 20, why, whylen);
    if (!doc)
        return NULL;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "vectors"), *o;
    toy_set *s = tr_xcalloc(1, sizeof *s);
    s->v = tr_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->v);
    cJSON_ArrayForEach(o, arr)
    {
        toy_vector *t = &s->v[s->n++];
        t->id = dup_member(o, "id");
        t->hex = dup_member(o, "hex");
        t->text = dup_member(o, "text");
        t->error = dup_member(o, "error");
        tr_buf b = {0};
        const cJSON *r;
        const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(o, "requirements");
        cJSON_ArrayForEach(r, reqs)
        {
            tr_buf_printf(&b, "%s%s", b.len ? "," : "",
                          cJSON_IsString(r) ? r->valuestring : "");
        }
        t->reqs = tr_buf_take(&b);
        if (!t->id || !t->hex || !t->text == !t->error) {
            snprintf(why, whylen, "%s: vector %zu needs id, hex and one of "
                                  "text, error",
                     path, s->n - 1);
            cJSON_Delete(doc);
            toy_free(s);
            return NULL;
        }
    }
    cJSON_Delete(doc);
    return s;
}

enum { TOY_PARSE }; /* the suite's one case kind */

static void toy_cases(const tr_suite *self, const void *vectors,
                      const tr_suite_env *env, tr_cases *cs)
{
    (void)env;
    const toy_set *s = vectors;
    for (size_t i = 0; i < s->n; i++)
        tr_cases_add(cs, self, TOY_PARSE, i, false, s->v[i].reqs,
                     "toy.parse.%s", s->v[i].id);
}

static int toy_prepare(void *vectors, const tr_opts *o, const cJSON *hello)
{
    (void)vectors;
    (void)o;
    (void)hello;
    return 0;
}

static cJSON *toy_request(const void *vectors, const tr_case *c,
                          const cJSON *hello, char **unsupported)
{
    (void)hello;
    (void)unsupported;
    const toy_set *s = vectors;
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "op", "toy.parse"); /* namespaced op */
    cJSON_AddStringToObject(req, "hex", s->v[c->vi].hex);
    return req;
}

static tr_verdict toy_judge(const void *vectors, const tr_case *c,
                            const cJSON *resp, const char *got, char **detail)
{
    const toy_vector *t = &((const toy_set *)vectors)->v[c->vi];
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(resp, "text");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(resp, "error");
    bool pass = t->text ? cJSON_IsTrue(ok) && cJSON_IsString(text) &&
                              !strcmp(text->valuestring, t->text)
                        : cJSON_IsFalse(ok) && cJSON_IsString(err) &&
                              !strcmp(err->valuestring, t->error);
    tr_buf d = {0};
    if (!pass) {
        tr_buf_printf(&d, "Expected: %s %s", t->text ? "text" : "error",
                      t->text ? t->text : t->error);
        tr_buf_line(&d, "Actual:  ", got);
    }
    *detail = tr_buf_take(&d);
    return pass ? TR_PASS : TR_FAIL;
}

const tr_suite tr_toy_suite = {
    .name = "toy",
    .protocol = "toy/1",
    .req_prefix = "TOY-",
    .mode = TR_MODE_SHIM,
    .load = toy_load,
    .free = toy_free,
    .cases = toy_cases,
    .prepare = toy_prepare,
    .request = toy_request,
    .judge = toy_judge,
};
