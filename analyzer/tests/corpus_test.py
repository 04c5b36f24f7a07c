#!/usr/bin/env python3
"""analyzer.corpus: tamtam-analyze (and the dissector, through tshark) over a
corpus of real public captures of other protocols (tests/captures, issue 19).

usage: corpus_test.py ANALYZER CAPTURES_DIR [TSHARK DISSECTOR_LUA]

Per file, in every mode (text, -V, --json, --stats, --json --stats; with
--heuristic under each CRC variant and auto and --run 2 and 16; and with the
file's own TCP/UDP ports forced to TamTam): the exit status is 0 (2 with the
stated message for the corrupt files), every --json line parses, the
heuristic claims no frame, and in the forced mode every stream byte of each
TCP flow is in a frame or unsynced (gaps are counted apart). With tshark:
the dissector's heuristic on claims no frame and raises no Lua error.
"""
import json
import os
import re
import subprocess
import sys

CRCS = ["auto", "CRC-8/SMBUS", "CRC-8/MAXIM-DOW", "CRC-8/I-432-1",
        "CRC-8/AUTOSAR", "CRC-8/SAE-J1850", "CRC-8/ROHC", "CRC-8/CDMA2000",
        "CRC-8/BLUETOOTH"]
# Files that are not readable captures, with what the analyzer must say.
CORRUPT = {
    "libpcap__linktype-reserved-field-not-zero.pcap":
        "the file header is corrupt: its link-type field has reserved bits",
    "pngtest__le_test006_two_linktypes.pcapng":
        "mixes interfaces of different link types",
}
failures = []
checked = {"flows": 0, "tshark": 0}


def fail(what):
    failures.append(what)
    print("FAIL", what)


def run(args, timeout=300):
    p = subprocess.run(args, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


def json_lines(name, mode, out):
    lines = []
    for i, text in enumerate(out.splitlines()):
        try:
            lines.append(json.loads(text))
        except ValueError:
            fail(f"{name} {mode}: line {i + 1} is not JSON: {text[:100]}")
    return lines


def ports_of(tshark, path):
    """The TCP and UDP ports of a capture, as tshark reads them."""
    rc, out, _ = run([tshark, "-r", path, "-T", "fields", "-e", "tcp.port",
                      "-e", "udp.port"])
    ports = set()
    for tok in re.split(r"[\s,]+", out):
        if tok.isdigit() and 0 < int(tok) < 65536:
            ports.add(tok)
    return sorted(ports, key=int)[:200]


def check_file(an, path, tshark):
    name = os.path.basename(path)
    expect_rc = 2 if name in CORRUPT else 0
    modes = [[], ["-V"], ["--json"], ["--stats"], ["--json", "--stats"]]
    for crc in CRCS:
        for r in ("2", "16"):
            modes.append(["--json", "--heuristic", "--crc", crc, "--run", r])
    for mode in modes:
        rc, out, err = run([an] + mode + [path])
        label = " ".join(mode) or "text"
        if rc != expect_rc:
            fail(f"{name} {label}: exit {rc}, want {expect_rc}: {err[:200]}")
            continue
        if name in CORRUPT and CORRUPT[name] not in err:
            fail(f"{name} {label}: stderr lacks '{CORRUPT[name]}': {err[:200]}")
        if "--json" in mode:
            lines = json_lines(name, label, out)
            if not name in CORRUPT and (not lines or lines[-1].get("type") != "summary"):
                fail(f"{name} {label}: the last line is not the summary")
            frames = [l for l in lines if l.get("type") == "frame"]
            if "--heuristic" in mode and frames:
                fail(f"{name} {label}: the heuristic claimed {len(frames)} frames")
    if name in CORRUPT or not tshark:
        return
    # Forced: every port of the file is a TamTam port; each TCP flow's bytes
    # are in its frames or unsynced.
    forced = []
    for p in ports_of(tshark, path):
        forced += ["--port", p]
    if not forced:
        return
    # The text form gives each frame's bytes as seen (len=N).
    frame_re = re.compile(r"^\S+ tcp (\S+) > (\S+) tamtam @\d+ .* len=(\d+) ")
    flow_re = re.compile(r"^\S+ tcp (\S+) > (\S+) tamtam flow end .*?"
                         r"packets, (\d+) bytes,.* unsynced (\d+) bytes")
    for crc in ("CRC-8/SMBUS", "auto"):
        rc, out, err = run([an, "--crc", crc] + forced + [path])
        label = f"forced --crc {crc}"
        if rc != 0:
            fail(f"{name} {label}: exit {rc}: {err[:200]}")
            continue
        seen = {}
        for line in out.splitlines():
            m = frame_re.match(line)
            if m:
                key = m.group(1) + ">" + m.group(2)
                seen[key] = seen.get(key, 0) + int(m.group(3))
                continue
            m = flow_re.match(line)
            if m:
                key = m.group(1) + ">" + m.group(2)
                inframes = seen.pop(key, 0)
                total, unsynced = int(m.group(3)), int(m.group(4))
                checked["flows"] += 1
                if inframes + unsynced != total:
                    fail(f"{name} {label} {key}: {total} stream bytes, "
                         f"{inframes} in frames + {unsynced} unsynced")


def check_tshark(tshark, lua, path):
    name = os.path.basename(path)
    rc, out, err = run([tshark, "-n", "-X", "lua_script:" + lua, "-o",
                        "tamtam.heuristic:TRUE", "-r", path, "-T", "fields",
                        "-e", "frame.number", "-e", "tamtam.class"])
    if "Lua" in err and ("rror" in err or "attempt" in err):
        fail(f"{name} tshark: Lua error: {err[:300]}")
    if rc != 0 or not out:
        fail(f"{name} tshark: exit {rc}, no output: {err[:300]}")
        return
    checked["tshark"] += 1
    claimed = [l for l in out.splitlines() if "\t" in l and l.split("\t")[1]]
    if claimed:
        fail(f"{name} tshark: the dissector's heuristic claimed "
             f"{len(claimed)} packets")


def main():
    if len(sys.argv) not in (3, 5):
        print(__doc__)
        return 2
    an, caps = sys.argv[1], sys.argv[2]
    tshark = sys.argv[3] if len(sys.argv) == 5 else None
    lua = sys.argv[4] if len(sys.argv) == 5 else None
    files = sorted(os.path.join(caps, f) for f in os.listdir(caps)
                   if f.endswith((".pcap", ".pcapng")))
    if len(files) < 16:
        print(f"FAIL only {len(files)} captures in {caps}")
        return 1
    for path in files:
        check_file(an, path, tshark)
        if tshark and os.path.basename(path) not in CORRUPT:
            check_tshark(tshark, lua, path)
    # The checks ran: TCP flows of the corpus were decoded as TamTam, and
    # tshark read the readable files.
    if checked["flows"] < 20:
        fail(f"only {checked['flows']} forced TCP flows were checked")
    if tshark and checked["tshark"] < len(files) - len(CORRUPT):
        fail(f"tshark read only {checked['tshark']} files")
    print(f"analyzer.corpus: {len(files)} captures, {checked['flows']} "
          f"forced TCP flows accounted for, {checked['tshark']} through "
          f"tshark, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
