/*
 * The analyzer against the suite's normative vectors rendered as traffic
 * (vectors/pcap/core.pcap and core.pcapng, written by tamtam-vectors; the
 * index core-index.json maps every vector to its TCP client port and UDP
 * datagram). For every frame vector, the first frame of its connection and
 * its datagram must have the vector's verdict (and, when valid, exactly
 * its frame object); for every stream vector, the frames of its connection
 * must be exactly its events, offsets included, plus one cut frame when
 * bytes are pending.
 *
 * argv: tamtam-analyze VECTORS-DIR
 */
#include <stdio.h>
#include <stdlib.h>

#include "testkit.h"

static const char *vdir;

static cJSON *load_json(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", vdir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    cJSON *j = cJSON_Parse(buf);
    free(buf);
    if (!j)
        fail_msg("%s is not JSON", path);
    return j;
}

/* Frame lines by client port, per protocol. */
typedef struct lines {
    const cJSON **l;
    size_t n, cap;
} lines;

static lines by_port[2][65536];

static void index_frames(const an_result *r)
{
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < 65536; i++)
            by_port[p][i].n = 0;
    for (size_t i = 0; i < r->nlines; i++) {
        const cJSON *l = r->line[i];
        if (strcmp(an_str(l, "type"), "frame"))
            continue;
        const char *src = an_str(l, "src");
        if (strncmp(src, "10.0.0.1:", 9))
            continue; /* what the server sends: nothing here */
        unsigned port = (unsigned)atoi(src + 9);
        lines *ls = &by_port[!strcmp(an_str(l, "proto"), "udp")][port];
        if (ls->n == ls->cap) {
            ls->cap = ls->cap ? 2 * ls->cap : 4;
            ls->l = realloc(ls->l, ls->cap * sizeof(const cJSON *));
            assert_non_null(ls->l);
        }
        ls->l[ls->n++] = l;
    }
}

static const char *const frame_keys[12] = {
    "class", "direction", "size_id", "big",  "ack",      "priority",
    "ext",   "channel",   "dest",    "crc",  "used_len", "payload"};

/* The frame members of a line equal the vector's frame object. */
static void assert_same_frame(const cJSON *line, const cJSON *want,
                              const char *id)
{
    for (int i = 0; i < 12; i++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(line, frame_keys[i]);
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(want, frame_keys[i]);
        if (!a || !b || !cJSON_Compare(a, b, 1))
            fail_msg("%s: \"%s\" differs from the vector", id, frame_keys[i]);
    }
}

static const cJSON *find_vector(const cJSON *file, const char *id)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(file, "vectors"))
        if (!strcmp(an_str(v, "id"), id))
            return v;
    fail_msg("vector %s is in the index but not in its file", id);
    return NULL;
}

static void check_frame_vector(const cJSON *v, const cJSON *ix)
{
    const char *id = an_str(v, "id");
    bool valid = !strcmp(an_str(v, "expect"), "valid");
    const char *status = valid ? "ok" : an_str(v, "error");
    const cJSON *frame = cJSON_GetObjectItem(v, "frame");
    bool variant = cJSON_GetObjectItem(v, "valid_under") != NULL;
    lines *tcp = &by_port[0][an_int(ix, "tcp_port")];
    lines *udp = &by_port[1][an_int(ix, "udp_port")];
    if (an_str(v, "hex")[0] == '\0') {
        if (tcp->n != 0)
            fail_msg("%s: no bytes, yet %zu frames over TCP", id, tcp->n);
    } else {
        if (tcp->n == 0)
            fail_msg("%s: no frame reported over TCP", id);
        if (strcmp(an_str(tcp->l[0], "status"), status))
            fail_msg("%s: TCP status %s, vector says %s", id,
                     an_str(tcp->l[0], "status"), status);
        assert_int_equal(an_int(tcp->l[0], "stream_offset"), 0);
        if (valid && !variant)
            assert_same_frame(tcp->l[0], frame, id);
    }
    if (udp->n != 1)
        fail_msg("%s: %zu frames over UDP, want 1", id, udp->n);
    if (strcmp(an_str(udp->l[0], "status"), status))
        fail_msg("%s: UDP status %s, vector says %s", id,
                 an_str(udp->l[0], "status"), status);
    if (valid && !variant)
        assert_same_frame(udp->l[0], frame, id);
}

static void check_stream_vector(const cJSON *v, const cJSON *ix)
{
    const char *id = an_str(v, "id");
    lines *tcp = &by_port[0][an_int(ix, "tcp_port")];
    const cJSON *events = cJSON_GetObjectItem(v, "events");
    size_t n = (size_t)cJSON_GetArraySize(events);
    bool pending = an_int(v, "pending") > 0;
    if (tcp->n != n + pending)
        fail_msg("%s: %zu frames, want %zu events%s", id, tcp->n, n,
                 pending ? " and the pending one" : "");
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, events)
    {
        const cJSON *l = tcp->l[i++];
        const cJSON *f = cJSON_GetObjectItem(e, "frame");
        if (f) {
            if (strcmp(an_str(l, "status"), "ok"))
                fail_msg("%s: event %zu is a frame, got %s", id, i,
                         an_str(l, "status"));
            assert_same_frame(l, f, id);
        } else {
            if (strcmp(an_str(l, "status"), an_str(e, "error")))
                fail_msg("%s: event %zu is %s, got %s", id, i,
                         an_str(e, "error"), an_str(l, "status"));
            assert_int_equal(an_int(l, "stream_offset"), an_int(e, "offset"));
        }
    }
    if (pending) {
        const cJSON *l = tcp->l[n];
        int64_t len = (int64_t)strlen(an_str(v, "hex")) / 2;
        assert_int_equal(an_int(l, "stream_offset"),
                         len - an_int(v, "pending"));
        if (!strcmp(an_str(l, "status"), "ok"))
            fail_msg("%s: the pending bytes were reported as a valid frame",
                     id);
    }
}

static void check_capture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/pcap/%s", vdir, name);
    an_result r;
    run_json(&r, path, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    index_frames(&r);
    cJSON *index = load_json("pcap/core-index.json");
    cJSON *frames = load_json("core-frame.json");
    cJSON *streams = load_json("core-stream.json");
    size_t nf = 0, ns = 0;
    const cJSON *ix;
    cJSON_ArrayForEach(ix, cJSON_GetObjectItem(index, "vectors"))
    {
        const char *file = an_str(ix, "file");
        if (!strcmp(file, "core-frame.json")) {
            check_frame_vector(find_vector(frames, an_str(ix, "id")), ix);
            nf++;
        } else {
            check_stream_vector(find_vector(streams, an_str(ix, "id")), ix);
            ns++;
        }
    }
    /* Every vector of both files was rendered and checked. */
    assert_int_equal(nf, an_int(frames, "count"));
    assert_int_equal(ns, an_int(streams, "count"));
    assert_int_equal(an_int(summary_of(&r), "packets"),
                     an_int(index, "packets"));
    assert_int_equal(an_int(summary_of(&r), "gaps"), 0);
    cJSON_Delete(index);
    cJSON_Delete(frames);
    cJSON_Delete(streams);
    an_result_free(&r);
}

static void classic_pcap(void **state)
{
    (void)state;
    check_capture("core.pcap");
}

static void pcapng_file(void **state)
{
    (void)state;
    check_capture("core.pcapng");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classic_pcap),
        cmocka_unit_test(pcapng_file),
    };
    if (argc < 3) {
        fprintf(stderr, "usage: %s tamtam-analyze VECTORS-DIR\n", argv[0]);
        return 2;
    }
    an_bin = argv[1];
    vdir = argv[2];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
