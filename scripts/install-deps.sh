#!/usr/bin/env bash
# scripts/install-deps.sh [--test] - install what vbadmin needs from Debian's archive (Debian 12).
# Idempotent and quiet when everything is present.  --test adds what `make test` needs and
# builds the cached PostgreSQL 17 + pgvector chroot (scripts/pg-sandbox.sh prepare) if missing.
# The list is explained in docs/install.md; keep the two in step.
set -euo pipefail
test_deps=0
case "${1:-}" in
"") ;;
--test) test_deps=1 ;;
*) echo "usage: scripts/install-deps.sh [--test]" >&2; exit 2 ;;
esac

# build: compiler, pkg-config and the -dev packages of the libraries the Makefile links
pkgs=(build-essential pkg-config libncurses-dev libpq-dev libyaml-dev libreadline-dev libsqlite3-dev
      libcurl4-openssl-dev libjansson-dev libjson-c-dev libssl-dev)
if [ $test_deps = 1 ]; then
	# postgresql-15(+client): the pg15 sandbox and psql; mmdebstrap: builds the pg17 chroot;
	# tmux: console end-to-end tests; python3(+psycopg2, numpy): cross-checks and peer benchmarks;
	# sqlite3: inspects the embedded store; clang + libclang-rt-14-dev + llvm: libFuzzer targets and
	# symbolized traces; procps/iproute2/util-linux: ps/kill, ss (port checks), runuser/flock.
	# libopenblas0-pthread (numpy's BLAS) and python3-faiss: the ANN peers of make bench (bench/ann.sh).
	pkgs+=(postgresql-15 postgresql-client-15 mmdebstrap tmux python3 python3-psycopg2 python3-numpy
	       sqlite3 clang libclang-rt-14-dev llvm procps iproute2 util-linux libopenblas0-pthread python3-faiss)
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages: ${missing[*]}" >&2
		echo "install-deps: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
		exit 2
	fi
	echo "install-deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
		echo "install-deps: apt-get failed; is Debian's mirror reachable? (docs/install.md, 'No network')" >&2
		exit 3
	fi
fi

# LanceDB (Datus's default store) is reached through LanceDB's own npm library, run by node:
# node and npm from Debian when missing, then the pinned library from the committed lockfile.
# Without them vbadmin runs everything else and the lancedb backend says how to enable it.
lance_dir="$(cd "$(dirname "$0")/.." && pwd)/backends/lancedb/helper"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "install-deps: installing nodejs npm (for LanceDB)" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get -o DPkg::Lock::Timeout=600 update -qq &&
			apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends nodejs npm >/dev/null ||
			echo "install-deps: warning: could not install nodejs/npm; LanceDB stays disabled" >&2
	else
		echo "install-deps: LanceDB needs node and npm: sudo apt-get install -y nodejs npm" >&2
	fi
fi
lance_have=$(sed -n 's/^ *"version": "\(.*\)",$/\1/p' "$lance_dir/node_modules/@lancedb/lancedb/package.json" 2>/dev/null | head -1 || true)
lance_want=$(sed -n 's/^ *"@lancedb\/lancedb": "\(.*\)",\{0,1\}$/\1/p' "$lance_dir/package.json" | head -1)
if [ "$lance_have" != "$lance_want" ] && command -v npm >/dev/null 2>&1; then
	echo "install-deps: npm ci in backends/lancedb/helper (@lancedb/lancedb $lance_want)" >&2
	(cd "$lance_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
		echo "install-deps: warning: npm ci failed; is registry.npmjs.org reachable? LanceDB stays disabled" >&2
fi

# The chroot takes ~30 s once; doing it here keeps that out of the first test run's timings.
# pg-sandbox.sh builds it lazily too, so a failure here is reported, not fatal to the install.
if [ $test_deps = 1 ] && [ "$(id -u)" -eq 0 ]; then
	"$(dirname "$0")/pg-sandbox.sh" prepare ||
		echo "install-deps: warning: could not build the pg17 chroot; pgvector tests will fail" >&2
fi
exit 0
