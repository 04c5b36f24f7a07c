#!/bin/sh
# Installs the TamTam Wireshark plugin for the current user by copying
# tamtam.lua into Wireshark's personal Lua plugin folder:
# ~/.local/lib/wireshark/plugins on Linux and macOS. (Windows:
# %APPDATA%\Wireshark\plugins, copied by hand; see README.md.)
# usage: install.sh [DIR]    DIR replaces the default folder
set -eu
src="$(cd "$(dirname "$0")" && pwd)/tamtam.lua"
if [ $# -gt 1 ]; then
  echo "usage: $0 [DIR]" >&2
  exit 2
fi
dir=${1:-${HOME:?HOME is not set}/.local/lib/wireshark/plugins}
mkdir -p "$dir"
# Copy then rename, so a running Wireshark never loads half a file.
cp "$src" "$dir/.tamtam.lua.tmp"
mv "$dir/.tamtam.lua.tmp" "$dir/tamtam.lua"
echo "installed $dir/tamtam.lua (restart Wireshark, or Analyze > Reload Lua Plugins)"
