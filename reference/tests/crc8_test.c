/* CRC-8: check values, table method against the bitwise definition,
 * incremental use, names. CF-5.1-a, CF-12.1-a, CF-12.1-b. */
#include <string.h>

#include "testutil.h"

/* Written out from the RevEng catalogue, independent of TT_CRC_MAP. */
static const struct {
    const char *name;
    uint8_t poly, init, xorout, check;
    bool ref;
} catalogue[] = {
    {"CRC-8/SMBUS", 0x07, 0x00, 0x00, 0xF4, false},
    {"CRC-8/MAXIM-DOW", 0x31, 0x00, 0x00, 0xA1, true},
    {"CRC-8/I-432-1", 0x07, 0x00, 0x55, 0xA1, false},
    {"CRC-8/AUTOSAR", 0x2F, 0xFF, 0xFF, 0xDF, false},
    {"CRC-8/SAE-J1850", 0x1D, 0xFF, 0xFF, 0x4B, false},
    {"CRC-8/ROHC", 0x07, 0xFF, 0x00, 0xD0, true},
    {"CRC-8/CDMA2000", 0x9B, 0xFF, 0x00, 0xDA, false},
    {"CRC-8/BLUETOOTH", 0xA7, 0x00, 0x00, 0x26, true},
};
#define N_CATALOGUE (sizeof catalogue / sizeof catalogue[0])

/* CF-12.1-a, CF-12.1-b: every named variant gives its catalogue check value
 * over "123456789", by the table method and by the bitwise definition. */
static void check_values(void **state)
{
    (void)state;
    assert_int_equal(TT_CRC_COUNT, N_CATALOGUE);
    assert_int_equal(TT_CRC_DEFAULT, tt_crc_from_name("CRC-8/SMBUS"));
    for (size_t i = 0; i < N_CATALOGUE; i++) {
        int v = tt_crc_from_name(catalogue[i].name);
        assert_true(v >= 0);
        const tt_crc_params *p = tt_crc_get_params((tt_crc)v);
        assert_string_equal(p->name, catalogue[i].name);
        assert_int_equal(p->poly, catalogue[i].poly);
        assert_int_equal(p->init, catalogue[i].init);
        assert_int_equal(p->xorout, catalogue[i].xorout);
        assert_int_equal(p->refin, catalogue[i].ref);
        assert_int_equal(p->refout, catalogue[i].ref);
        assert_int_equal(tt_crc8((tt_crc)v, "123456789", 9), catalogue[i].check);
        assert_int_equal(tt_crc8_bitwise((tt_crc)v, "123456789", 9),
                         catalogue[i].check);
    }
}

/* CF-5.1-a: the slice-by-16 path equals the bitwise definition for every
 * variant, every length 0..300 and every alignment 0..7. */
static void table_matches_bitwise(void **state)
{
    (void)state;
    uint64_t seed = 1;
    uint8_t buf[320];
    tt_test_fill(&seed, buf, sizeof buf);
    for (int v = 0; v < TT_CRC_COUNT; v++)
        for (size_t off = 0; off < 8; off++)
            for (size_t len = 0; len + off <= 300; len++)
                assert_int_equal(tt_crc8((tt_crc)v, buf + off, len),
                                 tt_crc8_bitwise((tt_crc)v, buf + off, len));
}

/* The incremental API split at every point gives the one-shot value. */
static void incremental_split(void **state)
{
    (void)state;
    uint64_t seed = 2;
    uint8_t buf[64];
    tt_test_fill(&seed, buf, sizeof buf);
    for (int v = 0; v < TT_CRC_COUNT; v++) {
        uint8_t whole = tt_crc8_bitwise((tt_crc)v, buf, sizeof buf);
        for (size_t cut = 0; cut <= sizeof buf; cut++) {
            uint8_t s = tt_crc8_init((tt_crc)v);
            s = tt_crc8_update((tt_crc)v, s, buf, cut);
            s = tt_crc8_update((tt_crc)v, s, buf + cut, sizeof buf - cut);
            assert_int_equal(tt_crc8_final((tt_crc)v, s), whole);
        }
    }
}

/* CF-12.1-b: names are accepted case-insensitively, with or without the
 * "CRC-8/" prefix; unknown names are refused. */
static void names(void **state)
{
    (void)state;
    assert_int_equal(tt_crc_from_name("crc-8/maxim-dow"), TT_CRC_MAXIM_DOW);
    assert_int_equal(tt_crc_from_name("SAE-J1850"), TT_CRC_SAE_J1850);
    assert_int_equal(tt_crc_from_name("bluetooth"), TT_CRC_BLUETOOTH);
    assert_int_equal(tt_crc_from_name("CRC-8"), TT_ERR_INVALID_ARGUMENT);
    assert_int_equal(tt_crc_from_name("CRC-8/SMBUSX"), TT_ERR_INVALID_ARGUMENT);
    assert_int_equal(tt_crc_from_name(""), TT_ERR_INVALID_ARGUMENT);
    assert_int_equal(tt_crc_from_name(NULL), TT_ERR_INVALID_ARGUMENT);
    assert_null(tt_crc_name((tt_crc)TT_CRC_COUNT));
    assert_null(tt_crc_get_params((tt_crc)-1));
}

/* MAXIM-DOW and I-432-1 share a check value; other input separates them. */
static void variants_distinguishable(void **state)
{
    (void)state;
    static const uint8_t frame_input[] = {0x20, 0x10, 0x07, 0x00, 0x03, 1, 2, 3};
    for (int a = 0; a < TT_CRC_COUNT; a++)
        for (int b = a + 1; b < TT_CRC_COUNT; b++)
            assert_int_not_equal(
                tt_crc8((tt_crc)a, frame_input, sizeof frame_input),
                tt_crc8((tt_crc)b, frame_input, sizeof frame_input));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_values),
        cmocka_unit_test(table_matches_bitwise),
        cmocka_unit_test(incremental_split),
        cmocka_unit_test(names),
        cmocka_unit_test(variants_distinguishable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
