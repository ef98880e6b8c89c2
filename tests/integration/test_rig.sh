#!/usr/bin/env bash
# The PostgreSQL test rig itself: the pg17 + pgvector and pg15 servers that tests/run-all.sh started
# (PG17_CONNINFO / PG15_CONNINFO) behave as the other tests assume, and scripts/pg-sandbox.sh
# handles its error cases.  Everything here talks to real servers.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SANDBOX=$ROOT/scripts/pg-sandbox.sh
unset PGPASSWORD PGPASSFILE PGSERVICE PGUSER PGDATABASE PGHOST PGPORT
tag=rig_$$
own_dirs=()
cleanup() {
	for d in "${own_dirs[@]}"; do [ -f "$d/state" ] && "$SANDBOX" down --dir "$d" >/dev/null 2>&1; done
	for ci in "${PG17_CONNINFO:-}" "${PG15_CONNINFO:-}"; do
		[ -n "$ci" ] || continue
		psql -X -q -w "$ci" -c "DROP DATABASE IF EXISTS ${tag}_su" -c "DROP DATABASE IF EXISTS ${tag}_app" \
			-c "DROP SCHEMA IF EXISTS ${tag}_s CASCADE" >/dev/null 2>&1
	done
	rm -rf "$T_TMP"
}
trap cleanup EXIT

# q CONNINFO SQL... - psql with SQLSTATEs in errors, unaligned tuples only, never prompting
q() { local ci=$1; shift; local a=(); for s in "$@"; do a+=(-c "$s"); done
	t_run psql -X -w -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$ci" "${a[@]}"; }
as_user() { # conninfo user password [dbname] -> conninfo with those fields replaced
	local ci="host=$(pg_field "$1" host) port=$(pg_field "$1" port) user=$2 password=$3 dbname=${4:-postgres}"
	echo "$ci"
}
free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

t_ok "$([ -n "${PG17_CONNINFO:-}" ]; echo $?)" "PG17_CONNINFO is set by the runner"
t_ok "$([ -n "${PG15_CONNINFO:-}" ]; echo $?)" "PG15_CONNINFO is set by the runner"
P17=${PG17_CONNINFO:-host=127.0.0.1 port=1 user=postgres password=postgres dbname=postgres}
P15=${PG15_CONNINFO:-host=127.0.0.1 port=1 user=postgres password=postgres dbname=postgres}

for ci in "$P17" "$P15"; do
	t_is "$(pg_field "$ci" host) $(pg_field "$ci" user) $(pg_field "$ci" password) $(pg_field "$ci" dbname)" \
		"127.0.0.1 postgres postgres postgres" "conninfo names 127.0.0.1, user/password postgres, dbname postgres"
done

# --- pg17 + pgvector ---------------------------------------------------------------------------
q "$P17" "SELECT current_setting('server_version_num')::int / 10000"
t_is "$OUT" 17 "pg17 sandbox runs PostgreSQL 17"
q "$P17" "SHOW listen_addresses"
t_is "$OUT" 127.0.0.1 "pg17 listens on 127.0.0.1 only"
q "$P17" "CREATE DATABASE ${tag}_su"
t_is "$RC" 0 "pg17: postgres creates a fresh database"
q "$(as_user "$P17" postgres postgres "${tag}_su")" "CREATE EXTENSION vector" \
	"SELECT extversion FROM pg_extension WHERE extname = 'vector'" \
	"SELECT '[1,2,3]'::vector <-> '[1,2,5]'::vector"
t_is "$RC" 0 "pg17: CREATE EXTENSION vector as postgres works"
t_has "$(echo "$OUT" | sed -n 2p)" "0.8." "pg17: installed vector extversion is 0.8.x"
t_is "$(echo "$OUT" | sed -n 3p)" 2 "pg17: vector distance operator computes L2 distance"

q "$P17" "CREATE DATABASE ${tag}_app" "GRANT CREATE ON DATABASE ${tag}_app TO vb_app"
t_is "$RC" 0 "pg17: fresh database for vb_app"
q "$(as_user "$P17" vb_app vb_app "${tag}_app")" "CREATE EXTENSION vector"
t_ok "$([ "$RC" -ne 0 ]; echo $?)" "pg17: CREATE EXTENSION vector as vb_app fails"
t_has "$ERR" '42501: permission denied to create extension "vector"' "pg17: vb_app gets 42501 permission denied"
q "$(as_user "$P17" postgres postgres "${tag}_app")" "SELECT count(*) FROM pg_extension WHERE extname = 'vector'"
t_is "$OUT" 0 "pg17: the refused CREATE EXTENSION left nothing behind"

# --- pg15 without pgvector ---------------------------------------------------------------------
q "$P15" "SELECT current_setting('server_version_num')::int / 10000"
t_is "$OUT" 15 "pg15 sandbox runs PostgreSQL 15"
q "$P15" "SHOW listen_addresses"
t_is "$OUT" 127.0.0.1 "pg15 listens on 127.0.0.1 only"
q "$P15" "CREATE EXTENSION vector"
t_ok "$([ "$RC" -ne 0 ]; echo $?)" "pg15: CREATE EXTENSION vector fails"
t_has "$ERR" '0A000: extension "vector" is not available' "pg15: 0A000 extension not available"

# --- roles and auth, on both --------------------------------------------------------------------
for k in 17 15; do
	[ $k = 17 ] && ci=$P17 || ci=$P15
	app=$(as_user "$ci" vb_app vb_app)
	q "$app" "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
	t_is "$OUT" "f|f|f" "pg$k: vb_app logs in with its password and is not superuser"
	q "$app" "SELECT has_database_privilege('postgres', 'CREATE')" \
		"CREATE SCHEMA ${tag}_s" "CREATE TABLE public.${tag}_t (id int)" "DROP TABLE public.${tag}_t"
	t_is "$RC" 0 "pg$k: vb_app may create schemas in database postgres and tables in public"
	t_is "$(echo "$OUT" | head -n 1)" t "pg$k: vb_app has CREATE on database postgres"
	q "$app" "DROP SCHEMA ${tag}_s"
	q "$ci" "SELECT rolname, left(rolpassword, 14) FROM pg_authid WHERE rolname IN ('postgres', 'vb_app') ORDER BY 1"
	t_is "$OUT" $'postgres|SCRAM-SHA-256$\nvb_app|SCRAM-SHA-256$' "pg$k: both passwords stored as SCRAM"
	q "$(as_user "$ci" vb_app wrong-password)" "SELECT 1"
	t_has "$ERR" 'password authentication failed for user "vb_app"' "pg$k: a wrong vb_app password is refused"
	q "$(as_user "$ci" postgres wrong-password)" "SELECT 1"
	t_has "$ERR" 'password authentication failed for user "postgres"' "pg$k: a wrong postgres password is refused"
	q "host=127.0.0.1 port=$(pg_field "$ci" port) user=postgres dbname=postgres" "SELECT 1"
	t_has "$ERR" 'no password supplied' "pg$k: TCP without a password is refused"
done

# --- scripts/pg-sandbox.sh behaviour, on our own throwaway clusters ------------------------------
W=${VBTEST_WORK:-$T_TMP}
t_run "$SANDBOX" up pg16 --dir "$W/rig-bad"
t_is "$RC" 2 "unknown kind exits 2"
t_has "$ERR" "unknown kind 'pg16' (expected pg17 or pg15)" "unknown kind is named with the valid ones"
# fed on stdin: a clean clone under a private mktemp dir is not readable by nobody
t_run bash -c 'cd / && exec runuser -u nobody -- bash -s -- up pg15 --dir "$1" <"$2"' _ "$W/rig-bad" "$SANDBOX"
t_is "$RC" 3 "up as a non-root user exits 3"
t_has "$ERR" "must run as root" "up as a non-root user says root is needed"
t_run "$SANDBOX" up pg15 --port 80 --dir "$W/rig-bad"
t_is "$RC" 2 "a privileged port is a usage error"

for k in pg15 pg17; do
	d=$W/rig-$k; own_dirs+=("$d"); port=$(free_port)
	t_run "$SANDBOX" up "$k" --port "$port" --dir "$d"
	t_is "$RC" 0 "$k: up on a free port succeeds"
	ci=$(echo "$OUT" | tail -n 1)
	t_is "$ci" "host=127.0.0.1 port=$port user=postgres password=postgres dbname=postgres" "$k: last line of up is the conninfo"
	q "$ci" "SELECT rolname FROM pg_roles WHERE rolname = 'vb_app'"
	t_is "$OUT" vb_app "$k: the printed conninfo connects and vb_app exists"
	t_run "$SANDBOX" status --dir "$d"
	t_is "$RC" 0 "$k: status of a running cluster exits 0"
	data=$(sed -n 's/^run=//p' "$d/state")/data
	t_ok "$([ -f "$data/PG_VERSION" ]; echo $?)" "$k: state file points at the cluster's data dir"
	t_run "$SANDBOX" up "$k" --port "$(free_port)" --dir "$d"
	t_is "$RC" 1 "$k: starting twice on the same dir exits 1"
	t_has "$ERR" "already running on port $port; stop it with scripts/pg-sandbox.sh down --dir $d" \
		"$k: starting twice names the port and the down command"
	q "$ci" "SELECT 1"
	t_is "$OUT" 1 "$k: the refused second start left the first cluster running"
	if [ $k = pg15 ]; then
		t_run "$SANDBOX" up pg17 --port "$port" --dir "$W/rig-busy"
		t_is "$RC" 1 "port in use: up exits 1"
		t_has "$ERR" "port $port is already in use" "port in use: the message names the port"
		t_ok "$([ ! -e "$W/rig-busy/state" ]; echo $?)" "port in use: nothing was created"
	fi
	t_run "$SANDBOX" down --dir "$d"
	t_is "$RC" 0 "$k: down exits 0"
	t_has "$OUT" "stopped the $k cluster on port $port" "$k: down says what it stopped"
	t_ok "$([ ! -e "$data" ] && [ ! -e "$d/state" ]; echo $?)" "$k: down removed the data dir and the state"
	q "$ci" "SELECT 1"
	t_has "$ERR" "Connection refused" "$k: after down nothing listens on the port"
	t_run "$SANDBOX" down --dir "$d"
	t_is "$RC" 1 "$k: down of a stopped cluster exits 1"
	t_has "$ERR" "no sandbox cluster in $d (nothing to stop" "$k: down of a stopped cluster says so"
done

q "$P17" "SELECT 1"
t_is "$OUT" 1 "the runner's pg17 still answers after our own pg17 cluster was stopped"
q "$P15" "SELECT 1"
t_is "$OUT" 1 "the runner's pg15 still answers after our own pg15 cluster was stopped"

# a server that died without `down` (killed test run): status and down report it, down cleans up
d=$W/rig-dead; own_dirs+=("$d"); port=$(free_port)
t_run "$SANDBOX" up pg15 --port "$port" --dir "$d"
data=$(sed -n 's/^run=//p' "$d/state" 2>/dev/null)/data
kill -KILL "$(head -n 1 "$data/postmaster.pid" 2>/dev/null)" 2>/dev/null
sleep 0.3
t_run "$SANDBOX" status --dir "$d"
t_is "$RC" 1 "killed server: status exits 1"
t_has "$ERR" "is not running" "killed server: status says it is not running"
t_run "$SANDBOX" up pg15 --port "$port" --dir "$d"
t_is "$RC" 0 "killed server: up on the same dir starts a new cluster"
t_has "$ERR" "removing the stale pg15 cluster state in $d" "killed server: up says it cleaned the stale state"
t_ok "$([ ! -e "$data" ]; echo $?)" "killed server: up removed the dead cluster's data"
q "$(echo "$OUT" | tail -n 1)" "SELECT 1"
t_is "$OUT" 1 "killed server: the new cluster answers"
data=$(sed -n 's/^run=//p' "$d/state" 2>/dev/null)/data
kill -KILL "$(head -n 1 "$data/postmaster.pid" 2>/dev/null)" 2>/dev/null
sleep 0.3
t_run "$SANDBOX" down --dir "$d"
t_is "$RC" 1 "killed server: down exits 1"
t_has "$ERR" "was not running; removed its leftover data" "killed server: down says it was not running"
t_ok "$([ ! -e "$data" ]; echo $?)" "killed server: down removed the leftover data"

t_done
