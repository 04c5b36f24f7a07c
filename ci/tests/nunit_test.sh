#!/bin/sh
# Runs an NUnit test assembly with the NUnit 2.6 console runner (Debian's
# nunit-console) for ctest, and turns its result into an exit status: 0 only
# when tests ran and every one passed (none failed, errored, was not runnable,
# ignored, skipped or inconclusive). Everything the runner and Mono write
# stays in WORK_DIR: the result XML (WORK_DIR/TestResult.xml), and HOME, TMPDIR
# and the Mono registry (Mono's ~/.mono/registry) point into it; no shadow
# copies. Extra arguments go to nunit-console (e.g. -run=NAME).
# usage: nunit_test.sh WORK_DIR NUNIT_CONSOLE ASSEMBLY [NUNIT_OPTION...]
set -u
[ $# -ge 3 ] || { echo "usage: nunit_test.sh WORK_DIR NUNIT_CONSOLE ASSEMBLY [NUNIT_OPTION...]" >&2; exit 2; }
work=$1 console=$2 assembly=$3
shift 3
[ -f "$assembly" ] || { echo "nunit_test.sh: no test assembly $assembly" >&2; exit 2; }

mkdir -p "$work/home" "$work/tmp" || exit 2
work=$(cd "$work" && pwd) || exit 2
result=$work/TestResult.xml
rm -f "$result"
# -result is taken relative to -work.
HOME=$work/home TMPDIR=$work/tmp MONO_REGISTRY_PATH=$work/home/registry \
  "$console" -nologo -noshadow -work="$work" -result=TestResult.xml "$assembly" "$@"
rc=$?

[ -s "$result" ] || { echo "FAIL: nunit-console (exit $rc) wrote no $result" >&2; exit 1; }
# The counts of the root element, <test-results total="157" errors="0" ...>.
head=$(grep -m 1 '<test-results ' "$result")
count() {
  printf '%s\n' "$head" | sed -n "s/.* $1=\"\\([0-9]*\\)\".*/\\1/p"
}
total=$(count total)
[ -n "$total" ] || { echo "FAIL: no test count in $result" >&2; exit 1; }
status=0
[ "$rc" -eq 0 ] || { echo "FAIL: nunit-console exited $rc"; status=1; }
[ "$total" -gt 0 ] || { echo "FAIL: no test ran"; status=1; }
for what in errors failures not-run inconclusive ignored skipped invalid; do
  n=$(count "$what")
  [ "${n:-0}" -eq 0 ] || { echo "FAIL: $what=$n"; status=1; }
done
[ "$status" -eq 0 ] && echo "nunit: $total tests passed ($result)"
exit "$status"
