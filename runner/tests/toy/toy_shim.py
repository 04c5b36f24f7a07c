#!/usr/bin/env python3
"""A shim speaking two protocols, for the runner's protocol-seam test.

toy_shim.py MODE NODE-SHIM-COMMAND...: answers "toy.parse" itself (the toy
protocol: one length byte, then that many bytes of ASCII text) and hands
every other request to the Core Frame shim it starts (the reference node's),
adding "protocols" to its hello. MODE "good" parses right; "bad" answers
every text reversed, so the toy suite must fail.
"""
import json
import subprocess
import sys

mode = sys.argv[1]
core = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, text=True, bufsize=1)


def answer(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        req = None
    if isinstance(req, dict) and req.get("op") == "toy.parse":
        raw = bytes.fromhex(req.get("hex", ""))
        if not raw or len(raw) < 1 + raw[0]:
            answer({"id": req.get("id"), "ok": False, "error": "truncated"})
        else:
            text = raw[1:1 + raw[0]].decode("ascii")
            answer({"id": req.get("id"), "ok": True,
                    "text": text[::-1] if mode == "bad" else text})
        continue
    core.stdin.write(line)
    core.stdin.flush()
    reply = core.stdout.readline()
    if isinstance(req, dict) and req.get("op") == "hello":
        obj = json.loads(reply)
        obj["protocols"] = ["tamtam-core/1", "toy/1"]
        obj["ops"] = obj.get("ops", []) + ["toy.parse"]
        reply = json.dumps(obj) + "\n"
    sys.stdout.write(reply)
    sys.stdout.flush()
core.stdin.close()
sys.exit(core.wait())
