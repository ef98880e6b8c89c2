#!/usr/bin/env bash
# tests/integration/test_datus_allsql.sh - a database built the way Datus's PostgreSQL plugin
# builds it (tests/data/datus/all.sql, Datus-ai/datus-db-adapters
# datus-postgresql/datus_postgresql/ddl/all.sql) and read with Datus's own agent.yml example
# (tests/data/datus/agent.yml.example): readiness per store, each vector table against its own
# store's embedding dim (datus/storage/cache.py + embedding_models.py), and no fix that
# contradicts the config.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${PG17_CONNINFO:?run via tests/run-all.sh (needs the pg17 sandbox)}"
H=$(pg_field "$PG17_CONNINFO" host); P=$(pg_field "$PG17_CONNINFO" port)
json_get() { printf '%s' "$1" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
psqlq() { PGPASSWORD=postgres psql -X -q -v ON_ERROR_STOP=1 "host=$H port=$P user=postgres dbname=${DB:-postgres}" "$@"; }
DBN="vb_allsql_$$"
psqlq -c "DROP DATABASE IF EXISTS $DBN" -c "CREATE DATABASE $DBN"
# all.sql does not create the extension (the plugin expects it); its header asks to update the
# dim when the embedding model differs: the example's storage.database model has dim_size 1024
DB=$DBN psqlq -c "CREATE EXTENSION vector" -f "$ROOT/tests/data/datus/all.sql" >/dev/null
DB=$DBN psqlq -c "ALTER TABLE schema_metadata ALTER COLUMN vector TYPE vector(1024)" \
	-c "ALTER TABLE schema_value ALTER COLUMN vector TYPE vector(1024)"

# Datus's example, only the used namespace's variables exported (gpdb_test is the storage namespace)
for v in OPENAI_API_KEY GEMINI_API_KEY ANTHROPIC_API_KEY DEEPSEEK_API_KEY SNOWFLAKE_ACCOUNT SNWOFLAKE_USER \
	SNOWFLAKE_PASSWORD STARROCKS_HOST STARROCKS_PORT STARROCKS_USER STARROCKS_PASSWORD STARROCKS_DATABASE; do
	unset "$v"
done
export POSTGRES_HOST=$H POSTGRES_DB=$DBN POSTGRES_USER=postgres POSTGRES_PASSWORD=postgres
CFG="$ROOT/tests/data/datus/agent.yml.example"
# the example names port 5432; the sandbox listens elsewhere: a copy with the sandbox's port only
sed "/^    gpdb_test:/,/^    [a-z]/ s/^      port: 5432$/      port: $P/" "$CFG" >"$T_TMP/agent.yml"
t_is "$(diff "$CFG" "$T_TMP/agent.yml" | grep -c '^>')" 1 "the copy differs from Datus's example in the port line only"
CFG="$T_TMP/agent.yml"

t_run "$VBADMIN" --config "$CFG" config show
t_is "$RC" 0 "Datus's example loads with only POSTGRES_* exported"
t_has "$OUT" 'unset: ${STARROCKS_HOST} (host, line 119)' "config show marks the StarRocks entry"

# Datus's example names sentence-transformers/all-MiniLM-L6-v2 and no server runs it here: check's
# embedding step fails (docs/embeddings.md); the tables' readiness is checked with vbadmin's
# offline embedder chosen explicitly
t_run "$VBADMIN" --config "$CFG" check --json
t_is "$RC" 1 "no server for Datus's all-MiniLM-L6-v2: check exits 1"
t_has "$(json_get "$OUT" '[s["message"] for s in d["steps"] if s["id"] == "embedding"][0]')" \
	"sentence-transformers/all-MiniLM-L6-v2 (384 dimensions) for [semantic_model] cannot run" "the embedding step names the model"
t_run "$VBADMIN" --config "$CFG" --embedder hashing check --json
t_is "$RC" 0 "all.sql database: check exits 0 (semantic_model and metrics ready)"
stores=$(json_get "$OUT" '" ".join("%s:%s" % (s["store"], "ready" if s["ready"] else "no") for s in d["stores"])')
t_is "$stores" \
	"semantic_model:ready metrics:ready schema_metadata:ready schema_value:ready reference_sql:ready ext_knowledge:ready document:no" \
	"readiness per store: only document differs from all.sql"
t_is "$(json_get "$OUT" '[s["dim"] for s in d["stores"] if s["store"] == "schema_metadata"][0]')" 1024 \
	"schema_metadata is checked against storage.database.dim_size (cache.py: SchemaStorage uses 'database')"
t_is "$(json_get "$OUT" '[s["status"] for s in d["steps"] if s["id"] == "dimensions"][0]')" ok \
	"vector(1024) schema_metadata with dim_size 1024 is reported correct"
t_lacks "$OUT" "ALTER TABLE public.schema_metadata" "no ALTER proposed for schema_metadata"
t_is "$(json_get "$OUT" '[s["status"] for s in d["steps"] if s["id"] == "columns"][0]')" warn \
	"document's columns (vbadmin's DDL adds them) are a warning"
t_has "$(json_get "$OUT" '[s["detail"] for s in d["steps"] if s["id"] == "columns"][0]')" \
	"Table document missing columns" "about the document store"
t_is "$(json_get "$OUT" '" ".join(s["id"] for s in d["steps"] if s["status"] == "skip")')" "" \
	"every step ran (none skipped)"

t_run "$VBADMIN" --config "$CFG" verify
t_is "$RC" 0 "verify exits 0: drift affects the document store only"
t_has "$OUT" "(affects only the document store" "verify says which store the drift affects"
t_lacks "$OUT" "ALTER TABLE public.schema_metadata" "verify proposes no ALTER for schema_metadata"

# a store whose vectors were made by another model: rows present, so the fix must re-embed
DB=$DBN psqlq -c "ALTER TABLE schema_value ALTER COLUMN vector TYPE vector(384)" \
	-c "INSERT INTO schema_value(namespace, identifier, table_name, vector) VALUES ('gpdb_test', 'a.b.c', 'c', array_fill(0.1::real, ARRAY[384])::vector)"
t_run "$VBADMIN" --config "$CFG" --embedder hashing check
t_is "$RC" 0 "schema_value at the wrong dim: a store bootstrap-kb does not need, so a warning"
t_has "$OUT" "[WARN] dimensions" "the dimensions step warns"
t_has "$OUT" "needs re-embedding: the 1 stored vectors have 384 dimensions" "with rows, the fix says the vectors must be re-embedded"
t_has "$OUT" "UPDATE public.schema_value SET vector = NULL;" "and clears them before the type changes"
t_has "$OUT" "agent.storage.database.dim_size" "and names the config key the dim comes from"
t_has "$OUT" "schema_value     NOT ready" "the stores step names the store"

# a needed store at the wrong dim: metrics built at 384 while agent.storage.metric says 768
sed '/^    metric:$/,/^    [a-z]/ { s/^      model_name: all-MiniLM-L6-v2$/      model_name: bge-base-en-v1.5/; s/^      dim_size: 384$/      dim_size: 768/; }' \
	"$CFG" >"$T_TMP/metric768.yml"
t_is "$(diff "$CFG" "$T_TMP/metric768.yml" | grep -c '^>')" 2 "metric768.yml changes agent.storage.metric only"
t_run "$VBADMIN" --config "$T_TMP/metric768.yml" check
t_is "$RC" 1 "metrics at 384 with agent.storage.metric.dim_size 768: check exits 1"
t_has "$OUT" "metrics          NOT ready: metrics.vector is vector(384), the store's embedding model gives vector(768)" \
	"the stores step says why"
t_has "$OUT" "ALTER TABLE public.metrics ALTER COLUMN vector TYPE vector(768);" "the empty table may change in place"
t_has "$OUT" "the table is empty, so the type can change in place; no re-embedding needed" "and says why that is safe"
t_lacks "$OUT" "TYPE vector(384)" "no fix moves any table away from its configured dim"

psqlq -c "DROP DATABASE IF EXISTS $DBN" >/dev/null
t_done
