#!/usr/bin/env bash
# Runs every benchmark program in build/bin (bench-*) and prints its figures.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
for b in "$top"/build/bin/bench-*; do
	echo "== ${b##*/}"
	"$b"
done
