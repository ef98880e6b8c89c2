#!/usr/bin/env bash
# tests/integration/test_tui_tsan.sh - every console scenario of tests/tui/*.keys (the golden
# screens' keys: setup, DDL apply, bootstrap, search, cancel ...) under the ThreadSanitizer build
# of vbadmin (build/tsan/vbadmin, made by `make test`): the worker thread and the drawing share
# their hand-off through atomics and the job pipe, so any data race report fails the test.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
TSAN_BIN=${VBADMIN_TSAN:-$ROOT/build/tsan/vbadmin}
if [ ! -x "$TSAN_BIN" ]; then
	t_ok 1 "the TSan build exists ($TSAN_BIN; make test builds it: make SAN=thread build/tsan/vbadmin)"
	t_done
	exit 1
fi
for keys in "$ROOT"/tests/tui/*.keys; do
	tui_keys_run "$keys"
	(cd "$run" && env -i PATH="$PATH" HOME="$run/home" XDG_STATE_HOME="$run/state" XDG_CONFIG_HOME="$run/config" \
		VBADMIN_DATA_DIR=data LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 TERM=xterm LINES=24 COLUMNS=80 \
		TSAN_OPTIONS="exitcode=66 halt_on_error=0 report_signal_unsafe=0" VBADMIN_PLUGIN_PATH="${VBADMIN_PLUGIN_PATH:-}" \
		VBADMIN_SCRIPT="$keys" VBADMIN_DUMP="$run/out.screen" $extra \
		timeout 120 "$TSAN_BIN" >"$run/stdout" 2>"$run/stderr")
	rc=$?
	t_is "$rc" 0 "$name: console exits 0 under TSan"
	if grep -q "ThreadSanitizer" "$run/stderr"; then
		t_ok 1 "$name: no ThreadSanitizer report"
		grep -A12 "WARNING: ThreadSanitizer" "$run/stderr" | head -40 | sed 's/^/#   /'
	else
		t_ok 0 "$name: no ThreadSanitizer report"
	fi
done
t_done
