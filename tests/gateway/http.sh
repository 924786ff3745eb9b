#!/usr/bin/env bash
# cctsa-gateway in its test-only file-key mode on a free loopback port, driven by curl:
# tokens over HTTP verify with `openssl ts -verify` and `cctsa verify` (default and
# /tsa/pq), HTTP errors (405 + Allow, 415, 413, 404), failInfo answers with HTTP 200,
# and /health saying what it serves.
set -euo pipefail
: "${CCTSA_BIN:?run through ctest}" "${CCTSA_SRC:?}"
W=$(mktemp -d)
gw_pid=
cleanup() {
	if [ -n "$gw_pid" ]; then kill "$gw_pid" 2>/dev/null || true; wait "$gw_pid" 2>/dev/null || true; fi
	rm -rf "$W"
}
trap cleanup EXIT
die() { echo "FAIL: $*"; [ -f "$W/gw.log" ] && tail -20 "$W/gw.log"; exit 1; }
pass=0
ok() { pass=$((pass + 1)); }

"$CCTSA_BIN/cctsa" testpki --out "$W/pki" > /dev/null
P=$W/pki
user=()
if [ "$(id -u)" = 0 ]; then # the gateway refuses to serve as root, and drops to --user after binding
	rc=0
	"$CCTSA_BIN/cctsa-gateway" --keys "$P" --port 0 > "$W/root.log" 2>&1 || rc=$?
	[ $rc -eq 1 ] && grep -q 'refusing to serve as root' "$W/root.log" || die "gateway served as root (exit $rc)"
	ok
	user=(--user nobody)
fi
"$CCTSA_BIN/cctsa-gateway" --keys "$P" --port 0 --port-file "$W/port" "${user[@]}" > "$W/gw.log" 2>&1 &
gw_pid=$!
for _ in $(seq 100); do [ -s "$W/port" ] && grep -q 'TEST MODE: serving' "$W/gw.log" && break; sleep 0.1; done
[ -s "$W/port" ] || die "gateway did not start"
if [ ${#user[@]} -gt 0 ]; then
	[ "$(awk '/^Uid:/ {print $2 $3 $4 $5}' "/proc/$gw_pid/status")" = "$(id -u nobody)$(id -u nobody)$(id -u nobody)$(id -u nobody)" ] ||
		die "gateway still runs as $(grep '^Uid:' "/proc/$gw_pid/status")"
	ok
fi
U=http://127.0.0.1:$(cat "$W/port")
CT='Content-Type: application/timestamp-query'

# post PATH QUERY OUT: prints the HTTP status; the body goes to OUT, headers to OUT.h
post() { curl -s -o "$3" -D "$3.h" -w '%{http_code}' -H "$CT" --data-binary @"$2" "$U$1"; }
printf 'gateway payload' > "$W/data"

for path in / /tsa; do
	openssl ts -query -data "$W/data" -sha256 -cert -out "$W/q.tsq" 2>/dev/null
	[ "$(post "$path" "$W/q.tsq" "$W/r.tsr")" = 200 ] || die "POST $path"
	grep -qi '^Content-Type: application/timestamp-reply' "$W/r.tsr.h" || die "content type on $path"
	openssl ts -verify -queryfile "$W/q.tsq" -in "$W/r.tsr" -CAfile "$P/ca-ecdsa.pem" 2>&1 | grep -q '^Verification: OK$' ||
		die "openssl ts -verify of a token from POST $path"
	out=$("$CCTSA_BIN/cctsa" verify --in "$W/r.tsr" --query "$W/q.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem")
	[ "$(tail -n1 <<<"$out")" = "FULLY VERIFIED" ] || die "cctsa verify of a token from POST $path: $out"
	ok
done
openssl ts -query -data "$W/data" -sha512 -cert -out "$W/q.tsq" 2>/dev/null
[ "$(post /tsa/pq "$W/q.tsq" "$W/r.tsr")" = 200 ] || die "POST /tsa/pq"
openssl ts -reply -in "$W/r.tsr" -text 2>/dev/null | grep -q '^Policy OID: 1.3.6.1.4.1.32473.1.3$' || die "/tsa/pq policy"
out=$("$CCTSA_BIN/cctsa" verify --in "$W/r.tsr" --query "$W/q.tsq" --ca-ecdsa "$P/ca-ecdsa.pem" --ca-mldsa "$P/ca-mldsa.pem")
[ "$(tail -n1 <<<"$out")" = "FULLY VERIFIED" ] || die "cctsa verify of /tsa/pq: $out"
ok

# HTTP errors
code=$(curl -s -o /dev/null -D "$W/h" -w '%{http_code}' "$U/tsa")
[ "$code" = 405 ] && grep -qi '^Allow: POST' "$W/h" || die "GET /tsa -> $code"
ok
code=$(curl -s -o /dev/null -D "$W/h" -w '%{http_code}' -X DELETE "$U/")
[ "$code" = 405 ] && grep -qi '^Allow: POST' "$W/h" || die "DELETE / -> $code"
ok
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' --data-binary @"$W/q.tsq" "$U/tsa")
[ "$code" = 415 ] || die "wrong content type -> $code"
ok
head -c 65537 /dev/zero > "$W/big"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$CT" --data-binary @"$W/big" "$U/tsa")
[ "$code" = 413 ] || die "65537-octet body -> $code"
ok
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$CT" --data-binary @"$W/q.tsq" "$U/other")
[ "$code" = 404 ] || die "unknown path -> $code"
ok

# RFC 3161 failures: HTTP 200, rejection with the failInfo (openssl's wording)
fails() { # QUERY PATH TEXT
	[ "$(post "$2" "$1" "$W/rej.tsr")" = 200 ] || die "POST $1 not 200"
	t=$(openssl ts -reply -in "$W/rej.tsr" -text 2>/dev/null)
	grep -q '^Status: Rejected\.$' <<<"$t" && grep -q "$3" <<<"$t" || die "$1 on $2: $t"
	ok
}
C=$CCTSA_SRC/fuzz/corpus/tsreq
fails "$C/sha1-badalg.tsq" /tsa 'unrecognized or unsupported algorithm identifier'
fails "$C/version2.tsq" /tsa 'transaction not permitted or supported'
fails "$C/truncated.tsq" / 'the data submitted has the wrong format'
fails "$C/sha256-other-policy.tsq" /tsa 'the requested TSA policy is not supported by the TSA'
fails "$C/critical-ext.tsq" /tsa 'the requested extension is not supported by the TSA'
openssl ts -query -data "$W/data" -sha256 -tspolicy 1.3.6.1.4.1.32473.1.4 -out "$W/qdef.tsq" 2>/dev/null
fails "$W/qdef.tsq" /tsa/pq 'the requested TSA policy is not supported by the TSA'

h=$(curl -s "$U/health")
jq -e '.service == "cctsa-gateway" and .threshold == false and (.backend | test("TEST MODE")) and .answers == 9' <<<"$h" > /dev/null ||
	die "/health: $h"
ok
kill "$gw_pid"
wait "$gw_pid" || die "gateway did not exit cleanly on SIGTERM"
gw_pid=
ok
want=16; [ ${#user[@]} -gt 0 ] && want=18
[ "$pass" -eq $want ] || die "$pass checks ran, expected $want"
echo "gateway http: $pass checks passed"
