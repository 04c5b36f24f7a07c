"""dissector.splinter_analyzer_agreement: splinter.lua and tamtam-analyze --json
(whose Splinter decoder judges each line with libsplinter's sp_validate) agree
envelope by envelope: per flow, the same number of lines in the same order,
the same verdict (fault, symbol, SP- requirement), and the same members.

Captures: every case of test_splinter (valid envelopes, each fault at each
cause, TTL on both sides of the boundary), 600 mutated lines cut into random
segments, and vectors/pcap/splinter.pcap when the vector set has it.

Differences by design, checked as such:
- streams (SP-8): the analyzer follows chunks through sp_reasm and may judge
  a chunk 1000 under an SP-8 requirement, or report a stream timeout
  (record type stream_timeout); the dissector judges each chunk as a line,
  so such a chunk must be valid in the dissector;
- members of a line that fails in stage 1 (SP-2, SP-3, SP-5): both show the
  members read before the failing rule, but the analyzer shows seq and eof
  only once both passed; the analyzer's non-null members must equal the
  dissector's;
- `to`: the analyzer writes "*" for an absent `to`, the dissector shows no
  splinter.to;
- error_code: the analyzer gives it once stage 3 passed; compared on lines
  that reached it.

usage: test_splinter_analyzer.py PATH/TO/tamtam-analyze
"""
import json
import os
import random
import subprocess
import sys
import tempfile

import ttshark as t
import test_splinter as ts

VECTORS = os.path.join(os.environ.get("TT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                       "vectors")


def analyzer_lines(analyze, pcap):
    """{(src, dst): [envelope records]}"""
    p = subprocess.run([analyze, "--json", pcap], capture_output=True, text=True,
                       timeout=t.HANG_SECONDS)  # a net for a hang (ttshark.py)
    if p.returncode != 0:
        raise t.TsharkError("%s --json %s: exit %d: %s" % (analyze, pcap, p.returncode, p.stderr))
    flows = {}
    for line in p.stdout.splitlines():
        obj = json.loads(line)
        if obj.get("type") == "envelope" and obj.get("protocol") == "splinter":
            flows.setdefault((obj["src"], obj["dst"]), []).append(obj)
    return flows


def dissector_lines(pcap):
    flows = {}
    for rec in ts.lines_of(pcap, ["-o", "splinter.json:FALSE"]):
        flows.setdefault((rec["src"], rec["dst"]), []).append(rec)
    return flows


def first(rec, name):
    v = rec.get(name)
    return v[0] if v else None


def as_int(v):
    return None if v is None else int(v)


NOTES = ("id_not_uuidv7", "unknown_fault_code", "unknown_member")


def compare(c, what, a, d):
    """Analyzer record a and dissector line d."""
    stream_rule = (a["requirement"] or "").startswith("SP-8")
    if stream_rule:
        c.equal(first(d, "splinter.valid"), "1", what + ": a chunk the analyzer judges by %s (streams) is "
                "valid as a line" % a["requirement"])
    else:
        c.equal(as_int(first(d, "splinter.fault.code")), a["fault"], what + ": fault")
        c.equal(first(d, "splinter.fault.symbol"), a["symbol"], what + ": symbol")
        c.equal(first(d, "splinter.requirement"), a["requirement"], what + ": requirement")
        c.equal(first(d, "splinter.valid"), "1" if a["fault"] is None else "0", what + ": valid")
    stage1 = not stream_rule and a["fault"] == 1000 and not (a["requirement"] or "").startswith("SP-4")
    mine = {
        "envelope_type": first(d, "splinter.type"), "id": first(d, "splinter.id"),
        "from": first(d, "splinter.from"), "to": first(d, "splinter.to"),
        "seq": as_int(first(d, "splinter.seq")),
        "eof": None if first(d, "splinter.eof") is None else first(d, "splinter.eof") == "1",
        "ttl_ms": as_int(first(d, "splinter.ttl_ms")),
    }
    for key, v in mine.items():
        theirs = a[key]
        if key == "to" and v is None and theirs == "*":
            continue  # absent to means "*"
        if stage1 and theirs is None:
            continue  # read before the failing rule by the dissector only (seq, eof)
        c.equal(v, theirs, "%s: %s" % (what, key))
    if a["fault"] in (None, 1001) or stream_rule:
        c.equal(as_int(first(d, "splinter.error.code")), a["error_code"], what + ": error_code")
        notes = sorted(n for n in (a["notes"] or "").split(",") if n in NOTES)
        c.equal(sorted(e[len("splinter."):] for e in d["experts"] if e[len("splinter."):] in NOTES), notes,
                what + ": notes")


def agree(c, analyze, pcap, label):
    a_flows = analyzer_lines(analyze, pcap)
    d_flows = dissector_lines(pcap)
    c.equal(sorted(d_flows), sorted(a_flows), label + ": the same flows")
    total = 0
    for flow in sorted(set(a_flows) & set(d_flows)):
        a, d = a_flows[flow], d_flows[flow]
        c.equal(len(d), len(a), "%s %s: lines" % (label, flow))
        for i, (ar, dr) in enumerate(zip(a, d)):
            compare(c, "%s %s line %d (analyzer offset %d)" % (label, flow, i, ar["stream_offset"]), ar, dr)
        total += len(a)
    return total


def main():
    if len(sys.argv) != 2:
        print("usage: test_splinter_analyzer.py PATH/TO/tamtam-analyze", file=sys.stderr)
        return 2
    analyze = sys.argv[1]
    c = t.Checker("dissector.splinter_analyzer_agreement")
    with tempfile.TemporaryDirectory(prefix="tt-sp-agree-") as tmp:
        cases = ts.cases()
        data = b"".join(line + b"\n" for _, line, _ in cases)
        pcap = os.path.join(tmp, "cases.pcap")
        segs = t.split(data, [700] * (len(data) // 700 + 1))
        ts.text2pcap_dated(pcap, segs, [ts.T0] * len(segs))
        c.equal(agree(c, analyze, pcap, "cases"), len(cases), "cases: every line compared")

        rnd = random.Random(7)
        lines = ts.noise_lines(rnd, 600)
        data = b"".join(lines)
        pcap = os.path.join(tmp, "noise.pcap")
        segs = t.split(data, [rnd.randint(1, 3000) for _ in range(len(data))])
        ts.text2pcap_dated(pcap, segs, [ts.T0] * len(segs))
        c.equal(agree(c, analyze, pcap, "noise"), len(lines), "noise: every line compared")

        vec = os.path.join(VECTORS, "pcap", "splinter.pcap")
        if os.path.exists(vec):
            c.check(agree(c, analyze, vec, "splinter.pcap") > 0, "splinter.pcap: lines compared")
        else:
            print("note: %s does not exist yet; not compared" % vec)
    c.done()
    return 0


if __name__ == "__main__":
    sys.exit(main())
