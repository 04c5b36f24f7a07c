#!/bin/sh
# The gate must turn red on a Splinter defect too: the C# shim built with
# SEEDED_TTL_EQUAL_LATE answers 1001 to a line arriving exactly at
# ts + ttl_ms (SP-5.1-a: on time). gate.sh conformance over the whole vector
# set must exit 1 (regression) and name as failing exactly the Splinter
# vectors whose arrival equals the deadline (ids se-ttl-equal and se-ttl-...-equal in
# splinter-envelope.json), no Core Frame case and nothing else.
# usage: gate_red_splinter_test.sh GATE_SH TAMTAM_RUN VECTORS_DIR SEEDED_SHIM_CMD REPORT_DIR
set -u
[ $# -eq 5 ] || { echo "usage: gate_red_splinter_test.sh GATE_SH TAMTAM_RUN VECTORS_DIR SEEDED_SHIM_CMD REPORT_DIR" >&2; exit 2; }
gate=$1 runner=$2 vectors=$3 shim=$4 reports=$5
failed=0
fail() { echo "FAIL: $*"; failed=1; }

[ -r "$vectors/splinter-envelope.json" ] || { echo "FAIL: no $vectors/splinter-envelope.json"; exit 1; }
out=$reports.out
mkdir -p "$reports"
sh "$gate" conformance --runner "$runner" --vectors "$vectors" --shim "$shim" --report-dir "$reports" >"$out" 2>&1
rc=$?
cat "$out"
echo "---- gate_red_splinter_test checks ----"
[ "$rc" -eq 1 ] || fail "gate.sh exited $rc; a seeded defect must give 1 (regression)"
grep -q '^result:    REGRESSION (exit 1)' "$out" || fail "summary does not say REGRESSION"

want=$(grep -oE '"id":"se-ttl-([a-z0-9-]*-)?equal"' "$vectors/splinter-envelope.json" |
  sed 's/^"id":"//;s/"$//;s/^/splinter.codec.validate./' | sort)
got=$(sort "$reports/conformance.failing.txt" 2>/dev/null)
[ -n "$want" ] || fail "no se-ttl-...-equal vector in the set"
if [ -n "$want" ] && [ "$want" = "$got" ]; then
  echo "ok   failing exactly the $(echo "$want" | wc -l | tr -d ' ') vectors arriving at ts + ttl_ms"
else
  fail "failing cases differ from the TTL-equal vectors"
  echo "  expected:"; echo "$want" | sed 's/^/    /'
  echo "  failing:"; echo "$got" | sed 's/^/    /'
fi
exit "$failed"
