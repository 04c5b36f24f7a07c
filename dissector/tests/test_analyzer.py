"""dissector.analyzer_agreement: the dissector and tamtam-analyze --json agree
frame for frame on the same captures: the vector captures (pcap and pcapng),
TCP streams cut awkwardly, reordered and retransmitted, and hundreds of
mutated frames on UDP and TCP. Per flow (transport, source, destination):
the same number of frames, in the same order, with the same status and the
same field values.

One difference is by design and checked as such: when a TCP connection ends
in the middle of a frame, the analyzer reports that tail with the verdict of
a buffer (truncated, or used_len_exceeds_block when UsedLen is already too
large); Wireshark's TCP reassembly never hands an incomplete frame to a
dissector, so the dissector shows nothing for it (CF-12.3-b calls those bytes
pending). Such an analyzer frame must be the last of its flow and must end
beyond the bytes the flow carried. TCP captures here start with a handshake:
on a connection without SYN the analyzer resynchronises (midstream pickup)
where Wireshark takes the first byte as a frame start.

usage: test_analyzer.py PATH/TO/tamtam-analyze
"""
import json
import os
import subprocess
import sys
import tempfile

import ttshark as t
import test_robustness
import test_vectors

VECTORS = os.path.join(os.environ.get("TT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                       "vectors")
FIELDS = t.FRAME_KEYS


def analyzer_frames(analyze, pcap):
    """({flow: [frame objects]}, {flow: bytes the flow carried})"""
    p = subprocess.run([analyze, "--json", pcap], capture_output=True, text=True,
                       timeout=t.HANG_SECONDS)  # a net for a hang (ttshark.py)
    if p.returncode != 0:
        raise t.TsharkError("%s --json %s: exit %d: %s" % (analyze, pcap, p.returncode, p.stderr))
    flows, sizes = {}, {}
    for line in p.stdout.splitlines():
        obj = json.loads(line)
        if obj.get("type") == "frame":
            flows.setdefault((obj["proto"], obj["src"], obj["dst"]), []).append(obj)
        elif obj.get("type") == "flow":
            sizes[(obj["proto"], obj["src"], obj["dst"])] = obj["bytes"]
    return flows, sizes


def frame_end(f):
    """Stream offset just past analyzer frame f (frame length of CF-2-b)."""
    return f["stream_offset"] + (8 if f["ext"] else 6) + t.block_size(f["size_id"], f["big"])


def dissector_frames(pcap):
    flows = {}
    for pkt in t.packets(pcap, ["-J", "frame ip ipv6 tcp udp tamtam"]):
        if pkt["frames"]:
            flows.setdefault((pkt["transport"], pkt["src"], pkt["dst"]), []).extend(pkt["frames"])
    return flows


def compare(c, name, analyze, pcap):
    ours = dissector_frames(pcap)
    theirs, sizes = analyzer_frames(analyze, pcap)
    c.check(len(ours) > 0, name + ": the dissector found frames")
    tails = 0
    for flow in sorted(set(ours) | set(theirs), key=str):
        mine, other = ours.get(flow, []), list(theirs.get(flow, []))
        what = "%s %s %s>%s" % (name, flow[0], flow[1], flow[2])
        if flow[0] == "tcp" and other and frame_end(other[-1]) > sizes.get(flow, 0):
            tail = other.pop()  # the pending tail at the end of the connection
            tails += 1
            c.check(tail["status"] in ("truncated", "used_len_exceeds_block"),
                    what + ": the tail at the end is reported as truncated or used_len_exceeds_block")
        c.check(all(frame_end(f) <= sizes.get(flow, 0) for f in other if flow[0] == "tcp"),
                what + ": analyzer reports incomplete frames only at the end of a TCP flow")
        if not c.equal(len(mine), len(other), what + ": frames"):
            continue
        for i, (a, b) in enumerate(zip(mine, other)):
            c.equal(a["status"], b["status"], "%s frame %d: status" % (what, i))
            for key in FIELDS:
                # Fields the frame's bytes supply (a truncated frame has fewer).
                if a[key] is None or (key == "payload" and a["status"] not in ("ok", "crc_mismatch")):
                    continue
                c.equal(a[key], b[key], "%s frame %d: %s" % (what, i, key))
    print("%s: %d frames compared, %d TCP tails only the analyzer reports"
          % (name, sum(len(v) for v in ours.values()), tails))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    analyze = sys.argv[1]
    c = t.Checker("dissector.analyzer_agreement")
    core = os.path.join(VECTORS, "pcap", "core.pcap")
    with tempfile.TemporaryDirectory(prefix="tt-agree-") as tmp:
        index = json.load(open(os.path.join(VECTORS, "pcap", "core-index.json")))
        vectors = {v["id"]: v for f in ("core-frame.json", "core-stream.json")
                   for v in json.load(open(os.path.join(VECTORS, f)))["vectors"]}
        shuffled, _ = test_vectors.shuffled_streams(index, vectors, core, tmp)
        udp = os.path.join(tmp, "mutated-udp.pcap")
        t.udp_capture(udp, test_robustness.samples(), sport=41000)
        for name, pcap in [("core.pcap", core),
                           ("core.pcapng", os.path.join(VECTORS, "pcap", "core.pcapng")),
                           ("stream vectors reordered and retransmitted", shuffled),
                           ("mutated frames on UDP", udp)]:
            compare(c, name, analyze, pcap)
    c.done()


if __name__ == "__main__":
    sys.exit(main())
