/* RFC 3339 in UTC (spec section 5: SP-5-a to SP-5-f), time arithmetic and
 * UUIDs (SP-3.1-c). */
#include "testutil.h"

static int parse(const char *s, sp_time *t)
{
    return sp_time_parse(s, strlen(s), t);
}

static void expect_time(const char *s, int64_t sec, uint32_t nsec)
{
    sp_time t = {-1, 7};
    assert_int_equal(parse(s, &t), 0);
    assert_int_equal(t.sec, sec);
    assert_int_equal(t.nsec, nsec);
}

static void expect_bad(const char *s)
{
    sp_time t = {-1, 7};
    if (parse(s, &t) != SP_ERR_INVALID_ARGUMENT)
        fail_msg("accepted \"%s\"", s);
    assert_int_equal(t.sec, -1); /* untouched */
}

/* SP-5-a grammar; SP-5-b offsets. */
static void grammar_and_offsets(void **state)
{
    (void)state;
    expect_time("1970-01-01T00:00:00Z", 0, 0);
    expect_time(SP_TEST_TS, SP_TEST_SEC, SP_TEST_NSEC);
    expect_time("2025-07-08t16:54:12.431z", SP_TEST_SEC, SP_TEST_NSEC);
    expect_time("2025-07-08T16:54:12.431+00:00", SP_TEST_SEC, SP_TEST_NSEC);
    expect_bad("2025-07-08T16:54:12.431-00:00"); /* unknown offset */
    expect_bad("2025-07-08T16:54:12.431+01:00");
    expect_bad("2025-07-08T17:54:12+01:00");
    expect_bad("2025-07-08T16:54:12.431");      /* no offset */
    expect_bad("2025-07-08 16:54:12.431Z");     /* space separator */
    expect_bad("2025-07-08T16:54:12.431ZZ");
    expect_bad("2025-07-08T16:54:12.431Z ");
    expect_bad("2025-7-08T16:54:12Z");
    expect_bad("25-07-08T16:54:12Z");
    expect_bad("2025-07-08T16:54Z");
    expect_bad("+2025-07-08T16:54:12Z");
    expect_bad("2025-07-08T16:54:12+0000");
    expect_bad("");
    assert_int_equal(sp_time_parse(NULL, 0, NULL), SP_ERR_INVALID_ARGUMENT);
    /* Only len bytes are read: the same text cut short is refused. */
    assert_int_equal(sp_time_parse(SP_TEST_TS, strlen(SP_TEST_TS) - 1,
                                   &(sp_time){0, 0}),
                     SP_ERR_INVALID_ARGUMENT);
}

/* SP-5-c: 1 to 9 fraction digits, read exactly. */
static void fractions(void **state)
{
    (void)state;
    expect_time("1970-01-01T00:00:00.5Z", 0, 500000000);
    expect_time("1970-01-01T00:00:00.000000001Z", 0, 1);
    expect_time("1970-01-01T00:00:00.123456789Z", 0, 123456789);
    expect_time("1970-01-01T00:00:00.0Z", 0, 0);
    expect_bad("1970-01-01T00:00:00.1234567891Z"); /* 10 digits */
    expect_bad("1970-01-01T00:00:00.Z");
    expect_bad("1970-01-01T00:00:00,5Z");
}

/* SP-5-d ranges and February 29. */
static void ranges(void **state)
{
    (void)state;
    expect_time("2000-02-29T00:00:00Z", 951782400, 0);
    expect_time("2024-02-29T12:00:00Z", 1709208000, 0);
    expect_bad("1900-02-29T00:00:00Z");
    expect_bad("2023-02-29T00:00:00Z");
    expect_bad("2024-02-30T00:00:00Z");
    expect_bad("2025-04-31T00:00:00Z");
    expect_time("2025-12-31T23:59:59Z", 1767225599, 0);
    expect_bad("2025-13-01T00:00:00Z");
    expect_bad("2025-00-01T00:00:00Z");
    expect_bad("2025-01-00T00:00:00Z");
    expect_bad("2025-01-32T00:00:00Z");
    expect_bad("2025-01-01T24:00:00Z");
    expect_bad("2025-01-01T23:60:00Z");
    expect_bad("2025-01-01T2a:00:00Z");
    expect_time("0000-01-01T00:00:00Z", -62167219200LL, 0);
    expect_time("9999-12-31T23:59:59.999999999Z", 253402300799LL, 999999999);
    expect_time("1969-12-31T23:59:59.5Z", -1, 500000000);
}

/* SP-5-e: second 60 only at 23:59:60, read as the next second. */
static void leap_second(void **state)
{
    (void)state;
    expect_time("2016-12-31T23:59:60Z", 1483228800, 0);
    expect_time("2016-12-31T23:59:60.25Z", 1483228800, 250000000);
    expect_time("2025-07-08T23:59:60Z", 1752019200, 0); /* any date */
    expect_bad("2016-12-31T23:58:60Z");
    expect_bad("2016-12-31T12:59:60Z");
    expect_bad("2016-12-31T23:59:61Z");
}

/* SP-5-f: the writer's form; digits 0..9, truncated. */
static void format(void **state)
{
    (void)state;
    char buf[40];
    sp_time t = sp_test_time(SP_TEST_SEC, 431999999);
    assert_int_equal(sp_time_format(&t, 3, buf, sizeof buf), 24);
    assert_string_equal(buf, "2025-07-08T16:54:12.431Z");
    assert_int_equal(sp_time_format(&t, 0, buf, sizeof buf), 20);
    assert_string_equal(buf, "2025-07-08T16:54:12Z");
    assert_int_equal(sp_time_format(&t, 9, buf, sizeof buf), 30);
    assert_string_equal(buf, "2025-07-08T16:54:12.431999999Z");
    t = sp_test_time(-1, 0);
    assert_int_equal(sp_time_format(&t, 1, buf, sizeof buf), 22);
    assert_string_equal(buf, "1969-12-31T23:59:59.0Z");
    t = sp_test_time(-62167219200LL, 0);
    assert_int_equal(sp_time_format(&t, 0, buf, sizeof buf), 20);
    assert_string_equal(buf, "0000-01-01T00:00:00Z");
    t = sp_test_time(253402300800LL, 0); /* year 10000 */
    assert_int_equal(sp_time_format(&t, 0, buf, sizeof buf),
                     SP_ERR_INVALID_ARGUMENT);
    t = sp_test_time(0, 1000000000u);
    assert_int_equal(sp_time_format(&t, 0, buf, sizeof buf),
                     SP_ERR_INVALID_ARGUMENT);
    t = sp_test_time(0, 0);
    assert_int_equal(sp_time_format(&t, 10, buf, sizeof buf),
                     SP_ERR_INVALID_ARGUMENT);
    assert_int_equal(sp_time_format(&t, 3, buf, 24), SP_ERR_NO_SPACE);
    assert_int_equal(sp_time_format(&t, 3, buf, 25), 24);
    /* Round trip over a spread of times. */
    for (int64_t s = -62167219200LL; s < 253402300799LL; s += 86400 * 997 + 3) {
        sp_time a = sp_test_time(s, 123456789), b;
        int n = sp_time_format(&a, 9, buf, sizeof buf);
        assert_int_equal(n, 30);
        assert_int_equal(sp_time_parse(buf, (size_t)n, &b), 0);
        assert_int_equal(sp_time_cmp(&a, &b), 0);
    }
}

static void arithmetic(void **state)
{
    (void)state;
    sp_time a = sp_test_time(10, 999999999);
    sp_time b = sp_time_add_ms(&a, 1);
    assert_int_equal(b.sec, 11);
    assert_int_equal(b.nsec, 999999);
    b = sp_time_add_ms(&a, 2500);
    assert_int_equal(b.sec, 13);
    assert_int_equal(b.nsec, 499999999);
    b = sp_time_add_ms(&a, SP_TTL_MAX);
    assert_int_equal(b.sec, 10 + 9007199254740LL + 1);
    assert_int_equal(b.nsec, 990999999);
    sp_time c = sp_test_time(10, 999999998);
    assert_true(sp_time_cmp(&c, &a) < 0);
    assert_true(sp_time_cmp(&a, &c) > 0);
    assert_int_equal(sp_time_cmp(&a, &a), 0);
    sp_time d = sp_test_time(-1, 999999999);
    sp_time e = sp_test_time(0, 0);
    assert_true(sp_time_cmp(&d, &e) < 0);
}

/* SP-3.1-c: UUIDv7 generation (RFC 9562 appendix A.6) and the form check. */
static void uuids(void **state)
{
    (void)state;
    char out[37];
    const uint8_t rnd[10] = {0x0C, 0xC3, 0x18, 0xC4, 0xDC,
                             0x0C, 0x0C, 0x07, 0x39, 0x8F};
    assert_int_equal(sp_uuid7(0x017F22E279B0ull, rnd, out), 36);
    assert_string_equal(out, "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
    const uint8_t ones[10] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                              0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(sp_uuid7(0, ones, out), 36);
    assert_string_equal(out, "00000000-0000-7fff-bfff-ffffffffffff");
    assert_int_equal(sp_uuid_version(out, 36), 7);
    assert_int_equal(sp_uuid7(1ull << 48, rnd, out), SP_ERR_INVALID_ARGUMENT);
    assert_int_equal(sp_uuid7(0, NULL, out), SP_ERR_INVALID_ARGUMENT);

    assert_int_equal(sp_uuid_version(SP_TEST_UUID7, 36), 7);
    assert_int_equal(sp_uuid_version("0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B", 36),
                     7);
    assert_int_equal(sp_uuid_version("2f5b7b20-8e0b-11ee-a1d4-0242ac120002", 36),
                     1);
    assert_int_equal(sp_uuid_version("0190a1b2-c3d4-7e5f-ca6b-7c8d9e0f1a2b", 36),
                     SP_ERR_INVALID_ARGUMENT); /* variant 110 */
    assert_int_equal(sp_uuid_version("0190a1b2c3d47e5f8a6b7c8d9e0f1a2b", 32),
                     SP_ERR_INVALID_ARGUMENT);
    assert_int_equal(sp_uuid_version("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2g", 36),
                     SP_ERR_INVALID_ARGUMENT);
    assert_int_equal(sp_uuid_version("{190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", 36),
                     SP_ERR_INVALID_ARGUMENT);
    assert_int_equal(sp_uuid_version(SP_TEST_UUID7, 35),
                     SP_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grammar_and_offsets), cmocka_unit_test(fractions),
        cmocka_unit_test(ranges),              cmocka_unit_test(leap_second),
        cmocka_unit_test(format),              cmocka_unit_test(arithmetic),
        cmocka_unit_test(uuids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
