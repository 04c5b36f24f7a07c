"""dissector.table: the seam for layers above the Core Frame. tamtam.lua hands
the payload of every valid frame to the dissector registered for its ChannelId
in the DissectorTable "tamtam.channel". A toy layer defined here
(toy_channel.lua: channel 0xAB, field toy.text), loaded beside tamtam.lua,
shows on exactly the valid frames of that channel, with the frame's payload;
frames on other channels, and invalid frames, show no toy layer; every tamtam.*
field is the same with and without the toy, on built captures and on
vectors/pcap/core.pcap."""
import os
import sys
import tempfile

import ttshark as t

HERE = os.path.dirname(os.path.abspath(__file__))
TOY = os.path.join(HERE, "toy_channel.lua")
CORE_PCAP = os.path.join(os.environ.get("TT_SOURCE_DIR", os.path.join(HERE, "..", "..")),
                         "vectors", "pcap", "core.pcap")
TOY_CHANNEL = 0xAB
WITH_TOY = ["-X", "lua_script:" + TOY]
TAMTAM_FIELDS = ["tamtam.channel", "tamtam.status", "tamtam.payload", "tamtam.padding",
                 "tamtam.used_len", "tamtam.crc.status", "tamtam.trailing", "_ws.col.Info",
                 "_ws.col.Protocol"]


def rows(pcap, names, extra=()):
    """{frame number: [value list per field]} from -T fields (occurrences ',')."""
    args = ["-r", pcap, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;",
            "-e", "frame.number"]
    for n in names:
        args += ["-e", n]
    out = t.run_tshark(list(extra) + args)
    result = {}
    for line in out.splitlines():
        cols = line.split("\t")
        result[int(cols[0])] = [c.split(";") if c else [] for c in cols[1:]]
    return result


def expected_toy(channels, statuses, payloads_by_frame):
    """The toy payloads one packet must show: one per valid frame on 0xAB."""
    return [payloads_by_frame[i] for i, (ch, st) in enumerate(zip(channels, statuses))
            if int(ch) == TOY_CHANNEL and st == "ok"]


def check_capture(c, pcap, what, frames_payloads):
    """frames_payloads: {packet number: [payload text of every frame]}."""
    names = ["tamtam.channel", "tamtam.status", "toy.text", "toy.length"]
    got = rows(pcap, names, WITH_TOY)
    for num, payloads in frames_payloads.items():
        ch, st, text, length = got.get(num, [[], [], [], []])
        c.equal(len(ch), len(payloads), "%s packet %d: frames" % (what, num))
        want = expected_toy(ch, st, payloads)
        c.equal([int(n) for n in length], [len(p) for p in want],
                "%s packet %d: one toy layer per valid frame on channel 0xAB" % (what, num))
        c.equal(text, [p for p in want if p], "%s packet %d: toy.text is the payload" % (what, num))
    c.equal(t.problems(pcap, WITH_TOY), [], "%s: no Lua error, nothing malformed" % what)
    plain = rows(pcap, TAMTAM_FIELDS)
    c.equal(rows(pcap, TAMTAM_FIELDS, WITH_TOY), plain,
            "%s: every tamtam.* field and the columns are the same with the toy loaded" % what)
    c.check(all(v for r in plain.values() for v in r[:1]), "%s: every packet decoded" % what)


def main():
    c = t.Checker("dissector.table")
    tables = t.run_tshark(WITH_TOY, glossary="dissector-tables")
    c.check(any(l.split("\t")[:2] == ["tamtam.channel", "TamTam ChannelId"] for l in tables.splitlines()),
            "tshark -G dissector-tables lists tamtam.channel")
    fields = t.run_tshark(WITH_TOY, glossary="fields")
    c.check("\ttoy.text\tFT_STRING\ttoy\t" in fields, "the toy's field toy.text is registered")

    good, _ = t.build(cls=2, channel=TOY_CHANNEL, size_id=1, payload=b"hello toy")
    empty, _ = t.build(cls=4, direction=1, channel=TOY_CHANNEL)
    roaming, _ = t.build(cls=2, channel=TOY_CHANNEL, ext=True, dest=0x1234, size_id=2,
                         payload=b"roaming")
    other, _ = t.build(cls=2, channel=7, size_id=1, payload=b"not for the toy")
    neighbour, _ = t.build(cls=2, channel=TOY_CHANNEL + 1, size_id=1, payload=b"neighbour")
    _, obj = t.build(cls=2, channel=TOY_CHANNEL, size_id=1, payload=b"bad crc")
    bad_crc, _ = t.build(cls=2, channel=TOY_CHANNEL, size_id=1, payload=b"bad crc", crc=obj["crc"] ^ 0xFF)
    too_long, _ = t.build(cls=2, channel=TOY_CHANNEL, size_id=1, payload=b"x" * 4, used_len=40)
    cases = [(good, "hello toy"), (empty, ""), (roaming, "roaming"), (other, "not for the toy"),
             (neighbour, "neighbour"), (bad_crc, "bad crc"), (too_long, "")]

    with tempfile.TemporaryDirectory(prefix="tt-table-") as tmp:
        # UDP: one frame per datagram.
        udp = os.path.join(tmp, "udp.pcap")
        t.udp_capture(udp, [f for f, _ in cases])
        check_capture(c, udp, "UDP", {i + 1: [p] for i, (_, p) in enumerate(cases)})
        status = rows(udp, ["tamtam.status"])
        c.equal([status[i + 1][0][0] for i in range(len(cases))],
                ["ok", "ok", "ok", "ok", "ok", "crc_mismatch", "used_len_exceeds_block"],
                "UDP: test setup, the statuses of the cases")

        # TCP: several frames in one segment, and a toy frame cut across
        # segments (shown in the packet that completes it).
        valid = [(f, p) for f, p in cases if f not in (bad_crc, too_long)]
        stream = b"".join(f for f, _ in valid)
        cut = len(valid[0][0]) + len(valid[1][0]) + 4  # inside the third (roaming, 0xAB) frame
        tcp = os.path.join(tmp, "tcp.pcap")
        t.tcp_capture(tcp, [stream[:cut], stream[cut:]])
        check_capture(c, tcp, "TCP", {1: [p for _, p in valid[:2]], 2: [p for _, p in valid[2:]]})

    # The vector capture: every frame as before, the toy only on the valid
    # frames of channel 0xAB (if the vectors hold any; the field check holds
    # either way).
    if c.check(os.path.isfile(CORE_PCAP), "vector capture " + CORE_PCAP):
        got = rows(CORE_PCAP, TAMTAM_FIELDS + ["toy.length"], WITH_TOY)
        plain = rows(CORE_PCAP, TAMTAM_FIELDS)
        c.equal({n: r[:-1] for n, r in got.items()}, plain,
                "core.pcap: every tamtam.* field and the columns are the same with the toy loaded")
        wrong = [n for n, r in got.items()
                 if len(r[-1]) != sum(1 for ch, st in zip(r[0], r[1])
                                      if int(ch) == TOY_CHANNEL and st == "ok")]
        c.equal(wrong, [], "core.pcap: packets whose toy layers are not its valid 0xAB frames")
        c.check(len(plain) > 1000, "core.pcap: test setup, %d packets" % len(plain))
    c.done()


if __name__ == "__main__":
    sys.exit(main())
