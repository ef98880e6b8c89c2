#!/usr/bin/env bash
# Embeddings match the knowledge base (issue 13, docs/embeddings.md), with a real
# OpenAI-compatible server on loopback (embed_server.py) and a real PostgreSQL 17 + pgvector:
#   - the configured model runs (Datus's default all-MiniLM-L6-v2 through the server
#     agent.vbadmin.embedding_endpoints names) or vbadmin refuses naming it and how to serve it;
#   - a store Datus filled and recorded (datus_db.cfg written by Python's ConfigParser, as
#     Datus's storage_cfg.save_storage_configs writes it) is never changed - rows and record
#     byte for byte - unless an overwrite is confirmed twice (-y and --replace-model);
#   - search embeds queries with the recorded model; without a server vector and hybrid exit
#     non-zero naming all-MiniLM-L6-v2, and text search answers;
#   - the server's dimension is checked before anything is written;
#   - vbadmin's own store keeps its own record, which never blocks Datus's.
. "$(dirname "$0")/lib.sh"
Y=$PWD/tests/data/kb_small.yaml
[ -n "${PG17_CONNINFO:-}" ] || { t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh)"; t_done; exit 1; }

/usr/bin/python3 tests/integration/embed_server.py >"$T_TMP/port" 2>"$T_TMP/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T_TMP"' EXIT
for _ in $(seq 50); do [ -s "$T_TMP/port" ] && break; sleep 0.1; done
EPORT=$(cat "$T_TMP/port")
t_ok "$([ -n "$EPORT" ]; echo $?)" "embeddings server listening on 127.0.0.1:$EPORT"
export EMB_KEY=test-key

EMB_DB_PREFIX=vb_emb
. "$(dirname "$0")/embed_lib.sh"
# the whole of a namespace's rows, vectors included, as one digest
rows_md5() { pgq "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY id)), '-') FROM $1 t WHERE namespace = 'datus'"; }

# Datus's agent.yml: PostgreSQL storage, no embedding section (Datus's default model)
datus_yml() { # file [endpoints-block]
	{ datus_home_yml; datus_store_yml; } >"$1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" >>"$1"
}
SERVED=$(printf '  vbadmin:\n    embedding_endpoints:\n      all-MiniLM-L6-v2: {base_url: "http://127.0.0.1:%s/v1", api_key: "${EMB_KEY}"}' "$EPORT")
datus_yml "$T_TMP/served.yml" "$SERVED"
datus_yml "$T_TMP/unserved.yml"
"$VBADMIN" --config "$T_TMP/unserved.yml" ddl render | "${PSQL[@]}" -d "$db" -v ON_ERROR_STOP=1 >/dev/null
t_ok $? "DDL applied"
B=(bootstrap-kb --components semantic_model --semantic_yaml "$Y")

# ---------------------------------------------------------------- the configured model runs
t_run "$VBADMIN" --config "$T_TMP/served.yml" "${B[@]}" --kb_update_strategy incremental
t_is "$RC" 0 "Datus's default model through the configured server: bootstrap exits 0"
t_has "$ERR" "embedded with sentence-transformers/all-MiniLM-L6-v2 via" "the summary names the model and the server"
t_is "$(rows_md5 semantic_model | cut -d: -f1)" 7 "7 rows written"
t_is "$(pgq "SELECT vector_dims(vector) FROM semantic_model WHERE namespace='datus' LIMIT 1")" 384 "384-dimensional vectors from the server"
# Datus's own writer for the record, to compare byte for byte
/usr/bin/python3 - "$T_TMP/datus.cfg" <<'PY'
import sys
from configparser import ConfigParser
p = ConfigParser()  # datus/storage/storage_cfg.py save_storage_configs
p["semantic_model"] = {"registry_name": "sentence-transformers", "model_name": "all-MiniLM-L6-v2", "dim_size": "384"}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    p.write(f)
PY
t_ok "$(cmp -s "$CFG" "$T_TMP/datus.cfg"; echo $?)" "datus_db.cfg is byte for byte what Datus's ConfigParser writes for that model"
t_is "$(curl -s "http://127.0.0.1:$EPORT/stats" | /usr/bin/python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)["all-MiniLM-L6-v2"]))')" "[1, 7]" "one probe request, then the rows in one batch"

# From here the store is Datus's: its record written by Datus's code path.
cp "$T_TMP/datus.cfg" "$CFG"
rows0=$(rows_md5 semantic_model); cfg0=$(md5sum <"$CFG")
unchanged() { # name
	t_is "$(rows_md5 semantic_model)|$(md5sum <"$CFG")" "$rows0|$cfg0" "$1: rows and datus_db.cfg unchanged byte for byte"
}

# ---------------------------------------------------------------- not served: refused, named
t_run "$VBADMIN" --config "$T_TMP/unserved.yml" "${B[@]}" --kb_update_strategy incremental
t_is "$RC" 1 "no server for all-MiniLM-L6-v2: bootstrap refused (exit 1)"
t_has "$ERR" "sentence-transformers/all-MiniLM-L6-v2 (384 dimensions) for [semantic_model] cannot run" "names the model"
t_has "$ERR" "embedding_endpoints: {all-MiniLM-L6-v2: http://127.0.0.1:8080/v1}" "and how to serve and configure it"
unchanged "refused bootstrap"

t_run "$VBADMIN" --config "$T_TMP/unserved.yml" --embedder hashing "${B[@]}" --kb_update_strategy incremental
t_is "$RC" 2 "--embedder hashing into the Datus store: incremental refused (exit 2)"
t_has "$ERR" "Embedding model configuration mismatch:" "with Datus's message"
t_has "$ERR" "existing='all-MiniLM-L6-v2', new='hashing'" "naming both models"
unchanged "refused incremental"

t_run "$VBADMIN" --config "$T_TMP/unserved.yml" --embedder hashing "${B[@]}" --kb_update_strategy overwrite -y
t_is "$RC" 1 "overwrite -y alone does not replace the recorded model (exit 1)"
t_has "$ERR" "Datus, which searches it with the recorded model, will not be able to search what vbadmin writes" "the refusal warns about Datus"
t_has "$ERR" "--replace-model" "and names the separate confirmation"
unchanged "overwrite without --replace-model"

# ---------------------------------------------------------------- search uses the recorded model
for mode in vector hybrid; do
	t_run "$VBADMIN" --config "$T_TMP/unserved.yml" search --mode $mode "payments"
	t_is "$RC" 1 "$mode search without a server exits 1"
	t_has "$ERR" "all-MiniLM-L6-v2" "$mode: names the model"
	t_has "$ERR" "text-embeddings-inference" "$mode: says how to serve it"
done
t_run "$VBADMIN" --config "$T_TMP/unserved.yml" search --mode text "payments"
t_is "$RC" 0 "text search answers without a server"
t_has "$OUT" "table:payments" "text search finds the table"
t_has "$OUT" "embedder: sentence-transformers/all-MiniLM-L6-v2 (384 dimensions): not served (not used by text search)" "the header says which model the store needs"
t_run "$VBADMIN" --config "$T_TMP/unserved.yml" --embedder hashing search --mode vector "payments"
t_is "$RC" 1 "--embedder hashing cannot search a store filled with all-MiniLM-L6-v2"
t_has "$ERR" "must be embedded with that model, not with --embedder hashing" "said plainly"
t_run "$VBADMIN" --config "$T_TMP/served.yml" search --mode vector --json "Card and wallet payments captured for orders"
t_is "$RC" 0 "with the server: vector search exits 0"
t_has "$OUT" '"embedder":"sentence-transformers/all-MiniLM-L6-v2 via' "the JSON names the embedder"
t_is "$(printf '%s' "$OUT" | grep -o '"id":"[^"]*"' | head -1)" '"id":"table:payments"' "the payments table's own words find it first"
unchanged "searches"

# ---------------------------------------------------------------- check's embedding step
t_run "$VBADMIN" --config "$T_TMP/served.yml" check --json
emb_step() { printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; s=[s for s in json.load(sys.stdin)["steps"] if s["id"]=="embedding"][0]; print(s["status"]); print(s["message"]); print(s.get("detail") or ""); print(s.get("fix") or "")'; }
t_is "$(emb_step | head -1)" ok "check, served: the embedding step passes"
t_has "$(emb_step)" "sentence-transformers/all-MiniLM-L6-v2 via http://127.0.0.1:$EPORT/v1" "it names the configured model and its server"
t_has "$(emb_step)" "recorded: sentence-transformers/all-MiniLM-L6-v2, 384 dimensions ($CFG)" "the recorded model and where"
t_has "$(emb_step)" "the embedder returns 384 dimensions" "and the dimension the server actually returns"
t_run "$VBADMIN" --config "$T_TMP/unserved.yml" check --json
t_is "$RC" 1 "check, not served: exit 1"
t_is "$(emb_step | head -1)" fail "the embedding step fails"
t_has "$(emb_step)" "all-MiniLM-L6-v2" "naming the model"
t_has "$(emb_step)" "text-embeddings-inference --model-id sentence-transformers/all-MiniLM-L6-v2" "with how to serve Datus's default model locally"
unchanged "check"

# ---------------------------------------------------------------- the dimension before any write
WRONG=$(printf '  vbadmin:\n    embedding_endpoints:\n      all-MiniLM-L6-v2: {base_url: "http://127.0.0.1:%s/v1", model: "wrongdim:384", api_key: "${EMB_KEY}"}' "$EPORT")
datus_yml "$T_TMP/wrong.yml" "$WRONG"
t_run "$VBADMIN" --config "$T_TMP/wrong.yml" "${B[@]}" --kb_update_strategy overwrite -y
t_is "$RC" 1 "a server returning 385 dimensions for a 384 store: refused"
t_has "$ERR" "returns 385-dimensional vectors, not 384" "naming both dimensions"
t_has "$ERR" "nothing was written" "before anything was written"
unchanged "wrong dimension"
t_run "$VBADMIN" --config "$T_TMP/wrong.yml" check --json
t_has "$(emb_step)" "returns 385-dimensional vectors, not 384" "check names the server's actual dimension"

# ---------------------------------------------------------------- NaN/Infinity and control characters (issue 14.8)
# A broken server that sends 1e39 (Infinity as float32): the embedded store stored it and ranked it
# first while pgvector refused it with exit 2; now both refuse it before anything is written.
HUGE=$(printf '  vbadmin:\n    embedding_endpoints:\n      all-MiniLM-L6-v2: {base_url: "http://127.0.0.1:%s/v1", model: "huge:384", api_key: "${EMB_KEY}"}' "$EPORT")
datus_yml "$T_TMP/huge.yml" "$HUGE"
t_run "$VBADMIN" --config "$T_TMP/huge.yml" "${B[@]}" --kb_update_strategy overwrite -y
t_is "$RC" 1 "pgvector: a server returning Infinity: refused with exit 1"
t_has "$ERR" "the embedder returned Infinity in dimension 2 of the vector for text 1" "pgvector: the message names Infinity, the dimension and the text"
unchanged "Infinity from the server"
mkdir -p "$T_TMP/hugedir"
printf '%s\n    data_dir: %s\n' "$(cat "$T_TMP/huge.yml")" "$T_TMP/hugedir" >"$T_TMP/huge_emb.yml"
t_run "$VBADMIN" --config "$T_TMP/huge_emb.yml" --backend embedded "${B[@]}" --kb_update_strategy overwrite -y
t_is "$RC" 1 "embedded: a server returning Infinity: refused with exit 1, as on pgvector"
t_has "$ERR" "the embedder returned Infinity in dimension 2" "embedded: the same message"
t_is "$(sqlite3 "$T_TMP/hugedir/datus.db" "SELECT count(*) FROM semantic_model" 2>/dev/null || echo 0)" 0 "embedded: no row was written"
t_ok "$([ ! -e "$T_TMP/hugedir/datus.embedding.cfg" ]; echo $?)" "embedded: and no model was recorded"
# a model name with a line break would write sections of its own into datus_db.cfg
{
	datus_home_yml
	datus_store_yml
	cat <<YML
    semantic_model: {registry_name: sentence-transformers, model_name: "all-MiniLM-L6-v2\n[metric]\nmodel_name = evil", dim_size: 384}
$SERVED
YML
} >"$T_TMP/nl.yml"
t_run "$VBADMIN" --config "$T_TMP/nl.yml" "${B[@]}" --kb_update_strategy overwrite -y --replace-model
t_is "$RC" 2 "a model_name with a line break: exit 2"
t_has "$ERR" "the embedding model_name of [semantic_model] holds a control character (a line break?) at byte 17" "names the field and the byte"
unchanged "a model name with a line break"
t_lacks "$(cat "$CFG")" "evil" "datus_db.cfg gained no injected section"
for cmd in "config show" "check" "search payments"; do
	t_run "$VBADMIN" --config "$T_TMP/nl.yml" $cmd
	t_lacks "$OUT$ERR" $'\n[metric]' "$cmd: the line break is not printed raw (no injected line)"
done

# ---------------------------------------------------------------- vbadmin's own records
mkdir -p "$T_TMP/scratch"
printf '%s\n  vbadmin:\n    data_dir: %s\n' "$(cat "$T_TMP/unserved.yml")" "$T_TMP/scratch" >"$T_TMP/scratch.yml"
t_run "$VBADMIN" --config "$T_TMP/scratch.yml" --backend embedded --embedder hashing "${B[@]}" --kb_update_strategy overwrite -y
t_is "$RC" 0 "a throwaway embedded store with --embedder hashing: exit 0"
t_has "$ERR" "embedded with hashing (built in, 384 dimensions; chosen by --embedder hashing)" "the summary names hashing"
t_has "$(cat "$T_TMP/scratch/datus.embedding.cfg")" "registry_name = hashing" "recorded next to the throwaway store"
unchanged "a bootstrap of vbadmin's own store"
t_run "$VBADMIN" --config "$T_TMP/served.yml" "${B[@]}" --kb_update_strategy incremental
t_is "$RC" 0 "vbadmin's own hashing record does not block Datus's store"

# ---------------------------------------------------------------- vbadmin's embedded store, same rules
# An embedded store filled with all-MiniLM-L6-v2 through the server keeps its record next to it
# (<data dir>/<namespace>.embedding.cfg) and is kept exactly as Datus's store above.
mkdir -p "$T_TMP/embstore"
datus_yml "$T_TMP/emb_served.yml" "$SERVED"
printf '    data_dir: %s\n' "$T_TMP/embstore" >>"$T_TMP/emb_served.yml"
datus_yml "$T_TMP/emb_unserved.yml" "$(printf '  vbadmin:\n    data_dir: %s' "$T_TMP/embstore")"
E=(--backend embedded)
t_run "$VBADMIN" --config "$T_TMP/emb_served.yml" "${E[@]}" "${B[@]}" --kb_update_strategy overwrite -y
t_is "$RC" 0 "embedded store: filled with all-MiniLM-L6-v2 through the server"
ECFG=$T_TMP/embstore/datus.embedding.cfg
t_is "$(cat "$ECFG")" $'[semantic_model]\nregistry_name = sentence-transformers\nmodel_name = all-MiniLM-L6-v2\ndim_size = 384' \
	"embedded store: the model recorded next to it"
emb_snap() { sqlite3 "$T_TMP/embstore/datus.db" ".dump semantic_model" | md5sum; md5sum <"$ECFG"; }
t_is "$(sqlite3 "$T_TMP/embstore/datus.db" "SELECT count(*) FROM semantic_model")" 7 "embedded store: 7 rows"
e0=$(emb_snap)
for mode in vector hybrid; do
	t_run "$VBADMIN" --config "$T_TMP/emb_unserved.yml" "${E[@]}" search --mode $mode "payments"
	t_is "$RC" 1 "embedded store, no server: $mode search exits 1"
	t_has "$ERR" "all-MiniLM-L6-v2" "embedded store: $mode names the model"
done
t_run "$VBADMIN" --config "$T_TMP/emb_unserved.yml" "${E[@]}" search --mode text "payments"
t_is "$RC" 0 "embedded store, no server: text search answers"
t_has "$OUT" "table:payments" "embedded store: text search finds the table"
t_run "$VBADMIN" --config "$T_TMP/emb_unserved.yml" "${E[@]}" --embedder hashing "${B[@]}" --kb_update_strategy incremental
t_is "$RC" 2 "embedded store: --embedder hashing incremental refused (exit 2)"
t_has "$ERR" "existing='all-MiniLM-L6-v2', new='hashing'" "embedded store: naming both models"
t_run "$VBADMIN" --config "$T_TMP/emb_unserved.yml" "${E[@]}" --embedder hashing "${B[@]}" --kb_update_strategy overwrite -y
t_is "$RC" 1 "embedded store: overwrite -y alone refused (exit 1)"
t_has "$ERR" "--replace-model" "embedded store: naming the separate confirmation"
t_run "$VBADMIN" --config "$T_TMP/emb_unserved.yml" "${E[@]}" "${B[@]}" --kb_update_strategy incremental
t_is "$RC" 1 "embedded store, no server: bootstrap refused (exit 1)"
t_is "$(emb_snap)" "$e0" "embedded store: rows and record unchanged byte for byte"
t_run "$VBADMIN" --config "$T_TMP/emb_unserved.yml" "${E[@]}" --embedder hashing "${B[@]}" --kb_update_strategy overwrite -y --replace-model
t_is "$RC" 0 "embedded store: overwrite -y --replace-model replaces the model"
t_has "$(cat "$ECFG")" "registry_name = hashing" "embedded store: and records the model that produced the vectors"

# ---------------------------------------------------------------- interrupted replacement
# Confirmed twice but interrupted mid-load (Ctrl-C while a lock held by another session keeps the
# overwrite's statement waiting): the transaction rolls back, so the rows stay Datus's and so does
# the record of their model, byte for byte (it is written only once the new vectors are committed).
rows0=$(rows_md5 semantic_model); cfg0=$(md5sum <"$CFG")  # after the served incremental above
wait_for() { # sql want seconds
	for _ in $(seq 1 $(($3 * 20))); do [ "$(pgq "$1" | tail -n 1)" -ge "$2" ] 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
PGAPPNAME=vbtest_lock pgq "BEGIN; LOCK TABLE semantic_model IN SHARE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null 2>&1 &
LOCKP=$!
wait_for "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'vbtest_lock' AND l.granted AND l.mode = 'ShareLock'" 1 20
env --default-signal=INT "$VBADMIN" --config "$T_TMP/unserved.yml" --embedder hashing "${B[@]}" --kb_update_strategy overwrite -y --replace-model >/dev/null 2>"$T_TMP/int.err" &
VP=$!
wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vbadmin' AND wait_event_type = 'Lock'" 1 20
t_has "$(cat "$CFG")" "model_name = all-MiniLM-L6-v2" "mid-load, datus_db.cfg still names the model of the rows there (it is written after the COMMIT)"
kill -INT "$VP"; wait "$VP"; RC=$?
pgq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vbtest_lock'" >/dev/null
wait "$LOCKP" 2>/dev/null
t_is "$RC" 130 "Ctrl-C during the replacement: exit 130"
t_has "$(cat "$T_TMP/int.err")" "nothing was changed" "it says nothing was changed"
unchanged "an interrupted replacement"

# The record is written only once the vectors it names are committed (issue 14): an overwrite to
# another model killed mid-transaction (here: waiting for a write lock another process holds)
# leaves the old rows and the old record, never a record naming vectors that are not there.
SDB=$T_TMP/scratch/datus.db; SREC=$T_TMP/scratch/datus.embedding.cfg
rec0=$(md5sum <"$SREC"); srows0=$(sqlite3 "$SDB" "SELECT count(*), md5 FROM (SELECT group_concat(id) AS md5 FROM semantic_model)" 2>&1)
/usr/bin/python3 -c 'import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute("BEGIN IMMEDIATE"); print("locked", flush=True); time.sleep(30)' "$SDB" >"$T_TMP/lock.out" &
LOCKER=$!
for _ in $(seq 50); do [ -s "$T_TMP/lock.out" ] && break; sleep 0.1; done
printf '%s\n    data_dir: %s\n' "$(cat "$T_TMP/served.yml")" "$T_TMP/scratch" >"$T_TMP/scratch_served.yml"
"$VBADMIN" --config "$T_TMP/scratch_served.yml" --backend embedded "${B[@]}" --kb_update_strategy overwrite -y --replace-model >/dev/null 2>"$T_TMP/killed.err" & VP=$!
sleep 2.5; kill -KILL $VP 2>/dev/null; wait $VP; krc=$?
kill $LOCKER 2>/dev/null; wait $LOCKER 2>/dev/null
t_is "$krc" 137 "record after commit: the overwrite to another model was killed mid-transaction"
t_is "$(sqlite3 "$SDB" "SELECT count(*), md5 FROM (SELECT group_concat(id) AS md5 FROM semantic_model)" 2>&1)" "$srows0" "record after commit: the old rows are intact"
t_is "$(md5sum <"$SREC")" "$rec0" "record after commit: the record still names the old model (hashing), byte for byte"
t_is "$(ls "$T_TMP/scratch" | grep -c 'embedding.cfg.')" 0 "record after commit: no temp file of the record is left"
t_run "$VBADMIN" --config "$T_TMP/scratch_served.yml" --backend embedded "${B[@]}" --kb_update_strategy overwrite -y --replace-model
t_is "$RC" 0 "record after commit: the same overwrite, not killed, exits 0"
t_has "$(cat "$SREC")" "model_name = all-MiniLM-L6-v2" "record after commit: and then records the new model"
t_is "$(stat -c %a "$SREC")" 600 "record after commit: the record is 0600"

# ---------------------------------------------------------------- confirmed replacement
# At a terminal the separate confirmation is a question (util-linux script(1) gives the run a
# terminal): only the typed word 'replace' goes on; --replace-model is the same for scripts (the
# embedded store above).
tty_run() { # input command...
	printf '%s\n' "$1" | script -qec "$(printf '%q ' "${@:2}")" /dev/null >"$T_TMP/tty.out" 2>&1
}
tty_run yes "$VBADMIN" --config "$T_TMP/unserved.yml" --embedder hashing "${B[@]}" --kb_update_strategy overwrite -y
t_is "$?" 1 "at a terminal, answering 'yes' to the model question: refused (exit 1)"
t_has "$(cat "$T_TMP/tty.out")" "Type 'replace' to replace the model anyway" "the separate question is asked"
t_has "$(cat "$T_TMP/tty.out")" "will not be able to search what vbadmin writes" "after the warning about Datus"
unchanged "a confirmation that was not 'replace'"
tty_run replace "$VBADMIN" --config "$T_TMP/unserved.yml" --embedder hashing "${B[@]}" --kb_update_strategy overwrite -y
t_is "$?" 0 "typing 'replace' replaces the model"
t_is "$(cat "$CFG")" $'[semantic_model]\nregistry_name = hashing\nmodel_name = hashing\ndim_size = 384' "datus_db.cfg records the model that produced the vectors"
t_run "$VBADMIN" --config "$T_TMP/unserved.yml" --embedder hashing search --mode vector "payments"
t_is "$RC" 0 "the store now searches with its recorded model (hashing)"
t_has "$OUT" "embedder: hashing (built in, 384 dimensions; chosen by --embedder hashing)" "named in the header"

kill $SERVER 2>/dev/null
"${PSQL[@]}" -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1
t_done
