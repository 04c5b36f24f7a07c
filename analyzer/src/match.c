/* --match expressions: a recursive-descent parser into a node array, and
 * its evaluator. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match.h"

#define MAX_NODES 256

/* X(ID, name, kind): kind n = integer, b = boolean, s = status, x = other */
#define FIELD_MAP(X)                                                           \
    X(STATUS, "status", 's')                                                   \
    X(CLASS, "class", 'n')                                                     \
    X(DIRECTION, "direction", 'n')                                             \
    X(SIZE_ID, "size_id", 'n')                                                 \
    X(BIG, "big", 'b')                                                         \
    X(ACK, "ack", 'b')                                                         \
    X(PRIORITY, "priority", 'b')                                               \
    X(EXT, "ext", 'b')                                                         \
    X(CHANNEL, "channel", 'n')                                                 \
    X(DEST, "dest", 'x')                                                       \
    X(CRC, "crc", 'n')                                                         \
    X(USED_LEN, "used_len", 'n')                                               \
    X(LEN, "len", 'n')                                                         \
    X(OFFSET, "offset", 'n')                                                   \
    X(PROTO, "proto", 'x')                                                     \
    X(SPORT, "sport", 'n')                                                     \
    X(DPORT, "dport", 'n')                                                     \
    X(PORT, "port", 'n')                                                     \
    X(PROTOCOL, "protocol", 'w')

enum field {
#define F_ENUM(id, name, kind) F_##id,
    FIELD_MAP(F_ENUM)
#undef F_ENUM
    F_COUNT
};

static const struct {
    const char *name;
    char kind;
} fields[] = {
#define F_ROW(id, name, kind) {name, kind},
    FIELD_MAP(F_ROW)
#undef F_ROW
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum node_type { N_CMP, N_AND, N_OR, N_NOT };

/* Special values: "invalid" for status (statuses are 0 or negative), null
 * for dest (values are 0..65535). */
#define V_INVALID 1
#define V_NULL (-1)

/* A field of another decoder's records, by name (F_COUNT). */
#define F_NAMED F_COUNT
#define WORD_MAX 64

typedef struct node {
    enum node_type type;
    int a, b;          /* children */
    enum field field;  /* or F_NAMED */
    enum op op;
    int64_t value;
    an_vkind kind;     /* F_NAMED: what the value is */
    char name[WORD_MAX], word[WORD_MAX]; /* F_NAMED, F_PROTOCOL */
} node;

struct an_match {
    int root;
    node n[MAX_NODES];
    int count;
};

typedef struct parser {
    const char *s, *start;
    const an_decoder *const *table;
    an_match *m;
    char *err;
    size_t errlen;
    bool failed;
} parser;

static int fail(parser *p, const char *what)
{
    if (!p->failed)
        snprintf(p->err, p->errlen, "--match: %s at column %d", what,
                 (int)(p->s - p->start) + 1);
    p->failed = true;
    return -1;
}

static void skip_space(parser *p)
{
    while (isspace((unsigned char)*p->s))
        p->s++;
}

/* Reads a word (identifier or number; a value may also hold . - :) into
 * buf; returns its length. */
static size_t word_of(parser *p, char *buf, size_t cap, bool value)
{
    skip_space(p);
    size_t n = 0;
    while ((isalnum((unsigned char)*p->s) || *p->s == '_' ||
            (value && strchr(".-:", *p->s) && *p->s)) &&
           n + 1 < cap)
        buf[n++] = *p->s++;
    buf[n] = '\0';
    return n;
}

static size_t word(parser *p, char *buf, size_t cap)
{
    return word_of(p, buf, cap, false);
}

static bool parse_int(const char *w, int64_t *out)
{
    char *end;
    if (!*w || !isdigit((unsigned char)w[0]))
        return false;
    long long v = strtoll(w, &end, 0);
    if (*end || v < 0)
        return false;
    *out = v;
    return true;
}

/* Whether a decoder of the parser's table has a field `name`. */
static bool named_field(const parser *p, const char *name)
{
    for (size_t d = 0; p->table && p->table[d]; d++)
        for (const char *const *f = p->table[d]->fields; f && *f; f++)
            if (!strcasecmp(*f, name))
                return true;
    return false;
}

/* The value of a comparison on another decoder's field. */
static int named_value(parser *p, node *nd, const char *w, bool ordered)
{
    if (!strcasecmp(w, "null") || !strcasecmp(w, "true") ||
        !strcasecmp(w, "false")) {
        if (ordered)
            return fail(p, "null, true and false take = or != only");
        nd->kind = w[0] == 'n' || w[0] == 'N' ? AN_V_NULL : AN_V_BOOL;
        nd->value = w[0] == 't' || w[0] == 'T';
    } else if (parse_int(w, &nd->value)) {
        nd->kind = AN_V_INT;
    } else {
        if (ordered)
            return fail(p, "a word takes = or != only");
        nd->kind = AN_V_STR;
        snprintf(nd->word, sizeof nd->word, "%s", w);
    }
    return 0;
}

/* Consumes keyword or symbol `tok` when it comes next. */
static bool accept(parser *p, const char *tok)
{
    skip_space(p);
    size_t n = strlen(tok);
    if (strncasecmp(p->s, tok, n) != 0)
        return false;
    if (isalpha((unsigned char)tok[0]) &&
        (isalnum((unsigned char)p->s[n]) || p->s[n] == '_'))
        return false;
    p->s += n;
    return true;
}

static int add(parser *p, node nd)
{
    if (p->m->count == MAX_NODES)
        return fail(p, "expression too long");
    p->m->n[p->m->count] = nd;
    return p->m->count++;
}


static bool name_value(const char *w, const char *(*name_of)(unsigned),
                       int64_t *out)
{
    for (unsigned v = 0; v < 16; v++) {
        if (!strcasecmp(w, name_of(v)) && strcasecmp(w, "Unassigned")) {
            *out = v;
            return true;
        }
    }
    return false;
}

static int parse_cmp(parser *p)
{
    char w[64];
    if (!word(p, w, sizeof w))
        return fail(p, "expected a field name");
    node nd = {.type = N_CMP};
    int f = 0;
    while (f < F_COUNT && strcasecmp(w, fields[f].name))
        f++;
    if (f == F_COUNT) {
        if (!named_field(p, w))
            return fail(p, "unknown field");
        snprintf(nd.name, sizeof nd.name, "%s", w);
    }
    nd.field = (enum field)f;
    if (accept(p, "==") || accept(p, "="))
        nd.op = OP_EQ;
    else if (accept(p, "!="))
        nd.op = OP_NE;
    else if (accept(p, "<="))
        nd.op = OP_LE;
    else if (accept(p, ">="))
        nd.op = OP_GE;
    else if (accept(p, "<"))
        nd.op = OP_LT;
    else if (accept(p, ">"))
        nd.op = OP_GT;
    else
        return fail(p, "expected = != < <= > or >=");
    if (!word_of(p, w, sizeof w, true))
        return fail(p, "expected a value");
    bool ordered = nd.op != OP_EQ && nd.op != OP_NE;
    if (f == F_NAMED) {
        if (named_value(p, &nd, w, ordered) < 0)
            return -1;
        return add(p, nd);
    }
    switch (fields[f].kind) {
    case 'w':
        if (ordered)
            return fail(p, "protocol takes = or != only");
        snprintf(nd.word, sizeof nd.word, "%s", w);
        break;
    case 's':
        if (ordered)
            return fail(p, "status takes = or != only");
        if (!strcasecmp(w, "ok"))
            nd.value = 0;
        else if (!strcasecmp(w, "invalid"))
            nd.value = V_INVALID;
        else if (tt_error_from_name(w) >= TT_ERR_CRC_MISMATCH &&
                 tt_error_from_name(w) <= TT_ERR_TRUNCATED)
            nd.value = tt_error_from_name(w);
        else
            return fail(p, "unknown status");
        break;
    case 'b':
        if (ordered)
            return fail(p, "a flag takes = or != only");
        if (!strcasecmp(w, "true") || !strcmp(w, "1"))
            nd.value = 1;
        else if (!strcasecmp(w, "false") || !strcmp(w, "0"))
            nd.value = 0;
        else
            return fail(p, "expected true or false");
        break;
    case 'x':
        if (nd.field == F_PROTO) {
            if (ordered)
                return fail(p, "proto takes = or != only");
            if (!strcasecmp(w, "tcp"))
                nd.value = 0;
            else if (!strcasecmp(w, "udp"))
                nd.value = 1;
            else
                return fail(p, "expected tcp or udp");
        } else if (!strcasecmp(w, "null")) {
            if (ordered)
                return fail(p, "null takes = or != only");
            nd.value = V_NULL;
        } else if (!parse_int(w, &nd.value)) {
            return fail(p, "expected an integer or null");
        }
        break;
    default:
        if (parse_int(w, &nd.value))
            break;
        if (nd.field == F_CLASS && name_value(w, tt_class_name, &nd.value))
            break;
        if (nd.field == F_DIRECTION &&
            name_value(w, tt_direction_name, &nd.value))
            break;
        return fail(p, "expected an integer");
    }
    return add(p, nd);
}

static int parse_or(parser *p);

static int parse_unary(parser *p)
{
    if (accept(p, "!=")) /* "!=" never opens a term */
        return fail(p, "unexpected !=");
    if (accept(p, "!") || accept(p, "not")) {
        int a = parse_unary(p);
        if (a < 0)
            return a;
        return add(p, (node){.type = N_NOT, .a = a});
    }
    if (accept(p, "(")) {
        int a = parse_or(p);
        if (a < 0)
            return a;
        if (!accept(p, ")"))
            return fail(p, "expected )");
        return a;
    }
    return parse_cmp(p);
}

static int parse_and(parser *p)
{
    int a = parse_unary(p);
    while (a >= 0 && (accept(p, "&&") || accept(p, "and"))) {
        int b = parse_unary(p);
        if (b < 0)
            return b;
        a = add(p, (node){.type = N_AND, .a = a, .b = b});
    }
    return a;
}

static int parse_or(parser *p)
{
    int a = parse_and(p);
    while (a >= 0 && (accept(p, "||") || accept(p, "or"))) {
        int b = parse_and(p);
        if (b < 0)
            return b;
        a = add(p, (node){.type = N_OR, .a = a, .b = b});
    }
    return a;
}

an_match *an_match_parse(const char *expr, char *err, size_t errlen)
{
    return an_match_parse_for(expr, NULL, err, errlen);
}

an_match *an_match_parse_for(const char *expr,
                             const an_decoder *const *table, char *err,
                             size_t errlen)
{
    an_match *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "--match: out of memory");
        return NULL;
    }
    parser p = {expr, expr, table, m, err, errlen, false};
    m->root = parse_or(&p);
    skip_space(&p);
    if (m->root >= 0 && *p.s)
        fail(&p, "unexpected text");
    if (p.failed) {
        free(m);
        return NULL;
    }
    return m;
}

static bool compare(int64_t a, enum op op, int64_t b)
{
    switch (op) {
    case OP_EQ:
        return a == b;
    case OP_NE:
        return a != b;
    case OP_LT:
        return a < b;
    case OP_LE:
        return a <= b;
    case OP_GT:
        return a > b;
    default:
        return a >= b;
    }
}

/* A TamTam frame's integer and flag fields. */
static int64_t frame_field(enum field fd, const tt_frame *f)
{
    switch (fd) {
    case F_CLASS: return f->cls;
    case F_DIRECTION: return f->direction;
    case F_SIZE_ID: return f->size_id;
    case F_BIG: return f->big;
    case F_ACK: return f->ack;
    case F_PRIORITY: return f->priority;
    case F_EXT: return f->has_ext;
    case F_CHANNEL: return f->channel;
    case F_CRC: return f->crc;
    case F_USED_LEN: return f->used_len;
    default: return 0;
    }
}

/* A comparison on a field the record does not have: only != holds. */
static bool absent(const node *nd)
{
    return nd->op == OP_NE;
}

static bool eval_named(const node *nd, const an_record *rec)
{
    const an_value *v = NULL;
    for (unsigned i = 0; rec && i < rec->nfields && !v; i++)
        if (!strcasecmp(rec->fields[i].name, nd->name))
            v = &rec->fields[i].v;
    if (!v)
        return absent(nd);
    if (v->kind != nd->kind) {
        /* null against a value, or a value of another type: differ */
        return nd->op == OP_NE;
    }
    switch (v->kind) {
    case AN_V_NULL:
        return nd->op == OP_EQ;
    case AN_V_STR:
        return (strcmp(v->s, nd->word) == 0) == (nd->op == OP_EQ);
    case AN_V_INT:
    case AN_V_BOOL:
        return compare(v->i, nd->op, nd->value);
    }
    return false;
}

/* A Core Frame field on another decoder's record: the record's field of
 * that name, if it has one. */
static bool eval_frame_field_on_record(const node *nd, const an_record *rec)
{
    node tmp = *nd;
    snprintf(tmp.name, sizeof tmp.name, "%s", fields[nd->field].name);
    tmp.kind = fields[nd->field].kind == 'b' ? AN_V_BOOL
               : nd->value == V_NULL && nd->field == F_DEST ? AN_V_NULL
                                                          : AN_V_INT;
    return eval_named(&tmp, rec);
}

static bool eval_cmp(const node *nd, const an_match_frame *x)
{
    const tt_frame *f = x->f;
    int64_t v = 0;
    if (nd->field == F_NAMED)
        return eval_named(nd, x->rec);
    switch (nd->field) {
    case F_STATUS:
        if (!f) /* another decoder's record: ok or invalid */
            return nd->value == 0 || nd->value == V_INVALID
                       ? compare(!x->rec->ok, nd->op, nd->value != 0)
                       : absent(nd);
        if (nd->value == V_INVALID)
            return compare(x->status != 0, nd->op, 1);
        return compare(x->status, nd->op, nd->value);
    case F_PROTOCOL:
        return (strcasecmp(x->protocol ? x->protocol : "tamtam", nd->word) ==
                0) == (nd->op == OP_EQ);
    case F_PORT:
        if (nd->op == OP_NE)
            return x->sport != nd->value && x->dport != nd->value;
        return compare(x->sport, nd->op, nd->value) ||
               compare(x->dport, nd->op, nd->value);
    case F_LEN: v = (int64_t)x->len; break;
    case F_OFFSET: v = (int64_t)x->offset; break;
    case F_PROTO: v = x->udp; break;
    case F_SPORT: v = x->sport; break;
    case F_DPORT: v = x->dport; break;
    case F_DEST:
        if (!f)
            return eval_frame_field_on_record(nd, x->rec);
        if (nd->value == V_NULL)
            return compare(f->has_ext, nd->op, 0);
        if (!f->has_ext)
            return nd->op == OP_NE;
        v = f->dest;
        break;
    case F_CLASS:
    case F_DIRECTION:
    case F_SIZE_ID:
    case F_BIG:
    case F_ACK:
    case F_PRIORITY:
    case F_EXT:
    case F_CHANNEL:
    case F_CRC:
    case F_USED_LEN:
        if (!f)
            return eval_frame_field_on_record(nd, x->rec);
        v = frame_field(nd->field, f);
        break;
    case F_COUNT:
        return false;
    }
    return compare(v, nd->op, nd->value);
}

static bool eval(const an_match *m, int i, const an_match_frame *x)
{
    const node *nd = &m->n[i];
    switch (nd->type) {
    case N_AND:
        return eval(m, nd->a, x) && eval(m, nd->b, x);
    case N_OR:
        return eval(m, nd->a, x) || eval(m, nd->b, x);
    case N_NOT:
        return !eval(m, nd->a, x);
    default:
        return eval_cmp(nd, x);
    }
}

bool an_match_eval(const an_match *m, const an_match_frame *x)
{
    return eval(m, m->root, x);
}

void an_match_free(an_match *m)
{
    free(m);
}
