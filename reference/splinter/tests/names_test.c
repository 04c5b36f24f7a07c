/* The fault table, the library's error table, notes and type names
 * (spec section 9.1, SP-9.1-a, SP-9.1-b, SP-9.3-a). */
#include "testutil.h"

/* SP-9.1-a: codes and symbols are the pinned ones, both ways. */
static void fault_codes_and_symbols(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *sym;
    } want[] = {{1000, "BAD_SCHEMA"},     {1001, "TTL_EXPIRED"},
                {2000, "NOT_AUTHORIZED"}, {3000, "UNKNOWN_TYPE"},
                {4100, "BACKPRESSURE"},   {4200, "STREAM_TIMEOUT"},
                {5000, "INTERNAL_ERROR"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_string_equal(sp_fault_symbol(want[i].code), want[i].sym);
        assert_int_equal(sp_fault_from_symbol(want[i].sym), want[i].code);
        assert_non_null(sp_fault_desc(want[i].code));
    }
    assert_int_equal(SP_FAULT_BAD_SCHEMA, 1000);
    assert_int_equal(SP_FAULT_STREAM_TIMEOUT, 4200);
    assert_null(sp_fault_symbol(0));
    assert_null(sp_fault_symbol(1002));
    assert_null(sp_fault_desc(4000));
    assert_int_equal(sp_fault_from_symbol("bad_schema"), 0); /* exact case */
    assert_int_equal(sp_fault_from_symbol(NULL), 0);
}

/* SP-9.1-b: recoverability as the table says. */
static void fault_recoverability(void **state)
{
    (void)state;
    assert_int_equal(sp_fault_recover(1000), SP_RECOVER_NO_DROP);
    assert_int_equal(sp_fault_recover(1001), SP_RECOVER_YES);
    assert_int_equal(sp_fault_recover(2000), SP_RECOVER_YES);
    assert_int_equal(sp_fault_recover(3000), SP_RECOVER_NO);
    assert_int_equal(sp_fault_recover(4100), SP_RECOVER_RETRY);
    assert_int_equal(sp_fault_recover(4200), SP_RECOVER_RETRY);
    assert_int_equal(sp_fault_recover(5000), SP_RECOVER_DEPENDS);
    assert_int_equal(sp_fault_recover(42), SP_ERR_INVALID_ARGUMENT);
    assert_string_equal(sp_recover_text(SP_RECOVER_NO_DROP), "no (drop)");
    assert_string_equal(sp_recover_text(SP_RECOVER_RETRY), "yes (retry)");
    assert_null(sp_recover_text(-1));
    assert_null(sp_recover_text(99));
}

static void error_names(void **state)
{
    (void)state;
    assert_string_equal(sp_error_name(SP_ERR_NO_MEMORY), "no_memory");
    assert_string_equal(sp_error_name(SP_ERR_NO_REPLY), "no_reply");
    assert_non_null(sp_error_desc(SP_ERR_INVALID_ARGUMENT));
    assert_null(sp_error_name(0));
    assert_null(sp_error_desc(1000));
    /* Every library error is negative, every fault positive. */
#define NEGATIVE(id, value, name, desc) assert_true((value) < 0);
    SP_ERROR_MAP(NEGATIVE)
#undef NEGATIVE
}

/* SP-9.3-a names of the info notes; type names. */
static void notes_and_types(void **state)
{
    (void)state;
    assert_string_equal(sp_note_name(SP_NOTE_ID_NOT_UUIDV7), "id_not_uuidv7");
    assert_string_equal(sp_note_name(SP_NOTE_DUPLICATE_CHUNK),
                        "duplicate_chunk");
    assert_null(sp_note_name(0));
    assert_null(sp_note_name(SP_NOTE_ID_NOT_UUIDV7 | SP_NOTE_UNKNOWN_MEMBER));
    assert_string_equal(sp_type_name(SP_TYPE_HEARTBEAT), "heartbeat");
    assert_string_equal(sp_type_name(SP_TYPE_QUERY), "query");
    assert_null(sp_type_name(SP_TYPE_UNKNOWN));
    assert_null(sp_type_name((sp_type)99));
}

/* The table's texts fit every generated form: no '|' (a Markdown cell), no
 * newline, and a full stop at the end as the spec's rows have. */
static void table_texts(void **state)
{
    (void)state;
#define TEXT_OK(sym, code, rec, desc)                                          \
    assert_null(strpbrk(desc, "|\n"));                                        \
    assert_int_equal((desc)[strlen(desc) - 1], '.');
    SP_FAULT_MAP(TEXT_OK)
#undef TEXT_OK
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fault_codes_and_symbols),
        cmocka_unit_test(fault_recoverability),
        cmocka_unit_test(error_names),
        cmocka_unit_test(notes_and_types),
        cmocka_unit_test(table_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
