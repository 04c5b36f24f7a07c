#!/bin/sh
# gate.sh: gate a TamTam implementation in CI with the suite's tamtam-run.
# One portable POSIX sh script; the GitHub and GitLab templates call it, and so
# does this suite's own CI on its C# port, so the templates run tested code.
#
#   gate.sh conformance [OPTIONS] [-- TAMTAM_RUN_ARGS...]   one implementation, the vector suites
#   gate.sh interop     [OPTIONS] [-- TAMTAM_RUN_ARGS...]   encoder x decoder matrix of 2+ implementations
#   gate.sh fuzz        [OPTIONS] [-- TAMTAM_RUN_ARGS...]   differential fuzzing of 2+ implementations
#   gate.sh all         [OPTIONS] [-- TAMTAM_RUN_ARGS...]   the three (or --steps), one verdict
#
# Each step runs tamtam-run with --json and --junit into the report directory,
# shows its output, then prints a short summary of the JSON report, which
# "tamtam-run report" reads (and writes it as Markdown for job summaries). Exit status is tamtam-run's: 0 no
# unexpected result, 1 regression (a failing case or cell, a finding), 2 the
# harness could not run; a misconfigured gate or a runner that dies or writes
# no report is also 2. "all" exits with the worst status of its steps.
set -u
# Lists are one item a line (--case globs, --impl commands hold spaces), so
# unquoted expansions split at newlines only, and never glob.
IFS='
'
set -f

prog=gate.sh

usage() {
  cat <<'USAGE'
usage: gate.sh conformance [OPTIONS] [-- TAMTAM_RUN_ARGS...]
       gate.sh interop --impl NAME=CMD --impl NAME=CMD... [OPTIONS] [-- TAMTAM_RUN_ARGS...]
       gate.sh fuzz    --impl NAME=CMD --impl NAME=CMD... [OPTIONS] [-- TAMTAM_RUN_ARGS...]
       gate.sh all     [--steps LIST] [OPTIONS of the three] [-- TAMTAM_RUN_ARGS...]
       gate.sh help

conformance: one implementation under test (at least one of):
  --shim CMD            codec shim started by the runner, e.g. "mono MyShim.exe"  [TAMTAM_SHIM]
  --shim-connect URL    codec shim already listening, tcp://HOST:PORT             [TAMTAM_SHIM_CONNECT]
  --node URL            echo node for the wire suite, tcp:// udp:// unix://       [TAMTAM_NODE]
  --known-failures FILE expected failures, one case id or glob per line           [TAMTAM_KNOWN_FAILURES]
  --case GLOB           run only matching cases (repeatable)

interop, fuzz: two or more codec shims, compared with each other:
  --impl NAME=CMD       an implementation (repeatable, in order; fuzz takes the first
                        as the reference). NAME: 1-32 letters, digits, - or _;
                        CMD: a shim command, or tcp://HOST:PORT of a shim server
  --seed S              seed of the random frames and mutations (default 1)       [TAMTAM_SEED]
  --random N            interop: random frames besides the vectors (runner's default 500)
                                                                                  [TAMTAM_INTEROP_RANDOM]
  --iterations N        fuzz: iterations (default 500, or none with --seconds)   [TAMTAM_FUZZ_ITERATIONS]
  --seconds N           fuzz: stop after N seconds (not reproducible by itself)  [TAMTAM_FUZZ_SECONDS]

all:
  --steps LIST          which of conformance, interop, fuzz to run, comma- or
                        space-separated (default all three)                       [TAMTAM_STEPS]

Every command:
  --runner PATH         tamtam-run to use                                         [TAMTAM_RUN]
  --suite DIR           suite build or install dir (DIR/bin/tamtam-run)           [TAMTAM_SUITE]
                        (neither: tamtam-run from PATH)
  --vectors DIR         vector set (default: the runner's own)                    [TAMTAM_VECTORS]
  --crc NAME            CRC-8 variant, e.g. CRC-8/SMBUS                           [TAMTAM_CRC]
  --timeout-ms N        per-case / per-request timeout                            [TAMTAM_TIMEOUT_MS]
  --report-dir DIR      where reports go (default tamtam-report)                  [TAMTAM_REPORT_DIR]
  --name NAME           report base name (default: the command; not for "all")
                        DIR/NAME.json, NAME.junit.xml, NAME.log, NAME.summary.md;
                        conformance: NAME.failing.txt (every failing case id);
                        fuzz: NAME.findings/ (the findings as vector files)

Arguments after "--" go to tamtam-run unchanged (e.g. -- -v); with "all", to
every step. Environment TAMTAM_GATE_DRY_RUN=1: check the options, print the
tamtam-run commands, run nothing.
Exit: 0 pass, 1 regression, 2 harness or gate broken.
USAGE
}

die() {
  echo "$prog: $1" >&2
  exit 2
}

# Shell-quotes one word for display, when it needs it.
quote() {
  case $1 in
    ''|*[!A-Za-z0-9_./:=@%+,-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
    *) printf '%s' "$1" ;;
  esac
}

# Quotes every argument and joins them with spaces.
quote_all() {
  line=
  for a in "$@"; do line="$line $(quote "$a")"; done
  printf '%s\n' "${line# }"
}

need_value() {
  [ "$2" -ge 2 ] || die "$1 needs a value (see: gate.sh help)"
}

need_number() {
  case $2 in
    ''|*[!0-9]*) [ -z "$2" ] || die "$1 must be a whole number (got '$2')" ;;
  esac
}

# The option belongs to one of the commands listed: else an error naming them.
for_commands() {
  opt=$1
  shift
  for c in "$@"; do [ "$c" = "$command" ] && return 0; done
  die "$opt is not an option of $command (only of: $(echo "$@" | sed 's/ /, /g'); see: gate.sh help)"
}

# ---- options: one parser for every command -------------------------------------

parse_options() {
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
  opt_seed=${TAMTAM_SEED:-}
  opt_random=${TAMTAM_INTEROP_RANDOM:-}
  opt_iterations=${TAMTAM_FUZZ_ITERATIONS:-}
  opt_seconds=${TAMTAM_FUZZ_SECONDS:-}
  opt_steps=${TAMTAM_STEPS:-}
  opt_name=
  opt_cases=
  opt_impls=
  impl_empty=
  nimpls=0
  npass=0
  while [ $# -gt 0 ]; do
    case $1 in
      --shim) for_commands "$1" conformance all; need_value "$1" $#; opt_shim=$2; shift ;;
      --shim-connect) for_commands "$1" conformance all; need_value "$1" $#; opt_shim_connect=$2; shift ;;
      --node) for_commands "$1" conformance all; need_value "$1" $#; opt_node=$2; shift ;;
      --known-failures) for_commands "$1" conformance all; need_value "$1" $#; opt_known=$2; shift ;;
      --case) for_commands "$1" conformance all; need_value "$1" $#; opt_cases="$opt_cases
$2"; shift ;;
      --impl) for_commands "$1" interop fuzz all; need_value "$1" $#; add_impl "$2"; shift ;;
      --seed) for_commands "$1" interop fuzz all; need_value "$1" $#; opt_seed=$2; shift ;;
      --random) for_commands "$1" interop all; need_value "$1" $#; opt_random=$2; shift ;;
      --iterations) for_commands "$1" fuzz all; need_value "$1" $#; opt_iterations=$2; shift ;;
      --seconds) for_commands "$1" fuzz all; need_value "$1" $#; opt_seconds=$2; shift ;;
      --steps) for_commands "$1" all; need_value "$1" $#; opt_steps=$2; shift ;;
      --name) for_commands "$1" conformance interop fuzz; need_value "$1" $#; opt_name=$2; shift ;;
      --runner) need_value "$1" $#; opt_runner=$2; shift ;;
      --suite) need_value "$1" $#; opt_suite=$2; shift ;;
      --vectors) need_value "$1" $#; opt_vectors=$2; shift ;;
      --crc) need_value "$1" $#; opt_crc=$2; shift ;;
      --timeout-ms) need_value "$1" $#; opt_timeout=$2; shift ;;
      --report-dir) need_value "$1" $#; opt_report_dir=$2; shift ;;
      -h|--help) usage; exit 0 ;;
      # The rest goes to tamtam-run: the caller keeps the last $npass arguments.
      --) shift; npass=$#; break ;;
      *) die "unknown option '$1' for $command (see: gate.sh help)" ;;
    esac
    shift
  done
  # gate.sh keeps no clock of its own: --timeout-ms goes to tamtam-run
  # unchanged, and without it tamtam-run's own defaults apply.
  need_number --timeout-ms "$opt_timeout"
  need_number --seed "$opt_seed"
  need_number --random "$opt_random"
  need_number --iterations "$opt_iterations"
  need_number --seconds "$opt_seconds"
  case $opt_name in
    */*) die "--name must be a plain file name" ;;
  esac
  [ -n "$opt_report_dir" ] || die "--report-dir must not be empty"
  # Deterministic by default: CI runs the same inputs every time.
  [ -n "$opt_seed" ] || opt_seed=1
  [ -n "$opt_iterations" ] || [ -n "$opt_seconds" ] || opt_iterations=500
}

# add_impl NAME=CMD: checked here so that a template's typo fails the dry run.
add_impl() {
  name=${1%%=*}
  cmd=${1#*=}
  case $1 in
    *=*) ;;
    *) die "--impl takes NAME=CMD (got '$1')" ;;
  esac
  case $name in
    ''|*[!A-Za-z0-9_-]*) die "--impl: NAME must be 1-32 letters, digits, '-' or '_' (got '$name')" ;;
  esac
  [ ${#name} -le 32 ] || die "--impl: NAME must be at most 32 characters (got '$name')"
  case $1 in
    *'
'*) die "--impl $name: the command must be one line" ;;
  esac
  # An empty command (an unset variable in a CI file) matters only when
  # interop or fuzz runs: "all --steps conformance" may leave it empty.
  if [ -z "$cmd" ]; then
    impl_empty=$name
    return
  fi
  case "
$opt_impls" in
    *"
$name="*) die "--impl: two implementations are named '$name'" ;;
  esac
  opt_impls="$opt_impls
$1"
  nimpls=$((nimpls + 1))
}

# The implementations, NAME=CMD one a line, in the order given.
impl_lines() {
  printf '%s\n' "$opt_impls" | sed '/^$/d'
}

# Checks what a step needs before anything runs.
check_conformance() {
  [ -n "$opt_shim$opt_shim_connect$opt_node" ] ||
    die "nothing to test: give --shim CMD, --shim-connect URL or --node URL"
  if [ -n "$opt_known" ] && [ -z "$dry_run" ] && [ ! -r "$opt_known" ]; then
    die "known-failures file $opt_known is not readable"
  fi
}

check_multi() {
  [ -z "$impl_empty" ] ||
    die "--impl $impl_empty= has no command (an empty variable in the CI file?)"
  [ "$nimpls" -ge 2 ] ||
    die "$1 compares implementations: give two or more --impl NAME=CMD (got $nimpls)"
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

# run_step KIND NAME TAMTAM_RUN_ARGS...: runs tamtam-run with reports into
# $opt_report_dir/NAME.*, prints the summary, returns the gate's exit status.
# KIND (conformance, interop, fuzz) chooses the summary.
run_step() {
  kind=$1 step=$2
  shift 2
  json=$opt_report_dir/$step.json
  junit=$opt_report_dir/$step.junit.xml
  log=$opt_report_dir/$step.log
  md=$opt_report_dir/$step.summary.md
  failing=$opt_report_dir/$step.failing.txt
  findings=$opt_report_dir/$step.findings

  if [ -n "$dry_run" ]; then
    quote_all "$runner" "$@" --json "$json" --junit "$junit"
    return 0
  fi

  mkdir -p "$opt_report_dir" || die "cannot create report directory $opt_report_dir"
  # The last run's reports must not pass for this run's (fuzz writes findings
  # only when it has some).
  rm -f "$json" "$junit" "$log" "$md" "$failing"
  [ "$kind" != fuzz ] || rm -rf "$findings"
  echo "== TamTam gate: $step =="
  # tee keeps the runner's output visible in the CI log and saves it; the
  # status travels through a file because sh has no pipefail.
  rcfile=$opt_report_dir/.$step.rc
  { "$runner" "$@" --json "$json" --junit "$junit" 2>&1; echo $? >"$rcfile"; } | tee "$log"
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
  summarize "$kind" "$step" "$rc" "$why" "$@"
  return "$rc"
}

# ---- summaries -----------------------------------------------------------------

verdict_of() {
  case $1 in
    0) echo "PASS" ;;
    1) echo "REGRESSION" ;;
    *) echo "HARNESS BROKEN" ;;
  esac
}

# summarize KIND STEP RC WHY TAMTAM_RUN_ARGS...: the terminal summary, and the
# same in Markdown in $md. The JSON report is read by tamtam-run itself
# ("tamtam-run report", spec/harness.md 8.10): no JSON reader here. A report
# it cannot read makes the step HARNESS BROKEN.
summarize() {
  kind=$1 step=$2 rc=$3 why=$4
  shift 4
  text='' mdtext=''
  if [ -s "$json" ]; then
    err=$opt_report_dir/.$step.err
    if ! text=$("$runner" report "$json" 2>"$err") ||
      ! mdtext=$("$runner" report --format markdown "$json" 2>"$err"); then
      why="tamtam-run could not read its report: $(head -n 1 "$err")"
      rc=2 text='' mdtext=''
    fi
    rm -f "$err"
  fi
  verdict=$(verdict_of "$rc")

  echo
  echo "-- gate summary: $step --"
  echo "result:    $verdict (exit $rc)"
  [ -n "$why" ] && echo "reason:    $why"
  {
    echo "### TamTam gate: $step: $verdict"
    echo
    [ -n "$why" ] && echo "$why" && echo
  } >"$md"

  if [ -n "$text" ]; then
    case $kind in
      conformance) summarize_conformance "$rc" ;;
      interop) summarize_interop "$@" ;;
      fuzz) summarize_fuzz "$@" ;;
    esac
  fi

  written=
  for f in "$json" "$junit" "$log" "$failing"; do
    [ ! -s "$f" ] || written="$written $f"
  done
  [ ! -d "$findings" ] || written="$written $findings/"
  echo "reports:  ${written:- none}"
  for f in "$json" "$junit" "$log"; do
    # shellcheck disable=SC2016 # the backquotes are Markdown
    [ ! -s "$f" ] || printf 'Report: `%s`\n' "$(basename "$f")"
  done >>"$md"
}

# The counts: the report summary's first line (and paragraph in Markdown).
show_counts() {
  printf '%s\n' "$text" | sed -n 1p
  printf '%s\n\n' "$(printf '%s\n' "$mdtext" | sed -n 1p)" >>"$md"
}

summarize_conformance() {
  show_counts
  fails=$("$runner" report --failing "$json")
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
    echo "failing:"
    echo "$shown" | sed 's/^/  /'
    [ -z "$more" ] || echo "  $more"
    echo "reproduce: add --case 'ID' (and -- -v for the bytes) to this gate.sh call"
    {
      echo "| Failing case |"
      echo "|---|"
      # shellcheck disable=SC2016 # the backquotes are Markdown
      echo "$shown" | sed 's/^\(.*\)$/| `\1` |/'
      [ -z "$more" ] || echo "| $more |"
      echo
    } >>"$md"
  elif [ "$1" -eq 1 ]; then
    echo "note:      no failing case: a known failure now passes; the runner's output above names the lines to remove"
  fi
}

# The counts, the matrix per op (encoder rows by decoder columns,
# passed/total frames) and each failing cell with its first failing frame,
# as tamtam-run report prints them.
summarize_interop() {
  printf '%s\n' "$text"
  printf '%s\n' "$mdtext" >>"$md"
  show_reproduce "$@"
}

# The counts, the run (seed, iterations, who decides), the findings with
# what differed and their bytes, and the vector files written, as tamtam-run
# report prints them; then how to replay the files and how to rerun.
summarize_fuzz() {
  printf '%s\n' "$text"
  printf '%s\n' "$mdtext" >>"$md"
  # Replay the findings (a vector set) on each implementation that disagreed
  # with the reference; with three or more, where any may be the odd one out,
  # on every one.
  set_dir=$(printf '%s\n' "$text" | sed -n 's/^files:     //p' | head -n 1 | sed 's|/[^/]*$||')
  if [ -n "$set_dir" ]; then
    i=0
    impl_lines | while IFS= read -r impl; do
      i=$((i + 1))
      [ "$i" -gt 1 ] || [ "$nimpls" -ge 3 ] || continue
      cmd=${impl#*=}
      case $cmd in
        tcp://*|unix://*) how=--shim-connect ;;
        *) how=--shim ;;
      esac
      r=$(quote_all "$runner" --vectors "$set_dir" "$how" "$cmd")
      echo "replay:    $r"
      # shellcheck disable=SC2016 # the backquotes are Markdown
      printf 'Replay on %s: `%s`\n\n' "${impl%%=*}" "$r" >>"$md"
    done
    echo "keep:      commit $set_dir as regression vectors once the disagreement is settled"
  fi
  show_reproduce "$@"
}

# show_reproduce TAMTAM_RUN_ARGS...: the runner command that repeats the step.
show_reproduce() {
  echo "reproduce: $(quote_all "$runner" "$@")"
  {
    echo "Reproduce:"
    echo
    echo '```sh'
    quote_all "$runner" "$@"
    echo '```'
    echo
  } >>"$md"
}

# ---- the commands ----------------------------------------------------------------
# Each builds tamtam-run's arguments back to front in front of the pass-through
# arguments ("$@").

cmd_conformance() {
  name=${opt_name:-conformance}
  for c in $opt_cases; do set -- --case "$c" "$@"; done
  [ -z "$opt_timeout" ] || set -- --timeout-ms "$opt_timeout" "$@"
  [ -z "$opt_known" ] || set -- --known-failures "$opt_known" "$@"
  [ -z "$opt_crc" ] || set -- --crc "$opt_crc" "$@"
  [ -z "$opt_vectors" ] || set -- --vectors "$opt_vectors" "$@"
  [ -z "$opt_node" ] || set -- --node "$opt_node" "$@"
  [ -z "$opt_shim_connect" ] || set -- --shim-connect "$opt_shim_connect" "$@"
  [ -z "$opt_shim" ] || set -- --shim "$opt_shim" "$@"
  run_step conformance "$name" "$@"
}

# interop and fuzz: their own options, the shared ones, then the
# implementations in the order given (fuzz takes the first as its reference).
cmd_multi() {
  kind=$1
  shift
  if [ "$kind" = fuzz ]; then
    name=${opt_name:-fuzz}
    set -- --out "$opt_report_dir/$name.findings" "$@"
    [ -z "$opt_seconds" ] || set -- --seconds "$opt_seconds" "$@"
    [ -z "$opt_iterations" ] || set -- --iterations "$opt_iterations" "$@"
  else
    name=${opt_name:-interop}
    [ -z "$opt_random" ] || set -- --random "$opt_random" "$@"
  fi
  set -- --seed "$opt_seed" "$@"
  [ -z "$opt_timeout" ] || set -- --timeout-ms "$opt_timeout" "$@"
  [ -z "$opt_crc" ] || set -- --crc "$opt_crc" "$@"
  [ -z "$opt_vectors" ] || set -- --vectors "$opt_vectors" "$@"
  for i in $(impl_lines | awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }'); do
    set -- --impl "$i" "$@"
  done
  run_step "$kind" "$name" "$kind" "$@"
}

cmd_interop() { cmd_multi interop "$@"; }
cmd_fuzz() { cmd_multi fuzz "$@"; }

# all: every chosen step, the same options, one verdict (the worst status).
cmd_all() {
  results=
  worst=0
  for s in conformance interop fuzz; do
    case " $steps " in
      *" $s "*) ;;
      *) continue ;;
    esac
    [ -z "$results" ] || [ -n "$dry_run" ] || echo
    "cmd_$s" "$@"
    rc=$?
    results="$results
$s:$rc"
    [ "$rc" -le "$worst" ] || worst=$rc
  done
  [ -z "$dry_run" ] || return 0
  md=$opt_report_dir/all.summary.md
  echo
  echo "-- gate summary: all --"
  {
    echo "### TamTam gate: all"
    echo
    echo "| Step | Result |"
    echo "|---|---|"
  } >"$md"
  for r in $results; do
    v=$(verdict_of "${r#*:}")
    printf '  %-12s %s (exit %s)\n' "${r%%:*}" "$v" "${r#*:}"
    echo "| ${r%%:*} | $v |" >>"$md"
  done
  echo "result:    $(verdict_of "$worst") (exit $worst)"
  echo "summaries: $opt_report_dir/*.summary.md"
  return "$worst"
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
  conformance|interop|fuzz|all) ;;
  help|-h|--help) usage; exit 0 ;;
  *) die "unknown command '$command' (commands: conformance, interop, fuzz, all, help)" ;;
esac

parse_options "$@"
# Keep only what followed "--".
shift $(($# - npass))

case $command in
  conformance) check_conformance ;;
  interop|fuzz) check_multi "$command" ;;
  all)
    steps=
    for s in $(echo "${opt_steps:-conformance interop fuzz}" | tr ',' ' ' | tr ' ' '\n' | sed '/^$/d'); do
      case $s in
        conformance|interop|fuzz) steps="$steps $s" ;;
        *) die "--steps: unknown step '$s' (steps: conformance, interop, fuzz)" ;;
      esac
    done
    [ -n "$steps" ] || die "--steps names no step"
    case " $steps " in *" conformance "*) check_conformance ;; esac
    case " $steps " in *" interop "*|*" fuzz "*) check_multi "interop and fuzz" ;; esac
    ;;
esac
find_runner

"cmd_$command" "$@"
