#!/usr/bin/env bash
# bench-cluster: starts a local cluster (`cctsa cluster up`), drives gateway 0 with wrk
# (a Lua script POSTing a real TimeStampReq) at several concurrencies and prints:
# tokens/s, p50/p90/p99 latency, CPU-seconds of all cluster processes per token
# (/proc/<pid>/stat utime+stime of cores, gateways and chronyd, before/after), bytes
# between cores per token (bytes_sent of the TCP sockets on the core mesh ports, from
# `ss -tin`), DKG wall time (ceremony incl. certificates, from endpoints.json) and
# token size with and without certificates. Figures are reported, never asserted.
#   bench-cluster [--duration S] [--conc "1 4 16"] [--port P] [--keep DIR] [--fake]
# --fake benchmarks the tooling and gateways with tests/cluster/fake_core.c standing in
# for the core (a TEST DOUBLE: file keys, no threshold): its figures say nothing about
# the core and are labelled so.
set -euo pipefail
BIN=$(cd "$(dirname "$0")" && pwd)
DUR=10 CONC="1 4 16" P=9318 KEEP= FAKE=0
while [ $# -gt 0 ]; do
	case $1 in
	--duration) DUR=$2; shift 2 ;;
	--conc) CONC=$2; shift 2 ;;
	--port) P=$2; shift 2 ;;
	--keep) KEEP=$2; shift 2 ;;
	--fake) FAKE=1; shift ;;
	-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-cluster: unknown argument $1" >&2; exit 2 ;;
	esac
done
command -v wrk > /dev/null || { echo "bench-cluster: wrk is not installed" >&2; exit 1; }
W=$(mktemp -d /tmp/cctsa-bench.XXXXXX)
chmod 0711 "$W"
D=${KEEP:-$W/d}
C=$BIN/cctsa
label=
if [ $FAKE -eq 1 ]; then
	mkdir "$W/bin"; cp "$BIN/cctsa" "$W/bin/cctsa"
	ln -s "$BIN/cctsa-gateway" "$W/bin/cctsa-gateway"; ln -s "$BIN/cluster_fake_core" "$W/bin/cctsa-core"
	C=$W/bin/cctsa
	label=" [FAKE CORE: test double, not the threshold core]"
elif [ ! -x "$BIN/cctsa-core" ]; then
	echo "bench-cluster: NOT RUN: $BIN/cctsa-core is not built (the trusted core of issue 9)"
	rm -rf "$W"
	exit 0
fi
cleanup() { "$C" cluster down --dir "$D" > /dev/null 2>&1 || true; [ -n "$KEEP" ] || rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "bench-cluster$label: 5 nodes, threshold 3, base port $P, $(nproc) CPUs (shared: figures are noisy)"
t0=$(date +%s.%N)
"$C" cluster up --dir "$D" --port "$P" > "$W/up.log" 2>&1 || { cat "$W/up.log"; exit 1; }
t1=$(date +%s.%N)
printf 'cluster up (NTS, cores, DKG, CA, gateways): %.1f s; DKG ceremony incl. certificates: %.1f s\n' \
	"$(echo "$t1 - $t0" | bc)" "$(jq -r .ceremony_seconds "$D/endpoints.json")"

# token sizes (SHA-512 imprint, 8-byte nonce): the TimeStampResp body and the bare token
head -c 1000 /dev/urandom > "$W/data"
for cert in no yes; do
	flag=; [ $cert = yes ] && flag=-cert
	openssl ts -query -data "$W/data" -sha512 $flag -out "$W/q-$cert.tsq" 2>/dev/null
	curl -s -H 'Content-Type: application/timestamp-query' --data-binary @"$W/q-$cert.tsq" \
		"http://127.0.0.1:$P/" -o "$W/r-$cert.tsr"
	openssl ts -reply -in "$W/r-$cert.tsr" -token_out -out "$W/t-$cert.tst" 2>/dev/null
	printf 'token size (hybrid, companion included) %s certificates: %d bytes (response %d bytes)\n' \
		"$([ $cert = yes ] && echo with || echo without)" "$(stat -c %s "$W/t-$cert.tst")" "$(stat -c %s "$W/r-$cert.tsr")"
done

openssl ts -query -data "$W/data" -sha384 -out "$W/q.tsq" 2>/dev/null
cat > "$W/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/timestamp-query"
local f = assert(io.open("$W/q.tsq", "rb"))
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
LUA

pids() {
	local f
	for f in "$D"/node-*/core.pid "$D"/node-*/gateway.pid "$D"/nts/*/spawn.pid; do
		[ -f "$f" ] && cat "$f"
	done
}
cpu_ticks() { local t=0 p; for p in $(pids); do [ -r /proc/$p/stat ] && t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $t; }
mesh_bytes() {
	ss -tin state established "( sport >= :$((P + 20)) and sport <= :$((P + 24)) ) or ( dport >= :$((P + 20)) and dport <= :$((P + 24)) )" 2>/dev/null |
		{ grep -o 'bytes_sent:[0-9]*' || true; } | awk -F: '{s += $2} END {print s + 0}'
}
HZ=$(getconf CLK_TCK)
# warm-up (pools fill, connections open)
wrk -t1 -c1 -d2s -s "$W/post.lua" "http://127.0.0.1:$P/" > /dev/null 2>&1 || true
printf '%-5s %9s %8s %8s %8s %8s %10s %12s %7s\n' conc tokens/s p50_ms p90_ms p99_ms max_ms cpu_ms/tok mesh_B/tok errors
for c in $CONC; do
	th=$((c < 4 ? c : 4))
	c0=$(cpu_ticks); b0=$(mesh_bytes)
	out=$(wrk -t"$th" -c"$c" -d"${DUR}s" --timeout 10s -s "$W/post.lua" "http://127.0.0.1:$P/")
	c1=$(cpu_ticks); b1=$(mesh_bytes)
	read -r _ n us err p50 p90 p99 mx <<<"$(grep '^WRK' <<<"$out")"
	ok=$((n - err))
	awk -v c="$c" -v ok="$ok" -v us="$us" -v p50="$p50" -v p90="$p90" -v p99="$p99" -v mx="$mx" -v cpu=$((c1 - c0)) \
		-v hz="$HZ" -v b=$((b1 - b0)) -v err="$err" 'BEGIN {
		tps = ok / (us / 1e6); t = ok > 0 ? ok : 1
		printf "%-5d %9.1f %8.1f %8.1f %8.1f %8.1f %10.1f %12.0f %7d\n", c, tps, p50 / 1000, p90 / 1000, p99 / 1000,
			mx / 1000, cpu / hz * 1000 / t, b / t, err }'
done
echo "(wrk -d${DUR}s against gateway 0 over HTTP; cpu = utime+stime of every core, gateway and chronyd)"
