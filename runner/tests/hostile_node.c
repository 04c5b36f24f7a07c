/*
 * A misbehaving echo node for the runner's tests. Listens on a free
 * loopback TCP port, prints "listening tcp://127.0.0.1:PORT", and serves each
 * connection in its own process (the runner's slow case runs beside the
 * others, HP-5-d):
 *
 *   hostile_node reset       resets each connection once data arrives
 *   hostile_node halfclose   shuts its sending side at once, reads on
 *   hostile_node garbage     echoes, with every byte after the first two
 *                            of the connection scrambled
 *   hostile_node trickle     echoes correctly, one byte every 100 ms
 *   hostile_node stall       echoes the first 3 bytes of the connection,
 *                            then nothing (reads on)
 *   hostile_node spew        answers the first bytes with garbage, without
 *                            end, until the connection breaks
 */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TRICKLE_MS 100
#define STALL_AFTER 3

static void serve(int c, const char *mode)
{
    static unsigned char buf[1 << 20];
    size_t have = 0, sent_total = 0;
    if (!strcmp(mode, "halfclose"))
        shutdown(c, SHUT_WR);
    for (;;) {
        struct pollfd p = {c, POLLIN, 0};
        int r = poll(&p, 1, !strcmp(mode, "trickle") && have ? TRICKLE_MS : -1);
        if (r > 0) {
            ssize_t n = read(c, buf + have, sizeof buf - have);
            if (n <= 0)
                return;
            if (!strcmp(mode, "spew")) {
                memset(buf, 0xA5, sizeof buf);
                while (send(c, buf, sizeof buf, MSG_NOSIGNAL) > 0)
                    ;
                return;
            }
            if (!strcmp(mode, "reset")) {
                struct linger l = {1, 0};
                setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                return;
            }
            if (!strcmp(mode, "garbage")) {
                for (ssize_t i = 0; i < n; i++)
                    if (sent_total + (size_t)i >= 2)
                        buf[i] ^= 0x5A;
                if (send(c, buf, (size_t)n, MSG_NOSIGNAL) != n)
                    return;
                sent_total += (size_t)n;
            } else if (!strcmp(mode, "trickle")) {
                have += (size_t)n;
            } else if (!strcmp(mode, "stall") && sent_total < STALL_AFTER) {
                size_t k = STALL_AFTER - sent_total;
                k = k < (size_t)n ? k : (size_t)n;
                if (send(c, buf, k, MSG_NOSIGNAL) != (ssize_t)k)
                    return;
                sent_total += k;
            }
        } else if (r == 0 && have) { /* trickle: one byte per tick */
            if (send(c, buf, 1, MSG_NOSIGNAL) != 1)
                return;
            memmove(buf, buf + 1, --have);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: hostile_node reset|halfclose|garbage|trickle|stall|"
              "spew\n",
              stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_IGN); /* connection processes reap themselves */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) ||
        listen(s, 16) || getsockname(s, (struct sockaddr *)&a, &l)) {
        perror("hostile_node");
        return 1;
    }
    printf("listening tcp://127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        pid_t pid = fork();
        if (pid == 0) {
            close(s);
            serve(c, argv[1]);
            _exit(0);
        }
        close(c);
    }
}
