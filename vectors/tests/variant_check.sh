#!/bin/sh
# A set generated under another CRC-8 variant is consistent: verify and the
# independent checker pass on it, it names its variant, and its CRC-variant
# vectors now cover CRC-8/SMBUS.
# usage: variant_check.sh TAMTAM_VECTORS SPEC PYTHON3 NAME (e.g. ROHC)
set -eu
bin=$1 spec=$2 py=$3 crc=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" gen --crc "$crc" "$tmp/v" >"$tmp/log" || { cat "$tmp/log"; exit 1; }
# The Splinter set (no CRC) is written and checked beside it.
"$bin" verify --crc "$crc" --spec "$spec" \
  --spec "splinter=$(dirname "$spec")/splinter-envelope.md" "$tmp/v" \
  >"$tmp/log" || { grep -v '^CF-\|^SP-' "$tmp/log"; exit 1; }
tail -n 1 "$tmp/log"
"$py" "$(dirname "$0")/independent_check.py" "$tmp/v"
for f in core-frame.json core-stream.json; do
  grep -q "^{\"suite\":\"[a-z-]*\",\"spec_version\":\"1.0\",\"crc\":\"CRC-8/$crc\"" \
    "$tmp/v/$f" || { echo "FAIL $f does not name CRC-8/$crc"; exit 1; }
done
grep -q '"valid_under":"CRC-8/SMBUS"' "$tmp/v/core-frame.json" ||
  { echo "FAIL no vector is valid under CRC-8/SMBUS"; exit 1; }
