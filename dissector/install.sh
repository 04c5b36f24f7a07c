#!/bin/sh
# Installs the TamTam Wireshark plugin for the current user by copying every
# protocol file of dissector/ (tamtam.lua, the Core Frame; splinter.lua and
# its generated fault table splinter_faults.lua; tamtam_common.lua,
# the helpers the protocol files share; any further *.lua protocol file)
# into Wireshark's personal Lua plugin folder: ~/.local/lib/wireshark/plugins
# on Linux and macOS. (Windows: %APPDATA%\Wireshark\plugins, copied by hand;
# see README.md.)
# usage: install.sh [DIR]    DIR replaces the default folder
set -eu
srcdir="$(cd "$(dirname "$0")" && pwd)"
if [ $# -gt 1 ]; then
  echo "usage: $0 [DIR]" >&2
  exit 2
fi
dir=${1:-${HOME:?HOME is not set}/.local/lib/wireshark/plugins}
mkdir -p "$dir"
# The helpers first, then the protocol files; each copied then renamed, so a
# running Wireshark never loads half a file.
for f in "$srcdir"/tamtam_common.lua "$srcdir"/*.lua; do
  name=${f##*/}
  case " ${installed:-} " in *" $name "*) continue ;; esac
  cp "$f" "$dir/.$name.tmp.$$"
  mv "$dir/.$name.tmp.$$" "$dir/$name"
  installed="${installed:-} $name"
  echo "installed $dir/$name"
done
echo "(restart Wireshark, or Analyze > Reload Lua Plugins)"
