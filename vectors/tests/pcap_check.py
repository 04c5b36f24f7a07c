#!/usr/bin/env python3
"""Checks the vector captures with tshark (no TamTam dissector loaded).

    python3 pcap_check.py TAMTAM_VECTORS VECTORS_DIR

1. `tamtam-vectors pcap` / `pcapng` rewrite the committed captures and the
   packet index byte for byte.
2. tshark (empty WIRESHARK_CONFIG_DIR, IPv4/TCP/UDP checksum validation on)
   finds no malformed packet, no bad checksum, no expert warning or error,
   no TCP analysis flag (every sequence and acknowledgement number right),
   and validated every checksum it saw.
3. Packet by packet, through the index: each frame vector's TCP connection
   carries exactly its bytes in segments of at most 1460 bytes and its UDP
   datagram carries exactly its bytes; each stream vector's segments follow
   its chunks; every pcapng packet is commented with its vector id.
4. The same for pcap/splinter.pcap (written by gen, compared by
   vectors.regen): each Splinter vector's connection to port 4775 carries
   exactly its .ndjson twin in segments of at most 1460 bytes.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

PREFS = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
         "-o", "udp.check_checksum:TRUE"]
FIELDS = ["frame.number", "frame.comment", "ip.src", "tcp.srcport",
          "udp.srcport", "tcp.len", "tcp.payload", "udp.payload",
          "tcp.checksum.status", "udp.checksum.status", "ip.checksum.status",
          "_ws.malformed", "_ws.expert.severity", "tcp.analysis.flags"]
# Expert severities: chat 0x200000, note 0x400000, warning 0x600000, error
# 0x800000 (Wireshark's PI_* values); warnings and errors fail.
WARNING = 0x600000
MSS = 1460

problems = []


def bad(why):
    problems.append(why)
    print("FAIL", why)


def tshark(conf, capture, *args):
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=conf)
    r = subprocess.run(["tshark", "-n", "-r", capture, *PREFS, *args],
                       env=env, capture_output=True, text=True)
    noise = [l for l in r.stderr.splitlines()
             if l.strip() and "Running as user" not in l]
    if r.returncode != 0 or noise:
        bad(f"tshark on {capture} exited {r.returncode}: {noise[:5]}")
    return r.stdout


def same_file(a, b):
    with open(a, "rb") as x, open(b, "rb") as y:
        return x.read() == y.read()


def split(n):
    sizes = [MSS] * (n // MSS)
    return sizes + ([n % MSS] if n % MSS else [])


def check_capture(conf, capture, index, vectors, pcapng):
    rows = tshark(conf, capture, "-T", "fields", "-E", "occurrence=a",
                  "-E", "aggregator=,",
                  *sum((["-e", f] for f in FIELDS), [])).splitlines()
    pkts = [dict(zip(FIELDS, r.split("\t"))) for r in rows]
    flagged = [p["frame.number"] for p in pkts
               if p["_ws.malformed"] or p["tcp.analysis.flags"] or any(
                   int(x, 0) >= WARNING
                   for x in p["_ws.expert.severity"].split(",") if x)]
    if flagged:
        bad(f"{capture}: {len(flagged)} packets tshark flags (malformed, "
            f"expert warning or error, TCP analysis), first {flagged[:10]}")
    if len(pkts) != index["packets"]:
        bad(f"{capture}: {len(pkts)} packets, the index says "
            f"{index['packets']}")
        return
    for p in pkts:
        # 1 is "Good"; 0 "Bad", 2 "Unverified" fail.
        if p["ip.checksum.status"] != "1" or (
                p["tcp.srcport"] and p["tcp.checksum.status"] != "1") or (
                p["udp.srcport"] and p["udp.checksum.status"] != "1"):
            bad(f"{capture}: packet {p['frame.number']}: a checksum was not "
                f"validated as good")
            break
    covered = 0
    for e in index["vectors"]:
        v = vectors[e["file"]][e["id"]]
        first, last = e["tcp_packets"]
        end = e.get("udp_packet", last)
        covered += end - first + 1
        mine = pkts[first - 1:end]
        if pcapng and any(p["frame.comment"] != e["id"] for p in mine):
            bad(f"{e['id']}: a packet is not commented with the vector id")
        tcp = [p for p in mine[:last - first + 1]
               if p["ip.src"] == "10.0.0.1" and p["tcp.len"] != "0"]
        if any(p["tcp.srcport"] != str(e["tcp_port"]) for p in mine[:last - first + 1]
               if p["ip.src"] == "10.0.0.1"):
            bad(f"{e['id']}: TCP packets from another client port")
        sent = "".join(p["tcp.payload"] for p in tcp)
        sizes = [int(p["tcp.len"]) for p in tcp]
        if sent != v["hex"]:
            bad(f"{e['id']}: the TCP connection does not carry the vector's "
                f"bytes")
        want = (sum((split(c) for c in v["chunks"]), [])
                if "chunks" in v else split(len(v["hex"]) // 2))
        if sizes != want:
            bad(f"{e['id']}: segment sizes {sizes[:8]} differ from {want[:8]}")
        if "udp_packet" in e:
            u = pkts[e["udp_packet"] - 1]
            if u["udp.srcport"] != str(e["udp_port"]) or \
                    u["udp.payload"] != v["hex"]:
                bad(f"{e['id']}: the UDP datagram does not carry the "
                    f"vector's bytes")
    if covered != len(pkts):
        bad(f"{capture}: the index covers {covered} of {len(pkts)} packets")


def main(tool, vdir):
    if not shutil.which("tshark"):
        sys.exit("FAIL tshark is not installed (Debian package tshark)")
    vectors = {}
    for name in ("core-frame.json", "core-stream.json"):
        with open(os.path.join(vdir, name)) as f:
            vectors[name] = {v["id"]: v for v in json.load(f)["vectors"]}
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "wireshark")
        os.mkdir(conf)
        out = {"pcap": os.path.join(tmp, "core.pcap"),
               "pcapng": os.path.join(tmp, "core.pcapng")}
        idx = os.path.join(tmp, "core-index.json")
        for cmd in (["pcap", "--index", idx, vdir, out["pcap"]],
                    ["pcapng", vdir, out["pcapng"]]):
            r = subprocess.run([tool, *cmd], capture_output=True, text=True)
            if r.returncode != 0:
                bad(f"tamtam-vectors {cmd[0]} exited {r.returncode}: "
                    f"{r.stderr}")
                return 1
        for new, old in ((out["pcap"], "core.pcap"),
                         (out["pcapng"], "core.pcapng"),
                         (idx, "core-index.json")):
            if not same_file(new, os.path.join(vdir, "pcap", old)):
                bad(f"vectors/pcap/{old} differs from what the tool writes")
        with open(idx) as f:
            index = json.load(f)
        for kind, path in out.items():
            check_capture(conf, path, index, vectors, kind == "pcapng")
        n = len(index["vectors"])
        ns = check_splinter(conf, vdir)
    print(f"pcap check: {n} vectors, {index['packets']} packets per capture, "
          f"{ns} Splinter vectors, {len(problems)} problems")
    return 1 if problems or n == 0 or ns == 0 else 0


def check_splinter(conf, vdir):
    """splinter.pcap against its index and the .ndjson twins. Returns the
    number of vectors the index lists."""
    vectors = {}
    for name, sub in (("splinter-envelope.json", "splinter-envelope"),
                      ("splinter-stream.json", "splinter-stream")):
        with open(os.path.join(vdir, name)) as f:
            ids = [v["id"] for v in json.load(f)["vectors"]]
        vectors[name] = {}
        for vid in ids:
            with open(os.path.join(vdir, sub, vid + ".ndjson"), "rb") as f:
                vectors[name][vid] = {"hex": f.read().hex()}
    with open(os.path.join(vdir, "pcap", "splinter-index.json")) as f:
        index = json.load(f)
    if index["server"] != "10.0.0.2:4775" or len(index["vectors"]) != sum(
            len(x) for x in vectors.values()):
        bad("splinter-index.json: not port 4775 or not every vector")
    check_capture(conf, os.path.join(vdir, "pcap", "splinter.pcap"), index,
                  vectors, False)
    return len(index["vectors"])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: pcap_check.py TAMTAM_VECTORS VECTORS_DIR")
    sys.exit(main(sys.argv[1], sys.argv[2]))
