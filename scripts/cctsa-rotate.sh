#!/usr/bin/env bash
# cctsa-rotate.sh: a software change is a key rotation (DESIGN.md §4, docs/software-change.md).
#
# The signing key of a CC-TSA cluster is bound to the measurement of the software that
# holds it, so new software means: halt signing, deploy the new image on every node (no
# mixed versions, no rolling update), a new DKG, threshold-signed CSRs, certificates from
# the offline CA, a new measurement-binding record, and validation before traffic returns.
#
# Infrastructure steps (halting the load balancer, deploying images, collecting CSRs,
# installing certificates, publishing the binding) differ per site, so they are done by
# the operator's hook for the action: the hook command is run by bash once per step with
# the step name appended as its last argument (and in CCTSA_ROTATION_STEP), and must
# fail (non-zero) if the step did not happen. This script orders the
# steps, checks what each step must have produced, runs the checks it can do itself
# (health, an end-to-end test token, measurement comparison, "never the old key"), stops
# at the first failure, and keeps evidence.
#
# Exit status: 0 all steps passed, 1 a step failed (evidence kept), 2 misuse or missing input.
set -uo pipefail

readonly PROG=cctsa-rotate.sh

usage() {
	cat <<'EOF'
usage: cctsa-rotate.sh ACTION --env staging|production [options]

actions:
  preflight   tools and inputs present, cluster healthy, current binding recorded,
              operator preflight hook
  stage       halt signing, deploy the new image on every node, DKG, CSRs,
              certificates, publish the measurement-binding record
  validate    health of every gateway, a test token verified end to end, published
              binding measurement equals the measurement every node attests to now
  rollback    the previous image with a NEW DKG and new certificates (never the old
              key), then validate
  all         preflight, stage, validate (no automatic rollback: decide, then run it)

options:
  --env ENV               staging or production (required)
  --confirm-production    required with --env production
  --dry-run               print every command instead of running it
  --evidence-dir DIR      where the timestamped evidence goes (required for production;
                          default ./cctsa-rotation-evidence)
  --show-commands         write command text into the evidence (hidden by default: hooks
                          may carry secrets; a SHA-256 of each command is logged instead)
  -h, --help

environment:
  CCTSA_ROTATION_PREFLIGHT_CMD   hook for preflight (optional), called with "preflight"
  CCTSA_ROTATION_STAGE_CMD       hook for stage (required), called with each of
                                 halt-signing deploy dkg csr certificate publish-binding
  CCTSA_ROTATION_VALIDATE_CMD    hook for validate (optional), called with "validate"
  CCTSA_ROTATION_ROLLBACK_CMD    hook for rollback (required), same steps as stage
  CCTSA_ROTATION_HEALTHCHECK_URLS  gateway /health URLs, space or comma separated
                                 (required); /binding and /attestation are read beside them
  CCTSA_ROTATION_NEW_IMAGE       image to deploy (stage, all)
  CCTSA_ROTATION_PREVIOUS_IMAGE  image to go back to (rollback)
  CCTSA_ROTATION_NEW_MEASUREMENT expected launch measurement of the new image (hex;
                                 optional, checked in validate when set)
  CCTSA_ROTATION_TSA_URL         RFC 3161 endpoint for the test token (validate)
  CCTSA_ROTATION_CA_ECDSA        ECDSA CA certificate for verifying it (validate)
  CCTSA_ROTATION_CA_MLDSA        ML-DSA CA certificate (validate, optional)
  CCTSA_ROTATION_CA_DIR          offline CA directory: when set, the script issues the
  CCTSA_ROTATION_CA_SHARDS       certificates itself with `cctsa ca issue` and these
                                 custodian shard files; otherwise the hook's
                                 "certificate" step brings them
  CCTSA_ROTATION_BINDING_JQ      jq path of the measurement in /binding
                                 (default .launch_measurement, as binding.json)
  CCTSA_ROTATION_ATTESTATION_JQ  jq path of the measurement in /attestation
                                 (default .measurement)
  CCTSA                          the cctsa program (default: cctsa in PATH)

Each hook is run by bash with the step name appended as its last argument. It sees
CCTSA_ROTATION_ACTION, _STEP, _ENV, _IMAGE (the image this action deploys)
and _ARTEFACTS (a directory). Steps must leave there: dkg -> dkg-transcript.json,
csr -> tsa-ecdsa.csr and tsa-mldsa.csr, certificate -> tsa-ecdsa.pem and tsa-mldsa.pem
(installed on every core), publish-binding -> binding.json (as published).
EOF
}

die_usage() { # message...
	echo "$PROG: $*" >&2
	echo "(see $PROG --help)" >&2
	exit 2
}

# ---- arguments ----
action="" env="" confirm=0 dry=0 evidence="" show=0
while [ $# -gt 0 ]; do
	case "$1" in
	preflight | stage | validate | rollback | all)
		[ -z "$action" ] || die_usage "only one action at a time (got $action and $1)"
		action=$1 ;;
	--env) [ $# -ge 2 ] || die_usage "--env needs a value"; env=$2; shift ;;
	--env=*) env=${1#--env=} ;;
	--confirm-production) confirm=1 ;;
	--dry-run) dry=1 ;;
	--evidence-dir) [ $# -ge 2 ] || die_usage "--evidence-dir needs a value"; evidence=$2; shift ;;
	--evidence-dir=*) evidence=${1#--evidence-dir=} ;;
	--show-commands) show=1 ;;
	-h | --help) usage; exit 0 ;;
	*) die_usage "unknown argument: $1" ;;
	esac
	shift
done

[ -n "$action" ] || die_usage "no action given (preflight, stage, validate, rollback or all)"
case "$env" in
staging | production) ;;
"") die_usage "--env is required (staging or production)" ;;
*) die_usage "--env must be staging or production, not '$env'" ;;
esac
if [ "$env" = production ] && [ $confirm -ne 1 ]; then
	die_usage "refusing to touch production without --confirm-production"
fi
if [ "$env" = production ] && [ -z "$evidence" ]; then
	die_usage "--evidence-dir is required for production"
fi
[ -n "$evidence" ] || evidence="$PWD/cctsa-rotation-evidence"

CCTSA=${CCTSA:-cctsa}
BINDING_JQ=${CCTSA_ROTATION_BINDING_JQ:-.launch_measurement}
ATTESTATION_JQ=${CCTSA_ROTATION_ATTESTATION_JQ:-.measurement}
URLS=$(printf '%s' "${CCTSA_ROTATION_HEALTHCHECK_URLS:-}" | tr ',' ' ')

# ---- inputs: every missing one is reported before anything runs ----
missing=()
need() { # variable, why
	[ -n "${!1:-}" ] || missing+=("$1 ($2)")
}
check_inputs() {
	local phases=$1
	need CCTSA_ROTATION_HEALTHCHECK_URLS "gateway /health URLs"
	case " $phases " in *" stage "*)
		need CCTSA_ROTATION_STAGE_CMD "hook that halts signing, deploys and collects artefacts"
		need CCTSA_ROTATION_NEW_IMAGE "the image to deploy" ;;
	esac
	case " $phases " in *" rollback "*)
		need CCTSA_ROTATION_ROLLBACK_CMD "hook that redeploys the previous image"
		need CCTSA_ROTATION_PREVIOUS_IMAGE "the image to go back to" ;;
	esac
	case " $phases " in *" validate "*)
		need CCTSA_ROTATION_TSA_URL "RFC 3161 endpoint for the test token"
		need CCTSA_ROTATION_CA_ECDSA "ECDSA CA certificate to verify the test token" ;;
	esac
	if [ -n "${CCTSA_ROTATION_CA_DIR:-}" ]; then
		need CCTSA_ROTATION_CA_SHARDS "custodian shard files for cctsa ca issue"
	fi
	if [ -n "${CCTSA_ROTATION_NEW_IMAGE:-}" ] &&
		[ "${CCTSA_ROTATION_NEW_IMAGE}" = "${CCTSA_ROTATION_PREVIOUS_IMAGE:-}" ]; then
		missing+=("CCTSA_ROTATION_NEW_IMAGE (equals CCTSA_ROTATION_PREVIOUS_IMAGE)")
	fi
	local t
	for t in curl jq openssl sha256sum; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t (program not found)")
	done
	command -v "$CCTSA" >/dev/null 2>&1 || missing+=("CCTSA ($CCTSA: program not found)")
	if [ ${#missing[@]} -gt 0 ]; then
		echo "$PROG: missing input for $action:" >&2
		printf '  - %s\n' "${missing[@]}" >&2
		exit 2
	fi
}

case "$action" in
all) phases="preflight stage validate" ;;
rollback) phases="rollback validate" ;;
*) phases=$action ;;
esac
check_inputs "$phases"

# ---- evidence ----
stamp=$(date -u +%Y%m%dT%H%M%SZ)
RUN="$evidence/$stamp-$env-$action"
[ $dry -eq 0 ] || RUN="$RUN-dry-run"
mkdir -p "$RUN/steps" "$RUN/artefacts" || { echo "$PROG: cannot create $RUN" >&2; exit 1; }
LOG="$RUN/run.log"
AUDIT="$RUN/evidence.audit"
nstep=0

log() { # message... (timestamped, to run.log and stdout)
	local line
	line="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $*"
	printf '%s\n' "$line" >>"$LOG"
	printf '%s\n' "$line"
}

audit() { # type, key=value...
	local type=$1 kv args=()
	shift
	for kv in "$@"; do args+=(--field "$kv"); done
	"$CCTSA" audit append "$AUDIT" --type "$type" "${args[@]}" >/dev/null 2>>"$LOG" ||
		log "warning: could not append to $AUDIT"
}

command_text() { # the command as logged: shown or hidden behind its hash
	local text=$1
	if [ $show -eq 1 ]; then
		printf '%s' "$text"
	else
		printf '[hidden; sha256 %s; use --show-commands to log it]' \
			"$(printf '%s' "$text" | sha256sum | cut -c1-16)"
	fi
}

finish() { # status
	local st=$1 verdict=passed
	[ "$st" -eq 0 ] || verdict=FAILED
	[ $dry -eq 0 ] || verdict="$verdict (dry run: nothing was executed)"
	audit rotation.end "action=$action" "env=$env" "result=$verdict"
	log "end: $action on $env $verdict"
	if "$CCTSA" audit verify "$AUDIT" >>"$LOG" 2>&1; then
		log "evidence chain: $(tail -n 1 "$LOG" | sed 's/.*intact, //')"
	fi
	(cd "$RUN" && find . -type f ! -name SHA256SUMS -print0 | sort -z |
		xargs -0 -r sha256sum >SHA256SUMS)
	echo "evidence: $RUN"
	exit "$st"
}

# run_step NAME DESCRIPTION CMD...: runs CMD with its output in steps/, stops on failure.
run_step() {
	local name=$1 desc=$2 out rc t0 text
	shift 2
	nstep=$((nstep + 1))
	out="$RUN/steps/$(printf '%02d' $nstep)-$name.out"
	text=$(printf '%q ' "$@")
	log "step $nstep $name: $desc"
	log "  command: $(command_text "$text")"
	if [ $dry -eq 1 ]; then
		echo "[dry-run] $name ($desc): $text"
		audit rotation.step "step=$name" "result=dry-run"
		return 0
	fi
	t0=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	log "  exit $rc after $(($(date +%s) - t0))s; output $(basename "$out") sha256 $(sha256sum <"$out" | cut -c1-64)"
	if [ $rc -ne 0 ]; then
		audit rotation.step "step=$name" "result=failed" "exit=$rc"
		log "FAILED: $name (exit $rc); last output:"
		tail -n 20 "$out" | sed 's/^/  | /' | tee -a "$LOG" >&2
		echo "$PROG: step $name failed (exit $rc); see $out" >&2
		finish 1
	fi
	audit rotation.step "step=$name" "result=ok"
}

# hook VAR STEP: the operator's hook for this action, run for one step.
hook() {
	local var=$1 step=$2
	if [ -z "${!var:-}" ]; then
		log "step $step: no $var set; nothing to run"
		return 0
	fi
	run_step "hook-$step" "operator hook $var $step" \
		env CCTSA_ROTATION_STEP="$step" bash -c "${!var} \"\$1\"" cctsa-rotation-hook "$step"
}

# expect_artefacts FILE...: the previous step must have produced them (not in dry-run).
expect_artefacts() {
	local f
	[ $dry -eq 0 ] || return 0
	for f in "$@"; do
		if [ ! -s "$RUN/artefacts/$f" ]; then
			log "FAILED: the step reported success but $f is missing from $RUN/artefacts"
			echo "$PROG: missing artefact $f; the step did not complete" >&2
			finish 1
		fi
		log "  artefact $f sha256 $(sha256sum <"$RUN/artefacts/$f" | cut -c1-64)"
		audit rotation.artefact "name=$f" "sha256=$(sha256sum <"$RUN/artefacts/$f" | cut -c1-64)"
	done
}

base_of() { # http://h:p/health -> http://h:p
	printf '%s' "${1%/health}"
}

# ---- the checks this script does itself (also run as steps, so they log and stop) ----
check_health() {
	local u
	for u in $URLS; do
		echo "GET $u"
		curl -fsS --max-time 10 "$u" || { echo "unhealthy: $u"; return 1; }
		echo
	done
}

fetch_bindings() { # into artefacts/DIR/binding-<n>.json
	local dir=$1 u n=0
	mkdir -p "$RUN/artefacts/$dir"
	for u in $URLS; do
		n=$((n + 1))
		curl -fsS --max-time 10 -o "$RUN/artefacts/$dir/binding-$n.json" "$(base_of "$u")/binding" ||
			{ echo "cannot read $(base_of "$u")/binding"; return 1; }
	done
}

check_measurements() {
	local u b a want=${CCTSA_ROTATION_NEW_MEASUREMENT:-} first=""
	for u in $URLS; do
		b=$(curl -fsS --max-time 10 "$(base_of "$u")/binding" | jq -er "$BINDING_JQ") ||
			{ echo "no $BINDING_JQ in $(base_of "$u")/binding"; return 1; }
		a=$(curl -fsS --max-time 10 "$(base_of "$u")/attestation" | jq -er "$ATTESTATION_JQ") ||
			{ echo "no $ATTESTATION_JQ in $(base_of "$u")/attestation"; return 1; }
		echo "$(base_of "$u"): binding $b, running $a"
		[ "$b" = "$a" ] || { echo "MISMATCH: the published binding is not the running software"; return 1; }
		[ -z "$first" ] || [ "$b" = "$first" ] || { echo "MISMATCH between nodes: mixed versions"; return 1; }
		first=$b
	done
	if [ -n "$want" ] && [ "$first" != "$want" ]; then
		echo "MISMATCH: running $first, expected CCTSA_ROTATION_NEW_MEASUREMENT $want"
		return 1
	fi
}

key_of() { # what identifies the key a binding is for: its DKG transcript hash
	local k
	k=$(jq -er '.dkg_transcript_sha384' "$1" 2>/dev/null) || k="file:$(sha256sum <"$1" | cut -c1-64)"
	printf '%s' "$k"
}

check_new_key() { # the published binding must be for a key not recorded before
	local new=$RUN/artefacts/binding.json f n=0 k
	k=$(key_of "$new")
	echo "new binding: DKG transcript $k"
	for f in "$RUN"/artefacts/before-*/binding-*.json; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		if [ "$(key_of "$f")" = "$k" ]; then
			echo "the new binding is for the same DKG transcript as $f: the old key is still in use"
			return 1
		fi
	done
	echo "the new binding differs from the $n binding(s) recorded before this action"
}

test_token() {
	local d=$RUN/artefacts/test-token ca_pq=()
	mkdir -p "$d"
	head -c 64 /dev/urandom >"$d/probe.bin"
	openssl ts -query -data "$d/probe.bin" -sha384 -cert -out "$d/probe.tsq" || return 1
	curl -fsS --max-time 30 -H 'Content-Type: application/timestamp-query' \
		--data-binary @"$d/probe.tsq" -o "$d/probe.tsr" "$CCTSA_ROTATION_TSA_URL" || return 1
	openssl ts -verify -in "$d/probe.tsr" -queryfile "$d/probe.tsq" \
		-CAfile "$CCTSA_ROTATION_CA_ECDSA" || return 1
	[ -z "${CCTSA_ROTATION_CA_MLDSA:-}" ] || ca_pq=(--ca-mldsa "$CCTSA_ROTATION_CA_MLDSA")
	"$CCTSA" verify --in "$d/probe.tsr" --query "$d/probe.tsq" \
		--ca-ecdsa "$CCTSA_ROTATION_CA_ECDSA" "${ca_pq[@]}"
}

issue_certificates() {
	local k shards=()
	read -r -a shards <<<"$CCTSA_ROTATION_CA_SHARDS"
	for k in ecdsa mldsa; do
		"$CCTSA" ca issue --dir "$CCTSA_ROTATION_CA_DIR" --csr "$RUN/artefacts/tsa-$k.csr" \
			--shard "${shards[@]}" --out "$RUN/artefacts/tsa-$k.pem" || return 1
	done
}

# ---- phases ----
phase_preflight() {
	log "== preflight"
	run_step tool-version "record the cctsa version" "$CCTSA" version
	run_step health "every gateway answers /health" check_health
	run_step record-binding "record the binding in force now" fetch_bindings before-preflight
	hook CCTSA_ROTATION_PREFLIGHT_CMD preflight
}

# deploy_phase HOOKVAR IMAGE: the six steps of stage (and of rollback).
deploy_phase() {
	local var=$1 image=$2
	export CCTSA_ROTATION_IMAGE=$image
	if [ ! -d "$RUN/artefacts/before-preflight" ] && [ $dry -eq 0 ]; then
		# record what is in force now (if anything answers) for the new-key check
		fetch_bindings before-"$action" >/dev/null 2>&1 || log "note: no binding readable before $action"
	fi
	hook "$var" halt-signing
	hook "$var" deploy
	hook "$var" dkg
	expect_artefacts dkg-transcript.json
	hook "$var" csr
	expect_artefacts tsa-ecdsa.csr tsa-mldsa.csr
	if [ -n "${CCTSA_ROTATION_CA_DIR:-}" ]; then
		run_step ca-issue "offline CA issues both TSA certificates (custodian shards)" issue_certificates
	fi
	hook "$var" certificate
	expect_artefacts tsa-ecdsa.pem tsa-mldsa.pem
	hook "$var" publish-binding
	expect_artefacts binding.json
	run_step new-key "the published binding is not one recorded before (never the old key)" check_new_key
}

phase_stage() {
	log "== stage: $CCTSA_ROTATION_NEW_IMAGE"
	deploy_phase CCTSA_ROTATION_STAGE_CMD "$CCTSA_ROTATION_NEW_IMAGE"
}

phase_rollback() {
	log "== rollback: $CCTSA_ROTATION_PREVIOUS_IMAGE with a new DKG and new certificates"
	deploy_phase CCTSA_ROTATION_ROLLBACK_CMD "$CCTSA_ROTATION_PREVIOUS_IMAGE"
}

phase_validate() {
	log "== validate"
	run_step health "every gateway answers /health" check_health
	run_step measurement "published binding measurement equals the running measurement" check_measurements
	run_step test-token "a test token, verified end to end (openssl ts -verify, cctsa verify)" test_token
	hook CCTSA_ROTATION_VALIDATE_CMD validate
}

export CCTSA_ROTATION_ACTION=$action CCTSA_ROTATION_ENV=$env CCTSA_ROTATION_ARTEFACTS=$RUN/artefacts
export CCTSA_ROTATION_IMAGE=""
log "start: $action on $env (phases: $phases)$([ $dry -eq 1 ] && echo ', dry run')"
log "evidence: $RUN; commands $([ $show -eq 1 ] && echo shown || echo hidden)"
audit rotation.start "action=$action" "env=$env" "dry_run=$dry"
for p in $phases; do
	"phase_$p"
done
finish 0
