#!/bin/sh
# Pipes the pinned requests of CASES_DIR/*.cases to a harness shim and checks
# every response line, then the shim's edges: a last line without newline,
# CRLF, an over-long line, bad options, exit 0 at end of input.
# usage: shim_test.sh CASES_DIR SHIM_COMMAND [ARG...]
set -u
[ $# -ge 2 ] || { echo "usage: shim_test.sh CASES_DIR SHIM_COMMAND [ARG...]" >&2; exit 2; }
dir=$1
shift
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
  echo "FAIL: $*"
  failed=1
}

# run NAME INPUT_FILE [SHIM_ARG...]: runs the shim, output in $tmp/NAME.out
# with JSON's "\/" read back as "/" and the free-text "detail" member of
# failures dropped; the exit status must be 0.
run() {
  name=$1 input=$2
  shift 2
  "$@" <"$input" >"$tmp/$name.raw" 2>"$tmp/$name.err"
  rc=$?
  [ "$rc" -eq 0 ] || { fail "$name: shim exited $rc"; sed 's/^/  stderr: /' "$tmp/$name.err"; }
  sed -E -e 's|\\/|/|g' -e 's/,"detail":"([^"\\]|\\.)*"//' "$tmp/$name.raw" >"$tmp/$name.out"
}

# cases FILE [SHIM_ARG...]: every "> request" gets its "< response", in order.
cases() {
  file=$1
  shift
  name=$(basename "$file" .cases)
  sed -n 's/^> \{0,1\}//p' "$file" >"$tmp/$name.req"
  sed -n 's/^< //p' "$file" >"$tmp/$name.want"
  [ -s "$tmp/$name.want" ] || { fail "$name: no cases in $file"; return; }
  run "$name" "$tmp/$name.req" "$@"
  if diff -u "$tmp/$name.want" "$tmp/$name.out" >"$tmp/$name.diff"; then
    echo "ok   $name: $(wc -l <"$tmp/$name.want") requests"
  else
    fail "$name: responses differ (- expected, + shim)"
    cat "$tmp/$name.diff"
  fi
}

cases "$dir/default.cases" "$@"
cases "$dir/maxim.cases" "$@" --crc maxim-dow
cases "$dir/rohc.cases" "$@" --crc CRC-8/ROHC

hello='{"id":1,"op":"hello","version":1}'
zero='{"id":2,"op":"decode","hex":"000000000000"}'
zero_ok='{"id":2,"ok":true,"consumed":6,"frame":{"class":0,"direction":0,"size_id":0,"big":false,"ack":false,"priority":false,"ext":false,"channel":0,"dest":null,"crc":0,"used_len":0,"payload":""}}'

# A last request without its newline is still answered; CRLF line ends work.
printf '%s\n%s' "$hello" "$zero" >"$tmp/nonl.in"
run nonl "$tmp/nonl.in" "$@"
[ "$(sed -n 2p "$tmp/nonl.out")" = "$zero_ok" ] || fail "last line without newline not answered"
printf '%s\r\n%s\r\n' "$hello" "$zero" >"$tmp/crlf.in"
run crlf "$tmp/crlf.in" "$@"
[ "$(sed -n 2p "$tmp/crlf.out")" = "$zero_ok" ] || fail "CRLF request not answered like LF"

# A line over the shim's 16 MiB cap is answered bad_request and skipped whole;
# the next request is answered normally.
{ printf '{"id":9,"op":"decode","hex":"'; head -c 16800000 /dev/zero | tr '\0' '0'; printf '"}\n%s\n' "$zero"; } >"$tmp/long.in"
run long "$tmp/long.in" "$@"
[ "$(sed -n 1p "$tmp/long.out")" = '{"ok":false,"error":"bad_request"}' ] || fail "over-long line not bad_request"
[ "$(sed -n 2p "$tmp/long.out")" = "$zero_ok" ] || fail "request after an over-long line not answered"
[ "$(wc -l <"$tmp/long.out")" -eq 2 ] || fail "over-long line: expected 2 responses, got $(wc -l <"$tmp/long.out")"

# Hostile input, deterministic: mutants of every pinned request (characters
# replaced, deleted, inserted, lines cut) and lines of random bytes (invalid
# UTF-8, control characters). One JSON answer per line, nothing on stderr
# (no unhandled exception), exit 0.
sed -n 's/^> \{0,1\}//p' "$dir/default.cases" | LC_ALL=C awk 'BEGIN { srand(4774) }
{
  for (m = 0; m < 40; m++) {
    s = $0
    for (k = 1 + int(rand() * 4); k > 0; k--) {
      p = 1 + int(rand() * (length(s) + 1))
      c = sprintf("%c", 32 + int(rand() * 95))
      op = int(rand() * 4)
      if (op == 0) s = substr(s, 1, p - 1) c substr(s, p + 1)
      else if (op == 1) s = substr(s, 1, p - 1) substr(s, p + 1)
      else if (op == 2) s = substr(s, 1, p - 1) c substr(s, p)
      else s = substr(s, 1, p)
    }
    print s
  }
}
END {
  for (l = 0; l < 1000; l++) {
    s = ""
    for (n = int(rand() * 120); n > 0; n--) {
      b = 1 + int(rand() * 255)
      s = s sprintf("%c", b == 10 ? 32 : b)
    }
    print s
  }
}' >"$tmp/hostile.in"
run hostile "$tmp/hostile.in" "$@"
[ -s "$tmp/hostile.err" ] && { fail "hostile input: shim wrote to stderr"; head -5 "$tmp/hostile.err"; }
[ "$(wc -l <"$tmp/hostile.out")" -eq "$(wc -l <"$tmp/hostile.in")" ] ||
  fail "hostile input: $(wc -l <"$tmp/hostile.in") lines in, $(wc -l <"$tmp/hostile.out") answers"
grep -E -v '^\{.*"ok":(true|false).*\}$' "$tmp/hostile.out" | head -3 | sed 's/^/  not an answer: /' >"$tmp/hostile.bad"
[ -s "$tmp/hostile.bad" ] && { fail "hostile input: malformed answers"; cat "$tmp/hostile.bad"; }
[ "$failed" -eq 0 ] && echo "ok   hostile: $(wc -l <"$tmp/hostile.in") mutated and random lines answered"

# No input at all: no output, exit 0.
run empty /dev/null "$@"
[ -s "$tmp/empty.out" ] && fail "output without any request"

# Bad options: exit 2 with a message, nothing on stdout.
for bad in "--crc crc8" "--crc" "--frobnicate"; do
  # shellcheck disable=SC2086
  "$@" $bad </dev/null >"$tmp/bad.out" 2>"$tmp/bad.err"
  rc=$?
  [ "$rc" -eq 2 ] || fail "'$bad': exit $rc, expected 2"
  [ -s "$tmp/bad.out" ] && fail "'$bad': wrote to stdout"
  [ -s "$tmp/bad.err" ] || fail "'$bad': no message on stderr"
done

[ "$failed" -eq 0 ] && echo "shim_test: all passed"
exit "$failed"
