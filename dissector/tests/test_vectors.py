"""dissector.vectors: tshark with the plugin over the vector captures
(vectors/pcap/core.pcap and core.pcapng, mapped to vector ids by
vectors/pcap/core-index.json). Every frame vector is one UDP datagram and one
TCP connection, every stream vector one TCP connection cut at its chunks.

- UDP: each datagram shows exactly one frame; a valid vector shows status ok
  and exactly its frame object; an invalid one its pinned error as status and
  as expert info (text starting with the name). Notes appear exactly where
  padding is non-zero or Class/Direction unassigned or reserved; bytes after
  the frame are shown as trailing bytes.
- TCP: a connection shows the frames a stream receiver judges (CF-12.3-b: an
  incomplete frame is pending, never shown), the first with the vector's
  verdict; a stream vector's connection shows exactly its events, in order.
- No frame anywhere else, no Lua error, no malformed packet; the pcapng gives
  the same result as the pcap; CRC-variant vectors are valid under the
  variant they name (-o tamtam.crc_variant).
"""
import json
import os
import sys
import tempfile

import ttshark as t

VECTORS = os.path.join(os.environ.get("TT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                       "vectors")
ERROR_EXPERTS = {"tamtam.truncated", "tamtam.used_len_exceeds_block", "tamtam.crc_mismatch"}


def load(name):
    with open(os.path.join(VECTORS, name)) as f:
        return json.load(f)


def expected_notes(data):
    """Expert notes the spec's rules call for on the frame at the start of
    data (given the frame is complete and UsedLen fits)."""
    notes = set()
    if data and data[0] >> 4 > 4:
        notes.add("tamtam.class_not_assigned")
    if data and data[0] & 0x0F > 3:
        notes.add("tamtam.direction_not_assigned")
    status, obj, flen = t.decode(data)
    if obj is not None:
        fixed = 8 if obj["ext"] else 6
        if any(data[fixed + obj["used_len"]:flen]):
            notes.add("tamtam.padding_nonzero")
    elif status == "truncated" and flen is None:
        notes.discard("tamtam.direction_not_assigned")  # one byte: both nibbles present still
        if data and data[0] & 0x0F > 3:
            notes.add("tamtam.direction_not_assigned")
    return notes


def check_verdict(c, what, rec, v):
    """rec shows the verdict and fields of frame vector v."""
    if v["expect"] == "valid":
        c.equal(rec["status"], "ok", what + " status")
        c.equal(t.frame_object(rec), v["frame"], what + " fields")
        c.equal(rec["crc_status"], 1, what + " tamtam.crc.status Good")
        c.equal(sorted(set(rec["experts"]) & ERROR_EXPERTS), [], what + " no error expert info")
    else:
        err = v["error"]
        c.equal(rec["status"], err, what + " status")
        c.equal(sorted(set(rec["experts"]) & ERROR_EXPERTS), ["tamtam." + err], what + " error expert info")
        msgs = [m for a, m in zip(rec["experts"], rec["expert_messages"]) if a == "tamtam." + err]
        c.check(all(m.startswith(err + ":") for m in msgs), "%s expert text names %s: %r" % (what, err, msgs))
        if "frame" in v:
            c.equal(t.frame_object(rec), v["frame"], what + " fields")
        if err == "crc_mismatch":
            c.equal(rec["crc_status"], 0, what + " tamtam.crc.status Bad")


def stream_cut(data):
    """The frames a stream receiver judges in data (CF-12.3): whole frames
    cut by their computed length; an incomplete tail is pending."""
    out, pos = [], 0
    while pos + 2 <= len(data):
        _, _, flen = t.decode(data[pos:])
        if pos + flen > len(data):
            break
        out.append(data[pos:pos + flen])
        pos += flen
    return out


def shuffled_streams(index, vectors, pcap, tmp, count=6):
    """One capture holding the connections of the `count` stream vectors with
    the most chunks, each delivered out of order and with retransmissions
    (ttshark.shuffled_connection). Returns (capture, {client port: vector})."""
    streams = sorted((e for e in index["vectors"] if e["file"] == "core-stream.json"),
                     key=lambda e: (-len(vectors[e["id"]]["chunks"]), e["id"]))[:count]
    chosen = {e["tcp_port"]: vectors[e["id"]] for e in streams}
    out = os.path.join(tmp, "shuffled.pcap")
    t.shuffled_connections(pcap, sorted(chosen), out)
    return out, chosen


def check_events(c, what, recs, v):
    """recs are exactly the events of stream vector v."""
    if not c.equal(len(recs), len(v["events"]), what + ": frames"):
        return
    for i, (ev, rec) in enumerate(zip(v["events"], recs)):
        if "frame" in ev:
            c.equal((rec["status"], t.frame_object(rec)), ("ok", ev["frame"]), "%s event %d" % (what, i))
        else:
            c.equal(rec["status"], ev["error"], "%s event %d" % (what, i))


def main():
    c = t.Checker("dissector.vectors")
    frames_set = load("core-frame.json")
    stream_set = load("core-stream.json")
    index = load(os.path.join("pcap", "core-index.json"))
    vectors = {v["id"]: v for v in frames_set["vectors"] + stream_set["vectors"]}
    c.equal(len(index["vectors"]), frames_set["count"] + stream_set["count"], "every vector is in the index")
    pcap = os.path.join(VECTORS, "pcap", index["capture"])
    pcapng = os.path.join(VECTORS, "pcap", "core.pcapng")

    for path in (pcap, pcapng):
        c.equal(t.problems(path), [], os.path.basename(path) + ": Lua errors or malformed packets")
    pkts = t.packets(pcap, ["-J", "frame tamtam"])
    c.equal(len(pkts), index["packets"], "packets in the capture")
    fields = ["frame.number"] + sorted(t.PINNED_FIELDS) + ["tamtam.status"]
    digest = ["-T", "fields", "-E", "occurrence=a"] + [x for f in fields for x in ("-e", f)]
    c.check(t.run_tshark(["-r", pcap] + digest) == t.run_tshark(["-r", pcapng] + digest),
            "the pcapng decodes exactly like the pcap")
    by_number = {p["number"]: p["frames"] for p in pkts}

    def frames_in(first, last):
        return [f for n in range(first, last + 1) for f in by_number.get(n, [])]

    expected_total = 0
    for entry in index["vectors"]:
        v = vectors[entry["id"]]
        data = bytes.fromhex(v["hex"])
        if entry["file"] == "core-stream.json":
            expected_total += len(v["events"])
            check_events(c, v["id"] + " (TCP stream)", frames_in(*entry["tcp_packets"]), v)
            continue

        # UDP: one datagram, one frame.
        recs = by_number.get(entry["udp_packet"], [])
        expected_total += 1
        what = v["id"] + " (UDP)"
        if c.equal(len(recs), 1, what + ": frames"):
            check_verdict(c, what, recs[0], v)
            c.equal(set(recs[0]["experts"]) - ERROR_EXPERTS, expected_notes(data), what + " notes")
        # TCP: what a stream receiver judges of the same bytes.
        judged = stream_cut(data)
        recs = frames_in(*entry["tcp_packets"])
        expected_total += len(judged)
        what = v["id"] + " (TCP)"
        if v.get("error") == "truncated":
            c.equal(len(judged), 0, what + ": test setup: a truncated vector is pending on a stream")
        if not c.equal(len(recs), len(judged), what + ": frames"):
            continue
        if judged:
            check_verdict(c, what, recs[0], v)
        for i, (buf, rec) in enumerate(zip(judged[1:], recs[1:]), 1):
            status, obj, _ = t.decode(buf)
            c.equal(rec["status"], status, "%s frame %d after the vector's frame" % (what, i))

    c.equal(sum(len(f) for f in by_number.values()), expected_total, "no TamTam frame outside the vectors")

    # CRC-variant vectors: valid under the variant they name.
    by_variant = {}
    for entry in index["vectors"]:
        v = vectors[entry["id"]]
        if "valid_under" in v:
            by_variant.setdefault(v["valid_under"], []).append((entry["udp_packet"], v))
    c.check(len(by_variant) >= 7, "CRC-variant vectors cover the non-default variants: %s" % sorted(by_variant))
    with tempfile.TemporaryDirectory(prefix="tt-vectors-") as tmp:
        for variant, items in sorted(by_variant.items()):
            sub = os.path.join(tmp, "variant.pcap")
            t._run([t.EDITCAP, "-F", "pcap", "-r", pcap, sub] + [str(n) for n, _ in items])
            recs = t.all_frames(sub, ["-o", "tamtam.crc_variant:" + variant])
            if not c.equal(len(recs), len(items), variant + ": frames"):
                continue
            for (_, v), rec in zip(items, recs):
                c.equal((rec["status"], t.frame_object(rec)), ("ok", v["frame"]),
                        "%s under %s" % (v["id"], variant))

        # Stream vectors delivered out of order and retransmitted: the same
        # events, in stream order.
        shuffled, chosen = shuffled_streams(index, vectors, pcap, tmp)
        c.equal(t.problems(shuffled), [], "shuffled streams: Lua errors or malformed packets")
        flows = t.by_flow(t.packets(shuffled))
        for port, v in sorted(chosen.items()):
            check_events(c, v["id"] + " (TCP, reordered and retransmitted)",
                         flows.get(("tcp", port, 4774), []), v)

        # An empty datagram reaches no UDP subdissector; the plugin still
        # reports it as a truncated frame, on its UDP ports only.
        empty = [e["udp_packet"] for e in index["vectors"]
                 if e["file"] == "core-frame.json" and vectors[e["id"]]["hex"] == ""]
        c.check(len(empty) > 0, "the vectors hold an empty frame")
        sub = os.path.join(tmp, "empty.pcap")
        t._run([t.EDITCAP, "-F", "pcap", "-r", pcap, sub] + [str(n) for n in empty])
        c.equal([r["status"] for r in t.all_frames(sub)], ["truncated"] * len(empty), "empty datagrams")
        c.equal(t.all_frames(sub, ["-o", "tamtam.udp_ports:39100"]), [],
                "empty datagrams off the UDP ports are not TamTam")
    c.done()


if __name__ == "__main__":
    sys.exit(main())
