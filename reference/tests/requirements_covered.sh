#!/bin/sh
# Fails when a requirement ID defined in the spec (a line "- **CF-...**") is
# named by no unit test in the given folder, or when the spec defines none.
set -eu
spec=$1 tests=$2
ids=$(sed -n 's/^- \*\*\(CF-[0-9.]*-[a-z]\)\*\*.*/\1/p' "$spec")
[ -n "$ids" ] || { echo "no requirement IDs found in $spec" >&2; exit 1; }
missing=0
for id in $ids; do
  if ! grep -qw -- "$id" "$tests"/*.c; then
    echo "not covered by any test: $id" >&2
    missing=$((missing + 1))
  fi
done
echo "$(echo "$ids" | wc -l) requirement IDs, $missing uncovered"
[ "$missing" -eq 0 ]
