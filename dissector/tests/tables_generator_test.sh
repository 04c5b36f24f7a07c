#!/bin/sh
# dissector.tables_generator: the generator's check mode fails on a stale or
# unmarked file, and splice repairs a stale one back to the committed file.
# usage: tables_generator_test.sh GENERATOR tamtam.lua
set -u
gen=$1
lua=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAIL: $*" >&2; fail=1; }

"$gen" check "$lua" || no "committed tamtam.lua is not current"

# A wrong check value in the generated block, as a hand edit would leave it.
sed 's/check = 0xF4 }/check = 0xF5 }/' "$lua" >"$tmp/stale.lua"
cmp -s "$lua" "$tmp/stale.lua" && no "test setup: sed changed nothing"
"$gen" check "$tmp/stale.lua" 2>"$tmp/err"
[ $? -eq 1 ] || no "check of a stale file must exit 1"
grep -q "stale at line" "$tmp/err" || no "check must name the stale line"

"$gen" splice "$tmp/stale.lua" "$tmp/fixed.lua" || no "splice failed"
cmp -s "$lua" "$tmp/fixed.lua" || no "splice must restore the committed file"

grep -v "^-- END GENERATED TABLES" "$lua" >"$tmp/unmarked.lua"
"$gen" check "$tmp/unmarked.lua" 2>/dev/null
[ $? -eq 2 ] || no "a file without the END marker must exit 2"
cat "$lua" "$lua" >"$tmp/twice.lua"
"$gen" check "$tmp/twice.lua" 2>/dev/null
[ $? -eq 2 ] || no "a file with two blocks must exit 2"
"$gen" check "$tmp/missing.lua" 2>/dev/null
[ $? -eq 2 ] || no "a missing file must exit 2"

# The block carries every pinned name of tamtam.h.
"$gen" >"$tmp/block.lua" || no "printing the block failed"
for s in '"CRC-8/SMBUS"' '"CRC-8/MAXIM-DOW"' '"CRC-8/I-432-1"' '"CRC-8/AUTOSAR"' \
         '"CRC-8/SAE-J1850"' '"CRC-8/ROHC"' '"CRC-8/CDMA2000"' '"CRC-8/BLUETOOTH"' \
         '"truncated"' '"used_len_exceeds_block"' '"crc_mismatch"' '"Response"' '"Signal"'; do
  grep -qF "$s" "$tmp/block.lua" || no "generated block lacks $s"
done

[ $fail -eq 0 ] && echo "dissector.tables_generator: passed"
exit $fail
