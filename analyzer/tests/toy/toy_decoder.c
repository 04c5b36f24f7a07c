/*
 * A toy second protocol, defined only for the analyzer's protocol-seam
 * test (issue 11), the same as the runner's (runner/tests/toy): a message
 * is one length byte, then that many bytes of ASCII text. One record per
 * message: {"type":"message","protocol":"toy",...,"length":N,"text":"..."},
 * status "ok", "not_ascii", or "truncated" for one a gap or the end cut.
 *
 * The whole plug-in is this file and its symbol in the executable's
 * decoder list (tamtam_analyze_executable in toy.cmake): nothing in
 * analyzer/src knows it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"

#define TOY_PORT 7000

/* One direction: the message being collected (at most 1 + 255 bytes, so
 * the state is fixed-size and needs no allocation). */
typedef struct toy_dir {
    uint8_t buf[256];
    unsigned have;     /* bytes of buf filled, the length byte first */
    uint64_t start;    /* stream offset of buf[0] */
    bool lost;         /* a gap: wait for the end, nothing aligns again */
} toy_dir;

typedef struct toy_conn {
    toy_dir d[2];
} toy_conn;

static toy_dir *dir_of(const an_flow *fl)
{
    return &((toy_conn *)an_conn_dstate(fl->conn))->d[fl->idx];
}

static void emit(an_flow *fl, toy_dir *t, const char *status)
{
    char text[256];
    unsigned n = t->have ? t->have - 1 : 0;
    bool ascii = true;
    for (unsigned i = 0; i < n; i++) {
        ascii &= t->buf[1 + i] >= 0x20 && t->buf[1 + i] < 0x7f;
        text[i] = (char)t->buf[1 + i];
    }
    text[n] = '\0';
    an_rfield f[2] = {
        {"length", {AN_V_INT, t->buf[0], NULL}},
        {"text", ascii ? (an_value){AN_V_STR, 0, text}
                       : (an_value){AN_V_NULL, 0, NULL}},
    };
    if (!ascii && !strcmp(status, "ok"))
        status = "not_ascii";
    an_record r = {.type = "message",
                   .ok = !strcmp(status, "ok"),
                   .status = status,
                   .off = t->start,
                   .len = t->have,
                   .fields = f,
                   .nfields = 2};
    an_emit_record(fl, &r);
    t->start += t->have;
    t->have = 0;
}

static void toy_open(an_conn *c, bool probing)
{
    (void)c;
    (void)probing;
}

static void toy_stream_start(an_flow *fl)
{
    (void)fl;
}

static void toy_data(an_flow *fl, uint64_t off, const uint8_t *p, size_t n)
{
    toy_dir *t = dir_of(fl);
    if (t->lost)
        return;
    if (!t->have)
        t->start = off;
    for (size_t i = 0; i < n; i++) {
        t->buf[t->have++] = p[i];
        if (t->have == 1u + t->buf[0])
            emit(fl, t, "ok");
    }
}

static void toy_gap(an_flow *fl, uint64_t off, uint64_t n)
{
    (void)off;
    (void)n;
    toy_dir *t = dir_of(fl);
    if (t->have)
        emit(fl, t, "truncated");
    t->lost = true;
}

static void toy_datagram(an_flow *fl, const uint8_t *p, uint32_t len,
                         uint32_t cap)
{
    toy_dir *t = dir_of(fl);
    fl->c.bytes += len;
    t->have = 0;
    t->start = 0;
    for (uint32_t i = 0; i < cap && t->have < sizeof t->buf; i++)
        t->buf[t->have++] = p[i];
    emit(fl, t, t->have && t->have == 1u + t->buf[0] ? "ok" : "truncated");
}

static uint64_t toy_needed_from(const an_flow *fl)
{
    return dir_of(fl)->start;
}

static void toy_end(an_flow *fl)
{
    toy_dir *t = dir_of(fl);
    if (t->have)
        emit(fl, t, "truncated");
}

static void toy_close(an_conn *c)
{
    (void)c;
}

static const char *const toy_fields[] = {"length", "text", NULL};

const an_decoder an_toy_decoder = {
    .name = "toy",
    .default_port = TOY_PORT,
    .state_size = sizeof(toy_conn),
    .fields = toy_fields,
    .open = toy_open,
    .stream_start = toy_stream_start,
    .data = toy_data,
    .gap = toy_gap,
    .datagram = toy_datagram,
    .needed_from = toy_needed_from,
    .end = toy_end,
    .close = toy_close,
};
