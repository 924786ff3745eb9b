#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time on its checked-in corpus (new
# inputs go to a scratch copy, not the repo). Exit non-zero on any crash.
set -euo pipefail
bindir=$1 seconds=$2
top=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
targets=("$bindir"/fuzz-*)
if ((${#targets[@]} == 0)); then
	echo "fuzz: no fuzz targets built"
	exit 0
fi
for t in "${targets[@]}"; do
	name=${t##*/fuzz-}
	work=$(mktemp -d)
	cp -r "$top/fuzz/corpus/$name/." "$work/" 2>/dev/null || true
	echo "fuzz: $name for ${seconds}s"
	"$t" -max_total_time="$seconds" -print_final_stats=0 -artifact_prefix="$work/" "$work" \
		> "$work.log" 2>&1 || { tail -40 "$work.log"; echo "fuzz: $name FAILED (artifacts in $work)"; exit 1; }
	grep -E '^(#[0-9]+|Done)' "$work.log" | tail -1
	rm -rf "$work" "$work.log"
done
