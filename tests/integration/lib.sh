# tests/integration/lib.sh - TAP helpers for shell tests.  Source it; call t_done at the end.
# Env from tests/run-all.sh: VBADMIN, VBADMIN_BUILD, PG17_CONNINFO, PG15_CONNINFO, VBTEST_WORK.
T_N=0 T_FAIL=0
: "${VBADMIN:=./vbadmin}"
T_TMP=$(mktemp -d "${VBTEST_WORK:-/tmp}/t.XXXXXX")
chmod 755 "$T_TMP"
# the loopback embeddings servers embed_server_start started, then the temp dir (a test that sets
# its own EXIT trap calls t_cleanup from it)
t_cleanup() {
	local p
	for p in "$T_TMP"/*.embed.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
export HOME="$T_TMP/home" XDG_DATA_HOME="$T_TMP/data" XDG_STATE_HOME="$T_TMP/state" XDG_CONFIG_HOME="$T_TMP/config"
mkdir -p "$HOME"

t_ok() { # cond-exit-status, name
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $T_N - $2"; else echo "not ok $T_N - $2"; T_FAIL=$((T_FAIL + 1)); fi
}
# t_run: runs a command, capturing $OUT, $ERR and $RC
t_run() {
	OUT=$("$@" 2>"$T_TMP/stderr"); RC=$?
	ERR=$(cat "$T_TMP/stderr")
}
t_is() { # got want name
	T_N=$((T_N + 1))
	if [ "$1" = "$2" ]; then echo "ok $T_N - $3"; else
		echo "not ok $T_N - $3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; T_FAIL=$((T_FAIL + 1)); fi
}
t_has() { # haystack needle name
	T_N=$((T_N + 1))
	case "$1" in *"$2"*) echo "ok $T_N - $3" ;; *)
		echo "not ok $T_N - $3"; echo "#   text: $(printf '%s' "$1" | head -c 2000)"; echo "#   lacks: '$2'"; T_FAIL=$((T_FAIL + 1)) ;; esac
}
t_lacks() { # haystack needle name
	T_N=$((T_N + 1))
	case "$1" in *"$2"*) echo "not ok $T_N - $3"; echo "#   unexpected: '$2'"; T_FAIL=$((T_FAIL + 1)) ;; *)
		echo "ok $T_N - $3" ;; esac
}
t_done() { echo "1..$T_N"; [ "$T_FAIL" -eq 0 ]; }
# tui_keys_run KEYS: a fresh run dir for a tests/tui/*.keys scenario; sets name, run and extra (the
# keys file's "# env: K=V ..." line)
tui_keys_run() {
	name=$(basename "$1" .keys)
	run="$T_TMP/$name"
	mkdir -p "$run/home"
	ln -s "$ROOT/examples" "$run/examples"
	ln -s "$ROOT/tests/tui" "$run/tui" # config files some screens read (# env: VBADMIN_CONFIG=tui/...)
	extra=$(sed -n 's/^# env: //p' "$1")
}
# conninfo field: pg_field "$PG17_CONNINFO" port
pg_field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# pg_new_db PREFIX: names a fresh database on the pg17 sandbox: DB, ADMIN (the sandbox's conninfo)
# and CONN (the new database's); pg_create_db creates it with the vector extension (the caller's
# EXIT trap drops it)
pg_new_db() {
	DB="${1}_$$_$RANDOM"
	ADMIN="$PG17_CONNINFO"
	CONN=$(printf '%s' "$PG17_CONNINFO" | sed "s/dbname=[^ ]*/dbname=$DB/")
}
pg_create_db() {
	psql "$ADMIN" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB" >/dev/null 2>&1
	psql "$CONN" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION vector" >/dev/null 2>&1
}
# pg_entry_yml PWVAR: the fields of an agent.yml postgresql entry (six spaces in) for DB on the pg17
# sandbox, the password as ${PWVAR}: Datus substitutes it from the environment, so no test file
# holds it
pg_entry_yml() {
	cat <<YML
      type: postgresql
      host: $(pg_field "$PG17_CONNINFO" host)
      port: $(pg_field "$PG17_CONNINFO" port)
      database: $DB
      username: $(pg_field "$PG17_CONNINFO" user)
      password: \${$1}
YML
}
# embed_server_start NAME [embed_server.py options]: a loopback OpenAI-compatible embeddings server
# (tests/integration/embed_server.py) in the background; prints its port; its pid is in
# $T_TMP/NAME.embed.pid (embed_server_stop NAME kills it; t_cleanup kills any left)
embed_server_start() {
	rm -f "$T_TMP/$1.eport"
	/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/embed_server.py" "${@:2}" >"$T_TMP/$1.eport" 2>"$T_TMP/$1.eerr" &
	echo $! >"$T_TMP/$1.embed.pid"
	local _i
	for _i in $(seq 50); do [ -s "$T_TMP/$1.eport" ] && break; sleep 0.1; done
	cat "$T_TMP/$1.eport"
}
embed_server_stop() { # NAME [signal]
	kill -"${2:-TERM}" "$(cat "$T_TMP/$1.embed.pid")" 2>/dev/null
	rm -f "$T_TMP/$1.embed.pid"
}
# t_free_port: a loopback TCP port nothing listens on (bound once, then released)
t_free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
# hashing_storage_yml NS: agent.yml's storage section (two spaces in) that stores in namespace NS
# and embeds with vbadmin's offline hashing embedder, chosen explicitly (docs/embeddings.md)
hashing_storage_yml() {
	cat <<YML
  storage:
    # vbadmin's offline embedder, chosen explicitly (docs/embeddings.md)
    semantic_model: {registry_name: hashing, model_name: hashing, dim_size: 384}
    metric: {registry_name: hashing, model_name: hashing, dim_size: 384}
    backends:
      namespace: $1
YML
}
