/*
 * Runs a fuzz target over corpus files without libFuzzer, so that CI without
 * clang can replay every corpus under ASan+UBSan. Arguments are files or
 * directories (one level). Exits 0 when every input ran, 2 when an input
 * could not be read; a violated invariant aborts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Far above any corpus entry; keeps a stray large file from exhausting RAM. */
#define REPLAY_MAX_INPUT (16u << 20)

static int run_file(const char *path, unsigned *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    unsigned char *buf = malloc(REPLAY_MAX_INPUT);
    size_t n = buf ? fread(buf, 1, REPLAY_MAX_INPUT, f) : 0;
    int bad = !buf || ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: unreadable or larger than %u bytes\n", path,
                REPLAY_MAX_INPUT);
        free(buf);
        return -1;
    }
    /* An exact-size copy, so ASan sees reads past the input. */
    unsigned char *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    (*count)++;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            failed |= run_file(argv[i], &count);
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            perror(argv[i]);
            return 2;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            failed |= run_file(path, &count);
        }
        closedir(d);
    }
    printf("replayed %u inputs\n", count);
    return failed ? 2 : 0;
}
