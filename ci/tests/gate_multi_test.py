#!/usr/bin/env python3
"""gate.sh interop / fuzz with the real tamtam-run: the C reference shim and
the C# shim, through the same gate.sh the templates call.

Green (the C# port as shipped): exit 0, and the summary must show that
something was compared (every cell PASS with every frame of the vector set
and the random frames, both fuzz cases PASS, no findings); an all-UNSUPPORTED
matrix would also exit 0.

Red (the C# shim built with SEEDED_CRC_MAXIM: Dallas/Maxim CRC-8 under the
SMBUS name): exit 1 (a regression, not a broken harness), and the summary
must be readable and right: interop names exactly the four cells between the
two implementations as failing, each implementation agreeing with itself,
and shows the spec's example 1 encoded by each side (the same bytes but the
integrity byte); fuzz lists its findings, their vector files exist and hold
them, and the printed replay command shows the disagreement again (while the
shipped C# shim passes the same vectors).

usage: gate_multi_test.py interop|fuzz|interop_red|fuzz_red GATE_SH TAMTAM_RUN
           VECTORS_DIR REFERENCE_CMD CSHARP_CMD REPORT_DIR [SHIPPED_CSHARP_CMD]
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def ok(msg):
    print("ok   " + msg)


def run_gate(gate, args, report_dir):
    shutil.rmtree(report_dir, ignore_errors=True)
    r = subprocess.run(["sh", gate] + args + ["--report-dir", report_dir],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(r.stdout)
    print("---- gate_multi_test checks ----")
    return r.returncode, r.stdout


def summary_of(out, step):
    """The gate's own summary of STEP: its lines after the runner's output."""
    m = re.search(r"^-- gate summary: %s --\n(.*)" % re.escape(step), out, re.M | re.S)
    if not m:
        fail(f"no '-- gate summary: {step} --' in the output")
        return []
    return m.group(1).splitlines()


def expect_line(lines, want, what):
    if want in lines:
        ok(what)
    else:
        fail(f"{what}: no line {want!r} in the summary")


def expect_verdict(lines, rc, step, red):
    """Exit status and the summary's result line: 1 (a regression, not a
    broken harness) for the seeded shim, else 0."""
    status, verdict = (1, "REGRESSION") if red else (0, "PASS")
    if rc == status:
        ok(f"gate.sh {step} exits {status}")
    else:
        fail(f"gate.sh {step} exited {rc}, expected {status}")
    expect_line(lines, f"result:    {verdict} (exit {status})", f"summary says {verdict}")


def valid_vectors(vectors):
    """The frames interop takes from the set: valid, no valid_under."""
    with open(os.path.join(vectors, "core-frame.json")) as f:
        doc = json.load(f)
    return [v for v in doc["vectors"] if v["expect"] == "valid" and "valid_under" not in v]


def matrix_rows(lines, op):
    """{(encoder, decoder): cell text} of one op's matrix in the summary."""
    try:
        i = lines.index(f"{op}: encoder rows x decoder columns, frames passed/total")
    except ValueError:
        fail(f"no {op} matrix in the summary")
        return {}
    header = lines[i + 1].split()
    if header[:3] != ["encoder", "\\", "decoder"]:
        fail(f"{op} matrix: unexpected header {lines[i + 1]!r}")
        return {}
    names = header[3:]
    cells = {}
    for row in lines[i + 2:i + 2 + len(names)]:
        parts = re.split(r" {2,}", row.strip())
        if len(parts) != len(names) + 1:
            fail(f"{op} matrix: row {row!r} does not have {len(names)} cells")
            continue
        for name, text in zip(names, parts[1:]):
            cells[(parts[0], name)] = text
    return cells


def check_interop(out, rc, red, vectors):
    lines = summary_of(out, "interop")
    n = len(valid_vectors(vectors)) + 500  # the runner's default random frames
    pairs = [(e, d) for e in ("c", "csharp") for d in ("c", "csharp")]
    expect_verdict(lines, rc, "interop", red)
    if not red:
        expect_line(lines, "cells:     pass 8, fail 0, info 0, unsupported 0, expected_fail 0",
                    "all 8 cells compared and passed (none unsupported)")
        for op in ("decode", "stream"):
            cells = matrix_rows(lines, op)
            for p in pairs:
                if cells.get(p) != f"{n}/{n}":
                    fail(f"{op} {p[0]} -> {p[1]}: {cells.get(p)!r}, expected {n}/{n}")
            ok(f"{op} matrix: every cell {n}/{n}")
        return
    expect_line(lines, "cells:     pass 4, fail 4, info 0, unsupported 0, expected_fail 0",
                "4 cells fail, 4 pass")
    for op in ("decode", "stream"):
        cells = matrix_rows(lines, op)
        for p in pairs:
            text = cells.get(p, "")
            if p[0] == p[1]:
                if text != f"{n}/{n}":
                    fail(f"{op} {p[0]} -> {p[1]}: {text!r}; an implementation must agree with itself ({n}/{n})")
            elif not re.fullmatch(r"\d+/%d FAIL" % n, text):
                fail(f"{op} {p[0]} -> {p[1]}: {text!r}, expected a FAIL cell of {n} frames")
        ok(f"{op} matrix: diagonal {n}/{n}, the cells between c and csharp FAIL")
    failing = [l for l in lines if re.match(r"  interop\.", l)]
    named = sorted(re.match(r"  (\S+):", l).group(1) for l in failing)
    want = sorted(f"interop.{op}.{e}.{d}" for op in ("decode", "stream")
                  for e, d in pairs if e != d)
    if named == want:
        ok("failing cells listed: " + ", ".join(named))
    else:
        fail(f"failing cells listed {named}, expected {want}")
    # The first failing frame of each decode cell: the set's first valid
    # vector (the spec's example 1), bytes as each encoder wrote them.
    first = valid_vectors(vectors)[0]
    shown = {}
    for i, l in enumerate(lines):
        m = re.match(r"  (interop\.decode\.\S+): \d+ of %d frames failed, the first: (\S+)$" % n, l)
        if m:
            bytes_line = next((x for x in lines[i + 1:i + 3] if x.strip().startswith("bytes: ")), "")
            answer = lines[i + 1].strip()
            shown[m.group(1)] = (m.group(2), bytes_line.strip()[len("bytes: "):], answer)
    c_side = shown.get("interop.decode.c.csharp")
    cs_side = shown.get("interop.decode.csharp.c")
    if not c_side or not cs_side:
        fail(f"the decode cells do not show their first failing frame and bytes: {shown}")
        return
    for cell, (src, hexs, answer) in (("interop.decode.c.csharp", c_side), ("interop.decode.csharp.c", cs_side)):
        if src != first["id"]:
            fail(f"{cell}: first failing frame {src}, expected {first['id']} (the first valid vector)")
        if "crc_mismatch" not in answer:
            fail(f"{cell}: the decoder's answer {answer!r} does not say crc_mismatch")
    if c_side[1] == first["hex"]:
        ok(f"c encodes {first['id']} as the vector's bytes {first['hex']}")
    else:
        fail(f"c's bytes for {first['id']}: {c_side[1]!r}, expected the vector's {first['hex']}")
    a, b = bytes.fromhex(c_side[1] or "00"), bytes.fromhex(cs_side[1] or "")
    diff = [i for i in range(min(len(a), len(b))) if a[i] != b[i]]
    if len(a) == len(b) and len(diff) == 1:
        ok(f"csharp's bytes differ from c's in one byte only, offset {diff[0]} (the integrity byte)")
    else:
        fail(f"csharp's bytes {cs_side[1]!r} should differ from c's {c_side[1]!r} in the integrity byte alone")


def check_fuzz(out, rc, red, report_dir, runner, shipped):
    lines = summary_of(out, "fuzz")
    expect_line(lines, "run:       seed 1, 500 iterations, c (reference) against csharp",
                "deterministic defaults: seed 1, 500 iterations, c the reference")
    repro = next((l for l in lines if l.startswith("reproduce: ")), "")
    if "fuzz" in repro and "--seed 1 --iterations 500" in repro:
        ok("reproduce command printed")
    else:
        fail(f"no reproduce command with --seed 1 --iterations 500: {repro!r}")
    findings_dir = os.path.join(report_dir, "fuzz.findings")
    expect_verdict(lines, rc, "fuzz", red)
    if not red:
        expect_line(lines, "cases:     pass 2, fail 0, info 0, unsupported 0, expected_fail 0",
                    "fuzz.decode and fuzz.stream both ran and passed")
        expect_line(lines, "findings:  none", "no findings")
        if os.path.exists(findings_dir):
            fail(f"{findings_dir} exists without findings")
        return
    with open(os.path.join(report_dir, "fuzz.json")) as f:
        report = json.load(f)
    found = report.get("findings", [])
    count = next((l for l in lines if l.startswith("findings:  ")), "")
    m = re.match(r"findings:  (\d+) \(", count)
    if found and m and int(m.group(1)) == len(found):
        ok(f"{len(found)} findings counted")
    else:
        fail(f"summary {count!r}, the report has {len(found)} findings (at least one expected)")
    listed = [l.split()[0] for l in lines if re.match(r"  c[fs]-fuzz-1-\d+  (decode|stream), iteration \d+", l)]
    if listed == [f["vector"] for f in found]:
        ok("each finding listed: " + ", ".join(listed))
    else:
        fail(f"findings listed {listed}, the report has {[f['vector'] for f in found]}")
    if not any("crc_mismatch" in l for l in lines):
        fail("no finding's description mentions crc_mismatch (the seeded defect is a CRC variant)")
    files = [l.split()[-1] for l in lines if l.startswith(("files:", "           "))]
    files = [f for f in files if f.endswith(".json")]
    ids = set()
    for path in files:
        if not path.startswith(findings_dir + "/"):
            fail(f"findings file {path} is not under {findings_dir} (the templates upload the report dir)")
        try:
            with open(path) as f:
                ids |= {v["id"] for v in json.load(f)["vectors"]}
        except (OSError, ValueError, KeyError) as e:
            fail(f"findings file {path}: {e}")
    written = {f["vector"] for f in found if f.get("written")}
    if files and written <= ids:
        ok(f"files {files} hold every written finding")
    else:
        fail(f"files {files} hold {sorted(ids)}, written findings {sorted(written)}")
    replay = [l[len("replay:    "):] for l in lines if l.startswith("replay:    ")]
    if len(replay) != 1:
        fail(f"expected one replay command (csharp against the reference's answers), got {replay}")
        return
    argv = shlex.split(replay[0])
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode == 1:
        ok("the replay command, run as printed, fails on the seeded shim (exit 1)")
    else:
        fail(f"the replay command exited {r.returncode}, expected 1:\n{r.stdout}")
    if shipped:
        vec = argv[argv.index("--vectors") + 1]
        r = subprocess.run([runner, "--vectors", vec, "--shim", shipped],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode == 0:
            ok("the shipped C# shim passes the findings (they are the reference's answers)")
        else:
            fail(f"the shipped C# shim fails the findings (exit {r.returncode}):\n{r.stdout}")


def main():
    if len(sys.argv) not in (8, 9):
        print(__doc__, file=sys.stderr)
        return 2
    mode, gate, runner, vectors, ref, cs, report_dir = sys.argv[1:8]
    shipped = sys.argv[8] if len(sys.argv) == 9 else None
    step, red = mode.split("_")[0], mode.endswith("_red")
    if step not in ("interop", "fuzz"):
        print(__doc__, file=sys.stderr)
        return 2
    args = [step, "--runner", runner, "--vectors", vectors,
            "--impl", "c=" + ref, "--impl", "csharp=" + cs]
    rc, out = run_gate(gate, args, report_dir)
    if step == "interop":
        check_interop(out, rc, red, vectors)
    else:
        check_fuzz(out, rc, red, report_dir, runner, shipped)
    print("gate_multi_test: " + ("all passed" if not failures else f"{len(failures)} problem(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
