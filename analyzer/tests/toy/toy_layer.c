/*
 * A toy layer above the TamTam decoder, for the analyzer's protocol-seam
 * test (issue 11): the payload of a valid TamTam frame on channel 9 is a
 * toy message (a length byte, then that many bytes of ASCII text), the way
 * the message layer rides on frames. One record per such frame:
 * {"type":"message","protocol":"toyframes",...,"channel":9,"length":N,
 * "text":"..."}, status "ok" or "bad_length" when the length byte does not
 * match the payload.
 *
 * The whole plug-in is this file and its symbol in the executable's
 * decoder list (toy.cmake): nothing in analyzer/src knows it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"

#define TOY_CHANNEL 9

/* Frames seen on the toy channel, per direction (the layer's state). */
typedef struct toy_layer_state {
    uint64_t seen[2];
} toy_layer_state;

static void layer_frame(an_flow *fl, void *st, int status, uint64_t off,
                        const tt_frame *f)
{
    if (status != 0 || f->channel != TOY_CHANNEL || !f->payload)
        return;
    ((toy_layer_state *)st)->seen[fl->idx]++;
    char text[256];
    unsigned n = f->used_len ? f->used_len - 1u : 0;
    bool ok = f->used_len && f->payload[0] == n;
    if (n > sizeof text - 1)
        n = sizeof text - 1;
    memcpy(text, f->payload + 1, n);
    text[n] = '\0';
    an_rfield fields[3] = {
        {"channel", {AN_V_INT, f->channel, NULL}},
        {"length", {AN_V_INT, f->used_len ? f->payload[0] : 0, NULL}},
        {"text", {AN_V_STR, 0, text}},
    };
    an_record r = {.type = "message",
                   .ok = ok,
                   .status = ok ? "ok" : "bad_length",
                   .off = off,
                   .len = f->frame_len,
                   .fields = fields,
                   .nfields = 3};
    an_emit_record(fl, &r);
}

static void layer_end(an_flow *fl, void *st)
{
    (void)fl;
    (void)st;
}

static void layer_close(an_conn *c, void *st)
{
    (void)c;
    (void)st;
}

static const char *const layer_fields[] = {"channel", "length", "text", NULL};

const an_decoder an_toy_layer = {
    .name = "toyframes",
    .above = "tamtam",
    .state_size = sizeof(toy_layer_state),
    .fields = layer_fields,
    .frame = layer_frame,
    .layer_end = layer_end,
    .layer_close = layer_close,
};
