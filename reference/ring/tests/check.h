/* A few lines of test harness: CHECK records a failure and goes on, so one
 * run shows every broken rule; rings live in /dev/shm under unique names
 * and are unlinked at exit, also on failure. */
#ifndef SR_TEST_CHECK_H
#define SR_TEST_CHECK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_failures;
static char check_paths[32][96];
static int check_npaths;

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                      \
        }                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                             \
    do {                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);            \
        if (check_a_ != check_b_) {                                                \
            fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n", __FILE__, \
                    __LINE__, #a, #b, check_a_, check_b_);                         \
            check_failures++;                                                      \
        }                                                                          \
    } while (0)

static void check_cleanup(void) {
    for (int i = 0; i < check_npaths; i++) unlink(check_paths[i]);
}

/* A fresh unique ring path under /dev/shm, unlinked at exit. */
static const char *check_ring_path(const char *tag) {
    if (check_npaths == 0) atexit(check_cleanup);
    if (check_npaths >= 32) abort();
    char *p = check_paths[check_npaths++];
    snprintf(p, sizeof check_paths[0], "/dev/shm/sr-test-%ld-%s-%d", (long)getpid(), tag,
             check_npaths);
    unlink(p);
    return p;
}

static int check_report(const char *name) {
    if (check_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}
#endif
