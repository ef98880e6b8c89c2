#!/usr/bin/env bash
# tests/integration/test_cli_cancel.sh - Ctrl-C on the CLI commands that run long (issue 17.8):
# bootstrap-kb, migrate, index create, search and check, each stopped in a statement that
# another session's lock holds up (so the signal always lands mid-command), on the pg17 sandbox.
# Each must say at once what it is cancelling, end with "vbadmin: cancelled: WHAT; KEPT", exit
# 130, and KEPT must be the truth: the rows it says stay are the rows the database holds.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
if [ -z "${PG17_CONNINFO:-}" ]; then
	t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh, which starts the sandbox)"
	t_done; exit 1
fi
pg_new_db vbcancel
LOCKER=
cleanup() {
	[ -n "$LOCKER" ] && kill "$LOCKER" 2>/dev/null
	psql "$ADMIN" -X -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$T_TMP"
}
trap cleanup EXIT
pg_create_db
q() { psql "$CONN" -X -At -c "$1" 2>&1; }
CFG=$T_TMP/agent.yml
cat >"$CFG" <<YML
agent:
  namespace:
    pgv:
$(pg_entry_yml VBT_PW)
$(hashing_storage_yml pgv)
YML
export VBT_PW="$(pg_field "$PG17_CONNINFO" password)"
V=("$VBADMIN" --config "$CFG")
t_run "${V[@]}" ddl apply --yes
t_is "$RC" 0 "the tables exist (ddl apply)"
Y=$T_TMP/model.yaml
bash "$ROOT/bench/gen_semantic.sh" 3000 "$Y"
BOOT=(bootstrap-kb --components metrics --all-data-sources --kb_update_strategy incremental --batch-size 10
	--semantic_yaml "$Y")

# lock MODE TABLE: another session holds the lock until unlock
lock() {
	PGAPPNAME=vbtest_lock psql "$CONN" -X -q -c "BEGIN; LOCK TABLE $2 IN $1 MODE; SELECT pg_sleep(120); COMMIT" \
		>/dev/null 2>&1 &
	LOCKER=$!
	wait_sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
	          WHERE a.application_name = 'vbtest_lock' AND l.granted AND l.relation = '$2'::regclass" 1
}
unlock() {
	q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vbtest_lock'" >/dev/null
	wait "$LOCKER" 2>/dev/null
	LOCKER=
}
wait_sql() { # sql want: polls for up to 20 s; 0 when the value came
	local i
	for i in $(seq 400); do
		[ "$(q "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "# timed out waiting for '$2' from: $1"
	return 1
}
# blocked: vbadmin waits for a lock in this database
blocked() {
	wait_sql "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = '$DB' AND application_name = 'vbadmin'
	          AND wait_event_type = 'Lock'" t
}
# start ARGS...: vbadmin in the background with SIGINT as from a terminal (bash starts background
# jobs with it ignored); stdout and stderr to $T_TMP/run.out, run.err
start() {
	env --default-signal=INT "${V[@]}" "$@" >"$T_TMP/run.out" 2>"$T_TMP/run.err" &
	VP=$!
}
# interrupt: Ctrl-C, then RC and ERR of the run
interrupt() {
	kill -INT "$VP"
	wait "$VP"
	RC=$?
	ERR=$(cat "$T_TMP/run.err")
	printf '%s\n' "$ERR" | grep -e Ctrl-C -e cancelled: | sed 's/^/#   /'
}
metrics() { q "SELECT count(*) FROM metrics WHERE namespace = 'pgv'"; }
active_left() {
	q "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB' AND application_name = 'vbadmin' AND state = 'active'"
}

# -- bootstrap-kb before any batch committed ---------------------------------------------------
lock SHARE metrics
start "${BOOT[@]}"
blocked
t_ok $? "bootstrap-kb: blocked by the lock on metrics"
interrupt
unlock
t_is "$RC" 130 "bootstrap-kb, nothing committed: Ctrl-C exits 130"
t_has "$ERR" "vbadmin: Ctrl-C: cancelling bootstrap-kb of namespace pgv (metrics, incremental)" \
	"bootstrap-kb: Ctrl-C is acknowledged at once, naming what it cancels"
t_has "$ERR" "vbadmin: cancelled: bootstrap-kb of namespace pgv (metrics, incremental); metrics stopped after 0 of" \
	"bootstrap-kb: the last line says what was cancelled and where"
t_has "$ERR" "nothing was written to namespace 'pgv'" "bootstrap-kb: ... and that nothing was written"
t_is "$(metrics)" 0 "bootstrap-kb: and indeed no metrics row is there"
t_is "$(active_left)" 0 "bootstrap-kb: no vbadmin statement keeps running on the server"

# -- bootstrap-kb after some batches committed: the lock is taken between two batches ---------
start "${BOOT[@]}"
wait_sql "SELECT count(*) > 0 FROM metrics WHERE namespace = 'pgv'" t
t_ok $? "bootstrap-kb: the load commits its first batches"
lock SHARE metrics
blocked
t_ok $? "bootstrap-kb: blocked by the lock after some batches"
interrupt
unlock
have=$(metrics)
t_is "$RC" 130 "bootstrap-kb, batches committed: Ctrl-C exits 130"
said=$(printf '%s\n' "$ERR" | sed -n "s/.*committed batch[a-z]* (\([0-9]*\) rows) stay in namespace 'pgv'.*/\1/p")
t_ok "$([ -n "$said" ] && [ "$have" -gt 0 ]; echo $?)" "bootstrap-kb: the message names the committed rows ($said)"
t_is "$said" "$have" "bootstrap-kb: the rows it says stay are the rows in the table"
t_has "$ERR" "re-run the same command to complete the load" "bootstrap-kb: ... and says how to finish"
t_run "${V[@]}" "${BOOT[@]}"
t_is "$RC" 0 "bootstrap-kb: the re-run completes the load"
EXP=$(grep -c '^metric:' "$Y")
t_is "$(metrics)" "$EXP" "bootstrap-kb: every metric once after the re-run"

# -- search and check blocked by an exclusive lock ---------------------------------------------
lock "ACCESS EXCLUSIVE" metrics
start search --table metrics "events in segment"
blocked
t_ok $? "search: blocked by the lock"
interrupt
t_is "$RC" 130 "search: Ctrl-C exits 130"
t_has "$ERR" "vbadmin: Ctrl-C: cancelling search \"events in segment\" in metrics of namespace pgv" \
	"search: Ctrl-C is acknowledged at once"
t_has "$ERR" "vbadmin: cancelled: search \"events in segment\" in metrics of namespace pgv; stopped while" \
	"search: the last line says what was cancelled"
t_has "$ERR" "nothing was changed" "search: ... and that a search changes nothing"
t_is "$(active_left)" 0 "search: no vbadmin statement keeps running"
start check
blocked
t_ok $? "check: blocked by the lock"
interrupt
t_is "$RC" 130 "check: Ctrl-C exits 130"
t_has "$ERR" "vbadmin: cancelled: check of namespace pgv (backend pgvector);" "check: the last line says what was cancelled"
t_has "$ERR" "skipped (shown as skipped above)" "check: ... and that the remaining steps were skipped"
t_has "$(cat "$T_TMP/run.out")" "skipped: cancelled" "check: the skipped steps are listed"
unlock

# -- index create: CREATE INDEX CONCURRENTLY waits for another session's SHARE UPDATE EXCLUSIVE --
lock "SHARE UPDATE EXCLUSIVE" metrics
start index create --table metrics
blocked
t_ok $? "index create: blocked by the lock"
interrupt
unlock
t_is "$RC" 130 "index create: Ctrl-C exits 130"
t_has "$ERR" "vbadmin: cancelled: index create (metrics) of namespace pgv; the concurrent index build on metrics was stopped" \
	"index create: the last line says which build was cancelled"
t_has "$ERR" "no index was built before it" "index create: ... and what was built before it"
t_is "$(q "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE c.relname LIKE 'idx_metrics_vector%' AND i.indisvalid")" 0 "index create: no valid index was claimed"
t_is "$(active_left)" 0 "index create: no vbadmin statement keeps running"

# -- migrate pgvector -> embedded: checked between batches; the source read waits for a lock ---
export XDG_DATA_HOME="$T_TMP/data"
start migrate --from pgvector --to embedded --tables metrics --batch-size 50 -y
for _ in $(seq 200); do grep -q "tables:" "$T_TMP/run.out" && break; sleep 0.05; done
lock "ACCESS EXCLUSIVE" metrics
blocked
t_ok $? "migrate: the copy waits for the lock on the source"
kill -INT "$VP"
sleep 0.5
unlock # the batch in hand finishes and commits; the next check of the flag stops the run
wait "$VP"
RC=$?
ERR=$(cat "$T_TMP/run.err")
printf '%s\n' "$ERR" | grep -e Ctrl-C -e cancelled: | sed 's/^/#   /'
t_is "$RC" 130 "migrate: Ctrl-C exits 130"
t_has "$ERR" "vbadmin: Ctrl-C: cancelling migrate of namespace pgv from pgvector to embedded" \
	"migrate: Ctrl-C is acknowledged at once"
t_has "$ERR" "vbadmin: cancelled: migrate of namespace pgv from pgvector to embedded; interrupted in table metrics" \
	"migrate: the last line says what was cancelled and where"
said=$(printf '%s\n' "$ERR" | sed -n "s/.*the \([0-9]*\) rows of this run's committed batches stay.*/\1/p")
got=$(sqlite3 "$XDG_DATA_HOME/vbadmin/pgv.db" "SELECT count(*) FROM metrics" 2>&1)
t_ok "$([ -n "$said" ]; echo $?)" "migrate: the message names the rows kept ($said)"
t_is "$said" "$got" "migrate: the rows it says stay are the rows in the target"
t_done
