# bench/report.sh - sourced by bench/run.sh: the figures in R[...] as a terminal table
# (report_table) and as docs/benchmarks.md (report_doc).

# One summary row: figure | vbadmin | peer | ratio | goal | status
summary_rows() {
	local s n
	row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
	row "pgvector add 10k x 384 vs psql \\copy binary" "${R[add_vb_ms]} ms" "${R[add_psql_ms]} ms" "${R[add_vs_psql]}x" ">= 0.9x" "$(meets "${R[add_vs_psql]}" 0.9)"
	row "pgvector add 10k x 384 vs psycopg2 execute_values" "${R[add_vb_ms]} ms" "${R[add_py_ms]} ms" "${R[add_vs_py]}x" ">= 5x" "$(meets "${R[add_vs_py]}" 5)"
	row "pgvector upsert 10k existing ids vs psql staged COPY + ON CONFLICT" "${R[upsert_vb_ms]} ms" "${R[upsert_psql_ms]} ms" "${R[upsert_vs_psql]}x" ">= 0.9x" "$(meets "${R[upsert_vs_psql]}" 0.9)"
	row "pgvector upsert 10k existing ids vs psycopg2 execute_values" "${R[upsert_vb_ms]} ms" "${R[upsert_py_ms]} ms" "${R[upsert_vs_py]}x" ">= 2x" "$(meets "${R[upsert_vs_py]}" 2)"
	for s in exact hnsw; do
		n=$([ $s = exact ] && echo "no index" || echo "HNSW")
		row "pgvector top-10 q/s, $n, vs libpq loop" "${R[${s}_vb_qps]}" "${R[${s}_pq_qps]}" "${R[${s}_vs_libpq]}x" ">= 0.95x" "$(meets "${R[${s}_vs_libpq]}" 0.95)"
		row "pgvector top-10 q/s, $n, vs psycopg2 loop" "${R[${s}_vb_qps]}" "${R[${s}_py_qps]}" "${R[${s}_vs_py]}x" ">= 1.5x" "$(meets "${R[${s}_vs_py]}" 1.5)"
	done
	row "HNSW recall@10 vs exact (100 queries)" "${R[recall]}" "1.000 (exact)" "-" "-" "reported"
	for n in $SIZES; do
		row "embedded exact top-10, $n x 384, vs numpy" "${R[e${n}_ms]} ms" "${R[e${n}_np_ms]} ms" "${R[e${n}_vs_np]}x" ">= 4x" "$(meets "${R[e${n}_vs_np]}" 4)"
		row "embedded exact top-10, $n x 384, scan rate vs memory read bandwidth" "${R[e${n}_gbs]} GB/s" "${R[dram_gbs]} GB/s" "${R[e${n}_frac_dram]}%" ">= 80%" "$(meets "${R[e${n}_frac_dram]}" 80)"
	done
	row "hashing embedder, texts/s (1 core)" "${R[embed_tps]}" "50000 (goal)" "${R[embed_vs_goal]}x" ">= 1x" "$(meets "${R[embed_vs_goal]}" 1)"
	if [ -n "${R[embed_sk]}" ]; then
		row "hashing embedder vs scikit-learn HashingVectorizer" "${R[embed_tps]}" "${R[embed_sk]}" "${R[embed_vs_sk]}x" "-" "reported"
	fi
	for be in embedded pgvector; do
		row "bootstrap peak RSS $be, ${last} vs ${first} objects" "${R[b_${be}_${last}_rss]} MB" "${R[b_${be}_${first}_rss]} MB" "${R[b_${be}_flat]}x" "flat, < 64 MB" "${R[b_${be}_goal]}"
	done
	if declare -F embed_http_rows >/dev/null; then embed_http_rows; fi
	row "console first frame (headless) vs 100 ms goal" "${R[ff_ms]} ms" "100 ms" "${R[ff_vs_goal]}x" ">= 1x" "$(below "${R[ff_ms]}" 100)"
}

report_table() {
	echo
	printf '| figure | vbadmin | peer | ratio | goal | status |\n|---|---:|---:|---:|---|---|\n'
	summary_rows
	echo
	printf 'bootstrap rows/s (peak RSS MB):'
	for n in $OBJECTS; do
		printf '  %s objects: embedded %s (%s), pgvector %s (%s);' "$n" "${R[b_embedded_${n}_rps]}" \
			"${R[b_embedded_${n}_rss]}" "${R[b_pgvector_${n}_rps]}" "${R[b_pgvector_${n}_rss]}"
	done
	printf '\ntotal %s s, load average %s at start, %s at end\n' "${R[total_s]}" "$load_start" "$load_end"
	if [ -n "$NOTES" ]; then printf '\nGoals missed, and why:\n%s' "$NOTES"; fi
}

report_doc() {
	local n
	cat <<EOF
# Benchmarks

Written by \`make bench\` (bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, in ${R[total_s]} s.
Do not edit by hand: run \`make bench\` again.  Every figure is a ratio against a peer measured
side by side in that one run, on the same machine, data and server.

## Machine and versions

| | |
|---|---|
| CPU | $cpu, $(nproc) cores |
| RAM | $ram |
| Load average (1/5/15 min) | $load_start at start, $load_end at end (other work shares the machine) |
| PostgreSQL | $pgver in the pg17 sandbox (scripts/pg-sandbox.sh), $pgconf |
| pgvector | $pgvv |
| gcc | $gccv (vbadmin built -O2, as \`make\` builds it) |
| Python peers | /usr/bin/python3: $pyv |
| BLAS under numpy | $blas |
| SQLite (embedded store) | $sqlitev |

## Summary

| figure | vbadmin | peer | ratio | goal | status |
|---|---:|---:|---:|---|---|
$(summary_rows)

Ratios are "how many times faster vbadmin is" (peer time / vbadmin time, or vbadmin q/s / peer q/s),
except the bandwidth rows: bytes scanned per second / the machine's memory read bandwidth measured
by a C read loop over 1 GiB in this run (above 100% = the table is served from the CPU caches).
The stricter same-bytes comparison (read loop over exactly the scan's bytes, cache effects
alike) is in the embedded table below.

## pgvector writes (10k x 384)

Table \`bench_vec (namespace, id, name, vector(384), UNIQUE (namespace, id))\`, rows from
bench/vecgen (clustered float32), namespace injected by the plugin.  Each side connects first and
is timed from the first byte of the write to the commit; the table is truncated (and, for upserts,
refilled with the same ids) and CHECKPOINTed before each timed write.  $ROUNDS rounds, the order
of vbadmin and psql alternating; medians, and the psql ratio is the median of per-round ratios.

| | vbadmin (plugin slot) | psql | psycopg2 |
|---|---:|---:|---:|
| add | ${R[add_vb_ms]} ms | ${R[add_psql_ms]} ms (\`\\copy ... (FORMAT binary)\`) | ${R[add_py_ms]} ms |
| upsert | ${R[upsert_vb_ms]} ms | ${R[upsert_psql_ms]} ms (temp table, binary \`\\copy\`, INSERT ... ON CONFLICT) | ${R[upsert_py_ms]} ms |

- vbadmin: \`add\` / \`upsert\` slots of backends/pgvector/vb_pgvector.so loaded through the registry
  (bench/pgv_bench.c): one transaction, binary COPY (upsert: COPY into a temp stage, then INSERT ...
  ON CONFLICT DO UPDATE).
- psql: the rows the plugin wrote, exported once with \`\\copy ... TO ... (FORMAT binary)\`, loaded
  with psql's \`\\timing\` summed over the statements of the script.
- psycopg2 (bench/py_pg.py): \`execute_values(..., page_size=64)\` with ON CONFLICT DO UPDATE, vectors
  converted to pgvector text inside the timed region the way pgvector-python's adapter does
  (\`str(float(x))\` per element), as the Python original writes.  $py_rounds rounds.

## pgvector vector top-10

Same 10k rows, 1000 query vectors from the same distribution.  vbadmin = \`search_vector\` slot,
top 10, every column but the vector.  libpq loop = the very statement the plugin sent (read back
from pg_stat_activity) with the same parameters through PQexecParams, every cell read.  psycopg2
loop = the same SQL with client-side parameters and fetchall().  Medians over rounds; the libpq
ratio pairs rounds of the same process (alternating who goes first).

| index | plan | vbadmin q/s | libpq q/s | psycopg2 q/s |
|---|---|---:|---:|---:|
| none | ${R[exact_plan]} | ${R[exact_vb_qps]} | ${R[exact_pq_qps]} | ${R[exact_py_qps]} |
| HNSW (m=16, ef_construction=64, ef_search=40; built in ${R[hnsw_build_s]} s) | ${R[hnsw_plan]} | ${R[hnsw_vb_qps]} | ${R[hnsw_pq_qps]} | ${R[hnsw_py_qps]} |

recall@10 of HNSW against the exact scan over the first 100 queries: **${R[recall]}**.

## Embedded exact scan top-10

The store is filled through the \`add\` slot (bench/emb_bench.c, batches of 10k; the 1M case too),
then one warm-up query loads the vector cache; each figure is the median time of a
\`search_vector\` top-10 call (scan plus fetching the 10 rows from SQLite).  numpy
(bench/py_scan.py): the same rows, L2-normalised once, \`x @ q\` + argpartition + sort of the
10, median per query.  Three rounds, each running vbadmin then numpy as fresh processes; "x numpy"
is the median of the per-round ratios.  The read loop (AVX2 loads summing every float) runs over a buffer of
exactly the scan's bytes, alternating with the scans; the DRAM read bandwidth measured over 1 GiB
is ${R[dram_gbs]} GB/s.  "agree" = share of the top-10 ids both sides return.

| rows | vbadmin ms | numpy ms | x numpy (round range) | read loop ms | of read loop | scan GB/s | numpy GB/s | of 1 GiB bandwidth | agree | cache load ms | add slot rows/s |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(for n in $SIZES; do printf '| %s | %s | %s | %s (%s) | %s | %s%% | %s | %s | %s%% | %s | %s | %s |\n' "$n" "${R[e${n}_ms]}" "${R[e${n}_np_ms]}" "${R[e${n}_vs_np]}" "${R[e${n}_np_range]}" "${R[e${n}_read_ms]}" "${R[e${n}_frac]}" "${R[e${n}_gbs]}" "${R[e${n}_np_gbs]}" "${R[e${n}_frac_dram]}" "${R[e${n}_agree]}" "${R[e${n}_load_ms]}" "${R[e${n}_fill_rps]}"; done)

## Hashing embedder

${R[embed_tps]} texts/s on one core (200k texts of ${R[embed_bytes]} bytes on average, dim 384,
\`embed_hashing\` of kb/embed.h), ${R[embed_vs_goal]}x the goal of 50k texts/s/core.
EOF
	if [ -n "${R[embed_sk]}" ]; then
		cat <<EOF
Peer: scikit-learn's HashingVectorizer (python3-sklearn) with the same features (word 1-2-grams
plus character 3-grams, 384 buckets, L2-normalised, dense float32): ${R[embed_sk]} texts/s, so
vbadmin's embedder is ${R[embed_vs_sk]}x faster.
EOF
	fi
	if declare -F embed_http_section >/dev/null; then embed_http_section; fi
	cat <<EOF

## Bootstrap end to end

\`vbadmin bootstrap-kb --all-data-sources --kb_update_strategy incremental\` of a
bench/gen_semantic.sh YAML, components semantic_model then metrics, each a separate process timed
and measured by \`/usr/bin/time -f '%e %M'\` (wall time includes start-up, YAML parsing, embedding,
writing; peak RSS is the larger of the two runs).  rows = semantic_model + metrics rows written.

| objects | rows | embedded rows/s | embedded peak RSS | pgvector rows/s | pgvector peak RSS |
|---:|---:|---:|---:|---:|---:|
$(for n in $OBJECTS; do printf '| %s | %s | %s | %s MB | %s | %s MB |\n' "$n" "${R[b_embedded_${n}_rows]}" "${R[b_embedded_${n}_rps]}" "${R[b_embedded_${n}_rss]}" "${R[b_pgvector_${n}_rps]}" "${R[b_pgvector_${n}_rss]}"; done)

## Console first frame

Measured headless: \`VBADMIN_SCRIPT=<empty file> VBADMIN_DUMP=<file> vbadmin\` with no config (the
embedded default) renders the Setup wizard's first frame - after running its checks - writes it
and exits; the figure is the median wall time of 15 such runs from exec to exit, so it bounds the
time to the first frame from above.  Floor: \`vbadmin help\` (process start only)
${R[ff_floor_ms]} ms.  First frame: **${R[ff_ms]} ms** (goal < 100 ms).  Runs that did not exit 0:
${R[ff_crashes]} of 15 (not timed).
EOF
	printf '\n## Goals missed and why\n\n'
	if [ -n "$NOTES" ]; then printf '%s' "$NOTES"; else echo "Every goal was met in this run."; fi
}
