#!/usr/bin/env bash
# cctsa testpki: files and modes, `openssl verify` of the ECDSA chain, the extensions
# as `openssl x509 -text` shows them, the ML-DSA (and ECDSA) chain under Node 26 /
# OpenSSL 3.5 and pkijs, keys usable by Node, and refusals (foreign root, bad args).
set -u
fail() { echo "testpki.sh: FAIL: $*" >&2; exit 1; }
cctsa=${CCTSA_BIN:?}/cctsa
node=${CCTSA_NODE:?}
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

meas=$(printf 'ab%.0s' $(seq 48))
"$cctsa" testpki --out "$t/p" --measurement "$meas" >/dev/null || fail "testpki failed"
"$cctsa" testpki --out "$t/q" >/dev/null || fail "second testpki failed"
for f in ca-ecdsa.pem ca-mldsa.pem tsa-ecdsa.pem tsa-mldsa.pem binding.json; do
	[ -s "$t/p/$f" ] || fail "missing $f"
done
for f in ca-ecdsa.key ca-mldsa.key tsa-ecdsa.key tsa-mldsa.key; do
	[ "$(stat -c %a "$t/p/$f")" = 600 ] || fail "$f is not mode 0600"
	grep -q 'BEGIN PRIVATE KEY' "$t/p/$f" || fail "$f is not PKCS#8 PEM"
done
grep -q "\"platform\":\"sim\"" "$t/p/binding.json" || fail "binding.json does not say sim"
grep -q "\"launch_measurement\":\"$meas\"" "$t/p/binding.json" || fail "binding.json lacks the measurement"

# OpenSSL 3.0: the ECDSA chain verifies, a foreign root does not, and the extensions are shown.
out=$(openssl verify -CAfile "$t/p/ca-ecdsa.pem" "$t/p/tsa-ecdsa.pem" 2>&1) || fail "openssl verify: $out"
[ "$out" = "$t/p/tsa-ecdsa.pem: OK" ] || fail "openssl verify said: $out"
openssl verify -CAfile "$t/q/ca-ecdsa.pem" "$t/p/tsa-ecdsa.pem" >/dev/null 2>&1 && fail "foreign root accepted"
openssl verify -purpose timestampsign -CAfile "$t/p/ca-ecdsa.pem" "$t/p/tsa-ecdsa.pem" >/dev/null 2>&1 ||
	fail "openssl refuses the TSA certificate for timestampsign"
txt=$(openssl x509 -in "$t/p/tsa-ecdsa.pem" -noout -text) || fail "openssl x509 -text"
for want in "X509v3 Extended Key Usage: critical" "Time Stamping" "X509v3 Key Usage: critical" \
	"Digital Signature" "Policy: 1.3.6.1.4.1.32473.1.4" "Policy: 1.3.6.1.4.1.32473.1.3" \
	"1.3.6.1.4.1.32473.1.1:" "Signature Algorithm: ecdsa-with-SHA384" "Authority Key Identifier"; do
	grep -qF "$want" <<<"$txt" || fail "openssl x509 -text lacks '$want'"
done
grep -A1 "Extended Key Usage" <<<"$txt" | tail -1 | grep -qx ' *Time Stamping' || fail "EKU is not timeStamping only"
grep -q "1.3.6.1.4.1.32473.1.1: critical" <<<"$txt" && fail "binding extension must not be critical"
rtxt=$(openssl x509 -in "$t/p/ca-ecdsa.pem" -noout -text)
grep -q "CA:TRUE" <<<"$rtxt" || fail "root is not CA:TRUE"
a=$(openssl pkey -in "$t/p/tsa-ecdsa.key" -pubout) || fail "openssl cannot read tsa-ecdsa.key"
b=$(openssl x509 -in "$t/p/tsa-ecdsa.pem" -noout -pubkey)
[ "$a" = "$b" ] || fail "tsa-ecdsa.key does not match tsa-ecdsa.pem"

# Node 26 / OpenSSL 3.5 and pkijs: both chains, keys match their certificates.
for a in mldsa ecdsa; do
	"$node" "$here/verify_chain.cjs" "$t/p/ca-$a.pem" "$t/p/tsa-$a.pem" --tsa || fail "node: $a chain"
	"$node" "$here/verify_chain.cjs" "$t/q/ca-$a.pem" "$t/p/tsa-$a.pem" 2>/dev/null && fail "node: foreign $a root accepted"
	for k in ca tsa; do
		"$node" "$here/key_matches.cjs" "$t/p/$k-$a.key" "$t/p/$k-$a.pem" >/dev/null || fail "node: $k-$a.key"
	done
done
"$node" "$here/key_matches.cjs" "$t/q/tsa-mldsa.key" "$t/p/tsa-mldsa.pem" 2>/dev/null && fail "node: wrong key matched"

# CLI contract.
"$cctsa" testpki --help | grep -q "usage: cctsa testpki" || fail "--help"
"$cctsa" testpki 2>/dev/null; [ $? -eq 2 ] || fail "no --out must exit 2"
"$cctsa" testpki --out "$t/r" --measurement abc 2>/dev/null; [ $? -eq 2 ] || fail "bad --measurement must exit 2"
echo "testpki.sh: ok"
