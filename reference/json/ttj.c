/* The suite's pinned JSON forms over cJSON. */
#include <string.h>

#include "ttj.h"

static const char hexdigits[] = "0123456789abcdef";

size_t ttj_hex_encode(const uint8_t *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hexdigits[in[i] >> 4];
        out[2 * i + 1] = hexdigits[in[i] & 15];
    }
    out[2 * len] = '\0';
    return 2 * len;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long ttj_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2)
        return -1;
    if (n / 2 > cap)
        return -2;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

cJSON *ttj_hex_string(const uint8_t *in, size_t len)
{
    char stack[2 * 64 + 1];
    char *buf = len <= 64 ? stack : cJSON_malloc(2 * len + 1);
    if (!buf)
        return NULL;
    ttj_hex_encode(in, len, buf);
    cJSON *s = cJSON_CreateString(buf);
    if (buf != stack)
        cJSON_free(buf);
    return s;
}

cJSON *ttj_frame_to_json(const tt_frame *f)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "class", f->cls);
    cJSON_AddNumberToObject(o, "direction", f->direction);
    cJSON_AddNumberToObject(o, "size_id", f->size_id);
    cJSON_AddBoolToObject(o, "big", f->big);
    cJSON_AddBoolToObject(o, "ack", f->ack);
    cJSON_AddBoolToObject(o, "priority", f->priority);
    cJSON_AddBoolToObject(o, "ext", f->has_ext);
    cJSON_AddNumberToObject(o, "channel", f->channel);
    if (f->has_ext)
        cJSON_AddNumberToObject(o, "dest", f->dest);
    else
        cJSON_AddNullToObject(o, "dest");
    cJSON_AddNumberToObject(o, "crc", f->crc);
    cJSON_AddNumberToObject(o, "used_len", f->used_len);
    cJSON *payload = ttj_hex_string(f->payload, f->payload ? f->used_len : 0);
    if (!payload || !cJSON_AddItemToObject(o, "payload", payload)) {
        cJSON_Delete(payload);
        cJSON_Delete(o);
        return NULL;
    }
    /* cJSON_Add* return NULL on allocation failure; one check at the end. */
    if (cJSON_GetArraySize(o) != 12) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* An integer field within [0, max]; cJSON numbers are doubles. */
static bool get_uint(const cJSON *obj, const char *key, unsigned max,
                     unsigned *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max ||
        v->valuedouble != (double)(unsigned)v->valuedouble)
        return false;
    *out = (unsigned)v->valuedouble;
    return true;
}

static bool get_bool(const cJSON *obj, const char *key, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsBool(v))
        return false;
    *out = cJSON_IsTrue(v);
    return true;
}

int ttj_frame_from_json(const cJSON *obj, bool full, ttj_frame *out,
                        const char **why)
{
    static const char *unused;
    unsigned cls, dir, size_id, channel, dest = 0, crc = 0, used = 0;
    bool big, ack, prio, ext;
    if (!why)
        why = &unused;
    memset(&out->f, 0, sizeof out->f);
    if (!cJSON_IsObject(obj))
        return *why = "frame is not an object", -1;
    if (!get_uint(obj, "class", 15, &cls))
        return *why = "\"class\" must be an integer 0..15", -1;
    if (!get_uint(obj, "direction", 15, &dir))
        return *why = "\"direction\" must be an integer 0..15", -1;
    if (!get_uint(obj, "size_id", 15, &size_id))
        return *why = "\"size_id\" must be an integer 0..15", -1;
    if (!get_bool(obj, "big", &big) || !get_bool(obj, "ack", &ack) ||
        !get_bool(obj, "priority", &prio) || !get_bool(obj, "ext", &ext))
        return *why = "\"big\", \"ack\", \"priority\" and \"ext\" must be "
                      "booleans",
               -1;
    if (!get_uint(obj, "channel", 255, &channel))
        return *why = "\"channel\" must be an integer 0..255", -1;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(obj, "dest");
    if (ext ? !get_uint(obj, "dest", 65535, &dest) : !cJSON_IsNull(d))
        return *why = "\"dest\" must be an integer 0..65535 when \"ext\" is "
                      "true and null otherwise",
               -1;
    bool has_crc = cJSON_GetObjectItemCaseSensitive(obj, "crc") != NULL;
    bool has_used = cJSON_GetObjectItemCaseSensitive(obj, "used_len") != NULL;
    if ((full || has_crc) && !get_uint(obj, "crc", 255, &crc))
        return *why = "\"crc\" must be an integer 0..255", -1;
    if ((full || has_used) && !get_uint(obj, "used_len", 65535, &used))
        return *why = "\"used_len\" must be an integer 0..65535", -1;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(obj, "payload");
    if (!cJSON_IsString(p))
        return *why = "\"payload\" must be a hex string", -1;
    long n = ttj_hex_decode(p->valuestring, out->payload, sizeof out->payload);
    if (n < 0)
        return *why = n == -2 ? "\"payload\" is longer than the largest block"
                              : "\"payload\" is not valid hex",
               -1;
    if ((full || has_used) && (unsigned long)n != used)
        return *why = "\"used_len\" differs from the payload length", -1;

    out->f.cls = (uint8_t)cls;
    out->f.direction = (uint8_t)dir;
    out->f.size_id = (uint8_t)size_id;
    out->f.big = big;
    out->f.ack = ack;
    out->f.priority = prio;
    out->f.has_ext = ext;
    out->f.channel = (uint8_t)channel;
    out->f.dest = (uint16_t)dest;
    out->f.crc = (uint8_t)crc;
    out->f.used_len = (uint16_t)n;
    out->f.payload = out->payload;
    return 0;
}

const char *ttj_frame_diff(const tt_frame *a, const tt_frame *b, bool with_crc)
{
    if (a->cls != b->cls)
        return "class";
    if (a->direction != b->direction)
        return "direction";
    if (a->size_id != b->size_id)
        return "size_id";
    if (a->big != b->big)
        return "big";
    if (a->ack != b->ack)
        return "ack";
    if (a->priority != b->priority)
        return "priority";
    if (a->has_ext != b->has_ext)
        return "ext";
    if (a->channel != b->channel)
        return "channel";
    if (a->has_ext && a->dest != b->dest)
        return "dest";
    if (with_crc && a->crc != b->crc)
        return "crc";
    if (a->used_len != b->used_len)
        return "used_len";
    if (a->used_len &&
        (!a->payload || !b->payload ||
         memcmp(a->payload, b->payload, a->used_len) != 0))
        return "payload";
    return NULL;
}
