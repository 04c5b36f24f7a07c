#!/usr/bin/env python3
"""Cross-checks the vector files and schemas with python3-jsonschema, so
that tamtam-vectors' own subset validator is not the only judge.

    python3 schema_check.py VECTORS_DIR

Each schema must be a valid draft 2020-12 schema, each file must validate,
and a handful of broken copies of a vector must be rejected (so the schemas
really constrain what the README says they do).
"""
import copy
import importlib.metadata
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("FAIL python3-jsonschema is not installed (Debian package "
             "python3-jsonschema)")


def broken_frames(doc):
    """(why, document) pairs the frame schema must reject."""
    v = doc["vectors"][0]
    inv = next(x for x in doc["vectors"] if x["expect"] == "invalid"
               and "valid_under" not in x)

    def mutate(why, fn, base=v):
        d = copy.deepcopy(doc)
        d["vectors"] = [copy.deepcopy(base)]
        fn(d["vectors"][0])
        d["count"] = 1
        return why, d

    return [
        mutate("extra member", lambda x: x.update(note="x")),
        mutate("uppercase hex", lambda x: x.update(hex="AB" + x["hex"])),
        mutate("odd hex", lambda x: x.update(hex=x["hex"] + "0")),
        mutate("bad requirement", lambda x: x.update(requirements=["CF-2"])),
        mutate("valid with error", lambda x: x.update(error="truncated")),
        mutate("valid without frame", lambda x: x.pop("frame")),
        mutate("class 16", lambda x: x["frame"].update({"class": 16})),
        mutate("dest with ext false",
               lambda x: x["frame"].update(ext=False, dest=5)),
        mutate("unknown error", lambda x: x.update(error="too_short"), inv),
        mutate("invalid with frame", lambda x: x.update(frame=v["frame"]), inv),
        mutate("bad id", lambda x: x.update(id="CF_Example")),
        ("unknown crc", dict(doc, crc="CRC-8/FOO")),
    ]


def broken_streams(doc):
    v = doc["vectors"][0]

    def mutate(why, fn):
        d = copy.deepcopy(doc)
        d["vectors"] = [copy.deepcopy(v)]
        fn(d["vectors"][0])
        return why, d

    return [
        mutate("zero chunk", lambda x: x["chunks"].append(0)),
        mutate("truncated event",
               lambda x: x["events"].append({"error": "truncated",
                                             "offset": 0})),
        mutate("error without offset",
               lambda x: x["events"].append({"error": "crc_mismatch"})),
        mutate("event with both",
               lambda x: x["events"].append({"frame": x["events"][0].get(
                   "frame"), "error": "crc_mismatch", "offset": 1})),
        mutate("pending too large", lambda x: x.update(pending=8200)),
    ]


def one_vector(doc, base, why, fn):
    d = copy.deepcopy(doc)
    d["vectors"] = [copy.deepcopy(base)]
    fn(d["vectors"][0])
    d["count"] = 1
    return why, d


def broken_splinter_envelopes(doc):
    valid = next(x for x in doc["vectors"] if x["expect"] == "valid")
    fault = next(x for x in doc["vectors"] if x["expect"] == "fault")
    return [
        one_vector(doc, valid, "both line and line_hex",
                   lambda x: x.update(line_hex="7b7d")),
        one_vector(doc, valid, "no line", lambda x: x.pop("line")),
        one_vector(doc, valid, "valid with fault",
                   lambda x: x.update(fault=1000)),
        one_vector(doc, valid, "unknown note",
                   lambda x: x.update(notes=["odd"])),
        one_vector(doc, valid, "envelope not an object",
                   lambda x: x.update(envelope=[])),
        one_vector(doc, valid, "now with three digits",
                   lambda x: x.update(now="2026-01-01T00:00:00.000Z")),
        one_vector(doc, fault, "fault 4200 for a line",
                   lambda x: x.update(fault=4200)),
        one_vector(doc, fault, "fault without rule", lambda x: x.pop("rule")),
        one_vector(doc, fault, "bad id", lambda x: x.update(id="sp-x")),
        one_vector(doc, fault, "allow list of numbers",
                   lambda x: x.update(allow={"chat": [1]})),
    ]


def broken_splinter_streams(doc):
    ok = next(x for x in doc["vectors"] if x["expect"] == "ok")
    timeout = next(x for x in doc["vectors"] if x["expect"] == "fault")
    return [
        one_vector(doc, ok, "no lines", lambda x: x.update(lines=[])),
        one_vector(doc, ok, "ok with fault", lambda x: x.update(fault=4200)),
        one_vector(doc, ok, "chunk fault 4200",
                   lambda x: x.update(faults=[{"index": 0, "fault": 4200,
                                               "symbol": "STREAM_TIMEOUT"}])),
        one_vector(doc, ok, "note without index",
                   lambda x: x.update(notes=[{"note": "duplicate_chunk"}])),
        one_vector(doc, timeout, "timeout but complete",
                   lambda x: x.update(complete=True)),
        one_vector(doc, timeout, "timeout with 1000",
                   lambda x: x.update(fault=1000)),
    ]


def main(d):
    failures = 0
    for name, breakers in (("core-frame", broken_frames),
                           ("core-stream", broken_streams),
                           ("splinter-envelope", broken_splinter_envelopes),
                           ("splinter-stream", broken_splinter_streams)):
        with open(os.path.join(d, "schema", name + ".schema.json")) as f:
            schema = json.load(f)
        with open(os.path.join(d, name + ".json")) as f:
            doc = json.load(f)
        cls = jsonschema.Draft202012Validator
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as e:
            print(f"FAIL {name}.schema.json is not a valid draft 2020-12 "
                  f"schema: {e.message}")
            failures += 1
            continue
        validator = cls(schema, format_checker=None)
        errors = list(validator.iter_errors(doc))
        for e in errors[:10]:
            print(f"FAIL {name}.json: /{'/'.join(map(str, e.path))}: "
                  f"{e.message[:200]}")
        failures += len(errors)
        for why, bad in breakers(doc):
            if validator.is_valid(bad):
                print(f"FAIL {name}.schema.json accepts a broken file "
                      f"({why})")
                failures += 1
        print(f"{name}.json: {len(doc['vectors'])} vectors, "
              f"{len(errors)} schema errors (python3-jsonschema "
              f"{importlib.metadata.version('jsonschema')})")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: schema_check.py VECTORS_DIR")
    sys.exit(main(sys.argv[1]))
