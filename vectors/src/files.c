/* Reading and writing whole files; JSON documents one array item per line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"

char *file_read(const char *path, size_t cap, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t size = 0, room = 4096;
    char *buf = malloc(room + 1);
    while (buf) {
        if (size == room) {
            if (room >= cap) {
                errno = EFBIG;
                free(buf);
                buf = NULL;
                break;
            }
            room = room * 2 < cap ? room * 2 : cap;
            char *grown = realloc(buf, room + 1);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
        }
        size_t got = fread(buf + size, 1, room - size, fp);
        size += got;
        if (got == 0) {
            if (ferror(fp)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    fclose(fp);
    if (buf) {
        buf[size] = '\0';
        *len = size;
    }
    return buf;
}

/* Opens PATH.tmp for writing; file_commit renames it into place. */
FILE *file_begin(const char *path, char *tmp, size_t tmpcap)
{
    snprintf(tmp, tmpcap, "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        fprintf(stderr, "cannot write %s: %s\n", tmp, strerror(errno));
    return fp;
}

int file_commit(FILE *fp, const char *tmp, const char *path, bool ok)
{
    bool closed = fclose(fp) == 0;
    if (ok && closed && rename(tmp, path) == 0)
        return 0;
    fprintf(stderr, "cannot write %s%s%s\n", path, errno ? ": " : "",
            errno ? strerror(errno) : "");
    unlink(tmp);
    return -1;
}

int file_write(const char *path, const void *data, size_t len)
{
    char tmp[FILE_PATH_MAX + 8];
    FILE *fp = file_begin(path, tmp, sizeof tmp);
    if (!fp)
        return -1;
    bool ok = len == 0 || fwrite(data, 1, len, fp) == len;
    return file_commit(fp, tmp, path, ok);
}

int file_write_json_lines(const char *path, const cJSON *doc,
                          const char *array_key)
{
    char tmp[FILE_PATH_MAX + 8];
    FILE *fp = file_begin(path, tmp, sizeof tmp);
    if (!fp)
        return -1;
    bool ok = true;
    const cJSON *m, *array = NULL;
    fputc('{', fp);
    cJSON_ArrayForEach(m, doc)
    {
        if (strcmp(m->string, array_key) == 0) {
            array = m;
            continue;
        }
        char *val = cJSON_PrintUnformatted(m);
        ok = ok && val;
        if (val)
            fprintf(fp, "\"%s\":%s,", m->string, val);
        cJSON_free(val);
    }
    fprintf(fp, "\"%s\":[\n", array_key);
    cJSON_ArrayForEach(m, array)
    {
        char *val = cJSON_PrintUnformatted(m);
        ok = ok && val;
        if (val)
            fprintf(fp, "%s%s\n", val, m->next ? "," : "");
        cJSON_free(val);
    }
    fputs("]}\n", fp);
    return file_commit(fp, tmp, path, ok && !ferror(fp));
}
