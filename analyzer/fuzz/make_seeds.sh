#!/bin/sh
# Writes the seed inputs of the analyzer's fuzz targets and merges them
# into the committed corpus, named seed-<what they are> (edge_seeds.py
# writes the edge-* seeds of fuzz_packets):
#   slices of vectors/pcap/core.pcap (editcap), pcapng slices, the captures
#   the analyzer's tests write (AN_KEEP=1), and for fuzz_packets the same
#   captures converted by fuzz_pcap2packets under several option bytes.
# Usage: analyzer/fuzz/make_seeds.sh BUILD FUZZ_BUILD
#   BUILD       a configured and built tree with the analyzer (tests, tools)
#   FUZZ_BUILD  a TT_FUZZ=ON tree (fuzz/fuzz_packets, fuzz/fuzz_pcap_file)
set -eu
cd "$(dirname "$0")/../.."
build=$(cd "$1" && pwd)
fuzz=$(cd "$2" && pwd)
work=$(mktemp -d /tmp/an-seeds-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pf" "$work/pk" "$work/merged/packets" "$work/merged/pcap_file"
v=vectors/pcap
# Frame vectors, spec stream examples, mixed streams, bad frames between
# good ones, the last vectors (big frames, UDP).
for r in 1-27 14181-14200 14299-14330 14555-14590 15317-15340 15495-15520 \
         9000-9025 17000-17030 18740-18776; do
  editcap -r $v/core.pcap "$work/pf/core-$r.pcap" $r
done
for r in 1-27 14299-14330; do
  editcap -r $v/core.pcapng "$work/pf/core-$r.pcapng" $r
done
for t in tcp link files; do
  dir=$(AN_KEEP=1 "$build/analyzer/tests/analyzer_${t}_test" \
        "$build/bin/tamtam-analyze" 2>&1 >/dev/null |
        sed -n 's/^keeping captures in //p')
  for f in "$dir"/*; do cp "$f" "$work/pf/test-${f##*/}"; done
  rm -rf "$dir"
done
conv=$build/analyzer/fuzz/fuzz_pcap2packets
for f in "$work"/pf/*.pcap; do
  n=$(basename "$f" .pcap)
  "$conv" "$f" "$work/pk/$n" --max 4000 >/dev/null 2>&1 || true
done
# Option bytes: heuristic + every port + crc auto; -V; small limits + -w +
# --match; text + -c 3; --stats --json on every port.
for f in "$work"/pf/core-*.pcap "$work"/pf/test-heur.pcap \
         "$work"/pf/test-rohc.pcap "$work"/pf/test-gap_mid.pcap \
         "$work"/pf/test-udp.pcap "$work"/pf/test-frag.pcap \
         "$work"/pf/test-snap.pcap "$work"/pf/test-reordered.pcap \
         "$work"/pf/test-midstream.pcap; do
  n=$(basename "$f" .pcap)
  "$conv" "$f" "$work/pk/$n-heur-auto" 8a 28 --max 4000 >/dev/null
  "$conv" "$f" "$work/pk/$n-verbose" 01 20 --max 4000 >/dev/null
  "$conv" "$f" "$work/pk/$n-small-w-match" 72 20 --max 4000 >/dev/null
  "$conv" "$f" "$work/pk/$n-text-c3" 00 a0 --max 4000 >/dev/null
  "$conv" "$f" "$work/pk/$n-stats-all-ports" 86 20 --max 4000 >/dev/null
done
# The vector slices are kept whatever coverage they add; the other seeds
# only when they reach edges the corpus does not (-use_counters=0: edges,
# not hit counts, keep the corpus small).
for f in "$work"/pf/core-*.pcap; do
  n=$(basename "$f" .pcap)
  cp "$f" "analyzer/fuzz/corpus/pcap_file/seed-$n.pcap"
  cp "$work/pk/$n" "analyzer/fuzz/corpus/packets/seed-$n"
done
for t in packets:pk pcap_file:pf; do
  name=${t%%:*}; src=${t##*:}; corpus=analyzer/fuzz/corpus/$name
  cp "$corpus"/* "$work/merged/$name/"
  "$fuzz/fuzz/fuzz_$name" -merge=1 -use_counters=0 -max_len=20000 \
    "$work/merged/$name" "$work/$src" 2>&1 | grep MERGE-OUTER | tail -1
  for f in "$work/$src"/*; do
    h=$(sha1sum <"$f" | cut -c1-40)
    # Added by the merge (once: captures with the same bytes share a hash).
    if [ -f "$work/merged/$name/$h" ]; then
      cp "$f" "$corpus/seed-${f##*/}"
      rm "$work/merged/$name/$h"
    fi
  done
done
# libpcap is not instrumented, so pcapng and an empty file add no coverage
# the fuzzer sees; they are kept all the same.
for f in core-1-27.pcapng core-14299-14330.pcapng test-ng.pcapng \
         test-mixed.pcapng test-empty.pcap; do
  cp "$work/pf/$f" "analyzer/fuzz/corpus/pcap_file/seed-$f"
done
