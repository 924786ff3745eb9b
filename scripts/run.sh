#!/usr/bin/env bash
# `make run`: the service on its embedded default, a local 5-node cluster on loopback.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cctsa="$top/build/bin/cctsa"
if ! "$cctsa" help | grep -q '^  cluster '; then
	echo "cctsa: the cluster is not built yet (issue 9: cores, DKG ceremony, gateways)." >&2
	echo "What exists today: $cctsa help" >&2
	"$cctsa" help >&2
	exit 1
fi
exec "$cctsa" cluster up --dir "${CCTSA_DIR:-$top/run/cluster}" --foreground
