#!/usr/bin/env bash
# scripts/install-deps.sh [--test] - install what vbadmin needs from Debian's archive.
# Idempotent and quiet when everything is present.  --test adds what `make test` needs.
set -euo pipefail
pkgs=(build-essential pkg-config libncurses-dev libpq-dev libyaml-dev libreadline-dev libsqlite3-dev
      libcurl4-openssl-dev)
if [ "${1:-}" = "--test" ]; then
	pkgs+=(postgresql-15 postgresql-client-15 mmdebstrap tmux python3 clang libclang-rt-14-dev
	       python3-psycopg2 python3-numpy procps iproute2 util-linux)
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
	exit 2
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
