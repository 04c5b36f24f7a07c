/*
 * Fuzz target: the envelope validator and the fault reply on any bytes.
 * Invariants: sp_validate returns 0 or a fault of the table (never a library
 * error besides no_memory); a fault names an SP- requirement; a valid
 * envelope has its required views; a fault reply, when one is possible, is
 * itself a valid error envelope addressed to the trigger's from. The input is
 * copied to an exact-size heap block so a read past it is caught.
 */
#include <stdlib.h>
#include <string.h>

#include "splinter/splinter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size ? size : 1);
    if (!line)
        abort();
    if (size)
        memcpy(line, data, size);
    static cJSON *allow;
    if (!allow)
        allow = cJSON_Parse("{\"chat\":[\"rag_server\",\"*\"]}");
    const sp_time now = {1751993652, 431000000}; /* 2025-07-08T16:54:12.431Z */
    sp_envelope env;
    sp_check chk;
    int r = sp_validate(line, size, allow, &now, &env, &chk);
    if (r == SP_ERR_NO_MEMORY) {
        free(line);
        return 0;
    }
    if (r < 0 || r != chk.fault || (r && !sp_fault_symbol(r)))
        abort();
    if (r && (!chk.req || strncmp(chk.req, "SP-", 3) != 0))
        abort();
    if (!r && (!env.id || !env.from || !env.to || !env.type_name ||
               env.type == SP_TYPE_UNKNOWN ||
               (!env.payload && env.type != SP_TYPE_HEARTBEAT)))
        abort();
    char *reply = NULL;
    int n = sp_fault_reply(line, size, r ? r : SP_FAULT_INTERNAL_ERROR, NULL,
                           "fuzz", &now, &reply);
    if (n >= 0) {
        sp_envelope renv;
        sp_check rchk;
        const cJSON *from =
            cJSON_GetObjectItemCaseSensitive(env.root, "from");
        if (sp_validate(reply, (size_t)n, NULL, &now, &renv, &rchk) != 0 ||
            renv.type != SP_TYPE_ERROR || !cJSON_IsString(from) ||
            strcmp(renv.to, from->valuestring) != 0)
            abort();
        sp_envelope_free(&renv);
        free(reply);
    } else if (n != SP_ERR_NO_REPLY && n != SP_ERR_NO_MEMORY) {
        abort();
    }
    sp_envelope_free(&env);
    free(line);
    return 0;
}
