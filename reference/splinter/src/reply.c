/* Fault replies (spec SP-9.2) and the version announcement (SP-10-b), built
 * with cJSON so that member order is the insertion order. */
#include <stdlib.h>
#include <string.h>

#include "splinter/splinter.h"

/* Prints `obj` compactly into *out and frees it. Returns the length. */
static int print_out(cJSON *obj, char **out)
{
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!text)
        return SP_ERR_NO_MEMORY;
    *out = text;
    return (int)strlen(text);
}

/* The envelope head every built envelope starts with: id, ts, from, to,
 * type. Returns NULL when out of memory or `now` cannot be written. */
static cJSON *head(const char *id, const sp_time *now, const char *from,
                   const char *to, const char *type, int *err)
{
    char ts[40];
    if (sp_time_format(now, 3, ts, sizeof ts) < 0) {
        *err = SP_ERR_INVALID_ARGUMENT;
        return NULL;
    }
    *err = SP_ERR_NO_MEMORY;
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "id", id) ||
        !cJSON_AddStringToObject(o, "ts", ts) ||
        !cJSON_AddStringToObject(o, "from", from) ||
        !cJSON_AddStringToObject(o, "to", to) ||
        !cJSON_AddStringToObject(o, "type", type)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int sp_error_envelope(const char *id, const char *to, int fault,
                      const char *detail, const char *service,
                      const sp_time *now, char **out)
{
    const char *symbol = sp_fault_symbol(fault);
    if (!id || !*id || !to || !*to || !service || !*service || !now || !out ||
        !symbol)
        return SP_ERR_INVALID_ARGUMENT;
    int err;
    cJSON *o = head(id, now, service, to, "error", &err);
    if (!o)
        return err;
    cJSON *p = cJSON_AddObjectToObject(o, "payload");
    if (!p || !cJSON_AddNumberToObject(p, "code", fault) ||
        !cJSON_AddStringToObject(p, "symbol", symbol) ||
        !cJSON_AddStringToObject(p, "detail",
                                 detail ? detail : sp_fault_desc(fault))) {
        cJSON_Delete(o);
        return SP_ERR_NO_MEMORY;
    }
    return print_out(o, out);
}

/* Reads the trigger's id and from as SP-9.2-b allows. */
int sp_fault_reply(const char *trigger, size_t len, int fault,
                   const char *detail, const char *service, const sp_time *now,
                   char **out)
{
    if ((!trigger && len) || !out || !sp_fault_symbol(fault) || !service ||
        !*service || !now)
        return SP_ERR_INVALID_ARGUMENT;
    /* Only what sp_validate's stage 1 would accept as text is read: the
     * line limit, UTF-8 and the JSON rules; the members may be wrong. */
    sp_envelope env;
    sp_check chk;
    int r = sp_validate(trigger, len, NULL, NULL, &env, &chk);
    if (r < 0)
        return r;
    if (!env.root || (chk.fault == SP_FAULT_BAD_SCHEMA &&
                      strncmp(chk.req, "SP-2-", 5) == 0)) {
        sp_envelope_free(&env);
        return SP_ERR_NO_REPLY;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(env.root, "id");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(env.root, "from");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(env.root, "type");
    if (!cJSON_IsString(id) || !id->valuestring[0] ||
        strlen(id->valuestring) > SP_ID_MAX || !cJSON_IsString(from) ||
        !from->valuestring[0] ||
        (cJSON_IsString(type) && strcmp(type->valuestring, "error") == 0)) {
        sp_envelope_free(&env);
        return SP_ERR_NO_REPLY;
    }
    r = sp_error_envelope(id->valuestring, from->valuestring, fault, detail,
                          service, now, out);
    sp_envelope_free(&env);
    return r;
}

int sp_announce(const char *id, const char *service, const sp_time *now,
                char **out)
{
    if (!id || !*id || !service || !*service || !now || !out)
        return SP_ERR_INVALID_ARGUMENT;
    int err;
    cJSON *o = head(id, now, service, "*", "event", &err);
    if (!o)
        return err;
    cJSON *p = cJSON_AddObjectToObject(o, "payload");
    cJSON *sp = p ? cJSON_AddObjectToObject(p, "splinter") : NULL;
    cJSON *v = sp ? cJSON_AddArrayToObject(sp, "versions") : NULL;
    cJSON *s = v ? cJSON_CreateString(SP_VERSION) : NULL;
    if (!s || !cJSON_AddItemToArray(v, s)) {
        cJSON_Delete(s);
        cJSON_Delete(o);
        return SP_ERR_NO_MEMORY;
    }
    return print_out(o, out);
}
