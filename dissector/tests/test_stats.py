"""dissector.stats: tshark -z tamtam,stat[,FILTER] counts frames by status,
class and channel, including several frames in one TCP segment."""
import os
import re
import sys
import tempfile

import ttshark as t


def parse(out):
    """{"Frames": n, "status": {...}, "class": {...}, "channel": {...}}"""
    res = {"status": {}, "class": {}, "channel": {}}
    section = None
    for line in out.splitlines():
        m = re.match(r"^Frames\s+(\d+)$", line)
        if m:
            res["Frames"] = int(m.group(1))
        elif line.startswith("By "):
            section = line[3:].rstrip(":")
        else:
            m = re.match(r"^  (.+?)\s+(\d+)$", line)
            if m and section:
                res[section][m.group(1)] = int(m.group(2))
    return res


def main():
    c = t.Checker("dissector.stats")
    ok_a, _ = t.build(cls=2, channel=7, size_id=1, payload=b"abc")
    ok_b, _ = t.build(cls=4, direction=1, channel=9)
    ok_c, _ = t.build(cls=9, direction=2, channel=7, ext=True, dest=3)
    bad_crc, _ = t.build(cls=2, channel=7, crc=0x00, payload=b"x", size_id=1)
    too_long = bytes.fromhex("30000500000A")  # Event, SizeId 0, UsedLen 10
    stream = [ok_a, ok_b, ok_c, bad_crc, too_long, ok_a, ok_a]
    with tempfile.TemporaryDirectory(prefix="tt-stats-") as tmp:
        tcp = os.path.join(tmp, "tcp.pcap")
        t.tcp_capture(tcp, [b"".join(stream[:4]), b"".join(stream[4:])])
        udp = os.path.join(tmp, "udp.pcap")
        t.udp_capture(udp, stream + [b"\x20"])  # and a truncated datagram
        both = os.path.join(tmp, "both.pcap")
        t.merge(both, [tcp, udp])

        got = parse(t.run_tshark(["-q", "-r", both, "-z", "tamtam,stat"]))
        c.equal(got.get("Frames"), 15, "frames counted")
        c.equal(got["status"], {"ok": 10, "truncated": 1, "used_len_exceeds_block": 2,
                                "crc_mismatch": 2}, "by status")
        c.equal(got["class"], {"Data (0x2)": 9, "Response (0x4)": 2, "Unassigned (0x9)": 2,
                               "Event (0x3)": 2}, "by class")
        c.equal(got["channel"], {"7": 10, "9": 2, "5": 2}, "by channel")

        got = parse(t.run_tshark(["-q", "-r", udp, "-z", "tamtam,stat,tamtam.channel == 7"]))
        c.equal(got.get("Frames"), 5, "with a filter: frames")
        c.equal(got["status"], {"ok": 4, "truncated": 0, "used_len_exceeds_block": 0,
                                "crc_mismatch": 1}, "with a filter: by status")
        c.equal(got["channel"], {"7": 5}, "with a filter: by channel")

        # Without -z nothing is printed besides the packets.
        plain = t.run_tshark(["-q", "-r", udp])
        c.check("TamTam frame statistics" not in plain, "no statistics unless asked for")
    c.done()


if __name__ == "__main__":
    sys.exit(main())
