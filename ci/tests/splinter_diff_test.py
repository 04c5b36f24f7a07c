#!/usr/bin/env python3
"""C x C# on the splinter/1 harness ops, until tamtam-run's Splinter codec
suite can run the interop matrix: the same fixed-seed requests piped to the
C reference shim (tamtam-node shim) and to the C# shim, answers compared
member by member. It judges no rule itself: it only reports where the two
implementations disagree.

Requests (seed 1): splinter.validate over envelope lines mutated character by
character (with TTL boundaries, allow-lists, escapes, surrogates, control
characters), splinter.reassemble over random chunk sequences (reordering,
duplicates, gaps, windows, deadlines with and without ttl_ms), splinter.fault
over mutated triggers. Compared: ok, error, fault, envelope, notes, payloads,
complete, faults; for splinter.fault the reply envelope without its "from"
(each service names itself). The free-text detail and the rule ID are not
compared (SP-7-b: tools compare the code).

Both modes need enough answers of each kind (valid envelopes, each fault,
completed streams, timeouts, chunk faults, replies) for the comparison to mean
something, and exit 0 when their expectation holds, 1 otherwise:
green: every answer agrees.
red:   (a C# shim with a seeded defect) they disagree, and every disagreement
    is of the kind EXPECT names: ttl_equal_late (a line arriving exactly at
    ts + ttl_ms, on time by the reference, answered 1001).

usage: splinter_diff_test.py green|red C_SHIM_CMD CSHARP_SHIM_CMD [EXPECT]
"""
import json
import random
import shlex
import subprocess
import sys

TS = "2026-01-01T00:00:00.000Z"
BASES = [
    '{"id":"0190b6e4-5c1a-7abc-8def-0123456789ab","ts":"2026-01-01T00:00:00.000Z","from":"chat",'
    '"to":"rag_server","type":"query","payload":{"q":[1,2.5e3,"x"]},"ttl_ms":5000,"trace":"t"}',
    '{"id":"a","ts":"2026-02-29T23:59:60.123456789+00:00","from":"chat","type":"error",'
    '"payload":{"code":1000,"symbol":"BAD_SCHEMA","detail":"d"}}',
    '{"id":"e","ts":"2024-02-29t10:00:00z","from":"x","type":"heartbeat","seq":0,"eof":true}',
    '{"id":"b","ts":"2026-01-01T00:00:00Z","from":"chat","type":"event","payload":null,'
    '"x":{"y":[[]]},"ttl_ms":0}',
    '{"id":"c","ts":"2026-01-01T00:00:00Z","from":"chat","type":"error","payload":{"code":7,"symbol":"S"}}',
]
ALPHABET = list('{}[]":,\\u0123456789.eE+-tfnrTZz ') + [
    '\\u0000', '\\ud800', '\\udc00', '\x01', '\u00e9', '"id"', '"from"', '"type"',
    '"seq":1', '"eof":false', '"ttl_ms":1', '\t', '\r', '\n']
NOWS = ["2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z",
        "2026-01-01T00:00:05.000000001Z", "2030-01-01T00:00:00Z"]
ALLOWS = [None, {"chat": ["rag_server", "*"]}, {"x": ["*"]}, {}]
COMPARED = ("ok", "error", "fault", "envelope", "notes", "payloads", "complete", "faults")


def mutate(rng, s):
    for _ in range(rng.randint(0, 3)):
        p = rng.randrange(len(s) + 1)
        if rng.random() < 0.45:
            s = s[:p] + rng.choice(ALPHABET) + s[p:]
        else:
            s = s[:p] + s[p + 1:]
    return s


def chunk(seq, eof, payload, **extra):
    d = {"id": "s", "ts": TS, "from": "chat", "type": "event", "payload": payload,
         "seq": seq, "eof": eof}
    d.update(extra)
    return json.dumps(d, separators=(",", ":"))


def requests():
    rng = random.Random(1)
    out = []
    for _ in range(1500):
        rq = {"op": "splinter.validate", "line": mutate(rng, rng.choice(BASES)),
              "now": rng.choice(NOWS)}
        allow = rng.choice(ALLOWS)
        if allow is not None:
            rq["allow"] = allow
        out.append(rq)
    for _ in range(500):
        n = rng.randint(1, 6)
        lines = []
        for _ in range(rng.randint(1, 9)):
            seq = rng.choice([rng.randrange(n + 1), rng.randrange(70), 64])
            extra = {}
            if rng.random() < 0.2:
                extra["ttl_ms"] = rng.choice([0, 500, 1000])
            if rng.random() < 0.1:
                extra["type"] = "query"
            if rng.random() < 0.2:
                extra["ts"] = rng.choice(["2026-01-01T00:00:01Z", "2026-01-01T00:00:40Z"])
            eof = seq == n - 1 if rng.random() < 0.9 else rng.random() < 0.5
            lines.append(chunk(seq, eof, rng.choice([seq, {"a": seq}, "x", None]), **extra))
        out.append({"op": "splinter.reassemble", "lines": lines,
                    "now": rng.choice(["2026-01-01T00:00:00.5Z", "2026-01-01T00:00:01Z",
                                       "2026-01-01T00:00:31Z", "2026-01-01T00:01:31Z"])})
    triggers = ['{"id":"q1","ts":"2026-01-01T00:00:00Z","from":"chat","type":"query","payload":1}',
                '{"id":"x","from":"chat","type":"error"}', '{"from":"c","id":"\\u00e9"}',
                '{"id":"a","from":"b","type":"nope"}']
    for _ in range(500):
        rq = {"op": "splinter.fault", "trigger": mutate(rng, rng.choice(triggers)),
              "fault": rng.choice([1000, 1001, 2000, 3000, 4100, 4200, 5000, 4000]),
              "now": "2026-01-01T00:00:00.5Z"}
        if rng.random() < 0.5:
            rq["detail"] = 'd/"x"'
        out.append(rq)
    for i, rq in enumerate(out):
        rq["id"] = i + 1
    return out


def run(cmd, data):
    try:
        r = subprocess.run(cmd, shell=True, input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
    except subprocess.TimeoutExpired:
        print("FAIL: %s gave no answer within 300 s" % cmd)
        sys.exit(1)
    answers = []
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        try:
            answers.append(json.loads(line))
        except ValueError:
            answers.append({"unparsable": line[:200]})
    return r.returncode, answers


def comparable(rq, a):
    k = {m: a.get(m) for m in COMPARED}
    if rq["op"] == "splinter.fault" and isinstance(k["envelope"], dict):
        k["envelope"] = {m: v for m, v in k["envelope"].items() if m != "from"}
    return k


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("green", "red"):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    mode, c_cmd, cs_cmd = sys.argv[1:4]
    expect = sys.argv[4] if len(sys.argv) == 5 else None
    reqs = requests()
    hello = json.dumps({"id": 0, "op": "hello", "version": 1})
    data = ("\n".join([hello] + [json.dumps(r) for r in reqs]) + "\n").encode()
    failed = []
    answers = {}
    for name, cmd in (("c", c_cmd), ("csharp", cs_cmd)):
        rc, ans = run(cmd, data)
        if rc != 0:
            failed.append("%s shim exited %d" % (name, rc))
        if len(ans) != len(reqs) + 1:
            failed.append("%s shim answered %d of %d requests" % (name, len(ans), len(reqs) + 1))
            continue
        if "splinter/1" not in (ans[0].get("protocols") or []):
            failed.append("%s shim's hello does not list splinter/1: %s" % (name, json.dumps(ans[0])))
        answers[name] = ans[1:]
    if failed:
        for f in failed:
            print("FAIL: " + f)
        return 1

    diffs = []
    for rq, a, b in zip(reqs, answers["c"], answers["csharp"]):
        if comparable(rq, a) != comparable(rq, b):
            diffs.append((rq, a, b))
    c = answers["c"]
    counts = {
        "valid envelopes": sum(1 for r, a in zip(reqs, c) if r["op"] == "splinter.validate" and a.get("ok")),
        "faults 1000": sum(1 for a in c if a.get("fault") == 1000),
        "faults 1001": sum(1 for a in c if a.get("fault") == 1001),
        "faults 2000": sum(1 for a in c if a.get("fault") == 2000),
        "faults 3000": sum(1 for a in c if a.get("fault") == 3000),
        "complete streams": sum(1 for a in c if a.get("complete") is True),
        "stream timeouts": sum(1 for a in c if a.get("fault") == 4200),
        "chunk faults": sum(len(a.get("faults") or []) for a in c),
        "duplicate notes": sum(len(a.get("notes") or []) for r, a in zip(reqs, c)
                               if r["op"] == "splinter.reassemble"),
        "fault replies": sum(1 for r, a in zip(reqs, c) if r["op"] == "splinter.fault" and a.get("ok")),
        "no_reply": sum(1 for a in c if a.get("error") == "no_reply"),
    }
    print("%d requests; the C reference answered: %s" % (
        len(reqs), ", ".join("%s %d" % kv for kv in counts.items())))
    thin = [k for k, v in counts.items() if v < 5]
    for rq, a, b in diffs[:10]:
        print("disagree: %s\n  c:      %s\n  csharp: %s" % (
            json.dumps(rq)[:300], json.dumps(a)[:300], json.dumps(b)[:300]))
    print("%d disagreements" % len(diffs))

    status = 0
    if thin:
        print("FAIL: too few answers of kind %s to mean anything" % ", ".join(thin))
        status = 1
    if mode == "green":
        if diffs:
            print("FAIL: the C and C# implementations disagree")
            status = 1
        return status
    # red: disagreements, each of the seeded kind.
    if not diffs:
        print("FAIL: the seeded C# shim agrees with the reference everywhere")
        return 1
    if expect == "ttl_equal_late":
        stray = [d for d in diffs
                 if not (d[0]["op"] == "splinter.validate" and d[1].get("ok") is True
                         and d[2].get("fault") == 1001)]
        if stray:
            print("FAIL: %d disagreements are not the seeded TTL defect, e.g. %s" % (
                len(stray), json.dumps(stray[0][0])[:300]))
            return 1
        print("ok   every disagreement is a line on time by the reference answered 1001 by the seeded shim")
    return status


if __name__ == "__main__":
    sys.exit(main())
