/* UUID version 7 generation and the hyphenated form check (SP-3.1-c). */
#include "splinter/splinter.h"

int sp_uuid7(uint64_t unix_ms, const uint8_t rnd[10], char out[37])
{
    if (!rnd || !out || unix_ms >> 48)
        return SP_ERR_INVALID_ARGUMENT;
    uint8_t b[16];
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)(unix_ms >> (40 - 8 * i));
    b[6] = (uint8_t)(0x70u | (rnd[0] & 0x0Fu)); /* version 7 */
    b[7] = rnd[1];
    b[8] = (uint8_t)(0x80u | (rnd[2] & 0x3Fu)); /* variant 10 */
    for (int i = 9; i < 16; i++)
        b[i] = rnd[i - 6];
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0F];
    }
    out[o] = '\0';
    return o;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int sp_uuid_version(const char *s, size_t len)
{
    if (!s || len != SP_UUID_LEN)
        return SP_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < len; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : hexval(s[i]) < 0)
            return SP_ERR_INVALID_ARGUMENT;
    }
    if ((hexval(s[19]) & 0xC) != 0x8) /* variant bits 10 */
        return SP_ERR_INVALID_ARGUMENT;
    return hexval(s[14]);
}
