#!/usr/bin/env bash
# tests/integration/test_lancedb.sh - Datus's LanceDB store, written by LanceDB's own library with
# Datus's layout and Arrow schemas (tests/lancedb/datus-store.mjs), found from agent.yml alone:
# with no storage backend configured vbadmin opens {home}/data/datus_db_<namespace> (Datus's
# get_default_backend, datus/storage/backends/vector/factory.py, and LanceDB path, agent_config.py),
# `check` walks the LanceDB steps, each search mode answers, and nothing in the store is written by
# check or search; a missing, foreign or corrupt directory gives a clear error and writes nothing.
# The store's model (issue 13): the fixture records all-MiniLM-L6-v2 in Datus's datus_db.cfg, served
# here by the loopback embeddings server (tests/integration/embed_server.py, 8 dimensions); without
# the server or with --embedder hashing, vector and hybrid search are refused naming the model, text
# search answers, and bootstrap-kb changes nothing (files and datus_db.cfg byte for byte) unless
# the overwrite is confirmed twice (-y and --replace-model).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"

DATUS="$T_TMP/datus"
store() { node "$ROOT/tests/lancedb/datus-store.mjs" --dir "$DATUS/data/datus_db_$1" "${@:2}" 2>&1 | grep -v ' WARN '; }
OUTW=$(store ns1 --dim 8 --rows 200)
t_has "$OUTW" "wrote 7 tables x 200 rows" "the fixture writes a Datus-shaped store with LanceDB's library"
t_ok $([ -d "$DATUS/data/datus_db_ns1/semantic_model.lance" ] && [ ! -e "$DATUS/data/datus_db_ns1/__manifest" ]; echo $?) \
	"the store has Datus's layout: <table>.lance per table, no namespace manifest"

/usr/bin/python3 "$ROOT/tests/integration/embed_server.py" --no-auth --dim 8 >"$T_TMP/eport" 2>/dev/null &
ESERVER=$!
trap 'kill $ESERVER 2>/dev/null; rm -rf "$T_TMP"' EXIT
for _ in $(seq 50); do [ -s "$T_TMP/eport" ] && break; sleep 0.1; done
cat >"$T_TMP/unserved.yml" <<EOF
agent:
  home: $DATUS
  namespace:
    ns1: {type: sqlite, uri: sqlite:///x.db}
    ns2: {type: sqlite, uri: sqlite:///x.db}
    ns3: {type: sqlite, uri: sqlite:///x.db}
    ns4: {type: sqlite, uri: sqlite:///x.db}
    ns5: {type: sqlite, uri: sqlite:///x.db}
    ns6: {type: sqlite, uri: sqlite:///x.db}
  storage:
    database: {registry_name: sentence-transformers, model_name: all-MiniLM-L6-v2, dim_size: 8}
    semantic_model: {registry_name: sentence-transformers, model_name: all-MiniLM-L6-v2, dim_size: 8}
EOF
{ cat "$T_TMP/unserved.yml"; printf '  vbadmin:\n    embedding_endpoints: {all-MiniLM-L6-v2: "http://127.0.0.1:%s/v1"}\n' "$(cat "$T_TMP/eport")"; } >"$T_TMP/agent.yml"
V() { "$VBADMIN" --config "$T_TMP/agent.yml" "$@"; }
H() { "$VBADMIN" --config "$T_TMP/agent.yml" --embedder hashing "$@"; }
touch "$T_TMP/stamp"
sleep 1

# ---- found from agent.yml alone ----
t_run V --namespace ns1 config show
t_has "$OUT" "backend:       lancedb (Datus's default: no PostgreSQL storage namespace, so LanceDB)" \
	"config show: no storage backend -> lancedb, and says why"
t_has "$OUT" "Datus's LanceDB store $DATUS/data/datus_db_ns1" "config show names the LanceDB directory"

t_run V --namespace ns1 check
t_is "$RC" 0 "check on the store exits 0"
t_has "$OUT" "LanceDB directory $DATUS/data/datus_db_ns1 (Datus's store for namespace ns1): 7 tables" "check: directory step"
t_has "$OUT" "7 of 7 knowledge-base tables present" "check: tables step"
t_has "$OUT" "7 tables have Datus's Arrow schema" "check: Arrow schema against the store's columns"
t_has "$OUT" "7 vector tables hold 8-dimension vectors" "check: vector dimensions"
t_has "$OUT" "every table has the full-text indexes Datus builds" "check: indexes"
t_has "$OUT" "1400 rows in namespace ns1" "check: row counts"
t_has "$OUT" "6 stores recorded, dimensions agree" "check: the embedding record datus_db.cfg"
t_has "$OUT" "vector and text search on schema_metadata answered" "check: smoke test"

# ---- searches ----
t_run V --namespace ns1 search --mode text tag42
t_is "$RC" 0 "search --mode text exits 0"
t_has "$OUT" "text search on semantic_model: 1 result" "text search finds exactly the one row with the word"
t_has "$OUT" "semantic_model:42" "... row 42"
t_run V --namespace ns1 search --mode text --table metrics --where "id = 'metrics:7'" --json tag7
t_has "$OUT" '"id":"metrics:7"' "text search on metrics with a filter"
t_has "$OUT" '"base_measures":["quarter","base_measures_7"]' "list<string> cells come back as JSON arrays"
t_run V --namespace ns1 search --mode text --table metrics --where "id = 'metrics:8'" tag7
t_has "$OUT" "0 results" "the filter is applied to the text search"
t_run V --namespace ns1 search --mode hybrid tag42
t_is "$RC" 0 "search --mode hybrid exits 0"
t_has "$OUT" "hybrid search on semantic_model: 10 results" "hybrid search answers top 10"
t_run V --namespace ns1 search --mode vector --table document revenue
t_is "$RC" 0 "search --mode vector exits 0"
t_has "$OUT" "vector search on document: 10 results" "vector search answers top 10"
CHANGED=$(find "$DATUS" -newer "$T_TMP/stamp" | head -5)
t_is "$CHANGED" "" "check and search wrote nothing in the Datus store"

# ---- the recorded model decides (issue 13) ----
snap() { (cd "$DATUS/data/datus_db_$1" && find . -type f | sort | xargs md5sum) | md5sum; }
S1=$(snap ns1)
CFG1=$(md5sum <"$DATUS/data/datus_db_ns1/datus_db.cfg")
for mode in vector hybrid; do
	t_run H --namespace ns1 search --mode $mode --table document revenue
	t_is "$RC" 1 "--embedder hashing: $mode search of the all-MiniLM-L6-v2 store refused"
	t_has "$ERR" "filled with sentence-transformers/all-MiniLM-L6-v2 (8 dimensions)" "$mode: names the recorded model"
	t_run "$VBADMIN" --config "$T_TMP/unserved.yml" --namespace ns1 search --mode $mode --table document revenue
	t_is "$RC" 1 "no server for all-MiniLM-L6-v2: $mode search exits 1"
	t_has "$ERR" "all-MiniLM-L6-v2" "$mode: names the model"
	t_has "$ERR" "embedding_endpoints" "$mode: and how to serve it"
done
t_run "$VBADMIN" --config "$T_TMP/unserved.yml" --namespace ns1 search --mode text tag42
t_is "$RC" 0 "no server: text search still answers"
t_has "$OUT" "semantic_model:42" "... with the row"
BK=(--namespace ns1 bootstrap-kb --components semantic_model --semantic_yaml "$ROOT/tests/data/kb_small.yaml")
t_run H "${BK[@]}" --kb_update_strategy incremental
t_is "$RC" 2 "--embedder hashing bootstrap into the store: incremental refused (exit 2)"
t_has "$ERR" "existing='all-MiniLM-L6-v2', new='hashing'" "with Datus's mismatch message"
t_run "$VBADMIN" --config "$T_TMP/unserved.yml" "${BK[@]}" --kb_update_strategy incremental
t_is "$RC" 1 "no server: bootstrap refused (exit 1)"
t_is "$(snap ns1)|$(md5sum <"$DATUS/data/datus_db_ns1/datus_db.cfg")" "$S1|$CFG1" \
	"the LanceDB store's files and datus_db.cfg unchanged byte for byte"
t_is "$(ls "$DATUS/data" | grep -c embedding.cfg)" 0 "no vbadmin record beside Datus's stores"
# an overwrite needs a store that can roll back, LanceDB cannot: refused before the model record
# is looked at, confirmed or not (and before it could be rewritten)
for confirm in "-y" "-y --replace-model"; do
	t_run H "${BK[@]}" --kb_update_strategy overwrite $confirm
	t_is "$RC" 1 "overwrite $confirm of the LanceDB store: refused (exit 1)"
	t_has "$ERR" "backend lancedb has no transactions" "saying why"
	t_is "$(snap ns1)|$(md5sum <"$DATUS/data/datus_db_ns1/datus_db.cfg")" "$S1|$CFG1" "and nothing changed, datus_db.cfg included"
done

# ---- a missing, a foreign and a corrupt directory ----
t_run V --namespace ns4 check
t_is "$RC" 1 "check with no LanceDB directory exits 1"
t_has "$OUT" "no LanceDB directory for namespace ns4: $DATUS/data/datus_db_ns4 does not exist" "missing: says which directory"
t_ok $([ ! -e "$DATUS/data/datus_db_ns4" ]; echo $?) "missing: the directory is not created"

mkdir -p "$DATUS/data/datus_db_ns3"
echo "hello" >"$DATUS/data/datus_db_ns3/notes.txt"
mkdir "$DATUS/data/datus_db_ns3/photos"
t_run V --namespace ns3 check
t_is "$RC" 1 "check on a foreign directory exits 1"
t_has "$OUT" "holds no LanceDB tables (*.lance) but 2 other entries: not a Datus LanceDB directory" "foreign: clear error"
t_is "$(ls "$DATUS/data/datus_db_ns3" | tr '\n' ' ')" "notes.txt photos " "foreign: nothing written"

store ns2 --dim 8 --rows 20 --tables semantic_model,metrics >/dev/null
rm -rf "$DATUS/data/datus_db_ns2/metrics.lance/_versions"
touch "$T_TMP/stamp2"
sleep 1
t_run V --namespace ns2 check
t_is "$RC" 1 "check on a store with a corrupt table exits 1"
t_has "$OUT" "metrics" "corrupt: the failing table is named"
t_run V --namespace ns2 search --mode text --table metrics tag1
t_ok $([ "$RC" -ne 0 ]; echo $?) "corrupt: a search on the broken table fails"
t_has "$ERR" "metrics" "corrupt: the search error names the table"
t_is "$(find "$DATUS/data/datus_db_ns2" -newer "$T_TMP/stamp2" | head -3)" "" "corrupt: nothing written"

# ---- a store without native full-text indexes (Datus's Python LanceDB builds tantivy ones) ----
store ns5 --dim 8 --rows 30 --tables semantic_model,metrics --no-index >/dev/null
t_run V --namespace ns5 check
t_has "$OUT" "semantic_model: no full-text index on description" "no FTS index: check warns per column"
t_has "$OUT" "vbadmin index create --table <table> --method fts" "no FTS index: check gives the fix"
t_run V --namespace ns5 search --mode text tag3
t_ok $([ "$RC" -ne 0 ]; echo $?) "no FTS index: text search fails"
t_has "$ERR" "has no LanceDB full-text index on description, name, fq_name" "... saying which index is missing"
t_run V --namespace ns5 index create --method fts
t_is "$RC" 0 "index create --method fts exits 0"
t_has "$OUT" "semantic_model: indexes built" "index create names each table"
t_run V --namespace ns5 search --mode text tag3
t_has "$OUT" "text search on semantic_model: 1 result" "after index create, text search finds the row"
t_run V --namespace ns5 index create --method hnsw
t_is "$RC" 2 "index create --method hnsw on LanceDB exits 2"

# ---- a Datus store whose full-text index was written by tantivy ----
# Datus pins Python lancedb==0.18.0 (pyproject.toml, Datus-ai/Datus-agent 2c20d99) and calls
# table.create_fts_index(field_names=..., replace=True) (datus/storage/base.py); that lancedb's
# create_fts_index defaults to use_tantivy=True and writes a tantivy index directory
# <table>.lance/_indices/fts (meta.json + segments) that Lance's manifest does not list.  Neither
# tantivy nor Python's lancedb can be installed here (no PyPI) and the npm library writes native
# indexes only, so the tantivy directory is laid out by hand: meta.json in tantivy's IndexMeta form
# naming the indexed text fields (plus Datus's doc_id), on a store LanceDB wrote without native FTS.
store ns6 --dim 8 --rows 30 --tables semantic_model --no-index >/dev/null
TV="$DATUS/data/datus_db_ns6/semantic_model.lance/_indices/fts"
mkdir -p "$TV"
txt() { printf '{"name":"%s","type":"text","options":{"indexing":{"record":"position","fieldnorms":true,"tokenizer":"default"},"stored":false,"fast":false}}' "$1"; }
printf '{"index_settings":{"docstore_compression":"lz4","docstore_blocksize":16384},"segments":[],"schema":[%s,%s,%s,{"name":"doc_id","type":"u64","options":{"indexed":true,"fieldnorms":true,"fast":true,"stored":true}}],"opstamp":1}\n' \
	"$(txt description)" "$(txt name)" "$(txt fq_name)" >"$TV/meta.json"
t_run V --namespace ns6 check
t_has "$OUT" "semantic_model: TANTIVY on description,name,fq_name" "tantivy FTS: check lists the tantivy index"
t_has "$OUT" "semantic_model: no full-text index on description (text and hybrid search need it); its tantivy index (Datus's Python LanceDB) is not readable by LanceDB's native search" \
	"tantivy FTS: check says the tantivy index cannot serve native search"
t_has "$OUT" "vbadmin index create --table <table> --method fts" "tantivy FTS: check gives the fix"
t_run V --namespace ns6 search --mode text tag3
t_ok $([ "$RC" -ne 0 ]; echo $?) "tantivy FTS: text search fails instead of answering empty"
t_has "$ERR" "has only a tantivy full-text index (semantic_model.lance/_indices/fts on description, name, fq_name)" \
	"tantivy FTS: the error names the tantivy index and its columns"
t_has "$ERR" "cannot read tantivy indexes: build a native one with \`vbadmin index create --table semantic_model --method fts\`" \
	"tantivy FTS: the error says how to build a native index"
t_run V --namespace ns6 search --mode hybrid tag3
t_ok $([ "$RC" -ne 0 ]; echo $?) "tantivy FTS: hybrid search fails the same way"
t_has "$ERR" "has only a tantivy full-text index" "... with the same explanation"
t_run V --namespace ns6 index create --table semantic_model --method fts
t_is "$RC" 0 "tantivy FTS: index create --method fts builds the native index"
t_run V --namespace ns6 search --mode text tag3
t_has "$OUT" "text search on semantic_model: 1 result" "tantivy FTS: then text search finds the row"
t_ok $([ -f "$TV/meta.json" ]; echo $?) "tantivy FTS: the tantivy index is left in place for Datus"

# ---- the helper's stdin: a blocking read while idle (vbadmin's socket), node's stream otherwise ----
WANT=$(cd "$DATUS/data/datus_db_ns1" && ls -d -- *.lance | sed 's/\.lance$//' | sort)
for mode in blocking nonblocking; do
	t_run /usr/bin/python3 "$ROOT/tests/integration/lance_stdin.py" $mode "$ROOT/backends/lancedb/helper/vb-lance-helper.mjs" \
		"$DATUS/data/datus_db_ns1"
	t_is "$RC" 0 "helper stdin $mode: requests cut mid-frame are answered, then it exits 0 at end of input"
	t_is "$OUT" "$WANT" "helper stdin $mode: the tables listed are the store's"
done

# ---- LanceDB's library missing ----
VBADMIN_NODE=/nonexistent/node t_run V --namespace ns1 check
t_is "$RC" 3 "check without node exits 3"
t_has "$OUT" "LanceDB is not enabled" "without node: says LanceDB is not enabled"
t_has "$OUT" "make deps" "without node: says how to enable it"
t_run env VBADMIN_NODE=/nonexistent/node "$VBADMIN" --config "$T_TMP/agent.yml" --embedder hashing --namespace ns1 --backend embedded check
t_is "$RC" 0 "without node, the embedded store still works"

t_done
