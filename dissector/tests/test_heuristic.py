"""dissector.heuristic: the TCP and UDP heuristic is off by default, finds
TamTam on other ports when -o tamtam.heuristic:TRUE, needs
tamtam.heuristic_min_frames valid frames first, and never takes runs of zero
bytes (valid frames under CRC-8/SMBUS, CF-12.1-c) or random bytes as
evidence."""
import os
import random
import sys
import tempfile

import ttshark as t

ON = ["-o", "tamtam.heuristic:TRUE"]


def frames(n, seed):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        size_id = rnd.randrange(0, 6)
        block = t.block_size(size_id, False)
        data, obj = t.build(cls=rnd.randrange(5), direction=rnd.randrange(4), size_id=size_id,
                          channel=rnd.randrange(256), payload=bytes(rnd.randrange(256)
                                                                   for _ in range(rnd.randrange(block + 1))))
        out.append((data, obj))
    return out


def frame_bytes(n, seed):
    return [data for data, _ in frames(n, seed)]


def main():
    c = t.Checker("dissector.heuristic")
    with tempfile.TemporaryDirectory(prefix="tt-heur-") as tmp:
        parts = []

        def cap(name):
            parts.append(os.path.join(tmp, name + ".pcap"))
            return parts[-1]

        # Three frames in the first segment: enough on their own.
        many = frame_bytes(9, 1)
        t.tcp_capture(cap("tcp-burst"), [b"".join(many[:3]), many[3] + many[4][:5],
                                         many[4][5:] + b"".join(many[5:])], dport=39000)
        # One frame per segment / datagram: accepted at the third.
        t.tcp_capture(cap("tcp-single"), frame_bytes(6, 2), dport=39001)
        t.udp_capture(cap("udp-single"), frame_bytes(6, 2), dport=39001)
        # Zero bytes are valid frames under SMBUS and still never evidence,
        # nor is an all-zero frame with a block (SizeId 1: 22 zero bytes).
        t.tcp_capture(cap("tcp-zeros"), [bytes(60)] * 10, dport=39002)
        t.udp_capture(cap("udp-zeros"), [bytes(6)] * 10, dport=39002)
        t.udp_capture(cap("udp-zero-blocks"), [bytes.fromhex("0010") + bytes(20)] * 10, dport=39005)
        # Random traffic is not TamTam.
        rnd = random.Random(3)
        noise = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(2, 300))) for _ in range(60)]
        t.udp_capture(cap("udp-noise"), noise, dport=39003)
        t.tcp_capture(cap("tcp-noise"), noise, dport=39003)
        # A datagram must be exactly one frame to count.
        t.udp_capture(cap("udp-trailing"), [f + b"\x01" for f in frame_bytes(6, 4)], dport=39004)
        # The registered port keeps working with the heuristic on.
        t.udp_capture(cap("udp-4774"), frame_bytes(2, 5))
        pcap = os.path.join(tmp, "all.pcap")
        t.merge(pcap, parts)

        def decoded(opts):
            got = {}
            for (transport, _, dport), recs in t.by_flow(t.packets(pcap, opts)).items():
                if recs:
                    got["%s/%d" % (transport, dport)] = len(recs)
            return got

        on = ["-o", "tamtam.heuristic:TRUE"]
        min1 = ["-o", "tamtam.heuristic_min_frames:1"]
        min5 = ["-o", "tamtam.heuristic_min_frames:5"]
        rohc = ["-o", "tamtam.crc_variant:CRC-8/ROHC"]
        cases = [
            ([], {"udp/4774": 2}, "off by default"),
            (on, {"tcp/39000": 9, "tcp/39001": 4, "udp/39001": 4, "udp/4774": 2},
             "on: a burst at once, single frames from the third on"),
            (on + ["-2"], {"tcp/39000": 9, "tcp/39001": 6, "udp/39001": 6, "udp/4774": 2},
             "on, two passes: the first frames of an accepted conversation too"),
            # The burst shows 3 whole frames, then 1 before a segment that
            # starts mid-frame: 4 < 5, never accepted.
            (on + min5, {"tcp/39001": 2, "udp/39001": 2, "udp/4774": 2},
             "heuristic_min_frames:5 honoured"),
            (on + min1 + ["-2"], {"tcp/39000": 9, "tcp/39001": 6, "udp/39001": 6, "udp/4774": 2},
             "heuristic_min_frames:1: zeros, noise, trailing bytes still refused"),
            (on + rohc, {"udp/4774": 2}, "evidence is checked under the selected CRC-8"),
        ]
        for opts, want, what in cases:
            c.equal(decoded(opts), want, what + " (" + " ".join(opts) + ")")
        # What the heuristic found is decoded like anything else.
        flows = t.by_flow(t.packets(pcap, on + ["-2"]))
        c.equal([(r["status"], t.frame_object(r)) for r in flows[("tcp", 50000, 39000)]],
                [("ok", obj) for _, obj in frames(9, 1)], "fields of the TCP burst found by the heuristic")
        c.equal([(r["status"], t.frame_object(r)) for r in flows[("udp", 50000, 39001)]],
                [("ok", obj) for _, obj in frames(6, 2)], "fields of the UDP frames found by the heuristic")
        c.equal(t.problems(pcap, on + min1), [], "Lua errors or malformed packets")
    c.done()


if __name__ == "__main__":
    sys.exit(main())
