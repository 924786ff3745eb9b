#!/usr/bin/env bash
# `cctsa verify` on the real RFC 3161 tokens of ../shared/testdata/rfc3161/: every
# token is accepted or rejected as that folder's README says (paths validated at
# genTime; trust anchors and untrusted certificates as the README's checks use).
set -euo pipefail
: "${CCTSA_BIN:?run through ctest}" "${CCTSA_TESTDATA:?run through ctest}"
T=$CCTSA_TESTDATA/rfc3161
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0

# split FILE PREFIX: one PEM file per certificate, PREFIX1.pem, PREFIX2.pem, ...
split() { awk -v out="$W/$2" 'BEGIN{n=0} /BEGIN CERT/{n++} n>0{print > (out n ".pem")}' "$1"; }
# token_certs RESP OUT: the certificates embedded in a response's token
token_certs() {
	openssl ts -reply -in "$1" -token_out -out "$W/tok.der" 2>/dev/null
	openssl pkcs7 -inform DER -in "$W/tok.der" -print_certs -out "$2"
}
# expect VERDICT REASON|- ARGS...: runs cctsa verify and checks verdict, exit code and reason
expect() {
	local want=$1 reason=$2 out rc=0 code=1
	shift 2
	out=$("$CCTSA_BIN/cctsa" verify "$@" 2>&1) || rc=$?
	case $want in "FULLY VERIFIED"|"CLASSICALLY VERIFIED"|"POST-QUANTUM VERIFIED") code=0 ;; esac
	if [ "$(tail -n1 <<<"$out")" != "$want" ] || [ "$rc" -ne "$code" ] ||
		{ [ "$reason" != - ] && ! grep -qF -- "$reason" <<<"$out"; }; then
		echo "FAIL: cctsa verify $* -> exit $rc, wanted $want ($reason):"
		echo "$out"
		exit 1
	fi
	pass=$((pass + 1))
}

S=$T/real-tsa/sigstage
split "$S/ts_chain.pem" sig
for h in 256 384 512; do
	expect "CLASSICALLY VERIFIED" - --in "$S/response-sha$h.tsr" --data "$S/message.txt" --ca-ecdsa "$W/sig2.pem"
done
expect "CLASSICALLY VERIFIED" - --in "$S/response-no-embedded-cert.tsr" --data "$S/message.txt" \
	--ca-ecdsa "$W/sig2.pem" --untrusted "$W/sig1.pem"
expect REJECT "signer certificate not found" --in "$S/response-no-embedded-cert.tsr" --data "$S/message.txt" \
	--ca-ecdsa "$W/sig2.pem"
printf 'hellO' > "$W/other.txt"
expect REJECT "does not match the data" --in "$S/response-sha256.tsr" --data "$W/other.txt" --ca-ecdsa "$W/sig2.pem"
expect REJECT "nonce differs" --in "$S/response-sha512.tsr" --query "$S/request.tsq" --ca-ecdsa "$W/sig2.pem"
# an unrelated root is no path
expect REJECT "certificate path" --in "$S/response-sha256.tsr" --data "$S/message.txt" \
	--ca-ecdsa "$T/real-tsa/ietf-cms-fixtures/DigiCert_Assured_ID_Root_CA.pem"

ID=$T/real-tsa/identrust
expect "CLASSICALLY VERIFIED" - --in "$ID/issue-104.tsr" --data "$ID/message.txt" \
	--ca-ecdsa "$ID/IdenTrust_Commercial_Root_CA_1.der"

G=$T/real-tsa/globalsign-digitorus
token_certs "$G/respNonce.tsr" "$W/gs.pem"
expect "CLASSICALLY VERIFIED" - --in "$G/respNonce.tsr" --query "$G/reqNonce.tsq" --ca-ecdsa "$W/gs.pem"
expect "CLASSICALLY VERIFIED" - --in "$G/respNoNonce.tsr" --query "$G/reqNoNonce.tsq" --ca-ecdsa "$W/gs.pem"
expect "CLASSICALLY VERIFIED" - --in "$G/respNoCert.tsr" --query "$G/reqNoCert.tsq" --ca-ecdsa "$W/gs.pem" \
	--untrusted "$W/gs.pem"
expect REJECT "nonce differs" --in "$G/respNonce.tsr" --query "$G/reqNoCert.tsq" --ca-ecdsa "$W/gs.pem"
expect REJECT "not granted (rejection)" --in "$G/respRejection.tsr" --query "$G/reqNonce.tsq" --ca-ecdsa "$W/gs.pem"
openssl ts -query -digest 2da82c1572ff020524e05069219975c9ba90723f1a4dd5b9722aee8ec547a2ff -sha256 -no_nonce \
	-out "$W/tst.tsq" 2>/dev/null
expect "CLASSICALLY VERIFIED" - --in "$G/timeStampToken.tst" --query "$W/tst.tsq" \
	--ca-ecdsa "$G/GlobalSign_Root_CA_-_R3.pem"

I=$T/real-tsa/ietf-cms-fixtures
expect "CLASSICALLY VERIFIED" - --in "$I/digicert.tsr" --data "$I/message.txt" \
	--ca-ecdsa "$I/DigiCert_Assured_ID_Root_CA.pem"
for f in symantec-g2 comodo globalsign-standard-g2; do # no certificates inside: parse, no signer
	expect REJECT "signer certificate not found" --in "$I/$f.tsr" --data "$I/message.txt" \
		--ca-ecdsa "$I/DigiCert_Assured_ID_Root_CA.pem"
done
expect REJECT "certificate path" --in "$I/symantec-g3-with-certs.tsr" --data "$I/message.txt" \
	--ca-ecdsa "$I/DigiCert_Assured_ID_Root_CA.pem"
token_certs "$I/symantec-g3-with-certs.tsr" "$W/sy.pem"
expect "CLASSICALLY VERIFIED" - --in "$I/symantec-g3-with-certs.tsr" --data "$I/message.txt" --ca-ecdsa "$W/sy.pem"
expect REJECT "not granted (rejection)" --in "$I/rejection-wrong-format.tsr" --data "$I/message.txt" \
	--ca-ecdsa "$I/DigiCert_Assured_ID_Root_CA.pem"

N=$T/negative L=$T/local-test-tsa
split "$L/ts_chain.pem" loc
cat "$W/loc1.pem" "$W/loc2.pem" > "$W/loc-untrusted.pem"
expect REJECT "signature does not verify" --in "$N/sigstage-response-invalid-signature.tsr" --data "$S/message.txt" \
	--ca-ecdsa "$W/sig2.pem"
expect "CLASSICALLY VERIFIED" - --in "$L/response.tsr" --query "$L/request.tsq" --ca-ecdsa "$W/loc3.pem" \
	--untrusted "$W/loc-untrusted.pem"
expect REJECT "certificate path" --in "$L/other_response.tsr" --query "$L/other_request.tsq" \
	--ca-ecdsa "$W/loc3.pem" --untrusted "$W/loc-untrusted.pem"
# injected certificates: the signer is chosen by sid, so the real chain verifies ...
expect "CLASSICALLY VERIFIED" - --in "$N/response-injected-certs.tsr" --query "$L/request.tsq" \
	--ca-ecdsa "$W/loc3.pem" --untrusted "$W/loc-untrusted.pem"
# ... and trusting the injected self-signed 'Test TSA Timestamping' does not make it verify
token_certs "$N/response-injected-certs.tsr" "$W/inj.pem"
split "$W/inj.pem" inj
for f in "$W"/inj[0-9].pem; do
	if [ "$(openssl x509 -in "$f" -noout -subject)" = "subject=O = local, CN = Test TSA Timestamping" ] &&
		[ "$(openssl x509 -in "$f" -noout -issuer)" = "issuer=O = local, CN = Test TSA Timestamping" ]; then
		expect REJECT "certificate path" --in "$N/response-injected-certs.tsr" --query "$L/request.tsq" --ca-ecdsa "$f"
	fi
done
split "$N/sigstore-mock-ts_chain.pem" mock
expect "CLASSICALLY VERIFIED" - --in "$N/sigstore-mock-response-expired.tsr" --data "$N/sigstore-mock-payload.bin" \
	--ca-ecdsa "$W/mock2.pem" --untrusted "$W/mock1.pem"
[ "$pass" -eq 28 ] || { echo "FAIL: $pass checks ran, expected 28"; exit 1; }
echo "realtokens: $pass verdicts as the README says"
