#!/usr/bin/env python3
"""An independent Core Frame decoder, written from spec/core-frame.md alone
(no libtamtam, bitwise CRC), checked against every vector of a set.

    python3 independent_check.py DIR

Checks every frame vector (expect, error, frame object, valid_under) and
every stream vector (events and pending, delivered in its chunks and in one
piece), and that each .bin twin holds the bytes of "hex". Exits 1 naming
each disagreement, 0 when there is none. Standard library only.
"""
import json
import os
import sys

# Spec 12.1: name -> (poly, init, refin, refout, xorout, check value)
CRC8 = {
    "CRC-8/SMBUS": (0x07, 0x00, False, False, 0x00, 0xF4),
    "CRC-8/MAXIM-DOW": (0x31, 0x00, True, True, 0x00, 0xA1),
    "CRC-8/I-432-1": (0x07, 0x00, False, False, 0x55, 0xA1),
    "CRC-8/AUTOSAR": (0x2F, 0xFF, False, False, 0xFF, 0xDF),
    "CRC-8/SAE-J1850": (0x1D, 0xFF, False, False, 0xFF, 0x4B),
    "CRC-8/ROHC": (0x07, 0xFF, True, True, 0x00, 0xD0),
    "CRC-8/CDMA2000": (0x9B, 0xFF, False, False, 0x00, 0xDA),
    "CRC-8/BLUETOOTH": (0xA7, 0x00, True, True, 0x00, 0x26),
}
BLOCK = [0, 16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048,
         3072, 4096]  # CF-7.1-a


def reflect8(b):
    return int(f"{b:08b}"[::-1], 2)


def crc8(name, data):
    poly, init, refin, refout, xorout, _ = CRC8[name]
    c = init
    for b in data:
        c ^= reflect8(b) if refin else b
        for _ in range(8):
            c = ((c << 1) ^ poly) & 0xFF if c & 0x80 else (c << 1) & 0xFF
    return (reflect8(c) if refout else c) ^ xorout


def frame_length(b0, b1):
    """CF-2-b: the length implied by the first two bytes."""
    block = BLOCK[b1 >> 4] * (2 if b1 & 1 else 1)
    return 3 + (2 if b1 & 8 else 0) + 1 + 2 + block


def decode(buf, crc):
    """One buffer, checks in the order of CF-12.2-b. Returns
    (error name or None, frame object or None, bytes consumed)."""
    if len(buf) < 2:
        return "truncated", None, 0
    ext = bool(buf[1] & 8)
    hl = 5 if ext else 3
    if len(buf) < hl + 3:
        return "truncated", None, 0
    block = BLOCK[buf[1] >> 4] * (2 if buf[1] & 1 else 1)
    used = buf[hl + 1] << 8 | buf[hl + 2]
    if used > block:
        return "used_len_exceeds_block", None, 0
    flen = hl + 3 + block
    if len(buf) < flen:
        return "truncated", None, 0
    payload = buf[hl + 3:hl + 3 + used]
    if crc8(crc, buf[:hl] + buf[hl + 1:hl + 3] + payload) != buf[hl]:
        return "crc_mismatch", None, 0
    return None, {
        "class": buf[0] >> 4, "direction": buf[0] & 15,
        "size_id": buf[1] >> 4, "big": bool(buf[1] & 1),
        "ack": bool(buf[1] & 2), "priority": bool(buf[1] & 4), "ext": ext,
        "channel": buf[2], "dest": (buf[3] << 8 | buf[4]) if ext else None,
        "crc": buf[hl], "used_len": used, "payload": payload.hex(),
    }, flen


class Stream:
    """CF-12.3: judge a frame once all its computed length has arrived;
    skip a discarded frame by that length; a tail is pending."""

    def __init__(self, crc):
        self.crc, self.held, self.offset, self.events = crc, b"", 0, []

    def feed(self, chunk):
        self.held += chunk
        while len(self.held) >= 2:
            n = frame_length(self.held[0], self.held[1])
            if len(self.held) < n:
                break
            err, frame, _ = decode(self.held[:n], self.crc)
            self.events.append({"frame": frame} if err is None
                               else {"error": err, "offset": self.offset})
            self.held, self.offset = self.held[n:], self.offset + n


def main(d):
    problems = []

    def bad(vid, why):
        problems.append(f"{vid}: {why}")

    for name, p in CRC8.items():
        if crc8(name, b"123456789") != p[5]:
            bad(name, "check value wrong: this checker is broken")

    def twin(sub, v):
        with open(os.path.join(d, sub, v["id"] + ".bin"), "rb") as f:
            if f.read() != bytes.fromhex(v["hex"]):
                bad(v["id"], ".bin twin differs from hex")

    with open(os.path.join(d, "core-frame.json")) as f:
        frames = json.load(f)
    crc = frames["crc"]
    for v in frames["vectors"]:
        buf = bytes.fromhex(v["hex"])
        twin("core-frame", v)
        err, frame, _ = decode(buf, crc)
        want_err = v.get("error") if v["expect"] == "invalid" else None
        if err != want_err:
            bad(v["id"], f"expected {want_err or 'valid'}, got {err or 'valid'}")
        if "valid_under" in v:
            err, frame, _ = decode(buf, v["valid_under"])
            if err:
                bad(v["id"], f"not valid under {v['valid_under']}: {err}")
        if "frame" in v and frame != v["frame"]:
            bad(v["id"], f"frame {frame} != {v['frame']}")

    with open(os.path.join(d, "core-stream.json")) as f:
        streams = json.load(f)
    for v in streams["vectors"]:
        buf = bytes.fromhex(v["hex"])
        twin("core-stream", v)
        if sum(v["chunks"]) != len(buf):
            bad(v["id"], "chunks do not add up to the bytes")
        for how, chunks in (("in its chunks", v["chunks"]),
                            ("in one piece", [len(buf)])):
            s, at = Stream(streams["crc"]), 0
            for n in chunks:
                s.feed(buf[at:at + n])
                at += n
            if s.events != v["events"] or len(s.held) != v["pending"]:
                bad(v["id"], f"{how}: events or pending differ")

    for p in problems:
        print("FAIL", p)
    print(f"independent check: {len(frames['vectors'])} frame and "
          f"{len(streams['vectors'])} stream vectors under {crc}, "
          f"{len(problems)} disagreements")
    return 1 if problems or not frames["vectors"] else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: independent_check.py DIR")
    sys.exit(main(sys.argv[1]))
