#ifndef TT_CRC8_TABLES_H
#define TT_CRC8_TABLES_H

#include "tamtam/tamtam.h"

/* Input bytes folded per table step: 16 tables of 256 bytes per variant,
 * 4 KiB, which stays in L1 for the one variant a receiver uses. */
#define TT__CRC8_SLICES 16

/* Slice-by-16 tables per variant, generated at build time
 * (crc8_tables_gen.c): [variant][k][byte]. */
extern const uint8_t tt__crc8_tables[TT_CRC_COUNT][TT__CRC8_SLICES][256];

#endif
