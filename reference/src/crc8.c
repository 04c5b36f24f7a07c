/* CRC-8 under every named variant: catalogue parameters, the bit-by-bit
 * definition, and the slice-by-16 table method the codec uses. */
#include <string.h>
#include <strings.h>

#include "crc8_tables.h"

static const tt_crc_params params[TT_CRC_COUNT] = {
#define CRC_PARAMS(id, name, poly, init, refin, refout, xorout, check)         \
    {name, poly, init, xorout, check, refin, refout},
    TT_CRC_MAP(CRC_PARAMS)
#undef CRC_PARAMS
};

static bool valid(tt_crc crc)
{
    return (unsigned)crc < TT_CRC_COUNT;
}

const tt_crc_params *tt_crc_get_params(tt_crc crc)
{
    return valid(crc) ? &params[crc] : NULL;
}

const char *tt_crc_name(tt_crc crc)
{
    return valid(crc) ? params[crc].name : NULL;
}

int tt_crc_from_name(const char *name)
{
    static const char prefix[] = "CRC-8/";
    if (!name)
        return TT_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < TT_CRC_COUNT; i++) {
        const char *full = params[i].name;
        if (strcasecmp(name, full) == 0 ||
            strcasecmp(name, full + sizeof prefix - 1) == 0)
            return i;
    }
    return TT_ERR_INVALID_ARGUMENT;
}

static uint8_t reflect8(uint8_t v)
{
    uint8_t r = 0;
    for (int i = 0; i < 8; i++)
        if (v & (1u << i))
            r |= (uint8_t)(0x80u >> i);
    return r;
}

uint8_t tt_crc8_bitwise(tt_crc crc, const void *data, size_t len)
{
    const tt_crc_params *p = &params[crc];
    const uint8_t *b = data;
    uint8_t reg = p->init;
    for (size_t i = 0; i < len; i++) {
        uint8_t in = p->refin ? reflect8(b[i]) : b[i];
        for (int bit = 7; bit >= 0; bit--) {
            unsigned top = ((reg >> 7) ^ (in >> bit)) & 1u;
            reg = (uint8_t)(reg << 1);
            if (top)
                reg ^= p->poly;
        }
    }
    if (p->refout)
        reg = reflect8(reg);
    return (uint8_t)(reg ^ p->xorout);
}

uint8_t tt_crc8_init(tt_crc crc)
{
    const tt_crc_params *p = &params[crc];
    return p->refin ? reflect8(p->init) : p->init;
}

uint8_t tt_crc8_update(tt_crc crc, uint8_t state, const void *data, size_t len)
{
    const uint8_t(*t)[256] = tt__crc8_tables[crc];
    const uint8_t *b = data;
    unsigned s = state;
    while (len >= 16) {
        s = t[15][s ^ b[0]] ^ t[14][b[1]] ^ t[13][b[2]] ^ t[12][b[3]] ^
            t[11][b[4]] ^ t[10][b[5]] ^ t[9][b[6]] ^ t[8][b[7]] ^
            t[7][b[8]] ^ t[6][b[9]] ^ t[5][b[10]] ^ t[4][b[11]] ^
            t[3][b[12]] ^ t[2][b[13]] ^ t[1][b[14]] ^ t[0][b[15]];
        b += 16;
        len -= 16;
    }
    while (len--)
        s = t[0][s ^ *b++];
    return (uint8_t)s;
}

uint8_t tt_crc8_final(tt_crc crc, uint8_t state)
{
    return (uint8_t)(state ^ params[crc].xorout);
}

uint8_t tt_crc8(tt_crc crc, const void *data, size_t len)
{
    return tt_crc8_final(crc, tt_crc8_update(crc, tt_crc8_init(crc), data, len));
}
