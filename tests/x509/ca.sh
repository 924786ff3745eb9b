#!/usr/bin/env bash
# cctsa ca: init a 3-of-5 CA, issue TSA certificates for an ECDSA and an ML-DSA CSR
# (openssl verify / Node 26 + pkijs accept them), refuse too few, foreign and
# damaged shards and forged CSRs, and show that no file in CADIR holds a private key.
set -u
fail() { echo "ca.sh: FAIL: $*" >&2; exit 1; }
cctsa=${CCTSA_BIN:?}/cctsa
node=${CCTSA_NODE:?}
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ca=$t/ca
s() { echo "$ca/shards/custodian-$1.shard"; }

"$cctsa" ca init --dir "$ca" --custodians 5 --threshold 3 --master Alice --witness Bob >/dev/null ||
	fail "ca init"
"$cctsa" ca init --dir "$t/other" --custodians 3 --threshold 2 >/dev/null || fail "second ca init"
"$cctsa" ca init --dir "$ca" --custodians 5 --threshold 3 2>/dev/null; [ $? -eq 1 ] || fail "init over a CA must fail"
"$cctsa" ca init --dir "$t/x" --custodians 2 --threshold 3 2>/dev/null; [ $? -eq 2 ] || fail "M > N must exit 2"
for i in 1 2 3 4 5; do [ "$(stat -c %a "$(s $i)")" = 600 ] || fail "shard $i mode"; done
jq -e '.kind == "ca-init" and .outcome == "completed"' "$ca/ceremony/ca-init.json" >/dev/null ||
	fail "ceremony transcript"
grep -q "Alice" "$ca/ceremony/ca-init.md" || fail "transcript markdown lacks the ceremony master"

"$cctsa" testpki --out "$t/p" >/dev/null || fail "testpki"
"$cctsa" testpki csr --key "$t/p/tsa-ecdsa.key" --binding "$t/p/binding.json" --cn "TSA node cluster" \
	--out "$t/e.csr" || fail "ecdsa csr"
"$cctsa" testpki csr --key "$t/p/tsa-mldsa.key" --binding "$t/p/binding.json" --out "$t/m.csr" || fail "mldsa csr"
openssl req -in "$t/e.csr" -noout -verify 2>&1 | grep -q "verify OK" || fail "openssl rejects the ECDSA CSR"

"$cctsa" ca issue --dir "$ca" --csr "$t/e.csr" --shard "$(s 1)" "$(s 3)" "$(s 5)" --out "$t/e.pem" --days 90 \
	>/dev/null || fail "issue ECDSA"
out=$(openssl verify -purpose timestampsign -CAfile "$ca/root-ecdsa.pem" "$t/e.pem" 2>&1) || fail "openssl verify: $out"
txt=$(openssl x509 -in "$t/e.pem" -noout -text)
for want in "X509v3 Extended Key Usage: critical" "Time Stamping" "Policy: 1.3.6.1.4.1.32473.1.4" \
	"1.3.6.1.4.1.32473.1.1:" "CN = TSA node cluster"; do
	grep -qF "$want" <<<"$txt" || fail "issued certificate lacks '$want'"
done
a=$(openssl x509 -in "$t/e.pem" -noout -pubkey)
b=$(openssl pkey -in "$t/p/tsa-ecdsa.key" -pubout)
[ "$a" = "$b" ] || fail "issued certificate is not for the CSR's key"
"$node" "$here/verify_chain.cjs" "$ca/root-ecdsa.pem" "$t/e.pem" --tsa >/dev/null || fail "node: ECDSA"

"$cctsa" ca issue --dir "$ca" --csr "$t/m.csr" --shard "$(s 2)" --shard "$(s 4)" --shard "$(s 5)" \
	--out "$t/m.pem" >/dev/null || fail "issue ML-DSA"
"$node" "$here/verify_chain.cjs" "$ca/root-mldsa.pem" "$t/m.pem" --tsa || fail "node: ML-DSA"
"$node" "$here/key_matches.cjs" "$t/p/tsa-mldsa.key" "$t/m.pem" >/dev/null || fail "ML-DSA certificate key"
"$node" "$here/verify_chain.cjs" "$ca/root-ecdsa.pem" "$t/m.pem" 2>/dev/null && fail "ML-DSA cert under ECDSA root"

# Refusals: each exits 1 with a message naming the cause.
expect_fail() { # what, needle, args...
	local what=$1 needle=$2; shift 2
	local msg
	msg=$("$cctsa" ca issue --dir "$ca" --out "$t/bad.pem" "$@" 2>&1 >/dev/null)
	[ $? -eq 1 ] || fail "$what: not refused"
	grep -qF -- "$needle" <<<"$msg" || fail "$what: message '$msg' lacks '$needle'"
	[ -e "$t/bad.pem" ] && fail "$what: a certificate was written"
	return 0
}
expect_fail "two shards" "3 are needed" --csr "$t/e.csr" --shard "$(s 1)" "$(s 2)"
expect_fail "foreign shard" "another CA" --csr "$t/e.csr" --shard "$(s 1)" "$(s 2)" "$t/other/shards/custodian-1.shard"
expect_fail "duplicate shard" "custodian-2" --csr "$t/e.csr" --shard "$(s 2)" "$(s 1)" "$(s 2)"
sed 's/^\([0-9a-f]\)\([0-9a-f]\)/\2\1/' "$(s 4)" >"$t/damaged.shard"
cmp -s "$t/damaged.shard" "$(s 4)" && fail "could not damage the shard"
expect_fail "damaged shard" "damaged.shard" --csr "$t/e.csr" --shard "$(s 1)" "$(s 2)" "$t/damaged.shard"
"$cctsa" testpki csr --key "$t/p/tsa-ecdsa.key" --out "$t/nobind.csr" || fail "csr without binding"
expect_fail "CSR without binding" "binding" --csr "$t/nobind.csr" --shard "$(s 1)" "$(s 2)" "$(s 3)"
openssl req -in "$t/e.csr" -outform DER -out "$t/e.der"
size=$(stat -c %s "$t/e.der")
printf '\x00' | dd of="$t/e.der" bs=1 seek=$((size - 3)) conv=notrunc 2>/dev/null
expect_fail "forged CSR" "does not verify" --csr "$t/e.der" --shard "$(s 1)" "$(s 2)" "$(s 3)"
"$cctsa" ca issue --dir "$ca" --csr "$t/e.csr" --out "$t/x.pem" 2>/dev/null; [ $? -eq 2 ] || fail "no shards must exit 2"

# Issuance transcripts: one completed per certificate, one aborted per refusal after the CSR was read.
done_n=0
for f in "$ca"/ceremony/ca-issue-*.json; do
	case $f in
	*refused*) jq -e '.outcome == "aborted" and (.steps | last | .outcome == "failed")' "$f" >/dev/null ||
		fail "$f is not an aborted transcript" ;;
	*) jq -e '.outcome == "completed" and ([.participants[].role] | index("shard-custodian") != null)' "$f" \
		>/dev/null || fail "$f is not a completed transcript"; done_n=$((done_n + 1)) ;;
	esac
done
[ $done_n -eq 2 ] || fail "expected 2 completed issuance transcripts, found $done_n"
[ "$(ls "$ca"/ceremony/ca-issue-refused-*.json | wc -l)" -eq 6 ] || fail "expected 6 refusal transcripts"

# No file in CADIR is, or contains, a private key.
while IFS= read -r f; do
	grep -q "PRIVATE KEY" "$f" && fail "$f contains a PEM private key"
	openssl pkey -in "$f" -noout 2>/dev/null && fail "openssl loads $f as a key"
	openssl pkey -inform DER -in "$f" -noout 2>/dev/null && fail "openssl loads $f as a DER key"
	"$node" -e "require('crypto').createPrivateKey(require('fs').readFileSync(process.argv[1]))" "$f" 2>/dev/null &&
		fail "node loads $f as a key"
done < <(find "$ca" -type f)
[ "$(wc -l <"$ca/issuance.log")" -eq 2 ] || fail "issuance.log should have 2 records"
if "$cctsa" audit --help >/dev/null 2>&1; then
	"$cctsa" audit verify "$ca/issuance.log" >/dev/null || fail "cctsa audit verify issuance.log"
fi
echo "ca.sh: ok"
