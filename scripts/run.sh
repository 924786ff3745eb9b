#!/usr/bin/env bash
# `make run`: a local 5-node cluster on loopback (threshold 3), in the foreground:
# chronyd NTS servers, five cctsa-core, the DKG ceremony with the offline CA, five
# gateways (HTTP 8318..8322, HTTPS 8328..8332). It prints a copy-paste client example;
# Ctrl-C stops everything. CCTSA_DIR (default run/cluster) and CCTSA_PORT override.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cctsa="$top/build/bin/cctsa"
if ! "$cctsa" help | grep -q '^  cluster '; then
	echo "cctsa: the cluster command is not built" >&2
	exit 1
fi
dir=${CCTSA_DIR:-$top/run/cluster}
mkdir -p "$dir"
exec "$cctsa" cluster up --dir "$dir" --port "${CCTSA_PORT:-8318}" --foreground
