# tests/integration/migrate_lib.sh - what test_migrate.sh and test_tui_migrate.sh share: a fresh pg17
# database (lib.sh's pg_new_db: DB, ADMIN, CONN; the test calls pg_create_db), q, and the agent.yml
# that names Datus's LanceDB namespaces and the pgvector one.  Source after lib.sh with MIG_DB_PREFIX
# set; PG17_CONNINFO must be set.
pg_new_db "$MIG_DB_PREFIX"
export VBT_PG_PASSWORD="$(pg_field "$PG17_CONNINFO" password)"
q() { psql "$CONN" -X -At -v ON_ERROR_STOP=1 "$@" 2>&1; }
# mig_conf FILE HOME NS...: LanceDB namespaces NS... under Datus home HOME, pgkb on DB (password from
# the environment, as Datus's ${VAR} substitution), dim 8
mig_conf() {
	local file=$1 home=$2 ns lines=
	shift 2
	for ns; do lines="$lines    $ns: {type: sqlite, uri: sqlite:///x.db}
"; done
	cat >"$file" <<YML
agent:
  home: $home
  namespace:
${lines}    pgkb:
$(pg_entry_yml VBT_PG_PASSWORD)
  storage:
    backends:
      namespace: pgkb
    database: {registry_name: sentence-transformers, model_name: all-MiniLM-L6-v2, dim_size: 8}
    semantic_model: {registry_name: sentence-transformers, model_name: all-MiniLM-L6-v2, dim_size: 8}
YML
}
