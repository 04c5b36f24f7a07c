#!/bin/sh
# gate.sh's own logic against a stand-in tamtam-run whose behaviour each case
# chooses (exit status, reports written or not, verdicts): argument passing,
# exit-status mapping, the summary and its failing-case list, option errors.
# The real runner is exercised by ci.csharp.gate and ci.csharp.gate_red.
# usage: gate_logic_test.sh PATH/TO/gate.sh
set -u
gate=$1
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# The stand-in: records its arguments one per line, prints a line, writes the
# reports named by --json/--junit as $FAKE_REPORT says, exits $FAKE_EXIT.
mkdir -p "$tmp/suite/bin"
fake=$tmp/suite/bin/tamtam-run
cat >"$fake" <<'FAKE'
#!/bin/sh
printf '%s\n' "$@" >"$FAKE_ARGS"
json= junit=
while [ $# -gt 0 ]; do
  case $1 in
    --json) json=$2; shift ;;
    --junit) junit=$2; shift ;;
  esac
  shift
done
echo "fake runner output line"
case $FAKE_REPORT in
  none) ;;
  *) cp "$FAKE_DIR/$FAKE_REPORT.json" "$json"; echo '<testsuites/>' >"$junit" ;;
esac
case $FAKE_EXIT in
  segv) kill -SEGV $$ ;;
esac
exit "$FAKE_EXIT"
FAKE
chmod +x "$fake"
export FAKE_ARGS="$tmp/args" FAKE_DIR="$tmp"

# A passing report, compact as a runner might write it.
cat >"$tmp/pass.json" <<'JSON'
{"runner_version":"1.0.0","implementation":{"impl":"x","impl_version":"1","crc":"CRC-8/SMBUS","ops":["decode"]},"summary":{"pass":3,"fail":0,"info":1,"unsupported":0,"expected_fail":0},"cases":[{"id":"cf-a/decode","requirements":["CF-2-a"],"verdict":"PASS","detail":"","duration_ms":1},{"id":"cf-b/decode","requirements":["CF-2-b"],"verdict":"PASS","detail":"","duration_ms":1},{"id":"cf-c/decode","requirements":["CF-3.1-b"],"verdict":"INFO","detail":"","duration_ms":1},{"id":"cf-d/decode","requirements":["CF-6-b"],"verdict":"PASS","detail":"","duration_ms":1}]}
JSON
# Two failures among passes, pretty-printed, with a detail string that quotes
# JSON keys and verdict words (it must not be mistaken for a case).
cat >"$tmp/fail.json" <<'JSON'
{
	"runner_version":	"1.0.0",
	"summary":	{
		"pass":	1,
		"fail":	2,
		"info":	0,
		"unsupported":	0,
		"expected_fail":	1
	},
	"cases":	[{
			"id":	"cf-crc-smbus/decode",
			"requirements":	["CF-12.1-a"],
			"verdict":	"FAIL",
			"detail":	"Expected: {\"id\": \"decoy\", \"verdict\": \"FAIL\"}\nActual: crc_mismatch",
			"duration_ms":	2
		}, {
			"id":	"cf-ok/decode",
			"requirements":	["CF-2-a"],
			"verdict":	"PASS",
			"detail":	"",
			"duration_ms":	1
		}, {
			"id":	"cf-known/decode",
			"requirements":	["CF-2-a"],
			"verdict":	"EXPECTED_FAIL",
			"detail":	"listed in known failures",
			"duration_ms":	1
		}, {
			"id":	"cs-spec-example/stream",
			"requirements":	["CF-12.3-a", "CF-12.3-c"],
			"verdict":	"FAIL",
			"detail":	"event 2 differs",
			"duration_ms":	3
		}]
}
JSON
# Exit 1 without a FAIL: a known failure that now passes.
cat >"$tmp/fixed.json" <<'JSON'
{"summary":{"pass":4,"fail":0,"info":0,"unsupported":0,"expected_fail":0},"cases":[{"id":"cf-a/decode","requirements":[],"verdict":"PASS","detail":"fixed: remove it from the list","duration_ms":1}]}
JSON

# gate NAME EXPECTED_STATUS [ARGS...]: runs gate.sh, output in $tmp/NAME.out.
gate() {
  name=$1 want=$2
  shift 2
  sh "$gate" "$@" >"$tmp/$name.out" 2>&1
  rc=$?
  [ "$rc" -eq "$want" ] || { fail "$name: exit $rc, expected $want"; sed 's/^/  | /' "$tmp/$name.out"; }
}
has() { grep -q -- "$2" "$tmp/$1.out" || fail "$1: output lacks '$2'"; }
lacks() { ! grep -q -- "$2" "$tmp/$1.out" || fail "$1: output has '$2'"; }
arg_follows() {  # the runner got $2 directly followed by $3
  awk -v a="$2" -v b="$3" 'prev == a && $0 == b { found = 1 } { prev = $0 } END { exit !found }' "$FAKE_ARGS" ||
    fail "$1: runner did not get '$2' '$3'"
}

R=$tmp/r
printf 'cf-known/*  # tracked upstream\n' >"$tmp/known.txt"

# Pass: every option reaches the runner as one argument; reports and summary.
FAKE_EXIT=0 FAKE_REPORT=pass gate pass 0 conformance --runner "$fake" --shim "mono my shim.exe" \
  --vectors "$tmp/vec dir" --crc smbus --known-failures "$tmp/known.txt" --timeout-ms 500 \
  --case 'cf-*' --case 'cs-*' --report-dir "$R" -- -v
has pass "fake runner output line"
has pass "result:    PASS (exit 0)"
has pass "cases:     pass 3, fail 0, info 1, unsupported 0, expected_fail 0"
lacks pass "failing:"
arg_follows pass --shim "mono my shim.exe"
arg_follows pass --vectors "$tmp/vec dir"
arg_follows pass --crc smbus
arg_follows pass --known-failures "$tmp/known.txt"
arg_follows pass --timeout-ms 500
arg_follows pass --case 'cf-*'
arg_follows pass --case 'cs-*'
arg_follows pass --json "$R/conformance.json"
arg_follows pass --junit "$R/conformance.junit.xml"
grep -qx -- -v "$FAKE_ARGS" || fail "pass: pass-through -v not given to the runner"
grep -q "fake runner output line" "$R/conformance.log" || fail "pass: runner output not saved in the log"
grep -q "TamTam gate: conformance: PASS" "$R/conformance.summary.md" || fail "pass: no Markdown summary"

# Regression: exit 1, the two failing ids listed, nothing else.
FAKE_EXIT=1 FAKE_REPORT=fail gate fail 1 conformance --suite "$tmp/suite" --shim x --report-dir "$R" --name c2
has fail "result:    REGRESSION (exit 1)"
has fail "cases:     pass 1, fail 2, info 0, unsupported 0, expected_fail 1"
sed -n '/^failing:/,/^reproduce:/p' "$tmp/fail.out" | sed '1d;$d' >"$tmp/fail.ids"
printf '  cf-crc-smbus/decode\n  cs-spec-example/stream\n' >"$tmp/fail.want"
diff "$tmp/fail.want" "$tmp/fail.ids" >/dev/null || { fail "fail: failing list differs"; diff "$tmp/fail.want" "$tmp/fail.ids"; }
# shellcheck disable=SC2016 # Markdown backquotes
grep -q '| `cs-spec-example/stream` |' "$R/c2.summary.md" || fail "fail: Markdown summary lacks a failing case"
[ -s "$R/c2.json" ] || fail "fail: --name not used for the report"

# Many failures: the summary lists the first 50, the file has all of them.
awk 'BEGIN { printf "{\"summary\":{\"pass\":0,\"fail\":120},\"cases\":["
  for (i = 1; i <= 120; i++) printf "%s{\"id\":\"codec.decode.v%03d\",\"verdict\":\"FAIL\"}", (i > 1 ? "," : ""), i
  print "]}" }' >"$tmp/many.json"
FAKE_EXIT=1 FAKE_REPORT=many gate many 1 conformance --runner "$fake" --shim x --report-dir "$R"
has many "  codec.decode.v050"
lacks many "  codec.decode.v051"
has many "and 70 more, all in $R/conformance.failing.txt"
[ "$(wc -l <"$R/conformance.failing.txt")" -eq 120 ] || fail "many: failing.txt does not hold all 120"
[ "$(sed -n 120p "$R/conformance.failing.txt")" = codec.decode.v120 ] || fail "many: failing.txt out of order"

# Exit 1 with nothing failing: a known failure was fixed.
FAKE_EXIT=1 FAKE_REPORT=fixed gate fixed 1 conformance --runner "$fake" --node tcp://127.0.0.1:1 --report-dir "$R"
has fixed "a known failure now passes"
arg_follows fixed --node tcp://127.0.0.1:1

# Harness broken, runner killed by a signal, runner without reports, runner missing.
FAKE_EXIT=2 FAKE_REPORT=none gate broken 2 conformance --runner "$fake" --shim x --report-dir "$R"
has broken "result:    HARNESS BROKEN (exit 2)"
FAKE_EXIT=segv FAKE_REPORT=pass gate segv 2 conformance --runner "$fake" --shim x --report-dir "$R"
has segv "tamtam-run died"
FAKE_EXIT=0 FAKE_REPORT=none gate noreport 2 conformance --runner "$fake" --shim x --report-dir "$R"
has noreport "wrote no JSON/JUnit report"
lacks noreport "conformance.json"
has noreport "reports:   $R/conformance.log"
gate norunner 2 conformance --runner "$tmp/nope" --shim x --report-dir "$R"
gate nosuite 2 conformance --suite "$tmp" --shim x --report-dir "$R"
has nosuite "no tamtam-run in"

# Environment defaults; flags win over them.
TAMTAM_SHIM="env shim" TAMTAM_RUN=$fake TAMTAM_REPORT_DIR=$R FAKE_EXIT=0 FAKE_REPORT=pass gate env 0 conformance
arg_follows env --shim "env shim"
[ ! -e "$R/conformance.failing.txt" ] || fail "env: a passing run left the last run's failing.txt"
TAMTAM_SHIM="env shim" TAMTAM_RUN=$fake FAKE_EXIT=0 FAKE_REPORT=pass gate envflag 0 conformance --shim "flag shim" --report-dir "$R"
arg_follows envflag --shim "flag shim"

# Dry run prints the command and runs nothing.
rm -f "$FAKE_ARGS"
TAMTAM_GATE_DRY_RUN=1 gate dry 0 conformance --suite "$tmp/suite" --shim "a b" --report-dir "$R"
has dry "'--shim' 'a b'"
[ ! -e "$FAKE_ARGS" ] || fail "dry: the runner ran"

# Option errors are exit 2 with a message.
gate nothing 2 conformance --runner "$fake" --report-dir "$R"
has nothing "nothing to test"
gate badopt 2 conformance --shim x --frobnicate
has badopt "unknown option '--frobnicate'"
gate novalue 2 conformance --shim
gate badtimeout 2 conformance --shim x --timeout-ms soon
gate badname 2 conformance --shim x --name a/b
gate badcmd 2 frobnicate
gate nocmd 2
gate help 0 help
has help "usage: gate.sh conformance"
gate known 2 conformance --runner "$fake" --shim x --known-failures "$tmp/missing.txt"

[ "$failed" -eq 0 ] && echo "gate_logic_test: all passed"
exit "$failed"
