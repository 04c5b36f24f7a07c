/* Names of library errors, faults, recoverability, notes and types, all
 * generated from the X-macro tables in splinter.h. */
#include <string.h>

#include "splinter/splinter.h"

static const struct {
    int code;
    const char *name, *desc;
} errors[] = {
#define ERROR_ROW(id, value, name, desc) {value, name, desc},
    SP_ERROR_MAP(ERROR_ROW)
#undef ERROR_ROW
};

#define N_ERRORS (sizeof errors / sizeof errors[0])

const char *sp_error_name(int err)
{
    for (size_t i = 0; i < N_ERRORS; i++)
        if (errors[i].code == err)
            return errors[i].name;
    return NULL;
}

const char *sp_error_desc(int err)
{
    for (size_t i = 0; i < N_ERRORS; i++)
        if (errors[i].code == err)
            return errors[i].desc;
    return NULL;
}

static const struct {
    int code;
    const char *symbol;
    int recover;
    const char *desc;
} faults[] = {
#define FAULT_ROW(sym, code, rec, desc) {code, #sym, SP_RECOVER_##rec, desc},
    SP_FAULT_MAP(FAULT_ROW)
#undef FAULT_ROW
};

#define N_FAULTS (sizeof faults / sizeof faults[0])

static int fault_index(int code)
{
    for (size_t i = 0; i < N_FAULTS; i++)
        if (faults[i].code == code)
            return (int)i;
    return -1;
}

const char *sp_fault_symbol(int code)
{
    int i = fault_index(code);
    return i < 0 ? NULL : faults[i].symbol;
}

const char *sp_fault_desc(int code)
{
    int i = fault_index(code);
    return i < 0 ? NULL : faults[i].desc;
}

int sp_fault_recover(int code)
{
    int i = fault_index(code);
    return i < 0 ? SP_ERR_INVALID_ARGUMENT : faults[i].recover;
}

static const char *const recover_texts[] = {
#define RECOVER_ROW(id, text) [SP_RECOVER_##id] = (text),
    SP_RECOVER_MAP(RECOVER_ROW)
#undef RECOVER_ROW
};

const char *sp_recover_text(int rec)
{
    if (rec < 0 || (size_t)rec >= sizeof recover_texts / sizeof recover_texts[0])
        return NULL;
    return recover_texts[rec];
}

int sp_fault_from_symbol(const char *symbol)
{
    for (size_t i = 0; symbol && i < N_FAULTS; i++)
        if (strcmp(faults[i].symbol, symbol) == 0)
            return faults[i].code;
    return 0;
}

const char *sp_note_name(unsigned bit)
{
#define NOTE_CASE(id, b, name, req)                                            \
    if (bit == (b))                                                            \
        return name;
    SP_NOTE_MAP(NOTE_CASE)
#undef NOTE_CASE
    return NULL;
}

static const char *const type_names[] = {
    [SP_TYPE_QUERY] = "query",         [SP_TYPE_RESPONSE] = "response",
    [SP_TYPE_EVENT] = "event",         [SP_TYPE_ERROR] = "error",
    [SP_TYPE_HEARTBEAT] = "heartbeat",
};

const char *sp_type_name(sp_type t)
{
    if ((int)t <= 0 || (size_t)t >= sizeof type_names / sizeof type_names[0])
        return NULL;
    return type_names[t];
}
