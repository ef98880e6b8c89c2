#!/usr/bin/env bash
# Fault injection on a real PostgreSQL 17 + pgvector of our own (so we may kill it) and on the
# embedded store: the server killed mid-DDL, mid-bootstrap and mid-index-build, statement_timeout,
# connection refused and reset, the embedded data dir full or read-only, two bootstrap-kb at once.
# Each: a clear message, the documented exit code, nothing lost or half-written, a re-run succeeds.
# Timings go to "# time:" lines (docs/reliability.md quotes them).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SANDBOX=$ROOT/scripts/pg-sandbox.sh
unset PGPASSWORD PGPASSFILE PGSERVICE PGUSER PGDATABASE PGHOST PGPORT PGOPTIONS
W=${VBTEST_WORK:-$T_TMP}
SB=$W/faults-pg.$$
MNT=$T_TMP/mnt
cleanup() {
	mountpoint -q "$MNT" 2>/dev/null && umount -l "$MNT"
	[ -f "$SB/state" ] && "$SANDBOX" down --dir "$SB" >/dev/null 2>&1
	t_cleanup
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }

PORT=$(free_port)
t_run "$SANDBOX" up pg17 --port "$PORT" --dir "$SB"
t_is "$RC" 0 "our own pg17 cluster starts (for killing)"
[ "$RC" = 0 ] || { echo "# $ERR"; t_done; exit 1; }
export PGPASSWORD=postgres
PSQL=(psql -X -q -At -w -h 127.0.0.1 -p "$PORT" -U postgres)
# the sandbox runs with synchronous_commit=off, which loses the last commits in a crash: a real
# server acknowledges a COMMIT only once it is durable, and that is what we test against
"${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
"${PSQL[@]}" -d postgres -c "CREATE DATABASE kb" -c "CREATE DATABASE ddlkb" >/dev/null
"${PSQL[@]}" -d kb -c "CREATE EXTENSION vector" >/dev/null
"${PSQL[@]}" -d ddlkb -c "CREATE EXTENSION vector" >/dev/null
pgq() { "${PSQL[@]}" -d "${DB:-kb}" -c "$1" 2>&1; }

conf() { # file database port
	cat >"$1" <<YML
agent:
  namespace:
    pgv: {type: postgresql, host: 127.0.0.1, port: $3, database: $2, username: postgres, password: "\${FAULT_PW}", timeout: 3}
$(hashing_storage_yml pgv)
YML
}
export FAULT_PW=postgres
CFG=$T_TMP/agent.yml; conf "$CFG" kb "$PORT"
DCFG=$T_TMP/ddl.yml; conf "$DCFG" ddlkb "$PORT"
V=("$VBADMIN" --config "$CFG")

# A generated model: 500 data sources x 12 semantic_model rows, 4000 metrics.  The expected
# counts come from the YAML itself: one row per data_source plus one per listed field.
Y=$T_TMP/big.yaml
bash "$ROOT/bench/gen_semantic.sh" 10000 "$Y"
EXP_SM=$(awk '/^data_source:/{n++; ds=1; next} /^metric:/{ds=0} ds && /^    - name:/{n++} END{print n}' "$Y")
EXP_M=$(grep -c '^metric:' "$Y")
echo "# model: $EXP_SM semantic_model rows, $EXP_M metrics expected"
BOOT=(bootstrap-kb --semantic_yaml "$Y" --all-data-sources --kb_update_strategy incremental --batch-size 100)

kill_server() { "$SANDBOX" kill --dir "$SB" >/dev/null; }
# bg NAME CMD...: run CMD in the background; NAME.out/.err/.rc and NAME.end (exit time) in $T_TMP
bg() {
	local n=$1; shift
	( "$@" >"$T_TMP/$n.out" 2>"$T_TMP/$n.err"; echo $? >"$T_TMP/$n.rc"; now >"$T_TMP/$n.end" ) &
	BGPID=$!
}
# fg NAME: wait for it; sets RC, OUT, ERR, and GAP = seconds from $t0 to its exit
fg() {
	wait "$BGPID"
	RC=$(cat "$T_TMP/$1.rc"); OUT=$(cat "$T_TMP/$1.out"); ERR=$(cat "$T_TMP/$1.err")
	GAP=$(secs "$t0" "$(cat "$T_TMP/$1.end")")
}
start_server() {
	t_run "$SANDBOX" start --dir "$SB"
	t_is "$RC" 0 "$1: the server restarts on its data after the crash"
}
# wait_for SQL WANT SECONDS: poll until SQL prints a number >= WANT (the DB= database)
wait_for() {
	local i n
	for i in $(seq 1 $(($3 * 20))); do
		n=$(pgq "$1" | tail -n 1)
		[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# ------------------------------------------------------------------ connection refused
dead=$(free_port)
conf "$T_TMP/dead.yml" kb "$dead"
t_run "$VBADMIN" --config "$T_TMP/dead.yml" "${BOOT[@]}" --components semantic_model
t_is "$RC" 3 "refused: bootstrap-kb exits 3"
t_has "$ERR" "Connection refused" "refused: the message says the connection was refused"
t_has "$ERR" "127.0.0.1" "refused: the message names the host"
t_run "$VBADMIN" --config "$T_TMP/dead.yml" ddl apply --yes
t_is "$RC" 3 "refused: ddl apply exits 3"
t_run "$VBADMIN" --config "$T_TMP/dead.yml" search "events"
t_is "$RC" 3 "refused: search exits 3"
t_run "$VBADMIN" --config "$T_TMP/dead.yml" check
t_is "$RC" 3 "refused: check exits 3"
t_has "$OUT$ERR" "Connection refused" "refused: check shows the reason"

# ------------------------------------------------------------------ killed mid-DDL
# An event trigger that sleeps after every DDL command stretches the apply to seconds, so the
# kill lands between two statements of the one transaction.
DB=ddlkb pgq "CREATE FUNCTION slow_ddl() RETURNS event_trigger LANGUAGE plpgsql AS \$\$BEGIN PERFORM pg_sleep(0.15); END\$\$;
CREATE EVENT TRIGGER slow_ddl ON ddl_command_end EXECUTE FUNCTION slow_ddl();" >/dev/null
tables_in() { DB=$1 pgq "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" | tail -n 1; }
bg ddl "$VBADMIN" --config "$DCFG" ddl apply --yes
DB=ddlkb wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vbadmin' AND query LIKE 'CREATE%'" 1 10
sleep 0.5
t0=$(now); kill_server; fg ddl
echo "# time: ddl apply noticed the crash in $GAP s"
t_is "$RC" 3 "mid-DDL: ddl apply exits 3 when the server dies"
t_has "$OUT" "[ 1/" "mid-DDL: statements had run before the kill"
t_has "$OUT$ERR" "Rolled back" "mid-DDL: the output says the transaction was rolled back"
start_server mid-DDL
t_has "$OUT" "host=127.0.0.1 port=$PORT user=postgres" "sandbox: start prints the conninfo again"
t_run "$SANDBOX" start --dir "$SB"
t_is "$RC" 1 "sandbox: start of a running cluster exits 1"
t_has "$ERR" "already running on port $PORT" "sandbox: and says it is running"
t_is "$(tables_in ddlkb)" 0 "mid-DDL: after recovery none of the tables exist (all or nothing)"
DB=ddlkb pgq "DROP EVENT TRIGGER slow_ddl" >/dev/null
t_run "$VBADMIN" --config "$DCFG" ddl apply --yes
t_is "$RC" 0 "mid-DDL: the re-run applies"
t_is "$(tables_in ddlkb)" 10 "mid-DDL: after the re-run all 10 tables exist"

# ------------------------------------------------------------------ killed mid-bootstrap (issue 6)
t_run "${V[@]}" ddl apply --yes
t_is "$RC" 0 "kb: DDL applied"
bg boot "${V[@]}" "${BOOT[@]}" --components semantic_model
wait_for "SELECT count(*) FROM semantic_model" 500 20
t0=$(now); kill_server; fg boot
echo "# time: bootstrap-kb noticed the crash in $GAP s"
t_is "$RC" 3 "mid-bootstrap: bootstrap-kb exits 3 when the server dies"
berr=$ERR
t_has "$berr" "vbadmin: bootstrap-kb:" "mid-bootstrap: the message says which command failed"
t_has "$berr" "rows were committed before the error; re-run the same command" "mid-bootstrap: the message says how much was kept and what to do"
t_has "$berr" "the connection to PostgreSQL was lost" "mid-bootstrap: the message says the connection was lost"
t_lacks "$OUT" "bootstrap completed" "mid-bootstrap: no success line"
kept=$(printf '%s\n' "$berr" | sed -n 's/^at least \([0-9]*\) of [0-9]* rows were committed.*/\1/p')
start_server mid-bootstrap
# the batch whose COMMIT was in flight at the kill may have landed: at most one batch more
got=$(pgq "SELECT count(*) FROM semantic_model")
echo "# reported committed: $kept, found after recovery: $got"
t_ok "$([ -n "$kept" ] && [ "$got" -ge "$kept" ] && [ "$got" -le $((kept + 100)) ] && [ $((got % 100)) = 0 ]; echo $?)" \
	"mid-bootstrap: the reported batches survived the crash, whole batches only, at most the one in flight more"
t0=$(now)
t_run "${V[@]}" "${BOOT[@]}" --components semantic_model
t1=$(now); echo "# time: re-run after the crash took $(secs "$t0" "$t1") s for $EXP_SM rows"
t_is "$RC" 0 "mid-bootstrap: the re-run exits 0"
t_is "$(pgq "SELECT count(*) || ' ' || count(DISTINCT id) FROM semantic_model WHERE namespace = 'pgv'")" "$EXP_SM $EXP_SM" \
	"mid-bootstrap: the re-run ends with exactly the expected rows, no duplicates"

# ------------------------------------------------------------------ embeddings server killed mid-load (issue 14)
# PostgreSQL stays up; the embeddings server (embed_server.py, model "slowish": 0.2 s a batch) is
# killed once some batches are committed.  The message names the embedding server (its URL, not
# its password) and not PostgreSQL, the exit is 3 (cannot connect), the committed batches stay and
# the message gives their exact count, and an incremental re-run once the server is back resumes.
EPORT=$(embed_server_start mid)
cat >"$T_TMP/emb.yml" <<YML
agent:
  namespace:
    pge: {type: postgresql, host: 127.0.0.1, port: $PORT, database: kb, username: postgres, password: "\${FAULT_PW}", timeout: 3}
  storage:
    semantic_model: {registry_name: sentence-transformers, model_name: all-MiniLM-L6-v2, dim_size: 384}
    backends:
      namespace: pge
  vbadmin:
    embedding_endpoints:
      all-MiniLM-L6-v2: {base_url: "http://vbuser:vbsecret@127.0.0.1:$EPORT/v1", model: "slowish:384", api_key: test-key}
YML
pge_rows() { pgq "SELECT count(*) || ' ' || count(DISTINCT id) FROM semantic_model WHERE namespace = 'pge'" | tail -n 1; }
bg emb "$VBADMIN" --config "$T_TMP/emb.yml" "${BOOT[@]}" --components semantic_model
wait_for "SELECT count(*) FROM semantic_model WHERE namespace = 'pge'" 300 60
t0=$(now); embed_server_stop mid KILL; fg emb
echo "# time: bootstrap-kb noticed the embeddings server's death in $GAP s"
t_is "$RC" 3 "embeddings server killed mid-load: exit 3 (cannot connect)"
t_has "$ERR" "http://127.0.0.1:$EPORT/v1/embeddings" "embeddings server killed: the message names the server's URL"
t_has "$ERR" "vbadmin: the embedding server failed during the load (sentence-transformers/all-MiniLM-L6-v2 via" \
	"embeddings server killed: says the embedding server failed, naming the model"
t_lacks "$ERR" "PostgreSQL was lost" "embeddings server killed: does not blame PostgreSQL"
t_lacks "$ERR" "vbsecret" "embeddings server killed: the URL's password is not shown"
t_has "$ERR" "once it answers again, re-run the same command: an incremental load resumes" "embeddings server killed: says what to do"
said=$(printf '%s\n' "$ERR" | sed -n 's/^\([0-9]*\) of '"$EXP_SM"' rows were committed before the embedding server failed.*/\1/p')
have=$(pge_rows)
t_ok "$([ -n "$said" ] && [ "$said" -ge 300 ]; echo $?)" "embeddings server killed: the message gives the committed rows ($said)"
t_is "$have" "$said $said" "embeddings server killed: exactly those rows are there (the store was fine: no 'at least')"
EPORT2=$(embed_server_start mid --port "$EPORT")
t_is "$EPORT2" "$EPORT" "the embeddings server is back on its port"
t_run "$VBADMIN" --config "$T_TMP/emb.yml" "${BOOT[@]}" --components semantic_model
t_is "$RC" 0 "embeddings server back: the incremental re-run exits 0"
t_is "$(pge_rows)" "$EXP_SM $EXP_SM" "embeddings server back: the re-run ends with exactly the expected rows, no duplicates"
embed_server_stop mid
pgq "DELETE FROM semantic_model WHERE namespace = 'pge'" >/dev/null  # the checks below count the table's rows

# ------------------------------------------------------------------ killed mid-index-build
t_run "${V[@]}" "${BOOT[@]}" --components metrics
t_is "$RC" 0 "index: metrics loaded ($EXP_M rows) to index"
# one build at a time, so the HNSW build of 4000 x 384 lasts long enough to be killed halfway
pgq "ALTER SYSTEM SET max_parallel_maintenance_workers = 0" >/dev/null; pgq "SELECT pg_reload_conf()" >/dev/null
bg idx "${V[@]}" index create --table metrics
wait_for "SELECT count(*) FROM pg_stat_progress_create_index WHERE phase LIKE 'building%'" 1 20
t0=$(now); kill_server; fg idx
echo "# time: index create noticed the crash in $GAP s"
t_is "$RC" 3 "mid-index: index create exits 3 when the server dies"
t_has "$OUT" "DROP INDEX CONCURRENTLY IF EXISTS" "mid-index: the message says how to drop a half-built index"
start_server mid-index
t_run "${V[@]}" index plan --table metrics
t_has "$OUT" "invalid" "mid-index: index plan reports the invalid index the crash left"
t_run "${V[@]}" index create --table metrics
t_is "$RC" 0 "mid-index: the re-run builds the index"
t_has "$OUT" "1 index built" "mid-index: the re-run says it built it"
t_is "$(pgq "SELECT count(*) FROM pg_index WHERE NOT indisvalid")" 0 "mid-index: no INVALID index is left"
t_is "$(pgq "SELECT count(*) FROM pg_indexes WHERE tablename = 'metrics' AND indexdef LIKE '%USING hnsw%'")" 1 \
	"mid-index: exactly one HNSW index on metrics"

# ------------------------------------------------------------------ statement_timeout
t_run env PGOPTIONS="-c statement_timeout=1" "${V[@]}" "${BOOT[@]}" --components semantic_model --kb_update_strategy overwrite -y
t_is "$RC" 1 "statement_timeout: bootstrap-kb exits 1 (fixable), not 130 (interrupted)"
t_has "$ERR" "statement timeout" "statement_timeout: the server's reason is shown"
t_has "$ERR" "57014" "statement_timeout: SQLSTATE 57014 is shown"
t_has "$ERR" "statement_timeout" "statement_timeout: the hint names the setting to raise"
t_lacks "$ERR" "interrupted" "statement_timeout: not reported as a Ctrl-C"
t_run "${V[@]}" "${BOOT[@]}" --components semantic_model
t_is "$RC" 0 "statement_timeout: the re-run without the timeout succeeds"
t_is "$(pgq "SELECT count(*) || ' ' || count(DISTINCT id) FROM semantic_model")" "$EXP_SM $EXP_SM" \
	"statement_timeout: counts exact after the re-run"

# ------------------------------------------------------------------ connection reset
pgq "TRUNCATE semantic_model" >/dev/null
bg rst "${V[@]}" "${BOOT[@]}" --components semantic_model
wait_for "SELECT count(*) FROM semantic_model" 500 20
t0=$(now)
pgq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vbadmin'" >/dev/null
fg rst
echo "# time: bootstrap-kb noticed the reset in $GAP s"
t_is "$RC" 3 "reset: bootstrap-kb exits 3 when its backend is terminated"
t_has "$ERR" "the connection to PostgreSQL was lost" "reset: the message says the connection was lost"
t_has "$ERR" "re-run the same command" "reset: the message says to re-run"
printf '%s\n' "$ERR" | sed 's/^/#   /'
t_lacks "$ERR" "invalid socket" "reset: no stray libpq lines"
t_run "${V[@]}" "${BOOT[@]}" --components semantic_model
t_is "$RC" 0 "reset: the re-run succeeds"
t_is "$(pgq "SELECT count(*) || ' ' || count(DISTINCT id) FROM semantic_model")" "$EXP_SM $EXP_SM" "reset: counts exact after the re-run"

# ------------------------------------------------------------------ two bootstrap-kb at once (pgvector)
pgq "TRUNCATE semantic_model" >/dev/null
"${V[@]}" "${BOOT[@]}" --components semantic_model >"$T_TMP/c1.out" 2>"$T_TMP/c1.err" & p1=$!
"${V[@]}" "${BOOT[@]}" --components semantic_model >"$T_TMP/c2.out" 2>"$T_TMP/c2.err" & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
echo "# concurrent pgvector exits: $r1 $r2"
t_ok "$([ "$r1" = 0 ] || [ "$r2" = 0 ]; echo $?)" "concurrent pgvector: at least one run succeeds"
for i in 1 2; do
	r=$([ $i = 1 ] && echo "$r1" || echo "$r2")
	[ "$r" = 0 ] || t_has "$(cat "$T_TMP/c$i.err")" "re-run the same command" "concurrent pgvector: run $i failed clearly ($r)"
done
t_is "$(pgq "SELECT count(*) || ' ' || count(DISTINCT id) FROM semantic_model")" "$EXP_SM $EXP_SM" \
	"concurrent pgvector: exact counts, no duplicates"

# ------------------------------------------------------------------ overwrite is atomic (issue 14.1)
# kill -9 and Ctrl-C at random points of an overwrite that alternates between two files of
# different sizes, with a reader counting and searching all along.  After every try the
# namespace holds the complete old or the complete new rows, and no reader ever saw anything
# else.  OVERWRITE_TRIES=20 is the run docs/reliability.md quotes; make test runs 3.
TRIES=${OVERWRITE_TRIES:-3}
# without the HNSW index of the index section the loads are quick enough to try often
pgq "DROP INDEX IF EXISTS $(pgq "SELECT indexname FROM pg_indexes WHERE tablename = 'metrics' AND indexdef LIKE '%hnsw%'" | head -n 1)" >/dev/null
YA=$T_TMP/ow_a.yaml YB=$T_TMP/ow_b.yaml
bash "$ROOT/bench/gen_semantic.sh" 5000 "$YA"
bash "$ROOT/bench/gen_semantic.sh" 2500 "$YB"
EXP_MA=$(grep -c '^metric:' "$YA") EXP_MB=$(grep -c '^metric:' "$YB")
OW=(bootstrap-kb --all-data-sources --kb_update_strategy overwrite -y --batch-size 100 --components metrics)
OWDATA=$T_TMP/owdata
# exec: the background job's pid is vbadmin's own, so the signal reaches it; SIGINT is restored
# to its default because bash starts background jobs with it ignored (a terminal's Ctrl-C is not)
run_pgv() { exec env --default-signal=INT "${V[@]}" "${OW[@]}" --semantic_yaml "$1"; }
cnt_pgv() { pgq "SELECT count(*) || ' ' || count(DISTINCT id) FROM metrics WHERE namespace = 'pgv'" | tail -n 1; }
# found: 1 when the search found a row, else 0 and what it printed
found() { local o; o=$("$@" search --table metrics --top 1 --json "events in segment" 2>&1)
	case "$o" in *'"rank":1'*) echo 1 ;; *) echo "0 rc=$? $(printf '%s' "$o" | head -c 300 | tr '\n' ' ')" ;; esac; }
find_pgv() { found "${V[@]}"; }
run_emb() { exec env --default-signal=INT XDG_DATA_HOME="$OWDATA" "$VBADMIN" --namespace ow "${OW[@]}" --semantic_yaml "$1"; }
cnt_emb() { sqlite3 -cmd ".timeout 5000" "$OWDATA/vbadmin/ow.db" "SELECT count(*) || ' ' || count(DISTINCT id) FROM metrics" 2>&1; }
find_emb() { XDG_DATA_HOME="$OWDATA" found "$VBADMIN" --namespace ow; }
# reader BE OUT: count and search until the file $OUT.stop exists
reader() {
	while [ ! -e "$2.stop" ]; do echo "count $(cnt_"$1")"; echo "found $(find_"$1")"; done >"$2"
}
torture() { # BE
	local be=$1 i sig file new cur rc got bad=0 readbad=0 samples=0 olds=0 news=0 t0 dur delay
	t0=$(now); (run_"$be" "$YA" >/dev/null 2>&1); dur=$(secs "$t0" "$(now)")
	cur="$EXP_MA $EXP_MA"
	t_is "$(cnt_"$be")" "$cur" "overwrite $be: the first overwrite loads $EXP_MA metrics"
	echo "# time: a full overwrite of $EXP_MA metrics on $be takes $dur s"
	for i in $(seq 1 "$TRIES"); do
		if [ "$cur" = "$EXP_MA $EXP_MA" ]; then file=$YB; new="$EXP_MB $EXP_MB"; else file=$YA; new="$EXP_MA $EXP_MA"; fi
		sig=$([ $((i % 2)) = 1 ] && echo KILL || echo INT)
		delay=$(awk -v d="$dur" -v r="$RANDOM" 'BEGIN{printf "%.2f", 0.05 + 1.6 * d * r / 32768}')
		rm -f "$T_TMP/rd.stop"; reader "$be" "$T_TMP/rd" & rp=$!
		run_"$be" "$file" >"$T_TMP/ow.out" 2>"$T_TMP/ow.err" & vp=$!
		sleep "$delay"; kill -"$sig" "$vp" 2>/dev/null; wait "$vp"; rc=$?
		touch "$T_TMP/rd.stop"; wait "$rp"
		got=$(cnt_"$be")
		echo "# try $i ($be): SIG$sig after ${delay}s -> exit $rc, rows '$got' (old '$cur', new '$new')"
		if [ "$got" != "$cur" ] && [ "$got" != "$new" ]; then bad=$((bad + 1)); echo "#   MIXED: $(cat "$T_TMP/ow.err")"; fi
		[ "$rc" = 0 ] && [ "$got" != "$new" ] && bad=$((bad + 1))
		case "$rc" in 0|130|137) ;; *) bad=$((bad + 1)); echo "#   exit $rc: $(cat "$T_TMP/ow.err")" ;; esac
		# the message says the state the store is in: the old rows (rolled back, or nothing sent yet:
		# Ctrl-C while connecting), or, for a Ctrl-C after the COMMIT, the new ones (an empty stderr:
		# SIGINT came before the handler was set, with nothing written yet)
		if [ "$sig" = INT ] && [ "$rc" = 130 ] && [ "$got" = "$cur" ] && [ -s "$T_TMP/ow.err" ]; then
			grep -q -e "still holds exactly its previous rows" -e ", while connecting; nothing was sent" "$T_TMP/ow.err" ||
				{ bad=$((bad + 1)); echo "#   message: $(cat "$T_TMP/ow.err")"; }
		fi
		# (or the load's own summary: a Ctrl-C landing while vbadmin exits, after it said what it
		# loaded, still ends it with 130, as any program a terminal interrupts)
		if [ "$sig" = INT ] && [ "$rc" = 130 ] && [ "$got" = "$new" ] && [ "$got" != "$cur" ]; then
			grep -q -e "the overwrite itself was committed" -e "^metrics: ${new%% *} rows in " "$T_TMP/ow.err" ||
				{ bad=$((bad + 1)); echo "#   message after the commit: $(cat "$T_TMP/ow.err")"; }
		fi
		[ "$got" = "$cur" ] && olds=$((olds + 1)) || news=$((news + 1))
		samples=$((samples + $(grep -c . "$T_TMP/rd")))
		grep -v -e "^count $cur\$" -e "^count $new\$" -e '^found 1$' "$T_TMP/rd" >"$T_TMP/rd.bad"
		readbad=$((readbad + $(grep -c . "$T_TMP/rd.bad"))); sed 's/^/#   reader saw: /' "$T_TMP/rd.bad" | head -5
		cur=$got
	done
	echo "# overwrite $be: $TRIES tries, $olds left the old rows, $news the new ones; $samples reader samples"
	t_is "$bad" 0 "overwrite $be: kill -9 / Ctrl-C at random points left the complete old or new rows ($TRIES tries)"
	t_is "$readbad" 0 "overwrite $be: every count and search during the overwrites saw complete rows, never none"
}
torture pgv
mkdir -p "$OWDATA"
torture emb
# the embedded store's search runs under the same time limit as PostgreSQL's (30 s by default,
# search --timeout, options: statement_timeout): 64 words over its metrics take longer than 1 ms
QT=$(printf 'events segment revenue count %.0s' $(seq 16))
t_run env XDG_DATA_HOME="$OWDATA" "$VBADMIN" --namespace ow search --table metrics --mode text --timeout 0.001 "$QT"
t_is "$RC" 1 "embedded search timeout: past --timeout it exits 1 (a limit to raise), not 130"
t_has "$ERR" "canceling statement due to statement timeout (1 ms on the embedded store)" "embedded search timeout: says so"
t_has "$ERR" "SQLSTATE 57014" "embedded search timeout: with PostgreSQL's SQLSTATE"
t_has "$ERR" "raise the limit with --timeout SECONDS" "embedded search timeout: and how to raise it"
t_run env XDG_DATA_HOME="$OWDATA" "$VBADMIN" --namespace ow search --table metrics --mode text "$QT"
t_is "$RC" 0 "embedded search timeout: the same search under the default (30 s) answers"
# a pipe, /dev/stdin and <(...) are read once: the overwrite loads the rows (they emptied the store)
t_run bash -c "cat '$YB' | env XDG_DATA_HOME='$OWDATA' '$VBADMIN' --namespace ow ${OW[*]} --semantic_yaml /dev/stdin"
t_is "$RC" 0 "pipe: overwrite from /dev/stdin exits 0"
t_is "$(cnt_emb)" "$EXP_MB $EXP_MB" "pipe: overwrite from /dev/stdin loads every row"
t_run "${V[@]}" "${OW[@]}" --semantic_yaml <(cat "$Y")
t_is "$RC" 0 "pipe: overwrite from <(...) exits 0 on pgvector"
t_is "$(cnt_pgv)" "$EXP_M $EXP_M" "pipe: overwrite from <(...) loads every row"
ls "${TMPDIR:-/tmp}"/vbadmin-input.* >/dev/null 2>&1
t_ok "$([ $? != 0 ]; echo $?)" "pipe: no spool file is left behind"
printf 'metric:\n  name: [unclosed\n' >"$T_TMP/broken.yaml"
t_run bash -c "cat '$T_TMP/broken.yaml' | '${V[0]}' --config '$CFG' ${OW[*]} --semantic_yaml /dev/stdin"
t_is "$RC" 2 "pipe: a file that cannot be parsed exits 2"
t_has "$ERR" "nothing was written" "pipe: and says nothing was written"
t_is "$(cnt_pgv)" "$EXP_M $EXP_M" "pipe: the unparsable overwrite deleted nothing"

# ------------------------------------------------------------------ signals (issue 14.4)
# SIGTERM / SIGHUP cancel the server-side statement before vbadmin dies; a Ctrl-C while the
# connection hangs ends at once (a listener that never answers stands in for a dead host).
for sig in TERM HUP; do
	# the previous round's backend must be gone, so the wait below sees this run's statement
	for _ in $(seq 100); do
		[ "$(pgq "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vbadmin'" | tail -n 1)" = 0 ] && break
		sleep 0.05
	done
	# as from a terminal: the test runner may start jobs with SIGHUP ignored (nohup), which
	# vbadmin respects
	# a share lock held by another session keeps the overwrite's writes waiting, so the signal always
	# lands mid-statement however fast the machine is
	PGAPPNAME=vbtest_lock pgq "BEGIN; LOCK TABLE metrics IN SHARE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null & lp=$!
	wait_for "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'vbtest_lock' AND l.mode = 'ShareLock' AND l.granted" 1 20
	env --default-signal=HUP "${V[@]}" "${OW[@]}" --semantic_yaml "$Y" >/dev/null 2>"$T_TMP/sig.err" & vp=$!
	wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vbadmin' AND state = 'active' AND wait_event_type = 'Lock'" 1 20
	kill -"$sig" "$vp"; wait "$vp"; rc=$?
	sleep 0.5
	pgq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vbtest_lock'" >/dev/null
	wait "$lp" 2>/dev/null
	t_is "$rc" $((128 + $(kill -l "$sig"))) "SIG$sig: vbadmin dies of the signal"
	t_is "$(pgq "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vbadmin' AND state = 'active'" | tail -n 1)" 0 \
		"SIG$sig: no vbadmin statement keeps running on the server"
	t_is "$(cnt_pgv)" "$EXP_M $EXP_M" "SIG$sig: the interrupted overwrite left the old rows"
done
# Escalating Ctrl-C: the first sends the server-side cancel and waits for the statement to end; a
# second while that cancel is pending exits at once with 130.  A backend stopped with SIGSTOP
# stands in for a statement that ignores the cancel (ts_rank_cd did, for 10 minutes).
PGAPPNAME=vbtest_lock pgq "BEGIN; LOCK TABLE metrics IN SHARE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null & lp=$!
wait_for "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'vbtest_lock' AND l.mode = 'ShareLock' AND l.granted" 1 20
env --default-signal=INT "${V[@]}" "${OW[@]}" --semantic_yaml "$Y" >/dev/null 2>"$T_TMP/esc.err" & vp=$!
wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vbadmin' AND state = 'active' AND wait_event_type = 'Lock'" 1 20
bpid=$(pgq "SELECT pid FROM pg_stat_activity WHERE application_name = 'vbadmin' AND state = 'active'" | tail -n 1)
kill -STOP "$bpid"
kill -INT "$vp"; sleep 1
t_ok "$(kill -0 "$vp" 2>/dev/null; echo $?)" "Ctrl-C twice: after the first, vbadmin waits for the cancelled statement"
t0=$(now); kill -INT "$vp"; wait "$vp"; rc=$?
echo "# time: the second Ctrl-C ended vbadmin in $(secs "$t0" "$(now)") s"
kill -CONT "$bpid"
pgq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vbtest_lock'" >/dev/null
wait "$lp" 2>/dev/null
t_is "$rc" 130 "Ctrl-C twice: the second, while the cancel is pending, exits 130 at once"
t_has "$(cat "$T_TMP/esc.err")" "at once (second Ctrl-C); the open transaction is rolled back, what was committed before it stays" "Ctrl-C twice: and says what happens to the open transaction"
wait_for "SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 0 END FROM pg_stat_activity WHERE application_name = 'vbadmin'" 1 20
t_is "$(cnt_pgv)" "$EXP_M $EXP_M" "Ctrl-C twice: the abandoned overwrite left the old rows"
# The listener accepts and never answers; it notes each connection, so the Ctrl-C goes out once
# vbadmin is waiting on it (a fixed sleep sent it before vbadmin had started on a loaded machine)
/usr/bin/python3 -c "
import socket, sys, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(5); print(s.getsockname()[1], flush=True)
s.settimeout(0.5); held = []; end = time.time() + 120
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    held.append(c)
    with open(sys.argv[1], 'a') as f:
        f.write('accepted\\n')" "$T_TMP/hang.accepted" >"$T_TMP/hang.port" & hp=$!
accepted() { cat "$T_TMP/hang.accepted" 2>/dev/null | wc -l; }
for _ in $(seq 1 400); do [ -s "$T_TMP/hang.port" ] && break; sleep 0.05; done
conf "$T_TMP/hang.yml" kb "$(cat "$T_TMP/hang.port")"; sed -i 's/timeout: 3/timeout: 30/' "$T_TMP/hang.yml"
for cmd in check "search events"; do
	n0=$(accepted)
	t0=$(now)
	env --default-signal=INT "$VBADMIN" --config "$T_TMP/hang.yml" $cmd >/dev/null 2>"$T_TMP/hang.err" & vp=$!
	for _ in $(seq 1 400); do [ "$(accepted)" -gt "$n0" ] && break; sleep 0.05; done
	t_ok "$([ "$(accepted)" -gt "$n0" ]; echo $?)" "Ctrl-C while connecting: $cmd connected to the silent listener"
	t1=$(now); kill -INT "$vp"; wait "$vp"; rc=$?
	echo "# time: Ctrl-C while connecting ($cmd) ended it $(secs "$t1" "$(now)") s after the Ctrl-C, $(secs "$t0" "$(now)") s after the start (connect timeout 30 s)"
	t_is "$rc" 130 "Ctrl-C while connecting: $cmd exits 130 at once"
	t_has "$(cat "$T_TMP/hang.err")" "vbadmin: cancelled: ${cmd%% *}" "Ctrl-C while connecting: $cmd says what it cancelled"
	t_has "$(cat "$T_TMP/hang.err")" ", while connecting; nothing was sent" "Ctrl-C while connecting: $cmd says nothing was sent"
done
kill "$hp" 2>/dev/null

# ------------------------------------------------------------------ concurrency (issue 14.5)
# Two metrics loads into a fresh namespace raced select-then-insert on subject_nodes (duplicate
# key, exit 2, about 1 round in 2 here); two ddl apply failed on duplicate pg_type.
# CONCURRENT_TRIES=20 is the run docs/reliability.md quotes.
CT=${CONCURRENT_TRIES:-3}
YC=$T_TMP/conc.yaml; bash "$ROOT/bench/gen_semantic.sh" 1500 "$YC"; EXP_C=$(grep -c '^metric:' "$YC")
CB=(bootstrap-kb --components metrics --semantic_yaml "$YC" --all-data-sources --kb_update_strategy incremental)
good=0
for i in $(seq 1 "$CT"); do
	pgq "DELETE FROM metrics; DELETE FROM subject_nodes" >/dev/null
	"${V[@]}" "${CB[@]}" >/dev/null 2>"$T_TMP/m1.err" & p1=$!
	"${V[@]}" "${CB[@]}" >/dev/null 2>"$T_TMP/m2.err" & p2=$!
	wait $p1; r1=$?; wait $p2; r2=$?
	got=$(pgq "SELECT (SELECT count(*) FROM metrics) || ' ' || (SELECT count(*) - count(DISTINCT (coalesce(parent_id, -1), name)) FROM subject_nodes)" | tail -n 1)
	echo "# concurrent metrics round $i: exits $r1 $r2, metrics and duplicate nodes: $got"
	[ "$r1 $r2 $got" = "0 0 $EXP_C 0" ] && good=$((good + 1)) || sed 's/^/#   /' "$T_TMP/m1.err" "$T_TMP/m2.err" | head -6
done
t_is "$good" "$CT" "two fresh concurrent metrics loads: both succeed, no duplicate subject node ($good of $CT rounds)"
# the same on the embedded store: a fresh data dir each round, so the two race to create the
# namespace's file, its tables and the subject tree (BEGIN IMMEDIATE serialises the node creation)
good=0
for i in $(seq 1 "$CT"); do
	CD=$T_TMP/conc_emb.$i; mkdir -p "$CD"
	env XDG_DATA_HOME="$CD" "$VBADMIN" --namespace conc "${CB[@]}" >/dev/null 2>"$T_TMP/m1.err" & p1=$!
	env XDG_DATA_HOME="$CD" "$VBADMIN" --namespace conc "${CB[@]}" >/dev/null 2>"$T_TMP/m2.err" & p2=$!
	wait $p1; r1=$?; wait $p2; r2=$?
	got=$(sqlite3 -cmd ".timeout 5000" "$CD/vbadmin/conc.db" "SELECT (SELECT count(*) FROM metrics) || ' ' || (SELECT count(*) - count(DISTINCT coalesce(parent_id, -1) || '/' || name) FROM subject_nodes)" 2>&1)
	echo "# concurrent embedded metrics round $i: exits $r1 $r2, metrics and duplicate nodes: $got"
	[ "$r1 $r2 $got" = "0 0 $EXP_C 0" ] && good=$((good + 1)) || sed 's/^/#   /' "$T_TMP/m1.err" "$T_TMP/m2.err" | head -6
	rm -rf "$CD"
done
t_is "$good" "$CT" "two fresh concurrent metrics loads, embedded: both succeed, no duplicate subject node ($good of $CT rounds)"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE ddlrace" >/dev/null
"${PSQL[@]}" -d ddlrace -c "CREATE EXTENSION vector" >/dev/null
RCFG=$T_TMP/race.yml; conf "$RCFG" ddlrace "$PORT"
good=0
for i in 1 2 3; do
	DB=ddlrace pgq "DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE EXTENSION IF NOT EXISTS vector" >/dev/null 2>&1
	"$VBADMIN" --config "$RCFG" ddl apply --yes >"$T_TMP/d1.out" 2>&1 & p1=$!
	"$VBADMIN" --config "$RCFG" ddl apply --yes >"$T_TMP/d2.out" 2>&1 & p2=$!
	wait $p1; r1=$?; wait $p2; r2=$?
	echo "# concurrent ddl apply round $i: exits $r1 $r2"
	[ "$r1 $r2" = "0 0" ] && good=$((good + 1)) || tail -3 "$T_TMP/d1.out" "$T_TMP/d2.out" | sed 's/^/#   /'
done
t_is "$good" 3 "two ddl apply at once on one schema: both succeed (the second waits), 3 of 3 rounds"
t_is "$(tables_in ddlrace)" 10 "two ddl apply at once: all 10 tables exist"

# ------------------------------------------------------------------ sandbox kill/start edge cases
kill_server
t_run "$SANDBOX" kill --dir "$SB"
t_is "$RC" 1 "sandbox: kill of a dead cluster exits 1"
t_has "$ERR" "nothing to kill (restart it with scripts/pg-sandbox.sh start --dir $SB)" "sandbox: and says how to restart it"
t_run "$SANDBOX" status --dir "$SB"
t_has "$ERR" "restart it on its data with" "sandbox: status of a killed cluster points at start"
t_run "$SANDBOX" start --dir /nonexistent-vb-dir
t_is "$RC" 1 "sandbox: start without a cluster exits 1"
t_has "$ERR" "no sandbox cluster in /nonexistent-vb-dir" "sandbox: and says there is none"

# ------------------------------------------------------------------ embedded: disk full
# The data dir on a 2 MB tmpfs: the load fills it halfway.
EB=(bootstrap-kb --semantic_yaml "$Y" --all-data-sources --kb_update_strategy incremental --batch-size 100 --namespace emb --components semantic_model)
mkdir -p "$MNT"
mount -t tmpfs -o size=2m,mode=0755 vbfault "$MNT"
t_ok $? "disk full: a 2 MB tmpfs is mounted for the data dir"
edb=$MNT/vbadmin/emb.db
ecount() { sqlite3 "$edb" "SELECT count(*) || ' ' || count(DISTINCT id) FROM semantic_model" 2>&1; }
t0=$(now)
t_run env XDG_DATA_HOME="$MNT" "$VBADMIN" "${EB[@]}"
echo "# time: disk full reported after $(secs "$t0" "$(now)") s"
t_is "$RC" 1 "disk full: bootstrap-kb exits 1 (fixable)"
t_has "$ERR" "disk is full" "disk full: the message says the disk is full"
t_has "$ERR" "free disk space where $edb lives" "disk full: the hint names the store file"
t_has "$ERR" "rows were committed before the error; re-run the same command" "disk full: says what was kept and what to do"
kept=$(printf '%s\n' "$ERR" | sed -n 's/^\([0-9]*\) of [0-9]* rows were committed.*/\1/p')
t_is "$(ecount)" "$kept $kept" "disk full: the store still opens and holds exactly the committed batches"
t_ok "$([ -n "$kept" ] && [ $((kept % 100)) = 0 ]; echo $?)" "disk full: only whole batches ($kept rows)"
t_run env XDG_DATA_HOME="$MNT" "$VBADMIN" --namespace emb search --table semantic_model "event table"
t_is "$RC" 0 "disk full: search still works on the full store"
mount -o remount,size=64m "$MNT"
t_run env XDG_DATA_HOME="$MNT" "$VBADMIN" "${EB[@]}"
t_is "$RC" 0 "disk full: with space freed the re-run succeeds"
t_is "$(ecount)" "$EXP_SM $EXP_SM" "disk full: exact counts after the re-run, no duplicates"

# ------------------------------------------------------------------ embedded: read-only data dir
mount -o remount,ro "$MNT"
t_run env XDG_DATA_HOME="$MNT" "$VBADMIN" "${EB[@]}"
echo "# read-only: rc $RC: $ERR"
t_is "$RC" 3 "read-only: bootstrap-kb exits 3 (cannot open the store for writing)"
t_has "$ERR" "$edb" "read-only: the message names the store file"
t_has "$ERR" "Read-only file system" "read-only: the message says the file system is read-only"
t_has "$ERR" "make the data dir writable" "read-only: the hint says what to do"
t_run env XDG_DATA_HOME="$MNT" "$VBADMIN" --namespace emb search --table semantic_model "event table"
t_is "$RC" 3 "read-only: search exits 3 too (the store opens read-write)"
mount -o remount,rw "$MNT"
t_is "$(ecount)" "$EXP_SM $EXP_SM" "read-only: the store is unchanged"
t_run env XDG_DATA_HOME="$MNT" "$VBADMIN" "${EB[@]}"
t_is "$RC" 0 "read-only: writable again, the re-run succeeds"
umount "$MNT"

# ------------------------------------------------------------------ embedded: a store that cannot open on a full disk
# It exited 3 (cannot connect) with no word of the disk; docs say a full disk is exit 1 (issue 14.8).
mount -t tmpfs -o size=64k,mode=0755 vbfull "$MNT" && head -c 100000 /dev/zero >"$MNT/filler" 2>/dev/null
t_run env XDG_DATA_HOME="$MNT" "$VBADMIN" --namespace fresh bootstrap-kb --components semantic_model --semantic_yaml "$ROOT/tests/data/kb_small.yaml"
t_is "$RC" 1 "full disk at open: bootstrap-kb exits 1 (free space), not 3"
t_has "$ERR" "cannot open embedded store $MNT/vbadmin/fresh.db: database or disk is full" "full disk at open: names the store file"
t_has "$ERR" "has no free space left: free disk space there" "full disk at open: says to free space"
t_ok "$([ ! -e "$MNT/vbadmin/fresh.db" ]; echo $?)" "full disk at open: no empty fresh.db is left behind"
t_run env XDG_DATA_HOME="$MNT" "$VBADMIN" search "event table"
t_is "$RC" 1 "full disk at open: search exits 1 with the same hint"
t_has "$ERR" "has no free space left" "full disk at open: search says so"
t_run env XDG_DATA_HOME="$MNT" "$VBADMIN" check
t_is "$RC" 1 "full disk at open: check exits 1"
t_has "$OUT" "advice VEC-066 (operator acts): The embedded store's disk is full" "full disk at open: check gives the disk-full advice"
umount "$MNT"

# ------------------------------------------------------------------ embedded: two bootstrap-kb at once
bg e1 "$VBADMIN" "${EB[@]}"; b1=$BGPID
bg e2 "$VBADMIN" "${EB[@]}"; b2=$BGPID
wait "$b1"; wait "$b2"
r1=$(cat "$T_TMP/e1.rc"); r2=$(cat "$T_TMP/e2.rc")
echo "# concurrent embedded exits: $r1 $r2"
t_ok "$([ "$r1" = 0 ] || [ "$r2" = 0 ]; echo $?)" "concurrent embedded: at least one run succeeds"
for i in 1 2; do
	r=$(cat "$T_TMP/e$i.rc")
	[ "$r" = 0 ] || t_has "$(cat "$T_TMP/e$i.err")" "re-run the same command" "concurrent embedded: run $i failed clearly ($r)"
done
edb=$XDG_DATA_HOME/vbadmin/emb.db
t_is "$(ecount)" "$EXP_SM $EXP_SM" "concurrent embedded: exact counts, no duplicates"

t_done
