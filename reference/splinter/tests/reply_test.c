/* Fault replies (SP-9.2-a to SP-9.2-e, SP-9.1-c) and the version
 * announcement (SP-10-a to SP-10-d). */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#define TRIGGER                                                                \
    "{\"id\":\"q-1\",\"ts\":\"" SP_TEST_TS "\",\"from\":\"chat\","            \
    "\"to\":\"svc\",\"type\":\"query\",\"payload\":1}"

static const sp_time NOW = {SP_TEST_SEC + 1, 999999999};

/* SP-9.2-a: the exact reply, member order included. */
static void reply_shape(void **state)
{
    (void)state;
    char *out = NULL;
    int n = sp_fault_reply(TRIGGER "\n", strlen(TRIGGER) + 1, 4100,
                           "inbox full", "svc", &NOW, &out);
    const char *want =
        "{\"id\":\"q-1\",\"ts\":\"2025-07-08T16:54:13.999Z\",\"from\":\"svc\","
        "\"to\":\"chat\",\"type\":\"error\",\"payload\":{\"code\":4100,"
        "\"symbol\":\"BACKPRESSURE\",\"detail\":\"inbox full\"}}";
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(out, want);
    /* The reply is itself a valid error envelope (SP-4-d, SP-4-e). */
    sp_envelope env;
    sp_check chk;
    assert_int_equal(sp_validate(out, (size_t)n, NULL, &NOW, &env, &chk), 0);
    assert_int_equal(env.type, SP_TYPE_ERROR);
    assert_int_equal(env.error_code, 4100);
    sp_envelope_free(&env);
    free(out);
    /* detail NULL: the table's description (SP-9.1-c: 5000 for the rest). */
    n = sp_error_envelope("q-1", "chat", 5000, NULL, "svc", &NOW, &out);
    assert_true(n > 0);
    assert_non_null(strstr(out, "\"code\":5000,\"symbol\":\"INTERNAL_ERROR\","
                                "\"detail\":\"Any other failure"));
    free(out);
}

/* SP-9.2-b: id and from are read from an otherwise invalid trigger. */
static void reply_to_invalid(void **state)
{
    (void)state;
    char *out = NULL;
    const char *no_ts = "{\"from\":\"chat\",\"id\":\"q-2\",\"type\":\"nope\"}";
    int n = sp_fault_reply(no_ts, strlen(no_ts), 1000, "no ts", "svc", &NOW,
                           &out);
    assert_true(n > 0);
    assert_non_null(strstr(out, "{\"id\":\"q-2\","));
    assert_non_null(strstr(out, "\"to\":\"chat\",\"type\":\"error\""));
    free(out);
    const char *unknown = "{\"id\":\"q-3\",\"ts\":\"" SP_TEST_TS "\","
                          "\"from\":\"chat\",\"type\":\"ping\",\"payload\":1}";
    n = sp_fault_reply(unknown, strlen(unknown), 3000, NULL, "svc", &NOW, &out);
    assert_true(n > 0);
    assert_non_null(strstr(out, "\"code\":3000,\"symbol\":\"UNKNOWN_TYPE\""));
    free(out);
}

/* SP-9.2-c: no reply when id or from cannot be read; SP-9.2-d: never to an
 * error envelope (the library's half of SP-4-f; answering heartbeats is the
 * service's and its tests'). */
static void no_reply(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "",
        "not json",
        "{\"id\":\"q\",\"from\":\"chat\"",               /* bad JSON */
        "{\"id\":\"q\",\"from\":\"chat\"} x",            /* SP-2-a */
        "{\"id\":\"q\",\"from\":\"ch\xC0\xAFt\"}",       /* SP-2-b */
        "{\"id\":\"q\",\"from\":\"chat\",\"id\":\"r\"}", /* SP-2-d */
        "{\"from\":\"chat\"}",
        "{\"id\":\"q\"}",
        "{\"id\":\"\",\"from\":\"chat\"}",
        "{\"id\":\"q\",\"from\":\"\"}",
        "{\"id\":7,\"from\":\"chat\"}",
        "{\"id\":\"q\",\"from\":[]}",
        "[\"id\",\"from\"]",
        "{\"id\":\"q\",\"from\":\"chat\",\"type\":\"error\",\"payload\":5}",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char *out = NULL;
        int n = sp_fault_reply(lines[i], strlen(lines[i]), 1000, NULL, "svc",
                               &NOW, &out);
        if (n != SP_ERR_NO_REPLY)
            fail_msg("line %zu: got %d, want no_reply", i, n);
        assert_null(out);
    }
    /* An id longer than 128 bytes cannot be read either. */
    char line[400];
    char id[140];
    memset(id, 'a', 129);
    id[129] = '\0';
    snprintf(line, sizeof line, "{\"id\":\"%s\",\"from\":\"chat\"}", id);
    char *out = NULL;
    assert_int_equal(
        sp_fault_reply(line, strlen(line), 1000, NULL, "svc", &NOW, &out),
        SP_ERR_NO_REPLY);
}

/* SP-9.2-e is the service's; here: the arguments the builder refuses. */
static void bad_arguments(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(sp_fault_reply(TRIGGER, strlen(TRIGGER), 1234, NULL,
                                    "svc", &NOW, &out),
                     SP_ERR_INVALID_ARGUMENT);
    assert_int_equal(sp_fault_reply(TRIGGER, strlen(TRIGGER), 1000, NULL, "",
                                    &NOW, &out),
                     SP_ERR_INVALID_ARGUMENT);
    assert_int_equal(sp_fault_reply(TRIGGER, strlen(TRIGGER), 1000, NULL,
                                    "svc", NULL, &out),
                     SP_ERR_INVALID_ARGUMENT);
    assert_int_equal(sp_error_envelope("", "chat", 1000, NULL, "svc", &NOW,
                                       &out),
                     SP_ERR_INVALID_ARGUMENT);
    const sp_time far = {253402300800LL, 0};
    assert_int_equal(sp_error_envelope("q", "chat", 1000, NULL, "svc", &far,
                                       &out),
                     SP_ERR_INVALID_ARGUMENT);
    assert_null(out);
}

/* SP-10-a, SP-10-b: the announcement, exactly; SP-10-c it validates as an
 * event whose payload has the "splinter" object; SP-10-d its version. */
static void announcement(void **state)
{
    (void)state;
    char *out = NULL;
    int n = sp_announce(SP_TEST_UUID7, "svc", &NOW, &out);
    const char *want = "{\"id\":\"" SP_TEST_UUID7 "\",\"ts\":"
                       "\"2025-07-08T16:54:13.999Z\",\"from\":\"svc\","
                       "\"to\":\"*\",\"type\":\"event\",\"payload\":"
                       "{\"splinter\":{\"versions\":[\"1.0\"]}}}";
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(out, want);
    assert_string_equal(SP_VERSION, "1.0");
    sp_envelope env;
    sp_check chk;
    assert_int_equal(sp_validate(out, (size_t)n, NULL, &NOW, &env, &chk), 0);
    assert_int_equal(env.type, SP_TYPE_EVENT);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(env.payload, "splinter"), "versions");
    assert_true(cJSON_IsArray(v));
    assert_string_equal(cJSON_GetArrayItem(v, 0)->valuestring, "1.0");
    sp_envelope_free(&env);
    free(out);
    assert_int_equal(sp_announce("", "svc", &NOW, &out),
                     SP_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reply_shape),   cmocka_unit_test(reply_to_invalid),
        cmocka_unit_test(no_reply),      cmocka_unit_test(bad_arguments),
        cmocka_unit_test(announcement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
