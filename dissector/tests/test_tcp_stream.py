"""dissector.tcp_stream: frames back to back on one TCP connection, cut into
segments in every awkward way (one frame per segment, all in one segment,
cuts between the two length bytes and inside CRC/UsedLen, one byte per
segment, the largest frame), delivered in order, out of order and with
retransmissions. Each capture must yield exactly the frames sent, in order,
with their fields and verdicts (a discarded frame is skipped by its own
length, CF-12.3-a), and the Info column must list every frame."""
import os
import random
import sys
import tempfile

import ttshark as t


def stream_frames():
    """(bytes, expected status, expected frame object) in stream order."""
    rnd = random.Random(4774)
    ex1, ex1_obj = t.build(cls=2, direction=0, size_id=1, channel=7, payload=b"\x01\x02\x03")
    ex2, ex2_obj = t.build(cls=2, direction=0, size_id=1, ext=True, dest=0x1234, channel=7,
                           payload=b"\x01\x02\x03")
    zero, zero_obj = t.build()
    bad_crc, bad_crc_obj = t.build(cls=2, direction=0, size_id=1, channel=7, payload=b"\x01\x02\x03",
                                   crc=0x11)
    # UsedLen 17 in a 16-byte block: 22 bytes on the stream, skipped whole.
    too_long = bytes.fromhex("201007000011") + bytes(range(16))
    pad, pad_obj = t.build(cls=1, direction=1, size_id=3, channel=200, payload=b"\xAA" * 10,
                           padding=b"\x00" * 53 + b"\x01")
    largest, largest_obj = t.build(cls=4, direction=3, size_id=15, big=True, ext=True, ack=True,
                                   dest=0xBEEF, channel=42,
                                   payload=bytes(rnd.randrange(256) for _ in range(8192)))
    big, big_obj = t.build(cls=3, direction=2, size_id=14, priority=True, channel=3,
                           payload=bytes(rnd.randrange(256) for _ in range(3000)))
    return [
        (ex1, "ok", ex1_obj), (ex2, "ok", ex2_obj), (zero, "ok", zero_obj),
        (bad_crc, "crc_mismatch", bad_crc_obj),
        (too_long, "used_len_exceeds_block", None),
        (pad, "ok", pad_obj), (largest, "ok", largest_obj), (zero, "ok", zero_obj),
        (big, "ok", big_obj), (ex1, "ok", ex1_obj), (zero, "ok", zero_obj), (zero, "ok", zero_obj),
    ]


def awkward_cuts(frames):
    """Stream offsets to cut at: after each frame's first byte (its length
    not yet known), inside its CRC/UsedLen bytes, and one byte before its
    end."""
    cuts, start = set(), 0
    for data, _, _ in frames:
        end = start + len(data)
        for off in (start + 1, start + 4, start + 5, end - 1):
            if start < off < end:
                cuts.add(off)
        start = end
    return sorted(cuts)


def cut_at(data, offsets):
    bounds = [0] + list(offsets) + [len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


def scenarios(stream, frames):
    rnd = random.Random(6)
    per_frame = [data for data, _, _ in frames]
    awkward = cut_at(stream, awkward_cuts(frames))
    one_byte = t.split(stream, [1] * 80 + [rnd.randrange(1, 700) for _ in range(400)])
    mixed = t.split(stream, [rnd.randrange(1, 1500) for _ in range(200)])
    n = len(awkward)
    # Out of order: neighbours swapped, and segments held back by a few.
    swapped = list(range(n))
    for i in range(1, n - 1, 3):
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
    held = list(range(len(mixed)))
    for i in range(2, len(mixed) - 4, 6):
        held.insert(i + 4, held.pop(i))
    return [
        ("one frame per segment", per_frame, None, ()),
        ("all frames in one segment", [stream], None, ()),
        ("awkward cuts", awkward, None, ()),
        ("one byte per segment, then random", one_byte, None, ()),
        ("awkward cuts, neighbours swapped", awkward, swapped, ()),
        ("random cuts, segments held back", mixed, held, ()),
        ("awkward cuts, retransmissions", awkward, None, (1, 2, 5, n // 2, n - 2)),
        ("random cuts, reordered and retransmitted", mixed, held, (0, 3, 4, 7, len(mixed) // 2)),
    ]


def main():
    c = t.Checker("dissector.tcp_stream")
    frames = stream_frames()
    stream = b"".join(data for data, _, _ in frames)
    with tempfile.TemporaryDirectory(prefix="tt-tcp-") as tmp:
        # One connection per scenario (source port 40000 + index), merged
        # into one capture so tshark runs once.
        parts, names = [], {}
        for i, (name, segments, order, retransmit) in enumerate(scenarios(stream, frames)):
            c.equal(b"".join(segments), stream, name + ": test setup: segments cover the stream")
            parts.append(os.path.join(tmp, "s%d.pcap" % i))
            t.tcp_capture(parts[-1], segments, sport=40000 + i, order=order, retransmit=retransmit)
            names[("tcp", 40000 + i, 4774)] = name
        pcap = os.path.join(tmp, "all.pcap")
        t.merge(pcap, parts)
        c.equal(t.problems(pcap), [], "Lua errors or malformed packets")
        pkts = t.packets(pcap)
        flows = t.by_flow(pkts)
        c.equal(sorted(flows), sorted(names), "one flow per scenario")
        for flow, name in sorted(names.items()):
            got = flows.get(flow, [])
            if not c.equal(len(got), len(frames), name + ": frames decoded"):
                continue
            for i, ((_, status, obj), rec) in enumerate(zip(frames, got)):
                what = "%s: frame %d" % (name, i)
                c.equal(rec["status"], status, what + " status")
                if obj is not None:
                    c.equal(t.frame_object(rec), obj, what + " fields")
                else:
                    c.equal((rec["class"], rec["size_id"], rec["used_len"], rec["block_size"]),
                            (2, 1, 17, 16), what + " fields of the discarded frame")
        # Every frame appears in the Info column of the packet that completes
        # it, and nowhere else.
        cols = t.columns(pcap)
        for flow, name in sorted(names.items()):
            listed = sum(len(cols[p["number"]][1].split(" | ")) for p in pkts
                         if p["flow"] == flow and cols[p["number"]][0] == "TamTam")
            c.equal(listed, len(frames), name + ": frames listed in the Info column")
            with_frames = sum(len(p["frames"]) for p in pkts if p["flow"] == flow)
            c.equal(with_frames, len(frames), name + ": frames in packet trees")
    c.done()


if __name__ == "__main__":
    sys.exit(main())
