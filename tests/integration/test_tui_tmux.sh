#!/usr/bin/env bash
# tests/integration/test_tui_tmux.sh - the console in a real pty (tmux), against the real
# sandbox servers: the guided setup of an empty pg17 database to all green (DDL applied from
# the wizard, the sample YAML bootstrapped, a metric found by its own words), resize mid-run,
# Ctrl-C cancelling a step blocked by a lock, and pg15's "not available" path with the DBA
# advice and packet.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
VBADMIN=$(cd "$(dirname "$VBADMIN")" && pwd)/$(basename "$VBADMIN")
SOCK="vbtui$$"
. "$ROOT/tests/integration/tmux_lib.sh"
DB="vbtui_$$"
LOCKPID=
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	[ -n "$LOCKPID" ] && kill "$LOCKPID" >/dev/null 2>&1
	[ -n "${PG17_CONNINFO:-}" ] && psql "$PG17_CONNINFO" -X -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$T_TMP"
}
trap cleanup EXIT

if [ -z "${PG17_CONNINFO:-}" ] || [ -z "${PG15_CONNINFO:-}" ]; then
	t_ok 1 "PG17_CONNINFO and PG15_CONNINFO are set (run through tests/run-all.sh, which starts the sandboxes)"
	t_done
	exit 1
fi

# start NAME CONFIG: the console in a detached 80x24 session, exit code to $T_TMP/NAME.rc
start() {
	local name=$1 cfg=$2 extra=${3:-} dir="$T_TMP/$1"
	mkdir -p "$dir"
	ln -sf "$ROOT/examples" "$dir/examples"
	rm -f "$T_TMP/$name.rc"
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$name" -x 80 -y 24 \
		"cd '$dir' && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color HOME='$HOME' XDG_STATE_HOME='$XDG_STATE_HOME' \
		 VBADMIN_PLUGIN_PATH='${VBADMIN_PLUGIN_PATH:-}' ASAN_OPTIONS='${ASAN_OPTIONS:-}' $extra '$VBADMIN' --config '$cfg' \
		 2>'$T_TMP/$name.err'; echo \$? >'$T_TMP/$name.rc'; sleep 30"
}
wait_rc() {
	local i=0
	while [ ! -s "$T_TMP/$1.rc" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	cat "$T_TMP/$1.rc" 2>/dev/null
}
yml() { # file port dbname
	local cf=$1
	cat >"$cf" <<YML
agent:
  namespace:
    kb:
      type: postgresql
      host: 127.0.0.1
      port: $2
      database: $3
      username: postgres
      password: postgres
$(hashing_storage_yml kb)
YML
}

# -- pg17: empty database with the extension created --------------------------------------
psql "$PG17_CONNINFO" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB" >/dev/null
CONN=$(printf '%s' "$PG17_CONNINFO" | sed "s/dbname=[^ ]*/dbname=$DB/")
psql "$CONN" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION vector" >/dev/null
yml "$T_TMP/pg17.yml" "$(pg_field "$PG17_CONNINFO" port)" "$DB"

start g "$T_TMP/pg17.yml"
expect g "10 of 10 tables missing" "pg17: the wizard opens on its own checks and finds the tables missing"
expect g "VEC-015" "pg17: the missing tables' advice is shown"
t_lacks "$(screen g)" "password" "pg17: no password on screen"
# resize mid-run: bigger, then too small, then back
tmux -L "$SOCK" resize-window -t g -x 100 -y 30
expect g "VEC-015" "resize to 100x30 keeps the wizard"
tmux -L "$SOCK" resize-window -t g -x 70 -y 20
expect g "terminal too small: 70x20" "resize below 80x24 shows the size message"
tmux -L "$SOCK" resize-window -t g -x 80 -y 24
expect g "Setup wizard" "resize back to 80x24 redraws the wizard"
keys g f
# the extension exists already, so the plan (engine_ddl_plan, as `ddl apply`) leaves CREATE EXTENSION out
expect g "Apply 19 statements" "f on the missing tables offers the DDL without CREATE EXTENSION"
keys g y
expect g "19 statements applied in one transaction" "DDL applied from the wizard with per-statement results" 30
t_has "$(screen g)" "CREATE TABLE IF NOT EXISTS public.subject_nodes" "per-statement results name the statements"
keys g 1
expect g "no rows for namespace kb yet" "back on Setup the checks re-ran: tables ok, bootstrap warns" 30
keys g f
expect g "/examples/semantic.yaml" "f on the bootstrap warning opens Bootstrap with the sample (an absolute path)"
keys g r
expect g "bootstrap done" "bootstrap of the sample YAML finishes" 60
t_has "$(screen g)" "metrics: 3 of 3 rows" "bootstrap wrote the metrics"
keys g 1
expect g "all 16 checks passed" "pg17: all green after DDL and bootstrap" 30
keys g 6
expect g "search>" "Search lab opens on the prompt"
keys g Tab T Tab
expect g "table metrics" "T switches the searched table"
keys g -l "share of revenue lost to returned orders"
keys g Enter
expect g "return_rate" "search finds the metric by its own words" 30
# the focus stays on the query after a search; Tab hands it to the results, whose keys follow
keys g Tab a
expect g "recall@10 = " "recall@k of the index vs exact scan is shown" 30
keys g e
expect g "EXPLAIN of the metrics vector query" "EXPLAIN shows the plan" 30
# history: the query is in the XDG state dir
t_has "$(cat "$XDG_STATE_HOME/vbadmin/search_history" 2>/dev/null)" "share of revenue lost to returned orders" \
	"the query is saved in \$XDG_STATE_HOME/vbadmin/search_history"

# -- a fix that is plain SQL runs through the backend's exec_script after a confirm ----------
psql "$CONN" -X -q -v ON_ERROR_STOP=1 -c "DROP TABLE document" >/dev/null
keys g 1
keys g R
expect g "1 of 10 tables missing" "a dropped table is found by R" 30
t_has "$(screen g)" "CREATE TABLE IF NOT EXISTS" "its fix is the table's own SQL"
keys g f
expect g "statements of the fix in one transaction?" "f asks before running the SQL"
keys g y
expect g "fix applied" "the SQL fix is applied" 30
expect g "all 16 checks passed" "the checks re-run by themselves and are all green again" 30
t_is "$(psql "$CONN" -X -At -c "SELECT to_regclass('public.document') IS NOT NULL")" t "the table exists again in the database"

# -- Ctrl-C during a step blocked by a lock ----------------------------------------------
psql "$CONN" -X -q -c "BEGIN; LOCK TABLE semantic_model IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);" >/dev/null 2>&1 &
LOCKPID=$!
sleep 0.5
keys g 1
keys g R
expect g "RUNNING (Ctrl-C cancels)" "R starts the checks; a locked table keeps a step running" 20
sleep 0.5
t_has "$(screen g)" "RUNNING" "the step is still running behind the lock"
keys g C-c
expect g "cancelled: the remaining steps were skipped" "Ctrl-C cancels the running statement, not the program" 20
wait_for g "Setup wizard:" 20
case "$(screen g)" in *"RUNNING"*) t_ok 1 "after Ctrl-C nothing is running" ;; *) t_ok 0 "after Ctrl-C nothing is running" ;; esac
t_lacks "$(cat "$T_TMP/g.rc" 2>/dev/null)" "0" "Ctrl-C did not end the program"
kill "$LOCKPID" >/dev/null 2>&1
LOCKPID=
keys g Q
t_is "$(wait_rc g)" 0 "Q quits with exit code 0"

# -- pg15: no pgvector on the server ---------------------------------------------------------
yml "$T_TMP/pg15.yml" "$(pg_field "$PG15_CONNINFO" port)" postgres
start n "$T_TMP/pg15.yml"
expect n "ext_available" "pg15: the wizard runs"
expect n "VEC-001" "pg15: pgvector not available -> advice VEC-001" 30
t_has "$(screen n)" "Who acts: DBA" "pg15: the advice says the DBA acts"
# no table exists (the DDL needs the extension first): the per-table steps have nothing to vouch for
t_lacks "$(screen n)" "✓ columns" "pg15: no table exists, so the columns step does not show ok"
t_lacks "$(screen n)" "✓ text_indexes" "pg15: nor the text_indexes step"
t_has "$(screen n)" "– columns" "pg15: columns shows as skipped"
t_has "$(screen n)" "postgresql-15-pgvector" "pg15: the fix names the package for this server's major version"
keys n f
expect n "not SQL vbadmin can run" "pg15: f explains the fix needs whoever can install packages"
keys n s
expect n "save DBA packet to:" "s asks where to save the DBA packet"
keys n Enter
expect n "DBA packet written to vbadmin-dba-packet.txt" "the DBA packet is written"
t_has "$(cat "$T_TMP/n/vbadmin-dba-packet.txt" 2>/dev/null)" "CREATE EXTENSION IF NOT EXISTS vector;" \
	"the DBA packet holds the SQL for the DBA"
# colour: the default run draws status in colour, NO_COLOR=1 draws none (attributes only)
case "$(tmux -L "$SOCK" capture-pane -e -p -t n)" in *$'\e[3'[0-7]*|*$'\e[38;'*) t_ok 0 "colours are drawn by default" ;;
	*) t_ok 1 "colours are drawn by default" ;; esac
keys n Q
t_is "$(wait_rc n)" 0 "pg15: Q quits with exit code 0"
start m "$T_TMP/pg15.yml" "NO_COLOR=1"
expect m "VEC-001" "NO_COLOR=1: the console runs" 30
case "$(tmux -L "$SOCK" capture-pane -e -p -t m)" in *$'\e[3'[0-7]*|*$'\e[38;'*) t_ok 1 "NO_COLOR=1 draws no colour" ;;
	*) t_ok 0 "NO_COLOR=1 draws no colour" ;; esac
keys m Q
t_is "$(wait_rc m)" 0 "NO_COLOR=1: Q quits with exit code 0"
t_lacks "$(cat "$T_TMP/g.err" "$T_TMP/n.err" "$T_TMP/m.err" 2>/dev/null)" "Sanitizer" "no sanitizer report (errors or leaks) from either console"
t_done
