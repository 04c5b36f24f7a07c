#!/bin/sh
# Fails when a requirement ID defined in a spec (a line "- **CF-...**") is
# named by no unit test in the given folder, or when the spec defines none.
#
#   requirements_covered.sh SPEC TESTS_DIR [PREFIX]
#
# PREFIX is the spec's requirement ID prefix; without it, it is looked up by
# the spec's file name in the list below (one "file prefix" per line, one
# line per protocol), so today's call with spec/core-frame.md checks CF- IDs.
set -eu
known='core-frame.md CF-'
[ $# -ge 2 ] && [ $# -le 3 ] ||
  { echo "usage: $0 SPEC TESTS_DIR [PREFIX]" >&2; exit 2; }
spec=$1 tests=$2 prefix=${3:-}
if [ -z "$prefix" ]; then
  prefix=$(echo "$known" | awk -v f="$(basename "$spec")" '$1 == f { print $2 }')
  [ -n "$prefix" ] ||
    { echo "no requirement prefix known for $spec: give it as PREFIX" >&2; exit 2; }
fi
case $prefix in
  *[!A-Za-z0-9-]* | '') echo "bad requirement prefix \"$prefix\"" >&2; exit 2 ;;
esac
ids=$(sed -n "s/^- \*\*\(${prefix}[0-9.]*-[a-z]\)\*\*.*/\1/p" "$spec")
[ -n "$ids" ] || { echo "no ${prefix} requirement IDs found in $spec" >&2; exit 1; }
missing=0
for id in $ids; do
  if ! grep -qw -- "$id" "$tests"/*.c; then
    echo "not covered by any test: $id" >&2
    missing=$((missing + 1))
  fi
done
echo "$(echo "$ids" | wc -l) ${prefix} requirement IDs of $spec, $missing uncovered"
[ "$missing" -eq 0 ]
