#!/usr/bin/env bash
# Datus's openai embedding registry, end to end against the loopback embeddings server
# (embed_server.py) and a real PostgreSQL 17 + pgvector (issue 13, docs/embeddings.md).
# Datus's mapping (datus/storage/embedding_models.py init_embedding_models): a store section of
# agent.storage with registry_name: openai takes the agent.models entry its target_model names,
# else agent.models[agent.target] (default_openai_config); EmbeddingModel.init_model hands that
# entry's api_key and base_url to OpenAIEmbeddings, which sends model_name as the model and
# dim_size as "dimensions" (datus/storage/embedding_openai.py generate_embeddings; not for
# text-embedding-ada-002).  agent.models values get ${VAR} substitution (agent_config.py
# resolve_env); the key never appears in any output, JSON document or file vbadmin leaves.
. "$(dirname "$0")/lib.sh"
Y=$PWD/tests/data/kb_small.yaml
[ -n "${PG17_CONNINFO:-}" ] || { t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh)"; t_done; exit 1; }

KEY=sk-vbtest-Q7x9Lm2Zp4Rk  # what only the server and the environment know
start_server() { # name [server options]
	/usr/bin/python3 tests/integration/embed_server.py --key "$KEY" "${@:2}" >"$T_TMP/$1.port" 2>"$T_TMP/$1.err" &
	echo $! >"$T_TMP/$1.pid"
	for _ in $(seq 50); do [ -s "$T_TMP/$1.port" ] && break; sleep 0.1; done
	cat "$T_TMP/$1.port"
}
EPORT=$(start_server main)
IPORT=$(start_server ignoring --ignore-dimensions)
LPORT=$(start_server lists --lists)
trap 'kill $(cat "$T_TMP"/*.pid) 2>/dev/null; rm -rf "$T_TMP"' EXIT
t_ok "$([ -n "$EPORT" ] && [ -n "$IPORT" ] && [ -n "$LPORT" ]; echo $?)" "three embeddings servers on loopback: $EPORT, $IPORT (ignores \"dimensions\"), $LPORT (answers number lists)"

EMB_DB_PREFIX=vb_eoai
. "$(dirname "$0")/embed_lib.sh"
rows_md5() { pgq "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY id)), '-') FROM semantic_model t WHERE namespace = 'datus'"; }

# agent.target names a chat model on a dead port: only target_model may lead to the server.
# semantic_model and metric (the stores bootstrap-kb fills, which check looks at) share the model.
# openai_yml file emb-port [section-extra] [target]
openai_yml() {
	{
	datus_home_yml
	cat <<YML
  target: ${4:-chat}
  models:
    chat: {type: deepseek, model: deepseek-chat, api_key: "\${EMB_SECRET}", base_url: "http://127.0.0.1:9/v1"}
    emb: {type: openai, model: gpt-4o-mini, api_key: "\${EMB_SECRET}", base_url: "http://127.0.0.1:$2/v1"}
YML
	datus_store_yml
	cat <<YML
    semantic_model: {registry_name: openai, model_name: text-embedding-3-small, dim_size: 256, batch_size: 3${3:-, target_model: emb}}
    metric: {registry_name: openai, model_name: text-embedding-3-small, dim_size: 256, batch_size: 3${3:-, target_model: emb}}
YML
	} >"$1"
}
openai_yml "$T_TMP/a.yml" "$EPORT"
openai_yml "$T_TMP/target.yml" "$LPORT" " " emb           # no target_model: agent.models[agent.target]
openai_yml "$T_TMP/ignoring.yml" "$IPORT"
export EMB_SECRET=$KEY
OUTS=$T_TMP/outputs; mkdir -p "$OUTS"
keep() { printf '%s\n%s\n' "$OUT" "$ERR" >"$OUTS/$1"; }  # every output, for the key check at the end
A=(--config "$T_TMP/a.yml")
B=(bootstrap-kb --components semantic_model --semantic_yaml "$Y")

"$VBADMIN" "${A[@]}" ddl render | "${PSQL[@]}" -d "$db" -v ON_ERROR_STOP=1 >/dev/null
t_ok $? "DDL applied"
t_is "$(pgq "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'semantic_model'::regclass AND attname = 'vector'")" \
	"vector(256)" "the semantic_model table has the section's dim_size"

# ---------------------------------------------------------------- config show and check
t_run "$VBADMIN" "${A[@]}" config show; keep show.txt
t_is "$RC" 0 "config show exits 0"
t_has "$OUT" "openai/text-embedding-3-small via http://127.0.0.1:$EPORT/v1 (256 dimensions)" "it names the openai model, the server of agent.models.emb and the dim"
t_run "$VBADMIN" "${A[@]}" config show --json; keep show.json
emb() { printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; e=json.load(sys.stdin)["embedding"]; print(e["embedder"], e["registry_name"], e["model"], e["dim"], e["batch_size"], e["base_url"])'; }
t_is "$(emb)" "http openai text-embedding-3-small 256 3 http://127.0.0.1:$EPORT/v1" "config show --json: embedder, registry, model, dim, batch size and base_url of target_model"
t_run "$VBADMIN" "${A[@]}" check --json; keep check.json
emb_step() { printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; s=[s for s in json.load(sys.stdin)["steps"] if s["id"]=="embedding"][0]; print(s["status"]); print(s["message"]); print(s.get("detail") or "")'; }
t_is "$(emb_step | head -1)" ok "check: the embedding step passes"
t_has "$(emb_step)" "openai/text-embedding-3-small via http://127.0.0.1:$EPORT/v1" "and names the model and its server"
t_has "$(emb_step)" "the embedder returns 256 dimensions" "and the dimension the server actually returned"

# ---------------------------------------------------------------- bootstrap and search
t_run "$VBADMIN" "${A[@]}" "${B[@]}" --kb_update_strategy incremental; keep boot.txt
t_is "$RC" 0 "bootstrap through agent.models.emb exits 0"
t_has "$ERR" "embedded with openai/text-embedding-3-small via text-embedding-3-small at http://127.0.0.1:$EPORT/v1/embeddings (256 dimensions)" "the summary names model and server"
t_is "$(rows_md5 | cut -d: -f1)" 7 "7 rows written"
t_is "$(pgq "SELECT DISTINCT vector_dims(vector) FROM semantic_model WHERE namespace = 'datus'")" 256 "256-dimensional vectors"
stats=$(curl -s "http://127.0.0.1:$EPORT/stats"; echo; curl -s "http://127.0.0.1:$EPORT/dimensions")
t_is "$(printf '%s' "$stats" | /usr/bin/python3 -c 'import json,sys; a,b=[json.loads(l) for l in sys.stdin]; print(sorted(a["text-embedding-3-small"]), set(b["text-embedding-3-small"]))')" \
	"[1, 1, 1, 1, 3, 3] {256}" "three one-text probes (check: 2 stores, bootstrap: 1), then the 7 rows in batches of the section's batch_size (3, 3, 1), each request asking for dimensions 256 as Datus does"
/usr/bin/python3 - "$T_TMP/datus.cfg" <<'PY'
import sys
from configparser import ConfigParser
p = ConfigParser()  # datus/storage/storage_cfg.py save_storage_configs
p["semantic_model"] = {"registry_name": "openai", "model_name": "text-embedding-3-small", "dim_size": "256"}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    p.write(f)
PY
# openai-python's embeddings.create (Datus's OpenAIEmbeddings) asks for base64 when its caller
# names no encoding; the server then answers each vector as base64 of little-endian float32s
t_is "$(curl -s "http://127.0.0.1:$EPORT/encodings" | /usr/bin/python3 -c 'import json,sys; print(set(json.load(sys.stdin)["text-embedding-3-small"]))')" \
	"{'base64'}" "every request asks for encoding_format base64, as openai-python does"
t_ok "$(cmp -s "$CFG" "$T_TMP/datus.cfg"; echo $?)" "datus_db.cfg is byte for byte what Datus's ConfigParser writes for openai/text-embedding-3-small/256"

t_run "$VBADMIN" "${A[@]}" search --mode vector --json "Card and wallet payments captured for orders"; keep search.json
t_is "$RC" 0 "vector search exits 0"
t_has "$OUT" '"embedder":"openai/text-embedding-3-small via text-embedding-3-small at http://127.0.0.1:'"$EPORT"'/v1/embeddings (256 dimensions)"' "the JSON names the embedder"
t_is "$(printf '%s' "$OUT" | grep -o '"id":"[^"]*"' | head -1)" '"id":"table:payments"' "the payments table's own words find it first"
t_run "$VBADMIN" "${A[@]}" search --mode hybrid "customers"; keep search.txt
t_is "$RC" 0 "hybrid search exits 0"
t_has "$OUT" "embedder: openai/text-embedding-3-small via text-embedding-3-small at http://127.0.0.1:$EPORT/v1/embeddings (256 dimensions)" "the header names the embedder"

vectors_md5() { pgq "SELECT count(*) || ':' || md5(string_agg(id || vector::text, '|' ORDER BY id)) FROM semantic_model WHERE namespace = 'datus'"; }
vec0=$(vectors_md5)
t_run "$VBADMIN" --config "$T_TMP/target.yml" "${B[@]}" --kb_update_strategy overwrite -y; keep target.txt
t_is "$RC" 0 "without target_model, agent.models[agent.target] serves the model (Datus's default_openai_config)"
t_has "$ERR" "at http://127.0.0.1:$LPORT/v1/embeddings" "and its base_url is used"
t_is "$(vectors_md5)" "$vec0" "a server answering number lists (it ignores encoding_format) gives the same float32 vectors as base64 answers"

# ---------------------------------------------------------------- refusals, nothing written
rows0=$(rows_md5); cfg0=$(md5sum <"$CFG")
unchanged() { t_is "$(rows_md5)|$(md5sum <"$CFG")" "$rows0|$cfg0" "$1: rows and datus_db.cfg unchanged byte for byte"; }

t_run "$VBADMIN" --config "$T_TMP/ignoring.yml" "${B[@]}" --kb_update_strategy incremental; keep dim.txt
t_is "$RC" 1 "a server that ignores \"dimensions\" and returns 384 for a 256 store: refused (exit 1)"
t_has "$ERR" "returns 384-dimensional vectors, not 256" "naming both dimensions"
t_has "$ERR" "nothing was written" "before anything was written"
t_is "$(curl -s "http://127.0.0.1:$IPORT/stats" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["text-embedding-3-small"])')" "[1]" "one probe request, no batch of rows"
unchanged "dimension mismatch"
t_run "$VBADMIN" --config "$T_TMP/ignoring.yml" check --json; keep dimcheck.json
t_is "$(emb_step | head -1)" fail "check: the embedding step fails"
t_has "$(emb_step)" "returns 384-dimensional vectors, not 256" "naming the server's actual dimension"
t_run "$VBADMIN" --config "$T_TMP/ignoring.yml" search --mode vector "payments"; keep dimsearch.txt
t_is "$RC" 1 "vector search with that server: refused"
t_has "$ERR" "returns 384-dimensional vectors, not 256" "for the same reason"

EMB_SECRET=sk-wrong-Zy8Wq3Xv6Tn t_run "$VBADMIN" "${A[@]}" "${B[@]}" --kb_update_strategy incremental
printf '%s\n%s\n' "$OUT" "$ERR" >"$OUTS/wrongkey.txt"
t_is "$RC" 3 "a key the server rejects: exit 3 (cannot connect, as with a refused database password), not 4 (no DBA can fix it)"
t_has "$ERR" "rejected the API key (HTTP 401)" "said plainly"
t_has "$ERR" "Incorrect API key provided: ***" "the server's words are shown, the key it repeats is not"
t_lacks "$ERR" "connection to" "and no talk of a lost database connection"
t_lacks "$(cat "$OUTS/wrongkey.txt")" "sk-wrong-Zy8Wq3Xv6Tn" "the rejected key appears nowhere"
unchanged "rejected key"

( unset EMB_SECRET; "$VBADMIN" "${A[@]}" "${B[@]}" --kb_update_strategy incremental >"$OUTS/unset.txt" 2>&1; echo $? >"$T_TMP/unset.rc" )
t_is "$(cat "$T_TMP/unset.rc")" 2 "\${EMB_SECRET} unset: refused (exit 2)"
t_has "$(cat "$OUTS/unset.txt")" "EMB_SECRET" "naming the variable"
unchanged "unset key"

# ---------------------------------------------------------------- the key is nowhere
t_is "$(grep -rlF "$KEY" "$OUTS" | wc -l)" 0 "the key is in no output or JSON document ($(ls "$OUTS" | wc -l) captured)"
t_is "$(grep -rlF "$KEY" "$T_TMP" --exclude='*.port' --exclude='*.pid' | wc -l)" 0 "nor in any file under the test's HOME, data, state and Datus home"
t_is "$(pgq "SELECT count(*) FROM semantic_model t WHERE position('$KEY' IN t::text) > 0")" 0 "nor in any row"

"${PSQL[@]}" -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1
t_done
