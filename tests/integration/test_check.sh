#!/usr/bin/env bash
# tests/integration/test_check.sh - the guided-setup gate against the real sandbox servers:
# check / extension / verify / ddl apply / dba-packet / index / advice, their exit codes,
# advice per failure, JSON shape, Ctrl-C cancelling server-side, no password in any output.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

: "${PG17_CONNINFO:?run via tests/run-all.sh (needs the pg17 sandbox)}"
: "${PG15_CONNINFO:?run via tests/run-all.sh (needs the pg15 sandbox)}"
H17=$(pg_field "$PG17_CONNINFO" host); P17=$(pg_field "$PG17_CONNINFO" port)
H15=$(pg_field "$PG15_CONNINFO" host); P15=$(pg_field "$PG15_CONNINFO" port)
SECRET='S3cr3t-Zq9x'      # password of the test superuser: must never appear in output
WRONGPW='Wr0ng-Pw-77k'    # a wrong password: must never appear either
ALL="$T_TMP/all-output.txt"; : >"$ALL"

psql17() { PGPASSWORD=postgres psql -X -q -v ON_ERROR_STOP=1 "host=$H17 port=$P17 user=postgres dbname=${DB:-postgres}" "$@"; }
psql15() { PGPASSWORD=postgres psql -X -q -v ON_ERROR_STOP=1 "host=$H15 port=$P15 user=postgres dbname=postgres" "$@"; }
# mkcfg FILE host port db user password
mkcfg() {
	cat >"$1" <<YML
agent:
  namespace:
    kb:
      type: postgresql
      host: $2
      port: $3
      database: $4
      username: $5
      password: $6
      timeout: 5
$(hashing_storage_yml kb)
YML
}
vb() { t_run "$VBADMIN" --config "$CFG" "$@"; printf '%s\n%s\n' "$OUT" "$ERR" >>"$ALL"; }
json_ok() { # validates the documented shape of a check/verify/extension document on stdin
	python3 -c '
import json, sys
d = json.load(sys.stdin)
need = {"schema_version": int, "command": str, "backend": str, "ready": bool, "exit_code": int,
        "exit_meaning": str, "summary": dict, "steps": list}
for k, t in need.items():
    assert isinstance(d.get(k), t), "field %s" % k
assert d["schema_version"] == 1
assert set(d["summary"]) == {"ok", "warn", "fail", "skip"}
assert d["ready"] == (d["exit_code"] == 0)
for s in d["steps"]:
    assert s["status"] in ("ok", "warn", "fail", "skip"), s
    assert isinstance(s["id"], str) and isinstance(s["title"], str)
    assert isinstance(s["duration_ms"], (int, float))
    for k in ("message", "detail", "error_class", "fix"):
        assert s[k] is None or isinstance(s[k], str), k
    a = s["advice"]
    if a is not None:
        assert set(a) == {"id", "title", "cause", "fix", "who", "doc"}, a
        assert a["who"] in ("operator", "DBA") and a["doc"].startswith("docs/troubleshooting.md#")
print("ok")
'
}
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# ---------------------------------------------------------------- pg15: no pgvector -> 0A000, exit 4
psql15 -c "DROP DATABASE IF EXISTS vb_chk15" -c "CREATE DATABASE vb_chk15"
CFG=$T_TMP/pg15.yml; mkcfg "$CFG" "$H15" "$P15" vb_chk15 postgres postgres
vb check
t_is "$RC" 4 "pg15 check: exit 4 (needs a DBA)"
t_has "$OUT" "0A000" "pg15 check names 0A000"
t_has "$OUT" "postgresql-15-pgvector" "pg15 check names the package for server major 15"
t_has "$OUT" "VEC-001" "pg15 check gives the not-installed advice"
vb check --json
t_is "$RC" 4 "pg15 check --json: exit 4"
t_is "$(printf '%s' "$OUT" | json_ok 2>&1)" ok "pg15 check --json has the documented shape"
t_is "$(printf '%s' "$OUT" | json_get '[s["error_class"] for s in d["steps"] if s["id"]=="ext_available"][0]')" 0A000 \
	"pg15 json: ext_available error_class 0A000"
# the tables step fails (none exists): the per-table steps must not report ok for tables that are not there
for id in columns text_indexes bootstrap; do
	t_is "$(printf '%s' "$OUT" | json_get '[s["status"] for s in d["steps"] if s["id"]=="'$id'"][0]')" skip \
		"pg15 json: $id is skipped while no table exists"
done
t_has "$(printf '%s' "$OUT" | json_get '[s["message"] for s in d["steps"] if s["id"]=="columns"][0]')" \
	'skipped: needs "Knowledge-base tables" (none of the 10 tables exists in vb_chk15.public)' \
	"pg15 json: the skip names the tables step and where no table was found"
vb extension --json
t_is "$(printf '%s' "$OUT" | json_get 'd["extension"]["available"]')" False "pg15 extension --json: available false"
vb dba-packet
t_has "$OUT" "apt-get install postgresql-15-pgvector" "pg15 dba-packet: install command"
t_has "$OUT" "CREATE EXTENSION IF NOT EXISTS vector" "pg15 dba-packet: then create the extension"

# ---------------------------------------------------------------- pg17 as vb_app, no extension -> 42501, exit 4
psql17 -c "DROP DATABASE IF EXISTS vb_chkapp" -c "CREATE DATABASE vb_chkapp" -c "GRANT CREATE ON DATABASE vb_chkapp TO vb_app"
CFG=$T_TMP/app.yml; mkcfg "$CFG" "$H17" "$P17" vb_chkapp vb_app vb_app
vb check
t_is "$RC" 4 "vb_app check: exit 4"
t_has "$OUT" "42501" "vb_app check names 42501"
t_has "$OUT" "VEC-003" "vb_app check: advice 'may not create the extension'"
vb dba-packet -o "$T_TMP/dba.txt"
t_is "$RC" 0 "dba-packet -o writes the file"
[ "$RC" = 0 ] || printf '%s\n' "$ERR" | sed 's/^/#   stderr: /' | head -20  # exit 2 seen once under load: say why
t_has "$(cat "$T_TMP/dba.txt")" "CREATE EXTENSION IF NOT EXISTS vector" "dba-packet contains CREATE EXTENSION IF NOT EXISTS vector"
t_has "$(cat "$T_TMP/dba.txt")" "Database:  vb_chkapp" "dba-packet names the database"
vb ddl apply --yes
t_is "$RC" 4 "vb_app ddl apply refuses with exit 4 (extension needs a DBA)"
t_has "$ERR" "dba-packet" "ddl apply points at the dba-packet"
# after the DBA acted, the same role gets further: now the schema privilege is what is missing
DB=vb_chkapp psql17 -c "CREATE EXTENSION IF NOT EXISTS vector"
vb check
t_lacks "$OUT" "42501" "after CREATE EXTENSION the 42501 is gone"

# ---------------------------------------------------------------- pg17 superuser, empty database
psql17 -c "DROP DATABASE IF EXISTS vb_chksu" -c "DROP ROLE IF EXISTS vb_chk_su" \
	-c "CREATE ROLE vb_chk_su LOGIN SUPERUSER PASSWORD '$SECRET'" -c "CREATE DATABASE vb_chksu"
CFG=$T_TMP/su.yml; mkcfg "$CFG" "$H17" "$P17" vb_chksu vb_chk_su "$SECRET"
vb check
t_is "$RC" 1 "empty database: check exits 1 (operator can fix)"
t_has "$OUT" "10 of 10 tables missing" "check lists the missing tables"
t_has "$OUT" "semantic_model" "missing tables are named"
t_has "$OUT" "vbadmin ddl apply --yes" "the fix is ddl apply"
vb ddl apply --dry-run
t_is "$RC" 0 "ddl apply --dry-run exits 0"
vb verify --json
t_is "$(printf '%s' "$OUT" | json_get 'd["summary"]["fail"] > 0')" True "dry run changed nothing (still failing)"
vb ddl apply --yes
t_is "$RC" 0 "ddl apply --yes exits 0"
t_has "$OUT" "[20/20] ok" "every statement reported ok"
t_has "$OUT" "table semantic_model" "ddl apply lists what it created"
vb ddl apply --yes
t_is "$RC" 0 "re-run of ddl apply exits 0"
t_has "$OUT" "0 objects created" "re-run of ddl apply is a no-op"
vb check
t_is "$RC" 0 "after ddl apply, check exits 0"
t_has "$OUT" "Ready." "check says ready"
vb check --json
t_is "$(printf '%s' "$OUT" | json_ok 2>&1)" ok "ready check --json has the documented shape"
t_is "$(printf '%s' "$OUT" | json_get 'd["ready"]')" True "json ready true"
vb verify
t_is "$RC" 0 "verify on a fresh DDL exits 0"
t_has "$OUT" "No drift" "verify reports no drift"
t_has "$OUT" "[OK]   stores          Readiness per store" "verify reports readiness per store (as check)"
t_lacks "$OUT" "smoke" "verify runs no search smoke test"
t_lacks "$OUT" "Bootstrap state" "verify runs no bootstrap step"
vb extension
t_is "$RC" 0 "extension exits 0 when installed"
t_has "$OUT" "installed:         0.8" "extension shows the installed version"

# ---------------------------------------------------------------- wrong dimension: vector(1536) vs 384
DB=vb_chksu psql17 -c "ALTER TABLE metrics ALTER COLUMN vector TYPE vector(1536)" \
	-c "INSERT INTO metrics(namespace, id, vector) VALUES ('other', 'm1', array_fill(0.5::real, ARRAY[1536])::vector)"
vb verify
t_is "$RC" 1 "verify exits 1 on a wrong dimension"
t_has "$OUT" "table metrics column vector" "verify names table and column"
t_has "$OUT" "vector(1536)" "verify names the table's dimension"
t_has "$OUT" "vector(384)" "verify names the configured dimension"
t_has "$OUT" "needs re-embedding" "a filled table needs re-embedding, said plainly"
t_has "$OUT" "bootstrap-kb --kb_update_strategy overwrite" "and how"
vb check
t_is "$RC" 1 "check exits 1 on a wrong dimension"
t_has "$OUT" "VBA-DIM-MISMATCH" "check: dimension class"
vb verify --json
t_is "$(printf '%s' "$OUT" | json_get '[(x["table"], x["column"], x["have"], x["want"]) for x in d["drift"] if x["kind"]=="wrong_dimension"][0]')" \
	"('metrics', 'vector', 'vector(1536)', 'vector(384)')" "verify --json drift entry"
t_is "$(printf '%s' "$OUT" | json_get '["%s %s %s" % (s["ready"], s["dim"], s["why"]) for s in d["stores"] if s["store"] == "metrics"][0]')" \
	"False 384 metrics.vector is vector(1536), the store's embedding model gives vector(384)" \
	"verify --json: the metrics store is not ready, and why"
t_is "$(printf '%s' "$OUT" | json_get '[s["status"] for s in d["steps"] if s["id"] == "stores"], [s["ready"] for s in d["stores"] if s["store"] == "document"]')" \
	"(['fail'], [True])" "verify --json: the stores step fails for a needed store; the others stay ready"
DB=vb_chksu psql17 -c "DELETE FROM metrics" -c "ALTER TABLE metrics ALTER COLUMN vector TYPE vector(384)"

# ---------------------------------------------------------------- dropped column
DB=vb_chksu psql17 -c "ALTER TABLE semantic_model DROP COLUMN description"
vb check
t_is "$RC" 1 "dropped column: check exits 1"
t_has "$OUT" "Table semantic_model missing columns: description" "Datus text for missing columns"
t_has "$OUT" "VEC-016" "missing-columns advice"
vb verify
t_is "$RC" 1 "dropped column: verify exits 1"
t_has "$OUT" "ALTER TABLE public.semantic_model ADD COLUMN IF NOT EXISTS description TEXT;" "verify prints the ALTER that fixes it"
t_has "$OUT" "missing_fts_index" "the FTS index that went with the column is missing too"
# the printed SQL really fixes it
DB=vb_chksu psql17 -c "ALTER TABLE public.semantic_model ADD COLUMN IF NOT EXISTS description TEXT;"
vb ddl apply --yes
t_has "$OUT" "index idx_semantic_model_fts" "ddl apply recreates only the missing index"
vb verify
t_is "$RC" 0 "after the printed fix + ddl apply, verify exits 0"

# ---------------------------------------------------------------- dropped table
DB=vb_chksu psql17 -c "DROP TABLE reference_sql"
vb check
t_is "$RC" 0 "dropped reference_sql: bootstrap-kb and search do not need that store, so check stays ready"
t_has "$OUT" "[WARN] tables" "the tables step warns"
t_has "$OUT" "Table reference_sql does not exist." "Datus text for a missing table"
t_has "$OUT" "500010" "class 500010 (DB_TABLE_NOT_EXISTS)"
t_has "$OUT" "CREATE TABLE IF NOT EXISTS public.reference_sql" "fix carries that table's DDL"
t_has "$OUT" "reference_sql    NOT ready: table reference_sql does not exist" "the stores step names the store"
t_has "$OUT" "[OK]   dimensions" "the other steps still run for the other stores"
t_has "$OUT" "the tables present (9 of 10) have the columns the store writes; 1 missing, see tables" \
	"columns checks the tables present and says one was not there to check"
DB=vb_chksu psql17 -c "DROP TABLE metrics"
vb check
t_is "$RC" 1 "dropped metrics: a store bootstrap-kb needs, so check exits 1"
t_has "$OUT" "[FAIL] stores" "the stores step fails"
t_has "$OUT" "metrics          NOT ready: table metrics does not exist (bootstrap-kb and search need it)" \
	"and says why and who needs it"
vb ddl apply --yes
vb check
t_is "$RC" 0 "ddl apply heals the dropped tables"

# ---------------------------------------------------------------- index plan / create
DB=vb_chksu psql17 -c "INSERT INTO semantic_model(namespace, id, name, description, vector)
	SELECT 'kb', 'id' || g, 'n' || g, 'desc ' || g, array_fill((g % 7 + 1)::real, ARRAY[384])::vector
	FROM generate_series(1, 1000) g"
vb index plan --table semantic_model --json
t_is "$RC" 0 "index plan exits 0"
t_is "$(printf '%s' "$OUT" | json_get 'd["tables"][0]["memory_bytes"]')" 2007200 \
	"memory plan = 1000 x (8 + 4 x 384) x 1.3 bytes"
vb index plan
t_has "$OUT" "maintenance_work_mem" "plan text compares with maintenance_work_mem"
# a vector column with no declared dim is sized by its own store's dim (agent.storage.metric), not
# by one global dim
CFGSAVE=$CFG; CFG=$T_TMP/su768.yml
{ cat "$CFGSAVE"; printf '    metric:\n      registry_name: openai\n      model_name: m768\n      dim_size: 768\n'; } >"$CFG"
DB=vb_chksu psql17 -c "ALTER TABLE metrics ALTER COLUMN vector TYPE vector" \
	-c "INSERT INTO metrics(namespace, id, vector) SELECT 'kb', 'm' || g, array_fill(0.5::real, ARRAY[768])::vector FROM generate_series(1, 10) g"
vb index plan --table metrics --json
t_is "$(printf '%s' "$OUT" | json_get 'd["tables"][0]["memory_bytes"]')" 40040 \
	"untyped column: memory plan = 10 x (8 + 4 x 768) x 1.3 bytes (the metric store's dim)"
vb check
t_has "$OUT" "metrics.vector is vector with no declared dimension; its store's embedding dim is 768" \
	"untyped column: the dimensions step says it has no dim (read without running past \"vector\")"
DB=vb_chksu psql17 -c "DELETE FROM metrics" -c "ALTER TABLE metrics ALTER COLUMN vector TYPE vector(384)"
CFG=$CFGSAVE
vb index create --table semantic_model
t_is "$RC" 0 "index create exits 0"
t_has "$OUT" "USING hnsw (vector vector_cosine_ops)" "hnsw with the cosine opclass"
vb check
t_has "$OUT" "with an HNSW/IVFFlat index" "check sees the vector index"
t_has "$OUT" "1000 rows in namespace kb" "bootstrap step counts this namespace's rows"
# An older pgvector in the catalog (as CREATE EXTENSION on a pre-0.8 server leaves it): shared
# tables with an ANN index cannot iterate, so other clients' namespace searches come back short.
DB=vb_chksu psql17 -c "UPDATE pg_extension SET extversion = '0.7.4' WHERE extname = 'vector'"
vb check
t_has "$OUT" "carry an ANN index but pgvector 0.7.4 cannot iterate" "check warns: ANN index on a pgvector without iterative scans"
t_has "$OUT" "VEC-022" "... with the filtered-ANN advice"
t_has "$OUT" "vector and text search on semantic_model answered (3 and" "smoke: vbadmin's own search still fills the page"
DB=vb_chksu psql17 -c "UPDATE pg_extension SET extversion = '0.8.0' WHERE extname = 'vector'"
vb check
t_lacks "$OUT" "cannot iterate" "pgvector 0.8: no iterative-scan warning"

# ---------------------------------------------------------------- connection failures
CFG=$T_TMP/badpw.yml; mkcfg "$CFG" "$H17" "$P17" vb_chksu vb_chk_su "$WRONGPW"
vb check
t_is "$RC" 3 "wrong password: exit 3"
t_has "$OUT" "28P01" "wrong password: 28P01"
t_has "$OUT" "password authentication failed" "wrong password: server text"
t_has "$OUT" "VEC-029" "wrong password: its advice"
FREE=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
CFG=$T_TMP/refused.yml; mkcfg "$CFG" 127.0.0.1 "$FREE" vb_chksu vb_chk_su "$SECRET"
vb check
t_is "$RC" 3 "refused port: exit 3"
t_has "$OUT" "Connection refused" "refused port: text"
t_has "$OUT" "VEC-032" "refused port: its advice"
CFG=$T_TMP/nodb.yml; mkcfg "$CFG" "$H17" "$P17" vb_no_such_db vb_chk_su "$SECRET"
vb check
t_is "$RC" 3 "unknown database: exit 3"
t_has "$OUT" "3D000" "unknown database: 3D000"
t_has "$OUT" "VEC-030" "unknown database: its advice"
vb check --json
t_is "$(printf '%s' "$OUT" | json_ok 2>&1)" ok "connection failure json has the documented shape"

# ---------------------------------------------------------------- Ctrl-C cancels the running statement
CFG=$T_TMP/su.yml
DB=vb_chksu PGAPPNAME=vb_locker psql17 -c "BEGIN; LOCK TABLE semantic_model IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30); COMMIT;" \
	>/dev/null 2>&1 &
LOCKER=$!
sleep 0.5
"$VBADMIN" --config "$CFG" check >"$T_TMP/int.out" 2>&1 &
VBPID=$!
waited=0
until [ "$(DB=vb_chksu psql17 -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vbadmin' AND wait_event_type = 'Lock'")" = 1 ] || [ $waited -ge 100 ]; do
	sleep 0.1; waited=$((waited + 1))
done
t_ok $([ $waited -lt 100 ]; echo $?) "vbadmin is blocked in a slow statement"
t0=$(date +%s%N)
kill -INT $VBPID
wait $VBPID; RC=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "# SIGINT to exit: ${ms} ms"
t_is "$RC" 130 "SIGINT during a statement: exit 130"
t_ok $([ $ms -lt 1000 ]; echo $?) "exited within 1 s of SIGINT (${ms} ms)"
left=$(DB=vb_chksu psql17 -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vbadmin' AND state = 'active'")
t_is "$left" 0 "the statement was cancelled server-side (no active vbadmin query)"
t_has "$(cat "$T_TMP/int.out")" "57014" "the cancelled step reports 57014"
cat "$T_TMP/int.out" >>"$ALL"
psql17 -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vb_locker'" >/dev/null
kill $LOCKER 2>/dev/null; wait $LOCKER 2>/dev/null

# ---------------------------------------------------------------- embedded chain (no config at all)
mkdir -p "$T_TMP/emb" && pushd "$T_TMP/emb" >/dev/null
t_run "$VBADMIN" check --json
t_is "$RC" 0 "embedded default: check exits 0 with no config file"
t_is "$(printf '%s' "$OUT" | json_ok 2>&1)" ok "embedded check --json has the documented shape"
t_is "$(printf '%s' "$OUT" | json_get '" ".join(s["id"] for s in d["steps"])')" \
	"config data_dir open fts5 tables columns dimensions bootstrap smoke stores embedding" "embedded runs its own chain of steps"
t_is "$(printf '%s' "$OUT" | json_get '[s["message"] for s in d["steps"] if s["id"] == "embedding"][0]')" \
	"hashing (built in, 384 dimensions; chosen by no agent.yml)" "check names the hashing embedder and why it runs"
t_run "$VBADMIN" verify --json
t_is "$(printf '%s' "$OUT" | json_get '" ".join(s["id"] for s in d["steps"])')" \
	"config data_dir open fts5 tables columns dimensions stores" "embedded verify: readiness per store, no bootstrap/smoke"
t_is "$(printf '%s' "$OUT" | json_get 'len(d["stores"]), all(s["ready"] for s in d["stores"])')" "(7, True)" \
	"embedded verify --json: every store listed ready"
t_run "$VBADMIN" extension
t_has "$OUT" "needs no PostgreSQL extension" "extension is not applicable to the embedded store"
popd >/dev/null

# ---------------------------------------------------------------- advice catalogue, docs
t_run "$VBADMIN" advice 42501
t_has "$OUT" "VEC-003" "advice 42501 prints the extension-privilege entry"
t_ok $("$VBADMIN" advice --markdown | diff -q - "$ROOT/docs/troubleshooting.md" >/dev/null; echo $?) \
	"docs/troubleshooting.md is up to date (make docs)"

# ---------------------------------------------------------------- secrets
t_lacks "$(cat "$ALL")" "$SECRET" "the password never appears in any output"
t_lacks "$(cat "$ALL")" "$WRONGPW" "a wrong password never appears in any output"

psql17 -c "DROP DATABASE IF EXISTS vb_chkapp" -c "DROP DATABASE IF EXISTS vb_chksu" -c "DROP ROLE IF EXISTS vb_chk_su" >/dev/null 2>&1
psql15 -c "DROP DATABASE IF EXISTS vb_chk15" >/dev/null 2>&1
t_done
