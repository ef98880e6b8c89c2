#!/usr/bin/env bash
# tests/integration/test_tui_scenarios.sh - issue 17's user scenarios in a real pty (tmux), on
# the embedded default, and on the pg17/pg15 sandboxes where a server is the point.  Each numbered
# problem of the issue has its scenarios;
# every scenario runs at 80x24 and at 200x60 and resizes the window in the middle of the run
# (to the other size and back), because a console that only works at one size is not done.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
VBADMIN=$(cd "$(dirname "$VBADMIN")" && pwd)/$(basename "$VBADMIN")
SOCK="vbsc$$"
. "$ROOT/tests/integration/tmux_lib.sh"
DBS= ROLES=
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	for db in $DBS; do
		psql "$PG17_CONNINFO" -X -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	done
	for r in $ROLES; do
		psql "$PG17_CONNINFO" -X -q -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1
	done
	rm -rf "$T_TMP"
}
trap cleanup EXIT

# start NAME COLS ROWS [ENV...]: the console in a fresh dir with its own data dir and history
start() {
	local name=$1 cols=$2 rows=$3 dir="$T_TMP/$1"
	shift 3
	mkdir -p "$dir/home"
	[ -n "${NO_EXAMPLES:-}" ] || ln -sfn "$ROOT/examples" "$dir/examples"
	rm -f "$T_TMP/$name.rc"
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$name" -x "$cols" -y "$rows" \
		"cd '$dir' && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color HOME='$dir/home' XDG_STATE_HOME='$dir/state' \
		 VBADMIN_DATA_DIR=data VBADMIN_PLUGIN_PATH='${VBADMIN_PLUGIN_PATH:-}' ASAN_OPTIONS='${ASAN_OPTIONS:-}' $* \
		 '$VBADMIN' 2>'$T_TMP/$name.err'; echo \$? >'$T_TMP/$name.rc'; sleep 60"
}
resize() { tmux -L "$SOCK" resize-window -t "$1" -x "$2" -y "$3"; }
# line N of the pane (1-based; negative counts from the bottom)
line() { screen "$1" | { if [ "$2" -lt 0 ]; then tail -n $((-$2)) | head -n 1; else sed -n "$2p"; fi; }; }
# flat SESSION: the pane as one line, so a check does not depend on where a message wraps
flat() { screen "$1" | tr '\n' ' ' | tr -s ' '; }
wait_flat() { # session text [seconds]
	local i=0
	while [ $i -lt $((${3:-20} * 20)) ]; do
		case "$(flat "$1")" in *"$2"*) return 0 ;; esac
		sleep 0.05
		i=$((i + 1))
	done
	echo "# timed out waiting for '$2' in $1; the screen was:"
	screen "$1" | sed 's/^/#   /'
	return 1
}
expect_flat() { wait_flat "$1" "$2" "${4:-20}"; t_ok $? "$3"; }
# settle SESSION: waits until nothing runs (no RUNNING in the status bar)
settle() {
	local i=0
	sleep 0.2
	while [ $i -lt 600 ]; do
		case "$(screen "$1")" in *RUNNING*) ;; *) return 0 ;; esac
		sleep 0.05
		i=$((i + 1))
	done
}
still_running() { [ ! -s "$T_TMP/$1.rc" ]; }
# load_sample SESSION: Bootstrap screen, r loads examples/semantic.yaml
load_sample() {
	keys "$1" 5
	wait_for "$1" "Semantic YAML" >/dev/null
	keys "$1" r
	wait_for "$1" "bootstrap done" 60 >/dev/null
}

# -- 1. Search lab focus: typing goes to the query; the list is focused only on purpose -----
scenario_focus() { # name cols rows other_cols other_rows
	local s=$1
	start "$s" "$2" "$3"
	expect "$s" "Setup wizard:" "[$2x$3] 1: the console opens"
	settle "$s"
	load_sample "$s"
	keys "$s" 6
	expect "$s" "search>" "[$2x$3] 1: the Search lab opens on the query prompt"
	t_has "$(line "$s" -1)" "Tab/Esc results" "[$2x$3] 1: the query's key bar says Tab focuses the results"
	keys "$s" -l "orders"
	keys "$s" Enter
	expect "$s" "results in" "[$2x$3] 1: the search ran"
	resize "$s" "$4" "$5"
	expect "$s" "search>" "[$2x$3] 1: resized to $4x$5 mid-run, the lab is redrawn"
	resize "$s" "$2" "$3"
	# after a successful search the letters of the next query are query text, not hotkeys
	keys "$s" -l "top amount"
	sleep 0.3
	t_lacks "$(screen "$s")" "top N (1-1000)" "[$2x$3] 1: 't' typed after a search does not open top N"
	t_has "$(screen "$s")" "search> top amount" "[$2x$3] 1: the letters after a search go to the query"
	t_has "$(line "$s" 2)" "[hybrid]" "[$2x$3] 1: 'm' in the query did not change the mode"
	# Tab focuses the results on purpose: the prompt and the key bar say so, hotkeys work
	keys "$s" Tab
	expect "$s" "Tab/Esc query" "[$2x$3] 1: with the results focused the key bar lists their keys"
	t_has "$(screen "$s")" "[results]" "[$2x$3] 1: the prompt line shows the results have the focus"
	keys "$s" m
	expect "$s" "[vector]" "[$2x$3] 1: 'm' changes the mode when the results have the focus"
	# Esc gives the query back the focus; it never leaves the screen or quits
	keys "$s" Escape
	sleep 0.3
	keys "$s" -l "x"
	expect "$s" "search> top amountx" "[$2x$3] 1: Esc on the results returns to the query"
	t_has "$(line "$s" -1)" "Tab/Esc results" "[$2x$3] 1: the key bar is the query's again"
	still_running "$s"
	t_ok $? "[$2x$3] 1: the console is still running"
}

# -- 2. Meta keys are readline's, not Esc; Esc never quits --------------------------------
scenario_meta() {
	local s=$1
	start "$s" "$2" "$3"
	expect "$s" "Setup wizard:" "[$2x$3] 2: the console opens"
	settle "$s"
	keys "$s" 6
	expect "$s" "search>" "[$2x$3] 2: Search lab"
	keys "$s" -l "hello world"
	keys "$s" M-b
	resize "$s" "$4" "$5"
	sleep 0.2
	resize "$s" "$2" "$3"
	keys "$s" M-b
	keys "$s" -l "X"
	expect "$s" "search> Xhello world" "[$2x$3] 2: M-b moves back a word in the query (twice: to the start)"
	keys "$s" M-f
	keys "$s" -l "Y"
	expect "$s" "search> XhelloY world" "[$2x$3] 2: M-f moves forward a word"
	t_lacks "$(line "$s" 2)" "Setup wizard" "[$2x$3] 2: Meta keys did not leave the Search lab"
	keys "$s" 1
	keys "$s" -l "1"
	# the digit went into the query: still in the lab
	expect "$s" "search> XhelloY1" "[$2x$3] 2: digits typed in the query are text"
	keys "$s" Tab 1
	expect "$s" "Setup wizard:" "[$2x$3] 2: 1 with the results focused goes to Setup"
	keys "$s" Escape
	sleep 0.3
	keys "$s" Escape
	sleep 0.3
	keys "$s" M-b
	sleep 0.5
	still_running "$s"
	t_ok $? "[$2x$3] 2: Esc, Esc and M-b on Setup do not quit"
	t_has "$(screen "$s")" "Setup wizard:" "[$2x$3] 2: still on Setup after Esc"
	keys "$s" :
	expect "$s" ":" "[$2x$3] 2: the command line opens"
	keys "$s" -l "og"
	keys "$s" M-b
	keys "$s" -l "l"
	keys "$s" Enter
	expect "$s" "Session log" "[$2x$3] 2: M-b works in the command line too (og, M-b, l: :log)" 5
	keys "$s" Q
	sleep 0.5
	t_is "$(cat "$T_TMP/$s.rc" 2>/dev/null)" 0 "[$2x$3] 2: Q quits with 0"
}

# -- 2b. a resize while curses waits out ESCDELAY after a lone Esc: both keys still act -------
# (a long ESCDELAY makes the window wide; at 50 ms a SIGWINCH landing in it merged the two into
# one bogus Meta key: the Esc did nothing and the resize was lost)
scenario_esc_resize() {
	local s=$1
	start "$s" 80 24 ESCDELAY=3000
	expect "$s" "Setup wizard:" "2b: the console opens (ESCDELAY 3 s)"
	settle "$s"
	keys "$s" 6
	expect "$s" "search>" "2b: Search lab"
	keys "$s" -l "hello"
	expect "$s" "search> hello" "2b: the query is typed"
	keys "$s" Escape
	sleep 0.3
	resize "$s" 100 30
	expect "$s" "[results] search> hello" "2b: Esc followed by a resize within ESCDELAY still focuses the results"
	t_has "$(line "$s" -1)" "? help" "2b: and the resize is drawn: the key bar ends on the last of 30 rows"
}

# -- 3. running one step keeps every other step's state ---------------------------------
scenario_step() {
	local s=$1
	start "$s" "$2" "$3"
	expect "$s" "1 warn, 0 fail" "[$2x$3] 3: the checks ran on open: all ok but the bootstrap warning"
	settle "$s"
	local verdict
	verdict=$(line "$s" 2 | sed 's/^ *Setup wizard: //; s/ - .*//')
	keys "$s" g
	sleep 0.2
	keys "$s" r
	resize "$s" "$4" "$5"
	settle "$s"
	resize "$s" "$2" "$3"
	sleep 0.3
	t_has "$(line "$s" 2)" "$verdict" "[$2x$3] 3: after r on one step the header still counts every step ($verdict)"
	t_lacks "$(screen "$s")" "checks passed" "[$2x$3] 3: the header does not claim all checks passed"
	t_has "$(screen "$s")" "! bootstrap" "[$2x$3] 3: the bootstrap warning is kept"
	t_lacks "$(screen "$s")" "not run yet" "[$2x$3] 3: no step fell back to not-run"
}

# -- 7. Search lab state: every change searches again, errors clear, 0 results say why ------
scenario_lab() {
	local s=$1 d="$T_TMP/$1"
	start "$s" "$2" "$3"
	tmux -L "$SOCK" set -g set-clipboard on
	expect "$s" "Setup wizard:" "[$2x$3] 7: the console opens"
	settle "$s"
	load_sample "$s"
	keys "$s" 6
	expect "$s" "search>" "[$2x$3] 7: Search lab"
	keys "$s" -l "orders"
	keys "$s" Enter
	expect "$s" "results in" "[$2x$3] 7: first search"
	keys "$s" Tab w
	expect "$s" "filter (e.g." "[$2x$3] 7: w asks for the filter"
	keys "$s" -l "nosuch = 1"
	keys "$s" Enter
	expect_flat "$s" "the columns of semantic_model are:" "[$2x$3] 7: an unknown filter column lists the valid ones"
	t_has "$(screen "$s" | tr -d '\n')" "fq_name" "[$2x$3] 7: the list names the table's columns"
	keys "$s" w C-u
	keys "$s" -l "kind = 'nosuchkind'"
	keys "$s" Enter
	expect "$s" "matches the filter" "[$2x$3] 7: setting a filter searches again, and 0 results say the filter matched none"
	# at 80 columns the settings take a second header row rather than being cut
	t_has "$(line "$s" 2) $(line "$s" 3)" "filter kind = 'nosuchkind'" \
		"[$2x$3] 7: the header shows the whole filter of these results"
	keys "$s" w C-u Enter
	expect "$s" "top 10)" "[$2x$3] 7: clearing the filter searches again"
	keys "$s" t C-u
	keys "$s" -l "1"
	keys "$s" Enter
	expect "$s" "1 result in" "[$2x$3] 7: setting top N searches again"
	keys "$s" Enter
	expect "$s" "Hit 1 of 1" "[$2x$3] 7: Enter on a hit opens its detail view"
	t_has "$(screen "$s")" "distance:" "[$2x$3] 7: the detail view shows the distance"
	t_has "$(screen "$s")" "fq_name:" "[$2x$3] 7: the detail view shows every column"
	resize "$s" "$4" "$5"
	expect "$s" "Hit 1 of 1" "[$2x$3] 7: resized to $4x$5, the detail view is redrawn"
	resize "$s" "$2" "$3"
	keys "$s" c
	expect "$s" "copied to the clipboard" "[$2x$3] 7: c copies the hit"
	sleep 0.3
	t_has "$(tmux -L "$SOCK" show-buffer 2>/dev/null)" "rank: 1" "[$2x$3] 7: the copied text reached the terminal's clipboard (OSC 52)"
	keys "$s" Escape
	expect "$s" "# name / id" "[$2x$3] 7: Esc closes the detail view"
	keys "$s" s Enter
	expect "$s" "results saved to vbadmin-search-results.txt" "[$2x$3] 7: s saves the results"
	t_has "$(cat "$d/vbadmin-search-results.txt" 2>/dev/null)" "rank: 1" "[$2x$3] 7: the file holds the hits"
	keys "$s" w C-u
	keys "$s" -l "kind = 'table'"
	keys "$s" Enter
	sleep 0.5
	keys "$s" T
	expect "$s" "Unknown column 'kind'" "[$2x$3] 7: T searches again; metrics has no kind column"
	t_lacks "$(screen "$s")" "# name / id" "[$2x$3] 7: the failed search leaves no stale results under its error"
	keys "$s" w C-u Enter
	expect "$s" "top 1)" "[$2x$3] 7: metrics without the filter"
	keys "$s" T
	expect_flat "$s" "has no rows in namespace" "[$2x$3] 7: 0 results on an empty table say it is empty"
	keys "$s" Tab C-u
	keys "$s" -l "orders zzqqxxnothing"
	keys "$s" Tab T T T T T m m Tab
	keys "$s" Enter
	expect "$s" "every word" "[$2x$3] 7: 0 results in text mode explain the every-word rule"
}

# -- 4. the sample loads everything the tour shows; the Bootstrap screen shows the warnings --
scenario_sources() {
	local s=$1 d="$T_TMP/$1"
	start "$s" "$2" "$3"
	expect "$s" "Setup wizard:" "[$2x$3] 4: the console opens"
	settle "$s"
	load_sample "$s"
	expect "$s" "warning:" "[$2x$3] 4: the Bootstrap screen shows the YAML's warnings"
	t_has "$(flat "$s")" "(data_source 'customers')" "[$2x$3] 4: it names the ignored data source"
	keys "$s" NPage
	sleep 0.3
	t_has "$(flat "$s")" "--all-data-sources" "[$2x$3] 4: and how to load it (PgDn scrolls the outcome)"
	resize "$s" "$4" "$5"
	expect "$s" "warning:" "[$2x$3] 4: resized to $4x$5, the warnings are still shown"
	t_has "$(flat "$s")" "(data_source 'customers')" "[$2x$3] 4: rewrapped to the new width"
	resize "$s" "$2" "$3"
	keys "$s" 7
	expect "$s" "bootstrap: warning:" "[$2x$3] 4: the warning is in the Log too"
	# all data sources, incremental: customers is loaded and the tour's query finds it first
	keys "$s" 5 g j j Enter j Enter r
	expect "$s" "semantic_model: 15 of 15 rows" "[$2x$3] 4: Data sources = all loads both data sources" 60
	keys "$s" 6
	keys "$s" -l "customers by country"
	keys "$s" Enter
	expect "$s" "results in" "[$2x$3] 4: the tour's search ran"
	local i=0
	while [ $i -lt 100 ] && ! screen "$s" | grep -E '^ +[1-5] ' | grep -q country; do sleep 0.1; i=$((i + 1)); done
	t_has "$(screen "$s" | grep -E '^ +[1-5] ')" "country" "[$2x$3] 4: 'customers by country' finds the customers' country in the top 5"
}

# -- 6. labels that say what f will do; "not available" is not "not enabled" (pg15) ---------
scenario_labels() {
	local s=$1 cfg="$T_TMP/$1.yml"
	cat >"$cfg" <<YML
agent:
  namespace:
    kb:
      type: postgresql
      host: 127.0.0.1
      port: $(pg_field "$PG15_CONNINFO" port)
      database: postgres
      username: postgres
      password: postgres
  storage:
    backends:
      namespace: kb
YML
	start "$s" "$2" "$3" VBADMIN_CONFIG="$cfg"
	expect "$s" "VEC-001" "[$2x$3] 6: pg15 without pgvector: the advice is shown" 30
	keys "$s" Tab G   # the advice pane, scrolled to its end (the fix)
	sleep 0.3
	t_has "$(flat "$s")" "a DBA's job" "[$2x$3] 6: the fix is labelled a DBA's job"
	t_lacks "$(flat "$s")" "f applies the SQL" "[$2x$3] 6: no label promises f applies SQL"
	t_lacks "$(flat "$s")" "f runs it here" "[$2x$3] 6: nor that f runs it"
	resize "$s" "$4" "$5"
	expect "$s" "ext_available" "[$2x$3] 6: resized to $4x$5"
	resize "$s" "$2" "$3"
	keys "$s" 6
	expect "$s" "search>" "[$2x$3] 6: Search lab on pg15"
	keys "$s" -l "orders"
	keys "$s" Enter
	expect_flat "$s" "is not available on this server" "[$2x$3] 6: the lab says the extension is not available" 30
	t_lacks "$(flat "$s")" "is not enabled" "[$2x$3] 6: and not that it is merely not enabled"
	t_lacks "$(flat "$s")" "table not ready" "[$2x$3] 6: nor that the table is not ready"
}

# -- 5. text reflows on resize; long lines wrap or scroll sideways --------------------------
scenario_resize() {
	local s=$1
	start "$s" "$2" "$3"
	expect "$s" "VEC-047" "[$2x$3] 5: the advice is shown"
	settle "$s"
	resize "$s" "$4" "$5"
	sleep 0.5
	# wrapped to the new width: the fix command is whole, not cut at the old width
	expect "$s" "semantic_model --namespace default" \
		"[$2x$3] 5: after a resize to $4x$5 the advice is rewrapped to the new width"
	resize "$s" "$2" "$3"
	sleep 0.5
	expect "$s" "semantic_model --namespace default" \
		"[$2x$3] 5: and back at $2x$3 too"
	# a long Log line scrolls sideways, and w wraps it
	keys "$s" 7
	expect "$s" "Session log" "[$2x$3] 5: the Log"
	keys "$s" w
	expect_flat "$s" "run bootstrap-kb" "[$2x$3] 5: w wraps long Log lines"
	keys "$s" w
	local before after
	before=$(screen "$s" | grep "warn bootstrap")
	keys "$s" Right Right
	sleep 0.3
	after=$(screen "$s" | grep "bootstrap-kb\|namespace default yet")
	[ -n "$after" ] && [ "$before" != "$(screen "$s" | grep "warn bootstrap")" ]
	t_ok $? "[$2x$3] 5: Right scrolls the Log sideways"
	keys "$s" s Enter
	expect "$s" "log lines saved to vbadmin-session.log" "[$2x$3] 8: s on the Log saves it"
}

# -- 8. the smaller items: find, help, Tables cursor, mouse -----------------------------
scenario_small() {
	local s=$1
	start "$s" "$2" "$3"
	expect "$s" "Setup wizard:" "[$2x$3] 8: the console opens"
	settle "$s"
	keys "$s" g /
	keys "$s" -l "smoke"
	keys "$s" Enter
	sleep 0.3
	t_has "$(screen "$s" | grep '^>')" "smoke" "[$2x$3] 8: / finds a step name on Setup and selects it at once"
	keys "$s" /
	keys "$s" -l "no such text anywhere"
	keys "$s" Enter
	expect "$s" "not found: no such text anywhere" "[$2x$3] 8: / says not found"
	resize "$s" "$4" "$5"
	sleep 0.3
	resize "$s" "$2" "$3"
	keys "$s" ?
	expect "$s" "Keys of Setup" "[$2x$3] 8: ? shows the keys of the screen it came from"
	keys "$s" G
	sleep 0.3
	t_has "$(screen "$s")" "Go to Log" "[$2x$3] 8: the help scrolls to its end"
	keys "$s" q 3
	expect "$s" "Tables in namespace" "[$2x$3] 8: Tables"
	# mouse: a click on the 6 Search tab, then on the 1 Setup tab (SGR mouse reports)
	tmux -L "$SOCK" send-keys -t "$s" -l $'\e[<0;63;1M\e[<0;63;1m'
	expect "$s" "search>" "[$2x$3] 8: a click on a tab switches screens"
	tmux -L "$SOCK" send-keys -t "$s" -l $'\e[<0;12;1M\e[<0;12;1m'
	expect "$s" "Setup wizard" "[$2x$3] 8: a click on the Setup tab"
	tmux -L "$SOCK" send-keys -t "$s" -l $'\e[<0;5;4M\e[<0;5;4m'
	sleep 0.3
	t_has "$(screen "$s" | grep '^>')" "data_dir" "[$2x$3] 8: a click on a step selects it"
}

# -- 8. the Bootstrap screen's default file does not depend on where vbadmin was started ------
scenario_bootpath() {
	local s=$1 row
	NO_EXAMPLES=1 start "$s" "$2" "$3"
	expect "$s" "Setup wizard:" "[$2x$3] 8: the console opens in a directory without examples/"
	settle "$s"
	keys "$s" 5
	expect "$s" "Semantic YAML" "[$2x$3] 8: Bootstrap"
	row=$(screen "$s" | grep "Semantic YAML")
	t_has "$row" "/examples/semantic.yaml" "[$2x$3] 8: the default file is shown with its directory"
	t_lacks "$row" "Semantic YAML  examples/" "[$2x$3] 8: ... not as a path relative to the current directory"
	[ "$2" -ge 100 ] && t_has "$row" "$ROOT/examples/semantic.yaml" "[$2x$3] 8: ... the sample beside the vbadmin binary"
	resize "$s" "$4" "$5"
	expect "$s" "/examples/semantic.yaml" "[$2x$3] 8: resized to $4x$5, the path still ends in the file's name"
	resize "$s" "$2" "$3"
	keys "$s" r
	expect "$s" "bootstrap done" "[$2x$3] 8: r loads the default file from any directory" 60
}

# pane SESSION: the advice pane of Setup (right of the │) as one line
pane() { screen "$1" | sed -n 's/^[^│]*│ \{0,1\}//p' | tr '\n' ' ' | tr -s ' '; }
# pgconf FILE DB PASSWORD [USER]: a pg17 namespace kb (as postgres by default) with the hashing embedder
pgconf() {
	cat >"$1" <<YML
agent:
  namespace:
    kb:
      type: postgresql
      host: 127.0.0.1
      port: $(pg_field "$PG17_CONNINFO" port)
      database: $2
      username: ${4:-postgres}
      password: $3
$(hashing_storage_yml kb)
YML
}

# -- 5. a wrong password: the server's one-line message is shown whole at 80 columns --------
scenario_password() {
	local s=$1 cfg="$T_TMP/$1.yml"
	pgconf "$cfg" postgres not-the-password
	start "$s" "$2" "$3" VBADMIN_CONFIG="$cfg"
	expect "$s" "28P01" "[$2x$3] 5: a wrong password fails the connect step" 30
	t_has "$(pane "$s")" 'failed: FATAL: password authentication failed for user "postgres"' \
		"[$2x$3] 5: the server's message is wrapped, not cut after 'FATAL:'"
	t_has "$(pane "$s")" "Fix - edit the file by hand, then R re-checks (f cannot do it):" \
		"[$2x$3] 5: the fix's label is wrapped whole too"
	t_has "$(screen "$s" | grep " | ns kb | ")" "| user postgres" "[$2x$3] 5: the status bar keeps the server and the user"
	t_lacks "$(screen "$s")" "not-the-password" "[$2x$3] 5: the password itself is never shown"
	resize "$s" "$4" "$5"
	sleep 0.5
	t_has "$(pane "$s")" 'FATAL: password authentication failed for user "postgres"' \
		"[$2x$3] 5: resized to $4x$5, the message is rewrapped whole"
	resize "$s" "$2" "$3"
	sleep 0.5
	t_has "$(pane "$s")" 'FATAL: password authentication failed for user "postgres"' "[$2x$3] 5: and back"
}

# -- 6 and 8. a lost server is "server gone", not "table not ready"; EXPLAIN grows and scrolls --
scenario_gone() {
	local s=$1 db="vbsc_$$_$1" cfg="$T_TMP/$1.yml"
	psql "$PG17_CONNINFO" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null
	DBS="$DBS $db"
	pgconf "$cfg" "$db" postgres
	"$VBADMIN" --config "$cfg" ddl apply --yes >/dev/null 2>&1
	"$VBADMIN" --config "$cfg" bootstrap-kb --all-data-sources --kb_update_strategy incremental \
		--semantic_yaml "$ROOT/examples/semantic.yaml" >/dev/null 2>&1
	start "$s" "$2" "$3" VBADMIN_CONFIG="$cfg"
	expect "$s" "Setup wizard:" "[$2x$3] 6: the console opens on pg17"
	settle "$s"
	keys "$s" 6
	expect "$s" "search>" "[$2x$3] 6: Search lab"
	keys "$s" -l "orders"
	keys "$s" Enter
	expect "$s" "results in" "[$2x$3] 6: a search on pg17"
	psql "$PG17_CONNINFO" -X -q -At -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = '$db' AND application_name = 'vbadmin'" >/dev/null
	keys "$s" Up Enter
	expect_flat "$s" "server gone:" "[$2x$3] 6: the lab says the server is gone when its session was ended" 30
	t_lacks "$(flat "$s")" "table not ready" "[$2x$3] 6: not that the table is not ready"
	resize "$s" "$4" "$5"
	expect_flat "$s" "server gone:" "[$2x$3] 6: resized to $4x$5, the message stays"
	resize "$s" "$2" "$3"
	keys "$s" Up Enter
	expect "$s" "results in" "[$2x$3] 6: the next search connects again" 30
	keys "$s" Tab e
	expect "$s" "EXPLAIN of the" "[$2x$3] 8: e shows the EXPLAIN pane" 30
	scenario_noext "${s}n" "$2" "$3"
	if [ "$3" -ge 40 ]; then
		t_has "$(screen "$s")" "Index Cond" "[$2x$3] 8: at $2x$3 the EXPLAIN pane grows to show the whole plan"
	else
		keys "$s" PgDn PgDn PgDn PgDn PgDn PgDn
		expect "$s" "Index Cond" "[$2x$3] 8: at $2x$3 PgDn scrolls the EXPLAIN pane to the plan's end"
	fi
}

# -- 6. pgvector installed on the server but not created in the database: "not enabled" ------
scenario_noext() {
	local s=$1 db="vbsc_$$_$1" cfg="$T_TMP/$1.yml"
	psql "$PG17_CONNINFO" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null
	DBS="$DBS $db"
	pgconf "$cfg" "$db" postgres
	start "$s" "$2" "$3" VBADMIN_CONFIG="$cfg"
	expect "$s" "Setup wizard:" "[$2x$3] 6: the console opens on a database without the extension"
	settle "$s"
	keys "$s" 6
	expect "$s" "search>" "[$2x$3] 6: Search lab"
	keys "$s" -l "orders"
	keys "$s" Enter
	expect_flat "$s" "is not enabled for the target database" "[$2x$3] 6: the lab says the extension is not enabled" 30
	t_lacks "$(flat "$s")" "not available on this server" "[$2x$3] 6: not that it is unavailable (it is installed)"
	t_lacks "$(flat "$s")" "server gone" "[$2x$3] 6: nor that the server is gone"
}

# -- 8. Tables has a cursor and is read again on every visit (never stale after a load) -----
# sel_table SESSION: the table on the highlighted row (a background colour), from the escapes
sel_table() {
	tmux -L "$SOCK" capture-pane -p -e -t "$1" | grep $'\e\\[4[0-7]m *  *[a-z_]* ' |
		grep -o 'subject_nodes\|tasks\|feedback\|schema_metadata\|schema_value\|semantic_model\|metrics' | head -n 1
}
scenario_tables() {
	local s=$1
	start "$s" "$2" "$3"
	expect "$s" "Setup wizard:" "[$2x$3] 8: the console opens"
	settle "$s"
	keys "$s" 3
	expect "$s" "rows (ns)" "[$2x$3] 8: Tables"
	t_is "$(screen "$s" | awk '$1 == "semantic_model" {print $NF}')" 0 "[$2x$3] 8: semantic_model has no rows yet"
	t_is "$(sel_table "$s")" subject_nodes "[$2x$3] 8: the cursor is on the first table"
	keys "$s" j j
	sleep 0.3
	t_is "$(sel_table "$s")" feedback "[$2x$3] 8: j moves the cursor"
	resize "$s" "$4" "$5"
	sleep 0.5
	t_is "$(sel_table "$s")" feedback "[$2x$3] 8: resized to $4x$5, the cursor stays"
	resize "$s" "$2" "$3"
	load_sample "$s"
	t_has "$(flat "$s")" "in 1 batch," "[$2x$3] 8: 'in 1 batch' (not '1 batches')"
	t_lacks "$(flat "$s")" "1 batches" "[$2x$3] 8: no '1 batches'"
	keys "$s" 3
	sleep 1
	expect "$s" "rows (ns)" "[$2x$3] 8: Tables again"
	t_is "$(screen "$s" | awk '$1 == "semantic_model" {print $NF}')" 9 "[$2x$3] 8: it was read again: the 9 loaded rows show"
	keys "$s" 6
	expect "$s" "search>" "[$2x$3] 8: Search lab"
	t_lacks "$(line "$s" 2)" "filter -" "[$2x$3] 8: the lab's header has no 'filter -'"
	t_has "$(line "$s" 2)" "filter none" "[$2x$3] 8: it says 'filter none', in one row when it fits"
}

# -- 8. Ctrl-C at the terminal on a CLI search blocked by a lock says what it cancelled ------
scenario_cli_cancel() {
	local s=$1 db="vbsc_$$_$1" cfg="$T_TMP/$1.yml" conn lock i
	psql "$PG17_CONNINFO" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null
	DBS="$DBS $db"
	pgconf "$cfg" "$db" postgres
	"$VBADMIN" --config "$cfg" ddl apply --yes >/dev/null 2>&1
	conn=$(printf '%s' "$PG17_CONNINFO" | sed "s/dbname=[^ ]*/dbname=$db/")
	psql "$conn" -X -q -c "BEGIN; LOCK TABLE semantic_model IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);" \
		>/dev/null 2>&1 &
	lock=$!
	mkdir -p "$T_TMP/$s"
	for i in $(seq 100); do
		[ "$(psql "$conn" -X -At -c "SELECT count(*) FROM pg_locks WHERE relation = 'semantic_model'::regclass
			AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && break
		sleep 0.05
	done
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$s" -x "$2" -y "$3" \
		"cd '$T_TMP/$s' && env ASAN_OPTIONS='${ASAN_OPTIONS:-}' VBADMIN_PLUGIN_PATH='${VBADMIN_PLUGIN_PATH:-}' \
		 '$VBADMIN' --config '$cfg' search orders 2>&1; echo \"rc=\$?\"; sleep 60"
	for i in $(seq 200); do
		[ "$(psql "$conn" -X -At -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'
			AND application_name = 'vbadmin' AND wait_event_type = 'Lock'")" = 1 ] && break
		sleep 0.05
	done
	resize "$s" "$4" "$5"
	resize "$s" "$2" "$3"
	t_lacks "$(screen "$s")" "rc=" "[$2x$3] 8: the CLI search waits for the lock"
	keys "$s" C-c
	expect "$s" "Ctrl-C: cancelling search" "[$2x$3] 8: Ctrl-C at the terminal is acknowledged at once"
	expect_flat "$s" "cancelled: search \"orders\" in semantic_model of namespace kb; stopped" \
		"[$2x$3] 8: the last line says what was cancelled"
	expect_flat "$s" "nothing was changed" "[$2x$3] 8: ... and that nothing was changed"
	expect "$s" "rc=130" "[$2x$3] 8: exit 130"
	psql "$conn" -X -q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db'
		AND pid <> pg_backend_pid()" >/dev/null 2>&1
	wait "$lock" 2>/dev/null
}

# -- 8. every screen's key bar fits: one row, or two broken between keys; no key is cut ---------
scenario_keybar() {
	local s=$1 k rows bad
	start "$s" "$2" "$3"
	expect "$s" "Setup wizard:" "[$2x$3] 8: the console opens"
	settle "$s"
	bad=
	for k in 1 2 3 4 5 6 Tab 7 "?"; do
		keys "$s" "$k"
		sleep 0.4
		# the rows under the status bar are the key bar; a cut one reaches the last column
		rows=$(screen "$s" | sed 's/ *$//' | awk '/ \| ns [^ ]+ \| emb /{on=1; next} on')
		[ -n "$rows" ] || bad="$bad $k(no key bar)"
		printf '%s\n' "$rows" | awk -v c="$2" 'length($0) >= c {f=1} END {exit f}' || bad="$bad $k(cut)"
		[ "$(printf '%s\n' "$rows" | wc -l)" -le 2 ] || bad="$bad $k(rows)"
	done
	t_is "$bad" "" "[$2x$3] 8: on every screen the key bar fits in at most two rows and no key is cut"
	keys "$s" q 1
	expect "$s" "Setup wizard:" "[$2x$3] 8: back on Setup"
	# keybar.def: every key of Setup's own is shown, and the help key ends every bar
	t_has "$(screen "$s" | tail -n 2 | tr '\n' ' ')" "Tab pane" "[$2x$3] 8: Setup's keys are all shown, to the last"
	t_has "$(screen "$s" | tail -n 1 | sed 's/ *$//')" "? help" "[$2x$3] 8: ... and the help key ends the bar"
}

# -- 8. the DBA packet: each item once, and a verify query for what it asks (grants too) ----
scenario_packet() {
	local s=$1 db="vbsc_$$_$1" role="vbsc_np_$$_$1" cfg="$T_TMP/$1.yml" out
	psql "$PG17_CONNINFO" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" -c "CREATE ROLE $role LOGIN PASSWORD 'np'" >/dev/null
	DBS="$DBS $db"
	ROLES="$ROLES $role"
	psql "$(printf '%s' "$PG17_CONNINFO" | sed "s/dbname=[^ ]*/dbname=$db/")" -X -q -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC" >/dev/null
	pgconf "$cfg" "$db" np "$role"
	out=$("$VBADMIN" --config "$cfg" dba-packet 2>&1)
	t_has "$out" "GRANT USAGE, CREATE ON SCHEMA public TO $role;" "8: the packet asks for the schema grant"
	t_is "$(printf '%s\n' "$out" | grep -c "^ *GRANT")" 1 "8: each GRANT item appears once"
	t_has "$out" "has_schema_privilege('$role', 'public', 'CREATE')" "8: its verify query checks the grants, not only the extension"
}

SIZES="80 24 200 60
200 60 80 24"
n=0
while read -r c r oc or; do
	n=$((n + 1))
	scenario_focus "f$n" "$c" "$r" "$oc" "$or"
	scenario_meta "m$n" "$c" "$r" "$oc" "$or"
	scenario_step "s$n" "$c" "$r" "$oc" "$or"
	scenario_lab "l$n" "$c" "$r" "$oc" "$or"
	scenario_sources "d$n" "$c" "$r" "$oc" "$or"
	scenario_resize "r$n" "$c" "$r" "$oc" "$or"
	scenario_small "x$n" "$c" "$r" "$oc" "$or"
	scenario_bootpath "b$n" "$c" "$r" "$oc" "$or"
	scenario_keybar "k$n" "$c" "$r"
	scenario_tables "t$n" "$c" "$r" "$oc" "$or"
	if [ -n "${PG15_CONNINFO:-}" ] && [ -n "${PG17_CONNINFO:-}" ]; then
		scenario_labels "p$n" "$c" "$r" "$oc" "$or"
		scenario_password "w$n" "$c" "$r" "$oc" "$or"
		scenario_gone "g$n" "$c" "$r" "$oc" "$or"
		scenario_cli_cancel "c$n" "$c" "$r" "$oc" "$or"
	else
		t_ok 1 "PG15_CONNINFO and PG17_CONNINFO are set (run through tests/run-all.sh, which starts the sandboxes)"
	fi
done <<<"$SIZES"
scenario_esc_resize e
if [ -n "${PG17_CONNINFO:-}" ]; then
	scenario_packet k
fi
for f in "$T_TMP"/*.err; do
	t_lacks "$(cat "$f")" "Sanitizer" "no sanitizer report from $(basename "$f" .err)"
done
t_done
