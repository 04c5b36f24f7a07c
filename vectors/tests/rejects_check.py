#!/usr/bin/env python3
"""Proves that `tamtam-vectors verify` (and independent_check.py) fail on
broken vector sets: each case breaks one thing in a copy of the set and
expects exit status 1 (2 where the set cannot be read at all) and a message
naming what is wrong. Then hostile sets (any JSON value replaced by one of
the wrong type or range, seeded) must never crash verify (run under ASan in
the sanitizer build).

    python3 rejects_check.py TAMTAM_VECTORS SPEC VECTORS_DIR
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def load(d, name):
    with open(os.path.join(d, name)) as f:
        return json.load(f)


def replace(path):
    """Opens `path` for writing as a new file: the case copies are hard
    links to the clean copy, which must stay untouched."""
    if os.path.exists(path):
        os.unlink(path)
    return open(path, "w" if path.endswith((".json", ".md")) else "wb")


def save(d, name, doc):
    with replace(os.path.join(d, name)) as f:
        json.dump(doc, f)


def vec(doc, vid):
    return next(v for v in doc["vectors"] if v["id"] == vid)


def edit(name, fn):
    """A case that edits one JSON file of the set."""
    def apply(d, spec):
        doc = load(d, name)
        fn(doc)
        save(d, name, doc)
    return apply


def frames(fn):
    return edit("core-frame.json", fn)


def sp_env(fn):
    return edit("splinter-envelope.json", fn)


def sp_streams(fn):
    return edit("splinter-stream.json", fn)


def sp_missed_timeout(doc):
    v = vec(doc, "ss-timeout-no-ttl")
    v["expect"] = "ok"
    del v["fault"], v["symbol"]


def streams(fn):
    return edit("core-stream.json", fn)


def write_bin(rel, data):
    def apply(d, spec):
        with replace(os.path.join(d, rel)) as f:
            f.write(data)
    return apply


def extra_spec_id(d, spec):
    with open(spec) as f:
        text = f.read()
    with replace(os.path.join(d, "spec.md")) as f:
        f.write(text + "\n- **CF-13-a** A requirement no vector cites.\n")


def bad_schema_keyword(d, spec):
    doc = load(d, "schema/core-frame.schema.json")
    doc["$defs"]["hex"]["maxLength"] = 100000
    save(d, "schema/core-frame.schema.json", doc)


def set_valid_to_crc_mismatch(doc):
    v = vec(doc, "cf-example-1")
    v.update(expect="invalid", error="crc_mismatch")
    del v["frame"]


def crcvar_under_own_crc(doc):
    v = next(x for x in doc["vectors"] if "valid_under" in x)
    v["valid_under"] = doc["crc"]


def malformed_json(d, spec):
    path = os.path.join(d, "core-stream.json")
    with open(path) as f:
        text = f.read()
    with replace(path) as f:
        f.write(text + "{")


# (name, change, expected exit, text verify must print, independent check
# must fail too: True for independent_check.py, "splinter" for
# splinter_check.py)
CASES = [
    ("duplicate id",
     frames(lambda d: d["vectors"][1].update(id=d["vectors"][0]["id"])),
     1, "cf-example-1: id used more than once", False),
    ("count", frames(lambda d: d.update(count=d["count"] + 1)),
     1, '"count" is', False),
    ("unknown requirement",
     frames(lambda d: vec(d, "cf-flags-none")["requirements"].append(
         "CF-99-z")),
     1, "cf-flags-none: cites CF-99-z", False),
    ("bin twin", write_bin("core-frame/cf-example-1.bin", b"\x20\x10"),
     1, "cf-example-1: binary twin", True),
    ("stray bin", write_bin("core-stream/cs-nothing.bin", b""),
     1, "cs-nothing.bin belongs to no vector", False),
    ("wrong expect", frames(set_valid_to_crc_mismatch),
     1, "cf-example-1: expected crc_mismatch", False),
    ("wrong frame field",
     frames(lambda d: vec(d, "cf-example-1")["frame"].update(channel=8)),
     1, "cf-example-1: frame.channel differs", True),
    ("wrong error",
     frames(lambda d: vec(d, "cf-trunc-local-payload-7").update(
         error="crc_mismatch")),
     1, "cf-trunc-local-payload-7: expected crc_mismatch", True),
    ("wrong hex",
     frames(lambda d: vec(d, "cf-cd-c2-d0").update(hex="zz")),
     1, "cf-cd-c2-d0: \"hex\"", False),
    ("valid_under own crc", frames(crcvar_under_own_crc),
     1, '"valid_under" must name another variant', False),
    ("stream pending",
     streams(lambda d: vec(d, "cs-spec-example-whole").update(pending=3)),
     1, "cs-spec-example-whole: in its chunks: 3 bytes pending", False),
    ("stream offset",
     streams(lambda d: vec(d, "cs-bad-crc-between-whole")["events"][1].update(
         offset=23)),
     1, "cs-bad-crc-between-whole: in its chunks: event 1 expected "
        "crc_mismatch at 23", True),
    ("stream event dropped",
     streams(lambda d: vec(d, "cs-mixed-frames")["events"].pop()),
     1, "cs-mixed-frames: in its chunks: event 6", False),
    ("stream chunks",
     streams(lambda d: vec(d, "cs-tail-1-bytes").update(chunks=[1])),
     1, "cs-tail-1-bytes: chunks sum to 1", False),
    ("schema violation",
     frames(lambda d: vec(d, "cf-zero").update(note="x")),
     1, "/vectors/", False),
    ("unsupported schema keyword", bad_schema_keyword,
     1, 'unsupported keyword "maxLength"', False),
    ("uncited requirement", extra_spec_id,
     1, "CF-13-a: cited by no vector", False),
    ("malformed JSON", malformed_json, 2, "", False),
    ("splinter wrong fault",
     sp_env(lambda d: vec(d, "se-missing-id").update(fault=3000,
                                                     symbol="UNKNOWN_TYPE")),
     1, "se-missing-id: the line: fault", "splinter"),
    ("splinter wrong rule",
     sp_env(lambda d: vec(d, "se-dup-nested").update(rule="SP-2-c")),
     1, "se-dup-nested: the line: rule SP-2-c expected", False),
    ("splinter wrong envelope member",
     sp_env(lambda d: vec(d, "se-valid-minimal")["envelope"].update(
         to="db")),
     1, 'se-valid-minimal: "envelope" differs', "splinter"),
    ("splinter missing note",
     sp_env(lambda d: vec(d, "se-uuid-v4").update(notes=[])),
     1, 'se-uuid-v4: "notes" differ', "splinter"),
    ("splinter wrong payloads",
     sp_streams(lambda d: vec(d, "ss-in-order-3")["payloads"].reverse()),
     1, 'ss-in-order-3: "payloads" differ', "splinter"),
    ("splinter wrong chunk fault",
     sp_streams(lambda d: vec(d, "ss-dup-conflict-payload")["faults"][0]
                .update(index=0)),
     1, 'ss-dup-conflict-payload: "faults" differ', "splinter"),
    ("splinter missed timeout", sp_streams(sp_missed_timeout),
     1, "ss-timeout-no-ttl: the stream times out", "splinter"),
    ("splinter twin",
     write_bin("splinter-envelope/se-valid-minimal.ndjson", b"{}\n"),
     1, "se-valid-minimal: twin splinter-envelope/se-valid-minimal.ndjson "
        "differs", False),
    ("splinter stray twin",
     write_bin("splinter-stream/ss-nothing.ndjson", b""),
     1, "ss-nothing.ndjson: a file in splinter-stream/", False),
]


# Vectors the cases edit; the subset always holds them.
NEEDED = {"cf-example-1", "cf-flags-none", "cf-trunc-local-payload-7",
          "cf-cd-c2-d0", "cf-zero", "cs-spec-example-whole",
          "cs-bad-crc-between-whole", "cs-mixed-frames", "cs-tail-1-bytes",
          "se-missing-id", "se-dup-nested", "se-valid-minimal", "se-uuid-v4",
          "ss-in-order-3", "ss-dup-conflict-payload", "ss-timeout-no-ttl"}
# The Splinter subset leaves out vectors of more than this many bytes of
# JSON (the 1 MiB lines), so that each verify run stays fast.
SMALL = 20000
SPLINTER_SPEC = None  # spec/splinter-envelope.md beside the Core Frame's
SPLINTER_SUBSET_SPEC = None  # its copy the subset is covered against


def make_subset(vdir, out):
    """A small but complete set: the vectors the cases need, one CRC-variant
    vector, and enough others to cite every requirement (greedy). Small, so
    that each case's verify run takes a fraction of a second."""
    os.mkdir(out)
    shutil.copytree(os.path.join(vdir, "schema"), os.path.join(out, "schema"))
    docs = {n: load(vdir, n) for n in ("core-frame.json", "core-stream.json")}
    cited = set()
    for name, sub in (("core-frame.json", "core-frame"),
                      ("core-stream.json", "core-stream")):
        doc = docs[name]
        keep = [v for v in doc["vectors"] if v["id"] in NEEDED]
        keep += [next(v for v in doc["vectors"] if "valid_under" in v)] \
            if sub == "core-frame" else []
        for v in keep:
            cited |= set(v["requirements"])
        for v in doc["vectors"]:
            if not set(v["requirements"]) <= cited and v not in keep:
                keep.append(v)
                cited |= set(v["requirements"])
        doc["vectors"], doc["count"] = keep, len(keep)
        save(out, name, doc)
        os.mkdir(os.path.join(out, sub))
        for v in keep:
            shutil.copy(os.path.join(vdir, sub, v["id"] + ".bin"),
                        os.path.join(out, sub))
    cited = set()
    for name, sub in (("splinter-envelope.json", "splinter-envelope"),
                      ("splinter-stream.json", "splinter-stream")):
        doc = load(vdir, name)
        keep = [v for v in doc["vectors"] if v["id"] in NEEDED]
        for v in keep:
            cited |= set(v["requirements"])
        for v in doc["vectors"]:
            if not set(v["requirements"]) <= cited and v not in keep and \
                    len(json.dumps(v)) <= SMALL:
                keep.append(v)
                cited |= set(v["requirements"])
        doc["vectors"], doc["count"] = keep, len(keep)
        save(out, name, doc)
        os.mkdir(os.path.join(out, sub))
        for v in keep:
            shutil.copy(os.path.join(vdir, sub, v["id"] + ".ndjson"),
                        os.path.join(out, sub))
    # SP-2-f and SP-8-h are cited only by the large vectors: a spec copy
    # without them keeps the subset fully covered.
    with open(SPLINTER_SPEC) as f:
        lines = [x for x in f if not x.startswith(
            tuple("- **%s**" % i for i in ("SP-2-f", "SP-8-h"))) or
            x.split("**")[1] in cited]
    with open(os.path.join(out, "..", "splinter.md"), "w") as f:
        f.writelines(lines)


HOSTILE_RUNS = 120
ODD_VALUES = [None, True, False, -1, 0, 1, 2 ** 40, 1e300, -0.5, "", "zz",
              "CF-2-a", "crc_mismatch", "valid", [], {}, [0], [-3],
              {"frame": None}, {"error": "crc_mismatch", "offset": -1},
              "a" * 5000]


def paths(x, path=()):
    """Every member and item of a JSON document, as key paths."""
    if path:
        yield path
    items = x.items() if isinstance(x, dict) else \
        enumerate(x) if isinstance(x, list) else ()
    for k, v in items:
        yield from paths(v, path + (k,))


def hostile(tool, spec, clean, tmp):
    """Returns the number of runs in which verify crashed or misbehaved."""
    rng, failures = random.Random(4774), 0
    for k in range(HOSTILE_RUNS):
        name = rng.choice(["core-frame.json", "core-stream.json",
                           "splinter-envelope.json", "splinter-stream.json"])
        doc = load(clean, name)
        where = rng.choice(list(paths(doc)))
        parent = doc
        for key in where[:-1]:
            parent = parent[key]
        parent[where[-1]] = rng.choice(ODD_VALUES)
        d = os.path.join(tmp, "hostile")
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(clean, d, copy_function=os.link)
        save(d, name, doc)
        r = run([tool, "verify", "--spec", spec, d])
        if r.returncode not in (0, 1, 2) or "Sanitizer" in r.stderr or \
                "runtime error" in r.stderr:
            print(f"FAIL hostile run {k} ({name} {list(where)}): exit "
                  f"{r.returncode}\n{r.stderr[-1500:]}")
            failures += 1
    return failures


def run(cmd):
    if len(cmd) > 3 and cmd[1] == "verify":
        # Every verify run also names the Splinter set's spec (the subset's).
        cmd = cmd[:2] + ["--spec", "splinter=" + SPLINTER_SUBSET_SPEC] + \
            cmd[2:]
    return subprocess.run(cmd, capture_output=True, text=True)


def main(tool, spec, vdir):
    global SPLINTER_SPEC, SPLINTER_SUBSET_SPEC
    SPLINTER_SPEC = os.path.join(os.path.dirname(os.path.abspath(spec)),
                                 "splinter-envelope.md")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        SPLINTER_SUBSET_SPEC = os.path.join(tmp, "splinter.md")
        clean = os.path.join(tmp, "clean")
        make_subset(vdir, clean)
        r = run([tool, "verify", "--spec", spec, clean])
        if r.returncode != 0:
            print("FAIL the unbroken copy does not verify:\n" + r.stdout[-2000:])
            return 1
        for name, change, code, text, independent in CASES:
            d = os.path.join(tmp, "case")
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(clean, d, copy_function=os.link)
            change(d, spec)
            use_spec = os.path.join(d, "spec.md")
            r = run([tool, "verify", "--spec",
                     use_spec if os.path.exists(use_spec) else spec, d])
            out = r.stdout + r.stderr
            if r.returncode != code or text not in out:
                print(f"FAIL {name}: verify exited {r.returncode} (want "
                      f"{code}) and printed {'' if text in out else 'not '}"
                      f"{text!r}")
                failures += 1
            if independent:
                script = "splinter_check.py" if independent == "splinter" \
                    else "independent_check.py"
                r = run([sys.executable, os.path.join(HERE, script), d])
                if r.returncode != 1:
                    print(f"FAIL {name}: independent_check.py did not notice")
                    failures += 1
        failures += hostile(tool, spec, clean, tmp)
        r = run([tool, "verify", "--spec", spec, "--crc", "rohc", clean])
        if r.returncode != 1 or "not the CRC-8/ROHC asked for" not in r.stdout:
            print("FAIL verify --crc rohc accepted a CRC-8/SMBUS set")
            failures += 1
        r = run([tool, "verify", "--spec", os.path.join(tmp, "none.md"),
                 clean])
        if r.returncode != 2:
            print("FAIL verify without a readable spec did not exit 2")
            failures += 1
    print(f"rejects check: {len(CASES) + 2} broken sets and "
          f"{HOSTILE_RUNS} hostile ones, {failures} not rejected as they "
          f"should be")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: rejects_check.py TAMTAM_VECTORS SPEC VECTORS_DIR")
    sys.exit(main(*sys.argv[1:]))
