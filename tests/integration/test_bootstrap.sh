#!/usr/bin/env bash
# bootstrap-kb and search on both backends: counts per kind follow the spec's mapping
# (tests/data/kb_small.yaml documents them), incremental is idempotent, overwrite stays inside
# its namespace, a metric's own words find it first, bad files write nothing.
. "$(dirname "$0")/lib.sh"
Y=$PWD/tests/data/kb_small.yaml
[ -n "${PG17_CONNINFO:-}" ] || { t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh)"; t_done; exit 1; }

emb_count() { # ns table [where]
	sqlite3 "$XDG_DATA_HOME/vbadmin/$1.db" "SELECT count(*) FROM \"$2\"${3:+ WHERE $3}"
}

# ---------------------------------------------------------------- embedded
t_run "$VBADMIN" bootstrap-kb --components semantic_model --namespace nsa --kb_update_strategy incremental --semantic_yaml "$Y"
t_is "$RC" 0 "embedded: semantic_model bootstrap exits 0"
t_is "$(printf '%s\n' "$OUT" | tail -n 1)" "semantic_model bootstrap completed, semantic_object_count=1" "embedded: final line is the spec's success message"
t_is "$(emb_count nsa semantic_model "kind='table'")" 1 "embedded: 1 table row (last data_source only)"
t_is "$(emb_count nsa semantic_model "kind='column'")" 6 "embedded: 6 column rows"
t_is "$(emb_count nsa semantic_model "is_measure=1")" 2 "embedded: 2 measure rows"
t_run "$VBADMIN" bootstrap-kb --components semantic_model --namespace nsa --kb_update_strategy incremental --semantic_yaml "$Y"
t_is "$(emb_count nsa semantic_model)" 7 "embedded: incremental twice leaves the same count"
t_run "$VBADMIN" bootstrap-kb --components metrics --namespace nsa --kb_update_strategy incremental --semantic_yaml "$Y"
t_is "$RC" 0 "embedded: metrics bootstrap exits 0"
t_is "$(printf '%s\n' "$OUT" | tail -n 1)" "metrics bootstrap completed, metrics_count=3" "embedded: metrics success message"
t_is "$(emb_count nsa subject_nodes "name='Payments'")" 1 "embedded: subject path Finance/Payments created once"
t_run "$VBADMIN" bootstrap-kb --components semantic_model --namespace nsb --kb_update_strategy incremental --semantic_yaml "$Y" --all-data-sources
t_is "$(emb_count nsb semantic_model "kind='table'")" 2 "embedded: --all-data-sources loads both data sources"
t_run "$VBADMIN" bootstrap-kb --components semantic_model --namespace nsb --kb_update_strategy overwrite --semantic_yaml "$Y" </dev/null
t_is "$RC" 1 "embedded: overwrite without -y and without a terminal refuses"
t_has "$ERR" "re-run with -y" "embedded: the refusal says how to confirm"
t_is "$(emb_count nsb semantic_model)" 12 "embedded: the refused overwrite changed nothing"
t_run "$VBADMIN" bootstrap-kb --components semantic_model --namespace nsb --kb_update_strategy overwrite --semantic_yaml "$Y" -y
t_is "$(emb_count nsb semantic_model)" 7 "embedded: overwrite -y replaces namespace nsb's rows"
t_is "$(emb_count nsa semantic_model)" 7 "embedded: overwrite of nsb leaves nsa untouched"
t_run "$VBADMIN" --namespace nsa search --mode text --table metrics "average ticket size"
t_is "$RC" 0 "embedded: text search exits 0"
t_has "$(printf '%s\n' "$OUT" | sed -n 2p)" "embedder: hashing (built in, 384 dimensions; chosen by no agent.yml" "embedded: the search header names the hashing embedder and why it runs"
t_has "$(printf '%s\n' "$OUT" | sed -n 4p)" "metric:average_ticket" "embedded: text search ranks the metric with those words first"
t_run "$VBADMIN" --namespace nsa search --mode hybrid --table metrics --json "share of payments refunded"
t_has "$OUT" '"rank":1' "embedded: hybrid --json carries rank"
t_is "$(printf '%s' "$OUT" | grep -o '"id":"[^"]*"' | head -1)" '"id":"metric:refund_rate"' "embedded: hybrid search ranks refund_rate first"
t_run "$VBADMIN" --namespace nsa search --mode vector --where "kind = 'table'" "payments"
t_is "$(printf '%s\n' "$OUT" | grep -c 'table:')" 1 "embedded: --where kind = 'table' keeps only the table row"
t_run "$VBADMIN" --namespace nsa search --mode vector --where "kind = 'column'" --explain --recall "payments"
t_has "$OUT" "search path: exact scan (float32" "embedded: --explain says how the store searched"
t_has "$OUT" "recall@10 = 1.00 (6 of 6 exact neighbours found" "embedded: --recall under the filter: the 6 column rows"
t_run "$VBADMIN" --namespace nsa index create --table semantic_model
t_is "$RC" 0 "embedded: index create exits 0"
t_has "$OUT" "semantic_model: ivf index built over" "embedded: index create builds the ivf index"
t_is "$(sqlite3 "$XDG_DATA_HOME/vbadmin/nsa.db" "SELECT count(*) FROM semantic_model__vb_ivf_rows")" "$(emb_count nsa semantic_model)" \
	"embedded: the index is stored in the namespace's store, one list entry per row"
t_run "$VBADMIN" --namespace nsa index create --method hnsw
t_is "$RC" 2 "embedded: --method hnsw is a usage error"
t_has "$ERR" "the embedded store builds --method ivf" "embedded: and names the store's method"
t_run "$VBADMIN" --namespace nsa search --where "nosuch = 1" "x"
t_is "$RC" 2 "embedded: unknown column in --where exits 2"
t_has "$ERR" "Unknown column 'nosuch'" "embedded: and names the column"

W=$(awk 'BEGIN { for (i = 0; i < 1200; i++) printf "%sname = %cx%d%c", (i ? " OR " : ""), 39, i, 39 }')
t_run "$VBADMIN" --namespace nsa search --mode vector --where "$W" "x"
t_is "$RC" 2 "embedded: a --where beyond SQLite's expression limit is a usage error (exit 2)"
t_has "$ERR" "use IN (...) instead of many OR terms" "embedded: with a hint how to write it"

# the model record of vbadmin's own store lives next to it, never in Datus's datus_db.cfg
# (the other rules of the record: tests/integration/test_embeddings.sh)
REC="$XDG_DATA_HOME/vbadmin/nsa.embedding.cfg"
t_has "$(cat "$REC" 2>/dev/null)" $'[semantic_model]\nregistry_name = hashing\nmodel_name = hashing\ndim_size = 384' "embedded: the model that filled nsa is recorded next to nsa.db"
t_is "$(stat -c %a "$REC")" 600 "the record is private (0600)"
t_ok "$([ ! -e "$HOME/.datus/data/datus_db_nsa" ]; echo $?)" "embedded: Datus's datus_db_nsa directory is not created by vbadmin's own store"

# bad input writes nothing
printf 'data_source:\n  name: [broken\n' > "$T_TMP/bad.yaml"
t_run "$VBADMIN" bootstrap-kb --components semantic_model --namespace nsc --kb_update_strategy incremental --semantic_yaml "$T_TMP/bad.yaml"
t_is "$RC" 2 "bad YAML exits 2"
t_has "$ERR" "bad.yaml:" "bad YAML message names the file and position"
t_ok "$([ ! -s "$XDG_DATA_HOME/vbadmin/nsc.db" ] || [ "$(emb_count nsc semantic_model 2>/dev/null || echo 0)" = 0 ]; echo $?)" "bad YAML wrote nothing"
t_run "$VBADMIN" bootstrap-kb --components semantic_model --namespace nsc --semantic_yaml "$T_TMP/missing.yaml"
t_has "$ERR" "Semantic YAML file $T_TMP/missing.yaml not found" "missing file gives the spec's message"
t_run "$VBADMIN" bootstrap-kb --components lineage --semantic_yaml "$Y"
t_is "$RC" 2 "unknown component exits 2"
t_run "$VBADMIN" bootstrap-kb --kb_update_strategy sometimes --semantic_yaml "$Y"
t_is "$RC" 2 "unknown strategy exits 2"

# a model that cannot run, into a namespace with no store yet (issue 14): the first component's
# model is resolved and probed before the store is opened, so the run writes nothing and leaves
# no new <ns>.db (nor -wal, -shm, -journal) behind; the exit code is the model's failure's
EPORT=$(embed_server_start emb)
DEAD=$(t_free_port)
t_ok "$([ -n "$EPORT" ]; echo $?)" "an embeddings server on loopback ($EPORT), and a port nothing listens on ($DEAD)"
emb_yml() { # name storage-line [endpoint-line]: an agent.yml whose embedded store lives in $T_TMP/NAME
	cat >"$T_TMP/$1.yml" <<YML
agent:
  namespace:
    fresh: {type: postgresql, host: 127.0.0.1, port: 5432, database: kb, username: postgres}
  storage:
$2
    backends:
      namespace: fresh
  vbadmin:
    data_dir: $T_TMP/$1
    embedding_endpoints:
${3:-$DOWN_EP}
YML
}
DOWN_EP="      all-MiniLM-L6-v2: {base_url: \"http://vbuser:vbsecret@127.0.0.1:$DEAD/v1\", api_key: test-key}"
left() { ls -A "$T_TMP/$1" 2>/dev/null | tr '\n' ' '; }  # what the store's data dir holds
MINI='    semantic_model: {registry_name: sentence-transformers, model_name: all-MiniLM-L6-v2, dim_size: 384}'
FB=(--backend embedded bootstrap-kb --components semantic_model --kb_update_strategy incremental --semantic_yaml "$Y")
emb_yml down "$MINI"
t_run "$VBADMIN" --config "$T_TMP/down.yml" "${FB[@]}"
t_is "$RC" 3 "new namespace, embeddings server down: exit 3 (cannot connect)"
t_has "$ERR" "cannot connect to the embedding server at http://127.0.0.1:$DEAD/v1/embeddings" "server down: names the embedding server"
t_lacks "$ERR" "vbsecret" "server down: the URL's password is not shown"
t_has "$ERR" "nothing was written" "server down: says nothing was written"
t_is "$(left down)" "" "server down: no fresh.db (nor -wal, -shm, -journal) is left behind"
emb_yml wrongdim "$MINI" "      all-MiniLM-L6-v2: {base_url: \"http://127.0.0.1:$EPORT/v1\", model: \"wrongdim:384\", api_key: test-key}"
t_run "$VBADMIN" --config "$T_TMP/wrongdim.yml" "${FB[@]}"
t_is "$RC" 1 "new namespace, a server answering 385 dimensions for 384: exit 1"
t_has "$ERR" "returns 385-dimensional vectors, not 384" "wrong dimension: names both"
t_is "$(left wrongdim)" "" "wrong dimension: no store file is left behind"
emb_yml refused "$MINI" "      all-MiniLM-L6-v2: {base_url: \"http://127.0.0.1:$EPORT/v1\", api_key: sk-wrong-vbkey}"
t_run "$VBADMIN" --config "$T_TMP/refused.yml" "${FB[@]}"
t_is "$RC" 3 "new namespace, the server refuses the API key: exit 3"
t_has "$ERR" "rejected the API key" "refused: says so"
t_lacks "$ERR" "sk-wrong-vbkey" "refused: the key is not shown"
t_is "$(left refused)" "" "refused: no store file is left behind"
emb_yml noreg '    semantic_model: {registry_name: nosuch, model_name: m1, dim_size: 384}'
t_run "$VBADMIN" --config "$T_TMP/noreg.yml" "${FB[@]}"
t_is "$RC" 1 "new namespace, an unknown registry_name: exit 1 (refused before anything is written)"
t_has "$ERR" "Unsupported EmbeddingModel registration by \`nosuch\`" "unknown registry: Datus's message, naming it"
t_is "$(left noreg)" "" "unknown registry: no store file is left behind"
# a declined overwrite is asked before the store is opened too
t_run "$VBADMIN" bootstrap-kb --components semantic_model --namespace nso --kb_update_strategy overwrite --semantic_yaml "$Y" </dev/null
t_is "$RC" 1 "new namespace, overwrite without -y and without a terminal: refused (exit 1)"
t_has "$ERR" "re-run with -y" "declined overwrite: says how to confirm"
t_is "$(ls -A "$XDG_DATA_HOME/vbadmin" | grep -c '^nso\.')" 0 "declined overwrite: no nso.db (nor -wal, -shm, -journal) is created"
# the order of the failures stays: agent.yml, then the semantic YAML, then the model, then the store
printf 'agent: [\n' >"$T_TMP/broken.yml"
t_run "$VBADMIN" --config "$T_TMP/broken.yml" "${FB[@]}"
t_is "$RC" 2 "a broken agent.yml: exit 2, before the model is tried"
t_has "$ERR" "broken.yml" "a broken agent.yml: names the file"
t_run "$VBADMIN" --config "$T_TMP/down.yml" --backend embedded bootstrap-kb --components semantic_model --semantic_yaml "$T_TMP/missing.yaml"
t_is "$RC" 2 "a missing semantic YAML with the server down: exit 2, the file first"
t_has "$ERR" "Semantic YAML file $T_TMP/missing.yaml not found" "the file's error, not the server's"
t_is "$(left down)" "" "missing file: no store file is left behind"
# a later component fails in its turn, after the earlier ones loaded (as in Datus): the message
# says what was loaded and what was not
emb_yml later "$(printf '    semantic_model: {registry_name: hashing, model_name: hashing, dim_size: 384}\n%s' \
	'    metric: {registry_name: sentence-transformers, model_name: all-MiniLM-L6-v2, dim_size: 384}')"
t_run "$VBADMIN" --config "$T_TMP/later.yml" --backend embedded bootstrap-kb --components semantic_model,metrics --kb_update_strategy incremental --semantic_yaml "$Y"
t_is "$RC" 3 "semantic_model,metrics with the metrics model's server down: exit 3"
t_has "$ERR" "semantic_model: 7 rows in 1 batch" "later model: semantic_model's load is reported"
t_has "$ERR" "nothing of metrics was written; semantic_model (7 rows) loaded completely before it and stays in namespace 'fresh'" \
	"later model: says what was loaded and what was not"
t_is "$(sqlite3 "$T_TMP/later/fresh.db" "SELECT count(*) FROM semantic_model")" 7 "later model: semantic_model's rows are there"
printf 'data_source:\n  name: t\n  sql_table: t\n  description: a table\n  dimensions:\n    - name: a\n      description: column a\n' >"$T_TMP/dsonly.yaml"
t_run "$VBADMIN" bootstrap-kb --namespace nsd --components semantic_model,metrics --kb_update_strategy incremental --semantic_yaml "$T_TMP/dsonly.yaml"
t_is "$RC" 2 "semantic_model,metrics, a file with no metric: exit 2"
t_has "$ERR" "No valid objects found to sync" "later file: Datus's message"
t_has "$ERR" "nothing of metrics was written; semantic_model (2 rows) loaded completely before it and stays in namespace 'nsd'" \
	"later file: says what was loaded and what was not"

# ---------------------------------------------------------------- pgvector (real PostgreSQL 17)
host=$(pg_field "$PG17_CONNINFO" host); port=$(pg_field "$PG17_CONNINFO" port)
db=vb_boot_$$
export PGPASSWORD=postgres
PSQL=(psql -X -q -At -h "$host" -p "$port" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null
"${PSQL[@]}" -d "$db" -c "CREATE EXTENSION vector" >/dev/null
cat > "$T_TMP/agent.yml" <<YML
agent:
  namespace:
    pgv:
      type: postgresql
      host: $host
      port: $port
      database: $db
      username: postgres
      password: \${VB_TEST_PW}
    # row namespaces: each a configured namespace (Datus rule); storage lives in pgv
    pa: {type: postgresql, host: $host, port: $port, database: $db, username: postgres}
    pb: {type: postgresql, host: $host, port: $port, database: $db, username: postgres}
    pc: {type: postgresql, host: $host, port: $port, database: $db, username: postgres}
$(hashing_storage_yml pgv)
YML
export VB_TEST_PW=postgres
"$VBADMIN" --config "$T_TMP/agent.yml" ddl render | "${PSQL[@]}" -d "$db" -v ON_ERROR_STOP=1 >/dev/null
t_ok $? "pgvector: DDL applied"
pgq() { "${PSQL[@]}" -d "$db" -c "$1"; }
B=(bootstrap-kb --config "$T_TMP/agent.yml" --semantic_yaml "$Y")
t_run "$VBADMIN" "${B[@]}" --components semantic_model --namespace pa --kb_update_strategy incremental
t_is "$RC" 0 "pgvector: semantic_model bootstrap exits 0"
t_is "$(printf '%s\n' "$OUT" | tail -n 1)" "semantic_model bootstrap completed, semantic_object_count=1" "pgvector: success message"
t_is "$(pgq "SELECT count(*) FROM semantic_model WHERE namespace='pa' AND kind='column'")" 6 "pgvector: 6 column rows"
t_run "$VBADMIN" "${B[@]}" --components semantic_model --namespace pa --kb_update_strategy incremental
t_is "$(pgq "SELECT count(*) FROM semantic_model WHERE namespace='pa'")" 7 "pgvector: incremental twice leaves 7 rows"
t_run "$VBADMIN" "${B[@]}" --components semantic_model --namespace pb --kb_update_strategy incremental --all-data-sources
t_run "$VBADMIN" "${B[@]}" --components semantic_model --namespace pb --kb_update_strategy overwrite -y
t_is "$(pgq "SELECT count(*) FROM semantic_model WHERE namespace='pb'")" 7 "pgvector: overwrite replaced pb's rows"
t_is "$(pgq "SELECT count(*) FROM semantic_model WHERE namespace='pa'")" 7 "pgvector: overwrite of pb left pa untouched"
# a namespace with no rows whose model cannot run (its server down): refused before the store
# is opened; nothing written, no model recorded for it
sed 's/semantic_model: {registry_name: hashing, model_name: hashing, dim_size: 384}/semantic_model: {registry_name: sentence-transformers, model_name: all-MiniLM-L6-v2, dim_size: 384}/' \
	"$T_TMP/agent.yml" >"$T_TMP/pgdown.yml"
printf '  vbadmin:\n    embedding_endpoints:\n      all-MiniLM-L6-v2: {base_url: "http://127.0.0.1:%s/v1", api_key: test-key}\n' "$DEAD" >>"$T_TMP/pgdown.yml"
t_run "$VBADMIN" --config "$T_TMP/pgdown.yml" --namespace pc bootstrap-kb --components semantic_model --kb_update_strategy incremental --semantic_yaml "$Y"
t_is "$RC" 3 "pgvector, a namespace with no rows, embeddings server down: exit 3"
t_has "$ERR" "cannot connect to the embedding server at http://127.0.0.1:$DEAD/v1/embeddings" "pgvector, server down: names the embedding server"
t_is "$(pgq "SELECT count(*) FROM semantic_model WHERE namespace='pc'")" 0 "pgvector, server down: no row written"
t_ok "$([ ! -e "$HOME/.datus/data/datus_db_pc" ]; echo $?)" "pgvector, server down: no model record (datus_db_pc) for the namespace"
# Datus's datus_db.cfg has [semantic_model] only: Datus would compare the missing [metric] with
# its default model; vbadmin records the model that produces the metrics' vectors instead
t_run "$VBADMIN" "${B[@]}" --components metrics --namespace pa --kb_update_strategy incremental
t_is "$RC" 0 "pgvector: metrics incremental into a datus_db.cfg without [metric] exits 0"
t_has "$(cat "$HOME/.datus/data/datus_db_pa/datus_db.cfg")" $'[metric]\nregistry_name = hashing' "pgvector: and records [metric]"
t_is "$(printf '%s\n' "$OUT" | tail -n 1)" "metrics bootstrap completed, metrics_count=3" "pgvector: metrics success message"
t_is "$(pgq "SELECT count(*) FROM metrics m JOIN subject_nodes s ON s.namespace=m.namespace AND s.node_id=m.subject_node_id WHERE m.namespace='pa' AND m.id='metric:total_captured' AND s.name='Payments'")" 1 "pgvector: metric linked to its subject node"
t_run "$VBADMIN" --config "$T_TMP/agent.yml" --namespace pa search --mode text --table metrics "average ticket size"
t_has "$(printf '%s\n' "$OUT" | sed -n 4p)" "metric:average_ticket" "pgvector: text search ranks the metric with those words first"
t_run "$VBADMIN" --config "$T_TMP/agent.yml" --namespace pa search --mode hybrid --table metrics --json "share of payments refunded"
t_is "$(printf '%s' "$OUT" | grep -o '"id":"[^"]*"' | head -1)" '"id":"metric:refund_rate"' "pgvector: hybrid search ranks refund_rate first"
t_run "$VBADMIN" --config "$T_TMP/agent.yml" --namespace pa search --explain "payments"
t_has "$OUT" "Limit" "pgvector: --explain prints the plan"
t_has "$OUT" "search path: exact scan (no HNSW/IVFFlat index" "pgvector: --explain says no index served the search"
t_run "$VBADMIN" --config "$T_TMP/agent.yml" --namespace pa index create --table semantic_model
t_run "$VBADMIN" --config "$T_TMP/agent.yml" --namespace pa search --mode vector --top 5 --where "kind = 'column'" --explain --recall "payments"
t_has "$OUT" "search path: exact scan, sorted without the index: the planner expects about" \
	"pgvector: with an index, a filter keeping few rows is answered by an exact scan, and --explain says why"
t_has "$OUT" "recall@5 = 1.00 (5 of 5 exact neighbours found; reference: exact scan, same namespace and filter" \
	"pgvector: --recall compares with an exact scan under the same namespace and filter"
t_run "$VBADMIN" --config "$T_TMP/agent.yml" --namespace pa search --mode vector --top 50 --where "kind = 'column'" --json --recall "payments"
t_is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["results"]), d["recall"]["exact"], d["recall"]["recall"], d["search_path"][:10])')" \
	"6 6 1.0 exact scan" "pgvector: --json: 6 of the 6 matching rows, recall 1.0 and the search path"
t_lacks "$OUT$ERR" "postgres@" "no credentials in output"

# agent.yml options reach the server: statement_timeout stops a statement stuck behind a lock
awk '{ print } /^      password: / { print "      options: statement_timeout=300ms" }' "$T_TMP/agent.yml" > "$T_TMP/timeout.yml"
t_has "$("$VBADMIN" --config "$T_TMP/timeout.yml" config show)" "options:       statement_timeout=300ms" "config show lists the connection options"
"${PSQL[@]}" -d "$db" -c "BEGIN; LOCK TABLE metrics IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT" >/dev/null 2>&1 &
locker=$!
for _ in $(seq 50); do
	[ "$(pgq "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'metrics' AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && break
	sleep 0.1
done
t_run "$VBADMIN" --config "$T_TMP/timeout.yml" --namespace pa search --table metrics "payments"
t_is "$RC" 1 "pgvector: a statement_timeout from agent.yml options exits 1 (not 130)"
t_has "$ERR" "57014" "pgvector: the timeout names its SQLSTATE"
t_has "$ERR" "raise it (agent.yml: options: statement_timeout=60s)" "pgvector: and says how to raise it"
wait $locker 2>/dev/null

"${PSQL[@]}" -d postgres -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
t_done
