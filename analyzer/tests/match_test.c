/* Unit tests of the --match grammar (src/match.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "match.h"

static bool eval(const char *expr, const an_match_frame *x)
{
    char err[256];
    an_match *m = an_match_parse(expr, err, sizeof err);
    if (!m)
        fail_msg("'%s' did not parse: %s", expr, err);
    bool r = an_match_eval(m, x);
    an_match_free(m);
    return r;
}

static void fields(void **state)
{
    (void)state;
    tt_frame f = {.cls = 2, .direction = 1, .size_id = 3, .channel = 7,
                  .ack = true, .has_ext = true, .dest = 0x1234, .crc = 0x5A,
                  .used_len = 10};
    an_match_frame x = {TT_ERR_CRC_MISMATCH, &f, 72, 1000, false, 50000,
                        4774, "tamtam", NULL};
    assert_true(eval("status!=ok", &x));
    assert_true(eval("status=invalid", &x));
    assert_true(eval("status=crc_mismatch", &x));
    assert_false(eval("status=ok", &x));
    assert_false(eval("status=truncated", &x));
    assert_true(eval("channel=7", &x));
    assert_false(eval("channel=8", &x));
    assert_true(eval("class=2", &x));
    assert_true(eval("class=data", &x));
    assert_true(eval("CLASS = Data", &x));
    assert_true(eval("direction=Reply", &x));
    assert_true(eval("size_id>=3 && size_id<4", &x));
    assert_true(eval("ack=true && priority=false && big=0 && ext=1", &x));
    assert_true(eval("dest=0x1234", &x));
    assert_true(eval("dest!=null", &x));
    assert_true(eval("crc=90 and used_len>9 and len==72 and offset<=1000",
                     &x));
    assert_true(eval("proto=tcp", &x));
    assert_true(eval("port=4774", &x));
    assert_true(eval("port=50000", &x));
    assert_false(eval("port!=4774", &x));
    assert_true(eval("sport=50000 && dport=4774", &x));
    assert_true(eval("channel=8 || channel=7", &x));
    assert_true(eval("!(channel=8) && not channel=9", &x));
    assert_false(eval("(channel=7 || channel=8) && status=ok", &x));
    f.has_ext = false;
    x.status = 0;
    assert_true(eval("dest=null", &x));
    assert_false(eval("dest=4660", &x));
    assert_true(eval("dest!=4660", &x));
    assert_true(eval("status=ok", &x));
    assert_false(eval("status=invalid", &x));
}

static void errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "channel", "channel=", "channel=x", "nosuch=1", "status<ok",
        "status=fine", "big=2", "(channel=1", "channel=1)", "channel=1 &&",
        "proto=sctp", "dest>null", "class=Unassigned", "channel=-1",
        "channel=1 channel=2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char err[256] = "";
        an_match *m = an_match_parse(bad[i], err, sizeof err);
        if (m)
            fail_msg("'%s' should not parse", bad[i]);
        assert_non_null(strstr(err, "--match"));
    }
}

/* Fields of other decoders (decoder.h), by name, through a table. */
static const char *const rec_fields[] = {"type_name", "seq", "eof", "to",
                                         "channel", NULL};
static const an_decoder rec_decoder = {.name = "rec", .fields = rec_fields};
static const an_decoder *const rec_table[] = {&rec_decoder, NULL};

static bool eval_rec(const char *expr, const an_match_frame *x)
{
    char err[256] = "";
    an_match *m = an_match_parse_for(expr, rec_table, err, sizeof err);
    if (!m)
        fail_msg("'%s' did not parse: %s", expr, err);
    bool r = an_match_eval(m, x);
    an_match_free(m);
    return r;
}

static void records(void **state)
{
    (void)state;
    an_rfield f[4] = {{"type_name", {AN_V_STR, 0, "query"}},
                      {"seq", {AN_V_INT, 3, NULL}},
                      {"eof", {AN_V_BOOL, 1, NULL}},
                      {"to", {AN_V_NULL, 0, NULL}}};
    an_record rec = {.type = "envelope", .ok = false, .status = "bad",
                     .fields = f, .nfields = 4, .protocol = "rec"};
    an_match_frame x = {-1, NULL, 10, 0, false, 1, 2, "rec", &rec};
    assert_true(eval_rec("type_name=query", &x));
    assert_false(eval_rec("type_name=event", &x));
    assert_true(eval_rec("type_name!=event", &x));
    assert_true(eval_rec("seq=3 && seq>2 && seq<=3", &x));
    assert_false(eval_rec("seq>3", &x));
    assert_true(eval_rec("eof=true", &x));
    assert_false(eval_rec("eof=false", &x));
    assert_true(eval_rec("to=null", &x));
    assert_false(eval_rec("to!=null", &x));
    assert_false(eval_rec("seq=null", &x)); /* a value is not null */
    assert_true(eval_rec("seq!=query", &x)); /* an int is not a word */
    /* Absent fields: only != holds, Core Frame ones included. */
    assert_false(eval_rec("channel=1", &x));
    assert_true(eval_rec("channel!=1", &x));
    assert_false(eval_rec("class=Data", &x));
    assert_true(eval_rec("class!=Data", &x));
    /* Common fields. */
    assert_true(eval_rec("protocol=rec && status=invalid && len=10", &x));
    assert_false(eval_rec("status=ok", &x));
    assert_false(eval_rec("protocol=tamtam", &x));
    /* A TamTam frame has none of the record fields. */
    tt_frame fr = {.channel = 1};
    an_match_frame y = {0, &fr, 22, 0, false, 1, 2, "tamtam", NULL};
    assert_false(eval_rec("seq=3", &y));
    assert_true(eval_rec("type_name!=query", &y));
    assert_true(eval_rec("channel=1 && protocol=tamtam", &y));
    /* Without the table the names are unknown; words take = and != only. */
    char err[256] = "";
    assert_null(an_match_parse("seq=3", err, sizeof err));
    assert_non_null(strstr(err, "unknown field"));
    assert_null(an_match_parse_for("type_name<query", rec_table, err,
                                   sizeof err));
    assert_null(an_match_parse_for("eof>true", rec_table, err, sizeof err));
    assert_null(an_match_parse_for("protocol<rec", rec_table, err,
                                   sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields),
        cmocka_unit_test(errors),
        cmocka_unit_test(records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
