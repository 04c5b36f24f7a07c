#!/bin/sh
# runner.toy.protocols: the report of runner.toy.both holds cases of both
# protocols, each case of a suite carrying its suite's protocol.
set -u
r=${1:?usage: protocols.sh REPORT.json}
[ -s "$r" ] || { echo "protocols: $r is missing"; exit 1; }
toy=$(jq '[.cases[] | select(.protocol == "toy/1")] | length' "$r")
core=$(jq '[.cases[] | select(.protocol == "tamtam-core/1")] | length' "$r")
misfiled=$(jq '[.cases[] | select((.id | startswith("toy.")) != (.protocol == "toy/1"))] | length' "$r")
echo "protocols: $toy toy/1 cases, $core tamtam-core/1 cases, $misfiled misfiled"
[ "$toy" -eq 3 ] && [ "$core" -gt 0 ] && [ "$misfiled" -eq 0 ] || {
  echo "protocols: FAILED"; exit 1; }
