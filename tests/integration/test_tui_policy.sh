#!/usr/bin/env bash
# tests/integration/test_tui_policy.sh - the console follows the command line's policy, because
# both call the same engine use case (docs/architecture.md):
#   - DDL apply as a role that may not create the vector extension is refused before anything
#     runs, pointing to the DBA packet, exactly as `vbadmin ddl apply` is (engine_ddl_plan);
#   - Bootstrap into a namespace recorded with another embedding model (the store's record,
#     docs/embeddings.md) is refused with Datus's mismatch message, exactly as `vbadmin
#     bootstrap-kb` is (engine_bootstrap_kb's embedding-model guard), and writes nothing.  The
#     other model runs on the loopback embeddings server (embed_server.py).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
VBADMIN=$(cd "$(dirname "$VBADMIN")" && pwd)/$(basename "$VBADMIN")
SOCK="vbpol$$"
TMUX_CAPTURE=-J # wrapped sentences are compared whole
. "$ROOT/tests/integration/tmux_lib.sh"
DB="vbpol_$$"
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	[ -n "${EPID:-}" ] && kill "$EPID" 2>/dev/null
	[ -n "${PG17_CONNINFO:-}" ] && psql "$PG17_CONNINFO" -X -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$T_TMP"
}
trap cleanup EXIT
[ -n "${PG17_CONNINFO:-}" ] || { t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh)"; t_done; exit 1; }

# start NAME ARGS...: the console in a detached 80x24 session
start() {
	local name=$1 dir="$T_TMP/$1"; shift
	mkdir -p "$dir"
	ln -sf "$ROOT/examples" "$dir/examples"
	local args; printf -v args "'%s' " "$@"
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$name" -x 80 -y 24 \
		"cd '$dir' && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color HOME='$HOME' XDG_DATA_HOME='$XDG_DATA_HOME' \
		 XDG_STATE_HOME='$XDG_STATE_HOME' VBADMIN_PLUGIN_PATH='${VBADMIN_PLUGIN_PATH:-}' ASAN_OPTIONS='${ASAN_OPTIONS:-}' \
		 '$VBADMIN' $args 2>'$T_TMP/$name.err'; sleep 30"
}
# wait_setup SESSION: the wizard's own checks at start have finished (no job is running)
wait_setup() {
	local i=0
	wait_for "$1" "Setup wizard" 30 || return 1
	while screen "$1" | grep -q "Setup wizard: running" && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
	! screen "$1" | grep -q "Setup wizard: running"
}
squeeze() { tr -d ' \n'; }

# ---------------------------------------------------------------- DDL apply as vb_app
psql "$PG17_CONNINFO" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB" -c "GRANT CREATE ON DATABASE $DB TO vb_app" >/dev/null
cat >"$T_TMP/app.yml" <<YML
agent:
  namespace:
    kb:
      type: postgresql
      host: $(pg_field "$PG17_CONNINFO" host)
      port: $(pg_field "$PG17_CONNINFO" port)
      database: $DB
      username: vb_app
      password: vb_app
  storage:
    backends:
      namespace: kb
YML
relations() { psql "$PG17_CONNINFO" -X -qtA -d "$DB" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'" 2>/dev/null || psql "$(printf '%s' "$PG17_CONNINFO" | sed "s/dbname=[^ ]*/dbname=$DB/")" -X -qtA -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"; }
t_run "$VBADMIN" --config "$T_TMP/app.yml" ddl apply --yes
t_is "$RC" 4 "cli: ddl apply as vb_app exits 4 (needs a DBA)"
t_has "$ERR" "may not create it (42501); run \`vbadmin dba-packet\` for the DBA" "cli: and points to the DBA packet"
start d --config "$T_TMP/app.yml"
expect d "VEC-003" "console: the wizard finds that vb_app may not create the extension" 30
keys d 4
expect d "DDL for schema public" "console: 4 opens DDL"
keys d r
expect d "The DBA packet" "console: r is refused before anything runs" 30
t_has "$(screen d | squeeze)" "$(printf '%s' "may not create it (42501); run \`vbadmin dba-packet\` for the DBA" | squeeze)" \
	"console: with the CLI's sentence, pointing to the DBA packet"
t_lacks "$(screen d)" "Apply 2" "console: no apply question was asked"
t_has "$(screen d)" "DDL not applied: needs a DBA" "console: the status line says a DBA is needed"
t_is "$(relations)" 0 "console: nothing ran (no relation in schema public)"
keys d 7
expect d "ddl apply refused" "console: the refusal is in the Log"

# ---------------------------------------------------------------- Bootstrap into another model's namespace
t_run "$VBADMIN" --namespace pol bootstrap-kb --components semantic_model --kb_update_strategy incremental \
	--semantic_yaml "$ROOT/examples/semantic.yaml"
t_is "$RC" 0 "cli: namespace pol filled with the hashing embedder"
/usr/bin/python3 "$ROOT/tests/integration/embed_server.py" --no-auth >"$T_TMP/eport" 2>/dev/null &
EPID=$!
for _ in $(seq 50); do [ -s "$T_TMP/eport" ] && break; sleep 0.1; done
printf 'agent:\n  namespace:\n    pol: {type: sqlite, uri: "sqlite:///pol.db"}\n  storage:\n    vector_backend: embedded\n    semantic_model: {model_name: other-model, dim_size: 384}\n  vbadmin:\n    embedding_endpoints: {other-model: "http://127.0.0.1:%s/v1"}\n' \
	"$(cat "$T_TMP/eport")" >"$T_TMP/other.yml"
sqlite3 "$XDG_DATA_HOME/vbadmin/pol.db" "UPDATE semantic_model SET description = 'marker'"
t_run "$VBADMIN" --config "$T_TMP/other.yml" --namespace pol bootstrap-kb --kb_update_strategy incremental \
	--semantic_yaml "$ROOT/examples/semantic.yaml"
t_is "$RC" 2 "cli: bootstrap with another model exits 2"
t_has "$ERR" "Embedding model configuration mismatch:" "cli: refused with Datus's mismatch message"
t_has "$ERR" "existing='hashing', new='other-model'" "cli: naming both models"
start b --config "$T_TMP/other.yml" --namespace pol
wait_setup b; t_ok $? "console: opens and runs its checks"
keys b 5
expect b "/examples/semantic.yaml" "console: 5 opens Bootstrap with the sample (an absolute path)"
keys b j Enter   # component: semantic_model + metrics -> semantic_model
keys b j Enter   # strategy: check -> incremental
keys b r
expect b "Embedding model configuration mismatch" "console: Bootstrap is refused by the embedding-model guard" 30
t_has "$(screen b)" "failed, nothing was written" "console: says nothing was written"
keys b NPage   # the YAML's warnings come first; the mismatch text follows below them
sleep 0.3
t_has "$(screen b | squeeze)" "existing='hashing',new='other-model'" "console: naming both models as the CLI does"
t_is "$(sqlite3 "$XDG_DATA_HOME/vbadmin/pol.db" "SELECT count(*) FROM semantic_model WHERE description <> 'marker'")" 0 \
	"console: the refused run wrote nothing"
t_has "$(cat "$XDG_DATA_HOME/vbadmin/pol.embedding.cfg")" "registry_name = hashing" "console: the record still names the model that filled it"
t_done
