#!/bin/sh
# gate.sh: gate a TamTam implementation in CI with the suite's tamtam-run.
# One portable POSIX sh script; the GitHub and GitLab templates call it, and so
# does this suite's own CI on its C# port, so the templates run tested code.
#
#   gate.sh conformance [OPTIONS] [-- TAMTAM_RUN_ARGS...]
#
# Runs tamtam-run with --json and --junit into the report directory, shows its
# output, then prints a short summary (and writes it as Markdown for job
# summaries). Exit status is tamtam-run's: 0 no unexpected result, 1 regression
# (unexpected failure or unexpected pass), 2 the harness could not run; a
# misconfigured gate or a runner that dies or writes no report is also 2.
# Further steps (interop, fuzz) plug in as further commands beside
# "conformance", reusing the runner lookup, report layout and exit handling.
set -u

prog=gate.sh

usage() {
  cat <<'USAGE'
usage: gate.sh conformance [OPTIONS] [-- TAMTAM_RUN_ARGS...]
       gate.sh help

Implementation under test (at least one; each also read from the environment):
  --shim CMD            codec shim started by the runner, e.g. "mono MyShim.exe"  [TAMTAM_SHIM]
  --shim-connect URL    codec shim already listening, tcp://HOST:PORT             [TAMTAM_SHIM_CONNECT]
  --node URL            echo node for the wire suite, tcp:// udp:// unix://       [TAMTAM_NODE]

Suite:
  --runner PATH         tamtam-run to use                                         [TAMTAM_RUN]
  --suite DIR           suite build or install dir (DIR/bin/tamtam-run)           [TAMTAM_SUITE]
                        (neither: tamtam-run from PATH)
  --vectors DIR         vector set (default: the runner's own)                    [TAMTAM_VECTORS]
  --crc NAME            CRC-8 variant, e.g. CRC-8/SMBUS                           [TAMTAM_CRC]
  --known-failures FILE expected failures, one case id or glob per line           [TAMTAM_KNOWN_FAILURES]
  --timeout-ms N        per-case timeout                                          [TAMTAM_TIMEOUT_MS]
  --case GLOB           run only matching cases (repeatable)

Reports:
  --report-dir DIR      where reports go (default tamtam-report)                  [TAMTAM_REPORT_DIR]
  --name NAME           report base name (default: the command, "conformance")
                        DIR/NAME.json, NAME.junit.xml, NAME.log, NAME.summary.md,
                        NAME.failing.txt (every failing case id, when any)

Arguments after "--" go to tamtam-run unchanged (e.g. -- -v).
Environment TAMTAM_GATE_DRY_RUN=1: check the options, print the tamtam-run
command, run nothing.
Exit: 0 pass, 1 regression, 2 harness or gate broken.
USAGE
}

die() {
  echo "$prog: $*" >&2
  exit 2
}

# Shell-quotes one word for display.
quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

need_value() {
  [ "$2" -ge 2 ] || die "$1 needs a value (see: gate.sh help)"
}

# ---- shared by every command -----------------------------------------------

# Finds tamtam-run from --runner, --suite or PATH; sets $runner.
find_runner() {
  if [ -n "$opt_runner" ]; then
    runner=$opt_runner
  elif [ -n "$opt_suite" ]; then
    runner=
    for r in "$opt_suite/bin/tamtam-run" "$opt_suite/tamtam-run"; do
      if [ -x "$r" ]; then runner=$r; break; fi
    done
    [ -n "$runner" ] || [ -n "$dry_run" ] ||
      die "no tamtam-run in $opt_suite/bin or $opt_suite (is the suite built?)"
    [ -n "$runner" ] || runner=$opt_suite/bin/tamtam-run
  else
    runner=$(command -v tamtam-run 2>/dev/null) || runner=
    [ -n "$runner" ] || [ -n "$dry_run" ] ||
      die "tamtam-run not found: give --runner PATH or --suite DIR"
    [ -n "$runner" ] || runner=tamtam-run
  fi
  [ -n "$dry_run" ] || [ -x "$runner" ] || die "$runner is not an executable"
}

# run_step NAME TAMTAM_RUN_ARGS...: runs tamtam-run with reports into
# $opt_report_dir/NAME.*, prints the summary, returns the gate's exit status.
run_step() {
  step=$1
  shift
  json=$opt_report_dir/$step.json
  junit=$opt_report_dir/$step.junit.xml
  log=$opt_report_dir/$step.log
  md=$opt_report_dir/$step.summary.md
  failing=$opt_report_dir/$step.failing.txt
  set -- "$runner" "$@" --json "$json" --junit "$junit"

  if [ -n "$dry_run" ]; then
    line=
    for a in "$@"; do line="$line $(quote "$a")"; done
    echo "${line# }"
    return 0
  fi

  mkdir -p "$opt_report_dir" || die "cannot create report directory $opt_report_dir"
  rm -f "$json" "$junit" "$log" "$md" "$failing"
  echo "== TamTam gate: $step =="
  # tee keeps the runner's output visible in the CI log and saves it; the
  # status travels through a file because sh has no pipefail.
  rcfile=$opt_report_dir/.$step.rc
  { "$@" 2>&1; echo $? >"$rcfile"; } | tee "$log"
  rc=$(cat "$rcfile" 2>/dev/null) || rc=
  rm -f "$rcfile"

  why=
  case $rc in
    0|1|2) ;;
    126|127) why="tamtam-run could not be executed (status $rc)"; rc=2 ;;
    '') why="tamtam-run status lost"; rc=2 ;;
    *) why="tamtam-run died (status $rc)"; rc=2 ;;
  esac
  if [ "$rc" -ne 2 ] && { [ ! -s "$json" ] || [ ! -s "$junit" ]; }; then
    why="tamtam-run exited $rc but wrote no JSON/JUnit report"
    rc=2
  fi
  summarize "$step" "$rc" "$why"
  return "$rc"
}

# Counts and failing cases from the runner's JSON report, by the pinned key
# names ("summary": {"pass",...}; "cases": [{"id",...,"verdict"}]). The report
# files stay the authority; this only points at them.
json_count() {
  tr -d '\n\r' <"$json" | sed -n 's/.*"summary"[^}]*"'"$1"'"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p'
}

failing_cases() {
  tr -d '\n\r' <"$json" | awk '{
    s = $0
    while (match(s, /"(id|verdict)"[ \t]*:[ \t]*"([^"\\]|\\.)*"/)) {
      tok = substr(s, RSTART, RLENGTH)
      s = substr(s, RSTART + RLENGTH)
      key = tok; sub(/"[ \t]*:.*/, "", key); sub(/^"/, "", key)
      val = tok; sub(/^"[a-z]*"[ \t]*:[ \t]*"/, "", val); sub(/"$/, "", val)
      if (key == "id") id = val
      else if (toupper(val) == "FAIL" && id != "") { print id; id = "" }
    }
  }'
}

summarize() {
  step=$1 rc=$2 why=$3
  case $rc in
    0) verdict="PASS" ;;
    1) verdict="REGRESSION" ;;
    *) verdict="HARNESS BROKEN" ;;
  esac
  counts=
  fails=
  if [ -s "$json" ]; then
    for k in pass fail info unsupported expected_fail; do
      n=$(json_count "$k")
      [ -n "$n" ] && counts="$counts $k $n,"
    done
    counts=${counts%,}
    fails=$(failing_cases)
  fi
  # The summary shows the first failing cases; the file has them all.
  shown=$fails
  more=
  if [ -n "$fails" ]; then
    echo "$fails" >"$failing"
    total=$(wc -l <"$failing")
    if [ "$total" -gt "$max_listed" ]; then
      shown=$(head -n "$max_listed" "$failing")
      more="… and $((total - max_listed)) more, all in $failing"
    fi
  fi

  echo
  echo "-- gate summary: $step --"
  echo "result:    $verdict (exit $rc)"
  [ -n "$why" ] && echo "reason:    $why"
  [ -n "$counts" ] && echo "cases:    $counts"
  if [ -n "$fails" ]; then
    echo "failing:"
    echo "$shown" | sed 's/^/  /'
    [ -z "$more" ] || echo "  $more"
    echo "reproduce: add --case 'ID' (and -- -v for the bytes) to this gate.sh call"
  elif [ "$rc" -eq 1 ]; then
    echo "note:      no failing case: a known failure now passes; the runner's output above names the lines to remove"
  fi
  written=
  for f in "$json" "$junit" "$log" "$failing"; do
    [ ! -s "$f" ] || written="$written $f"
  done
  echo "reports:  ${written:- none}"

  {
    echo "### TamTam gate: $step: $verdict"
    echo
    [ -n "$why" ] && echo "$why" && echo
    [ -n "$counts" ] && echo "Cases:$counts" && echo
    if [ -n "$fails" ]; then
      echo "| Failing case |"
      echo "|---|"
      # shellcheck disable=SC2016 # the backquotes are Markdown
      echo "$shown" | sed 's/^\(.*\)$/| `\1` |/'
      [ -z "$more" ] || echo "| $more |"
      echo
    fi
    for f in "$json" "$junit" "$log"; do
      # shellcheck disable=SC2016 # the backquotes are Markdown
      [ ! -s "$f" ] || printf 'Report: `%s`\n' "$(basename "$f")"
    done
  } >"$md"
}

# ---- gate.sh conformance -----------------------------------------------------

cmd_conformance() {
  opt_shim=${TAMTAM_SHIM:-}
  opt_shim_connect=${TAMTAM_SHIM_CONNECT:-}
  opt_node=${TAMTAM_NODE:-}
  opt_runner=${TAMTAM_RUN:-}
  opt_suite=${TAMTAM_SUITE:-}
  opt_vectors=${TAMTAM_VECTORS:-}
  opt_crc=${TAMTAM_CRC:-}
  opt_known=${TAMTAM_KNOWN_FAILURES:-}
  opt_timeout=${TAMTAM_TIMEOUT_MS:-}
  opt_report_dir=${TAMTAM_REPORT_DIR:-tamtam-report}
  opt_name=conformance
  opt_cases=
  while [ $# -gt 0 ]; do
    case $1 in
      --shim) need_value "$1" $#; opt_shim=$2; shift ;;
      --shim-connect) need_value "$1" $#; opt_shim_connect=$2; shift ;;
      --node) need_value "$1" $#; opt_node=$2; shift ;;
      --runner) need_value "$1" $#; opt_runner=$2; shift ;;
      --suite) need_value "$1" $#; opt_suite=$2; shift ;;
      --vectors) need_value "$1" $#; opt_vectors=$2; shift ;;
      --crc) need_value "$1" $#; opt_crc=$2; shift ;;
      --known-failures) need_value "$1" $#; opt_known=$2; shift ;;
      --timeout-ms) need_value "$1" $#; opt_timeout=$2; shift ;;
      --case) need_value "$1" $#; opt_cases="$opt_cases
$2"; shift ;;
      --report-dir) need_value "$1" $#; opt_report_dir=$2; shift ;;
      --name) need_value "$1" $#; opt_name=$2; shift ;;
      -h|--help) usage; exit 0 ;;
      --) shift; break ;;
      *) die "unknown option '$1' for conformance (see: gate.sh help)" ;;
    esac
    shift
  done
  [ -n "$opt_shim$opt_shim_connect$opt_node" ] ||
    die "nothing to test: give --shim CMD, --shim-connect URL or --node URL"
  case $opt_name in
    ''|*/*) die "--name must be a plain file name" ;;
  esac
  case $opt_timeout in
    ''|*[!0-9]*) [ -z "$opt_timeout" ] || die "--timeout-ms must be a number of milliseconds" ;;
  esac
  if [ -n "$opt_known" ] && [ -z "$dry_run" ] && [ ! -r "$opt_known" ]; then
    die "known-failures file $opt_known is not readable"
  fi
  find_runner

  # Built back to front in front of the pass-through arguments ("$@").
  set -f
  old_ifs=$IFS
  IFS='
'
  for c in $opt_cases; do set -- --case "$c" "$@"; done
  IFS=$old_ifs
  set +f
  [ -z "$opt_timeout" ] || set -- --timeout-ms "$opt_timeout" "$@"
  [ -z "$opt_known" ] || set -- --known-failures "$opt_known" "$@"
  [ -z "$opt_crc" ] || set -- --crc "$opt_crc" "$@"
  [ -z "$opt_vectors" ] || set -- --vectors "$opt_vectors" "$@"
  [ -z "$opt_node" ] || set -- --node "$opt_node" "$@"
  [ -z "$opt_shim_connect" ] || set -- --shim-connect "$opt_shim_connect" "$@"
  [ -z "$opt_shim" ] || set -- --shim "$opt_shim" "$@"
  run_step "$opt_name" "$@"
}

# ---- main ----------------------------------------------------------------------

# Failing cases listed in the summary; NAME.failing.txt has every one.
max_listed=50

dry_run=
case ${TAMTAM_GATE_DRY_RUN:-} in
  ''|0) ;;
  *) dry_run=1 ;;
esac

[ $# -ge 1 ] || { usage >&2; exit 2; }
command=$1
shift
case $command in
  conformance) cmd_conformance "$@" ;;
  help|-h|--help) usage ;;
  *) die "unknown command '$command' (commands: conformance, help)" ;;
esac
