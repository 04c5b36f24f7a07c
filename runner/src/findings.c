/* The fuzzer's findings as a vector set: core-frame.json and
 * core-stream.json in the pinned formats (one vector per line, like the
 * committed set) with their .bin twins, so a disagreement found today is
 * replayed with `tamtam-run --vectors DIR` and committed as a regression
 * case tomorrow. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define PATH_MAX_LEN 4096

/* out = a "/" b c; returns 0, or -1 (message) when it does not fit. */
static int join(char *out, const char *a, const char *b, const char *c)
{
    int n = snprintf(out, PATH_MAX_LEN, "%s/%s%s", a, b, c);
    if (n < 0 || n >= PATH_MAX_LEN) {
        fprintf(stderr, "tamtam-run: path too long: %s/%s%s\n", a, b, c);
        return -1;
    }
    return 0;
}

static int make_dir(const char *path)
{
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "%s", path);
    if (!*p) {
        fputs("tamtam-run: --out must name a directory\n", stderr);
        return -1;
    }
    for (char *s = p + 1;; s++) {
        bool end = *s == '\0';
        if (*s == '/' || end) {
            *s = '\0';
            if (mkdir(p, 0777) && errno != EEXIST) {
                fprintf(stderr, "tamtam-run: cannot create %s: %s\n", p,
                        strerror(errno));
                return -1;
            }
            if (end)
                return 0;
            *s = '/';
        }
    }
}

/* Twins of an earlier run of the same seed would belong to no vector. */
static void remove_stale(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    size_t plen = strlen(prefix);
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > plen + 4 && !strncmp(e->d_name, prefix, plen) &&
            !strcmp(e->d_name + n - 4, ".bin")) {
            char p[PATH_MAX_LEN];
            if (join(p, dir, e->d_name, "") == 0)
                unlink(p);
        }
    }
    closedir(d);
}

/* One vector file and the twins of its vectors in `twins`/. */
static int write_set(const char *path, const char *twins, const char *suite,
                     tt_crc crc, const cJSON *vectors)
{
    tr_buf b = {0};
    tr_buf_printf(&b,
                  "{\"suite\":\"%s\",\"spec_version\":\"1.0\",\"crc\":\"%s\","
                  "\"count\":%d,\"vectors\":[\n",
                  suite, tt_crc_name(crc), cJSON_GetArraySize(vectors));
    const cJSON *v;
    int rc = 0;
    uint8_t *bin = tr_xmalloc(TR_FUZZ_STREAM_MAX);
    cJSON_ArrayForEach(v, vectors)
    {
        char *line = cJSON_PrintUnformatted(v);
        tr_buf_printf(&b, "%s%s", line ? line : "", v->next ? ",\n" : "\n");
        cJSON_free(line);
        const char *id = cJSON_GetObjectItemCaseSensitive(v, "id")->valuestring;
        const char *hex =
            cJSON_GetObjectItemCaseSensitive(v, "hex")->valuestring;
        long n = ttj_hex_decode(hex, bin, TR_FUZZ_STREAM_MAX);
        char p[PATH_MAX_LEN];
        // cppcheck-suppress knownConditionTrueFalse ; a loop (cJSON's macro)
        if (rc == 0 && (n < 0 || join(p, twins, id, ".bin") ||
                        tr_write_file(p, bin, (size_t)n)))
            rc = -1;
    }
    free(bin);
    tr_buf_printf(&b, "]}\n");
    char *text = tr_buf_take(&b);
    if (rc == 0)
        rc = tr_write_file(path, text, strlen(text));
    free(text);
    return rc;
}

int tr_findings_write(const char *dir, uint64_t seed, tt_crc crc,
                      const cJSON *frames, const cJSON *streams, cJSON *paths)
{
    char set[PATH_MAX_LEN], sub[PATH_MAX_LEN], file[PATH_MAX_LEN];
    char prefix[64];
    char name[64];
    snprintf(name, sizeof name, "fuzz-%llu", (unsigned long long)seed);
    if (join(set, dir, name, ""))
        return -1;
    static const struct {
        const char *name, *suite, *prefix;
    } kinds[2] = {{"core-frame", "tamtam-core-frame", "cf"},
                  {"core-stream", "tamtam-core-stream", "cs"}};
    for (int k = 0; k < 2; k++) {
        if (join(sub, set, kinds[k].name, "") ||
            join(file, set, kinds[k].name, ".json"))
            return -1;
        snprintf(prefix, sizeof prefix, "%s-fuzz-%llu-", kinds[k].prefix,
                 (unsigned long long)seed);
        if (make_dir(sub))
            return -1;
        remove_stale(sub, prefix);
        if (write_set(file, sub, kinds[k].suite, crc, k ? streams : frames))
            return -1;
        cJSON_AddItemToArray(paths, cJSON_CreateString(file));
    }
    /* What the runner cannot load is not ready to commit. */
    tr_vectors v;
    char why[1024];
    if (tr_vectors_load(set, &v, why, sizeof why)) {
        fprintf(stderr, "tamtam-run: the findings do not load as vectors: "
                        "%s\n",
                why);
        return -1;
    }
    tr_vectors_free(&v);
    return 0;
}
