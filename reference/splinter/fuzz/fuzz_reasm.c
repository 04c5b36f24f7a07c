/*
 * Fuzz target: the stream reassembler fed the input's lines. Each line is
 * one byte of clock advance (in 100 ms steps) and an envelope; valid chunks
 * are pushed, ready payloads taken, timed-out streams collected. Invariants:
 * a chunk's verdict is 0, 1000 or 4100; the byte count never exceeds the
 * (small) limits; after a far-future expiry nothing is held.
 */
#include <stdlib.h>
#include <string.h>

#include "splinter/splinter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const sp_reasm_limits lim = {8, 4096, 16384, 2000};
    sp_reasm *r = sp_reasm_new(&lim);
    if (!r)
        abort();
    sp_time now = {1751993652, 0};
    size_t pos = 0;
    while (pos < size) {
        const uint8_t *nl = memchr(data + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - data) : size;
        size_t n = end - pos;
        char *line = malloc(n ? n : 1);
        if (!line)
            abort();
        if (n) {
            memcpy(line, data + pos, n);
            now = sp_time_add_ms(&now, (uint64_t)(uint8_t)line[0] * 100u);
            sp_envelope env;
            sp_check chk;
            if (sp_validate(line + 1, n - 1, NULL, &now, &env, &chk) == 0 &&
                env.has_seq) {
                sp_chunk_result res;
                int rc = sp_reasm_push(r, &env, &now, &res);
                if (rc < 0 && rc != SP_ERR_NO_MEMORY)
                    abort();
                if (rc == 0 && res.fault != 0 &&
                    res.fault != SP_FAULT_BAD_SCHEMA &&
                    res.fault != SP_FAULT_BACKPRESSURE)
                    abort();
                char *p;
                while (sp_reasm_take(r, env.from, env.id, &p) > 0)
                    free(p);
            }
            sp_envelope_free(&env);
        }
        if (sp_reasm_bytes(r) > lim.max_total_bytes ||
            sp_reasm_streams(r) > lim.max_streams)
            abort();
        sp_expired x;
        while (sp_reasm_expire(r, &now, &x) > 0)
            free(x.from);
        free(line);
        pos = end + 1;
    }
    /* Past every possible deadline (year 9999 plus the largest ttl_ms):
     * every stream is gone or reported. */
    now.sec = 253402300800LL + (int64_t)(SP_TTL_MAX / 1000u) + 1;
    now.nsec = 0;
    sp_expired x;
    while (sp_reasm_expire(r, &now, &x) > 0)
        free(x.from);
    if (sp_reasm_bytes(r) != 0 || sp_reasm_streams(r) != 0)
        abort();
    sp_reasm_free(r);
    return 0;
}
