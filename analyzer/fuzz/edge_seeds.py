#!/usr/bin/env python3
"""Writes the edge-case seeds of fuzz_packets (corpus/packets/edge-*): packet
sequences the converted captures do not contain and libFuzzer is slow to
build, each aimed at a limit of the engine. The packets are Ethernet, IPv4
and TCP or UDP headers built here; the TamTam frames are the bytes of
vectors/core-frame.json (cf-example-1, 22 bytes, valid under CRC-8/SMBUS).
The input format is described in fuzz_packets.c.

  edge_seeds.py [OUTDIR]     (default: corpus/packets next to this file)
"""
import json, os, random, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus", "packets")

VECTORS = json.load(open(os.path.join(ROOT, "vectors", "core-frame.json")))
EX1 = bytes.fromhex(next(v["hex"] for v in VECTORS["vectors"] if v["id"] == "cf-example-1"))

# Option bytes (fuzz_packets.c): byte 1 and byte 2.
JSON, STATS, HEUR, WRITE, MATCH, SMALL, ALL_PORTS = 2, 4, 8, 0x10, 0x20, 0x40, 0x80
RUN4, AUTO = 0x20, 0x08
ETHERNET = 0

CLIENT, SERVER = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
SYN, ACK, FIN, RST = 0x02, 0x10, 0x01, 0x04


def ipv4(proto, src, dst, l4):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0, src, dst)
    return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + hdr + l4


def tcp(sport, dport, seq, ack, flags, payload=b"", src=CLIENT, dst=SERVER):
    hdr = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0)
    return ipv4(6, src, dst, hdr + payload)


def udp(sport, dport, payload, src=CLIENT, dst=SERVER):
    return ipv4(17, src, dst, struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload)


def seed(name, opts, crc, packets):
    """packets: a list of bytes (a packet) or ("repeat", n)."""
    out = bytearray([ETHERNET, opts, crc])
    for p in packets:
        if isinstance(p, tuple):
            out += struct.pack(">H", 0xE000 | p[1])
        else:
            out += struct.pack(">H", len(p)) + p
    assert len(out) <= 20000, name
    with open(os.path.join(OUT, "edge-" + name), "wb") as f:
        f.write(out)


def handshake(sport, dport, isn=1000, isn_s=5000):
    return [tcp(sport, dport, isn, 0, SYN),
            tcp(dport, sport, isn_s, isn + 1, SYN | ACK, src=SERVER, dst=CLIENT),
            tcp(sport, dport, isn + 1, isn_s + 1, ACK)]


def main():
    os.makedirs(OUT, exist_ok=True)
    # 40 frames, each after a hole, never acknowledged: the out-of-order
    # buffer (16 pieces under the small limits) gives up its oldest holes.
    pk = handshake(50000, 4774)
    pk += [tcp(50000, 4774, 1001 + 44 * i, 5001, ACK, EX1) for i in range(1, 41)]
    seed("ooo-cap-small", JSON | SMALL, RUN4, pk)
    # The same, then an ACK passing every hole, then a FIN each way.
    pk2 = pk + [tcp(4774, 50000, 5001, 1001 + 44 * 41, ACK, src=SERVER, dst=CLIENT),
                tcp(50000, 4774, 1001 + 44 * 41, 5001, FIN | ACK),
                tcp(4774, 50000, 5001, 1002 + 44 * 41, FIN | ACK, src=SERVER, dst=CLIENT)]
    seed("ooo-ack-close", JSON, RUN4, pk2)
    # Noise on a port not listed, under --heuristic: the probe gives up
    # (4 KiB under the small limits), -w keeping packets of an ignored flow.
    rnd = random.Random(8)
    noise = [bytes(rnd.randrange(256) for _ in range(1400)) for _ in range(5)]
    pk = handshake(40000, 5000)
    pk += [tcp(40000, 5000, 1001 + 1400 * i, 5001, ACK, n) for i, n in enumerate(noise)]
    seed("probe-gives-up-w", JSON | HEUR | SMALL | WRITE, RUN4, pk)
    # Frames on a port not listed, the client side noise, the server side
    # TamTam: the heuristic recognises the server, then confirms the client.
    pk = handshake(40001, 5001)
    pk += [tcp(40001, 5001, 1001, 5001, ACK, noise[0][:300])]
    pk += [tcp(5001, 40001, 5001 + 22 * i, 1301, ACK, EX1, src=SERVER, dst=CLIENT) for i in range(6)]
    seed("heuristic-one-side", JSON | HEUR, RUN4, pk)
    # 70 UDP datagrams on a port not listed, --heuristic and --crc auto:
    # the held datagrams reach their cap (64) before any decision.
    pk = [udp(30000, 6000, b"\x00" * 6) for _ in range(70)]
    seed("udp-held-cap", JSON | HEUR, RUN4 | AUTO, pk)
    # The same datagrams as frames: recognised after --run of them.
    pk = [udp(30001, 6001, EX1) for _ in range(8)] + [udp(30001, 6001, EX1 + b"xx")]
    seed("udp-heuristic-auto", JSON | HEUR, RUN4 | AUTO, pk)
    # 120 connections of one frame each through a table of 3.
    pk = []
    for i in range(120):
        pk += [tcp(1024 + i, 4774, 7, 0, SYN), tcp(1024 + i, 4774, 8, 0, ACK, EX1)]
    seed("evict-small", JSON | STATS | SMALL, RUN4, pk)
    # A frame split byte by byte, each byte retransmitted, then a RST.
    pk = handshake(50002, 4774)
    for i in range(22):
        pk += [tcp(50002, 4774, 1001 + i, 5001, ACK, EX1[i:i + 1]), ("repeat", 2)]
    pk += [tcp(50002, 4774, 1023, 5001, RST)]
    seed("bytewise-retrans-rst", JSON | WRITE | MATCH, RUN4, pk)


main()
