/* The requirement IDs a spec defines: its lines "- **CF-x-y** ...", for the
 * prefix of a vector set ("CF-", "TOY-"). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

#define SPEC_LINE_MAX 4096
#define SPEC_PREFIX_MAX 16

int spec_ids_load(const char *path, const char *prefix, spec_ids *out)
{
    memset(out, 0, sizeof *out);
    size_t plen = prefix ? strlen(prefix) : 0;
    /* Letters, digits and '-' only: the prefix goes into a regex as is. */
    if (plen == 0 || plen > SPEC_PREFIX_MAX ||
        strspn(prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                       "0123456789-") != plen) {
        fprintf(stderr, "requirement prefix \"%s\" is not [A-Za-z0-9-]+\n",
                prefix ? prefix : "");
        return -1;
    }
    char pattern[64 + SPEC_PREFIX_MAX];
    snprintf(pattern, sizeof pattern,
             "^- \\*\\*(%s[0-9]+(\\.[0-9]+)?-[a-z])\\*\\*", prefix);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "cannot read the spec %s (give it with --spec FILE)\n",
                path);
        return -1;
    }
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED) != 0) {
        fprintf(stderr, "cannot compile the pattern for %s IDs\n", prefix);
        fclose(fp);
        return -1;
    }
    char line[SPEC_LINE_MAX];
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        regmatch_t m[2];
        if (regexec(&re, line, 2, m, 0) != 0)
            continue;
        size_t len = (size_t)(m[1].rm_eo - m[1].rm_so);
        if (len >= sizeof out->id[0]) {
            fprintf(stderr, "%s: requirement ID too long\n", path);
            rc = -1;
            break;
        }
        char id[sizeof out->id[0]];
        memcpy(id, line + m[1].rm_so, len);
        id[len] = '\0';
        if (spec_ids_find(out, id) >= 0) {
            fprintf(stderr, "%s: %s is defined twice\n", path, id);
            rc = -1;
            break;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 64;
            char(*ids)[24] = realloc(out->id, cap * sizeof *ids);
            if (!ids) {
                rc = -1;
                break;
            }
            out->id = ids;
        }
        memcpy(out->id[out->n++], id, len + 1);
    }
    regfree(&re);
    fclose(fp);
    if (rc == 0 && out->n == 0) {
        fprintf(stderr, "%s defines no requirement ID %s...\n", path, prefix);
        rc = -1;
    }
    if (rc != 0)
        spec_ids_free(out);
    return rc;
}

long spec_ids_find(const spec_ids *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->id[i], id) == 0)
            return (long)i;
    return -1;
}

void spec_ids_free(spec_ids *s)
{
    free(s->id);
    memset(s, 0, sizeof *s);
}
