"""dissector.robustness: hundreds of mutated frames (every truncation, bit
flips in every region, random UsedLen, random headers, random bytes), one per
UDP datagram and back to back on TCP. No Lua error, no malformed packet, and
every verdict and field equal to an independent decoder written from the
spec (ttshark.decode), including how a TCP stream is cut (CF-12.3-a)."""
import os
import random
import sys
import tempfile

import ttshark as t


def samples():
    rnd = random.Random(1234)
    seeds = [
        t.build(cls=2, size_id=1, channel=7, payload=b"\x01\x02\x03")[0],
        t.build(cls=3, direction=1, size_id=2, ext=True, dest=0xABCD, ack=True, payload=b"\xFF" * 20)[0],
        t.build(cls=0, direction=0)[0],
        t.build(cls=1, direction=3, size_id=5, big=True, priority=True, channel=1, payload=bytes(256))[0],
    ]
    out = []
    for s in seeds:
        out += [s[:n] for n in range(len(s) + 1) if n <= 40 or n % 37 == 0]  # truncations
        for _ in range(40):  # one flipped bit anywhere
            b = bytearray(s)
            i = rnd.randrange(len(b))
            b[i] ^= 1 << rnd.randrange(8)
            out.append(bytes(b))
        for _ in range(10):  # random UsedLen
            b = bytearray(s)
            off = 6 if b[1] & 8 else 4
            if len(b) > off + 1:
                b[off - 1] = rnd.randrange(256)
                b[off] = rnd.randrange(256)
            out.append(bytes(b))
    for _ in range(150):  # random headers with random amounts of data
        n = rnd.choice([2, 5, 6, 8, 30, 100, 600])
        out.append(bytes(rnd.randrange(256) for _ in range(n)))
    return [x for x in out if x]  # an empty UDP datagram carries no TamTam bytes


def compare(c, what, rec, buf):
    status, obj, _ = t.decode(buf)
    c.equal(rec["status"], status, what + " status (%s)" % buf[:12].hex())
    if obj is not None:
        c.equal(t.frame_object(rec), obj, what + " fields (%s)" % buf[:12].hex())


def main():
    c = t.Checker("dissector.robustness")
    data = samples()
    with tempfile.TemporaryDirectory(prefix="tt-robust-") as tmp:
        udp = os.path.join(tmp, "udp.pcap")
        t.udp_capture(udp, data)
        c.equal(t.problems(udp), [], "UDP: Lua errors or malformed packets")
        pkts = t.packets(udp)
        c.equal(len(pkts), len(data), "UDP: packets")
        for i, (pkt, buf) in enumerate(zip(pkts, data)):
            if c.equal(len(pkt["frames"]), 1, "datagram %d: one frame" % i):
                compare(c, "datagram %d" % i, pkt["frames"][0], buf)
            _, _, flen = t.decode(buf)
            occupied = len(buf) if flen is None else min(len(buf), flen)
            trailing = pkt["extra"].get("tamtam.trailing", [""])[0].replace(":", "")
            c.equal(trailing, buf[occupied:].hex(), "datagram %d: bytes after the frame" % i)

        # The same bytes as one TCP stream, in segments of every size. The
        # independent decoder cuts the stream by each frame's length.
        rnd = random.Random(99)
        stream = b"".join(data)
        expected, pos = [], 0
        while pos + 2 <= len(stream):
            status, obj, flen = t.decode(stream[pos:])
            if pos + flen > len(stream):
                break  # pending at the end: never shown (CF-12.3-b)
            expected.append(stream[pos:pos + flen])
            pos += flen
        tcp = os.path.join(tmp, "tcp.pcap")
        t.tcp_capture(tcp, t.split(stream, [rnd.randrange(1, 200) for _ in range(600)]))
        c.equal(t.problems(tcp), [], "TCP: Lua errors or malformed packets")
        got = t.all_frames(tcp)
        c.equal(len(got), len(expected), "TCP: frames")
        for i, (rec, buf) in enumerate(zip(got, expected)):
            compare(c, "TCP frame %d" % i, rec, buf)
    c.done()


if __name__ == "__main__":
    sys.exit(main())
