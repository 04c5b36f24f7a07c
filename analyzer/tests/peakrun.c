/*
 * peakrun FD CMD [ARGS...]: runs CMD, writes its peak resident memory in
 * KiB (ru_maxrss) and a newline to descriptor FD, and exits with CMD's
 * exit status (128 + the signal when it was killed; 127 when it could not
 * run). A helper of the analyzer's tests: a process forked from a large
 * test program counts the test's pages in its own peak (Linux carries the
 * high-water mark of the memory it had at exec over); forked from this
 * small program, it counts only its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: peakrun FD CMD [ARGS...]\n");
        return 127;
    }
    int fd = atoi(argv[1]);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 127;
    }
    if (pid == 0) {
        close(fd);
        execv(argv[2], argv + 2);
        _exit(127);
    }
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("wait4");
            return 127;
        }
    }
    dprintf(fd, "%ld\n", ru.ru_maxrss);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
