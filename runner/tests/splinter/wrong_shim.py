#!/usr/bin/env python3
"""A wrong Splinter shim, for the runner's own tests of its Splinter codec
suite.

wrong_shim.py MODE NODE-SHIM-COMMAND...: hands every request to the reference
shim it starts and spoils one kind of Splinter answer:
  fault      splinter.validate answers 1000 BAD_SCHEMA where 3000 is right
  payloads   splinter.reassemble delivers its payloads in reverse order
  reply      splinter.fault's envelope loses its "to"
so the codec suite must fail those cases, naming the SP- requirement.
"""
import json
import subprocess
import sys

mode = sys.argv[1]
core = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, text=True, bufsize=1)

for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        req = None
    core.stdin.write(line)
    core.stdin.flush()
    reply = core.stdout.readline()
    op = req.get("op") if isinstance(req, dict) else None
    obj = json.loads(reply) if op and op.startswith("splinter.") else None
    if obj is not None:
        if mode == "fault" and op == "splinter.validate" \
                and obj.get("fault") == 3000:
            obj.update(error="BAD_SCHEMA", fault=1000)
        elif mode == "payloads" and op == "splinter.reassemble":
            obj["payloads"] = obj.get("payloads", [])[::-1]
        elif mode == "reply" and op == "splinter.fault" and obj.get("ok"):
            obj["envelope"].pop("to", None)
        reply = json.dumps(obj) + "\n"
    sys.stdout.write(reply)
    sys.stdout.flush()
core.stdin.close()
sys.exit(core.wait())
