#!/bin/sh
# A second protocol joins tamtam-vectors by files alone: tamtam-vectors-toy
# (the Core Frame set plus the toy set of toy_set.c) generates both sets
# into an empty directory, verifies both, and reports each spec document's
# coverage; then a seeded wrong toy vector must make verify fail.
# The program's other sets (Splinter) are generated and verified too.
# usage: toy_check.sh TAMTAM_VECTORS_TOY CORE_SPEC TOY_SPEC SPLINTER_SPEC
set -eu
bin=$1 core_spec=$2 toy_spec=$3 splinter_spec=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL $*"; status=1; }
status=0

"$bin" gen "$tmp/v" >"$tmp/gen.log" 2>&1 || { cat "$tmp/gen.log"; exit 1; }
cat "$tmp/gen.log"
for f in core-frame.json core-stream.json toy.json schema/toy.schema.json; do
  [ -s "$tmp/v/$f" ] || fail "gen wrote no $f"
done

run_verify() {
  "$bin" verify --spec "$core_spec" --spec "toy=$toy_spec" \
    --spec "splinter=$splinter_spec" "$tmp/v" \
    >"$tmp/verify.log" 2>&1
}
rc=0; run_verify || rc=$?
[ "$rc" -eq 0 ] || { grep -v '^CF-\|^TOY-\|^SP-' "$tmp/verify.log"; fail "verify exited $rc"; }
# Both sets verified under their headings, and the coverage of each spec.
grep -q '^== core-frame: core-frame.json core-stream.json against ' "$tmp/verify.log" ||
  fail "no core-frame heading"
grep -q '^== toy: toy.json against ' "$tmp/verify.log" || fail "no toy heading"
grep -q '^toy.json: 9 vectors$' "$tmp/verify.log" || fail "toy vectors not verified"
grep -q '^verify: OK, 9 toy vectors, all 4 requirements covered$' "$tmp/verify.log" ||
  fail "toy set not sound"
grep -q '^verify: OK, [0-9]* frame and [0-9]* stream vectors' "$tmp/verify.log" ||
  fail "core-frame set not sound"
sed -n '/^coverage by spec document:$/,$p' "$tmp/verify.log"
grep -Eq '^  core-frame +CF- +([0-9]+) of \1 requirements cited by [0-9]+ vectors, 0 problems' \
  "$tmp/verify.log" || fail "no full core-frame coverage line"
grep -Eq '^  toy +TOY- +4 of 4 requirements cited by 9 vectors, 0 problems' \
  "$tmp/verify.log" || fail "no full toy coverage line"
grep -q '^TOY-2-a  *1$' "$tmp/verify.log" || fail "no toy coverage table"

# A wrong toy vector: toy-cut (truncated) now claims to be valid text.
sed 's/^\({"id":"toy-cut",.*\)"expect":"invalid","error":"truncated"}/\1"expect":"valid","text":"hel"}/' \
  "$tmp/v/toy.json" >"$tmp/toy.json"
cmp -s "$tmp/toy.json" "$tmp/v/toy.json" && fail "could not seed the wrong vector"
mv "$tmp/toy.json" "$tmp/v/toy.json"
rc=0; run_verify || rc=$?
[ "$rc" -eq 1 ] || fail "verify exited $rc on a wrong toy vector (want 1)"
grep -q '^FAIL toy-cut: expected valid, the toy decoder says truncated$' "$tmp/verify.log" ||
  fail "no FAIL line for toy-cut"
grep -Eq '^  toy +TOY- +4 of 4 requirements cited by 9 vectors, 1 problems' \
  "$tmp/verify.log" || fail "toy coverage line does not count the problem"
grep -Eq '^  core-frame +CF- .* 0 problems' "$tmp/verify.log" ||
  fail "the core-frame set is blamed for a toy problem"

[ "$status" -eq 0 ] && echo "toy_protocol: both sets generated and verified, wrong toy vector caught"
exit "$status"
