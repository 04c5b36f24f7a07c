/*
 * The frame vectors (core-frame.json): families of cases, each a table or a
 * loop over the spec's value ranges. Every case states its intended outcome
 * from the spec's rules; vset_check() later holds libtamtam to it.
 *
 * Ids describe the vector and never change meaning (vectors/README.md gives
 * the grammar); a new case gets a new id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

typedef struct ctx {
    vset *v;
    int failed;
} ctx;

/* Failures inside the item helpers stop the whole generation. */
static bool make(ctx *c, tt_crc crc, const tt_frame *f, const uint8_t *payload,
                 const char *seed, item *out)
{
    return item_encode(crc, f, payload, seed, out) || (c->failed = 1, false);
}

static bool clone(ctx *c, const item *base, item *out)
{
    return item_clone(base, out) || (c->failed = 1, false);
}

static bool append(ctx *c, item *it, const uint8_t *tail, size_t n)
{
    return item_append(it, tail, n) || (c->failed = 1, false);
}

static bool make_example(ctx *c, tt_crc crc, bool ext, item *out)
{
    return item_example(crc, ext, out) || (c->failed = 1, false);
}

/* Adds `it` as a vector (taking it over); NULL on failure. */
#define ADD(c, it, under, reqs, ...)                                           \
    ((c)->failed ? (item_free(it), (fvec *)NULL)                               \
                 : add_checked((c),                                            \
                               vset_add_frame((c)->v, (it), (under), (reqs),   \
                                              __VA_ARGS__),                    \
                               (it)))
#define DESC(f, ...)                                                           \
    do {                                                                       \
        if (f)                                                                 \
            vec_describe((f)->desc, __VA_ARGS__);                              \
    } while (0)

static fvec *add_checked(ctx *c, fvec *f, item *it)
{
    if (!f) {
        item_free(it);
        fprintf(stderr, "gen: out of memory\n");
        c->failed = 1;
    }
    return f;
}

/* Encodes `fr` under the set's CRC and adds it as the valid vector `id`;
 * NULL on failure (c->failed set). */
static fvec *add_valid(ctx *c, const tt_frame *fr, const uint8_t *payload,
                       const char *reqs, const char *id)
{
    item it;
    if (c->failed || !make(c, c->v->crc, fr, payload, id, &it))
        return NULL;
    return ADD(c, &it, -1, reqs, "%s", id);
}

static const char *form_name(bool ext)
{
    return ext ? "roaming (HasExt 1)" : "local (HasExt 0)";
}

/* ---- families ---------------------------------------------------------- */

static void fam_examples(ctx *c)
{
    /* The spec's full frames (12.6), byte for byte, under CRC-8/SMBUS. */
    static const uint8_t spec_ex[2][8] = {
        {0x20, 0x10, 0x07, 0x10, 0x00, 0x03, 0x01, 0x02},
        {0x20, 0x18, 0x07, 0x12, 0x34, 0x07, 0x00, 0x03}};
    for (int ext = 0; ext <= 1; ext++) {
        item it;
        if (!make_example(c, c->v->crc, ext, &it))
            return;
        if (c->v->crc == TT_CRC_SMBUS && memcmp(it.bytes, spec_ex[ext], 8)) {
            fprintf(stderr, "gen: example %d differs from the spec\n", ext + 1);
            item_free(&it);
            c->failed = 1;
            return;
        }
        fvec *f = ADD(c, &it, -1,
                      ext ? "CF-2-a CF-3.1-a CF-3.2-a CF-3.2-b CF-4-a CF-5.1-a "
                            "CF-5.2-a CF-6-a CF-12.4-a CF-12.1-a"
                          : "CF-2-a CF-3.1-a CF-3.2-a CF-3.2-b CF-4-b CF-5.1-a "
                            "CF-5.2-a CF-6-a CF-12.4-a CF-12.1-a",
                      "cf-example-%d", ext + 1);
        DESC(f,
             "Worked example %d of spec 12.6: %s frame, Class Data, "
             "Direction Request, SizeId 0x1 (block 16), ChannelId 7%s, "
             "UsedLen 3, payload 010203, 13 zero padding bytes",
             ext + 1, form_name(ext), ext ? ", DestOrchestratorId 0x1234" : "");
    }
}

static void fam_sizes(ctx *c)
{
    for (unsigned s = 0; s < 16; s++)
        for (int big = 0; big <= 1; big++)
            for (int ext = 0; ext <= 1; ext++) {
                unsigned block = tt_block_size(s, big);
                unsigned uls[4] = {0, 1, block - 1, block};
                size_t nuls = block ? 4 : 1;
                for (size_t k = 0; k < nuls; k++) {
                    char reqs[VEC_REQS_MAX];
                    snprintf(reqs, sizeof reqs,
                             "CF-2-a CF-2-b CF-3.2-a CF-6-a CF-8-a CF-10-b "
                             "CF-12.4-a %s%s %s",
                             big ? "CF-7.2-a" : "CF-7.1-a",
                             s == 0 ? " CF-7.1-b" : "",
                             ext ? "CF-4-a" : "CF-4-b");
                    char id[VEC_ID_MAX];
                    snprintf(id, sizeof id, "cf-size-s%u-%s-%s-u%u", s,
                             big ? "big" : "norm", ext ? "ext" : "local",
                             uls[k]);
                    tt_frame fr = item_fields(
                        s % 5, s % 4, s,
                        (big ? TT_FLAG_BIG : 0) | (ext ? TT_FLAG_EXT : 0),
                        s << 4 | (unsigned)big << 1 | (unsigned)ext,
                        0xA000u | s << 4 | uls[k] % 16, uls[k]);
                    fvec *f = add_valid(c, &fr, NULL, reqs, id);
                    if (c->failed)
                        return;
                    DESC(f,
                         "SizeId 0x%X, BigMode %d, %s: block %u bytes, "
                         "UsedLen %u%s, frame length %d",
                         s, big, form_name(ext), block, uls[k],
                         block == 0            ? " (SizeId 0: no block)"
                         : uls[k] == block     ? " (block full, no padding)"
                         : uls[k] + 1 == block ? " (block-1)"
                                               : "",
                         tt_encoded_length(&fr));
                }
            }
}

static void fam_class_direction(ctx *c)
{
    for (unsigned cls = 0; cls < 16; cls++)
        for (unsigned dir = 0; dir < 16; dir++) {
            char id[VEC_ID_MAX];
            snprintf(id, sizeof id, "cf-cd-c%x-d%x", cls, dir);
            tt_frame fr = item_fields(cls, dir, 1, 0, cls << 4 | dir, 0, 4);
            fvec *f = add_valid(c, &fr, NULL, "CF-3.1-a CF-3.1-b CF-3.1-c", id);
            if (c->failed)
                return;
            DESC(f,
                 "Class 0x%X (%s), Direction 0x%X (%s): decodes like any "
                 "frame%s",
                 cls, tt_class_name(cls), dir, tt_direction_name(dir),
                 tt_class_is_assigned(cls) && tt_direction_is_assigned(dir)
                     ? ""
                     : "; unassigned or reserved value, verdict info");
        }
}

static void fam_flags(ctx *c)
{
    static const struct {
        unsigned mask;
        const char *name;
    } names[] = {{TT_FLAG_EXT, "ext"},
                 {TT_FLAG_PRIORITY, "prio"},
                 {TT_FLAG_ACK, "ack"},
                 {TT_FLAG_BIG, "big"}};
    for (unsigned flags = 0; flags < 16; flags++) {
        char id[VEC_ID_MAX];
        size_t n = (size_t)snprintf(id, sizeof id, "cf-flags");
        for (size_t i = 0; i < 4; i++)
            if (flags & names[i].mask)
                n += (size_t)snprintf(id + n, sizeof id - n, "-%s",
                                      names[i].name);
        if (!flags)
            snprintf(id + n, sizeof id - n, "-none");
        char reqs[VEC_REQS_MAX];
        snprintf(reqs, sizeof reqs, "CF-3.2-b CF-9-a CF-10-a %s%s",
                 flags & TT_FLAG_EXT ? "CF-4-a" : "CF-4-b",
                 flags & TT_FLAG_BIG ? " CF-7.2-a" : "");
        tt_frame fr = item_fields(TT_CLASS_CONTROL, TT_DIR_SIGNAL, 2, flags,
                                  0x42, 0xBEEF, 5);
        fvec *f = add_valid(c, &fr, NULL, reqs, id);
        if (c->failed)
            return;
        DESC(f,
             "Flag nibble 0x%X: BigMode %d, AckRequested %d, Priority %d, "
             "HasExt %d; SizeId 0x2 gives block %u; no flag makes a frame "
             "invalid",
             flags, !!(flags & TT_FLAG_BIG), !!(flags & TT_FLAG_ACK),
             !!(flags & TT_FLAG_PRIORITY), !!(flags & TT_FLAG_EXT),
             tt_block_size(2, flags & TT_FLAG_BIG));
    }
}

static void fam_channel_dest(ctx *c)
{
    static const unsigned channels[] = {0, 1, 127, 128, 254, 255};
    static const unsigned dests[] = {0,      1,      255,    256,
                                     0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
        char id[VEC_ID_MAX];
        snprintf(id, sizeof id, "cf-channel-%u", channels[i]);
        tt_frame fr = item_fields(TT_CLASS_EVENT, TT_DIR_BROADCAST, 1, 0,
                                  channels[i], 0, 1);
        fvec *f = add_valid(c, &fr, NULL, "CF-3.3-a", id);
        if (c->failed)
            return;
        DESC(f, "ChannelId %u: every value is legal and passed on unchanged",
             channels[i]);
    }
    for (size_t i = 0; i < sizeof dests / sizeof dests[0]; i++) {
        char id[VEC_ID_MAX];
        snprintf(id, sizeof id, "cf-dest-%u", dests[i]);
        tt_frame fr = item_fields(TT_CLASS_EVENT, TT_DIR_BROADCAST, 1,
                                  TT_FLAG_EXT, 0, dests[i], 2);
        fvec *f = add_valid(c, &fr, NULL, "CF-4-a", id);
        if (c->failed)
            return;
        DESC(f,
             "DestOrchestratorId %u (0x%04X), big-endian at offsets 3-4: "
             "every value is legal and passed on unchanged",
             dests[i], dests[i]);
    }
}

static void fam_payload(ctx *c)
{
    uint8_t all[256], ff[64], zero[16];
    for (size_t i = 0; i < sizeof all; i++)
        all[i] = (uint8_t)i;
    memset(ff, 0xFF, sizeof ff);
    memset(zero, 0, sizeof zero);
    item inner;
    if (!make_example(c, c->v->crc, false, &inner))
        return;
    const struct {
        const char *id, *what;
        unsigned size_id;
        const uint8_t *payload;
        size_t len;
    } cases[] = {
        {"cf-payload-all-bytes", "every byte value 00..ff once, in order", 7,
         all, sizeof all},
        {"cf-payload-all-ff", "64 bytes of ff filling the block", 3, ff,
         sizeof ff},
        {"cf-payload-zeros", "16 zero bytes filling the block", 1, zero,
         sizeof zero},
        {"cf-payload-frame-inside", "a complete valid frame (example 1)", 2,
         inner.bytes, inner.len},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tt_frame fr = item_fields(TT_CLASS_DATA, TT_DIR_REPLY, cases[i].size_id,
                                  0, 9, 0, (unsigned)cases[i].len);
        fvec *f = add_valid(c, &fr, cases[i].payload, "CF-8-a", cases[i].id);
        if (c->failed)
            break;
        DESC(f, "Opaque payload: %s; delivered unchanged, UsedLen %zu",
             cases[i].what, cases[i].len);
    }
    item_free(&inner);
}

static void fam_padding(ctx *c)
{
    for (int ext = 0; ext <= 1; ext++) {
        const char *form = ext ? "ext" : "local";
        item base;
        if (!make_example(c, c->v->crc, ext, &base))
            return;
        size_t first = item_hdr_len(&base) + 3 + base.want.used_len;
        for (size_t off = first; off < base.len; off++) {
            item it;
            if (!clone(c, &base, &it))
                break;
            item_flip(&it, off, 7, 0);
            fvec *f = ADD(c, &it, -1, "CF-5.2-b CF-8-b", "cf-pad-%s-byte%zu",
                          form, off);
            DESC(f,
                 "Example %d with padding byte %zu set to 80: still "
                 "valid, padding is neither checked nor in the CRC",
                 ext + 1, off);
        }
        memset(base.bytes + first, 0xFF, base.len - first);
        fvec *f =
            ADD(c, &base, -1, "CF-5.2-b CF-8-b", "cf-pad-%s-all-ff", form);
        DESC(f, "Example %d with every padding byte ff: still valid", ext + 1);
    }
    tt_frame fr = item_fields(TT_CLASS_DATA, TT_DIR_REQUEST, 15,
                              TT_FLAG_BIG | TT_FLAG_EXT, 1, 2, 100);
    item it;
    if (!make(c, c->v->crc, &fr, NULL, "cf-pad-largest-all-ff", &it))
        return;
    memset(it.bytes + 108, 0xFF, it.len - 108);
    fvec *f = ADD(c, &it, -1, "CF-5.2-b CF-8-b", "cf-pad-largest-all-ff");
    DESC(f, "Largest frame (SizeId 0xF, BigMode 1, roaming, 8200 bytes), "
            "UsedLen 100, all 8092 padding bytes ff: still valid");
}

static void fam_trailing(ctx *c)
{
    static const uint8_t aabb[2] = {0xAA, 0xBB};
    item it, second;
    if (!make_example(c, c->v->crc, false, &it))
        return;
    if (append(c, &it, aabb, sizeof aabb)) {
        fvec *f = ADD(c, &it, -1, "CF-12.2-c", "cf-trailing-example-1-aabb");
        DESC(f, "Example 1 followed by aa bb (24 bytes): valid, exactly 22 "
                "bytes consumed, the trailing bytes are not an error");
    } else
        item_free(&it);

    if (!make_example(c, c->v->crc, true, &it))
        return;
    if (!make_example(c, c->v->crc, false, &second)) {
        item_free(&it);
        return;
    }
    if (append(c, &it, second.bytes, second.len)) {
        fvec *f = ADD(c, &it, -1, "CF-12.2-c", "cf-trailing-example-2-then-1");
        DESC(f, "Example 2 followed by example 1 (46 bytes): decoding one "
                "buffer yields example 2 and consumes 24 bytes");
    } else
        item_free(&it);
    item_free(&second);
}

static void fam_truncation(ctx *c)
{
    for (int ext = 0; ext <= 1; ext++) {
        item base;
        if (!make_example(c, c->v->crc, ext, &base))
            return;
        for (size_t len = 0; len < base.len; len++) {
            item it;
            if (!clone(c, &base, &it))
                break;
            item_cut(&it, len, TT_ERR_TRUNCATED);
            const char *where = item_region(&base, len);
            fvec *f =
                ADD(c, &it, -1, "CF-2-b CF-5.3-b CF-12.2-a CF-12.2-b",
                    "cf-trunc-%s-%s-%zu", ext ? "ext" : "local", where, len);
            DESC(f,
                 "Example %d (%zu bytes) cut to %zu bytes: the first "
                 "missing byte is in the %s; truncated",
                 ext + 1, base.len, len, item_region_words(where));
        }
        item_free(&base);
    }
    static const size_t cuts[] = {8199, 4100, 8, 7};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        tt_frame fr = item_fields(TT_CLASS_DATA, TT_DIR_REQUEST, 15,
                                  TT_FLAG_BIG | TT_FLAG_EXT, 200, 4000, 8192);
        item it;
        if (!make(c, c->v->crc, &fr, NULL, "cf-trunc-largest", &it))
            return;
        item_cut(&it, cuts[i], TT_ERR_TRUNCATED);
        /* Before ADD, which takes `it` over. */
        const char *where = item_region(&it, cuts[i]);
        fvec *f = ADD(c, &it, -1, "CF-2-b CF-5.3-b CF-12.2-a CF-12.2-b",
                      "cf-trunc-largest-%zu", cuts[i]);
        DESC(f,
             "Largest frame (8200 bytes, block 8192 full) cut to %zu "
             "bytes (first missing byte in the %s); truncated",
             cuts[i], item_region_words(where));
    }
}

static void fam_used_len(ctx *c)
{
    for (unsigned s = 0; s < 16; s++)
        for (int big = 0; big <= 1; big++)
            for (int ext = 0; ext <= 1; ext++) {
                unsigned block = tt_block_size(s, big);
                const unsigned uls[2] = {block + 1, 0xFFFF};
                for (int k = 0; k < 2; k++) {
                    char id[VEC_ID_MAX];
                    snprintf(id, sizeof id, "cf-ulen-s%u-%s-%s-%s", s,
                             big ? "big" : "norm", ext ? "ext" : "local",
                             k ? "ffff" : "over1");
                    tt_frame fr = item_fields(TT_CLASS_DATA, TT_DIR_REPLY, s,
                                              (big ? TT_FLAG_BIG : 0) |
                                                  (ext ? TT_FLAG_EXT : 0),
                                              3, 0x0102, block);
                    item it;
                    if (!make(c, c->v->crc, &fr, NULL, id, &it))
                        return;
                    item_set_used_len(&it, uls[k],
                                      TT_ERR_USED_LEN_EXCEEDS_BLOCK);
                    fvec *f = ADD(c, &it, -1,
                                  s ? "CF-6-b CF-5.3-b CF-12.2-a"
                                    : "CF-6-b CF-7.1-b CF-5.3-b CF-12.2-a",
                                  "%s", id);
                    DESC(f,
                         "SizeId 0x%X, BigMode %d, %s (block %u, full "
                         "frame length present) with UsedLen %u%s: "
                         "used_len_exceeds_block",
                         s, big, form_name(ext), block, uls[k],
                         k ? " (0xFFFF)" : " (block+1)");
                }
            }
}

/* Check order (CF-12.2-b): buffers with two faults report the first. */
static void fam_order(ctx *c)
{
    enum { CUT_FIXED = -1, CUT_NONE = -2, CUT_LAST = -3 };
    static const struct {
        const char *id;
        bool ext;
        int used_len; /* new UsedLen, or -1 to keep */
        bool bad_crc; /* flip bit 0 of the integrity byte */
        int cut;      /* CUT_* or a byte count */
        int expect;
        const char *reqs, *why;
    } cases[] = {
        {"cf-order-ulen-before-length-local", false, 17, false, CUT_FIXED,
         TT_ERR_USED_LEN_EXCEEDS_BLOCK, "CF-6-b CF-12.2-a CF-12.2-b",
         "Example 1 header with UsedLen 17 (block 16), only the 6 fixed bytes "
         "given: used_len_exceeds_block, reported although the block is "
         "missing too (step 2 before step 3)"},
        {"cf-order-ulen-before-length-ext", true, 17, false, CUT_FIXED,
         TT_ERR_USED_LEN_EXCEEDS_BLOCK, "CF-6-b CF-12.2-a CF-12.2-b",
         "Example 2 with UsedLen 17 (block 16), only the 8 fixed bytes given: "
         "used_len_exceeds_block (step 2 before step 3)"},
        {"cf-order-trunc-before-ulen", false, 0xFFFF, false, 5,
         TT_ERR_TRUNCATED, "CF-12.2-a CF-12.2-b",
         "Example 1 with UsedLen 0xFFFF cut to 5 bytes (UsedLen half "
         "present): truncated (step 1 before step 2)"},
        {"cf-order-ext-needs-8", true, 0xFFFF, false, 7, TT_ERR_TRUNCATED,
         "CF-4-a CF-12.2-a CF-12.2-b",
         "Example 2 with UsedLen 0xFFFF cut to 7 bytes: HasExt 1 needs 8 "
         "fixed bytes, so truncated (step 1 before step 2)"},
        {"cf-order-ulen-before-crc", false, 17, true, CUT_NONE,
         TT_ERR_USED_LEN_EXCEEDS_BLOCK, "CF-6-b CF-12.2-a CF-12.2-b",
         "Example 1 with UsedLen 17 and a wrong integrity byte, all 22 bytes "
         "given: used_len_exceeds_block (step 2 before step 4)"},
        {"cf-order-trunc-before-crc", false, -1, true, CUT_LAST,
         TT_ERR_TRUNCATED, "CF-12.2-a CF-12.2-b",
         "Example 1 with a wrong integrity byte, last padding byte missing: "
         "truncated (step 3 before step 4)"},
        {"cf-order-ulen-big-endian", false, 0x0100, false, CUT_NONE,
         TT_ERR_USED_LEN_EXCEEDS_BLOCK, "CF-6-a CF-6-b CF-12.2-a",
         "Example 1 with UsedLen bytes 01 00: 256 big-endian (not 1), larger "
         "than block 16: used_len_exceeds_block"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        item it;
        if (!make_example(c, c->v->crc, cases[i].ext, &it))
            return;
        unsigned hl = item_hdr_len(&it);
        if (cases[i].used_len >= 0)
            item_set_used_len(&it, (unsigned)cases[i].used_len,
                              cases[i].expect);
        if (cases[i].bad_crc)
            item_flip(&it, hl, 0, cases[i].expect);
        /* The spec's own buffer for this step has integrity byte 00. */
        if (cases[i].cut == CUT_FIXED && !cases[i].ext)
            it.bytes[hl] = 0x00;
        if (cases[i].cut == CUT_FIXED)
            item_cut(&it, hl + 3, cases[i].expect);
        else if (cases[i].cut == CUT_LAST)
            item_cut(&it, it.len - 1, cases[i].expect);
        else if (cases[i].cut >= 0)
            item_cut(&it, (size_t)cases[i].cut, cases[i].expect);
        it.expect = cases[i].expect;
        char reqs[VEC_REQS_MAX];
        snprintf(reqs, sizeof reqs, "%s CF-5.3-b", cases[i].reqs);
        fvec *f = ADD(c, &it, -1, reqs, "%s", cases[i].id);
        DESC(f, "%s", cases[i].why);
    }
}

/* One flipped bit in every byte the CRC covers (and in the integrity byte):
 * crc_mismatch, except flips of UsedLen that take it past the block. */
static void fam_crc_flips(ctx *c)
{
    for (int ext = 0; ext <= 1; ext++) {
        item base;
        if (!make_example(c, c->v->crc, ext, &base))
            return;
        unsigned hl = item_hdr_len(&base), block = 16;
        size_t end = hl + 3 + base.want.used_len;
        for (size_t off = 0; off < end; off++)
            for (unsigned bit = 0; bit < 8; bit++) {
                /* Byte 1 bits other than Ack and Priority change the
                 * layout; fam_layout_flips covers them. */
                if (off == 1 && bit != 1 && bit != 2)
                    continue;
                int expect = TT_ERR_CRC_MISMATCH;
                const char *why = "crc_mismatch";
                const char *reg = item_region(&base, off);
                if (off == hl + 1 || off == hl + 2) {
                    unsigned ul = base.want.used_len ^
                                  (off == hl + 1 ? 0x100u : 1u) << bit;
                    if (ul > block) {
                        expect = TT_ERR_USED_LEN_EXCEEDS_BLOCK;
                        why = "UsedLen now exceeds the block: "
                              "used_len_exceeds_block";
                    } else
                        why = "UsedLen changed within the block, the CRC "
                              "covers other bytes: crc_mismatch";
                }
                item it;
                if (!clone(c, &base, &it))
                    break;
                item_flip(&it, off, bit, expect);
                char reqs[VEC_REQS_MAX];
                snprintf(reqs, sizeof reqs, "%s CF-5.3-b CF-12.2-a%s",
                         expect == TT_ERR_CRC_MISMATCH ? "CF-5.2-a CF-5.3-a"
                                                       : "CF-6-a CF-6-b",
                         off == hl ? " CF-5.1-a" : "");
                fvec *f =
                    ADD(c, &it, -1, reqs, "cf-crc-flip-%s-%s-byte%zu-bit%u",
                        ext ? "ext" : "local", reg, off, bit);
                DESC(f, "Example %d with bit %u of byte %zu (%s) flipped: %s",
                     ext + 1, bit, off, item_region_words(reg), why);
            }
        item_free(&base);
    }
}

/* Flips in byte 1 that change the frame's layout; outcomes worked out by the
 * check order of CF-12.2-b on the example bytes. */
static void fam_layout_flips(ctx *c)
{
    static const struct {
        bool ext;
        unsigned bit;
        int expect;
        const char *why;
    } cases[] = {
        {false, 0, TT_ERR_TRUNCATED,
         "BigMode set: block 32, frame length 38 "
         "> 22 bytes given: truncated"},
        {false, 3, TT_ERR_USED_LEN_EXCEEDS_BLOCK,
         "HasExt set: offsets 3-4 now read as DestOrchestratorId, UsedLen "
         "read from offsets 6-7 (01 02 = 258) > block 16: "
         "used_len_exceeds_block"},
        {false, 4, TT_ERR_USED_LEN_EXCEEDS_BLOCK,
         "SizeId 0x1 becomes 0x0: block 0, UsedLen 3: used_len_exceeds_block"},
        {false, 5, TT_ERR_TRUNCATED,
         "SizeId becomes 0x3: block 64, frame length 70 > 22: truncated"},
        {false, 6, TT_ERR_TRUNCATED,
         "SizeId becomes 0x5: block 128, frame length 134 > 22: truncated"},
        {false, 7, TT_ERR_TRUNCATED,
         "SizeId becomes 0x9: block 512, frame length 518 > 22: truncated"},
        {true, 0, TT_ERR_TRUNCATED,
         "BigMode set: block 32, frame length 40 "
         "> 24 bytes given: truncated"},
        {true, 3, TT_ERR_USED_LEN_EXCEEDS_BLOCK,
         "HasExt cleared: the integrity byte is read at offset 3 and UsedLen "
         "from offsets 4-5 (34 xx, over 13000) > block 16: "
         "used_len_exceeds_block"},
        {true, 4, TT_ERR_USED_LEN_EXCEEDS_BLOCK,
         "SizeId 0x1 becomes 0x0: block 0, UsedLen 3: used_len_exceeds_block"},
        {true, 5, TT_ERR_TRUNCATED,
         "SizeId becomes 0x3: frame length 72 > 24: truncated"},
        {true, 6, TT_ERR_TRUNCATED,
         "SizeId becomes 0x5: frame length 136 > 24: truncated"},
        {true, 7, TT_ERR_TRUNCATED,
         "SizeId becomes 0x9: frame length 520 > 24: truncated"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        item it;
        if (!make_example(c, c->v->crc, cases[i].ext, &it))
            return;
        item_flip(&it, 1, cases[i].bit, cases[i].expect);
        fvec *f = ADD(c, &it, -1, "CF-2-b CF-3.2-a CF-3.2-b CF-12.2-b",
                      "cf-layout-flip-%s-byte1-bit%u",
                      cases[i].ext ? "ext" : "local", cases[i].bit);
        DESC(f, "Example %d with bit %u of byte 1 flipped. %s",
             cases[i].ext ? 2 : 1, cases[i].bit, cases[i].why);
    }
}

/* The frame whose fields are all zero: under CRC-8/SMBUS (and the other
 * zero-init, zero-xorout variants) six zero bytes (CF-12.1-c); then every
 * one-bit neighbour of it. */
static void fam_zero(ctx *c)
{
    tt_frame zf = item_fields(0, 0, 0, 0, 0, 0, 0);
    const tt_crc_params *p = tt_crc_get_params(c->v->crc);
    bool zero_variant = p->init == 0 && p->xorout == 0;
    item it;
    if (!make(c, c->v->crc, &zf, NULL, "cf-zero", &it))
        return;
    static const uint8_t zeros[6];
    if (zero_variant != !memcmp(it.bytes, zeros, 6)) {
        fprintf(stderr, "gen: the all-zero frame contradicts CF-12.1-c\n");
        item_free(&it);
        c->failed = 1;
        return;
    }
    fvec *f = ADD(c, &it, -1, "CF-12.1-c CF-7.1-b", "cf-zero");
    DESC(f, "Every field zero: System/Request, SizeId 0x0, no flags, "
            "ChannelId 0, UsedLen 0. Under CRC-8/SMBUS these are six zero "
            "bytes, a valid frame");

    /* Outcome of flipping bit b of byte n of the zero frame: table by
     * byte, bit mask (CF-12.2-b on a 6-byte buffer). */
    static const struct {
        size_t byte;
        unsigned bits;
        int expect;
        const char *why;
    } rules[] = {
        {0, 0xFF, TT_ERR_CRC_MISMATCH, "Class/Direction changed"},
        {1, 0x07, TT_ERR_CRC_MISMATCH,
         "flag changed (BigMode doubles block 0 to 0; Ack/Priority)"},
        {1, 0x08, TT_ERR_TRUNCATED,
         "HasExt set: 8 fixed bytes needed, 6 given"},
        {1, 0xF0, TT_ERR_TRUNCATED,
         "SizeId nonzero: UsedLen 0 fits, but the block is missing"},
        {2, 0xFF, TT_ERR_CRC_MISMATCH, "ChannelId changed"},
        {3, 0xFF, TT_ERR_CRC_MISMATCH, "integrity byte changed"},
        {4, 0xFF, TT_ERR_USED_LEN_EXCEEDS_BLOCK, "UsedLen nonzero, block 0"},
        {5, 0xFF, TT_ERR_USED_LEN_EXCEEDS_BLOCK, "UsedLen nonzero, block 0"},
    };
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++)
        for (unsigned bit = 0; bit < 8; bit++) {
            if (!(rules[r].bits & 1u << bit))
                continue;
            if (!make(c, c->v->crc, &zf, NULL, "cf-zero", &it))
                return;
            item_flip(&it, rules[r].byte, bit, rules[r].expect);
            const char *reqs = rules[r].expect == TT_ERR_CRC_MISMATCH
                                   ? "CF-12.1-c CF-5.3-a CF-12.2-a"
                               : rules[r].expect == TT_ERR_TRUNCATED
                                   ? "CF-12.1-c CF-12.2-a CF-12.2-b"
                                   : "CF-12.1-c CF-7.1-b CF-6-b CF-12.2-a";
            f = ADD(c, &it, -1, reqs, "cf-zero-flip-byte%zu-bit%u",
                    rules[r].byte, bit);
            DESC(f,
                 "The all-zero-fields frame with bit %u of byte %zu "
                 "flipped: %s, so %s",
                 bit, rules[r].byte, rules[r].why,
                 tt_error_name(rules[r].expect));
        }

    /* Neighbours by length. */
    if (!make(c, c->v->crc, &zf, NULL, "cf-zero", &it))
        return;
    item_cut(&it, 5, TT_ERR_TRUNCATED);
    f = ADD(c, &it, -1, "CF-12.1-c CF-12.2-a CF-12.2-b", "cf-zero-short-5");
    DESC(f, "The all-zero-fields frame without its last byte (5 bytes): "
            "truncated");
    item next;
    if (!make(c, c->v->crc, &zf, NULL, "cf-zero", &next))
        return;
    for (int twice = 0; twice <= 1; twice++) {
        if (!make(c, c->v->crc, &zf, NULL, "cf-zero", &it))
            break;
        /* One byte of a second zero-fields frame (a zero byte), or all. */
        if (!append(c, &it, next.bytes, twice ? next.len : 1)) {
            item_free(&it);
            break;
        }
        f = ADD(c, &it, -1, "CF-12.1-c CF-12.2-c",
                twice ? "cf-zero-twice" : "cf-zero-trailing-1");
        DESC(f, twice ? "Two all-zero-fields frames back to back (12 bytes; "
                        "under SMBUS twelve zero bytes): decoding one buffer "
                        "yields one frame, 6 bytes consumed"
                      : "The all-zero-fields frame followed by one zero "
                        "byte: valid, 6 bytes consumed");
    }
    item_free(&next);
    if (!zero_variant) {
        /* Under this variant six zero bytes are not the zero frame: the spec
         * says they are a crc_mismatch (CF-12.1-c, note after it). */
        item lit;
        memset(&lit, 0, sizeof lit);
        lit.bytes = calloc(1, 6);
        if (!lit.bytes) {
            c->failed = 1;
            return;
        }
        lit.len = 6;
        lit.crc_off = (unsigned)tt_crc_offset(lit.bytes, lit.len);
        lit.expect = TT_ERR_CRC_MISMATCH;
        f = ADD(c, &lit, -1, "CF-12.1-c CF-5.3-a", "cf-zero-literal");
        DESC(f, "Six zero bytes under a variant whose CRC of five zero bytes "
                "is not 0: crc_mismatch");
    }
}

/* Frames valid under one named variant and crc_mismatch under the set's. */
static void fam_crc_variants(ctx *c)
{
    static const uint8_t check[9] = "123456789";
    for (int crc = 0; crc < TT_CRC_COUNT; crc++) {
        if (crc == (int)c->v->crc)
            continue;
        char lower[32];
        const char *name = tt_crc_name((tt_crc)crc) + strlen("CRC-8/");
        size_t n = 0;
        for (; name[n] && n + 1 < sizeof lower; n++)
            lower[n] = (char)(name[n] >= 'A' && name[n] <= 'Z' ? name[n] + 32
                                                               : name[n]);
        lower[n] = '\0';
        for (int k = 0; k < 4; k++) {
            item it;
            const char *what;
            if (k < 2) {
                if (!make_example(c, (tt_crc)crc, k == 1, &it))
                    return;
                what = k ? "Example 2" : "Example 1";
            } else {
                tt_frame fr =
                    item_fields(TT_CLASS_CONTROL, TT_DIR_REQUEST,
                                k == 2 ? 0 : 1, 0, 0, 0, k == 2 ? 0 : 9);
                if (!make(c, (tt_crc)crc, &fr, check, "check", &it))
                    return;
                what = k == 2 ? "A Control/Request SizeId 0 frame, no payload"
                              : "A Control/Request frame with payload "
                                "\"123456789\"";
            }
            /* Only frames the two variants tell apart are useful here. */
            tt_frame probe;
            if (tt_decode(it.bytes, it.len, c->v->crc, &probe) !=
                TT_ERR_CRC_MISMATCH) {
                item_free(&it);
                continue;
            }
            it.expect = 0;
            static const char *const tags[4] = {"example-1", "example-2",
                                                "empty", "check"};
            fvec *f = ADD(c, &it, crc, "CF-12.1-a CF-12.1-b CF-5.3-a",
                          "cf-crcvar-%s-%s", lower, tags[k]);
            DESC(f,
                 "%s encoded under %s (integrity byte 0x%02X): valid "
                 "under that variant, crc_mismatch under %s",
                 what, tt_crc_name((tt_crc)crc), f ? f->it.want.crc : 0,
                 tt_crc_name(c->v->crc));
        }
    }
}

/* ---- the seeded random section ------------------------------------------ */
#define RANDOM_COUNT 500

/* Mostly assigned values (verdict must); one draw in eight from the whole
 * range, unassigned and reserved included. */
static unsigned pick_nibble(prng *r, bool (*assigned)(unsigned))
{
    bool any = prng_below(r, 8) == 0;
    for (;;) {
        unsigned v = prng_below(r, 16);
        if (any || assigned(v))
            return v;
    }
}

static void fam_random(ctx *c)
{
    for (unsigned i = 1; i <= RANDOM_COUNT; i++) {
        char id[VEC_ID_MAX];
        snprintf(id, sizeof id, "cf-random-%04u", i);
        prng r = prng_from_string(id);
        unsigned pick = prng_below(&r, 100);
        unsigned s = pick < 50   ? prng_below(&r, 5)
                     : pick < 85 ? 5 + prng_below(&r, 5)
                                 : 10 + prng_below(&r, 6);
        unsigned flags = prng_below(&r, 16);
        unsigned cls = pick_nibble(&r, tt_class_is_assigned);
        unsigned dir = pick_nibble(&r, tt_direction_is_assigned);
        unsigned block = tt_block_size(s, flags & TT_FLAG_BIG);
        unsigned k = prng_below(&r, 8);
        unsigned ul = k == 0 ? 0 : k == 1 ? block : prng_below(&r, block + 1);
        tt_frame fr = item_fields(cls, dir, s, flags, prng_below(&r, 256),
                                  prng_below(&r, 65536), ul);
        uint8_t payload[TT_BLOCK_MAX];
        prng_fill(&r, payload, ul);
        item it;
        if (!make(c, c->v->crc, &fr, payload, id, &it))
            return;

        char what[160] = "unchanged: valid";
        const char *reqs = "CF-2-b CF-8-a CF-12.4-a CF-5.3-b";
        unsigned hl = item_hdr_len(&it), m = prng_below(&r, 100);
        size_t pad = hl + 3 + ul;
        if (m >= 60 && m < 65 && pad < it.len) {
            size_t off = pad + prng_below(&r, (uint32_t)(it.len - pad));
            unsigned bit = prng_below(&r, 8);
            item_flip(&it, off, bit, 0);
            snprintf(what, sizeof what,
                     "bit %u of padding byte %zu flipped: "
                     "valid",
                     bit, off);
            reqs = "CF-5.2-b CF-8-b CF-5.3-b";
        } else if (m >= 65 && m < 70) {
            uint8_t tail[8];
            size_t n = 1 + prng_below(&r, 8);
            prng_fill(&r, tail, n);
            if (!append(c, &it, tail, n)) {
                item_free(&it);
                return;
            }
            snprintf(what, sizeof what,
                     "%zu random bytes appended: valid, "
                     "frame length consumed",
                     n);
            reqs = "CF-12.2-c CF-5.3-b";
        } else if (m >= 70 && m < 80) {
            size_t len = prng_below(&r, (uint32_t)it.len);
            snprintf(what, sizeof what,
                     "cut to %zu bytes (in the %s): "
                     "truncated",
                     len, item_region_words(item_region(&it, len)));
            item_cut(&it, len, TT_ERR_TRUNCATED);
            reqs = "CF-12.2-a CF-12.2-b CF-5.3-b";
        } else if (m >= 80 && m < 92) {
            /* A bit of the CRC input whose flip keeps the layout and the
             * UsedLen: header bytes 0 and 2, Ack/Priority, extension,
             * the integrity byte, or the payload. */
            size_t off;
            unsigned bit;
            do {
                off = prng_below(&r, (uint32_t)pad);
                bit = prng_below(&r, 8);
            } while ((off == 1 && bit != 1 && bit != 2) || off == hl + 1 ||
                     off == hl + 2);
            item_flip(&it, off, bit, TT_ERR_CRC_MISMATCH);
            snprintf(what, sizeof what,
                     "bit %u of byte %zu (%s) flipped: "
                     "crc_mismatch",
                     bit, off, item_region_words(item_region(&it, off)));
            reqs = "CF-5.2-a CF-5.3-a CF-12.2-a CF-5.3-b";
        } else if (m >= 92) {
            unsigned bad = block + 1 + prng_below(&r, 0xFFFF - block);
            item_set_used_len(&it, bad, TT_ERR_USED_LEN_EXCEEDS_BLOCK);
            snprintf(what, sizeof what,
                     "UsedLen set to %u: "
                     "used_len_exceeds_block",
                     bad);
            reqs = "CF-6-b CF-12.2-a CF-5.3-b";
        }
        fvec *f = ADD(c, &it, -1, reqs, "%s", id);
        DESC(f,
             "Seeded random section (splitmix64 seeded by FNV-1a of the "
             "id; not hand-picked): Class 0x%X, Direction 0x%X, SizeId "
             "0x%X, flags 0x%X, UsedLen %u; %s",
             cls, dir, s, flags, ul, what);
    }
}

int cases_frame(vset *v)
{
    ctx c = {v, 0};
    void (*const families[])(ctx *) = {
        fam_examples,     fam_sizes,    fam_class_direction, fam_flags,
        fam_channel_dest, fam_payload,  fam_padding,         fam_trailing,
        fam_truncation,   fam_used_len, fam_order,           fam_crc_flips,
        fam_layout_flips, fam_zero,     fam_crc_variants,    fam_random,
    };
    for (size_t i = 0; i < sizeof families / sizeof families[0] && !c.failed;
         i++)
        families[i](&c);
    return c.failed ? -1 : 0;
}
