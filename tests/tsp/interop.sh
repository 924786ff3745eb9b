#!/usr/bin/env bash
# Interop of tokens from `cctsa ts-reply` (keys from `cctsa testpki`):
#  - `openssl ts -verify` (OpenSSL 3.0) accepts the default token with and without
#    certReq, and `openssl ts -reply -text` prints every expected field;
#  - Node 26 (OpenSSL 3.5) verifies the companion ML-DSA-65 signature over the DER
#    signed attributes and the ML-DSA certificate chain, pkijs parses every part
#    (tests/tsp/verify_token.mjs), for the default token and the PQ mirror image;
#  - `cctsa verify` gives each of the five verdicts where it should;
#  - `cctsa ts-reply` answers every request failure with its failInfo.
set -euo pipefail
: "${CCTSA_BIN:?run through ctest}" "${CCTSA_NODE:?}" "${CCTSA_SRC:?}"
C=$CCTSA_BIN/cctsa
H=$CCTSA_SRC/tests/tsp
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0
ok() { pass=$((pass + 1)); }
die() { echo "FAIL: $*"; exit 1; }
q() { openssl ts -query "$@" 2>/dev/null; }

"$C" testpki --out "$W/pki" > /dev/null
P=$W/pki
printf 'interop payload\n' > "$W/data"
cat "$P/tsa-ecdsa.pem" "$P/tsa-mldsa.pem" > "$W/tsa-both.pem"

# verdict WANT ARGS...: cctsa verify prints WANT last and exits 0 only for the verified verdicts
verdict() {
	local want=$1 out rc=0 code=1
	shift
	out=$("$C" verify "$@" 2>&1) || rc=$?
	case $want in "FULLY VERIFIED"|"CLASSICALLY VERIFIED"|"POST-QUANTUM VERIFIED") code=0 ;; esac
	[ "$(tail -n1 <<<"$out")" = "$want" ] && [ "$rc" -eq "$code" ] || die "verify $* -> exit $rc, want $want:"$'\n'"$out"
	ok
}

# text_has FILE PATTERN...: openssl ts -reply -text shows each line
text_has() {
	local f=$1 t
	shift
	t=$(openssl ts -reply -in "$f" -text 2>/dev/null)
	for pat in "$@"; do
		grep -qE -- "$pat" <<<"$t" || die "openssl ts -reply -text of $f lacks /$pat/:"$'\n'"$t"
	done
	ok
}

for cert in yes no; do
	flag=; [ $cert = yes ] && flag=-cert
	q -data "$W/data" -sha384 $flag -out "$W/q-$cert.tsq"
	"$C" ts-reply --query "$W/q-$cert.tsq" --keys "$P" --out "$W/r-$cert.tsr"
	untrusted=(); [ $cert = no ] && untrusted=(-untrusted "$P/tsa-ecdsa.pem")
	openssl ts -verify -queryfile "$W/q-$cert.tsq" -in "$W/r-$cert.tsr" -CAfile "$P/ca-ecdsa.pem" \
		"${untrusted[@]}" 2>&1 | grep -q '^Verification: OK$' || die "openssl ts -verify (certReq=$cert)"
	ok
	openssl ts -verify -data "$W/data" -in "$W/r-$cert.tsr" -CAfile "$P/ca-ecdsa.pem" "${untrusted[@]}" 2>&1 |
		grep -q '^Verification: OK$' || die "openssl ts -verify -data (certReq=$cert)"
	ok
	nonce=$(openssl ts -query -in "$W/q-$cert.tsq" -text 2>/dev/null | sed -n 's/^Nonce: //p')
	text_has "$W/r-$cert.tsr" '^Status: Granted\.$' '^Version: 1$' '^Policy OID: 1\.3\.6\.1\.4\.1\.32473\.1\.4$' \
		'^Hash Algorithm: sha384$' '^Serial number: 0x[0-9A-F]{2,40}$' \
		'^Time stamp: [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8}(\.[0-9]{0,2}[1-9])? [0-9]{4} GMT$' \
		'^Accuracy: 0x01 seconds, unspecified millis, unspecified micros$' '^Ordering: no$' \
		"^Nonce: $nonce\$" '^TSA: DirName:/O=CC-TSA Test PKI/CN=CC-TSA Test TSA$'
	NODE_PATH=$NODE_PATH "$CCTSA_NODE" "$H/verify_token.mjs" "$W/r-$cert.tsr" "$P" default "$W/comp-$cert.tst" ||
		die "node verify_token (default, certReq=$cert)"
	ok
	u=(); [ $cert = no ] && u=(--untrusted "$W/tsa-both.pem")
	verdict "FULLY VERIFIED" --in "$W/r-$cert.tsr" --query "$W/q-$cert.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" \
		--ca-mldsa "$P/ca-mldsa.pem" "${u[@]}"
	verdict "FULLY VERIFIED" --in "$W/r-$cert.tsr" --data "$W/data" --ca-ecdsa "$P/ca-ecdsa.pem" \
		--ca-mldsa "$P/ca-mldsa.pem" "${u[@]}"
	verdict "CLASSICALLY VERIFIED" --in "$W/r-$cert.tsr" --query "$W/q-$cert.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" "${u[@]}"
done
# certificates only when certReq: each token its own signer's chain (leaf + CA)
n_yes=$(openssl ts -reply -in "$W/r-yes.tsr" -token_out 2>/dev/null | openssl pkcs7 -inform DER -print_certs | grep -c '^subject=')
n_no=$(openssl ts -reply -in "$W/r-no.tsr" -token_out 2>/dev/null | openssl pkcs7 -inform DER -print_certs | grep -c '^subject=' || true)
[ "$n_yes" = 2 ] && [ "$n_no" = 0 ] || die "certificates: $n_yes with certReq, $n_no without"
ok
# size budget: default token without certificates <= 4.8 KB (SHA-512 imprint, 8-byte nonce)
q -data "$W/data" -sha512 -out "$W/q512.tsq"
"$C" ts-reply --query "$W/q512.tsq" --keys "$P" --out "$W/r512.tsr"
openssl ts -reply -in "$W/r512.tsr" -token_out -out "$W/t512.tst" 2>/dev/null
size=$(stat -c %s "$W/t512.tst")
[ "$size" -le 4800 ] || die "default token without certificates is $size octets (> 4800)"
echo "default token without certificates: $size octets"
ok

# post-quantum policy: the mirror image (ML-DSA outside, ECDSA companion)
q -data "$W/data" -sha256 -cert -tspolicy 1.3.6.1.4.1.32473.1.3 -out "$W/qpq.tsq"
"$C" ts-reply --query "$W/qpq.tsq" --keys "$P" --out "$W/rpq.tsr"
text_has "$W/rpq.tsr" '^Policy OID: 1\.3\.6\.1\.4\.1\.32473\.1\.3$' '^TSA: DirName:/O=CC-TSA Test PKI/CN=CC-TSA Test TSA$'
NODE_PATH=$NODE_PATH "$CCTSA_NODE" "$H/verify_token.mjs" "$W/rpq.tsr" "$P" pq "$W/comp-pq.tst" || die "node verify_token (pq)"
ok
verdict "FULLY VERIFIED" --in "$W/rpq.tsr" --query "$W/qpq.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem"
# --policy on a query without reqPolicy gives the same mirror image
q -data "$W/data" -sha256 -out "$W/qnp.tsq"
"$C" ts-reply --query "$W/qnp.tsq" --keys "$P" --out "$W/rnp.tsr" --policy 1.3.6.1.4.1.32473.1.3
NODE_PATH=$NODE_PATH "$CCTSA_NODE" "$H/verify_token.mjs" "$W/rnp.tsr" "$P" pq || die "node verify_token (--policy)"
ok

# single tokens: ECDSA alone -> CLASSICALLY, ML-DSA alone -> POST-QUANTUM
"$C" ts-reply --query "$W/q-yes.tsq" --keys "$P" --out "$W/r-ec.tsr" --no-companion
verdict "CLASSICALLY VERIFIED" --in "$W/r-ec.tsr" --query "$W/q-yes.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem"
"$C" ts-reply --query "$W/qpq.tsq" --keys "$P" --out "$W/r-ml.tsr" --no-companion
verdict "POST-QUANTUM VERIFIED" --in "$W/r-ml.tsr" --query "$W/qpq.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem"
# the ML-DSA token alone with the wrong ML-DSA anchor (the ECDSA root): REJECT
verdict REJECT --in "$W/r-ml.tsr" --query "$W/qpq.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-ecdsa.pem"

# WARNING: the last octet of the file is the companion's last signature octet
flip_last() { cp "$1" "$2"; printf "$(printf '\\x%02x' $(( $(tail -c1 "$1" | od -An -tu1) ^ 1 )))" |
	dd of="$2" bs=1 seek=$(( $(stat -c %s "$1") - 1 )) conv=notrunc status=none; }
flip_last "$W/r-yes.tsr" "$W/r-warn.tsr"
verdict WARNING --in "$W/r-warn.tsr" --query "$W/q-yes.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem"
openssl ts -verify -queryfile "$W/q-yes.tsq" -in "$W/r-warn.tsr" -CAfile "$P/ca-ecdsa.pem" 2>&1 |
	grep -q '^Verification: OK$' || die "a classical verifier must ignore the companion"
ok
flip_last "$W/rpq.tsr" "$W/rpq-warn.tsr"
verdict WARNING --in "$W/rpq-warn.tsr" --query "$W/qpq.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem"
# measurement binding: both TSA certificates carry binding.json; a different measurement is refused
verdict "FULLY VERIFIED" --in "$W/r-yes.tsr" --query "$W/q-yes.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" \
	--ca-mldsa "$P/ca-mldsa.pem" --binding "$P/binding.json"
verdict "POST-QUANTUM VERIFIED" --in "$W/r-ml.tsr" --query "$W/qpq.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" \
	--ca-mldsa "$P/ca-mldsa.pem" --binding "$P/binding.json"
jq -c '.launch_measurement |= ((if .[0:1] == "0" then "1" else "0" end) + .[1:])' "$P/binding.json" > "$W/other-binding.json"
verdict REJECT --in "$W/r-yes.tsr" --query "$W/q-yes.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" \
	--ca-mldsa "$P/ca-mldsa.pem" --binding "$W/other-binding.json"
# WARNING: a companion token from another response (valid alone, different TSTInfo)
for _ in $(seq 20); do
	"$C" ts-reply --query "$W/q-no.tsq" --keys "$P" --out "$W/ra.tsr"
	"$C" ts-reply --query "$W/q-no.tsq" --keys "$P" --out "$W/rb.tsr"
	rc=0
	NODE_PATH=$NODE_PATH "$CCTSA_NODE" "$H/splice_companion.mjs" "$W/ra.tsr" "$W/rb.tsr" "$W/rs.tsr" || rc=$?
	[ $rc -eq 3 ] || break # 3: the genTimes differ in length, try again
done
[ $rc -eq 0 ] || die "splice_companion exited $rc"
out=$("$C" verify --in "$W/rs.tsr" --query "$W/q-no.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem" \
	--untrusted "$W/tsa-both.pem" || true)
[ "$(tail -n1 <<<"$out")" = WARNING ] && grep -q 'different TSTInfo' <<<"$out" || die "spliced companion: $out"
ok
# REJECT: other data, other nonce, a wrong classical anchor
verdict REJECT --in "$W/r-yes.tsr" --data "$W/pki/binding.json" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem"
verdict REJECT --in "$W/r-yes.tsr" --query "$W/q-no.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem"
verdict REJECT --in "$W/r-ec.tsr" --query "$W/q-yes.tsq" --ca-ecdsa "$CCTSA_TESTDATA/rfc3161/real-tsa/identrust/IdenTrust_Commercial_Root_CA_1.der"

# the extracted ECDSA companion of the mirror token is an ordinary RFC 3161 token for OpenSSL:
# both TSA certificates share the subject that TSTInfo.tsa names
out=$(openssl ts -verify -token_in -in "$W/comp-pq.tst" -queryfile "$W/qpq.tsq" -CAfile "$P/ca-ecdsa.pem" 2>&1 || true)
grep -q '^Verification: OK$' <<<"$out" || die "openssl ts -verify of the extracted ECDSA companion:"$'\n'"$out"
ok

# every request failure answered with its failInfo (openssl's wording)
rej() { # QUERY_FILE FAILINFO_TEXT
	local rc=0
	"$C" ts-reply --query "$1" --keys "$P" --out "$W/rej.tsr" 2>/dev/null || rc=$?
	[ $rc -eq 1 ] || die "ts-reply on $1 exited $rc (want 1)"
	text_has "$W/rej.tsr" '^Status: Rejected\.$' "$2"
}
CORPUS=$CCTSA_SRC/fuzz/corpus/tsreq
rej "$CORPUS/sha1-badalg.tsq" 'unrecognized or unsupported algorithm identifier'
rej "$CORPUS/md5-badalg.tsq" 'unrecognized or unsupported algorithm identifier'
rej "$CORPUS/version2.tsq" 'transaction not permitted or supported'
rej "$CORPUS/imprint-short.tsq" 'transaction not permitted or supported'
rej "$CORPUS/trailing-byte.tsq" 'the data submitted has the wrong format'
rej "$CORPUS/critical-ext.tsq" 'the requested extension is not supported by the TSA'
rej "$CORPUS/sha256-other-policy.tsq" 'the requested TSA policy is not supported by the TSA'
rc=0
"$C" ts-reply --query "$W/q-yes.tsq" --keys "$P" --out "$W/x.tsr" --policy 1.2.3 2>/dev/null || rc=$?
[ $rc -eq 2 ] || die "ts-reply --policy 1.2.3 exited $rc (want 2: misuse)"
ok
# CLI misuse (exit 2) and failures (exit 1), key loading errors
exits() { # WANT CMD...
	local want=$1 rc=0
	shift
	"$@" > /dev/null 2>&1 || rc=$?
	[ $rc -eq "$want" ] || die "$* exited $rc, want $want"
	ok
}
exits 2 "$C" ts-reply --query "$W/q-yes.tsq" --keys "$P"
exits 2 "$C" verify --in "$W/r-yes.tsr" --ca-ecdsa "$P/ca-ecdsa.pem"
exits 2 "$C" verify --in "$W/r-yes.tsr" --query "$W/q-yes.tsq" --data "$W/data" --ca-ecdsa "$P/ca-ecdsa.pem"
exits 0 "$C" verify --help
exits 0 "$C" ts-reply --help
exits 1 "$C" ts-reply --query "$W/q-yes.tsq" --keys "$W/nonexistent" --out "$W/x.tsr"
mkdir "$W/badkeys" && cp "$P"/*.pem "$W/badkeys/" && cp "$P/tsa-mldsa.key" "$W/badkeys/"
cp "$P/tsa-mldsa.key" "$W/badkeys/tsa-ecdsa.key" # an ML-DSA key where the ECDSA key belongs
exits 1 "$C" ts-reply --query "$W/q-yes.tsq" --keys "$W/badkeys" --out "$W/x.tsr"
[ ! -e "$W/x.tsr" ] || die "a response was written despite the key error"
cp "$P/tsa-ecdsa.key" "$W/badkeys/tsa-ecdsa.key"
cp "$P/ca-ecdsa.key" "$W/badkeys/tsa-mldsa.key" # an ECDSA key where the ML-DSA key belongs
exits 1 "$C" ts-reply --query "$W/q-yes.tsq" --keys "$W/badkeys" --out "$W/x.tsr"
exits 1 "$C" verify --in "$W/nonexistent.tsr" --query "$W/q-yes.tsq" --ca-ecdsa "$P/ca-ecdsa.pem"
exits 1 "$C" verify --in "$W/r-yes.tsr" --query "$W/q-yes.tsq" --ca-ecdsa "$W/data"
exits 1 "$C" verify --in "$W/r-yes.tsr" --query "$W/q-yes.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --binding "$W/data"
exits 2 "$CCTSA_BIN/cctsa-gateway" --port 0
exits 1 "$CCTSA_BIN/cctsa-gateway" --keys "$W/nonexistent" --port 0
exits 2 "$CCTSA_BIN/cctsa-gateway" --keys "$P" --port 70000
[ "$pass" -eq 56 ] || die "$pass checks ran, expected 56"
echo "interop: $pass checks passed"
