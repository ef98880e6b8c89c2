#!/usr/bin/env bash
# tests/integration/test_contract.sh - the backend contract suite through the CLI: the built-in
# embedded backend (temp XDG_DATA_HOME), the sample third-party plugin, and the pgvector plugin
# against the real pg17 + pgvector sandbox must each pass `vbadmin contract-test`; the suite leaves
# the user's data alone and cleans up its own table; `vbadmin backends [--json]` lists what exists;
# unknown names, plugins built for another ABI and unreachable servers fail with clear errors.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
B=${VBADMIN_BUILD:-$(cd "$(dirname "$VBADMIN")" && pwd)}
export VBADMIN_PLUGIN_PATH="${VBADMIN_PLUGIN_PATH:-$B/backends/pgvector:$B/tests/plugins}"

# contract NAME OUTPUT RC: the suite's verdict, without echoing its own "ok" lines into this TAP stream
contract_passes() {
	local name=$1 out=$2 rc=$3
	t_is "$rc" 0 "contract-test $name exits 0"
	t_has "$out" "# contract-test $name: " "contract-test $name prints its summary"
	t_has "$out" " 0 failed" "contract-test $name: no check failed"
	local nok
	nok=$(grep -c '^ok ' <<<"$out")
	t_ok $([ "$nok" -ge 100 ]; echo $?) "contract-test $name ran at least 100 checks (ran $nok)"
	if grep -q '^not ok' <<<"$out"; then
		grep -A3 '^not ok' <<<"$out" | head -40 | sed 's/^/#   /'
	fi
}

# ---- embedded (built in) ----
t_run "$VBADMIN" contract-test --backend embedded
contract_passes embedded "$OUT" "$RC"
t_has "$OUT" "namespaces vb_contract_a and vb_contract_b" "the suite names its own namespaces"
t_ok $([ -f "$XDG_DATA_HOME/vbadmin/vb_contract_a.db" ]; echo $?) "embedded: the suite's namespace A lives in XDG_DATA_HOME"
t_ok $([ ! -e "$XDG_DATA_HOME/vbadmin/default.db" ]; echo $?) "embedded: the user's default namespace was not touched"
t_run "$VBADMIN" --backend sqlite contract-test
t_is "$RC" 0 "the global --backend alias sqlite runs the suite on embedded"
t_has "$OUT" "# contract-test embedded: " "sqlite resolved to embedded"

# ---- lancedb (built in; LanceDB's own library through the node helper) ----
mkdir -p "$T_TMP/datus"
printf 'agent:\n  home: %s\n' "$T_TMP/datus" >"$T_TMP/lance.yml"
t_run "$VBADMIN" --config "$T_TMP/lance.yml" contract-test --backend lancedb
contract_passes lancedb "$OUT" "$RC"
t_ok $([ -d "$T_TMP/datus/data/datus_db_vb_contract_a/vb_contract_items.lance" ]; echo $?) \
	"lancedb: the suite's namespace A is the Datus directory {home}/data/datus_db_vb_contract_a"
t_ok $([ -d "$T_TMP/datus/data/datus_db_vb_contract_b/vb_contract_items.lance" ]; echo $?) \
	"lancedb: namespace B is a directory of its own (LanceDB isolates namespaces by directory)"
t_has "$OUT" "search_text 'zebra savanna' needs every word: order a2" "lancedb: full-text search needs every word"
t_run "$VBADMIN" --config "$T_TMP/lance.yml" --backend lance contract-test
t_is "$RC" 0 "the alias lance runs the suite on lancedb"
t_has "$OUT" "# contract-test lancedb: " "lance resolved to lancedb"
VBADMIN_NODE=/nonexistent/node t_run "$VBADMIN" --config "$T_TMP/lance.yml" contract-test --backend lancedb
t_is "$RC" 3 "lancedb without node exits 3 (cannot open the store)"
t_has "$OUT" "LanceDB is not enabled: cannot run /nonexistent/node" "lancedb without node: says what is missing"
t_has "$OUT" "make deps" "lancedb without node: says how to enable LanceDB"

# ---- sample third-party plugin ----
t_run "$VBADMIN" contract-test --backend sample
contract_passes sample "$OUT" "$RC"
t_has "$OUT" "search_text 'zebra' (3 occurrences before 1; B stays out): order a1,a2" "sample: text ranking checked"
t_has "$OUT" "unsupported (no VB_CAP_SQL)" "sample: missing optional slots reported as unsupported"

# ---- unknown name and bad plugins ----
t_run "$VBADMIN" contract-test --backend nosuch
t_is "$RC" 2 "unknown backend exits 2"
t_has "$ERR" "unknown backend 'nosuch'. Available: embedded" "unknown backend: message lists the built-in"
t_has "$ERR" "lancedb" "unknown backend: lists lancedb"
t_has "$ERR" "pgvector" "unknown backend: lists pgvector"
t_has "$ERR" "sample" "unknown backend: lists sample"
t_has "$ERR" "searched for vb_nosuch.so in:" "unknown backend: says where it looked"
t_lacks "$OUT" "ok 1" "unknown backend: no check ran"
t_run "$VBADMIN" contract-test --backend sample --bogus
t_is "$RC" 2 "unknown argument exits 2"
t_has "$ERR" "usage: vbadmin contract-test --backend NAME" "unknown argument prints the usage"
t_run "$VBADMIN" contract-test --backnd sample
t_is "$RC" 2 "misspelt --backend exits 2"
t_has "$ERR" "unknown option '--backnd'; did you mean --backend?" "misspelt --backend: did you mean"
t_run "$VBADMIN" contract-test --backend
t_is "$RC" 2 "--backend without a value exits 2"
t_has "$ERR" "option '--backend' needs a value" "--backend without a value: named"

mkdir -p "$T_TMP/plug"
cat >"$T_TMP/plug/abi.c" <<'EOF'
#include "vb.h"
const struct vb_plugin_magic vb_plugin_magic = { sizeof(struct vb_plugin_magic), VB_ABI_VERSION + 1, "abinext", "9.9" };
int vb_plugin_init(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen);
int vb_plugin_init(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen)
{ (void)reg; (void)ctx; (void)errbuf; (void)errlen; return 1; }
EOF
cc -std=c11 -shared -fPIC -I"$ROOT/backends" -o "$T_TMP/plug/vb_abinext.so" "$T_TMP/plug/abi.c"
t_ok $? "compile a plugin that claims the next ABI"
ABI=$(sed -n 's/^#define VB_ABI_VERSION \([0-9]*\)$/\1/p' "$ROOT/backends/vb.h")
VBADMIN_PLUGIN_PATH="$T_TMP/plug:$VBADMIN_PLUGIN_PATH" t_run "$VBADMIN" contract-test --backend abinext
t_is "$RC" 5 "contract-test on a plugin for another ABI exits 5"
t_has "$ERR" "plugin vb_abinext.so was built for vbadmin backend ABI $((ABI + 1)), this vbadmin speaks ABI $ABI" \
	"ABI refusal names both versions"
t_has "$ERR" "Rebuild the plugin" "ABI refusal says what to do"
VBADMIN_PLUGIN_PATH="$T_TMP/plug:$VBADMIN_PLUGIN_PATH" t_run "$VBADMIN" backends
t_is "$RC" 1 "backends exits 1 when a plugin on the path cannot be loaded"
t_has "$OUT" "problem: $T_TMP/plug/vb_abinext.so: plugin vb_abinext.so was built for" "backends lists the broken plugin"
t_has "$OUT" "sample     plugin $B/tests/plugins/vb_sample.so" "backends still lists the good plugins"

# ---- vbadmin backends ----
t_run "$VBADMIN" backends --json
t_is "$RC" 0 "backends --json exits 0"
J="$T_TMP/backends.json"
printf '%s' "$OUT" >"$J"
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$J" 2>&1; }
t_is "$(jq_py 'print(",".join(sorted(b["name"] for b in d["backends"])))')" "embedded,lancedb,pgvector,sample" \
	"backends --json lists embedded, lancedb, pgvector and sample"
t_is "$(jq_py 'b={x["name"]:x for x in d["backends"]}; print(b["embedded"]["kind"], b["embedded"]["path"], ",".join(b["embedded"]["aliases"]))')" \
	"built-in None sqlite,default" "embedded: built in, with its aliases"
t_is "$(jq_py 'b={x["name"]:x for x in d["backends"]}; print(b["lancedb"]["kind"], b["lancedb"]["path"], ",".join(b["lancedb"]["aliases"]))')" \
	"built-in None lance" "lancedb: built in, alias lance (Datus's name for its default)"
t_is "$(jq_py 'b={x["name"]:x for x in d["backends"]}; print(b["pgvector"]["kind"], b["pgvector"]["path"], ",".join(b["pgvector"]["aliases"]))')" \
	"plugin $B/backends/pgvector/vb_pgvector.so postgresql,postgres,pg" "pgvector: plugin file and aliases"
t_is "$(jq_py 'b={x["name"]:x for x in d["backends"]}; print(b["sample"]["plugin_version"], ",".join(b["sample"]["capabilities"]))')" \
	"sample 1.0 (in-memory) vector,text,hybrid,namespaced,creates" "sample: plugin version and capability names"
t_has "$(jq_py 'b={x["name"]:x for x in d["backends"]}; print(",".join(b["pgvector"]["capabilities"]), b["pgvector"]["abi_version"])')" \
	"sql" "pgvector: capabilities include sql"
t_is "$(jq_py 'print(d["search_path"][0], len(d["problems"]))')" "$B/backends/pgvector 0" \
	"search path starts with VBADMIN_PLUGIN_PATH; no problems"
t_run "$VBADMIN" backends --bogus
t_is "$RC" 2 "backends with an unknown argument exits 2"
t_run "$VBADMIN" backends --jsn
t_is "$RC" 2 "backends --jsn exits 2"
t_has "$ERR" "did you mean --json?" "backends --jsn: did you mean --json"

# ---- pgvector against the real PostgreSQL 17 + pgvector ----
if [ -z "${PG17_CONNINFO:-}" ]; then
	t_ok 1 "PG17_CONNINFO is set (run through tests/run-all.sh, which starts the sandbox)"
	t_done; exit
fi
pg_new_db vbct
trap 'psql "$ADMIN" -X -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
psql "$ADMIN" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB" >/dev/null 2>&1
t_ok $? "create a fresh database $DB on pg17"
q() { psql "$CONN" -X -At -v ON_ERROR_STOP=1 "$@" 2>&1; }
q -q -c "CREATE EXTENSION vector; CREATE SCHEMA kb;
         CREATE TABLE kb.user_notes (namespace text, id text, body text);
         INSERT INTO kb.user_notes VALUES ('vb_contract_a', 'u1', 'keep me'), ('default', 'u2', 'keep me too')" >/dev/null
t_ok $? "extension vector, schema kb and a user table with rows"
cat >"$T_TMP/agent.yml" <<EOF
agent:
  namespace:
    pgkb:
$(pg_entry_yml VBT_PG_PASSWORD)
      schema: kb
$(hashing_storage_yml pgkb)
EOF
export VBT_PG_PASSWORD="$(pg_field "$PG17_CONNINFO" password)"
t_run "$VBADMIN" --config "$T_TMP/agent.yml" contract-test --backend pgvector
contract_passes pgvector "$OUT" "$RC"
t_has "$OUT" "exec_script creates the suite's table kb.vb_contract_items" "pgvector: the suite's table goes in the configured schema"
t_has "$OUT" "exec_script drops the suite's table" "pgvector: the suite drops its table at the end"
t_is "$(q -c "SELECT count(*) FROM information_schema.tables WHERE table_name = 'vb_contract_items'")" 0 \
	"pgvector: no vb_contract_items table is left behind"
t_is "$(q -c "SELECT string_agg(id || ':' || body, ',' ORDER BY id) FROM kb.user_notes")" "u1:keep me,u2:keep me too" \
	"pgvector: the user's table and rows are untouched"

t_run "$VBADMIN" --config "$T_TMP/agent.yml" --backend postgresql contract-test
t_is "$RC" 0 "the alias postgresql (global --backend) runs the suite on pgvector"
t_has "$OUT" "# contract-test pgvector: " "postgresql resolved to pgvector"

# The search-path lines come from the plugin's search_path slot (backends/pgvector/pgv_ann.c).
t_has "$OUT" "hnsw index: iterative scan (relaxed order" "pgvector 0.8: filtered ANN runs as an iterative index scan"
# A catalog saying pgvector 0.7.4 (as after CREATE EXTENSION on an older server) takes the
# pre-0.8 path: ef_search raised, and a page the index leaves short is re-run as an exact scan.
q -q -c "UPDATE pg_extension SET extversion = '0.7.4' WHERE extname = 'vector'" >/dev/null
t_run "$VBADMIN" --config "$T_TMP/agent.yml" contract-test --backend pgvector
contract_passes pgvector "$OUT" "$RC"
t_has "$OUT" "pgvector 0.7.4 has no iterative scans" "pgvector 0.7: no iterative scan is asked for"
t_has "$OUT" "so an exact scan (index scans off) answered" "pgvector 0.7: the short page was filled by an exact scan"
q -q -c "UPDATE pg_extension SET extversion = '0.8.0' WHERE extname = 'vector'" >/dev/null

sed "s/port: .*/port: 1/" "$T_TMP/agent.yml" >"$T_TMP/closed.yml"
t_run "$VBADMIN" --config "$T_TMP/closed.yml" contract-test --backend pgvector
t_is "$RC" 3 "pgvector on a closed port exits 3 (cannot connect)"
t_has "$OUT" "not ok" "the failed open is reported as a failed check"
t_has "$OUT" "# contract-test pgvector: " "the summary is printed even when open fails"

t_done
