#!/bin/sh
# The gate must turn red on a real defect: the C# shim built with
# SEEDED_CRC_MAXIM computes Dallas/Maxim CRC-8 under the SMBUS name. gate.sh
# must exit 1 (regression, not harness failure); its summary must name the
# failing cases, first of all the decode of the spec's worked example 1 (CRC
# 0x10 under SMBUS, 0x86 under MAXIM-DOW), and its full failing list must hold
# the decode of every vector the set marks valid only under CRC-8/MAXIM-DOW
# (crc_mismatch under SMBUS, which the seeded shim accepts).
# usage: gate_red_test.sh GATE_SH TAMTAM_RUN VECTORS_DIR SEEDED_SHIM_CMD REPORT_DIR
set -u
[ $# -eq 5 ] || { echo "usage: gate_red_test.sh GATE_SH TAMTAM_RUN VECTORS_DIR SEEDED_SHIM_CMD REPORT_DIR" >&2; exit 2; }
gate=$1 runner=$2 vectors=$3 shim=$4 reports=$5
failed=0
fail() { echo "FAIL: $*"; failed=1; }

[ -r "$vectors/core-frame.json" ] || { echo "FAIL: no vector set: $vectors/core-frame.json missing"; exit 1; }
out=$reports.out
mkdir -p "$reports"
sh "$gate" conformance --runner "$runner" --vectors "$vectors" --shim "$shim" --report-dir "$reports" >"$out" 2>&1
rc=$?
cat "$out"
echo "---- gate_red_test checks ----"
[ "$rc" -eq 1 ] || fail "gate.sh exited $rc; a seeded defect must give 1 (regression)"
grep -q '^result:    REGRESSION (exit 1)' "$out" || fail "summary does not say REGRESSION"
failing=$(sed -n '/^failing:/,/^reproduce:/p' "$out" | sed '1d;$d;s/^ *//')
[ -n "$failing" ] || fail "summary names no failing case"
grep -q '<failure' "$reports/conformance.junit.xml" 2>/dev/null || fail "JUnit report has no <failure>"

# Vector ids by content, from the vector set itself: the one whose bytes are
# example 1, and those valid only under CRC-8/MAXIM-DOW.
pick() {
  tr -d '\n\r' <"$vectors/core-frame.json" | awk -v want="$1" -v key="$2" '{
    s = $0
    while (match(s, /"(id|hex|valid_under)"[ \t]*:[ \t]*"[^"]*"/)) {
      tok = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
      k = tok; sub(/"[ \t]*:.*/, "", k); sub(/^"/, "", k)
      v = tok; sub(/^"[a-z_]*"[ \t]*:[ \t]*"/, "", v); sub(/"$/, "", v)
      if (k == "id") id = v
      else if (k == key && tolower(v) == tolower(want)) print id
    }
  }'
}
example1=$(pick 20100710000301020300000000000000000000000000 hex)
maxim=$(pick CRC-8/MAXIM-DOW valid_under)
[ -n "$example1" ] || fail "no vector in $vectors/core-frame.json holds example 1's bytes"
# named: listed as failing ($1: the summary's list or the failing file) with
# decode in its case id.
named() {
  echo "$1" | grep -E -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|\$)" | grep -q decode
}
for id in $example1; do
  if named "$failing" "$id"; then echo "ok   summary names the decode of $id"
  else fail "summary does not name the decode of vector $id"; fi
done
all=$(cat "$reports/conformance.failing.txt" 2>/dev/null)
[ -n "$maxim" ] || fail "no vector valid only under CRC-8/MAXIM-DOW in the set"
for id in $maxim; do
  if named "$all" "$id"; then echo "ok   decode of $id (valid only under MAXIM-DOW) failing"
  else fail "decode of vector $id not among the failing cases"; fi
done

[ "$failed" -eq 0 ] && echo "gate_red_test: the gate is red on the seeded defect, as it must be"
exit "$failed"
