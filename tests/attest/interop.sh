#!/usr/bin/env bash
# Interop: an independent verifier (Node 26 with OpenSSL 3.5) accepts the reports and
# chains our simulator makes, and agrees with us on the real reports; `openssl verify`
# accepts the simulator's chain. Tampered sim reports are refused by both sides.
set -u
bin=${CCTSA_BIN:?}/cctsa
node=${CCTSA_NODE:?}
T=${CCTSA_TESTDATA:?}/sevsnp
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
[ -x "$node" ] || { echo "Node not found at $node"; exit 1; }

real=(
"go-sev-guest/attestation.bin go-sev-guest/vcek.testcer go-sev-guest/ask_ark_milan.pem go-sev-guest/ask_ark_milan.pem"
"derived/virtee_report_milan.bin virtee-sev/vcek_milan.der virtee-sev/builtin_milan_ask.pem virtee-sev/builtin_milan_ark.pem"
"trustee/test-report.bin trustee/test-vcek.der trustee/milan_ask_ark_asvk.pem trustee/milan_ask_ark_asvk.pem"
"trustee/test-vlek-report.bin trustee/test-vlek.der go-sev-guest/ask_ark_milan_vlek.pem go-sev-guest/ask_ark_milan_vlek.pem"
"derived/azure_milan_snp_report.bin trustee/az-snp-vtpm/vcek.pem trustee/az-snp-vtpm/vcek.pem trustee/az-snp-vtpm/vcek.pem"
"derived/azure_milan_v0_snp_report.bin derived/azure_milan_v0_vcek.pem go-sev-guest/ask_ark_milan.pem go-sev-guest/ask_ark_milan.pem"
"derived/azure_genoa_snp_report.bin trustee/az-snp-vtpm/vcek-genoa.pem go-sev-guest/ask_ark_genoa.pem go-sev-guest/ask_ark_genoa.pem"
"derived/trustee_e2e_genoa_snp_report.bin derived/trustee_e2e_vcek.der virtee-sev/builtin_genoa_ask.pem virtee-sev/builtin_genoa_ark.pem"
)
for c in "${real[@]}"; do
	read -r rep vek ask ark <<<"$c"
	if "$node" "$here/node_verify.mjs" "$T/$rep" "$T/$vek" "$T/$ask" "$T/$ark" >"$work/o" 2>&1; then ok; else ko "node on $rep: $(cat "$work/o")"; fi
done

for i in 1 2 3; do
	d="$work/sim$i"
	"$bin" attest sim-report --report-data "$(printf '%02x' "$i")ff" --out "$d.bin" --chain-out "$d" --rsa-bits 2048 \
		>/dev/null || { ko "sim-report $i"; continue; }
	if "$node" "$here/node_verify.mjs" "$d.bin" "$d/vcek.pem" "$d/ask.pem" "$d/ark.pem" >"$work/o" 2>&1; then ok; else ko "node on sim $i: $(cat "$work/o")"; fi
	if openssl verify -CAfile "$d/ark.pem" -untrusted "$d/ask.pem" "$d/vcek.pem" >"$work/o" 2>&1; then ok; else ko "openssl verify sim $i: $(cat "$work/o")"; fi
	# one flipped bit in the signed part and in s: both verifiers refuse
	for off in 100 800; do
		cp "$d.bin" "$d.bad"
		b=$(od -An -tu1 -j "$off" -N1 "$d.bad" | tr -d ' ')
		printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$d.bad" bs=1 seek="$off" conv=notrunc 2>/dev/null
		if "$node" "$here/node_verify.mjs" "$d.bad" "$d/vcek.pem" "$d/ask.pem" "$d/ark.pem" >/dev/null 2>&1; then ko "node accepted tampered sim $i@$off"; else ok; fi
		if "$bin" attest verify --report "$d.bad" --vcek "$d/vcek.pem" --ask "$d/ask.pem" --ark "$d/ark.pem" --allow-sim >/dev/null 2>&1; then ko "cctsa accepted tampered sim $i@$off"; else ok; fi
	done
done
echo "attest interop: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
