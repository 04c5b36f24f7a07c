"""dissector.install: install.sh puts every protocol file (tamtam.lua,
splinter.lua with its fault table splinter_faults.lua, and the shared helpers
tamtam_common.lua) into the personal Lua plugin folder tshark
reads (~/.local/lib/wireshark/plugins), where tshark loads them without -X
(each .lua file there as a plugin) and decodes TamTam and Splinter; a folder given as
argument is used instead."""
import filecmp
import os
import subprocess
import sys
import tempfile

import ttshark as t

INSTALL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "install.sh")
SRC = os.path.dirname(os.path.abspath(t.LUA))
# Every protocol file of dissector/ (not the tests' toy layers).
FILES = sorted(f for f in os.listdir(SRC) if f.endswith(".lua"))


def main():
    c = t.Checker("dissector.install")
    with tempfile.TemporaryDirectory(prefix="tt-install-") as home:
        p = subprocess.run([INSTALL], env=dict(os.environ, HOME=home), capture_output=True, text=True)
        c.equal(p.returncode, 0, "install.sh exit status (stderr: %s)" % p.stderr)
        dest = os.path.join(home, ".local", "lib", "wireshark", "plugins", "tamtam.lua")
        c.check(os.path.isfile(dest) and filecmp.cmp(dest, t.LUA, shallow=False),
                "tamtam.lua copied to " + dest)
        c.check("tamtam_common.lua" in FILES, "test setup: the helpers are a protocol file")
        plugdir = os.path.dirname(dest)
        c.equal(sorted(os.listdir(plugdir)), FILES, "install.sh installs every protocol file")
        for f in FILES:
            c.check(filecmp.cmp(os.path.join(plugdir, f), os.path.join(SRC, f), shallow=False),
                    f + " copied unchanged")
        # tshark's own idea of the folder, then the plugin in use from there.
        folders = t.run_tshark([], lua=None, home=home, glossary="folders")
        c.check(os.path.dirname(dest) in folders, "tshark's personal Lua plugin folder is " + dest)
        plugins = t.run_tshark([], lua=None, home=home, glossary="plugins")
        c.check(dest in plugins, "tshark -G plugins lists the installed plugin")
        c.check(os.path.join(plugdir, "tamtam_common.lua") in plugins,
                "tshark loaded the helpers as a plugin too, harmlessly")
        pcap = os.path.join(home, "udp.pcap")
        t.udp_capture(pcap, [bytes.fromhex("20100710000301020300000000000000000000000000")])
        out = t.run_tshark(["-r", pcap, "-T", "fields", "-e", "tamtam.status", "-e", "tamtam.channel"],
                           lua=None, home=home)
        c.equal(out.strip(), "ok\t7", "the installed plugin decodes without -X")
        c.check("splinter.lua" in FILES and "splinter_faults.lua" in FILES,
                "test setup: splinter.lua and its fault table are protocol files")
        sp = os.path.join(home, "splinter.pcap")
        t.tcp_capture(sp, [b'{"id":"a","ts":"2026-03-01T00:00:00Z","from":"x","type":"heartbeat"}\n'],
                      dport=4775)
        out = t.run_tshark(["-r", sp, "-T", "fields", "-e", "splinter.valid", "-e", "splinter.type"],
                           lua=None, home=home)
        c.equal(out.strip(), "1\theartbeat", "the installed Splinter plugin decodes without -X")

        other = os.path.join(home, "elsewhere")
        p = subprocess.run([INSTALL, other], env=dict(os.environ, HOME=home), capture_output=True, text=True)
        c.equal(p.returncode, 0, "install.sh DIR exit status")
        c.check(filecmp.cmp(os.path.join(other, "tamtam.lua"), t.LUA, shallow=False), "install.sh DIR")
        c.equal(sorted(os.listdir(other)), FILES, "install.sh DIR: every protocol file")
        p = subprocess.run([INSTALL, "a", "b"], capture_output=True, text=True)
        c.equal(p.returncode, 2, "install.sh with two arguments is a usage error")
    c.done()


if __name__ == "__main__":
    sys.exit(main())
