#!/usr/bin/env python3
"""An independent Splinter envelope validator and stream reassembler,
written from spec/splinter-envelope.md alone (no libsplinter, python3's json
module), checked against every vector of splinter-envelope.json and
splinter-stream.json: a second opinion beside `tamtam-vectors verify`.

    python3 splinter_check.py DIR

For an envelope vector it compares the verdict (valid and the envelope, or
the fault code) and the info notes; for a stream vector the payloads in
order, `complete`, each chunk's fault (index and code), the duplicate notes
and the stream's 4200. The failing rule ("rule") is not compared: SP-7-b
lets tools differ there. Exits 1 naming each disagreement, 0 when there is
none. Standard library only.
"""
import json
import os
import re
import sys

LINE_MAX = 1048576          # SP-2-f
DEPTH_MAX = 64              # SP-2-e
NUMBER_MAX = 63             # SP-2-c
ID_MAX = 128                # SP-3.1-b
TTL_MAX = 2 ** 53 - 1       # SP-3.2-b
SEQ_MAX = 2 ** 32 - 1       # SP-3.2-d
CODE_MAX = 2 ** 31 - 1      # SP-4-d
TYPES = ("query", "response", "event", "error", "heartbeat")  # SP-4-a
KNOWN = ("id", "ts", "from", "to", "type", "payload", "ttl_ms", "trace",
         "seq", "eof")
FAULTS = {1000: "BAD_SCHEMA", 1001: "TTL_EXPIRED", 2000: "NOT_AUTHORIZED",
          3000: "UNKNOWN_TYPE", 4100: "BACKPRESSURE", 4200: "STREAM_TIMEOUT",
          5000: "INTERNAL_ERROR"}  # 9.1
WINDOW = 64                 # SP-8-d
STREAM_TIMEOUT_MS = 30000   # SP-8-g
STREAM_BYTES_MAX = 4 * 1024 * 1024  # SP-8-h
NS = 10 ** 9

TS_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})"
                   r":([0-9]{2})(?:\.([0-9]{1,9}))?(?:Z|z|\+00:00)")  # SP-5
UUID7_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-"
                      r"[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}")  # SP-3.1-c
DIGITS_RE = re.compile(r"0|[1-9][0-9]*")  # SP-3.4-a


class Fault(Exception):
    def __init__(self, code, why):
        super().__init__(why)
        self.code = code


class Num:
    """A JSON number as written: the digits matter (SP-3.4-a)."""
    def __init__(self, text):
        if len(text) > NUMBER_MAX:
            raise Fault(1000, "number longer than 63 characters (SP-2-c)")
        self.text = text

    def value(self):
        return float(self.text)


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_ts(s):
    """SP-5-a..e: nanoseconds since the epoch, or None."""
    m = TS_RE.fullmatch(s) if isinstance(s, str) else None
    if not m:
        return None
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    mdays = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if not (1 <= mo <= 12 and 1 <= d <= mdays[mo - 1] and h <= 23 and
            mi <= 59 and (sec <= 59 or (sec == 60 and h == 23 and mi == 59))):
        return None
    frac = int((m.group(7) or "").ljust(9, "0"))
    return ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec)
            * NS + frac)


def check_text(v, depth):
    """SP-2-b (escaped surrogates), SP-2-e, SP-2-g over a parsed value."""
    if depth > DEPTH_MAX:
        raise Fault(1000, "deeper than 64 (SP-2-e)")
    strings = []
    if isinstance(v, str):
        strings = [v]
    elif isinstance(v, dict):
        strings = list(v)
        for x in v.values():
            check_text(x, depth + 1 if isinstance(x, (dict, list)) else depth)
    elif isinstance(v, list):
        for x in v:
            check_text(x, depth + 1 if isinstance(x, (dict, list)) else depth)
    for s in strings:
        if "\0" in s:
            raise Fault(1000, "escaped NUL (SP-2-g)")
        if any(0xD800 <= ord(c) <= 0xDFFF for c in s):
            raise Fault(1000, "lone escaped surrogate (SP-2-b)")


def no_duplicates(pairs):
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names):
        raise Fault(1000, "duplicate member name (SP-2-d)")
    return dict(pairs)


def bad_constant(name):
    raise Fault(1000, f"{name} is not JSON (SP-2-c)")


def integer(v, top, what):
    if not isinstance(v, Num) or not DIGITS_RE.fullmatch(v.text) or \
            int(v.text) > top:
        raise Fault(1000, f"{what} is not an integer 0..{top} (SP-3.4-a)")
    return int(v.text)


def validate(line, allow, now):
    """Judges one line (bytes, without its LF) as SP-7-a orders it. Returns
    (envelope as parsed, notes), or raises Fault."""
    if len(line) > LINE_MAX:
        raise Fault(1000, "longer than 1 MiB (SP-2-f)")
    try:
        text = line.decode("utf-8")  # strict: no overlong, surrogate, >10FFFF
    except UnicodeDecodeError:
        raise Fault(1000, "invalid UTF-8 (SP-2-b)")
    if text.endswith("\r"):
        text = text[:-1]  # the CR of a CR LF terminator (SP-2-a)
    try:
        env = json.loads(text, object_pairs_hook=no_duplicates,
                         parse_int=Num, parse_float=Num,
                         parse_constant=bad_constant)
    except ValueError:  # json's errors, BOM, text around the object
        raise Fault(1000, "not one JSON text (SP-2-a, SP-2-c, SP-2-h)")
    except RecursionError:
        raise Fault(1000, "too deep (SP-2-e)")
    if not isinstance(env, dict):
        raise Fault(1000, "not an object (SP-2-h)")
    check_text(env, 1)
    # Stage 1, members (SP-3).
    for k in ("id", "ts", "from", "type"):
        if k not in env:
            raise Fault(1000, f"no {k} (SP-3.1-a)")
    if not isinstance(env["id"], str) or \
            not 1 <= len(env["id"].encode()) <= ID_MAX:
        raise Fault(1000, "id (SP-3.1-b)")
    ts = parse_ts(env["ts"])
    if ts is None:
        raise Fault(1000, "ts (SP-3.1-d, SP-5)")
    if not isinstance(env["from"], str) or not env["from"]:
        raise Fault(1000, "from (SP-3.1-e)")
    if "to" in env and (not isinstance(env["to"], str) or not env["to"]):
        raise Fault(1000, "to (SP-3.2-a)")
    if not isinstance(env["type"], str):
        raise Fault(1000, "type (SP-3.1-f)")
    ttl = integer(env["ttl_ms"], TTL_MAX, "ttl_ms") if "ttl_ms" in env \
        else None
    if "trace" in env and not isinstance(env["trace"], str):
        raise Fault(1000, "trace (SP-3.2-c)")
    if "seq" in env:
        integer(env["seq"], SEQ_MAX, "seq")
    if "eof" in env and not isinstance(env["eof"], bool):
        raise Fault(1000, "eof (SP-3.2-d)")
    if ("seq" in env) != ("eof" in env):
        raise Fault(1000, "seq without eof or eof without seq (SP-3.2-e)")
    # Stage 2 (SP-4-a), stage 3 (SP-4-b, SP-4-d, SP-4-e).
    if env["type"] not in TYPES:
        raise Fault(3000, "unknown type (SP-4-a)")
    if "payload" not in env and env["type"] != "heartbeat":
        raise Fault(1000, "no payload (SP-4-b)")
    notes = []
    if not UUID7_RE.fullmatch(env["id"]):
        notes.append("id_not_uuidv7")
    if env["type"] == "error":
        p = env["payload"]
        if not isinstance(p, dict) or "code" not in p or \
                not isinstance(p.get("symbol"), str) or \
                ("detail" in p and not isinstance(p["detail"], str)):
            raise Fault(1000, "error payload (SP-4-d)")
        code = integer(p["code"], CODE_MAX, "code")
        if code in FAULTS and p["symbol"] != FAULTS[code]:
            raise Fault(1000, "symbol of another code (SP-4-e)")
        if code not in FAULTS:
            notes.append("unknown_fault_code")
    # Stage 4 (SP-6-b), stage 5 (SP-5.1-a).
    if allow is not None and env.get("to", "*") not in allow.get(env["from"],
                                                                 []):
        raise Fault(2000, "not in the allow-list (SP-6-b)")
    if now is not None and ttl is not None and now > ts + ttl * 10 ** 6:
        raise Fault(1001, "arrived after ts + ttl_ms (SP-5.1-a)")
    if any(k not in KNOWN for k in env):
        notes.append("unknown_member")
    return env, notes


def plain(v):
    """A parsed value with numbers as floats, objects as member lists (their
    order counts for chunk payloads, SP-8-e)."""
    if isinstance(v, Num):
        return float(v.text)
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dict):
        return [(k, plain(x)) for k, x in v.items()]
    return [plain(x) for x in v]


def unordered(v):
    """Objects compared by member name (the envelope)."""
    if isinstance(v, dict):
        return {k: unordered(x) for k, x in v.items()}
    if isinstance(v, list):
        return [unordered(x) for x in v]
    return plain(v)


def compact_len(p):
    """Bytes of the compact JSON text of a payload (SP-8-h): numbers as
    written, strings escaped minimally."""
    if isinstance(p, Num):
        return len(p.text)
    if isinstance(p, dict):
        return 1 + sum(compact_len(k) + 1 + compact_len(x)
                       for k, x in p.items()) + max(len(p) - 1, 0) + 1
    if isinstance(p, list):
        return 2 + sum(compact_len(x) for x in p) + max(len(p) - 1, 0)
    return len(json.dumps(p, ensure_ascii=False).encode())


class Stream:
    def __init__(self, env, arrival):
        self.type = env["type"]
        ttl = env.get("ttl_ms")
        self.deadline = (parse_ts(env["ts"]) + int(ttl.text) * 10 ** 6
                         if ttl is not None
                         else arrival + STREAM_TIMEOUT_MS * 10 ** 6)
        self.base, self.eof_seq = 0, None
        self.held, self.done = {}, {}  # seq -> (payload, eof)
        self.complete = self.timed_out = False


def reassemble(lines, now):
    """Runs a stream vector's lines (each arriving at its own ts, no TTL
    check) and judges the deadline at `now`. Returns (payloads, complete,
    faults [(index, code)], dups [index], timeout)."""
    streams, payloads, faults, dups = {}, [], [], []
    key = None
    for i, line in enumerate(lines):
        try:
            env, _ = validate(line.encode(), None, None)
        except Fault as f:
            faults.append((i, f.code))
            continue
        arrival = parse_ts(env["ts"])
        for k, s in list(streams.items()):  # SP-8-g, SP-8-i
            if arrival > s.deadline:
                if s.complete:
                    del streams[k]
                else:
                    s.timed_out = True
        k = (env["from"], env["id"])
        key = key or k
        s = streams.get(k)
        if s is not None and s.timed_out:
            s = None  # given up; a new chunk opens a new stream
        fresh = s is None
        if fresh:
            s = Stream(env, arrival)
        seq, eof = int(env["seq"].text), env["eof"]
        p = plain(env.get("payload"))
        code = None
        if env["type"] != s.type:
            code = 1000  # SP-8-a
        elif s.complete or (s.eof_seq is not None and seq > s.eof_seq) or \
                (eof and s.eof_seq is not None and seq != s.eof_seq):
            code = 1000  # SP-8-f: after eof, second eof
        elif seq < s.base:
            if s.base - seq > WINDOW or s.done.get(seq) != (p, eof):
                code = 1000  # SP-8-f: too old, or a conflicting duplicate
            else:
                dups.append(i)  # SP-8-e
                continue
        elif seq - s.base >= WINDOW:
            code = 1000  # SP-8-f: past the window
        elif seq in s.held:
            if s.held[seq][:2] != (p, eof):
                code = 1000
            else:
                dups.append(i)
                continue
        elif eof and any(x > seq for x in s.held):
            code = 1000  # SP-8-f: a seq above the eof chunk
        elif sum(h[2] for h in s.held.values()) + \
                compact_len(env.get("payload")) > STREAM_BYTES_MAX:
            code = 4100  # SP-8-h
        if code:
            faults.append((i, code))
            continue
        if fresh:
            streams[k] = s
        s.held[seq] = (p, eof, compact_len(env.get("payload")))
        if eof:
            s.eof_seq = seq
        while s.base in s.held:  # SP-8-c
            hp, he, _ = s.held.pop(s.base)
            payloads.append(hp)
            s.done[s.base] = (hp, he)
            s.done.pop(s.base - WINDOW, None)
            s.base += 1
        if s.eof_seq is not None and s.base == s.eof_seq + 1:
            s.complete = True
    s = streams.get(key)
    complete = bool(s and s.complete and not s.timed_out)
    timeout = any((x.timed_out or now > x.deadline) and not x.complete
                  for x in streams.values())
    return payloads, complete and not timeout, faults, dups, timeout


def main(d):
    failures = 0

    def fail(vid, why):
        nonlocal failures
        failures += 1
        print(f"FAIL {vid}: {why}")

    with open(os.path.join(d, "splinter-envelope.json")) as f:
        envs = json.load(f)["vectors"]
    for v in envs:
        line = v["line"].encode() if "line" in v else \
            bytes.fromhex(v["line_hex"])
        try:
            env, notes = validate(line, v.get("allow"), parse_ts(v["now"]))
        except Fault as f:
            if v["expect"] != "fault" or v["fault"] != f.code or \
                    v["symbol"] != FAULTS[f.code]:
                fail(v["id"], f"this checker says {f.code}: {f}")
            continue
        if v["expect"] != "valid":
            fail(v["id"], f"this checker says valid, the vector {v['fault']}")
        elif unordered(env) != unordered(v["envelope"]):
            fail(v["id"], "the envelope differs")
        elif notes != v["notes"]:
            fail(v["id"], f"notes {notes}, the vector {v['notes']}")
    with open(os.path.join(d, "splinter-stream.json")) as f:
        streams = json.load(f)["vectors"]
    for v in streams:
        payloads, complete, faults, dups, timeout = reassemble(
            v["lines"], parse_ts(v["now"]))
        if payloads != [plain(p) for p in v["payloads"]]:
            fail(v["id"], "the payloads differ")
        if complete != v["complete"]:
            fail(v["id"], f"complete is {complete}")
        if faults != [(x["index"], x["fault"]) for x in v["faults"]]:
            fail(v["id"], f"chunk faults {faults}")
        if dups != [x["index"] for x in v["notes"]]:
            fail(v["id"], f"duplicates at {dups}")
        if timeout != (v["expect"] == "fault"):
            fail(v["id"], f"timeout is {timeout}")
    print(f"splinter check: {len(envs)} envelope and {len(streams)} stream "
          f"vectors, {failures} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: splinter_check.py DIR")
    sys.exit(main(sys.argv[1]))
