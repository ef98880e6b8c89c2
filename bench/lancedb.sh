# bench/lancedb.sh - sourced by bench/run.sh (one hook line, after bench/report.sh is loaded): the
# lancedb backend against LanceDB's library called directly from node on the same rows and queries
# (bench/lance_bench.c vs bench/lance_peer.mjs), and `vbadmin migrate` LanceDB -> pgvector against a
# plain export (node) + psql \copy.  Adds its rows to the summary table and its notes to the report.
# Knobs: BENCH_LANCE_SIZES (default "10000 100000"), BENCH_LANCE_ROUNDS (default 3),
# BENCH_LANCE_MIGRATE_ROWS (default 10000).
LSIZES=${BENCH_LANCE_SIZES:-10000 100000}
LROUNDS=${BENCH_LANCE_ROUNDS:-3}
LMIG=${BENCH_LANCE_MIGRATE_ROWS:-10000}
LQ=50 # queries per round

lance_rps() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms == 0) print "nan"; else printf "%.0f", n / ms * 1000 }'; }
lance_pct() { awk -v v="$1" -v p="$2" 'BEGIN { if (p == 0) print "nan"; else printf "%.1f", (v - p) / p * 100 }'; }

lance_bench_size() { # n
	local n=$1 r vb pe avb ape svb spe tvb tpe
	"$BIN/vecgen" "$n" 384 3 "$W/l$n.f32"
	avb= ape=
	for r in $(seq 1 "$LROUNDS"); do
		rm -rf "$W/lvb" "$W/lpeer"
		vb=$("$BIN/lance_bench" add "$W/lvb" b "$W/l$n.f32" "$n" 1000 | field ms)
		pe=$(node bench/lance_peer.mjs add "$W/lpeer" "$W/l$n.f32" "$n" 1000 2>/dev/null | field ms)
		avb+=" $vb" ape+=" $pe"
	done
	R[l${n}_add_vb_rps]=$(lance_rps "$n" "$(echo $avb | median)")
	R[l${n}_add_peer_rps]=$(lance_rps "$n" "$(echo $ape | median)")
	R[l${n}_add_ratio]=$(div "${R[l${n}_add_vb_rps]}" "${R[l${n}_add_peer_rps]}")
	for mode in vector text; do
		svb= spe=
		for r in $(seq 1 "$LROUNDS"); do # alternate the sides so drift on this shared machine hits both
			svb+=" $("$BIN/lance_bench" search "$W/lvb" b "$W/q.f32" $LQ $mode | field median_ms)"
			spe+=" $(node bench/lance_peer.mjs search "$W/lpeer" "$W/q.f32" $LQ $mode 2>/dev/null | field median_ms)"
		done
		R[l${n}_${mode}_vb_ms]=$(echo $svb | median)
		R[l${n}_${mode}_peer_ms]=$(echo $spe | median)
		R[l${n}_${mode}_over]=$(lance_pct "${R[l${n}_${mode}_vb_ms]}" "${R[l${n}_${mode}_peer_ms]}")
	done
}

lance_bench_migrate() {
	local home=$W/lmig cols t0 vbs pes
	node tests/lancedb/datus-store.mjs --dir "$home/data/datus_db_m1" --dim 384 --rows "$LMIG" \
		--tables semantic_model >/dev/null 2>&1
	cat >"$W/lmig.yml" <<EOF
agent:
  home: $home
  namespace:
    m1: {type: sqlite, uri: sqlite:///x.db}
    pgkb: {type: postgresql, host: $host, port: $port, database: $DB, username: postgres, password: postgres}
  storage:
    backends: {namespace: pgkb}
EOF
	"$VBADMIN" --config "$W/lmig.yml" ddl apply --yes >/dev/null 2>&1
	t0=$(now)
	"$VBADMIN" --config "$W/lmig.yml" --namespace m1 migrate --from lancedb --to pgvector --tables semantic_model -y \
		>"$W/lmig.out" 2>&1 || { cat "$W/lmig.out" >&2; say "migrate failed"; }
	vbs=$(ms_since "$t0")
	cols=$(P -c "SELECT string_agg(quote_ident(attname), ',' ORDER BY attnum) FROM pg_attribute
	             WHERE attrelid = 'semantic_model'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'namespace'")
	P -c "CREATE TABLE mig_copy (LIKE semantic_model INCLUDING DEFAULTS)" -c "ALTER TABLE mig_copy ALTER namespace SET DEFAULT 'm1'" >/dev/null
	t0=$(now)
	node bench/lance_peer.mjs export "$home/data/datus_db_m1" semantic_model "$W/lmig.copy" >/dev/null 2>&1
	P -c "\\copy mig_copy ($cols) FROM '$W/lmig.copy'" >/dev/null
	pes=$(ms_since "$t0")
	R[lmig_vb_rps]=$(lance_rps "$LMIG" "$vbs")
	R[lmig_peer_rps]=$(lance_rps "$LMIG" "$pes")
	R[lmig_ratio]=$(div "${R[lmig_vb_rps]}" "${R[lmig_peer_rps]}")
	R[lmig_rows]=$(P -c "SELECT count(*) FROM semantic_model WHERE namespace = 'm1'")
}

say "LanceDB: lancedb backend vs LanceDB's library from node, and migrate vs export + \\copy"
for n in $LSIZES; do lance_bench_size "$n"; done
lance_bench_migrate

for n in $LSIZES; do
	for mode in vector text; do
		[ "$(below "${R[l${n}_${mode}_over]}" 10.01)" = met ] || note "lancedb $mode top-10 at $n rows:" \
			"${R[l${n}_${mode}_vb_ms]} ms through the helper vs ${R[l${n}_${mode}_peer_ms]} ms for the library" \
			"called directly (overhead ${R[l${n}_${mode}_over]}%, goal <= 10%): each query crosses the pipe twice" \
			"and the rows are re-encoded; on this shared 2-core machine the node process and vbadmin also compete."
	done
done

# the summary table gets the rows of this file after report.sh's own
eval "lance_orig_$(declare -f summary_rows)"
summary_rows() {
	lance_orig_summary_rows
	local n m
	for n in $LSIZES; do
		row "lancedb add rows/s, $n x 384, vs LanceDB library (node)" "${R[l${n}_add_vb_rps]}" "${R[l${n}_add_peer_rps]}" "${R[l${n}_add_ratio]}x" "-" "reported"
		for m in vector text; do
			row "lancedb $m top-10 ms, $n rows, helper overhead vs library" "${R[l${n}_${m}_vb_ms]} ms" "${R[l${n}_${m}_peer_ms]} ms" "${R[l${n}_${m}_over]}%" "<= 10%" "$(below "${R[l${n}_${m}_over]}" 10.01)"
		done
	done
	row "migrate LanceDB -> pgvector rows/s ($LMIG x 384, verified) vs export + psql \\copy" "${R[lmig_vb_rps]}" "${R[lmig_peer_rps]}" "${R[lmig_ratio]}x" "-" "reported"
}
