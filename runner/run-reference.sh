#!/bin/sh
# Runs the full suite (codec over the stdio shim + wire over TCP) against the
# reference node: starts `tamtam-node echo` on a free loopback port, runs
# tamtam-run with both suites, stops the node, exits with tamtam-run's code.
# When the node has the Splinter service (`tamtam-node splinter`) and
# tamtam-run its suites (--splinter), the service is started too, with the
# allow-list splinter-allow.json beside this script, and the Splinter wire
# suite runs in the same run (the codec suite runs whenever the shim lists
# splinter/1); TT_SPLINTER=0 leaves the service out.
#
#   run-reference.sh BIN_DIR [tamtam-run options...]
#
# BIN_DIR holds tamtam-run and tamtam-node (e.g. build/bin). TT_NODE, when
# set, names another node binary to test (the runner's seeded-defect tests
# use it). Works from any directory.
set -u
here=$(cd "$(dirname "$0")" && pwd) || exit 2

usage() {
    echo "usage: $0 BIN_DIR [tamtam-run options...]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
bin=$(cd "$1" 2>/dev/null && pwd) || {
    echo "run-reference.sh: no such directory: $1" >&2
    exit 2
}
shift
run=$bin/tamtam-run
node=${TT_NODE:-$bin/tamtam-node}
for f in "$run" "$node"; do
    [ -x "$f" ] || {
        echo "run-reference.sh: $f is missing (build first)" >&2
        exit 2
    }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tamtam-run.XXXXXX") || exit 2
pids=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    for p in $pids; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# start NAME MODE ARGS...: starts "$node MODE ARGS --listen tcp://127.0.0.1:0"
# and sets $url to the URL of its "listening URL" line, printed once bound
# (polled every 50 ms, so it ends as soon as the line is there). The 120 s
# limit only catches a node that hangs before binding; a slow start on a
# busy machine is far below it.
start() {
    name=$1
    shift
    "$node" "$@" --listen tcp://127.0.0.1:0 >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
    pid=$!
    pids="$pids $pid"
    url=""
    tries=0
    while [ -z "$url" ]; do
        url=$(sed -n 's/^listening \(tcp:\/\/.*\)$/\1/p' "$tmp/$name.out" | head -n 1)
        [ -n "$url" ] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "run-reference.sh: the node ($1) exited before listening:" >&2
            cat "$tmp/$name.err" >&2
            exit 2
        fi
        tries=$((tries + 1))
        if [ "$tries" -gt 2400 ]; then
            echo "run-reference.sh: the node ($1) printed no 'listening' line in 120 s" >&2
            exit 2
        fi
        sleep 0.05
    done
}

start echo echo
echo_url=$url
set -- --node "$echo_url" "$@"
# The Splinter service, only when both sides have it (a build without it
# runs the Core Frame suites alone).
if [ "${TT_SPLINTER:-1}" != 0 ] &&
    "$node" splinter --help >/dev/null 2>&1 &&
    "$run" --help 2>/dev/null | grep -q -- '--splinter'; then
    start splinter splinter --allow "$here/splinter-allow.json"
    set -- --splinter "$url" "$@"
fi

# Quote the node path for the shim's /bin/sh -c command line.
qnode="'$(printf '%s' "$node" | sed "s/'/'\\\\''/g")'"
"$run" --shim "$qnode shim" "$@"
rc=$?
exit "$rc"
