/* Names of errors, Class and Direction values, all generated from the
 * X-macro tables in tamtam.h. */
#include <string.h>

#include "tamtam/tamtam.h"

static const struct {
    int code;
    const char *name, *desc;
} errors[] = {
#define ERROR_ROW(id, value, name, desc) {value, name, desc},
    TT_ERROR_MAP(ERROR_ROW)
#undef ERROR_ROW
};

#define N_ERRORS (sizeof errors / sizeof errors[0])

const char *tt_error_name(int err)
{
    for (size_t i = 0; i < N_ERRORS; i++)
        if (errors[i].code == err)
            return errors[i].name;
    return NULL;
}

const char *tt_error_desc(int err)
{
    for (size_t i = 0; i < N_ERRORS; i++)
        if (errors[i].code == err)
            return errors[i].desc;
    return NULL;
}

int tt_error_from_name(const char *name)
{
    for (size_t i = 0; name && i < N_ERRORS; i++)
        if (strcmp(errors[i].name, name) == 0)
            return errors[i].code;
    return 0;
}

static const char *const class_names[16] = {
#define NAME_ROW(v, id, name) [(v)] = (name),
    TT_CLASS_MAP(NAME_ROW)
};

static const char *const direction_names[16] = {TT_DIRECTION_MAP(NAME_ROW)
#undef NAME_ROW
};

static const char *nibble_name(const char *const names[16], unsigned v)
{
    if (v > 15)
        return NULL;
    return names[v] ? names[v] : "Unassigned";
}

const char *tt_class_name(unsigned v)
{
    return nibble_name(class_names, v);
}

const char *tt_direction_name(unsigned v)
{
    return nibble_name(direction_names, v);
}

bool tt_class_is_assigned(unsigned v)
{
    return v < 15 && class_names[v] != NULL;
}

bool tt_direction_is_assigned(unsigned v)
{
    return v < 15 && direction_names[v] != NULL;
}
