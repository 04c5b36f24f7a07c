/*
 * The JSON Schemas (draft 2020-12) of core-frame.json and core-stream.json,
 * built from the same tables as the codec (error names, CRC variant names,
 * block and frame limits) so they cannot drift from them. gen writes them to
 * DIR/schema/; verify validates against the files it finds there.
 *
 * Keywords used are exactly those jschema.c implements (README: "Schema
 * keywords").
 */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "vectors.h"

static cJSON *add(cJSON *o, const char *key, cJSON *v)
{
    cJSON_AddItemToObject(o, key, v);
    return o;
}

static cJSON *str(const char *s)
{
    return cJSON_CreateString(s);
}

static cJSON *typed(const char *type)
{
    return add(cJSON_CreateObject(), "type", str(type));
}

#define NO_MAX (-1.0)

/* An integer schema; max NO_MAX leaves it unbounded above. */
static cJSON *integer(double min, double max)
{
    cJSON *o = typed("integer");
    cJSON_AddNumberToObject(o, "minimum", min);
    if (max != NO_MAX)
        cJSON_AddNumberToObject(o, "maximum", max);
    return o;
}

static cJSON *pattern(const char *re)
{
    return add(typed("string"), "pattern", str(re));
}

static cJSON *ref(const char *def)
{
    char buf[64];
    snprintf(buf, sizeof buf, "#/$defs/%s", def);
    return add(cJSON_CreateObject(), "$ref", str(buf));
}

static cJSON *constant(cJSON *v)
{
    return add(cJSON_CreateObject(), "const", v);
}

static cJSON *strings(const char *const *s, size_t n)
{
    return cJSON_CreateStringArray(s, (int)n);
}

static cJSON *enum_of(const char *const *s, size_t n)
{
    return add(cJSON_CreateObject(), "enum", strings(s, n));
}

static const char *const frame_keys[] = {
    "class",    "direction", "size_id", "channel", "dest",     "crc",
    "used_len", "payload",   "big",     "ack",     "priority", "ext"};

/* The frame object pinned for the whole suite. */
static cJSON *frame_def(void)
{
    cJSON *p = cJSON_CreateObject();
    add(p, "class", integer(0, 15));
    add(p, "direction", integer(0, 15));
    add(p, "size_id", integer(0, 15));
    add(p, "big", typed("boolean"));
    add(p, "ack", typed("boolean"));
    add(p, "priority", typed("boolean"));
    add(p, "ext", typed("boolean"));
    add(p, "channel", integer(0, 255));
    static const char *const int_or_null[] = {"integer", "null"};
    cJSON *dest = add(cJSON_CreateObject(), "type", strings(int_or_null, 2));
    cJSON_AddNumberToObject(dest, "minimum", 0);
    cJSON_AddNumberToObject(dest, "maximum", 65535);
    add(p, "dest", dest);
    add(p, "crc", integer(0, 255));
    add(p, "used_len", integer(0, TT_BLOCK_MAX));
    add(p, "payload", ref("hex"));

    /* dest is a number exactly when ext is true (CF-4-a, CF-4-b). */
    cJSON *roaming = cJSON_CreateObject(), *local = cJSON_CreateObject();
    add(roaming, "properties",
        add(add(cJSON_CreateObject(), "ext", constant(cJSON_CreateTrue())),
            "dest", typed("integer")));
    add(local, "properties",
        add(add(cJSON_CreateObject(), "ext", constant(cJSON_CreateFalse())),
            "dest", typed("null")));
    cJSON *one = cJSON_CreateArray();
    cJSON_AddItemToArray(one, roaming);
    cJSON_AddItemToArray(one, local);

    cJSON *f = typed("object");
    add(f, "description",
        str("The frame object: every field of a decoded "
            "frame; payload holds the first used_len bytes "
            "of the block, padding is never included"));
    add(f, "required", strings(frame_keys, 12));
    add(f, "additionalProperties", cJSON_CreateFalse());
    add(f, "properties", p);
    add(f, "oneOf", one);
    return f;
}

static cJSON *common_defs(void)
{
    const char *crcs[TT_CRC_COUNT];
    for (int i = 0; i < TT_CRC_COUNT; i++)
        crcs[i] = tt_crc_name((tt_crc)i);
    cJSON *d = cJSON_CreateObject();
    add(d, "crc_name", enum_of(crcs, TT_CRC_COUNT));
    add(d, "requirement", pattern("^CF-[0-9]+(\\.[0-9]+)?-[a-z]$"));
    add(d, "requirements",
        add(add(add(add(typed("array"), "minItems", cJSON_CreateNumber(1)),
                    "uniqueItems", cJSON_CreateTrue()),
                "items", ref("requirement")),
            "description",
            str("The requirement IDs of spec/core-frame.md "
                "this vector checks")));
    add(d, "hex",
        add(pattern("^([0-9a-f][0-9a-f])*$"), "description",
            str("Bytes as lowercase hex, two digits per byte")));
    add(d, "verdict", enum_of((const char *const[]){"must", "info"}, 2));
    add(d, "frame", frame_def());
    return d;
}

static cJSON *document(const char *title, const char *id, const char *suite,
                       const char *item_def, cJSON *defs)
{
    cJSON *props = cJSON_CreateObject();
    add(props, "suite", constant(str(suite)));
    add(props, "spec_version", constant(str("1.0")));
    add(props, "crc", ref("crc_name"));
    add(props, "count", integer(0, NO_MAX));
    add(props, "vectors", add(typed("array"), "items", ref(item_def)));
    static const char *const top[] = {"suite", "spec_version", "crc", "count",
                                      "vectors"};
    cJSON *s = cJSON_CreateObject();
    add(s, "$schema", str("https://json-schema.org/draft/2020-12/schema"));
    add(s, "$id", str(id));
    add(s, "title", str(title));
    add(s, "type", str("object"));
    add(s, "required", strings(top, 5));
    add(s, "additionalProperties", cJSON_CreateFalse());
    add(s, "properties", props);
    add(s, "$defs", defs);
    return s;
}

cJSON *schema_core_frame(void)
{
    const char *errors[] = {tt_error_name(TT_ERR_TRUNCATED),
                            tt_error_name(TT_ERR_USED_LEN_EXCEEDS_BLOCK),
                            tt_error_name(TT_ERR_CRC_MISMATCH)};
    cJSON *p = cJSON_CreateObject();
    add(p, "id", pattern("^cf-[a-z0-9]+(-[a-z0-9]+)*$"));
    add(p, "requirements", ref("requirements"));
    add(p, "description",
        add(typed("string"), "minLength", cJSON_CreateNumber(1)));
    add(p, "hex", ref("hex"));
    add(p, "expect", enum_of((const char *const[]){"valid", "invalid"}, 2));
    add(p, "error", enum_of(errors, 3));
    add(p, "verdict", ref("verdict"));
    add(p, "valid_under", ref("crc_name"));
    add(p, "frame", ref("frame"));

    /* The three shapes: valid; invalid; valid only under another variant. */
    cJSON *valid = cJSON_CreateObject(), *invalid = cJSON_CreateObject(),
          *other = cJSON_CreateObject();
    add(valid, "title", str("valid"));
    add(valid, "required", strings((const char *const[]){"frame"}, 1));
    add(valid, "properties",
        add(add(add(cJSON_CreateObject(), "expect", constant(str("valid"))),
                "error", cJSON_CreateFalse()),
            "valid_under", cJSON_CreateFalse()));
    add(invalid, "title", str("invalid"));
    add(invalid, "required", strings((const char *const[]){"error"}, 1));
    add(invalid, "properties",
        add(add(add(cJSON_CreateObject(), "expect", constant(str("invalid"))),
                "frame", cJSON_CreateFalse()),
            "valid_under", cJSON_CreateFalse()));
    add(other, "title",
        str("valid under another CRC-8 variant: "
            "crc_mismatch under the file's crc, and frame "
            "as decoded under valid_under"));
    add(other, "required",
        strings((const char *const[]){"error", "valid_under", "frame"}, 3));
    add(other, "properties",
        add(add(cJSON_CreateObject(), "expect", constant(str("invalid"))),
            "error", constant(str(tt_error_name(TT_ERR_CRC_MISMATCH)))));
    cJSON *one = cJSON_CreateArray();
    cJSON_AddItemToArray(one, valid);
    cJSON_AddItemToArray(one, invalid);
    cJSON_AddItemToArray(one, other);

    static const char *const req[] = {"id",  "requirements", "description",
                                      "hex", "expect",       "verdict"};
    cJSON *v = typed("object");
    add(v, "required", strings(req, 6));
    add(v, "additionalProperties", cJSON_CreateFalse());
    add(v, "properties", p);
    add(v, "oneOf", one);

    cJSON *defs = common_defs();
    add(defs, "vector", v);
    return document("TamTam Core Frame test vectors: single buffers",
                    "urn:tamtam:vectors:core-frame:1.0", "tamtam-core-frame",
                    "vector", defs);
}

cJSON *schema_core_stream(void)
{
    const char *discards[] = {tt_error_name(TT_ERR_USED_LEN_EXCEEDS_BLOCK),
                              tt_error_name(TT_ERR_CRC_MISMATCH)};
    cJSON *frame_ev = typed("object"), *error_ev = typed("object");
    add(frame_ev, "required", strings((const char *const[]){"frame"}, 1));
    add(frame_ev, "additionalProperties", cJSON_CreateFalse());
    add(frame_ev, "properties",
        add(cJSON_CreateObject(), "frame", ref("frame")));
    add(error_ev, "required",
        strings((const char *const[]){"error", "offset"}, 2));
    add(error_ev, "additionalProperties", cJSON_CreateFalse());
    add(error_ev, "properties",
        add(add(cJSON_CreateObject(), "error", enum_of(discards, 2)), "offset",
            integer(0, NO_MAX)));
    cJSON *one = cJSON_CreateArray();
    cJSON_AddItemToArray(one, frame_ev);
    cJSON_AddItemToArray(one, error_ev);
    cJSON *event = add(cJSON_CreateObject(), "oneOf", one);

    cJSON *p = cJSON_CreateObject();
    add(p, "id", pattern("^cs-[a-z0-9]+(-[a-z0-9]+)*$"));
    add(p, "requirements", ref("requirements"));
    add(p, "description",
        add(typed("string"), "minLength", cJSON_CreateNumber(1)));
    add(p, "hex", ref("hex"));
    add(p, "chunks", add(typed("array"), "items", integer(1, NO_MAX)));
    add(p, "events", add(typed("array"), "items", ref("event")));
    add(p, "pending", integer(0, TT_FRAME_MAX - 1));
    add(p, "verdict", ref("verdict"));
    static const char *const req[] = {"id",      "requirements", "description",
                                      "hex",     "chunks",       "events",
                                      "pending", "verdict"};
    cJSON *v = typed("object");
    add(v, "required", strings(req, 8));
    add(v, "additionalProperties", cJSON_CreateFalse());
    add(v, "properties", p);

    cJSON *defs = common_defs();
    add(defs, "event", event);
    add(defs, "vector", v);
    return document("TamTam Core Frame test vectors: byte streams",
                    "urn:tamtam:vectors:core-stream:1.0", "tamtam-core-stream",
                    "vector", defs);
}
