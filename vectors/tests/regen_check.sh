#!/bin/sh
# CI regeneration: `tamtam-vectors gen` into an empty directory must write
# exactly the committed set, byte for byte, with no file added or missing.
# usage: regen_check.sh TAMTAM_VECTORS VECTORS_DIR
set -eu
bin=$1 vectors=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" gen "$tmp/v" >"$tmp/gen.log" || { cat "$tmp/gen.log"; exit 1; }

# Every path gen writes; README, src/, tests/ and CMakeLists.txt are not.
list() {
  (cd "$1" && find core-frame.json core-stream.json core-frame core-stream \
    splinter-envelope.json splinter-stream.json splinter-envelope \
    splinter-stream schema pcap -type f | LC_ALL=C sort)
}
list "$tmp/v" >"$tmp/generated"
list "$vectors" >"$tmp/committed"
status=0
if ! diff -u "$tmp/committed" "$tmp/generated" >"$tmp/names.diff"; then
  echo "FAIL files added (+) or missing (-) in the committed set:"
  grep '^[+-][^+-]' "$tmp/names.diff" | head -20
  status=1
fi
differ=0
while read -r f; do
  if [ -f "$vectors/$f" ] && ! cmp -s "$vectors/$f" "$tmp/v/$f"; then
    [ "$differ" -lt 20 ] && echo "FAIL $f differs from what gen writes"
    differ=$((differ + 1))
  fi
done <"$tmp/generated"
[ "$differ" -eq 0 ] || status=1
n=$(wc -l <"$tmp/generated")
echo "regen: $n files generated, $differ differ"
[ "$status" -eq 0 ] || echo "regenerate with: tamtam-vectors gen vectors"
exit "$status"
