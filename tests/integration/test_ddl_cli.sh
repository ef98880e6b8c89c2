#!/usr/bin/env bash
# tests/integration/test_ddl_cli.sh - `vbadmin ddl render`: output equals the goldens, parts,
# schema quoting, defaults from agent.yml, bad input (exit 2 + message), and the rendered DDL
# applied with psql to the real pg17 + pgvector sandbox: 10 tables, vector(N) dims, upserts on the
# unique keys, and EXPLAIN proving each full-text index is used by a query on the same expression.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
G="$ROOT/tests/golden"
ODD='my "odd" schema'
QODD='"my ""odd"" schema"'

# ---- rendering (no config file: HOME is a fresh temp dir) ----
"$VBADMIN" ddl render >"$T_TMP/r.sql" 2>"$T_TMP/err"
t_is "$?" 0 "ddl render exits 0"
cmp -s "$T_TMP/r.sql" "$G/ddl_384.sql"; t_ok $? "ddl render with no config = golden ddl_384.sql (public, 384)"
t_is "$(cat "$T_TMP/err")" "" "ddl render writes nothing to stderr"
"$VBADMIN" ddl render --dim 1024 >"$T_TMP/r1024.sql"
cmp -s "$T_TMP/r1024.sql" "$G/ddl_1024.sql"; t_ok $? "ddl render --dim 1024 = golden ddl_1024.sql"
"$VBADMIN" ddl render --dim=1024 --schema=public --part=all >"$T_TMP/r1024b.sql"
cmp -s "$T_TMP/r1024b.sql" "$G/ddl_1024.sql"; t_ok $? "--opt=value spelling gives the same output"

t_run "$VBADMIN" ddl render --part relational
t_is "$RC" 0 "--part relational exits 0"
t_is "$(grep -c '^CREATE TABLE' <<<"$OUT")" 3 "--part relational: 3 tables"
t_lacks "$OUT" "CREATE EXTENSION" "--part relational: no CREATE EXTENSION"
t_lacks "$OUT" "vector(" "--part relational: no vector columns"
t_run "$VBADMIN" ddl render --part vector
t_is "$(grep -c '^CREATE TABLE' <<<"$OUT")" 7 "--part vector: 7 tables"
t_has "$OUT" $'-- Schema: public\n\nCREATE EXTENSION IF NOT EXISTS vector;\n\nCREATE TABLE IF NOT EXISTS public.schema_metadata' \
	"--part vector: header, CREATE EXTENSION, then schema_metadata"
t_lacks "$OUT" "subject_nodes" "--part vector: no relational tables"

t_run "$VBADMIN" ddl render --schema "$ODD"
t_is "$RC" 0 "odd schema exits 0"
t_has "$OUT" "-- Schema: $QODD" "odd schema: header shows the quoted name"
t_has "$OUT" "CREATE TABLE IF NOT EXISTS $QODD.document (" "odd schema: tables qualified with the quoted name"
t_is "$(grep -cF "$QODD." <<<"$OUT")" 19 "odd schema: 10 tables + 9 indexes quoted"
t_run "$VBADMIN" ddl render --schema Sales --part relational
t_has "$OUT" 'CREATE TABLE IF NOT EXISTS "Sales".tasks (' "mixed-case schema is quoted"

# ---- bad input: exit 2 and a message naming the limit / choices ----
for d in abc 0 16001 -5 12x ""; do
	t_run "$VBADMIN" ddl render --dim "$d"
	t_is "$RC" 2 "--dim '$d' exits 2"
	t_has "$ERR" "allows 1..16000 dimensions" "--dim '$d' names pgvector's limit"
	t_is "$OUT" "" "--dim '$d' prints no DDL"
done
t_run "$VBADMIN" ddl render --part vectors
t_is "$RC" 2 "bad --part exits 2"
t_has "$ERR" "unknown --part 'vectors'; choose one of: all, relational, vector" "bad --part lists the choices"
t_run "$VBADMIN" ddl render --schema ""
t_is "$RC" 2 "empty --schema exits 2"
t_has "$ERR" "schema name is empty" "empty --schema message"
t_run "$VBADMIN" ddl render --schema "$(printf 'a%.0s' $(seq 64))"
t_is "$RC" 2 "64-byte schema exits 2"
t_has "$ERR" "at most 63 bytes" "long schema names PostgreSQL's identifier limit"
t_run "$VBADMIN" ddl render --schema $'x\nDROP TABLE t; --'
t_is "$RC" 2 "schema with a newline exits 2"
t_has "$ERR" "control character" "schema with a newline: message"
t_run "$VBADMIN" ddl render --schema
t_is "$RC" 2 "--schema without a value exits 2"
t_has "$ERR" "option '--schema' needs a value" "missing value message"
t_run "$VBADMIN" ddl render --frobnicate
t_is "$RC" 2 "unknown option exits 2"
t_has "$ERR" "usage: vbadmin ddl render" "unknown option shows the usage"
t_run "$VBADMIN" ddl render extra
t_is "$RC" 2 "stray argument exits 2"
t_run "$VBADMIN" ddl
t_is "$RC" 2 "ddl without a subcommand exits 2"
t_has "$ERR" "ddl needs a subcommand: render" "missing subcommand lists the subcommands"
t_run "$VBADMIN" ddl rendr
t_is "$RC" 2 "unknown subcommand exits 2"
t_has "$ERR" "unknown ddl subcommand 'rendr'" "unknown subcommand message"
t_run "$VBADMIN" ddl render --help
t_is "$RC" 0 "ddl render --help exits 0"
t_has "$OUT" "usage: vbadmin ddl render [--schema S] [--dim N] [--part all|relational|vector]" "--help prints the usage"

# ---- defaults from agent.yml: the namespace's schema and the embedding dim ----
cat >"$T_TMP/agent.yml" <<'EOF'
agent:
  namespace:
    kb:
      type: postgresql
      host: 127.0.0.1
      port: 5432
      username: someone
      schema: kb_store
  storage:
    backends:
      namespace: kb
    semantic_model: {model_name: bge-large-en-v1.5, dim_size: 1024}
    database: {model_name: bge-large-en-v1.5, dim_size: 768}
EOF
t_run "$VBADMIN" --config "$T_TMP/agent.yml" ddl render --part vector
t_is "$RC" 0 "render with agent.yml exits 0"
t_has "$OUT" "-- Schema: kb_store" "schema comes from the namespace's schema"
t_has "$OUT" "CREATE TABLE IF NOT EXISTS kb_store.metrics (" "tables in the configured schema"
# each table takes its own store's dim (Datus datus/storage/cache.py: one embedding model per store)
t_is "$(grep -c 'vector(1024)' <<<"$OUT")" 3 \
	"semantic_model takes storage.semantic_model.dim_size; schema_metadata and schema_value reuse that model (embedding_models.py keys models by model_name, so database's 768 is ignored)"
t_is "$(grep -c 'vector(384)' <<<"$OUT")" 4 "metrics, reference_sql, ext_knowledge, document: Datus's DEFAULT_MODEL_CONFIG (384)"
t_has "$OUT" "-- Vector dimensions (each store's embedding dim_size): schema_metadata 1024, schema_value 1024, semantic_model 1024, metrics 384" \
	"the header names each table's dim when they differ"
t_run "$VBADMIN" --config "$T_TMP/agent.yml" ddl render --schema public --dim 64 --part vector
t_has "$OUT" "CREATE TABLE IF NOT EXISTS public.metrics (" "--schema overrides the config"
t_is "$(grep -c 'vector(64)' <<<"$OUT")" 7 "--dim overrides the config"
cat >"$T_TMP/bigdim.yml" <<'EOF'
agent:
  storage:
    semantic_model: {model_name: huge, dim_size: 20000}
EOF
t_run "$VBADMIN" --config "$T_TMP/bigdim.yml" ddl render
t_is "$RC" 2 "dim_size 20000 in agent.yml exits 2"
t_has "$ERR" "bigdim.yml:3:" "dim_size error names file:line"
t_has "$ERR" "1..16000" "dim_size error names the limit"
t_is "$OUT" "" "no DDL on a config error"
t_run "$VBADMIN" --config "$T_TMP/agent.yml" --namespace nosuch ddl render
t_is "$RC" 2 "unknown namespace exits 2"
t_has "$ERR" "kb" "unknown namespace lists the configured ones"

# ---- apply to the real PostgreSQL 17 + pgvector ----
if [ -z "${PG17_CONNINFO:-}" ]; then
	t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh, which starts the sandbox)"
	t_done; exit
fi
DB="vbddl_$$_$RANDOM"
ADMIN="$PG17_CONNINFO"
CONN=$(printf '%s' "$PG17_CONNINFO" | sed "s/dbname=[^ ]*/dbname=$DB/")
trap 'psql "$ADMIN" -X -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
psql "$ADMIN" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB" >/dev/null 2>&1
t_ok $? "create a fresh database $DB on pg17"
q() { psql "$CONN" -X -At -v ON_ERROR_STOP=1 "$@" 2>&1; }

"$VBADMIN" ddl render >"$T_TMP/apply.sql"
q -1 -q -f "$T_TMP/apply.sql" >"$T_TMP/apply.out"
t_ok $? "rendered DDL (public, 384) applies in one transaction"
q -1 -q -f "$T_TMP/apply.sql" >"$T_TMP/apply2.out"
t_ok $? "applying it again is a no-op (IF NOT EXISTS)"
TABLES="document,ext_knowledge,feedback,metrics,reference_sql,schema_metadata,schema_value,semantic_model,subject_nodes,tasks"
t_is "$(q -c "SELECT string_agg(table_name::text, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'")" \
	"$TABLES" "all 10 tables exist in public"
dims() { # schema -> "table:type" lines of every vector column
	q -c "SELECT c.relname || ':' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
	      JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	      WHERE n.nspname = '$1' AND c.relkind = 'r' AND a.atttypid = 'vector'::regtype AND NOT a.attisdropped ORDER BY 1"
}
t_is "$(dims public | tr '\n' ' ')" \
	"document:vector(384) ext_knowledge:vector(384) metrics:vector(384) reference_sql:vector(384) schema_metadata:vector(384) schema_value:vector(384) semantic_model:vector(384) " \
	"the 7 vector columns are vector(384)"
t_is "$(q -c "SELECT string_agg(attname::text, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'public.document'::regclass AND attnum > 0 AND NOT attisdropped")" \
	"namespace,chunk_id,chunk_text,chunk_index,title,titles,nav_path,group_name,hierarchy,version,source_type,source_url,doc_path,keywords,language,created_at,updated_at,content_hash,vector" \
	"document has the store's columns"

# The unique keys make the stores' upserts work (Datus's document table had none).
UPS="INSERT INTO public.document (namespace, chunk_id, chunk_text) VALUES ('ns', 'c1', 'v1')
     ON CONFLICT (namespace, chunk_id) DO UPDATE SET chunk_text = EXCLUDED.chunk_text"
q -q -c "$UPS" >/dev/null && q -q -c "${UPS/v1/v2}" >/dev/null
t_ok $? "document upsert ON CONFLICT (namespace, chunk_id) works"
t_is "$(q -c "SELECT count(*) || ':' || max(chunk_text) FROM public.document")" "1:v2" "document upsert kept one row, updated"
ext_upsert() {
	q -q -c "INSERT INTO public.ext_knowledge (namespace, id, name, subject_node_id, search_text)
	         VALUES ('ns', 'a/b', 'b', 1, '$1') ON CONFLICT (namespace, id) DO UPDATE SET search_text = EXCLUDED.search_text"
}
ext_upsert x >/dev/null && ext_upsert y >/dev/null
t_ok $? "ext_knowledge upsert ON CONFLICT (namespace, id) works"
t_is "$(q -c "SELECT count(*) || ':' || max(search_text) FROM public.ext_knowledge")" "1:y" "ext_knowledge upsert kept one row, updated"
q -q -c "INSERT INTO public.ext_knowledge (namespace, id, name, subject_node_id) VALUES ('ns', 'other', 'b', 1)" >"$T_TMP/dup.out"
t_has "$(cat "$T_TMP/dup.out")" "duplicate key value violates unique constraint" "UNIQUE (namespace, subject_node_id, name) is enforced"
q -q -c "INSERT INTO public.metrics (namespace, id, vector) VALUES ('ns', 'm', array_fill(0.5, ARRAY[3])::vector)" >"$T_TMP/dim.out"
t_has "$(cat "$T_TMP/dim.out")" "expected 384 dimensions, not 3" "a wrong-size vector is refused by vector(384)"

# Each GIN index is on exactly the expression the search query uses: with sequential scans off,
# a query on that expression must be planned on the index.  (No namespace predicate here: on
# these empty tables the planner would rather take the (namespace, ...) unique btree.)
n=0
while IFS=$'\t' read -r idx table expr; do
	n=$((n + 1))
	plan=$(q -c "SET enable_seqscan = off" -c "EXPLAIN (COSTS OFF) SELECT 1 FROM public.$table
	             WHERE $expr @@ plainto_tsquery('simple', 'revenue')")
	t_has "$plan" "Bitmap Index Scan on $idx" "$table: the text query on its expression uses $idx"
done < <(sed -nE 's/^CREATE INDEX IF NOT EXISTS (idx_[a-z_]+_fts) ON public\.([a-z_]+) USING GIN \((.*)\);$/\1\t\2\t\3/p' "$T_TMP/apply.sql")
t_is "$n" 7 "7 full-text indexes checked"
# Control: a query on a different expression (what Datus's query did) cannot use the index.
plan=$(q -c "SET enable_seqscan = off" -c "EXPLAIN (COSTS OFF) SELECT 1 FROM public.metrics
             WHERE to_tsvector('simple', COALESCE(description, '')) @@ plainto_tsquery('simple', 'revenue')")
t_lacks "$plan" "idx_metrics_fts" "a query on another expression does not use the index"

# A quoted schema and another dim, applied for real.
q -q -c "CREATE SCHEMA $QODD" >/dev/null
"$VBADMIN" ddl render --schema "$ODD" --dim 1024 >"$T_TMP/odd.sql"
q -1 -q -f "$T_TMP/odd.sql" >"$T_TMP/odd.out"
t_ok $? "DDL for schema '$ODD', dim 1024 applies"
t_is "$(q -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = '${ODD}'")" 10 "10 tables in '$ODD'"
t_is "$(dims "$ODD" | grep -c ':vector(1024)$')" 7 "the 7 vector columns in '$ODD' are vector(1024)"
t_is "$(q -c "SELECT count(*) FROM pg_indexes WHERE schemaname = '${ODD}' AND indexname LIKE 'idx_%'")" 9 "9 indexes in '$ODD'"

t_done
