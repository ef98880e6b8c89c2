#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...] - runs each libFuzzer target of
# BUILD_DIR/fuzzers for SECONDS (make fuzz builds them and calls this).
# Seeds come from tests/fuzz/corpus/<target>/ (never written); what the fuzzer finds goes to
# BUILD_DIR/corpus/<target>/, crashes to BUILD_DIR/crashes/<target>-*, logs to BUILD_DIR/logs/.
# FUZZ_JOBS=N runs N targets at once.  Ends with one summary line per target; exit 1 on a crash.
set -u
B=${1:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
S=${2:-600}
shift 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do t=${f##*/fuzz_}; targets+=("${t%.c}"); done
fi
JOBS=${FUZZ_JOBS:-1}
mkdir -p "$B/crashes" "$B/logs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
	local t=$1 bin="$B/fuzzers/fuzz_$1" dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	mkdir -p "$B/corpus/$t"
	"$bin" -max_total_time="$S" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$B/crashes/$t-" "${dict[@]}" "$B/corpus/$t" "tests/fuzz/corpus/$t" \
		>"$B/logs/$t.log" 2>&1
	echo $? >"$B/logs/$t.rc"
}

summary() {
	local t=$1 log="$B/logs/$1.log" rc
	rc=$(cat "$B/logs/$t.rc" 2>/dev/null || echo "?")
	local execs cov ft
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	printf '%-9s %ss  execs %s  cov %s  ft %s  corpus %s  %s\n' "$t" "$S" "${execs:-?}" "${cov:-?}" \
		"${ft:-?}" "$(ls "$B/corpus/$t" | wc -l)" \
		"$([ "$rc" = 0 ] && echo ok || echo "CRASH (rc $rc): $(ls "$B/crashes/$t-"* 2>/dev/null | tr '\n' ' ')")"
	[ "$rc" = 0 ]
}

running=0
for t in "${targets[@]}"; do
	if [ ! -x "$B/fuzzers/fuzz_$t" ]; then echo "no fuzzer $B/fuzzers/fuzz_$t" >&2; exit 2; fi
	echo "fuzzing $t for ${S}s (log $B/logs/$t.log)"
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait
status=0
for t in "${targets[@]}"; do summary "$t" || status=1; done
[ $status -eq 0 ] || echo "crash inputs are in $B/crashes/; replay one with $B/fuzzers/fuzz_<target> FILE"
exit $status
