#!/usr/bin/env bash
# scripts/pg-sandbox.sh - throwaway PostgreSQL clusters for tests and demos.
#
#   scripts/pg-sandbox.sh up pg17|pg15 [--port N] [--dir D]   start one; last stdout line = conninfo
#   scripts/pg-sandbox.sh down   [--dir D]                   stop it and remove its data
#   scripts/pg-sandbox.sh status [--dir D]                   print its state; exit 0 only when running
#   scripts/pg-sandbox.sh kill   [--dir D]                   SIGKILL the server's processes, keep the data (a crash)
#   scripts/pg-sandbox.sh start  [--dir D]                   restart a stopped/killed cluster on its data
#   scripts/pg-sandbox.sh prepare                            build the pg17 chroot now if missing (quiet if present)
#
# pg17 = PostgreSQL 17 + pgvector 0.8 from Debian trixie packages, run inside a chroot that is built
#        once with mmdebstrap and cached in ${VBADMIN_PG_CACHE:-/var/cache/vbadmin}/trixie-pg17.
#        The host cannot install trixie's packages (newer libc), hence the chroot.
# pg15 = the host's Debian 12 PostgreSQL 15, which has no pgvector package at all.
#
# The server's files live in <root>/tmp/vbsandbox/<id> (<root> = the chroot for pg17, / for pg15),
# because a chrooted server can only see paths inside its chroot.  D (default
# /tmp/vbadmin-sandbox-<kind>) holds only the state file, so several clusters can run side by
# side as long as they use different dirs and ports.
#
# Exit codes: 0 ok; 1 state conflict (already running, not running, port in use, start failed);
# 2 usage; 3 environment (not root, packages missing, chroot build failed).
set -euo pipefail

CACHE=${VBADMIN_PG_CACHE:-/var/cache/vbadmin}
CHROOT_NAME=trixie-pg17
SELF=scripts/pg-sandbox.sh

die() { local rc=$1; shift; echo "pg-sandbox: $*" >&2; exit "$rc"; }
note() { echo "pg-sandbox: $*" >&2; }

usage() {
	cat >&2 <<EOF
usage: $SELF up pg17|pg15 [--port N] [--dir D]
       $SELF down [--dir D]
       $SELF status [--dir D]
       $SELF kill [--dir D]
       $SELF start [--dir D]
       $SELF prepare
  pg17: PostgreSQL 17 + pgvector 0.8 (Debian trixie, in a chroot); default port 54317
  pg15: Debian 12 PostgreSQL 15 without pgvector; default port 54315
  kill: SIGKILL the postmaster and its backends (a crash), keeping the data; start: restart on that data
  D defaults to /tmp/vbadmin-sandbox-<kind> (for down/status/kill/start: the only such dir that exists)
EOF
	exit 2
}

# --- argument parsing ------------------------------------------------------------------------
[ $# -ge 1 ] || usage
cmd=$1; shift
kind= port= dir= no_default=
if [ "$cmd" = up ]; then
	[ $# -ge 1 ] || usage
	kind=$1; shift
	case "$kind" in
	pg17|pg15) ;;
	-h|--help) usage ;;
	*) die 2 "unknown kind '$kind' (expected pg17 or pg15)" ;;
	esac
fi
while [ $# -gt 0 ]; do
	case "$1" in
	--port) [ $# -ge 2 ] || die 2 "--port needs a value"; port=$2; shift 2 ;;
	--port=*) port=${1#--port=}; shift ;;
	--dir) [ $# -ge 2 ] || die 2 "--dir needs a value"; dir=$2; shift 2 ;;
	--dir=*) dir=${1#--dir=}; shift ;;
	-h|--help) usage ;;
	*) die 2 "unknown argument '$1' (see $SELF --help)" ;;
	esac
done
case "$cmd" in
up|down|status|kill|start) ;;
prepare) [ -z "$port$dir" ] || die 2 "prepare takes no options" ;;
-h|--help|help) usage ;;
*) die 2 "unknown command '$cmd' (expected up, down, status, kill, start or prepare)" ;;
esac
if [ -n "$port" ]; then
	[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] ||
		die 2 "--port must be a number from 1024 to 65535, not '$port'"
	[ "$cmd" = up ] || die 2 "--port is only for up"
fi

if [ -z "$dir" ]; then
	if [ "$cmd" = up ]; then
		dir=/tmp/vbadmin-sandbox-$kind
	else
		# down/status without --dir: the default dir of whichever kind exists
		found=()
		for k in pg17 pg15; do [ -f "/tmp/vbadmin-sandbox-$k/state" ] && found+=("/tmp/vbadmin-sandbox-$k"); done
		case ${#found[@]} in
		0) dir=/tmp/vbadmin-sandbox-pg17; no_default=1 ;;
		1) dir=${found[0]} ;;
		*) die 2 "both ${found[0]} and ${found[1]} exist; say which with --dir" ;;
		esac
	fi
fi
case "$dir" in /*) ;; *) dir=$PWD/$dir ;; esac
dir=${dir%/}
STATE=$dir/state

# --- helpers -----------------------------------------------------------------------------------
# state file: key=value lines; read by matching keys, never sourced
state_get() { sed -n "s/^$1=//p" "$STATE" | head -n 1; }

# pid of the postmaster that owns data dir $1, if it is alive
live_pid() {
	local pid
	[ -f "$1/postmaster.pid" ] || return 1
	pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) || return 1
	[[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
	# a killed postmaster stays a zombie until it is reaped, and a pid can be reused
	[ -r "/proc/$pid/stat" ] || { echo "$pid"; return 0; }
	read -r _ comm state _ <"/proc/$pid/stat" 2>/dev/null || return 1
	[ "$state" != Z ] && [ "$comm" = "(postgres)" ] && echo "$pid"
}

port_in_use() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

need_root() {
	[ "$(id -u)" -eq 0 ] ||
		die 3 "must run as root: the pg17 server runs in a chroot and pg15 runs as user postgres (see docs/install.md, 'No root')"
}

apt_install() {
	note "installing $* with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
		die 3 "could not install $* (is Debian's mirror reachable? see docs/install.md)"
}

# Run a command as the server's owner, inside the chroot for pg17.  Arguments become one sh -c string.
as_pg() {
	if [ "$kind" = pg17 ]; then
		chroot --userspec="$PGUID:$PGGID" "$ROOT" env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/tmp sh -c "$*"
	else
		runuser -u postgres -- env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/tmp sh -c "$*"
	fi
}

setup_kind() { # sets ROOT (host path of the server's /), PGBIN, PGUID, PGGID
	if [ "$kind" = pg17 ]; then
		ROOT=$CACHE/$CHROOT_NAME
		PGBIN=/usr/lib/postgresql/17/bin
		PGUID=$(awk -F: '$1=="postgres"{print $3}' "$ROOT/etc/passwd" 2>/dev/null || true)
		PGGID=$(awk -F: '$1=="postgres"{print $4}' "$ROOT/etc/passwd" 2>/dev/null || true)
	else
		ROOT=
		PGBIN=/usr/lib/postgresql/15/bin
		PGUID=$(id -u postgres 2>/dev/null || true)
		PGGID=$(id -g postgres 2>/dev/null || true)
	fi
}

# Build the trixie chroot once.  It is built in a .tmp dir and renamed, so a half-built tree is
# never taken for a complete one; flock keeps concurrent first runs from building it twice.
ensure_chroot() {
	local final=$CACHE/$CHROOT_NAME tmp=$CACHE/$CHROOT_NAME.tmp t0
	[ -f "$final/usr/lib/postgresql/17/lib/vector.so" ] && return 0
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.$CHROOT_NAME.lock"
	flock 9
	if [ ! -f "$final/usr/lib/postgresql/17/lib/vector.so" ]; then
		command -v mmdebstrap >/dev/null 2>&1 || apt_install mmdebstrap
		note "building the PostgreSQL 17 + pgvector chroot in $final (once; about 30 s, 120 MB download)"
		t0=$(date +%s.%N)
		rm -rf "$tmp" "$final"
		# No mirror argument: mmdebstrap then uses deb.debian.org and adds trixie-updates/-security.
		if ! mmdebstrap --quiet --variant=essential --include=postgresql-17-pgvector \
			--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
			--dpkgopt='path-exclude=/usr/share/locale/*' trixie "$tmp" >&2; then
			rm -rf "$tmp"
			die 3 "building the trixie chroot failed (needs root and access to deb.debian.org; see docs/install.md)"
		fi
		[ -f "$tmp/usr/lib/postgresql/17/lib/vector.so" ] ||
			{ rm -rf "$tmp"; die 3 "the trixie chroot has no pgvector after mmdebstrap; removed it"; }
		mv "$tmp" "$final"
		note "chroot built in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
	fi
	exec 9>&-
}

ensure_pg15() {
	[ -x /usr/lib/postgresql/15/bin/initdb ] || apt_install postgresql-15 postgresql-client-15
	id postgres >/dev/null 2>&1 || die 3 "user postgres does not exist (reinstall postgresql-15)"
}

stop_server() { # host data dir; fast, then immediate, then SIGKILL
	local data=$1 inner=${1#"$ROOT"} pid
	pid=$(live_pid "$data") || return 0
	local msg
	msg=$(as_pg "$PGBIN/pg_ctl -D $inner -m fast -w -t 15 stop" 2>&1) && return 0
	note "fast shutdown failed ($(echo "$msg" | tail -n 1)); trying immediate"
	as_pg "$PGBIN/pg_ctl -D $inner -m immediate -w -t 15 stop" >/dev/null 2>&1 && return 0
	kill -KILL "$pid" 2>/dev/null || true
	sleep 0.2
}

remove_cluster() { # host path of the cluster's run dir (data, socket, logs)
	local run=$1 base=${1%/*} name=${1##*/}
	# the state file names this path and the caller is root: delete only what up could have made
	if [ "$base" = "$ROOT/tmp/vbsandbox" ] && [[ "$name" =~ ^pg1[57]\.[A-Za-z0-9]{8}$ ]] && [ ! -L "$run" ]; then
		rm -rf "$run"
	else
		note "not removing unexpected path $run"
	fi
}

# Clusters whose owner vanished without `down` (a killed test run) would pile up in the cache:
# remove run dirs that are over an hour old and have no live server.
collect_orphans() {
	local r
	for r in "$ROOT"/tmp/vbsandbox/pg1[57].*; do
		[ -d "$r" ] || continue
		live_pid "$r/data" >/dev/null && continue
		[ -n "$(find "$r" -maxdepth 0 -mmin +60 2>/dev/null)" ] || continue
		note "removing orphaned cluster files $r"
		remove_cluster "$r"
	done
}

# --- up --------------------------------------------------------------------------------------------
cmd_up() {
	local t0 run inner data pid old_port old_run old_kind
	t0=$(date +%s.%N)
	need_root
	: "${port:=$([ "$kind" = pg17 ] && echo 54317 || echo 54315)}"

	if [ -f "$STATE" ]; then
		old_port=$(state_get port); old_run=$(state_get run); old_kind=$(state_get kind)
		if [ -n "$old_run" ] && live_pid "$old_run/data" >/dev/null; then
			die 1 "$old_kind cluster in $dir is already running on port $old_port; stop it with $SELF down --dir $dir"
		fi
		note "removing the stale $old_kind cluster state in $dir (its server was not running)"
		case "$old_kind" in pg17|pg15) [ -n "$old_run" ] && (kind=$old_kind; setup_kind; remove_cluster "$old_run") ;; esac
		rm -f "$STATE"
	fi
	if port_in_use "$port"; then
		die 1 "port $port is already in use on this machine; pick a free one with --port N"
	fi

	if [ "$kind" = pg17 ]; then ensure_chroot; else ensure_pg15; fi
	setup_kind
	[ -n "$PGUID" ] && [ -n "$PGGID" ] || die 3 "no postgres user in ${ROOT:-the host}'s /etc/passwd"

	mkdir -p "$dir" "$ROOT/tmp/vbsandbox"
	# /tmp is world-writable: refuse a vbsandbox dir someone else planted (or a symlink to one)
	if [ -L "$ROOT/tmp/vbsandbox" ] || [ "$(stat -c %u "$ROOT/tmp/vbsandbox")" != 0 ]; then
		die 3 "$ROOT/tmp/vbsandbox is not a directory owned by root; remove it and retry"
	fi
	chmod 755 "$ROOT/tmp/vbsandbox"
	collect_orphans
	run=$(mktemp -d "$ROOT/tmp/vbsandbox/$kind.XXXXXXXX")
	chmod 700 "$run"
	chown "$PGUID:$PGGID" "$run"
	inner=${run#"$ROOT"}
	data=$run/data
	# The state file is written before initdb so that `down` can clean up after a failed start.
	printf 'kind=%s\nport=%s\nrun=%s\nroot=%s\n' "$kind" "$port" "$run" "$ROOT" >"$STATE"

	fail_start() {
		note "$1"
		[ -f "$run/server.log" ] && { note "last lines of $run/server.log:"; tail -n 15 "$run/server.log" >&2; }
		[ -f "$run/initdb.log" ] && [ ! -f "$data/PG_VERSION" ] && tail -n 15 "$run/initdb.log" >&2
		stop_server "$data"
		remove_cluster "$run"
		rm -f "$STATE"; rmdir "$dir" 2>/dev/null || true
		exit 1
	}

	as_pg "$PGBIN/initdb -D $inner/data -U postgres --auth-local=trust --auth-host=scram-sha-256 \
		-E UTF8 --locale=C.UTF-8 --no-sync --no-instructions >$inner/initdb.log 2>&1" ||
		fail_start "initdb failed"
	# Throwaway data: durability off for speed.  Socket in the run dir, TCP on loopback only.
	cat >>"$data/postgresql.conf" <<EOF

# pg-sandbox settings
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$inner'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
password_encryption = 'scram-sha-256'
log_line_prefix = '%m [%p] sqlstate=%e user=%u db=%d '
EOF
	as_pg "$PGBIN/pg_ctl -D $inner/data -l $inner/server.log -w -t 60 start >/dev/null 2>&1" ||
		fail_start "the server did not start on port $port (another server may have taken the port)"
	as_pg "$PGBIN/psql -X -q -v ON_ERROR_STOP=1 -h $inner -p $port -U postgres -d postgres >$inner/setup.log 2>&1" <<'EOF' ||
ALTER ROLE postgres PASSWORD 'postgres';
CREATE ROLE vb_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'vb_app';
GRANT CREATE ON DATABASE postgres TO vb_app;
GRANT CREATE, USAGE ON SCHEMA public TO vb_app;
EOF
		fail_start "setting up roles failed: $(cat "$run/setup.log" 2>/dev/null)"
	pid=$(live_pid "$data") || fail_start "the server exited right after starting"

	local ver elapsed
	ver=$(head -n 1 "$data/PG_VERSION")
	elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
	if [ "$kind" = pg17 ]; then
		echo "pg-sandbox: PostgreSQL $ver + pgvector (trixie chroot $ROOT) on 127.0.0.1:$port, pid $pid, started in ${elapsed}s"
	else
		echo "pg-sandbox: PostgreSQL $ver (Debian 12, no pgvector) on 127.0.0.1:$port, pid $pid, started in ${elapsed}s"
	fi
	echo "pg-sandbox: data $data; state $STATE; stop with: $SELF down --dir $dir"
	echo "pg-sandbox: app role (not superuser): host=127.0.0.1 port=$port user=vb_app password=vb_app dbname=postgres"
	echo "host=127.0.0.1 port=$port user=postgres password=postgres dbname=postgres"
}

# --- down ------------------------------------------------------------------------------------------
cmd_down() {
	local run k p
	need_root
	[ -f "$STATE" ] || [ -z "$no_default" ] ||
		die 1 "no sandbox cluster in /tmp/vbadmin-sandbox-pg17 or /tmp/vbadmin-sandbox-pg15 (nothing to stop; name another with --dir D)"
	[ -f "$STATE" ] || die 1 "no sandbox cluster in $dir (nothing to stop; start one with $SELF up pg17|pg15 --dir $dir)"
	k=$(state_get kind); p=$(state_get port); run=$(state_get run)
	case "$k" in pg17|pg15) ;; *) die 1 "$STATE is not a pg-sandbox state file (kind '$k')" ;; esac
	kind=$k
	setup_kind
	if [ -n "$run" ] && live_pid "$run/data" >/dev/null; then
		stop_server "$run/data"
		if live_pid "$run/data" >/dev/null; then die 1 "could not stop the $k cluster on port $p (data $run/data)"; fi
		remove_cluster "$run"
		rm -f "$STATE"; rmdir "$dir" 2>/dev/null || true
		echo "pg-sandbox: stopped the $k cluster on port $p and removed its data"
		return 0
	fi
	[ -n "$run" ] && remove_cluster "$run"
	rm -f "$STATE"; rmdir "$dir" 2>/dev/null || true
	die 1 "the $k cluster in $dir (port $p) was not running; removed its leftover data"
}

# --- status ----------------------------------------------------------------------------------------
cmd_status() {
	local run k p pid
	[ -f "$STATE" ] || die 1 "no sandbox cluster in $dir"
	k=$(state_get kind); p=$(state_get port); run=$(state_get run)
	if pid=$(live_pid "$run/data"); then
		echo "pg-sandbox: $k running on 127.0.0.1:$p, pid $pid, data $run/data"
		echo "host=127.0.0.1 port=$p user=postgres password=postgres dbname=postgres"
	else
		die 1 "$k cluster in $dir (port $p) is not running; restart it on its data with $SELF start --dir $dir, or remove it with $SELF down --dir $dir"
	fi
}

# --- kill / start: a crash and a restart on the same data, for fault tests -------------------------
# state file -> kind, port, run; sets up the kind's paths.  Refuses anything but a pg-sandbox state file.
load_state() {
	[ -f "$STATE" ] || die 1 "no sandbox cluster in $dir (start one with $SELF up pg17|pg15 --dir $dir)"
	kind=$(state_get kind); port=$(state_get port); RUN=$(state_get run)
	case "$kind" in pg17|pg15) ;; *) die 1 "$STATE is not a pg-sandbox state file (kind '$kind')" ;; esac
	setup_kind
	[ -n "$RUN" ] && [ -f "$RUN/data/PG_VERSION" ] ||
		die 1 "the $kind cluster in $dir has no data dir left (${RUN:-none}); start a new one with $SELF up $kind --dir $dir"
}

cmd_kill() {
	local pid i
	need_root
	load_state
	pid=$(live_pid "$RUN/data") ||
		die 1 "the $kind cluster in $dir (port $port) is not running; nothing to kill (restart it with $SELF start --dir $dir)"
	# The postmaster and its backends at once, as a crash (power loss, OOM kill of the container)
	# would: a backend orphaned by a lone SIGKILL of the postmaster keeps running until it next
	# checks for it, and a CPU-bound one (an index build) even commits.
	local pids
	pids="$pid $(ps -o pid= --ppid "$pid" | tr -s ' \n' ' ')"
	# shellcheck disable=SC2086 # a list of pids
	kill -KILL $pids 2>/dev/null || true
	# wait until they are reaped too (a zombie still holds the pid its lock files name), 10 s at most
	for i in $(seq 1 100); do
		[ -e "/proc/$pid" ] || break
		sleep 0.1
	done
	live_pid "$RUN/data" >/dev/null && die 1 "the $kind postmaster (pid $pid) is still alive after SIGKILL"
	echo "pg-sandbox: killed the $kind server on port $port with SIGKILL (postmaster $pid and $(($(wc -w <<<"$pids") - 1)) children); data kept in $RUN/data"
	echo "pg-sandbox: restart it with: $SELF start --dir $dir"
}

cmd_start() {
	local t0 pid inner elapsed i
	t0=$(date +%s.%N)
	need_root
	load_state
	if pid=$(live_pid "$RUN/data"); then
		die 1 "the $kind cluster in $dir is already running on port $port (pid $pid)"
	fi
	# backends of a killed postmaster may still hold the port for a moment
	for i in $(seq 1 50); do
		port_in_use "$port" || break
		sleep 0.1
	done
	port_in_use "$port" && die 1 "port $port is in use by another process; the $kind cluster in $dir cannot restart on it"
	inner=${RUN#"$ROOT"}
	# A killed postmaster leaves postmaster.pid and the socket's lock file behind, and until its
	# zombie is reaped the server takes that pid for a live one.  live_pid said the server is dead
	# (or a zombie), so both locks are stale.
	for f in "$RUN/data/postmaster.pid" "$RUN/.s.PGSQL.$port.lock"; do
		[ -f "$f" ] || continue
		note "removing the dead server's stale lock file $f"
		rm -f "$f"
	done
	as_pg "$PGBIN/pg_ctl -D $inner/data -l $inner/server.log -w -t 60 start >/dev/null 2>&1" || {
		note "last lines of $RUN/server.log:"; tail -n 15 "$RUN/server.log" >&2
		die 1 "the $kind cluster in $dir did not restart on port $port"
	}
	pid=$(live_pid "$RUN/data") || die 1 "the $kind cluster in $dir exited right after restarting (see $RUN/server.log)"
	elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
	echo "pg-sandbox: restarted the $kind cluster on 127.0.0.1:$port on its data, pid $pid, in ${elapsed}s"
	echo "host=127.0.0.1 port=$port user=postgres password=postgres dbname=postgres"
}

case "$cmd" in
up) cmd_up ;;
prepare) need_root; ensure_chroot ;;
down) cmd_down ;;
status) cmd_status ;;
kill) cmd_kill ;;
start) cmd_start ;;
esac
