#!/usr/bin/env bash
# tests/integration/test_config_cli.sh - `vbadmin config show [--json]` on real files: discovery,
# masking, --namespace / --backend, and exit code 2 plus the message for each bad input.
# A marker password is used throughout and must never appear in any output.
. "$(dirname "$0")/lib.sh"
case $VBADMIN in /*) ;; *) VBADMIN=$PWD/$VBADMIN ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
unset VBADMIN_CONFIG VBADMIN_DATA_DIR
MARK='Mk7-SECRET-pw-42'
ALL="$T_TMP/all-output"
: >"$ALL"
run() { t_run "$@"; printf '%s\n%s\n' "$OUT" "$ERR" >>"$ALL"; }
json_get() { # json, python expression on d
	printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)" 2>&1
}

W="$T_TMP/w"
mkdir -p "$W/empty" "$W/cwd" "$W/conf/conf"
cd "$W/empty" || exit 1

# --- no file at all: the embedded default ---
run "$VBADMIN" config show
t_is "$RC" 0 "no config: exit 0"
t_has "$OUT" "config file:   none: embedded default" "no config: says embedded default"
t_has "$OUT" "backend:       embedded (default: no agent.yml, vbadmin's embedded store)" "no config: embedded backend, reason"
t_has "$OUT" "dim:           384" "no config: default dim"
t_has "$OUT" "embedder:      hashing (built in, 384 dimensions; chosen by no agent.yml)" "no config: the hashing embedder is named, and why it runs"
t_has "$OUT" "data dir:      $XDG_DATA_HOME/vbadmin (from \$XDG_DATA_HOME)" "no config: data dir from \$XDG_DATA_HOME"
run "$VBADMIN" config show --json
t_is "$RC" 0 "no config --json: exit 0"
t_is "$(json_get "$OUT" 'd["config_file"], d["config_source"], d["resolved"]["backend"], d["resolved"]["namespace"]')" \
	"None none embedded default" "no config --json: file null, embedded, namespace default"
t_is "$(json_get "$OUT" 'd["embedding"]["embedder"], d["embedding"]["dim"], d["embedding"]["api_key"]')" \
	"hashing 384 (unset)" "no config --json: embedding defaults, api key (unset)"

# --- a full config with secrets ---
cat >"$W/full.yml" <<'EOF'
agent:
  home: ~/datus-home
  namespace:
    pgns:
      type: postgresql
      host: ${CFG_HOST}
      port: 5433
      database: kb
      username: app
      password: ${CFG_PW}
      schema: vec
      sslmode: disable
    multi:
      type: postgres
      host: shared
      dbs:
        - name: one
          database: d1
        - name: two
          database: d2
          password: Mk7-SECRET-pw-42
  storage:
    backends:
      namespace: pgns
    semantic_model:
      registry_name: openai
      model_name: text-embedding-3-small
      dim_size: 1536
      batch_size: 16
      base_url: http://127.0.0.1:9/v1
      api_key: ${CFG_KEY}
  vbadmin:
    data_dir: /srv/vb
EOF
export CFG_HOST=db.example CFG_PW="$MARK" CFG_KEY="sk-$MARK"
run "$VBADMIN" --config "$W/full.yml" config show
t_is "$RC" 0 "full config: exit 0"
t_has "$OUT" "config file:   $W/full.yml (found via --config)" "full: file and how it was found"
t_has "$OUT" "backend:       pgvector (storage namespace type postgresql)" "full: pgvector from the storage namespace"
t_has "$OUT" "host:          db.example" "full: \${CFG_HOST} substituted"
t_has "$OUT" "port:          5433" "full: port"
t_has "$OUT" "database:      kb" "full: database"
t_has "$OUT" "user:          app" "full: user"
t_has "$OUT" "password:      ********" "full: password masked"
t_has "$OUT" "schema:        vec" "full: schema"
t_has "$OUT" "sslmode:       disable" "full: sslmode"
t_has "$OUT" "embedder:      openai" "full: openai embedder"
t_has "$OUT" "dim:           1536" "full: dim"
t_has "$OUT" "api key:       ********" "full: api key masked"
t_has "$OUT" "data dir:      /srv/vb (from agent.vbadmin.data_dir)" "full: data dir from the file"
t_has "$OUT" "home:          $HOME/datus-home" "full: home with ~ expanded"
t_has "$OUT" "two              postgres" "full: named entries listed"

run "$VBADMIN" --config "$W/full.yml" config show --json
t_is "$RC" 0 "full --json: exit 0"
t_is "$(json_get "$OUT" 'd["resolved"]["backend"], d["resolved"]["host"], d["resolved"]["port"], d["resolved"]["user"], d["resolved"]["password"]')" \
	"pgvector db.example 5433 app ********" "full --json: resolved connection, password masked"
t_is "$(json_get "$OUT" '[db["password"] for ns in d["namespaces"] for db in ns["dbs"]]')" \
	"['********', '(unset)', '********']" "full --json: every entry's password masked or (unset)"
t_is "$(json_get "$OUT" 'd["embedding"]["api_key"], d["embedding"]["model"], d["embedding"]["batch_size"]')" \
	"******** text-embedding-3-small 16" "full --json: embedding, api key masked"
t_is "$(json_get "$OUT" 'd["storage"]["namespace"], d["namespace_key"], d["data_dir"]')" \
	"pgns namespace /srv/vb" "full --json: storage, key, data dir"

run "$VBADMIN" --config "$W/full.yml" --namespace multi config show --json
t_is "$(json_get "$OUT" 'd["resolved"]["namespace"], d["resolved"]["host"]')" "multi db.example" \
	"--namespace sets the row namespace; connection stays on the storage namespace"
run "$VBADMIN" --config "$W/full.yml" --backend embedded config show
t_has "$OUT" "backend:       embedded (--backend)" "--backend override shown with its source"

run "$VBADMIN" --config "$W/full.yml" --namespace nosuch config show
t_is "$RC" 2 "unknown --namespace: exit 2"
t_has "$ERR" "namespace 'nosuch' is not in $W/full.yml; namespaces there: pgns, multi" "unknown --namespace: lists namespaces"

# --- the newer key names ---
cat >"$W/ds.yml" <<'EOF'
agent:
  datasources:
    warehouse:
      type: postgresql
      host: dwh
  storage:
    backends:
      vector:
        namespace: warehouse
EOF
run "$VBADMIN" --config "$W/ds.yml" config show
t_is "$RC" 0 "datasources key: exit 0"
t_has "$OUT" "namespaces (under agent.datasources):" "datasources key named"
t_has "$OUT" "host:          dwh" "datasources: connection resolved"

# --- discovery ---
printf 'agent:\n  namespace:\n    fromhome:\n      type: postgresql\n' >"$T_TMP/h.yml"
mkdir -p "$HOME/.datus/conf" && cp "$T_TMP/h.yml" "$HOME/.datus/conf/agent.yml"
cd "$W/empty" && run "$VBADMIN" config show
t_has "$OUT" "(found via ~/.datus/conf/agent.yml)" "discovery: ~/.datus/conf/agent.yml"
cp "$W/ds.yml" "$W/conf/conf/agent.yml"
cd "$W/conf" && run "$VBADMIN" config show
t_has "$OUT" "config file:   conf/agent.yml (found via ./conf/agent.yml)" "discovery: ./conf/agent.yml beats home"
cp "$W/ds.yml" "$W/conf/agent.yml"
run "$VBADMIN" config show
t_has "$OUT" "(found via ./agent.yml)" "discovery: ./agent.yml beats ./conf/agent.yml"
VBADMIN_CONFIG="$W/full.yml" run "$VBADMIN" config show
t_has "$OUT" "(found via \$VBADMIN_CONFIG)" "discovery: \$VBADMIN_CONFIG beats ./agent.yml"
VBADMIN_CONFIG="$W/missing.yml" run "$VBADMIN" config show
t_is "$RC" 2 "missing \$VBADMIN_CONFIG file: exit 2"
t_has "$ERR" "$W/missing.yml (from \$VBADMIN_CONFIG) does not exist" "missing \$VBADMIN_CONFIG file: named"
rm -f "$HOME/.datus/conf/agent.yml"
cd "$W/empty" || exit 1

# --- ./.env fills ${VAR} like Datus's python-dotenv ---
mkdir -p "$W/dot"
printf 'CFG_DOT_HOST=dot.example\nCFG_DOT_PW="%s"\n' "$MARK" >"$W/dot/.env"
printf 'agent:\n  namespace:\n    pg:\n      type: postgresql\n      host: ${CFG_DOT_HOST}\n      password: ${CFG_DOT_PW}\n  storage:\n    backends:\n      namespace: pg\n' >"$W/dot/agent.yml"
cd "$W/dot" && run "$VBADMIN" config show
t_is "$RC" 0 ".env: exit 0"
t_has "$OUT" "env file:      ./.env" ".env: shown as used"
t_has "$OUT" "host:          dot.example" ".env: value substituted"
t_has "$OUT" "password:      ********" ".env: password masked"
printf 'CFG_DOT_HOST=x\nnot a pair\n' >"$W/dot/.env"
run "$VBADMIN" config show
t_is "$RC" 2 "malformed .env: exit 2"
t_has "$ERR" ".env:2: expected NAME=VALUE" "malformed .env: file:line"
cd "$W/empty" || exit 1

run "$VBADMIN" --config "$W/nope.yml" config show
t_is "$RC" 2 "missing --config file: exit 2"
t_has "$ERR" "config file $W/nope.yml (from --config) does not exist" "missing --config file: named"

# --- bad input: exit 2, file:line[:column] and the problem ---
bad() { # name, line-prefix-suffix, needle, yaml
	local f="$W/bad-$1.yml"
	printf '%s' "$4" >"$f"
	run "$VBADMIN" --config "$f" config show
	t_is "$RC" 2 "$1: exit 2"
	t_has "$ERR" "$f:$2" "$1: names $f:$2"
	t_has "$ERR" "$3" "$1: says '$3'"
	t_lacks "$OUT" "config file:" "$1: no report printed"
}
bad syntax 5:6: "YAML syntax error" $'agent:\n  namespace:\n    pg:\n      type: postgresql\n     host: x\n'
bad type 4:13: "unknown database type 'mongo' in agent.namespace.pg.type; accepted: postgresql, postgres" \
	$'agent:\n  namespace:\n    pg:\n      type: mongo\n'
bad port-nan 5:13: "agent.namespace.pg.port 'fivefour' is not a number" \
	$'agent:\n  namespace:\n    pg:\n      type: postgresql\n      port: fivefour\n      password: Mk7-SECRET-pw-42\n'
bad port-range 5:13: "agent.namespace.pg.port 65536 is out of range 1..65535" \
	$'agent:\n  namespace:\n    pg:\n      type: postgresql\n      port: 65536\n'
# unset ${VAR}: Datus resolves lazily (agent_config.py resolve_env leaves <MISSING:VAR>), so only
# a command that uses the namespace fails; config show marks the entry
unset CFG_UNSET_VAR
printf 'agent:\n  namespace:\n    pg:\n      type: postgresql\n      password: ${CFG_UNSET_VAR}\n    other:\n      type: postgresql\n' >"$W/unset-var.yml"
run "$VBADMIN" --config "$W/unset-var.yml" config show
t_is "$RC" 0 "unset-var in an unused namespace: config show exits 0"
t_has "$OUT" 'unset: ${CFG_UNSET_VAR} (password, line 5)' "unset-var: config show marks the entry"
t_has "$OUT" "$W/unset-var.yml:5: \${CFG_UNSET_VAR} is not set (agent.namespace.pg.password)" "unset-var: warning names file:line"
run "$VBADMIN" --config "$W/unset-var.yml" --namespace other config show
t_is "$RC" 0 "unset-var: a command on another namespace runs"
run "$VBADMIN" --config "$W/unset-var.yml" --namespace pg config show
t_is "$RC" 0 "unset-var: config show on that namespace still shows it"
t_has "$OUT" "verify, ddl, dba-packet, index, bootstrap-kb and search refuse (exit 2)" "unset-var: config show says which commands refuse"
run "$VBADMIN" --config "$W/unset-var.yml" --namespace pg verify
t_is "$RC" 2 "unset-var: a command on that namespace exits 2"
t_has "$OUT" "$W/unset-var.yml:5: environment variable CFG_UNSET_VAR is not set (used by agent.namespace.pg.password), and this command uses namespace 'pg'" "unset-var: the error names file:line, variable, field and namespace"
run "$VBADMIN" --config "$W/unset-var.yml" config show --json
t_is "$(json_get "$OUT" 'd["namespaces"][0]["dbs"][0]["unset"][0]["var"], d["namespaces"][0]["dbs"][0]["unset"][0]["line"]')" \
	"CFG_UNSET_VAR 5" "unset-var --json: the entry's unset list"
# the storage namespace itself unset: config show still reports everything, masked, and marks it
printf 'agent:\n  namespace:\n    pg:\n      type: postgresql\n      host: ${CFG_UNSET_VAR}\n      password: Mk7-SECRET-pw-42\n  storage:\n    backends:\n      namespace: pg\n' >"$W/unset-storage.yml"
run "$VBADMIN" --config "$W/unset-storage.yml" config show
t_is "$RC" 0 "unset storage namespace: config show exits 0"
t_has "$OUT" 'unset: ${CFG_UNSET_VAR} (host, line 5)' "unset storage namespace: the entry is marked"
t_has "$OUT" 'unset:         ${CFG_UNSET_VAR} (host, line 5): shown as its default' "unset storage namespace: the resolved connection is marked"
t_has "$OUT" "check, extension, verify" "unset storage namespace: says which commands refuse"
t_has "$OUT" "environment variable CFG_UNSET_VAR is not set (used by agent.namespace.pg.host)" "unset storage namespace: ... and why"
t_lacks "$OUT" "Mk7-SECRET" "unset storage namespace: the password stays masked"
run "$VBADMIN" --config "$W/unset-storage.yml" config show --json
t_is "$RC" 0 "unset storage namespace --json: exits 0"
t_is "$(json_get "$OUT" 'd["resolved"]["namespace"], d["resolved"]["password"], d["resolved"]["unset"][0]["var"], "CFG_UNSET_VAR is not set" in d["refused"]["message"]')" \
	"pg ******** CFG_UNSET_VAR True" "unset storage namespace --json: resolved, masked, unset and refused"
t_lacks "$OUT" "Mk7-SECRET" "unset storage namespace --json: the password stays masked"
run "$VBADMIN" --config "$W/unset-storage.yml" check
t_is "$RC" 2 "unset storage namespace: check refuses with exit 2"
run "$VBADMIN" --config "$W/unset-var.yml" config show --json
t_is "$(json_get "$OUT" 'd["refused"], d["resolved"]["unset"]')" "None []" "no unset in use --json: refused null"
# type: ${VAR} is substituted lazily too (agent_config.py resolve_env): unused, only a warning
printf 'agent:\n  namespace:\n    pg:\n      type: postgresql\n    other:\n      type: ${CFG_UNSET_VAR}\n' >"$W/unset-type.yml"
run "$VBADMIN" --config "$W/unset-type.yml" --namespace pg config show
t_is "$RC" 0 "unset type in an unused namespace: loads"
t_has "$OUT" "unset-type.yml:6: \${CFG_UNSET_VAR} is not set (agent.namespace.other.type)" "unset type: a warning naming file:line"
run "$VBADMIN" --config "$W/unset-type.yml" --namespace other verify
t_is "$RC" 2 "unset type: a command on that namespace exits 2"
bad storage-ns 7:18: "Storage backend namespace 'ghost' not found in configuration." \
	$'agent:\n  namespace:\n    pg:\n      type: postgresql\n  storage:\n    backends:\n      namespace: ghost\n'
bad kind-list 3:5: "agent.namespace must be a mapping (key: value lines), found a list" \
	$'agent:\n  namespace:\n    - pg\n'
bad kind-scalar 2:12: "agent.storage must be a mapping (key: value lines), found a scalar" \
	$'agent:\n  storage: lance\n'
bad ns-name 3:5: "Invalid namespace name 'my ns'." \
	$'agent:\n  namespace:\n    my ns:\n      type: postgresql\n'

# --- the example in docs/configuration.md loads as documented ---
DOC="$ROOT/docs/configuration.md"
awk '/^## A full example/{f=1; next} f&&/^```yaml/{y=1; next} y&&/^```/{exit} y' "$DOC" >"$W/doc.yml"
POSTGRES_HOST=pghost POSTGRES_DB=kb POSTGRES_USER=u POSTGRES_PASSWORD="$MARK" DWH_PASSWORD="$MARK" KB_PW="$MARK" \
	OPENAI_API_KEY="$MARK" run "$VBADMIN" --config "$W/doc.yml" config show
t_is "$RC" 0 "docs example: loads"
t_has "$OUT" "hr               postgresql hr.internal:5432 database=hr user=kb" "docs example: dbs entry inherits user"
t_has "$OUT" "primary          postgresql 10.0.0.5:5433 database=kb user=kb password=******** schema=public sslmode=require" \
	"docs example: uri entry parsed"
t_has "$OUT" "backend:       pgvector (storage namespace type postgresql)" "docs example: backend"

# --- usage errors ---
run "$VBADMIN" config
t_is "$RC" 2 "config without subcommand: exit 2"
t_has "$ERR" "usage: vbadmin config show [--json]" "config without subcommand: usage shown"
run "$VBADMIN" config show --yaml
t_is "$RC" 2 "config show --yaml: exit 2"
t_has "$ERR" "bad option '--yaml'" "config show --yaml: named"
run "$VBADMIN" config show --jsno
t_is "$RC" 2 "config show --jsno: exit 2"
t_has "$ERR" "unknown option '--jsno'; did you mean --json?" "config show --jsno: closest option suggested"
run "$VBADMIN" config show extra
t_is "$RC" 2 "config show extra: exit 2"
t_has "$ERR" "unexpected argument 'extra'" "config show extra: named"

# --- the marker password never shows ---
t_lacks "$(cat "$ALL")" "$MARK" "marker password never appears in any stdout/stderr"
t_has "$(cat "$ALL")" "********" "masked form did appear (the check above looked at real output)"
t_done
