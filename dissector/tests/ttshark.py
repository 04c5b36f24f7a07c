"""Helpers shared by the dissector tests.

- run tshark with the plugin, an empty WIRESHARK_CONFIG_DIR and HOME per run,
  tcp.reassemble_out_of_order on, and fail on anything on stderr (tshark exits
  0 even when a Lua script fails to load or errors while dissecting);
- turn tshark's -T json output into one record per TamTam frame;
- build captures with Wireshark's own tools (text2pcap, reordercap, editcap,
  mergecap), never by writing pcap files here;
- build frames from their fields with the bit-by-bit CRC-8 of spec 12.6,
  an implementation independent of both the plugin and libtamtam.
"""
import json
import os
import subprocess
import sys
import tempfile

TSHARK = os.environ.get("TSHARK", "tshark")
TEXT2PCAP = os.environ.get("TEXT2PCAP", "text2pcap")
REORDERCAP = os.environ.get("REORDERCAP", "reordercap")
EDITCAP = os.environ.get("EDITCAP", "editcap")
MERGECAP = os.environ.get("MERGECAP", "mergecap")
LUA = os.environ.get("TT_LUA", os.path.join(os.path.dirname(__file__), "..", "tamtam.lua"))

# Every tool run gets this timeout: a net for a hung tool, never a bound on
# speed. The longest run (tshark -T json over vectors/pcap/core.pcapng) takes
# about 16 s on the shared 2-core machine; load stretches that a few times.
HANG_SECONDS = 600

# tshark prints this when run as root (CI containers); it is not an error.
ROOT_WARNING = 'Running as user "root" and group "root". This could be dangerous.'

# The field names pinned by the issue, with their types.
PINNED_FIELDS = {
    "tamtam.class": "FT_UINT8", "tamtam.direction": "FT_UINT8", "tamtam.size_id": "FT_UINT8",
    "tamtam.block_size": "FT_UINT16", "tamtam.big": "FT_BOOLEAN", "tamtam.ack": "FT_BOOLEAN",
    "tamtam.priority": "FT_BOOLEAN", "tamtam.has_ext": "FT_BOOLEAN", "tamtam.channel": "FT_UINT8",
    "tamtam.dest": "FT_UINT16", "tamtam.crc": "FT_UINT8", "tamtam.crc.status": "FT_UINT8",
    "tamtam.used_len": "FT_UINT16", "tamtam.payload": "FT_BYTES", "tamtam.padding": "FT_BYTES",
}
# Preferences every run uses: Wireshark 4.0 reassembles out-of-order TCP
# segments only with this on.
BASE_PREFS = ["-o", "tcp.reassemble_out_of_order:TRUE"]


class Checker:
    """Collects failed checks so one run reports all of them."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.checks = 0

    def check(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures.append(what)
            print("FAIL: " + what, file=sys.stderr)
        return cond

    def equal(self, got, want, what):
        return self.check(got == want, "%s: got %r, want %r" % (what, got, want))

    def done(self):
        if self.failures:
            print("%s: %d of %d checks failed" % (self.name, len(self.failures), self.checks),
                  file=sys.stderr)
            sys.exit(1)
        if self.checks == 0:
            print("%s: no checks ran" % self.name, file=sys.stderr)
            sys.exit(1)
        print("%s: %d checks passed" % (self.name, self.checks))


class TsharkError(Exception):
    pass


def run_tshark(args, lua=LUA, home=None, glossary=None):
    """Runs tshark with the plugin (lua None: without it); returns stdout.
    glossary: a -G report name, which tshark wants as its first option.
    home: HOME for the run (default: an empty temporary folder). Raises
    TsharkError when tshark fails or writes anything to stderr besides the
    root warning."""
    with tempfile.TemporaryDirectory(prefix="tt-dissector-") as tmp:
        config = os.path.join(tmp, "config")
        os.mkdir(config)
        env = dict(os.environ, HOME=home or tmp, WIRESHARK_CONFIG_DIR=config)
        cmd = [TSHARK] + (["-G", glossary] if glossary else ["-n"])
        if lua:
            cmd += ["-X", "lua_script:" + lua]
        if not glossary:
            cmd += BASE_PREFS
        cmd += list(args)
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=HANG_SECONDS)
    noise = [l for l in p.stderr.splitlines() if l.strip() and l.strip() != ROOT_WARNING]
    if p.returncode != 0 or noise:
        raise TsharkError("%s\nexit %d, stderr:\n%s" % (" ".join(cmd), p.returncode,
                                                         "\n".join(noise)))
    return p.stdout


def problems(pcap, opts=(), lua=LUA):
    """Frame numbers where tshark shows a Lua error or a malformed packet."""
    out = run_tshark(["-r", pcap] + list(opts) +
                     ["-Y", "_ws.lua.error || _ws.malformed", "-T", "fields", "-e", "frame.number"],
                     lua=lua)
    return [l for l in out.splitlines() if l.strip()]


def _keep_duplicates(pairs):
    # tshark -T json repeats a key (one "tamtam" per frame of a segment).
    obj = {}
    for k, v in pairs:
        obj.setdefault(k, []).append(v)
    return obj


def _flatten(obj, fields, experts):
    for key, values in obj.items():
        for v in values:
            if key == "_ws.expert":
                abbr = [k for k in v if not k.startswith("_ws.expert")]
                experts.append({"abbr": abbr[0] if abbr else None,
                                "message": v.get("_ws.expert.message", [""])[0],
                                "severity": int(v.get("_ws.expert.severity", ["0"])[0])})
            elif isinstance(v, dict):
                _flatten(v, fields, experts)
            else:
                fields.setdefault(key, []).append(v)


def _one(fields, name):
    vals = fields.get(name, [])
    if len(vals) > 1:
        raise TsharkError("field %s occurs %d times in one frame" % (name, len(vals)))
    return vals[0] if vals else None


def _int(v):
    return None if v is None else int(v, 0)


def frame_record(fields, experts):
    """A TamTam tree as the pinned frame object plus status and experts."""
    def flag(name):
        v = _one(fields, name)
        return None if v is None else v == "1"
    rec = {
        "class": _int(_one(fields, "tamtam.class")),
        "direction": _int(_one(fields, "tamtam.direction")),
        "size_id": _int(_one(fields, "tamtam.size_id")),
        "big": flag("tamtam.big"),
        "ack": flag("tamtam.ack"),
        "priority": flag("tamtam.priority"),
        "ext": flag("tamtam.has_ext"),
        "channel": _int(_one(fields, "tamtam.channel")),
        "dest": _int(_one(fields, "tamtam.dest")),
        "crc": _int(_one(fields, "tamtam.crc")),
        "used_len": _int(_one(fields, "tamtam.used_len")),
        "payload": (_one(fields, "tamtam.payload") or "").replace(":", ""),
        "padding": (_one(fields, "tamtam.padding") or "").replace(":", ""),
        "block_size": _int(_one(fields, "tamtam.block_size")),
        "status": _one(fields, "tamtam.status"),
        "crc_status": _int(_one(fields, "tamtam.crc.status")),
        "experts": [e["abbr"] for e in experts],
        "expert_messages": [e["message"] for e in experts],
    }
    return rec


def packets(pcap, opts=(), lua=LUA):
    """One entry per packet: {"number", "transport", "frames": [record...],
    "extra": {...}} where extra holds tamtam.* items outside a frame tree
    (trailing bytes). Raises TsharkError on a Lua error or malformed packet
    anywhere in the output."""
    out = run_tshark(["-r", pcap, "-T", "json"] + list(opts), lua=lua)
    for bad in ('"_ws.lua.error', '"_ws.malformed'):
        if bad in out:
            raise TsharkError("%s %s: the output shows %s\"" % (pcap, " ".join(opts), bad))
    result = []
    for pkt in json.loads(out, object_pairs_hook=_keep_duplicates):
        layers = pkt["_source"][0]["layers"][0]
        frames = []
        for tree in layers.get("tamtam", []):
            fields, experts = {}, []
            _flatten(tree, fields, experts)
            frames.append(frame_record(fields, experts))
        extra_fields, extra_experts = {}, []
        _flatten({k: v for k, v in layers.items() if k.startswith("tamtam.")},
                 extra_fields, extra_experts)
        number = int(layers["frame"][0]["frame.number"][0])
        transport = "tcp" if "tcp" in layers else "udp" if "udp" in layers else None
        ports = (None, None)
        tl = layers[transport][0] if transport else {}
        if transport and transport + ".srcport" in tl:  # absent when -J leaves it out
            ports = (int(tl[transport + ".srcport"][0]), int(tl[transport + ".dstport"][0]))
        # Endpoints as the analyzer writes them: "10.0.0.1:50000", "[::1]:4774".
        ends = (None, None)
        for ip, fmt in (("ip", "%s:%d"), ("ipv6", "[%s]:%d")):
            il = layers.get(ip, [{}])[-1]
            if ip + ".src" in il and ports[0] is not None:
                ends = (fmt % (il[ip + ".src"][0], ports[0]), fmt % (il[ip + ".dst"][0], ports[1]))
        result.append({"number": number, "transport": transport, "flow": (transport,) + ports,
                       "src": ends[0], "dst": ends[1], "frames": frames,
                       "extra": extra_fields, "extra_experts": [e["abbr"] for e in extra_experts]})
    return result


def all_frames(pcap, opts=(), lua=LUA, transport=None):
    """Every TamTam frame of the capture (or of one transport), in packet order."""
    return [f for p in packets(pcap, opts, lua) for f in p["frames"]
            if transport in (None, p["transport"])]


def by_flow(pkts):
    """{(transport, source port, destination port): [frame record...]}"""
    flows = {}
    for p in pkts:
        flows.setdefault(p["flow"], []).extend(p["frames"])
    return flows


def columns(pcap, opts=(), lua=LUA):
    """{frame number: (Protocol column, Info column)}."""
    out = run_tshark(["-r", pcap, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol",
                      "-e", "_ws.col.Info"] + list(opts), lua=lua)
    rows = {}
    for line in out.splitlines():
        num, proto, info = line.split("\t", 2)
        rows[int(num)] = (proto, info)
    return rows


# ---- Frames (spec sections 2-7, CRC of 12.1 and 12.6) ---------------------

BLOCK = [0, 16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096]

# Catalogue parameters of spec 12.1: poly, init, refin, refout, xorout.
CRC_PARAMS = {
    "CRC-8/SMBUS": (0x07, 0x00, False, False, 0x00),
    "CRC-8/MAXIM-DOW": (0x31, 0x00, True, True, 0x00),
    "CRC-8/I-432-1": (0x07, 0x00, False, False, 0x55),
    "CRC-8/AUTOSAR": (0x2F, 0xFF, False, False, 0xFF),
    "CRC-8/SAE-J1850": (0x1D, 0xFF, False, False, 0xFF),
    "CRC-8/ROHC": (0x07, 0xFF, True, True, 0x00),
    "CRC-8/CDMA2000": (0x9B, 0xFF, False, False, 0x00),
    "CRC-8/BLUETOOTH": (0xA7, 0x00, True, True, 0x00),
}


def _reflect8(v):
    return int("{:08b}".format(v)[::-1], 2)


def crc8(data, variant="CRC-8/SMBUS"):
    """Bit-by-bit CRC-8 as in spec 12.6, generalised to the catalogue
    parameters (reflection applied to each input byte and to the result)."""
    poly, init, refin, refout, xorout = CRC_PARAMS[variant]
    c = init
    for b in data:
        c ^= _reflect8(b) if refin else b
        for _ in range(8):
            c = ((c << 1) ^ poly) & 0xFF if c & 0x80 else (c << 1) & 0xFF
    if refout:
        c = _reflect8(c)
    return c ^ xorout


def block_size(size_id, big):
    return BLOCK[size_id] * (2 if big else 1)


def build(cls=0, direction=0, size_id=0, big=False, ack=False, priority=False, ext=False,
          channel=0, dest=0, payload=b"", used_len=None, crc=None, padding=None,
          variant="CRC-8/SMBUS"):
    """Encodes a frame per spec section 2. used_len defaults to len(payload);
    crc defaults to the correct CRC; padding to zeros. Returns (bytes, expected
    frame object) where the object is the pinned one (dest None when local)."""
    used = len(payload) if used_len is None else used_len
    block = block_size(size_id, big)
    flags = (1 if big else 0) | (2 if ack else 0) | (4 if priority else 0) | (8 if ext else 0)
    head = bytes([cls << 4 | direction, size_id << 4 | flags, channel])
    if ext:
        head += bytes([dest >> 8, dest & 0xFF])
    ul = bytes([used >> 8, used & 0xFF])
    if crc is None:
        crc = crc8(head + ul + payload, variant)
    body = payload
    if used <= block:
        pad = bytes(block - len(payload)) if padding is None else padding
        body = payload + pad
    frame = head + bytes([crc]) + ul + body
    obj = {"class": cls, "direction": direction, "size_id": size_id, "big": big, "ack": ack,
           "priority": priority, "ext": ext, "channel": channel, "dest": dest if ext else None,
           "crc": crc, "used_len": used, "payload": payload.hex()}
    return frame, obj


FRAME_KEYS = ["class", "direction", "size_id", "big", "ack", "priority", "ext", "channel",
              "dest", "crc", "used_len", "payload"]


def frame_object(rec):
    """The pinned frame object part of a record."""
    return {k: rec[k] for k in FRAME_KEYS}


# ---- Captures ---------------------------------------------------------------

def _hexdump(payload):
    lines = []
    for off in range(0, len(payload), 16):
        chunk = payload[off:off + 16]
        lines.append("%06x %s" % (off, " ".join("%02x" % b for b in chunk)))
    return "\n".join(lines) + "\n"


def _run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_SECONDS)
    if p.returncode != 0:
        raise TsharkError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))


def text2pcap(path, payloads, transport, sport, dport, times=None):
    """Writes one packet per payload with text2pcap (-T for TCP, -u for UDP;
    TCP sequence numbers follow the order of payloads). times: seconds of
    each packet, default 1, 2, 3..."""
    times = times or [i + 1 for i in range(len(payloads))]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for t, p in zip(times, payloads):
            f.write("00:00:%02d.%06d\n" % (int(t), round((t - int(t)) * 1e6)))
            f.write(_hexdump(p))
        txt = f.name
    try:
        flag = "-T" if transport == "tcp" else "-u"
        _run([TEXT2PCAP, "-q", "-F", "pcap", "-t", "%H:%M:%S.%f", flag,
              "%d,%d" % (sport, dport), txt, path])
    finally:
        os.unlink(txt)


def tcp_capture(path, segments, sport=50000, dport=4774, order=None, retransmit=()):
    """One TCP direction from segments (bytes, in sequence order). order: the
    capture order as a permutation of segment indexes (default in order).
    retransmit: indexes of segments sent once more, exactly, after all others."""
    order = list(order) if order is not None else list(range(len(segments)))
    if sorted(order) != list(range(len(segments))):
        raise ValueError("order must be a permutation")
    # Sequence numbers come from text2pcap's input order; capture order from
    # the timestamps, which reordercap sorts by.
    times = [0.0] * len(segments)
    for pos, idx in enumerate(order):
        times[idx] = 1 + pos * 0.01
    with tempfile.TemporaryDirectory(prefix="tt-cap-") as tmp:
        raw = os.path.join(tmp, "raw.pcap")
        text2pcap(raw, segments, "tcp", sport, dport, times)
        sorted_pcap = os.path.join(tmp, "sorted.pcap")
        _run([REORDERCAP, raw, sorted_pcap])
        if not retransmit:
            os.replace(sorted_pcap, path)
            return
        parts = [sorted_pcap]
        for n, idx in enumerate(retransmit):
            # editcap -r keeps the listed packet (1-based capture position);
            # -t moves the copy after every original packet.
            pos = order.index(idx) + 1
            copy = os.path.join(tmp, "re%d.pcap" % n)
            _run([EDITCAP, "-F", "pcap", "-r", "-t", "%f" % (10 + n - times[idx]), sorted_pcap,
                  copy, str(pos)])
            parts.append(copy)
        _run([MERGECAP, "-F", "pcap", "-w", path] + parts)


def udp_capture(path, datagrams, sport=50000, dport=4774):
    text2pcap(path, datagrams, "udp", sport, dport)


def merge(path, parts):
    """One capture from several, in timestamp order (mergecap)."""
    _run([MERGECAP, "-F", "pcap", "-w", path] + list(parts))


def split(data, sizes):
    """Cuts data into pieces of the given sizes; the rest is one last piece."""
    out, pos = [], 0
    for s in sizes:
        if pos >= len(data):
            break
        out.append(data[pos:pos + s])
        pos += s
    if pos < len(data):
        out.append(data[pos:])
    return out


# ---- An independent decoder (spec 12.2 check order), for cross-checks ------

def decode(buf, variant="CRC-8/SMBUS"):
    """Decodes the frame at the start of buf per CF-12.2-b. Returns (status,
    frame object or None, frame length or None when buf has under 2 bytes).
    The object is given for valid frames and crc_mismatch frames."""
    if len(buf) < 2:
        return "truncated", None, None
    size_id, flags = buf[1] >> 4, buf[1] & 0x0F
    big, ext = bool(flags & 1), bool(flags & 8)
    block = block_size(size_id, big)
    fixed = 8 if ext else 6
    flen = fixed + block
    if len(buf) < fixed:
        return "truncated", None, flen
    crc_off = fixed - 3
    used = buf[crc_off + 1] << 8 | buf[crc_off + 2]
    if used > block:
        return "used_len_exceeds_block", None, flen
    if len(buf) < flen:
        return "truncated", None, flen
    payload = buf[fixed:fixed + used]
    obj = {"class": buf[0] >> 4, "direction": buf[0] & 0x0F, "size_id": size_id, "big": big,
           "ack": bool(flags & 2), "priority": bool(flags & 4), "ext": ext, "channel": buf[2],
           "dest": (buf[3] << 8 | buf[4]) if ext else None, "crc": buf[crc_off],
           "used_len": used, "payload": payload.hex()}
    computed = crc8(buf[:crc_off] + buf[crc_off + 1:fixed] + payload, variant)
    return ("ok" if computed == buf[crc_off] else "crc_mismatch"), obj, flen


def shuffled_connections(src, client_ports, path, server_port=4774):
    """From capture src (built with real handshakes, like the vector
    captures), the TCP connections of client_ports, delivered badly: the
    server's bare ACKs left out (so no ACK passes a hole), every third data
    segment moved after its successor, and every fifth sent once more two
    segments later. Done with tshark -w, editcap and mergecap; relies on the
    data segments of a connection being evenly spaced in time, and checks
    the result."""
    with tempfile.TemporaryDirectory(prefix="tt-shuffle-") as tmp:
        conn = os.path.join(tmp, "conn.pcap")
        keep = ("tcp.port in {%s} && !(tcp.srcport == %d && tcp.len == 0 && tcp.flags.syn == 0"
                " && tcp.flags.fin == 0)" % (", ".join(str(p) for p in client_ports), server_port))
        run_tshark(["-r", src, "-Y", keep, "-F", "pcap", "-w", conn], lua=None)
        rows = run_tshark(["-r", conn, "-T", "fields", "-e", "frame.number", "-e", "tcp.srcport",
                           "-e", "tcp.len", "-e", "frame.time_relative"], lua=None).split("\n")
        data = {}
        for r in rows:
            if r:
                n, port, ln, ts = r.split("\t")
                if int(ln) > 0 and int(port) != server_port:
                    data.setdefault(int(port), []).append((int(n), float(ts)))
        moved, again, step = [], [], None
        for port in client_ports:
            segs = data.get(port, [])
            if len(segs) < 8:
                raise ValueError("connection %d has too few data segments to shuffle" % port)
            gaps = {round(b[1] - a[1], 7) for a, b in zip(segs, segs[1:])}
            if len(gaps) != 1 or (step is not None and gaps != {step}):
                raise ValueError("connection %d: data segments not evenly spaced" % port)
            step = gaps.pop()
            body = segs[:-3]  # the last segments stay put, before the FIN
            moved += [str(n) for n, _ in body[0::3]]
            again += [str(n) for n, _ in body[1::5]]
        rest = os.path.join(tmp, "rest.pcap")
        _run([EDITCAP, "-F", "pcap", conn, rest] + moved)
        late = os.path.join(tmp, "late.pcap")
        _run([EDITCAP, "-F", "pcap", "-r", "-t", "%.6f" % (1.5 * step), conn, late] + moved)
        dup = os.path.join(tmp, "dup.pcap")
        _run([EDITCAP, "-F", "pcap", "-r", "-t", "%.6f" % (2.5 * step), conn, dup] + again)
        _run([MERGECAP, "-F", "pcap", "-w", path, rest, late, dup])
    flags = run_tshark(["-r", path, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.analysis.out_of_order",
                        "-e", "tcp.analysis.retransmission"], lua=None)
    for port in client_ports:
        seen = [l.split("\t")[1:] for l in flags.splitlines() if l.startswith("%d\t" % port)]
        if not any(o for o, _ in seen) or not any(r for _, r in seen):
            raise ValueError("connection %d: not reordered and retransmitted as meant" % port)
