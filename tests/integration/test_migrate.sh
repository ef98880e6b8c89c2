#!/usr/bin/env bash
# tests/integration/test_migrate.sh - `vbadmin migrate` on real stores: a LanceDB store written by
# LanceDB's own library with Datus's layout (tests/lancedb/datus-store.mjs) into the real pg17 +
# pgvector sandbox and back into a fresh LanceDB directory.  Counted with psql, vectors compared bit
# for bit against LanceDB's own reading of the source (tests/lancedb/dump.mjs), list columns as
# text[]; run twice it leaves exactly the source's rows; kill -9 in the middle then a re-run resumes;
# the source is never written.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
if [ -z "${PG17_CONNINFO:-}" ]; then
	t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh, which starts the sandbox)"
	t_done; exit
fi
PY=/usr/bin/python3
DATUS="$T_TMP/datus"
ROWS=300
TABLES="schema_metadata schema_value semantic_model metrics reference_sql ext_knowledge document"
node "$ROOT/tests/lancedb/datus-store.mjs" --dir "$DATUS/data/datus_db_ns1" --dim 8 --rows $ROWS >/dev/null 2>&1
t_ok $? "fixture: a Datus-shaped LanceDB store, 7 tables x $ROWS rows"
cp -r "$DATUS/data/datus_db_ns1" "$DATUS/data/datus_db_ns2"

MIG_DB_PREFIX=vbmig
. "$ROOT/tests/integration/migrate_lib.sh"
trap 'psql "$ADMIN" -X -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
mig_create_db
mkconf() { mig_conf "$1" "$2" ns1 ns2; } # file home
mkconf "$T_TMP/agent.yml" "$DATUS"
V() { "$VBADMIN" --config "$T_TMP/agent.yml" "$@"; }
t_run V ddl apply --yes
t_is "$RC" 0 "the knowledge-base tables exist in PostgreSQL (ddl apply, dim 8)"
touch "$T_TMP/stamp"
sleep 1

# ---- LanceDB -> pgvector, twice ----
t_run V --namespace ns1 migrate --from lancedb --to pgvector
t_is "$RC" 2 "without -y and without a terminal, migrate refuses (exit 2)"
t_has "$ERR" "re-run with -y" "... and says how to confirm"
t_is "$(q -c "SELECT count(*) FROM semantic_model")" 0 "... and wrote nothing"

t_run V --namespace ns1 migrate --from lancedb --to pgvector -y
t_is "$RC" 0 "migrate lancedb -> pgvector exits 0"
t_has "$OUT" "from: lancedb $DATUS/data/datus_db_ns1 (read only)" "the plan names the LanceDB directory"
t_has "$OUT" "semantic_model   $ROWS rows copied, $ROWS of $ROWS keys in the target, 16 of 16 sampled rows equal" \
	"semantic_model verified: every key counted, a sample compared cell by cell"
t_run V --namespace ns1 migrate --from lancedb --to pgvector -y
t_is "$RC" 0 "the same migrate again exits 0"
for t in $TABLES; do
	t_is "$(q -c "SELECT count(*), count(DISTINCT $( [ $t = document ] && echo chunk_id || ( [ ${t#schema_} != $t ] && echo identifier || echo id) )) FROM $t WHERE namespace = 'ns1'")" \
		"$ROWS|$ROWS" "run twice: $t holds exactly the source's $ROWS rows (psql)"
done
t_is "$(q -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'metrics'::regclass AND attname = 'base_measures'")" \
	"text[]" "list<string> columns land as text[]"
t_is "$(q -c "SELECT base_measures FROM metrics WHERE id = 'metrics:7'")" "{quarter,base_measures_7}" "a list value arrives whole"
t_is "$(q -c "SELECT base_measures IS NULL FROM metrics WHERE id = 'metrics:5'")" "t" "a null list stays NULL"
t_is "$(q -c "SELECT updated_at FROM semantic_model WHERE id = 'semantic_model:1'")" "2025-01-01 00:01:00.001" \
	"timestamp(ms) arrives to the millisecond"

# every vector of every table, bit for bit: LanceDB's own reading of the source vs psql
for t in $TABLES; do
	key=$([ $t = document ] && echo chunk_id || { [ "${t#schema_}" != "$t" ] && echo identifier || echo id; })
	node "$ROOT/tests/lancedb/dump.mjs" "$DATUS/data/datus_db_ns1" $t $key 2>/dev/null |
		$PY -c 'import json,sys; k=sys.argv[1]; [print(r[k], r["vector"]) for r in map(json.loads, sys.stdin)]' $key \
		>"$T_TMP/src_$t"
	q -F' ' -c "SELECT $key, vector::text FROM $t WHERE namespace = 'ns1' ORDER BY $key COLLATE \"C\"" |
		$PY -c '
import struct, sys
for line in sys.stdin:
    k, v = line.split(" ", 1)
    print(k, "".join(struct.pack("<f", float(x)).hex() for x in v.strip()[1:-1].split(",")))' >"$T_TMP/pg_$t"
	t_ok $(cmp -s "$T_TMP/src_$t" "$T_TMP/pg_$t"; echo $?) "$t: all $ROWS vectors in PostgreSQL equal the source bit for bit"
done

# ---- pgvector -> a fresh LanceDB directory: the round trip ----
mkconf "$T_TMP/back.yml" "$T_TMP/datus2"
t_run "$VBADMIN" --config "$T_TMP/back.yml" --namespace ns1 migrate --from pgvector --to lancedb -y
t_is "$RC" 0 "migrate pgvector -> lancedb (a fresh Datus home) exits 0"
for t in $TABLES; do
	key=$([ $t = document ] && echo chunk_id || { [ "${t#schema_}" != "$t" ] && echo identifier || echo id; })
	A=$(node "$ROOT/tests/lancedb/dump.mjs" "$DATUS/data/datus_db_ns1" $t $key 2>/dev/null | md5sum)
	B=$(node "$ROOT/tests/lancedb/dump.mjs" "$T_TMP/datus2/data/datus_db_ns1" $t $key 2>/dev/null | md5sum)
	t_is "$B" "$A" "round trip LanceDB -> pgvector -> LanceDB: $t has identical rows (every column, vectors bit for bit)"
done
# Datus pins lancedb==0.18.0 (pyproject.toml): tables vbadmin creates are Lance file format 2.0, its "stable"
t_is "$(for f in "$T_TMP"/datus2/data/datus_db_ns1/*.lance/data/*.lance; do tail -c 8 "$f" | od -An -tu2 -N4 | tr -s ' '; done | sort -u)" \
	" 0 3" "the new LanceDB tables are Lance file format 2.0 (readable by Datus's lancedb 0.18)"
t_ok $([ ! -e "$T_TMP/datus2/data/datus_db_ns1/__manifest" ]; echo $?) "... with no namespace manifest beside them"
t_run "$VBADMIN" --config "$T_TMP/back.yml" --namespace ns1 --embedder hashing check  # no embeddings server here: the store steps are what this checks
t_is "$RC" 0 "the round-tripped LanceDB store passes check (Datus's Arrow schema, indexes, rows)"

t_is "$(find "$DATUS/data/datus_db_ns1" -newer "$T_TMP/stamp" | head -3)" "" "the source LanceDB store was never written"

# ---- kill -9 in the middle, then a re-run ----
STATE="$XDG_STATE_HOME/vbadmin/migrate-ns2-lancedb-pgvector.state"
# vbadmin itself in the background (not the V function: its subshell would take the kill and leave
# vbadmin running to the end)
"$VBADMIN" --config "$T_TMP/agent.yml" --namespace ns2 migrate --from lancedb --to pgvector --batch-size 10 -y \
	>"$T_TMP/kill.out" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
	[ -f "$STATE" ] && [ "$(awk '{s += $4} END {print s + 0}' "$STATE")" -ge 40 ] && break
	sleep 0.1
done
{ kill -9 $PID; wait $PID; } 2>/dev/null
PART=$(q -c "SELECT count(*) FROM (SELECT namespace FROM schema_metadata UNION ALL SELECT namespace FROM schema_value
             UNION ALL SELECT namespace FROM semantic_model UNION ALL SELECT namespace FROM metrics
             UNION ALL SELECT namespace FROM reference_sql UNION ALL SELECT namespace FROM ext_knowledge
             UNION ALL SELECT namespace FROM document) x WHERE namespace = 'ns2'")
t_ok $([ "$PART" -gt 0 ] && [ "$PART" -lt $((7 * ROWS)) ]; echo $?) "kill -9 left a partial copy ($PART of $((7 * ROWS)) rows)"
t_ok $([ -f "$STATE" ]; echo $?) "the state file records how far it got"
t_ok $(grep -q "rows in .* the source was only read" "$T_TMP/kill.out"; [ $? -ne 0 ]; echo $?) "the killed run did not finish"
t_run V --namespace ns2 migrate --from lancedb --to pgvector --batch-size 10 -y
t_is "$RC" 0 "the re-run after kill -9 exits 0"
t_has "$OUT" "after resuming" "the re-run resumes instead of starting over"
for t in $TABLES; do
	t_is "$(q -c "SELECT count(*) FROM $t WHERE namespace = 'ns2'")" "$ROWS" "after the kill and re-run: $t has exactly $ROWS rows"
done
t_ok $([ ! -f "$STATE" ]; echo $?) "a verified migrate removes its state file"
t_is "$(q -c "SELECT count(*) FROM semantic_model WHERE namespace = 'ns1'")" "$ROWS" "namespace ns1 untouched by ns2's migrate"

# ---- bad input ----
t_run V --namespace ns1 migrate --from lancedb --to lance -y
t_is "$RC" 2 "migrate onto the same store exits 2"
t_has "$ERR" "source and target are the same store" "... and says so"
t_run V --namespace ns1 migrate --from lancedb --to pgvector --tables semantic_model,nope -y
t_is "$RC" 2 "an unknown --tables name exits 2"
t_has "$ERR" "'nope' is not a knowledge-base vector table" "... naming it"
t_run V --namespace ns1 migrate --to pgvector
t_is "$RC" 2 "--from missing exits 2"

t_done
