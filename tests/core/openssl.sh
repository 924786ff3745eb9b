#!/bin/sh
# A token made by the 5-node in-process cluster (threshold ECDSA + threshold ML-DSA,
# certificates from the offline CA) passes `openssl ts -verify` against the ECDSA root.
set -eu
out=$(mktemp -d /tmp/cctsa-core-openssl-XXXXXX)
trap 'rm -rf "$out"' EXIT
rmdir "$out"
CORE_TEST_OUT="$out" CORE_TEST_QUICK=1 "$CCTSA_BIN/core_test" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
grep '^core:' "$out.log"
rm -f "$out.log"
# Request 0 imprints the bytes 00 01 .. 1f (SHA-256 length) and asked for certificates.
digest=$(printf '%s' 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f)
openssl ts -verify -digest "$digest" -in "$out/token.tst" -token_in -CAfile "$out/ca/root-ecdsa.pem"
# The same token with its certificates given separately must fail against a wrong root.
if openssl ts -verify -digest "$digest" -in "$out/token.tst" -token_in \
	-CAfile "$out/ca/root-mldsa.pem" 2>/dev/null; then
	echo "FAIL: verified against the wrong root" >&2
	exit 1
fi
# A different imprint is refused.
if openssl ts -verify -digest "ff${digest#00}" -in "$out/token.tst" -token_in \
	-CAfile "$out/ca/root-ecdsa.pem" 2>/dev/null; then
	echo "FAIL: verified a different imprint" >&2
	exit 1
fi
openssl ts -reply -in "$out/token.tst" -token_in -token_out -text | grep -E 'Serial|Policy|Time stamp|Accuracy'
echo "core_openssl: ok"
