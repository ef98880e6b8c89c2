#!/usr/bin/env bash
# Hostile inputs and secrets, on the runner's real pg17 + pgvector and on the embedded store:
# a schema named `we"ird; --`, names and filter values with quotes, semicolons, unicode and
# `'; DROP TABLE x; --` are stored and matched literally; invalid namespace and table names are
# refused clearly; a marker password (in agent.yml and through ${VAR}) never reaches stdout,
# stderr, JSON, screen dumps, files under HOME/XDG dirs or a core file; what vbadmin creates is
# 0700/0600.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${PG17_CONNINFO:?run via tests/run-all.sh (needs the pg17 sandbox)}"
H=$(pg_field "$PG17_CONNINFO" host); P=$(pg_field "$PG17_CONNINFO" port)
MARK='Zq9-marker-PW'
ROLE=vb_sec_$$ DB=vb_sec_$$ DB2=vb_sec2_$$
SCHEMA='we"ird; --'
OLD_CORE=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
psu() { PGPASSWORD=postgres psql -X -q -At -w -v ON_ERROR_STOP=1 "host=$H port=$P user=postgres dbname=${1:-postgres}" "${@:2}"; }
cleanup() {
	[ -n "$OLD_CORE" ] && [ "$(cat /proc/sys/kernel/core_pattern)" != "$OLD_CORE" ] &&
		printf '%s\n' "$OLD_CORE" >/proc/sys/kernel/core_pattern
	psu postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DB2 WITH (FORCE)" \
		-c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
	rm -rf "$T_TMP"
}
trap cleanup EXIT

psu postgres -c "CREATE ROLE $ROLE LOGIN PASSWORD '$MARK'" -c "CREATE DATABASE $DB OWNER $ROLE" \
	-c "CREATE DATABASE $DB2 OWNER $ROLE" >/dev/null
for d in "$DB" "$DB2"; do psu "$d" -c "CREATE EXTENSION vector" -c "CREATE TABLE public.x (i int)" >/dev/null; done

# Everything vbadmin prints goes to $OUTS; files are looked for under HOME and the XDG dirs.
CFGDIR=$T_TMP/cfg; OUTS=$T_TMP/outputs; mkdir -p "$CFGDIR" "$OUTS"
export XDG_CACHE_HOME=$T_TMP/cache
cat >"$CFGDIR/agent.yml" <<YML
agent:
  namespace:
    lit:
      type: postgresql
      host: $H
      port: $P
      database: $DB
      username: $ROLE
      password: $MARK
      schema: '$SCHEMA'
      timeout: 5
    env:
      type: postgresql
      host: $H
      port: $P
      database: $DB
      username: $ROLE
      password: \${VB_SEC_PW}
      schema: '$SCHEMA'
      timeout: 5
    bad:
      type: postgresql
      host: $H
      port: $P
      database: $DB
      username: $ROLE
      password: ${MARK}-wrong
      timeout: 5
$(hashing_storage_yml lit)
YML
sed 's/namespace: lit$/namespace: env/' "$CFGDIR/agent.yml" >"$CFGDIR/env.yml"
sed 's/namespace: lit$/namespace: bad/' "$CFGDIR/agent.yml" >"$CFGDIR/bad.yml"
export VB_SEC_PW=$MARK
n=0
vb() { # run vbadmin with its arguments, keep both streams
	n=$((n + 1))
	t_run "$VBADMIN" "$@"
	printf '%s\n' "$OUT" >"$OUTS/$n.out"; printf '%s\n' "$ERR" >"$OUTS/$n.err"
}

# ------------------------------------------------------------------ the weird schema, end to end
t_run "$VBADMIN" ddl render --schema "$SCHEMA"
t_has "$OUT" 'CREATE TABLE IF NOT EXISTS "we""ird; --".' "schema: ddl render quotes the schema as one identifier"
printf '%s\n' "$OUT" | psu "$DB2" -c "CREATE SCHEMA \"we\"\"ird; --\"" -f - >/dev/null 2>"$T_TMP/psql.err"
t_is "$?" 0 "schema: the rendered DDL applies with psql"
t_is "$(psu "$DB2" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'we\"ird; --'")" 10 \
	"schema: psql created the 10 tables inside the schema named we\"ird; --"
for cfg in agent env; do
	vb --config "$CFGDIR/$cfg.yml" ddl apply --yes
	[ $cfg = agent ] && t_is "$RC" 0 "schema: ddl apply into we\"ird; -- exits 0"
done
t_is "$(psu "$DB" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'we\"ird; --'")" 10 \
	"schema: ddl apply created the 10 tables in the schema, literally named"
t_is "$(psu "$DB" -c "SELECT count(*) FROM public.x")" 0 "schema: table x still exists (nothing was injected)"

# hostile names, stored and matched literally on both backends
Y=$T_TMP/evil.yaml
cat >"$Y" <<'EOF'
data_source:
  name: evil_src
  description: "Table with hostile column names"
  sql_table: shop.public.evil_src
  dimensions:
    - name: "O'Brien; DROP TABLE x; --"
      type: CATEGORICAL
      description: "a quote and a semicolon"
    - name: "'; DROP TABLE x; --"
      type: CATEGORICAL
      description: "classic injection"
    - name: "naïve 数据 \"q\""
      type: CATEGORICAL
      description: "unicode and double quotes"
    - name: "O"
      type: CATEGORICAL
      description: "decoy that a broken quote would match"
  measures:
    - name: total
      description: plain
      agg: SUM
      expr: amount
  identifiers:
    - name: evil_id
      type: PRIMARY
      entity: evil
EOF
BOOT=(bootstrap-kb --components semantic_model --kb_update_strategy incremental --semantic_yaml "$Y")
declare -A SAME
names() { printf '%s\n' "$1" | python3 -c 'import json,sys; print("|".join(r["name"] for r in json.load(sys.stdin)["results"]))'; }
for be in pgvector embedded; do
	if [ $be = pgvector ]; then C=(--config "$CFGDIR/agent.yml" --namespace lit); else printf 'agent:\n  namespace:\n    evil: {type: duckdb, uri: "duckdb:///evil.duckdb"}\n' > "$T_TMP/evil.yml"; C=(--config "$T_TMP/evil.yml" --embedder hashing --backend embedded --namespace evil); fi
	vb "${C[@]}" "${BOOT[@]}"
	t_is "$RC" 0 "$be: bootstrap of hostile names exits 0"
	for v in "O'Brien; DROP TABLE x; --" "'; DROP TABLE x; --" 'naïve 数据 "q"'; do
		q=${v//\'/\'\'}
		vb "${C[@]}" search --json --where "name = '$q'" "hostile"
		t_is "$RC" 0 "$be: search --where name = <$v> exits 0"
		t_is "$(names "$OUT")" "$v" "$be: the filter matches exactly the row named <$v>"
	done
	vb "${C[@]}" search --json --where "name IN ('O', 'naïve 数据 \"q\"')" "hostile"
	t_is "$(names "$OUT" | tr '|' '\n' | sort | tr '\n' ' ')" 'O naïve 数据 "q" ' "$be: IN with hostile literals matches literally"
	vb "${C[@]}" search --json --where "name LIKE 'O''B*'" "hostile"
	t_is "$(names "$OUT")" "O'Brien; DROP TABLE x; --" "$be: LIKE with a quote matches literally"
	vb "${C[@]}" search --table "semantic_model; DROP TABLE x; --" "hostile"
	t_is "$RC" 2 "$be: a hostile --table is refused with exit 2"
	t_has "$ERR" "semantic_model; DROP TABLE x; --" "$be: the refusal names the table given"
	# same filter, same answer (issue 14.8): the backslash escapes '_' on both backends, a vector
	# column takes IS [NOT] NULL, a lone trailing backslash is refused the same way
	for w in "name LIKE '%\\_%'" "name LIKE '%_%'" "vector IS NOT NULL" "vector IS NULL AND name = 'O'"; do
		vb "${C[@]}" search --json --top 100 --where "$w" "hostile"
		SAME["$be|$w"]="$RC $(names "$OUT" | tr '|' '\n' | sort | tr '\n' '|')"
	done
	for w in "name LIKE 'O\\'" "name LIKE '\\'"; do
		vb "${C[@]}" search --where "$w" "hostile"
		t_is "$RC" 2 "$be: --where \"$w\" is refused with exit 2"
		t_has "$ERR" "LIKE pattern on 'name' ends in a lone backslash" "$be: --where \"$w\" says why"
	done
done
for w in "name LIKE '%\\_%'" "name LIKE '%_%'" "vector IS NOT NULL" "vector IS NULL AND name = 'O'"; do
	t_is "${SAME["pgvector|$w"]}" "${SAME["embedded|$w"]}" "same filter, same answer on pgvector and embedded: $w"
done
t_is "${SAME["pgvector|name LIKE '%\\_%'"]}" "0 evil_id|evil_src|" "LIKE '%\\_%' matches only the names with an underscore"
t_lacks "${SAME["pgvector|name LIKE '%_%'"]}" "0 |" "LIKE '%_%' (no escape) matches every name"
t_is "$(psu "$DB" -c "SELECT name FROM \"we\"\"ird; --\".semantic_model WHERE name LIKE '%DROP%' ORDER BY 1" | tr '\n' '|')" \
	"'; DROP TABLE x; --|O'Brien; DROP TABLE x; --|" "pgvector: the rows hold the names byte for byte"
t_is "$(sqlite3 "$XDG_DATA_HOME/vbadmin/evil.db" "SELECT name FROM semantic_model WHERE name LIKE '%DROP%' ORDER BY 1" | tr '\n' '|')" \
	"'; DROP TABLE x; --|O'Brien; DROP TABLE x; --|" "embedded: the rows hold the names byte for byte"
t_is "$(psu "$DB" -c "SELECT count(*) FROM public.x")" 0 "pgvector: table x survived every hostile value"

# invalid namespace names are refused clearly, before anything is written
for ns in "'; DROP TABLE x; --" "../../etc/passwd" "a b" ""; do
	vb --config /dev/null --embedder hashing --namespace "$ns" "${BOOT[@]}"
	t_is "$RC" 2 "namespace <$ns>: refused with exit 2"
	t_has "$ERR" "namespace" "namespace <$ns>: the message is about the namespace"
done
t_ok "$([ ! -e "$XDG_DATA_HOME/etc" ] && [ -z "$(find "$T_TMP" -name 'passwd*' -newer "$Y")" ]; echo $?)" \
	"namespace: a path-like name created no file"

# ------------------------------------------------------------------ the marker password, everywhere
for cfg in agent env bad; do
	C=(--config "$CFGDIR/$cfg.yml")
	vb "${C[@]}" config show
	vb "${C[@]}" config show --json
	vb "${C[@]}" check
	vb "${C[@]}" check --json
	vb "${C[@]}" verify --json
	vb "${C[@]}" extension --json
	vb "${C[@]}" dba-packet
	vb "${C[@]}" dba-packet -o "$HOME/packet-$cfg.txt"
	[ $cfg != agent ] || { PKT_RC=$RC; PKT_ERR=$ERR; } # said at the modes check if the file is missing
	vb "${C[@]}" backends --json
	vb "${C[@]}" --namespace "$([ $cfg = agent ] && echo lit || echo $cfg)" "${BOOT[@]}"
	vb "${C[@]}" --namespace lit search --json "hostile"
	vb "${C[@]}" -v --namespace lit search --explain "hostile"
	vb "${C[@]}" index plan --json
done
t_has "$(cat "$OUTS"/*)" "password authentication failed" "secrets: the wrong-password runs did fail to log in"
t_has "$(cat "$OUTS"/*)" "********" "secrets: config show masks the password"
vb --config "$CFGDIR/agent.yml" contract-test --backend pgvector
t_is "$RC" 0 "secrets: contract-test on pgvector passes with the marker password"
# the console, headless, on the Setup and Search screens
printf '=wait\n6\n<Tab>\nhostile\n<Enter>\n=wait\n=dump %s\n' "$OUTS/console-search.screen" >"$T_TMP/keys"
(cd "$T_TMP" && VBADMIN_SCRIPT="$T_TMP/keys" VBADMIN_DUMP="$OUTS/console.screen" TERM=xterm LINES=24 COLUMNS=80 \
	timeout 60 "$VBADMIN" --config "$CFGDIR/env.yml" --namespace lit >"$OUTS/console.out" 2>"$OUTS/console.err")
t_is "$?" 0 "secrets: the headless console exits 0"
t_ok "$([ -s "$OUTS/console.screen" ] && [ -s "$OUTS/console-search.screen" ]; echo $?)" "secrets: the console wrote its screen dumps"
# the search prompt keeps a history file: lines holding the configured password or a
# "password" word are searched but never written to it
# (a search with results moves the focus to the result list; Tab goes back to the prompt)
printf '=wait\n6\nfind %s here\n<Enter>\n=wait\n<Tab>\nmy password is hunter2\n<Enter>\n=wait\n<Tab>\nplain history line\n<Enter>\n=wait\n=dump %s\n' \
	"$MARK" "$OUTS/console2.screen" >"$T_TMP/keys2"
(cd "$T_TMP" && VBADMIN_SCRIPT="$T_TMP/keys2" TERM=xterm LINES=24 COLUMNS=80 \
	timeout 60 "$VBADMIN" --config "$CFGDIR/env.yml" --namespace lit >"$OUTS/console2.out" 2>"$OUTS/console2.err")
t_has "$(cat "$XDG_STATE_HOME/vbadmin/search_history" 2>/dev/null)" "plain history line" "secrets: ordinary search lines go to the history"
t_lacks "$(cat "$XDG_STATE_HOME/vbadmin/search_history" 2>/dev/null)" "hunter2" "secrets: a line with the word password stays out of the history"
hits=$(grep -rlaF -e "$MARK" "$OUTS" "$HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" 2>/dev/null)
t_is "$hits" "" "secrets: the marker password is in no output, JSON, screen dump or file under HOME/XDG dirs"
t_ok "$([ "$(ls "$OUTS" | wc -l)" -gt 70 ]; echo $?)" "secrets: every command's output was collected ($(ls "$OUTS" | wc -l) files)"

# a core dump of a connected vbadmin: the process is not dumpable, so there is none to leak from
CORES=$T_TMP/cores; mkdir -p "$CORES"; chmod 700 "$CORES"
if printf '%s\n' "$CORES/core.%p" >/proc/sys/kernel/core_pattern 2>/dev/null; then
	cd "$CORES" || exit 1
	(ulimit -c unlimited; sleep 20 & c=$!; sleep 0.2; kill -SEGV $c; wait $c) 2>/dev/null
	t_ok "$([ -n "$(ls "$CORES")" ]; echo $?)" "core: a control process does leave a core in $CORES"
	rm -f "$CORES"/core.*
	bash "$ROOT/bench/gen_semantic.sh" 4000 "$T_TMP/big.yaml"
	(
		ulimit -c unlimited
		# ASan would otherwise switch core dumps off itself; the product must do it on its own
		ASAN_OPTIONS=disable_coredump=0:handle_segv=0:detect_leaks=0:use_madv_dontdump=1 \
			"$VBADMIN" --config "$CFGDIR/env.yml" --namespace lit bootstrap-kb --components semantic_model \
			--kb_update_strategy overwrite -y --all-data-sources --semantic_yaml "$T_TMP/big.yaml" >/dev/null 2>&1 &
		v=$!
		for _ in $(seq 1 100); do
			[ "$(psu "$DB" -c "SELECT count(*) FROM pg_stat_activity WHERE usename = '$ROLE'")" -gt 0 ] && break
			sleep 0.05
		done
		kill -SEGV $v; wait $v; echo $? >"$T_TMP/core.rc"
	) 2>/dev/null
	cd "$ROOT" || exit 1
	printf '%s\n' "$OLD_CORE" >/proc/sys/kernel/core_pattern
	t_is "$(cat "$T_TMP/core.rc")" 139 "core: the connected vbadmin died of SIGSEGV"
	t_is "$(ls "$CORES")" "" "core: vbadmin left no core file (not dumpable while it holds a password)"
	t_is "$(grep -rlaF -e "$MARK" "$CORES")" "" "core: no core holds the marker password"
else
	t_ok 1 "core: /proc/sys/kernel/core_pattern is writable (the test runs as root)"
fi

# ------------------------------------------------------------------ options may not contradict the entry (issue 14.3)
# sslmode=disable in options used to connect in plain text while config show said verify-full
optcfg() { # options-string [extra embedding yaml]
	cat >"$T_TMP/opt.yml" <<YML
agent:
  namespace:
    o: {type: postgresql, host: $H, port: $P, database: $DB, username: $ROLE, password: "$MARK", sslmode: verify-full, options: "$1"}
  storage:
    backends:
      namespace: o
$2
YML
}
for kv in "sslmode=disable" "host=10.9.9.9" "port=1" "dbname=postgres" "user=postgres" "password=x$MARK" \
	"hostaddr=127.0.0.1" "service=evil" "requiressl=0" " SSLMODE=disable"; do
	k=$(printf '%s' "$kv" | sed 's/^ *//; s/=.*//' | tr A-Z a-z)
	optcfg "statement_timeout=5s;$kv"
	t_run "$VBADMIN" --config "$T_TMP/opt.yml" check
	t_is "$RC" 2 "options '$k=': check exits 2 (config error), never connects"
	t_has "$OUT$ERR" "options of database entry 'o' sets $k" "options '$k=': the error names the option"
	t_has "$OUT$ERR" "which would override the entry's" "options '$k=': and the entry's field it would override"
	t_lacks "$OUT$ERR" "$MARK" "options '$k=': no password in the error"
done
optcfg "sslmode=disable"
t_run "$VBADMIN" --config "$T_TMP/opt.yml" config show --json
t_is "$RC" 2 "options sslmode=disable: config show refuses too (what it would show is not what is used)"
t_has "$ERR" "sslmode (verify-full)" "options sslmode=disable: the error names the entry's sslmode"
t_run "$VBADMIN" --config "$T_TMP/opt.yml" bootstrap-kb --components metrics --semantic_yaml "$ROOT/tests/data/kb_small.yaml"
t_is "$RC" 2 "options sslmode=disable: bootstrap-kb exits 2 before connecting"
# credentials inside any URL or options string are masked in config show (text and JSON)
optcfg "statement_timeout=5s;sslpassword=$MARK;application_name=x" "    semantic_model: {registry_name: openai, model_name: m, dim_size: 8, base_url: \"http://bob:$MARK@127.0.0.1:9/v1\"}"
t_run "$VBADMIN" --config "$T_TMP/opt.yml" config show
t_is "$RC" 0 "options with allowed keywords: config show exits 0"
t_has "$OUT" "options:       statement_timeout=5s;sslpassword=********;application_name=x" "config show: options shown, secret value masked"
t_has "$OUT" "http://bob:********@127.0.0.1:9/v1" "config show: base_url shown with its password masked"
t_lacks "$OUT$ERR" "$MARK" "config show: the marker is nowhere in text output"
t_run "$VBADMIN" --config "$T_TMP/opt.yml" config show --json
t_has "$OUT" '"options":"statement_timeout=5s;sslpassword=********;application_name=x"' "config show --json: options masked"
t_has "$OUT" '"base_url":"http://bob:********@127.0.0.1:9/v1"' "config show --json: base_url masked"
t_lacks "$OUT$ERR" "$MARK" "config show --json: the marker is nowhere"

# ------------------------------------------------------------------ bounded work on hostile inputs (issue 14.4)
# Each ends at once with exit 2 and a message naming file and line; `timeout 20` only stops a hang
# (the times go to "# time:" lines, docs/reliability.md quotes them).
HD=$T_TMP/hostile; mkdir -p "$HD"
/usr/bin/python3 - "$HD" <<'PY'
import sys
d = sys.argv[1]
s = 'a0: &a0 {x: 1}\n'
for i in range(1, 30):
    s += 'a%d: &a%d {<<: [%s]}\n' % (i, i, ', '.join(['*a%d' % (i - 1)] * 9))
open(d + '/bomb.yml', 'w').write(s + 'agent:\n  <<: *a29\n')
open(d + '/selfmerge.yml', 'w').write('agent: &d\n  <<: [' + ', '.join(['*d'] * 40) + ']\n')
open(d + '/nested.yml', 'w').write('agent: ' + '[' * 100000 + ']' * 100000 + '\n')
open(d + '/twodocs.yml', 'w').write('agent:\n  namespace: {}\n---\nagent:\n  namespace: {x: 1}\n')
open(d + '/nul.yml', 'w').write('agent:\n  namespace:\n    p: {type: postgresql, host: "db\\0.evil", port: 5432}\n')
open(d + '/deep.yaml', 'w').write('metric:\n  name: m\n  type: simple\n  type_params: {measure: x}\n'
                                  '  locked_metadata:\n    tags: ["subject_tree:' + '/'.join(['L%d' % i for i in range(5000)]) + '"]\n')
PY
hostile() { # file needle name
	local t0=$(date +%s.%N)
	t_run timeout 20 "$VBADMIN" --config "$HD/$1" config show
	echo "# time: $3 ended in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s (exit $RC)"
	t_is "$RC" 2 "$3: config show exits 2 at once"
	t_has "$ERR" "$HD/$1:" "$3: the message names the file and line"
	t_has "$ERR" "$2" "$3: the message says what is wrong"
}
hostile bomb.yml "pulls in more than 256 mappings" "merge bomb"
hostile selfmerge.yml "leads back to this mapping (a cycle)" "self-referencing merge list"
hostile nested.yml "nest deeper than 64 levels" "200 KB of nested flow lists"
hostile twodocs.yml "a second YAML document" "a second document"
hostile nul.yml "NUL character" "\\0 in a value"
mkdir -p "$HD/envdir"; printf 'agent: {}\n' >"$HD/envdir/agent.yml"; ln -s /dev/zero "$HD/envdir/.env"
t0=$(date +%s.%N)
t_run bash -c "cd '$HD/envdir' && timeout 20 '$VBADMIN' config show"
echo "# time: .env -> /dev/zero ended in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
t_is "$RC" 2 ".env symlinked to /dev/zero: exit 2 at once"
t_has "$ERR" ".env: the .env file is larger than 1024 KiB, the limit" ".env symlinked to /dev/zero: says so"
head -c 2000000 /dev/zero | tr '\0' '#' >"$HD/envdir/big.env"; rm "$HD/envdir/.env"; mv "$HD/envdir/big.env" "$HD/envdir/.env"
t_run bash -c "cd '$HD/envdir' && timeout 20 '$VBADMIN' config show"
t_is "$RC" 2 "a 2 MB .env: exit 2"
t_has "$ERR" "larger than 1024 KiB" "a 2 MB .env: names the limit"
t_run timeout 20 env XDG_DATA_HOME="$HD/data" "$VBADMIN" --namespace deep bootstrap-kb --components metrics --semantic_yaml "$HD/deep.yaml"
t_is "$RC" 2 "a 5,000-level subject_tree: exit 2 at once"
t_has "$ERR" "the subject_tree tag has 5000 levels; at most 64" "a 5,000-level subject_tree: names the limit"
t_ok "$([ ! -e "$HD/data/vbadmin/deep.db" ]; echo $?)" "a 5,000-level subject_tree: no deep.db is created"
# a 600-word text query ends at once with a clear message (it used to run for minutes)
printf 'data_source:\n  name: d\n  sql_table: public.d\n  dimensions:\n    - name: x\n      type: CATEGORICAL\n' >"$HD/small.yaml"
t_run env XDG_DATA_HOME="$HD/data" "$VBADMIN" --namespace deep bootstrap-kb --components semantic_model --semantic_yaml "$HD/small.yaml"
t_is "$RC" 0 "600-word query: a small file creates namespace deep to search"
Q600=$(printf 'revenue %.0s' $(seq 600))
for mode in text hybrid; do
	t_run timeout 20 env XDG_DATA_HOME="$HD/data" "$VBADMIN" --namespace deep search --mode $mode "$Q600"
	t_is "$RC" 2 "600-word $mode query: exit 2"
	t_has "$ERR" "the query has 600 words; $mode search takes at most 64" "600-word $mode query: says why"
done

# ------------------------------------------------------------------ every write checked (issue 14.6)
for cmd in "config show --json" "config show" "backends --json" "--namespace lit dba-packet"; do
	t_run bash -c "'$VBADMIN' --config '$CFGDIR/agent.yml' $cmd >/dev/full"
	t_is "$RC" 1 "full output: '$cmd' >/dev/full exits 1, not 0"
	t_has "$ERR" "cannot write the output: No space left on device" "full output: '$cmd' says why"
done
mkdir -p "$T_TMP/full"
mount -t tmpfs -o size=8k,mode=0755 vbfull "$T_TMP/full" && head -c 8192 /dev/zero >"$T_TMP/full/filler" 2>/dev/null
t_run "$VBADMIN" --config "$CFGDIR/agent.yml" --namespace lit dba-packet -o "$T_TMP/full/packet.txt"
t_is "$RC" 1 "full output: dba-packet -o on a full disk exits 1"
t_has "$ERR" "No space left on device; nothing was written" "full output: and says nothing was written"
t_lacks "$ERR" "wrote " "full output: never 'wrote FILE'"
t_is "$(ls "$T_TMP/full")" "filler" "full output: no partial or temp file is left"
umount "$T_TMP/full"
printf 'keep me\n' >"$T_TMP/victim"; chmod 644 "$T_TMP/victim"; ln -s "$T_TMP/victim" "$T_TMP/link.txt"
t_run "$VBADMIN" --config "$CFGDIR/agent.yml" --namespace lit dba-packet -o "$T_TMP/link.txt"
t_is "$(cat "$T_TMP/victim")" "keep me" "symlink: dba-packet -o does not write through a symlink"
t_is "$(stat -c '%F %a' "$T_TMP/link.txt")" "regular file 600" "symlink: the link is replaced by a new 0600 file"
printf 'old\n' >"$T_TMP/old.txt"; chmod 644 "$T_TMP/old.txt"
t_run "$VBADMIN" --config "$CFGDIR/agent.yml" --namespace lit dba-packet -o "$T_TMP/old.txt"
t_is "$(stat -c '%a' "$T_TMP/old.txt")" 600 "symlink: an existing 0644 file becomes 0600"

# ------------------------------------------------------------------ smaller holes (issue 14.8)
# stored terminal escapes are shown escaped by the CLI (the console already did)
cat >"$T_TMP/esc.yaml" <<'YML'
data_source:
  name: evil
  sql_table: public.evil
  description: "before \e[2J\e]0;pwned\a after"
  dimensions:
    - name: d
      type: CATEGORICAL
YML
t_run env XDG_DATA_HOME="$HD/data" "$VBADMIN" --namespace esc bootstrap-kb --components semantic_model --semantic_yaml "$T_TMP/esc.yaml"
t_is "$RC" 0 "escapes: a description with terminal escapes is stored as it is"
t_run env XDG_DATA_HOME="$HD/data" "$VBADMIN" --namespace esc search --mode text "before after"
t_lacks "$OUT" $'\e' "escapes: search prints no raw ESC"
t_lacks "$OUT" $'\a' "escapes: search prints no raw BEL"
t_has "$OUT" 'before \x1b[2J\x1b]0;pwned\x07 after' "escapes: they are shown as \\xNN"
# a mistyped namespace: a command that only reads names the namespaces there and creates nothing
for cmd in "search event" "check" "verify"; do
	t_run env XDG_DATA_HOME="$HD/data" "$VBADMIN" --namespace eesc $cmd
	t_is "$RC" 2 "mistyped namespace: $cmd exits 2"
	t_has "$OUT$ERR" "no namespace eesc in the embedded store at $HD/data/vbadmin, known: " "mistyped namespace: $cmd says so"
	t_ok "$(printf '%s' "$OUT$ERR" | grep -Eq 'known: (.*, )?esc(,|$)'; echo $?)" "mistyped namespace: $cmd lists esc, the namespace that exists"
	t_ok "$([ ! -e "$HD/data/vbadmin/eesc.db" ]; echo $?)" "mistyped namespace: $cmd created no eesc.db"
done
t_run env XDG_DATA_HOME="$HD/fresh" "$VBADMIN" check
t_is "$RC" 0 "the default namespace is still created by a first check"
# a bootstrap-kb whose YAML fails into a namespace with no store yet: the file is checked before
# the store is opened, so no empty <ns>.db (nor its -wal/-shm/-journal) is left behind
printf 'data_source: [unclosed\n' >"$T_TMP/broken.yaml"
printf 'metric:\n  name: m\n' >"$T_TMP/nodata.yaml"
for bad in "broken.yaml|semantic_model" "missing.yaml|semantic_model" "esc.yaml|metrics" "nodata.yaml|semantic_model"; do
	f=${bad%|*} comp=${bad#*|}
	t_run env XDG_DATA_HOME="$HD/data" "$VBADMIN" --namespace nbad bootstrap-kb --components "$comp" --semantic_yaml "$T_TMP/$f"
	t_is "$RC" 2 "bad yaml into a new namespace: $f ($comp) exits 2"
	t_has "$ERR" "$T_TMP/$f" "bad yaml into a new namespace: $f ($comp) names the file"
	t_is "$(ls "$HD/data/vbadmin" | grep -c '^nbad\.db')" 0 "bad yaml into a new namespace: $f ($comp) left no nbad.db, -wal, -shm or -journal"
done
t_run env XDG_DATA_HOME="$HD/data" "$VBADMIN" --namespace nbad bootstrap-kb --components semantic_model --semantic_yaml "$T_TMP/esc.yaml"
t_is "$RC" 0 "bad yaml into a new namespace: a good file then creates it"
t_ok "$([ -s "$HD/data/vbadmin/nbad.db" ]; echo $?)" "bad yaml into a new namespace: nbad.db exists after the good file"
# a schema name PostgreSQL would cut at 63 bytes
S64=$(printf 's%.0s' $(seq 64))
cat >"$T_TMP/s64.yml" <<YML
agent:
  namespace:
    s64: {type: postgresql, host: $H, port: $P, database: $DB, username: $ROLE, password: "$MARK", schema: $S64}
  storage:
    backends:
      namespace: s64
YML
t_run "$VBADMIN" --config "$T_TMP/s64.yml" check
t_is "$RC" 2 "64-byte schema: check exits 2 (config), not 'table does not exist'"
t_has "$OUT$ERR" "is 64 bytes long; PostgreSQL names are at most 63 bytes" "64-byte schema: says why"

# ------------------------------------------------------------------ modes of what vbadmin creates
mode() { stat -c %a "$1" 2>/dev/null; }
t_is "$(mode "$XDG_DATA_HOME/vbadmin")" 700 "modes: the embedded data dir is 0700"
t_is "$(mode "$XDG_DATA_HOME/vbadmin/evil.db")" 600 "modes: the embedded .db is 0600"
# WAL files exist while a connection is open: look at them from a second process mid-load
printf 'agent:\n  namespace:\n    walmode: {type: sqlite, uri: "sqlite:///walmode.db"}\n' > "$T_TMP/walmode.yml"
V=(--config "$T_TMP/walmode.yml" --embedder hashing --backend embedded --namespace walmode bootstrap-kb --components semantic_model --kb_update_strategy incremental
	--all-data-sources --batch-size 50 --semantic_yaml "$T_TMP/big.yaml")
"$VBADMIN" "${V[@]}" >/dev/null 2>&1 & v=$!
for _ in $(seq 1 200); do [ -e "$XDG_DATA_HOME/vbadmin/walmode.db-wal" ] && break; sleep 0.02; done
t_is "$(mode "$XDG_DATA_HOME/vbadmin/walmode.db-wal")" 600 "modes: the -wal file is 0600"
t_is "$(mode "$XDG_DATA_HOME/vbadmin/walmode.db-shm")" 600 "modes: the -shm file is 0600"
wait $v
t_is "$(mode "$XDG_STATE_HOME/vbadmin")" 700 "modes: the console's state dir is 0700"
t_is "$(mode "$XDG_STATE_HOME/vbadmin/search_history")" 600 "modes: the search history is 0600"
t_is "$(mode "$HOME/packet-agent.txt")" 600 "modes: dba-packet -o writes its file 0600"
[ -e "$HOME/packet-agent.txt" ] || printf 'exit %s\n%s\n' "$PKT_RC" "$PKT_ERR" | sed 's/^/#   dba-packet: /' | head -20
bad=$(find "$HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" -newer "$CFGDIR/agent.yml" \
	\( -type d ! -perm 700 -o -type f ! -perm 600 \) ! -path "$HOME" 2>/dev/null | grep -v "^$HOME\$")
t_is "$bad" "" "modes: every dir vbadmin made is 0700 and every file 0600"

t_done
