/* Helpers for the tamtam-node tests: start the node as a child process,
 * talk to it over pipes and sockets with a deadline on every wait, and build
 * frames by hand from the spec layout (independently of libtamtam). */
#ifndef NODETEST_H
#define NODETEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <cmocka.h>

/* No single wait in a test lasts longer without progress; a broken node
 * fails, never hangs. It measures lack of progress (every wait restarts it:
 * each byte, each descriptor closed), never the duration of a load, so a
 * machine busy enough to deschedule the node or the test for seconds still
 * passes; only a node that is stuck reaches it. */
#define NT_DEADLINE_MS 20000

/* CLOCK_MONOTONIC in milliseconds. */
long long nt_now_ms(void);

/* The node binary under test (argv[1] of every test program). */
extern const char *nt_node;

struct nt_child {
    pid_t pid;
    int in;  /* the child's stdin (write end), -1 once closed */
    int out; /* the child's stdout (read end) */
    char *buf;
    size_t len, cap;
};

/* When not 0, the descriptor limit (RLIMIT_NOFILE) of the next children. */
extern unsigned nt_child_nofile;

/* Starts `nt_node` with the NULL-terminated `args` (after the program
 * name); its stderr is the test's. */
void nt_start(struct nt_child *c, const char *const *args);

/* Reads one line of the child's stdout (without '\n'); the returned string
 * stays valid until the next read. Fails the test at end of output or after
 * the deadline. */
char *nt_read_line(struct nt_child *c);

/* Writes all of `p` to the child's stdin. */
void nt_write(struct nt_child *c, const void *p, size_t n);

/* Closes the child's stdin. */
void nt_close_in(struct nt_child *c);

/* Kills and reaps every child still running (a test that failed midway);
 * the teardown of every test. */
int nt_teardown(void **state);

/* Waits for the child to exit (killing it after the deadline, which fails
 * the test) and returns its wait status. Frees the child's resources. The
 * wait is on the exit itself (a pidfd), not a sleep loop. */
int nt_wait(struct nt_child *c);

/* Sends `sig` and waits as nt_wait. */
int nt_stop(struct nt_child *c, int sig);

/* Reads the "listening URL" line and returns the URL part (static
 * storage, overwritten by the next call). */
const char *nt_listening(struct nt_child *c);

/* The port of a tcp:// or udp:// URL. */
unsigned nt_url_port(const char *url);

/* Connected sockets (blocking, with TCP_NODELAY for TCP). */
int nt_tcp_connect(unsigned port);
int nt_udp_socket(unsigned port);
int nt_unix_connect(const char *path);

/* Sends all bytes, as `per_write` bytes per send (0: all at once). */
void nt_send(int fd, const void *p, size_t n, size_t per_write);

/* Receives exactly `n` bytes within the deadline; fails the test on end of
 * stream, error or deadline. */
void nt_recv_exact(int fd, void *p, size_t n);

/* Receives up to `cap` bytes (one datagram or what a stream has) within the
 * deadline; returns the count, 0 at end of stream, -1 on a reset. */
long nt_recv_some(int fd, void *p, size_t cap);

/* True when the peer ends the connection (end of stream or reset) before
 * any byte arrives, within the deadline. */
bool nt_peer_closes(int fd);

/* Connects to TCP `port`, sends `n` bytes and reports whether any answer
 * came back; retried every 20 ms until it does or the deadline passes (a
 * slot the node frees asynchronously, with nothing the test could wait
 * on). Returns true once answered; the deadline only ends a real hang. */
bool nt_answered_eventually(unsigned port, const void *p, size_t n);

/* BlockSize(SizeId, BigMode) of CF-7.1-a and CF-7.2-a. */
unsigned nt_block_size(unsigned size_id, bool big);

/* CRC-8/SMBUS, bit by bit, as printed in spec/core-frame.md 12.6. */
uint8_t nt_crc8_smbus(const uint8_t *p, size_t n);

/* Builds a frame from its fields (spec/core-frame.md sections 2-8) into
 * `out` under CRC-8/SMBUS, padding filled with `pad`; returns its length.
 * `flags` is the low nibble of byte 1 (0x1 big, 0x2 ack, 0x4 priority,
 * 0x8 ext). */
size_t nt_frame(uint8_t *out, unsigned cls, unsigned dir, unsigned size_id,
                unsigned flags, unsigned channel, unsigned dest,
                const uint8_t *payload, unsigned used_len, uint8_t pad);

/* Lowercase hex of `n` bytes into a malloc'd string. */
char *nt_hex(const uint8_t *p, size_t n);

/* Parses hex into `out` (cap bytes); returns the byte count. */
size_t nt_unhex(const char *hex, uint8_t *out, size_t cap);

/* A fresh private directory under TMPDIR (or /tmp) for unix sockets. */
const char *nt_tmpdir(void);

/* A memory figure of process `pid` in KiB: `field` is a line name of
 * /proc/PID/status such as "VmRSS" (resident now) or "VmHWM" (peak
 * resident since the process started). */
long nt_status_kib(pid_t pid, const char *field);

/* Open descriptors of process `pid` (entries of /proc/PID/fd). */
long nt_fd_count(pid_t pid);

/* Waits until process `pid` holds at most `target` descriptors (a server
 * closing connections its peers left); false when the count has not fallen
 * for the deadline (each descriptor closed restarts it). */
bool nt_fd_count_falls_to(pid_t pid, long target);

/* Waits until process `pid` holds at least `target` descriptors (a server
 * accepting connections in batches between other work); false when the
 * count has not risen for the deadline. */
bool nt_fd_count_rises_to(pid_t pid, long target);

#endif
