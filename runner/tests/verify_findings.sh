#!/bin/sh
# The fuzzer's findings pass the vectors engineer's checker: copies the
# findings set (core-frame.json, core-stream.json and their .bin twins)
# beside the committed schemas and runs `tamtam-vectors verify`, which
# re-decodes every vector with libtamtam. Coverage of the whole spec is the
# committed set's business, so "cited by no vector" lines are the only
# problems allowed.
#
#   verify_findings.sh TAMTAM_VECTORS SPEC SCHEMA_DIR FINDINGS_DIR
set -u
[ $# -eq 4 ] || { echo "usage: $0 TAMTAM_VECTORS SPEC SCHEMA_DIR FINDINGS_DIR" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/verify_findings.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cp -R "$4/." "$tmp/" && mkdir -p "$tmp/schema" && cp "$3"/*.json "$tmp/schema/" || exit 2
"$1" verify --spec "$2" "$tmp" >"$tmp/out" 2>&1
cat "$tmp/out"
fail=0
grep -q '^core-frame.json: [1-9][0-9]* vectors' "$tmp/out" ||
  { echo "verify_findings: FAILED: no frame vector verified"; fail=1; }
[ "$(grep -c '^  valid$' "$tmp/out")" -eq 2 ] ||
  { echo "verify_findings: FAILED: a file breaks its schema"; fail=1; }
if grep '^FAIL ' "$tmp/out" | grep -v ': cited by no vector$'; then
  echo "verify_findings: FAILED: the lines above"
  fail=1
fi
[ "$fail" -eq 0 ] && echo "verify_findings: all checks passed"
exit "$fail"
