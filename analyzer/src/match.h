/*
 * --match: a filter expression on decoded frame fields, used for -w (which
 * packets are written) and for which frames are printed.
 *
 *   expr  := or
 *   or    := and { ("||" | "or") and }
 *   and   := unary { ("&&" | "and") unary }
 *   unary := ("!" | "not") unary | "(" or ")" | FIELD OP VALUE
 *   OP    := "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
 *
 * FIELD        VALUE
 * status       ok, crc_mismatch, used_len_exceeds_block, truncated, or
 *              invalid (any status but ok); = and != only
 * class        0..15 or System, Control, Data, Event, Response, Reserved
 * direction    0..15 or Request, Reply, Broadcast, Signal, Reserved
 * size_id channel crc used_len   integers
 * big ack priority ext           true / false (or 1 / 0)
 * dest         0..65535, or null (frames without the extension)
 * len          bytes of the frame as seen; offset: its stream offset
 * proto        tcp / udp
 * sport dport  integers; port: either of the two (!= : neither)
 * protocol     the decoder's name (tamtam, ...); = and != only
 * Any field of another decoder's records (decoder.h), by name: an integer,
 * true / false, null, or a word (letters, digits, _ . - :) compared as a
 * string (= and != only).
 * A field a record does not have matches only with != (a Core Frame
 * field name on another decoder's record means the record's field of that
 * name, if any). Status of another
 * decoder's record: ok or invalid.
 * Names are case-insensitive; integers are decimal or 0x-hex.
 */
#ifndef AN_MATCH_H
#define AN_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"
#include "tamtam/tamtam.h"

typedef struct an_match an_match;

/* What an expression is evaluated against: a TamTam frame (f) or another
 * decoder's record (rec). */
typedef struct an_match_frame {
    int status; /* 0 or a tt_error (frames) */
    const tt_frame *f;
    uint64_t len, offset;
    bool udp;
    uint16_t sport, dport;
    const char *protocol; /* NULL: "tamtam" */
    const an_record *rec; /* instead of f, for other decoders */
} an_match_frame;

/* Compiles `expr` over the TamTam and common fields. Returns the
 * expression, or NULL with a message naming the problem and its position
 * written to err (errlen bytes). */
an_match *an_match_parse(const char *expr, char *err, size_t errlen);

/* As an_match_parse, also accepting the fields of the decoders in `table`
 * (NULL-terminated, may be NULL). */
an_match *an_match_parse_for(const char *expr,
                             const an_decoder *const *table, char *err,
                             size_t errlen);

/* Returns true when frame `x` satisfies `m`. */
bool an_match_eval(const an_match *m, const an_match_frame *x);

void an_match_free(an_match *m);

#endif
