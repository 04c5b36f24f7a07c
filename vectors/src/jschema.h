/*
 * A JSON Schema validator for the subset of draft 2020-12 that the vector
 * schemas use (vectors/README.md, "Schema keywords"): boolean schemas, type,
 * const, enum, required, properties, additionalProperties, items, minItems,
 * uniqueItems, minimum, maximum, minLength, pattern (POSIX extended regular
 * expressions, which these schemas' patterns are also valid ECMA-262 for),
 * oneOf and local $ref ("#/..."); $schema, $id, $defs, title, description
 * and $comment are annotations. Any other keyword is reported as an error,
 * never ignored, so a schema cannot silently ask for more than is checked.
 */
#ifndef TT_JSCHEMA_H
#define TT_JSCHEMA_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* Validates `doc` against `schema` (a whole schema document: "$ref"s resolve
 * in it). Writes at most `max_report` lines "PATH: problem" to `report`
 * (NULL: none), PATH being the JSON Pointer of the offending value. Returns
 * the number of problems found (0: valid). */
size_t jschema_validate(const cJSON *schema, const cJSON *doc, FILE *report,
                        size_t max_report);

#endif
