#!/usr/bin/env bash
# cctsa mldsa: the first record of the KAT kat_MLDSA_65_det_pure.rsp through the CLI
# (keygen from xi gives its pk and sk, deterministic signing with its ctx gives its
# signature), verify exit codes (0 valid, 1 invalid, 2 misuse), the key formats,
# and the private key file mode.
set -euo pipefail
cctsa="$CCTSA_BIN/cctsa"
kat="$CCTSA_TESTDATA/mldsa/kat-pqc-katrepo/kat_MLDSA_65_det_pure.rsp"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*"; exit 1; }
field() { awk -v k="$1" '$1 == k && $2 == "=" { print $3; exit }' "$kat"; }
expect_rc() { # rc, command...
	local want=$1 rc=0; shift
	"$@" >out.txt 2>err.txt || rc=$?
	[ "$rc" -eq "$want" ] || { cat out.txt err.txt; fail "exit $rc, want $want: $*"; }
}

xi=$(field xi); msg=$(field msg); ctx=$(field ctx); sm=$(field sm)
echo -n "$msg" | xxd -r -p > msg
"$cctsa" mldsa keygen --seed "$xi" --pk pk --sk sk
[ "$(xxd -p pk | tr -d '\n')" = "$(field pk)" ] || fail "pk differs from the KAT"
[ "$(xxd -p sk | tr -d '\n')" = "$(field sk)" ] || fail "sk differs from the KAT"
[ "$(stat -c %a sk)" = 600 ] || fail "private key file mode is $(stat -c %a sk)"
"$cctsa" mldsa sign --sk sk --in msg --ctx "$ctx" --deterministic --out sig
[ "$(xxd -p sig | tr -d '\n')" = "${sm:0:6618}" ] || fail "signature differs from the KAT"
expect_rc 0 "$cctsa" mldsa verify --pk pk --in msg --sig sig --ctx "$ctx"
expect_rc 1 "$cctsa" mldsa verify --pk pk --in msg --sig sig
printf 'x' >> msg
expect_rc 1 "$cctsa" mldsa verify --pk pk --in msg --sig sig --ctx "$ctx"
head -c 100 sig > short
expect_rc 1 "$cctsa" mldsa verify --pk pk --in msg --sig short

# formats: PEM/DER keys sign and verify interchangeably with raw ones
"$cctsa" mldsa keygen --alg 87 --pk p.pem --sk s.pem --format pem
"$cctsa" mldsa pubkey --sk s.pem --pk p.der --format der
"$cctsa" mldsa pubkey --sk s.pem --pk p.raw
[ "$(stat -c %s p.raw)" = 2592 ] || fail "ML-DSA-87 raw public key size"
grep -q 'BEGIN PRIVATE KEY' s.pem || fail "PEM private key armour"
"$cctsa" mldsa sign --sk s.pem --in msg --out s87
expect_rc 0 "$cctsa" mldsa verify --pk p.der --in msg --sig s87
expect_rc 0 "$cctsa" mldsa verify --pk p.raw --in msg --sig s87
expect_rc 1 "$cctsa" mldsa verify --pk pk --in msg --sig s87

# misuse and bad input
expect_rc 0 "$cctsa" mldsa --help
expect_rc 2 "$cctsa" mldsa
expect_rc 2 "$cctsa" mldsa frobnicate
expect_rc 2 "$cctsa" mldsa keygen --pk a
expect_rc 2 "$cctsa" mldsa keygen --alg 66 --pk a --sk b
expect_rc 2 "$cctsa" mldsa keygen --seed 00 --pk a --sk b
expect_rc 2 "$cctsa" mldsa keygen --format txt --pk a --sk b
expect_rc 2 "$cctsa" mldsa sign --sk sk --in msg --out x --ctx zz
expect_rc 2 "$cctsa" mldsa sign --sk sk --in msg --out x --ctx "$(printf '%0512d' 0)"
expect_rc 1 "$cctsa" mldsa sign --sk msg --in msg --out x
expect_rc 1 "$cctsa" mldsa sign --sk missing --in msg --out x
expect_rc 1 "$cctsa" mldsa verify --pk msg --in msg --sig sig
grep -q 'msg' err.txt || fail "error message names the file"
echo "mldsa cli: ok"
