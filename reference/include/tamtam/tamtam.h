/*
 * libtamtam: the reference codec for the TamTam Core Frame v1.0
 * (spec/core-frame.md). This is the one public header.
 *
 * The codec is sans-I/O: no function here reads a clock, performs I/O or
 * allocates. Decoded frames are views into the caller's buffer (or, for the
 * stream receiver, into the receiver's own bounded buffer).
 */
#ifndef TAMTAM_TAMTAM_H
#define TAMTAM_TAMTAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TT_VERSION "1.0.0"

/* ---- Errors ---------------------------------------------------------------
 * One table generates the enum, the names and the descriptions. The first
 * three names are pinned by spec/core-frame.md (CF-12.2-a) and are used
 * verbatim by vectors, the harness protocol, the analyzer and the dissector.
 */
#define TT_ERROR_MAP(X)                                                        \
    X(TRUNCATED, -1, "truncated", "fewer bytes than the frame needs")         \
    X(USED_LEN_EXCEEDS_BLOCK, -2, "used_len_exceeds_block",                    \
      "UsedLen is larger than the payload block")                              \
    X(CRC_MISMATCH, -3, "crc_mismatch",                                        \
      "integrity byte does not match the computed CRC-8")                      \
    X(INVALID_ARGUMENT, -4, "invalid_argument",                                \
      "a field is out of range or an argument is NULL")                       \
    X(NO_SPACE, -5, "no_space", "the output buffer is too small")

typedef enum tt_error {
#define TT__ERROR_ENUM(name, value, str, desc) TT_ERR_##name = (value),
    TT_ERROR_MAP(TT__ERROR_ENUM)
#undef TT__ERROR_ENUM
} tt_error;

/* Returns the pinned snake_case name of error `err` ("truncated", ...), or
 * NULL when `err` is not a tt_error value. */
const char *tt_error_name(int err);

/* Returns a one-line English description of `err`, or NULL when unknown. */
const char *tt_error_desc(int err);

/* Returns the tt_error whose name is `name`, or 0 when no error has it. */
int tt_error_from_name(const char *name);

/* ---- Byte order (CF-4-a, CF-6-a: big-endian on the wire) ----------------- */
static inline uint16_t tt_get_u16be(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline void tt_put_u16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* ---- CRC-8 (CF-5, CF-12.1) ------------------------------------------------
 * Every named CRC-8 variant the suite supports; parameters and check values
 * from the RevEng catalogue. SMBUS is the pinned default (CF-12.1-a).
 * X(ID, name, poly, init, refin, refout, xorout, check)
 */
#define TT_CRC_MAP(X)                                                          \
    X(SMBUS, "CRC-8/SMBUS", 0x07, 0x00, 0, 0, 0x00, 0xF4)                      \
    X(MAXIM_DOW, "CRC-8/MAXIM-DOW", 0x31, 0x00, 1, 1, 0x00, 0xA1)              \
    X(I_432_1, "CRC-8/I-432-1", 0x07, 0x00, 0, 0, 0x55, 0xA1)                  \
    X(AUTOSAR, "CRC-8/AUTOSAR", 0x2F, 0xFF, 0, 0, 0xFF, 0xDF)                  \
    X(SAE_J1850, "CRC-8/SAE-J1850", 0x1D, 0xFF, 0, 0, 0xFF, 0x4B)              \
    X(ROHC, "CRC-8/ROHC", 0x07, 0xFF, 1, 1, 0x00, 0xD0)                        \
    X(CDMA2000, "CRC-8/CDMA2000", 0x9B, 0xFF, 0, 0, 0x00, 0xDA)                \
    X(BLUETOOTH, "CRC-8/BLUETOOTH", 0xA7, 0x00, 1, 1, 0x00, 0x26)

typedef enum tt_crc {
#define TT__CRC_ENUM(id, name, poly, init, refin, refout, xorout, check)       \
    TT_CRC_##id,
    TT_CRC_MAP(TT__CRC_ENUM)
#undef TT__CRC_ENUM
    TT_CRC_COUNT
} tt_crc;

#define TT_CRC_DEFAULT TT_CRC_SMBUS

typedef struct tt_crc_params {
    const char *name; /* "CRC-8/SMBUS" */
    uint8_t poly, init, xorout, check;
    bool refin, refout;
} tt_crc_params;

/* Returns the catalogue parameters of `crc`, or NULL when `crc` is not a
 * tt_crc value. */
const tt_crc_params *tt_crc_get_params(tt_crc crc);

/* Returns the catalogue name of `crc` ("CRC-8/SMBUS"), or NULL if unknown. */
const char *tt_crc_name(tt_crc crc);

/* Looks up a variant by name. Accepts the catalogue name ("CRC-8/SMBUS") or
 * its suffix ("SMBUS"), case-insensitively. Returns the tt_crc value, or
 * TT_ERR_INVALID_ARGUMENT when no variant has that name. */
int tt_crc_from_name(const char *name);

/* CRC-8 of `len` bytes at `data` under variant `crc`, one call. Returns the
 * CRC value (0..255). `crc` must be a tt_crc value. */
uint8_t tt_crc8(tt_crc crc, const void *data, size_t len);

/* Incremental form, for inputs in several pieces (the Core Frame CRC input
 * skips the integrity byte): state = tt_crc8_init(); state =
 * tt_crc8_update(..., state, ...) per piece; tt_crc8_final(..., state). Each
 * returns the new 8-bit state (final: the CRC value). */
uint8_t tt_crc8_init(tt_crc crc);
uint8_t tt_crc8_update(tt_crc crc, uint8_t state, const void *data,
                       size_t len);
uint8_t tt_crc8_final(tt_crc crc, uint8_t state);

/* The CRC by its bit-by-bit definition: slow, table-free; the tests hold
 * the slice-by-16 path to it. Returns the CRC value. */
uint8_t tt_crc8_bitwise(tt_crc crc, const void *data, size_t len);

/* ---- Names of Class and Direction (CF-3.1) --------------------------------
 * X(value, ID, name). Values absent from a table are unassigned (0x5-0xE for
 * Class, 0x4-0xE for Direction); 0xF is reserved in both.
 */
#define TT_CLASS_MAP(X)                                                        \
    X(0x0, SYSTEM, "System")                                                   \
    X(0x1, CONTROL, "Control")                                                 \
    X(0x2, DATA, "Data")                                                       \
    X(0x3, EVENT, "Event")                                                     \
    X(0x4, RESPONSE, "Response")                                               \
    X(0xF, RESERVED, "Reserved")

#define TT_DIRECTION_MAP(X)                                                    \
    X(0x0, REQUEST, "Request")                                                 \
    X(0x1, REPLY, "Reply")                                                     \
    X(0x2, BROADCAST, "Broadcast")                                             \
    X(0x3, SIGNAL, "Signal")                                                   \
    X(0xF, RESERVED, "Reserved")

enum {
#define TT__CLASS_ENUM(v, id, name) TT_CLASS_##id = (v),
    TT_CLASS_MAP(TT__CLASS_ENUM)
#undef TT__CLASS_ENUM
#define TT__DIR_ENUM(v, id, name) TT_DIR_##id = (v),
    TT_DIRECTION_MAP(TT__DIR_ENUM)
#undef TT__DIR_ENUM
};

/* Return the name of a Class / Direction nibble: the table name, or
 * "Unassigned" for a value the table lacks, or NULL when v > 15. */
const char *tt_class_name(unsigned v);
const char *tt_direction_name(unsigned v);

/* Return true when v names an assigned value (not unassigned, not 0xF). */
bool tt_class_is_assigned(unsigned v);
bool tt_direction_is_assigned(unsigned v);

/* ---- Frame layout (CF-2, CF-3, CF-7) -------------------------------------- */
#define TT_HEADER_LEN 3u
#define TT_EXT_LEN 2u
#define TT_BLOCK_MAX 8192u
#define TT_FRAME_MIN 6u    /* header + CRC + UsedLen, SizeId 0 */
#define TT_FRAME_MAX 8200u /* header + ext + CRC + UsedLen + 8192 */

/* Flag bits, low nibble of byte 1 (CF-3.2-b). */
#define TT_FLAG_BIG 0x1u
#define TT_FLAG_ACK 0x2u
#define TT_FLAG_PRIORITY 0x4u
#define TT_FLAG_EXT 0x8u

/* Returns the payload block size in bytes for `size_id` (0..15) and BigMode
 * `big` (CF-7), or 0 when size_id > 15 (SizeId 0 is also 0 bytes). */
unsigned tt_block_size(unsigned size_id, bool big);

/* The frame length implied by the first two bytes of a frame (CF-2-a):
 * 3 + 2*HasExt + 1 + 2 + BlockSize. Returns it (6..8200), or
 * TT_ERR_TRUNCATED when len < 2. */
int tt_frame_length(const uint8_t *buf, size_t len);

/* Where the integrity byte of the frame at `buf` sits, which is the length
 * of its header and extension (CF-2-a): 3, or 5 when HasExt is set in byte
 * 1. The UsedLen field follows at that offset + 1, the block at + 3.
 * Returns 3 or 5, or TT_ERR_TRUNCATED when len < 2. Tools call this rather
 * than testing the flag themselves. */
int tt_crc_offset(const uint8_t *buf, size_t len);

/* The CRC under `crc` of the frame at `buf`, over exactly the span CF-5.2-a
 * names (header, extension, UsedLen, payload; not the integrity byte, not
 * the padding): the value tt_decode compares and tt_encode writes. Needs
 * the frame's bytes up to the end of its payload (the padding may be
 * missing). Returns the CRC (0..255), or:
 *   TT_ERR_TRUNCATED              len ends before the payload does
 *   TT_ERR_USED_LEN_EXCEEDS_BLOCK UsedLen > block size (no span exists)
 *   TT_ERR_INVALID_ARGUMENT       buf NULL with len > 0, or crc not a tt_crc */
int tt_frame_crc(const uint8_t *buf, size_t len, tt_crc crc);

/* A decoded frame. Pointers are views into the decoded buffer. */
typedef struct tt_frame {
    const uint8_t *bytes; /* the frame's first byte (decode: buf itself) */
    uint8_t cls;       /* Class, 0..15 */
    uint8_t direction; /* 0..15 */
    uint8_t size_id;   /* 0..15 */
    uint8_t channel;
    bool big, ack, priority, has_ext;
    uint16_t dest; /* DestOrchestratorId; meaningful only when has_ext */
    uint8_t crc;   /* the integrity byte as transmitted (encode: computed) */
    uint16_t used_len;
    const uint8_t *payload; /* used_len bytes */
    const uint8_t *padding; /* padding_len bytes after the payload */
    uint16_t padding_len;
    uint16_t frame_len; /* total bytes of the frame */
    uint8_t crc_computed; /* decode: the CRC the receiver computed */
} tt_frame;

/* Decodes one frame at the start of `buf` under CRC variant `crc`, checking
 * in the pinned order (CF-12.2-b). Bytes after the frame are not looked at.
 *
 * Returns the frame length consumed (6..8200), or:
 *   TT_ERR_TRUNCATED             len is below header+ext+CRC+UsedLen, or below
 *                                the whole frame length
 *   TT_ERR_USED_LEN_EXCEEDS_BLOCK UsedLen > block size
 *   TT_ERR_CRC_MISMATCH          integrity byte != computed CRC
 *   TT_ERR_INVALID_ARGUMENT      out is NULL, buf is NULL with len > 0, or
 *                                crc is not a tt_crc value
 * On every outcome but INVALID_ARGUMENT, `out` holds each field the bytes
 * could supply (so tools can show a bad frame); `bytes` is `buf`;
 * frame_len is 0 when fewer than two bytes were given; payload/padding are
 * NULL unless the whole frame was present with UsedLen within the block. */
int tt_decode(const uint8_t *buf, size_t len, tt_crc crc, tt_frame *out);

/* Returns the encoded length of `f` (from size_id, big, has_ext), or
 * TT_ERR_INVALID_ARGUMENT when a nibble field exceeds 15 or f is NULL. */
int tt_encoded_length(const tt_frame *f);

/* Encodes `f` (cls, direction, size_id, channel, flags, dest, used_len,
 * payload) into `out`, computing the CRC under `crc` and zero-filling the
 * padding (CF-8-b, CF-12.4-a). The bytes, crc, crc_computed, padding,
 * padding_len and frame_len fields of `f` are ignored. `payload` may overlap
 * `out`.
 *
 * Returns the number of bytes written, or:
 *   TT_ERR_USED_LEN_EXCEEDS_BLOCK used_len > block size
 *   TT_ERR_INVALID_ARGUMENT      NULL f/out, a nibble field > 15, payload NULL
 *                                with used_len > 0, or crc not a tt_crc value
 *   TT_ERR_NO_SPACE              cap is below the frame length */
int tt_encode(const tt_frame *f, tt_crc crc, uint8_t *out, size_t cap);

/* ---- Stream receiver (CF-12.3) --------------------------------------------
 * Push chunks of any size; pull events. A frame is judged once its whole
 * computed length has arrived; a discarded frame is skipped by exactly that
 * length. Memory: one largest frame, inside the struct. Never reads beyond
 * the bytes it was given.
 *
 *   tt_stream s; tt_stream_init(&s, TT_CRC_SMBUS);
 *   const uint8_t *p = chunk; size_t n = chunk_len; tt_stream_event ev;
 *   while (tt_stream_next(&s, &p, &n, &ev) > 0) { ...use ev... }
 */
typedef struct tt_stream_event {
    int status;      /* 0 for a valid frame, else a tt_error */
    uint64_t offset; /* stream offset of the frame's first byte */
    tt_frame frame;  /* fields; views valid until the next call */
} tt_stream_event;

typedef struct tt_stream {
    tt_crc crc;
    uint64_t offset; /* stream offset of buf[0] */
    size_t have;     /* bytes held in buf */
    uint8_t buf[TT_FRAME_MAX];
} tt_stream;

/* Resets `s` to an empty receiver whose next byte is stream offset 0. */
void tt_stream_init(tt_stream *s, tt_crc crc);

/* Forgets held bytes and sets the offset of the next byte to `offset` (for a
 * receiver that resynchronises after a gap). */
void tt_stream_reset(tt_stream *s, uint64_t offset);

/* Consumes bytes from (*data, *len), advancing both, until one frame is
 * complete. Returns 1 with `ev` filled (valid frame, status 0, or discarded
 * frame, status TT_ERR_USED_LEN_EXCEEDS_BLOCK or TT_ERR_CRC_MISMATCH), 0 when
 * the input is used up and the incomplete remainder is held (pending), or
 * TT_ERR_INVALID_ARGUMENT for a NULL argument. Call until it returns 0. */
int tt_stream_next(tt_stream *s, const uint8_t **data, size_t *len,
                   tt_stream_event *ev);

/* Returns the number of bytes held for an incomplete frame. */
size_t tt_stream_pending(const tt_stream *s);

/* Returns the stream offset of the first held byte (the incomplete frame's
 * start), or of the next byte to come when nothing is held. */
uint64_t tt_stream_offset(const tt_stream *s);

/* Returns the bytes held for an incomplete frame (tt_stream_pending of
 * them), valid until the next call on `s`, or NULL when none are held. A
 * reader that loses the rest of the stream judges them with tt_decode. */
const uint8_t *tt_stream_held(const tt_stream *s);

#ifdef __cplusplus
}
#endif

#endif /* TAMTAM_TAMTAM_H */
