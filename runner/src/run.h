/*
 * tamtam-run: internal interfaces shared by the runner's source files.
 * Everything here is private to the runner (prefix tr_).
 */
#ifndef TR_RUN_H
#define TR_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "tamtam/tamtam.h"
#include "ttj.h"

#define TR_VERSION "1.0.0"

/* Longest response line the runner accepts from a shim (the rest is a FAIL,
 * never memory). */
#define TR_LINE_CAP (16u * 1024u * 1024u)

/* ---- Small utilities (util.c) ---------------------------------------------- */

/* Monotonic milliseconds / microseconds. */
int64_t tr_now_ms(void);
int64_t tr_now_us(void);
/* Sleeps `ms` milliseconds, resuming after signals. */
void tr_sleep_ms(int ms);

/* Growable string, capped so a hostile peer cannot make it unbounded. */
typedef struct tr_buf {
    char *s;
    size_t len, cap;
} tr_buf;

#define TR_BUF_MAX (1u << 20) /* details and reports stay below 1 MiB each */

/* Appends printf-style text; output past TR_BUF_MAX is dropped with "...". */
void tr_buf_printf(tr_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends `len` bytes as hex, at most `max_bytes` of them (then "…(N bytes)"). */
void tr_buf_hex(tr_buf *b, const uint8_t *p, size_t len, size_t max_bytes);
/* Appends "\nLABEL LINE", a peer's line quoted in a detail, cut after
 * TR_DETAIL_LINE characters ("..."); nothing when `line` is NULL. */
#define TR_DETAIL_LINE 600
void tr_buf_line(tr_buf *b, const char *label, const char *line);
/* Returns the string (never NULL) and hands ownership to the caller. */
char *tr_buf_take(tr_buf *b);
void tr_buf_free(tr_buf *b);

/* Replaces every byte that is not printable ASCII, newline or tab with '?',
 * so text from a broken implementation is safe in JSON, XML and terminals. */
void tr_sanitize(char *s);

/* tr_sanitize on every string (keys included) of `j` and its siblings and
 * children: what a shim said goes into reports. */
void tr_sanitize_json(cJSON *j);

/* True when the JSON values `a` and `b` are equal: objects by their
 * members (order not counted; names unique, as tr_reply_parse ensures),
 * arrays element by element, numbers by value. Linear in the size of the
 * values, however deep (cJSON_Compare takes 2^depth on nested objects). */
bool tr_json_equal(const cJSON *a, const cJSON *b);

/* Command-line values. tr_opt_number: a decimal integer in [min, max] into
 * *out; returns 0, or -1 after a message naming `opt`. tr_opt_crc: returns
 * the tt_crc named `arg` (tt_crc_from_name), or -1 after a message. */
int tr_opt_number(const char *opt, const char *arg, double min, double max,
                  double *out);
int tr_opt_crc(const char *arg);

/* Writes `len` bytes to `path` (replacing it). Returns 0, or -1 after a
 * message on stderr. */
int tr_write_file(const char *path, const void *data, size_t len);

/* Reads the JSON document in `path` (at most `max` bytes). Returns it, or
 * NULL with `why` set (cannot open, too large, read error, not valid JSON
 * near byte N). */
cJSON *tr_read_json(const char *path, size_t max, char *why, size_t whylen);

/* Allocation that exits (code 2) when memory runs out. */
void *tr_xmalloc(size_t n);
void *tr_xcalloc(size_t n, size_t size);
char *tr_xstrdup(const char *s);

/* ---- Seeded choices (random.c) --------------------------------------------- */

/* xorshift32: the next value of the generator at *state (never 0). Every
 * seeded choice of the runner comes from it, so a seed reproduces a run. */
uint32_t tr_rand(uint32_t *state);
/* A generator state for a user's seed (any value, 0 included). */
uint32_t tr_rand_seed(uint64_t seed);
/* A value in [0, n) (0 when n is 0). */
uint32_t tr_rand_below(uint32_t *state, uint32_t n);
/* Random fields over the whole range of each (SizeId 0..15, BigMode one in
 * four, UsedLen 0, the block or in between); the payload is written into
 * `payload` (TT_BLOCK_MAX bytes) and f->payload points at it. */
void tr_random_frame(uint32_t *rng, tt_frame *f, uint8_t *payload);

/* ---- Vectors (vectors.c) --------------------------------------------------- */

/* A decoded frame with its own payload storage. */
typedef struct tr_frame {
    tt_frame f; /* f.payload points at payload */
    uint8_t *payload;
} tr_frame;

typedef struct tr_fvec { /* one vector of core-frame.json */
    char *id;
    char *reqs; /* requirement IDs joined by ',' */
    bool info;  /* "verdict":"info" */
    uint8_t *bytes;
    size_t len;
    bool valid;           /* under the effective CRC */
    int error;            /* tt_error when !valid */
    tr_frame frame;       /* when valid */
    const char *valid_under; /* CRC-variant vector: the variant, else NULL */
} tr_fvec;

typedef struct tr_event {
    int status;      /* 0 valid, else tt_error */
    uint64_t offset;
    tr_frame frame;  /* when status == 0 */
} tr_event;

typedef struct tr_svec { /* one vector of core-stream.json */
    char *id;
    char *reqs;
    bool info;
    uint8_t *bytes;
    size_t len;
    size_t *chunks;
    size_t nchunks;
    tr_event *events;
    size_t nevents;
    size_t pending;
} tr_svec;

typedef struct tr_vectors {
    tt_crc crc; /* the CRC the expectations hold under */
    tr_fvec *f;
    size_t nf;
    tr_svec *s;
    size_t ns;
} tr_vectors;

/* Loads DIR/core-frame.json and DIR/core-stream.json, checking every member
 * against the pinned formats. Returns 0, or -1 with a message in `why`. */
int tr_vectors_load(const char *dir, tr_vectors *out, char *why, size_t whylen);

/* Checks one vector object as tr_vectors_load checks those of
 * core-frame.json (`stream`: core-stream.json). Returns 0, or -1 with a
 * message in `why`. */
int tr_vector_check(const cJSON *vector, bool stream, char *why,
                    size_t whylen);

/* Rewrites the expectations of `v` for implementations using `crc`: the
 * integrity byte of every complete frame is recomputed under `crc` (keeping
 * a deliberate CRC error as wrong as it was), and CRC-variant vectors become
 * valid under `crc` unless `crc` is the file's own variant. Idempotent for
 * crc == v->crc. */
void tr_vectors_adapt(tr_vectors *v, tt_crc crc);

void tr_vectors_free(tr_vectors *v);

/* Byte length of the frame at the start of `bytes` (CF-2-b), or 0 when fewer
 * than two bytes. */
size_t tr_frame_len(const uint8_t *bytes, size_t len);

/* Copies `src` (payload included) into `dst`; views into the source's
 * buffer (bytes, padding) are not kept. */
void tr_frame_copy(tr_frame *dst, const tt_frame *src);
void tr_frame_free(tr_frame *f);

/* ---- Responses (reply.c) -------------------------------------------------- */

typedef enum tr_answer {
    TR_ANS_OK,          /* "ok":true with the op's members well-formed */
    TR_ANS_ERROR,       /* "ok":false with an error name (in `error`) */
    TR_ANS_UNSUPPORTED, /* "ok":false, "error":"unsupported" */
    TR_ANS_BAD          /* the response breaks the protocol (in `why`) */
} tr_answer;

typedef struct tr_reply {
    tr_answer kind;
    char error[64]; /* TR_ANS_ERROR: the name as given (sanitised) */
    char why[1024]; /* TR_ANS_BAD: what is wrong */
    /* decode */
    size_t consumed;
    bool has_frame;
    tr_frame frame;
    /* encode */
    uint8_t *bytes;
    size_t len;
    /* stream */
    tr_event *events;
    size_t nevents;
    size_t pending;
} tr_reply;

/* What parsing one response may take, estimated from its text before cJSON
 * builds the tree (tr_reply_parse): 80 bytes per value (a cJSON node and its
 * malloc header), 32 per string besides its bytes, and the line's length.
 * The largest answer the runner can provoke, a stream of 96 KiB of 6-byte
 * frames (16,384 frame events), estimates at 27 MiB; a line of 16 MiB of "0,"
 * would take over 600 MiB. */
#define TR_REPLY_TREE_MAX (48u * 1024u * 1024u)

/* Reads one response line, `len` bytes without its newline (line[len] need
 * not be readable), as the answer to the request with id `id` (a negative
 * `id`: any or none). Returns the object, or NULL with the reason in `why`
 * (sanitised, quoting the line): a NUL byte in the line; not one JSON
 * object with only whitespace after it; a string holding \u0000 (cJSON
 * would cut it there, so "truncated\u0000x" would read as "truncated");
 * a member name twice in one object (which one counts is up to the
 * reader, RFC 8259 section 4); more than TR_REPLY_TREE_MAX to parse; an
 * "id" that is not the request's. */
cJSON *tr_reply_parse(const char *line, size_t len, long id, char *why,
                      size_t whylen);

/* Checks a hello response (spec/harness.md HP-3.3-a, HP-3.3-c): ok, impl,
 * impl_version, ops, "protocols" (optional, strings), and "crc" when the
 * shim speaks tamtam-core/1. Returns 0, or -1 with the reason in `why`. */
int tr_hello_check(const cJSON *h, char *why, size_t whylen);

/* The frame object of `f` as one line of JSON (caller frees). */
char *tr_frame_text(const tt_frame *f);

/* The requests (without "id", which tr_shim_call adds): decode of `len`
 * bytes; encode of the fields of `f` (tr_encode_fields: the frame object
 * without crc and used_len); stream of `bytes` delivered in `nchunks`
 * chunks of the given sizes. */
cJSON *tr_decode_request(const uint8_t *bytes, size_t len);
cJSON *tr_encode_fields(const tt_frame *f);
cJSON *tr_encode_request(const tt_frame *f);
cJSON *tr_stream_request(const uint8_t *bytes, const size_t *chunks,
                         size_t nchunks);

/* Read the response `resp` to a decode / encode / stream request into `r`
 * (which they reset): the members of spec/harness.md 3.4-3.6, each checked
 * for its type. Release with tr_reply_free. */
void tr_reply_decode(const cJSON *resp, tr_reply *r);
void tr_reply_encode(const cJSON *resp, tr_reply *r);
void tr_reply_stream(const cJSON *resp, tr_reply *r);
void tr_reply_free(tr_reply *r);

/* Compares one stream event with the one wanted (frames field by field,
 * crc included; errors by name and offset). Returns NULL when they agree,
 * else a static description of the first difference. */
const char *tr_event_diff(const tr_event *want, const tr_event *got);

/* ---- Cases, verdicts, results (cases.c) ------------------------------------ */

typedef enum tr_verdict {
    TR_PASS,
    TR_FAIL,
    TR_INFO,
    TR_UNSUPPORTED,
    TR_EXPECTED_FAIL,
    TR_NOT_RUN /* selected but the run stopped before it (exit 2) */
} tr_verdict;

const char *tr_verdict_name(tr_verdict v);

struct tr_suite;

typedef struct tr_case {
    char *id;
    char *reqs; /* requirement IDs joined by ',' */
    /* The suite that owns the case (NULL: a cell of interop or fuzz, which
     * own their case lists whole) and its kind, a value of that suite's own
     * enum: nothing but the owner reads it. */
    const struct tr_suite *suite;
    int kind;
    size_t vi;   /* index into the vector array the kind uses */
    bool info;   /* the vector says verdict info */
    /* result */
    tr_verdict verdict;
    char *detail;
    double ms;
    int kf;      /* index of the known-failures line that lists it, or -1 */
    bool fixed;  /* listed as a known failure but passed */
} tr_case;

typedef struct tr_cases {
    tr_case *c;
    size_t n, cap;
} tr_cases;

/* Appends a case owned by `suite` (may be NULL) with the suite's `kind`. */
tr_case *tr_cases_add(tr_cases *cs, const struct tr_suite *suite, int kind,
                      size_t vi, bool info, const char *reqs,
                      const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
void tr_cases_free(tr_cases *cs);

/* ---- Options --------------------------------------------------------------- */

typedef struct tr_opts {
    const char *shim;         /* --shim CMD */
    const char *shim_connect; /* --shim-connect URL */
    const char *node;         /* --node URL */
    const char *vectors;      /* --vectors DIR */
    int crc;                  /* --crc, or -1 when not given */
    const char **globs;       /* --case, repeatable */
    size_t nglobs;
    bool list;
    int timeout_ms;       /* --timeout-ms: longest wait without progress */
    int start_timeout_ms; /* --start-timeout-ms: until hello is answered */
    const char *known_failures;
    const char *json;
    const char *junit;
    bool verbose;
    /* The URLs given to the node suites' own options (tr_suite.option, e.g.
     * --splinter), indexed as tr_suites; NULL when not given. --node stays
     * in `node`. */
    const char *urls[32]; /* TR_MAX_SUITES */
} tr_opts;

/* Timing rules (spec/harness.md HP-7-a, HP-7-b): a deadline measures lack
 * of progress, never the total time of a case; a shim or node gets a
 * separate, generous allowance to start. */
#define TR_DEFAULT_TIMEOUT_MS 5000
#define TR_DEFAULT_START_TIMEOUT_MS 20000

/* The default vector set: the source tree's, else the installed one. */
const char *tr_default_vectors(void);

/* True when `id` is selected by the --case globs (all when none). */
bool tr_selected(const tr_opts *o, const char *id);

/* ---- Progress and per-case output (report.c) -------------------------------- */

typedef struct tr_progress {
    bool tty;
    bool verbose;
    size_t done, total, failed;
} tr_progress;

/* Reports one finished case: the progress line on a terminal, the case
 * block for a failure (always) or for every case (verbose). */
void tr_progress_case(tr_progress *p, const tr_case *c);
/* Clears the progress line. */
void tr_progress_end(tr_progress *p);
/* Prints a verbose note ("  sent: ...") when -v is on. */
void tr_verbose(const tr_progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef struct tr_summary {
    size_t pass, fail, info, unsupported, expected_fail, not_run;
} tr_summary;

void tr_summarize(const tr_cases *cs, tr_summary *s);
/* The "summary" object of the reports: cases counted by verdict. */
cJSON *tr_summary_json(const tr_cases *cs);
/* One case of the reports: id, requirements, verdict, detail, duration_ms. */
cJSON *tr_case_json(const tr_case *c);
/* Writes `doc` (which it frees) as indented JSON and a newline. Returns 0
 * or -1 (message on stderr). */
int tr_write_doc(const char *path, cJSON *doc);
/* Writes the --json report. Returns 0 or -1 (message on stderr). */
int tr_write_json(const char *path, const tr_cases *cs, const cJSON *impl);
/* Writes the --junit report. Returns 0 or -1 (message on stderr). */
int tr_write_junit(const char *path, const tr_cases *cs, double total_ms);

/* ---- Known failures (knownfail.c) ------------------------------------------ */

typedef struct tr_kf_line {
    char *glob;
    char *reason; /* text after '#', trimmed; may be "" */
    int lineno;
    size_t matched; /* cases it matched in this run */
} tr_kf_line;

typedef struct tr_kf {
    const char *path;
    tr_kf_line *l;
    size_t n;
} tr_kf;

/* Parses the known-failures file. Returns 0, or -1 with a message. */
int tr_kf_load(const char *path, tr_kf *kf, char *why, size_t whylen);
/* Applies the list to one finished case: FAIL on a listed case becomes
 * EXPECTED_FAIL; PASS on a listed case becomes FAIL ("fixed"). */
void tr_kf_apply(tr_kf *kf, tr_case *c);
/* Prints the exact lines to add to and remove from the list (to stdout). */
void tr_kf_advise(const tr_kf *kf, const tr_cases *cs);
void tr_kf_free(tr_kf *kf);

/* ---- Shim (shim.c): the codec-mode peer, a process or a TCP connection ------ */

typedef struct tr_shim {
    const char *cmd;     /* --shim */
    const char *connect; /* --shim-connect */
    const char *name;    /* interop/fuzz: the --impl name; NULL: "the shim" */
    int timeout_ms;       /* without progress, per request */
    int start_timeout_ms; /* from start to the hello answer */
    bool starting;        /* the hello of a start is under way */
    bool verbose;
    int failed_starts; /* consecutive failed starts (tr_shim_ensure_up) */
    int pid; /* process group of the shim, or -1 */
    int wfd, rfd, efd;
    char *buf;
    size_t len, cap;
    char errtail[512]; /* last bytes of the shim's stderr */
    size_t errlen;
    long next_id;
    bool up;
    cJSON *hello; /* the last hello response */
} tr_shim;

void tr_shim_init(tr_shim *s, const tr_opts *o);
/* Starts (or connects to) the shim and performs hello. Returns 0, or -1 with
 * the reason in `why`. */
int tr_shim_start(tr_shim *s, char *why, size_t whylen);
/* Sends `req` (the runner adds "id") and waits for its response until
 * `deadline` (tr_now_ms). Returns 0 with *resp set (read by
 * tr_reply_parse), or -1 with the reason; on -1 the shim is stopped (the
 * next case restarts it). The request line and the response line (its
 * first TR_GOT_MAX bytes, "..." after them) are kept in *sent / *got for
 * reporting (may be NULL to skip). */
#define TR_GOT_MAX 65536
int tr_shim_call(tr_shim *s, cJSON *req, int64_t deadline, cJSON **resp,
                 char **sent, char **got, char *why, size_t whylen);
/* Sends one raw line and reads one raw response line (*got, *gotlen bytes
 * and a NUL), no check. Same failure behaviour as tr_shim_call. */
int tr_shim_raw(tr_shim *s, const char *line, int64_t deadline, char **got,
                size_t *gotlen, char *why, size_t whylen);
/* Closes the shim's stdin and waits until `deadline` for it to exit.
 * Returns its exit status (0..255), 128+signal, -1 when it had to be
 * killed (why set), or -2 for a TCP shim (nothing to wait for). */
int tr_shim_finish(tr_shim *s, int64_t deadline, char *why, size_t whylen);
/* Consecutive failed starts after which a run gives up (exit 2). */
#define TR_MAX_RESTARTS 3

/* Makes sure the shim is up, starting it again after a failure stopped it.
 * Returns 0, or -1 after TR_MAX_RESTARTS failed starts in a row (each
 * reason printed on stderr). */
int tr_shim_ensure_up(tr_shim *s, tr_progress *p);
/* tr_shim_call with the per-case deadline (s->timeout_ms from now), the
 * lines echoed with -v through `p`. Same returns; *sent is set on failure
 * too (may be NULL to skip). */
int tr_shim_exchange(tr_shim *s, const tr_progress *p, cJSON *req,
                     cJSON **resp, char **sent, char **got, char *why,
                     size_t whylen);
/* Stops the shim (kills the process group). */
void tr_shim_stop(tr_shim *s);
void tr_shim_free(tr_shim *s);

/* ---- Network (net.c) -------------------------------------------------------- */

typedef enum tr_scheme { TR_TCP, TR_UDP, TR_UNIX } tr_scheme;

typedef struct tr_url {
    tr_scheme scheme;
    char host[256];
    char port[16];
    char path[108];
} tr_url;

const char *tr_scheme_name(tr_scheme s);
/* Parses tcp://HOST:PORT, udp://HOST:PORT ([v6] allowed) or unix://PATH.
 * Returns 0, or -1 with a message. */
int tr_url_parse(const char *url, tr_url *u, char *why, size_t whylen);
/* Opens a non-blocking socket connected to `u` (UDP: connected datagram
 * socket), waiting until `deadline`. Returns the fd, or -1 with a message. */
int tr_connect(const tr_url *u, int64_t deadline, char *why, size_t whylen);

/* ---- Suites ----------------------------------------------------------------- */

typedef struct tr_run {
    const tr_opts *o;
    tr_progress *progress;
    tr_cases *cases;
    tr_kf *kf; /* NULL without --known-failures */
} tr_run;

/* Finishes a case: stores verdict, detail (sanitised) and duration (from
 * `started_us`, a tr_now_us value), applies the known-failures list,
 * reports it. */
void tr_case_done(tr_run *r, tr_case *c, tr_verdict v, char *detail,
                  int64_t started_us);

/* A suite: the checks of one protocol in one mode, behind one interface so
 * the runner takes a new protocol as new files plus a line in the table
 * (suites.c, generated from the CMake list of the executable's suites).
 * Each suite owns its vectors (an opaque pointer), its case kinds and its
 * reply types. */
typedef enum tr_mode {
    TR_MODE_SHIM, /* requests to a shim (--shim, --shim-connect) */
    TR_MODE_NODE  /* traffic to a node (--node) */
} tr_mode;

typedef struct tr_suite_env {
    bool process_shim; /* the shim is a process (harness.eof applies) */
    tr_scheme scheme;  /* TR_MODE_NODE: the transport of --node */
} tr_suite_env;

typedef struct tr_suite {
    const char *name;       /* for messages: "core codec", "core wire" */
    const char *protocol;   /* what a shim's hello lists ("tamtam-core/1") */
    const char *req_prefix; /* its requirement IDs ("CF-") */
    tr_mode mode;
    /* TR_MODE_NODE: the long option naming the peer's URL, without the
     * dashes ("splinter" gives --splinter URL); NULL means --node. */
    const char *option;
    /* Loads the suite's vectors from DIR. Returns them, or NULL with the
     * reason in `why`. */
    void *(*load)(const char *dir, char *why, size_t whylen);
    void (*free)(void *vectors);
    /* Appends the suite's cases. */
    void (*cases)(const struct tr_suite *self, const void *vectors,
                  const tr_suite_env *env, tr_cases *cs);
    /* TR_MODE_SHIM. prepare: after hello, before the first case (e.g.
     * adapt the vectors to the CRC the shim names). Returns 0, or 2 after a
     * message on stderr. request: the request of case `c` (the runner adds
     * "id"), or NULL with *unsupported set (caller frees) when the shim's
     * hello does not offer it. judge: the verdict on `resp`, the answer to
     * that request (its line `got` may be NULL), with the detail in
     * *detail (caller frees; empty only for PASS). */
    int (*prepare)(void *vectors, const tr_opts *o, const cJSON *hello);
    cJSON *(*request)(const void *vectors, const tr_case *c,
                      const cJSON *hello, char **unsupported);
    tr_verdict (*judge)(const void *vectors, const tr_case *c,
                        const cJSON *resp, const char *got, char **detail);
    /* TR_MODE_NODE: runs the suite's selected cases. Returns 0, or 2 when
     * the harness could not run (message printed). */
    int (*run)(tr_run *r, void *vectors);
} tr_suite;

/* The executable's suites, NULL-terminated (suites.c), at most
 * TR_MAX_SUITES. */
extern const tr_suite *const tr_suites[];
#define TR_MAX_SUITES 32

/* The URL given for node suite `s` (its own option, or --node), or NULL
 * when the command line has none. */
const char *tr_suite_url(const tr_opts *o, const tr_suite *s);

/* True when the hello `h` lists `protocol` in "protocols" (a hello without
 * "protocols" speaks "tamtam-core/1" only, spec/harness.md HP-3.3-c). */
bool tr_hello_speaks(const cJSON *h, const char *protocol);

/* A suite with its loaded vectors, as the drivers take them. */
typedef struct tr_loaded {
    const tr_suite *suite;
    void *vectors;
} tr_loaded;

/* The shim driver (driver.c): the harness's own cases around the shim
 * suites' cases. tr_harness_cases_first / _last append harness.unsupported
 * and harness.bad_request / harness.eof (a process shim only). */
void tr_harness_cases_first(tr_cases *cs);
void tr_harness_cases_last(tr_cases *cs, bool process_shim);
/* Starts the shim, checks hello, prepares every suite of `ls` (n of them)
 * whose protocol the shim speaks, and runs the selected cases in order: a
 * suite's case on a shim that does not speak its protocol is UNSUPPORTED.
 * Returns 0, or 2 when the harness could not run (message printed);
 * *impl receives the hello fields. */
int tr_shim_run(tr_run *r, const tr_loaded *ls, size_t n, cJSON **impl);

/* The Core Frame suites (codec.c, wire.c); both load the vector set with
 * tr_core_vectors_load (a tr_vectors) and free it with
 * tr_core_vectors_free. */
void *tr_core_vectors_load(const char *dir, char *why, size_t whylen);
void tr_core_vectors_free(void *vectors);
extern const tr_suite tr_core_codec_suite;
extern const tr_suite tr_core_wire_suite;
#define TR_CORE_PROTOCOL "tamtam-core/1"

/* The core codec suite's case kinds. */
typedef enum tr_codec_kind {
    TR_CODEC_DECODE,
    TR_CODEC_ENCODE,
    TR_CODEC_ENCODE_REFUSE,
    TR_CODEC_STREAM
} tr_codec_kind;

/* Appends the core codec cases of `v` to `cs`. */
void tr_codec_cases(const tr_vectors *v, tr_cases *cs);
/* Judges `resp`, the answer (as tr_shim_call returns it) to the request of
 * core codec case `c` (decode, encode, encode refusal or stream) on the
 * vectors `v`, its line `got` (may be NULL) quoted in the detail. Returns
 * PASS, FAIL, INFO or UNSUPPORTED, with the detail in *detail (caller
 * frees; empty only for PASS). */
tr_verdict tr_codec_judge(const tr_vectors *v, const tr_case *c,
                          const cJSON *resp, const char *got, char **detail);

/* ---- Several implementations at once: interop and fuzz (impls.c) ------------ */

#define TR_IMPL_NAME_MAX 32
#define TR_FUZZ_DEFAULT_ITERATIONS 1000

typedef struct tr_impl {
    char name[TR_IMPL_NAME_MAX + 1]; /* letters, digits, '-', '_' */
    const char *cmd;                 /* shim command, or a tcp:// unix:// URL */
    tr_shim shim;
} tr_impl;

typedef struct tr_multi { /* the command line of interop and fuzz */
    tr_opts o;     /* vectors, crc, timeout_ms, json, junit, verbose */
    tr_impl *impls; /* in --impl order; the first is the reference */
    size_t nimpls;
    bool started;  /* the shims are initialised (tr_multi_start) */
    uint64_t seed; /* 0..2^53-1 */
    bool seed_given;
    long random;     /* interop: random frames */
    long iterations; /* fuzz: 0 = bounded by seconds only */
    long seconds;    /* fuzz: 0 = bounded by iterations only */
    const char *out; /* fuzz: findings directory */
} tr_multi;

/* Parses the options after "interop" / "fuzz" (argv[0] is the subcommand).
 * Returns 0, or -1 with a message on stderr (exit 2). */
int tr_multi_parse(int argc, char **argv, bool fuzz, tr_multi *m);
/* Starts every implementation (hello). All must announce --crc when given;
 * with `same_crc`, all must announce the first one's variant (a note
 * otherwise). Sets *crc to the first one's. Returns 0, or -1 with a message
 * on stderr (exit 2). */
int tr_multi_start(tr_multi *m, bool same_crc, tt_crc *crc);
/* True when the implementation's hello lists `op`. */
bool tr_impl_has_op(const tr_impl *im, const char *op);
/* One request: restarts the shim if a failure stopped it, sends `req`,
 * reads the response with `read`. Returns 0 with `r` filled (TR_ANS_BAD
 * with the reason when the shim crashed, hung or broke the protocol), or -1
 * when the shim could not be started again (the run stops, exit 2). */
int tr_impl_call(tr_impl *im, tr_progress *p, cJSON *req,
                 void (*read)(const cJSON *, tr_reply *), tr_reply *r);
/* The reports' "implementations": [{"name","command", hello members...}]. */
cJSON *tr_multi_json(const tr_multi *m);
/* One line per implementation: name, impl, version, CRC. */
void tr_multi_print(const tr_multi *m);
void tr_multi_free(tr_multi *m);

/* The subcommands; argv[0] is "interop" / "fuzz". Return the exit status. */
int tr_interop_main(int argc, char **argv);
int tr_fuzz_main(int argc, char **argv);
/* tamtam-run report [--format text|markdown] [--failing] FILE.json
 * (report_read.c): prints a report's summary. Returns 0, or 2 when the file
 * cannot be read or is not a report (message on stderr). */
int tr_report_main(int argc, char **argv);

#endif
