#!/bin/sh
# gate.sh's own logic against a stand-in tamtam-run whose behaviour each case
# chooses (exit status, reports written or not, verdicts): argument passing,
# exit-status mapping, the summary and its failing-case list, option errors.
# The same for interop and fuzz (implementations in order, deterministic
# defaults, the matrix and findings summaries) and for "all" (every step, the
# worst status). The real runner is exercised by ci.csharp.gate*.
# usage: gate_logic_test.sh PATH/TO/gate.sh
set -u
gate=$1
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# The stand-in: records its arguments one per line (in $FAKE_ARGS and
# $FAKE_ARGS.KIND, KIND conformance, interop or fuzz), prints a line, writes the
# reports named by --json/--junit as $FAKE_REPORT says (@OUT@ replaced by
# --out), exits $FAKE_EXIT; $FAKE_KIND="EXIT REPORT" overrides both for one
# kind. With FAKE_FINDINGS set, fuzz writes a findings file under --out.
# "report [--format markdown] [--failing] FILE" answers what $FAKE_REPORT.txt,
# .md and .failing hold (what the real runner prints for that report, per
# spec/harness.md 8.10; runner.report.* test the real one), saved beside FILE
# when the report was written; without .txt it is exit 2, an unreadable report.
mkdir -p "$tmp/suite/bin"
fake=$tmp/suite/bin/tamtam-run
cat >"$fake" <<'FAKE'
#!/bin/sh
if [ "$1" = report ]; then
  ext=txt
  while [ $# -gt 2 ]; do
    case $2 in
      --failing) ext=failing ;;
      --format) [ "$3" = markdown ] && ext=md; shift ;;
    esac
    shift
  done
  [ -e "$2.fake.txt" ] || { echo "tamtam-run report: $2: not a tamtam-run report" >&2; exit 2; }
  [ ! -e "$2.fake.$ext" ] || cat "$2.fake.$ext"
  exit 0
fi
case $1 in
  interop|fuzz) kind=$1 ;;
  *) kind=conformance ;;
esac
printf '%s\n' "$@" >"$FAKE_ARGS"
cp "$FAKE_ARGS" "$FAKE_ARGS.$kind"
eval "over=\${FAKE_$kind:-}"
if [ -n "$over" ]; then FAKE_EXIT=${over% *} FAKE_REPORT=${over#* }; fi
json= junit= out=
while [ $# -gt 0 ]; do
  case $1 in
    --json) json=$2; shift ;;
    --junit) junit=$2; shift ;;
    --out) out=$2; shift ;;
  esac
  shift
done
echo "fake runner output line"
case $FAKE_REPORT in
  none) ;;
  *) sed "s|@OUT@|$out|g" "$FAKE_DIR/$FAKE_REPORT.json" >"$json"; echo '<testsuites/>' >"$junit"
    rm -f "$json".fake.*
    for ext in txt md failing; do
      [ ! -e "$FAKE_DIR/$FAKE_REPORT.$ext" ] || sed "s|@OUT@|$out|g" "$FAKE_DIR/$FAKE_REPORT.$ext" >"$json.fake.$ext"
    done ;;
esac
if [ -n "${FAKE_FINDINGS:-}" ] && [ -n "$out" ]; then
  mkdir -p "$out/fuzz-7" && echo '{}' >"$out/fuzz-7/core-frame.json"
fi
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
# What tamtam-run report answers for it.
echo "cases:     pass 3, fail 0, info 1, unsupported 0, expected_fail 0" >"$tmp/pass.txt"
printf 'Cases: pass 3, fail 0, info 1, unsupported 0, expected_fail 0\n\n' >"$tmp/pass.md"
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
printf '%s\n' "cases:     pass 1, fail 2, info 0, unsupported 0, expected_fail 1" "failing:" \
  "  cf-crc-smbus/decode" "  cs-spec-example/stream" >"$tmp/fail.txt"
printf 'Cases: pass 1, fail 2, info 0, unsupported 0, expected_fail 1\n\n' >"$tmp/fail.md"
printf '%s\n' cf-crc-smbus/decode cs-spec-example/stream >"$tmp/fail.failing"
# Exit 1 without a FAIL: a known failure that now passes.
cat >"$tmp/fixed.json" <<'JSON'
{"summary":{"pass":4,"fail":0,"info":0,"unsupported":0,"expected_fail":0},"cases":[{"id":"cf-a/decode","requirements":[],"verdict":"PASS","detail":"fixed: remove it from the list","duration_ms":1}]}
JSON

echo "cases:     pass 4, fail 0, info 0, unsupported 0, expected_fail 0" >"$tmp/fixed.txt"
printf 'Cases: pass 4, fail 0, info 0, unsupported 0, expected_fail 0\n\n' >"$tmp/fixed.md"
# A report tamtam-run report cannot read (it has no answer for it).
echo '{"summary":' >"$tmp/broken.json"

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
arg_follows() {  # the runner got $2 directly followed by $3 (in its last run, or run $4)
  awk -v a="$2" -v b="$3" 'prev == a && $0 == b { found = 1 } { prev = $0 } END { exit !found }' "${4:-$FAKE_ARGS}" ||
    fail "$1: runner did not get '$2' '$3'"
}
no_arg() {  # the runner did not get $2 (in its last run, or run $3)
  ! grep -qx -- "$2" "${3:-$FAKE_ARGS}" || fail "$1: runner got '$2'"
}

R=$tmp/r
printf 'cf-known/*  # tracked upstream\n' >"$tmp/known.txt"

# Pass: every option reaches the runner as one argument; reports and summary.
# (The --timeout-ms values in this file only travel to the stand-in, which
# never waits: nothing here depends on the machine's speed.)
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
awk 'BEGIN { for (i = 1; i <= 120; i++) printf "codec.decode.v%03d\n", i }' >"$tmp/many.failing"
echo "cases:     pass 0, fail 120" >"$tmp/many.txt"
printf 'Cases: pass 0, fail 120\n\n' >"$tmp/many.md"
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
# A report the runner cannot read back: the harness is broken, with its reason.
FAKE_EXIT=0 FAKE_REPORT=broken gate unreadable 2 conformance --runner "$fake" --shim x --report-dir "$R"
has unreadable "result:    HARNESS BROKEN (exit 2)"
has unreadable "reason:    tamtam-run could not read its report: tamtam-run report: $R/conformance.json: not a tamtam-run report"
grep -q "HARNESS BROKEN" "$R/conformance.summary.md" || fail "unreadable: Markdown summary not HARNESS BROKEN"
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
has dry "tamtam-run --shim 'a b' --json $R/conformance.json"
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

# ---- interop -------------------------------------------------------------------
# Three implementations; decode: two failing cells (the first failure's detail
# holds a pipe and decoy JSON keys, its bytes are long; the other has no
# bytes: the encoder refused), stream: "old" takes no part.
cat >"$tmp/interop.json" <<'JSON'
{"runner_version":"1.0.0","command":"interop","seed":1,"frames":{"vectors":8,"random":2},
"implementations":[{"name":"ref","command":"r","impl":"x","ops":["decode"]},{"name":"port","command":"p"},{"name":"old","command":"o"}],
"summary":{"pass":11,"fail":2,"info":0,"unsupported":5,"expected_fail":0},
"matrix":[
{"id":"interop.decode.ref.ref","requirements":["CF-2-a"],"verdict":"PASS","detail":"","duration_ms":1,"op":"decode","encoder":"ref","decoder":"ref","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.decode.ref.port","requirements":["CF-2-a"],"verdict":"FAIL","detail":"3 of 10 frames failed; the first:\n{\"id\": \"decoy\", \"verdict\": \"FAIL\"}","duration_ms":1,"op":"decode","encoder":"ref","decoder":"port","pass":7,"fail":3,"unsupported":0,"total":10,
 "failures":[{"source":"cf-example-1","frame":{"class":2,"payload":"0102"},"hex":"2010071000030102030000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000","detail":"Expected: the frame | \"verdict\": \"PASS\"\n  Actual:   error crc_mismatch"},
             {"source":"random-3","frame":{},"hex":"00","detail":"Expected: second"}]},
{"id":"interop.decode.ref.old","requirements":[],"verdict":"PASS","detail":"","duration_ms":1,"op":"decode","encoder":"ref","decoder":"old","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.decode.port.ref","requirements":[],"verdict":"FAIL","detail":"1 of 10","duration_ms":1,"op":"decode","encoder":"port","decoder":"ref","pass":9,"fail":1,"unsupported":0,"total":10,
 "failures":[{"source":"random-17","frame":{},"hex":null,"detail":"the encoder refused: used_len_exceeds_block"}]},
{"id":"interop.decode.port.port","verdict":"PASS","op":"decode","encoder":"port","decoder":"port","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.decode.port.old","verdict":"PASS","op":"decode","encoder":"port","decoder":"old","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.decode.old.ref","verdict":"PASS","op":"decode","encoder":"old","decoder":"ref","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.decode.old.port","verdict":"PASS","op":"decode","encoder":"old","decoder":"port","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.decode.old.old","verdict":"PASS","op":"decode","encoder":"old","decoder":"old","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.stream.ref.ref","verdict":"PASS","op":"stream","encoder":"ref","decoder":"ref","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.stream.ref.port","verdict":"PASS","op":"stream","encoder":"ref","decoder":"port","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.stream.ref.old","verdict":"UNSUPPORTED","op":"stream","encoder":"ref","decoder":"old","pass":0,"fail":0,"unsupported":10,"total":10,"failures":[]},
{"id":"interop.stream.port.ref","verdict":"PASS","op":"stream","encoder":"port","decoder":"ref","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.stream.port.port","verdict":"PASS","op":"stream","encoder":"port","decoder":"port","pass":10,"fail":0,"unsupported":0,"total":10,"failures":[]},
{"id":"interop.stream.port.old","verdict":"UNSUPPORTED","op":"stream","encoder":"port","decoder":"old","pass":0,"fail":0,"unsupported":10,"total":10,"failures":[]},
{"id":"interop.stream.old.ref","verdict":"UNSUPPORTED","op":"stream","encoder":"old","decoder":"ref","pass":0,"fail":0,"unsupported":10,"total":10,"failures":[]},
{"id":"interop.stream.old.port","verdict":"UNSUPPORTED","op":"stream","encoder":"old","decoder":"port","pass":0,"fail":0,"unsupported":10,"total":10,"failures":[]},
{"id":"interop.stream.old.old","verdict":"UNSUPPORTED","op":"stream","encoder":"old","decoder":"old","pass":0,"fail":0,"unsupported":10,"total":10,"failures":[]}]}
JSON
cat >"$tmp/interop.txt" <<'TXT'
cells:     pass 11, fail 2, info 0, unsupported 5, expected_fail 0
decode: encoder rows x decoder columns, frames passed/total
  encoder \ decoder  ref        port       old
  ref                10/10      7/10 FAIL  10/10
  port               9/10 FAIL  10/10      10/10
  old                10/10      10/10      10/10
stream: encoder rows x decoder columns, frames passed/total
  encoder \ decoder  ref          port         old
  ref                10/10        10/10        unsupported
  port               10/10        10/10        unsupported
  old                unsupported  unsupported  unsupported
failing cells (interop.OP.ENCODER.DECODER):
  interop.decode.ref.port: 3 of 10 frames failed, the first: cf-example-1
      Expected: the frame | "verdict": "PASS" Actual: error crc_mismatch
      bytes: 2010071000030102030000000000000000000000000000000000000000000000… (98 bytes)
  interop.decode.port.ref: 1 of 10 frames failed, the first: random-17
      the encoder refused: used_len_exceeds_block
TXT
cat >"$tmp/interop.md" <<'MD'
Cells: pass 11, fail 2, info 0, unsupported 5, expected_fail 0

**decode**: encoder rows × decoder columns, frames passed/total

| encoder \ decoder | ref | port | old |
|---|---|---|---|
| ref | 10/10 | 7/10 **FAIL** | 10/10 |
| port | 9/10 **FAIL** | 10/10 | 10/10 |
| old | 10/10 | 10/10 | 10/10 |

**stream**: encoder rows × decoder columns, frames passed/total

| encoder \ decoder | ref | port | old |
|---|---|---|---|
| ref | 10/10 | 10/10 | unsupported |
| port | 10/10 | 10/10 | unsupported |
| old | unsupported | unsupported | unsupported |

| Failing cell | Frames failed | First failing frame |
|---|---|---|
| `interop.decode.ref.port` | 3 of 10 | `cf-example-1`: Expected: the frame \| "verdict": "PASS" Actual: error crc_mismatch<br>bytes `2010071000030102030000000000000000000000000000000000000000000000… (98 bytes)` |
| `interop.decode.port.ref` | 1 of 10 | `random-17`: the encoder refused: used_len_exceeds_block |

MD
# norm NAME: the output with runs of spaces as one, for the matrix rows.
norm() { sed 's/  */ /g' "$tmp/$1.out" >"$tmp/$1.norm"; }
hasn() { grep -q -x -- "$2" "$tmp/$1.norm" || fail "$1: no line '$2'"; }

FAKE_EXIT=1 FAKE_REPORT=interop gate interop 1 interop --runner "$fake" --impl ref="./ref shim" \
  --impl port="mono port.exe" --impl old=tcp://127.0.0.1:4775 --vectors "$tmp/vec dir" --crc rohc \
  --timeout-ms 900 --random 40 --report-dir "$R" -- -v
[ "$(sed -n 1p "$FAKE_ARGS")" = interop ] || fail "interop: the runner's first argument is not 'interop'"
[ "$(grep -x -A1 -- --impl "$FAKE_ARGS" | grep -v -x -- --impl | grep -v -x -- --)" = "ref=./ref shim
port=mono port.exe
old=tcp://127.0.0.1:4775" ] || fail "interop: implementations not passed in order"
arg_follows interop --vectors "$tmp/vec dir"
arg_follows interop --crc rohc
arg_follows interop --timeout-ms 900
arg_follows interop --random 40
arg_follows interop --seed 1
arg_follows interop --json "$R/interop.json"
arg_follows interop --junit "$R/interop.junit.xml"
grep -qx -- -v "$FAKE_ARGS" || fail "interop: pass-through -v not given to the runner"
no_arg interop --out
no_arg interop --iterations
norm interop
hasn interop "result: REGRESSION (exit 1)"
hasn interop "cells: pass 11, fail 2, info 0, unsupported 5, expected_fail 0"
hasn interop "decode: encoder rows x decoder columns, frames passed/total"
hasn interop ' encoder \\ decoder ref port old'
hasn interop " ref 10/10 7/10 FAIL 10/10"
hasn interop " port 9/10 FAIL 10/10 10/10"
hasn interop " old 10/10 10/10 10/10"
hasn interop " ref 10/10 10/10 unsupported"
hasn interop " old unsupported unsupported unsupported"
has interop "  interop.decode.ref.port: 3 of 10 frames failed, the first: cf-example-1"
has interop "Expected: the frame | \"verdict\": \"PASS\" Actual: error crc_mismatch"
has interop "bytes: 2010071000030102030000000000000000000000000000000000000000000000… (98 bytes)"
has interop "  interop.decode.port.ref: 1 of 10 frames failed, the first: random-17"
lacks interop "bytes: null"
lacks interop "decoy"
lacks interop "interop.stream.ref.old:"
lacks interop "Expected: second"
has interop "reproduce: $fake interop --impl 'ref=./ref shim' --impl 'port=mono port.exe' --impl old=tcp://127.0.0.1:4775"
[ ! -e "$R/interop.failing.txt" ] || fail "interop: wrote a failing.txt (conformance only)"
md=$R/interop.summary.md
grep -q '^### TamTam gate: interop: REGRESSION' "$md" || fail "interop: Markdown summary lacks its title"
grep -qF '| ref | 10/10 | 7/10 **FAIL** | 10/10 |' "$md" || fail "interop: Markdown matrix row"
grep -qF 'Expected: the frame \| "verdict"' "$md" || fail "interop: a pipe in a Markdown cell is not escaped"
[ "$(grep -c '^| encoder \\ decoder |' "$md")" -eq 2 ] || fail "interop: Markdown lacks one matrix per op"
FAKE_EXIT=0 FAKE_REPORT=interop gate interopname 0 interop --runner "$fake" --impl a=x --impl b=y --seed 9 --name cross --report-dir "$R"
arg_follows interopname --seed 9
arg_follows interopname --json "$R/cross.json"
TAMTAM_SEED=5 TAMTAM_INTEROP_RANDOM=0 FAKE_EXIT=0 FAKE_REPORT=interop gate interopenv 0 interop --runner "$fake" --impl a=x --impl b=y --report-dir "$R"
arg_follows interopenv --seed 5
arg_follows interopenv --random 0

# ---- fuzz ------------------------------------------------------------------------
cat >"$tmp/fuzz.json" <<'JSON'
{
	"runner_version":	"1.0.0",
	"command":	"fuzz",
	"seed":	7,
	"iterations":	500,
	"implementations":	[{"name": "ref", "command": "r"}, {"name": "port", "command": "p"}],
	"summary":	{"pass": 0, "fail": 2, "info": 0, "unsupported": 0, "expected_fail": 0},
	"cases":	[{"id": "fuzz.decode", "verdict": "FAIL", "detail": "1 disagreement:\ncf-fuzz-7-1 (iteration 12)"},
		{"id": "fuzz.stream", "verdict": "FAIL", "detail": "{\"vector\": \"decoy\", \"files\": [\"decoy\"]}"}],
	"findings":	[{
			"vector":	"cf-fuzz-7-1",
			"op":	"decode",
			"iteration":	12,
			"description":	"ref (reference) answers a valid frame; port answers error crc_mismatch | odd\nsecond line",
			"hex":	"0000f2ba0000",
			"written":	true
		}, {
			"vector":	"cs-fuzz-7-2",
			"op":	"stream",
			"iteration":	40,
			"description":	"ref (reference) answers events [frame]; port answers events [x]",
			"hex":	"00000000000000000000000000000000000000000000000000000000000000000000000000",
			"written":	false
		}],
	"files":	["@OUT@/fuzz-7/core-frame.json"]
}
JSON
cat >"$tmp/fuzz-none.json" <<'JSON'
{"runner_version":"1.0.0","command":"fuzz","seed":1,"iterations":500,"implementations":[{"name":"ref","command":"r"},{"name":"port","command":"p"}],"summary":{"pass":2,"fail":0,"info":0,"unsupported":0,"expected_fail":0},"cases":[{"id":"fuzz.decode","verdict":"PASS"},{"id":"fuzz.stream","verdict":"PASS"}],"findings":[],"files":[]}
JSON

cat >"$tmp/fuzz.txt" <<'TXT'
cases:     pass 0, fail 2, info 0, unsupported 0, expected_fail 0
run:       seed 7, 500 iterations, ref (reference) against port
findings:  2 (decode 1, stream 1)
  cf-fuzz-7-1  decode, iteration 12
      ref (reference) answers a valid frame; port answers error crc_mismatch | odd second line
      bytes: 0000f2ba0000
  cs-fuzz-7-2  stream, iteration 40 (not written: no vector can hold the expected answer)
      ref (reference) answers events [frame]; port answers events [x]
      bytes: 0000000000000000000000000000000000000000000000000000000000000000… (37 bytes)
files:     @OUT@/fuzz-7/core-frame.json
TXT
cat >"$tmp/fuzz.md" <<'MD'
Cases: pass 0, fail 2, info 0, unsupported 0, expected_fail 0

Seed 7, 500 iterations, ref (reference) against port.

2 findings:

| Vector | Op | Iteration | Disagreement | Bytes |
|---|---|---|---|---|
| `cf-fuzz-7-1` | decode | 12 | ref (reference) answers a valid frame; port answers error crc_mismatch \| odd second line | `0000f2ba0000` |
| `cs-fuzz-7-2` (not written: no vector can hold the expected answer) | stream | 40 | ref (reference) answers events [frame]; port answers events [x] | `0000000000000000000000000000000000000000000000000000000000000000… (37 bytes)` |

File: `@OUT@/fuzz-7/core-frame.json`<br>

MD
# The same findings from three implementations: the majority decides.
sed 's/"implementations":.*/"implementations": [{"name": "a"}, {"name": "b"}, {"name": "c"}],/' "$tmp/fuzz.json" >"$tmp/fuzz3.json"
sed 's/ref (reference) against port$/majority of a b c/' "$tmp/fuzz.txt" >"$tmp/fuzz3.txt"
sed 's/ref (reference) against port\.$/majority of a b c./' "$tmp/fuzz.md" >"$tmp/fuzz3.md"
printf '%s\n' "cases:     pass 2, fail 0, info 0, unsupported 0, expected_fail 0" \
  "run:       seed 1, 500 iterations, ref (reference) against port" "findings:  none" >"$tmp/fuzz-none.txt"
printf '%s\n' "Cases: pass 2, fail 0, info 0, unsupported 0, expected_fail 0" "" \
  "Seed 1, 500 iterations, ref (reference) against port." "" "No finding." "" >"$tmp/fuzz-none.md"

# Defaults: seed 1, 500 iterations, findings under the report dir; a stale
# findings directory of an earlier run is gone.
mkdir -p "$R/fuzz.findings/fuzz-1" && echo stale >"$R/fuzz.findings/fuzz-1/core-frame.json"
FAKE_EXIT=0 FAKE_REPORT=fuzz-none gate fuzznone 0 fuzz --runner "$fake" --impl ref="./ref shim" --impl port="mono p.exe" --report-dir "$R"
[ "$(sed -n 1p "$FAKE_ARGS")" = fuzz ] || fail "fuzznone: the runner's first argument is not 'fuzz'"
arg_follows fuzznone --seed 1
arg_follows fuzznone --iterations 500
arg_follows fuzznone --out "$R/fuzz.findings"
arg_follows fuzznone --json "$R/fuzz.json"
[ "$(grep -x -A1 -- --impl "$FAKE_ARGS" | grep -v -x -- --impl | grep -v -x -- --)" = "ref=./ref shim
port=mono p.exe" ] || fail "fuzznone: implementations not passed in order"
no_arg fuzznone --seconds
no_arg fuzznone --random
[ ! -e "$R/fuzz.findings" ] || fail "fuzznone: the last run's findings are still there"
has fuzznone "run:       seed 1, 500 iterations, ref (reference) against port"
has fuzznone "findings:  none"
lacks fuzznone "replay:"

FAKE_EXIT=1 FAKE_REPORT=fuzz FAKE_FINDINGS=1 gate fuzz 1 fuzz --runner "$fake" --impl ref="./ref shim" \
  --impl port="mono p.exe" --seed 7 --iterations 20 --crc smbus --vectors "$tmp/vec dir" --report-dir "$R"
arg_follows fuzz --seed 7
arg_follows fuzz --iterations 20
arg_follows fuzz --crc smbus
has fuzz "result:    REGRESSION (exit 1)"
has fuzz "cases:     pass 0, fail 2, info 0, unsupported 0, expected_fail 0"
has fuzz "run:       seed 7, 500 iterations, ref (reference) against port"
has fuzz "findings:  2 (decode 1, stream 1)"
has fuzz "  cf-fuzz-7-1  decode, iteration 12"
has fuzz "      ref (reference) answers a valid frame; port answers error crc_mismatch | odd second line"
has fuzz "      bytes: 0000f2ba0000"
has fuzz "  cs-fuzz-7-2  stream, iteration 40 (not written"
has fuzz "bytes: 0000000000000000000000000000000000000000000000000000000000000000… (37 bytes)"
has fuzz "files:     $R/fuzz.findings/fuzz-7/core-frame.json"
has fuzz "replay:    $fake --vectors $R/fuzz.findings/fuzz-7 --shim 'mono p.exe'"
lacks fuzz "replay:.*ref shim"
has fuzz "keep:      commit $R/fuzz.findings/fuzz-7 as regression vectors"
has fuzz "reproduce: $fake fuzz --impl 'ref=./ref shim' --impl 'port=mono p.exe' --vectors '$tmp/vec dir' --crc smbus --seed 7 --iterations 20 --out $R/fuzz.findings"
has fuzz "reports:   $R/fuzz.json $R/fuzz.junit.xml $R/fuzz.log $R/fuzz.findings/"
lacks fuzz "decoy"
md=$R/fuzz.summary.md
# shellcheck disable=SC2016 # Markdown backquotes
grep -qF '| `cf-fuzz-7-1` | decode | 12 | ref (reference) answers a valid frame; port answers error crc_mismatch \| odd second line | `0000f2ba0000` |' "$md" ||
  fail "fuzz: Markdown findings table"
grep -qF "Replay on port: \`$fake --vectors $R/fuzz.findings/fuzz-7 --shim 'mono p.exe'\`" "$md" || fail "fuzz: Markdown replay line"
grep -qF -- "--seed 7 --iterations 20" "$md" || fail "fuzz: Markdown reproduce command"

# Three implementations: the majority decides, so every one is replayed; a
# shim server is replayed with --shim-connect.
FAKE_EXIT=1 FAKE_REPORT=fuzz3 gate fuzz3 1 fuzz --runner "$fake" --impl a=x --impl b=y --impl c=tcp://127.0.0.1:4775 --report-dir "$R"
has fuzz3 "run:       seed 7, 500 iterations, majority of a b c"
has fuzz3 "replay:    $fake --vectors $R/fuzz.findings/fuzz-7 --shim x"
has fuzz3 "replay:    $fake --vectors $R/fuzz.findings/fuzz-7 --shim-connect tcp://127.0.0.1:4775"

# Time-bounded: no default iteration count; environment defaults.
FAKE_EXIT=0 FAKE_REPORT=fuzz-none gate fuzzsec 0 fuzz --runner "$fake" --impl a=x --impl b=y --seconds 30 --report-dir "$R"
arg_follows fuzzsec --seconds 30
no_arg fuzzsec --iterations
TAMTAM_SEED=3 TAMTAM_FUZZ_ITERATIONS=50 FAKE_EXIT=0 FAKE_REPORT=fuzz-none gate fuzzenv 0 fuzz --runner "$fake" --impl a=x --impl b=y --report-dir "$R"
arg_follows fuzzenv --seed 3
arg_follows fuzzenv --iterations 50
TAMTAM_SEED=3 FAKE_EXIT=0 FAKE_REPORT=fuzz-none gate fuzzenvflag 0 fuzz --runner "$fake" --impl a=x --impl b=y --seed 4 --name f2 --report-dir "$R"
arg_follows fuzzenvflag --seed 4
arg_follows fuzzenvflag --out "$R/f2.findings"

# ---- all -------------------------------------------------------------------------
rm -f "$FAKE_ARGS".*
FAKE_conformance="0 pass" FAKE_interop="1 interop" FAKE_fuzz="0 fuzz-none" gate all 1 all --runner "$fake" \
  --shim "my shim" --known-failures "$tmp/known.txt" --case 'cf-*' --impl ref=r --impl mine="my shim" \
  --crc smbus --seed 2 --report-dir "$R" -- -v
for k in conformance interop fuzz; do
  [ -e "$FAKE_ARGS.$k" ] || fail "all: step $k did not run"
  grep -qx -- -v "$FAKE_ARGS.$k" || fail "all: pass-through -v not given to $k"
  arg_follows all --crc smbus "$FAKE_ARGS.$k"
done
arg_follows all --shim "my shim" "$FAKE_ARGS.conformance"
arg_follows all --known-failures "$tmp/known.txt" "$FAKE_ARGS.conformance"
arg_follows all --case 'cf-*' "$FAKE_ARGS.conformance"
no_arg all --impl "$FAKE_ARGS.conformance"
no_arg all --known-failures "$FAKE_ARGS.interop"
no_arg all --case "$FAKE_ARGS.fuzz"
arg_follows all --impl "ref=r" "$FAKE_ARGS.interop"
arg_follows all --seed 2 "$FAKE_ARGS.interop"
arg_follows all --seed 2 "$FAKE_ARGS.fuzz"
arg_follows all --iterations 500 "$FAKE_ARGS.fuzz"
sed -n '/^-- gate summary: all --$/,$p' "$tmp/all.out" >"$tmp/all.tail"
printf '%s\n' "-- gate summary: all --" "  conformance  PASS (exit 0)" "  interop      REGRESSION (exit 1)" \
  "  fuzz         PASS (exit 0)" "result:    REGRESSION (exit 1)" "summaries: $R/*.summary.md" >"$tmp/all.want"
diff "$tmp/all.want" "$tmp/all.tail" >/dev/null || { fail "all: overall summary differs"; diff "$tmp/all.want" "$tmp/all.tail"; }
[ "$(grep -c '^-- gate summary: ' "$tmp/all.out")" -eq 4 ] || fail "all: not one summary per step and one overall"
grep -qF '| interop | REGRESSION |' "$R/all.summary.md" || fail "all: Markdown overview"
# The worst status wins: a broken harness (2) over a regression (1).
FAKE_conformance="1 fail" FAKE_interop="2 none" FAKE_fuzz="0 fuzz-none" gate allworst 2 all --runner "$fake" \
  --shim s --impl a=x --impl b=y --report-dir "$R"
has allworst "  interop      HARNESS BROKEN (exit 2)"
has allworst "result:    HARNESS BROKEN (exit 2)"
# --steps (flag or environment): only those, in the fixed order.
rm -f "$FAKE_ARGS".*
FAKE_EXIT=0 FAKE_REPORT=fuzz-none gate allsteps 0 all --runner "$fake" --steps fuzz,interop --impl a=x --impl b=y --report-dir "$R"
[ ! -e "$FAKE_ARGS.conformance" ] || fail "allsteps: conformance ran though not chosen"
[ -e "$FAKE_ARGS.interop" ] || fail "allsteps: interop did not run"
[ -e "$FAKE_ARGS.fuzz" ] || fail "allsteps: fuzz did not run"
[ "$(sed -n '/^-- gate summary: all --$/,$s/^  \([a-z]*\) .*/\1/p' "$tmp/allsteps.out" | tr '\n' ,)" = "interop,fuzz," ] ||
  fail "allsteps: steps not run in order interop, fuzz"
rm -f "$FAKE_ARGS".*
TAMTAM_STEPS=conformance FAKE_EXIT=0 FAKE_REPORT=pass gate allenv 0 all --runner "$fake" --shim s --report-dir "$R"
[ -e "$FAKE_ARGS.conformance" ] || fail "allenv: conformance did not run"
[ ! -e "$FAKE_ARGS.interop" ] || fail "allenv: interop ran though TAMTAM_STEPS=conformance"
# Dry run: one command per step.
rm -f "$FAKE_ARGS".*
TAMTAM_GATE_DRY_RUN=1 gate alldry 0 all --runner "$fake" --shim "a b" --impl ref=r --impl mine="a b" --report-dir "$R"
[ "$(grep -c "^$fake" "$tmp/alldry.out")" -eq 3 ] || fail "alldry: not three commands"
has alldry "^$fake fuzz --impl ref=r --impl 'mine=a b' --seed 1 --iterations 500 --out $R/fuzz.findings --json $R/fuzz.json --junit $R/fuzz.junit.xml\$"
[ ! -e "$FAKE_ARGS.conformance" ] || fail "alldry: the runner ran"

# ---- option errors of the new commands ---------------------------------------------
gate oneimpl 2 interop --runner "$fake" --impl a=x
has oneimpl "two or more --impl"
gate noimplfuzz 2 fuzz --runner "$fake"
has noimplfuzz "two or more --impl"
gate implnoeq 2 interop --impl ab --impl c=d
has implnoeq "NAME=CMD"
gate implbadname 2 interop --impl "a b=x" --impl c=d
has implbadname "letters, digits"
gate implnoname 2 fuzz --impl =x --impl c=d
gate implempty 2 interop --impl a= --impl c=d
has implempty "no command"
gate impllong 2 interop --impl "$(printf '%033d' 0)=x" --impl c=d
gate impldup 2 interop --impl a=x --impl a=y
has impldup "two implementations are named 'a'"
gate shiminterop 2 interop --shim x --impl a=x --impl b=y
has shiminterop "is not an option of interop"
gate implconf 2 conformance --shim x --impl a=x
has implconf "is not an option of conformance"
gate randomfuzz 2 fuzz --impl a=x --impl b=y --random 3
gate iterinterop 2 interop --impl a=x --impl b=y --iterations 3
gate stepsconf 2 conformance --shim x --steps fuzz
gate nameall 2 all --shim x --impl a=x --impl b=y --name n
gate badseed 2 fuzz --impl a=x --impl b=y --seed -1
gate baditer 2 fuzz --impl a=x --impl b=y --iterations many
has baditer "--iterations must be a whole number"
gate badsecs 2 fuzz --impl a=x --impl b=y --seconds 1.5
gate badsteps 2 all --shim x --steps conformance,lint
has badsteps "unknown step 'lint'"
gate allnoimpl 2 all --runner "$fake" --shim x
has allnoimpl "two or more --impl"
gate allnoshim 2 all --runner "$fake" --impl a=x --impl b=y
has allnoshim "nothing to test"
TAMTAM_GATE_DRY_RUN=1 gate allconfonly 0 all --runner "$fake" --steps conformance --shim x --impl "mine="

[ "$failed" -eq 0 ] && echo "gate_logic_test: all passed"
exit "$failed"
