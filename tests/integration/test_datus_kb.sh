#!/usr/bin/env bash
# bootstrap-kb on real upstream files (tests/data/README names repo, path, commit), on the
# embedded store and on pgvector.  Every expected value is derived from Datus's code:
#   TC  datus/cli/generation_hooks.py::_sync_semantic_to_db, table context: catalog/database/
#       schema from current_db_config(); StarRocks empty catalog -> "default_catalog"; sql_table
#       split on '.', last part = table, the rest right to left onto the dialect's levels
#       (datus/utils/constants.py SUPPORT_*_DIALECTS); schema cleared when unsupported;
#       fq_name = non-empty parts joined with '.'.
#   FILE datus/configuration/agent_config.py::_parse_single_file_db + file_stem_from_uri:
#       a duckdb/sqlite database is the uri's file name without extension.
#   FB  the same function's `elif base_measures:` branch + SemanticModelRAG.get_semantic_model
#       (datus/storage/semantic_model/store.py): a metric of a file without data_source takes
#       semantic_model_name, dimensions and entities from the stored model holding its first
#       base measure.
#   NV  `return {"success": False, "error": "No valid objects found to sync"}`.
#   DOC `if "data_source" in doc: ... elif "metric" in doc:` - a metric beside a data_source is
#       never read.
. "$(dirname "$0")/lib.sh"
ROOT=$PWD
TX=$ROOT/tests/data/metricflow/transactions.yaml
DOCEX=$ROOT/tests/data/datus/metrics_doc_example.yaml
[ -n "${PG17_CONNINFO:-}" ] || { t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh)"; t_done; exit 1; }

# The metric documents of transactions.yaml alone: what Datus's metrics generator writes apart
# from the semantic model (a metrics-only file).
MONLY=$T_TMP/transactions_metrics.yaml
awk 'BEGIN { RS = "---\n" } /^metric:/ { printf "---\n%s", $0 }' "$TX" > "$MONLY"
T=\$transactions_table   # sql_table: $transactions_table -> one part, the table name (TC)

host=$(pg_field "$PG17_CONNINFO" host); port=$(pg_field "$PG17_CONNINFO" port)
db=vb_dkb_$$
export PGPASSWORD=postgres
PSQL=(psql -X -q -At -h "$host" -p "$port" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null
"${PSQL[@]}" -d "$db" -c "CREATE EXTENSION vector" >/dev/null
trap '"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT

NS='
    sr: {type: starrocks, host: 127.0.0.1, port: 9030, database: ssb, username: root}
    duck: {type: duckdb, uri: "duckdb:///~/data/duckdb-demo.duckdb", schema: main}
    docs: {type: postgresql, host: 127.0.0.1, database: shop, schema: public}'
printf 'agent:\n  namespace:%s\n' "$NS" > "$T_TMP/emb.yml"
printf 'agent:\n  namespace:%s\n    pgv: {type: postgresql, host: %s, port: %s, database: %s, username: postgres}\n  storage:\n    backends:\n      namespace: pgv\n' \
	"$NS" "$host" "$port" "$db" > "$T_TMP/pgv.yml"
"$VBADMIN" --config "$T_TMP/pgv.yml" ddl render | "${PSQL[@]}" -d "$db" -v ON_ERROR_STOP=1 >/dev/null
t_ok $? "pgvector: DDL applied"

# q BACKEND NS SQL-with-{ns}: one value per line; booleans and arrays normalised to 1/0 and a,b,c
q() {
	local be=$1 ns=$2 sql=$3 w="1=1"
	if [ "$be" = embedded ]; then
		sqlite3 "$XDG_DATA_HOME/vbadmin/$ns.db" "${sql//\{ns\}/$w}" | sed -e 's/^\[//' -e 's/\]$//' -e 's/"//g'
	else
		w="namespace = '$ns'"
		"${PSQL[@]}" -d "$db" -c "${sql//\{ns\}/$w}" | sed -e 's/^{//' -e 's/}$//'
	fi
}

for be in embedded pgvector; do
	# vbadmin's offline embedder, chosen explicitly (docs/embeddings.md)
	if [ $be = embedded ]; then C=(--config "$T_TMP/emb.yml" --embedder hashing --backend embedded); else C=(--config "$T_TMP/pgv.yml" --embedder hashing); fi
	B=("$VBADMIN" "${C[@]}" bootstrap-kb --kb_update_strategy incremental)

	# ---- StarRocks: catalog default_catalog (TC), database from the entry, no schema level
	t_run "${B[@]}" --namespace sr --components semantic_model --semantic_yaml "$TX"
	t_is "$RC" 0 "$be: transactions.yaml into a StarRocks namespace exits 0"
	t_is "$(q $be sr "SELECT catalog_name || '|' || database_name || '|' || schema_name || '|' || fq_name FROM semantic_model WHERE {ns} AND id = 'table:$T'")" \
		"default_catalog|ssb||default_catalog.ssb.$T" "$be: StarRocks table row: Datus's catalog, database, schema and fq_name (TC)"
	t_is "$(q $be sr "SELECT fq_name FROM semantic_model WHERE {ns} AND id = 'column:$T.ds'")" \
		"default_catalog.ssb.$T.ds" "$be: StarRocks column fq_name (TC)"
	t_is "$(q $be sr "SELECT count(*) FROM semantic_model WHERE {ns} AND kind = 'column'")" 14 \
		"$be: 3 dimensions + 7 measures + 4 identifiers = 14 column rows"

	# ---- DuckDB: database = file stem of the uri (FILE), schema from the entry
	t_run "${B[@]}" --namespace duck --components semantic_model --semantic_yaml "$TX"
	t_is "$RC" 0 "$be: transactions.yaml into a DuckDB namespace exits 0"
	t_is "$(q $be duck "SELECT catalog_name || '|' || database_name || '|' || schema_name || '|' || fq_name FROM semantic_model WHERE {ns} AND id = 'table:$T'")" \
		"|duckdb-demo|main|duckdb-demo.main.$T" "$be: DuckDB table row: Datus's catalog, database, schema and fq_name (TC, FILE)"

	# ---- metrics-only file after its semantic model: knowledge-base fallback (FB)
	t_run "${B[@]}" --namespace sr --components metrics --semantic_yaml "$MONLY"
	t_is "$RC" 0 "$be: metrics-only file exits 0"
	t_is "$(printf '%s\n' "$OUT" | tail -n 1)" "metrics bootstrap completed, metrics_count=8" "$be: 8 metrics"
	t_is "$(q $be sr "SELECT semantic_model_name FROM metrics WHERE {ns} AND id = 'metric:cancellation_rate'")" "$T" \
		"$be: semantic_model_name from the stored model holding measure cancellations_usd (FB)"
	# in the order the store returns the rows (Datus's _search_all has no ORDER BY): compared as sets
	t_is "$(q $be sr "SELECT dimensions FROM metrics WHERE {ns} AND id = 'metric:cancellation_rate'" | tr , '\n' | sort | paste -sd,)" \
		"ds,is_large,quick_buy_transaction" "$be: dimensions from the stored model's dimension rows (FB)"
	t_is "$(q $be sr "SELECT entities FROM metrics WHERE {ns} AND id = 'metric:revenue_usd'" | tr , '\n' | sort | paste -sd,)" \
		"customer,customer_order,id_order,transaction" "$be: entities from the stored model's identifier rows (FB)"
	t_is "$(q $be sr "SELECT catalog_name || '|' || database_name || '|' || schema_name FROM metrics WHERE {ns} AND id = 'metric:revenue_usd'")" \
		"default_catalog|ssb|" "$be: metric rows carry the namespace's context (TC)"
	# the subject path is built from the file's own table name before the lookup: Metrics/Unknown
	t_is "$(q $be sr "SELECT count(*) FROM subject_nodes WHERE {ns} AND name = 'Unknown'")" 1 \
		"$be: default subject path Metrics/Unknown, as Datus builds it for a file without data_source"

	# ---- the same file where no model holds the measure: kept, empty, and said (FB)
	t_run "${B[@]}" --namespace duck --components metrics --semantic_yaml "$MONLY" 
	t_is "$RC" 0 "$be: metrics into a namespace whose model has the measures exits 0"
	t_run "${B[@]}" --namespace docs --components metrics --semantic_yaml "$MONLY"
	t_is "$RC" 0 "$be: metrics with no stored model still load, as in Datus"
	t_has "$ERR" "no semantic model in this namespace holds its measure" "$be: and the warning says why they are empty"
	t_is "$(q $be docs "SELECT semantic_model_name FROM metrics WHERE {ns} AND id = 'metric:cancellations'")" "" \
		"$be: semantic_model_name stays '' (FB)"

	# ---- Datus's docs example: metric beside data_source and without type (DOC, NV)
	t_run "${B[@]}" --namespace docs --components semantic_model --semantic_yaml "$DOCEX"
	t_is "$RC" 0 "$be: the docs example loads its data_source"
	t_has "$ERR" "'metric:' beside 'data_source:' is ignored" "$be: the ignored metric is named (DOC)"
	t_is "$(q $be docs "SELECT fq_name FROM semantic_model WHERE {ns} AND id = 'table:transactions'")" "shop.public.transactions" \
		"$be: no sql_table: context from the entry, fq_name shop.public.transactions (TC)"
	t_run "${B[@]}" --namespace docs --components metrics --semantic_yaml "$DOCEX"
	t_is "$RC" 2 "$be: metrics of the docs example: nothing to sync exits 2 (NV)"
	t_has "$ERR" "No valid objects found to sync" "$be: with Datus's message (NV)"
	t_has "$ERR" "nothing was written" "$be: and says nothing was written"

	# ---- empty load and a component with no objects
	: > "$T_TMP/empty.yaml"
	t_run "${B[@]}" --namespace docs --components semantic_model --semantic_yaml "$T_TMP/empty.yaml"
	t_is "$RC" 2 "$be: an empty file exits 2"
	t_has "$ERR" "No data_source or metrics found in YAML file" "$be: with Datus's message for it"
	t_run "${B[@]}" --namespace docs --components semantic_model --semantic_yaml "$MONLY"
	t_is "$RC" 2 "$be: semantic_model of a metrics-only file exits 2 (NV)"
	t_has "$ERR" "No valid objects found to sync" "$be: with Datus's message (NV)"

	# ---- search --json: typed values (docs/json.md), Datus's subject_path and semantic_model_names
	S=("$VBADMIN" "${C[@]}" --namespace sr search --json)
	t_run "${S[@]}" --mode hybrid --table metrics --top 3 "cancellations"
	t_is "$RC" 0 "$be: hybrid search --json exits 0"
	printf '%s' "$OUT" > "$T_TMP/$be.metrics.json"
	t_run "${S[@]}" --mode hybrid --table semantic_model --top 5 --where "kind = 'column'" "transaction amount"
	printf '%s' "$OUT" > "$T_TMP/$be.sm.json"
	# MetricStorage.search_metrics: subject_path filters by the node and its descendants, and by
	# parent + name LIKE last component; results carry subject_path as a list
	# (the metrics-only file put them under Metrics/Unknown, see above)
	t_run "${S[@]}" --table metrics --top 10 --subject-path 'Metrics/Unk*' "revenue"
	t_is "$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["results"]; print(len(r), sorted({tuple(x["subject_path"]) for x in r}))')" \
		"8 [('Metrics', 'Unknown')]" "$be: --subject-path Metrics/Unk* finds the 8 metrics under that node"
	t_run "${S[@]}" --table metrics --top 10 --subject-path 'Metrics/Unknown/cancel*' "revenue"
	t_is "$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; print(",".join(sorted(x["name"] for x in json.load(sys.stdin)["results"])))')" \
		"cancellation_rate,cancellations,cancellations_mx" "$be: a last component that is no node matches metric names (parent + name LIKE)"
	t_run "${S[@]}" --table metrics --top 10 --subject-path 'Finance' "revenue"
	t_is "$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))')" 0 \
		"$be: a subject path matching no node gives no rows"
	t_run "${S[@]}" --table metrics --top 10 --semantic-model other,'$transactions_table' "revenue"
	t_is "$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))')" 8 \
		"$be: --semantic-model keeps the metrics of the named models"
	t_run "${S[@]}" --table metrics --top 10 --semantic-model other "revenue"
	t_is "$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))')" 0 \
		"$be: and drops the others"
	t_run "${S[@]}" --table semantic_model --subject-path A "x"
	t_is "$RC" 2 "$be: --subject-path on a table without subject_node_id is a usage error"

	# ---- a namespace agent.yml does not define
	t_run "${B[@]}" --namespace nowhere --components semantic_model --semantic_yaml "$TX"
	t_is "$RC" 2 "$be: a namespace not in agent.yml exits 2"
	t_has "$ERR" "namespace 'nowhere' is not in" "$be: and names it"
done

# The same rows give the same JSON types on both stores: booleans, integers, reals, arrays, null
# (docs/json.md), and hybrid rows carry Datus's vec_sim and bm25 beside _distance and score.
sig() { /usr/bin/python3 -c '
import json, sys
def t(v):
    return "null" if v is None else "bool" if isinstance(v, bool) else "int" if isinstance(v, int) else \
        "real" if isinstance(v, float) else "array" if isinstance(v, list) else "object" if isinstance(v, dict) else "string"
d = json.load(open(sys.argv[1]))
print(" ".join("%s:%s" % (k, t(v)) for r in d["results"] for k, v in sorted(r.items()) if k != "namespace"))
' "$1"; }
for f in metrics sm; do
	t_is "$(sig "$T_TMP/pgvector.$f.json")" "$(sig "$T_TMP/embedded.$f.json")" "search --json on $f: identical types on pgvector and embedded"
done
sm=$(sig "$T_TMP/pgvector.sm.json")
for want in is_dimension:bool is_measure:bool create_metric:bool _distance:real vec_sim:real bm25:real score:real rank:int; do
	t_has "$sm" "$want" "semantic_model JSON: $want"
done
m=$(sig "$T_TMP/embedded.metrics.json")
for want in subject_node_id:int base_measures:array dimensions:array entities:array vec_sim:real bm25:real; do
	t_has "$m" "$want" "metrics JSON: $want"
done
t_is "$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(abs(r["score"] - (0.6 * r["vec_sim"] + 3.2 * r["bm25"])) < 1e-6)' "$T_TMP/pgvector.metrics.json")" True \
	"pgvector: score = 0.6 vec_sim + 0.4 * 8 bm25 (Datus's hybrid formula)"
t_is "$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(abs(r["score"] - (0.6 * r["vec_sim"] + 3.2 * r["bm25"])) < 1e-6)' "$T_TMP/embedded.metrics.json")" True \
	"embedded: the same formula holds for its parts"
t_done
