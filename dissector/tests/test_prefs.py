"""dissector.prefs: preferences given with -o are honoured, each checked so a
plugin that ignored it would fail: the TCP and UDP port ranges (frames on the
new port decoded, on the old one no longer), the CRC-8 variant (each of the
eight pinned names accepts exactly the frames carrying its CRC, values from
the table of spec 12.1), and Decode As (-d) on ports outside the ranges."""
import os
import sys
import tempfile

import ttshark as t

EX1 = bytes.fromhex("20100710000301020300000000000000000000000000")
EX2 = bytes.fromhex("201807123407000301020300000000000000000000000000")
# Spec 12.1: the CRC of the CRC input of examples 1 and 2 under each variant.
VARIANT_CRCS = [
    ("CRC-8/SMBUS", 0x10, 0x07), ("CRC-8/MAXIM-DOW", 0x86, 0x4F), ("CRC-8/I-432-1", 0x45, 0x52),
    ("CRC-8/AUTOSAR", 0x61, 0x5B), ("CRC-8/SAE-J1850", 0x3A, 0x09), ("CRC-8/ROHC", 0x16, 0x10),
    ("CRC-8/CDMA2000", 0x43, 0xC2), ("CRC-8/BLUETOOTH", 0xBC, 0x31),
]
# Spec 12.1-c: six zero bytes are valid under these (zero init and xorout).
ZERO_VALID = {"CRC-8/SMBUS", "CRC-8/MAXIM-DOW", "CRC-8/BLUETOOTH"}


def with_crc(frame, offset, crc):
    b = bytearray(frame)
    b[offset] = crc
    return bytes(b)


def check_ports(c, tmp):
    # Three frames on each of TCP and UDP ports 4774, 39100 and 39200, all
    # in one capture: each setting is one tshark run.
    parts = []
    for transport in ("tcp", "udp"):
        for port in (4774, 39100, 39200):
            parts.append(os.path.join(tmp, "%s%d.pcap" % (transport, port)))
            if transport == "tcp":
                t.tcp_capture(parts[-1], [EX1 + EX2, EX1], dport=port)
            else:
                t.udp_capture(parts[-1], [EX1, EX2, EX1], dport=port)
    pcap = os.path.join(tmp, "ports.pcap")
    t.merge(pcap, parts)

    def decoded(opts):
        """{(transport, port): frames decoded}"""
        got = {}
        for (transport, _, dport), recs in t.by_flow(t.packets(pcap, opts)).items():
            got[transport, dport] = len(recs)
        return {k: v for k, v in got.items() if v}

    c.equal(decoded([]), {("tcp", 4774): 3, ("udp", 4774): 3}, "default: port 4774 only")
    for transport, other in (("tcp", "udp"), ("udp", "tcp")):
        moved = ["-o", "tamtam.%s_ports:39100" % transport]
        c.equal(decoded(moved), {(transport, 39100): 3, (other, 4774): 3},
                "-o tamtam.%s_ports:39100 moves %s from 4774 to 39100" % (transport, transport))
        c.equal(t.problems(pcap, moved), [], " ".join(moved) + ": Lua errors or malformed packets")
        ranged = ["-o", "tamtam.%s_ports:4774,39090-39110" % transport]
        c.equal(decoded(ranged), {(transport, 39100): 3, (transport, 4774): 3, (other, 4774): 3},
                "a port range for " + transport)
        decode_as = ["-d", "%s.port==39200,tamtam" % transport]
        c.equal(decoded(decode_as), {(transport, 39200): 3, ("tcp", 4774): 3, ("udp", 4774): 3},
                "Decode As " + " ".join(decode_as))


def check_crc_variants(c, tmp):
    datagrams, owner = [], []
    for name, crc1, crc2 in VARIANT_CRCS:
        datagrams += [with_crc(EX1, 3, crc1), with_crc(EX2, 5, crc2)]
        owner += [name, name]
    datagrams.append(bytes(6))
    owner.append(None)
    udp = os.path.join(tmp, "variants-udp.pcap")
    t.udp_capture(udp, datagrams)
    tcp = os.path.join(tmp, "variants-tcp.pcap")
    t.tcp_capture(tcp, [b"".join(datagrams)])
    both = os.path.join(tmp, "variants.pcap")
    t.merge(both, [udp, tcp])
    # No -o: the default, CRC-8/SMBUS. Names match case-insensitively, with
    # or without the CRC-8/ prefix (CF-12.1-b).
    settings = [("CRC-8/SMBUS", [])]
    settings += [(name, ["-o", "tamtam.crc_variant:" + name]) for name, _, _ in VARIANT_CRCS]
    settings.append(("CRC-8/ROHC", ["-o", "tamtam.crc_variant:crc-8/rohc"]))
    settings.append(("CRC-8/SAE-J1850", ["-o", "tamtam.crc_variant:sae-j1850"]))
    for name, opts in settings:
        what = " ".join(opts) or "default"
        pkts = t.packets(both, opts)
        for transport in ("udp", "tcp"):
            recs = [f for p in pkts if p["transport"] == transport for f in p["frames"]]
            if not c.equal(len(recs), len(datagrams), "%s %s: frames" % (what, transport)):
                continue
            for i, rec in enumerate(recs):
                valid = owner[i] == name or (owner[i] is None and name in ZERO_VALID)
                c.equal(rec["status"], "ok" if valid else "crc_mismatch",
                        "%s %s: frame %d (%s)" % (what, transport, i, owner[i] or "six zeros"))
                if not valid:
                    c.check(any(name in m for m in rec["expert_messages"]),
                            "%s: the crc_mismatch text names %s: %r" % (what, name, rec["expert_messages"]))
    opts = ["-o", "tamtam.crc_variant:CRC-8/CDMA2000"]
    c.equal(t.problems(both, opts), [], " ".join(opts) + ": Lua errors or malformed packets")


def main():
    c = t.Checker("dissector.prefs")
    with tempfile.TemporaryDirectory(prefix="tt-prefs-") as tmp:
        check_ports(c, tmp)
        check_crc_variants(c, tmp)
    c.done()


if __name__ == "__main__":
    sys.exit(main())
