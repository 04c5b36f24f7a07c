#!/bin/sh
# Installs the build into a temporary prefix and builds a program outside the
# tree with nothing but `pkg-config tamtam`, then runs it: the installed
# header, library and .pc file are enough for a third party.
set -eu
build=$1 cc=${2:-cc} extra=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cat >"$tmp/consumer.c" <<'C'
#include <stdio.h>
#include <tamtam/tamtam.h>

int main(void)
{
    static const unsigned char zero[6];
    tt_frame f;
    int n = tt_decode(zero, sizeof zero, TT_CRC_SMBUS, &f);
    printf("%d %s\n", n, tt_crc_name(TT_CRC_DEFAULT));
    return n == 6 ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
[ -d "$PKG_CONFIG_PATH" ] || PKG_CONFIG_PATH=$(dirname "$(find "$tmp/prefix" -name tamtam.pc)")
# shellcheck disable=SC2046,SC2086
$cc $extra -o "$tmp/consumer" "$tmp/consumer.c" $(pkg-config --cflags --libs tamtam)
out=$("$tmp/consumer")
[ "$out" = "6 CRC-8/SMBUS" ] || { echo "unexpected output: $out" >&2; exit 1; }
echo "installed libtamtam consumed through pkg-config: $out"
