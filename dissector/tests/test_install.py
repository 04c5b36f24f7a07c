"""dissector.install: install.sh puts tamtam.lua into the personal Lua plugin
folder tshark reads (~/.local/lib/wireshark/plugins), where tshark loads it
without -X and decodes TamTam; a folder given as argument is used instead."""
import filecmp
import os
import subprocess
import sys
import tempfile

import ttshark as t

INSTALL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "install.sh")


def main():
    c = t.Checker("dissector.install")
    with tempfile.TemporaryDirectory(prefix="tt-install-") as home:
        p = subprocess.run([INSTALL], env=dict(os.environ, HOME=home), capture_output=True, text=True)
        c.equal(p.returncode, 0, "install.sh exit status (stderr: %s)" % p.stderr)
        dest = os.path.join(home, ".local", "lib", "wireshark", "plugins", "tamtam.lua")
        c.check(os.path.isfile(dest) and filecmp.cmp(dest, t.LUA, shallow=False),
                "tamtam.lua copied to " + dest)
        # tshark's own idea of the folder, then the plugin in use from there.
        folders = t.run_tshark([], lua=None, home=home, glossary="folders")
        c.check(os.path.dirname(dest) in folders, "tshark's personal Lua plugin folder is " + dest)
        plugins = t.run_tshark([], lua=None, home=home, glossary="plugins")
        c.check(dest in plugins, "tshark -G plugins lists the installed plugin")
        pcap = os.path.join(home, "udp.pcap")
        t.udp_capture(pcap, [bytes.fromhex("20100710000301020300000000000000000000000000")])
        out = t.run_tshark(["-r", pcap, "-T", "fields", "-e", "tamtam.status", "-e", "tamtam.channel"],
                           lua=None, home=home)
        c.equal(out.strip(), "ok\t7", "the installed plugin decodes without -X")

        other = os.path.join(home, "elsewhere")
        p = subprocess.run([INSTALL, other], env=dict(os.environ, HOME=home), capture_output=True, text=True)
        c.equal(p.returncode, 0, "install.sh DIR exit status")
        c.check(filecmp.cmp(os.path.join(other, "tamtam.lua"), t.LUA, shallow=False), "install.sh DIR")
        p = subprocess.run([INSTALL, "a", "b"], capture_output=True, text=True)
        c.equal(p.returncode, 2, "install.sh with two arguments is a usage error")
    c.done()


if __name__ == "__main__":
    sys.exit(main())
