#!/usr/bin/env bash
# tests/run-all.sh BUILD_DIR - run every test against the build in BUILD_DIR.
# Starts the throwaway PostgreSQL clusters the integration tests need (pg17 + pgvector,
# pg15 without), runs unit binaries and tests/integration/*.sh (all TAP), always stops the
# clusters, and ends with the line "N passed, N failed".
set -u
B=${1:-build/asan}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
B=$(cd "$B" && pwd)
export VBADMIN="$B/vbadmin"
export VBADMIN_BUILD="$B"
export VBADMIN_PLUGIN_PATH="$B/backends/pgvector:$B/tests/plugins"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LC_ALL=C.UTF-8 TZ=UTC
WORK=$(mktemp -d /tmp/vbtest.XXXXXX)
chmod 755 "$WORK"
export VBTEST_WORK="$WORK"
LOGDIR="$B/test-logs"
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

cleanup() {
	for k in pg17 pg15; do
		[ -d "$WORK/$k" ] && scripts/pg-sandbox.sh down --dir "$WORK/$k" >/dev/null 2>&1
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0 fail=0
note_fail() { fail=$((fail + 1)); echo "FAIL: $1"; }

for k in pg17 pg15; do
	port=$(free_port)
	if line=$(scripts/pg-sandbox.sh up "$k" --port "$port" --dir "$WORK/$k" 2>"$LOGDIR/sandbox-$k.err" | tail -n 1) && [ -n "$line" ]; then
		var=$(echo "$k" | tr a-z A-Z)_CONNINFO
		export "$var=$line"
		echo "# $k: $line"
	else
		note_fail "starting the $k sandbox (see $LOGDIR/sandbox-$k.err)"
		cat "$LOGDIR/sandbox-$k.err"
	fi
done

run_tap() { # name, command...
	local name=$1; shift
	local log="$LOGDIR/$name.log"
	timeout 600 "$@" >"$log" 2>&1
	local rc=$?
	local p f plan
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	plan=$(grep -c '^1\.\.[0-9]' "$log")
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		echo "FAIL: $name ($f failed)"; grep -A4 '^not ok ' "$log" | head -40
	fi
	if [ "$plan" -eq 0 ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
		note_fail "$name exited $rc without a complete TAP plan"; tail -20 "$log"
	else
		echo "$name: $p passed, $f failed"
	fi
}

# the C tests by their sources, so a binary left in build/ by a test since moved or removed
# does not run (a missing binary of a present source fails)
for src in tests/unit/test_*.c; do
	run_tap "$(basename "$src" .c)" "$B/tests/$(basename "$src" .c)"
done
for src in tests/integration/c/test_*.c; do   # C tests needing a server
	run_tap "$(basename "$src" .c)" "$B/tests/integration/$(basename "$src" .c)"
done
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	case "$(basename "$t")" in *lib.sh) continue ;; esac   # helpers tests source (lib.sh, tmux_lib.sh ...)
	run_tap "$(basename "$t" .sh)" bash "$t"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
