#!/usr/bin/env bash
# tests/integration/test_tui_golden.sh - golden screen dumps of every console screen at 80x24.
# Each tests/tui/<name>.keys runs headless (VBADMIN_SCRIPT) on the embedded default in a fresh
# temp dir; the final screen (VBADMIN_DUMP) must equal tests/tui/expected/<name>.screen.
# A "# env: K=V ..." line in the keys file adds environment.  UPDATE_GOLDEN=1 rewrites them.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
VBADMIN=$(cd "$(dirname "$VBADMIN")" && pwd)/$(basename "$VBADMIN")

for keys in "$ROOT"/tests/tui/*.keys; do
	tui_keys_run "$keys"
	# durations and latencies are drawn as "-- ms" in headless runs; the data dir is relative; HOME is the
	# run dir, so the Bootstrap form shows its (absolute) default file as ~/examples/semantic.yaml
	(cd "$run" && env -i PATH="$PATH" HOME="$run" XDG_STATE_HOME="$run/state" XDG_CONFIG_HOME="$run/config" \
		VBADMIN_DATA_DIR=data LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 TERM=xterm LINES=24 COLUMNS=80 \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" VBADMIN_PLUGIN_PATH="${VBADMIN_PLUGIN_PATH:-}" \
		VBADMIN_SCRIPT="$keys" VBADMIN_DUMP="$run/out.screen" $extra \
		timeout 60 "$VBADMIN" >"$run/stdout" 2>"$run/stderr")
	rc=$?
	t_is "$rc" 0 "$name: console exits 0"
	if [ -s "$run/stderr" ]; then
		echo "# stderr of $name:"; sed 's/^/#   /' "$run/stderr" | head -20
	fi
	want="$ROOT/tests/tui/expected/$name.screen"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$run/out.screen" "$want"
	fi
	if diff -u "$want" "$run/out.screen" >"$run/diff" 2>&1; then
		t_ok 0 "$name: screen matches the golden dump"
	else
		t_ok 1 "$name: screen matches the golden dump"
		sed 's/^/#   /' "$run/diff" | head -60
	fi
done
# no golden's key bar is cut: the bar breaks between keys onto a second row instead, so its
# rows (dumped without trailing blanks) never reach the 80th column
cut=
for f in "$ROOT"/tests/tui/expected/*.screen; do
	# the rows under the status bar ("backend X | ns Y | emb ...") are the key bar
	awk '/ \| ns [^ ]+ \| emb /{on=1; next} on && length($0) >= 80 {f=1} END {exit f}' "$f" ||
		cut="$cut $(basename "$f" .screen)"
done
t_is "$cut" "" "every golden screen's key bar fits in 80 columns"
# docs/console.md's screenshots are these goldens (make docs copies them): each block after a
# "<!-- golden: NAME" line must equal tests/tui/expected/NAME.screen
stale= n=0
for name in $(sed -n 's/^<!-- golden: \([a-z_]*\) .*/\1/p' "$ROOT/docs/console.md"); do
	n=$((n + 1))
	awk -v want="$name" '$0 ~ "^<!-- golden: " want " " {getline; on=1; next} on && /^```$/ {exit} on' \
		"$ROOT/docs/console.md" | diff -q - "$ROOT/tests/tui/expected/$name.screen" >/dev/null || stale="$stale $name"
done
t_ok "$([ "$n" -ge 8 ]; echo $?)" "docs/console.md marks its screenshots as goldens ($n)"
t_is "$stale" "" "docs/console.md's screenshots are the current golden screens (make docs updates them)"
# the Log is capped (TUI_LOG_MAX 1000): 520 re-runs of the setup checks log 1,041 lines; the saved
# log keeps the newest 1,000 at most and its first line says how many went (issue 14.8)
run="$T_TMP/logcap"; mkdir -p "$run/home"
{ echo "=wait"; for _ in $(seq 520); do echo R; echo "=wait"; done; echo 7; echo s; echo "<Enter>"; } >"$run/cap.keys"
(cd "$run" && env -i PATH="$PATH" HOME="$run/home" XDG_STATE_HOME="$run/state" VBADMIN_DATA_DIR=data LANG=C.UTF-8 \
	LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 TERM=xterm LINES=24 COLUMNS=80 ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
	UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" VBADMIN_SCRIPT="$run/cap.keys" timeout 120 "$VBADMIN" >/dev/null 2>"$run/stderr")
t_is "$?" 0 "log cap: 520 check runs in one session exit 0"
t_ok "$([ "$(wc -l <"$run/vbadmin-session.log")" -le 1000 ]; echo $?)" "log cap: the Log holds at most 1000 lines ($(wc -l <"$run/vbadmin-session.log"))"
t_is "$(head -n 1 "$run/vbadmin-session.log")" "--:--:-- (100 earlier lines dropped: the Log keeps the newest 1000)" \
	"log cap: the first line says how many older lines were dropped"
t_has "$(tail -n 2 "$run/vbadmin-session.log")" "setup checks: 10 ok, 1 warn, 0 fail" "log cap: the newest lines are kept"
# the search history keeps its newest 1000 queries (TUI_HISTORY_MAX), in the file as in memory
run="$T_TMP/histcap"; mkdir -p "$run/home" "$run/state/vbadmin"
seq -f 'old query %g' 1500 >"$run/state/vbadmin/search_history"; chmod 600 "$run/state/vbadmin/search_history"
printf '6\nnewest query\n<Enter>\n=wait\n' >"$run/hist.keys"
(cd "$run" && env -i PATH="$PATH" HOME="$run/home" XDG_STATE_HOME="$run/state" VBADMIN_DATA_DIR=data LANG=C.UTF-8 \
	LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 TERM=xterm LINES=24 COLUMNS=80 ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
	UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" VBADMIN_SCRIPT="$run/hist.keys" timeout 60 "$VBADMIN" >/dev/null 2>"$run/stderr")
t_is "$(wc -l <"$run/state/vbadmin/search_history")" 1000 "history cap: a 1500-query history file is cut to the newest 1000"
t_is "$(tail -n 1 "$run/state/vbadmin/search_history")" "newest query" "history cap: the newest query is kept"
# the goldens themselves must show what each screen is for (a blank dump would match a blank golden)
e="$ROOT/tests/tui/expected"
t_has "$(cat "$e/setup.screen")" "! bootstrap" "setup golden shows the bootstrap warning"
t_has "$(cat "$e/setup.screen")" "VEC-047" "setup golden shows the advice of the selected step"
t_has "$(cat "$e/setup_ascii.screen")" "[WARN]" "ascii golden uses ASCII glyphs"
t_has "$(cat "$e/bootstrap.screen")" "metrics: 3 of 3 rows" "bootstrap golden shows rows written"
t_has "$(cat "$e/search.screen")" "return_rate" "search golden finds the metric by its own words"
t_has "$(cat "$e/ddl.screen")" "CREATE" "ddl golden shows SQL"
t_has "$(cat "$e/search_rerun.screen")" "3 results in -- ms (vector, metrics, top 3)" \
	"search_rerun golden: changes made while a search ran were searched when it ended (last mode, table, top N)"
t_has "$(cat "$e/small.screen")" "terminal too small" "small terminal golden shows the size message"
t_has "$(cat "$e/guided.screen")" "all 11 checks passed" "guided golden ends all green"
t_has "$(cat "$e/setup_typo.screen")" "agent.namespace.local.prot ignored; did you" "typo golden: the first screen names the unknown key"
t_has "$(cat "$e/setup_typo.screen")" "mean 'port'?" "typo golden: ... and the nearest known key"
t_has "$(cat "$e/extension_dims.screen")" "metrics              768" "extension golden shows each store's own dim (agent.storage.metric.dim_size)"
t_has "$(cat "$e/search.screen")" "| emb hashing |" "search golden: the status bar names the hashing embedder (no agent.yml)"
t_has "$(cat "$e/search_unserved.screen")" "mode vector [text] hybrid" \
	"search_unserved golden: a store whose model is not served opens the Search lab in text mode"
t_has "$(cat "$e/search_unserved.screen")" "only text search: vector and hybrid need sentence-transformers/all-MiniLM-L6-v2" \
	"search_unserved golden: another mode is refused naming the store's model (issue 13)"
t_has "$(cat "$e/search_unserved.screen")" "emb all-MiniLM-L6-v2 not served" "search_unserved golden: the status bar says so too"
t_done
