#!/usr/bin/env bats
# scripts/cctsa-rotate.sh. The cluster is stood in for by files (health, binding and
# attestation served through file:// URLs) and by operator hooks written here; the
# script, cctsa (version, audit) and every check are the real ones.

setup() {
	ROT="${CCTSA_SRC:?run through ctest}/scripts/cctsa-rotate.sh"
	export CCTSA="${CCTSA_BIN:?}/cctsa"
	W=$(mktemp -d)
	E="$W/evidence"
	for n in 1 2; do
		mkdir -p "$W/node$n"
		echo '{"status":"ok"}' > "$W/node$n/health"
		echo '{"launch_measurement":"aa11","dkg_transcript_sha384":"01"}' > "$W/node$n/binding"
		echo '{"measurement":"aa11"}' > "$W/node$n/attestation"
	done
	export CCTSA_ROTATION_HEALTHCHECK_URLS="file://$W/node1/health,file://$W/node2/health"
	export CCTSA_ROTATION_NEW_IMAGE=registry.example/cctsa-core:2.0
	export CCTSA_ROTATION_PREVIOUS_IMAGE=registry.example/cctsa-core:1.9
	# A well-behaved hook: records each step, produces what the step must produce, and
	# "deploys" by changing what the nodes serve.
	cat > "$W/hook.sh" <<'HOOK'
#!/usr/bin/env bash
set -e
set -- "${!#}" # the step is the last argument
echo "$1 image=$CCTSA_ROTATION_IMAGE action=$CCTSA_ROTATION_ACTION env=$CCTSA_ROTATION_ENV" >> "$HOOK_TRACE"
[ "$1" != "${HOOK_FAIL_AT:-}" ] || { echo "hook: $1 went wrong" >&2; exit 7; }
a=$CCTSA_ROTATION_ARTEFACTS
pki=$HOOK_NODES/pki # real keys and CSRs (cctsa testpki) standing in for the DKG's
case "$1" in
dkg) [ -n "${HOOK_SKIP_DKG:-}" ] || echo '{"transcript":1}' > "$a/dkg-transcript.json"
	[ -z "${HOOK_REAL_PKI:-}" ] || "$CCTSA" testpki --out "$pki" ${HOOK_MEASUREMENT:+--measurement "$HOOK_MEASUREMENT"} >/dev/null ;;
csr) if [ -n "${HOOK_REAL_PKI:-}" ]; then
		for k in ecdsa mldsa; do
			"$CCTSA" testpki csr --key "$pki/tsa-$k.key" --binding "$pki/binding.json" --out "$a/tsa-$k.csr"
		done
	else echo csr > "$a/tsa-ecdsa.csr"; echo csr > "$a/tsa-mldsa.csr"; fi ;;
certificate)
	if [ -z "${HOOK_REAL_PKI:-}" ]; then echo pem > "$a/tsa-ecdsa.pem"; echo pem > "$a/tsa-mldsa.pem"
	else # "install" on the (single, simulated) TSA: its keys, the new certificates, the CA roots
		mkdir -p "$HOOK_NODES/tsa"
		for k in ecdsa mldsa; do
			cp "$pki/tsa-$k.key" "$a/tsa-$k.pem" "$HOOK_NODES/tsa/"
			cp "$CCTSA_ROTATION_CA_DIR/root-$k.pem" "$HOOK_NODES/tsa/ca-$k.pem"
		done
	fi ;;
publish-binding)
	if [ -n "${HOOK_REUSE_BINDING:-}" ]; then cp "$HOOK_NODES/node1/binding" "$a/binding.json"
	elif [ -n "${HOOK_REAL_PKI:-}" ]; then cp "$pki/binding.json" "$a/binding.json"
	else echo '{"launch_measurement":"bb22","dkg_transcript_sha384":"02"}' > "$a/binding.json"; fi
	m=$(jq -r .launch_measurement "$a/binding.json")
	for n in 1 2; do
		cp "$a/binding.json" "$HOOK_NODES/node$n/binding"
		echo "{\"measurement\":\"$m\"}" > "$HOOK_NODES/node$n/attestation"
	done ;;
esac
HOOK
	chmod +x "$W/hook.sh"
	export HOOK_TRACE="$W/trace" HOOK_NODES="$W"
	export CCTSA_ROTATION_STAGE_CMD="$W/hook.sh"
	export CCTSA_ROTATION_ROLLBACK_CMD="$W/hook.sh"
}

teardown() {
	rm -rf "$W"
}

refute() { # fails the test if the command succeeds (a bare `! cmd` does not, in bats)
	if "$@"; then
		echo "expected to fail: $*"
		return 1
	fi
}

run_dir() {
	ls -d "$E"/*/ | head -n 1
}

@test "help, and misuse exits 2" {
	run "$ROT" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: cctsa-rotate.sh ACTION"* ]]
	run "$ROT" stage
	[ "$status" -eq 2 ]
	[[ "$output" == *"--env is required"* ]]
	run "$ROT" --env staging
	[ "$status" -eq 2 ]
	[[ "$output" == *"no action given"* ]]
	run "$ROT" stage --env qa
	[ "$status" -eq 2 ]
	run "$ROT" stage validate --env staging
	[ "$status" -eq 2 ]
}

@test "production without --confirm-production is refused before anything runs" {
	run "$ROT" stage --env production --evidence-dir "$E"
	[ "$status" -eq 2 ]
	[[ "$output" == *"refusing to touch production without --confirm-production"* ]]
	[ ! -e "$E" ]
	[ ! -e "$W/trace" ]
	run "$ROT" stage --env production --confirm-production
	[ "$status" -eq 2 ]
	[[ "$output" == *"--evidence-dir is required for production"* ]]
}

@test "every missing input is named at once" {
	unset CCTSA_ROTATION_STAGE_CMD CCTSA_ROTATION_NEW_IMAGE CCTSA_ROTATION_HEALTHCHECK_URLS
	run "$ROT" all --env staging --evidence-dir "$E"
	[ "$status" -eq 2 ]
	[[ "$output" == *"CCTSA_ROTATION_HEALTHCHECK_URLS"* ]]
	[[ "$output" == *"CCTSA_ROTATION_STAGE_CMD"* ]]
	[[ "$output" == *"CCTSA_ROTATION_NEW_IMAGE"* ]]
	[[ "$output" == *"CCTSA_ROTATION_TSA_URL"* ]]
	[[ "$output" == *"CCTSA_ROTATION_CA_ECDSA"* ]]
	[ ! -e "$E" ]
	run env CCTSA_ROTATION_PREVIOUS_IMAGE= CCTSA_ROTATION_ROLLBACK_CMD= "$ROT" rollback --env staging
	[ "$status" -eq 2 ]
	[[ "$output" == *"CCTSA_ROTATION_ROLLBACK_CMD"*"CCTSA_ROTATION_PREVIOUS_IMAGE"* ]]
}

@test "dry run prints every command and runs none" {
	export CCTSA_ROTATION_TSA_URL=http://127.0.0.1:9/tsa CCTSA_ROTATION_CA_ECDSA=/nonexistent.pem
	run "$ROT" all --env production --confirm-production --dry-run --evidence-dir "$E"
	[ "$status" -eq 0 ]
	[ ! -e "$W/trace" ]
	for s in tool-version health record-binding hook-halt-signing hook-deploy hook-dkg hook-csr \
		hook-certificate hook-publish-binding new-key measurement test-token; do
		[[ "$output" == *"[dry-run] $s "* ]] || { echo "no dry-run line for $s"; false; }
	done
	[[ "$output" == *"[dry-run] hook-deploy"*"$W/hook.sh"* ]]
	d=$(run_dir)
	[[ "$d" == *"-production-all-dry-run/" ]]
	grep -q "dry run: nothing was executed" "$d/run.log"
}

@test "a failing hook stops the run, is logged, and exits non-zero" {
	export HOOK_FAIL_AT=deploy
	run "$ROT" stage --env staging --evidence-dir "$E"
	[ "$status" -eq 1 ]
	[[ "$output" == *"step hook-deploy failed (exit 7)"* ]]
	grep -q "^halt-signing " "$W/trace"
	grep -q "^deploy " "$W/trace"
	refute grep -q "^dkg " "$W/trace"
	d=$(run_dir)
	grep -q "FAILED: hook-deploy (exit 7)" "$d/run.log"
	grep -q "end: stage on staging FAILED" "$d/run.log"
	grep -q "hook: deploy went wrong" "$d"/steps/*-hook-deploy.out
	"$CCTSA" audit verify "$d/evidence.audit"
	grep -q '"result":"failed"' "$d/evidence.audit"
}

@test "a hook that succeeds without producing its artefact fails the step" {
	export HOOK_SKIP_DKG=1
	run "$ROT" stage --env staging --evidence-dir "$E"
	[ "$status" -eq 1 ]
	[[ "$output" == *"missing artefact dkg-transcript.json"* ]]
	refute grep -q "^csr " "$W/trace"
}

@test "stage: evidence holds timestamped steps, artefact hashes, a verified chain and checksums" {
	run "$ROT" stage --env staging --evidence-dir "$E"
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1 "$W/trace" | tr '\n' ' ')" = "halt-signing deploy dkg csr certificate publish-binding " ]
	grep -q "image=registry.example/cctsa-core:2.0 action=stage env=staging" "$W/trace"
	d=$(run_dir)
	[[ "$d" =~ /[0-9]{8}T[0-9]{6}Z-staging-stage/$ ]]
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z step [0-9]+ hook-dkg: ' "$d/run.log"
	for f in dkg-transcript.json tsa-ecdsa.csr tsa-mldsa.csr tsa-ecdsa.pem tsa-mldsa.pem binding.json; do
		h=$(sha256sum < "$d/artefacts/$f" | cut -c1-64)
		grep -q "artefact $f sha256 $h" "$d/run.log"
		grep -q "\"sha256\":\"$h\"" "$d/evidence.audit"
	done
	grep -q "end: stage on staging passed" "$d/run.log"
	run "$CCTSA" audit verify "$d/evidence.audit"
	[ "$status" -eq 0 ]
	(cd "$d" && sha256sum -c --quiet SHA256SUMS)
	grep -q "differs from the 2 binding(s) recorded before" "$d"/steps/*-new-key.out
}

@test "commands are hidden in the evidence unless --show-commands" {
	export CCTSA_ROTATION_STAGE_CMD="$W/hook.sh --token SECRET-TOKEN-123"
	run "$ROT" stage --env staging --evidence-dir "$E/hidden"
	[ "$status" -eq 0 ]
	refute grep -rq "SECRET-TOKEN-123" "$E/hidden"
	grep -q "command: \[hidden; sha256 " "$E/hidden"/*/run.log
	for n in 1 2; do echo '{"launch_measurement":"aa11","dkg_transcript_sha384":"01"}' > "$W/node$n/binding"; done
	run "$ROT" stage --env staging --evidence-dir "$E/shown" --show-commands
	[ "$status" -eq 0 ]
	grep -q "SECRET-TOKEN-123" "$E/shown"/*/run.log
}

@test "never the old key: republishing the binding in force is refused" {
	export HOOK_REUSE_BINDING=1 # same DKG transcript, even if the file were reformatted
	run "$ROT" stage --env staging --evidence-dir "$E"
	[ "$status" -eq 1 ]
	[[ "$output" == *"step new-key failed"* ]]
	grep -q "same DKG transcript as .*: the old key is still in use" "$(run_dir)"/steps/*-new-key.out
}

@test "rollback deploys the previous image with a new DKG" {
	export CCTSA_ROTATION_TSA_URL="file://$W/no-tsa" CCTSA_ROTATION_CA_ECDSA="$W/ca.pem"
	run "$ROT" rollback --env staging --evidence-dir "$E"
	grep -q "^deploy image=registry.example/cctsa-core:1.9 action=rollback" "$W/trace"
	grep -q "^dkg image=registry.example/cctsa-core:1.9" "$W/trace"
	# validate follows; the measurement check passes, and with no TSA the token step fails
	[ "$status" -eq 1 ]
	[[ "$output" == *"step test-token failed"* ]]
	grep -q "binding bb22, running bb22" "$(run_dir)"/steps/*-measurement.out
}

@test "validate: a binding that is not the running software fails" {
	echo '{"measurement":"cc33"}' > "$W/node2/attestation"
	export CCTSA_ROTATION_TSA_URL="file://$W/no-tsa" CCTSA_ROTATION_CA_ECDSA="$W/ca.pem"
	run "$ROT" validate --env staging --evidence-dir "$E"
	[ "$status" -eq 1 ]
	[[ "$output" == *"step measurement failed"* ]]
	grep -q "MISMATCH" "$(run_dir)"/steps/*-measurement.out
}

@test "validate: an unhealthy gateway fails" {
	rm "$W/node2/health"
	export CCTSA_ROTATION_TSA_URL="file://$W/no-tsa" CCTSA_ROTATION_CA_ECDSA="$W/ca.pem"
	run "$ROT" validate --env staging --evidence-dir "$E"
	[ "$status" -eq 1 ]
	[[ "$output" == *"step health failed"* ]]
}

@test "validate: expected measurement of the new image is enforced" {
	export CCTSA_ROTATION_NEW_MEASUREMENT=bb22
	export CCTSA_ROTATION_TSA_URL="file://$W/no-tsa" CCTSA_ROTATION_CA_ECDSA="$W/ca.pem"
	run "$ROT" validate --env staging --evidence-dir "$E"
	[ "$status" -eq 1 ]
	grep -q "expected CCTSA_ROTATION_NEW_MEASUREMENT bb22" "$(run_dir)"/steps/*-measurement.out
}

@test "stage with the offline CA: real certificates issued from 3 custodian shards" {
	"$CCTSA" ca init --dir "$W/ca" --custodians 5 --threshold 3 --master M --witness W >/dev/null
	export HOOK_REAL_PKI=1 CCTSA_ROTATION_CA_DIR="$W/ca"
	export CCTSA_ROTATION_CA_SHARDS="$W/ca/shards/custodian-1.shard $W/ca/shards/custodian-3.shard $W/ca/shards/custodian-5.shard"
	run "$ROT" stage --env staging --evidence-dir "$E"
	[ "$status" -eq 0 ]
	d=$(run_dir)
	openssl verify -CAfile "$W/ca/root-ecdsa.pem" "$d/artefacts/tsa-ecdsa.pem"
	openssl x509 -in "$d/artefacts/tsa-ecdsa.pem" -noout -ext extendedKeyUsage | grep -q "Time Stamping"
	[ -s "$d/artefacts/tsa-mldsa.pem" ]
	run "$CCTSA" audit verify "$W/ca/issuance.log"
	[ "$status" -eq 0 ]
	[[ "$output" == *"intact, 2 records"* ]]
	grep -q "ca-issue: offline CA issues both TSA certificates" "$d/run.log"
	# two shards are not enough: the step fails and nothing is published
	rm -rf "$E"
	for n in 1 2; do echo '{"launch_measurement":"aa11","dkg_transcript_sha384":"01"}' > "$W/node$n/binding"; done
	export CCTSA_ROTATION_CA_SHARDS="$W/ca/shards/custodian-1.shard $W/ca/shards/custodian-3.shard"
	: > "$W/trace"
	run "$ROT" stage --env staging --evidence-dir "$E"
	[ "$status" -eq 1 ]
	[[ "$output" == *"step ca-issue failed"* ]]
	refute grep -q "^publish-binding " "$W/trace"
	[ ! -e "$(run_dir)/artefacts/binding.json" ]
}

@test "validate end to end: health, measurement, and a real test token verified twice" {
	[ -x "${CCTSA_NODE:-}" ] || { echo "CCTSA_NODE (Node 26) is missing"; false; }
	"$CCTSA" testpki --out "$W/pki" --measurement "$(printf 'bb%.0s' $(seq 48))" >/dev/null
	m=$(jq -r .launch_measurement "$W/pki/binding.json")
	for n in 1 2; do
		cp "$W/pki/binding.json" "$W/node$n/binding"
		echo "{\"measurement\":\"$m\"}" > "$W/node$n/attestation"
	done
	"$CCTSA_NODE" "$CCTSA_SRC/tests/ops/ts_server.js" "$CCTSA" "$W/pki" "$W/port" &
	server=$!
	for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.1; done
	export CCTSA_ROTATION_TSA_URL="http://127.0.0.1:$(cat "$W/port")/tsa"
	export CCTSA_ROTATION_CA_ECDSA="$W/pki/ca-ecdsa.pem" CCTSA_ROTATION_CA_MLDSA="$W/pki/ca-mldsa.pem"
	export CCTSA_ROTATION_NEW_MEASUREMENT="$m"
	run "$ROT" validate --env staging --evidence-dir "$E"
	kill "$server"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	d=$(run_dir)
	grep -q "Verification: OK" "$d"/steps/*-test-token.out
	grep -q "FULLY VERIFIED" "$d"/steps/*-test-token.out
	[ -s "$d/artefacts/test-token/probe.tsr" ]
	grep -q "end: validate on staging passed" "$d/run.log"
}

@test "all: preflight, stage with the offline CA, validate with a real token" {
	[ -x "${CCTSA_NODE:-}" ] || { echo "CCTSA_NODE (Node 26) is missing"; false; }
	"$CCTSA" ca init --dir "$W/ca" --custodians 5 --threshold 3 --master M --witness W >/dev/null
	m=$(printf 'cd%.0s' $(seq 48))
	export HOOK_REAL_PKI=1 HOOK_MEASUREMENT=$m CCTSA_ROTATION_NEW_MEASUREMENT=$m CCTSA_ROTATION_CA_DIR="$W/ca"
	export CCTSA_ROTATION_CA_SHARDS="$W/ca/shards/custodian-2.shard $W/ca/shards/custodian-4.shard $W/ca/shards/custodian-5.shard"
	export CCTSA_ROTATION_CA_ECDSA="$W/ca/root-ecdsa.pem" CCTSA_ROTATION_CA_MLDSA="$W/ca/root-mldsa.pem"
	"$CCTSA_NODE" "$CCTSA_SRC/tests/ops/ts_server.js" "$CCTSA" "$W/tsa" "$W/port" &
	server=$!
	for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.1; done
	export CCTSA_ROTATION_TSA_URL="http://127.0.0.1:$(cat "$W/port")/tsa"
	run "$ROT" all --env staging --evidence-dir "$E"
	kill "$server"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	d=$(run_dir)
	grep -q "FULLY VERIFIED" "$d"/steps/*-test-token.out
	grep -q "binding $m, running $m" "$d"/steps/*-measurement.out
	grep -q "end: all on staging passed" "$d/run.log"
	"$CCTSA" audit verify "$W/ca/issuance.log" | grep -q "intact, 2 records"
	(cd "$d" && sha256sum -c --quiet SHA256SUMS)
}
