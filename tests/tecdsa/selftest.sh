#!/usr/bin/env bash
# cctsa tecdsa selftest: every signature from every signing set verifies with
# `openssl dgst -sha384 -verify`; a tampered message and a tampered signature fail.
set -euo pipefail
bin=${CCTSA_BIN:?run through ctest}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$bin/cctsa" tecdsa selftest --count 1 --out "$dir"
n=0
for sig in "$dir"/sig-*.der; do
	i=${sig##*/sig-}; i=${i%.der}
	openssl dgst -sha384 -verify "$dir/pk.pem" -signature "$sig" "$dir/msg-$i.bin" >/dev/null
	n=$((n + 1))
done
[ "$n" -eq 10 ] || { echo "expected 10 signatures, found $n"; exit 1; }
cp "$dir/msg-0.bin" "$dir/tampered.bin"
printf '\x01' | dd of="$dir/tampered.bin" bs=1 seek=5 conv=notrunc status=none
if cmp -s "$dir/msg-0.bin" "$dir/tampered.bin"; then
	printf '\x02' | dd of="$dir/tampered.bin" bs=1 seek=5 conv=notrunc status=none
fi
if openssl dgst -sha384 -verify "$dir/pk.pem" -signature "$dir/sig-0.der" "$dir/tampered.bin" >/dev/null 2>&1; then
	echo "tampered message verified"; exit 1
fi
# Misuse: missing --out exits 2.
set +e
"$bin/cctsa" tecdsa selftest --count 1 >/dev/null 2>&1; rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "misuse exit $rc"; exit 1; }
echo "tecdsa selftest: $n signatures verified with openssl dgst; tampered message rejected"
