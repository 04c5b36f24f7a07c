#!/bin/sh
# Determinism checks for tamtam-run interop and fuzz.
#
#   same_output.sh report A B   two JSON reports equal line for line, but
#                               for the lines holding durations
#   same_output.sh tree A B     two directories equal file for file, byte
#                               for byte
#   same_output.sh cases GOLDEN REPORT
#                               the report's Core Frame cases (protocol
#                               tamtam-core/1, and the harness's own), as
#                               "id verdict requirements" lines in order,
#                               equal GOLDEN (fixtures/reference-run.txt:
#                               make run's cases before the protocol seams,
#                               issue 11; other protocols' cases, such as
#                               Splinter's, are not part of it)
set -u
[ $# -eq 3 ] || { echo "usage: $0 report|tree|cases A B" >&2; exit 2; }
case $1 in
  report)
    for f in "$2" "$3"; do
      [ -s "$f" ] || { echo "same_output: $f is missing or empty"; exit 1; }
    done
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/same_output.XXXXXX") || exit 2
    trap 'rm -rf "$tmp"' EXIT
    grep -v '"duration_ms"' "$2" >"$tmp/a"
    grep -v '"duration_ms"' "$3" >"$tmp/b"
    if ! cmp "$tmp/a" "$tmp/b"; then
      diff "$tmp/a" "$tmp/b" | head -20
      echo "same_output: FAILED: $2 and $3 differ"
      exit 1
    fi
    ;;
  cases)
    [ -s "$3" ] || { echo "same_output: $3 is missing or empty"; exit 1; }
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/same_output.XXXXXX") || exit 2
    trap 'rm -rf "$tmp"' EXIT
    jq -r '.cases[] | select(.protocol == null or .protocol == "tamtam-core/1")
           | "\(.id) \(.verdict) \(.requirements|join(","))"' "$3" >"$tmp/got" || exit 1
    if ! cmp -s "$2" "$tmp/got"; then
      diff "$2" "$tmp/got" | head -20
      echo "same_output: FAILED: the cases of $3 differ from $2"
      exit 1
    fi
    echo "same_output: $(wc -l <"$tmp/got") cases, ids, verdicts and requirements as in $2"
    ;;
  tree)
    [ -d "$2" ] && [ -d "$3" ] || { echo "same_output: missing directory"; exit 1; }
    [ -n "$(ls -A "$2")" ] || { echo "same_output: $2 is empty"; exit 1; }
    if ! diff -r "$2" "$3"; then
      echo "same_output: FAILED: $2 and $3 differ"
      exit 1
    fi
    ;;
  *) echo "usage: $0 report|tree A B" >&2; exit 2 ;;
esac
echo "same_output: $2 and $3 are the same"
