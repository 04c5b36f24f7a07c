/* Unit tests of tamtam-vectors' own parts: the JSON Schema subset validator
 * (each keyword accepting and rejecting), the spec ID reader, and the
 * deterministic generators the vector bytes depend on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "jschema.h"
#include "vectors.h"

/* Problems found when validating `doc` against `schema` (both JSON text). */
static size_t problems(const char *schema, const char *doc)
{
    cJSON *s = cJSON_Parse(schema), *d = cJSON_Parse(doc);
    assert_non_null(s);
    assert_non_null(d);
    size_t n = jschema_validate(s, d, NULL, 0);
    cJSON_Delete(s);
    cJSON_Delete(d);
    return n;
}

#define ACCEPTS(schema, doc) assert_int_equal(problems(schema, doc), 0)
#define REJECTS(schema, doc) assert_true(problems(schema, doc) > 0)

static void test_type(void **state)
{
    (void)state;
    ACCEPTS("{\"type\":\"integer\"}", "3");
    ACCEPTS("{\"type\":\"integer\"}", "3.0"); /* 2020-12: an integer */
    REJECTS("{\"type\":\"integer\"}", "3.5");
    REJECTS("{\"type\":\"integer\"}", "\"3\"");
    ACCEPTS("{\"type\":\"number\"}", "3.5");
    ACCEPTS("{\"type\":\"null\"}", "null");
    REJECTS("{\"type\":\"boolean\"}", "0");
    ACCEPTS("{\"type\":[\"integer\",\"null\"]}", "null");
    ACCEPTS("{\"type\":[\"integer\",\"null\"]}", "7");
    REJECTS("{\"type\":[\"integer\",\"null\"]}", "false");
    REJECTS("{\"type\":\"object\"}", "[]");
    REJECTS("{\"type\":\"array\"}", "{}");
}

static void test_const_enum(void **state)
{
    (void)state;
    ACCEPTS("{\"const\":\"1.0\"}", "\"1.0\"");
    REJECTS("{\"const\":\"1.0\"}", "1.0");
    ACCEPTS("{\"const\":true}", "true");
    REJECTS("{\"const\":true}", "false");
    ACCEPTS("{\"enum\":[\"must\",\"info\"]}", "\"info\"");
    REJECTS("{\"enum\":[\"must\",\"info\"]}", "\"Info\"");
}

static void test_objects(void **state)
{
    (void)state;
    const char *s = "{\"type\":\"object\",\"required\":[\"a\"],"
                    "\"properties\":{\"a\":{\"type\":\"integer\"},"
                    "\"b\":false},\"additionalProperties\":false}";
    ACCEPTS(s, "{\"a\":1}");
    REJECTS(s, "{}");                  /* required */
    REJECTS(s, "{\"a\":\"x\"}");       /* property schema */
    REJECTS(s, "{\"a\":1,\"b\":2}");   /* false property schema */
    REJECTS(s, "{\"a\":1,\"c\":2}");   /* additionalProperties false */
    ACCEPTS("{\"additionalProperties\":{\"type\":\"string\"}}",
            "{\"x\":\"y\"}");
    REJECTS("{\"additionalProperties\":{\"type\":\"string\"}}", "{\"x\":1}");
    /* Object keywords ignore other types. */
    ACCEPTS("{\"required\":[\"a\"],\"additionalProperties\":false}", "5");
}

static void test_arrays(void **state)
{
    (void)state;
    const char *s = "{\"type\":\"array\",\"minItems\":1,\"uniqueItems\":true,"
                    "\"items\":{\"type\":\"integer\",\"minimum\":1}}";
    ACCEPTS(s, "[1,2]");
    REJECTS(s, "[]");
    REJECTS(s, "[1,1]");
    REJECTS(s, "[1,0]");
    REJECTS(s, "[1,\"2\"]");
}

static void test_numbers_strings(void **state)
{
    (void)state;
    ACCEPTS("{\"minimum\":0,\"maximum\":15}", "15");
    REJECTS("{\"minimum\":0,\"maximum\":15}", "16");
    REJECTS("{\"minimum\":0,\"maximum\":15}", "-1");
    ACCEPTS("{\"minLength\":1}", "\"\\u00e9\""); /* one character */
    REJECTS("{\"minLength\":2}", "\"\\u00e9\""); /* two bytes, one char */
    /* Patterns search (unanchored), as in JSON Schema. */
    ACCEPTS("{\"pattern\":\"b\"}", "\"abc\"");
    ACCEPTS("{\"pattern\":\"^([0-9a-f][0-9a-f])*$\"}", "\"00ff\"");
    REJECTS("{\"pattern\":\"^([0-9a-f][0-9a-f])*$\"}", "\"00f\"");
    REJECTS("{\"pattern\":\"^([0-9a-f][0-9a-f])*$\"}", "\"00FF\"");
    ACCEPTS("{\"pattern\":\"^CF-[0-9]+(\\\\.[0-9]+)?-[a-z]$\"}",
            "\"CF-12.3-b\"");
    REJECTS("{\"pattern\":\"^CF-[0-9]+(\\\\.[0-9]+)?-[a-z]$\"}",
            "\"CF-12x3-b\"");
    REJECTS("{\"pattern\":\"(\"}", "\"x\""); /* does not compile */
}

static void test_one_of_ref(void **state)
{
    (void)state;
    const char *s = "{\"$defs\":{\"a/b\":{\"type\":\"integer\"}},"
                    "\"oneOf\":[{\"$ref\":\"#/$defs/a~1b\"},"
                    "{\"minimum\":10}]}";
    ACCEPTS(s, "5");      /* first only */
    ACCEPTS(s, "10.5");   /* second only */
    REJECTS(s, "12");     /* both */
    REJECTS(s, "5.5");    /* neither */
    ACCEPTS(s, "\"x\"");  /* second only: minimum ignores strings */
    REJECTS("{\"$ref\":\"#/$defs/missing\"}", "1");
    /* A $ref cycle ends with a problem instead of recursing forever. */
    REJECTS("{\"$defs\":{\"x\":{\"$ref\":\"#/$defs/x\"}},"
            "\"$ref\":\"#/$defs/x\"}",
            "1");
}

static void test_booleans_and_unknown(void **state)
{
    (void)state;
    ACCEPTS("true", "{}");
    REJECTS("false", "{}");
    ACCEPTS("{\"title\":\"t\",\"description\":\"d\",\"$comment\":\"c\","
            "\"$id\":\"urn:x\",\"$schema\":\"https://json-schema.org/"
            "draft/2020-12/schema\"}",
            "1");
    /* An unsupported keyword is a problem, never ignored. */
    REJECTS("{\"maxLength\":3}", "\"ab\"");
    REJECTS("{\"anyOf\":[true]}", "1");
}

/* The generated schemas hold only keywords the validator knows: validating
 * a small document against them reports no "unsupported keyword". */
static void test_generated_schemas(void **state)
{
    (void)state;
    cJSON *schemas[2] = {schema_core_frame(), schema_core_stream()};
    const char *docs[2] = {
        "{\"suite\":\"tamtam-core-frame\",\"spec_version\":\"1.0\","
        "\"crc\":\"CRC-8/SMBUS\",\"count\":1,\"vectors\":[{\"id\":\"cf-x\","
        "\"requirements\":[\"CF-12.1-c\"],\"description\":\"d\","
        "\"hex\":\"000000000000\",\"expect\":\"valid\",\"verdict\":\"must\","
        "\"frame\":{\"class\":0,\"direction\":0,\"size_id\":0,\"big\":false,"
        "\"ack\":false,\"priority\":false,\"ext\":false,\"channel\":0,"
        "\"dest\":null,\"crc\":0,\"used_len\":0,\"payload\":\"\"}}]}",
        "{\"suite\":\"tamtam-core-stream\",\"spec_version\":\"1.0\","
        "\"crc\":\"CRC-8/SMBUS\",\"count\":1,\"vectors\":[{\"id\":\"cs-x\","
        "\"requirements\":[\"CF-12.3-b\"],\"description\":\"d\","
        "\"hex\":\"20\",\"chunks\":[1],\"events\":[{\"error\":"
        "\"crc_mismatch\",\"offset\":0}],\"pending\":1,"
        "\"verdict\":\"must\"}]}"};
    for (int i = 0; i < 2; i++) {
        assert_non_null(schemas[i]);
        cJSON *d = cJSON_Parse(docs[i]);
        assert_non_null(d);
        assert_int_equal(jschema_validate(schemas[i], d, stderr, 10), 0);
        /* And a broken one is caught: dest given on a local frame, or a
         * truncated event (never a stream event, CF-12.3-b). */
        cJSON *v = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(d, "vectors"), 0);
        if (i == 0)
            cJSON_ReplaceItemInObject(
                cJSON_GetObjectItemCaseSensitive(v, "frame"), "dest",
                cJSON_CreateNumber(4));
        else
            cJSON_ReplaceItemInObject(
                cJSON_GetArrayItem(
                    cJSON_GetObjectItemCaseSensitive(v, "events"), 0),
                "error", cJSON_CreateString("truncated"));
        assert_true(jschema_validate(schemas[i], d, NULL, 0) > 0);
        cJSON_Delete(d);
        cJSON_Delete(schemas[i]);
    }
}

static void test_spec_ids(void **state)
{
    (void)state;
    char path[] = "/tmp/tt-vectors-spec-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("# spec\n"
          "- **CF-2-a** defined\n"
          "- **CF-12.3-b** defined, with a subsection\n"
          "  - **CF-4-a** indented: not a definition\n"
          "- CF-5-a not bold\n"
          "See **CF-2-a** again: a reference, not a definition\n"
          "- **CF-7.1-b** last\n"
          "- **TOY-1-a** another document's prefix\n"
          "- **TOY-2.1-b** and its subsection\n",
          fp);
    fclose(fp);
    spec_ids s;
    assert_int_equal(spec_ids_load(path, "CF-", &s), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(spec_ids_find(&s, "CF-2-a"), 0);
    assert_int_equal(spec_ids_find(&s, "CF-12.3-b"), 1);
    assert_int_equal(spec_ids_find(&s, "CF-7.1-b"), 2);
    assert_int_equal(spec_ids_find(&s, "CF-4-a"), -1);
    assert_int_equal(spec_ids_find(&s, "CF-5-a"), -1);
    assert_int_equal(spec_ids_find(&s, "TOY-1-a"), -1);
    spec_ids_free(&s);
    /* The prefix of another set picks its IDs only. */
    assert_int_equal(spec_ids_load(path, "TOY-", &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(spec_ids_find(&s, "TOY-1-a"), 0);
    assert_int_equal(spec_ids_find(&s, "TOY-2.1-b"), 1);
    assert_int_equal(spec_ids_find(&s, "CF-2-a"), -1);
    spec_ids_free(&s);
    /* A prefix is letters, digits and '-' (it goes into a regex). */
    assert_int_equal(spec_ids_load(path, "C.-", &s), -1);
    assert_int_equal(spec_ids_load(path, "", &s), -1);

    fp = fopen(path, "a");
    fputs("- **CF-2-a** defined twice\n", fp);
    fclose(fp);
    assert_int_equal(spec_ids_load(path, "CF-", &s), -1);
    fp = fopen(path, "w");
    fputs("no IDs here\n", fp);
    fclose(fp);
    assert_int_equal(spec_ids_load(path, "CF-", &s), -1);
    unlink(path);
    assert_int_equal(spec_ids_load(path, "CF-", &s), -1);
}

/* The published constants of splitmix64 and FNV-1a: the vector bytes depend
 * on them, so they must never change. */
static void test_prng(void **state)
{
    (void)state;
    prng r = {0};
    assert_true(prng_next(&r) == 0xE220A8397B1DCDAFull);
    assert_true(prng_next(&r) == 0x6E789E6AA1B965F4ull);
    assert_true(prng_from_string("").state == 0xCBF29CE484222325ull);
    assert_true(prng_from_string("a").state == 0xAF63DC4C8601EC8Cull);
    r = (prng){7};
    for (int i = 0; i < 1000; i++)
        assert_true(prng_below(&r, 10) < 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_const_enum),
        cmocka_unit_test(test_objects),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_numbers_strings),
        cmocka_unit_test(test_one_of_ref),
        cmocka_unit_test(test_booleans_and_unknown),
        cmocka_unit_test(test_generated_schemas),
        cmocka_unit_test(test_spec_ids),
        cmocka_unit_test(test_prng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
