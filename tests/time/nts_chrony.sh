#!/usr/bin/env bash
# Starts two chronyd NTS servers on loopback with a certificate made here (its own
# CA): an honest one and a false-ticker 3 s ahead. Runs the interop checks and
# `cctsa nts query`, and always stops both chronyd.
# No system clock control (-x); everything lives in a temporary directory.
set -euo pipefail
BIN=${CCTSA_BIN:?run through ctest}
tmp=$(mktemp -d /tmp/cctsa-nts.XXXXXX)
pids=() wpids=()
cleanup() {
	local p
	# the watchdogs first, so none can signal a recycled pid after we are done
	for p in "${wpids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null || continue
		kill "$p" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
CHRONYD=$(command -v chronyd || echo /usr/sbin/chronyd)
[ -x "$CHRONYD" ] || { echo "chronyd not installed" >&2; exit 1; }

cd "$tmp"
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
	-days 2 -subj /CN=cctsa-test-ca
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout wrong.key -out wrongca.pem \
	-days 2 -subj /CN=cctsa-test-ca
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
	-subj /CN=localhost
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > ext.cnf
ossl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf \
	-out server.pem
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key -out other.csr \
	-subj /CN=other.example
printf 'subjectAltName=DNS:other.example\n' > other.cnf
ossl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile other.cnf \
	-out other.pem
user=$(id -un) # chronyd drops privileges to this user when started as root
chmod 0644 server.key

listening() { ss -lntu 2>/dev/null | grep -qE "127\.0\.0\.1:$1\b"; }
# start_chronyd DIR EXTRA_CONF: a chronyd in $tmp/DIR (mode 0700) on free loopback ports;
# sets ntp, nts and the pid; a watchdog stops it if this script is killed outright.
start_chronyd() {
	local dir=$tmp/$1 extra=$2 cpid= wpid= ok=0
	mkdir -m 0700 "$dir"
	for attempt in 1 2 3 4 5; do
		ntp=$((20000 + RANDOM % 20000)); nts=$((40000 + RANDOM % 20000))
		listening "$ntp" || listening "$nts" && continue
		cat > "$dir/chrony.conf" <<CONF
port $ntp
ntsport $nts
bindaddress 127.0.0.1
ntsserverkey $tmp/server.key
ntsservercert $tmp/server.pem
ntsdumpdir $dir
pidfile $dir/chronyd.pid
driftfile $dir/drift
cmdport 0
ntsprocesses 0
local stratum 1
allow 127.0.0.1
$extra
CONF
		"$CHRONYD" -x -f "$dir/chrony.conf" -d -u "$user" > "$dir/chronyd.log" 2>&1 &
		cpid=$!
		( while kill -0 $$ 2>/dev/null; do sleep 1; done; kill "$cpid" 2>/dev/null; sleep 1; rm -rf "$tmp" ) \
			>/dev/null 2>&1 </dev/null &
		wpid=$!
		for _ in $(seq 100); do
			if listening "$ntp" && listening "$nts"; then ok=1; break; fi
			kill -0 "$cpid" 2>/dev/null || break
			sleep 0.05
		done
		pids+=("$cpid"); wpids+=("$wpid")
		[ $ok -eq 1 ] && break
	done
	[ $ok -eq 1 ] || { echo "chronyd did not start" >&2; cat "$dir/chronyd.log" >&2; exit 1; }
	echo "chronyd $1 pid $cpid: NTS-KE 127.0.0.1:$nts, NTP 127.0.0.1:$ntp"
}

# A false-ticker: its own clock (chronyd -x keeps it in software) set 3 s ahead.
start_chronyd liar "manual
bindcmdaddress $tmp/liar/chronyd.sock"
liar_nts=$nts
chronyc -h "$tmp/liar/chronyd.sock" settime "$(date -u -d '+3 seconds' '+%b %d, %Y %H:%M:%S')" >/dev/null
out=$("$BIN/cctsa" nts query "127.0.0.1:$liar_nts" --ca ca.pem)
grep -qE '^query 1: offset \+[123]\.' <<<"$out" || { echo "liar not ahead: $out" >&2; exit 1; }
echo "$out" | grep '^query'
start_chronyd honest ""

"$BIN/time_nts_interop" 127.0.0.1 "$nts" "$ntp" ca.pem wrongca.pem server.pem server.key \
	other.pem other.key "$liar_nts"

out=$("$BIN/cctsa" nts query "127.0.0.1:$nts" --ca ca.pem --count 3)
echo "$out"
grep -q "AEAD_AES_SIV_CMAC_256 (15)" <<<"$out"
grep -q "ntp server 127.0.0.1 port $ntp (negotiated)" <<<"$out"
grep -q "replies: accepted 3, malformed 0, unexpected 0, auth failed 0" <<<"$out"
[ "$(grep -c '^query [123]: offset' <<<"$out")" -eq 3 ]
out=$("$BIN/cctsa" nts query "localhost:$nts" --ca ca.pem --count 1) || { echo "$out"; exit 1; }

set +e
err=$("$BIN/cctsa" nts query "127.0.0.1:$nts" --ca wrongca.pem 2>&1); rc=$?
set -e
echo "$err"
[ $rc -eq 1 ] && grep -q "certificate of 127.0.0.1 rejected" <<<"$err"
echo "nts_chrony: ok"
