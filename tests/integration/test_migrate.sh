#!/usr/bin/env bash
# tests/integration/test_migrate.sh - `vbadmin migrate` on real stores: a LanceDB store written by
# LanceDB's own library with Datus's layout (tests/lancedb/datus-store.mjs) into the real pg17 +
# pgvector sandbox and back into a fresh LanceDB directory.  Counted with psql, vectors compared bit
# for bit against LanceDB's own reading of the source (tests/lancedb/dump.mjs), list columns as
# text[]; run twice it leaves exactly the source's rows; kill -9 at a known row of a multi-fragment
# table (tests/lancedb/pause-helper.mjs holds the scan there) then a re-run goes on exactly after the
# committed rows; a source changed in between is copied again; the source is never written.
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
# ns2: the same rows, each table written in 7 commits (7 Lance fragments), as Datus fills a store
node "$ROOT/tests/lancedb/datus-store.mjs" --dir "$DATUS/data/datus_db_ns2" --dim 8 --rows $ROWS --fragments 7 >/dev/null 2>&1
t_ok $? "fixture: the same store written in 7 fragments per table"

MIG_DB_PREFIX=vbmig
. "$ROOT/tests/integration/migrate_lib.sh"
trap 'psql "$ADMIN" -X -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
pg_create_db
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
keycol() { [ $1 = document ] && echo chunk_id || { [ "${1#schema_}" != "$1" ] && echo identifier || echo id; }; }
same_vectors() { # NS TABLE: 0 when psql's vectors of namespace NS equal LanceDB's reading of its store
	local key=$(keycol $2)
	node "$ROOT/tests/lancedb/dump.mjs" "$DATUS/data/datus_db_$1" $2 $key 2>/dev/null |
		$PY -c 'import json,sys; k=sys.argv[1]; [print(r[k], r["vector"]) for r in map(json.loads, sys.stdin)]' $key \
		>"$T_TMP/src_$2"
	q -F' ' -c "SELECT $key, vector::text FROM $2 WHERE namespace = '$1' ORDER BY $key COLLATE \"C\"" |
		$PY -c '
import struct, sys
for line in sys.stdin:
    k, v = line.split(" ", 1)
    print(k, "".join(struct.pack("<f", float(x)).hex() for x in v.strip()[1:-1].split(",")))' >"$T_TMP/pg_$2"
	[ -s "$T_TMP/src_$2" ] && cmp -s "$T_TMP/src_$2" "$T_TMP/pg_$2"
}
for t in $TABLES; do
	same_vectors ns1 $t
	t_ok $? "$t: all $ROWS vectors in PostgreSQL equal the source bit for bit"
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

# ---- kill -9 at a known row, then a re-run ----
# The pause helper holds semantic_model's first scan from row 130 on: with batches of 20 rows that is
# the request for rows 140..159, so vbadmin waits with schema_metadata and schema_value copied and
# semantic_model's rows 0..139 committed and recorded, in the middle of its fourth fragment.
STATE="$XDG_STATE_HOME/vbadmin/migrate-ns2-lancedb-pgvector.state"
# the backend looks for LanceDB's library beside its helper: the pause helper gets the real one's
mkdir -p "$T_TMP/pause"
ln -s "$ROOT/tests/lancedb/pause-helper.mjs" "$ROOT/backends/lancedb/helper/node_modules" "$T_TMP/pause/"
ns2_rows() { q -c "SELECT count(*) FROM $1 WHERE namespace = 'ns2'"; }
paused_migrate() { # TABLE ROW [migrate args...]: runs migrate on ns2 through the pause helper, kill -9 once paused
	local table=$1 row=$2 pid
	shift 2
	rm -f "$T_TMP/paused"
	# vbadmin itself in the background (not the V function: its subshell would take the kill)
	VBADMIN_LANCEDB_HELPER="$T_TMP/pause/pause-helper.mjs" VBT_PAUSE_TABLE=$table VBT_PAUSE_ROW=$row \
		VBT_PAUSE_MARK="$T_TMP/paused" "$VBADMIN" --config "$T_TMP/agent.yml" --namespace ns2 migrate \
		--from lancedb --to pgvector --batch-size 20 -y "$@" >"$T_TMP/kill.out" 2>&1 &
	pid=$!
	for _ in $(seq 1 1200); do [ -s "$T_TMP/paused" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	{ kill -9 $pid; wait $pid; } 2>/dev/null
	cat "$T_TMP/paused" 2>/dev/null
}
t_is "$(paused_migrate semantic_model 130)" 140 "the killed migrate stopped asking for semantic_model's rows 140.."
t_is "$(ns2_rows schema_metadata) $(ns2_rows schema_value) $(ns2_rows semantic_model) $(ns2_rows metrics)" \
	"$ROWS $ROWS 140 0" "kill -9 left exactly the committed batches: two tables whole, 140 rows of semantic_model"
t_is "$(awk '$1 == "semantic_model" {print $5}' "$STATE" 2>/dev/null)" 140 "the state file records 140 rows of semantic_model"
t_run V --namespace ns2 migrate --from lancedb --to pgvector --batch-size 20 -y
t_is "$RC" 0 "the re-run after kill -9 exits 0"
t_has "$OUT" "schema_metadata  0 rows copied after resuming past $ROWS committed rows, $ROWS of $ROWS keys" \
	"a table the killed run had finished is not copied again"
t_has "$OUT" "semantic_model   $((ROWS - 140)) rows copied after resuming past 140 committed rows, $ROWS of $ROWS keys in the target, 16 of 16 sampled" \
	"semantic_model goes on exactly after its 140 committed rows (the rest, $((ROWS - 140)) rows, copied once)"
t_has "$OUT" "metrics          $ROWS rows copied, $ROWS of $ROWS keys" "a table the killed run had not reached is copied whole"
t_ok $(grep -q "note:" <<<"$OUT"; [ $? -ne 0 ]; echo $?) "... with no note (nothing copied again, no order differences)"
for t in $TABLES; do
	t_is "$(ns2_rows $t)" "$ROWS" "after the kill and re-run: $t has exactly $ROWS rows (psql)"
done
for t in schema_value semantic_model metrics; do
	same_vectors ns2 $t
	t_ok $? "after the kill and re-run: $t's vectors equal the source bit for bit"
done
t_ok $([ ! -f "$STATE" ]; echo $?) "a verified migrate removes its state file"
t_is "$(q -c "SELECT count(*) FROM semantic_model WHERE namespace = 'ns1'")" "$ROWS" "namespace ns1 untouched by ns2's migrate"

# killed again, then the source changes (Datus edits a row: a new table version, the row moves to
# the end): the record no longer describes the source, so the table is copied again, not resumed
t_is "$(paused_migrate metrics 100 --tables metrics)" 100 "a second killed migrate stopped at metrics' row 100"
node --input-type=module -e "
import { createRequire } from 'node:module';
const require = createRequire('$ROOT/backends/lancedb/helper/package.json');
const db = await require('@lancedb/lancedb').connect('$DATUS/data/datus_db_ns2', { manifestEnabled: false });
await (await db.openTable('metrics')).update({ where: \"id = 'metrics:3'\", values: { name: 'edited' } });" 2>/dev/null
t_ok $? "the source's metrics table changed (one row edited with LanceDB's library)"
t_run V --namespace ns2 migrate --from lancedb --to pgvector --batch-size 20 --tables metrics -y
t_is "$RC" 0 "the re-run on the changed source exits 0"
t_has "$OUT" "metrics          $ROWS rows copied, $ROWS of $ROWS keys" "... copies the changed table again"
t_has "$OUT" "note: the source changed since the interrupted run (its table version differs); copied the table again" \
	"... and says why"
t_is "$(q -c "SELECT count(*), count(*) FILTER (WHERE name = 'edited' AND id = 'metrics:3') FROM metrics WHERE namespace = 'ns2'")" \
	"$ROWS|1" "... leaving exactly the source's rows, the edit included"

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
