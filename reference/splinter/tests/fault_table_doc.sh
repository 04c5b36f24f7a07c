#!/bin/sh
# Fails when a row of the fault table that SP_FAULT_MAP generates
# (sp_fault_table_gen md) is not, verbatim, a line of the spec.
#   fault_table_doc.sh GENERATOR SPEC
set -eu
[ $# -eq 2 ] || { echo "usage: $0 GENERATOR SPEC" >&2; exit 2; }
gen=$1 spec=$2
rows=$("$gen" md)
missing=0
echo "$rows" | while IFS= read -r row; do
  grep -qxF -- "$row" "$spec" || { echo "not in $spec: $row" >&2; exit 1; }
done || missing=1
"$gen" lua | grep -q '\[1000\] = { symbol = "BAD_SCHEMA"' ||
  { echo "lua table lacks BAD_SCHEMA" >&2; missing=1; }
[ "$missing" -eq 0 ] && echo "$(echo "$rows" | wc -l) fault table lines match"
[ "$missing" -eq 0 ]
