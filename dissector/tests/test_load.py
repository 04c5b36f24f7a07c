"""dissector.load: the plugin loads cleanly in tshark and registers the
pinned fields with their types, the Class/Direction names of spec 3.1, the
checksum status values, the expert infos and the preferences; a CRC-8 table
that disagrees with the catalogue check value is a load error."""
import os
import shutil
import sys
import tempfile

import ttshark as t

COMMON = os.path.join(os.path.dirname(os.path.abspath(t.LUA)), "tamtam_common.lua")

EXPERTS = ["tamtam.truncated", "tamtam.used_len_exceeds_block", "tamtam.crc_mismatch",
           "tamtam.padding_nonzero", "tamtam.class_not_assigned", "tamtam.direction_not_assigned"]
# spec 3.1 and 12.5
CLASS_NAMES = {0: "System", 1: "Control", 2: "Data", 3: "Event", 4: "Response", 15: "Reserved"}
DIRECTION_NAMES = {0: "Request", 1: "Reply", 2: "Broadcast", 3: "Signal", 15: "Reserved"}
CRC_NAMES = ["CRC-8/SMBUS", "CRC-8/MAXIM-DOW", "CRC-8/I-432-1", "CRC-8/AUTOSAR",
             "CRC-8/SAE-J1850", "CRC-8/ROHC", "CRC-8/CDMA2000", "CRC-8/BLUETOOTH"]


def main():
    c = t.Checker("dissector.load")
    fields = {}
    for line in t.run_tshark([], glossary="fields").splitlines():
        cols = line.split("\t")
        if cols[0] == "F" and cols[2].startswith("tamtam."):
            fields[cols[2]] = cols[3]
    for name, ftype in t.PINNED_FIELDS.items():
        c.equal(fields.get(name), ftype, "field " + name)
    for name in EXPERTS:
        c.check(name in fields, "expert info " + name + " registered")

    values = {}
    for line in t.run_tshark([], glossary="values").splitlines():
        cols = line.split("\t")
        if cols[0] == "V" and cols[1].startswith("tamtam."):
            values.setdefault(cols[1], {})[int(cols[2], 0)] = cols[3]
    for v in range(16):
        c.equal(values.get("tamtam.class", {}).get(v), CLASS_NAMES.get(v, "Unassigned"),
                "class value string 0x%X" % v)
        c.equal(values.get("tamtam.direction", {}).get(v), DIRECTION_NAMES.get(v, "Unassigned"),
                "direction value string 0x%X" % v)
    c.equal(values.get("tamtam.crc.status"), {0: "Bad", 1: "Good", 2: "Unverified"},
            "checksum status values (Wireshark's PROTO_CHECKSUM_E_*)")

    prefs = t.run_tshark([], glossary="defaultprefs")
    for line in ["#tamtam.tcp_ports: 4774", "#tamtam.udp_ports: 4774",
                 "#tamtam.crc_variant: CRC-8/SMBUS", "#tamtam.heuristic: FALSE"]:
        c.check(line in prefs.splitlines(), "default preference line " + line)
    c.check("# One of: " + ", ".join(CRC_NAMES) in prefs, "CRC variants are the eight pinned names")

    # A wrong catalogue row must stop the plugin from loading, loudly.
    src = open(t.LUA).read()
    with tempfile.TemporaryDirectory(prefix="tt-load-") as tmp:
        # The modified copies load the shared helpers from beside them.
        shutil.copy(COMMON, os.path.join(tmp, "tamtam_common.lua"))
        for what, old, new, variant in [
                ("check value", "check = 0xD0 }", "check = 0xD1 }", "CRC-8/ROHC"),
                ("polynomial", 'name = "CRC-8/CDMA2000", poly = 0x9B', 'name = "CRC-8/CDMA2000", poly = 0x9A',
                 "CRC-8/CDMA2000")]:
            c.check(src.count(old) == 1, "test setup: %r occurs once" % old)
            bad = os.path.join(tmp, "tamtam.lua")
            open(bad, "w").write(src.replace(old, new))
            try:
                t.run_tshark([], glossary="protocols", lua=bad)
                c.check(False, "a wrong %s of %s must fail the load" % (what, variant))
            except t.TsharkError as e:
                c.check("Lua" in str(e) and variant in str(e),
                        "load error for a wrong %s names %s: %s" % (what, variant, e))

        # The harness itself: a plugin that errors while dissecting must be
        # caught both by the -Y check and by the JSON reader.
        broken = os.path.join(tmp, "broken.lua")
        open(broken, "w").write(src.replace("local function dissect_frame(tvb, pinfo, tree)\n",
                                            "local function dissect_frame(tvb, pinfo, tree)\n"
                                            "    tree:add(tamtam, tvb()); error(\"injected\")\n"))
        c.check(open(broken).read() != src, "test setup: error injected")
        pcap = os.path.join(tmp, "one.pcap")
        t.udp_capture(pcap, [bytes(6)])
        c.equal(t.problems(pcap, lua=broken), ["1"], "-Y _ws.lua.error finds an injected Lua error")
        try:
            t.packets(pcap, lua=broken)
            c.check(False, "the JSON reader must reject a packet with a Lua error")
        except t.TsharkError as e:
            c.check("_ws.lua.error" in str(e), "JSON reader names the Lua error: %s" % e)
        c.equal(t.problems(pcap), [], "the real plugin: no problem on the same capture")

    # The helpers loaded as a plugin (as Wireshark loads every .lua file of
    # its plugin folder) register nothing; loaded after tamtam.lua, nothing
    # changes either.
    protos = t.run_tshark([], glossary="protocols", lua=COMMON)
    c.check("\ttamtam\t" not in protos, "tamtam_common.lua alone registers no protocol")
    with tempfile.TemporaryDirectory(prefix="tt-load-") as tmp:
        pcap = os.path.join(tmp, "one.pcap")
        t.udp_capture(pcap, [bytes.fromhex("20100710000301020300000000000000000000000000")])
        out = t.run_tshark(["-X", "lua_script:" + COMMON, "-r", pcap, "-T", "fields",
                            "-e", "tamtam.status"])
        c.equal(out.strip(), "ok", "tamtam_common.lua loaded once more after tamtam.lua")
        lone = os.path.join(tmp, "tamtam.lua")
        shutil.copy(t.LUA, lone)
        try:
            t.run_tshark([], glossary="protocols", lua=lone)
            c.check(False, "tamtam.lua without tamtam_common.lua beside it must fail the load")
        except t.TsharkError as e:
            c.check("tamtam_common.lua" in str(e), "the load error names tamtam_common.lua: %s" % e)
    c.done()


if __name__ == "__main__":
    sys.exit(main())
