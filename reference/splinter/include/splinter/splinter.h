/*
 * libsplinter: the reference for Splinter envelopes v1.0
 * (spec/splinter-envelope.md, requirement IDs SP-...). This is the one public
 * header.
 *
 * The library is sans-I/O: no function reads a clock, a random source, a file
 * or a socket; the caller supplies times ("now") and random bytes. JSON is
 * cJSON's (<cjson/cJSON.h>): parsed envelopes hand out cJSON values.
 *
 * Conventions (CONTRIBUTING.md): a call returns 0 or a count on success and a
 * negative code of SP_ERROR_MAP on failure. Protocol faults (1000, 3000, ...)
 * are not library errors: the validator returns them as positive values.
 * No global state of its own; cJSON keeps the position of its last parse error
 * in a global, so parse from one thread at a time or accept that race on a
 * value this library never reads.
 * Strings are UTF-8 and NUL-terminated unless a length is given. Times are
 * sp_time: seconds and nanoseconds since 1970-01-01T00:00:00Z, POSIX time (no
 * leap seconds), proleptic Gregorian calendar.
 */
#ifndef SPLINTER_SPLINTER_H
#define SPLINTER_SPLINTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SP_VERSION "1.0" /* the envelope version this library speaks */

/* ---- Limits (spec SP-2, SP-3, SP-8) -------------------------------------- */
#define SP_LINE_MAX 1048576u   /* bytes of a line without terminator, SP-2-f */
#define SP_DEPTH_MAX 64u       /* nesting, envelope object = 1, SP-2-e */
#define SP_ID_MAX 128u         /* bytes of `id`, SP-3.1-b */
#define SP_TTL_MAX 9007199254740991ull /* 2^53 - 1, SP-3.2-b */
#define SP_SEQ_MAX 4294967295ull       /* 2^32 - 1, SP-3.2-d */
#define SP_CODE_MAX 2147483647ull      /* error payload code, SP-4-d */
#define SP_WINDOW 64u                  /* reassembly window, SP-8-d */
#define SP_STREAM_TIMEOUT_MS 30000u    /* deadline without ttl_ms, SP-8-g */
#define SP_MAX_STREAMS 1024u           /* SP-8-h */
#define SP_STREAM_BYTES_MAX (4u * 1024u * 1024u)  /* per stream, SP-8-h */
#define SP_TOTAL_BYTES_MAX (64u * 1024u * 1024u)  /* all streams, SP-8-h */

/* ---- Library errors ---------------------------------------------------------
 * X(ID, value, name, description): one table for the enum and the names.
 */
#define SP_ERROR_MAP(X)                                                        \
    X(INVALID_ARGUMENT, -1, "invalid_argument",                                \
      "an argument is NULL, out of range or of the wrong shape")               \
    X(NO_MEMORY, -2, "no_memory", "an allocation failed")                      \
    X(NO_SPACE, -3, "no_space", "the output buffer is too small")              \
    X(NO_REPLY, -4, "no_reply",                                                \
      "no reply is possible: the trigger's id or from cannot be read, or it "  \
      "is an error envelope (SP-9.2-c, SP-9.2-d)")                             \
    X(NOT_FOUND, -5, "not_found", "no such stream or nothing to take")

typedef enum sp_error {
#define SP__ERROR_ENUM(id, value, name, desc) SP_ERR_##id = (value),
    SP_ERROR_MAP(SP__ERROR_ENUM)
#undef SP__ERROR_ENUM
} sp_error;

/* Returns the snake_case name of library error `err`, or NULL if unknown. */
const char *sp_error_name(int err);

/* Returns a one-line description of library error `err`, or NULL. */
const char *sp_error_desc(int err);

/* ---- Faults (spec section 9.1) ----------------------------------------------
 * THE fault table: X(SYMBOL, code, RECOVERABILITY, description). It generates
 * the sp_fault enum, sp_fault_symbol/_desc/_recover/_from_symbol, the table
 * of spec/splinter-envelope.md and the dissector's Lua value table
 * (sp_fault_table_gen md|lua). The symbol is the stringified first column.
 * Recoverability is one of SP_RECOVER_MAP.
 */
#define SP_FAULT_MAP(X)                                                        \
    X(BAD_SCHEMA, 1000, NO_DROP,                                               \
      "The line is not a well-formed envelope: bad JSON or UTF-8, a required " \
      "member missing, a member of the wrong type or form.")                   \
    X(TTL_EXPIRED, 1001, YES,                                                  \
      "The message arrived later than its ts plus ttl_ms.")                    \
    X(NOT_AUTHORIZED, 2000, YES,                                               \
      "The sender may not address the recipient named in to.")                 \
    X(UNKNOWN_TYPE, 3000, NO,                                                  \
      "The type names none of the message types the receiver knows.")          \
    X(BACKPRESSURE, 4100, RETRY,                                               \
      "The receiver's inbox or buffer is full; send again later, backing "     \
      "off.")                                                                  \
    X(STREAM_TIMEOUT, 4200, RETRY,                                             \
      "A chunked message still had missing chunks when its deadline passed.")  \
    X(INTERNAL_ERROR, 5000, DEPENDS,                                           \
      "Any other failure of the receiver; it may restart.")

/* X(ID, text as the spec's table writes it) */
#define SP_RECOVER_MAP(X)                                                      \
    X(NO_DROP, "no (drop)")                                                    \
    X(NO, "no")                                                                \
    X(YES, "yes")                                                              \
    X(RETRY, "yes (retry)")                                                    \
    X(DEPENDS, "depends")

typedef enum sp_fault {
    SP_OK = 0,
#define SP__FAULT_ENUM(sym, code, rec, desc) SP_FAULT_##sym = (code),
    SP_FAULT_MAP(SP__FAULT_ENUM)
#undef SP__FAULT_ENUM
} sp_fault;

typedef enum sp_recover {
#define SP__RECOVER_ENUM(id, text) SP_RECOVER_##id,
    SP_RECOVER_MAP(SP__RECOVER_ENUM)
#undef SP__RECOVER_ENUM
} sp_recover;

/* Returns the pinned symbol of fault `code` ("BAD_SCHEMA"), or NULL when the
 * table has no such code. */
const char *sp_fault_symbol(int code);

/* Returns the table's description of fault `code`, or NULL when unknown. */
const char *sp_fault_desc(int code);

/* Returns the recoverability of fault `code` (an sp_recover value), or
 * SP_ERR_INVALID_ARGUMENT when unknown. */
int sp_fault_recover(int code);

/* Returns the text of an sp_recover value ("no (drop)"), or NULL. */
const char *sp_recover_text(int rec);

/* Returns the code whose symbol is `symbol` (exact, case-sensitive), or 0
 * when no fault has it (or symbol is NULL). */
int sp_fault_from_symbol(const char *symbol);

/* ---- Info notes (spec section 9.3): bits of sp_check.notes ----------------
 * X(ID, bit, name, requirement)
 */
#define SP_NOTE_MAP(X)                                                         \
    X(ID_NOT_UUIDV7, 0x1u, "id_not_uuidv7", "SP-3.1-c")                        \
    X(UNKNOWN_FAULT_CODE, 0x2u, "unknown_fault_code", "SP-4-e")                \
    X(UNKNOWN_MEMBER, 0x4u, "unknown_member", "SP-3.3-a")                      \
    X(DUPLICATE_CHUNK, 0x8u, "duplicate_chunk", "SP-8-e")

enum {
#define SP__NOTE_ENUM(id, bit, name, req) SP_NOTE_##id = (bit),
    SP_NOTE_MAP(SP__NOTE_ENUM)
#undef SP__NOTE_ENUM
};

/* Returns the name of the single note bit `bit` ("id_not_uuidv7"), or NULL
 * when `bit` is not exactly one known note. */
const char *sp_note_name(unsigned bit);

/* ---- Time: RFC 3339 in UTC (spec section 5) ------------------------------ */
typedef struct sp_time {
    int64_t sec;   /* seconds since 1970-01-01T00:00:00Z (negative before) */
    uint32_t nsec; /* 0..999999999 */
} sp_time;

/* Parses exactly `len` bytes at `s` as an SP-5 timestamp: YYYY-MM-DD, T or t,
 * hh:mm:ss, optional '.' and 1..9 digits, then Z, z or +00:00. Years
 * 0000..9999; days checked against the month (Feb 29 in leap years only);
 * second 60 only at 23:59:60, read as the next second (SP-5-e).
 * Returns 0 with *out set, or SP_ERR_INVALID_ARGUMENT when the text breaks a
 * rule (or s/out is NULL); *out is untouched then. */
int sp_time_parse(const char *s, size_t len, sp_time *out);

/* Writes `t` as "YYYY-MM-DDThh:mm:ss[.f]Z" with `digits` fraction digits
 * (0..9; 0 writes no dot; truncated, not rounded) into `buf` of `cap` bytes,
 * NUL-terminated. SP-5-f's writer form is digits = 3. Returns the length
 * written (without the NUL), SP_ERR_INVALID_ARGUMENT when t is before year 0
 * or after year 9999, t->nsec > 999999999 or digits > 9, or SP_ERR_NO_SPACE
 * when cap is too small (at most 31 bytes are ever needed). */
int sp_time_format(const sp_time *t, unsigned digits, char *buf, size_t cap);

/* Compares two times: negative, 0 or positive as a is before, equal to or
 * after b. */
int sp_time_cmp(const sp_time *a, const sp_time *b);

/* Returns `t` plus `ms` milliseconds (ms <= SP_TTL_MAX keeps within int64). */
sp_time sp_time_add_ms(const sp_time *t, uint64_t ms);

/* ---- UUIDs (SP-3.1-c) ----------------------------------------------------- */
#define SP_UUID_LEN 36u /* characters of the hyphenated form, without NUL */

/* Writes a UUID version 7 (RFC 9562): the 48-bit big-endian `unix_ms`, the
 * version nibble 7, 12 bits from rnd[0..1], the variant bits 10, and 62 bits
 * from rnd[2..9] (the top two bits of rnd[2] and the top four of rnd[0] are
 * replaced). The caller supplies the 10 random bytes; nothing is read here.
 * Writes 36 lower-case characters and a NUL to `out` (37 bytes). Returns 36,
 * or SP_ERR_INVALID_ARGUMENT for NULL arguments or unix_ms >= 2^48. */
int sp_uuid7(uint64_t unix_ms, const uint8_t rnd[10], char out[37]);

/* Returns the version nibble (0..15) when `len` bytes at `s` are a UUID in
 * the 8-4-4-4-12 hyphenated hex form (either case) with the RFC 9562 variant
 * (bits 10); returns SP_ERR_INVALID_ARGUMENT otherwise. A UUIDv7 gives 7. */
int sp_uuid_version(const char *s, size_t len);

/* ---- Envelope validator (spec sections 2 to 7) ----------------------------- */
typedef enum sp_type {
    SP_TYPE_UNKNOWN = 0,
    SP_TYPE_QUERY,
    SP_TYPE_RESPONSE,
    SP_TYPE_EVENT,
    SP_TYPE_ERROR,
    SP_TYPE_HEARTBEAT
} sp_type;

/* Returns the wire name of `t` ("query"), or NULL for SP_TYPE_UNKNOWN. */
const char *sp_type_name(sp_type t);

/* A parsed envelope. Every pointer is a view into `root`, valid until
 * sp_envelope_free. Fields are set as far as validation got: on a fault,
 * members read before the failing check are set, the rest are zero. */
typedef struct sp_envelope {
    cJSON *root;          /* the parsed line (owned); NULL if it did not parse */
    const char *id;       /* NULL when not read */
    sp_time ts;           /* valid when has_ts */
    bool has_ts;
    const char *from;
    const char *to;       /* "*" when the member is absent (SP-3.2-a) */
    bool to_present;
    const char *type_name; /* the member as sent */
    sp_type type;
    const cJSON *payload; /* NULL when absent (heartbeat only) */
    bool has_ttl;
    uint64_t ttl_ms;
    const char *trace;    /* NULL when absent */
    bool has_seq;         /* seq and eof present (a chunk, SP-3.2-e) */
    uint32_t seq;
    bool eof;
    /* error envelopes (SP-4-d): */
    int64_t error_code;   /* -1 when not an error envelope */
    const char *error_symbol, *error_detail; /* detail NULL when absent */
} sp_envelope;

/* The verdict on one line. */
typedef struct sp_check {
    int fault;         /* 0 (valid) or a fault code: 1000, 3000, 2000, 1001 */
    const char *req;   /* the SP- ID that failed ("SP-2-d"); NULL when valid */
    char detail[160];  /* a human sentence about the failure; "" when valid */
    unsigned notes;    /* SP_NOTE_* bits (info, never a fault) */
} sp_check;

/* Judges one line in the order of SP-7-a: 1000 (envelope), 3000, 1000
 * (type-specific payload), 2000, 1001.
 *
 * `line`/`len`: the line's bytes; one trailing "\n" or "\r\n" is stripped
 * first and the SP_LINE_MAX cap applies to what remains. Bytes past `len` are
 * never read; `line` need not be NUL-terminated.
 * `allow`: NULL (everything allowed) or an SP-6-c object {"sender":[...]}.
 * `now`: the arrival time for the TTL check (SP-5.1-a), or NULL to skip it.
 * `env`: receives the envelope view (always; call sp_envelope_free after).
 * `chk`: receives the verdict (notes only with a valid envelope).
 *
 * Memory: cJSON's tree for the line, at most a few tens of bytes per JSON
 * value of a line of at most 1 MiB; nothing is kept after sp_envelope_free.
 * Returns chk->fault (0 or a positive fault code), or SP_ERR_INVALID_ARGUMENT
 * (NULL line with len > 0, NULL env/chk, `allow` not of SP-6-c's shape) or
 * SP_ERR_NO_MEMORY; env and chk are then cleared (chk->fault 0). */
int sp_validate(const char *line, size_t len, const cJSON *allow,
                const sp_time *now, sp_envelope *env, sp_check *chk);

/* Frees what sp_validate kept in `env` and clears it. NULL is fine. */
void sp_envelope_free(sp_envelope *env);

/* True when `name` is a member this spec defines (id, ts, from, to, type,
 * payload, ttl_ms, trace, seq, eof); every other member is kept as unknown
 * (SP-3.3-a) and can be found by walking env->root. */
bool sp_member_known(const char *name);

/* ---- Error envelopes (spec section 9.2) ----------------------------------- */

/* Builds the fault reply to `trigger` (len bytes, one trailing "\n"/"\r\n"
 * ignored): {"id":trigger id,"ts":now (SP-5-f),"from":service,"to":trigger
 * from,"type":"error","payload":{"code":fault,"symbol":S,"detail":D}} in
 * that member order, compact, without a trailing newline (append "\n" to
 * send it). `detail` NULL uses the table's description.
 *
 * Returns the length of the text and sets *out to a malloc'd NUL-terminated
 * string the caller frees, or:
 *   SP_ERR_NO_REPLY          no id or from can be read (SP-9.2-b/c), or the
 *                            trigger's type is "error" (SP-9.2-d)
 *   SP_ERR_INVALID_ARGUMENT  NULL arguments, `fault` not in the table, empty
 *                            `service`, `now` not formattable
 *   SP_ERR_NO_MEMORY         allocation failed */
int sp_fault_reply(const char *trigger, size_t len, int fault,
                   const char *detail, const char *service, const sp_time *now,
                   char **out);

/* The same reply from parts already read: `id` and `to` (the trigger's from)
 * must be non-empty strings. Same returns (never SP_ERR_NO_REPLY). */
int sp_error_envelope(const char *id, const char *to, int fault,
                      const char *detail, const char *service,
                      const sp_time *now, char **out);

/* Builds the version announcement (SP-10-b): {"id":id,"ts":now,"from":
 * service,"to":"*","type":"event","payload":{"splinter":{"versions":
 * ["1.0"]}}}, compact, no newline; *out malloc'd. Returns its length, or
 * SP_ERR_INVALID_ARGUMENT / SP_ERR_NO_MEMORY. */
int sp_announce(const char *id, const char *service, const sp_time *now,
                char **out);

/* ---- Stream reassembler (spec section 8) ------------------------------------
 * Sans-I/O and bounded: feed it validated chunks (sp_envelope with has_seq)
 * and the arrival time; take payloads in seq order; ask it for timed-out
 * streams. Limits are SP_MAX_STREAMS, SP_STREAM_BYTES_MAX, SP_TOTAL_BYTES_MAX
 * by default (sp_reasm_limits to change them, e.g. in tests); bytes count the
 * compact JSON text of held payloads, delivered-but-not-taken ones included;
 * each stream also takes a fixed ~3.6 KiB for its window. A timed-out stream
 * keeps its slot (not its held chunks) until sp_reasm_expire reports it.
 * Duplicates (SP-8-e): a held chunk is compared by its text; a delivered one
 * (the last 64) by length, eof and a 64-bit FNV-1a digest of its text. A
 * chunk without payload (a heartbeat) carries the text "null".
 *
 *   sp_reasm *r = sp_reasm_new(NULL);
 *   sp_chunk_result cr; sp_reasm_push(r, &env, &now, &cr);
 *   char *p; while (sp_reasm_take(r, env.from, env.id, &p) > 0) {...free(p);}
 *   sp_expired x; while (sp_reasm_expire(r, &now, &x) > 0) {...4200...}
 */
typedef struct sp_reasm_limits {
    size_t max_streams;
    size_t max_stream_bytes;
    size_t max_total_bytes;
    uint64_t timeout_ms; /* deadline without ttl_ms, from first arrival */
} sp_reasm_limits;

typedef struct sp_reasm sp_reasm;

typedef struct sp_chunk_result {
    int fault;        /* 0, 1000 (SP-8-a/f) or 4100 (SP-8-h) for this chunk */
    const char *req;  /* the SP- ID behind the fault; NULL when 0 */
    char detail[128];
    unsigned notes;   /* SP_NOTE_DUPLICATE_CHUNK for an identical duplicate */
    size_t ready;     /* payloads of this stream waiting for sp_reasm_take */
    bool complete;    /* eof and every lower seq delivered (SP-8-c) */
} sp_chunk_result;

typedef struct sp_expired {
    char id[SP_ID_MAX + 1]; /* the stream's id, for the 4200 reply */
    char *from;             /* malloc'd; the caller frees it */
    sp_type type;
    uint64_t next_seq;      /* the lowest seq never delivered */
    bool eof_seen;
} sp_expired;

/* Returns a new reassembler with `lim` (NULL: the SP-8 defaults; a zero
 * field also takes its default), or NULL when out of memory. */
sp_reasm *sp_reasm_new(const sp_reasm_limits *lim);

/* Frees `r` and everything it holds. NULL is fine. */
void sp_reasm_free(sp_reasm *r);

/* Feeds one chunk `env` (from sp_validate, fault 0, has_seq) arriving at
 * `now`. First gives up streams whose deadline passed before `now` (they
 * wait for sp_reasm_expire). Returns 0 with `res` filled (res->fault says
 * whether the chunk was taken), SP_ERR_INVALID_ARGUMENT when an argument is
 * NULL or env is not a chunk, or SP_ERR_NO_MEMORY. */
int sp_reasm_push(sp_reasm *r, const sp_envelope *env, const sp_time *now,
                  sp_chunk_result *res);

/* Takes the next payload in seq order of stream (`from`, `id`) as compact
 * JSON text: returns 1 with *payload malloc'd (caller frees), 0 when none is
 * ready, SP_ERR_NOT_FOUND when no such stream is held, or
 * SP_ERR_INVALID_ARGUMENT. */
int sp_reasm_take(sp_reasm *r, const char *from, const char *id,
                  char **payload);

/* True when stream (`from`, `id`) is complete (SP-8-c). */
bool sp_reasm_complete(const sp_reasm *r, const char *from, const char *id);

/* Reports one stream that is not complete and whose deadline is before
 * `now` (SP-8-g), and forgets it: returns 1 with `x` filled (free x->from),
 * 0 when there is none, or SP_ERR_INVALID_ARGUMENT. Completed streams past
 * their deadline are forgotten silently (SP-8-i). */
int sp_reasm_expire(sp_reasm *r, const sp_time *now, sp_expired *x);

/* Bytes currently counted against the overall limit, and streams held. */
size_t sp_reasm_bytes(const sp_reasm *r);
size_t sp_reasm_streams(const sp_reasm *r);

#ifdef __cplusplus
}
#endif

#endif /* SPLINTER_SPLINTER_H */
