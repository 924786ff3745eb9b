#!/usr/bin/env bash
# Interop: `cctsa tmldsa selftest` (DKG + all 10 signing sets) then OpenSSL 3.5
# through Node 26 verifies every signature. Env from ctest: CCTSA_BIN, CCTSA_NODE.
set -euo pipefail
count=${TMLDSA_INTEROP_COUNT:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$CCTSA_BIN/cctsa" tmldsa selftest --count "$count" --out "$out"
test -x "$CCTSA_NODE" || { echo "Node 26 missing at $CCTSA_NODE"; exit 1; }
"$CCTSA_NODE" "$(dirname "$0")/interop.mjs" "$out" $((count * 10))
# a wrong public key must make every signature fail
head -c 1952 /dev/urandom > "$out/pk.bin"
if "$CCTSA_NODE" "$(dirname "$0")/interop.mjs" "$out" $((count * 10)) 2>/dev/null; then
	echo "signatures verified under a random public key"; exit 1
fi
echo "interop: ok"
