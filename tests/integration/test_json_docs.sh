#!/usr/bin/env bash
# Every --json document against its json-shape block in docs/json.md (tests/integration/
# json_shape.py), on the embedded store and on pgvector: check (also for a config error), extension,
# verify, index plan, advice, search, config show, backends, bootstrap-kb.  A field the program
# writes but the page does not document, or a type that differs, fails here.
. "$(dirname "$0")/lib.sh"
ROOT=$PWD
DOC=$ROOT/docs/json.md
TX=$ROOT/tests/data/metricflow/transactions.yaml
[ -n "${PG17_CONNINFO:-}" ] || { t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh)"; t_done; exit 1; }

shape() { # name file what
	local msg
	msg=$(/usr/bin/python3 "$ROOT/tests/integration/json_shape.py" "$DOC" "$1" "$2" 2>&1)
	t_is "$msg" "" "$3 matches docs/json.md ($1)"
}
j() { # name what command...: runs it, keeps stdout as the document, checks it
	local name=$1 what=$2; shift 2
	"$@" > "$T_TMP/out.json" 2>"$T_TMP/err"
	shape "$name" "$T_TMP/out.json" "$what"
}

host=$(pg_field "$PG17_CONNINFO" host); port=$(pg_field "$PG17_CONNINFO" port)
db=vb_jd_$$
export PGPASSWORD=postgres
PSQL=(psql -X -q -At -h "$host" -p "$port" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null
"${PSQL[@]}" -d "$db" -c "CREATE EXTENSION vector" >/dev/null
trap '"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
printf 'agent:\n  namespace:\n    sr: {type: starrocks, host: 127.0.0.1, port: 9030, database: ssb}\n' > "$T_TMP/emb.yml"
printf 'agent:\n  namespace:\n    sr: {type: starrocks, host: 127.0.0.1, port: 9030, database: ssb}\n    pgv: {type: postgresql, host: %s, port: %s, database: %s, username: postgres}\n  storage:\n    backends:\n      namespace: pgv\n' \
	"$host" "$port" "$db" > "$T_TMP/pgv.yml"
"$VBADMIN" --config "$T_TMP/pgv.yml" ddl render | "${PSQL[@]}" -d "$db" -v ON_ERROR_STOP=1 >/dev/null

for be in embedded pgvector; do
	# vbadmin's offline embedder, chosen explicitly (docs/embeddings.md)
	if [ $be = embedded ]; then C=(--config "$T_TMP/emb.yml" --embedder hashing); else C=(--config "$T_TMP/pgv.yml" --embedder hashing); fi
	V=("$VBADMIN" "${C[@]}")
	j bootstrap "$be: bootstrap-kb --json" "${V[@]}" bootstrap-kb --namespace sr --components semantic_model,metrics \
		--kb_update_strategy incremental --semantic_yaml "$TX" --json
	j bootstrap "$be: bootstrap-kb --json of a failed load" "${V[@]}" bootstrap-kb --namespace sr --components metrics \
		--kb_update_strategy incremental --semantic_yaml "$ROOT/tests/data/datus/metrics_doc_example.yaml" --json
	t_is "$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["exit_code"], d["components"][0]["status"], d["components"][0]["error"].split(": ",1)[1])' "$T_TMP/out.json")" \
		"2 failed No valid objects found to sync" "$be: a failed component says so as Datus's result does"
	j check "$be: check --json" "${V[@]}" --namespace sr check --json
	for mode in vector text hybrid; do
		j search "$be: search --json --mode $mode" "${V[@]}" --namespace sr search --json --mode $mode --table metrics "cancellations"
	done
	j search "$be: search --json --subject-path" "${V[@]}" --namespace sr search --json --table metrics --subject-path 'Metrics/*' "revenue"
	j search "$be: search --json on semantic_model" "${V[@]}" --namespace sr search --json "transaction amount"
	j config "$be: config show --json" "${V[@]}" config show --json
done
P=("$VBADMIN" --config "$T_TMP/pgv.yml" --embedder hashing --namespace sr)
j extension "pgvector: extension --json" "${P[@]}" extension --json
j verify "pgvector: verify --json" "${P[@]}" verify --json
j index "pgvector: index plan --json" "${P[@]}" index plan --json
j advice "advice --json" "$VBADMIN" advice --json
j advice "advice --json VEC-003" "$VBADMIN" advice --json VEC-003
j backends "backends --json" "$VBADMIN" backends --json

# check --json on a config that cannot be read still writes the document
printf 'agent:\n  namespace:\n    a: [unclosed\n' > "$T_TMP/broken.yml"
"$VBADMIN" --config "$T_TMP/broken.yml" check --json > "$T_TMP/out.json" 2>"$T_TMP/err"; rc=$?
t_is "$rc" 2 "check --json on an unreadable config exits 2"
shape check "$T_TMP/out.json" "check --json on an unreadable config"
t_has "$(cat "$T_TMP/out.json")" "broken.yml:" "and its config step names the file and line"
t_done
