#!/usr/bin/env bash
# bench/run.sh - `make bench`: every figure a ratio against a peer measured side by side in this
# run, printed as a table and written to docs/benchmarks.md with the machine, versions and date.
#
#   OUT=DIR bench/run.sh     DIR holds vbadmin, backends/pgvector/vb_pgvector.so, bench/bin/*
#
# Starts its own PostgreSQL 17 + pgvector sandbox (scripts/pg-sandbox.sh) and always stops it.
# Knobs: BENCH_ROUNDS (default 7), BENCH_SIZES (default "10000 100000 1000000"),
# BENCH_OBJECTS (default "1000 10000 50000"), BENCH_DOC (default docs/benchmarks.md; "-" = none).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(realpath "${OUT:-.}")
BIN=$OUT/bench/bin
VBADMIN=$OUT/vbadmin
PY=/usr/bin/python3
ROUNDS=${BENCH_ROUNDS:-7}
SIZES=${BENCH_SIZES:-10000 100000 1000000}
OBJECTS=${BENCH_OBJECTS:-1000 10000 50000}
DOC=${BENCH_DOC:-docs/benchmarks.md}
export VBADMIN_PLUGIN_PATH=$OUT/backends/pgvector
export PGPASSWORD=postgres

W=$(mktemp -d /tmp/vbadmin-bench.XXXXXX)
PGDIR=$W/pgstate
PG_UP=
cleanup() {
	if [ -n "$PG_UP" ]; then scripts/pg-sandbox.sh down --dir "$PGDIR" >/dev/null 2>&1 || true; fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf 'bench: %s\n' "$*" >&2; }
now() { echo "$EPOCHREALTIME"; }
ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", (b - a) * 1000 }'; }
field() { awk -v k="$1" '$1 == k { print $2; exit }'; }  # "key value" lines on stdin
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b == 0) print "nan"; else printf f "\n", a / b }'; }
meets() { awk -v v="$1" -v g="$2" 'BEGIN { print (v + 0 >= g + 0) ? "met" : "MISSED" }'; }
range() { tr ' ' '\n' | awk 'NF { if (n++ == 0 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 } END { printf "%.2f-%.2fx", lo, hi }'; }
below() { awk -v v="$1" -v g="$2" 'BEGIN { print (v + 0 < g + 0) ? "met" : "MISSED" }'; }

declare -A R  # every figure by name, for the table and the document
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(now)

# ------------------------------------------------------------------ machine and versions
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ram=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
gccv=$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)
pyv=$($PY -c 'import sys, numpy, psycopg2; print("Python %d.%d.%d, numpy %s, psycopg2 %s" % (sys.version_info[:3] + (numpy.__version__, psycopg2.__version__.split()[0])))')
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)
sqlitev=$(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo unknown)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

# ------------------------------------------------------------------ data
say "generating vectors"
"$BIN/vecgen" 10000 384 1 "$W/pg.f32"
"$BIN/vecgen" 1000 384 2 "$W/q.f32"

# ------------------------------------------------------------------ PostgreSQL 17 + pgvector
say "starting PostgreSQL 17 + pgvector"
conn=
for port in 55601 55613 55627 55641 55659; do
	if conn=$(scripts/pg-sandbox.sh up pg17 --port "$port" --dir "$PGDIR" 2>"$W/pg.log" | tail -n 1) && [ -n "$conn" ]; then
		PG_UP=1
		break
	fi
done
[ -n "$PG_UP" ] || { cat "$W/pg.log" >&2; say "cannot start the sandbox"; exit 1; }
host=127.0.0.1
DB=vbbench
PSQL=(env PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
P() { "${PSQL[@]}" -d "$DB" "$@"; }
P -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
P -c "CREATE TABLE bench_vec (namespace TEXT NOT NULL, id TEXT, name TEXT, vector vector(384), UNIQUE (namespace, id))" >/dev/null
pgver=$(P -c "SHOW server_version" | cut -d' ' -f1)
pgvv=$(P -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'")
pgconf=$(P -c "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'max_wal_size')")

# the psql peer loads the very rows the plugin wrote, in PostgreSQL's binary COPY format
"$BIN/pgv_bench" add "$host" "$port" "$DB" "$W/pg.f32" 10000 >/dev/null
P -c "\\copy bench_vec (namespace, id, name, vector) TO '$W/rows.bin' (FORMAT binary)"

# psql's own \timing around the COPY (connect excluded, as on the other sides); sums "Time:" lines
psql_timed() { P -c "CHECKPOINT" >/dev/null; { echo '\timing on'; cat; } | "${PSQL[@]}" -d "$DB" | awk '/^Time:/ { s += $2 } END { printf "%.3f\n", s }'; }
psql_add() {
	P -c "TRUNCATE bench_vec" >/dev/null
	psql_timed <<EOF
\\copy bench_vec (namespace, id, name, vector) FROM '$W/rows.bin' (FORMAT binary)
EOF
}
psql_upsert() {
	P -c "TRUNCATE bench_vec" >/dev/null
	P -c "\\copy bench_vec (namespace, id, name, vector) FROM '$W/rows.bin' (FORMAT binary)" >/dev/null
	psql_timed <<EOF
BEGIN;
CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT namespace, id, name, vector FROM bench_vec WITH NO DATA;
\\copy stage FROM '$W/rows.bin' (FORMAT binary)
INSERT INTO bench_vec (namespace, id, name, vector) SELECT namespace, id, name, vector FROM stage
  ON CONFLICT (namespace, id) DO UPDATE SET name = EXCLUDED.name, vector = EXCLUDED.vector;
COMMIT;
EOF
}
vb_write() { "$BIN/pgv_bench" "$1" "$host" "$port" "$DB" "$W/pg.f32" 10000 | field ms; }
py_write() { $PY bench/py_pg.py "$1" "$host" "$port" "$DB" "$W/pg.f32" 10000 | field ms; }

py_rounds=$(( ROUNDS < 3 ? ROUNDS : 3 ))  # psycopg2 takes seconds a round; 3 medians are plenty
for op in add upsert; do
	say "pgvector $op: vbadmin vs psql vs psycopg2 ($ROUNDS rounds)"
	vbs= pqs= pys= rat=
	for r in $(seq 1 "$ROUNDS"); do
		# who goes first rotates, so drift and cache warmth hit every side alike
		if [ $((r % 2)) = 1 ]; then v=$(vb_write $op); p=$(psql_$op); else p=$(psql_$op); v=$(vb_write $op); fi
		vbs+=" $v" pqs+=" $p" rat+=" $(div "$p" "$v" %.4f)"
		if [ "$r" -le "$py_rounds" ]; then pys+=" $(py_write $op)"; fi
	done
	R[${op}_vb_ms]=$(echo $vbs | median); R[${op}_psql_ms]=$(echo $pqs | median); R[${op}_py_ms]=$(echo $pys | median)
	R[${op}_vs_psql]=$(echo $rat | median | xargs printf '%.2f')
	R[${op}_range]=$(echo $rat | range)
	R[${op}_vs_py]=$(div "${R[${op}_py_ms]}" "${R[${op}_vb_ms]}" %.1f)
done

# ------------------------------------------------------------------ vector top-10 on pgvector
"$BIN/pgv_bench" add "$host" "$port" "$DB" "$W/pg.f32" 10000 >/dev/null
P -c "VACUUM ANALYZE bench_vec" >/dev/null
search_round() { # tag nq: one pgv_bench run (2 alternating inner rounds) and one psycopg2 run
	local out py
	out=$("$BIN/pgv_bench" search "$host" "$port" "$DB" "$W/q.f32" "$2" 2 "$W/ids_$1.txt" "$W/sql.txt")
	py=$($PY bench/py_pg.py search "$host" "$port" "$DB" "$W/q.f32" "$2" 1 "$W/sql.txt" | field psycopg2_qps)
	echo "$out" | field vbadmin_qps >>"$W/$1.vb"
	echo "$out" | field libpq_qps >>"$W/$1.pq"
	echo "$out" | field ratio >>"$W/$1.ratio"
	echo "$py" >>"$W/$1.py"
	div "$(echo "$out" | field vbadmin_qps)" "$py" %.4f >>"$W/$1.pyratio"
	echo "$out" | awk '$1 == "plan" { $1 = ""; sub(/^ /, ""); sub(/  \(cost.*/, ""); print; exit }' >"$W/$1.plan"
}
search_figures() { # tag
	R[$1_vb_qps]=$(median <"$W/$1.vb"); R[$1_pq_qps]=$(median <"$W/$1.pq"); R[$1_py_qps]=$(median <"$W/$1.py")
	R[$1_vs_libpq]=$(median <"$W/$1.ratio" | xargs printf '%.2f')
	R[$1_vs_py]=$(median <"$W/$1.pyratio" | xargs printf '%.2f')
	R[$1_range]=$(range <"$W/$1.ratio")
	R[$1_plan]=$(cat "$W/$1.plan")
}
sr=$(( ROUNDS < 5 ? ROUNDS : 5 ))
say "pgvector top-10 without an index: $sr rounds of 100 queries"
for r in $(seq 1 "$sr"); do search_round exact 100; done
search_figures exact
say "building the HNSW index"
t0=$(now)
P -c "CREATE INDEX bench_vec_hnsw ON bench_vec USING hnsw (vector vector_cosine_ops)" >/dev/null
R[hnsw_build_s]=$(awk -v m="$(ms_since "$t0")" 'BEGIN { printf "%.1f", m / 1000 }')
P -c "ANALYZE bench_vec" >/dev/null
say "pgvector top-10 with HNSW: $sr rounds of 1000 queries"
for r in $(seq 1 "$sr"); do search_round hnsw 1000; done
search_figures hnsw
# recall@10: the index's ids against the exact scan's, query by query (the first 100 queries)
R[recall]=$(paste -d'|' "$W/ids_exact.txt" <(head -n 100 "$W/ids_hnsw.txt") | awk -F'|' '
	{ n = split($1, a, " "); split($2, b, " "); delete m; for (i = 1; i <= n; i++) m[a[i]] = 1
	  for (i = 1; i <= n; i++) if (b[i] in m) hit++; all += n }
	END { printf "%.3f", hit / all }')
scripts/pg-sandbox.sh down --dir "$PGDIR" >/dev/null 2>&1 || true
PG_UP=

# ------------------------------------------------------------------ embedded exact scan
say "memory read bandwidth (1 GiB buffer)"
R[dram_gbs]=$("$BIN/emb_bench" membw 1024 | field read_gbs)
maxn=0
for n in $SIZES; do [ "$n" -gt "$maxn" ] && maxn=$n; done
"$BIN/vecgen" "$maxn" 384 1 "$W/emb.f32"
for n in $SIZES; do
	if [ "$n" -ge 1000000 ]; then nq=10 er=2 nr=1; elif [ "$n" -ge 100000 ]; then nq=50 er=2 nr=1; else nq=200 er=2 nr=1; fi
	say "embedded exact scan, $n x 384: store fill, then 3 rounds of $nq queries x $er (vbadmin) and x $nr (numpy)"
	d=$W/emb_$n
	mkdir -p "$d"
	fill=$("$BIN/emb_bench" fill "$d" "$W/emb.f32" "$n")
	# rounds of (vbadmin, numpy), each side a fresh process: the ratio is paired per round, so
	# load from other work on the machine weighs on both sides of a ratio alike
	es= ns= rs= ls= rds= gs=
	for r in $(seq 1 3); do
		out=$("$BIN/emb_bench" scan "$d" "$W/q.f32" "$nq" "$er" "$W/emb_ids.txt")
		np=$($PY bench/py_scan.py "$W/emb.f32" "$n" "$W/q.f32" "$nq" "$nr" "$W/np_ids.txt" | field scan_ms)
		e=$(echo "$out" | field scan_ms)
		es+=" $e" ns+=" $np" rs+=" $(div "$np" "$e" %.4f)" ls+=" $(echo "$out" | field load_ms)"
		rds+=" $(echo "$out" | field read_ms)" gs+=" $(echo "$out" | field scan_gbs)"
	done
	R[e${n}_fill_rps]=$(div "$n" "$(echo "$fill" | field ms)" "%.0f" | awk '{ printf "%.0f", $1 * 1000 }')
	R[e${n}_load_ms]=$(echo $ls | median)
	R[e${n}_ms]=$(echo $es | median)
	R[e${n}_read_ms]=$(echo $rds | median)
	R[e${n}_gbs]=$(echo $gs | median)
	R[e${n}_np_ms]=$(echo $ns | median)
	R[e${n}_vs_np]=$(echo $rs | median | xargs printf '%.1f')
	R[e${n}_np_range]=$(echo $rs | range)
	R[e${n}_np_gbs]=$(awk -v n="$n" -v m="${R[e${n}_np_ms]}" 'BEGIN { printf "%.2f", n * 384 * 4 / m / 1e6 }')
	R[e${n}_frac]=$(awk -v r="${R[e${n}_read_ms]}" -v s="${R[e${n}_ms]}" 'BEGIN { printf "%.0f", r / s * 100 }')
	R[e${n}_frac_dram]=$(awk -v g="${R[e${n}_gbs]}" -v d="${R[dram_gbs]}" 'BEGIN { printf "%.0f", g / d * 100 }')
	R[e${n}_agree]=$(paste -d'|' "$W/emb_ids.txt" "$W/np_ids.txt" | awk -F'|' '
		{ n = split($1, a, " "); split($2, b, " "); delete m; for (i = 1; i <= n; i++) m[a[i]] = 1
		  for (i = 1; i <= n; i++) if (b[i] in m) hit++; all += n }
		END { printf "%.3f", hit / all }')
	rm -rf "$d"
done
rm -f "$W/emb.f32"

# ------------------------------------------------------------------ hashing embedder
say "hashing embedder"
eo=$("$BIN/emb_bench" embed 200000)
R[embed_tps]=$(echo "$eo" | field texts_per_s)
R[embed_bytes]=$(echo "$eo" | field avg_bytes)
R[embed_vs_goal]=$(div "${R[embed_tps]}" 50000 %.1f)
R[embed_sk]=
if $PY -c 'import sklearn' 2>/dev/null; then
	R[embed_sk]=$($PY bench/py_embed.py 50000 | field texts_per_s)
	R[embed_vs_sk]=$(div "${R[embed_tps]}" "${R[embed_sk]}" %.1f)
fi

# ------------------------------------------------------------------ bootstrap end to end
# fresh sandbox: the search phase's index and bloat must not weigh on bootstrap
say "bootstrap-kb: ${OBJECTS// /, } objects on both backends"
conn=$(scripts/pg-sandbox.sh up pg17 --port "$port" --dir "$PGDIR" 2>"$W/pg.log" | tail -n 1) && PG_UP=1
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
P -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
mkdir -p "$W/cfg" "$W/run"
cat >"$W/cfg/agent.yml" <<YML
agent:
  namespace:
    pgv: {type: postgresql, host: $host, port: $port, database: $DB, username: postgres, password: postgres}
YML
for n in $OBJECTS; do printf '    b%s: {type: postgresql, host: %s, port: %s, database: %s, username: postgres, password: postgres}\n' "$n" "$host" "$port" "$DB"; done >>"$W/cfg/agent.yml"
printf '  storage:\n    backends:\n      namespace: pgv\n' >>"$W/cfg/agent.yml"
"$VBADMIN" --config "$W/cfg/agent.yml" ddl render | P >/dev/null
export HOME=$W/home XDG_DATA_HOME=$W/home/data XDG_CONFIG_HOME=$W/home/config XDG_STATE_HOME=$W/home/state
mkdir -p "$XDG_DATA_HOME"
boot() { # backend n component -> "seconds rss_kb"
	local cfg=()
	[ "$1" = pgvector ] && cfg=(--config "$W/cfg/agent.yml")
	(cd "$W/run" && /usr/bin/time -f '%e %M' -o "$W/time.out" "$VBADMIN" "${cfg[@]}" bootstrap-kb --components "$3" \
		--namespace "b$2" --kb_update_strategy incremental --semantic_yaml "$W/sem_$2.yaml" --all-data-sources \
		>"$W/boot.log" 2>&1) || { cat "$W/boot.log" >&2; say "bootstrap failed"; exit 1; }
	cat "$W/time.out"
}
count_rows() { # backend n
	if [ "$1" = pgvector ]; then
		P -c "SELECT (SELECT count(*) FROM semantic_model WHERE namespace = 'b$2') + (SELECT count(*) FROM metrics WHERE namespace = 'b$2')"
	else
		sqlite3 "$XDG_DATA_HOME/vbadmin/b$2.db" "SELECT (SELECT count(*) FROM semantic_model) + (SELECT count(*) FROM metrics)"
	fi
}
for n in $OBJECTS; do
	bench/gen_semantic.sh "$n" "$W/sem_$n.yaml"
	for be in embedded pgvector; do
		o=$(boot $be "$n" semantic_model); read -r s1 m1 <<<"$o"
		o=$(boot $be "$n" metrics); read -r s2 m2 <<<"$o"
		rows=$(count_rows $be "$n")
		R[b_${be}_${n}_rows]=$rows
		R[b_${be}_${n}_rps]=$(awk -v r="$rows" -v s="$s1" -v t="$s2" 'BEGIN { printf "%.0f", r / (s + t) }')
		R[b_${be}_${n}_rss]=$(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.1f", (a > b ? a : b) / 1024 }')
	done
done
first=${OBJECTS%% *} last=${OBJECTS##* }
for be in embedded pgvector; do
	R[b_${be}_flat]=$(div "${R[b_${be}_${last}_rss]}" "${R[b_${be}_${first}_rss]}" %.2f)
	R[b_${be}_goal]=$(below "${R[b_${be}_${last}_rss]}" 64)
done
scripts/pg-sandbox.sh down --dir "$PGDIR" >/dev/null 2>&1 || true
PG_UP=

# ------------------------------------------------------------------ console first frame
say "console first frame (headless, embedded default)"
: >"$W/empty.keys"
ff= fl= R[ff_crashes]=0
for i in $(seq 1 15); do
	# a run that dies is counted, not timed: its "frame" never reached the screen
	t0=$(now)
	if (cd "$W/run" && VBADMIN_SCRIPT="$W/empty.keys" VBADMIN_DUMP="$W/frame.txt" "$VBADMIN" >/dev/null 2>&1); then
		ff+=" $(ms_since "$t0")"
	else
		R[ff_crashes]=$((R[ff_crashes] + 1))
	fi
	t0=$(now); "$VBADMIN" help >/dev/null 2>&1; fl+=" $(ms_since "$t0")"
done
grep -q "Setup wizard" "$W/frame.txt" || { say "the headless console drew no Setup screen"; exit 1; }
R[ff_ms]=$(echo $ff | median | xargs printf '%.1f')
R[ff_floor_ms]=$(echo $fl | median | xargs printf '%.1f')
R[ff_vs_goal]=$(div 100 "${R[ff_ms]}" %.1f)

# ------------------------------------------------------------------ why a goal was missed
NOTES=
note() { NOTES+="- $*"$'\n'; }
pgpq_ms() { awk -v q="$1" 'BEGIN { printf "%.2f", 1000 / q }'; }
for op in add upsert; do
	[ "$(meets "${R[${op}_vs_psql]}" 0.9)" = met ] || note "pgvector $op vs psql ${R[${op}_vs_psql]}x (goal 0.9x): both sides" \
		"send the same binary COPY stream; vbadmin also encodes the rows from its in-memory values and" \
		"wraps them in BEGIN/COMMIT.  Per-round ratios spread over ${R[${op}_range]} on this shared machine" \
		"(load average $load_start)."
done
[ "$(meets "${R[add_vs_py]}" 5)" = met ] || note "add vs psycopg2 ${R[add_vs_py]}x (goal 5x): see the per-side times above."
[ "$(meets "${R[upsert_vs_py]}" 2)" = met ] || note "upsert vs psycopg2 ${R[upsert_vs_py]}x (goal 2x): see the per-side times above."
for s in exact hnsw; do
	[ "$(meets "${R[${s}_vs_libpq]}" 0.95)" = met ] || note "top-10 ($s) vs libpq ${R[${s}_vs_libpq]}x (goal 0.95x):" \
		"the plugin sends the same statement and parameters; per-round ratios spread over ${R[${s}_range]}," \
		"on this shared machine."
done
[ "$(meets "${R[exact_vs_py]}" 1.5)" = met ] || note "top-10 without an index vs psycopg2 ${R[exact_vs_py]}x (goal 1.5x):" \
	"without an index every query is a sequential scan computing 10k cosine distances in the server," \
	"$(pgpq_ms "${R[exact_pq_qps]}") ms per query even for the bare libpq loop; client work (vbadmin or psycopg2) is a" \
	"small fraction of that, so no client can be 1.5x faster here.  The goal holds where the server" \
	"time is small: with the HNSW index (row above) the client's share decides, and vbadmin leads."
[ "$(meets "${R[hnsw_vs_py]}" 1.5)" = met ] || note "top-10 with HNSW vs psycopg2 ${R[hnsw_vs_py]}x (goal 1.5x): the" \
	"server's index search ($(pgpq_ms "${R[hnsw_pq_qps]}") ms per query for the bare libpq loop) dominates the" \
	"client time of either side."
for n in $SIZES; do
	[ "$(meets "${R[e${n}_vs_np]}" 4)" = met ] || note "embedded $n x 384 vs numpy ${R[e${n}_vs_np]}x (goal 4x," \
		"per-round ratios ${R[e${n}_np_range]}): vbadmin's scan runs at ${R[e${n}_gbs]} GB/s, near what one core can" \
		"read (${R[dram_gbs]} GB/s over 1 GiB), so it cannot go faster; numpy's matrix-vector product goes through" \
		"$blas and reaches ${R[e${n}_np_gbs]} GB/s." \
		"The ratio is therefore the bandwidth ratio, which moves with how the other jobs on this 2-core" \
		"machine load the memory bus and the cores during the run."
	[ "$(meets "${R[e${n}_frac_dram]}" 80)" = met ] || note "embedded $n x 384 at ${R[e${n}_frac_dram]}% of memory" \
		"read bandwidth (goal 80%): the scan reads ${R[e${n}_gbs]} GB/s against ${R[dram_gbs]} GB/s for the" \
		"read loop; the same-bytes read loop took ${R[e${n}_read_ms]} ms against the scan's ${R[e${n}_ms]} ms."
done
[ "$(meets "${R[embed_vs_goal]}" 1)" = met ] || note "hashing embedder below 50k texts/s/core."
for be in embedded pgvector; do
	[ "${R[b_${be}_goal]}" = met ] || note "bootstrap on $be peaks at ${R[b_${be}_${last}_rss]} MB at $last objects (goal < 64 MB, flat)."
done
[ "$(below "${R[ff_ms]}" 100)" = met ] || note "console first frame ${R[ff_ms]} ms (goal < 100 ms)."
[ "${R[ff_crashes]}" = 0 ] || note "console: ${R[ff_crashes]} of 15 headless runs did not exit 0 (a crash in the" \
	"console, reported to its owner; those runs are not timed)."

. bench/embed_http.sh  # HTTP embedder vs a Python client (its own file)

# ------------------------------------------------------------------ report
R[total_s]=$(awk -v m="$(ms_since "$t_start")" 'BEGIN { printf "%.0f", m / 1000 }')
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
. bench/report.sh
. bench/lancedb.sh # LanceDB: its own figures, rows and notes (bench/lancedb.sh)
report_table
if [ "$DOC" != - ]; then
	report_doc >"$DOC"
	say "wrote $DOC"
fi
BENCH_DOC="$DOC" OUT="$OUT" bench/ann.sh  # issue 16: search paths against numpy+OpenBLAS, faiss, LanceDB
