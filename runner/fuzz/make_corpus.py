#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_shim_reply (corpus/shim_reply/): reply
lines as a shim writes them, each the answer to request id 1.

  make_corpus.py [SHIM_CMD...]

- pinned-*: the answers of spec/harness.md (sections 3 and 9), id set to 1;
- real-<shim>-*: what each SHIM_CMD (e.g. "build/bin/tamtam-node shim",
  "mono build/bin/tamtam-cs-shim.exe") answers to the runner's requests for
  the cases the target judges (the requests tamtam-run sends on the
  fixtures; a real-cs-* file is kept only where it differs from node's);
- nasty-*: lines a broken shim might write: deep nesting, huge and
  NaN-like numbers, wrong types, duplicate members, NUL bytes, invalid
  UTF-8, 1 MB strings, wide arrays, trailing bytes.

fuzz-<sha1> files are the units libFuzzer added that reach code the seeds do
not (-merge=1 of a 600 s run into the seeds); found crashes would be kept as
crash-*. This script leaves both alone."""
import json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus", "shim_reply")

# The runner's requests for the fixture cases the target judges (tamtam-run
# -v on runner/tests/fixtures), id 1.
REQUESTS = {
    "unsupported": {"op": "x-tamtam-runner-unknown-op"},
    "decode-cf-example-1": {"op": "decode", "hex": "20100710000301020300000000000000000000000000"},
    "decode-cf-example-2": {"op": "decode", "hex": "201807123407000301020300000000000000000000000000"},
    "decode-cf-crc-byte": {"op": "decode", "hex": "20100711000301020300000000000000000000000000"},
    "decode-cf-trunc-1": {"op": "decode", "hex": "20"},
    "decode-cf-reserved": {"op": "decode", "hex": "ff100157000142000000000000000000000000000000"},
    "encode-cf-example-1": {"op": "encode", "frame": {
        "class": 2, "direction": 0, "size_id": 1, "big": False, "ack": False, "priority": False,
        "ext": False, "channel": 7, "dest": None, "payload": "010203"}},
    "encode-cf-used-17": {"op": "encode", "frame": {
        "class": 2, "direction": 0, "size_id": 1, "big": False, "ack": False, "priority": False,
        "ext": False, "channel": 7, "dest": None, "payload": "00" * 17}},
    "stream-cs-spec-example": {"op": "stream", "chunks": [
        "000000000000201007110003010203000000000000000000000000002010071000030102030000000000"
        "00000000000000002010"]},
    "stream-cs-used-skip": {"op": "stream", "chunks": [
        "201007", "00001100000000000000000000000000000000", "20180712340700030102",
        "0300000000000000000000000000000000000000"]},
}

written = set()


def put(name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data + b"\n")
    written.add(name)


def pinned():
    text = open(os.path.join(ROOT, "spec", "harness.md"), encoding="utf-8").read()
    n = 0
    for line in text.splitlines():
        if line.startswith("\u2190 ") and "\u2026" not in line:
            n += 1
            put("pinned-%d" % n, re.sub(r'"id":\d+', '"id":1', line[2:]))


def real(cmd):
    name = "node" if "tamtam-node" in cmd else "cs" if "cs-shim" in cmd else \
        re.sub(r"[^a-z0-9]+", "-", os.path.basename(cmd.split()[0]).lower())
    hello = json.dumps({"id": 1000, "op": "hello", "version": 1})
    def ask(lines, nth):
        out = subprocess.run(cmd, shell=True, input="".join(l + "\n" for l in lines).encode(),
                             capture_output=True, timeout=120).stdout
        return out.split(b"\n")[nth]
    answers = {"hello": ask([json.dumps({"id": 1, "op": "hello", "version": 1})], 0),
               "bad_request": ask([hello, "this line is not JSON {"], 1)}
    for case, req in REQUESTS.items():
        answers[case] = ask([hello, json.dumps(dict({"id": 1}, **req), separators=(",", ":"))], 1)
    for case, line in answers.items():
        file = "real-%s-%s" % (name, case)
        node = os.path.join(OUT, "real-node-" + case)
        if name != "node" and os.path.exists(node) and open(node, "rb").read() == line + b"\n":
            continue
        put(file, line)


FRAME = ('{"class":2,"direction":0,"size_id":1,"big":false,"ack":false,"priority":false,'
         '"ext":false,"channel":7,"dest":null,"crc":16,"used_len":3,"payload":"010203"}')
DECODE = '{"id":1,"ok":true,"consumed":22,"frame":%s}' % FRAME


def nasty():
    # Nesting at cJSON's limit (1000) and past it, arrays and objects.
    put("nasty-nesting-array-999", '{"id":1,"ok":true,"x":' + "[" * 998 + "]" * 998 + "}")
    put("nasty-nesting-array-1001", '{"id":1,"ok":true,"x":' + "[" * 1001 + "]" * 1001 + "}")
    put("nasty-nesting-object", '{"id":1,"ok":true,"x":' + '{"a":' * 999 + "0" + "}" * 999 + "}")
    put("nasty-nesting-events", '{"id":1,"ok":true,"events":[' + "[" * 990 + "]" * 990 + '],"pending":0}')
    # Numbers: huge, tiny, negative zero, beyond 2^53, fractions, NaN-like.
    for tag, num in [("1e400", "1e400"), ("neg-1e400", "-1e400"), ("1e308", "1e308"),
                     ("2p53plus1", "9007199254740993"), ("neg-zero", "-0"), ("fraction", "22.5"),
                     ("exp", "2.2e1"), ("tiny", "1e-400"), ("long", "2" + "0" * 400),
                     ("NaN", "NaN"), ("Infinity", "Infinity"), ("neg-Infinity", "-Infinity"),
                     ("hex", "0x16"), ("plus", "+22"), ("octal", "026")]:
        put("nasty-consumed-" + tag, DECODE.replace('"consumed":22', '"consumed":' + num))
        put("nasty-id-" + tag, DECODE.replace('"id":1', '"id":' + num))
        put("nasty-pending-" + tag, '{"id":1,"ok":true,"events":[],"pending":%s}' % num)
        put("nasty-offset-" + tag,
            '{"id":1,"ok":true,"events":[{"error":"crc_mismatch","offset":%s}],"pending":0}' % num)
    put("nasty-id-1.0", DECODE.replace('"id":1', '"id":1.0'))
    put("nasty-id-1e0", DECODE.replace('"id":1', '"id":1e0'))
    put("nasty-id-near-1", DECODE.replace('"id":1', '"id":1.0000000000000002'))
    put("nasty-frame-channel-1e9", DECODE.replace('"channel":7', '"channel":1e9'))
    put("nasty-frame-used-len-huge", DECODE.replace('"used_len":3', '"used_len":18446744073709551616'))
    # Wrong types for every member the runner reads.
    for tag, old, new in [("ok-string", '"ok":true', '"ok":"true"'), ("ok-number", '"ok":true', '"ok":1'),
                          ("ok-null", '"ok":true', '"ok":null'), ("consumed-string", '"consumed":22', '"consumed":"22"'),
                          ("id-string", '"id":1', '"id":"1"'),
                          ("id-null", '"id":1', '"id":null'), ("id-bool", '"id":1', '"id":true'),
                          ("dest-string", '"dest":null', '"dest":"null"'), ("big-number", '"big":false', '"big":0'),
                          ("payload-odd", '"payload":"010203"', '"payload":"01020"'),
                          ("payload-nonhex", '"payload":"010203"', '"payload":"01020g"'),
                          ("payload-upper", '"payload":"010203"', '"payload":"0A0B0C"'),
                          ("crc-negative", '"crc":16', '"crc":-16'), ("class-16", '"class":2', '"class":16')]:
        put("nasty-type-" + tag, DECODE.replace(old, new, 1))
    put("nasty-type-frame-array", DECODE.replace('"frame":{', '"frame":[{')[:-1] + "]}")
    for tag, line in [("error-number", '{"id":1,"ok":false,"error":5}'),
                      ("error-null", '{"id":1,"ok":false,"error":null}'),
                      ("error-missing", '{"id":1,"ok":false}'),
                      ("error-object", '{"id":1,"ok":false,"error":{"name":"truncated"}}'),
                      ("hex-number", '{"id":1,"ok":true,"hex":123}'),
                      ("hex-array", '{"id":1,"ok":true,"hex":["20","10"]}'),
                      ("hex-odd", '{"id":1,"ok":true,"hex":"201"}'),
                      ("hex-too-long", '{"id":1,"ok":true,"hex":"%s"}' % ("00" * 8201)),
                      ("events-object", '{"id":1,"ok":true,"events":{},"pending":0}'),
                      ("events-numbers", '{"id":1,"ok":true,"events":[1,2,3],"pending":0}'),
                      ("events-error-name", '{"id":1,"ok":true,"events":[{"error":"truncated","offset":0}],"pending":0}'),
                      ("events-both", '{"id":1,"ok":true,"events":[{"frame":%s,"error":"crc_mismatch","offset":0}],"pending":0}' % FRAME),
                      ("events-frame-null", '{"id":1,"ok":true,"events":[{"frame":null}],"pending":0}'),
                      ("pending-string", '{"id":1,"ok":true,"events":[],"pending":"2"}'),
                      ("hello-ops-numbers", '{"id":1,"ok":true,"impl":"x","impl_version":"1","crc":"smbus","ops":[1,2]}'),
                      ("hello-ops-string", '{"id":1,"ok":true,"impl":"x","impl_version":"1","crc":"smbus","ops":"decode"}'),
                      ("hello-crc-unknown", '{"id":1,"ok":true,"impl":"x","impl_version":"1","crc":"CRC-8/NOPE","ops":[]}'),
                      ("hello-impl-number", '{"id":1,"ok":true,"impl":1,"impl_version":"1","crc":"rohc","ops":["decode"]}'),
                      ("top-array", '[{"id":1,"ok":true}]'), ("top-null", "null"), ("top-number", "1"),
                      ("top-string", '"{\\"id\\":1}"'), ("empty", ""), ("spaces", "   \t  ")]:
        put("nasty-type-" + tag, line)
    # Duplicate members, at the top, in a frame, in an event, escaped alike.
    put("nasty-dup-ok", '{"id":1,"ok":false,"error":"crc_mismatch","ok":true}')
    put("nasty-dup-error", '{"id":1,"ok":false,"error":"truncated","error":"crc_mismatch"}')
    put("nasty-dup-id", '{"id":1,"id":2,"ok":false,"error":"truncated"}')
    put("nasty-dup-frame-member", DECODE.replace('"channel":7', '"channel":7,"channel":8'))
    put("nasty-dup-escaped", '{"id":1,"ok":false,"error":"truncated","\\u0065rror":"crc_mismatch"}')
    put("nasty-dup-event", '{"id":1,"ok":true,"events":[{"error":"crc_mismatch","offset":0,"offset":5}],"pending":0}')
    put("nasty-dup-wide", '{"id":1,"ok":true,' + ",".join('"k%d":0' % i for i in range(3000)) + ',"k17":1}')
    # NUL bytes: raw after the object, raw in a string, escaped in a name.
    put("nasty-nul-after", '{"id":1,"ok":false,"error":"truncated"}\0garbage')
    put("nasty-nul-in-string", '{"id":1,"ok":false,"error":"trunc\0ated"}')
    put("nasty-nul-escaped", '{"id":1,"ok":false,"error":"truncated\\u0000 (or not)"}')
    put("nasty-nul-escaped-key", '{"id":1,"ok":false,"error":"truncated","a\\u0000b":1}')
    put("nasty-backslash-u0000-text", '{"id":1,"ok":false,"error":"\\\\u0000"}')
    put("nasty-escaped-name", '{"id":1,"ok":false,"error":"\\u0074runcated"}')
    # Invalid UTF-8 and surrogates.
    put("nasty-utf8-invalid", b'{"id":1,"ok":false,"error":"trunc\xff\xfeated"}')
    put("nasty-utf8-overlong", b'{"id":1,"ok":false,"error":"\xc0\xaftruncated"}')
    put("nasty-utf8-cut", b'{"id":1,"ok":false,"error":"truncated\xe2\x82"}')
    put("nasty-surrogate-lone", '{"id":1,"ok":false,"error":"\\ud800truncated"}')
    put("nasty-surrogate-pair", '{"id":1,"ok":false,"error":"\\ud83d\\ude00"}')
    put("nasty-utf8-in-hello", b'{"id":1,"ok":true,"impl":"\xe2\x98\x83\xff","impl_version":"\x1b[31m","crc":"smbus","ops":[]}')
    # 1 MB strings where a short one belongs, and beside a right answer.
    mb = "a" * (1 << 20)
    put("nasty-1mb-error", '{"id":1,"ok":false,"error":"%s"}' % mb)
    put("nasty-1mb-hex", '{"id":1,"ok":true,"hex":"%s"}' % ("20" * (1 << 19)))
    put("nasty-1mb-payload", DECODE.replace('"payload":"010203"', '"payload":"%s"' % ("01" * (1 << 19))))
    put("nasty-1mb-unknown-member", DECODE[:-1] + ',"x":"%s"}' % mb)
    put("nasty-1mb-key", '{"id":1,"ok":false,"error":"truncated","%s":0}' % mb)
    put("nasty-1mb-escapes", '{"id":1,"ok":false,"error":"%s"}' % ("\\u0041" * (1 << 17)))
    # Wide arrays: many events, many numbers, many empty objects.
    ev = '{"error":"crc_mismatch","offset":0}'
    put("nasty-wide-events", '{"id":1,"ok":true,"events":[%s],"pending":0}' % ",".join([ev] * 30000))
    put("nasty-wide-frames", '{"id":1,"ok":true,"events":[%s],"pending":0}' % ",".join(['{"frame":%s}' % FRAME] * 3000))
    put("nasty-wide-numbers", DECODE[:-1] + ',"x":[%s]}' % ",".join(["0"] * 200000))
    put("nasty-wide-objects", DECODE[:-1] + ',"x":[%s]}' % ",".join(["{}"] * 100000))
    # Bytes after the object, several objects, CR LF, a cut line.
    put("nasty-trailing-garbage", '{"id":1,"ok":false,"error":"truncated"} x')
    put("nasty-trailing-brace", '{"id":1,"ok":false,"error":"truncated"}}')
    put("nasty-two-objects", '{"id":1,"ok":false,"error":"truncated"}{"id":1,"ok":true}')
    put("nasty-trailing-space", '{"id":1,"ok":false,"error":"truncated"}  \t')
    put("nasty-crlf", '{"id":1,"ok":false,"error":"truncated"}\r')
    put("nasty-cut", DECODE[:-40])
    put("nasty-two-lines", '{"id":1,"ok":false,"error":"truncated"}\n{"id":1,"ok":true}')
    put("nasty-leading-bom", b'\xef\xbb\xbf{"id":1,"ok":false,"error":"truncated"}')


def main():
    os.makedirs(OUT, exist_ok=True)
    pinned()
    for cmd in sys.argv[1:]:
        real(cmd)
    nasty()
    print("wrote %d seeds to %s" % (len(written), OUT))


if __name__ == "__main__":
    main()
