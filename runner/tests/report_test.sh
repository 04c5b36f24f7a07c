#!/bin/sh
# `tamtam-run report` on reports of real runs made here: the summary lines and
# failing ids it prints, checked against what the vectors and the seeded
# defect imply; unreadable reports are exit 2 with a reason.
# usage: report_test.sh MODE RUN WORKDIR FIXTURES SHIM [SHIM2]
#   pass      SHIM passes the fixtures
#   defect    SHIM is the CRC-8 wrong-polynomial defect
#   interop   ref=SHIM x poly=SHIM2 (the same defect)
#   fuzz      ref=SHIM x ulen=SHIM2 (UsedLen overflow accepted)
#   shapes    hand-written reports in the shapes of spec/harness.md 8.5, 8.8
#             (strings holding JSON keys, pipes, long hex, no implementations)
#   malformed reports that cannot be read
# shellcheck disable=SC2016,SC2015 # backquotes are Markdown; "A && B || fail" fails when either does
set -u
mode=$1 run=$2 w=$3/report.$1 fix=$4 shim=${5:-} shim2=${6:-}
rm -rf "$w" && mkdir -p "$w" || exit 2
failed=0
fail() { echo "FAIL: $*"; failed=1; }
# report NAME ARGS...: tamtam-run report, stdout in $w/NAME.out, status in $rc.
report() {
  name=$1
  shift
  "$run" report "$@" >"$w/$name.out" 2>"$w/$name.err"
  rc=$?
}
line() { grep -qxF -- "$2" "$w/$1.out" || { fail "$1: no line '$2'"; sed 's/^/  | /' "$w/$1.out"; }; }
match() { grep -qE -- "$2" "$w/$1.out" || { fail "$1: no line matching '$2'"; sed 's/^/  | /' "$w/$1.out"; }; }
# The runner's own exit status is not checked here (runner.* tests do).
runs() { "$run" "$@" --json "$w/r.json" >"$w/run.out" 2>&1; [ -s "$w/r.json" ] || { cat "$w/run.out"; fail "no report"; exit 1; }; }

case $mode in
pass)
  runs --vectors "$fix" --shim "$shim"
  report text "$w/r.json"
  [ "$rc" -eq 0 ] || fail "text: exit $rc"
  # Every listed case passes or is INFO: their sum is the list's length.
  n=$("$run" --vectors "$fix" --shim "$shim" --list | wc -l)
  p=$(sed -n 's/^cases:     pass \([0-9]*\), fail 0, info \([0-9]*\), unsupported 0, expected_fail 0$/\1 \2/p' "$w/text.out")
  [ -n "$p" ] && [ "$((${p% *} + ${p#* }))" -eq "$n" ] || fail "counts line wrong for $n cases: $(head -n 1 "$w/text.out")"
  ! grep -q '^failing:' "$w/text.out" || fail "a passing run lists failing cases"
  report failing --failing "$w/r.json"
  [ "$rc" -eq 0 ] && [ ! -s "$w/failing.out" ] || fail "--failing of a passing run printed something or failed ($rc)"
  ;;
defect)
  runs --vectors "$fix" --shim "$shim" --timeout-ms 300
  report failing --failing "$w/r.json"
  [ "$rc" -eq 0 ] || fail "--failing: exit $rc"
  # The cases defects.cmake expects this defect to fail.
  for id in codec.decode.cf-example-1 codec.encode.cf-example-1 codec.stream.cs-spec-example; do
    line failing "$id"
  done
  ! grep -q '^harness\.' "$w/failing.out" || fail "--failing lists a harness case the defect passes"
  report text "$w/r.json"
  nf=$(sed -n 's/^cases:     pass [0-9]*, fail \([0-9]*\),.*/\1/p' "$w/text.out")
  [ "$nf" = "$(wc -l <"$w/failing.out" | tr -d ' ')" ] || fail "fail count $nf is not the --failing count"
  line text "failing:"
  line text "  codec.decode.cf-example-1"
  report md --format markdown "$w/r.json"
  match md '^Cases: pass [0-9]+, fail [1-9]'
  line md '| `codec.decode.cf-example-1` |'
  ;;
interop)
  runs interop --impl ref="$shim" --impl poly="$shim2" --vectors "$fix" --random 20 --seed 2
  report text "$w/r.json"
  [ "$rc" -eq 0 ] || fail "text: exit $rc"
  line text "decode: encoder rows x decoder columns, frames passed/total"
  line text "stream: encoder rows x decoder columns, frames passed/total"
  match text '^  encoder \\ decoder +ref +poly$'
  # The defect agrees with itself: only the cells across fail.
  match text '^  ref +([0-9]+)/\1 +[0-9]+/\1 FAIL$'
  match text '^  poly +[0-9]+/([0-9]+) FAIL +\1/\1$'
  # Spec 12.6 example 1, the first vector, is the first failing frame.
  match text '^  interop\.decode\.ref\.poly: [1-9][0-9]* of [0-9]+ frames failed, the first: cf-example-1$'
  match text '^      bytes: 201007100003010203'
  report failing --failing "$w/r.json"
  printf '%s\n' interop.decode.poly.ref interop.decode.ref.poly interop.stream.poly.ref interop.stream.ref.poly >"$w/want"
  sort "$w/failing.out" | diff "$w/want" - >/dev/null || { fail "--failing cells differ"; sort "$w/failing.out" | diff "$w/want" -; }
  report md --format markdown "$w/r.json"
  match md '^\| ref \| ([0-9]+)/\1 \| [0-9]+/\1 \*\*FAIL\*\* \|$'
  match md '^\| `interop\.decode\.ref\.poly` \| [0-9]+ of [0-9]+ \| `cf-example-1`: '
  ;;
fuzz)
  runs fuzz --impl ref="$shim" --impl ulen="$shim2" --vectors "$fix" --iterations 30 --seed 5 --out "$w/out"
  report text "$w/r.json"
  [ "$rc" -eq 0 ] || fail "text: exit $rc"
  line text "run:       seed 5, 30 iterations, ref (reference) against ulen"
  match text '^findings:  [1-9][0-9]* \(decode [1-9]'
  match text '^  cf-fuzz-5-[0-9]+  decode, iteration [0-9]+$'
  match text '^      .*ref \(reference\) answers error used_len_exceeds_block; ulen answers'
  line text "files:     $w/out/fuzz-5/core-frame.json"
  report failing --failing "$w/r.json"
  line failing fuzz.decode
  report md --format markdown "$w/r.json"
  match md '^\| `cf-fuzz-5-[0-9]+` \| decode \| [0-9]+ \| .*ref \(reference\) answers error used_len_exceeds_block'
  line md "File: \`$w/out/fuzz-5/core-frame.json\`<br>"
  ;;
shapes)
  # A detail quoting JSON keys and verdicts is not a case.
  cat >"$w/decoy.json" <<'JSON'
{"summary":{"pass":1,"fail":1},"cases":[
 {"id":"a","verdict":"FAIL","detail":"Expected: {\"id\": \"decoy\", \"verdict\": \"FAIL\"}"},
 {"id":"b","verdict":"PASS","detail":"\"verdict\":\"FAIL\""}]}
JSON
  report decoy --failing "$w/decoy.json"
  [ "$(cat "$w/decoy.out")" = a ] || fail "decoy: --failing printed '$(cat "$w/decoy.out")', not 'a'"
  # Interop without "implementations": the names come from the encoders; a
  # pipe is escaped in Markdown; 49 bytes of hex are cut at 32.
  hex=$(printf '%098d' 0)
  cat >"$w/bare.json" <<JSON
{"command":"interop","summary":{"pass":3,"fail":1},"matrix":[
 {"id":"interop.decode.x.x","verdict":"PASS","op":"decode","encoder":"x","decoder":"x","pass":4,"total":4},
 {"id":"interop.decode.x.y","verdict":"FAIL","op":"decode","encoder":"x","decoder":"y","pass":3,"fail":1,"total":4,
  "failures":[{"source":"cf-a","hex":"$hex","detail":"Expected: a | b\\n  Actual: c"}]},
 {"id":"interop.decode.y.x","verdict":"PASS","op":"decode","encoder":"y","decoder":"x","pass":4,"total":4},
 {"id":"interop.decode.y.y","verdict":"PASS","op":"decode","encoder":"y","decoder":"y","pass":4,"total":4}]}
JSON
  report bare "$w/bare.json"
  match bare '^  encoder \\ decoder +x +y$'
  match bare '^  x +4/4 +3/4 FAIL$'
  line bare "      Expected: a | b Actual: c"
  line bare "      bytes: $(printf '%064d' 0)… (49 bytes)"
  report baremd --format markdown "$w/bare.json"
  line baremd '| x | 4/4 | 3/4 **FAIL** |'
  match baremd '`cf-a`: Expected: a \\\| b Actual: c<br>'
  # More implementations than the summary shows: said so, never silently.
  awk 'BEGIN { printf "{\"command\":\"interop\",\"summary\":{\"pass\":1},\"implementations\":["
    for (i = 1; i <= 65; i++) printf "%s{\"name\":\"i%02d\"}", (i > 1 ? "," : ""), i
    print "],\"matrix\":[{\"id\":\"interop.decode.i01.i01\",\"verdict\":\"PASS\",\"op\":\"decode\",\"encoder\":\"i01\",\"decoder\":\"i01\",\"pass\":1,\"total\":1}]}" }' >"$w/wide.json"
  report wide "$w/wide.json"
  line wide "(only the first 64 implementations are shown here; the report has them all)"
  match wide '^  i01 +1/1 +- '
  ! grep -q 'i65' "$w/wide.out" || fail "wide: i65 shown"
  match wide '^  encoder \\ decoder +i01 .* i64$'
  ;;
malformed)
  # A real report cut short, and other files that are not reports.
  "$run" --vectors "$fix" --list >/dev/null || fail "runner broken"
  printf '{"runner_version":"1.0.0","summary":{"pass":1,"fail":0},"cases":[{"id":"a","verdict":"PASS"}]}\n' >"$w/ok.json"
  head -c 60 "$w/ok.json" >"$w/cut.json"
  printf '{"summary":{},"cases":[]} trailing' >"$w/trail.json"
  printf '{"command":"lint","summary":{},"cases":[]}' >"$w/cmd.json"
  printf '[1,2]' >"$w/array.json"
  : >"$w/empty.json"
  report ok "$w/ok.json"
  [ "$rc" -eq 0 ] || fail "a minimal report is not read (exit $rc)"
  for f in cut:"not valid JSON" trail:"not valid JSON" empty:"not valid JSON" \
           cmd:'unknown command "lint"' array:"not a tamtam-run report" nowhere:"cannot open"; do
    report "${f%%:*}" "$w/${f%%:*}.json"
    [ "$rc" -eq 2 ] || fail "${f%%:*}: exit $rc, expected 2"
    grep -qF -- "${f#*:}" "$w/${f%%:*}.err" || fail "${f%%:*}: stderr lacks '${f#*:}': $(cat "$w/${f%%:*}.err")"
    [ ! -s "$w/${f%%:*}.out" ] || fail "${f%%:*}: printed a summary"
  done
  report badfmt --format html "$w/ok.json"
  [ "$rc" -eq 2 ] || fail "--format html: exit $rc"
  report nofile
  [ "$rc" -eq 2 ] || fail "no file: exit $rc"
  ;;
*) echo "unknown mode $mode"; exit 2 ;;
esac
[ "$failed" -eq 0 ] && echo "report_test $mode: all passed"
exit "$failed"
