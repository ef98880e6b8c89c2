# tests/integration/embed_lib.sh - what test_embeddings.sh and test_embed_openai.sh share: a fresh pg17
# database with pgvector reached as the sandbox's superuser (host, port, db, PSQL, pgq), the
# agent.yml lines of a Datus deployment storing in it, and CFG, the datus_db.cfg Datus records its
# embedding model in.  Source after lib.sh with EMB_DB_PREFIX set; PG17_CONNINFO must be set.
host=$(pg_field "$PG17_CONNINFO" host); port=$(pg_field "$PG17_CONNINFO" port)
db=${EMB_DB_PREFIX}_$$
export PGPASSWORD=postgres
PSQL=(psql -X -q -At -h "$host" -p "$port" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null
"${PSQL[@]}" -d "$db" -c "CREATE EXTENSION vector" >/dev/null
pgq() { "${PSQL[@]}" -d "$db" -c "$1"; }
CFG=$T_TMP/datus_home/data/datus_db_datus/datus_db.cfg
# datus_home_yml: an agent.yml's first lines, Datus's home under T_TMP (so CFG is where Datus keeps it)
datus_home_yml() { printf 'agent:\n  home: %s/datus_home\n' "$T_TMP"; }
# datus_store_yml: the namespace datus on db as Datus's storage; more agent.storage keys may follow
datus_store_yml() {
	cat <<YML
  namespace:
    datus: {type: postgresql, host: $host, port: $port, database: $db, username: postgres, password: postgres}
  storage:
    backends:
      namespace: datus
YML
}
