# bench/lancedb.sh - sourced by bench/run.sh (one hook line, after bench/report.sh is loaded): the
# lancedb backend against LanceDB's library called directly from node on the same rows and queries
# (bench/lance_bench.c vs bench/lance_peer.mjs), and `vbadmin migrate` LanceDB -> pgvector against a
# plain export (node) + psql \copy.  Adds its rows to the summary table, a section and its notes to
# the report.
# Standalone: make bench/bin/lance_bench bench/bin/vecgen && OUT=. bench/lancedb.sh measures only
# this and rewrites its summary rows, its section and its notes in docs/benchmarks.md in place
# (BENCH_DOC; "-" prints only), leaving every other figure of the document as it was.
# Knobs: BENCH_LANCE_SIZES (default "10000 100000"), BENCH_LANCE_ROUNDS (default 9),
# BENCH_LANCE_MIGRATE_ROWS (default 10000).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then # standalone: what bench/run.sh would have set up
	set -euo pipefail
	cd "$(dirname "$0")/.."
	OUT=$(realpath "${OUT:-.}")
	BIN=$OUT/bench/bin
	VBADMIN=$OUT/vbadmin
	PY=/usr/bin/python3
	export VBADMIN_PLUGIN_PATH=$OUT/backends/pgvector PGPASSWORD=postgres
	W=$(mktemp -d /tmp/vbadmin-bench-lance.XXXXXX)
	PGDIR=$W/pgstate PG_UP= host=127.0.0.1 port= DB=vbbench PSQL=()
	trap '[ -z "$PG_UP" ] || scripts/pg-sandbox.sh down --dir "$PGDIR" >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
	trap 'exit 130' INT TERM
	say() { printf 'bench/lancedb: %s\n' "$*" >&2; }
	now() { echo "$EPOCHREALTIME"; }
	ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", (b - a) * 1000 }'; }
	field() { awk -v k="$1" '$1 == k { print $2; exit }'; }
	median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b == 0) print "nan"; else printf f "\n", a / b }'; }
	below() { awk -v v="$1" -v g="$2" 'BEGIN { print (v + 0 < g + 0) ? "met" : "MISSED" }'; }
	range() { tr ' ' '\n' | awk 'NF { if (n++ == 0 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 } END { printf "%.2f-%.2fx", lo, hi }'; }
	P() { "${PSQL[@]}" -d "$DB" "$@"; }
	NOTES=
	note() { NOTES+="- $*"$'\n'; }
	declare -A R
	load_start=$(cut -d' ' -f1-3 /proc/loadavg)
	"$BIN/vecgen" 1000 384 2 "$W/q.f32" >/dev/null
	LANCE_STANDALONE=1
fi

LSIZES=${BENCH_LANCE_SIZES:-10000 100000}
LROUNDS=${BENCH_LANCE_ROUNDS:-9}
LMIG=${BENCH_LANCE_MIGRATE_ROWS:-10000}
LQ=100 # queries per round and side
LQ_SLOW=20 # for the exact vector search from 100k rows up (0.4 s a query): 9 rounds stay minutes
lance_nq() { [ "$1" = vector ] && [ "$2" -ge 100000 ] && echo "$LQ_SLOW" || echo "$LQ"; } # mode rows

lance_rps() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms == 0) print "nan"; else printf "%.0f", n / ms * 1000 }'; }
lance_pct() { awk -v r="$1" 'BEGIN { printf "%.1f", (r - 1) * 100 }'; } # ratio vb/peer -> overhead %

# Each round runs both sides as fresh processes, the one going first alternating, and the figure is
# the median of the per-round ratios: load from other work on this shared machine weighs on both
# sides of a ratio alike.
lance_bench_size() { # n
	local n=$1 r vb pe avb ape rat svb spe srat
	"$BIN/vecgen" "$n" 384 3 "$W/l$n.f32"
	avb= ape= rat=
	for r in $(seq 1 "$LROUNDS"); do
		rm -rf "$W/lvb" "$W/lpeer"
		if [ $((r % 2)) = 1 ]; then
			vb=$("$BIN/lance_bench" add "$W/lvb" b "$W/l$n.f32" "$n" 1000 | field ms)
			pe=$(node bench/lance_peer.mjs add "$W/lpeer" "$W/l$n.f32" "$n" 1000 2>/dev/null | field ms)
		else
			pe=$(node bench/lance_peer.mjs add "$W/lpeer" "$W/l$n.f32" "$n" 1000 2>/dev/null | field ms)
			vb=$("$BIN/lance_bench" add "$W/lvb" b "$W/l$n.f32" "$n" 1000 | field ms)
		fi
		avb+=" $vb" ape+=" $pe" rat+=" $(div "$pe" "$vb" %.4f)"
	done
	R[l${n}_add_vb_rps]=$(lance_rps "$n" "$(echo $avb | median)")
	R[l${n}_add_peer_rps]=$(lance_rps "$n" "$(echo $ape | median)")
	R[l${n}_add_ratio]=$(echo $rat | median | xargs printf '%.2f')
	R[l${n}_add_range]=$(echo $rat | range)
	rm -rf "$W/lpeer"
	# both sides query the very store the helper wrote (same files, same Lance format)
	for mode in vector text; do
		svb= spe= srat= nq=$(lance_nq "$mode" "$n")
		for r in $(seq 1 "$LROUNDS"); do
			if [ $((r % 2)) = 1 ]; then
				vb=$("$BIN/lance_bench" search "$W/lvb" b "$W/q.f32" "$nq" $mode | field median_ms)
				pe=$(node bench/lance_peer.mjs search "$W/lvb/datus_db_b" "$W/q.f32" "$nq" $mode 2>/dev/null | field median_ms)
			else
				pe=$(node bench/lance_peer.mjs search "$W/lvb/datus_db_b" "$W/q.f32" "$nq" $mode 2>/dev/null | field median_ms)
				vb=$("$BIN/lance_bench" search "$W/lvb" b "$W/q.f32" "$nq" $mode | field median_ms)
			fi
			svb+=" $vb" spe+=" $pe" srat+=" $(div "$vb" "$pe" %.4f)"
		done
		R[l${n}_${mode}_vb_ms]=$(echo $svb | median)
		R[l${n}_${mode}_peer_ms]=$(echo $spe | median)
		R[l${n}_${mode}_over]=$(lance_pct "$(echo $srat | median)")
		R[l${n}_${mode}_range]=$(echo $srat | range)
	done
}

# PostgreSQL for the migrate figure: bench/run.sh has stopped its sandbox by now, so start one
lance_pg_up() {
	[ -n "$PG_UP" ] && return 0
	local p
	for p in 55603 55617 55631 55647 55663; do
		if scripts/pg-sandbox.sh up pg17 --port "$p" --dir "$PGDIR" >"$W/lpg.out" 2>&1; then PG_UP=1 port=$p; break; fi
	done
	[ -n "$PG_UP" ] || { cat "$W/lpg.out" >&2; say "cannot start the sandbox for the migrate figure"; exit 1; }
	PSQL=(env PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U postgres)
	"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
	P -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
}

lance_bench_migrate() {
	local home=$W/lmig cols t0 r vbs= pes= rat= vb pe
	lance_pg_up
	node tests/lancedb/datus-store.mjs --dir "$home/data/datus_db_m1" --dim 384 --rows "$LMIG" \
		--tables semantic_model >/dev/null 2>&1
	cat >"$W/lmig.yml" <<YML
agent:
  home: $home
  namespace:
    m1: {type: sqlite, uri: sqlite:///x.db}
    pgkb: {type: postgresql, host: $host, port: $port, database: $DB, username: postgres, password: postgres}
  storage:
    backends: {namespace: pgkb}
YML
	XDG_STATE_HOME=$W/lstate "$VBADMIN" --config "$W/lmig.yml" ddl apply --yes >/dev/null 2>&1
	cols=$(P -c "SELECT string_agg(quote_ident(attname), ',' ORDER BY attnum) FROM pg_attribute
	             WHERE attrelid = 'semantic_model'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'namespace'")
	P -c "CREATE TABLE mig_copy (LIKE semantic_model INCLUDING ALL)" -c "ALTER TABLE mig_copy ALTER namespace SET DEFAULT 'm1'" >/dev/null
	lance_mig_vb() {
		P -c "TRUNCATE semantic_model" -c "CHECKPOINT" >/dev/null
		t0=$(now)
		XDG_STATE_HOME=$W/lstate "$VBADMIN" --config "$W/lmig.yml" --namespace m1 migrate --from lancedb --to pgvector \
			--tables semantic_model -y >"$W/lmig.out" 2>&1 || { cat "$W/lmig.out" >&2; say "migrate failed"; exit 1; }
		ms_since "$t0"
	}
	lance_mig_peer() {
		P -c "TRUNCATE mig_copy" -c "CHECKPOINT" >/dev/null
		t0=$(now)
		node bench/lance_peer.mjs export "$home/data/datus_db_m1" semantic_model "$W/lmig.copy" >/dev/null 2>&1
		P -c "\\copy mig_copy ($cols) FROM '$W/lmig.copy'" >/dev/null
		ms_since "$t0"
	}
	for r in $(seq 1 3); do
		if [ $((r % 2)) = 1 ]; then vb=$(lance_mig_vb); pe=$(lance_mig_peer); else pe=$(lance_mig_peer); vb=$(lance_mig_vb); fi
		vbs+=" $vb" pes+=" $pe" rat+=" $(div "$pe" "$vb" %.4f)"
	done
	R[lmig_vb_rps]=$(lance_rps "$LMIG" "$(echo $vbs | median)")
	R[lmig_peer_rps]=$(lance_rps "$LMIG" "$(echo $pes | median)")
	R[lmig_ratio]=$(echo $rat | median | xargs printf '%.2f')
	R[lmig_range]=$(echo $rat | range)
	R[lmig_rows]=$(P -c "SELECT count(*) FROM semantic_model WHERE namespace = 'm1'")
	R[lmig_verified]=$(grep -c "16 of 16 sampled rows equal" "$W/lmig.out")
	scripts/pg-sandbox.sh down --dir "$PGDIR" >/dev/null 2>&1 || true
	PG_UP=
}

say "LanceDB: lancedb backend vs LanceDB's library from node, and migrate vs export + \\copy"
R[lance_lib]=$(node -p "require('./backends/lancedb/helper/node_modules/@lancedb/lancedb/package.json').version" 2>/dev/null)
R[lance_node]=$(node --version 2>/dev/null)
for n in $LSIZES; do lance_bench_size "$n"; done
lance_bench_migrate

for n in $LSIZES; do
	for mode in vector text; do
		[ "$(below "${R[l${n}_${mode}_over]}" 10.01)" = met ] || note "lancedb $mode top-10 at $n rows:" \
			"${R[l${n}_${mode}_vb_ms]} ms through the helper vs ${R[l${n}_${mode}_peer_ms]} ms for the library" \
			"called directly (overhead ${R[l${n}_${mode}_over]}%, goal <= 10%; per-round vb/peer ratios" \
			"${R[l${n}_${mode}_range]}): each query crosses the socket twice, two process wake-ups that on" \
			"this shared 2-core machine (load $load_start) wait for a core; see the section for where a" \
			"query's time goes."
	done
done

# this file's rows of the summary table
lance_summary_rows() {
	local n m
	for n in $LSIZES; do
		row "lancedb add rows/s, $n x 384, vs LanceDB library (node)" "${R[l${n}_add_vb_rps]}" "${R[l${n}_add_peer_rps]}" "${R[l${n}_add_ratio]}x" "-" "reported"
		for m in vector text; do
			row "lancedb $m top-10 ms, $n rows, helper overhead vs library" "${R[l${n}_${m}_vb_ms]} ms" "${R[l${n}_${m}_peer_ms]} ms" "${R[l${n}_${m}_over]}%" "<= 10%" "$(below "${R[l${n}_${m}_over]}" 10.01)"
		done
	done
	row "migrate LanceDB -> pgvector rows/s ($LMIG x 384, verified) vs export + psql \\copy" "${R[lmig_vb_rps]}" "${R[lmig_peer_rps]}" "${R[lmig_ratio]}x" "-" "reported"
}

lance_section() {
	cat <<EOF
## LanceDB (lancedb backend and migrate)

@lancedb/lancedb ${R[lance_lib]} on node ${R[lance_node]}.  vbadmin side: bench/lance_bench.c through the
\`lancedb\` backend (vbadmin -> framed socket -> backends/lancedb/helper -> LanceDB).  Peer:
bench/lance_peer.mjs, the same library called directly from node, connected as the helper connects
(no namespace manifest, Lance format 2.0).  Rows: id, text, vector(384) from bench/vecgen.  add =
create the table with its FTS index, add in batches of 1000 (the peer builds each batch as Arrow
columns over the vector file's floats, the fastest way the library takes rows), then optimize; both
searches run on the store the helper wrote (same files), ${LQ} top-10 queries per round and side
(${LQ_SLOW} for the exact vector search at 100k rows and more),
median per round.  $LROUNDS rounds, the side going first alternating; ratios are medians of per-round
ratios (range in brackets).  Overhead = helper time / library time - 1.

| rows | add rows/s vbadmin | add rows/s library | x library | vector top-10 ms vbadmin / library | overhead | text (FTS) top-10 ms vbadmin / library | overhead |
|---:|---:|---:|---:|---|---:|---|---:|
$(for n in $LSIZES; do printf '| %s | %s | %s | %s (%s) | %s / %s | %s%% (%s) | %s / %s | %s%% (%s) |\n' "$n" "${R[l${n}_add_vb_rps]}" "${R[l${n}_add_peer_rps]}" "${R[l${n}_add_ratio]}" "${R[l${n}_add_range]}" "${R[l${n}_vector_vb_ms]}" "${R[l${n}_vector_peer_ms]}" "${R[l${n}_vector_over]}" "${R[l${n}_vector_range]}" "${R[l${n}_text_vb_ms]}" "${R[l${n}_text_peer_ms]}" "${R[l${n}_text_over]}" "${R[l${n}_text_range]}"; done)

Migrate: a Datus-layout LanceDB store (tests/lancedb/datus-store.mjs, semantic_model, $LMIG rows x
384) into pgvector.  vbadmin: \`vbadmin migrate --from lancedb --to pgvector --tables semantic_model -y\`
as a user runs it (process start, streaming read of the source in batches of 500, upsert, count of
every key and a 16-row bit-for-bit sample check at the end; the target truncated and CHECKPOINTed
before each round).  Peer: bench/lance_peer.mjs export (every row as COPY text) + psql \`\\copy\` into an
empty copy of the table, no verification.  3 rounds alternating: **${R[lmig_vb_rps]} rows/s** against
${R[lmig_peer_rps]} rows/s, **${R[lmig_ratio]}x** (${R[lmig_range]}); ${R[lmig_rows]} rows in PostgreSQL after the
last run, verified ${R[lmig_verified]}/1.
EOF
}
if [ -z "${LANCE_STANDALONE:-}" ]; then
	# in bench/run.sh: the summary table gets this file's rows after report.sh's own, the document
	# this file's section before "## Goals missed and why"
	eval "lance_orig_$(declare -f summary_rows)"
	summary_rows() {
		lance_orig_summary_rows
		lance_summary_rows
	}
	eval "lance_orig_$(declare -f report_doc)"
	report_doc() {
		LANCE_SECTION=$(lance_section) lance_orig_report_doc | awk '/^## Goals missed/ && !done { print ENVIRON["LANCE_SECTION"]; print ""; done = 1 } { print }'
	}
fi

if [ -n "${LANCE_STANDALONE:-}" ]; then
	row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
	lance_rows=$(lance_summary_rows)
	lance_sec="$(lance_section)

This section and its summary rows come from \`bench/lancedb.sh\` run on its own ($(date -u '+%Y-%m-%d %H:%M UTC'),
commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), load average $load_start at start); the other
sections are from the full run above."
	printf '%s\n\n%s\n' "$lance_rows" "$lance_sec"
	[ -z "$NOTES" ] || printf '\n%s' "$NOTES"
	DOC=${BENCH_DOC:-docs/benchmarks.md}
	if [ "$DOC" != - ]; then
		# rows at the end of the summary table, the section before "## Goals missed and why", the
		# notes at the top of that list; this file's earlier rows, section and notes are replaced
		$PY - "$DOC" "$lance_rows" "$lance_sec" "$NOTES" <<'PY'
import re, sys
path, rows, section, notes = sys.argv[1:5]
doc = open(path, encoding="utf-8").read()
lines = [l for l in doc.split("\n") if not (l.startswith("| lancedb ") or l.startswith("| migrate LanceDB"))]
head = next(i for i, l in enumerate(lines) if l.startswith("| figure |"))
end = head
while end < len(lines) and lines[end].startswith("|"):
    end += 1
lines[end:end] = rows.split("\n")
doc = "\n".join(lines)
doc = re.sub(r"\n## LanceDB \(lancedb backend and migrate\)\n.*?(?=\n## )", "", doc, flags=re.S)
doc = doc.replace("\n## Goals missed and why", "\n" + section.rstrip("\n") + "\n\n## Goals missed and why", 1)
doc = re.sub(r"^- lancedb (vector|text) top-10 .*\n", "", doc, flags=re.M)
if notes:
    doc = doc.replace("## Goals missed and why\n\nEvery goal was met in this run.\n", "## Goals missed and why\n\n", 1)
    doc = doc.replace("## Goals missed and why\n\n", "## Goals missed and why\n\n" + notes, 1)
open(path, "w", encoding="utf-8").write(doc)
PY
		say "wrote its rows and section into $DOC"
	fi
fi
