#!/usr/bin/env bash
# tests/integration/test_tui_migrate.sh - the console's migrate action (`:migrate FROM TO`, tui/migrate.c)
# in a real pty (tmux): from a LanceDB store written by LanceDB's own library with Datus's layout
# (tests/lancedb/datus-store.mjs) into the pg17 + pgvector sandbox.  Refused at the confirmation it
# writes nothing; confirmed, the Log screen shows plan, progress and verdict, and psql counts exactly
# the source's rows with every vector equal bit for bit (LanceDB's own reading of the source); a
# second :migrate leaves the same rows.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
if [ -z "${PG17_CONNINFO:-}" ]; then
	t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh, which starts the sandbox)"
	t_done; exit
fi
VBADMIN=$(cd "$(dirname "$VBADMIN")" && pwd)/$(basename "$VBADMIN")
PY=/usr/bin/python3
SOCK="vbmig$$"
TMUX_WAIT=30 # a migration of 240 rows through two stores takes longer than a screen change
. "$ROOT/tests/integration/tmux_lib.sh"
MIG_DB_PREFIX=vbtuimig
. "$ROOT/tests/integration/migrate_lib.sh"
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	psql "$ADMIN" -X -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$T_TMP"
}
trap cleanup EXIT

DATUS="$T_TMP/datus"
ROWS=120
TABLES="semantic_model metrics"
node "$ROOT/tests/lancedb/datus-store.mjs" --dir "$DATUS/data/datus_db_ns1" --dim 8 --rows $ROWS \
	--tables semantic_model,metrics >/dev/null 2>&1
t_ok $? "fixture: a Datus-shaped LanceDB store, semantic_model and metrics x $ROWS rows"
pg_create_db
mig_conf "$T_TMP/agent.yml" "$DATUS" ns1
"$VBADMIN" --config "$T_TMP/agent.yml" ddl apply --yes >/dev/null 2>&1
t_is "$?" 0 "the knowledge-base tables exist in PostgreSQL (ddl apply, dim 8)"

mkdir -p "$T_TMP/run" "$T_TMP/state"
tmux -L "$SOCK" -f /dev/null new-session -d -s m -x 120 -y 40 \
	"cd '$T_TMP/run' && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color HOME='$T_TMP/run' XDG_STATE_HOME='$T_TMP/state' \
	 VBT_PG_PASSWORD='$VBT_PG_PASSWORD' VBADMIN_PLUGIN_PATH='${VBADMIN_PLUGIN_PATH:-}' ASAN_OPTIONS='${ASAN_OPTIONS:-}' \
	 '$VBADMIN' --config '$T_TMP/agent.yml' --namespace ns1 2>'$T_TMP/m.err'; echo \$? >'$T_TMP/m.rc'; sleep 60"
sleep 1

# refused at the question: nothing written
keys m ':migrate lancedb pgvector' Enter
expect m "Copy namespace ns1 from lancedb to pgvector?" "the console asks before it copies"
keys m n
expect m "migrate not started; nothing was written" "answered no: says nothing was written"
t_is "$(q -c "SELECT count(*) FROM semantic_model")" 0 "... and PostgreSQL holds no row"

# confirmed: plan, progress, verdict on the Log screen
run_migrate() { # label
	keys m ':migrate lancedb pgvector' Enter
	wait_for m "Copy namespace ns1 from lancedb to pgvector?" >/dev/null
	keys m y
	expect m "migrate done and verified" "$1: the status line says done and verified" 60
	expect m "migrate metrics: $ROWS of $ROWS keys in the target, 16 of 16 sampled rows equal" \
		"$1: the Log screen shows the verdict per table"
}
run_migrate "first :migrate"
t_has "$(screen m)" "the source was only read" "the log says the source was only read"
t_has "$(screen m)" "from lancedb $DATUS/data/datus_db_ns1 (read only)" "the log names the LanceDB directory"
run_migrate "second :migrate"

for t in $TABLES; do
	t_is "$(q -c "SELECT count(*), count(DISTINCT id) FROM $t WHERE namespace = 'ns1'")" "$ROWS|$ROWS" \
		"after two :migrate, $t holds exactly the source's $ROWS rows (psql)"
	node "$ROOT/tests/lancedb/dump.mjs" "$DATUS/data/datus_db_ns1" $t id 2>/dev/null |
		$PY -c 'import json,sys; [print(r["id"], r["vector"]) for r in map(json.loads, sys.stdin)]' >"$T_TMP/src_$t"
	q -F' ' -c "SELECT id, vector::text FROM $t WHERE namespace = 'ns1' ORDER BY id COLLATE \"C\"" |
		$PY -c '
import struct, sys
for line in sys.stdin:
    k, v = line.split(" ", 1)
    print(k, "".join(struct.pack("<f", float(x)).hex() for x in v.strip()[1:-1].split(",")))' >"$T_TMP/pg_$t"
	t_ok $(cmp -s "$T_TMP/src_$t" "$T_TMP/pg_$t"; echo $?) "$t: every vector in PostgreSQL equals the source bit for bit"
done
t_is "$(q -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'metrics'::regclass AND attname = 'base_measures'")" \
	"text[]" "list<string> columns land as text[]"

keys m Q
i=0; while [ ! -s "$T_TMP/m.rc" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
t_is "$(cat "$T_TMP/m.rc" 2>/dev/null)" 0 "the console exits 0"
t_is "$(grep -c 'ERROR: \(Address\|Leak\)Sanitizer' "$T_TMP/m.err")" 0 "no sanitizer report"
t_done
