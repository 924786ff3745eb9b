#!/usr/bin/env bash
# The cluster end to end: `cctsa cluster up` on a random high base port in a temp
# DIR, then through the real HTTP path (gateways, HTTPS, HAProxy started here):
#  - tokens (default and /tsa/pq) pass `openssl ts -verify` and `cctsa verify`
#    (FULLY VERIFIED); Node 26 / OpenSSL 3.5 verifies the ML-DSA companion;
#  - nonce echo, certReq (certificates only when asked), every failInfo;
#  - HTTPS with TLS 1.3 only; /health fields, /metrics series;
#  - faults under load through HAProxy: stop 1, then 2 nodes: no failed request;
#    stop a 3rd: 503 + systemFailure promptly and no token; restart: new DKG, new
#    certificates, new binding; no serial repeats; (real core) every token in an
#    audit log and `cctsa audit verify` passes on every log.
# Mode "fake" runs the same choreography with tests/cluster/fake_core.c standing in
# for cctsa-core (a TEST DOUBLE: file keys, no threshold); "real" uses cctsa-core.
# Always tears everything down.
set -euo pipefail
MODE=${1:?fake|real}
: "${CCTSA_BIN:?run through ctest}" "${CCTSA_SRC:?}" "${CCTSA_NODE:?}"
W=$(mktemp -d /tmp/cctsa-cluster.XXXXXX)
chmod 0711 "$W" # as root the gateways run as nobody and reach DIR/node-<i>/core.sock
D=$W/d
hap_pid=
load_pids=()
B=$CCTSA_BIN
if [ "$MODE" = fake ]; then # a bin dir where cctsa-core is the test double
	mkdir "$W/bin"
	cp "$CCTSA_BIN/cctsa" "$W/bin/cctsa"
	ln -s "$CCTSA_BIN/cctsa-gateway" "$W/bin/cctsa-gateway"
	ln -s "$CCTSA_BIN/cluster_fake_core" "$W/bin/cctsa-core"
	B=$W/bin
fi
C=$B/cctsa
V=$CCTSA_BIN/cctsa
cleanup() {
	local p
	for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	if [ -n "$hap_pid" ]; then kill "$hap_pid" 2>/dev/null || true; wait "$hap_pid" 2>/dev/null || true; fi
	[ -f "$D/cluster.json" ] && "$C" cluster down --dir "$D" > /dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND (exit $?)"' ERR
pass=0
ok() { pass=$((pass + 1)); }
die() {
	echo "FAIL: $*"
	for f in "$D"/node-*/core.log "$D"/node-*/gateway.log "$W"/haproxy.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -8 "$f"; }
	done
	exit 1
}
listening() { ss -lnt 2>/dev/null | grep -qE "127\.0\.0\.1:$1\b"; }

# a base port P with P..P+50 free
for _ in $(seq 20); do
	P=$((10000 + (RANDOM % 220) * 100)) # below the ephemeral range (32768+)
	busy=0
	for o in 0 1 2 3 4 10 11 12 13 14 20 21 22 23 24 30 31 32 33 40 41 42 43 50; do
		listening $((P + o)) && { busy=1; break; }
	done
	[ $busy -eq 0 ] && break
done
echo "cluster ($MODE) in $D, base port $P"
t0=$(date +%s.%N)
"$C" cluster up --dir "$D" --port "$P" > "$W/up.log" 2>&1 || { cat "$W/up.log"; die "cluster up"; }
t1=$(date +%s.%N)
echo "cluster up: $(echo "$t1 - $t0" | bc) s"
for f in cluster.json ca-ecdsa.pem ca-mldsa.pem tsa-ecdsa.pem tsa-mldsa.pem binding.json endpoints.json \
	ceremony/transcript.json ceremony/transcript.md ceremony/csr-ecdsa.pem ceremony/csr-mldsa.pem \
	ceremony/binding-record.tsr; do
	[ -s "$D/$f" ] || die "cluster up did not write $f"
done
ok
jq -e --argjson p "$P" '.http[0] == "http://127.0.0.1:\($p)/" and (.https | length) == 5' "$D/endpoints.json" > /dev/null ||
	die "endpoints.json: $(cat "$D/endpoints.json")"
grep -q "openssl ts -verify -in r.tsr -queryfile q.tsq -CAfile $D/ca-ecdsa.pem" "$W/up.log" || die "no client example"
ok
# the binding record is timestamped by the new key
openssl ts -verify -data "$D/binding.json" -in "$D/ceremony/binding-record.tsr" -CAfile "$D/ca-ecdsa.pem" 2>&1 |
	grep -q '^Verification: OK$' || die "binding record token"
ok
st=$("$C" cluster status --dir "$D") || die "cluster status"
jq -e '.cluster_state == "healthy" and .signing_nodes == 5 and ([.nodes[].gateway_running] | all)' <<<"$st" > /dev/null ||
	die "status: $st"
ok

CT='Content-Type: application/timestamp-query'
printf 'cluster payload %s\n' "$RANDOM" > "$W/data"
SERIALS=$W/serials
: > "$SERIALS"
serial_of() { openssl ts -reply -in "$1" -text 2>/dev/null | sed -n 's/^Serial number: //p'; }
# post URL QUERY OUT: prints the HTTP status
post() { curl -s -m 30 -o "$3" -D "$3.h" -w '%{http_code}' -H "$CT" --data-binary @"$2" "$1"; }
# token URL FLAVOR CERT: a verified token from URL (FLAVOR default|pq)
token() {
	local url=$1 fl=$2 cert=$3 q=$W/q.tsq r=$W/r.tsr flag= u=()
	[ "$cert" = yes ] && flag=-cert
	[ "$fl" = pq ] && openssl ts -query -data "$W/data" -sha512 $flag -tspolicy 1.3.6.1.4.1.32473.1.3 -out "$q" 2>/dev/null
	[ "$fl" = default ] && openssl ts -query -data "$W/data" -sha384 $flag -out "$q" 2>/dev/null
	[ "$(post "$url" "$q" "$r")" = 200 ] || die "POST $url ($fl, certReq=$cert): $(head -1 "$r.h")"
	[ "$cert" = no ] && u=(-untrusted "$D/tsa-ecdsa.pem")
	# OpenSSL 3.0 has no ML-DSA: the PQ token (ML-DSA primary) is checked by cctsa verify and Node
	if [ "$fl" = default ]; then
		openssl ts -verify -queryfile "$q" -in "$r" -CAfile "$D/ca-ecdsa.pem" "${u[@]}" 2>&1 | grep -q '^Verification: OK$' ||
			die "openssl ts -verify ($url $fl $cert)"
	fi
	cat "$D/tsa-ecdsa.pem" "$D/tsa-mldsa.pem" > "$W/both.pem"
	u=(); [ "$cert" = no ] && u=(--untrusted "$W/both.pem")
	out=$("$V" verify --in "$r" --query "$q" --ca-ecdsa "$D/ca-ecdsa.pem" --ca-mldsa "$D/ca-mldsa.pem" "${u[@]}" 2>&1) || true
	[ "$(tail -n1 <<<"$out")" = "FULLY VERIFIED" ] || die "cctsa verify ($url $fl $cert): $out"
	NODE_PATH=$NODE_PATH "$CCTSA_NODE" "$CCTSA_SRC/tests/tsp/verify_token.mjs" "$r" "$D" "$fl" > /dev/null ||
		die "Node 26 verify_token ($url $fl $cert)"
	# nonce echo
	n_q=$(openssl ts -query -in "$q" -text 2>/dev/null | sed -n 's/^Nonce: //p')
	n_r=$(openssl ts -reply -in "$r" -text 2>/dev/null | sed -n 's/^Nonce: //p')
	[ -n "$n_q" ] && [ "$n_q" = "$n_r" ] || die "nonce $n_q echoed as $n_r"
	# certificates only with certReq
	nc=$(openssl ts -reply -in "$r" -token_out 2>/dev/null | openssl pkcs7 -inform DER -print_certs 2>/dev/null | grep -c '^subject=' || true)
	{ [ "$cert" = yes ] && [ "$nc" -ge 1 ]; } || { [ "$cert" = no ] && [ "$nc" = 0 ]; } || die "certReq=$cert: $nc certificates"
	serial_of "$r" >> "$SERIALS"
	ok
}
for i in 0 1 2 3 4; do
	token "http://127.0.0.1:$((P + i))/" default yes
done
token "http://127.0.0.1:$P/tsa" default no
token "http://127.0.0.1:$((P + 1))/tsa/pq" pq yes
token "http://127.0.0.1:$((P + 2))/tsa/pq" pq no

# every failInfo through the real HTTP path (HTTP 200, rejection with the bit)
fails() { # QUERY PATH TEXT
	[ "$(post "http://127.0.0.1:$((P + 3))$2" "$1" "$W/rej.tsr")" = 200 ] || die "POST $1 not 200"
	t=$(openssl ts -reply -in "$W/rej.tsr" -text 2>/dev/null)
	grep -q '^Status: Rejected\.$' <<<"$t" && grep -q "$3" <<<"$t" || die "$1 on $2: $t"
	ok
}
CO=$CCTSA_SRC/fuzz/corpus/tsreq
fails "$CO/sha1-badalg.tsq" /tsa 'unrecognized or unsupported algorithm identifier'
fails "$CO/version2.tsq" /tsa 'transaction not permitted or supported'
fails "$CO/truncated.tsq" / 'the data submitted has the wrong format'
fails "$CO/sha256-other-policy.tsq" /tsa 'the requested TSA policy is not supported by the TSA'
fails "$CO/critical-ext.tsq" /tsa 'the requested extension is not supported by the TSA'
openssl ts -query -data "$W/data" -sha256 -tspolicy 1.3.6.1.4.1.32473.1.4 -out "$W/qdef.tsq" 2>/dev/null
fails "$W/qdef.tsq" /tsa/pq 'the requested TSA policy is not supported by the TSA'

# HTTPS: TLS 1.3 with the gateway certificate made by cluster up; TLS 1.2 refused
openssl ts -query -data "$W/data" -sha384 -cert -out "$W/q.tsq" 2>/dev/null
code=$(curl -s -m 30 --cacert "$D/gateway-ca.pem" -o "$W/rs.tsr" -w '%{http_code}' -H "$CT" --data-binary @"$W/q.tsq" \
	"https://127.0.0.1:$((P + 14))/")
[ "$code" = 200 ] || die "HTTPS POST -> $code"
openssl ts -verify -queryfile "$W/q.tsq" -in "$W/rs.tsr" -CAfile "$D/ca-ecdsa.pem" 2>&1 | grep -q '^Verification: OK$' ||
	die "token over HTTPS"
serial_of "$W/rs.tsr" >> "$SERIALS"
ok
v=$({ echo | openssl s_client -brief -connect "127.0.0.1:$((P + 10))" -CAfile "$D/gateway-ca.pem" 2>&1 || true; } |
	sed -n 's/^Protocol version: //p' | head -1)
[ "$v" = TLSv1.3 ] || die "HTTPS protocol: '$v'"
if curl -s -m 10 --cacert "$D/gateway-ca.pem" --tls-max 1.2 -o /dev/null "https://127.0.0.1:$((P + 10))/health"; then
	die "TLS 1.2 accepted"
fi
ok

# /health (reference design fields + key state and pools), /metrics, relays
h=$(curl -s -m 10 "http://127.0.0.1:$((P + 2))/health")
jq -e '.status == "healthy" and .node_id == 2 and has("attested") and has("time_synced") and
	has("nts_sources_reachable") and has("trihard_status") and .quorum_available == true and
	has("uptime_seconds") and has("key_state") and has("pools") and .core_reachable == true' <<<"$h" > /dev/null ||
	die "/health: $h"
ok
m=$(curl -s -m 10 "http://127.0.0.1:$((P + 2))/metrics")
for series in 'cctsa_gateway_granted_total [1-9]' 'cctsa_gateway_rejections_total{failinfo="badAlg"} 0' \
	'cctsa_gateway_sign_latency_seconds_count [1-9]' 'cctsa_gateway_core_up 1' 'cctsa_core_nodes_reachable 5'; do
	grep -qE "^$series" <<<"$m" || die "/metrics lacks $series"
done
ok
if [ "$MODE" = real ]; then
	for path in /certs /binding /attestation; do
		[ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P$path")" = 200 ] || die "GET $path"
	done
	ok
fi

# HAProxy on loopback in front of the five gateways (health checks on /health)
HP=$((P + 50))
sed -e "s/@BIND@/127.0.0.1:$HP/" -e "s/@P0@/$P/; s/@P1@/$((P + 1))/; s/@P2@/$((P + 2))/; s/@P3@/$((P + 3))/; s/@P4@/$((P + 4))/" \
	"$CCTSA_SRC/deploy/haproxy/haproxy.cfg.in" > "$W/haproxy.cfg"
sed -i -e "s/inter 2s/inter 300ms/; s/fastinter 500ms/fastinter 200ms/" -e "/^ *stats socket/d" -e "/^ *chroot/d" \
	-e "/^ *user /d" -e "/^ *group /d" -e "/^ *daemon/d" -e "s|^ *log .*|    log stdout format raw local0 info|" "$W/haproxy.cfg"
haproxy -c -f "$W/haproxy.cfg" > /dev/null 2>&1 || { haproxy -c -f "$W/haproxy.cfg"; die "haproxy config"; }
haproxy -db -f "$W/haproxy.cfg" > "$W/haproxy.log" 2>&1 &
hap_pid=$!
for _ in $(seq 100); do listening "$HP" && break; sleep 0.1; done
sleep 1
H=http://127.0.0.1:$HP
token "$H/" default yes
token "$H/tsa/pq" pq no
openssl ts -query -data "$W/data" -sha256 -tspolicy 1.2.3.4 -out "$W/qbad.tsq" 2>/dev/null
[ "$(post "$H/tsa" "$W/qbad.tsq" "$W/rej.tsr")" = 200 ] &&
	openssl ts -reply -in "$W/rej.tsr" -text 2>/dev/null | grep -q 'the requested TSA policy is not supported' ||
	die "failInfo through HAProxy"
ok

# faults under load: 2 clients through HAProxy, every answer kept
load() { # N: client id; runs until killed, one line per request "code file"
	local n=$1 k=0
	openssl ts -query -data "$W/data" -sha384 -cert -out "$W/lq$n.tsq" 2>/dev/null
	while :; do
		k=$((k + 1))
		code=$(curl -s -m 30 -o "$W/l$n-$k.tsr" -w '%{http_code}' -H "$CT" --data-binary @"$W/lq$n.tsq" "$H/" || echo 000)
		echo "$code $W/l$n-$k.tsr" >> "$W/load$n.txt"
	done
}
: > "$W/load1.txt"; : > "$W/load2.txt"
load 1 & load_pids+=($!)
load 2 & load_pids+=($!)
lines() { cat "$W/load1.txt" "$W/load2.txt" | wc -l; }
wait_more() { local want=$(($(lines) + $1)); for _ in $(seq 600); do [ "$(lines)" -ge $want ] && return 0; sleep 0.1; done; die "load stalled"; }
wait_more 6
"$C" cluster stop-node --dir "$D" --node 0 > /dev/null
wait_more 10
"$C" cluster stop-node --dir "$D" --node 1 > /dev/null
wait_more 10
st=$("$C" cluster status --dir "$D") || die "cluster status"
jq -e '.cluster_state == "critical" and .signing_nodes == 3' <<<"$st" > /dev/null || die "status with 2 down: $st"
for p in "${load_pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
load_pids=()
total=$(lines)
bad=$(cat "$W/load1.txt" "$W/load2.txt" | grep -vc '^200 ' || true)
[ "$bad" = 0 ] || die "$bad of $total requests failed while stopping 2 nodes: $(grep -v '^200 ' "$W/load1.txt" "$W/load2.txt" | head -3)"
while read -r code f; do
	openssl ts -verify -data "$W/data" -in "$f" -CAfile "$D/ca-ecdsa.pem" 2>&1 | grep -q '^Verification: OK$' ||
		die "token $f under load"
	serial_of "$f" >> "$SERIALS"
done < <(cat "$W/load1.txt" "$W/load2.txt")
echo "faults: $total requests under load while stopping nodes 0 and 1, all granted and verified"
ok

# a third node down: 503 with Retry-After and a systemFailure answer, promptly, no token
"$C" cluster stop-node --dir "$D" --node 2 > /dev/null
openssl ts -query -data "$W/data" -sha384 -out "$W/q.tsq" 2>/dev/null
s0=$(date +%s%N)
# the survivors notice the loss within their failure detection time: until then a
# request may still be signed (by a quorum that existed when it started)
for k in $(seq 100); do
	code=$(post "http://127.0.0.1:$((P + 3))/" "$W/q.tsq" "$W/r503.tsr")
	[ "$code" = 200 ] || break
	serial_of "$W/r503.tsr" >> "$SERIALS"
	sleep 0.1
done
ms=$((($(date +%s%N) - s0) / 1000000))
[ "$ms" -le 10000 ] || die "3 nodes down: still signing after $ms ms"
[ "$code" = 503 ] && grep -qi '^Retry-After: [0-9]' "$W/r503.tsr.h" || die "3 nodes down: HTTP $code"
t=$(openssl ts -reply -in "$W/r503.tsr" -text 2>/dev/null)
grep -q '^Status: Rejected\.$' <<<"$t" && grep -q 'system failure' <<<"$t" || die "3 nodes down: $t"
openssl ts -reply -in "$W/r503.tsr" -token_out -out "$W/none.tst" > /dev/null 2>&1 && [ -s "$W/none.tst" ] &&
	die "3 nodes down: a token was returned"
echo "3 nodes down: HTTP 503 + systemFailure in $ms ms"
jq -e '.cluster_state == "unavailable"' <<<"$("$C" cluster status --dir "$D")" > /dev/null || die "status with 3 down"
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((P + 3))/health")
[ "$code" = 503 ] || die "/health with 3 down: $code"
ok

# restart: new DKG, new certificates, new binding
old_cert=$(openssl x509 -in "$D/tsa-ecdsa.pem" -noout -serial)
old_bind=$(jq -r .ceremony_id "$D/binding.json")
for i in 0 1 2; do
	"$C" cluster start-node --dir "$D" --node $i > "$W/start$i.log" 2>&1 || { cat "$W/start$i.log"; die "start-node $i"; }
done
grep -q 'new DKG ceremony' "$W/start2.log" || die "no new DKG: $(cat "$W/start2.log")"
new_cert=$(openssl x509 -in "$D/tsa-ecdsa.pem" -noout -serial)
new_bind=$(jq -r .ceremony_id "$D/binding.json")
[ "$old_cert" != "$new_cert" ] && [ "$old_bind" != "$new_bind" ] && [ -d "$D/ceremony.1" ] || die "restart kept certificates or binding"
openssl ts -verify -data "$D/binding.json" -in "$D/ceremony/binding-record.tsr" -CAfile "$D/ca-ecdsa.pem" 2>&1 |
	grep -q '^Verification: OK$' || die "new binding record token"
jq -e '.cluster_state == "healthy"' <<<"$("$C" cluster status --dir "$D")" > /dev/null || die "status after restart"
for i in 0 2 4; do
	token "http://127.0.0.1:$((P + i))/" default yes
done
ok

# no serial ever repeats
n=$(wc -l < "$SERIALS"); u=$(sort -u "$SERIALS" | wc -l)
[ "$n" -ge 20 ] && [ "$n" = "$u" ] || die "serials: $n tokens, $u distinct"
echo "serials: $n tokens, all distinct"
ok

# audit: every log verifies, every token received is in some core's log (the real core only:
# the fake core keeps no audit log)
if [ "$MODE" = real ]; then
	for i in 0 1 2 3 4; do
		"$V" audit verify "$D/node-$i/audit.log" > /dev/null || die "audit verify node $i"
	done
	for f in "$D"/node-*/audit.log*; do [ -f "$f" ] && cat "$f"; done | tr 'A-F' 'a-f' > "$W/audit.all"
	while read -r s; do
		hex=$(echo "${s#0x}" | tr 'A-F' 'a-f')
		grep -q "$hex" "$W/audit.all" || die "token serial $s in no audit log"
	done < "$SERIALS"
	ok
fi

"$C" cluster down --dir "$D" > /dev/null || die "cluster down"
for i in 0 1 2 3 4; do
	[ -f "$D/node-$i/core.pid" ] && die "core $i pid file left after down"
done
ok
echo "cluster ($MODE): $pass checks passed"
