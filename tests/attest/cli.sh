#!/usr/bin/env bash
# cctsa attest: the eight real reports verify with the README's values; tampered,
# expired, mismatched and simulated-as-real inputs fail; misuse exits 2.
set -u
bin=${CCTSA_BIN:?}/cctsa
T=${CCTSA_TESTDATA:?}/sevsnp
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
expect() { # want-exit description command...
	local want=$1 what=$2 got
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $what: exit $got, want $want"
		tail -20 "$work/out" "$work/err"
	fi
}
grep_out() { # pattern description
	if grep -q -- "$1" "$work/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi
}
AT=2025-06-01
# report vek ask ark measurement report_data extra-options
cases=(
"go-sev-guest/attestation.bin|go-sev-guest/vcek.testcer|go-sev-guest/ask_ark_milan.pem|go-sev-guest/ask_ark_milan.pem|b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01|0102030405|--allow-debug"
"derived/virtee_report_milan.bin|virtee-sev/vcek_milan.der|virtee-sev/builtin_milan_ask.pem|virtee-sev/builtin_milan_ark.pem|7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f|d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd|"
"trustee/test-report.bin|trustee/test-vcek.der|trustee/milan_ask_ark_asvk.pem|trustee/milan_ask_ark_asvk.pem|a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c|ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2|--min-tcb 3:0:8:115"
"trustee/test-vlek-report.bin|trustee/test-vlek.der|go-sev-guest/ask_ark_milan_vlek.pem|go-sev-guest/ask_ark_milan_vlek.pem|8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0|819770b7e6ea6df8dd8fd4dd146b073c0bf4f3ce5b0977ecac486e3a05ed1bd54e2a7ac1f5d1ca02e7d7d5ef9f73b8574fd9359e3a480d741a4478e8a7bc27ca|--vmpl 1"
"derived/azure_milan_snp_report.bin|trustee/az-snp-vtpm/vcek.pem|trustee/az-snp-vtpm/vcek.pem|trustee/az-snp-vtpm/vcek.pem|9ac48fcac8a2d88aeeff8d427ad4f2be0e3917c748a18bdf52cc317e7fe20308b459d5ef1a12e0c22944eb386d17c315|b3fbad6514c83caeb0380882145e49f794229ef37c421b91fc47ff93556bafac|"
"derived/azure_milan_v0_snp_report.bin|derived/azure_milan_v0_vcek.pem|go-sev-guest/ask_ark_milan.pem|go-sev-guest/ask_ark_milan.pem|6a063be9dd79f6371c842e480f8dc3b5c725961344e57130e88c5adf49e8f7f6c79b75a5eb77fc769959f4aeb2f9401e|af2910341dd8108360e485f1b72494255190b9cdd5ccb44b73b883037cf99f21|"
"derived/azure_genoa_snp_report.bin|trustee/az-snp-vtpm/vcek-genoa.pem|go-sev-guest/ask_ark_genoa.pem|go-sev-guest/ask_ark_genoa.pem|f57dc09a507c6ecd82369bffb600f0003792f4d99bc26e985ec0c266fc34faf3706faf814c9e61065768a6ff917c89ae|b581f12e29a2d7d64e5e0b738d563879a78b51c644d0fa0cce02b48699f6bf5f|"
"derived/trustee_e2e_genoa_snp_report.bin|derived/trustee_e2e_vcek.der|virtee-sev/builtin_genoa_ask.pem|virtee-sev/builtin_genoa_ark.pem|6a6519d757e68c2e939c9dbbbc1828498e8de35d2766dd05f1a2cca5059d0cf4ae62a36d75c837974dd50b315506e73e|7e7320889600c7ac133aea7b896c51f41026002982292a7369559796999c1bf929eef3ff23c46e858f0b1982f9a92b17c51b578d958cde6b0c92978f150cf9b0|"
)
for c in "${cases[@]}"; do
	IFS='|' read -r rep vek ask ark meas rd extra <<<"$c"
	# shellcheck disable=SC2086
	expect 0 "verify $rep" "$bin" attest verify --report "$T/$rep" --vcek "$T/$vek" --ask "$T/$ask" \
		--ark "$T/$ark" --at "$AT" --measurement "$meas" --report-data "$rd" $extra
	grep_out "^result: VERIFIED$" "$rep: all checks pass, none skipped"
	# shellcheck disable=SC2086
	expect 1 "verify $rep with a wrong measurement" "$bin" attest verify --report "$T/$rep" --vcek "$T/$vek" \
		--ask "$T/$ask" --ark "$T/$ark" --at "$AT" --measurement "${meas:0:94}00" --report-data "$rd" $extra
	grep_out "measurement   FAIL" "$rep: measurement check fails"
	expect 0 "decode $rep" "$bin" attest decode --report "$T/$rep"
done

V="--report $T/trustee/test-vlek-report.bin --vcek $T/trustee/test-vlek.der --ask $T/go-sev-guest/ask_ark_milan_vlek.pem --ark $T/go-sev-guest/ask_ark_milan_vlek.pem --vmpl 1"
# shellcheck disable=SC2086
expect 1 "expired VLEK without --at" "$bin" attest verify $V
grep_out "vek           FAIL .*not valid at" "expired VLEK reported as such"
# shellcheck disable=SC2086
expect 0 "expired VLEK with --at inside" "$bin" attest verify $V --at 2025-12-01T12:00:00Z
# shellcheck disable=SC2086
expect 1 "VLEK before its notBefore" "$bin" attest verify $V --at @1733702400
# shellcheck disable=SC2086
expect 1 "debug policy refused by default" "$bin" attest verify --report "$T/go-sev-guest/attestation.bin" \
	--vcek "$T/go-sev-guest/vcek.testcer" --ask "$T/go-sev-guest/ask_ark_milan.pem" --ark "$T/go-sev-guest/ask_ark_milan.pem" --at "$AT"
grep_out "policy        FAIL .*DEBUG" "debug policy named"
# go-sev-guest verifies this chain at 2022-09-24T01:00Z; the VCEK's notBefore is 00:55:28Z (inclusive)
G="--report $T/go-sev-guest/attestation.bin --vcek $T/go-sev-guest/vcek.testcer --ask $T/go-sev-guest/ask_ark_milan.pem --ark $T/go-sev-guest/ask_ark_milan.pem --allow-debug"
# shellcheck disable=SC2086
expect 0 "attestation.bin at 2022-09-24T01:00Z" "$bin" attest verify $G --at 2022-09-24T01:00:00Z
# shellcheck disable=SC2086
expect 0 "attestation.bin at notBefore" "$bin" attest verify $G --at 2022-09-24T00:55:28Z
# shellcheck disable=SC2086
expect 1 "attestation.bin one second before notBefore" "$bin" attest verify $G --at 2022-09-24T00:55:27Z
# shellcheck disable=SC2086
expect 0 "attestation.bin at notAfter" "$bin" attest verify $G --at 2029-09-24T00:55:28Z
# shellcheck disable=SC2086
expect 1 "attestation.bin one second after notAfter" "$bin" attest verify $G --at 2029-09-24T00:55:29Z
for bad in trustee/test-vcek-invalid-legacy.der trustee/test-vcek-invalid-new.der; do
	expect 1 "invalid VCEK $bad" "$bin" attest verify --report "$T/trustee/test-report.bin" --vcek "$T/$bad" \
		--ask "$T/trustee/milan_ask_ark_asvk.pem" --ark "$T/trustee/milan_ask_ark_asvk.pem" --at "$AT"
done
expect 0 "decode Turin VCEK" "$bin" attest decode --vcek "$T/virtee-sev/vcek_turin.der"
grep_out "bl 0 tee 0 snp 0 ucode 9 fmc 0" "Turin VCEK TCB with fmc"
grep_out "hwID *1e550a8ee5cf9f4d$" "Turin 8-byte hwID"
expect 1 "decode invalid-new VCEK (66-byte hwID)" "$bin" attest decode --vcek "$T/trustee/test-vcek-invalid-new.der"
head -c 1000 "$T/trustee/test-report.bin" >"$work/short.bin"
expect 1 "decode truncated" "$bin" attest decode --report "$work/short.bin"

# simulator
expect 0 "sim-report" "$bin" attest sim-report --report-data 00112233 --out "$work/sim.bin" --chain-out "$work/chain" \
	--measurement "$(printf 'ab%.0s' {1..48})" --rsa-bits 2048
S="--report $work/sim.bin --vcek $work/chain/vcek.pem --ask $work/chain/ask.pem --ark $work/chain/ark.pem"
# shellcheck disable=SC2086
expect 0 "sim report, sim chain, --allow-sim" "$bin" attest verify $S --allow-sim --report-data 00112233 \
	--measurement "$(printf 'ab%.0s' {1..48})"
grep_out "^result: VERIFIED (SIMULATED platform" "sim result marked SIMULATED"
grep_out "chip_id       pass  SIMULATED" "sim chip id marked"
# shellcheck disable=SC2086
expect 1 "sim report presented as real" "$bin" attest verify $S --report-data 00112233
grep_out "ark           FAIL .*not a pinned AMD root" "sim root refused without --allow-sim"
expect 1 "sim report against AMD Milan chain" "$bin" attest verify --report "$work/sim.bin" \
	--vcek "$T/trustee/test-vcek.der" --ask "$T/trustee/milan_ask_ark_asvk.pem" --ark "$T/trustee/milan_ask_ark_asvk.pem" --allow-sim
expect 2 "sim-report missing --out" "$bin" attest sim-report --report-data 00 --chain-out "$work/chain"
expect 2 "bad hex" "$bin" attest verify $S --measurement zz
expect 2 "bad --at" "$bin" attest verify $S --at yesterday
expect 2 "unknown subcommand" "$bin" attest frobnicate
expect 2 "no subcommand" "$bin" attest
expect 0 "help" "$bin" attest --help
expect 1 "get-report without a device" "$bin" attest get-report --report-data 00 --out "$work/x.bin" \
	--device "$work/no-such-device"

echo "attest cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
