#!/usr/bin/env bash
# Starts chronyd as an NTS server on loopback with a certificate made here (its own
# CA), runs the interop checks and `cctsa nts query`, and always stops chronyd.
# No system clock control (-x); everything lives in a temporary directory.
set -euo pipefail
BIN=${CCTSA_BIN:?run through ctest}
tmp=$(mktemp -d /tmp/cctsa-nts.XXXXXX)
cpid=
cleanup() {
	if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then
		kill "$cpid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$cpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
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
user=$(id -un) # chronyd drops privileges to this user when started as root
chmod 0644 server.key

listening() { ss -lntu 2>/dev/null | grep -qE "127\.0\.0\.1:$1\b"; }
started=0
for attempt in 1 2 3 4 5; do
	ntp=$((20000 + RANDOM % 20000)); nts=$((40000 + RANDOM % 20000))
	listening "$ntp" || listening "$nts" && continue
	cat > chrony.conf <<CONF
port $ntp
ntsport $nts
bindaddress 127.0.0.1
ntsserverkey $tmp/server.key
ntsservercert $tmp/server.pem
ntsdumpdir $tmp
pidfile $tmp/chronyd.pid
driftfile $tmp/drift
cmdport 0
ntsprocesses 0
local stratum 1
allow 127.0.0.1
CONF
	"$CHRONYD" -x -f "$tmp/chrony.conf" -d -u "$user" > chronyd.log 2>&1 &
	cpid=$!
	for _ in $(seq 100); do
		if listening "$ntp" && listening "$nts"; then started=1; break; fi
		kill -0 "$cpid" 2>/dev/null || break
		sleep 0.05
	done
	[ $started -eq 1 ] && break
	kill "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true; cpid=
done
[ $started -eq 1 ] || { echo "chronyd did not start" >&2; cat chronyd.log >&2; exit 1; }
echo "chronyd pid $cpid: NTS-KE 127.0.0.1:$nts, NTP 127.0.0.1:$ntp"

"$BIN/time_nts_interop" 127.0.0.1 "$nts" "$ntp" ca.pem wrongca.pem

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
