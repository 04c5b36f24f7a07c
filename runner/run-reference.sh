#!/bin/sh
# Runs the full suite (codec over the stdio shim + wire over TCP) against the
# reference node: starts `tamtam-node echo` on a free loopback port, runs
# tamtam-run with both suites, stops the node, exits with tamtam-run's code.
#
#   run-reference.sh BIN_DIR [tamtam-run options...]
#
# BIN_DIR holds tamtam-run and tamtam-node (e.g. build/bin). TT_NODE, when
# set, names another node binary to test (the runner's seeded-defect tests
# use it). Works from any directory.
set -u

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
pid=""
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

"$node" echo --listen tcp://127.0.0.1:0 >"$tmp/node.out" 2>"$tmp/node.err" </dev/null &
pid=$!

# The node prints "listening URL" once bound: wait for that line (polled
# every 50 ms, so it ends as soon as the line is there). The 120 s limit only
# catches a node that hangs before binding; a slow start on a busy machine
# is far below it.
url=""
tries=0
while [ -z "$url" ]; do
    url=$(sed -n 's/^listening \(tcp:\/\/.*\)$/\1/p' "$tmp/node.out" | head -n 1)
    [ -n "$url" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "run-reference.sh: the node exited before listening:" >&2
        cat "$tmp/node.err" >&2
        exit 2
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 2400 ]; then
        echo "run-reference.sh: the node printed no 'listening' line in 120 s" >&2
        exit 2
    fi
    sleep 0.05
done

# Quote the node path for the shim's /bin/sh -c command line.
qnode="'$(printf '%s' "$node" | sed "s/'/'\\\\''/g")'"
"$run" --shim "$qnode shim" --node "$url" "$@"
rc=$?
exit "$rc"
