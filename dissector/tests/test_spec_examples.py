"""dissector.spec_examples: the worked examples of spec/core-frame.md 12.2 and
12.6 (plus unassigned/reserved values and all flags), one per UDP datagram,
then the complete ones back to back on TCP in one segment. Every field,
the status, the checksum status, the expert infos and the Info column are
compared with what the spec says."""
import os
import sys
import tempfile

import ttshark as t

EX1 = bytes.fromhex("20100710000301020300000000000000000000000000")  # spec 12.6 example 1
EX2 = bytes.fromhex("201807123407000301020300000000000000000000000000")  # example 2
ZERO = bytes(6)  # example 3, CF-12.1-c

EX1_OBJ = {"class": 2, "direction": 0, "size_id": 1, "big": False, "ack": False, "priority": False,
           "ext": False, "channel": 7, "dest": None, "crc": 0x10, "used_len": 3, "payload": "010203"}
EX2_OBJ = dict(EX1_OBJ, ext=True, dest=0x1234, crc=0x07)
ZERO_OBJ = {"class": 0, "direction": 0, "size_id": 0, "big": False, "ack": False, "priority": False,
            "ext": False, "channel": 0, "dest": None, "crc": 0, "used_len": 0, "payload": ""}

GOOD, BAD, UNVERIFIED = 1, 0, 2  # Wireshark's checksum status values


def with_byte(data, i, v):
    b = bytearray(data)
    b[i] = v
    return bytes(b)


def cases():
    """(name, bytes, expected status, expected fields (subset), expected
    expert abbreviations, Info column text fragments)."""
    unassigned, unassigned_obj = t.build(cls=5, direction=4, size_id=1, channel=9, payload=b"\x10\x20")
    reserved, reserved_obj = t.build(cls=15, direction=15, channel=1)
    flags, flags_obj = t.build(cls=3, direction=2, size_id=2, big=True, ack=True, priority=True,
                               ext=True, channel=255, dest=65535, payload=bytes(range(64)))
    return [
        ("one byte", bytes.fromhex("20"), "truncated",
         {"class": 2, "direction": 0, "size_id": None, "crc": None}, ["tamtam.truncated"],
         ["Data/Request", "truncated"]),
        ("local, 5 bytes", bytes.fromhex("2010071000"), "truncated",
         {"size_id": 1, "channel": 7, "crc": 0x10, "crc_status": UNVERIFIED, "used_len": None},
         ["tamtam.truncated"], ["truncated"]),
        ("roaming, 7 bytes", bytes.fromhex("20180712340700"), "truncated",
         {"ext": True, "dest": 0x1234, "crc": 0x07, "used_len": None}, ["tamtam.truncated"],
         ["dest=4660", "truncated"]),
        ("UsedLen 17 > 16", bytes.fromhex("201007000011"), "used_len_exceeds_block",
         {"used_len": 17, "block_size": 16, "crc_status": UNVERIFIED, "payload": ""},
         ["tamtam.used_len_exceeds_block"], ["len=17/16 used_len_exceeds_block"]),
        ("SizeId 0, UsedLen 1", bytes.fromhex("000000000001"), "used_len_exceeds_block",
         {"used_len": 1, "block_size": 0}, ["tamtam.used_len_exceeds_block"], ["used_len_exceeds_block"]),
        ("example 1 less a byte", EX1[:21], "truncated", {"used_len": 3, "payload": ""},
         ["tamtam.truncated"], ["truncated"]),
        ("example 1, CRC byte 0x11", with_byte(EX1, 3, 0x11), "crc_mismatch",
         dict(EX1_OBJ, crc=0x11, crc_status=BAD), ["tamtam.crc_mismatch"], ["crc_mismatch"]),
        ("example 1, payload byte FF", with_byte(EX1, 7, 0xFF), "crc_mismatch",
         dict(EX1_OBJ, payload="01ff03", crc_status=BAD), ["tamtam.crc_mismatch"], ["crc_mismatch"]),
        ("example 1, padding byte FF", with_byte(EX1, 21, 0xFF), "ok",
         dict(EX1_OBJ, crc_status=GOOD, padding="00" * 12 + "ff"), ["tamtam.padding_nonzero"],
         ["Data/Request ch=7 len=3/16"]),
        ("example 1", EX1, "ok", dict(EX1_OBJ, crc_status=GOOD, block_size=16, padding="00" * 13),
         [], ["Data/Request ch=7 len=3/16"]),
        ("example 2", EX2, "ok", dict(EX2_OBJ, crc_status=GOOD), [],
         ["Data/Request ch=7 dest=4660 len=3/16 [EXT]"]),
        ("example 3 (six zeros)", ZERO, "ok", dict(ZERO_OBJ, crc_status=GOOD, padding=""), [],
         ["System/Request ch=0 len=0/0"]),
        ("unassigned class and direction", unassigned, "ok", unassigned_obj,
         ["tamtam.class_not_assigned", "tamtam.direction_not_assigned"], ["Unassigned(0x5)/Unassigned(0x4)"]),
        ("reserved class and direction", reserved, "ok", reserved_obj,
         ["tamtam.class_not_assigned", "tamtam.direction_not_assigned"], ["Reserved/Reserved"]),
        ("every flag, channel 255, dest 65535", flags, "ok", dict(flags_obj, block_size=64),
         [], ["Event/Broadcast ch=255 dest=65535 len=64/64 [BIG ACK PRIO EXT]"]),
    ]


def check_frame(c, name, rec, status, want, experts):
    c.equal(rec["status"], status, name + ": tamtam.status")
    for key, value in want.items():
        c.equal(rec[key], value, name + ": " + key)
    c.equal(sorted(rec["experts"]), sorted(experts), name + ": expert infos")
    for abbr, msg in zip(rec["experts"], rec["expert_messages"]):
        # crc_mismatch and used_len_exceeds_block carry their pinned names.
        for pinned in ("crc_mismatch", "used_len_exceeds_block", "truncated"):
            if abbr == "tamtam." + pinned:
                c.check(msg.startswith(pinned + ":"), "%s: expert text %r names %s" % (name, msg, pinned))
        if abbr == "tamtam.class_not_assigned" and "reserved" in name:
            c.check("reserved" in msg, name + ": note says reserved: " + msg)
        if abbr == "tamtam.class_not_assigned" and "unassigned" in name:
            c.check("unassigned" in msg, name + ": note says unassigned: " + msg)


def main():
    c = t.Checker("dissector.spec_examples")
    all_cases = cases()
    with tempfile.TemporaryDirectory(prefix="tt-spec-") as tmp:
        udp = os.path.join(tmp, "udp.pcap")
        datagrams = [data for _, data, *_ in all_cases]
        datagrams.append(EX1 + bytes.fromhex("AABB"))
        t.udp_capture(udp, datagrams)
        c.equal(t.problems(udp), [], "UDP: Lua errors or malformed packets")
        pkts = t.packets(udp)
        c.equal(len(pkts), len(datagrams), "UDP: packets")
        cols = t.columns(udp)
        for (name, _, status, want, experts, texts), pkt in zip(all_cases, pkts):
            if not c.equal(len(pkt["frames"]), 1, name + ": frames in the datagram"):
                continue
            check_frame(c, name, pkt["frames"][0], status, want, experts)
            c.equal(pkt["extra"], {}, name + ": nothing outside the frame")
            proto, info = cols[pkt["number"]]
            c.equal(proto, "TamTam", name + ": Protocol column")
            for text in texts:
                c.check(text in info, "%s: Info %r has %r" % (name, info, text))

        # CF-12.2-c: bytes after the frame do not change its verdict.
        last = pkts[-1]
        check_frame(c, "example 1 + AA BB", last["frames"][0], "ok", EX1_OBJ, [])
        c.equal(last["extra"].get("tamtam.trailing"), ["aa:bb"], "trailing bytes field")
        c.equal(last["extra_experts"], ["tamtam.trailing_bytes"], "trailing bytes expert")

        # The complete frames (a stream never shows `truncated`, CF-12.3-b)
        # back to back in one TCP segment: all decoded, all in the Info column.
        stream_cases = [x for x in all_cases if x[2] != "truncated"]
        tcp = os.path.join(tmp, "tcp.pcap")
        payload = b"".join(data for _, data, *_ in stream_cases)
        # UsedLen 17 > 16 is a 6-byte prefix of a 22-byte frame: complete it
        # with 16 block bytes so the stream holds the whole frame.
        payload = payload.replace(bytes.fromhex("201007000011"), bytes.fromhex("201007000011") + bytes(16))
        t.tcp_capture(tcp, [payload])
        c.equal(t.problems(tcp), [], "TCP: Lua errors or malformed packets")
        frames = t.all_frames(tcp)
        c.equal(len(frames), len(stream_cases), "TCP: frames in the segment")
        for (name, _, status, want, experts, _), rec in zip(stream_cases, frames):
            check_frame(c, "TCP " + name, rec, status, want, experts)
        info = t.columns(tcp)[1][1]
        c.equal(info.count(" | "), len(stream_cases) - 1, "TCP: Info lists every frame: " + info)
        for name, _, _, _, _, texts in stream_cases:
            for text in texts:
                c.check(text in info, "TCP %s: Info has %r" % (name, text))
    c.done()


if __name__ == "__main__":
    sys.exit(main())
