#!/bin/sh
# splinter-ring from the shell: every subcommand and every exit status of
# its usage (0 done, 1 refused, 2 usage, 3 backpressure). Waits poll a
# condition, bounded.  Usage: tool_test.sh PATH/TO/splinter-ring
set -u
tool=$1
name=sr-test-tool-$$
ring=/dev/shm/$name
out=$(mktemp)
fails=0
bg=
cleanup() {
  [ -n "$bg" ] && kill -CONT "$bg" 2>/dev/null && kill "$bg" 2>/dev/null
  rm -f "$ring" "$out"
}
trap cleanup EXIT
expect() { # expect STATUS command...
  want=$1; shift
  "$@" >"$out" 2>&1
  got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $* exited $got, want $want:" >&2; cat "$out" >&2
    fails=$((fails + 1))
  fi
}
has() { # has TEXT: the last command's output holds TEXT
  grep -qF -- "$1" "$out" || { echo "FAIL: no \"$1\" in:" >&2; cat "$out" >&2; fails=$((fails + 1)); }
}

expect 2 "$tool"
expect 2 "$tool" frob "$name"
expect 2 "$tool" create "$name" --slots
expect 2 "$tool" create "$name" --slots x
expect 1 "$tool" stat "$name"
has not_found
expect 1 "$tool" create "$name" --slots 3
has invalid_argument
expect 0 "$tool" create "$name" --slots 4 --slot-size 64 --heartbeat-ms 60000
[ "$(stat -c %a "$ring")" = 600 ] || { echo "FAIL: mode $(stat -c %a "$ring")" >&2; fails=$((fails + 1)); }
expect 1 "$tool" create "$name"
has exists
expect 0 "$tool" stat "$name"
has "slot_count: 4"
has "line_max: 48"
has "readers: 0"
expect 0 "$tool" write "$name" '{"n":1}'
expect 0 "$tool" write "$ring" '{"n":2}'
expect 1 "$tool" write "$name" "$(printf '%049d' 0)"
has too_long
expect 0 "$tool" read "$name" --all
[ "$(cat "$out")" = '{"n":1}
{"n":2}' ] || { echo "FAIL: read --all gave:" >&2; cat "$out" >&2; fails=$((fails + 1)); }
expect 0 "$tool" read "$name"
[ -s "$out" ] && { echo "FAIL: a new reader saw old lines" >&2; fails=$((fails + 1)); }

# A follower that stops holds the writers back: the fifth line is 4100.
"$tool" read "$name" --follow >/dev/null 2>&1 &
bg=$!
i=0
until "$tool" stat "$name" | grep -q "readers: 1"; do
  i=$((i + 1)); [ $i -gt 3000 ] && { echo "FAIL: follower never attached" >&2; exit 1; }
  sleep 0.01
done
kill -STOP "$bg"
for n in 1 2 3 4; do expect 0 "$tool" write "$name" "{\"m\":$n}"; done
expect 3 "$tool" write "$name" '{"m":5}'
has backpressure
expect 0 "$tool" stat "$name"
has "lag 4"
kill -CONT "$bg"; kill "$bg"; wait "$bg"; bg=
expect 0 "$tool" write "$name" '{"m":5}'

printf 'XXXX' | dd of="$ring" bs=1 conv=notrunc status=none
expect 1 "$tool" stat "$name"
has bad_magic
expect 0 "$tool" unlink "$name"
expect 1 "$tool" unlink "$name"
[ "$fails" = 0 ] && echo "tool_test: all checks passed"
[ "$fails" = 0 ]
